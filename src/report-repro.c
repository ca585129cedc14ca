/* report-repro.c - a sanitized curl command that reproduces one request,
 * for vendors who ask for a repro (report-util.h).
 *
 * The values come from the database, where secrets are already replaced
 * by a type prefix and a fingerprint ("Bearer vck_…[#854b84]"); each such
 * replacement becomes a named shell variable ("$AI_GATEWAY_API_KEY") the
 * engineer sets before running the command, so the command runs and still
 * carries no secret.  Every value also goes through report_clean() (a
 * database kept with --keep-secrets holds raw values). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report-util.h"
#include "util.h"

#define REPRO_HEADERS_CAP 60   /* request headers written */
#define REPRO_BODY_CAP    4096 /* bytes of a request body written inline */
#define REPRO_VARS_CAP    16   /* distinct placeholders */
#define ELLIPSIS          "\xe2\x80\xa6"

/* Placeholder names by the type prefix the redaction kept. */
static const struct {
	const char *prefix;
	const char *name;
} prefix_names[] = {
    {"sk-ant-", "ANTHROPIC_API_KEY"},
    {"sk-proj-", "OPENAI_API_KEY"},
    {"sk-svcacct-", "OPENAI_API_KEY"},
    {"sk-admin-", "OPENAI_ADMIN_KEY"},
    {"sk_live_", "STRIPE_API_KEY"},
    {"sk_test_", "STRIPE_API_KEY"},
    {"rk_live_", "STRIPE_API_KEY"},
    {"rk_test_", "STRIPE_API_KEY"},
    {"sk-", "OPENAI_API_KEY"},
    {"vck_", "AI_GATEWAY_API_KEY"},
    {"github_pat_", "GITHUB_TOKEN"},
    {"ghp_", "GITHUB_TOKEN"},
    {"gho_", "GITHUB_TOKEN"},
    {"ghs_", "GITHUB_TOKEN"},
    {"ghu_", "GITHUB_TOKEN"},
    {"glpat-", "GITLAB_TOKEN"},
    {"xox", "SLACK_TOKEN"},
    {"xapp-", "SLACK_TOKEN"},
    {"AKIA", "AWS_ACCESS_KEY_ID"},
    {"ASIA", "AWS_ACCESS_KEY_ID"},
    {"AIza", "GOOGLE_API_KEY"},
    {"ya29.", "GOOGLE_ACCESS_TOKEN"},
    {"hf_", "HF_TOKEN"},
    {"npm_", "NPM_TOKEN"},
    {"shpat_", "SHOPIFY_ACCESS_TOKEN"},
    {"SG.", "SENDGRID_API_KEY"},
    {"eyJ", "JWT"},
};

struct vars {
	char *fp[REPRO_VARS_CAP];   /* fingerprint "[#xxxxxx]" */
	char *name[REPRO_VARS_CAP]; /* its variable */
	size_t n;
};

/* A shell variable name from a header name: "x-api-key" -> "X_API_KEY". */
static char *name_from_header(const char *header)
{
	char *v = xasprintf("%s", header && header[0] ? header : "secret");
	for (char *p = v; *p; p++) {
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		else if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			*p = '_';
	}
	if (v[0] >= '0' && v[0] <= '9') {
		char *w = xasprintf("V_%s", v);
		free(v);
		v = w;
	}
	return v;
}

/* The variable for the secret with fingerprint fp and kept prefix
 * [pre, pre+npre), seen in header (or NULL). */
