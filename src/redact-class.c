/* redact-class.c - names by word parts, values by form, the registry of
 * secrets seen during the run (see redact-int.h). */
#include <config.h>

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redact-int.h"
#include "util.h"

unsigned char rc_cls[256];

/* ---- names ---- */

#define MAX_PARTS 16
#define PART_LEN 24

/* Whole names (lowercase, separators dropped) that never hold a secret
 * although their parts say so.  Exact: "x-api-key-status-token" is not
 * saved by holding "status". */
static const char *const harmless_names[] = {
	"xoauthscopes", "xacceptedoauthscopes", "xmskeyvaultnetworkinfo", "xcachekey",
	"secwebsocketkey", "secwebsocketaccept", "secwebsocketprotocol", "secwebsocketversion",
	"secwebsocketextensions", "postmantoken", "wwwauthenticate", "proxyauthenticate",
	"kid", "keyid", "kmskeyid", "kmskeyarn", "kmsmasterkeyid", "sseawskmskeyid",
	"xamzserversideencryptionawskmskeyid", "xamzserversideencryptioncontext",
	"tokentype", "granttype", "responsetype", "authtype", "authscheme", "codechallenge",
	"codechallengemethod", "xamzalgorithm", "xamzdate", "xamzexpires", "xamzsignedheaders",
	"xgoogalgorithm", "xgoogdate", "xgoogexpires", "xgoogsignedheaders", "signaturemethod",
	"oauthsignaturemethod", "signatureversion", "signedheaders", "pagetoken",
	"nextpagetoken", "continuationtoken", "synctoken", "cancellationtoken",
	"maxtokens", "idempotencykey", "xidempotencykey", "cachekey", "primarykey",
	"partitionkey", "sortkey", "routingkey", "objectkey", "publickey", "keyvault",
	"sessionstate", "statuscode", "errorcode", "contentsecuritypolicy", "vary", "authority",
	"xratelimitremainingtokens", "keyboard", "keyword", "keywords", "passenger", "passport",
	"authenticated", "authorized", "authenticity", "author", "xauthor",
	NULL
};

/* A last part that describes a secret rather than holding one. */
static const char *const describing_parts[] = {
	"status", "state", "expires", "expiry", "expiration", "exp", "in", "at", "ttl", "age",
	"time", "timeout", "type", "types", "name", "names", "length", "len", "size", "count",
	"scopes", "scope", "info", "url", "uri", "urls", "endpoint", "method", "methods",
	"version", "hint", "policy", "mode", "format", "header", "headers", "prefix",
	"algorithm", "alg", "kind", "remaining", "limit", "reset", "used", "error", "errors",
	"message", "msg", "reason", "required", "enabled", "present", "valid", "location",
	"path", "field", "fields", "param", "label", "title", "description", "desc", "id",
	"ids", "arn", "fingerprint", "issuer", "audience", "provider", "source", "host",
	"domain", "vault", "file", "filename", "rotation", "rotated", "created", "updated",
	"last4", "tokens", "hash", "policy", "strength", "reveal", "visible", "placeholder",
	"min", "max", "minlength", "maxlength", "pattern", "regex", "changed", "reset",
	NULL
};

/* Parts that always name a secret. */
static const char *const strong_parts[] = {
	"pass", "passwd", "password", "passcode", "passphrase", "passkey", "pwd", "pw",
	"secret", "secrets", "pin", "otp", "totp", "hotp", "credential", "credentials", "creds",
	"signature", "sig", "sid", "sessid", "sessionid", "jsessionid", "phpsessid",
	"aspsessionid", "token", "apikey", "apikeys", "accesstoken", "refreshtoken", "idtoken",
	"authtoken", "privatekey", "secretkey", "accesskey", "clientsecret", "samlresponse",
	"samlrequest", "jwt", "bearer", "xsrf", "apitoken", "sessiontoken", "sessionkey",
	"passwordhash", "clientassertion", "assertion", "subscriptionkey", "masterkey",
	"accountkey", "sharedaccesskey", "sharedaccesssignature", "privatetoken", "oauthtoken",
	"authkey", "sessionid", NULL
};

