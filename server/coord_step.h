/* coord_step.h — what each step of a host in a rolling upgrade does
 * (coord.h draws the order), as a table of steps: per step its function
 * and the [pool] key of its timeout. The coordinator's run loop (coord.c)
 * calls coord_step_run for the host's current step and acts on the
 * result; the step itself never writes the step to the store (the loop
 * writes the next one before acting on it), only the host's fields it
 * learns (versions, boot_time_before) and retry counts.
 *
 * Every step can be done again after a crash: disable and enable are
 * idempotent, evacuating an empty host succeeds, re-arming before the
 * reboot only replaces the token, the reboot is only issued while XAPI
 * shows the host up on its old boot_time, install and rejoin only observe,
 * and return looks each VM up afresh and writes its result before the next
 * (coord_place.h).
 *
 *   step      function        timeout key
 *   pending   (HA/WLB off)    step_timeout
 *   disable   host.disable    step_timeout
 *   evacuate  (its VMs recorded) Async.host.evacuate + task
 *                                          evacuate_timeout
 *   arm       arm_host        step_timeout
 *   reboot    host.reboot     step_timeout
 *   install   (the callback)  install_timeout
 *   rejoin    (XAPI: back on the target)   rejoin_timeout
 *   enable    host.enable     step_timeout
 *   return    its VMs back: VM.pool_migrate each (coord_place.h)
 *                                          evacuate_timeout per VM
 */
#ifndef POOLBOOT_COORD_STEP_H
#define POOLBOOT_COORD_STEP_H

#include <stddef.h>

#include "arm.h"
#include "config.h"
#include "pool.h"
#include "state.h"
#include "store.h"
#include "xapi.h"

enum coord_step_result {
	COORD_STEP_OK,		/* done: the loop moves the host on */
	COORD_STEP_WAIT,	/* again after wait_ms */
	COORD_STEP_FAIL		/* the run halts with err */
};

/* What the steps of one run keep between calls (the run's thread only):
 * the event.from token of the rejoin step and the XAPI ref of the host
 * last looked up. Zero-initialise; free ev_token when done. */
struct coord_step_cache {
	char	*ev_token;
	char	 ref_host[64];
	char	 ref[128];
	int	 master_synced;	/* the pool's master read since the runner
				 * (re)started (coord_master.h) */
};

/* One call of a step for host h of run: set up by the loop. */
struct coord_stepctx {
	struct store	*st;
	struct arm	*arm;
	const struct pool *p;
	struct xapi	*x;
	struct run	*run;
	struct run_host	*h;
	struct coord_step_cache *cache;
	/* out */
	char		 err[512];	/* COORD_STEP_FAIL: why */
	int		 wait_ms;	/* COORD_STEP_WAIT: 0 the pool's poll
					 * interval, -1 look again at once */
	int		 skip;		/* host found on the target version */
	int		 dirty;		/* h changed while waiting */
	int		 xapi_down;	/* COORD_STEP_FAIL: because XAPI did not
					 * answer (transport or a transient
					 * error until the step's timeout) */
};

/* Performs step s of sc->h once. Steps without a function (done,
 * skipped) return COORD_STEP_OK. */
enum coord_step_result coord_step_run(struct coord_stepctx *sc,
	    enum coord_step s);
/* Step s's timeout in seconds for pool p (its key in the table). */
int   coord_step_timeout_s(const struct pool *p, enum coord_step s);

/* A XAPI error e while doing what: a transient one (the master down or
 * busy, the host starting) is retried with backoff until the timeout of
 * sc->h's step (COORD_STEP_WAIT), anything else, or the timeout,
 * fails (COORD_STEP_FAIL with sc->err; sc->xapi_down set when e was
 * transient). */
enum coord_step_result coord_step_xapi_retry(struct coord_stepctx *sc,
	    const char *what, const struct xapi_error *e);

/* sc->h's ref and record now: with all = 0 only that host (by the cached
 * ref), else, or when that fails, a fresh light snapshot of the pool. 0
 * with *out pointing into s (free s with pool_snapshot_free), or -1 with
 * e (s then empty). */
int   coord_step_host_now(struct coord_stepctx *sc, int all,
	    struct pool_snapshot *s, const struct pool_host **out,
	    struct xapi_error *e);

/* The run's step transitions (coord.h's state machine), pure and
 * unit-tested one by one. */
/* The step after s when s succeeded (STEP_RETURN after STEP_ENABLE,
 * STEP_DONE after that; DONE and
 * SKIPPED are final). Pure; unit-tested transition by transition. */
enum coord_step coord_step_next(enum coord_step s);
/* Where retry resumes a host that failed in step s: the same step, except
 * a failed install (the installer reported 1, or no callback came) which
 * needs a new arming and boot: STEP_ARM. */
enum coord_step coord_step_retry(enum coord_step s);
/* 1 while a host in step s is (or may be) offline or unusable for VMs. */
int   coord_step_offline(enum coord_step s);

#endif
