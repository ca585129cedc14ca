/* fragment-piece.c - read one structured piece of error evidence.
 *
 * A piece starts where the scanner saw '{', '[', '<', a Python bytes or
 * string literal, a quoted escaped document or "&lt;".  It is parsed as
 * JSON, else as a Python / Node literal rewritten to JSON, else kept as
 * text when it was cut in the paste; string values inside it are searched
 * for a deeper error (an upstream body quoted in a proxy's message), and
 * the innermost one becomes the body.  HTML and XML documents, and the
 * visible text of vendor error pages, are recognised here too.
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fragment.h"
#include "fragment-int.h"
#include "util.h"

#define LAYER_QUOTE 300  /* bytes of an outer layer kept as a transcript line */
#define INNER_SCAN 4096  /* bytes of a string searched for a nested piece */
#define STRINGS_CAP 400  /* string values of one document searched */
#define PAGE_WINDOW 20   /* lines in which a page's fingerprints must meet */

static const char *const reasons[] = {
	"Bad Request", "Unauthorized", "Payment Required", "Forbidden", "Not Found",
	"Method Not Allowed", "Not Acceptable", "Proxy Authentication Required",
	"Request Timeout", "Request Time-out", "Conflict", "Gone", "Length Required",
	"Precondition Failed", "Payload Too Large", "Request Entity Too Large", "URI Too Long",
	"Unsupported Media Type", "Misdirected Request", "Unprocessable Entity",
	"Unprocessable Content", "Too Early", "Precondition Required", "Too Many Requests",
	"Request Header Fields Too Large", "Unavailable For Legal Reasons",
	"Internal Server Error", "Not Implemented", "Bad Gateway", "Service Unavailable",
	"Service Temporarily Unavailable", "Gateway Timeout", "Gateway Time-out",
	"HTTP Version Not Supported", "Moved Permanently", "Found", "See Other",
	"Temporary Redirect", "Permanent Redirect", "Not Modified", NULL
};

/* Length of a reason phrase at s (case-insensitive), 0 when none. */
static size_t reason_at(const char *s)
{
	for (int i = 0; reasons[i]; i++) {
		size_t l = strlen(reasons[i]);
		if (!ascii_ncasecmp(s, reasons[i], l) && !isalnum((unsigned char)s[l]))
			return l;
	}
	return 0;
}

static int word_before(const char *start, const char *p, const char *w)
{
	size_t wl = strlen(w);
	return (size_t)(p - start) >= wl && !ascii_ncasecmp(p - wl, w, wl) &&
	       ((size_t)(p - start) == wl || !isalnum((unsigned char)p[-(long)wl - 1]));
}

/* Find a status stated in s (up to n bytes).  Returns it (100..599) and
 * sets [*ms, *me) to the words that state it, or 0. */
int frag_status_in(const char *s, size_t n, size_t *ms, size_t *me)
{
	int best = 0;
	for (size_t i = 0; i + 3 <= n; i++) {
		const char *p = s + i;
		if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
		    !isdigit((unsigned char)p[2]) || (i + 3 < n && isalnum((unsigned char)p[3])) ||
		    (i > 0 && (isalnum((unsigned char)p[-1]) || p[-1] == '.' || p[-1] == '-' || p[-1] == ':' ||
			       p[-1] == '/' || p[-1] == '_')))
			continue;
		int code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
		if (code < 100 || code > 599)
			continue;
		/* words before the number */
		const char *b = p;
		while (b > s && (b[-1] == ' ' || b[-1] == ':' || b[-1] == '=' || b[-1] == '(' ||
				 b[-1] == '"' || b[-1] == '\'' || b[-1] == '['))
			b--;
		int hit = 0;
		static const char *const pre[] = { "HTTP", "status", "status code", "statuscode",
			"status_code", "httpstatus", "http status", "http_status", "http code",
			"error", "error code", "err", "code", "returned", "returned error",
			"returned status", "responded with a status of", "response code",
			"got", "with", "StatusCode", NULL };
		size_t kwl = 0;
		for (int k = 0; pre[k]; k++)
			if (word_before(s, b, pre[k]) && strlen(pre[k]) > kwl) {
				hit = 1;
				kwl = strlen(pre[k]);
			}
		/* HTTPError: 403, ClientResponseError: 403 */
		if (!hit && b - s >= 5 && !ascii_ncasecmp(b - 5, "Error", 5))
			hit = 1;
		if (!hit && b - s >= 6 && (b[-1] == '1' || b[-1] == '0' || b[-1] == '2' || b[-1] == '3')) {
			/* HTTP/1.1 403, HTTP/2 403 */
			const char *h = b;
			while (h > s && (isdigit((unsigned char)h[-1]) || h[-1] == '.'))
				h--;
			hit = h - s >= 5 && !ascii_ncasecmp(h - 5, "HTTP/", 5);
		}
		const char *a = p + 3;
		while (a < s + n && (*a == ' ' || *a == '(' || *a == '\''))
			a++;
		size_t rl = reason_at(a);
		if (!hit && rl)
			hit = 1;
		if (!hit && (size_t)(s + n - a) >= 12 &&
		    (!ascii_ncasecmp(a, "Client Error", 12) || !ascii_ncasecmp(a, "Server Error", 12)))
			hit = 1;
		if (!hit && (a[0] == 'E' || a[0] == 'e') && !ascii_ncasecmp(a, "ERROR", 5) &&
		    !isalpha((unsigned char)a[5]))
			hit = 1;
		if (!hit)
			continue;
		if (code < 400 && !rl) {
			/* a 1xx-3xx needs words that can only mean a status */
			if (!word_before(s, b, "HTTP") && !word_before(s, b, "status") &&
			    !word_before(s, b, "status code") && !word_before(s, b, "statuscode"))
				continue;
		}
		/* quote from the keyword (or the exception's name) on */
		size_t st = (size_t)(b - s) - kwl;
		if (!kwl)
			while (st > 0 && s[st - 1] != ' ' && s[st - 1] != '(' && s[st - 1] != '[' &&
			       s[st - 1] != '`' && st + 40 > (size_t)(b - s))
				st--;
		size_t en = rl ? (size_t)(a - s) + rl : (size_t)(p - s) + 3;
		if (!rl && (size_t)(s + n - a) >= 5 && !ascii_ncasecmp(a, "ERROR", 5))
			en = (size_t)(a - s) + 5;
		else if (!rl && (size_t)(s + n - a) >= 12 && !ascii_ncasecmp(a + 6, "Error", 5))
			en = (size_t)(a - s) + 12;
		*ms = st;
		*me = en;
		best = code;
		break;
	}
	return best;
}

