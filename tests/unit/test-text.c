/* test-text.c - the importer for HTTP pasted into ticket prose. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "util.h"
#include "tap.h"

#define MAXEX 64
#define FRAG_CAP_TEST 80

/* What the test keeps of one emitted exchange (a deep copy). */
struct kept {
	long seq;
	char *method, *url, *host, *status_text, *status_source, *error, *http_version;
	int status;
	int exit_code;
	struct hdr_list req, resp;
	struct body req_body, resp_body;
	size_t transcript_n;
};

struct collect {
	struct kept ex[MAXEX];
	int n;
	int notes;
};

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Sink emit: copy what the tests look at. */
static int collect_emit(void *ctx, struct exchange *ex)
{
	struct collect *c = ctx;
	if (c->n >= MAXEX)
		return 0;
	struct kept *k = &c->ex[c->n++];
	memset(k, 0, sizeof *k);
	k->seq = ex->seq;
	k->method = dup_or_null(ex->method);
	k->url = dup_or_null(ex->url);
	k->host = dup_or_null(ex->host);
	k->status_text = dup_or_null(ex->status_text);
	k->status_source = dup_or_null(ex->status_source);
	k->error = dup_or_null(ex->error);
	k->http_version = dup_or_null(ex->http_version);
	k->status = ex->status;
	k->exit_code = ex->exit_code;
	for (size_t i = 0; i < ex->req_headers.n; i++)
		hdr_list_adds(&k->req, ex->req_headers.v[i].name, ex->req_headers.v[i].value);
	for (size_t i = 0; i < ex->resp_headers.n; i++)
		hdr_list_adds(&k->resp, ex->resp_headers.v[i].name, ex->resp_headers.v[i].value);
	if (ex->req_body.data)
		body_set(&k->req_body, ex->req_body.data, ex->req_body.len);
	if (ex->resp_body.data)
		body_set(&k->resp_body, ex->resp_body.data, ex->resp_body.len);
	k->transcript_n = ex->transcript.n;
	return 0;
}

static void collect_note(void *ctx, enum note_kind kind, long seq, const char *msg)
{
	struct collect *c = ctx;
	c->notes++;
}

static void collect_release(struct collect *c)
{
	for (int i = 0; i < c->n; i++) {
		struct kept *k = &c->ex[i];
		free(k->method);
		free(k->url);
		free(k->host);
		free(k->status_text);
		free(k->status_source);
		free(k->error);
		free(k->http_version);
		hdr_list_release(&k->req);
		hdr_list_release(&k->resp);
		body_release(&k->req_body);
		body_release(&k->resp_body);
	}
	memset(c, 0, sizeof *c);
}

/* Import a memory buffer; returns the import result status. */
static int run_mem(const char *p, size_t n, struct collect *c, struct import_result *res)
{
	struct hstream s;
	struct import_opts opts;
	struct import_sink sink = { collect_emit, collect_note, c };

	memset(&opts, 0, sizeof opts);
	collect_release(c);
	hstream_open_mem(&s, p, n);
	int rc = import_text(&s, &opts, &sink, res);
	hstream_close(&s);
	return rc;
}

/* Read a file under $srcdir; returns malloc'd contents or NULL. */
static char *slurp_src(const char *rel, size_t *len)
{
	const char *srcdir = getenv("srcdir");
	char *path = xasprintf("%s/%s", srcdir ? srcdir : ".", rel);
	struct hstream s;
	char *buf = NULL;
	if (hstream_open_file(&s, path) == 0) {
		if (hstream_slurp(&s, (size_t)64 << 20, &buf, len) != 0) {
			free(buf);
			buf = NULL;
		}
		hstream_close(&s);
	}
	if (!buf)
		diag("cannot read %s", path);
	free(path);
	return buf;
}

