/* fuzz-postman.c - Postman collections (v1, v2.0, v2.1, data dumps) on any JSON. */
#include <config.h>
#include <string.h>
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_sink fs;
	struct import_opts opts;
	struct import_result res;
	json_t *root;

	memset(&opts, 0, sizeof(opts));
	opts.slurp_cap = SLURP_CAP;
	root = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (root) {
		/* As classified, and forced to this format (as --format-hint does). */
		enum capture_format c = classify_json(root);
		if (c == FMT_POSTMAN || c == FMT_POSTMAN_ENV || c == FMT_NEWMAN || c == FMT_INSOMNIA) {
			memset(&res, 0, sizeof(res));
			fz_sink_init(&fs);
			import_postman_json(root, c, &opts, &fs.sink, &res);
			fz_check_result(&res);
		}
		memset(&res, 0, sizeof(res));
		fz_sink_init(&fs);
		import_postman_json(root, FMT_POSTMAN, &opts, &fs.sink, &res);
		fz_check_result(&res);
		json_decref(root);
	}
	return 0;
}
