/* import-curl.c - curl text output: -i / -D dumps, HTTPie, -v transcripts
 * and --trace / --trace-ascii files.
 *
 * All three shapes are turned into the same stream of events (info line,
 * request header line, response header line, body line or bytes, curl
 * error) that one builder folds into exchanges.  The builder decides where
 * one exchange ends and the next begins, which `*` lines belong to which
 * exchange, and makes an exchange of a failure that got no response.
 * Everything here works on a copy of the input read whole (slurp cap).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "caps.h"
#include "exchange.h"
#include "cmdline.h"
#include "httpmsg.h"
#include "import.h"
#include "util.h"

enum phase {
	PH_REQ_HEADERS,  /* inside "> " lines */
	PH_REQ_DONE,     /* request sent, waiting for a response */
	PH_RESP_HEADERS, /* inside "< " lines */
	PH_RESP_DONE     /* response headers complete; body may follow */
};

struct builder {
	enum capture_format fmt;
	struct import_sink *sink;
	struct import_result *res;
	int sink_failed;
	int lost;            /* something was lost: result becomes PARTIAL */
	char lost_msg[256];  /* the first such loss, for the result message */
	long next_seq;

	/* The open exchange. */
	struct exchange *cur;
	enum phase phase;
	int req_line_seen;
	int interim;         /* the last status line was 1xx (not 101) */
	int cur_is_failure;  /* made from info lines, no request seen */
	int err_mode;        /* a "curl: (N)" line was seen for cur */
	int echo;            /* -v -i: 0 none, 1 skipping echoed headers */
	int body_started;
	int body_closed;     /* an info line followed the body: it ended there */
	int exact_body;      /* body came from trace bytes (prefer over stdout) */
	struct sbuf body;
	struct sbuf req_body;
	struct sbuf stdout_body; /* unprefixed lines in a trace file */
	char *last_resp_line;
	char *last_hdr_name; /* for obs-fold continuation lines */
	int last_hdr_resp;
	size_t last_hdr_len; /* value length of the last header, for folding */
	int last_info_locations; /* "successfully set certificate verify locations:" */

	/* Info lines waiting for the next exchange. */
	struct strlist pending;
	char *pending_time;

	/* What the transcript said about the connection. */
	char *conn_host;
	int conn_port;
	char *try_host;
	int try_port;
	char *named_host;    /* "Host h:443 was resolved." (8.x) */
	int named_port;
	char *tunnel_host;
	int tunnel_port;
	int tunnel_ok;
	int tls;
	char *resolve_host;
	char *next_url;      /* "Issue another request to this URL: '...'" */
	int follow;          /* that line was seen: the next request follows */
	int cur_follow;      /* ... and it belongs to the open exchange */
	char *h2_authority;
	char *h2_scheme;
	char *cmd_url;       /* from a pasted "$ curl ... URL" command line */
	char *cmd_method;
	struct curl_cmd cmd; /* the whole command: headers, credentials, body */
	long group;          /* bumped by each command line */
	long group_count;    /* exchanges opened since the command line */

	/* The previous exchange, for redirect chains. */
	long prev_seq;
	int prev_status;
	long prev_group;
	char *prev_url;
	char *prev_method;
	char *prev_location;
};

/* ---------------------------------------------------------------- text helpers */

/* Length of the progress-meter time field at p ("--:--:--" or "0:00:01"), or 0. */
static size_t time_field(const char *p, const char *end)
{
	if (end - p >= 8 && memcmp(p, "--:--:--", 8) == 0)
		return 8;
	{
		const char *q = p;
		int colons = 0;
		while (q < end && (httpmsg_is_digit(*q) || *q == ':')) {
			if (*q == ':')
				colons++;
			q++;
		}
		if (colons == 2 && q - p >= 7 && q - p <= 9)
			return (size_t)(q - p);
	}
	return 0;
}

/* If [p,end) starts with a curl progress-meter row, return where the row
 * ends (text glued after it follows); otherwise return NULL. */
static const char *progress_row_end(const char *p, const char *end)
{
	const char *q = p;
	int times = 0, numbers = 0;
	while (q < end) {
		size_t t;
		while (q < end && *q == ' ')
			q++;
		if (q >= end)
			break;
		t = time_field(q, end);
		if (t) {
			q += t;
			times++;
			if (times == 3) {
				/* current speed: spaces then a number with a unit */
				while (q < end && *q == ' ')
					q++;
				while (q < end && (httpmsg_is_digit(*q) || *q == '.'))
					q++;
				if (q < end && strchr("kMGTP", *q))
					q++;
				return numbers >= 4 ? q : NULL;
			}
			continue;
		}
		if (httpmsg_is_digit(*q)) {
			while (q < end && (httpmsg_is_digit(*q) || *q == '.'))
				q++;
			if (q < end && strchr("kMGTP", *q))
				q++;
			if (q < end && *q != ' ')
				return NULL;
			numbers++;
			continue;
		}
		return NULL;
	}
	return NULL;
}

/* Clean one raw line into out: drop ANSI escapes and control bytes, apply
 * progress-meter CR overwrites, drop trailing CRs.  Returns 1 when the
 * line held only progress-meter debris (and should vanish), else 0. */
