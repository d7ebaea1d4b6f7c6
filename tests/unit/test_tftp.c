/* test_tftp.c — the TFTP tree as poolboot init-tftp leaves it: boot
 * loaders and syslinux modules copied from their packages (a missing one
 * named with its package), the local-boot default, repo links, and a
 * second run that keeps what is already right. (The per-MAC files and the
 * start-up reconcile are tested through arm, in test_arm.c.) */
#include "unit.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "tftp.h"
#include "util.h"

static char *dir;	/* scratch folder: repo, secrets, sources */
static char *tpl;	/* the project's templates/ (tests run from the root) */
static int seq;

static const char *HOSTS =
    "[host h1]\n"
    "mac = 52:54:00:00:00:01\n"
    "disk = sda\n"
    "\n"
    "[host new1]\n"
    "mode = fresh\n"
    "mac = 52:54:00:00:00:03\n"
    "disk = sda\n"
    "ip = 10.200.0.21/24\n"
    "gateway = 10.200.0.1\n"
    "dns = 10.200.0.2\n"
    "hostname = new1.example.com\n"
    "root_password_file = root.pw\n";

static int
setup(void **state)
{
	char *p;

	(void)state;
	dir = unit_tmpdir();
	assert_non_null(dir);
	assert_int_equal(asprintf(&p, "%s/repo/boot", dir) > 0, 1);
	assert_int_equal(util_mkdirs(p, 0755), 0);
	free(p);
	free(unit_write(dir, "repo/boot/xen.gz", "xen"));
	free(unit_write(dir, "repo/boot/vmlinuz", "vmlinuz"));
	free(unit_write(dir, "repo/install.img", "img"));
	free(unit_write(dir, "repo/.treeinfo", "[platform]\nname = XCP\n"
	    "version = 3.2.1\n[branding]\nname = XCP-ng\nversion = 8.2.1\n"));
	p = unit_write(dir, "root.pw", "hunter2\n");
	chmod(p, 0600);
	free(p);
	tpl = realpath("templates", NULL);
	assert_non_null(tpl);
	return 0;
}

static int
teardown(void **state)
{
	char *cmd;

	(void)state;
	if (getenv("POOLBOOT_KEEP") == NULL &&
	    asprintf(&cmd, "rm -rf '%s'", dir) > 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "# could not remove %s\n", dir);
		free(cmd);
	}
	free(dir);
	free(tpl);
	return 0;
}

/* Writes [server] + extra_server + repo + hosts + body as a fresh
 * dir/tN.conf and loads it; *name gets the file's base name. */
static int
load(const char *extra_server, const char *hosts, const char *body,
    struct config **cfg, struct strlist *errs, struct strlist *warns,
    char name[32])
{
	char *text, *path;
	int ret;

	snprintf(name, 32, "t%d.conf", ++seq);
	assert_int_equal(asprintf(&text, "[server]\n"
	    "template_dir = %s\n"
	    "public_url = http://10.200.0.1:8080\n"
	    "state_dir = state\n"
	    "tftp_root = tftp\n"
	    "%s\n"
	    "[repo xs82]\n"
	    "path = repo\n\n%s\n%s", tpl, extra_server, hosts,
	    body) > 0, 1);
	path = unit_write(dir, name, text);
	free(text);
	ret = config_load(path, cfg, errs, warns);
	free(path);
	return ret;
}

static struct config *
load_ok(const char *extra_server, const char *hosts, const char *body)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char name[32];
	size_t i;

	if (load(extra_server, hosts, body, &cfg, &errs, NULL, name) != 0) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "# %s\n", errs.v[i]);
		fail_msg("config refused");
	}
	strlist_free(&errs);
	return cfg;
}

static char *
read_at(const char *d, const char *rel)
{
	char *p, *t;

	assert_int_equal(asprintf(&p, "%s/%s", d, rel) > 0, 1);
	t = util_read_file(p, 1 << 16, NULL);
	free(p);
	return t;
}

