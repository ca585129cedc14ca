/* test-har.c - unit tests for the HAR importer (src/import-har.c). */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "exchange.h"
#include "hstream.h"
#include "import.h"
#include "util.h"
#include "tap.h"
#include "testutil.h"

/* What the test sink keeps of one exchange. */
struct rec {
	long seq;
	char *method, *url, *scheme, *host, *path, *query, *http_version, *started_at, *name;
	char *error, *status_text, *extra, *reqh, *resph, *transcript;
	int status, port;
	char *req_body, *req_mime, *resp_body, *resp_mime;
	size_t req_len, resp_len;
	long long resp_size;
	int resp_trunc;
	struct timings t;
};

struct note {
	enum note_kind kind;
	long seq;
	char *msg;
};

static struct rec recs[64];
static long nrec, nemit;
static struct note notes[64];
static long nnote;
static long abort_after = -1;

static int t_emit(void *ctx, struct exchange *ex)
{
	struct rec *r;
	struct sbuf b = SBUF_INIT;
	(void)ctx;
	nemit++;
	if (abort_after >= 0 && nemit > abort_after)
		return -1;
	if (nrec >= (long)(sizeof(recs) / sizeof(recs[0])))
		return 0;
	r = &recs[nrec++];
	r->seq = ex->seq;
	r->method = dup_or_null(ex->method);
	r->url = dup_or_null(ex->url);
	r->scheme = dup_or_null(ex->scheme);
	r->host = dup_or_null(ex->host);
	r->path = dup_or_null(ex->path);
	r->query = dup_or_null(ex->query);
	r->port = ex->port;
	r->http_version = dup_or_null(ex->http_version);
	r->started_at = dup_or_null(ex->started_at);
	r->name = dup_or_null(ex->name);
	r->error = dup_or_null(ex->error);
	r->status_text = dup_or_null(ex->status_text);
	r->extra = dup_or_null(ex->extra);
	r->status = ex->status;
	r->reqh = join_headers(&ex->req_headers);
	r->resph = join_headers(&ex->resp_headers);
	for (size_t i = 0; i < ex->transcript.n; i++)
		sbuf_addf(&b, "%s\n", ex->transcript.v[i]);
	r->transcript = sbuf_detach(&b, NULL);
	if (ex->req_body.data) {
		r->req_body = xmalloc(ex->req_body.len + 1);
		memcpy(r->req_body, ex->req_body.data, ex->req_body.len + 1);
	}
	r->req_len = ex->req_body.len;
	r->req_mime = dup_or_null(ex->req_body.mime);
	if (ex->resp_body.data) {
		r->resp_body = xmalloc(ex->resp_body.len + 1);
		memcpy(r->resp_body, ex->resp_body.data, ex->resp_body.len + 1);
	}
	r->resp_len = ex->resp_body.len;
	r->resp_size = ex->resp_body.size;
	r->resp_trunc = ex->resp_body.truncated;
	r->resp_mime = dup_or_null(ex->resp_body.mime);
	r->t = ex->timings;
	return 0;
}

static void t_note(void *ctx, enum note_kind kind, long seq, const char *msg)
{
	(void)ctx;
	if (nnote >= (long)(sizeof(notes) / sizeof(notes[0])))
		return;
	notes[nnote].kind = kind;
	notes[nnote].seq = seq;
	notes[nnote].msg = xstrdup(msg);
	nnote++;
}

static void reset(void)
{
	for (long i = 0; i < nrec; i++) {
		struct rec *r = &recs[i];
		char *all[] = {r->method, r->url, r->scheme, r->host, r->path, r->query,
			       r->http_version, r->started_at, r->name, r->error, r->status_text,
			       r->extra, r->reqh, r->resph, r->transcript, r->req_body, r->req_mime,
			       r->resp_body, r->resp_mime};
		for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
			free(all[k]);
		memset(r, 0, sizeof(*r));
	}
	for (long i = 0; i < nnote; i++)
		free(notes[i].msg);
	nrec = nnote = nemit = 0;
	abort_after = -1;
}

/* The note of a kind whose message contains needle (NULL: any), or NULL. */
static const char *find_note(enum note_kind kind, const char *needle)
{
	for (long i = 0; i < nnote; i++)
		if (notes[i].kind == kind && (!needle || strstr(notes[i].msg, needle)))
			return notes[i].msg;
	return NULL;
}

static long count_notes(enum note_kind kind)
{
	long n = 0;
	for (long i = 0; i < nnote; i++)
		n += notes[i].kind == kind;
	return n;
}

static struct import_sink sink = {t_emit, t_note, NULL};

/* Import len bytes of p through a memory stream. */
static int run_len(const char *p, size_t len, struct import_result *res)
{
	struct hstream s;
	struct import_opts opts;
	int rc;
	reset();
	memset(&opts, 0, sizeof(opts));
	memset(res, 0x55, sizeof(*res));
	hstream_open_mem(&s, p, len);
	rc = import_har(&s, &opts, &sink, res);
	hstream_close(&s);
	return rc;
}

static int run(const char *p, struct import_result *res)
{
	return run_len(p, strlen(p), res);
}

/* A stream that hands out at most 7 bytes per read, to cut every token. */
struct trickle {
	const char *p;
	size_t n, off;
};

static ssize_t trickle_read(void *ctx, void *buf, size_t n)
{
	struct trickle *t = ctx;
	size_t k = t->n - t->off;
	if (k > n)
		k = n;
	if (k > 7)
		k = 7;
	memcpy(buf, t->p + t->off, k);
	t->off += k;
	return (ssize_t)k;
}

