/* walk.h - visit the captures of files, folders and archives.
 *
 * The walker hands each capture to a callback as an hstream.  Archives
 * (.zip, .zhar, .tar, .tar.gz/.tgz, .gz, .bz2, .xz, and archives inside
 * archives, recognised by name or by magic bytes) are read as streams
 * through libarchive: nothing is extracted to disk.  A single compressed
 * stream such as a.har.gz is decompressed transparently: the item keeps
 * the display path "a.har.gz" and has name "a.har".
 *
 * Display paths join archive members with '!':
 *   "ticket.zip!logs/a.har", "a.zip!b.tar.gz!x.har".
 * Folders are walked recursively in byte order of names; hidden entries
 * (".x"), "__MACOSX" folders and symlink loops are skipped.  Members of an
 * archive come in archive order.
 *
 * Caps are enforced while streaming (bytes are counted as they are read):
 * an archive that expands beyond its caps (zip bomb), a member name that
 * escapes ("../x", "/etc/passwd", "C:\x"), a damaged archive or member are
 * reported through walk_err_fn and skipped; the rest goes on.
 */
#ifndef HARTRIAGE_WALK_H
#define HARTRIAGE_WALK_H

#include <stddef.h>
#include "hstream.h"
#include "shard.h"

/* Default caps: WALK_*_CAP in caps.h. */
#include "caps.h"

struct walk_caps {
	unsigned long long archive_bytes; /* 0 = no cap */
	unsigned ratio;                   /* 0 = no ratio check */
	unsigned long long ratio_min_bytes;
	long entries;
	int depth;
	unsigned long long member_bytes;  /* 0 = no cap */
};

/* Fill c with the defaults above. */
void walk_caps_default(struct walk_caps *c);

struct walk_item {
	const char *path;    /* display path, see above */
	const char *ticket;  /* ticket name */
	const char *name;    /* base name of the capture ("a.har", also for a.har.gz) */
	const char *fs_path; /* file on disk holding it (the outermost archive) */
	int depth;           /* 0 plain file, 1 member of an archive, 2 nested ... */
	long long size;      /* decompressed size as stat/archive header says, -1 unknown */
};

/* Called once per capture.  s is open (a file or an archive member) and is
 * closed by the walker after the call; the callback may read as much of it
 * as it likes.  When reading a member fails (damaged data, encryption, a
 * cap), hstream_read returns -1 and the walker reports the reason through
 * walk_err_fn for the same path after the callback returns.  Return 0 to go
 * on, -1 to stop the whole walk. */
typedef int (*walk_fn)(void *ctx, const struct walk_item *item, struct hstream *s);
/* Called for each input that is skipped or damaged; msg is lowercase
 * without the path ("zip bomb: ...", "unsafe member name", ...). */
typedef void (*walk_err_fn)(void *ctx, const char *path, const char *ticket, const char *msg);

struct walk_opts {
	struct walk_caps caps; /* set with walk_caps_default() and adjust */
	walk_fn fn;
	walk_err_fn err;       /* may be NULL */
	void *ctx;
	/* walk_paths: the display path and ticket name of "-" (standard
	 * input), NULL = "stdin". */
	const char *stdin_name;
	/* walk_tickets: the folder is one ticket named after it. */
	int one_ticket;
	/* Only the tickets of this shard (--shard K/N, shard.h); NULL: all.
	 * Each ticket left to another shard adds one to *other_shards (may
	 * be NULL) and is not opened. */
	const struct shard *shard;
	long *other_shards;
};

/* Walk each path (file, folder or archive) as its own ticket, named by its
 * base name without archive extension ("t-1.zip" -> "t-1").  "-" is
 * standard input; it, FIFOs, character devices and sockets (/dev/stdin,
 * process substitution) are read once as a stream.  Display paths start
 * with the path as given.  Returns the number of errors
 * reported, or -1 when the callback stopped the walk. */
int walk_paths(const char *const *paths, size_t npaths, const struct walk_opts *o);

/* Batch mode: each top-level entry of dir (folder, archive or file,
 * hidden ones skipped, in name order) is one ticket named by its base name
 * without archive extension.  Display paths are relative to dir
 * ("t-1.zip!a.har", "t-2/b.har").  Returns as walk_paths; an unreadable
 * dir is one reported error. */
int walk_tickets(const char *dir, const struct walk_opts *o);

/* What a ticket is, when one folder is given: the folder is a batch of
 * tickets (each top-level entry one ticket, as walk_tickets walks it) when
 * it holds a sub-folder or an archive of files (.zip, .tar, .tar.gz, .tgz,
 * .7z ...) at its top level; a folder of plain files (a ticket's
 * attachments, single compressed captures such as a.har.gz) is one ticket
 * named after the folder.  Returns 1 for a batch, else 0. */
int walk_is_batch(const char *dir);

/* Ticket name for a path: its base name without trailing '/' and without
 * an archive extension (.zip .zhar .tar .tgz .tar.gz .gz ...).  malloc'd. */
char *walk_ticket_name(const char *path);

/* E-mail (in walk-mail.c): a MIME message whose attachments the walker
 * walks as members "mail.eml!name" under the archive caps. */
/* True when p starts with mail headers of a multipart MIME message. */
int mail_looks_like(const unsigned char *p, size_t n);
/* One part with a file name: data decoded (NULL when it could not be).
 * Return 0 to go on, -1 to stop. */
typedef int (*mail_part_fn)(void *ctx, const char *filename, const char *data, size_t len);
/* Call fn for each part with a file name; returns -1 when fn stopped. */
int mail_parts(const char *buf, size_t len, mail_part_fn fn, void *ctx);

#endif
