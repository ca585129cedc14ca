/* import-har.c - HAR (HTTP Archive) importer.
 *
 * import_har() streams: a small scanner that understands just enough JSON
 * (strings, escapes, nesting) walks the top level to log.entries and cuts
 * out one entry at a time; jansson parses that entry alone, it becomes a
 * struct exchange, goes to the sink and is freed.  Memory follows the
 * largest entry, not the file, and a file cut short still yields every
 * complete entry.  Until the scanner is inside the entries array it keeps
 * every byte it read, so any other shape (wrapper objects, bare entries,
 * JSONP oddities) falls back to reading the document whole and handing it
 * to import_har_json().
 *
 * Bodies are lifted (issue 13): while scanning an entry the scanner notes
 * where response.content.text and request.postData.text are; they are
 * decoded once by json-unescape.c and jansson parses the entry without
 * them.  A body longer than LIFT_STREAM is decoded as it is read and cut
 * out of the buffer, so memory stays bounded by the caps, not the body.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cookie-array.h"
#include "caps.h"
#include "exchange.h"
#include "hstream.h"
#include "import.h"
#include "json-util.h"
#include "json-unescape.h"
#include "util.h"
#include "xbuild.h"

#define HAR_CHUNK ((size_t)64 << 10)
#define HAR_MAX_DEPTH 1024
#define HAR_WRAPPER_DEPTH 3

/* Lifted strings (issue 13): the entry scanner hands response.content.text
 * and request.postData.text to the importer itself, decoded once, and
 * jansson parses the rest of the entry.  A string longer than LIFT_STREAM
 * is decoded while it is scanned and cut from the read buffer, keeping at
 * most LIFT_CAP decoded bytes (enough base64 for BODY_CAP), so a 200 MB
 * body is never held whole. */
#define LIFT_RESP 0
#define LIFT_REQ 1
#define LIFT_STREAM ((size_t)4 << 20)
#define LIFT_CAP (BODY_CAP / 3 * 4 + 8)

struct har_lift {
	int on;                   /* scanning an entry: watch for the two strings */
	int found[2];             /* the value was seen in this entry */
	size_t open[2], close[2]; /* its opening quote, and just past its closing one */
	int streamed[2];          /* decoded while scanning and cut from the buffer */
	int have[2];              /* u[] holds the decoded value for the importer */
	struct junescape u[2];
	size_t hdr_cut[2];        /* headers past HEADER_COUNT_CAP cut from the buffer */
};

/* State shared by the streaming and the whole-document paths. */
struct har_ctx {
	const struct import_opts *opts;
	struct import_sink *sink;
	struct import_result *res;
	struct xbuild xb;      /* numbers, caps and emits the exchanges */
	long entries;          /* entries read completely (kept or skipped) */
	char *creator;         /* "name version" of log.creator, or NULL */
	int chrome;            /* creator is Chrome / Edge DevTools */
	int any_chrome;        /* some log of this source came from Chrome */
	long requests;         /* exchanges with a request */
	int saw_credentials;   /* some Cookie / Authorization / Set-Cookie seen */
	int aborted;           /* the sink asked to stop */
	struct har_lift *lift; /* lifted strings of the current entry, or NULL */
	long media_kept;       /* media bodies kept base64-encoded (har_media) */
	unsigned long long media_bytes; /* their decoded size */
	long repaired;         /* bytes and escapes replaced with U+FFFD */
	long skipped;          /* entries skipped whole */
	long hdr_dropped;      /* headers past HEADER_COUNT_CAP, all entries */
	long bodies_cut;       /* bodies cut to BODY_CAP */
};

/* ---------------------------------------------------------------------
 * Small JSON accessors for the entry tree.
 */

/* Non-empty string value of obj[key], or NULL. */
static const char *jstr_nonempty(json_t *obj, const char *key)
{
	size_t n = 0;
	const char *s = jstr_len(obj, key, &n);
	return s && n ? s : NULL;
}

/* A timing value in ms; -1 for absent, null, negative or not a number. */
static double jtiming(json_t *obj, const char *key)
{
	double d;
	if (!jnum(json_object_get(obj, key), &d) || d < 0)
		return -1;
	return d;
}

/* ---------------------------------------------------------------------
 * Dates.
 */

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

/* Date of a day count since 1970-01-01. */
static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	long long era;
	unsigned doe, yoe, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long long)yoe + era * 400 + (*m <= 2);
}

/* Parse exactly n decimal digits at *p; returns -1 when they are not there. */
static int take_digits(const char **p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	return v;
}

/* ISO 8601 timestamp in UTC with milliseconds ("2024-01-02T03:04:05.678Z")
 * from a HAR startedDateTime; a missing zone is taken as UTC.  Returns a
 * malloc'd string, or NULL when s is not such a timestamp. */
static char *har_time_utc(const char *s)
{
	const char *p = s;
	int Y, M, D, h, mi, sec = 0, ms = 0, off = 0;
	long long t, days;
	unsigned m, d;
	long long y;

	while (*p == ' ')
		p++;
	if ((Y = take_digits(&p, 4)) < 0 || *p++ != '-' || (M = take_digits(&p, 2)) < 0 ||
	    *p++ != '-' || (D = take_digits(&p, 2)) < 0 || (*p != 'T' && *p != 't' && *p != ' '))
		return NULL;
	p++;
	if ((h = take_digits(&p, 2)) < 0 || *p++ != ':' || (mi = take_digits(&p, 2)) < 0)
		return NULL;
	if (*p == ':') {
		p++;
		if ((sec = take_digits(&p, 2)) < 0)
			return NULL;
		if (*p == '.' || *p == ',') {
			int scale = 100;
			p++;
			if (*p < '0' || *p > '9')
				return NULL;
			while (*p >= '0' && *p <= '9') {
				ms += (*p - '0') * scale;
				scale /= 10;
				p++;
			}
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
		if ((oh = take_digits(&p, 2)) < 0)
			return NULL;
		if (*p == ':')
			p++;
		if (*p >= '0' && *p <= '9' && (om = take_digits(&p, 2)) < 0)
			return NULL;
		if (oh > 23 || om > 59)
			return NULL;
		off = sign * (oh * 60 + om);
	}
	while (*p == ' ')
		p++;
	if (*p || M < 1 || M > 12 || D < 1 || D > 31 || h > 24 || mi > 59 || sec > 60)
		return NULL;
	t = days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400LL + h * 3600LL + mi * 60LL + sec -
	    off * 60LL;
	days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	t -= days * 86400;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return NULL;
	return xasprintf("%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d, (int)(t / 3600),
			 (int)(t / 60 % 60), (int)(t % 60), ms);
}

/* ---------------------------------------------------------------------
 * One entry -> one exchange.
 */

/* True when name is one of the headers a sanitized export drops. */
static int is_credential_header(const char *name)
{
	return ascii_casecmp(name, "cookie") == 0 || ascii_casecmp(name, "set-cookie") == 0 ||
	       ascii_casecmp(name, "authorization") == 0;
}

/* Copy a HAR headers array into l, in order and with duplicates.  Sets
 * *cred when a Cookie, Set-Cookie or Authorization header is among them. */
static void har_headers(struct hdr_list *l, json_t *arr, int *cred)
{
	size_t i;
	json_t *h;
	char tmp[64];

	if (!json_is_array(arr))
		return;
	json_array_foreach(arr, i, h) {
		json_t *name = json_object_get(h, "name");
		const char *v;
		size_t vlen;
		if (!json_is_string(name) || json_string_length(name) == 0)
			continue;
		v = jscalar(json_object_get(h, "value"), tmp, sizeof(tmp), &vlen);
		hdr_list_add(l, json_string_value(name), json_string_length(name), v, vlen);
		if (is_credential_header(json_string_value(name)))
			*cred = 1;
	}
}

/* Use :authority (or Host) as the host when the request url has none. */
static void har_fix_host(struct exchange *ex)
{
	const char *auth, *scheme, *path;
	char *url, *lower;

	if (ex->host)
		return;
	auth = hdr_list_get(&ex->req_headers, ":authority");
	if (!auth || !*auth)
		auth = hdr_list_get(&ex->req_headers, "host");
	if (!auth || !*auth || strpbrk(auth, "/?# "))
		return;
	scheme = hdr_list_get(&ex->req_headers, ":scheme");
	if (!scheme || !*scheme)
		scheme = ex->scheme ? ex->scheme : "https";
	path = ex->url && ex->url[0] == '/' ? ex->url : hdr_list_get(&ex->req_headers, ":path");
	if (!path || path[0] != '/')
		path = "/";
	lower = xasprintf("%s://%s", scheme, auth);
	ascii_lower(lower);
	url = xasprintf("%s%s", lower, path);
	exchange_set_url(ex, url);
	free(lower);
	free(url);
}

/* Request body from postData: text (lifted or from the tree), else params
 * joined as form data. */
static void har_post_data(struct exchange *ex, json_t *req, struct har_lift *lift)
{
	json_t *pd = json_object_get(req, "postData"), *params, *p;
	const char *text, *mime;
	size_t len = 0, i;
	double d;

	if (!json_is_object(pd))
		return;
	text = jstr_len(pd, "text", &len);
	params = json_object_get(pd, "params");
	if (text && !len && lift && lift->have[LIFT_REQ] && lift->u[LIFT_REQ].total) {
		struct junescape *u = &lift->u[LIFT_REQ];
		body_set(&ex->req_body, sbuf_str(&u->out), u->out.len);
		ex->req_body.size = (long long)u->total;
		if (u->total > u->out.len)
			ex->req_body.truncated = 1;
	} else if (text && len) {
		body_set(&ex->req_body, text, len);
		ex->req_body.size = (long long)len;
	} else if (json_is_array(params) && json_array_size(params)) {
		struct sbuf b = SBUF_INIT;
		char tmp[64];
		size_t n = 0;
		json_array_foreach(params, i, p) {
			json_t *name = json_object_get(p, "name");
			const char *v, *file;
			size_t vlen;
			if (!json_is_string(name))
				continue;
			if (n++)
				sbuf_addc(&b, '&');
			sbuf_add(&b, json_string_value(name), json_string_length(name));
			sbuf_addc(&b, '=');
			file = jstr_nonempty(p, "fileName");
			if (!json_object_get(p, "value") && file) {
				sbuf_addc(&b, '@');
				sbuf_adds(&b, file);
			} else {
				v = jscalar(json_object_get(p, "value"), tmp, sizeof(tmp), &vlen);
				sbuf_add(&b, v, vlen);
			}
		}
		if (n) {
			body_set(&ex->req_body, b.data, b.len);
			ex->req_body.size = (long long)b.len;
		}
		sbuf_release(&b);
	}
	if (!ex->req_body.data)
		return;
	mime = jstr_nonempty(pd, "mimeType");
	if (mime)
		exchange_set(&ex->req_body.mime, mime);
	if (ex->req_body.size < 0 && jnum(json_object_get(req, "bodySize"), &d) && d >= 0)
		ex->req_body.size = (long long)d;
}

/* True for a successful response whose content type is an image, font,
 * audio or video: no rule or redaction reads those bytes, so their base64
 * text is not decoded (issue 13).  Error responses are always decoded:
 * a 403 page may come back under any content type. */
static int har_media(const struct exchange *ex, const char *mime)
{
	if (ex->status < 200 || ex->status >= 400)
		return 0;
	if (!mime)
		mime = hdr_list_get(&ex->resp_headers, "content-type");
	return mime && (starts_with_icase(mime, "image/") || starts_with_icase(mime, "font/") ||
			starts_with_icase(mime, "audio/") || starts_with_icase(mime, "video/") ||
			starts_with_icase(mime, "application/font-") ||
			starts_with_icase(mime, "application/x-font-"));
}

/* Decoded size of base64 text (whitespace ignored), or -1 when the text
 * is not whole base64 quads. */
static long long base64_size(const char *t, size_t n)
{
	size_t chars = 0, pad = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		chars++;
		pad = c == '=' ? pad + 1 : 0;
	}
	if (chars % 4 || pad > 2)
		return -1;
	return (long long)(chars / 4 * 3 - pad);
}

