/* test-curl.c - the curl text importers and the sniffer on small captures. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "tap.h"
#include "testutil.h"
#include "util.h"

#define MAXEX 16

struct got {
	long seq, redirect_of;
	int status, exit_code, port;
	char *method, *url, *host, *scheme, *path, *error, *version, *reason, *extra;
	char *req_headers, *resp_headers, *transcript, *body, *req_body;
	size_t body_len;
};

static struct got ex[MAXEX];
static int nex;
static int nnotes;
static char notes[2048];

static int emit(void *ctx, struct exchange *e)
{
	struct got *g;
	struct sbuf t = SBUF_INIT;
	(void)ctx;
	if (nex >= MAXEX)
		return 0;
	g = &ex[nex++];
	g->seq = e->seq;
	g->redirect_of = e->redirect_of;
	g->status = e->status;
	g->exit_code = e->exit_code;
	g->port = e->port;
	g->method = dup_or_null(e->method);
	g->url = dup_or_null(e->url);
	g->host = dup_or_null(e->host);
	g->scheme = dup_or_null(e->scheme);
	g->path = dup_or_null(e->path);
	g->error = dup_or_null(e->error);
	g->version = dup_or_null(e->http_version);
	g->reason = dup_or_null(e->status_text);
	g->extra = dup_or_null(e->extra);
	g->req_headers = join_headers(&e->req_headers);
	g->resp_headers = join_headers(&e->resp_headers);
	for (size_t i = 0; i < e->transcript.n; i++)
		sbuf_addf(&t, "%s\n", e->transcript.v[i]);
	g->transcript = sbuf_detach(&t, NULL);
	g->body = e->resp_body.data ? xstrndup(e->resp_body.data, e->resp_body.len) : NULL;
	g->body_len = e->resp_body.len;
	g->req_body = e->req_body.data ? xstrndup(e->req_body.data, e->req_body.len) : NULL;
	return 0;
}

static void on_note(void *ctx, enum note_kind k, long seq, const char *msg)
{
	(void)ctx;
	nnotes++;
	snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes), "%d/%ld: %s\n", (int)k, seq,
		 msg);
}

static void reset(void)
{
	for (int i = 0; i < nex; i++) {
		struct got *g = &ex[i];
		free(g->method);
		free(g->url);
		free(g->host);
		free(g->scheme);
		free(g->path);
		free(g->error);
		free(g->version);
		free(g->reason);
		free(g->extra);
		free(g->req_headers);
		free(g->resp_headers);
		free(g->transcript);
		free(g->body);
		free(g->req_body);
	}
	memset(ex, 0, sizeof(ex));
	nex = 0;
	nnotes = 0;
	notes[0] = 0;
}

static struct import_result res;

/* Import text with the given format (FMT_UNKNOWN: sniff it first). */
static int run_len(enum capture_format fmt, const char *text, size_t len)
{
	struct hstream s;
	struct import_opts opts;
	struct import_sink sink = { emit, on_note, NULL };
	int rc;
	reset();
	memset(&opts, 0, sizeof(opts));
	memset(&res, 0, sizeof(res));
	if (fmt == FMT_UNKNOWN)
		fmt = sniff_text((const unsigned char *)text, len);
	hstream_open_mem(&s, text, len);
	rc = import_curl(&s, fmt, &opts, &sink, &res);
	hstream_close(&s);
	return rc;
}

static int nfuzzed;

/* Every prefix of text through each curl format and the sniffer: the
 * importers must neither crash (ASan/UBSan) nor fail on a cut capture. */
static void fuzz_prefixes(const char *text, size_t len)
{
	static const enum capture_format fmts[] = { FMT_CURL_V, FMT_CURL_I, FMT_CURL_TRACE };
	int bad = 0;
	for (size_t n = 0; n <= len; n++) {
		char *copy = xmalloc(n + 1);
		memcpy(copy, text, n);
		(void)sniff_format((const unsigned char *)copy, n);
		for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
			if (run_len(fmts[f], copy, n) != 0 || res.status == IMPORT_ERROR ||
			    res.exchanges != nex)
				bad++;
		}
		free(copy);
	}
	nfuzzed++;
	ok(bad == 0, "input %d: every prefix imports in each curl format", nfuzzed);
}

static int run(enum capture_format fmt, const char *text)
{
	fuzz_prefixes(text, strlen(text));
	return run_len(fmt, text, strlen(text));
}

/* Random bytes (fixed seed) in each format: no crash, a sane result. */
static void test_garbage(void)
{
	unsigned long x = 12345;
	int bad = 0;
	for (int round = 0; round < 200; round++) {
		char buf[512];
		size_t n = (size_t)(round * 7 % 500) + 1;
		for (size_t i = 0; i < n; i++) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			/* bias towards the bytes the parsers care about */
			static const char alphabet[] = "*<> \r\n{}[]:=-0123456789abcdefHTTP/1.GET curl: ()\x1b";
			buf[i] = alphabet[(x >> 33) % (sizeof(alphabet) - 1)];
			if ((x >> 20) % 17 == 0)
				buf[i] = (char)(x >> 40);
		}
		for (int f = FMT_CURL_I; f <= FMT_CURL_TRACE; f++)
			if (run_len((enum capture_format)f, buf, n) != 0 || res.exchanges != nex)
				bad++;
		(void)sniff_format((const unsigned char *)buf, n);
	}
	ok(bad == 0, "random bytes import without crash in each curl format");
}

