/* import-curl-conn.c - what a curl transcript says about the connection
 * ("Trying", "Connected to", proxy tunnels, TLS, HTTP/2 pseudo-headers,
 * "Issue another request") and the URL of an exchange built from it.
 * Calls nothing else of the curl importer (see import-curl-int.h).
 */

#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "httpmsg.h"
#include "import-curl-int.h"

/* Split "host[:port]" or "[v6]:port"; returns malloc'd host, port in *port (-1). */
static char *curl_split_hostport(const char *s, size_t n, int *port)
{
	const char *colon = NULL;
	char *host;
	*port = -1;
	if (n && s[0] == '[') {
		const char *rb = memchr(s, ']', n);
		if (!rb)
			return xstrndup(s, n);
		host = xstrndup(s + 1, (size_t)(rb - s - 1));
		if (rb + 1 < s + n && rb[1] == ':')
			colon = rb + 1;
	} else {
		colon = memchr(s, ':', n);
		if (colon && memchr(colon + 1, ':', (size_t)(s + n - colon - 1)))
			colon = NULL; /* bare IPv6 */
		host = xstrndup(s, colon ? (size_t)(colon - s) : n);
	}
	if (colon) {
		long v;
		if (parse_long(colon + 1, (size_t)(s + n - colon - 1), &v) == 0 && v > 0 && v < 65536)
			*port = (int)v;
	}
	ascii_lower(host);
	return host;
}

/* The scheme for an exchange whose URL is not absolute. */
static const char *guess_scheme(struct builder *b, const char *host, int port)
{
	if (b->h2_scheme)
		return b->h2_scheme;
	if (b->next_url) {
		if (starts_with_icase(b->next_url, "https:"))
			return "https";
		if (starts_with_icase(b->next_url, "http:"))
			return "http";
	}
	if (b->cmd_url && host) {
		struct exchange tmp;
		const char *sch = NULL;
		exchange_init(&tmp);
		exchange_set_url(&tmp, b->cmd_url);
		if (tmp.host && ascii_casecmp(tmp.host, host) == 0 && tmp.scheme)
			sch = strcmp(tmp.scheme, "https") == 0 ? "https" :
			      strcmp(tmp.scheme, "http") == 0 ? "http" : NULL;
		exchange_release(&tmp);
		if (sch)
			return sch;
	}
	if (b->tunnel_ok || b->tls)
		return "https";
	if (port == 443)
		return "https";
	if (port == 80)
		return "http";
	if (b->fmt == FMT_CURL_I)
		return "http"; /* HTTPie's default */
	if (b->conn_host || b->try_host || b->named_host)
		return "http";
	return "https";
}

/* Build scheme://host[:port]path into the exchange. */
static void set_url_parts(struct builder *b, struct exchange *ex, const char *host, int port,
			  const char *path)
{
	const char *scheme = guess_scheme(b, host, port);
	struct sbuf u = SBUF_INIT;
	int v6 = strchr(host, ':') != NULL;
	int star = path && path[0] == '*';
	sbuf_addf(&u, "%s://%s%s%s", scheme, v6 ? "[" : "", host, v6 ? "]" : "");
	if (port > 0 && !((strcmp(scheme, "https") == 0 && port == 443) ||
			  (strcmp(scheme, "http") == 0 && port == 80)))
		sbuf_addf(&u, ":%d", port);
	if (path && path[0] == '/')
		sbuf_adds(&u, path);
	else if (path && path[0] == '*')
		sbuf_adds(&u, "/");
	else
		sbuf_adds(&u, "/");
	/* path may point into ex->url, which this replaces */
	exchange_set_url(ex, u.data);
	if (star)
		exchange_set(&ex->path, "*");
	sbuf_release(&u);
}

