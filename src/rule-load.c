/* rule-load.c - the strict rule loader (docs/rules.md): rule files and
 * folders into a rule set.
 *
 * The YAML tree comes from rule-yaml.c, field names from the field table
 * (rule-fields.c), the condition from rule-cond.c.  This file checks the
 * keys of a rule, builds its matchers (compiling regexes with PCRE2 JIT),
 * its extract entries and tests, and adds the rule to the set.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rule-int.h"
#include "rule-yaml.h"

/* Compile m->str; returns 0 or -1 with a diagnostic at the error offset. */
static int compile_regex(struct loadctx *lc, struct matcher *m, const struct ynode *v)
{
	uint32_t count = 0, esize = 0, i;
	PCRE2_SPTR table = NULL;
	size_t erroff = 0;
	int errcode = 0, line, col;

	m->re = re_acquire(m->str, RULE_RE_OPTS(m->icase), &m->jit, &errcode, &erroff);
	if (!m->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		scalar_pos(lc, v, erroff, &line, &col);
		ldiag(lc, line, col, "invalid regex: %s", (const char *)msg);
		return -1;
	}
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
		if (field_lookup(fv->s, &m->field, &m->hname) < 0)
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
			ldiag(lc, v->line, v->col,
			      "id '%s' does not match the file name '%s.yaml': name the file '%s.yaml' "
			      "or the id '%s'", r->id, stem, r->id, stem);
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
	if (lc->counted) {
		nmatch = lc->nmatch;
		nnomatch = lc->nnomatch;
	} else if (v && parse_tests(lc, r, v) == 0) {
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
		r->fields |= UINT64_C(1) << r->m[i].field;
	for (i = 0; i < r->nx; i++)
		r->fields |= UINT64_C(1) << r->x[i].field;
out:
	free(stem);
	if (lc->nerr) {
		rule_free(r);
		return NULL;
	}
	return r;
}

/* Fill lc->lines with the offset of every line start of lc->buf. */
static void lines_index(struct loadctx *lc)
{
	size_t alloc = 0;
	const char *p = lc->buf, *end = lc->buf + lc->len;

	lc->lines = xgrow(NULL, &alloc, 64, sizeof(size_t));
	lc->lines[0] = 0;
	lc->nlines = 1;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		lc->lines = xgrow(lc->lines, &alloc, lc->nlines + 1, sizeof(size_t));
		lc->lines[lc->nlines++] = (size_t)(p - lc->buf);
	}
}

/* Read the file open on fd into *buf (NUL-terminated, *len bytes): 0, 1
 * past RULE_FILE_CAP, or -1 with errno on a read error.  One read() takes
 * a whole rule file: the buffer is sized from fstat(), and a short read of
 * a regular file is its end. */
static int read_capped(int fd, char **buf, size_t *len)
{
	struct stat st;
	size_t want = 8192, alloc = 0;
	int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);

	if (regular && st.st_size >= 0)
		want = (size_t)st.st_size < RULE_FILE_CAP ? (size_t)st.st_size + 1 : RULE_FILE_CAP + 1;
	*len = 0;
	for (;;) {
		ssize_t got;

		*buf = xgrow(*buf, &alloc, *len + want + 1, 1);
		got = read(fd, *buf + *len, want);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		*len += (size_t)got;
		if (*len > RULE_FILE_CAP)
			return 1;
		if (got == 0 || (regular && (size_t)got < want))
			break;
	}
	(*buf)[*len] = '\0';
	return 0;
}

/* For a set that keeps no tests: the rule of lc's file read without its
 * tests, when tests_tail() can count them and nothing else is wrong; else
 * NULL with lc as it was, and the caller loads the whole file, so that
 * the diagnostics are always those of a full parse. */
static struct rule *load_counted(struct loadctx *lc)
{
	struct strlist quiet = { 0 };
	struct strlist *diags = lc->diags;
	struct ynode *root;
	struct rule *r = NULL;
	size_t at, len = lc->len;

	if (!tests_tail(lc->buf, lc->len, &at, &lc->nmatch, &lc->nnomatch) || !lc->nmatch ||
	    !lc->nnomatch)
		return NULL;
	lc->len = at;
	lc->diags = &quiet;
	lc->counted = 1;
	root = parse_yaml(lc);
	lc->len = len;
	if (root && !lc->nerr)
		r = build_rule(lc, root);
	lc->diags = diags;
	strlist_release(&quiet);
	ytree_free(lc);
	if (!r) {
		lc->nerr = 0;
		lc->nodes = 0;
		lc->counted = 0;
	}
	return r;
}

