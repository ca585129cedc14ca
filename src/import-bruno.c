/* import-bruno.c - Bruno: run reports (JSON, `bru run --reporter-json` or
 * the older `--output`) and request files (.bru).
 *
 * A run report is either {summary, results} or, since iterations, an
 * array of {iterationIndex, summary, results}; each result has the
 * request as sent (method, url, headers object, data), the response
 * (status, statusText, headers object, data, responseTime) or an error
 * text, and the assertion and test results, which become transcript
 * lines.  A .bru file is one request of a collection: blocks "name {"
 * ... "}" at the start of a line, dictionaries of "key: value" lines
 * (a leading '~' disables one) or indented text (bodies).  Variables stay
 * as written ({{baseUrl}}) with a note: the environments are other files.
 */
#include <config.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import-bruno.h"
#include "json-util.h"
#include "util.h"
#include "xbuild.h"

/* Blocks read from one .bru file. */
#define BRU_BLOCK_CAP 256

/* ---------------------------------------------------------------------
 * Run reports.
 */

/* A results array whose first entry looks like a Bruno request result. */
static int bruno_results(const json_t *res)
{
	const json_t *r = json_array_get(res, 0);
	return json_is_array(res) &&
	       (!r || (json_is_object(json_object_get(r, "request")) &&
		       (json_object_get(r, "suitename") || json_object_get(r, "test") ||
			json_object_get(r, "assertionResults"))));
}

int bruno_classify(const json_t *root)
{
	const json_t *it;
	if (json_is_object(root))
		return json_is_object(json_object_get(root, "summary")) &&
		       json_object_get(json_object_get(root, "summary"), "totalRequests") &&
		       bruno_results(json_object_get(root, "results"));
	it = json_array_get(root, 0);
	return json_is_array(root) && json_is_object(it) && json_object_get(it, "iterationIndex") &&
	       bruno_results(json_object_get(it, "results"));
}

/* Headers object {name: value | [values]} into one side. */
static void bruno_headers(struct xbuild *b, enum xb_side side, const json_t *hs)
{
	const char *k;
	json_t *v;
	char tmp[64];
	json_object_foreach((json_t *)hs, k, v)
	{
		size_t i, vl;
		json_t *one;
		const char *s;
		if (json_is_array(v)) {
			json_array_foreach(v, i, one)
				if ((s = jscalar(one, tmp, sizeof(tmp), &vl)))
					xb_header(b, side, k, strlen(k), s, vl);
		} else if ((s = jscalar(v, tmp, sizeof(tmp), &vl))) {
			xb_header(b, side, k, strlen(k), s, vl);
		}
	}
}

/* A body as Bruno reports it: a string as is, anything else as JSON. */
static void bruno_body(struct xbuild *b, enum xb_side side, const json_t *data)
{
	char *t;
	if (!data || json_is_null(data))
		return;
	if (json_is_string(data)) {
		xb_body_set(b, side, json_string_value(data), json_string_length(data));
		return;
	}
	t = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);
	if (t) {
		xb_body_set(b, side, t, strlen(t));
		free(t);
	}
}

/* Failed assertions and tests as transcript lines. */
static void bruno_checks(struct xbuild *b, const json_t *list, const char *kind)
{
	size_t i;
	json_t *a;
	json_array_foreach(list, i, a) {
		const char *st = jstr(a, "status"), *err = jstr(a, "error");
		char *line;
		if (!st || strcmp(st, "fail") != 0)
			continue;
		if (jstr(a, "lhsExpr"))
			line = xasprintf("bruno %s failed: %s %s%s%s", kind, jstr(a, "lhsExpr"),
					 jstr(a, "rhsExpr") ? jstr(a, "rhsExpr") : "", err ? ": " : "",
					 err ? err : "");
		else
			line = xasprintf("bruno %s failed: %s%s%s", kind,
					 jstr(a, "description") ? jstr(a, "description") : "(unnamed)",
					 err ? ": " : "", err ? err : "");
		xb_transcript(b, line, strlen(line));
		free(line);
	}
}

