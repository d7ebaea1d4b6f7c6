/* test_coord.c — the coordinator's pure parts: the state machine's
 * transitions one by one and where retry resumes (the version order and
 * the upgrade-path rules are in test_rules.c). */
#include "unit.h"

#include "coord.h"

static void
test_transitions_in_order(void **state)
{
	static const enum coord_step chain[] = { STEP_PENDING, STEP_DISABLE,
	    STEP_EVACUATE, STEP_ARM, STEP_REBOOT, STEP_INSTALL, STEP_REJOIN,
	    STEP_ENABLE, STEP_RETURN, STEP_DONE };
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
	/* its VMs come back only once it is enabled (a disabled host
	 * takes no VM), and the host is done only after that */
	assert_int_equal(coord_step_next(STEP_ENABLE), STEP_RETURN);
	assert_int_equal(coord_step_next(STEP_RETURN), STEP_DONE);
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
	/* enabled again and taking its VMs back: up, nothing to undo */
	assert_false(coord_step_offline(STEP_RETURN));
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transitions_in_order),
		cmocka_unit_test(test_arm_comes_after_evacuate_and_before_reboot),
		cmocka_unit_test(test_retry_points),
		cmocka_unit_test(test_offline_steps),
		cmocka_unit_test(test_names_round_trip),
	};

	return cmocka_run_group_tests_name("coord", tests, NULL, NULL);
}
