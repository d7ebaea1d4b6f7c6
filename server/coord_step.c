/* coord_step.c — the steps of a host in a rolling upgrade and their
 * table; see coord_step.h. */
#include "coord_step.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord_ha.h"
#include "coord_power.h"
#include "coord_place.h"
#include "log.h"
#include "rules.h"
#include "util.h"

typedef enum coord_step_result coord_step_fn(struct coord_stepctx *sc);

static coord_step_fn coord_step_start, coord_step_disable,
    coord_step_evacuate, coord_step_arm, coord_step_reboot,
    coord_step_install, coord_step_rejoin, coord_step_enable,
    coord_step_return;

/* The steps: function and the [pool] key of the timeout (coord_step.h). */
struct coord_step_def {
	coord_step_fn	*fn;
	const char	*timeout_key;
	size_t		 timeout_off;	/* of that key's int in struct pool */
};

#define COORD_STEP_TIMEOUT(key) #key, offsetof(struct pool, key)

static const struct coord_step_def coord_step_table[STEP_COUNT] = {
	[STEP_PENDING] =  { coord_step_start, COORD_STEP_TIMEOUT(step_timeout) },
	[STEP_DISABLE] =  { coord_step_disable,
	    COORD_STEP_TIMEOUT(step_timeout) },
	[STEP_EVACUATE] = { coord_step_evacuate,
	    COORD_STEP_TIMEOUT(evacuate_timeout) },
	[STEP_ARM] =      { coord_step_arm, COORD_STEP_TIMEOUT(step_timeout) },
	[STEP_REBOOT] =   { coord_step_reboot,
	    COORD_STEP_TIMEOUT(step_timeout) },
	[STEP_INSTALL] =  { coord_step_install,
	    COORD_STEP_TIMEOUT(install_timeout) },
	[STEP_REJOIN] =   { coord_step_rejoin,
	    COORD_STEP_TIMEOUT(rejoin_timeout) },
	[STEP_ENABLE] =   { coord_step_enable,
	    COORD_STEP_TIMEOUT(step_timeout) },
	/* each VM's move is bounded by evacuate_timeout (coord_place.c) */
	[STEP_RETURN] =   { coord_step_return,
	    COORD_STEP_TIMEOUT(evacuate_timeout) },
	[STEP_DONE] =     { NULL, COORD_STEP_TIMEOUT(step_timeout) },
	[STEP_SKIPPED] =  { NULL, COORD_STEP_TIMEOUT(step_timeout) },
};

enum coord_step_result
coord_step_run(struct coord_stepctx *sc, enum coord_step s)
{
	if ((unsigned)s >= STEP_COUNT || coord_step_table[s].fn == NULL)
		return COORD_STEP_OK;
	return coord_step_table[s].fn(sc);
}

int
coord_step_timeout_s(const struct pool *p, enum coord_step s)
{
	size_t off = coord_step_table[(unsigned)s < STEP_COUNT ? s :
	    STEP_DONE].timeout_off;
	int v;

	memcpy(&v, (const char *)p + off, sizeof(v));
	return v;
}

static int64_t
coord_step_elapsed_ms(const struct run_host *h)
{
	return util_now_ms() - h->step_started_at;
}

/* A XAPI error worth retrying: the master is down or busy, or the host is
 * still starting. Anything else fails the step. */
static int
coord_step_transient(const struct xapi_error *e)
{
	static const char *codes[] = { "HOST_STILL_BOOTING",
	    "OTHER_OPERATION_IN_PROGRESS", "HOST_IS_SLAVE", "SESSION_INVALID",
	    "TOO_BUSY", "HOST_OFFLINE", "HOST_IN_EMERGENCY_MODE", NULL };
	size_t i;

	if (e->transport)
		return 1;
	for (i = 0; codes[i] != NULL; i++)
		if (strcmp(e->code, codes[i]) == 0)
			return 1;
	return 0;
}

