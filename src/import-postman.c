/* import-postman.c - Postman collections (v1, v2.0, v2.1, API envelope,
 * "Export data" dumps), Postman environments and globals, newman JSON run
 * reports and Insomnia v4 exports (JSON and YAML).
 *
 * A collection holds requests and, at best, saved example responses: each
 * example becomes one exchange with the example's request (originalRequest)
 * and response; a request without examples becomes one exchange whose
 * status is unknown.  {{variables}} are resolved from the environment
 * (opts->env_files and dump environments), then collection variables, then
 * globals; what stays unresolved is kept literally and noted.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "exchange.h"
#include "import.h"
#include "util.h"
#include "xbuild.h"

#define PM_FOLDER_DEPTH_CAP 64    /* nested folders followed */
#define PM_ITEM_CAP 100000L       /* exchanges emitted per source */
#define PM_VAR_DEPTH_CAP 10       /* {{a}} -> {{b}} -> ... followed */
#define PM_VAR_CAP 100000         /* variables kept per scope */
#define PM_ENV_FILE_CAP ((size_t)64 << 20)
#define PM_MSG_CAP 300
#define PM_UNRES_CAP 50           /* unresolved names noted per exchange */
#define PM_SKIP_NOTE_CAP 100      /* skipped pieces noted one by one */

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

/* ---- small JSON helpers ------------------------------------------------ */

/* The string value of key in obj, or NULL when absent or not a string. */
static const char *jstr(const json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Text of a scalar (string, number, bool) as a new string; NULL for null,
 * arrays and objects unless any_json, which dumps them compactly. */
static char *jtext(const json_t *v, int any_json)
{
	if (json_is_string(v))
		return xstrndup(json_string_value(v), json_string_length(v));
	if (json_is_integer(v))
		return xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if (json_is_real(v)) {
		/* shortest of 15 or 17 digits that reads back the same */
		double d = json_real_value(v);
		char *s = xasprintf("%.15g", d);
		if (strtod(s, NULL) != d) {
			free(s);
			s = xasprintf("%.17g", d);
		}
		return s;
	}
	if (json_is_true(v))
		return xstrdup("true");
	if (json_is_false(v))
		return xstrdup("false");
	if (any_json && (json_is_object(v) || json_is_array(v))) {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		char *r = s ? xstrdup(s) : NULL;
		free(s);
		return r;
	}
	return NULL;
}

/* True when obj[key] is true, or the string "true". */
static int jtrue(const json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (json_is_true(v))
		return 1;
	return json_is_string(v) && strcmp(json_string_value(v), "true") == 0;
}

/* An integer from a JSON number or numeric string; dflt when neither. */
static long long jint(const json_t *v, long long dflt)
{
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (long long)json_real_value(v);
	if (json_is_string(v)) {
		long l;
		const char *s = json_string_value(v);
		size_t n = strlen(s);
		trim_span(&s, &n);
		if (n && parse_long(s, n, &l) == 0)
			return l;
	}
	return dflt;
}

/* ---- variables --------------------------------------------------------- */

/* Free a scope's variables. */
static void pm_vars_release(struct pm_vars *s)
{
	json_decref(s->map);
	s->map = NULL;
}

/* Number of variables in the scope. */
static size_t pm_vars_count(const struct pm_vars *s)
{
	return s->map ? json_object_size(s->map) : 0;
}

/* Set key to value (both copied); a later definition replaces an earlier.
 * Keys or values that are not valid UTF-8 are ignored. */
static void pm_vars_put(struct pm_vars *s, const char *key, const char *value)
{
	json_t *v;

	if (!s->map)
		s->map = json_object();
	if (json_object_size(s->map) >= PM_VAR_CAP && !json_object_get(s->map, key))
		return;
	v = json_string(value);
	if (v)
		json_object_set_new(s->map, key, v);
}

/* The value of key, or NULL when the scope does not define it. */
static const char *pm_vars_get(const struct pm_vars *s, const char *key, size_t klen)
{
	json_t *v = s->map ? json_object_getn(s->map, key, klen) : NULL;
	return v ? json_string_value(v) : NULL;
}

/* Add the enabled entries of a Postman variable list ({key|id, value,
 * enabled, disabled}) to s; returns how many were taken. */
static size_t pm_vars_add_list(struct pm_vars *s, const json_t *list)
{
	size_t i, taken = 0;
	json_t *e;

	if (!json_is_array(list))
		return 0;
	json_array_foreach(list, i, e) {
		const char *k = jstr(e, "key");
		char *val;
		json_t *en;
		if (!k)
			k = jstr(e, "id");
		if (!k || !*k || jtrue(e, "disabled"))
			continue;
		en = json_object_get(e, "enabled");
		if (json_is_false(en))
			continue;
		/* A variable the exporter marks secret is never substituted:
		 * its value could land in a URL or field the redactor cannot
		 * recognise.  The reference stays literal and is noted. */
		if (jstr(e, "type") && strcmp(jstr(e, "type"), "secret") == 0)
			continue;
		val = jtext(json_object_get(e, "value"), 1);
		pm_vars_put(s, k, val ? val : "");
		free(val);
		taken++;
	}
	return taken;
}

/* Add an Insomnia environment data object, flattening nested objects into
 * dotted names ("user.name") for {{ _.user.name }}. */
static void pm_vars_add_tree(struct pm_vars *s, const char *prefix, const json_t *obj,
			     int depth)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj) || depth > PM_FOLDER_DEPTH_CAP)
		return;
	json_object_foreach((json_t *)obj, k, v) {
		char *name = prefix ? xasprintf("%s.%s", prefix, k) : xstrdup(k);
		char *val = jtext(v, 1);
		if (val)
			pm_vars_put(s, name, val);
		if (json_is_object(v))
			pm_vars_add_tree(s, name, v, depth + 1);
		free(val);
		free(name);
	}
}

