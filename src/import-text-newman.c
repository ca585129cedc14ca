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

/* A numbered failure: "1. text" or "1\u2804 text" (newman 3).  Sets *num
 * and *rest (the text after the blanks); returns 1. */
static int failure_number(const char *t, long *num, const char **rest)
{
	const char *p = t;
	while (isdigit((unsigned char)*p))
		p++;
	if (p == t || p - t > 4 || parse_long(t, (size_t)(p - t), num))
		return 0;
	if (*p == '.')
		p++;
	else if (!strncmp(p, "\xe2\xa0\x84", 3))
		p += 3;
	else
		return 0;
	if (*p != ' ')
		return 0;
	*rest = text_skipws(p);
	return **rest != 0;
}

/* The entry of failure num in the table newman prints at the end of a run
 * (" 1.  AssertionError  Status code is 200", then the message, "at
 * assertion:0 in test-script" and "inside ..." on more indented lines).
 * Fills name, detail, message and at; marks its lines used.  Returns 1
 * when found. */
static int failure_entry(struct lines *L, size_t from, long num, struct sbuf *name, struct sbuf *detail,
			 struct sbuf *message, struct sbuf *at)
{
	for (size_t j = from; j < L->n; j++) {
		long n;
		const char *rest, *e;
		if (L->v[j].used || !failure_number(L->v[j].t, &n, &rest) || n != num)
			continue;
		for (e = rest; isalpha((unsigned char)*e); e++)
			;
		if (e == rest || e[0] != ' ' || e[1] != ' ')
			continue;
		sbuf_add(name, rest, (size_t)(e - rest));
		sbuf_adds(detail, text_skipws(e));
		L->v[j].used = 1;
		for (size_t k = j + 1; k < L->n && !L->v[k].blank && L->v[k].indent > L->v[j].indent + 2; k++) {
			const char *m = L->v[k].t;
			L->v[k].used = 1;
			if (!strncmp(m, "at ", 3)) {
				sbuf_reset(at);
				sbuf_adds(at, m + 3);
			} else if (strncmp(m, "inside ", 7) != 0) {
				if (message->len)
					sbuf_addc(message, ' ');
				sbuf_adds(message, m);
			}
		}
		return 1;
	}
	return 0;
}

/* newman's check lines under a request: "\u2713  name" passed, "1. name"
 * failed (details in the failure table).  Failures become transcript
 * lines like the JSON report's: "assertion failed: NAME: MESSAGE" and
 * "test script error: SyntaxError: MESSAGE".  Returns the next line. */
static size_t newman_checks(struct tctx *c, size_t next)
{
	struct lines *L = c->L;
	while (next < L->n && !L->v[next].blank) {
		const char *t = L->v[next].t, *rest;
		long num;
		if (!strncmp(t, "\xe2\x9c\x93", 3) || !strncmp(t, "\xe2\x9c\x94", 3)) {
			L->v[next++].used = 1;
			continue;
		}
		if (!failure_number(t, &num, &rest))
			break;
		struct sbuf name = SBUF_INIT, detail = SBUF_INIT, msg = SBUF_INIT, at = SBUF_INIT, line = SBUF_INIT;
		L->v[next].used = 1;
		if (failure_entry(L, next + 1, num, &name, &detail, &msg, &at)) {
			if (!strcmp(sbuf_str(&name), "AssertionError") || !strcmp(sbuf_str(&name), "AssertionFailure"))
				sbuf_addf(&line, "assertion failed: %.500s%s%.2000s", sbuf_str(&detail),
					  msg.len ? ": " : "", sbuf_str(&msg));
			else
				sbuf_addf(&line, "%s error: %.100s: %.2000s%s%.1000s",
					  strstr(sbuf_str(&at), "prerequest") ? "pre-request script" : "test script",
					  sbuf_str(&name), sbuf_str(&detail), msg.len ? " " : "", sbuf_str(&msg));
		} else {
			/* no table in the paste: "2. SyntaxError in test-script" or the test name */
			const char *in = strstr(rest, " in ");
			if (in && (!strcmp(in + 4, "test-script") || !strcmp(in + 4, "prerequest-script")))
				sbuf_addf(&line, "%s error: %.*s", in[4] == 'p' ? "pre-request script" : "test script",
					  (int)(in - rest), rest);
			else
				sbuf_addf(&line, "assertion failed: %.500s", rest);
		}
		strlist_adds(&c->ex->transcript, sbuf_str(&line));
		sbuf_release(&name);
		sbuf_release(&detail);
		sbuf_release(&msg);
		sbuf_release(&at);
		sbuf_release(&line);
		next++;
	}
	return next;
}

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
	next = newman_checks(c, next);
	tx_touch(c, next - 1);
	return next;
}
