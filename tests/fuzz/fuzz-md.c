/* fuzz-md.c - the Markdown report writer, with the property that captured
 * text cannot change the document's structure.
 *
 * The input, split at NUL bytes into pieces, fills every capture-controlled
 * value a report shows: url, method, status text, status/url/host sources,
 * error, a request-ID header value, body, start time, member name, note,
 * the error of an unreadable attachment and the matched evidence (rendered
 * into advice by the real renderer).  The same report is written again with
 * every structure-active byte of every piece replaced by 'a' (md_active;
 * same lengths; line breaks, '=' and '&' kept, so parsed times, URLs and
 * rule matches stay); and the report's tables and fences must be
 * consistent on their own (check_tables).  The two must
 * have the same skeleton: one kind per line (blank, heading level, table
 * row and its cell count, list item, fence, quote, html, paragraph ...).
 * A line break, a heading or a cell boundary smuggled in from a capture
 * shows up as a difference. */
#include <config.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "report.h"
#include "rule.h"
#include "store.h"
#include "util.h"

#define NPIECES 10

static struct rule_set *rules;

static const char rule_yaml[] =
	"id: fuzz.md\n"
	"title: 'Fuzz report rule'\n"
	"vendor: Fuzz\n"
	"severity: high\n"
	"status: experimental\n"
	"priority: 50\n"
	"advice: |\n"
	"  **The upstream failed** ({{status}}) behind {{server}}.\n"
	"  - Next: quote {{server}} and {{missing}}.\n"
	"match:\n"
	"  status: { field: status, in: [502] }\n"
	"  server: { field: response.header.server, regex: '(?<server>.+)' }\n"
	"condition: status and server\n";

static const struct rule *fuzz_rule(void)
{
	if (!rules) {
		struct strlist diags = {0};
		const char *p = fz_write_file("fuzz.md.yaml", (const uint8_t *)rule_yaml,
					      sizeof(rule_yaml) - 1);
		rules = rule_set_new();
		rule_set_load_file(rules, p, &diags);
		if (rule_set_count(rules) != 1)
			fz_fail("the harness rule did not load: %s", diags.n ? diags.v[0] : "?");
		strlist_release(&diags);
	}
	return rule_set_get(rules, 0);
}

/* Write the report of one exchange built from the pieces; returns it. */
static char *report_of(char *const *pc, const size_t *len)
{
	char err[256];
	struct store *st = store_open(NULL, err, sizeof(err));
	struct exchange ex;
	struct source_info si = {NULL, "t", "har"}, bad = {NULL, "t", NULL};
	struct import_result res;
	struct report_opts ro;
	long long src, ex_id;
	char *path, *evjson, *advice, *doc = NULL;
	size_t doclen = 0;
	json_t *ev;
	FILE *out;

	if (!st)
		fz_fail("store_open: %s", err);
	path = malloc(len[8] + 16);
	sprintf(path, "t.zip!%s", pc[8]);
	si.path = path;
	if (store_source_begin(st, &si, &src) != 0)
		fz_fail("store_source_begin: %s", store_errmsg(st));
	exchange_init(&ex);
	exchange_set(&ex.method, pc[1]);
	exchange_set_url(&ex, pc[0]);
	if (!ex.url)
		exchange_set(&ex.url, pc[0]);
	ex.status = 502;
	exchange_set(&ex.status_text, pc[2]);
	exchange_set(&ex.status_source, pc[3]);
	exchange_set(&ex.url_source, pc[3]);
	exchange_set(&ex.host_source, pc[4]);
	exchange_set(&ex.error, pc[4]);
	exchange_set(&ex.started_at, pc[7]);
	exchange_set(&ex.name, pc[5]);
	hdr_list_adds(&ex.resp_headers, "Server", pc[5]);
	hdr_list_adds(&ex.resp_headers, "x-request-id", pc[6]);
	hdr_list_adds(&ex.resp_headers, "Content-Type", "text/html");
	body_set(&ex.resp_body, pc[9], len[9]);
	ex.kind = EXCHANGE_FRAGMENT;
	if (store_add_exchange(st, src, &ex, &ex_id) != 0)
		fz_fail("store_add_exchange: %s", store_errmsg(st));
	exchange_release(&ex);
	store_add_note(st, src, 0, "truncated-body", pc[6]);
	memset(&res, 0, sizeof(res));
	res.status = IMPORT_PARTIAL;
	res.format = FMT_HAR;
	res.exchanges = 1;
	snprintf(res.message, sizeof(res.message), "%s", pc[2]);
	if (store_source_end(st, src, &si, &res, "00", 100, 1) != 0)
		fz_fail("store_source_end: %s", store_errmsg(st));
	bad.path = path;
	store_source_failed(st, &bad, pc[4]);

	ev = json_object();
	json_object_set_new(ev, "status", json_string("502"));
	{
		/* the rule engine's evidence is valid UTF-8 (the store holds no
		 * invalid bytes: exchange_repair_utf8) */
		long fixed;
		char *v = utf8_repair(pc[5], len[5], NULL, &fixed);
		json_object_set_new(ev, "server", json_string(v));
		free(v);
	}
	evjson = json_dumps(ev, JSON_SORT_KEYS);
	json_decref(ev);
	advice = rule_render_advice(fuzz_rule(), evjson);
	store_begin(st);
	store_add_rule(st, "fuzz.md", "Fuzz report rule", "high", 50, "Fuzz", "rules/fuzz.yaml");
	if (store_add_finding(st, ex_id, "fuzz.md", "high", "Fuzz report rule", evjson, advice,
			      0) != 0)
		fz_fail("store_add_finding: %s", store_errmsg(st));
	store_commit(st);
	free(evjson);
	free(advice);

	memset(&ro, 0, sizeof(ro));
	ro.format = REPORT_MD;
	out = open_memstream(&doc, &doclen);
	if (report_write(st, out, &ro, err, sizeof(err)) != 0)
		fz_fail("report_write: %s", err);
	fclose(out);
	store_free(st);
	free(path);
	return doc;
}

