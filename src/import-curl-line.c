/* import-curl-line.c - cleaning the lines of curl output (ANSI escapes,
 * control bytes, progress-meter debris) and reading them one at a time;
 * recognising -v prefixes, pasted command lines and exit annotations.
 * A leaf of the curl importer (see import-curl-int.h).
 */

#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "httpmsg.h"
#include "import-curl-int.h"

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
 * line held only progress-meter debris (and should vanish), else 0.  The
 * text importer cleans CI logs with it too (import.h). */
int curl_clean_line(const char *p, size_t n, struct sbuf *out)
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
int curl_skip_trace_time(const char **p, const char *end, char **time)
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
int curl_skip_trace_id(const char **p, const char *end)
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

/* Is this line a pasted command line for curl or HTTPie?  Returns where the
 * command starts, or NULL. */
const char *curl_command_start(const char *s)
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


/* Fetch the next cleaned line; returns 0 at the end. */
int curl_next_line(struct curl_lines *L)
{
	const char *nl;
	if (L->p >= L->end)
		return 0;
	nl = memchr(L->p, '\n', (size_t)(L->end - L->p));
	L->newline = nl != NULL;
	if (!nl)
		nl = L->end;
	L->debris = curl_clean_line(L->p, (size_t)(nl - L->p), &L->cur);
	L->p = nl < L->end ? nl + 1 : L->end;
	L->lineno++;
	return 1;
}

/* Strip indentation before a -v prefix; returns the prefix kind or 0. */
int curl_v_prefix(const char *s, const char **text)
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
const char *curl_glued_info(const char *s)
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
int curl_exit_annotation(const char *s, long *code)
{
	if (strncmp(s, "exit=", 5) != 0 || !httpmsg_is_digit(s[5]))
		return 0;
	return parse_long(s + 5, strlen(s + 5), code) == 0;
}

/* ---------------------------------------------------------------- libcurl debug logs */

#define CURL_DEBUG_TAG "cURL:type["

/* The infotype of a "cURL:type[N]-" line at s (0-6), its text in *text;
 * -1 when s is not one. */
static int curl_debug_type(const char *s, const char *end, const char **text)
{
	size_t tl = sizeof(CURL_DEBUG_TAG) - 1;
	if ((size_t)(end - s) < tl + 3 || memcmp(s, CURL_DEBUG_TAG, tl) != 0)
		return -1;
	s += tl;
	if (s[0] < '0' || s[0] > '6' || s[1] != ']' || s[2] != '-')
		return -1;
	*text = s + 3;
	return s[0] - '0';
}

int curl_debug_looks(const unsigned char *p, size_t n)
{
	const char *s = (const char *)p, *end = s + n, *t;
	size_t tl = sizeof(CURL_DEBUG_TAG) - 1;
	while (s < end) {
		const char *hit = memmem(s, (size_t)(end - s), CURL_DEBUG_TAG, tl);
		if (!hit)
			return 0;
		if ((hit == (const char *)p || hit[-1] == '\n') && curl_debug_type(hit, end, &t) >= 0)
			return 1;
		s = hit + 1;
	}
	return 0;
}

char *curl_debug_rewrite(const char *p, size_t n, size_t *outlen)
{
	struct sbuf out = SBUF_INIT;
	const char *end = p + n;
	/* what unprefixed lines continue: the request's header block (each
	 * line gets "> " up to the blank line that ends it), TLS data
	 * (dropped), or anything else (kept as it is) */
	enum { PLAIN, REQUEST, TLS } mode = PLAIN;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end, *text;
		int t = curl_debug_type(p, le, &text);
		size_t tn;
		if (t >= 0) {
			tn = (size_t)(le - text);
			switch (t) {
			case 0:
				sbuf_adds(&out, "* ");
				mode = PLAIN;
				break;
			case 1:
				sbuf_adds(&out, "< ");
				mode = PLAIN;
				break;
			case 2:
				sbuf_adds(&out, "> ");
				mode = tn == 0 || (tn == 1 && text[0] == '\r') ? PLAIN : REQUEST;
				break;
			case 3:
				mode = PLAIN;
				break;
			case 4:
				/* curl -v does not print what it sends: kept as
				 * an info line, in the exchange's transcript */
				sbuf_adds(&out, "* request body: ");
				mode = PLAIN;
				break;
			default:
				mode = TLS;
				break;
			}
			if (t <= 4)
				sbuf_add(&out, text, tn);
		} else if (mode == REQUEST) {
			tn = (size_t)(le - p);
			sbuf_adds(&out, "> ");
			sbuf_add(&out, p, tn);
			if (tn == 0 || (tn == 1 && p[0] == '\r'))
				mode = PLAIN; /* the blank line that ends the block */
		} else if (mode == PLAIN) {
			sbuf_add(&out, p, (size_t)(le - p));
		}
		if (nl && (t < 0 ? mode != TLS : t <= 4))
			sbuf_addc(&out, '\n');
		p = nl ? nl + 1 : end;
	}
	if (!out.data)
		sbuf_adds(&out, "");
	return sbuf_detach(&out, outlen);
}
