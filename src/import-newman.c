/* import-newman.c - newman JSON run reports: one exchange per execution,
 * with the response newman received (Buffer streams decoded), transport
 * errors and failed assertions. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cookie-array.h"
#include "import-postman.h"

/* Decode a {"type": "Buffer", "data": [...]} stream into the body. */
static void pm_buffer(struct pm_ctx *c, struct exchange *ex, const json_t *data)
{
	size_t n = json_array_size(data), keep = n < BODY_CAP ? n : BODY_CAP, i;
	char *buf = xmalloc(keep + 1);

	for (i = 0; i < keep; i++) {
		json_t *e = json_array_get(data, i);
		json_int_t v = json_is_integer(e) ? json_integer_value(e) : -1;
		if (v < 0 || v > 255) {
			pm_skip(c, "response body of exchange %ld: byte %zu of the Buffer is not 0..255",
				c->xb.next_seq, i);
			free(buf);
			return;
		}
		buf[i] = (char)v;
	}
	body_set(&ex->resp_body, buf, keep);
	ex->resp_body.size = (long long)n;
	if (n > keep) {
		ex->resp_body.truncated = 1;
		json_object_set_new(c->extra, "body_truncated_at", json_integer((json_int_t)keep));
	}
	free(buf);
}

/* "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9" from a requestError. */
static char *pm_request_error(const json_t *err)
{
	const char *code = jstr(err, "code"), *msg = jstr(err, "message");
	const char *sys = jstr(err, "syscall"), *addr = jstr(err, "address");
	char *port = jtext(json_object_get(err, "port"), 0);
	char *errnum = jtext(json_object_get(err, "errno"), 0);
	struct sbuf b = SBUF_INIT;

	if (json_is_string(err))
		msg = json_string_value(err);
	if (code)
		sbuf_adds(&b, code);
	if (msg && *msg) {
		if (!code || strncmp(msg, code, strlen(code)) != 0) {
			if (b.len)
				sbuf_adds(&b, ": ");
			sbuf_adds(&b, msg);
		} else {
			sbuf_reset(&b);
			sbuf_adds(&b, msg);
		}
	} else if (sys) {
		sbuf_addf(&b, "%s%s %s", b.len ? ": " : "", sys, code ? code : "");
		if (addr)
			sbuf_addf(&b, " %s%s%s", addr, port ? ":" : "", port ? port : "");
	}
	if (!b.len && errnum)
		sbuf_addf(&b, "errno %s", errnum);
	if (!b.len)
		sbuf_adds(&b, "request error");
	free(port);
	free(errnum);
	return sbuf_detach(&b, NULL);
}

/* "test script error: SyntaxError: Unexpected token ..." once per exchange. */
static void script_error(struct exchange *ex, const char *which, const json_t *err)
{
	const char *name = jstr(err, "name"), *msg = jstr(err, "message");
	char *line = xasprintf("%s error: %.100s%s%.2000s", which, name ? name : "",
			       name && msg ? ": " : "", msg ? msg : name ? "" : "(no message)");
	for (size_t i = 0; i < ex->transcript.n; i++)
		if (!strcmp(ex->transcript.v[i], line)) {
			free(line);
			return;
		}
	strlist_adds(&ex->transcript, line);
	free(line);
}

/* Assertion failures and script errors as transcript lines. */
static void pm_assertions(struct exchange *ex, const json_t *exe)
{
	json_t *as = json_object_get(exe, "assertions"), *a;
	size_t i;
	static const char *const scripts[] = { "prerequestScript", "testScript" };

	json_array_foreach(as, i, a) {
		json_t *err = json_object_get(a, "error");
		const char *name = jstr(a, "assertion"), *msg = jstr(err, "message");
		char *line;
		if (!json_is_object(err))
			continue;
		if (!name)
			name = jstr(err, "test");
		line = xasprintf("assertion failed: %.500s%s%.2000s", name ? name : "(unnamed)",
				 msg ? ": " : "", msg ? msg : "");
		strlist_adds(&ex->transcript, line);
		free(line);
	}
	for (size_t k = 0; k < 2; k++) {
		json_array_foreach(json_object_get(exe, scripts[k]), i, a) {
			json_t *err = json_object_get(a, "error");
			if (!json_is_object(err))
				continue;
			script_error(ex, k ? "test script" : "pre-request script", err);
		}
	}
}

