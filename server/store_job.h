/* store_job.h — single-host jobs (rebuild and install) in the store: one
 * jobs row per job (store_job.c). job.c writes the row before it acts on
 * it. Times in milliseconds since the epoch. store.h includes this header;
 * open the store with store_open. Every function returns 0 on success and
 * -1 on a database error (logged with the "store" tag), unless noted.
 */
#ifndef POOLBOOT_STORE_JOB_H
#define POOLBOOT_STORE_JOB_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct job {
	int64_t	 id;
	char	 host[64];
	char	 kind[16];		/* "rebuild" | "install" */
	char	 pool[64];		/* the pool it is (re)joined to, "" if none */
	char	 state[16];		/* "running" | "halted" | "aborted" | "done" */
	char	 step[16];
	char	 old_ref[128];		/* rebuild: the XAPI ref that was forgotten */
	int64_t	 created_at;		/* ms */
	int64_t	 updated_at;
	int64_t	 step_started_at;
	int64_t	 finished_at;
	int	 attempts;
	char	 error[512];
	char	 message[512];		/* for the operator, e.g. "power on H now" */
	char	 step_ms[256];
};

/* Inserts j (j->id ignored) and sets j->id. 1 (nothing written) when j is
 * running or halted and its host already has a running or halted job: the
 * store holds one unfinished job per host (the unique index
 * jobs_one_active), however concurrent the callers. */
int   store_job_create(struct store *st, struct job *j);
/* Writes every field of j (by j->id); -1 also when there is no such job. */
int   store_job_update(struct store *st, const struct job *j);
/* The same, only while the stored job's state is expect (a state name;
 * NULL: any), in one statement: of two concurrent retries of a halted job
 * one wins. 0 written, 1 not written (the state was no longer expect, or j
 * would be a second unfinished job of its host), -1 error. */
int   store_job_update_if(struct store *st, const struct job *j,
	    const char *expect);
/* Job id: 0 found, -1 when there is no such job or on error. */
int   store_job_get(struct store *st, int64_t id, struct job *out);
/* The newest job of host: 0 found, 1 none, -1 error. */
int   store_job_latest(struct store *st, const char *host, struct job *out);
/* Jobs newest first, at most max; *out malloc'd (caller frees with
 * free()). What store_jobs (store.h) returns. */
int   store_job_newest(struct store *st, int max, struct job **out,
	    size_t *n);

#endif
