/* test-xbuild.c - the exchange builder: numbering, caps, notes, the sink. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "tap.h"
#include "util.h"
#include "xbuild.h"

struct rec {
	long emits, refuse_at;
	long seqs[8];
	size_t resp_len[8];
	int resp_trunc[8];
	long nnotes;
	long note_seq[16];
	enum note_kind note_kind[16];
	char *note_msg[16];
};

static int t_emit(void *ctx, struct exchange *ex)
{
	struct rec *r = ctx;
	if (r->refuse_at >= 0 && r->emits == r->refuse_at)
		return -1;
	if (r->emits < 8) {
		r->seqs[r->emits] = ex->seq;
		r->resp_len[r->emits] = ex->resp_body.len;
		r->resp_trunc[r->emits] = ex->resp_body.truncated;
	}
	r->emits++;
	return 0;
}

static void t_note(void *ctx, enum note_kind kind, long seq, const char *msg)
{
	struct rec *r = ctx;
	if (r->nnotes >= 16)
		return;
	r->note_seq[r->nnotes] = seq;
	r->note_kind[r->nnotes] = kind;
	r->note_msg[r->nnotes] = xstrdup(msg);
	r->nnotes++;
}

static void rec_reset(struct rec *r)
{
	for (long i = 0; i < r->nnotes; i++)
		free(r->note_msg[i]);
	memset(r, 0, sizeof(*r));
	r->refuse_at = -1;
}

int main(void)
{
	struct rec r;
	struct import_sink sink = {t_emit, t_note, &r};
	struct import_result res;
	struct xbuild b;
	struct exchange *ex;

	memset(&r, 0, sizeof(r));
	rec_reset(&r);
	memset(&res, 0, sizeof(res));

	/* numbering: a discarded exchange does not use up a seq */
	xb_init(&b, &sink, &res);
	ex = xb_begin(&b);
	is_long(ex->seq, 0, "first exchange is seq 0");
	xb_request_line(&b, "GET", "https://API.example.com:8443/v1/x?q=1", "http/1.1");
	is_str(ex->host, "api.example.com", "request line: url split");
	is_str(ex->http_version, "HTTP/1.1", "request line: version normalized");
	xb_status(&b, 404, "Not Found");
	ok(xb_emit(&b) == 0, "emit accepted");
	ok(xb_cur(&b) == NULL, "nothing open after emit");
	ex = xb_begin(&b);
	is_long(ex->seq, 1, "second exchange is seq 1");
	xb_note_after(&b, NOTE_UNRESOLVED_VAR, "{{%s}} in url", "host");
	xb_discard(&b);
	ex = xb_begin(&b);
	is_long(ex->seq, 1, "discarded exchange left seq 1 free");
	ok(xb_emit(&b) == 0, "emit after discard");
	is_long(r.emits, 2, "two exchanges reached the sink");
	is_long(res.exchanges, 2, "res counts accepted exchanges");
	is_long(r.nnotes, 0, "the discarded exchange's held note was dropped");
	xb_release(&b);

	/* body chunks and the cap: the default truncation note */
	rec_reset(&r);
	xb_init(&b, &sink, NULL);
	ex = xb_begin(&b);
	{
		size_t half = BODY_CAP / 2 + 1;
		char *chunk = malloc(half);
		memset(chunk, 'a', half);
		ok(xb_body_add(&b, XB_RESP, chunk, half) == 0, "first chunk fits");
		ok(xb_body_add(&b, XB_RESP, chunk, half) == -1, "second chunk hits the cap");
		ok(xb_body_add(&b, XB_RESP, "x", 1) == -1, "nothing more fits");
		free(chunk);
	}
	ok(xb_emit(&b) == 0, "capped exchange emitted");
	ok(r.resp_len[0] == BODY_CAP && r.resp_trunc[0], "body kept up to BODY_CAP, truncated");
	ok(r.nnotes == 1 && r.note_kind[0] == NOTE_TRUNCATED_BODY && r.note_seq[0] == 0 &&
	   strstr(r.note_msg[0], "response body cut to 16 MiB"), "cap raises one truncation note");

	/* an explained truncation gets no second note; held notes carry the seq */
	rec_reset(&r);
	ex = xb_begin(&b);
	xb_body_add(&b, XB_RESP, "{\"a\":", 5);
	ex->resp_body.truncated = 1;
	xb_note_after(&b, NOTE_TRUNCATED_BODY, "pasted body is cut short");
	ok(xb_emit(&b) == 0, "emit with a held note");
	is_str(r.resp_trunc[0] ? "t" : "f", "t", "truncated flag kept through the chunk buffer");
	ok(r.nnotes == 1 && r.note_seq[0] == 1 && strcmp(r.note_msg[0], "pasted body is cut short") == 0,
	   "held note raised once, with the exchange's seq");

	/* header caps are noted */
	rec_reset(&r);
	ex = xb_begin(&b);
	for (int i = 0; i < HEADER_COUNT_CAP + 3; i++)
		xb_header(&b, XB_REQ, "X-A", 3, "v", 1);
	ok(xb_emit(&b) == 0, "emit with too many headers");
	ok(r.nnotes == 1 && r.note_kind[0] == NOTE_SKIPPED &&
	   strstr(r.note_msg[0], "3 request headers past the cap"), "dropped headers noted");
	xb_release(&b);

	/* the per-source cap and a refusing sink */
	rec_reset(&r);
	xb_init(&b, &sink, NULL);
	b.max = 2;
	xb_begin(&b);
	ok(xb_emit(&b) == 0, "max: 1st");
	xb_begin(&b);
	ok(xb_emit(&b) == 0, "max: 2nd");
	xb_begin(&b);
	ok(xb_emit(&b) == -1 && b.capped && !b.failed, "max: 3rd stops the import (capped)");
	xb_release(&b);
	rec_reset(&r);
	r.refuse_at = 0;
	xb_init(&b, &sink, NULL);
	xb_begin(&b);
	xb_note_after(&b, NOTE_INFO, "never");
	ok(xb_emit(&b) == -1 && b.failed && !b.capped, "refused: failed");
	is_long(r.nnotes, 0, "refused: held notes dropped");
	xb_begin(&b);
	ok(xb_emit(&b) == -1, "nothing is emitted after a refusal");
	xb_release(&b);

	/* a sink without a note callback gets the no-op one */
	{
		struct import_sink quiet = {t_emit, NULL, &r};
		rec_reset(&r);
		xb_init(&b, &quiet, NULL);
		ok(quiet.note == import_note_none, "NULL note replaced by the no-op");
		xb_note(&b, NOTE_INFO, -1, "dropped %d", 1);
		is_long(r.nnotes, 0, "no-op note records nothing");
		xb_release(&b);
	}
	rec_reset(&r);
	return done_testing();
}
