/* log-int.h - server log records (issue 18): what the line parsers of
 * log-parse.c and log-json.c share with the streaming importer of
 * import-log.c and with the fragment reader.
 *
 * One record of a server log (an access-log line, an error-log entry, a
 * router line, a load balancer's record) becomes one exchange of kind log
 * with what the record states: time, method, URL, status, timings, request
 * headers the producer logged (User-Agent, Referer, the request ID).  The
 * log's own facts go into extra as a JSON object:
 *
 *     {"log": {"producer": "nginx-error", "line": 3, "zone": "none",
 *              "client": "...", "bytes": 0, "request_id": "...",
 *              "upstream.status": "504", "upstream.addr": "...",
 *              "flags": "UF,URX", "code": "H12", "message": "...",
 *              "level": "error"},
 *      "fields": {the producer's own fields, by its names}}
 *
 * Times with a zone become UTC "...Z" in started_at; a time without a zone
 * is kept as written, in ISO 8601 form without a zone ("2024-01-02T03:04:05"),
 * and the record says "zone": "none".
 */
#ifndef HARTRIAGE_LOG_INT_H
#define HARTRIAGE_LOG_INT_H

#include <stddef.h>
#include <jansson.h>
#include "exchange.h"

#define LOG_LINE_CAP ((size_t)64 << 10)  /* bytes of one log line read */
#define LOG_RECORD_CAP 20000000L         /* records emitted per source */
#define LOG_VALUE_CAP 4096               /* bytes of one logged value kept */
#define LOG_W3C_FIELDS_CAP 64            /* names of one #Fields: directive */

/* What the importer knows between lines: the W3C #Fields: of the file. */
struct log_state {
	char *w3c_names[LOG_W3C_FIELDS_CAP];
	int w3c_n;
	int w3c_tabs;      /* CloudFront separates by tabs */
	const char *w3c_producer; /* "iis", "cloudfront" or "w3c" */
	int last;          /* index of the parser that read the last line + 1 */
};

/* A record being built: the exchange and the two halves of extra. */
struct logrec {
	struct exchange *ex;
	json_t *log;
	json_t *fields;
	size_t line; /* 1-based */
};

void logrec_init(struct logrec *r, struct exchange *ex, size_t line, const char *producer);
/* Put "log" and "fields" into ex->extra, kind log; frees the objects. */
void logrec_finish(struct logrec *r);
void logrec_discard(struct logrec *r);
/* Discard the record and reset its exchange; returns 0. */
int lr_fail(struct logrec *r);
/* A fact of the log ("client", "upstream.status", ...), n bytes of v;
 * "-" and empty values are unknown and not set. */
void lr_log(struct logrec *r, const char *key, const char *v, size_t n);
/* True when a field of that name holds credentials (Authorization,
 * Cookie, tokens): such fields are never kept. */
int log_secret_key(const char *k);
/* A producer's own field by its name (dropped when log_secret_key). */
void lr_field(struct logrec *r, const char *key, const char *v, size_t n);
/* Status from text (3 digits, 100-599); source names the field. */
void lr_status(struct logrec *r, const char *v, size_t n, const char *field);
/* "GET /x HTTP/1.1": method, URL, version. */
void lr_request_line(struct logrec *r, const char *v, size_t n);
/* Path or absolute URL. */
void lr_target(struct logrec *r, const char *v, size_t n);
void lr_host(struct logrec *r, const char *v, size_t n);
/* When the log gave scheme and host apart from a path: the absolute URL. */
void lr_absolute_url(struct logrec *r);
void lr_method(struct logrec *r, const char *v, size_t n);
/* A request header the producer logged (User-Agent, X-Request-ID). */
void lr_req_header(struct logrec *r, const char *name, const char *v, size_t n);
/* Seconds (mult 1000), milliseconds (1), nanoseconds (1e-6) as text. */
void lr_timing(struct logrec *r, double *slot, const char *v, size_t n, double mult);
/* The request ID; hdr, when not NULL, is the header the producer took it from. */
void lr_request_id(struct logrec *r, const char *v, size_t n, const char *hdr);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
long long log_days_of(int y, int m, int d);
/* The date of a day number (inverse of log_days_of). */
void log_date_of(long long days, int *y, int *m, int *d);
/* Time: fields of a civil time; off_min is the zone offset east of UTC in
 * minutes, zoned 0 for none. */
void lr_time(struct logrec *r, int y, int mo, int d, int h, int mi, int s, int ms, int zoned,
	     int off_min);
/* Times as producers write them: ISO 8601 / RFC 3339, CLF
 * "10/Oct/2000:13:55:36 -0700", "2024/01/02 03:04:05", Apache's "Fri Sep
 * 09 10:42:29.902022 2011", epoch seconds/milliseconds/nanoseconds.
 * Return 1 when read. */
int lr_time_iso(struct logrec *r, const char *v, size_t n);
int lr_time_clf(struct logrec *r, const char *v, size_t n);
int lr_time_apache(struct logrec *r, const char *v, size_t n);
int lr_time_epoch(struct logrec *r, double v);

/* One line of a text log (nginx/Apache access and error, ingress-nginx,
 * Traefik CLF, Heroku router, Envoy/Istio, HAProxy, AWS ALB, W3C with the
 * #Fields: of st).  Fills ex (kind log, extra) and returns 1, or 0 with ex
 * untouched. line is 1-based. */
int log_text_line(struct log_state *st, const char *t, size_t line, struct exchange *ex);
/* A W3C directive ("#Fields: ..."): updates st; returns 1 when t is one. */
int log_w3c_directive(struct log_state *st, const char *t);
/* One JSON record of a known producer (nginx log_format, Traefik, Caddy,
 * Cloudflare Logpush, Vercel, Netlify, Envoy JSON).  Returns 1 or 0. */
int log_json_record(json_t *rec, size_t line, struct exchange *ex);
/* Either, from one line. */
int log_any_line(struct log_state *st, const char *t, size_t line, struct exchange *ex);
void log_state_release(struct log_state *st);

#endif