/* One result; -1 to stop. */
static int bruno_result(struct xbuild *b, const json_t *r, long iteration)
{
	const json_t *req = json_object_get(r, "request"), *resp = json_object_get(r, "response");
	const char *name = jstr(r, "suitename");
	const char *err = jstr(r, "error");
	struct exchange *ex = xb_begin(b);
	json_t *st = json_object_get(resp, "status");

	if (!name)
		name = jstr(json_object_get(r, "test"), "filename");
	if (name) {
		char *n = iteration > 0 ? xasprintf("%s (iteration %ld)", name, iteration + 1) : xstrdup(name);
		exchange_set(&ex->name, n);
		free(n);
	}
	xb_request_line(b, jstr(req, "method"), jstr(req, "url"), NULL);
	bruno_headers(b, XB_REQ, json_object_get(req, "headers"));
	bruno_body(b, XB_REQ, json_object_get(req, "data"));
	if (json_is_integer(st) && json_integer_value(st) > 0) {
		xb_status(b, (int)json_integer_value(st), jstr(resp, "statusText"));
		bruno_headers(b, XB_RESP, json_object_get(resp, "headers"));
		bruno_body(b, XB_RESP, json_object_get(resp, "data"));
		if (json_is_number(json_object_get(resp, "responseTime")))
			ex->timings.total = json_number_value(json_object_get(resp, "responseTime"));
	} else if (err && *err) {
		/* no response: the request failed (ECONNREFUSED, timeout ...) */
		ex->status = STATUS_NONE;
		exchange_set(&ex->error, err);
	}
	if (err && *err) {
		char *line = xasprintf("bruno error: %s", err);
		xb_transcript(b, line, strlen(line));
		free(line);
	}
	bruno_checks(b, json_object_get(r, "assertionResults"), "assertion");
	bruno_checks(b, json_object_get(r, "testResults"), "test");
	bruno_checks(b, json_object_get(r, "preRequestTestResults"), "pre-request test");
	bruno_checks(b, json_object_get(r, "postResponseTestResults"), "post-response test");
	return xb_emit(b);
}

int import_bruno_json(json_t *root, const struct import_opts *opts, struct import_sink *sink,
		      struct import_result *res)
{
	struct xbuild b;
	json_t *iters = NULL, *it, *r;
	size_t i, j, total = 0;
	int rc = 0;
	(void)opts;

	res->format = FMT_BRUNO;
	if (!bruno_classify(root)) {
		import_fail(res, IMPORT_ERROR, "not a bruno run report (no summary and results)");
		return 0;
	}
	if (json_is_object(root)) {
		iters = json_array();
		json_array_append(iters, root);
	} else {
		iters = json_incref(root);
	}
	json_array_foreach(iters, i, it)
		total += json_array_size(json_object_get(it, "results"));
	if (!total) {
		json_decref(iters);
		import_fail(res, IMPORT_ERROR, "bruno run report holds no request result");
		return 0;
	}
	xb_init(&b, sink, res);
	json_array_foreach(iters, i, it) {
		long iteration = (long)jint(json_object_get(it, "iterationIndex"), (long long)i);
		json_array_foreach(json_object_get(it, "results"), j, r) {
			if (!json_is_object(r)) {
				xb_note(&b, NOTE_SKIPPED, -1, "result %zu of iteration %ld is not an object", j,
					iteration + 1);
				continue;
			}
			if ((rc = bruno_result(&b, r, json_array_size(iters) > 1 ? iteration : 0)) < 0)
				break;
		}
		if (rc < 0)
			break;
	}
	rc = b.failed ? -1 : 0;
	xb_release(&b);
	json_decref(iters);
	return rc;
}

/* ---------------------------------------------------------------------
 * .bru request files.
 */

struct bru_block {
	char *name;       /* "meta", "get", "headers", "body:json" ... */
	char *text;       /* the block's lines, two-space indent removed */
};

static const char *const bru_methods[] = {"get", "post", "put", "delete", "patch", "options",
					  "head", "connect", "trace", NULL};

static int is_method_block(const char *name)
{
	for (size_t i = 0; bru_methods[i]; i++)
		if (strcmp(name, bru_methods[i]) == 0)
			return 1;
	return 0;
}

