/* test-fragment.c - the fragment reader's unwrapping helpers, the mail
 * splitter, and fragment_scan on small pastes (status, sources, merges,
 * what is not a fragment). */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "fragment.h"
#include "fragment-int.h"
#include "tap.h"
#include "walk.h"

/* A sink that keeps copies of what it is given. */
struct keep {
	struct exchange ex[8];
	int n;
};

static int keep_emit(void *ctx, struct exchange *ex)
{
	struct keep *k = ctx;
	if (k->n >= 8)
		return -1;
	struct exchange *c = &k->ex[k->n++];
	exchange_init(c);
	c->kind = ex->kind;
	c->status = ex->status;
	exchange_set(&c->status_source, ex->status_source);
	exchange_set(&c->error, ex->error);
	exchange_set(&c->url, ex->url);
	exchange_set(&c->host, ex->host);
	exchange_set(&c->url_source, ex->url_source);
	exchange_set(&c->started_at, ex->started_at);
	if (ex->resp_body.data)
		body_set(&c->resp_body, ex->resp_body.data, ex->resp_body.len);
	return 0;
}

static int scan(const char *text, struct keep *k)
{
	struct import_sink sink = { keep_emit, NULL, k };
	long seq = 0;
	for (int i = 0; i < k->n; i++)
		exchange_release(&k->ex[i]);
	k->n = 0;
	return (int)fragment_scan(text, strlen(text), FRAG_IN_TEXT, &sink, &seq, NULL);
}

/* A sink that counts exchanges and the skip notes it is given. */
struct count {
	long emitted, skipped;
};

static int count_emit(void *ctx, struct exchange *ex)
{
	(void)ex;
	((struct count *)ctx)->emitted++;
	return 0;
}

static void count_note(void *ctx, enum note_kind kind, long seq, const char *msg)
{
	(void)seq;
	if (kind == NOTE_SKIPPED && strstr(msg, "error fragments"))
		((struct count *)ctx)->skipped++;
}

struct parts {
	char names[4][64];
	size_t lens[4];
	int n;
};

static int part(void *ctx, const char *name, const char *data, size_t len)
{
	struct parts *p = ctx;
	(void)data;
	if (p->n < 4) {
		snprintf(p->names[p->n], sizeof p->names[0], "%s", name);
		p->lens[p->n++] = len;
	}
	return 0;
}

