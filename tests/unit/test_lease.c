/* test_lease.c — leases (store_lease.h, lease.h) on SQLite, two instances
 * standing in as two struct store opened on one database file: exactly
 * one holds a lease; it is renewed only by its holder; an expired lease
 * is taken over, and the old holder's renewal is then refused; the
 * holder stops acting at its local deadline when it cannot renew ("the
 * database is gone") and acts again once it can, if the lease is still
 * its own. On SQLite, or on PostgreSQL when POOLBOOT_TEST_PG is set
 * (unit_store.h). */
#include "unit.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "lease.h"
#include "log.h"
#include "store.h"
#include "store_lease.h"
#include "store_site_action.h"
#include "unit_store.h"
#include "util.h"

struct fix {
	char		*dir;		/* state_dir of both */
	struct store	*a, *b;		/* two instances, one database */
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(f->dir = unit_tmpdir());
	assert_int_equal(unit_store_open(f->dir, 0, &f->a), 0);
	assert_int_equal(unit_store_open(f->dir, 0, &f->b), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	char *cmd;

	store_close(f->a);
	store_close(f->b);
	if (asprintf(&cmd, "rm -rf '%s'", f->dir) > 0) {
		if (system(cmd) != 0) {
			/* leave it */
		}
		free(cmd);
	}
	free(f->dir);
	free(f);
	return 0;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1)
		;
}

/* Runs sql on the database behind the stores, from outside them. */
static void
raw_exec(const struct fix *f, const char *sql)
{
	assert_int_equal(unit_store_exec(f->dir, sql), 0);
}

static void
one_holder_at_a_time(void **state)
{
	struct fix *f = *state;
	struct store_lease h;

	assert_int_equal(store_lease_get(f->a, "site:x", &h), 1);
	assert_int_equal(store_lease_acquire(f->a, "site:x", "A", 60000, &h),
	    0);
	/* B is refused, and told who holds it until when */
	assert_int_equal(store_lease_acquire(f->b, "site:x", "B", 60000, &h),
	    1);
	assert_string_equal(h.owner, "A");
	assert_true(h.expires_ms > h.heartbeat_ms);
	/* the holder taking it again is a renewal, acquired_ms kept */
	assert_int_equal(store_lease_acquire(f->a, "site:x", "A", 60000, NULL),
	    0);
	assert_int_equal(store_lease_get(f->b, "site:x", &h), 0);
	assert_string_equal(h.owner, "A");
	/* another name is another lease */
	assert_int_equal(store_lease_acquire(f->b, "site:y", "B", 60000, NULL),
	    0);
}

static void
renew_moves_the_expiry_only_for_its_holder(void **state)
{
	struct fix *f = *state;
	struct store_lease h1, h2;

	assert_int_equal(store_lease_acquire(f->a, "site:x", "A", 60000, NULL),
	    0);
	assert_int_equal(store_lease_get(f->a, "site:x", &h1), 0);
	sleep_ms(20);
	assert_int_equal(store_lease_renew(f->a, "site:x", "A", 60000), 0);
	assert_int_equal(store_lease_get(f->a, "site:x", &h2), 0);
	assert_true(h2.expires_ms > h1.expires_ms);
	assert_true(h2.heartbeat_ms > h1.heartbeat_ms);
	assert_int_equal(h2.acquired_ms, h1.acquired_ms);
	/* B never held it: its renewal is refused and changes nothing */
	assert_int_equal(store_lease_renew(f->b, "site:x", "B", 60000), 1);
	assert_int_equal(store_lease_get(f->a, "site:x", &h1), 0);
	assert_string_equal(h1.owner, "A");
	assert_int_equal(h1.expires_ms, h2.expires_ms);
	/* nor is a lease never taken renewed into being */
	assert_int_equal(store_lease_renew(f->a, "site:none", "A", 60000), 1);
	assert_int_equal(store_lease_get(f->a, "site:none", &h1), 1);
}

