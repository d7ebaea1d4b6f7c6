/* store_run.h — rolling-upgrade runs in the store: a runs row per upgrade
 * of a pool and a run_hosts row per host in it (store_run.c). The
 * coordinator writes a row before it acts on what the row says. Times in
 * milliseconds since the epoch. store.h includes this header; open the
 * store with store_open. Every function returns 0 on success and -1 on a
 * database error (logged with the "store" tag), unless noted.
 */
#ifndef POOLBOOT_STORE_RUN_H
#define POOLBOOT_STORE_RUN_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct run {
	int64_t	 id;
	char	 pool[64];
	char	 state[16];		/* enum run_state's name: "running", ... */
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
	char	 placement[16];		/* "return" (the default; "" is
					 * written as that) or "leave" */
};

struct run_host {
	int64_t	 run_id;
	char	 host[64];
	int	 ord;			/* 0 = master, then members */
	int	 is_master;
	char	 step[16];		/* the host step's name: "disable", ... */
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

/* Inserts r (r->id ignored; *id_out set, may be NULL) and its nhosts hosts
 * (their run_id ignored) in one transaction: all rows or none. 1 (nothing
 * written) when r is running or halted and its pool already has a running
 * or halted run: the store holds one unfinished run per pool (the unique
 * index runs_one_active), whoever asks and however concurrently. */
int   store_run_create(struct store *st, const struct run *r,
	    const struct run_host *hosts, size_t nhosts, int64_t *id_out);
/* The pool's current run: its running or halted one (there is one at
 * most), else its newest. 0 found, 1 none, -1 error. */
int   store_run_latest(struct store *st, const char *pool, struct run *out);
/* Run id: 0 found, -1 when there is no such run or on error. (The ids of
 * the runs to resume: store_runs_running in store.h.) */
int   store_run_get(struct store *st, int64_t id, struct run *out);
/* Writes every field of r (by r->id). */
int   store_run_update(struct store *st, const struct run *r);
/* The same, only while the stored run's state is expect (a state name; NULL:
 * any), as one statement: two concurrent callers expecting "halted" cannot
 * both move it on. 0 written, 1 not written (the state was no longer
 * expect, or r would be a second unfinished run of its pool), -1 error. */
int   store_run_update_if(struct store *st, const struct run *r,
	    const char *expect);
/* The hosts of a run in plan order; *out malloc'd (caller frees with
 * free(); NULL when *n is 0). */
int   store_run_hosts(struct store *st, int64_t run_id, struct run_host **out,
	    size_t *n);
/* Writes every field of h (by run_id + host); -1 also when there is no
 * such row. */
int   store_run_host_update(struct store *st, const struct run_host *h);

#endif
