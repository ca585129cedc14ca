/* replay.c - run a fuzz target's entry point over files, without libFuzzer.
 *
 * replay-<target> FILE...: read each file whole and pass it to
 * LLVMFuzzerTestOneInput (after LLVMFuzzerInitialize when the target has
 * one), the way libFuzzer does.  A broken property aborts.  Built in every
 * configuration, so make check replays tests/fuzz/regress with gcc too.
 */
#include <config.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

int main(int argc, char **argv)
{
	int i;
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		unsigned char *buf = NULL;
		size_t len = 0, alloc = 0, got;
		if (!f) {
			perror(argv[i]);
			return 2;
		}
		do {
			if (alloc - len < 65536) {
				alloc = alloc ? alloc * 2 : 65536;
				buf = realloc(buf, alloc);
				if (!buf)
					abort();
			}
			got = fread(buf + len, 1, alloc - len, f);
			len += got;
		} while (got > 0);
		fclose(f);
		/* libFuzzer hands a buffer of exactly len bytes. */
		{
			unsigned char *exact = malloc(len ? len : 1);
			if (!exact)
				abort();
			if (len)
				memcpy(exact, buf, len);
			free(buf);
			LLVMFuzzerTestOneInput(exact, len);
			free(exact);
		}
	}
	return 0;
}
