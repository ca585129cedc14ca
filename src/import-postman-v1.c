/* import-postman-v1.c - Postman collections v1: requests, folders by id,
 * the order arrays, saved responses. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cookie-array.h"
#include "import-postman.h"

/* The v1 request body (dataMode + data / rawModeData / graphqlModeData). */
static void pm_body_v1(struct pm_ctx *c, struct exchange *ex, const json_t *r)
{
	const char *mode = jstr(r, "dataMode");
	json_t *data = json_object_get(r, "data");

	if (!mode)
		return;
	if (strcmp(mode, "raw") == 0) {
		const char *raw = jstr(r, "rawModeData");
		if (!raw && json_is_string(data))
			raw = json_string_value(data);
		if (raw)
			pm_set_body(&ex->req_body, pm_resolve(c, raw, "body"), NULL);
	} else if (strcmp(mode, "urlencoded") == 0 && json_is_array(data)) {
		pm_set_body(&ex->req_body, pm_form(c, data, "key"), "application/x-www-form-urlencoded");
	} else if (strcmp(mode, "params") == 0 && json_is_array(data)) {
		pm_set_body(&ex->req_body, pm_form(c, data, "key"), "multipart/form-data");
	} else if (strcmp(mode, "graphql") == 0) {
		json_t *g = json_object_get(r, "graphqlModeData");
		if (!json_is_object(g) && json_is_object(data))
			g = data;
		if (json_is_object(g))
			pm_set_body(&ex->req_body,
				    pm_graphql(c, jstr(g, "query"), json_object_get(g, "variables")),
				    "application/json");
	}
}

/* Fill the request side from a v1 request object. */
static void pm_request_v1(struct pm_ctx *c, struct exchange *ex, const json_t *r)
{
	const char *url = jstr(r, "url");
	char *tmpl = pm_path_vars(url ? url : "", json_object_get(r, "pathVariables"));
	json_t *auth = json_object_get(r, "auth");
	const char *helper = jstr(r, "currentHelper");

	pm_method(ex, jstr(r, "method"));
	pm_set_url(c, ex, tmpl);
	pm_headers(c, &ex->req_headers, json_object_get(r, "headers"));
	pm_body_v1(c, ex, r);
	if (json_is_object(auth)) {
		pm_auth(c, ex, auth);
	} else if (helper && strcmp(helper, "basicAuth") == 0) {
		json_t *ha = json_object_get(r, "helperAttributes");
		json_t *a = json_pack("{s:s, s:{s:O?, s:O?}}", "type", "basic", "basic", "username",
				      json_object_get(ha, "username"), "password",
				      json_object_get(ha, "password"));
		if (a)
			pm_auth(c, ex, a);
		json_decref(a);
	} else if (helper && strcmp(helper, "normal") != 0) {
		json_object_set_new(c->extra, "auth", json_string(helper));
	}
	free(tmpl);
}

/* A saved v1 response. */
static void pm_response_v1(struct pm_ctx *c, struct exchange *ex, const json_t *resp)
{
	json_t *rc = json_object_get(resp, "responseCode");
	const char *text = jstr(resp, "text");
	const char *st = jstr(rc, "name");
	const char *name = jstr(resp, "name");

	if (!st || !*st)
		st = jstr(resp, "status");
	pm_response_common(c, ex, jint(json_object_get(rc, "code"), -1), st,
			   json_object_get(resp, "headers"), text, text ? strlen(text) : 0,
			   jstr(resp, "language"), json_object_get(resp, "time"));
	cookie_array_headers(&ex->resp_headers, json_object_get(resp, "cookies"), 1);
	if (name && *name)
		json_object_set_new(c->extra, "example", json_string(name));
}

/* The folder path of a v1 folder id through folders_order parents. */
static char *pm_v1_folder_path(const json_t *parents, const json_t *byid, const char *fid)
{
	const char *chain[PM_FOLDER_DEPTH_CAP];
	int n = 0;
	struct sbuf b = SBUF_INIT;

	while (fid && n < PM_FOLDER_DEPTH_CAP) {
		json_t *f = json_object_get(byid, fid);
		if (!f)
			break;
		chain[n++] = jstr(f, "name") ? jstr(f, "name") : "(unnamed)";
		fid = jstr(parents, fid);
	}
	while (n-- > 0) {
		if (b.len)
			sbuf_adds(&b, " / ");
		sbuf_adds(&b, chain[n]);
	}
	return b.data ? sbuf_detach(&b, NULL) : NULL;
}

/* Count ids listed in an order array that name nothing in known; also
 * count repeats (seen collects every id listed so far). */
