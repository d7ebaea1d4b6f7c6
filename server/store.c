/* store.c — durable state; see store.h.
 *
 * Durability beats speed here: a commit that returned is on disk (SQLite:
 * WAL with synchronous=FULL; PostgreSQL: synchronous_commit on), so a
 * restart never forgets an arming, a result or a run step. An event
 * appended may be committed without waiting for the disk on SQLite
 * (store_db_sync_light). Every statement is prepared with bound
 * parameters; no SQL text is ever built from a value. Changes that touch
 * several rows run in one write transaction.
 *
 * This file holds the connections, the hosts, armings and events. Like
 * every store module it reaches the database through store_db.h; the
 * engines are in store_db_sqlite.c and store_db_pg.c.
 */
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "store_db.h"
#include "store_db_int.h"
#include "store_schema.h"

#define STORE_EVENTS_DEFAULT	100
#define STORE_EVENTS_MAX	1000

enum stmt_id {
	S_HOST_UPSERT,
	S_HOST_SET_STATE,
	S_HOST_GET,
	S_RETIRE_ACTIVE,
	S_ARMING_INSERT,
	S_ARMING_ACTIVE,
	S_ARMING_BY_HASH,
	S_ARMING_FETCHED,
	S_ARMING_FINISH,
	S_EVENT_INSERT,
	S_EVENT_LAST,
	S_COUNT
};

static const char *const store_stmt_sql[S_COUNT] = {
	[S_HOST_UPSERT] =
	    "INSERT INTO hosts(name, state, mode, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4)"
	    " ON CONFLICT(name) DO UPDATE SET state = excluded.state,"
	    " mode = excluded.mode, updated_at = excluded.updated_at",
	[S_HOST_SET_STATE] =
	    "UPDATE hosts SET state = ?2, updated_at = ?3 WHERE name = ?1",
	[S_HOST_GET] =
	    "SELECT state, mode, updated_at FROM hosts WHERE name = ?1",
	[S_RETIRE_ACTIVE] =
	    "UPDATE armings SET active = 0, finished_at = ?2,"
	    " result = 'disarmed', reason = 'superseded by a new arming'"
	    " WHERE host = ?1 AND active = 1",
	[S_ARMING_INSERT] =
	    "INSERT INTO armings(host, token_hash, mode, armed_at, purpose)"
	    " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
	[S_ARMING_ACTIVE] =
	    "SELECT " STORE_ARMING_COLS " FROM armings"
	    " WHERE host = ?1 AND active = 1",
	[S_ARMING_BY_HASH] =
	    "SELECT " STORE_ARMING_COLS " FROM armings"
	    " WHERE host = ?1 AND token_hash = ?2 ORDER BY id DESC LIMIT 1",
	[S_ARMING_FETCHED] =
	    "UPDATE armings SET attempts = attempts + 1,"
	    " first_fetch_at = CASE first_fetch_at WHEN 0 THEN ?2"
	    " ELSE first_fetch_at END, last_fetch_at = ?2"
	    " WHERE id = ?1 AND active = 1 RETURNING attempts, host",
	[S_ARMING_FINISH] =
	    "UPDATE armings SET active = 0, finished_at = ?2, result = ?3,"
	    " reason = ?4 WHERE id = ?1 AND active = 1 RETURNING host",
	[S_EVENT_INSERT] =
	    "INSERT INTO events(ts, host, pool, kind, message)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_EVENT_LAST] =
	    "SELECT kind, message, ts FROM events WHERE host = ?1"
	    " ORDER BY id DESC LIMIT 1",
};

/* The cached statement id, reset and with its bindings cleared; NULL on
 * error (logged). Caller holds st->mu. */
static struct store_stmt *
store_stmt_get(struct store *st, enum stmt_id id)
{
	struct store_stmt *s = st->stmt[id];

	if (s == NULL)
		return st->stmt[id] = store_db_prep(st, store_stmt_sql[id]);
	store_db_reset(s);
	return s;
}

/* The cached statement id of the read connection (st->rd; st->db for a
 * read-only store), reset; NULL on error (logged). Caller holds the lock
 * store_db_rd_lock returned. */
static struct store_stmt *
store_stmt_rd(struct store *st, enum stmt_id id)
{
	struct store_stmt *s;

	if (st->rd == NULL)
		return store_stmt_get(st, id);
	if ((s = st->rd_stmt[id]) == NULL)
		return st->rd_stmt[id] = store_db_prep_rd(st,
		    store_stmt_sql[id]);
	store_db_reset(s);
	return s;
}