/* Fill url/host of the open exchange from what is known. */
void curl_resolve_url(struct builder *b, struct exchange *ex)
{
	const char *hosthdr;
	char *host = NULL;
	int port = -1;

	if (ex->url && strstr(ex->url, "://")) {
		char *u = xstrdup(ex->url);
		exchange_set_url(ex, u);
		free(u);
		return;
	}
	if (ex->method && strcmp(ex->method, "CONNECT") == 0 && ex->url) {
		char *target = xstrdup(ex->url);
		host = curl_split_hostport(target, strlen(target), &port);
		exchange_set(&ex->host, host);
		ex->port = port;
		exchange_set(&ex->path, NULL);
		free(target);
		goto out;
	}
	hosthdr = hdr_list_get(&ex->req_headers, "Host");
	if (!hosthdr)
		hosthdr = b->h2_authority;
	if (hosthdr && *hosthdr) {
		host = curl_split_hostport(hosthdr, strlen(hosthdr), &port);
		if (port < 0 && b->conn_host && ascii_casecmp(b->conn_host, host) == 0)
			port = b->conn_port;
		set_url_parts(b, ex, host, port, ex->url);
		goto out;
	}
	if (ex->url && ex->url[0] == '/' && b->next_url) {
		exchange_set_url(ex, b->next_url);
		goto out;
	}
	/* No Host header: the command line, the tunnel, the connection. */
	if (b->next_url && !ex->url) {
		exchange_set_url(ex, b->next_url);
		goto out;
	}
	if (b->cmd_url && (!b->resolve_host || !ex->url)) {
		struct exchange tmp;
		exchange_init(&tmp);
		exchange_set_url(&tmp, b->cmd_url);
		if (tmp.host && (!b->resolve_host || ascii_casecmp(tmp.host, b->resolve_host) == 0)) {
			if (ex->url && ex->url[0] == '/') {
				set_url_parts(b, ex, tmp.host, tmp.port, ex->url);
			} else {
				exchange_set_url(ex, b->cmd_url);
			}
			exchange_release(&tmp);
			goto out;
		}
		exchange_release(&tmp);
	}
	if (b->resolve_host) {
		host = xstrdup(b->resolve_host);
	} else if (b->tunnel_host) {
		host = xstrdup(b->tunnel_host);
		port = b->tunnel_port;
	} else if (b->conn_host) {
		host = xstrdup(b->conn_host);
		port = b->conn_port;
	} else if (b->named_host) {
		host = xstrdup(b->named_host);
		port = b->named_port;
	} else if (b->try_host) {
		host = xstrdup(b->try_host);
		port = b->try_port;
	}
	if (host)
		set_url_parts(b, ex, host, port, ex->url);
out:
	free(host);
}

/* Reset what the transcript said about the connection (new command). */
void curl_reset_conn(struct builder *b)
{
	free(b->conn_host);
	b->conn_host = NULL;
	free(b->try_host);
	b->try_host = NULL;
	free(b->tunnel_host);
	b->tunnel_host = NULL;
	free(b->named_host);
	b->named_host = NULL;
	b->conn_port = b->try_port = b->tunnel_port = b->named_port = -1;
	b->tunnel_ok = 0;
	b->tls = 0;
}

/* "HOST (ip) port N" style info: the host up to the first space into
 * *host (lowercased, replacing the old one), the number after marker
 * into *port (-1 when absent or out of range). */
static void host_and_port(const char *h, const char *marker, char **host, int *port)
{
	const char *e = strchr(h, ' '), *p;
	if (!e)
		e = h + strlen(h);
	free(*host);
	*host = xstrndup(h, (size_t)(e - h));
	ascii_lower(*host);
	*port = -1;
	p = strstr(e, marker);
	if (p) {
		long v = 0;
		p += strlen(marker);
		while (httpmsg_is_digit(*p) && v < 100000)
			v = v * 10 + (*p++ - '0');
		if (v > 0 && v < 65536)
			*port = (int)v;
	}
}

