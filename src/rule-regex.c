/* rule-regex.c - compiled regexes shared by identical patterns.
 *
 * A library often holds the same pattern many times (the same phrase in
 * several rules, a house copy of an installed rule), and compiling a
 * pattern with PCRE2's JIT costs far more than matching it once.  Every
 * matcher asks here for its code: the first request compiles (and
 * JIT-compiles) it, later ones with the same pattern and options get the
 * same code, counted; the last release frees it.  Compiled code is
 * read-only while matching (the match data and context are per set), so
 * sharing it is safe.  The program is single-threaded; workers are
 * processes.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "rule-int.h"

struct re_entry {
	struct re_entry *next;
	char *pat;
	size_t len;
	uint32_t opts;
	pcre2_code *re;
	int jit;
	long refs;
};

#define RE_BUCKETS 4096
static struct re_entry *re_tab[RE_BUCKETS];

static size_t re_hash(const char *p, size_t n, uint32_t opts)
{
	return (size_t)((fnv1a(p, n) ^ opts) % RE_BUCKETS);
}

pcre2_code *re_acquire(const char *pat, uint32_t opts, int *jit, int *errcode, size_t *erroff)
{
	size_t n = strlen(pat), b = re_hash(pat, n, opts);
	struct re_entry *e;
	PCRE2_SIZE off = 0;

	for (e = re_tab[b]; e; e = e->next)
		if (e->opts == opts && e->len == n && memcmp(e->pat, pat, n) == 0) {
			e->refs++;
			*jit = e->jit;
			return e->re;
		}
	e = xcalloc(1, sizeof(*e));
	e->re = pcre2_compile((PCRE2_SPTR)pat, n, opts, errcode, &off, NULL);
	if (!e->re) {
		*erroff = off;
		free(e);
		return NULL;
	}
	/* A failed JIT compile leaves the interpreter, which also honours
	 * every limit; nothing to report. */
	e->jit = pcre2_jit_compile(e->re, PCRE2_JIT_COMPLETE) == 0;
	e->pat = xmalloc(n + 1);
	memcpy(e->pat, pat, n + 1);
	e->len = n;
	e->opts = opts;
	e->refs = 1;
	e->next = re_tab[b];
	re_tab[b] = e;
	*jit = e->jit;
	return e->re;
}

void re_release(const char *pat, uint32_t opts, pcre2_code *re)
{
	if (!re)
		return;
	if (pat)
		for (struct re_entry **pp = &re_tab[re_hash(pat, strlen(pat), opts)]; *pp;
		     pp = &(*pp)->next)
			if ((*pp)->re == re) {
				struct re_entry *e = *pp;
				if (--e->refs > 0)
					return;
				*pp = e->next;
				pcre2_code_free(e->re);
				free(e->pat);
				free(e);
				return;
			}
	pcre2_code_free(re); /* not from re_acquire */
}
