/* log-fields.c - the rule fields of a server log record (issue 18):
 * log.producer, log.flags, log.code, log.message, upstream.status and
 * upstream.addr, read from the "log" object that import-log.c puts into
 * an exchange's extra (log-int.h).  The extra is parsed at most once per
 * exchange, and only for exchanges of kind log; every other exchange has
 * none of these fields. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "log-fields.h"
#include "util.h"

#define LOGV_MAX 8 /* values of a list field kept (flags, upstream statuses) */

struct logview {
	json_t *root;
	json_t *log;
	char *flags[LOGV_MAX];
	size_t nflags;
	char *ups[LOGV_MAX];
	size_t nups;
};

/* Split s at any of seps into trimmed, non-empty parts. */
static size_t split(const char *s, const char *seps, char **out, size_t max)
{
	size_t n = 0;
	while (s && *s && n < max) {
		while (*s == ' ')
			s++;
		size_t l = strcspn(s, seps);
		size_t t = l;
		while (t && s[t - 1] == ' ')
			t--;
		if (t && !(t == 1 && s[0] == '-'))
			out[n++] = xstrndup(s, t);
		s += l;
		if (*s)
			s++;
	}
	return n;
}

static struct logview *view(struct xctx *x)
{
	struct logview *v;
	if (x->have_logv)
		return x->logv;
	x->have_logv = 1;
	if (x->ex->kind != EXCHANGE_LOG || !x->ex->extra)
		return NULL;
	json_t *root = json_loads(x->ex->extra, 0, NULL);
	json_t *log = json_object_get(root, "log");
	if (!json_is_object(log)) {
		json_decref(root);
		return NULL;
	}
	v = xcalloc(1, sizeof *v);
	v->root = root;
	v->log = log;
	/* Envoy: "UF,URX"; nginx over several upstreams: "502, 504" or "502 : 504" */
	v->nflags = split(json_string_value(json_object_get(log, "flags")), ",", v->flags, LOGV_MAX);
	v->nups = split(json_string_value(json_object_get(log, "upstream.status")), ",:", v->ups, LOGV_MAX);
	x->logv = v;
	return v;
}

void log_fields_release(struct xctx *x)
{
	struct logview *v = x->logv;
	if (!v)
		return;
	for (size_t i = 0; i < v->nflags; i++)
		free(v->flags[i]);
	for (size_t i = 0; i < v->nups; i++)
		free(v->ups[i]);
	json_decref(v->root);
	free(v);
	x->logv = NULL;
}

static int one_key(struct xctx *x, const char *key, size_t *cursor, const char **p, size_t *n)
{
	struct logview *v = view(x);
	json_t *s = v ? json_object_get(v->log, key) : NULL;
	if (!json_is_string(s) || *cursor > 0)
		return 0;
	*cursor = 1;
	*p = json_string_value(s);
	*n = json_string_length(s);
	return 1;
}

static int each(char **vals, size_t nv, size_t *cursor, const char **p, size_t *n)
{
	if (*cursor >= nv)
		return 0;
	*p = vals[(*cursor)++];
	*n = strlen(*p);
	return 1;
}

int log_get_producer(struct xctx *x, const char *h, size_t *c, const char **p, size_t *n)
{
	(void)h;
	return one_key(x, "producer", c, p, n);
}

int log_get_code(struct xctx *x, const char *h, size_t *c, const char **p, size_t *n)
{
	(void)h;
	return one_key(x, "code", c, p, n);
}

int log_get_message(struct xctx *x, const char *h, size_t *c, const char **p, size_t *n)
{
	(void)h;
	return one_key(x, "message", c, p, n);
}

int log_get_upstream_addr(struct xctx *x, const char *h, size_t *c, const char **p, size_t *n)
{
	(void)h;
	return one_key(x, "upstream.addr", c, p, n);
}

int log_get_flags(struct xctx *x, const char *h, size_t *c, const char **p, size_t *n)
{
	struct logview *v = view(x);
	(void)h;
	return v ? each(v->flags, v->nflags, c, p, n) : 0;
}

int log_get_upstream_status(struct xctx *x, const char *h, size_t *c, const char **p, size_t *n)
{
	struct logview *v = view(x);
	(void)h;
	return v ? each(v->ups, v->nups, c, p, n) : 0;
}
