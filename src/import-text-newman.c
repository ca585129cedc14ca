/* import-text-newman.c - lines of newman's CLI reporter pasted into a
 * ticket: "GET https://x/y [200 OK, 250B, 32ms]" (or "[errored]" and the
 * error on the next, indented line), the item name on the line before.
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "httpmsg.h"
#include "import-text-int.h"

/* Handle a newman request line at i; returns the next line, or i. */
size_t text_newman_line(struct tctx *c, size_t i)
{
	struct lines *L = c->L;
	const char *t = L->v[i].t;
	const char *p = t;

	while (isupper((unsigned char)*p))
		p++;
	if (!httpmsg_is_method(t, (size_t)(p - t)) || *p != ' ')
		return i;
	const char *u = p + 1;
	if (ascii_ncasecmp(u, "http://", 7) && ascii_ncasecmp(u, "https://", 8))
		return i;
	const char *ue = u;
	while (*ue && *ue != ' ')
		ue++;
	size_t n = strlen(t);
	if (ue[0] != ' ' || ue[1] != '[' || t[n - 1] != ']')
		return i;
	const char *in = ue + 2;
	long code = 0;
	if (!strncmp(in, "errored]", 8)) {
		code = 0;
	} else if (isdigit((unsigned char)in[0]) && !parse_long(in, 3, &code) && code >= 100 &&
		   code <= 599 && (in[3] == ' ' || in[3] == ',')) {
	} else {
		return i;
	}
	tx_begin(c, i);
	exchange_setn(&c->ex->method, t, (size_t)(p - t));
	char *url = xstrndup(u, (size_t)(ue - u));
	exchange_set_url(c->ex, url);
	free(url);
	c->has_reqline = 1;
	L->v[i].used = 1;
	/* The item name on the line before: "↳ hello" or "→ hello". */
	if (i > 0 && !L->v[i - 1].blank) {
		const char *nm = L->v[i - 1].t;
		if (!strncmp(nm, "\xe2\x86\xb3 ", 4) || !strncmp(nm, "\xe2\x86\x92 ", 4)) {
			exchange_set(&c->ex->name, nm + 4);
			L->v[i - 1].used = 1;
		}
	}
	size_t next = i + 1;
	if (code) {
		c->ex->status = (int)code;
		c->has_status = 1;
		const char *r = text_skipws(in + 3);
		const char *re = r;
		while (*re && *re != ',' && *re != ']')
			re++;
		if (re > r)
			exchange_setn(&c->ex->status_text, r, (size_t)(re - r));
	} else {
		c->ex->status = STATUS_NONE;
		c->has_error = 1;
		if (next < L->n && !L->v[next].blank && L->v[next].indent > L->v[i].indent) {
			exchange_set(&c->ex->error, L->v[next].t);
			L->v[next++].used = 1;
		} else {
			exchange_set(&c->ex->error, "errored");
		}
	}
	tx_touch(c, next - 1);
	return next;
}
