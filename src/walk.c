/* walk.c - visit the captures of files, folders and archives (see walk.h). */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "util.h"
#include "walk.h"

#define MAGIC_LEN 512
#define ARCHIVE_BLOCK 65536

enum magic {
	MAGIC_NONE = 0,
	MAGIC_ZIP,
	MAGIC_TAR,
	MAGIC_7Z,
	MAGIC_STREAM /* gzip, bzip2, xz, zstd: one compressed stream */
};

/* How far a cap hit reaches. */
enum scope { SCOPE_MEMBER = 1, SCOPE_ARCHIVE, SCOPE_ROOT };

struct walker {
	const struct walk_opts *o;
	const struct walk_caps *caps;
	int errors;
	int stop;                      /* callback asked to stop */
	const char *ticket;
	const char *fs_path;           /* file on disk being walked */
	unsigned long long root_size;  /* size of the outermost archive, 0 if none */
	unsigned long long leaf_bytes; /* member bytes handed to callbacks under it */
	int root_abort;
	time_t root_start;             /* when the outermost archive was opened */
};

struct member;

/* One open archive. */
struct level {
	struct walker *w;
	struct archive *a;
	const char *path;              /* display path of the archive */
	int depth;                     /* 1 for an archive on disk */
	struct hstream *src;           /* source of a nested archive, else NULL */
	struct member *src_member;     /* member ctx behind src, else NULL */
	unsigned long long src_read;   /* bytes read from src */
	unsigned long long file_size;  /* size of the archive on disk, else 0 */
	unsigned long long expanded;   /* member bytes read from this archive */
	int abort;
	unsigned char buf[ARCHIVE_BLOCK];
};

/* The read context of an hstream over one archive member. */
struct member {
	struct level *lv;
	int leaf;                      /* handed to the callback (not an archive) */
	unsigned long long read;
	char *err;                     /* why reading failed, or NULL */
	enum scope scope;
	struct hstream *s;             /* the stream over it, for errmsg */
};

static void walk_stream(struct walker *w, struct level *lv, struct member *m,
			struct hstream *s, const char *path, const char *name, int depth,
			long long size);

