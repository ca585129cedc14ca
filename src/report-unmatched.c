/* report-unmatched.c - failed exchanges that no rule names, read from the
 * store and summed up by host and status (see report-unmatched.h). */
#include <config.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "report-unmatched.h"
#include "util.h"

#define BODY_PARSE_CAP ((size_t)256 << 10) /* bytes of a body parsed for its error */
#define GROUP_ERRORS 3                       /* distinct error summaries per group */

/* Failed, and no finding of a failure rule on it.  Ordered so that one
 * host and status are consecutive rows.  The body is read by id after the
 * sort (body_sql): carried through it, up to BODY_CAP a row, it filled
 * SQLite's sorter (as large as the page cache) with copies of bodies. */
static const char unmatched_sql[] =
	"SELECT e.id, s.path, e.seq, e.started_at, e.method, e.url, e.host, e.status, e.status_text, "
	"e.error, e.resp_body IS NOT NULL FROM exchanges e JOIN sources s ON s.id = e.source_id WHERE" TICKET_FILTER
	"AND (e.status = 0 OR e.status >= 400 OR (e.status IS NULL AND e.error IS NOT NULL AND "
	"e.kind <> 'capture')) AND NOT EXISTS (SELECT 1 FROM findings f LEFT JOIN rules r ON r.id = "
	"f.rule_id WHERE f.exchange_id = e.id AND COALESCE(r.priority, 50) > 5) "
	"ORDER BY e.host IS NULL, e.host, COALESCE(e.status, -1), e.started_at IS NULL, e.started_at, "
	"s.path, e.seq";
static const char body_sql[] = "SELECT resp_body FROM exchanges WHERE id = ?1";

/* A scalar as kept text (strings and numbers), cut to UNMATCHED_TEXT. */
static char *scalar_text(const json_t *v)
{
	char tmp[64];
	size_t n;
	if (!json_is_string(v) && !json_is_number(v))
		return NULL;
	const char *s = jscalar(v, tmp, sizeof tmp, &n);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		n--;
	return n ? xstrndup(s, n < UNMATCHED_TEXT ? n : UNMATCHED_TEXT) : NULL;
}

/* Set *dst from v when still unset. */
static void take(char **dst, const json_t *v)
{
	if (!*dst)
		*dst = scalar_text(v);
}

static void json_error(const json_t *o, char **message, char **type, char **code)
{
	const json_t *e = json_object_get(o, "error");
	const json_t *errs = json_object_get(o, "errors");
	if (json_is_object(e)) {
		take(message, json_object_get(e, "message"));
		take(type, json_object_get(e, "type"));
		take(code, json_object_get(e, "code"));
		/* Google: {"error": {"code": 403, "status": "PERMISSION_DENIED"}} */
		take(type, json_object_get(e, "status"));
	}
	if (json_is_array(errs) && json_array_size(errs) > 0) {
		const json_t *f = json_array_get(errs, 0);
		if (json_is_object(f)) {
			take(message, json_object_get(f, "message"));
			take(message, json_object_get(f, "detail"));
			take(code, json_object_get(f, "code"));
			take(type, json_object_get(f, "type"));
			/* GraphQL: errors[].extensions.code */
			take(code, json_object_get(json_object_get(f, "extensions"), "code"));
		} else {
			take(message, f);
		}
	}
	take(message, json_object_get(o, "message"));
	/* RFC 7807 problem+json: detail, title, type */
	take(message, json_object_get(o, "detail"));
	take(message, json_object_get(o, "error_description"));
	if (json_is_string(e)) {
		/* OAuth {"error": "invalid_grant", "error_description": ...} */
		if (*message)
			take(code, e);
		else
			take(message, e);
	}
	take(message, json_object_get(o, "title"));
	take(type, json_object_get(o, "type"));
	take(code, json_object_get(o, "code"));
	take(code, json_object_get(o, "error_code"));
}

/* Text of the first <tag>...</tag> in [p, p+n), entity-free, cut. */
static char *xml_element(const char *p, size_t n, const char *tag)
{
	char open[32], close[32];
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	const char *a = memmem(p, n, open, strlen(open));
	if (!a)
		return NULL;
	a += strlen(open);
	const char *b = memmem(a, n - (size_t)(a - p), close, strlen(close));
	if (!b || b == a)
		return NULL;
	size_t l = (size_t)(b - a);
	return xstrndup(a, l < UNMATCHED_TEXT ? l : UNMATCHED_TEXT);
}

int unmatched_body_error(const char *body, size_t len, char **message, char **type, char **code)
{
	*message = *type = *code = NULL;
	size_t i = 0;
	while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
		i++;
	if (i >= len)
		return 0;
	if ((body[i] == '{' || body[i] == '[') && len <= BODY_PARSE_CAP) {
		json_t *root = json_loadb(body + i, len - i, 0, NULL);
		json_t *o = root;
		if (json_is_array(root) && json_array_size(root) > 0)
			o = json_array_get(root, 0);
		if (json_is_object(o))
			json_error(o, message, type, code);
		json_decref(root);
	} else if (body[i] == '<') {
		size_t n = len - i < BODY_PARSE_CAP ? len - i : BODY_PARSE_CAP;
		*code = xml_element(body + i, n, "Code");
		*message = xml_element(body + i, n, "Message");
	}
	return *message || *type || *code;
}