static int run_trickle(const char *p, struct import_result *res)
{
	struct hstream s;
	struct trickle t = {p, strlen(p), 0};
	struct import_opts opts;
	int rc;
	reset();
	memset(&opts, 0, sizeof(opts));
	hstream_open_fn(&s, trickle_read, &t);
	rc = import_har(&s, &opts, &sink, res);
	hstream_close(&s);
	return rc;
}

#define CHROME_ENTRY                                                                          \
	"{\"startedDateTime\":\"2024-03-01T10:20:30.456+02:00\",\"time\":\"123.5\","          \
	"\"comment\":\"login call\",\"serverIPAddress\":\"2001:db8::1\",\"_resourceType\":\"fetch\"," \
	"\"_initiator\":{\"type\":\"script\",\"url\":\"https://x\"},\"connection\":\"443\","  \
	"\"pageref\":\"page_1\",\"cache\":{},"                                                  \
	"\"request\":{\"method\":\"POST\",\"url\":\"https://API.example.com:8443/v1/x?a=1\","   \
	"\"httpVersion\":\"http/2.0\",\"headers\":["                                            \
	"{\"name\":\":authority\",\"value\":\"api.example.com:8443\"},"                         \
	"{\"name\":\"x-dup\",\"value\":\"one\"},{\"name\":\"content-type\",\"value\":\"application/json\"}," \
	"{\"name\":\"x-dup\",\"value\":\"two\"}],\"cookies\":[],\"queryString\":[],"           \
	"\"postData\":{\"mimeType\":\"application/json\",\"text\":\"{\\\"q\\\":\\\"]}\\\\\\\"\\\"}\"}," \
	"\"headersSize\":-1,\"bodySize\":12},"                                                  \
	"\"response\":{\"status\":401,\"statusText\":\"\",\"httpVersion\":\"http/2.0\","        \
	"\"headers\":[{\"name\":\"set-cookie\",\"value\":\"a=1\"},{\"name\":\"set-cookie\",\"value\":\"b=2\"}," \
	"{\"name\":\"www-authenticate\",\"value\":\"Bearer\"}],\"cookies\":[],"                 \
	"\"content\":{\"size\":20,\"mimeType\":\"application/json\",\"text\":\"{\\\"error\\\":\\\"denied\\\"}\"}," \
	"\"redirectURL\":\"\",\"headersSize\":-1,\"bodySize\":-1,\"_error\":null},"             \
	"\"timings\":{\"blocked\":null,\"dns\":-1,\"connect\":\"4.5\",\"ssl\":-1,\"send\":0.2,"  \
	"\"wait\":100,\"receive\":1}}"

#define CHROME_HAR                                                                            \
	"{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"WebInspector\",\"version\":\"537.36\"}," \
	"\"pages\":[{\"id\":\"page_1\",\"title\":\"t\",\"startedDateTime\":\"2024-03-01T08:20:30Z\"," \
	"\"pageTimings\":{}}],\"entries\":[" CHROME_ENTRY "]}}"

/* The entry above, field by field. */
static void check_chrome_entry(const char *what)
{
	struct rec *r = &recs[0];
	char name[160];
#define N(s) (snprintf(name, sizeof(name), "%s: %s", what, s), name)
	is_long(nrec, 1, N("one exchange"));
	if (nrec < 1)
		return;
	is_long(r->seq, 0, N("seq starts at 0"));
	is_str(r->method, "POST", N("method"));
	is_str(r->host, "api.example.com", N("host lowercased without port"));
	is_long(r->port, 8443, N("port"));
	is_str(r->path, "/v1/x", N("path"));
	is_str(r->query, "a=1", N("query"));
	is_str(r->http_version, "HTTP/2", N("http/2.0 normalized"));
	is_str(r->started_at, "2024-03-01T08:20:30.456Z", N("startedDateTime in UTC with ms"));
	is_str(r->name, "login call", N("entry comment is the name"));
	is_long(r->status, 401, N("status"));
	is_str(r->status_text, NULL, N("empty statusText is NULL"));
	is_str(r->error, NULL, N("_error null is no error"));
	is_str(r->reqh,
	       ":authority: api.example.com:8443\nx-dup: one\ncontent-type: application/json\n"
	       "x-dup: two\n",
	       N("request headers in order, pseudo-header and duplicates kept"));
	is_str(r->resph, "set-cookie: a=1\nset-cookie: b=2\nwww-authenticate: Bearer\n",
	       N("response headers with duplicate set-cookie"));
	is_str(r->req_body, "{\"q\":\"]}\\\"\"}", N("request body with escapes and brackets"));
	is_str(r->req_mime, "application/json", N("request mime"));
	is_str(r->resp_body, "{\"error\":\"denied\"}", N("response body"));
	is_long((long)r->resp_size, 20, N("content.size"));
	is_str(r->resp_mime, "application/json", N("response mime"));
	ok(r->t.total == 123.5, "%s", N("time given as a string"));
	ok(r->t.blocked == -1 && r->t.dns == -1 && r->t.ssl == -1, "%s",
	   N("null and -1 timings are unknown"));
	ok(r->t.connect == 4.5 && r->t.wait == 100 && r->t.receive == 1, "%s", N("timings"));
	ok(r->extra && strstr(r->extra, "\"serverIPAddress\":\"2001:db8::1\"") &&
		   strstr(r->extra, "\"_resourceType\":\"fetch\"") &&
		   strstr(r->extra, "\"_initiator\":\"script\"") &&
		   strstr(r->extra, "\"pageref\":\"page_1\"") &&
		   strstr(r->extra, "\"connection\":\"443\"") &&
		   strstr(r->extra, "\"httpVersion\":\"http/2.0\""),
	   "%s", N("extra carries producer fields and the raw httpVersion"));
	if (r->extra)
		diag("extra: %s", r->extra);
	json_t *x = r->extra ? json_loads(r->extra, 0, NULL) : NULL;
	ok(json_is_object(x), "%s", N("extra is a JSON object"));
	json_decref(x);
#undef N
}