int main(void)
{
	struct sbuf b = SBUF_INIT;
	int closed;
	char *j;
	struct keep k;
	memset(&k, 0, sizeof k);

	/* JSON string escapes, surrogate pairs, an unclosed string */
	unescape_string("a\\\"b\\u003chtml\\u003e \\ud83d\\ude00\"rest", 40, '"', &b, &closed);
	is_str(sbuf_str(&b), "a\"b<html> \xf0\x9f\x98\x80", "JSON escapes decode, \\u003c and surrogates");
	ok(closed, "the closing quote is found");
	sbuf_reset(&b);
	unescape_string("cut here", 8, '"', &b, &closed);
	ok(!closed, "a string cut in the paste is not closed");

	sbuf_reset(&b);
	{
		const char *e = "&lt;title&gt;504 &amp; co&#39;s &#x41;&lt;/title&gt;";
		entity_decode(e, strlen(e), &b);
	}
	is_str(sbuf_str(&b), "<title>504 & co's A</title>", "HTML entities decode");

	ok(!looks_qp("time=2026 status=200 duration=23ms url=https://x/?a=1", 53),
	   "key=value logs are not quoted-printable");
	ok(looks_qp("a=3Db=3Dc=3D", 12), "=3D escapes are quoted-printable");
	sbuf_reset(&b);
	qp_decode_to("caf=C3=A9 soft=\nbreak", 21, &b);
	is_str(sbuf_str(&b), "caf\xc3\xa9 softbreak", "quoted-printable decodes");

	j = literal_to_json("{'error': {'type': 'overloaded_error', 'param': None, 'ok': True}}", 66);
	is_str(j, "{\"error\":{\"type\":\"overloaded_error\",\"param\":null,\"ok\":true}}", "a Python dict repr becomes JSON");
	free(j);
	{
		const char *d = "{ status: 403, headers: AxiosHeaders { 'x-a': 'b' }, request: <ref *1> ClientRequest { x: [Object] }, data: 'a' +\n 'b' }";
		j = literal_to_json(d, strlen(d));
	}
	is_str(j, "{\"status\":403,\"headers\":{\"x-a\":\"b\"},\"request\":{\"x\":null},\"data\":\"ab\"}",
	       "a Node util.inspect dump becomes JSON");
	free(j);

	/* scan: a JSON body with the status in the prose above it */
	is_long(scan("We get HTTP 503 with:\n{\"error\":{\"message\":\"upstream unavailable\"}}\n", &k), 1,
		"a JSON error body is one fragment");
	is_long(k.ex[0].status, 503, "its status comes from the prose");
	is_str(k.ex[0].status_source, "line 1: \"HTTP 503\"", "and says where");
	ok(k.ex[0].kind == EXCHANGE_FRAGMENT, "kind fragment");

	/* JSON that is no error and no status: nothing */
	is_long(scan("config:\n{\"name\":\"demo\",\"replicas\":3,\"image\":\"x:1\"}\n", &k), 0,
		"JSON that is not an error is not a fragment");
	is_long(scan("we used to get ECONNREFUSED when the database was restarted last week, now fixed\n", &k), 0,
		"a sentence about an error is not a client error line");

	/* an exception line and the body below it are one failure */
	is_long(scan("Error: connect ECONNREFUSED 10.0.0.5:443\n    at TCPConnectWrap.afterConnect (node:net:1555:16)\n", &k), 1,
		"a Node transport error is one exchange");
	is_long(k.ex[0].status, 0, "no response arrived");

	/* a body cut in the paste, with the error deeper inside */
	is_long(scan("returned error 403: {\"errors\":[{\"message\":\"\\u003chtml\\u003e\\u003ctitle\\u003e403 Forbidden\\u003c/title\\u003e", &k), 1,
		"a cut JSON with an escaped error page inside is read");
	ok(k.n == 1 && k.ex[0].resp_body.data && !strncmp(k.ex[0].resp_body.data, "<html>", 6),
	   "the innermost page is the body");

	/* JSON lines */
	is_long(scan("{\"level\":30,\"msg\":\"up\"}\n{\"level\":50,\"time\":\"2024-01-02T03:04:05.000Z\",\"url\":\"https://api.example.com/x\",\"res\":{\"statusCode\":502},\"msg\":\"upstream failed\"}\n", &k), 1,
		"one JSON-lines record with a status is one log exchange");
	ok(k.n == 1 && k.ex[0].kind == EXCHANGE_LOG && k.ex[0].status == 502 &&
	   k.ex[0].started_at && !strcmp(k.ex[0].started_at, "2024-01-02T03:04:05.000Z"),
	   "kind log, status and time from the record");

	/* mail attachments */
	{
		const char *mail =
			"From: a@example.com\r\nMIME-Version: 1.0\r\n"
			"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n"
			"--XX\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
			"--XX\r\nContent-Type: application/json\r\nContent-Disposition: attachment; filename=\"a.har\"\r\n"
			"Content-Transfer-Encoding: base64\r\n\r\neyJsb2ciOnt9fQ==\r\n"
			"--XX\r\nContent-Type: text/plain; name=\"notes.txt\"\r\n\r\nplain attachment\r\n"
			"--XX--\r\n";
		struct parts p;
		memset(&p, 0, sizeof p);
		ok(mail_looks_like((const unsigned char *)mail, strlen(mail)), "a multipart mail is recognised");
		ok(!mail_looks_like((const unsigned char *)"Subject: x\n\nhello\n", 18), "a plain note is not");
		mail_parts(mail, strlen(mail), part, &p);
		is_long(p.n, 2, "two parts have file names");
		is_str(p.names[0], "a.har", "the base64 attachment");
		is_long((long)p.lens[0], 10, "decoded to its bytes");
		is_str(p.names[1], "notes.txt", "the named text part");
	}

	/* the per-source cap: the fragments past it are not read, and a note says so */
	{
		struct sbuf many = SBUF_INIT;
		struct count c = { 0, 0 };
		struct import_sink sink = { count_emit, count_note, &c };
		long seq = 5, n;
		for (int i = 0; i < FRAG_MAX_PER_SOURCE + 50; i++)
			sbuf_addf(&many, "{\"level\":50,\"time\":\"2024-01-02T03:04:%02d.000Z\",\"url\":\"https://api.example.com/%d\",\"res\":{\"statusCode\":502},\"msg\":\"upstream failed\"}\n",
				  i % 60, i);
		n = fragment_scan(many.data, many.len, FRAG_IN_TEXT, &sink, &seq, NULL);
		is_long(n, FRAG_MAX_PER_SOURCE, "fragments are emitted up to the per-source cap");
		is_long(c.emitted, FRAG_MAX_PER_SOURCE, "the sink got exactly the cap");
		is_long(seq, 5 + FRAG_MAX_PER_SOURCE, "numbering continues from the caller's seq");
		is_long(c.skipped, 1, "one note says the rest were not read");
		sbuf_release(&many);
	}

	for (int i = 0; i < k.n; i++)
		exchange_release(&k.ex[i]);
	sbuf_release(&b);
	return done_testing();
}
