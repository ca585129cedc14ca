/* redact-value.c - judging one value under a name (benign, token-like,
 * a known format) and writing its replacement: the type prefix, "…" and
 * the keyed fingerprint, or a JWT summary.  See redact-int.h for the
 * layers.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "caps.h"

#include "redact-int.h"

void redactor_fingerprint(const struct redactor *r, const char *secret, size_t n, char out[10])
{
	unsigned char mac[32];
	static const char hex[] = "0123456789abcdef";

	hmac_sha256(r->key, r->keylen, secret, n, mac);
	out[0] = '[';
	out[1] = '#';
	for (int i = 0; i < 3; i++) {
		out[2 + 2 * i] = hex[mac[i] >> 4];
		out[3 + 2 * i] = hex[mac[i] & 15];
	}
	out[8] = ']';
	out[9] = '\0';
}

/* Lowercase copy of [p, p+n) without '_', '-' and '.', at most 63 chars. */
void rd_norm_name(const char *p, size_t n, char out[64])
{
	size_t j = 0;

	for (size_t i = 0; i < n && j < 63; i++) {
		if (p[i] == '_' || p[i] == '-' || p[i] == '.')
			continue;
		out[j++] = (char)ascii_tolower((unsigned char)p[i]);
	}
	out[j] = '\0';
}

int rd_in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++) /* the first byte before a call */
		if (s[0] == list[i][0] && strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* ---- what counts as a secret ---- */

/* Names of authentication schemes and Postman/Insomnia auth types: the
 * value of an "auth" field that says which scheme was used, no secret. */
static const char *const auth_scheme_words[] = {
	"basic", "bearer", "digest", "apikey", "oauth1", "oauth2", "hawk", "awsv4", "ntlm",
	"noauth", "inherit", "edgegrid", "jwt", "asap", "akamai", "iam", "netrc", "negotiate",
	"none", "token", "key", "password", "session", "cookie", "header", "query", NULL
};

/* True when [p, p+n) only names an authentication scheme or type. */
int rd_auth_scheme_value(const char *p, size_t n)
{
	char low[16];

	if (n == 0 || n >= sizeof low)
		return 0;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)ascii_tolower((unsigned char)p[i]);
	low[n] = '\0';
	return rd_in_list(low, auth_scheme_words);
}

/* True when [p, p+n) ends in a fingerprint we wrote: "…[#xxxxxx]". */
int rd_already_redacted(const char *p, size_t n)
{
	if (n < 9 || p[n - 1] != ']' || p[n - 9] != '[' || p[n - 8] != '#')
		return 0;
	for (size_t i = n - 7; i < n - 1; i++)
		if (!is_hex((unsigned char)p[i]))
			return 0;
	return 1;
}

/* True when p starts with a fingerprint "[#xxxxxx]". */
int rd_fingerprint_at(const char *p, size_t n)
{
	return n >= 9 && p[8] == ']' && rd_already_redacted(p, 9);
}

/* True when [p, p+n) holds one of our fingerprints anywhere. */
int rd_has_fingerprint(const char *p, size_t n)
{
	for (const char *c = p; (c = memchr(c, '[', (size_t)(p + n - c))); c++)
		if (rd_fingerprint_at(c, (size_t)(p + n - c)))
			return 1;
	return 0;
}

/* Values that are no secret and help diagnosis: empty, placeholders,
 * "undefined", exporter masks, ARNs, our own replacements, and short
 * numbers unless the name says the value is a secret (strong: a PIN, an
 * OTP, a numeric password). */
int rd_benign_value(const char *p, size_t n, int strong)
{
	static const char *const words[] = {
		"undefined", "null", "none", "nil", "true", "false", "redacted", "[redacted]",
		"<redacted>", "[filtered]", "hidden", "secret", "[object object]", "nan", NULL
	};
	size_t i;

	trim_span(&p, &n);
	if (n == 0 || rd_already_redacted(p, n) || rc_never_value(p, n))
		return 1;
	if (n >= 4 && ((p[0] == '{' && p[1] == '{' && p[n - 1] == '}' && p[n - 2] == '}') ||
		       (p[0] == '$' && p[1] == '{' && p[n - 1] == '}') ||
		       (p[0] == '<' && p[n - 1] == '>')))
		return 1;
	for (i = 0; i < n && (p[i] == '*' || p[i] == 'x' || p[i] == 'X' || p[i] == '.' || p[i] == '\xe2' || p[i] == '\x80' || p[i] == '\xa2'); i++)
		;
	if (i == n)
		return 1;
	if (!strong) {
		for (i = 0; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i == n && n < 10)
			return 1;
	}
	if (n < 20) {
		char low[20];
		for (i = 0; i < n; i++)
			low[i] = (char)ascii_tolower((unsigned char)p[i]);
		low[n] = '\0';
		if (rd_in_list(low, words))
			return 1;
	}
	return 0;
}

