/* store_audit.c — the audit table; see store_audit.h. SQL through
 * store_db.h, every value a bound parameter. */
#include "store_audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_db.h"

#define STORE_AUDIT_DEFAULT	100
#define STORE_AUDIT_MAX		1000
#define STORE_AUDIT_DATA "ts_ms, client, token, action, target, method," \
	" path, status, result"
#define STORE_AUDIT_COLS "id, " STORE_AUDIT_DATA

int
store_audit_add(struct store *st, const struct audit_entry *e,
    int64_t *id_out)
{
	struct store_stmt *s;
	int ret = -1;

	store_db_lock(st);
	if ((s = store_db_prep(st, "INSERT INTO audit(" STORE_AUDIT_DATA ")"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id")) == NULL)
		goto out;
	store_db_bind_int64(s, 1, e->time_ms);
	store_db_bind_text(s, 2, e->client);
	store_db_bind_text(s, 3, e->token);
	store_db_bind_text(s, 4, e->action);
	store_db_bind_text(s, 5, e->target);
	store_db_bind_text(s, 6, e->method);
	store_db_bind_text(s, 7, e->path);
	store_db_bind_int(s, 8, e->status);
	store_db_bind_text(s, 9, e->result);
	if (store_db_step(s) != STORE_DB_ROW)
		store_db_err(st, "insert audit entry");
	else {
		if (id_out != NULL)
			*id_out = store_db_col_int64(s, 0);
		ret = 0;
	}
	store_db_finalize(s);
out:
	store_db_unlock(st);
	return ret;
}

static void
store_audit_read(struct store_stmt *s, struct audit_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->id = store_db_col_int64(s, 0);
	e->time_ms = store_db_col_int64(s, 1);
	store_db_col_text(s, 2, e->client, sizeof(e->client));
	store_db_col_text(s, 3, e->token, sizeof(e->token));
	store_db_col_text(s, 4, e->action, sizeof(e->action));
	store_db_col_text(s, 5, e->target, sizeof(e->target));
	store_db_col_text(s, 6, e->method, sizeof(e->method));
	store_db_col_text(s, 7, e->path, sizeof(e->path));
	e->status = store_db_col_int(s, 8);
	store_db_col_text(s, 9, e->result, sizeof(e->result));
}

/* Binds q's filters (one constant statement: an absent filter is 0 or
 * "", which its condition lets through). */
static void
store_audit_bind(struct store_stmt *s, const struct audit_query *q, int limit)
{
	char host[80], pool[80];

	snprintf(host, sizeof(host), "%s%s", q->host ? "host:" : "",
	    q->host ? q->host : "");
	snprintf(pool, sizeof(pool), "%s%s", q->pool ? "pool:" : "",
	    q->pool ? q->pool : "");
	store_db_bind_int64(s, 1, q->since_ms);
	store_db_bind_int64(s, 2, q->before_id);
	store_db_bind_text(s, 3, q->token ? q->token : "");
	store_db_bind_text(s, 4, host);
	store_db_bind_text(s, 5, pool);
	store_db_bind_int(s, 6, limit);
}

int
store_audit_list(struct store *st, const struct audit_query *q,
    struct audit_entry **out, size_t *n)
{
	static const struct audit_query none = { 0 };
	struct audit_entry *v = NULL;
	struct store_stmt *s;
	size_t cnt = 0;
	int rc = STORE_DB_DONE, limit, ret = -1;

	*out = NULL;
	*n = 0;
	if (q == NULL)
		q = &none;
	limit = q->limit <= 0 ? STORE_AUDIT_DEFAULT : q->limit;
	if (limit > STORE_AUDIT_MAX)
		limit = STORE_AUDIT_MAX;
	if ((v = calloc((size_t)limit, sizeof(*v))) == NULL)
		return -1;
	store_db_lock(st);
	if ((s = store_db_prep(st, "SELECT " STORE_AUDIT_COLS " FROM audit"
	    " WHERE (?1 = 0 OR ts_ms >= ?1) AND (?2 = 0 OR id < ?2)"
	    " AND (?3 = '' OR token = ?3) AND (?4 = '' OR target = ?4)"
	    " AND (?5 = '' OR target = ?5) ORDER BY id DESC LIMIT ?6")) ==
	    NULL)
		goto out;
	store_audit_bind(s, q, limit);
	while ((int)cnt < limit && (rc = store_db_step(s)) == STORE_DB_ROW)
		store_audit_read(s, &v[cnt++]);
	if ((int)cnt < limit && rc != STORE_DB_DONE) {
		store_db_err(st, "audit query");
		store_db_finalize(s);
		goto out;
	}
	store_db_finalize(s);
	if (cnt > 0) {
		*out = v;
		v = NULL;
	}
	*n = cnt;
	ret = 0;
out:
	free(v);
	store_db_unlock(st);
	return ret;
}
