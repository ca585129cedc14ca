/* test-rules.c - rule loader diagnostics and engine semantics. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <jansson.h>

#include "rule.h"
#include "rule-yaml.h"
#include "exchange.h"
#include "html-text.h"
#include "util.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test-rules.XXXXXX";

/* Write content to tmpdir/name; returns the malloc'd path. */
static char *write_rule(const char *name, const char *content)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(99);
	}
	fputs(content, f);
	fclose(f);
	return path;
}

/* Load one rule text as file name; returns the set, diagnostics in d. */
static struct rule_set *load_one(const char *name, const char *content, struct strlist *d)
{
	struct rule_set *rs = rule_set_new();
	char *path = write_rule(name, content);

	rule_set_load_file(rs, path, d);
	unlink(path);
	free(path);
	return rs;
}

/* Expect exactly one diagnostic "TMP/name:want" for content. */
static void lint_is(const char *name, const char *content, const char *want, const char *what)
{
	struct strlist d = { 0 };
	struct rule_set *rs = load_one(name, content, &d);
	char *full = xasprintf("%s/%s:%s", tmpdir, name, want);

	is_str(d.n ? d.v[0] : NULL, full, what);
	if (d.n > 1)
		diag("also: %s", d.v[1]);
	ok(rule_set_count(rs) == 0, "%s: the bad rule is skipped", what);
	free(full);
	strlist_release(&d);
	rule_set_free(rs);
}

#define HEAD "id: t.x\ntitle: T\nvendor: V\nseverity: high\nstatus: experimental\nadvice: A\n"

static void test_loader(void)
{
	struct strlist d = { 0 };
	struct rule_set *rs;
	const struct rule *r;

	rs = load_one("t.x.yaml", HEAD "priority: 5\nreferences: [https://a]\nmatch:\n"
			       "  s: { field: status, in: [403] }\n"
			       "  b: { field: response.body, regex: '\"type\"\\s*:' }\n", &d);
	is_long((long)d.n, 0, "valid rule: no diagnostics");
	is_long((long)rule_set_count(rs), 1, "valid rule loaded");
	r = rule_set_get(rs, 0);
	is_str(r ? rule_id(r) : NULL, "t.x", "id");
	is_long(r ? rule_priority(r) : -1, 5, "priority");
	is_long(r ? (long)rule_severity(r) : -1, SEV_HIGH, "severity");
	is_str(r ? rule_vendor(r) : NULL, "V", "vendor");
	rule_set_free(rs);
	strlist_release(&d);

	lint_is("t.x.yaml", HEAD "match:\n  b: { field: response.body, regex: \"x\" }\n",
		"8:37: regex must be a single-quoted string or a '|-' block", "double-quoted regex");
	lint_is("t.x.yaml", HEAD "match:\n  b: { field: response.body, regex: x+ }\n",
		"8:37: regex must be a single-quoted string or a '|-' block", "plain regex");
	lint_is("t.x.yaml", HEAD "match:\n  b:\n    field: response.body\n    regex: |\n      x+\n",
		"10:12: regex must be a single-quoted string or a '|-' block", "'|' block keeps the newline");
	lint_is("t.x.yaml", HEAD "match:\n  b: { field: response.body, regex: 'ab(c' }\n",
		"8:42: invalid regex: missing closing parenthesis", "invalid regex at its offset");
	lint_is("t.x.yaml", HEAD "match:\n  b: { field: response.body, regex: 'it''s+*' }\n",
		"8:44: invalid regex: quantifier does not follow a repeatable item",
		"offset counts a doubled quote once");
	lint_is("t.x.yaml", HEAD "match:\n  b:\n    field: response.body\n    regex: |-\n      abc\n      x[z\n",
		"12:10: invalid regex: missing terminating ] for character class",
		"invalid regex in a '|-' block: line and column");
	lint_is("t.x.yaml", HEAD "severity: low\nmatch:\n  s: { field: status, in: [403] }\n",
		"7:1: duplicate key 'severity' (first at line 4)", "duplicate key");
	lint_is("t.x.yaml", HEAD "match:\n  s: { field: status, in: [403], in: [404] }\n",
		"8:34: duplicate key 'in' (first at line 8)", "duplicate key in a matcher");
	lint_is("t.x.yaml", HEAD "colour: red\nmatch:\n  s: { field: status, in: [403] }\n",
		"7:1: unknown key 'colour' in a rule", "unknown top-level key");
	lint_is("t.x.yaml", HEAD "match:\n  s: { field: status, in: [403], regexp: 'x' }\n",
		"8:34: unknown key 'regexp' in a matcher", "unknown matcher key");
	lint_is("t.x.yaml", HEAD "match:\n  s: { field: status, in: [403], equals: '403' }\n",
		"8:34: matcher 's' has both 'in' and 'equals'; use exactly one of regex, contains, equals, in, range, exists",
		"two operators");
	lint_is("t.x.yaml", HEAD "match:\n  s: { field: state, in: [403] }\n",
		"8:15: unknown field 'state'", "unknown field");
	lint_is("t.x.yaml", HEAD "match:\n  s: { field: status, in: [403] }\n"
				  "  h: { field: host, equals: a }\ncondition: s and (hh or h)\n",
		"10:19: unknown matcher 'hh' in condition", "unknown matcher in condition: column of the name");
	lint_is("t.x.yaml", HEAD "match:\n  s: { field: status, in: [403] }\n"
				  "  h: { field: host, equals: a }\ncondition: >-\n  s and\n  (h or\n   hx)\n",
		"13:4: unknown matcher 'hx' in condition", "unknown matcher in a folded condition");
	lint_is("t.x.yaml", HEAD "match:\n  s: { field: status, in: [403] }\n"
				  "  h: { field: host, equals: a }\ncondition: |-\n  s and\n  (h or\n   hx)\n",
		"13:4: unknown matcher 'hx' in condition", "unknown matcher in a literal condition");
	lint_is("t.x.yaml", HEAD "match:\n  s: { field: status, in: [403] }\n"
				  "  h: { field: host, equals: a }\ncondition: s and\n",
		"10:17: condition ends early: expected a matcher name, 'not' or '('", "condition syntax");
	lint_is("t.x.yaml", HEAD "match:\n  s: { field: status, in: [403] }\n"
				  "  h: { field: host, equals: a }\ncondition: s\n",
		"9:3: matcher 'h' is not used by the condition (move supporting evidence to 'extract')",
		"unused matcher");
	lint_is("t.x.yaml", HEAD "match:\n  s: &a { field: status, in: [403] }\n",
		"8:6: anchors are not allowed", "anchor");
	lint_is("t.x.yaml", HEAD "match:\n  s: !!map { field: status, in: [403] }\n",
		"8:6: tags are not allowed", "tag");
	lint_is("t.y.yaml", HEAD "match:\n  s: { field: status, in: [403] }\n",
		"1:5: id 't.x' does not match the file name 't.y.yaml': name the file 't.x.yaml' or the id 't.y'",
		"id must match the file name");
	lint_is("t.x.yaml", "id: t.x\ntitle: T\nvendor: V\nseverity: urgent\nstatus: experimental\n"
			    "advice: A\nmatch:\n  s: { field: status, in: [403] }\n",
		"4:11: severity 'urgent' is not one of info, low, medium, high, critical", "bad severity");
	lint_is("t.x.yaml", "id: t.x\ntitle: T\nvendor: V\nseverity: high\nstatus: experimental\n"
			    "match:\n  s: { field: status, in: [403] }\n",
		"1:1: missing required key 'advice'", "missing key");
	lint_is("t.x.yaml", "id: t.x\ntitle: T\nvendor: V\nseverity: high\nstatus: stable\nadvice: A\n"
			    "match:\n  s: { field: status, in: [403] }\ntests:\n  - expect: match\n"
			    "    exchange: |\n      < HTTP/1.1 403\n",
		"9:1: a stable rule needs at least one 'match' and one 'no-match' test (has 1 and 0)",
		"stable needs both kinds of test");
	lint_is("t.x.yaml", HEAD "match:\n  s: { field: status, range: [500, 400] }\n",
		"8:30: 'range' low 500 is above high 400", "range order");
	lint_is("t.x.yaml", HEAD "match:\n  s: { field: status, in: [403] }\n  x: [1]\n",
		"9:6: matcher 'x' must be a mapping", "matcher not a mapping");

	/* Duplicate id across files: the second is refused and named. */
	{
		char *p1, *p2, *want;
		char *da = xasprintf("%s/a", tmpdir), *db = xasprintf("%s/b", tmpdir);
		mkdir(da, 0700);
		mkdir(db, 0700);
		free(da);
		free(db);
		p1 = write_rule("a/t.x.yaml", HEAD "match:\n  s: { field: status, in: [403] }\n");
		p2 = write_rule("b/t.x.yaml", HEAD "match:\n  s: { field: status, in: [404] }\n");
		rs = rule_set_new();
		is_long(rule_set_load_dir(rs, tmpdir, &d), 1, "duplicate id: one diagnostic");
		want = xasprintf("%s:1:5: duplicate rule id 't.x' (also in %s)", p2, p1);
		is_str(d.n ? d.v[0] : NULL, want, "duplicate id names both files");
		is_long((long)rule_set_count(rs), 1, "the first rule stays");
		is_long(rule_set_load_dir(rs, "/nonexistent/rules", &d), -1, "unreadable dir: -1");
		unlink(p1);
		unlink(p2);
		free(p1);
		free(p2);
		free(want);
		rule_set_free(rs);
		strlist_release(&d);
	}
}