/* A lifted response body longer than LIFT_CAP: the kept prefix, decoded
 * when base64 (up to whole quads), marked truncated; size from the text's
 * full length until content.size says better. */
static void har_content_cut(struct har_ctx *hc, struct exchange *ex, const char *text, size_t len,
			    unsigned long long total, const char *enc, const char *mime)
{
	(void)hc;
	(void)mime;
	if (enc && ascii_casecmp(enc, "base64") == 0) {
		size_t dlen = 0;
		char *dec = base64_decode(text, len / 4 * 4, &dlen);
		if (dec) {
			body_set(&ex->resp_body, dec, dlen);
			free(dec);
			ex->resp_body.size = (long long)(total / 4 * 3);
			ex->resp_body.truncated = 1;
			return;
		}
	}
	body_set(&ex->resp_body, text, len);
	ex->resp_body.size = (long long)total;
	ex->resp_body.truncated = 1;
}

/* Response body from response.content; base64 decoded when so marked,
 * except media (har_media): then only size and a sha256 of the base64 text
 * are kept, in extra. */
static void har_content(struct har_ctx *hc, struct exchange *ex, json_t *content, json_t *extra)
{
	const char *text, *enc, *mime;
	size_t len = 0;
	double d;

	if (!json_is_object(content))
		return;
	text = jstr_len(content, "text", &len);
	enc = jstr_nonempty(content, "encoding");
	mime = jstr_nonempty(content, "mimeType");
	if (text && !len && hc->lift && hc->lift->have[LIFT_RESP] && hc->lift->u[LIFT_RESP].total) {
		struct junescape *u = &hc->lift->u[LIFT_RESP];
		text = sbuf_str(&u->out);
		len = u->out.len;
		if (u->total > len) {
			/* cut while scanning: keep what the cap allows */
			har_content_cut(hc, ex, text, len, u->total, enc, mime);
			text = NULL;
		}
	}
	if (text && enc && ascii_casecmp(enc, "base64") == 0 && har_media(ex, mime) &&
	    base64_size(text, len) >= 0) {
		struct sha256 h;
		unsigned char dg[32];
		char hex[65];
		sha256_init(&h);
		sha256_update(&h, text, len);
		sha256_final(&h, dg);
		sha256_hex(dg, hex);
		ex->resp_body.size = base64_size(text, len);
		json_object_set_new(extra, "contentNotDecoded", json_string("base64"));
		json_object_set_new(extra, "contentTextSha256", json_string(hex));
		hc->media_kept++;
		hc->media_bytes += (unsigned long long)ex->resp_body.size;
		text = NULL;
	}
	if (text) {
		char *dec = NULL;
		size_t dlen = 0;
		if (enc && ascii_casecmp(enc, "base64") == 0)
			dec = base64_decode(text, len, &dlen);
		if (dec) {
			body_set(&ex->resp_body, dec, dlen);
			ex->resp_body.size = (long long)dlen;
			free(dec);
		} else {
			body_set(&ex->resp_body, text, len);
			ex->resp_body.size = (long long)len;
			if (enc)
				json_object_set_new(extra, "contentEncoding", json_string(enc));
		}
	}
	if (jnum(json_object_get(content, "size"), &d) && d > 0)
		ex->resp_body.size = (long long)d;
	if (mime)
		exchange_set(&ex->resp_body.mime, mime);
	if ((text = jstr_nonempty(content, "_file")))
		json_object_set_new(extra, "_file", json_string(text));
}

/* Note a body cut by BODY_CAP (raised when the exchange is emitted). */
static void har_note_body(struct har_ctx *hc, const struct body *b, const char *which)
{
	if (!b->truncated)
		return;
	if (b->len >= BODY_CAP)
		hc->bodies_cut++;
	xb_note_after(&hc->xb, NOTE_TRUNCATED_BODY,
		      "%s body of entry %ld cut to %zu MiB (%lld bytes in the capture)", which,
		      hc->entries, BODY_CAP >> 20, b->size);
}

/* Set an extra string field when the source has a non-empty string. */
static void extra_copy(json_t *extra, const char *key, json_t *from, const char *fkey)
{
	const char *v = jstr_nonempty(from, fkey);
	if (v)
		json_object_set_new(extra, key, json_string(v));
}

