/* rule-engine.c - run compiled rules over exchanges.
 *
 * Every regex runs through one reused match context with match, depth and
 * heap limits and a JIT stack, and one match data block sized for the
 * largest ovector of the set.  A limit hit makes the matcher "unknown";
 * the condition is evaluated in three-valued logic, so a rule whose
 * outcome depends on an unknown matcher is reported as inconclusive
 * instead of hanging or being silently dropped.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "rule-int.h"

/* Lazily computed views of one exchange, shared by all rules. */
struct xctx {
	const struct exchange *ex;
	const char *source;
	struct sbuf reqh, resph;
	int have_reqh, have_resph;
	char status[24], port[24];
	int have_status, have_port;
	const char *cross_origin, *expects_json, *content_kind;
	int have_derived;
};

/* Per-rule evaluation state. */
struct evalstate {
	struct rule_set *rs;
	struct xctx *x;
	const struct rule *r;
	enum tri res[RULE_MATCHER_CAP + 1];
	unsigned char done[RULE_MATCHER_CAP + 1];
};

/* A new empty set with its match context; never NULL (x* allocators). */
struct rule_set *rule_set_new(void)
{
	struct rule_set *rs = xcalloc(1, sizeof(*rs));

	rs->mctx = pcre2_match_context_create(NULL);
	if (!rs->mctx) {
		fprintf(stderr, "hartriage: out of memory\n");
		abort();
	}
	pcre2_set_match_limit(rs->mctx, RULE_MATCH_LIMIT);
	rs->limit_jit = 1;
	pcre2_set_depth_limit(rs->mctx, RULE_DEPTH_LIMIT);
	pcre2_set_heap_limit(rs->mctx, RULE_HEAP_LIMIT_KIB);
	/* Without a JIT stack (JIT unsupported) the interpreter is used. */
	rs->jstack = pcre2_jit_stack_create(RULE_JIT_STACK_MIN, RULE_JIT_STACK_MAX, NULL);
	if (rs->jstack)
		pcre2_jit_stack_assign(rs->mctx, NULL, rs->jstack);
	rule_set_reserve_ovector(rs, 16);
	return rs;
}

/* Free the set, its rules and the PCRE2 state; NULL is fine. */
void rule_set_free(struct rule_set *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->n; i++)
		rule_free(rs->v[i]);
	free(rs->v);
	pcre2_match_data_free(rs->md);
	pcre2_jit_stack_free(rs->jstack);
	pcre2_match_context_free(rs->mctx);
	free(rs->source);
	free(rs);
}

/* Grow the shared match data to at least pairs ovector pairs. */
void rule_set_reserve_ovector(struct rule_set *rs, uint32_t pairs)
{
	if (rs->md && rs->ovec_pairs >= pairs)
		return;
	pcre2_match_data_free(rs->md);
	rs->md = pcre2_match_data_create(pairs, NULL);
	if (!rs->md) {
		fprintf(stderr, "hartriage: out of memory\n");
		abort();
	}
	rs->ovec_pairs = pairs;
}

/* Set the value of the 'source' field; never fails. */
void rule_set_set_source(struct rule_set *rs, const char *source)
{
	free(rs->source);
	rs->source = source ? xstrdup(source) : NULL;
}

/* Host part of an Origin value ("https://a.b:8443" -> "a.b"). */
static void origin_host(const char *o, const char **h, size_t *n)
{
	const char *p = strstr(o, "://");

	p = p ? p + 3 : o;
	*h = p;
	*n = strcspn(p, ":/ \t");
}

/* True when any copy of header name contains "json". */
static int header_mentions_json(const struct hdr_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (ascii_casecmp(l->v[i].name, name) == 0 &&
		    ascii_casestr(l->v[i].value, strlen(l->v[i].value), "json"))
			return 1;
	return 0;
}

