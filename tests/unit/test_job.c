/* test_job.c — the rebuild/install state machine's transitions, one by
 * one: which steps a rebuild and an install go through, and that a job
 * without a pool to join ends after the installer's callback. */
#include "unit.h"

#include "job.h"

static void
test_rebuild_chain(void **state)
{
	static const enum job_step chain[] = { JOB_CHECK, JOB_FORGET, JOB_ARM,
	    JOB_POWER, JOB_INSTALL, JOB_XAPI, JOB_JOIN, JOB_MEMBER, JOB_DONE };
	size_t i;

	(void)state;
	for (i = 0; i + 1 < sizeof(chain) / sizeof(chain[0]); i++)
		assert_int_equal(job_step_next(chain[i], 1), chain[i + 1]);
	assert_int_equal(job_step_next(JOB_DONE, 1), JOB_DONE);
}

static void
test_forget_comes_before_any_install(void **state)
{
	(void)state;
	/* the dead record is forgotten before the host is armed: a new
	 * install never meets its old self in the pool */
	assert_int_equal(job_step_next(JOB_CHECK, 1), JOB_FORGET);
	assert_int_equal(job_step_next(JOB_FORGET, 1), JOB_ARM);
	/* powered only once armed */
	assert_int_equal(job_step_next(JOB_ARM, 1), JOB_POWER);
}

static void
test_no_join_ends_after_install(void **state)
{
	(void)state;
	assert_int_equal(job_step_next(JOB_INSTALL, 0), JOB_DONE);
	assert_int_equal(job_step_next(JOB_INSTALL, 1), JOB_XAPI);
}

static void
test_step_names(void **state)
{
	enum job_step s;
	int i;

	(void)state;
	for (i = 0; i < JOB_STEP_COUNT; i++) {
		assert_int_equal(state_job_step_parse(state_job_step_name((enum job_step)i),
		    &s), 0);
		assert_int_equal(s, i);
	}
	assert_int_equal(state_job_step_parse("forget-now", &s), -1);
	assert_string_equal(state_job_step_name(JOB_FORGET), "forget");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rebuild_chain),
		cmocka_unit_test(test_forget_comes_before_any_install),
		cmocka_unit_test(test_no_join_ends_after_install),
		cmocka_unit_test(test_step_names),
	};

	return cmocka_run_group_tests_name("job", tests, NULL, NULL);
}
