/* fragment-dotnet.c - response dumps that .NET exceptions and loggers print.
 *
 * Two shapes carry a whole response without HTTP framing:
 *
 *   HttpResponseMessage.ToString(), logged by countless HttpClient callers:
 *     StatusCode: 401, ReasonPhrase: 'Unauthorized', Version: 1.1, Content: System.Net.Http.HttpConnectionResponseContent, Headers:
 *     {
 *       WWW-Authenticate: Bearer error="invalid_token"
 *     }
 *
 *   Azure SDK's RequestFailedException message (Azure.Core):
 *     <message>
 *     RequestId:...
 *     Status: 403 (This request is not authorized to perform this operation.)
 *     ErrorCode: AuthorizationPermissionMismatch
 *
 *     Content:
 *     <?xml ...><Error>...</Error>
 *
 *     Headers:
 *     x-ms-request-id: ...
 *
 * Such a block has a status, headers and maybe a body, so the text
 * importer's header reading would take its header lines as a capture of its
 * own while the fragment reader reads the body: one failure counted twice.
 * The fragment reader owns these blocks: the text importer asks
 * frag_dump_span() and leaves the lines alone, and the fragment reader reads
 * them with frag_dump_read() into one exchange.  Both use this one grammar,
 * so they cannot disagree on where a block starts and ends.
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fragment.h"
#include "fragment-int.h"
#include "httpmsg.h"
#include "util.h"

#define DUMP_LINES 400   /* lines one block may span */
#define MESSAGE_LINES 4  /* lines of an Azure message above its Status line */

/* A three-digit status at p followed by end, blank, ',' or '(' ; 0 when none. */
static int status_at(const char *p)
{
	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) ||
	    isalnum((unsigned char)p[3]))
		return 0;
	int code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	return code >= 100 && code <= 599 ? code : 0;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static int is_blank(const char *t)
{
	return !*skip_blanks(t);
}

static int starts(const char *t, const char *w)
{
	return !strncmp(skip_blanks(t), w, strlen(w));
}

/* "StatusCode: 500, ReasonPhrase: 'Internal Server Error'" in t: the
 * status, with *at where "StatusCode:" starts. */
static int netcore_status(const char *t, const char **at)
{
	const char *p = strstr(t, "StatusCode: ");
	if (!p)
		return 0;
	int code = status_at(p + 12);
	if (!code || strncmp(p + 15, ", ReasonPhrase: '", 17))
		return 0;
	*at = p;
	return code;
}

/* "Status: 403 (reason)" alone on its line. */
static int azure_status(const char *t)
{
	const char *p = skip_blanks(t);
	if (strncmp(p, "Status: ", 8))
		return 0;
	int code = status_at(p + 8);
	if (!code)
		return 0;
	p = skip_blanks(p + 11);
	return !*p || *p == '(' ? code : 0;
}

/* One of the section lines that follow an Azure Status line. */
static int azure_section(const char *t)
{
	return starts(t, "ErrorCode:") || starts(t, "Content:") || starts(t, "Headers:") ||
	       starts(t, "Additional Information:");
}

void frag_dump_release(struct frag_dump *d)
{
	free(d->status_text);
	free(d->quote);
	free(d->error);
	hdr_list_release(&d->headers);
	sbuf_release(&d->body);
	strlist_release(&d->notes);
	memset(d, 0, sizeof *d);
}

/* Add a "Name: value" line to the headers; 0 when it is none. */
static int header_line(struct frag_dump *d, const char *t)
{
	struct httpmsg_header h;
	if (!httpmsg_header_line(skip_blanks(t), HTTPMSG_LENIENT, &h))
		return 0;
	hdr_list_add(&d->headers, h.name, h.name_len, h.value, h.value_len);
	return 1;
}

