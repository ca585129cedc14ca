/* log-record.c - building one exchange of kind log from a server log
 * record: the setters the line parsers share, and times (log-int.h). */
#include <config.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log-int.h"
#include "util.h"

/* True for a field name that holds a credential (dropped, never stored). */
int log_secret_key(const char *k)
{
	static const char *const names[] = { "authorization", "proxy-authorization", "cookie",
		"set-cookie", "x-api-key", "api-key", "apikey", "password", "passwd", "secret", "token",
		"access_token", "client_secret", "request_authorization", "request_cookie",
		"http_authorization", "http_cookie", "ClientRequestHeaders", NULL };
	for (int i = 0; names[i]; i++)
		if (!ascii_casecmp(k, names[i]))
			return 1;
	return ascii_casestr(k, strlen(k), "authorization") != NULL ||
	       ascii_casestr(k, strlen(k), "cookie") != NULL;
}

void logrec_init(struct logrec *r, struct exchange *ex, size_t line, const char *producer)
{
	r->ex = ex;
	r->line = line;
	r->log = json_object();
	r->fields = json_object();
	json_object_set_new(r->log, "producer", json_string(producer));
	json_object_set_new(r->log, "line", json_integer((json_int_t)line));
}

void logrec_discard(struct logrec *r)
{
	json_decref(r->log);
	json_decref(r->fields);
	r->log = r->fields = NULL;
}

int lr_fail(struct logrec *r)
{
	logrec_discard(r);
	exchange_release(r->ex);
	exchange_init(r->ex);
	return 0;
}

void logrec_finish(struct logrec *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "log", r->log);
	if (json_object_size(r->fields))
		json_object_set_new(o, "fields", r->fields);
	else
		json_decref(r->fields);
	r->log = r->fields = NULL;
	free(r->ex->extra);
	r->ex->extra = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	r->ex->kind = EXCHANGE_LOG;
}

static int unknown(const char *v, size_t n)
{
	return !v || n == 0 || (n == 1 && v[0] == '-');
}

static json_t *jstrn(const char *v, size_t n)
{
	if (n > LOG_VALUE_CAP)
		n = LOG_VALUE_CAP;
	/* jansson wants UTF-8: a byte string that is not is kept escaped */
	if (!utf8_valid(v, n)) {
		struct sbuf b = SBUF_INIT;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)v[i];
			if (c >= 0x80)
				sbuf_addf(&b, "\\x%02x", c);
			else
				sbuf_addc(&b, c);
		}
		json_t *j = json_stringn(b.data ? b.data : "", b.len);
		sbuf_release(&b);
		return j;
	}
	return json_stringn(v, n);
}

void lr_log(struct logrec *r, const char *key, const char *v, size_t n)
{
	if (unknown(v, n) || json_object_get(r->log, key))
		return;
	json_object_set_new(r->log, key, jstrn(v, n));
}

void lr_field(struct logrec *r, const char *key, const char *v, size_t n)
{
	if (!v || log_secret_key(key))
		return;
	json_object_set_new(r->fields, key, jstrn(v, n));
}

void lr_status(struct logrec *r, const char *v, size_t n, const char *field)
{
	struct exchange *ex = r->ex;
	if (n != 3 || !isdigit((unsigned char)v[0]) || !isdigit((unsigned char)v[1]) ||
	    !isdigit((unsigned char)v[2]) || ex->status != STATUS_UNKNOWN)
		return;
	int st = atoi(v);
	if (st < 100 || st > 599)
		return;
	ex->status = st;
	free(ex->status_source);
	ex->status_source = xasprintf("log line %zu: %s %d", r->line, field, st);
}

void lr_method(struct logrec *r, const char *v, size_t n)
{
	if (unknown(v, n) || n > 20 || r->ex->method)
		return;
	for (size_t i = 0; i < n; i++)
		if (!isalpha((unsigned char)v[i]) && v[i] != '-' && v[i] != '_')
			return;
	r->ex->method = xstrndup(v, n);
	for (char *p = r->ex->method; *p; p++)
		*p = (char)toupper((unsigned char)*p);
}

void lr_host(struct logrec *r, const char *v, size_t n)
{
	struct exchange *ex = r->ex;
	if (unknown(v, n) || n > 253 || ex->host)
		return;
	size_t hl = n;
	/* "host:port" (not an IPv6 literal) */
	const char *c = memchr(v, ':', n);
	if (c && v[0] != '[' && !memchr(c + 1, ':', n - (size_t)(c - v) - 1)) {
		hl = (size_t)(c - v);
		long port;
		if (ex->port < 0 && parse_long(c + 1, n - hl - 1, &port) == 0 && port > 0 && port < 65536)
			ex->port = (int)port;
	}
	if (!hl)
		return;
	ex->host = xstrndup(v, hl);
	ascii_lower(ex->host);
	ex->host_source = xasprintf("log line %zu: host", r->line);
}