void frag_piece_release(struct frag_piece *pc)
{
	sbuf_release(&pc->body);
	free(pc->status_source);
	free(pc->status_text);
	free(pc->url);
	free(pc->method);
	free(pc->error);
	hdr_list_release(&pc->headers);
	strlist_release(&pc->layers);
	memset(pc, 0, sizeof *pc);
	pc->status = STATUS_UNKNOWN;
}

static void piece_init(struct frag_piece *pc)
{
	memset(pc, 0, sizeof *pc);
	pc->status = STATUS_UNKNOWN;
}

/* Move the inner piece into the outer one; the outer text becomes a layer. */
static void adopt_inner(struct frag_piece *pc, struct frag_piece *in, const char *outer, size_t on)
{
	size_t q = on < LAYER_QUOTE ? on : LAYER_QUOTE;
	while (q && q < on && ((unsigned char)outer[q] & 0xc0) == 0x80)
		q--;
	char *layer = xasprintf("unwrapped from: %.*s%s", (int)q, outer, q < on ? "..." : "");
	strlist_adds(&pc->layers, layer);
	free(layer);
	for (size_t k = 0; k < in->layers.n; k++)
		strlist_adds(&pc->layers, in->layers.v[k]);
	sbuf_reset(&pc->body);
	sbuf_add(&pc->body, in->body.data ? in->body.data : "", in->body.len);
	pc->truncated = in->truncated;
	if (in->status != STATUS_UNKNOWN) {
		pc->status = in->status;
		free(pc->status_source);
		pc->status_source = in->status_source;
		in->status_source = NULL;
	}
	if (!pc->url && in->url) {
		pc->url = in->url;
		in->url = NULL;
	}
	pc->error_like = 1;
}

/* ---------------------------------------------------------------- */
/* Error pages as visible text */

static int all_upper_code(const char *t, size_t min)
{
	size_t n = 0;
	int us = 0;
	for (; t[n]; n++) {
		if (t[n] == '_')
			us++;
		else if (!isupper((unsigned char)t[n]))
			return 0;
	}
	return n >= min && us >= 1;
}

static int has(const char *t, const char *w)
{
	return ascii_casestr(t, strlen(t), w) != NULL;
}