static void test_basic(void)
{
	struct import_result res;
	int rc = run(CHROME_HAR, &res);
	is_long(rc, 0, "chrome: import returns 0");
	is_long(res.status, IMPORT_OK, "chrome: status OK");
	is_long(res.format, FMT_HAR, "chrome: format har");
	is_long(res.exchanges, 1, "chrome: res->exchanges");
	check_chrome_entry("chrome");
	ok(find_note(NOTE_INFO, "producer: WebInspector 537.36") != NULL, "producer note");
	ok(recs[0].extra && strstr(recs[0].extra, "\"creator\":\"WebInspector 537.36\""),
	   "creator in extra");
	/* set-cookie present: not a sanitized export */
	is_long(count_notes(NOTE_SANITIZED), 0, "credentials present: no sanitized note");

	run_trickle(CHROME_HAR, &res);
	is_long(res.status, IMPORT_OK, "7-byte reads: status OK");
	check_chrome_entry("7-byte reads");
}

static void test_framing(void)
{
	struct import_result res;
	char *p;

	p = xasprintf("\xef\xbb\xbf\r\n  %s\n", CHROME_HAR);
	run(p, &res);
	free(p);
	is_long(res.status, IMPORT_OK, "BOM: status OK");
	check_chrome_entry("BOM");

	p = xasprintf("onInputData (%s);\n", CHROME_HAR);
	run(p, &res);
	free(p);
	is_long(res.status, IMPORT_OK, "JSONP: status OK");
	check_chrome_entry("JSONP");

	p = xasprintf("{\"test_response\":%s}", CHROME_HAR);
	run(p, &res);
	free(p);
	is_long(res.status, IMPORT_OK, "wrapper object: status OK");
	check_chrome_entry("wrapper object");

	p = xasprintf("{\"a\":%s,\"b\":{\"log\":{\"entries\":[" CHROME_ENTRY "," CHROME_ENTRY
		      "]}}}", CHROME_HAR);
	run(p, &res);
	free(p);
	is_long(res.status, IMPORT_OK, "two HARs keyed by name: status OK");
	is_long(nrec, 3, "two HARs keyed by name: 3 exchanges");
	is_long(recs[2].seq, 2, "two HARs keyed by name: seq continues");

	run("[" CHROME_ENTRY "]", &res);
	is_long(res.status, IMPORT_OK, "bare entries array: OK");
	check_chrome_entry("bare entries array");

	run(CHROME_ENTRY, &res);
	is_long(res.status, IMPORT_OK, "bare entry: OK");
	check_chrome_entry("bare entry");

	run("{\"log\":{\"entries\":[" CHROME_ENTRY "],\"pages\":[],\"creator\":{\"name\":\"Firefox\","
	    "\"version\":\"111.0\"},\"browser\":{\"name\":\"Firefox\",\"version\":\"111.0\"}},"
	    "\"x\":[1,2,{\"y\":\"}\"}]}",
	    &res);
	is_long(res.status, IMPORT_OK, "pages and creator after entries: OK");
	check_chrome_entry("creator after entries");
	ok(find_note(NOTE_INFO, "producer: Firefox 111.0 (browser Firefox 111.0)") != NULL,
	   "producer noted from a creator after the entries");

	run("{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"WebInspector\",\"version\":\"537.36\"},"
	    "\"pages\":[],\"entries\":[]}}",
	    &res);
	is_long(res.status, IMPORT_OK, "entries:[]: OK");
	is_long(res.exchanges, 0, "entries:[]: 0 exchanges");
	is_long(count_notes(NOTE_SANITIZED), 0, "entries:[]: no sanitized note");

	run("{\"log\":{\"version\":\"1.1\",\"creator\":{\"name\":\"Firebug\",\"version\":\"1.7\"}}}",
	    &res);
	is_long(res.status, IMPORT_ERROR, "log without entries: error");
	ok(strstr(res.message, "entries") != NULL, "log without entries: message says why");

	run("{\"info\":{\"name\":\"x\"},\"item\":[]}", &res);
	is_long(res.status, IMPORT_NOT_CAPTURE, "other JSON: not a capture");
}