/* Report an error through the callback and count it. */
static void report(struct walker *w, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(struct walker *w, const char *path, const char *fmt, ...)
{
	struct sbuf b = SBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sbuf_vaddf(&b, fmt, ap);
	va_end(ap);
	w->errors++;
	if (w->o->err)
		w->o->err(w->o->ctx, path, w->ticket, sbuf_str(&b));
	sbuf_release(&b);
}

void walk_caps_default(struct walk_caps *c)
{
	c->archive_bytes = WALK_ARCHIVE_BYTES_CAP;
	c->ratio = WALK_RATIO_CAP;
	c->ratio_min_bytes = WALK_RATIO_MIN_BYTES;
	c->entries = WALK_ENTRIES_CAP;
	c->depth = WALK_DEPTH_CAP;
	c->member_bytes = WALK_MEMBER_BYTES_CAP;
}

/* Archive extensions, longest first where one ends another. */
static const char *const archive_exts[] = {
	".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tgz", ".tbz", ".tbz2", ".txz",
	".zip", ".zhar", ".tar", ".7z", ".gz", ".bz2", ".xz", ".zst", NULL
};
/* Extensions of a single compressed stream. */
static const char *const stream_exts[] = { ".gz", ".bz2", ".xz", ".zst", NULL };

/* Length of the extension from list that name ends with, or 0. */
static size_t ext_len(const char *name, const char *const *list)
{
	size_t n = strlen(name);

	for (size_t i = 0; list[i]; i++) {
		size_t e = strlen(list[i]);
		if (n > e && ascii_casecmp(name + n - e, list[i]) == 0)
			return e;
	}
	return 0;
}

/* Start of the last component of path (trailing slashes ignored). */
static char *base_name_dup(const char *path)
{
	size_t n = strlen(path);
	const char *b;

	while (n > 1 && path[n - 1] == '/')
		n--;
	b = path + n;
	while (b > path && b[-1] != '/')
		b--;
	return xstrndup(b, (size_t)(path + n - b));
}

char *walk_ticket_name(const char *path)
{
	char *b = base_name_dup(path);
	size_t e = ext_len(b, archive_exts);

	if (e)
		b[strlen(b) - e] = '\0';
	return b;
}

/* Recognise an archive or compressed stream by its first bytes. */
static enum magic sniff_magic(const unsigned char *p, size_t n)
{
	if (n >= 4 && p[0] == 'P' && p[1] == 'K' &&
	    ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6) || (p[2] == 7 && p[3] == 8)))
		return MAGIC_ZIP;
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return MAGIC_STREAM;
	if (n >= 4 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' && p[3] >= '1' && p[3] <= '9')
		return MAGIC_STREAM;
	if (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
		return MAGIC_STREAM;
	if (n >= 4 && memcmp(p, "\x28\xb5\x2f\xfd", 4) == 0)
		return MAGIC_STREAM;
	if (n >= 6 && memcmp(p, "7z\xbc\xaf\x27\x1c", 6) == 0)
		return MAGIC_7Z;
	if (n >= 262 && memcmp(p + 257, "ustar", 5) == 0)
		return MAGIC_TAR;
	return MAGIC_NONE;
}

/* A new archive reader for the formats we accept; raw only for single
 * compressed streams, since raw accepts anything. */
static struct archive *reader_new(enum magic mg)
{
	struct archive *a = archive_read_new();

	archive_read_support_filter_all(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	archive_read_support_format_empty(a);
	if (mg == MAGIC_STREAM)
		archive_read_support_format_raw(a);
	return a;
}

/* Check the caps after n more bytes of member m; returns 0, or -1 with
 * m->err and m->scope set. */
static int check_caps(struct member *m)
{
	struct level *lv = m->lv;
	struct walker *w = lv->w;
	const struct walk_caps *c = w->caps;
	unsigned long long comp;

	if (c->member_bytes && m->read > c->member_bytes) {
		m->err = xasprintf("member larger than %llu bytes, skipped", c->member_bytes);
		m->scope = SCOPE_MEMBER;
		return -1;
	}
	if (c->archive_bytes && (lv->expanded > c->archive_bytes ||
				 w->leaf_bytes > c->archive_bytes)) {
		m->err = xasprintf("archive expands beyond %llu bytes (zip bomb?), rest of '%s' skipped",
				   c->archive_bytes, lv->path);
		m->scope = lv->expanded > c->archive_bytes ? SCOPE_ARCHIVE : SCOPE_ROOT;
		return -1;
	}
	if (!c->ratio)
		return 0;
	comp = lv->src ? lv->src_read : lv->file_size;
	if (lv->expanded > c->ratio_min_bytes && lv->expanded / (comp ? comp : 1) > c->ratio) {
		m->err = xasprintf("zip bomb: %llu bytes expanded from %llu (ratio over %u), rest of '%s' skipped",
				   lv->expanded, comp, c->ratio, lv->path);
		m->scope = SCOPE_ARCHIVE;
		return -1;
	}
	if (w->root_size && w->leaf_bytes > c->ratio_min_bytes &&
	    w->leaf_bytes / w->root_size > c->ratio) {
		m->err = xasprintf("zip bomb: %llu bytes expanded from %llu (ratio over %u), rest of '%s' skipped",
				   w->leaf_bytes, w->root_size, c->ratio, w->fs_path);
		m->scope = SCOPE_ROOT;
		return -1;
	}
	return 0;
}

/* hstream read callback over the current member of an archive. */
static ssize_t member_read(void *ctx, void *buf, size_t n)
{
	struct member *m = ctx;
	struct level *lv = m->lv;
	la_ssize_t r;

	if (m->err)
		return -1;
	r = archive_read_data(lv->a, buf, n);
	if (r < 0)
		goto fail;
	m->read += (unsigned long long)r;
	lv->expanded += (unsigned long long)r;
	if (m->leaf)
		lv->w->leaf_bytes += (unsigned long long)r;
	if (check_caps(m) < 0)
		goto err;
	return r;
fail:
	/* A nested archive fails when its own source failed: say why. */
	if (lv->src_member && lv->src_member->err)
		m->err = xstrdup(lv->src_member->err);
	else
		m->err = xasprintf("damaged member: %s",
				   archive_error_string(lv->a) ? archive_error_string(lv->a)
							       : "read error");
	m->scope = SCOPE_MEMBER;
err:
	if (m->s)
		snprintf(m->s->errmsg, sizeof m->s->errmsg, "%s", m->err);
	return -1;
}

/* libarchive read callback of a nested archive: read its source hstream. */
static la_ssize_t nested_read(struct archive *a, void *ctx, const void **buf)
{
	struct level *lv = ctx;
	ssize_t r = hstream_read(lv->src, lv->buf, sizeof lv->buf);

	if (r < 0) {
		archive_set_error(a, EIO, "%s",
				  lv->src_member && lv->src_member->err ? lv->src_member->err
									: "read error");
		return -1;
	}
	lv->src_read += (unsigned long long)r;
	*buf = lv->buf;
	return r;
}

/* True when an archive member name escapes (absolute, drive, ".."). */
static int unsafe_name(const char *p)
{
	if (p[0] == '/' || p[0] == '\\')
		return 1;
	if (((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) && p[1] == ':')
		return 1;
	for (const char *c = p; *c;) {
		size_t len = strcspn(c, "/\\");
		if (len == 2 && c[0] == '.' && c[1] == '.')
			return 1;
		c += len;
		if (*c)
			c++;
	}
	return 0;
}

/* True when a member path has a hidden component or macOS resource forks. */
static int hidden_name(const char *p)
{
	for (const char *c = p; *c;) {
		size_t len = strcspn(c, "/\\");
		if (len > 0 && c[0] == '.' && !(len == 1))
			return 1;
		if (len == 8 && memcmp(c, "__MACOSX", 8) == 0)
			return 1;
		c += len;
		if (*c)
			c++;
	}
	return 0;
}

/* Name of the one member of a raw compressed stream: outer name without
 * its compression extension. */
static char *raw_member_name(const char *outer)
{
	char *b = base_name_dup(outer);
	size_t e = ext_len(b, stream_exts);

	if (ascii_casecmp(b + strlen(b) - (e ? e : 0), ".tgz") == 0)
		e = 0;
	if (e)
		b[strlen(b) - e] = '\0';
	return b;
}

/* Read every member of the open archive lv->a.  name is the archive's own
 * base name (for raw streams).  Errors are reported, never returned. */
static void walk_members(struct level *lv, const char *name)
{
	struct walker *w = lv->w;
	struct archive_entry *e;
	long entries = 0;
	int retries = 0;
	int member_failed = 0; /* the previous member's data was damaged */

	for (;;) {
		int rc;
		const char *pn;
		char *mpath = NULL, *mname = NULL;
		struct member m = { lv, 0, 0, NULL, 0, NULL };
		struct hstream s;
		long long size;

		if (w->stop || w->root_abort || lv->abort)
			break;
		rc = archive_read_next_header(lv->a, &e);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc == ARCHIVE_RETRY && ++retries < 10)
			continue;
		if (rc < ARCHIVE_WARN) {
			const char *msg = archive_error_string(lv->a);
			if (lv->src_member && lv->src_member->err)
				break;	/* the parent reports why its member failed */
			if (!msg)
				msg = "unreadable archive";
			/* A damaged member usually breaks the archive behind it:
			 * that was reported once already. */
			if (!member_failed)
				report(w, lv->path, "%s%s", entries ? "damaged archive: " : "cannot read archive: ", msg);
			break;
		}
		retries = 0;
		if (++entries > w->caps->entries) {
			report(w, lv->path, "more than %ld entries, rest of the archive skipped",
			       w->caps->entries);
			break;
		}
		if (w->root_start && time(NULL) - w->root_start > WALK_TIME_CAP) {
			report(w, lv->path, "archive read for more than %d s, rest of the archive skipped",
			       WALK_TIME_CAP);
			w->root_abort = 1;
			break;
		}
		if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e)) {
			/* links are never followed; say so (directories need no word) */
			const char *ln = archive_entry_pathname(e);
			int sym = archive_entry_filetype(e) == AE_IFLNK;
			if (archive_entry_filetype(e) != AE_IFDIR && ln && *ln && !hidden_name(ln)) {
				char *lp = xasprintf("%s!%s", lv->path, ln);
				report(w, lp, "%s skipped: not followed",
				       sym ? "symbolic link member"
				       : archive_entry_hardlink(e) ? "hard link member" : "special file member");
				free(lp);
			}
			continue;
		}
		pn = archive_entry_pathname(e);
		if (!pn)
			pn = "";
		while (pn[0] == '.' && pn[1] == '/')
			pn += 2;
		if (archive_format(lv->a) == ARCHIVE_FORMAT_RAW) {
			mpath = xstrdup(lv->path);
			mname = raw_member_name(name);
		} else {
			if (!*pn) {
				report(w, lv->path, "member without a name skipped");
				continue;
			}
			mpath = xasprintf("%s!%s", lv->path, pn);
			if (unsafe_name(pn)) {
				report(w, mpath, "unsafe member name '%s' skipped", pn);
				free(mpath);
				continue;
			}
			if (hidden_name(pn)) {
				free(mpath);
				continue;
			}
			mname = base_name_dup(pn);
		}
		if (archive_entry_is_encrypted(e)) {
			report(w, mpath, "encrypted member skipped");
			goto next;
		}
		size = archive_entry_size_is_set(e) ? (long long)archive_entry_size(e) : -1;
		hstream_open_fn(&s, member_read, &m);
		m.s = &s;
		walk_stream(w, lv, &m, &s, mpath, mname, lv->depth, size);
		hstream_close(&s);
		member_failed = m.err && m.scope == SCOPE_MEMBER;
		if (m.err) {
			if (m.scope != SCOPE_MEMBER || !lv->src_member || !lv->src_member->err)
				report(w, mpath, "%s", m.err);
			if (m.scope == SCOPE_ARCHIVE)
				lv->abort = 1;
			else if (m.scope == SCOPE_ROOT)
				w->root_abort = 1;
		}
		/* When the source of this nested archive failed, stop here:
		 * the parent reports it. */
		if (lv->src_member && lv->src_member->err)
			lv->abort = 1;
	next:
		free(m.err);
		free(mpath);
		free(mname);
	}
}

