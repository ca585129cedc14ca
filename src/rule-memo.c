/* rule-memo.c - one result per distinct matcher and exchange.
 *
 * Rules repeat each other's matchers: many test the same status range, the
 * same header or the same body phrase, and a house library is often a
 * copy of the installed one with a few changes.  Matchers that would give
 * the same result on every exchange (same field, header name, operator,
 * case, pattern and operands) get one memo slot; while a rule set is
 * matched over one exchange, the first evaluation of a slot is kept and
 * the others read it.  Extract entries get slots too.  When a rule fires,
 * the evidence of each of its matchers is kept for the exchange as well,
 * and a rule firing after it with the same matcher under the same name
 * quotes it without running the regex again.
 *
 * Each rule's condition is also kept as a short postfix program over the
 * slots, in one array for the whole set.  Before a rule is evaluated, its
 * program runs on the slots already known (a slot not yet evaluated is
 * unknown); when that alone makes the condition false the rule is skipped
 * without touching its matchers.  Most rules fail on a status or a host
 * another rule has already tested, so most are skipped this way.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rule-int.h"

/* The identity of a matcher as text: everything its result depends on. */
static void memo_key(const struct matcher *m, struct sbuf *k)
{
	sbuf_reset(k);
	sbuf_addf(k, "%d|%d|%d|%s|", (int)m->field, (int)m->op, m->icase, m->hname ? m->hname : "");
	switch (m->op) {
	case OP_REGEX:
	case OP_CONTAINS:
	case OP_EQUALS:
		sbuf_add(k, m->str ? m->str : "", m->str ? m->slen : 0);
		break;
	case OP_IN:
		for (size_t i = 0; i < m->nin; i++) {
			sbuf_adds(k, m->in[i]);
			sbuf_addc(k, '\0');
		}
		break;
	case OP_RANGE:
		sbuf_addf(k, "%ld-%ld", m->lo, m->hi);
		break;
	case OP_EXISTS:
		sbuf_addf(k, "%d", m->exists);
		break;
	}
}

struct memo_slot {
	char *key;
	size_t klen;
	uint32_t id;
};

/* Append the postfix program of c to rs->prog; returns -1 when it would
 * be longer than MEMO_PROG_MAX. */
static int prog_emit(struct rule_set *rs, const struct rule *r, const struct cond *c,
		     size_t start)
{
	uint32_t op;

	switch (c->kind) {
	case C_REF:
		op = MP_REF | r->m[c->idx].memo;
		break;
	case C_NOT:
		if (prog_emit(rs, r, c->a, start) < 0)
			return -1;
		op = MP_NOT;
		break;
	default:
		if (prog_emit(rs, r, c->a, start) < 0 || prog_emit(rs, r, c->b, start) < 0)
			return -1;
		op = c->kind == C_AND ? MP_AND : MP_OR;
		break;
	}
	if (rs->nprog - start >= MEMO_PROG_MAX)
		return -1;
	rs->prog = xgrow(rs->prog, &rs->aprog, rs->nprog + 1, sizeof(*rs->prog));
	rs->prog[rs->nprog++] = op;
	return 0;
}

/* The program of every rule (an empty one when the condition is too
 * long: that rule is always evaluated). */
static void prog_build(struct rule_set *rs)
{
	free(rs->prog);
	rs->prog = NULL;
	rs->nprog = rs->aprog = 0;
	free(rs->prog_at);
	rs->prog_at = xcalloc(rs->n + 1, sizeof(*rs->prog_at));
	for (size_t i = 0; i < rs->n; i++) {
		size_t start = rs->nprog;
		rs->prog_at[i] = start;
		if (rs->v[i]->cond && prog_emit(rs, rs->v[i], rs->v[i]->cond, start) < 0)
			rs->nprog = start;
	}
	rs->prog_at[rs->n] = rs->nprog;
	/* Rules with the same program over the same slots (copies of a rule,
	 * rules that differ only in what they say) are false together. */
	free(rs->prog_same);
	rs->prog_same = xcalloc(rs->n + 1, sizeof(*rs->prog_same));
	free(rs->prog_false);
	rs->prog_false = xcalloc(rs->n + 1, 1);
	{
		size_t cap = 16, *tab;
		while (cap < 2 * rs->n + 16)
			cap *= 2;
		tab = xcalloc(cap, sizeof(*tab)); /* rule index + 1, 0 empty */
		for (size_t i = 0; i < rs->n; i++) {
			const uint32_t *p = rs->prog + rs->prog_at[i];
			size_t len = rs->prog_at[i + 1] - rs->prog_at[i], at;
			rs->prog_same[i] = i;
			if (!len)
				continue; /* always evaluated: shares nothing */
			for (at = fnv1a(p, len * sizeof(*p)) & (cap - 1); tab[at]; at = (at + 1) & (cap - 1)) {
				size_t j = tab[at] - 1;
				if (rs->prog_at[j + 1] - rs->prog_at[j] == len &&
				    memcmp(rs->prog + rs->prog_at[j], p, len * sizeof(*p)) == 0) {
					rs->prog_same[i] = j;
					break;
				}
			}
			if (!tab[at])
				tab[at] = i + 1;
		}
		free(tab);
	}
}

