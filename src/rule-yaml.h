/* rule-yaml.h - the strict YAML tree of one rule file (rule-yaml.c).
 *
 * Private to the rule loader (rule-load.c, rule-cond.c).  A rule file is
 * read with libyaml's event parser into a small tree that keeps every
 * node's position and scalar style, so that anchors, aliases, tags,
 * duplicate keys and wrongly quoted regexes can be refused with an exact
 * "file:line:col:" diagnostic.  The tree and its strings belong to the
 * load (struct loadctx); ytree_free frees them.
 */
#ifndef HARTRIAGE_RULE_YAML_H
#define HARTRIAGE_RULE_YAML_H

#include <stddef.h>
#include <yaml.h>
#include "util.h"

enum ytype { Y_SCALAR, Y_SEQ, Y_MAP };
struct ychunk;

/* One YAML node; a map's kids alternate key, value. */
struct ynode {
	enum ytype type;
	char *s;
	size_t len;
	yaml_scalar_style_t style;
	int line, col;             /* 1-based */
	struct ynode **kids;
	size_t n, alloc;
};

/* One rule file being loaded: its text and the diagnostics raised. */
struct loadctx {
	const char *path;
	const char *buf;
	size_t len;
	size_t *lines;             /* byte offset of each line start */
	size_t nlines;
	struct strlist *diags;
	int nerr;
	size_t nodes;
	struct ychunk *arena;      /* where the tree lives (rule-yaml.c) */
	int counted;               /* tests counted by tests_tail(), not parsed */
	size_t nmatch, nnomatch;   /* then, their numbers */
};

/* Record one diagnostic "path:line:col: msg" at a 1-based position. */
void ldiag(struct loadctx *lc, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Parse lc->buf into a node tree; NULL (with diagnostics) on failure. */
struct ynode *parse_yaml(struct loadctx *lc);
/* Free every tree parse_yaml made for lc. */
void ytree_free(struct loadctx *lc);

/* 1-based position in the file of byte off of a scalar's decoded value. */
void scalar_pos(const struct loadctx *lc, const struct ynode *n, size_t off, int *line, int *col);
/* True when a '|' block scalar at n uses the strip chomping indicator. */
int literal_is_strip(const struct loadctx *lc, const struct ynode *n);

/* The tests of a rule file counted without parsing them, for a rule set
 * that keeps no tests (rule_set_skip_tests).  Only when "tests:" is the
 * file's last top-level key and has the block shape of the library:
 *
 *   tests:
 *     - expect: match            (or no-match; quoted or not)
 *       exchange: |
 *         ...
 *     - file: tests/ok.har
 *       expect: no-match
 *
 * Returns 1 with *at, the offset of the "tests:" line, and the number of
 * entries of each kind; 0 for any other shape, and the caller parses the
 * whole file, as 'rules lint' and 'rules test' always do. */
int tests_tail(const char *buf, size_t len, size_t *at, size_t *nmatch, size_t *nnomatch);

/* Value node for key in a map, or NULL. */
struct ynode *map_get(const struct ynode *map, const char *key);
/* Report keys of map that are not in allowed (NULL-terminated). */
void check_keys(struct loadctx *lc, const struct ynode *map, const char *const *allowed,
		const char *where);
/* The key node that precedes value v in map (for positions), or NULL. */
const struct ynode *key_of(const struct ynode *map, const struct ynode *v);

/* Typed reads; each raises a diagnostic naming 'what' on a wrong type. */
const char *want_scalar(struct loadctx *lc, const struct ynode *n, const char *what);
int want_bool(struct loadctx *lc, const struct ynode *n, const char *what);
int want_long(struct loadctx *lc, const struct ynode *n, const char *what, long *out);
int want_strseq(struct loadctx *lc, const struct ynode *n, const char *what, char ***out,
		size_t *nout);

#endif
