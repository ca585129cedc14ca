/* import-curl-build.c - the curl importer's builder: folds the events of
 * a transcript (info, request and response header lines, body bytes, curl
 * errors, command lines) into exchanges and hands them to the exchange
 * builder (xbuild.c), which numbers, caps and notes them.  It decides
 * where one exchange ends and the next begins, which `*` lines belong to
 * which exchange, and makes an exchange of a failure that got no response.
 * Calls only import-curl-conn.c and import-curl-line.c (see
 * import-curl-int.h).
 */

#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "httpmsg.h"
#include "import-curl-int.h"

/* Text of an info line that says the transfer failed, or NULL. */
static int curl_is_failure_text(const char *s)
{
	static const char *const pats[] = {
		"Could not resolve", "Couldn't resolve", "Failed to connect", "Couldn't connect",
		"Connection refused", "timed out", "Timeout was reached", "SSL certificate problem",
		"SSL: no alternative certificate", "SSL: certificate subject name",
		"SSL_connect", "SSL_ERROR", "SSL routines", "certificate verify failed",
		"server certificate verification failed", "Empty reply from server",
		"Recv failure", "Send failure", "Connection reset", "was not closed cleanly",
		"stream error", "PROTOCOL_ERROR", "INTERNAL_ERROR", "redirects followed",
		"from proxy after CONNECT", "CONNECT tunnel failed", "Proxy CONNECT aborted",
		"transfer closed with", "Network is unreachable", "No route to host",
		"schannel: next InitializeSecurityContext failed", "SEC_E_", "CRYPT_E_",
		"Unsupported protocol", "Failed sending", "Failure when receiving",
		"unable to get local issuer", "certificate has expired", "self-signed certificate",
		"self signed certificate", "Operation timed out", NULL
	};
	for (int i = 0; pats[i]; i++)
		if (ascii_casestr(s, strlen(s), pats[i]))
			return 1;
	return 0;
}

/* Info lines that open a new connection or request. */
static int is_starter(const char *s)
{
	static const char *const pats[] = {
		"Trying ", "About to connect", "Connected to ", "Re-using existing connection",
		"Reusing existing", "Issue another request to this URL", "Hostname was ",
		"Hostname ", "Rebuilt URL to", "Uses proxy env variable", "Establish HTTP proxy tunnel",
		"processing: ", "Found bundle for host", "Could not resolve host",
		"Couldn't resolve host", "Added ", NULL
	};
	const char *t = s;
	while (*t == ' ')
		t++;
	for (int i = 0; pats[i]; i++)
		if (starts_with(t, pats[i]))
			return 1;
	if (starts_with(t, "Host ") && strstr(t, " was resolved"))
		return 1;
	return 0;
}

/* ---------------------------------------------------------------- builder */

void cb_init(struct builder *b, enum capture_format fmt, struct import_sink *sink,
		   struct import_result *res)
{
	memset(b, 0, sizeof(*b));
	b->fmt = fmt;
	xb_init(&b->xb, sink, res);
	b->res = res;
	b->conn_port = b->try_port = b->tunnel_port = b->named_port = -1;
	b->prev_seq = -1;
	b->prev_group = -1;
}

/* Pass a coverage note to the sink; the first truncation becomes the message. */
static void cb_note(struct builder *b, enum note_kind k, long seq, const char *msg)
{
	if (k == NOTE_TRUNCATED_FILE && !b->lost_msg[0])
		snprintf(b->lost_msg, sizeof(b->lost_msg), "%s", msg);
	xb_note(&b->xb, k, seq, "%s", msg);
}