static int has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

static void test_rule_minimal(void)
{
	run(FMT_CURL_V, "> GET /x HTTP/1.1\n> Host: h\n>\n< HTTP/1.1 403 Forbidden\n"
			"< Header: v\n<\nbody line 1\nbody line 2\n");
	is_long(nex, 1, "minimal -v: one exchange");
	is_str(ex[0].method, "GET", "minimal -v: method");
	is_str(ex[0].url, "https://h/x", "minimal -v: url defaults to https");
	is_str(ex[0].host, "h", "minimal -v: host");
	is_long(ex[0].status, 403, "minimal -v: status");
	is_str(ex[0].reason, "Forbidden", "minimal -v: reason");
	is_str(ex[0].resp_headers, "Header: v\n", "minimal -v: response header");
	is_str(ex[0].body, "body line 1\nbody line 2\n", "minimal -v: body");
	is_long(res.status, IMPORT_OK, "minimal -v: import ok");

	run(FMT_CURL_V, "* Could not resolve host: nx.example\n"
			"curl: (6) Could not resolve host: nx.example\n");
	is_long(nex, 1, "resolve failure: one exchange");
	is_long(ex[0].status, 0, "resolve failure: status 0");
	is_str(ex[0].error, "Could not resolve host: nx.example", "resolve failure: error");
	is_long(ex[0].exit_code, 6, "resolve failure: exit code");
	is_str(ex[0].host, "nx.example", "resolve failure: host from the message");
	ok(has(ex[0].transcript, "* Could not resolve host: nx.example") &&
		   has(ex[0].transcript, "curl: (6) Could not resolve host"),
	   "resolve failure: both lines in the transcript");

	run(FMT_CURL_V, "curl: (7) Failed to connect to api.example.com port 443 after 3 ms: "
			"Connection refused\n");
	is_long(nex, 1, "curl: line alone is an exchange");
	is_long(ex[0].exit_code, 7, "curl: line alone: exit code");
	ok(has(ex[0].error, "Connection refused"), "curl: line alone: error");

	run(FMT_CURL_V, "> POST /v1/chat HTTP/2\n> Host: api.example.com\n> content-type: "
			"application/json\n>\n} {\"a\":1}\n< HTTP/2 200 \n< x-id: 1\n<\n{}\n");
	is_str(ex[0].req_body, "{\"a\":1}", "request body from } lines");
	is_str(ex[0].version, "HTTP/2", "HTTP/2 version");
	is_str(ex[0].reason, NULL, "HTTP/2: no reason phrase");
	is_long(ex[0].status, 200, "HTTP/2 trailing space status");

	run(FMT_CURL_V, "*   Trying 10.0.0.1:443...\n* Connected to api.example.com (10.0.0.1) port 443\n"
			"> GET /a HTTP/1.1\n> Host: api.example.com\n>\n"
			"* Operation timed out after 5000 milliseconds with 0 bytes received\n"
			"* Closing connection 0\n"
			"curl: (28) Operation timed out after 5000 milliseconds with 0 bytes received\n");
	is_long(nex, 1, "timeout after request: one exchange");
	is_long(ex[0].status, 0, "timeout: status 0");
	is_long(ex[0].exit_code, 28, "timeout: exit 28");
	is_str(ex[0].url, "https://api.example.com/a", "timeout: url (port 443 => https)");

	run(FMT_CURL_V, "> GET /x HTTP/1.1\n> Host: h\n>\n< content-type: application/json\n<\n"
			"{\"error\":\"bad\"}\n");
	is_long(nex, 1, "headers without a status line: one exchange");
	is_long(ex[0].status, STATUS_UNKNOWN, "headers without a status line: status unknown");
	is_str(ex[0].resp_headers, "content-type: application/json\n", "headers without a status line: kept");
	is_str(ex[0].body, "{\"error\":\"bad\"}\n", "headers without a status line: body kept");
}

