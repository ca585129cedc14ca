/* httpmsg.h - the one HTTP/1.x message-line grammar of hartriage.
 *
 * Every importer and the sniffer read status lines, request lines and
 * header lines through this module, so that "is this a status line?" has
 * one answer in the tree.  Captures come in two kinds, and the grammar has
 * a mode for each:
 *
 *   HTTPMSG_STRICT   framed captures, where the tool that wrote the line is
 *                    known (curl -v "< " / "> " lines, curl -i dumps,
 *                    --trace files) and in the sniffer.  Close to RFC 9112.
 *   HTTPMSG_LENIENT  HTTP pasted into ticket prose by people: case may be
 *                    changed, list bullets and backticks added, spacing
 *                    altered, the version left out.  Lenient mode must not
 *                    take an ordinary sentence for HTTP, so it is stricter
 *                    than STRICT where prose needs it (status 100-599 only,
 *                    known methods only, targets that look like targets).
 *
 * Grammar (ABNF after RFC 9112/9110; SP = space, HTAB = tab, BLANK = SP or
 * HTAB; "end" is the end of the string after any trailing CR / LF):
 *
 *   status-line, STRICT   "HTTP/" DIGIT [ "." DIGIT ] SP 3DIGIT
 *                         [ BLANK *BLANK reason ] end
 *                         code >= 100; "HTTP/" is case-sensitive; exactly
 *                         one SP before the code.
 *   status-line, LENIENT  "HTTP/" 1*(DIGIT / ".") SP *BLANK 3DIGIT
 *                         [ BLANK *BLANK reason ] end
 *                         100 <= code <= 599; "http/" in any case.
 *   reason                the rest of the line, trailing BLANKs dropped
 *                         (may be empty: "HTTP/2 200").
 *
 *   request-line, STRICT  method 1*SP target 1*SP "HTTP/" DIGIT
 *                         [ "." DIGIT ] end
 *                         method = 3*20( %x41-5A / "-" / "_" ), target has
 *                         no SP; no trailing blanks.
 *   request-line, LENIENT method SP *BLANK target [ 1*BLANK version ]
 *                         *BLANK end
 *                         method one of httpmsg_is_method(); target starts
 *                         with "/", "*", "http://" or "https://" (any
 *                         case); version = "HTTP/" (any case) *non-BLANK.
 *
 *   header-line, STRICT   field-name ":" *BLANK value end
 *   header-line, LENIENT  [ bullet ] [ "`" ] [ ":" ] field-name ":"
 *                         ( BLANK / end ) *BLANK value [ "`" ] end
 *                         bullet = ("-" / "+" / U+2022) SP *BLANK; the
 *                         backticks only as a pair around the line; the
 *                         leading ":" of HTTP/2 pseudo headers belongs to
 *                         the name; names of digits only ("12:30") and a
 *                         value starting "//" ("https://x") are not headers.
 *   field-name            1*tchar, at most HTTPMSG_NAME_MAX bytes (the
 *                         leading ":" counted in LENIENT mode).
 *   value                 trailing BLANKs dropped.
 *   obs-fold              a line starting with BLANK continues the value
 *                         of the header before it (httpmsg_fold).
 *
 *   curl-error            "curl: (" 1*5DIGIT ")" *BLANK message
 *                         ("curl: (" in any case in LENIENT mode)
 *   httpie-error          ( "http: error: " / "http: LogLevel.ERROR: " )
 *                         message  (any case in LENIENT mode)
 *
 * Nothing here allocates except httpmsg_version() and httpmsg_fold(); the
 * parsed parts point into the caller's string and are not NUL-terminated.
 */
#ifndef HARTRIAGE_HTTPMSG_H
#define HARTRIAGE_HTTPMSG_H

#include <stddef.h>

#include "exchange.h"

enum httpmsg_mode {
	HTTPMSG_STRICT,  /* framed captures and the sniffer */
	HTTPMSG_LENIENT  /* HTTP pasted into prose */
};

/* Longest header field name accepted (bytes). */
#define HTTPMSG_NAME_MAX 100

/* ASCII character classes, locale independent. */
int httpmsg_is_digit(int c);
int httpmsg_is_hex(int c);
/* Value of a hex digit; the caller checked httpmsg_is_hex(). */
int httpmsg_hex_val(int c);
/* A token character (RFC 9110 tchar): the bytes of a header name. */
int httpmsg_is_tchar(int c);
/* True when [p, p+n) is a well-known method in upper case (GET ... PROPFIND). */
int httpmsg_is_method(const char *p, size_t n);

struct httpmsg_status {
	const char *version; /* "HTTP/1.1" as written */
	size_t version_len;
	int code;
	const char *reason;  /* may be empty */
	size_t reason_len;
};

/* Parse a status line; returns 1 and fills st (when not NULL), else 0. */
int httpmsg_status_line(const char *s, enum httpmsg_mode mode, struct httpmsg_status *st);

struct httpmsg_request {
	const char *method;
	size_t method_len;
	const char *target;
	size_t target_len;
	const char *version; /* NULL when absent (LENIENT only) */
	size_t version_len;
};

/* Parse a request line; returns 1 and fills rq (when not NULL), else 0. */
int httpmsg_request_line(const char *s, enum httpmsg_mode mode, struct httpmsg_request *rq);

struct httpmsg_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* Parse a header line; returns 1 and fills h (when not NULL), else 0. */
int httpmsg_header_line(const char *s, enum httpmsg_mode mode, struct httpmsg_header *h);

/* A header name alone on its line (Chrome's newer "copy" puts the value on
 * the next line): [":"] 1*tchar end, at most HTTPMSG_NAME_MAX bytes. */
int httpmsg_header_name_only(const char *s);

/* True for an obs-fold continuation line (starts with a BLANK and holds
 * more than blanks). */
int httpmsg_is_continuation(const char *s);

/* Append the continuation line s (leading and trailing BLANKs dropped) to
 * the value of the last header of l, joined by one space.  Nothing is added
 * when the value would reach HEADER_VALUE_CAP.  *vlen, when given, caches
 * the length of that value between calls (keeps a flood of folded lines
 * linear); pass the length after adding a header, it is updated here.
 * Returns 1 when a header was there to continue, else 0. */
int httpmsg_fold(struct hdr_list *l, const char *s, size_t *vlen);

/* The version of a status or request line as a normalized malloc'd string
 * ("HTTP/2", "HTTP/1.1"), or NULL when v is NULL. */
char *httpmsg_version(const char *v, size_t n);

/* Length of the standard reason phrase of code at the start of s (any
 * case, not followed by a letter or digit), or 0.  Knows the common
 * phrases and their older spellings ("Request Entity Too Large"). */
size_t httpmsg_reason_at(int code, const char *s);

/* A "curl: (N) message" line: returns 1 with the exit code and the message
 * (after blanks), else 0. */
int httpmsg_curl_error(const char *s, enum httpmsg_mode mode, long *code, const char **msg);

/* An HTTPie error line: returns the message after the prefix, or NULL. */
const char *httpmsg_httpie_error(const char *s, enum httpmsg_mode mode);

#endif
