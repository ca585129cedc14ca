/* exchange.h - the normalized request/response record every importer emits.
 *
 * One struct exchange is one HTTP request and what came back, whatever the
 * source format (DESIGN "One exchange").  Every string is owned by the
 * exchange and freed by exchange_release().  A failure before any response
 * arrived is an exchange too: status 0 and error set.
 */
#ifndef HARTRIAGE_EXCHANGE_H
#define HARTRIAGE_EXCHANGE_H

#include <stddef.h>

/* Status values that are not HTTP codes. */
#define STATUS_UNKNOWN (-1) /* no status in the capture (stored as NULL) */
#define STATUS_NONE 0       /* no response arrived */

/* BODY_CAP, HEADER_COUNT_CAP, HEADER_VALUE_CAP, TRANSCRIPT_CAP */
#include "caps.h"

struct hdr {
	char *name;
	char *value;
};

/* Ordered header list; duplicates are kept in order. */
struct hdr_list {
	struct hdr *v;
	size_t n;
	size_t alloc;
	size_t dropped; /* headers beyond HEADER_COUNT_CAP */
	size_t cut;     /* values cut to HEADER_VALUE_CAP */
};

/* Append a copy of name/value (not NUL-terminated).  Values longer than
 * HEADER_VALUE_CAP are cut (counted in cut); headers beyond HEADER_COUNT_CAP are counted in
 * dropped and not stored. */
void hdr_list_add(struct hdr_list *l, const char *name, size_t nlen,
		  const char *value, size_t vlen);
void hdr_list_adds(struct hdr_list *l, const char *name, const char *value);
/* First value of name (ASCII case-insensitive), or NULL. */
const char *hdr_list_get(const struct hdr_list *l, const char *name);
void hdr_list_release(struct hdr_list *l);

struct body {
	char *data;       /* decoded bytes, NUL-terminated; NULL = no body captured */
	size_t len;       /* bytes kept in data */
	long long size;   /* full decoded size as the source states it, -1 unknown */
	int truncated;    /* 1 when data holds less than the body (cap or source) */
	char *mime;       /* content type as the source states it, or NULL */
};

/* Set the body to a copy of p/n, applying BODY_CAP (truncated set). */
void body_set(struct body *b, const char *p, size_t n);
/* The same, taking p (malloc'd, room for n + 1 bytes) instead of copying:
 * a large decoded body is not held twice. */
void body_take(struct body *b, char *p, size_t n);
void body_release(struct body *b);

struct strlist {
	char **v;
	size_t n;
	size_t alloc;
	size_t dropped;
};
void strlist_add(struct strlist *l, const char *s, size_t n);
void strlist_adds(struct strlist *l, const char *s);
void strlist_release(struct strlist *l);

struct timings {
	double total, blocked, dns, connect, ssl, send, wait, receive; /* ms, -1 unknown */
};

/* What kind of evidence an exchange is (DESIGN "Fragments"). */
enum exchange_kind {
	EXCHANGE_CAPTURE = 0, /* framed by the source: HAR entry, curl dump, pasted HTTP */
	EXCHANGE_FRAGMENT,    /* an error body, page or client error without framing */
	EXCHANGE_LOG          /* a record of an application or access log */
};
/* "capture", "fragment" or "log". */
const char *exchange_kind_name(int kind);

struct exchange {
	long seq;              /* order within the source, from 0 */
	char *started_at;      /* ISO 8601 UTC "2024-01-02T03:04:05.678Z", or NULL */
	char *name;            /* Postman item path, HAR comment, or NULL */
	char *method;          /* NULL when unknown */
	char *url;             /* absolute where known */
	char *scheme;          /* "https" */
	char *host;            /* lowercased, without port */
	int port;              /* -1 unknown */
	char *path;            /* "/v1/x" */
	char *query;           /* without '?', or NULL */
	char *http_version;    /* normalized: "HTTP/1.1", "HTTP/2", "HTTP/3", or raw */
	int status;            /* HTTP status, STATUS_NONE or STATUS_UNKNOWN */
	char *status_text;
	char *status_source;   /* how status was learnt when not from a status line,
				  e.g. "prose: \"returns a 403\"", or NULL */
	char *error;           /* transport/browser error text, or NULL */
	int exit_code;         /* curl exit code, -1 none */
	long redirect_of;      /* seq of the exchange this one follows, or -1 */
	struct hdr_list req_headers;
	struct hdr_list resp_headers;
	struct body req_body;
	struct body resp_body;
	struct strlist transcript; /* curl '*' lines, HAR _error, assertions */
	struct timings timings;
	char *extra;           /* JSON object text of producer-specific fields, or NULL */
	int kind;              /* enum exchange_kind */
	char *url_source;      /* how url was learnt when the source does not frame it */
	char *host_source;     /* how host (or the vendor) was learnt, or NULL */
};

void exchange_init(struct exchange *ex);
void exchange_release(struct exchange *ex);

/* Set url and split it into scheme, host, port, path and query.  A
 * relative url ("/v1/x") leaves scheme/host alone.  Host is lowercased. */
void exchange_set_url(struct exchange *ex, const char *url);
/* Set one string field, replacing and freeing the old value. */
void exchange_set(char **field, const char *value);
void exchange_setn(char **field, const char *value, size_t n);
/* Normalize an HTTP version spelling ("http/2.0", "h2", "HTTP/1.1"). */
char *http_version_normalize(const char *raw);
/* Replace each byte of invalid UTF-8 in every text field (not the
 * bodies, which may be binary) with U+FFFD, so that no raw invalid byte
 * reaches the store; returns the number replaced. */
long exchange_repair_utf8(struct exchange *ex);
/* When host is known but url is not absolute, rebuild url from the parts. */
void exchange_complete_url(struct exchange *ex);

#endif
