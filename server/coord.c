/* coord.c — the rolling-upgrade coordinator; see coord.h.
 *
 * One runner per pool, each with its own thread and XAPI session while a
 * run is active. The runner's loop reads the run and its hosts from the
 * store, finds the first host that is not finished, and performs that
 * host's current step (coord_step.h). A step either succeeds (the next
 * step is written to the store *before* it is acted on), asks to wait
 * (poll again later, or earlier when an installer calls back), or fails
 * (the run halts with the reason).
 *
 * Threads: a runner's thread is detached, never joined. An entry point
 * that starts or resumes a run while the thread is winding down sets
 * `again`, and the thread goes round once more instead of exiting: no
 * entry point waits for a thread; only coord_free waits for them to stop.
 *
 * One run per pool is the store's rule (store_run_create); a retry and an
 * abort move the run on only from the state they read
 * (store_run_update_if), so two concurrent requests cannot both act.
 *
 * Locking: c->mu guards the runners' flags (running, again, starting,
 * stop, abort_req, run_id) and the notify generation. It is never held
 * while calling XAPI, the store's run functions or arm.
 */
#include "coord.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config_live.h"
#include "coord_abort.h"
#include "coord_ha.h"
#include "coord_power.h"
#include "coord_master.h"
#include "coord_place.h"
#include "coord_report.h"
#include "coord_step.h"
#include "lease.h"
#include "log.h"
#include "pool.h"
#include "site.h"
#include "util.h"
#include "xapi.h"

/* ---- runners ------------------------------------------------------------ */

struct coord_runner {
	struct coord	*c;
	struct coord_runner *next;
	char		 name[64];	/* the pool's */
	const struct config *cfg;	/* the next turn's (coord_runner_start):
					 * a reference, under c->mu */
	const struct pool *pool;	/* the thread's, in its turn's config */
	int		 running;	/* its (detached) thread is live */
	int		 again;		/* go round once more: run_id anew */
	int		 starting;	/* coord_upgrade is checking/dumping */
	int		 stop;		/* server shutting down */
	int		 abort_req;
	int64_t		 run_id;
	struct coord_step_cache cache;	/* runner thread only */
};

struct coord {
	struct config_live *live;
	struct store	*st;
	struct arm	*arm;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	unsigned	 generation;	/* bumped by coord_notify */
	struct coord_runner *runners;	/* one per pool ever configured */
	struct lease	*lease;		/* the site's (lease.h); NULL: acts */
};

/* pool's runner, made on first use; NULL when cfg has no such pool. A
 * runner stays until coord_free (a pool a reload removed keeps it). */
static struct coord_runner *
coord_runner_for(struct coord *c, const struct config *cfg, const char *pool)
{
	struct coord_runner *r;

	if (config_pool(cfg, pool) == NULL)
		return NULL;
	pthread_mutex_lock(&c->mu);
	for (r = c->runners; r != NULL && strcmp(r->name, pool) != 0;
	    r = r->next)
		;
	if (r == NULL && (r = calloc(1, sizeof(*r))) != NULL) {
		r->c = c;
		util_strlcpy(r->name, sizeof(r->name), pool);
		r->next = c->runners;
		c->runners = r;
	}
	pthread_mutex_unlock(&c->mu);
	return r;
}

void
coord_set_lease(struct coord *c, struct lease *l)
{
	c->lease = l;
}

void
coord_notify(struct coord *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	c->generation++;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
}