/* Fill ex from one HAR entry object (which has a request object). */
static void har_fill(struct har_ctx *hc, json_t *e, struct exchange *ex)
{
	json_t *req = json_object_get(e, "request");
	json_t *resp = json_object_get(e, "response");
	json_t *timings = json_object_get(e, "timings");
	json_t *extra = json_object(), *v;
	const char *s, *raw_ver;
	int cred = 0;
	double d;

	/* when and what */
	if ((s = jstr_nonempty(e, "startedDateTime"))) {
		ex->started_at = har_time_utc(s);
		if (!ex->started_at)
			json_object_set_new(extra, "startedDateTime", json_string(s));
	}
	if ((s = jstr_nonempty(e, "comment")) || (s = jstr_nonempty(req, "comment")))
		exchange_set(&ex->name, s);
	if ((s = jstr_nonempty(req, "method")))
		exchange_set(&ex->method, s);
	if ((s = jstr(req, "url")))
		exchange_set_url(ex, s);
	raw_ver = jstr_nonempty(req, "httpVersion");
	if (!raw_ver && json_is_object(resp))
		raw_ver = jstr_nonempty(resp, "httpVersion");
	if (raw_ver) {
		ex->http_version = http_version_normalize(raw_ver);
		if (!ex->http_version || strcmp(ex->http_version, raw_ver) != 0)
			json_object_set_new(extra, "httpVersion", json_string(raw_ver));
	}

	/* request */
	har_headers(&ex->req_headers, json_object_get(req, "headers"), &cred);
	if (hc->lift)
		ex->req_headers.dropped += hc->lift->hdr_cut[LIFT_REQ];
	hc->hdr_dropped += (long)ex->req_headers.dropped;
	v = json_object_get(req, "cookies");
	if (json_is_array(v) && json_array_size(v)) {
		cred = 1;
		cookie_array_headers(&ex->req_headers, v, 0);
	}
	har_fix_host(ex);
	har_post_data(ex, req, hc->lift);

	/* response */
	if (json_is_object(resp)) {
		if (jnum(json_object_get(resp, "status"), &d))
			ex->status = d <= 0 ? STATUS_NONE : d > 999 ? STATUS_UNKNOWN : (int)d;
		if ((s = jstr_nonempty(resp, "statusText")))
			exchange_set(&ex->status_text, s);
		har_headers(&ex->resp_headers, json_object_get(resp, "headers"), &cred);
		if (hc->lift)
			ex->resp_headers.dropped += hc->lift->hdr_cut[LIFT_RESP];
		hc->hdr_dropped += (long)ex->resp_headers.dropped;
		v = json_object_get(resp, "cookies");
		if (json_is_array(v) && json_array_size(v)) {
			cred = 1;
			cookie_array_headers(&ex->resp_headers, v, 1);
		}
		har_content(hc, ex, json_object_get(resp, "content"), extra);
		extra_copy(extra, "redirectURL", resp, "redirectURL");
		if (jnum(json_object_get(resp, "_transferSize"), &d) && d >= 0)
			json_object_set_new(extra, "_transferSize", json_integer((json_int_t)d));
	}

	/* browser / transport errors: Chrome and mitmproxy _error, Playwright _failureText */
	{
		const char *keys[] = {"_error", "_failureText"};
		json_t *objs[] = {resp, e};
		for (size_t o = 0; o < 2; o++)
			for (size_t k = 0; k < 2; k++) {
				if (!json_is_object(objs[o]) || !(s = jstr_nonempty(objs[o], keys[k])))
					continue;
				if (!ex->error)
					exchange_set(&ex->error, s);
				{
					char *line = xasprintf("%s: %s", keys[k], s);
					strlist_adds(&ex->transcript, line);
					free(line);
				}
			}
	}

	/* timings */
	ex->timings.total = jtiming(e, "time");
	if (json_is_object(timings)) {
		ex->timings.blocked = jtiming(timings, "blocked");
		ex->timings.dns = jtiming(timings, "dns");
		ex->timings.connect = jtiming(timings, "connect");
		ex->timings.ssl = jtiming(timings, "ssl");
		ex->timings.send = jtiming(timings, "send");
		ex->timings.wait = jtiming(timings, "wait");
		ex->timings.receive = jtiming(timings, "receive");
	}

	/* producer-specific fields */
	extra_copy(extra, "serverIPAddress", e, "serverIPAddress");
	extra_copy(extra, "connection", e, "connection");
	extra_copy(extra, "pageref", e, "pageref");
	extra_copy(extra, "_resourceType", e, "_resourceType");
	v = json_object_get(e, "_initiator");
	if (json_is_object(v))
		extra_copy(extra, "_initiator", v, "type");
	else if ((s = jstr_nonempty(e, "_initiator_type")))
		json_object_set_new(extra, "_initiator", json_string(s));
	extra_copy(extra, "_fromCache", e, "_fromCache");
	extra_copy(extra, "_priority", e, "_priority");
	v = json_object_get(e, "_webSocketMessages");
	if (json_is_array(v))
		json_object_set_new(extra, "_webSocketMessages",
				    json_integer((json_int_t)json_array_size(v)));
	if (hc->creator)
		json_object_set_new(extra, "creator", json_string(hc->creator));
	if (json_object_size(extra))
		ex->extra = json_dumps(extra, JSON_COMPACT);
	json_decref(extra);

	if (cred)
		hc->saw_credentials = 1;
	hc->requests++;
}

/* Convert one parsed entry and hand it to the sink.  Entries that are not
 * an object with a request are skipped with a note.  Returns 0, or -1
 * when the sink asked to stop. */
static int har_entry(struct har_ctx *hc, json_t *e)
{
	struct exchange *ex;

	hc->entries++;
	if (!json_is_object(e) || !json_is_object(json_object_get(e, "request"))) {
		xb_note(&hc->xb, NOTE_SKIPPED, -1, "entry %ld is not an object with a request; skipped",
			hc->entries);
		return 0;
	}
	ex = xb_begin(&hc->xb);
	har_fill(hc, e, ex);
	har_note_body(hc, &ex->req_body, "request");
	har_note_body(hc, &ex->resp_body, "response");
	return xb_emit(&hc->xb);
}

/* Remember log.creator (an object) and note the producer once. */
static void har_creator(struct har_ctx *hc, json_t *creator, json_t *browser)
{
	const char *name;
	char vtmp[64], *note;
	const char *ver;
	size_t vlen;

	if (!json_is_object(creator) || !(name = jstr_nonempty(creator, "name")))
		return;
	ver = jscalar(json_object_get(creator, "version"), vtmp, sizeof(vtmp), &vlen);
	free(hc->creator);
	hc->creator = vlen ? xasprintf("%s %.*s", name, (int)vlen, ver) : xstrdup(name);
	hc->chrome = ascii_casecmp(name, "WebInspector") == 0 || ascii_casecmp(name, "Chrome") == 0 ||
		     starts_with_icase(name, "Chrome ") || starts_with_icase(name, "Google Chrome") ||
		     starts_with_icase(name, "Microsoft Edge");
	if (hc->chrome)
		hc->any_chrome = 1;
	if (json_is_object(browser) && (name = jstr_nonempty(browser, "name"))) {
		ver = jscalar(json_object_get(browser, "version"), vtmp, sizeof(vtmp), &vlen);
		note = xasprintf("producer: %s (browser %s%s%.*s)", hc->creator, name,
				 vlen ? " " : "", (int)vlen, ver);
	} else {
		note = xasprintf("producer: %s", hc->creator);
	}
	hc->sink->note(hc->sink->ctx, NOTE_INFO, -1, note);
	free(note);
}

/* Notes that need every entry: Chrome's sanitized export. */
static void har_partial(struct har_ctx *hc);

static void har_finish(struct har_ctx *hc)
{
	har_partial(hc);
	if (hc->any_chrome && hc->requests > 0 && !hc->saw_credentials)
		hc->sink->note(hc->sink->ctx, NOTE_SANITIZED, -1,
			       "exported without cookies and credentials (Chrome's default sanitized "
			       "HAR export); a missing Authorization or Cookie header is not evidence");
	if (hc->media_kept) {
		char msg[256];
		snprintf(msg, sizeof(msg), "%ld image, font, audio or video bodies (%llu bytes) were not "
			 "decoded from base64: no rule or redaction reads them; their size and the "
			 "sha256 of their base64 text are kept", hc->media_kept, hc->media_bytes);
		hc->sink->note(hc->sink->ctx, NOTE_SKIPPED, -1, msg);
	}
	hc->res->exchanges = hc->xb.emitted;
	xb_release(&hc->xb);
	free(hc->creator);
	hc->creator = NULL;
}

/* ---------------------------------------------------------------------
 * Whole-document path.
 */

/* Import every entry of a log object's entries array.  Returns 0, or -1
 * when the sink asked to stop. */
static int har_log(struct har_ctx *hc, json_t *log)
{
	json_t *entries = json_object_get(log, "entries"), *e;
	size_t i;

	har_creator(hc, json_object_get(log, "creator"), json_object_get(log, "browser"));
	json_array_foreach(entries, i, e)
		if (har_entry(hc, e) < 0)
			return -1;
	return 0;
}

/* True when v is an object with an entries array. */
static int has_entries(json_t *v)
{
	return json_is_object(v) && json_is_array(json_object_get(v, "entries"));
}