/* Free everything the builder holds. */
void cb_release(struct builder *b)
{
	xb_release(&b->xb);
	b->cur = NULL;
	sbuf_release(&b->body);
	sbuf_release(&b->req_body);
	sbuf_release(&b->stdout_body);
	free(b->last_resp_line);
	free(b->last_hdr_name);
	strlist_release(&b->pending);
	free(b->pending_time);
	free(b->conn_host);
	free(b->try_host);
	free(b->named_host);
	free(b->tunnel_host);
	free(b->resolve_host);
	free(b->next_url);
	free(b->h2_authority);
	free(b->h2_scheme);
	free(b->cmd_url);
	free(b->cmd_method);
	curl_cmd_release(&b->cmd);
	free(b->prev_url);
	free(b->prev_method);
	free(b->prev_location);
}

/* Append a line to the open exchange's transcript or to the pending list. */
static void cb_add_transcript(struct builder *b, const char *s)
{
	if (b->cur)
		xb_transcript(&b->xb, s, strlen(s));
	else if (b->pending.n < PENDING_CAP)
		strlist_adds(&b->pending, s);
}

/* Append a line to the open exchange's transcript (the builder caps it). */
void cb_transcript(struct builder *b, const char *s)
{
	xb_transcript(&b->xb, s, strlen(s));
}

/* Store the time of day of a --trace-time line in extra (the date is unknown). */
static void set_time_of_day(struct exchange *ex, const char *t)
{
	char *s;
	if (ex->extra || !t)
		return;
	for (const char *c = t; *c; c++)
		if (!httpmsg_is_digit(*c) && *c != ':' && *c != '.')
			return;
	s = xasprintf("{\"time_of_day\":\"%s\",\"date\":null}", t);
	ex->extra = s;
}

/* Open a new exchange, handing it the pending info lines. */
void cb_open(struct builder *b)
{
	b->cur = xb_begin(&b->xb);
	b->cur_follow = b->follow;
	b->follow = 0;
	for (size_t i = 0; i < b->pending.n; i++)
		xb_transcript(&b->xb, b->pending.v[i], strlen(b->pending.v[i]));
	strlist_release(&b->pending);
	if (b->pending_time) {
		set_time_of_day(b->cur, b->pending_time);
		free(b->pending_time);
		b->pending_time = NULL;
	}
	if (b->fmt == FMT_CURL_I && b->cmd_method && b->group_count == 0)
		exchange_set(&b->cur->method, b->cmd_method);
	if (b->fmt == FMT_CURL_I && b->cmd.method) {
		/* curl -i shows no request: the command line says what was
		 * sent (its headers go with every hop, its body with the first). */
		for (size_t i = 0; i < b->cmd.headers.n; i++) {
			const struct hdr *h = &b->cmd.headers.v[i];
			xb_header(&b->xb, XB_REQ, h->name, strlen(h->name), h->value, strlen(h->value));
		}
		if (b->group_count == 0 && b->cmd.body)
			xb_body_set(&b->xb, XB_REQ, b->cmd.body, strlen(b->cmd.body));
	}
	b->group_count++;
	b->phase = PH_REQ_HEADERS;
	b->req_line_seen = 0;
	b->interim = 0;
	b->cur_is_failure = 0;
	b->err_mode = 0;
	b->echo = 0;
	b->body_started = 0;
	b->body_closed = 0;
	b->exact_body = 0;
	sbuf_reset(&b->body);
	sbuf_reset(&b->req_body);
	sbuf_reset(&b->stdout_body);
	free(b->last_resp_line);
	b->last_resp_line = NULL;
	free(b->last_hdr_name);
	b->last_hdr_name = NULL;
}

/* Trim a body that is only the trailing newline of an empty response. */
static void finish_body(struct builder *b, struct exchange *ex, struct sbuf *body)
{
	size_t n = body->len;
	const char *cl = hdr_list_get(&ex->resp_headers, "Content-Length");
	long clen = -1;
	int blank = 1;
	for (size_t i = 0; i < n; i++)
		if (body->data[i] != '\n' && body->data[i] != '\r' && body->data[i] != ' ')
			blank = 0;
	if (cl && parse_long(cl, strlen(cl), &clen) != 0)
		clen = -1;
	if (n && blank && (clen <= 0 || ex->status == 204 || ex->status == 304))
		n = 0;
	/* the newline the shell (or the paste) added after a body without one */
	if (n && clen >= 0 && (size_t)clen + 1 == n && body->data[n - 1] == '\n')
		n--;
	if (n == 0 && !body->len)
		return;
	if (n == 0)
		return;
	xb_body_set(&b->xb, XB_RESP, body->data, n);
	if (body->len > BODY_CAP) {
		ex->resp_body.truncated = 1;
		ex->resp_body.size = -1;
	}
}