/* Sleeps up to ms, returning early on coord_notify, stop or abort. */
static void
coord_runner_wait(struct coord_runner *r, int ms)
{
	struct coord *c = r->c;
	struct timespec ts;
	unsigned gen;

	util_deadline_ms(&ts, ms);
	pthread_mutex_lock(&c->mu);
	gen = c->generation;
	while (!r->stop && !r->abort_req && gen == c->generation)
		if (pthread_cond_timedwait(&c->cv, &c->mu, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&c->mu);
}

static void
coord_ev(struct coord *c, const struct pool *p, const char *host,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* An event of the pool (host may be NULL), and its log line. */
static void
coord_ev(struct coord *c, const struct pool *p, const char *host,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	store_event(c->st, host, p->name, "upgrade", "%s", msg);
	log_ctx(PB_LOG_INFO, "coord", p->name, host, "%s", msg);
}

/* ---- the end of a run --------------------------------------------------- */

/* Every host done or skipped: HA/WLB back, the report, state done. */
static void
coord_run_finish(struct coord_stepctx *sc, struct coord *c,
    const struct run_host *hosts, size_t n)
{
	struct run_vm *vms = NULL;
	size_t nvms = 0;

	coord_ha_restore(sc->x, sc->st, sc->p, sc->run);
	coord_power_restore(sc->x, sc->st, sc->p);
	(void)store_run_vm_list(sc->st, sc->run->id, NULL, &vms, &nvms);
	coord_report_build(sc->run, hosts, n, vms, nvms, sc->run->report,
	    sizeof(sc->run->report));
	free(vms);
	util_strlcpy(sc->run->state, sizeof(sc->run->state),
	    state_run_name(RUN_DONE));
	sc->run->finished_at = util_now_ms();
	sc->run->updated_at = sc->run->finished_at;
	store_run_update(sc->st, sc->run);
	coord_ev(c, sc->p, NULL, "rolling upgrade to %s finished",
	    sc->run->target_version);
}

/* A step failed with sc->err: the run halts. When XAPI did not answer
 * and the pool's master is found dead, the run's error says how to
 * recover (coord_master_advice). */
static void
coord_run_halt(struct coord_stepctx *sc, struct coord *c,
    const struct run_host *hosts, size_t n)
{
	int dead;

	util_strlcpy(sc->h->error, sizeof(sc->h->error), sc->err);
	sc->h->attempts = 0;
	store_run_host_update(sc->st, sc->h);
	dead = coord_master_advice(sc, hosts, n, sc->run->error,
	    sizeof(sc->run->error));
	util_strlcpy(sc->run->state, sizeof(sc->run->state),
	    state_run_name(RUN_HALTED));
	sc->run->updated_at = util_now_ms();
	store_run_update(sc->st, sc->run);
	coord_ev(c, sc->p, sc->h->host, "run halted in step %s: %s%s",
	    sc->h->step, sc->err, dead ? " (the pool's master is dead: see the "
	    "run's error for the recovery)" : sc->h->is_master ? " (the master "
	    "failed: no member is touched)" : "; fix it and retry, or rebuild "
	    "the member (poolboot rebuild HOST --wipe) and then retry");
	log_error("coord", "pool %s: run halted: %s", sc->p->name,
	    sc->run->error);
}

/* ---- the run loop ------------------------------------------------------- */

/* Appends "step=ms" for the step just finished. */
static void
coord_record_step_time(struct run_host *h, enum coord_step s)
{
	size_t l = strlen(h->step_ms);

	snprintf(h->step_ms + l, sizeof(h->step_ms) - l, "%s%s=%lld",
	    l ? " " : "", state_step_name(s),
	    (long long)(util_now_ms() - h->step_started_at));
}

/* Step `step` of sc->h succeeded: writes the next step before it is acted
 * on. 0, or -1 when the store could not record it (the runner stops). */
static int
coord_runner_advance(struct coord_runner *r, struct coord_stepctx *sc,
    enum coord_step step)
{
	struct run_host *h = sc->h;
	enum coord_step next = coord_step_next(step);
	int64_t now = util_now_ms();

	if (step == STEP_PENDING)
		h->started_at = now;
	else
		coord_record_step_time(h, step);
	if (sc->skip) {
		/* before the disable: nothing was done to it; at arm (after
		 * a rebuild): it was disabled and emptied, so it still needs
		 * enabling */
		next = step == STEP_ARM ? STEP_ENABLE : STEP_SKIPPED;
		if (next == STEP_SKIPPED)
			h->finished_at = now;
	}
	util_strlcpy(h->step, sizeof(h->step), state_step_name(next));
	h->step_started_at = now;
	h->attempts = 0;
	h->error[0] = '\0';
	if (next == STEP_DONE)
		h->finished_at = now;
	if (store_run_host_update(sc->st, h) == -1) {
		log_error("coord", "pool %s: cannot record step %s of %s; "
		    "stopping", sc->p->name, h->step, h->host);
		return -1;
	}
	if (next == STEP_SKIPPED)
		coord_ev(r->c, sc->p, h->host, "already on %s: skipped",
		    sc->run->target_version);
	else if (next == STEP_DONE)
		coord_ev(r->c, sc->p, h->host, "upgraded %s -> %s",
		    h->old_version, h->new_version);
	else
		coord_ev(r->c, sc->p, h->host, "step %s", h->step);
	return 0;
}

/* The first host of the plan not done or skipped, or NULL. */
static struct run_host *
coord_runner_next_host(struct run_host *hosts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		enum coord_step s;

		if (state_step_parse(hosts[i].step, &s) == 0 &&
		    (s == STEP_DONE || s == STEP_SKIPPED))
			continue;
		return &hosts[i];
	}
	return NULL;
}

/* Performs the current step of the run's first unfinished host and acts
 * on its result. 0 to go on, -1 when the runner stops (the run is
 * finished, halted, aborted, not running, or the server stops). */
static int
coord_runner_step(struct coord_runner *r, struct coord_stepctx *sc,
    struct run_host *hosts, size_t n)
{
	struct coord *c = r->c;
	enum coord_step_result res;
	enum coord_step step;

	if ((sc->h = coord_runner_next_host(hosts, n)) == NULL) {
		coord_run_finish(sc, c, hosts, n);
		return -1;
	}
	if (state_step_parse(sc->h->step, &step) == -1) {
		snprintf(sc->err, sizeof(sc->err), "unknown step '%s' in the "
		    "store", sc->h->step);
		coord_run_halt(sc, c, hosts, n);
		return -1;
	}
	/* the pool's master may have changed (a dead master recovered):
	 * read it before a host starts, and once after each (re)start */
	if (step == STEP_PENDING || !sc->cache->master_synced) {
		res = coord_master_sync(sc, hosts, n);
		if (res == COORD_STEP_OK) {
			sc->h = coord_runner_next_host(hosts, n);
			(void)state_step_parse(sc->h->step, &step);
		}
	} else
		res = COORD_STEP_OK;
	if (res == COORD_STEP_OK)
		res = coord_step_run(sc, step);
	/* past the lease's deadline: not recorded, done again (kill -9) */
	if (!lease_may_act(c->lease))
		return 0;
	if (res == COORD_STEP_FAIL) {
		coord_run_halt(sc, c, hosts, n);
		return -1;
	}
	if (res == COORD_STEP_WAIT) {
		if (sc->dirty)
			store_run_host_update(c->st, sc->h);
		if (sc->wait_ms >= 0)
			coord_runner_wait(r, sc->wait_ms > 0 ? sc->wait_ms :
			    sc->p->poll_ms);
		return 0;
	}
	return coord_runner_advance(r, sc, step);
}

/* With the site's lease (lease.h): waits a second (a pending abort does
 * not end it) while this instance may not act (over 0), or once the loop
 * ended (over 1). 1 to go round again: not over, or the store does not
 * say the run ended (what the database failed is tried again). */
static int
coord_runner_hold(struct coord_runner *r, int over)
{
	struct timespec ts;
	struct run run;
	int64_t id;
	int stop;

	if (r->c->lease == NULL)
		return 0;
	util_deadline_ms(&ts, 1000);
	pthread_mutex_lock(&r->c->mu);
	if (!r->stop)
		(void)pthread_cond_timedwait(&r->c->cv, &r->c->mu, &ts);
	stop = r->stop;
	id = r->run_id;
	pthread_mutex_unlock(&r->c->mu);
	if (stop || !over)
		return !stop;
	return store_run_get(r->c->st, id, &run) == -1 ||
	    state_run_is(run.state, RUN_RUNNING);
}

/* One turn of the loop: the run and its hosts from the store, then an
 * abort, a stop, or a step. 0 to go on, -1 when the runner stops. */
static int
coord_runner_once(struct coord_runner *r, struct xapi *x)
{
	struct coord *c = r->c;
	const struct pool *p = r->pool;
	struct coord_stepctx sc = { 0 };
	struct run_host *hosts = NULL;
	struct run run;
	size_t n = 0;
	int64_t id;
	int abort_req, stop, ret = -1;

	if (!lease_may_act(c->lease))
		return coord_runner_hold(r, 0) ? 0 : -1;
	pthread_mutex_lock(&c->mu);
	id = r->run_id;
	pthread_mutex_unlock(&c->mu);
	if (store_run_get(c->st, id, &run) == -1 ||
	    store_run_hosts(c->st, id, &hosts, &n) == -1) {
		log_error("coord", "pool %s: cannot read run %lld", p->name,
		    (long long)id);
		goto out;
	}
	pthread_mutex_lock(&c->mu);
	abort_req = r->abort_req;
	r->abort_req = 0;
	stop = r->stop;
	pthread_mutex_unlock(&c->mu);
	if (abort_req) {
		coord_abort_cleanup(c->st, c->arm, p, x, &run, hosts, n);
		goto out;
	}
	if (stop || !state_run_is(run.state, RUN_RUNNING))
		goto out;
	sc.st = c->st;
	sc.arm = c->arm;
	sc.p = p;
	sc.x = x;
	sc.run = &run;
	sc.cache = &r->cache;
	ret = coord_runner_step(r, &sc, hosts, n);
out:
	free(hosts);
	return ret;
}

static void *
coord_runner_main(void *arg)
{
	struct coord_runner *r = arg;
	struct coord *c = r->c;
	const struct config *cfg = NULL;
	const struct pool *p;
	struct xapi *x;
	char err[512];
	int ok;

	for (;;) {
		/* a run keeps the configuration it was (re)started with */
		pthread_mutex_lock(&c->mu);
		if (r->cfg != NULL) {
			config_live_put(c->live, cfg);
			cfg = r->cfg;
			r->cfg = NULL;
		}
		pthread_mutex_unlock(&c->mu);
		x = NULL;
		if ((p = r->pool = config_pool(cfg, r->name)) == NULL ||
		    (x = pool_xapi(p, err, sizeof(err))) == NULL)
			log_error("coord", "pool %s: %s", r->name, p != NULL ?
			    err : "no longer in the configuration");
		while (x != NULL && (coord_runner_once(r, x) == 0 ||
		    coord_runner_hold(r, 1)))
			;
		free(r->cache.ev_token);
		r->cache.ev_token = NULL;
		r->cache.master_synced = 0;	/* a retry reads it again */
		ok = x != NULL;
		xapi_free(x);
		/* a run started, retried or aborted meanwhile: go on */
		pthread_mutex_lock(&c->mu);
		if (ok && !r->stop && (r->again || r->abort_req)) {
			r->again = 0;
			pthread_mutex_unlock(&c->mu);
			continue;
		}
		break;
	}
	config_live_put(c->live, cfg);
	r->running = 0;
	r->again = 0;
	pthread_cond_broadcast(&c->cv);		/* coord_free waits for it */
	pthread_mutex_unlock(&c->mu);
	return NULL;		/* r and c are no longer touched */
}

/* Has r's thread drive run_id in cfg (it takes a reference): a new
 * detached thread, or the live one (winding down) goes round again.
 * Never waits. Caller holds c->mu. */
static int
coord_runner_start(struct coord_runner *r, int64_t run_id,
    const struct config *cfg)
{
	pthread_attr_t attr;
	pthread_t th;
	int rc;

	if (r->stop)
		return -1;
	r->run_id = run_id;
	config_live_put(r->c->live, r->cfg);
	r->cfg = config_live_ref(r->c->live, cfg);
	if (r->running) {
		r->again = 1;
		pthread_cond_broadcast(&r->c->cv);
		return 0;
	}
	r->abort_req = 0;
	r->again = 0;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&th, &attr, coord_runner_main, r);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		config_live_put(r->c->live, r->cfg);
		r->cfg = NULL;
		return -1;
	}
	r->running = 1;
	return 0;
}

