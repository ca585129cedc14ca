/* rule-fields.c - the field table: every field a matcher can read.
 *
 * One entry per field gives its name as rules write it, its type, the
 * relative cost of a matcher on it (the condition planner runs cheap
 * sides of 'and'/'or' first), whether matched text is evidence, and its
 * getter.  The loader resolves names here, the engine reads values
 * through the getters, "rules explain" prints names and types.  Adding a
 * field means one enum constant (rule-int.h), one getter and one entry.
 *
 * Values that must be computed (the joined header blocks, numbers as
 * text, the derived fields) are computed at most once per exchange and
 * kept in struct xctx, which every rule matched over the exchange shares.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html-text.h"
#include "log-fields.h"
#include "rule-int.h"
#include "xmeasure.h"

/* Set up the views of ex; source is the value of the 'source' field. */
void xctx_init(struct xctx *x, const struct exchange *ex, const char *source)
{
	memset(x, 0, sizeof(*x));
	x->ex = ex;
	x->source = source;
	sbuf_init(&x->reqh);
	sbuf_init(&x->resph);
	sbuf_init(&x->text);
}

/* Free the computed views. */
void xctx_release(struct xctx *x)
{
	sbuf_release(&x->reqh);
	sbuf_release(&x->resph);
	sbuf_release(&x->text);
	free(x->pf_seen);
	log_fields_release(x);
}

/* Host part of an Origin value ("https://a.b:8443" -> "a.b"). */
static void origin_host(const char *o, const char **h, size_t *n)
{
	const char *p = strstr(o, "://");

	p = p ? p + 3 : o;
	*h = p;
	*n = strcspn(p, ":/ \t");
}

/* True when any copy of header name contains "json". */
static int header_mentions_json(const struct hdr_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (ascii_casecmp(l->v[i].name, name) == 0 &&
		    ascii_casestr(l->v[i].value, strlen(l->v[i].value), "json"))
			return 1;
	return 0;
}

/* Kind of the response body: json, html, xml, text, binary or empty. */
static const char *content_kind(const struct exchange *ex)
{
	const char *ct = hdr_list_get(&ex->resp_headers, "content-type");
	const char *p = ex->resp_body.data;
	size_t n = ex->resp_body.len, k, i;

	if (!p || n == 0)
		return "empty";
	if (!ct)
		ct = ex->resp_body.mime;
	if (ct && *ct) {
		size_t cl = strlen(ct);
		if (ascii_casestr(ct, cl, "json"))
			return "json";
		if (ascii_casestr(ct, cl, "html"))
			return "html";
		if (ascii_casestr(ct, cl, "xml"))
			return "xml";
		if (starts_with_icase(ct, "text/") || ascii_casestr(ct, cl, "javascript") ||
		    ascii_casestr(ct, cl, "x-www-form-urlencoded"))
			return "text";
		if (starts_with_icase(ct, "image/") || starts_with_icase(ct, "audio/") ||
		    starts_with_icase(ct, "video/") || starts_with_icase(ct, "font/") ||
		    ascii_casestr(ct, cl, "octet-stream") || ascii_casestr(ct, cl, "pdf") ||
		    ascii_casestr(ct, cl, "zip") || ascii_casestr(ct, cl, "protobuf"))
			return "binary";
	}
	/* No usable Content-Type: look at the bytes. */
	i = 0;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	k = n < 4096 ? n : 4096;
	while (k < n && k > 0 && ((unsigned char)p[k] & 0xC0) == 0x80)
		k--;
	if (memchr(p, '\0', k) || !utf8_valid(p, k))
		return "binary";
	if (i < n && (p[i] == '{' || p[i] == '['))
		return "json";
	if (i < n && p[i] == '<') {
		if (ascii_casestr(p + i, k - i, "<html") || ascii_casestr(p + i, k - i, "<!doctype html") ||
		    ascii_casestr(p + i, k - i, "<body") || ascii_casestr(p + i, k - i, "<head"))
			return "html";
		return "xml";
	}
	return "text";
}

/* Compute cross_origin, expects_json and content_kind once. */
static void derive(struct xctx *x)
{
	const struct exchange *ex = x->ex;
	const char *o, *h;
	size_t n;

	if (x->have_derived)
		return;
	x->have_derived = 1;
	o = hdr_list_get(&ex->req_headers, "origin");
	x->cross_origin = NULL;
	if (o && ex->host) {
		origin_host(o, &h, &n);
		x->cross_origin = (n == strlen(ex->host) && ascii_ncasecmp(h, ex->host, n) == 0)
					  ? "false" : "true";
	}
	x->expects_json = header_mentions_json(&ex->req_headers, "accept") ||
				  header_mentions_json(&ex->req_headers, "content-type")
			  ? "true" : "false";
	x->content_kind = content_kind(ex);
}

