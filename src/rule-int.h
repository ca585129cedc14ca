/* rule-int.h - private structures shared by rule-load.c, rule-engine.c
 * and cmd-rules.c.  Nothing outside those files should include this.
 */
#ifndef HARTRIAGE_RULE_INT_H
#define HARTRIAGE_RULE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <pcre2.h>
#include "rule.h"
#include "util.h"

/* Caps on what a rule file controls: RULE_*_CAP in caps.h. */
#include "caps.h"

/* PCRE2 limits for every match (see docs/rules.md "Backtracking").  JIT
 * code runs about 500 M limit steps a second, so a catastrophic regex
 * stops within about 0.25 s; the interpreter is far slower per step and
 * gets a lower limit. */
#define RULE_MATCH_LIMIT 100000000
#define RULE_MATCH_LIMIT_INTERP 5000000
#define RULE_DEPTH_LIMIT 1000000
#define RULE_HEAP_LIMIT_KIB 65536
#define RULE_JIT_STACK_MIN (32 * 1024)
#define RULE_JIT_STACK_MAX (1024 * 1024)

enum field_kind {
	F_METHOD, F_URL, F_SCHEME, F_HOST, F_PORT, F_PATH, F_QUERY,
	F_HTTP_VERSION, F_STATUS, F_STATUS_TEXT, F_ERROR,
	F_REQ_HEADER, F_RESP_HEADER, F_REQ_HEADERS, F_RESP_HEADERS,
	F_REQ_BODY, F_RESP_BODY, F_TRANSCRIPT, F_SOURCE,
	F_CROSS_ORIGIN, F_EXPECTS_JSON, F_CONTENT_KIND,
	F_COUNT
};

enum match_op { OP_REGEX, OP_CONTAINS, OP_EQUALS, OP_IN, OP_RANGE, OP_EXISTS };

/* Tri-state result of a matcher or condition. */
enum tri { T_FALSE = 0, T_TRUE = 1, T_UNKNOWN = 2 };

struct group_name {
	char *name;
	uint32_t num;
};

struct matcher {
	char *name;
	enum field_kind field;
	char *field_text;        /* as written, for explain */
	char *hname;             /* header name for F_*_HEADER */
	enum match_op op;
	int icase;
	char *str;               /* contains / equals / regex source */
	size_t slen;             /* strlen(str) */
	char **in;               /* OP_IN values */
	size_t nin;
	long lo, hi;             /* OP_RANGE */
	int exists;              /* OP_EXISTS */
	pcre2_code *re;
	int jit;                 /* re was JIT-compiled */
	struct group_name *groups;
	size_t ngroups;
	int negated;             /* used only under 'not': no evidence */
	int used;                /* referenced by the condition */
	int line, col;           /* 1-based position of the matcher's name */
};

enum cond_kind { C_REF, C_AND, C_OR, C_NOT };

struct cond {
	enum cond_kind kind;
	size_t idx;              /* C_REF: matcher index */
	struct cond *a, *b;      /* as written (explain shows this order) */
	int swap;                /* evaluate b before a: it is cheaper */
	unsigned cost;           /* estimated cost of evaluating the subtree */
};

struct rule_test {
	int expect_match;
	char *exchange;          /* curl -v style text, or NULL */
	char *file;              /* path as written, relative to the rule dir */
	int line, col;           /* position of the test entry */
	int ex_line;             /* first line of the exchange text (1-based) */
};

struct rule {
	char *id, *title, *vendor, *status, *advice, *path, *dir;
	enum severity severity;
	int priority;
	char **references;
	size_t nreferences;
	char **request_ids;
	size_t nrequest_ids;
	struct matcher *m;
	size_t nm;
	struct matcher *x;       /* extract entries */
	size_t nx;
	struct cond *cond;
	struct rule_test *tests;
	size_t ntests;
	int id_line, id_col;
	uint32_t fields;         /* bit per enum field_kind the rule reads */
};

struct rule_set {
	struct rule **v;
	size_t n, alloc;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jstack;
	pcre2_match_data *md;
	uint32_t ovec_pairs;     /* size of md */
	int limit_jit;           /* mctx's match limit is the JIT one */
	char *source;            /* value of the 'source' field */
};

/* rule-load.c */
void rule_free(struct rule *r);
const char *field_kind_name(enum field_kind f);

/* rule-engine.c */
/* Make sure the shared match data holds pairs ovector pairs. */
void rule_set_reserve_ovector(struct rule_set *rs, uint32_t pairs);
/* Run one rule over one exchange; fn is called when it fires or is
 * inconclusive.  Returns 0 or what fn returned. */
int rule_match_one(struct rule_set *rs, const struct rule *r,
		   const struct exchange *ex, rule_finding_fn fn, void *ctx);
/* Human-readable trace of one rule on one exchange: every matcher's
 * result, the condition and the evidence.  Returns the rule's result. */
enum tri rule_explain(struct rule_set *rs, const struct rule *r,
		      const struct exchange *ex, struct sbuf *out);

#endif