/* ---- entry points ------------------------------------------------------- */

static enum coord_result
coord_no_pool(const char *pool, char *err, size_t errlen)
{
	snprintf(err, errlen, "no pool '%s' in the configuration", pool);
	return COORD_NOT_FOUND;
}

/* The prechecks of p through a XAPI client of its own, XAPI's answers
 * due by deadline. */
static enum coord_result
coord_precheck_pool(const struct config *cfg, const struct pool *p,
    int disable_ha, int64_t deadline, struct precheck_report *out, char *err,
    size_t errlen)
{
	struct xapi *x;
	int rc, slow;

	memset(out, 0, sizeof(*out));
	if ((x = pool_xapi_request(p, deadline, err, errlen)) == NULL)
		return COORD_ERROR;
	rc = precheck_run(cfg, p, x, disable_ha, out, err, errlen);
	slow = xapi_timed_out(x);
	xapi_free(x);
	if (rc == -1)
		return slow ? COORD_XAPI_TIMEOUT : COORD_XAPI_FAILED;
	return COORD_OK;
}

enum coord_result
coord_precheck(struct coord *c, const struct config *cfg, const char *pool,
    struct precheck_report *out, char *err, size_t errlen)
{
	const struct pool *p = config_pool(cfg, pool);

	(void)c;
	memset(out, 0, sizeof(*out));
	if (p == NULL)
		return coord_no_pool(pool, err, errlen);
	return coord_precheck_pool(cfg, p, 0, xapi_deadline_ms(
	    (long)config_pool_request_s(p) * 1000), out, err, errlen);
}