/* Import HAR logs found in a wrapper object ({"name": {"log": ...}}),
 * depth levels down.  Returns the number of logs found, or -1 when the
 * sink asked to stop. */
static int har_wrapper(struct har_ctx *hc, json_t *obj, int depth)
{
	const char *key;
	json_t *v, *log;
	int found = 0, n;

	json_object_foreach(obj, key, v) {
		if (!json_is_object(v))
			continue;
		log = json_object_get(v, "log");
		if (has_entries(log)) {
			if (har_log(hc, log) < 0)
				return -1;
			found++;
		} else if (depth + 1 < HAR_WRAPPER_DEPTH) {
			if ((n = har_wrapper(hc, v, depth + 1)) < 0)
				return -1;
			found += n;
		}
	}
	return found;
}

/* Import from a parsed document of any HAR shape; fills hc->res. */
static int har_root(struct har_ctx *hc, json_t *root)
{
	json_t *log = json_object_get(root, "log"), *e;
	size_t i;
	int n;

	if (json_is_object(log)) {
		if (!json_is_array(json_object_get(log, "entries"))) {
			import_fail(hc->res, IMPORT_ERROR, "HAR log without an 'entries' array");
			return 0;
		}
		return har_log(hc, log);
	}
	if (has_entries(root))
		return har_log(hc, root);
	if (json_is_array(root)) {
		json_array_foreach(root, i, e)
			if (har_entry(hc, e) < 0)
				return -1;
		return 0;
	}
	if (json_is_object(root) && json_is_object(json_object_get(root, "request")))
		return har_entry(hc, root);
	if (json_is_object(root) && jstr(root, "method") && jstr(root, "url")) {
		/* a bare HAR request (Insomnia fixtures) */
		json_t *wrap = json_pack("{sO}", "request", root);
		int rc = har_entry(hc, wrap);
		json_decref(wrap);
		return rc;
	}
	if (json_is_object(root)) {
		n = har_wrapper(hc, root, 0);
		if (n != 0)
			return n < 0 ? -1 : 0;
	}
	hc->res->format = FMT_NOT_CAPTURE;
	import_fail(hc->res, IMPORT_NOT_CAPTURE, "JSON without a HAR log, entries array or entry");
	return 0;
}

/* Import a parsed HAR of any shape (see import.h); returns 0, or -1 when
 * the sink asked to stop. */
int import_har_json(json_t *root, const struct import_opts *opts, struct import_sink *sink,
		    struct import_result *res)
{
	struct har_ctx hc;
	int rc;

	memset(&hc, 0, sizeof(hc));
	hc.opts = opts;
	hc.sink = sink;
	hc.res = res;
	xb_init(&hc.xb, sink, res);
	res->format = FMT_HAR;
	res->status = IMPORT_OK;
	res->message[0] = '\0';
	rc = har_root(&hc, root);
	har_finish(&hc);
	return rc;
}

/* ---------------------------------------------------------------------
 * Streaming path: the reader and the scanner.
 *
 * Positions are absolute byte offsets into the input; buf holds the bytes
 * from base on.  Until discard is set nothing is ever dropped, so the
 * fallback can reuse everything read.
 */
struct har_reader {
	struct hstream *s;
	unsigned char *buf;
	size_t len, alloc;
	size_t base;       /* offset of buf[0] */
	long line, col;    /* position of buf[0], 1-based */
	int eof;
	int error;
	int discard;       /* bytes before the keep mark may be dropped */
	struct har_lift lift;
	size_t cut_at;     /* where lifted bytes were last cut out of buf */
	unsigned long long cut_bytes; /* bytes cut there (for columns) */
};

enum scan_rc { SC_OK, SC_EOF, SC_SYNTAX, SC_DEPTH, SC_READERR };

/* Advance a line/column position over n bytes. */
static void advance_lc(const unsigned char *p, size_t n, long *line, long *col)
{
	const unsigned char *e = p + n, *nl, *last = NULL;
	while (p < e && (nl = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		(*line)++;
		last = nl;
		p = nl + 1;
	}
	if (last)
		*col = 1 + (long)(e - (last + 1));
	else
		*col += (long)n;
}

/* Line and column of an absolute position still in the buffer. */
static void rd_linecol(const struct har_reader *r, size_t pos, long *line, long *col)
{
	size_t n = pos - r->base;
	*line = r->line;
	*col = r->col;
	if (n > r->len)
		n = r->len;
	advance_lc(r->buf, n, line, col);
	/* a lifted string cut from this line still counts in the column */
	if (r->cut_bytes && pos > r->cut_at && r->cut_at >= r->base &&
	    !memchr(r->buf + (r->cut_at - r->base), '\n', pos - r->cut_at))
		*col += (long)r->cut_bytes;
}

/* Read more input, first dropping bytes before keep when allowed.
 * Returns 1 when bytes were added, 0 at end of input, -1 on a read error. */
static int rd_fill(struct har_reader *r, size_t keep)
{
	ssize_t got;

	if (r->eof)
		return r->error ? -1 : 0;
	if (r->discard && keep > r->base) {
		size_t k = keep - r->base;
		if (k > r->len)
			k = r->len;
		if (k >= HAR_CHUNK || k * 2 >= r->len) {
			advance_lc(r->buf, k, &r->line, &r->col);
			if (r->cut_bytes && r->cut_at < r->base + k) {
				if (!memchr(r->buf + (r->cut_at - r->base), '\n', r->base + k - r->cut_at))
					r->col += (long)r->cut_bytes;
				r->cut_bytes = 0;
			}
			memmove(r->buf, r->buf + k, r->len - k);
			r->len -= k;
			r->base += k;
		}
	}
	if (r->alloc - r->len < HAR_CHUNK) {
		/* Grow by doubling, but not past one capped entry plus two chunks:
		 * an oversized entry then never costs twice the cap. */
		size_t limit = HAR_ENTRY_CAP + 2 * HAR_CHUNK, want = r->len + HAR_CHUNK;
		if (want <= limit && r->alloc * 2 > limit) {
			r->buf = xrealloc(r->buf, limit);
			r->alloc = limit;
		} else {
			r->buf = xgrow(r->buf, &r->alloc, want, 1);
		}
	}
	got = hstream_read(r->s, r->buf + r->len, HAR_CHUNK);
	if (got < 0) {
		r->eof = r->error = 1;
		return -1;
	}
	if (got == 0) {
		r->eof = 1;
		return 0;
	}
	r->len += (size_t)got;
	return 1;
}

/* The byte at pos (reading as needed, keeping bytes from keep on), -1 at
 * end of input, -2 on a read error. */
static int rd_byte_keep(struct har_reader *r, size_t pos, size_t keep)
{
	while (pos - r->base >= r->len) {
		int f = rd_fill(r, keep);
		if (f <= 0)
			return f < 0 ? -2 : -1;
	}
	return r->buf[pos - r->base];
}

/* The byte at pos, as rd_byte_keep() keeping nothing before pos. */
static int rd_byte(struct har_reader *r, size_t pos)
{
	return rd_byte_keep(r, pos, pos);
}

/* Skip JSON whitespace from *pos keeping bytes from keep on; returns the
 * next byte as rd_byte(). */
static int rd_ws_keep(struct har_reader *r, size_t *pos, size_t keep)
{
	int c;
	for (;;) {
		c = rd_byte_keep(r, *pos, keep);
		if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
			return c;
		(*pos)++;
	}
}

/* Skip JSON whitespace from *pos; returns the next byte as rd_byte(). */
static int rd_ws(struct har_reader *r, size_t *pos)
{
	for (;;) {
		int c = rd_byte(r, *pos);
		if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
			return c;
		(*pos)++;
	}
}

/* Keys on the way to a lifted string. */
enum lift_key { LK_NONE, LK_REQUEST, LK_RESPONSE, LK_CONTENT, LK_POSTDATA, LK_TEXT, LK_HEADERS };

static enum lift_key lift_key_of(const unsigned char *p, size_t n)
{
	static const struct {
		const char *s;
		enum lift_key k;
	} t[] = {{"request", LK_REQUEST}, {"response", LK_RESPONSE}, {"content", LK_CONTENT},
		 {"postData", LK_POSTDATA}, {"text", LK_TEXT}, {"headers", LK_HEADERS}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].s) == n && memcmp(t[i].s, p, n) == 0)
			return t[i].k;
	return LK_NONE;
}

