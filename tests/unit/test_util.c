/* test_util.c — util_write_atomic in a folder others can write to (the
 * TFTP tree): a symlink or file planted where the temp file would go is
 * never followed or written through, and the result has the mode asked
 * for. */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "util.h"

static char *dir;

static int
setup(void **state)
{
	(void)state;
	dir = unit_tmpdir();
	return dir == NULL ? -1 : 0;
}

static char *
path_in(const char *name)
{
	char *p;

	assert_int_equal(asprintf(&p, "%s/%s", dir, name) > 0, 1);
	return p;
}

/* Entries of dir whose name starts with prefix. */
static int
count_prefixed(const char *prefix)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

/* The temp name used to be "<path>.tmp.<pid>": predictable, opened
 * without O_EXCL or O_NOFOLLOW, so a symlink planted there had the file
 * written through it (and the symlink then renamed over the target). */
static void
test_write_atomic_does_not_follow_a_planted_symlink(void **state)
{
	char *target = path_in("01-52-54-00-00-00-01");
	char *victim = path_in("victim");
	char *planted, *text;
	struct stat sb;

	(void)state;
	free(unit_write(dir, "victim", "precious\n"));
	assert_int_equal(asprintf(&planted, "%s.tmp.%ld", target,
	    (long)getpid()) > 0, 1);
	assert_int_equal(symlink(victim, planted), 0);

	assert_int_equal(util_write_atomic(target, "localboot\n", 10, 0644),
	    0);
	text = util_read_file(victim, 4096, NULL);
	assert_string_equal(text, "precious\n");	/* not written through */
	free(text);
	assert_int_equal(lstat(target, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));		/* not the symlink */
	assert_int_equal(sb.st_mode & 07777, 0644);
	text = util_read_file(target, 4096, NULL);
	assert_string_equal(text, "localboot\n");
	free(text);
	/* the planted link is left alone; no temp file of ours is left */
	assert_int_equal(lstat(planted, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	assert_int_equal(count_prefixed("01-52-54-00-00-00-01.tmp."), 1);
	unlink(planted);
	free(planted);
	free(victim);
	free(target);
}

/* The mode is the one asked for, whatever the umask; a second write
 * replaces the first; a failed write leaves no temp file. */
static void
test_write_atomic_mode_replace_and_failure(void **state)
{
	char *target = path_in("secret.conf");
	char *missing = path_in("no/such/folder/file");
	char *text;
	struct stat sb;
	mode_t old;

	(void)state;
	old = umask(0);
	assert_int_equal(util_write_atomic(target, "one", 3, 0600), 0);
	umask(old);
	assert_int_equal(stat(target, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(util_write_atomic(target, "two", 3, 0640), 0);
	assert_int_equal(stat(target, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0640);
	text = util_read_file(target, 4096, NULL);
	assert_string_equal(text, "two");
	free(text);
	assert_int_equal(count_prefixed("secret.conf.tmp."), 0);
	assert_int_equal(util_write_atomic(missing, "x", 1, 0644), -1);
	assert_int_equal(errno, ENOENT);
	free(missing);
	free(target);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_atomic_does_not_follow_a_planted_symlink),
		cmocka_unit_test(test_write_atomic_mode_replace_and_failure),
	};

	return cmocka_run_group_tests_name("util", tests, setup, NULL);
}
