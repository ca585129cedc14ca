/* import-insomnia.c - Insomnia v4 exports: request resources, folder
 * paths, auth; and the YAML form turned into the same JSON tree. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "import-postman.h"

/* Folder path of an Insomnia resource from its request_group parents. */
static char *pm_insomnia_path(const json_t *byid, const char *pid)
{
	const char *chain[PM_FOLDER_DEPTH_CAP];
	int n = 0;
	struct sbuf b = SBUF_INIT;

	while (pid && n < PM_FOLDER_DEPTH_CAP) {
		json_t *g = json_object_get(byid, pid);
		const char *t = jstr(g, "_type");
		if (!g || !t || strcmp(t, "request_group") != 0)
			break;
		chain[n++] = jstr(g, "name") ? jstr(g, "name") : "(unnamed)";
		pid = jstr(g, "parentId");
	}
	while (n-- > 0) {
		if (b.len)
			sbuf_adds(&b, " / ");
		sbuf_adds(&b, chain[n]);
	}
	return b.data ? sbuf_detach(&b, NULL) : NULL;
}

/* The Insomnia authentication block as a request header. */
static void pm_insomnia_auth(struct pm_ctx *c, struct exchange *ex, const json_t *a)
{
	const char *type = jstr(a, "type");
	char *v = NULL, *w = NULL;

	if (!type || jtrue(a, "disabled") || strcmp(type, "none") == 0)
		return;
	json_object_set_new(c->extra, "auth", json_string(type));
	if (strcmp(type, "bearer") == 0 && jstr(a, "token") &&
	    !hdr_list_get(&ex->req_headers, "Authorization")) {
		const char *prefix = jstr(a, "prefix");
		w = pm_resolve(c, jstr(a, "token"), "auth");
		v = xasprintf("%s %s", prefix && *prefix ? prefix : "Bearer", w);
		hdr_list_adds(&ex->req_headers, "Authorization", v);
	} else if (strcmp(type, "basic") == 0 && !hdr_list_get(&ex->req_headers, "Authorization")) {
		char *u = pm_resolve(c, jstr(a, "username") ? jstr(a, "username") : "", "auth");
		char *p = pm_resolve(c, jstr(a, "password") ? jstr(a, "password") : "", "auth");
		w = xasprintf("%s:%s", u, p);
		free(u);
		free(p);
		u = base64_encode((const unsigned char *)w, strlen(w));
		v = xasprintf("Basic %s", u);
		free(u);
		hdr_list_adds(&ex->req_headers, "Authorization", v);
	} else if (strcmp(type, "apikey") == 0 && jstr(a, "key")) {
		const char *to = jstr(a, "addTo");
		if (!to || strcmp(to, "header") == 0) {
			w = pm_resolve(c, jstr(a, "key"), "auth");
			v = pm_resolve(c, jstr(a, "value") ? jstr(a, "value") : "", "auth");
			if (*w && !hdr_list_get(&ex->req_headers, w))
				hdr_list_adds(&ex->req_headers, w, v);
		}
	}
	free(v);
	free(w);
}

