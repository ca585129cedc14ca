/* redact-jwt.c - what the redactor keeps of a JWT (algorithm, issuer,
 * audience, expiry and whether it had expired when the request was made)
 * and the ISO 8601 times it compares.  See redact-int.h for the layers.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "redact-int.h"

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
int rd_parse_iso(const char *s, long long *out)
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
size_t rd_jwt_len(const char *p, size_t n)
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
int rd_jwt_summary(struct redactor *r, const char *p, size_t n, struct sbuf *out)
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
