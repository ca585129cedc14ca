/* redact.c - replace credentials before anything is stored (see redact.h).
 *
 * Everything works on text: headers by name, bodies and free text by a
 * single left-to-right scanner that recognises the structure around a
 * value -- JSON fields (also inside JSON strings, numbers and arrays,
 * key/value pairs), query, form and path parameters (also percent-encoded
 * inside another parameter), "Name: value" lines, raw multipart parts,
 * XML elements, HTML inputs and meta tags, JS literals and GraphQL
 * arguments, PEM blocks, credentials in URLs -- and judges names by their
 * word parts and values by form (redact-class.c).  Bodies are never parsed
 * as a whole (they may be invalid JSON or cut short), a secret running to
 * the end of a truncated body is still replaced, and a text is read once:
 * the scanner jumps over words and builds its output only after a hit.
 * This file is the redactor's life, exchanges, keys and the writers'
 * second line of defence; the scanner and the value judgments are in
 * the files redact-int.h lists.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "caps.h"
#include "redact.h"
#include "redact-int.h"
#include "util.h"


#define TRACE_WRAP 64 /* curl --trace-ascii data bytes per line */
#define CONTENT_KEY_BYTES ((size_t)64 << 10)

static const char *const kind_names[REDACT_KIND_COUNT] = {
	"authorization", "cookie", "set-cookie", "api-key-header", "query-param",
	"form-field", "json-field", "url-credentials", "token-in-text", "jwt", "private-key",
	"seen-again",
};

const char *redact_kind_name(enum redact_kind k)
{
	return (unsigned)k < REDACT_KIND_COUNT ? kind_names[k] : "unknown";
}

struct redactor *redactor_new(const unsigned char *key, size_t keylen)
{
	struct redactor *r = xcalloc(1, sizeof *r);

	rc_init();
	r->key = xmalloc(keylen ? keylen : 1);
	if (keylen)
		memcpy(r->key, key, keylen);
	r->keylen = keylen;
	return r;
}

void redactor_set_key(struct redactor *r, const unsigned char *key, size_t keylen)
{
	free(r->key);
	r->key = xmalloc(keylen ? keylen : 1);
	if (keylen)
		memcpy(r->key, key, keylen);
	r->keylen = keylen;
}

void redactor_free(struct redactor *r)
{
	if (!r)
		return;
	free(r->key);
	free(r);
}

long redactor_count(const struct redactor *r, enum redact_kind k)
{
	return (unsigned)k < REDACT_KIND_COUNT ? r->counts[k] : 0;
}

void redactor_reset_counts(struct redactor *r)
{
	memset(r->counts, 0, sizeof r->counts);
}

/* ---- exchanges ---- */

/* Redact one NUL-terminated string field in place; returns replacements. */
static int redact_field(struct redactor *r, char **field, int flags, enum redact_kind pk)
{
	struct sbuf out = SBUF_INIT;
	int hits;

	if (!*field)
		return 0;
	hits = rd_scan(r, *field, strlen(*field), &out, flags, pk);
	if (hits) {
		free(*field);
		*field = sbuf_detach(&out, NULL);
	}
	sbuf_release(&out);
	return hits;
}

/* Redact one header list; returns replacements. */
static int redact_headers(struct redactor *r, struct hdr_list *l)
{
	int hits = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct hdr *h = &l->v[i];
		struct sbuf out = SBUF_INIT;
		int handled, k;

		if (!h->value || !h->name)
			continue;
		k = rd_put_header_value(r, &out, h->name, strlen(h->name), h->value,
				     strlen(h->value), &handled);
		if (!handled) {
			sbuf_reset(&out);
			k = rd_scan(r, h->value, strlen(h->value), &out, 0, REDACT_QUERY_PARAM);
		}
		if (k) {
			free(h->value);
			h->value = sbuf_detach(&out, NULL);
			hits += k;
		}
		sbuf_release(&out);
	}
	return hits;
}