/* One token per line: its block kind, for headings the level, for table
 * rows the number of cell boundaries (a '|' not escaped by '\'). */
static void skeleton(const char *doc, char **out, size_t *outlen)
{
	FILE *f = open_memstream(out, outlen);
	int fence = 0;
	const char *p = doc;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p), i = 0;
		if (fence) {
			if (n >= 3 && (!strncmp(p, "```", 3) || !strncmp(p, "~~~", 3)))
				fence = 0, fputs("fence-end\n", f);
			else
				fputs("code\n", f);
		} else {
			while (i < n && i < 4 && p[i] == ' ')
				i++;
			if (i == n)
				fputs("blank\n", f);
			else if (i >= 4)
				fputs("indented\n", f);
			else if (p[i] == '#') {
				size_t h = i;
				while (h < n && p[h] == '#')
					h++;
				fprintf(f, "hash%zu%s\n", h - i, h < n && p[h] == ' ' ? " heading" : "");
			} else if (n - i >= 3 && (!strncmp(p + i, "```", 3) || !strncmp(p + i, "~~~", 3)))
				fence = 1, fputs("fence\n", f);
			else if (p[i] == '|') {
				int cells = 0;
				for (size_t k = i; k < n; k++)
					if (p[k] == '|' && (k == 0 || p[k - 1] != '\\'))
						cells++;
				fprintf(f, "row%d\n", cells);
			} else if (p[i] == '>')
				fputs("quote\n", f);
			else if (p[i] == '<')
				fputs("html\n", f);
			else if ((p[i] == '-' || p[i] == '*' || p[i] == '+') && (i + 1 == n || p[i + 1] == ' '))
				fputs("item\n", f);
			else if (p[i] == '=' || p[i] == '-' || p[i] == '_' || p[i] == '*')
				fputs("rule-or-underline\n", f);
			else if (p[i] >= '0' && p[i] <= '9') {
				size_t k = i;
				while (k < n && p[k] >= '0' && p[k] <= '9')
					k++;
				fputs(k < n && (p[k] == '.' || p[k] == ')') ? "ordered\n" : "para\n", f);
			} else
				fputs("para\n", f);
		}
		p += n + (e ? 1 : 0);
	}
	fclose(f);
}

/* Cut the "## Overview" section out of doc (in place).  Its tables are
 * chosen from values (sizes, times, which body is largest), not written
 * from captured text, so the twin may legitimately show other ones; every
 * captured string it prints also appears in the sections compared. */