/* Runs a statement that returns no rows to completion. */
static int
store_step_done(struct store *st, struct store_stmt *s, const char *what)
{
	enum store_db_step rc = store_db_step(s);

	if (rc != STORE_DB_DONE) {
		store_db_err(st, what);
		store_db_reset(s);
		return -1;
	}
	store_db_reset(s);
	return 0;
}

/* The store on conn (and rd, the second connection of a writer, or
 * NULL), its schema checked (readonly) or brought up to date. Takes the
 * connections, also on error. */
static int
store_open_conns(struct store_conn *conn, struct store_conn *rd,
    int readonly, int postgres, const char *what, struct store **out)
{
	struct store *st = NULL;
	int ver = 0, ret = -1;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->stmt = calloc(S_COUNT, sizeof(*st->stmt))) == NULL ||
	    (st->rd_stmt = calloc(S_COUNT, sizeof(*st->rd_stmt))) == NULL) {
		if (st != NULL) {
			free(st->stmt);
			free(st);
		}
		conn->ops->close(conn);
		if (rd != NULL)
			rd->ops->close(rd);
		return -1;
	}
	pthread_mutex_init(&st->mu, NULL);
	pthread_mutex_init(&st->rd_mu, NULL);
	st->db = conn;
	st->rd = rd;
	st->readonly = readonly;
	st->postgres = postgres;
	if (readonly) {
		if (store_db_version(st, 0, &ver) == -1)
			goto out;
		if (ver != STORE_SCHEMA_VERSION) {
			log_error("store", "%s: database schema version %d, "
			    "expected %d (has poolboot serve run yet?)", what,
			    ver, STORE_SCHEMA_VERSION);
			goto out;
		}
	} else if (store_schema_init(st) == -1)
		goto out;
	*out = st;
	st = NULL;
	ret = 0;
out:
	store_close(st);
	return ret;
}

int
store_open(const char *state_dir, int readonly, struct store **out)
{
	struct store_conn *db = NULL, *rd = NULL;
	char path[PATH_MAX];

	*out = NULL;
	if (snprintf(path, sizeof(path), "%s/poolboot.db", state_dir) >=
	    (int)sizeof(path)) {
		log_error("store", "state_dir path too long: %s", state_dir);
		return -1;
	}
	if (!readonly && util_mkdirs(state_dir, 0700) == -1) {
		log_error("store", "cannot create state_dir %s: %s", state_dir,
		    strerror(errno));
		return -1;
	}
	if (store_db_sqlite_open(path, readonly, &db) == -1)
		return -1;
	/* the reader opens the file the writer made (WAL mode on) */
	if (!readonly && (store_db_sqlite_open(path, 1, &rd) == -1)) {
		db->ops->close(db);
		return -1;
	}
	return store_open_conns(db, rd, readonly, 0, path, out);
}

int
store_open_pg(const char *conninfo, int readonly, struct store **out)
{
	struct store_conn *db = NULL, *rd = NULL;

	*out = NULL;
	if (store_db_pg_open(conninfo, readonly, &db) == -1)
		return -1;
	if (!readonly && store_db_pg_open(conninfo, 0, &rd) == -1) {
		db->ops->close(db);
		return -1;
	}
	return store_open_conns(db, rd, readonly, 1, "PostgreSQL", out);
}

void
store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
	store_commit_stop(st);	/* what is queued is written first */
	for (i = 0; i < S_COUNT; i++) {
		if (st->stmt != NULL)
			store_db_finalize(st->stmt[i]);
		if (st->rd_stmt != NULL)
			store_db_finalize(st->rd_stmt[i]);
	}
	free(st->stmt);
	free(st->rd_stmt);
	if (st->rd != NULL)
		st->rd->ops->close(st->rd);
	pthread_mutex_destroy(&st->rd_mu);
	if (st->db != NULL)
		st->db->ops->close(st->db);
	pthread_mutex_destroy(&st->mu);
	free(st);
}

/* Sets the state of host's row (which must exist). Caller holds st->mu,
 * inside the transaction of the change that causes it. */
static int
store_host_set_state(struct store *st, const char *host, enum host_state state,
    int64_t now)
{
	struct store_stmt *s;

	if ((s = store_stmt_get(st, S_HOST_SET_STATE)) == NULL)
		return -1;
	store_db_bind_text(s, 1, host);
	store_db_bind_text(s, 2, state_host_name(state));
	store_db_bind_int64(s, 3, now);
	return store_step_done(st, s, "update host state");
}