/* Name of the block a line opens ("name {" at column 0), malloc'd, or NULL. */
static char *block_open(const char *line, size_t n)
{
	size_t k = 0;
	while (k < n && ((line[k] >= 'a' && line[k] <= 'z') || (line[k] >= '0' && line[k] <= '9') ||
			 line[k] == ':' || line[k] == '-' || line[k] == '_'))
		k++;
	if (k == 0 || k > 64)
		return NULL;
	if (n - k >= 2 && line[k] == ' ' && (line[k + 1] == '{' || line[k + 1] == '[')) {
		size_t r = k + 2;
		while (r < n && (line[r] == ' ' || line[r] == '\r'))
			r++;
		if (r == n)
			return xstrndup(line, k);
	}
	return NULL;
}

/* Split buf into blocks; returns how many (at most BRU_BLOCK_CAP). */
static size_t bru_blocks(const char *buf, size_t len, struct bru_block *out)
{
	const char *p = buf, *end = buf + len;
	size_t n = 0;
	struct sbuf text = SBUF_INIT;
	char *cur = NULL;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t ll = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (ll && p[ll - 1] == '\r')
			ll--;
		if (!cur) {
			cur = block_open(p, ll);
			sbuf_reset(&text);
		} else if ((ll == 1 && (p[0] == '}' || p[0] == ']'))) {
			if (n < BRU_BLOCK_CAP) {
				out[n].name = cur;
				out[n].text = xstrdup(sbuf_str(&text));
				n++;
			} else {
				free(cur);
			}
			cur = NULL;
		} else {
			size_t skip = ll >= 2 && p[0] == ' ' && p[1] == ' ' ? 2 : 0;
			sbuf_add(&text, p + skip, ll - skip);
			sbuf_addc(&text, '\n');
		}
		p = eol ? eol + 1 : end;
	}
	free(cur);
	sbuf_release(&text);
	return n;
}

static const struct bru_block *bru_find(const struct bru_block *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* Each enabled "key: value" line of a dictionary block. */
static void bru_dict(const struct bru_block *blk,
		     void (*fn)(void *ctx, const char *k, size_t kl, const char *v, size_t vl), void *ctx)
{
	const char *p = blk ? blk->text : NULL;
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t ll = eol ? (size_t)(eol - p) : strlen(p);
		const char *colon = memchr(p, ':', ll);
		if (colon && p[0] != '~' && colon > p) {
			const char *v = colon + 1;
			size_t vl = ll - (size_t)(v - p), kl = (size_t)(colon - p);
			trim_span(&v, &vl);
			while (kl && p[kl - 1] == ' ')
				kl--;
			fn(ctx, p, kl, v, vl);
		}
		p = eol ? eol + 1 : NULL;
	}
}

/* A value of a dictionary block, malloc'd, or NULL. */
struct dict_get {
	const char *key;
	char *value;
};

static void dict_get_cb(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	struct dict_get *g = ctx;
	if (!g->value && strlen(g->key) == kl && strncmp(k, g->key, kl) == 0)
		g->value = xstrndup(v, vl);
}

static char *bru_get(const struct bru_block *blk, const char *key)
{
	struct dict_get g = {key, NULL};
	bru_dict(blk, dict_get_cb, &g);
	return g.value;
}

static void header_cb(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	xb_header(ctx, XB_REQ, k, kl, v, vl);
}

struct query_ctx {
	struct sbuf *url;
	int first;
};

static void query_cb(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	struct query_ctx *q = ctx;
	sbuf_addc(q->url, q->first ? '?' : '&');
	sbuf_add(q->url, k, kl);
	sbuf_addc(q->url, '=');
	sbuf_add(q->url, v, vl);
	q->first = 0;
}

static void form_cb(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	struct sbuf *b = ctx;
	if (b->len)
		sbuf_addc(b, '&');
	sbuf_add(b, k, kl);
	sbuf_addc(b, '=');
	sbuf_add(b, v, vl);
}

