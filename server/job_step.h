/* job_step.h — what each step of a rebuild or install job does (job.h
 * has the order of the steps and the thread that takes them): look the
 * dead member up in its pool (check), forget it (forget), arm the host
 * (arm.h), power it into PXE (power.h), wait for the installer's callback
 * (install), wait for XAPI on the new install (xapi), pool.join it
 * (join) and wait for it to be a live, enabled member (member).
 *
 * A step runs once per call and either finishes, asks to be called again
 * after a wait (transient trouble, or a step that waits by nature), or
 * fails with a reason. Every step is safe to run again after a crash:
 * forgetting a host that is already gone is fine, re-arming only replaces
 * the token, powering is skipped once the installer has started, and the
 * later steps only observe or are idempotent. Each step that talks to the
 * pool opens its own XAPI client (pool.h) and frees it before it returns.
 * Also here: the events of a job (store and log).
 */
#ifndef POOLBOOT_JOB_STEP_H
#define POOLBOOT_JOB_STEP_H

#include <stddef.h>

#include "arm.h"
#include "config.h"
#include "state.h"
#include "store.h"

#define JOB_STEP_POLL_MS	1000	/* poll interval without a pool */

/* What a step did. */
enum job_step_res {
	JOB_STEP_OK = 0,	/* finished: go on to the next step */
	JOB_STEP_WAIT,		/* call again after ctx.wait_ms */
	JOB_STEP_FAIL		/* halt the job with ctx.err */
};

/* One run of one step of job j. The caller fills the inputs; the step
 * may change *j (old_ref, message, attempts), which the caller writes to
 * the store. */
struct job_step_ctx {
	const struct config *cfg;
	struct store	*st;
	struct arm	*arm;
	struct job	*j;
	const struct host *h;
	const struct pool *p;		/* the pool it joins, NULL if none */
	enum job_step	 step;		/* the step to run */
	char		 err[512];	/* out: the reason of JOB_STEP_FAIL */
	int		 wait_ms;	/* out: the wait of JOB_STEP_WAIT (0 =
					 * the caller's default) */
};

/* Runs c->step once (JOB_DONE and unknown steps: JOB_STEP_OK at once). */
enum job_step_res job_step_run(struct job_step_ctx *c);

/* Records an event of job j in the store (for its host and pool) and logs
 * it with the job's kind and id. */
void  job_step_event(struct store *st, const struct job *j,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
