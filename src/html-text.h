/* html-text.h - the visible text of an HTML page (html-text.c).
 *
 * What a person sees, and what a browser's "copy" gives: tags removed
 * (with the content of <script>, <style> and <title>, which shows only
 * in the tab, and comments), character
 * references decoded (the common named ones and every numeric one), and
 * every run of whitespace collapsed to one space, trimmed at both ends.
 * A tag that starts a block (anything but the inline tags a, b, span,
 * strong, code ...) separates words like whitespace does.  The output is
 * never longer than the input.
 */
#ifndef HARTRIAGE_HTML_TEXT_H
#define HARTRIAGE_HTML_TEXT_H

#include <stddef.h>
#include "util.h"

/* Append the visible text of the HTML [p, p+n) to out. */
void html_visible_text(const char *p, size_t n, struct sbuf *out);

/* Append [p, p+n) with every whitespace run collapsed to one space and
 * trimmed (the visible text of a plain-text body). */
void text_collapse_space(const char *p, size_t n, struct sbuf *out);

/* Decode the character reference at p ("&amp;", "&#39;", "&#x2F;"; p[0]
 * is '&') into out.  Returns the bytes consumed, or 0 (nothing appended)
 * when p does not start a reference this decoder knows. */
size_t html_decode_entity(const char *p, size_t n, struct sbuf *out);

#endif