static void
expired_lease_is_taken_over_and_the_stale_owner_refused(void **state)
{
	struct fix *f = *state;
	struct store_lease h;

	assert_int_equal(store_lease_acquire(f->a, "site:x", "A", 100, NULL),
	    0);
	assert_int_equal(store_lease_acquire(f->b, "site:x", "B", 100, NULL),
	    1);
	sleep_ms(150);		/* A's heartbeat stopped (kill -9) */
	assert_int_equal(store_lease_acquire(f->b, "site:x", "B", 60000, &h),
	    0);
	assert_int_equal(store_lease_get(f->a, "site:x", &h), 0);
	assert_string_equal(h.owner, "B");
	/* A comes back: its renewal and its taking are both refused */
	assert_int_equal(store_lease_renew(f->a, "site:x", "A", 60000), 1);
	assert_int_equal(store_lease_acquire(f->a, "site:x", "A", 60000, &h),
	    1);
	assert_string_equal(h.owner, "B");
}

static void
expired_lease_nobody_took_is_still_its_owners(void **state)
{
	struct fix *f = *state;

	assert_int_equal(store_lease_acquire(f->a, "site:x", "A", 50, NULL),
	    0);
	sleep_ms(100);
	assert_int_equal(store_lease_renew(f->a, "site:x", "A", 60000), 0);
	assert_int_equal(store_lease_acquire(f->b, "site:x", "B", 60000, NULL),
	    1);
}

static void
release_lets_a_standby_take_it_at_once(void **state)
{
	struct fix *f = *state;

	assert_int_equal(store_lease_acquire(f->a, "site:x", "A", 60000, NULL),
	    0);
	/* only the holder's release counts */
	assert_int_equal(store_lease_release(f->b, "site:x", "B"), 0);
	assert_int_equal(store_lease_acquire(f->b, "site:x", "B", 60000, NULL),
	    1);
	assert_int_equal(store_lease_release(f->a, "site:x", "A"), 0);
	assert_int_equal(store_lease_acquire(f->b, "site:x", "B", 60000, NULL),
	    0);
	assert_int_equal(store_lease_renew(f->a, "site:x", "A", 60000), 1);
}

static void
take_from_only_the_named_gone_holder(void **state)
{
	struct fix *f = *state;
	struct store_lease h;

	assert_int_equal(store_lease_acquire(f->a, "site:x", "A1", 60000,
	    NULL), 0);
	/* A1 is gone (A2 has its state_dir): A2 takes it, unexpired */
	assert_int_equal(store_lease_take_from(f->b, "site:x", "A1", "A2",
	    60000), 0);
	assert_int_equal(store_lease_get(f->a, "site:x", &h), 0);
	assert_string_equal(h.owner, "A2");
	assert_int_equal(store_lease_renew(f->a, "site:x", "A1", 60000), 1);
	/* from an owner that is not the holder: nothing changes */
	assert_int_equal(store_lease_take_from(f->a, "site:x", "A1", "A3",
	    60000), 1);
	assert_int_equal(store_lease_get(f->a, "site:x", &h), 0);
	assert_string_equal(h.owner, "A2");
	/* nor is a lease never taken made this way */
	assert_int_equal(store_lease_take_from(f->a, "site:y", "", "A3",
	    60000), 1);
	assert_int_equal(store_lease_get(f->a, "site:y", &h), 1);
}

static void
live_says_held_expired_released_or_never(void **state)
{
	struct fix *f = *state;
	struct store_lease h;
	int64_t ago;

	assert_int_equal(store_lease_live(f->a, "site:x", &h, &ago), 0);
	assert_string_equal(h.owner, "");
	assert_int_equal(ago, -1);
	assert_int_equal(store_lease_acquire(f->a, "site:x", "A", 60000, NULL),
	    0);
	assert_int_equal(store_lease_live(f->b, "site:x", &h, &ago), 1);
	assert_string_equal(h.owner, "A");
	assert_int_equal(ago, -1);
	assert_int_equal(store_lease_acquire(f->a, "site:y", "A", 50, NULL),
	    0);
	sleep_ms(150);
	assert_int_equal(store_lease_live(f->b, "site:y", &h, &ago), 0);
	assert_string_equal(h.owner, "A");
	assert_true(ago >= 90 && ago < 60000);
	assert_int_equal(store_lease_release(f->a, "site:x", "A"), 0);
	assert_int_equal(store_lease_live(f->b, "site:x", &h, &ago), 0);
	assert_int_equal(h.expires_ms, 0);
}

