/* xbuild.c - the exchange builder (see xbuild.h). */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xbuild.h"

void import_note_none(void *ctx, enum note_kind kind, long seq, const char *msg)
{
	(void)ctx;
	(void)kind;
	(void)seq;
	(void)msg;
}

void import_fail(struct import_result *res, enum import_status st, const char *fmt, ...)
{
	va_list ap;
	res->status = st;
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
}

void xb_init(struct xbuild *b, struct import_sink *sink, struct import_result *res)
{
	memset(b, 0, sizeof(*b));
	if (!sink->note)
		sink->note = import_note_none;
	b->sink = sink;
	b->res = res;
	exchange_init(&b->ex);
}

/* Forget the held notes. */
static void after_release(struct xbuild *b)
{
	for (size_t i = 0; i < b->nafter; i++)
		free(b->after[i].msg);
	b->nafter = 0;
}

/* Reset the per-exchange state. */
static void xb_reset(struct xbuild *b)
{
	exchange_release(&b->ex);
	for (int s = 0; s < 2; s++) {
		sbuf_release(&b->body[s]);
		b->chunked[s] = 0;
	}
	after_release(b);
	b->trunc_noted = 0;
	b->open = 0;
}

void xb_release(struct xbuild *b)
{
	xb_reset(b);
	free(b->after);
	b->after = NULL;
	b->aafter = 0;
}

struct exchange *xb_begin(struct xbuild *b)
{
	xb_reset(b);
	b->open = 1;
	b->ex.seq = b->next_seq;
	return &b->ex;
}

struct exchange *xb_cur(struct xbuild *b)
{
	return b->open ? &b->ex : NULL;
}

void xb_discard(struct xbuild *b)
{
	xb_reset(b);
}

void xb_request_line(struct xbuild *b, const char *method, const char *url, const char *version)
{
	if (method)
		exchange_set(&b->ex.method, method);
	if (url)
		exchange_set_url(&b->ex, url);
	if (version) {
		free(b->ex.http_version);
		b->ex.http_version = http_version_normalize(version);
	}
}

void xb_status(struct xbuild *b, int status, const char *text)
{
	b->ex.status = status;
	if (text)
		exchange_set(&b->ex.status_text, text);
}

void xb_header(struct xbuild *b, enum xb_side side, const char *name, size_t nlen,
	       const char *value, size_t vlen)
{
	hdr_list_add(side == XB_REQ ? &b->ex.req_headers : &b->ex.resp_headers, name, nlen, value,
		     vlen);
}

static struct body *side_body(struct xbuild *b, enum xb_side side)
{
	return side == XB_REQ ? &b->ex.req_body : &b->ex.resp_body;
}

int xb_body_add(struct xbuild *b, enum xb_side side, const void *p, size_t n)
{
	struct sbuf *buf = &b->body[side];

	if (!b->chunked[side]) {
		sbuf_init_cap(buf, BODY_CAP);
		b->chunked[side] = 1;
	}
	if (sbuf_add(buf, p, n) == SBUF_TOO_LARGE) {
		side_body(b, side)->truncated = 1;
		return -1;
	}
	return 0;
}

int xb_body_set(struct xbuild *b, enum xb_side side, const char *p, size_t n)
{
	struct body *bd = side_body(b, side);
	sbuf_release(&b->body[side]);
	b->chunked[side] = 0;
	body_set(bd, p, n);
	return bd->truncated ? -1 : 0;
}

void xb_transcript(struct xbuild *b, const char *s, size_t n)
{
	strlist_add(&b->ex.transcript, s, n);
}

/* Truncation kinds: one of them about an exchange explains its bodies. */
static int is_trunc_kind(enum note_kind kind)
{
	return kind == NOTE_TRUNCATED_BODY || kind == NOTE_TRUNCATED_FILE;
}

