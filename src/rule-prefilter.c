/* rule-prefilter.c - one scan of each response body for the literals that
 * gate body regexes.
 *
 * Most body regexes find nothing in almost every body, and PCRE2 still
 * walks the whole body for each of them (a top-level "(?i)a|b|c"
 * alternation, a group first, or a common first byte are the worst
 * cases).  At load time every response.body regex gets a gate when every
 * match must contain one of a set of literals of at least PF_MIN_LIT
 * characters: for each alternative, the most selective literal run or
 * group it requires ("(?<code>abcd|efgh)" requires abcd or efgh).  The
 * regex cannot match a body that holds none of its gate's literals,
 * compared ASCII case-insensitively.  Per exchange the body is scanned
 * once for all literals of the set (a bitmap of the first two bytes
 * rejects most positions), the result is kept in the exchange's xctx, and
 * a gated regex runs only when one of its literals was seen.
 *
 * Extraction is conservative: a quantified character or group is
 * dropped, lookarounds, conditions and classes give nothing, escapes
 * other than escaped punctuation end a run, and in caseless patterns 's'
 * and 'k' end a run (PCRE2 also matches U+017F and U+212A for them).  A
 * pattern it does not understand (\Q, extended mode, verbs, unbalanced
 * groups, an alternative without a literal) gets no gate and always runs.
 */
#include <config.h>

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rule-int.h"

#define PF_MIN_LIT 4             /* shortest literal worth a gate */
#define PF_MAX_LIT 64            /* longest literal kept */
#define PF_NONE UINT32_MAX
#define PF_SLOTS 65536            /* hash slots of the four-byte windows */

struct prefilter {
	char **lits;                 /* lowercase ASCII literals */
	size_t *lens;
	size_t n, alloc;
	unsigned char bits[PF_SLOTS / 8]; /* by a hash of the first four bytes */
	uint32_t *head;              /* PF_SLOTS chains by that hash */
	uint32_t *next;
};

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Slot of a four-byte window w (first byte lowest). */
static unsigned pf_slot(uint32_t w)
{
	return (unsigned)((w * 2654435761u) >> 16) & (PF_SLOTS - 1);
}

static uint32_t window4(const char *s)
{
	return (uint32_t)(unsigned char)s[0] | (uint32_t)(unsigned char)s[1] << 8 |
	       (uint32_t)(unsigned char)s[2] << 16 | (uint32_t)(unsigned char)s[3] << 24;
}

/* End of the group that starts at p[0] == '(' (index after ')'), or 0
 * when unbalanced. */
static size_t skip_group(const char *p)
{
	size_t i = 1;
	int depth = 1;

	while (p[i] && depth > 0) {
		if (p[i] == '\\') {
			if (!p[i + 1])
				return 0;
			i += 2;
			continue;
		}
		if (p[i] == '[') {
			i++;
			if (p[i] == '^')
				i++;
			if (p[i] == ']')
				i++;
			while (p[i] && p[i] != ']')
				i += p[i] == '\\' && p[i + 1] ? 2 : 1;
			if (!p[i])
				return 0;
		} else if (p[i] == '(') {
			depth++;
		} else if (p[i] == ')') {
			depth--;
		}
		i++;
	}
	return depth == 0 ? i : 0;
}

/* Length of a quantifier at p ("?", "*", "+", "{2}", "{1,3}", with a
 * lazy or possessive suffix), or 0. */
static size_t quantifier(const char *p)
{
	size_t i = 0;

	if (*p == '?' || *p == '*' || *p == '+') {
		i = 1;
	} else if (*p == '{') {
		i = 1;
		while (p[i] >= '0' && p[i] <= '9')
			i++;
		if (i == 1)
			return 0;
		if (p[i] == ',')
			for (i++; p[i] >= '0' && p[i] <= '9'; i++)
				;
		if (p[i] != '}')
			return 0;
		i++;
	} else {
		return 0;
	}
	if (p[i] == '?' || p[i] == '+')
		i++;
	return i;
}

