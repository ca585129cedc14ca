/* import-curl-int.h - what the parts of the curl importer share.
 *
 * The curl importer reads curl's text output: -i / -D dumps, HTTPie,
 * -v transcripts, --trace / --trace-ascii files and -w '%{json}'.  Every
 * shape becomes the same stream of events (info line, request header line,
 * response header line, body line or bytes, curl error) that one builder
 * folds into exchanges.  The parts, each calling only the ones below it:
 *
 *   import-curl.c        entry point; the -v, -i and -w '%{json}' readers
 *   import-curl-trace.c  the --trace / --trace-ascii reader
 *   import-curl-build.c  the builder: where one exchange ends and the next
 *                        begins, which `*` lines belong to which exchange,
 *                        failures that got no response; it emits through
 *                        the exchange builder (xbuild.c), which numbers,
 *                        caps and notes
 *   import-curl-conn.c   what the transcript says about the connection
 *                        (host, port, tunnel, TLS) and the URL it gives
 *   import-curl-line.c   cleaning lines (ANSI escapes, progress meter) and
 *                        recognising prefixes and command lines
 *
 * The HTTP line grammar is httpmsg.c; command lines are cmdline.c.
 */
#ifndef HARTRIAGE_IMPORT_CURL_INT_H
#define HARTRIAGE_IMPORT_CURL_INT_H

#include <stddef.h>

#include "cmdline.h"
#include "exchange.h"
#include "import.h"
#include "util.h"
#include "xbuild.h"

enum phase {
	PH_REQ_HEADERS,  /* inside "> " lines */
	PH_REQ_DONE,     /* request sent, waiting for a response */
	PH_RESP_HEADERS, /* inside "< " lines */
	PH_RESP_DONE     /* response headers complete; body may follow */
};

struct builder {
	enum capture_format fmt;
	struct xbuild xb;    /* numbers, caps and emits the exchanges */
	struct import_result *res;
	int lost;            /* something was lost: result becomes PARTIAL */
	char lost_msg[256];  /* the first such loss, for the result message */

	/* The open exchange (owned by xb; NULL between exchanges). */
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

/* ---------------------------------------------------------------- import-curl-line.c: cleaning and reading transcript lines */

/* Lines of the input, cleaned one at a time (curl_next_line). */
struct curl_lines {
	const char *p, *end;
	struct sbuf cur;
	int debris;   /* the line held only progress-meter debris */
	int newline;  /* the line ended with LF */
	size_t lineno;
};

/* Skip "HH:MM:SS.ffffff " (--trace-time) at *p; store it in time when given. */
int curl_skip_trace_time(const char **p, const char *end, char **time);
/* Skip a curl 8.10+ trace id "[0-0] " at *p. */
int curl_skip_trace_id(const char **p, const char *end);
/* Is this line a pasted command line for curl or HTTPie?  Returns where the
 * command starts, or NULL. */
const char *curl_command_start(const char *s);
/* Fetch the next cleaned line; returns 0 at the end. */
int curl_next_line(struct curl_lines *L);
/* Strip indentation before a -v prefix; returns the prefix kind or 0. */
int curl_v_prefix(const char *s, const char **text);
/* Split a body glued to "* Connection #0 ... left intact" and friends. */
const char *curl_glued_info(const char *s);
/* Parse "exit=N" (a shell status annotation some captures end with). */
int curl_exit_annotation(const char *s, long *code);

/* ---------------------------------------------------------------- import-curl-conn.c: what the transcript says about the connection */

/* Fill url/host of the open exchange from what is known. */
void curl_resolve_url(struct builder *b, struct exchange *ex);
/* Reset what the transcript said about the connection (new command). */
void curl_reset_conn(struct builder *b);
/* Learn connection facts from one info line (without the "* "). */
void curl_learn_info(struct builder *b, const char *s);

/* ---------------------------------------------------------------- import-curl-build.c: the builder that folds events into exchanges */

/* Start a builder for one input of format fmt. */
void cb_init(struct builder *b, enum capture_format fmt, struct import_sink *sink,
	     struct import_result *res);
/* Free everything the builder holds. */
void cb_release(struct builder *b);
/* Append a line to the open exchange's transcript (the builder caps it). */
void cb_transcript(struct builder *b, const char *s);
/* Open a new exchange, handing it the pending info lines. */
void cb_open(struct builder *b);
/* Finish and emit the open exchange.  at_eof says the input ended here. */
void cb_close(struct builder *b, int at_eof);
/* Pending lines hold a failure: make it an exchange, closed unless keep. */
void cb_flush_pending_keep(struct builder *b, int at_eof, int keep);
/* Pending lines hold a failure: make it an exchange and close it. */
void cb_flush_pending(struct builder *b, int at_eof);
/* One info ("* ") line, text without the prefix. */
void cb_info(struct builder *b, const char *text, const char *time);
/* A request header line ("> " stripped; "" ends the block). */
void cb_req_line(struct builder *b, const char *s);
/* A response header line ("< " stripped; "" ends the block). */
void cb_resp_line(struct builder *b, const char *s);
/* Append body bytes, applying the body cap. */
void cb_body_add(struct sbuf *body, const char *p, size_t n);
/* A plain line of a -v transcript: body, echo of -i, or continuation. */
void cb_out_line(struct builder *b, const char *s, int newline);
/* A "curl: (N) msg" line. */
void cb_curl_error(struct builder *b, long code, const char *msg, const char *line);
/* A pasted shell command line: "$ curl -v https://x/". */
void cb_command(struct builder *b, const char *cmd);
/* Apply an "exit=N" annotation to the last exchange if it has no code. */
void cb_exit_annotation(struct builder *b, long code);

/* ---------------------------------------------------------------- import-curl-trace.c: --trace and --trace-ascii files */

/* The --trace / --trace-ascii importer. */
void curl_run_trace(struct builder *b, const char *buf, size_t len);

#endif
