/* exchange.c - the normalized exchange record and its small parts. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "util.h"

void hdr_list_add(struct hdr_list *l, const char *name, size_t nlen, const char *value,
		  size_t vlen)
{
	if (l->n >= HEADER_COUNT_CAP) {
		l->dropped++;
		return;
	}
	if (vlen > HEADER_VALUE_CAP) {
		vlen = HEADER_VALUE_CAP;
		l->cut++;
	}
	l->v = xgrow(l->v, &l->alloc, l->n + 1, sizeof(*l->v));
	l->v[l->n].name = xstrndup(name, nlen);
	l->v[l->n].value = xstrndup(value ? value : "", value ? vlen : 0);
	l->n++;
}

void hdr_list_adds(struct hdr_list *l, const char *name, const char *value)
{
	hdr_list_add(l, name, strlen(name), value, value ? strlen(value) : 0);
}

const char *hdr_list_get(const struct hdr_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (ascii_casecmp(l->v[i].name, name) == 0)
			return l->v[i].value;
	return NULL;
}

void hdr_list_release(struct hdr_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].value);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void body_set(struct body *b, const char *p, size_t n)
{
	free(b->data);
	b->truncated = 0;
	if (n > BODY_CAP) {
		n = BODY_CAP;
		b->truncated = 1;
	}
	b->data = xstrndup(p ? p : "", p ? n : 0);
	b->len = p ? n : 0;
}

void body_take(struct body *b, char *p, size_t n)
{
	free(b->data);
	b->truncated = 0;
	if (n > BODY_CAP) {
		/* give back what the cap drops */
		n = BODY_CAP;
		b->truncated = 1;
		p = xrealloc(p, n + 1);
	}
	p[n] = '\0';
	b->data = p;
	b->len = n;
}

void body_release(struct body *b)
{
	free(b->data);
	free(b->mime);
	memset(b, 0, sizeof(*b));
	b->size = -1;
}