/* Which lifted string a value at depth 3 under keys k[1..3] is, or -1. */
static int lift_target(const unsigned char *k)
{
	if (k[3] != LK_TEXT)
		return -1;
	if (k[1] == LK_RESPONSE && k[2] == LK_CONTENT)
		return LIFT_RESP;
	if (k[1] == LK_REQUEST && k[2] == LK_POSTDATA)
		return LIFT_REQ;
	return -1;
}

/* Decode the lifted string idx (opening quote at open) as far as the
 * buffer goes and cut what was decoded from the buffer.  Returns JU_END
 * when the closing quote now follows the opening one, JU_MORE when more
 * input is needed, JU_INVALID when it is not a valid string (then nothing
 * more is cut). */
static enum junescape_state lift_stream(struct har_reader *r, int idx, size_t open)
{
	struct har_lift *l = &r->lift;
	size_t from = open + 1 - r->base, used;
	enum junescape_state st;

	if (!l->streamed[idx]) {
		l->streamed[idx] = 1;
		junescape_release(&l->u[idx]);
		junescape_init(&l->u[idx], LIFT_CAP);
	}
	used = junescape_feed(&l->u[idx], r->buf + from, r->len - from, r->eof, &st);
	if (st == JU_INVALID)
		return st; /* left in the buffer: jansson reports it */
	memmove(r->buf + from, r->buf + from + used, r->len - from - used);
	r->len -= used;
	r->cut_at = open + 1;
	r->cut_bytes += used;
	return st;
}

/* Find the end of the JSON value starting at start (its first byte).  Only
 * strings, escapes and bracket nesting are checked; jansson validates the
 * rest.  Once the value is longer than cap, *oversize is set and its bytes
 * are dropped as the scan goes (when the reader may discard).  Sets *end
 * just past the value, or at the offending byte for SC_SYNTAX.  With
 * r->lift.on, the value is an entry: the strings to lift are found (and
 * long ones decoded and cut out) on the way. */
static enum scan_rc scan_value(struct har_reader *r, size_t start, size_t cap, size_t *end,
			       int *oversize)
{
	unsigned char stack[HAR_MAX_DEPTH];
	unsigned char keys[4] = {LK_NONE, LK_NONE, LK_NONE, LK_NONE};
	size_t depth = 0, pos = start, qpos = 0, sopen = 0;
	int in_str = 0, qfound = 0, qvalid = 0, c;
	/* a headers array of the entry: its elements past HEADER_COUNT_CAP are
	 * cut from the buffer as they come (from the comma before the first
	 * one cut), so a million headers cost neither buffer nor jansson */
	int hside = -1;
	size_t helems = 0, hcomma = 0, hcut = 0;
	int lifting = r->lift.on, expect_key = 0, is_key = 0, target = -1;

	*oversize = 0;
	c = rd_byte(r, pos);
	if (c == -2)
		return SC_READERR;
	if (c == -1)
		return SC_EOF;
	if (c != '"' && c != '{' && c != '[') {
		/* a scalar: ends at a delimiter */
		for (;;) {
			c = rd_byte_keep(r, pos, start);
			if (c == -2)
				return SC_READERR;
			if (c == -1)
				return SC_EOF;
			if (c == ',' || c == ']' || c == '}' || c == ' ' || c == '\n' || c == '\r' ||
			    c == '\t' || c == ':')
				break;
			pos++;
		}
		*end = pos;
		return pos > start ? SC_OK : SC_SYNTAX;
	}
	for (;;) {
		const unsigned char *b, *e, *p;
		if (in_str && target >= 0 && !*oversize &&
		    (r->lift.streamed[target] || pos - sopen > LIFT_STREAM)) {
			/* a long lifted string: decode and cut as it comes */
			enum junescape_state st = lift_stream(r, target, sopen);
			qvalid = 0;
			pos = sopen + 1;
			if (st == JU_INVALID) {
				/* scan on: jansson reports the entry, from the bad byte */
				target = -1;
				continue;
			}
			if (st == JU_END) {
				pos++;
				in_str = 0;
				r->lift.found[target] = 1;
				r->lift.open[target] = sopen;
				r->lift.close[target] = pos;
				target = -1;
				continue;
			}
			{
				int f = rd_fill(r, start);
				if (f < 0)
					return SC_READERR;
				if (f == 0 && lift_stream(r, target, sopen) != JU_END)
					return SC_EOF;
			}
			continue;
		}
		if (pos - r->base >= r->len) {
			int f;
			if (hcut && pos > hcut) {
				r->len = hcut - r->base;
				pos = hcut;
				qvalid = 0;
			}
			if (!*oversize && pos - start > cap)
				*oversize = 1;
			f = rd_fill(r, *oversize ? pos : start);
			if (f < 0)
				return SC_READERR;
			if (f == 0)
				return SC_EOF;
			continue;
		}
		b = r->buf;
		e = b + r->len;
		p = b + (pos - r->base);
		if (in_str) {
			const unsigned char *q, *bs;
			if (!qvalid || qpos < pos || (!qfound && qpos != r->base + r->len)) {
				q = memchr(p, '"', (size_t)(e - p));
				qfound = q != NULL;
				qpos = q ? r->base + (size_t)(q - b) : r->base + r->len;
				qvalid = 1;
			}
			bs = memchr(p, '\\', qpos - pos);
			if (bs) {
				pos = r->base + (size_t)(bs - b) + 2;
				continue;
			}
			pos = qpos;
			if (!qfound)
				continue;
			pos++;
			in_str = 0;
			if (depth == 0) {
				*end = pos;
				return SC_OK;
			}
			if (lifting && !*oversize) {
				if (is_key && depth <= 3)
					keys[depth] = (unsigned char)lift_key_of(
						r->buf + (sopen + 1 - r->base), pos - 2 - sopen);
				if (target >= 0) {
					r->lift.found[target] = 1;
					r->lift.open[target] = sopen;
					r->lift.close[target] = pos;
				}
			}
			target = -1;
			continue;
		}
		while (p < e) {
			unsigned char ch = *p++;
			if (ch == '"') {
				in_str = 1;
				if (lifting) {
					sopen = r->base + (size_t)(p - 1 - b);
					is_key = expect_key;
					expect_key = 0;
					target = !is_key && depth == 3 ? lift_target(keys) : -1;
				}
				break;
			} else if (ch == '{' || ch == '[') {
				if (depth >= HAR_MAX_DEPTH) {
					*end = r->base + (size_t)(p - 1 - b);
					return SC_DEPTH;
				}
				stack[depth++] = ch;
				expect_key = ch == '{';
				if (depth <= 3)
					keys[depth] = LK_NONE;
				if (lifting && depth == 3 && ch == '[' && keys[2] == LK_HEADERS &&
				    (keys[1] == LK_REQUEST || keys[1] == LK_RESPONSE)) {
					hside = keys[1] == LK_REQUEST ? LIFT_REQ : LIFT_RESP;
					helems = 0;
					hcut = 0;
				} else if (hside >= 0 && depth == 4 && ++helems == HEADER_COUNT_CAP + 1 &&
					   hcomma) {
					hcut = hcomma;
				}
			} else if (ch == '}' || ch == ']') {
				if (!depth || stack[depth - 1] != (ch == '}' ? '{' : '[')) {
					*end = r->base + (size_t)(p - 1 - b);
					return SC_SYNTAX;
				}
				if (hside >= 0 && depth == 3) {
					if (hcut) {
						/* cut [hcut, this bracket) */
						size_t at = r->base + (size_t)(p - 1 - b), n = at - hcut;
						memmove(r->buf + (hcut - r->base), p - 1,
							(size_t)(e - (p - 1)));
						r->len -= n;
						b = r->buf;
						e = b + r->len;
						p = b + (hcut - r->base) + 1;
						r->lift.hdr_cut[hside] += helems - HEADER_COUNT_CAP;
						qvalid = 0;
					}
					hside = -1;
					hcut = 0;
				}
				if (--depth == 0) {
					*end = r->base + (size_t)(p - b);
					return SC_OK;
				}
				expect_key = 0;
			} else if (ch == ',') {
				expect_key = depth && stack[depth - 1] == '{';
				if (hside >= 0 && depth == 3 && !hcut)
					hcomma = r->base + (size_t)(p - 1 - b);
			}
		}
		pos = r->base + (size_t)(p - b);
	}
}

/* Find the end of a value too deep for scan_value: strings and a bracket
 * count only, dropping bytes as it goes, so any depth costs no memory.
 * Sets *end just past the value; SC_SYNTAX when a closing bracket comes
 * first. */
static enum scan_rc skip_value(struct har_reader *r, size_t pos, size_t *end)
{
	unsigned long long depth = 0;
	int in_str = 0, esc = 0;

