/* redact.c - replace credentials before anything is stored (see redact.h).
 *
 * Everything works on text: headers by name, bodies and free text by a
 * single left-to-right scanner that recognises the structure around a
 * value -- JSON fields (also inside JSON strings, numbers and arrays,
 * key/value pairs), query, form and path parameters (also percent-encoded
 * inside another parameter), "Name: value" lines, raw multipart parts,
 * XML elements, HTML inputs and meta tags, JS literals and GraphQL
 * arguments, PEM blocks, credentials in URLs -- and judges names by their
 * word parts and values by form (redact-class.c).  Bodies are never parsed
 * as a whole (they may be invalid JSON or cut short), a secret running to
 * the end of a truncated body is still replaced, and a text is read once:
 * the scanner jumps over words and builds its output only after a hit.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "caps.h"
#include "redact.h"
#include "redact-int.h"
#include "util.h"

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
#define TRACE_WRAP 64 /* curl --trace-ascii data bytes per line */
#define CONTENT_KEY_BYTES ((size_t)64 << 10)

static const char *const kind_names[REDACT_KIND_COUNT] = {
	"authorization", "cookie", "set-cookie", "api-key-header", "query-param",
	"form-field", "json-field", "url-credentials", "token-in-text", "jwt", "private-key",
	"seen-again",
};

const char *redact_kind_name(enum redact_kind k)
{
	return (unsigned)k < REDACT_KIND_COUNT ? kind_names[k] : "unknown";
}

struct redactor *redactor_new(const unsigned char *key, size_t keylen)
{
	struct redactor *r = xcalloc(1, sizeof *r);

	rc_init();
	r->key = xmalloc(keylen ? keylen : 1);
	if (keylen)
		memcpy(r->key, key, keylen);
	r->keylen = keylen;
	return r;
}

void redactor_set_key(struct redactor *r, const unsigned char *key, size_t keylen)
{
	free(r->key);
	r->key = xmalloc(keylen ? keylen : 1);
	if (keylen)
		memcpy(r->key, key, keylen);
	r->keylen = keylen;
}

void redactor_free(struct redactor *r)
{
	if (!r)
		return;
	free(r->key);
	free(r);
}

long redactor_count(const struct redactor *r, enum redact_kind k)
{
	return (unsigned)k < REDACT_KIND_COUNT ? r->counts[k] : 0;
}

void redactor_reset_counts(struct redactor *r)
{
	memset(r->counts, 0, sizeof r->counts);
}

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

/* ---- character classes (tables in redact-class.c) ---- */

#define is_alnum(c) (RC_IS(c, RC_ALNUM) != 0)
#define is_word(c) (RC_IS(c, RC_WORD) != 0)
#define is_b64url(c) (RC_IS(c, RC_WORD) != 0)
#define is_space(c) (RC_IS(c, RC_SPACE) != 0)
#define is_hex(c) (RC_IS(c, RC_HEX) != 0)
#define is_param_end(c) (RC_IS(c, RC_PEND) != 0)

/* Lowercase copy of [p, p+n) without '_', '-' and '.', at most 63 chars. */
static void norm_name(const char *p, size_t n, char out[64])
{
	size_t j = 0;

	for (size_t i = 0; i < n && j < 63; i++) {
		if (p[i] == '_' || p[i] == '-' || p[i] == '.')
			continue;
		out[j++] = (char)ascii_tolower((unsigned char)p[i]);
	}
	out[j] = '\0';
}

static int in_list(const char *s, const char *const *list)
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
static int auth_scheme_value(const char *p, size_t n)
{
	char low[16];

	if (n == 0 || n >= sizeof low)
		return 0;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)ascii_tolower((unsigned char)p[i]);
	low[n] = '\0';
	return in_list(low, auth_scheme_words);
}

/* True when [p, p+n) ends in a fingerprint we wrote: "…[#xxxxxx]". */
static int already_redacted(const char *p, size_t n)
{
	if (n < 9 || p[n - 1] != ']' || p[n - 9] != '[' || p[n - 8] != '#')
		return 0;
	for (size_t i = n - 7; i < n - 1; i++)
		if (!is_hex((unsigned char)p[i]))
			return 0;
	return 1;
}

/* True when p starts with a fingerprint "[#xxxxxx]". */
static int fingerprint_at(const char *p, size_t n)
{
	return n >= 9 && p[8] == ']' && already_redacted(p, 9);
}

/* True when [p, p+n) holds one of our fingerprints anywhere. */
static int has_fingerprint(const char *p, size_t n)
{
	for (const char *c = p; (c = memchr(c, '[', (size_t)(p + n - c))); c++)
		if (fingerprint_at(c, (size_t)(p + n - c)))
			return 1;
	return 0;
}

/* Values that are no secret and help diagnosis: empty, placeholders,
 * "undefined", exporter masks, ARNs, our own replacements, and short
 * numbers unless the name says the value is a secret (strong: a PIN, an
 * OTP, a numeric password). */
static int benign_value(const char *p, size_t n, int strong)
{
	static const char *const words[] = {
		"undefined", "null", "none", "nil", "true", "false", "redacted", "[redacted]",
		"<redacted>", "[filtered]", "hidden", "secret", "[object object]", "nan", NULL
	};
	size_t i;

	trim_span(&p, &n);
	if (n == 0 || already_redacted(p, n) || rc_never_value(p, n))
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
		if (in_list(low, words))
			return 1;
	}
	return 0;
}

/* A value that looks like a generated token, not a word of prose. */
static int token_like(const char *p, size_t n)
{
	int digit = 0;

	for (size_t i = 0; i < n; i++)
		if (p[i] >= '0' && p[i] <= '9')
			digit = 1;
	return (n >= 16 && digit) || n >= 32;
}

/* A value under an ambiguous name ("code", "key", "auth") is a secret
 * when it looks generated or has a known token format. */
static int weak_secret_value(const char *p, size_t n)
{
	size_t keep;

	trim_span(&p, &n);
	if (n == 0)
		return 0;
	if (rc_pattern_at(p, n, &keep) == n)
		return 1;
	return rc_random_like(p, n);
}

/* ---- time ---- */

static long long days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Parse "YYYY-MM-DDTHH:MM:SS[.frac][Z|+hh:mm]"; returns 0 or -1. */
static int parse_iso(const char *s, long long *out)
{
	int y, mo, d, h, mi, sec, n = 0;
	long long t;
	const char *p;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	p = s + n;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if ((*p == '+' || *p == '-') && strlen(p) >= 6 && p[3] == ':') {
		int oh = (p[1] - '0') * 10 + (p[2] - '0'), om = (p[4] - '0') * 10 + (p[5] - '0');
		t -= (*p == '+' ? 1 : -1) * (oh * 3600LL + om * 60LL);
	}
	*out = t;
	return 0;
}

/* ---- JWT ---- */

/* Length of a JWT starting at p (header.payload.signature, both JSON
 * parts starting "eyJ"), or 0. */
static size_t jwt_len(const char *p, size_t n)
{
	size_t i = 0, a;

	if (n < 10 || memcmp(p, "eyJ", 3) != 0)
		return 0;
	while (i < n && is_b64url((unsigned char)p[i]))
		i++;
	a = i;
	if (a < 8 || i >= n || p[i] != '.')
		return 0;
	i++;
	if (n - i < 3 || memcmp(p + i, "eyJ", 3) != 0)
		return 0;
	while (i < n && is_b64url((unsigned char)p[i]))
		i++;
	if (i >= n || p[i] != '.')
		return 0;
	i++;
	while (i < n && is_b64url((unsigned char)p[i]))
		i++;
	return i;
}

/* Append a claim value made safe for any context (header, URL, JSON
 * string, Markdown): odd characters become '_', long values are cut. */
static void add_claim(struct sbuf *out, const char *v)
{
	size_t n = strlen(v);

	for (size_t i = 0; i < n && i < CLAIM_CAP; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == ' ')
			c = '+';
		else if (!(is_alnum(c) || strchr(":/._~+-", c)))
			c = '_';
		sbuf_addc(out, c);
	}
	if (n > CLAIM_CAP)
		sbuf_adds(out, ELLIPSIS);
}

