/* store_run.c — the runs and run_hosts tables (rolling upgrades); see
 * store_run.h. SQL through store_db.h: every value a bound parameter, a
 * run and its hosts created in one transaction. */
#include "store_run.h"

#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "store_db.h"

#define RUN_DATA "pool, state, target_version, target_build, disable_ha," \
	" ha_disabled_by_us, wlb_disabled_by_us, ha_srs, created_at, updated_at," \
	" finished_at, error, dump_path, report, placement"
#define RUN_COLS "id, " RUN_DATA
#define RUN_HOST_COLS "run_id, host, ord, is_master, step, old_version," \
	" new_version, boot_time_before, step_started_at, started_at," \
	" finished_at, attempts, error, step_ms"

static void
store_run_read(struct store_stmt *s, struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->id = store_db_col_int64(s, 0);
	store_db_col_text(s, 1, r->pool, sizeof(r->pool));
	store_db_col_text(s, 2, r->state, sizeof(r->state));
	store_db_col_text(s, 3, r->target_version, sizeof(r->target_version));
	store_db_col_text(s, 4, r->target_build, sizeof(r->target_build));
	r->disable_ha = store_db_col_int(s, 5);
	r->ha_disabled_by_us = store_db_col_int(s, 6);
	r->wlb_disabled_by_us = store_db_col_int(s, 7);
	store_db_col_text(s, 8, r->ha_srs, sizeof(r->ha_srs));
	r->created_at = store_db_col_int64(s, 9);
	r->updated_at = store_db_col_int64(s, 10);
	r->finished_at = store_db_col_int64(s, 11);
	store_db_col_text(s, 12, r->error, sizeof(r->error));
	store_db_col_text(s, 13, r->dump_path, sizeof(r->dump_path));
	store_db_col_text(s, 14, r->report, sizeof(r->report));
	store_db_col_text(s, 15, r->placement, sizeof(r->placement));
}

static void
store_run_host_read(struct store_stmt *s, struct run_host *h)
{
	memset(h, 0, sizeof(*h));
	h->run_id = store_db_col_int64(s, 0);
	store_db_col_text(s, 1, h->host, sizeof(h->host));
	h->ord = store_db_col_int(s, 2);
	h->is_master = store_db_col_int(s, 3);
	store_db_col_text(s, 4, h->step, sizeof(h->step));
	store_db_col_text(s, 5, h->old_version, sizeof(h->old_version));
	store_db_col_text(s, 6, h->new_version, sizeof(h->new_version));
	store_db_col_text(s, 7, h->boot_time_before,
	    sizeof(h->boot_time_before));
	h->step_started_at = store_db_col_int64(s, 8);
	h->started_at = store_db_col_int64(s, 9);
	h->finished_at = store_db_col_int64(s, 10);
	h->attempts = store_db_col_int(s, 11);
	store_db_col_text(s, 12, h->error, sizeof(h->error));
	store_db_col_text(s, 13, h->step_ms, sizeof(h->step_ms));
}

/* Binds every run_host column in RUN_HOST_COLS order as ?1..?14. */
static void
store_run_host_bind(struct store_stmt *s, const struct run_host *h)
{
	store_db_bind_int64(s, 1, h->run_id);
	store_db_bind_text(s, 2, h->host);
	store_db_bind_int(s, 3, h->ord);
	store_db_bind_int(s, 4, h->is_master);
	store_db_bind_text(s, 5, h->step);
	store_db_bind_text(s, 6, h->old_version);
	store_db_bind_text(s, 7, h->new_version);
	store_db_bind_text(s, 8, h->boot_time_before);
	store_db_bind_int64(s, 9, h->step_started_at);
	store_db_bind_int64(s, 10, h->started_at);
	store_db_bind_int64(s, 11, h->finished_at);
	store_db_bind_int(s, 12, h->attempts);
	store_db_bind_text(s, 13, h->error);
	store_db_bind_text(s, 14, h->step_ms);
}

/* Binds every run column but id as ?2..?16 (?1 = id where used). */
static void
store_run_bind(struct store_stmt *s, const struct run *r)
{
	store_db_bind_text(s, 2, r->pool);
	store_db_bind_text(s, 3, r->state);
	store_db_bind_text(s, 4, r->target_version);
	store_db_bind_text(s, 5, r->target_build);
	store_db_bind_int(s, 6, r->disable_ha);
	store_db_bind_int(s, 7, r->ha_disabled_by_us);
	store_db_bind_int(s, 8, r->wlb_disabled_by_us);
	store_db_bind_text(s, 9, r->ha_srs);
	store_db_bind_int64(s, 10, r->created_at);
	store_db_bind_int64(s, 11, r->updated_at);
	store_db_bind_int64(s, 12, r->finished_at);
	store_db_bind_text(s, 13, r->error);
	store_db_bind_text(s, 14, r->dump_path);
	store_db_bind_text(s, 15, r->report);
	store_db_bind_text(s, 16, r->placement[0] ? r->placement : "return");
}