/* Import a fixture file; returns the number of exchanges (-1 unreadable). */
static int run_file(const char *rel, struct collect *c, struct import_result *res)
{
	size_t len = 0;
	char *buf = slurp_src(rel, &len);
	if (!buf) {
		collect_release(c);
		memset(res, 0, sizeof *res);
		return -1;
	}
	run_mem(buf, len, c, res);
	free(buf);
	return c->n;
}

static const char *req_h(struct collect *c, int i, const char *name)
{
	return i < c->n ? hdr_list_get(&c->ex[i].req, name) : NULL;
}

static const char *resp_h(struct collect *c, int i, const char *name)
{
	return i < c->n ? hdr_list_get(&c->ex[i].resp, name) : NULL;
}

static void test_seed_ticket(struct collect *c)
{
	struct import_result res;
	int n = run_file("data/samples/seed-ticket/ticket.txt", c, &res);
	is_long(n, 1, "seed ticket: one exchange");
	is_long(res.status, IMPORT_OK, "seed ticket: import ok");
	is_long(res.exchanges, 1, "seed ticket: result counts one exchange");
	if (n != 1)
		return;
	struct kept *k = &c->ex[0];
	is_long(k->seq, 0, "seed ticket: seq 0");
	is_str(k->method, "POST", "seed ticket: method from the request block");
	is_str(k->url, "https://ai-gateway.vercel.sh/v1/chat/completions", "seed ticket: url");
	is_str(k->host, "ai-gateway.vercel.sh", "seed ticket: host");
	is_long(k->status, 403, "seed ticket: status 403 from prose");
	is_str(k->status_source, "prose: \"your API returns 403\"", "seed ticket: status_source quotes the sentence");
	is_str(req_h(c, 0, "Authorization"), "Bearer vck_7Qm2xLp9RfT4wZ8nKd3sHy6VbJc1GuEa",
	       "seed ticket: request Authorization header");
	is_str(req_h(c, 0, "content-type"), "application/json", "seed ticket: request Content-Type");
	is_long((long)k->resp.n, 8, "seed ticket: eight response headers");
	is_str(resp_h(c, 0, "server"), "Vercel", "seed ticket: Server: Vercel");
	is_str(resp_h(c, 0, "x-vercel-id"), "sin1::fra1::mr2nm-1773654078302-80a62b52517d",
	       "seed ticket: X-Vercel-Id");
	is_str(resp_h(c, 0, "vary"), "rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch",
	       "seed ticket: Vary");
	is_str(resp_h(c, 0, "x-vercel-cache"), "MISS", "seed ticket: X-Vercel-Cache");
	is_str(resp_h(c, 0, "x-matched-path"), "/v1/chat/completions", "seed ticket: X-Matched-Path");
	is_str(resp_h(c, 0, "strict-transport-security"), "max-age=63072000; includeSubDomains; preload",
	       "seed ticket: Strict-Transport-Security");
	is_str(resp_h(c, 0, "cache-control"), "public, max-age=0, must-revalidate", "seed ticket: Cache-Control");
	is_str(k->resp_body.data, "{\"error\":{\"message\":\"Forbidden.\",\"type\":\"access_denied\"}}",
	       "seed ticket: response body");
	ok(k->req_body.data && strstr(k->req_body.data, "\"openai/gpt-4o-mini\""),
	   "seed ticket: request body kept");
	ok(!hdr_list_get(&k->resp, "authorization") && !hdr_list_get(&k->req, "server"),
	   "seed ticket: request and response headers not mixed");
}

static void test_not_capture(struct collect *c)
{
	struct import_result res;
	int n = run_file("tests/fixtures/text/prose-only.txt", c, &res);
	is_long(n, 0, "prose only: no exchange");
	is_long(res.status, IMPORT_NOT_CAPTURE, "prose only: not a capture");
	is_str(res.message, "no HTTP request or response found", "prose only: message");

	run_mem("", 0, c, &res);
	is_long(res.status, IMPORT_NOT_CAPTURE, "empty input: not a capture");
}

