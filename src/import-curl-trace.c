/* import-curl-trace.c - curl --trace and --trace-ascii files: hex or
 * ASCII dumps of what was sent and received, turned into builder events.
 */

#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "httpmsg.h"
#include "import-curl-int.h"

/* ---------------------------------------------------------------- trace files */

enum tblock { TB_NONE, TB_SEND_HEADER, TB_SEND_DATA, TB_RECV_HEADER, TB_RECV_DATA, TB_SSL };

/* Decode one row of a --trace (hex) dump into out; returns 1 if it was one. */
static int hex_row(const char *s, struct sbuf *out)
{
	const char *p = s;
	int n = 0;
	while (httpmsg_is_hex(*p))
		p++;
	if (p - s < 4 || p[0] != ':' || p[1] != ' ')
		return 0;
	p += 2;
	while (n < 16 && httpmsg_is_hex(p[0]) && httpmsg_is_hex(p[1]) && (p[2] == ' ' || p[2] == 0)) {
		sbuf_addc(out, (char)(httpmsg_hex_val(p[0]) * 16 + httpmsg_hex_val(p[1])));
		p += p[2] ? 3 : 2;
		n++;
	}
	return n > 0;
}

/* An ascii row "NNNN: text": returns the offset, text in *text, or -1. */
static long ascii_row(const char *s, const char **text)
{
	const char *p = s;
	long off = 0;
	while (httpmsg_is_hex(*p) && p - s < 9) {
		off = off * 16 + httpmsg_hex_val(*p);
		p++;
	}
	if (p - s < 4 || p[0] != ':' || (p[1] != ' ' && p[1] != 0))
		return -1;
	*text = p[1] ? p + 2 : p + 1;
	return off;
}

/* Feed a reassembled request header block to the builder. */
static void feed_header_block(struct builder *b, const char *p, size_t n, int resp)
{
	const char *e = p + n;
	struct sbuf line = SBUF_INIT;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e;
		size_t ll = (size_t)(le - p);
		if (ll && p[ll - 1] == '\r')
			ll--;
		sbuf_reset(&line);
		sbuf_add(&line, p, ll);
		if (!line.data)
			sbuf_adds(&line, "");
		if (resp)
			cb_resp_line(b, line.data);
		else
			cb_req_line(b, line.data);
		p = nl ? nl + 1 : e;
	}
	sbuf_release(&line);
}

/* Hand a finished block to the builder. */
static void trace_flush(struct builder *b, enum tblock kind, struct sbuf *data, int hex)
{
	if (kind == TB_NONE || kind == TB_SSL || !data->data) {
		sbuf_reset(data);
		return;
	}
	switch (kind) {
	case TB_SEND_HEADER:
		/* a new request: close a finished exchange first */
		if (b->cur && (b->phase >= PH_RESP_HEADERS || b->req_line_seen))
			cb_close(b, 0);
		feed_header_block(b, data->data, data->len, 0);
		if (b->cur && b->phase == PH_REQ_HEADERS)
			b->phase = PH_REQ_DONE;
		break;
	case TB_SEND_DATA:
		if (b->cur && b->phase <= PH_REQ_DONE)
			cb_body_add(&b->req_body, data->data, data->len);
		break;
	case TB_RECV_HEADER:
		feed_header_block(b, data->data, data->len, 1);
		break;
	case TB_RECV_DATA:
		if (b->cur && b->phase == PH_RESP_DONE) {
			cb_body_add(&b->body, data->data, data->len);
			b->body_started = 1;
			b->exact_body = hex;
		}
		break;
	default:
		break;
	}
	sbuf_reset(data);
}

