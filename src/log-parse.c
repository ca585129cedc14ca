/* log-parse.c - one line of a text server log as one exchange of kind log.
 *
 * Each producer is recognised from the line itself (log-int.h):
 *
 *   access    nginx / Apache common and combined, with what nginx configs
 *             commonly append ($request_time, $upstream_*, $request_id,
 *             key=value pairs); ingress-nginx's default format; Traefik's
 *             CLF with router, server URL and duration
 *   nginx error log   "2024/01/02 03:04:05 [error] 7#7: *9 <message>,
 *             client: ..., server: ..., request: "...", upstream: "...",
 *             host: "..."
 *   Apache error log  "[Fri Sep 09 10:42:29.902022 2011] [proxy_http:error]
 *             [pid ..] (70007)...: [client ...] AH01102: ..."
 *   Heroku router     "... heroku[router]: at=error code=H12 desc=..."
 *   Envoy / Istio     "[2024-...Z] "GET /x HTTP/1.1" 503 UH ..."
 *   HAProxy HTTP      "client:port [accept date] fe be/srv Tq/Tw/Tc/Tr/Tt
 *             status bytes - - TERM conns queues {..} "GET / HTTP/1.1""
 *   AWS ALB           "https 2024-...Z app/lb/id client:port target:port ...",
 *             and the Classic Load Balancer's form without the type
 *   W3C               IIS and CloudFront, by the file's #Fields: directive
 *
 * Also Apache's vhost_combined, ingress-nginx's older formats, nginx error
 * lines behind a syslog prefix or pasted without their time, and any of
 * these as Kubernetes keeps them (containerd "<time> stdout F <line>",
 * kubectl --timestamps, docker's json-file {"log": ...}).
 */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log-int.h"
#include "util.h"

#define TOK_MAX 64

/* A token of a log line: bare, "quoted", [bracketed] or {braced}; p/n is
 * the inside. */
struct tok {
	const char *p;
	size_t n;
	char kind; /* ' ', '"', '[', '{' */
};

/* Split t into tokens.  A quote inside a bare token (key="a b") runs to
 * its closing quote; "a, b" lists (nginx's several upstreams) stay one. */
static size_t tokenize(const char *t, struct tok *v, size_t max)
{
	size_t n = 0;
	const char *p = t;
	while (*p && n < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		struct tok *k = &v[n++];
		if (*p == '"' || *p == '[' || *p == '{') {
			char close = *p == '"' ? '"' : *p == '[' ? ']' : '}';
			k->kind = *p;
			k->p = ++p;
			while (*p && *p != close) {
				if (*p == '\\' && p[1])
					p++;
				p++;
			}
			k->n = (size_t)(p - k->p);
			if (*p)
				p++;
			continue;
		}
		k->kind = ' ';
		k->p = p;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1])
						p++;
					p++;
				}
				if (*p)
					p++;
				continue;
			}
			if (*p == ',' && p[1] == ' ' && p[2] && p[2] != ' ')
				p += 2;
			else
				p++;
		}
		k->n = (size_t)(p - k->p);
	}
	return n;
}

static int all_digits(const char *p, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return 0;
	return 1;
}

/* A number as logged: digits with at most one '.', or "-". */
static int numeric(const struct tok *k)
{
	int dots = 0;
	if (k->kind != ' ' || !k->n)
		return 0;
	if (k->n == 1 && k->p[0] == '-')
		return 1;
	for (size_t i = 0; i < k->n; i++) {
		if (k->p[i] == '.')
			dots++;
		else if (!isdigit((unsigned char)k->p[i]))
			return 0;
	}
	return dots <= 1;
}

static int is_status(const struct tok *k)
{
	return k->kind == ' ' && k->n == 3 && all_digits(k->p, 3) && k->p[0] >= '1' && k->p[0] <= '5';
}

static int unknown_tok(const char *p, size_t n)
{
	return !n || (n == 1 && p[0] == '-');
}

static int tok_is(const struct tok *k, const char *s)
{
	return k->n == strlen(s) && !memcmp(k->p, s, k->n);
}

/* "10.0.0.1:8080", "[::1]:80", "unix:/run/app.sock", "http://x": an address. */
static int addr_like(const char *p, size_t n)
{
	if (n >= 5 && !strncmp(p, "unix:", 5))
		return 1;
	if (n > 7 && (!strncmp(p, "http://", 7) || !strncmp(p, "https://", 8)))
		return 1;
	const char *c = NULL;
	for (size_t i = n; i > 0; i--)
		if (p[i - 1] == ':') {
			c = p + i - 1;
			break;
		}
	if (!c || c == p)
		return 0;
	size_t pl = n - (size_t)(c - p) - 1;
	if (!all_digits(c + 1, pl))
		return 0;
	for (const char *q = p; q < c; q++)
		if (!isalnum((unsigned char)*q) && !strchr(".-:[]_", *q))
			return 0;
	return 1;
}

/* A request ID as logged: 16+ hex digits, or a UUID. */
static int rid_like(const char *p, size_t n)
{
	if (n < 16 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)p[i]) && p[i] != '-')
			return 0;
	return 1;
}

static void fieldk(struct logrec *r, const char *key, const struct tok *k)
{
	lr_field(r, key, k->p, k->n);
}

/* ---------------------------------------------------------------- */
/* access logs */