/* Collects the findings of one match call. */
struct got {
	int fired, inconclusive;
	char *evidence, *advice;
};

static int collect(void *ctx, const struct rule_finding *f)
{
	struct got *g = ctx;

	if (f->inconclusive)
		g->inconclusive++;
	else
		g->fired++;
	free(g->evidence);
	free(g->advice);
	g->evidence = xstrdup(f->evidence_json);
	g->advice = xstrdup(f->advice);
	return 0;
}

static void got_reset(struct got *g)
{
	free(g->evidence);
	free(g->advice);
	memset(g, 0, sizeof(*g));
}

/* A rule from match/condition text with a fixed head. */
static struct rule_set *rule_of(const char *body)
{
	struct strlist d = { 0 };
	char *text = xasprintf(HEAD "%s", body);
	struct rule_set *rs = load_one("t.x.yaml", text, &d);

	if (d.n)
		diag("unexpected: %s", d.v[0]);
	free(text);
	strlist_release(&d);
	return rs;
}

/* Does the rule fire on ex?  1 fired, 2 inconclusive, 0 no. */
static int fires(const char *body, const struct exchange *ex)
{
	struct rule_set *rs = rule_of(body);
	struct got g = { 0 };
	int ret;

	rule_set_match(rs, ex, collect, &g);
	ret = g.fired ? 1 : g.inconclusive ? 2 : 0;
	got_reset(&g);
	rule_set_free(rs);
	return ret;
}

static void sample(struct exchange *ex)
{
	exchange_init(ex);
	exchange_set(&ex->method, "POST");
	exchange_set_url(ex, "https://AI-Gateway.vercel.sh:443/v1/chat/completions?x=1");
	ex->status = 403;
	exchange_set(&ex->http_version, "HTTP/2");
	hdr_list_adds(&ex->req_headers, "Accept", "application/json");
	hdr_list_adds(&ex->req_headers, "Origin", "https://app.example.com");
	hdr_list_adds(&ex->resp_headers, "Content-Type", "application/json");
	hdr_list_adds(&ex->resp_headers, "Set-Cookie", "a=1");
	hdr_list_adds(&ex->resp_headers, "set-cookie", "b=2");
	hdr_list_adds(&ex->resp_headers, "x-vercel-id", "sin1::fra1::mr2nm-1773654078302-80a62b52517d");
	body_set(&ex->resp_body, "{\"error\":{\"message\":\"Forbidden.\",\"type\":\"access_denied\"}}", 57);
	strlist_adds(&ex->transcript, "* Trying 1.2.3.4:443...");
	strlist_adds(&ex->transcript, "* Connected to ai-gateway.vercel.sh");
}

