/* store_db.c — the store's SQL layer (store_db.h): transactions,
 * statements and their values, for store.c and the table modules alike,
 * on whichever engine the store was opened with (store_db_int.h). */
#include "store_db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_db_int.h"

void
store_db_err(struct store *st, const char *what)
{
	log_error("store", "%s: %s", what, st->db->ops->errmsg(st->db));
}

int
store_db_exec(struct store *st, const char *sql, const char *what)
{
	if (st->db->ops->exec(st->db, sql) == -1) {
		store_db_err(st, what);
		return -1;
	}
	return 0;
}

int
store_db_begin(struct store *st)
{
	return store_db_exec(st, st->db->ops->begin_sql, "begin transaction");
}

int
store_db_commit(struct store *st)
{
	return store_db_exec(st, "COMMIT", "commit");
}

void
store_db_rollback(struct store *st)
{
	if (st->db->ops->in_txn(st->db))
		(void)store_db_exec(st, "ROLLBACK", "rollback");
}

int
store_db_version(struct store *st, int lock, int *ver)
{
	if (st->db->ops->version_get(st->db, lock, ver) == -1) {
		store_db_err(st, "schema version");
		return -1;
	}
	return 0;
}

int
store_db_set_version(struct store *st, int ver)
{
	if (st->db->ops->version_set(st->db, ver) == -1) {
		store_db_err(st, "set schema version");
		return -1;
	}
	return 0;
}

void
store_db_sync_light(struct store *st, int light)
{
	if (st->db->ops->sync_light != NULL)
		st->db->ops->sync_light(st->db, light);
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

pthread_mutex_t *
store_db_rd_lock(struct store *st)
{
	pthread_mutex_t *mu = st->rd != NULL ? &st->rd_mu : &st->mu;

	pthread_mutex_lock(mu);
	return mu;
}

int
store_db_changes(struct store *st)
{
	return st->db->ops->changes(st->db);
}

/* A statement of connection c; NULL on error (logged). */
static struct store_stmt *
store_db_prep_on(struct store_conn *c, const char *sql)
{
	struct store_stmt *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_error("store", "prepare: out of memory");
		return NULL;
	}
	s->c = c;
	if ((s->h = c->ops->prep(c, sql)) == NULL) {
		log_error("store", "prepare: %s", c->ops->errmsg(c));
		free(s);
		return NULL;
	}
	return s;
}

struct store_stmt *
store_db_prep(struct store *st, const char *sql)
{
	return store_db_prep_on(st->db, sql);
}

struct store_stmt *
store_db_prep_rd(struct store *st, const char *sql)
{
	return store_db_prep_on(st->rd != NULL ? st->rd : st->db, sql);
}

void
store_db_finalize(struct store_stmt *s)
{
	if (s == NULL)
		return;
	s->c->ops->finalize(s->h);
	free(s);
}

const char *
store_db_stmt_err(struct store_stmt *s)
{
	return s->c->ops->errmsg(s->c);
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
		(void)st;
		log_error("store", "%s: %s", what, store_db_stmt_err(s));
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
	s->c->ops->reset(s->h);
}

enum store_db_step
store_db_step(struct store_stmt *s)
{
	return (enum store_db_step)s->c->ops->step(s->h);
}

void
store_db_bind_text(struct store_stmt *s, int i, const char *v)
{
	s->c->ops->bind_text(s->h, i, v != NULL ? v : "");
}

void
store_db_bind_int(struct store_stmt *s, int i, int v)
{
	s->c->ops->bind_int64(s->h, i, v);
}

void
store_db_bind_int64(struct store_stmt *s, int i, int64_t v)
{
	s->c->ops->bind_int64(s->h, i, v);
}

void
store_db_col_text(struct store_stmt *s, int i, char *buf, size_t size)
{
	snprintf(buf, size, "%s", s->c->ops->col_text(s->h, i));
}

int
store_db_col_int(struct store_stmt *s, int i)
{
	return (int)s->c->ops->col_int64(s->h, i);
}

int64_t
store_db_col_int64(struct store_stmt *s, int i)
{
	return s->c->ops->col_int64(s->h, i);
}