/* One key=value an nginx log_format appended. */
static void access_pair(struct logrec *r, const char *k, size_t kl, const char *v, size_t vl)
{
	struct exchange *ex = r->ex;
	char key[64];
	if (kl >= sizeof key)
		return;
	memcpy(key, k, kl);
	key[kl] = 0;
	if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
		v++;
		vl -= 2;
	}
	lr_field(r, key, v, vl);
	static const char *const total[] = { "rt", "request_time", NULL };
	static const char *const wait[] = { "urt", "upstream_response_time", NULL };
	static const char *const conn[] = { "uct", "upstream_connect_time", NULL };
	static const char *const addr[] = { "ua", "upstream_addr", "upstream", NULL };
	static const char *const ust[] = { "us", "upstream_status", NULL };
	static const char *const rid[] = { "request_id", "req_id", "rid", "reqid", "x_request_id",
					   "requestid", NULL };
	static const char *const host[] = { "host", "vhost", "http_host", "server_name", NULL };
	for (int i = 0; total[i]; i++)
		if (!strcmp(key, total[i]))
			lr_timing(r, &ex->timings.total, v, vl, 1000);
	for (int i = 0; wait[i]; i++)
		if (!strcmp(key, wait[i]))
			lr_timing(r, &ex->timings.wait, v, vl, 1000);
	for (int i = 0; conn[i]; i++)
		if (!strcmp(key, conn[i]))
			lr_timing(r, &ex->timings.connect, v, vl, 1000);
	for (int i = 0; addr[i]; i++)
		if (!strcmp(key, addr[i]))
			lr_log(r, "upstream.addr", v, vl);
	for (int i = 0; ust[i]; i++)
		if (!strcmp(key, ust[i]))
			lr_log(r, "upstream.status", v, vl);
	for (int i = 0; rid[i]; i++)
		if (!strcmp(key, rid[i]))
			lr_request_id(r, v, vl, NULL);
	for (int i = 0; host[i]; i++)
		if (!strcmp(key, host[i]))
			lr_host(r, v, vl);
}

/* What follows "status bytes "referer" "agent"" in a combined line. */
static const char *access_rest(struct logrec *r, struct tok *k, size_t n)
{
	struct exchange *ex = r->ex;
	/* ingress-nginx: $request_length $request_time [$proxy_upstream_name]
	 * [$proxy_alternative_upstream_name] $upstream_addr
	 * $upstream_response_length $upstream_response_time $upstream_status $req_id */
	if (n >= 8 && numeric(&k[0]) && numeric(&k[1]) && k[2].kind == '[') {
		/* releases before 0.21 have no [$proxy_alternative_upstream_name] */
		size_t a = k[3].kind == '[' ? 4 : 3;
		if (n >= a + 5) {
			fieldk(r, "request_length", &k[0]);
			lr_timing(r, &ex->timings.total, k[1].p, k[1].n, 1000);
			fieldk(r, "proxy_upstream_name", &k[2]);
			if (a == 4 && k[3].n)
				fieldk(r, "proxy_alternative_upstream_name", &k[3]);
			lr_log(r, "upstream.addr", k[a].p, k[a].n);
			fieldk(r, "upstream_response_length", &k[a + 1]);
			lr_timing(r, &ex->timings.wait, k[a + 2].p, k[a + 2].n, 1000);
			lr_log(r, "upstream.status", k[a + 3].p, k[a + 3].n);
			lr_request_id(r, k[a + 4].p, k[a + 4].n, NULL);
			return "ingress-nginx";
		}
	}
	/* Traefik CLF: count "router" "server URL" Nms */
	if (n >= 4 && k[0].kind == ' ' && all_digits(k[0].p, k[0].n) && k[1].kind == '"' &&
	    k[2].kind == '"' && k[3].kind == ' ' && k[3].n > 2 && !strncmp(k[3].p + k[3].n - 2, "ms", 2)) {
		fieldk(r, "request_count", &k[0]);
		fieldk(r, "router", &k[1]);
		lr_log(r, "upstream.addr", k[2].p, k[2].n);
		lr_timing(r, &ex->timings.total, k[3].p, k[3].n, 1);
		return "traefik";
	}
	/* nginx configs: key=value pairs, or bare $request_time
	 * $upstream_response_time $upstream_addr $upstream_status $request_id */
	int floats = 0, addr = 0;
	for (size_t i = 0; i < n; i++) {
		const char *eq = k[i].kind == ' ' ? memchr(k[i].p, '=', k[i].n) : NULL;
		char key[24];
		if (eq && eq > k[i].p) {
			access_pair(r, k[i].p, (size_t)(eq - k[i].p), eq + 1, k[i].n - (size_t)(eq - k[i].p) - 1);
			continue;
		}
		snprintf(key, sizeof key, "rest.%zu", i + 1);
		fieldk(r, key, &k[i]);
		if (numeric(&k[i]) && memchr(k[i].p, '.', k[i].n)) {
			lr_timing(r, floats++ ? &ex->timings.wait : &ex->timings.total, k[i].p, k[i].n, 1000);
		} else if (addr_like(k[i].p, k[i].n)) {
			lr_log(r, "upstream.addr", k[i].p, k[i].n);
			addr = 1;
		} else if (addr && is_status(&k[i])) {
			lr_log(r, "upstream.status", k[i].p, k[i].n);
		} else if (rid_like(k[i].p, k[i].n)) {
			lr_request_id(r, k[i].p, k[i].n, NULL);
		}
	}
	return NULL;
}

static int access_line(const char *t, size_t line, struct exchange *ex)
{
	struct tok kk[TOK_MAX], *k = kk;
	size_t n = tokenize(t, kk, TOK_MAX);
	struct logrec r;
	/* Apache's vhost_combined puts "host:port " before the client */
	int vhost = n >= 8 && kk[0].kind == ' ' && kk[4].kind == '[' && addr_like(kk[0].p, kk[0].n);
	/* ingress-nginx before 0.20: "$remote_addr - [$the_real_ip] - $remote_user [...]" */
	int realip = !vhost && n >= 9 && kk[1].kind == ' ' && kk[2].kind == '[' && kk[5].kind == '[';
	if (vhost) {
		k = kk + 1;
		n--;
	} else if (realip) {
		k = kk + 2;
		n -= 2;
	}
	/* client ident user [time] "request" status bytes */
	if (n < 7 || (k[0].kind != ' ' && !realip) || k[3].kind != '[' || k[4].kind != '"' ||
	    !is_status(&k[5]) || !numeric(&k[6]))
		return 0;
	logrec_init(&r, ex, line, "access");
	if (!lr_time_clf(&r, k[3].p, k[3].n)) {
		return lr_fail(&r);
	}
	if (vhost) {
		lr_field(&r, "vhost", kk[0].p, kk[0].n);
		lr_host(&r, kk[0].p, kk[0].n);
	} else if (realip) {
		lr_field(&r, "remote_addr", kk[0].p, kk[0].n);
		lr_log(&r, "client", kk[2].p, kk[2].n);
	}
	lr_log(&r, "client", k[0].p, k[0].n);
	if (!tok_is(&k[2], "-"))
		fieldk(&r, "remote_user", &k[2]);
	lr_request_line(&r, k[4].p, k[4].n);
	lr_status(&r, k[5].p, k[5].n, "status");
	lr_log(&r, "bytes", k[6].p, k[6].n);
	size_t rest = 7;
	if (n >= 9 && k[7].kind == '"' && k[8].kind == '"') {
		lr_req_header(&r, "referer", k[7].p, k[7].n);
		lr_req_header(&r, "user-agent", k[8].p, k[8].n);
		rest = 9;
	}
	const char *who = access_rest(&r, k + rest, n - rest);
	if (who)
		json_object_set_new(r.log, "producer", json_string(who));
	logrec_finish(&r);
	return 1;
}

