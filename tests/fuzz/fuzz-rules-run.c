/* fuzz-rules-run.c - what the rule targets (fuzz-rules, fuzz-cond) share:
 * load a rule file and exercise every rule it holds. */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "rule.h"

static struct exchange samples[2];

static void make_samples(void)
{
	struct exchange *a = &samples[0], *b = &samples[1];
	exchange_init(a);
	exchange_set(&a->method, "GET");
	exchange_set_url(a, "https://api.example.com/v1/items?id=7");
	a->status = 502;
	exchange_set(&a->status_text, "Bad Gateway");
	hdr_list_adds(&a->resp_headers, "Server", "nginx");
	hdr_list_adds(&a->resp_headers, "Content-Type", "text/html");
	body_set(&a->resp_body, "<html><title>502 Bad Gateway</title></html>", 43);
	exchange_init(b);
	exchange_set(&b->method, "POST");
	exchange_set_url(b, "https://auth.example.com/oauth/token");
	b->status = 400;
	hdr_list_adds(&b->resp_headers, "Content-Type", "application/json");
	body_set(&b->resp_body, "{\"error\":\"invalid_grant\",\"error_description\":\"expired\"}", 56);
	b->kind = EXCHANGE_CAPTURE;
}

static int on_finding(void *ctx, const struct rule_finding *f)
{
	long *n = ctx;
	if (!f->rule || !f->evidence_json || !f->advice)
		fz_fail("finding without rule, evidence or advice");
	(*n)++;
	return 0;
}

/* The loader wants a rule's id to be its file name: take the id from an
 * "id: x" line when it is a safe name, so that real rules load whole. */
static const char *file_name(const uint8_t *data, size_t size)
{
	static char name[128];
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t n = e ? (size_t)(e - p) : (size_t)(end - p), k = 4;
		if (n > 4 && !memcmp(p, "id: ", 4)) {
			size_t m = 0;
			while (k < n && m < 100 && strchr("abcdefghijklmnopqrstuvwxyz0123456789._-", p[k]) && p[k])
				name[m++] = p[k++];
			if (m && k == n) {
				memcpy(name + m, ".yaml", 6);
				return name;
			}
			break;
		}
		p += n + 1;
	}
	return "rule.yaml";
}

/* Load data as a rule file and exercise what was loaded. */
void fz_rules_run(const uint8_t *data, size_t size)
{
	struct rule_set *rs = rule_set_new();
	struct strlist diags = {0};
	const char *path;
	size_t i, n;
	long found = 0;
	static int ready;

	if (!ready) {
		make_samples();
		ready = 1;
	}

	path = fz_write_file(file_name(data, size), data, size);
	rule_set_load_file(rs, path, &diags);
	for (i = 0; i < diags.n; i++)
		if (strlen(diags.v[i]) == 0)
			fz_fail("empty diagnostic");
	n = rule_set_count(rs);
	{
		/* A run that only matches counts the tests instead of
		 * parsing them: it may accept a file whose test exchanges
		 * have a problem, but what it reports is what a full parse
		 * reports, and what a full parse accepts it accepts. */
		struct rule_set *run = rule_set_new();
		struct strlist d2 = {0};
		rule_set_skip_tests(run);
		rule_set_load_file(run, path, &d2);
		for (i = 0; d2.n && i < (d2.n > diags.n ? d2.n : diags.n); i++)
			if (i >= d2.n || i >= diags.n || strcmp(d2.v[i], diags.v[i]) != 0)
				fz_fail("a matching run's diagnostics differ from the full parse's");
		if (!diags.n && (d2.n || rule_set_count(run) != n))
			fz_fail("a matching run refuses what the full parse accepts");
		strlist_release(&d2);
		rule_set_free(run);
	}
	for (i = 0; i < n; i++) {
		const struct rule *r = rule_set_get(rs, i);
		char *adv;
		if (!rule_id(r) || !rule_title(r))
			fz_fail("a loaded rule without id or title");
		adv = rule_render_advice(r, "{\"status\":\"502\",\"x\":\"`|#\"}");
		free(adv);
	}
	if (n) {
		rule_set_set_source(rs, "fuzz.har");
		rule_set_match(rs, &samples[0], on_finding, &found);
		rule_set_match(rs, &samples[1], on_finding, &found);
	}
	strlist_release(&diags);
	rule_set_free(rs);
}