/* Learn connection facts from one info line (without the "* "). */
void curl_learn_info(struct builder *b, const char *s)
{
	const char *t = s, *p;
	while (*t == ' ')
		t++;
	if (starts_with(t, "Trying ")) {
		const char *h = t + 7, *e = h;
		while (*e && *e != ' ' && *e != '.')
			e++;
		/* "1.2.3.4:443..." or "1.2.3.4..." (old) */
		e = h;
		while (*e && *e != ' ')
			e++;
		while (e > h && e[-1] == '.')
			e--;
		free(b->try_host);
		b->try_host = curl_split_hostport(h, (size_t)(e - h), &b->try_port);
		b->tls = 0;
		return;
	}
	if (starts_with(t, "Connected to ")) {
		host_and_port(t + 13, " port ", &b->conn_host, &b->conn_port);
		return;
	}
	if (starts_with(t, "About to connect() to ")) {
		host_and_port(t + 22, "port ", &b->try_host, &b->try_port);
		return;
	}
	if (starts_with(t, "Establish HTTP proxy tunnel to ")) {
		const char *h = t + 31, *e = h;
		while (*e && *e != ' ')
			e++;
		free(b->tunnel_host);
		b->tunnel_host = curl_split_hostport(h, (size_t)(e - h), &b->tunnel_port);
		return;
	}
	if ((p = strstr(t, "resolve host")) != NULL &&
	    (starts_with(t, "Could not resolve host") || starts_with(t, "Couldn't resolve host"))) {
		const char *h = p + 12, *e;
		while (*h == ':' || *h == ' ' || *h == '\'')
			h++;
		e = h;
		while (*e && *e != ' ' && *e != '\'')
			e++;
		if (e > h) {
			free(b->resolve_host);
			b->resolve_host = xstrndup(h, (size_t)(e - h));
			ascii_lower(b->resolve_host);
		}
		return;
	}
	if (starts_with(t, "Host ") && (p = strstr(t, " was resolved")) != NULL) {
		free(b->named_host);
		b->named_host = curl_split_hostport(t + 5, (size_t)(p - t - 5), &b->named_port);
		return;
	}
	if ((starts_with(t, "processing: ") || starts_with(t, "Rebuilt URL to: ")) && strstr(t, "://")) {
		const char *h = strchr(t, ':') + 2, *e = h;
		while (*e && *e != ' ')
			e++;
		free(b->next_url);
		b->next_url = xstrndup(h, (size_t)(e - h));
		return;
	}
	if (starts_with(t, "Issue another request to this URL: '")) {
		const char *h = t + 36, *e = strchr(h, '\'');
		if (e) {
			free(b->next_url);
			b->next_url = xstrndup(h, (size_t)(e - h));
		}
		b->follow = 1;
		return;
	}
	if (starts_with(t, "Proxy replied 2") || starts_with(t, "CONNECT tunnel established") ||
	    starts_with(t, "CONNECT phase completed")) {
		b->tunnel_ok = 1;
		return;
	}
	/* h2h3 [:authority: h] (7.8x) and [HTTP/2] [1] [:authority: h] (8.x) */
	if ((p = strstr(t, "[:authority: ")) != NULL) {
		const char *h = p + 13, *e = strchr(h, ']');
		if (e) {
			free(b->h2_authority);
			b->h2_authority = xstrndup(h, (size_t)(e - h));
		}
		return;
	}
	if ((p = strstr(t, "[:scheme: ")) != NULL) {
		const char *h = p + 10, *e = strchr(h, ']');
		if (e && (e - h == 4 || e - h == 5)) {
			free(b->h2_scheme);
			b->h2_scheme = xstrndup(h, (size_t)(e - h));
		}
		return;
	}
	if (strstr(t, "TLSv") || starts_with(t, "SSL ") || strstr(t, "ALPN") ||
	    starts_with(t, "schannel") || starts_with(t, "Server certificate") ||
	    starts_with(t, "successfully set certificate verify") || starts_with(t, "CAfile") ||
	    strstr(t, "SSL certificate") || starts_with(t, "SSL:") || strstr(t, "SSL_connect") ||
	    starts_with(t, "GnuTLS") || starts_with(t, "gnutls") || starts_with(t, "LibreSSL") ||
	    strstr(t, "(OUT), TLS") || strstr(t, "(IN), TLS"))
		b->tls = 1;
}
