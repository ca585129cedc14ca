/* rule-cond.c - the condition language of rules.
 *
 * condition := or; or := and ('or' and)*; and := unary ('and' unary)*;
 * unary := NAME | 'not' unary | '(' or ')'.  The parser builds the AST
 * of struct cond with exact "file:line:col:" diagnostics, the planner
 * orders every 'and'/'or' so that its cheaper side (by the field table's
 * costs) runs first, and the checker marks which matchers are used and
 * which only under 'not' (those give no evidence).
 */
#include <config.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rule-int.h"
#include "rule-yaml.h"

/* Condition parser state. */
struct cparse {
	struct loadctx *lc;
	const struct ynode *node;
	const char *s;
	size_t pos;
	struct rule *r;
	int depth;
	int failed;
};

/* Free a condition tree; NULL is fine. */
void cond_free(struct cond *c)
{
	if (!c)
		return;
	cond_free(c->a);
	cond_free(c->b);
	free(c);
}

/* Report a condition error at decoded offset off (first error only). */
static void __attribute__((format(printf, 3, 4)))
cparse_error(struct cparse *cp, size_t off, const char *fmt, ...)
{
	struct sbuf b = SBUF_INIT;
	va_list ap;
	int line, col;

	if (cp->failed)
		return;
	cp->failed = 1;
	va_start(ap, fmt);
	sbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	scalar_pos(cp->lc, cp->node, off, &line, &col);
	ldiag(cp->lc, line, col, "%s", sbuf_str(&b));
	sbuf_release(&b);
}

/* Next token: sets *start and *len (0 at end); does not consume. */
static void cpeek(struct cparse *cp, size_t *start, size_t *len)
{
	size_t p = cp->pos;

	while (cp->s[p] == ' ' || cp->s[p] == '\t' || cp->s[p] == '\n' || cp->s[p] == '\r')
		p++;
	*start = p;
	if (!cp->s[p]) {
		*len = 0;
	} else if (cp->s[p] == '(' || cp->s[p] == ')') {
		*len = 1;
	} else {
		size_t e = p;
		while (cp->s[e] && !strchr(" \t\r\n()", cp->s[e]))
			e++;
		*len = e - p;
	}
}

/* True when the token at start/len is exactly word. */
static int ctok_is(struct cparse *cp, size_t start, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(cp->s + start, word, len) == 0;
}

/* or-expr := and-expr ('or' and-expr)*; NULL after an error. */
static struct cond *cparse_or(struct cparse *cp);

/* primary := NAME | '(' or ')' | 'not' primary */
static struct cond *cparse_unary(struct cparse *cp)
{
	size_t st, len, i;
	struct cond *c = NULL;
	char *name;

	if (++cp->depth > RULE_COND_DEPTH_CAP) {
		cparse_error(cp, cp->pos, "condition nested too deeply");
		return NULL;
	}
	cpeek(cp, &st, &len);
	if (len == 0) {
		cparse_error(cp, st, "condition ends early: expected a matcher name, 'not' or '('");
	} else if (ctok_is(cp, st, len, "not")) {
		cp->pos = st + len;
		c = xcalloc(1, sizeof(*c));
		c->kind = C_NOT;
		c->a = cparse_unary(cp);
	} else if (cp->s[st] == '(') {
		cp->pos = st + 1;
		c = cparse_or(cp);
		cpeek(cp, &st, &len);
		if (len == 1 && cp->s[st] == ')')
			cp->pos = st + 1;
		else
			cparse_error(cp, st, "expected ')' in condition");
	} else if (cp->s[st] == ')' || ctok_is(cp, st, len, "and") || ctok_is(cp, st, len, "or")) {
		name = xstrndup(cp->s + st, len);
		cparse_error(cp, st, "unexpected '%s' in condition: expected a matcher name, 'not' or '('", name);
		free(name);
	} else {
		name = xstrndup(cp->s + st, len);
		for (i = 0; i < cp->r->nm; i++)
			if (cp->r->m[i].name && strcmp(cp->r->m[i].name, name) == 0)
				break;
		if (i == cp->r->nm) {
			cparse_error(cp, st, "unknown matcher '%s' in condition", name);
		} else {
			c = xcalloc(1, sizeof(*c));
			c->kind = C_REF;
			c->idx = i;
			cp->pos = st + len;
		}
		free(name);
	}
	cp->depth--;
	return c;
}

/* and-expr := unary ('and' unary)*; NULL after an error. */
static struct cond *cparse_and(struct cparse *cp)
{
	struct cond *c = cparse_unary(cp), *n;
	size_t st, len;

	for (;;) {
		cpeek(cp, &st, &len);
		if (cp->failed || !ctok_is(cp, st, len, "and"))
			return c;
		cp->pos = st + len;
		n = xcalloc(1, sizeof(*n));
		n->kind = C_AND;
		n->a = c;
		n->b = cparse_unary(cp);
		c = n;
	}
}

/* or-expr := and-expr ('or' and-expr)*; NULL after an error. */
static struct cond *cparse_or(struct cparse *cp)
{
	struct cond *c = cparse_and(cp), *n;
	size_t st, len;

	for (;;) {
		cpeek(cp, &st, &len);
		if (cp->failed || !ctok_is(cp, st, len, "or"))
			return c;
		cp->pos = st + len;
		n = xcalloc(1, sizeof(*n));
		n->kind = C_OR;
		n->a = c;
		n->b = cparse_and(cp);
		c = n;
	}
}