/* Kind of the response body: json, html, xml, text, binary or empty. */
static const char *content_kind(const struct exchange *ex)
{
	const char *ct = hdr_list_get(&ex->resp_headers, "content-type");
	const char *p = ex->resp_body.data;
	size_t n = ex->resp_body.len, k, i;

	if (!p || n == 0)
		return "empty";
	if (!ct)
		ct = ex->resp_body.mime;
	if (ct && *ct) {
		size_t cl = strlen(ct);
		if (ascii_casestr(ct, cl, "json"))
			return "json";
		if (ascii_casestr(ct, cl, "html"))
			return "html";
		if (ascii_casestr(ct, cl, "xml"))
			return "xml";
		if (starts_with_icase(ct, "text/") || ascii_casestr(ct, cl, "javascript") ||
		    ascii_casestr(ct, cl, "x-www-form-urlencoded"))
			return "text";
		if (starts_with_icase(ct, "image/") || starts_with_icase(ct, "audio/") ||
		    starts_with_icase(ct, "video/") || starts_with_icase(ct, "font/") ||
		    ascii_casestr(ct, cl, "octet-stream") || ascii_casestr(ct, cl, "pdf") ||
		    ascii_casestr(ct, cl, "zip") || ascii_casestr(ct, cl, "protobuf"))
			return "binary";
	}
	/* No usable Content-Type: look at the bytes. */
	i = 0;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	k = n < 4096 ? n : 4096;
	while (k < n && k > 0 && ((unsigned char)p[k] & 0xC0) == 0x80)
		k--;
	if (memchr(p, '\0', k) || !utf8_valid(p, k))
		return "binary";
	if (i < n && (p[i] == '{' || p[i] == '['))
		return "json";
	if (i < n && p[i] == '<') {
		if (ascii_casestr(p + i, k - i, "<html") || ascii_casestr(p + i, k - i, "<!doctype html") ||
		    ascii_casestr(p + i, k - i, "<body") || ascii_casestr(p + i, k - i, "<head"))
			return "html";
		return "xml";
	}
	return "text";
}

/* Compute cross_origin, expects_json and content_kind once. */
static void derive(struct xctx *x)
{
	const struct exchange *ex = x->ex;
	const char *o, *h;
	size_t n;

	if (x->have_derived)
		return;
	x->have_derived = 1;
	o = hdr_list_get(&ex->req_headers, "origin");
	x->cross_origin = NULL;
	if (o && ex->host) {
		origin_host(o, &h, &n);
		x->cross_origin = (n == strlen(ex->host) && ascii_ncasecmp(h, ex->host, n) == 0)
					  ? "false" : "true";
	}
	x->expects_json = header_mentions_json(&ex->req_headers, "accept") ||
				  header_mentions_json(&ex->req_headers, "content-type")
			  ? "true" : "false";
	x->content_kind = content_kind(ex);
}

/* Join a header list as "Name: value" lines. */
static void join_headers(const struct hdr_list *l, struct sbuf *b)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i)
			sbuf_addc(b, '\n');
		sbuf_adds(b, l->v[i].name);
		sbuf_add(b, ": ", 2);
		sbuf_adds(b, l->v[i].value);
	}
}