static const char *var_for(struct vars *vs, const char *fp, const char *pre, size_t npre,
                           const char *header)
{
	char *name = NULL;
	int same = 0;

	for (size_t i = 0; i < vs->n; i++)
		if (strcmp(vs->fp[i], fp) == 0)
			return vs->name[i];
	if (vs->n == REPRO_VARS_CAP)
		return "SECRET";
	for (size_t i = 0; i < sizeof(prefix_names) / sizeof(prefix_names[0]) && !name; i++) {
		size_t pl = strlen(prefix_names[i].prefix);
		if (npre >= pl && memcmp(pre, prefix_names[i].prefix, pl) == 0)
			name = xstrdup(prefix_names[i].name);
	}
	if (!name) {
		if (!header || !ascii_casecmp(header, "authorization") ||
		    !ascii_casecmp(header, "proxy-authorization"))
			name = xstrdup(header ? "API_TOKEN" : "SECRET");
		else
			name = name_from_header(header);
	}
	/* Two different secrets never share a name. */
	for (size_t i = 0; i < vs->n; i++)
		if (strncmp(vs->name[i], name, strlen(name)) == 0)
			same++;
	if (same) {
		char *n2 = xasprintf("%s_%d", name, same + 1);
		free(name);
		name = n2;
	}
	vs->fp[vs->n] = xstrdup(fp);
	vs->name[vs->n] = name;
	return vs->name[vs->n++];
}

static int is_token_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* Write v as one shell word: single quotes, or double quotes with the
 * placeholders as $NAME when it holds a redacted secret. */
static void shell_word(FILE *out, const char *v, struct vars *vs, const char *header)
{
	const char *p;
	int has = strstr(v, ELLIPSIS "[#") != NULL;

	if (!has) {
		fputc('\'', out);
		for (p = v; *p; p++) {
			if (*p == '\'')
				fputs("'\\''", out);
			else if (*p == '\n' || *p == '\r')
				fputc(' ', out);
			else
				fputc(*p, out);
		}
		fputc('\'', out);
		return;
	}
	fputc('"', out);
	for (p = v; *p;) {
		const char *e = strstr(p, ELLIPSIS "[#");
		const char *stop = e ? e : p + strlen(p);
		const char *pre = stop;
		/* The kept type prefix belongs to the placeholder. */
		while (e && pre > p && is_token_char((unsigned char)pre[-1]))
			pre--;
		for (const char *q = p; q < pre; q++) {
			if (*q == '"' || *q == '\\' || *q == '$' || *q == '`')
				fputc('\\', out);
			fputc(*q == '\n' || *q == '\r' ? ' ' : *q, out);
		}
		if (!e)
			break;
		{
			const char *fp = e + strlen(ELLIPSIS);
			const char *close = strchr(fp, ']');
			char fpbuf[16];
			size_t fl = close ? (size_t)(close - fp + 1) : 0;
			if (!close || fl >= sizeof fpbuf) {
				/* Not one of ours after all: write it escaped. */
				fputs(ELLIPSIS, out);
				p = e + strlen(ELLIPSIS);
				continue;
			}
			memcpy(fpbuf, fp, fl);
			fpbuf[fl] = '\0';
			p = close + 1;
			/* "$NAME", braced when a name character follows. */
			fprintf(out,
			        is_token_char((unsigned char)*p) && *p != '-' && *p != '.' ? "${%s}"
			                                                                   : "$%s",
			        var_for(vs, fpbuf, pre, (size_t)(e - pre), header));
		}
	}
	fputc('"', out);
}

/* A value from the database, cleaned for output. */
static const char *clean(const unsigned char *t, char **tofree)
{
	*tofree = NULL;
	return t ? report_clean((const char *)t, tofree) : NULL;
}

