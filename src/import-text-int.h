/* import-text-int.h - what the parts of the text importer share.
 *
 * The text importer (import-text.c, the dispatcher) walks the lines of a
 * ticket and hands each shape to a part: commands (import-text-cmd.c),
 * PowerShell listings and errors (import-text-ps.c), newman's CLI lines
 * (import-text-newman.c).  All parts build the exchange under
 * construction through import-text-build.c, the lowest layer, which also
 * reads bodies and the prose around a paste.  The layers call downwards
 * only: dispatcher -> parts -> build; ps -> cmd.  E-mail decoding is
 * import-mail.c; the HTTP line grammar is httpmsg.c.
 */
#ifndef HARTRIAGE_IMPORT_TEXT_INT_H
#define HARTRIAGE_IMPORT_TEXT_INT_H

#include <stddef.h>
#include <string.h>

#include "caps.h"
#include "exchange.h"
#include "import.h"
#include "util.h"
#include "xbuild.h"

#define PROSE_BACK 60          /* prose lines searched before a paste */
#define PROSE_AHEAD 20         /* ... and after it */
#define PLAIN_BODY_LINES 1000  /* lines of an unstructured body */

enum side { SIDE_NONE = 0, SIDE_REQ, SIDE_RESP };

struct tline {
	char *raw;       /* the whole line, NUL-terminated, no trailing blanks */
	char *t;         /* raw without indentation and quote prefixes */
	int indent;      /* leading blanks of raw */
	int blank;       /* empty, a fence or a <pre>/<code> wrapper */
	int used;        /* consumed by a capture part (not prose) */
	int owned;       /* a block the fragment reader reads (neither prose nor used) */
};

struct lines {
	struct tline *v;
	size_t n;
	size_t alloc;
};

struct tctx {
	struct lines *L;
	struct xbuild xb;      /* numbers, caps, notes and emits (xbuild.c) */
	int sink_failed;       /* the sink refused an exchange: stop */

	struct exchange *ex;   /* exchange under construction (xb's) */
	int active;
	size_t first, last;    /* its line span */
	size_t prev_end;       /* first line after the previous exchange */
	int has_reqline;       /* request line, command or Request URL */
	int has_cmd;
	int has_status;
	int has_error;
	int status_1xx;
	int resp_evidence;     /* body or headers of a response */

	enum side hside;       /* side of the header block being read */
	int hsection;          /* header block opened by a caption */
	int raw_block;         /* block opened by a request or status line */
	enum side body_side;   /* a body may follow on this side */
	size_t body_until;     /* ... up to this line */
	size_t scan_budget;    /* lines body scans may still visit (no quadratic time) */
};

/* ---------------------------------------------------------------- small helpers */

/* True for a space or a tab. */
static inline int text_is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Skip blanks; never fails. */
static inline const char *text_skipws(const char *s)
{
	while (text_is_blank(*s))
		s++;
	return s;
}

/* Bytes of s to keep so that at most max are kept and no UTF-8
 * sequence is split. */
static inline int text_utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return (int)n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return (int)n;
}

/* Case-insensitive prefix test that returns the rest, or NULL. */
static inline const char *text_after_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	if (ascii_ncasecmp(s, prefix, n) != 0)
		return NULL;
	return s + n;
}

/* ---------------------------------------------------------------- import-text-build.c */

/* Start a new exchange at line i, flushing the current one. */
void tx_begin(struct tctx *c, size_t i);
/* Make sure an exchange is open and covers line i. */
void tx_touch(struct tctx *c, size_t i);
/* Emit the exchange under construction if it holds enough evidence; what
 * it lacks (URL, status) may come from the prose before boundary. */
void tx_flush(struct tctx *c, size_t boundary);
/* Store a body (cap applied) on one side of the exchange. */
void tx_set_body(struct exchange *ex, enum side side, struct sbuf *b, int truncated);
/* Try to read a body starting at line i on side; returns the next line
 * index, or i when no body starts there. */
size_t tx_read_body(struct tctx *c, size_t i, enum side side, int plain_ok);
/* Record a transport error (no response) at line i. */
void tx_set_error(struct tctx *c, size_t i, const char *msg, size_t n);
/* Set a status learnt from an error message at line i; how names the
 * source in status_source ("powershell", "curl"). */
void tx_set_status_from(struct tctx *c, size_t i, int code, const char *text,
			size_t tlen, const char *how, const char *msg);

/* ---------------------------------------------------------------- import-text-cmd.c */

enum cmd_kind { CMD_NONE, CMD_CURL, CMD_IWR, CMD_HTTPIE };

/* Which command a line starts (after a prompt); *rest set to its start. */
enum cmd_kind text_command_of(const char *t, const char **rest);
/* Fill request fields from a command's words. */
void text_apply_command(struct exchange *ex, enum cmd_kind kind, int https_cmd,
			const struct strlist *w);
/* Read a command (with continuation lines) at line i; returns the next line. */
size_t text_read_command(struct tctx *c, size_t i, enum cmd_kind kind, const char *start);

/* ---------------------------------------------------------------- import-text-ps.c */

/* A PowerShell error line ("Invoke-WebRequest : ...", a .NET "does not
 * indicate success" message) at i; returns 1 when handled. */
int text_ps_error(struct tctx *c, size_t i);
/* The tail of a PowerShell error ("At line:1 char:1", "+ ..."); returns 1
 * when line i belongs to it. */
int text_ps_error_tail(struct tctx *c, size_t i);
/* An Invoke-WebRequest object listing ("StatusCode : 200") at i; returns
 * the next line, or i when none starts there. */
size_t text_ps_listing(struct tctx *c, size_t i);

/* ---------------------------------------------------------------- import-text-newman.c */

/* A newman CLI reporter line ("GET https://x [200 OK, 1kB, 3ms]") at i;
 * returns the next line, or i. */
size_t text_newman_line(struct tctx *c, size_t i);

#endif