static void test_status_and_errors(void)
{
	struct import_result res;
	run("{\"log\":{\"creator\":{\"name\":\"Playwright\",\"version\":\"1.40\"},\"entries\":["
	    "{\"startedDateTime\":\"2024-01-02T03:04:05Z\",\"time\":-1,\"request\":{\"method\":\"GET\","
	    "\"url\":\"https://a.example/\",\"httpVersion\":\"HTTP/1.1\",\"headers\":[]},"
	    "\"response\":{\"status\":-1,\"statusText\":\"\",\"httpVersion\":\"HTTP/1.1\",\"headers\":[],"
	    "\"content\":{\"size\":-1,\"mimeType\":\"x-unknown\"},\"_failureText\":\"net::ERR_CONNECTION_REFUSED\"},"
	    "\"timings\":{\"send\":-1,\"wait\":-1,\"receive\":-1}},"
	    "{\"startedDateTime\":\"2024-01-02T03:04:05.1-07:00\",\"request\":{\"method\":\"GET\","
	    "\"url\":\"https://b.example/\",\"httpVersion\":\"\",\"headers\":[]},"
	    "\"response\":{\"status\":0,\"statusText\":\"\",\"httpVersion\":\"\",\"headers\":[],"
	    "\"content\":{\"size\":0,\"mimeType\":\"x-unknown\"},\"_error\":\"net::ERR_FAILED\"}},"
	    "{\"startedDateTime\":\"2024-01-02 03:04:05\",\"request\":{\"method\":\"GET\","
	    "\"url\":\"https://c.example/\",\"httpVersion\":\"1.1\",\"headers\":[]},"
	    "\"response\":{\"status\":\"204\",\"statusText\":\"No Content\",\"headers\":[]}}"
	    "]}}",
	    &res);
	is_long(res.status, IMPORT_OK, "status entries: OK");
	is_long(nrec, 3, "status entries: 3 exchanges");
	is_long(recs[0].status, STATUS_NONE, "status -1 is no response");
	is_str(recs[0].error, "net::ERR_CONNECTION_REFUSED", "_failureText is the error");
	ok(strstr(recs[0].transcript, "_failureText: net::ERR_CONNECTION_REFUSED") != NULL,
	   "_failureText in the transcript");
	ok(recs[0].t.total == -1, "time -1 is unknown");
	is_str(recs[0].resp_body, NULL, "no content.text: no body");
	is_str(recs[0].started_at, "2024-01-02T03:04:05.000Z", "Z zone, no fraction");
	is_long(recs[1].status, STATUS_NONE, "status 0 is no response");
	is_str(recs[1].error, "net::ERR_FAILED", "_error is the error");
	ok(strstr(recs[1].transcript, "_error: net::ERR_FAILED") != NULL, "_error in the transcript");
	is_str(recs[1].started_at, "2024-01-02T10:04:05.100Z", "-07:00 converted to UTC");
	is_str(recs[1].http_version, NULL, "empty httpVersion is unknown");
	is_long(recs[2].status, 204, "status given as a string");
	is_str(recs[2].status_text, "No Content", "statusText");
	is_str(recs[2].started_at, "2024-01-02T03:04:05.000Z", "missing zone taken as UTC");
	is_str(recs[2].http_version, "HTTP/1.1", "bare 1.1 normalized");

	run("{\"log\":{\"entries\":[{\"startedDateTime\":\"2023-12-31T23:30:00.999-01:00\","
	    "\"request\":{\"method\":\"GET\",\"url\":\"http://x/\",\"headers\":[]},"
	    "\"response\":{\"status\":200,\"headers\":[]}}]}}",
	    &res);
	is_str(recs[0].started_at, "2024-01-01T00:30:00.999Z", "zone offset crosses a year");
}

static void test_bodies(void)
{
	struct import_result res;
	run("{\"log\":{\"entries\":[{\"request\":{\"method\":\"POST\",\"url\":\"https://x.example/f\","
	    "\"headers\":[],\"cookies\":[{\"name\":\"sid\",\"value\":\"abc\"},{\"name\":\"t\",\"value\":\"1\"}],"
	    "\"postData\":{\"mimeType\":\"application/x-www-form-urlencoded\","
	    "\"params\":[{\"name\":\"user\",\"value\":\"bob\"},{\"name\":\"n\",\"value\":\"2\"}]}},"
	    "\"response\":{\"status\":404,\"headers\":[],\"content\":{\"size\":5,\"mimeType\":\"image/png\","
	    "\"encoding\":\"base64\",\"text\":\"iVAATmc=\"}}},"
	    "{\"request\":{\"method\":\"GET\",\"url\":\"https://x.example/h\",\"headers\":["
	    "{\"name\":\"Cookie\",\"value\":\"real=1\"}],\"cookies\":[{\"name\":\"other\",\"value\":\"2\"}],"
	    "\"postData\":{\"mimeType\":\"\",\"text\":\"\"}},"
	    "\"response\":{\"status\":200,\"headers\":[],\"content\":{\"size\":4,\"mimeType\":\"application/octet-stream\","
	    "\"text\":\"00ff\"}}}]}}",
	    &res);
	is_long(nrec, 2, "bodies: 2 exchanges");
	is_str(recs[0].req_body, "user=bob&n=2", "params joined as form data");
	is_str(recs[0].req_mime, "application/x-www-form-urlencoded", "form mime");
	is_long((long)recs[0].resp_len, 5, "base64 body decoded length");
	ok(recs[0].resp_body && memcmp(recs[0].resp_body, "\x89P\0Ng", 5) == 0,
	   "base64 body decoded bytes (with a NUL)");
	is_str(recs[0].reqh, "Cookie: sid=abc; t=1\n", "cookies[] become a Cookie header");
	is_str(recs[1].reqh, "Cookie: real=1\n", "a Cookie header wins over cookies[]");
	is_str(recs[1].req_body, NULL, "empty postData text on GET: no body");
	is_str(recs[1].resp_body, "00ff", "hex text without encoding kept as text");

	/* media of a successful response: base64 not decoded, size kept, noted */
	run("{\"log\":{\"entries\":[{\"request\":{\"method\":\"GET\",\"url\":\"https://x.example/i\"},"
	    "\"response\":{\"status\":200,\"headers\":[],\"content\":{\"mimeType\":\"image/png\","
	    "\"encoding\":\"base64\",\"text\":\"iVAATmc=\"}}}]}}",
	    &res);
	is_long(nrec, 1, "media: 1 exchange");
	is_str(recs[0].resp_body, NULL, "media: base64 of a 200 image not decoded");
	is_long((long)recs[0].resp_size, 5, "media: decoded size kept");
	ok(recs[0].extra && strstr(recs[0].extra, "\"contentTextSha256\":\"") != NULL,
	   "media: sha256 of the base64 text kept");
	ok(find_note(NOTE_SKIPPED, "not decoded from base64") != NULL, "media: a coverage note says so");

	/* a body over BODY_CAP */
	{
		size_t big = BODY_CAP + 1000;
		struct sbuf b = SBUF_INIT;
		char *fill = xmalloc(big + 1);
		memset(fill, 'a', big);
		fill[big] = '\0';
		sbuf_adds(&b, "{\"log\":{\"entries\":[{\"request\":{\"method\":\"GET\",\"url\":\"http://big/\","
			      "\"headers\":[]},\"response\":{\"status\":200,\"headers\":[],\"content\":{"
			      "\"mimeType\":\"text/plain\",\"text\":\"");
		sbuf_add(&b, fill, big);
		sbuf_adds(&b, "\"}}},{\"request\":{\"method\":\"GET\",\"url\":\"http://after/\"}}]}}");
		free(fill);
		run_len(b.data, b.len, &res);
		sbuf_release(&b);
		is_long(res.status, IMPORT_PARTIAL, "huge body: partial (cut to the cap)");
		ok(strstr(res.message, "1 bodies cut to 16 MiB") != NULL, "huge body: the cut in the message");
		is_long(nrec, 2, "huge body: both entries");
		ok(recs[0].resp_trunc && recs[0].resp_len == BODY_CAP, "huge body cut at BODY_CAP");
		is_long((long)recs[0].resp_size, (long)big, "huge body: full size recorded");
		ok(find_note(NOTE_TRUNCATED_BODY, "entry 1") != NULL, "huge body: truncated-body note");
		is_str(recs[1].host, "after", "entry after the huge one");
	}
}