/* A script error of the run's failures list that the execution does not
 * carry itself (newman puts some only there): same cursor, "at" a script,
 * and no assertion. */
static void pm_run_failures(struct exchange *ex, const json_t *exe, const json_t *failures)
{
	const json_t *cur = json_object_get(exe, "cursor"), *f;
	const char *ref = jstr(cur, "ref");
	size_t i;
	json_array_foreach(failures, i, f) {
		const json_t *err = json_object_get(f, "error"), *fc = json_object_get(f, "cursor");
		const char *at = jstr(f, "at"), *fref = jstr(fc, "ref");
		if (!json_is_object(err) || !at || strstr(at, "assertion") || jstr(err, "test"))
			continue;
		if (ref && fref ? strcmp(ref, fref) != 0
				: !(json_is_integer(json_object_get(cur, "position")) &&
				    json_equal(json_object_get(cur, "position"), json_object_get(fc, "position")) &&
				    json_equal(json_object_get(cur, "iteration"), json_object_get(fc, "iteration"))))
			continue;
		script_error(ex, strstr(at, "prerequest") || strstr(at, "pre-request") ? "pre-request script"
											: "test script", err);
	}
}

/* A newman run report; -1 to stop. */
int pm_newman(struct pm_ctx *c, const json_t *root)
{
	json_t *exes = json_object_get(json_object_get(root, "run"), "executions"), *exe;
	size_t i;

	c->resolve = 0;
	json_array_foreach(exes, i, exe) {
		struct exchange *ex;
		json_t *req, *resp, *url, *rerr, *stream;
		const char *name;
		char *tmpl;
		if (!json_is_object(exe)) {
			pm_skip(c, "execution %zu is not an object", i);
			continue;
		}
		req = json_object_get(exe, "request");
		resp = json_object_get(exe, "response");
		rerr = json_object_get(exe, "requestError");
		ex = pm_begin(c);
		name = jstr(json_object_get(exe, "item"), "name");
		if (name)
			exchange_set(&ex->name, name);
		pm_method(ex, jstr(req, "method"));
		url = json_object_get(req, "url");
		if (json_is_string(url))
			tmpl = xstrdup(json_string_value(url));
		else if (json_is_object(url))
			tmpl = jstr(url, "raw") ? xstrdup(jstr(url, "raw")) : pm_url_from_parts(url);
		else
			tmpl = xstrdup("");
		pm_set_url(c, ex, tmpl);
		free(tmpl);
		pm_headers(c, &ex->req_headers, json_object_get(req, "header"));
		pm_body_v2(c, ex, json_object_get(req, "body"));
		if (json_is_object(resp)) {
			json_t *body = json_object_get(resp, "body");
			stream = json_object_get(resp, "stream");
			pm_response_common(c, ex, jint(json_object_get(resp, "code"), -1),
					   jstr(resp, "status"), json_object_get(resp, "header"),
					   NULL, 0, NULL, json_object_get(resp, "responseTime"));
			cookie_array_headers(&ex->resp_headers, json_object_get(resp, "cookie"), 1);
			if (json_is_array(json_object_get(stream, "data")))
				pm_buffer(c, ex, json_object_get(stream, "data"));
			else if (json_is_string(body))
				pm_set_body(&ex->resp_body, xstrndup(json_string_value(body),
								    json_string_length(body)), NULL);
		} else if (rerr && !json_is_null(rerr)) {
			char *e = pm_request_error(rerr);
			ex->status = STATUS_NONE;
			exchange_set(&ex->error, e);
			free(e);
		}
		pm_assertions(ex, exe);
		pm_run_failures(ex, exe, json_object_get(json_object_get(root, "run"), "failures"));
		if (pm_emit(c, ex) < 0)
			return -1;
	}
	return 0;
}
