/* job.c — rebuild and install jobs: their threads, the loop that takes
 * their steps, and the entry points; see job.h.
 *
 * Each job runs on its own thread. The loop reads the job from the store,
 * performs its step (job_step.h), and writes the next step before acting
 * on it; a step that has to wait returns and is tried again after a poll
 * interval (or at once when an installer calls back). Steps are written so
 * that doing one again after a crash is harmless (see job_step.h).
 */
#include "job.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config_live.h"
#include "hostcert.h"
#include "job_step.h"
#include "lease.h"
#include "log.h"
#include "site.h"
#include "util.h"

enum job_step
job_step_next(enum job_step s, int joins)
{
	switch (s) {
	case JOB_CHECK:		return JOB_FORGET;
	case JOB_FORGET:	return JOB_ARM;
	case JOB_ARM:		return JOB_POWER;
	case JOB_POWER:		return JOB_INSTALL;
	case JOB_INSTALL:	return joins ? JOB_XAPI : JOB_DONE;
	case JOB_XAPI:		return JOB_JOIN;
	case JOB_JOIN:		return JOB_MEMBER;
	case JOB_MEMBER:	return JOB_DONE;
	default:		return JOB_DONE;
	}
}

/* ---- registry and threads ------------------------------------------------- */

/* A job's thread: detached, never joined. `again` makes a thread that is
 * winding down (it has just halted the job) go round once more when a
 * retry came meanwhile; jobs_free waits until no thread runs. */
struct job_thread {
	struct jobs	*js;
	int64_t		 id;
	int		 running;	/* its thread is live */
	int		 again;
	int		 abort_req;
	struct job_thread *next;
};

struct jobs {
	struct config_live *live;
	struct store	*st;
	struct arm	*arm;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	unsigned	 generation;
	int		 stop;
	struct job_thread *threads;
	struct lease	*lease;		/* the site's (lease.h); NULL: acts */
};

void
jobs_notify(struct jobs *js)
{
	if (js == NULL)
		return;
	pthread_mutex_lock(&js->mu);
	js->generation++;
	pthread_cond_broadcast(&js->cv);
	pthread_mutex_unlock(&js->mu);
}

/* Waits ms, or less when an installer calls back, the job is to abort or
 * the jobs stop. */