int frag_page_line(const char *t, int *pat, int *status)
{
	size_t ms, me;
	*status = 0;
	for (int k = 0; k < 4; k++) {
		/* markdown emphasis, list marks and leading tags (<p>, <span>) */
		while (*t == ' ' || *t == '#' || *t == '*' || *t == '(' || *t == '-')
			t++;
		if (*t == '<' && isalpha((unsigned char)t[1])) {
			const char *gt = strchr(t, '>');
			if (gt && gt - t < 40)
				t = gt + 1;
		}
	}
	/* Vercel */
	if (has(t, "Serverless Function has") || has(t, "Edge Function has") ||
	    has(t, "Middleware has timed out"))
		return *pat = 0, 1;
	if (isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[1]) && isdigit((unsigned char)t[2]) &&
	    t[3] == ':' && t[4] == ' ' && all_upper_code(t + 5, 4)) {
		*status = atoi(t);
		return *pat = 1, 1;
	}
	if (!strncmp(t, "Code: ", 6) && all_upper_code(t + 6, 6))
		return *pat = 2, 1;
	if (!strncmp(t, "ID: ", 4) && strstr(t, "::"))
		return *pat = 3, 1;
	if (has(t, "An error occurred with your deployment"))
		return *pat = 4, 1;
	if (all_upper_code(t, 10) && (strstr(t, "INVOCATION") || strstr(t, "DEPLOYMENT") ||
				      strstr(t, "FUNCTION") || strstr(t, "MIDDLEWARE") || strstr(t, "EDGE_")))
		return *pat = 5, 1;
	{
		const char *c = strstr(t, "::");
		if (c && c - t >= 4 && c - t <= 30 && strlen(c) > 20 && !strchr(t, ' ') && strchr(c, '-'))
			return *pat = 6, 1;
	}
	if (has(t, "Vercel is working correctly") || has(t, "vercel.com/docs/errors") ||
	    has(t, "vercel.com/docs/error/"))
		return *pat = 7, 1;
	/* Cloudflare */
	if (has(t, "Ray ID:"))
		return *pat = 0, 2;
	if (!strncmp(t, "Error ", 6) && isdigit((unsigned char)t[6]) && isdigit((unsigned char)t[7]) &&
	    isdigit((unsigned char)t[8])) {
		int code = atoi(t + 6);
		if (!isdigit((unsigned char)t[9]) && code >= 520 && code <= 530)
			*status = code;
		return *pat = 1, 2;
	}
	if (!strncmp(t, "Error code", 10)) {
		const char *d = t + 10 + (t[10] == ':');
		while (*d == ' ')
			d++;
		if (isdigit((unsigned char)d[0]) && isdigit((unsigned char)d[3]))
			return *pat = 1, 2;
	}
	if (!strcmp(t, "Access denied") || !strncmp(t, "Sorry, you have been blocked", 28))
		return *pat = 3, 2;
	if (has(t, "by Cloudflare") || has(t, "| Cloudflare") || has(t, "Cloudflare Ray"))
		return *pat = 2, 2;
	if (has(t, "You have been blocked") || has(t, "Attention Required!") ||
	    has(t, "Checking your browser") || has(t, "Web server is down") ||
	    has(t, "Why have I been blocked?") || has(t, "The owner of this website") ||
	    has(t, "Please enable cookies"))
		return *pat = 3, 2;
	/* CloudFront */
	if (has(t, "The request could not be satisfied"))
		return *pat = 0, 3;
	if (has(t, "Generated by cloudfront"))
		return *pat = 1, 3;
	if (isdigit((unsigned char)t[0]) && frag_status_in(t, strlen(t), &ms, &me) && ms == 0 &&
	    !strcmp(t + 3, " ERROR")) {
		*status = atoi(t);
		return *pat = 2, 3;
	}
	if (!strncmp(t, "Request ID: ", 12) && strcspn(t + 12, " )") >= 40 && strstr(t + 12, "=="))
		return *pat = 3, 3;
	/* a web server's default page: "504 Gateway Time-out" then "nginx" */
	if (isdigit((unsigned char)t[0]) && strlen(t) > 3 && t[3] == ' ' && frag_status_in(t, strlen(t), &ms, &me) &&
	    ms == 0 && me == strlen(t)) {
		*status = atoi(t);
		return *pat = 0, 4;
	}
	{
		static const char *const servers[] = { "nginx", "openresty", "Apache", "Microsoft-IIS",
			"cloudflare", "awselb", "envoy", "Varnish", "Tengine", "CloudFront", "Caddy", NULL };
		for (int k = 0; servers[k]; k++) {
			size_t l = strlen(servers[k]);
			if (!strncmp(t, servers[k], l) && (!t[l] || t[l] == '/' || t[l] == ' ') &&
			    strlen(t) < l + 40)
				return *pat = 1, 4;
		}
	}
	/* Heroku */
	if (!strcmp(t, "Application error"))
		return *pat = 0, 5;
	if (has(t, "your page could not be served") || has(t, "heroku logs --tail"))
		return *pat = 1, 5;
	/* Google front end */
	if (isdigit((unsigned char)t[0]) && strlen(t) > 3 && t[3] == '.' && (has(t, "That\xe2\x80\x99s an error") ||
							  has(t, "That's an error"))) {
		*status = atoi(t);
		return *pat = 0, 6;
	}
	if (has(t, "That\xe2\x80\x99s all we know") || has(t, "That's all we know") ||
	    has(t, "Your client does not have permission"))
		return *pat = 1, 6;
	/* Akamai: "Reference #18.2d351ab8.1764580000.a4e16ab" with the
	 * "You don't have permission to access" line (Apache's own 403 page
	 * has the sentence, never the reference) */
	if (!strncmp(t, "Reference #", 11) && isdigit((unsigned char)t[11]) && strchr(t + 11, '.'))
		return *pat = 0, 7;
	if (has(t, "You don't have permission to access") || has(t, "You don\xe2\x80\x99t have permission to access"))
		return *pat = 1, 7;
	/* IIS: the ASP.NET Core Module's page */
	if (!strncmp(t, "HTTP Error 50", 13) && (has(t, "ASP.NET Core") || has(t, "ANCM"))) {
		*status = atoi(t + 11);
		return *pat = 0, 8;
	}
	if (!strcmp(t, "Common solutions to this issue:") || !strcmp(t, "Troubleshooting steps:"))
		return *pat = 1, 8;
	return 0;
}

