/* store_commit.c — answerfile fetches counted in batches; see
 * store_commit.h.
 *
 * Lock order: gc->mu is never held while taking the store's mutex or
 * calling done; the committer takes the store's mutex (store_db_lock)
 * for one transaction at a time, so the store's other writers wait at
 * most one batch.
 */
#include "store_commit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "state.h"
#include "store_db.h"
#include "util.h"

enum store_commit_sql {
	SC_FETCHED,		/* attempts + 1 of an active arming */
	SC_HOST,		/* its host to installing, if not yet */
	SC_EVENT,		/* its event */
	SC_COUNT
};

static const char *const store_commit_sqls[SC_COUNT] = {
	[SC_FETCHED] =
	    ("UPDATE armings SET attempts = attempts + 1,"
	    " first_fetch_at = CASE first_fetch_at WHEN 0 THEN ?2"
	    " ELSE first_fetch_at END, last_fetch_at = ?2"
	    " WHERE id = ?1 AND active = 1 RETURNING attempts, host"),
	/* a page written only when the state changes (the first fetch of
	 * an arming): the fetch's own time is in the arming and its event */
	[SC_HOST] =
	    ("UPDATE hosts SET state = ?2, updated_at = ?3"
	    " WHERE name = ?1 AND state <> ?2"),
	[SC_EVENT] =
	    ("INSERT INTO events(ts, host, pool, kind, message)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)"),
};

struct store_commit {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct store_fetch *head, *tail;	/* queued, oldest first */
	int		 started;		/* th runs */
	int		 stop;
	pthread_t	 th;
	/* the committer's statements (under the store's mutex) */
	struct store_stmt *s[SC_COUNT];
	uint64_t	 ntx, nfetch;		/* under mu */
};

/* One fetch of the open transaction: counted (its host and event
 * written), or STORE_FETCH_INACTIVE. -1 on a database error. */
static int
store_commit_one(struct store *st, struct store_commit *gc,
    struct store_fetch *f)
{
	struct store_stmt *s = gc->s[SC_FETCHED];
	enum store_db_step rc;
	char host[64];

	store_db_reset(s);
	store_db_bind_int64(s, 1, f->arming_id);
	store_db_bind_int64(s, 2, f->now);
	if ((rc = store_db_step(s)) == STORE_DB_DONE) {
		f->result = STORE_FETCH_INACTIVE;
		return 0;
	}
	if (rc != STORE_DB_ROW) {
		store_db_err(st, "count fetch");
		return -1;
	}
	f->attempts = store_db_col_int(s, 0);
	store_db_col_text(s, 1, host, sizeof(host));
	if (store_db_step(s) != STORE_DB_DONE) {
		store_db_err(st, "count fetch");
		return -1;
	}
	store_db_reset(s);
	s = gc->s[SC_HOST];
	store_db_reset(s);
	store_db_bind_text(s, 1, host);
	store_db_bind_text(s, 2, state_host_name(HOST_INSTALLING));
	store_db_bind_int64(s, 3, f->now);
	if (store_db_step(s) != STORE_DB_DONE) {
		store_db_err(st, "count fetch: host state");
		return -1;
	}
	s = gc->s[SC_EVENT];
	store_db_reset(s);
	store_db_bind_int64(s, 1, f->now);
	store_db_bind_text(s, 2, host);
	store_db_bind_text(s, 3, f->pool);
	store_db_bind_text(s, 4, f->kind);
	store_db_bind_text(s, 5, f->message);
	if (store_db_step(s) != STORE_DB_DONE) {
		store_db_err(st, "count fetch: event");
		return -1;
	}
	f->result = STORE_FETCH_COUNTED;
	return 0;
}

/* Writes batch (a list) in one transaction (synchronous=FULL: on disk
 * when COMMIT returns) and sets each fetch's result. */
static void
store_commit_batch(struct store *st, struct store_commit *gc,
    struct store_fetch *batch)
{
	struct store_fetch *f;
	int i, ret = -1;

	store_db_lock(st);
	for (i = 0; i < SC_COUNT; i++)
		if (gc->s[i] == NULL &&
		    (gc->s[i] = store_db_prep(st, store_commit_sqls[i])) == NULL)
			goto out;
	if (store_db_begin(st) == -1)
		goto out;
	for (f = batch; f != NULL; f = f->next)
		if (store_commit_one(st, gc, f) == -1)
			goto out;
	if (store_db_commit(st) == -1)
		goto out;
	ret = 0;
out:
	for (i = 0; i < SC_COUNT; i++)
		if (gc->s[i] != NULL)
			store_db_reset(gc->s[i]);
	if (ret == -1) {
		store_db_rollback(st);
		for (f = batch; f != NULL; f = f->next) {
			f->result = STORE_FETCH_ERROR;
			f->attempts = 0;
		}
	}
	store_db_unlock(st);
}

/* The end of batch's transaction: each distinct landed once with the
 * whole batch, then every fetch's done (which may free it). */
static void
store_commit_landed(struct store_fetch *batch)
{
	struct store_fetch *f, *g, *next;

	for (f = batch; f != NULL; f = f->next) {
		if (f->landed == NULL)
			continue;
		/* the first fetch with this landed calls it (with a single
		 * landed in the batch, g stops at once for every f) */
		for (g = batch; g != f && g->landed != f->landed; g = g->next)
			;
		if (g == f)
			f->landed(batch);
	}
	for (f = batch; f != NULL; f = next) {
		next = f->next;
		f->next = NULL;
		f->done(f);		/* may free f */
	}
}

