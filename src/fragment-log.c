/* fragment-log.c - client error lines and log records as evidence.
 *
 * An SDK or client that failed prints one line that says what went wrong
 * (requests' ConnectionError, Node's ECONNREFUSED, Java's
 * UnknownHostException, Go's 'Get "url": dial tcp ...', .NET's
 * HttpRequestException, Guzzle's ConnectException, a browser's CORS
 * line).  Each becomes an exchange whose error is that message; the
 * status is 0 only when the words say no response arrived, the status
 * the message states, or unknown.  Log records (JSON lines from pino,
 * bunyan, winston; logfmt) are examined field by field for a status, a
 * URL, an error message and a body.
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fragment.h"
#include "fragment-int.h"
#include "util.h"

#define ERROR_CAP 1000 /* bytes of an error message kept */

/* A client error marker: where it may stand and what it says. */
struct marker {
	const char *text;
	int no_response; /* the words say no response arrived */
	int anywhere;    /* a fixed phrase: may stand anywhere in the line; 2: a
			  * browser console sentence, one of console_opens starts the line */
};

static const struct marker markers[] = {
	/* Python */
	{ "requests.exceptions.ConnectionError", 1, 0 },
	{ "requests.exceptions.ConnectTimeout", 1, 0 },
	{ "requests.exceptions.ReadTimeout", 1, 0 },
	{ "requests.exceptions.SSLError", 1, 0 },
	{ "requests.exceptions.ProxyError", 1, 0 },
	{ "requests.exceptions.HTTPError", 0, 0 },
	{ "requests.exceptions.ChunkedEncodingError", 0, 0 },
	{ "urllib3.exceptions.", 1, 0 },
	{ "HTTPError: ", 0, 0 },
	{ "urllib.error.URLError", 1, 0 },
	{ "urllib.error.HTTPError", 0, 0 },
	{ "httpx.ConnectError", 1, 0 },
	{ "httpx.ConnectTimeout", 1, 0 },
	{ "httpx.ReadTimeout", 1, 0 },
	{ "httpx.RemoteProtocolError", 1, 0 },
	{ "httpx.HTTPStatusError", 0, 0 },
	{ "ClientConnectorError", 1, 0 },
	{ "ServerDisconnectedError", 1, 0 },
	{ "ClientResponseError", 0, 0 },
	{ "ssl.SSLCertVerificationError", 1, 0 },
	{ "SSLCertVerificationError", 1, 0 },
	{ "ConnectionRefusedError", 1, 0 },
	{ "ConnectionResetError", 1, 0 },
	{ "RemoteDisconnected", 1, 0 },
	{ "socket.gaierror", 1, 0 },
	{ "APIConnectionError", 1, 0 },
	{ "APITimeoutError", 1, 0 },
	/* Node */
	{ "connect ECONNREFUSED", 1, 1 },
	{ "getaddrinfo ENOTFOUND", 1, 1 },
	{ "getaddrinfo EAI_AGAIN", 1, 1 },
	{ "read ECONNRESET", 1, 1 },
	{ "connect ETIMEDOUT", 1, 1 },
	{ "connect EHOSTUNREACH", 1, 1 },
	{ "socket hang up", 1, 0 },
	{ "UND_ERR_CONNECT_TIMEOUT", 1, 0 },
	{ "TypeError: fetch failed", 1, 0 },
	{ "FetchError: request to", 1, 1 },
	{ "self signed certificate", 1, 0 },
	{ "self-signed certificate", 1, 0 },
	{ "unable to verify the first certificate", 1, 0 },
	{ "unable to get local issuer certificate", 1, 0 },
	{ "ERR_TLS_CERT_ALTNAME_INVALID", 1, 0 },
	{ "CERT_HAS_EXPIRED", 1, 0 },
	{ "certificate has expired", 1, 0 },
	{ "AxiosError: Request failed with status code", 0, 1 },
	{ "AxiosError: timeout of", 1, 1 },
	{ "AxiosError: Network Error", 0, 1 },
	{ "Request failed with status code", 0, 0 },
	/* Java */
	{ "java.net.ConnectException", 1, 0 },
	{ "java.net.UnknownHostException", 1, 0 },
	{ "java.net.SocketTimeoutException", 1, 0 },
	{ "java.net.SocketException", 1, 0 },
	{ "java.net.NoRouteToHostException", 1, 0 },
	{ "java.net.http.HttpConnectTimeoutException", 1, 0 },
	{ "java.net.http.HttpTimeoutException", 1, 0 },
	{ "javax.net.ssl.SSLHandshakeException", 1, 0 },
	{ "javax.net.ssl.SSLPeerUnverifiedException", 1, 0 },
	{ "javax.net.ssl.SSLException", 1, 0 },
	{ "ResourceAccessException", 1, 0 },
	{ "Server returned HTTP response code:", 0, 1 },
	{ "HttpClientErrorException", 0, 0 },
	{ "HttpServerErrorException", 0, 0 },
	{ "FeignException", 0, 0 },
	/* Go */
	{ ": dial tcp ", 1, 1 },
	{ "x509: certificate", 1, 1 },
	{ "net/http: TLS handshake timeout", 1, 1 },
	{ "Client.Timeout exceeded while awaiting headers", 1, 1 },
	/* .NET */
	{ "System.Net.Http.HttpRequestException", 0, 0 },
	{ "HttpRequestException", 0, 0 },
	{ "System.Net.WebException", 0, 0 },
	{ "The remote server returned an error", 0, 1 },
	{ "Response status code does not indicate success", 0, 1 },
	{ "System.Net.Sockets.SocketException", 1, 0 },
	{ "System.Security.Authentication.AuthenticationException", 1, 0 },
	{ "Unable to read data from the transport connection", 1, 0 },
	{ "The SSL connection could not be established", 1, 1 },
	{ "No such host is known", 1, 1 },
	{ "TaskCanceledException: The request was canceled due to the configured HttpClient.Timeout", 1, 1 },
	{ "Azure.RequestFailedException", 0, 0 },
	/* PHP */
	{ "GuzzleHttp\\Exception\\ConnectException", 1, 0 },
	{ "GuzzleHttp\\Exception\\ClientException", 0, 0 },
	{ "GuzzleHttp\\Exception\\ServerException", 0, 0 },
	{ "GuzzleHttp\\Exception\\RequestException", 0, 0 },
	{ "cURL error ", 1, 0 },
	/* Ruby */
	{ "Net::OpenTimeout", 1, 0 },
	{ "Net::ReadTimeout", 1, 0 },
	{ "Errno::ECONNREFUSED", 1, 0 },
	{ "Failed to open TCP connection", 1, 1 },
	{ "OpenSSL::SSL::SSLError", 1, 0 },
	/* an API's error printed without its JSON: "Error: insufficient_quota: You
	 * exceeded your current quota, ..." (OpenAI's code and message, as SDK
	 * wrappers and agents log them), "openai.error.RateLimitError: You
	 * exceeded your current quota, please check your plan and billing details." */
	{ "insufficient_quota: ", 0, 1 },
	{ "You exceeded your current quota, please check your plan and billing details", 0, 1 },
	/* Firebase JS SDK: "FirebaseError: [code=permission-denied]: Missing or insufficient permissions." */
	{ "FirebaseError: ", 0, 1 },
	/* browsers */
	{ "has been blocked by CORS policy", 0, 2 },
	{ "Cross-Origin Request Blocked", 0, 2 },
	{ "No 'Access-Control-Allow-Origin' header is present", 0, 2 },
	{ "Response for preflight ", 0, 2 },
	{ "is not allowed by Access-Control-Allow-Origin", 0, 2 },
	{ "Preflight response is not successful", 0, 2 },
	{ "due to access control checks", 0, 2 },
	{ "Failed to load resource: the server responded with a status of", 0, 1 },
	{ "Failed to load resource: net::ERR_", 1, 1 },
	{ "TypeError: Failed to fetch", 0, 0 },
	{ "NetworkError when attempting to fetch resource", 0, 0 },
	{ NULL, 0, 0 }
};

