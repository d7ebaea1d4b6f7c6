/* store.h — durable state in SQLite (WAL) under state_dir/poolboot.db.
 *
 * Tables: hosts (state per inventory host), armings (one row per arm: the
 * SHA-256 of the token — never the token itself —, mode, times, answerfile
 * fetches, result) and events (the log operators read).
 *
 * A struct store is one connection guarded by its own mutex, so it may be
 * shared by libmicrohttpd's threads. Every function returns 0 on success
 * and -1 on a database error (logged with the "store" tag), unless noted.
 */
#ifndef POOLBOOT_STORE_H
#define POOLBOOT_STORE_H

#include <stdint.h>

#include "config.h"

enum host_state {
	HOST_IDLE = 0,		/* never armed, or disarmed: local boot */
	HOST_ARMED,		/* install entry written, token valid, not fetched yet */
	HOST_INSTALLING,	/* answerfile fetched at least once */
	HOST_DONE,		/* installer reported 0; back at local boot */
	HOST_FAILED,		/* installer reported 1, or the loop guard tripped */
	HOST_STATE_COUNT
};

const char *store_state_name(enum host_state s);	/* "idle", "armed", ... */

struct arming {
	int64_t	 id;
	char	 host[64];
	char	 token_hash[65];
	enum host_mode mode;
	int64_t	 armed_at;
	int64_t	 first_fetch_at;	/* 0 = never */
	int64_t	 last_fetch_at;
	int	 attempts;		/* answerfile fetches */
	int	 active;		/* 1 while the token is valid */
	int64_t	 finished_at;		/* 0 while active */
	char	 result[16];		/* "", "done", "failed", "disarmed" */
	char	 reason[256];
	char	 purpose[16];		/* "" (inventory mode) or "rebuild" */
};

struct host_status {
	char	 host[64];
	enum host_state state;
	char	 mode[16];		/* mode of the last arming, "" if none */
	int64_t	 updated_at;
	char	 last_event[256];	/* "" if none */
	int64_t	 last_event_at;
};

struct event {
	int64_t	 id;
	int64_t	 ts;
	char	 host[64];		/* "" for server-wide events */
	char	 pool[64];
	char	 kind[32];		/* "arm", "fetch", "done", "failed", ... */
	char	 message[512];
};

struct store;

/* Opens (creating if needed) state_dir/poolboot.db. readonly: for CLI reads
 * while the server runs. Caller closes with store_close. */
int   store_open(const char *state_dir, int readonly, struct store **out);
void  store_close(struct store *st);

/* Starts a new arming of host: any active arming of that host is retired
 * (result "disarmed"), the host goes to HOST_ARMED. *id_out may be NULL. */
int   store_arm(struct store *st, const char *host, const char *token_hash,
	    enum host_mode mode, int64_t now, int64_t *id_out);
/* The same with a purpose: "rebuild" marks an arming whose mode was chosen
 * by an explicit rebuild rather than taken from the inventory. */
int   store_arm_for(struct store *st, const char *host,
	    const char *token_hash, enum host_mode mode, const char *purpose,
	    int64_t now, int64_t *id_out);
/* The host's active arming: returns 0 and fills *a, 1 if none, -1 error. */
int   store_active_arming(struct store *st, const char *host, struct arming *a);
/* Finds the arming (active or not) of host whose token hash is token_hash:
 * 0 found, 1 none, -1 error. */
int   store_arming_by_hash(struct store *st, const char *host,
	    const char *token_hash, struct arming *a);
/* Counts one answerfile fetch: attempts+1, times, host -> HOST_INSTALLING.
 * *attempts_out gets the new count. */
int   store_arming_fetched(struct store *st, int64_t id, int64_t now,
	    int *attempts_out);
/* Ends an arming: result "done" -> HOST_DONE, "failed" -> HOST_FAILED,
 * "disarmed" -> HOST_IDLE. Retires the token. */
int   store_arming_finish(struct store *st, int64_t id, const char *result,
	    const char *reason, int64_t now);

