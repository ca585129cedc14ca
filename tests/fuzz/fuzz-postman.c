/* fuzz-postman.c - Postman collections (v1, v2.0, v2.1, data dumps) on any JSON. */
#include <config.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run_json(data, size, FMT_POSTMAN, 0);
	return 0;
}