/* ---- two instances racing ---------------------------------------------- */

struct racer {
	struct store	*st;
	const char	*owner;
	pthread_barrier_t *go;
	int		 won;
};

static void *
racer_main(void *arg)
{
	struct racer *r = arg;
	char name[32];
	int i;

	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "site:race%d", i);
		pthread_barrier_wait(r->go);
		if (store_lease_acquire(r->st, name, r->owner, 60000, NULL) == 0)
			r->won++;
	}
	return NULL;
}

static void
of_two_racing_instances_exactly_one_wins(void **state)
{
	struct fix *f = *state;
	pthread_barrier_t go;
	struct racer ra = { f->a, "A", &go, 0 }, rb = { f->b, "B", &go, 0 };
	pthread_t ta, tb;
	struct store_lease h;
	int i, a = 0, b = 0;

	pthread_barrier_init(&go, NULL, 2);
	assert_int_equal(pthread_create(&ta, NULL, racer_main, &ra), 0);
	assert_int_equal(pthread_create(&tb, NULL, racer_main, &rb), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&go);
	assert_int_equal(ra.won + rb.won, 50);
	for (i = 0; i < 50; i++) {
		char name[32];

		snprintf(name, sizeof(name), "site:race%d", i);
		assert_int_equal(store_lease_get(f->a, name, &h), 0);
		if (strcmp(h.owner, "A") == 0)
			a++;
		else if (strcmp(h.owner, "B") == 0)
			b++;
	}
	assert_int_equal(a, ra.won);
	assert_int_equal(b, rb.won);
}

/* ---- the queue of another site's actions (store_site_action.h) ----------- */

static void
queued_action_is_taken_once_by_its_sites_instance(void **state)
{
	struct fix *f = *state;
	struct site_action a;
	int64_t id1, id2;

	assert_int_equal(store_site_action_add(f->a, "west", "arm", "h1",
	    "wipe", &id1), 0);
	assert_int_equal(store_site_action_add(f->a, "west", "disarm", "h2",
	    "", &id2), 0);
	assert_true(id2 > id1);
	/* another site's instance finds nothing for its own */
	assert_int_equal(store_site_action_take(f->b, "east", "E1", &a), 1);
	/* oldest first, each once */
	assert_int_equal(store_site_action_take(f->b, "west", "W1", &a), 0);
	assert_int_equal(a.id, id1);
	assert_string_equal(a.action, "arm");
	assert_string_equal(a.target, "h1");
	assert_string_equal(a.args, "wipe");
	assert_string_equal(a.taken_by, "W1");
	assert_int_equal(store_site_action_finish(f->b, id1, 200, "ok: armed"), 0);
	assert_int_equal(store_site_action_take(f->b, "west", "W1", &a), 0);
	assert_int_equal(a.id, id2);
	/* W1 dies before finishing it: the next holder of west's lease
	 * takes it again; W1 itself does not take its own twice */
	assert_int_equal(store_site_action_take(f->b, "west", "W1", &a), 1);
	assert_int_equal(store_site_action_take(f->a, "west", "W2", &a), 0);
	assert_int_equal(a.id, id2);
	assert_int_equal(store_site_action_finish(f->a, id2, 409,
	    "refused: not armed"), 0);
	assert_int_equal(store_site_action_take(f->a, "west", "W3", &a), 1);
	assert_int_equal(store_site_action_get(f->b, id1, &a), 0);
	assert_string_equal(a.result, "ok: armed");
	assert_int_equal(a.status, 200);
	assert_true(a.done_ms > 0);
	assert_int_equal(store_site_action_get(f->b, id2, &a), 0);
	assert_int_equal(a.status, 409);
	/* a request's body goes with the action, as the API got it */
	assert_int_equal(store_site_action_add(f->a, "west", "upgrade", "p1",
	    "{\"dry_run\": false, \"placement\": \"leave\"}", &id1), 0);
	assert_int_equal(store_site_action_get(f->b, id1, &a), 0);
	assert_string_equal(a.args, "{\"dry_run\": false, \"placement\": "
	    "\"leave\"}");
	assert_int_equal(a.status, 0);
	assert_int_equal(store_site_action_get(f->b, id2 + 100, &a), 1);
}