/* The input ended inside this body: fewer bytes than Content-Length said,
 * even counting the CRs that line cleaning removed.  Records it. */
static void check_cut_body(struct builder *b, struct exchange *ex, const struct sbuf *body)
{
	const char *cl = hdr_list_get(&ex->resp_headers, "Content-Length");
	long clen;
	size_t slack = 0;
	char msg[200];
	if (b->body_closed || !cl || hdr_list_get(&ex->resp_headers, "Content-Encoding") ||
	    parse_long(cl, strlen(cl), &clen) != 0 || clen <= 0)
		return;
	if (!b->exact_body)
		for (size_t i = 0; i < body->len; i++)
			if (body->data[i] == '\n')
				slack++;
	if ((long long)ex->resp_body.len + (long long)slack >= (long long)clen)
		return;
	ex->resp_body.truncated = 1;
	ex->resp_body.size = clen;
	snprintf(msg, sizeof(msg),
		 "transcript ends inside the response body of exchange %ld (%zu of %ld bytes)",
		 ex->seq, ex->resp_body.len, clen);
	cb_note(b, NOTE_TRUNCATED_FILE, ex->seq, msg);
	b->lost = 1;
}

/* Finish and emit the open exchange.  at_eof says the input ended here. */
void cb_close(struct builder *b, int at_eof)
{
	struct exchange *ex = b->cur;
	const char *trunc = NULL;
	char msg[200];

	if (!ex)
		return;
	b->cur = NULL;
	if (ex->status == STATUS_UNKNOWN && !ex->error) {
		for (size_t i = ex->transcript.n; i-- > 0;)
			if (curl_is_failure_text(ex->transcript.v[i])) {
				const char *t = ex->transcript.v[i];
				if (starts_with(t, "* "))
					t += 2;
				while (*t == ' ')
					t++;
				exchange_set(&ex->error, t);
				break;
			}
	}
	if (ex->error && (ex->status == STATUS_UNKNOWN || b->interim))
		ex->status = STATUS_NONE;
	if (!ex->error && b->interim)
		ex->status = STATUS_UNKNOWN;
	if (at_eof && !ex->error) {
		if (b->phase == PH_RESP_HEADERS)
			trunc = "response headers";
		else if (b->phase == PH_REQ_HEADERS && b->req_line_seen)
			trunc = "request headers";
		else if (b->phase == PH_REQ_DONE && b->req_line_seen)
			trunc = "request, before any response";
	}
	if (trunc) {
		snprintf(msg, sizeof(msg), "transcript ends inside the %s of exchange %ld", trunc,
			 ex->seq);
		cb_note(b, NOTE_TRUNCATED_FILE, ex->seq, msg);
		b->lost = 1;
	}
	{
		struct sbuf *body = b->exact_body || !b->stdout_body.len ? &b->body : &b->stdout_body;
		finish_body(b, ex, body);
		if (at_eof && !trunc && !ex->error && b->phase == PH_RESP_DONE && b->body_started &&
		    ex->status >= 200 && ex->resp_body.data && !ex->resp_body.truncated)
			check_cut_body(b, ex, body);
	}
	if (b->req_body.len) {
		size_t n = b->req_body.len;
		while (n && b->req_body.data[n - 1] == '\n')
			n--;
		if (n)
			xb_body_set(&b->xb, XB_REQ, b->req_body.data, n);
	}
	curl_resolve_url(b, ex);
	if (ex->url && !strstr(ex->url, "://") && ex->host &&
	    !(ex->method && strcmp(ex->method, "CONNECT") == 0))
		exchange_complete_url(ex);
	{
		const char *ct = hdr_list_get(&ex->resp_headers, "Content-Type");
		if (ct && ex->resp_body.data && !ex->resp_body.mime)
			ex->resp_body.mime = xstrdup(ct);
		ct = hdr_list_get(&ex->req_headers, "Content-Type");
		if (ct && ex->req_body.data && !ex->req_body.mime)
			ex->req_body.mime = xstrdup(ct);
	}
	/* redirect chain: this exchange follows a 3xx of the same command; in
	 * -v and trace output curl says so ("Issue another request") */
	if (b->prev_seq >= 0 && b->prev_group == b->group && b->prev_status >= 300 &&
	    b->prev_status < 400 && !(ex->method && strcmp(ex->method, "CONNECT") == 0) &&
	    (b->fmt == FMT_CURL_I || b->cur_follow))
		ex->redirect_of = b->prev_seq;
	if (!(ex->method && strcmp(ex->method, "CONNECT") == 0)) {
		b->prev_seq = ex->seq;
		b->prev_status = ex->status;
		b->prev_group = b->group;
		free(b->prev_url);
		b->prev_url = ex->url ? xstrdup(ex->url) : NULL;
		free(b->prev_method);
		b->prev_method = ex->method ? xstrdup(ex->method) : NULL;
		free(b->prev_location);
		b->prev_location = hdr_list_get(&ex->resp_headers, "Location") ?
					   xstrdup(hdr_list_get(&ex->resp_headers, "Location")) : NULL;
	}
	xb_emit(&b->xb); /* a refusal sets b->xb.failed; the import stops after the run */
	/* the connection facts of a hop do not carry to the next one */
	free(b->next_url);
	b->next_url = NULL;
	free(b->h2_authority);
	b->h2_authority = NULL;
	free(b->h2_scheme);
	b->h2_scheme = NULL;
	free(b->resolve_host);
	b->resolve_host = NULL;
}