void lr_target(struct logrec *r, const char *v, size_t n)
{
	struct exchange *ex = r->ex;
	if (unknown(v, n) || ex->url || n > LOG_VALUE_CAP)
		return;
	char *u = xstrndup(v, n);
	if (strstr(u, "://") || u[0] == '/' || u[0] == '*') {
		char *host = ex->host;
		int port = ex->port;
		ex->host = NULL;
		exchange_set_url(ex, u);
		if (!ex->host) {
			ex->host = host;
			if (ex->port < 0)
				ex->port = port;
		} else {
			free(host);
			free(ex->host_source);
			ex->host_source = xasprintf("log line %zu: request URL", r->line);
		}
		ex->url_source = xasprintf("log line %zu: request", r->line);
	}
	free(u);
}

void lr_absolute_url(struct logrec *r)
{
	struct exchange *ex = r->ex;
	if (!ex->scheme || !ex->host || !ex->url || ex->url[0] != '/')
		return;
	char *u = xasprintf("%s://%s%s", ex->scheme, ex->host, ex->url);
	int port = ex->port;
	free(ex->url);
	ex->url = NULL;
	exchange_set_url(ex, u);
	if (ex->port < 0)
		ex->port = port;
	free(u);
}

void lr_request_line(struct logrec *r, const char *v, size_t n)
{
	const char *e = v + n, *sp1, *sp2;
	if (unknown(v, n))
		return;
	sp1 = memchr(v, ' ', n);
	if (!sp1) {
		lr_field(r, "request", v, n);
		return;
	}
	lr_method(r, v, (size_t)(sp1 - v));
	if (!r->ex->method) {
		/* bytes that are no request ("\x16\x03\x01" of a TLS hello) */
		lr_field(r, "request", v, n);
		return;
	}
	sp1++;
	sp2 = e;
	while (sp2 > sp1 && sp2[-1] != ' ')
		sp2--;
	if (sp2 > sp1 && e - sp2 >= 5 && !strncmp(sp2, "HTTP/", 5)) {
		char *ver = xstrndup(sp2, (size_t)(e - sp2));
		r->ex->http_version = http_version_normalize(ver);
		free(ver);
		lr_target(r, sp1, (size_t)(sp2 - 1 - sp1));
	} else {
		lr_target(r, sp1, (size_t)(e - sp1));
	}
}

void lr_req_header(struct logrec *r, const char *name, const char *v, size_t n)
{
	if (unknown(v, n))
		return;
	hdr_list_add(&r->ex->req_headers, name, strlen(name), v, n);
}

void lr_timing(struct logrec *r, double *slot, const char *v, size_t n, double mult)
{
	char buf[40];
	char *end;
	if (unknown(v, n) || *slot >= 0)
		return;
	/* nginx over several upstreams: "0.001, 0.002" or "0.001 : 0.002"; the last */
	for (size_t i = n; i > 0; i--)
		if (v[i - 1] == ' ' || v[i - 1] == ',' || v[i - 1] == ':') {
			n -= i;
			v += i;
			break;
		}
	if (unknown(v, n) || n >= sizeof buf)
		return;
	memcpy(buf, v, n);
	buf[n] = 0;
	double d = strtod(buf, &end);
	if (end == buf || d < 0 || !isfinite(d))
		return;
	if (!strcmp(end, "ms") && mult == 1000)
		mult = 1;
	else if (*end && strcmp(end, "ms") && strcmp(end, "s"))
		return;
	*slot = d * mult;
}

void lr_request_id(struct logrec *r, const char *v, size_t n, const char *hdr)
{
	if (unknown(v, n) || n > 256)
		return;
	lr_log(r, "request_id", v, n);
	if (hdr)
		lr_req_header(r, hdr, v, n);
}

/* ---------------------------------------------------------------- */
/* Time */

