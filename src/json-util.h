/* json-util.h - small jansson accessors shared by the JSON importers.
 *
 * Every accessor accepts NULL and values of the wrong type: it answers
 * "absent" (NULL, 0 or the default) instead of failing.
 */
#ifndef HARTRIAGE_JSON_UTIL_H
#define HARTRIAGE_JSON_UTIL_H

#include <stddef.h>
#include <jansson.h>

/* The string value of obj[key], or NULL when absent or not a string. */
const char *jstr(const json_t *obj, const char *key);
/* Same, and its length in *len (when len is not NULL). */
const char *jstr_len(const json_t *obj, const char *key, size_t *len);
/* Text of a scalar without allocating: a string as it is, a number or a
 * boolean printed into tmp (reals: the shortest of 15 or 17 digits that
 * reads back the same), anything else "".  Sets *len; never NULL. */
const char *jscalar(const json_t *v, char *tmp, size_t tmplen, size_t *len);
/* Text of a scalar (string, number, bool) as a new string; NULL for null,
 * arrays and objects unless any_json, which dumps them compactly. */
char *jtext(const json_t *v, int any_json);
/* True when obj[key] is true, or the string "true". */
int jtrue(const json_t *obj, const char *key);
/* An integer from a JSON number or numeric string; dflt when neither. */
long long jint(const json_t *v, long long dflt);
/* A number from a JSON number or a numeric string (blanks around it
 * allowed); returns 1 and sets *out, or 0. */
int jnum(const json_t *v, double *out);

/* Strip a JSONP wrapper "ident(" ... ")" (";" and blanks after it allowed)
 * from [*p, *p + *n) in place; returns 1 when one was removed. */
int strip_jsonp(const char **p, size_t *n);

/* obj as json_dumps(obj, JSON_PRESERVE_ORDER) writes it, when every value
 * is a string (jansson's own dump is slow for the many small evidence
 * objects of a run); NULL otherwise.  A new string. */
char *json_dumps_strings(const json_t *obj);

/* JSON text [p, p+n) with what jansson refuses inside strings repaired:
 * each invalid UTF-8 sequence becomes U+FFFD, each broken escape (a lone
 * surrogate, "\\u" without four hex digits, an unknown escape) becomes
 * "\\ufffd", and a raw control byte its \\u00XX escape.  Returns a
 * malloc'd copy (NUL-terminated, length in *outlen) and the number of
 * replacements in *fixed (0: the copy equals the input). */
char *json_text_repair(const char *p, size_t n, size_t *outlen, long *fixed);

#endif