/* Append one string or array-of-strings claim as "name:value". */
static void add_str_claim(struct sbuf *out, json_t *claims, const char *name)
{
	json_t *v = json_object_get(claims, name);
	size_t i;
	json_t *e;
	int first = 1;

	if (json_is_string(v)) {
		sbuf_addf(out, ",%s:", name);
		add_claim(out, json_string_value(v));
	} else if (json_is_array(v)) {
		sbuf_addf(out, ",%s:", name);
		json_array_foreach(v, i, e) {
			if (!json_is_string(e) || i >= 8)
				continue;
			if (!first)
				sbuf_addc(out, '+');
			add_claim(out, json_string_value(e));
			first = 0;
		}
	}
}

/* Append a numeric date claim as ISO 8601 UTC; returns 1 and *t when set. */
static int add_time_claim(struct sbuf *out, json_t *claims, const char *name, long long *t)
{
	json_t *v = json_object_get(claims, name);
	double d;
	time_t tt;
	struct tm tm;
	char buf[32];

	if (!json_is_number(v))
		return 0;
	d = json_number_value(v);
	if (!(d >= 0 && d < 253402300800.0))
		return 0;
	*t = (long long)d;
	tt = (time_t)*t;
	if (!gmtime_r(&tt, &tm))
		return 0;
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	sbuf_addf(out, ",%s:%s", name, buf);
	return 1;
}

/* Append the summary of a JWT ("JWT{alg:..,exp:..}"); returns 0, or -1
 * when the token does not decode (nothing appended then). */
static int jwt_summary(struct redactor *r, const char *p, size_t n, struct sbuf *out)
{
	const char *dot1 = memchr(p, '.', n), *dot2;
	char *hdr = NULL, *pay = NULL;
	size_t hlen, plen;
	json_t *h = NULL, *c = NULL, *alg;
	long long t;
	int rc = -1;
	struct sbuf s = SBUF_INIT;

	if (!dot1)
		goto out;
	dot2 = memchr(dot1 + 1, '.', (size_t)(p + n - dot1 - 1));
	if (!dot2)
		goto out;
	hdr = base64_decode(p, (size_t)(dot1 - p), &hlen);
	pay = base64_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &plen);
	if (!hdr || !pay)
		goto out;
	h = json_loadb(hdr, hlen, 0, NULL);
	c = json_loadb(pay, plen, 0, NULL);
	if (!json_is_object(h) || !json_is_object(c))
		goto out;
	sbuf_adds(&s, "JWT{alg:");
	alg = json_object_get(h, "alg");
	add_claim(&s, json_is_string(alg) ? json_string_value(alg) : "?");
	add_str_claim(&s, c, "iss");
	add_str_claim(&s, c, "aud");
	if (add_time_claim(&s, c, "exp", &t) && r->now_known && t < r->now)
		sbuf_adds(&s, "(expired at capture)");
	add_time_claim(&s, c, "iat", &t);
	if (add_time_claim(&s, c, "nbf", &t) && r->now_known && t > r->now)
		sbuf_adds(&s, "(not yet valid at capture)");
	add_str_claim(&s, c, "scope");
	add_str_claim(&s, c, "scp");
	sbuf_addc(&s, '}');
	sbuf_add(out, s.data, s.len);
	rc = 0;
out:
	sbuf_release(&s);
	json_decref(h);
	json_decref(c);
	free(hdr);
	free(pay);
	return rc;
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
static int put_secret(struct redactor *r, struct sbuf *out, const char *p, size_t n)
{
	char fp[10];
	size_t jl = jwt_len(p, n), keep = 0;
	int jwt = 0;

	redactor_fingerprint(r, p, n, fp);
	rc_registry_add(p, n);
	if (jl == n && jwt_summary(r, p, n, out) == 0) {
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
static int put_value_s(struct redactor *r, struct sbuf *out, const char *p, size_t n,
		       enum redact_kind kind, int strong)
{
	const char *t = p;
	size_t tn = n;

	trim_span(&t, &tn);
	if (benign_value(t, tn, strong)) {
		sbuf_add(out, p, n);
		return 0;
	}
	sbuf_add(out, p, (size_t)(t - p));
	put_secret(r, out, t, tn);
	sbuf_add(out, t + tn, (size_t)(p + n - t - tn));
	r->counts[kind]++;
	return 1;
}

static int put_value(struct redactor *r, struct sbuf *out, const char *p, size_t n,
		     enum redact_kind kind)
{
	return put_value_s(r, out, p, n, kind, 0);
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
static int put_text(struct redactor *r, struct sbuf *out, const char *p, size_t n);

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
			hits += put_text(r, out, p + ns, i - ns);
			continue;
		}
		nm = p + ns;
		nl = i - ns;
		trim_span(&nm, &nl);
		norm_name(nm, nl, norm);
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
		hits += put_text(r, out, p + ns, vs - ns);
		if (in_list(norm, auth_safe_params)) {
			hits += put_text(r, out, p + vs, ve - vs);
		} else if (strcmp(norm, "credential") == 0 && !q && memchr(p + vs, '/', ve - vs)) {
			/* AWS4 Credential=KEYID/date/region/service/aws4_request:
			 * the scope after the key id helps diagnosis */
			const char *sl = memchr(p + vs, '/', ve - vs);
			hits += put_value(r, out, p + vs, (size_t)(sl - p - vs), kind);
			sbuf_add(out, sl, (size_t)(p + ve - sl));
		} else {
			sbuf_add(out, p + vs, q);
			hits += put_value(r, out, p + vs + q, ve - vs - 2 * q, kind);
			sbuf_add(out, p + ve - q, q);
		}
	}
	return hits;
}

/* Append a redacted Authorization value ("Bearer x", "Basic x",
 * "Digest a=b, ...", a bare key); returns replacements made. */
static int put_auth(struct redactor *r, struct sbuf *out, const char *p, size_t n,
		    enum redact_kind kind)
{
	const char *v = p, *sp, *rest;
	size_t vn = n, rn, k = 0;
	int hits, hits0;

	trim_span(&v, &vn);
	sp = v;
	while (sp < v + vn && !is_space((unsigned char)*sp))
		sp++;
	if (sp == v + vn)
		return put_value(r, out, p, n, kind); /* a bare key */
	rest = sp;
	rn = (size_t)(v + vn - sp);
	trim_span(&rest, &rn);
	/* leading space, scheme (a token shape in its place is redacted), space */
	sbuf_add(out, p, (size_t)(v - p));
	hits0 = put_text(r, out, v, (size_t)(sp - v));
	sbuf_add(out, sp, (size_t)(rest - sp));
	/* Parameters ("username=...") unlike a token, which may only end in
	 * base64 padding ("abc==") */
	while (k < rn && (is_alnum((unsigned char)rest[k]) || rest[k] == '_' || rest[k] == '-'))
		k++;
	while (k < rn && rest[k] == ' ')
		k++;
	if (k > 0 && k + 1 < rn && rest[k] == '=' && rest[k + 1] != '=')
		hits = put_auth_params(r, out, rest, rn, kind);
	else
		hits = put_value(r, out, rest, rn, kind);
	sbuf_add(out, rest + rn, (size_t)(p + n - rest - rn));
	return hits + hits0;
}

/* Append a redacted Cookie value: every value replaced, names kept. */
static int scan(struct redactor *r, const char *s, size_t n, struct sbuf *out, int flags,
		enum redact_kind param_kind);

/* Append text that is kept (a cookie's name, its attributes, a JSON key)
 * with the token shapes in it redacted; returns the replacements. */
static int put_text(struct redactor *r, struct sbuf *out, const char *p, size_t n)
{
	/* kept text inside kept text: past two levels only token shapes are
	 * looked for, so the recursion ends */
	static int depth;
	struct sbuf k = SBUF_INIT;
	int h;
	depth++;
	h = scan(r, p, n, &k, depth > 2 ? F_SHAPES : 0, REDACT_TOKEN_IN_TEXT);
	depth--;
	if (h)
		sbuf_add(out, k.data, k.len);
	else
		sbuf_add(out, p, n);
	sbuf_release(&k);
	return h;
}

