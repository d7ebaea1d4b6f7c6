/* store_lease.c — the leases table; see store_lease.h. Portable SQL (one
 * text for SQLite and PostgreSQL): an upsert whose update is guarded by a
 * WHERE, so that taking a lease is one atomic statement. */
#include "store_lease.h"

#include <stdlib.h>
#include <string.h>

#include "store_db.h"

static void
store_lease_read(struct store_stmt *s, struct store_lease *l)
{
	memset(l, 0, sizeof(*l));
	store_db_col_text(s, 0, l->name, sizeof(l->name));
	store_db_col_text(s, 1, l->owner, sizeof(l->owner));
	l->acquired_ms = store_db_col_int64(s, 2);
	l->heartbeat_ms = store_db_col_int64(s, 3);
	l->expires_ms = store_db_col_int64(s, 4);
}

/* Runs the one-row statement sql with ?1 name, ?2 owner, when with_ttl
 * ?3 ttl, and when gone is not NULL ?4 gone (PostgreSQL refuses a
 * parameter the text does not use): the number of rows it changed, or
 * -1. The time is the database's, now_ms(): every instance compares
 * expiries on one clock. */
static int
store_lease_change_from(struct store *st, const char *sql, const char *name,
    const char *owner, int with_ttl, int64_t ttl_ms, const char *gone,
    const char *what)
{
	struct store_stmt *s;
	int ret = -1;

	store_db_lock(st);
	if ((s = store_db_prep(st, sql)) == NULL)
		goto out;
	store_db_bind_text(s, 1, name);
	store_db_bind_text(s, 2, owner);
	if (with_ttl)
		store_db_bind_int64(s, 3, ttl_ms);
	if (gone != NULL)
		store_db_bind_text(s, 4, gone);
	if (store_db_step(s) != STORE_DB_DONE)
		store_db_err(st, what);
	else
		ret = store_db_changes(st);
	store_db_finalize(s);
out:
	store_db_unlock(st);
	return ret;
}

static int
store_lease_change(struct store *st, const char *sql, const char *name,
    const char *owner, int with_ttl, int64_t ttl_ms, const char *what)
{
	return store_lease_change_from(st, sql, name, owner, with_ttl, ttl_ms,
	    NULL, what);
}

int
store_lease_acquire(struct store *st, const char *name, const char *owner,
    int64_t ttl_ms, struct store_lease *holder)
{
	int rc;

	/* one statement: of two instances racing, the second finds the
	 * row the first wrote, unexpired and not its own, and changes
	 * nothing */
	rc = store_lease_change(st,
	    "INSERT INTO leases(name, owner, acquired_ms, heartbeat_ms,"
	    " expires_ms) VALUES (?1, ?2, now_ms(), now_ms(),"
	    " now_ms() + CAST(?3 AS BIGINT))"
	    " ON CONFLICT(name) DO UPDATE SET owner = excluded.owner,"
	    " acquired_ms = CASE WHEN leases.owner = excluded.owner"
	    "  THEN leases.acquired_ms ELSE excluded.acquired_ms END,"
	    " heartbeat_ms = excluded.heartbeat_ms,"
	    " expires_ms = excluded.expires_ms"
	    " WHERE leases.owner = excluded.owner"
	    "  OR leases.expires_ms <= excluded.heartbeat_ms",
	    name, owner, 1, ttl_ms, "take lease");
	if (rc == -1)
		return -1;
	if (rc == 1)
		return 0;
	if (holder != NULL && store_lease_get(st, name, holder) == -1)
		return -1;
	return 1;
}

int
store_lease_renew(struct store *st, const char *name, const char *owner,
    int64_t ttl_ms)
{
	int rc;

	rc = store_lease_change(st,
	    "UPDATE leases SET heartbeat_ms = now_ms(), expires_ms ="
	    " now_ms() + CAST(?3 AS BIGINT)"
	    " WHERE name = ?1 AND owner = ?2",
	    name, owner, 1, ttl_ms, "renew lease");
	if (rc == -1)
		return -1;
	return rc == 1 ? 0 : 1;
}