/* Parts that are ambiguous alone: the value decides. */
static const char *const weak_parts[] = {
	"key", "keys", "code", "auth", "session", "ticket", "private", "nonce", "hmac", "salt",
	"cookie", "mfa", "verifier", NULL
};

/* Qualifiers that make "key" or "code" a secret ("api key", "access code"). */
static const char *const key_qualifiers[] = {
	"api", "access", "secret", "private", "auth", "account", "subscription", "master",
	"shared", "signing", "encryption", "client", "app", "application", "service", "ssh",
	"sas", "storage", "admin", "license", "developer", "consumer", "session", "user",
	"verification", "verify", "otp", "mfa", "sms", "security", "recovery", "backup",
	"device", "pass", "login", "activation", "confirm", "confirmation", "reset", "invite",
	"one", "onetime", "authorization", "oauth", "webhook", "hmac", "root", "gpg", "pgp",
	NULL
};

/* Words beside "key" that make it a lookup key, not a secret. */
static const char *const key_contexts[] = {
	"cache", "idempotency", "partition", "sort", "primary", "foreign", "object", "routing",
	"public", "row", "lookup", "dedupe", "dedup", "map", "websocket", "kms", "vault",
	"error", "status", "country", "currency", "postal", "zip", "language", "region",
	"response", "http", "exit", "return", "reason", "product", "promo", "discount", "color",
	"colour", "area", "phone", "dial", "item", "sku", "source", "qr", "bar", "barcode",
	"hotkey", "shortcut", "i18n", "translation", "message", "locale", "event", "type",
	NULL
};

static int in_set(const char *s, const char *const *set)
{
	for (size_t i = 0; set[i]; i++)
		if (s[0] == set[i][0] && strcmp(s, set[i]) == 0)
			return 1;
	return 0;
}

/* Split [p, p+n) into lowercase parts at non-alphanumerics and camelCase
 * boundaries; joined gets the lowercase name without separators.
 * Returns the number of parts. */
static int split_name(const char *p, size_t n, char parts[MAX_PARTS][PART_LEN], char *joined,
		      size_t jcap)
{
	int np = 0;
	size_t pl = 0, jl = 0;

	for (size_t i = 0; i <= n; i++) {
		unsigned char c = i < n ? (unsigned char)p[i] : 0;
		int alnum = i < n && RC_IS(c, RC_ALNUM);
		int cut = !alnum;
		if (alnum && i > 0 && pl > 0 && c >= 'A' && c <= 'Z') {
			unsigned char b = (unsigned char)p[i - 1];
			/* fooBar, foo2Bar, or the last capital of APIKey */
			if ((b >= 'a' && b <= 'z') ||
			    (b >= 'A' && b <= 'Z' && i + 1 < n && p[i + 1] >= 'a' && p[i + 1] <= 'z'))
				cut = 1;
		}
		if (cut && pl > 0) {
			parts[np][pl < PART_LEN ? pl : PART_LEN - 1] = '\0';
			if (np < MAX_PARTS - 1)
				np++;
			pl = 0;
		}
		if (!alnum)
			continue;
		if (pl < PART_LEN - 1)
			parts[np][pl] = (char)ascii_tolower(c);
		pl++;
		if (jl + 1 < jcap)
			joined[jl++] = (char)ascii_tolower(c);
	}
	joined[jl] = '\0';
	return np;
}

static enum name_class name_class_of(const char *p, size_t n);

/* rc_name_class is a pure function of the name, and a capture repeats its
 * names (JSON fields, headers, parameters) thousands of times: the class
 * of short names is kept in a small direct-mapped cache. */
#define NC_CACHE 4096
#define NC_CACHE_LEN 32
struct nc_slot {
	unsigned char len; /* 0: empty */
	unsigned char cls;
	char name[NC_CACHE_LEN];
};
static struct nc_slot nc_cache[NC_CACHE];

