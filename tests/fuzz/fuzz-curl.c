/* fuzz-curl.c - the curl importer (-i, -v and --trace-ascii transcripts) on any bytes. */
#include <config.h>
#include "fuzz.h"

static int run(struct hstream *s, const struct import_opts *o, struct import_sink *k,
	       struct import_result *r, int arg)
{
	return import_curl(s, (enum capture_format)arg, o, k, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The first byte picks the transcript format the sniffer would. */
	static const enum capture_format fmts[] = {FMT_CURL_I, FMT_CURL_V, FMT_CURL_TRACE};
	fz_run_stream(data, size, run, (int)fmts[size ? data[0] % 3 : 0]);
	return 0;
}