static time_t
mtime_at(const char *d, const char *rel)
{
	struct stat sb;
	char *p;

	assert_int_equal(asprintf(&p, "%s/%s", d, rel) > 0, 1);
	assert_int_equal(stat(p, &sb), 0);
	free(p);
	return sb.st_mtime;
}

/* Sets a file's mtime an hour back, so that a rewrite would show. */
static void
age(const char *d, const char *rel)
{
	struct timespec ts[2];
	char *p;

	assert_int_equal(asprintf(&p, "%s/%s", d, rel) > 0, 1);
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= 3600;
	ts[1] = ts[0];
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	free(p);
}

static void
test_init_tftp(void **state)
{
	struct strlist report = { 0 }, errors = { 0 };
	struct config *cfg;
	char *src1, *src2, *root, *t, *link, cur[PATH_MAX];
	time_t old;
	ssize_t n;
	size_t i;
	int found;

	(void)state;
	cfg = load_ok("", HOSTS, "");
	assert_int_equal(asprintf(&src1, "%s/src-pxelinux", dir) > 0, 1);
	assert_int_equal(asprintf(&src2, "%s/src-modules", dir) > 0, 1);
	assert_int_equal(asprintf(&root, "%s/new/tftp-root", dir) > 0, 1);
	assert_int_equal(util_mkdirs(src1, 0755), 0);
	assert_int_equal(util_mkdirs(src2, 0755), 0);
	free(unit_write(src1, "pxelinux.0", "PXELINUX"));
	free(unit_write(src1, "lpxelinux.0", "LPXELINUX"));
	free(unit_write(src2, "ldlinux.c32", "LDLINUX"));
	free(unit_write(src2, "mboot.c32", "MBOOT"));
	/* libcom32.c32 is missing: the package is named */

	assert_int_equal(tftp_init_root(cfg, root, src1, src2, &report,
	    &errors), -1);
	assert_int_equal(errors.n, 1);
	assert_non_null(strstr(errors.v[0], "libcom32.c32"));
	assert_non_null(strstr(errors.v[0], "syslinux-common"));
	t = read_at(root, "pxelinux.0");
	assert_string_equal(t, "PXELINUX");
	free(t);
	t = read_at(root, "pxelinux.cfg/default");
	assert_non_null(t);
	assert_non_null(strstr(t, "localboot"));
	assert_null(strstr(t, "answerfile"));
	free(t);
	/* boot_files = tftp (default): repo/xs82 points at the repo */
	assert_int_equal(asprintf(&link, "%s/repo/xs82", root) > 0, 1);
	n = readlink(link, cur, sizeof(cur) - 1);
	assert_true(n > 0);
	cur[n] = '\0';
	assert_string_equal(cur, cfg->repos[0].path);
	free(link);
	strlist_free(&report);
	strlist_free(&errors);

	/* second run: everything there; identical files kept, an operator's
	 * default left alone, a changed source copied again */
	free(unit_write(src2, "libcom32.c32", "LIBCOM32"));
	free(unit_write(src2, "mboot.c32", "MBOOT v2"));
	free(unit_write(root, "pxelinux.cfg/default", "# mine\n"));
	age(root, "pxelinux.0");
	old = mtime_at(root, "pxelinux.0");
	assert_int_equal(tftp_init_root(cfg, root, src1, src2, &report,
	    &errors), 0);
	assert_int_equal(errors.n, 0);
	assert_int_equal(mtime_at(root, "pxelinux.0"), old);
	t = read_at(root, "mboot.c32");
	assert_string_equal(t, "MBOOT v2");
	free(t);
	t = read_at(root, "pxelinux.cfg/default");
	assert_string_equal(t, "# mine\n");
	free(t);
	found = 0;
	for (i = 0; i < report.n; i++)
		if (strstr(report.v[i], "pxelinux.0") != NULL &&
		    strstr(report.v[i], "kept") != NULL &&
		    strstr(report.v[i], src1) != NULL)
			found = 1;
	assert_true(found);
	strlist_free(&report);
	strlist_free(&errors);
	free(src1);
	free(src2);
	free(root);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_tftp),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