enum name_class rc_name_class(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	struct nc_slot *c;

	if (n == 0 || n >= NC_CACHE_LEN)
		return name_class_of(p, n);
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	c = &nc_cache[h & (NC_CACHE - 1)];
	if (c->len == n && memcmp(c->name, p, n) == 0)
		return (enum name_class)c->cls;
	c->cls = (unsigned char)name_class_of(p, n);
	memcpy(c->name, p, n);
	c->len = (unsigned char)n;
	return (enum name_class)c->cls;
}

static enum name_class name_class_of(const char *p, size_t n)
{
	char parts[MAX_PARTS][PART_LEN];
	char joined[96];
	int np, weak = 0, has_key = 0, has_code = 0, qual = 0, ctx = 0, strong = 0;

	if (n == 0 || n > 80)
		return NC_PLAIN;
	{
		/* Most names hold no secret word at all: say so fast. */
		static const char *const trig[] = { "pass", "pw", "secret", "pin", "otp", "cred", "sig",
						    "sid", "sess", "token", "key", "code", "auth", "ticket",
						    "priv", "nonce", "hmac", "salt", "cookie", "mfa", "verif",
						    "bearer", "jwt", "saml", "assert", "xsrf", NULL };
		char low[81];
		int any = 0;
		for (size_t i = 0; i < n; i++)
			low[i] = (char)ascii_tolower((unsigned char)p[i]);
		low[n] = '\0';
		for (size_t i = 0; trig[i] && !any; i++)
			any = strstr(low, trig[i]) != NULL;
		if (!any)
			return NC_PLAIN;
	}
	np = split_name(p, n, parts, joined, sizeof joined);
	if (np == 0 || in_set(joined, harmless_names))
		return NC_PLAIN;
	if (starts_with(joined, "xratelimit") || starts_with(joined, "ratelimit") ||
	    starts_with(joined, "accesscontrol") || strstr(joined, "requestid") ||
	    strstr(joined, "traceid") || strstr(joined, "correlationid"))
		return NC_PLAIN;
	/* "session id", "sessionId": a secret although "id" describes */
	if (np >= 2 && (strcmp(parts[np - 1], "id") == 0 || strcmp(parts[np - 1], "ids") == 0) &&
	    (strcmp(parts[np - 2], "session") == 0 || strcmp(parts[np - 2], "sess") == 0))
		return NC_STRONG;
	if (np >= 2 && in_set(parts[np - 1], describing_parts))
		return NC_PLAIN;
	if (in_set(joined, strong_parts))
		return NC_STRONG;
	for (int i = 0; i < np; i++) {
		const char *w = parts[i];
		if (in_set(w, strong_parts))
			strong = 1;
		else if (strcmp(w, "key") == 0 || strcmp(w, "keys") == 0)
			has_key = 1;
		else if (strcmp(w, "code") == 0 || strcmp(w, "codes") == 0)
			has_code = 1;
		else if (in_set(w, weak_parts))
			weak = 1;
		if (in_set(w, key_qualifiers))
			qual = 1;
		if (in_set(w, key_contexts))
			ctx = 1;
	}
	if (strong)
		return NC_STRONG;
	if (has_key || has_code) {
		if (ctx)
			return NC_PLAIN;
		if (qual)
			return NC_STRONG;
		/* "key" alone is ambiguous; "country_code" style names are not */
		if (np == 1 || (np == 2 && strcmp(parts[0], "x") == 0))
			return NC_WEAK;
		return has_key ? NC_WEAK : NC_PLAIN;
	}
	if (weak) {
		if (ctx)
			return NC_PLAIN;
		return NC_WEAK;
	}
	/* compounds inside one part: "myapikey", "userpassword", "dbpasswd" */
	if (strstr(joined, "password") || strstr(joined, "passwd") || strstr(joined, "apikey") ||
	    strstr(joined, "secret") || strstr(joined, "accesstoken") || strstr(joined, "passcode"))
		return NC_STRONG;
	return NC_PLAIN;
}

/* ---- token patterns ---- */