void strlist_add(struct strlist *l, const char *s, size_t n)
{
	if (l->n >= TRANSCRIPT_CAP) {
		l->dropped++;
		return;
	}
	l->v = xgrow(l->v, &l->alloc, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = xstrndup(s, n);
}

void strlist_adds(struct strlist *l, const char *s)
{
	strlist_add(l, s, strlen(s));
}

void strlist_release(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void exchange_init(struct exchange *ex)
{
	memset(ex, 0, sizeof(*ex));
	ex->port = -1;
	ex->status = STATUS_UNKNOWN;
	ex->exit_code = -1;
	ex->redirect_of = -1;
	ex->req_body.size = -1;
	ex->resp_body.size = -1;
	ex->timings.total = ex->timings.blocked = ex->timings.dns = ex->timings.connect = -1;
	ex->timings.ssl = ex->timings.send = ex->timings.wait = ex->timings.receive = -1;
}

const char *exchange_kind_name(int kind)
{
	return kind == EXCHANGE_FRAGMENT ? "fragment" : kind == EXCHANGE_LOG ? "log" : "capture";
}

void exchange_release(struct exchange *ex)
{
	char **strs[] = {&ex->started_at, &ex->name, &ex->method, &ex->url, &ex->scheme,
			 &ex->host, &ex->path, &ex->query, &ex->http_version, &ex->status_text,
			 &ex->status_source, &ex->error, &ex->extra, &ex->url_source,
			 &ex->host_source};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free(*strs[i]);
	hdr_list_release(&ex->req_headers);
	hdr_list_release(&ex->resp_headers);
	body_release(&ex->req_body);
	body_release(&ex->resp_body);
	strlist_release(&ex->transcript);
	exchange_init(ex);
}

void exchange_set(char **field, const char *value)
{
	char *old = *field;
	*field = value ? xstrdup(value) : NULL;
	free(old);
}

void exchange_setn(char **field, const char *value, size_t n)
{
	char *old = *field;
	*field = value ? xstrndup(value, n) : NULL;
	free(old);
}

/* Split an absolute or origin-form URL into its parts. */
void exchange_set_url(struct exchange *ex, const char *url_in)
{
	const char *p, *auth, *auth_end, *path, *q, *frag, *hostp, *hend, *colon;
	const char *url;
	size_t len;

	/* Copy first: url_in may be ex->url itself or one of its parts. */
	exchange_set(&ex->url, url_in);
	url = ex->url;
	if (!url)
		return;
	len = strlen(url);
	frag = memchr(url, '#', len);
	if (frag)
		len = (size_t)(frag - url);
	p = strstr(url, "://");
	if (p && p < url + len && p > url) {
		int scheme_ok = 1;
		for (const char *c = url; c < p; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			      (*c >= '0' && *c <= '9') || *c == '+' || *c == '-' || *c == '.'))
				scheme_ok = 0;
		if (!scheme_ok)
			p = NULL;
	} else {
		p = NULL;
	}
	if (p) {
		exchange_setn(&ex->scheme, url, (size_t)(p - url));
		ascii_lower(ex->scheme);
		auth = p + 3;
		auth_end = auth;
		while (auth_end < url + len && *auth_end != '/' && *auth_end != '?')
			auth_end++;
		/* Drop userinfo. */
		hostp = auth;
		for (const char *c = auth; c < auth_end; c++)
			if (*c == '@')
				hostp = c + 1;
		hend = auth_end;
		colon = NULL;
		if (hostp < hend && *hostp == '[') {
			const char *rb = memchr(hostp, ']', (size_t)(hend - hostp));
			if (rb) {
				if (rb + 1 < hend && rb[1] == ':')
					colon = rb + 1;
				exchange_setn(&ex->host, hostp + 1, (size_t)(rb - hostp - 1));
			} else {
				exchange_setn(&ex->host, hostp, (size_t)(hend - hostp));
			}
		} else {
			colon = memchr(hostp, ':', (size_t)(hend - hostp));
			exchange_setn(&ex->host, hostp, (size_t)((colon ? colon : hend) - hostp));
		}
		ascii_lower(ex->host);
		ex->port = -1;
		if (colon && colon + 1 < hend) {
			long port;
			if (parse_long(colon + 1, (size_t)(hend - colon - 1), &port) == 0 &&
			    port > 0 && port < 65536)
				ex->port = (int)port;
		}
		if (ex->port < 0) {
			if (strcmp(ex->scheme, "https") == 0 || strcmp(ex->scheme, "wss") == 0)
				ex->port = 443;
			else if (strcmp(ex->scheme, "http") == 0 || strcmp(ex->scheme, "ws") == 0)
				ex->port = 80;
		}
		path = auth_end;
	} else {
		path = url;
	}
	q = memchr(path, '?', (size_t)(url + len - path));
	if (q) {
		exchange_setn(&ex->path, path, (size_t)(q - path));
		exchange_setn(&ex->query, q + 1, (size_t)(url + len - q - 1));
	} else {
		exchange_setn(&ex->path, path, (size_t)(url + len - path));
		exchange_set(&ex->query, NULL);
	}
	if (ex->path && !ex->path[0] && p)
		exchange_set(&ex->path, "/");
}

void exchange_complete_url(struct exchange *ex)
{
	struct sbuf b = SBUF_INIT;
	const char *scheme;
	if (!ex->host || (ex->url && strstr(ex->url, "://")))
		return;
	scheme = ex->scheme ? ex->scheme : (ex->port == 80 ? "http" : "https");
	sbuf_addf(&b, "%s://%s", scheme, ex->host);
	if (ex->port > 0 && !((strcmp(scheme, "https") == 0 && ex->port == 443) ||
			      (strcmp(scheme, "http") == 0 && ex->port == 80)))
		sbuf_addf(&b, ":%d", ex->port);
	if (ex->url && ex->url[0] == '/')
		sbuf_adds(&b, ex->url);
	else if (ex->path) {
		sbuf_adds(&b, ex->path);
		if (ex->query)
			sbuf_addf(&b, "?%s", ex->query);
	} else
		sbuf_adds(&b, "/");
	{
		int port = ex->port;
		char *host = xstrdup(ex->host);
		exchange_set_url(ex, b.data);
		/* keep an explicit port / host learnt elsewhere */
		if (ex->port < 0)
			ex->port = port;
		free(host);
	}
	sbuf_release(&b);
}

char *http_version_normalize(const char *raw)
{
	const char *v = raw;
	if (!raw || !raw[0])
		return NULL;
	if (starts_with_icase(v, "http/"))
		v += 5;
	if (ascii_casecmp(v, "1.1") == 0)
		return xstrdup("HTTP/1.1");
	if (ascii_casecmp(v, "1.0") == 0)
		return xstrdup("HTTP/1.0");
	if (ascii_casecmp(v, "0.9") == 0)
		return xstrdup("HTTP/0.9");
	if (strcmp(v, "2") == 0 || strcmp(v, "2.0") == 0 || ascii_casecmp(raw, "h2") == 0 ||
	    ascii_casecmp(raw, "h2c") == 0)
		return xstrdup("HTTP/2");
	if (strcmp(v, "3") == 0 || strcmp(v, "3.0") == 0 || ascii_casecmp(raw, "h3") == 0 ||
	    starts_with_icase(raw, "h3-"))
		return xstrdup("HTTP/3");
	if (starts_with_icase(raw, "spdy"))
		return xstrdup("SPDY");
	return xstrdup(raw);
}

/* Repair one string in place (replaced by a repaired copy); returns the
 * count of bytes replaced. */
static long repair_str(char **f)
{
	size_t n;
	long fixed = 0;
	char *r;
	if (!*f)
		return 0;
	n = strlen(*f);
	if (utf8_valid(*f, n))
		return 0;
	r = utf8_repair(*f, n, NULL, &fixed);
	free(*f);
	*f = r;
	return fixed;
}

long exchange_repair_utf8(struct exchange *ex)
{
	char **fields[] = {&ex->started_at, &ex->name, &ex->method, &ex->url, &ex->scheme,
			   &ex->host, &ex->path, &ex->query, &ex->http_version, &ex->status_text,
			   &ex->status_source, &ex->error, &ex->extra, &ex->url_source,
			   &ex->host_source, &ex->req_body.mime, &ex->resp_body.mime};
	struct hdr_list *sides[2] = {&ex->req_headers, &ex->resp_headers};
	long n = 0;
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		n += repair_str(fields[i]);
	for (int k = 0; k < 2; k++)
		for (i = 0; i < sides[k]->n; i++) {
			n += repair_str(&sides[k]->v[i].name);
			n += repair_str(&sides[k]->v[i].value);
		}
	for (i = 0; i < ex->transcript.n; i++)
		n += repair_str(&ex->transcript.v[i]);
	return n;
}
