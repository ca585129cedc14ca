/* redact-scan.c - header values (Authorization, Cookie, Set-Cookie, with
 * the kept text around a secret scanned too) and the redactor's text
 * scanner: one left-to-right pass
 * that recognises the structure around a value (JSON fields, query, form
 * and path parameters, "Name: value" lines, multipart parts, XML and HTML,
 * JS literals and assignments in prose, PEM blocks, credentials in URLs)
 * and has redact-value.c judge and replace it.  The output is built only
 * after the first hit.  See redact-int.h for the layers.
 *
 * One file of about 1,300 lines because it is one recursive thing: the
 * header-value writers scan the text they keep (a token can sit in a
 * cookie's name), and the scanner writes header values it finds in text.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "caps.h"

#include "redact-int.h"

/* ---- header values ---- */

static int put_text(struct redactor *r, struct sbuf *out, const char *p, size_t n);

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
			hits += put_text(r, out, p + ns, i - ns);
			continue;
		}
		nm = p + ns;
		nl = i - ns;
		trim_span(&nm, &nl);
		rd_norm_name(nm, nl, norm);
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
		if (rd_in_list(norm, auth_safe_params)) {
			hits += put_text(r, out, p + vs, ve - vs);
		} else if (strcmp(norm, "credential") == 0 && !q && memchr(p + vs, '/', ve - vs)) {
			/* AWS4 Credential=KEYID/date/region/service/aws4_request:
			 * the scope after the key id helps diagnosis */
			const char *sl = memchr(p + vs, '/', ve - vs);
			hits += rd_put_value(r, out, p + vs, (size_t)(sl - p - vs), kind);
			sbuf_add(out, sl, (size_t)(p + ve - sl));
		} else {
			sbuf_add(out, p + vs, q);
			hits += rd_put_value(r, out, p + vs + q, ve - vs - 2 * q, kind);
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
		return rd_put_value(r, out, p, n, kind); /* a bare key */
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
		hits = rd_put_value(r, out, rest, rn, kind);
	sbuf_add(out, rest + rn, (size_t)(p + n - rest - rn));
	return hits + hits0;
}

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
	h = rd_scan(r, p, n, &k, depth > 2 ? F_SHAPES : 0, REDACT_TOKEN_IN_TEXT);
	depth--;
	if (h)
		sbuf_add(out, k.data, k.len);
	else
		sbuf_add(out, p, n);
	sbuf_release(&k);
	return h;
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
			hits += put_text(r, out, p + s, (size_t)(eq - p - s));
			sbuf_addc(out, '=');
			hits += rd_put_value(r, out, eq + 1, (size_t)(p + e - eq - 1), REDACT_COOKIE);
		} else {
			hits += rd_put_value(r, out, p + s, e - s, REDACT_COOKIE);
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
			hits += rd_put_value(r, out, eq + 1, (size_t)(p + first - eq - 1), REDACT_SET_COOKIE);
		} else {
			hits += rd_put_value(r, out, p, first, REDACT_SET_COOKIE);
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
int rd_put_header_value(struct redactor *r, struct sbuf *out, const char *name, size_t nlen,
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
		return rd_put_value_s(r, out, v, vn, REDACT_API_KEY_HEADER, 1);
	case NC_WEAK:
		if (!rd_auth_scheme_value(v, vn))
			return rd_put_value(r, out, v, vn, REDACT_API_KEY_HEADER);
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
		hits = rd_put_header_value(sc->r, &v, s + ns, ne - ns, s + vs, ve - vs, &handled);
	} else {
		const char *t = s + vs;
		size_t tn = ve - vs;
		trim_span(&t, &tn);
		/* prose ("Token: expired yesterday") is not a value */
		if (cls == NC_STRONG && (headerish || !memchr(t, ' ', tn)))
			hits = rd_put_value_s(sc->r, &v, s + vs, ve - vs, REDACT_TOKEN_IN_TEXT, 1);
		else if (rd_weak_secret_value(t, tn) && !rd_auth_scheme_value(t, tn))
			hits = rd_put_value(sc->r, &v, s + vs, ve - vs, REDACT_TOKEN_IN_TEXT);
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
			sc->hits += rd_put_value_s(sc->r, sc->out, s + vs, ve - vs, REDACT_JSON_FIELD, 1);
			sc->done = ve;
			j = ve + (ve < n ? q : 0);
		} else if (s[j] == '-' || (s[j] >= '0' && s[j] <= '9')) {
			size_t vs = j;
			while (j < n && (RC_IS(s[j], RC_DIGIT) || strchr("+-.eE", s[j])))
				j++;
			flush(sc, vs);
			sbuf_adds(sc->out, "\"");
			sc->hits += rd_put_value_s(sc->r, sc->out, s + vs, j - vs, REDACT_JSON_FIELD, 1);
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
	rd_norm_name(s + ks, ke - ks, norm);
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
		sc->hits += rd_put_value_s(sc->r, sc->out, s + vs, j - vs, REDACT_JSON_FIELD, 1);
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
		if (strcmp(norm, "name") == 0 || !rd_weak_secret_value(s + vs, ve - vs))
			return 0;
	}
	if (cls == NC_PLAIN)
		return 0;
	if (!special) {
		const char *t = s + vs;
		size_t tn = ve - vs;
		trim_span(&t, &tn);
		if (rd_auth_scheme_value(t, tn) && cls != NC_STRONG)
			return 0;
		if (cls == NC_WEAK && (!rd_weak_secret_value(t, tn) || memchr(t, ' ', tn)))
			return 0;
	}
	/* A string not closed on its line (a cut body, or text that only
	 * looks like JSON) whose value would be kept as harmless (an ARN, a
	 * placeholder) is not taken as one value: the scanner reads on, so a
	 * token further in the same text is still found (fuzz finding). */
	if (!(ve < n && s[ve] == (esc ? '\\' : '"'))) {
		const char *t = s + vs;
		size_t tn = ve - vs;
		trim_span(&t, &tn);
		if (tn && rd_benign_value(t, tn, cls == NC_STRONG))
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
		hits = rd_put_value_s(sc->r, sc->out, s + vs, ve - vs, REDACT_JSON_FIELD, cls == NC_STRONG);
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
		if (rd_fingerprint_at(s + j, n - j)) {
			j += 9; /* our own "[#xxxxxx]" holds a '#' */
			continue;
		}
		if (path && (s[j] == '/' || s[j] == '?' || s[j] == ','))
			break;
		if (enc && s[j] == '%' && pct_delim(s, n, j))
			break;
		j++;
	}
	if (j == vs || rd_benign_value(s + vs, j - vs, cls == NC_STRONG))
		return 0;
	flush(sc, i);
	sc->hits += put_text(sc->r, sc->out, s + i, vs - i);
	sc->hits += rd_put_value_s(sc->r, sc->out, s + vs, j - vs, sc->param_kind, cls == NC_STRONG);
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
	if (!at || at == i + 3 || rd_already_redacted(s + i + 3, at - i - 3) ||
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
	return rd_jwt_len(p, n) == n ? REDACT_JWT : REDACT_TOKEN_IN_TEXT;
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
	if (!(rd_token_like(s + ts, te - ts) || rc_random_like(s + ts, te - ts)) ||
	    rd_benign_value(s + ts, j - ts, 0))
		return 0;
	flush(sc, i);
	sbuf_add(sc->out, s + i, ts - i);
	rd_put_secret(sc->r, sc->out, s + ts, j - ts);
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
	rd_put_secret(sc->r, sc->out, s + ts, te - ts);
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
		len = rd_jwt_len(s + i, n - i);
	if (!len)
		len = rc_pattern_at(s + i, n - i, &keep);
	if (!len || (i + len < n && is_word((unsigned char)s[i + len])))
		return 0;
	flush(sc, i);
	rd_put_secret(sc->r, sc->out, s + i, len);
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
	rd_put_secret(sc->r, sc->out, s + i, len);
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
			j += rd_fingerprint_at(s + j, n - j) ? 9 : 1;
	}
	ve = j;
	if (ve == vs || rd_benign_value(s + vs, ve - vs, cls == NC_STRONG) || rd_has_fingerprint(s + vs, ve - vs) ||
	    rd_auth_scheme_value(s + vs, ve - vs))
		return 0;
	if (cls == NC_WEAK && !rd_weak_secret_value(s + vs, ve - vs))
		return 0;
	if (cls == NC_STRONG && !quote && plain_word(s + vs, ve - vs) &&
	    !ascii_casestr(s + i, ne - i, "pass") && !ascii_casestr(s + i, ne - i, "pwd") &&
	    !ascii_casestr(s + i, ne - i, "secret"))
		return 0; /* "token: expired" is prose */
	if (quote && memchr(s + vs, ' ', ve - vs) && !rd_weak_secret_value(s + vs, ve - vs) &&
	    !ascii_casestr(s + i, ne - i, "pass"))
		return 0; /* a quoted sentence */
	flush(sc, i);
	sc->hits += put_text(sc->r, sc->out, s + i, vs - i);
	sc->hits += rd_put_value_s(sc->r, sc->out, s + vs, ve - vs, REDACT_TOKEN_IN_TEXT, cls == NC_STRONG);
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
	if (j >= n || s[j] != ' ')
		return 0; /* (tested first: the cheapest) */
	{
		/* by length, the first letters of the words: most words of
		 * prose are ruled out before being lowercased */
		static uint32_t firsts[sizeof w];
		if (!firsts[3])
			for (size_t k = 0; words[k]; k++)
				firsts[strlen(words[k])] |= 1u << (words[k][0] - 'a');
		unsigned f = (unsigned)ascii_tolower((unsigned char)s[i]) - 'a';
		if (f >= 26 || !(firsts[we - i] & (1u << f)))
			return 0;
	}
	for (size_t k = 0; k < we - i; k++)
		w[k] = (char)ascii_tolower((unsigned char)s[i + k]);
	w[we - i] = '\0';
	if (!rd_in_list(w, words))
		return 0;
	strong = strcmp(w, "password") == 0 || strcmp(w, "passcode") == 0 || strcmp(w, "pin") == 0 ||
		 strcmp(w, "otp") == 0 || strcmp(w, "passwd") == 0 || strcmp(w, "pwd") == 0;
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
		j += rd_fingerprint_at(s + j, n - j) ? 9 : 1;
	while (j > vs && strchr(".:!?", s[j - 1]))
		j--;
	ve = j;
	if (ve == vs || rd_benign_value(s + vs, ve - vs, strong) || rd_has_fingerprint(s + vs, ve - vs))
		return 0;
	if (!rd_weak_secret_value(s + vs, ve - vs)) {
		int digit = 0;
		for (size_t k = vs; k < ve; k++)
			if (RC_IS(s[k], RC_DIGIT))
				digit = 1;
		if (!strong || !digit || ve - vs < 4)
			return 0;
	}
	flush(sc, i);
	sbuf_add(sc->out, s + i, vs - i);
	rd_put_secret(sc->r, sc->out, s + vs, ve - vs);
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
	rd_put_secret(sc->r, sc->out, s + he, be - he);
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
	if (ve <= vs || (cls == NC_WEAK && !rd_weak_secret_value(s + vs, ve - vs)))
		return 0;
	flush(sc, i);
	sbuf_add(sc->out, s + i, vs - i);
	sc->hits += rd_put_value_s(sc->r, sc->out, s + vs, ve - vs, REDACT_FORM_FIELD, cls == NC_STRONG);
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
		if (ve == vs || (cls == NC_WEAK && !rd_weak_secret_value(s + vs, ve - vs)))
			return 0;
		flush(sc, i);
		sbuf_add(sc->out, s + i, vs - i);
		sc->hits += rd_put_value_s(sc->r, sc->out, s + vs, ve - vs, REDACT_FORM_FIELD, cls == NC_STRONG);
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
	if (cls == NC_PLAIN || (cls == NC_WEAK && !rd_weak_secret_value(v, vl)))
		return 0;
	flush(sc, i);
	sbuf_add(sc->out, s + i, (size_t)(v - s - i));
	sc->hits += rd_put_value_s(sc->r, sc->out, v, vl, REDACT_FORM_FIELD, cls == NC_STRONG);
	return (size_t)(v + vl - s) - i;
}

