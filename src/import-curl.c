/* import-curl.c - curl text output: -i / -D dumps, HTTPie, -v transcripts
 * and --trace / --trace-ascii files.
 *
 * All three shapes are turned into the same stream of events (info line,
 * request header line, response header line, body line or bytes, curl
 * error) that one builder folds into exchanges.  The builder decides where
 * one exchange ends and the next begins, which `*` lines belong to which
 * exchange, and makes an exchange of a failure that got no response.
 * Everything here works on a copy of the input read whole (slurp cap).
 * This file is the entry point and the -v, -i and -w '%{json}' readers;
 * the other parts are listed in import-curl-int.h.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "caps.h"
#include "httpmsg.h"
#include "import-curl-int.h"

/* The -v importer. */
static void run_verbose(struct builder *b, const char *buf, size_t len)
{
	struct curl_lines L = { buf, buf + len, SBUF_INIT, 0, 0, 0 };
	char *time = NULL;
	int fenced_out = 0;

	while (curl_next_line(&L)) {
		const char *s = L.cur.data, *text = NULL;
		const char *g;
		int kind;
		long code;

		if (L.debris)
			continue;
		/* --trace-time / -vv prefixes */
		{
			const char *q = s, *e = s + strlen(s);
			if (curl_skip_trace_time(&q, e, &time))
				s = q;
			if (curl_skip_trace_id(&q, e))
				s = q;
		}
		kind = curl_v_prefix(s, &text);
		if (!kind) {
			const char *cmd = curl_command_start(s);
			if (cmd) {
				cb_command(b, cmd);
				continue;
			}
		}
		if (!kind && starts_with(s, "```")) {
			fenced_out = !fenced_out;
			if (b->cur && b->phase == PH_RESP_DONE && b->body_started)
				b->err_mode = 1; /* the body ends at the fence */
			continue;
		}
		switch (kind) {
		case '*':
			cb_info(b, text, time);
			break;
		case '>':
			if (curl_command_start(text) == text) {
				cb_command(b, text);
				break;
			}
			cb_req_line(b, text);
			break;
		case '<':
			cb_resp_line(b, text);
			break;
		case '{':
		case '}':
			if (kind == '}' && !strstr(text, "bytes data]") && !strstr(text, "data not shown]") &&
			    b->cur && b->phase == PH_REQ_DONE) {
				cb_body_add(&b->req_body, text, strlen(text));
				cb_body_add(&b->req_body, "\n", 1);
			}
			break;
		case 'E':
			if (httpmsg_curl_error(text, HTTPMSG_STRICT, &code, &g))
				cb_curl_error(b, code, g, text);
			else
				cb_out_line(b, s, L.newline);
			break;
		default:
			if (curl_exit_annotation(s, &code)) {
				if (!b->cur)
					cb_flush_pending_keep(b, 0, 1);
				cb_exit_annotation(b, code);
				break;
			}
			if ((g = curl_glued_info(s)) != NULL) {
				struct sbuf pre = SBUF_INIT;
				sbuf_add(&pre, s, (size_t)(g - s));
				cb_out_line(b, pre.data, 0);
				sbuf_release(&pre);
				cb_info(b, g + 2, time);
				break;
			}
			if ((g = strstr(s, "curl: (")) != NULL && g > s &&
			    httpmsg_curl_error(g, HTTPMSG_STRICT, &code, &text)) {
				struct sbuf pre = SBUF_INIT;
				sbuf_add(&pre, s, (size_t)(g - s));
				cb_out_line(b, pre.data, 0);
				sbuf_release(&pre);
				cb_curl_error(b, code, text, g);
				break;
			}
			cb_out_line(b, s, L.newline);
			break;
		}
	}
	if (b->cur)
		cb_close(b, 1);
	else
		cb_flush_pending(b, 1);
	sbuf_release(&L.cur);
	free(time);
}

/* Does the line after p (in the raw buffer) look like a header or blank? */
static int next_is_header(struct curl_lines *L)
{
	struct curl_lines peek = *L;
	int r = 0;
	sbuf_init(&peek.cur);
	if (curl_next_line(&peek)) {
		const char *s = peek.cur.data;
		while (*s == ' ' && s - peek.cur.data < 8)
			s++;
		r = !*s || httpmsg_header_line(s, HTTPMSG_STRICT, NULL);
	} else {
		r = 1;
	}
	sbuf_release(&peek.cur);
	return r;
}