static void test_pseudo_and_sanitized(void)
{
	struct import_result res;
	run("{\"log\":{\"creator\":{\"name\":\"WebInspector\",\"version\":\"537.36\"},\"entries\":["
	    "{\"request\":{\"method\":\"GET\",\"url\":\"/v2/items?x=1\",\"httpVersion\":\"h2\",\"headers\":["
	    "{\"name\":\":method\",\"value\":\"GET\"},{\"name\":\":authority\",\"value\":\"Shop.Example.com\"},"
	    "{\"name\":\":scheme\",\"value\":\"https\"},{\"name\":\":path\",\"value\":\"/v2/items?x=1\"}],"
	    "\"cookies\":[]},\"response\":{\"status\":200,\"headers\":[],\"cookies\":[]}}]}}",
	    &res);
	is_long(nrec, 1, "relative url: 1 exchange");
	is_str(recs[0].host, "shop.example.com", ":authority used as host");
	is_str(recs[0].url, "https://shop.example.com/v2/items?x=1", "url completed from :authority");
	ok(strstr(recs[0].reqh, ":path: /v2/items?x=1\n") != NULL, "pseudo-headers kept");
	ok(find_note(NOTE_SANITIZED, "not evidence") != NULL,
	   "chrome without cookies or credentials: sanitized note");
	is_long(count_notes(NOTE_SANITIZED), 1, "one sanitized note");

	run("{\"log\":{\"creator\":{\"name\":\"WebInspector\",\"version\":\"537.36\"},\"entries\":["
	    "{\"request\":{\"method\":\"GET\",\"url\":\"https://a/\",\"headers\":["
	    "{\"name\":\"Authorization\",\"value\":\"Bearer x\"}]},\"response\":{\"status\":200}}]}}",
	    &res);
	is_long(count_notes(NOTE_SANITIZED), 0, "chrome with Authorization: no sanitized note");

	run("{\"log\":{\"creator\":{\"name\":\"Firefox\",\"version\":\"120\"},\"entries\":["
	    "{\"request\":{\"method\":\"GET\",\"url\":\"https://a/\",\"headers\":[]},"
	    "\"response\":{\"status\":200}}]}}",
	    &res);
	is_long(count_notes(NOTE_SANITIZED), 0, "firefox: no sanitized note");
}

static void test_skips(void)
{
	struct import_result res;
	run("{\"log\":{\"entries\":[1,{\"a\":2},{\"request\":{\"method\" \"GET\"}},"
	    "{\"request\":{\"method\":\"GET\",\"url\":\"http://ok/\"}},\"x\",null]}}",
	    &res);
	is_long(res.status, IMPORT_PARTIAL, "odd entries: partial (an entry that is not JSON was skipped)");
	is_long(nrec, 1, "odd entries: the good one kept");
	is_str(recs[0].host, "ok", "odd entries: right one");
	is_long(recs[0].seq, 0, "odd entries: seq counts exchanges");
	ok(find_note(NOTE_SKIPPED, "entry 1 ") != NULL, "number entry skipped with its index");
	ok(find_note(NOTE_SKIPPED, "entry 2 ") != NULL, "entry without request skipped");
	ok(find_note(NOTE_SKIPPED, "entry 3 skipped: line 1, column ") != NULL,
	   "invalid JSON inside an entry skipped with position");
	ok(find_note(NOTE_SKIPPED, "entry 5 ") && find_note(NOTE_SKIPPED, "entry 6 "),
	   "string and null entries skipped");

	/* the sink aborts */
	reset();
	{
		struct hstream s;
		struct import_opts opts;
		const char *p = "{\"log\":{\"entries\":[{\"request\":{\"url\":\"http://a/\"}},"
				"{\"request\":{\"url\":\"http://b/\"}}]}}";
		int rc;
		memset(&opts, 0, sizeof(opts));
		abort_after = 1;
		hstream_open_mem(&s, p, strlen(p));
		rc = import_har(&s, &opts, &sink, &res);
		hstream_close(&s);
		is_long(rc, -1, "sink abort: -1");
		is_long(nemit, 2, "sink abort: stops at the failing emit");
	}
}

