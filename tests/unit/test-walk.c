/* test-walk.c - folders, archives, nested archives, unsafe names, broken
 * archives and a zip bomb, built in a temporary folder with libarchive. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "util.h"
#include "walk.h"
#include "tap.h"

#define BOMB_BYTES (200ULL << 20)

struct seen {
	char *path, *ticket, *name;
	int depth;
	long long size;
	unsigned long long bytes; /* bytes the callback could read */
	int read_error;
	char head[40];
};

struct log {
	struct seen items[64];
	size_t n;
	char *errs[64];
	size_t nerr;
};

static int on_item(void *ctx, const struct walk_item *it, struct hstream *s)
{
	struct log *l = ctx;
	struct seen *x = &l->items[l->n++];
	char buf[65536];
	ssize_t r;

	x->path = xstrdup(it->path);
	x->ticket = xstrdup(it->ticket);
	x->name = xstrdup(it->name);
	x->depth = it->depth;
	x->size = it->size;
	while ((r = hstream_read(s, buf, sizeof buf)) > 0) {
		if (x->bytes < sizeof x->head - 1)
			memcpy(x->head + x->bytes, buf,
			       (size_t)r < sizeof x->head - 1 - x->bytes ? (size_t)r
									: sizeof x->head - 1 - x->bytes);
		x->bytes += (unsigned long long)r;
	}
	x->read_error = r < 0;
	return 0;
}

/* Stops the walk at the second item. */
static int stop_second(void *ctx, const struct walk_item *it, struct hstream *s)
{
	int *count = ctx;
	return ++*count >= 2 ? -1 : 0;
}

static void on_err(void *ctx, const char *path, const char *ticket, const char *msg)
{
	struct log *l = ctx;
	l->errs[l->nerr++] = xasprintf("%s [%s]: %s", path, ticket, msg);
}

static void log_release(struct log *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].path);
		free(l->items[i].ticket);
		free(l->items[i].name);
	}
	for (size_t i = 0; i < l->nerr; i++)
		free(l->errs[i]);
	memset(l, 0, sizeof *l);
}

static const struct seen *find(const struct log *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].path, path) == 0)
			return &l->items[i];
	return NULL;
}

/* The first error whose text holds all of a and b. */
static const char *find_err(const struct log *l, const char *a, const char *b)
{
	for (size_t i = 0; i < l->nerr; i++)
		if (strstr(l->errs[i], a) && (!b || strstr(l->errs[i], b)))
			return l->errs[i];
	return NULL;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	fputs(text, f);
	fclose(f);
}

static char *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct sbuf b = SBUF_INIT;
	char buf[4096];
	size_t r;

	while ((r = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_add(&b, buf, r);
	fclose(f);
	return sbuf_detach(&b, len);
}

/* Add one member (data in memory). */
static void add_member(struct archive *a, const char *name, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, 1700000000, 0);
	archive_write_header(a, e);
	archive_write_data(a, data, len);
	archive_entry_free(e);
}

enum kind { ZIP, TARGZ, RAWGZ, ZIPCRYPT };

static struct archive *open_writer(const char *path, enum kind k)
{
	struct archive *a = archive_write_new();

	if (k == ZIP || k == ZIPCRYPT) {
		archive_write_set_format_zip(a);
		archive_write_set_options(a, "zip:compression=deflate");
		if (k == ZIPCRYPT &&
		    (archive_write_set_options(a, "zip:encryption=zipcrypt") != ARCHIVE_OK ||
		     archive_write_set_passphrase(a, "pw") != ARCHIVE_OK))
			diag("cannot encrypt: %s", archive_error_string(a));
	} else if (k == TARGZ) {
		archive_write_set_format_pax_restricted(a);
		archive_write_add_filter_gzip(a);
	} else {
		archive_write_set_format_raw(a);
		archive_write_add_filter_gzip(a);
	}
	if (archive_write_open_filename(a, path) != ARCHIVE_OK)
		diag("cannot write %s: %s", path, archive_error_string(a));
	return a;
}

static const char *HAR_A = "{\"log\":{\"version\":\"1.2\",\"entries\":[]}}\n";
static const char *HAR_X = "{\"log\":{\"entries\":[{\"x\":1}]}}\n";
static const char *CURL_B = "HTTP/1.1 403 Forbidden\r\n\r\n";