static int put_cookie(struct redactor *r, struct sbuf *out, const char *p, size_t n)
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
			hits += put_text(r, out, p + s, (size_t)(eq - p - s));
			sbuf_addc(out, '=');
			hits += put_value(r, out, eq + 1, (size_t)(p + e - eq - 1), REDACT_COOKIE);
		} else {
			hits += put_value(r, out, p + s, e - s, REDACT_COOKIE);
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
static int put_set_cookie(struct redactor *r, struct sbuf *out, const char *p, size_t n)
{
	int hits = 0;

	while (n > 0) {
		size_t end = next_set_cookie(p, n);
		const char *semi = memchr(p, ';', end);
		size_t first = semi ? (size_t)(semi - p) : end;
		const char *eq = memchr(p, '=', first);

		if (eq) {
			hits += put_text(r, out, p, (size_t)(eq - p));
			sbuf_addc(out, '=');
			hits += put_value(r, out, eq + 1, (size_t)(p + first - eq - 1), REDACT_SET_COOKIE);
		} else {
			hits += put_value(r, out, p, first, REDACT_SET_COOKIE);
		}
		hits += put_text(r, out, p + first, end - first);
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
static int put_header_value(struct redactor *r, struct sbuf *out, const char *name, size_t nlen,
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
		return put_auth(r, out, v, vn, REDACT_AUTHORIZATION);
	if (strcmp(lname, "cookie") == 0)
		return put_cookie(r, out, v, vn);
	if (strcmp(lname, "set-cookie") == 0)
		return put_set_cookie(r, out, v, vn);
	switch (rc_name_class(name, nlen)) {
	case NC_STRONG:
		return put_value_s(r, out, v, vn, REDACT_API_KEY_HEADER, 1);
	case NC_WEAK:
		if (!auth_scheme_value(v, vn))
			return put_value(r, out, v, vn, REDACT_API_KEY_HEADER);
		break;
	case NC_PLAIN:
		break;
	}
	*handled = 0;
	return 0;
}

/* ---- the text scanner ---- */

struct scanner {
	struct redactor *r;
	const char *s;
	size_t n;
	struct sbuf *out;
	int flags;
	enum redact_kind param_kind;
	int hits;
	size_t done;      /* s[0, done) is in out (out is built only once a hit is found) */
	size_t pair_end;  /* end of the last "key"/"name" JSON value, for "value" pairs */
	enum name_class pair_class;
};

/* Copy s[done, i) to out before a replacement at i. */
static void flush(struct scanner *sc, size_t i)
{
	if (i > sc->done)
		sbuf_add(sc->out, sc->s + sc->done, i - sc->done);
	sc->done = i;
}

static int line_start(const char *s, size_t i)
{
	return i == 0 || s[i - 1] == '\n' || (i >= 2 && s[i - 2] == '\\' && s[i - 1] == 'n');
}

/* "Name: value" at a line start ("> Authorization: Basic x",
 * "api_key: x"), after a quote (curl -H 'x-api-key: x') or inside
 * brackets (curl's "* [HTTP/2] [1] [cookie: a=b]").  quote is the opening
 * quote or '[', or 0.  Returns bytes consumed, 0 when no match. */
static size_t try_header_line(struct scanner *sc, size_t i, int quote)
{
	const char *s = sc->s;
	size_t n = sc->n, j = i, ns, ne, vs, ve;
	int handled = 0, hits, special, headerish = quote != 0;
	enum name_class cls = NC_PLAIN;
	int close = quote == '[' ? ']' : quote;
	struct sbuf v = SBUF_INIT;

	if (quote)
		j++;
	else {
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j < n && (s[j] == '>' || s[j] == '<')) {
			j++;
			headerish = 1;
			while (j < n && (s[j] == ' ' || s[j] == '\t'))
				j++;
		}
	}
	ns = j;
	while (j < n && j - ns < 64 && (is_alnum((unsigned char)s[j]) || s[j] == '-' || s[j] == '_'))
		j++;
	ne = j;
	if (ne == ns || j >= n || s[j] != ':')
		return 0;
	j++;
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	{
		char lname[24];
		size_t l = ne - ns < sizeof lname - 1 ? ne - ns : sizeof lname - 1;
		memcpy(lname, s + ns, l);
		lname[l] = '\0';
		special = ascii_casecmp(lname, "authorization") == 0 ||
			  ascii_casecmp(lname, "proxy-authorization") == 0 ||
			  ascii_casecmp(lname, "cookie") == 0 ||
			  ascii_casecmp(lname, "set-cookie") == 0;
	}
	if (!special && (cls = rc_name_class(s + ns, ne - ns)) == NC_PLAIN)
		return 0;
	vs = j;
	/* The value ends at the line end, the closing quote, or a \n \r \t
	 * escape when the text is the inside of a JSON string. */
	while (j < n && s[j] != '\n' && s[j] != '\r') {
		if (quote && s[j] == close && !(quote == '"' && s[j - 1] == '\\'))
			break;
		if (s[j] == '\\' && j + 1 < n && strchr("nrt", s[j + 1]))
			break;
		j++;
	}
	ve = j;
	if (ve == vs)
		return 0;
	if (special) {
		hits = put_header_value(sc->r, &v, s + ns, ne - ns, s + vs, ve - vs, &handled);
	} else {
		const char *t = s + vs;
		size_t tn = ve - vs;
		trim_span(&t, &tn);
		/* prose ("Token: expired yesterday") is not a value */
		if (cls == NC_STRONG && (headerish || !memchr(t, ' ', tn)))
			hits = put_value_s(sc->r, &v, s + vs, ve - vs, REDACT_TOKEN_IN_TEXT, 1);
		else if (weak_secret_value(t, tn) && !auth_scheme_value(t, tn))
			hits = put_value(sc->r, &v, s + vs, ve - vs, REDACT_TOKEN_IN_TEXT);
		else
			return 0;
	}
	if (!hits) {
		sbuf_release(&v);
		return 0;
	}
	flush(sc, i);
	sc->hits += put_text(sc->r, sc->out, s + i, vs - i);
	sbuf_add(sc->out, v.data, v.len);
	sbuf_release(&v);
	sc->hits += hits;
	return ve - i;
}

/* End of a JSON string value starting at vs (after the opening quote):
 * the closing quote (an escaped one inside a string when esc), or the end
 * of a line / of the input when the text was cut. */
static size_t json_str_end(const char *s, size_t n, size_t vs, int esc)
{
	size_t j = vs;

	while (j < n && j - vs < FIELD_SCAN_CAP && s[j] != '\n') {
		if (!esc && s[j] == '\\') {
			j += 2;
			continue;
		}
		if (!esc && s[j] == '"')
			break;
		if (esc && s[j] == '\\' && j + 1 < n && s[j + 1] == '"')
			break;
		if (esc && s[j] == '\\' && j + 1 < n && s[j + 1] == '\\') {
			j += 2;
			continue;
		}
		j++;
	}
	return j > n ? n : j;
}

/* Names of the value field of a {"key": NAME, "value": SECRET} pair
 * (Postman variables and headers, Insomnia, HAR header arrays). */
static int pair_value_name(const char *norm)
{
	return strcmp(norm, "value") == 0 || strcmp(norm, "currentvalue") == 0 ||
	       strcmp(norm, "initialvalue") == 0 || strcmp(norm, "defaultvalue") == 0 ||
	       strcmp(norm, "val") == 0;
}

/* Replace the strings and numbers of a JSON array value at s[j] == '['
 * (stopping at an object or the closing bracket).  Returns the end. */
static size_t json_array_values(struct scanner *sc, size_t j, int q, int esc)
{
	const char *s = sc->s;
	size_t n = sc->n;

	j++;
	while (j < n) {
		while (j < n && (is_space((unsigned char)s[j]) || s[j] == ','))
			j++;
		if (j >= n || s[j] == ']' || s[j] == '{' || s[j] == '[')
			break;
		if (j + q <= n && (esc ? (s[j] == '\\' && s[j + 1] == '"') : s[j] == '"')) {
			size_t vs = j + q, ve = json_str_end(s, n, vs, esc);
			flush(sc, vs);
			sc->hits += put_value_s(sc->r, sc->out, s + vs, ve - vs, REDACT_JSON_FIELD, 1);
			sc->done = ve;
			j = ve + (ve < n ? q : 0);
		} else if (s[j] == '-' || (s[j] >= '0' && s[j] <= '9')) {
			size_t vs = j;
			while (j < n && (RC_IS(s[j], RC_DIGIT) || strchr("+-.eE", s[j])))
				j++;
			flush(sc, vs);
			sbuf_adds(sc->out, "\"");
			sc->hits += put_value_s(sc->r, sc->out, s + vs, j - vs, REDACT_JSON_FIELD, 1);
			sbuf_adds(sc->out, "\"");
			sc->done = j;
		} else {
			break;
		}
	}
	return j;
}

/* Copy s[i, vs) (a JSON field's key and what leads to its value) to out
 * with the key's own text [ks, ke) redacted too: a token can sit in a key. */
static void put_key(struct scanner *sc, size_t i, size_t ks, size_t ke, size_t vs)
{
	sbuf_add(sc->out, sc->s + i, ks - i);
	sc->hits += put_text(sc->r, sc->out, sc->s + ks, ke - ks);
	sbuf_add(sc->out, sc->s + ke, vs - ke);
}

/* JSON field with a secret name: "password": "x" or, inside a JSON string,
 * \"password\": \"x\"; numbers and arrays under a secret name too.
 * Returns bytes consumed, 0 when no match. */
static size_t try_json_field(struct scanner *sc, size_t i)
{
	const char *s = sc->s;
	size_t n = sc->n, j = i, ks, ke, vs, ve, q;
	char norm[64];
	int esc = s[i] == '\\';
	int hits = 0, special;
	enum name_class cls;

	q = esc ? 2 : 1;
	if (esc && (i + 1 >= n || s[i + 1] != '"'))
		return 0;
	j += q;
	ks = j;
	while (j < n && j - ks < 64 && (RC_IS(s[j], RC_NAME) || s[j] == ' ' || s[j] == '$'))
		j++;
	ke = j;
	if (ke == ks || j + q > n || (esc && s[j] != '\\') || s[j + q - 1] != '"')
		return 0;
	j += q;
	while (j < n && is_space((unsigned char)s[j]))
		j++;
	if (j >= n || s[j] != ':')
		return 0;
	j++;
	while (j < n && is_space((unsigned char)s[j]))
		j++;
	if (j >= n)
		return 0;
	norm_name(s + ks, ke - ks, norm);
	special = strcmp(norm, "authorization") == 0 || strcmp(norm, "proxyauthorization") == 0 ||
		  strcmp(norm, "cookie") == 0 || strcmp(norm, "setcookie") == 0;
	cls = special ? NC_STRONG : rc_name_class(s + ks, ke - ks);
	/* {"key": "X-Api-Key", "value": "..."}: the pair's name decides */
	if (!special && pair_value_name(norm) && sc->pair_end && i >= sc->pair_end &&
	    i - sc->pair_end < 256) {
		cls = sc->pair_class;
		sc->pair_end = 0;
	}
	if (!esc && (s[j] == '-' || (s[j] >= '0' && s[j] <= '9'))) {
		/* a number under a secret name: a PIN, an OTP, a numeric password */
		if (cls != NC_STRONG)
			return 0;
		vs = j;
		while (j < n && (RC_IS(s[j], RC_DIGIT) || strchr("+-.eE", s[j])))
			j++;
		flush(sc, i);
		put_key(sc, i, ks, ke, vs);
		sbuf_adds(sc->out, "\"");
		sc->hits += put_value_s(sc->r, sc->out, s + vs, j - vs, REDACT_JSON_FIELD, 1);
		sbuf_adds(sc->out, "\"");
		return j - i;
	}
	if (s[j] == '[' && cls == NC_STRONG) {
		flush(sc, i);
		put_key(sc, i, ks, ke, j);
		sc->done = j;
		ve = json_array_values(sc, j, (int)q, esc);
		flush(sc, ve);
		return ve - i;
	}
	if (j + q > n || (esc && s[j] != '\\') || s[j + q - 1] != '"')
		return 0;
	j += q;
	vs = j;
	ve = json_str_end(s, n, vs, esc);
	if (strcmp(norm, "key") == 0 || strcmp(norm, "name") == 0) {
		/* remember the name of a key/value pair */
		sc->pair_class = rc_name_class(s + vs, ve - vs);
		sc->pair_end = ve;
		if (strcmp(norm, "name") == 0 || !weak_secret_value(s + vs, ve - vs))
			return 0;
	}
	if (cls == NC_PLAIN)
		return 0;
	if (!special) {
		const char *t = s + vs;
		size_t tn = ve - vs;
		trim_span(&t, &tn);
		if (auth_scheme_value(t, tn) && cls != NC_STRONG)
			return 0;
		if (cls == NC_WEAK && (!weak_secret_value(t, tn) || memchr(t, ' ', tn)))
			return 0;
	}
	flush(sc, i);
	put_key(sc, i, ks, ke, vs);
	if (strcmp(norm, "authorization") == 0 || strcmp(norm, "proxyauthorization") == 0)
		hits = put_auth(sc->r, sc->out, s + vs, ve - vs, REDACT_AUTHORIZATION);
	else if (strcmp(norm, "cookie") == 0)
		hits = put_cookie(sc->r, sc->out, s + vs, ve - vs);
	else if (strcmp(norm, "setcookie") == 0)
		hits = put_set_cookie(sc->r, sc->out, s + vs, ve - vs);
	else
		hits = put_value_s(sc->r, sc->out, s + vs, ve - vs, REDACT_JSON_FIELD, cls == NC_STRONG);
	sc->hits += hits;
	return ve - i;
}

/* Percent-encoded delimiter at s[i] ("%26" &, "%3F" ?, "%23" #, "%3B" ;,
 * "%3D" =): returns the character, or 0. */
static int pct_delim(const char *s, size_t n, size_t i)
{
	char h;

	if (i + 2 >= n || s[i] != '%')
		return 0;
	h = (char)ascii_tolower((unsigned char)s[i + 2]);
	if (s[i + 1] == '2' && h == '6')
		return '&';
	if (s[i + 1] == '2' && h == '3')
		return '#';
	if (s[i + 1] == '3' && h == 'f')
		return '?';
	if (s[i + 1] == '3' && h == 'b')
		return ';';
	if (s[i + 1] == '3' && h == 'd')
		return '=';
	return 0;
}

/* name=value right after ?, &, ;, # (or at the start of a query string or
 * form body) with a secret name; start is where the name begins (after a
 * percent-encoded delimiter when enc).  A path parameter (after ';') ends
 * at the next '/', '?' or ','.  Returns bytes consumed from i or 0. */
static size_t try_param(struct scanner *sc, size_t i, size_t start, int enc)
{
	const char *s = sc->s;
	size_t n = sc->n, j = start, ne, vs;
	int path = 0;
	enum name_class cls;

	/* a path parameter: ";" after a path segment ("/app;jsessionid=") */
	if (start > 0 && s[start - 1] == ';')
		for (size_t k = start - 1; k-- > 0 && start - k < 256;) {
			if (s[k] == '/') {
				path = 1;
				break;
			}
			if (s[k] == '=' || s[k] == '&' || s[k] == '?' || is_space((unsigned char)s[k]))
				break;
		}

	while (j < n && j - start < 64 && (RC_IS(s[j], RC_NAME) || (s[j] == '%' && !pct_delim(s, n, j))))
		j++;
	ne = j;
	if (ne == start || j >= n)
		return 0;
	if (s[j] == '=')
		j++;
	else if (pct_delim(s, n, j) == '=')
		j += 3;
	else
		return 0;
	cls = rc_name_class(s + start, ne - start);
	if (cls == NC_PLAIN)
		return 0;
	vs = j;
	while (j < n && !is_param_end((unsigned char)s[j])) {
		if (fingerprint_at(s + j, n - j)) {
			j += 9; /* our own "[#xxxxxx]" holds a '#' */
			continue;
		}
		if (path && (s[j] == '/' || s[j] == '?' || s[j] == ','))
			break;
		if (enc && s[j] == '%' && pct_delim(s, n, j))
			break;
		j++;
	}
	if (j == vs || benign_value(s + vs, j - vs, cls == NC_STRONG))
		return 0;
	flush(sc, i);
	sc->hits += put_text(sc->r, sc->out, s + i, vs - i);
	sc->hits += put_value_s(sc->r, sc->out, s + vs, j - vs, sc->param_kind, cls == NC_STRONG);
	return j - i;
}

/* scheme://user:pass@host at the "://".  Returns bytes consumed or 0. */
static size_t try_url_creds(struct scanner *sc, size_t i)
{
	const char *s = sc->s;
	size_t n = sc->n, j = i + 3, at = 0;
	char fp[10];

	if (i == 0 || !is_alnum((unsigned char)s[i - 1]) || i + 3 > n || memcmp(s + i, "://", 3) != 0)
		return 0;
	for (; j < n && !strchr("/?#\"'<>\\", s[j]) && !is_space((unsigned char)s[j]); j++)
		if (s[j] == '@')
			at = j;
	if (!at || at == i + 3 || already_redacted(s + i + 3, at - i - 3) ||
	    ascii_casestr(s + i + 3, at - i - 3, "{{"))
		return 0;
	redactor_fingerprint(sc->r, s + i + 3, at - i - 3, fp);
	{
		/* the password alone is a secret too */
		const char *colon = memchr(s + i + 3, ':', at - i - 3);
		if (colon)
			rc_registry_add(colon + 1, (size_t)(s + at - colon - 1));
		rc_registry_add(s + i + 3, at - i - 3);
	}
	flush(sc, i);
	sbuf_adds(sc->out, "://" ELLIPSIS);
	sbuf_adds(sc->out, fp);
	sbuf_addc(sc->out, '@');
	sc->r->counts[REDACT_URL_CREDENTIALS]++;
	sc->hits++;
	return at + 1 - i;
}

/* Kind of a secret found in free text. */
static enum redact_kind text_kind(const char *p, size_t n)
{
	return jwt_len(p, n) == n ? REDACT_JWT : REDACT_TOKEN_IN_TEXT;
}

/* Where the value after the word scheme ("bearer", "basic") starts when
 * s[i..] is that word on its own followed by blanks; 0 when it is not. */
static size_t after_scheme(const char *s, size_t n, size_t i, const char *scheme)
{
	size_t wl = strlen(scheme), j = i + wl;
	if (i + wl >= n || ascii_ncasecmp(s + i, scheme, wl) != 0)
		return 0;
	if (i > 0 && is_alnum((unsigned char)s[i - 1]))
		return 0;
	if (s[j] != ' ' && s[j] != '\t')
		return 0;
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	return j;
}

/* "Bearer <token>" in prose.  Returns bytes consumed or 0. */
static size_t try_bearer(struct scanner *sc, size_t i)
{
	const char *s = sc->s;
	size_t n = sc->n, j, ts, te;

	if ((j = after_scheme(s, n, i, "bearer")) == 0)
		return 0;
	ts = j;
	while (j < n && (is_alnum((unsigned char)s[j]) || strchr("._~+/-", s[j])))
		j++;
	te = j;
	while (j < n && s[j] == '=')
		j++;
	/* "Bearer error=..." is a parameter, "Bearer sk-…[#..]" is done. */
	if (j > te && j < n && (is_alnum((unsigned char)s[j]) || s[j] == '"'))
		return 0;
	if (j < n && (unsigned char)s[j] >= 0x80)
		return 0;
	if (!(token_like(s + ts, te - ts) || rc_random_like(s + ts, te - ts)) ||
	    benign_value(s + ts, j - ts, 0))
		return 0;
	flush(sc, i);
	sbuf_add(sc->out, s + i, ts - i);
	put_secret(sc->r, sc->out, s + ts, j - ts);
	sc->r->counts[text_kind(s + ts, j - ts)]++;
	sc->hits++;
	return j - i;
}

/* "Basic <base64 of user:password>" in prose and transcript lines; the
 * base64 must decode to printable text holding a ':', so "Basic auth"
 * stays.  Returns bytes consumed or 0. */
static size_t try_basic(struct scanner *sc, size_t i)
{
	const char *s = sc->s;
	size_t n = sc->n, j, ts, te, dl = 0;
	char *dec = NULL;
	int creds = 0;

	if ((j = after_scheme(s, n, i, "basic")) == 0)
		return 0;
	ts = j;
	while (j < n && j - ts < 4096 && (is_alnum((unsigned char)s[j]) || s[j] == '+' || s[j] == '/'))
		j++;
	while (j < n && j - ts < 4096 && s[j] == '=')
		j++;
	te = j;
	if (te - ts < 8 || (te < n && (is_word((unsigned char)s[te]) || s[te] == '.')))
		return 0;
	dec = base64_decode(s + ts, te - ts, &dl);
	if (dec && dl >= 2 && memchr(dec, ':', dl)) {
		creds = 1;
		for (size_t k = 0; k < dl; k++)
			if ((unsigned char)dec[k] < 0x20 || (unsigned char)dec[k] == 0x7f)
				creds = 0;
	}
	if (creds) {
		const char *colon = memchr(dec, ':', dl);
		rc_registry_add(colon + 1, (size_t)(dec + dl - colon - 1));
	}
	free(dec);
	if (!creds)
		return 0;
	flush(sc, i);
	sbuf_add(sc->out, s + i, ts - i);
	put_secret(sc->r, sc->out, s + ts, te - ts);
	sc->r->counts[REDACT_TOKEN_IN_TEXT]++;
	sc->hits++;
	return te - i;
}

/* A JWT or a known token format (data/secret-patterns.txt) starting at
 * i.  Returns bytes consumed or 0. */
static size_t try_shape(struct scanner *sc, size_t i)
{
	const char *s = sc->s;
	size_t n = sc->n, len = 0, keep;

	if (i > 0 && (is_word((unsigned char)s[i - 1]) || s[i - 1] == '.'))
		return 0;
	if (s[i] == 'e')
		len = jwt_len(s + i, n - i);
	if (!len)
		len = rc_pattern_at(s + i, n - i, &keep);
	if (!len || (i + len < n && is_word((unsigned char)s[i + len])))
		return 0;
	flush(sc, i);
	put_secret(sc->r, sc->out, s + i, len);
	sc->r->counts[text_kind(s + i, len)]++;
	sc->hits++;
	return len;
}

/* A secret seen earlier in the run, found again where no rule looks. */
static size_t try_seen(struct scanner *sc, size_t i)
{
	const char *s = sc->s;
	size_t n = sc->n, len;

	if (i > 0 && is_alnum((unsigned char)s[i - 1]))
		return 0;
	len = rc_registry_at(s + i, n - i);
	if (!len || (i + len < n && is_alnum((unsigned char)s[i + len]) &&
		     is_alnum((unsigned char)s[i + len - 1])))
		return 0;
	flush(sc, i);
	put_secret(sc->r, sc->out, s + i, len);
	sc->r->counts[REDACT_SEEN_AGAIN]++;
	sc->hits++;
	return len;
}

/* True for a lowercase word of prose ("expired", "reset"). */
static int plain_word(const char *p, size_t n)
{
	if (n == 0 || n > 12)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(p[i] >= 'a' && p[i] <= 'z'))
			return 0;
	return 1;
}

/* name = value / name: value in prose, configs, .env files, connection
 * strings, JS literals and GraphQL arguments for secret names.  The value
 * may be quoted ("x", 'x', \"x\" inside a JSON string).  Returns bytes
 * consumed or 0. */
static size_t try_assign(struct scanner *sc, size_t i)
{
	const char *s = sc->s;
	size_t n = sc->n, j = i, ne, vs, ve;
	enum name_class cls;
	int quote = 0, escq = 0;

	if (i > 0 && (is_alnum((unsigned char)s[i - 1]) || s[i - 1] == '_'))
		return 0;
	while (j < n && j - i < 64 && RC_IS(s[j], RC_NAME))
		j++;
	ne = j;
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j >= n || (s[j] != '=' && s[j] != ':'))
		return 0;
	if (j + 2 < n && s[j] == ':' && s[j + 1] == '/' && s[j + 2] == '/')
		return 0; /* a URL scheme */
	cls = rc_name_class(s + i, ne - i);
	if (cls == NC_PLAIN)
		return 0;
	j++;
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j < n && (s[j] == '"' || s[j] == '\'')) {
		quote = s[j++];
	} else if (j + 1 < n && s[j] == '\\' && (s[j + 1] == '"' || s[j + 1] == '\'')) {
		quote = s[j + 1];
		escq = 1;
		j += 2;
	}
	vs = j;
	if (quote) {
		while (j < n && s[j] != '\n' && j - vs < FIELD_SCAN_CAP) {
			if (escq ? (s[j] == '\\' && j + 1 < n && s[j + 1] == quote)
				 : (s[j] == quote && s[j - 1] != '\\'))
				break;
			j++;
		}
	} else {
		while (j < n && !is_space((unsigned char)s[j]) && !strchr("\"'&,;<>\\)}]", s[j]))
			j += fingerprint_at(s + j, n - j) ? 9 : 1;
	}
	ve = j;
	if (ve == vs || benign_value(s + vs, ve - vs, cls == NC_STRONG) || has_fingerprint(s + vs, ve - vs) ||
	    auth_scheme_value(s + vs, ve - vs))
		return 0;
	if (cls == NC_WEAK && !weak_secret_value(s + vs, ve - vs))
		return 0;
	if (cls == NC_STRONG && !quote && plain_word(s + vs, ve - vs) &&
	    !ascii_casestr(s + i, ne - i, "pass") && !ascii_casestr(s + i, ne - i, "pwd") &&
	    !ascii_casestr(s + i, ne - i, "secret"))
		return 0; /* "token: expired" is prose */
	if (quote && memchr(s + vs, ' ', ve - vs) && !weak_secret_value(s + vs, ve - vs) &&
	    !ascii_casestr(s + i, ne - i, "pass"))
		return 0; /* a quoted sentence */
	flush(sc, i);
	sc->hits += put_text(sc->r, sc->out, s + i, vs - i);
	sc->hits += put_value_s(sc->r, sc->out, s + vs, ve - vs, REDACT_TOKEN_IN_TEXT, cls == NC_STRONG);
	return ve - i;
}