/* Note each distinct {{variable}} left in s. */
static void bru_note_vars(struct xbuild *b, const char *s, const char *where)
{
	const char *p = s;
	int n = 0;
	while (p && (p = strstr(p, "{{")) && n < 16) {
		const char *e = strstr(p + 2, "}}");
		if (!e || e - p > 80)
			break;
		xb_note_after(b, NOTE_UNRESOLVED_VAR, "%.*s in %s (Bruno environments are other files)",
			      (int)(e + 2 - p), p, where);
		p = e + 2;
		n++;
	}
}

int bru_looks_like(const char *p, size_t n)
{
	size_t lim = n < 8192 ? n : 8192;
	const char *q = p, *end = p + lim;
	int meta = 0, method = 0, vars = 0, first = 1;
	while (q < end) {
		const char *eol = memchr(q, '\n', (size_t)(end - q));
		size_t ll = eol ? (size_t)(eol - q) : (size_t)(end - q);
		char *name = block_open(q, ll && q[ll - 1] == '\r' ? ll - 1 : ll);
		if (name) {
			meta |= strcmp(name, "meta") == 0 && first;
			method |= is_method_block(name);
			vars |= (strcmp(name, "vars") == 0 || strcmp(name, "vars:secret") == 0) && first;
			first = 0;
			free(name);
		} else if (first && ll && q[0] != '\r') {
			return 0; /* text before the first block: not a .bru file */
		}
		q = eol ? eol + 1 : end;
	}
	if (meta && method)
		return BRU_REQUEST;
	if (meta || vars)
		return BRU_OTHER;
	return 0;
}

int import_bru(const char *buf, size_t len, const struct import_opts *opts, struct import_sink *sink,
	       struct import_result *res)
{
	struct bru_block *blk = xcalloc(BRU_BLOCK_CAP, sizeof(*blk));
	size_t nb = bru_blocks(buf, len, blk), i;
	const struct bru_block *meta = bru_find(blk, nb, "meta"), *mb = NULL, *body = NULL;
	struct xbuild b;
	struct exchange *ex;
	struct sbuf url = SBUF_INIT;
	char *u, *name, *bodykind, *auth, *type;
	int rc = 0;
	(void)opts;