static void build(const char *top)
{
	char *p, *inner;
	struct archive *a;
	size_t ilen;
	char *idata;

	p = xasprintf("%s/T1", top);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/T1/sub", top);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/T1/a.har", top);
	write_file(p, HAR_A);
	free(p);
	p = xasprintf("%s/T1/.hidden.har", top);
	write_file(p, HAR_A);
	free(p);
	p = xasprintf("%s/T1/sub/b.txt", top);
	write_file(p, CURL_B);
	free(p);
	p = xasprintf("%s/T1/self", top);
	if (symlink(".", p) < 0)
		diag("symlink: %s", strerror(errno));
	free(p);

	/* inner.tar.gz, then T2.zip holding it */
	inner = xasprintf("%s/inner.tmp", top);
	a = open_writer(inner, TARGZ);
	add_member(a, "x.har", HAR_X, strlen(HAR_X));
	archive_write_free(a);
	idata = read_whole(inner, &ilen);
	unlink(inner);
	free(inner);

	p = xasprintf("%s/T2.zip", top);
	a = open_writer(p, ZIP);
	add_member(a, "logs/a.har", HAR_A, strlen(HAR_A));
	add_member(a, "../../etc/passwd", "root:x:0:0\n", 11);
	add_member(a, "/abs.har", HAR_A, strlen(HAR_A));
	add_member(a, "__MACOSX/logs/._a.har", "junk", 4);
	add_member(a, "inner.tar.gz", idata, ilen);
	add_member(a, "logs/last.txt", CURL_B, strlen(CURL_B));
	archive_write_free(a);
	free(p);
	free(idata);

	p = xasprintf("%s/T3.tar.gz", top);
	a = open_writer(p, TARGZ);
	add_member(a, "./c.har", HAR_A, strlen(HAR_A));
	add_member(a, "d.txt", CURL_B, strlen(CURL_B));
	archive_write_free(a);
	free(p);

	p = xasprintf("%s/T4.har.gz", top);
	a = open_writer(p, RAWGZ);
	add_member(a, "data", HAR_X, strlen(HAR_X));
	archive_write_free(a);
	free(p);

	p = xasprintf("%s/T5.zip", top);
	write_file(p, "this is not a zip file at all, just text\n");
	free(p);

	/* T7.zip: an encrypted member, then a plain one */
	p = xasprintf("%s/T7.zip", top);
	a = open_writer(p, ZIPCRYPT);
	add_member(a, "locked.har", HAR_A, strlen(HAR_A));
	archive_write_free(a);
	free(p);

	/* T8.tar.gz: cut in the middle of its second member */
	{
		char *noise = xmalloc(100000);
		unsigned x = 12345;
		size_t len;
		char *full;
		FILE *f;
		for (size_t i = 0; i < 100000; i++) {
			x = x * 1103515245u + 12345u;
			noise[i] = (char)('a' + (x >> 16) % 26);
		}
		p = xasprintf("%s/full.tmp", top);
		a = open_writer(p, TARGZ);
		add_member(a, "one.har", noise, 100000);
		add_member(a, "two.har", noise, 100000);
		add_member(a, "three.har", noise, 100000);
		archive_write_free(a);
		full = read_whole(p, &len);
		unlink(p);
		free(p);
		p = xasprintf("%s/T8.tar.gz", top);
		f = fopen(p, "wb");
		fwrite(full, 1, len / 2, f);
		fclose(f);
		free(p);
		free(full);
		free(noise);
	}

	/* T6: a zip bomb next to a good capture, written streaming */
	p = xasprintf("%s/T6", top);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/T6/ok.har", top);
	write_file(p, HAR_A);
	free(p);
	p = xasprintf("%s/T6/bomb.zip", top);
	a = open_writer(p, ZIP);
	{
		struct archive_entry *e = archive_entry_new();
		char *zeros = xcalloc(1, 1 << 20);
		archive_entry_set_pathname(e, "zeros.har");
		archive_entry_set_size(e, (la_int64_t)BOMB_BYTES);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_write_header(a, e);
		for (unsigned long long done = 0; done < BOMB_BYTES; done += 1 << 20)
			archive_write_data(a, zeros, 1 << 20);
		archive_entry_free(e);
		free(zeros);
	}
	add_member(a, "after.har", HAR_A, strlen(HAR_A));
	archive_write_free(a);
	free(p);
}

