/* import-postman.c - the Postman family's entry points: classification of
 * a parsed document, Postman collections (v1, v2.0, v2.1, API envelope,
 * "Export data" dumps), Postman environments and globals, newman JSON run
 * reports and Insomnia v4 exports (JSON and YAML).  The readers live in
 * import-postman-v1.c, import-postman-v2.c, import-newman.c and
 * import-insomnia.c; what they share in import-postman-build.c and
 * import-postman-vars.c (see import-postman.h).
 *
 * A collection holds requests and, at best, saved example responses: each
 * example becomes one exchange with the example's request (originalRequest)
 * and response; a request without examples becomes one exchange whose
 * status is unknown.  {{variables}} are resolved from the environment
 * (opts->env_files and dump environments), then collection variables, then
 * globals; what stays unresolved is kept literally and noted.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "import-postman.h"

/* Does a parsed object look like a Postman collection (v1 or v2)? */
static int pm_is_collection(const json_t *o)
{
	json_t *info, *first;

	if (!json_is_object(o))
		return 0;
	info = json_object_get(o, "info");
	if (json_is_object(info)) {
		const char *schema = jstr(info, "schema");
		if (schema && strstr(schema, "getpostman.com"))
			return 1;
		if (json_object_get(o, "item"))
			return 1;
		return 0;
	}
	/* without info: the first entry must look like an item or a request */
	first = json_object_get(o, "item");
	if (json_is_array(first)) {
		first = json_array_get(first, 0);
		return !first || json_object_get(first, "request") || json_object_get(first, "item");
	}
	first = json_object_get(o, "requests");
	if (json_is_array(first) &&
	    (json_object_get(o, "order") || json_object_get(o, "folders") ||
	     json_object_get(o, "name"))) {
		first = json_array_get(first, 0);
		return !first || (json_object_get(first, "url") && json_object_get(first, "method"));
	}
	return 0;
}

/* Classification rules (FORMATS.md section 4), FMT_UNKNOWN when none fits. */
enum capture_format postman_classify(json_t *root)
{
	json_t *run, *inner;

	if (json_is_array(root))
		return pm_env_kind(root) == 2 ? FMT_POSTMAN_ENV : FMT_UNKNOWN;
	if (!json_is_object(root))
		return FMT_UNKNOWN;
	run = json_object_get(root, "run");
	if (json_is_object(run) && json_is_array(json_object_get(run, "executions")))
		return FMT_NEWMAN;
	if (json_object_get(root, "__export_format") &&
	    (!jstr(root, "_type") || strcmp(jstr(root, "_type"), "export") == 0))
		return FMT_INSOMNIA;
	if (pm_is_collection(root))
		return FMT_POSTMAN;
	inner = json_object_get(root, "collection");
	if (pm_is_collection(inner))
		return FMT_POSTMAN;
	if (json_object_get(root, "version") && json_is_array(json_object_get(root, "collections")))
		return FMT_POSTMAN;
	if (pm_env_kind(root))
		return FMT_POSTMAN_ENV;
	return FMT_UNKNOWN;
}