/* Walk a nested archive read from s (a member of lv). */
static void walk_nested(struct walker *w, struct member *m, struct hstream *s, enum magic mg,
			const char *path, const char *name, int depth)
{
	struct level *lv = xcalloc(1, sizeof *lv);

	lv->w = w;
	lv->path = path;
	lv->depth = depth;
	lv->src = s;
	lv->src_member = m;
	lv->a = reader_new(mg);
	if (archive_read_open(lv->a, lv, NULL, nested_read, NULL) != ARCHIVE_OK) {
		if (m && m->err)
			;	/* reported by the caller */
		else
			report(w, path, "cannot read archive: %s",
			       archive_error_string(lv->a) ? archive_error_string(lv->a) : "unknown format");
		goto out;
	}
	walk_members(lv, name);
out:
	archive_read_free(lv->a);
	free(lv);
}

/* The attachments of one e-mail being walked. */
struct mail_walk {
	struct walker *w;
	struct level *lv;
	const char *path;
	int depth;
	long count;
	unsigned long long bytes;
};

/* One attachment: a member "mail.eml!name", under the archive caps. */
static int mail_part(void *ctx, const char *filename, const char *data, size_t len)
{
	struct mail_walk *mw = ctx;
	struct walker *w = mw->w;
	const char *base = strrchr(filename, '/');
	const char *b2 = strrchr(filename, '\\');
	char *mpath;
	struct hstream ms;

	if (w->stop)
		return -1;
	if (b2 && (!base || b2 > base))
		base = b2;
	base = base ? base + 1 : filename;
	mpath = xasprintf("%s!%s", mw->path, *base ? base : "attachment");
	if (!*base || hidden_name(base)) {
		free(mpath);
		return 0;
	}
	if (!data) {
		report(w, mpath, "attachment that cannot be decoded skipped");
	} else if (mw->depth + 1 > w->caps->depth) {
		report(w, mpath, "attachment nested deeper than %d levels skipped", w->caps->depth);
	} else if (w->caps->entries && ++mw->count > w->caps->entries) {
		report(w, mpath, "more than %ld attachments, the rest skipped", w->caps->entries);
		free(mpath);
		return -1;
	} else if (w->caps->member_bytes && len > w->caps->member_bytes) {
		report(w, mpath, "member larger than %llu bytes, skipped", w->caps->member_bytes);
	} else if (w->caps->archive_bytes && (mw->bytes += len) > w->caps->archive_bytes) {
		report(w, mpath, "attachments expand beyond %llu bytes, the rest skipped", w->caps->archive_bytes);
		free(mpath);
		return -1;
	} else {
		hstream_open_mem(&ms, data, len);
		walk_stream(w, mw->lv, NULL, &ms, mpath, base, mw->depth + 1, (long long)len);
		hstream_close(&ms);
	}
	free(mpath);
	return w->stop ? -1 : 0;
}

