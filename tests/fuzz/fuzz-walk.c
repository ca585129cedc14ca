/* fuzz-walk.c - the archive walker (zip, tar, gzip, bzip2, xz, nested
 * archives, mail attachments) on any file, each capture imported.
 * The first byte picks the file's name, so both name and magic paths are
 * taken; caps are lowered so a bomb costs little. */
#include <config.h>
#include <string.h>
#include "fuzz.h"
#include "walk.h"

static const char *const names[] = {
	"t.zip", "t.tar", "t.tar.gz", "t.har.gz", "t.eml", "t.bin", "t.xz", "t.har",
};

static int on_item(void *ctx, const struct walk_item *it, struct hstream *s)
{
	struct fz_sink fs;
	struct import_opts opts;
	struct import_result res;
	long *items = ctx;

	if (!it->path || !it->name || !it->ticket)
		fz_fail("walk item without path, name or ticket");
	if (it->depth < 0 || it->depth > WALK_DEPTH_CAP + 1)
		fz_fail("walk item at depth %d", it->depth);
	memset(&opts, 0, sizeof(opts));
	opts.slurp_cap = (size_t)8 << 20;
	fz_sink_init(&fs);
	import_stream(s, it->path, &opts, &fs.sink, &res);
	hstream_drain(s);
	fz_check_result(&res);
	(*items)++;
	return 0;
}

static void on_err(void *ctx, const char *path, const char *ticket, const char *msg)
{
	(void)ctx;
	(void)ticket;
	if (!path || !msg || !*msg)
		fz_fail("walk error without path or message");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct walk_opts o;
	const char *path;
	long items = 0;
	const char *name = names[size ? data[0] % (sizeof(names) / sizeof(names[0])) : 0];

	path = fz_write_file(name, data, size);
	memset(&o, 0, sizeof(o));
	walk_caps_default(&o.caps);
	o.caps.archive_bytes = 64ULL << 20;
	o.caps.member_bytes = 16ULL << 20;
	o.caps.entries = 2000;
	o.fn = on_item;
	o.err = on_err;
	o.ctx = &items;
	walk_paths(&path, 1, &o);
	return 0;
}
