/* import.c - format names, detection of JSON documents, and the dispatcher
 * that routes one source to its importer. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "fragment.h"
#include "import.h"
#include "import-bruno.h"
#include "json-util.h"
#include "util.h"
#include "xbuild.h"

#define SNIFF_BYTES 65536

const char *note_kind_name(enum note_kind k)
{
	switch (k) {
	case NOTE_TRUNCATED_FILE: return "truncated-file";
	case NOTE_TRUNCATED_BODY: return "truncated-body";
	case NOTE_SANITIZED: return "sanitized";
	case NOTE_UNRESOLVED_VAR: return "unresolved-variable";
	case NOTE_SKIPPED: return "skipped";
	case NOTE_INFO: return "info";
	}
	return "info";
}

/* True when obj has every key of the NULL-terminated list. */
static int has_keys(json_t *obj, ...)
{
	va_list ap;
	const char *k;
	int ok = json_is_object(obj);
	va_start(ap, obj);
	while ((k = va_arg(ap, const char *)) != NULL)
		if (ok && !json_object_get(obj, k))
			ok = 0;
	va_end(ap);
	return ok;
}

static int looks_like_entry(json_t *e)
{
	return has_keys(e, "request", NULL) && json_is_object(json_object_get(e, "request")) &&
	       (json_object_get(e, "response") || json_object_get(e, "startedDateTime"));
}

static int looks_like_har(json_t *root, int depth)
{
	json_t *log, *entries;
	const char *key;
	json_t *v;

	if (json_is_array(root)) {
		/* A bare array of entries. */
		return json_array_size(root) > 0 && looks_like_entry(json_array_get(root, 0));
	}
	if (!json_is_object(root))
		return 0;
	log = json_object_get(root, "log");
	if (json_is_object(log) && (json_object_get(log, "entries") || json_object_get(log, "version")))
		return 1;
	entries = json_object_get(root, "entries");
	if (json_is_array(entries) && (json_array_size(entries) == 0 ||
				       looks_like_entry(json_array_get(entries, 0))))
		return 1;
	if (looks_like_entry(root))
		return 1;
	/* A bare HAR request object (Insomnia's HAR fixture). */
	if (json_is_string(json_object_get(root, "method")) && json_is_string(json_object_get(root, "url")) &&
	    json_object_get(root, "httpVersion"))
		return 1;
	/* Wrapper objects: {"name": {"log": ...}, ...} */
	if (depth < 2)
		json_object_foreach(root, key, v)
			if (json_is_object(v) && looks_like_har(v, depth + 1))
				return 1;
	return 0;
}

enum capture_format classify_json(json_t *root)
{
	enum capture_format f;
	if (looks_like_har(root, 0))
		return FMT_HAR;
	f = postman_classify(root);
	if (f != FMT_UNKNOWN)
		return f;
	if (bruno_classify(root))
		return FMT_BRUNO;
	return FMT_NOT_CAPTURE;
}

static int looks_like_insomnia_yaml(const char *p, size_t n)
{
	size_t lim = n < 4096 ? n : 4096;
	const char *v5 = ascii_casestr(p, lim, "type: ");
	/* v5: a top-level "type: collection.insomnia.rest/5.0" (or spec.,
	 * environment. ...) line */
	while (v5) {
		const char *eol = memchr(v5, '\n', lim - (size_t)(v5 - p));
		size_t ll = eol ? (size_t)(eol - v5) : lim - (size_t)(v5 - p);
		if ((v5 == p || v5[-1] == '\n') && ascii_casestr(v5, ll, ".insomnia.rest/"))
			return 1;
		v5 = ascii_casestr(v5 + 6, lim - (size_t)(v5 + 6 - p), "type: ");
	}
	return ascii_casestr(p, lim, "_type: export") != NULL &&
	       ascii_casestr(p, lim, "__export_format") != NULL;
}

/* Parse a whole JSON document and route it by its shape. */
static int import_json_doc(const char *buf, size_t len, const struct import_opts *opts,
			   struct import_sink *sink, struct import_result *res)
{
	json_error_t jerr;
	json_t *root = NULL;
	const char *p = buf;
	size_t n = len;
	int ret = 0;
	long repaired = 0;