/* An e-mail: the message itself is a capture (its text is read as
 * prose), then each attachment is walked like an archive member. */
static void walk_mail(struct walker *w, struct level *lv, struct member *m, struct hstream *s,
		      const char *path, const char *name, int depth, long long size)
{
	char *buf = NULL;
	size_t len = 0;
	size_t cap = w->caps->member_bytes ? (size_t)w->caps->member_bytes : ((size_t)1 << 30);
	struct walk_item it;
	struct hstream ms;
	struct mail_walk mw = { w, lv, path, depth, 0, 0 };
	int rc = hstream_slurp(s, cap, &buf, &len);

	if (rc != 0) {
		if (!m || !m->err)
			report(w, path, rc == -2 ? "e-mail larger than %zu bytes skipped" : "cannot read: read error", cap);
		free(buf);
		return;
	}
	if (m)
		m->leaf = 1;
	hstream_open_mem(&ms, buf ? buf : "", len);
	it.path = path;
	it.ticket = w->ticket;
	it.name = name;
	it.fs_path = w->fs_path;
	it.depth = depth;
	it.size = size;
	if (w->o->fn(w->o->ctx, &it, &ms) < 0)
		w->stop = 1;
	hstream_close(&ms);
	if (!w->stop && buf)
		mail_parts(buf, len, mail_part, &mw);
	free(buf);
}

