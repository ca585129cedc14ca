/* redact-int.h - what the redactor's files share.
 *
 * The redactor's layers, each calling only the ones below it:
 *   redact.c        the redactor's life, exchanges (headers, bodies,
 *                   transcripts), keys, the writers' second line of defence
 *   redact-scan.c   header values (Authorization, Cookie, Set-Cookie) and
 *                   the single left-to-right text scanner: finds the
 *                   structure around a value (JSON, parameters, header
 *                   lines, XML/HTML, multipart, PEM, prose assignments)
 *   redact-value.c  judges one value under a name and writes replacements
 *                   (type prefix, "…", keyed fingerprint)
 *   redact-jwt.c    JWT summaries and ISO 8601 times
 *   redact-class.c  byte classes, name classes (word parts, harmless
 *                   names), token formats from data/secret-patterns.txt,
 *                   entropy, and the registry of secrets seen in the run
 */
#ifndef HARTRIAGE_REDACT_INT_H
#define HARTRIAGE_REDACT_INT_H

#include <stddef.h>

#include "redact.h"
#include "util.h"

/* Byte classes (rc_cls[c] bits). */
#define RC_ALNUM 0x01
#define RC_WORD 0x02   /* alnum, '_', '-' */
#define RC_SPACE 0x04
#define RC_HEX 0x08    /* 0-9 a-f */
#define RC_PEND 0x10   /* ends a URL parameter value */
#define RC_NAME 0x20   /* alnum, '_', '-', '.' */
#define RC_START 0x40  /* can start something the scanner looks for */
#define RC_DIGIT 0x80
extern unsigned char rc_cls[256];

#define RC_IS(c, bit) (rc_cls[(unsigned char)(c)] & (bit))

/* Fill the tables (byte classes, token patterns); idempotent. */
void rc_init(void);

/* How a name (header, JSON field, parameter, XML element, assignment)
 * speaks about its value. */
enum name_class {
	NC_PLAIN = 0,  /* no secret, or a name that describes one (x-token-type) */
	NC_WEAK = 1,   /* ambiguous (code, key, auth, session, ticket): judge the value */
	NC_STRONG = 2, /* always a secret, numbers too (password, pin, otp, api-key) */
};

/* Class of the name [p, p+n): split into word parts at separators and
 * camelCase; an exact list of harmless names wins, then a describing last
 * part (status, type, expires, scopes, id ...), then the secret parts. */
enum name_class rc_name_class(const char *p, size_t n);

/* Length of a known token format starting at s (standing alone: the
 * caller checks the byte before), 0 when none; *keep gets how many
 * leading bytes the replacement may show. */
size_t rc_pattern_at(const char *s, size_t n, size_t *keep);
/* True when c can start a known token format. */
int rc_pattern_first(unsigned char c);

/* True when [p, p+n) looks generated (a key, not a word or an error
 * code): long enough, mixed character classes, high entropy. */
int rc_random_like(const char *p, size_t n);

/* Values that are never secrets (ARNs, our own replacements are checked
 * by the caller). */
int rc_never_value(const char *p, size_t n);

/* The registry of secrets replaced during the run (process memory only,
 * never stored).  Secrets shorter than RC_REG_MIN are not kept. */
#define RC_REG_MIN 8
void rc_registry_add(const char *p, size_t n);
/* Length of the longest registered secret starting at s, or 0. */
size_t rc_registry_at(const char *s, size_t n);
/* True when nothing is registered. */
int rc_registry_empty(void);


/* ---- the redactor (redact.c) ---- */

struct redactor {
	unsigned char *key;
	size_t keylen;
	long counts[REDACT_KIND_COUNT];
	long long now;  /* started_at of the exchange being redacted (epoch s) */
	int now_known;
};

/* Scanner flags. */
#define F_LINES 1   /* "Name: value" header lines count at line starts */
#define F_PARAMS 2  /* the text is a query string or form body */
#define F_SHAPES 4  /* only token shapes (JWTs, known formats): kept text nested deep */

