/* fuzz-common.c - the checking sink and small helpers of tests/fuzz. */
#include <config.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fuzz.h"
#include "hstream.h"

void fz_fail(const char *fmt, ...)
{
	va_list ap;
	fputs("property broken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void touch(const char *what, const char *s)
{
	/* strlen reads every byte: ASan catches a string that is not one. */
	if (s && strlen(s) > SLURP_CAP)
		fz_fail("%s longer than any source", what);
}

static void check_headers(const char *side, const struct hdr_list *l)
{
	size_t i;
	if (l->n > HEADER_COUNT_CAP)
		fz_fail("%s headers: %zu kept, cap %d", side, l->n, HEADER_COUNT_CAP);
	for (i = 0; i < l->n; i++) {
		if (!l->v[i].name || !l->v[i].value)
			fz_fail("%s header %zu has a NULL name or value", side, i);
		touch("header name", l->v[i].name);
		if (strlen(l->v[i].value) > HEADER_VALUE_CAP)
			fz_fail("%s header value longer than HEADER_VALUE_CAP", side);
	}
}

static void check_body(const char *side, const struct body *b)
{
	if (!b->data) {
		if (b->len)
			fz_fail("%s body: no data but len %zu", side, b->len);
		return;
	}
	if (b->len > BODY_CAP)
		fz_fail("%s body: %zu bytes kept, cap %zu", side, b->len, BODY_CAP);
	if (b->data[b->len] != '\0')
		fz_fail("%s body not NUL-terminated at len", side);
	touch("mime", b->mime);
}

void fz_check_exchange(const struct exchange *ex)
{
	size_t i;
	touch("started_at", ex->started_at);
	touch("name", ex->name);
	touch("method", ex->method);
	touch("url", ex->url);
	touch("scheme", ex->scheme);
	touch("host", ex->host);
	touch("path", ex->path);
	touch("query", ex->query);
	touch("http_version", ex->http_version);
	touch("status_text", ex->status_text);
	touch("status_source", ex->status_source);
	touch("error", ex->error);
	touch("extra", ex->extra);
	touch("url_source", ex->url_source);
	touch("host_source", ex->host_source);
	if (ex->status < STATUS_UNKNOWN || ex->status > 999)
		fz_fail("status %d out of range", ex->status);
	check_headers("request", &ex->req_headers);
	check_headers("response", &ex->resp_headers);
	check_body("request", &ex->req_body);
	check_body("response", &ex->resp_body);
	if (ex->transcript.n > TRANSCRIPT_CAP)
		fz_fail("%zu transcript lines, cap %d", ex->transcript.n, TRANSCRIPT_CAP);
	for (i = 0; i < ex->transcript.n; i++)
		touch("transcript line", ex->transcript.v[i]);
}

void fz_check_result(const struct import_result *res)
{
	if (res->status < IMPORT_OK || res->status > IMPORT_NOT_CAPTURE)
		fz_fail("import status %d out of range", (int)res->status);
	if ((int)res->format < 0 || res->format >= FMT_COUNT)
		fz_fail("format %d out of range", (int)res->format);
	if (!memchr(res->message, 0, sizeof(res->message)))
		fz_fail("result message not terminated");
	if (res->exchanges < 0)
		fz_fail("negative exchange count");
}

static int sink_emit(void *ctx, struct exchange *ex)
{
	struct fz_sink *fs = ctx;
	fz_check_exchange(ex);
	fs->exchanges++;
	return 0;
}

static void sink_note(void *ctx, enum note_kind kind, long seq, const char *msg)
{
	struct fz_sink *fs = ctx;
	if (!msg)
		fz_fail("note without text");
	touch("note", msg);
	if ((int)kind < 0 || kind > NOTE_INFO)
		fz_fail("note kind %d out of range", (int)kind);
	(void)seq;
	fs->notes++;
}

void fz_sink_init(struct fz_sink *fs)
{
	memset(fs, 0, sizeof(*fs));
	fs->sink.emit = sink_emit;
	fs->sink.note = sink_note;
	fs->sink.ctx = fs;
}

char *fz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static char scratch[256];

static void scratch_remove(void)
{
	char cmd[300];
	if (!scratch[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", scratch);
}

const char *fz_write_file(const char *name, const uint8_t *data, size_t size)
{
	static char path[512];
	FILE *f;
	if (!scratch[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(scratch, sizeof(scratch), "%s/hartriage-fuzz.XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(scratch))
			fz_fail("cannot make a scratch folder");
		atexit(scratch_remove);
	}
	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		fz_fail("cannot write %s", path);
	return path;
}

void fz_run_stream(const uint8_t *data, size_t size, fz_importer fn, int arg)
{
	struct fz_sink fs;
	struct import_opts opts;
	struct import_result res;
	struct hstream s;

	memset(&opts, 0, sizeof(opts));
	memset(&res, 0, sizeof(res));
	opts.slurp_cap = SLURP_CAP;
	fz_sink_init(&fs);
	hstream_open_mem(&s, data, size);
	fn(&s, &opts, &fs.sink, &res, arg);
	hstream_close(&s);
	fz_check_result(&res);
	if (res.status == IMPORT_ERROR && fs.exchanges && res.exchanges == 0)
		fz_fail("status error while %ld exchanges were emitted", fs.exchanges);
}

/* import_postman_json on root as fmt, checked. */
static void json_as(json_t *root, enum capture_format fmt, const struct import_opts *opts)
{
	struct fz_sink fs;
	struct import_result res;
	memset(&res, 0, sizeof(res));
	fz_sink_init(&fs);
	import_postman_json(root, fmt, opts, &fs.sink, &res);
	fz_check_result(&res);
}

void fz_run_json(const uint8_t *data, size_t size, enum capture_format as, int yaml)
{
	struct import_opts opts;
	json_t *root;

	memset(&opts, 0, sizeof(opts));
	opts.slurp_cap = SLURP_CAP;
	root = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (root) {
		/* as classified, and forced to this format (as --format-hint does) */
		enum capture_format c = classify_json(root);
		if (c == FMT_POSTMAN || c == FMT_POSTMAN_ENV || c == FMT_NEWMAN || c == FMT_INSOMNIA)
			json_as(root, c, &opts);
		json_as(root, as, &opts);
		json_decref(root);
	} else if (yaml) {
		struct fz_sink fs;
		struct import_result res;
		memset(&res, 0, sizeof(res));
		fz_sink_init(&fs);
		import_insomnia_yaml((const char *)data, size, &opts, &fs.sink, &res);
		fz_check_result(&res);
	}
}