/* Prose: "token X expired", "the password is hunter2", "PIN 4821", "API
 * key: X".  A secret word, optionally "is"/"was"/":"/"=", then a value
 * that looks generated (or, after a password/PIN/OTP word, holds a
 * digit).  Returns bytes consumed or 0. */
static size_t try_prose(struct scanner *sc, size_t i)
{
	static const char *const words[] = { "token", "key", "secret", "password", "passcode",
					     "pin", "otp", "apikey", "passwd", "pwd", "code", NULL };
	const char *s = sc->s;
	size_t n = sc->n, j = i, we, vs, ve;
	char w[12];
	int strong;

	if (i > 0 && is_alnum((unsigned char)s[i - 1]))
		return 0;
	while (j < n && j - i < 10 && is_alnum((unsigned char)s[j]))
		j++;
	we = j;
	if (we == i || we - i >= sizeof w || (j < n && is_alnum((unsigned char)s[j])))
		return 0;
	for (size_t k = 0; k < we - i; k++)
		w[k] = (char)ascii_tolower((unsigned char)s[i + k]);
	w[we - i] = '\0';
	if (!in_list(w, words))
		return 0;
	strong = strcmp(w, "password") == 0 || strcmp(w, "passcode") == 0 || strcmp(w, "pin") == 0 ||
		 strcmp(w, "otp") == 0 || strcmp(w, "passwd") == 0 || strcmp(w, "pwd") == 0;
	if (j >= n || s[j] != ' ')
		return 0;
	while (j < n && s[j] == ' ')
		j++;
	if (j + 3 < n && (ascii_ncasecmp(s + j, "is ", 3) == 0))
		j += 3;
	else if (j + 4 < n && ascii_ncasecmp(s + j, "was ", 4) == 0)
		j += 4;
	while (j < n && (s[j] == ' ' || s[j] == '\'' || s[j] == '"' || s[j] == '`'))
		j++;
	vs = j;
	while (j < n && !is_space((unsigned char)s[j]) && !strchr("\"'`,;<>()[]{}", s[j]))
		j += fingerprint_at(s + j, n - j) ? 9 : 1;
	while (j > vs && strchr(".:!?", s[j - 1]))
		j--;
	ve = j;
	if (ve == vs || benign_value(s + vs, ve - vs, strong) || has_fingerprint(s + vs, ve - vs))
		return 0;
	if (!weak_secret_value(s + vs, ve - vs)) {
		int digit = 0;
		for (size_t k = vs; k < ve; k++)
			if (RC_IS(s[k], RC_DIGIT))
				digit = 1;
		if (!strong || !digit || ve - vs < 4)
			return 0;
	}
	flush(sc, i);
	sbuf_add(sc->out, s + i, vs - i);
	put_secret(sc->r, sc->out, s + vs, ve - vs);
	sc->r->counts[text_kind(s + vs, ve - vs)]++;
	sc->hits++;
	return ve - i;
}