	trim_span(&p, &n);
	strip_jsonp(&p, &n);
	root = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (!root && (json_error_code(&jerr) == json_error_invalid_utf8 ||
		      json_error_code(&jerr) == json_error_invalid_syntax)) {
		/* invalid UTF-8 or a broken escape: read it with U+FFFD instead */
		size_t flen;
		long fixed;
		char *fix = json_text_repair(p, n, &flen, &fixed);
		root = fixed ? json_loadb(fix, flen, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;
		free(fix);
		if (root) {
			char msg[128];
			snprintf(msg, sizeof(msg), "%ld invalid UTF-8 sequences or escapes replaced "
				 "with U+FFFD", fixed);
			sink->note(sink->ctx, NOTE_SKIPPED, -1, msg);
			repaired = fixed;
		}
	}
	if (!root && opts->hint == FMT_UNKNOWN) {
		/* JSON lines, or an error body among text: the fragment reader */
		struct import_result fr;
		memset(&fr, 0, sizeof fr);
		ret = import_fragments(buf, len, FMT_TEXT, sink, &fr);
		if (ret < 0 || fr.exchanges > 0 || fr.format == FMT_LOG) {
			*res = fr;
			goto out;
		}
	}
	if (!root) {
		res->format = FMT_UNKNOWN;
		import_fail(res, IMPORT_ERROR, "line %d, column %d: invalid JSON: %s", jerr.line,
			    jerr.column, jerr.text);
		goto out;
	}
	res->format = opts->hint != FMT_UNKNOWN ? opts->hint : classify_json(root);
	switch (res->format) {
	case FMT_HAR:
		ret = import_har_json(root, opts, sink, res);
		break;
	case FMT_POSTMAN:
	case FMT_POSTMAN_ENV:
	case FMT_NEWMAN:
	case FMT_INSOMNIA:
		ret = import_postman_json(root, res->format, opts, sink, res);
		break;
	case FMT_BRUNO:
		ret = import_bruno_json(root, opts, sink, res);
		break;
	default:
		/* an error body pasted alone, or JSON that is nothing we know */
		ret = import_fragments(buf, len, FMT_JSON, sink, res);
		break;
	}
	if (repaired && ret == 0 && res->status == IMPORT_OK)
		import_fail(res, IMPORT_PARTIAL, "%ld invalid UTF-8 sequences or escapes replaced with "
			    "U+FFFD", repaired);
out:
	json_decref(root);
	return ret;
}

/* A stream over another that cuts every line at LINE_CAP bytes: the text
 * importers then never hold a line longer than that, however long the
 * input's.  The inner stream still reads (and hashes) every byte. */
struct line_cap {
	struct hstream *in;
	struct hstream *out;        /* the capped stream (for the error text) */
	size_t run;                 /* bytes of the current line so far */
	long cut;                   /* lines cut */
	unsigned long long dropped; /* bytes dropped */
};

static ssize_t line_cap_read(void *ctx, void *buf, size_t n)
{
	struct line_cap *lc = ctx;
	unsigned char *b = buf;
	for (;;) {
		ssize_t got = hstream_read(lc->in, buf, n);
		size_t i, o = 0;
		if (got < 0 && lc->out)
			snprintf(lc->out->errmsg, sizeof(lc->out->errmsg), "%s", lc->in->errmsg);
		if (got <= 0)
			return got;
		for (i = 0; i < (size_t)got; i++) {
			if (b[i] == '\n') {
				lc->run = 0;
			} else if (lc->run >= LINE_CAP) {
				if (lc->run++ == LINE_CAP)
					lc->cut++;
				lc->dropped++;
				continue;
			} else {
				lc->run++;
			}
			b[o++] = b[i];
		}
		if (o)
			return (ssize_t)o;
	}
}

/* After an import through a line_cap: note the cut lines and make an
 * otherwise complete source partial. */
static void line_cap_end(const struct line_cap *lc, struct import_sink *sink,
			 struct import_result *res)
{
	char msg[160];
	if (!lc->cut)
		return;
	snprintf(msg, sizeof(msg), "%ld line(s) longer than %zu MiB cut (%llu bytes dropped)",
		 lc->cut, (size_t)LINE_CAP >> 20, lc->dropped);
	sink->note(sink->ctx, NOTE_SKIPPED, -1, msg);
	if (res->status == IMPORT_OK)
		import_fail(res, IMPORT_PARTIAL, "%s", msg);
}

/* Import text held in memory (a transcoded or rewritten source): as
 * hint says, else as sniff_text() finds it; text with no HTTP is
 * searched for error fragments when fragments is set. */
static int import_text_buffer(const char *text, size_t len, enum capture_format hint,
			      int fragments, const struct import_opts *opts,
			      struct import_sink *sink, struct import_result *res)
{
	struct hstream mem;
	enum capture_format fmt;
	int ret = 0;

