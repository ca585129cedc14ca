/* import.h - the importer interface.
 *
 * An importer reads one source (a file or archive member) through an
 * hstream and hands every exchange it finds to the sink.  Importers never
 * touch SQLite and never print; they report through the sink and the
 * result.  The sink takes ownership of nothing: it copies what it keeps,
 * and the importer releases each exchange after emit() returns.
 */
#ifndef HARTRIAGE_IMPORT_H
#define HARTRIAGE_IMPORT_H

#include <stddef.h>
#include <jansson.h>
#include "exchange.h"
#include "hstream.h"

enum capture_format {
	FMT_UNKNOWN = 0,
	FMT_HAR,
	FMT_CURL_I,        /* curl -i / -D / raw response dumps / HTTPie */
	FMT_CURL_V,        /* curl -v transcript */
	FMT_CURL_TRACE,    /* --trace-ascii / --trace */
	FMT_TEXT,          /* HTTP pasted into prose, PowerShell, Firefox copy-all */
	FMT_POSTMAN,       /* Postman collection v1/v2.x, data dump */
	FMT_POSTMAN_ENV,   /* Postman environment / globals */
	FMT_NEWMAN,        /* newman JSON run report */
	FMT_INSOMNIA,      /* Insomnia export v4 */
	FMT_NOT_CAPTURE,   /* recognised as something else entirely */
	FMT_JSON,          /* a JSON document that is no export: an error body (fragments) */
	FMT_LOG,           /* JSON-lines or logfmt log (fragments) */
	FMT_SERVER_LOG,    /* access / error log of a server or proxy (import-log.c) */
	FMT_BRUNO,         /* Bruno run report (JSON) or .bru request file */
	FMT_COUNT
};

struct sbuf;
/* Clean one line of curl output (import-curl-line.c): ANSI escapes and
 * control bytes out, the progress meter's CR-separated rows give way to
 * what is glued after them.  Returns 1 when the line held only meter
 * debris (its header lines, its rows), else 0; out gets the rest. */
int curl_clean_line(const char *p, size_t n, struct sbuf *out);

/* A libcurl debug-callback log that prints each piece as "cURL:type[N]-"
 * and the data (N the curl_infotype: 0 text, 1 header in, 2 header out,
 * 3 data in, 4 data out, 5 and 6 TLS data).  curl_debug_looks() is true
 * when [p, p+n) has such a line; curl_debug_rewrite() returns the text
 * with those lines in curl -v's notation ("* ", "< ", "> ", the body
 * received bare, what was sent as a "* request body: " line, TLS data
 * dropped), malloc'd, its length in *outlen. */
int curl_debug_looks(const unsigned char *p, size_t n);
char *curl_debug_rewrite(const char *p, size_t n, size_t *outlen);

/* Stable lowercase name ("har", "curl-v", ...) and the reverse. */
const char *capture_format_name(enum capture_format f);
enum capture_format capture_format_from_name(const char *name);

/* Kinds of coverage note an importer can raise. */
enum note_kind {
	NOTE_TRUNCATED_FILE,   /* input ended early; complete parts were kept */
	NOTE_TRUNCATED_BODY,   /* a body was cut (cap or by the source) */
	NOTE_SANITIZED,        /* exporter dropped credentials / cookies */
	NOTE_UNRESOLVED_VAR,   /* {{var}} left literally */
	NOTE_SKIPPED,          /* part of the input was skipped, with reason */
	NOTE_INFO
};
const char *note_kind_name(enum note_kind k);

struct import_sink {
	/* Store one exchange; return 0, or -1 to abort the source. */
	int (*emit)(void *ctx, struct exchange *ex);
	/* Record a coverage note; seq is the exchange's seq or -1. */
	void (*note)(void *ctx, enum note_kind kind, long seq, const char *msg);
	void *ctx;
};