/* Pending lines hold a failure: make it an exchange, closed unless keep. */
void cb_flush_pending_keep(struct builder *b, int at_eof, int keep)
{
	int fail = 0;
	if (b->cur)
		return;
	for (size_t i = 0; i < b->pending.n; i++)
		if (curl_is_failure_text(b->pending.v[i]))
			fail = 1;
	if (!fail && !(at_eof && b->res->exchanges == 0 && b->pending.n)) {
		strlist_release(&b->pending);
		return;
	}
	if (!fail) {
		/* only info lines in the whole input: keep them, say what is missing */
		char msg[120];
		cb_open(b);
		b->cur_is_failure = 1;
		snprintf(msg, sizeof(msg), "transcript ends before exchange %ld sent a request",
			 b->cur->seq);
		cb_note(b, NOTE_TRUNCATED_FILE, b->cur->seq, msg);
		b->lost = 1;
		cb_close(b, 0);
		return;
	}
	cb_open(b);
	b->cur_is_failure = 1;
	b->phase = PH_REQ_DONE;
	if (b->cmd_method)
		exchange_set(&b->cur->method, b->cmd_method);
	if (!keep)
		cb_close(b, at_eof);
}

/* Pending lines hold a failure: make it an exchange and close it. */
void cb_flush_pending(struct builder *b, int at_eof)
{
	cb_flush_pending_keep(b, at_eof, 0);
}