/* ---------------------------------------------------------------- */
/* nginx error log */

/* ", key: value" pairs nginx appends to an error message. */
static void nginx_context(struct logrec *r, const char *p)
{
	/* request_id: Kong and other OpenResty builds append it */
	static const char *const keys[] = { "client", "server", "request", "upstream", "host",
					    "referrer", "subrequest", "request_id", NULL };
	while (*p) {
		const char *k = p;
		while (*p && *p != ':' && *p != ',' && *p != ' ')
			p++;
		if (*p != ':' || p[1] != ' ')
			return;
		size_t kl = (size_t)(p - k);
		p += 2;
		const char *v = p;
		size_t vl;
		if (*p == '"') {
			v = ++p;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				p++;
			}
			vl = (size_t)(p - v);
			if (*p)
				p++;
		} else {
			while (*p && !(*p == ',' && p[1] == ' '))
				p++;
			vl = (size_t)(p - v);
		}
		int known = 0;
		for (int i = 0; keys[i]; i++)
			known |= strlen(keys[i]) == kl && !strncmp(k, keys[i], kl);
		if (!known)
			return;
		char key[16];
		if (kl >= sizeof key)
			return;
		memcpy(key, k, kl);
		key[kl] = 0;
		lr_field(r, key, v, vl);
		if (!strcmp(key, "client"))
			lr_log(r, "client", v, vl);
		else if (!strcmp(key, "request"))
			lr_request_line(r, v, vl);
		else if (!strcmp(key, "upstream"))
			lr_log(r, "upstream.addr", v, vl);
		else if (!strcmp(key, "host"))
			lr_host(r, v, vl);
		else if (!strcmp(key, "referrer"))
			lr_req_header(r, "referer", v, vl);
		else if (!strcmp(key, "request_id"))
			lr_request_id(r, v, vl, NULL);
		if (*p == ',' && p[1] == ' ')
			p += 2;
		else
			return;
	}
}

/* "[error] 1234#1234: " at t: the level's span and what follows, or NULL. */
static const char *nginx_level(const char *t, const char **lv, size_t *lvl)
{
	static const char *const levels[] = { "debug", "info", "notice", "warn", "error", "crit",
					      "alert", "emerg", NULL };
	const char *le, *p;
	int known = 0;
	if (t[0] != '[' || !(le = strchr(t + 1, ']')) || le[1] != ' ')
		return NULL;
	for (int i = 0; levels[i]; i++)
		known |= (size_t)(le - t - 1) == strlen(levels[i]) && !strncmp(t + 1, levels[i], strlen(levels[i]));
	p = le + 2;
	if (!known || !isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p != '#')
		return NULL;
	p++;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p != ':')
		return NULL;
	p++;
	while (*p == ' ')
		p++;
	*lv = t + 1;
	*lvl = (size_t)(le - t - 1);
	return p;
}

static int nginx_error_line(const char *t, size_t line, struct exchange *ex)
{
	/* 2024/01/02 03:04:05 [error] 1234#1234: *5678 message, client: ...
	 * The time may follow a syslog or journal prefix, or be left out of
	 * the paste ("[error] 7#7: ..."), or only the message and its
	 * context may have been pasted. */
	const char *time = NULL, *lv = NULL, *p = NULL;
	size_t lvl = 0, tl = strlen(t);
	for (size_t i = 0; i + 21 < tl && i < 200 && !p; i++) {
		const char *d = t + i;
		if (isdigit((unsigned char)d[0]) && d[4] == '/' && d[7] == '/' && d[10] == ' ' && d[13] == ':' &&
		    d[19] == ' ' && d[20] == '[' && (i == 0 || d[-1] == ' ') &&
		    (p = nginx_level(d + 20, &lv, &lvl)) != NULL)
			time = d;
	}
	if (!p)
		p = nginx_level(t, &lv, &lvl);
	if (!p) {
		/* the message and its context alone */
		const char *c = strstr(t, ", client: ");
		if (!c || c == t || !strstr(c, ", request: \"") || !strstr(c, ", server: "))
			return 0;
		p = t;
	}
	struct logrec r;
	logrec_init(&r, ex, line, "nginx-error");
	if (time && !lr_time_iso(&r, time, 19))
		return lr_fail(&r);
	if (lv)
		lr_log(&r, "level", lv, lvl);
	if (*p == '*') {
		const char *c = p + 1;
		while (isdigit((unsigned char)*c))
			c++;
		lr_field(&r, "connection", p + 1, (size_t)(c - p - 1));
		p = c;
		while (*p == ' ')
			p++;
	}
	const char *ctx = strstr(p, ", client: ");
	size_t ml = ctx ? (size_t)(ctx - p) : strlen(p);
	lr_log(&r, "message", p, ml);
	/* "(110: Connection timed out)": the system error number */
	const char *par = memchr(p, '(', ml);
	if (par && isdigit((unsigned char)par[1])) {
		const char *c = par + 1;
		while (isdigit((unsigned char)*c))
			c++;
		if (*c == ':')
			lr_log(&r, "code", par + 1, (size_t)(c - par - 1));
	}
	if (ctx)
		nginx_context(&r, ctx + 2);
	logrec_finish(&r);
	return 1;
}

