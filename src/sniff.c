/* sniff.c - guess the format of a source from its first bytes.
 *
 * sniff_format() tells JSON (HAR or "parse it and see"), binary files and
 * text apart; sniff_text() tells the curl shapes (trace, -v, -i) from
 * other text that talks about HTTP and from text with no HTTP at all.
 * Both only look, never allocate more than one line at a time.  The
 * names of the formats (capture_format_name) live here too: the importers
 * name formats in their messages, and this is the leaf they all reach.
 */
#include <config.h>

#include <string.h>

#include "httpmsg.h"
#include "import.h"
#include "util.h"

/* ---------------------------------------------------------------- format names */

static const char *const format_names[FMT_COUNT] = {
	[FMT_UNKNOWN] = "unknown",
	[FMT_HAR] = "har",
	[FMT_CURL_I] = "curl-i",
	[FMT_CURL_V] = "curl-v",
	[FMT_CURL_TRACE] = "curl-trace",
	[FMT_TEXT] = "text",
	[FMT_POSTMAN] = "postman",
	[FMT_POSTMAN_ENV] = "postman-env",
	[FMT_NEWMAN] = "newman",
	[FMT_INSOMNIA] = "insomnia",
	[FMT_NOT_CAPTURE] = "not-capture",
	[FMT_JSON] = "json",
	[FMT_LOG] = "log",
	[FMT_SERVER_LOG] = "server-log",
	[FMT_BRUNO] = "bruno",
};

const char *capture_format_name(enum capture_format f)
{
	return (f >= 0 && f < FMT_COUNT && format_names[f]) ? format_names[f] : "unknown";
}

enum capture_format capture_format_from_name(const char *name)
{
	for (int i = 0; i < FMT_COUNT; i++)
		if (format_names[i] && strcmp(format_names[i], name) == 0)
			return (enum capture_format)i;
	if (strcmp(name, "curl") == 0)
		return FMT_CURL_V;
	if (strcmp(name, "trace") == 0 || strcmp(name, "trace-ascii") == 0)
		return FMT_CURL_TRACE;
	if (strcmp(name, "paste") == 0)
		return FMT_TEXT;
	return FMT_UNKNOWN;
}

#define SNIFF_LINE_MAX 4096 /* bytes of one line examined */

/* JSON whitespace. */
static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Copy [p, p+n) into out (cap SNIFF_LINE_MAX), without ANSI escapes and
 * control bytes; text after the last CR that is not at the end wins (a
 * progress meter overwritten by what follows).  Returns the length. */
static size_t clean(const unsigned char *p, size_t n, char *out)
{
	size_t o = 0;
	if (n > SNIFF_LINE_MAX)
		n = SNIFF_LINE_MAX;
	while (n && p[n - 1] == '\r')
		n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c == 0x1b) {
			if (i + 1 < n && p[i + 1] == '[') {
				i += 2;
				while (i < n && p[i] >= 0x20 && p[i] <= 0x3f)
					i++;
				while (i < n && p[i] >= 0x20 && p[i] <= 0x2f)
					i++;
			} else {
				i++;
			}
			continue;
		}
		if (c == '\r') {
			o = 0; /* overwritten */
			continue;
		}
		if (c < 0x20 && c != '\t')
			continue;
		out[o++] = (char)c;
	}
	out[o] = 0;
	return o;
}

/* Skip indentation, a --trace-time stamp and a "[0-0] " trace id. */
static const char *skip_prefixes(const char *s)
{
	int ind = 0;
	while ((*s == ' ' || *s == '\t') && ind++ < 12)
		s++;
	if (httpmsg_is_digit(s[0]) && httpmsg_is_digit(s[1]) && s[2] == ':' && httpmsg_is_digit(s[3]) && httpmsg_is_digit(s[4]) &&
	    s[5] == ':' && httpmsg_is_digit(s[6]) && httpmsg_is_digit(s[7])) {
		const char *q = s + 8;
		if (*q == '.')
			for (q++; httpmsg_is_digit(*q); q++)
				;
		if (*q == ' ')
			s = q + 1;
	}
	if (s[0] == '[' && httpmsg_is_digit(s[1])) {
		const char *q = s + 1;
		while (httpmsg_is_digit(*q))
			q++;
		if (*q == '-') {
			q++;
			while (httpmsg_is_digit(*q) || *q == 'x')
				q++;
			if (*q == ']')
				s = q[1] == ' ' ? q + 2 : q + 1;
		}
	}
	return s;
}