	memset(res, 0, sizeof(*res));
	res->format = FMT_BRUNO;
	for (i = 0; i < nb && !mb; i++)
		if (is_method_block(blk[i].name))
			mb = &blk[i];
	type = bru_get(meta, "type");
	if (!mb) {
		int settings = meta && !type;
		free(type);
		if (bru_find(blk, nb, "vars") || bru_find(blk, nb, "vars:secret"))
			import_fail(res, IMPORT_NOT_CAPTURE, "a Bruno environment (variables only, no request)");
		else if (settings)
			import_fail(res, IMPORT_NOT_CAPTURE, "Bruno folder or collection settings (no request)");
		else
			import_fail(res, IMPORT_ERROR, "a Bruno .bru file without a request block (get { ... })");
		goto out;
	}
	xb_init(&b, sink, res);
	ex = xb_begin(&b);
	name = bru_get(meta, "name");
	if (name) {
		exchange_set(&ex->name, name);
		free(name);
	}
	u = bru_get(mb, "url");
	sbuf_adds(&url, u ? u : "");
	free(u);
	{
		struct query_ctx q = {&url, strchr(sbuf_str(&url), '?') == NULL};
		/* params:query repeats the url's query in newer files: only add
		 * it when the url has none */
		if (q.first)
			bru_dict(bru_find(blk, nb, "params:query") ? bru_find(blk, nb, "params:query")
								   : bru_find(blk, nb, "query"),
				 query_cb, &q);
	}
	{
		/* params:path: ":name" segments */
		const struct bru_block *pp = bru_find(blk, nb, "params:path");
		const char *p = pp ? pp->text : NULL;
		while (p && *p) {
			const char *eol = strchr(p, '\n');
			size_t ll = eol ? (size_t)(eol - p) : strlen(p);
			const char *colon = memchr(p, ':', ll);
			if (colon && p[0] != '~') {
				char *k = xstrndup(p, (size_t)(colon - p)), *v;
				const char *vs = colon + 1;
				size_t vl = ll - (size_t)(vs - p);
				trim_span(&vs, &vl);
				v = xstrndup(vs, vl);
				url_fill_path_param(&url, k, v);
				free(k);
				free(v);
			}
			p = eol ? eol + 1 : NULL;
		}
	}
	{
		char *m = xstrdup(mb->name);
		for (char *c = m; *c; c++)
			*c = (char)(*c - 32);
		xb_request_line(&b, m, sbuf_str(&url), NULL);
		free(m);
	}
	bru_note_vars(&b, sbuf_str(&url), "url");
	bru_dict(bru_find(blk, nb, "headers"), header_cb, &b);
	auth = bru_get(mb, "auth");
	if (auth && strcmp(auth, "bearer") == 0) {
		char *t = bru_get(bru_find(blk, nb, "auth:bearer"), "token");
		if (t && !hdr_list_get(&ex->req_headers, "authorization")) {
			char *h = xasprintf("Bearer %s", t);
			xb_header(&b, XB_REQ, "Authorization", 13, h, strlen(h));
			free(h);
		}
		free(t);
	} else if (auth && strcmp(auth, "basic") == 0) {
		char *usr = bru_get(bru_find(blk, nb, "auth:basic"), "username");
		char *pw = bru_get(bru_find(blk, nb, "auth:basic"), "password");
		char *up = xasprintf("%s:%s", usr ? usr : "", pw ? pw : "");
		char *enc = base64_encode((const unsigned char *)up, strlen(up));
		char *h = xasprintf("Basic %s", enc ? enc : "");
		if (!hdr_list_get(&ex->req_headers, "authorization"))
			xb_header(&b, XB_REQ, "Authorization", 13, h, strlen(h));
		free(usr);
		free(pw);
		free(up);
		free(enc);
		free(h);
	} else if (auth && strcmp(auth, "apikey") == 0) {
		const struct bru_block *ak = bru_find(blk, nb, "auth:apikey");
		char *k = bru_get(ak, "key"), *v = bru_get(ak, "value"), *pl = bru_get(ak, "placement");
		if (k && *k && (!pl || strcmp(pl, "header") == 0))
			xb_header(&b, XB_REQ, k, strlen(k), v ? v : "", v ? strlen(v) : 0);
		free(k);
		free(v);
		free(pl);
	}
	if (auth && strcmp(auth, "none") && strcmp(auth, "inherit")) {
		char *x = xasprintf("{\"auth\":\"%.40s\"}", auth);
		exchange_set(&ex->extra, x);
		free(x);
	}
	free(auth);
	bodykind = bru_get(mb, "body");
	if (bodykind && strcmp(bodykind, "none") != 0) {
		char *bn = xasprintf("body:%s", bodykind);
		body = bru_find(blk, nb, bn);
		free(bn);
		if (body && (!strcmp(bodykind, "form-urlencoded") || !strcmp(bodykind, "multipart-form"))) {
			struct sbuf f = SBUF_INIT;
			bru_dict(body, form_cb, &f);
			xb_body_set(&b, XB_REQ, sbuf_str(&f), f.len);
			sbuf_release(&f);
		} else if (body && !strcmp(bodykind, "graphql")) {
			json_t *o = json_pack("{s:s}", "query", body->text);
			char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;
			if (t)
				xb_body_set(&b, XB_REQ, t, strlen(t));
			free(t);
			json_decref(o);
		} else if (body) {
			size_t bl = strlen(body->text);
			xb_body_set(&b, XB_REQ, body->text, bl && body->text[bl - 1] == '\n' ? bl - 1 : bl);
		}
	}
	free(bodykind);
	free(type);
	ex->status = STATUS_UNKNOWN; /* a request file holds no response */
	rc = xb_emit(&b) < 0 && b.failed ? -1 : 0;
	xb_release(&b);
out:
	sbuf_release(&url);
	for (i = 0; i < nb; i++) {
		free(blk[i].name);
		free(blk[i].text);
	}
	free(blk);
	return rc;
}