char *unmatched_summary(const struct unmatched_ex *x)
{
	struct sbuf b = SBUF_INIT;
	if (x->message)
		sbuf_adds(&b, x->message);
	if (x->type || x->code) {
		sbuf_adds(&b, b.len ? " (" : "(");
		if (x->type)
			sbuf_addf(&b, "type %s", x->type);
		if (x->code)
			sbuf_addf(&b, "%scode %s", x->type ? ", " : "", x->code);
		sbuf_adds(&b, ")");
	}
	if (!b.len && x->error)
		sbuf_adds(&b, x->error);
	return b.len ? sbuf_detach(&b, NULL) : (sbuf_release(&b), NULL);
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void ex_release(struct unmatched_ex *x)
{
	free(x->source);
	free(x->started_at);
	free(x->method);
	free(x->url);
	free(x->host);
	free(x->status_text);
	free(x->error);
	free(x->message);
	free(x->type);
	free(x->code);
}

/* Add summary to g->errors unless it is there or the group holds enough. */
static void group_error(struct unmatched_group *g, int *nerr, const char *summary)
{
	if (!summary || *nerr > GROUP_ERRORS)
		return;
	if (g->errors) {
		/* already listed? (summaries are "; "-joined) */
		const char *p = g->errors;
		size_t sl = strlen(summary);
		while ((p = strstr(p, summary)) != NULL) {
			if ((p == g->errors || !strncmp(p - 2, "; ", 2)) && (p[sl] == 0 || !strncmp(p + sl, "; ", 2)))
				return;
			p++;
		}
	}
	if (*nerr == GROUP_ERRORS) {
		char *e = xasprintf("%s; …", g->errors);
		free(g->errors);
		g->errors = e;
	} else {
		char *e = g->errors ? xasprintf("%s; %s", g->errors, summary) : xstrdup(summary);
		free(g->errors);
		g->errors = e;
	}
	(*nerr)++;
}

int unmatched_load(sqlite3 *db, const struct report_opts *o, struct unmatched *u, char *err,
		   size_t errlen)
{
	size_t alloc = 0, galloc = 0;
	int nerr = 0, have_cur = 0, cur_kept = 0, cur_status = 0;
	char *cur_host = NULL;
	int rc;
	sqlite3_stmt *s, *b = NULL;
	memset(u, 0, sizeof(*u));
	if (report_prepare_scoped(db, unmatched_sql, o, &s) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, body_sql, -1, &b, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "database error: %s", sqlite3_errmsg(db));
		report_release(s);
		return -1;
	}
	report_bind_ticket(s, o);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct unmatched_ex x;
		memset(&x, 0, sizeof x);
		x.id = sqlite3_column_int64(s, 0);
		x.source = col_dup(s, 1);
		x.seq = (long)sqlite3_column_int64(s, 2);
		x.started_at = col_dup(s, 3);
		x.method = col_dup(s, 4);
		x.url = col_dup(s, 5);
		x.host = col_dup(s, 6);
		x.status = sqlite3_column_type(s, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 7);
		x.status_text = col_dup(s, 8);
		x.error = col_dup(s, 9);
		if (sqlite3_column_int(s, 10)) {
			sqlite3_bind_int64(b, 1, x.id);
			if ((rc = sqlite3_step(b)) == SQLITE_ROW)
				unmatched_body_error(sqlite3_column_blob(b, 0),
						     (size_t)sqlite3_column_bytes(b, 0), &x.message, &x.type,
						     &x.code);
			sqlite3_reset(b);
			if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
				ex_release(&x);
				break;
			}
		}
		u->total++;

		struct unmatched_group *g = NULL;
		if (!have_cur || !same(cur_host, x.host) || cur_status != x.status) {
			free(cur_host);
			cur_host = x.host ? xstrdup(x.host) : NULL;
			cur_status = x.status;
			have_cur = 1;
			u->groups_total++;
			cur_kept = u->ng < UNMATCHED_GROUPS;
			if (cur_kept) {
				u->g = xgrow(u->g, &galloc, u->ng + 1, sizeof(*u->g));
				g = &u->g[u->ng++];
				memset(g, 0, sizeof(*g));
				g->host = x.host ? xstrdup(x.host) : NULL;
				g->status = x.status;
				g->status_text = x.status_text ? xstrdup(x.status_text) : NULL;
				g->example = x.id;
				g->example_method = x.method ? xstrdup(x.method) : NULL;
				g->example_url = x.url ? xstrdup(x.url) : NULL;
				nerr = 0;
			}
		} else if (cur_kept) {
			g = &u->g[u->ng - 1];
		}
		if (g) {
			char *sum = unmatched_summary(&x);
			g->count++;
			if (x.started_at) {
				/* rows without a time come last within the group */
				if (!g->first_at)
					g->first_at = xstrdup(x.started_at);
				free(g->last_at);
				g->last_at = xstrdup(x.started_at);
			}
			group_error(g, &nerr, sum);
			free(sum);
		}
		if (u->n < UNMATCHED_KEEP) {
			u->v = xgrow(u->v, &alloc, u->n + 1, sizeof(*u->v));
			u->v[u->n++] = x;
		} else {
			ex_release(&x);
		}
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "reading failed exchanges: %s", sqlite3_errmsg(db));
		unmatched_release(u);
	}
	report_release(s);
	sqlite3_finalize(b);
	free(cur_host);
	return rc == SQLITE_DONE ? 0 : -1;
}

void unmatched_release(struct unmatched *u)
{
	for (size_t i = 0; i < u->n; i++)
		ex_release(&u->v[i]);
	for (size_t i = 0; i < u->ng; i++) {
		free(u->g[i].host);
		free(u->g[i].status_text);
		free(u->g[i].first_at);
		free(u->g[i].last_at);
		free(u->g[i].example_method);
		free(u->g[i].example_url);
		free(u->g[i].errors);
	}
	free(u->v);
	free(u->g);
	memset(u, 0, sizeof(*u));
}