int memo_known_false(const struct rule_set *rs, size_t i)
{
	unsigned char st[MEMO_PROG_MAX];
	size_t sp = 0;
	const uint32_t *p = rs->prog + rs->prog_at[i], *end = rs->prog + rs->prog_at[i + 1];

	if (p == end)
		return 0;
	for (; p < end; p++) {
		uint32_t op = *p & MP_OPMASK;
		unsigned char a, b;
		if (op == MP_REF) {
			unsigned char v = rs->memo[*p & ~MP_OPMASK];
			st[sp++] = v ? (unsigned char)(v - 1) : T_UNKNOWN;
		} else if (op == MP_NOT) {
			a = st[sp - 1];
			st[sp - 1] = a == T_UNKNOWN ? T_UNKNOWN : a == T_TRUE ? T_FALSE : T_TRUE;
		} else {
			b = st[--sp];
			a = st[sp - 1];
			if (op == MP_AND)
				st[sp - 1] = a == T_FALSE || b == T_FALSE ? T_FALSE
					     : a == T_TRUE && b == T_TRUE ? T_TRUE : T_UNKNOWN;
			else
				st[sp - 1] = a == T_TRUE || b == T_TRUE ? T_TRUE
					     : a == T_FALSE && b == T_FALSE ? T_FALSE : T_UNKNOWN;
		}
	}
	return sp == 1 && st[0] == T_FALSE;
}

void memo_build(struct rule_set *rs)
{
	size_t total = 0, cap = 16, i, j;
	struct memo_slot *tab;
	struct sbuf k = SBUF_INIT;
	uint32_t next = 0;

	for (i = 0; i < rs->n; i++)
		total += rs->v[i]->nm + rs->v[i]->nx;
	while (cap < 2 * total + 16)
		cap *= 2;
	tab = xcalloc(cap, sizeof(*tab));
	for (i = 0; i < rs->n; i++) {
		struct rule *r = rs->v[i];
		for (j = 0; j < r->nm + r->nx; j++) {
			struct matcher *m = j < r->nm ? &r->m[j] : &r->x[j - r->nm];
			uint64_t h;
			size_t at;
			memo_key(m, &k);
			h = fnv1a(k.data, k.len);
			for (at = (size_t)h & (cap - 1); tab[at].key; at = (at + 1) & (cap - 1))
				if (tab[at].klen == k.len && memcmp(tab[at].key, k.data, k.len) == 0)
					break;
			if (!tab[at].key) {
				tab[at].key = xmalloc(k.len ? k.len : 1);
				memcpy(tab[at].key, k.data, k.len);
				tab[at].klen = k.len;
				tab[at].id = next++;
			}
			m->memo = tab[at].id;
		}
	}
	for (i = 0; i < cap; i++)
		free(tab[i].key);
	free(tab);
	sbuf_release(&k);
	prog_build(rs);
	memo_evidence_clear(rs);
	free(rs->memo);
	free(rs->ev);
	free(rs->evset);
	rs->nmemo = next;
	rs->memo = xcalloc(next ? next : 1, 1);
	rs->ev = xcalloc(next ? next : 1, sizeof(*rs->ev));
	rs->evset = xcalloc(next ? next : 1, sizeof(*rs->evset));
	rs->memo_rules = rs->n;
}

void memo_evidence_clear(struct rule_set *rs)
{
	for (size_t i = 0; i < rs->nevset; i++) {
		uint32_t s = rs->evset[i];
		json_decref(rs->ev[s].obj);
		rs->ev[s].obj = NULL;
	}
	rs->nevset = 0;
}