/* One Insomnia request resource as an exchange; -1 to stop. */
static int pm_insomnia_request(struct pm_ctx *c, const json_t *byid, const json_t *r)
{
	struct exchange *ex;
	struct sbuf url = SBUF_INIT;
	json_t *params = json_object_get(r, "parameters"), *p, *body = json_object_get(r, "body");
	json_t *hs = json_object_get(r, "headers");
	char *fpath, *name;
	size_t i;
	int first;

	ex = pm_begin(c);
	fpath = pm_insomnia_path(byid, jstr(r, "parentId"));
	name = pm_join(fpath, jstr(r, "name"));
	exchange_set(&ex->name, name);
	free(name);
	free(fpath);
	pm_method(ex, jstr(r, "method"));
	sbuf_adds(&url, jstr(r, "url") ? jstr(r, "url") : "");
	first = strchr(sbuf_str(&url), '?') == NULL;
	json_array_foreach(params, i, p) {
		const char *k = jstr(p, "name");
		char *v;
		if (!k || jtrue(p, "disabled"))
			continue;
		v = jtext(json_object_get(p, "value"), 0);
		sbuf_addf(&url, "%c%s=%s", first ? '?' : '&', k, v ? v : "");
		first = 0;
		free(v);
	}
	pm_set_url(c, ex, sbuf_str(&url));
	sbuf_release(&url);
	json_array_foreach(hs, i, p) {
		const char *k = jstr(p, "name");
		char *v;
		if (!k || jtrue(p, "disabled"))
			continue;
		v = jtext(json_object_get(p, "value"), 0);
		pm_add_header(c, &ex->req_headers, k, v ? v : "");
		free(v);
	}
	if (json_is_object(body)) {
		const char *mime = jstr(body, "mimeType");
		if (jstr(body, "text"))
			pm_set_body(&ex->req_body, pm_resolve(c, jstr(body, "text"), "body"), mime);
		else if (json_is_array(json_object_get(body, "params")))
			pm_set_body(&ex->req_body, pm_form(c, json_object_get(body, "params"), "name"),
				    mime);
		else if (jstr(body, "fileName"))
			json_object_set_new(c->extra, "body_file", json_string(jstr(body, "fileName")));
	}
	pm_insomnia_auth(c, ex, json_object_get(r, "authentication"));
	return pm_emit(c, ex);
}

/* An Insomnia v4 export (already parsed); -1 to stop. */
int pm_insomnia(struct pm_ctx *c, const json_t *root)
{
	json_t *res = json_object_get(root, "resources"), *r;
	json_t *byid = NULL, *bases = NULL, *subs = NULL, *other = NULL;
	size_t i;
	int rc = 0;
	long fmtv = (long)jint(json_object_get(root, "__export_format"), -1);

	if (fmtv != 4 && fmtv != -1)
		c->sink->note(c->sink->ctx, NOTE_INFO, -1, "insomnia export format is not 4; read as 4");
	if (!json_is_array(res)) {
		pm_fatal(c, "insomnia export has no 'resources' array");
		return 0;
	}
	byid = json_object();
	bases = json_array();
	subs = json_array();
	other = json_object();
	json_array_foreach(res, i, r) {
		const char *id = jstr(r, "_id");
		if (id)
			json_object_set(byid, id, r);
	}
	/* base environments hang off the workspace, sub environments off a base */
	json_array_foreach(res, i, r) {
		const char *t = jstr(r, "_type"), *pid = jstr(r, "parentId");
		json_t *parent;
		if (!t || strcmp(t, "environment") != 0)
			continue;
		parent = pid ? json_object_get(byid, pid) : NULL;
		if (parent && jstr(parent, "_type") && strcmp(jstr(parent, "_type"), "environment") == 0)
			json_array_append(subs, r);
		else
			json_array_append(bases, r);
	}
	json_array_foreach(bases, i, r)
		pm_vars_add_tree(&c->coll, NULL, json_object_get(r, "data"), 0);
	if (json_array_size(subs) == 1) {
		pm_vars_add_tree(&c->env, NULL, json_object_get(json_array_get(subs, 0), "data"), 0);
	} else if (json_array_size(subs) > 1) {
		char msg[PM_MSG_CAP];
		snprintf(msg, sizeof(msg),
			 "insomnia export has %zu sub environments and does not say which was active; "
			 "only the base environment was used",
			 json_array_size(subs));
		c->sink->note(c->sink->ctx, NOTE_INFO, -1, msg);
	}
	pm_load_env_files(c);
	json_array_foreach(res, i, r) {
		const char *t = jstr(r, "_type");
		if (!json_is_object(r) || !t) {
			pm_skip(c, "resource %zu has no _type", i);
			continue;
		}
		if (strcmp(t, "request") == 0) {
			if ((rc = pm_insomnia_request(c, byid, r)) < 0)
				break;
		} else if (strstr(t, "request") && strcmp(t, "request_group") != 0) {
			json_t *cnt = json_object_get(other, t);
			json_object_set_new(other, t, json_integer(cnt ? json_integer_value(cnt) + 1 : 1));
		}
	}
	{
		const char *t;
		json_t *cnt;
		json_object_foreach(other, t, cnt)
			pm_skip(c, "%" JSON_INTEGER_FORMAT " %s resource%s not imported (not HTTP)",
				json_integer_value(cnt), t, json_integer_value(cnt) == 1 ? "" : "s");
	}
	json_decref(byid);
	json_decref(bases);
	json_decref(subs);
	json_decref(other);
	return rc;
}