	for (;;) {
		const unsigned char *p, *e;
		if (pos - r->base >= r->len) {
			int f = rd_fill(r, pos);
			if (f < 0)
				return SC_READERR;
			if (f == 0)
				return SC_EOF;
			continue;
		}
		p = r->buf + (pos - r->base);
		e = r->buf + r->len;
		for (; p < e; p++) {
			unsigned char ch = *p;
			if (in_str) {
				if (esc)
					esc = 0;
				else if (ch == '\\')
					esc = 1;
				else if (ch == '"')
					in_str = 0;
			} else if (ch == '"') {
				in_str = 1;
			} else if (ch == '{' || ch == '[') {
				depth++;
			} else if (ch == '}' || ch == ']') {
				if (depth == 0) {
					*end = r->base + (size_t)(p - r->buf);
					return SC_SYNTAX;
				}
				if (--depth == 0) {
					*end = r->base + (size_t)(p + 1 - r->buf);
					return SC_OK;
				}
			}
		}
		pos = r->base + r->len;
	}
}

/* Bytes [start, end) of the buffer as a key equals k. */
static int key_is(const struct har_reader *r, size_t start, size_t end, const char *k)
{
	size_t n = strlen(k);
	return end - start == n + 2 && memcmp(r->buf + (start - r->base) + 1, k, n) == 0;
}

/* Parse bytes [start, end) of the buffer with jansson; NULL on a syntax
 * error (err filled). */
static json_t *rd_parse(const struct har_reader *r, size_t start, size_t end, json_error_t *err)
{
	return json_loadb((const char *)r->buf + (start - r->base), end - start,
			  JSON_DECODE_ANY | JSON_ALLOW_NUL, err);
}

/* Absolute line and column of a jansson error in bytes parsed from start. */
static void err_position(const struct har_reader *r, size_t start, const json_error_t *err,
			 long *line, long *col)
{
	rd_linecol(r, start, line, col);
	if (err->line > 1)
		*col = err->column;
	else if (err->line == 1)
		*col += err->column - 1;
	if (err->line > 0)
		*line += err->line - 1;
}

/* Forget the lifted strings of the last entry. */
static void lift_reset(struct har_lift *l)
{
	for (int i = 0; i < 2; i++) {
		junescape_release(&l->u[i]);
		l->found[i] = l->streamed[i] = l->have[i] = 0;
	}
}

/* Pieces of an entry handed to jansson around the lifted strings. */
struct lift_pieces {
	const unsigned char *p[3];
	size_t n[3];
	size_t i, off;
};

static size_t lift_read(void *buf, size_t len, void *data)
{
	struct lift_pieces *lp = data;
	size_t got = 0;
	while (got < len && lp->i < 3) {
		size_t k = lp->n[lp->i] - lp->off;
		if (k > len - got)
			k = len - got;
		if (k)
			memcpy((char *)buf + got, lp->p[lp->i] + lp->off, k);
		got += k;
		lp->off += k;
		if (lp->off == lp->n[lp->i]) {
			lp->i++;
			lp->off = 0;
		}
	}
	return got;
}

/* Parse the entry [start, end) with jansson, leaving out the lifted
 * strings (decoded into r->lift.u).  Whatever goes wrong with the lifted
 * parse, the whole entry is parsed as before, so errors and their
 * positions stay those of jansson.  NULL with err filled on a syntax
 * error. */
static json_t *har_parse_entry(struct har_reader *r, size_t start, size_t end, json_error_t *err)
{
	struct har_lift *l = &r->lift;
	struct lift_pieces lp;
	size_t at = start, cuts[2][2];
	int ncut = 0, order[2] = {LIFT_RESP, LIFT_REQ};
	json_t *e;

	for (int i = 0; i < 2; i++) {
		enum junescape_state st;
		size_t n, used;
		if (!l->found[i])
			continue;
		if (l->streamed[i]) {
			l->have[i] = 1;
			continue;
		}
		n = l->close[i] - l->open[i] - 1; /* content and closing quote */
		junescape_release(&l->u[i]);
		junescape_init(&l->u[i], LIFT_CAP);
		used = junescape_feed(&l->u[i], r->buf + (l->open[i] + 1 - r->base), n, 1, &st);
		if (st != JU_END || used != n - 1) {
			junescape_release(&l->u[i]);
			continue; /* jansson will say what is wrong */
		}
		l->have[i] = 1;
	}
	if (l->have[LIFT_RESP] && l->have[LIFT_REQ] && l->open[LIFT_REQ] < l->open[LIFT_RESP]) {
		order[0] = LIFT_REQ;
		order[1] = LIFT_RESP;
	}
	for (int k = 0; k < 2; k++) {
		int i = order[k];
		if (l->have[i] && !l->streamed[i] && l->close[i] - l->open[i] > 2) {
			cuts[ncut][0] = l->open[i] + 1;
			cuts[ncut][1] = l->close[i] - 1;
			ncut++;
		}
	}
	if (!ncut)
		return rd_parse(r, start, end, err);
	memset(&lp, 0, sizeof(lp));
	for (int k = 0; k < ncut; k++) {
		lp.p[k] = r->buf + (at - r->base);
		lp.n[k] = cuts[k][0] - at;
		at = cuts[k][1];
	}
	lp.p[ncut] = r->buf + (at - r->base);
	lp.n[ncut] = end - at;
	e = json_load_callback(lift_read, &lp, JSON_DECODE_ANY | JSON_ALLOW_NUL, err);
	if (!e) {
		lift_reset(l);
		e = rd_parse(r, start, end, err);
	}
	return e;
}

/* An entry jansson refused: when invalid UTF-8, a broken \\u escape or a
 * raw control byte inside a string was the trouble, parse it again with
 * those replaced (U+FFFD), say so in a note and make the source partial.
 * NULL when the entry is still not JSON. */
