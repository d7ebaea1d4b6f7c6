/* job.h — single-host jobs: rebuild a failed pool member (forget it in the
 * pool, fresh-install it, join it back) and install a new host (fresh
 * install, then optionally join a pool). Like a rolling-upgrade run, a job
 * is a state machine whose every step is written to the store before it is
 * acted on, so a restart resumes it; a failure halts it with the reason;
 * retry resumes at the failed step, abort disarms. Each job runs on its own
 * thread; what each step does is in job_step.h.
 *
 *   rebuild: check (dead or failed, never a live host) -> forget
 *            (host.destroy on the master) -> arm (fresh or reinstall, with
 *            the inventory's network identity) -> power (power.h) ->
 *            install (the installer's callback) -> xapi (the new install
 *            answers at the inventory ip) -> join (pool.join on the new
 *            host) -> member (live and enabled in the pool) -> done
 *   install: arm -> power -> install -> [xapi -> join -> member] -> done
 *
 * A job's state (struct job's state, state.h's enum run_state) is running,
 * halted, aborted or done; its step is state.h's enum job_step. The store
 * keeps both by name. The entry points speak neither HTTP nor JSON: they
 * return an enum jobs_result, the job record(s) and a reason.
 */
#ifndef POOLBOOT_JOB_H
#define POOLBOOT_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "arm.h"
#include "config.h"
#include "state.h"
#include "store.h"

/* The step after s; joins (the job joins a pool: a rebuild, or an install
 * with join = and an ip) decides whether xapi, join and member follow the
 * install. Pure; unit-tested. */
enum job_step job_step_next(enum job_step s, int joins);

/* The state jobs_abort reports for a running job whose thread has been
 * asked to stop (it writes "aborted" when it does); never stored. */
#define JOB_STATE_ABORTING	"aborting"

/* What an entry point did; the API maps these to status codes. */
enum jobs_result {
	JOBS_OK = 0,		/* 200: done (read, or aborted at once) */
	JOBS_ACCEPTED,		/* 202: a job thread was started, or a running
				 * job was asked to abort */
	JOBS_NOT_FOUND,		/* 404: no such host in the inventory, no such
				 * job */
	JOBS_CONFLICT,		/* 409: refused (no --wipe, wrong kind for the
				 * host, incomplete [host], busy host, job not
				 * in a state that allows it) */
	JOBS_ERROR		/* 500: store or thread failure */
};

struct jobs;
struct config_live;

/* The job runner; nothing runs yet (jobs_resume). The configuration comes
 * from live (config_live.h): each entry point takes it for the call, and
 * a job's thread holds the one current when it (re)started until it
 * waits no more, so a reload (reload.h) does not touch a job in the
 * middle of a step. live, st and arm must outlive j. 0, or -1 (out of
 * memory). Free with jobs_free (NULL is safe), which stops the threads and
 * waits until each has let go. */
int   jobs_new(struct config_live *live, struct store *st, struct arm *arm,
	    struct jobs **out);
/* Starts a thread for each job the store says is running and returns at
 * once (it never waits for a thread): serve calls it once HTTP is served.
 * NULL is safe. */
void  jobs_resume(struct jobs *j);
void  jobs_free(struct jobs *j);
struct lease;
/* The site's lease (lease.h), before jobs_resume: a job's step is done or
 * written only while lease_may_act(l) says so. NULL: always. */
void  jobs_set_lease(struct jobs *j, struct lease *l);
/* An installer called back: waiting jobs look at once. NULL is safe. */
void  jobs_notify(struct jobs *j);

/* Entry points. Each fills err (errlen bytes) with the reason of any
 * result other than JOBS_OK and JOBS_ACCEPTED, and *out with the job on
 * JOBS_OK and JOBS_ACCEPTED. None waits for a job thread or calls XAPI.
 * A host has one unfinished (running or halted) job at most: the store's
 * rule, so of concurrent starts for one host, or concurrent retries of one
 * job, one is accepted and the others get JOBS_CONFLICT. */

/* Starts a job of kind "rebuild" or "install" for inventory host host;
 * wipe (the operator's --wipe) must be set. JOBS_ACCEPTED: *out is the new
 * job (with its id) as stored. */
enum jobs_result jobs_start(struct jobs *j, const char *host,
	    const char *kind, int wipe, struct job *out, char *err,
	    size_t errlen);
/* The newest jobs (at most 100), newest first: *out malloc'd (caller
 * frees with free; NULL when *n is 0 may happen), *n of them. JOBS_OK or
 * JOBS_ERROR. */
enum jobs_result jobs_list(struct jobs *j, struct job **out, size_t *n,
	    char *err, size_t errlen);
/* Job id: JOBS_OK or JOBS_NOT_FOUND. */
enum jobs_result jobs_get(struct jobs *j, int64_t id, struct job *out,
	    char *err, size_t errlen);
/* Resumes halted job id at its failed step (a failed power or install at
 * arm: a new arming and a new boot). JOBS_ACCEPTED: *out is the job as
 * resumed. */
enum jobs_result jobs_retry(struct jobs *j, int64_t id, struct job *out,
	    char *err, size_t errlen);
/* Aborts running or halted job id and disarms its host. JOBS_OK: it was
 * aborted at once (*out as stored); JOBS_ACCEPTED: its thread was asked to
 * stop (*out's state is JOB_STATE_ABORTING). */
enum jobs_result jobs_abort(struct jobs *j, int64_t id, struct job *out,
	    char *err, size_t errlen);

#endif