/* Hand one stream (a plain file or a member) to the callback, or walk it
 * as an archive when its name or magic says so.  depth is the number of
 * archives around it. */
static void walk_stream(struct walker *w, struct level *lv, struct member *m,
			struct hstream *s, const char *path, const char *name, int depth,
			long long size)
{
	const unsigned char *p = NULL;
	ssize_t n = hstream_peek(s, MAGIC_LEN, &p);
	enum magic mg = n > 0 ? sniff_magic(p, (size_t)n) : MAGIC_NONE;
	struct walk_item it;

	if (n < 0) {
		if (!m || !m->err)
			report(w, path, "cannot read: %s", s->errmsg[0] ? s->errmsg : "read error");
		return;
	}
	if (mg != MAGIC_NONE || (lv && ext_len(name, archive_exts))) {
		if (depth + 1 > w->caps->depth) {
			report(w, path, "archive nested deeper than %d levels skipped", w->caps->depth);
			return;
		}
		walk_nested(w, m, s, mg, path, name, depth + 1);
		return;
	}
	if (n > 0 && mail_looks_like(p, (size_t)n)) {
		walk_mail(w, lv, m, s, path, name, depth, size);
		return;
	}
	if (m)
		m->leaf = 1;
	it.path = path;
	it.ticket = w->ticket;
	it.name = name;
	it.fs_path = w->fs_path;
	it.depth = depth;
	it.size = size;
	if (w->o->fn(w->o->ctx, &it, s) < 0)
		w->stop = 1;
}

