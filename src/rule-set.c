/* rule-set.c - rules and rule sets: lifecycle, PCRE2 match state,
 * accessors.
 *
 * A rule set owns its rules, one PCRE2 match context (with the limits of
 * rule-int.h and a JIT stack) and one match data block sized for the
 * largest ovector of any rule; a rule owns its strings, compiled regexes
 * and condition.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rule-int.h"

static const char *const severity_names[SEV_COUNT] = {
	"info", "low", "medium", "high", "critical"
};

/* Name of a severity; "?" for an out-of-range value. */
const char *severity_name(enum severity s)
{
	if ((int)s < 0 || s >= SEV_COUNT)
		return "?";
	return severity_names[s];
}

/* Severity for a name, or -1. */
int severity_from_name(const char *name)
{
	int i;

	for (i = 0; name && i < SEV_COUNT; i++)
		if (strcmp(name, severity_names[i]) == 0)
			return i;
	return -1;
}

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
	prefilter_free(rs->pf);
	memo_evidence_clear(rs);
	free(rs->memo);
	free(rs->ev);
	free(rs->evset);
	free(rs->prog);
	free(rs->prog_at);
	free(rs->prog_same);
	free(rs->prog_false);
	free(rs->idtab);
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

/* Hash of a rule id. */
static size_t id_hash(const char *id)
{
	return (size_t)fnv1a(id, strlen(id));
}

/* Put rule i into the id table (which has room). */
static void id_insert(struct rule_set *rs, size_t i)
{
	size_t at = id_hash(rs->v[i]->id) & (rs->idcap - 1);
	while (rs->idtab[at])
		at = (at + 1) & (rs->idcap - 1);
	rs->idtab[at] = i + 1;
}

/* Append r to the set (which now owns it) and size the match data for
 * its largest capture count; never fails. */
void rule_set_add(struct rule_set *rs, struct rule *r)
{
	uint32_t caps, maxcap = 0;
	size_t i;

	for (i = 0; i < r->nm + r->nx; i++) {
		struct matcher *m = i < r->nm ? &r->m[i] : &r->x[i - r->nm];
		if (m->re && pcre2_pattern_info(m->re, PCRE2_INFO_CAPTURECOUNT, &caps) == 0 &&
		    caps > maxcap)
			maxcap = caps;
	}
	rule_set_reserve_ovector(rs, maxcap + 1);
	rs->v = xgrow(rs->v, &rs->alloc, rs->n + 1, sizeof(*rs->v));
	rs->v[rs->n++] = r;
	if (2 * rs->n >= rs->idcap) {
		/* grow the id table and insert every rule again */
		free(rs->idtab);
		rs->idcap = rs->idcap ? 2 * rs->idcap : 256;
		while (2 * rs->n >= rs->idcap)
			rs->idcap *= 2;
		rs->idtab = xcalloc(rs->idcap, sizeof(*rs->idtab));
		for (i = 0; i < rs->n; i++)
			id_insert(rs, i);
	} else {
		id_insert(rs, rs->n - 1);
	}
}

void rule_set_skip_tests(struct rule_set *rs)
{
	rs->skip_tests = 1;
}

/* Index of the rule with this id, or SIZE_MAX. */
static size_t id_find(const struct rule_set *rs, const char *id)
{
	if (!rs->idcap)
		return SIZE_MAX;
	for (size_t at = id_hash(id) & (rs->idcap - 1); rs->idtab[at]; at = (at + 1) & (rs->idcap - 1))
		if (strcmp(rs->v[rs->idtab[at] - 1]->id, id) == 0)
			return rs->idtab[at] - 1;
	return SIZE_MAX;
}

const struct rule *rule_set_find(const struct rule_set *rs, const char *id)
{
	size_t i = id_find(rs, id);
	return i == SIZE_MAX ? NULL : rs->v[i];
}

void rule_set_put(struct rule_set *rs, struct rule *r, uint32_t pairs, struct strlist *notes)
{
	size_t j = id_find(rs, r->id);

	if (j == SIZE_MAX) {
		rule_set_add(rs, r);
		return;
	}
	if (notes) {
		char *msg = xasprintf("rule '%s' of %s replaces the one of %s", r->id, r->path,
				      rs->v[j]->path);
		strlist_adds(notes, msg);
		free(msg);
	}
	/* Same id, so the id table stays right. */
	rule_free(rs->v[j]);
	rs->v[j] = r;
	rule_set_reserve_ovector(rs, pairs);
}

/* Free n matchers and what they own. */
static void matchers_free(struct matcher *m, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		free(m[i].name);
		free(m[i].field_text);
		free(m[i].hname);
		re_release(m[i].str, RULE_RE_OPTS(m[i].icase), m[i].re);
		free(m[i].str);
		for (j = 0; j < m[i].nin; j++)
			free(m[i].in[j]);
		free(m[i].in);
		for (j = 0; j < m[i].ngroups; j++)
			free(m[i].groups[j].name);
		free(m[i].groups);
		free(m[i].gate);
	}
	free(m);
}

/* Free a rule and everything it owns; NULL is fine. */
void rule_free(struct rule *r)
{
	size_t i;

	if (!r)
		return;
	free(r->id);
	free(r->title);
	free(r->vendor);
	free(r->status);
	free(r->advice);
	free(r->path);
	free(r->dir);
	for (i = 0; i < r->nreferences; i++)
		free(r->references[i]);
	free(r->references);
	for (i = 0; i < r->nrequest_ids; i++)
		free(r->request_ids[i]);
	free(r->request_ids);
	matchers_free(r->m, r->nm);
	matchers_free(r->x, r->nx);
	cond_free(r->cond);
	for (i = 0; i < r->ntests; i++) {
		free(r->tests[i].exchange);
		free(r->tests[i].file);
	}
	free(r->tests);
	free(r);
}

/* Accessors: the set and rule own every returned string. */
size_t rule_set_count(const struct rule_set *rs)
{
	return rs->n;
}

/* Rule i in load order, or NULL past the end. */
const struct rule *rule_set_get(const struct rule_set *rs, size_t i)
{
	return i < rs->n ? rs->v[i] : NULL;
}

const char *rule_id(const struct rule *r) { return r->id; }
const char *rule_title(const struct rule *r) { return r->title; }
enum severity rule_severity(const struct rule *r) { return r->severity; }
const char *rule_status(const struct rule *r) { return r->status; }
int rule_priority(const struct rule *r) { return r->priority; }
const char *rule_path(const struct rule *r) { return r->path; }
const char *rule_advice(const struct rule *r) { return r->advice; }
const char *rule_vendor(const struct rule *r) { return r->vendor; }

/* Extra request-id header names; never fails. */
const char *const *rule_request_ids(const struct rule *r, size_t *n)
{
	*n = r->nrequest_ids;
	return (const char *const *)r->request_ids;
}

/* Reference URLs; never fails. */
const char *const *rule_references(const struct rule *r, size_t *n)
{
	*n = r->nreferences;
	return (const char *const *)r->references;
}