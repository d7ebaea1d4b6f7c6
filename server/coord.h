/* coord.h — the rolling-upgrade coordinator: one per pool, an explicit
 * state machine whose every transition is written to the store before the
 * action it leads to, so that `poolboot serve` killed at any moment resumes
 * the run where it was, without upgrading a host twice or skipping one.
 *
 * A run: prechecks (precheck.h; nothing changes before they all pass) ->
 * pool database dump -> optionally HA/WLB off (coord_ha.h) -> per host,
 * master first, then members in a stable order:
 *   disable -> evacuate -> arm (upgrade) -> reboot -> install (wait for the
 *   installer's callback) -> rejoin (XAPI: live again, boot_time changed,
 *   on the target version) -> enable -> return (its VMs back to it, with
 *   placement = return: coord_place.h) -> done
 * -> HA/WLB restored -> report. What each step does, and its timeout, is
 * the table of steps in coord_step.h; the run loop here takes the first
 * host that is not done, performs its step and writes the next one. Any
 * failure halts the run with its reason; retry resumes at the failed step
 * (a failed install restarts at arm); abort disarms and re-enables what
 * it can.
 *
 * The entry points speak neither HTTP nor JSON: each returns an enum
 * coord_result, fills a typed result and, on failure, a reason in err
 * (api_pool.c maps both to its answers). None is called with, or calls
 * arm while holding, the coordinator's lock.
 */
#ifndef POOLBOOT_COORD_H
#define POOLBOOT_COORD_H

#include <stddef.h>
#include <stdint.h>

#include "arm.h"
#include "config.h"
#include "coord_place.h"
#include "coord_step.h"
#include "coord_view.h"
#include "precheck.h"
#include "state.h"
#include "store.h"

struct coord;

/* What an entry point did; the API answers with the status in brackets. */
enum coord_result {
	COORD_OK = 0,		/* (200) done; for coord_upgrade: a dry run */
	COORD_STARTED,		/* (202) a run, or its abort, is under way */
	COORD_NOT_FOUND,	/* (404) no such pool in the configuration */
	COORD_CONFLICT,		/* (409) the pool's latest run does not allow
				 * it (one is running or halted, none to
				 * retry or abort) */
	COORD_PRECHECK_FAILED,	/* (409) coord_upgrade: a precheck failed,
				 * nothing was changed; the report says which */
	COORD_XAPI_FAILED,	/* (502) XAPI could not be read, or refused
				 * the pool database dump */
	COORD_XAPI_TIMEOUT,	/* (504) XAPI did not answer in time (the
				 * pool's xapi_timeout; err names the URL
				 * and the call) */
	COORD_ERROR		/* (500) no XAPI client (password file, URL),
				 * the store, memory or a thread */
};

struct coord_opts {
	int	 dry_run;	/* prechecks and plan only */
	int	 disable_ha;	/* turn HA/WLB off now and back on at the end */
	enum coord_placement placement;	/* the VMs after each host; 0
					 * (COORD_PLACE_DEFAULT): the pool's */
};

/* What coord_upgrade did besides its result. */
struct coord_upgrade_result {
	/* COORD_OK, COORD_STARTED, COORD_PRECHECK_FAILED: the prechecks and
	 * the plan; else empty. The caller frees it with
	 * precheck_report_free in every case. */
	struct precheck_report report;
	int	 dry_run;	/* COORD_OK: only checked and planned */
	int64_t	 run_id;	/* COORD_STARTED: the new run */
	char	 dump[1024];	/* COORD_STARTED: the pool database dump */
};

/* The run a retry or abort acted on. */
struct coord_run_ref {
	int	 has_run;	/* 0: the pool has no run (abort, COORD_OK) */
	int64_t	 run_id;
	/* coord_retry, COORD_STARTED: RUN_RUNNING. coord_abort, COORD_OK:
	 * the run's state once cleaned up (RUN_STATE_COUNT if the store
	 * holds an unknown name); COORD_STARTED: RUN_RUNNING (its runner
	 * is aborting it; the status shows "aborted" once it is done). */
	enum run_state state;
};

struct config_live;