enum import_status {
	IMPORT_OK = 0,
	IMPORT_PARTIAL,      /* damaged, but the complete exchanges were kept */
	IMPORT_ERROR,        /* recognised but unreadable: nothing kept */
	IMPORT_NOT_CAPTURE   /* not a capture at all; not an error */
};

struct import_result {
	enum import_status status;
	enum capture_format format;
	long exchanges;
	/* For PARTIAL/ERROR/NOT_CAPTURE: "line 12, column 5: expected ..."
	 * (position first when known; no file name, the caller adds it). */
	char message[512];
};

/* Options that apply to every importer. */
struct import_opts {
	enum capture_format hint;      /* FMT_UNKNOWN = detect from content */
	const char *const *env_files;  /* extra Postman environments, NULL-terminated */
	size_t slurp_cap;              /* cap for formats read whole (default 512 MiB) */
};

/* Guess the format from the first bytes of a source (BOM and leading
 * whitespace tolerated).  Returns FMT_HAR for JSON that looks like a HAR
 * log, FMT_UNKNOWN for other JSON (classified after parsing by
 * classify_json), a text format, or FMT_NOT_CAPTURE.  In sniff.c. */
enum capture_format sniff_format(const unsigned char *p, size_t n);
/* True when p (its first 8 KiB) is binary: more than a few bytes, and
 * over 1 in 32, are NUL, other C0 controls or invalid UTF-8.  A text
 * with a few bad bytes is still text.  In sniff.c. */
int sniff_is_binary(const unsigned char *p, size_t n);
/* Text-only part of sniff_format(): curl -v, trace, curl -i or prose. */
enum capture_format sniff_text(const unsigned char *p, size_t n);
/* Classify a parsed JSON document: FMT_HAR (any HAR shape: log, bare
 * entries, one entry, wrapper object), FMT_POSTMAN, FMT_POSTMAN_ENV,
 * FMT_NEWMAN, FMT_INSOMNIA or FMT_NOT_CAPTURE.  In import.c. */
enum capture_format classify_json(json_t *root);
/* Postman / newman / Insomnia part of classify_json (FMT_UNKNOWN when none
 * fits).  In import-postman.c. */
enum capture_format postman_classify(json_t *root);

/* Import one source.  Always fills res; returns 0 when the source was
 * handled (res->status says how well), -1 on an error of the sink. */
int import_stream(struct hstream *s, const char *name,
		  const struct import_opts *opts, struct import_sink *sink,
		  struct import_result *res);

/* The importers.  Each reads the stream (which may already have been
 * peeked by the sniffer) and fills res. */
int import_har(struct hstream *s, const struct import_opts *opts,
	       struct import_sink *sink, struct import_result *res);
int import_curl(struct hstream *s, enum capture_format fmt,
		const struct import_opts *opts, struct import_sink *sink,
		struct import_result *res);
int import_text(struct hstream *s, const struct import_opts *opts,
		struct import_sink *sink, struct import_result *res);
/* JSON formats read whole: root is borrowed, not stolen. */
int import_har_json(json_t *root, const struct import_opts *opts,
		    struct import_sink *sink, struct import_result *res);
int import_postman_json(json_t *root, enum capture_format fmt,
			const struct import_opts *opts, struct import_sink *sink,
			struct import_result *res);
/* Insomnia v4 YAML exports (JSON ones go through import_postman_json). */
int import_insomnia_yaml(const char *buf, size_t len, const struct import_opts *opts,
			 struct import_sink *sink, struct import_result *res);

/* Server logs (import-log.c): whether the first bytes are records of a
 * known server log, and the streaming importer. */
int log_sniff(const unsigned char *p, size_t n);
int import_server_log(struct hstream *s, const struct import_opts *opts,
		      struct import_sink *sink, struct import_result *res);

/* Helper for importers: printf into res->message and set status (in
 * xbuild.c, below every importer). */
void import_fail(struct import_result *res, enum import_status st,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
