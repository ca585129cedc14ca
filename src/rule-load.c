/* rule-load.c - the strict YAML rule loader (RULE-FORMAT.md).
 *
 * A rule file is read with libyaml's event parser into a small tree that
 * keeps every node's position and scalar style, so that anchors, aliases,
 * tags, duplicate keys and wrongly quoted regexes can be refused with an
 * exact "file:line:col:" diagnostic.  The tree is then checked and turned
 * into a struct rule with compiled PCRE2 code and a condition AST.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "rule-int.h"

enum ytype { Y_SCALAR, Y_SEQ, Y_MAP };

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

struct loadctx {
	const char *path;
	const char *buf;
	size_t len;
	size_t *lines;             /* byte offset of each line start */
	size_t nlines;
	struct strlist *diags;
	int nerr;
	size_t nodes;
};

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

static const char *const field_names[F_COUNT] = {
	"method", "url", "scheme", "host", "port", "path", "query",
	"http_version", "status", "status_text", "error",
	"request.header.", "response.header.", "request.headers", "response.headers",
	"request.body", "response.body", "transcript", "source",
	"cross_origin", "expects_json", "content_kind"
};

/* Field name as written in rules ("request.header." for the header kinds). */
const char *field_kind_name(enum field_kind f)
{
	if ((int)f < 0 || f >= F_COUNT)
		return "?";
	return field_names[f];
}

/* Record one diagnostic at a 1-based position; never fails. */
static void __attribute__((format(printf, 4, 5)))
ldiag(struct loadctx *lc, int line, int col, const char *fmt, ...)
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

/* Free a node tree; NULL is fine. */
static void ynode_free(struct ynode *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->n; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->s);
	free(n);
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
static void scalar_pos(const struct loadctx *lc, const struct ynode *n, size_t off,
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
	parent->kids = xgrow(parent->kids, &parent->alloc, parent->n + 1, sizeof(*parent->kids));
	parent->kids[parent->n++] = kid;
	return 0;
}

/* Parse the file into a node tree; NULL (with diagnostics) on failure. */
static struct ynode *parse_yaml(struct loadctx *lc)
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
			n = xcalloc(1, sizeof(*n));
			n->type = Y_SCALAR;
			n->len = ev.data.scalar.length;
			n->s = xstrndup((const char *)ev.data.scalar.value, n->len);
			n->style = ev.data.scalar.style;
			break;
		case YAML_SEQUENCE_START_EVENT:
			anchor = (const char *)ev.data.sequence_start.anchor;
			tag = (const char *)ev.data.sequence_start.tag;
			n = xcalloc(1, sizeof(*n));
			n->type = Y_SEQ;
			break;
		case YAML_MAPPING_START_EVENT:
			anchor = (const char *)ev.data.mapping_start.anchor;
			tag = (const char *)ev.data.mapping_start.tag;
			n = xcalloc(1, sizeof(*n));
			n->type = Y_MAP;
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
				if (root)
					ynode_free(root);
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
	if (failed) {
		ynode_free(root);
		return NULL;
	}
	return root;
}