	hstream_open_mem(&mem, text, len);
	fmt = hint != FMT_UNKNOWN ? hint : sniff_text((const unsigned char *)text, len);
	res->format = fmt;
	if (fmt == FMT_TEXT)
		ret = import_text(&mem, opts, sink, res);
	else if (fmt == FMT_CURL_I || fmt == FMT_CURL_V || fmt == FMT_CURL_TRACE)
		ret = import_curl(&mem, fmt, opts, sink, res);
	else if (fragments)
		ret = import_fragments(text, len, FMT_TEXT, sink, res);
	else
		import_fail(res, IMPORT_NOT_CAPTURE, "no HTTP request or response found");
	hstream_close(&mem);
	return ret;
}

int import_stream(struct hstream *s, const char *name, const struct import_opts *opts_in,
		  struct import_sink *sink, struct import_result *res)
{
	struct import_opts opts = *opts_in;
	const unsigned char *p;
	ssize_t got;
	enum capture_format fmt;
	char *buf = NULL, *conv = NULL;
	size_t len = 0;
	int ret = 0, rc;

	(void)name;
	memset(res, 0, sizeof(*res));
	if (!sink->note)
		sink->note = import_note_none; /* importers never check for NULL */
	if (!opts.slurp_cap)
		opts.slurp_cap = SLURP_CAP;
	got = hstream_peek(s, SNIFF_BYTES, &p);
	if (got < 0) {
		import_fail(res, IMPORT_ERROR, "read error: %s", s->errmsg);
		return 0;
	}
	if (got == 0) {
		res->format = FMT_NOT_CAPTURE;
		import_fail(res, IMPORT_NOT_CAPTURE, "empty file");
		return 0;
	}

