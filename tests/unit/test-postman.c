/* test-postman.c - Postman / newman / Insomnia importer unit tests. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "import.h"
#include "util.h"
#include "tap.h"
#include "testutil.h"

/* What the tests look at of one emitted exchange. */
struct rec {
	long seq;
	char *name, *method, *url, *host, *status_text, *error, *extra;
	int status;
	char *req_headers, *resp_headers, *req_body, *resp_body, *transcript;
	size_t resp_len;
	long long resp_size;
	int resp_truncated;
	char *resp_mime;
	double total;
};

struct note {
	enum note_kind kind;
	long seq;
	char *msg;
};

struct collect {
	struct rec r[64];
	int n;
	struct note notes[64];
	int nn;
};

static int sink_emit(void *ctx, struct exchange *ex)
{
	struct collect *c = ctx;
	struct rec *r;
	struct sbuf t = SBUF_INIT;

	if (c->n >= 64)
		return -1;
	r = &c->r[c->n++];
	r->seq = ex->seq;
	r->name = dup_or_null(ex->name);
	r->method = dup_or_null(ex->method);
	r->url = dup_or_null(ex->url);
	r->host = dup_or_null(ex->host);
	r->status = ex->status;
	r->status_text = dup_or_null(ex->status_text);
	r->error = dup_or_null(ex->error);
	r->extra = dup_or_null(ex->extra);
	r->req_headers = join_headers(&ex->req_headers);
	r->resp_headers = join_headers(&ex->resp_headers);
	r->req_body = dup_or_null(ex->req_body.data);
	r->resp_body = dup_or_null(ex->resp_body.data);
	r->resp_len = ex->resp_body.len;
	r->resp_size = ex->resp_body.size;
	r->resp_truncated = ex->resp_body.truncated;
	r->resp_mime = dup_or_null(ex->resp_body.mime);
	r->total = ex->timings.total;
	for (size_t i = 0; i < ex->transcript.n; i++)
		sbuf_addf(&t, "%s\n", ex->transcript.v[i]);
	r->transcript = t.data ? sbuf_detach(&t, NULL) : xstrdup("");
	return 0;
}

static void sink_note(void *ctx, enum note_kind kind, long seq, const char *msg)
{
	struct collect *c = ctx;
	if (c->nn >= 64)
		return;
	c->notes[c->nn].kind = kind;
	c->notes[c->nn].seq = seq;
	c->notes[c->nn].msg = xstrdup(msg);
	c->nn++;
}

static void collect_release(struct collect *c)
{
	for (int i = 0; i < c->n; i++) {
		struct rec *r = &c->r[i];
		free(r->name);
		free(r->method);
		free(r->url);
		free(r->host);
		free(r->status_text);
		free(r->error);
		free(r->extra);
		free(r->req_headers);
		free(r->resp_headers);
		free(r->req_body);
		free(r->resp_body);
		free(r->resp_mime);
		free(r->transcript);
	}
	for (int i = 0; i < c->nn; i++)
		free(c->notes[i].msg);
	memset(c, 0, sizeof(*c));
}

/* Has a note of kind on seq whose text contains s? */
static int has_note(const struct collect *c, enum note_kind kind, long seq, const char *s)
{
	for (int i = 0; i < c->nn; i++)
		if (c->notes[i].kind == kind && c->notes[i].seq == seq && strstr(c->notes[i].msg, s))
			return 1;
	return 0;
}

static int count_notes(const struct collect *c, enum note_kind kind, long seq)
{
	int n = 0;
	for (int i = 0; i < c->nn; i++)
		if (c->notes[i].kind == kind && c->notes[i].seq == seq)
			n++;
	return n;
}

static char *fixture(const char *name)
{
	const char *src = getenv("srcdir");
	return xasprintf("%s/tests/fixtures/postman/%s", src ? src : "..", name);
}