int
store_arm(struct store *st, const char *host, const char *token_hash,
    enum host_mode mode, int64_t now, int64_t *id_out)
{
	return store_arm_for(st, host, token_hash, mode, "", now, id_out);
}

int
store_arm_for(struct store *st, const char *host, const char *token_hash,
    enum host_mode mode, const char *purpose, int64_t now, int64_t *id_out)
{
	struct store_stmt *s;
	int64_t id;
	int ret = -1;

	pthread_mutex_lock(&st->mu);
	if (store_db_begin(st) == -1)
		goto out;
	/* the host row first: armings.host references it */
	if ((s = store_stmt_get(st, S_HOST_UPSERT)) == NULL)
		goto out;
	store_db_bind_text(s, 1, host);
	store_db_bind_text(s, 2, state_host_name(HOST_ARMED));
	store_db_bind_text(s, 3, config_mode_name(mode));
	store_db_bind_int64(s, 4, now);
	if (store_step_done(st, s, "arm: host row") == -1)
		goto out;
	if ((s = store_stmt_get(st, S_RETIRE_ACTIVE)) == NULL)
		goto out;
	store_db_bind_text(s, 1, host);
	store_db_bind_int64(s, 2, now);
	if (store_step_done(st, s, "arm: retire previous arming") == -1)
		goto out;
	if ((s = store_stmt_get(st, S_ARMING_INSERT)) == NULL)
		goto out;
	store_db_bind_text(s, 1, host);
	store_db_bind_text(s, 2, token_hash);
	store_db_bind_text(s, 3, config_mode_name(mode));
	store_db_bind_int64(s, 4, now);
	store_db_bind_text(s, 5, purpose);
	if (store_db_step(s) != STORE_DB_ROW) {
		store_db_err(st, "arm: insert arming");
		goto out;
	}
	id = store_db_col_int64(s, 0);
	if (store_step_done(st, s, "arm: insert arming") == -1)
		goto out;
	if (store_db_commit(st) == -1)
		goto out;
	if (id_out != NULL)
		*id_out = id;
	ret = 0;
out:
	if (ret == -1)
		store_db_rollback(st);
	pthread_mutex_unlock(&st->mu);
	return ret;
}

/* Runs a SELECT of at most one arming: 0 found, 1 none, -1 error. */
static int
store_arming_fetch(struct store *st, struct store_stmt *s, struct arming *a,
    const char *what)
{
	enum store_db_step rc;
	int ret;

	rc = store_db_step(s);
	if (rc == STORE_DB_ROW)
		ret = store_arming_read(s, a);
	else if (rc == STORE_DB_DONE)
		ret = 1;
	else {
		/* s may be of the read connection */
		(void)st;
		log_error("store", "%s: %s", what, store_db_stmt_err(s));
		ret = -1;
	}
	store_db_reset(s);
	return ret;
}

int
store_active_arming(struct store *st, const char *host, struct arming *a)
{
	struct store_stmt *s;
	int ret = -1;

	pthread_mutex_t *mu = store_db_rd_lock(st);

	if ((s = store_stmt_rd(st, S_ARMING_ACTIVE)) == NULL)
		goto out;
	store_db_bind_text(s, 1, host);
	ret = store_arming_fetch(st, s, a, "active arming");
out:
	pthread_mutex_unlock(mu);
	return ret;
}

int
store_arming_by_hash(struct store *st, const char *host,
    const char *token_hash, struct arming *a)
{
	struct store_stmt *s;
	int ret = -1;

	pthread_mutex_t *mu = store_db_rd_lock(st);

	if ((s = store_stmt_rd(st, S_ARMING_BY_HASH)) == NULL)
		goto out;
	store_db_bind_text(s, 1, host);
	store_db_bind_text(s, 2, token_hash);
	ret = store_arming_fetch(st, s, a, "arming by token");
out:
	pthread_mutex_unlock(mu);
	return ret;
}