static void test_engine(void)
{
	struct exchange ex;
	struct rule_set *rs;
	struct got g = { 0 };

	sample(&ex);
	is_str(ex.host, "ai-gateway.vercel.sh", "sample host is lowercased");
	ok(fires("match:\n  h: { field: host, equals: ai-gateway.vercel.sh }\n", &ex) == 1, "equals");
	ok(fires("match:\n  h: { field: host, equals: AI-gateway.vercel.sh }\n", &ex) == 0, "equals is case-sensitive");
	ok(fires("match:\n  h: { field: host, equals: AI-gateway.vercel.sh, icase: true }\n", &ex) == 1, "equals icase");
	ok(fires("match:\n  s: { field: status, in: [401, 403] }\n", &ex) == 1, "in (numbers as strings)");
	ok(fires("match:\n  s: { field: status, range: [400, 499] }\n", &ex) == 1, "range");
	ok(fires("match:\n  s: { field: status, range: [500, 599] }\n", &ex) == 0, "range outside");
	ok(fires("match:\n  p: { field: port, equals: '443' }\n", &ex) == 1, "port");
	ok(fires("match:\n  q: { field: query, equals: x=1 }\n", &ex) == 1, "query");
	ok(fires("match:\n  b: { field: response.body, contains: access_denied }\n", &ex) == 1, "contains");
	ok(fires("match:\n  b: { field: response.body, contains: ACCESS_denied, icase: true }\n", &ex) == 1, "contains icase");
	ok(fires("match:\n  b: { field: response.body, regex: '\"TYPE\"', icase: true }\n", &ex) == 1, "regex icase");
	ok(fires("match:\n  b: { field: response.body, regex: '(?i)\"TYPE\"' }\n", &ex) == 1, "regex inline flag");
	ok(fires("match:\n  c: { field: response.header.set-cookie, equals: b=2 }\n", &ex) == 1,
	   "a repeated header matches on its second copy");
	ok(fires("match:\n  c: { field: response.header.SET-COOKIE, regex: '^a=' }\n", &ex) == 1,
	   "header names are case-insensitive");
	ok(fires("match:\n  c: { field: response.headers, regex: '(?m)^set-cookie: b=2$' }\n", &ex) == 1,
	   "joined headers block");
	ok(fires("match:\n  t: { field: transcript, regex: '^\\* Connected to' }\n", &ex) == 1,
	   "transcript: each line on its own");
	ok(fires("match:\n  t: { field: transcript, regex: 'Trying.*Connected' }\n", &ex) == 0,
	   "transcript lines are not joined");
	ok(fires("match:\n  e: { field: error, regex: '.' }\n", &ex) == 0, "absent field is false");
	ok(fires("match:\n  e: { field: error, exists: false }\n", &ex) == 1, "exists: false on absent field");
	ok(fires("match:\n  e: { field: response.header.server, exists: false }\n", &ex) == 1,
	   "exists: false on absent header");
	ok(fires("match:\n  e: { field: response.header.x-vercel-id, exists: true }\n", &ex) == 1,
	   "exists: true");
	ok(fires("match:\n  e: { field: request.body, exists: true }\n", &ex) == 0, "no request body");
	ok(fires("match:\n  o: { field: cross_origin, equals: 'true' }\n", &ex) == 1, "cross_origin true");
	ok(fires("match:\n  j: { field: expects_json, equals: 'true' }\n", &ex) == 1, "expects_json");
	ok(fires("match:\n  k: { field: content_kind, equals: json }\n", &ex) == 1, "content_kind json");

	/* Condition precedence: not > and > or. */
	ok(fires("match:\n  t: { field: method, equals: POST }\n  f: { field: method, equals: GET }\n"
		 "condition: t or f and f\n", &ex) == 1, "'and' binds tighter than 'or'");
	ok(fires("match:\n  t: { field: method, equals: POST }\n  f: { field: method, equals: GET }\n"
		 "condition: (t or f) and f\n", &ex) == 0, "parentheses");
	ok(fires("match:\n  t: { field: method, equals: POST }\n  f: { field: method, equals: GET }\n"
		 "condition: not f and t\n", &ex) == 1, "'not' binds tightest");
	ok(fires("match:\n  t: { field: method, equals: POST }\n  f: { field: method, equals: GET }\n"
		 "condition: not (f or t)\n", &ex) == 0, "not over parentheses");

	/* Evidence and advice. */
	{
		struct strlist d = { 0 };
		rs = load_one("t.x.yaml",
			      "id: t.x\ntitle: T\nvendor: V\nseverity: high\nstatus: experimental\n"
			      "advice: 'Quote {{vercel_id}} and `{{ body }}`; {{missing}} stays'\n"
			      "match:\n  host: { field: host, equals: ai-gateway.vercel.sh }\n"
			      "  denied: { field: status, in: [403] }\n"
			      "  body: { field: response.body, regex: '\"type\"\\s*:\\s*\"(?<type>[a-z_]+)\"' }\n"
			      "extract:\n  vercel_id: { field: response.header.x-vercel-id, regex: '(?<vercel_id>\\S+)' }\n",
			      &d);
		is_long((long)d.n, 0, "evidence rule loads");
		rule_set_match(rs, &ex, collect, &g);
		is_long(g.fired, 1, "fires once");
		is_str(g.evidence,
		       "{\"body\": \"\\\"type\\\":\\\"access_denied\\\"\", \"type\": \"access_denied\", "
		       "\"vercel_id\": \"sin1::fra1::mr2nm-1773654078302-80a62b52517d\"}",
		       "evidence: matched text, named groups, extract; no host/status");
		is_str(g.advice,
		       "Quote `sin1::fra1::mr2nm-1773654078302-80a62b52517d` and `\"type\":\"access_denied\"`; (not in the capture) stays",
		       "advice placeholders filled as code (not doubled), unknown said in words");
		got_reset(&g);
		rule_set_free(rs);
		strlist_release(&d);
	}
	exchange_release(&ex);

	/* Evidence text is cut to 200 characters and made valid UTF-8. */
	{
		char big[400];
		memset(big, 'x', sizeof(big));
		big[0] = '\xff';
		exchange_init(&ex);
		body_set(&ex.resp_body, big, sizeof(big));
		rs = rule_of("match:\n  b: { field: response.body, exists: true }\n");
		rule_set_match(rs, &ex, collect, &g);
		{
			json_t *o = json_loads(g.evidence ? g.evidence : "", 0, NULL);
			const char *v = json_string_value(json_object_get(o, "b"));
			ok(v != NULL, "evidence with an invalid byte is valid JSON");
			is_long(v ? (long)strlen(v) : -1, 3 + 199 + 3, "cut to 200 characters plus an ellipsis");
			ok(v && memcmp(v, "\xEF\xBF\xBD", 3) == 0, "invalid byte replaced by U+FFFD");
			json_decref(o);
		}
		got_reset(&g);
		rule_set_free(rs);
		exchange_release(&ex);
	}

	/* Derived fields and absent status. */
	exchange_init(&ex);
	exchange_set_url(&ex, "https://api.example.com/x");
	ex.status = STATUS_UNKNOWN;
	hdr_list_adds(&ex.req_headers, "origin", "https://API.example.com:443");
	hdr_list_adds(&ex.resp_headers, "content-type", "text/html; charset=utf-8");
	body_set(&ex.resp_body, "<html></html>", 13);
	ok(fires("match:\n  s: { field: status, exists: false }\n", &ex) == 1, "unknown status is absent");
	ok(fires("match:\n  o: { field: cross_origin, equals: 'false' }\n", &ex) == 1, "same-origin Origin");
	ok(fires("match:\n  j: { field: expects_json, equals: 'false' }\n", &ex) == 1, "expects_json false");
	ok(fires("match:\n  k: { field: content_kind, equals: html }\n", &ex) == 1, "content_kind html");
	exchange_release(&ex);
	exchange_init(&ex);
	ex.status = STATUS_NONE;
	exchange_set(&ex.error, "Could not resolve host: x");
	ok(fires("match:\n  s: { field: status, equals: '0' }\n", &ex) == 1, "no response: status 0");
	ok(fires("match:\n  o: { field: cross_origin, exists: false }\n", &ex) == 1, "no Origin: cross_origin absent");
	ok(fires("match:\n  k: { field: content_kind, equals: empty }\n", &ex) == 1, "content_kind empty");
	body_set(&ex.resp_body, "  {\"a\":1}", 9);
	ok(fires("match:\n  k: { field: content_kind, equals: json }\n", &ex) == 1, "content_kind sniffed json");
	exchange_release(&ex);
}

