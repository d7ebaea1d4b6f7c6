/* store.h — durable state: in SQLite (WAL) under state_dir/poolboot.db,
 * or in a PostgreSQL database shared by several instances.
 *
 * Tables (schema and migrations: store_schema.h):
 *   hosts      state per inventory host poolboot has seen (enum host_state, state.h)
 *   armings    one row per arm: the SHA-256 of the token — never the token
 *              itself —, mode, purpose, times, answerfile fetches, result;
 *              at most one active arming per host
 *   events     what happened, the log operators read
 *   runs, run_hosts   rolling-upgrade runs and their hosts (store_run.h)
 *   run_vms    the VMs each host of a run gets back (store_run_vm.h)
 *   jobs       rebuild and install jobs (store_job.h)
 *   audit      the audit log: who did what, answered how (store_audit.h)
 * This header is the store's whole public face: it includes store_run.h,
 * store_run_vm.h, store_job.h and store_commit.h (answerfile fetches
 * counted in batches). store.c owns the connection, the hosts, armings and
 * events; store_run.c and store_job.c their tables; SQLite itself is used
 * in store.c only (the others go through store_db.h).
 *
 * A struct store is one connection guarded by its own mutex, so it may be
 * shared by libmicrohttpd's threads. A change that touches several rows
 * is one transaction. Every function returns 0 on success and -1 on a
 * database error (logged with the "store" tag), unless noted.
 */
#ifndef POOLBOOT_STORE_H
#define POOLBOOT_STORE_H

#include <stdint.h>

#include "config.h"
#include "store_arming.h"
#include "store_audit.h"
#include "store_commit.h"
#include "store_job.h"
#include "state.h"
#include "store_run.h"
#include "store_run_vm.h"


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

/* Opens (creating if needed) state_dir/poolboot.db and creates or
 * upgrades its schema. readonly: for CLI reads while the server runs;
 * refuses a database of another schema version. Caller closes *out with
 * store_close. */
int   store_open(const char *state_dir, int readonly, struct store **out);
/* The same on a PostgreSQL database shared by several instances
 * (docs/scale-out.md): conninfo is a libpq connection string (TLS
 * settings included); a failure names the server and says why. */
int   store_open_pg(const char *conninfo, int readonly, struct store **out);
/* The store cfg names: [store] backend = sqlite (state_dir/poolboot.db)
 * or postgres (the connection string in [store] conninfo_file). */
int   store_open_config(const struct config *cfg, int readonly,
	    struct store **out);
/* For check: 0 when the store cfg names can be reached (SQLite: always;
 * PostgreSQL: a connection is made and closed), else -1 with the reason
 * in err (libpq's own is logged). */
int   store_check_config(const struct config *cfg, char *err,
	    size_t errlen);
/* 1 when the store cfg names holds poolboot's tables (SQLite: 1, the
 * caller looks for the file), 0 when serve never ran on it (a PostgreSQL
 * database without them), -1 when it cannot be reached (logged). */
int   store_present_config(const struct config *cfg);
/* Which store cfg names, for a message: "the state database
 * STATE_DIR/poolboot.db" or "the PostgreSQL database of [store]
 * conninfo_file FILE". Returns buf. */
const char *store_name_config(const struct config *cfg, char *buf,
	    size_t len);
void  store_close(struct store *st);	/* NULL ok */

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
 * *attempts_out gets the new count. One transaction per call; the server
 * counts its fetches in batches instead (store_commit.h). */
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

/* Appends an event stamped now; the message is truncated to 511 bytes.
 * host/pool may be NULL. */
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
/* Calls cb for each matching event, newest first (q NULL: the newest
 * 100). cb runs without the store's lock, so it may use the store; cb
 * returning non-zero stops the walk. */
int   store_events(struct store *st, const struct event_query *q,
	    int (*cb)(const struct event *ev, void *arg), void *arg);

/* ---- runs and jobs: store_run.h and store_job.h (included above) ----- */

/* Ids of every run in state "running" (for resuming), oldest first;
 * *ids malloc'd (caller frees with free(); NULL when *n is 0). */
int   store_runs_running(struct store *st, int64_t **ids, size_t *n);
/* Jobs newest first (at most max); *out malloc'd (caller frees with
 * free()). */
int   store_jobs(struct store *st, int max, struct job **out, size_t *n);
/* Ids of jobs in state "running" (resume after a restart), oldest first;
 * as store_runs_running. */
int   store_jobs_running(struct store *st, int64_t **ids, size_t *n);

#endif