/* How a browser's console sentence about CORS begins (Chrome, old Chrome,
 * Firefox, Safari); a guide quoting the sentence in prose begins otherwise. */
static const char *const console_opens[] = { "Access to ", "Cross-Origin Request Blocked",
	"Fetch API cannot load", "XMLHttpRequest cannot load", "Failed to load ", "Origin ",
	"Preflight response", "Response to preflight", "Response for preflight", NULL };

/* Words that may stand before a client error at the start of a line. */
static int lead_ok(const char *t, const char *m)
{
	const char *p = t;
	int words = 0;
	while (p < m) {
		while (p < m && *p == ' ')
			p++;
		const char *w = p;
		while (p < m && *p != ' ')
			p++;
		if (p > w)
			words++;
		/* "Error: ", "cause: ", "reason: ", "Caused by: ", "TypeError:" */
		if (p - w >= 2 && p[-1] == ':') {
			size_t wl = (size_t)(p - w) - 1;
			if ((wl >= 5 && !ascii_ncasecmp(p - 6, "error", 5)) ||
			    (wl >= 9 && !ascii_ncasecmp(p - 10, "exception", 9)) ||
			    (wl == 5 && !ascii_ncasecmp(w, "cause", 5)) ||
			    (wl == 6 && !ascii_ncasecmp(w, "reason", 6)) || (wl == 2 && !ascii_ncasecmp(w, "by", 2)))
				words = 0;
		}
	}
	return words <= 1;
}