static void test_verbose_quirks(void)
{
	/* progress meter glued, CRLF, body after "left intact" */
	run(FMT_UNKNOWN,
	    "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
	    "                                 Dload  Upload   Total   Spent    Left  Speed\n"
	    "\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0*   "
	    "Trying 127.0.0.1:18080...\n"
	    "* Connected to 127.0.0.1 (127.0.0.1) port 18080 (#0)\n"
	    "> GET /hello HTTP/1.1\r\n> Host: 127.0.0.1:18080\r\n> \r\n"
	    "< HTTP/1.1 200 OK\r\n< Content-Length: 14\r\n< \r\n{ [14 bytes data]\n"
	    "\r100    14  100    14    0     0   7074      0 --:--:-- --:--:-- --:--:-- 14000\n"
	    "* Connection #0 to host 127.0.0.1 left intact\nHello, world!\n");
	is_long(res.format, FMT_CURL_V, "progress meter: sniffed as curl -v");
	is_long(nex, 1, "progress meter: one exchange");
	is_str(ex[0].url, "http://127.0.0.1:18080/hello", "progress meter: url, http without TLS");
	is_str(ex[0].body, "Hello, world!\n", "progress meter: body after left intact");
	ok(has(ex[0].transcript, "*   Trying 127.0.0.1:18080..."),
	   "progress meter: glued Trying line kept");

	/* CR CR LF and ANSI from a terminal capture */
	run(FMT_CURL_V, "> GET / HTTP/1.1\r\r\n> Host: a.test\r\r\n> \r\r\n< HTTP/1.1 404 Not Found\r\r\n"
			"< \x1b[1mServer\x1b[0m: x\r\r\n< \r\r\nnope\r\n");
	is_long(ex[0].status, 404, "tty: status");
	is_str(ex[0].resp_headers, "Server: x\n", "tty: ANSI stripped from header name");
	is_str(ex[0].body, "nope\n", "tty: CR stripped from body");

	/* body glued to the info line */
	run(FMT_CURL_V, "> GET / HTTP/1.1\n> Host: api.myip.la\n>\n< HTTP/1.1 200 OK\n"
			"< Content-Length: 7\n<\nx.x.x.x* Connection #0 to host 127.0.0.1 left intact\n");
	is_str(ex[0].body, "x.x.x.x", "glued body split from the info line");
	is_long(res.status, IMPORT_OK, "glued body: complete");

	run(FMT_CURL_V, "> GET / HTTP/1.1\n> Host: api.myip.la\n>\n< HTTP/1.1 200 OK\n"
			"< Content-Length: 13\n<\nx.x.x.x* Connection #0 to host 127.0.0.1 left intact\n");
	is_long(res.status, IMPORT_OK, "redacted body shorter than Content-Length, then info: not cut");
	ok(has(ex[0].transcript, "* Connection #0 to host 127.0.0.1 left intact"),
	   "glued info line in transcript");

	/* 100-continue is not an exchange */
	run(FMT_CURL_V, "> POST /items HTTP/1.1\n> Host: h:1\n> Expect: 100-continue\n>\n"
			"< HTTP/1.1 100 Continue\n} [7 bytes data]\n* We are completely uploaded and fine\n"
			"< HTTP/1.1 201 Created\n< Location: /items/42\n<\n{ [5 bytes data]\nok\n");
	is_long(nex, 1, "100-continue: one exchange");
	is_long(ex[0].status, 201, "100-continue: final status");
	ok(has(ex[0].transcript, "HTTP/1.1 100 Continue"), "100-continue: interim in transcript");
	is_str(ex[0].body, "ok\n", "100-continue: data marker dropped");

	/* -L redirect chain */
	run(FMT_CURL_V, "* Connected to h (1.2.3.4) port 80 (#0)\n> GET /a HTTP/1.1\n> Host: h\n>\n"
			"< HTTP/1.1 302 Found\n< Location: /b\n<\n* Connection #0 to host h left intact\n"
			"* Issue another request to this URL: 'http://h/b'\n* Re-using existing connection #0\n"
			"> GET /b HTTP/1.1\n> Host: h\n>\n< HTTP/1.1 200 OK\n<\nfinal\n");
	is_long(nex, 2, "-L: two exchanges");
	is_long(ex[1].redirect_of, 0, "-L: second hop redirect_of first");
	is_long(ex[0].redirect_of, -1, "-L: first hop not a redirect");
	is_str(ex[1].url, "http://h/b", "-L: second url");
	ok(has(ex[1].transcript, "Issue another request") && !has(ex[0].transcript, "Issue another"),
	   "-L: Issue another request belongs to the next hop");
	ok(ex[0].body == NULL, "-L: no body on the intermediate hop");
	is_str(ex[1].body, "final\n", "-L: body on the final hop");

	/* two URLs on one command line: the second is not a redirect */
	run(FMT_CURL_V, "> GET /old HTTP/1.1\n> Host: h.test\n>\n< HTTP/1.1 301 Moved\n< Location: /new\n<\n"
			"* Connection #0 to host h.test left intact\n* Re-using existing connection #0 with host h.test\n"
			"> GET /other HTTP/1.1\n> Host: h.test\n>\n< HTTP/1.1 200 OK\n<\n");
	is_long(nex, 2, "two URLs: two exchanges");
	is_long(ex[1].redirect_of, -1, "two URLs: no redirect chain without 'Issue another request'");

	/* proxy CONNECT */
	run(FMT_CURL_V, "*   Trying 127.0.0.1:8080...\n* Connected to 127.0.0.1 (127.0.0.1) port 8080 (#0)\n"
			"* Establish HTTP proxy tunnel to apple.com:443\n> CONNECT apple.com:443 HTTP/1.1\n"
			"> Host: apple.com:443\n>\n< HTTP/1.1 200 Connection established\n<\n"
			"* Proxy replied 200 to CONNECT request\n* CONNECT phase completed!\n"
			"* schannel: ALPN, offering http/1.1\n> GET / HTTP/1.1\n> Host: apple.com\n>\n"
			"< HTTP/1.1 301 Redirect\n< Location: https://www.apple.com/\n<\n<HTML>\n");
	is_long(nex, 2, "CONNECT: two exchanges");
	is_str(ex[0].method, "CONNECT", "CONNECT: method");
	is_str(ex[0].host, "apple.com", "CONNECT: host");
	is_long(ex[0].port, 443, "CONNECT: port");
	is_str(ex[1].url, "https://apple.com/", "CONNECT: tunnelled request is https");
	is_long(ex[1].status, 301, "CONNECT: tunnelled status");
	ok(has(ex[1].transcript, "schannel: ALPN") && !has(ex[0].transcript, "schannel"),
	   "CONNECT: TLS lines belong to the tunnelled request");

	/* proxy 407 on CONNECT */
	run(FMT_CURL_V, "* Establish HTTP proxy tunnel to api.example.com:443\n"
			"> CONNECT api.example.com:443 HTTP/1.1\n> Host: api.example.com:443\n>\n"
			"< HTTP/1.1 407 Proxy Authentication Required\n< Proxy-Authenticate: Basic\n<\n"
			"* Received HTTP code 407 from proxy after CONNECT\n"
			"curl: (56) Received HTTP code 407 from proxy after CONNECT\n");
	is_long(nex, 1, "407: one exchange");
	is_long(ex[0].status, 407, "407: status");
	is_long(ex[0].exit_code, 56, "407: exit code");

	/* TLS failure inside a proxy tunnel: the target is its own exchange */
	run(FMT_CURL_V, "* Uses proxy env variable HTTPS_PROXY == 'http://proxy.corp:8080'\n"
			"*   Trying 10.1.2.3:8080...\n* Connected to proxy.corp (10.1.2.3) port 8080\n"
			"* Establish HTTP proxy tunnel to api.example.com:443\n"
			"> CONNECT api.example.com:443 HTTP/1.1\n> Host: api.example.com:443\n>\n"
			"< HTTP/1.1 200 Connection established\n<\n* CONNECT phase completed\n"
			"* TLSv1.3 (IN), TLS handshake, Certificate (11):\n"
			"*  issuer: C=US; O=Zscaler Inc.; CN=Zscaler Intermediate Root CA\n"
			"* SSL certificate problem: unable to get local issuer certificate\n"
			"curl: (60) SSL certificate problem: unable to get local issuer certificate\n");
	is_long(nex, 2, "tunnel TLS failure: CONNECT and the failed request");
	is_long(ex[0].status, 200, "tunnel TLS failure: CONNECT succeeded");
	ok(ex[0].error == NULL, "tunnel TLS failure: CONNECT has no error");
	is_long(ex[1].status, 0, "tunnel TLS failure: request got no response");
	is_str(ex[1].url, "https://api.example.com/", "tunnel TLS failure: url from the tunnel");
	ok(has(ex[1].transcript, "Zscaler"), "tunnel TLS failure: issuer line with the request");

	/* TLS failure with no request, "More details" continuation */
	run(FMT_CURL_V, "*   Trying 1.2.3.4:443...\n* Connected to self-signed.badssl.com (1.2.3.4) port 443\n"
			"* TLSv1.3 (OUT), TLS handshake, Client hello (1):\n"
			"* SSL certificate problem: self-signed certificate\n* Closing connection 0\n"
			"curl: (60) SSL certificate problem: self-signed certificate\n"
			"More details here: https://curl.se/docs/sslcerts.html\n\n"
			"curl failed to verify the legitimacy of the server\n");
	is_long(nex, 1, "TLS failure: one exchange");
	is_str(ex[0].url, "https://self-signed.badssl.com/", "TLS failure: url from Connected to");
	is_long(ex[0].exit_code, 60, "TLS failure: exit code");
	ok(has(ex[0].transcript, "More details here"), "TLS failure: continuation in transcript");
	ok(ex[0].body == NULL, "TLS failure: no body");

	/* failure without a curl: line */
	run(FMT_CURL_V, "*   Trying 127.0.0.1:1...\n* connect to 127.0.0.1 port 1 failed: Connection refused\n"
			"* Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server\n"
			"* Closing connection 0\n");
	is_long(nex, 1, "refused without curl: line: one exchange");
	is_long(ex[0].status, 0, "refused: status 0");
	ok(has(ex[0].error, "Couldn't connect to server"), "refused: error from the info line");
	is_str(ex[0].host, "127.0.0.1", "refused: host from Trying");
	is_long(ex[0].port, 1, "refused: port from Trying");

	/* curl 8.x: the resolved name and the processing URL */
	run(FMT_CURL_V, "* Host api.example.com:8443 was resolved.\n* IPv4: 203.0.113.5\n"
			"*   Trying 203.0.113.5:8443...\n"
			"* connect to 203.0.113.5 port 8443 from 0.0.0.0 port 0 failed: Connection refused\n"
			"* Failed to connect to api.example.com port 8443 after 1 ms: Couldn't connect to server\n"
			"curl: (7) Failed to connect to api.example.com port 8443 after 1 ms: Couldn't connect to server\n");
	is_str(ex[0].host, "api.example.com", "8.x refused: host name from 'was resolved'");
	is_long(ex[0].port, 8443, "8.x refused: port");
	run(FMT_CURL_V, "* processing: https://www.example.com/a/b?c=d\n"
			"* Could not resolve host: www.example.com\n* Closing connection\n"
			"curl: (6) Could not resolve host: www.example.com\n");
	is_str(ex[0].url, "https://www.example.com/a/b?c=d", "8.x: url from 'processing:'");

	/* only info lines: one exchange, no status, noted */
	run(FMT_CURL_V, "*   Trying 203.0.113.7:443...\n* Connected to api.example.com (203.0.113.7) port 443\n"
			"*  issuer: C=US; O=Zscaler Inc.; CN=Zscaler Intermediate Root CA\n");
	is_long(nex, 1, "info lines only: one exchange");
	is_long(ex[0].status, STATUS_UNKNOWN, "info lines only: status unknown");
	is_str(ex[0].host, "api.example.com", "info lines only: host");
	ok(has(ex[0].transcript, "Zscaler"), "info lines only: transcript kept");
	is_long(res.status, IMPORT_PARTIAL, "info lines only: partial");

	/* command line gives the URL */
	run(FMT_CURL_V, "$ curl -v -x http://proxy:3128 https://nx.invalid/path\n"
			"* Could not resolve proxy: proxy\ncurl: (5) Could not resolve proxy: proxy\n");
	is_str(ex[0].url, "https://nx.invalid/path", "command line URL, proxy skipped");
	is_str(ex[0].method, "GET", "command line default method");

	/* -v -i on a terminal: every header echoed */
	run(FMT_CURL_V, "> GET / HTTP/1.1\n> Host: e.test\n>\n< HTTP/1.1 200 OK\nHTTP/1.1 200 OK\n"
			"< A: 1\nA: 1\n< \n\nbody\n");
	is_str(ex[0].resp_headers, "A: 1\n", "-v -i tty: headers once");
	is_str(ex[0].body, "body\n", "-v -i tty: echo removed from body");

	/* -v -i to a file: stderr then stdout */
	run(FMT_CURL_V, "> GET / HTTP/1.1\n> Host: e.test\n>\n< HTTP/1.1 200 OK\n< A: 1\n<\n"
			"* Connection #0 to host e.test left intact\nHTTP/1.1 200 OK\r\nA: 1\r\n\r\n{}\n");
	is_str(ex[0].body, "{}\n", "-v -i file: echoed headers skipped");

	/* truncation */
	run(FMT_CURL_V, "> GET /a HTTP/1.1\n> Host: h\n>\n< HTTP/1.1 200 OK\n< A: 1\n"
			"< \n* Connection #0 left intact\n> GET /b HTTP/1.1\n> Host: h\n>\n< HTTP/1.1 500 Oops\n"
			"< X-Cut: y");
	is_long(nex, 2, "truncated: both exchanges kept");
	is_long(res.status, IMPORT_PARTIAL, "truncated: partial");
	ok(has(notes, "ends inside the response headers of exchange 1"), "truncated: note names it");
	is_str(res.message, "transcript ends inside the response headers of exchange 1",
	       "truncated: result message names it");
	is_long(ex[1].status, 500, "truncated: status kept");

	/* HTTP/2 stream error after headers */
	run(FMT_CURL_V, "> GET / HTTP/2\n> Host: h2.test\n>\n< HTTP/2 200 \n<\n"
			"* HTTP/2 stream 1 was not closed cleanly: PROTOCOL_ERROR (err 1)\n"
			"curl: (92) HTTP/2 stream 1 was not closed cleanly: PROTOCOL_ERROR (err 1)\n");
	is_long(nex, 1, "h2 stream error: one exchange");
	is_long(ex[0].status, 200, "h2 stream error: status stays");
	is_long(ex[0].exit_code, 92, "h2 stream error: exit 92");
	ok(has(ex[0].error, "PROTOCOL_ERROR"), "h2 stream error: error text");

	/* --trace-time on -v */
	run(FMT_UNKNOWN, "00:21:34.999012 *   Trying 127.0.0.1:18080...\n"
			 "00:21:34.999910 > GET /hello HTTP/1.1\r\n00:21:34.999910 > Host: 127.0.0.1:18080\r\n"
			 "00:21:34.999910 > \r\n00:21:35.000479 < HTTP/1.1 200 OK\r\n00:21:35.000754 < \r\n"
			 "Hello\n");
	is_long(res.format, FMT_CURL_V, "-v --trace-time: sniffed as curl -v");
	is_long(ex[0].status, 200, "-v --trace-time: status");
	ok(has(ex[0].extra, "00:21:34.999012"), "-v --trace-time: time of day in extra");

	/* a -v transcript pasted into a ticket between prose and fences */
	run(FMT_UNKNOWN, "Hi, the call below fails since this morning:\n\n```\n"
			 "$ curl -v https://api.example.com/v1/items?limit=5\n"
			 "*   Trying 203.0.113.5:443...\n* Connected to api.example.com (203.0.113.5) port 443\n"
			 "* ALPN: curl offers h2,http/1.1\n> GET /v1/items?limit=5 HTTP/2\n"
			 "> Host: api.example.com\n>\n< HTTP/3 403\n< content-type: application/json\n<\n"
			 "{\"error\":\"forbidden\"}\n```\n\nAny idea? Thanks\n");
	is_long(res.format, FMT_CURL_V, "ticket paste: sniffed as curl -v");
	is_long(nex, 1, "ticket paste: one exchange");
	is_str(ex[0].url, "https://api.example.com/v1/items?limit=5", "ticket paste: url with query");
	is_str(ex[0].version, "HTTP/3", "ticket paste: HTTP/3 status line");
	is_str(ex[0].body, "{\"error\":\"forbidden\"}\n", "ticket paste: body ends at the fence");

	/* Maximum redirects: the last 302 carries the error */
	run(FMT_CURL_V, "> GET /loop HTTP/1.1\n> Host: l.test\n>\n< HTTP/1.1 302 Found\n< Location: /loop\n<\n"
			"* Maximum (1) redirects followed\ncurl: (47) Maximum (1) redirects followed\n");
	is_long(ex[nex - 1].status, 302, "max redirects: last status 302");
	is_long(ex[nex - 1].exit_code, 47, "max redirects: exit 47");
}