/* Visible text of HTML and plain text. */
static void text_is(const char *in, int html, const char *want, const char *what)
{
	struct sbuf b = SBUF_INIT;

	if (html)
		html_visible_text(in, strlen(in), &b);
	else
		text_collapse_space(in, strlen(in), &b);
	is_str(sbuf_str(&b), want, what);
	sbuf_release(&b);
}

static void test_text(void)
{
	text_is("<html><head><title>Attention Required! | Cloudflare</title>"
		"<style>p{color:red}</style><script>var a = '<p>no</p>';</script></head>"
		"<body><h1>Error 1020</h1><p>Access&nbsp;denied</p>\n\n<p>Ray ID: <strong>7d2f8a3b1c4e5f60</strong>"
		"</p><!-- <p>hidden</p> --></body></html>", 1,
		"Error 1020 Access denied Ray ID: 7d2f8a3b1c4e5f60",
		"tags, title, script, style, comments stripped; blocks separate words, inline tags do not");
	text_is("a &amp; b &lt;c&gt; &#39;d&#x27; &#8212; &copy; &bogus; &#xZZ; &", 1,
		"a & b <c> 'd' \xE2\x80\x94 \xC2\xA9 &bogus; &#xZZ; &", "named and numeric references");
	text_is("if a < b and c<3", 1, "if a < b and c<3", "a '<' that starts no tag is text");
	text_is("<center>nginx</center>\r\n<hr>", 1, "nginx", "trimmed");
	text_is("<p>unterminated <script>x", 1, "unterminated", "unterminated script");
	text_is("  504 Gateway\tTime-out\n\n nginx \n", 0, "504 Gateway Time-out nginx",
		"plain text: whitespace runs collapsed and trimmed");
	text_is("a b  c <b>d</b> e &amp; f &amp;g <i>h</i>i j\t k", 1, "a b c d e & f &g hi j k",
		"single and double blanks beside tags and entities");
	text_is("x y \n z  w x", 0, "x y z w x", "plain text: single blanks kept, runs collapsed");
	text_is(" a", 0, "a", "plain text: a leading blank dropped");
}