	/* UTF-16 with BOM: transcode, then treat as JSON or text. */
	if (got >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff))) {
		int be = p[0] == 0xfe;
		rc = hstream_slurp(s, opts.slurp_cap, &buf, &len);
		if (rc != 0) {
			import_fail(res, IMPORT_ERROR, rc == -2 ? "larger than %zu bytes" : "read error",
				    opts.slurp_cap);
			goto out;
		}
		conv = utf16_to_utf8((unsigned char *)buf + 2, len - 2, be, &len);
		{
			const char *c = conv;
			size_t cn = len;
			trim_span(&c, &cn);
			if (cn && (c[0] == '{' || c[0] == '[')) {
				ret = import_json_doc(conv, len, &opts, sink, res);
			} else {
				ret = import_text_buffer(conv, len, opts.hint, 0, &opts, sink, res);
			}
		}
		goto out;
	}

	/* A libcurl debug-callback log ("cURL:type[1]-HTTP/1.1 403 ..."): read
	 * in curl -v's notation. */
	if (opts.hint == FMT_UNKNOWN && curl_debug_looks(p, (size_t)got)) {
		struct line_cap lc = {s, NULL, 0, 0, 0};
		struct hstream f;
		hstream_open_fn(&f, line_cap_read, &lc);
		lc.out = &f;
		rc = hstream_slurp(&f, opts.slurp_cap, &buf, &len);
		hstream_close(&f);
		if (rc != 0) {
			import_fail(res, IMPORT_ERROR, rc == -2 ? "larger than %zu bytes, not read"
							       : "read error", opts.slurp_cap);
			goto out;
		}
		conv = curl_debug_rewrite(buf, len, &len);
		ret = import_text_buffer(conv, len, FMT_UNKNOWN, 1, &opts, sink, res);
		line_cap_end(&lc, sink, res);
		goto out;
	}
	if (opts.hint != FMT_UNKNOWN)
		fmt = opts.hint;
	else if (looks_like_insomnia_yaml((const char *)p, (size_t)got))
		fmt = FMT_INSOMNIA;
	else if (log_sniff(p, (size_t)got))
		fmt = FMT_SERVER_LOG;
	else if (bru_looks_like((const char *)p, (size_t)got))
		fmt = FMT_BRUNO;
	else
		fmt = sniff_format(p, (size_t)got);
	res->format = fmt;
	switch (fmt) {
	case FMT_HAR:
		ret = import_har(s, &opts, sink, res);
		break;
	case FMT_CURL_I:
	case FMT_CURL_V:
	case FMT_CURL_TRACE:
	case FMT_TEXT: {
		struct line_cap lc = {s, NULL, 0, 0, 0};
		struct hstream f;
		hstream_open_fn(&f, line_cap_read, &lc);
		lc.out = &f;
		if (fmt == FMT_TEXT)
			ret = import_text(&f, &opts, sink, res);
		else
			ret = import_curl(&f, fmt, &opts, sink, res);
		hstream_drain(&f);
		hstream_close(&f);
		line_cap_end(&lc, sink, res);
		break;
	}
	case FMT_SERVER_LOG:
		ret = import_server_log(s, &opts, sink, res);
		break;
	case FMT_BRUNO:
		if (!bru_looks_like((const char *)p, (size_t)got))
			goto json_doc; /* a run report given with --format-hint bruno */
		rc = hstream_slurp(s, opts.slurp_cap, &buf, &len);
		if (rc != 0) {
			import_fail(res, IMPORT_ERROR, rc == -2 ? "larger than %zu bytes, not read"
							       : "read error", opts.slurp_cap);
			goto out;
		}
		ret = import_bru(buf, len, &opts, sink, res);
		break;
	case FMT_INSOMNIA:
	case FMT_POSTMAN:
	case FMT_POSTMAN_ENV:
	case FMT_NEWMAN:
	case FMT_UNKNOWN:
	json_doc:
		rc = hstream_slurp(s, opts.slurp_cap, &buf, &len);
		if (rc != 0) {
			import_fail(res, IMPORT_ERROR, rc == -2 ? "larger than %zu bytes, not read"
							       : "read error", opts.slurp_cap);
			goto out;
		}
		{
			const char *c = buf;
			size_t cn = len;
			if (cn >= 3 && (unsigned char)c[0] == 0xef && (unsigned char)c[1] == 0xbb &&
			    (unsigned char)c[2] == 0xbf) {
				c += 3;
				cn -= 3;
			}
			if (looks_like_insomnia_yaml(c, cn)) {
				res->format = FMT_INSOMNIA;
				ret = import_insomnia_yaml(c, cn, &opts, sink, res);
			} else {
				ret = import_json_doc(c, cn, &opts, sink, res);
			}
		}
		break;
	case FMT_NOT_CAPTURE:
	default:
		res->format = FMT_NOT_CAPTURE;
		if (sniff_is_binary(p, (size_t)got)) {
			import_fail(res, IMPORT_NOT_CAPTURE, "binary file, not an HTTP capture");
			break;
		}
		/* text with no framed HTTP: error fragments are still evidence,
		 * looked for in the first FRAG_TEXT_CAP bytes, lines cut */
		{
			struct line_cap lc = {s, NULL, 0, 0, 0};
			struct hstream f;
			size_t cap = opts.slurp_cap < FRAG_TEXT_CAP ? opts.slurp_cap : FRAG_TEXT_CAP;
			hstream_open_fn(&f, line_cap_read, &lc);
			lc.out = &f;
			rc = hstream_slurp(&f, cap, &buf, &len);
			hstream_close(&f);
			if (rc == -1) {
				import_fail(res, IMPORT_NOT_CAPTURE, "text without any HTTP request or response");
				break;
			}
			ret = import_fragments(buf ? buf : "", len, FMT_TEXT, sink, res);
			if (rc == -2 && ret == 0) {
				char msg[128];
				snprintf(msg, sizeof(msg), "only the first %zu MiB were searched for error "
					 "fragments", cap >> 20);
				sink->note(sink->ctx, NOTE_SKIPPED, -1, msg);
			}
			if (ret == 0)
				line_cap_end(&lc, sink, res);
		}
		break;
	}
out:
	/* Read what is left so size and sha256 cover the whole source. */
	hstream_drain(s);
	if (s->error && res->status == IMPORT_OK)
		import_fail(res, IMPORT_PARTIAL, "read error: %s", s->errmsg);
	free(buf);
	free(conv);
	return ret;
}