static void test_unknown_status(struct collect *c)
{
	struct import_result res;
	int n = run_file("tests/fixtures/text/headers-unknown-status.txt", c, &res);
	is_long(n, 1, "headers without status: one exchange");
	if (n != 1)
		return;
	is_long(c->ex[0].status, STATUS_UNKNOWN, "headers without status: status unknown, not 0");
	is_str(c->ex[0].status_source, NULL, "headers without status: no status_source");
	is_str(resp_h(c, 0, "server"), "nginx/1.25.3", "headers without status: response side");
	is_long((long)c->ex[0].resp.n, 3, "headers without status: three headers, prose not taken");
}

static void test_chrome_general(struct collect *c)
{
	struct import_result res;
	int n = run_file("tests/fixtures/text/chrome-general.txt", c, &res);
	is_long(n, 1, "chrome general: one exchange");
	if (n != 1)
		return;
	struct kept *k = &c->ex[0];
	is_str(k->method, "GET", "chrome general: Request Method");
	is_str(k->url, "https://api.example.com/v2/projects?limit=20", "chrome general: Request URL");
	is_long(k->status, 403, "chrome general: Status Code");
	is_str(k->status_text, "Forbidden", "chrome general: reason");
	is_str(resp_h(c, 0, "content-type"), "application/json", "chrome split headers: response value on next line");
	is_str(resp_h(c, 0, "x-request-id"), "b7c1f0e2-5a4d-4c1e-9f55-0d2f3a9e8c11", "chrome split headers: x-request-id");
	is_long((long)k->resp.n, 3, "chrome split headers: three response headers");
	is_str(req_h(c, 0, ":authority"), "api.example.com", "chrome split headers: request pseudo header");
	is_long((long)k->req.n, 3, "chrome split headers: three request headers");
}

static void test_firefox(struct collect *c)
{
	struct import_result res;
	int n = run_file("tests/fixtures/text/firefox-copy-all.txt", c, &res);
	is_long(n, 1, "firefox copy all: one exchange");
	if (n != 1)
		return;
	struct kept *k = &c->ex[0];
	is_long(k->status, 302, "firefox copy all: status");
	is_str(k->status_text, "Found", "firefox copy all: reason line");
	is_str(k->http_version, "HTTP/2", "firefox copy all: version");
	is_str(resp_h(c, 0, "location"), "https://login.example.com/authorize?client_id=abc",
	       "firefox copy all: response headers from JSON");
	is_str(req_h(c, 0, "host"), "app.example.com", "firefox copy all: request headers from JSON");
	is_str(k->method, "GET", "firefox copy all: method line");
	is_str(k->url, "https://app.example.com/dashboard?tab=usage", "firefox copy all: url line");
	is_str(k->resp_body.data, NULL, "firefox copy all: header JSON is not a body");
}

static void test_httpie(struct collect *c)
{
	struct import_result res;
	int n = run_file("tests/fixtures/text/httpie-v.txt", c, &res);
	is_long(n, 1, "httpie -v: request and response are one exchange");
	if (n != 1)
		return;
	struct kept *k = &c->ex[0];
	is_str(k->method, "GET", "httpie -v: method");
	is_str(k->host, "api.example.com", "httpie -v: host from Host header");
	is_str(k->url, "http://api.example.com:8080/status", "httpie -v: url rebuilt");
	is_long(k->status, 503, "httpie -v: status line");
	is_str(k->status_source, NULL, "httpie -v: status from a status line has no source");
	is_str(resp_h(c, 0, "retry-after"), "30", "httpie -v: response header");
	is_str(k->resp_body.data, "{\"error\":\"maintenance mode\"}", "httpie -v: body");

	n = run_file("tests/fixtures/text/httpie-error.txt", c, &res);
	is_long(n, 1, "httpie error: one exchange");
	if (n == 1) {
		is_long(c->ex[0].status, 0, "httpie error: no response (status 0)");
		ok(c->ex[0].error && strstr(c->ex[0].error, "Connection refused"), "httpie error: error text");
		is_str(c->ex[0].method, "POST", "httpie error: method");
		is_str(c->ex[0].url, "http://localhost:9000/jobs", "httpie error: url");
	}
}