/* Look a variable up by scope precedence; NULL when nowhere defined. */
static const char *pm_lookup(const struct pm_ctx *c, const char *name, size_t n)
{
	const char *v = pm_vars_get(&c->env, name, n);
	if (!v)
		v = pm_vars_get(&c->coll, name, n);
	if (!v)
		v = pm_vars_get(&c->glob, name, n);
	return v;
}

/* Remember an unresolved {{name}} once per exchange, with where it was
 * (the first PM_UNRES_CAP names; later ones are counted only). */
static void pm_unresolved(struct pm_ctx *c, const char *name, size_t n, const char *where)
{
	if (c->unres.n >= PM_UNRES_CAP) {
		c->unres_more++;
		return;
	}
	for (size_t i = 0; i < c->unres.n; i++)
		if (strlen(c->unres.v[i]) == n && memcmp(c->unres.v[i], name, n) == 0)
			return;
	strlist_add(&c->unres, name, n);
	strlist_adds(&c->unres_where, where);
}

/* Append s with {{variables}} replaced, following nested references up to
 * PM_VAR_DEPTH_CAP; output stops growing past BODY_CAP. */
static void pm_resolve_into(struct pm_ctx *c, struct sbuf *out, const char *s, size_t n,
			    int depth, const char *where)
{
	const char *p = s, *end = s + n;

	while (p < end && out->len <= BODY_CAP) {
		const char *open = NULL, *close, *name;
		size_t nlen;
		const char *val;

		for (const char *q = p; q + 1 < end; q++)
			if (q[0] == '{' && q[1] == '{') {
				open = q;
				break;
			}
		if (!open || !c->resolve) {
			sbuf_add(out, p, (size_t)(end - p));
			return;
		}
		sbuf_add(out, p, (size_t)(open - p));
		close = NULL;
		for (const char *q = open + 2; q + 1 < end; q++) {
			if (q[0] == '}' && q[1] == '}') {
				close = q;
				break;
			}
			if (q[0] == '{' && q[1] == '{')
				break;
		}
		if (!close) {
			/* not a reference: keep the braces and go on after them */
			sbuf_add(out, open, 2);
			p = open + 2;
			continue;
		}
		name = open + 2;
		nlen = (size_t)(close - name);
		val = pm_lookup(c, name, nlen);
		if (!val) {
			/* Insomnia's Nunjucks spelling {{ _.name }} */
			const char *t = name;
			size_t tn = nlen;
			trim_span(&t, &tn);
			if (tn > 2 && t[0] == '_' && t[1] == '.') {
				t += 2;
				tn -= 2;
			}
			if (tn && (tn != nlen || t != name))
				val = pm_lookup(c, t, tn);
		}
		if (val && depth < PM_VAR_DEPTH_CAP)
			pm_resolve_into(c, out, val, strlen(val), depth + 1, where);
		else if (val)
			sbuf_adds(out, val);
		else {
			sbuf_add(out, open, (size_t)(close + 2 - open));
			pm_unresolved(c, name, nlen, where);
		}
		p = close + 2;
	}
}

