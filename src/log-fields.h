/* log-fields.h - getters of the rule fields of a server log record
 * (log-fields.c), for the field table of rule-fields.c. */
#ifndef HARTRIAGE_LOG_FIELDS_H
#define HARTRIAGE_LOG_FIELDS_H

#include "rule-int.h"

int log_get_producer(struct xctx *x, const char *h, size_t *c, const char **p, size_t *n);
int log_get_flags(struct xctx *x, const char *h, size_t *c, const char **p, size_t *n);
int log_get_code(struct xctx *x, const char *h, size_t *c, const char **p, size_t *n);
int log_get_message(struct xctx *x, const char *h, size_t *c, const char **p, size_t *n);
int log_get_upstream_status(struct xctx *x, const char *h, size_t *c, const char **p, size_t *n);
int log_get_upstream_addr(struct xctx *x, const char *h, size_t *c, const char **p, size_t *n);
/* Free the parsed record of x (called by xctx_release). */
void log_fields_release(struct xctx *x);

#endif
