/* xmeasure.c - request sizes measured before redaction (xmeasure.h). */
#include <config.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xmeasure.h"

/* Sum the request headers of ex; with check, fail (-1) when a value
 * carries a redaction fingerprint ("…[#xxxxxx]": no longer what was sent). */
static int measure(const struct exchange *ex, int check, size_t *hbytes, size_t *cbytes)
{
	const struct hdr_list *l = &ex->req_headers;
	size_t ncookie = 0;
	*hbytes = *cbytes = 0;
	if (l->n == 0)
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		size_t vl = strlen(l->v[i].value);
		if (check && strstr(l->v[i].value, "\xe2\x80\xa6[#"))
			return -1;
		if (l->v[i].name[0] == ':')
			continue; /* HTTP/2 pseudo-header: the request line's parts */
		*hbytes += strlen(l->v[i].name) + 2 + vl + 2;
		if (ascii_casecmp(l->v[i].name, "cookie") == 0)
			*cbytes += (ncookie++ ? 2 : 0) + vl;
	}
	return 0;
}

void xmeasure_request(struct exchange *ex)
{
	size_t hbytes, cbytes;
	json_t *extra;
	char *text;
	if (measure(ex, 0, &hbytes, &cbytes) < 0)
		return;
	if (ex->extra) {
		/* The importers write extra as compact JSON (json_dumps): the
		 * two keys go before its closing brace, as parsing it and
		 * writing it again would put them, without doing so. */
		size_t len = strlen(ex->extra);
		if (len >= 2 && ex->extra[0] == '{' && ex->extra[len - 1] == '}' &&
		    !strstr(ex->extra, "\"requestHeaderBytes\"") &&
		    !strstr(ex->extra, "\"requestCookieBytes\"")) {
			text = xasprintf("%.*s%s\"requestHeaderBytes\":%zu,\"requestCookieBytes\":%zu}",
					 (int)(len - 1), ex->extra, len > 2 ? "," : "", hbytes, cbytes);
			free(ex->extra);
			ex->extra = text;
			return;
		}
	}
	extra = ex->extra ? json_loads(ex->extra, 0, NULL) : NULL;
	if (ex->extra && !json_is_object(extra)) {
		json_decref(extra);
		return; /* not ours to rewrite */
	}
	if (!extra)
		extra = json_object();
	json_object_set_new(extra, "requestHeaderBytes", json_integer((json_int_t)hbytes));
	json_object_set_new(extra, "requestCookieBytes", json_integer((json_int_t)cbytes));
	text = json_dumps(extra, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(extra);
	if (text) {
		free(ex->extra);
		ex->extra = xstrdup(text);
		free(text);
	}
}

long xmeasure_get(const struct exchange *ex, const char *key)
{
	char pat[64];
	const char *p;
	long v = 0;
	int digits = 0;
	/* extra is compact JSON written by xmeasure_request(): "key":N */
	if (strlen(key) > 40)
		return -1;
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = ex->extra ? strstr(ex->extra, pat) : NULL;
	if (!p) {
		/* Not measured at import (a rule test, an older database):
		 * the headers themselves, when nothing in them was redacted. */
		size_t h, c;
		if (measure(ex, 1, &h, &c) < 0)
			return -1;
		return (long)(strcmp(key, "requestCookieBytes") == 0 ? c : h);
	}
	for (p += strlen(pat); *p >= '0' && *p <= '9' && digits < 12; p++, digits++)
		v = v * 10 + (*p - '0');
	return digits ? v : -1;
}