/* "Name: value" with a plausible header name: the header grammar plus
 * what separates headers from prose and markup in a sniff (a name of 2-60
 * letters, digits, '-' and '_' that does not start with a digit, a space
 * after the colon). */
static int header_line(const char *s)
{
	struct httpmsg_header h;
	if (!httpmsg_header_line(s, HTTPMSG_STRICT, &h) || h.name_len < 2 || h.name_len > 60 ||
	    httpmsg_is_digit(s[0]))
		return 0;
	for (size_t i = 0; i < h.name_len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      httpmsg_is_digit(s[i]) || s[i] == '-' || s[i] == '_'))
			return 0;
	return s[h.name_len + 1] == ' ' || !s[h.name_len + 1];
}

/* A shell prompt / command line or other decoration to look past. */
static int decoration(const char *s)
{
	if (!*s || strncmp(s, "```", 3) == 0 || strncmp(s, "~~~", 3) == 0)
		return 1;
	if (strstr(s, "curl ") || strstr(s, "curl.exe ") || strncmp(s, "$ ", 2) == 0 ||
	    strncmp(s, "# ", 2) == 0 || strncmp(s, "PS ", 3) == 0 || strncmp(s, "http ", 5) == 0 ||
	    strncmp(s, "https ", 6) == 0)
		return 1;
	if (strstr(s, "% Total") || strstr(s, "Dload  Upload") || strstr(s, "--:--:--"))
		return 1;
	return 0;
}

/* Curl -v info phrases that only curl prints. */
static int curl_info(const char *t)
{
	static const char *const pats[] = { "Trying ", "Connected to ", "Could not resolve host",
		"Couldn't resolve host", "connect to ", "Failed to connect", "Closing connection",
		"Connection #", "About to connect", "TLSv1", "SSL connection using", "ALPN",
		"Operation timed out", "Connection timed out", "SSL certificate problem",
		"Establish HTTP proxy tunnel", "Mark bundle", "Hostname was", "Re-using existing",
		"Issue another request", "Server certificate", "using HTTP/", "Uses proxy env",
		"Host ", "IPv4: ", "IPv6: ", "Request completely sent off", "schannel:",
		"Expire in", "Rebuilt URL", "Empty reply from server", "Recv failure",
		"SSL: ", "successfully set certificate", "h2h3 [", "[HTTP/2]", "[HTTP/3]",
		"Maximum (", "Proxy replied", "CONNECT ", NULL };
	while (*t == ' ')
		t++;
	for (int i = 0; pats[i]; i++)
		if (strncmp(t, pats[i], strlen(pats[i])) == 0)
			return 1;
	return 0;
}

/* Words in prose that show the text is about HTTP traffic. */
static int http_evidence(const char *s)
{
	static const char *const pats[] = { "Request Headers", "Response Headers", "Status Code:",
		"StatusCode", "Request URL:", "Request Method:", "HTTP/1.", "HTTP/2", "HTTP/3",
		"Invoke-WebRequest", "Invoke-RestMethod", "net::ERR_", "status code", "Status code",
		"curl: (", "ECONNREFUSED", "ETIMEDOUT", "ENOTFOUND", "Content-Type:", "content-type:",
		"Access-Control-Allow-Origin", "Set-Cookie:", "set-cookie:", "Location:",
		"WWW-Authenticate", "x-request-id", "X-Request-Id", "http: error:", NULL };
	for (int i = 0; pats[i]; i++)
		if (strstr(s, pats[i]))
			return 1;
	return 0;
}

/* Count the evidence of each text shape, then decide in the order of
 * FORMATS.md section 4: trace, -v, -i, other HTTP text, not a capture. */