enum coord_step_result
coord_step_xapi_retry(struct coord_stepctx *sc, const char *what,
    const struct xapi_error *e)
{
	enum coord_step s = STEP_PENDING;
	int tmo;

	(void)state_step_parse(sc->h->step, &s);
	tmo = coord_step_timeout_s(sc->p, s);
	if (coord_step_transient(e) &&
	    coord_step_elapsed_ms(sc->h) < (int64_t)tmo * 1000) {
		int backoff = 250 << (sc->h->attempts < 5 ? sc->h->attempts : 5);

		if (backoff > 5000)
			backoff = 5000;
		if (backoff < sc->p->poll_ms)
			backoff = sc->p->poll_ms;
		sc->h->attempts++;
		sc->dirty = 1;
		log_debug("coord", "pool %s: host %s: %s: %s; retrying in %d ms",
		    sc->p->name, sc->h->host, what, xapi_strerror(e), backoff);
		sc->wait_ms = backoff;
		return COORD_STEP_WAIT;
	}
	snprintf(sc->err, sizeof(sc->err), "%s: %s%s", what, xapi_strerror(e),
	    coord_step_transient(e) ? " (gave up after the step timeout)" : "");
	sc->xapi_down = coord_step_transient(e);
	return COORD_STEP_FAIL;
}

/* Only sc's host, by the ref cached from an earlier snapshot: two small
 * calls (host.get_record, host_metrics.get_record) instead of every
 * host's records. -1 when there is no cached ref or a call fails. */
static int
coord_step_host_one(struct coord_stepctx *sc, struct pool_snapshot *s,
    struct xapi_error *e)
{
	memset(s, 0, sizeof(*s));
	if (strcmp(sc->cache->ref_host, sc->h->host) != 0 ||
	    sc->cache->ref[0] == '\0')
		return -1;
	return pool_snapshot_one(sc->x, sc->cache->ref, s, e);
}

int
coord_step_host_now(struct coord_stepctx *sc, int all, struct pool_snapshot *s,
    const struct pool_host **out, struct xapi_error *e)
{
	memset(e, 0, sizeof(*e));
	if (!all && coord_step_host_one(sc, s, e) == 0 &&
	    (*out = pool_snapshot_host(s, sc->h->host)) != NULL)
		return 0;
	memset(e, 0, sizeof(*e));
	if (pool_snapshot_take(sc->x, s, 0, e) == -1)
		return -1;
	if ((*out = pool_snapshot_host(s, sc->h->host)) == NULL) {
		pool_snapshot_free(s);
		memset(e, 0, sizeof(*e));
		snprintf(e->code, sizeof(e->code), "HOST_NOT_IN_POOL");
		snprintf(e->message, sizeof(e->message), "host %s is no longer "
		    "in the XAPI pool", sc->h->host);
		return -1;
	}
	util_strlcpy(sc->cache->ref_host, sizeof(sc->cache->ref_host),
	    sc->h->host);
	util_strlcpy(sc->cache->ref, sizeof(sc->cache->ref), (*out)->ref);
	return 0;
}

/* method(host ref), e.g. host.disable. */
static enum coord_step_result
coord_step_simple_call(struct coord_stepctx *sc, const char *method,
    const char *what)
{
	struct pool_snapshot s;
	const struct pool_host *xh;
	struct xapi_error e;
	char ref[128];

	if (coord_step_host_now(sc, 0, &s, &xh, &e) == -1)
		return coord_step_xapi_retry(sc, what, &e);
	util_strlcpy(ref, sizeof(ref), xh->ref);
	pool_snapshot_free(&s);
	if (xapi_call_s(sc->x, method, NULL, &e, ref, NULL, NULL) == -1)
		return coord_step_xapi_retry(sc, what, &e);
	return COORD_STEP_OK;
}

/* An unfinished rebuild of a member of sc's pool (running, or halted
 * and waiting for the operator: its host is forgotten in XAPI, dead or
 * in the installer, where XAPI no longer shows it): no second host goes
 * down meanwhile. A dead master's rebuild after `poolboot recover` is
 * one. 0, or -1 with sc->err. */
static int
coord_step_no_rebuild(struct coord_stepctx *sc, const char *action)
{
	struct job *jobs = NULL;
	size_t n = 0, i;
	int ret = 0;

	if (store_jobs(sc->st, 256, &jobs, &n) == -1) {
		snprintf(sc->err, sizeof(sc->err), "cannot read the store");
		return -1;
	}
	for (i = 0; i < n && ret == 0; i++) {
		const struct job *j = &jobs[i];
		int halted = strcmp(j->state, "halted") == 0;

		if (strcmp(j->kind, "rebuild") != 0 ||
		    strcmp(j->pool, sc->p->name) != 0 ||
		    (!halted && strcmp(j->state, "running") != 0))
			continue;
		snprintf(sc->err, sizeof(sc->err), "refusing to %s %.64s: host "
		    "%.64s of pool %.64s is being rebuilt (job %lld, %s "
		    "%.16s; never two hosts of a pool down); %s (poolboot jobs "
		    "%s %lld), then poolboot retry %.64s", action, sc->h->host,
		    j->host, sc->p->name, (long long)j->id, halted ?
		    "halted in step" : "step", j->step, halted ? "finish the "
		    "job: see its error, then retry it" : "let the job finish, "
		    "or abort it", halted ? "retry" : "abort", (long long)j->id,
		    sc->p->name);
		ret = -1;
	}
	free(jobs);
	return ret;
}