static json_t *load_fixture(const char *name)
{
	char *p = fixture(name);
	json_error_t e;
	json_t *j = json_load_file(p, 0, &e);
	if (!j)
		diag("cannot load %s: %s", p, e.text);
	free(p);
	return j;
}

/* Import fixture name as fmt (FMT_UNKNOWN: classify with postman_classify). */
static int run(const char *name, enum capture_format fmt, const char *const *env,
	       struct collect *c, struct import_result *res)
{
	json_t *root = load_fixture(name);
	struct import_opts opts = { FMT_UNKNOWN, env, 0 };
	struct import_sink sink = { sink_emit, sink_note, c };
	int rc;

	memset(c, 0, sizeof(*c));
	if (!root)
		return -2;
	if (fmt == FMT_UNKNOWN)
		fmt = postman_classify(root);
	rc = import_postman_json(root, fmt, &opts, &sink, res);
	json_decref(root);
	return rc;
}

static const struct rec *find(const struct collect *c, const char *name)
{
	for (int i = 0; i < c->n; i++)
		if (c->r[i].name && strcmp(c->r[i].name, name) == 0)
			return &c->r[i];
	return NULL;
}

static int contains(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

static void test_classify(void)
{
	static const struct {
		const char *json;
		enum capture_format want;
	} cases[] = {
		{ "{\"info\":{\"schema\":\"https://schema.getpostman.com/json/collection/v2.1.0/collection.json\"},\"item\":[]}", FMT_POSTMAN },
		{ "{\"info\":{\"name\":\"x\"},\"item\":\"bad\"}", FMT_POSTMAN },
		{ "{\"item\":[]}", FMT_POSTMAN },
		{ "{\"collection\":{\"info\":{\"name\":\"x\"},\"item\":[]}}", FMT_POSTMAN },
		{ "{\"id\":\"1\",\"name\":\"v1\",\"order\":[],\"requests\":[]}", FMT_POSTMAN },
		{ "{\"version\":1,\"collections\":[],\"environments\":[]}", FMT_POSTMAN },
		{ "{\"name\":\"e\",\"values\":[]}", FMT_POSTMAN_ENV },
		{ "{\"values\":[],\"_postman_variable_scope\":\"globals\"}", FMT_POSTMAN_ENV },
		{ "[{\"key\":\"a\",\"value\":\"b\",\"enabled\":true}]", FMT_POSTMAN_ENV },
		{ "{\"run\":{\"executions\":[]}}", FMT_NEWMAN },
		{ "{\"_type\":\"export\",\"__export_format\":4,\"resources\":[]}", FMT_INSOMNIA },
		{ "{\"values\":[1,2]}", FMT_UNKNOWN },
		{ "[1,2,3]", FMT_UNKNOWN },
		{ "{\"summary\":{},\"results\":[]}", FMT_UNKNOWN },
		{ "{\"requests\":5}", FMT_UNKNOWN },
		{ "{\"id\":7,\"values\":[1,2]}", FMT_UNKNOWN },
		{ "{\"name\":\"chart\",\"values\":[{\"x\":1}]}", FMT_UNKNOWN },
		{ "{\"item\":[{\"sku\":\"a\"}]}", FMT_UNKNOWN },
		{ "{\"name\":\"n\",\"requests\":[{\"id\":1}]}", FMT_UNKNOWN },
		{ "[{\"key\":\"a\"}]", FMT_UNKNOWN },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = json_loads(cases[i].json, JSON_DECODE_ANY, NULL);
		is_long(postman_classify(j), cases[i].want, cases[i].json);
		json_decref(j);
	}
}

static void test_v21(void)
{
	struct collect c;
	struct import_result res;
	const struct rec *r;
	char *env = fixture("shop.postman_environment.json");
	char *glob = fixture("shop.postman_globals.json");
	const char *envs[] = { glob, env, NULL };

	is_long(run("v21-folders.postman_collection.json", FMT_UNKNOWN, envs, &c, &res), 0,
		"v2.1: import returns 0");
	is_long(res.status, IMPORT_OK, "v2.1: status ok");
	is_long(res.exchanges, 7, "v2.1: two examples + five requests");
	is_long(c.n, 7, "v2.1: seven exchanges emitted");
	ok(has_note(&c, NOTE_SKIPPED, -1, "'Plain string request'") == 0,
	   "v2.1: plain string request is not skipped");
	ok(count_notes(&c, NOTE_SKIPPED, -1) == 2, "v2.1: two malformed items skipped (%d)",
	   count_notes(&c, NOTE_SKIPPED, -1));
	ok(has_note(&c, NOTE_SKIPPED, -1, "item without a request skipped: 'broken'"), "v2.1: number request skipped");

	r = &c.r[0];
	is_str(r->name, "Users / Admin / Create user", "v2.1: folder path as name");
	is_long(r->seq, 0, "v2.1: first seq 0");
	is_long(r->status, 403, "v2.1: example status");
	is_str(r->status_text, "Forbidden", "v2.1: example status text");
	/* originalRequest, with baseUrl from the environment (env > collection > globals) */
	is_str(r->url, "https://staging.example.com/v1/users/admins", "v2.1: originalRequest url resolved");
	is_str(r->host, "staging.example.com", "v2.1: host of resolved url");
	is_str(r->method, "POST", "v2.1: method");
	is_str(r->resp_body, "{\"error\":\"forbidden\"}", "v2.1: example body");
	is_str(r->resp_mime, "application/json", "v2.1: mime from preview language");
	ok(r->total == 87.0, "v2.1: responseTime string -> timings.total");
	ok(contains(r->resp_headers, "x-request-id: req-123\n"), "v2.1: example headers");
	ok(contains(r->req_headers, "Authorization: Bearer env-token\n"),
	   "v2.1: collection bearer auth inherited, last enabled duplicate wins");
	ok(contains(r->extra, "\"url_template\":\"{{baseUrl}}/v1/users/admins\""), "v2.1: url template kept");
	ok(contains(r->extra, "\"example\":\"Forbidden\""), "v2.1: example name kept");

	r = &c.r[1];
	is_str(r->name, "Users / Admin / Create user", "v2.1: second example same name");
	is_long(r->status, 201, "v2.1: second example status");
	/* no originalRequest: the item request, path variable and nested variables */
	is_str(r->url, "https://staging.example.com/v1/users/admins?verbose=1",
	       "v2.1: :group path variable and recursive {{root}}");
	is_str(r->req_body, "{\"name\":\"bob\"}", "v2.1: raw body resolved from globals");
	ok(contains(r->resp_headers, "Location: /v1/users/9\n"), "v2.1: response header string");
	ok(!contains(r->req_headers, "X-Debug"), "v2.1: disabled header skipped");
	ok(contains(r->req_headers, "X-Trace: {{$guid}}\n"), "v2.1: dynamic variable kept literally");
	ok(has_note(&c, NOTE_UNRESOLVED_VAR, 1, "{{$guid}} in header X-Trace"),
	   "v2.1: dynamic variable noted unresolved");
	is_long(count_notes(&c, NOTE_UNRESOLVED_VAR, 1), 1, "v2.1: one unresolved note for exchange 1");

	r = find(&c, "Users / List users");
	ok(r != NULL, "v2.1: list users present");
	if (r) {
		is_long(r->status, STATUS_UNKNOWN, "v2.1: request without example: status unknown");
		is_str(r->url, "https://api.example.com/v1/users?page=2", "v2.1: url built from parts");
		ok(contains(r->req_headers, "X-Api-Key: glob-key\n"),
		   "v2.1: apikey auth header, value resolved through globals");
		ok(contains(r->req_headers, "Accept: application/json\n") &&
		   !contains(r->req_headers, "X-Old"), "v2.1: header string, // line disabled");
		ok(!contains(r->req_headers, "Authorization"), "v2.1: item auth overrides collection auth");
	}
	r = find(&c, "Login form");
	ok(r != NULL, "v2.1: login form present");
	if (r) {
		ok(contains(r->req_headers, "Authorization: Basic YWxpY2U6czNjcmV0\n"), "v2.1: basic auth header");
		is_str(r->req_body, "grant_type=password", "v2.1: urlencoded body, disabled skipped");
	}
	r = find(&c, "Upload");
	ok(r && !contains(r->req_headers, "Authorization"), "v2.1: noauth");
	ok(r && r->req_body && strcmp(r->req_body, "note=hi&file=@/tmp/a.png") == 0, "v2.1: formdata body");
	r = find(&c, "GraphQL");
	ok(r != NULL, "v2.1: graphql present");
	if (r) {
		is_str(r->req_body, "{\"query\":\"{ me { id } }\",\"variables\":{\"a\":1}}", "v2.1: graphql body");
		is_str(r->url, "{{missingHost}}/graphql", "v2.1: unresolved url kept literally");
		ok(has_note(&c, NOTE_UNRESOLVED_VAR, r->seq, "{{missingHost}} in url"), "v2.1: unresolved url noted");
	}
	r = find(&c, "Plain string request");
	ok(r && r->url && strcmp(r->url, "http://postman-echo.com/get") == 0,
	   "v2.1: request as string, scheme defaults to http");
	ok(r && r->method && strcmp(r->method, "GET") == 0, "v2.1: request as string is GET");
	collect_release(&c);

	/* without environment: collection variables, then globals */
	run("v21-folders.postman_collection.json", FMT_POSTMAN, NULL, &c, &res);
	is_str(c.r[0].url, "https://collection.example.com/v1/users/admins",
	       "v2.1: no env: collection variable");
	ok(contains(c.r[0].req_headers, "Authorization: Bearer {{token}}\n"),
	   "v2.1: no env: token kept literally");
	ok(has_note(&c, NOTE_UNRESOLVED_VAR, 0, "{{token}} in auth"), "v2.1: no env: token noted");
	collect_release(&c);

	/* globals only: collection beats globals */
	{
		const char *g[] = { glob, NULL };
		run("v21-folders.postman_collection.json", FMT_POSTMAN, g, &c, &res);
		is_str(c.r[0].url, "https://collection.example.com/v1/users/admins",
		       "v2.1: collection variable beats globals");
		collect_release(&c);
	}
	/* a UTF-16LE environment file with BOM */
	{
		char *u16 = fixture("utf16le.postman_environment.json");
		const char *e16[] = { u16, NULL };
		run("v21-folders.postman_collection.json", FMT_POSTMAN, e16, &c, &res);
		is_str(c.r[0].url, "https://utf16.example.com/v1/users/admins", "v2.1: UTF-16LE environment");
		collect_release(&c);
		free(u16);
	}
	/* a broken environment file is noted without quoting its text */
	{
		char *bad = fixture("broken.postman_environment.json");
		const char *eb[] = { bad, NULL };
		run("v21-folders.postman_collection.json", FMT_POSTMAN, eb, &c, &res);
		ok(has_note(&c, NOTE_SKIPPED, -1, "environment file 'broken.postman_environment.json' not used: line 1"),
		   "v2.1: broken env file noted with its position");
		ok(!has_note(&c, NOTE_SKIPPED, -1, "sk-live") && !has_note(&c, NOTE_SKIPPED, -1, "oops"),
		   "v2.1: broken env file note does not quote the file");
		collect_release(&c);
		free(bad);
	}
	/* a missing environment file is noted, not fatal */
	{
		const char *missing[] = { "/nonexistent/x.postman_environment.json", NULL };
		run("v21-folders.postman_collection.json", FMT_POSTMAN, missing, &c, &res);
		is_long(res.status, IMPORT_OK, "v2.1: missing env file: still ok");
		ok(has_note(&c, NOTE_SKIPPED, -1, "environment file 'x.postman_environment.json' not used"),
		   "v2.1: missing env file noted");
		collect_release(&c);
	}
	free(env);
	free(glob);
}

static void test_v20_v1_dump(void)
{
	struct collect c;
	struct import_result res;
	const struct rec *r;

	run("v20-envelope.json", FMT_UNKNOWN, NULL, &c, &res);
	is_long(res.status, IMPORT_OK, "v2.0 envelope: ok");
	is_long(c.n, 2, "v2.0 envelope: two exchanges");
	is_long(c.r[0].status, 200, "v2.0: code as string");
	ok(contains(c.r[0].req_headers, "Authorization: Basic cG9zdG1hbjpwYXNzd29yZA==\n"),
	   "v2.0: basic auth params as object");
	is_long(c.r[1].status, STATUS_UNKNOWN, "v2.0: no example: unknown");
	ok(contains(c.r[1].extra, "\"auth\":\"digest\""), "v2.0: digest auth type kept in extra");
	collect_release(&c);

	run("v1-folders.json", FMT_UNKNOWN, NULL, &c, &res);
	is_long(res.status, IMPORT_OK, "v1: ok");
	is_long(c.n, 3, "v1: three exchanges");
	r = find(&c, "Outer / Get thing");
	ok(r != NULL, "v1: folder path from order");
	if (r) {
		is_long(r->status, 404, "v1: responseCode");
		is_str(r->status_text, "Not Found", "v1: responseCode name");
		is_str(r->url, "https://v1.example.com/things/42", "v1: path variable");
		is_str(r->resp_body, "{\"error\":\"no thing\"}", "v1: response text");
		ok(contains(r->req_headers, "Accept: application/json\n") &&
		   !contains(r->req_headers, "X-Disabled"), "v1: header string, // disabled");
		ok(r->total == 31.0, "v1: time");
	}
	r = find(&c, "Outer / Inner / Post form");
	ok(r != NULL, "v1: nested folder through folders_order");
	if (r) {
		is_str(r->req_body, "a=1", "v1: urlencoded, enabled:false skipped");
		ok(contains(r->req_headers, "Authorization: Basic dTpw\n"), "v1: basicAuth helper");
	}
	r = find(&c, "Raw");
	ok(r != NULL, "v1: root request");
	if (r) {
		is_str(r->req_body, "hello {{who}}", "v1: raw body, unresolved kept");
		is_str(r->url, "http://v1.example.com/raw", "v1: scheme-less url");
	}
	collect_release(&c);

	run("data-dump.json", FMT_UNKNOWN, NULL, &c, &res);
	is_long(res.status, IMPORT_OK, "dump: ok");
	is_long(c.n, 1, "dump: one exchange");
	is_str(c.r[0].url, "https://dump.example.com/ping", "dump: environment of the dump used");
	is_str(c.r[0].name, "Dumped / Ping", "dump: collection name prefixes the path");
	collect_release(&c);
}

static void test_broken(void)
{
	struct collect c;
	struct import_result res;

	run("malformed-item.json", FMT_UNKNOWN, NULL, &c, &res);
	is_long(res.format, FMT_POSTMAN, "malformed: classified postman");
	is_long(res.status, IMPORT_ERROR, "malformed: error");
	is_str(res.message, "'item' is a string, expected an array", "malformed: message");
	collect_release(&c);

	run("invalid-schema.json", FMT_UNKNOWN, NULL, &c, &res);
	is_long(res.status, IMPORT_ERROR, "invalid schema: error");
	ok(contains(res.message, "unsupported collection schema") && contains(res.message, "v9.0.0"),
	   "invalid schema: message names the schema");
	collect_release(&c);

	/* an environment file imports no exchange */
	run("shop.postman_environment.json", FMT_UNKNOWN, NULL, &c, &res);
	is_long(res.format, FMT_POSTMAN_ENV, "env: classified");
	is_long(res.status, IMPORT_OK, "env: ok");
	is_long(res.exchanges, 0, "env: no exchange");
	ok(has_note(&c, NOTE_INFO, -1, "environment 'staging': 3 enabled variables (baseUrl, token, apiKey)"),
	   "env: note lists variable names");
	ok(!has_note(&c, NOTE_INFO, -1, "env-token"), "env: values not in the note");
	collect_release(&c);
	run("shop.postman_globals.json", FMT_UNKNOWN, NULL, &c, &res);
	is_long(res.format, FMT_POSTMAN_ENV, "globals array: classified env");
	ok(has_note(&c, NOTE_INFO, -1, "globals: 3 enabled variables"), "globals: note");
	collect_release(&c);
}

static void test_newman(void)
{
	struct collect c;
	struct import_result res;
	const struct rec *r;

	run("newman-run.json", FMT_UNKNOWN, NULL, &c, &res);
	is_long(res.format, FMT_NEWMAN, "newman: classified");
	is_long(res.status, IMPORT_OK, "newman: ok");
	is_long(c.n, 4, "newman: four executions");
	r = &c.r[0];
	is_str(r->name, "hello", "newman: item name");
	is_str(r->url, "http://127.0.0.1:18080/hello?x=1", "newman: url from parts");
	is_long(r->status, 404, "newman: status");
	is_str(r->resp_body, "{\"error\":\"nope\",\"msg\":\"caf\xc3\xa9\"}", "newman: Buffer decoded");
	is_long((long)r->resp_len, 30, "newman: Buffer length");
	is_str(r->resp_mime, "application/json", "newman: content type");
	ok(r->total == 12.0, "newman: responseTime");
	is_str(r->transcript,
	       "assertion failed: Status code is 200: expected response to have status code 200 but got 404\n",
	       "newman: failed assertion in transcript, passed one not");
	r = &c.r[1];
	is_long(r->status, STATUS_NONE, "newman: requestError -> status 0");
	is_str(r->error, "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9", "newman: error text");
	is_str(r->req_body, "{\"a\":1}", "newman: request body");
	is_str(r->method, "POST", "newman: method");
	r = &c.r[2];
	is_str(r->error, "ESOCKETTIMEDOUT", "newman: timeout error");
	is_str(r->url, "https://api.example.com/slow", "newman: url without port");
	r = &c.r[3];
	is_str(r->resp_body, "plain body", "newman 3: body string");
	is_str(r->url, "https://postman-echo.com/get?a=b", "newman 3: url string");
	collect_release(&c);
}

static void test_newman_buffer_cap(void)
{
	/* a Buffer longer than BODY_CAP is cut and marked truncated */
	json_t *root = json_pack("{s:{s:[{s:{s:s},s:{s:s,s:s},s:{s:i,s:{s:s,s:o}}}]}}", "run",
				 "executions", "item", "name", "big", "request", "url",
				 "http://h/", "method", "GET", "response", "code", 200, "stream",
				 "type", "Buffer", "data", json_array());
	json_t *data = json_object_get(json_object_get(json_object_get(json_array_get(
		json_object_get(json_object_get(root, "run"), "executions"), 0), "response"), "stream"), "data");
	struct collect c;
	struct import_result res;
	struct import_opts opts = { FMT_UNKNOWN, NULL, 0 };
	struct import_sink sink = { sink_emit, sink_note, &c };
	json_t *one = json_integer(65);
	size_t i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < BODY_CAP + 10; i++)
		json_array_append(data, one);
	json_decref(one);
	import_postman_json(root, FMT_NEWMAN, &opts, &sink, &res);
	is_long(c.n, 1, "buffer cap: one exchange");
	is_long((long)c.r[0].resp_len, (long)BODY_CAP, "buffer cap: body cut at BODY_CAP");
	ok(c.r[0].resp_truncated == 1, "buffer cap: truncated flag");
	is_long((long)c.r[0].resp_size, (long)(BODY_CAP + 10), "buffer cap: full size recorded");
	collect_release(&c);
	json_decref(root);

	/* a bad byte skips the body with a note */
	root = json_loads("{\"run\":{\"executions\":[{\"request\":{\"url\":\"http://h/\"},"
			  "\"response\":{\"code\":200,\"stream\":{\"type\":\"Buffer\",\"data\":[65,300]}}}]}}",
			  0, NULL);
	memset(&c, 0, sizeof(c));
	import_postman_json(root, FMT_NEWMAN, &opts, &sink, &res);
	ok(c.n == 1 && c.r[0].resp_body == NULL, "bad buffer: no body");
	ok(has_note(&c, NOTE_SKIPPED, -1, "not 0..255"), "bad buffer: noted");
	collect_release(&c);
	json_decref(root);
}