int report_repro_md(FILE *out, sqlite3 *db, long long ex_id)
{
	sqlite3_stmt *ex = NULL, *hd = NULL;
	struct vars vs;
	char *tf = NULL;
	const char *method, *url;
	const void *body;
	long long body_size;
	int nbody, ret = -1, nh = 0, binary = 0;

	memset(&vs, 0, sizeof(vs));
	if (sqlite3_prepare_v2(
	        db,
	        "SELECT e.method, e.url, e.req_body, e.req_body_size, "
	        "e.req_body_truncated, s.path, e.seq FROM exchanges e JOIN sources s ON "
	        "s.id = e.source_id WHERE e.id = ?1",
	        -1, &ex, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db,
	                       "SELECT name, value FROM headers WHERE exchange_id = ?1 AND "
	                       "side = 'request' ORDER BY idx",
	                       -1, &hd, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(ex, 1, ex_id);
	if (sqlite3_step(ex) != SQLITE_ROW)
		goto out;
	method = (const char *)sqlite3_column_text(ex, 0);
	url = (const char *)sqlite3_column_text(ex, 1);
	if (!method || !url ||
	    (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)) {
		ret = 1; /* nothing to run: no method or no absolute URL */
		goto out;
	}
	fputs("\n**Reproduce** (", out);
	report_md_text(out, (const char *)sqlite3_column_text(ex, 5), 200);
	fprintf(out, " exchange %lld):\n\n```sh\n", (long long)sqlite3_column_int64(ex, 6));
	fputs("curl -sS -i -X ", out);
	if (strspn(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(method))
		fputs(method, out);
	else
		shell_word(out, clean((const unsigned char *)method, &tf), &vs, NULL);
	free(tf);
	tf = NULL;
	fputc(' ', out);
	shell_word(out, clean((const unsigned char *)url, &tf), &vs, NULL);
	free(tf);
	tf = NULL;
	sqlite3_bind_int64(hd, 1, ex_id);
	while (sqlite3_step(hd) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(hd, 0);
		const char *value = (const char *)sqlite3_column_text(hd, 1);
		char *line;
		/* HTTP/2 pseudo-headers and what curl computes itself. */
		if (!name || name[0] == ':' || !ascii_casecmp(name, "content-length") ||
		    !ascii_casecmp(name, "host"))
			continue;
		if (++nh > REPRO_HEADERS_CAP)
			continue; /* counted, said after the command */
		/* Cleaned as a header line too: with --keep-secrets the text
		 * redaction knows secrets by the header's name. */
		line = xasprintf("%s: %s", name, value ? value : "");
		{
			const char *cl = clean((const unsigned char *)line, &tf);
			fputs(" \\\n  -H ", out);
			shell_word(out, cl, &vs, name);
			free(tf);
		}
		free(line);
	}
	body = sqlite3_column_blob(ex, 2);
	nbody = sqlite3_column_bytes(ex, 2);
	body_size = sqlite3_column_int64(ex, 3);
	if (body && nbody > 0) {
		binary =
		    memchr(body, '\0', (size_t)nbody) != NULL || !utf8_valid(body, (size_t)nbody);
		if (binary || nbody > REPRO_BODY_CAP || sqlite3_column_int(ex, 4)) {
			fprintf(out,
			        " \\\n  --data-binary @body  # the request body (%lld bytes) is in "
			        "the capture",
			        body_size > 0 ? body_size : (long long)nbody);
		} else {
			char *b = xstrndup(body, (size_t)nbody);
			fputs(" \\\n  --data-raw ", out);
			shell_word(out, clean((const unsigned char *)b, &tf), &vs, NULL);
			free(tf);
			free(b);
		}
	}
	fputs("\n```\n", out);
	if (nh > REPRO_HEADERS_CAP)
		fprintf(out, "\n%d more request headers are in the capture.\n",
		        nh - REPRO_HEADERS_CAP);
	if (vs.n) {
		fputs("\nSet first: ", out);
		for (size_t i = 0; i < vs.n; i++)
			fprintf(out, "%s`%s`", i ? ", " : "", vs.name[i]);
		fputs(" (the captured secrets are not in this report).\n", out);
	}
	ret = 0;
out:
	for (size_t i = 0; i < vs.n; i++) {
		free(vs.fp[i]);
		free(vs.name[i]);
	}
	sqlite3_finalize(ex);
	sqlite3_finalize(hd);
	return ret;
}