static void check_item(const struct log *l, const char *path, const char *ticket,
		       const char *name, int depth, const char *content)
{
	const struct seen *x = find(l, path);

	ok(x != NULL, "item %s", path);
	if (!x)
		return;
	is_str(x->ticket, ticket, "  ticket");
	is_str(x->name, name, "  name");
	is_long(x->depth, depth, "  depth");
	is_long((long)x->bytes, (long)strlen(content), "  bytes read");
	ok(strncmp(x->head, content, strlen(content) < 39 ? strlen(content) : 39) == 0, "  content");
	ok(!x->read_error, "  no read error");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/test-walk.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *top, *cmd;
	struct walk_opts o;
	struct log l;
	const struct seen *x;
	int rc;

	top = mkdtemp(tmpl);
	if (!top) {
		printf("1..0 # SKIP cannot create a temporary folder\n");
		free(tmpl);
		return 0;
	}
	build(top);
	memset(&l, 0, sizeof l);
	walk_caps_default(&o.caps);
	o.fn = on_item;
	o.err = on_err;
	o.ctx = &l;

	rc = walk_tickets(top, &o);
	for (size_t i = 0; i < l.n; i++)
		diag("item %s [%s] %s depth %d size %lld bytes %llu", l.items[i].path,
		     l.items[i].ticket, l.items[i].name, l.items[i].depth, l.items[i].size,
		     l.items[i].bytes);
	for (size_t i = 0; i < l.nerr; i++)
		diag("error %s", l.errs[i]);

	check_item(&l, "T1/a.har", "T1", "a.har", 0, HAR_A);
	check_item(&l, "T1/sub/b.txt", "T1", "b.txt", 0, CURL_B);
	ok(find(&l, "T1/.hidden.har") == NULL, "hidden file skipped");
	ok(find_err(&l, "T1/self [T1]", "symlink loop") != NULL, "symlink loop reported");
	check_item(&l, "T2.zip!logs/a.har", "T2", "a.har", 1, HAR_A);
	check_item(&l, "T2.zip!inner.tar.gz!x.har", "T2", "x.har", 2, HAR_X);
	check_item(&l, "T2.zip!logs/last.txt", "T2", "last.txt", 1, CURL_B);
	ok(find_err(&l, "T2.zip!../../etc/passwd [T2]", "unsafe member name") != NULL,
	   "path traversal reported");
	ok(find_err(&l, "T2.zip!/abs.har [T2]", "unsafe member name") != NULL,
	   "absolute member name reported");
	ok(find(&l, "T2.zip!../../etc/passwd") == NULL && find(&l, "T2.zip!/abs.har") == NULL,
	   "unsafe members not handed over");
	ok(find(&l, "T2.zip!__MACOSX/logs/._a.har") == NULL, "__MACOSX skipped");
	check_item(&l, "T3.tar.gz!c.har", "T3", "c.har", 1, HAR_A);
	check_item(&l, "T3.tar.gz!d.txt", "T3", "d.txt", 1, CURL_B);
	check_item(&l, "T4.har.gz", "T4.har", "T4.har", 1, HAR_X);
	ok(find_err(&l, "T5.zip [T5]", "cannot read archive") != NULL, "broken archive reported");
	check_item(&l, "T6/ok.har", "T6", "ok.har", 0, HAR_A);
	ok(find_err(&l, "T6/bomb.zip!zeros.har [T6]", "zip bomb") != NULL, "zip bomb reported");
	x = find(&l, "T6/bomb.zip!zeros.har");
	ok(x && x->read_error, "bomb: the read failed");
	ok(x && x->bytes < BOMB_BYTES / 2, "bomb: stopped early (%llu of %llu bytes)",
	   x ? x->bytes : 0, BOMB_BYTES);
	ok(x && x->size == (long long)BOMB_BYTES, "bomb: size from the archive header");
	ok(find(&l, "T6/bomb.zip!after.har") == NULL, "bomb: rest of that archive skipped");
	ok(find_err(&l, "T7.zip!locked.har [T7]", "encrypted member skipped") != NULL,
	   "encrypted member reported");
	ok(find(&l, "T7.zip!locked.har") == NULL, "encrypted member not handed over");
	x = find(&l, "T8.tar.gz!one.har");
	ok(x && x->bytes == 100000 && !x->read_error, "truncated archive: first member complete");
	x = find(&l, "T8.tar.gz!two.har");
	ok(x && x->read_error && x->bytes < 100000, "truncated archive: second member fails");
	ok(find_err(&l, "T8.tar.gz!two.har [T8]", "damaged member") != NULL,
	   "truncated archive: damaged member reported once");
	ok(find_err(&l, "T8.tar.gz [T8]", NULL) == NULL, "truncated archive: no second report");
	is_long(l.n, 12, "items handed over");
	is_long(rc, (long)l.nerr, "walk_tickets returns the number of errors");
	is_long(rc, 7, "errors reported");
	log_release(&l);

	/* Caps: total bytes, member size, nesting depth, entries. */
	o.caps.ratio = 0;
	o.caps.archive_bytes = 16ULL << 20;
	{
		char *bomb = xasprintf("%s/T6/bomb.zip", top);
		const char *paths[] = { bomb };
		rc = walk_paths(paths, 1, &o);
		x = l.n ? &l.items[0] : NULL;
		ok(x && x->bytes <= (16ULL << 20) + 65536, "byte cap: stopped at %llu bytes",
		   x ? x->bytes : 0);
		ok(find_err(&l, "bomb.zip!zeros.har [bomb]", "expands beyond 16777216 bytes") != NULL,
		   "byte cap reported");
		is_long(rc, 1, "one error");
		log_release(&l);
		free(bomb);
	}
	walk_caps_default(&o.caps);
	o.caps.member_bytes = 30;
	{
		char *t2 = xasprintf("%s/T2.zip", top);
		const char *paths[] = { t2 };
		char *want;
		walk_paths(paths, 1, &o);
		want = xasprintf("%s!logs/a.har [T2]", t2);
		ok(find_err(&l, want, "member larger than 30 bytes") != NULL, "member cap reported");
		free(want);
		want = xasprintf("%s!logs/last.txt", t2);
		x = find(&l, want);
		ok(x && x->bytes == strlen(CURL_B), "next member read after a member over its cap");
		free(want);
		log_release(&l);
		free(t2);
	}
	walk_caps_default(&o.caps);
	o.caps.depth = 1;
	{
		char *t2 = xasprintf("%s/T2.zip", top);
		char *t1 = xasprintf("%s/T1/", top);
		const char *paths[] = { t2, t1 };
		char *want;
		rc = walk_paths(paths, 2, &o);
		is_long(rc, 4, "two unsafe names, nesting, symlink loop");
		want = xasprintf("%s!inner.tar.gz [T2]", t2);
		ok(find_err(&l, want, "nested deeper than 1") != NULL, "nesting cap reported");
		free(want);
		want = xasprintf("%s/T1/a.har", top);
		x = find(&l, want);
		ok(x && strcmp(x->ticket, "T1") == 0, "walk_paths: trailing slash dropped, ticket T1");
		free(want);
		log_release(&l);
		free(t1);
		free(t2);
	}
	walk_caps_default(&o.caps);
	o.caps.entries = 2;
	{
		char *t2 = xasprintf("%s/T2.zip", top);
		const char *paths[] = { t2 };
		rc = walk_paths(paths, 1, &o);
		ok(find_err(&l, "T2.zip [T2]", "more than 2 entries") != NULL, "entry cap reported");
		is_long(l.n, 1, "only the first member handed over");
		log_release(&l);
		free(t2);
	}
	{
		char *n1 = walk_ticket_name("/x/ticket-42.tar.gz");
		char *n2 = walk_ticket_name("dir/ticket-43/");
		char *n3 = walk_ticket_name("a.ZIP");
		is_str(n1, "ticket-42", "ticket name without .tar.gz");
		is_str(n2, "ticket-43", "ticket name of a folder");
		is_str(n3, "a", "ticket name without .ZIP");
		free(n1);
		free(n2);
		free(n3);
	}
	{
		const char *paths[] = { "/nonexistent/hartriage-test" };
		rc = walk_paths(paths, 1, &o);
		ok(rc == 1 && find_err(&l, "/nonexistent/hartriage-test", "cannot open") != NULL,
		   "missing path reported");
		log_release(&l);
	}

	{
		struct walk_opts so;
		int count = 0;
		walk_caps_default(&so.caps);
		so.fn = stop_second;
		so.err = NULL;
		so.ctx = &count;
		rc = walk_tickets(top, &so);
		ok(rc == -1 && count == 2, "a callback returning -1 stops the walk");
	}

	cmd = xasprintf("rm -rf '%s'", top);
	if (system(cmd) != 0)
		diag("cannot remove %s", top);
	free(cmd);
	free(tmpl);
	return done_testing();
}
