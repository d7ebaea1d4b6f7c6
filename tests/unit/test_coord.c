/* test_coord.c — the coordinator's pure parts: the state machine's
 * transitions one by one, where retry resumes, the version order and the
 * upgrade-path rules an operator edits (templates/upgrade-paths.conf). */
#include "unit.h"

#include "coord.h"

static void
test_transitions_in_order(void **state)
{
	static const enum coord_step chain[] = { STEP_PENDING, STEP_DISABLE,
	    STEP_EVACUATE, STEP_ARM, STEP_REBOOT, STEP_INSTALL, STEP_REJOIN,
	    STEP_ENABLE, STEP_DONE };
	size_t i;

	(void)state;
	for (i = 0; i + 1 < sizeof(chain) / sizeof(chain[0]); i++)
		assert_int_equal(coord_step_next(chain[i]), chain[i + 1]);
	/* final states stay final */
	assert_int_equal(coord_step_next(STEP_DONE), STEP_DONE);
	assert_int_equal(coord_step_next(STEP_SKIPPED), STEP_SKIPPED);
}

static void
test_arm_comes_after_evacuate_and_before_reboot(void **state)
{
	(void)state;
	/* the host must be empty before it is armed, and armed before it
	 * reboots: a reboot without an install entry would just come back
	 * on the old version */
	assert_int_equal(coord_step_next(STEP_EVACUATE), STEP_ARM);
	assert_int_equal(coord_step_next(STEP_ARM), STEP_REBOOT);
	/* the host is enabled only after XAPI shows it back */
	assert_int_equal(coord_step_next(STEP_REJOIN), STEP_ENABLE);
}

static void
test_retry_points(void **state)
{
	int s;

	(void)state;
	for (s = STEP_PENDING; s < STEP_COUNT; s++) {
		if (s == STEP_INSTALL)
			continue;
		assert_int_equal(coord_step_retry((enum coord_step)s), s);
	}
	/* a failed install needs a new arming and a new boot */
	assert_int_equal(coord_step_retry(STEP_INSTALL), STEP_ARM);
}

static void
test_offline_steps(void **state)
{
	(void)state;
	assert_false(coord_step_offline(STEP_PENDING));
	assert_true(coord_step_offline(STEP_DISABLE));
	assert_true(coord_step_offline(STEP_INSTALL));
	assert_true(coord_step_offline(STEP_ENABLE));
	assert_false(coord_step_offline(STEP_DONE));
	assert_false(coord_step_offline(STEP_SKIPPED));
}

static void
test_names_round_trip(void **state)
{
	enum coord_step s;
	enum run_state r;
	int i;

	(void)state;
	for (i = 0; i < STEP_COUNT; i++) {
		assert_int_equal(state_step_parse(state_step_name(
		    (enum coord_step)i), &s), 0);
		assert_int_equal(s, i);
	}
	for (i = 0; i < RUN_STATE_COUNT; i++) {
		assert_int_equal(state_run_parse(state_run_name(
		    (enum run_state)i), &r), 0);
		assert_int_equal(r, i);
	}
	assert_int_equal(state_step_parse("reboot-now", &s), -1);
	assert_string_equal(state_step_name(STEP_REJOIN), "rejoin");
}

static void
test_version_order(void **state)
{
	(void)state;
	assert_true(coord_version_cmp("7.1.0", "7.6.0") < 0);
	assert_true(coord_version_cmp("7.10.0", "7.6.0") > 0);	/* numeric */
	assert_int_equal(coord_version_cmp("7.1", "7.1.0"), 0);
	assert_true(coord_version_cmp("8.2.1", "8.2.0") > 0);
	assert_true(coord_version_cmp("4.0.1", "4.1.0") < 0);
	assert_int_equal(coord_version_cmp("8.2.1", "8.2.1"), 0);
	assert_true(coord_version_cmp("8.3.0", "8.2.99") > 0);
}