/* 1 (err says why) when the store holds a running or halted run of
 * pool. */
static int
coord_upgrade_busy(struct coord *c, const char *pool, char *err,
    size_t errlen)
{
	struct run latest;

	if (store_run_latest(c->st, pool, &latest) == 0 &&
	    (state_run_is(latest.state, RUN_RUNNING) ||
	    state_run_is(latest.state, RUN_HALTED))) {
		snprintf(err, errlen, "pool %s already has a %s run (%lld): use "
		    "status, retry or abort", pool, latest.state,
		    (long long)latest.id);
		return 1;
	}
	return 0;
}

/* Claims r for an upgrade being started, so that a second request is
 * refused at once instead of checking and dumping alongside: 0, or 1 (err
 * says why). The store (store_run_create) stays the authority. */
static int
coord_upgrade_claim(struct coord *c, struct coord_runner *r, const char *pool,
    char *err, size_t errlen)
{
	int busy;

	pthread_mutex_lock(&c->mu);
	busy = r->starting;
	r->starting = 1;
	pthread_mutex_unlock(&c->mu);
	if (busy) {
		snprintf(err, errlen, "pool %s: an upgrade is being started "
		    "(prechecks, database dump): use status", pool);
		return 1;
	}
	return 0;
}

static void
coord_upgrade_release(struct coord *c, struct coord_runner *r)
{
	pthread_mutex_lock(&c->mu);
	r->starting = 0;
	pthread_mutex_unlock(&c->mu);
}

