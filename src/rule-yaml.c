/* rule-yaml.c - read one rule file into a strict YAML tree (rule-yaml.h).
 *
 * libyaml's event parser builds the tree; anchors, aliases, tags, several
 * documents, duplicate keys and trees past the node or depth caps are
 * refused with a "file:line:col:" diagnostic.  The typed readers below
 * turn nodes into values for the loader.
 */
#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "rule-int.h"
#include "rule-yaml.h"

/* Record one diagnostic at a 1-based position; never fails. */
void ldiag(struct loadctx *lc, int line, int col, const char *fmt, ...)
{
	struct sbuf b = SBUF_INIT;
	va_list ap;

	sbuf_addf(&b, "%s:%d:%d: ", lc->path, line, col);
	va_start(ap, fmt);
	sbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	strlist_add(lc->diags, b.data, b.len);
	sbuf_release(&b);
	lc->nerr++;
}

/* The tree's nodes, strings and child arrays come from chunks owned by
 * the load, freed together: a rule file makes some hundred small nodes,
 * and one malloc() each cost more than the parse around them. */
struct ychunk {
	struct ychunk *next;
	size_t used, cap;
	max_align_t data[];
};

/* n zeroed bytes from lc's chunks. */
static void *yalloc(struct loadctx *lc, size_t n)
{
	struct ychunk *c = lc->arena;
	void *p;

	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	if (!c || c->cap - c->used < n) {
		size_t cap = n > 16384 ? n : 16384;
		c = xmalloc(sizeof(*c) + cap);
		c->next = lc->arena;
		c->used = 0;
		c->cap = cap;
		lc->arena = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

void ytree_free(struct loadctx *lc)
{
	while (lc->arena) {
		struct ychunk *c = lc->arena;
		lc->arena = c->next;
		free(c);
	}
}

/* A new node of type t, its other fields zero. */
static struct ynode *ynode_new(struct loadctx *lc, enum ytype t)
{
	struct ynode *n = yalloc(lc, sizeof(*n));

	n->type = t;
	return n;
}

/* Byte offset in the file of a 0-based line/column (columns in characters). */
static size_t raw_offset(const struct loadctx *lc, int line0, int col0)
{
	size_t p;
	int c;

	if (line0 < 0 || (size_t)line0 >= lc->nlines)
		return lc->len;
	p = lc->lines[line0];
	for (c = 0; c < col0 && p < lc->len && lc->buf[p] != '\n'; c++) {
		p++;
		while (p < lc->len && ((unsigned char)lc->buf[p] & 0xC0) == 0x80)
			p++;
	}
	return p;
}

/* Indentation (in columns) of the first non-blank line from line0 on. */
static int block_indent(const struct loadctx *lc, int line0)
{
	size_t i, p;
	int c;

	for (i = (size_t)line0; i < lc->nlines; i++) {
		p = lc->lines[i];
		c = 0;
		while (p < lc->len && lc->buf[p] == ' ') {
			p++;
			c++;
		}
		if (p < lc->len && lc->buf[p] != '\n' && lc->buf[p] != '\r')
			return c;
	}
	return 0;
}

/* 1-based position in the file of byte off of a scalar's decoded value.
 * Exact for one-line scalars and literal blocks, close for folded ones. */
void scalar_pos(const struct loadctx *lc, const struct ynode *n, size_t off,
		       int *line, int *col)
{
	size_t p, d = 0, k, lastnl = 0;
	int l = n->line, c = n->col, nl = 0, quote = 0, fold_ind = -1;

	*line = n->line;
	*col = n->col;
	if (n->style == YAML_FOLDED_SCALAR_STYLE && (size_t)n->line < lc->nlines) {
		/* Walk the raw lines: a line break folds to one character. */
		int ind = block_indent(lc, n->line);
		l = n->line + 1;
		while ((size_t)l - 1 < lc->nlines && block_indent(lc, l - 1) == ind &&
		       lc->lines[l - 1] + (size_t)ind < lc->len &&
		       lc->buf[lc->lines[l - 1] + (size_t)ind] == '\n')
			l++;
		p = raw_offset(lc, l - 1, ind);
		c = ind + 1;
		fold_ind = ind;
		goto walk;
	}
	if (n->style == YAML_LITERAL_SCALAR_STYLE || n->style == YAML_FOLDED_SCALAR_STYLE) {
		for (k = 0; k < off && k < n->len; k++)
			if (n->s[k] == '\n') {
				nl++;
				lastnl = k + 1;
			}
		*line = n->line + 1 + nl;
		*col = block_indent(lc, n->line) + (int)(off - lastnl) + 1;
		return;
	}
	p = raw_offset(lc, n->line - 1, n->col - 1);
	if (n->style == YAML_SINGLE_QUOTED_SCALAR_STYLE || n->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
		quote = lc->buf[p];
		p++;
		c++;
	}
walk:
	while (d < off && p < lc->len) {
		unsigned char ch = (unsigned char)lc->buf[p];
		if (quote == '\'' && ch == '\'' && p + 1 < lc->len && lc->buf[p + 1] == '\'') {
			p += 2;
			c += 2;
			d++;
		} else if (quote == '"' && ch == '\\') {
			p += 2;
			c += 2;
			d++;
		} else if (ch == '\n') {
			p++;
			l++;
			c = 1;
			while (p < lc->len && (lc->buf[p] == ' ' || lc->buf[p] == '\t') &&
			       (fold_ind < 0 || c <= fold_ind)) {
				p++;
				c++;
			}
			d++;
		} else {
			size_t step = 1;
			while (p + step < lc->len && ((unsigned char)lc->buf[p + step] & 0xC0) == 0x80)
				step++;
			p += step;
			d += step;
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* Append kid to parent, checking map keys; returns 0 or -1 on a cap. */
static int ynode_attach(struct loadctx *lc, struct ynode *parent, struct ynode *kid)
{
	size_t i;

	if (parent->type == Y_MAP && parent->n % 2 == 0) {
		if (kid->type != Y_SCALAR) {
			ldiag(lc, kid->line, kid->col, "mapping keys must be plain strings");
		} else {
			for (i = 0; i < parent->n; i += 2) {
				struct ynode *k = parent->kids[i];
				if (k->type == Y_SCALAR && k->len == kid->len &&
				    memcmp(k->s, kid->s, kid->len) == 0) {
					ldiag(lc, kid->line, kid->col,
					      "duplicate key '%s' (first at line %d)", kid->s, k->line);
					break;
				}
			}
		}
	}
	if (parent->n == parent->alloc) {
		size_t cap = parent->alloc ? 2 * parent->alloc : 8;
		struct ynode **kids = yalloc(lc, cap * sizeof(*kids));
		if (parent->n)
			memcpy(kids, parent->kids, parent->n * sizeof(*kids));
		parent->kids = kids;
		parent->alloc = cap;
	}
	parent->kids[parent->n++] = kid;
	return 0;
}

/* Parse the file into a node tree; NULL (with diagnostics) on failure. */
struct ynode *parse_yaml(struct loadctx *lc)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct ynode *stack[RULE_DEPTH_CAP + 1];
	struct ynode *root = NULL, *n;
	int depth = 0, done = 0, ndocs = 0, failed = 0;

	if (!yaml_parser_initialize(&parser)) {
		ldiag(lc, 1, 1, "cannot initialize the YAML parser");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)lc->buf, lc->len);
	while (!done && !failed) {
		const char *anchor = NULL, *tag = NULL;

		if (!yaml_parser_parse(&parser, &ev)) {
			yaml_mark_t *m = &parser.problem_mark;
			ldiag(lc, (int)m->line + 1, (int)m->column + 1, "yaml: %s%s%s%s",
			      parser.problem ? parser.problem : "syntax error",
			      parser.context ? " " : "", parser.context ? parser.context : "",
			      parser.problem && strstr(parser.problem, "unknown escape")
				      ? " (write regexes in single quotes: '\\d+')" : "");
			failed = 1;
			break;
		}
		n = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1) {
				ldiag(lc, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
				      "only one YAML document per rule file");
				failed = 1;
			}
			break;
		case YAML_ALIAS_EVENT:
			ldiag(lc, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
			      "aliases are not allowed");
			failed = 1;
			break;
		case YAML_SCALAR_EVENT:
			anchor = (const char *)ev.data.scalar.anchor;
			tag = (const char *)ev.data.scalar.tag;
			n = ynode_new(lc, Y_SCALAR);
			n->len = ev.data.scalar.length;
			n->s = yalloc(lc, n->len + 1);
			memcpy(n->s, ev.data.scalar.value, n->len);
			n->style = ev.data.scalar.style;
			break;
		case YAML_SEQUENCE_START_EVENT:
			anchor = (const char *)ev.data.sequence_start.anchor;
			tag = (const char *)ev.data.sequence_start.tag;
			n = ynode_new(lc, Y_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			anchor = (const char *)ev.data.mapping_start.anchor;
			tag = (const char *)ev.data.mapping_start.tag;
			n = ynode_new(lc, Y_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
		if (n) {
			n->line = (int)ev.start_mark.line + 1;
			n->col = (int)ev.start_mark.column + 1;
			if (anchor) {
				ldiag(lc, n->line, n->col, "anchors are not allowed");
				failed = 1;
			} else if (tag) {
				ldiag(lc, n->line, n->col, "tags are not allowed");
				failed = 1;
			} else if (++lc->nodes > RULE_NODE_CAP) {
				ldiag(lc, n->line, n->col, "too many YAML nodes (cap %d)", RULE_NODE_CAP);
				failed = 1;
			}
			if (depth == 0) {
				root = n;
			} else {
				ynode_attach(lc, stack[depth - 1], n);
			}
			if (!failed && n->type != Y_SCALAR) {
				if (depth >= RULE_DEPTH_CAP) {
					ldiag(lc, n->line, n->col, "nesting too deep (cap %d)", RULE_DEPTH_CAP);
					failed = 1;
				} else {
					stack[depth++] = n;
				}
			}
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (failed)
		return NULL;
	return root;
}

/* Value node for key in a map, or NULL. */
struct ynode *map_get(const struct ynode *map, const char *key)
{
	size_t i;

	if (!map || map->type != Y_MAP)
		return NULL;
	for (i = 0; i + 1 < map->n; i += 2)
		if (strcmp(map->kids[i]->s, key) == 0)
			return map->kids[i + 1];
	return NULL;
}

/* Report keys of map that are not in allowed (NULL-terminated). */
void check_keys(struct loadctx *lc, const struct ynode *map,
		       const char *const *allowed, const char *where)
{
	size_t i, j;

	for (i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->kids[i];
		int found = 0;
		for (j = 0; allowed[j]; j++)
			if (strcmp(k->s, allowed[j]) == 0)
				found = 1;
		if (!found)
			ldiag(lc, k->line, k->col, "unknown key '%s' in %s", k->s, where);
	}
}

/* The key node that precedes value v in map (for positions), or NULL. */
const struct ynode *key_of(const struct ynode *map, const struct ynode *v)
{
	size_t i;

	for (i = 0; map && i + 1 < map->n; i += 2)
		if (map->kids[i + 1] == v)
			return map->kids[i];
	return NULL;
}

/* A scalar string value; NULL (with a diagnostic) when n is not a scalar. */
const char *want_scalar(struct loadctx *lc, const struct ynode *n, const char *what)
{
	if (n->type != Y_SCALAR) {
		ldiag(lc, n->line, n->col, "'%s' must be a string", what);
		return NULL;
	}
	return n->s;
}

/* Parse true/false; returns 0/1, or -1 with a diagnostic. */
int want_bool(struct loadctx *lc, const struct ynode *n, const char *what)
{
	if (n->type == Y_SCALAR && n->style == YAML_PLAIN_SCALAR_STYLE) {
		if (strcmp(n->s, "true") == 0)
			return 1;
		if (strcmp(n->s, "false") == 0)
			return 0;
	}
	ldiag(lc, n->line, n->col, "'%s' must be true or false", what);
	return -1;
}

/* Parse an integer scalar; returns 0 or -1 with a diagnostic. */
int want_long(struct loadctx *lc, const struct ynode *n, const char *what, long *out)
{
	if (n->type == Y_SCALAR && n->len > 0 && parse_long(n->s, n->len, out) == 0)
		return 0;
	ldiag(lc, n->line, n->col, "'%s' must be an integer", what);
	return -1;
}

/* Copy a sequence of scalars into *out; returns 0 or -1. */
int want_strseq(struct loadctx *lc, const struct ynode *n, const char *what,
		       char ***out, size_t *nout)
{
	size_t i;

	if (n->type != Y_SEQ) {
		ldiag(lc, n->line, n->col, "'%s' must be a list", what);
		return -1;
	}
	*out = xcalloc(n->n + 1, sizeof(**out));
	*nout = 0;
	for (i = 0; i < n->n; i++) {
		const char *s = want_scalar(lc, n->kids[i], what);
		if (s)
			(*out)[(*nout)++] = xstrdup(s);
	}
	return 0;
}

/* True when a '|' block scalar at n uses the strip chomping indicator. */
int literal_is_strip(const struct loadctx *lc, const struct ynode *n)
{
	size_t p = raw_offset(lc, n->line - 1, n->col - 1);

	if (p >= lc->len || lc->buf[p] != '|')
		return 0;
	for (p++; p < lc->len && lc->buf[p] != ' ' && lc->buf[p] != '\n' &&
		     lc->buf[p] != '\r' && lc->buf[p] != '#'; p++)
		if (lc->buf[p] == '-')
			return 1;
	return 0;
}

/* One line [*p, *e) of buf from off, without its line break (and CR);
 * returns the next line's offset. */
static size_t line_at(const char *buf, size_t len, size_t off, const char **p, const char **e)
{
	const char *nl = memchr(buf + off, '\n', len - off);
	size_t next = nl ? (size_t)(nl - buf) + 1 : len;

	*p = buf + off;
	*e = nl ? nl : buf + len;
	if (*e > *p && (*e)[-1] == '\r')
		(*e)--;
	return next;
}

/* End of a value on [p, e): trailing blanks and a " #" comment dropped. */
static const char *value_end(const char *p, const char *e)
{
	for (const char *c = p; c < e; c++)
		if (*c == '#' && c > p && (c[-1] == ' ' || c[-1] == '\t')) {
			e = c;
			break;
		}
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return e;
}

/* Is [p, e) the word w, bare or in single or double quotes? */
static int is_word(const char *p, const char *e, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(e - p) == n + 2 && (*p == '\'' || *p == '"') && e[-1] == *p) {
		p++;
		e--;
	}
	return (size_t)(e - p) == n && memcmp(p, w, n) == 0;
}

/* One test entry as the line scan sees it. */
struct tscan {
	int expect;          /* 0 none, 1 match, 2 no-match */
	int exchange, file;
	int deeper;          /* the last value may go on in deeper lines */
};

/* Read "key: value" on [p, e) into t; 0 when it is not a test key of the
 * plain shape. */
static int test_key(struct tscan *t, const char *p, const char *e)
{
	static const char *const keys[] = { "expect", "exchange", "file" };
	const char *v;
	size_t k, n;

	for (k = 0; k < 3; k++) {
		n = strlen(keys[k]);
		if ((size_t)(e - p) > n && memcmp(p, keys[k], n) == 0 && p[n] == ':' &&
		    (p + n + 1 == e || p[n + 1] == ' '))
			break;
	}
	if (k == 3)
		return 0;
	v = p + n + 1;
	while (v < e && *v == ' ')
		v++;
	e = value_end(v, e);
	t->deeper = 0;
	if (k == 0) {
		if (t->expect)
			return 0;
		t->expect = is_word(v, e, "match") ? 1 : is_word(v, e, "no-match") ? 2 : 0;
		return t->expect != 0;
	}
	if ((k == 1 ? t->exchange : t->file) || v == e || strchr("[{&*!%@`", *v))
		return 0;
	if (k == 1)
		t->exchange = 1;
	else
		t->file = 1;
	if (*v == '|' || *v == '>') {
		/* A block scalar: its lines are deeper.  Only indicators
		 * may follow the '|'. */
		for (p = v + 1; p < e; p++)
			if (!strchr("+-0123456789", *p))
				return 0;
		t->deeper = 1;
		return 1;
	}
	if (*v == '\'' || *v == '"') {
		if (e - v < 2 || e[-1] != *v)
			return 0;
		v++;
		e--;
	}
	/* A file must be a relative path. */
	return k != 2 || (v < e && *v != '/');
}

int tests_tail(const char *buf, size_t len, size_t *at, size_t *nmatch, size_t *nnomatch)
{
	struct tscan t = { 0 };
	const char *p, *e, *c;
	size_t off = 0, next;
	long seq = -1, key = -1, ind;
	int open = 0;

	*nmatch = *nnomatch = 0;
	/* The first "tests:" at the start of a line. */
	for (;;) {
		next = line_at(buf, len, off, &p, &e);
		if (e - p >= 6 && memcmp(p, "tests:", 6) == 0 && value_end(p + 6, e) == p + 6)
			break;
		if (next >= len)
			return 0;
		off = next;
	}
	*at = off;
	for (off = next; off < len; off = next) {
		next = line_at(buf, len, off, &p, &e);
		for (c = p; c < e && *c == ' '; c++)
			;
		if (c == e || *c == '#')
			continue;
		if (*c == '\t')
			return 0;
		ind = c - p;
		if (open && ind > key) {
			if (!t.deeper)
				return 0;
			continue;
		}
		if (*c == '-' && (seq < 0 || ind == seq) && c + 1 < e && c[1] == ' ') {
			/* A new entry: the last one must be whole. */
			if (open && (!t.expect || t.exchange == t.file))
				return 0;
			if (open)
				++*(t.expect == 1 ? nmatch : nnomatch);
			memset(&t, 0, sizeof(t));
			open = 1;
			seq = ind;
			for (c++; c < e && *c == ' '; c++)
				;
			key = c - p;
			if (c == e || !test_key(&t, c, e))
				return 0;
		} else if (open && ind == key) {
			if (!test_key(&t, c, e))
				return 0;
		} else {
			return 0;
		}
	}
	if (!open || !t.expect || t.exchange == t.file)
		return 0;
	++*(t.expect == 1 ? nmatch : nnomatch);
	return 1;
}
