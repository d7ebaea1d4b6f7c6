/* unit.h — shared by the cmocka unit tests: includes in cmocka's order and
 * a scratch-directory helper. Each test_*.c is one binary; the runner sets
 * CMOCKA_MESSAGE_OUTPUT=TAP and counts "ok"/"not ok" lines. */
#ifndef POOLBOOT_UNIT_H
#define POOLBOOT_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Makes a fresh directory under $TMPDIR (or /tmp); returns a static-ish
 * malloc'd path the test may leak. */
static inline char *
unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *p;

	if (base == NULL)
		base = "/tmp";
	if (asprintf(&p, "%s/pbunit.XXXXXX", base) < 0)
		return NULL;
	return mkdtemp(p);
}

/* Writes s to dir/name; returns the malloc'd path. */
static inline char *
unit_write(const char *dir, const char *name, const char *s)
{
	char *p;
	FILE *f;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	if ((f = fopen(p, "w")) == NULL)
		return NULL;
	fputs(s, f);
	fclose(f);
	return p;
}

#endif
