/* store_db.c — the store's SQL layer (store_db.h): the one connection,
 * its mutex, transactions and prepared statements, for store.c and the
 * table modules alike. */
#include "store_db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "log.h"

#define STORE_STMT(s)	((sqlite3_stmt *)(void *)(s))

void
store_db_err(struct store *st, const char *what)
{
	log_error("store", "%s: %s", what, sqlite3_errmsg(st->db));
}

int
store_db_exec(struct store *st, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("store", "%s: %s", what,
		    msg != NULL ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_db_begin(struct store *st)
{
	return store_db_exec(st, "BEGIN IMMEDIATE", "begin transaction");
}

int
store_db_commit(struct store *st)
{
	return store_db_exec(st, "COMMIT", "commit");
}

void
store_db_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)store_db_exec(st, "ROLLBACK", "rollback");
}

int
store_db_pragma_int(struct store *st, const char *sql, int *out)
{
	sqlite3_stmt *s = NULL;
	int ret = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_db_err(st, sql);
		goto out;
	}
	if (sqlite3_step(s) != SQLITE_ROW) {
		store_db_err(st, sql);
		goto out;
	}
	*out = sqlite3_column_int(s, 0);
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

void
store_db_lock(struct store *st)
{
	pthread_mutex_lock(&st->mu);
}

void
store_db_unlock(struct store *st)
{
	pthread_mutex_unlock(&st->mu);
}

int64_t
store_db_last_id(struct store *st)
{
	return sqlite3_last_insert_rowid(st->db);
}

int
store_db_changes(struct store *st)
{
	return sqlite3_changes(st->db);
}

struct store_stmt *
store_db_prep(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_db_err(st, "prepare");
		sqlite3_finalize(s);
		return NULL;
	}
	return (struct store_stmt *)(void *)s;
}

void
store_db_finalize(struct store_stmt *s)
{
	sqlite3_finalize(STORE_STMT(s));
}

int
store_db_collect(struct store *st, struct store_stmt *s, size_t elem_size,
    int max, store_db_read_fn read, const char *what, void **out, size_t *n)
{
	char *v = NULL, *nv;
	size_t cnt = 0, cap = 0;
	enum store_db_step rc = STORE_DB_DONE;
	int ret = -1;

	*out = NULL;
	*n = 0;
	while ((max <= 0 || cnt < (size_t)max) &&
	    (rc = store_db_step(s)) == STORE_DB_ROW) {
		if (cnt == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			if ((nv = realloc(v, cap * elem_size)) == NULL) {
				log_error("store", "%s: out of memory", what);
				goto out;
			}
			v = nv;
		}
		memset(v + cnt * elem_size, 0, elem_size);
		read(s, v + cnt * elem_size);
		cnt++;
	}
	if (rc != STORE_DB_DONE && rc != STORE_DB_ROW) {
		store_db_err(st, what);
		goto out;
	}
	*out = v;
	*n = cnt;
	v = NULL;
	ret = 0;
out:
	store_db_finalize(s);
	free(v);
	return ret;
}

void
store_db_reset(struct store_stmt *s)
{
	sqlite3_reset(STORE_STMT(s));
	sqlite3_clear_bindings(STORE_STMT(s));
}

enum store_db_step
store_db_step(struct store_stmt *s)
{
	/* extended result codes are on: SQLITE_CONSTRAINT_UNIQUE & 0xff */
	switch (sqlite3_step(STORE_STMT(s)) & 0xff) {
	case SQLITE_ROW:
		return STORE_DB_ROW;
	case SQLITE_DONE:
		return STORE_DB_DONE;
	case SQLITE_CONSTRAINT:
		return STORE_DB_CONSTRAINT;
	default:
		return STORE_DB_ERROR;
	}
}

void
store_db_bind_text(struct store_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(STORE_STMT(s), i, v != NULL ? v : "", -1,
	    SQLITE_TRANSIENT);
}

void
store_db_bind_int(struct store_stmt *s, int i, int v)
{
	sqlite3_bind_int(STORE_STMT(s), i, v);
}

void
store_db_bind_int64(struct store_stmt *s, int i, int64_t v)
{
	sqlite3_bind_int64(STORE_STMT(s), i, v);
}

void
store_db_col_text(struct store_stmt *s, int i, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(STORE_STMT(s), i);

	snprintf(buf, size, "%s", t != NULL ? (const char *)t : "");
}

int
store_db_col_int(struct store_stmt *s, int i)
{
	return sqlite3_column_int(STORE_STMT(s), i);
}

int64_t
store_db_col_int64(struct store_stmt *s, int i)
{
	return sqlite3_column_int64(STORE_STMT(s), i);
}