/* A parameter may start after this byte ("?&;#"). */
static inline int param_before(char c)
{
	return c == '?' || c == '&' || c == ';' || c == '#';
}

/* First letters of the prose forms try_prose reads ("token is", "key:",
 * "secret", "password", "otp", "api key", "client secret"). */
static inline int prose_first(char c)
{
	switch (c | 0x20) {
	case 't': case 'k': case 's': case 'p': case 'o': case 'a': case 'c':
		return 1;
	default:
		return 0;
	}
}

/* Redact [s, s+n): returns replacements made; out holds the redacted text
 * only when that is not 0. */
int rd_scan(struct redactor *r, const char *s, size_t n, struct sbuf *out, int flags,
		enum redact_kind param_kind)
{
	struct scanner sc = { r, s, n, out, flags, param_kind, 0, 0, 0, NC_PLAIN };
	int seen = !rc_registry_empty();
	size_t i = 0, we, k;
	int cut;

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
		if (!adv && ((i == 0 && (flags & F_PARAMS)) || (i > 0 && param_before(s[i - 1]))))
			adv = try_param(&sc, i, i, 0);
		if (!adv && seen)
			adv = try_seen(&sc, i);
		if (!adv && (c == 'B' || c == 'b'))
			adv = try_bearer(&sc, i);
		if (!adv && (c == 'B' || c == 'b'))
			adv = try_basic(&sc, i);
		if (!adv && (c == 'e' || rc_pattern_first(c)))
			adv = try_shape(&sc, i);
		if (adv) {
			i += adv;
			sc.done = i;
			continue;
		}
		/* The rest of the word: nothing starts inside it (a line
		 * start after a "\n" escape does, and ends it here). */
		we = i + 1;
		while (we < n && (RC_IS(s[we], RC_ALNUM) || s[we] == '_') &&
		       !(we >= 2 && s[we - 2] == '\\' && s[we - 1] == 'n'))
			we++;
		cut = we < n && (RC_IS(s[we], RC_ALNUM) || s[we] == '_');
		/* What follows the word decides whether try_assign (a name,
		 * blanks, '=' or ':') and try_prose (a blank) can read
		 * anything here: most words of a body are followed by
		 * neither.  A word cut at a "\n" escape is tried as before. */
		for (k = we; k < n && (s[k] == ' ' || s[k] == '\t'); k++)
			;
		if (cut || we - i >= 64 || (we < n && (s[we] == '-' || s[we] == '.')) ||
		    (k < n && (s[k] == '=' || s[k] == ':')))
			adv = try_assign(&sc, i);
		if (!adv && (cut || (we < n && s[we] == ' ')) && prose_first(c))
			adv = try_prose(&sc, i);
		if (adv) {
			i += adv;
			sc.done = i;
			continue;
		}
		i = we;
	}
	if (sc.hits)
		flush(&sc, n);
	return sc.hits;
}

char *redact_buf(struct redactor *r, const char *s, size_t n, size_t *outlen)
{
	struct sbuf out = SBUF_INIT;

	if (!rd_scan(r, s, n, &out, F_LINES, REDACT_QUERY_PARAM)) {
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