/* Join a header list as "Name: value" lines. */
static void join_headers(const struct hdr_list *l, struct sbuf *b)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i)
			sbuf_addc(b, '\n');
		sbuf_adds(b, l->v[i].name);
		sbuf_add(b, ": ", 2);
		sbuf_adds(b, l->v[i].value);
	}
}

/* The one value of a single-valued field: s (absent when NULL). */
static int one(const char *s, size_t *cursor, const char **p, size_t *n)
{
	if (!s || *cursor > 0)
		return 0;
	*cursor = 1;
	*p = s;
	*n = strlen(s);
	return 1;
}

/* The one value of a single-valued field held as bytes. */
static int one_bytes(const char *s, size_t len, size_t *cursor, const char **p, size_t *n)
{
	if (!s || *cursor > 0)
		return 0;
	*cursor = 1;
	*p = s;
	*n = len;
	return 1;
}

#define GETTER(fn) \
	static int fn(struct xctx *x, const char *hname, size_t *cursor, const char **p, size_t *n)

GETTER(get_method) { return one(x->ex->method, cursor, p, n); }
GETTER(get_url) { return one(x->ex->url, cursor, p, n); }
GETTER(get_scheme) { return one(x->ex->scheme, cursor, p, n); }
GETTER(get_host) { return one(x->ex->host, cursor, p, n); }
GETTER(get_path) { return one(x->ex->path, cursor, p, n); }
GETTER(get_query) { return one(x->ex->query, cursor, p, n); }
GETTER(get_http_version) { return one(x->ex->http_version, cursor, p, n); }
GETTER(get_status_text) { return one(x->ex->status_text, cursor, p, n); }
GETTER(get_error) { return one(x->ex->error, cursor, p, n); }
GETTER(get_source) { return one(x->source, cursor, p, n); }

GETTER(get_port)
{
	if (x->ex->port < 0)
		return 0;
	if (!x->have_port)
		snprintf(x->port, sizeof(x->port), "%d", x->ex->port);
	x->have_port = 1;
	return one(x->port, cursor, p, n);
}

GETTER(get_status)
{
	if (x->ex->status == STATUS_UNKNOWN || x->ex->status < 0)
		return 0;
	if (!x->have_status)
		snprintf(x->status, sizeof(x->status), "%d", x->ex->status);
	x->have_status = 1;
	return one(x->status, cursor, p, n);
}

/* Each copy of header hname in l, from *cursor on. */
static int header_next(const struct hdr_list *l, const char *hname, size_t *cursor,
		       const char **p, size_t *n)
{
	size_t i;

	for (i = *cursor; i < l->n; i++)
		if (ascii_casecmp(l->v[i].name, hname) == 0) {
			*cursor = i + 1;
			*p = l->v[i].value;
			*n = strlen(*p);
			return 1;
		}
	*cursor = l->n;
	return 0;
}

GETTER(get_req_header) { return header_next(&x->ex->req_headers, hname, cursor, p, n); }
GETTER(get_resp_header) { return header_next(&x->ex->resp_headers, hname, cursor, p, n); }

/* A header list as one 'Name: value' block, joined once into b. */
static int joined(const struct hdr_list *l, struct sbuf *b, int *have, size_t *cursor,
		  const char **p, size_t *n)
{
	if (l->n == 0)
		return 0;
	if (!*have) {
		join_headers(l, b);
		*have = 1;
	}
	return one_bytes(sbuf_str(b), b->len, cursor, p, n);
}

GETTER(get_req_headers) { return joined(&x->ex->req_headers, &x->reqh, &x->have_reqh, cursor, p, n); }
GETTER(get_resp_headers) { return joined(&x->ex->resp_headers, &x->resph, &x->have_resph, cursor, p, n); }

GETTER(get_req_body) { return one_bytes(x->ex->req_body.data, x->ex->req_body.len, cursor, p, n); }
GETTER(get_resp_body) { return one_bytes(x->ex->resp_body.data, x->ex->resp_body.len, cursor, p, n); }

GETTER(get_transcript)
{
	if (*cursor >= x->ex->transcript.n)
		return 0;
	*p = x->ex->transcript.v[(*cursor)++];
	*n = strlen(*p);
	return 1;
}

GETTER(get_cross_origin) { derive(x); return one(x->cross_origin, cursor, p, n); }
GETTER(get_expects_json) { derive(x); return one(x->expects_json, cursor, p, n); }
GETTER(get_content_kind) { derive(x); return one(x->content_kind, cursor, p, n); }

/* response.text, computed once: the visible text of an HTML body, a
 * plain-text body with its whitespace collapsed; absent for JSON, XML,
 * binary and empty bodies. */
