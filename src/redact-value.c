/* redact-value.c - judging one value under a name (benign, token-like,
 * a known format) and writing its replacement: the type prefix, "…" and
 * the keyed fingerprint, or a JWT summary; Authorization, Cookie and
 * Set-Cookie values.  See redact-int.h for the layers.
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
	for (size_t i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
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

/* Authorization parameters whose values stay readable. */
static const char *const auth_safe_params[] = {
	"realm", "algorithm", "qop", "uri", "signedheaders", "nc", "charset", "error",
	"errordescription", "scope", "oauthsignaturemethod", "oauthtimestamp",
	"oauthversion", "oauthnonce", "oauthcallback", NULL
};

/* Append redacted "name=value, name=\"value\"" authorization parameters
 * (Digest, AWS4-HMAC-SHA256, OAuth, Hawk); names and safe values stay.
 * Returns replacements made. */
static int put_auth_params(struct redactor *r, struct sbuf *out, const char *p, size_t n,
			   enum redact_kind kind)
{
	size_t i = 0;
	int hits = 0;

	while (i < n) {
		size_t ns = i, vs, ve, q = 0, nl;
		const char *nm;
		char norm[64];

		while (i < n && p[i] != '=' && p[i] != ',')
			i++;
		if (i >= n || p[i] == ',') { /* a part without value */
			i += i < n;
			sbuf_add(out, p + ns, i - ns);
			continue;
		}
		nm = p + ns;
		nl = i - ns;
		trim_span(&nm, &nl);
		rd_norm_name(nm, nl, norm);
		vs = ++i;
		if (i + 1 < n && p[i] == '\\' && p[i + 1] == '"') {
			/* \"value\" inside a JSON string */
			for (i += 2; i + 1 < n && !(p[i] == '\\' && p[i + 1] == '"'); i++)
				;
			i = i + 1 < n ? i + 2 : n;
			q = i - vs >= 4 && p[i - 1] == '"' ? 2 : 0;
		} else if (i < n && p[i] == '"') {
			for (i++; i < n && p[i] != '"'; i++)
				;
			i += i < n;
			q = i - vs >= 2 && p[i - 1] == '"' ? 1 : 0;
		} else {
			while (i < n && p[i] != ',')
				i++;
		}
		ve = i;
		sbuf_add(out, p + ns, vs - ns);
		if (rd_in_list(norm, auth_safe_params)) {
			sbuf_add(out, p + vs, ve - vs);
		} else if (strcmp(norm, "credential") == 0 && !q && memchr(p + vs, '/', ve - vs)) {
			/* AWS4 Credential=KEYID/date/region/service/aws4_request:
			 * the scope after the key id helps diagnosis */
			const char *sl = memchr(p + vs, '/', ve - vs);
			hits += rd_put_value(r, out, p + vs, (size_t)(sl - p - vs), kind);
			sbuf_add(out, sl, (size_t)(p + ve - sl));
		} else {
			sbuf_add(out, p + vs, q);
			hits += rd_put_value(r, out, p + vs + q, ve - vs - 2 * q, kind);
			sbuf_add(out, p + ve - q, q);
		}
	}
	return hits;
}

/* Append a redacted Authorization value ("Bearer x", "Basic x",
 * "Digest a=b, ...", a bare key); returns replacements made. */
int rd_put_auth(struct redactor *r, struct sbuf *out, const char *p, size_t n,
		    enum redact_kind kind)
{
	const char *v = p, *sp, *rest;
	size_t vn = n, rn, k = 0;
	int hits;

	trim_span(&v, &vn);
	sp = v;
	while (sp < v + vn && !is_space((unsigned char)*sp))
		sp++;
	if (sp == v + vn)
		return rd_put_value(r, out, p, n, kind); /* a bare key */
	rest = sp;
	rn = (size_t)(v + vn - sp);
	trim_span(&rest, &rn);
	sbuf_add(out, p, (size_t)(rest - p)); /* leading space, scheme, space */
	/* Parameters ("username=...") unlike a token, which may only end in
	 * base64 padding ("abc==") */
	while (k < rn && (is_alnum((unsigned char)rest[k]) || rest[k] == '_' || rest[k] == '-'))
		k++;
	while (k < rn && rest[k] == ' ')
		k++;
	if (k > 0 && k + 1 < rn && rest[k] == '=' && rest[k + 1] != '=')
		hits = put_auth_params(r, out, rest, rn, kind);
	else
		hits = rd_put_value(r, out, rest, rn, kind);
	sbuf_add(out, rest + rn, (size_t)(p + n - rest - rn));
	return hits;
}

