/* pool.h - a batch import on several processes.
 *
 * Worker k imports tickets k, k+N, ... of a folder into its own temporary
 * database; the parent merges them all into the store at once
 * (store_merge_dbs: rows in ticket order), so the store ends up holding
 * what one process would have imported.  Workers print nothing: a
 * worker's error comes back in err.
 */
#ifndef HARTRIAGE_POOL_H
#define HARTRIAGE_POOL_H

#include <stddef.h>
#include "pipeline.h"
#include "store.h"

/* Import the tickets (top-level entries) of dir into st on jobs processes
 * with the options po (batch, progress and key are set per worker; key is
 * the 32-byte redaction key every worker uses).  Returns 0, or -1 with err
 * filled. */
int pool_import(struct store *st, const char *dir, long jobs, const struct pipeline_opts *po,
		const unsigned char key[32], char *err, size_t errlen);

#endif
