/* test_coord.c — the coordinator's pure parts: the state machine's
 * transitions one by one and where retry resumes (the version order and
 * the upgrade-path rules are in test_rules.c). */
#include "unit.h"

#include <string.h>

#include "coord.h"
#include "coord_report.h"

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

/* Where a recorded VM goes after its host's upgrade: only a running VM
 * on another host that is not newer than its home moves. */
static void
test_place_decide(void **state)
{
	struct coord_place_seen v = { .exists = 1, .running = 1,
	    .resident_on = "OpaqueRef:h2", .on_version = "8.2.1" };

	(void)state;
	assert_int_equal(coord_place_decide(&v, "OpaqueRef:h1", "8.4.0"),
	    COORD_PLACE_MIGRATE);
	/* same version: fine (hosts not yet upgraded share one) */
	assert_int_equal(coord_place_decide(&v, "OpaqueRef:h1", "8.2.1"),
	    COORD_PLACE_MIGRATE);
	/* never onto an older host, nor when a version is unknown */
	assert_int_equal(coord_place_decide(&v, "OpaqueRef:h1", "8.2.0"),
	    COORD_PLACE_OLDER);
	v.on_version = "8.10.0";
	assert_int_equal(coord_place_decide(&v, "OpaqueRef:h1", "8.4.0"),
	    COORD_PLACE_OLDER);
	v.on_version = NULL;
	assert_int_equal(coord_place_decide(&v, "OpaqueRef:h1", "8.4.0"),
	    COORD_PLACE_OLDER);
	v.on_version = "8.2.1";
	assert_int_equal(coord_place_decide(&v, "OpaqueRef:h2", "8.4.0"),
	    COORD_PLACE_HOME);
	v.running = 0;
	assert_int_equal(coord_place_decide(&v, "OpaqueRef:h1", "8.4.0"),
	    COORD_PLACE_HALTED);
	v.exists = 0;
	assert_int_equal(coord_place_decide(&v, "OpaqueRef:h1", "8.4.0"),
	    COORD_PLACE_GONE);
	assert_string_equal(coord_place_result(COORD_PLACE_MIGRATE), "moved");
	assert_string_equal(coord_place_result(COORD_PLACE_OLDER), "refused");
}

static void
test_place_names(void **state)
{
	enum coord_placement pl = COORD_PLACE_DEFAULT;

	(void)state;
	assert_int_equal(coord_place_parse("leave", &pl), 0);
	assert_int_equal(pl, COORD_PLACE_LEAVE);
	assert_int_equal(coord_place_parse("return", &pl), 0);
	assert_int_equal(pl, COORD_PLACE_RETURN);
	assert_int_equal(coord_place_parse("", &pl), -1);
	assert_int_equal(coord_place_parse("home", &pl), -1);
	assert_int_equal(coord_place_parse(NULL, &pl), -1);
	assert_int_equal(pl, COORD_PLACE_RETURN);
	assert_string_equal(coord_place_name(COORD_PLACE_LEAVE), "leave");
	assert_string_equal(coord_place_name(COORD_PLACE_DEFAULT), "");
	assert_int_equal(coord_place_default(NULL), COORD_PLACE_RETURN);
}

/* The report: per host its VMs back, a warning per VM not back, a note
 * per VM left alone; placement leave said once. */
static void
test_report(void **state)
{
	struct run run = { .placement = "return", .target_version = "8.4.0" };
	struct run_host h[2] = {
		{ .host = "h1", .step = "done", .old_version = "8.2.1",
		  .new_version = "8.4.0", .started_at = 1000,
		  .finished_at = 3500, .step_ms = "return=10" },
		{ .host = "h2", .step = "skipped" },
	};
	struct run_vm v[3] = {
		{ .host = "h1", .vm_name = "web", .result = "moved",
		  .from_host = "h2" },
		{ .host = "h1", .vm_name = "db", .result = "failed",
		  .from_host = "h2", .message = "VM.pool_migrate: "
		  "HOST_NOT_ENOUGH_FREE_MEMORY" },
		{ .host = "h1", .vm_name = "old", .result = "halted",
		  .message = "not running" },
	};
	char out[2048], tiny[16];

	(void)state;
	coord_report_build(&run, h, 2, v, 3, out, sizeof(out));
	assert_non_null(strstr(out, "h1: 8.2.1 -> 8.4.0 in 2.5 s (return=10)\n"
	    "  VMs back on h1: 1 of 3\n"));
	assert_non_null(strstr(out, "  WARNING: VM db did not come back to h1 "
	    "(it is on h2): VM.pool_migrate: HOST_NOT_ENOUGH_FREE_MEMORY\n"));
	assert_non_null(strstr(out, "  VM old left alone: not running\n"));
	assert_non_null(strstr(out, "h2: already on 8.4.0 (skipped)\n"
	    "Reminder:"));
	assert_null(strstr(out, "placement: leave"));
	snprintf(run.placement, sizeof(run.placement), "leave");
	coord_report_build(&run, h, 2, NULL, 0, out, sizeof(out));
	assert_null(strstr(out, "VMs back"));
	assert_non_null(strstr(out, "VM placement: leave"));
	/* bounded, always terminated */
	coord_report_build(&run, h, 2, v, 3, tiny, sizeof(tiny));
	assert_true(strlen(tiny) < sizeof(tiny));
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
		cmocka_unit_test(test_place_decide),
		cmocka_unit_test(test_place_names),
		cmocka_unit_test(test_report),
	};

	return cmocka_run_group_tests_name("coord", tests, NULL, NULL);
}
