/* xmeasure.h - sizes of a request measured before redaction.
 *
 * Redaction shortens secrets, so a rule that needs the size of what was
 * sent (431 Request Header Fields Too Large) cannot measure the stored
 * headers.  The import sink calls xmeasure_request() before it redacts:
 * the sizes go into the exchange's extra JSON as "requestHeaderBytes"
 * (every non-pseudo header as "Name: value" CRLF, as HTTP/1.1 sends it)
 * and "requestCookieBytes" (the Cookie values joined with "; "), and
 * the rule fields request.header_bytes / request.cookie_bytes read them
 * back.  An exchange without request headers gets neither: unknown.
 */
#ifndef HARTRIAGE_XMEASURE_H
#define HARTRIAGE_XMEASURE_H

#include "exchange.h"

void xmeasure_request(struct exchange *ex);
/* The measured size key of ex, from extra; when extra has none (rule
 * tests, databases of older builds), from the request headers if no value
 * in them was redacted; else -1 (unknown). */
long xmeasure_get(const struct exchange *ex, const char *key);

#endif
