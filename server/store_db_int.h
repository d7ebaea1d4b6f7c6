/* store_db_int.h — between store_db.c and the two database engines the
 * store runs on: SQLite (store_db_sqlite.c, the embedded default) and
 * PostgreSQL through libpq (store_db_pg.c, shared by several poolboot
 * instances). Nothing outside store_db*.c includes this file.
 *
 * A backend is a table of operations on its connections and statements.
 * The store's SQL is one text for both: portable statements with ?N
 * parameters (the PostgreSQL backend numbers them $1.. itself) and
 * RETURNING for generated ids; the schema's DDL is written for SQLite and
 * the PostgreSQL backend maps its types (INTEGER -> BIGINT, INTEGER
 * PRIMARY KEY -> an identity column). Both give now_ms(): milliseconds
 * since the epoch by the database's clock.
 */
#ifndef POOLBOOT_STORE_DB_INT_H
#define POOLBOOT_STORE_DB_INT_H

#include <stddef.h>
#include <stdint.h>

struct store_conn;

struct store_db_ops {
	const char *name;	/* "SQLite", "PostgreSQL": for messages */
	void	(*close)(struct store_conn *c);
	/* the last error of c, for a log line */
	const char *(*errmsg)(struct store_conn *c);
	/* runs sql (one or more statements, no parameters): 0/-1 */
	int	(*exec)(struct store_conn *c, const char *sql);
	int	(*in_txn)(struct store_conn *c);	/* 1 inside BEGIN */
	int	(*changes)(struct store_conn *c);	/* rows of the last change */
	/* a statement of c, or NULL (errmsg says why) */
	void	*(*prep)(struct store_conn *c, const char *sql);
	void	(*finalize)(void *h);
	void	(*reset)(void *h);	/* rewinds and clears bindings */
	int	(*step)(void *h);	/* an enum store_db_step */
	void	(*bind_text)(void *h, int i, const char *v);
	void	(*bind_int64)(void *h, int i, int64_t v);
	const char *(*col_text)(void *h, int i);	/* never NULL */
	int64_t	(*col_int64)(void *h, int i);
	/* the schema version; with lock, inside the caller's transaction
	 * and so that a second instance starting at the same moment waits
	 * for this one's migration (PostgreSQL: an advisory lock) */
	int	(*version_get)(struct store_conn *c, int lock, int *ver);
	int	(*version_set)(struct store_conn *c, int ver);
	/* see store_db_sync_light; NULL: every commit is durable */
	void	(*sync_light)(struct store_conn *c, int light);
	const char *begin_sql;	/* a write transaction */
};

/* What every connection starts with; the backend's own state follows. */
struct store_conn {
	const struct store_db_ops *ops;
};

/* A statement: its connection and the backend's handle. */
struct store_stmt {
	struct store_conn *c;
	void	*h;
};

/* The engines' connections (logged on failure, with what to fix). */
int   store_db_sqlite_open(const char *path, int readonly,
	    struct store_conn **out);
int   store_db_pg_open(const char *conninfo, int readonly,
	    struct store_conn **out);

#endif