/* The --trace / --trace-ascii importer. */
void curl_run_trace(struct builder *b, const char *buf, size_t len)
{
	struct curl_lines L = { buf, buf + len, SBUF_INIT, 0, 0, 0 };
	struct sbuf data = SBUF_INIT;
	enum tblock kind = TB_NONE;
	long declared = 0, last_off = -1;
	size_t last_len = 0;
	int hex = -1;
	char *time = NULL;

	while (curl_next_line(&L)) {
		const char *s = L.cur.data, *e = s + strlen(s), *text;
		long off;
		if (L.debris)
			continue;
		{
			const char *q = s;
			char *t = NULL;
			if (curl_skip_trace_time(&q, e, &t)) {
				s = q;
				free(time);
				time = t;
			}
			if (curl_skip_trace_id(&q, e))
				s = q;
		}
		if (starts_with(s, "== Info: ") || starts_with(s, "== Info:")) {
			trace_flush(b, kind, &data, hex == 1);
			kind = TB_NONE;
			s += 8;
			if (*s == ' ')
				s++;
			cb_info(b, s, time);
			continue;
		}
		if (starts_with(s, "=> Send ") || starts_with(s, "<= Recv ")) {
			const char *w = s + 8, *bp;
			trace_flush(b, kind, &data, hex == 1);
			if (starts_with(w, "SSL data") || starts_with(w, "SSL "))
				kind = TB_SSL;
			else if (starts_with(w, "header"))
				kind = s[0] == '=' ? TB_SEND_HEADER : TB_RECV_HEADER;
			else if (starts_with(w, "data"))
				kind = s[0] == '=' ? TB_SEND_DATA : TB_RECV_DATA;
			else
				kind = TB_SSL;
			declared = 0;
			if ((bp = strstr(w, ", ")) != NULL)
				parse_long(bp + 2, strspn(bp + 2, "0123456789"), &declared);
			last_off = -1;
			last_len = 0;
			if (kind == TB_SEND_HEADER && time && !b->cur && !b->pending_time)
				b->pending_time = xstrdup(time);
			if (kind == TB_SEND_HEADER && time && b->cur &&
			    (b->phase >= PH_RESP_HEADERS || b->req_line_seen)) {
				/* set after the close in trace_flush: remember for b_open */
				free(b->pending_time);
				b->pending_time = xstrdup(time);
			}
			continue;
		}
		if (kind != TB_NONE && (off = ascii_row(s, &text)) >= 0) {
			if (hex < 0 && kind != TB_SSL) {
				const char *h = text;
				int pairs = 0;
				while (httpmsg_is_hex(h[0]) && httpmsg_is_hex(h[1]) && (h[2] == ' ' || !h[2])) {
					pairs++;
					h += h[2] ? 3 : 2;
					if (pairs == 16)
						break;
				}
				hex = pairs > 0 && (pairs == 16 || *h == ' ' || !*h) ? 1 : 0;
			}
			if (kind == TB_SSL)
				continue;
			if (hex == 1) {
				if (data.len > BODY_CAP + 16)
					continue;
				if (!hex_row(s, &data)) {
					/* not a hex row: stdout */
					cb_body_add(&b->stdout_body, s, strlen(s));
					cb_body_add(&b->stdout_body, "\n", 1);
				}
			} else {
				size_t tl = strlen(text);
				if (kind == TB_RECV_HEADER || kind == TB_SEND_HEADER) {
					/* header blocks: every row is one line */
					if (data.len < BODY_CAP) {
						sbuf_add(&data, text, tl);
						sbuf_add(&data, "\r\n", 2);
					}
					continue;
				}
				/* data rows: a row cut at CRLF resumes 2 bytes later */
				if (last_off >= 0 && (size_t)off == (size_t)last_off + last_len + 2)
					sbuf_add(&data, "\r\n", 2);
				if (data.len < BODY_CAP + 2)
					sbuf_add(&data, text, tl);
				last_off = off;
				last_len = tl;
			}
			continue;
		}
		/* anything else is output written to the same stream (the body) */
		if (kind == TB_SEND_HEADER || kind == TB_RECV_HEADER)
			trace_flush(b, kind, &data, hex == 1), kind = TB_NONE;
		{
			long code;
			const char *msg;
			if (httpmsg_curl_error(s, HTTPMSG_STRICT, &code, &msg)) {
				cb_curl_error(b, code, msg, s);
				continue;
			}
		}
		if (b->cur && b->phase == PH_RESP_DONE && !b->err_mode) {
			cb_body_add(&b->stdout_body, s, strlen(s));
			if (L.newline)
				cb_body_add(&b->stdout_body, "\n", 1);
		}
	}
	trace_flush(b, kind, &data, hex == 1);
	/* a response cut before its blank line: not for ascii header blocks */
	if (b->cur)
		cb_close(b, 1);
	else
		cb_flush_pending(b, 1);
	sbuf_release(&data);
	sbuf_release(&L.cur);
	free(time);
}
