/* walk-mail.c - the attachments of an e-mail, for the walker.
 *
 * A ticket exported from a help desk is often one .eml whose HAR or zip
 * is a base64 MIME part.  The walker hands the mail itself to the
 * importer (its text is prose) and every part with a file name back to
 * itself as a member "mail.eml!capture.har", under the archive caps.
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fragment-int.h"
#include "util.h"
#include "walk.h"

#define MAIL_HEAD_SCAN 8192 /* bytes examined for mail headers */
#define MAIL_MIME_DEPTH 4   /* multipart nesting followed */

/* Length of the header block at p (up to and including the blank line),
 * 0 when p does not start with header lines. */
static size_t header_block(const char *p, size_t n)
{
	size_t i = 0;
	int lines = 0;
	while (i < n) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t le = nl ? (size_t)(nl - p) : n;
		size_t ll = le - i;
		if (ll && p[le - 1] == '\r')
			ll--;
		if (ll == 0)
			return lines ? (nl ? le + 1 : n) : 0;
		if (p[i] == ' ' || p[i] == '\t') {
			if (!lines)
				return 0;
		} else {
			size_t k = i;
			while (k < i + ll && (isalnum((unsigned char)p[k]) || p[k] == '-'))
				k++;
			if (k == i || k >= i + ll || p[k] != ':')
				return 0;
			lines++;
		}
		if (!nl)
			return 0;
		i = le + 1;
	}
	return 0;
}

/* The unfolded value of header name in [h, h+hl), malloc'd, or NULL. */
static char *header_get(const char *h, size_t hl, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < hl;) {
		const char *eol = memchr(h + i, '\n', hl - i);
		size_t le = eol ? (size_t)(eol - h) : hl;
		if ((i == 0 || h[i - 1] == '\n') && le - i > nl && !ascii_ncasecmp(h + i, name, nl) &&
		    h[i + nl] == ':') {
			struct sbuf v = SBUF_INIT;
			size_t j = i + nl + 1;
			for (;;) {
				const char *e2 = memchr(h + j, '\n', hl - j);
				size_t l2 = e2 ? (size_t)(e2 - h) : hl;
				size_t k = j;
				while (k < l2 && (h[k] == ' ' || h[k] == '\t'))
					k++;
				size_t end = l2;
				if (end > k && h[end - 1] == '\r')
					end--;
				if (v.len)
					sbuf_addc(&v, ' ');
				sbuf_add(&v, h + k, end - k);
				if (!e2 || l2 + 1 >= hl || (h[l2 + 1] != ' ' && h[l2 + 1] != '\t'))
					break;
				j = l2 + 1;
			}
			return sbuf_detach(&v, NULL);
		}
		i = le + 1;
	}
	return NULL;
}

/* A parameter of a header value (boundary, filename, name), malloc'd. */
static char *param_get(const char *v, const char *param)
{
	size_t pl = strlen(param);
	for (const char *p = v; p && *p; p++) {
		if ((p == v || p[-1] == ';' || p[-1] == ' ' || p[-1] == '\t') && !ascii_ncasecmp(p, param, pl) &&
		    (p[pl] == '=' || (p[pl] == '*' && strchr(p + pl, '=')))) {
			const char *q = strchr(p + pl, '=') + 1;
			if (p[pl] == '*') {
				/* RFC 2231: filename*=UTF-8''name */
				const char *t = strstr(q, "''");
				if (t)
					q = t + 2;
			}
			if (*q == '"') {
				const char *e = strchr(q + 1, '"');
				return e ? xstrndup(q + 1, (size_t)(e - q - 1)) : NULL;
			}
			return xstrndup(q, strcspn(q, "; \t\r\n"));
		}
	}
	return NULL;
}