long long log_days_of(int y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void log_date_of(long long z, int *y, int *m, int *d)
{
	z += 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	long long doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

void lr_time(struct logrec *r, int y, int mo, int d, int h, int mi, int s, int ms, int zoned,
	     int off_min)
{
	struct exchange *ex = r->ex;
	if (ex->started_at || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 ||
	    h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60 || ms < 0 || ms > 999)
		return;
	if (zoned) {
		long long t = log_days_of(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - (long long)off_min * 60;
		long long days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
		long long sec = t - days * 86400;
		log_date_of(days, &y, &mo, &d);
		h = (int)(sec / 3600);
		mi = (int)(sec / 60 % 60);
		s = (int)(sec % 60);
		ex->started_at = xasprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, s, ms);
	} else {
		ex->started_at = xasprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03d", y, mo, d, h, mi, s, ms);
		json_object_set_new(r->log, "zone", json_string("none"));
	}
}

/* Digits at p: exactly w of them into *out. */
static int num(const char *p, int w, int *out)
{
	int v = 0;
	for (int i = 0; i < w; i++) {
		if (!isdigit((unsigned char)p[i]))
			return 0;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 1;
}

/* Fraction of a second at p (after the '.'): milliseconds; *len digits. */
static int frac_ms(const char *p, size_t n, size_t *len)
{
	size_t i = 0;
	int ms = 0;
	while (i < n && isdigit((unsigned char)p[i])) {
		if (i < 3)
			ms = ms * 10 + (p[i] - '0');
		i++;
	}
	for (size_t k = i; k < 3; k++)
		ms *= 10;
	*len = i;
	return ms;
}

/* "Z", "+00:00", "-0700" at p: offset in minutes; returns bytes read, 0 none. */
static size_t zone_at(const char *p, size_t n, int *off)
{
	int hh, mm;
	if (n >= 1 && (p[0] == 'Z' || p[0] == 'z')) {
		*off = 0;
		return 1;
	}
	if (n >= 5 && (p[0] == '+' || p[0] == '-') && num(p + 1, 2, &hh)) {
		size_t k = 3;
		if (p[3] == ':')
			k = 4;
		if (n >= k + 2 && num(p + k, 2, &mm)) {
			*off = (hh * 60 + mm) * (p[0] == '-' ? -1 : 1);
			return k + 2;
		}
	}
	return 0;
}

int lr_time_iso(struct logrec *r, const char *v, size_t n)
{
	int y, mo, d, h, mi, s, ms = 0, off = 0;
	size_t k = 19, fl;
	if (n < 19 || !num(v, 4, &y) || (v[4] != '-' && v[4] != '/') || !num(v + 5, 2, &mo) ||
	    v[7] != v[4] || !num(v + 8, 2, &d) || (v[10] != 'T' && v[10] != ' ') || !num(v + 11, 2, &h) ||
	    v[13] != ':' || !num(v + 14, 2, &mi) || v[16] != ':' || !num(v + 17, 2, &s))
		return 0;
	if (k < n && (v[k] == '.' || v[k] == ',')) {
		ms = frac_ms(v + k + 1, n - k - 1, &fl);
		k += 1 + fl;
	}
	size_t z = zone_at(v + k, n - k, &off);
	lr_time(r, y, mo, d, h, mi, s, ms, z > 0, off);
	return 1;
}

static int month_of(const char *p)
{
	static const char *const m[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	for (int i = 0; i < 12; i++)
		if (!strncmp(p, m[i], 3))
			return i + 1;
	return 0;
}

int lr_time_clf(struct logrec *r, const char *v, size_t n)
{
	int y, mo, d, h, mi, s, ms = 0, off = 0;
	size_t k = 20, fl;
	/* 10/Oct/2000:13:55:36[.655] [-0700] */
	if (n < 20 || !num(v, 2, &d) || v[2] != '/' || !(mo = month_of(v + 3)) || v[6] != '/' ||
	    !num(v + 7, 4, &y) || v[11] != ':' || !num(v + 12, 2, &h) || v[14] != ':' ||
	    !num(v + 15, 2, &mi) || v[17] != ':' || !num(v + 18, 2, &s))
		return 0;
	if (k < n && v[k] == '.') {
		ms = frac_ms(v + k + 1, n - k - 1, &fl);
		k += 1 + fl;
	}
	while (k < n && v[k] == ' ')
		k++;
	size_t z = zone_at(v + k, n - k, &off);
	lr_time(r, y, mo, d, h, mi, s, ms, z > 0, off);
	return 1;
}

/* Apache error log: "Fri Sep 09 10:42:29.902022 2011" (no zone). */
int lr_time_apache(struct logrec *r, const char *v, size_t n)
{
	int y, mo, d, h, mi, s, ms = 0;
	size_t k, fl;
	if (n < 24 || v[3] != ' ' || !(mo = month_of(v + 4)) || v[7] != ' ' ||
	    !(num(v + 8, 2, &d) || (v[8] == ' ' && num(v + 9, 1, &d))) || v[10] != ' ' ||
	    !num(v + 11, 2, &h) || v[13] != ':' || !num(v + 14, 2, &mi) || v[16] != ':' ||
	    !num(v + 17, 2, &s))
		return 0;
	k = 19;
	if (v[k] == '.') {
		ms = frac_ms(v + k + 1, n - k - 1, &fl);
		k += 1 + fl;
	}
	if (k + 5 > n || v[k] != ' ' || !num(v + k + 1, 4, &y))
		return 0;
	lr_time(r, y, mo, d, h, mi, s, ms, 0, 0);
	return 1;
}

int lr_time_epoch(struct logrec *r, double v)
{
	/* seconds, milliseconds, microseconds or nanoseconds since 1970 */
	if (!isfinite(v) || v <= 0)
		return 0;
	while (v > 1e11)
		v /= 1000;
	if (v < 1e8)
		return 0;
	long long t = (long long)floor(v);
	int ms = (int)((v - (double)t) * 1000 + 0.5);
	if (ms > 999)
		ms = 999;
	long long days = t / 86400, sec = t % 86400;
	int y, mo, d;
	log_date_of(days, &y, &mo, &d);
	lr_time(r, y, mo, d, (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60), ms, 1, 0);
	return 1;
}
