/* fuzz-insomnia.c - Insomnia exports, JSON (through the Postman module) and YAML. */
#include <config.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_run_json(data, size, FMT_INSOMNIA, 1);
	return 0;
}