/* Mark matchers used by c; neg is the number of enclosing 'not's mod 2. */
static void cond_mark(struct rule *r, const struct cond *c, int neg, int *pos_use, int *neg_use)
{
	if (!c)
		return;
	switch (c->kind) {
	case C_REF:
		r->m[c->idx].used = 1;
		if (neg)
			neg_use[c->idx] = 1;
		else
			pos_use[c->idx] = 1;
		break;
	case C_NOT:
		cond_mark(r, c->a, !neg, pos_use, neg_use);
		break;
	default:
		cond_mark(r, c->a, neg, pos_use, neg_use);
		cond_mark(r, c->b, neg, pos_use, neg_use);
	}
}

/* Rough cost of one matcher: scalar fields are cheap, bodies are not. */
static unsigned matcher_cost(const struct matcher *m)
{
	unsigned c;

	c = field_def(m->field)->cost;
	if (m->op == OP_REGEX)
		c *= 2;
	else if (m->op == OP_EXISTS)
		c = 1;
	return c;
}

/* Set cost and evaluation order of every node: AND and OR give the same
 * result in either order (also in three-valued logic), so the cheaper
 * side runs first and often decides alone.  The second side runs only
 * when the first did not decide, taken as one time in two: a cheap
 * status test beside a body regex makes "not known and page" cheaper
 * than another body regex (a sum would not, and that regex would run on
 * every exchange). */
static unsigned cond_plan(const struct rule *r, struct cond *c)
{
	unsigned ca, cb;

	switch (c->kind) {
	case C_REF:
		c->cost = matcher_cost(&r->m[c->idx]);
		break;
	case C_NOT:
		c->cost = cond_plan(r, c->a);
		break;
	default:
		ca = cond_plan(r, c->a);
		cb = cond_plan(r, c->b);
		c->swap = cb < ca;
		c->cost = c->swap ? cb + ca / 2 : ca + cb / 2;
	}
	return c->cost;
}

/* Build r->cond from the condition scalar (or the AND of all matchers). */
int parse_condition(struct loadctx *lc, struct rule *r, const struct ynode *v)
{
	struct cparse cp;
	size_t i, st, len;
	int *pos_use, *neg_use;

	if (!v) {
		for (i = 0; i < r->nm; i++) {
			struct cond *ref = xcalloc(1, sizeof(*ref));
			ref->kind = C_REF;
			ref->idx = i;
			if (!r->cond) {
				r->cond = ref;
			} else {
				struct cond *n = xcalloc(1, sizeof(*n));
				n->kind = C_AND;
				n->a = r->cond;
				n->b = ref;
				r->cond = n;
			}
		}
	} else {
		if (!want_scalar(lc, v, "condition"))
			return -1;
		memset(&cp, 0, sizeof(cp));
		cp.lc = lc;
		cp.node = v;
		cp.s = v->s;
		cp.r = r;
		r->cond = cparse_or(&cp);
		if (!cp.failed) {
			cpeek(&cp, &st, &len);
			if (len) {
				char *t = xstrndup(cp.s + st, len);
				cparse_error(&cp, st, "unexpected '%s' in condition: expected 'and', 'or' or the end", t);
				free(t);
			}
		}
		if (cp.failed) {
			cond_free(r->cond);
			r->cond = NULL;
			return -1;
		}
	}
	cond_plan(r, r->cond);
	pos_use = xcalloc(r->nm + 1, sizeof(int));
	neg_use = xcalloc(r->nm + 1, sizeof(int));
	cond_mark(r, r->cond, 0, pos_use, neg_use);
	for (i = 0; i < r->nm; i++) {
		r->m[i].negated = neg_use[i] && !pos_use[i];
		if (!r->m[i].used)
			ldiag(lc, r->m[i].line, r->m[i].col,
			      "matcher '%s' is not used by the condition (move supporting evidence to 'extract')",
			      r->m[i].name);
	}
	free(pos_use);
	free(neg_use);
	return 0;
}

/* Value of matcher m on an exchange whose fields in absent are missing
 * and whose other fields could hold anything. */
static enum tri leaf_without(const struct matcher *m, uint64_t absent)
{
	if (!(absent & (UINT64_C(1) << m->field)))
		return T_UNKNOWN;
	return m->op == OP_EXISTS && !m->exists ? T_TRUE : T_FALSE;
}

/* Three-valued evaluation of c with leaf_without. */
static enum tri cond_without(const struct rule *r, const struct cond *c, uint64_t absent)
{
	enum tri a, b;

	switch (c->kind) {
	case C_REF:
		return leaf_without(&r->m[c->idx], absent);
	case C_NOT:
		a = cond_without(r, c->a, absent);
		return a == T_UNKNOWN ? T_UNKNOWN : a == T_TRUE ? T_FALSE : T_TRUE;
	case C_AND:
		a = cond_without(r, c->a, absent);
		b = cond_without(r, c->b, absent);
		if (a == T_FALSE || b == T_FALSE)
			return T_FALSE;
		return a == T_TRUE && b == T_TRUE ? T_TRUE : T_UNKNOWN;
	case C_OR:
		a = cond_without(r, c->a, absent);
		b = cond_without(r, c->b, absent);
		if (a == T_TRUE || b == T_TRUE)
			return T_TRUE;
		return a == T_FALSE && b == T_FALSE ? T_FALSE : T_UNKNOWN;
	}
	return T_FALSE;
}

/* True when r can fire on a fragment: an exchange without host and
 * status (a pasted body or page). */
int rule_fires_on_fragments(const struct rule *r)
{
	uint64_t absent = (UINT64_C(1) << F_HOST) | (UINT64_C(1) << F_STATUS);

	return r->cond && cond_without(r, r->cond, absent) != T_FALSE;
}