enum pclass { PC_ALNUM, PC_WORD, PC_WORDEQ, PC_WORDDOT, PC_UPPERDIGIT, PC_HEX, PC_LHEX, PC_B64, PC_PATH };

struct pattern {
	char prefix[48];
	size_t plen;
	enum pclass cls;
	size_t min, max, keep;
};

static const char patterns_text[] =
#include "secret-patterns.inc"
	;

static struct pattern *pats;
static size_t npats;
static unsigned char pat_first[256];
#define PAT_PER_BYTE 16
static unsigned char pat_idx[256][PAT_PER_BYTE]; /* patterns by first byte, file order */
/* Second bytes that some pattern of each first byte allows (a bitmap per
 * first byte): most words are ruled out before any prefix is compared. */
static unsigned char pat_second[256][32];

static int pclass_has(enum pclass k, unsigned char c)
{
	switch (k) {
	case PC_ALNUM: return RC_IS(c, RC_ALNUM) != 0;
	case PC_WORD: return RC_IS(c, RC_WORD) != 0;
	case PC_WORDEQ: return RC_IS(c, RC_WORD) || c == '=';
	case PC_WORDDOT: return RC_IS(c, RC_WORD) || c == '.';
	case PC_UPPERDIGIT: return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	case PC_HEX: return RC_IS(c, RC_HEX) || (c >= 'A' && c <= 'F');
	case PC_LHEX: return RC_IS(c, RC_HEX) != 0;
	case PC_B64: return RC_IS(c, RC_ALNUM) || c == '+' || c == '/' || c == '=';
	case PC_PATH: return RC_IS(c, RC_WORD) || c == '/';
	}
	return 0;
}

static int pclass_parse(const char *s, enum pclass *k)
{
	static const char *const names[] = { "alnum", "word", "wordeq", "worddot", "upperdigit",
					     "hex", "lhex", "b64", "path" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i]) == 0) {
			*k = (enum pclass)i;
			return 0;
		}
	return -1;
}

/* Parse the embedded pattern table; lines that do not parse are skipped
 * (the build's unit test checks that every line parses). */
static void load_patterns(void)
{
	const char *p = patterns_text;
	size_t alloc = 0;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char line[256], id[64], prefix[64], cls[32];
		unsigned long mn, mx, keep;
		struct pattern pt;

		if (len < sizeof line && p[0] != '#') {
			memcpy(line, p, len);
			line[len] = '\0';
			if (sscanf(line, "%63s %63s %31s %lu %lu %lu", id, prefix, cls, &mn, &mx, &keep) == 6 &&
			    strlen(prefix) < sizeof pt.prefix && pclass_parse(cls, &pt.cls) == 0 && mn <= mx) {
				strcpy(pt.prefix, prefix);
				pt.plen = strlen(prefix);
				pt.min = mn;
				pt.max = mx;
				pt.keep = keep > 8 ? 8 : keep;
				unsigned char f = (unsigned char)prefix[0];
				if (pat_first[f] < PAT_PER_BYTE && npats < 255) {
					pats = xgrow(pats, &alloc, npats + 1, sizeof *pats);
					pat_idx[f][pat_first[f]++] = (unsigned char)npats;
					pats[npats++] = pt;
					for (unsigned c = 0; c < 256; c++)
						if (pt.plen > 1 ? c == (unsigned char)prefix[1]
							       : pclass_has(pt.cls, (unsigned char)c) || pt.min == 0)
							pat_second[f][c >> 3] |= (unsigned char)(1u << (c & 7));
				}
			}
		}
		p += len + (e != NULL);
	}
}

size_t rc_pattern_count(void);
size_t rc_pattern_count(void)
{
	return npats;
}

int rc_pattern_first(unsigned char c)
{
	return pat_first[c];
}

