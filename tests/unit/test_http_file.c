/* test_http_file.c — what an HTTP client of poolboot can and cannot reach
 * of a file tree: files of a repo and nothing outside it (with and without
 * openat2), and byte ranges as curl and the installer ask for them
 * (http_file.h). */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "http_file.h"
#include "log.h"
#include "util.h"

static char *tree;	/* scratch: tree/root is the repo, tree/outside.txt not */
static char *root;

static char *
pathf(const char *fmt, const char *a)
{
	char *p;

	assert_true(asprintf(&p, fmt, a) > 0);
	return p;
}

static void
mk_symlink(const char *target, const char *name)
{
	char *full;

	assert_true(asprintf(&full, "%s/%s", root, name) > 0);
	assert_int_equal(symlink(target, full), 0);
	free(full);
}

static int
setup_tree(void **state)
{
	char *p;

	(void)state;
	tree = unit_tmpdir();
	assert_non_null(tree);
	root = pathf("%s/root", tree);
	p = pathf("%s/root/sub/deeper", tree);
	assert_int_equal(util_mkdirs(p, 0755), 0);
	free(p);
	free(unit_write(tree, "outside.txt", "secret outside\n"));
	free(unit_write(root, "a.txt", "hello from a\n"));
	free(unit_write(root, "sub/b.txt", "bee\n"));
	mk_symlink("sub/b.txt", "link_in");		/* stays inside */
	mk_symlink("../a.txt", "sub/up_in");		/* .. but inside */
	mk_symlink("/etc/passwd", "passwd");		/* absolute, outside */
	mk_symlink("../outside.txt", "rel_out");	/* relative, outside */
	mk_symlink("sub", "subdir_link");		/* a directory */
	mk_symlink("loop2", "loop1");
	mk_symlink("loop1", "loop2");
	p = pathf("%s/a.txt", root);
	mk_symlink(p, "abs_in");			/* absolute, inside */
	free(p);
	p = pathf("%s/root/fifo", tree);
	assert_int_equal(mkfifo(p, 0644), 0);
	free(p);
	return 0;
}

static int
teardown_tree(void **state)
{
	char *cmd;

	(void)state;
	cmd = pathf("rm -rf '%s'", tree);
	if (system(cmd) != 0) {
		/* leave it */
	}
	free(cmd);
	free(root);
	free(tree);
	return 0;
}

/* Opens rel under root and returns its content (malloc'd), or NULL with
 * *err = errno. */
static char *
get(const char *rel, int *err)
{
	char buf[256];
	ssize_t n;
	int fd;

	*err = 0;
	errno = 0;
	fd = http_file_open_beneath(root, rel);
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return strdup(buf);
}

static void
expect_file(const char *rel, const char *content)
{
	int err;
	char *s = get(rel, &err);

	if (s == NULL)
		fail_msg("%s: refused with %s", rel, strerror(err));
	assert_string_equal(s, content);
	free(s);
}

static void
expect_refused(const char *rel, int want_errno)
{
	int err;
	char *s = get(rel, &err);

	if (s != NULL)
		fail_msg("%s: served \"%s\"", rel, s);
	if (err != want_errno)
		fail_msg("%s: errno %s, want %s", rel, strerror(err),
		    strerror(want_errno));
}