/* A new string: s with its variables resolved (NULL for NULL). */
static char *pm_resolve(struct pm_ctx *c, const char *s, const char *where)
{
	struct sbuf b = SBUF_INIT;
	if (!s)
		return NULL;
	pm_resolve_into(c, &b, s, strlen(s), 0, where);
	if (b.len > BODY_CAP)
		b.data[b.len = BODY_CAP] = '\0';
	return b.data ? sbuf_detach(&b, NULL) : xstrdup("");
}

/* ---- reading environment files ---------------------------------------- */

/* Transcode UTF-16 (be = big endian) to UTF-8; returns a malloc'd string. */
static char *pm_utf16_to_utf8(const unsigned char *p, size_t n, int be, size_t *outlen)
{
	struct sbuf b = SBUF_INIT;
	size_t i = 0;

	while (i + 1 < n) {
		unsigned long u = be ? (unsigned long)(p[i] << 8 | p[i + 1])
				     : (unsigned long)(p[i] | p[i + 1] << 8);
		i += 2;
		if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n) {
			unsigned long lo = be ? (unsigned long)(p[i] << 8 | p[i + 1])
					      : (unsigned long)(p[i] | p[i + 1] << 8);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			} else {
				u = 0xFFFD;
			}
		} else if (u >= 0xD800 && u <= 0xDFFF) {
			u = 0xFFFD;
		}
		if (u < 0x80) {
			sbuf_addc(&b, (int)u);
		} else if (u < 0x800) {
			sbuf_addc(&b, (int)(0xC0 | u >> 6));
			sbuf_addc(&b, (int)(0x80 | (u & 0x3F)));
		} else if (u < 0x10000) {
			sbuf_addc(&b, (int)(0xE0 | u >> 12));
			sbuf_addc(&b, (int)(0x80 | (u >> 6 & 0x3F)));
			sbuf_addc(&b, (int)(0x80 | (u & 0x3F)));
		} else {
			sbuf_addc(&b, (int)(0xF0 | u >> 18));
			sbuf_addc(&b, (int)(0x80 | (u >> 12 & 0x3F)));
			sbuf_addc(&b, (int)(0x80 | (u >> 6 & 0x3F)));
			sbuf_addc(&b, (int)(0x80 | (u & 0x3F)));
		}
	}
	if (!b.data)
		sbuf_add(&b, "", 0);
	return sbuf_detach(&b, outlen);
}

/* Parse JSON bytes that may carry a UTF-8 BOM or be UTF-16 (with or
 * without BOM).  Returns a new reference, or NULL with err filled. */
static json_t *pm_json_from_bytes(const unsigned char *p, size_t n, char *err, size_t errlen)
{
	char *conv = NULL;
	json_t *root;
	json_error_t je;
	int be = -1;

	if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
		p += 3;
		n -= 3;
	} else if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
		be = 0;
		p += 2;
		n -= 2;
	} else if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
		be = 1;
		p += 2;
		n -= 2;
	} else if (n >= 2 && p[0] && !p[1]) {
		be = 0;
	} else if (n >= 2 && !p[0] && p[1]) {
		be = 1;
	}
	if (be >= 0) {
		conv = pm_utf16_to_utf8(p, n, be, &n);
		p = (const unsigned char *)conv;
	}
	root = json_loadb((const char *)p, n, JSON_ALLOW_NUL, &je);
	if (!root) {
		/* jansson quotes the text "near" the error: it may be a secret */
		char *near = strstr(je.text, " near '");
		if (near)
			*near = '\0';
		snprintf(err, errlen, "line %d, column %d: %s", je.line, je.column, je.text);
	}
	free(conv);
	return root;
}

/* Read and parse a JSON file (BOM / UTF-16 tolerated).  Returns a new
 * reference, or NULL with err filled. */
static json_t *pm_json_load_file(const char *path, char *err, size_t errlen)
{
	FILE *f = NULL;
	struct sbuf b = SBUF_INIT;
	char chunk[65536];
	size_t got;
	json_t *root = NULL;

	f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto out;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + got > PM_ENV_FILE_CAP) {
			snprintf(err, errlen, "larger than %zu MiB", PM_ENV_FILE_CAP >> 20);
			goto out;
		}
		sbuf_add(&b, chunk, got);
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto out;
	}
	root = pm_json_from_bytes((const unsigned char *)sbuf_str(&b), b.len, err, errlen);