/* True when an inline option group anywhere sets option letter opt. */
static int has_inline_option(const char *re, char opt)
{
	const char *p = re;
	size_t i;

	while ((p = strstr(p, "(?")) != NULL) {
		for (i = 2; p[i] && (p[i] == '-' || (p[i] >= 'a' && p[i] <= 'z') ||
				     (p[i] >= 'A' && p[i] <= 'Z')); i++)
			if (p[i] == opt)
				return 1;
		p += 2;
	}
	return 0;
}

/* A set of literals one of which every match contains (n == 0: none
 * known). */
struct lits {
	char **v;
	size_t n;
};

#define PF_MAX_SET 64            /* most literals in one gate */

static void lits_free(struct lits *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void lits_add(struct lits *l, const char *s, size_t n)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrndup(s, n);
}

static size_t lits_min(const struct lits *l)
{
	size_t m = SIZE_MAX;
	for (size_t i = 0; i < l->n; i++)
		if (strlen(l->v[i]) < m)
			m = strlen(l->v[i]);
	return m;
}

/* Keep cand in best when it is the better gate: longer shortest literal,
 * then fewer literals.  cand is emptied either way. */
static void lits_offer(struct lits *best, struct lits *cand)
{
	if (cand->n && (!best->n || lits_min(cand) > lits_min(best) ||
			(lits_min(cand) == lits_min(best) && cand->n < best->n))) {
		lits_free(best);
		*best = *cand;
		cand->v = NULL;
		cand->n = 0;
	}
	lits_free(cand);
}

/* Bytes of an escape at p[0] == '\\' that is not a literal character, or
 * 0 when p[1] is punctuation (a literal). */
