/* import-postman.h - internal interface of the Postman-family readers.
 *
 * Layers, each calling only those below it:
 *   import-postman.c            entry points, classification, dumps
 *   import-postman-v1.c, -v2.c, import-newman.c, import-insomnia.c
 *   import-postman-build.c      shared exchange building
 *   import-postman-vars.c       variables and environments
 */
#ifndef HARTRIAGE_IMPORT_POSTMAN_H
#define HARTRIAGE_IMPORT_POSTMAN_H

#include <jansson.h>
#include <yaml.h>

#include "caps.h"
#include "exchange.h"
#include "import.h"
#include "json-util.h"
#include "util.h"
#include "xbuild.h"

/* One variable scope: a JSON object key -> string value (hashed lookups);
 * the last enabled duplicate wins. */
struct pm_vars {
	json_t *map;
};

struct pm_ctx {
	const struct import_opts *opts;
	struct import_sink *sink;
	struct import_result *res;
	struct pm_vars env, coll, glob; /* precedence: env > coll > glob */
	int resolve;                    /* 0: copy {{...}} literally (newman) */
	struct xbuild xb;               /* numbers, caps and emits the exchanges */
	int capped;                     /* PM_ITEM_CAP reached */
	char fatal[PM_MSG_CAP];         /* structural error, "" when none */
	char damage[PM_MSG_CAP];        /* inconsistency that lost nothing */
	/* per exchange: unresolved variable names and where they were seen */
	struct strlist unres;
	struct strlist unres_where;
	long unres_more;                /* unresolved references past the cap */
	long skipped;                   /* pieces skipped (noted or not) */
	json_t *extra;                  /* producer fields for ex->extra */
};

/* variables and environments (import-postman-vars.c) */
/* Free a scope's variables. */
void pm_vars_release(struct pm_vars *s);
/* Add the enabled entries of a Postman variable list ({key|id, value,
 * enabled, disabled}) to s; returns how many were taken. */
size_t pm_vars_add_list(struct pm_vars *s, const json_t *list);
/* Add an Insomnia environment data object, flattening nested objects into
 * dotted names ("user.name") for {{ _.user.name }}. */
void pm_vars_add_tree(struct pm_vars *s, const char *prefix, const json_t *obj,
		      int depth);
/* A new string: s with its variables resolved (NULL for NULL). */
char *pm_resolve(struct pm_ctx *c, const char *s, const char *where);
/* Is this parsed document an environment or globals export?  Returns 1 for
 * environment, 2 for globals, 0 otherwise. */
int pm_env_kind(const json_t *root);
/* Read opts->env_files; a file that cannot be used is noted and skipped. */
void pm_load_env_files(struct pm_ctx *c);
/* An environment or globals export: no exchanges, one note naming its
 * variables (never their values). */
void pm_environment(struct pm_ctx *c, const json_t *root);

/* shared exchange building (import-postman-build.c) */
/* Does info.schema name a collection schema we read?  1 yes, 0 unknown
 * (absent schema counts as yes: old v2 exports have none). */
int pm_schema_known(const char *schema);
/* Record a skipped piece of the input. */
void pm_skip(struct pm_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Record the structural error that stops the import. */
void pm_fatal(struct pm_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Start a new exchange and its per-exchange bookkeeping. */
struct exchange *pm_begin(struct pm_ctx *c);
/* Hand the open exchange to the sink, then note its unresolved variables.
 * Returns -1 when the import must stop (sink error or item cap). */
int pm_emit(struct pm_ctx *c, struct exchange *ex);
/* Add one header with its value resolved. */
void pm_add_header(struct pm_ctx *c, struct hdr_list *l, const char *name,
		   const char *value);
/* Add headers from a list [{key|name, value, disabled|enabled}] or a string. */
void pm_headers(struct pm_ctx *c, struct hdr_list *l, const json_t *h);
/* Build a URL from a Postman / newman URL object (no raw).  Returns a new
 * string, maybe without scheme. */
char *pm_url_from_parts(const json_t *u);
/* Replace ":name" path segments of url by their values in vars (a list of
 * {key, value} or, for v1, an object name -> value).  Returns a new string. */
char *pm_path_vars(const char *url, const json_t *vars);
/* Set the exchange URL from a template: resolve it, default the scheme to
 * http as Postman does, and keep the template in extra when it differs. */
void pm_set_url(struct pm_ctx *c, struct exchange *ex, const char *tmpl);
/* The auth that applies: own unless absent, null or "inherit". */
const json_t *pm_auth_pick(const json_t *own, const json_t *inherited);
/* Add the header an auth block implies (bearer, basic, apikey in header,
 * oauth2 token) unless the request already has it; keep the type in extra. */
void pm_auth(struct pm_ctx *c, struct exchange *ex, const json_t *auth);
/* Join [{key, value|src, type, disabled|enabled}] as k=v&k=v (files as
 * k=@src), with variables resolved. */
char *pm_form(struct pm_ctx *c, const json_t *list, const char *kname);
/* Set a body from a resolved string and a mime type. */
void pm_set_body(struct body *bd, char *text, const char *mime);
/* A GraphQL body {query, variables} as the JSON document sent. */
char *pm_graphql(struct pm_ctx *c, const char *query, const json_t *vars);
/* Request body of a v2 request / newman request. */
void pm_body_v2(struct pm_ctx *c, struct exchange *ex, const json_t *body);
/* Method: trimmed and upper-cased; GET when absent or empty. */
void pm_method(struct exchange *ex, const char *m);
/* Set the response status, headers and body common to all shapes. */
void pm_response_common(struct pm_ctx *c, struct exchange *ex, long long code,
			const char *status_text, const json_t *headers, const char *body,
			size_t blen, const char *preview, const json_t *rtime);
/* Join a folder path and a name ("Users / Create user"). */
char *pm_join(const char *path, const char *name);

/* collections v2 (import-postman-v2.c) */
/* A v2 collection; prefix names the dump collection, or NULL. */
int pm_collection_v2(struct pm_ctx *c, const json_t *coll, const char *prefix);

/* collections v1 (import-postman-v1.c) */
/* A v1 collection (also a data-dump member); -1 to stop. */
int pm_collection_v1(struct pm_ctx *c, const json_t *coll, const char *prefix);

/* newman (import-newman.c) */
/* A newman run report; -1 to stop. */
int pm_newman(struct pm_ctx *c, const json_t *root);

/* Insomnia (import-insomnia.c) */
/* An Insomnia v4 export (already parsed); -1 to stop. */
int pm_insomnia(struct pm_ctx *c, const json_t *root);
/* An Insomnia v5 collection (type: collection.insomnia.rest/5.x, parsed
 * from YAML) rewritten as the v4 export pm_insomnia() reads; new reference. */
json_t *pm_insomnia_v5(const json_t *root);
/* Convert a YAML node tree to jansson; NULL when too deep or too big. */
json_t *pm_yaml_node(yaml_document_t *doc, yaml_node_t *n, int depth, long *budget);

#endif
