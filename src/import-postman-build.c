/* import-postman-build.c - what every Postman-family reader shares: the
 * exchange under construction (pm_begin/pm_emit over the exchange builder),
 * skipped-piece and fatal notes, headers, URLs with path variables, auth,
 * v2-style bodies, methods and responses. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import-postman.h"

/* Does info.schema name a collection schema we read?  1 yes, 0 unknown
 * (absent schema counts as yes: old v2 exports have none). */
int pm_schema_known(const char *schema)
{
	if (!schema)
		return 1;
	return strstr(schema, "/collection/v2.1.0/") || strstr(schema, "/collection/v2.0.0/") ||
	       strstr(schema, "/collection/v2/") || strstr(schema, "/collection/v1.0.0/") ||
	       strstr(schema, "/collection/v1/");
}

/* Record a skipped piece of the input. */
void pm_skip(struct pm_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pm_skip(struct pm_ctx *c, const char *fmt, ...)
{
	char msg[PM_MSG_CAP];
	va_list ap;

	if (++c->skipped > PM_SKIP_NOTE_CAP)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->sink->note(c->sink->ctx, NOTE_SKIPPED, -1, msg);
}

/* Record the structural error that stops the import. */
void pm_fatal(struct pm_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pm_fatal(struct pm_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->fatal[0])
		return;
	va_start(ap, fmt);
	vsnprintf(c->fatal, sizeof(c->fatal), fmt, ap);
	va_end(ap);
}

/* Start a new exchange and its per-exchange bookkeeping. */
struct exchange *pm_begin(struct pm_ctx *c)
{
	strlist_release(&c->unres);
	strlist_release(&c->unres_where);
	c->unres_more = 0;
	json_decref(c->extra);
	c->extra = json_object();
	return xb_begin(&c->xb);
}

/* Hand the open exchange to the sink, then note its unresolved variables.
 * Returns -1 when the import must stop (sink error or item cap). */
int pm_emit(struct pm_ctx *c, struct exchange *ex)
{
	int rc;

	if (c->extra && json_object_size(c->extra)) {
		char *s = json_dumps(c->extra, JSON_COMPACT | JSON_SORT_KEYS);
		exchange_set(&ex->extra, s);
		free(s);
	}
	for (size_t i = 0; i < c->unres.n; i++)
		xb_note_after(&c->xb, NOTE_UNRESOLVED_VAR, "{{%.200s}} in %s", c->unres.v[i],
			      c->unres_where.v[i]);
	if (c->unres_more)
		xb_note_after(&c->xb, NOTE_UNRESOLVED_VAR, "%ld more unresolved references not listed",
			      c->unres_more);
	rc = xb_emit(&c->xb);
	if (rc < 0 && c->xb.capped && !c->capped) {
		c->capped = 1;
		pm_skip(c, "stopped after %ld requests (cap)", PM_ITEM_CAP);
	}
	strlist_release(&c->unres);
	strlist_release(&c->unres_where);
	c->unres_more = 0;
	return rc;
}

/* Add one header with its value resolved. */
void pm_add_header(struct pm_ctx *c, struct hdr_list *l, const char *name,
		   const char *value)
{
	char *where = xasprintf("header %.100s", name);
	char *v = pm_resolve(c, value ? value : "", where);
	char *n = pm_resolve(c, name, where);
	if (*n)
		hdr_list_adds(l, n, v);
	free(n);
	free(v);
	free(where);
}

/* Add headers given as "Name: value" lines; "//" lines are disabled. */
static void pm_headers_from_string(struct pm_ctx *c, struct hdr_list *l, const char *s)
{
	while (s && *s) {
		const char *eol = strchr(s, '\n');
		size_t n = eol ? (size_t)(eol - s) : strlen(s);
		const char *line = s, *colon;
		trim_span(&line, &n);
		colon = memchr(line, ':', n);
		if (n && !(n >= 2 && line[0] == '/' && line[1] == '/') && colon && colon > line) {
			char *name = xstrndup(line, (size_t)(colon - line));
			const char *v = colon + 1;
			size_t vn = n - (size_t)(v - line);
			char *val;
			size_t nn = strlen(name);
			const char *np = name;
			trim_span(&v, &vn);
			trim_span(&np, &nn);
			val = xstrndup(v, vn);
			name[np - name + nn] = '\0';
			pm_add_header(c, l, np, val);
			free(val);
			free(name);
		}
		s = eol ? eol + 1 : NULL;
	}
}

/* Add headers from a list [{key|name, value, disabled|enabled}] or a string. */
void pm_headers(struct pm_ctx *c, struct hdr_list *l, const json_t *h)
{
	size_t i;
	json_t *e;

	if (json_is_string(h)) {
		pm_headers_from_string(c, l, json_string_value(h));
		return;
	}
	if (!json_is_array(h))
		return;
	json_array_foreach(h, i, e) {
		const char *k = jstr(e, "key");
		char *v;
		if (!k)
			k = jstr(e, "name");
		if (!k || jtrue(e, "disabled") || json_is_false(json_object_get(e, "enabled")))
			continue;
		v = jtext(json_object_get(e, "value"), 0);
		pm_add_header(c, l, k, v ? v : "");
		free(v);
	}
}

/* Build a URL from a Postman / newman URL object (no raw).  Returns a new
 * string, maybe without scheme. */
char *pm_url_from_parts(const json_t *u)
{
	struct sbuf b = SBUF_INIT;
	const char *proto = jstr(u, "protocol");
	json_t *host = json_object_get(u, "host"), *path = json_object_get(u, "path");
	json_t *query = json_object_get(u, "query"), *e;
	char *port = jtext(json_object_get(u, "port"), 0);
	const char *hash = jstr(u, "hash");
	size_t i;
	int first = 1;

	if (proto && *proto) {
		sbuf_adds(&b, proto);
		if (!strstr(proto, "://"))
			sbuf_adds(&b, "://");
	}
	if (json_is_string(host)) {
		sbuf_adds(&b, json_string_value(host));
	} else if (json_is_array(host)) {
		json_array_foreach(host, i, e) {
			char *t = jtext(e, 0);
			if (i)
				sbuf_addc(&b, '.');
			if (t)
				sbuf_adds(&b, t);
			free(t);
		}
	}
	if (port && *port)
		sbuf_addf(&b, ":%s", port);
	if (json_is_string(path)) {
		const char *ps = json_string_value(path);
		if (*ps && *ps != '/')
			sbuf_addc(&b, '/');
		sbuf_adds(&b, ps);
	} else if (json_is_array(path)) {
		json_array_foreach(path, i, e) {
			const char *seg = json_is_string(e) ? json_string_value(e) : jstr(e, "value");
			sbuf_addc(&b, '/');
			if (seg)
				sbuf_adds(&b, seg);
		}
	}
	if (json_is_array(query)) {
		json_array_foreach(query, i, e) {
			const char *k = jstr(e, "key");
			char *v;
			if (!k || jtrue(e, "disabled"))
				continue;
			sbuf_addc(&b, first ? '?' : '&');
			first = 0;
			sbuf_adds(&b, k);
			v = jtext(json_object_get(e, "value"), 0);
			if (v) {
				sbuf_addc(&b, '=');
				sbuf_adds(&b, v);
			}
			free(v);
		}
	}
	if (hash && *hash)
		sbuf_addf(&b, "#%s", hash);
	free(port);
	return b.data ? sbuf_detach(&b, NULL) : xstrdup("");
}

/* Replace ":name" path segments of url by their values in vars (a list of
 * {key, value} or, for v1, an object name -> value).  Returns a new string. */
char *pm_path_vars(const char *url, const json_t *vars)
{
	struct sbuf b = SBUF_INIT;
	const char *p = url;
	const char *stop = url + strcspn(url, "?#");

	if (!json_is_array(vars) && !json_is_object(vars))
		return xstrdup(url);
	while (*p) {
		const char *seg, *segend;
		char *val = NULL;
		if (p >= stop || p[0] != '/' || p[1] != ':') {
			sbuf_addc(&b, *p++);
			continue;
		}
		seg = p + 2;
		segend = seg;
		while (*segend && *segend != '/' && *segend != '?' && *segend != '#')
			segend++;
		if (json_is_array(vars)) {
			size_t i;
			json_t *e;
			json_array_foreach(vars, i, e) {
				const char *k = jstr(e, "key");
				if (!k)
					k = jstr(e, "id");
				if (k && strlen(k) == (size_t)(segend - seg) &&
				    memcmp(k, seg, (size_t)(segend - seg)) == 0) {
					free(val);
					val = jtext(json_object_get(e, "value"), 0);
				}
			}
		} else {
			char *k = xstrndup(seg, (size_t)(segend - seg));
			val = jtext(json_object_get(vars, k), 0);
			free(k);
		}
		sbuf_addc(&b, '/');
		if (val && *val)
			sbuf_adds(&b, val);
		else
			sbuf_add(&b, p + 1, (size_t)(segend - p - 1));
		free(val);
		p = segend;
	}
	return b.data ? sbuf_detach(&b, NULL) : xstrdup("");
}

/* Set the exchange URL from a template: resolve it, default the scheme to
 * http as Postman does, and keep the template in extra when it differs. */
void pm_set_url(struct pm_ctx *c, struct exchange *ex, const char *tmpl)
{
	char *url = pm_resolve(c, tmpl, "url");
	const char *u = url;
	size_t n = strlen(u);

	trim_span(&u, &n);
	if (n && !memmem(u, n, "://", 3) && u[0] != '/' && u[0] != '{') {
		char *full = xasprintf("http://%.*s", (int)n, u);
		exchange_set_url(ex, full);
		free(full);
	} else {
		char *t = xstrndup(u, n);
		exchange_set_url(ex, t);
		free(t);
	}
	if (strcmp(tmpl, url) != 0 && c->resolve)
		json_object_set_new(c->extra, "url_template", json_string(tmpl));
	free(url);
}

/* The auth that applies: own unless absent, null or "inherit". */
const json_t *pm_auth_pick(const json_t *own, const json_t *inherited)
{
	const char *t = jstr(own, "type");
	if (!json_is_object(own) || (t && strcmp(t, "inherit") == 0))
		return inherited;
	return own;
}

/* A Postman auth parameter: v2.1 list [{key, value}] or v2.0 object. */
static char *pm_auth_param(const json_t *auth, const char *type, const char *key)
{
	json_t *p = json_object_get(auth, type), *e;
	size_t i;
	char *found = NULL;

	if (json_is_object(p))
		return jtext(json_object_get(p, key), 0);
	if (json_is_array(p))
		json_array_foreach(p, i, e) {
			const char *k = jstr(e, "key");
			if (k && strcmp(k, key) == 0) {
				free(found);
				found = jtext(json_object_get(e, "value"), 0);
			}
		}
	return found;
}

/* Add the header an auth block implies (bearer, basic, apikey in header,
 * oauth2 token) unless the request already has it; keep the type in extra. */
void pm_auth(struct pm_ctx *c, struct exchange *ex, const json_t *auth)
{
	const char *type = jstr(auth, "type");
	char *a = NULL, *b = NULL, *d = NULL;

	if (!type || strcmp(type, "noauth") == 0 || strcmp(type, "inherit") == 0)
		return;
	json_object_set_new(c->extra, "auth", json_string(type));
	if (strcmp(type, "bearer") == 0) {
		a = pm_auth_param(auth, "bearer", "token");
		if (a && *a && !hdr_list_get(&ex->req_headers, "Authorization")) {
			b = pm_resolve(c, a, "auth");
			d = xasprintf("Bearer %s", b);
			hdr_list_adds(&ex->req_headers, "Authorization", d);
		}
	} else if (strcmp(type, "basic") == 0) {
		a = pm_auth_param(auth, "basic", "username");
		b = pm_auth_param(auth, "basic", "password");
		if ((a || b) && !hdr_list_get(&ex->req_headers, "Authorization")) {
			char *ua = pm_resolve(c, a ? a : "", "auth");
			char *pa = pm_resolve(c, b ? b : "", "auth");
			char *pair = xasprintf("%s:%s", ua, pa);
			char *enc = base64_encode((const unsigned char *)pair, strlen(pair));
			d = xasprintf("Basic %s", enc);
			hdr_list_adds(&ex->req_headers, "Authorization", d);
			free(enc);
			free(pair);
			free(pa);
			free(ua);
		}
	} else if (strcmp(type, "apikey") == 0) {
		char *in = pm_auth_param(auth, "apikey", "in");
		a = pm_auth_param(auth, "apikey", "key");
		b = pm_auth_param(auth, "apikey", "value");
		if (!a)
			a = xstrdup("x-api-key"); /* Postman's default name */
		if ((!in || strcmp(in, "header") == 0) && !hdr_list_get(&ex->req_headers, a)) {
			char *rk = pm_resolve(c, a, "auth");
			d = pm_resolve(c, b ? b : "", "auth");
			if (*rk)
				hdr_list_adds(&ex->req_headers, rk, d);
			free(rk);
		}
		free(in);
	} else if (strcmp(type, "oauth2") == 0) {
		char *to = pm_auth_param(auth, "oauth2", "addTokenTo");
		a = pm_auth_param(auth, "oauth2", "accessToken");
		b = pm_auth_param(auth, "oauth2", "headerPrefix");
		if (a && *a && (!to || strcmp(to, "header") == 0) &&
		    !hdr_list_get(&ex->req_headers, "Authorization")) {
			char *tok = pm_resolve(c, a, "auth");
			d = xasprintf("%s %s", b && *b ? b : "Bearer", tok);
			hdr_list_adds(&ex->req_headers, "Authorization", d);
			free(tok);
		}
		free(to);
	}
	free(a);
	free(b);
	free(d);
}

/* Join [{key, value|src, type, disabled|enabled}] as k=v&k=v (files as
 * k=@src), with variables resolved. */
char *pm_form(struct pm_ctx *c, const json_t *list, const char *kname)
{
	struct sbuf b = SBUF_INIT;
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e) {
		const char *k = jstr(e, kname);
		const char *type = jstr(e, "type");
		char *v, *rk, *rv;
		if (!k || jtrue(e, "disabled") || json_is_false(json_object_get(e, "enabled")))
			continue;
		if (type && strcmp(type, "file") == 0) {
			char *src = jtext(json_object_get(e, "src"), 1);
			if (!src)
				src = jtext(json_object_get(e, "fileName"), 1);
			v = xasprintf("@%s", src ? src : "");
			free(src);
		} else {
			v = jtext(json_object_get(e, "value"), 1);
		}
		if (b.len)
			sbuf_addc(&b, '&');
		rk = pm_resolve(c, k, "body");
		rv = pm_resolve(c, v ? v : "", "body");
		sbuf_addf(&b, "%s=%s", rk, rv);
		free(rk);
		free(rv);
		free(v);
	}
	return b.data ? sbuf_detach(&b, NULL) : NULL;
}