#define ELLIPSIS "\xe2\x80\xa6"

/* Character classes (tables in redact-class.c). */

#define is_alnum(c) (RC_IS(c, RC_ALNUM) != 0)
#define is_word(c) (RC_IS(c, RC_WORD) != 0)
#define is_b64url(c) (RC_IS(c, RC_WORD) != 0)
#define is_space(c) (RC_IS(c, RC_SPACE) != 0)
#define is_hex(c) (RC_IS(c, RC_HEX) != 0)
#define is_param_end(c) (RC_IS(c, RC_PEND) != 0)

/* ---- redact-jwt.c: JWT summaries and ISO times ---- */

/* Parse "YYYY-MM-DDTHH:MM:SS[.frac][Z|+hh:mm]"; returns 0 or -1. */
int rd_parse_iso(const char *s, long long *out);
/* Length of a JWT starting at p (header.payload.signature, both JSON
 * parts starting "eyJ"), or 0. */
size_t rd_jwt_len(const char *p, size_t n);
/* Append the summary of a JWT ("JWT{alg:..,exp:..}"); returns 0, or -1
 * when the token does not decode (nothing appended then). */
int rd_jwt_summary(struct redactor *r, const char *p, size_t n, struct sbuf *out);

/* ---- redact-value.c: judging values and writing replacements ---- */

/* Lowercase copy of [p, p+n) without '_', '-' and '.', at most 63 chars. */
void rd_norm_name(const char *p, size_t n, char out[64]);
/* True when s is one of list (NULL-terminated), any case. */
int rd_in_list(const char *s, const char *const *list);
/* True when [p, p+n) only names an authentication scheme or type. */
int rd_auth_scheme_value(const char *p, size_t n);
/* True when [p, p+n) ends in a fingerprint we wrote: "…[#xxxxxx]". */
int rd_already_redacted(const char *p, size_t n);
/* True when p starts with a fingerprint "[#xxxxxx]". */
int rd_fingerprint_at(const char *p, size_t n);
/* True when [p, p+n) holds one of our fingerprints anywhere. */
int rd_has_fingerprint(const char *p, size_t n);
/* Values that are no secret and help diagnosis: empty, placeholders,
 * "undefined", exporter masks, ARNs, our own replacements, and short
 * numbers unless the name says the value is a secret (strong: a PIN, an
 * OTP, a numeric password). */
int rd_benign_value(const char *p, size_t n, int strong);
/* A value that looks like a generated token, not a word of prose. */
int rd_token_like(const char *p, size_t n);
/* A value under an ambiguous name ("code", "key", "auth") is a secret
 * when it looks generated or has a known token format. */
int rd_weak_secret_value(const char *p, size_t n);
/* Append the replacement of one secret: a JWT summary or the type prefix,
 * then "…" and the fingerprint.  The secret joins the run's registry, so
 * a copy of it elsewhere is found too.  Returns 1 when it was a JWT. */
int rd_put_secret(struct redactor *r, struct sbuf *out, const char *p, size_t n);
/* Replace a whole value unless benign (strong: the name says it is a
 * secret, numbers too); returns replacements made. */
int rd_put_value_s(struct redactor *r, struct sbuf *out, const char *p, size_t n,
		 enum redact_kind kind, int strong);
/* rd_put_value_s for a name that is not a strong one. */
int rd_put_value(struct redactor *r, struct sbuf *out, const char *p, size_t n,
		 enum redact_kind kind);

/* ---- redact-scan.c: header values and the text scanner ---- */

/* Append the redacted value of header name (any case); returns the
 * replacements made.  *handled is 0 when the header is no credential
 * header (nothing appended then). */
int rd_put_header_value(struct redactor *r, struct sbuf *out, const char *name, size_t nlen,
			    const char *v, size_t vn, int *handled);
/* Redact [s, s+n): returns replacements made; out holds the redacted text
 * only when that is not 0. */
int rd_scan(struct redactor *r, const char *s, size_t n, struct sbuf *out, int flags,
		 enum redact_kind param_kind);

#endif
