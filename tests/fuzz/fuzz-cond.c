/* fuzz-cond.c - the condition parser: the input is the condition of a
 * fixed, valid rule with matchers a, b, c and d (and, or, not,
 * parentheses, names known and unknown), loaded and run. */
#include <config.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"


static const char head[] =
	"id: fuzz.cond\n"
	"title: 'fuzz condition'\n"
	"severity: low\n"
	"status: experimental\n"
	"priority: 50\n"
	"advice: 'Check {{a}}.'\n"
	"match:\n"
	"  a: { field: status, in: [502, 503] }\n"
	"  b: { field: response.header.server, regex: '(?i)^nginx' }\n"
	"  c: { field: method, equals: GET }\n"
	"  d: { field: content_kind, equals: empty }\n"
	"condition: '";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i, n = 0;
	char *buf;

	if (size > 4096)
		return 0;
	/* One single-quoted YAML scalar: quotes doubled, line breaks as spaces. */
	buf = malloc(sizeof(head) + 2 * size + 8);
	if (!buf)
		abort();
	memcpy(buf, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	for (i = 0; i < size; i++) {
		char c = (char)data[i];
		if (c == '\'')
			buf[n++] = '\'';
		buf[n++] = (c == '\n' || c == '\r') ? ' ' : c;
	}
	buf[n++] = '\'';
	buf[n++] = '\n';
	fz_rules_run((const uint8_t *)buf, n);
	free(buf);
	return 0;
}