int
store_arming_fetched(struct store *st, int64_t id, int64_t now,
    int *attempts_out)
{
	struct store_stmt *s;
	char host[64];
	enum store_db_step rc;
	int attempts, ret = -1;

	pthread_mutex_lock(&st->mu);
	store_db_sync_light(st, 1);
	if (store_db_begin(st) == -1)
		goto out;
	if ((s = store_stmt_get(st, S_ARMING_FETCHED)) == NULL)
		goto out;
	store_db_bind_int64(s, 1, id);
	store_db_bind_int64(s, 2, now);
	if ((rc = store_db_step(s)) != STORE_DB_ROW) {
		if (rc == STORE_DB_DONE)
			log_error("store", "arming %lld is not active",
			    (long long)id);
		else
			store_db_err(st, "count fetch");
		store_db_reset(s);
		goto out;
	}
	attempts = store_db_col_int(s, 0);
	store_db_col_text(s, 1, host, sizeof(host));
	rc = store_db_step(s);
	store_db_reset(s);
	if (rc != STORE_DB_DONE) {
		store_db_err(st, "count fetch");
		goto out;
	}
	if (store_host_set_state(st, host, HOST_INSTALLING, now) == -1 ||
	    store_db_commit(st) == -1)
		goto out;
	if (attempts_out != NULL)
		*attempts_out = attempts;
	ret = 0;
out:
	if (ret == -1)
		store_db_rollback(st);
	store_db_sync_light(st, 0);
	pthread_mutex_unlock(&st->mu);
	return ret;
}

int
store_arming_finish(struct store *st, int64_t id, const char *result,
    const char *reason, int64_t now)
{
	enum host_state state;
	struct store_stmt *s;
	char host[64];
	enum store_db_step rc;
	int ret = -1;

	if (strcmp(result, "done") == 0)
		state = HOST_DONE;
	else if (strcmp(result, "failed") == 0)
		state = HOST_FAILED;
	else if (strcmp(result, "disarmed") == 0)
		state = HOST_IDLE;
	else {
		log_error("store", "arming %lld: unknown result \"%s\"",
		    (long long)id, result);
		return -1;
	}
	pthread_mutex_lock(&st->mu);
	if (store_db_begin(st) == -1)
		goto out;
	if ((s = store_stmt_get(st, S_ARMING_FINISH)) == NULL)
		goto out;
	store_db_bind_int64(s, 1, id);
	store_db_bind_int64(s, 2, now);
	store_db_bind_text(s, 3, result);
	store_db_bind_text(s, 4, reason);
	if ((rc = store_db_step(s)) != STORE_DB_ROW) {
		if (rc == STORE_DB_DONE)
			log_error("store", "arming %lld is not active",
			    (long long)id);
		else
			store_db_err(st, "finish arming");
		store_db_reset(s);
		goto out;
	}
	store_db_col_text(s, 0, host, sizeof(host));
	rc = store_db_step(s);
	store_db_reset(s);
	if (rc != STORE_DB_DONE) {
		store_db_err(st, "finish arming");
		goto out;
	}
	if (store_host_set_state(st, host, state, now) == -1 ||
	    store_db_commit(st) == -1)
		goto out;
	ret = 0;
out:
	if (ret == -1)
		store_db_rollback(st);
	pthread_mutex_unlock(&st->mu);
	return ret;
}

int
store_host_status(struct store *st, const char *host, struct host_status *out)
{
	struct store_stmt *s;
	char state[32];
	enum store_db_step rc;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	snprintf(out->host, sizeof(out->host), "%s", host);
	out->state = HOST_IDLE;
	pthread_mutex_lock(&st->mu);
	if ((s = store_stmt_get(st, S_HOST_GET)) == NULL)
		goto out;
	store_db_bind_text(s, 1, host);
	rc = store_db_step(s);
	if (rc == STORE_DB_ROW) {
		store_db_col_text(s, 0, state, sizeof(state));
		store_db_col_text(s, 1, out->mode, sizeof(out->mode));
		out->updated_at = store_db_col_int64(s, 2);
		if (state_host_parse(state, &out->state) == -1) {
			log_error("store", "host %s has an unknown state "
			    "\"%s\"", host, state);
			store_db_reset(s);
			goto out;
		}
	} else if (rc != STORE_DB_DONE) {
		store_db_err(st, "host status");
		store_db_reset(s);
		goto out;
	}
	store_db_reset(s);
	if ((s = store_stmt_get(st, S_EVENT_LAST)) == NULL)
		goto out;
	store_db_bind_text(s, 1, host);
	rc = store_db_step(s);
	if (rc == STORE_DB_ROW) {
		char kind[32], msg[256];

		store_db_col_text(s, 0, kind, sizeof(kind));
		store_db_col_text(s, 1, msg, sizeof(msg));
		/* cut to fit */
		if (snprintf(out->last_event, sizeof(out->last_event),
		    "%s: %s", kind, msg) < 0)
			out->last_event[0] = '\0';
		out->last_event_at = store_db_col_int64(s, 2);
	} else if (rc != STORE_DB_DONE) {
		store_db_err(st, "host last event");
		store_db_reset(s);
		goto out;
	}
	store_db_reset(s);
	ret = 0;
out:
	pthread_mutex_unlock(&st->mu);
	return ret;
}