/* One info ("* ") line, text without the prefix. */
void cb_info(struct builder *b, const char *text, const char *time)
{
	int starter = is_starter(text);
	if (b->cur) {
		int connect_done = b->cur->method && strcmp(b->cur->method, "CONNECT") == 0 &&
				   b->phase == PH_RESP_DONE && b->cur->status >= 200 &&
				   b->cur->status < 300;
		const char *t = text;
		while (*t == ' ')
			t++;
		if (connect_done && !starts_with(t, "Proxy replied") && !starts_with(t, "CONNECT ") &&
		    !starts_with(t, "Ignoring the response-body"))
			starter = 1;
		if (starter && (b->phase >= PH_RESP_HEADERS || b->cur_is_failure || b->err_mode ||
				b->cur->error))
			cb_close(b, 0);
	} else if (starts_with(text, "Could not resolve host") && b->pending.n) {
		/* a failure already pending is its own attempt */
		int fail = 0;
		for (size_t i = 0; i < b->pending.n; i++)
			if (curl_is_failure_text(b->pending.v[i]))
				fail = 1;
		if (fail)
			cb_flush_pending(b, 0);
	}
	if (b->cur && b->phase == PH_RESP_DONE && b->body_started)
		b->body_closed = 1;
	curl_learn_info(b, text);
	if (!b->cur && time && !b->pending_time)
		b->pending_time = xstrdup(time);
	{
		struct sbuf l = SBUF_INIT;
		sbuf_addf(&l, "* %s", text);
		cb_add_transcript(b, l.data);
		sbuf_release(&l);
	}
	b->last_info_locations = strstr(text, "certificate verify locations") != NULL;
}

/* Add a header line to a list, handling obs-fold continuation. */
static void add_header_line(struct builder *b, struct hdr_list *l, const char *s, int resp)
{
	struct httpmsg_header h;
	if ((s[0] == ' ' || s[0] == '\t') && l->n && b->last_hdr_resp == resp) {
		httpmsg_fold(l, s, &b->last_hdr_len);
		return;
	}
	if (httpmsg_header_line(s, HTTPMSG_STRICT, &h)) {
		xb_header(&b->xb, resp ? XB_RESP : XB_REQ, h.name, h.name_len, h.value, h.value_len);
		b->last_hdr_resp = resp;
		b->last_hdr_len = l->n ? strlen(l->v[l->n - 1].value) : HEADER_VALUE_CAP;
	} else if (b->cur) {
		/* not a header: keep the text where a reader can see it */
		cb_transcript(b, s);
	}
}

/* A request header line ("> " stripped; "" ends the block). */
void cb_req_line(struct builder *b, const char *s)
{
	struct httpmsg_request rq;
	int is_req = httpmsg_request_line(s, HTTPMSG_STRICT, &rq);

	if (b->cur && (b->phase >= PH_RESP_HEADERS || (is_req && b->req_line_seen) ||
		       b->cur_is_failure || (is_req && b->err_mode)))
		cb_close(b, 0);
	if (!b->cur) {
		cb_open(b);
	}
	if (b->phase > PH_REQ_DONE)
		return;
	if (is_req && !b->req_line_seen) {
		b->req_line_seen = 1;
		exchange_setn(&b->cur->method, rq.method, rq.method_len);
		exchange_setn(&b->cur->url, rq.target, rq.target_len);
		free(b->cur->http_version);
		b->cur->http_version = httpmsg_version(rq.version, rq.version_len);
		b->phase = PH_REQ_HEADERS;
		return;
	}
	if (!*s) {
		b->phase = PH_REQ_DONE;
		return;
	}
	if (b->phase == PH_REQ_HEADERS)
		add_header_line(b, &b->cur->req_headers, s, 0);
}