/* The single value of a scalar field; returns 1 when present. */
static int field_value(struct xctx *x, enum field_kind f, const char **p, size_t *n)
{
	const struct exchange *ex = x->ex;
	const char *s = NULL;

	switch (f) {
	case F_METHOD: s = ex->method; break;
	case F_URL: s = ex->url; break;
	case F_SCHEME: s = ex->scheme; break;
	case F_HOST: s = ex->host; break;
	case F_PATH: s = ex->path; break;
	case F_QUERY: s = ex->query; break;
	case F_HTTP_VERSION: s = ex->http_version; break;
	case F_STATUS_TEXT: s = ex->status_text; break;
	case F_ERROR: s = ex->error; break;
	case F_SOURCE: s = x->source; break;
	case F_PORT:
		if (ex->port >= 0) {
			if (!x->have_port)
				snprintf(x->port, sizeof(x->port), "%d", ex->port);
			x->have_port = 1;
			s = x->port;
		}
		break;
	case F_STATUS:
		if (ex->status != STATUS_UNKNOWN && ex->status >= 0) {
			if (!x->have_status)
				snprintf(x->status, sizeof(x->status), "%d", ex->status);
			x->have_status = 1;
			s = x->status;
		}
		break;
	case F_REQ_HEADERS:
		if (ex->req_headers.n == 0)
			return 0;
		if (!x->have_reqh) {
			join_headers(&ex->req_headers, &x->reqh);
			x->have_reqh = 1;
		}
		*p = sbuf_str(&x->reqh);
		*n = x->reqh.len;
		return 1;
	case F_RESP_HEADERS:
		if (ex->resp_headers.n == 0)
			return 0;
		if (!x->have_resph) {
			join_headers(&ex->resp_headers, &x->resph);
			x->have_resph = 1;
		}
		*p = sbuf_str(&x->resph);
		*n = x->resph.len;
		return 1;
	case F_REQ_BODY:
		if (!ex->req_body.data)
			return 0;
		*p = ex->req_body.data;
		*n = ex->req_body.len;
		return 1;
	case F_RESP_BODY:
		if (!ex->resp_body.data)
			return 0;
		*p = ex->resp_body.data;
		*n = ex->resp_body.len;
		return 1;
	case F_CROSS_ORIGIN: derive(x); s = x->cross_origin; break;
	case F_EXPECTS_JSON: derive(x); s = x->expects_json; break;
	case F_CONTENT_KIND: derive(x); s = x->content_kind; break;
	default:
		break;
	}
	if (!s)
		return 0;
	*p = s;
	*n = strlen(s);
	return 1;
}

/* Add [p, p+n) to ev under key, cut to EVIDENCE_TEXT_CAP characters and
 * with invalid UTF-8 replaced, so that jansson accepts it. */
static void ev_add(json_t *ev, const char *key, const char *p, size_t n)
{
	struct sbuf b = SBUF_INIT;
	size_t i = 0, chars = 0;

	while (i < n && chars < EVIDENCE_TEXT_CAP) {
		unsigned char c = (unsigned char)p[i];
		size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
			     : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (len == 0 || i + len > n || !utf8_valid(p + i, len) || c == 0) {
			sbuf_adds(&b, c == 0 ? "\\0" : "\xEF\xBF\xBD");
			i++;
		} else {
			sbuf_add(&b, p + i, len);
			i += len;
		}
		chars++;
	}
	if (i < n)
		sbuf_adds(&b, "\xE2\x80\xA6");
	json_object_set_new(ev, key, json_stringn(sbuf_str(&b), b.len));
	sbuf_release(&b);
}