/* Load one rule file into rs; returns the number of new diagnostics, or -1
 * when the file cannot be read. */
int rule_set_load_file(struct rule_set *rs, const char *path, struct strlist *diags)
{
	struct loadctx lc;
	struct ynode *root = NULL;
	struct rule *r = NULL;
	char *data = NULL;
	size_t len = 0;
	int fd, ret = -1, rc;

	memset(&lc, 0, sizeof(lc));
	lc.path = path;
	lc.diags = diags;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		char *msg = xasprintf("%s: %s", path, strerror(errno));
		strlist_adds(diags, msg);
		free(msg);
		goto out;
	}
	rc = read_capped(fd, &data, &len);
	close(fd);
	if (rc != 0) {
		if (rc > 0)
			ldiag(&lc, 1, 1, "rule file larger than %zu bytes", RULE_FILE_CAP);
		else
			ldiag(&lc, 1, 1, "read error: %s", strerror(errno));
		ret = lc.nerr;
		goto out;
	}
	lc.buf = data;
	lc.len = len;
	if (memchr(lc.buf, '\0', lc.len)) {
		ldiag(&lc, 1, 1, "rule file contains a NUL byte");
		ret = lc.nerr;
		goto out;
	}
	lines_index(&lc);
	if (rs->skip_tests)
		r = load_counted(&lc);
	if (!r) {
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
	}
	if (r) {
		const struct rule *dup = rule_set_find(rs, r->id);
		if (dup) {
			ldiag(&lc, r->id_line, r->id_col, "duplicate rule id '%s' (also in %s)", r->id,
			      dup->path);
			rule_free(r);
			r = NULL;
		}
	}
	if (r)
		rule_set_add(rs, r);
	ret = lc.nerr;
out:
	ytree_free(&lc);
	free(lc.lines);
	free(data);
	return ret;
}

/* qsort comparator for rule paths: byte order of the paths without their
 * ".yaml", so that "x.yaml" comes before "x.y.yaml" as id "x" comes
 * before "x.y" (a rule family and its members). */
static int cmp_str(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t nx = strlen(x), ny = strlen(y);
	int c;
	nx -= nx > 5 && strcmp(x + nx - 5, ".yaml") == 0 ? 5 : 0;
	ny -= ny > 5 && strcmp(y + ny - 5, ".yaml") == 0 ? 5 : 0;
	c = memcmp(x, y, nx < ny ? nx : ny);
	return c ? c : (nx > ny) - (nx < ny);
}

/* Collect *.yaml paths below dir (skipping hidden entries and "tests"
 * folders, which hold test captures); returns 0 or -1 when dir is unreadable. */
/* Paths of rule files (not a strlist: that one stops at TRANSCRIPT_CAP). */
struct paths {
	char **v;
	size_t n, alloc;
	size_t dropped; /* past RULE_FILES_CAP */
};

static int collect_yaml(const char *dir, int depth, struct paths *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat st;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		mode_t mode;
		char *p;
		int yaml;

		if (de->d_name[0] == '.')
			continue;
		yaml = n > 5 && strcmp(de->d_name + n - 5, ".yaml") == 0;
		p = xasprintf("%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/",
			      de->d_name);
		/* The entry's type from readdir() when the file system gives
		 * it, which saves a stat() per rule file. */
		mode = de->d_type == DT_DIR ? S_IFDIR : de->d_type == DT_REG ? S_IFREG : 0;
		if (!mode && stat(p, &st) == 0)
			mode = st.st_mode;
		if (mode) {
			if (S_ISDIR(mode)) {
				if (strcmp(de->d_name, "tests") != 0 && depth < 8)
					collect_yaml(p, depth + 1, out);
			} else if (S_ISREG(mode) && yaml) {
				if (out->n < RULE_FILES_CAP) {
					out->v = xgrow(out->v, &out->alloc, out->n + 1, sizeof(*out->v));
					out->v[out->n++] = p;
					p = NULL;
				} else {
					out->dropped++;
				}
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
	struct paths files = { NULL, 0, 0, 0 };
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
		free(files.v[i]);
	}
	free(files.v);
	if (files.dropped) {
		char *msg = xasprintf("%s: %zu rule files past the first %d not read", dir, files.dropped,
				      RULE_FILES_CAP);
		strlist_adds(diags, msg);
		free(msg);
		total++;
	}
	return total;
}