static void set_host(struct exchange *ex, const char *h, size_t n, size_t line, const char *how)
{
	if (ex->host || !n || n > 253)
		return;
	ex->host = xstrndup(h, n);
	ascii_lower(ex->host);
	ex->host_source = xasprintf("line %zu: %s", line + 1, how);
}

/* Host named by the message when it has no URL. */
static void host_from_message(const char *m, struct exchange *ex, size_t line)
{
	static const struct {
		const char *pre;
		const char *stop;
	} forms[] = {
		{ "host='", "'" }, { "ENOTFOUND ", " :\n" }, { "EAI_AGAIN ", " :\n" },
		{ "Could not resolve host: ", " \n" }, { "Cannot connect to host ", " :" },
		{ "UnknownHostException: ", " :\n" }, { "lookup ", " :" }, { "No such host is known. (", ":)" },
		{ "Failed to connect to ", " :" }, { "Failed to open TCP connection to ", " :" },
		{ NULL, NULL }
	};
	for (int i = 0; forms[i].pre; i++) {
		const char *p = strstr(m, forms[i].pre);
		if (!p)
			continue;
		p += strlen(forms[i].pre);
		size_t n = strcspn(p, forms[i].stop);
		if (n && memchr(p, '.', n) && !memchr(p, '/', n)) {
			set_host(ex, p, n, line, forms[i].pre);
			return;
		}
	}
}