/* Value node for key in a map, or NULL. */
static struct ynode *map_get(const struct ynode *map, const char *key)
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
static void check_keys(struct loadctx *lc, const struct ynode *map,
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
static const struct ynode *key_of(const struct ynode *map, const struct ynode *v)
{
	size_t i;

	for (i = 0; map && i + 1 < map->n; i += 2)
		if (map->kids[i + 1] == v)
			return map->kids[i];
	return NULL;
}

/* A scalar string value; NULL (with a diagnostic) when n is not a scalar. */
static const char *want_scalar(struct loadctx *lc, const struct ynode *n, const char *what)
{
	if (n->type != Y_SCALAR) {
		ldiag(lc, n->line, n->col, "'%s' must be a string", what);
		return NULL;
	}
	return n->s;
}

/* Parse true/false; returns 0/1, or -1 with a diagnostic. */
static int want_bool(struct loadctx *lc, const struct ynode *n, const char *what)
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
static int want_long(struct loadctx *lc, const struct ynode *n, const char *what, long *out)
{
	if (n->type == Y_SCALAR && n->len > 0 && parse_long(n->s, n->len, out) == 0)
		return 0;
	ldiag(lc, n->line, n->col, "'%s' must be an integer", what);
	return -1;
}

/* Copy a sequence of scalars into *out; returns 0 or -1. */
static int want_strseq(struct loadctx *lc, const struct ynode *n, const char *what,
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

/* Field of a matcher from its text; returns 0 or -1. */
static int parse_field(const char *s, enum field_kind *f, char **hname)
{
	static const char hdr_ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!#$%&'*+^`|~";
	const char *name = NULL;
	int i;

	*hname = NULL;
	if (starts_with(s, "request.header.")) {
		*f = F_REQ_HEADER;
		name = s + strlen("request.header.");
	} else if (starts_with(s, "response.header.")) {
		*f = F_RESP_HEADER;
		name = s + strlen("response.header.");
	}
	if (name) {
		if (!*name || strspn(name, hdr_ok) != strlen(name))
			return -1;
		*hname = xstrdup(name);
		ascii_lower(*hname);
		return 0;
	}
	for (i = 0; i < F_COUNT; i++) {
		if (i == F_REQ_HEADER || i == F_RESP_HEADER)
			continue;
		if (strcmp(s, field_names[i]) == 0) {
			*f = (enum field_kind)i;
			return 0;
		}
	}
	return -1;
}

/* True when a '|' block scalar at n uses the strip chomping indicator. */
static int literal_is_strip(const struct loadctx *lc, const struct ynode *n)
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

/* Compile m->str; returns 0 or -1 with a diagnostic at the error offset. */
static int compile_regex(struct loadctx *lc, struct matcher *m, const struct ynode *v)
{
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	uint32_t count = 0, esize = 0, i;
	PCRE2_SPTR table = NULL;
	PCRE2_SIZE erroff = 0;
	int errcode = 0, line, col;

	if (m->icase)
		opts |= PCRE2_CASELESS;
	m->re = pcre2_compile((PCRE2_SPTR)m->str, strlen(m->str), opts, &errcode, &erroff, NULL);
	if (!m->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		scalar_pos(lc, v, erroff, &line, &col);
		ldiag(lc, line, col, "invalid regex: %s", (const char *)msg);
		return -1;
	}
	/* A failed JIT compile leaves the interpreter, which also honours
	 * every limit; nothing to report. */
	m->jit = pcre2_jit_compile(m->re, PCRE2_JIT_COMPLETE) == 0;
	pcre2_pattern_info(m->re, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(m->re, PCRE2_INFO_NAMEENTRYSIZE, &esize);
	pcre2_pattern_info(m->re, PCRE2_INFO_NAMETABLE, &table);
	if (count > 0) {
		m->groups = xcalloc(count, sizeof(*m->groups));
		for (i = 0; i < count; i++) {
			PCRE2_SPTR e = table + (size_t)i * esize;
			m->groups[i].num = ((uint32_t)e[0] << 8) | e[1];
			m->groups[i].name = xstrdup((const char *)e + 2);
		}
		m->ngroups = count;
	}
	return 0;
}

static const char *const matcher_keys[] = {
	"field", "regex", "contains", "equals", "in", "range", "exists", "icase", NULL
};
static const char *const op_keys[] = { "regex", "contains", "equals", "in", "range", "exists" };

/* Fill m from the matcher mapping v; returns 0 or -1. */
static int parse_matcher(struct loadctx *lc, const struct ynode *key, const struct ynode *v,
			 struct matcher *m)
{
	const struct ynode *opk = NULL, *opv = NULL, *fv, *iv;
	int before = lc->nerr, nops = 0, i, b;
	size_t j;

	m->name = xstrdup(key->s);
	m->line = key->line;
	m->col = key->col;
	if (v->type != Y_MAP) {
		ldiag(lc, v->line, v->col, "matcher '%s' must be a mapping", key->s);
		return -1;
	}
	check_keys(lc, v, matcher_keys, "a matcher");
	for (j = 0; j + 1 < v->n; j += 2) {
		const struct ynode *k2 = v->kids[j];
		for (i = 0; i < 6; i++)
			if (strcmp(k2->s, op_keys[i]) == 0)
				break;
		if (i == 6)
			continue;
		if (++nops == 1) {
			opk = k2;
			opv = v->kids[j + 1];
			m->op = (enum match_op)i;
		} else {
			ldiag(lc, k2->line, k2->col,
			      "matcher '%s' has both '%s' and '%s'; use exactly one of regex, contains, equals, in, range, exists",
			      key->s, opk->s, k2->s);
		}
	}
	if (nops == 0)
		ldiag(lc, key->line, key->col,
		      "matcher '%s' needs one of regex, contains, equals, in, range, exists", key->s);
	fv = map_get(v, "field");
	if (!fv) {
		ldiag(lc, key->line, key->col, "matcher '%s' has no 'field'", key->s);
	} else if (want_scalar(lc, fv, "field")) {
		m->field_text = xstrdup(fv->s);
		if (parse_field(fv->s, &m->field, &m->hname) < 0)
			ldiag(lc, fv->line, fv->col, "unknown field '%s'", fv->s);
	}
	iv = map_get(v, "icase");
	if (iv) {
		b = want_bool(lc, iv, "icase");
		if (b >= 0)
			m->icase = b;
		if (b == 1 && opv && (m->op == OP_RANGE || m->op == OP_EXISTS))
			ldiag(lc, iv->line, iv->col, "'icase' has no effect with '%s'", opk->s);
	}
	if (!opv)
		return -1;
	switch (m->op) {
	case OP_REGEX:
		if (opv->type != Y_SCALAR) {
			ldiag(lc, opv->line, opv->col, "'regex' must be a string");
		} else if (opv->style != YAML_SINGLE_QUOTED_SCALAR_STYLE &&
			   !(opv->style == YAML_LITERAL_SCALAR_STYLE && literal_is_strip(lc, opv))) {
			ldiag(lc, opv->line, opv->col,
			      "regex must be a single-quoted string or a '|-' block");
		} else if (opv->len == 0) {
			ldiag(lc, opv->line, opv->col, "empty regex");
		} else {
			m->str = xstrdup(opv->s);
			m->slen = opv->len;
			if (lc->nerr == before)
				compile_regex(lc, m, opv);
		}
		break;
	case OP_CONTAINS:
	case OP_EQUALS:
		if (want_scalar(lc, opv, opk->s)) {
			if (m->op == OP_CONTAINS && opv->len == 0)
				ldiag(lc, opv->line, opv->col, "empty 'contains' always matches");
			m->str = xstrdup(opv->s);
			m->slen = opv->len;
		}
		break;
	case OP_IN:
		if (want_strseq(lc, opv, "in", &m->in, &m->nin) == 0 && m->nin == 0)
			ldiag(lc, opv->line, opv->col, "'in' needs at least one value");
		break;
	case OP_RANGE:
		if (opv->type != Y_SEQ || opv->n != 2) {
			ldiag(lc, opv->line, opv->col, "'range' must be a list of two integers [low, high]");
		} else if (want_long(lc, opv->kids[0], "range", &m->lo) == 0 &&
			   want_long(lc, opv->kids[1], "range", &m->hi) == 0 && m->lo > m->hi) {
			ldiag(lc, opv->line, opv->col, "'range' low %ld is above high %ld", m->lo, m->hi);
		}
		break;
	case OP_EXISTS:
		b = want_bool(lc, opv, "exists");
		if (b >= 0)
			m->exists = b;
		break;
	}
	return lc->nerr == before ? 0 : -1;
}

/* True when s is a valid matcher or extract name. */
static int valid_name(const char *s)
{
	size_t i;

	if (!*s || !(ascii_tolower(s[0]) >= 'a' && ascii_tolower(s[0]) <= 'z') )
		if (s[0] != '_')
			return 0;
	for (i = 0; s[i]; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return strcmp(s, "and") != 0 && strcmp(s, "or") != 0 && strcmp(s, "not") != 0;
}

/* Parse a matcher map (match: or extract:) into *out; returns 0 or -1. */
static int parse_matchers(struct loadctx *lc, const struct ynode *v, const char *what,
			  struct matcher **out, size_t *nout)
{
	size_t i;
	int before = lc->nerr;

	if (v->type != Y_MAP) {
		ldiag(lc, v->line, v->col, "'%s' must be a mapping of name: matcher", what);
		return -1;
	}
	if (v->n / 2 > RULE_MATCHER_CAP) {
		ldiag(lc, v->line, v->col, "too many entries in '%s' (cap %d)", what, RULE_MATCHER_CAP);
		return -1;
	}
	*out = xcalloc(v->n / 2 + 1, sizeof(**out));
	*nout = 0;
	for (i = 0; i + 1 < v->n; i += 2) {
		const struct ynode *k = v->kids[i];
		if (!valid_name(k->s)) {
			ldiag(lc, k->line, k->col,
			      "invalid name '%s' (letters, digits, '_' and '-', not and/or/not)", k->s);
			continue;
		}
		parse_matcher(lc, k, v->kids[i + 1], &(*out)[(*nout)++]);
	}
	return lc->nerr == before ? 0 : -1;
}

/* Condition parser state. */
struct cparse {
	struct loadctx *lc;
	const struct ynode *node;
	const char *s;
	size_t pos;
	struct rule *r;
	int depth;
	int failed;
};

/* Free a condition tree; NULL is fine. */
static void cond_free(struct cond *c)
{
	if (!c)
		return;
	cond_free(c->a);
	cond_free(c->b);
	free(c);
}

/* Report a condition error at decoded offset off (first error only). */
static void __attribute__((format(printf, 3, 4)))
cparse_error(struct cparse *cp, size_t off, const char *fmt, ...)
{
	struct sbuf b = SBUF_INIT;
	va_list ap;
	int line, col;

	if (cp->failed)
		return;
	cp->failed = 1;
	va_start(ap, fmt);
	sbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	scalar_pos(cp->lc, cp->node, off, &line, &col);
	ldiag(cp->lc, line, col, "%s", sbuf_str(&b));
	sbuf_release(&b);
}

/* Next token: sets *start and *len (0 at end); does not consume. */
static void cpeek(struct cparse *cp, size_t *start, size_t *len)
{
	size_t p = cp->pos;

	while (cp->s[p] == ' ' || cp->s[p] == '\t' || cp->s[p] == '\n' || cp->s[p] == '\r')
		p++;
	*start = p;
	if (!cp->s[p]) {
		*len = 0;
	} else if (cp->s[p] == '(' || cp->s[p] == ')') {
		*len = 1;
	} else {
		size_t e = p;
		while (cp->s[e] && !strchr(" \t\r\n()", cp->s[e]))
			e++;
		*len = e - p;
	}
}

/* True when the token at start/len is exactly word. */
static int ctok_is(struct cparse *cp, size_t start, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(cp->s + start, word, len) == 0;
}

/* or-expr := and-expr ('or' and-expr)*; NULL after an error. */
static struct cond *cparse_or(struct cparse *cp);

/* primary := NAME | '(' or ')' | 'not' primary */
static struct cond *cparse_unary(struct cparse *cp)
{
	size_t st, len, i;
	struct cond *c = NULL;
	char *name;

	if (++cp->depth > RULE_COND_DEPTH_CAP) {
		cparse_error(cp, cp->pos, "condition nested too deeply");
		return NULL;
	}
	cpeek(cp, &st, &len);
	if (len == 0) {
		cparse_error(cp, st, "condition ends early: expected a matcher name, 'not' or '('");
	} else if (ctok_is(cp, st, len, "not")) {
		cp->pos = st + len;
		c = xcalloc(1, sizeof(*c));
		c->kind = C_NOT;
		c->a = cparse_unary(cp);
	} else if (cp->s[st] == '(') {
		cp->pos = st + 1;
		c = cparse_or(cp);
		cpeek(cp, &st, &len);
		if (len == 1 && cp->s[st] == ')')
			cp->pos = st + 1;
		else
			cparse_error(cp, st, "expected ')' in condition");
	} else if (cp->s[st] == ')' || ctok_is(cp, st, len, "and") || ctok_is(cp, st, len, "or")) {
		name = xstrndup(cp->s + st, len);
		cparse_error(cp, st, "unexpected '%s' in condition: expected a matcher name, 'not' or '('", name);
		free(name);
	} else {
		name = xstrndup(cp->s + st, len);
		for (i = 0; i < cp->r->nm; i++)
			if (cp->r->m[i].name && strcmp(cp->r->m[i].name, name) == 0)
				break;
		if (i == cp->r->nm) {
			cparse_error(cp, st, "unknown matcher '%s' in condition", name);
		} else {
			c = xcalloc(1, sizeof(*c));
			c->kind = C_REF;
			c->idx = i;
			cp->pos = st + len;
		}
		free(name);
	}
	cp->depth--;
	return c;
}

/* and-expr := unary ('and' unary)*; NULL after an error. */
static struct cond *cparse_and(struct cparse *cp)
{
	struct cond *c = cparse_unary(cp), *n;
	size_t st, len;

	for (;;) {
		cpeek(cp, &st, &len);
		if (cp->failed || !ctok_is(cp, st, len, "and"))
			return c;
		cp->pos = st + len;
		n = xcalloc(1, sizeof(*n));
		n->kind = C_AND;
		n->a = c;
		n->b = cparse_unary(cp);
		c = n;
	}
}

/* or-expr := and-expr ('or' and-expr)*; NULL after an error. */
static struct cond *cparse_or(struct cparse *cp)
{
	struct cond *c = cparse_and(cp), *n;
	size_t st, len;

	for (;;) {
		cpeek(cp, &st, &len);
		if (cp->failed || !ctok_is(cp, st, len, "or"))
			return c;
		cp->pos = st + len;
		n = xcalloc(1, sizeof(*n));
		n->kind = C_OR;
		n->a = c;
		n->b = cparse_and(cp);
		c = n;
	}
}

/* Mark matchers used by c; neg is the number of enclosing 'not's mod 2. */
static void cond_mark(struct rule *r, const struct cond *c, int neg, int *pos_use, int *neg_use)
{
	if (!c)
		return;
	switch (c->kind) {
	case C_REF:
		r->m[c->idx].used = 1;
		if (neg)
			neg_use[c->idx] = 1;
		else
			pos_use[c->idx] = 1;
		break;
	case C_NOT:
		cond_mark(r, c->a, !neg, pos_use, neg_use);
		break;
	default:
		cond_mark(r, c->a, neg, pos_use, neg_use);
		cond_mark(r, c->b, neg, pos_use, neg_use);
	}
}

/* Rough cost of one matcher: scalar fields are cheap, bodies are not. */
static unsigned matcher_cost(const struct matcher *m)
{
	unsigned c;

	switch (m->field) {
	case F_REQ_BODY:
	case F_RESP_BODY:
		c = 40;
		break;
	case F_REQ_HEADERS:
	case F_RESP_HEADERS:
	case F_TRANSCRIPT:
		c = 8;
		break;
	case F_REQ_HEADER:
	case F_RESP_HEADER:
	case F_CONTENT_KIND:
	case F_CROSS_ORIGIN:
	case F_EXPECTS_JSON:
		c = 2;
		break;
	default:
		c = 1;
	}
	if (m->op == OP_REGEX)
		c *= 2;
	else if (m->op == OP_EXISTS)
		c = 1;
	return c;
}

/* Set cost and evaluation order of every node: AND and OR give the same
 * result in either order (also in three-valued logic), so the cheaper
 * side runs first and often decides alone. */
static unsigned cond_plan(const struct rule *r, struct cond *c)
{
	unsigned ca, cb;

	switch (c->kind) {
	case C_REF:
		c->cost = matcher_cost(&r->m[c->idx]);
		break;
	case C_NOT:
		c->cost = cond_plan(r, c->a);
		break;
	default:
		ca = cond_plan(r, c->a);
		cb = cond_plan(r, c->b);
		c->swap = cb < ca;
		c->cost = ca + cb;
	}
	return c->cost;
}

/* Build r->cond from the condition scalar (or the AND of all matchers). */
static int parse_condition(struct loadctx *lc, struct rule *r, const struct ynode *v)
{
	struct cparse cp;
	size_t i, st, len;
	int *pos_use, *neg_use;

	if (!v) {
		for (i = 0; i < r->nm; i++) {
			struct cond *ref = xcalloc(1, sizeof(*ref));
			ref->kind = C_REF;
			ref->idx = i;
			if (!r->cond) {
				r->cond = ref;
			} else {
				struct cond *n = xcalloc(1, sizeof(*n));
				n->kind = C_AND;
				n->a = r->cond;
				n->b = ref;
				r->cond = n;
			}
		}
	} else {
		if (!want_scalar(lc, v, "condition"))
			return -1;
		memset(&cp, 0, sizeof(cp));
		cp.lc = lc;
		cp.node = v;
		cp.s = v->s;
		cp.r = r;
		r->cond = cparse_or(&cp);
		if (!cp.failed) {
			cpeek(&cp, &st, &len);
			if (len) {
				char *t = xstrndup(cp.s + st, len);
				cparse_error(&cp, st, "unexpected '%s' in condition: expected 'and', 'or' or the end", t);
				free(t);
			}
		}
		if (cp.failed) {
			cond_free(r->cond);
			r->cond = NULL;
			return -1;
		}
	}
	cond_plan(r, r->cond);
	pos_use = xcalloc(r->nm + 1, sizeof(int));
	neg_use = xcalloc(r->nm + 1, sizeof(int));
	cond_mark(r, r->cond, 0, pos_use, neg_use);
	for (i = 0; i < r->nm; i++) {
		r->m[i].negated = neg_use[i] && !pos_use[i];
		if (!r->m[i].used)
			ldiag(lc, r->m[i].line, r->m[i].col,
			      "matcher '%s' is not used by the condition (move supporting evidence to 'extract')",
			      r->m[i].name);
	}
	free(pos_use);
	free(neg_use);
	return 0;
}

static const char *const test_keys[] = { "expect", "exchange", "file", NULL };

/* Parse the tests list; returns 0 or -1. */
static int parse_tests(struct loadctx *lc, struct rule *r, const struct ynode *v)
{
	size_t i;
	int before = lc->nerr;

	if (v->type != Y_SEQ) {
		ldiag(lc, v->line, v->col, "'tests' must be a list");
		return -1;
	}
	r->tests = xcalloc(v->n + 1, sizeof(*r->tests));
	for (i = 0; i < v->n; i++) {
		const struct ynode *t = v->kids[i], *e, *x, *f;
		struct rule_test *rt;

		if (t->type != Y_MAP) {
			ldiag(lc, t->line, t->col, "a test must be a mapping with 'expect' and 'exchange' or 'file'");
			continue;
		}
		check_keys(lc, t, test_keys, "a test");
		rt = &r->tests[r->ntests++];
		rt->line = t->line;
		rt->col = t->col;
		e = map_get(t, "expect");
		x = map_get(t, "exchange");
		f = map_get(t, "file");
		if (!e)
			ldiag(lc, t->line, t->col, "test has no 'expect' (match or no-match)");
		else if (e->type == Y_SCALAR && strcmp(e->s, "match") == 0)
			rt->expect_match = 1;
		else if (e->type == Y_SCALAR && strcmp(e->s, "no-match") == 0)
			rt->expect_match = 0;
		else
			ldiag(lc, e->line, e->col, "'expect' must be match or no-match");
		if ((x != NULL) == (f != NULL)) {
			ldiag(lc, t->line, t->col, "a test needs exactly one of 'exchange' and 'file'");
		} else if (x && want_scalar(lc, x, "exchange")) {
			rt->exchange = xstrdup(x->s);
			rt->ex_line = x->style == YAML_LITERAL_SCALAR_STYLE ||
				      x->style == YAML_FOLDED_SCALAR_STYLE ? x->line + 1 : x->line;
		} else if (f && want_scalar(lc, f, "file")) {
			if (f->s[0] == '/' || f->len == 0)
				ldiag(lc, f->line, f->col, "'file' must be a path relative to the rule's directory");
			else
				rt->file = xstrdup(f->s);
		}
	}
	return lc->nerr == before ? 0 : -1;
}

static const char *const rule_keys[] = {
	"id", "title", "vendor", "severity", "status", "priority", "advice",
	"references", "request_ids", "match", "condition", "extract", "tests", NULL
};

/* Required string key: returns a copy or NULL with a diagnostic. */
static char *req_str(struct loadctx *lc, const struct ynode *root, const char *key)
{
	const struct ynode *v = map_get(root, key);

	if (!v) {
		ldiag(lc, root->line, root->col, "missing required key '%s'", key);
		return NULL;
	}
	if (!want_scalar(lc, v, key))
		return NULL;
	if (v->len == 0 || strspn(v->s, " \t\r\n") == v->len) {
		ldiag(lc, v->line, v->col, "'%s' must not be empty", key);
		return NULL;
	}
	return xstrdup(v->s);
}

/* The file name of path without directory and ".yaml". */
static char *file_stem(const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > 5 && strcmp(b + n - 5, ".yaml") == 0)
		n -= 5;
	return xstrndup(b, n);
}

/* Turn the tree into a rule; NULL when any diagnostic was raised. */
static struct rule *build_rule(struct loadctx *lc, const struct ynode *root)
{
	struct rule *r = xcalloc(1, sizeof(*r));
	const struct ynode *v;
	const char *slash;
	char *stem = NULL;
	size_t i, j, nmatch = 0, nnomatch = 0;
	long prio;
	int sev;

	r->path = xstrdup(lc->path);
	slash = strrchr(lc->path, '/');
	r->dir = slash ? xstrndup(lc->path, (size_t)(slash - lc->path)) : xstrdup(".");
	r->priority = 50;
	if (root->type != Y_MAP) {
		ldiag(lc, root->line, root->col, "a rule file must be a mapping");
		goto out;
	}
	check_keys(lc, root, rule_keys, "a rule");
	r->id = req_str(lc, root, "id");
	if (r->id) {
		v = map_get(root, "id");
		r->id_line = v->line;
		r->id_col = v->col;
		stem = file_stem(lc->path);
		if (strspn(r->id, "abcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(r->id))
			ldiag(lc, v->line, v->col, "id '%s' may only use a-z, 0-9, '.', '_' and '-'", r->id);
		else if (strcmp(stem, r->id) != 0)
			ldiag(lc, v->line, v->col, "id '%s' does not match the file name '%s.yaml'", r->id, stem);
	}
	r->title = req_str(lc, root, "title");
	if (r->title && strchr(r->title, '\n')) {
		v = map_get(root, "title");
		ldiag(lc, v->line, v->col, "'title' must be one line");
	}
	r->vendor = req_str(lc, root, "vendor");
	r->advice = req_str(lc, root, "advice");
	r->status = req_str(lc, root, "status");
	if (r->status && strcmp(r->status, "stable") != 0 && strcmp(r->status, "experimental") != 0) {
		v = map_get(root, "status");
		ldiag(lc, v->line, v->col, "status '%s' is not stable or experimental", r->status);
	}
	{
		char *s = req_str(lc, root, "severity");
		if (s) {
			sev = severity_from_name(s);
			if (sev < 0) {
				v = map_get(root, "severity");
				ldiag(lc, v->line, v->col,
				      "severity '%s' is not one of info, low, medium, high, critical", s);
			} else {
				r->severity = (enum severity)sev;
			}
			free(s);
		}
	}
	v = map_get(root, "priority");
	if (v && want_long(lc, v, "priority", &prio) == 0) {
		if (prio < 0 || prio > 100)
			ldiag(lc, v->line, v->col, "priority %ld is outside 0..100", prio);
		else
			r->priority = (int)prio;
	}
	v = map_get(root, "references");
	if (v)
		want_strseq(lc, v, "references", &r->references, &r->nreferences);
	v = map_get(root, "request_ids");
	if (v)
		want_strseq(lc, v, "request_ids", &r->request_ids, &r->nrequest_ids);
	v = map_get(root, "match");
	if (!v) {
		ldiag(lc, root->line, root->col, "missing required key 'match'");
	} else if (parse_matchers(lc, v, "match", &r->m, &r->nm) == 0) {
		if (r->nm == 0)
			ldiag(lc, v->line, v->col, "'match' needs at least one matcher");
		else
			parse_condition(lc, r, map_get(root, "condition"));
	}
	v = map_get(root, "extract");
	if (v && parse_matchers(lc, v, "extract", &r->x, &r->nx) == 0) {
		for (i = 0; i < r->nx; i++) {
			r->x[i].used = 1;
			for (j = 0; j < r->nm; j++)
				if (strcmp(r->x[i].name, r->m[j].name) == 0)
					ldiag(lc, r->x[i].line, r->x[i].col,
					      "extract name '%s' is also a matcher name", r->x[i].name);
		}
	}
	v = map_get(root, "tests");
	if (v && parse_tests(lc, r, v) == 0) {
		for (i = 0; i < r->ntests; i++) {
			if (r->tests[i].expect_match)
				nmatch++;
			else
				nnomatch++;
		}
	}
	if (r->status && strcmp(r->status, "stable") == 0 && (nmatch == 0 || nnomatch == 0) &&
	    (!v || v->type == Y_SEQ)) {
		const struct ynode *sv = v ? key_of(root, v) : map_get(root, "status");
		ldiag(lc, sv->line, sv->col,
		      "a stable rule needs at least one 'match' and one 'no-match' test (has %zu and %zu)",
		      nmatch, nnomatch);
	}
	for (i = 0; i < r->nm; i++)
		r->fields |= 1u << r->m[i].field;
	for (i = 0; i < r->nx; i++)
		r->fields |= 1u << r->x[i].field;
out:
	free(stem);
	if (lc->nerr) {
		rule_free(r);
		return NULL;
	}
	return r;
}

/* Free n matchers and what they own. */
static void matchers_free(struct matcher *m, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		free(m[i].name);
		free(m[i].field_text);
		free(m[i].hname);
		free(m[i].str);
		for (j = 0; j < m[i].nin; j++)
			free(m[i].in[j]);
		free(m[i].in);
		pcre2_code_free(m[i].re);
		for (j = 0; j < m[i].ngroups; j++)
			free(m[i].groups[j].name);
		free(m[i].groups);
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

/* Load one rule file into rs; returns the number of new diagnostics, or -1
 * when the file cannot be read. */
int rule_set_load_file(struct rule_set *rs, const char *path, struct strlist *diags)
{
	struct loadctx lc;
	struct ynode *root = NULL;
	struct rule *r = NULL;
	FILE *f = NULL;
	struct sbuf b = SBUF_INIT;
	char chunk[8192];
	size_t got, i;
	int ret = -1;
	uint32_t caps, maxcap = 0;

	memset(&lc, 0, sizeof(lc));
	lc.path = path;
	lc.diags = diags;
	f = fopen(path, "rb");
	if (!f) {
		char *msg = xasprintf("%s: %s", path, strerror(errno));
		strlist_adds(diags, msg);
		free(msg);
		goto out;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		sbuf_add(&b, chunk, got);
		if (b.len > RULE_FILE_CAP) {
			ldiag(&lc, 1, 1, "rule file larger than %zu bytes", RULE_FILE_CAP);
			ret = lc.nerr;
			goto out;
		}
	}
	if (ferror(f)) {
		ldiag(&lc, 1, 1, "read error: %s", strerror(errno));
		ret = lc.nerr;
		goto out;
	}
	lc.buf = sbuf_str(&b);
	lc.len = b.len;
	if (memchr(lc.buf, '\0', lc.len)) {
		ldiag(&lc, 1, 1, "rule file contains a NUL byte");
		ret = lc.nerr;
		goto out;
	}
	lc.lines = xmalloc(sizeof(size_t));
	lc.lines[0] = 0;
	lc.nlines = 1;
	for (i = 0; i < lc.len; i++)
		if (lc.buf[i] == '\n') {
			lc.lines = xrealloc(lc.lines, (lc.nlines + 1) * sizeof(size_t));
			lc.lines[lc.nlines++] = i + 1;
		}
	root = parse_yaml(&lc);
	if (!root) {
		if (!lc.nerr)
			ldiag(&lc, 1, 1, "empty rule file");
		ret = lc.nerr;
		goto out;
	}
	if (lc.nerr) {
		ret = lc.nerr;
		goto out;
	}
	r = build_rule(&lc, root);
	if (r) {
		for (i = 0; i < rs->n; i++)
			if (strcmp(rs->v[i]->id, r->id) == 0) {
				ldiag(&lc, r->id_line, r->id_col, "duplicate rule id '%s' (also in %s)",
				      r->id, rs->v[i]->path);
				rule_free(r);
				r = NULL;
				break;
			}
	}
	if (r) {
		for (i = 0; i < r->nm + r->nx; i++) {
			struct matcher *m = i < r->nm ? &r->m[i] : &r->x[i - r->nm];
			if (m->re && pcre2_pattern_info(m->re, PCRE2_INFO_CAPTURECOUNT, &caps) == 0 &&
			    caps > maxcap)
				maxcap = caps;
		}
		rule_set_reserve_ovector(rs, maxcap + 1);
		rs->v = xgrow(rs->v, &rs->alloc, rs->n + 1, sizeof(*rs->v));
		rs->v[rs->n++] = r;
	}
	ret = lc.nerr;
out:
	if (f)
		fclose(f);
	ynode_free(root);
	free(lc.lines);
	sbuf_release(&b);
	return ret;
}

/* qsort comparator for C strings (byte order). */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collect *.yaml paths below dir (skipping hidden entries and "tests"
 * folders, which hold test captures); returns 0 or -1 when dir is unreadable. */
static int collect_yaml(const char *dir, int depth, struct strlist *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		char *p;

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/",
			      de->d_name);
		if (stat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				if (strcmp(de->d_name, "tests") != 0 && depth < 8)
					collect_yaml(p, depth + 1, out);
			} else if (S_ISREG(st.st_mode) && n > 5 &&
				   strcmp(de->d_name + n - 5, ".yaml") == 0) {
				strlist_adds(out, p);
			}
		}
		free(p);
	}
	closedir(d);
	return 0;
}

/* Load every rule file below dir in path order; returns the number of
 * diagnostics or -1 when dir cannot be read. */
int rule_set_load_dir(struct rule_set *rs, const char *dir, struct strlist *diags)
{
	struct strlist files = { 0 };
	size_t i;
	int total = 0, n;
	struct stat st;

	if (stat(dir, &st) == 0 && S_ISREG(st.st_mode))
		return rule_set_load_file(rs, dir, diags);
	if (collect_yaml(dir, 0, &files) < 0) {
		char *msg = xasprintf("%s: %s", dir, strerror(errno));
		strlist_adds(diags, msg);
		free(msg);
		return -1;
	}
	if (files.n)
		qsort(files.v, files.n, sizeof(*files.v), cmp_str);
	for (i = 0; i < files.n; i++) {
		n = rule_set_load_file(rs, files.v[i], diags);
		total += n < 0 ? 1 : n;
	}
	strlist_release(&files);
	return total;
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