static void *
store_commit_main(void *arg)
{
	struct store *st = arg;
	struct store_commit *gc = st->gc;
	struct store_fetch *batch, *f;
	uint64_t n;

	pthread_mutex_lock(&gc->mu);
	for (;;) {
		while (gc->head == NULL && !gc->stop)
			pthread_cond_wait(&gc->cv, &gc->mu);
		if ((batch = gc->head) == NULL)
			break;			/* stopping, nothing queued */
		gc->head = gc->tail = NULL;
		pthread_mutex_unlock(&gc->mu);
		/* everything queued so far, in one transaction: while it is
		 * on its way to the disk the next batch queues up */
		store_commit_batch(st, gc, batch);
		for (n = 0, f = batch; f != NULL; f = f->next)
			n++;
		pthread_mutex_lock(&gc->mu);	/* counted before anyone wakes */
		gc->ntx++;
		gc->nfetch += n;
		pthread_mutex_unlock(&gc->mu);
		store_commit_landed(batch);
		pthread_mutex_lock(&gc->mu);
	}
	pthread_mutex_unlock(&gc->mu);
	return NULL;
}

/* Serialises the first use of every store's gc (store_commit_get). */
static pthread_mutex_t store_commit_init_mu = PTHREAD_MUTEX_INITIALIZER;

/* st->gc, made on first use; NULL when out of memory (logged). Never
 * takes the store's mutex: the committer holds it while a commit is on
 * its way to the disk, and a fetch that waited for it here would keep
 * its HTTP thread from queueing the next ones (one fetch per
 * transaction, no batch). */
static struct store_commit *
store_commit_get(struct store *st)
{
	struct store_commit *gc;

	if ((gc = __atomic_load_n(&st->gc, __ATOMIC_ACQUIRE)) != NULL)
		return gc;
	pthread_mutex_lock(&store_commit_init_mu);
	if ((gc = st->gc) == NULL) {
		if ((gc = calloc(1, sizeof(*gc))) == NULL)
			log_error("store", "out of memory");
		else {
			pthread_mutex_init(&gc->mu, NULL);
			pthread_cond_init(&gc->cv, NULL);
			__atomic_store_n(&st->gc, gc, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&store_commit_init_mu);
	return gc;
}

int
store_commit_queue(struct store *st, struct store_fetch *f)
{
	struct store_commit *gc;
	int ret = -1;

	if (st->readonly) {
		log_error("store", "count fetch: the store is read-only");
		return -1;
	}
	if ((gc = store_commit_get(st)) == NULL)
		return -1;
	f->next = NULL;
	f->result = STORE_FETCH_ERROR;
	f->attempts = 0;
	pthread_mutex_lock(&gc->mu);
	if (gc->stop) {
		log_error("store", "count fetch: the store is closing");
		goto out;
	}
	if (!gc->started) {
		if (pthread_create(&gc->th, NULL, store_commit_main, st) != 0) {
			log_error("store", "cannot start the fetch committer");
			goto out;
		}
		gc->started = 1;
	}
	if (gc->tail != NULL)
		gc->tail->next = f;
	else
		gc->head = f;
	gc->tail = f;
	pthread_cond_signal(&gc->cv);
	ret = 0;
out:
	pthread_mutex_unlock(&gc->mu);
	return ret;
}

/* A synchronous waiter (store_commit_count). */
struct store_commit_waiter {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 done;
};

static void
store_commit_wake(struct store_fetch *f)
{
	struct store_commit_waiter *w = f->arg;

	pthread_mutex_lock(&w->mu);
	w->done = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

enum store_fetch_result
store_commit_count(struct store *st, struct store_fetch *f)
{
	struct store_commit_waiter w;
	void (*done)(struct store_fetch *) = f->done;
	void (*landed)(struct store_fetch *) = f->landed;
	void *arg = f->arg;

	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	f->done = store_commit_wake;
	f->landed = NULL;
	f->arg = &w;
	if (store_commit_queue(st, f) == 0) {
		pthread_mutex_lock(&w.mu);
		while (!w.done)
			pthread_cond_wait(&w.cv, &w.mu);
		pthread_mutex_unlock(&w.mu);
	} else
		f->result = STORE_FETCH_ERROR;
	f->done = done;
	f->landed = landed;
	f->arg = arg;
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
	return f->result;
}

void
store_commit_stats(struct store *st, uint64_t *transactions,
    uint64_t *fetches)
{
	struct store_commit *gc = st->gc;

	*transactions = *fetches = 0;
	if (gc == NULL)
		return;
	pthread_mutex_lock(&gc->mu);
	*transactions = gc->ntx;
	*fetches = gc->nfetch;
	pthread_mutex_unlock(&gc->mu);
}

void
store_commit_stop(struct store *st)
{
	struct store_commit *gc = st->gc;
	int i, started;

	if (gc == NULL)
		return;
	pthread_mutex_lock(&gc->mu);
	gc->stop = 1;
	started = gc->started;
	pthread_cond_broadcast(&gc->cv);
	pthread_mutex_unlock(&gc->mu);
	if (started) {
		pthread_join(gc->th, NULL);
		log_info("store", "answerfile fetches counted: %llu in %llu "
		    "transactions", (unsigned long long)gc->nfetch,
		    (unsigned long long)gc->ntx);
	}
	for (i = 0; i < SC_COUNT; i++)
		store_db_finalize(gc->s[i]);
	pthread_cond_destroy(&gc->cv);
	pthread_mutex_destroy(&gc->mu);
	free(gc);
	st->gc = NULL;
}