/* A PEM or OpenSSH private key block: "-----BEGIN ... PRIVATE KEY-----"
 * up to "-----END" (or the end of a cut text); the armour lines stay.
 * Returns bytes consumed or 0. */
static size_t try_pem(struct scanner *sc, size_t i)
{
	const char *s = sc->s;
	size_t n = sc->n, j, hs, he, be;
	const char *end;

	if (n - i < 30 || memcmp(s + i, "-----BEGIN ", 11) != 0)
		return 0;
	for (j = i + 11; j < n && j - i < 80 && s[j] != '-' && s[j] != '\n'; j++)
		;
	if (j - i >= 80 || n - j < 5 || memcmp(s + j, "-----", 5) != 0)
		return 0;
	if (!ascii_casestr(s + i, j - i, "PRIVATE KEY"))
		return 0;
	hs = i;
	he = j + 5;
	end = memmem(s + he, n - he, "-----END", 8);
	be = end ? (size_t)(end - s) : n;
	if (be <= he + 8)
		return 0;
	flush(sc, hs);
	/* the label is kept, with any token shape in it redacted */
	sbuf_add(sc->out, s + hs, 11);
	sc->hits += put_text(sc->r, sc->out, s + hs + 11, j - hs - 11);
	sbuf_add(sc->out, s + j, 5);
	put_secret(sc->r, sc->out, s + he, be - he);
	sc->r->counts[REDACT_PRIVATE_KEY]++;
	sc->hits++;
	return be - i;
}