/* A value that looks like a generated token, not a word of prose. */
int rd_token_like(const char *p, size_t n)
{
	int digit = 0;

	for (size_t i = 0; i < n; i++)
		if (p[i] >= '0' && p[i] <= '9')
			digit = 1;
	return (n >= 16 && digit) || n >= 32;
}

/* A value under an ambiguous name ("code", "key", "auth") is a secret
 * when it looks generated or has a known token format. */
int rd_weak_secret_value(const char *p, size_t n)
{
	size_t keep;

	trim_span(&p, &n);
	if (n == 0)
		return 0;
	if (rc_pattern_at(p, n, &keep) == n)
		return 1;
	return rc_random_like(p, n);
}

/* ---- replacements ---- */

/* Known token-type prefixes, kept in replacements (never over 8 chars). */
static const char *const type_prefixes[] = {
	"sk-proj-", "sk-ant-", "sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_",
	"pk_test_", "github_", "ghp_", "gho_", "ghs_", "ghu_", "ghr_", "glpat-", "xoxb-",
	"xoxp-", "xoxa-", "xoxr-", "xoxs-", "xapp-", "AKIA", "ASIA", "AIza", "vck_", "ya29.",
	"hf_", "npm_", "sk-", "eyJ", NULL
};

/* Append the replacement of one secret: a JWT summary or the type prefix,
 * then "…" and the fingerprint.  The secret joins the run's registry, so
 * a copy of it elsewhere is found too.  Returns 1 when it was a JWT. */
int rd_put_secret(struct redactor *r, struct sbuf *out, const char *p, size_t n)
{
	char fp[10];
	size_t jl = rd_jwt_len(p, n), keep = 0;
	int jwt = 0;

	redactor_fingerprint(r, p, n, fp);
	rc_registry_add(p, n);
	if (jl == n && rd_jwt_summary(r, p, n, out) == 0) {
		jwt = 1;
		/* the signature alone is a secret too */
		if (jl > 0 && memrchr(p, '.', n)) {
			const char *dot = memrchr(p, '.', n);
			rc_registry_add(dot + 1, (size_t)(p + n - dot - 1));
		}
	} else {
		if (rc_pattern_at(p, n, &keep) == n && keep && n >= keep + 12) {
			sbuf_add(out, p, keep);
		} else {
			for (size_t i = 0; type_prefixes[i]; i++) {
				size_t pl = strlen(type_prefixes[i]);
				if (n >= pl + 12 && memcmp(p, type_prefixes[i], pl) == 0) {
					sbuf_add(out, p, pl);
					break;
				}
			}
		}
		sbuf_adds(out, ELLIPSIS);
	}
	sbuf_adds(out, fp);
	return jwt;
}

/* Replace a whole value unless benign (strong: the name says it is a
 * secret, numbers too); returns replacements made. */
int rd_put_value_s(struct redactor *r, struct sbuf *out, const char *p, size_t n,
		       enum redact_kind kind, int strong)
{
	const char *t = p;
	size_t tn = n;

	trim_span(&t, &tn);
	if (rd_benign_value(t, tn, strong)) {
		sbuf_add(out, p, n);
		return 0;
	}
	sbuf_add(out, p, (size_t)(t - p));
	rd_put_secret(r, out, t, tn);
	sbuf_add(out, t + tn, (size_t)(p + n - t - tn));
	r->counts[kind]++;
	return 1;
}

int rd_put_value(struct redactor *r, struct sbuf *out, const char *p, size_t n,
		     enum redact_kind kind)
{
	return rd_put_value_s(r, out, p, n, kind, 0);
}
