/* pool.h - a batch import, and other work on a store, on several processes.
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
 * the 32-byte redaction key every worker uses).  With po->match_rs (st
 * holds no exchange yet and pipeline_match_begin() ran on it), each worker
 * also matches what it imports and the merge keeps the findings; the
 * caller then runs pipeline_match_end().  Returns 0, or -1 with err
 * filled. */
int pool_import(struct store *st, const char *dir, long jobs, const struct pipeline_opts *po,
		const unsigned char key[32], char *err, size_t errlen);

/* Work on a store from jobs processes: worker k (0 .. jobs - 1) gets its
 * own connection ws and calls fn(ctx, ws, k, jobs, err, errlen), which
 * returns 0 or -1 with err filled; it must only read the store.  db is the
 * path of st's database, or NULL when st is a private one: then the
 * workers read a copy (store_snapshot) in a temporary folder.  Workers
 * print nothing.  Returns 0 when every worker succeeded, else -1 with err
 * holding the first failure. */
typedef int pool_each_fn(void *ctx, struct store *ws, long k, long jobs, char *err, size_t errlen);
int pool_each(struct store *st, const char *db, long jobs, pool_each_fn *fn, void *ctx,
	      volatile sig_atomic_t *interrupted, char *err, size_t errlen);

#endif
