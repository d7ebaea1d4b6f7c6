/* store_site_action.c — the site_actions table; see store_site_action.h.
 * Portable SQL: RETURNING instead of the last rowid, one UPDATE to take. */
#include "store_site_action.h"

#include <stdlib.h>
#include <string.h>

#include "store_db.h"
#include "util.h"

#define SITE_ACTION_COLS "id, site, action, target, args, created_ms," \
	" taken_by, done_ms, result, status"

static void
store_site_action_read(struct store_stmt *s, struct site_action *a)
{
	memset(a, 0, sizeof(*a));
	a->id = store_db_col_int64(s, 0);
	store_db_col_text(s, 1, a->site, sizeof(a->site));
	store_db_col_text(s, 2, a->action, sizeof(a->action));
	store_db_col_text(s, 3, a->target, sizeof(a->target));
	store_db_col_text(s, 4, a->args, sizeof(a->args));
	a->created_ms = store_db_col_int64(s, 5);
	store_db_col_text(s, 6, a->taken_by, sizeof(a->taken_by));
	a->done_ms = store_db_col_int64(s, 7);
	store_db_col_text(s, 8, a->result, sizeof(a->result));
	a->status = (int)store_db_col_int64(s, 9);
}

/* Runs s (bound) to its one row, if any: 0 with *out, 1 none, -1.
 * Finalizes s. Caller holds the store's lock. */
static int
store_site_action_one(struct store *st, struct store_stmt *s,
    const char *what, struct site_action *out)
{
	enum store_db_step rc;
	int ret = -1;

	if ((rc = store_db_step(s)) == STORE_DB_ROW) {
		store_site_action_read(s, out);
		/* to its end: a RETURNING statement finishes its work there */
		ret = store_db_step(s) == STORE_DB_DONE ? 0 : -1;
	} else if (rc == STORE_DB_DONE)
		ret = 1;
	if (ret == -1)
		store_db_err(st, what);
	store_db_finalize(s);
	return ret;
}

int
store_site_action_add(struct store *st, const char *site, const char *action,
    const char *target, const char *args, int64_t *id_out)
{
	struct site_action a;
	struct store_stmt *s;
	int ret = -1;

	store_db_lock(st);
	if ((s = store_db_prep(st, "INSERT INTO site_actions(site, action,"
	    " target, args, created_ms) VALUES (?1, ?2, ?3, ?4, now_ms())"
	    " RETURNING " SITE_ACTION_COLS)) == NULL)
		goto out;
	store_db_bind_text(s, 1, site);
	store_db_bind_text(s, 2, action);
	store_db_bind_text(s, 3, target);
	store_db_bind_text(s, 4, args);
	if (store_site_action_one(st, s, "queue site action", &a) == 0) {
		if (id_out != NULL)
			*id_out = a.id;
		ret = 0;
	}
out:
	store_db_unlock(st);
	return ret;
}

int
store_site_action_take(struct store *st, const char *site, const char *by,
    struct site_action *out)
{
	struct store_stmt *s;
	int ret = -1;

	store_db_lock(st);
	/* the inner SELECT picks, the outer WHERE checks again: a second
	 * taker racing for the same row changes nothing and gets none */
	if ((s = store_db_prep(st, "UPDATE site_actions SET taken_by = ?2"
	    " WHERE id = (SELECT min(id) FROM site_actions WHERE site = ?1"
	    "  AND done_ms = 0 AND taken_by <> ?2)"
	    " AND done_ms = 0 AND taken_by <> ?2"
	    " RETURNING " SITE_ACTION_COLS)) == NULL)
		goto out;
	store_db_bind_text(s, 1, site);
	store_db_bind_text(s, 2, by);
	ret = store_site_action_one(st, s, "take site action", out);
out:
	store_db_unlock(st);
	return ret;
}