static void drop_overview(char *doc)
{
	/* the writer's own "## Overview" heading: a line outside fences (a
	 * captured body shown in a fenced repro may hold the same text) */
	char *p = doc, *start = NULL;
	int fence = 0;
	while (*p) {
		char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n >= 3 && !strncmp(p, "```", 3)) {
			fence = !fence;
		} else if (!fence && !start && n == 11 && !strncmp(p, "## Overview", 11)) {
			start = p;
		} else if (!fence && start && n >= 3 && !strncmp(p, "## ", 3)) {
			memmove(start, p, strlen(p) + 1);
			return;
		}
		p += n + (e ? 1 : 0);
	}
	if (start)
		*start = '\0';
}

/* Bytes that can change a Markdown line's structure in place (table
 * cells, code spans, HTML, escapes); '#', emphasis and link brackets
 * change a line only at its start, after a line break (kept, see below),
 * and the writer reads some of them ("…[#fingerprint]").  The twin
 * report replaces only these, so what the writer derives from a value (a
 * parsed time, a URL and its query, a rule's match) stays the same.  Line
 * breaks are kept in the twin: their injection is caught by
 * check_tables() on the report itself. */
static int md_active(char c)
{
	return c != '\0' && strchr("|`<>\\", c) != NULL;
}

/* Count the cell boundaries of a table row (a '|' not escaped by '\'). */
static int row_cells(const char *p, size_t n)
{
	int cells = 0;
	for (size_t k = 0; k < n; k++)
		if (p[k] == '|' && (k == 0 || p[k - 1] != '\\'))
			cells++;
	return cells;
}

/* The report's own consistency: every row of a table has the header's
 * number of cells and every fence is closed.  A line break smuggled into
 * a table cell splits its row; one smuggled into a fenced block or a
 * paragraph shows as an unclosed fence or a stray row.  Returns NULL or
 * what is wrong. */
static const char *check_tables(const char *doc)
{
	const char *p = doc;
	int fence = 0, header = -1;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (fence) {
			if (n >= 3 && !strncmp(p, "```", 3))
				fence = 0;
		} else if (n >= 3 && !strncmp(p, "```", 3)) {
			fence = 1;
			header = -1;
		} else if (n && p[0] == '|') {
			int c = row_cells(p, n);
			if (header < 0)
				header = c;
			else if (c != header)
				return "a table row has another number of cells than its header";
		} else {
			header = -1;
		}
		p += n + (e ? 1 : 0);
	}
	return fence ? "a fence is not closed" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *pc[NPIECES], *plain[NPIECES], *doc1, *doc2, *sk1, *sk2;
	size_t len[NPIECES], off = 0, l1, l2;
	int i;

	if (size > 65536)
		return 0;
	for (i = 0; i < NPIECES; i++) {
		const uint8_t *z = off < size ? memchr(data + off, 0, size - off) : NULL;
		size_t n = off < size ? (z ? (size_t)(z - data) - off : size - off) : 0;
		pc[i] = fz_strdup(data + off, n);
		len[i] = n;
		plain[i] = malloc(n + 1);
		for (size_t k = 0; k < n; k++)
			plain[i][k] = md_active(pc[i][k]) ? 'a' : pc[i][k];
		plain[i][n] = '\0';
		off += n + 1;
	}
	doc1 = report_of(pc, len);
	doc2 = report_of(plain, len);
	if (getenv("FUZZ_SHOW"))
		fputs(doc1, stderr);
	drop_overview(doc1);
	drop_overview(doc2);
	skeleton(doc1, &sk1, &l1);
	skeleton(doc2, &sk2, &l2);
	{
		const char *bad = check_tables(doc1);
		if (bad) {
			fprintf(stderr, "---- report from the input:\n%s\n", doc1);
			fz_fail("captured text broke the report: %s", bad);
		}
	}
	if (l1 != l2 || memcmp(sk1, sk2, l1) != 0) {
		fprintf(stderr, "---- report from the input:\n%s\n---- skeleton:\n%s\n---- with plain text:\n%s\n",
			doc1, sk1, sk2);
		fz_fail("captured text changed the report's structure");
	}
	free(sk1);
	free(sk2);
	free(doc1);
	free(doc2);
	for (i = 0; i < NPIECES; i++) {
		free(pc[i]);
		free(plain[i]);
	}
	return 0;
}