static void test_powershell(struct collect *c)
{
	struct import_result res;
	int n = run_file("tests/fixtures/text/powershell-listing.txt", c, &res);
	is_long(n, 1, "powershell listing: one exchange");
	if (n == 1) {
		struct kept *k = &c->ex[0];
		is_long(k->status, 200, "powershell listing: StatusCode");
		is_str(k->status_text, "OK", "powershell listing: StatusDescription");
		is_str(k->url, "https://status.example.net/health", "powershell listing: url from the command");
		is_str(k->method, "GET", "powershell listing: method");
		is_str(resp_h(c, 0, "content-type"), "application/json", "powershell listing: RawContent headers");
		is_long((long)k->resp.n, 3, "powershell listing: three headers");
		is_str(k->resp_body.data, "{\"status\":\"ok\",\"version\":\"1.4.2\"}", "powershell listing: body");
	}

	n = run_file("tests/fixtures/text/powershell-error-51.txt", c, &res);
	is_long(n, 1, "powershell 5.1 error: one exchange");
	if (n == 1) {
		struct kept *k = &c->ex[0];
		is_long(k->status, 403, "powershell 5.1 error: status");
		is_str(k->status_text, "Forbidden", "powershell 5.1 error: message kept");
		is_str(k->method, "POST", "powershell 5.1 error: method from the echoed command");
		is_str(k->host, "uploads.example.org", "powershell 5.1 error: host from the echoed command");
		ok(k->status_source && strstr(k->status_source, "(403) Forbidden"), "powershell 5.1 error: status_source");
		is_str(k->error, NULL, "powershell 5.1 error: a 403 is no transport error");
	}

	n = run_file("tests/fixtures/text/powershell-error-localized.txt", c, &res);
	is_long(n, 2, "powershell localized errors: two exchanges");
	if (n == 2) {
		is_long(c->ex[0].status, 403, "portuguese: status");
		is_str(c->ex[0].status_text, "Proibido", "portuguese: message");
		is_str(c->ex[0].host, "api.example.com.br", "portuguese: host");
		is_long(c->ex[1].status, 404, "russian: status");
		is_str(c->ex[1].status_text, "Не найден", "russian: message");
		is_str(c->ex[1].host, "api.example.ru", "russian: host");
		is_long(c->ex[1].seq, 1, "russian: seq 1");
		ok(c->ex[1].status_source && utf8_valid(c->ex[1].status_source, strlen(c->ex[1].status_source)),
		   "russian: status_source cut on a character boundary");
	}

	n = run_file("tests/fixtures/text/powershell-error-body.txt", c, &res);
	is_long(n, 2, "powershell body and transport errors: two exchanges");
	if (n == 2) {
		is_long(c->ex[0].status, 404, "powershell server text: status");
		is_str(c->ex[0].resp_body.data, "404 - File or directory not found.", "powershell server text: kept as body");
		is_str(c->ex[0].url, "http://legacy.example.local/reports/q1.pdf", "powershell server text: url of the command");
		is_str(c->ex[0].error, NULL, "powershell server text: no transport error");
		is_long(c->ex[1].status, 0, "powershell transport error: no response");
		is_str(c->ex[1].error, "Unable to connect to the remote server", "powershell transport error: message");
		is_str(c->ex[1].host, "intranet.example.local", "powershell transport error: host");
	}

	n = run_file("tests/fixtures/text/powershell-error-ps7.txt", c, &res);
	is_long(n, 1, "powershell 7 error: one exchange");
	if (n == 1) {
		is_long(c->ex[0].status, 429, "powershell 7 error: status");
		is_str(c->ex[0].status_text, "Too Many Requests", "powershell 7 error: message");
	}
}

