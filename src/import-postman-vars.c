/* import-postman-vars.c - Postman variables: scopes, {{name}} resolution
 * (with Insomnia's {{ _.name }} spelling), environment and globals files
 * and exports. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import-postman.h"

/* Free a scope's variables. */
void pm_vars_release(struct pm_vars *s)
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
size_t pm_vars_add_list(struct pm_vars *s, const json_t *list)
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
void pm_vars_add_tree(struct pm_vars *s, const char *prefix, const json_t *obj,
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
char *pm_resolve(struct pm_ctx *c, const char *s, const char *where)
{
	struct sbuf b = SBUF_INIT;
	if (!s)
		return NULL;
	pm_resolve_into(c, &b, s, strlen(s), 0, where);
	if (b.len > BODY_CAP)
		b.data[b.len = BODY_CAP] = '\0';
	return b.data ? sbuf_detach(&b, NULL) : xstrdup("");
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
		conv = utf16_to_utf8(p, n, be, &n);
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
int pm_env_kind(const json_t *root)
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
void pm_load_env_files(struct pm_ctx *c)
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

/* An environment or globals export: no exchanges, one note naming its
 * variables (never their values). */
void pm_environment(struct pm_ctx *c, const json_t *root)
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