/*
 * Never two hosts of a pool down: every host of s other than sc's (xh,
 * the one we disable and take down) must be live and enabled now, in a
 * fresh read of XAPI, and no rebuild of the pool may be running.
 * COORD_STEP_OK, or COORD_STEP_FAIL with sc->err
 * naming the hosts and what to do; s is left to the caller.
 */
static enum coord_step_result
coord_step_others_up(struct coord_stepctx *sc, const struct pool_snapshot *s,
    const struct pool_host *xh, const char *action)
{
	struct pool_ident self = { .name = sc->h->host };
	char why[300];

	if (coord_step_no_rebuild(sc, action) == -1)
		return COORD_STEP_FAIL;
	if (pool_others_up(s, xh->ref, &self, why, sizeof(why)) == 0)
		return COORD_STEP_OK;
	snprintf(sc->err, sizeof(sc->err), "refusing to %s %.64s: XAPI shows "
	    "other hosts of pool %.64s %.150s (never two hosts of a pool "
	    "down); bring them back live and enabled (xe host-enable), then "
	    "poolboot retry %.64s (or abort)", action, sc->h->host,
	    sc->p->name, why, sc->p->name);
	return COORD_STEP_FAIL;
}

/* The first host's pending step: HA/WLB off when the run asks for it;
 * the pool's auto_poweron off for the run (coord_power.h), before the
 * first evacuation, so that an upgraded host does not refill itself. */
static enum coord_step_result
coord_step_start(struct coord_stepctx *sc)
{
	if (sc->run->disable_ha && coord_ha_off(sc->x, sc->st, sc->p, sc->run,
	    sc->err, sizeof(sc->err)) == -1)
		return COORD_STEP_FAIL;
	if (coord_power_off(sc->x, sc->st, sc->p, sc->err,
	    sizeof(sc->err)) == -1)
		return COORD_STEP_FAIL;
	return COORD_STEP_OK;
}

static enum coord_step_result
coord_step_disable(struct coord_stepctx *sc)
{
	struct pool_snapshot s;
	const struct pool_host *xh;
	struct xapi_error e;

	/* never a second host down: every other host must be up now (and
	 * again right before the reboot, coord_step_reboot) */
	if (coord_step_host_now(sc, 1, &s, &xh, &e) == -1)
		return coord_step_xapi_retry(sc, "reading the pool", &e);
	if (rules_version_cmp(xh->version, sc->run->target_version) == 0 &&
	    sc->h->boot_time_before[0] == '\0') {
		/* upgraded since the plan was made (by hand, or a run that
		 * was aborted after its install): nothing to do */
		pool_snapshot_free(&s);
		util_strlcpy(sc->h->old_version, sizeof(sc->h->old_version),
		    xh->version);
		util_strlcpy(sc->h->new_version, sizeof(sc->h->new_version),
		    xh->version);
		sc->skip = 1;
		return COORD_STEP_OK;
	}
	if (coord_step_others_up(sc, &s, xh, "disable") != COORD_STEP_OK) {
		pool_snapshot_free(&s);
		return COORD_STEP_FAIL;
	}
	if (!xh->live) {
		snprintf(sc->err, sizeof(sc->err), "host %s is not live",
		    sc->h->host);
		pool_snapshot_free(&s);
		return COORD_STEP_FAIL;
	}
	util_strlcpy(sc->h->old_version, sizeof(sc->h->old_version),
	    xh->version);
	pool_snapshot_free(&s);
	return coord_step_simple_call(sc, "host.disable", "host.disable");
}

/* The VMs on sc's host (ref) recorded to come back (coord_place.h). */
static enum coord_step_result
coord_step_place_record(struct coord_stepctx *sc, const char *ref,
    struct xapi_error *e)
{
	struct coord_place_ctx pc = { .st = sc->st, .p = sc->p, .x = sc->x,
	    .run = sc->run, .host = sc->h->host };
	int rc = coord_place_record(&pc, ref, e);

