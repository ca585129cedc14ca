/* import-dump.c - run import_stream() on one file and print, as text, every
 * exchange and note the importer hands to its sink, in the order it hands
 * them over.  tests/t0800-import-cases.sh compares this dump with
 * tests/import/<format>/<case>/expected.txt.
 *
 * The dump shows what the importer emits, before redaction: redaction is a
 * later stage with its own tests (t06*), and a dump that went through it
 * would pin the redactor's behaviour into every importer case.  Fixtures
 * therefore carry only made-up credentials.
 *
 * Strings are printed in double quotes with C escapes (\n, \", \\, \xNN for
 * control bytes and for every byte >= 0x80 of a string that is not valid
 * UTF-8); NULL is printed as (null), so unknown and empty stay apart.
 * Bodies are printed up to BODY_SHOW bytes, followed by the sha256 of the
 * whole kept body when they are longer.
 *
 * Usage: import-dump [--format-hint=NAME] [--env=FILE]... [--slurp-cap=N] FILE
 * Exit status: 0 the dump was written (whatever the import result), 2 usage,
 * 3 the file could not be opened.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "hstream.h"
#include "import.h"
#include "util.h"

#define BODY_SHOW 2048
#define MAX_ENVS 16

/* Print s[0..n) as a quoted, escaped string; utf8 says whether bytes >=
 * 0x80 may be printed as they are. */
static void put_quoted(const char *s, size_t n, int utf8)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '\n': fputs("\\n", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '"': fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		default:
			if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8))
				printf("\\x%02x", c);
			else
				putchar(c);
		}
	}
	putchar('"');
}

/* "key: value" for a string field that may be NULL. */
static void put_str(const char *indent, const char *key, const char *s)
{
	printf("%s%s: ", indent, key);
	if (s)
		put_quoted(s, strlen(s), utf8_valid(s, strlen(s)));
	else
		fputs("(null)", stdout);
	putchar('\n');
}

static void put_headers(const char *side, const struct hdr_list *l)
{
	printf("  %s.headers: %zu", side, l->n);
	if (l->dropped)
		printf(" (dropped %zu)", l->dropped);
	putchar('\n');
	for (size_t i = 0; i < l->n; i++) {
		fputs("    ", stdout);
		put_quoted(l->v[i].name, strlen(l->v[i].name), utf8_valid(l->v[i].name, strlen(l->v[i].name)));
		fputs(": ", stdout);
		put_quoted(l->v[i].value, strlen(l->v[i].value),
			   utf8_valid(l->v[i].value, strlen(l->v[i].value)));
		putchar('\n');
	}
}

static void put_body(const char *side, const struct body *b)
{
	size_t show;
	int utf8;

	printf("  %s.body: ", side);
	if (!b->data) {
		printf("(none) size=%lld", b->size);
		fputs(" mime=", stdout);
		if (b->mime)
			put_quoted(b->mime, strlen(b->mime), utf8_valid(b->mime, strlen(b->mime)));
		else
			fputs("(null)", stdout);
		putchar('\n');
		return;
	}
	printf("len=%zu size=%lld truncated=%d mime=", b->len, b->size, b->truncated);
	if (b->mime)
		put_quoted(b->mime, strlen(b->mime), utf8_valid(b->mime, strlen(b->mime)));
	else
		fputs("(null)", stdout);
	putchar('\n');
	utf8 = utf8_valid(b->data, b->len);
	show = b->len < BODY_SHOW ? b->len : BODY_SHOW;
	/* Do not cut a UTF-8 sequence in two. */
	if (utf8 && show < b->len)
		while (show > 0 && ((unsigned char)b->data[show] & 0xc0) == 0x80)
			show--;
	fputs("    ", stdout);
	put_quoted(b->data, show, utf8);
	putchar('\n');
	if (show < b->len) {
		struct sha256 h;
		unsigned char d[32];
		char hex[65];
		sha256_init(&h);
		sha256_update(&h, b->data, b->len);
		sha256_final(&h, d);
		sha256_hex(d, hex);
		printf("    ... %zu more bytes, sha256 of all %zu: %s\n", b->len - show, b->len, hex);
	}
}

/* A timing in ms as the source gave it; -1 stays -1. */
static void put_timing(const char *key, double v)
{
	printf(" %s=%.3f", key, v);
}