int frag_page_lines(const char *const *lines, size_t n, size_t from, size_t *lo, size_t *hi)
{
	int pat, st, v = frag_page_line(lines[from], &pat, &st);
	unsigned seen = 0;
	size_t last = from;
	if (!v)
		return 0;
	seen |= 1u << pat;
	if (v == 2 && pat == 0) {
		/* "Error 1020 Ray ID: ..." on one line */
		const char *e = strstr(lines[from], "Error ");
		if (e && isdigit((unsigned char)e[6]))
			seen |= 1u << 1;
	}
	for (size_t i = from + 1; i < n && i <= last + PAGE_WINDOW / 2 && i < from + 40; i++) {
		int p2, s2, v2 = frag_page_line(lines[i], &p2, &s2);
		if (v2 == v) {
			seen |= 1u << p2;
			last = i;
		}
	}
	if (__builtin_popcount(seen) < 2)
		return 0;
	*lo = from;
	*hi = last;
	return v;
}

/* Error page text in a decoded string: the string is the body. */
static int page_text(const char *s, size_t n)
{
	char *copy = xstrndup(s, n < INNER_SCAN * 4 ? n : INNER_SCAN * 4);
	const char **lines = NULL;
	size_t ln = 0, la = 0, lo, hi;
	int found = 0;
	for (char *p = copy; p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		size_t l = strlen(p);
		while (l && (p[l - 1] == '\r' || p[l - 1] == ' '))
			p[--l] = 0;
		lines = xgrow(lines, &la, ln + 1, sizeof *lines);
		lines[ln++] = p;
		p = nl ? nl + 1 : NULL;
	}
	for (size_t i = 0; i < ln && !found; i++) {
		/* "Error from provider: An error occurred ..." */
		const char *t = lines[i];
		const char *colon = strstr(t, ": ");
		int pat, st;
		if (colon && !frag_page_line(t, &pat, &st) && frag_page_line(colon + 2, &pat, &st))
			lines[i] = colon + 2;
		found = frag_page_lines(lines, ln, i, &lo, &hi) != 0;
	}
	free(lines);
	free(copy);
	return found;
}

/* ---------------------------------------------------------------- */
/* Documents */

static int error_word(const char *s)
{
	static const char *const w[] = { "error", "denied", "forbidden", "unauthori", "invalid",
		"not found", "exceed", "limit", "fail", "timeout", "timed out", "unavailable",
		"refused", "blocked", "expired", "missing", "not allowed", "too many", "quota",
		"could not", "cannot", "can't", "unable", "rejected", "bad request", "not permitted",
		"permission", "overloaded", "throttl", "insufficient", "bad credentials", NULL };
	for (int i = 0; w[i]; i++)
		if (ascii_casestr(s, strlen(s), w[i]))
			return 1;
	return 0;
}

static json_t *oget(json_t *o, const char *k)
{
	const char *key;
	json_t *v;
	if (!json_is_object(o))
		return NULL;
	if ((v = json_object_get(o, k)) != NULL)
		return v;
	json_object_foreach(o, key, v)
		if (!ascii_casecmp(key, k))
			return v;
	return NULL;
}

static int set_value(json_t *v)
{
	return v && !json_is_null(v) && !json_is_false(v) &&
	       !(json_is_string(v) && !*json_string_value(v)) &&
	       !(json_is_array(v) && !json_array_size(v)) && !(json_is_object(v) && !json_object_size(v));
}

/* A numeric HTTP status in o (status, statusCode, status_code, code with a
 * message beside it).  Sets the key name. */
static int json_status(json_t *o, const char **key)
{
	static const char *const ks[] = { "status", "statusCode", "status_code", "httpStatus",
		"http_status", "httpStatusCode", "code", NULL };
	for (int i = 0; ks[i]; i++) {
		json_t *v = oget(o, ks[i]);
		long long c = -1;
		if (json_is_integer(v))
			c = json_integer_value(v);
		else if (json_is_string(v) && strlen(json_string_value(v)) == 3 &&
			 isdigit((unsigned char)json_string_value(v)[0]) && i < 6)
			c = atoll(json_string_value(v));
		if (c < 100 || c > 599)
			continue;
		if (i == 6 && !(oget(o, "message") || oget(o, "status") || oget(o, "error")))
			continue;
		if (c < 400 && i == 6)
			continue;
		*key = ks[i];
		return (int)c;
	}
	return 0;
}

