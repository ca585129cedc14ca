/* import-mail.c - tickets that are e-mails: the RFC 5322 header section
 * is skipped and the body decoded (MIME multipart: the best text part;
 * quoted-printable, base64; HTML to text) so the text importer reads what
 * a person would see.
 */
#include <config.h>

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "httpmsg.h"
#include "import-mail.h"
#include "util.h"

#define MIME_DEPTH 4

static const char *const mail_names[] = {
	"from", "to", "cc", "bcc", "subject", "sent", "reply-to", "message-id",
	"received", "return-path", "mime-version", "dkim-signature", "x-mailer",
	"in-reply-to", "references", "importance", "thread-topic", "thread-index",
	"delivered-to", "authentication-results", "content-transfer-encoding",
	"x-original-to", "arc-seal", "arc-message-signature", "arc-authentication-results",
	"received-spf", "x-received", "x-google-smtp-source", "list-unsubscribe",
	"precedence", "x-priority", "organization", "user-agent-mail", NULL
};

int mail_header_name(const char *p, size_t n)
{
	for (size_t i = 0; mail_names[i]; i++)
		if (strlen(mail_names[i]) == n && !ascii_ncasecmp(mail_names[i], p, n))
			return 1;
	return 0;
}

/* True for a space or a tab. */
static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Skip blanks; never fails. */
static const char *skip_blanks(const char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* Decode quoted-printable text; returns a malloc'd buffer. */
static char *qp_decode(const char *p, size_t n, size_t *outlen)
{
	char *o = xmalloc(n + 1);
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '=' && i + 1 < n && (p[i + 1] == '\n' || p[i + 1] == '\r')) {
			i++;
			if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
			continue;
		}
		if (p[i] == '=' && i + 2 < n && httpmsg_is_hex(p[i + 1]) && httpmsg_is_hex(p[i + 2])) {
			o[w++] = (char)(httpmsg_hex_val(p[i + 1]) * 16 + httpmsg_hex_val(p[i + 2]));
			i += 2;
			continue;
		}
		o[w++] = p[i];
	}
	o[w] = 0;
	*outlen = w;
	return o;
}

/* Length of an RFC 822 header section at p (through the blank line), or
 * 0 when p does not start with mail headers. */
static size_t mail_header_len(const char *p, size_t n, int need_mail)
{
	size_t i = 0;
	int hdrs = 0, mail = 0;
	while (i < n) {
		const char *e = memchr(p + i, '\n', n - i);
		size_t ll = e ? (size_t)(e - (p + i)) : n - i;
		size_t l2 = ll;
		if (l2 > 0 && p[i + l2 - 1] == '\r')
			l2--;
		if (l2 == 0)
			return hdrs >= (need_mail ? 2 : 1) && (!need_mail || mail >= 2) ? i + ll + 1 : 0;
		if (is_blank(p[i])) {
			if (!hdrs)
				return 0;
		} else {
			size_t k = 0;
			while (k < l2 && httpmsg_is_tchar(p[i + k]))
				k++;
			if (k == 0 || k >= l2 || p[i + k] != ':')
				return 0;
			hdrs++;
			if (mail_header_name(p + i, k) || !ascii_ncasecmp(p + i, "x-", 2) ||
			    !ascii_ncasecmp(p + i, "content-type", 12) || !ascii_ncasecmp(p + i, "date", 4))
				mail += mail_header_name(p + i, k);
		}
		if (!e)
			break;
		i += ll + 1;
	}
	return 0;
}

/* Value of a (possibly folded) header in a header section; malloc'd. */
static char *mail_header_get(const char *p, size_t n, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < n;) {
		const char *e = memchr(p + i, '\n', n - i);
		size_t ll = e ? (size_t)(e - (p + i)) : n - i;
		if (ll > nl && !ascii_ncasecmp(p + i, name, nl) && p[i + nl] == ':') {
			struct sbuf b = SBUF_INIT;
			sbuf_add(&b, p + i + nl + 1, ll - nl - 1);
			size_t j = i + ll + 1;
			while (j < n && is_blank(p[j])) {
				const char *e2 = memchr(p + j, '\n', n - j);
				size_t l2 = e2 ? (size_t)(e2 - (p + j)) : n - j;
				sbuf_add(&b, p + j, l2);
				j += l2 + 1;
			}
			const char *s = sbuf_str(&b);
			size_t sl = b.len;
			trim_span(&s, &sl);
			char *r = xstrndup(s, sl);
			sbuf_release(&b);
			return r;
		}
		if (!e)
			break;
		i += ll + 1;
	}
	return NULL;
}

/* Parameter of a header value ("boundary"); malloc'd or NULL. */
static char *header_param(const char *v, const char *param)
{
	const char *p = ascii_casestr(v, strlen(v), param);
	if (!p)
		return NULL;
	p += strlen(param);
	p = skip_blanks(p);
	if (*p != '=')
		return NULL;
	p = skip_blanks(p + 1);
	if (*p == '"') {
		const char *e = strchr(p + 1, '"');
		return e ? xstrndup(p + 1, (size_t)(e - p - 1)) : NULL;
	}
	const char *e = p;
	while (*e && *e != ';' && !isspace((unsigned char)*e))
		e++;
	return e > p ? xstrndup(p, (size_t)(e - p)) : NULL;
}

/* Turn the HTML of a mail body into text lines: tags out, block ends
 * to newlines, the common entities decoded.  Never fails. */
