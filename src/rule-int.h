/* rule-int.h - private structures of the rule module and cmd-rules.c.
 * Nothing else should include this.
 *
 * The module, leaves first (no file calls one above it):
 *   rule-fields.c  the field table: name, type, cost and getter of every
 *                  field a matcher can read, and the per-exchange cache
 *                  of computed values (struct xctx)
 *   rule-yaml.c    the strict YAML tree of one rule file (rule-yaml.h)
 *   rule-cond.c    the condition language: parse, plan, free
 *   rule-regex.c  compiled regexes shared by identical patterns
 *   rule-set.c     rule and rule-set lifecycle, PCRE2 match state, accessors
 *   rule-advice.c  advice rendering ({{name}} from the evidence)
 *   rule-load.c    rule files and folders into a rule set
 *   rule-memo.c    one result slot per distinct matcher and exchange
 *   rule-engine.c  matching, evidence and the explain trace
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
	F_RESP_TEXT, F_VENDOR, F_HOST_KNOWN,
	F_LOG_PRODUCER, F_LOG_FLAGS, F_LOG_CODE, F_LOG_MESSAGE, /* server log records (log-fields.c) */
	F_UPSTREAM_STATUS, F_UPSTREAM_ADDR,
	F_REQ_HEADER_BYTES, F_REQ_COOKIE_BYTES,
	F_COUNT
};
/* struct rule's 'fields' and the fragment check keep one bit per field. */
_Static_assert(F_COUNT <= 64, "more than 64 rule fields");

/* What a field's values are. */
enum field_type {
	FT_TEXT,          /* any string */
	FT_NUMBER,        /* a decimal integer: 'range' applies */
	FT_FLAG,          /* "true" or "false" */
	FT_WORD,          /* one word of a fixed set (content_kind) */
};

#define VENDOR_MAX 8             /* vendors kept per exchange */

/* One vendor an exchange names, and where from ("host", "x-vercel-id",
 * "page text: Ray ID"); static strings or the exchange's header names. */
struct vendor_hit {
	const char *vendor;
	const char *source;
};

/* rule-vendor.c: the vendors of ex (text: the visible text of its body,
 * or NULL); returns how many were stored in out (at most max). */
size_t vendor_identify(const struct exchange *ex, const char *text, size_t textlen,
		       struct vendor_hit *out, size_t max);

/* Lazily computed views of one exchange, shared by all rules matched
 * over it: every derived value is computed at most once per exchange.
 * Set up with xctx_init, freed with xctx_release (rule-fields.c). */
struct xctx {
	const struct exchange *ex;
	const char *source;
	struct sbuf reqh, resph;
	int have_reqh, have_resph;
	char status[24], port[24];
	int have_status, have_port;
	const char *cross_origin, *expects_json, *content_kind;
	int have_derived;
	struct sbuf text;        /* response.text */
	int have_text, text_absent;
	struct vendor_hit vendors[VENDOR_MAX];
	size_t nvendors;
	int have_vendors;
	char header_bytes[24], cookie_bytes[24]; /* request sizes (xmeasure.h) */
	int have_sizes;
	unsigned char *pf_seen;  /* prefilter literals seen in the body, or NULL */
	void *logv;              /* the parsed log record (log-fields.c), or NULL */
	int have_logv;
};

/* Getter of a field: the value at *cursor (0 for the first), which it
 * advances.  Returns 1 with [*p, *p + *n) set, or 0 when there is no
 * further value (an absent field has none).  hname is the lowercased
 * header name of the header families, else NULL. */
typedef int (*field_get_fn)(struct xctx *x, const char *hname, size_t *cursor,
			    const char **p, size_t *n);

/* Evidence policy of a field. */
enum { Q_NO = 0,                 /* never: the report shows it anyway (host, status) */
       Q_YES = 1,                /* the matched text */
       Q_NO_HOST = 2 };          /* only when the exchange has no host (vendor) */

/* One entry of the field table: everything the loader, the engine and
 * "rules explain" know about a field. */
struct field_def {
	const char *name;        /* as rules write it; a header family ends in '.' */
	enum field_type type;
	int many;                /* several values, each matched alone, any counts */
	unsigned cost;           /* relative cost of one matcher on it (plans 'and'/'or') */
	int quote;               /* Q_*: is the matched text evidence? */
	field_get_fn get;
	const char *about;       /* one line: what the value is */
	/* Where the value before *cursor came from, or NULL (no getter):
	 * evidence then reads "value (from source)". */
	const char *(*source)(struct xctx *x, size_t cursor);
};

/* The entry of f (f < F_COUNT). */
const struct field_def *field_def(enum field_kind f);
/* Field of a matcher from its text ("request.header.x-id" sets *hname to
 * "x-id", lowercased, owned by the caller); returns 0 or -1 when unknown. */
int field_lookup(const char *text, enum field_kind *f, char **hname);
/* Field name as written in rules ("request.header." for the header kinds). */
const char *field_kind_name(enum field_kind f);
/* Name of a field type ("text", "number", "flag", "word"). */
const char *field_type_name(enum field_type t);
void xctx_init(struct xctx *x, const struct exchange *ex, const char *source);
void xctx_release(struct xctx *x);

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
	uint32_t *gate;          /* prefilter literal ids: one must occur (rule-prefilter.c) */
	size_t ngate;
	uint32_t memo;           /* slot shared by identical matchers (rule-memo.c) */
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
	uint64_t fields;         /* bit per enum field_kind the rule reads (F_COUNT <= 64) */
};