static int json_error_like(json_t *root)
{
	static const char *const ek[] = { "error", "errors", "err", "fault", "error_description",
		"errorMessage", "errorCode", "error_code", "__type", "exception", NULL };
	static const char *const mk[] = { "message", "msg", "detail", "title", "reason", "type",
		"code", "description", NULL };
	json_t *o = root;
	if (json_is_array(o) && json_array_size(o))
		o = json_array_get(o, 0);
	if (!json_is_object(o))
		return 0;
	for (int i = 0; ek[i]; i++)
		if (set_value(oget(o, ek[i])))
			return 1;
	const char *k;
	if (json_status(o, &k) >= 400)
		return 1;
	for (int i = 0; mk[i]; i++) {
		json_t *v = oget(o, mk[i]);
		if (json_is_string(v) && error_word(json_string_value(v)))
			return 1;
	}
	return 0;
}

/* Depth-first over string values; the first that holds an inner error. */
static int inner_in_strings(json_t *v, int depth, int *budget, struct frag_piece *in)
{
	const char *k;
	json_t *c;
	size_t i;
	if (--*budget < 0)
		return 0;
	if (json_is_string(v)) {
		size_t n = json_string_length(v);
		return n >= 20 && frag_inner(json_string_value(v), n, depth, in);
	}
	if (json_is_object(v)) {
		json_object_foreach(v, k, c)
			if (inner_in_strings(c, depth, budget, in))
				return 1;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, c)
			if (inner_in_strings(c, depth, budget, in))
				return 1;
	}
	return 0;
}

/* Read what a client's dump says (axios error, fetch Response, requests
 * Response): status, statusText, headers, data / body, config.url. */
static json_t *client_dump(json_t *root, struct frag_piece *pc)
{
	json_t *r = oget(root, "response");
	json_t *res = json_is_object(r) && (oget(r, "status") || oget(r, "statusCode")) ? r : root;
	json_t *data = oget(res, "data");
	const char *k;
	int st;
	if (!data)
		data = oget(res, "body");
	if (!data)
		data = oget(res, "responseBody");
	if (res == root && !data)
		return NULL;
	if ((st = json_status(res, &k)) != 0 && strcmp(k, "code") != 0) {
		pc->status = st;
		pc->status_source = xasprintf("dump: %s%s: %d", res == root ? "" : "response.", k, st);
	}
	json_t *stt = oget(res, "statusText");
	if (json_is_string(stt))
		pc->status_text = xstrdup(json_string_value(stt));
	json_t *h = oget(res, "headers");
	json_t *hv;
	const char *hk;
	json_object_foreach(h, hk, hv)
		if (json_is_string(hv))
			hdr_list_adds(&pc->headers, hk, json_string_value(hv));
	json_t *cfg = oget(root, "config");
	if (!cfg && r)
		cfg = oget(r, "config");
	json_t *u = oget(cfg, "url");
	if (json_is_string(u) && strstr(json_string_value(u), "://"))
		pc->url = xstrdup(json_string_value(u));
	json_t *m = oget(cfg, "method");
	if (json_is_string(m) && strlen(json_string_value(m)) < 10) {
		pc->method = xstrdup(json_string_value(m));
		for (char *p = pc->method; *p; p++)
			*p = (char)toupper((unsigned char)*p);
	}
	json_t *msg = oget(root, "message");
	if (res != root && json_is_string(msg))
		pc->error = xstrdup(json_string_value(msg));
	return data;
}

/* A client's error object for a request that got no response (axios
 * toJSON(), a Node error logged as JSON): "message" and a transport "code"
 * such as ECONNREFUSED or CERT_HAS_EXPIRED, and no response.  Sets
 * pc->error (the message, with the code when the message lacks it), the
 * status to no response and config.url.  Returns 1 when it is one. */
static int transport_dump(json_t *root, struct frag_piece *pc)
{
	static const char *const codes[] = { "ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT",
		"ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ECONNABORTED", "EPIPE", "ESOCKETTIMEDOUT",
		"UND_ERR_CONNECT_TIMEOUT", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN",
		"DEPTH_ZERO_SELF_SIGNED_CERT", "CERT_HAS_EXPIRED", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
		"ERR_TLS_CERT_ALTNAME_INVALID", NULL };
	json_t *code = oget(root, "code"), *msg = oget(root, "message"), *r = oget(root, "response");
	if (!json_is_string(code) || !json_is_string(msg) || (r && !json_is_null(r)) || pc->error)
		return 0;
	const char *c = json_string_value(code), *m = json_string_value(msg);
	int known = 0;
	for (int i = 0; codes[i] && !known; i++)
		known = !strcmp(c, codes[i]);
	if (!known)
		return 0;
	pc->error = strstr(m, c) ? xstrdup(m) : xasprintf("%s (%s)", m, c);
	if (pc->status == STATUS_UNKNOWN) {
		pc->status = STATUS_NONE;
		pc->status_source = xasprintf("dump: code %s (no response)", c);
	}
	json_t *u = oget(oget(root, "config"), "url");
	if (!pc->url && json_is_string(u) && strstr(json_string_value(u), "://"))
		pc->url = xstrdup(json_string_value(u));
	return 1;
}

static void body_from_json(struct frag_piece *pc, json_t *v)
{
	sbuf_reset(&pc->body);
	if (json_is_string(v)) {
		sbuf_adds(&pc->body, json_string_value(v));
	} else {
		char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (d)
			sbuf_adds(&pc->body, d);
		free(d);
	}
}