static void test_derived(void)
{
	struct exchange ex;
	struct rule_set *rs;
	struct got g = { 0 };
	static const char page[] =
		"<!DOCTYPE html><html><head><title>Access denied</title></head><body>"
		"<h1>Error 1020</h1><p>Ray ID: <code>7d2f8a3b1c4e5f60</code></p></body></html>";

	/* response.text: HTML source and pasted text match the same rule. */
	exchange_init(&ex);
	body_set(&ex.resp_body, page, sizeof(page) - 1);
	ok(fires("match:\n  t: { field: response.text, regex: 'Error 1020 Ray ID: [0-9a-f]{16}' }\n", &ex) == 1,
	   "response.text of an HTML body");
	ok(fires("match:\n  v: { field: vendor, equals: cloudflare }\n", &ex) == 1,
	   "vendor from the page's Ray ID line");
	ok(fires("match:\n  k: { field: host.known, equals: 'false' }\n", &ex) == 1, "host.known false");
	exchange_release(&ex);
	exchange_init(&ex);
	body_set(&ex.resp_body, "Error 1020\n  Ray ID: 7d2f8a3b1c4e5f60\n", 37);
	ok(fires("match:\n  t: { field: response.text, regex: 'Error 1020 Ray ID: [0-9a-f]{16}' }\n", &ex) == 1,
	   "response.text of a plain-text body (the page copied from a browser)");
	exchange_release(&ex);
	exchange_init(&ex);
	body_set(&ex.resp_body, "{\"error\":\"Error 1020\"}", 22);
	ok(fires("match:\n  t: { field: response.text, exists: false }\n", &ex) == 1,
	   "response.text is absent for a JSON body");
	exchange_release(&ex);

	/* vendor: the host table wins; else header fingerprints, all of them. */
	sample(&ex);
	ok(fires("match:\n  v: { field: vendor, equals: vercel }\n", &ex) == 1, "vendor from the host");
	ok(fires("match:\n  k: { field: host.known, equals: 'true' }\n", &ex) == 1, "host.known true");
	exchange_release(&ex);
	exchange_init(&ex);
	ex.status = 403;
	hdr_list_adds(&ex.resp_headers, "cf-ray", "8a1b2c3d4e5f6a7b-FRA");
	hdr_list_adds(&ex.resp_headers, "X-Vercel-Id", "fra1::abcde-1773654078302-80a62b52517d");
	ok(fires("match:\n  v: { field: vendor, equals: vercel }\n", &ex) == 1, "vendor: any fingerprint counts");
	ok(fires("match:\n  v: { field: vendor, equals: cloudflare }\n", &ex) == 1, "... the other one too");
	ok(fires("match:\n  v: { field: vendor, equals: aws }\n", &ex) == 0, "... no other vendor");
	/* Evidence names the source, and only when the host is unknown. */
	rs = rule_of("match:\n  v: { field: vendor, equals: vercel }\n");
	rule_set_match(rs, &ex, collect, &g);
	is_str(g.evidence, "{\"v\": \"vercel (from x-vercel-id)\"}", "vendor evidence says where from");
	got_reset(&g);
	exchange_set_url(&ex, "https://app.example.com/");
	rule_set_match(rs, &ex, collect, &g);
	is_str(g.evidence, "{}", "no vendor evidence when the host is known");
	got_reset(&g);
	rule_set_free(rs);
	exchange_release(&ex);

	/* The host-anchored pattern: host, or unknown host and the vendor. */
	{
		const char *anchored =
			"match:\n  host: { field: host, equals: ai-gateway.vercel.sh }\n"
			"  nohost: { field: host.known, equals: 'false' }\n"
			"  vendor: { field: vendor, equals: vercel }\n"
			"  s: { field: status, in: [403] }\n"
			"condition: (host or nohost and vendor) and s\n";
		exchange_init(&ex);
		ex.status = 403;
		hdr_list_adds(&ex.resp_headers, "x-vercel-id", "fra1::x");
		ok(fires(anchored, &ex) == 1, "anchored: unknown host, Vercel fingerprint");
		exchange_set_url(&ex, "https://example.com/");
		ok(fires(anchored, &ex) == 0, "anchored: another known host");
		exchange_release(&ex);
		exchange_init(&ex);
		ex.status = 403;
		hdr_list_adds(&ex.resp_headers, "cf-ray", "8a1b2c3d4e5f6a7b-FRA");
		ok(fires(anchored, &ex) == 0, "anchored: unknown host, other vendor");
		exchange_release(&ex);
	}

	/* Body fingerprints of pages pasted without headers. */
	{
		static const struct {
			const char *body, *vendor;
		} pages[] = {
			{ "<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway "
			  "Time-out</h1></center><hr><center>nginx/1.18.0 (Ubuntu)</center></body></html>", "nginx" },
			{ "The request could not be satisfied. Generated by cloudfront (CloudFront) Request ID: "
			  "x", "aws" },
			{ "This Serverless Function has timed out.\nFUNCTION_INVOCATION_TIMEOUT\n\nID: fra1::abc12-1",
			  "vercel" },
			{ "Service Unavailable\nApache/2.4.41 (Ubuntu) Server at example.com Port 80", "apache" },
		};
		size_t i;
		for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
			char *r = xasprintf("match:\n  v: { field: vendor, equals: %s }\n", pages[i].vendor);
			exchange_init(&ex);
			body_set(&ex.resp_body, pages[i].body, strlen(pages[i].body));
			ok(fires(r, &ex) == 1, "vendor %s from the page text", pages[i].vendor);
			exchange_release(&ex);
			free(r);
		}
		exchange_init(&ex);
		body_set(&ex.resp_body, "we run nginx here and it is fine", 32);
		ok(fires("match:\n  v: { field: vendor, exists: true }\n", &ex) == 0,
		   "prose that mentions nginx names no vendor");
		exchange_release(&ex);
	}
}