int mail_looks_like(const unsigned char *p, size_t n)
{
	const char *s = (const char *)p;
	size_t lim = n < MAIL_HEAD_SCAN ? n : MAIL_HEAD_SCAN;
	size_t skip = 0;
	if (lim > 5 && !memcmp(s, "From ", 5)) {
		const char *nl = memchr(s, '\n', lim);
		skip = nl ? (size_t)(nl - s) + 1 : lim;
	}
	size_t hl = header_block(s + skip, lim - skip);
	if (!hl)
		return 0;
	char *mv = header_get(s + skip, hl, "MIME-Version");
	char *ct = header_get(s + skip, hl, "Content-Type");
	int yes = mv && ct && !ascii_ncasecmp(ct, "multipart/", 10);
	free(mv);
	free(ct);
	return yes;
}

/* Walk the parts of one entity; returns -1 when fn stopped. */
static int entity(const char *h, size_t hl, const char *b, size_t bl, int depth, mail_part_fn fn, void *ctx)
{
	char *ct = header_get(h, hl, "Content-Type");
	char *cd = header_get(h, hl, "Content-Disposition");
	char *cte = header_get(h, hl, "Content-Transfer-Encoding");
	char *boundary = ct ? param_get(ct, "boundary") : NULL;
	int ret = 0;

	if (boundary && ct && !ascii_ncasecmp(ct, "multipart/", 10)) {
		if (depth < MAIL_MIME_DEPTH) {
			char *delim = xasprintf("--%s", boundary);
			size_t dl = strlen(delim);
			const char *p = b, *end = b + bl;
			const char *s = memmem(p, (size_t)(end - p), delim, dl);
			while (s && ret == 0) {
				if ((size_t)(end - s) >= dl + 2 && s[dl] == '-' && s[dl + 1] == '-')
					break;
				const char *ps = memchr(s, '\n', (size_t)(end - s));
				if (!ps)
					break;
				ps++;
				const char *ne = memmem(ps, (size_t)(end - ps), delim, dl);
				const char *pe = ne ? ne : end;
				/* the CRLF before the next delimiter belongs to it */
				const char *pe2 = pe;
				if (ne && pe2 > ps && pe2[-1] == '\n')
					pe2--;
				if (ne && pe2 > ps && pe2[-1] == '\r')
					pe2--;
				size_t phl = header_block(ps, (size_t)(pe2 - ps));
				ret = entity(ps, phl, ps + phl, (size_t)(pe2 - ps) - phl, depth + 1, fn, ctx);
				s = ne;
			}
			free(delim);
		}
	} else {
		char *fname = cd ? param_get(cd, "filename") : NULL;
		if (!fname && ct)
			fname = param_get(ct, "name");
		if (fname && *fname) {
			size_t dl = 0;
			char *d = NULL;
			struct sbuf q = SBUF_INIT;
			if (cte && !ascii_casecmp(cte, "base64")) {
				d = base64_decode(b, bl, &dl);
			} else if (cte && !ascii_casecmp(cte, "quoted-printable")) {
				qp_decode_to(b, bl, &q);
				d = sbuf_detach(&q, &dl);
			}
			if (d)
				ret = fn(ctx, fname, d, dl);
			else if (!cte || ascii_casecmp(cte, "base64"))
				ret = fn(ctx, fname, b, bl);
			else
				ret = fn(ctx, fname, NULL, 0); /* undecodable: reported by the walker */
			free(d);
		}
		free(fname);
	}
	free(ct);
	free(cd);
	free(cte);
	free(boundary);
	return ret;
}

int mail_parts(const char *buf, size_t len, mail_part_fn fn, void *ctx)
{
	size_t skip = 0;
	if (len > 5 && !memcmp(buf, "From ", 5)) {
		const char *nl = memchr(buf, '\n', len);
		skip = nl ? (size_t)(nl - buf) + 1 : len;
	}
	size_t hl = header_block(buf + skip, len - skip);
	if (!hl)
		return 0;
	return entity(buf + skip, hl, buf + skip + hl, len - skip - hl, 0, fn, ctx);
}