/* ---------------------------------------------------------------- */
/* Apache error log */

static int apache_error_line(const char *t, size_t line, struct exchange *ex)
{
	struct logrec r;
	const char *e;
	if (t[0] != '[' || !(e = strchr(t, ']')))
		return 0;
	logrec_init(&r, ex, line, "apache-error");
	if (!lr_time_apache(&r, t + 1, (size_t)(e - t - 1))) {
		return lr_fail(&r);
	}
	const char *p = e + 1;
	int got_level = 0;
	/* [module:level] or [level], [pid N:tid M], [client ip:port] */
	while (*p == ' ' && p[1] == '[') {
		const char *b = p + 2, *c = strchr(b, ']');
		if (!c)
			break;
		size_t bl = (size_t)(c - b);
		if (!strncmp(b, "pid ", 4)) {
			lr_field(&r, "pid", b + 4, bl - 4);
		} else if (!strncmp(b, "client ", 7)) {
			lr_log(&r, "client", b + 7, bl - 7);
		} else if (!got_level) {
			const char *colon = memchr(b, ':', bl);
			if (colon) {
				lr_field(&r, "module", b, (size_t)(colon - b));
				lr_log(&r, "level", colon + 1, bl - (size_t)(colon - b) - 1);
			} else {
				lr_log(&r, "level", b, bl);
			}
			got_level = 1;
		} else {
			break;
		}
		p = c + 1;
	}
	if (!got_level) {
		return lr_fail(&r);
	}
	while (*p == ' ')
		p++;
	/* "(70007)The timeout specified has expired: [client ..] AH01102: ..." */
	if (*p == '(') {
		const char *c = strchr(p, ')');
		const char *colon = c ? strstr(c, ": ") : NULL;
		if (c && colon) {
			lr_field(&r, "os_error", p, (size_t)(colon - p));
			p = colon + 2;
			if (!strncmp(p, "[client ", 8) && (c = strchr(p, ']'))) {
				lr_log(&r, "client", p + 8, (size_t)(c - p - 8));
				p = c + 1;
				while (*p == ' ')
					p++;
			}
		}
	}
	if (p[0] == 'A' && p[1] == 'H' && all_digits(p + 2, 5) && p[7] == ':') {
		lr_log(&r, "code", p, 7);
		p += 8;
		while (*p == ' ')
			p++;
	}
	const char *ref = strstr(p, ", referer: ");
	size_t ml = ref ? (size_t)(ref - p) : strlen(p);
	lr_log(&r, "message", p, ml);
	if (ref)
		lr_req_header(&r, "referer", ref + 11, strlen(ref + 11));
	/* "... remote server 127.0.0.1:8080" / "connect to 127.0.0.1:8080 (x) failed" */
	static const char *const up[] = { "remote server ", "attempt to connect to ", NULL };
	for (int i = 0; up[i]; i++) {
		const char *u = strstr(p, up[i]);
		if (u && u < p + ml) {
			u += strlen(up[i]);
			size_t ul = strcspn(u, " ,");
			if (addr_like(u, ul))
				lr_log(&r, "upstream.addr", u, ul);
		}
	}
	logrec_finish(&r);
	return 1;
}

/* ---------------------------------------------------------------- */
/* Heroku router */

static int heroku_line(const char *t, size_t line, struct exchange *ex)
{
	/* "heroku[router]: " (heroku logs), "heroku/router: " (Papertrail and
	 * other drains), " heroku router - " (syslog drain) */
	const char *m = strstr(t, "heroku[router]: ");
	size_t ml = 16;
	if (!m && (m = strstr(t, "heroku/router: ")) != NULL)
		ml = 15;
	if (!m) {
		m = strstr(t, " heroku router - ");
		ml = 17;
	}
	if (!m || !strstr(m, "at="))
		return 0;
	struct logrec r;
	logrec_init(&r, ex, line, "heroku-router");
	/* the time: the first token that reads as one ("<158>1 2024-..." in a drain) */
	for (const char *p = t; p < m; p++)
		if (isdigit((unsigned char)*p) && (p == t || p[-1] == ' ') && lr_time_iso(&r, p, (size_t)(m - p)))
			break;
	struct tok k[TOK_MAX];
	size_t n = tokenize(m + ml, k, TOK_MAX);
	for (size_t i = 0; i < n; i++) {
		const char *eq = k[i].kind == ' ' ? memchr(k[i].p, '=', k[i].n) : NULL;
		if (!eq)
			continue;
		size_t kl = (size_t)(eq - k[i].p);
		const char *v = eq + 1;
		size_t vl = k[i].n - kl - 1;
		if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
			v++;
			vl -= 2;
		}
		char key[32];
		if (kl >= sizeof key)
			continue;
		memcpy(key, k[i].p, kl);
		key[kl] = 0;
		lr_field(&r, key, v, vl);
		if (!strcmp(key, "at"))
			lr_log(&r, "level", v, vl);
		else if (!strcmp(key, "code"))
			lr_log(&r, "code", v, vl);
		else if (!strcmp(key, "desc"))
			lr_log(&r, "message", v, vl);
		else if (!strcmp(key, "method"))
			lr_method(&r, v, vl);
		else if (!strcmp(key, "path"))
			lr_target(&r, v, vl);
		else if (!strcmp(key, "host"))
			lr_host(&r, v, vl);
		else if (!strcmp(key, "request_id"))
			lr_request_id(&r, v, vl, "x-request-id");
		else if (!strcmp(key, "fwd"))
			lr_log(&r, "client", v, vl);
		else if (!strcmp(key, "dyno"))
			lr_log(&r, "upstream.addr", v, vl);
		else if (!strcmp(key, "connect"))
			lr_timing(&r, &ex->timings.connect, v, vl, 1000);
		else if (!strcmp(key, "service"))
			lr_timing(&r, &ex->timings.wait, v, vl, 1000);
		else if (!strcmp(key, "status"))
			lr_status(&r, v, vl, "status");
		else if (!strcmp(key, "bytes"))
			lr_log(&r, "bytes", v, vl);
		else if (!strcmp(key, "protocol") && !ex->scheme && (!strncmp(v, "http", 4)))
			ex->scheme = xstrndup(v, vl);
	}
	lr_absolute_url(&r);
	logrec_finish(&r);
	return 1;
}

