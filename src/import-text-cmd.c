/* import-text-cmd.c - command lines pasted into tickets: curl (through
 * cmdline.c), PowerShell Invoke-WebRequest / Invoke-RestMethod and HTTPie,
 * after a shell prompt and with continuation lines.  The command describes
 * the request of the output that follows it.
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "httpmsg.h"
#include "import-text-int.h"

/* Skip a shell prompt ("$ ", "PS C:\x> ", "user@host:~$ ").  Returns
 * the command start. */
static const char *skip_prompt(const char *t)
{
	const char *s = t;
	if (*s == '(') {
		const char *e = strchr(s, ')');
		if (e && e - s < 40)
			s = text_skipws(e + 1);
	}
	if (!strncmp(s, "PS ", 3)) {
		const char *e = strchr(s, '>');
		if (e && e - s < 200)
			return text_skipws(e + 1);
	}
	if (isalpha((unsigned char)s[0]) && s[1] == ':' && s[2] == '\\') {
		const char *e = strchr(s, '>');
		if (e && e - s < 200)
			return text_skipws(e + 1);
	}
	if ((*s == '$' || *s == '#' || *s == '%' || *s == '>') && s[1] == ' ')
		return text_skipws(s + 2);
	/* user@host:~/dir$ */
	const char *p = s;
	while (*p && (isalnum((unsigned char)*p) || strchr("@.-_:~/[]", *p)))
		p++;
	if (p > s && (*p == '$' || *p == '#') && p[1] == ' ' && memchr(s, '@', (size_t)(p - s)))
		return text_skipws(p + 2);
	return s;
}

/* Which command a line starts (after a prompt); *rest set to its start. */
enum cmd_kind text_command_of(const char *t, const char **rest)
{
	const char *s = skip_prompt(t);
	const char *r;
	*rest = s;
	if ((r = text_after_prefix(s, "curl ")) || (r = text_after_prefix(s, "curl.exe ")))
		return strstr(r, "://") || strchr(r, '.') || strstr(r, "localhost") ? CMD_CURL : CMD_NONE;
	if ((r = text_after_prefix(s, "Invoke-WebRequest ")) || (r = text_after_prefix(s, "Invoke-RestMethod ")) ||
	    (r = text_after_prefix(s, "iwr ")) || (r = text_after_prefix(s, "irm ")))
		return strstr(r, "://") ? CMD_IWR : CMD_NONE;
	if ((r = text_after_prefix(s, "http ")) || (r = text_after_prefix(s, "https ")))
		if (!strncmp(s, "http", 4) && (strstr(r, "://") || strstr(r, "localhost") || r[0] == ':' ||
					       strstr(r, " :") || strchr(r, '.')))
			return CMD_HTTPIE;
	return CMD_NONE;
}

/* Fill request fields from a command's words. */
void text_apply_command(struct exchange *ex, enum cmd_kind kind, int https_cmd,
			  const struct strlist *w)
{
	const char *url = NULL, *method = NULL;
	int data = 0, head = 0;

	for (size_t i = 1; i < w->n; i++) {
		const char *a = w->v[i];
		const char *nx = i + 1 < w->n ? w->v[i + 1] : NULL;
		if (kind == CMD_CURL) {
			break; /* parsed whole below */		} else if (kind == CMD_IWR) {
			if (!ascii_casecmp(a, "-Uri") && nx) {
				url = nx;
				i++;
			} else if (!ascii_casecmp(a, "-Method") && nx) {
				method = nx;
				i++;
			} else if (a[0] == '-' && nx && nx[0] != '-') {
				i++;
			} else if (!url && (strstr(a, "://"))) {
				url = a;
			}
		} else {
			if (a[0] == '-')
				continue;
			size_t al = strlen(a);
			int up = 1;
			for (size_t k = 0; k < al; k++)
				if (!isupper((unsigned char)a[k]))
					up = 0;
			if (!url && !method && up && httpmsg_is_method(a, al)) {
				method = a;
			} else if (!url) {
				url = a;
			} else if (strchr(a, ':') && !strstr(a, ":=") && !strchr(a, '=')) {
				struct httpmsg_header h;
				if (httpmsg_header_line(a, HTTPMSG_LENIENT, &h))
					hdr_list_add(&ex->req_headers, h.name, h.name_len, h.value, h.value_len);
			} else if (strchr(a, '=')) {
				data = 1;
			}
		}
	}
	if (kind == CMD_CURL) {
		struct curl_cmd cc;
		curl_cmd_parse(w, &cc);
		for (size_t i = 0; i < cc.headers.n; i++)
			hdr_list_adds(&ex->req_headers, cc.headers.v[i].name, cc.headers.v[i].value);
		if (cc.body && !ex->req_body.data)
			body_set(&ex->req_body, cc.body, strlen(cc.body));
		if (cc.url)
			exchange_set_url(ex, cc.url);
		exchange_set(&ex->method, cc.method);
		curl_cmd_release(&cc);
		return;
	}
	if (url) {
		char *u;
		if (strstr(url, "://"))
			u = xstrdup(url);
		else if (url[0] == ':')
			u = xasprintf("%s://localhost%s", https_cmd ? "https" : "http", url);
		else
			u = xasprintf("%s://%s", kind == CMD_HTTPIE && https_cmd ? "https" : "http", url);
		exchange_set_url(ex, u);
		free(u);
	}
	if (method) {
		char *m = xstrdup(method);
		for (char *q = m; *q; q++)
			*q = (char)toupper((unsigned char)*q);
		exchange_set(&ex->method, m);
		free(m);
	} else {
		exchange_set(&ex->method, head ? "HEAD" : data ? "POST" : "GET");
	}
}

/* Read a command (with continuation lines) at line i; returns the next
 * line. */
size_t text_read_command(struct tctx *c, size_t i, enum cmd_kind kind, const char *start)
{
	struct lines *L = c->L;
	struct sbuf cmd = SBUF_INIT;
	struct strlist w = { NULL, 0, 0, 0 };
	size_t j = i;
	const char *s = start;

	for (;;) {
		size_t n = strlen(s);
		int cont = n > 0 && (s[n - 1] == '\\' || s[n - 1] == '`' || s[n - 1] == '^');
		sbuf_add(&cmd, s, cont ? n - 1 : n);
		sbuf_addc(&cmd, ' ');
		L->v[j].used = 1;
		if (!cont || j + 1 >= L->n || j - i >= CMD_LINES_CAP)
			break;
		s = L->v[++j].t;
	}
	tx_begin(c, i);
	tx_touch(c, j);
	shell_words(sbuf_str(&cmd), &w);
	text_apply_command(c->ex, kind, !strncmp(skip_prompt(L->v[i].t), "https", 5), &w);
	c->has_cmd = 1;
	strlist_release(&w);
	sbuf_release(&cmd);
	return j + 1;
}