static int dump_emit(void *ctx, struct exchange *ex)
{
	const struct timings *t = &ex->timings;
	(void)ctx;
	printf("exchange %ld\n", ex->seq);
	put_str("  ", "started_at", ex->started_at);
	put_str("  ", "name", ex->name);
	put_str("  ", "method", ex->method);
	put_str("  ", "url", ex->url);
	put_str("  ", "scheme", ex->scheme);
	put_str("  ", "host", ex->host);
	printf("  port: %d\n", ex->port);
	put_str("  ", "path", ex->path);
	put_str("  ", "query", ex->query);
	put_str("  ", "http_version", ex->http_version);
	printf("  status: %d\n", ex->status);
	put_str("  ", "status_text", ex->status_text);
	put_str("  ", "status_source", ex->status_source);
	put_str("  ", "error", ex->error);
	printf("  exit_code: %d\n", ex->exit_code);
	printf("  redirect_of: %ld\n", ex->redirect_of);
	fputs("  timings:", stdout);
	put_timing("total", t->total);
	put_timing("blocked", t->blocked);
	put_timing("dns", t->dns);
	put_timing("connect", t->connect);
	put_timing("ssl", t->ssl);
	put_timing("send", t->send);
	put_timing("wait", t->wait);
	put_timing("receive", t->receive);
	putchar('\n');
	put_headers("request", &ex->req_headers);
	put_body("request", &ex->req_body);
	put_headers("response", &ex->resp_headers);
	put_body("response", &ex->resp_body);
	printf("  transcript: %zu", ex->transcript.n);
	if (ex->transcript.dropped)
		printf(" (dropped %zu)", ex->transcript.dropped);
	putchar('\n');
	for (size_t i = 0; i < ex->transcript.n; i++) {
		const char *l = ex->transcript.v[i];
		fputs("    ", stdout);
		put_quoted(l, strlen(l), utf8_valid(l, strlen(l)));
		putchar('\n');
	}
	put_str("  ", "extra", ex->extra);
	return 0;
}

static void dump_note(void *ctx, enum note_kind kind, long seq, const char *msg)
{
	(void)ctx;
	printf("note %s seq=%ld: ", note_kind_name(kind), seq);
	put_quoted(msg, strlen(msg), utf8_valid(msg, strlen(msg)));
	putchar('\n');
}

static const char *const status_names[] = {"ok", "partial", "error", "not-capture"};

int main(int argc, char **argv)
{
	const char *envs[MAX_ENVS + 1];
	size_t nenv = 0;
	struct import_opts opts;
	struct import_sink sink = {dump_emit, dump_note, NULL};
	struct import_result res;
	struct hstream s;
	const char *path = NULL;
	char sha[65];
	int i;

	memset(&opts, 0, sizeof(opts));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (starts_with(a, "--format-hint=")) {
			opts.hint = capture_format_from_name(a + 14);
			if (opts.hint == FMT_UNKNOWN) {
				fprintf(stderr, "import-dump: unknown format '%s'\n", a + 14);
				return 2;
			}
		} else if (starts_with(a, "--env=")) {
			if (nenv == MAX_ENVS) {
				fprintf(stderr, "import-dump: more than %d --env\n", MAX_ENVS);
				return 2;
			}
			envs[nenv++] = a + 6;
		} else if (starts_with(a, "--slurp-cap=")) {
			opts.slurp_cap = (size_t)strtoull(a + 12, NULL, 10);
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "import-dump: unknown option '%s'\n", a);
			return 2;
		} else if (!path) {
			path = a;
		} else {
			fprintf(stderr, "import-dump: one file only\n");
			return 2;
		}
	}
	if (!path) {
		fprintf(stderr, "Usage: import-dump [--format-hint=NAME] [--env=FILE]... "
				"[--slurp-cap=N] FILE\n");
		return 2;
	}
	envs[nenv] = NULL;
	if (nenv)
		opts.env_files = envs;
	if (hstream_open_file(&s, path) < 0) {
		fprintf(stderr, "import-dump: %s: %s\n", path, s.errmsg);
		return 3;
	}
	if (import_stream(&s, path, &opts, &sink, &res) < 0)
		printf("sink error\n");
	hstream_sha256(&s, sha);
	printf("result: %s\n", res.status <= IMPORT_NOT_CAPTURE ? status_names[res.status] : "?");
	printf("format: %s\n", capture_format_name(res.format));
	printf("exchanges: %ld\n", res.exchanges);
	put_str("", "message", res.message[0] ? res.message : NULL);
	printf("source: %llu bytes, sha256 %s\n", hstream_size(&s), sha);
	hstream_close(&s);
	return 0;
}