static void test_insomnia(void)
{
	struct collect c;
	struct import_result res;
	const struct rec *r;
	char *path, *buf = NULL;
	FILE *f;
	size_t len;
	struct import_opts opts = { FMT_UNKNOWN, NULL, 0 };
	struct import_sink sink = { sink_emit, sink_note, &c };

	run("insomnia-v4.json", FMT_UNKNOWN, NULL, &c, &res);
	is_long(res.format, FMT_INSOMNIA, "insomnia: classified");
	is_long(res.status, IMPORT_OK, "insomnia: ok");
	is_long(c.n, 3, "insomnia: three requests");
	r = find(&c, "Invoices / Drafts / Create draft");
	ok(r != NULL, "insomnia: folder path from request groups");
	if (r) {
		is_str(r->url, "https://billing.example.com/invoices?dry=1",
		       "insomnia: {{ _.baseUrl }} from the sub environment, parameters appended");
		is_long(r->status, STATUS_UNKNOWN, "insomnia: no response");
		is_str(r->req_body, "{\"customer\":\"acme\"}", "insomnia: nested env value");
		ok(contains(r->req_headers, "Authorization: Bearer base-token\n"),
		   "insomnia: bearer auth from base env");
		ok(!contains(r->req_headers, "X-Off"), "insomnia: disabled header");
	}
	r = find(&c, "Health");
	ok(r && contains(r->url, "https://billing.example.com/health?v=2&deep=true"),
	   "insomnia: {{baseUrl}} and parameters after an existing query");
	ok(r && contains(r->req_headers, "Authorization: Basic dTpw\n"), "insomnia: basic auth");
	r = find(&c, "Form");
	ok(r && r->req_body && strcmp(r->req_body, "a=1") == 0, "insomnia: form params");
	ok(r && has_note(&c, NOTE_UNRESOLVED_VAR, r->seq, "{{ _.other }} in url"),
	   "insomnia: unresolved variable noted");
	ok(has_note(&c, NOTE_SKIPPED, -1, "1 grpc_request resource not imported"), "insomnia: grpc noted");
	collect_release(&c);

	path = fixture("insomnia-v4.yaml");
	f = fopen(path, "rb");
	ok(f != NULL, "insomnia yaml: fixture opens");
	if (f) {
		buf = xmalloc(65536);
		len = fread(buf, 1, 65535, f);
		fclose(f);
		memset(&c, 0, sizeof(c));
		is_long(import_insomnia_yaml(buf, len, &opts, &sink, &res), 0, "insomnia yaml: returns 0");
		is_long(res.status, IMPORT_OK, "insomnia yaml: ok");
		is_long(res.format, FMT_INSOMNIA, "insomnia yaml: format");
		is_long(c.n, 2, "insomnia yaml: two requests");
		r = find(&c, "Smoke / basic auth");
		ok(r != NULL, "insomnia yaml: folder path");
		if (r) {
			is_str(r->url, "http://127.0.0.1:4010/auth/basic", "insomnia yaml: env resolved");
			ok(contains(r->req_headers, "X-Count: 3\n"), "insomnia yaml: integer scalar as header value");
			ok(contains(r->req_headers, "Authorization: Basic dXNlcjpwYXNz\n"), "insomnia yaml: basic auth");
		}
		collect_release(&c);
		/* broken YAML reports its position */
		memset(&c, 0, sizeof(c));
		import_insomnia_yaml("_type: export\n__export_format: 4\nresources: [\n  {a: b\n", 40, &opts,
				     &sink, &res);
		is_long(res.status, IMPORT_ERROR, "insomnia yaml: broken yaml is an error");
		ok(contains(res.message, "line "), "insomnia yaml: message has a position: %s", res.message);
		collect_release(&c);
		free(buf);
	}
	free(path);
}