/* Start a response-only exchange following the open one (-i, new status). */
static void cb_next_response(struct builder *b)
{
	char *method = NULL, *url = NULL;
	int was_connect = 0;
	if (b->cur) {
		was_connect = b->cur->method && strcmp(b->cur->method, "CONNECT") == 0;
		if (b->cur->status >= 300 && b->cur->status < 400 && !was_connect) {
			const char *loc = hdr_list_get(&b->cur->resp_headers, "Location");
			if (b->cur->method)
				method = xstrdup(b->cur->method);
			if (method && (b->cur->status == 303 ||
				       ((b->cur->status == 301 || b->cur->status == 302) &&
					strcmp(method, "POST") == 0))) {
				free(method);
				method = xstrdup("GET");
			}
			if (loc && strstr(loc, "://"))
				url = xstrdup(loc);
			else if (loc && loc[0] == '/' && b->cur->url && strstr(b->cur->url, "://")) {
				const char *sl = strstr(b->cur->url, "://") + 3;
				sl = strchr(sl, '/');
				url = xasprintf("%.*s%s",
						(int)(sl ? (size_t)(sl - b->cur->url) : strlen(b->cur->url)),
						b->cur->url, loc);
			} else if (loc)
				url = xstrdup(loc);
		} else if (was_connect) {
			/* the request that went through the tunnel: from the command line */
			if (b->cmd_url)
				url = xstrdup(b->cmd_url);
			method = xstrdup(b->cmd_method ? b->cmd_method : "GET");
		} else if (b->cur->method) {
			method = xstrdup(b->cur->method);
			if (b->cur->url)
				url = xstrdup(b->cur->url);
		}
		cb_close(b, 0);
	}
	cb_open(b);
	b->phase = PH_RESP_HEADERS;
	if (method)
		exchange_set(&b->cur->method, method);
	if (url)
		exchange_set(&b->cur->url, url);
	free(method);
	free(url);
}

/* A response header line ("< " stripped; "" ends the block). */
void cb_resp_line(struct builder *b, const char *s)
{
	struct httpmsg_status st;
	int is_status = httpmsg_status_line(s, HTTPMSG_STRICT, &st);
	int status = is_status ? st.code : 0;

	if (b->cur && b->cur_is_failure)
		cb_close(b, 0);
	if (!b->cur) {
		cb_open(b);
		b->phase = PH_RESP_HEADERS;
	} else if (is_status && b->phase == PH_RESP_DONE && !b->interim) {
		cb_next_response(b);
	} else if (b->phase < PH_RESP_HEADERS) {
		b->phase = PH_RESP_HEADERS;
	}
	if (is_status) {
		/* a second final status in one block: keep it visible only; after
		 * an interim (1xx) response the next status line replaces it */
		if (b->cur->status > 0 && !b->interim) {
			cb_transcript(b, s);
			return;
		}
		b->cur->status = status;
		if (st.reason_len)
			exchange_setn(&b->cur->status_text, st.reason, st.reason_len);
		else
			exchange_set(&b->cur->status_text, NULL);
		free(b->cur->http_version);
		b->cur->http_version = httpmsg_version(st.version, st.version_len);
		b->interim = status >= 100 && status < 200 && status != 101;
		if (b->interim)
			cb_transcript(b, s);
		/* -i through a proxy: the tunnel's answer is its own exchange */
		if (status == 200 && b->fmt == FMT_CURL_I && !b->req_line_seen &&
		    ascii_casestr(st.reason, st.reason_len, "connection established"))
			exchange_set(&b->cur->method, "CONNECT");
		free(b->last_resp_line);
		b->last_resp_line = xstrdup(s);
		return;
	}
	if (!*s) {
		if (b->interim) {
			b->phase = PH_RESP_HEADERS;
			return;
		}
		b->phase = PH_RESP_DONE;
		return;
	}
	if (b->phase == PH_RESP_DONE) {
		/* a "< " line after the block: keep it visible */
		cb_transcript(b, s);
		return;
	}
	if (b->interim) {
		cb_transcript(b, s);
		return;
	}
	add_header_line(b, &b->cur->resp_headers, s, 1);
	free(b->last_resp_line);
	b->last_resp_line = xstrdup(s);
}

/* Append body bytes, applying the body cap. */
void cb_body_add(struct sbuf *body, const char *p, size_t n)
{
	if (body->len > BODY_CAP)
		return;
	if (n > BODY_CAP + 1 - body->len)
		n = BODY_CAP + 1 - body->len;
	sbuf_add(body, p, n);
}