static void
job_thread_wait(struct job_thread *t, int ms)
{
	struct jobs *js = t->js;
	struct timespec ts;
	unsigned gen;

	util_deadline_ms(&ts, ms);
	pthread_mutex_lock(&js->mu);
	gen = js->generation;
	while (!js->stop && !t->abort_req && gen == js->generation)
		if (pthread_cond_timedwait(&js->cv, &js->mu, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&js->mu);
}

/* The site's lease does not let this instance act: waits a second (a
 * pending abort does not end it) and says whether the jobs stop. */
static int
job_thread_idle(struct job_thread *t)
{
	struct jobs *js = t->js;
	struct timespec ts;
	int stop;

	util_deadline_ms(&ts, 1000);
	pthread_mutex_lock(&js->mu);
	if (!js->stop)
		(void)pthread_cond_timedwait(&js->cv, &js->mu, &ts);
	stop = js->stop;
	pthread_mutex_unlock(&js->mu);
	return stop;
}

void
jobs_set_lease(struct jobs *js, struct lease *l)
{
	js->lease = l;
}

/* ---- the loop --------------------------------------------------------------- */

static void
job_set_state(struct job *j, enum run_state s)
{
	util_strlcpy(j->state, sizeof(j->state), state_run_name(s));
}

static void
job_set_step(struct job *j, enum job_step s)
{
	util_strlcpy(j->step, sizeof(j->step), state_job_step_name(s));
}

/* Appends "step=ms" for step s to j's step_ms. */
static void
job_record_time(struct job *j, enum job_step s)
{
	size_t l = strlen(j->step_ms);

	snprintf(j->step_ms + l, sizeof(j->step_ms) - l, "%s%s=%lld",
	    l ? " " : "", state_job_step_name(s),
	    (long long)(util_now_ms() - j->step_started_at));
}

/* Aborts j: aborted in the store, only while its state is still expect
 * (NULL: whatever it is), then its host disarmed. 0, or 1 when the state
 * had moved on (nothing done), -1 when the store failed. */
static int
job_abort_cleanup(struct jobs *js, const struct config *cfg, struct job *j,
    const char *expect)
{
	char err[256];
	int rc;

	job_set_state(j, RUN_ABORTED);
	j->finished_at = j->updated_at = util_now_ms();
	if ((rc = store_job_update_if(js->st, j, expect)) != 0)
		return rc;
	if (arm_disarm(js->arm, j->host, err, sizeof(err)) == ARM_OK)
		job_step_event(js->st, j, "abort: disarmed (local boot)");
	hostcert_forget(cfg, j->host);
	job_step_event(js->st, j, "aborted by the operator");
	return 0;
}

/* Takes j's step once into c (filled here). */
static enum job_step_res
job_run_step(struct jobs *js, const struct config *cfg, struct job *j,
    struct job_step_ctx *c)
{
	c->cfg = cfg;
	c->st = js->st;
	c->arm = js->arm;
	c->j = j;
	c->h = config_host(cfg, j->host);
	c->p = j->pool[0] ? config_pool(cfg, j->pool) : NULL;
	if (c->h == NULL || state_job_step_parse(j->step, &c->step) == -1) {
		snprintf(c->err, sizeof(c->err), "host %s or step %s is no "
		    "longer known", j->host, j->step);
		c->step = JOB_CHECK;
		return JOB_STEP_FAIL;
	}
	return job_step_run(c);
}

/* Halts j with reason err. */
static void
job_halt(struct jobs *js, const struct config *cfg, struct job *j,
    const char *err)
{
	util_strlcpy(j->error, sizeof(j->error), err);
	job_set_state(j, RUN_HALTED);
	/* a retry at xapi or join needs the pin; an undelivered key is of
	 * no use (a retry at arm makes a new one) */
	hostcert_drop_key(cfg, j->host);
	j->updated_at = util_now_ms();
	store_job_update(js->st, j);
	job_step_event(js->st, j, "halted in step %s: %s; fix it, then poolboot "
	    "jobs retry %lld (or poolboot jobs abort %lld)", j->step, err,
	    (long long)j->id, (long long)j->id);
}

/* Moves j on from its finished step c->step. 0 to go on, 1 when the job is
 * done, -1 when the store refuses. */
static int
job_advance(struct jobs *js, const struct job_step_ctx *c, struct job *j)
{
	enum job_step next;

	job_record_time(j, c->step);
	next = job_step_next(c->step, c->p != NULL && c->h->ip != NULL);
	job_set_step(j, next);
	j->step_started_at = j->updated_at = util_now_ms();
	j->attempts = 0;
	j->error[0] = '\0';
	if (next == JOB_DONE) {
		job_set_state(j, RUN_DONE);
		j->finished_at = j->updated_at;
	}
	if (store_job_update(js->st, j) == -1)
		return -1;
	if (next == JOB_DONE) {
		hostcert_forget(c->cfg, j->host);
		job_step_event(js->st, j, "finished (%s)", j->step_ms);
		return 1;
	}
	job_step_event(js->st, j, "step %s", j->step);
	return 0;
}

/* The job's steps until it waits no more (done, halted, aborted, stop),
 * in the configuration current when this turn began (a reference held to
 * its end: a reload does not touch a job, reload.h). */
static void
job_thread_loop(struct job_thread *t)
{
	struct jobs *js = t->js;
	const struct config *cfg = config_live_get(js->live);
	struct job j;

	for (;;) {
		struct job_step_ctx c = { 0 };
		enum job_step_res res;
		int abort_now, stop;

		if (!lease_may_act(js->lease)) {
			if (job_thread_idle(t))
				break;
			continue;
		}
		if (store_job_get(js->st, t->id, &j) == -1)
			break;
		pthread_mutex_lock(&js->mu);
		abort_now = t->abort_req;
		stop = js->stop;
		t->abort_req = 0;
		pthread_mutex_unlock(&js->mu);
		if (abort_now) {
			job_abort_cleanup(js, cfg, &j, NULL);
			break;
		}
		if (stop || !state_run_is(j.state, RUN_RUNNING))
			break;
		res = job_run_step(js, cfg, &j, &c);
		/* outlasted the lease's deadline: not written, done again */
		if (!lease_may_act(js->lease))
			continue;
		if (res == JOB_STEP_WAIT) {
			store_job_update(js->st, &j);
			job_thread_wait(t, c.wait_ms > 0 ? c.wait_ms :
			    JOB_STEP_POLL_MS);
			continue;
		}
		if (res == JOB_STEP_FAIL) {
			job_halt(js, cfg, &j, c.err);
			break;
		}
		if (job_advance(js, &c, &j) != 0)
			break;
	}
	config_live_put(js->live, cfg);
}

/* The loop ended: with a site's lease (lease.h), 1 to go on after a
 * second unless the store says the job is over (a read or write the
 * database failed, a halt too, is tried again once it is back). */
static int
job_thread_keep(struct job_thread *t)
{
	struct job j;

	if (t->js->lease == NULL || job_thread_idle(t))
		return 0;
	return store_job_get(t->js->st, t->id, &j) == -1 ||
	    state_run_is(j.state, RUN_RUNNING);
}

static void *
job_thread_main(void *arg)
{
	struct job_thread *t = arg;
	struct jobs *js = t->js;

	for (;;) {
		job_thread_loop(t);
		if (job_thread_keep(t))
			continue;
		/* retried or aborted while the loop was ending: go on */
		pthread_mutex_lock(&js->mu);
		if (!js->stop && (t->again || t->abort_req)) {
			t->again = 0;
			pthread_mutex_unlock(&js->mu);
			continue;
		}
		break;
	}
	t->running = 0;
	t->again = 0;
	pthread_cond_broadcast(&js->cv);	/* jobs_free waits for it */
	pthread_mutex_unlock(&js->mu);
	return NULL;
}

/* Has a thread take job id's steps: a new detached one, or the live one
 * (winding down) goes round again. Never waits. Caller holds js->mu. */
static int
job_thread_start(struct jobs *js, int64_t id)
{
	struct job_thread *t;
	pthread_attr_t attr;
	pthread_t th;
	int rc;

	if (js->stop)
		return -1;
	for (t = js->threads; t != NULL; t = t->next)
		if (t->id == id) {
			if (t->running) {
				t->again = 1;
				pthread_cond_broadcast(&js->cv);
				return 0;
			}
			break;
		}
	if (t == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			return -1;
		t->js = js;
		t->id = id;
		t->next = js->threads;
		js->threads = t;
	}
	t->abort_req = 0;
	t->again = 0;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&th, &attr, job_thread_main, t);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		return -1;
	t->running = 1;
	return 0;
}