/* ---------------------------------------------------------------- */
/* Envoy / Istio */

static int envoy_line(const char *t, size_t line, struct exchange *ex)
{
	struct tok k[TOK_MAX + 1];
	if (t[0] != '[' && t[0] != '"')
		return 0;
	size_t n = tokenize(t, k + 1, TOK_MAX);
	/* a paste may leave out the [start time]: k[0] stays unused then */
	int timed = n > 0 && k[1].kind == '[';
	if (timed)
		memmove(k, k + 1, n * sizeof *k);
	else
		n++;
	if (n < 6 || k[1].kind != '"' || k[2].kind != ' ' || !all_digits(k[2].p, k[2].n) ||
	    k[3].kind != ' ' || !memchr(k[1].p, ' ', k[1].n))
		return 0;
	struct logrec r;
	logrec_init(&r, ex, line, "envoy");
	if (timed && !lr_time_iso(&r, k[0].p, k[0].n))
		return lr_fail(&r);
	lr_request_line(&r, k[1].p, k[1].n);
	lr_status(&r, k[2].p, k[2].n, "response code");
	if (tok_is(&k[2], "0"))
		lr_field(&r, "response_code", "0", 1);
	lr_log(&r, "flags", k[3].p, k[3].n);
	/* Istio puts %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%
	 * "%UPSTREAM_TRANSPORT_FAILURE_REASON%" before the four numbers */
	size_t i = 4;
	int extra = 0;
	while (i + 3 < n && !(numeric(&k[i]) && numeric(&k[i + 1]) && numeric(&k[i + 2]) && numeric(&k[i + 3]))) {
		static const char *const names[] = { "response_code_details", "connection_termination_details",
						     "upstream_transport_failure_reason" };
		if (extra < 3) {
			const char *nm = k[i].kind == '"' ? names[2] : names[extra < 2 ? extra : 1];
			fieldk(&r, nm, &k[i]);
			if (k[i].kind == '"')
				lr_log(&r, "message", k[i].p, k[i].n);
			else if (extra == 0)
				lr_log(&r, "code", k[i].p, k[i].n);
		}
		extra++;
		i++;
	}
	if (i + 3 >= n) {
		return lr_fail(&r);
	}
	fieldk(&r, "bytes_received", &k[i]);
	lr_log(&r, "bytes", k[i + 1].p, k[i + 1].n);
	lr_timing(&r, &ex->timings.total, k[i + 2].p, k[i + 2].n, 1);
	lr_timing(&r, &ex->timings.wait, k[i + 3].p, k[i + 3].n, 1);
	i += 4;
	/* "x-forwarded-for" "user-agent" "x-request-id" "authority" "upstream host" */
	static const char *const q[] = { "x_forwarded_for", "user_agent", "request_id", "authority",
					 "upstream_host" };
	for (int j = 0; j < 5 && i < n && k[i].kind == '"'; j++, i++) {
		fieldk(&r, q[j], &k[i]);
		switch (j) {
		case 0: lr_log(&r, "client", k[i].p, k[i].n); break;
		case 1: lr_req_header(&r, "user-agent", k[i].p, k[i].n); break;
		case 2: lr_request_id(&r, k[i].p, k[i].n, "x-request-id"); break;
		case 3: lr_host(&r, k[i].p, k[i].n); break;
		case 4: lr_log(&r, "upstream.addr", k[i].p, k[i].n); break;
		}
	}
	static const char *const tail[] = { "upstream_cluster", "upstream_local_address",
					    "downstream_local_address", "downstream_remote_address",
					    "requested_server_name", "route_name" };
	for (int j = 0; j < 6 && i < n; j++, i++)
		fieldk(&r, tail[j], &k[i]);
	logrec_finish(&r);
	return 1;
}

/* ---------------------------------------------------------------- */
/* HAProxy */

/* "a/b/c/d/e" of integers (may be -1 or +N): count of parts, 0 if not. */
static int slashed(const struct tok *k, long *v, int max)
{
	int parts = 0;
	const char *p = k->p, *e = k->p + k->n;
	if (k->kind != ' ')
		return 0;
	while (p < e && parts < max) {
		const char *s = p;
		if (*p == '-' || *p == '+')
			p++;
		while (p < e && isdigit((unsigned char)*p))
			p++;
		if (p == s || (p == s + 1 && !isdigit((unsigned char)*s)))
			return 0;
		v[parts++] = strtol(*s == '+' ? s + 1 : s, NULL, 10);
		if (p < e && *p != '/')
			return 0;
		if (p < e)
			p++;
	}
	return p == e ? parts : 0;
}

