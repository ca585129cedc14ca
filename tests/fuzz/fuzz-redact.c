/* fuzz-redact.c - the redactor, with the property that no planted secret
 * survives.
 *
 * Into the fuzz input (any bytes) a known secret shape is planted, set
 * apart by a space on each side, at a place the first two bytes choose:
 * a GitHub token in free text (redact_text, redact_buf), and in an
 * exchange whose url, header values and bodies are the input, an
 * Authorization header and a "password" JSON field.  After redaction the
 * secret's distinctive bytes must be absent from every output.  An input
 * that already holds those bytes proves nothing and is passed over. */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "redact.h"

/* The planted secrets; only the parts after the kept type prefix (at most
 * 8 characters) are looked for. */
#define TOKEN "ghp_Fz9kQ2mW7xR4tY8uI1oP3aS5dF6gH0jK2lZx"
#define TOKEN_BODY "Fz9kQ2mW7xR4tY8uI1oP3aS5dF6gH0jK2lZx"
#define BEARER "Bearer Qm9vTnVsbE1hc3RlcktleTQ1Njc4OTAxMjM0NTY3"
#define BEARER_BODY "Qm9vTnVsbE1hc3RlcktleTQ1Njc4OTAxMjM0NTY3"
#define PASSWORD "pW-7731-zebra-Kettle-9904-harbor"

static int has(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	if (!s || n < k)
		return 0;
	return memmem(s, n, needle, k) != NULL;
}

/* data with " token " inserted at off. */
static char *plant(const uint8_t *data, size_t size, size_t off, const char *token, size_t *len)
{
	size_t k = strlen(token);
	char *s = malloc(size + k + 3);
	if (!s)
		abort();
	memcpy(s, data, off);
	s[off] = ' ';
	memcpy(s + off + 1, token, k);
	s[off + 1 + k] = ' ';
	memcpy(s + off + k + 2, data + off, size - off);
	*len = size + k + 2;
	s[*len] = '\0';
	return s;
}

static void check_text(const char *what, const char *s, size_t n)
{
	static const char *const secrets[] = {TOKEN_BODY, BEARER_BODY, PASSWORD};
	for (int i = 0; i < 3; i++)
		if (has(s, n, secrets[i])) {
			const char *at = memmem(s, n, secrets[i], strlen(secrets[i]));
			size_t from = (size_t)(at - s) > 60 ? (size_t)(at - s) - 60 : 0;
			size_t to = (size_t)(at - s) + 100 < n ? (size_t)(at - s) + 100 : n;
			fputs("output around it: ", stderr);
			fwrite(s + from, 1, to - from, stderr);
			fputc('\n', stderr);
			fz_fail("a planted secret survived redaction in %s", what);
		}
}

static void check_exchange(const struct exchange *ex)
{
	size_t i;
	const struct hdr_list *side[2] = {&ex->req_headers, &ex->resp_headers};
	check_text("url", ex->url, ex->url ? strlen(ex->url) : 0);
	check_text("query", ex->query, ex->query ? strlen(ex->query) : 0);
	check_text("path", ex->path, ex->path ? strlen(ex->path) : 0);
	check_text("request body", ex->req_body.data, ex->req_body.len);
	check_text("response body", ex->resp_body.data, ex->resp_body.len);
	check_text("error", ex->error, ex->error ? strlen(ex->error) : 0);
	for (int k = 0; k < 2; k++)
		for (i = 0; i < side[k]->n; i++)
			check_text(side[k]->v[i].name, side[k]->v[i].value, strlen(side[k]->v[i].value));
	for (i = 0; i < ex->transcript.n; i++)
		check_text("transcript", ex->transcript.v[i], strlen(ex->transcript.v[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[32] = {1, 2, 3};
	struct redactor *r;
	struct exchange ex;
	size_t off, len, olen;
	char *s, *out, *body, *field;

	if (has((const char *)data, size, TOKEN_BODY) || has((const char *)data, size, BEARER_BODY) ||
	    has((const char *)data, size, PASSWORD))
		return 0;
	if (size > (1 << 20))
		return 0;
	off = size >= 2 ? ((size_t)data[0] << 8 | data[1]) % (size + 1) : 0;
	r = redactor_new(key, sizeof(key));

	/* Free text, with NULs (redact_buf) and up to the first NUL. */
	s = plant(data, size, off, TOKEN, &len);
	out = redact_buf(r, s, len, &olen);
	check_text("redact_buf", out, olen);
	free(out);
	if (!memchr(s, 0, len)) {
		out = redact_text(r, s, len);
		check_text("redact_text", out, strlen(out));
		free(out);
	}

	/* An exchange: the input is the url tail, a header value and the
	 * bodies; the secrets sit where a client puts them. */
	exchange_init(&ex);
	{
		char *u = malloc(size * 3 + 64), *q = u;
		q += sprintf(q, "https://api.example.com/");
		for (size_t i = 0; i < size && i < 2048; i++)
			q += sprintf(q, "%%%02X", data[i]);
		*q = '\0';
		exchange_set_url(&ex, u);
		free(u);
	}
	exchange_set(&ex.method, "POST");
	hdr_list_adds(&ex.req_headers, "Authorization", BEARER);
	body = fz_strdup(data, size);
	hdr_list_adds(&ex.req_headers, "X-Fuzz", body);
	hdr_list_adds(&ex.resp_headers, "X-Fuzz", body);
	free(body);
	hdr_list_adds(&ex.req_headers, "Content-Type", "application/json");
	field = malloc(size + 64);
	len = (size_t)sprintf(field, "{\"password\": \"%s\", \"x\": \"", PASSWORD);
	/* bodies holding NUL bytes are left alone by design: none here */
	for (size_t i = 0; i < size; i++)
		field[len++] = data[i] ? (char)data[i] : ' ';
	field[len] = '\0';
	body_set(&ex.req_body, field, len);
	free(field);
	body_set(&ex.resp_body, s, strlen(s));
	strlist_adds(&ex.transcript, s);
	ex.status = 200;
	redact_exchange(r, &ex);
	check_exchange(&ex);
	exchange_release(&ex);
	free(s);
	redactor_free(r);
	return 0;
}