enum capture_format sniff_text(const unsigned char *p, size_t n)
{
	char line[SNIFF_LINE_MAX + 1];
	const unsigned char *e = p + n;
	int trace = 0, trace_info = 0, v_http = 0, v_info = 0;
	int first_meaningful = -1; /* 1 status/request line, 0 other text */
	int status_any = 0, evidence = 0, headers = 0, curl_err = 0, httpie_err = 0;
	int prev_req = 0;

	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		p += 3;
	while (p < e) {
		const unsigned char *nl = memchr(p, '\n', (size_t)(e - p));
		const unsigned char *le = nl ? nl : e;
		const char *s, *msg;
		long code;
		clean(p, (size_t)(le - p), line);
		p = nl ? nl + 1 : e;
		s = skip_prefixes(line);

		if (strncmp(s, "== Info:", 8) == 0) {
			trace_info++;
			continue;
		}
		if ((strncmp(s, "=> Send ", 8) == 0 || strncmp(s, "<= Recv ", 8) == 0) &&
		    strstr(s, "bytes")) {
			trace++;
			continue;
		}
		if ((s[0] == '>' || s[0] == '<' || s[0] == '*') && (s[1] == ' ' || !s[1])) {
			const char *t = s[1] ? s + 2 : s + 1;
			if (s[0] == '>' && httpmsg_request_line(t, HTTPMSG_STRICT, NULL))
				v_http++;
			else if (s[0] == '<' && httpmsg_status_line(t, HTTPMSG_STRICT, NULL))
				v_http++;
			else if (s[0] == '*' && curl_info(t))
				v_info++;
			continue;
		}
		if ((s[0] == '{' || s[0] == '}') && s[1] == ' ' && s[2] == '[') {
			continue;
		}
		if (httpmsg_curl_error(s, HTTPMSG_STRICT, &code, &msg))
			curl_err++;
		if (httpmsg_httpie_error(s, HTTPMSG_STRICT)) {
			httpie_err++;
			if (first_meaningful < 0)
				first_meaningful = 3;
			continue;
		}
		if (httpmsg_status_line(s, HTTPMSG_STRICT, NULL)) {
			status_any++;
			if (first_meaningful < 0)
				first_meaningful = 1;
			prev_req = 0;
			continue;
		}
		if (httpmsg_request_line(s, HTTPMSG_STRICT, NULL)) {
			prev_req = 1;
			if (first_meaningful < 0)
				first_meaningful = 2;
			continue;
		}
		if (header_line(s)) {
			headers++;
			if (prev_req == 1)
				prev_req = 2; /* request line followed by a header */
		}
		if (http_evidence(s))
			evidence++;
		if (first_meaningful < 0 && !decoration(s) && !(httpmsg_is_hex(s[0]) && strstr(s, ": ")))
			first_meaningful = 0;
	}
	if (trace >= 1 || trace_info >= 2)
		return FMT_CURL_TRACE;
	if (v_http >= 1 || v_info >= 1)
		return FMT_CURL_V;
	if (first_meaningful == 1 || (first_meaningful == 2 && (status_any || headers)))
		return FMT_CURL_I;
	if (httpie_err && first_meaningful == 3)
		return FMT_CURL_I;
	if (curl_err && first_meaningful != 0)
		return FMT_CURL_V;
	if (status_any || evidence || headers >= 2 || curl_err || httpie_err)
		return FMT_TEXT;
	return FMT_NOT_CAPTURE;
}

/* True when [p, e) starts with a JSON object key "log" or "entries" whose
 * value opens an object / array, at the first nesting levels. */