static void derive_text(struct xctx *x)
{
	const struct body *b = &x->ex->resp_body;

	if (x->have_text)
		return;
	x->have_text = 1;
	derive(x);
	if (strcmp(x->content_kind, "html") == 0)
		html_visible_text(b->data, b->len, &x->text);
	else if (strcmp(x->content_kind, "text") == 0)
		text_collapse_space(b->data, b->len, &x->text);
	else
		x->text_absent = 1;
}

GETTER(get_resp_text)
{
	derive_text(x);
	if (x->text_absent)
		return 0;
	return one_bytes(sbuf_str(&x->text), x->text.len, cursor, p, n);
}

/* The vendors, computed once (the body text only when it has one). */
static void derive_vendors(struct xctx *x)
{
	if (x->have_vendors)
		return;
	x->have_vendors = 1;
	derive_text(x);
	x->nvendors = vendor_identify(x->ex, x->text_absent ? NULL : sbuf_str(&x->text),
				      x->text_absent ? 0 : x->text.len, x->vendors, VENDOR_MAX);
}

GETTER(get_vendor)
{
	derive_vendors(x);
	if (*cursor >= x->nvendors)
		return 0;
	*p = x->vendors[*cursor].vendor;
	*n = strlen(*p);
	(*cursor)++;
	return 1;
}

/* Source of the vendor before cursor. */
static const char *vendor_source(struct xctx *x, size_t cursor)
{
	return cursor > 0 && cursor <= x->nvendors ? x->vendors[cursor - 1].source : NULL;
}

GETTER(get_host_known)
{
	return one(x->ex->host && *x->ex->host ? "true" : "false", cursor, p, n);
}

/* request.header_bytes / request.cookie_bytes, as measured before
 * redaction (xmeasure.h); absent when the import did not measure them. */
static void derive_sizes(struct xctx *x)
{
	long h, c;
	if (x->have_sizes)
		return;
	x->have_sizes = 1;
	h = xmeasure_get(x->ex, "requestHeaderBytes");
	c = xmeasure_get(x->ex, "requestCookieBytes");
	if (h >= 0)
		snprintf(x->header_bytes, sizeof(x->header_bytes), "%ld", h);
	if (c >= 0)
		snprintf(x->cookie_bytes, sizeof(x->cookie_bytes), "%ld", c);
}

GETTER(get_req_header_bytes)
{
	derive_sizes(x);
	return one(x->header_bytes[0] ? x->header_bytes : NULL, cursor, p, n);
}

GETTER(get_req_cookie_bytes)
{
	derive_sizes(x);
	return one(x->cookie_bytes[0] ? x->cookie_bytes : NULL, cursor, p, n);
}

/* The table, in enum field_kind order.  Costs: scalar fields 1, single
 * headers and small derived values 2, whole header blocks and transcript
 * lines 8, bodies and the body text 40 (a regex doubles them, see
 * rule-cond.c); vendor 4 (it may read the body text once). */