/* A HAR of n entries, pretty-printed over several lines each. */
static char *make_har(int n)
{
	struct sbuf b = SBUF_INIT;
	sbuf_adds(&b, "{\n  \"log\": {\n    \"version\": \"1.2\",\n"
		      "    \"creator\": {\"name\": \"gen\", \"version\": \"1\"},\n"
		      "    \"entries\": [\n");
	for (int i = 1; i <= n; i++)
		sbuf_addf(&b,
			  "      {\n        \"startedDateTime\": \"2024-05-06T07:08:09.010Z\",\n"
			  "        \"request\": {\"method\": \"GET\", \"url\": \"https://h%d.example/p\","
			  " \"headers\": [{\"name\": \"x-n\", \"value\": \"%d\"}]},\n"
			  "        \"response\": {\"status\": 200, \"headers\": [],"
			  " \"content\": {\"mimeType\": \"text/plain\", \"text\": \"body \\\"%d\\\" [}\"}}\n"
			  "      }%s\n",
			  i, i, i, i < n ? "," : "");
	sbuf_adds(&b, "    ]\n  }\n}\n");
	return sbuf_detach(&b, NULL);
}

/* Offset of the start of entry k (1-based) in a make_har() text. */
static size_t entry_offset(const char *har, int k)
{
	char needle[64];
	const char *p;
	snprintf(needle, sizeof(needle), "\"https://h%d.example/p\"", k);
	p = strstr(har, needle);
	while (p > har && *p != '{')
		p--;
	p--;
	while (p > har && *p != '{')
		p--;
	return (size_t)(p - har);
}