/* What a memo slot's matcher quoted on the exchange being matched, kept
 * for the other rules that fire with it (rule-engine.c). */
struct slot_evidence {
	struct json_t *obj;      /* NULL: not collected yet */
	const char *name;        /* the matcher name it was collected under */
	enum tri res;
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
	struct prefilter *pf;    /* body literals gating regexes (rule-prefilter.c) */
	size_t pf_rules;         /* rules when pf was built */
	unsigned char *memo;     /* per exchange: 0, or a matcher slot's result + 1 */
	size_t nmemo;            /* slots (distinct matchers) */
	size_t memo_rules;       /* rules when the slots were assigned */
	uint32_t *prog;          /* every rule's condition in postfix over memo slots */
	size_t nprog, aprog;
	size_t *prog_at;         /* rule i's program is prog[prog_at[i], prog_at[i + 1]) */
	size_t *prog_same;       /* the first rule with rule i's (non-empty) program, or i */
	unsigned char *prog_false; /* per exchange: that program is known false */
	struct slot_evidence *ev; /* per exchange: what each slot's matcher quoted */
	uint32_t *evset;         /* the slots with evidence, to clear */
	size_t nevset;
	size_t *idtab;           /* open addressing by id: rule index + 1, 0 empty */
	size_t idcap;            /* slots, a power of two above twice n */
	int skip_tests;          /* rules keep no tests (rule_set_skip_tests) */
};

/* rule-regex.c */
/* Options every rule regex is compiled with (icase adds CASELESS). */
#define RULE_RE_OPTS(icase) (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | ((icase) ? PCRE2_CASELESS : 0))
/* The compiled (and, when possible, JIT-compiled) code of pat, shared
 * with every other holder of the same pattern and options; NULL with
 * PCRE2's error code and offset when it does not compile. */
pcre2_code *re_acquire(const char *pat, uint32_t opts, int *jit, int *errcode, size_t *erroff);
/* Give back what re_acquire(pat, opts) returned (NULL is fine). */
void re_release(const char *pat, uint32_t opts, pcre2_code *re);

/* rule-memo.c */
/* Give every matcher of rs its memo slot (identical matchers share one)
 * and size rs->memo; called again when rules were added. */
void memo_build(struct rule_set *rs);
/* Forget the evidence kept for the last exchange. */
void memo_evidence_clear(struct rule_set *rs);
/* True when the slots known so far already make rule i's condition false
 * (a slot not yet evaluated counts as unknown). */
int memo_known_false(const struct rule_set *rs, size_t i);
/* Postfix operations of the condition programs (top byte; REF's low bits
 * are the slot).  A program longer than MEMO_PROG_MAX is not kept. */
#define MP_REF 0x01000000u
#define MP_NOT 0x02000000u
#define MP_AND 0x03000000u
#define MP_OR 0x04000000u
#define MP_OPMASK 0xff000000u
#define MEMO_PROG_MAX 64

/* rule-prefilter.c */
struct prefilter;
/* Give the response.body regexes of rs their literal gates and build the
 * table; called again when rules were added. */
void prefilter_build(struct rule_set *rs);
void prefilter_free(struct prefilter *pf);
size_t prefilter_count(const struct prefilter *pf);
/* False when m's regex cannot match x's response body (no gate literal
 * occurs there); the body is scanned once per exchange. */
int prefilter_pass(const struct rule_set *rs, struct xctx *x, const struct matcher *m);

/* rule-cond.c */
struct loadctx;
struct ynode;
/* Build r->cond from the condition scalar v (NULL: the AND of all
 * matchers), order it by cost and check that every matcher is used;
 * returns 0 or -1 with diagnostics. */
int parse_condition(struct loadctx *lc, struct rule *r, const struct ynode *v);
void cond_free(struct cond *c);

/* rule-set.c */
void rule_free(struct rule *r);
/* Make sure the shared match data holds pairs ovector pairs. */
void rule_set_reserve_ovector(struct rule_set *rs, uint32_t pairs);
/* Append r (the set takes it over) and size the match data for it. */
void rule_set_add(struct rule_set *rs, struct rule *r);
/* The rule with this id, or NULL. */
const struct rule *rule_set_find(const struct rule_set *rs, const char *id);
/* Add r (the set takes it over), replacing the rule of the same id if
 * there is one, with a note in notes (may be NULL): a later rules
 * directory wins.  pairs is the ovector size r was loaded with. */
void rule_set_put(struct rule_set *rs, struct rule *r, uint32_t pairs, struct strlist *notes);

/* rule-advice.c */
struct json_t;
/* Advice template with {{name}} filled from the evidence object ev (may
 * be NULL); a new string, never NULL. */
char *advice_render(const char *tmpl, struct json_t *ev);

/* rule-engine.c */
/* Run one rule over one exchange; fn is called when it fires or is
 * inconclusive.  Returns 0 or what fn returned. */
int rule_match_one(struct rule_set *rs, const struct rule *r,
		   const struct exchange *ex, rule_finding_fn fn, void *ctx);
/* Human-readable trace of one rule on one exchange: every matcher's
 * result, the condition and the evidence.  Returns the rule's result. */
enum tri rule_explain(struct rule_set *rs, const struct rule *r,
		      const struct exchange *ex, struct sbuf *out);

#endif