/* Convert a plain YAML scalar to the JSON type YAML 1.2 core schema gives it. */
static json_t *pm_yaml_scalar(const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	char *end;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_stringn(s, len);
	if (len == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	    strcmp(s, "NULL") == 0)
		return json_null();
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
		return json_true();
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
		return json_false();
	if (len > 0 && len < 19 && strspn(s, "-+0123456789") == len) {
		long long v;
		errno = 0;
		v = strtoll(s, &end, 10);
		if (!errno && *end == '\0')
			return json_integer(v);
	}
	if (strspn(s, "-+0123456789.eE") == len && strchr(s, '.')) {
		double d;
		errno = 0;
		d = strtod(s, &end);
		if (!errno && *end == '\0')
			return json_real(d);
	}
	return json_stringn(s, len);
}

/* Convert a YAML node tree to jansson; NULL when too deep or too big. */
json_t *pm_yaml_node(yaml_document_t *doc, yaml_node_t *n, int depth, long *budget)
{
	json_t *out = NULL;

	if (!n || depth > 256 || --*budget < 0)
		return NULL;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		out = pm_yaml_scalar(n);
		break;
	case YAML_SEQUENCE_NODE:
		out = json_array();
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			json_t *v = pm_yaml_node(doc, yaml_document_get_node(doc, *it), depth + 1, budget);
			if (!v) {
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, v);
		}
		break;
	case YAML_MAPPING_NODE:
		out = json_object();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			json_t *v;
			char *key;
			if (!k || k->type != YAML_SCALAR_NODE)
				continue;
			v = pm_yaml_node(doc, yaml_document_get_node(doc, p->value), depth + 1, budget);
			if (!v) {
				json_decref(out);
				return NULL;
			}
			key = xstrndup((const char *)k->data.scalar.value, k->data.scalar.length);
			json_object_set_new(out, key, v);
			free(key);
		}
		break;
	default:
		out = json_null();
		break;
	}
	return out;
}

/* Insomnia v5 ("type: collection.insomnia.rest/5.0", YAML): a tree of
 * folders (children) and requests with their ids under meta, environments
 * as one base with subEnvironments.  pm_insomnia_v5() rewrites it as the
 * v4 resource list so that one reader serves both. */

/* The v4 _type of a v5 collection item from its id prefix (req_,
 * greq_, ws-req_, mcp-req_ ...) or, without one, its shape. */
static const char *v5_type(const json_t *item, const char *id)
{
	if (json_is_array(json_object_get(item, "children")))
		return "request_group";
	if (id && strncmp(id, "req_", 4) == 0)
		return "request";
	if (id && strncmp(id, "greq_", 5) == 0)
		return "grpc_request";
	if (id && strncmp(id, "ws-req_", 7) == 0)
		return "websocket_request";
	if (id && strncmp(id, "mcp-req_", 8) == 0)
		return "mcp_request";
	return json_object_get(item, "method") ? "request" : "other_request";
}

/* url with each ":name" path segment replaced by its pathParameters value. */
static json_t *v5_url(const json_t *item)
{
	const char *url = jstr(item, "url");
	json_t *pp = json_object_get(item, "pathParameters"), *p;
	struct sbuf b = SBUF_INIT;
	size_t i;
	json_t *out;
	if (!url)
		return NULL;
	sbuf_adds(&b, url);
	json_array_foreach(pp, i, p) {
		char *v = jtext(json_object_get(p, "value"), 0);
		url_fill_path_param(&b, jstr(p, "name"), v);
		free(v);
	}
	out = json_string(sbuf_str(&b));
	sbuf_release(&b);
	return out;
}

