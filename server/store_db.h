/* store_db.h — the store's own SQL layer (store_db.c), shared by the
 * store's files (store.c, store_schema.c, store_run.c, store_job.c, ...)
 * so that the database engines stay in store_db_sqlite.c (SQLite) and
 * store_db_pg.c (PostgreSQL, libpq). Not for any other module: they use
 * store.h.
 *
 * SQL given here is one text for both engines: ?N parameters, RETURNING
 * for generated ids, ON CONFLICT instead of INSERT OR, now_ms() for the
 * database's clock, no PRAGMA. A struct store_stmt is a prepared
 * statement of either engine. Every function here expects the caller to hold the store's
 * mutex (store_db_lock) unless it says otherwise; errors are logged with
 * the "store" tag, as everywhere in the store.
 */
#ifndef POOLBOOT_STORE_DB_H
#define POOLBOOT_STORE_DB_H

#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

struct store_conn;	/* a connection of either engine (store_db_int.h) */
struct store_stmt;
struct store_commit;

/* The store behind store.h's opaque struct store: one connection shared
 * by several threads behind mu. */
struct store {
	struct store_conn *db;
	pthread_mutex_t	 mu;
	int		 readonly;
	int		 postgres;	/* 1: PostgreSQL, 0: SQLite */
	struct store_stmt **stmt;	/* store.c's cached statements */
	/* a second connection for the arming lookups of installers'
	 * requests (store_active_arming, store_arming_by_hash), so that
	 * they never wait behind a commit's fsync on db; NULL for a
	 * read-only store (db serves them) */
	struct store_conn *rd;
	pthread_mutex_t	 rd_mu;
	struct store_stmt **rd_stmt;
	struct store_commit *gc;	/* store_commit.c: fetch counts */
};

/* What store_db_step returns. */
enum store_db_step {
	STORE_DB_ERROR = -1,	/* log it with store_db_err */
	STORE_DB_DONE = 0,	/* the statement has run to completion */
	STORE_DB_ROW = 1,	/* a row is ready to read */
	STORE_DB_CONSTRAINT = 2	/* refused by a constraint (a unique
				 * index): not logged, the caller says why */
};

/* The store's mutex: one connection is shared by several threads. */
void  store_db_lock(struct store *st);
void  store_db_unlock(struct store *st);

/* Logs "what: <the engine's last error message>". */
void  store_db_err(struct store *st, const char *what);
/* Runs sql (one or more statements without parameters): 0, or -1 with
 * "what: reason" logged. */
int   store_db_exec(struct store *st, const char *sql, const char *what);
/* The schema version (store_schema.c): with lock, inside a write
 * transaction, so that two instances starting at once migrate one after
 * the other. 0/-1. */
int   store_db_version(struct store *st, int lock, int *ver);
int   store_db_set_version(struct store *st, int ver);
/* light 1: the next commits may skip waiting for the disk (SQLite's
 * synchronous=NORMAL in WAL mode: they survive a crash of the process);
 * 0: back to durable commits. A no-op where every commit is durable. */
void  store_db_sync_light(struct store *st, int light);

/* Begins a write transaction (SQLite: BEGIN IMMEDIATE) / COMMIT: 0/-1.
 * Rollback is a no-op outside a transaction, so an error path may always
 * call it. */
int   store_db_begin(struct store *st);
int   store_db_commit(struct store *st);
void  store_db_rollback(struct store *st);
/* The rows the last UPDATE or DELETE changed. (A generated id: INSERT
 * ... RETURNING id.) */
int   store_db_changes(struct store *st);

/* Prepares sql: the statement (caller finalizes it with
 * store_db_finalize), or NULL on error ("prepare" logged). */
struct store_stmt *store_db_prep(struct store *st, const char *sql);
/* The same on the read connection (st->rd; st->db without one): the
 * caller holds the lock store_db_rd_lock returned. */
struct store_stmt *store_db_prep_rd(struct store *st, const char *sql);
pthread_mutex_t *store_db_rd_lock(struct store *st);
void  store_db_finalize(struct store_stmt *s);	/* NULL ok */
/* Makes s ready to run again with new bindings. */
void  store_db_reset(struct store_stmt *s);
/* The last error of s's connection (for a log line). */
const char *store_db_stmt_err(struct store_stmt *s);
/* Runs s one step: STORE_DB_ROW, STORE_DB_DONE, STORE_DB_CONSTRAINT or
 * STORE_DB_ERROR. */
enum store_db_step store_db_step(struct store_stmt *s);

/* Parameters are numbered from 1; text is copied, NULL binds "". */
void  store_db_bind_text(struct store_stmt *s, int i, const char *v);
void  store_db_bind_int(struct store_stmt *s, int i, int v);
void  store_db_bind_int64(struct store_stmt *s, int i, int64_t v);
/* Columns of the current row, numbered from 0. Text is copied into buf
 * (truncated to size, always terminated; NULL reads as ""). */
void  store_db_col_text(struct store_stmt *s, int i, char *buf, size_t size);
int   store_db_col_int(struct store_stmt *s, int i);
int64_t store_db_col_int64(struct store_stmt *s, int i);

/* Reads one row of s into the element at elem (a callback of
 * store_db_collect). */
typedef void (*store_db_read_fn)(struct store_stmt *s, void *elem);
/* Runs s (prepared and bound) to completion, or until max rows when
 * max > 0, reading each row with read into a growing array of elements of
 * size elem_size, and finalizes s. 0 with *out (malloc'd, caller frees;
 * NULL when no row) and *n; -1 when out of memory or a step fails ("what:
 * reason" logged), *out NULL and *n 0. */
int   store_db_collect(struct store *st, struct store_stmt *s,
	    size_t elem_size, int max, store_db_read_fn read, const char *what,
	    void **out, size_t *n);

#endif
