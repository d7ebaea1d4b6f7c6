/* store.c — durable state in SQLite; see store.h.
 *
 * Durability beats speed here: WAL with synchronous=FULL, so a commit that
 * returned is on disk and a restart never forgets an arming, a result or a
 * run step. The two frequent, replayable records — an answerfile fetch
 * counted and an event appended — are committed with synchronous=NORMAL
 * (store_sync_light): in WAL mode they still survive a crash of the
 * process, and only a power loss can undo the last few, until the next
 * FULL commit syncs them. Every statement is prepared with bound
 * parameters; no SQL text is ever built from a value. Changes that touch
 * several rows run in one BEGIN IMMEDIATE transaction.
 *
 * This file holds the connection, the hosts, armings and events, and is
 * the only one that speaks to SQLite: store_schema.c, store_run.c and
 * store_job.c reach the database through the small layer of store_db.h,
 * implemented near the end of this file.
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

#include <sqlite3.h>

#include "log.h"
#include "store_db.h"
#include "store_schema.h"

#define STORE_EVENTS_DEFAULT	100
#define STORE_EVENTS_MAX	1000

#define ARMING_COLS \
	"id, host, token_hash, mode, armed_at, first_fetch_at, last_fetch_at," \
	" attempts, active, finished_at, result, reason, purpose"

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
	    " VALUES (?1, ?2, ?3, ?4, ?5)",
	[S_ARMING_ACTIVE] =
	    "SELECT " ARMING_COLS " FROM armings"
	    " WHERE host = ?1 AND active = 1",
	[S_ARMING_BY_HASH] =
	    "SELECT " ARMING_COLS " FROM armings"
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
static sqlite3_stmt *
store_stmt_get(struct store *st, enum stmt_id id)
{
	sqlite3_stmt *s = st->stmt[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(st->db, store_stmt_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
			store_db_err(st, "prepare");
			return NULL;
		}
		st->stmt[id] = s;
		return s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* The cached statement id of the read connection (st->rd; st->db for a
 * read-only store), reset; NULL on error (logged). Caller holds
 * st->rd_mu (or st->mu without st->rd). */
