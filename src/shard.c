/* shard.c - ticket shards and the shared redaction key (shard.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shard.h"
#include "util.h"

/* Parse a decimal number of digits only into *v; 0 or -1. */
static int parse_count(const char *p, size_t len, unsigned long *v)
{
	*v = 0;
	if (len == 0 || len > 9)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*v = *v * 10 + (unsigned long)(p[i] - '0');
	}
	return 0;
}

int shard_parse(const char *s, struct shard *sh, char *err, size_t errlen)
{
	const char *slash = strchr(s, '/');
	unsigned long k, n;

	if (!slash || parse_count(s, (size_t)(slash - s), &k) < 0 ||
	    parse_count(slash + 1, strlen(slash + 1), &n) < 0) {
		snprintf(err, errlen, "expected K/N, two numbers such as 0/3");
		return -1;
	}
	if (n < 1 || n > SHARD_MAX) {
		snprintf(err, errlen, "N must be 1 to %d", SHARD_MAX);
		return -1;
	}
	if (k >= n) {
		snprintf(err, errlen, "K must be 0 to %lu: shards count from 0, as Kubernetes' "
			 "JOB_COMPLETION_INDEX does", n - 1);
		return -1;
	}
	sh->k = k;
	sh->n = n;
	return 0;
}

unsigned long shard_of(const char *ticket, unsigned long n)
{
	struct sha256 h;
	unsigned char d[32];
	unsigned long long v = 0;

	sha256_init(&h);
	sha256_update(&h, ticket, strlen(ticket));
	sha256_final(&h, d);
	for (int i = 0; i < 8; i++)
		v = v << 8 | d[i];
	return n ? (unsigned long)(v % n) : 0;
}

int shard_holds(const struct shard *sh, const char *ticket)
{
	if (!sh || sh->n <= 1)
		return 1;
	return shard_of(ticket ? ticket : "", sh->n) == sh->k;
}

#define KEY_FILE_MIN 32
#define KEY_FILE_MAX 4096

int shard_key_file(const char *path, unsigned char key[32], char id[17], char *err,
		   size_t errlen)
{
	static const char label[] = "hartriage key file v1";
	static const char id_label[] = "hartriage key id v1";
	unsigned char buf[KEY_FILE_MAX + 1], d[32];
	char hex[65];
	struct sha256 h;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "cannot read key file '%s': %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t got = read(fd, buf + n, sizeof(buf) - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(err, errlen, "cannot read key file '%s': %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (got == 0 || (n += (size_t)got) == sizeof(buf))
			break;
	}
	close(fd);
	/* A trailing newline (echo, openssl rand -hex) is not part of the key. */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n > KEY_FILE_MAX) {
		snprintf(err, errlen, "key file '%s' is longer than %d bytes: not a key", path,
			 KEY_FILE_MAX);
		return -1;
	}
	if (n < KEY_FILE_MIN) {
		snprintf(err, errlen, "key file '%s' holds %zu bytes, a key needs at least %d "
			 "(make one with: openssl rand -hex 32 > FILE)", path, n, KEY_FILE_MIN);
		return -1;
	}
	sha256_init(&h);
	sha256_update(&h, label, sizeof(label));
	sha256_update(&h, buf, n);
	sha256_final(&h, key);
	memset(buf, 0, sizeof(buf));
	sha256_init(&h);
	sha256_update(&h, id_label, sizeof(id_label));
	sha256_update(&h, key, 32);
	sha256_final(&h, d);
	sha256_hex(d, hex);
	memcpy(id, hex, 16);
	id[16] = '\0';
	return 0;
}
