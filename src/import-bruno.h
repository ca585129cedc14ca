/* import-bruno.h - Bruno run reports (JSON) and .bru request files. */
#ifndef HARTRIAGE_IMPORT_BRUNO_H
#define HARTRIAGE_IMPORT_BRUNO_H

#include <jansson.h>
#include <stddef.h>

#include "import.h"

/* 1 when root is a Bruno run report: {summary, results} or an array of
 * {iterationIndex, summary, results}. */
int bruno_classify(const json_t *root);
/* Import a parsed run report (root borrowed). */
int import_bruno_json(json_t *root, const struct import_opts *opts, struct import_sink *sink,
		      struct import_result *res);

/* What the first bytes of a text look like: BRU_REQUEST (a meta block and
 * a method block), BRU_OTHER (an environment, folder or collection .bru),
 * or 0 (not Bruno). */
enum { BRU_REQUEST = 1, BRU_OTHER = 2 };
int bru_looks_like(const char *p, size_t n);
/* Import one .bru file read whole: one exchange (the request, status
 * unknown); environments and folder settings are not a capture; a .bru
 * without a request block is an error. */
int import_bru(const char *buf, size_t len, const struct import_opts *opts,
	       struct import_sink *sink, struct import_result *res);

#endif