static void test_include(void)
{
	run(FMT_UNKNOWN, "HTTP/1.1 302 Found\r\nLocation: /moved\r\nContent-Length: 0\r\n\r\n"
			 "HTTP/1.1 301 Moved Permanently\r\nLocation: http://127.0.0.1:18080/final\r\n\r\n"
			 "HTTP/1.1 200 OK\r\nContent-Length: 31\r\n\r\n{\"ok\": true, \"path\": \"/final\"}\n");
	is_long(res.format, FMT_CURL_I, "-i: sniffed");
	is_long(nex, 3, "-iL: three exchanges");
	is_long(ex[1].redirect_of, 0, "-iL: hop 2 follows hop 1");
	is_long(ex[2].redirect_of, 1, "-iL: hop 3 follows hop 2");
	is_str(ex[2].url, "http://127.0.0.1:18080/final", "-iL: url from Location");
	ok(ex[0].body == NULL && ex[1].body == NULL, "-iL: intermediate hops have no body");
	is_str(ex[2].body, "{\"ok\": true, \"path\": \"/final\"}\n", "-iL: final body");

	run(FMT_CURL_I, "HTTP/1.1 200 Connection established\r\nProxy-Agent: p\r\n\r\n"
			"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nhi\n");
	is_long(nex, 2, "-i proxy: two exchanges");
	is_str(ex[0].method, "CONNECT", "-i proxy: CONNECT exchange");
	is_str(ex[1].body, "hi\n", "-i proxy: body");

	run(FMT_CURL_I, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nA: b\r\n"
			" folded\r\n\r\n{}\n");
	is_long(nex, 1, "-i 100 continue: one exchange");
	is_long(ex[0].status, 201, "-i 100 continue: status");
	is_str(ex[0].resp_headers, "A: b folded\n", "-i: obs-fold joined");

	run(FMT_UNKNOWN, "$ curl --insecure -i -X OPTIONS https://acm.example.com/x -H \"A: b\"\n"
			 "HTTP/2 403\ncontent-type: application/json\n\n{\"Message\":\"no\"}\n");
	is_long(res.format, FMT_CURL_I, "-i with prompt: sniffed");
	is_str(ex[0].method, "OPTIONS", "-i: method from -X");
	is_str(ex[0].url, "https://acm.example.com/x", "-i: url from command");
	is_long(ex[0].status, 403, "-i: HTTP/2 status without reason");

	run(FMT_UNKNOWN, "POST /items HTTP/1.1\r\nHost: 127.0.0.1:18080\r\nContent-Type: application/json\r\n"
			 "\r\n{\"a\": 1}\n\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}");
	is_long(res.format, FMT_CURL_I, "HTTPie -v: sniffed as curl-i");
	is_long(nex, 1, "HTTPie -v: one exchange");
	is_str(ex[0].url, "http://127.0.0.1:18080/items", "HTTPie -v: url");
	is_str(ex[0].req_body, "{\"a\": 1}", "HTTPie -v: request body");
	is_str(ex[0].body, "{}", "HTTPie -v: body without newline");

	run(FMT_UNKNOWN, "\nhttp: LogLevel.ERROR: ConnectionError: HTTPConnectionPool(host='127.0.0.1', "
			 "port=1): Max retries exceeded [Errno 111] Connection refused')) while doing a GET "
			 "request to URL: http://127.0.0.1:1/\n");
	is_long(res.format, FMT_CURL_I, "HTTPie error: sniffed");
	is_long(nex, 1, "HTTPie error: one exchange");
	is_long(ex[0].status, 0, "HTTPie error: status 0");
	is_str(ex[0].url, "http://127.0.0.1:1/", "HTTPie error: url");
	ok(has(ex[0].error, "Connection refused"), "HTTPie error: error text");

	run(FMT_CURL_I, "{\"errormsg\":\"Could not resolve host: nx.invalid\",\"exitcode\":6,"
			"\"http_code\":0,\"method\":\"GET\",\"time_total\":0.002,"
			"\"url_effective\":\"https://nx.invalid/\"}\n");
	is_long(nex, 1, "-w json: one exchange");
	is_long(ex[0].status, 0, "-w json: http_code 0 is no response");
	is_long(ex[0].exit_code, 6, "-w json: exit code");
	is_str(ex[0].error, "Could not resolve host: nx.invalid", "-w json: error");
	is_str(ex[0].host, "nx.invalid", "-w json: host from url_effective");
	ok(has(ex[0].transcript, "curl: (6) Could not resolve host"), "-w json: error in transcript");
	is_long(sniff_format((const unsigned char *)"{\"url_effective\":\"x\",\"http_code\":1,"
			     "\"time_total\":1}", 50), FMT_CURL_I, "-w json: sniffed");

	run(FMT_CURL_V, "HTTP/1.1 204 No Content\r\nA: 1\r\n\r\n");
	is_long(nex, 1, "wrong hint (-v for a -i dump): still imported");
	is_long(res.format, FMT_CURL_I, "wrong hint: format reported as found");

	run(FMT_CURL_I, "HTTP/1.1 200 OK\r\nA: 1\r\nB: ");
	is_long(res.status, IMPORT_PARTIAL, "-i cut in headers: partial");

	run(FMT_CURL_I, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"items\": [1, 2,");
	is_long(res.status, IMPORT_PARTIAL, "-i cut in the body: partial");
	ok(has(notes, "ends inside the response body of exchange 0 (16 of 100 bytes)"),
	   "-i cut in the body: note says how much arrived");
	is_str(ex[0].body, "{\"items\": [1, 2,", "-i cut in the body: what arrived is kept");

	run(FMT_CURL_I, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\na\r\nbc\r\n");
	is_long(res.status, IMPORT_OK, "-i CRLF body of the announced size: not cut");
}

static void test_trace(void)
{
	run(FMT_UNKNOWN, "== Info: Connected to localhost (127.0.0.1) port 80 (#0)\n"
			 "=> Send header, 40 bytes (0x28)\n"
			 "0000: 47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d 0a GET / HTTP/1.1..\n"
			 "0010: 48 6f 73 74 3a 20 6c 6f 63 61 6c 68 6f 73 74 0d Host: localhost.\n"
			 "0020: 0a 0d 0a                                        ...\n"
			 "<= Recv header, 17 bytes (0x11)\n"
			 "0000: 48 54 54 50 2f 31 2e 31 20 32 30 30 20 4f 4b 0d HTTP/1.1 200 OK.\n"
			 "0010: 0a                                              .\n"
			 "<= Recv header, 2 bytes (0x2)\n0000: 0d 0a                                           ..\n"
			 "<= Recv data, 3 bytes (0x3)\n0000: 61 0a 62                                        a.b\n"
			 "== Info: Connection #0 to host localhost left intact\n");
	is_long(res.format, FMT_CURL_TRACE, "--trace: sniffed");
	is_long(nex, 1, "--trace: one exchange");
	is_str(ex[0].url, "http://localhost/", "--trace: url");
	is_long(ex[0].status, 200, "--trace: status");
	is_str(ex[0].body, "a\nb", "--trace: body bytes exact");

	run(FMT_UNKNOWN, "00:21:33.495360 == Info: Connected to 127.0.0.1 (127.0.0.1) port 18080 (#0)\n"
			 "00:21:33.496268 => Send header, 50 bytes (0x32)\n0000: POST /form HTTP/1.1\n"
			 "0015: Host: 127.0.0.1:18080\n002c: \n00:21:33.496328 => Send data, 3 bytes (0x3)\n"
			 "0000: a=1\n00:21:33.496858 <= Recv header, 22 bytes (0x16)\n0000: HTTP/1.1 201 Created\n"
			 "00:21:33.496886 <= Recv header, 12 bytes (0xc)\n0000: X-Dup: one\n"
			 "00:21:33.496924 <= Recv header, 2 bytes (0x2)\n0000: \n"
			 "00:21:33.497006 <= Recv data, 3 bytes (0x3)\n0000: {}.\n{}\n"
			 "00:21:33.497026 == Info: Connection #0 to host 127.0.0.1 left intact\n");
	is_long(res.format, FMT_CURL_TRACE, "--trace-ascii --trace-time: sniffed");
	is_str(ex[0].method, "POST", "--trace-ascii: method");
	is_str(ex[0].req_body, "a=1", "--trace-ascii: request body");
	is_str(ex[0].resp_headers, "X-Dup: one\n", "--trace-ascii: headers");
	is_str(ex[0].body, "{}\n", "--trace-ascii: stdout body preferred");
	ok(has(ex[0].extra, "00:21:33.49"), "--trace-time: time of day kept");
	is_long(ex[0].status, 201, "--trace-ascii: status");
}

#define SN(s) (const unsigned char *)(s), sizeof(s) - 1

static void test_sniff(void)
{
	is_long(sniff_format(SN("{\"log\": {\"version\": \"1.2\"}}")), FMT_HAR,
		"sniff: HAR");
	is_long(sniff_format(SN("  {\"info\": {}, \"item\": []}")), FMT_UNKNOWN,
		"sniff: other JSON");
	is_long(sniff_format(SN("cb({\"log\":{}})")), FMT_HAR, "sniff: JSONP HAR");
	is_long(sniff_format(SN("\x89PNG\r\n")), FMT_NOT_CAPTURE, "sniff: PNG");
	is_long(sniff_format((const unsigned char *)"ab\0cd", 5), FMT_NOT_CAPTURE, "sniff: NUL bytes");
	is_long(sniff_format((const unsigned char *)"\xff\xfe{\0", 4), FMT_UNKNOWN, "sniff: UTF-16");
	is_long(sniff_format(SN("{ [5 bytes data]\n* Trying x\n")), FMT_CURL_V,
		"sniff: -v starting with a data marker");
	is_long(sniff_text(SN("hello\nworld\n")), FMT_NOT_CAPTURE,
		"sniff: plain prose");
	is_long(sniff_text(SN("We see Status Code: 403 on login\n")), FMT_TEXT,
		"sniff: prose with a status");
	is_long(sniff_text(SN("```\n$ curl -i x\nHTTP/1.1 200 OK\nA: b\n\n```\n")),
		FMT_CURL_I, "sniff: fenced -i");
	is_long(sniff_text(SN("Hi team,\nthe call fails:\nHTTP/1.1 500 Oops\nA: b\n")),
		FMT_TEXT, "sniff: status line inside prose is text");
	is_long(sniff_text(SN("  > GET / HTTP/1.1\n  > Host: x\n")), FMT_CURL_V,
		"sniff: indented -v");
}

/* libcurl debug-callback logs: "cURL:type[N]-" lines in curl -v's notation. */
static void test_debug_callback(void)
{
	static const char in[] =
		"note\n"
		"cURL:type[0]-Connected to x.example (192.0.2.1) port 443\n"
		"cURL:type[5]-\x16\x03\n"
		"more TLS bytes\n"
		"cURL:type[2]-GET /a HTTP/1.1\r\n"
		"Host: x.example\r\n"
		"\r\n"
		"cURL:type[4]-q=1\n"
		"cURL:type[1]-HTTP/1.1 500 Oops\r\n"
		"cURL:type[1]-\r\n"
		"cURL:type[3]-line one\n"
		"line two\n"
		"not cURL:type[1]-inside a line";
	static const char want[] =
		"note\n"
		"* Connected to x.example (192.0.2.1) port 443\n"
		"> GET /a HTTP/1.1\r\n"
		"> Host: x.example\r\n"
		"> \r\n"
		"* request body: q=1\n"
		"< HTTP/1.1 500 Oops\r\n"
		"< \r\n"
		"line one\n"
		"line two\n"
		"not cURL:type[1]-inside a line";
	size_t n;
	char *out = curl_debug_rewrite(in, sizeof(in) - 1, &n);
	ok(curl_debug_looks((const unsigned char *)in, sizeof(in) - 1), "debug log: recognized");
	ok(!curl_debug_looks((const unsigned char *)"a cURL:type[1]-x\ncURL:type[9]-y\n", 31),
	   "debug log: not inside a line, not an unknown type");
	is_str(out, want, "debug log: curl -v notation, request block, TLS data dropped, body kept");
	ok(n == strlen(want), "debug log: length");
	free(out);
}

int main(void)
{
	test_rule_minimal();
	test_debug_callback();
	test_verbose_quirks();
	test_include();
	test_trace();
	test_sniff();
	test_garbage();
	reset();
	return done_testing();
}
