/* test-httpmsg.c - the HTTP message-line grammar, as tables of input line
 * and parsed fields.  The shapes are those of the corpus (curl -v / -i /
 * trace output, HTTPie, pasted prose) and the ways tickets damage them. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "httpmsg.h"
#include "tap.h"
#include "util.h"

#define S HTTPMSG_STRICT
#define L HTTPMSG_LENIENT

/* A test name: "what mode 'input'" with control bytes escaped so that
 * one case stays one TAP line. */
static const char *label(const char *what, enum httpmsg_mode mode, const char *in)
{
	static char buf[200];
	size_t o = (size_t)snprintf(buf, sizeof buf, "%s %s '", what, mode == S ? "strict" : "lenient");
	for (; *in && o + 8 < sizeof buf; in++) {
		unsigned char c = (unsigned char)*in;
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, sizeof buf - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	snprintf(buf + o, sizeof buf - o, "'");
	return buf;
}

/* A parsed span as a malloc'd string ("(null)" spans give NULL). */
static char *span(const char *p, size_t n)
{
	return p ? xstrndup(p, n) : NULL;
}

static const struct {
	const char *in;
	enum httpmsg_mode mode;
	int ok;
	const char *version; /* as written */
	int code;
	const char *reason;
} status_cases[] = {
	{ "HTTP/1.1 200 OK", S, 1, "HTTP/1.1", 200, "OK" },
	{ "HTTP/1.0 404 Not Found", S, 1, "HTTP/1.0", 404, "Not Found" },
	{ "HTTP/2 403", S, 1, "HTTP/2", 403, "" },
	{ "HTTP/2 200 ", S, 1, "HTTP/2", 200, "" },
	{ "HTTP/3 200", S, 1, "HTTP/3", 200, "" },
	{ "HTTP/1.1 200 Connection established", S, 1, "HTTP/1.1", 200, "Connection established" },
	{ "HTTP/1.1 100 Continue", S, 1, "HTTP/1.1", 100, "Continue" },
	{ "HTTP/1.1 502 Bad Gateway\r", S, 1, "HTTP/1.1", 502, "Bad Gateway" },
	{ "HTTP/1.1 502 Bad Gateway\r\r\n", S, 1, "HTTP/1.1", 502, "Bad Gateway" },
	{ "HTTP/1.1 301\tMoved Permanently  ", S, 1, "HTTP/1.1", 301, "Moved Permanently" },
	{ "HTTP/1.1 999 Odd", S, 1, "HTTP/1.1", 999, "Odd" },
	{ "HTTP/1.1 099 Low", S, 0, NULL, 0, NULL },
	{ "http/1.1 200 OK", S, 0, NULL, 0, NULL },
	{ "HTTP/1.1  200 OK", S, 0, NULL, 0, NULL },
	{ "HTTP/1.1 2000 OK", S, 0, NULL, 0, NULL },
	{ "HTTP/1.1 20 OK", S, 0, NULL, 0, NULL },
	{ "HTTP/1.1 200OK", S, 0, NULL, 0, NULL },
	{ "HTTP/11 200 OK", S, 0, NULL, 0, NULL },
	{ "HTTP/ 200 OK", S, 0, NULL, 0, NULL },
	{ "HTTP/1. 200 OK", S, 0, NULL, 0, NULL },
	{ " HTTP/1.1 200 OK", S, 0, NULL, 0, NULL },
	{ "\x1b[1mHTTP/1.1 200 OK", S, 0, NULL, 0, NULL },
	{ "HTTPS/1.1 200 OK", S, 0, NULL, 0, NULL },
	{ "", S, 0, NULL, 0, NULL },
	/* lenient: prose */
	{ "http/1.1 200 ok", L, 1, "http/1.1", 200, "ok" },
	{ "Http/2 404 Not Found", L, 1, "Http/2", 404, "Not Found" },
	{ "HTTP/1.1   503   Service Unavailable", L, 1, "HTTP/1.1", 503, "Service Unavailable" },
	{ "HTTP/1.1\t200 OK", L, 0, NULL, 0, NULL },
	{ "HTTP/2.0 204", L, 1, "HTTP/2.0", 204, "" },
	{ "HTTP/1.1 999 Odd", L, 0, NULL, 0, NULL },
	{ "HTTP/1.1 600", L, 0, NULL, 0, NULL },
	{ "HTTP/ 200 OK", L, 0, NULL, 0, NULL },
	{ "HTTP/1.1 403 Forbidden\r\n", L, 1, "HTTP/1.1", 403, "Forbidden" },
	{ "The server said HTTP/1.1 500", L, 0, NULL, 0, NULL },
};

static const struct {
	const char *in;
	enum httpmsg_mode mode;
	int ok;
	const char *method, *target, *version;
} request_cases[] = {
	{ "GET / HTTP/1.1", S, 1, "GET", "/", "HTTP/1.1" },
	{ "GET /hello HTTP/2", S, 1, "GET", "/hello", "HTTP/2" },
	{ "POST /v1/chat/completions HTTP/3", S, 1, "POST", "/v1/chat/completions", "HTTP/3" },
	{ "CONNECT api.example.com:443 HTTP/1.1", S, 1, "CONNECT", "api.example.com:443", "HTTP/1.1" },
	{ "GET http://proxy.example/x?y=1 HTTP/1.0", S, 1, "GET", "http://proxy.example/x?y=1", "HTTP/1.0" },
	{ "M-SEARCH * HTTP/1.1", S, 1, "M-SEARCH", "*", "HTTP/1.1" },
	{ "GET   /spaced   HTTP/1.1", S, 1, "GET", "/spaced", "HTTP/1.1" },
	{ "GET / HTTP/1.1\r", S, 1, "GET", "/", "HTTP/1.1" },
	{ "GET / HTTP/1.1 ", S, 0, NULL, NULL, NULL },
	{ "GET /", S, 0, NULL, NULL, NULL },
	{ "get / HTTP/1.1", S, 0, NULL, NULL, NULL },
	{ "GO / HTTP/1.1", S, 0, NULL, NULL, NULL },
	{ "GET /a b HTTP/1.1", S, 0, NULL, NULL, NULL },
	{ "GET / HTTP/1.1.1", S, 0, NULL, NULL, NULL },
	{ "GET / http/1.1", S, 0, NULL, NULL, NULL },
	{ "GET  HTTP/1.1", S, 0, NULL, NULL, NULL },
	{ "AVERYLONGMETHODNAMEXYZ / HTTP/1.1", S, 0, NULL, NULL, NULL },
	/* lenient: prose */
	{ "GET /v1/models", L, 1, "GET", "/v1/models", NULL },
	{ "POST https://api.example.com/v1/x HTTP/1.1", L, 1, "POST", "https://api.example.com/v1/x", "HTTP/1.1" },
	{ "DELETE   /items/7   http/2  ", L, 1, "DELETE", "/items/7", "http/2" },
	{ "OPTIONS * HTTP/1.1", L, 1, "OPTIONS", "*", "HTTP/1.1" },
	{ "GET HTTPS://EXAMPLE.COM/", L, 1, "GET", "HTTPS://EXAMPLE.COM/", NULL },
	{ "GET example.com/x", L, 0, NULL, NULL, NULL },
	{ "GET /x and then it failed", L, 0, NULL, NULL, NULL },
	{ "FETCH /x HTTP/1.1", L, 0, NULL, NULL, NULL },
	{ "Get /x", L, 0, NULL, NULL, NULL },
	{ "GET\t/x", L, 0, NULL, NULL, NULL },
	{ "GET /x HTTP/1.1 extra", L, 0, NULL, NULL, NULL },
};

static const struct {
	const char *in;
	enum httpmsg_mode mode;
	int ok;
	const char *name, *value;
} header_cases[] = {
	{ "Content-Type: application/json", S, 1, "Content-Type", "application/json" },
	{ "content-type:text/html", S, 1, "content-type", "text/html" },
	{ "x-request-id:   abc  ", S, 1, "x-request-id", "abc" },
	{ "Set-Cookie: a=b; Path=/\r", S, 1, "Set-Cookie", "a=b; Path=/" },
	{ "X-Empty:", S, 1, "X-Empty", "" },
	{ "Location: https://x.example/y", S, 1, "Location", "https://x.example/y" },
	{ "12:30: lunch", S, 1, "12", "30: lunch" },
	{ "!#$%&'*+-.^_`|~: tchars", S, 1, "!#$%&'*+-.^_`|~", "tchars" },
	{ ": value", S, 0, NULL, NULL },
	{ ":authority: x", S, 0, NULL, NULL },
	{ "Bad Name: v", S, 0, NULL, NULL },
	{ "Bad\"Name: v", S, 0, NULL, NULL },
	{ "Bad(Name): v", S, 0, NULL, NULL },
	{ "X-\xc3\xa9t\xc3\xa9: v", S, 0, NULL, NULL },
	{ " Folded: v", S, 0, NULL, NULL },
	{ "no colon here", S, 0, NULL, NULL },
	/* lenient: prose and chat pastes */
	{ "Content-Type: application/json", L, 1, "Content-Type", "application/json" },
	{ ":authority: api.example.com", L, 1, ":authority", "api.example.com" },
	{ "- Server: cloudflare", L, 1, "Server", "cloudflare" },
	{ "+ Vary: Accept", L, 1, "Vary", "Accept" },
	{ "\xe2\x80\xa2 Age: 12", L, 1, "Age", "12" },
	{ "`cf-ray: 8a1b2c3d4e5f-FRA`", L, 1, "cf-ray", "8a1b2c3d4e5f-FRA" },
	{ "X-Tab:\tv", L, 1, "X-Tab", "v" },
	{ "X-Empty:", L, 1, "X-Empty", "" },
	{ "12:30: lunch", L, 0, NULL, NULL },
	{ "https://example.com/x", L, 0, NULL, NULL },
	{ "Note:see below", L, 0, NULL, NULL },
	{ "Bad Name: v", L, 0, NULL, NULL },
	{ "`unbalanced: x", L, 1, "`unbalanced", "x" },
};

static const struct {
	const char *in;
	enum httpmsg_mode mode;
	int ok;
	long code;
	const char *msg;
} curl_error_cases[] = {
	{ "curl: (6) Could not resolve host: nope.invalid", S, 1, 6, "Could not resolve host: nope.invalid" },
	{ "curl: (28) Operation timed out after 5001 milliseconds", S, 1, 28, "Operation timed out after 5001 milliseconds" },
	{ "curl: (56)   Recv failure: Connection reset by peer", S, 1, 56, "Recv failure: Connection reset by peer" },
	{ "curl: (22)", S, 1, 22, "" },
	{ "Curl: (7) Failed to connect", S, 0, 0, NULL },
	{ "Curl: (7) Failed to connect", L, 1, 7, "Failed to connect" },
	{ "curl: (x) nope", S, 0, 0, NULL },
	{ "curl: () nope", S, 0, 0, NULL },
	{ "curl: (123456) nope", S, 0, 0, NULL },
	{ "curl: 6 nope", S, 0, 0, NULL },
};

static const struct {
	const char *in;
	enum httpmsg_mode mode;
	const char *msg; /* NULL = not an HTTPie error */
} httpie_cases[] = {
	{ "http: error: ConnectionError: refused while doing a GET request to URL: http://127.0.0.1:1/", S,
	  "ConnectionError: refused while doing a GET request to URL: http://127.0.0.1:1/" },
	{ "http: LogLevel.ERROR: ConnectionError: x", S, "ConnectionError: x" },
	{ "HTTP: Error: Timeout", S, NULL },
	{ "HTTP: Error: Timeout", L, "Timeout" },
	{ "http: warning: x", L, NULL },
};

static void test_status(void)
{
	for (size_t i = 0; i < sizeof status_cases / sizeof *status_cases; i++) {
		struct httpmsg_status st;
		int r = httpmsg_status_line(status_cases[i].in, status_cases[i].mode, &st);
		const char *name = label("status", status_cases[i].mode, status_cases[i].in);
		is_long(r, status_cases[i].ok, name);
		if (!r || !status_cases[i].ok)
			continue;
		char *v = span(st.version, st.version_len), *rs = span(st.reason, st.reason_len);
		is_str(v, status_cases[i].version, "  version");
		is_long(st.code, status_cases[i].code, "  code");
		is_str(rs, status_cases[i].reason, "  reason");
		free(v);
		free(rs);
	}
}

static void test_request(void)
{
	for (size_t i = 0; i < sizeof request_cases / sizeof *request_cases; i++) {
		struct httpmsg_request rq;
		int r = httpmsg_request_line(request_cases[i].in, request_cases[i].mode, &rq);
		const char *name = label("request", request_cases[i].mode, request_cases[i].in);
		is_long(r, request_cases[i].ok, name);
		if (!r || !request_cases[i].ok)
			continue;
		char *m = span(rq.method, rq.method_len), *t = span(rq.target, rq.target_len);
		char *v = span(rq.version, rq.version_len);
		is_str(m, request_cases[i].method, "  method");
		is_str(t, request_cases[i].target, "  target");
		is_str(v, request_cases[i].version, "  version");
		free(m);
		free(t);
		free(v);
	}
}

static void test_header(void)
{
	for (size_t i = 0; i < sizeof header_cases / sizeof *header_cases; i++) {
		struct httpmsg_header h;
		int r = httpmsg_header_line(header_cases[i].in, header_cases[i].mode, &h);
		const char *name = label("header", header_cases[i].mode, header_cases[i].in);
		is_long(r, header_cases[i].ok, name);
		if (!r || !header_cases[i].ok)
			continue;
		char *n = span(h.name, h.name_len), *v = span(h.value, h.value_len);
		is_str(n, header_cases[i].name, "  name");
		is_str(v, header_cases[i].value, "  value");
		free(n);
		free(v);
	}
}

static void test_tool_errors(void)
{
	for (size_t i = 0; i < sizeof curl_error_cases / sizeof *curl_error_cases; i++) {
		long code = -1;
		const char *msg = NULL;
		int r = httpmsg_curl_error(curl_error_cases[i].in, curl_error_cases[i].mode, &code, &msg);
		const char *name = label("curl error", curl_error_cases[i].mode, curl_error_cases[i].in);
		is_long(r, curl_error_cases[i].ok, name);
		if (r && curl_error_cases[i].ok) {
			is_long(code, curl_error_cases[i].code, "  exit code");
			is_str(msg, curl_error_cases[i].msg, "  message");
		}
	}
	for (size_t i = 0; i < sizeof httpie_cases / sizeof *httpie_cases; i++) {
		const char *name = label("httpie error", httpie_cases[i].mode, httpie_cases[i].in);
		is_str(httpmsg_httpie_error(httpie_cases[i].in, httpie_cases[i].mode), httpie_cases[i].msg, name);
	}
}

/* Names alone on a line, obs-fold continuation lines, reason phrases. */
static void test_misc(void)
{
	struct hdr_list l = { 0 };
	size_t vlen;

	ok(httpmsg_header_name_only("content-type"), "name-only line");
	ok(httpmsg_header_name_only(":status"), "name-only pseudo header");
	ok(!httpmsg_header_name_only(":"), "a lone colon is no name");
	ok(!httpmsg_header_name_only("two words"), "a phrase is no name");
	ok(!httpmsg_header_name_only(""), "an empty line is no name");

	ok(httpmsg_is_continuation("  folded part"), "obs-fold: leading spaces");
	ok(httpmsg_is_continuation("\tfolded part"), "obs-fold: leading tab");
	ok(!httpmsg_is_continuation("   "), "blanks only are no continuation");
	ok(!httpmsg_is_continuation("X: y"), "a header line is no continuation");

	ok(!httpmsg_fold(&l, " orphan", NULL), "nothing to fold into");
	hdr_list_adds(&l, "X-Long", "first");
	vlen = strlen("first");
	ok(httpmsg_fold(&l, "   second  ", &vlen), "fold into the last header");
	ok(httpmsg_fold(&l, "\tthird\r", &vlen), "fold a tab-indented line");
	is_str(l.v[0].value, "first second third", "folded value joined by single spaces");
	is_long((long)vlen, (long)strlen("first second third"), "cached value length follows");
	{
		/* a flood of folded lines stops at the value cap */
		char *big = xmalloc(HEADER_VALUE_CAP);
		memset(big, 'a', HEADER_VALUE_CAP - 1);
		big[0] = ' ';
		big[HEADER_VALUE_CAP - 1] = 0;
		ok(httpmsg_fold(&l, big, &vlen), "an oversized continuation is recognised");
		is_str(l.v[0].value, "first second third", "... but not added past the cap");
		free(big);
	}
	hdr_list_release(&l);

	is_long((long)httpmsg_reason_at(404, "Not Found."), 9, "reason phrase before punctuation");
	is_long((long)httpmsg_reason_at(404, "not found"), 9, "reason phrase in any case");
	is_long((long)httpmsg_reason_at(413, "Request Entity Too Large"), 24, "older reason spelling");
	is_long((long)httpmsg_reason_at(404, "Not Founder"), 0, "reason phrase must end at a word end");
	is_long((long)httpmsg_reason_at(403, "Not Found"), 0, "reason phrase of another code");

	{
		char *v = httpmsg_version("http/2.0", 8);
		is_str(v, "HTTP/2", "version normalized");
		free(v);
		ok(httpmsg_version(NULL, 0) == NULL, "no version stays unknown");
	}

	ok(httpmsg_is_tchar('!') && httpmsg_is_tchar('~') && httpmsg_is_tchar('Z') && httpmsg_is_tchar('0'),
	   "tchar: punctuation, letters, digits");
	ok(!httpmsg_is_tchar(' ') && !httpmsg_is_tchar(':') && !httpmsg_is_tchar('"') &&
	   !httpmsg_is_tchar('(') && !httpmsg_is_tchar(0) && !httpmsg_is_tchar(0xc3),
	   "tchar: separators, NUL and non-ASCII are not");
	ok(httpmsg_is_hex('a') && httpmsg_is_hex('F') && httpmsg_is_hex('9') && !httpmsg_is_hex('g'),
	   "hex digits");
	is_long(httpmsg_hex_val('f') + httpmsg_hex_val('A') + httpmsg_hex_val('7'), 15 + 10 + 7, "hex values");
	ok(httpmsg_is_method("PROPFIND", 8) && !httpmsg_is_method("get", 3) && !httpmsg_is_method("GETX", 4),
	   "known methods, upper case only");
}

/* Very long lines: names over the cap, long values and reasons. */
static void test_long_lines(void)
{
	size_t n = 100000;
	char *s = xmalloc(n + 32);
	struct httpmsg_header h;
	struct httpmsg_status st;

	memset(s, 'x', HTTPMSG_NAME_MAX);
	strcpy(s + HTTPMSG_NAME_MAX, ": v");
	ok(httpmsg_header_line(s, S, &h) && h.name_len == HTTPMSG_NAME_MAX, "name at the cap accepted");
	memset(s, 'x', HTTPMSG_NAME_MAX + 1);
	strcpy(s + HTTPMSG_NAME_MAX + 1, ": v");
	ok(!httpmsg_header_line(s, S, &h) && !httpmsg_header_line(s, L, &h), "name over the cap refused");

	strcpy(s, "X-Big: ");
	memset(s + 7, 'v', n);
	s[7 + n] = 0;
	ok(httpmsg_header_line(s, S, &h) && h.value_len == n, "a 100 kB value is parsed whole");

	strcpy(s, "HTTP/1.1 500 ");
	memset(s + 13, 'r', n);
	s[13 + n] = 0;
	ok(httpmsg_status_line(s, S, &st) && st.reason_len == n, "a 100 kB reason is parsed whole");

	strcpy(s, "GET /");
	memset(s + 5, 'p', n);
	strcpy(s + 5 + n, " HTTP/1.1");
	ok(httpmsg_request_line(s, S, NULL) && httpmsg_request_line(s, L, NULL), "a 100 kB target");
	free(s);
}

int main(void)
{
	test_status();
	test_request();
	test_header();
	test_tool_errors();
	test_misc();
	test_long_lines();
	return done_testing();
}