/* HTTPie's error names the URL: "... request to URL: http://h:1/". */
static void httpie_error_exchange(struct builder *b, const char *msg, const char *line)
{
	const char *u;
	if (b->cur)
		cb_close(b, 0);
	cb_open(b);
	b->cur_is_failure = 1;
	b->phase = PH_REQ_DONE;
	cb_transcript(b, line);
	exchange_set(&b->cur->error, msg);
	if ((u = strstr(msg, " request to URL: ")) != NULL) {
		const char *m = strstr(msg, "while doing a ");
		const char *e = u + 17;
		while (*e && *e != ' ')
			e++;
		{
			char *url = xstrndup(u + 17, (size_t)(e - u - 17));
			exchange_set_url(b->cur, url);
			free(url);
		}
		if (m && m < u) {
			const char *ms = m + 14, *me = strchr(ms, ' ');
			if (me && me <= u && me - ms < 20)
				exchange_setn(&b->cur->method, ms, (size_t)(me - ms));
		}
	} else if ((u = strstr(msg, "(host='")) != NULL) {
		const char *h = u + 7, *e = strchr(h, '\'');
		if (e) {
			exchange_setn(&b->cur->host, h, (size_t)(e - h));
			ascii_lower(b->cur->host);
		}
	} else if (b->cmd_url) {
		exchange_set_url(b->cur, b->cmd_url);
	}
	cb_close(b, 0);
}

/* The -i / HTTPie / raw dump importer. */
static void run_include(struct builder *b, const char *buf, size_t len)
{
	struct curl_lines L = { buf, buf + len, SBUF_INIT, 0, 0, 0 };
	enum { M_OUT, M_REQHDR, M_REQBODY, M_HDR, M_BODY } mode = M_OUT;

	while (curl_next_line(&L)) {
		const char *s = L.cur.data, *t = s, *msg;
		int is_status, is_req;
		long code;

		if (L.debris)
			continue;
		if (mode != M_BODY && mode != M_REQBODY)
			while (*t == ' ' && t - s < 8)
				t++;
		is_status = httpmsg_status_line(t, HTTPMSG_STRICT, NULL);
		is_req = !is_status && httpmsg_request_line(t, HTTPMSG_STRICT, NULL);
		if (mode == M_BODY || mode == M_REQBODY || mode == M_OUT) {
			const char *cmd = curl_command_start(t);
			if (cmd && (mode == M_OUT || !b->cur || cmd == t || strstr(cmd, "://"))) {
				cb_command(b, cmd);
				mode = M_OUT;
				continue;
			}
			if ((is_status || is_req) && next_is_header(&L)) {
				if (is_req) {
					cb_req_line(b, t);
					mode = M_REQHDR;
				} else {
					cb_resp_line(b, t);
					mode = M_HDR;
				}
				continue;
			}
			if (httpmsg_curl_error(t, HTTPMSG_STRICT, &code, &msg)) {
				cb_curl_error(b, code, msg, t);
				mode = M_OUT;
				continue;
			}
			if ((msg = httpmsg_httpie_error(t, HTTPMSG_STRICT)) != NULL) {
				httpie_error_exchange(b, msg, t);
				mode = M_OUT;
				continue;
			}
			if (curl_exit_annotation(t, &code) && L.p >= L.end - 1) {
				cb_exit_annotation(b, code);
				continue;
			}
			if (starts_with(t, "```")) {
				mode = M_OUT;
				continue;
			}
		}
		switch (mode) {
		case M_OUT:
			break;
		case M_REQHDR:
			if (!*t) {
				cb_req_line(b, "");
				mode = M_REQBODY;
			} else {
				cb_req_line(b, s[0] == ' ' || s[0] == '\t' ? s : t);
			}
			break;
		case M_REQBODY:
			cb_body_add(&b->req_body, s, strlen(s));
			cb_body_add(&b->req_body, "\n", 1);
			break;
		case M_HDR:
			if (!*t) {
				cb_resp_line(b, "");
				mode = M_BODY;
			} else {
				cb_resp_line(b, s[0] == '\t' || (s[0] == ' ' && !httpmsg_header_line(t, HTTPMSG_STRICT, NULL)) ? s : t);
			}
			break;
		case M_BODY:
			if (b->cur && b->phase == PH_RESP_DONE && b->cur->status > 0) {
				b->body_started = 1;
				cb_body_add(&b->body, s, strlen(s));
				if (L.newline)
					cb_body_add(&b->body, "\n", 1);
			}
			break;
		}
	}
	if (b->cur)
		cb_close(b, 1);
	else
		cb_flush_pending(b, 1);
	sbuf_release(&L.cur);
}

/* ---------------------------------------------------------------- -w '%{json}' */

/* A number field of the -w JSON in seconds, as milliseconds, or -1. */
static double wj_ms(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_number(v) || json_number_value(v) < 0)
		return -1;
	return json_number_value(v) * 1000.0;
}

/* Difference of two phase ends in ms, or -1 when either is unknown. */
static double wj_span(double from, double to)
{
	return from >= 0 && to >= from ? to - from : -1;
}

/* The output of curl -w '%{json}': one exchange.  Returns 1 when the text
 * was such a document, 0 otherwise. */