size_t rc_pattern_at(const char *s, size_t n, size_t *keep)
{
	size_t best = 0;

	if (!pat_first[(unsigned char)s[0]] ||
	    (n > 1 && !(pat_second[(unsigned char)s[0]][(unsigned char)s[1] >> 3] &
			(1u << ((unsigned char)s[1] & 7)))))
		return 0;
	/* The first in file order wins: "sk-proj-" before "sk-". */
	for (size_t m = 0; m < pat_first[(unsigned char)s[0]]; m++) {
		const struct pattern *pt = &pats[pat_idx[(unsigned char)s[0]][m]];
		size_t j;
		if (pt->prefix[0] != s[0] || n < pt->plen + pt->min || memcmp(s, pt->prefix, pt->plen) != 0)
			continue;
		for (j = pt->plen; j < n && j - pt->plen <= pt->max && pclass_has(pt->cls, (unsigned char)s[j]); j++)
			;
		if (j - pt->plen < pt->min || j - pt->plen > pt->max)
			continue;
		/* standing alone: no word character right after */
		if (j < n && RC_IS(s[j], RC_ALNUM))
			continue;
		best = j;
		*keep = pt->keep;
		break;
	}
	return best;
}

/* ---- values ---- */

int rc_random_like(const char *p, size_t n)
{
	int lower = 0, upper = 0, digit = 0, mixed_run = 0, run_alpha = 0, run_digit = 0;
	unsigned counts[256];
	double h = 0;

	if (n < 12 || n > 8192)
		return 0;
	memset(counts, 0, sizeof counts);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c >= 0x7f)
			return 0; /* prose, markup, not one token */
		counts[c]++;
		if (c >= 'a' && c <= 'z')
			lower = 1, run_alpha = 1;
		else if (c >= 'A' && c <= 'Z')
			upper = 1, run_alpha = 1;
		else if (c >= '0' && c <= '9')
			digit = 1, run_digit = 1;
		else {
			run_alpha = run_digit = 0;
			continue;
		}
		if (run_alpha && run_digit)
			mixed_run = 1;
	}
	for (int c = 0; c < 256; c++)
		if (counts[c]) {
			double q = (double)counts[c] / (double)n;
			h -= q * log2(q);
		}
	/* An identifier ("TOKEN_EXPIRED_2024_01", "invalid_grant") has runs
	 * of letters or of digits, never both in one run. */
	if (!mixed_run && !(lower && upper && n >= 20 && h >= 3.5))
		return 0;
	if (!digit) {
		/* letters only: "InvalidClientTokenId" is camelCase words */
		size_t up = 0, low = 0;
		for (size_t i = 0; i < n; i++) {
			if (p[i] >= 'A' && p[i] <= 'Z')
				up++;
			else if (p[i] >= 'a' && p[i] <= 'z')
				low++;
		}
		if (up == 0 || low >= up * 5 / 2)
			return 0;
	}
	if (lower + upper + digit < 2)
		return 0;
	return h >= (n >= 24 ? 3.2 : 2.8);
}

int rc_never_value(const char *p, size_t n)
{
	/* an ARN is one word: a value that starts like one and goes on past
	 * a blank (an unclosed string, a line of text) is not harmless */
	if (n < 4 || memcmp(p, "arn:", 4) != 0)
		return 0;
	for (size_t i = 4; i < n; i++)
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')
			return 0;
	return 1;
}

/* ---- the registry ---- */

#define REG_SLOTS 65536 /* table slots; entries kept at most: REG_SLOTS / 2 */
#define REG_NONE UINT32_MAX

/* Secrets often share their first bytes (every HS256 JWT starts with the
 * same 36 characters, cookies of one site with their name), so entries
 * are grouped by their first 8 bytes (the lookup key of rc_registry_at,
 * which does not know where a secret ends) and found again for dedupe by
 * a hash of the whole value: adding is constant time whatever the
 * prefixes, and a lookup compares the last 8 bytes before the rest. */
struct reg_entry {
	uint64_t k8;    /* first 8 bytes */
	uint64_t tail8; /* last 8 bytes */
	uint64_t h;     /* hash of the whole value */
	char *s;
	size_t n;
	uint32_t next;  /* next entry of the same group, or REG_NONE */
};