/* Set a body from a resolved string and a mime type. */
void pm_set_body(struct body *bd, char *text, const char *mime)
{
	if (!text)
		return;
	body_set(bd, text, strlen(text));
	bd->size = (long long)strlen(text);
	if (mime && !bd->mime)
		bd->mime = xstrdup(mime);
	free(text);
}

/* A GraphQL body {query, variables} as the JSON document sent. */
char *pm_graphql(struct pm_ctx *c, const char *query, const json_t *vars)
{
	json_t *o = json_object();
	char *q = pm_resolve(c, query ? query : "", "body"), *s, *r;

	json_object_set_new(o, "query", json_string(q));
	if (json_is_string(vars) && *json_string_value(vars)) {
		char *rv = pm_resolve(c, json_string_value(vars), "body");
		json_t *parsed = json_loads(rv, 0, NULL);
		json_object_set_new(o, "variables", parsed ? parsed : json_string(rv));
		free(rv);
	} else if (json_is_object(vars)) {
		json_object_set(o, "variables", (json_t *)vars);
	}
	s = json_dumps(o, JSON_COMPACT);
	r = s ? xstrdup(s) : NULL;
	free(s);
	free(q);
	json_decref(o);
	return r;
}

/* Request body of a v2 request / newman request. */
void pm_body_v2(struct pm_ctx *c, struct exchange *ex, const json_t *body)
{
	const char *mode = jstr(body, "mode");
	json_t *v;

	if (!mode || jtrue(body, "disabled"))
		return;
	v = json_object_get(body, mode);
	if (strcmp(mode, "raw") == 0 && json_is_string(v)) {
		const char *lang = NULL, *mime = NULL;
		json_t *opt = json_object_get(json_object_get(body, "options"), "raw");
		lang = jstr(opt, "language");
		if (lang && strcmp(lang, "json") == 0)
			mime = "application/json";
		else if (lang && strcmp(lang, "xml") == 0)
			mime = "application/xml";
		else if (lang && strcmp(lang, "html") == 0)
			mime = "text/html";
		else if (lang && strcmp(lang, "javascript") == 0)
			mime = "application/javascript";
		else if (lang && strcmp(lang, "text") == 0)
			mime = "text/plain";
		pm_set_body(&ex->req_body, pm_resolve(c, json_string_value(v), "body"), mime);
	} else if (strcmp(mode, "urlencoded") == 0 && json_is_array(v)) {
		pm_set_body(&ex->req_body, pm_form(c, v, "key"), "application/x-www-form-urlencoded");
	} else if (strcmp(mode, "formdata") == 0 && json_is_array(v)) {
		pm_set_body(&ex->req_body, pm_form(c, v, "key"), "multipart/form-data");
	} else if (strcmp(mode, "file") == 0 && json_is_object(v)) {
		const char *content = jstr(v, "content");
		if (content)
			pm_set_body(&ex->req_body, pm_resolve(c, content, "body"), NULL);
		else if (jstr(v, "src"))
			json_object_set_new(c->extra, "body_file", json_string(jstr(v, "src")));
	} else if (strcmp(mode, "graphql") == 0 && json_is_object(v)) {
		pm_set_body(&ex->req_body,
			    pm_graphql(c, jstr(v, "query"), json_object_get(v, "variables")),
			    "application/json");
	}
}