/* Find the next line start at or after j (raw or "\n" escape); n if none. */
static size_t next_line(const char *s, size_t n, size_t j)
{
	for (; j < n; j++) {
		if (s[j] == '\n')
			return j + 1;
		if (s[j] == '\\' && j + 1 < n && s[j + 1] == 'n')
			return j + 2;
	}
	return n;
}

/* True when the line at j is empty ("\r\n", "\n", or their escapes). */
static int empty_line(const char *s, size_t n, size_t j)
{
	if (j < n && s[j] == '\r')
		j++;
	if (j + 1 < n && s[j] == '\\' && s[j + 1] == 'r')
		j += 2;
	return j >= n || s[j] == '\n' || (j + 1 < n && s[j] == '\\' && s[j + 1] == 'n');
}

/* A raw multipart/form-data part whose field name is a secret:
 * Content-Disposition: form-data; name="password" / blank line / value up
 * to the next "--boundary" line.  Returns bytes consumed or 0. */
static size_t try_multipart(struct scanner *sc, size_t i)
{
	const char *s = sc->s;
	size_t n = sc->n, j = i, le, ns, ne, vs, ve, k;
	const char *nm;
	enum name_class cls;

	while (j < n && (s[j] == ' ' || s[j] == '>'))
		j++;
	if (n - j < 30 || ascii_ncasecmp(s + j, "content-disposition:", 20) != 0)
		return 0;
	le = next_line(s, n, j);
	nm = ascii_casestr(s + j, le - j, " name=");
	if (!nm || ascii_casestr(s + j, le - j, "filename="))
		return 0;
	ns = (size_t)(nm - s) + 6;
	if (ns < n && (s[ns] == '"' || s[ns] == '\\')) {
		while (ns < le && (s[ns] == '"' || s[ns] == '\\'))
			ns++;
	}
	for (ne = ns; ne < le && RC_IS(s[ne], RC_NAME); ne++)
		;
	cls = rc_name_class(s + ns, ne - ns);
	if (cls == NC_PLAIN)
		return 0;
	/* headers of the part, then an empty line */
	for (k = le; k < n && !empty_line(s, n, k); k = next_line(s, n, k))
		if (k - le > 1024)
			return 0;
	if (k >= n)
		return 0;
	vs = next_line(s, n, k);
	/* value: up to the line break before "--" */
	for (ve = vs; ve < n; ve = next_line(s, n, ve)) {
		size_t t = ve;
		if (t > vs && t + 2 <= n && s[t] == '-' && s[t + 1] == '-')
			break;
		if (ve - vs > FIELD_SCAN_CAP)
			break;
	}
	/* back over the line break */
	if (ve > vs && ve < n) {
		if (s[ve - 1] == '\n')
			ve--;
		else if (ve >= 2 && s[ve - 2] == '\\' && s[ve - 1] == 'n')
			ve -= 2;
		if (ve > vs && s[ve - 1] == '\r')
			ve--;
		else if (ve >= vs + 2 && s[ve - 2] == '\\' && s[ve - 1] == 'r')
			ve -= 2;
	}
	if (ve <= vs || (cls == NC_WEAK && !weak_secret_value(s + vs, ve - vs)))
		return 0;
	flush(sc, i);
	sbuf_add(sc->out, s + i, vs - i);
	sc->hits += put_value_s(sc->r, sc->out, s + vs, ve - vs, REDACT_FORM_FIELD, cls == NC_STRONG);
	return ve - i;
}

