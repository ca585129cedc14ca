/* redact.h - replace credentials in exchanges and free text before storing.
 *
 * A replacement keeps a short type prefix and a keyed fingerprint, e.g.
 * "Bearer sk-proj-…[#3f9a1c]": the fingerprint is the first 6 hex digits of
 * HMAC-SHA-256(key, secret), so the same secret gives the same fingerprint
 * under the same key (one key per database) and cannot be read back.  A
 * kept prefix is only a known token-type prefix and never more than 8
 * characters.  JWTs become a summary of the claims that help diagnosis:
 *   JWT{alg:RS256,iss:https://x,aud:api,exp:2024-05-01T10:00:00Z(expired at capture),scope:read}[#ab12cd]
 * identity claims (sub, email, name, ...) and the signature are dropped.
 *
 * Values that help diagnosis stay untouched: request ids (x-request-id,
 * x-vercel-id, cf-ray, ...), rate-limit headers, www-authenticate error
 * text, header-name lists such as access-control-allow-headers.
 *
 * The redactor counts replacements per kind (the redaction receipt); the
 * caller reads the counts with redactor_count() and clears them with
 * redactor_reset_counts(), e.g. once per source.
 */
#ifndef HARTRIAGE_REDACT_H
#define HARTRIAGE_REDACT_H

#include <stddef.h>
#include "exchange.h"

enum redact_kind {
	REDACT_AUTHORIZATION = 0, /* Authorization / Proxy-Authorization */
	REDACT_COOKIE,            /* Cookie values (names kept) */
	REDACT_SET_COOKIE,        /* Set-Cookie values (name, attributes kept) */
	REDACT_API_KEY_HEADER,    /* x-api-key, api-key, *-token, *-secret ... */
	REDACT_QUERY_PARAM,       /* token-like query parameters in url/query */
	REDACT_FORM_FIELD,        /* token-like fields of urlencoded bodies */
	REDACT_JSON_FIELD,        /* "password": "...", "access_token": "..." */
	REDACT_URL_CREDENTIALS,   /* https://user:pass@host */
	REDACT_TOKEN_IN_TEXT,     /* sk-..., ghp_..., AKIA..., Bearer x in text */
	REDACT_JWT,               /* a JWT anywhere (summarised) */
	REDACT_PRIVATE_KEY,       /* PEM / OpenSSH private key blocks */
	REDACT_SEEN_AGAIN,        /* a secret replaced earlier in the run, found again */
	REDACT_KIND_COUNT
};

/* Stable lowercase name for the receipt: "authorization", "cookie",
 * "set-cookie", "api-key-header", "query-param", "form-field",
 * "json-field", "url-credentials", "token-in-text", "jwt", "private-key",
 * "seen-again". */
const char *redact_kind_name(enum redact_kind k);

struct redactor;

/* New redactor fingerprinting under key (copied; keylen may be 0, then
 * fingerprints are still stable but not secret).  Never returns NULL. */
struct redactor *redactor_new(const unsigned char *key, size_t keylen);
void redactor_free(struct redactor *r);
/* Fingerprint under a new key from now on (copied). */
void redactor_set_key(struct redactor *r, const unsigned char *key, size_t keylen);

/* Rewrite every credential of ex in place: headers, url (and its query
 * and path, redacted alike so they stay consistent), bodies (form rules
 * for x-www-form-urlencoded or k=v&k=v bodies, text rules otherwise;
 * bodies holding NUL bytes are left alone), transcript, error,
 * status_text, status_source, name and extra.  JWT "expired at capture"
 * is judged against ex->started_at.  Each replaced value counts once for
 * its kind (a secret in both url and query counts once).  Running it
 * twice changes nothing more.  Returns the number of replacements made. */
int redact_exchange(struct redactor *r, struct exchange *ex);

/* Redact free text (transcript lines, error text, bodies): token shapes,
 * JWTs, "Bearer x", "Authorization:"/"Cookie:" lines, credentials in URLs,
 * secrets after aws_secret_access_key, token-like key=value and JSON
 * fields.  Returns a malloc'd NUL-terminated copy (the caller frees it). */
char *redact_text(struct redactor *r, const char *s, size_t n);
/* The same for bytes that may hold NULs; *outlen gets the length. */
char *redact_buf(struct redactor *r, const char *s, size_t n, size_t *outlen);

/* Replacements of kind k since the last reset. */
long redactor_count(const struct redactor *r, enum redact_kind k);
void redactor_reset_counts(struct redactor *r);

/* Write "[#xxxxxx]" (the keyed fingerprint of the secret) into out. */
void redactor_fingerprint(const struct redactor *r, const char *secret, size_t n,
			  char out[10]);

/* A key for runs without a database of their own: from
 * $HARTRIAGE_REDACT_KEY when set, else derived from the content (the first
 * 64 KiB of bytes), so the same input gives the same fingerprints on any
 * machine and different inputs unlinkable ones. */
void redact_content_key(const void *p, size_t n, unsigned char key[32]);
/* The same from the first 64 KiB of the file at path (its name when it
 * cannot be read, e.g. a folder). */
void redact_key_for_file(const char *path, unsigned char key[32]);

/* The output writers' second line of defence: every secret replaced
 * during the run is kept in process memory (never stored).  Returns a
 * malloc'd copy of [s, s+n) with every such secret replaced, or NULL when
 * none occurs; each replacement counts as "caught at output". */
char *redact_output_check(const char *s, size_t n);
/* Secrets caught at output so far in this process. */
long redact_caught_at_output(void);

#endif