static void test_mail(struct collect *c)
{
	struct import_result res;
	int n = run_file("tests/fixtures/text/mail-qp.eml", c, &res);
	is_long(n, 1, "e-mail: one exchange");
	if (n != 1)
		return;
	struct kept *k = &c->ex[0];
	is_str(resp_h(c, 0, "server"), "envoy", "e-mail: pasted headers read");
	ok(!hdr_list_get(&k->resp, "from") && !hdr_list_get(&k->resp, "received") &&
	   !hdr_list_get(&k->req, "from") && !hdr_list_get(&k->resp, "mime-version"),
	   "e-mail: mail headers are not HTTP headers");
	is_long((long)k->resp.n, 4, "e-mail: four HTTP headers");
	is_long(k->status, 502, "e-mail: status from prose");
	is_str(k->status_source, "prose: \"since the upgrade the gateway answers with status code 502\"",
	       "e-mail: status_source after quoted-printable decoding");
	is_str(k->host, "gw.customer.example", "e-mail: host from the URL in the (soft-wrapped) prose");

	/* The same mail with CRLF line ends and an mbox "From " line. */
	size_t len = 0;
	char *raw = slurp_src("tests/fixtures/text/mail-qp.eml", &len);
	if (raw) {
		struct sbuf crlf = SBUF_INIT;
		sbuf_adds(&crlf, "From ops@customer.example Tue Mar  3 08:00:00 2026\r\n");
		for (size_t i = 0; i < len; i++) {
			if (raw[i] == '\n')
				sbuf_addc(&crlf, '\r');
			sbuf_addc(&crlf, raw[i]);
		}
		run_mem(crlf.data, crlf.len, c, &res);
		is_long(c->n, 1, "e-mail with CRLF and mbox line: one exchange");
		if (c->n == 1) {
			is_long(c->ex[0].status, 502, "e-mail with CRLF: status from prose");
			is_long((long)c->ex[0].resp.n, 4, "e-mail with CRLF: four HTTP headers");
			is_str(c->ex[0].host, "gw.customer.example", "e-mail with CRLF: soft line break decoded");
		}
		sbuf_release(&crlf);
		free(raw);
	}

	n = run_file("tests/fixtures/text/mail-html.eml", c, &res);
	is_long(n, 1, "html e-mail: one exchange, the attachment part ignored");
	if (n != 1)
		return;
	k = &c->ex[0];
	is_str(k->method, "POST", "html e-mail: method from the prose");
	is_str(k->url, "https://pay.vendor.example/v1/charges", "html e-mail: url from the prose");
	is_long(k->status, 401, "html e-mail: status from the prose");
	is_str(resp_h(c, 0, "www-authenticate"), "Bearer error=\"invalid_token\"",
	       "html e-mail: entities and quoted-printable decoded in headers");
	is_str(k->resp_body.data, "{\"error\":\"invalid_token\"}", "html e-mail: body inside <pre>");
	ok(!hdr_list_get(&k->resp, "subject") && !hdr_list_get(&k->resp, "content-disposition"),
	   "html e-mail: mail and MIME headers are not HTTP headers");
}

static void test_markdown_curl(struct collect *c)
{
	struct import_result res;
	int n = run_file("tests/fixtures/text/markdown-curl-v.md", c, &res);
	is_long(n, 1, "markdown curl -v: one exchange");
	if (n != 1)
		return;
	struct kept *k = &c->ex[0];
	is_str(k->method, "GET", "markdown curl -v: method");
	is_str(k->url, "https://api.example.io/v1/items", "markdown curl -v: url");
	is_long(k->status, 401, "markdown curl -v: status");
	is_str(resp_h(c, 0, "www-authenticate"), "Bearer realm=\"api\"", "markdown curl -v: response header");
	is_str(req_h(c, 0, "user-agent"), "curl/8.5.0", "markdown curl -v: request header");
	is_str(k->resp_body.data, "{\"error\":\"invalid_token\"}", "markdown curl -v: body");
}