/* Attribute value of name in the tag [p, p+n) ("name=\"x\"", 'x' or bare);
 * returns its start and sets *len, or NULL. */
static const char *tag_attr(const char *p, size_t n, const char *name, size_t *len)
{
	size_t nl = strlen(name);

	for (size_t k = 1; k + nl + 1 < n; k++) {
		size_t j;
		char q = 0;
		if (!is_space((unsigned char)p[k - 1]) || ascii_ncasecmp(p + k, name, nl) != 0 ||
		    p[k + nl] != '=')
			continue;
		j = k + nl + 1;
		if (j < n && (p[j] == '"' || p[j] == '\''))
			q = p[j++];
		else if (j + 1 < n && p[j] == '\\' && p[j + 1] == '"') {
			q = '\\';
			j += 2;
		}
		{
			size_t vs = j;
			while (j < n && (q ? p[j] != q : !is_space((unsigned char)p[j]) && p[j] != '>'))
				j++;
			*len = j - vs;
			return p + vs;
		}
	}
	return NULL;
}

/* An XML element or HTML tag at '<': <SecretAccessKey>x</...> (the text
 * of an element with a secret name), <input name="password" value="x">,
 * <meta name="csrf-token" content="x">.  Returns bytes consumed or 0. */
static size_t try_tag(struct scanner *sc, size_t i)
{
	const char *s = sc->s;
	size_t n = sc->n, j = i + 1, ns, ne, te, vl = 0, nl = 0;
	const char *v, *nm;
	enum name_class cls;

	ns = j;
	while (j < n && j - ns < 80 && (RC_IS(s[j], RC_NAME) || s[j] == ':'))
		j++;
	ne = j;
	if (ne == ns || j >= n)
		return 0;
	if (s[j] == '>') {
		/* element text */
		const char *colon = memchr(s + ns, ':', ne - ns);
		size_t vs = j + 1, ve;
		if (colon)
			ns = (size_t)(colon - s) + 1;
		cls = rc_name_class(s + ns, ne - ns);
		if (cls == NC_PLAIN)
			return 0;
		for (ve = vs; ve < n && s[ve] != '<' && ve - vs < FIELD_SCAN_CAP; ve++)
			;
		if (ve == vs || (cls == NC_WEAK && !weak_secret_value(s + vs, ve - vs)))
			return 0;
		flush(sc, i);
		sbuf_add(sc->out, s + i, vs - i);
		sc->hits += put_value_s(sc->r, sc->out, s + vs, ve - vs, REDACT_FORM_FIELD, cls == NC_STRONG);
		return ve - i;
	}
	if (!((ne - ns == 5 && ascii_ncasecmp(s + ns, "input", 5) == 0) ||
	      (ne - ns == 4 && ascii_ncasecmp(s + ns, "meta", 4) == 0)))
		return 0;
	for (te = j; te < n && s[te] != '>' && te - j < 8192; te++)
		;
	nm = tag_attr(s + i, te - i, "name", &nl);
	if (!nm)
		nm = tag_attr(s + i, te - i, "id", &nl);
	if (!nm)
		return 0;
	v = tag_attr(s + i, te - i, ne - ns == 4 ? "content" : "value", &vl);
	if (!v || vl == 0)
		return 0;
	cls = rc_name_class(nm, nl);
	if (cls == NC_PLAIN || (cls == NC_WEAK && !weak_secret_value(v, vl)))
		return 0;
	flush(sc, i);
	sbuf_add(sc->out, s + i, (size_t)(v - s - i));
	sc->hits += put_value_s(sc->r, sc->out, v, vl, REDACT_FORM_FIELD, cls == NC_STRONG);
	return (size_t)(v + vl - s) - i;
}

/* Redact [s, s+n): returns replacements made; out holds the redacted text
 * only when that is not 0. */
static int scan(struct redactor *r, const char *s, size_t n, struct sbuf *out, int flags,
		enum redact_kind param_kind)
{
	struct scanner sc = { r, s, n, out, flags, param_kind, 0, 0, 0, NC_PLAIN };
	int seen = !rc_registry_empty();
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t adv = 0;

		if (flags & F_SHAPES) {
			size_t sh = (i == 0 || !is_word((unsigned char)s[i - 1])) ? try_shape(&sc, i) : 0;
			if (sh) {
				i += sh;
				sc.done = i;
			} else {
				i++;
			}
			continue;
		}
		if ((flags & F_LINES) && line_start(s, i)) {
			adv = try_header_line(&sc, i, 0);
			if (!adv && (c == 'C' || c == 'c' || c == ' ' || c == '>'))
				adv = try_multipart(&sc, i);
		}
		if (!adv && !is_alnum(c) && c != '_') {
			/* punctuation */
			switch (c) {
			case '\'':
			case '[':
				if (i + 1 < n && is_alnum((unsigned char)s[i + 1]))
					adv = try_header_line(&sc, i, c);
				break;
			case '"':
				if (i + 1 < n && is_alnum((unsigned char)s[i + 1]))
					adv = try_header_line(&sc, i, c);
				if (!adv)
					adv = try_json_field(&sc, i);
				break;
			case '\\':
				adv = try_json_field(&sc, i);
				break;
			case ':':
				adv = try_url_creds(&sc, i);
				break;
			case '<':
				adv = try_tag(&sc, i);
				break;
			case '-':
				if (i + 11 < n && s[i + 1] == '-')
					adv = try_pem(&sc, i);
				break;
			case '%': {
				int d = pct_delim(s, n, i);
				if (d && d != '=')
					adv = try_param(&sc, i, i + 3, 1);
				break;
			}
			default:
				break;
			}
			if (adv) {
				i += adv;
				sc.done = i;
				continue;
			}
			i++;
			continue;
		}
		/* the start of a word */
		if (!adv && ((i == 0 && (flags & F_PARAMS)) || (i > 0 && strchr("?&;#", s[i - 1]))))
			adv = try_param(&sc, i, i, 0);
		if (!adv && seen)
			adv = try_seen(&sc, i);
		if (!adv && (c == 'B' || c == 'b'))
			adv = try_bearer(&sc, i);
		if (!adv && (c == 'B' || c == 'b'))
			adv = try_basic(&sc, i);
		if (!adv && (c == 'e' || rc_pattern_first(c)))
			adv = try_shape(&sc, i);
		if (!adv)
			adv = try_assign(&sc, i);
		if (!adv && strchr("tTkKsSpPoOaAcC", c))
			adv = try_prose(&sc, i);
		if (adv) {
			i += adv;
			sc.done = i;
			continue;
		}
		/* Skip the rest of the word: nothing starts inside it (a line
		 * start after a "\n" escape does). */
		i++;
		while (i < n && (RC_IS(s[i], RC_ALNUM) || s[i] == '_') &&
		       !(i >= 2 && s[i - 2] == '\\' && s[i - 1] == 'n'))
			i++;
	}
	if (sc.hits)
		flush(&sc, n);
	return sc.hits;
}

char *redact_buf(struct redactor *r, const char *s, size_t n, size_t *outlen)
{
	struct sbuf out = SBUF_INIT;

	if (!scan(r, s, n, &out, F_LINES, REDACT_QUERY_PARAM)) {
		sbuf_reset(&out);
		sbuf_add(&out, s, n);
	}
	if (!out.data)
		sbuf_add(&out, "", 0);
	return sbuf_detach(&out, outlen);
}

char *redact_text(struct redactor *r, const char *s, size_t n)
{
	return redact_buf(r, s, n, NULL);
}
/* ---- exchanges ---- */

/* Redact one NUL-terminated string field in place; returns replacements. */
static int redact_field(struct redactor *r, char **field, int flags, enum redact_kind pk)
{
	struct sbuf out = SBUF_INIT;
	int hits;

	if (!*field)
		return 0;
	hits = scan(r, *field, strlen(*field), &out, flags, pk);
	if (hits) {
		free(*field);
		*field = sbuf_detach(&out, NULL);
	}
	sbuf_release(&out);
	return hits;
}

