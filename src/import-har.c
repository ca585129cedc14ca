/* import-har.c - HAR (HTTP Archive) importer: entries into exchanges.
 *
 * The streaming reader is import-har-scan.c (see import-har-int.h); this
 * half turns one entry (a jansson tree) into an exchange and holds the
 * whole-document path.  What follows describes the importer as a whole.
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
#include "import-har-int.h"

#define HAR_WRAPPER_DEPTH 3

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
		/* the decoded text becomes the body, not a copy of it */
		struct junescape *u = &lift->u[LIFT_REQ];
		size_t n;
		char *dp = sbuf_detach(&u->out, &n);
		body_take(&ex->req_body, dp, n);
		ex->req_body.size = (long long)u->total;
		if (u->total > n)
			ex->req_body.truncated = 1;
		junescape_release(u);
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
static void har_content_cut(struct har_ctx *hc, struct exchange *ex, struct junescape *u,
			    const char *enc, const char *mime)
{
	unsigned long long total = u->total;
	size_t len;
	char *text;
	(void)hc;
	(void)mime;
	if (enc && ascii_casecmp(enc, "base64") == 0) {
		size_t dlen = 0;
		char *dec = base64_decode(sbuf_str(&u->out), u->out.len / 4 * 4, &dlen);
		if (dec) {
			junescape_release(u);
			body_take(&ex->resp_body, dec, dlen);
			ex->resp_body.size = (long long)(total / 4 * 3);
			ex->resp_body.truncated = 1;
			return;
		}
	}
	/* the decoded text becomes the body, not a copy of it */
	text = sbuf_detach(&u->out, &len);
	junescape_release(u);
	body_take(&ex->resp_body, text, len);
	ex->resp_body.size = (long long)total;
	ex->resp_body.truncated = 1;
}

/* Response body from response.content; base64 decoded when so marked,
 * except media (har_media): then only size and a sha256 of the base64 text
 * are kept, in extra. */
static void har_content(struct har_ctx *hc, struct exchange *ex, json_t *content, json_t *extra)
{
	const char *text, *enc, *mime;
	struct junescape *lifted = NULL;
	size_t len = 0;
	long long media_size = -1;
	double d;

	if (!json_is_object(content))
		return;
	text = jstr_len(content, "text", &len);
	enc = jstr_nonempty(content, "encoding");
	mime = jstr_nonempty(content, "mimeType");
	if (text && !len && hc->lift && hc->lift->have[LIFT_RESP] && hc->lift->u[LIFT_RESP].total) {
		lifted = &hc->lift->u[LIFT_RESP];
		text = sbuf_str(&lifted->out);
		len = lifted->out.len;
		if (lifted->total > len) {
			/* cut while scanning: keep what the cap allows */
			har_content_cut(hc, ex, lifted, enc, mime);
			text = NULL;
		}
	}
	if (text && enc && ascii_casecmp(enc, "base64") == 0 && har_media(ex, mime) &&
	    (media_size = base64_size(text, len)) >= 0) {
		struct sha256 h;
		unsigned char dg[32];
		char hex[65];
		sha256_init(&h);
		sha256_update(&h, text, len);
		sha256_final(&h, dg);
		sha256_hex(dg, hex);
		ex->resp_body.size = media_size;
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
			body_take(&ex->resp_body, dec, dlen);
			ex->resp_body.size = (long long)dlen;
		} else if (lifted) {
			/* the decoded text becomes the body, not a copy of it */
			body_take(&ex->resp_body, sbuf_detach(&lifted->out, NULL), len);
			ex->resp_body.size = (long long)len;
			if (enc)
				json_object_set_new(extra, "contentEncoding", json_string(enc));
		} else {
			body_set(&ex->resp_body, text, len);
			ex->resp_body.size = (long long)len;
			if (enc)
				json_object_set_new(extra, "contentEncoding", json_string(enc));
		}
	}
	if (lifted)
		junescape_release(lifted); /* its text is the body now, or not wanted */
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
	if (!har_lift_headers(hc->lift, LIFT_REQ, &ex->req_headers, &cred))
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
		if (!har_lift_headers(hc->lift, LIFT_RESP, &ex->resp_headers, &cred))
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
int har_entry(struct har_ctx *hc, json_t *e)
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
void har_creator(struct har_ctx *hc, json_t *creator, json_t *browser)
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

/* Notes that need every entry: Chrome's sanitized export. */
void har_finish(struct har_ctx *hc)
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
int har_root(struct har_ctx *hc, json_t *root)
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

void har_ctx_init(struct har_ctx *hc, const struct import_opts *opts, struct import_sink *sink,
		  struct import_result *res)
{
	memset(hc, 0, sizeof(*hc));
	hc->opts = opts;
	hc->sink = sink;
	hc->res = res;
	xb_init(&hc->xb, sink, res);
	res->format = FMT_HAR;
	res->status = IMPORT_OK;
	res->exchanges = 0;
	res->message[0] = '\0';
}

/* Import a parsed HAR of any shape (see import.h); returns 0, or -1 when
 * the sink asked to stop. */
int import_har_json(json_t *root, const struct import_opts *opts, struct import_sink *sink,
		    struct import_result *res)
{
	struct har_ctx hc;
	int rc;

	har_ctx_init(&hc, opts, sink, res);
	rc = har_root(&hc, root);
	har_finish(&hc);
	return rc;
}