static int clean_line(const char *p, size_t n, struct sbuf *out)
{
	struct sbuf tmp = SBUF_INIT;
	int debris = 0, kept = 0;
	const char *seg, *end;

	sbuf_reset(out);
	/* fast path: nothing to strip and no progress meter */
	{
		size_t i = 0;
		while (i < n && ((unsigned char)p[i] >= 0x20 || p[i] == '\t') && p[i] != 0x7f)
			i++;
		if (i == n && !(n && (p[0] == ' ' || httpmsg_is_digit(p[0])) && progress_row_end(p, p + n)) &&
		    !memmem(p, n, "% Total", 7) && !memmem(p, n, "Dload", 5)) {
			sbuf_add(out, p, n);
			if (!out->data)
				sbuf_adds(out, "");
			return 0;
		}
	}
	/* 1: strip escapes and controls except CR and TAB */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == 0x1b) {
			if (i + 1 < n && p[i + 1] == '[') {
				i += 2;
				while (i < n && (unsigned char)p[i] >= 0x20 && (unsigned char)p[i] <= 0x3f)
					i++;
				while (i < n && (unsigned char)p[i] >= 0x20 && (unsigned char)p[i] <= 0x2f)
					i++;
				/* i now at the final byte (skipped by the loop) */
			} else if (i + 1 < n && p[i + 1] == ']') {
				i += 2;
				while (i < n && p[i] != 0x07 && !(p[i] == 0x1b && i + 1 < n && p[i + 1] == '\\'))
					i++;
				if (i < n && p[i] == 0x1b)
					i++;
			} else if (i + 1 < n) {
				i++;
			}
			continue;
		}
		if (c < 0x20 && c != '\r' && c != '\t')
			continue;
		if (c == 0x7f)
			continue;
		sbuf_addc(&tmp, (char)c);
	}
	/* 2: split at CRs; progress rows give way to what is glued after them */
	if (!tmp.data) {
		sbuf_adds(out, "");
		return 0;
	}
	seg = tmp.data;
	end = tmp.data + tmp.len;
	while (seg <= end) {
		const char *cr = memchr(seg, '\r', (size_t)(end - seg));
		const char *se = cr ? cr : end;
		const char *pe = progress_row_end(seg, se);
		if (pe) {
			debris = 1;
			if (pe < se) {
				sbuf_add(out, pe, (size_t)(se - pe));
				kept = 1;
			}
		} else if (se > seg) {
			sbuf_add(out, seg, (size_t)(se - seg));
			kept = 1;
		}
		if (!cr)
			break;
		seg = cr + 1;
	}
	if (!out->data)
		sbuf_adds(out, "");
	/* the progress meter's two header lines */
	if (!debris && (strstr(out->data, "% Total    % Received") ||
			(strstr(out->data, "Dload  Upload") && strstr(out->data, "Speed"))))
		debris = 1, kept = 0;
	sbuf_release(&tmp);
	return debris && !kept;
}

/* Skip "HH:MM:SS.ffffff " (--trace-time) at *p; store it in time when given. */
static int skip_trace_time(const char **p, const char *end, char **time)
{
	const char *q = *p;
	if (end - q < 9 || !httpmsg_is_digit(q[0]) || !httpmsg_is_digit(q[1]) || q[2] != ':' || !httpmsg_is_digit(q[3]) ||
	    !httpmsg_is_digit(q[4]) || q[5] != ':' || !httpmsg_is_digit(q[6]) || !httpmsg_is_digit(q[7]))
		return 0;
	q += 8;
	if (q < end && *q == '.') {
		q++;
		while (q < end && httpmsg_is_digit(*q))
			q++;
	}
	if (q >= end || *q != ' ')
		return 0;
	if (time) {
		free(*time);
		*time = xstrndup(*p, (size_t)(q - *p));
	}
	*p = q + 1;
	return 1;
}

/* Skip a curl 8.10+ trace id "[0-0] " at *p. */
static int skip_trace_id(const char **p, const char *end)
{
	const char *q = *p;
	if (q >= end || *q != '[')
		return 0;
	q++;
	if (q >= end || !httpmsg_is_digit(*q))
		return 0;
	while (q < end && httpmsg_is_digit(*q))
		q++;
	if (q >= end || *q != '-')
		return 0;
	q++;
	while (q < end && (httpmsg_is_digit(*q) || *q == 'x'))
		q++;
	if (q >= end || *q != ']')
		return 0;
	q++;
	if (q < end && *q == ' ')
		q++;
	*p = q;
	return 1;
}

/* Split "host[:port]" or "[v6]:port"; returns malloc'd host, port in *port (-1). */
static char *split_hostport(const char *s, size_t n, int *port)
{
	const char *colon = NULL;
	char *host;
	*port = -1;
	if (n && s[0] == '[') {
		const char *rb = memchr(s, ']', n);
		if (!rb)
			return xstrndup(s, n);
		host = xstrndup(s + 1, (size_t)(rb - s - 1));
		if (rb + 1 < s + n && rb[1] == ':')
			colon = rb + 1;
	} else {
		colon = memchr(s, ':', n);
		if (colon && memchr(colon + 1, ':', (size_t)(s + n - colon - 1)))
			colon = NULL; /* bare IPv6 */
		host = xstrndup(s, colon ? (size_t)(colon - s) : n);
	}
	if (colon) {
		long v;
		if (parse_long(colon + 1, (size_t)(s + n - colon - 1), &v) == 0 && v > 0 && v < 65536)
			*port = (int)v;
	}
	ascii_lower(host);
	return host;
}

/* Text of an info line that says the transfer failed, or NULL. */
static int is_failure_text(const char *s)
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

static void b_init(struct builder *b, enum capture_format fmt, struct import_sink *sink,
		   struct import_result *res)
{
	memset(b, 0, sizeof(*b));
	b->fmt = fmt;
	b->sink = sink;
	b->res = res;
	b->conn_port = b->try_port = b->tunnel_port = b->named_port = -1;
	b->prev_seq = -1;
	b->prev_group = -1;
}