int
store_run_create(struct store *st, const struct run *r,
    const struct run_host *hosts, size_t nhosts, int64_t *id_out)
{
	struct store_stmt *s = NULL;
	struct run_host h;
	int64_t id;
	size_t i;
	int rc, ret = -1;

	store_db_lock(st);
	if (store_db_begin(st) == -1)
		goto out;
	if ((s = store_db_prep(st, "INSERT INTO runs(" RUN_DATA ") VALUES"
	    " (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
	    " ?16) RETURNING id")) == NULL)
		goto out;
	store_run_bind(s, r);
	if ((rc = store_db_step(s)) == STORE_DB_CONSTRAINT &&
	    (state_run_is(r->state, RUN_RUNNING) ||
	    state_run_is(r->state, RUN_HALTED))) {
		ret = 1;	/* runs_one_active: the pool has one */
		goto out;
	}
	if (rc != STORE_DB_ROW) {
		store_db_err(st, "insert run");
		goto out;
	}
	id = store_db_col_int64(s, 0);
	store_db_finalize(s);
	s = NULL;
	if ((s = store_db_prep(st, "INSERT INTO run_hosts(" RUN_HOST_COLS
	    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14)")) == NULL)
		goto out;
	for (i = 0; i < nhosts; i++) {
		h = hosts[i];
		h.run_id = id;
		store_db_reset(s);
		store_run_host_bind(s, &h);
		if (store_db_step(s) != STORE_DB_DONE) {
			store_db_err(st, "insert run host");
			goto out;
		}
	}
	store_db_finalize(s);
	s = NULL;
	if (store_db_commit(st) == -1)
		goto out;
	if (id_out != NULL)
		*id_out = id;
	ret = 0;
out:
	store_db_finalize(s);
	if (ret != 0)
		store_db_rollback(st);
	store_db_unlock(st);
	return ret;
}

/* One run by a query with one bound parameter: 0 found, 1 none, -1. */
static int
store_run_query(struct store *st, const char *sql, const char *text,
    int64_t num, struct run *out)
{
	struct store_stmt *s;
	int rc, ret = -1;

	store_db_lock(st);
	if ((s = store_db_prep(st, sql)) == NULL)
		goto out;
	if (text != NULL)
		store_db_bind_text(s, 1, text);
	else
		store_db_bind_int64(s, 1, num);
	rc = store_db_step(s);
	if (rc == STORE_DB_ROW) {
		store_run_read(s, out);
		ret = 0;
	} else if (rc == STORE_DB_DONE)
		ret = 1;
	else
		store_db_err(st, "run query");
	store_db_finalize(s);
out:
	store_db_unlock(st);
	return ret;
}

int
store_run_latest(struct store *st, const char *pool, struct run *out)
{
	return store_run_query(st, "SELECT " RUN_COLS " FROM runs"
	    " WHERE pool = ?1 ORDER BY state IN ('running', 'halted') DESC,"
	    " id DESC LIMIT 1", pool, 0, out);
}

int
store_run_get(struct store *st, int64_t id, struct run *out)
{
	int rc = store_run_query(st, "SELECT " RUN_COLS " FROM runs"
	    " WHERE id = ?1", NULL, id, out);

	return rc == 0 ? 0 : -1;
}

int
store_run_update(struct store *st, const struct run *r)
{
	return store_run_update_if(st, r, NULL) == 0 ? 0 : -1;
}

int
store_run_update_if(struct store *st, const struct run *r, const char *expect)
{
	struct store_stmt *s;
	int rc, ret = -1;

	store_db_lock(st);
	if ((s = store_db_prep(st, "UPDATE runs SET pool = ?2, state = ?3,"
	    " target_version = ?4, target_build = ?5, disable_ha = ?6,"
	    " ha_disabled_by_us = ?7, wlb_disabled_by_us = ?8, ha_srs = ?9,"
	    " created_at = ?10, updated_at = ?11, finished_at = ?12, error = ?13,"
	    " dump_path = ?14, report = ?15, placement = ?16 WHERE id = ?1"
	    " AND (?17 IS NULL OR state = ?17)")) == NULL)
		goto out;
	store_db_bind_int64(s, 1, r->id);
	store_run_bind(s, r);
	if (expect != NULL)
		store_db_bind_text(s, 17, expect);
	if ((rc = store_db_step(s)) == STORE_DB_CONSTRAINT)
		ret = 1;
	else if (rc != STORE_DB_DONE)
		store_db_err(st, "update run");
	else
		ret = expect != NULL && store_db_changes(st) != 1 ? 1 : 0;
	store_db_finalize(s);
out:
	store_db_unlock(st);
	return ret;
}

/* store_run_host_read for store_db_collect */
static void
store_run_host_read_row(struct store_stmt *s, void *elem)
{
	store_run_host_read(s, elem);
}

int
store_run_hosts(struct store *st, int64_t run_id, struct run_host **out,
    size_t *n)
{
	struct store_stmt *s;
	void *v = NULL;
	int ret = -1;

	*out = NULL;
	*n = 0;
	store_db_lock(st);
	if ((s = store_db_prep(st, "SELECT " RUN_HOST_COLS " FROM run_hosts"
	    " WHERE run_id = ?1 ORDER BY ord")) == NULL)
		goto out;
	store_db_bind_int64(s, 1, run_id);
	ret = store_db_collect(st, s, sizeof(**out), 0,
	    store_run_host_read_row, "run hosts", &v, n);
	*out = v;
out:
	store_db_unlock(st);
	return ret;
}

int
store_run_host_update(struct store *st, const struct run_host *h)
{
	struct store_stmt *s;
	int ret = -1;

	store_db_lock(st);
	if ((s = store_db_prep(st, "UPDATE run_hosts SET ord = ?3,"
	    " is_master = ?4, step = ?5, old_version = ?6, new_version = ?7,"
	    " boot_time_before = ?8, step_started_at = ?9, started_at = ?10,"
	    " finished_at = ?11, attempts = ?12, error = ?13, step_ms = ?14"
	    " WHERE run_id = ?1 AND host = ?2")) == NULL)
		goto out;
	store_run_host_bind(s, h);
	if (store_db_step(s) != STORE_DB_DONE || store_db_changes(st) != 1)
		store_db_err(st, "update run host");
	else
		ret = 0;
	store_db_finalize(s);
out:
	store_db_unlock(st);
	return ret;
}