out:
	if (f)
		fclose(f);
	sbuf_release(&b);
	return root;
}

/* Is this parsed document an environment or globals export?  Returns 1 for
 * environment, 2 for globals, 0 otherwise. */
static int pm_env_kind(const json_t *root)
{
	const char *scope;
	json_t *values, *e;
	size_t i;

	if (json_is_array(root)) {
		if (json_array_size(root) == 0)
			return 0;
		json_array_foreach(root, i, e) {
			if (!jstr(e, "key"))
				return 0;
			if (!json_object_get(e, "value") && !json_object_get(e, "enabled"))
				return 0;
		}
		return 2;
	}
	if (!json_is_object(root))
		return 0;
	if (json_is_object(json_object_get(root, "environment")) && json_object_size(root) <= 2)
		return pm_env_kind(json_object_get(root, "environment"));
	values = json_object_get(root, "values");
	if (!json_is_array(values))
		return 0;
	/* every entry a {key, ...} object: keeps API bodies with "values" out */
	json_array_foreach(values, i, e)
		if (!jstr(e, "key"))
			return 0;
	scope = jstr(root, "_postman_variable_scope");
	if (scope && strcmp(scope, "globals") == 0)
		return 2;
	if (scope || json_object_get(root, "name") || json_object_get(root, "id"))
		return 1;
	return 0;
}

/* Load one environment / globals document into the right scope. */
static void pm_load_env_doc(struct pm_ctx *c, const json_t *doc)
{
	int kind = pm_env_kind(doc);

	if (json_is_object(doc) && json_is_object(json_object_get(doc, "environment")) &&
	    !json_object_get(doc, "values"))
		doc = json_object_get(doc, "environment");
	if (kind == 2)
		pm_vars_add_list(&c->glob, json_is_array(doc) ? doc : json_object_get(doc, "values"));
	else if (kind == 1)
		pm_vars_add_list(&c->env, json_object_get(doc, "values"));
}

/* Read opts->env_files; a file that cannot be used is noted and skipped. */
static void pm_load_env_files(struct pm_ctx *c)
{
	char err[256], msg[PM_MSG_CAP + 64];

	if (!c->opts || !c->opts->env_files)
		return;
	for (const char *const *f = c->opts->env_files; *f; f++) {
		json_t *doc;
		const char *base = strrchr(*f, '/');
		base = base ? base + 1 : *f;
		err[0] = '\0';
		doc = pm_json_load_file(*f, err, sizeof(err));
		if (!doc) {
			snprintf(msg, sizeof(msg), "environment file '%s' not used: %s", base, err);
			c->sink->note(c->sink->ctx, NOTE_SKIPPED, -1, msg);
			continue;
		}
		if (!pm_env_kind(doc)) {
			snprintf(msg, sizeof(msg),
				 "environment file '%s' not used: not a postman environment or globals export",
				 base);
			c->sink->note(c->sink->ctx, NOTE_SKIPPED, -1, msg);
		} else {
			pm_load_env_doc(c, doc);
		}
		json_decref(doc);
	}
}

/* ---- classification ----------------------------------------------------- */

/* Does info.schema name a collection schema we read?  1 yes, 0 unknown
 * (absent schema counts as yes: old v2 exports have none). */
static int pm_schema_known(const char *schema)
{
	if (!schema)
		return 1;
	return strstr(schema, "/collection/v2.1.0/") || strstr(schema, "/collection/v2.0.0/") ||
	       strstr(schema, "/collection/v2/") || strstr(schema, "/collection/v1.0.0/") ||
	       strstr(schema, "/collection/v1/");
}

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

/* ---- building exchanges ------------------------------------------------ */

