/* test_job.c — the rebuild/install state machine's transitions, one by
 * one: which steps a rebuild and an install go through, and that a job
 * without a pool to join ends after the installer's callback. Then what
 * the entry points refuse, as typed results with the operator's reason
 * (real store in a scratch dir; no job thread is started). */
#include "unit.h"
#include "unit_store.h"

#include "config_live.h"
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

/* ---- entry points: what they refuse ---------------------------------------- */

enum { HM, HN, HBARE, NH };	/* a pool member, a new host, a bare one */

struct fix {
	char		*tmp;
	struct pool	 pool;
	struct host	 hosts[NH];
	struct config	 cfg;
	struct config_live *live;	/* borrows cfg */
	struct store	*st;
	struct jobs	*js;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(f->tmp = unit_tmpdir());
	f->pool.name = "p1";
	f->hosts[HM].name = "m1";
	f->hosts[HM].pool_name = "p1";
	f->hosts[HM].pool = &f->pool;
	f->hosts[HM].mode = MODE_UPGRADE;
	f->hosts[HM].hostname = "m1.example.org";
	f->hosts[HM].root_password_hash = "$6$x$y";
	f->hosts[HM].ip = "10.0.0.11";
	f->hosts[HN].name = "n1";
	f->hosts[HN].mode = MODE_UPGRADE;
	f->hosts[HBARE].name = "b1";
	f->hosts[HBARE].mode = MODE_FRESH;
	f->hosts[HBARE].join_pool = "p1";
	f->hosts[HBARE].join = &f->pool;
	f->cfg.pools = &f->pool;
	f->cfg.npools = 1;
	f->cfg.hosts = f->hosts;
	f->cfg.nhosts = NH;
	assert_int_equal(unit_store_open(f->tmp, 0, &f->st), 0);
	assert_int_equal(config_live_new(&f->cfg, 0, &f->live), 0);
	assert_int_equal(jobs_new(f->live, f->st, NULL, &f->js), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	char *cmd;

	jobs_free(f->js);
	config_live_free(f->live);
	store_close(f->st);
	if (asprintf(&cmd, "rm -rf '%s'", f->tmp) > 0) {
		if (system(cmd) != 0) {
			/* leave it */
		}
		free(cmd);
	}
	free(f->tmp);
	free(f);
	return 0;
}

/* A job of host in state and step, as a crash or an earlier run left it. */
static int64_t
put_job(struct fix *f, const char *host, const char *state, const char *step)
{
	struct job j;

	memset(&j, 0, sizeof(j));
	snprintf(j.host, sizeof(j.host), "%s", host);
	snprintf(j.kind, sizeof(j.kind), "rebuild");
	snprintf(j.pool, sizeof(j.pool), "p1");
	snprintf(j.state, sizeof(j.state), "%s", state);
	snprintf(j.step, sizeof(j.step), "%s", step);
	j.created_at = j.updated_at = j.step_started_at = 1;
	assert_int_equal(store_job_create(f->st, &j), 0);
	return j.id;
}

static void
test_start_refusals(void **state)
{
	struct fix *f = *state;
	struct job j;
	char err[1024];

	assert_int_equal(jobs_start(f->js, "nope", "rebuild", 1, &j, err,
	    sizeof(err)), JOBS_NOT_FOUND);
	assert_string_equal(err, "no host \"nope\" in the inventory");
	/* a fresh install wipes: never without --wipe */
	assert_int_equal(jobs_start(f->js, "m1", "rebuild", 0, &j, err,
	    sizeof(err)), JOBS_CONFLICT);
	assert_non_null(strstr(err, "pass --wipe to go ahead"));
	assert_int_equal(jobs_start(f->js, "n1", "rebuild", 1, &j, err,
	    sizeof(err)), JOBS_CONFLICT);
	assert_string_equal(err, "host n1 is in no pool: use install, not "
	    "rebuild");
	assert_int_equal(jobs_start(f->js, "m1", "install", 1, &j, err,
	    sizeof(err)), JOBS_CONFLICT);
	assert_non_null(strstr(err, "use rebuild"));
	assert_int_equal(jobs_start(f->js, "n1", "install", 1, &j, err,
	    sizeof(err)), JOBS_CONFLICT);
	assert_string_equal(err, "host n1 is in mode upgrade; a new host is "
	    "installed with mode = fresh");
	/* everything a fresh install and the join need, named at once */
	assert_int_equal(jobs_start(f->js, "b1", "install", 1, &j, err,
	    sizeof(err)), JOBS_CONFLICT);
	assert_string_equal(err, "host b1 lacks what a fresh install needs in "
	    "its [host] section: hostname root_password_file ip (a static "
	    "address: poolboot finds the new install there)");
}

static void
test_one_unfinished_job_per_host(void **state)
{
	struct fix *f = *state;
	struct job j;
	char err[1024], want[256];
	int64_t id;

	id = put_job(f, "m1", "halted", "forget");
	assert_int_equal(jobs_start(f->js, "m1", "rebuild", 1, &j, err,
	    sizeof(err)), JOBS_CONFLICT);
	snprintf(want, sizeof(want), "host m1 already has a halted rebuild "
	    "job (%lld): retry or abort it", (long long)id);
	assert_string_equal(err, want);
}

static void
test_get_list_and_unknown_jobs(void **state)
{
	struct fix *f = *state;
	struct job j, *v = NULL;
	char err[1024];
	size_t n = 0;
	int64_t a, b;

	a = put_job(f, "m1", "done", "done");
	b = put_job(f, "b1", "running", "arm");
	assert_int_equal(jobs_get(f->js, a, &j, err, sizeof(err)), JOBS_OK);
	assert_string_equal(j.host, "m1");
	assert_int_equal(jobs_list(f->js, &v, &n, err, sizeof(err)), JOBS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, b);	/* newest first */
	assert_int_equal(v[1].id, a);
	free(v);
	assert_int_equal(jobs_get(f->js, 999, &j, err, sizeof(err)),
	    JOBS_NOT_FOUND);
	assert_string_equal(err, "no job 999");
	assert_int_equal(jobs_retry(f->js, 999, &j, err, sizeof(err)),
	    JOBS_NOT_FOUND);
	assert_int_equal(jobs_abort(f->js, 999, &j, err, sizeof(err)),
	    JOBS_NOT_FOUND);
}

static void
test_retry_and_abort_need_the_right_state(void **state)
{
	struct fix *f = *state;
	struct job j;
	char err[1024], want[128];
	int64_t done, running;

	done = put_job(f, "m1", "done", "done");
	running = put_job(f, "b1", "running", "arm");
	assert_int_equal(jobs_retry(f->js, running, &j, err, sizeof(err)),
	    JOBS_CONFLICT);
	snprintf(want, sizeof(want), "job %lld is running, not halted",
	    (long long)running);
	assert_string_equal(err, want);
	assert_int_equal(jobs_abort(f->js, done, &j, err, sizeof(err)),
	    JOBS_CONFLICT);
	snprintf(want, sizeof(want), "job %lld is done: nothing to abort",
	    (long long)done);
	assert_string_equal(err, want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rebuild_chain),
		cmocka_unit_test(test_forget_comes_before_any_install),
		cmocka_unit_test(test_no_join_ends_after_install),
		cmocka_unit_test(test_step_names),
		cmocka_unit_test_setup_teardown(test_start_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_one_unfinished_job_per_host,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_list_and_unknown_jobs,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_retry_and_abort_need_the_right_state, setup, teardown),
	};

	return cmocka_run_group_tests_name("job", tests, NULL, NULL);
}