/* Walk one file on disk: a capture or an archive. */
static void walk_file(struct walker *w, const char *fs, const char *disp, const struct stat *st)
{
	unsigned char magic[MAGIC_LEN];
	ssize_t n = 0;
	int fd = open(fs, O_RDONLY | O_CLOEXEC);
	enum magic mg;
	char *name = base_name_dup(disp);
	struct hstream s;

	if (fd < 0) {
		report(w, disp, "cannot open: %s", strerror(errno));
		goto out;
	}
	while ((size_t)n < sizeof magic) {
		ssize_t r = read(fd, magic + n, sizeof magic - (size_t)n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			report(w, disp, "cannot read: %s", strerror(errno));
			close(fd);
			goto out;
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	w->fs_path = fs;
	mg = sniff_magic(magic, (size_t)n);
	if (mg != MAGIC_NONE || ext_len(name, archive_exts)) {
		struct level *lv = xcalloc(1, sizeof *lv);

		w->root_size = (unsigned long long)st->st_size;
		w->leaf_bytes = 0;
		w->root_abort = 0;
		w->root_start = time(NULL);
		lv->w = w;
		lv->path = disp;
		lv->depth = 1;
		lv->file_size = (unsigned long long)st->st_size;
		lv->a = reader_new(mg);
		if (archive_read_open_filename(lv->a, fs, ARCHIVE_BLOCK) != ARCHIVE_OK)
			report(w, disp, "cannot read archive: %s",
			       archive_error_string(lv->a) ? archive_error_string(lv->a) : "unknown format");
		else
			walk_members(lv, name);
		archive_read_free(lv->a);
		free(lv);
		w->root_size = 0;
		w->root_start = 0;
		goto out;
	}
	if (hstream_open_file(&s, fs) < 0) {
		report(w, disp, "cannot open: %s", s.errmsg);
		goto out;
	}
	walk_stream(w, NULL, NULL, &s, disp, name, 0, (long long)st->st_size);
	hstream_close(&s);
out:
	free(name);
}

struct dir_chain {
	dev_t dev;
	ino_t ino;
	const struct dir_chain *up;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in dir, hidden ones left out, sorted; NULL with errno on failure. */
static char **list_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, alloc = 0;

	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "__MACOSX") == 0)
			continue;
		v = xgrow(v, &alloc, n + 1, sizeof *v);
		v[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof *v, cmp_str);
	*count = n;
	if (!v)
		v = xcalloc(1, sizeof *v);
	return v;
}

/* Read a stream that is not a regular file (standard input, a pipe, a
 * FIFO, /dev/stdin, <(...)): it is read once, front to back; archives in
 * it are read through libarchive as nested archives are, under the same
 * caps.  The item has no fs_path (nothing on disk to read again). */
static ssize_t stream_fd_read(void *ctx, void *buf, size_t n)
{
	int fd = *(int *)ctx;
	ssize_t r;

	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r;
}

static void walk_pipe(struct walker *w, int fd, const char *disp)
{
	struct hstream s;
	char *name = base_name_dup(disp);

	hstream_open_fn(&s, stream_fd_read, &fd);
	w->fs_path = NULL;
	walk_stream(w, NULL, NULL, &s, disp, name, 0, -1);
	if (s.error && !s.errmsg[0])
		report(w, disp, "cannot read: %s", strerror(errno));
	hstream_close(&s);
	free(name);
}

/* Walk a path on disk: folder (recursively) or file. */
static void walk_fs(struct walker *w, const char *fs, const char *disp, int depth,
		    const struct dir_chain *up)
{
	struct stat st;
	char **names = NULL;
	size_t n = 0;
	struct dir_chain here;

	if (w->stop)
		return;
	if (stat(fs, &st) < 0) {
		report(w, disp, "cannot open: %s", strerror(errno));
		return;
	}
	if (S_ISREG(st.st_mode)) {
		walk_file(w, fs, disp, &st);
		return;
	}
	if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode)) {
		int fd = open(fs, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			report(w, disp, "cannot open: %s", strerror(errno));
			return;
		}
		walk_pipe(w, fd, disp);
		close(fd);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		report(w, disp, "not a regular file or folder, skipped");
		return;
	}
	for (const struct dir_chain *c = up; c; c = c->up)
		if (c->dev == st.st_dev && c->ino == st.st_ino) {
			report(w, disp, "symlink loop skipped");
			return;
		}
	if (depth >= WALK_DIR_DEPTH_CAP) {
		report(w, disp, "folders nested deeper than %d levels skipped", WALK_DIR_DEPTH_CAP);
		return;
	}
	names = list_dir(fs, &n);
	if (!names) {
		report(w, disp, "cannot read folder: %s", strerror(errno));
		return;
	}
	here.dev = st.st_dev;
	here.ino = st.st_ino;
	here.up = up;
	for (size_t i = 0; i < n; i++) {
		char *cfs = xasprintf("%s/%s", fs, names[i]);
		char *cdisp = xasprintf("%s/%s", disp, names[i]);
		walk_fs(w, cfs, cdisp, depth + 1, &here);
		free(cfs);
		free(cdisp);
		free(names[i]);
	}
	free(names);
}