	if (rc == -1)
		return coord_step_xapi_retry(sc, "reading the VMs", e);
	if (rc == -2) {
		util_strlcpy(sc->err, sizeof(sc->err), pc.err);
		return COORD_STEP_FAIL;
	}
	return COORD_STEP_OK;
}

static enum coord_step_result
coord_step_evacuate(struct coord_stepctx *sc)
{
	enum coord_step_result rc;
	struct pool_snapshot s;
	const struct pool_host *xh;
	struct xapi_error e;
	struct xr_value *task = NULL;
	char ref[128];
	int64_t left;

	if (coord_step_host_now(sc, 0, &s, &xh, &e) == -1)
		return coord_step_xapi_retry(sc, "reading the pool", &e);
	util_strlcpy(ref, sizeof(ref), xh->ref);
	pool_snapshot_free(&s);
	/* which VMs come back after the upgrade: recorded before any moves
	 * (again after a restart: that only adds) */
	if ((rc = coord_step_place_record(sc, ref, &e)) != COORD_STEP_OK)
		return rc;
	memset(&e, 0, sizeof(e));
	if (xapi_call_s(sc->x, "Async.host.evacuate", &task, &e, ref, NULL,
	    NULL) == -1)
		return coord_step_xapi_retry(sc, "Async.host.evacuate", &e);
	left = (int64_t)sc->p->evacuate_timeout * 1000 -
	    coord_step_elapsed_ms(sc->h);
	if (left < 1000)
		left = 1000;
	if (xapi_task_wait(sc->x, xr_str(task) ? xr_str(task) : "",
	    (int)(left / 1000), sc->p->poll_ms < 500 ? sc->p->poll_ms : 500,
	    NULL, &e) == -1) {
		xr_free(task);
		/* an evacuation still running (ours, from before a restart,
		 * or an operator's) makes XAPI refuse this one: wait for it
		 * as for any busy host; the next one finds the host empty */
		if (e.transport || strcmp(e.code,
		    "OTHER_OPERATION_IN_PROGRESS") == 0)
			return coord_step_xapi_retry(sc, "evacuation", &e);
		snprintf(sc->err, sizeof(sc->err), "evacuation failed: %s; "
		    "migrate or shut down the VMs left on %s, then retry",
		    xapi_strerror(&e), sc->h->host);
		return COORD_STEP_FAIL;
	}
	xr_free(task);
	return COORD_STEP_OK;
}

static enum coord_step_result
coord_step_arm(struct coord_stepctx *sc)
{
	struct pool_snapshot s;
	const struct pool_host *xh;
	struct xapi_error e;
	char token[UTIL_TOKEN_LEN + 1], msg[512];
	enum arm_status as;

	/* remember boot_time before the reboot: the rejoin step waits for
	 * XAPI to show a new one */
	if (coord_step_host_now(sc, 0, &s, &xh, &e) == -1)
		return coord_step_xapi_retry(sc, "reading the pool", &e);
	if (xh->live && rules_version_cmp(xh->version,
	    sc->run->target_version) == 0) {
		/* already on the target: e.g. rebuilt with the new version
		 * after its upgrade failed (poolboot rebuild); never install
		 * the same version over it again */
		util_strlcpy(sc->h->new_version, sizeof(sc->h->new_version),
		    xh->version);
		pool_snapshot_free(&s);
		sc->skip = 1;
		return COORD_STEP_OK;
	}
	util_strlcpy(sc->h->boot_time_before, sizeof(sc->h->boot_time_before),
	    xh->boot_time);
	if (sc->h->old_version[0] == '\0')
		util_strlcpy(sc->h->old_version, sizeof(sc->h->old_version),
		    xh->version);
	pool_snapshot_free(&s);
	if (store_run_host_update(sc->st, sc->h) == -1) {
		snprintf(sc->err, sizeof(sc->err), "cannot write the store");
		return COORD_STEP_FAIL;
	}
	as = arm_host(sc->arm, sc->h->host, 0, token, msg, sizeof(msg));
	util_wipe(token, sizeof(token));
	if (as != ARM_OK) {
		snprintf(sc->err, sizeof(sc->err), "cannot arm: %.480s", msg);
		return COORD_STEP_FAIL;
	}
	return COORD_STEP_OK;
}