/* The pool database dump, before anything changes, into dump. */
static enum coord_result
coord_upgrade_dump(const struct config *cfg, const struct pool *p,
    int64_t deadline, char *dump, size_t dumplen, char *err, size_t errlen)
{
	struct xapi *x;
	struct xapi_error e;
	char xerr[512];

	if ((x = pool_xapi_request(p, deadline, xerr, sizeof(xerr))) == NULL) {
		snprintf(err, errlen, "%s", xerr);
		return COORD_ERROR;
	}
	snprintf(dump, dumplen, "%s/dumps", cfg->state_dir);
	util_mkdirs(dump, 0700);
	snprintf(dump, dumplen, "%s/dumps/%s-%lld.xml", cfg->state_dir,
	    p->name, (long long)util_now());
	memset(&e, 0, sizeof(e));
	if (xapi_dump_db(x, dump, &e) == -1) {
		snprintf(err, errlen, "cannot save the pool database dump before "
		    "the upgrade (%s); nothing was changed", xapi_strerror(&e));
		e.transport = xapi_timed_out(x);
		xapi_free(x);
		return e.transport ? COORD_XAPI_TIMEOUT : COORD_XAPI_FAILED;
	}
	xapi_free(x);
	return COORD_OK;
}

/* Writes run with the hosts of rep's plan to the store (run->id set) and
 * starts its runner; dump: the pool database dump taken for it. */