static int
job_thread_start_locked(struct jobs *js, int64_t id)
{
	int rc;

	pthread_mutex_lock(&js->mu);
	rc = job_thread_start(js, id);
	pthread_mutex_unlock(&js->mu);
	return rc;
}

/* 1 when host is of another site (site.h): err says whose; its jobs are
 * that site's instance's to start, retry, abort and resume. */
static int
jobs_other_site(struct jobs *js, const char *host, char *err, size_t errlen)
{
	const struct config *cfg = config_live_get(js->live);
	int other = site_refuse_host(cfg, host, err, errlen);

	config_live_put(js->live, cfg);
	return other;
}

/* ---- entry points ------------------------------------------------------------ */

/* Whether inventory host h can have a job of this kind: JOBS_OK, or
 * JOBS_CONFLICT with err. */
static enum jobs_result
jobs_check_host(const struct host *h, const char *kind, int rebuild,
    int wipe, char *err, size_t errlen)
{
	struct sbuf miss = { .max = 512 };
	const struct pool *p;

	if (!wipe) {
		snprintf(err, errlen, "%s %s installs it fresh: its local storage "
		    "and every VM on it are wiped; pass --wipe to go ahead", kind,
		    h->name);
		return JOBS_CONFLICT;
	}
	if (rebuild && h->pool == NULL) {
		snprintf(err, errlen, "host %s is in no pool: use install, not "
		    "rebuild", h->name);
		return JOBS_CONFLICT;
	}
	if (!rebuild && h->pool != NULL) {
		snprintf(err, errlen, "host %s is a member of pool %s: use "
		    "rebuild (it forgets the dead member first), not install",
		    h->name, h->pool->name);
		return JOBS_CONFLICT;
	}
	if (!rebuild && h->mode != MODE_FRESH && h->mode != MODE_REINSTALL) {
		snprintf(err, errlen, "host %s is in mode %s; a new host is "
		    "installed with mode = fresh", h->name,
		    config_mode_name(h->mode));
		return JOBS_CONFLICT;
	}
	/* what a fresh install and the join need, named all at once */
	if (h->hostname == NULL)
		sbuf_puts(&miss, " hostname");
	if (h->root_password_hash == NULL)
		sbuf_puts(&miss, " root_password_file");
	if ((rebuild || h->join != NULL) && h->ip == NULL)
		sbuf_puts(&miss, " ip (a static address: poolboot finds the new "
		    "install there)");
	if ((rebuild || h->join != NULL) && h->ip != NULL &&
	    (p = rebuild ? h->pool : h->join) != NULL &&
	    p->xapi != NULL && strncmp(p->xapi, "https://", 8) != 0) {
		sbuf_free(&miss);
		snprintf(err, errlen, "pool %s: xapi = %s is not https://; %s "
		    "%s sends the new install the pool's password, which "
		    "poolboot does only over TLS with the certificate it made "
		    "for it (set xapi = https://... in [pool %s], line %d)",
		    p->name, p->xapi, kind, h->name, p->name, p->line);
		return JOBS_CONFLICT;
	}
	if (miss.len > 0) {
		snprintf(err, errlen, "host %s lacks what a fresh install needs "
		    "in its [host] section:%s", h->name, miss.p);
		sbuf_free(&miss);
		return JOBS_CONFLICT;
	}
	return JOBS_OK;
}