static struct upgrade_rules *
shipped_rules(void)
{
	struct upgrade_rules *r = NULL;
	struct strlist errs = { 0 };

	assert_int_equal(coord_rules_load("templates/upgrade-paths.conf", &r,
	    &errs), 0);
	assert_int_equal(errs.n, 0);
	return r;
}

static void
test_shipped_rules_follow_the_vendor(void **state)
{
	struct upgrade_rules *r = shipped_rules();
	char why[512];

	(void)state;
	/* seed 004: 7.0 and 7.1 CU1 upgrade to 7.6, plain 7.1 does not */
	assert_int_equal(coord_rules_allow(r, "7.0.0", "7.6.0", why,
	    sizeof(why)), 1);
	assert_int_equal(coord_rules_allow(r, "7.1.1", "7.6.0", why,
	    sizeof(why)), 1);
	assert_int_equal(coord_rules_allow(r, "7.1.2", "7.6.0", why,
	    sizeof(why)), 1);
	assert_int_equal(coord_rules_allow(r, "7.1.0", "7.6.0", why,
	    sizeof(why)), 0);
	assert_non_null(strstr(why, "Cumulative Update 1"));
	/* seed 003: 3.2 only through 4.0.1 */
	assert_int_equal(coord_rules_allow(r, "3.2.0", "4.0.1", why,
	    sizeof(why)), 1);
	assert_int_equal(coord_rules_allow(r, "3.2.0", "4.1.0", why,
	    sizeof(why)), 0);
	assert_non_null(strstr(why, "4.0.1 first"));
	assert_int_equal(coord_rules_allow(r, "4.0.1", "4.1.0", why,
	    sizeof(why)), 1);
	/* XCP-ng within 8.x */
	assert_int_equal(coord_rules_allow(r, "8.2.0", "8.2.1", why,
	    sizeof(why)), 1);
	/* nothing matches: refused, and the message says how to allow it */
	assert_int_equal(coord_rules_allow(r, "6.5.0", "7.6.0", why,
	    sizeof(why)), 0);
	assert_non_null(strstr(why, "allow 6.5.0 -> 7.6.0"));
	coord_rules_free(r);
}

static void
test_rules_file_errors_have_lines(void **state)
{
	struct upgrade_rules *r = NULL;
	struct strlist errs = { 0 };
	char *dir = unit_tmpdir(), *p;
	char why[256];

	(void)state;
	p = unit_write(dir, "rules.conf", "# comment\n"
	    "allow 1.0.* -> 2.0.*\n"
	    "permit 1.0 -> 3.0\n"
	    "allow 1.0 => 3.0\n"
	    "deny 2.0.* -> 3.* : go to 2.5 first\n");
	assert_int_equal(coord_rules_load(p, &r, &errs), -1);
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
	assert_int_equal(coord_rules_load(p, &r, &errs), 0);
	assert_int_equal(coord_rules_allow(r, "2.0.0", "3.1.0", why,
	    sizeof(why)), 0);
	assert_non_null(strstr(why, "apply 2.0.1 first"));
	assert_non_null(strstr(why, "rules.conf:1"));
	assert_int_equal(coord_rules_allow(r, "2.0.5", "3.1.0", why,
	    sizeof(why)), 1);
	assert_int_equal(coord_rules_allow(r, "2.1.0", "3.1.0", why,
	    sizeof(why)), 0);
	coord_rules_free(r);
	free(p);
	assert_int_equal(coord_rules_load("/nonexistent/rules", &r, &errs), -1);
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
		cmocka_unit_test(test_transitions_in_order),
		cmocka_unit_test(test_arm_comes_after_evacuate_and_before_reboot),
		cmocka_unit_test(test_retry_points),
		cmocka_unit_test(test_offline_steps),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_version_order),
		cmocka_unit_test(test_shipped_rules_follow_the_vendor),
		cmocka_unit_test(test_rules_file_errors_have_lines),
	};

	return cmocka_run_group_tests_name("coord", tests, NULL, NULL);
}