static void url_from_message(const char *m, struct exchange *ex, size_t line)
{
	for (const char *p = m; *p; p++) {
		size_t l;
		if ((*p == 'h' || *p == 'H') && (l = frag_url_len(p)) > 10) {
			/* "(see https://curl.haxx.se/...) for URL", "Origin https://app is ..." */
			if (frag_url_aside(m, p)) {
				p += l - 1;
				continue;
			}
			char *u = xstrndup(p, l);
			exchange_set_url(ex, u);
			free(u);
			ex->url_source = xasprintf("line %zu: \"%.*s\"", line + 1, (int)(l < 60 ? l : 60), p);
			if (ex->host)
				ex->host_source = xstrdup(ex->url_source);
			/* Go and Guzzle put the method right before the URL */
			const char *b = p;
			while (b > m && (b[-1] == '"' || b[-1] == ' ' || b[-1] == '`' || b[-1] == '['))
				b--;
			static const char *const ms[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", NULL };
			for (int k = 0; ms[k]; k++) {
				size_t ml = strlen(ms[k]);
				if ((size_t)(b - m) >= ml && !ascii_ncasecmp(b - ml, ms[k], ml) &&
				    (b - ml == m || !isalnum((unsigned char)b[-(long)ml - 1])))
					ex->method = xstrdup(ms[k]);
				/* Feign: "during [POST] to [https://...]" */
				else if ((size_t)(b - m) >= ml + 5 && !memcmp(b - 4, "] to", 4) &&
					 !memcmp(b - 4 - ml, ms[k], ml) && b[-5 - (long)ml] == '[')
					ex->method = xstrdup(ms[k]);
			}
			return;
		}
	}
}

/* A sentence of someone telling what happened ("last week we saw connect
 * ECONNREFUSED when ..."), not an error line a program printed.  All the
 * telling words count in the first n bytes; after them (an exception's own
 * message, which may say "An existing connection was forcibly closed" or
 * "The response had HTTP status code 403") only the words of a person. */
static int prose_like(const char *full, size_t n)
{
	static const char *const tell[] = { " was ", " were ", " had ", " last ", " when ", NULL };
	static const char *const person[] = { " we ", "We ", " I ", "I ", " our ", " used to ",
		" fixed", " resolved", " yesterday", " sometimes ", NULL };
	int words = 0, hits = 0;
	for (const char *p = full; *p;) {
		while (*p && !isalpha((unsigned char)*p))
			p++;
		const char *w = p;
		while (isalpha((unsigned char)*p))
			p++;
		if (p - w >= 2 && (!*p || *p == ' ' || *p == ',' || *p == '.'))
			words++;
	}
	char *pre = xstrndup(full, n);
	for (int i = 0; tell[i]; i++)
		if (strstr(pre, tell[i]))
			hits++;
	free(pre);
	/* "We " and "I " only open the line ("API " is no person) */
	for (int i = 0; person[i]; i++)
		if (person[i][0] == ' ' ? strstr(full, person[i]) != NULL : !strncmp(full, person[i], strlen(person[i])))
			hits++;
	if (words >= 8 && hits >= 1)
		return 1;
	/* documentation: several `quoted` spans, or a Markdown table row */
	int ticks = 0, bars = 0;
	for (const char *p = full; *p; p++) {
		ticks += *p == '`';
		bars += *p == '|';
	}
	return ticks >= 4 || bars >= 3;
}

/* A line saying a failure was retried and then worked ("attempt 1 failed:
 * connect ECONNREFUSED ..., retry 2 succeeded"): no failure to report. */
static int recovered_like(const char *t)
{
	static const char *const retry[] = { "retry", "retried", "retrying", "attempt", NULL };
	static const char *const fine[] = { "succeeded", "successful", "recovered", "retry ok", NULL };
	int r = 0, f = 0;
	for (int i = 0; retry[i] && !r; i++)
		r = ascii_casestr(t, strlen(t), retry[i]) != NULL;
	for (int i = 0; fine[i] && !f; i++)
		f = ascii_casestr(t, strlen(t), fine[i]) != NULL;
	return r && f;
}

/* Where a browser console sentence starts in t, when it opens the line
 * (after at most a "[Error]" or "app.js:12" word); NULL otherwise. */
static const char *console_start(const char *t)
{
	const char *best = NULL;
	for (int i = 0; console_opens[i]; i++) {
		const char *p = strstr(t, console_opens[i]);
		if (p && (!best || p < best))
			best = p;
	}
	return best && lead_ok(t, best) ? best : NULL;
}

/* curl's one-line failure: "curl: (7) msg", clipped in a paste as "url:
 * (7) msg", or Guzzle's "[curl] 56: msg [url] URL".  Returns 1 and fills ex. */
static int curl_line(const char *t, struct exchange *ex, size_t *col, size_t line)
{
	const char *c = !strncmp(t, "curl: (", 7) ? t + 7 : !strncmp(t, "url: (", 6) ? t + 6 : NULL;
	const char *g = c ? NULL : strstr(t, "[curl] ");
	if (g && lead_ok(t, g))
		c = g + 7;
	char *end = NULL;
	long code = c ? strtol(c, &end, 10) : 0;
	if (!c || !end || end == c || code <= 0 || code >= 100 || end[0] != (g ? ':' : ')') || end[1] != ' ')
		return 0;
	const char *msg = end + 2;
	const char *u = g ? strstr(msg, " [url] ") : NULL;
	size_t ml = u ? (size_t)(u - msg) : strlen(msg);
	while (ml && (msg[ml - 1] == '`' || isspace((unsigned char)msg[ml - 1])))
		ml--;
	ex->exit_code = (int)code;
	ex->error = xstrndup(msg, ml < ERROR_CAP ? ml : ERROR_CAP);
	ex->status = STATUS_NONE;
	ex->status_source = xasprintf("line %zu: curl exit code %ld", line + 1, code);
	strlist_adds(&ex->transcript, t);
	*col = 0;
	if (u)
		url_from_message(u, ex, line);
	host_from_message(ex->error, ex, line);
	return 1;
}

/* A stack frame ("at feign.FeignException.errorStatus(FeignException.java:203)",
 * "at Object.<anonymous> (/app/x.js:3:9)"): where an error passed, not one. */
static int stack_frame(const char *t)
{
	size_t n = strlen(t);
	return !strncmp(t, "at ", 3) && n > 4 && t[n - 1] == ')' && strchr(t, '(') && !strchr(t, '{');
}

int frag_client_error(const char *t, struct exchange *ex, size_t *col, size_t line)
{
	if (recovered_like(t) || stack_frame(t))
		return 0;
	const char *m = NULL, *mp = NULL;
	const struct marker *mk = NULL;
	size_t ms, me;
	for (int i = 0; markers[i].text && !m; i++) {
		const char *p = strstr(t, markers[i].text);
		if (!p)
			continue;
		/* back to the start of the exception's name */
		const char *s = p;
		while (s > t && (isalnum((unsigned char)s[-1]) || strchr("._$\\:", s[-1])) &&
		       !(s[-1] == ':' && s - 1 > t && s[-2] != ':' && s[0] == ' '))
			s--;
		if (!markers[i].anywhere && !lead_ok(t, s))
			continue;
		/* a console sentence opens its line; quoted in a guide it does not */
		if (markers[i].anywhere == 2 && !console_start(t))
			continue;
		/* a fixed phrase is a whole line a program printed ("Access to
		 * fetch at 'u' from origin 'o' has been blocked by CORS policy") */
		m = markers[i].anywhere ? t : s;
		mk = &markers[i];
		mp = p;
	}
	/* someone telling what happened: the telling words come before the
	 * exception's name, anywhere in a fixed phrase's line; a console
	 * sentence ("The response had HTTP status code 403") is known by how
	 * it opens */
	if (m && mk->anywhere == 1) {
		/* the phrase's own words ("The request was canceled") do not count */
		char *c = xstrdup(t);
		memset(c + (mp - t), ' ', strlen(mk->text));
		int prose = prose_like(c, strlen(c));
		free(c);
		if (prose)
			return 0;
	} else if (m && prose_like(t, mk->anywhere == 2 ? 0 : (size_t)(m - t))) {
		return 0;
	}
	if (!m) {
		/* Go: Get "https://x/y": <what went wrong> */
		static const char *const gm[] = { "Get \"", "Post \"", "Put \"", "Patch \"", "Delete \"",
						  "Head \"", NULL };
		for (int k = 0; gm[k] && !m; k++) {
			const char *p = strstr(t, gm[k]);
			if (p && (p == t || p[-1] == ' ' || p[-1] == ':') && frag_url_len(p + strlen(gm[k]))) {
				const char *q = strchr(p + strlen(gm[k]), '"');
				if (q && q[1] == ':' && q[2] == ' ') {
					m = p;
					static const struct marker go = { "go", 1, 1 };
					mk = &go;
				}
			}
		}
	}
	if (!m)
		return !prose_like(t, strlen(t)) && curl_line(t, ex, col, line);
	/* "Error: " before the name stays out of the message */
	size_t n = strlen(m);
	while (n && (isspace((unsigned char)m[n - 1]) || m[n - 1] == '`'))
		n--;
	if (n > ERROR_CAP)
		n = ERROR_CAP;
	ex->error = xstrndup(m, n);
	*col = (size_t)(m - t);
	int st = frag_status_in(m, n, &ms, &me);
	if (st) {
		ex->status = st;
		ex->status_source = xasprintf("line %zu: \"%.*s\"", line + 1, (int)(me - ms < 60 ? me - ms : 60),
					      m + ms);
	} else if (mk->no_response) {
		ex->status = STATUS_NONE;
		ex->status_source = xasprintf("line %zu: no response (%s)", line + 1, mk->text);
	}
	/* requests: "503 Server Error: <reason the server sent> for url: X" */
	const char *se = strstr(m, " Server Error: ");
	if (!se)
		se = strstr(m, " Client Error: ");
	const char *fu = se ? strstr(se, " for url: ") : NULL;
	if (se && fu && st && fu > se + 15)
		ex->status_text = xstrndup(se + 15, (size_t)(fu - se - 15));
	url_from_message(ex->error, ex, line);
	host_from_message(ex->error, ex, line);
	return 1;
}

/* ---------------------------------------------------------------- */
/* logfmt */

/* Parse the next key=value pair at *p; value unquoted into val. */
static int logfmt_pair(const char **pp, const char **k, size_t *kl, struct sbuf *val)
{
	const char *p = *pp;
	while (*p == ' ' || *p == '\t')
		p++;
	const char *ks = p;
	while (*p && (isalnum((unsigned char)*p) || strchr("_.-@/", *p)))
		p++;
	if (p == ks || *p != '=') {
		*pp = p;
		return 0;
	}
	*k = ks;
	*kl = (size_t)(p - ks);
	p++;
	sbuf_reset(val);
	if (*p == '"') {
		int closed;
		p += 1 + unescape_string(p + 1, strlen(p + 1), '"', val, &closed);
	} else {
		const char *vs = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		sbuf_add(val, vs, (size_t)(p - vs));
	}
	*pp = p;
	return 1;
}

int frag_is_logfmt(const char *t)
{
	const char *p = t, *k;
	size_t kl;
	int pairs = 0;
	struct sbuf v = SBUF_INIT;
	while (*p && pairs < 3) {
		if (logfmt_pair(&p, &k, &kl, &v))
			pairs++;
		else
			break;
	}
	sbuf_release(&v);
	return pairs >= 3;
}

static int key_is(const char *k, size_t kl, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strlen(names[i]) == kl && !ascii_ncasecmp(k, names[i], kl))
			return 1;
	return 0;
}

