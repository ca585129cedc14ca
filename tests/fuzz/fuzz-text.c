/* fuzz-text.c - the pasted-text importer (HTTP in prose, PowerShell, newman CLI output). */
#include <config.h>
#include "fuzz.h"

static int run(struct hstream *s, const struct import_opts *o, struct import_sink *k,
	       struct import_result *r, int arg)
{
	(void)arg;
	return import_text(s, o, k, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run_stream(data, size, run, 0);
	return 0;
}