static int haproxy_line(const char *t, size_t line, struct exchange *ex)
{
	const char *h = strstr(t, "haproxy[");
	if (h) {
		const char *c = strstr(h, "]: ");
		if (c)
			t = c + 3;
	}
	struct tok k[TOK_MAX];
	long tm[5], cn[5], q[2];
	size_t n = tokenize(t, k, TOK_MAX);
	if (n < 12 || k[0].kind != ' ' || !addr_like(k[0].p, k[0].n) || k[1].kind != '[' ||
	    slashed(&k[4], tm, 5) < 4 || !(is_status(&k[5]) || tok_is(&k[5], "-1")) || !numeric(&k[6]))
		return 0;
	struct logrec r;
	logrec_init(&r, ex, line, "haproxy");
	if (!lr_time_clf(&r, k[1].p, k[1].n)) {
		return lr_fail(&r);
	}
	lr_log(&r, "client", k[0].p, k[0].n);
	fieldk(&r, "frontend", &k[2]);
	fieldk(&r, "backend_server", &k[3]);
	const char *sl = memchr(k[3].p, '/', k[3].n);
	if (sl && !(k[3].p + k[3].n - sl == 8 && !strncmp(sl, "/<NOSRV>", 8)))
		lr_log(&r, "upstream.addr", k[3].p, k[3].n);
	fieldk(&r, "timers", &k[4]);
	int nt = slashed(&k[4], tm, 5);
	/* Tq/Tw/Tc/Tr/Tt: -1 when the phase never ended */
	if (tm[2] >= 0)
		ex->timings.connect = (double)tm[2];
	if (tm[3] >= 0)
		ex->timings.wait = (double)tm[3];
	if (nt == 5 && tm[4] >= 0)
		ex->timings.total = (double)tm[4];
	lr_status(&r, k[5].p, k[5].n, "status");
	lr_log(&r, "bytes", k[6].p, k[6].n);
	size_t i = 7;
	/* captured cookies, then the termination state (4 characters) */
	while (i < n && i < 10 && !(k[i].kind == ' ' && k[i].n == 4 && strchr("-CSPLRIDKcsr", k[i].p[0])))
		i++;
	if (i < n && i < 10) {
		lr_log(&r, "flags", k[i].p, k[i].n);
		fieldk(&r, "termination_state", &k[i]);
		i++;
	}
	if (i < n && slashed(&k[i], cn, 5) == 5) {
		fieldk(&r, "conns", &k[i]);
		if (cn[4] > 0)
			lr_field(&r, "retries", k[i].p, k[i].n);
		i++;
	}
	if (i < n && slashed(&k[i], q, 2) == 2) {
		fieldk(&r, "queues", &k[i]);
		i++;
	}
	for (int c = 0; i < n && k[i].kind == '{'; i++, c++)
		fieldk(&r, c ? "captured_response_headers" : "captured_request_headers", &k[i]);
	if (i < n && k[i].kind == '"')
		lr_request_line(&r, k[i].p, k[i].n);
	logrec_finish(&r);
	return 1;
}

/* ---------------------------------------------------------------- */
/* AWS Application Load Balancer */

static int alb_line(const char *t, size_t line, struct exchange *ex)
{
	static const char *const types[] = { "http", "https", "h2", "grpcs", "ws", "wss", NULL };
	struct tok k[TOK_MAX + 1];
	size_t n = tokenize(t, k + 1, TOK_MAX);
	int ok = 0, classic = 0;
	for (int i = 0; types[i] && n; i++)
		ok |= tok_is(&k[1], types[i]);
	if (ok) {
		memmove(k, k + 1, n * sizeof *k);
	} else if (n >= 12 && k[1].n >= 20 && k[1].p[4] == '-' && k[1].p[10] == 'T' && k[12].kind == '"') {
		/* a Classic Load Balancer: the same fields without the type */
		classic = 1;
		k[0] = (struct tok){ "-", 1, ' ' };
		n++;
	}
	if ((!ok && !classic) || n < 13 || k[1].n < 20 || k[1].p[4] != '-' || k[1].p[10] != 'T' ||
	    k[12].kind != '"' || !(is_status(&k[8]) || tok_is(&k[8], "-")))
		return 0;
	struct logrec r;
	logrec_init(&r, ex, line, classic ? "aws-elb" : "aws-alb");
	if (!lr_time_iso(&r, k[1].p, k[1].n)) {
		return lr_fail(&r);
	}
	static const char *const names[] = { "type", "time", "elb", "client:port", "target:port",
		"request_processing_time", "target_processing_time", "response_processing_time",
		"elb_status_code", "target_status_code", "received_bytes", "sent_bytes", "request",
		"user_agent", "ssl_cipher", "ssl_protocol", "target_group_arn", "trace_id", "domain_name",
		"chosen_cert_arn", "matched_rule_priority", "request_creation_time", "actions_executed",
		"redirect_url", "error_reason", "target:port_list", "target_status_code_list",
		"classification", "classification_reason", "conn_trace_id" };
	for (size_t i = classic; i < n && i < sizeof names / sizeof *names; i++)
		if (i != 1 && i != 12)
			fieldk(&r, classic && i == 9 ? "backend_status_code" : names[i], &k[i]);
	lr_log(&r, "client", k[3].p, k[3].n);
	lr_log(&r, "upstream.addr", k[4].p, k[4].n);
	lr_status(&r, k[8].p, k[8].n, "elb_status_code");
	lr_log(&r, "upstream.status", k[9].p, k[9].n);
	lr_log(&r, "bytes", k[11].p, k[11].n);
	lr_request_line(&r, k[12].p, k[12].n);
	/* processing times: -1 when the request never reached a target */
	double a = atof(k[5].p), b = atof(k[6].p), c = atof(k[7].p);
	if (a >= 0 && b >= 0 && c >= 0 && numeric(&k[5]) && numeric(&k[6]) && numeric(&k[7]))
		ex->timings.total = (a + b + c) * 1000;
	if (b >= 0 && numeric(&k[6]))
		ex->timings.wait = b * 1000;
	if (n > 13)
		lr_req_header(&r, "user-agent", k[13].p, k[13].n);
	if (n > 17)
		lr_request_id(&r, k[17].p, k[17].n, "x-amzn-trace-id");
	if (n > 18)
		lr_host(&r, k[18].p, k[18].n);
	if (n > 24)
		lr_log(&r, "code", k[24].p, k[24].n);
	logrec_finish(&r);
	return 1;
}

/* ---------------------------------------------------------------- */
/* W3C extended (IIS, CloudFront) */

int log_w3c_directive(struct log_state *st, const char *t)
{
	if (t[0] != '#')
		return 0;
	if (!strncmp(t, "#Software:", 10) && strstr(t, "Internet Information Services"))
		st->w3c_producer = "iis";
	if (strncmp(t, "#Fields:", 8))
		return 1;
	for (int i = 0; i < st->w3c_n; i++)
		free(st->w3c_names[i]);
	st->w3c_n = 0;
	const char *p = t + 8;
	while (*p && st->w3c_n < LOG_W3C_FIELDS_CAP) {
		while (*p == ' ' || *p == '\t')
			p++;
		size_t l = strcspn(p, " \t");
		if (!l)
			break;
		st->w3c_names[st->w3c_n++] = xstrndup(p, l);
		if (l > 7 && !strncmp(p, "x-edge-", 7))
			st->w3c_producer = "cloudfront";
		if (l == 15 && !strncmp(p, "sc-win32-status", 15))
			st->w3c_producer = "iis";
		p += l;
	}
	if (!st->w3c_producer)
		st->w3c_producer = "w3c";
	/* CloudFront separates its fields by tabs, IIS by spaces */
	st->w3c_tabs = !strcmp(st->w3c_producer, "cloudfront");
	return 1;
}