/* Record a skipped piece of the input. */
static void pm_skip(struct pm_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pm_skip(struct pm_ctx *c, const char *fmt, ...)
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
static void pm_fatal(struct pm_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pm_fatal(struct pm_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->fatal[0])
		return;
	va_start(ap, fmt);
	vsnprintf(c->fatal, sizeof(c->fatal), fmt, ap);
	va_end(ap);
}

/* Start a new exchange and its per-exchange bookkeeping. */
static struct exchange *pm_begin(struct pm_ctx *c)
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
static int pm_emit(struct pm_ctx *c, struct exchange *ex)
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
static void pm_add_header(struct pm_ctx *c, struct hdr_list *l, const char *name,
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
static void pm_headers(struct pm_ctx *c, struct hdr_list *l, const json_t *h)
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
static char *pm_url_from_parts(const json_t *u)
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
static char *pm_path_vars(const char *url, const json_t *vars)
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
static void pm_set_url(struct pm_ctx *c, struct exchange *ex, const char *tmpl)
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
static const json_t *pm_auth_pick(const json_t *own, const json_t *inherited)
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
static void pm_auth(struct pm_ctx *c, struct exchange *ex, const json_t *auth)
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
static char *pm_form(struct pm_ctx *c, const json_t *list, const char *kname)
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
static void pm_set_body(struct body *bd, char *text, const char *mime)
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
static char *pm_graphql(struct pm_ctx *c, const char *query, const json_t *vars)
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
static void pm_body_v2(struct pm_ctx *c, struct exchange *ex, const json_t *body)
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
static void pm_method(struct exchange *ex, const char *m)
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
static void pm_response_common(struct pm_ctx *c, struct exchange *ex, long long code,
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
	if (name && *name)
		json_object_set_new(c->extra, "example", json_string(name));
}

/* Join a folder path and a name ("Users / Create user"). */
static char *pm_join(const char *path, const char *name)
{
	if (!name || !*name)
		name = "(unnamed)";
	return path && *path ? xasprintf("%s / %s", path, name) : xstrdup(name);
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
static int pm_collection_v2(struct pm_ctx *c, const json_t *coll, const char *prefix)
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

/* ---- collection v1 ---------------------------------------------------- */

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
static int pm_collection_v1(struct pm_ctx *c, const json_t *coll, const char *prefix)
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

/* ---- environments ------------------------------------------------------ */

/* An environment or globals export: no exchanges, one note naming its
 * variables (never their values). */
static void pm_environment(struct pm_ctx *c, const json_t *root)
{
	struct pm_vars v = { 0 };
	struct sbuf b = SBUF_INIT;
	const json_t *doc = root;
	const char *name;
	int kind = pm_env_kind(root);

	if (json_is_object(root) && json_is_object(json_object_get(root, "environment")) &&
	    !json_object_get(root, "values"))
		doc = json_object_get(root, "environment");
	pm_vars_add_list(&v, json_is_array(doc) ? doc : json_object_get(doc, "values"));
	name = jstr(doc, "name");
	sbuf_addf(&b, "%s%s%s%s: %zu enabled variable%s", kind == 2 ? "globals" : "environment",
		  name ? " '" : "", name ? name : "", name ? "'" : "", pm_vars_count(&v),
		  pm_vars_count(&v) == 1 ? "" : "s");
	if (v.map) {
		const char *k;
		json_t *val;
		size_t i = 0;
		json_object_foreach(v.map, k, val) {
			if (b.len >= 400) {
				sbuf_adds(&b, ", ...");
				break;
			}
			sbuf_addf(&b, "%s%.100s", i++ ? ", " : " (", k);
		}
		sbuf_adds(&b, ")");
	}
	c->sink->note(c->sink->ctx, NOTE_INFO, -1, sbuf_str(&b));
	sbuf_release(&b);
	pm_vars_release(&v);
}

/* ---- newman ------------------------------------------------------------ */

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
			const char *msg = jstr(err, "message");
			char *line;
			if (!json_is_object(err))
				continue;
			line = xasprintf("%s error: %.2000s",
					 k ? "test script" : "pre-request script",
					 msg ? msg : "(no message)");
			strlist_adds(&ex->transcript, line);
			free(line);
		}
	}
}

/* A newman run report; -1 to stop. */
static int pm_newman(struct pm_ctx *c, const json_t *root)
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
		if (pm_emit(c, ex) < 0)
			return -1;
	}
	return 0;
}

/* ---- Insomnia ---------------------------------------------------------- */

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
static int pm_insomnia(struct pm_ctx *c, const json_t *root)
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

/* ---- entry points ------------------------------------------------------ */

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
	pm_ctx_release(&c);
	rc = c.xb.failed ? -1 : 0;
	xb_release(&c.xb);
	return rc;
}

/* ---- Insomnia YAML ----------------------------------------------------- */

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
static json_t *pm_yaml_node(yaml_document_t *doc, yaml_node_t *n, int depth, long *budget)
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