/*
 * Reboots the host into the installer, exactly once. The reboot is taken
 * as done only on evidence: the installer fetched the answerfile (the
 * arming left "armed"), or XAPI shows the host not live or with a new
 * boot_time. A transport error proves nothing (a dropped connection to the
 * master says nothing about a member): it is retried, and a repeated
 * host.reboot while the first is still in progress is refused by XAPI as
 * busy, which is retried too. Right before host.reboot every other host
 * must be live and enabled in a fresh read of the whole pool: the check
 * at the disable step may be half an hour old (a long evacuation).
 */
static enum coord_step_result
coord_step_reboot(struct coord_stepctx *sc)
{
	struct pool_snapshot s;
	const struct pool_host *xh;
	struct xapi_error e;
	struct host_status hs;
	char ref[128];

	if (store_host_status(sc->st, sc->h->host, &hs) == 0 &&
	    hs.state != HOST_ARMED)
		return COORD_STEP_OK;
	if (coord_step_host_now(sc, 1, &s, &xh, &e) == -1)
		return coord_step_xapi_retry(sc, "reading the pool before the "
		    "reboot", &e);
	if (!xh->live || strcmp(xh->boot_time, sc->h->boot_time_before) != 0) {
		pool_snapshot_free(&s);
		return COORD_STEP_OK;
	}
	if (coord_step_others_up(sc, &s, xh, "reboot") != COORD_STEP_OK) {
		pool_snapshot_free(&s);
		return COORD_STEP_FAIL;
	}
	util_strlcpy(ref, sizeof(ref), xh->ref);
	pool_snapshot_free(&s);
	if (xapi_call_s(sc->x, "host.reboot", NULL, &e, ref, NULL, NULL) == -1)
		return coord_step_xapi_retry(sc, "host.reboot", &e);
	return COORD_STEP_OK;
}

static enum coord_step_result
coord_step_install(struct coord_stepctx *sc)
{
	struct host_status hs;

	if (store_host_status(sc->st, sc->h->host, &hs) == -1) {
		snprintf(sc->err, sizeof(sc->err), "cannot read the store");
		return COORD_STEP_FAIL;
	}
	if (hs.state == HOST_DONE)
		return COORD_STEP_OK;
	if (hs.state == HOST_FAILED || hs.state == HOST_IDLE) {
		snprintf(sc->err, sizeof(sc->err), "the installer did not "
		    "succeed: %s", hs.last_event[0] ? hs.last_event :
		    "host disarmed");
		return COORD_STEP_FAIL;
	}
	if (coord_step_elapsed_ms(sc->h) >
	    (int64_t)sc->p->install_timeout * 1000) {
		char msg[256];

		snprintf(sc->err, sizeof(sc->err), "no callback from the "
		    "installer within %d s (install_timeout); check the host's "
		    "console", sc->p->install_timeout);
		(void)arm_disarm(sc->arm, sc->h->host, msg, sizeof(msg));
		return COORD_STEP_FAIL;
	}
	sc->wait_ms = sc->p->poll_ms;
	return COORD_STEP_WAIT;
}

/* XAPI is up but the host is not back yet: let XAPI tell us when a host
 * or its metrics change (event.from) instead of polling; any error falls
 * back to polling with a fresh token next time. */
static enum coord_step_result
coord_step_rejoin_wait(struct coord_stepctx *sc)
{
	static const char *const classes[] = { "host", "host_metrics", NULL };
	struct coord_step_cache *cc = sc->cache;
	struct xr_value *evs = NULL;
	struct xapi_error e;
	char *old;

	sc->wait_ms = sc->p->poll_ms;
	if (cc->ev_token == NULL && (cc->ev_token = strdup("")) == NULL)
		return COORD_STEP_WAIT;
	old = cc->ev_token;
	if (xapi_event_from(sc->x, classes, &cc->ev_token, 5.0, &evs,
	    &e) == 0) {
		free(old);
		xr_free(evs);
		sc->wait_ms = -1;	/* look again at once */
		return COORD_STEP_WAIT;
	}
	free(cc->ev_token);
	cc->ev_token = NULL;
	log_debug("coord", "pool %s: event.from: %s; polling", sc->p->name,
	    xapi_strerror(&e));
	return COORD_STEP_WAIT;
}