/* Path as given without trailing slashes (but "/" stays). */
static char *strip_slashes(const char *p)
{
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		n--;
	return xstrndup(p, n);
}

int walk_paths(const char *const *paths, size_t npaths, const struct walk_opts *o)
{
	struct walker w;

	memset(&w, 0, sizeof w);
	w.o = o;
	w.caps = &o->caps;
	for (size_t i = 0; i < npaths && !w.stop; i++) {
		int is_stdin = strcmp(paths[i], "-") == 0;
		const char *label = !is_stdin ? paths[i] : o->stdin_name ? o->stdin_name : "stdin";
		char *ticket = walk_ticket_name(label);
		char *disp;
		if (!shard_holds(o->shard, ticket)) {
			if (o->other_shards)
				(*o->other_shards)++;
			free(ticket);
			continue;
		}
		disp = strip_slashes(label);
		w.ticket = ticket;
		if (is_stdin)
			walk_pipe(&w, STDIN_FILENO, disp);
		else
			walk_fs(&w, paths[i], disp, 0, NULL);
		free(ticket);
		free(disp);
	}
	return w.stop ? -1 : w.errors;
}

/* Archives that hold several files (a ticket's attachments), unlike a
 * single compressed capture such as a.har.gz or a.zhar. */
static const char *const ticket_archive_exts[] = {
	".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tgz", ".tbz", ".tbz2", ".txz",
	".zip", ".tar", ".7z", NULL
};

/* The ticket name of a folder that is one ticket: its name, or for "."
 * and ".." the name of the folder they stand for. */
static char *folder_ticket_name(const char *dir)
{
	char *name = walk_ticket_name(dir);
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || !name[0]) {
		char *real = realpath(dir, NULL);
		if (real) {
			free(name);
			name = walk_ticket_name(real);
			free(real);
		}
	}
	return name;
}

int walk_is_batch(const char *dir)
{
	size_t n = 0;
	char **names = list_dir(dir, &n);
	int batch = 0;

	for (size_t i = 0; names && i < n; i++) {
		char *fs = xasprintf("%s/%s", dir, names[i]);
		struct stat st;
		if (!batch && (ext_len(names[i], ticket_archive_exts) ||
			       (stat(fs, &st) == 0 && S_ISDIR(st.st_mode))))
			batch = 1;
		free(fs);
		free(names[i]);
	}
	free(names);
	return batch;
}

int walk_tickets(const char *dir, const struct walk_opts *o)
{
	struct walker w;
	char **names = NULL;
	size_t n = 0;
	struct stat st;
	struct dir_chain top;
	const struct dir_chain *up = NULL;

	memset(&w, 0, sizeof w);
	w.o = o;
	w.caps = &o->caps;
	names = list_dir(dir, &n);
	if (!names) {
		char *disp = strip_slashes(dir);
		w.ticket = disp;
		report(&w, disp, "cannot read folder: %s", strerror(errno));
		free(disp);
		return w.errors;
	}
	if (stat(dir, &st) == 0) {
		top.dev = st.st_dev;
		top.ino = st.st_ino;
		top.up = NULL;
		up = &top;
	}
	for (size_t i = 0; i < n; i++) {
		char *ticket = o->one_ticket ? folder_ticket_name(dir) : walk_ticket_name(names[i]);
		char *fs = xasprintf("%s/%s", dir, names[i]);
		int mine = shard_holds(o->shard, ticket);
		w.ticket = ticket;
		if (!mine && o->other_shards && (!o->one_ticket || i == 0))
			(*o->other_shards)++;
		if (!w.stop && mine)
			walk_fs(&w, fs, names[i], 0, up);
		free(ticket);
		free(fs);
		free(names[i]);
	}
	free(names);
	return w.stop ? -1 : w.errors;
}
