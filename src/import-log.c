/* import-log.c - server logs: recognise them from their first lines and
 * read them line by line, one exchange of kind log per record (log-int.h
 * says what a record holds; log-parse.c and log-json.c read the lines).
 *
 * The reader streams: it holds one buffer of two line caps whatever the
 * size of the log, so a log of a million lines costs the memory of one.
 * A line longer than LOG_LINE_CAP is read up to the cap and noted.  Lines
 * that are no record of any known producer are counted in one note.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "log-int.h"
#include "util.h"

#define SNIFF_LINES 100 /* non-blank lines a sniff looks at */

/* Read one NUL-terminated line; 1 record, 0 none, -1 directive. */
static int one_line(struct log_state *st, char *t, size_t line, struct exchange *ex)
{
	size_t n = strlen(t);
	while (n && (t[n - 1] == '\r' || t[n - 1] == ' ' || t[n - 1] == '\t'))
		t[--n] = 0;
	if (!n)
		return -2;
	if (t[0] == '#' && log_w3c_directive(st, t))
		return -1;
	return log_any_line(st, t, line, ex);
}

int log_sniff(const unsigned char *p, size_t n)
{
	struct log_state st;
	const char *s = (const char *)p, *e = s + n;
	int lines = 0, records = 0;
	memset(&st, 0, sizeof st);
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		s += 3;
	while (s < e && lines < SNIFF_LINES) {
		const char *nl = memchr(s, '\n', (size_t)(e - s));
		if (!nl && n >= 65536)
			break; /* a line cut by the end of the peek */
		const char *le = nl ? nl : e;
		size_t l = (size_t)(le - s);
		if (l > LOG_LINE_CAP)
			l = LOG_LINE_CAP;
		char *t = xstrndup(s, l);
		struct exchange ex;
		exchange_init(&ex);
		int got = one_line(&st, t, (size_t)lines + 1, &ex);
		if (got >= 0)
			lines++;
		records += got == 1;
		exchange_release(&ex);
		free(t);
		s = nl ? nl + 1 : e;
	}
	log_state_release(&st);
	return records >= 1 && records * 2 >= lines;
}

struct reader {
	struct log_state st;
	struct import_sink *sink;
	struct import_result *res;
	long seq;
	size_t line;
	long unread;          /* lines no producer's */
	size_t first_unread;  /* its line number */
	long cut;             /* lines longer than the cap */
	int failed;
};

static void take(struct reader *rd, char *t)
{
	struct exchange ex;
	rd->line++;
	if (rd->failed)
		return;
	exchange_init(&ex);
	int got = one_line(&rd->st, t, rd->line, &ex);
	if (got == 1) {
		if (rd->seq >= LOG_RECORD_CAP) {
			rd->unread++;
		} else {
			ex.seq = rd->seq;
			if (rd->sink->emit(rd->sink->ctx, &ex) < 0)
				rd->failed = 1;
			else {
				rd->seq++;
				rd->res->exchanges++;
			}
		}
	} else if (got == 0) {
		if (!rd->unread++)
			rd->first_unread = rd->line;
	}
	exchange_release(&ex);
}

int import_server_log(struct hstream *s, const struct import_opts *opts, struct import_sink *sink,
		      struct import_result *res)
{
	struct reader rd;
	size_t cap = LOG_LINE_CAP * 2, have = 0;
	char *buf = xmalloc(cap + 1);
	int skipping = 0;

	(void)opts;
	memset(&rd, 0, sizeof rd);
	rd.sink = sink;
	rd.res = res;
	res->format = FMT_SERVER_LOG;
	for (;;) {
		ssize_t got = hstream_read(s, buf + have, cap - have);
		if (got < 0) {
			import_fail(res, IMPORT_PARTIAL, "line %zu: read error: %s", rd.line + 1, s->errmsg);
			break;
		}
		have += (size_t)got;
		size_t start = 0;
		for (;;) {
			char *nl = memchr(buf + start, '\n', have - start);
			if (!nl)
				break;
			*nl = 0;
			if (skipping) {
				skipping = 0; /* the rest of a cut line */
			} else {
				if ((size_t)(nl - buf) - start > LOG_LINE_CAP) {
					buf[start + LOG_LINE_CAP] = 0;
					rd.cut++;
				}
				take(&rd, buf + start);
			}
			start = (size_t)(nl - buf) + 1;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
		if (got == 0) {
			if (have && !skipping) {
				buf[have] = 0;
				take(&rd, buf);
			}
			break;
		}
		if (have >= LOG_LINE_CAP && !skipping) {
			/* a line longer than the cap: its first LOG_LINE_CAP bytes */
			char keep = buf[LOG_LINE_CAP];
			buf[LOG_LINE_CAP] = 0;
			take(&rd, buf);
			buf[LOG_LINE_CAP] = keep;
			rd.cut++;
			skipping = 1;
		}
		if (skipping)
			have = 0;
		if (rd.failed)
			break;
	}
	free(buf);
	log_state_release(&rd.st);
	if (rd.failed) {
		import_fail(res, IMPORT_ERROR, "the store refused an exchange");
		return -1;
	}
	if (rd.cut) {
		char *m = xasprintf("%ld line(s) longer than %zu bytes were read up to that length", rd.cut,
				    LOG_LINE_CAP);
		sink->note(sink->ctx, NOTE_TRUNCATED_FILE, -1, m);
		free(m);
	}
	if (rd.unread) {
		char *m = xasprintf("%ld line(s) are no record of a known server log (the first: line %zu)%s",
				    rd.unread, rd.first_unread,
				    rd.seq >= LOG_RECORD_CAP ? "; records beyond the cap were not kept" : "");
		sink->note(sink->ctx, NOTE_SKIPPED, -1, m);
		free(m);
	}
	if (res->status == IMPORT_OK && res->exchanges == 0)
		import_fail(res, IMPORT_NOT_CAPTURE, "log without any record of a known server log");
	return 0;
}
