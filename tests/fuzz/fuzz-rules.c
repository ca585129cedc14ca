/* fuzz-rules.c - the rule loader (strict YAML, matchers, regexes,
 * condition, advice) on any file, then every rule it accepts run over two
 * fixed exchanges and its advice rendered. */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > RULE_FILE_CAP + 16)
		return 0;
	fz_rules_run(data, size);
	return 0;
}
