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

#include <sys/stat.h>

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

/* Makes dir/repo an unpacked installation repo the config loader accepts:
 * boot/xen.gz, boot/vmlinuz, install.img and a .treeinfo of XCP-ng 8.2.1
 * (platform 3.2.1), with [build] number release/yangtze/58 when
 * with_build. Returns 0, or -1 when a file cannot be written. */
static inline int
unit_repo(const char *dir, int with_build)
{
	static const char *const files[][2] = {
		{ "repo/boot/xen.gz", "xen" },
		{ "repo/boot/vmlinuz", "vmlinuz" },
		{ "repo/install.img", "img" },
	};
	char *p;
	size_t i;
	int ret = 0;

	if (asprintf(&p, "mkdir -p '%s/repo/boot'", dir) < 0)
		return -1;
	if (system(p) != 0)
		ret = -1;
	free(p);
	for (i = 0; ret == 0 && i < sizeof(files) / sizeof(files[0]); i++) {
		if ((p = unit_write(dir, files[i][0], files[i][1])) == NULL)
			ret = -1;
		free(p);
	}
	if (ret == 0 && (p = unit_write(dir, "repo/.treeinfo",
	    with_build ? "[platform]\nname = XCP\nversion = 3.2.1\n"
	    "[branding]\nname = XCP-ng\nversion = 8.2.1\n"
	    "[build]\nnumber = release/yangtze/58\n" :
	    "[platform]\nname = XCP\nversion = 3.2.1\n"
	    "[branding]\nname = XCP-ng\nversion = 8.2.1\n")) == NULL)
		ret = -1;
	if (ret == 0)
		free(p);
	return ret;
}

/* Writes a secret file dir/name (mode 0600, as config_secret wants). */
static inline int
unit_secret(const char *dir, const char *name, const char *s)
{
	char *p;
	int ret;

	if ((p = unit_write(dir, name, s)) == NULL)
		return -1;
	ret = chmod(p, 0600);
	free(p);
	return ret;
}

/* Removes the scratch folder dir (kept when POOLBOOT_KEEP is set, to
 * look at after a failure). */
static inline void
unit_rmtree(const char *dir)
{
	char *cmd;

	if (dir == NULL || getenv("POOLBOOT_KEEP") != NULL ||
	    asprintf(&cmd, "rm -rf '%s'", dir) < 0)
		return;
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	free(cmd);
}

/* A scratch folder for a configuration's files: a repo with its boot
 * files (unit_repo), pool.pw and an empty tpl/. NULL on failure. */
static inline char *
unit_confdir(void)
{
	char *dir = unit_tmpdir(), *p = NULL;

	if (dir == NULL || unit_repo(dir, 1) != 0 ||
	    unit_secret(dir, "pool.pw", "secret\n") != 0 ||
	    asprintf(&p, "%s/tpl", dir) < 0 || mkdir(p, 0755) != 0) {
		free(p);
		unit_rmtree(dir);
		free(dir);
		return NULL;
	}
	free(p);
	return dir;
}

/* The project's templates/ into out (n bytes): $POOLBOOT_TEMPLATE_DIR when
 * set, else the folder two levels above this header (tests/unit/), made
 * absolute when it exists. */
static inline void
unit_templates(char *out, size_t n)
{
	const char *env = getenv("POOLBOOT_TEMPLATE_DIR");
	const char *f = __FILE__, *cut = strstr(f, "tests/unit/");
	char rel[4096], *abs;

	if (env != NULL) {
		snprintf(out, n, "%s", env);
		return;
	}
	snprintf(rel, sizeof(rel), "%.*stemplates",
	    cut != NULL ? (int)(cut - f) : 0, f);
	abs = realpath(rel, NULL);
	snprintf(out, n, "%s", abs != NULL ? abs : rel);
	free(abs);
}

#endif
