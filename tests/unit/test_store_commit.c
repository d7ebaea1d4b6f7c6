/* test_store_commit.c — answerfile fetches counted in batches
 * (store_commit.h): every fetch counted exactly once and durable, many
 * fetches per transaction under concurrency, nothing written for an
 * arming that has ended, everything queued written at close. */
#include "unit.h"
#include "unit_store.h"

#include <pthread.h>

#include "config.h"
#include "log.h"
#include "store.h"
#include "store_db.h"

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

#define NARM		4
#define NTHREADS	8
#define PER_THREAD	60

struct fix {
	char		*tmp;
	struct store	*st;
	int64_t		 id[NARM];
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	char host[16], hash[65];
	int i;

	assert_non_null(f);
	assert_non_null(f->tmp = unit_tmpdir());
	assert_int_equal(unit_store_open(f->tmp, 0, &f->st), 0);
	for (i = 0; i < NARM; i++) {
		snprintf(host, sizeof(host), "h%d", i);
		snprintf(hash, sizeof(hash), "%s", HASH_A);
		hash[0] = (char)('0' + i);
		assert_int_equal(store_arm(f->st, host, hash, MODE_UPGRADE,
		    100, &f->id[i]), 0);
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	char *cmd;

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

static void
fetch_init(struct store_fetch *sf, int64_t id, const char *msg)
{
	memset(sf, 0, sizeof(*sf));
	sf->arming_id = id;
	sf->now = 200;
	snprintf(sf->pool, sizeof(sf->pool), "p");
	snprintf(sf->kind, sizeof(sf->kind), "fetch");
	snprintf(sf->message, sizeof(sf->message), "%s", msg);
}

static int
attempts_of(struct store *st, const char *host)
{
	struct arming a;

	assert_int_equal(store_active_arming(st, host, &a), 0);
	return a.attempts;
}

static int
count_event(const struct event *ev, void *arg)
{
	if (strcmp(ev->kind, "fetch") == 0)
		(*(int *)arg)++;
	return 0;
}

static int
fetch_events(struct store *st, const char *host)
{
	struct event_query q = { .host = host, .limit = 1000 };
	int n = 0;

	assert_int_equal(store_events(st, &q, count_event, &n), 0);
	return n;
}

static void
one_fetch_is_counted_with_host_state_and_event(void **state)
{
	struct fix *f = *state;
	struct store_fetch sf;
	struct host_status hs;
	struct event_query q = { .host = "h0", .limit = 1 };

	fetch_init(&sf, f->id[0], "upgrade answerfile served (fetch 1 of 3)");
	assert_int_equal(store_commit_count(f->st, &sf), STORE_FETCH_COUNTED);
	assert_int_equal(sf.attempts, 1);
	assert_int_equal(attempts_of(f->st, "h0"), 1);
	assert_int_equal(store_host_status(f->st, "h0", &hs), 0);
	assert_int_equal(hs.state, HOST_INSTALLING);
	assert_string_equal(hs.last_event, "fetch: upgrade answerfile served "
	    "(fetch 1 of 3)");
	(void)q;
	assert_int_equal(fetch_events(f->st, "h0"), 1);
	assert_int_equal(hs.updated_at, 200);
	fetch_init(&sf, f->id[0], "again");
	sf.now = 300;
	assert_int_equal(store_commit_count(f->st, &sf), STORE_FETCH_COUNTED);
	assert_int_equal(sf.attempts, 2);
	/* the host's state did not change: its row is not written again
	 * (updated_at is when it became installing); the fetch's time is
	 * the arming's last_fetch_at and its event's */
	assert_int_equal(store_host_status(f->st, "h0", &hs), 0);
	assert_int_equal(hs.state, HOST_INSTALLING);
	assert_int_equal(hs.updated_at, 200);
	assert_string_equal(hs.last_event, "fetch: again");
	assert_int_equal(fetch_events(f->st, "h0"), 2);
}

static void
ended_arming_is_not_counted_and_keeps_its_result(void **state)
{
	struct fix *f = *state;
	struct store_fetch sf;
	struct host_status hs;
	struct arming a;

	assert_int_equal(store_arming_finish(f->st, f->id[1], "done", "ok",
	    150), 0);
	fetch_init(&sf, f->id[1], "late");
	assert_int_equal(store_commit_count(f->st, &sf),
	    STORE_FETCH_INACTIVE);
	assert_int_equal(store_arming_by_hash(f->st, "h1",
	    "1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    &a), 0);
	assert_int_equal(a.attempts, 0);
	assert_int_equal(store_host_status(f->st, "h1", &hs), 0);
	assert_int_equal(hs.state, HOST_DONE);		/* not installing */
	assert_int_equal(fetch_events(f->st, "h1"), 0);
}

struct worker {
	struct store	*st;
	int64_t		 id;
	int		 counted, bad;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct store_fetch sf;
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		fetch_init(&sf, w->id, "concurrent");
		if (store_commit_count(w->st, &sf) == STORE_FETCH_COUNTED &&
		    sf.attempts >= 1)
			w->counted++;
		else
			w->bad++;
	}
	return NULL;
}

static void
concurrent_fetches_share_transactions_and_all_count(void **state)
{
	struct fix *f = *state;
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];
	uint64_t ntx = 0, nf = 0;
	char host[16];
	int i, want[NARM] = { 0 };

	for (i = 0; i < NTHREADS; i++) {
		w[i].st = f->st;
		w[i].id = f->id[i % NARM];
		w[i].counted = w[i].bad = 0;
		assert_int_equal(pthread_create(&th[i], NULL, worker_main,
		    &w[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].bad, 0);
		want[i % NARM] += w[i].counted;
	}
	store_commit_stats(f->st, &ntx, &nf);
	assert_int_equal(nf, NTHREADS * PER_THREAD);
	/* batches formed: fewer transactions than fetches */
	assert_true(ntx < nf);
	/* durable: the counts after a restart */
	store_close(f->st);
	assert_int_equal(unit_store_open(f->tmp, 0, &f->st), 0);
	for (i = 0; i < NARM; i++) {
		snprintf(host, sizeof(host), "h%d", i);
		assert_int_equal(attempts_of(f->st, host), want[i]);
		assert_int_equal(fetch_events(f->st, host), want[i]);
	}
}

static int landed;

static void
count_landed(struct store_fetch *sf)
{
	assert_int_equal(sf->result, STORE_FETCH_COUNTED);
	landed++;
	free(sf);
}

static void
queued_fetches_are_written_at_close(void **state)
{
	struct fix *f = *state;
	struct store_fetch *sf;
	int i;

	landed = 0;
	for (i = 0; i < 50; i++) {
		assert_non_null(sf = malloc(sizeof(*sf)));
		fetch_init(sf, f->id[2], "queued");
		sf->done = count_landed;
		assert_int_equal(store_commit_queue(f->st, sf), 0);
	}
	store_close(f->st);
	assert_int_equal(landed, 50);
	assert_int_equal(unit_store_open(f->tmp, 0, &f->st), 0);
	assert_int_equal(attempts_of(f->st, "h2"), 50);
}

static void
readonly_store_refuses_to_count(void **state)
{
	struct fix *f = *state;
	struct store *ro = NULL;
	struct store_fetch sf;

	assert_int_equal(unit_store_open(f->tmp, 1, &ro), 0);
	fetch_init(&sf, f->id[3], "ro");
	assert_int_equal(store_commit_count(ro, &sf), STORE_FETCH_ERROR);
	store_close(ro);
	assert_int_equal(attempts_of(f->st, "h3"), 0);
}

/* A queued fetch's done: counts it. */
static void
queued_done(struct store_fetch *sf)
{
	__atomic_add_fetch((int *)sf->arg, 1, __ATOMIC_SEQ_CST);
}

struct queuer {
	struct store		*st;
	struct store_fetch	*sf;
	int			 n;
	int			 queued;	/* all n queued */
};

static void *
queuer_main(void *arg)
{
	struct queuer *q = arg;
	int i;

	for (i = 0; i < q->n; i++)
		assert_int_equal(store_commit_queue(q->st, &q->sf[i]), 0);
	__atomic_store_n(&q->queued, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* While a commit holds the store's mutex (its fsync), HTTP threads go on
 * queueing fetches: they all land in the next transaction, which is
 * what makes batches (before, each queue call waited for the commit in
 * progress, and every transaction had one fetch). */
static void
queueing_does_not_wait_for_a_commit_in_progress(void **state)
{
	struct fix *f = *state;
	struct store_fetch sf[20], first;
	struct queuer q = { .st = f->st, .sf = sf, .n = 20 };
	uint64_t tx0, n0, tx, n;
	pthread_t th;
	int i, done = 0;

	/* the committer runs (its first transaction is behind us) */
	fetch_init(&first, f->id[0], "first");
	assert_int_equal(store_commit_count(f->st, &first),
	    STORE_FETCH_COUNTED);
	store_commit_stats(f->st, &tx0, &n0);
	for (i = 0; i < 20; i++) {
		fetch_init(&sf[i], f->id[i % NARM], "queued");
		sf[i].done = queued_done;
		sf[i].arg = &done;
	}
	store_db_lock(f->st);		/* as the committer in its fsync */
	assert_int_equal(pthread_create(&th, NULL, queuer_main, &q), 0);
	for (i = 0; i < 200 && !__atomic_load_n(&q.queued, __ATOMIC_SEQ_CST);
	    i++)
		usleep(10000);
	assert_true(__atomic_load_n(&q.queued, __ATOMIC_SEQ_CST));
	store_db_unlock(f->st);
	pthread_join(th, NULL);
	for (i = 0; i < 500 && __atomic_load_n(&done, __ATOMIC_SEQ_CST) < 20;
	    i++)
		usleep(10000);
	assert_int_equal(done, 20);
	for (i = 0; i < 20; i++)
		assert_int_equal(sf[i].result, STORE_FETCH_COUNTED);
	store_commit_stats(f->st, &tx, &n);
	assert_int_equal(n - n0, 20);
	assert_true(tx - tx0 <= 2);	/* the committer may have taken the
					 * first one alone */
}

/* A fetch of landed_once_per_transaction. */
struct lrec {
	int	 done;		/* its done ran */
	int	 seen;		/* times a landed of its own saw it */
};

static int landed_calls[2], landed_bad, ndone;

/* landed of kind k: every own fetch of the batch has its result and no
 * done has run for it yet. */
static void
landed_k(struct store_fetch *batch, void (*self)(struct store_fetch *),
    int k)
{
	struct store_fetch *sf;
	struct lrec *r;

	__atomic_add_fetch(&landed_calls[k], 1, __ATOMIC_SEQ_CST);
	for (sf = batch; sf != NULL; sf = sf->next) {
		if (sf->landed != self)
			continue;
		r = sf->arg;
		if (r->done || sf->result != STORE_FETCH_COUNTED)
			__atomic_add_fetch(&landed_bad, 1, __ATOMIC_SEQ_CST);
		r->seen++;
	}
}

static void
landed_a(struct store_fetch *batch)
{
	landed_k(batch, landed_a, 0);
}

static void
landed_b(struct store_fetch *batch)
{
	landed_k(batch, landed_b, 1);
}

static void
landed_done(struct store_fetch *sf)
{
	((struct lrec *)sf->arg)->done = 1;
	__atomic_add_fetch(&ndone, 1, __ATOMIC_SEQ_CST);
}

/* landed (arm_fetch.c: one lock of arm's mutex per batch) is called once
 * per transaction for each distinct hook, with the whole batch, after
 * the commit and before any done of it; fetches without one are left
 * alone. 12 fetches with hook a, 3 with b, 1 with none, queued while a
 * commit holds the store: a few transactions, so far fewer calls than
 * fetches, and every fetch seen exactly once by its own hook. */
static void
landed_once_per_transaction(void **state)
{
	struct fix *f = *state;
	struct store_fetch sf[16], first;
	struct lrec rec[16];
	uint64_t tx0, n0, tx, n;
	int i;

	fetch_init(&first, f->id[0], "first");
	assert_int_equal(store_commit_count(f->st, &first),
	    STORE_FETCH_COUNTED);
	store_commit_stats(f->st, &tx0, &n0);
	memset(rec, 0, sizeof(rec));
	store_db_lock(f->st);		/* as the committer in its fsync */
	for (i = 0; i < 16; i++) {
		fetch_init(&sf[i], f->id[i % NARM], "queued");
		sf[i].done = landed_done;
		sf[i].landed = i < 12 ? landed_a : i < 15 ? landed_b : NULL;
		sf[i].arg = &rec[i];
		assert_int_equal(store_commit_queue(f->st, &sf[i]), 0);
	}
	store_db_unlock(f->st);
	for (i = 0; i < 500 && __atomic_load_n(&ndone, __ATOMIC_SEQ_CST) < 16;
	    i++)
		usleep(10000);
	assert_int_equal(ndone, 16);
	store_commit_stats(f->st, &tx, &n);
	assert_int_equal(n - n0, 16);
	assert_int_equal(landed_bad, 0);
	for (i = 0; i < 16; i++) {
		assert_int_equal(rec[i].done, 1);
		assert_int_equal(rec[i].seen, i < 15 ? 1 : 0);
		assert_int_equal(sf[i].result, STORE_FETCH_COUNTED);
	}
	/* the committer may have taken the first queued one alone */
	assert_true(tx - tx0 <= 2);
	assert_true(landed_calls[0] >= 1 &&
	    (uint64_t)landed_calls[0] <= tx - tx0);
	assert_true(landed_calls[1] >= 1 &&
	    (uint64_t)landed_calls[1] <= tx - tx0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    one_fetch_is_counted_with_host_state_and_event, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    ended_arming_is_not_counted_and_keeps_its_result, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    concurrent_fetches_share_transactions_and_all_count, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    queued_fetches_are_written_at_close, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    readonly_store_refuses_to_count, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    queueing_does_not_wait_for_a_commit_in_progress, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    landed_once_per_transaction, setup, teardown),
	};

	log_init("test_store_commit", -1, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
