/* shard.h - what the machines of a sharded batch run share: which
 * tickets each one takes (--shard K/N) and one redaction key
 * (--key-file).  docs/scale.md says how schedulers run them.
 */
#ifndef HARTRIAGE_SHARD_H
#define HARTRIAGE_SHARD_H

#include <stddef.h>

/* Shard k of n, k from 0 to n-1 (as Kubernetes' JOB_COMPLETION_INDEX
 * counts); n == 0: no sharding, every ticket. */
struct shard {
	unsigned long k, n;
};

#define SHARD_MAX 100000

/* Parse "K/N" (decimal, 0 <= K < N <= SHARD_MAX).  Returns 0, or -1
 * with a message (without the option name) in err. */
int shard_parse(const char *s, struct shard *sh, char *err, size_t errlen);

/* The shard of ticket among n: the first 8 bytes of SHA-256 of the
 * ticket name's bytes read as a big-endian number, modulo n.  Defined
 * by that formula alone, so every machine, build and platform agrees
 * (sha256sum and a shell can compute it). */
unsigned long shard_of(const char *ticket, unsigned long n);

/* 1 when sh takes ticket (always when sh is NULL or n == 0). */
int shard_holds(const struct shard *sh, const char *ticket);

/* The redaction key of --key-file path: SHA-256 over a fixed label and
 * the file's bytes (at least 32, at most 4096: the output of
 * `openssl rand -hex 32` or `head -c 32 /dev/urandom`).  id receives a
 * 16-hex-digit name of the key that does not reveal it (kept in the
 * database's meta as redact_key_id).  Returns 0, or -1 with err filled. */
int shard_key_file(const char *path, unsigned char key[32], char id[17], char *err,
		   size_t errlen);

#endif