/* %XX of CloudFront's values. */
static char *pct_decode(const char *p, size_t n)
{
	char *o = xmalloc(n + 1), *q = o;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '%' && i + 2 < n && isxdigit((unsigned char)p[i + 1]) && isxdigit((unsigned char)p[i + 2]) &&
		    !(p[i + 1] == '0' && p[i + 2] == '0')) {
			char hx[3] = { p[i + 1], p[i + 2], 0 };
			*q++ = (char)strtol(hx, NULL, 16);
			i += 2;
		} else {
			*q++ = p[i];
		}
	}
	*q = 0;
	return o;
}

static int w3c_line(struct log_state *st, const char *t, size_t line, struct exchange *ex)
{
	const char *v[LOG_W3C_FIELDS_CAP];
	size_t vl[LOG_W3C_FIELDS_CAP];
	int n = 0;
	const char *p = t, *date = NULL, *time = NULL, *uri = NULL, *query = NULL, *sub = NULL;
	size_t datel = 0, timel = 0, uril = 0, queryl = 0, subl = 0;
	if (!st->w3c_n)
		return 0;
	while (n < st->w3c_n) {
		const char *s = p;
		if (st->w3c_tabs)
			while (*p && *p != '\t')
				p++;
		else
			while (*p && *p != ' ')
				p++;
		v[n] = s;
		vl[n++] = (size_t)(p - s);
		if (!*p)
			break;
		p++;
	}
	if (n != st->w3c_n || *p)
		return 0;
	struct logrec r;
	int status = -1;
	logrec_init(&r, ex, line, st->w3c_producer);
	for (int i = 0; i < n; i++) {
		const char *nm = st->w3c_names[i];
		char *d = st->w3c_tabs ? pct_decode(v[i], vl[i]) : NULL;
		const char *x = d ? d : v[i];
		size_t xl = d ? strlen(d) : vl[i];
		lr_field(&r, nm, x, xl);
		if (!strcmp(nm, "date")) {
			date = v[i];
			datel = vl[i];
		} else if (!strcmp(nm, "time")) {
			time = v[i];
			timel = vl[i];
		} else if (!strcmp(nm, "c-ip")) {
			lr_log(&r, "client", x, xl);
		} else if (!strcmp(nm, "cs-method")) {
			lr_method(&r, x, xl);
		} else if (!strcmp(nm, "cs(Host)") || !strcmp(nm, "x-host-header")) {
			/* CloudFront: x-host-header is the viewer's Host, cs(Host) the distribution's */
			if (nm[0] == 'x' && !unknown_tok(x, xl)) {
				free(ex->host);
				free(ex->host_source);
				ex->host = NULL;
				ex->host_source = NULL;
			}
			lr_host(&r, x, xl);
		} else if (!strcmp(nm, "cs-uri-stem")) {
			uri = v[i];
			uril = vl[i];
		} else if (!strcmp(nm, "cs-uri-query")) {
			query = v[i];
			queryl = vl[i];
		} else if (!strcmp(nm, "sc-status")) {
			lr_status(&r, x, xl, "sc-status");
			if (is_status(&(struct tok){ x, xl, ' ' }))
				status = atoi(x);
		} else if (!strcmp(nm, "sc-substatus")) {
			sub = v[i];
			subl = vl[i];
		} else if (!strcmp(nm, "sc-bytes")) {
			lr_log(&r, "bytes", x, xl);
		} else if (!strcmp(nm, "time-taken")) {
			/* IIS: milliseconds; CloudFront: seconds */
			lr_timing(&r, &ex->timings.total, x, xl, st->w3c_tabs ? 1000 : 1);
		} else if (!strcmp(nm, "time-to-first-byte")) {
			lr_timing(&r, &ex->timings.wait, x, xl, 1000);
		} else if (!strcmp(nm, "cs(User-Agent)")) {
			/* IIS writes its spaces as '+' */
			char *ua = xstrndup(x, xl);
			if (!st->w3c_tabs)
				for (char *c = ua; *c; c++)
					if (*c == '+')
						*c = ' ';
			lr_req_header(&r, "user-agent", ua, xl);
			free(ua);
		} else if (!strcmp(nm, "cs(Referer)")) {
			lr_req_header(&r, "referer", x, xl);
		} else if (!strcmp(nm, "x-edge-request-id")) {
			lr_request_id(&r, x, xl, NULL);
		} else if (!strcmp(nm, "x-edge-detailed-result-type")) {
			lr_log(&r, "code", x, xl);
		} else if (!strcmp(nm, "x-edge-result-type")) {
			lr_log(&r, "flags", x, xl);
		} else if (!strcmp(nm, "cs-protocol") && !ex->scheme && xl < 10 && !tok_is(&(struct tok){ x, xl, ' ' }, "-")) {
			ex->scheme = xstrndup(x, xl);
		}
		free(d);
	}
	if (date && time && datel == 10 && timel >= 8) {
		char buf[40];
		snprintf(buf, sizeof buf, "%.10sT%.*sZ", date, (int)(timel < 12 ? timel : 12), time);
		/* IIS and CloudFront log in UTC */
		lr_time_iso(&r, buf, strlen(buf));
	}
	if (uri) {
		struct sbuf u = SBUF_INIT;
		sbuf_add(&u, uri, uril);
		if (query && !(queryl == 1 && query[0] == '-')) {
			sbuf_addc(&u, '?');
			sbuf_add(&u, query, queryl);
		}
		lr_target(&r, u.data, u.len);
		sbuf_release(&u);
	}
	if (sub && status > 0 && all_digits(sub, subl) && subl < 6) {
		char code[16];
		snprintf(code, sizeof code, "%d.%.*s", status, (int)subl, sub);
		lr_log(&r, "code", code, strlen(code));
	}
	lr_absolute_url(&r);
	logrec_finish(&r);
	return 1;
}