static void html_to_text(const char *p, size_t n, struct sbuf *out)
{
	static const char *const breaks[] = {
		"br", "/p", "p", "/div", "div", "/tr", "/li", "/h1", "/h2", "/h3", "/pre", "pre",
		"/blockquote", "/table", NULL
	};
	static const struct { const char *e; char c; } ents[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&quot;", '"' },
		{ "&#39;", '\'' }, { "&apos;", '\'' }, { "&nbsp;", ' ' }, { NULL, 0 }
	};
	int in_pre = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '<') {
			const char *e = memchr(p + i, '>', n - i);
			if (!e)
				break;
			const char *tag = p + i + 1;
			if (!ascii_ncasecmp(tag, "pre", 3) && !isalnum((unsigned char)tag[3]))
				in_pre = 1;
			else if (!ascii_ncasecmp(tag, "/pre", 4))
				in_pre = 0;
			for (size_t k = 0; breaks[k]; k++) {
				size_t bl = strlen(breaks[k]);
				if (!ascii_ncasecmp(tag, breaks[k], bl) && !isalnum((unsigned char)tag[bl])) {
					sbuf_addc(out, '\n');
					break;
				}
			}
			/* Skip style and script contents entirely. */
			if (!ascii_ncasecmp(tag, "style", 5) || !ascii_ncasecmp(tag, "script", 6)) {
				const char *close = ascii_casestr(e, (size_t)(p + n - e), tag[1] == 't' ? "</style" : "</script");
				if (close)
					e = memchr(close, '>', (size_t)(p + n - close));
				if (!e)
					break;
			}
			i = (size_t)(e - p);
			continue;
		}
		if (p[i] == '&') {
			size_t k;
			for (k = 0; ents[k].e; k++) {
				size_t el = strlen(ents[k].e);
				if (i + el <= n && !ascii_ncasecmp(p + i, ents[k].e, el)) {
					sbuf_addc(out, ents[k].c);
					i += el - 1;
					break;
				}
			}
			if (ents[k].e)
				continue;
		}
		if ((p[i] == '\n' || p[i] == '\r') && !in_pre)
			sbuf_addc(out, ' ');
		else
			sbuf_addc(out, p[i]);
	}
}

/* Decode the text of an e-mail entity (headers hs/hl, body b/bl) into
 * out: the first text/plain part of a multipart, QP/base64 decoded. */
static void mail_entity(const char *hs, size_t hl, const char *b, size_t bl, struct sbuf *out, int depth)
{
	char *ct = mail_header_get(hs, hl, "content-type");
	char *cte = mail_header_get(hs, hl, "content-transfer-encoding");
	char *boundary = ct ? header_param(ct, "boundary") : NULL;

	if (boundary && depth < MIME_DEPTH && ct && !ascii_ncasecmp(ct, "multipart/", 10)) {
		char *delim = xasprintf("--%s", boundary);
		const char *p = b, *end = b + bl;
		const char *best = NULL, *bestend = NULL;
		int best_rank = 0;
		while (p < end) {
			const char *s = ascii_casestr(p, (size_t)(end - p), delim);
			if (!s || (end - s > (ptrdiff_t)strlen(delim) + 1 && s[strlen(delim)] == '-' &&
				   s[strlen(delim) + 1] == '-'))
				break; /* the closing delimiter */
			const char *ps = memchr(s, '\n', (size_t)(end - s));
			if (!ps)
				break;
			ps++;
			const char *ne = ascii_casestr(ps, (size_t)(end - ps), delim);
			const char *pe = ne ? ne : end;
			size_t phl = mail_header_len(ps, (size_t)(pe - ps), 0);
			char *pct = phl ? mail_header_get(ps, phl, "content-type") : NULL;
			int rank = !pct || !ascii_ncasecmp(pct, "text/plain", 10) ? 3 :
				   !ascii_ncasecmp(pct, "multipart/", 10) ? 2 :
				   !ascii_ncasecmp(pct, "text/", 5) ? 1 : 0;
			if (rank > best_rank) {
				best = ps;
				bestend = pe;
				best_rank = rank;
			}
			free(pct);
			p = pe;
			if (!ne)
				break;
		}
		free(delim);
		if (best) {
			size_t phl = mail_header_len(best, (size_t)(bestend - best), 0);
			mail_entity(best, phl, best + phl, (size_t)(bestend - best) - phl, out, depth + 1);
		} else {
			sbuf_add(out, b, bl);
		}
	} else {
		struct sbuf dec = SBUF_INIT;
		size_t dl;
		char *d = NULL;
		if (cte && !ascii_casecmp(cte, "quoted-printable"))
			d = qp_decode(b, bl, &dl);
		else if (cte && !ascii_casecmp(cte, "base64"))
			d = base64_decode(b, bl, &dl);
		if (d)
			sbuf_add(&dec, d, dl);
		else
			sbuf_add(&dec, b, bl);
		free(d);
		if (ct && !ascii_ncasecmp(ct, "text/html", 9))
			html_to_text(sbuf_str(&dec), dec.len, out);
		else
			sbuf_add(out, sbuf_str(&dec), dec.len);
		sbuf_release(&dec);
	}
	free(ct);
	free(cte);
	free(boundary);
}

char *mail_decode(const char *buf, size_t len, size_t *outlen)
{
	size_t skip = 0, mh, tlen;
	struct sbuf d = SBUF_INIT;
	char *text;

	if (len >= 5 && !strncmp(buf, "From ", 5)) {
		const char *nl = memchr(buf, '\n', len);
		skip = nl ? (size_t)(nl - buf) + 1 : 0;
	}
	mh = mail_header_len(buf + skip, len - skip, 1);
	if (!mh)
		return NULL;
	mail_entity(buf + skip, mh, buf + skip + mh, len - skip - mh, &d, 0);
	text = sbuf_detach(&d, &tlen);
	if (!text) {
		text = xstrdup("");
		tlen = 0;
	}
	*outlen = tlen;
	return text;
}