static void test_redirect(struct collect *c)
{
	struct import_result res;
	int n = run_file("tests/fixtures/text/raw-redirect.txt", c, &res);
	is_long(n, 2, "raw redirect: two exchanges");
	if (n != 2)
		return;
	is_long(c->ex[0].status, 302, "raw redirect: first 302");
	is_long(c->ex[1].status, 200, "raw redirect: then 200");
	is_long(c->ex[1].seq, 1, "raw redirect: seq numbers");
	ok(c->ex[1].resp_body.data && strstr(c->ex[1].resp_body.data, "<h1>Login</h1></body></html>"),
	   "raw redirect: HTML body to </html>");
	ok(c->ex[1].resp_body.data && !strstr(c->ex[1].resp_body.data, "never shows"),
	   "raw redirect: prose after the page is not body");
}

static void test_curl_error(struct collect *c)
{
	struct import_result res;
	int n = run_file("tests/fixtures/text/curl-error.txt", c, &res);
	is_long(n, 1, "curl error: one exchange");
	if (n != 1)
		return;
	struct kept *k = &c->ex[0];
	is_str(k->method, "POST", "curl error: method from -X");
	is_str(k->url, "https://hooks.example.com/deploy", "curl error: url from the command");
	is_long(k->status, 0, "curl error: no response");
	is_str(k->error, "Could not resolve host: hooks.example.com", "curl error: error text");
	is_long(k->exit_code, 6, "curl error: exit code");
	is_str(req_h(c, 0, "content-type"), "application/json", "curl error: -H header");
	is_str(k->req_body.data, "{\"ref\":\"main\"}", "curl error: -d body");

	n = run_file("tests/fixtures/text/curl-v-refused.md", c, &res);
	is_long(n, 1, "curl -v refused: the info lines and curl's summary are one exchange");
	if (n != 1)
		return;
	k = &c->ex[0];
	is_str(k->url, "https://api.example.net/health", "curl -v refused: url");
	is_long(k->status, 0, "curl -v refused: no response");
	is_long(k->exit_code, 7, "curl -v refused: exit code");
	is_str(k->error, "Failed to connect to api.example.net port 443 after 3 ms: Couldn't connect to server",
	       "curl -v refused: curl's summary is the error");
}

static void test_prose_body(struct collect *c)
{
	struct import_result res;
	int n = run_file("tests/fixtures/text/prose-body.md", c, &res);
	is_long(n, 1, "body after a lead-in sentence: one exchange");
	if (n != 1)
		return;
	struct kept *k = &c->ex[0];
	is_str(k->method, "POST", "body after a lead-in: method from the prose");
	is_str(k->url, "https://api.example.com/v1/export", "body after a lead-in: url from the prose");
	is_long(k->status, 500, "body after a lead-in: status from the same sentence");
	is_str(k->status_source, "prose: \"When calling `POST https://api.example.com/v1/export` we get a 500\"",
	       "body after a lead-in: status_source");
	ok(k->resp_body.data && strstr(k->resp_body.data, "upstream timeout") && k->resp_body.data[0] == '{',
	   "body after a lead-in: JSON body across lines");
}

/* One small paste with a prose sentence; returns the status found. */
static int prose_case(struct collect *c, const char *sentence, char **src)
{
	struct import_result res;
	char *t = xasprintf("%s\n\nResponse Headers:\nServer: nginx\nContent-Type: text/html\n", sentence);
	run_mem(t, strlen(t), c, &res);
	free(t);
	*src = c->n == 1 && c->ex[0].status_source ? c->ex[0].status_source : NULL;
	return c->n == 1 ? c->ex[0].status : -2;
}

