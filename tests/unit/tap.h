/* tap.h - a minimal TAP producer for the C unit tests.
 *
 *   plan_lazy();  ok(cond, "name %d", i);  is_str(got, want, "name");
 *   return done_testing();
 */
#ifndef HARTRIAGE_TAP_H
#define HARTRIAGE_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static void __attribute__((format(printf, 2, 3))) ok(int cond, const char *fmt, ...)
{
	va_list ap;
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void __attribute__((unused)) is_str(const char *got, const char *want, const char *name)
{
	int same = (got == NULL && want == NULL) ||
		   (got != NULL && want != NULL && strcmp(got, want) == 0);
	ok(same, "%s", name);
	if (!same)
		printf("#   got: '%s'\n#  want: '%s'\n", got ? got : "(null)", want ? want : "(null)");
}

static void __attribute__((unused)) is_long(long got, long want, const char *name)
{
	ok(got == want, "%s", name);
	if (got != want)
		printf("#   got: %ld\n#  want: %ld\n", got, want);
}

static void __attribute__((unused)) diag(const char *fmt, ...)
{
	va_list ap;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int __attribute__((unused)) done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