/* Match one value; on a match with ev set, record the evidence. */
static enum tri eval_value(struct rule_set *rs, const struct matcher *m, const char *p,
			   size_t n, json_t *ev)
{
	const char *hit = NULL;
	size_t hitlen = 0, i, sl;
	long v;
	int rc;

	switch (m->op) {
	case OP_REGEX:
		if (m->jit != rs->limit_jit) {
			pcre2_set_match_limit(rs->mctx, m->jit ? RULE_MATCH_LIMIT : RULE_MATCH_LIMIT_INTERP);
			rs->limit_jit = m->jit;
		}
		rc = pcre2_match(m->re, (PCRE2_SPTR)p, n, 0, 0, rs->md, rs->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			return T_FALSE;
		if (rc < 0)
			return T_UNKNOWN; /* a limit (or another match error) */
		if (ev) {
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rs->md);
			uint32_t pairs = pcre2_get_ovector_count(rs->md);
			ev_add(ev, m->name, p + ov[0], ov[1] > ov[0] ? ov[1] - ov[0] : 0);
			for (i = 0; i < m->ngroups; i++) {
				uint32_t g = m->groups[i].num;
				if (g < pairs && ov[2 * g] != PCRE2_UNSET && ov[2 * g + 1] >= ov[2 * g])
					ev_add(ev, m->groups[i].name, p + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
			}
		}
		return T_TRUE;
	case OP_CONTAINS:
		sl = m->slen;
		hit = m->icase ? ascii_casestr(p, n, m->str) : memmem(p, n, m->str, sl);
		if (!hit)
			return T_FALSE;
		hitlen = sl;
		break;
	case OP_EQUALS:
		sl = m->slen;
		if (n != sl || (m->icase ? ascii_ncasecmp(p, m->str, n) : memcmp(p, m->str, n)) != 0)
			return T_FALSE;
		hit = p;
		hitlen = n;
		break;
	case OP_IN:
		for (i = 0; i < m->nin; i++) {
			sl = strlen(m->in[i]);
			if (n == sl && (m->icase ? ascii_ncasecmp(p, m->in[i], n) : memcmp(p, m->in[i], n)) == 0)
				break;
		}
		if (i == m->nin)
			return T_FALSE;
		hit = p;
		hitlen = n;
		break;
	case OP_RANGE:
		if (parse_long(p, n, &v) != 0 || v < m->lo || v > m->hi)
			return T_FALSE;
		hit = p;
		hitlen = n;
		break;
	case OP_EXISTS:
		if (!m->exists)
			return T_FALSE;
		hit = p;
		hitlen = n;
		break;
	}
	if (ev)
		ev_add(ev, m->name, hit, hitlen);
	return T_TRUE;
}

/* Evaluate a matcher over every value of its field. */
static enum tri eval_matcher(struct rule_set *rs, struct xctx *x, const struct matcher *m,
			     json_t *ev)
{
	const struct hdr_list *l;
	enum tri res = T_FALSE, t;
	const char *p;
	size_t n, i;
	int found = 0;

	switch (m->field) {
	case F_REQ_HEADER:
	case F_RESP_HEADER:
		l = m->field == F_REQ_HEADER ? &x->ex->req_headers : &x->ex->resp_headers;
		for (i = 0; i < l->n; i++) {
			if (ascii_casecmp(l->v[i].name, m->hname) != 0)
				continue;
			found = 1;
			t = eval_value(rs, m, l->v[i].value, strlen(l->v[i].value), ev);
			if (t == T_TRUE)
				return T_TRUE;
			if (t == T_UNKNOWN)
				res = T_UNKNOWN;
		}
		break;
	case F_TRANSCRIPT:
		for (i = 0; i < x->ex->transcript.n; i++) {
			found = 1;
			p = x->ex->transcript.v[i];
			t = eval_value(rs, m, p, strlen(p), ev);
			if (t == T_TRUE)
				return T_TRUE;
			if (t == T_UNKNOWN)
				res = T_UNKNOWN;
		}
		break;
	default:
		if (field_value(x, m->field, &p, &n)) {
			found = 1;
			res = eval_value(rs, m, p, n, ev);
		}
		break;
	}
	if (!found && m->op == OP_EXISTS && !m->exists)
		return T_TRUE;
	return res;
}

/* Three-valued, lazy evaluation of the condition. */
static enum tri cond_eval(struct evalstate *es, const struct cond *c)
{
	enum tri a, b;

	switch (c->kind) {
	case C_REF:
		if (!es->done[c->idx]) {
			es->res[c->idx] = eval_matcher(es->rs, es->x, &es->r->m[c->idx], NULL);
			es->done[c->idx] = 1;
		}
		return es->res[c->idx];
	case C_NOT:
		a = cond_eval(es, c->a);
		return a == T_UNKNOWN ? T_UNKNOWN : a == T_TRUE ? T_FALSE : T_TRUE;
	case C_AND:
		a = cond_eval(es, c->swap ? c->b : c->a);
		if (a == T_FALSE)
			return T_FALSE;
		b = cond_eval(es, c->swap ? c->a : c->b);
		if (b == T_FALSE)
			return T_FALSE;
		return a == T_TRUE && b == T_TRUE ? T_TRUE : T_UNKNOWN;
	case C_OR:
		a = cond_eval(es, c->swap ? c->b : c->a);
		if (a == T_TRUE)
			return T_TRUE;
		b = cond_eval(es, c->swap ? c->a : c->b);
		if (b == T_TRUE)
			return T_TRUE;
		return a == T_FALSE && b == T_FALSE ? T_FALSE : T_UNKNOWN;
	}
	return T_FALSE;
}

/* True when a matcher's text is worth quoting as evidence. */
static int quotable(const struct matcher *m)
{
	return !m->negated && m->field != F_STATUS && m->field != F_HOST;
}

/* Evidence object of a firing rule: every positive matcher that matches
 * and every extract entry.  Returns a new reference. */
static json_t *collect_evidence(struct evalstate *es)
{
	json_t *ev = json_object();
	size_t i;

	for (i = 0; i < es->r->nm; i++) {
		const struct matcher *m = &es->r->m[i];
		if (!quotable(m) || (es->done[i] && es->res[i] != T_TRUE))
			continue;
		eval_matcher(es->rs, es->x, m, ev);
	}
	for (i = 0; i < es->r->nx; i++) {
		const struct matcher *m = &es->r->x[i];
		json_t *one = json_object();
		const char *k;
		json_t *v;

		if (eval_matcher(es->rs, es->x, m, one) == T_TRUE) {
			/* Named groups carry the value; the whole match
			 * only counts when no group has a name. */
			int whole = m->ngroups == 0;
			size_t g;
			for (g = 0; g < m->ngroups; g++)
				if (strcmp(m->groups[g].name, m->name) == 0)
					whole = 1;
			json_object_foreach(one, k, v)
				if (whole || strcmp(k, m->name) != 0)
					json_object_set(ev, k, v);
		}
		json_decref(one);
	}
	return ev;
}

/* Append s as a Markdown code span that s cannot break out of: enough
 * backticks, padding where needed, newlines and '|' flattened. */
static void add_code_span(struct sbuf *b, const char *s)
{
	int ticks = 1, run = 0, pad, i;
	const char *c;

	for (c = s; *c; c++) {
		run = *c == '`' ? run + 1 : 0;
		if (run >= ticks)
			ticks = run + 1;
	}
	pad = !s[0] || s[0] == '`' || s[strlen(s) - 1] == '`';
	for (i = 0; i < ticks; i++)
		sbuf_addc(b, '`');
	if (pad)
		sbuf_addc(b, ' ');
	for (c = s; *c; c++)
		sbuf_addc(b, (*c == '\n' || *c == '\r' || *c == '|') ? ' ' : *c);
	if (pad)
		sbuf_addc(b, ' ');
	for (i = 0; i < ticks; i++)
		sbuf_addc(b, '`');
}

/* Advice with {{name}} replaced by the evidence value as inline code (a
 * placeholder the author already put in backticks is not wrapped twice);
 * names without a value stay as written.  Never fails. */
static char *render_advice(const char *tmpl, json_t *ev)
{
	struct sbuf b = SBUF_INIT;
	const char *p = tmpl, *o, *c, *ns, *ne;
	json_t *v;
	int quoted;

	while ((o = strstr(p, "{{")) != NULL) {
		c = strstr(o + 2, "}}");
		if (!c)
			break;
		sbuf_add(&b, p, (size_t)(o - p));
		ns = o + 2;
		ne = c;
		while (ns < ne && (*ns == ' ' || *ns == '\t'))
			ns++;
		while (ne > ns && (ne[-1] == ' ' || ne[-1] == '\t'))
			ne--;
		{
			char *name = xstrndup(ns, (size_t)(ne - ns));
			v = json_object_get(ev, name);
			free(name);
		}
		if (!json_is_string(v)) {
			sbuf_add(&b, o, (size_t)(c + 2 - o));
			p = c + 2;
			continue;
		}
		quoted = o > tmpl && o[-1] == '`' && c[2] == '`' && !(o - 1 > tmpl && o[-2] == '`');
		if (quoted)
			b.len--;
		add_code_span(&b, json_string_value(v));
		p = c + 2 + (quoted ? 1 : 0);
	}
	sbuf_adds(&b, p);
	return sbuf_detach(&b, NULL);
}

static void xctx_init(struct xctx *x, struct rule_set *rs, const struct exchange *ex)
{
	memset(x, 0, sizeof(*x));
	x->ex = ex;
	x->source = rs->source;
	sbuf_init(&x->reqh);
	sbuf_init(&x->resph);
}

/* Free the lazy views. */
static void xctx_release(struct xctx *x)
{
	sbuf_release(&x->reqh);
	sbuf_release(&x->resph);
}

/* Evaluate r over the prepared exchange; reports a finding through fn. */
static int match_rule(struct rule_set *rs, struct xctx *x, const struct rule *r,
		      rule_finding_fn fn, void *ctx)
{
	struct evalstate es;
	struct rule_finding f;
	enum tri t;
	json_t *ev;
	int ret;

	memset(es.done, 0, r->nm);
	es.rs = rs;
	es.x = x;
	es.r = r;
	t = r->cond ? cond_eval(&es, r->cond) : T_FALSE;
	if (t == T_FALSE)
		return 0;
	ev = collect_evidence(&es);
	f.rule = r;
	f.inconclusive = t == T_UNKNOWN;
	f.evidence_json = json_dumps(ev, JSON_PRESERVE_ORDER);
	f.advice = render_advice(r->advice, ev);
	json_decref(ev);
	if (!f.evidence_json)
		f.evidence_json = xstrdup("{}");
	ret = fn ? fn(ctx, &f) : 0;
	free(f.evidence_json);
	free(f.advice);
	return ret;
}

/* Run one rule over ex; returns 0 or what fn returned. */
int rule_match_one(struct rule_set *rs, const struct rule *r, const struct exchange *ex,
		   rule_finding_fn fn, void *ctx)
{
	struct xctx x;
	int ret;

	xctx_init(&x, rs, ex);
	ret = match_rule(rs, &x, r, fn, ctx);
	xctx_release(&x);
	return ret;
}

/* Run every rule over ex; returns 0 or the first non-zero fn result. */
int rule_set_match(struct rule_set *rs, const struct exchange *ex, rule_finding_fn fn, void *ctx)
{
	struct xctx x;
	size_t i;
	int ret = 0;

	xctx_init(&x, rs, ex);
	for (i = 0; i < rs->n && ret == 0; i++)
		ret = match_rule(rs, &x, rs->v[i], fn, ctx);
	xctx_release(&x);
	return ret;
}

/* Display name of a three-valued result. */
static const char *tri_name(enum tri t)
{
	return t == T_TRUE ? "true" : t == T_FALSE ? "false" : "inconclusive";
}

/* Condition as text with each matcher's result, e.g. "a[true] and not b[false]";
 * parent is the kind of the enclosing node (C_REF at the top). */
static void cond_trace(const struct evalstate *es, const struct cond *c, struct sbuf *out,
		       enum cond_kind parent)
{
	int paren;

	switch (c->kind) {
	case C_REF:
		sbuf_addf(out, "%s[%s]", es->r->m[c->idx].name, tri_name(es->res[c->idx]));
		break;
	case C_NOT:
		sbuf_adds(out, "not ");
		cond_trace(es, c->a, out, C_NOT);
		break;
	default:
		paren = parent != C_REF && parent != c->kind;
		if (paren)
			sbuf_addc(out, '(');
		cond_trace(es, c->a, out, c->kind);
		sbuf_adds(out, c->kind == C_AND ? " and " : " or ");
		cond_trace(es, c->b, out, c->kind);
		if (paren)
			sbuf_addc(out, ')');
	}
}

/* One-line description of a matcher, as the rule writes it. */
static void describe_matcher(const struct matcher *m, struct sbuf *out)
{
	size_t i;

	sbuf_addf(out, "%s: %s ", m->name, m->field_text);
	switch (m->op) {
	case OP_REGEX: sbuf_addf(out, "regex '%s'", m->str); break;
	case OP_CONTAINS: sbuf_addf(out, "contains '%s'", m->str); break;
	case OP_EQUALS: sbuf_addf(out, "equals '%s'", m->str); break;
	case OP_IN:
		sbuf_adds(out, "in [");
		for (i = 0; i < m->nin; i++)
			sbuf_addf(out, "%s%s", i ? ", " : "", m->in[i]);
		sbuf_addc(out, ']');
		break;
	case OP_RANGE: sbuf_addf(out, "range [%ld, %ld]", m->lo, m->hi); break;
	case OP_EXISTS: sbuf_addf(out, "exists %s", m->exists ? "true" : "false"); break;
	}
	if (m->icase)
		sbuf_adds(out, " (icase)");
}

/* Print every matcher's result, the condition trace and the evidence. */
enum tri rule_explain(struct rule_set *rs, const struct rule *r, const struct exchange *ex,
		      struct sbuf *out)
{
	struct evalstate es;
	struct xctx x;
	enum tri t;
	json_t *ev = NULL, *one;
	char *s;
	size_t i;

	xctx_init(&x, rs, ex);
	memset(es.done, 0, sizeof(es.done));
	es.rs = rs;
	es.x = &x;
	es.r = r;
	sbuf_addf(out, "rule %s (%s, %s)\n", r->id, severity_name(r->severity), r->path);
	sbuf_adds(out, "reads:");
	for (i = 0; i < F_COUNT; i++)
		if (r->fields & (1u << i))
			sbuf_addf(out, " %s%s", field_kind_name((enum field_kind)i),
				  i == F_REQ_HEADER || i == F_RESP_HEADER ? "*" : "");
	sbuf_addc(out, '\n');
	sbuf_adds(out, "matchers:\n");
	for (i = 0; i < r->nm + r->nx; i++) {
		const struct matcher *m = i < r->nm ? &r->m[i] : &r->x[i - r->nm];
		one = json_object();
		t = eval_matcher(rs, &x, m, one);
		if (i < r->nm) {
			es.res[i] = t;
			es.done[i] = 1;
		}
		if (i == r->nm)
			sbuf_adds(out, "extract:\n");
		sbuf_adds(out, "  ");
		describe_matcher(m, out);
		sbuf_addf(out, " => %s", tri_name(t));
		if (json_object_size(one) > 0) {
			s = json_dumps(one, JSON_PRESERVE_ORDER);
			sbuf_addf(out, " %s", s);
			free(s);
		}
		sbuf_addc(out, '\n');
		json_decref(one);
	}
	t = r->cond ? cond_eval(&es, r->cond) : T_FALSE;
	sbuf_adds(out, "condition: ");
	if (r->cond)
		cond_trace(&es, r->cond, out, C_REF);
	sbuf_addf(out, " => %s\n", t == T_TRUE ? "fires" : t == T_FALSE ? "does not fire"
					       : "inconclusive (a match limit was hit)");
	if (t != T_FALSE) {
		ev = collect_evidence(&es);
		s = json_dumps(ev, JSON_PRESERVE_ORDER);
		sbuf_addf(out, "evidence: %s\n", s ? s : "{}");
		free(s);
		s = render_advice(r->advice, ev);
		sbuf_addf(out, "advice:\n%s", s);
		if (*s && s[strlen(s) - 1] != '\n')
			sbuf_addc(out, '\n');
		free(s);
		json_decref(ev);
	}
	xctx_release(&x);
	return t;
}
