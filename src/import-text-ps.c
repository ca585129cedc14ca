/* import-text-ps.c - PowerShell in tickets: Invoke-WebRequest object
 * listings ("StatusCode : 200", "RawContent : HTTP/1.1 ..."), its error
 * records in any language ("Invoke-WebRequest : (403) Forbidden.", the
 * "At line:1 char:1" / "+ CategoryInfo" tail) and the .NET "does not
 * indicate success" message.
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "httpmsg.h"
#include "import-text-int.h"

/* Handle "(403) Forbidden" style messages; returns 1 when handled. */
static int ps_error_message(struct tctx *c, size_t i, const char *msg)
{
	const char *p = msg, *q;

	/* PowerShell 7 / .NET HttpRequestException. */
	if ((q = ascii_casestr(msg, strlen(msg), "does not indicate success: ")) != NULL) {
		q += strlen("does not indicate success: ");
		long code;
		if (isdigit((unsigned char)q[0]) && !parse_long(q, 3, &code) && code >= 100 && code <= 599) {
			const char *t = text_skipws(q + 3), *te = NULL;
			if (*t == '(' && (te = strchr(t, ')')) != NULL)
				t++;
			tx_set_status_from(c, i, (int)code, t, te ? (size_t)(te - t) : 0, "powershell", msg);
			return 1;
		}
	}
	/* Windows PowerShell: "...: (403) Forbidden." in any language. */
	while ((p = strchr(p, '(')) != NULL) {
		if (isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
		    isdigit((unsigned char)p[3]) && p[4] == ')') {
			int code = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
			if (code >= 100 && code <= 599) {
				const char *t = text_skipws(p + 5);
				size_t tl = strlen(t);
				while (tl > 0 && (t[tl - 1] == '.' || t[tl - 1] == ' '))
					tl--;
				tx_set_status_from(c, i, code, t, tl, "powershell", msg);
				return 1;
			}
		}
		p++;
	}
	return 0;
}

/* True when a PowerShell error message is a transport failure (no
 * response) rather than the text of a server's answer. */
static int ps_transport_error(const char *msg)
{
	static const char *const phrases[] = {
		"Unable to connect", "could not be resolved", "timed out", "underlying connection",
		"No such host", "No connection could be made", "actively refused", "SSL", "TLS",
		"trust relationship", "Could not establish", "connection attempt failed",
		"An error occurred while sending", "Connection refused", "Name or service not known",
		"The request was canceled", "A task was canceled", "proxy", NULL
	};
	for (size_t k = 0; phrases[k]; k++)
		if (ascii_casestr(msg, strlen(msg), phrases[k]))
			return 1;
	return 0;
}

/* Where a web cmdlet is called in a line of script ("$r = Invoke-RestMethod
 * -Uri ...", "(Invoke-RestMethod @args).file"), or NULL. */
static const char *ps_cmdlet_in(const char *s)
{
	static const char *const names[] = { "Invoke-RestMethod ", "Invoke-WebRequest ", "irm ", "iwr ", NULL };
	const char *best = NULL;
	for (size_t k = 0; names[k]; k++) {
		const char *p = ascii_casestr(s, strlen(s), names[k]);
		if (p && (p == s || !isalnum((unsigned char)p[-1])) && (!best || p < best))
			best = p;
	}
	return best;
}

/* Fill the request from the script line PowerShell echoes with its error
 * ("+ $r = Invoke-RestMethod -Uri https://... ...", PS 7's "22 |  Invoke-...").
 * The console cuts a long line and ends it with " ..."; a URL that runs into
 * the cut keeps its host but says so in url_source. */
static void ps_apply_script_line(struct tctx *c, size_t i, const char *s)
{
	const char *at = ps_cmdlet_in(s), *rest;
	enum cmd_kind k = at ? text_command_of(at, &rest) : CMD_NONE;
	if (k == CMD_NONE || c->ex->url)
		return;
	struct strlist w = { NULL, 0, 0, 0 };
	char *keep = c->ex->method ? xstrdup(c->ex->method) : NULL;
	size_t n = strlen(rest);
	int cut = n >= 4 && !strcmp(rest + n - 4, " ...");
	char *line = xstrndup(rest, cut ? n - 4 : n);
	shell_words(line, &w);
	text_apply_command(c->ex, k, 0, &w);
	if (keep && c->ex->status != STATUS_UNKNOWN)
		exchange_set(&c->ex->method, keep);
	if (cut && !keep) {
		/* the console cut the line: a -Method after the cut is unknown */
		int said = 0;
		for (size_t wi = 0; wi < w.n; wi++)
			said |= !ascii_casecmp(w.v[wi], "-Method");
		if (!said)
			exchange_set(&c->ex->method, NULL);
	}
	if (c->ex->url && cut && w.n && strstr(w.v[w.n - 1], "://")) {
		free(c->ex->url_source);
		c->ex->url_source = xasprintf("line %zu: the script line PowerShell echoed, cut by the console "
					      "(the path may be incomplete)", i + 1);
		free(c->ex->host_source);
		c->ex->host_source = xasprintf("line %zu: the script line PowerShell echoed", i + 1);
	}
	free(line);
	free(keep);
	strlist_release(&w);
}