static size_t escape_len(const char *p)
{
	size_t i = 2;
	unsigned char d = (unsigned char)p[1];

	if (!((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || (d >= '0' && d <= '9')))
		return 0;
	if (strchr("xopPNgk", d) && (p[2] == '{' || ((d == 'g' || d == 'k') && (p[2] == '<' || p[2] == '\'')))) {
		char close = p[2] == '{' ? '}' : p[2] == '<' ? '>' : '\'';
		while (p[i] && p[i] != close)
			i++;
		return p[i] ? i + 1 : i;
	}
	if (d == 'x') {
		while (i < 4 && isxdigit((unsigned char)p[i]))
			i++;
	} else if (d == '0') {
		while (i < 4 && p[i] >= '0' && p[i] <= '7')
			i++;
	} else if (d >= '1' && d <= '9') {
		while (p[i] >= '0' && p[i] <= '9')
			i++;
	} else if (d == 'c' && p[2]) {
		i++;
	}
	return i;
}

/* Length of the opener of a group at p[0] == '(' whose content must match
 * where the group does ("(", "(?:", "(?>", "(?|", "(?<name>", "(?P<name>",
 * "(?'name'", "(?i:"); 0 for any other group (lookaround, condition,
 * recursion, comment, option setting). */
static size_t group_open(const char *p)
{
	size_t i = 2;

	if (p[1] != '?')
		return 1;
	if (p[2] == ':' || p[2] == '>' || p[2] == '|')
		return 3;
	if ((p[2] == '<' && p[3] != '=' && p[3] != '!') || p[2] == '\'' ||
	    (p[2] == 'P' && p[3] == '<')) {
		char close = p[2] == '\'' ? '\'' : '>';
		i = p[2] == 'P' ? 4 : 3;
		while (p[i] && p[i] != close && (isalnum((unsigned char)p[i]) || p[i] == '_'))
			i++;
		return p[i] == close ? i + 1 : 0;
	}
	while (p[i] && (isalpha((unsigned char)p[i]) || p[i] == '-'))
		i++;
	return i > 2 && p[i] == ':' ? i + 1 : 0;
}

static int parse_alts(const char **pp, int caseless, int depth, struct lits *out);

/* One alternative, up to '|', ')' or the end: into best, the most
 * selective literal set it requires.  -1 when not understood. */
static int parse_seq(const char **pp, int caseless, int depth, struct lits *best)
{
	const char *p = *pp;
	char run[PF_MAX_LIT + 1];
	size_t rl = 0, k, q;
	int last = 0; /* 1: the last atom was a literal character; 2: a group */
	struct lits group = {NULL, 0}, cand;

#define END_RUN()                                                   \
	do {                                                        \
		if (rl >= PF_MIN_LIT) {                             \
			cand.v = NULL;                              \
			cand.n = 0;                                 \
			lits_add(&cand, run, rl);                   \
			lits_offer(best, &cand);                    \
		}                                                   \
		rl = 0;                                             \
	} while (0)
	for (;;) {
		unsigned char c = (unsigned char)*p;
		if ((q = quantifier(p)) > 0) {
			/* the atom before is optional or repeated */
			if (last == 1 && rl > 0)
				rl--;
			if (last == 2)
				lits_free(&group);
			END_RUN();
			last = 0;
			p += q;
			continue;
		}
		lits_offer(best, &group); /* a group not quantified is required */
		if (c == '\0' || c == '|' || c == ')') {
			END_RUN();
			if ((c == ')' && depth == 0) || (c == '\0' && depth > 0))
				goto fail;
			break;
		}
		last = 0;
		if (c == '(') {
			END_RUN();
			if ((k = group_open(p)) == 0) {
				if ((k = skip_group(p)) == 0)
					goto fail;
				p += k;
				last = 2; /* a quantifier after it is skipped */
				continue;
			}
			p += k;
			if (parse_alts(&p, caseless, depth + 1, &group) < 0 || *p != ')')
				goto fail;
			p++;
			last = 2;
			continue;
		}
		if (c == '[') {
			END_RUN();
			k = 1;
			if (p[k] == '^')
				k++;
			if (p[k] == ']')
				k++;
			while (p[k] && p[k] != ']')
				k += p[k] == '\\' && p[k + 1] ? 2 : 1;
			if (!p[k])
				goto fail;
			p += k + 1;
			continue;
		}
		if (c == '\\') {
			if (!p[1])
				goto fail;
			if ((k = escape_len(p)) > 0) {
				/* a class, an assertion, a code or a reference */
				END_RUN();
				p += k;
				continue;
			}
			c = (unsigned char)p[1];
			p++;
		} else if (c == '.' || c == '^' || c == '$' || c >= 0x80 || c < 0x20) {
			END_RUN();
			p++;
			continue;
		}
		if (caseless && (lower(c) == 's' || lower(c) == 'k')) {
			END_RUN();
			p++;
			continue;
		}
		/* A literal character. */
		if (rl == PF_MAX_LIT)
			END_RUN();
		run[rl++] = (char)lower(c);
		last = 1;
		p++;
	}
#undef END_RUN
	*pp = p;
	return 0;
fail:
	lits_free(&group);
	return -1;
}

/* Alternatives up to the ')' that closes the group (depth > 0) or the end:
 * the union of each one's set, or none when one has none. */
static int parse_alts(const char **pp, int caseless, int depth, struct lits *out)
{
	const char *p = *pp;
	int all = 1;

	out->v = NULL;
	out->n = 0;
	for (;;) {
		struct lits s = {NULL, 0};
		if (parse_seq(&p, caseless, depth, &s) < 0) {
			lits_free(&s);
			lits_free(out);
			return -1;
		}
		if (!s.n || out->n + s.n > PF_MAX_SET)
			all = 0;
		for (size_t i = 0; all && i < s.n; i++)
			lits_add(out, s.v[i], strlen(s.v[i]));
		lits_free(&s);
		if (*p != '|')
			break;
		p++;
	}
	if (!all)
		lits_free(out);
	*pp = p;
	return 0;
}

/* Literals, lowercased, one of which every match of re contains, into out
 * (NULL-terminated, caller frees); returns the count, or 0 when re gets no
 * gate.  Groups are read into: "(?<code>a|b)" requires a or b. */
static size_t gate_literals(const char *re, int caseless, char ***out)
{
	const char *p = re;
	struct lits l;
	size_t k;

	*out = NULL;
	if (strstr(re, "\\Q") || strstr(re, "(*") || has_inline_option(re, 'x'))
		return 0;
	caseless = caseless || has_inline_option(re, 'i');
	/* Leading option settings such as (?i) or (?is). */
	while (p[0] == '(' && p[1] == '?' && (k = strspn(p + 2, "imnsJU-")) > 0 && p[2 + k] == ')')
		p += 3 + k;
	if (parse_alts(&p, caseless, 0, &l) < 0 || *p != '\0' || !l.n) {
		lits_free(&l);
		return 0;
	}
	l.v = xrealloc(l.v, (l.n + 1) * sizeof(*l.v));
	l.v[l.n] = NULL;
	*out = l.v;
	return l.n;
}

/* Id of literal s in pf, adding it when new. */
static uint32_t pf_intern(struct prefilter *pf, const char *s)
{
	size_t i, len = strlen(s);
	unsigned key;

	for (i = 0; i < pf->n; i++)
		if (strcmp(pf->lits[i], s) == 0)
			return (uint32_t)i;
	if (pf->n + 1 > pf->alloc) {
		pf->alloc = pf->alloc ? pf->alloc * 2 : 64;
		pf->lits = xrealloc(pf->lits, pf->alloc * sizeof(*pf->lits));
		pf->lens = xrealloc(pf->lens, pf->alloc * sizeof(*pf->lens));
		pf->next = xrealloc(pf->next, pf->alloc * sizeof(*pf->next));
	}
	key = pf_slot(window4(s)); /* every literal has PF_MIN_LIT >= 4 bytes */
	pf->lits[pf->n] = xstrdup(s);
	pf->lens[pf->n] = len;
	pf->next[pf->n] = pf->head[key];
	pf->head[key] = (uint32_t)pf->n;
	pf->bits[key >> 3] |= (unsigned char)(1u << (key & 7));
	return (uint32_t)pf->n++;
}

/* Free the prefilter; NULL is fine. */
void prefilter_free(struct prefilter *pf)
{
	size_t i;

	if (!pf)
		return;
	for (i = 0; i < pf->n; i++)
		free(pf->lits[i]);
	free(pf->lits);
	free(pf->lens);
	free(pf->next);
	free(pf->head);
	free(pf);
}

/* Give every gateable response.body regex of rs its gate and build the
 * literal table (again, when rules were added since). */
void prefilter_build(struct rule_set *rs)
{
	struct prefilter *pf;
	size_t i, j, k, n;
	char **lits;

	/* Rules share compiled regexes (rule-regex.c): a regex's gate is
	 * worked out once, found again by its code. */
	struct seen_re { const pcre2_code *re; const struct matcher *m; } *seen;
	size_t nseen = 16, total = 0;

	prefilter_free(rs->pf);
	pf = xcalloc(1, sizeof(*pf));
	pf->head = xmalloc(PF_SLOTS * sizeof(*pf->head));
	for (i = 0; i < PF_SLOTS; i++)
		pf->head[i] = PF_NONE;
	for (i = 0; i < rs->n; i++)
		total += rs->v[i]->nm + rs->v[i]->nx;
	while (nseen < 2 * total)
		nseen *= 2;
	seen = xcalloc(nseen, sizeof(*seen));
	for (i = 0; i < rs->n; i++) {
		struct rule *r = rs->v[i];
		for (j = 0; j < r->nm + r->nx; j++) {
			struct matcher *m = j < r->nm ? &r->m[j] : &r->x[j - r->nm];
			size_t at;
			free(m->gate);
			m->gate = NULL;
			m->ngate = 0;
			if (m->field != F_RESP_BODY || m->op != OP_REGEX || !m->str)
				continue;
			if (m->re) {
				at = ((uintptr_t)m->re >> 4) & (nseen - 1);
				while (seen[at].re && seen[at].re != m->re)
					at = (at + 1) & (nseen - 1);
				if (seen[at].re) {
					const struct matcher *o = seen[at].m;
					if (o->ngate) {
						m->gate = xmalloc(o->ngate * sizeof(*m->gate));
						memcpy(m->gate, o->gate, o->ngate * sizeof(*m->gate));
						m->ngate = o->ngate;
					}
					continue;
				}
				seen[at].re = m->re;
				seen[at].m = m;
			}
			/* Every regex with a required literal: the body is
			 * scanned once for all of them, and PCRE2 walks a
			 * body for a regex whose first byte is common ('"',
			 * 'e') or that starts with a group (measured: the
			 * regexes took 12% of an analyze run when only
			 * top-level alternations were gated). */
			n = gate_literals(m->str, m->icase, &lits);
			if (n == 0) {
				for (k = 0; k < n; k++)
					free(lits[k]);
				free(lits);
				continue;
			}
			m->gate = xcalloc(n, sizeof(*m->gate));
			for (k = 0; k < n; k++) {
				m->gate[k] = pf_intern(pf, lits[k]);
				free(lits[k]);
			}
			m->ngate = n;
			free(lits);
		}
	}
	free(seen);
	rs->pf = pf;
	rs->pf_rules = rs->n;
}

/* Number of literals in the table. */
size_t prefilter_count(const struct prefilter *pf)
{
	return pf ? pf->n : 0;
}

/* Mark in seen[] every literal of pf that occurs in [p, p+n).  A rolling
 * window of the last four bytes, lowercased, is hashed at each position;
 * the bitmap rejects almost every one, and a hit is checked against the
 * literals of its slot. */
static void pf_scan(const struct prefilter *pf, const char *p, size_t n, unsigned char *seen)
{
	static unsigned char lc[256];
	const unsigned char *s = (const unsigned char *)p, *bits = pf->bits;
	size_t i, l, left = pf->n;
	uint32_t w = 0, j;

	if (!lc['A'])
		for (i = 0; i < 256; i++)
			lc[i] = lower((unsigned char)i);
	if (n < PF_MIN_LIT)
		return;
	for (i = 0; i < PF_MIN_LIT - 1; i++)
		w = w >> 8 | (uint32_t)lc[s[i]] << 24;
	for (i = PF_MIN_LIT - 1; i < n; i++) {
		unsigned key;
		size_t at;
		/* the tight part: windows whose slot holds no literal */
		for (;;) {
			w = w >> 8 | (uint32_t)lc[s[i]] << 24;
			key = pf_slot(w);
			if (bits[key >> 3] & (1u << (key & 7)))
				break;
			if (++i == n)
				return;
		}
		at = i - (PF_MIN_LIT - 1);
		for (j = pf->head[key]; j != PF_NONE; j = pf->next[j]) {
			if (seen[j] || pf->lens[j] > n - at || window4(pf->lits[j]) != w)
				continue;
			for (l = PF_MIN_LIT; l < pf->lens[j] && lc[s[at + l]] == (unsigned char)pf->lits[j][l]; l++)
				;
			if (l == pf->lens[j]) {
				seen[j] = 1;
				if (--left == 0)
					return;
			}
		}
	}
}

/* False when m's regex cannot match the response body of x: none of its
 * gate's literals occurs there.  The body is scanned once per exchange. */
int prefilter_pass(const struct rule_set *rs, struct xctx *x, const struct matcher *m)
{
	const struct body *b = &x->ex->resp_body;
	size_t i;

	if (!m->ngate || !rs->pf)
		return 1;
	if (!x->pf_seen) {
		x->pf_seen = xcalloc(rs->pf->n + 1, 1);
		if (b->data)
			pf_scan(rs->pf, b->data, b->len, x->pf_seen);
	}
	for (i = 0; i < m->ngate; i++)
		if (x->pf_seen[m->gate[i]])
			return 1;
	return 0;
}
