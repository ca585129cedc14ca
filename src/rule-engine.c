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

#include "json-util.h"
#include "rule-int.h"

/* Per-rule evaluation state. */
struct evalstate {
	struct rule_set *rs;
	struct xctx *x;
	const struct rule *r;
	unsigned char *memo;     /* the set's per-exchange slots, or NULL */
	enum tri res[RULE_MATCHER_CAP + 1];
	unsigned char done[RULE_MATCHER_CAP + 1];
};

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
		size_t run = i;

		/* ASCII other than NUL goes in by runs. */
		while (run < n && run - i < EVIDENCE_TEXT_CAP - chars &&
		       (unsigned char)p[run] - 1u < 0x7Fu)
			run++;
		if (run > i) {
			sbuf_add(&b, p + i, run - i);
			chars += run - i;
			i = run;
			continue;
		}
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

/* Evaluate a matcher over every value of its field: true when one
 * value matches, unknown when none does but one hit a limit. */
static enum tri eval_matcher(struct rule_set *rs, struct xctx *x, const struct matcher *m,
			     json_t *ev)
{
	const struct field_def *fd = field_def(m->field);
	enum tri res = T_FALSE, t;
	const char *p;
	size_t n, cursor = 0;
	int found = 0;

	if (m->ngate && !prefilter_pass(rs, x, m))
		return T_FALSE;      /* the regex cannot match: no gate literal */
	while (fd->get(x, m->hname, &cursor, &p, &n)) {
		found = 1;
		t = eval_value(rs, m, p, n, ev);
		if (t == T_TRUE) {
			const char *src = ev && fd->source ? fd->source(x, cursor) : NULL;
			if (src) {
				char *v = xasprintf("%.*s (from %s)", (int)n, p, src);
				ev_add(ev, m->name, v, strlen(v));
				free(v);
			}
			return T_TRUE;
		}
		if (t == T_UNKNOWN)
			res = T_UNKNOWN;
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
			const struct matcher *m = &es->r->m[c->idx];
			unsigned char *slot = es->memo ? &es->memo[m->memo] : NULL;
			if (slot && *slot) {
				es->res[c->idx] = (enum tri)(*slot - 1);
			} else {
				es->res[c->idx] = eval_matcher(es->rs, es->x, m, NULL);
				if (slot)
					*slot = (unsigned char)(es->res[c->idx] + 1);
			}
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
static int quotable(const struct matcher *m, const struct xctx *x)
{
	int q = field_def(m->field)->quote;

	if (m->negated || q == Q_NO)
		return 0;
	return q == Q_YES || !x->ex->host || !*x->ex->host;
}

/* What matcher m quotes from the exchange, as a new object, and its
 * result in *res.  In a run over the set (es->memo), it is kept for the
 * exchange under m's slot: a matcher of the same slot and name quotes the
 * same. */
static json_t *matcher_evidence(struct evalstate *es, const struct matcher *m, enum tri *res)
{
	struct rule_set *rs = es->rs;
	uint32_t s = m->memo;
	json_t *one;

	if (es->memo && rs->ev[s].obj && strcmp(rs->ev[s].name, m->name) == 0) {
		*res = rs->ev[s].res;
		return json_incref(rs->ev[s].obj);
	}
	one = json_object();
	*res = eval_matcher(rs, es->x, m, one);
	if (es->memo && !rs->ev[s].obj) {
		rs->ev[s].obj = json_incref(one);
		rs->ev[s].name = m->name;
		rs->ev[s].res = *res;
		rs->evset[rs->nevset++] = s;
	}
	return one;
}

/* Evidence object of a firing rule: every positive matcher that matches
 * and every extract entry.  Returns a new reference. */
static json_t *collect_evidence(struct evalstate *es)
{
	json_t *ev = json_object();
	size_t i;
	enum tri t;

	for (i = 0; i < es->r->nm; i++) {
		const struct matcher *m = &es->r->m[i];
		json_t *one, *v;
		const char *k;

		if (!quotable(m, es->x) || (es->done[i] && es->res[i] != T_TRUE))
			continue;
		one = matcher_evidence(es, m, &t);
		json_object_foreach(one, k, v)
			json_object_set(ev, k, v);
		json_decref(one);
	}
	for (i = 0; i < es->r->nx; i++) {
		const struct matcher *m = &es->r->x[i];
		json_t *one = matcher_evidence(es, m, &t);
		const char *k;
		json_t *v;

		if (t == T_TRUE) {
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

/* Evaluate r over the prepared exchange; reports a finding through fn. */
static int match_rule(struct rule_set *rs, struct xctx *x, const struct rule *r,
		      unsigned char *memo, rule_finding_fn fn, void *ctx, enum tri *cond)
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
	es.memo = memo;
	t = r->cond ? cond_eval(&es, r->cond) : T_FALSE;
	if (cond)
		*cond = t;
	if (t == T_FALSE)
		return 0;
	ev = collect_evidence(&es);
	f.rule = r;
	f.inconclusive = t == T_UNKNOWN;
	f.evidence_json = json_dumps_strings(ev);
	if (!f.evidence_json)
		f.evidence_json = json_dumps(ev, JSON_PRESERVE_ORDER);
	f.advice = advice_render(r->advice, ev);
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

	if (rs->pf_rules != rs->n)
		prefilter_build(rs);
	xctx_init(&x, ex, rs->source);
	ret = match_rule(rs, &x, r, NULL, fn, ctx, NULL);
	xctx_release(&x);
	return ret;
}

/* Run every rule over ex; returns 0 or the first non-zero fn result. */
int rule_set_match(struct rule_set *rs, const struct exchange *ex, rule_finding_fn fn, void *ctx)
{
	struct xctx x;
	size_t i;
	int ret = 0;

	if (rs->n == 0)
		return 0; /* (and no memo to clear) */
	if (rs->pf_rules != rs->n)
		prefilter_build(rs);
	if (rs->memo_rules != rs->n)
		memo_build(rs);
	memset(rs->memo, 0, rs->nmemo);
	memo_evidence_clear(rs);
	memset(rs->prog_false, 0, rs->n);
	xctx_init(&x, ex, rs->source);
	/* Most rules are passed over here: keep the loop to two loads. */
	const size_t n = rs->n, *same_of = rs->prog_same;
	unsigned char *known_false = rs->prog_false;
	for (i = 0; i < n; i++) {
		size_t same = same_of[i];
		enum tri t;
		if (known_false[same])
			continue; /* a rule with the same program was false */
		if (memo_known_false(rs, i)) {
			known_false[same] = 1;
			continue; /* the matchers known so far already rule it out */
		}
		ret = match_rule(rs, &x, rs->v[i], rs->memo, fn, ctx, &t);
		if (t == T_FALSE)
			known_false[same] = 1;
		if (ret)
			break;
	}
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

	if (rs->pf_rules != rs->n)
		prefilter_build(rs);
	xctx_init(&x, ex, rs->source);
	memset(&es, 0, sizeof(es));
	es.rs = rs;
	es.x = &x;
	es.r = r;
	sbuf_addf(out, "rule %s (%s, %s)\n", r->id, severity_name(r->severity), r->path);
	sbuf_adds(out, "reads:");
	for (i = 0; i < F_COUNT; i++)
		if (r->fields & (UINT64_C(1) << i))
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
		s = advice_render(r->advice, ev);
		sbuf_addf(out, "advice:\n%s", s);
		if (*s && s[strlen(s) - 1] != '\n')
			sbuf_addc(out, '\n');
		free(s);
		json_decref(ev);
	}
	xctx_release(&x);
	return t;
}