/* A plain line of a -v transcript: body, echo of -i, or continuation. */
void cb_out_line(struct builder *b, const char *s, int newline)
{
	if (b->cur && b->phase == PH_RESP_HEADERS && b->last_resp_line &&
	    strcmp(s, b->last_resp_line) == 0) {
		b->echo = 2; /* terminal -v -i: each header echoed */
		return;
	}
	/* A body follows a status line, or response headers pasted without
	 * one (the status then stays unknown). */
	if (b->cur && b->phase == PH_RESP_DONE && !b->err_mode && !b->cur_is_failure &&
	    (b->cur->status > 0 || (b->cur->status == STATUS_UNKNOWN && b->cur->resp_headers.n > 0))) {
		if (!b->body_started) {
			struct httpmsg_status st;
			if (b->echo == 2 && !*s) {
				b->echo = 0;
				return;
			}
			if (httpmsg_status_line(s, HTTPMSG_STRICT, &st) && st.code == b->cur->status) {
				b->echo = 1;
				return;
			}
			if (b->echo == 1) {
				if (!*s)
					b->echo = 0;
				return;
			}
		}
		b->body_started = 1;
		cb_body_add(&b->body, s, strlen(s));
		if (newline)
			cb_body_add(&b->body, "\n", 1);
		return;
	}
	if (!*s)
		return;
	/* continuation of a multi-line info or error message */
	if (b->err_mode || b->last_info_locations || s[0] == ' ' || s[0] == '\t') {
		const char *t = s;
		while (*t == ' ' || *t == '\t')
			t++;
		if (*t)
			cb_add_transcript(b, t);
	}
}

/* A "curl: (N) msg" line. */
void cb_curl_error(struct builder *b, long code, const char *msg, const char *line)
{
	if (b->cur && (b->phase == PH_RESP_DONE || b->phase == PH_RESP_HEADERS) && b->err_mode)
		cb_close(b, 0);
	if (!b->cur) {
		cb_open(b);
		b->cur_is_failure = 1;
		b->phase = PH_REQ_DONE;
		if (b->cmd_method)
			exchange_set(&b->cur->method, b->cmd_method);
	}
	cb_transcript(b, line);
	b->cur->exit_code = (int)code;
	if (*msg)
		exchange_set(&b->cur->error, msg);
	b->err_mode = 1;
}

/* A pasted shell command line: "$ curl -v https://x/". */
void cb_command(struct builder *b, const char *cmd)
{
	if (b->cur)
		cb_close(b, 0);
	cb_flush_pending(b, 0);
	curl_reset_conn(b);
	b->group++;
	b->group_count = 0;
	curl_cmd_release(&b->cmd);
	if (strncmp(cmd, "http", 4) == 0) {
		/* HTTPie: only the URL and method are taken from it. */
		struct strlist w = {0};
		const char *url = NULL, *method = NULL;
		shell_words(cmd, &w);
		for (size_t i = 1; i < w.n; i++) {
			const char *a = w.v[i];
			if (a[0] == '-')
				continue;
			if (!url && !method && strlen(a) < 10 && a[0] >= 'A' && a[0] <= 'Z' && !strchr(a, ':'))
				method = a;
			else if (!url)
				url = a;
		}
		free(b->cmd_url);
		b->cmd_url = url && strstr(url, "://") ? xstrdup(url) : NULL;
		free(b->cmd_method);
		b->cmd_method = method ? xstrdup(method) : url ? xstrdup("GET") : NULL;
		strlist_release(&w);
		return;
	}
	curl_cmd_parse_line(cmd, &b->cmd);
	free(b->cmd_url);
	b->cmd_url = b->cmd.url && strncmp(b->cmd.url, "http", 4) == 0 ? xstrdup(b->cmd.url) : NULL;
	free(b->cmd_method);
	b->cmd_method = xstrdup(b->cmd.method);
}

/* Apply an "exit=N" annotation to the last exchange if it has no code. */
void cb_exit_annotation(struct builder *b, long code)
{
	if (b->cur && b->cur->exit_code < 0 && code > 0 && code < 100)
		b->cur->exit_code = (int)code;
}
