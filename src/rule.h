/* rule.h - failure signatures: loading (rule-load.c), matching
 * (rule-engine.c) and advice (rule-advice.c); rule-int.h lists the module's
 * files.  DESIGN "Rules" is the contract; docs/rules.md the guide.
 *
 * A rule_set owns its rules, and each rule owns its compiled PCRE2 code.
 * Loading never prints: every problem becomes a diagnostic string
 * "file:line:col: message" in the caller's strlist.
 */
#ifndef HARTRIAGE_RULE_H
#define HARTRIAGE_RULE_H

#include <stddef.h>
#include "exchange.h"

enum severity { SEV_INFO = 0, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL, SEV_COUNT };
const char *severity_name(enum severity s);
/* Returns -1 when name is not a severity. */
int severity_from_name(const char *name);

struct rule;        /* opaque */
struct rule_set;    /* opaque */

struct rule_set *rule_set_new(void);
void rule_set_free(struct rule_set *rs);
/* Load every *.yaml below dir (recursively, sorted by path).  Bad rules
 * are skipped with diagnostics appended to diags; returns the number of
 * diagnostics (0 = all good), or -1 when dir cannot be read. */
int rule_set_load_dir(struct rule_set *rs, const char *dir, struct strlist *diags);
int rule_set_load_file(struct rule_set *rs, const char *path, struct strlist *diags);
/* Rules loaded into rs from now on keep no tests, for runs that only
 * match: their tests are counted (a stable rule needs both kinds), and
 * parsed only when their shape is unusual.  'rules lint' and 'rules test'
 * load them in full. */
void rule_set_skip_tests(struct rule_set *rs);
size_t rule_set_count(const struct rule_set *rs);
const struct rule *rule_set_get(const struct rule_set *rs, size_t i);

const char *rule_id(const struct rule *r);
const char *rule_title(const struct rule *r);
enum severity rule_severity(const struct rule *r);
const char *rule_status(const struct rule *r);   /* "stable", "experimental" */
int rule_priority(const struct rule *r);         /* default 50 */
const char *rule_path(const struct rule *r);
const char *rule_advice(const struct rule *r);   /* unrendered template */
const char *rule_vendor(const struct rule *r);
/* True when the rule's condition can hold on a fragment: an exchange
 * with no host and no status (a pasted body, page or log record). */
int rule_fires_on_fragments(const struct rule *r);
/* Extra request-id header names to quote, and reference URLs; *n gets
 * the count.  Owned by the rule. */
const char *const *rule_request_ids(const struct rule *r, size_t *n);
const char *const *rule_references(const struct rule *r, size_t *n);

struct rule_finding {
	const struct rule *rule;
	int inconclusive;       /* a match or heap limit was hit */
	char *evidence_json;    /* {"name": "value", ...}: named groups and matched text */
	char *advice;           /* rule_render_advice(rule, evidence_json) */
};

/* The rule's advice with every {{name}} filled from evidence_json (a
 * finding's evidence): the value as inline code, "(not in the capture)"
 * for a name the evidence lacks.  Returns a new string, never NULL. */
char *rule_render_advice(const struct rule *r, const char *evidence_json);

/* Called once per firing (or inconclusive) rule; return 0 to go on. */
typedef int (*rule_finding_fn)(void *ctx, const struct rule_finding *f);

/* Value of the 'source' field for the exchanges matched next (source
 * file path or format name); NULL makes the field absent.  Copied. */
void rule_set_set_source(struct rule_set *rs, const char *source);

/* Run every rule over one exchange.  Returns 0, or what fn returned. */
int rule_set_match(struct rule_set *rs, const struct exchange *ex,
		   rule_finding_fn fn, void *ctx);

#endif
