/* fuzz-newman.c - newman JSON run reports on any JSON. */
#include <config.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run_json(data, size, FMT_NEWMAN, 0);
	return 0;
}