/* The body prefilter never hides a match. */
static void test_prefilter(void)
{
	static const struct {
		const char *re, *body;
		int want;
	} cases[] = {
		{ "(?i)squid-internal-static|Generated .{1,80} by .{1,80} \\(squid/[\\d.]+\\)",
		  "<p>GENERATED Mon by proxy (squid/5.7)</p>", 1 },
		{ "(?i)squid-internal-static|Generated .{1,80} by", "nothing to see here", 0 },
		/* caseless 's' and 'k' also match U+017F and U+212A */
		{ "(?i)squid-internal", "\xC5\xBFquid-internal", 1 },
		{ "(?i)bad kelvin", "BAD \xE2\x84\xAA" "elvin", 1 },
		/* a quantified last character is optional */
		{ "colou?r scheme", "color scheme", 1 },
		{ "abcd(?:ef)?gh", "abcdgh", 1 },
		{ "x[yz]+ abcd", "xzz abcd", 1 },
		{ "Ray ID:\\s*(?:<strong[^>]*>)?\\s*(?<ray>[0-9a-f]{16})", "ray id: 0123456789abcdef", 0 },
		{ "Ray ID:\\s*(?:<strong[^>]*>)?\\s*(?<ray>[0-9a-f]{16})", "Ray ID: <strong>0123456789abcdef", 1 },
		{ "(?i)just a moment\\.\\.\\.|/cdn-cgi/challenge-platform/", "x /CDN-CGI/challenge-platform/ y", 1 },
		/* escapes of punctuation are literal, \\Q is not gated */
		{ "\\Qa.b\\E|zz", "a.b", 1 },
		/* groups are read into; a quantified group is not required */
		{ "(?i)(?<p>first byte timeout|backend read error)", "BACKEND READ ERROR", 1 },
		{ "(?i)(?<p>first byte timeout|backend read error)", "backend error", 0 },
		{ "(?:EDGE_)?FUNCTION_INVOCATION_TIMEOUT", "FUNCTION_INVOCATION_TIMEOUT", 1 },
		{ "(?:abcd)+xy", "abcdxy", 1 },
		{ "(?:abcd|)efgh", "efgh", 1 },
		{ "(?i)(?:a(?:bcde|fghi)j)", "AFGHIJ", 1 },
		{ "(?i)(?:error\\s*(?:code\\s*)?|<span>)1020\\b", "Error code 1020", 1 },
		{ "(?i)(?:error\\s*(?:code\\s*)?|<span>)1020\\b", "Error code 1021", 0 },
		/* lookarounds give nothing; what they surround does */
		{ "(?<=<Code>)(?:ExpiredToken|SignatureDoesNotMatch)(?=</Code>)",
		  "<Code>ExpiredToken</Code>", 1 },
		{ "(?<!abcd)efgh", "xxefgh", 1 },
		/* an escaped code is not the characters after it */
		{ "\\x41BCDE", "ABCDE", 1 },
		{ "\\0101BCDE", "\b1BCDE", 1 },
		{ "\\101BCDEF", "ABCDEF", 1 },
		{ "(?ix) a b c d e", "abcde", 1 },
		{ "(?#note)abcdef", "abcdef", 1 },
		{ "(wxyz)\\1abcd", "wxyzwxyzabcd", 1 },
	};
	struct exchange ex;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sbuf r = SBUF_INIT;
		const char *c;
		sbuf_adds(&r, "match:\n  b: { field: response.body, regex: '");
		for (c = cases[i].re; *c; c++) {
			if (*c == '\'')
				sbuf_addc(&r, '\'');
			sbuf_addc(&r, *c);
		}
		/* a second alternative: only alternations are gated */
		sbuf_adds(&r, "|qqqqnever' }\n");
		exchange_init(&ex);
		body_set(&ex.resp_body, cases[i].body, strlen(cases[i].body));
		{
			char *name = xasprintf("prefilter: /%s/ on '%s'", cases[i].re, cases[i].body);
			is_long(fires(sbuf_str(&r), &ex), cases[i].want, name);
			free(name);
		}
		exchange_release(&ex);
		sbuf_release(&r);
	}
}

/* Random regexes against random bodies: a gated regex fires exactly when
 * the same regex with an alternative that has no literal (so no gate)
 * does.  The pieces are chosen to hit the extractor's cases: groups,
 * alternations, quantifiers, lookarounds, classes, escapes, case. */
static unsigned long rnd_state = 12345;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned)((rnd_state >> 33) % n);
}

static void rnd_regex(struct sbuf *b, int depth)
{
	static const char *const atoms[] = { "abcd", "Bcde", "cdef", "SKID", "kelv", "x1y2", "a.cd",
					     "abcd", "bcde", "cdef", "abcdef", "x1y2", "bcdea", "cdefab",
					     "\\.", "\\d", "\\bab", "[a-c]", "[^x]", ".", "e", "\\x41b",
					     "\\Qab\\E", "(?<=ab)", "(?!cd)", "(?=bc)", "(?<!de)", "^", "$",
					     "cd\\s*", "(?i)", "(?-i:ABCD)" };
	static const char *const quants[] = { "", "", "", "", "", "", "?", "*", "+", "{2}", "{0,2}", "{1,}" };
	unsigned parts = 1 + rnd(4);
	for (unsigned k = 0; k < parts; k++) {
		if (depth < 3 && rnd(4) == 0) {
			static const char *const opens[] = { "(", "(?:", NULL, "(?>", "(?i:" };
			static unsigned groups;
			unsigned alts = 1 + rnd(3), o = rnd(5);
			if (opens[o])
				sbuf_adds(b, opens[o]);
			else
				sbuf_addf(b, "(?<g%u>", groups++); /* a name used once */
			for (unsigned a = 0; a < alts; a++) {
				if (a)
					sbuf_addc(b, '|');
				rnd_regex(b, depth + 1);
			}
			sbuf_addc(b, ')');
		} else {
			sbuf_adds(b, atoms[rnd(sizeof atoms / sizeof atoms[0])]);
		}
		sbuf_adds(b, quants[rnd(sizeof quants / sizeof quants[0])]);
		if (depth == 0 && rnd(5) == 0)
			sbuf_addc(b, '|');
	}
}