/* The coordinators of a running server (all pools); nothing runs yet
 * (coord_resume). A run's thread holds a reference to the configuration
 * the run was started (or retried, or resumed) in, and uses that one to
 * its end: a reload (reload.h) does not touch a run. live, st and arm
 * must outlive c. 0, or -1 (out of memory); free with coord_free. */
int   coord_new(struct config_live *live, struct store *st, struct arm *arm,
	    struct coord **out);
/* Starts a runner thread for each run the store says is running (one per
 * pool: the store's rule) and returns at once: it never waits for a
 * thread or XAPI, so serve calls it once HTTP is served. */
void  coord_resume(struct coord *c);
/* Stops every runner and waits until each thread has let go (a runner in
 * the middle of a XAPI call finishes that call first); NULL is safe. */
void  coord_free(struct coord *c);

/* No entry point below waits for a runner thread: a run is handed to its
 * pool's runner and the call returns. Those that may call XAPI
 * (coord_precheck, coord_upgrade, coord_abort of a run with no live
 * runner) are for a caller that may wait (the API runs them off the HTTP
 * threads: api_is_slow). */

/* Every entry point works in cfg, the configuration of the request: a
 * reference the caller holds for the call (config_live.h); a run started
 * takes its own. */

/* Every entry point: err (errlen >= 1) gets the reason of any result
 * other than COORD_OK and COORD_STARTED (for COORD_PRECHECK_FAILED:
 * "prechecks failed: nothing was changed"). */

/* The prechecks and the plan of pool, nothing changed. COORD_OK with *out
 * filled (caller frees with precheck_report_free), COORD_NOT_FOUND,
 * COORD_ERROR (no XAPI client) or COORD_XAPI_FAILED. */
enum coord_result coord_precheck(struct coord *c, const struct config *cfg,
	    const char *pool, struct precheck_report *out, char *err,
	    size_t errlen);
/* Starts a rolling upgrade of pool: prechecks, then (when they pass and
 * o->dry_run is 0) the pool database dump, the run in the store and its
 * thread: COORD_STARTED. A dry run stops after the prechecks: COORD_OK.
 * Else COORD_NOT_FOUND, COORD_CONFLICT (a run is running or halted, or
 * another request is starting one: the store keeps one per pool, and a
 * second concurrent request is refused at once),
 * COORD_PRECHECK_FAILED, COORD_XAPI_FAILED or COORD_ERROR. */
enum coord_result coord_upgrade(struct coord *c, const struct config *cfg,
	    const char *pool, const struct coord_opts *o,
	    struct coord_upgrade_result *out, char *err, size_t errlen);
/* The latest run of pool, or of every pool when pool is NULL: COORD_OK
 * with *out filled (caller frees with coord_status_report_free),
 * COORD_NOT_FOUND or COORD_ERROR (the store). */
enum coord_result coord_status(struct coord *c, const struct config *cfg,
	    const char *pool, struct coord_status_report *out, char *err,
	    size_t errlen);
/* Frees what s holds and leaves it empty; an empty s and NULL are fine. */
void  coord_status_report_free(struct coord_status_report *s);
/* Resumes pool's halted run where it failed: COORD_STARTED with *out,
 * COORD_NOT_FOUND, COORD_CONFLICT (no halted run; of concurrent retries
 * all but one get it) or COORD_ERROR. */
enum coord_result coord_retry(struct coord *c, const struct config *cfg,
	    const char *pool, struct coord_run_ref *out, char *err,
	    size_t errlen);
/* Aborts pool's running or halted run: disarms, re-enables what it can,
 * restores HA/WLB. A run whose thread is live is aborted by that thread:
 * COORD_STARTED. Else it is done here: COORD_OK with the run as it is
 * then. COORD_NOT_FOUND, COORD_CONFLICT (no run to abort). */
enum coord_result coord_abort(struct coord *c, const struct config *cfg,
	    const char *pool, struct coord_run_ref *out, char *err,
	    size_t errlen);

struct lease;

/* The site's lease (lease.h), before coord_resume: a runner performs a
 * step, or writes one, only while lease_may_act(l) says so, and waits
 * while it does not. Not set (NULL): always. l must outlive c. */
void  coord_set_lease(struct coord *c, struct lease *l);

/* An installer reported back (notify.h): a waiting coordinator wakes at
 * once instead of at its next poll. c NULL: nothing. */
void  coord_notify(struct coord *c);

#endif
