/* fuzz-sniff.c - the sniffer and the dispatch behind it (import_stream:
 * BOMs, UTF-16, JSON classification, text formats, fragments). */
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
	enum capture_format f;

	f = sniff_format(data, size);
	if ((int)f < 0 || f >= FMT_COUNT)
		fz_fail("sniff_format gave %d", (int)f);
	if (!capture_format_name(f))
		fz_fail("format %d has no name", (int)f);
	f = sniff_text(data, size);
	if ((int)f < 0 || f >= FMT_COUNT)
		fz_fail("sniff_text gave %d", (int)f);

	memset(&opts, 0, sizeof(opts));
	fz_sink_init(&fs);
	hstream_open_mem(&s, data, size);
	import_stream(&s, "fuzz", &opts, &fs.sink, &res);
	hstream_close(&s);
	fz_check_result(&res);
	if (res.status == IMPORT_NOT_CAPTURE && fs.exchanges && res.exchanges == 0)
		fz_fail("not-capture after %ld exchanges were emitted", fs.exchanges);
	return 0;
}