static void test_prefilter_random(void)
{
	static const char *const words[] = { "abcd", "ABCD", "bcde", "cdef", "skid", "\xC5\xBFkid",
					     "kelv", "\xE2\x84\xAA" "elv", "x1y2", "axcd", "Ab", "ab",
					     "cd", " ", "\n", "9", "." };
	int bad = 0, runs = 0, fired = 0;
	for (int t = 0; t < 400; t++) {
		struct sbuf re = SBUF_INIT, r1 = SBUF_INIT, r2 = SBUF_INIT;
		rnd_regex(&re, 0);
		if (re.len && re.data[re.len - 1] == '|')
			sbuf_adds(&re, "abcd");
		for (int v = 0; v < 2; v++) {
			struct sbuf *r = v ? &r2 : &r1;
			sbuf_adds(r, "match:\n  b: { field: response.body, regex: '");
			for (const char *c = re.data; *c; c++) {
				if (*c == '\'')
					sbuf_addc(r, '\'');
				sbuf_addc(r, *c);
			}
			/* no literal in this alternative: no gate for the copy */
			sbuf_adds(r, v ? "|\\d{999}' }\n" : "' }\n");
		}
		for (int k = 0; k < 8; k++) {
			struct exchange ex;
			struct sbuf body = SBUF_INIT;
			unsigned nw = 1 + rnd(12);
			int a, b2;
			for (unsigned w = 0; w < nw; w++)
				sbuf_adds(&body, words[rnd(sizeof words / sizeof words[0])]);
			exchange_init(&ex);
			body_set(&ex.resp_body, body.data, body.len);
			a = fires(sbuf_str(&r1), &ex);
			b2 = fires(sbuf_str(&r2), &ex);
			runs++;
			fired += a == 1;
			if (a != b2) {
				bad++;
				diag("/%s/ on '%s': gated %d, ungated %d", re.data, body.data, a, b2);
			}
			exchange_release(&ex);
			sbuf_release(&body);
		}
		sbuf_release(&re);
		sbuf_release(&r1);
		sbuf_release(&r2);
	}
	ok(bad == 0 && fired > 50, "prefilter: %d random regex/body pairs agree with the ungated regex (%d fired, %d differ)",
	   runs, fired, bad);
}