static const char *const status_keys[] = { "status", "statusCode", "status_code", "res.statusCode",
	"http.status_code", "response.status", "http_status", "httpStatus", "res.status", NULL };
static const char *const url_keys[] = { "url", "uri", "req.url", "request.url", "http.url",
	"request_url", "upstream", "endpoint", NULL };
static const char *const method_keys[] = { "method", "req.method", "http.method", "request.method", NULL };
static const char *const err_keys[] = { "err", "error", "err.message", "error.message", "errorMessage",
	"error_message", "exception", "err.msg", NULL };
static const char *const body_keys[] = { "body", "responseBody", "response_body", "response.body",
	"resp_body", "data", "response.data", "err.response.data", "error.response.data", "err.body",
	"response", "err.responseBody", NULL };
static const char *const time_keys[] = { "time", "timestamp", "ts", "@timestamp", "t", NULL };

/* Fill ex from one (key, value) of a record. */
static void record_field(struct exchange *ex, const char *k, size_t kl, const char *v, size_t vl,
			 size_t line, const char *what)
{
	if (key_is(k, kl, status_keys) && ex->status == STATUS_UNKNOWN && vl == 3 &&
	    isdigit((unsigned char)v[0]) && isdigit((unsigned char)v[1]) && isdigit((unsigned char)v[2])) {
		int st = atoi(v);
		if (st >= 100 && st <= 599) {
			ex->status = st;
			ex->status_source = xasprintf("%s %zu: %.*s=%d", what, line + 1, (int)kl, k, st);
		}
	} else if (key_is(k, kl, url_keys) && !ex->url && vl > 0 && vl < 4096) {
		char *u = xstrndup(v, vl);
		if (strstr(u, "://") || u[0] == '/') {
			exchange_set_url(ex, u);
			ex->url_source = xasprintf("%s %zu: %.*s", what, line + 1, (int)kl, k);
			if (ex->host)
				ex->host_source = xstrdup(ex->url_source);
		}
		free(u);
	} else if ((key_is(k, kl, method_keys)) && !ex->method && vl && vl < 10) {
		ex->method = xstrndup(v, vl);
		for (char *p = ex->method; *p; p++)
			*p = (char)toupper((unsigned char)*p);
	} else if (key_is(k, kl, err_keys) && !ex->error && vl > 0) {
		ex->error = xstrndup(v, vl < ERROR_CAP ? vl : ERROR_CAP);
	} else if (key_is(k, kl, body_keys) && !ex->resp_body.data && vl > 1) {
		struct frag_piece pc;
		/* a body that is itself an encoded document: unwrap it */
		if (frag_inner(v, vl, 1, &pc)) {
			body_set(&ex->resp_body, pc.body.data, pc.body.len);
			if (ex->status == STATUS_UNKNOWN && pc.status != STATUS_UNKNOWN) {
				ex->status = pc.status;
				ex->status_source = pc.status_source;
				pc.status_source = NULL;
			}
			for (size_t i = 0; i < pc.layers.n; i++)
				strlist_adds(&ex->transcript, pc.layers.v[i]);
		} else {
			body_set(&ex->resp_body, v, vl);
		}
		frag_piece_release(&pc);
	} else if (key_is(k, kl, time_keys) && !ex->started_at && vl >= 20 && vl < 40 &&
		   v[4] == '-' && v[10] == 'T' && v[vl - 1] == 'Z') {
		ex->started_at = xstrndup(v, vl);
	} else if (kl == 5 && !ascii_ncasecmp(k, "stack", 5) && vl) {
		char *s = xstrndup(v, vl < 2000 ? vl : 2000);
		strlist_adds(&ex->transcript, s);
		free(s);
	}
}