/* A rebuild never runs under a running rolling upgrade of h's pool: the
 * run takes one host after another down, and powering h into the
 * installer would make two (a member the run has taken down is not live
 * either, but it is not dead). A halted or finished run is no obstacle.
 * JOBS_OK, or JOBS_CONFLICT with err. */
static enum jobs_result
jobs_check_run(struct jobs *js, const struct host *h, char *err,
    size_t errlen)
{
	struct run_host *rh = NULL;
	const char *step = NULL;
	struct run run;
	size_t n = 0, i;

	if (store_run_latest(js->st, h->pool->name, &run) != 0 ||
	    !state_run_is(run.state, RUN_RUNNING))
		return JOBS_OK;
	if (store_run_hosts(js->st, run.id, &rh, &n) == 0)
		for (i = 0; i < n; i++)
			if (strcmp(rh[i].host, h->name) == 0)
				step = rh[i].step;
	snprintf(err, errlen, "pool %s has a running rolling upgrade (run "
	    "%lld%s%s): a rebuild of %s now could take a second host of the "
	    "pool down; wait until the run is done or halted (poolboot status "
	    "%s), or abort it (poolboot abort %s), then rebuild", run.pool,
	    (long long)run.id, step ? ", host in step " : "", step ? step : "",
	    h->name, run.pool, run.pool);
	free(rh);
	return JOBS_CONFLICT;
}

/* A host has one unfinished (running or halted) job at most. */
static enum jobs_result
jobs_check_latest(struct jobs *js, const char *host, char *err,
    size_t errlen)
{
	struct job last;

	if (store_job_latest(js->st, host, &last) == 0 &&
	    (state_run_is(last.state, RUN_RUNNING) ||
	    state_run_is(last.state, RUN_HALTED))) {
		snprintf(err, errlen, "host %s already has a %s %s job (%lld): "
		    "retry or abort it", host, last.state, last.kind,
		    (long long)last.id);
		return JOBS_CONFLICT;
	}
	return JOBS_OK;
}