/* PowerShell 7's error view under "Cmdlet: <script>:<line>:<col>": "Line |",
 * the script line ("  22 |  Invoke-RestMethod ..."), the "~~~" marker and
 * the message on "     | " lines (a JSON body keeps its own lines).
 * Returns the message (malloc'd) and sets *next past the block and *code to
 * the script line (malloc'd, may be NULL), or NULL when no such block. */
static char *ps7_error_view(struct tctx *c, size_t i, size_t *next, char **code)
{
	struct lines *L = c->L;
	struct sbuf m = SBUF_INIT;
	size_t j;
	int marked = 0;

	*code = NULL;
	if (i + 1 >= L->n || strcmp(L->v[i + 1].t, "Line |"))
		return NULL;
	for (j = i + 2; j < L->n && j < i + 2 + PLAIN_BODY_LINES; j++) {
		const char *t = L->v[j].t, *p = t;
		while (isdigit((unsigned char)*p))
			p++;
		p = text_skipws(p);
		if (*p != '|')
			break;
		const char *v = p[1] == ' ' ? p + 2 : p + 1;
		if (p != t) {
			/* "22 |  Invoke-RestMethod ...": the script line */
			if (!*code)
				*code = xstrdup(text_skipws(v));
			continue;
		}
		if (*text_skipws(v) == '~') {
			marked = 1;
			continue;
		}
		if (!marked)
			continue;
		if (m.len)
			sbuf_addc(&m, '\n');
		sbuf_adds(&m, v);
	}
	if (!m.len) {
		sbuf_release(&m);
		free(*code);
		*code = NULL;
		return NULL;
	}
	for (size_t k = i; k < j; k++)
		L->v[k].used = 1;
	*next = j;
	return sbuf_detach(&m, NULL);
}

/* True when msg is a script position ("C:\x\run.ps1:22:5"), not a message. */
static int ps_position(const char *msg)
{
	const char *e = msg + strlen(msg);
	int colons = 0;
	while (e > msg && (isdigit((unsigned char)e[-1]) || e[-1] == ':')) {
		colons += e[-1] == ':';
		e--;
	}
	return !*msg || (colons == 2 && e > msg && !strchr(msg, ' '));
}

/* A PowerShell error line at i; returns 1 when handled. */
int text_ps_error(struct tctx *c, size_t i)
{
	const char *t = c->L->v[i].t;
	const char *r;

	/* PowerShell: "Invoke-WebRequest : message" (5.1) or "Invoke-WebRequest: message" (7). */
	static const char *const cmdlets[] = {
		"Invoke-WebRequest", "Invoke-RestMethod", "iwr", "irm", "curl", "wget", NULL
	};
	for (size_t k = 0; cmdlets[k]; k++) {
		if ((r = text_after_prefix(t, cmdlets[k])) == NULL)
			continue;
		r = text_skipws(r);
		if (*r != ':' || r[1] == '/' || (k >= 4 && r[1] != ' '))
			continue;
		const char *msg = text_skipws(r + 1);
		char *view = NULL, *script = NULL;
		size_t next = i + 1;
		if (ps_position(msg) && (view = ps7_error_view(c, i, &next, &script)) != NULL)
			msg = view;
		if (!*msg || ps_position(msg))
			return 0;
		int keep_req = c->active && c->has_cmd && !c->has_status && !c->has_error && !c->resp_evidence;
		if (!keep_req && c->active)
			tx_flush(c, i);
		if (view) {
			/* PowerShell 7: the message is the server's body or .NET's words */
			tx_touch(c, next - 1);
			if (script)
				ps_apply_script_line(c, i + 2, script);
			strlist_adds(&c->ex->transcript, t);
			int done = ps_error_message(c, i, msg);
			if (!done && ps_transport_error(msg)) {
				tx_set_error(c, i, msg, strlen(msg));
			} else if (!done) {
				struct sbuf b = SBUF_INIT;
				sbuf_adds(&b, msg);
				tx_set_body(c->ex, SIDE_RESP, &b, 0);
				sbuf_release(&b);
				c->resp_evidence = 1;
			}
			free(view);
			free(script);
			return 1;
		}
		if (ps_error_message(c, i, msg))
			return 1;
		if (*msg == '{' || *msg == '<' || *msg == '[') {
			/* PS 5.1 prints the server's body instead of a reason. */
			tx_touch(c, i);
			c->L->v[i].used = 1;
			size_t save = i;
			char *old = c->L->v[i].t;
			c->L->v[i].t = (char *)msg;
			size_t nx = tx_read_body(c, i, SIDE_RESP, 1);
			c->L->v[save].t = old;
			(void)nx;
			strlist_adds(&c->ex->transcript, t);
			return 1;
		}
		if (ps_transport_error(msg)) {
			tx_set_error(c, i, msg, strlen(msg));
			strlist_adds(&c->ex->transcript, t);
			return 1;
		}
		/* Otherwise PS 5.1 printed the server's text body ("404 - File or
		 * directory not found."). */
		tx_touch(c, i);
		c->L->v[i].used = 1;
		struct sbuf b = SBUF_INIT;
		sbuf_adds(&b, msg);
		tx_set_body(c->ex, SIDE_RESP, &b, 0);
		sbuf_release(&b);
		c->resp_evidence = 1;
		long code;
		if (isdigit((unsigned char)msg[0]) && !parse_long(msg, 3, &code) && code >= 100 &&
		    code <= 599 && (msg[3] == ' ' || msg[3] == ':' || msg[3] == 0)) {
			c->ex->status = (int)code;
			c->has_status = 1;
			free(c->ex->status_source);
			c->ex->status_source = xasprintf("powershell: \"%.*s\"", text_utf8_prefix(msg, FRAG_CAP), msg);
		}
		strlist_adds(&c->ex->transcript, t);
		return 1;
	}
	/* .NET / PS 7 message on its own line. */
	if (ascii_casestr(t, strlen(t), "status code does not indicate success: ") &&
	    ps_error_message(c, i, t))
		return 1;
	return 0;
}

