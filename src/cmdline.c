/* cmdline.c - curl command lines pasted next to their output. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "util.h"

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void shell_words(const char *s, struct strlist *out)
{
	struct sbuf w = SBUF_INIT;
	while (*s && out->n < 400) {
		int any = 0;
		while (is_blank((unsigned char)*s))
			s++;
		if (!*s)
			break;
		sbuf_reset(&w);
		while (*s && !is_blank((unsigned char)*s)) {
			if (*s == '\'' || *s == '"') {
				char q = *s++;
				while (*s && *s != q) {
					if (q == '"' && *s == '\\' && s[1])
						s++;
					sbuf_addc(&w, *s++);
				}
				if (*s)
					s++;
			} else if (*s == '\\' && s[1]) {
				sbuf_addc(&w, s[1]);
				s += 2;
			} else {
				sbuf_addc(&w, *s++);
			}
			any = 1;
		}
		if (any)
			strlist_add(out, sbuf_str(&w), w.len);
	}
	sbuf_release(&w);
}

/* Add "Name: value" from a -H argument; "Name;" (empty header) too. */
static void add_header_arg(struct hdr_list *l, const char *a)
{
	const char *colon = strchr(a, ':');
	const char *v;
	size_t nl;
	if (!colon) {
		size_t n = strlen(a);
		if (n > 1 && a[n - 1] == ';')
			hdr_list_add(l, a, n - 1, "", 0);
		return;
	}
	nl = (size_t)(colon - a);
	if (!nl || nl > 128)
		return;
	for (size_t i = 0; i < nl; i++)
		if (a[i] == ' ' || a[i] == '\t')
			return;
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	hdr_list_add(l, a, nl, v, strlen(v));
}

/* Options that take an argument and are not otherwise used here. */
static int takes_arg(const char *a)
{
	static const char *const opts[] = {
		"-o", "--output", "-x", "--proxy", "-w", "--write-out", "-m", "--max-time",
		"--connect-timeout", "--cacert", "--cert", "--key", "--resolve", "-D",
		"--dump-header", "-c", "--cookie-jar", "--preproxy", "-T", "--upload-file",
		"--retry", "-r", "--range", "--limit-rate", "-E", "--proxy-user", "-U",
		"--interface", "--connect-to", "--max-redirs", "--trace", "--trace-ascii",
		"--stderr", "-K", "--config", "--capath", "--ciphers", NULL};
	for (size_t i = 0; opts[i]; i++)
		if (strcmp(a, opts[i]) == 0)
			return 1;
	return 0;
}

void curl_cmd_parse(const struct strlist *w, struct curl_cmd *out)
{
	const char *url = NULL, *method = NULL, *user = NULL;
	int head = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 1; i < w->n; i++) {
		const char *a = w->v[i];
		const char *nx = i + 1 < w->n ? w->v[i + 1] : NULL;
		if ((!strcmp(a, "-X") || !strcmp(a, "--request")) && nx) {
			method = nx;
			i++;
		} else if (!strncmp(a, "-X", 2) && a[2]) {
			method = a + 2;
		} else if ((!strcmp(a, "-H") || !strcmp(a, "--header")) && nx) {
			add_header_arg(&out->headers, nx);
			i++;
		} else if (!strncmp(a, "-H", 2) && a[2]) {
			add_header_arg(&out->headers, a + 2);
		} else if ((!strcmp(a, "-u") || !strcmp(a, "--user")) && nx) {
			user = nx;
			i++;
		} else if ((!strcmp(a, "-A") || !strcmp(a, "--user-agent")) && nx) {
			hdr_list_adds(&out->headers, "User-Agent", nx);
			i++;
		} else if ((!strcmp(a, "-e") || !strcmp(a, "--referer")) && nx) {
			hdr_list_adds(&out->headers, "Referer", nx);
			i++;
		} else if ((!strcmp(a, "-b") || !strcmp(a, "--cookie")) && nx) {
			if (strchr(nx, '='))
				hdr_list_adds(&out->headers, "Cookie", nx);
			i++;
		} else if (!strcmp(a, "-I") || !strcmp(a, "--head")) {
			head = 1;
		} else if (!strcmp(a, "-d") || !strncmp(a, "--data", 6) || !strcmp(a, "--json") ||
			   !strcmp(a, "-F") || !strcmp(a, "--form") || !strncmp(a, "--form-", 7)) {
			out->has_body = 1;
			if (nx) {
				int form = a[1] == 'F' || !strncmp(a, "--form", 6);
				if (!out->body && !form && nx[0] != '@')
					out->body = xstrdup(nx);
				i++;
			}
		} else if (!strncmp(a, "-d", 2) && a[2]) {
			out->has_body = 1;
			if (!out->body && a[2] != '@')
				out->body = xstrdup(a + 2);
		} else if (!strcmp(a, "--url") && nx) {
			url = nx;
			i++;
		} else if (takes_arg(a) && nx) {
			i++;
		} else if (a[0] != '-' && !url) {
			url = a;
		}
	}
	if (user && !hdr_list_get(&out->headers, "Authorization") && strchr(user, ':')) {
		char *b64 = base64_encode((const unsigned char *)user, strlen(user));
		char *v = xasprintf("Basic %s", b64);
		hdr_list_adds(&out->headers, "Authorization", v);
		free(v);
		free(b64);
	}
	if (url)
		out->url = strstr(url, "://") ? xstrdup(url) : xasprintf("http://%s", url);
	if (method) {
		out->method = xstrdup(method);
		for (char *q = out->method; *q; q++)
			if (*q >= 'a' && *q <= 'z')
				*q = (char)(*q - 32);
	} else {
		out->method = xstrdup(head ? "HEAD" : out->has_body ? "POST" : "GET");
	}
	if (out->body && !hdr_list_get(&out->headers, "Content-Type")) {
		/* What curl sends with -d; --json says JSON. */
		for (size_t i = 1; i < w->n; i++)
			if (!strcmp(w->v[i], "--json")) {
				hdr_list_adds(&out->headers, "Content-Type", "application/json");
				break;
			}
	}
}

void curl_cmd_parse_line(const char *line, struct curl_cmd *out)
{
	struct strlist w = {0};
	shell_words(line, &w);
	curl_cmd_parse(&w, out);
	strlist_release(&w);
}

void curl_cmd_release(struct curl_cmd *c)
{
	free(c->url);
	free(c->method);
	free(c->body);
	hdr_list_release(&c->headers);
	memset(c, 0, sizeof(*c));
}