static enum coord_result
coord_upgrade_start(struct coord *c, const struct config *cfg,
    const struct pool *p, struct coord_runner *r,
    const struct precheck_report *rep,
    const char *dump, struct run *run, char *err, size_t errlen)
{
	struct run_host *rh;
	size_t i, n = rep->nplan;
	int rc;

	if ((rh = calloc(n + 1, sizeof(*rh))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return COORD_ERROR;
	}
	for (i = 0; i < n; i++) {
		const struct precheck_plan_item *it = &rep->plan[i];
		enum coord_step s = it->skip ? STEP_SKIPPED : STEP_PENDING;

		util_strlcpy(rh[i].host, sizeof(rh[i].host), it->host);
		rh[i].ord = (int)i;
		rh[i].is_master = it->is_master;
		util_strlcpy(rh[i].step, sizeof(rh[i].step), state_step_name(s));
		/* a pending host's old_version is set by the disable step
		 * from what XAPI says then */
		if (s == STEP_SKIPPED) {
			util_strlcpy(rh[i].old_version,
			    sizeof(rh[i].old_version), it->version);
			util_strlcpy(rh[i].new_version,
			    sizeof(rh[i].new_version), it->version);
		}
	}
	rc = store_run_create(c->st, run, rh, n, &run->id);
	free(rh);
	if (rc == 1) {
		/* another run came first: the store has one per pool */
		if (!coord_upgrade_busy(c, p->name, err, errlen))
			snprintf(err, errlen, "pool %s already has a running "
			    "run: use status, retry or abort", p->name);
		return COORD_CONFLICT;
	}
	if (rc == -1) {
		snprintf(err, errlen, "cannot write the run to the store");
		return COORD_ERROR;
	}
	coord_ev(c, p, NULL, "rolling upgrade to %s started (run %lld, %zu "
	    "hosts; database dump %s)", run->target_version, (long long)run->id,
	    n, dump);
	pthread_mutex_lock(&c->mu);
	rc = coord_runner_start(r, run->id, cfg);
	pthread_mutex_unlock(&c->mu);
	if (rc == -1) {
		snprintf(err, errlen, "cannot start the coordinator thread");
		return COORD_ERROR;
	}
	return COORD_STARTED;
}

/* coord_upgrade once it may go ahead: prechecks, dump, run, runner. */
static enum coord_result
coord_upgrade_checked(struct coord *c, const struct config *cfg,
    const struct pool *p, struct coord_runner *r, const struct coord_opts *o,
    struct coord_upgrade_result *out, char *err, size_t errlen)
{
	const char *pool = p->name;
	enum coord_result res;
	struct run run;
	/* prechecks and dump share the request's time for XAPI */
	int64_t deadline = xapi_deadline_ms((long)config_pool_request_s(p) *
	    1000);

	res = coord_precheck_pool(cfg, p, o->disable_ha, deadline,
	    &out->report, err, errlen);
	if (res != COORD_OK)
		return res;
	if (o->dry_run) {
		out->dry_run = 1;
		return COORD_OK;
	}
	if (out->report.failed > 0) {
		snprintf(err, errlen, "prechecks failed: nothing was changed");
		return COORD_PRECHECK_FAILED;
	}
	memset(&run, 0, sizeof(run));
	util_strlcpy(run.pool, sizeof(run.pool), pool);
	util_strlcpy(run.state, sizeof(run.state), state_run_name(RUN_RUNNING));
	util_strlcpy(run.target_version, sizeof(run.target_version),
	    p->repo->product_version);
	util_strlcpy(run.target_build, sizeof(run.target_build),
	    p->repo->build_number);
	run.disable_ha = o->disable_ha;
	util_strlcpy(run.placement, sizeof(run.placement), coord_place_name(
	    o->placement != COORD_PLACE_DEFAULT ? o->placement :
	    coord_place_default(p)));
	run.created_at = run.updated_at = util_now_ms();
	res = coord_upgrade_dump(cfg, p, deadline, out->dump, sizeof(out->dump),
	    err, errlen);
	if (res == COORD_OK) {
		util_strlcpy(run.dump_path, sizeof(run.dump_path), out->dump);
		res = coord_upgrade_start(c, cfg, p, r, &out->report, out->dump,
		    &run, err, errlen);
	}
	if (res != COORD_STARTED) {
		if (res == COORD_CONFLICT)	/* the dump of a run not made */
			unlink(out->dump);
		precheck_report_free(&out->report);
		out->dump[0] = '\0';
		return res;
	}
	out->run_id = run.id;
	return COORD_STARTED;
}

enum coord_result
coord_upgrade(struct coord *c, const struct config *cfg, const char *pool,
    const struct coord_opts *o, struct coord_upgrade_result *out, char *err,
    size_t errlen)
{
	const struct pool *p = config_pool(cfg, pool);
	struct coord_runner *r = coord_runner_for(c, cfg, pool);
	enum coord_result res;

	memset(out, 0, sizeof(*out));
	if (p == NULL || r == NULL)
		return coord_no_pool(pool, err, errlen);
	if ((!o->dry_run && site_refuse_pool(cfg, pool, err, errlen)) ||
	    (!o->dry_run && coord_upgrade_claim(c, r, pool, err, errlen)))
		return COORD_CONFLICT;
	if (coord_upgrade_busy(c, pool, err, errlen))
		res = COORD_CONFLICT;
	else
		res = coord_upgrade_checked(c, cfg, p, r, o, out, err, errlen);
	if (!o->dry_run)
		coord_upgrade_release(c, r);
	return res;
}

enum coord_result
coord_status(struct coord *c, const struct config *cfg, const char *pool,
    struct coord_status_report *out, char *err, size_t errlen)
{
	switch (coord_view_read(c->st, cfg, pool, out, err, errlen)) {
	case 0:
		return COORD_OK;
	case 1:
		return coord_no_pool(pool, err, errlen);
	default:
		return COORD_ERROR;
	}
}

void
coord_status_report_free(struct coord_status_report *s)
{
	coord_view_free(s);
}

enum coord_result
coord_retry(struct coord *c, const struct config *cfg, const char *pool,
    struct coord_run_ref *out, char *err, size_t errlen)
{
	const struct pool *p = config_pool(cfg, pool);
	struct coord_runner *r = coord_runner_for(c, cfg, pool);
	struct run_host *hosts = NULL;
	struct run run;
	size_t i, n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (p == NULL || r == NULL)
		return coord_no_pool(pool, err, errlen);
	if (site_refuse_pool(cfg, pool, err, errlen))
		return COORD_CONFLICT;
	rc = store_run_latest(c->st, pool, &run);
	if (rc != 0 || !state_run_is(run.state, RUN_HALTED)) {
		snprintf(err, errlen, "pool %s has no halted run to retry (its "
		    "latest run is %s)", pool, rc == 0 ? run.state : "none");
		return COORD_CONFLICT;
	}
	/* halted -> running in one statement: of two concurrent retries (or
	 * a retry and an abort) only one goes on */
	run.error[0] = '\0';
	util_strlcpy(run.state, sizeof(run.state), state_run_name(RUN_RUNNING));
	run.updated_at = util_now_ms();
	if ((rc = store_run_update_if(c->st, &run,
	    state_run_name(RUN_HALTED))) != 0) {
		snprintf(err, errlen, rc == 1 ? "pool %s has no halted run to "
		    "retry (run %lld was retried or aborted meanwhile)" :
		    "cannot write the store (pool %s, run %lld)", pool,
		    (long long)run.id);
		return rc == 1 ? COORD_CONFLICT : COORD_ERROR;
	}
	if (store_run_hosts(c->st, run.id, &hosts, &n) == -1) {
		snprintf(err, errlen, "cannot read the store");
		return COORD_ERROR;
	}
	for (i = 0; i < n; i++) {
		enum coord_step s;

		if (hosts[i].error[0] == '\0' ||
		    state_step_parse(hosts[i].step, &s) == -1)
			continue;
		s = coord_step_retry(s);
		util_strlcpy(hosts[i].step, sizeof(hosts[i].step),
		    state_step_name(s));
		hosts[i].error[0] = '\0';
		hosts[i].attempts = 0;
		hosts[i].step_started_at = util_now_ms();
		store_run_host_update(c->st, &hosts[i]);
		coord_ev(c, p, hosts[i].host, "retry: resuming at step %s",
		    hosts[i].step);
	}
	free(hosts);
	pthread_mutex_lock(&c->mu);
	rc = coord_runner_start(r, run.id, cfg);
	pthread_mutex_unlock(&c->mu);
	if (rc == -1) {
		snprintf(err, errlen, "cannot start the coordinator thread");
		return COORD_ERROR;
	}
	out->has_run = 1;
	out->run_id = run.id;
	out->state = RUN_RUNNING;
	return COORD_STARTED;
}

/* Abort of a run whose thread is not live: done here. */
static enum coord_result
coord_abort_here(struct coord *c, const struct pool *p, const char *pool,
    struct coord_run_ref *out, char *err, size_t errlen)
{
	struct run_host *hosts = NULL;
	struct run run;
	char was[sizeof(run.state)];
	size_t n = 0;
	int rc;

	rc = store_run_latest(c->st, pool, &run);
	if (rc != 0 || (!state_run_is(run.state, RUN_HALTED) &&
	    !state_run_is(run.state, RUN_RUNNING))) {
		snprintf(err, errlen, "pool %s has no run to abort", pool);
		return COORD_CONFLICT;
	}
	/* aborted from the state read, in one statement: a concurrent retry
	 * or abort cannot also act on it; the clean-up below then writes
	 * the run's end */
	util_strlcpy(was, sizeof(was), run.state);
	util_strlcpy(run.state, sizeof(run.state), state_run_name(RUN_ABORTED));
	run.updated_at = util_now_ms();
	if ((rc = store_run_update_if(c->st, &run, was)) != 0) {
		snprintf(err, errlen, rc == 1 ? "pool %s: run %lld changed while "
		    "it was being aborted (a retry?): see status, then abort "
		    "again" : "cannot write the store (pool %s, run %lld)", pool,
		    (long long)run.id);
		return rc == 1 ? COORD_CONFLICT : COORD_ERROR;
	}
	if (store_run_hosts(c->st, run.id, &hosts, &n) == 0) {
		char xerr[256];
		struct xapi *x = pool_xapi_request(p, xapi_deadline_ms((long)
		    config_pool_request_s(p) * 1000), xerr, sizeof(xerr));

		coord_abort_cleanup(c->st, c->arm, p, x, &run, hosts, n);
		xapi_free(x);
	}
	free(hosts);
	if (store_run_latest(c->st, pool, &run) == 0) {
		out->has_run = 1;
		out->run_id = run.id;
		if (state_run_parse(run.state, &out->state) == -1)
			out->state = RUN_STATE_COUNT;
	}
	return COORD_OK;
}

enum coord_result
coord_abort(struct coord *c, const struct config *cfg, const char *pool,
    struct coord_run_ref *out, char *err, size_t errlen)
{
	const struct pool *p = config_pool(cfg, pool);
	struct coord_runner *r = coord_runner_for(c, cfg, pool);
	int running;

	memset(out, 0, sizeof(*out));
	if (p == NULL || r == NULL)
		return coord_no_pool(pool, err, errlen);
	if (site_refuse_pool(cfg, pool, err, errlen))
		return COORD_CONFLICT;
	pthread_mutex_lock(&c->mu);
	running = r->running;
	if (running) {
		r->abort_req = 1;
		out->run_id = r->run_id;
		pthread_cond_broadcast(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);
	if (!running)
		return coord_abort_here(c, p, pool, out, err, errlen);
	/* the runner cleans up itself as soon as its current XAPI call
	 * returns; status shows "aborted" then */
	out->has_run = 1;
	out->state = RUN_RUNNING;
	coord_ev(c, p, NULL, "abort requested by the operator");
	return COORD_STARTED;
}

/* ---- life cycle --------------------------------------------------------- */

void
coord_resume(struct coord *c)
{
	const struct config *cfg = config_live_get(c->live);
	int64_t *ids = NULL;
	size_t n = 0, i;

	if (store_runs_running(c->st, &ids, &n) == -1)
		n = 0;
	for (i = 0; i < n; i++) {
		struct run run;
		struct coord_runner *r;

		if (store_run_get(c->st, ids[i], &run) == -1 ||
		    !site_owns_pool(cfg, config_pool(cfg, run.pool)))
			continue;
		if ((r = coord_runner_for(c, cfg, run.pool)) == NULL) {
			log_ctx(PB_LOG_WARN, "coord", run.pool, NULL, "run %lld: "
			    "the pool is no longer in the configuration; not "
			    "resumed", (long long)run.id);
			continue;
		}
		log_info("coord", "pool %s: resuming run %lld", run.pool,
		    (long long)run.id);
		store_event(c->st, NULL, run.pool, "upgrade", "resuming run %lld "
		    "after a restart", (long long)run.id);
		pthread_mutex_lock(&c->mu);
		coord_runner_start(r, run.id, cfg);
		pthread_mutex_unlock(&c->mu);
	}
	free(ids);
	config_live_put(c->live, cfg);
}

int
coord_new(struct config_live *live, struct store *st, struct arm *arm,
    struct coord **out)
{
	struct coord *c;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->live = live;
	c->st = st;
	c->arm = arm;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	*out = c;
	return 0;
}

void
coord_free(struct coord *c)
{
	struct coord_runner *r, *next;

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mu);
	for (r = c->runners; r != NULL; r = r->next)
		r->stop = 1;
	pthread_cond_broadcast(&c->cv);
	/* the runners' threads are detached: wait until each has let go */
	for (r = c->runners; r != NULL; r = r->next)
		while (r->running)
			pthread_cond_wait(&c->cv, &c->mu);
	pthread_mutex_unlock(&c->mu);
	for (r = c->runners; r != NULL; r = next) {
		next = r->next;
		config_live_put(c->live, r->cfg);
		free(r);
	}
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	free(c);
}