/* Append a redacted Cookie value: every value replaced, names kept. */
int rd_put_cookie(struct redactor *r, struct sbuf *out, const char *p, size_t n)
{
	size_t i = 0;
	int hits = 0;

	while (i < n) {
		size_t s = i, e;
		const char *eq;
		while (i < n && p[i] != ';')
			i++;
		e = i;
		eq = memchr(p + s, '=', e - s);
		if (eq) {
			sbuf_add(out, p + s, (size_t)(eq + 1 - p - s));
			hits += rd_put_value(r, out, eq + 1, (size_t)(p + e - eq - 1), REDACT_COOKIE);
		} else {
			hits += rd_put_value(r, out, p + s, e - s, REDACT_COOKIE);
		}
		if (i < n) {
			sbuf_addc(out, ';');
			i++;
		}
	}
	return hits;
}

/* Where the next cookie starts in a comma-joined Set-Cookie value
 * ("a=1; Path=/, b=2"), skipping the comma of "Expires=Fri, 07 Sep";
 * returns the offset of the comma, or n. */
static size_t next_set_cookie(const char *p, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		size_t a = k, j = k + 1;
		const char *attr;
		size_t alen;
		if (p[k] != ',')
			continue;
		while (a > 0 && p[a - 1] != ';')
			a--;
		attr = p + a;
		alen = k - a;
		trim_span(&attr, &alen);
		if (alen >= 8 && ascii_ncasecmp(attr, "expires=", 8) == 0)
			continue;
		while (j < n && p[j] == ' ')
			j++;
		while (j < n && (is_alnum((unsigned char)p[j]) || strchr("!#$%&'*+.^_`|~-", p[j])))
			j++;
		if (j > k + 1 && j < n && p[j] == '=')
			return k;
	}
	return n;
}

/* Append a redacted Set-Cookie value: the value, not name or attributes
 * (of every cookie when several are joined by commas). */
int rd_put_set_cookie(struct redactor *r, struct sbuf *out, const char *p, size_t n)
{
	int hits = 0;

	while (n > 0) {
		size_t end = next_set_cookie(p, n);
		const char *semi = memchr(p, ';', end);
		size_t first = semi ? (size_t)(semi - p) : end;
		const char *eq = memchr(p, '=', first);

		if (eq) {
			sbuf_add(out, p, (size_t)(eq + 1 - p));
			hits += rd_put_value(r, out, eq + 1, (size_t)(p + first - eq - 1), REDACT_SET_COOKIE);
		} else {
			hits += rd_put_value(r, out, p, first, REDACT_SET_COOKIE);
		}
		sbuf_add(out, p + first, end - first);
		if (end < n)
			sbuf_addc(out, ',');
		p += end < n ? end + 1 : n;
		n -= end < n ? end + 1 : n;
	}
	return hits;
}

/* Append the redacted value of header name (any case); returns the
 * replacements made.  *handled is 0 when the header is no credential
 * header (nothing appended then). */
int rd_put_header_value(struct redactor *r, struct sbuf *out, const char *name, size_t nlen,
			    const char *v, size_t vn, int *handled)
{
	char lname[128];

	*handled = 1;
	if (nlen >= sizeof lname) {
		*handled = 0;
		return 0;
	}
	for (size_t i = 0; i < nlen; i++)
		lname[i] = (char)ascii_tolower((unsigned char)name[i]);
	lname[nlen] = '\0';
	if (strcmp(lname, "authorization") == 0 || strcmp(lname, "proxy-authorization") == 0)
		return rd_put_auth(r, out, v, vn, REDACT_AUTHORIZATION);
	if (strcmp(lname, "cookie") == 0)
		return rd_put_cookie(r, out, v, vn);
	if (strcmp(lname, "set-cookie") == 0)
		return rd_put_set_cookie(r, out, v, vn);
	switch (rc_name_class(name, nlen)) {
	case NC_STRONG:
		return rd_put_value_s(r, out, v, vn, REDACT_API_KEY_HEADER, 1);
	case NC_WEAK:
		if (!rd_auth_scheme_value(v, vn))
			return rd_put_value(r, out, v, vn, REDACT_API_KEY_HEADER);
		break;
	case NC_PLAIN:
		break;
	}
	*handled = 0;
	return 0;
}