/* Method: trimmed and upper-cased; GET when absent or empty. */
void pm_method(struct exchange *ex, const char *m)
{
	size_t n = m ? strlen(m) : 0;
	char *t;

	trim_span(&m, &n);
	if (!m || !n) {
		exchange_set(&ex->method, "GET");
		return;
	}
	t = xstrndup(m, n);
	for (char *p = t; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	exchange_set(&ex->method, t);
	free(t);
}

/* Content type of the response from its headers or Postman's preview
 * language. */
static const char *pm_preview_mime(const char *lang)
{
	if (!lang)
		return NULL;
	if (strcmp(lang, "json") == 0)
		return "application/json";
	if (strcmp(lang, "html") == 0)
		return "text/html";
	if (strcmp(lang, "xml") == 0)
		return "application/xml";
	if (strcmp(lang, "text") == 0)
		return "text/plain";
	if (strcmp(lang, "javascript") == 0)
		return "application/javascript";
	return NULL;
}

/* Set the response status, headers and body common to all shapes. */
void pm_response_common(struct pm_ctx *c, struct exchange *ex, long long code,
			const char *status_text, const json_t *headers, const char *body,
			size_t blen, const char *preview, const json_t *rtime)
{
	const char *ct;
	int saved = c->resolve;

	ex->status = (code >= 100 && code <= 999) ? (int)code
		   : (code == 0 ? STATUS_NONE : STATUS_UNKNOWN);
	if (status_text && *status_text)
		exchange_set(&ex->status_text, status_text);
	c->resolve = 0; /* responses are what came back: no templates */
	pm_headers(c, &ex->resp_headers, headers);
	c->resolve = saved;
	if (body) {
		body_set(&ex->resp_body, body, blen);
		ex->resp_body.size = (long long)blen;
	}
	ct = hdr_list_get(&ex->resp_headers, "Content-Type");
	if (!ct)
		ct = pm_preview_mime(preview);
	if (ct)
		exchange_set(&ex->resp_body.mime, ct);
	if (rtime) {
		long long t = jint(rtime, -1);
		if (json_is_real(rtime))
			ex->timings.total = json_real_value(rtime);
		else if (t >= 0)
			ex->timings.total = (double)t;
	}
}

/* Join a folder path and a name ("Users / Create user"). */
char *pm_join(const char *path, const char *name)
{
	if (!name || !*name)
		name = "(unnamed)";
	return path && *path ? xasprintf("%s / %s", path, name) : xstrdup(name);
}
