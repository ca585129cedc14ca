/* import-mail.h - read a ticket that is an e-mail (see import-mail.c). */
#ifndef HARTRIAGE_IMPORT_MAIL_H
#define HARTRIAGE_IMPORT_MAIL_H

#include <stddef.h>

/* When buf starts with an e-mail header section (an mbox "From " line
 * allowed), return its body decoded to text (malloc'd, NUL-terminated,
 * length in *outlen); else NULL. */
char *mail_decode(const char *buf, size_t len, size_t *outlen);

/* True when [p, p+n) names a mail header ("From", "DKIM-Signature"...),
 * any case. */
int mail_header_name(const char *p, size_t n);

#endif