/* A record is evidence when it has a status, or an error with some HTTP
 * context or wording, or a body that reads as an error. */
static int record_done(struct exchange *ex)
{
	if (ex->status == STATUS_UNKNOWN && ex->error) {
		size_t ms, me;
		int st = frag_status_in(ex->error, strlen(ex->error), &ms, &me);
		if (st) {
			ex->status = st;
			ex->status_source = xasprintf("error message: \"%.*s\"", (int)(me - ms), ex->error + ms);
		}
	}
	return ex->status != STATUS_UNKNOWN || (ex->error && (ex->url || ex->resp_body.data)) ||
	       (ex->resp_body.data && ex->error);
}

int frag_logfmt_line(const char *t, struct exchange *ex, size_t line, int whole_log)
{
	const char *p = t, *k;
	size_t kl;
	struct sbuf v = SBUF_INIT;
	int pairs = 0, useful = 0;
	if (!frag_is_logfmt(t))
		return 0;
	while (*p) {
		if (logfmt_pair(&p, &k, &kl, &v)) {
			pairs++;
			int was = ex->status != STATUS_UNKNOWN || ex->error || ex->resp_body.data;
			record_field(ex, k, kl, v.data ? v.data : "", v.len, line, "logfmt line");
			useful |= !was && (ex->status != STATUS_UNKNOWN || ex->error || ex->resp_body.data);
		} else if (*p) {
			p++;
		}
	}
	sbuf_release(&v);
	(void)whole_log;
	if (!useful || !record_done(ex)) {
		exchange_release(ex);
		exchange_init(ex);
		return 0;
	}
	return 1;
}