/* True when a body without a content type looks like a form body. */
static int looks_form(const char *p, size_t n)
{
	size_t i = 0;

	if (n == 0 || n > BODY_CAP)
		return 0;
	while (i < n) {
		size_t s = i;
		while (i < n && (is_alnum((unsigned char)p[i]) || strchr("_.-%[]", p[i])))
			i++;
		if (i == s || i >= n || p[i] != '=')
			return 0;
		for (i++; i < n && p[i] != '&'; i++)
			if (is_space((unsigned char)p[i]) || p[i] == '"' || p[i] == '{')
				return 0;
		if (i < n)
			i++;
	}
	return 1;
}

/* Images, audio, video, fonts and archives carry no text to redact. */
static int binary_mime(const char *m)
{
	if (!m)
		return 0;
	return starts_with_icase(m, "image/") || starts_with_icase(m, "audio/") ||
	       starts_with_icase(m, "video/") || starts_with_icase(m, "font/") ||
	       starts_with_icase(m, "application/octet-stream") ||
	       starts_with_icase(m, "application/pdf") || starts_with_icase(m, "application/zip") ||
	       starts_with_icase(m, "application/wasm") || starts_with_icase(m, "application/font");
}

/* Redact a body in place (binary bodies, with NUL bytes, are left alone);
 * returns replacements. */
static int redact_body(struct redactor *r, struct body *b)
{
	struct sbuf out = SBUF_INIT;
	int form, hits;

	if (!b->data || b->len == 0 || binary_mime(b->mime) || memchr(b->data, '\0', b->len))
		return 0;
	form = (b->mime && ascii_casestr(b->mime, strlen(b->mime), "x-www-form-urlencoded")) ||
	       (!b->mime && looks_form(b->data, b->len));
	if (form)
		hits = rd_scan(r, b->data, b->len, &out, F_PARAMS, REDACT_FORM_FIELD);
	else
		hits = rd_scan(r, b->data, b->len, &out, F_LINES, REDACT_QUERY_PARAM);
	if (hits) {
		free(b->data);
		if (out.len > BODY_CAP) {
			out.len = BODY_CAP;
			out.data[out.len] = '\0';
			b->truncated = 1;
		}
		b->len = out.len;
		b->data = sbuf_detach(&out, NULL);
	}
	sbuf_release(&out);
	return hits;
}

/* Redact transcript lines.  Lines that curl --trace-ascii wrapped at 64
 * columns (a request line with a long URL) are scanned joined, so a value
 * cut by the wrap is replaced whole; the joined line then replaces them. */
static int redact_transcript(struct redactor *r, struct strlist *l)
{
	int hits = 0;

	for (size_t i = 0; i < l->n; i++) {
		size_t j = i;
		while (j + 1 < l->n && strlen(l->v[j]) == TRACE_WRAP && l->v[j + 1][0] != '*')
			j++;
		if (j > i) {
			struct sbuf joined = SBUF_INIT, out = SBUF_INIT;
			int k;
			for (size_t m = i; m <= j; m++)
				sbuf_adds(&joined, l->v[m]);
			k = rd_scan(r, joined.data, joined.len, &out, F_LINES, REDACT_QUERY_PARAM);
			if (k) {
				free(l->v[i]);
				l->v[i] = sbuf_detach(&out, NULL);
				for (size_t m = i + 1; m <= j; m++)
					free(l->v[m]);
				memmove(l->v + i + 1, l->v + j + 1, (l->n - j - 1) * sizeof *l->v);
				l->n -= j - i;
				hits += k;
				sbuf_release(&joined);
				sbuf_release(&out);
				continue;
			}
			sbuf_release(&joined);
			sbuf_release(&out);
		}
		hits += redact_field(r, &l->v[i], F_LINES, REDACT_QUERY_PARAM);
	}
	return hits;
}