/* State of one host (HOST_IDLE with empty fields if the store has never
 * seen it): 0, or -1 on error. */
int   store_host_status(struct store *st, const char *host,
	    struct host_status *out);

/* Appends an event. host/pool may be NULL. */
int   store_event(struct store *st, const char *host, const char *pool,
	    const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

struct event_query {
	const char *host;	/* NULL = any */
	const char *pool;	/* NULL = any */
	int64_t	 since;		/* ts >= since; 0 = any */
	int64_t	 before_id;	/* id < before_id; 0 = newest first from the top */
	int	 limit;		/* 1..1000, default 100 */
};
/* Calls cb for each matching event, newest first. cb returning non-zero
 * stops the walk. */
int   store_events(struct store *st, const struct event_query *q,
	    int (*cb)(const struct event *ev, void *arg), void *arg);

/* ---- rolling-upgrade runs (coord.c) ------------------------------------
 * A run row per upgrade of a pool and a run_hosts row per host in it. The
 * coordinator writes a row before it acts on what the row says. Times in
 * milliseconds since the epoch. */

struct run {
	int64_t	 id;
	char	 pool[64];
	char	 state[16];		/* state_run_name() */
	char	 target_version[64];
	char	 target_build[64];
	int	 disable_ha;		/* option: turn HA/WLB off, restore at end */
	int	 ha_disabled_by_us;
	int	 wlb_disabled_by_us;
	char	 ha_srs[512];		/* heartbeat SR refs to re-enable HA with */
	int64_t	 created_at;
	int64_t	 updated_at;
	int64_t	 finished_at;
	char	 error[512];
	char	 dump_path[512];
	char	 report[2048];
};

struct run_host {
	int64_t	 run_id;
	char	 host[64];
	int	 ord;			/* 0 = master, then members */
	int	 is_master;
	char	 step[16];		/* state_step_name() */
	char	 old_version[64];
	char	 new_version[64];
	char	 boot_time_before[64];	/* "boot_time/agent_start_time" */
	int64_t	 step_started_at;
	int64_t	 started_at;
	int64_t	 finished_at;
	int	 attempts;		/* step attempts (retries after errors) */
	char	 error[512];
	char	 step_ms[256];		/* "disable=12 evacuate=310 ..." */
};

/* Inserts r (r->id ignored; *id_out set) and its hosts in one transaction. */
int   store_run_create(struct store *st, const struct run *r,
	    const struct run_host *hosts, size_t nhosts, int64_t *id_out);
/* The newest run of pool: 0 found, 1 none, -1 error. */
int   store_run_latest(struct store *st, const char *pool, struct run *out);
/* Ids of every run in state "running" (for resuming), malloc'd array. */
int   store_runs_running(struct store *st, int64_t **ids, size_t *n);
int   store_run_get(struct store *st, int64_t id, struct run *out);
/* Writes every field of r (by r->id). */
int   store_run_update(struct store *st, const struct run *r);
/* The hosts of a run in plan order; *out malloc'd (caller frees). */
int   store_run_hosts(struct store *st, int64_t run_id, struct run_host **out,
	    size_t *n);
/* Writes every field of h (by run_id + host). */
int   store_run_host_update(struct store *st, const struct run_host *h);

/* ---- single-host jobs: rebuild and install (job.c) --------------------- */

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

int   store_job_create(struct store *st, struct job *j);	/* sets j->id */
int   store_job_update(struct store *st, const struct job *j);
int   store_job_get(struct store *st, int64_t id, struct job *out);
/* The newest job of host: 0 found, 1 none, -1 error. */
int   store_job_latest(struct store *st, const char *host, struct job *out);
/* Jobs newest first (at most max); *out malloc'd. */
int   store_jobs(struct store *st, int max, struct job **out, size_t *n);
/* Ids of jobs in state "running" (resume after a restart). */
int   store_jobs_running(struct store *st, int64_t **ids, size_t *n);

#endif
