/* rule-prefilter.c - one scan of each response body for the literals that
 * gate body regexes.
 *
 * Most body regexes find nothing in almost every body, and PCRE2 still
 * walks the whole body for each of them (a top-level "(?i)a|b|c"
 * alternation is the worst case).  At load time every response.body
 * regex of two or more top-level alternatives that each contain a literal
 * run of at least PF_MIN_LIT characters gets a gate: the longest run of
 * each alternative.  The regex cannot match a body that holds none of its
 * gate's literals, compared ASCII case-insensitively.  Per exchange the
 * body is scanned once for all literals of the set (a bitmap of the
 * first two bytes rejects most positions), the result is kept in the
 * exchange's xctx, and a gated regex runs only when one of its literals
 * was seen.
 *
 * Extraction is conservative: literals are taken only outside groups and
 * classes, a quantified character is dropped, escapes other than escaped
 * punctuation end a run, and in caseless patterns 's' and 'k' end a run
 * (PCRE2 also matches U+017F and U+212A for them).  A pattern it does not
 * understand (\Q, extended mode, an alternative without a literal) gets
 * no gate and always runs.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "rule-int.h"

#define PF_MIN_LIT 4             /* shortest literal worth a gate */
#define PF_MAX_LIT 64            /* longest literal kept */
#define PF_NONE UINT32_MAX

struct prefilter {
	char **lits;                 /* lowercase ASCII literals */
	size_t *lens;
	size_t n, alloc;
	unsigned char pair[65536 / 8];   /* first two bytes, lowercased */
	uint32_t *head;              /* 65536 chains by first two bytes */
	uint32_t *next;
};

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
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

/* True when an inline option group anywhere turns on caseless matching. */
static int has_inline_caseless(const char *re)
{
	const char *p = re;
	size_t i;

	while ((p = strstr(p, "(?")) != NULL) {
		for (i = 2; p[i] && (p[i] == '-' || (p[i] >= 'a' && p[i] <= 'z') ||
				     (p[i] >= 'A' && p[i] <= 'Z')); i++)
			if (p[i] == 'i')
				return 1;
		p += 2;
	}
	return 0;
}

/* The longest literal run of each top-level alternative of re, lowercased,
 * into out (NULL-terminated, caller frees); returns the count, or 0 when
 * re gets no gate. */