static int run_write_out_json(struct builder *b, const char *buf, size_t len)
{
	json_t *o = json_loadb(buf, len, 0, NULL), *v;
	const char *s;
	double dns, conn, app, pre, start, total;
	if (!json_is_object(o) || !json_object_get(o, "url_effective") ||
	    !json_is_integer(json_object_get(o, "http_code"))) {
		json_decref(o);
		return 0;
	}
	cb_open(b);
	b->phase = PH_RESP_DONE;
	if ((s = json_string_value(json_object_get(o, "method"))) != NULL)
		exchange_set(&b->cur->method, s);
	if ((s = json_string_value(json_object_get(o, "url_effective"))) != NULL && *s)
		exchange_set_url(b->cur, s);
	v = json_object_get(o, "http_code");
	b->cur->status = (int)json_integer_value(v);
	if (b->cur->status < 100 || b->cur->status > 999)
		b->cur->status = STATUS_NONE;
	if ((s = json_string_value(json_object_get(o, "http_version"))) != NULL && *s) {
		free(b->cur->http_version);
		b->cur->http_version = http_version_normalize(s);
	}
	v = json_object_get(o, "exitcode");
	if (json_is_integer(v))
		b->cur->exit_code = (int)json_integer_value(v);
	if ((s = json_string_value(json_object_get(o, "errormsg"))) != NULL && *s) {
		struct sbuf l = SBUF_INIT;
		exchange_set(&b->cur->error, s);
		sbuf_addf(&l, "curl: (%d) %s", b->cur->exit_code, s);
		cb_transcript(b, l.data);
		sbuf_release(&l);
	}
	if ((s = json_string_value(json_object_get(o, "content_type"))) != NULL && *s)
		xb_header(&b->xb, XB_RESP, "Content-Type", 12, s, strlen(s));
	dns = wj_ms(o, "time_namelookup");
	conn = wj_ms(o, "time_connect");
	app = wj_ms(o, "time_appconnect");
	pre = wj_ms(o, "time_pretransfer");
	start = wj_ms(o, "time_starttransfer");
	total = wj_ms(o, "time_total");
	b->cur->timings.total = total;
	b->cur->timings.dns = dns;
	b->cur->timings.connect = wj_span(dns, conn);
	b->cur->timings.ssl = app > 0 ? wj_span(conn, app) : -1;
	b->cur->timings.wait = wj_span(pre, start);
	b->cur->timings.receive = wj_span(start, total);
	b->cur->extra = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	cb_close(b, 0);
	return 1;
}

/* ---------------------------------------------------------------- entry point */

/* Run the importer for fmt over the whole text. */
static void run_format(struct builder *b, enum capture_format fmt, const char *p, size_t len)
{
	b->res->format = fmt;
	switch (fmt) {
	case FMT_CURL_TRACE:
		curl_run_trace(b, p, len);
		break;
	case FMT_CURL_I:
		{
			size_t i = 0;
			while (i < len && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t'))
				i++;
			if (i < len && p[i] == '{' && run_write_out_json(b, p, len))
				break;
		}
		run_include(b, p, len);
		break;
	default:
		b->fmt = FMT_CURL_V;
		b->res->format = FMT_CURL_V;
		run_verbose(b, p, len);
		break;
	}
}

int import_curl(struct hstream *s, enum capture_format fmt, const struct import_opts *opts,
		struct import_sink *sink, struct import_result *res)
{
	struct builder b;
	char *buf = NULL;
	size_t len = 0, cap = opts && opts->slurp_cap ? opts->slurp_cap : SLURP_CAP;
	const char *p;
	int rc;

	res->format = fmt;
	res->exchanges = 0;
	res->status = IMPORT_OK;
	res->message[0] = 0;
	rc = hstream_slurp(s, cap, &buf, &len);
	if (rc == -1) {
		import_fail(res, IMPORT_ERROR, "read error: %s", s->errmsg);
		free(buf);
		return 0;
	}
	if (rc == -2) {
		import_fail(res, IMPORT_ERROR, "larger than %zu bytes, not read", cap);
		free(buf);
		return 0;
	}
	p = buf ? buf : "";
	if (len >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb &&
	    (unsigned char)p[2] == 0xbf) {
		p += 3;
		len -= 3;
	}
	cb_init(&b, fmt, sink, res);
	run_format(&b, fmt, p, len);
	if (res->exchanges == 0 && !b.xb.failed) {
		/* a wrong --format-hint: nothing found, so read it as what it looks like */
		enum capture_format other = sniff_text((const unsigned char *)p, len);
		if (other != b.fmt &&
		    (other == FMT_CURL_I || other == FMT_CURL_V || other == FMT_CURL_TRACE)) {
			cb_release(&b);
			cb_init(&b, other, sink, res);
			run_format(&b, other, p, len);
		}
	}
	if (b.xb.failed) {
		import_fail(res, IMPORT_ERROR, "could not store exchange %ld", b.xb.next_seq);
		cb_release(&b);
		free(buf);
		return -1;
	}
	if (res->exchanges == 0) {
		import_fail(res, IMPORT_NOT_CAPTURE, "no HTTP request or response found");
	} else if (b.lost) {
		res->status = IMPORT_PARTIAL;
		snprintf(res->message, sizeof(res->message), "%s",
			 b.lost_msg[0] ? b.lost_msg : "capture is truncated");
	}
	cb_release(&b);
	free(buf);
	return 0;
}