int redact_exchange(struct redactor *r, struct exchange *ex)
{
	int hits = 0;

	r->now_known = rd_parse_iso(ex->started_at, &r->now) == 0;
	/* url, path and query with the same rules, so they stay consistent;
	 * a secret in both url and query is counted once, in the url. */
	if (ex->url) {
		long saved[REDACT_KIND_COUNT];
		hits += redact_field(r, &ex->url, 0, REDACT_QUERY_PARAM);
		memcpy(saved, r->counts, sizeof saved);
		redact_field(r, &ex->path, 0, REDACT_QUERY_PARAM);
		redact_field(r, &ex->query, F_PARAMS, REDACT_QUERY_PARAM);
		memcpy(r->counts, saved, sizeof saved);
	} else {
		hits += redact_field(r, &ex->path, 0, REDACT_QUERY_PARAM);
		hits += redact_field(r, &ex->query, F_PARAMS, REDACT_QUERY_PARAM);
	}
	hits += redact_headers(r, &ex->req_headers);
	hits += redact_headers(r, &ex->resp_headers);
	hits += redact_body(r, &ex->req_body);
	hits += redact_body(r, &ex->resp_body);
	hits += redact_transcript(r, &ex->transcript);
	hits += redact_field(r, &ex->error, F_LINES, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->status_text, 0, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->status_source, 0, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->url_source, 0, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->host_source, 0, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->name, 0, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->extra, F_LINES, REDACT_QUERY_PARAM);
	r->now_known = 0;
	return hits;
}

/* ---- keys ---- */

void redact_content_key(const void *p, size_t n, unsigned char key[32])
{
	const char *env = getenv("HARTRIAGE_REDACT_KEY");
	struct sha256 h;

	sha256_init(&h);
	if (env && env[0]) {
		sha256_update(&h, env, strlen(env));
	} else {
		sha256_update(&h, "hartriage redaction key v1", 27);
		sha256_update(&h, p, n < CONTENT_KEY_BYTES ? n : CONTENT_KEY_BYTES);
	}
	sha256_final(&h, key);
}

void redact_key_for_file(const char *path, unsigned char key[32])
{
	char *buf = xmalloc(CONTENT_KEY_BYTES);
	size_t n = 0;
	FILE *f = fopen(path, "rb");

	if (f) {
		n = fread(buf, 1, CONTENT_KEY_BYTES, f);
		fclose(f);
	}
	if (n == 0) {
		n = strlen(path) < CONTENT_KEY_BYTES ? strlen(path) : CONTENT_KEY_BYTES;
		memcpy(buf, path, n);
	}
	redact_content_key(buf, n, key);
	free(buf);
}

/* ---- the writers' second line of defence ---- */

static long caught_at_output;

char *redact_output_check(const char *s, size_t n)
{
	struct sbuf out = SBUF_INIT;
	size_t done = 0;
	int hits = 0;
	static const unsigned char nokey[1];

	if (rc_registry_empty() || n < RC_REG_MIN)
		return NULL;
	for (size_t i = 0; i + RC_REG_MIN <= n; i++) {
		size_t len;
		char fp[10];
		if (i > 0 && is_alnum((unsigned char)s[i - 1]) && is_alnum((unsigned char)s[i]))
			continue;
		len = rc_registry_at(s + i, n - i);
		if (!len || (i + len < n && is_alnum((unsigned char)s[i + len]) &&
			     is_alnum((unsigned char)s[i + len - 1])))
			continue;
		{
			/* the writer has no key of its own: a fingerprint that
			 * cannot be linked to the database's */
			struct redactor tmp = { (unsigned char *)nokey, 0, { 0 }, 0, 0 };
			redactor_fingerprint(&tmp, s + i, len, fp);
			fp[2] = fp[3] = fp[4] = fp[5] = fp[6] = fp[7] = '0';
		}
		sbuf_add(&out, s + done, i - done);
		sbuf_adds(&out, ELLIPSIS);
		sbuf_adds(&out, fp);
		done = i + len;
		i = done - 1;
		hits++;
	}
	if (!hits) {
		sbuf_release(&out);
		return NULL;
	}
	sbuf_add(&out, s + done, n - done);
	caught_at_output += hits;
	return sbuf_detach(&out, NULL);
}

long redact_caught_at_output(void)
{
	return caught_at_output;
}