static void pm_v1_check_order(const json_t *order, const json_t *known, json_t *seen,
			      long *dangling, long *dups, const char **first)
{
	size_t i;
	json_t *e;

	if (!json_is_array(order))
		return;
	json_array_foreach(order, i, e) {
		const char *id = json_is_string(e) ? json_string_value(e) : NULL;
		if (!id)
			continue;
		if (!json_object_get(known, id)) {
			if (!*dangling)
				*first = id;
			(*dangling)++;
		} else if (json_object_get(seen, id)) {
			(*dups)++;
		} else {
			json_object_set_new(seen, id, json_true());
		}
	}
}

/* A v1 collection (also a data-dump member); -1 to stop. */
int pm_collection_v1(struct pm_ctx *c, const json_t *coll, const char *prefix)
{
	json_t *reqs = json_object_get(coll, "requests"), *folders = json_object_get(coll, "folders");
	json_t *byid = json_object(), *parents = json_object(), *reqfolder = json_object();
	json_t *reqids = json_object(), *seen_r = json_object(), *seen_f = json_object();
	json_t *e, *r;
	size_t i, j;
	long dangling = 0, dups = 0;
	const char *first = NULL;
	int rc = 0;

	if (!json_is_array(reqs)) {
		pm_fatal(c, "'requests' is not an array");
		goto out;
	}
	pm_vars_add_list(&c->coll, json_object_get(coll, "variables"));
	pm_vars_add_list(&c->coll, json_object_get(coll, "variable"));
	json_array_foreach(reqs, i, r) {
		const char *id = jstr(r, "id");
		if (id)
			json_object_set(reqids, id, r);
	}
	if (json_is_array(folders)) {
		json_array_foreach(folders, i, e) {
			const char *id = jstr(e, "id");
			if (id)
				json_object_set(byid, id, e);
		}
		json_array_foreach(folders, i, e) {
			const char *id = jstr(e, "id");
			json_t *fo = json_object_get(e, "folders_order"), *o;
			json_t *ord = json_object_get(e, "order");
			if (!id)
				continue;
			if (json_is_array(fo))
				json_array_foreach(fo, j, o)
					if (json_is_string(o) && strcmp(json_string_value(o), id) != 0)
						json_object_set_new(parents, json_string_value(o),
								    json_string(id));
			if (json_is_array(ord))
				json_array_foreach(ord, j, o)
					if (json_is_string(o))
						json_object_set_new(reqfolder, json_string_value(o),
								    json_string(id));
			pm_v1_check_order(ord, reqids, seen_r, &dangling, &dups, &first);
			pm_v1_check_order(fo, byid, seen_f, &dangling, &dups, &first);
		}
	}
	pm_v1_check_order(json_object_get(coll, "order"), reqids, seen_r, &dangling, &dups, &first);
	pm_v1_check_order(json_object_get(coll, "folders_order"), byid, seen_f, &dangling, &dups,
			  &first);
	if ((dangling || dups) && !c->damage[0])
		snprintf(c->damage, sizeof(c->damage),
			 "collection v1 folder order is inconsistent: %ld unknown id%s%s%.80s%s, "
			 "%ld repeated id%s; every request was kept",
			 dangling, dangling == 1 ? "" : "s", first ? " (first '" : "",
			 first ? first : "", first ? "')" : "", dups, dups == 1 ? "" : "s");

	json_array_foreach(reqs, i, r) {
		const char *fid, *id = jstr(r, "id");
		char *fpath, *path, *name;
		json_t *resps, *resp;
		struct exchange *ex;
		if (!json_is_object(r)) {
			pm_skip(c, "request %zu is not an object", i);
			continue;
		}
		fid = jstr(r, "folder");
		if (!fid && id)
			fid = jstr(reqfolder, id);
		fpath = pm_v1_folder_path(parents, byid, fid);
		path = fpath && prefix ? xasprintf("%s / %s", prefix, fpath)
				       : xstrdup(fpath ? fpath : prefix ? prefix : "");
		name = pm_join(path, jstr(r, "name"));
		free(fpath);
		free(path);
		resps = json_object_get(r, "responses");
		if (json_is_array(resps) && json_array_size(resps) > 0) {
			json_array_foreach(resps, j, resp) {
				json_t *rq;
				if (!json_is_object(resp)) {
					pm_skip(c, "saved response %zu that is not an object skipped: '%s'", j, name);
					continue;
				}
				rq = json_object_get(resp, "request");
				ex = pm_begin(c);
				exchange_set(&ex->name, name);
				pm_request_v1(c, ex, json_is_object(rq) && jstr(rq, "url") ? rq : r);
				pm_response_v1(c, ex, resp);
				if ((rc = pm_emit(c, ex)) < 0)
					break;
			}
		} else {
			ex = pm_begin(c);
			exchange_set(&ex->name, name);
			pm_request_v1(c, ex, r);
			rc = pm_emit(c, ex);
		}
		free(name);
		if (rc < 0)
			break;
	}
out:
	json_decref(byid);
	json_decref(parents);
	json_decref(reqfolder);
	json_decref(reqids);
	json_decref(seen_r);
	json_decref(seen_f);
	return rc;
}