int
store_site_action_finish(struct store *st, int64_t id, int status,
    const char *result)
{
	struct store_stmt *s;
	char r[512];
	int ret = -1;

	util_strlcpy(r, sizeof(r), result);
	store_db_lock(st);
	if ((s = store_db_prep(st, "UPDATE site_actions SET done_ms = now_ms(),"
	    " result = ?2, status = ?3 WHERE id = ?1")) == NULL)
		goto out;
	store_db_bind_int64(s, 1, id);
	store_db_bind_text(s, 2, r);
	store_db_bind_int64(s, 3, status);
	if (store_db_step(s) != STORE_DB_DONE)
		store_db_err(st, "finish site action");
	else
		ret = 0;
	store_db_finalize(s);
out:
	store_db_unlock(st);
	return ret;
}

int
store_site_action_get(struct store *st, int64_t id, struct site_action *out)
{
	struct store_stmt *s;
	int ret = -1;

	store_db_lock(st);
	if ((s = store_db_prep(st, "SELECT " SITE_ACTION_COLS
	    " FROM site_actions WHERE id = ?1")) == NULL)
		goto out;
	store_db_bind_int64(s, 1, id);
	ret = store_site_action_one(st, s, "read site action", out);
out:
	store_db_unlock(st);
	return ret;
}

/* store_site_action_read for store_db_collect */
static void
store_site_action_read_row(struct store_stmt *s, void *elem)
{
	store_site_action_read(s, elem);
}

int
store_site_action_list(struct store *st, const char *site, const char *state,
    int limit, struct site_action **out, size_t *n)
{
	struct store_stmt *s;
	void *v = NULL;
	int ret = -1;

	*out = NULL;
	*n = 0;
	store_db_lock(st);
	if ((s = store_db_prep(st, "SELECT " SITE_ACTION_COLS
	    " FROM site_actions WHERE (CAST(?1 AS TEXT) IS NULL OR site = ?1)"
	    " AND (CAST(?2 AS TEXT) IS NULL"
	    "  OR (?2 = 'queued' AND done_ms = 0 AND taken_by = '')"
	    "  OR (?2 = 'taken' AND done_ms = 0 AND taken_by <> '')"
	    "  OR (?2 = 'done' AND done_ms <> 0))"
	    " ORDER BY id DESC LIMIT ?3")) == NULL)
		goto out;
	if (site != NULL)
		store_db_bind_text(s, 1, site);
	if (state != NULL)
		store_db_bind_text(s, 2, state);
	store_db_bind_int(s, 3, limit);
	ret = store_db_collect(st, s, sizeof(**out), 0,
	    store_site_action_read_row, "list site actions", &v, n);
	*out = v;
out:
	store_db_unlock(st);
	return ret;
}

/* A row of store_site_action_backlog's SELECT (store_db_collect) */
static void
store_site_action_read_backlog(struct store_stmt *s, void *elem)
{
	struct site_action_backlog *b = elem;

	memset(b, 0, sizeof(*b));
	store_db_col_text(s, 0, b->site, sizeof(b->site));
	b->queued = store_db_col_int(s, 1);
	b->taken = store_db_col_int(s, 2);
	b->oldest_ms = store_db_col_int64(s, 3);
}

int
store_site_action_backlog(struct store *st, struct site_action_backlog **out,
    size_t *n)
{
	struct store_stmt *s;
	void *v = NULL;
	int ret = -1;

	*out = NULL;
	*n = 0;
	store_db_lock(st);
	/* CAST: SUM is NUMERIC on PostgreSQL, read as an integer here */
	if ((s = store_db_prep(st, "SELECT site,"
	    " CAST(SUM(CASE WHEN taken_by = '' THEN 1 ELSE 0 END) AS BIGINT),"
	    " CAST(SUM(CASE WHEN taken_by = '' THEN 0 ELSE 1 END) AS BIGINT),"
	    " now_ms() - MIN(created_ms) FROM site_actions WHERE done_ms = 0"
	    " GROUP BY site ORDER BY site")) == NULL)
		goto out;
	ret = store_db_collect(st, s, sizeof(**out), 0,
	    store_site_action_read_backlog, "site action backlog", &v, n);
	*out = v;
out:
	store_db_unlock(st);
	return ret;
}
