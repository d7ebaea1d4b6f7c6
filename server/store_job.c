/* store_job.c — the jobs table (rebuild and install jobs); see
 * store_job.h. SQL through store_db.h, every value a bound parameter. */
#include "store_job.h"

#include <stdlib.h>
#include <string.h>

#include "store_db.h"

#define JOB_DATA "host, kind, pool, state, step, old_ref, created_at," \
	" updated_at, step_started_at, finished_at, attempts, error, message," \
	" step_ms"
#define JOB_COLS "id, " JOB_DATA

static void
store_job_read(struct store_stmt *s, struct job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = store_db_col_int64(s, 0);
	store_db_col_text(s, 1, j->host, sizeof(j->host));
	store_db_col_text(s, 2, j->kind, sizeof(j->kind));
	store_db_col_text(s, 3, j->pool, sizeof(j->pool));
	store_db_col_text(s, 4, j->state, sizeof(j->state));
	store_db_col_text(s, 5, j->step, sizeof(j->step));
	store_db_col_text(s, 6, j->old_ref, sizeof(j->old_ref));
	j->created_at = store_db_col_int64(s, 7);
	j->updated_at = store_db_col_int64(s, 8);
	j->step_started_at = store_db_col_int64(s, 9);
	j->finished_at = store_db_col_int64(s, 10);
	j->attempts = store_db_col_int(s, 11);
	store_db_col_text(s, 12, j->error, sizeof(j->error));
	store_db_col_text(s, 13, j->message, sizeof(j->message));
	store_db_col_text(s, 14, j->step_ms, sizeof(j->step_ms));
}

/* ?2..?15 in JOB_COLS order (?1 = id where used) */
static void
store_job_bind(struct store_stmt *s, const struct job *j)
{
	store_db_bind_text(s, 2, j->host);
	store_db_bind_text(s, 3, j->kind);
	store_db_bind_text(s, 4, j->pool);
	store_db_bind_text(s, 5, j->state);
	store_db_bind_text(s, 6, j->step);
	store_db_bind_text(s, 7, j->old_ref);
	store_db_bind_int64(s, 8, j->created_at);
	store_db_bind_int64(s, 9, j->updated_at);
	store_db_bind_int64(s, 10, j->step_started_at);
	store_db_bind_int64(s, 11, j->finished_at);
	store_db_bind_int(s, 12, j->attempts);
	store_db_bind_text(s, 13, j->error);
	store_db_bind_text(s, 14, j->message);
	store_db_bind_text(s, 15, j->step_ms);
}

int
store_job_create(struct store *st, struct job *j)
{
	struct store_stmt *s;
	int rc, ret = -1;

	store_db_lock(st);
	if ((s = store_db_prep(st, "INSERT INTO jobs(" JOB_DATA ") VALUES"
	    " (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
	    " RETURNING id")) == NULL)
		goto out;
	store_job_bind(s, j);
	if ((rc = store_db_step(s)) == STORE_DB_CONSTRAINT)
		ret = 1;	/* jobs_one_active: the host has one */
	else if (rc != STORE_DB_ROW)
		store_db_err(st, "insert job");
	else {
		j->id = store_db_col_int64(s, 0);
		ret = 0;
	}
	store_db_finalize(s);
out:
	store_db_unlock(st);
	return ret;
}

int
store_job_update(struct store *st, const struct job *j)
{
	return store_job_update_if(st, j, NULL) == 0 ? 0 : -1;
}

int
store_job_update_if(struct store *st, const struct job *j, const char *expect)
{
	struct store_stmt *s;
	int rc, ret = -1;

	store_db_lock(st);
	if ((s = store_db_prep(st, "UPDATE jobs SET host = ?2, kind = ?3,"
	    " pool = ?4, state = ?5, step = ?6, old_ref = ?7, created_at = ?8,"
	    " updated_at = ?9, step_started_at = ?10, finished_at = ?11,"
	    " attempts = ?12, error = ?13, message = ?14, step_ms = ?15"
	    " WHERE id = ?1 AND (?16 IS NULL OR state = ?16)")) == NULL)
		goto out;
	store_db_bind_int64(s, 1, j->id);
	store_job_bind(s, j);
	if (expect != NULL)
		store_db_bind_text(s, 16, expect);
	if ((rc = store_db_step(s)) == STORE_DB_CONSTRAINT)
		ret = 1;
	else if (rc != STORE_DB_DONE)
		store_db_err(st, "update job");
	else if (store_db_changes(st) != 1) {
		if (expect == NULL)
			store_db_err(st, "update job");
		else
			ret = 1;
	} else
		ret = 0;
	store_db_finalize(s);
out:
	store_db_unlock(st);
	return ret;
}

/* store_job_read for store_db_collect */
static void
store_job_read_row(struct store_stmt *s, void *elem)
{
	store_job_read(s, elem);
}

/* Jobs by a query with at most one text or number parameter. */
static int
store_job_query(struct store *st, const char *sql, const char *text,
    int64_t num, int max, struct job **out, size_t *n)
{
	struct store_stmt *s;
	void *v = NULL;
	int ret = -1;

	*out = NULL;
	*n = 0;
	store_db_lock(st);
	if ((s = store_db_prep(st, sql)) == NULL)
		goto out;
	if (text != NULL)
		store_db_bind_text(s, 1, text);
	else if (num != 0)
		store_db_bind_int64(s, 1, num);
	ret = store_db_collect(st, s, sizeof(**out), max, store_job_read_row,
	    "jobs query", &v, n);
	*out = v;
out:
	store_db_unlock(st);
	return ret;
}

int
store_job_get(struct store *st, int64_t id, struct job *out)
{
	struct job *v;
	size_t n;

	if (store_job_query(st, "SELECT " JOB_COLS " FROM jobs WHERE id = ?1",
	    NULL, id, 1, &v, &n) == -1)
		return -1;
	if (n == 0) {
		free(v);
		return -1;
	}
	*out = v[0];
	free(v);
	return 0;
}

int
store_job_latest(struct store *st, const char *host, struct job *out)
{
	struct job *v;
	size_t n;

	if (store_job_query(st, "SELECT " JOB_COLS " FROM jobs WHERE host = ?1"
	    " ORDER BY id DESC LIMIT 1", host, 0, 1, &v, &n) == -1)
		return -1;
	if (n == 0) {
		free(v);
		return 1;
	}
	*out = v[0];
	free(v);
	return 0;
}

int
store_job_newest(struct store *st, int max, struct job **out, size_t *n)
{
	return store_job_query(st, "SELECT " JOB_COLS " FROM jobs"
	    " ORDER BY id DESC", NULL, 0, max, out, n);
}