/* A Postman "Export data" dump: environments, globals, collections. */
static int pm_dump(struct pm_ctx *c, const json_t *root)
{
	json_t *colls = json_object_get(root, "collections");
	json_t *envs = json_object_get(root, "environments");
	json_t *e;
	size_t i;
	int used = 0;

	if (json_is_array(envs))
		json_array_foreach(envs, i, e) {
			if (json_is_object(e) && pm_vars_add_list(&c->env, json_object_get(e, "values")))
				used++;
		}
	if (used > 1)
		c->sink->note(c->sink->ctx, NOTE_INFO, -1,
			      "several environments in the dump: their variables were merged, the later one winning");
	pm_vars_add_list(&c->glob, json_object_get(root, "globals"));
	pm_load_env_files(c); /* files given beside the dump override it */
	json_array_foreach(colls, i, e) {
		const char *name = jstr(e, "name");
		int rc;
		if (!name)
			name = jstr(json_object_get(e, "info"), "name");
		pm_vars_release(&c->coll); /* collection variables are per collection */
		if (json_is_array(json_object_get(e, "requests")))
			rc = pm_collection_v1(c, e, name ? name : "(unnamed)");
		else if (json_object_get(e, "item"))
			rc = pm_collection_v2(c, e, name ? name : "(unnamed)");
		else {
			pm_skip(c, "collection %zu of the dump has neither requests nor item", i);
			continue;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Finish res from what the walk recorded. */
static void pm_finish(struct pm_ctx *c)
{
	if (c->skipped > PM_SKIP_NOTE_CAP) {
		char msg[PM_MSG_CAP];
		snprintf(msg, sizeof(msg), "%ld more skipped pieces not listed",
			 c->skipped - PM_SKIP_NOTE_CAP);
		c->sink->note(c->sink->ctx, NOTE_SKIPPED, -1, msg);
	}
	if (c->fatal[0])
		import_fail(c->res, c->res->exchanges ? IMPORT_PARTIAL : IMPORT_ERROR, "%s", c->fatal);
	else if (c->capped)
		import_fail(c->res, IMPORT_PARTIAL, "stopped after %ld requests (cap)", PM_ITEM_CAP);
	else if (c->damage[0])
		import_fail(c->res, IMPORT_PARTIAL, "%s", c->damage);
}

/* Release the context. */
static void pm_ctx_release(struct pm_ctx *c)
{
	pm_vars_release(&c->env);
	pm_vars_release(&c->coll);
	pm_vars_release(&c->glob);
	strlist_release(&c->unres);
	strlist_release(&c->unres_where);
	json_decref(c->extra);
	c->extra = NULL;
}

/* Import a parsed Postman / newman / Insomnia document; res says how well.
 * Returns 0, or -1 when the sink refused an exchange. */
int import_postman_json(json_t *root, enum capture_format fmt, const struct import_opts *opts,
			struct import_sink *sink, struct import_result *res)
{
	struct pm_ctx c;
	json_t *coll = root;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	res->status = IMPORT_OK;
	res->format = fmt;
	memset(&c, 0, sizeof(c));
	c.opts = opts;
	c.sink = sink;
	c.res = res;
	c.resolve = 1;
	xb_init(&c.xb, sink, res);
	c.xb.max = PM_ITEM_CAP;

	switch (fmt) {
	case FMT_POSTMAN:
		if (json_is_object(root) && !pm_is_collection(root) &&
		    json_is_object(json_object_get(root, "collection")))
			coll = json_object_get(root, "collection");
		if (json_is_object(coll) && json_is_array(json_object_get(coll, "collections"))) {
			rc = pm_dump(&c, coll);
			break;
		}
		pm_load_env_files(&c);
		if (!json_is_object(coll))
			pm_fatal(&c, "a postman collection must be a JSON object");
		else if (json_object_get(coll, "requests") && !json_object_get(coll, "item"))
			rc = pm_collection_v1(&c, coll, NULL);
		else
			rc = pm_collection_v2(&c, coll, NULL);
		break;
	case FMT_POSTMAN_ENV:
		if (!pm_env_kind(root))
			pm_fatal(&c, "not a postman environment or globals export");
		else
			pm_environment(&c, root);
		break;
	case FMT_NEWMAN:
		if (!json_is_array(json_object_get(json_object_get(root, "run"), "executions")))
			pm_fatal(&c, "newman report has no 'run.executions' array");
		else
			rc = pm_newman(&c, root);
		break;
	case FMT_INSOMNIA:
		rc = pm_insomnia(&c, root);
		break;
	default:
		pm_fatal(&c, "not a postman, newman or insomnia document");
		break;
	}
	(void)rc;
	pm_finish(&c);
	/* A recognised export that gave no request is not a clean, empty
	 * capture: say so (an environment holds variables only, by design). */
	if (res->status == IMPORT_OK && res->exchanges == 0 && fmt != FMT_POSTMAN_ENV && !c.xb.failed)
		import_fail(res, IMPORT_ERROR, "this %s export holds no HTTP request",
			    capture_format_name(fmt));
	pm_ctx_release(&c);
	rc = c.xb.failed ? -1 : 0;
	xb_release(&c.xb);
	return rc;
}

/* Parse Insomnia YAML into JSON and import it; unreadable YAML is an
 * IMPORT_ERROR with its position.  Returns 0, or -1 on a sink error. */
int import_insomnia_yaml(const char *buf, size_t len, const struct import_opts *opts,
			 struct import_sink *sink, struct import_result *res)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	json_t *root = NULL;
	long budget = (long)(len / 2) + 1000; /* no node costs under ~2 bytes */
	int rc = 0, have_doc = 0;

	memset(res, 0, sizeof(*res));
	res->format = FMT_INSOMNIA;
	if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB &&
	    (unsigned char)buf[2] == 0xBF) {
		buf += 3;
		len -= 3;
	}
	if (!yaml_parser_initialize(&parser)) {
		import_fail(res, IMPORT_ERROR, "cannot start the yaml parser");
		return 0;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		import_fail(res, IMPORT_ERROR, "line %zu, column %zu: %s",
			    parser.problem_mark.line + 1, parser.problem_mark.column + 1,
			    parser.problem ? parser.problem : "invalid yaml");
		goto out;
	}
	have_doc = 1;
	root = pm_yaml_node(&doc, yaml_document_get_root_node(&doc), 0, &budget);
	if (!root) {
		import_fail(res, IMPORT_ERROR, budget < 0 ? "yaml document too large (node cap)"
							  : "empty or too deeply nested yaml document");
		goto out;
	}
	if (json_is_object(root) && jstr(root, "type") &&
	    strncmp(jstr(root, "type"), "collection.insomnia.rest/", 25) == 0) {
		/* Insomnia v5: the same resources, as a tree */
		json_t *v4 = pm_insomnia_v5(root);
		json_decref(root);
		root = v4;
	} else if (json_is_object(root) && jstr(root, "type") && strstr(jstr(root, "type"), ".insomnia.rest/")) {
		import_fail(res, IMPORT_ERROR, "insomnia v5 '%.60s' export holds no requests; export the collection",
			    jstr(root, "type"));
		goto out;
	}
	if (postman_classify(root) != FMT_INSOMNIA) {
		import_fail(res, IMPORT_ERROR,
			    "yaml document is not an insomnia export (no _type: export / __export_format)");
		goto out;
	}
	rc = import_postman_json(root, FMT_INSOMNIA, opts, sink, res);
out:
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	json_decref(root);
	return rc;
}