static size_t gate_literals(const char *re, int caseless, char ***out)
{
	char run[PF_MAX_LIT + 1], best[PF_MAX_LIT + 1];
	size_t rl = 0, bl = 0, n = 0, k, q;
	const char *p = re;
	int last_lit = 0;
	char **v = NULL;

	*out = NULL;
	if (strstr(re, "\\Q") || strstr(re, "(?x") || strstr(re, "(*"))
		return 0;
	caseless = caseless || has_inline_caseless(re);
	/* Leading option settings such as (?i) or (?is). */
	while (p[0] == '(' && p[1] == '?' && (k = strspn(p + 2, "imnsJU-")) > 0 && p[2 + k] == ')')
		p += 3 + k;
#define END_RUN()                                           \
	do {                                                \
		if (rl > bl) {                              \
			memcpy(best, run, rl);              \
			bl = rl;                            \
		}                                           \
		rl = 0;                                     \
		last_lit = 0;                               \
	} while (0)
	for (;;) {
		unsigned char c = (unsigned char)*p;
		if (c == '\0' || c == '|') {
			END_RUN();
			if (bl < PF_MIN_LIT)
				goto fail;
			v = xrealloc(v, (n + 2) * sizeof(*v));
			v[n] = xstrndup(best, bl);
			v[++n] = NULL;
			bl = 0;
			if (c == '\0')
				break;
			p++;
			continue;
		}
		if ((q = quantifier(p)) > 0) {
			/* The atom before is optional or repeated: a literal
			 * character loses its place in the run. */
			if (last_lit && rl > 0)
				rl--;
			END_RUN();
			p += q;
			continue;
		}
		if (c == '(') {
			END_RUN();
			if ((k = skip_group(p)) == 0)
				goto fail;
			p += k;
			continue;
		}
		if (c == ')')
			goto fail;
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
			unsigned char d = (unsigned char)p[1];
			if (!d)
				goto fail;
			if ((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || (d >= '0' && d <= '9')) {
				/* A class, an assertion or a code: ends the run. */
				END_RUN();
				p += 2;
				if ((d == 'x' || d == 'p' || d == 'P' || d == 'N' || d == 'g' || d == 'k') &&
				    *p == '{') {
					while (*p && *p != '}')
						p++;
					if (*p)
						p++;
				}
				continue;
			}
			c = d;
			p++;
		} else if (c == '.' || c == '^' || c == '$' || c >= 0x80 || c < 0x20) {
			END_RUN();
			p++;
			continue;
		} else if (caseless && (lower(c) == 's' || lower(c) == 'k')) {
			END_RUN();
			p++;
			continue;
		}
		/* A literal character. */
		if (rl == PF_MAX_LIT)
			END_RUN();
		run[rl++] = (char)lower(c);
		last_lit = 1;
		p++;
	}
#undef END_RUN
	*out = v;
	return n;
fail:
	for (k = 0; k < n; k++)
		free(v[k]);
	free(v);
	return 0;
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
	key = (unsigned)(unsigned char)s[0] | (unsigned)(unsigned char)s[1] << 8;
	pf->lits[pf->n] = xstrdup(s);
	pf->lens[pf->n] = len;
	pf->next[pf->n] = pf->head[key];
	pf->head[key] = (uint32_t)pf->n;
	pf->pair[key >> 3] |= (unsigned char)(1u << (key & 7));
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

	prefilter_free(rs->pf);
	pf = xcalloc(1, sizeof(*pf));
	pf->head = xmalloc(65536 * sizeof(*pf->head));
	for (i = 0; i < 65536; i++)
		pf->head[i] = PF_NONE;
	for (i = 0; i < rs->n; i++) {
		struct rule *r = rs->v[i];
		for (j = 0; j < r->nm + r->nx; j++) {
			struct matcher *m = j < r->nm ? &r->m[j] : &r->x[j - r->nm];
			free(m->gate);
			m->gate = NULL;
			m->ngate = 0;
			if (m->field != F_RESP_BODY || m->op != OP_REGEX || !m->str)
				continue;
			/* Only alternations: a single literal gate saves
			 * less than the scan costs (PCRE2's JIT already
			 * rejects such a regex fast; measured). */
			n = gate_literals(m->str, m->icase, &lits);
			if (n < 2) {
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
	rs->pf = pf;
	rs->pf_rules = rs->n;
}

/* Number of literals in the table. */
size_t prefilter_count(const struct prefilter *pf)
{
	return pf ? pf->n : 0;
}

/* Mark in seen[] every literal of pf that occurs in [p, p+n). */
static void pf_scan(const struct prefilter *pf, const char *p, size_t n, unsigned char *seen)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i, l, left = pf->n;
	uint32_t j;

	unsigned cur, next;

	if (n < 2)
		return;
	cur = lower(s[0]);
	for (i = 0; i + 1 < n && left > 0; i++, cur = next) {
		unsigned key;
		next = lower(s[i + 1]);
		key = cur | next << 8;
		if (!(pf->pair[key >> 3] & (1u << (key & 7))))
			continue;
		for (j = pf->head[key]; j != PF_NONE; j = pf->next[j]) {
			if (seen[j] || pf->lens[j] > n - i)
				continue;
			for (l = 2; l < pf->lens[j] && lower(s[i + l]) == (unsigned char)pf->lits[j][l]; l++)
				;
			if (l == pf->lens[j]) {
				seen[j] = 1;
				left--;
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