/* jobs_start in cfg. */
static enum jobs_result
jobs_start_in(struct jobs *js, const struct config *cfg, const char *host,
    const char *kind, int wipe, struct job *out, char *err, size_t errlen)
{
	const struct host *h = config_host(cfg, host);
	int rebuild = strcmp(kind, "rebuild") == 0;
	enum jobs_result res;
	struct job j;
	int rc;

	if (h == NULL) {
		snprintf(err, errlen, "no host \"%.64s\" in the inventory", host);
		return JOBS_NOT_FOUND;
	}
	if (site_refuse_host(cfg, host, err, errlen))
		return JOBS_CONFLICT;
	if ((res = jobs_check_host(h, kind, rebuild, wipe, err, errlen)) !=
	    JOBS_OK)
		return res;
	if (rebuild && (res = jobs_check_run(js, h, err, errlen)) != JOBS_OK)
		return res;
	if ((res = jobs_check_latest(js, host, err, errlen)) != JOBS_OK)
		return res;
	memset(&j, 0, sizeof(j));
	util_strlcpy(j.host, sizeof(j.host), host);
	util_strlcpy(j.kind, sizeof(j.kind), kind);
	util_strlcpy(j.pool, sizeof(j.pool), rebuild ? h->pool->name :
	    (h->join ? h->join->name : ""));
	job_set_state(&j, RUN_RUNNING);
	job_set_step(&j, rebuild ? JOB_CHECK : JOB_ARM);
	j.created_at = j.updated_at = j.step_started_at = util_now_ms();
	if ((rc = store_job_create(js->st, &j)) == 1) {
		/* another request came first: the store has one per host */
		if ((res = jobs_check_latest(js, host, err, errlen)) == JOBS_OK)
			snprintf(err, errlen, "host %s already has an unfinished "
			    "job: retry or abort it", host);
		return JOBS_CONFLICT;
	}
	if (rc == -1) {
		snprintf(err, errlen, "cannot write the job to the store");
		return JOBS_ERROR;
	}
	job_step_event(js->st, &j, "%s started%s%s", kind,
	    j.pool[0] ? " for pool " : "", j.pool);
	if (job_thread_start_locked(js, j.id) == -1) {
		snprintf(err, errlen, "cannot start the job thread");
		return JOBS_ERROR;
	}
	*out = j;
	return JOBS_ACCEPTED;
}

enum jobs_result
jobs_start(struct jobs *js, const char *host, const char *kind, int wipe,
    struct job *out, char *err, size_t errlen)
{
	const struct config *cfg = config_live_get(js->live);
	enum jobs_result res;

	res = jobs_start_in(js, cfg, host, kind, wipe, out, err, errlen);
	config_live_put(js->live, cfg);
	return res;
}

enum jobs_result
jobs_list(struct jobs *js, struct job **out, size_t *n, char *err,
    size_t errlen)
{
	*out = NULL;
	*n = 0;
	if (store_jobs(js->st, 100, out, n) == -1) {
		free(*out);
		*out = NULL;
		*n = 0;
		snprintf(err, errlen, "cannot read the store");
		return JOBS_ERROR;
	}
	return JOBS_OK;
}

enum jobs_result
jobs_get(struct jobs *js, int64_t id, struct job *out, char *err,
    size_t errlen)
{
	if (store_job_get(js->st, id, out) == -1) {
		snprintf(err, errlen, "no job %lld", (long long)id);
		return JOBS_NOT_FOUND;
	}
	return JOBS_OK;
}

enum jobs_result
jobs_retry(struct jobs *js, int64_t id, struct job *out, char *err,
    size_t errlen)
{
	struct job j;
	enum job_step s;
	int rc;

	if (store_job_get(js->st, id, &j) == -1) {
		snprintf(err, errlen, "no job %lld", (long long)id);
		return JOBS_NOT_FOUND;
	}
	if (jobs_other_site(js, j.host, err, errlen))
		return JOBS_CONFLICT;
	if (!state_run_is(j.state, RUN_HALTED)) {
		snprintf(err, errlen, "job %lld is %s, not halted", (long long)id,
		    j.state);
		return JOBS_CONFLICT;
	}
	/* a failed install needs a new arming and a new boot */
	if (state_job_step_parse(j.step, &s) == 0 && (s == JOB_INSTALL ||
	    s == JOB_POWER))
		job_set_step(&j, JOB_ARM);
	job_set_state(&j, RUN_RUNNING);
	j.error[0] = '\0';
	j.message[0] = '\0';	/* an instruction of the failed attempt */
	j.attempts = 0;
	j.step_started_at = j.updated_at = util_now_ms();
	/* halted -> running in one statement: of concurrent retries (or a
	 * retry and an abort) one goes on */
	if ((rc = store_job_update_if(js->st, &j, state_run_name(RUN_HALTED)))
	    != 0) {
		snprintf(err, errlen, rc == 1 ? "job %lld is no longer halted "
		    "(retried or aborted meanwhile)" : "cannot write job %lld "
		    "to the store", (long long)id);
		return rc == 1 ? JOBS_CONFLICT : JOBS_ERROR;
	}
	job_step_event(js->st, &j, "retry: resuming at step %s", j.step);
	if (job_thread_start_locked(js, id) == -1) {
		snprintf(err, errlen, "cannot start the job thread");
		return JOBS_ERROR;
	}
	*out = j;
	return JOBS_ACCEPTED;
}