static void test_var_depth(void)
{
	/* a self-referencing variable terminates and stays literal past the cap */
	json_t *root = json_loads(
		"{\"info\":{\"name\":\"loop\"},\"variable\":[{\"key\":\"a\",\"value\":\"x{{a}}\"}],"
		"\"item\":[{\"name\":\"r\",\"request\":{\"url\":\"http://h/{{a}}\"}}]}", 0, NULL);
	struct collect c;
	struct import_result res;
	struct import_opts opts = { FMT_UNKNOWN, NULL, 0 };
	struct import_sink sink = { sink_emit, sink_note, &c };

	memset(&c, 0, sizeof(c));
	import_postman_json(root, FMT_POSTMAN, &opts, &sink, &res);
	is_long(c.n, 1, "var loop: one exchange");
	is_str(c.r[0].url, "http://h/xxxxxxxxxxx{{a}}", "var loop: depth capped at 10");
	collect_release(&c);
	json_decref(root);
}

static void test_folder_depth(void)
{
	/* requests inside 64 folders are kept; one folder deeper is skipped */
	struct sbuf b = SBUF_INIT;
	struct collect c;
	struct import_result res;
	struct import_opts opts = { FMT_UNKNOWN, NULL, 0 };
	struct import_sink sink = { sink_emit, sink_note, &c };
	json_t *root;
	int i;

	sbuf_adds(&b, "{\"info\":{\"name\":\"deep\"},\"item\":[");
	for (i = 0; i < 65; i++)
		sbuf_addf(&b, "{\"name\":\"f%d\",\"item\":[{\"name\":\"r%d\",\"request\":\"http://h/%d\"},", i, i, i);
	sbuf_adds(&b, "{\"name\":\"last\",\"request\":\"http://h/last\"}");
	for (i = 0; i < 65; i++)
		sbuf_adds(&b, "]}");
	sbuf_adds(&b, "]}");
	root = json_loads(sbuf_str(&b), 0, NULL);
	ok(root != NULL, "deep: fixture parses");
	memset(&c, 0, sizeof(c));
	import_postman_json(root, FMT_POSTMAN, &opts, &sink, &res);
	is_long(c.n, 64, "deep: requests in folders 1..64 kept");
	ok(c.n == 64 && strncmp(c.r[63].name, "f0 / f1 / ", 10) == 0 &&
	   strstr(c.r[63].name, "f63 / r63") != NULL, "deep: 64 folder names in the path");
	ok(has_note(&c, NOTE_SKIPPED, -1, "skipped: 'f0 / f1 /") &&
	   has_note(&c, NOTE_SKIPPED, -1, "nested deeper than 64 folders"), "deep: deeper folder noted");
	is_long(res.status, IMPORT_OK, "deep: status ok");
	collect_release(&c);
	json_decref(root);
	sbuf_release(&b);
}

int main(void)
{
	test_classify();
	test_v21();
	test_v20_v1_dump();
	test_broken();
	test_newman();
	test_newman_buffer_cap();
	test_insomnia();
	test_var_depth();
	test_folder_depth();
	return done_testing();
}
