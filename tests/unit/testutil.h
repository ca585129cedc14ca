/* testutil.h - small helpers the importer unit tests share. */
#ifndef HARTRIAGE_TESTUTIL_H
#define HARTRIAGE_TESTUTIL_H

#include "exchange.h"
#include "util.h"

/* A copy of s, or NULL. */
static inline char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* The header list as "Name: value\n" lines (an empty string when empty). */
static inline char *join_headers(const struct hdr_list *l)
{
	struct sbuf b = SBUF_INIT;
	for (size_t i = 0; i < l->n; i++)
		sbuf_addf(&b, "%s: %s\n", l->v[i].name, l->v[i].value);
	return sbuf_detach(&b, NULL);
}

#endif