static int looks_like_har(const unsigned char *p, const unsigned char *e)
{
	int depth = 0, in_str = 0;
	const unsigned char *key = NULL;
	for (; p < e; p++) {
		unsigned char c = *p;
		if (in_str) {
			if (c == '\\') {
				p++;
				continue;
			}
			if (c == '"') {
				in_str = 0;
				/* a key at depth 1 or 2? */
				if (depth <= 2) {
					const unsigned char *q = p + 1;
					size_t kl = (size_t)(p - key);
					while (q < e && is_ws(*q))
						q++;
					if (q < e && *q == ':') {
						q++;
						while (q < e && is_ws(*q))
							q++;
						if (q < e && kl == 3 && memcmp(key, "log", 3) == 0 && *q == '{')
							return 1;
						if (q < e && kl == 7 && memcmp(key, "entries", 7) == 0 && *q == '[')
							return 1;
					}
				}
			}
			continue;
		}
		if (c == '"') {
			in_str = 1;
			key = p + 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return 0;
}

/* Bytes no text holds: NUL and C0 controls other than tab, line breaks,
 * form feed and ESC (ANSI colours), and bytes of invalid UTF-8. */
static size_t bad_text_bytes(const unsigned char *p, size_t n)
{
	size_t bad = 0, i = 0;
	while (i < n) {
		unsigned char c = p[i];
		size_t k, len;
		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' &&
			    c != 0x1b)
				bad++;
			i++;
			continue;
		}
		len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		for (k = 1; len && k < len; k++)
			if (i + k >= n || (p[i + k] & 0xc0) != 0x80)
				break;
		if (!len || (k < len && i + k < n)) {
			bad++;
			i++;
			continue;
		}
		i += k; /* a sequence cut by the end of the window counts as text */
	}
	return bad;
}

int sniff_is_binary(const unsigned char *p, size_t n)
{
	size_t check = n < 8192 ? n : 8192;
	size_t bad = bad_text_bytes(p, check);
	return bad > 8 && bad * 32 > check;
}

/* Binary magic and mostly non-text bytes, then JSON (HAR or not), then text. */
enum capture_format sniff_format(const unsigned char *p, size_t n)
{
	const unsigned char *e = p + n, *q;

	if (n >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff)))
		return FMT_UNKNOWN;
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		p += 3;
	if ((e - p >= 4 && memcmp(p, "\x89PNG", 4) == 0) ||
	    (e - p >= 3 && memcmp(p, "\xff\xd8\xff", 3) == 0) ||
	    (e - p >= 4 && memcmp(p, "%PDF", 4) == 0) ||
	    (e - p >= 4 && memcmp(p, "PK\x03\x04", 4) == 0) ||
	    (e - p >= 2 && memcmp(p, "\x1f\x8b", 2) == 0) ||
	    (e - p >= 6 && memcmp(p, "GIF8", 4) == 0))
		return FMT_NOT_CAPTURE;
	if (sniff_is_binary(p, (size_t)(e - p)))
		return FMT_NOT_CAPTURE;
	q = p;
	while (q < e && is_ws(*q))
		q++;
	/* JSONP: ident( { ... } ); */
	if (q < e && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '_' || *q == '$')) {
		const unsigned char *r = q;
		while (r < e && ((*r >= 'a' && *r <= 'z') || (*r >= 'A' && *r <= 'Z') ||
				 httpmsg_is_digit(*r) || *r == '_' || *r == '$' || *r == '.'))
			r++;
		if (r < e && *r == '(' && r - q < 64) {
			const unsigned char *s = r + 1;
			while (s < e && is_ws(*s))
				s++;
			if (s < e && (*s == '{' || *s == '['))
				q = s;
		}
	}
	if (q < e && *q == '{') {
		const unsigned char *r = q + 1;
		while (r < e && is_ws(*r))
			r++;
		if (r >= e || *r == '"' || *r == '}') {
			if (looks_like_har(q, e))
				return FMT_HAR;
			/* curl -w '%{json}': a flat object with curl's variable names */
			if (memmem(q, (size_t)(e - q), "\"url_effective\"", 15) &&
			    memmem(q, (size_t)(e - q), "\"http_code\"", 11) &&
			    memmem(q, (size_t)(e - q), "\"time_total\"", 12))
				return FMT_CURL_I;
			return FMT_UNKNOWN;
		}
	}
	if (q < e && *q == '[') {
		const unsigned char *r = q + 1;
		while (r < e && is_ws(*r))
			r++;
		if (r >= e || *r == '{' || *r == '[' || *r == '"' || *r == ']')
			return looks_like_har(q, e) ? FMT_HAR : FMT_UNKNOWN;
	}
	return sniff_text(p, (size_t)(e - p));
}