/* HttpResponseMessage.ToString() starting at line i. */
static int read_netcore(frag_line_fn line, const void *ctx, size_t n, size_t i, struct frag_dump *d)
{
	const char *t = line(ctx, i), *at;
	int code = netcore_status(t, &at);
	if (!code)
		return 0;
	d->status = code;
	d->lo = d->hi = d->status_line = i;
	const char *r = at + 32, *re = strchr(r, '\'');
	if (re && re > r)
		d->status_text = xstrndup(r, (size_t)(re - r));
	d->quote = xstrndup(at, re ? (size_t)(re + 1 - at) : 15);
	/* "Headers:" ends the line; "{" opens the list on the next one
	 * (or on the same line: "Headers: { }") */
	const char *h = strstr(at, "Headers:");
	if (!h)
		return 1;
	h = skip_blanks(h + 8);
	if (*h == '{') {
		if (strchr(h, '}'))
			return 1;
	} else if (*h || i + 1 >= n || strcmp(skip_blanks(line(ctx, i + 1)), "{")) {
		return 1;
	} else {
		i++;
	}
	for (size_t j = i + 1; j < n && j < d->lo + DUMP_LINES; j++) {
		const char *u = line(ctx, j);
		if (!strcmp(skip_blanks(u), "}")) {
			d->hi = j;
			return 1;
		}
		if (!header_line(d, u))
			break;
	}
	/* no closing brace: the list was cut; keep what was read */
	d->hi = i + d->headers.n;
	return 1;
}

/* Azure's RequestFailedException message around the Status line at i. */
static int read_azure(frag_line_fn line, const void *ctx, size_t n, size_t i, struct frag_dump *d)
{
	const char *t = line(ctx, i);
	int code = azure_status(t);
	size_t j, k;
	if (!code)
		return 0;
	/* a section must follow within a few lines */
	for (k = i + 1; k < n && k <= i + 3 && is_blank(line(ctx, k)); k++)
		;
	if (k >= n || k > i + 3 || !azure_section(line(ctx, k)))
		return 0;
	d->status = code;
	d->status_line = i;
	const char *p = skip_blanks(t) + 11;
	p = skip_blanks(p);
	if (*p == '(') {
		const char *e = strrchr(p, ')');
		if (e && e > p + 1)
			d->status_text = xstrndup(p + 1, (size_t)(e - p - 1));
	}
	d->quote = xstrdup(skip_blanks(t));
	/* the message above: the exception's text, RequestId:, Time: */
	d->lo = i;
	for (k = 1; k <= MESSAGE_LINES && k <= i && !is_blank(line(ctx, i - k)); k++)
		d->lo = i - k;
	for (k = d->lo; k < i; k++) {
		const char *m = skip_blanks(line(ctx, k));
		if (k == d->lo && strstr(m, "Exception"))
			d->error = xstrdup(m);
		strlist_adds(&d->notes, m);
	}
	d->hi = i;
	enum { NONE, INFO, CONTENT, HEADERS } sec = NONE;
	for (j = i + 1; j < n && j < i + DUMP_LINES; j++) {
		const char *u = line(ctx, j), *s = skip_blanks(u);
		if (is_blank(u)) {
			if (sec == CONTENT || sec == HEADERS || sec == INFO)
				sec = NONE;
			continue;
		}
		if (starts(s, "ErrorCode:")) {
			strlist_adds(&d->notes, s);
			sec = NONE;
		} else if (starts(s, "Additional Information:")) {
			sec = INFO;
		} else if (starts(s, "Content:")) {
			sec = CONTENT;
			s = skip_blanks(s + 8);
			if (*s)
				sbuf_adds(&d->body, s);
		} else if (starts(s, "Headers:")) {
			sec = HEADERS;
		} else if (sec == CONTENT) {
			if (d->body.len)
				sbuf_addc(&d->body, '\n');
			if (d->body.len < FRAG_BLOB_CAP)
				sbuf_adds(&d->body, s);
		} else if (sec == HEADERS) {
			if (!header_line(d, s))
				break;
		} else if (sec == INFO && strchr(s, ':')) {
			strlist_adds(&d->notes, s);
		} else {
			break;
		}
		d->hi = j;
	}
	return 1;
}

int frag_dump_read(frag_line_fn line, const void *ctx, size_t n, size_t i, struct frag_dump *d)
{
	memset(d, 0, sizeof *d);
	return read_netcore(line, ctx, n, i, d) || read_azure(line, ctx, n, i, d);
}

size_t frag_dump_span(frag_line_fn line, const void *ctx, size_t n, size_t i, size_t *lo)
{
	struct frag_dump d;
	size_t hi = 0;
	int got = frag_dump_read(line, ctx, n, i, &d);
	if (got) {
		*lo = d.lo;
		hi = d.hi + 1;
	}
	frag_dump_release(&d);
	return hi;
}