/* ---------------------------------------------------------------- */

typedef int (*text_parser)(const char *t, size_t line, struct exchange *ex);

static const text_parser parsers[] = { access_line, nginx_error_line, apache_error_line, heroku_line,
				       envoy_line, haproxy_line, alb_line };
#define NPARSERS (sizeof parsers / sizeof *parsers)

int log_text_line(struct log_state *st, const char *t, size_t line, struct exchange *ex)
{
	if (st && st->w3c_n && w3c_line(st, t, line, ex))
		return 1;
	/* the parser of the last line first: a log is mostly one format */
	if (st && st->last > 0 && parsers[st->last - 1](t, line, ex))
		return 1;
	for (size_t i = 0; i < NPARSERS; i++) {
		if (st && st->last == (int)i + 1)
			continue;
		if (parsers[i](t, line, ex)) {
			if (st)
				st->last = (int)i + 1;
			return 1;
		}
	}
	return 0;
}

/* Container runtimes write their own time before each line: containerd
 * and CRI-O "2026-12-04T10:00:00.123Z stdout F <line>", kubectl logs
 * --timestamps "2026-12-04T10:00:00.123456789Z <line>".  The offset of
 * the line proper, or 0. */
static size_t container_prefix(const char *t, int *stream)
{
	*stream = 0;
	size_t n = 0;
	if (!isdigit((unsigned char)t[0]) || strlen(t) < 21 || t[4] != '-' || t[7] != '-' || t[10] != 'T')
		return 0;
	while (t[n] && t[n] != ' ')
		n++;
	if (t[n] != ' ' || (t[n - 1] != 'Z' && !(n > 6 && (t[n - 6] == '+' || t[n - 6] == '-') && t[n - 3] == ':')))
		return 0;
	const char *r = t + n + 1;
	if ((!strncmp(r, "stdout ", 7) || !strncmp(r, "stderr ", 7)) && (r[7] == 'F' || r[7] == 'P') && r[8] == ' ') {
		*stream = 1;
		return n + 10;
	}
	return n + 1;
}

/* The time of a wrapper (container prefix, docker's "time"), in UTC, when
 * the record itself gave none or one without a zone: the runtime took the
 * line at that instant.  The record then says where its time came from. */
static void wrapper_time(struct exchange *ex, const char *v, size_t n, size_t line)
{
	struct logrec r;
	size_t l = ex->started_at ? strlen(ex->started_at) : 0;
	if (!v || (l && ex->started_at[l - 1] == 'Z'))
		return;
	char *old = ex->started_at;
	ex->started_at = NULL;
	logrec_init(&r, ex, line, "-");
	lr_time_iso(&r, v, n);
	int zoned = ex->started_at && !json_object_get(r.log, "zone");
	logrec_discard(&r);
	if (!zoned) {
		free(ex->started_at);
		ex->started_at = old;
		return;
	}
	free(old);
	json_t *root = ex->extra ? json_loads(ex->extra, 0, NULL) : NULL;
	json_t *lg = json_object_get(root, "log");
	if (json_is_object(lg)) {
		json_object_del(lg, "zone");
		json_object_set_new(lg, "time_from", json_string("container runtime"));
		free(ex->extra);
		ex->extra = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	}
	json_decref(root);
}

static int any_line(struct log_state *st, const char *t, size_t line, struct exchange *ex, int depth)
{
	while (*t == ' ' || *t == '\t')
		t++;
	if (t[0] == '{') {
		size_t n = strlen(t);
		while (n && (t[n - 1] == ' ' || t[n - 1] == '\r' || t[n - 1] == '\t'))
			n--;
		if (!n || t[n - 1] != '}')
			return 0;
		json_t *rec = json_loadb(t, n, 0, NULL);
		int got = rec && log_json_record(rec, line, ex);
		/* docker's json-file driver: {"log": "<line>\n", "stream": ..., "time": ...} */
		json_t *inner = json_object_get(rec, "log"), *tm = json_object_get(rec, "time");
		if (!got && depth == 0 && json_is_string(inner) && (json_object_get(rec, "stream") || tm)) {
			char *l = xstrndup(json_string_value(inner), json_string_length(inner));
			size_t ll = strlen(l);
			while (ll && (l[ll - 1] == '\n' || l[ll - 1] == '\r'))
				l[--ll] = 0;
			got = any_line(st, l, line, ex, 1);
			if (got && json_is_string(tm))
				wrapper_time(ex, json_string_value(tm), json_string_length(tm), line);
			free(l);
		}
		json_decref(rec);
		return got;
	}
	/* containerd's "<time> stdout F " wraps the whole line; a bare leading
	 * time (kubectl --timestamps) is tried only when the line is no record
	 * as it stands (a Heroku router line starts with its own time) */
	int stream;
	size_t off = depth == 0 ? container_prefix(t, &stream) : 0;
	if (off && stream && any_line(st, t + off, line, ex, 1)) {
		wrapper_time(ex, t, strcspn(t, " "), line);
		return 1;
	}
	if (log_text_line(st, t, line, ex)) {
		/* a record read with the time before it: that time, when its own has no zone */
		if (off && !stream)
			wrapper_time(ex, t, strcspn(t, " "), line);
		return 1;
	}
	if (off && !stream && any_line(st, t + off, line, ex, 1)) {
		wrapper_time(ex, t, strcspn(t, " "), line);
		return 1;
	}
	return 0;
}

int log_any_line(struct log_state *st, const char *t, size_t line, struct exchange *ex)
{
	return any_line(st, t, line, ex, 0);
}

void log_state_release(struct log_state *st)
{
	for (int i = 0; i < st->w3c_n; i++)
		free(st->w3c_names[i]);
	st->w3c_n = 0;
}
