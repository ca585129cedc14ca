/* report-html.c - the report as one self-contained HTML page (--format
 * html): the Markdown report rendered by libcmark-gfm with GFM tables, a
 * small embedded stylesheet, no scripts and no external resources, for
 * e-mail and ticket attachments.
 *
 * The Markdown writer escapes everything that came from a capture, and
 * cmark-gfm runs in its safe mode (no raw HTML, no javascript: links), so
 * the page holds only what the Markdown report says.  A Content Security
 * Policy forbids any load should a viewer try one. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report-util.h"
#include "util.h"

#ifdef HAVE_CMARK_GFM
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

static const char stylesheet[] =
    "body{font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",sans-serif;color:#1f2328;"
    "max-width:62rem;margin:2rem auto;padding:0 1rem}"
    "h1,h2,h3{line-height:1.25;margin:1.5rem 0 .75rem}"
    "h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem}"
    "table{border-collapse:collapse;margin:.75rem 0;display:block;overflow-x:auto}"
    "th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}"
    "th{background:#f6f8fa}"

    "code{font:13px ui-monospace,Menlo,Consolas,monospace;background:#f6f8fa;"
    "padding:.1rem .3rem;border-radius:4px;overflow-wrap:anywhere}"
    "pre{background:#f6f8fa;padding:.75rem;overflow-x:auto;border-radius:6px}"
    "pre code{padding:0;background:none}";

int report_html_available(void)
{
	return 1;
}

const char *report_html_library(void)
{
	return cmark_version_string();
}

int report_html_render(const char *md, size_t len, FILE *out, char *err, size_t errlen)
{
	static const char *const exts[] = {"table", "strikethrough"};
	cmark_parser *p;
	cmark_node *doc = NULL;
	char *html = NULL;
	int ret = -1;

	cmark_gfm_core_extensions_ensure_registered();
	/* Safe mode (the default): raw HTML and unsafe links are dropped. */
	p = cmark_parser_new(CMARK_OPT_DEFAULT);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);
		if (!e || !cmark_parser_attach_syntax_extension(p, e)) {
			snprintf(err, errlen, "libcmark-gfm lacks the '%s' extension", exts[i]);
			goto out;
		}
	}
	cmark_parser_feed(p, md, len);
	doc = cmark_parser_finish(p);
	if (!doc) {
		snprintf(err, errlen, "cannot render the report as HTML");
		goto out;
	}
	html = cmark_render_html(doc, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(p));
	if (!html) {
		snprintf(err, errlen, "cannot render the report as HTML");
		goto out;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n"
	      "<meta name=\"generator\" content=\"" PACKAGE_NAME " " PACKAGE_VERSION "\">\n"
	      "<title>hartriage report</title>\n<style>",
	      out);
	fputs(stylesheet, out);
	fputs("</style>\n</head>\n<body>\n", out);
	fputs(html, out);
	fputs("</body>\n</html>\n", out);
	ret = 0;
out:
	free(html);
	if (doc)
		cmark_node_free(doc);
	cmark_parser_free(p);
	return ret;
}

#else /* !HAVE_CMARK_GFM */

int report_html_available(void)
{
	return 0;
}

const char *report_html_library(void)
{
	return NULL;
}

int report_html_render(const char *md, size_t len, FILE *out, char *err, size_t errlen)
{
	(void)md;
	(void)len;
	(void)out;
	snprintf(err, errlen,
	         "HTML reports need libcmark-gfm; this hartriage was built without it");
	return -1;
}

#endif