/* ---- lease.h: acting, the deadline, the database gone -------------------- */

static int lost_calls;

static void
count_lost(void *arg)
{
	(void)arg;
	lost_calls++;
}

static void
take(struct lease *l)
{
	sigset_t none;
	int sig = 0;

	sigemptyset(&none);
	assert_int_equal(lease_wait(l, &none, &sig), 0);
}

/* lease_wait with SIGUSR1 pending: 0 when it took the lease at its first
 * try, 1 when it would have stood by (the signal ended the wait). */
static int
wait_once(struct lease *l)
{
	sigset_t set, old;
	int sig = 0, rc;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	raise(SIGUSR1);
	rc = lease_wait(l, &set, &sig);
	if (rc == 0) {
		/* took it: the pending signal must not outlive the test */
		struct timespec zero = { 0, 0 };

		(void)sigtimedwait(&set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static void
restart_on_its_state_dir_takes_the_gone_holders_lease_at_once(void **state)
{
	struct fix *f = *state;
	struct lease *l1, *l2, *l3;
	struct store_lease h;
	char *idf;
	FILE *fp;

	assert_true(asprintf(&idf, "%s/lease.id", f->dir) > 0);
	/* the first instance on this state_dir: takes it, writes its id */
	assert_int_equal(lease_new(f->a, "east", 60000, &l1), 0);
	assert_int_equal(lease_set_id_file(l1, idf), 0);
	assert_int_equal(wait_once(l1), 0);
	assert_non_null(fp = fopen(idf, "r"));
	{
		char line[200] = "";

		assert_non_null(fgets(line, sizeof(line), fp));
		line[strcspn(line, "\n")] = '\0';
		assert_string_equal(line, lease_instance(l1));
	}
	fclose(fp);
	/* killed (-9): its lease is held for another minute. A standby of
	 * another state_dir waits ... */
	assert_int_equal(lease_new(f->b, "east", 60000, &l3), 0);
	assert_int_equal(wait_once(l3), 1);
	/* ... the instance restarted on its state_dir takes it at once */
	assert_int_equal(lease_new(f->b, "east", 60000, &l2), 0);
	assert_int_equal(lease_set_id_file(l2, idf), 0);
	assert_int_equal(wait_once(l2), 0);
	assert_int_equal(lease_may_act(l2), 1);
	assert_int_equal(store_lease_get(f->a, "site:east", &h), 0);
	assert_string_equal(h.owner, lease_instance(l2));
	/* the old one never renews it again */
	assert_int_equal(lease_renew_now(l1), 1);
	assert_int_equal(lease_lost(l1), 1);
	/* an id file naming another instance than the holder: stand by */
	assert_non_null(fp = fopen(idf, "w"));
	assert_true(fputs("east/other/1/000000000000\n", fp) >= 0);
	fclose(fp);
	assert_int_equal(lease_set_id_file(l3, idf), 0);
	assert_int_equal(wait_once(l3), 1);
	lease_free(l3);
	lease_free(l1);
	lease_free(l2);
	/* the unnamed site (no [server] site, a shared database) */
	assert_int_equal(lease_new(f->a, "", 60000, &l1), 0);
	assert_string_equal(lease_name(l1), "site:(none)");
	lease_free(l1);
	free(idf);
}

static void
instance_ids_differ_and_name_the_site(void **state)
{
	struct fix *f = *state;
	struct lease *l1, *l2;

	assert_int_equal(lease_new(f->a, "east", 15000, &l1), 0);
	assert_int_equal(lease_new(f->b, "east", 15000, &l2), 0);
	assert_string_equal(lease_name(l1), "site:east");
	assert_memory_equal(lease_instance(l1), "east/", 5);
	assert_string_not_equal(lease_instance(l1), lease_instance(l2));
	/* nothing held before lease_wait: no acting */
	assert_int_equal(lease_may_act(l1), 0);
	assert_int_equal(lease_may_act(NULL), 1);	/* no site */
	lease_free(l1);
	lease_free(l2);
}

static void
holder_stops_acting_at_its_deadline_and_acts_again_when_back(void **state)
{
	struct fix *f = *state;
	struct store_lease h;
	struct lease *l;

	assert_int_equal(lease_new(f->a, "east", 500, &l), 0);
	take(l);
	assert_int_equal(lease_may_act(l), 1);
	/* the database gone: renewals fail, acting goes on only until the
	 * deadline (lease minus a fifth), before the lease could expire */
	raw_exec(f, "ALTER TABLE leases RENAME TO leases_away");
	assert_int_equal(lease_renew_now(l), -1);
	assert_int_equal(lease_may_act(l), 1);
	sleep_ms(420);
	assert_int_equal(lease_may_act(l), 0);
	assert_int_equal(lease_lost(l), 0);
	/* back, and the lease still this instance's (nobody took it, even
	 * though it expired): acting again */
	raw_exec(f, "ALTER TABLE leases_away RENAME TO leases");
	sleep_ms(200);
	assert_int_equal(store_lease_get(f->b, "site:east", &h), 0);
	assert_true(h.expires_ms <= util_now_ms());
	assert_int_equal(lease_renew_now(l), 0);
	assert_int_equal(lease_may_act(l), 1);
	assert_int_equal(lease_lost(l), 0);
	lease_free(l);
	/* freed: released, a standby takes it at once */
	assert_int_equal(store_lease_acquire(f->b, "site:east", "B", 60000,
	    NULL), 0);
}

static void
standby_takes_over_and_the_old_holder_never_acts_again(void **state)
{
	struct fix *f = *state;
	struct lease *la, *lb;

	lost_calls = 0;
	assert_int_equal(lease_new(f->a, "east", 400, &la), 0);
	assert_int_equal(lease_new(f->b, "east", 400, &lb), 0);
	take(la);
	assert_int_equal(lease_start(la, count_lost, NULL), 0);
	/* A's heartbeat keeps it: B cannot take it meanwhile */
	assert_int_equal(store_lease_acquire(f->b, "site:east",
	    lease_instance(lb), 400, NULL), 1);
	sleep_ms(900);
	assert_int_equal(store_lease_acquire(f->b, "site:east",
	    lease_instance(lb), 400, NULL), 1);
	assert_int_equal(lease_may_act(la), 1);
	/* A cut off from the database (its heartbeat fails): it stops
	 * acting before B can take over; B waits for the expiry */
	raw_exec(f, "ALTER TABLE leases RENAME TO leases_away");
	sleep_ms(400);
	assert_int_equal(lease_may_act(la), 0);
	raw_exec(f, "ALTER TABLE leases_away RENAME TO leases");
	take(lb);
	assert_int_equal(lease_may_act(lb), 1);
	/* the old holder: the renewal refused, on_lost once, never again */
	assert_int_equal(lease_renew_now(la), 1);
	assert_int_equal(lease_lost(la), 1);
	assert_int_equal(lease_may_act(la), 0);
	assert_int_equal(lost_calls >= 1, 1);
	lease_free(la);		/* does not release B's lease */
	assert_int_equal(lease_renew_now(lb), 0);
	assert_int_equal(lease_may_act(lb), 1);
	lease_free(lb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    take_from_only_the_named_gone_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    live_says_held_expired_released_or_never, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    restart_on_its_state_dir_takes_the_gone_holders_lease_at_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(one_holder_at_a_time, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    renew_moves_the_expiry_only_for_its_holder, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    expired_lease_is_taken_over_and_the_stale_owner_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    expired_lease_nobody_took_is_still_its_owners, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    release_lets_a_standby_take_it_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    of_two_racing_instances_exactly_one_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    queued_action_is_taken_once_by_its_sites_instance, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    instance_ids_differ_and_name_the_site, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    holder_stops_acting_at_its_deadline_and_acts_again_when_back,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    standby_takes_over_and_the_old_holder_never_acts_again,
		    setup, teardown),
	};

	log_init("test_lease", PB_LOG_INFO, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