static sqlite3_stmt *
store_stmt_rd(struct store *st, enum stmt_id id)
{
	sqlite3_stmt *s;

	if (st->rd == NULL)
		return store_stmt_get(st, id);
	if ((s = st->rd_stmt[id]) == NULL) {
		if (sqlite3_prepare_v3(st->rd, store_stmt_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
			log_error("store", "prepare: %s", sqlite3_errmsg(st->rd));
			return NULL;
		}
		st->rd_stmt[id] = s;
		return s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* The lock of the read connection (store_stmt_rd). */
static pthread_mutex_t *
store_rd_lock(struct store *st)
{
	pthread_mutex_t *mu = st->rd != NULL ? &st->rd_mu : &st->mu;

	pthread_mutex_lock(mu);
	return mu;
}

/* Opens st->rd, the read-only connection to path beside st->db. */
static int
store_rd_open(struct store *st, const char *path)
{
	if ((st->rd_stmt = calloc(S_COUNT, sizeof(*st->rd_stmt))) == NULL)
		return -1;
	if (sqlite3_open_v2(path, &st->rd, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(st->rd, 5000) != SQLITE_OK) {
		log_error("store", "cannot open %s for reading: %s", path,
		    st->rd != NULL ? sqlite3_errmsg(st->rd) : "out of memory");
		return -1;
	}
	return 0;
}

/* Binds a text parameter; NULL becomes the empty string. */
static int
store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return sqlite3_bind_text(s, i, v != NULL ? v : "", -1,
	    SQLITE_TRANSIENT);
}

static void
store_col_text(sqlite3_stmt *s, int i, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(buf, size, "%s", t != NULL ? (const char *)t : "");
}

/* Prepares sql; NULL on error (logged). Caller holds st->mu. */
static sqlite3_stmt *
store_prep(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_db_err(st, "prepare");
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

/* Runs a statement that returns no rows to completion. */
static int
store_step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_db_err(st, what);
		return -1;
	}
	return 0;
}

/* Frequent, replayable records (an answerfile fetch counted, an event)
 * are committed without waiting for the disk: in WAL mode a commit with
 * synchronous=NORMAL survives a crash of the process and keeps the
 * database consistent; only a power loss can undo it, and the next
 * synchronous=FULL commit (arm, result, run step) makes it durable too. */
static void
store_sync_light(struct store *st, int light)
{
	(void)store_db_exec(st, light ? "PRAGMA synchronous = NORMAL" :
	    "PRAGMA synchronous = FULL", "synchronous");
}


/* chmod 0600 of the database file db + suffix when it exists and is
 * looser. 0, or -1 (logged). */
static int
store_private(const char *db, const char *suffix)
{
	char path[PATH_MAX];
	struct stat sb;

	if (snprintf(path, sizeof(path), "%s%s", db, suffix) >=
	    (int)sizeof(path))
		return -1;
	if (stat(path, &sb) == -1) {
		if (errno == ENOENT)
			return 0;
		log_error("store", "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((sb.st_mode & 077) == 0 || chmod(path, 0600) == 0)
		return 0;
	log_error("store", "%s is mode %04o (other users may read it) and "
	    "cannot be made 0600: %s; make it 0600 and owned by the user "
	    "poolboot runs as", path, (unsigned)(sb.st_mode & 07777),
	    strerror(errno));
	return -1;
}

int
store_open(const char *state_dir, int readonly, struct store **out)
{
	struct store *st = NULL;
	char path[PATH_MAX];
	char *mode = NULL;
	int flags, ver = 0, ret = -1;
	sqlite3_stmt *s = NULL;

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
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -1;
	if ((st->stmt = calloc(S_COUNT, sizeof(*st->stmt))) == NULL ||
	    pthread_mutex_init(&st->mu, NULL) != 0) {
		free(st->stmt);
		free(st);
		return -1;
	}
	pthread_mutex_init(&st->rd_mu, NULL);
	st->readonly = readonly;
	flags = readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		log_error("store", "cannot open %s: %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		goto out;
	}
	/* the database holds the run reports, events and token hashes:
	 * the owner's alone, the WAL and shm files too (SQLite gives them
	 * the database's mode; older ones may be looser) */
	if (!readonly && store_private(path, "") == -1)
		goto out;
	sqlite3_extended_result_codes(st->db, 1);
	if (sqlite3_busy_timeout(st->db, 5000) != SQLITE_OK ||
	    store_db_exec(st, "PRAGMA foreign_keys = ON", "foreign_keys") == -1)
		goto out;
	if (readonly) {
		if (store_db_pragma_int(st, "PRAGMA user_version", &ver) == -1)
			goto out;
		if (ver != STORE_SCHEMA_VERSION) {
			log_error("store", "%s: database schema version %d, "
			    "expected %d (has poolboot serve run yet?)", path,
			    ver, STORE_SCHEMA_VERSION);
			goto out;
		}
	} else {
		if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1,
		    &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
			store_db_err(st, "journal_mode");
			goto out;
		}
		mode = strdup((const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
		s = NULL;
		if (mode == NULL || strcmp(mode, "wal") != 0) {
			log_error("store", "%s: cannot switch to WAL mode "
			    "(journal_mode is %s)", path,
			    mode != NULL ? mode : "?");
			goto out;
		}
		if (store_db_exec(st, "PRAGMA synchronous = FULL",
		    "synchronous") == -1 || store_schema_init(st) == -1 ||
		    store_private(path, "-wal") == -1 ||
		    store_private(path, "-shm") == -1 ||
		    store_rd_open(st, path) == -1)
			goto out;
	}
	*out = st;
	st = NULL;
	ret = 0;
out:
	sqlite3_finalize(s);
	free(mode);
	store_close(st);
	return ret;
}

void
store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
	store_commit_stop(st);	/* what is queued is written first */
	for (i = 0; i < S_COUNT; i++) {
		sqlite3_finalize(st->stmt[i]);
		if (st->rd_stmt != NULL)
			sqlite3_finalize(st->rd_stmt[i]);
	}
	free(st->stmt);
	free(st->rd_stmt);
	if (st->rd != NULL && sqlite3_close(st->rd) != SQLITE_OK)
		log_error("store", "close: %s", sqlite3_errmsg(st->rd));
	pthread_mutex_destroy(&st->rd_mu);
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_error("store", "close: %s", sqlite3_errmsg(st->db));
	pthread_mutex_destroy(&st->mu);
	free(st);
}

/* Sets the state of host's row (which must exist). Caller holds st->mu,
 * inside the transaction of the change that causes it. */
static int
store_host_set_state(struct store *st, const char *host, enum host_state state,
    int64_t now)
{
	sqlite3_stmt *s;

	if ((s = store_stmt_get(st, S_HOST_SET_STATE)) == NULL)
		return -1;
	store_bind_text(s, 1, host);
	store_bind_text(s, 2, state_host_name(state));
	sqlite3_bind_int64(s, 3, now);
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
	sqlite3_stmt *s;
	int64_t id;
	int ret = -1;

	pthread_mutex_lock(&st->mu);
	if (store_db_begin(st) == -1)
		goto out;
	/* the host row first: armings.host references it */
	if ((s = store_stmt_get(st, S_HOST_UPSERT)) == NULL)
		goto out;
	store_bind_text(s, 1, host);
	store_bind_text(s, 2, state_host_name(HOST_ARMED));
	store_bind_text(s, 3, config_mode_name(mode));
	sqlite3_bind_int64(s, 4, now);
	if (store_step_done(st, s, "arm: host row") == -1)
		goto out;
	if ((s = store_stmt_get(st, S_RETIRE_ACTIVE)) == NULL)
		goto out;
	store_bind_text(s, 1, host);
	sqlite3_bind_int64(s, 2, now);
	if (store_step_done(st, s, "arm: retire previous arming") == -1)
		goto out;
	if ((s = store_stmt_get(st, S_ARMING_INSERT)) == NULL)
		goto out;
	store_bind_text(s, 1, host);
	store_bind_text(s, 2, token_hash);
	store_bind_text(s, 3, config_mode_name(mode));
	sqlite3_bind_int64(s, 4, now);
	store_bind_text(s, 5, purpose);
	if (store_step_done(st, s, "arm: insert arming") == -1)
		goto out;
	id = sqlite3_last_insert_rowid(st->db);
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

/* Reads one armings row (ARMING_COLS order). */
static int
store_arming_read(sqlite3_stmt *s, struct arming *a)
{
	char mode[16];

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	store_col_text(s, 1, a->host, sizeof(a->host));
	store_col_text(s, 2, a->token_hash, sizeof(a->token_hash));
	store_col_text(s, 3, mode, sizeof(mode));
	a->armed_at = sqlite3_column_int64(s, 4);
	a->first_fetch_at = sqlite3_column_int64(s, 5);
	a->last_fetch_at = sqlite3_column_int64(s, 6);
	a->attempts = sqlite3_column_int(s, 7);
	a->active = sqlite3_column_int(s, 8);
	a->finished_at = sqlite3_column_int64(s, 9);
	store_col_text(s, 10, a->result, sizeof(a->result));
	store_col_text(s, 11, a->reason, sizeof(a->reason));
	store_col_text(s, 12, a->purpose, sizeof(a->purpose));
	if (config_mode_parse(mode, &a->mode) == -1) {
		log_error("store", "arming %lld has an unknown mode \"%s\"",
		    (long long)a->id, mode);
		return -1;
	}
	return 0;
}

/* Runs a SELECT of at most one arming: 0 found, 1 none, -1 error. */
static int
store_arming_fetch(struct store *st, sqlite3_stmt *s, struct arming *a,
    const char *what)
{
	int rc, ret;

	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = store_arming_read(s, a);
	else if (rc == SQLITE_DONE)
		ret = 1;
	else {
		/* s may be of the read connection */
		(void)st;
		log_error("store", "%s: %s", what,
		    sqlite3_errmsg(sqlite3_db_handle(s)));
		ret = -1;
	}
	sqlite3_reset(s);
	return ret;
}

int
store_active_arming(struct store *st, const char *host, struct arming *a)
{
	sqlite3_stmt *s;
	int ret = -1;

	pthread_mutex_t *mu = store_rd_lock(st);

	if ((s = store_stmt_rd(st, S_ARMING_ACTIVE)) == NULL)
		goto out;
	store_bind_text(s, 1, host);
	ret = store_arming_fetch(st, s, a, "active arming");
out:
	pthread_mutex_unlock(mu);
	return ret;
}

int
store_arming_by_hash(struct store *st, const char *host,
    const char *token_hash, struct arming *a)
{
	sqlite3_stmt *s;
	int ret = -1;

	pthread_mutex_t *mu = store_rd_lock(st);

	if ((s = store_stmt_rd(st, S_ARMING_BY_HASH)) == NULL)
		goto out;
	store_bind_text(s, 1, host);
	store_bind_text(s, 2, token_hash);
	ret = store_arming_fetch(st, s, a, "arming by token");
out:
	pthread_mutex_unlock(mu);
	return ret;
}

int
store_arming_fetched(struct store *st, int64_t id, int64_t now,
    int *attempts_out)
{
	sqlite3_stmt *s;
	char host[64];
	int attempts, rc, ret = -1;

	pthread_mutex_lock(&st->mu);
	store_sync_light(st, 1);
	if (store_db_begin(st) == -1)
		goto out;
	if ((s = store_stmt_get(st, S_ARMING_FETCHED)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			log_error("store", "arming %lld is not active",
			    (long long)id);
		else
			store_db_err(st, "count fetch");
		sqlite3_reset(s);
		goto out;
	}
	attempts = sqlite3_column_int(s, 0);
	store_col_text(s, 1, host, sizeof(host));
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
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
	store_sync_light(st, 0);
	pthread_mutex_unlock(&st->mu);
	return ret;
}

int
store_arming_finish(struct store *st, int64_t id, const char *result,
    const char *reason, int64_t now)
{
	enum host_state state;
	sqlite3_stmt *s;
	char host[64];
	int rc, ret = -1;

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
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	store_bind_text(s, 3, result);
	store_bind_text(s, 4, reason);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			log_error("store", "arming %lld is not active",
			    (long long)id);
		else
			store_db_err(st, "finish arming");
		sqlite3_reset(s);
		goto out;
	}
	store_col_text(s, 0, host, sizeof(host));
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
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
	sqlite3_stmt *s;
	char state[32];
	int rc, ret = -1;

	memset(out, 0, sizeof(*out));
	snprintf(out->host, sizeof(out->host), "%s", host);
	out->state = HOST_IDLE;
	pthread_mutex_lock(&st->mu);
	if ((s = store_stmt_get(st, S_HOST_GET)) == NULL)
		goto out;
	store_bind_text(s, 1, host);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		store_col_text(s, 0, state, sizeof(state));
		store_col_text(s, 1, out->mode, sizeof(out->mode));
		out->updated_at = sqlite3_column_int64(s, 2);
		if (state_host_parse(state, &out->state) == -1) {
			log_error("store", "host %s has an unknown state "
			    "\"%s\"", host, state);
			sqlite3_reset(s);
			goto out;
		}
	} else if (rc != SQLITE_DONE) {
		store_db_err(st, "host status");
		sqlite3_reset(s);
		goto out;
	}
	sqlite3_reset(s);
	if ((s = store_stmt_get(st, S_EVENT_LAST)) == NULL)
		goto out;
	store_bind_text(s, 1, host);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(out->last_event, sizeof(out->last_event), "%s: %s",
		    (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1));
		out->last_event_at = sqlite3_column_int64(s, 2);
	} else if (rc != SQLITE_DONE) {
		store_db_err(st, "host last event");
		sqlite3_reset(s);
		goto out;
	}
	sqlite3_reset(s);
	ret = 0;
out:
	pthread_mutex_unlock(&st->mu);
	return ret;
}

int
store_event(struct store *st, const char *host, const char *pool,
    const char *kind, const char *fmt, ...)
{
	sqlite3_stmt *s;
	char msg[512];
	va_list ap;
	int ret = -1;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&st->mu);
	store_sync_light(st, 1);
	if ((s = store_stmt_get(st, S_EVENT_INSERT)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, util_now());
	store_bind_text(s, 2, host);
	store_bind_text(s, 3, pool);
	store_bind_text(s, 4, kind);
	store_bind_text(s, 5, msg);
	ret = store_step_done(st, s, "insert event");
out:
	store_sync_light(st, 0);
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
	sqlite3_stmt *s = NULL;
	size_t n = 0, i;
	int limit, rc = SQLITE_DONE, ret = -1, locked = 0;

	if (q == NULL)
		q = &none;
	limit = q->limit <= 0 ? STORE_EVENTS_DEFAULT : q->limit;
	if (limit > STORE_EVENTS_MAX)
		limit = STORE_EVENTS_MAX;
	/* the WHERE clause is assembled from constant fragments only; every
	 * value is a bound parameter */
	if (sbuf_puts(&sql, "SELECT id, ts, host, pool, kind, message"
	    " FROM events WHERE 1") == -1 ||
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
	if (sqlite3_prepare_v2(st->db, sql.p, -1, &s, NULL) != SQLITE_OK) {
		store_db_err(st, "events query");
		goto out;
	}
	if (q->host != NULL)
		store_bind_text(s, 1, q->host);
	if (q->pool != NULL)
		store_bind_text(s, 2, q->pool);
	if (q->since > 0)
		sqlite3_bind_int64(s, 3, q->since);
	if (q->before_id > 0)
		sqlite3_bind_int64(s, 4, q->before_id);
	sqlite3_bind_int(s, 5, limit);
	while (n < (size_t)limit && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct event *ev = &evs[n++];

		ev->id = sqlite3_column_int64(s, 0);
		ev->ts = sqlite3_column_int64(s, 1);
		store_col_text(s, 2, ev->host, sizeof(ev->host));
		store_col_text(s, 3, ev->pool, sizeof(ev->pool));
		store_col_text(s, 4, ev->kind, sizeof(ev->kind));
		store_col_text(s, 5, ev->message, sizeof(ev->message));
	}
	if (n < (size_t)limit && rc != SQLITE_DONE) {
		store_db_err(st, "events query");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	/* the callback runs unlocked, so it may itself use the store */
	pthread_mutex_unlock(&st->mu);
	locked = 0;
	for (i = 0; i < n; i++)
		if (cb(&evs[i], arg) != 0)
			break;
	ret = 0;
out:
	sqlite3_finalize(s);
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
	sqlite3_stmt *s;
	int64_t *v = NULL, *nv;
	size_t cnt = 0;
	int rc, ret = -1;

	*ids = NULL;
	*n = 0;
	pthread_mutex_lock(&st->mu);
	if ((s = store_prep(st, sql)) == NULL)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((nv = realloc(v, (cnt + 1) * sizeof(*v))) == NULL) {
			sqlite3_finalize(s);
			goto out;
		}
		v = nv;
		v[cnt++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
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