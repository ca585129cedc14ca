/* redact.c - replace credentials before anything is stored (see redact.h).
 *
 * Everything works on text: headers by name, bodies and free text by a
 * single left-to-right scanner that recognises JSON fields, query and form
 * parameters, "Name: value" lines, credentials in URLs and known token
 * shapes.  Bodies are never parsed as a whole (they may be invalid JSON or
 * cut short), and a secret running to the end of a truncated body is
 * still replaced.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "redact.h"
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

#define ELLIPSIS "\xe2\x80\xa6"
#define CLAIM_CAP 80
#define FIELD_SCAN_CAP ((size_t)1 << 20) /* longest secret value looked for */

static const char *const kind_names[REDACT_KIND_COUNT] = {
	"authorization", "cookie", "set-cookie", "api-key-header", "query-param",
	"form-field", "json-field", "url-credentials", "token-in-text", "jwt",
};

const char *redact_kind_name(enum redact_kind k)
{
	return (unsigned)k < REDACT_KIND_COUNT ? kind_names[k] : "unknown";
}

struct redactor *redactor_new(const unsigned char *key, size_t keylen)
{
	struct redactor *r = xcalloc(1, sizeof *r);

	r->key = xmalloc(keylen ? keylen : 1);
	if (keylen)
		memcpy(r->key, key, keylen);
	r->keylen = keylen;
	return r;
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

/* ---- character classes ---- */

static int is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_word(int c) /* token characters of most API keys */
{
	return is_alnum(c) || c == '_' || c == '-';
}

static int is_b64url(int c)
{
	return is_alnum(c) || c == '_' || c == '-';
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static int is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* End of a parameter value in a URL, query, form body or text. */
static int is_param_end(int c)
{
	return c == '&' || c == ';' || c == '#' || is_space(c) || c == '"' || c == '\'' ||
	       c == '<' || c == '>' || c == '\\';
}

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

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* ---- what counts as a secret ---- */

/* Query and form parameter names, normalized. */
static const char *const param_names[] = {
	"token", "accesstoken", "idtoken", "refreshtoken", "code", "clientsecret",
	"apikey", "key", "sig", "signature", "password", "passwd", "pwd", "secret",
	"samlresponse", "session", "sessionid", "jsessionid", "phpsessid", "auth",
	"authtoken", "xamzsignature", "xamzcredential", "xamzsecuritytoken",
	"xgoogsignature", "xgoogcredential", "clientassertion", "assertion", "jwt",
	"privatetoken", "subscriptionkey", "xapikey", "accesskey", "secretkey",
	"oauthtoken", "oauthsignature", "sessiontoken", NULL
};

/* Suffixes of normalized JSON field and assignment names that hold secrets. */
static const char *const secret_suffixes[] = {
	"password", "passwd", "secret", "apikey", "secretkey", "accesskey", "privatekey",
	"token", "clientassertion", "credential", "credentials", "sessionid",
	"subscriptionkey", "signature", NULL
};
/* ...except these, which are cursors and counts, not secrets. */
static const char *const not_secret_suffixes[] = {
	"pagetoken", "continuationtoken", "synctoken", "cancellationtoken", "csrftoken",
	NULL
};
/* Suffixes that always hold a secret, whatever the value looks like. */
static const char *const strong_suffixes[] = {
	"password", "passwd", "secret", "secretkey", "accesskey", "privatekey", NULL
};

static int suffix_in(const char *norm, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (ends_with(norm, list[i]))
			return 1;
	return 0;
}

/* Names of authentication schemes and Postman/Insomnia auth types: the
 * value of an "auth" field that says which scheme was used, no secret. */
static const char *const auth_scheme_words[] = {
	"basic", "bearer", "digest", "apikey", "oauth1", "oauth2", "hawk", "awsv4", "ntlm",
	"noauth", "inherit", "edgegrid", "jwt", "asap", "akamai", "iam", "netrc", "negotiate",
	"none", NULL
};

/* True when norm is "auth" and [p, p+n) only names a scheme. */
static int auth_scheme_value(const char *norm, const char *p, size_t n)
{
	char low[16];

	if (strcmp(norm, "auth") != 0 || n == 0 || n >= sizeof low)
		return 0;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)ascii_tolower((unsigned char)p[i]);
	low[n] = '\0';
	return in_list(low, auth_scheme_words);
}

/* True for a JSON field or assignment name holding a secret. */
static int secret_field(const char *norm)
{
	if (strcmp(norm, "pwd") == 0 || strcmp(norm, "jwt") == 0 || strcmp(norm, "auth") == 0)
		return 1;
	return suffix_in(norm, secret_suffixes) && !suffix_in(norm, not_secret_suffixes);
}

/* Header names that never carry a secret although they look like it. */
static int harmless_header(const char *lname)
{
	return strstr(lname, "ratelimit") || strstr(lname, "rate-limit") ||
	       starts_with(lname, "access-control-") || strstr(lname, "request-id") ||
	       strstr(lname, "requestid") || strstr(lname, "trace") ||
	       strstr(lname, "correlation") || strstr(lname, "idempotency") ||
	       strstr(lname, "error") || strstr(lname, "status") || strstr(lname, "reason") ||
	       strstr(lname, "expire") ||
	       strcmp(lname, "www-authenticate") == 0 ||
	       strcmp(lname, "proxy-authenticate") == 0 || strcmp(lname, "vary") == 0 ||
	       strcmp(lname, "content-security-policy") == 0 ||
	       strcmp(lname, "postman-token") == 0 || /* a per-request UUID */
	       strstr(lname, "-tokens") != NULL;
}

static const char *const header_keywords[] = {
	"key", "token", "secret", "signature", "auth", "session", "password", "passwd",
	"credential", NULL
};

/* True when a header (lowercase name) holds a key-like secret as its value. */
static int secret_header(const char *lname)
{
	if (harmless_header(lname))
		return 0;
	for (size_t i = 0; header_keywords[i]; i++)
		if (strstr(lname, header_keywords[i]))
			return 1;
	return 0;
}

/* The same for "Name: value" lines in free text: whole words only, so
 * "monkey: x" is left alone.  Returns 2 for names that always hold a
 * secret (password, secret), 1 for token-ish names, 0 otherwise. */
static int secret_line_name(const char *p, size_t n)
{
	char lname[80];
	size_t i;

	if (n >= sizeof lname)
		return 0;
	for (i = 0; i < n; i++)
		lname[i] = (char)ascii_tolower((unsigned char)p[i]);
	lname[n] = '\0';
	if (harmless_header(lname))
		return 0;
	for (const char *c = lname; *c;) {
		size_t len = strcspn(c, "-_");
		static const char *const words[] = {
			"key", "apikey", "token", "secret", "signature", "auth", "session",
			"password", "passwd", "credential", "credentials", "authtoken",
			"accesstoken", "sessionid", "pwd", NULL
		};
		for (size_t k = 0; words[k]; k++)
			if (strlen(words[k]) == len && memcmp(c, words[k], len) == 0)
				return strstr(words[k], "pass") || strcmp(words[k], "pwd") == 0 ||
				       strcmp(words[k], "secret") == 0 ? 2 : 1;
		c += len;
		if (*c)
			c++;
	}
	return 0;
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
 * "undefined", numbers, exporter masks, our own replacements. */
static int benign_value(const char *p, size_t n)
{
	static const char *const words[] = {
		"undefined", "null", "none", "nil", "true", "false", "redacted", "[redacted]",
		"<redacted>", "[filtered]", "hidden", "secret", "[object object]", "nan", NULL
	};
	size_t i;

	trim_span(&p, &n);
	if (n == 0 || already_redacted(p, n))
		return 1;
	if (n >= 4 && ((p[0] == '{' && p[1] == '{' && p[n - 1] == '}' && p[n - 2] == '}') ||
		       (p[0] == '$' && p[1] == '{' && p[n - 1] == '}') ||
		       (p[0] == '<' && p[n - 1] == '>')))
		return 1;
	for (i = 0; i < n && (p[i] == '*' || p[i] == 'x' || p[i] == 'X' || p[i] == '.'); i++)
		;
	if (i == n)
		return 1;
	for (i = 0; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		;
	if (i == n && n < 10)
		return 1;
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
 * then "…" and the fingerprint.  Returns 1 when it was a JWT. */
static int put_secret(struct redactor *r, struct sbuf *out, const char *p, size_t n)
{
	char fp[10];
	size_t jl = jwt_len(p, n);
	int jwt = 0;

	redactor_fingerprint(r, p, n, fp);
	if (jl == n && jwt_summary(r, p, n, out) == 0) {
		jwt = 1;
	} else {
		for (size_t i = 0; type_prefixes[i]; i++) {
			size_t pl = strlen(type_prefixes[i]);
			if (n >= pl + 12 && memcmp(p, type_prefixes[i], pl) == 0) {
				sbuf_add(out, p, pl);
				break;
			}
		}
		sbuf_adds(out, ELLIPSIS);
	}
	sbuf_adds(out, fp);
	return jwt;
}

/* Replace a whole value unless benign; returns replacements made. */
static int put_value(struct redactor *r, struct sbuf *out, const char *p, size_t n,
		     enum redact_kind kind)
{
	const char *t = p;
	size_t tn = n;

	trim_span(&t, &tn);
	if (benign_value(t, tn)) {
		sbuf_add(out, p, n);
		return 0;
	}
	sbuf_add(out, p, (size_t)(t - p));
	put_secret(r, out, t, tn);
	sbuf_add(out, t + tn, (size_t)(p + n - t - tn));
	r->counts[kind]++;
	return 1;
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
		sbuf_add(out, p + ns, vs - ns);
		if (in_list(norm, auth_safe_params)) {
			sbuf_add(out, p + vs, ve - vs);
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
	int hits;

	trim_span(&v, &vn);
	sp = v;
	while (sp < v + vn && !is_space((unsigned char)*sp))
		sp++;
	if (sp == v + vn)
		return put_value(r, out, p, n, kind); /* a bare key */
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
		hits = put_value(r, out, rest, rn, kind);
	sbuf_add(out, rest + rn, (size_t)(p + n - rest - rn));
	return hits;
}

/* Append a redacted Cookie value: every value replaced, names kept. */
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
			sbuf_add(out, p + s, (size_t)(eq + 1 - p - s));
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
			sbuf_add(out, p, (size_t)(eq + 1 - p));
			hits += put_value(r, out, eq + 1, (size_t)(p + first - eq - 1), REDACT_SET_COOKIE);
		} else {
			hits += put_value(r, out, p, first, REDACT_SET_COOKIE);
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
	if (secret_header(lname))
		return put_value(r, out, v, vn, REDACT_API_KEY_HEADER);
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
};

/* "Name: value" at a line start ("> Authorization: Basic x",
 * "api_key: x"), after a quote (curl -H 'x-api-key: x') or inside
 * brackets (curl's "* [HTTP/2] [1] [cookie: a=b]").  quote is the opening
 * quote or '[', or 0.  Returns bytes consumed, 0 when no match. */
static size_t try_header_line(struct scanner *sc, size_t i, int quote)
{
	const char *s = sc->s;
	size_t n = sc->n, j = i, ns, ne, vs, ve;
	int handled = 0, hits, special, strength;
	int close = quote == '[' ? ']' : quote;
	struct sbuf v = SBUF_INIT;

	if (quote)
		j++;
	else {
		while (j < n && (s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j < n && (s[j] == '>' || s[j] == '<')) {
			j++;
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
	strength = special ? 0 : secret_line_name(s + ns, ne - ns);
	if (!special && !strength)
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
	if (special)
		hits = put_header_value(sc->r, &v, s + ns, ne - ns, s + vs, ve - vs, &handled);
	else if (strength == 2 || token_like(s + vs, ve - vs))
		/* Whole-word secret names in text ("api_key: x"); prose like
		 * "Auth: Digest" is left alone. */
		hits = put_value(sc->r, &v, s + vs, ve - vs, REDACT_TOKEN_IN_TEXT);
	else
		return 0;
	if (!hits) {
		sbuf_release(&v);
		return 0;
	}
	sbuf_add(sc->out, s + i, vs - i);
	sbuf_add(sc->out, v.data, v.len);
	sbuf_release(&v);
	sc->hits += hits;
	return ve - i;
}

/* JSON field with a secret name: "password": "x" or, inside a JSON string,
 * \"password\": \"x\".  Returns bytes consumed, 0 when no match. */
static size_t try_json_field(struct scanner *sc, size_t i)
{
	const char *s = sc->s;
	size_t n = sc->n, j = i, ks, ke, vs, ve, q;
	char norm[64];
	int esc = s[i] == '\\';
	int hits = 0, weak;

	q = esc ? 2 : 1;
	if (esc && (i + 1 >= n || s[i + 1] != '"'))
		return 0;
	j += q;
	ks = j;
	while (j < n && j - ks < 64 && (is_alnum((unsigned char)s[j]) || s[j] == '_' || s[j] == '-' || s[j] == '.'))
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
	if (j + q > n || (esc && s[j] != '\\') || s[j + q - 1] != '"')
		return 0;
	j += q;
	vs = j;
	norm_name(s + ks, ke - ks, norm);
	/* Query-parameter names such as code, key, sig, SAMLResponse are
	 * secrets in JSON only when the value looks generated: "code":
	 * "invalid_grant" is an error code and stays. */
	weak = !secret_field(norm) && in_list(norm, param_names);
	if (!weak && !secret_field(norm) && strcmp(norm, "authorization") != 0 &&
	    strcmp(norm, "proxyauthorization") != 0 && strcmp(norm, "cookie") != 0 &&
	    strcmp(norm, "setcookie") != 0)
		return 0;
	/* The value ends at the closing quote (an escaped one inside a string),
	 * or at the end of a line / of the input when the text was cut. */
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
	if (j > n)
		j = n;
	ve = j;
	if (weak && (!token_like(s + vs, ve - vs) || memchr(s + vs, ' ', ve - vs)))
		return 0;
	if (auth_scheme_value(norm, s + vs, ve - vs))
		return 0;
	sbuf_add(sc->out, s + i, vs - i);
	if (strcmp(norm, "authorization") == 0 || strcmp(norm, "proxyauthorization") == 0)
		hits = put_auth(sc->r, sc->out, s + vs, ve - vs, REDACT_AUTHORIZATION);
	else if (strcmp(norm, "cookie") == 0)
		hits = put_cookie(sc->r, sc->out, s + vs, ve - vs);
	else if (strcmp(norm, "setcookie") == 0)
		hits = put_set_cookie(sc->r, sc->out, s + vs, ve - vs);
	else
		hits = put_value(sc->r, sc->out, s + vs, ve - vs, REDACT_JSON_FIELD);
	sc->hits += hits;
	return ve - i;
}

/* name=value right after ?, &, ;, # (or at the start of a query string or
 * form body) with a token-like name.  Returns bytes consumed or 0. */
static size_t try_param(struct scanner *sc, size_t i)
{
	const char *s = sc->s;
	size_t n = sc->n, j = i, ne, vs;
	char norm[64];

	while (j < n && j - i < 64 &&
	       (is_alnum((unsigned char)s[j]) || s[j] == '_' || s[j] == '-' || s[j] == '.' || s[j] == '%'))
		j++;
	ne = j;
	if (ne == i || j >= n || s[j] != '=')
		return 0;
	norm_name(s + i, ne - i, norm);
	if (!in_list(norm, param_names))
		return 0;
	j++;
	vs = j;
	while (j < n && !is_param_end((unsigned char)s[j])) {
		if (fingerprint_at(s + j, n - j)) {
			j += 9; /* our own "[#xxxxxx]" holds a '#' */
			continue;
		}
		j++;
	}
	if (j == vs || benign_value(s + vs, j - vs))
		return 0;
	sbuf_add(sc->out, s + i, vs - i);
	sc->hits += put_value(sc->r, sc->out, s + vs, j - vs, sc->param_kind);
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
	if (!token_like(s + ts, te - ts) || benign_value(s + ts, j - ts))
		return 0;
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
	free(dec);
	if (!creds)
		return 0;
	sbuf_add(sc->out, s + i, ts - i);
	put_secret(sc->r, sc->out, s + ts, te - ts);
	sc->r->counts[REDACT_TOKEN_IN_TEXT]++;
	sc->hits++;
	return te - i;
}

/* Token shapes: prefix, allowed characters, minimum length after prefix,
 * exact length (0 = open). */
struct shape {
	const char *prefix;
	int (*cls)(int c);
	size_t min;
	size_t exact;
};

static int cls_alnum(int c)
{
	return is_alnum(c);
}

static int cls_word(int c)
{
	return is_word(c);
}

static int cls_upper_digit(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int cls_word_dot(int c)
{
	return is_word(c) || c == '.';
}

static const struct shape shapes[] = {
	{ "sk-", cls_word, 20, 0 },
	{ "ghp_", cls_alnum, 20, 0 },
	{ "gho_", cls_alnum, 20, 0 },
	{ "ghs_", cls_alnum, 20, 0 },
	{ "ghu_", cls_alnum, 20, 0 },
	{ "ghr_", cls_alnum, 20, 0 },
	{ "github_pat_", cls_word, 20, 0 },
	{ "glpat-", cls_word, 20, 0 },
	{ "xoxb-", cls_word, 10, 0 },
	{ "xoxp-", cls_word, 10, 0 },
	{ "xoxa-", cls_word, 10, 0 },
	{ "xoxr-", cls_word, 10, 0 },
	{ "xoxs-", cls_word, 10, 0 },
	{ "xapp-", cls_word, 10, 0 },
	{ "AKIA", cls_upper_digit, 16, 16 },
	{ "ASIA", cls_upper_digit, 16, 16 },
	{ "AIza", cls_word, 35, 35 },
	{ "vck_", cls_word, 20, 0 },
	{ "sk_live_", cls_alnum, 16, 0 },
	{ "sk_test_", cls_alnum, 16, 0 },
	{ "rk_live_", cls_alnum, 16, 0 },
	{ "hf_", cls_alnum, 30, 0 },
	{ "npm_", cls_alnum, 36, 0 },
	{ "ya29.", cls_word_dot, 20, 0 },
};

/* A JWT or a known API-key shape starting at i.  Returns bytes consumed or 0. */
static size_t try_shape(struct scanner *sc, size_t i)
{
	const char *s = sc->s;
	size_t n = sc->n, len = 0;

	if (i > 0 && (is_word((unsigned char)s[i - 1]) || s[i - 1] == '.'))
		return 0;
	if (s[i] == 'e')
		len = jwt_len(s + i, n - i);
	for (size_t k = 0; !len && k < sizeof shapes / sizeof shapes[0]; k++) {
		const struct shape *sh = &shapes[k];
		size_t pl, j;
		if (s[i] != sh->prefix[0])
			continue;
		pl = strlen(sh->prefix);
		if (n - i < pl + sh->min || memcmp(s + i, sh->prefix, pl) != 0)
			continue;
		for (j = i + pl; j < n && sh->cls((unsigned char)s[j]); j++)
			;
		if (j - i - pl < sh->min || (sh->exact && j - i - pl != sh->exact))
			continue;
		len = j - i;
	}
	if (!len || (i + len < n && is_word((unsigned char)s[i + len])))
		return 0;
	put_secret(sc->r, sc->out, s + i, len);
	sc->r->counts[text_kind(s + i, len)]++;
	sc->hits++;
	return len;
}

/* name = value / name: value in prose, configs and .env files for names
 * like password, client_secret, aws_secret_access_key, api_token.
 * Returns bytes consumed or 0. */
static size_t try_assign(struct scanner *sc, size_t i)
{
	const char *s = sc->s;
	size_t n = sc->n, j = i, ne, vs, ve;
	char norm[64];
	int strong;

	if (i > 0 && (is_alnum((unsigned char)s[i - 1]) || s[i - 1] == '_'))
		return 0;
	if (!(is_alnum((unsigned char)s[i]) || s[i] == '_'))
		return 0;
	while (j < n && j - i < 64 && (is_alnum((unsigned char)s[j]) || s[j] == '_' || s[j] == '-' || s[j] == '.'))
		j++;
	ne = j;
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j >= n || (s[j] != '=' && s[j] != ':'))
		return 0;
	norm_name(s + i, ne - i, norm);
	if (!secret_field(norm))
		return 0;
	strong = suffix_in(norm, strong_suffixes);
	j++;
	while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '"' || s[j] == '\''))
		j++;
	vs = j;
	while (j < n && !is_space((unsigned char)s[j]) && !strchr("\"'&,;<>", s[j]))
		j++;
	ve = j;
	if (ve == vs || benign_value(s + vs, ve - vs) || has_fingerprint(s + vs, ve - vs) ||
	    auth_scheme_value(norm, s + vs, ve - vs))
		return 0;
	if (!strong && !token_like(s + vs, ve - vs))
		return 0;
	sbuf_add(sc->out, s + i, vs - i);
	sc->hits += put_value(sc->r, sc->out, s + vs, ve - vs, REDACT_TOKEN_IN_TEXT);
	return ve - i;
}

/* Redact [s, s+n) into out; returns replacements made. */
static int scan(struct redactor *r, const char *s, size_t n, struct sbuf *out, int flags,
		enum redact_kind param_kind)
{
	struct scanner sc = { r, s, n, out, flags, param_kind, 0 };
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t adv = 0;

		if ((flags & F_LINES) &&
		    (i == 0 || s[i - 1] == '\n' || (i >= 2 && s[i - 2] == '\\' && s[i - 1] == 'n')))
			adv = try_header_line(&sc, i, 0);
		if (!adv && (c == '\'' || c == '"' || c == '[') && i + 1 < n &&
		    is_alnum((unsigned char)s[i + 1]))
			adv = try_header_line(&sc, i, c);
		if (!adv && (c == '"' || c == '\\'))
			adv = try_json_field(&sc, i);
		if (!adv && ((i == 0 && (flags & F_PARAMS)) ||
			     (i > 0 && strchr("?&;#", s[i - 1]))))
			adv = try_param(&sc, i);
		if (!adv && c == ':')
			adv = try_url_creds(&sc, i);
		if (!adv && (c == 'B' || c == 'b'))
			adv = try_bearer(&sc, i);
		if (!adv && (c == 'B' || c == 'b'))
			adv = try_basic(&sc, i);
		if (!adv && (is_alnum(c)))
			adv = try_shape(&sc, i);
		if (!adv && (is_alnum(c) || c == '_'))
			adv = try_assign(&sc, i);
		if (adv) {
			i += adv;
			continue;
		}
		/* Copy a run of bytes that cannot start anything. */
		{
			size_t j = i + 1;
			if (is_alnum(c) || c == '_')
				while (j < n && (is_alnum((unsigned char)s[j]) || s[j] == '_') &&
				       !(j >= 2 && s[j - 2] == '\\' && s[j - 1] == 'n'))
					j++;
			sbuf_add(out, s + i, j - i);
			i = j;
		}
	}
	return sc.hits;
}

char *redact_buf(struct redactor *r, const char *s, size_t n, size_t *outlen)
{
	struct sbuf out = SBUF_INIT;

	scan(r, s, n, &out, F_LINES, REDACT_QUERY_PARAM);
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

/* Redact a body in place (binary bodies, with NUL bytes, are left alone);
 * returns replacements. */
static int redact_body(struct redactor *r, struct body *b)
{
	struct sbuf out = SBUF_INIT;
	int form, hits;

	if (!b->data || b->len == 0 || memchr(b->data, '\0', b->len))
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
	for (size_t i = 0; i < ex->transcript.n; i++)
		hits += redact_field(r, &ex->transcript.v[i], F_LINES, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->error, F_LINES, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->status_text, 0, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->status_source, 0, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->name, 0, REDACT_QUERY_PARAM);
	hits += redact_field(r, &ex->extra, F_LINES, REDACT_QUERY_PARAM);
	r->now_known = 0;
	return hits;
}