static struct reg_entry *reg;      /* REG_SLOTS / 2 entries */
static size_t reg_count;
static uint32_t *reg_group;         /* by k8: first entry + 1 of its group, 0 empty */
static uint32_t *reg_dedupe;        /* by h: entry + 1, 0 empty */
static unsigned char reg_bits[65536 / 8]; /* by a hash of the first 4 bytes */

static uint64_t load8(const char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static unsigned hash4(const char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return (unsigned)((v * 2654435761u) >> 16);
}

static size_t slot_of(uint64_t k)
{
	return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 48) & (REG_SLOTS - 1);
}

void rc_registry_add(const char *p, size_t n)
{
	uint64_t k, h;
	size_t i, g;
	struct reg_entry *e;

	if (n < RC_REG_MIN || n > 4096 || reg_count >= REG_SLOTS / 2)
		return;
	if (!reg) {
		reg = xcalloc(REG_SLOTS / 2, sizeof *reg);
		reg_group = xcalloc(REG_SLOTS, sizeof *reg_group);
		reg_dedupe = xcalloc(REG_SLOTS, sizeof *reg_dedupe);
	}
	h = fnv1a(p, n);
	for (i = slot_of(h); reg_dedupe[i]; i = (i + 1) & (REG_SLOTS - 1)) {
		e = &reg[reg_dedupe[i] - 1];
		if (e->h == h && e->n == n && memcmp(e->s, p, n) == 0)
			return;
	}
	k = load8(p);
	for (g = slot_of(k); reg_group[g] && reg[reg_group[g] - 1].k8 != k; g = (g + 1) & (REG_SLOTS - 1))
		;
	e = &reg[reg_count];
	e->k8 = k;
	e->tail8 = load8(p + n - 8);
	e->h = h;
	e->s = xmalloc(n);
	memcpy(e->s, p, n);
	e->n = n;
	e->next = reg_group[g] ? reg_group[g] - 1 : REG_NONE;
	reg_group[g] = (uint32_t)reg_count + 1;
	reg_dedupe[i] = (uint32_t)reg_count + 1;
	reg_count++;
	{
		unsigned b = hash4(p);
		reg_bits[b >> 3] |= (unsigned char)(1u << (b & 7));
	}
}

size_t rc_registry_at(const char *s, size_t n)
{
	uint64_t k;
	size_t best = 0, g;
	unsigned h;

	if (!reg_count || n < RC_REG_MIN)
		return 0;
	h = hash4(s);
	if (!(reg_bits[h >> 3] & (1u << (h & 7))))
		return 0;
	k = load8(s);
	for (g = slot_of(k); reg_group[g]; g = (g + 1) & (REG_SLOTS - 1)) {
		uint32_t i = reg_group[g] - 1;
		if (reg[i].k8 != k)
			continue;
		for (; i != REG_NONE; i = reg[i].next) {
			const struct reg_entry *e = &reg[i];
			if (e->n <= n && e->n > best && load8(s + e->n - 8) == e->tail8 &&
			    memcmp(e->s, s, e->n) == 0)
				best = e->n;
		}
		break;
	}
	return best;
}

int rc_registry_empty(void)
{
	return reg_count == 0;
}

/* ---- tables ---- */

void rc_init(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	for (int c = 0; c < 256; c++) {
		unsigned char v = 0;
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (alnum)
			v |= RC_ALNUM | RC_WORD | RC_NAME;
		if (c == '_' || c == '-')
			v |= RC_WORD | RC_NAME;
		if (c == '.')
			v |= RC_NAME;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v')
			v |= RC_SPACE;
		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
			v |= RC_HEX;
		if (c >= '0' && c <= '9')
			v |= RC_DIGIT;
		if (c == '&' || c == ';' || c == '#' || c == '"' || c == '\'' || c == '<' || c == '>' ||
		    c == '\\' || (v & RC_SPACE))
			v |= RC_PEND;
		if (!alnum && c != '_')
			v |= RC_START; /* punctuation: quotes, '<', ':', '-', '%', '=' ... */
		rc_cls[c] = v;
	}
	load_patterns();
}