/* Redact one header list; returns replacements. */
static int redact_headers(struct redactor *r, struct hdr_list *l)
{
	int hits = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct hdr *h = &l->v[i];
		struct sbuf out = SBUF_INIT;
		int handled, k;

		if (!h->value || !h->name)
			continue;
		k = put_header_value(r, &out, h->name, strlen(h->name), h->value,
				     strlen(h->value), &handled);
		if (!handled) {
			sbuf_reset(&out);
			k = scan(r, h->value, strlen(h->value), &out, 0, REDACT_QUERY_PARAM);
		}
		if (k) {
			free(h->value);
			h->value = sbuf_detach(&out, NULL);
			hits += k;
		}
		sbuf_release(&out);
	}
	return hits;
}

/* True when a body without a content type looks like a form body. */
static int looks_form(const char *p, size_t n)
{
	size_t i = 0;

	if (n == 0 || n > BODY_CAP)
		return 0;
	while (i < n) {
		size_t s = i;
		while (i < n && (is_alnum((unsigned char)p[i]) || strchr("_.-%[]", p[i])))
			i++;
		if (i == s || i >= n || p[i] != '=')
			return 0;
		for (i++; i < n && p[i] != '&'; i++)
			if (is_space((unsigned char)p[i]) || p[i] == '"' || p[i] == '{')
				return 0;
		if (i < n)
			i++;
	}
	return 1;
}

/* Images, audio, video, fonts and archives carry no text to redact. */
static int binary_mime(const char *m)
{
	if (!m)
		return 0;
	return starts_with_icase(m, "image/") || starts_with_icase(m, "audio/") ||
	       starts_with_icase(m, "video/") || starts_with_icase(m, "font/") ||
	       starts_with_icase(m, "application/octet-stream") ||
	       starts_with_icase(m, "application/pdf") || starts_with_icase(m, "application/zip") ||
	       starts_with_icase(m, "application/wasm") || starts_with_icase(m, "application/font");
}

/* Redact a body in place (binary bodies, with NUL bytes, are left alone);
 * returns replacements. */
static int redact_body(struct redactor *r, struct body *b)
{
	struct sbuf out = SBUF_INIT;
	int form, hits;

	if (!b->data || b->len == 0 || binary_mime(b->mime) || memchr(b->data, '\0', b->len))
		return 0;
	form = (b->mime && ascii_casestr(b->mime, strlen(b->mime), "x-www-form-urlencoded")) ||
	       (!b->mime && looks_form(b->data, b->len));
	if (form)
		hits = scan(r, b->data, b->len, &out, F_PARAMS, REDACT_FORM_FIELD);
	else
		hits = scan(r, b->data, b->len, &out, F_LINES, REDACT_QUERY_PARAM);
	if (hits) {
		free(b->data);
		if (out.len > BODY_CAP) {
			out.len = BODY_CAP;
			out.data[out.len] = '\0';
			b->truncated = 1;
		}
		b->len = out.len;
		b->data = sbuf_detach(&out, NULL);
	}
	sbuf_release(&out);
	return hits;
}

/* Redact transcript lines.  Lines that curl --trace-ascii wrapped at 64
 * columns (a request line with a long URL) are scanned joined, so a value
 * cut by the wrap is replaced whole; the joined line then replaces them. */
static int redact_transcript(struct redactor *r, struct strlist *l)
{
	int hits = 0;

	for (size_t i = 0; i < l->n; i++) {
		size_t j = i;
		while (j + 1 < l->n && strlen(l->v[j]) == TRACE_WRAP && l->v[j + 1][0] != '*')
			j++;
		if (j > i) {
			struct sbuf joined = SBUF_INIT, out = SBUF_INIT;
			int k;
			for (size_t m = i; m <= j; m++)
				sbuf_adds(&joined, l->v[m]);
			k = scan(r, joined.data, joined.len, &out, F_LINES, REDACT_QUERY_PARAM);
			if (k) {
				free(l->v[i]);
				l->v[i] = sbuf_detach(&out, NULL);
				for (size_t m = i + 1; m <= j; m++)
					free(l->v[m]);
				memmove(l->v + i + 1, l->v + j + 1, (l->n - j - 1) * sizeof *l->v);
				l->n -= j - i;
				hits += k;
				sbuf_release(&joined);
				sbuf_release(&out);
				continue;
			}
			sbuf_release(&joined);
			sbuf_release(&out);
		}
		hits += redact_field(r, &l->v[i], F_LINES, REDACT_QUERY_PARAM);
	}
	return hits;
}

int redact_exchange(struct redactor *r, struct exchange *ex)
{
	int hits = 0;

	r->now_known = parse_iso(ex->started_at, &r->now) == 0;
	/* url, path and query with the same rules, so they stay consistent;
	 * a secret in both url and query is counted once, in the url. */
	if (ex->url) {
		long saved[REDACT_KIND_COUNT];
		hits += redact_field(r, &ex->url, 0, REDACT_QUERY_PARAM);
		memcpy(saved, r->counts, sizeof saved);
		redact_field(r, &ex->path, 0, REDACT_QUERY_PARAM);
		redact_field(r, &ex->query, F_PARAMS, REDACT_QUERY_PARAM);
		memcpy(r->counts, saved, sizeof saved);
	} else {
		hits += redact_field(r, &ex->path, 0, REDACT_QUERY_PARAM);
		hits += redact_field(r, &ex->query, F_PARAMS, REDACT_QUERY_PARAM);
	}
	hits += redact_headers(r, &ex->req_headers);
	hits += redact_headers(r, &ex->resp_headers);
	hits += redact_body(r, &ex->req_body);
	hits += redact_body(r, &ex->resp_body);
	hits += redact_transcript(r, &ex->transcript);
	hits += redact_field(r, &ex->error, F_LINES, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->status_text, 0, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->status_source, 0, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->url_source, 0, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->host_source, 0, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->name, 0, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->extra, F_LINES, REDACT_QUERY_PARAM);
	r->now_known = 0;
	return hits;
}

/* ---- keys ---- */

void redact_content_key(const void *p, size_t n, unsigned char key[32])
{
	const char *env = getenv("HARTRIAGE_REDACT_KEY");
	struct sha256 h;

	sha256_init(&h);
	if (env && env[0]) {
		sha256_update(&h, env, strlen(env));
	} else {
		sha256_update(&h, "hartriage redaction key v1", 27);
		sha256_update(&h, p, n < CONTENT_KEY_BYTES ? n : CONTENT_KEY_BYTES);
	}
	sha256_final(&h, key);
}

void redact_key_for_file(const char *path, unsigned char key[32])
{
	char *buf = xmalloc(CONTENT_KEY_BYTES);
	size_t n = 0;
	FILE *f = fopen(path, "rb");

	if (f) {
		n = fread(buf, 1, CONTENT_KEY_BYTES, f);
		fclose(f);
	}
	if (n == 0) {
		n = strlen(path) < CONTENT_KEY_BYTES ? strlen(path) : CONTENT_KEY_BYTES;
		memcpy(buf, path, n);
	}
	redact_content_key(buf, n, key);
	free(buf);
}

/* ---- the writers' second line of defence ---- */

static long caught_at_output;

char *redact_output_check(const char *s, size_t n)
{
	struct sbuf out = SBUF_INIT;
	size_t done = 0;
	int hits = 0;
	static const unsigned char nokey[1];

	if (rc_registry_empty() || n < RC_REG_MIN)
		return NULL;
	for (size_t i = 0; i + RC_REG_MIN <= n; i++) {
		size_t len;
		char fp[10];
		if (i > 0 && is_alnum((unsigned char)s[i - 1]) && is_alnum((unsigned char)s[i]))
			continue;
		len = rc_registry_at(s + i, n - i);
		if (!len || (i + len < n && is_alnum((unsigned char)s[i + len]) &&
			     is_alnum((unsigned char)s[i + len - 1])))
			continue;
		{
			/* the writer has no key of its own: a fingerprint that
			 * cannot be linked to the database's */
			struct redactor tmp = { (unsigned char *)nokey, 0, { 0 }, 0, 0 };
			redactor_fingerprint(&tmp, s + i, len, fp);
			fp[2] = fp[3] = fp[4] = fp[5] = fp[6] = fp[7] = '0';
		}
		sbuf_add(&out, s + done, i - done);
		sbuf_adds(&out, ELLIPSIS);
		sbuf_adds(&out, fp);
		done = i + len;
		i = done - 1;
		hits++;
	}
	if (!hits) {
		sbuf_release(&out);
		return NULL;
	}
	sbuf_add(&out, s + done, n - done);
	caught_at_output += hits;
	return sbuf_detach(&out, NULL);
}

long redact_caught_at_output(void)
{
	return caught_at_output;
}