static json_t *har_repair_entry(struct har_ctx *hc, struct har_reader *r, size_t start,
				size_t end)
{
	size_t len;
	long fixed;
	char *fix, msg[160];
	json_t *e;

	if (start < r->base || end > r->base + r->len || end <= start)
		return NULL;
	fix = json_text_repair((const char *)r->buf + (start - r->base), end - start, &len, &fixed);
	e = fixed ? json_loadb(fix, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;
	free(fix);
	if (!e)
		return NULL;
	lift_reset(&r->lift); /* the lifted strings were parsed again */
	snprintf(msg, sizeof(msg),
		 "entry %ld: %ld invalid UTF-8 sequences or escapes replaced with U+FFFD",
		 hc->entries + 1, fixed);
	hc->sink->note(hc->sink->ctx, NOTE_SKIPPED, -1, msg);
	hc->repaired += fixed;
	return e;
}

/* A file read to its end of which not every byte was kept (entries
 * skipped, bytes replaced, headers or bodies cut, each noted where it
 * happened) is partial: say what in the source's message. */
static void har_partial(struct har_ctx *hc)
{
	struct sbuf b = SBUF_INIT;
	if (hc->res->status != IMPORT_OK)
		return;
	if (hc->skipped)
		sbuf_addf(&b, "%s%ld of %ld entries skipped", b.len ? "; " : "", hc->skipped,
			  hc->entries);
	if (hc->repaired)
		sbuf_addf(&b, "%s%ld invalid bytes or escapes replaced with U+FFFD", b.len ? "; " : "",
			  hc->repaired);
	if (hc->hdr_dropped)
		sbuf_addf(&b, "%s%ld headers past the cap of %d per exchange dropped",
			  b.len ? "; " : "", hc->hdr_dropped, HEADER_COUNT_CAP);
	if (hc->bodies_cut)
		sbuf_addf(&b, "%s%ld bodies cut to %zu MiB", b.len ? "; " : "", hc->bodies_cut,
			  BODY_CAP >> 20);
	if (b.len)
		import_fail(hc->res, IMPORT_PARTIAL, "%s", sbuf_str(&b));
	sbuf_release(&b);
}

/* Record a damaged end of file: PARTIAL status with position and a note. */
static void har_damaged(struct har_ctx *hc, struct har_reader *r, size_t pos,
			enum note_kind kind, const char *what)
{
	long line, col;
	rd_linecol(r, pos, &line, &col);
	import_fail(hc->res, IMPORT_PARTIAL, "line %ld, column %ld: %s (%ld complete entries kept)",
		    line, col, what, hc->entries);
	hc->sink->note(hc->sink->ctx, kind, -1, hc->res->message);
}

/* Stop at an entry with a JSON syntax error that also broke the framing:
 * PARTIAL status with jansson's position and message, and a note. */
static void har_entry_invalid(struct har_ctx *hc, struct har_reader *r, size_t start,
			      const json_error_t *err)
{
	long line, col;

	err_position(r, start, err, &line, &col);
	import_fail(hc->res, IMPORT_PARTIAL,
		    "line %ld, column %ld: invalid JSON in entry %ld: %s; the rest of the file was "
		    "skipped (%ld complete entries kept)",
		    line, col, hc->entries + 1, err->text, hc->entries);
	hc->sink->note(hc->sink->ctx, NOTE_SKIPPED, -1, hc->res->message);
}

/* An entry the scanner could not delimit (end of input or a bracket
 * mismatch): when jansson finds a syntax error in [start, end) before the
 * end of input, report that error, since a stray quote or bracket also
 * looks like a file cut short to the scanner.  Returns 1 when reported. */
static int har_bad_entry(struct har_ctx *hc, struct har_reader *r, size_t start, size_t end)
{
	json_error_t err;
	json_t *e;

	if (start < r->base || end <= start || end > r->base + r->len)
		return 0;
	e = rd_parse(r, start, end, &err);
	if (e) {
		json_decref(e);
		return 0;
	}
	if (json_error_code(&err) == json_error_premature_end_of_input)
		return 0;
	har_entry_invalid(hc, r, start, &err);
	return 1;
}

/* Read the rest of the input after what the scanner kept and import the
 * whole document.  Returns 0, or -1 when the sink asked to stop. */
static int har_fallback(struct har_ctx *hc, struct har_reader *r)
{
	size_t cap = hc->opts && hc->opts->slurp_cap ? hc->opts->slurp_cap : SLURP_CAP;
	char *rest = NULL;
	size_t restlen = 0, n, off;
	const char *p;
	json_error_t err;
	json_t *root = NULL;
	int rc = 0, src;
	long line = 1, col = 1;

	free(hc->creator);
	hc->creator = NULL;
	if (r->len > cap) {
		import_fail(hc->res, IMPORT_ERROR, "larger than %zu bytes, not read", cap);
		goto out;
	}
	src = r->eof ? 0 : hstream_slurp(r->s, cap - r->len, &rest, &restlen);
	if (src == -1) {
		import_fail(hc->res, IMPORT_ERROR, "read error: %s", r->s->errmsg);
		goto out;
	}
	if (src == -2) {
		import_fail(hc->res, IMPORT_ERROR, "larger than %zu bytes, not read", cap);
		goto out;
	}
	if (restlen) {
		r->buf = xgrow(r->buf, &r->alloc, r->len + restlen, 1);
		memcpy(r->buf + r->len, rest, restlen);
		r->len += restlen;
	}
	free(rest);
	rest = NULL;
	p = (const char *)r->buf;
	n = r->len;
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		n -= 3;
	}
	while (n && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
		p++;
		n--;
	}
	strip_jsonp(&p, &n);
	off = (size_t)(p - (const char *)r->buf);
	advance_lc(r->buf, off, &line, &col);
	root = json_loadb(p, n, JSON_ALLOW_NUL, &err);
	if (!root && (json_error_code(&err) == json_error_invalid_utf8 ||
		      json_error_code(&err) == json_error_invalid_syntax)) {
		/* invalid UTF-8 or a broken escape: read it with U+FFFD instead */
		size_t flen;
		long fixed;
		char *fix = json_text_repair(p, n, &flen, &fixed);
		root = fixed ? json_loadb(fix, flen, JSON_ALLOW_NUL, NULL) : NULL;
		free(fix);
		if (root) {
			char msg[128];
			snprintf(msg, sizeof(msg), "%ld invalid UTF-8 sequences or escapes replaced "
				 "with U+FFFD", fixed);
			hc->sink->note(hc->sink->ctx, NOTE_SKIPPED, -1, msg);
			hc->repaired += fixed;
		}
	}
	if (!root) {
		if (err.line == 1)
			col += err.column - 1;
		else
			col = err.column;
		if (err.line > 0)
			line += err.line - 1;
		import_fail(hc->res, IMPORT_ERROR, "line %ld, column %ld: invalid JSON: %s", line, col,
			    err.text);
		goto out;
	}
	rc = har_root(hc, root);
out:
	json_decref(root);
	free(rest);
	return rc;
}

enum log_key { LK_OTHER, LK_CREATOR, LK_BROWSER };

/* Which log member the key at [start, end) names. */
static enum log_key log_key_kind(const struct har_reader *r, size_t start, size_t end)
{
	return key_is(r, start, end, "creator")	  ? LK_CREATOR
	       : key_is(r, start, end, "browser") ? LK_BROWSER
						  : LK_OTHER;
}

/* Capture a value [start, end) that the scanner passed in the log object:
 * creator and browser are kept for the producer note. */
static void har_keep_log_value(struct har_reader *r, enum log_key kind, size_t start,
			       size_t end, json_t **creator, json_t **browser)
{
	json_t **slot = kind == LK_CREATOR ? creator : kind == LK_BROWSER ? browser : NULL;
	json_error_t err;
	if (!slot || r->buf[start - r->base] != '{')
		return;
	json_decref(*slot);
	*slot = rd_parse(r, start, end, &err);
}

/* Stream a HAR entry by entry (see import.h); returns 0, or -1 when the
 * sink asked to stop. */
int import_har(struct hstream *s, const struct import_opts *opts, struct import_sink *sink,
	       struct import_result *res)
{
	struct har_reader r;
	struct har_ctx hc;
	json_t *creator = NULL, *browser = NULL;
	size_t pos = 0, kstart, kend, vend;
	int c, rc = 0, jsonp = 0, oversize, noted = 0, saw_log = 0;
	enum scan_rc sc = SC_OK;
	enum log_key kind;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.line = r.col = 1;
	memset(&hc, 0, sizeof(hc));
	hc.opts = opts;
	hc.sink = sink;
	hc.res = res;
	xb_init(&hc.xb, sink, res);
	res->format = FMT_HAR;
	res->status = IMPORT_OK;
	res->exchanges = 0;
	res->message[0] = '\0';