static void test_prose_status(struct collect *c)
{
	char *src;
	is_long(prose_case(c, "Since Monday we got 403 on every call.", &src), 403, "prose: got 403");
	is_str(src, "prose: \"Since Monday we got 403\"", "prose: got 403 source");
	is_long(prose_case(c, "The page shows 404 Not Found.", &src), 404, "prose: 404 Not Found");
	is_str(src, "prose: \"The page shows 404 Not Found\"", "prose: reason phrase kept in source");
	is_long(prose_case(c, "Upstream fails with status code 502 after 30 seconds.", &src), 502,
		"prose: status code 502");
	is_long(prose_case(c, "It should return 200 but it returns 500 since Friday.", &src), 500,
		"prose: the expected status is not the status");
	is_long(prose_case(c, "It took 200 ms and returned 500 items.", &src), STATUS_UNKNOWN,
		"prose: numbers with units are no status");
	is_long(prose_case(c, "Our ticket number is 403 and the cache max-age=300.", &src), STATUS_UNKNOWN,
		"prose: a bare number is no status");
	char longs[300];
	memset(longs, 'x', sizeof longs);
	memcpy(longs, "Well ", 5);
	memcpy(longs + 200, " and it returns 403", 19);
	longs[219] = 0;
	for (int i = 5; i < 200; i++)
		if (i % 10 == 0)
			longs[i] = ' ';
	prose_case(c, longs, &src);
	ok(src && strlen(src) <= FRAG_CAP_TEST + 9 && strstr(src, "returns 403\""),
	   "prose: fragment capped at 80 characters");
}

/* Feed hostile input; the test passes when nothing crashes (ASan) and the
 * result is a valid status. */
static void test_garbage(struct collect *c)
{
	struct import_result res;
	size_t n = 300000;
	char *p = xmalloc(n);
	unsigned x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (char)(x >> 16);
	}
	int rc = run_mem(p, n, c, &res);
	ok(rc == 0 && res.status <= IMPORT_NOT_CAPTURE, "random bytes: handled");

	/* NUL bytes and invalid UTF-8 inside a capture. */
	static const char nul[] = "Response Headers:\nServer: ng\0inx\nX-Bad: \xff\xfe\xc0\n\n{\"a\":\"\0\xff\"}\n";
	run_mem(nul, sizeof nul - 1, c, &res);
	is_long(c->n, 1, "NUL bytes and invalid UTF-8: still one exchange");

	/* A 100k-character line, alone and as a header value. */
	memset(p, 'A', 100000);
	p[100000] = 0;
	run_mem(p, 100000, c, &res);
	is_long(res.status, IMPORT_NOT_CAPTURE, "100k-character line: not a capture");
	memcpy(p, "HTTP/1.1 200 OK\nX-Long: ", 24);
	run_mem(p, 100000, c, &res);
	is_long(c->n, 1, "100k-character header line: one exchange");
	/* Deep and unbalanced JSON. */
	memcpy(p, "HTTP/1.1 500 Oops\nContent-Type: application/json\n\n", 50);
	for (size_t i = 50; i < 100000; i++)
		p[i] = i % 3 ? '[' : '{';
	run_mem(p, 100000, c, &res);
	is_long(c->n, 1, "unbalanced deep JSON body: one exchange");
	free(p);

	/* Every cut of the seed ticket. */
	size_t len = 0;
	char *seed = slurp_src("data/samples/seed-ticket/ticket.txt", &len);
	int bad = 0;
	for (size_t cut = 0; seed && cut <= len; cut++) {
		char *q = xmalloc(cut + 1);
		memcpy(q, seed, cut);
		if (run_mem(q, cut, c, &res) != 0 || c->n > 2)
			bad++;
		free(q);
	}
	is_long(bad, 0, "seed ticket cut at every byte: at most two exchanges, no failure");
	free(seed);
	collect_release(c);
}

int main(void)
{
	static struct collect c;

	test_seed_ticket(&c);
	test_not_capture(&c);
	test_unknown_status(&c);
	test_chrome_general(&c);
	test_firefox(&c);
	test_httpie(&c);
	test_powershell(&c);
	test_mail(&c);
	test_markdown_curl(&c);
	test_redirect(&c);
	test_curl_error(&c);
	test_prose_status(&c);
	test_prose_body(&c);
	test_garbage(&c);
	collect_release(&c);
	return done_testing();
}