/* Walk a JSON record, dotted keys, a few levels deep. */
static void walk_record(json_t *o, struct exchange *ex, char *path, size_t plen, int depth, size_t line)
{
	const char *k;
	json_t *v;
	if (depth > 4)
		return;
	json_object_foreach(o, k, v) {
		size_t kl = strlen(k);
		if (plen + kl + 2 > 256)
			continue;
		size_t np = plen;
		if (plen)
			path[np++] = '.';
		memcpy(path + np, k, kl + 1);
		np += kl;
		if (json_is_object(v) && !key_is(path, np, body_keys)) {
			walk_record(v, ex, path, np, depth + 1, line);
		} else if (json_is_string(v)) {
			record_field(ex, path, np, json_string_value(v), json_string_length(v), line, "log record");
		} else if (json_is_integer(v)) {
			char num[32];
			snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
			record_field(ex, path, np, num, strlen(num), line, "log record");
		} else if (json_is_object(v) || json_is_array(v)) {
			char *d = json_dumps(v, JSON_COMPACT);
			if (d)
				record_field(ex, path, np, d, strlen(d), line, "log record");
			free(d);
		}
		path[plen] = 0;
	}
}

int frag_json_record(json_t *rec, struct exchange *ex, size_t line)
{
	char path[260] = "";
	if (!json_is_object(rec))
		return 0;
	walk_record(rec, ex, path, 0, 0, line);
	/* "msg" is an error message only on an error-level record */
	json_t *lv = json_object_get(rec, "level");
	json_t *msg = json_object_get(rec, "msg");
	if (!msg)
		msg = json_object_get(rec, "message");
	int err_level = (json_is_integer(lv) && json_integer_value(lv) >= 50) ||
			(json_is_string(lv) && (!ascii_casecmp(json_string_value(lv), "error") ||
						!ascii_casecmp(json_string_value(lv), "fatal")));
	if (!ex->error && err_level && json_is_string(msg) && (ex->url || ex->resp_body.data ||
							       ex->status != STATUS_UNKNOWN)) {
		ex->error = xstrndup(json_string_value(msg), json_string_length(msg) < ERROR_CAP ?
								 json_string_length(msg) : ERROR_CAP);
	}
	if (!record_done(ex)) {
		exchange_release(ex);
		exchange_init(ex);
		return 0;
	}
	return 1;
}