int
store_lease_take_from(struct store *st, const char *name, const char *gone,
    const char *owner, int64_t ttl_ms)
{
	int rc;

	rc = store_lease_change_from(st,
	    "UPDATE leases SET owner = ?2, acquired_ms = now_ms(),"
	    " heartbeat_ms = now_ms(), expires_ms = now_ms() +"
	    " CAST(?3 AS BIGINT) WHERE name = ?1 AND owner = ?4",
	    name, owner, 1, ttl_ms, gone, "take lease over");
	if (rc == -1)
		return -1;
	return rc == 1 ? 0 : 1;
}

int
store_lease_release(struct store *st, const char *name, const char *owner)
{
	/* the expiry into the past: free to take at once */
	return store_lease_change(st,
	    "UPDATE leases SET heartbeat_ms = now_ms(), expires_ms = 0"
	    " WHERE name = ?1 AND owner = ?2",
	    name, owner, 0, 0, "release lease") == -1 ? -1 : 0;
}

int
store_lease_get(struct store *st, const char *name, struct store_lease *out)
{
	struct store_stmt *s;
	enum store_db_step rc;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	store_db_lock(st);
	if ((s = store_db_prep(st, "SELECT name, owner, acquired_ms,"
	    " heartbeat_ms, expires_ms FROM leases WHERE name = ?1")) == NULL)
		goto out;
	store_db_bind_text(s, 1, name);
	if ((rc = store_db_step(s)) == STORE_DB_ROW) {
		store_lease_read(s, out);
		ret = 0;
	} else if (rc == STORE_DB_DONE)
		ret = 1;
	else
		store_db_err(st, "read lease");
	store_db_finalize(s);
out:
	store_db_unlock(st);
	return ret;
}

int
store_lease_live(struct store *st, const char *name, struct store_lease *out,
    int64_t *ago_ms)
{
	struct store_stmt *s;
	enum store_db_step rc;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	*ago_ms = -1;
	store_db_lock(st);
	if ((s = store_db_prep(st, "SELECT name, owner, acquired_ms,"
	    " heartbeat_ms, expires_ms, now_ms() - expires_ms FROM leases"
	    " WHERE name = ?1")) == NULL)
		goto out;
	store_db_bind_text(s, 1, name);
	if ((rc = store_db_step(s)) == STORE_DB_ROW) {
		store_lease_read(s, out);
		*ago_ms = store_db_col_int64(s, 5);
		ret = *ago_ms < 0;
		if (ret)
			*ago_ms = -1;
	} else if (rc == STORE_DB_DONE)
		ret = 0;
	else
		store_db_err(st, "read lease");
	store_db_finalize(s);
out:
	store_db_unlock(st);
	return ret;
}

/* A row of store_lease_list's SELECT (store_db_collect) */
static void
store_lease_read_age(struct store_stmt *s, void *elem)
{
	struct store_lease_age *a = elem;

	store_lease_read(s, &a->l);
	a->ago_ms = store_db_col_int64(s, 5);
	a->beat_ago_ms = store_db_col_int64(s, 6);
}

int
store_lease_list(struct store *st, struct store_lease_age **out, size_t *n)
{
	struct store_stmt *s;
	void *v = NULL;
	int ret = -1;

	*out = NULL;
	*n = 0;
	store_db_lock(st);
	if ((s = store_db_prep(st, "SELECT name, owner, acquired_ms,"
	    " heartbeat_ms, expires_ms, now_ms() - expires_ms,"
	    " now_ms() - heartbeat_ms FROM leases ORDER BY name")) == NULL)
		goto out;
	ret = store_db_collect(st, s, sizeof(**out), 0, store_lease_read_age,
	    "list leases", &v, n);
	*out = v;
out:
	store_db_unlock(st);
	return ret;
}
