/* cookie-array.h - the cookie arrays of HAR ("cookies"), Postman saved
 * responses and newman reports ("cookie") as headers.
 *
 * Some producers give a request's or response's cookies only as an array
 * of objects (name or key, value, path, domain, expires, httpOnly,
 * secure, sameSite).  cookie_array_headers() adds them to l as the
 * headers a client sent or a server set - one "Cookie" line for a
 * request, one "Set-Cookie" per cookie for a response - unless l already
 * holds such headers (the array then repeats them).  Returns the number
 * of cookies taken from the array.
 */
#ifndef HARTRIAGE_COOKIE_ARRAY_H
#define HARTRIAGE_COOKIE_ARRAY_H

#include <jansson.h>
#include <stddef.h>

#include "exchange.h"

size_t cookie_array_headers(struct hdr_list *l, const json_t *cookies, int response);

#endif