static enum coord_step_result
coord_step_rejoin(struct coord_stepctx *sc)
{
	struct pool_snapshot s;
	const struct pool_host *xh;
	struct xapi_error e;
	int64_t tmo_ms = (int64_t)sc->p->rejoin_timeout * 1000;

	if (coord_step_host_now(sc, 0, &s, &xh, &e) == -1) {
		/* the master is rebooting: the whole pool is unreachable */
		if (coord_step_elapsed_ms(sc->h) > tmo_ms) {
			snprintf(sc->err, sizeof(sc->err), "XAPI did not come "
			    "back within %d s (rejoin_timeout): %s",
			    sc->p->rejoin_timeout, xapi_strerror(&e));
			sc->xapi_down = coord_step_transient(&e);
			return COORD_STEP_FAIL;
		}
		if (e.transport)
			xapi_reset(sc->x);
		sc->wait_ms = sc->p->poll_ms;
		return COORD_STEP_WAIT;
	}
	if (xh->live && strcmp(xh->boot_time, "/") != 0 &&
	    strcmp(xh->boot_time, sc->h->boot_time_before) != 0) {
		if (rules_version_cmp(xh->version,
		    sc->run->target_version) != 0) {
			snprintf(sc->err, sizeof(sc->err), "host came back on "
			    "version %s, not %s: the upgrade did not take effect",
			    xh->version, sc->run->target_version);
			pool_snapshot_free(&s);
			return COORD_STEP_FAIL;
		}
		util_strlcpy(sc->h->new_version, sizeof(sc->h->new_version),
		    xh->version);
		pool_snapshot_free(&s);
		return COORD_STEP_OK;
	}
	pool_snapshot_free(&s);
	if (coord_step_elapsed_ms(sc->h) > tmo_ms) {
		snprintf(sc->err, sizeof(sc->err), "host did not come back live "
		    "on %s within %d s (rejoin_timeout)", sc->run->target_version,
		    sc->p->rejoin_timeout);
		return COORD_STEP_FAIL;
	}
	return coord_step_rejoin_wait(sc);
}

static enum coord_step_result
coord_step_enable(struct coord_stepctx *sc)
{
	return coord_step_simple_call(sc, "host.enable", "host.enable");
}

/* One VM of the host back to it per call (coord_place.h); the host's
 * attempts count the tries of the current VM. */
static enum coord_step_result
coord_step_return(struct coord_stepctx *sc)
{
	struct coord_place_ctx pc = { .st = sc->st, .p = sc->p, .x = sc->x,
	    .run = sc->run, .host = sc->h->host, .attempts = sc->h->attempts,
	    .home_ref = strcmp(sc->cache->ref_host, sc->h->host) == 0 ?
	    sc->cache->ref : NULL };
	struct xapi_error e;
	enum coord_place_turn t = coord_place_return(&pc, &e);

	if (pc.attempts != sc->h->attempts) {
		sc->h->attempts = pc.attempts;
		sc->dirty = 1;
	}
	switch (t) {
	case COORD_PLACE_ALL_DONE:
		return COORD_STEP_OK;
	case COORD_PLACE_NEXT:
		sc->wait_ms = -1;	/* the next VM at once */
		return COORD_STEP_WAIT;
	case COORD_PLACE_AGAIN:
		sc->wait_ms = sc->p->poll_ms * (1 << pc.attempts);
		return COORD_STEP_WAIT;
	case COORD_PLACE_XAPI:
		return coord_step_xapi_retry(sc, "reading the pool", &e);
	default:
		util_strlcpy(sc->err, sizeof(sc->err), pc.err);
		return COORD_STEP_FAIL;
	}
}

/* ---- transitions (from coord.c) -------------------------------------------------------- */

enum coord_step
coord_step_next(enum coord_step s)
{
	switch (s) {
	case STEP_PENDING:	return STEP_DISABLE;
	case STEP_DISABLE:	return STEP_EVACUATE;
	case STEP_EVACUATE:	return STEP_ARM;
	case STEP_ARM:		return STEP_REBOOT;
	case STEP_REBOOT:	return STEP_INSTALL;
	case STEP_INSTALL:	return STEP_REJOIN;
	case STEP_REJOIN:	return STEP_ENABLE;
	case STEP_ENABLE:	return STEP_RETURN;
	case STEP_RETURN:	return STEP_DONE;
	case STEP_DONE:		return STEP_DONE;
	case STEP_SKIPPED:	return STEP_SKIPPED;
	default:		return STEP_DONE;
	}
}

enum coord_step
coord_step_retry(enum coord_step s)
{
	/* the installer failed or never called back: its arming is spent,
	 * so the host needs a new one and a new boot */
	if (s == STEP_INSTALL)
		return STEP_ARM;
	return s;
}

int
coord_step_offline(enum coord_step s)
{
	return s >= STEP_DISABLE && s <= STEP_ENABLE;
}
