/* fuzz-fragment.c - the fragment reader: error bodies, pages and log
 * records found in free text, unwrapped through nested encodings. */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "fragment.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_sink fs;
	struct import_result res;
	const char *text;
	char *copy = fz_strdup(data, size);
	long seq = 0, n;

	/* The reader is given NUL-terminated text by its callers. */
	text = copy;
	fz_sink_init(&fs);
	n = fragment_scan(text, size, (size && data[0] & 1) ? FRAG_IN_REST : FRAG_IN_TEXT,
			  &fs.sink, &seq, NULL);
	if (n < 0 || n != fs.exchanges || seq != n)
		fz_fail("fragment_scan returned %ld, emitted %ld, seq %ld", n, fs.exchanges, seq);
	if (n > FRAG_MAX_PER_SOURCE)
		fz_fail("%ld fragments, cap %d", n, FRAG_MAX_PER_SOURCE);
	(void)fragment_is_log(text, size);

	memset(&res, 0, sizeof(res));
	fz_sink_init(&fs);
	import_fragments(text, size, FMT_TEXT, &fs.sink, &res);
	fz_check_result(&res);
	free(copy);
	return 0;
}