/* PowerShell error tail: "At line:1 char:1", "+ Invoke-WebRequest ...",
 * "+ CategoryInfo ...".  Returns 1 when the line belongs to it. */
int text_ps_error_tail(struct tctx *c, size_t i)
{
	const char *t = c->L->v[i].t;
	if (!c->active || !(c->has_error || c->ex->transcript.n > 0))
		return 0;
	if (i > c->last + 6)
		return 0;
	if (t[0] == '+' && (t[1] == ' ' || t[1] == '~' || t[1] == 0)) {
		ps_apply_script_line(c, i, text_skipws(t + 1));
		strlist_adds(&c->ex->transcript, t);
	} else if (strstr(t, "line:") || strstr(t, "char:") || strstr(t, "строка:") ||
		   strstr(t, "Zeile:") || strstr(t, "ligne:") || strstr(t, "linha:")) {
		if (strlen(t) > 80)
			return 0;
		strlist_adds(&c->ex->transcript, t);
	} else {
		return 0;
	}
	c->L->v[i].used = 1;
	tx_touch(c, i);
	return 1;
}

/* Property name of a listing line at the given colon column, or NULL. */
static int ps_property(const char *raw, int col, const char **name, size_t *nlen, const char **val)
{
	const char *p = raw;
	while (text_is_blank(*p))
		p++;
	const char *ns = p;
	while (isalnum((unsigned char)*p))
		p++;
	if (p == ns)
		return 0;
	const char *q = text_skipws(p);
	if (*q != ':' || (col >= 0 && q - raw != col))
		return 0;
	*name = ns;
	*nlen = (size_t)(p - ns);
	*val = q[1] == ' ' ? q + 2 : q + 1;
	return (int)(q - raw);
}

/* Parse RawContent ("HTTP/1.1 200 OK", headers, blank, body). */
static void ps_raw_content(struct exchange *ex, const char *raw, int *got_body)
{
	const char *p = raw;
	int inhdr = 1, first = 1;
	struct sbuf body = SBUF_INIT;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *line = xstrndup(p, n);
		if (first) {
			struct httpmsg_status st;
			int code = httpmsg_status_line(line, HTTPMSG_LENIENT, &st) ? st.code : 0;
			if (code) {
				char *ver = httpmsg_version(st.version, st.version_len);
				exchange_set(&ex->http_version, ver);
				free(ver);
				if (st.reason_len && !ex->status_text)
					exchange_setn(&ex->status_text, st.reason, st.reason_len);
				if (ex->status == STATUS_UNKNOWN)
					ex->status = code;
			}
			first = 0;
			if (code) {
				free(line);
				goto nextl;
			}
		}
		if (inhdr) {
			struct httpmsg_header h;
			if (!*line)
				inhdr = 0;
			else if (httpmsg_header_line(line, HTTPMSG_LENIENT, &h))
				hdr_list_add(&ex->resp_headers, h.name, h.name_len, h.value, h.value_len);
			else
				inhdr = 0;
		} else {
			if (body.len)
				sbuf_addc(&body, '\n');
			sbuf_add(&body, line, n);
		}
		free(line);
	nextl:
		if (!e)
			break;
		p = e + 1;
	}
	while (body.len && body.data[body.len - 1] == '\n')
		body.data[--body.len] = 0;
	if (body.len) {
		int truncated = body.len >= 3 && !strcmp(body.data + body.len - 3, "...");
		tx_set_body(ex, SIDE_RESP, &body, truncated);
		*got_body = 1;
	}
	sbuf_release(&body);
}