void xb_note(struct xbuild *b, enum note_kind kind, long seq, const char *fmt, ...)
{
	char *msg;
	struct sbuf s = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&s, fmt, ap);
	va_end(ap);
	msg = sbuf_detach(&s, NULL);
	if (b->open && seq == b->ex.seq && is_trunc_kind(kind))
		b->trunc_noted = 1;
	b->sink->note(b->sink->ctx, kind, seq, msg ? msg : "");
	free(msg);
}

void xb_note_after(struct xbuild *b, enum note_kind kind, const char *fmt, ...)
{
	struct sbuf s = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&s, fmt, ap);
	va_end(ap);
	b->after = xgrow(b->after, &b->aafter, b->nafter + 1, sizeof(*b->after));
	b->after[b->nafter].kind = kind;
	b->after[b->nafter].msg = sbuf_detach(&s, NULL);
	if (!b->after[b->nafter].msg)
		b->after[b->nafter].msg = xstrdup("");
	if (is_trunc_kind(kind))
		b->trunc_noted = 1;
	b->nafter++;
}

/* Notes for what the caps cost this (emitted) exchange. */
static void cap_notes(struct xbuild *b, long seq)
{
	static const char *const side_name[2] = {"request", "response"};
	const struct hdr_list *hl[2] = {&b->ex.req_headers, &b->ex.resp_headers};

	for (int s = 0; s < 2 && !b->trunc_noted; s++) {
		const struct body *bd = side_body(b, (enum xb_side)s);
		if (!bd->truncated)
			continue;
		if (bd->len >= BODY_CAP && bd->size > 0)
			xb_note(b, NOTE_TRUNCATED_BODY, seq,
				"%s body cut to %zu MiB (%lld bytes in the capture)", side_name[s],
				BODY_CAP >> 20, bd->size);
		else if (bd->len >= BODY_CAP)
			xb_note(b, NOTE_TRUNCATED_BODY, seq, "%s body cut to %zu MiB", side_name[s],
				BODY_CAP >> 20);
		else
			xb_note(b, NOTE_TRUNCATED_BODY, seq,
				"%s body is incomplete in the capture (%zu bytes kept)", side_name[s],
				bd->len);
	}
	for (int s = 0; s < 2; s++) {
		if (hl[s]->dropped)
			xb_note(b, NOTE_SKIPPED, seq, "%zu %s headers past the cap of %d dropped",
				hl[s]->dropped, side_name[s], HEADER_COUNT_CAP);
		if (hl[s]->cut)
			xb_note(b, NOTE_TRUNCATED_BODY, seq,
				"%zu %s header values cut to %zu KiB", hl[s]->cut, side_name[s],
				HEADER_VALUE_CAP >> 10);
	}
	if (b->ex.transcript.dropped)
		xb_note(b, NOTE_SKIPPED, seq, "%zu transcript lines past the cap of %d dropped",
			b->ex.transcript.dropped, TRANSCRIPT_CAP);
}

int xb_emit(struct xbuild *b)
{
	long seq = b->ex.seq;
	int rc = 0;

	if (!b->open)
		return 0;
	if (b->failed || (b->max > 0 && b->emitted >= b->max)) {
		if (!b->failed)
			b->capped = 1;
		xb_reset(b);
		return -1;
	}
	for (int s = 0; s < 2; s++) {
		struct body *bd = side_body(b, (enum xb_side)s);
		int cut;
		if (!b->chunked[s])
			continue;
		cut = bd->truncated;
		free(bd->data);
		bd->len = b->body[s].len;
		bd->data = sbuf_detach(&b->body[s], NULL);
		if (!bd->data)
			bd->data = xstrdup("");
		bd->truncated = cut;
	}
	if (b->sink->emit(b->sink->ctx, &b->ex) != 0) {
		b->failed = 1;
		rc = -1;
	} else {
		b->emitted++;
		b->next_seq++;
		if (b->res)
			b->res->exchanges++;
		for (size_t i = 0; i < b->nafter; i++)
			b->sink->note(b->sink->ctx, b->after[i].kind, seq, b->after[i].msg);
		cap_notes(b, seq);
	}
	xb_reset(b);
	return rc;
}
