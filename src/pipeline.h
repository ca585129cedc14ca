/* pipeline.h - walk inputs into the store (sniff, import, redact) and run
 * the rules over the stored exchanges.  Used by analyze, import and match.
 * Never prints: progress goes to the caller's callback.
 */
#ifndef HARTRIAGE_PIPELINE_H
#define HARTRIAGE_PIPELINE_H

#include <signal.h>
#include <stddef.h>
#include "import.h"
#include "shard.h"
#include "rule.h"
#include "store.h"

/* Where an import stands, for a progress line. */
struct pipeline_progress {
	long tickets_done;      /* batch runs: tickets started */
	long tickets_total;     /* batch runs: top-level entries of the folder, else 0 */
	long sources;           /* attachments looked at */
	long exchanges;         /* exchanges stored */
	unsigned long long bytes;  /* bytes read */
	long seconds;           /* since the import started */
	int final;              /* the import has ended */
	/* While a capture is being read (at most once a second): */
	const char *current;    /* its display path, NULL between captures */
	unsigned long long current_bytes; /* bytes of it read so far */
	long long current_size; /* its size when known, else -1 */
	/* pipeline_match_progress: exchanges matched so far (bytes unused). */
	long matched;
};

struct pipeline_opts {
	enum capture_format hint;   /* --format-hint, FMT_UNKNOWN = detect */
	int keep_secrets;           /* store raw values (database only) */
	int force;                  /* re-import sources already stored */
	int batch;                  /* each top-level entry of the one DIR is a ticket; */
	int one_ticket;             /* with batch: ... but all of them make one ticket */
	/* Called after each source and once at the end (final set), when set. */
	void (*progress)(void *ctx, const struct pipeline_progress *p);
	void *progress_ctx;
	/* Set (by a signal handler) to stop at the next exchange: the source
	 * being imported is rolled back and the call fails with "interrupted". */
	volatile sig_atomic_t *interrupted;
	const char *const *env_files; /* --env files, NULL-terminated or NULL */
	const unsigned char *key;   /* 32-byte redaction key, or NULL to choose one */
	int key_mode;               /* with key: what pipeline_redaction_key() said */
	const char *stdin_name;     /* display name of "-" (standard input), NULL = "stdin" */
	const struct shard *shard;  /* --shard K/N: only its tickets; NULL = all */
	/* When set, each exchange is matched right after it is stored, in the
	 * transaction of its source (pipeline_match_begin first, then
	 * pipeline_match_end): a new database is not read back to match it. */
	struct rule_set *match_rs;
};

/* How the redaction key of each ticket is had. */
enum { KEY_FIXED = 0, KEY_PER_TICKET = 1, KEY_CONTENT = 2 };

struct pipeline_stats {
	long sources;       /* sources looked at */
	long imported;      /* ok or partial */
	long partial;
	long failed;        /* unreadable, broken, skipped archive members */
	long not_capture;
	long duplicates;    /* skipped: same sha256 already stored */
	long exchanges;
	unsigned long long bytes;
	long other_shards;  /* tickets left to other shards (--shard) */
	long findings;      /* with match_rs: findings stored */
};

/* Import every path into st.  Returns 0, or -1 on a store error (err
 * filled).  Broken inputs are recorded in the store and counted in
 * stats->failed, they do not fail the call. */
int pipeline_import(struct store *st, const char *const *paths, size_t npaths,
		    const struct pipeline_opts *o, struct pipeline_stats *stats, char *err,
		    size_t errlen);

/* The redaction key pipeline_import() uses when opts->key is NULL:
 * $HARTRIAGE_REDACT_KEY for every ticket (KEY_FIXED), else the database's
 * own (kept in meta) from which each ticket's key is derived
 * (KEY_PER_TICKET), else each ticket's key comes from its content
 * (KEY_CONTENT): no key file, the same report on any machine.  Returns
 * the mode. */
int pipeline_redaction_key(struct store *st, unsigned char key[32]);

/* Replace the findings of st with those of rs over every exchange, in one
 * transaction.  When *interrupted (may be NULL) becomes non-zero the run
 * stops and the old findings stay.  Returns 0 or -1 (err filled). */
int pipeline_match(struct store *st, struct rule_set *rs, volatile sig_atomic_t *interrupted,
		   long *nfindings, char *err, size_t errlen);
/* pipeline_match, telling progress (with matched and seconds set, at most
 * once a second and once at the end with final set) when it is not NULL. */
int pipeline_match_progress(struct store *st, struct rule_set *rs,
			    volatile sig_atomic_t *interrupted,
			    void (*progress)(void *ctx, const struct pipeline_progress *p),
			    void *progress_ctx, long *nfindings, char *err, size_t errlen);

/* Matching while importing (pipeline_opts.match_rs), for a database that
 * holds no exchange yet: begin clears the findings and stores the rules;
 * end reads the findings as a sequence.  Each returns 0 or -1 (err
 * filled). */
int pipeline_match_begin(struct store *st, struct rule_set *rs, char *err, size_t errlen);
int pipeline_match_end(struct store *st, char *err, size_t errlen);

#endif
