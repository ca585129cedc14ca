/* redact-int.h - what counts as a secret, shared by the redactor's files.
 *
 * redact-class.c judges names (by their word parts, with an exact list of
 * harmless names), values (known token formats from
 * data/secret-patterns.txt, entropy) and keeps the registry of secrets
 * seen during the run; redact.c scans text and rewrites it.
 */
#ifndef HARTRIAGE_REDACT_INT_H
#define HARTRIAGE_REDACT_INT_H

#include <stddef.h>

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

#endif
