/* test_rules.c — the version order and the upgrade-path rules an
 * operator edits (templates/upgrade-paths.conf). */
#include "unit.h"

#include "rules.h"

static void
test_version_order(void **state)
{
	(void)state;
	assert_true(rules_version_cmp("7.1.0", "7.6.0") < 0);
	assert_true(rules_version_cmp("7.10.0", "7.6.0") > 0);	/* numeric */
	assert_int_equal(rules_version_cmp("7.1", "7.1.0"), 0);
	assert_true(rules_version_cmp("8.2.1", "8.2.0") > 0);
	assert_true(rules_version_cmp("4.0.1", "4.1.0") < 0);
	assert_int_equal(rules_version_cmp("8.2.1", "8.2.1"), 0);
	assert_true(rules_version_cmp("8.3.0", "8.2.99") > 0);
}

static struct rules *
shipped_rules(void)
{
	struct rules *r = NULL;
	struct strlist errs = { 0 };

	assert_int_equal(rules_load("templates/upgrade-paths.conf", &r,
	    &errs), 0);
	assert_int_equal(errs.n, 0);
	return r;
}

static void
test_shipped_rules_follow_the_vendor(void **state)
{
	struct rules *r = shipped_rules();
	char err[512];

	(void)state;
	/* seed 004: 7.0 and 7.1 CU1 upgrade to 7.6, plain 7.1 does not */
	assert_int_equal(rules_allow(r, "7.0.0", "7.6.0", err,
	    sizeof(err)), 1);
	assert_int_equal(rules_allow(r, "7.1.1", "7.6.0", err,
	    sizeof(err)), 1);
	assert_int_equal(rules_allow(r, "7.1.2", "7.6.0", err,
	    sizeof(err)), 1);
	assert_int_equal(rules_allow(r, "7.1.0", "7.6.0", err,
	    sizeof(err)), 0);
	assert_non_null(strstr(err, "Cumulative Update 1"));
	/* seed 003: 3.2 only through 4.0.1 */
	assert_int_equal(rules_allow(r, "3.2.0", "4.0.1", err,
	    sizeof(err)), 1);
	assert_int_equal(rules_allow(r, "3.2.0", "4.1.0", err,
	    sizeof(err)), 0);
	assert_non_null(strstr(err, "4.0.1 first"));
	assert_int_equal(rules_allow(r, "4.0.1", "4.1.0", err,
	    sizeof(err)), 1);
	/* XCP-ng within 8.x */
	assert_int_equal(rules_allow(r, "8.2.0", "8.2.1", err,
	    sizeof(err)), 1);
	/* nothing matches: refused, and the message says how to allow it */
	assert_int_equal(rules_allow(r, "6.5.0", "7.6.0", err,
	    sizeof(err)), 0);
	assert_non_null(strstr(err, "allow 6.5.0 -> 7.6.0"));
	rules_free(r);
}

static void
test_rules_file_errors_have_lines(void **state)
{
	struct rules *r = NULL;
	struct strlist errs = { 0 };
	char *dir = unit_tmpdir(), *p;
	char err[256];

	(void)state;
	p = unit_write(dir, "rules.conf", "# comment\n"
	    "allow 1.0.* -> 2.0.*\n"
	    "permit 1.0 -> 3.0\n"
	    "allow 1.0 => 3.0\n"
	    "deny 2.0.* -> 3.* : go to 2.5 first\n");
	assert_int_equal(rules_load(p, &r, &errs), -1);
	assert_null(r);
	assert_int_equal(errs.n, 2);
	assert_non_null(strstr(errs.v[0], "rules.conf:3:"));
	assert_non_null(strstr(errs.v[1], "rules.conf:4:"));
	strlist_free(&errs);
	free(p);

	/* first match wins; a range includes both ends */
	p = unit_write(dir, "rules.conf",
	    "deny 2.0.0 -> 3.* : apply 2.0.1 first\n"
	    "allow 2.0.0..2.0.* -> 3.*\n");
	assert_int_equal(rules_load(p, &r, &errs), 0);
	assert_int_equal(rules_allow(r, "2.0.0", "3.1.0", err,
	    sizeof(err)), 0);
	assert_non_null(strstr(err, "apply 2.0.1 first"));
	assert_non_null(strstr(err, "rules.conf:1"));
	assert_int_equal(rules_allow(r, "2.0.5", "3.1.0", err,
	    sizeof(err)), 1);
	assert_int_equal(rules_allow(r, "2.1.0", "3.1.0", err,
	    sizeof(err)), 0);
	rules_free(r);
	free(p);
	assert_int_equal(rules_load("/nonexistent/rules", &r, &errs), -1);
	assert_non_null(strstr(errs.v[0], "/nonexistent/rules"));
	strlist_free(&errs);
	p = unit_write(dir, "rules.conf", "");
	unlink(p);
	free(p);
	rmdir(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_order),
		cmocka_unit_test(test_shipped_rules_follow_the_vendor),
		cmocka_unit_test(test_rules_file_errors_have_lines),
	};

	return cmocka_run_group_tests_name("rules", tests, NULL, NULL);
}
