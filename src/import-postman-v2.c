/* import-postman-v2.c - Postman collections v2.0 / v2.1: items, folders
 * (auth inherited), saved example responses. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cookie-array.h"
#include "import-postman.h"

/* Fill the request side from a v2 request (string or object). */
static void pm_request_v2(struct pm_ctx *c, struct exchange *ex, const json_t *req,
			  const json_t *auth)
{
	json_t *url;
	char *tmpl = NULL, *withvars = NULL;
	json_t *ra;

	if (json_is_string(req)) {
		pm_method(ex, NULL);
		pm_set_url(c, ex, json_string_value(req));
		pm_auth(c, ex, auth);
		return;
	}
	pm_method(ex, jstr(req, "method"));
	url = json_object_get(req, "url");
	if (json_is_string(url)) {
		tmpl = xstrdup(json_string_value(url));
	} else if (json_is_object(url)) {
		const char *raw = jstr(url, "raw");
		tmpl = raw ? xstrdup(raw) : pm_url_from_parts(url);
		withvars = pm_path_vars(tmpl, json_object_get(url, "variable"));
		free(tmpl);
		tmpl = withvars;
	} else {
		tmpl = xstrdup("");
	}
	pm_set_url(c, ex, tmpl);
	pm_headers(c, &ex->req_headers, json_object_get(req, "header"));
	pm_body_v2(c, ex, json_object_get(req, "body"));
	ra = json_object_get(req, "auth");
	pm_auth(c, ex, pm_auth_pick(ra, auth));
	free(tmpl);
}

/* A saved v2 example response. */
static void pm_response_v2(struct pm_ctx *c, struct exchange *ex, const json_t *resp)
{
	json_t *body = json_object_get(resp, "body");
	const char *bs = json_is_string(body) ? json_string_value(body) : NULL;
	const char *name = jstr(resp, "name");

	pm_response_common(c, ex, jint(json_object_get(resp, "code"), -1), jstr(resp, "status"),
			   json_object_get(resp, "header"), bs,
			   bs ? json_string_length(body) : 0, jstr(resp, "_postman_previewlanguage"),
			   json_object_get(resp, "responseTime"));
	cookie_array_headers(&ex->resp_headers, json_object_get(resp, "cookie"), 1);
	if (name && *name)
		json_object_set_new(c->extra, "example", json_string(name));
}

/* Emit the exchanges of one v2 item; -1 to stop. */
static int pm_item_v2(struct pm_ctx *c, const json_t *item, const char *path,
		      const json_t *auth)
{
	struct exchange *ex;
	json_t *req = json_object_get(item, "request");
	json_t *resps = json_object_get(item, "response"), *r;
	char *name = pm_join(path, jstr(item, "name"));
	size_t i;
	int rc = 0;

	if (json_is_array(resps) && json_array_size(resps) > 0) {
		json_array_foreach(resps, i, r) {
			json_t *orig;
			if (!json_is_object(r)) {
				pm_skip(c, "saved response %zu that is not an object skipped: '%s'", i, name);
				continue;
			}
			orig = json_object_get(r, "originalRequest");
			ex = pm_begin(c);
			exchange_set(&ex->name, name);
			pm_request_v2(c, ex, (json_is_object(orig) || json_is_string(orig)) ? orig : req,
				      auth);
			pm_response_v2(c, ex, r);
			if ((rc = pm_emit(c, ex)) < 0)
				goto out;
		}
	} else {
		ex = pm_begin(c);
		exchange_set(&ex->name, name);
		pm_request_v2(c, ex, req, auth);
		if ((rc = pm_emit(c, ex)) < 0)
			goto out;
	}
out:
	free(name);
	return rc;
}

/* Walk a v2 item array (folders recursively); -1 to stop. */
static int pm_items_v2(struct pm_ctx *c, const json_t *items, const char *path,
		       const json_t *auth, int depth)
{
	size_t i;
	json_t *it;

	json_array_foreach(items, i, it) {
		const json_t *a;
		json_t *sub, *req;
		if (!json_is_object(it)) {
			pm_skip(c, "item %zu that is not an object skipped%s%s%s", i,
				path ? ": in '" : "", path ? path : "", path ? "'" : "");
			continue;
		}
		a = pm_auth_pick(json_object_get(it, "auth"), auth);
		sub = json_object_get(it, "item");
		req = json_object_get(it, "request");
		if (sub) {
			char *fpath = pm_join(path, jstr(it, "name"));
			int rc = 0;
			if (!json_is_array(sub))
				pm_skip(c, "folder whose 'item' is not an array skipped: '%s'", fpath);
			else if (depth + 1 > PM_FOLDER_DEPTH_CAP)
				pm_skip(c, "folder nested deeper than %d folders skipped: '%s'",
					PM_FOLDER_DEPTH_CAP, fpath);
			else
				rc = pm_items_v2(c, sub, fpath, a, depth + 1);
			free(fpath);
			if (rc < 0)
				return -1;
		} else if (json_is_object(req) || json_is_string(req)) {
			if (pm_item_v2(c, it, path, a) < 0)
				return -1;
		} else {
			char *n = pm_join(path, jstr(it, "name"));
			pm_skip(c, "item without a request skipped: '%s'", n);
			free(n);
		}
	}
	return 0;
}

/* A v2 collection; prefix names the dump collection, or NULL. */
int pm_collection_v2(struct pm_ctx *c, const json_t *coll, const char *prefix)
{
	json_t *info = json_object_get(coll, "info"), *items = json_object_get(coll, "item");
	const char *schema = jstr(info, "schema");
	json_t *auth = json_object_get(coll, "auth");

	if (schema && !pm_schema_known(schema)) {
		pm_fatal(c, "unsupported collection schema '%.200s'", schema);
		return 0;
	}
	if (!items) {
		pm_fatal(c, "collection has no 'item' array");
		return 0;
	}
	if (!json_is_array(items)) {
		pm_fatal(c, "'item' is %s, expected an array",
			 json_is_string(items) ? "a string" : json_is_object(items) ? "an object"
											  : "not an array");
		return 0;
	}
	pm_vars_add_list(&c->coll, json_object_get(coll, "variables")); /* old v2.0 */
	pm_vars_add_list(&c->coll, json_object_get(coll, "variable"));
	return pm_items_v2(c, items, prefix, pm_auth_pick(auth, NULL), 0);
}