enum jobs_result
jobs_abort(struct jobs *js, int64_t id, struct job *out, char *err,
    size_t errlen)
{
	const struct config *cfg;
	struct job_thread *t;
	struct job j;
	char was[sizeof(j.state)];
	int running = 0, rc;

	if (store_job_get(js->st, id, &j) == -1) {
		snprintf(err, errlen, "no job %lld", (long long)id);
		return JOBS_NOT_FOUND;
	}
	if (jobs_other_site(js, j.host, err, errlen))
		return JOBS_CONFLICT;
	if (!state_run_is(j.state, RUN_RUNNING) &&
	    !state_run_is(j.state, RUN_HALTED)) {
		snprintf(err, errlen, "job %lld is %s: nothing to abort",
		    (long long)id, j.state);
		return JOBS_CONFLICT;
	}
	pthread_mutex_lock(&js->mu);
	for (t = js->threads; t != NULL; t = t->next)
		if (t->id == id && t->running) {
			t->abort_req = 1;
			running = 1;
		}
	pthread_cond_broadcast(&js->cv);
	pthread_mutex_unlock(&js->mu);
	if (running) {
		util_strlcpy(j.state, sizeof(j.state), JOB_STATE_ABORTING);
		*out = j;
		return JOBS_ACCEPTED;
	}
	util_strlcpy(was, sizeof(was), j.state);
	cfg = config_live_get(js->live);
	rc = job_abort_cleanup(js, cfg, &j, was);
	config_live_put(js->live, cfg);
	if (rc != 0) {
		snprintf(err, errlen, rc == 1 ? "job %lld changed while it was "
		    "being aborted (a retry?): look at it and abort again" :
		    "cannot write job %lld to the store", (long long)id);
		return rc == 1 ? JOBS_CONFLICT : JOBS_ERROR;
	}
	*out = j;
	return JOBS_OK;
}

/* ---- life cycle ------------------------------------------------------------------ */

int
jobs_new(struct config_live *live, struct store *st, struct arm *arm,
    struct jobs **out)
{
	struct jobs *js;

	*out = NULL;
	if ((js = calloc(1, sizeof(*js))) == NULL)
		return -1;
	js->live = live;
	js->st = st;
	js->arm = arm;
	pthread_mutex_init(&js->mu, NULL);
	pthread_cond_init(&js->cv, NULL);
	*out = js;
	return 0;
}

void
jobs_resume(struct jobs *js)
{
	int64_t *ids = NULL;
	size_t n = 0, i;

	if (js == NULL || store_jobs_running(js->st, &ids, &n) == -1)
		return;
	for (i = 0; i < n; i++) {
		struct job j;
		char err[256];

		/* another site's job is its own instance's */
		if (store_job_get(js->st, ids[i], &j) == -1 ||
		    jobs_other_site(js, j.host, err, sizeof(err)))
			continue;
		log_info("job", "resuming job %lld after a restart",
		    (long long)ids[i]);
		pthread_mutex_lock(&js->mu);
		if (job_thread_start(js, ids[i]) == -1)
			log_error("job", "cannot start a thread for job %lld",
			    (long long)ids[i]);
		pthread_mutex_unlock(&js->mu);
	}
	free(ids);
}

void
jobs_free(struct jobs *js)
{
	struct job_thread *t, *next;

	if (js == NULL)
		return;
	pthread_mutex_lock(&js->mu);
	js->stop = 1;
	pthread_cond_broadcast(&js->cv);
	/* the threads are detached: wait until each has let go */
	for (t = js->threads; t != NULL; t = t->next)
		while (t->running)
			pthread_cond_wait(&js->cv, &js->mu);
	pthread_mutex_unlock(&js->mu);
	for (t = js->threads; t != NULL; t = next) {
		next = t->next;
		free(t);
	}
	pthread_cond_destroy(&js->cv);
	pthread_mutex_destroy(&js->mu);
	free(js);
}