/* Parse the "{[k, v], [k, v]}" Headers property. */
static void ps_headers_prop(struct hdr_list *hl, const char *v)
{
	const char *p = v;
	while ((p = strchr(p, '[')) != NULL) {
		const char *e = strstr(p, "], [");
		if (!e)
			e = strstr(p, "]}");
		if (!e)
			e = p + strlen(p);
		const char *comma = memchr(p, ',', (size_t)(e - p));
		if (comma) {
			const char *val = text_skipws(comma + 1);
			hdr_list_add(hl, p + 1, (size_t)(comma - p - 1), val, val < e ? (size_t)(e - val) : 0);
		}
		if (!*e)
			break;
		p = e + 1;
	}
}

/* Read a listing that starts at line i ("StatusCode : 200"); returns the
 * next line. */
static size_t read_ps_listing(struct tctx *c, size_t i)
{
	struct lines *L = c->L;
	const char *name, *val;
	size_t nlen;
	int col = ps_property(L->v[i].raw, -1, &name, &nlen, &val);
	struct sbuf raw = SBUF_INIT, content = SBUF_INIT, headers = SBUF_INIT;
	struct sbuf *cur = NULL;
	size_t j = i, lastj = i;
	long rawlen = -1;
	int code = 0;

	if (c->active && (c->has_status || c->resp_evidence || !c->has_cmd))
		tx_flush(c, i);
	tx_touch(c, i);
	for (; j < L->n; j++) {
		struct tline *tl = &L->v[j];
		if (!*tl->raw) {
			if (cur)
				sbuf_addc(cur, '\n');
			continue;
		}
		if (ps_property(tl->raw, col, &name, &nlen, &val)) {
			cur = NULL;
			if (nlen == 10 && !strncmp(name, "StatusCode", 10)) {
				long v;
				if (!parse_long(val, strlen(val), &v) && v >= 100 && v <= 599)
					code = (int)v;
			} else if (nlen == 17 && !strncmp(name, "StatusDescription", 17)) {
				exchange_set(&c->ex->status_text, val);
			} else if (nlen == 7 && !strncmp(name, "Content", 7)) {
				cur = &content;
			} else if (nlen == 10 && !strncmp(name, "RawContent", 10)) {
				cur = &raw;
			} else if (nlen == 7 && !strncmp(name, "Headers", 7)) {
				cur = &headers;
			} else if (nlen == 16 && !strncmp(name, "RawContentLength", 16)) {
				parse_long(val, strlen(val), &rawlen);
			}
			if (cur)
				sbuf_adds(cur, val);
		} else if (tl->indent > col) {
			if (cur) {
				sbuf_addc(cur, '\n');
				int strip = tl->indent < col + 2 ? tl->indent : col + 2;
				sbuf_adds(cur, tl->raw + strip);
			}
		} else {
			break;
		}
		tl->used = 1;
		lastj = j;
	}
	for (size_t k = i; k <= lastj; k++)
		L->v[k].used = 1;
	tx_touch(c, lastj);
	if (code) {
		c->ex->status = code;
		c->has_status = 1;
	}
	int got_body = 0;
	if (raw.len)
		ps_raw_content(c->ex, raw.data, &got_body);
	if (headers.len && c->ex->resp_headers.n == 0)
		ps_headers_prop(&c->ex->resp_headers, headers.data);
	while (content.len && content.data[content.len - 1] == '\n')
		content.data[--content.len] = 0;
	if (!got_body && content.len) {
		int truncated = content.len >= 3 && !strcmp(content.data + content.len - 3, "...");
		tx_set_body(c->ex, SIDE_RESP, &content, truncated);
	}
	if (rawlen >= 0 && c->ex->resp_body.data && c->ex->resp_body.truncated)
		c->ex->resp_body.size = -1;
	c->resp_evidence = 1;
	sbuf_release(&raw);
	sbuf_release(&content);
	sbuf_release(&headers);
	return lastj + 1;
}

size_t text_ps_listing(struct tctx *c, size_t i)
{
	const struct tline *tl = &c->L->v[i];
	const char *pn, *pv;
	size_t pnl;
	long v;

	if (strncmp(tl->t, "StatusCode", 10) != 0)
		return i;
	if (!ps_property(tl->raw, -1, &pn, &pnl, &pv) || pnl != 10 || parse_long(pv, strlen(pv), &v))
		return i;
	return read_ps_listing(c, i);
}
