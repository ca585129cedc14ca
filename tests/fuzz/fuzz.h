/* fuzz.h - what the libFuzzer targets of tests/fuzz share.
 *
 * Each fuzz-<target>.c defines LLVMFuzzerTestOneInput (and may define
 * LLVMFuzzerInitialize).  The same file links two ways: with libFuzzer
 * (./configure --enable-fuzzing: fuzz-<target>) and with replay.c, a plain
 * main() that feeds it every file named on the command line
 * (replay-<target>, built by make check with any compiler).
 *
 * A harness reports a broken property with fz_fail(), which aborts, so
 * both libFuzzer and the replayer see a crash.
 */
#ifndef HARTRIAGE_FUZZ_H
#define HARTRIAGE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include "exchange.h"
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Print "property broken: ..." and abort. */
void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* A sink that checks every exchange it is given (strings readable and
 * NUL-terminated, caps held: body bytes, header count, transcript lines)
 * and counts exchanges and notes. */
struct fz_sink {
	struct import_sink sink;
	long exchanges;
	long notes;
};
void fz_sink_init(struct fz_sink *fs);
/* The checks of fz_sink on one exchange. */
void fz_check_exchange(const struct exchange *ex);
/* Check a result the importer filled (status in range, message a string). */
void fz_check_result(const struct import_result *res);

/* A NUL-terminated malloc'd copy of data. */
char *fz_strdup(const uint8_t *data, size_t size);
/* Write data to a file named name in this process's scratch folder
 * (made once, removed at exit); returns the path (static storage). */
const char *fz_write_file(const char *name, const uint8_t *data, size_t size);

/* Run an importer over data as a memory stream with a checking sink and
 * check its result; arg is passed through (curl: the format). */
typedef int (*fz_importer)(struct hstream *s, const struct import_opts *opts,
			   struct import_sink *sink, struct import_result *res, int arg);
void fz_run_stream(const uint8_t *data, size_t size, fz_importer fn, int arg);
/* Parse data as JSON and import it as classified and as the format as
 * (Postman module); when it is no JSON and yaml is set, as Insomnia YAML. */
void fz_run_json(const uint8_t *data, size_t size, enum capture_format as, int yaml);

/* Load data as a rule file, render each rule's advice and run the rules
 * over fixed exchanges (fuzz-rules-run.c). */
void fz_rules_run(const uint8_t *data, size_t size);

#endif
