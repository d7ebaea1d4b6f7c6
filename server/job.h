/* job.h — single-host jobs: rebuild a failed pool member (forget it in the
 * pool, fresh-install it, join it back) and install a new host (fresh
 * install, then optionally join a pool). Like a rolling-upgrade run, a job
 * is a state machine whose every step is written to the store before it is
 * acted on, so a restart resumes it; a failure halts it with the reason;
 * retry resumes at the failed step, abort disarms.
 *
 *   rebuild: check (dead or failed, never a live host) -> forget
 *            (host.destroy on the master) -> arm (fresh or reinstall, with
 *            the inventory's network identity) -> power (power.h) ->
 *            install (the installer's callback) -> xapi (the new install
 *            answers at the inventory ip) -> join (pool.join on the new
 *            host) -> member (live and enabled in the pool) -> done
 *   install: arm -> power -> install -> [xapi -> join -> member] -> done
 */
#ifndef POOLBOOT_JOB_H
#define POOLBOOT_JOB_H

#include "arm.h"
#include "config.h"
#include "state.h"
#include "store.h"

/* The step after s; is_rebuild and joins decide which steps exist.
 * Pure; unit-tested. */
enum job_step job_step_next(enum job_step s, int joins);

struct jobs;

/* Resumes the jobs the store says are running. */
int   jobs_new(const struct config *cfg, struct store *st, struct arm *arm,
	    struct jobs **out);
void  jobs_free(struct jobs *j);
void  jobs_notify(struct jobs *j);	/* an installer called back */

/* API entry points: HTTP status + malloc'd JSON in *json. */
int   jobs_start(struct jobs *j, const char *host, const char *kind, int wipe,
	    char **json);
int   jobs_list(struct jobs *j, char **json);
int   jobs_get(struct jobs *j, int64_t id, char **json);
int   jobs_retry(struct jobs *j, int64_t id, char **json);
int   jobs_abort(struct jobs *j, int64_t id, char **json);

#endif
