/* fuzz-har.c - the streaming HAR importer (import_har) on any bytes. */
#include <config.h>
#include <string.h>
#include "fuzz.h"
#include "hstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_sink fs;
	struct import_opts opts;
	struct import_result res;
	struct hstream s;

	memset(&opts, 0, sizeof(opts));
	memset(&res, 0, sizeof(res));
	opts.slurp_cap = SLURP_CAP;
	fz_sink_init(&fs);
	hstream_open_mem(&s, data, size);
	import_har(&s, &opts, &fs.sink, &res);
	hstream_close(&s);
	fz_check_result(&res);
	if (res.status == IMPORT_ERROR && fs.exchanges && res.exchanges == 0)
		fz_fail("status error while %ld exchanges were emitted", fs.exchanges);
	return 0;
}