static const struct field_def fields[F_COUNT] = {
	[F_METHOD] = { "method", FT_TEXT, 0, 1, 1, get_method, "request method" },
	[F_URL] = { "url", FT_TEXT, 0, 1, 1, get_url, "request URL" },
	[F_SCHEME] = { "scheme", FT_TEXT, 0, 1, 1, get_scheme, "URL scheme" },
	[F_HOST] = { "host", FT_TEXT, 0, 1, 0, get_host, "URL host, lowercased, no port" },
	[F_PORT] = { "port", FT_NUMBER, 0, 1, 1, get_port, "URL port" },
	[F_PATH] = { "path", FT_TEXT, 0, 1, 1, get_path, "URL path" },
	[F_QUERY] = { "query", FT_TEXT, 0, 1, 1, get_query, "URL query without '?'" },
	[F_HTTP_VERSION] = { "http_version", FT_TEXT, 0, 1, 1, get_http_version, "HTTP version" },
	[F_STATUS] = { "status", FT_NUMBER, 0, 1, 0, get_status, "response status; 0: no response" },
	[F_STATUS_TEXT] = { "status_text", FT_TEXT, 0, 1, 1, get_status_text, "reason phrase" },
	[F_ERROR] = { "error", FT_TEXT, 0, 1, 1, get_error, "transport or browser error" },
	[F_REQ_HEADER] = { "request.header.", FT_TEXT, 1, 2, 1, get_req_header,
			   "each copy of one request header" },
	[F_RESP_HEADER] = { "response.header.", FT_TEXT, 1, 2, 1, get_resp_header,
			    "each copy of one response header" },
	[F_REQ_HEADERS] = { "request.headers", FT_TEXT, 0, 8, 1, get_req_headers,
			    "request headers as 'Name: value' lines" },
	[F_RESP_HEADERS] = { "response.headers", FT_TEXT, 0, 8, 1, get_resp_headers,
			     "response headers as 'Name: value' lines" },
	[F_REQ_BODY] = { "request.body", FT_TEXT, 0, 40, 1, get_req_body, "decoded request body" },
	[F_RESP_BODY] = { "response.body", FT_TEXT, 0, 40, 1, get_resp_body, "decoded response body" },
	[F_TRANSCRIPT] = { "transcript", FT_TEXT, 1, 8, 1, get_transcript,
			   "each transcript line (curl '*' lines, errors)" },
	[F_SOURCE] = { "source", FT_TEXT, 0, 1, 1, get_source, "source file path" },
	[F_CROSS_ORIGIN] = { "cross_origin", FT_FLAG, 0, 2, 1, get_cross_origin,
			     "Origin host differs from the URL host" },
	[F_EXPECTS_JSON] = { "expects_json", FT_FLAG, 0, 2, 1, get_expects_json,
			     "Accept or request Content-Type mentions json" },
	[F_CONTENT_KIND] = { "content_kind", FT_WORD, 0, 2, 1, get_content_kind,
			     "json, html, xml, text, binary or empty" },
	[F_RESP_TEXT] = { "response.text", FT_TEXT, 0, 40, 1, get_resp_text,
			  "visible text of an HTML or plain-text body, whitespace collapsed" },
	[F_VENDOR] = { "vendor", FT_WORD, 1, 4, Q_NO_HOST, get_vendor,
		       "each vendor named by the host table, else by response fingerprints",
		       vendor_source },
	[F_HOST_KNOWN] = { "host.known", FT_FLAG, 0, 1, 0, get_host_known,
			   "true when the capture gives the host" },
	/* server log records; absent on every other exchange */
	[F_LOG_PRODUCER] = { "log.producer", FT_TEXT, 0, 2, 0, log_get_producer,
			     "server log producer: access, nginx-error, envoy, aws-alb, iis ..." },
	[F_LOG_FLAGS] = { "log.flags", FT_TEXT, 1, 2, 1, log_get_flags,
			  "each response flag (Envoy UH, UF ...) or HAProxy termination state" },
	[F_LOG_CODE] = { "log.code", FT_TEXT, 0, 2, 1, log_get_code,
			 "producer's error code: Heroku H12, IIS 500.30, AH01102, ALB error_reason" },
	[F_LOG_MESSAGE] = { "log.message", FT_TEXT, 0, 4, 1, log_get_message,
			    "the log record's message (nginx/Apache error text, Heroku desc)" },
	[F_UPSTREAM_STATUS] = { "upstream.status", FT_NUMBER, 1, 2, 1, log_get_upstream_status,
				"each status the upstream (target, origin) returned, per the log" },
	[F_UPSTREAM_ADDR] = { "upstream.addr", FT_TEXT, 0, 2, 1, log_get_upstream_addr,
			      "upstream (target, backend server, dyno) the log names" },
	[F_REQ_HEADER_BYTES] = { "request.header_bytes", FT_NUMBER, 0, 2, 1, get_req_header_bytes,
				 "bytes of the request headers as sent ('Name: value' CRLF each, "
				 "no HTTP/2 pseudo-headers), measured before redaction" },
	[F_REQ_COOKIE_BYTES] = { "request.cookie_bytes", FT_NUMBER, 0, 2, 1, get_req_cookie_bytes,
				 "bytes of the Cookie header values, measured before redaction" },
};

/* The table entry of f. */
const struct field_def *field_def(enum field_kind f)
{
	return &fields[f];
}

/* Field name as written in rules; "?" out of range. */
const char *field_kind_name(enum field_kind f)
{
	if ((int)f < 0 || f >= F_COUNT)
		return "?";
	return fields[f].name;
}

/* Display name of a field type. */
const char *field_type_name(enum field_type t)
{
	switch (t) {
	case FT_TEXT: return "text";
	case FT_NUMBER: return "number";
	case FT_FLAG: return "flag";
	case FT_WORD: return "word";
	}
	return "?";
}

/* Field of a matcher from its text; returns 0 or -1. */
int field_lookup(const char *s, enum field_kind *f, char **hname)
{
	static const char hdr_ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!#$%&'*+^`|~";
	size_t len;
	int i;

	*hname = NULL;
	for (i = 0; i < F_COUNT; i++) {
		len = strlen(fields[i].name);
		if (fields[i].name[len - 1] == '.') {
			/* A header family: the prefix, then a header name. */
			const char *name = s + len;
			if (strncmp(s, fields[i].name, len) != 0)
				continue;
			if (!*name || strspn(name, hdr_ok) != strlen(name))
				return -1;
			*hname = xstrdup(name);
			ascii_lower(*hname);
			*f = (enum field_kind)i;
			return 0;
		}
		if (strcmp(s, fields[i].name) == 0) {
			*f = (enum field_kind)i;
			return 0;
		}
	}
	return -1;
}