int
store_event(struct store *st, const char *host, const char *pool,
    const char *kind, const char *fmt, ...)
{
	struct store_stmt *s;
	char msg[512];
	va_list ap;
	int ret = -1;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&st->mu);
	store_db_sync_light(st, 1);
	if ((s = store_stmt_get(st, S_EVENT_INSERT)) == NULL)
		goto out;
	store_db_bind_int64(s, 1, util_now());
	store_db_bind_text(s, 2, host);
	store_db_bind_text(s, 3, pool);
	store_db_bind_text(s, 4, kind);
	store_db_bind_text(s, 5, msg);
	ret = store_step_done(st, s, "insert event");
out:
	store_db_sync_light(st, 0);
	pthread_mutex_unlock(&st->mu);
	return ret;
}

int
store_events(struct store *st, const struct event_query *q,
    int (*cb)(const struct event *ev, void *arg), void *arg)
{
	static const struct event_query none = { 0 };
	struct sbuf sql = { .max = 1024 };
	struct event *evs = NULL;
	struct store_stmt *s = NULL;
	size_t n = 0, i;
	enum store_db_step rc = STORE_DB_DONE;
	int limit, ret = -1, locked = 0;

	if (q == NULL)
		q = &none;
	limit = q->limit <= 0 ? STORE_EVENTS_DEFAULT : q->limit;
	if (limit > STORE_EVENTS_MAX)
		limit = STORE_EVENTS_MAX;
	/* the WHERE clause is assembled from constant fragments only; every
	 * value is a bound parameter */
	if (sbuf_puts(&sql, "SELECT id, ts, host, pool, kind, message"
	    " FROM events WHERE 1 = 1") == -1 ||
	    (q->host != NULL && sbuf_puts(&sql, " AND host = ?1") == -1) ||
	    (q->pool != NULL && sbuf_puts(&sql, " AND pool = ?2") == -1) ||
	    (q->since > 0 && sbuf_puts(&sql, " AND ts >= ?3") == -1) ||
	    (q->before_id > 0 && sbuf_puts(&sql, " AND id < ?4") == -1) ||
	    sbuf_puts(&sql, " ORDER BY id DESC LIMIT ?5") == -1)
		goto out;
	if ((evs = calloc((size_t)limit, sizeof(*evs))) == NULL)
		goto out;
	pthread_mutex_lock(&st->mu);
	locked = 1;
	if ((s = store_db_prep(st, sql.p)) == NULL)
		goto out;
	if (q->host != NULL)
		store_db_bind_text(s, 1, q->host);
	if (q->pool != NULL)
		store_db_bind_text(s, 2, q->pool);
	if (q->since > 0)
		store_db_bind_int64(s, 3, q->since);
	if (q->before_id > 0)
		store_db_bind_int64(s, 4, q->before_id);
	store_db_bind_int(s, 5, limit);
	while (n < (size_t)limit && (rc = store_db_step(s)) == STORE_DB_ROW) {
		struct event *ev = &evs[n++];

		ev->id = store_db_col_int64(s, 0);
		ev->ts = store_db_col_int64(s, 1);
		store_db_col_text(s, 2, ev->host, sizeof(ev->host));
		store_db_col_text(s, 3, ev->pool, sizeof(ev->pool));
		store_db_col_text(s, 4, ev->kind, sizeof(ev->kind));
		store_db_col_text(s, 5, ev->message, sizeof(ev->message));
	}
	if (n < (size_t)limit && rc != STORE_DB_DONE) {
		store_db_err(st, "events query");
		goto out;
	}
	store_db_finalize(s);
	s = NULL;
	/* the callback runs unlocked, so it may itself use the store */
	pthread_mutex_unlock(&st->mu);
	locked = 0;
	for (i = 0; i < n; i++)
		if (cb(&evs[i], arg) != 0)
			break;
	ret = 0;
out:
	store_db_finalize(s);
	if (locked)
		pthread_mutex_unlock(&st->mu);
	free(evs);
	sbuf_free(&sql);
	return ret;
}