	/* framing: BOM, whitespace, JSONP callback */
	if (rd_byte(&r, 0) == 0xef && rd_byte(&r, 1) == 0xbb && rd_byte(&r, 2) == 0xbf)
		pos = 3;
	c = rd_ws(&r, &pos);
	if (c == -1) {
		import_fail(res, IMPORT_ERROR, "empty file");
		goto out;
	}
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$') {
		size_t p2 = pos;
		while ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
		       c == '.' || (c >= '0' && c <= '9'))
			c = rd_byte(&r, ++p2);
		c = rd_ws(&r, &p2);
		if (c == '(') {
			jsonp = 1;
			pos = p2 + 1;
			c = rd_ws(&r, &pos);
		} else {
			c = rd_byte(&r, pos);
		}
	}
	if (c == -2)
		goto readerr;
	if (c == '[')
		goto fallback;
	if (c != '{') {
		long line, col;
		rd_linecol(&r, pos, &line, &col);
		if (c < 0)
			import_fail(res, IMPORT_ERROR, "line %ld, column %ld: not JSON: no value", line,
				    col);
		else
			import_fail(res, IMPORT_ERROR,
				    "line %ld, column %ld: not JSON: found '%c' where '{' was expected",
				    line, col, c >= 0x20 && c < 0x7f ? c : '?');
		goto out;
	}

	/* top-level object: find "log" */
	pos++;
	for (;;) {
		c = rd_ws(&r, &pos);
		if (c != '"')
			goto prefix_end;
		kstart = pos;
		if ((sc = scan_value(&r, kstart, HAR_ENTRY_CAP, &kend, &oversize)) != SC_OK)
			goto prefix_end;
		pos = kend;
		if ((c = rd_ws(&r, &pos)) != ':')
			goto prefix_end;
		pos++;
		c = rd_ws(&r, &pos);
		if (c == '{' && key_is(&r, kstart, kend, "log"))
			break;
		if ((sc = scan_value(&r, pos, HAR_ENTRY_CAP, &vend, &oversize)) != SC_OK)
			goto prefix_end;
		pos = vend;
		if ((c = rd_ws(&r, &pos)) != ',')
			goto prefix_end;
		pos++;
	}

	/* log object: find "entries", keep creator and browser */
	saw_log = 1;
	pos++;
	for (;;) {
		c = rd_ws(&r, &pos);
		if (c != '"')
			goto prefix_end;
		kstart = pos;
		if ((sc = scan_value(&r, kstart, HAR_ENTRY_CAP, &kend, &oversize)) != SC_OK)
			goto prefix_end;
		pos = kend;
		if ((c = rd_ws(&r, &pos)) != ':')
			goto prefix_end;
		pos++;
		c = rd_ws(&r, &pos);
		if (c == '[' && key_is(&r, kstart, kend, "entries"))
			break;
		kind = log_key_kind(&r, kstart, kend);
		if ((sc = scan_value(&r, pos, HAR_ENTRY_CAP, &vend, &oversize)) != SC_OK)
			goto prefix_end;
		har_keep_log_value(&r, kind, pos, vend, &creator, &browser);
		pos = vend;
		if ((c = rd_ws(&r, &pos)) != ',')
			goto prefix_end;
		pos++;
	}

	/* committed: stream the entries, dropping what is done */
	r.discard = 1;
	if (creator) {
		har_creator(&hc, creator, browser);
		noted = 1;
	}
	pos++;
	c = rd_ws(&r, &pos);
	if (c == ']')
		goto entries_done;
	for (;;) {
		if (c == -2)
			goto readerr;
		if (c == -1) {
			har_damaged(&hc, &r, pos, NOTE_TRUNCATED_FILE,
				    hc.entries ? "file ends after an entry" : "file ends in the entries");
			goto out;
		}
		lift_reset(&r.lift);
		r.lift.hdr_cut[LIFT_RESP] = r.lift.hdr_cut[LIFT_REQ] = 0;
		r.lift.on = 1;
		sc = scan_value(&r, pos, HAR_ENTRY_CAP, &vend, &oversize);
		r.lift.on = 0;
		if (sc == SC_READERR)
			goto readerr;
		if (sc == SC_EOF) {
			char what[64];
			if (!oversize && har_bad_entry(&hc, &r, pos, r.base + r.len))
				goto out;
			snprintf(what, sizeof(what), "file ends inside entry %ld", hc.entries + 1);
			har_damaged(&hc, &r, r.base + r.len, NOTE_TRUNCATED_FILE, what);
			goto out;
		}
		if (sc == SC_DEPTH && pos >= r.base) {
			/* too deep: skip this entry only, the next is read */
			char msg[128];
			sc = skip_value(&r, pos, &vend);
			if (sc == SC_READERR)
				goto readerr;
			if (sc == SC_OK) {
				hc.entries++;
				hc.skipped++;
				snprintf(msg, sizeof(msg), "entry %ld skipped: nested deeper than %d levels",
					 hc.entries, HAR_MAX_DEPTH);
				sink->note(sink->ctx, NOTE_SKIPPED, -1, msg);
				goto next_entry;
			}
			if (sc == SC_EOF) {
				snprintf(msg, sizeof(msg), "file ends inside entry %ld (nested deeper than %d levels)",
					 hc.entries + 1, HAR_MAX_DEPTH);
				har_damaged(&hc, &r, r.base + r.len, NOTE_TRUNCATED_FILE, msg);
				goto out;
			}
		}
		if (sc != SC_OK) {
			char what[96];
			if (!oversize && sc != SC_DEPTH && har_bad_entry(&hc, &r, pos, vend + 1))
				goto out;
			snprintf(what, sizeof(what), "%s in entry %ld; the rest of the file was skipped",
				 sc == SC_DEPTH ? "nesting too deep" : "mismatched bracket",
				 hc.entries + 1);
			har_damaged(&hc, &r, vend, NOTE_SKIPPED, what);
			goto out;
		}
		if (oversize || vend - pos > HAR_ENTRY_CAP) {
			char msg[96];
			hc.entries++;
			hc.skipped++;
			snprintf(msg, sizeof(msg), "entry %ld is larger than %zu MiB; skipped",
				 hc.entries, HAR_ENTRY_CAP >> 20);
			sink->note(sink->ctx, NOTE_SKIPPED, -1, msg);
		} else {
			json_error_t err;
			json_t *e = har_parse_entry(&r, pos, vend, &err);
			if (!e)
				e = har_repair_entry(&hc, &r, pos, vend);
			if (!e) {
				/* Skip it, unless what follows shows that the scanner
				 * mis-delimited the entry (a stray quote or bracket). */
				size_t p2 = vend;
				long line, col;
				char msg[400];
				c = rd_ws_keep(&r, &p2, pos);
				if (c == -2)
					goto readerr;
				if (c != ',' && c != ']') {
					har_entry_invalid(&hc, &r, pos, &err);
					goto out;
				}
				err_position(&r, pos, &err, &line, &col);
				hc.entries++;
				hc.skipped++;
				snprintf(msg, sizeof(msg), "entry %ld skipped: line %ld, column %ld: %s",
					 hc.entries, line, col, err.text);
				sink->note(sink->ctx, NOTE_SKIPPED, -1, msg);
			} else {
				int erc;
				hc.lift = &r.lift;
				erc = har_entry(&hc, e);
				hc.lift = NULL;
				json_decref(e);
				if (erc < 0) {
					rc = -1;
					goto out;
				}
			}
		}
	next_entry:
		pos = vend;
		c = rd_ws(&r, &pos);
		if (c == ',') {
			pos++;
			c = rd_ws(&r, &pos);
			if (c == ']')
				break;
			continue;
		}
		if (c == ']')
			break;
		if (c == -1 || c == -2)
			continue;
		{
			char what[96];
			snprintf(what, sizeof(what), "expected ',' or ']' after entry %ld; the rest "
				 "of the file was skipped", hc.entries);
			har_damaged(&hc, &r, pos, NOTE_SKIPPED, what);
			goto out;
		}
	}
entries_done:
	pos++;

	/* the rest of log (creator may come after entries), then the top level */
	for (int level = 0; level < 2; level++) {
		for (;;) {
			c = rd_ws(&r, &pos);
			if (c == '}') {
				pos++;
				break;
			}
			if (c != ',')
				goto tail_bad;
			pos++;
			if ((c = rd_ws(&r, &pos)) != '"')
				goto tail_bad;
			kstart = pos;
			if ((sc = scan_value(&r, kstart, HAR_ENTRY_CAP, &kend, &oversize)) != SC_OK)
				goto tail_bad_sc;
			kind = log_key_kind(&r, kstart, kend);
			pos = kend;
			if ((c = rd_ws(&r, &pos)) != ':')
				goto tail_bad;
			pos++;
			c = rd_ws(&r, &pos);
			if ((sc = scan_value(&r, pos, HAR_ENTRY_CAP, &vend, &oversize)) != SC_OK)
				goto tail_bad_sc;
			if (level == 0 && !noted)
				har_keep_log_value(&r, kind, pos, vend, &creator, &browser);
			pos = vend;
		}
		if (level == 0 && !noted && creator) {
			har_creator(&hc, creator, browser);
			noted = 1;
		}
	}
	c = rd_ws(&r, &pos);
	if (jsonp && c == ')') {
		pos++;
		c = rd_ws(&r, &pos);
		if (c == ';') {
			pos++;
			c = rd_ws(&r, &pos);
		}
	}
	if (c == -1)
		goto out;
	goto tail_bad;
tail_bad_sc:
	if (sc == SC_EOF)
		c = -1;
	else if (sc == SC_READERR)
		c = -2;
tail_bad:
	if (c == -2)
		goto readerr;
	if (!noted && creator) {
		har_creator(&hc, creator, browser);
		noted = 1;
	}
	har_damaged(&hc, &r, c == -1 ? r.base + r.len : pos,
		    c == -1 ? NOTE_TRUNCATED_FILE : NOTE_SKIPPED,
		    c == -1 ? "file ends after the entries" : "unexpected text after the entries");
	goto out;

prefix_end:
	/* not the plain {"log":{..."entries":[ shape (or damaged before it) */
	if (c == -2 || sc == SC_READERR)
		goto readerr;
	if (saw_log && (c == -1 || sc == SC_EOF)) {
		long line, col;
		rd_linecol(&r, r.base + r.len, &line, &col);
		import_fail(res, IMPORT_PARTIAL,
			    "line %ld, column %ld: file ends before the first entry (0 complete "
			    "entries kept)", line, col);
		sink->note(sink->ctx, NOTE_TRUNCATED_FILE, -1, res->message);
		goto out;
	}
fallback:
	rc = har_fallback(&hc, &r);
	goto out;

readerr:
	if (hc.entries)
		import_fail(res, IMPORT_PARTIAL, "read error: %s (%ld complete entries kept)",
			    s->errmsg, hc.entries);
	else
		import_fail(res, IMPORT_ERROR, "read error: %s", s->errmsg);
out:
	hstream_drain(s);
	har_finish(&hc);
	json_decref(creator);
	json_decref(browser);
	lift_reset(&r.lift);
	free(r.buf);
	return rc;
}