static void test_truncated(void)
{
	struct import_result res;
	char *har = make_har(50);
	size_t len = strlen(har), cut;
	long line = 1, col = 1;
	char want[160];
	int rc;

	rc = run_len(har, len, &res);
	is_long(res.status, IMPORT_OK, "50 entries: OK");
	is_long(res.exchanges, 50, "50 entries: all kept");

	/* cut in the middle of entry 40 */
	cut = entry_offset(har, 40) + 150;
	rc = run_len(har, cut, &res);
	is_long(rc, 0, "cut in entry 40: returns 0");
	is_long(res.status, IMPORT_PARTIAL, "cut in entry 40: partial");
	is_long(res.exchanges, 39, "cut in entry 40: 39 exchanges");
	is_long(nrec, 39, "cut in entry 40: 39 emitted");
	for (size_t i = 0; i < cut; i++) {
		if (har[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(want, sizeof(want),
		 "line %ld, column %ld: file ends inside entry 40 (39 complete entries kept)", line,
		 col);
	is_str(res.message, want, "cut in entry 40: message with position of the end");
	ok(find_note(NOTE_TRUNCATED_FILE, "entry 40") != NULL, "cut in entry 40: truncated-file note");

	/* cut inside a string with an escape right at the end */
	cut = (size_t)(strstr(har, "body \\\"7") - har) + 6;
	run_len(har, cut, &res);
	is_long(res.status, IMPORT_PARTIAL, "cut after a backslash: partial");
	is_long(res.exchanges, 6, "cut after a backslash: 6 exchanges");

	/* cut right after the comma that follows entry 10 */
	cut = entry_offset(har, 11);
	run_len(har, cut, &res);
	is_long(res.status, IMPORT_PARTIAL, "cut between entries: partial");
	is_long(res.exchanges, 10, "cut between entries: 10 exchanges");
	ok(strstr(res.message, "(10 complete entries kept)") != NULL, "cut between entries: message");

	/* cut after the entries array but before the end of the log */
	cut = (size_t)(strstr(har, "    ]\n  }") - har) + 6;
	run_len(har, cut, &res);
	is_long(res.status, IMPORT_PARTIAL, "cut after entries: partial");
	is_long(res.exchanges, 50, "cut after entries: all 50 kept");

	/* cut before the entries */
	cut = (size_t)(strstr(har, "\"creator\"") - har) + 20;
	run_len(har, cut, &res);
	is_long(res.status, IMPORT_PARTIAL, "cut before entries: partial");
	is_long(res.exchanges, 0, "cut before entries: nothing");
	ok(strncmp(res.message, "line 4, column 25: file ends before the first entry", 51) == 0,
	   "cut before entries: message '%s'", res.message);

	/* garbage between entries */
	{
		char *bad = xstrdup(har);
		char *p = bad + entry_offset(har, 21) - 8;
		while (*p != ',')
			p++;
		*p = ';';
		run(bad, &res);
		is_long(res.status, IMPORT_PARTIAL, "';' between entries: partial");
		is_long(res.exchanges, 20, "';' between entries: 20 kept");
		ok(strstr(res.message, "expected ',' or ']' after entry 20") != NULL,
		   "';' between entries: message '%s'", res.message);
		free(bad);
	}
	/* a stray quote: the scanner sees a string up to the end of the file */
	{
		char *p = strstr(har, "\"https://h21.example/p\"");
		struct sbuf b = SBUF_INIT;
		long l = 1;
		for (const char *q = har; q < p; q++)
			l += *q == '\n';
		sbuf_add(&b, har, (size_t)(p - har));
		sbuf_addc(&b, '"');
		sbuf_adds(&b, p);
		run(b.data, &res);
		sbuf_release(&b);
		is_long(res.status, IMPORT_PARTIAL, "stray quote in entry 21: partial");
		is_long(res.exchanges, 20, "stray quote in entry 21: 20 kept");
		snprintf(want, sizeof(want), "line %ld, column ", l);
		ok(strncmp(res.message, want, strlen(want)) == 0 &&
			   strstr(res.message, "invalid JSON in entry 21") != NULL,
		   "stray quote in entry 21: position of the error, not of the end '%s'", res.message);
		ok(find_note(NOTE_SKIPPED, "entry 21") && !find_note(NOTE_TRUNCATED_FILE, NULL),
		   "stray quote in entry 21: a skipped note, not a truncated-file note");
	}
	free(har);
}

/* A stream of a HAR whose first entry carries a string of `fill` bytes,
 * produced on the fly so the test does not hold it in memory. */
struct bigsrc {
	const char *head, *tail;
	size_t fill, off;
};

static ssize_t big_read(void *ctx, void *buf, size_t n)
{
	struct bigsrc *b = ctx;
	size_t hl = strlen(b->head), tl = strlen(b->tail), total = hl + b->fill + tl, k = 0;
	unsigned char *out = buf;
	while (k < n && b->off < total) {
		size_t chunk;
		if (b->off < hl) {
			chunk = hl - b->off < n - k ? hl - b->off : n - k;
			memcpy(out + k, b->head + b->off, chunk);
		} else if (b->off < hl + b->fill) {
			chunk = hl + b->fill - b->off < n - k ? hl + b->fill - b->off : n - k;
			memset(out + k, 'a', chunk);
		} else {
			chunk = total - b->off < n - k ? total - b->off : n - k;
			memcpy(out + k, b->tail + (b->off - hl - b->fill), chunk);
		}
		k += chunk;
		b->off += chunk;
	}
	return (ssize_t)k;
}

static void test_oversized_entry(void)
{
	struct import_result res;
	struct hstream s;
	struct import_opts opts;
	struct bigsrc b = {"{\"log\":{\"entries\":[{\"request\":{\"url\":\"http://first/\"}},"
			   "{\"request\":{\"url\":\"http://huge/\"},\"_pad\":\"",
			   "\\\"]}\"},{\"request\":{\"url\":\"http://last/\"}}]}}",
			   ((size_t)256 << 20) + 4096, 0};
	reset();
	memset(&opts, 0, sizeof(opts));
	hstream_open_fn(&s, big_read, &b);
	import_har(&s, &opts, &sink, &res);
	hstream_close(&s);
	is_long(res.status, IMPORT_PARTIAL, "entry over 256 MiB: partial (the entry was skipped)");
	is_long(nrec, 2, "entry over 256 MiB: the entries around it kept");
	ok(nrec == 2 && strcmp(recs[0].host, "first") == 0 && strcmp(recs[1].host, "last") == 0,
	   "entry over 256 MiB: first and last");
	ok(find_note(NOTE_SKIPPED, "entry 2 is larger than 256 MiB") != NULL,
	   "entry over 256 MiB: skipped with a note");
}

/* Bodies longer than LIFT_STREAM (4 MiB) are decoded and cut from the read
 * buffer while scanned; escapes, UTF-8 and surrogate pairs cut by 7-byte
 * reads still decode as jansson would, and an invalid one skips the entry. */
static void test_lifted_long_body(void)
{
	static const char unit[] = "ab\\\"c\\n\\u00e9\\ud83d\\ude00\xc3\xa9|";
	static const char dec[] = "ab\"c\n\xc3\xa9\xf0\x9f\x98\x80\xc3\xa9|";
	size_t reps = ((size_t)5 << 20) / (sizeof(unit) - 1) + 1, i;
	struct sbuf in = SBUF_INIT, want = SBUF_INIT;
	struct import_result res;

	sbuf_adds(&in, "{\"log\":{\"entries\":[{\"request\":{\"method\":\"POST\",\"url\":\"http://a/\","
		       "\"postData\":{\"mimeType\":\"text/plain\",\"text\":\"");
	for (i = 0; i < reps; i++) {
		sbuf_add(&in, unit, sizeof(unit) - 1);
		sbuf_add(&want, dec, sizeof(dec) - 1);
	}
	sbuf_adds(&in, "\"}},\"response\":{\"status\":500,\"content\":{\"mimeType\":\"text/plain\","
		       "\"text\":\"short\"}}},{\"request\":{\"url\":\"http://b/\"},\"response\":{\"status\":200,"
		       "\"content\":{\"text\":\"x\\ud800y\"}}}]}}");
	run_trickle(in.data, &res);
	is_long(nrec, 2, "long body: both entries kept");
	ok(nrec >= 1 && recs[0].req_len == want.len && memcmp(recs[0].req_body, want.data, want.len) == 0,
	   "long body: decoded like jansson across every read boundary");
	is_str(nrec >= 1 ? recs[0].resp_body : NULL, "short", "long body: the rest of the entry parsed");
	ok(find_note(NOTE_SKIPPED, "entry 2: 1 invalid UTF-8 sequences or escapes replaced with U+FFFD") != NULL,
	   "a lone surrogate in a short lifted string: replaced with U+FFFD and noted");
	is_str(nrec >= 2 ? recs[1].resp_body : NULL, "x\xef\xbf\xbdy", "the lone surrogate became U+FFFD");
	is_long(res.status, IMPORT_PARTIAL, "a replaced escape makes the source partial");

	/* the same with a bad escape in the long string: the entry is skipped */
	sbuf_reset(&in);
	sbuf_adds(&in, "{\"log\":{\"entries\":[{\"request\":{\"url\":\"http://a/\"},\"response\":{"
		       "\"status\":200,\"content\":{\"text\":\"");
	for (i = 0; i < reps; i++)
		sbuf_add(&in, unit, sizeof(unit) - 1);
	sbuf_adds(&in, "\\q\"}}},{\"request\":{\"url\":\"http://c/\"}}]}}");
	run(in.data, &res);
	is_long(nrec, 2, "bad long body: both entries kept");
	ok(find_note(NOTE_SKIPPED, "entry 1: 1 invalid UTF-8 sequences or escapes replaced with U+FFFD") != NULL,
	   "bad long body: the bad escape replaced and noted");
	sbuf_release(&in);
	sbuf_release(&want);
}

static void test_not_json(void)
{
	struct import_result res;
	run("hello world\n", &res);
	is_long(res.status, IMPORT_ERROR, "prose: error");
	ok(strncmp(res.message, "line 1, column 1: not JSON", 26) == 0, "prose: message '%s'",
	   res.message);

	run("{\n  \"log\":{\n    \"version\":\"1.1\",\n    \"creator\":{\n      \"name\":\"Firebug\"\n"
	    "    }\n    xxx\n  }\n}\n",
	    &res);
	is_long(res.status, IMPORT_ERROR, "broken log: error");
	ok(strncmp(res.message, "line 7, column ", 15) == 0, "broken log: position '%s'",
	   res.message);

	run("{\"log\":\n[\n    2,1,3\n]\n\"request:\"}", &res);
	is_long(res.status, IMPORT_ERROR, "log as an array: error");
	ok(strncmp(res.message, "line 5, column ", 15) == 0, "log as an array: position '%s'",
	   res.message);

	run("  \n\t", &res);
	is_long(res.status, IMPORT_ERROR, "whitespace only: error");
}

static void test_json_api(void)
{
	struct import_result res;
	json_error_t err;
	json_t *root = json_loads("{\"method\":\"GET\",\"url\":\"https://insomnia.rest/foo/bar\","
				  "\"httpVersion\":\"HTTP/1.1\",\"comment\":\"My Request\"}",
				  0, &err);
	struct import_opts opts;
	memset(&opts, 0, sizeof(opts));
	reset();
	import_har_json(root, &opts, &sink, &res);
	json_decref(root);
	is_long(res.status, IMPORT_OK, "bare request: OK");
	is_long(nrec, 1, "bare request: one exchange");
	is_str(recs[0].host, "insomnia.rest", "bare request: host");
	is_long(recs[0].status, STATUS_UNKNOWN, "bare request: no response, status unknown");
}

/* Headers arrays read by the entry scanner give what jansson's reading
 * gives, for the plain shape it takes and for every shape it leaves to
 * jansson. */
static void test_lifted_headers(void)
{
	static const char *const arrays[] = {
		"[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"b\",\"value\":\"two\"}]",
		"[ {\"value\" : \"1\" , \"name\" : \"A\"} ,\n {\"name\":\"Cookie\",\"value\":\"s=1\"} ]",
		"[{\"name\":\"X-Q\",\"value\":\"a\\\"b\\\\c\\u00e9\"}]",
		"[{\"name\":\"A\",\"value\":\"1\",\"comment\":\"\"}]",
		"[{\"name\":\"A\",\"value\":42},{\"name\":\"B\",\"value\":true}]",
		"[{\"name\":\"\",\"value\":\"x\"},{\"name\":\"C\",\"value\":\"\"}]",
		"[{\"name\":\"A\",\"name\":\"B\",\"value\":\"1\"}]",
		"[]",
		"[ \n ]",
		"[{\"name\":\"Acc\xC3\xA9pt\",\"value\":\"caf\xC3\xA9\"}]",
		"[{\"name\":\"A\"}]",
		"[{\"name\":\"A\",\"value\":{\"x\":1}}]",
		"[{}]",
		"[{\"name\":\"A\",\"value\":\"1\"},]",
	};
	int bad = 0;
	for (size_t k = 0; k < sizeof(arrays) / sizeof(arrays[0]); k++) {
		char *doc = xasprintf("{\"log\":{\"version\":\"1.2\",\"entries\":[{\"startedDateTime\":"
				      "\"2024-01-01T00:00:00Z\",\"request\":{\"method\":\"GET\",\"url\":"
				      "\"https://a.example/\",\"headers\":%s},\"response\":{\"status\":"
				      "200,\"headers\":%s,\"content\":{\"text\":\"ok\"}}}]}}",
				      arrays[k], arrays[k]);
		struct import_result res;
		struct import_opts o;
		char *req = NULL, *resp = NULL;
		long n1, notes1;
		json_t *root;
		reset();
		run(doc, &res);
		n1 = nrec;
		notes1 = nnote;
		if (nrec == 1) {
			req = xstrdup(recs[0].reqh);
			resp = xstrdup(recs[0].resph);
		}
		reset();
		root = json_loads(doc, JSON_ALLOW_NUL, NULL);
		memset(&o, 0, sizeof(o));
		memset(&res, 0, sizeof(res));
		if (root)
			import_har_json(root, &o, &sink, &res);
		if (root)
			json_decref(root);
		if (!root ? n1 != 0 : n1 != nrec || notes1 != nnote ||
		    (nrec == 1 && (strcmp(req, recs[0].reqh) != 0 || strcmp(resp, recs[0].resph) != 0))) {
			bad++;
			diag("headers %s: streamed %ld exchanges '%s', whole %ld '%s'", arrays[k], n1,
			     req ? req : "", nrec, nrec == 1 ? recs[0].reqh : "");
		}
		free(req);
		free(resp);
		free(doc);
		reset();
	}
	ok(bad == 0, "headers read by the scanner equal jansson's reading (%d differ)", bad);
}

int main(void)
{
	test_basic();
	test_lifted_headers();
	test_framing();
	test_status_and_errors();
	test_bodies();
	test_pseudo_and_sanitized();
	test_skips();
	test_truncated();
	test_oversized_entry();
	test_lifted_long_body();
	test_not_json();
	test_json_api();
	reset();
	return done_testing();
}