/* ---- runs and jobs to resume ---- */

/* The ids a one-column SELECT returns, malloc'd into *ids. */
static int
store_ids_query(struct store *st, const char *sql, int64_t **ids, size_t *n)
{
	struct store_stmt *s;
	int64_t *v = NULL, *nv;
	size_t cnt = 0;
	enum store_db_step rc;
	int ret = -1;

	*ids = NULL;
	*n = 0;
	pthread_mutex_lock(&st->mu);
	if ((s = store_db_prep(st, sql)) == NULL)
		goto out;
	while ((rc = store_db_step(s)) == STORE_DB_ROW) {
		if ((nv = realloc(v, (cnt + 1) * sizeof(*v))) == NULL) {
			store_db_finalize(s);
			goto out;
		}
		v = nv;
		v[cnt++] = store_db_col_int64(s, 0);
	}
	store_db_finalize(s);
	if (rc != STORE_DB_DONE) {
		store_db_err(st, sql);
		goto out;
	}
	*ids = v;
	*n = cnt;
	v = NULL;
	ret = 0;
out:
	free(v);
	pthread_mutex_unlock(&st->mu);
	return ret;
}

int
store_runs_running(struct store *st, int64_t **ids, size_t *n)
{
	return store_ids_query(st, "SELECT id FROM runs WHERE state = 'running'"
	    " ORDER BY id", ids, n);
}

int
store_jobs(struct store *st, int max, struct job **out, size_t *n)
{
	return store_job_newest(st, max, out, n);
}

int
store_jobs_running(struct store *st, int64_t **ids, size_t *n)
{
	return store_ids_query(st, "SELECT id FROM jobs WHERE state = 'running'"
	    " ORDER BY id", ids, n);
}
int
store_open_config(const struct config *cfg, int readonly, struct store **out)
{
	char err[512], *conninfo;
	int ret;

	*out = NULL;
	if (cfg->store.backend != STORE_POSTGRES)
		return store_open(cfg->state_dir, readonly, out);
	if ((conninfo = config_store_conninfo(&cfg->store, err,
	    sizeof(err))) == NULL) {
		log_error("store", "%s", err);
		return -1;
	}
	ret = store_open_pg(conninfo, readonly, out);
	util_wipe(conninfo, strlen(conninfo));
	free(conninfo);
	return ret;
}

const char *
store_name_config(const struct config *cfg, char *buf, size_t len)
{
	if (cfg->store.backend == STORE_POSTGRES)
		snprintf(buf, len, "the PostgreSQL database of [store] "
		    "conninfo_file %s", cfg->store.conninfo_file);
	else
		snprintf(buf, len, "the state database %s/poolboot.db",
		    cfg->state_dir);
	return buf;
}

/* A read-only connection to the PostgreSQL database cfg names: 0 with *c;
 * -1 with the conninfo file's problem in err, or err "" when libpq's own
 * reason was logged. */
static int
store_pg_connect_config(const struct config *cfg, struct store_conn **c,
    char *err, size_t errlen)
{
	char *conninfo;
	int ret;

	err[0] = '\0';
	if ((conninfo = config_store_conninfo(&cfg->store, err,
	    errlen)) == NULL)
		return -1;
	ret = store_db_pg_open(conninfo, 1, c);
	util_wipe(conninfo, strlen(conninfo));
	free(conninfo);
	return ret;
}

int
store_check_config(const struct config *cfg, char *err, size_t errlen)
{
	struct store_conn *c = NULL;

	if (cfg->store.backend != STORE_POSTGRES)
		return 0;
	if (store_pg_connect_config(cfg, &c, err, errlen) == -1) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s: the PostgreSQL database it "
			    "names cannot be reached (the line above says why)",
			    cfg->store.conninfo_file);
		return -1;
	}
	c->ops->close(c);
	return 0;
}

int
store_present_config(const struct config *cfg)
{
	struct store_conn *c = NULL;
	char err[512];
	int ver = 0, ret;

	if (cfg->store.backend != STORE_POSTGRES)
		return 1;
	if (store_pg_connect_config(cfg, &c, err, sizeof(err)) == -1) {
		if (err[0] != '\0')
			log_error("store", "%s", err);
		return -1;
	}
	ret = c->ops->version_get(c, 0, &ver) == -1 ? -1 : ver > 0;
	if (ret == -1)
		log_error("store", "schema version: %s", c->ops->errmsg(c));
	c->ops->close(c);
	return ret;
}