/* Pass a coverage note to the sink; the first truncation becomes the message. */
static void note(struct builder *b, enum note_kind k, long seq, const char *msg)
{
	if (k == NOTE_TRUNCATED_FILE && !b->lost_msg[0])
		snprintf(b->lost_msg, sizeof(b->lost_msg), "%s", msg);
	if (b->sink->note)
		b->sink->note(b->sink->ctx, k, seq, msg);
}

/* Free everything the builder holds. */
static void b_release(struct builder *b)
{
	if (b->cur) {
		exchange_release(b->cur);
		free(b->cur);
	}
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
static void add_transcript(struct builder *b, const char *s)
{
	if (b->cur)
		strlist_adds(&b->cur->transcript, s);
	else if (b->pending.n < PENDING_CAP)
		strlist_adds(&b->pending, s);
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
static void b_open(struct builder *b)
{
	b->cur = xmalloc(sizeof(*b->cur));
	exchange_init(b->cur);
	b->cur->seq = b->next_seq;
	b->cur_follow = b->follow;
	b->follow = 0;
	b->cur->exit_code = -1;
	b->cur->redirect_of = -1;
	for (size_t i = 0; i < b->pending.n; i++)
		strlist_adds(&b->cur->transcript, b->pending.v[i]);
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
		for (size_t i = 0; i < b->cmd.headers.n; i++)
			hdr_list_adds(&b->cur->req_headers, b->cmd.headers.v[i].name,
				      b->cmd.headers.v[i].value);
		if (b->group_count == 0 && b->cmd.body)
			body_set(&b->cur->req_body, b->cmd.body, strlen(b->cmd.body));
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

/* The scheme for an exchange whose URL is not absolute. */
static const char *guess_scheme(struct builder *b, const char *host, int port)
{
	if (b->h2_scheme)
		return b->h2_scheme;
	if (b->next_url) {
		if (starts_with_icase(b->next_url, "https:"))
			return "https";
		if (starts_with_icase(b->next_url, "http:"))
			return "http";
	}
	if (b->cmd_url && host) {
		struct exchange tmp;
		const char *sch = NULL;
		exchange_init(&tmp);
		exchange_set_url(&tmp, b->cmd_url);
		if (tmp.host && ascii_casecmp(tmp.host, host) == 0 && tmp.scheme)
			sch = strcmp(tmp.scheme, "https") == 0 ? "https" :
			      strcmp(tmp.scheme, "http") == 0 ? "http" : NULL;
		exchange_release(&tmp);
		if (sch)
			return sch;
	}
	if (b->tunnel_ok || b->tls)
		return "https";
	if (port == 443)
		return "https";
	if (port == 80)
		return "http";
	if (b->fmt == FMT_CURL_I)
		return "http"; /* HTTPie's default */
	if (b->conn_host || b->try_host || b->named_host)
		return "http";
	return "https";
}

/* Build scheme://host[:port]path into the exchange. */
static void set_url_parts(struct builder *b, struct exchange *ex, const char *host, int port,
			  const char *path)
{
	const char *scheme = guess_scheme(b, host, port);
	struct sbuf u = SBUF_INIT;
	int v6 = strchr(host, ':') != NULL;
	int star = path && path[0] == '*';
	sbuf_addf(&u, "%s://%s%s%s", scheme, v6 ? "[" : "", host, v6 ? "]" : "");
	if (port > 0 && !((strcmp(scheme, "https") == 0 && port == 443) ||
			  (strcmp(scheme, "http") == 0 && port == 80)))
		sbuf_addf(&u, ":%d", port);
	if (path && path[0] == '/')
		sbuf_adds(&u, path);
	else if (path && path[0] == '*')
		sbuf_adds(&u, "/");
	else
		sbuf_adds(&u, "/");
	/* path may point into ex->url, which this replaces */
	exchange_set_url(ex, u.data);
	if (star)
		exchange_set(&ex->path, "*");
	sbuf_release(&u);
}

/* Fill url/host of the open exchange from what is known. */
static void resolve_url(struct builder *b, struct exchange *ex)
{
	const char *hosthdr;
	char *host = NULL;
	int port = -1;

	if (ex->url && strstr(ex->url, "://")) {
		char *u = xstrdup(ex->url);
		exchange_set_url(ex, u);
		free(u);
		return;
	}
	if (ex->method && strcmp(ex->method, "CONNECT") == 0 && ex->url) {
		char *target = xstrdup(ex->url);
		host = split_hostport(target, strlen(target), &port);
		exchange_set(&ex->host, host);
		ex->port = port;
		exchange_set(&ex->path, NULL);
		free(target);
		goto out;
	}
	hosthdr = hdr_list_get(&ex->req_headers, "Host");
	if (!hosthdr)
		hosthdr = b->h2_authority;
	if (hosthdr && *hosthdr) {
		host = split_hostport(hosthdr, strlen(hosthdr), &port);
		if (port < 0 && b->conn_host && ascii_casecmp(b->conn_host, host) == 0)
			port = b->conn_port;
		set_url_parts(b, ex, host, port, ex->url);
		goto out;
	}
	if (ex->url && ex->url[0] == '/' && b->next_url) {
		exchange_set_url(ex, b->next_url);
		goto out;
	}
	/* No Host header: the command line, the tunnel, the connection. */
	if (b->next_url && !ex->url) {
		exchange_set_url(ex, b->next_url);
		goto out;
	}
	if (b->cmd_url && (!b->resolve_host || !ex->url)) {
		struct exchange tmp;
		exchange_init(&tmp);
		exchange_set_url(&tmp, b->cmd_url);
		if (tmp.host && (!b->resolve_host || ascii_casecmp(tmp.host, b->resolve_host) == 0)) {
			if (ex->url && ex->url[0] == '/') {
				set_url_parts(b, ex, tmp.host, tmp.port, ex->url);
			} else {
				exchange_set_url(ex, b->cmd_url);
			}
			exchange_release(&tmp);
			goto out;
		}
		exchange_release(&tmp);
	}
	if (b->resolve_host) {
		host = xstrdup(b->resolve_host);
	} else if (b->tunnel_host) {
		host = xstrdup(b->tunnel_host);
		port = b->tunnel_port;
	} else if (b->conn_host) {
		host = xstrdup(b->conn_host);
		port = b->conn_port;
	} else if (b->named_host) {
		host = xstrdup(b->named_host);
		port = b->named_port;
	} else if (b->try_host) {
		host = xstrdup(b->try_host);
		port = b->try_port;
	}
	if (host)
		set_url_parts(b, ex, host, port, ex->url);
out:
	free(host);
}

/* Trim a body that is only the trailing newline of an empty response. */
static void finish_body(struct exchange *ex, struct sbuf *body)
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
	body_set(&ex->resp_body, body->data, n);
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
	note(b, NOTE_TRUNCATED_FILE, ex->seq, msg);
	b->lost = 1;
}

/* Finish and emit the open exchange.  at_eof says the input ended here. */
static void b_close(struct builder *b, int at_eof)
{
	struct exchange *ex = b->cur;
	const char *trunc = NULL;
	char msg[200];

	if (!ex)
		return;
	b->cur = NULL;
	if (ex->status == STATUS_UNKNOWN && !ex->error) {
		for (size_t i = ex->transcript.n; i-- > 0;)
			if (is_failure_text(ex->transcript.v[i])) {
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
		note(b, NOTE_TRUNCATED_FILE, ex->seq, msg);
		b->lost = 1;
	}
	{
		struct sbuf *body = b->exact_body || !b->stdout_body.len ? &b->body : &b->stdout_body;
		finish_body(ex, body);
		if (at_eof && !trunc && !ex->error && b->phase == PH_RESP_DONE && b->body_started &&
		    ex->status >= 200 && ex->resp_body.data && !ex->resp_body.truncated)
			check_cut_body(b, ex, body);
	}
	if (b->req_body.len) {
		size_t n = b->req_body.len;
		while (n && b->req_body.data[n - 1] == '\n')
			n--;
		if (n)
			body_set(&ex->req_body, b->req_body.data, n);
	}
	resolve_url(b, ex);
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
	if (!b->sink_failed && b->sink->emit(b->sink->ctx, ex) != 0)
		b->sink_failed = 1;
	b->next_seq++;
	b->res->exchanges++;
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
	/* the connection facts of a hop do not carry to the next one */
	free(b->next_url);
	b->next_url = NULL;
	free(b->h2_authority);
	b->h2_authority = NULL;
	free(b->h2_scheme);
	b->h2_scheme = NULL;
	free(b->resolve_host);
	b->resolve_host = NULL;
	exchange_release(ex);
	free(ex);
}

/* Pending lines hold a failure: make it an exchange, closed unless keep. */
static void b_flush_pending_keep(struct builder *b, int at_eof, int keep)
{
	int fail = 0;
	if (b->cur)
		return;
	for (size_t i = 0; i < b->pending.n; i++)
		if (is_failure_text(b->pending.v[i]))
			fail = 1;
	if (!fail && !(at_eof && b->res->exchanges == 0 && b->pending.n)) {
		strlist_release(&b->pending);
		return;
	}
	if (!fail) {
		/* only info lines in the whole input: keep them, say what is missing */
		char msg[120];
		b_open(b);
		b->cur_is_failure = 1;
		snprintf(msg, sizeof(msg), "transcript ends before exchange %ld sent a request",
			 b->cur->seq);
		note(b, NOTE_TRUNCATED_FILE, b->cur->seq, msg);
		b->lost = 1;
		b_close(b, 0);
		return;
	}
	b_open(b);
	b->cur_is_failure = 1;
	b->phase = PH_REQ_DONE;
	if (b->cmd_method)
		exchange_set(&b->cur->method, b->cmd_method);
	if (!keep)
		b_close(b, at_eof);
}

/* Pending lines hold a failure: make it an exchange and close it. */
static void b_flush_pending(struct builder *b, int at_eof)
{
	b_flush_pending_keep(b, at_eof, 0);
}

/* Reset what the transcript said about the connection (new command). */
static void reset_conn(struct builder *b)
{
	free(b->conn_host);
	b->conn_host = NULL;
	free(b->try_host);
	b->try_host = NULL;
	free(b->tunnel_host);
	b->tunnel_host = NULL;
	free(b->named_host);
	b->named_host = NULL;
	b->conn_port = b->try_port = b->tunnel_port = b->named_port = -1;
	b->tunnel_ok = 0;
	b->tls = 0;
}

/* "HOST (ip) port N" style info: the host up to the first space into
 * *host (lowercased, replacing the old one), the number after marker
 * into *port (-1 when absent or out of range). */
static void host_and_port(const char *h, const char *marker, char **host, int *port)
{
	const char *e = strchr(h, ' '), *p;
	if (!e)
		e = h + strlen(h);
	free(*host);
	*host = xstrndup(h, (size_t)(e - h));
	ascii_lower(*host);
	*port = -1;
	p = strstr(e, marker);
	if (p) {
		long v = 0;
		p += strlen(marker);
		while (httpmsg_is_digit(*p) && v < 100000)
			v = v * 10 + (*p++ - '0');
		if (v > 0 && v < 65536)
			*port = (int)v;
	}
}

/* Learn connection facts from one info line (without the "* "). */
static void learn_info(struct builder *b, const char *s)
{
	const char *t = s, *p;
	while (*t == ' ')
		t++;
	if (starts_with(t, "Trying ")) {
		const char *h = t + 7, *e = h;
		while (*e && *e != ' ' && *e != '.')
			e++;
		/* "1.2.3.4:443..." or "1.2.3.4..." (old) */
		e = h;
		while (*e && *e != ' ')
			e++;
		while (e > h && e[-1] == '.')
			e--;
		free(b->try_host);
		b->try_host = split_hostport(h, (size_t)(e - h), &b->try_port);
		b->tls = 0;
		return;
	}
	if (starts_with(t, "Connected to ")) {
		host_and_port(t + 13, " port ", &b->conn_host, &b->conn_port);
		return;
	}
	if (starts_with(t, "About to connect() to ")) {
		host_and_port(t + 22, "port ", &b->try_host, &b->try_port);
		return;
	}
	if (starts_with(t, "Establish HTTP proxy tunnel to ")) {
		const char *h = t + 31, *e = h;
		while (*e && *e != ' ')
			e++;
		free(b->tunnel_host);
		b->tunnel_host = split_hostport(h, (size_t)(e - h), &b->tunnel_port);
		return;
	}
	if ((p = strstr(t, "resolve host")) != NULL &&
	    (starts_with(t, "Could not resolve host") || starts_with(t, "Couldn't resolve host"))) {
		const char *h = p + 12, *e;
		while (*h == ':' || *h == ' ' || *h == '\'')
			h++;
		e = h;
		while (*e && *e != ' ' && *e != '\'')
			e++;
		if (e > h) {
			free(b->resolve_host);
			b->resolve_host = xstrndup(h, (size_t)(e - h));
			ascii_lower(b->resolve_host);
		}
		return;
	}
	if (starts_with(t, "Host ") && (p = strstr(t, " was resolved")) != NULL) {
		free(b->named_host);
		b->named_host = split_hostport(t + 5, (size_t)(p - t - 5), &b->named_port);
		return;
	}
	if ((starts_with(t, "processing: ") || starts_with(t, "Rebuilt URL to: ")) && strstr(t, "://")) {
		const char *h = strchr(t, ':') + 2, *e = h;
		while (*e && *e != ' ')
			e++;
		free(b->next_url);
		b->next_url = xstrndup(h, (size_t)(e - h));
		return;
	}
	if (starts_with(t, "Issue another request to this URL: '")) {
		const char *h = t + 36, *e = strchr(h, '\'');
		if (e) {
			free(b->next_url);
			b->next_url = xstrndup(h, (size_t)(e - h));
		}
		b->follow = 1;
		return;
	}
	if (starts_with(t, "Proxy replied 2") || starts_with(t, "CONNECT tunnel established") ||
	    starts_with(t, "CONNECT phase completed")) {
		b->tunnel_ok = 1;
		return;
	}
	/* h2h3 [:authority: h] (7.8x) and [HTTP/2] [1] [:authority: h] (8.x) */
	if ((p = strstr(t, "[:authority: ")) != NULL) {
		const char *h = p + 13, *e = strchr(h, ']');
		if (e) {
			free(b->h2_authority);
			b->h2_authority = xstrndup(h, (size_t)(e - h));
		}
		return;
	}
	if ((p = strstr(t, "[:scheme: ")) != NULL) {
		const char *h = p + 10, *e = strchr(h, ']');
		if (e && (e - h == 4 || e - h == 5)) {
			free(b->h2_scheme);
			b->h2_scheme = xstrndup(h, (size_t)(e - h));
		}
		return;
	}
	if (strstr(t, "TLSv") || starts_with(t, "SSL ") || strstr(t, "ALPN") ||
	    starts_with(t, "schannel") || starts_with(t, "Server certificate") ||
	    starts_with(t, "successfully set certificate verify") || starts_with(t, "CAfile") ||
	    strstr(t, "SSL certificate") || starts_with(t, "SSL:") || strstr(t, "SSL_connect") ||
	    starts_with(t, "GnuTLS") || starts_with(t, "gnutls") || starts_with(t, "LibreSSL") ||
	    strstr(t, "(OUT), TLS") || strstr(t, "(IN), TLS"))
		b->tls = 1;
}

/* One info ("* ") line, text without the prefix. */
static void b_info(struct builder *b, const char *text, const char *time)
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
			b_close(b, 0);
	} else if (starts_with(text, "Could not resolve host") && b->pending.n) {
		/* a failure already pending is its own attempt */
		int fail = 0;
		for (size_t i = 0; i < b->pending.n; i++)
			if (is_failure_text(b->pending.v[i]))
				fail = 1;
		if (fail)
			b_flush_pending(b, 0);
	}
	if (b->cur && b->phase == PH_RESP_DONE && b->body_started)
		b->body_closed = 1;
	learn_info(b, text);
	if (!b->cur && time && !b->pending_time)
		b->pending_time = xstrdup(time);
	{
		struct sbuf l = SBUF_INIT;
		sbuf_addf(&l, "* %s", text);
		add_transcript(b, l.data);
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
		hdr_list_add(l, h.name, h.name_len, h.value, h.value_len);
		b->last_hdr_resp = resp;
		b->last_hdr_len = l->n ? strlen(l->v[l->n - 1].value) : HEADER_VALUE_CAP;
	} else if (b->cur) {
		/* not a header: keep the text where a reader can see it */
		strlist_adds(&b->cur->transcript, s);
	}
}

/* A request header line ("> " stripped; "" ends the block). */
static void b_req_line(struct builder *b, const char *s)
{
	struct httpmsg_request rq;
	int is_req = httpmsg_request_line(s, HTTPMSG_STRICT, &rq);

	if (b->cur && (b->phase >= PH_RESP_HEADERS || (is_req && b->req_line_seen) ||
		       b->cur_is_failure || (is_req && b->err_mode)))
		b_close(b, 0);
	if (!b->cur) {
		b_open(b);
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
static void b_next_response(struct builder *b)
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
		b_close(b, 0);
	}
	b_open(b);
	b->phase = PH_RESP_HEADERS;
	if (method)
		exchange_set(&b->cur->method, method);
	if (url)
		exchange_set(&b->cur->url, url);
	free(method);
	free(url);
}

/* A response header line ("< " stripped; "" ends the block). */
static void b_resp_line(struct builder *b, const char *s)
{
	struct httpmsg_status st;
	int is_status = httpmsg_status_line(s, HTTPMSG_STRICT, &st);
	int status = is_status ? st.code : 0;

	if (b->cur && b->cur_is_failure)
		b_close(b, 0);
	if (!b->cur) {
		b_open(b);
		b->phase = PH_RESP_HEADERS;
	} else if (is_status && b->phase == PH_RESP_DONE && !b->interim) {
		b_next_response(b);
	} else if (b->phase < PH_RESP_HEADERS) {
		b->phase = PH_RESP_HEADERS;
	}
	if (is_status) {
		/* a second final status in one block: keep it visible only; after
		 * an interim (1xx) response the next status line replaces it */
		if (b->cur->status > 0 && !b->interim) {
			strlist_adds(&b->cur->transcript, s);
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
			strlist_adds(&b->cur->transcript, s);
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
		strlist_adds(&b->cur->transcript, s);
		return;
	}
	if (b->interim) {
		strlist_adds(&b->cur->transcript, s);
		return;
	}
	add_header_line(b, &b->cur->resp_headers, s, 1);
	free(b->last_resp_line);
	b->last_resp_line = xstrdup(s);
}

/* Append body bytes, applying the body cap. */
static void body_add(struct sbuf *body, const char *p, size_t n)
{
	if (body->len > BODY_CAP)
		return;
	if (n > BODY_CAP + 1 - body->len)
		n = BODY_CAP + 1 - body->len;
	sbuf_add(body, p, n);
}

/* A plain line of a -v transcript: body, echo of -i, or continuation. */
static void b_out_line(struct builder *b, const char *s, int newline)
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
		body_add(&b->body, s, strlen(s));
		if (newline)
			body_add(&b->body, "\n", 1);
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
			add_transcript(b, t);
	}
}