static void test_backtrack(void)
{
	struct exchange ex;
	struct rule_set *rs;
	struct got g = { 0 };
	size_t n = (size_t)1 << 20;
	char *body = xmalloc(n + 2);
	struct timespec t0, t1;
	double secs;

	memset(body, 'a', n);
	body[n] = 'b';
	body[n + 1] = '\0';
	exchange_init(&ex);
	ex.status = 200;
	body_set(&ex.resp_body, body, n + 1);
	rs = rule_of("match:\n  b: { field: response.body, regex: '(a+)+$' }\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rule_set_match(rs, &ex, collect, &g);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	is_long(g.inconclusive, 1, "catastrophic regex on 1 MB: inconclusive");
	is_long(g.fired, 0, "... and not a match");
	ok(secs < 5.0, "... within seconds (%.2f s)", secs);
	got_reset(&g);
	rule_set_free(rs);

	/* Inconclusive in three-valued logic: false AND unknown is false. */
	rs = rule_of("match:\n  b: { field: response.body, regex: '(a+)+$' }\n"
		     "  s: { field: status, equals: '500' }\ncondition: s and b\n");
	rule_set_match(rs, &ex, collect, &g);
	ok(g.inconclusive == 0 && g.fired == 0, "false and inconclusive: no finding");
	got_reset(&g);
	rule_set_free(rs);
	rs = rule_of("match:\n  b: { field: response.body, regex: '(a+)+$' }\n"
		     "  s: { field: status, equals: '200' }\ncondition: b or s\n");
	rule_set_match(rs, &ex, collect, &g);
	ok(g.fired == 1 && g.inconclusive == 0, "inconclusive or true: fires");
	got_reset(&g);
	rule_set_free(rs);
	exchange_release(&ex);
	free(body);
}

/* tail_is: tests_tail() on text gives want (and the counts when 1). */
static void tail_is(const char *text, int want, size_t wm, size_t wn, const char *what)
{
	size_t at = 0, nm = 0, nn = 0;
	int got = tests_tail(text, strlen(text), &at, &nm, &nn);
	const char *t = strstr(text, "tests:");

	ok(got == want, "tests_tail: %s (got %d)", what, got);
	if (want && got) {
		ok(t && at == (size_t)(t - text), "%s: offset of 'tests:'", what);
		ok(nm == wm && nn == wn, "%s: %zu match and %zu no-match (got %zu and %zu)", what,
		   wm, wn, nm, nn);
	}
}

/* Load content into a set that keeps no tests and into one that keeps
 * them: the same rules and the same diagnostics. */
static void same_both_ways(const char *name, const char *content, const char *what)
{
	struct strlist d1 = { 0 }, d2 = { 0 };
	struct rule_set *full = rule_set_new(), *run = rule_set_new();
	char *path = write_rule(name, content);
	size_t i;
	int same;

	rule_set_skip_tests(run);
	rule_set_load_file(full, path, &d1);
	rule_set_load_file(run, path, &d2);
	same = d1.n == d2.n && rule_set_count(full) == rule_set_count(run);
	for (i = 0; same && i < d1.n; i++)
		same = strcmp(d1.v[i], d2.v[i]) == 0;
	ok(same, "%s: same rules and diagnostics with and without the tests", what);
	if (!same)
		diag("full: %zu rules, %s; run: %zu rules, %s", rule_set_count(full),
		     d1.n ? d1.v[0] : "-", rule_set_count(run), d2.n ? d2.v[0] : "-");
	unlink(path);
	free(path);
	strlist_release(&d1);
	strlist_release(&d2);
	rule_set_free(full);
	rule_set_free(run);
}

#define STABLE "id: t.x\ntitle: T\nvendor: V\nseverity: high\nstatus: stable\nadvice: A\n" \
	"match:\n  s: { field: status, in: [403] }\n"
#define TWO_TESTS "tests:\n  - expect: match\n    exchange: |\n      < HTTP/1.1 403\n" \
	"  - file: tests/ok.har\n    expect: no-match\n"

/* The tests of a rule are counted, not parsed, for runs that only match;
 * any shape but the plain one is parsed in full. */
static void test_tests_tail(void)
{
	tail_is(STABLE TWO_TESTS, 1, 1, 1, "library shape");
	tail_is(STABLE "tests:   # two\n- expect: 'match'\n  exchange: \"< HTTP/1.1 403\"\n\n"
		       "  # the good one\n- expect: no-match # ok\n  file: ok.har\n", 1, 1, 1,
		"sequence at column 0, quotes, comments");
	tail_is(STABLE "tests:\r\n  - expect: match\r\n    exchange: |-\r\n      x\r\n"
		       "  - expect: match\r\n    file: a.har\r\n", 1, 2, 0, "CRLF, two of a kind");
	tail_is(STABLE, 0, 0, 0, "no tests");
	tail_is(STABLE TWO_TESTS "priority: 3\n", 0, 0, 0, "a key after the tests");
	tail_is(STABLE "tests: []\n", 0, 0, 0, "flow sequence");
	tail_is(STABLE "tests:\n\t- expect: match\n\t  file: a\n", 0, 0, 0, "tab indentation");
	tail_is(STABLE "tests:\n  - expect: match\n    exchang: x\n", 0, 0, 0, "unknown key");
	tail_is(STABLE "tests:\n  - expect: match\n    expect: no-match\n    file: a\n", 0, 0, 0,
		"duplicate key");
	tail_is(STABLE "tests:\n  - expect: match\n    file: a\n    exchange: x\n", 0, 0, 0,
		"both exchange and file");
	tail_is(STABLE "tests:\n  - file: a\n", 0, 0, 0, "no expect");
	tail_is(STABLE "tests:\n  - expect: matches\n    file: a\n", 0, 0, 0, "bad expect");
	tail_is(STABLE "tests:\n  - expect: match\n      still\n    file: a\n", 0, 0, 0,
		"plain scalar going on");
	tail_is(STABLE "tests:\n  - expect: match\n    exchange: \"a\n      b\"\n", 0, 0, 0,
		"quoted scalar over two lines");
	tail_is(STABLE "tests:\n  - expect: match\n    file: /etc/passwd\n", 0, 0, 0, "absolute file");
	tail_is(STABLE "tests:\n  - expect: match\n    file: '/etc/passwd'\n", 0, 0, 0,
		"quoted absolute file");
	tail_is(STABLE "tests:\n  - expect: match\n    file: ''\n", 0, 0, 0, "empty file");
	tail_is(STABLE "tests:\n  - expect: match\n    exchange: &a x\n", 0, 0, 0, "anchor");
	tail_is(STABLE "tests:\n  -\n    expect: match\n    file: a\n", 0, 0, 0, "dash alone");
	tail_is(STABLE "tests:\n  - expect: match\n   file: a\n", 0, 0, 0, "key out of column");
	tail_is(STABLE "tests:\n  - expect: match\n    exchange:\n      x\n", 0, 0, 0,
		"empty value");
	tail_is(STABLE "tests:\n  - expect: match\n    exchange: |x\n", 0, 0, 0,
		"bad block indicator");

	/* Loading with and without the tests agrees, diagnostics included:
	 * an odd shape, or a head with a problem, is parsed in full. */
	same_both_ways("t.x.yaml", STABLE TWO_TESTS, "stable rule");
	same_both_ways("t.x.yaml", STABLE "tests:\n  - expect: match\n    exchange: |\n      x\n",
		       "stable rule without a no-match test");
	same_both_ways("t.x.yaml", STABLE "colour: red\n" TWO_TESTS, "unknown key in the head");
	same_both_ways("t.x.yaml", STABLE "colour: red\n" TWO_TESTS "  - expect: match\n"
				   "    exchange: \"\\q\"\n", "a problem in the head and one in the tests");
	same_both_ways("t.x.yaml", STABLE "condition: s and\n" TWO_TESTS, "bad condition");
	same_both_ways("t.x.yaml", STABLE TWO_TESTS "  - expect: maybe\n    file: a\n",
		       "bad expect in the tests");
	same_both_ways("t.x.yaml", "id: t.x\ntitle: \"two\ntests:\n  - expect: match\n    file: a\n"
				   "  - expect: no-match\n    file: b\n", "'tests:' inside a quoted title");
	same_both_ways("t.x.yaml", STABLE "tests:\n  - expect: match\n    exchange: |\n      x\n"
				   "  - expect: no-match\n    file: b\ntests:\n  - expect: match\n    file: c\n",
		       "tests given twice");

	/* Every library rule takes the short path: a rule written in
	 * another shape still loads, only slower. */
	{
		const char *src = getenv("srcdir");
		char *cmd = xasprintf("find '%s/rules' -name '*.yaml' ! -path '*/tests/*'", src ? src : ".");
		FILE *p = popen(cmd, "r");
		char line[4096];
		long files = 0, counted = 0;

		while (p && fgets(line, sizeof(line), p)) {
			struct sbuf b = SBUF_INIT;
			FILE *f;
			char chunk[4096];
			size_t got, at, nm, nn;

			line[strcspn(line, "\n")] = '\0';
			f = fopen(line, "rb");
			while (f && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
				sbuf_add(&b, chunk, got);
			if (f)
				fclose(f);
			files++;
			if (tests_tail(sbuf_str(&b), b.len, &at, &nm, &nn) && nm && nn)
				counted++;
			else
				diag("not counted: %s", line);
			sbuf_release(&b);
		}
		if (p)
			pclose(p);
		ok(files > 100 && counted == files, "library: the tests of %ld of %ld rules are counted",
		   counted, files);
		free(cmd);
	}

	/* The library itself loads the same both ways. */
	{
		const char *src = getenv("srcdir");
		char *dir = xasprintf("%s/rules", src ? src : ".");
		struct rule_set *full = rule_set_new(), *run = rule_set_new();
		struct strlist d1 = { 0 }, d2 = { 0 };

		rule_set_skip_tests(run);
		rule_set_load_dir(full, dir, &d1);
		rule_set_load_dir(run, dir, &d2);
		ok(rule_set_count(full) > 100 && rule_set_count(full) == rule_set_count(run) &&
		   d1.n == 0 && d2.n == 0, "library: %zu rules both ways, no diagnostics",
		   rule_set_count(full));
		strlist_release(&d1);
		strlist_release(&d2);
		rule_set_free(full);
		rule_set_free(run);
		free(dir);
	}
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 99;
	}
	test_loader();
	test_tests_tail();
	test_engine();
	test_text();
	test_derived();
	test_prefilter();
	test_prefilter_random();
	test_backtrack();
	{
		char *cmd = xasprintf("rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			diag("could not remove %s", tmpdir);
		free(cmd);
	}
	return done_testing();
}