static int json_piece(const char *s, size_t n, int depth, struct frag_piece *pc)
{
	int complete, literal = 0, ret = 0;
	size_t e = bracket_end(s, n, &complete);
	json_t *root = NULL;
	char *conv = NULL;
	json_error_t jerr;

	if (e < 2 || e > FRAG_BLOB_CAP)
		return 0;
	{
		/* '[' must open a list of values, not "[400 Bad Request]" or "[INFO]" */
		size_t k = 1;
		while (k < e && isspace((unsigned char)s[k]))
			k++;
		if (k >= e)
			return 0;
		int c = (unsigned char)s[k];
		if (s[0] == '[' && !(c == '{' || c == '[' || c == '"' || c == '\'' || c == ']'))
			return 0;
		if (s[0] == '{' && !(c == '"' || c == '\'' || c == '}' || isalpha(c) || c == '_'))
			return 0;
	}
	pc->end = e;
	if (complete) {
		root = json_loadb(s, e, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
		if (!root) {
			conv = literal_to_json(s, e);
			root = json_loads(conv, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
			literal = root != NULL;
		}
	}
	if (root && ((json_is_object(root) && !json_object_size(root)) ||
		     (json_is_array(root) && !json_array_size(root)))) {
		/* {} and [] say nothing */
		json_decref(root);
		free(conv);
		return 0;
	}
	if (root && !json_is_object(root) && !json_is_array(root)) {
		json_decref(root);
		root = NULL;
	}
	if (root) {
		json_t *data = literal ? client_dump(root, pc) : NULL;
		struct frag_piece in;
		int budget = STRINGS_CAP;
		const char *k;
		int st;
		piece_init(&in);
		if (data)
			body_from_json(pc, data);
		else if (literal)
			body_from_json(pc, root);
		else
			sbuf_add(&pc->body, s, e);
		json_t *scope = data ? data : root;
		json_t *eo = oget(scope, "error");
		if (pc->status == STATUS_UNKNOWN && ((st = json_status(scope, &k)) != 0 ||
						     (st = json_status(eo, &k)) != 0)) {
			pc->status = st;
			pc->status_source = xasprintf("body: \"%s\": %d", k, st);
		}
		ret = json_error_like(scope) || (data && pc->status >= 400) ? 1 : e >= 16 ? 2 : 0;
		if (json_is_object(root) && transport_dump(root, pc))
			ret = 1;
		/* a large document that is no error (a run report) is not searched:
		 * an error page quoted deep inside it is not its failure */
		if (depth < FRAG_DEPTH_CAP && (ret == 1 || e < 4096) &&
		    inner_in_strings(scope, depth + 1, &budget, &in)) {
			adopt_inner(pc, &in, s, e);
			ret = 1;
		}
		frag_piece_release(&in);
		pc->error_like = ret == 1;
	} else {
		/* cut in the paste, or not JSON: look for a deeper error in its
		 * string literals, else keep the text if it reads as an error */
		struct frag_piece in;
		struct sbuf str = SBUF_INIT;
		piece_init(&in);
		for (size_t i = 0; i < e && depth < FRAG_DEPTH_CAP && !ret; i++) {
			if (s[i] != '"')
				continue;
			int closed;
			sbuf_reset(&str);
			size_t used = unescape_string(s + i + 1, e - i - 1, '"', &str, &closed);
			if (str.len >= 16 && frag_inner(str.data, str.len, depth + 1, &in)) {
				sbuf_add(&pc->body, s, e);
				adopt_inner(pc, &in, s, e);
				if (!closed)
					pc->truncated = 1;
				ret = 1;
			}
			i += used;
		}
		sbuf_release(&str);
		frag_piece_release(&in);
		if (!ret && e >= 20 && (!complete || !conv)) {
			char *head = xstrndup(s, e < 2000 ? e : 2000);
			if (strstr(head, "\"error") || strstr(head, "'error") || strstr(head, "\"message\"") ||
			    strstr(head, "\"errors\"")) {
				sbuf_add(&pc->body, s, e);
				pc->truncated = !complete;
				ret = 1;
			}
			free(head);
		}
	}
	json_decref(root);
	free(conv);
	return ret;
}

/* The text inside the first <tag>...</tag> (case-insensitive). */
static char *tag_text(const char *s, size_t n, const char *tag)
{
	char open[32], close[32];
	snprintf(open, sizeof open, "<%s", tag);
	snprintf(close, sizeof close, "</%s", tag);
	const char *a = ascii_casestr(s, n, open);
	if (!a)
		return NULL;
	const char *gt = memchr(a, '>', (size_t)(s + n - a));
	if (!gt)
		return NULL;
	gt++;
	const char *b = ascii_casestr(gt, (size_t)(s + n - gt), close);
	if (!b || b - gt > 400)
		return NULL;
	struct sbuf out = SBUF_INIT;
	for (const char *p = gt; p < b; p++)
		sbuf_addc(&out, *p == '\n' || *p == '\r' ? ' ' : *p);
	char *t = sbuf_detach(&out, NULL);
	char *r = t;
	while (*r == ' ')
		r++;
	memmove(t, r, strlen(r) + 1);
	return t;
}

static int markup_piece(const char *s, size_t n, struct frag_piece *pc)
{
	static const char *const html_open[] = { "<!DOCTYPE html", "<html", "<head>", "<title>", "<body", NULL };
	static const char *const xml_open[] = { "<?xml", "<Error>", "<Error ", "<ErrorResponse",
		"<error>", "<Fault", "<soap:Envelope", "<s:Envelope", "<soapenv:Envelope", "<Response>", NULL };
	int html = 0, xml = 0;
	const char *end = NULL;
	for (int i = 0; html_open[i] && !html; i++)
		html = !ascii_ncasecmp(s, html_open[i], strlen(html_open[i]));
	for (int i = 0; xml_open[i] && !html && !xml; i++)
		xml = !strncmp(s, xml_open[i], strlen(xml_open[i]));
	if (!html && !xml)
		return 0;
	size_t lim = n < FRAG_BLOB_CAP ? n : FRAG_BLOB_CAP;
	if (html) {
		const char *c = ascii_casestr(s, lim, "</html>");
		end = c ? c + 7 : NULL;
		if (!end && !ascii_ncasecmp(s, "<title>", 7)) {
			c = ascii_casestr(s, lim, "</title>");
			end = c ? c + 8 : NULL;
		}
	} else {
		/* the root element after an XML declaration */
		const char *r = s;
		if (!strncmp(r, "<?xml", 5)) {
			const char *q = strstr(r, "?>");
			r = q ? q + 2 : r + 5;
			while (r < s + lim && *r != '<')
				r++;
		}
		size_t nl = 0;
		while (r + 1 + nl < s + lim && (isalnum((unsigned char)r[1 + nl]) || r[1 + nl] == ':' ||
						 r[1 + nl] == '_' || r[1 + nl] == '-'))
			nl++;
		if (nl && nl < 60) {
			char close[72];
			snprintf(close, sizeof close, "</%.*s>", (int)nl, r + 1);
			const char *c = strstr(r, close);
			end = c && c < s + lim ? c + strlen(close) : NULL;
		}
	}
	size_t len = end ? (size_t)(end - s) : lim;
	/* an unclosed document ends at a blank line followed by prose */
	if (!end) {
		const char *b = strstr(s, "\n\n");
		while (b && b < s + len) {
			const char *a = b + 2;
			while (*a == '\n' || *a == ' ')
				a++;
			if (*a && *a != '<')
				break;
			b = strstr(a, "\n\n");
		}
		if (b && b < s + len)
			len = (size_t)(b - s);
		pc->truncated = 1;
	}
	pc->end = len;
	sbuf_add(&pc->body, s, len);
	char *title = tag_text(s, len, "title");
	char *h1 = tag_text(s, len, "h1");
	const char *heads[] = { title, h1 };
	for (int i = 0; i < 2; i++) {
		size_t ms, me;
		int st;
		if (!heads[i] || pc->status != STATUS_UNKNOWN)
			continue;
		st = frag_status_in(heads[i], strlen(heads[i]), &ms, &me);
		if (st && ms == 0) {
			pc->status = st;
			pc->status_source = xasprintf("body: <%s>%.*s</%s>", i ? "h1" : "title",
						      (int)(me < 60 ? me : 60), heads[i], i ? "h1" : "title");
		}
	}
	int ret;
	if (html)
		ret = pc->status != STATUS_UNKNOWN || (title && error_word(title)) || (h1 && error_word(h1)) ? 1 : 2;
	else
		ret = strstr(pc->body.data, "<Code>") || strstr(pc->body.data, "Error>") ||
		      strstr(pc->body.data, "Fault") || strstr(pc->body.data, "<Message>") ? 1 : 2;
	pc->error_like = ret == 1;
	free(title);
	free(h1);
	return ret;
}

int frag_inner(const char *s, size_t n, int depth, struct frag_piece *pc)
{
	piece_init(pc);
	if (depth > FRAG_DEPTH_CAP)
		return 0;
	size_t lim = n < INNER_SCAN ? n : INNER_SCAN;
	for (size_t k = 0; k < lim; k++) {
		int c = (unsigned char)s[k];
		if (c != '{' && c != '[' && c != '<' && c != '&')
			continue;
		if (frag_piece_at(s + k, n - k, depth, pc) == 1)
			return 1;
		frag_piece_release(pc);
	}
	if (page_text(s, n)) {
		sbuf_add(&pc->body, s, n);
		pc->error_like = 1;
		return 1;
	}
	return 0;
}

int frag_piece_at(const char *s, size_t n, int depth, struct frag_piece *pc)
{
	int ret = 0;
	piece_init(pc);
	if (!n || depth > FRAG_DEPTH_CAP)
		return 0;
	if (s[0] == '{' || s[0] == '[') {
		ret = json_piece(s, n, depth, pc);
	} else if (s[0] == '<') {
		ret = markup_piece(s, n, pc);
	} else if (s[0] == '&' && n > 4 && !strncmp(s, "&lt;", 4)) {
		/* an HTML-escaped document: decode up to its end */
		struct sbuf dec = SBUF_INIT;
		const char *c = ascii_casestr(s, n < FRAG_BLOB_CAP ? n : FRAG_BLOB_CAP, "&lt;/html&gt;");
		size_t len = c ? (size_t)(c - s) + 13 : (n < 65536 ? n : 65536);
		entity_decode(s, len, &dec);
		struct frag_piece in;
		piece_init(&in);
		if (markup_piece(dec.data, dec.len, &in) == 1) {
			adopt_inner(pc, &in, s, len);
			ret = 1;
			pc->end = len;
		}
		frag_piece_release(&in);
		sbuf_release(&dec);
	} else if (s[0] == 'b' || s[0] == 'u' || s[0] == '"' || s[0] == '\'') {
		/* b'..' bytes repr, u'..', or a quoted escaped document */
		size_t off = s[0] == 'b' || s[0] == 'u' ? 1 : 0;
		int q = (unsigned char)s[off], closed;
		struct sbuf dec = SBUF_INIT;
		struct frag_piece in;
		if (q != '"' && q != '\'')
			return 0;
		size_t used = unescape_string(s + off + 1, n - off - 1, q, &dec, &closed);
		size_t pos = off + 1 + used;
		/* a Python repr split over lines (pprint, black): b'...'\n b'...' */
		while (off && closed && dec.len < FRAG_BLOB_CAP) {
			size_t k = pos;
			while (k < n && (s[k] == ' ' || s[k] == '\n' || s[k] == '\t'))
				k++;
			if (k + 2 >= n || s[k] != s[0] || (s[k + 1] != '"' && s[k + 1] != '\''))
				break;
			used = unescape_string(s + k + 2, n - k - 2, s[k + 1], &dec, &closed);
			pos = k + 2 + used;
		}
		piece_init(&in);
		if (dec.len >= 10 && frag_inner(dec.data, dec.len, depth + 1, &in)) {
			adopt_inner(pc, &in, s, pos);
			if (!closed)
				pc->truncated = 1;
			pc->end = pos;
			ret = 1;
		}
		frag_piece_release(&in);
		sbuf_release(&dec);
	}
	if (!ret)
		frag_piece_release(pc);
	return ret;
}

void frag_piece_to_exchange(struct frag_piece *pc, struct exchange *ex, const char *what, size_t line)
{
	(void)what;
	(void)line;
	body_set(&ex->resp_body, pc->body.data ? pc->body.data : "", pc->body.len);
	if (pc->truncated)
		ex->resp_body.truncated = 1;
	if (pc->status != STATUS_UNKNOWN) {
		ex->status = pc->status;
		ex->status_source = pc->status_source;
		pc->status_source = NULL;
	}
	if (pc->status_text) {
		ex->status_text = pc->status_text;
		pc->status_text = NULL;
	}
	if (pc->url) {
		exchange_set_url(ex, pc->url);
		ex->url_source = xstrdup("client error dump: config.url");
		if (ex->host)
			ex->host_source = xstrdup(ex->url_source);
	}
	if (pc->method && !ex->method) {
		ex->method = pc->method;
		pc->method = NULL;
	}
	if (pc->error) {
		ex->error = pc->error;
		pc->error = NULL;
	}
	for (size_t i = 0; i < pc->headers.n; i++)
		hdr_list_adds(&ex->resp_headers, pc->headers.v[i].name, pc->headers.v[i].value);
	for (size_t i = 0; i < pc->layers.n; i++)
		strlist_adds(&ex->transcript, pc->layers.v[i]);
}

int frag_url_aside(const char *s, const char *p)
{
	/* an error message's pointer to documentation: "read the docs: URL",
	 * "head to: URL", "For more information ... visit URL" */
	static const char *const doc[] = { "read the docs: ", "head to: ", "docs: ", "visit ", NULL };
	for (int i = 0; doc[i]; i++) {
		size_t l = strlen(doc[i]);
		if ((size_t)(p - s) >= l && !ascii_ncasecmp(p - l, doc[i], l))
			return 1;
	}
	return (p - s >= 4 && !ascii_ncasecmp(p - 4, "see ", 4)) || (p - s >= 7 && !strncmp(p - 7, "Origin ", 7));
}

/* Length of an http(s) URL at p, without trailing punctuation; 0 when none. */
size_t frag_url_len(const char *p)
{
	size_t n = 0;
	if (ascii_ncasecmp(p, "http://", 7) && ascii_ncasecmp(p, "https://", 8))
		return 0;
	while (p[n] && !isspace((unsigned char)p[n]) && !strchr("\"'<>`|\\", p[n]))
		n++;
	while (n && strchr(".,;:)]}*", p[n - 1]))
		n--;
	return n;
}