/* Append the resources of the items of list under parent; inherited: the
 * headers of the folders above (a folder's headers apply to its requests). */
static void v5_items(json_t *res, const json_t *list, const char *parent, const json_t *inherited,
		     int depth, long *n)
{
	static const char *const copied[] = {"name", "method", "headers", "parameters", "body",
					     "authentication", NULL};
	size_t i;
	json_t *item;
	if (depth > PM_FOLDER_DEPTH_CAP)
		return;
	json_array_foreach(list, i, item) {
		json_t *r, *url;
		const char *id = jstr(json_object_get(item, "meta"), "id");
		char *own = NULL;
		if (!json_is_object(item) || ++*n > 1000000)
			continue;
		if (!id)
			id = own = xasprintf("v5_%ld", *n);
		r = json_object();
		json_object_set_new(r, "_id", json_string(id));
		json_object_set_new(r, "_type", json_string(v5_type(item, id)));
		if (parent)
			json_object_set_new(r, "parentId", json_string(parent));
		for (int k = 0; copied[k]; k++)
			if (json_object_get(item, copied[k]))
				json_object_set(r, copied[k], json_object_get(item, copied[k]));
		if ((url = v5_url(item)))
			json_object_set_new(r, "url", url);
		if (json_array_size(inherited) || json_is_array(json_object_get(item, "headers"))) {
			/* the folders' headers first, then the item's own */
			json_t *hs = json_array();
			json_array_extend(hs, (json_t *)inherited);
			if (json_is_array(json_object_get(item, "headers")))
				json_array_extend(hs, json_object_get(item, "headers"));
			json_object_set_new(r, "headers", hs);
		}
		if (json_is_array(json_object_get(item, "children")))
			v5_items(res, json_object_get(item, "children"), id, json_object_get(r, "headers"),
				 depth + 1, n);
		json_array_append_new(res, r);
		free(own);
	}
}

json_t *pm_insomnia_v5(const json_t *root)
{
	json_t *out = json_object(), *res = json_array(), *env, *subs, *s;
	const char *wid = jstr(json_object_get(root, "meta"), "id");
	const char *eid;
	size_t i;
	long n = 0;
	json_t *w = json_object();

	if (!wid)
		wid = "v5_workspace";
	json_object_set_new(w, "_id", json_string(wid));
	json_object_set_new(w, "_type", json_string("workspace"));
	if (jstr(root, "name"))
		json_object_set_new(w, "name", json_string(jstr(root, "name")));
	json_array_append_new(res, w);
	env = json_object_get(root, "environments");
	if (json_is_object(env)) {
		json_t *e = json_object();
		eid = jstr(json_object_get(env, "meta"), "id");
		if (!eid)
			eid = "v5_base_environment";
		json_object_set_new(e, "_id", json_string(eid));
		json_object_set_new(e, "_type", json_string("environment"));
		json_object_set_new(e, "parentId", json_string(wid));
		if (json_object_get(env, "data"))
			json_object_set(e, "data", json_object_get(env, "data"));
		json_array_append_new(res, e);
		subs = json_object_get(env, "subEnvironments");
		json_array_foreach(subs, i, s) {
			json_t *se = json_object();
			const char *sid = jstr(json_object_get(s, "meta"), "id");
			char *own = sid ? NULL : xasprintf("v5_sub_environment_%zu", i);
			json_object_set_new(se, "_id", json_string(sid ? sid : own));
			json_object_set_new(se, "_type", json_string("environment"));
			json_object_set_new(se, "parentId", json_string(eid));
			if (json_object_get(s, "data"))
				json_object_set(se, "data", json_object_get(s, "data"));
			json_array_append_new(res, se);
			free(own);
		}
	}
	v5_items(res, json_object_get(root, "collection"), wid, NULL, 0, &n);
	json_object_set_new(out, "_type", json_string("export"));
	json_object_set_new(out, "__export_format", json_integer(4));
	json_object_set_new(out, "resources", res);
	return out;
}