/* A "curl: (N) msg" line. */
static void b_curl_error(struct builder *b, long code, const char *msg, const char *line)
{
	if (b->cur && (b->phase == PH_RESP_DONE || b->phase == PH_RESP_HEADERS) && b->err_mode)
		b_close(b, 0);
	if (!b->cur) {
		b_open(b);
		b->cur_is_failure = 1;
		b->phase = PH_REQ_DONE;
		if (b->cmd_method)
			exchange_set(&b->cur->method, b->cmd_method);
	}
	strlist_adds(&b->cur->transcript, line);
	b->cur->exit_code = (int)code;
	if (*msg)
		exchange_set(&b->cur->error, msg);
	b->err_mode = 1;
}

/* A pasted shell command line: "$ curl -v https://x/". */
static void b_command(struct builder *b, const char *cmd)
{
	if (b->cur)
		b_close(b, 0);
	b_flush_pending(b, 0);
	reset_conn(b);
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

/* Is this line a pasted command line for curl or HTTPie?  Returns where the
 * command starts, or NULL. */
static const char *command_start(const char *s)
{
	static const char *const tools[] = { "curl ", "curl.exe ", "http ", "https ", NULL };
	size_t n = strlen(s);
	for (size_t i = 0; i < n && i < 120; i++) {
		int at = i == 0;
		if (!at) {
			char c = s[i - 1];
			if (c == ' ' && i >= 2)
				c = s[i - 2];
			at = (c == '$' || c == '#' || c == '>' || c == '%') &&
			     (s[i - 1] == ' ' || s[i - 1] == c);
		}
		if (!at)
			continue;
		for (int t = 0; tools[t]; t++)
			if (strncmp(s + i, tools[t], strlen(tools[t])) == 0) {
				const char *rest = s + i + strlen(tools[t]);
				/* "http " must be followed by a URL or an option */
				if (t >= 2 && !strstr(rest, "://") && !strchr(rest, ':') && rest[0] != '-')
					continue;
				return s + i;
			}
	}
	return NULL;
}

/* ---------------------------------------------------------------- line iteration */

struct lines {
	const char *p, *end;
	struct sbuf cur;
	int debris;   /* the line held only progress-meter debris */
	int newline;  /* the line ended with LF */
	size_t lineno;
};

/* Fetch the next cleaned line; returns 0 at the end. */
static int next_line(struct lines *L)
{
	const char *nl;
	if (L->p >= L->end)
		return 0;
	nl = memchr(L->p, '\n', (size_t)(L->end - L->p));
	L->newline = nl != NULL;
	if (!nl)
		nl = L->end;
	L->debris = clean_line(L->p, (size_t)(nl - L->p), &L->cur);
	L->p = nl < L->end ? nl + 1 : L->end;
	L->lineno++;
	return 1;
}

/* Strip indentation before a -v prefix; returns the prefix kind or 0. */
static int v_prefix(const char *s, const char **text)
{
	const char *p = s;
	int ind = 0;
	while ((*p == ' ' || *p == '\t') && ind < 12) {
		p++;
		ind++;
	}
	if ((p[0] == '*' || p[0] == '>' || p[0] == '<') && (p[1] == ' ' || p[1] == 0)) {
		*text = p[1] ? p + 2 : p + 1;
		return p[0];
	}
	if ((p[0] == '{' && p[1] == ' ' && p[2] == '[') || (p[0] == '}' && p[1] == ' ')) {
		*text = p + 2;
		return p[0];
	}
	if (starts_with(p, "curl: (")) {
		*text = p;
		return 'E';
	}
	return 0;
}

/* Split a body glued to "* Connection #0 ... left intact" and friends. */
static const char *glued_info(const char *s)
{
	static const char *const pats[] = { "* Connection #", "* Closing connection",
		"* Connection died", "* transfer closed", "* Curl_", "* shutting down", NULL };
	for (int i = 0; pats[i]; i++) {
		const char *p = strstr(s, pats[i]);
		if (p && p > s)
			return p;
	}
	return NULL;
}

/* Parse "exit=N" (a shell status annotation some captures end with). */
static int exit_annotation(const char *s, long *code)
{
	if (strncmp(s, "exit=", 5) != 0 || !httpmsg_is_digit(s[5]))
		return 0;
	return parse_long(s + 5, strlen(s + 5), code) == 0;
}

/* Apply an "exit=N" annotation to the last exchange if it has no code. */
static void b_exit_annotation(struct builder *b, long code)
{
	if (b->cur && b->cur->exit_code < 0 && code > 0 && code < 100)
		b->cur->exit_code = (int)code;
}

/* The -v importer. */
static void run_verbose(struct builder *b, const char *buf, size_t len)
{
	struct lines L = { buf, buf + len, SBUF_INIT, 0, 0, 0 };
	char *time = NULL;
	int fenced_out = 0;

	while (next_line(&L)) {
		const char *s = L.cur.data, *text = NULL;
		const char *g;
		int kind;
		long code;

		if (L.debris)
			continue;
		/* --trace-time / -vv prefixes */
		{
			const char *q = s, *e = s + strlen(s);
			if (skip_trace_time(&q, e, &time))
				s = q;
			if (skip_trace_id(&q, e))
				s = q;
		}
		kind = v_prefix(s, &text);
		if (!kind) {
			const char *cmd = command_start(s);
			if (cmd) {
				b_command(b, cmd);
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
			b_info(b, text, time);
			break;
		case '>':
			if (command_start(text) == text) {
				b_command(b, text);
				break;
			}
			b_req_line(b, text);
			break;
		case '<':
			b_resp_line(b, text);
			break;
		case '{':
		case '}':
			if (kind == '}' && !strstr(text, "bytes data]") && !strstr(text, "data not shown]") &&
			    b->cur && b->phase == PH_REQ_DONE) {
				body_add(&b->req_body, text, strlen(text));
				body_add(&b->req_body, "\n", 1);
			}
			break;
		case 'E':
			if (httpmsg_curl_error(text, HTTPMSG_STRICT, &code, &g))
				b_curl_error(b, code, g, text);
			else
				b_out_line(b, s, L.newline);
			break;
		default:
			if (exit_annotation(s, &code)) {
				if (!b->cur)
					b_flush_pending_keep(b, 0, 1);
				b_exit_annotation(b, code);
				break;
			}
			if ((g = glued_info(s)) != NULL) {
				struct sbuf pre = SBUF_INIT;
				sbuf_add(&pre, s, (size_t)(g - s));
				b_out_line(b, pre.data, 0);
				sbuf_release(&pre);
				b_info(b, g + 2, time);
				break;
			}
			if ((g = strstr(s, "curl: (")) != NULL && g > s &&
			    httpmsg_curl_error(g, HTTPMSG_STRICT, &code, &text)) {
				struct sbuf pre = SBUF_INIT;
				sbuf_add(&pre, s, (size_t)(g - s));
				b_out_line(b, pre.data, 0);
				sbuf_release(&pre);
				b_curl_error(b, code, text, g);
				break;
			}
			b_out_line(b, s, L.newline);
			break;
		}
	}
	if (b->cur)
		b_close(b, 1);
	else
		b_flush_pending(b, 1);
	sbuf_release(&L.cur);
	free(time);
}

/* Does the line after p (in the raw buffer) look like a header or blank? */
static int next_is_header(struct lines *L)
{
	struct lines peek = *L;
	int r = 0;
	sbuf_init(&peek.cur);
	if (next_line(&peek)) {
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
		b_close(b, 0);
	b_open(b);
	b->cur_is_failure = 1;
	b->phase = PH_REQ_DONE;
	strlist_adds(&b->cur->transcript, line);
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
	b_close(b, 0);
}

/* The -i / HTTPie / raw dump importer. */
static void run_include(struct builder *b, const char *buf, size_t len)
{
	struct lines L = { buf, buf + len, SBUF_INIT, 0, 0, 0 };
	enum { M_OUT, M_REQHDR, M_REQBODY, M_HDR, M_BODY } mode = M_OUT;

	while (next_line(&L)) {
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
			const char *cmd = command_start(t);
			if (cmd && (mode == M_OUT || !b->cur || cmd == t || strstr(cmd, "://"))) {
				b_command(b, cmd);
				mode = M_OUT;
				continue;
			}
			if ((is_status || is_req) && next_is_header(&L)) {
				if (is_req) {
					b_req_line(b, t);
					mode = M_REQHDR;
				} else {
					b_resp_line(b, t);
					mode = M_HDR;
				}
				continue;
			}
			if (httpmsg_curl_error(t, HTTPMSG_STRICT, &code, &msg)) {
				b_curl_error(b, code, msg, t);
				mode = M_OUT;
				continue;
			}
			if ((msg = httpmsg_httpie_error(t, HTTPMSG_STRICT)) != NULL) {
				httpie_error_exchange(b, msg, t);
				mode = M_OUT;
				continue;
			}
			if (exit_annotation(t, &code) && L.p >= L.end - 1) {
				b_exit_annotation(b, code);
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
				b_req_line(b, "");
				mode = M_REQBODY;
			} else {
				b_req_line(b, s[0] == ' ' || s[0] == '\t' ? s : t);
			}
			break;
		case M_REQBODY:
			body_add(&b->req_body, s, strlen(s));
			body_add(&b->req_body, "\n", 1);
			break;
		case M_HDR:
			if (!*t) {
				b_resp_line(b, "");
				mode = M_BODY;
			} else {
				b_resp_line(b, s[0] == '\t' || (s[0] == ' ' && !httpmsg_header_line(t, HTTPMSG_STRICT, NULL)) ? s : t);
			}
			break;
		case M_BODY:
			if (b->cur && b->phase == PH_RESP_DONE && b->cur->status > 0) {
				b->body_started = 1;
				body_add(&b->body, s, strlen(s));
				if (L.newline)
					body_add(&b->body, "\n", 1);
			}
			break;
		}
	}
	if (b->cur)
		b_close(b, 1);
	else
		b_flush_pending(b, 1);
	sbuf_release(&L.cur);
}

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
			b_resp_line(b, line.data);
		else
			b_req_line(b, line.data);
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
			b_close(b, 0);
		feed_header_block(b, data->data, data->len, 0);
		if (b->cur && b->phase == PH_REQ_HEADERS)
			b->phase = PH_REQ_DONE;
		break;
	case TB_SEND_DATA:
		if (b->cur && b->phase <= PH_REQ_DONE)
			body_add(&b->req_body, data->data, data->len);
		break;
	case TB_RECV_HEADER:
		feed_header_block(b, data->data, data->len, 1);
		break;
	case TB_RECV_DATA:
		if (b->cur && b->phase == PH_RESP_DONE) {
			body_add(&b->body, data->data, data->len);
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
static void run_trace(struct builder *b, const char *buf, size_t len)
{
	struct lines L = { buf, buf + len, SBUF_INIT, 0, 0, 0 };
	struct sbuf data = SBUF_INIT;
	enum tblock kind = TB_NONE;
	long declared = 0, last_off = -1;
	size_t last_len = 0;
	int hex = -1;
	char *time = NULL;

	while (next_line(&L)) {
		const char *s = L.cur.data, *e = s + strlen(s), *text;
		long off;
		if (L.debris)
			continue;
		{
			const char *q = s;
			char *t = NULL;
			if (skip_trace_time(&q, e, &t)) {
				s = q;
				free(time);
				time = t;
			}
			if (skip_trace_id(&q, e))
				s = q;
		}
		if (starts_with(s, "== Info: ") || starts_with(s, "== Info:")) {
			trace_flush(b, kind, &data, hex == 1);
			kind = TB_NONE;
			s += 8;
			if (*s == ' ')
				s++;
			b_info(b, s, time);
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
					body_add(&b->stdout_body, s, strlen(s));
					body_add(&b->stdout_body, "\n", 1);
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
				b_curl_error(b, code, msg, s);
				continue;
			}
		}
		if (b->cur && b->phase == PH_RESP_DONE && !b->err_mode) {
			body_add(&b->stdout_body, s, strlen(s));
			if (L.newline)
				body_add(&b->stdout_body, "\n", 1);
		}
	}
	trace_flush(b, kind, &data, hex == 1);
	/* a response cut before its blank line: not for ascii header blocks */
	if (b->cur)
		b_close(b, 1);
	else
		b_flush_pending(b, 1);
	sbuf_release(&data);
	sbuf_release(&L.cur);
	free(time);
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
	b_open(b);
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
		strlist_adds(&b->cur->transcript, l.data);
		sbuf_release(&l);
	}
	if ((s = json_string_value(json_object_get(o, "content_type"))) != NULL && *s)
		hdr_list_adds(&b->cur->resp_headers, "Content-Type", s);
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
	b_close(b, 0);
	return 1;
}

/* ---------------------------------------------------------------- entry point */

/* Run the importer for fmt over the whole text. */
static void run_format(struct builder *b, enum capture_format fmt, const char *p, size_t len)
{
	b->res->format = fmt;
	switch (fmt) {
	case FMT_CURL_TRACE:
		run_trace(b, p, len);
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
	b_init(&b, fmt, sink, res);
	run_format(&b, fmt, p, len);
	if (res->exchanges == 0 && !b.sink_failed) {
		/* a wrong --format-hint: nothing found, so read it as what it looks like */
		enum capture_format other = sniff_text((const unsigned char *)p, len);
		if (other != b.fmt &&
		    (other == FMT_CURL_I || other == FMT_CURL_V || other == FMT_CURL_TRACE)) {
			b_release(&b);
			b_init(&b, other, sink, res);
			run_format(&b, other, p, len);
		}
	}
	if (b.sink_failed) {
		import_fail(res, IMPORT_ERROR, "could not store exchange %ld", b.next_seq - 1);
		b_release(&b);
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
	b_release(&b);
	free(buf);
	return 0;
}