static void
beneath_checks(void)
{
	/* what the repo serves */
	expect_file("a.txt", "hello from a\n");
	expect_file("/a.txt", "hello from a\n");
	expect_file("sub/b.txt", "bee\n");
	expect_file("//sub///b.txt", "bee\n");		/* empty segments */
	expect_file("link_in", "bee\n");
	expect_file("sub/up_in", "hello from a\n");
	expect_file("abs_in", "hello from a\n");
	expect_file("subdir_link/b.txt", "bee\n");
	/* ways out: 403 */
	expect_refused("../outside.txt", EACCES);
	expect_refused("a/../../outside.txt", EACCES);
	expect_refused("sub/../a.txt", EACCES);		/* any .. is refused */
	expect_refused("./a.txt", EACCES);
	expect_refused("..", EACCES);
	expect_refused("passwd", EACCES);
	expect_refused("rel_out", EACCES);
	expect_refused("loop1", EACCES);
	/* directories and what is not there: 404 */
	expect_refused("sub", EISDIR);
	expect_refused("sub/", EISDIR);
	expect_refused("subdir_link", EISDIR);
	expect_refused("", EISDIR);
	expect_refused("/", EISDIR);
	expect_refused("nope.txt", ENOENT);
	expect_refused("a.txt/x", ENOENT);
	/* a FIFO neither hangs the thread nor is served */
	expect_refused("fifo", ENOENT);
	/* a missing root */
	errno = 0;
	assert_int_equal(http_file_open_beneath("/nonexistent/poolboot/root",
	    "a.txt"), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_open_beneath_openat2(void **state)
{
	(void)state;
	http_file_test_no_openat2 = 0;
	beneath_checks();
}

static void
test_open_beneath_fallback(void **state)
{
	(void)state;
	http_file_test_no_openat2 = 1;
	beneath_checks();
	http_file_test_no_openat2 = 0;
}

/* ---- Range ---- */

static void
range_ok(const char *hdr, uint64_t size, uint64_t want_start,
    uint64_t want_len)
{
	uint64_t start = 12345, len = 12345;
	int r = http_file_parse_range(hdr, size, &start, &len);

	if (r != 0)
		fail_msg("\"%s\" (size %llu): got %d, want 0", hdr,
		    (unsigned long long)size, r);
	if (start != want_start || len != want_len)
		fail_msg("\"%s\" (size %llu): start %llu len %llu, want %llu "
		    "%llu", hdr, (unsigned long long)size,
		    (unsigned long long)start, (unsigned long long)len,
		    (unsigned long long)want_start,
		    (unsigned long long)want_len);
}

static void
range_is(const char *hdr, uint64_t size, int want)
{
	uint64_t start = 0, len = 0;
	int r = http_file_parse_range(hdr, size, &start, &len);

	if (r != want)
		fail_msg("\"%s\" (size %llu): got %d, want %d",
		    hdr ? hdr : "(null)", (unsigned long long)size, r, want);
}

static void
test_range_satisfiable(void **state)
{
	(void)state;
	range_ok("bytes=0-99", 1000, 0, 100);
	range_ok("bytes=0-0", 1000, 0, 1);
	range_ok("bytes=999-999", 1000, 999, 1);
	range_ok("bytes=100-", 1000, 100, 900);
	range_ok("bytes=0-", 1000, 0, 1000);
	range_ok("bytes=-100", 1000, 900, 100);
	range_ok("bytes=-1000", 1000, 0, 1000);
	range_ok("bytes=-5000", 1000, 0, 1000);		/* longer suffix: all */
	range_ok("bytes=990-5000", 1000, 990, 10);	/* end clamped */
	range_ok("BYTES=1-2", 1000, 1, 2);		/* unit is caseless */
	range_ok(" bytes = 5-9 ", 1000, 5, 5);
	/* numbers beyond 64 bits saturate instead of wrapping */
	range_ok("bytes=0-999999999999999999999999999", 1000, 0, 1000);
	range_ok("bytes=-999999999999999999999999999", 1000, 0, 1000);
	/* a 5 GB install image */
	range_ok("bytes=4294967296-", 5000000000ULL, 4294967296ULL,
	    5000000000ULL - 4294967296ULL);
}

static void
test_range_unsatisfiable(void **state)
{
	(void)state;
	range_is("bytes=1000-", 1000, -1);
	range_is("bytes=1000-2000", 1000, -1);
	range_is("bytes=5000-6000", 1000, -1);
	range_is("bytes=-0", 1000, -1);
	range_is("bytes=0-", 0, -1);			/* empty file */
	range_is("bytes=-5", 0, -1);
	range_is("bytes=999999999999999999999999-", 1000, -1);
}

static void
test_range_ignored(void **state)
{
	(void)state;
	range_is(NULL, 1000, 1);
	range_is("", 1000, 1);
	range_is("bytes=", 1000, 1);
	range_is("bytes=-", 1000, 1);
	range_is("bytes=5-4", 1000, 1);			/* last < first */
	range_is("bytes=0-1,5-6", 1000, 1);		/* several ranges */
	range_is("bytes=0-1, -5", 1000, 1);
	range_is("bytes=abc", 1000, 1);
	range_is("bytes=1-2x", 1000, 1);
	range_is("bytes=+1-2", 1000, 1);
	range_is("bytes=-1-2", 1000, 1);
	range_is("bytes=1--2", 1000, 1);
	range_is("bytes 0-1", 1000, 1);
	range_is("items=0-1", 1000, 1);
	range_is("bytesx=0-1", 1000, 1);
	range_is("0-1", 1000, 1);
}

int
main(void)
{
	const struct CMUnitTest beneath[] = {
		cmocka_unit_test(test_open_beneath_openat2),
		cmocka_unit_test(test_open_beneath_fallback),
	};
	const struct CMUnitTest range[] = {
		cmocka_unit_test(test_range_satisfiable),
		cmocka_unit_test(test_range_unsatisfiable),
		cmocka_unit_test(test_range_ignored),
	};
	int fails = 0;

	log_init("test_http_file", PB_LOG_ERROR, 0);
	fails += cmocka_run_group_tests_name("http_file_open_beneath", beneath,
	    setup_tree, teardown_tree);
	fails += cmocka_run_group_tests_name("http_file_parse_range", range,
	    NULL, NULL);
	return fails != 0;
}
