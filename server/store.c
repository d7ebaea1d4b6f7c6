/* store.c — durable state in SQLite; see store.h.
 *
 * Durability beats speed here: WAL with synchronous=FULL, so a commit that
 * returned is on disk and a restart never forgets an arming, a result or a
 * run step. The two frequent, replayable records — an answerfile fetch
 * counted and an event appended — are committed with synchronous=NORMAL
 * (sync_light): in WAL mode they still survive a crash of the process, and
 * only a power loss can undo the last few, until the next FULL commit
 * syncs them. Every statement is prepared with bound parameters; no SQL
 * text is ever built from a value. Changes that touch several rows run in
 * one BEGIN IMMEDIATE transaction.
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

#define STORE_SCHEMA_VERSION	3
#define STORE_EVENTS_DEFAULT	100
#define STORE_EVENTS_MAX	1000

static const char *const schema_sql =
	"CREATE TABLE hosts ("
	" name TEXT PRIMARY KEY NOT NULL,"
	" state TEXT NOT NULL,"
	" mode TEXT NOT NULL DEFAULT '',"
	" updated_at INTEGER NOT NULL);"
	"CREATE TABLE armings ("
	" id INTEGER PRIMARY KEY,"
	" host TEXT NOT NULL REFERENCES hosts(name),"
	" token_hash TEXT NOT NULL,"
	" mode TEXT NOT NULL,"
	" armed_at INTEGER NOT NULL,"
	" first_fetch_at INTEGER NOT NULL DEFAULT 0,"
	" last_fetch_at INTEGER NOT NULL DEFAULT 0,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
	" finished_at INTEGER NOT NULL DEFAULT 0,"
	" result TEXT NOT NULL DEFAULT '',"
	" reason TEXT NOT NULL DEFAULT '');"
	"CREATE UNIQUE INDEX armings_one_active ON armings(host) WHERE active = 1;"
	"CREATE INDEX armings_host_hash ON armings(host, token_hash);"
	"CREATE TABLE events ("
	" id INTEGER PRIMARY KEY,"
	" ts INTEGER NOT NULL,"
	" host TEXT NOT NULL DEFAULT '',"
	" pool TEXT NOT NULL DEFAULT '',"
	" kind TEXT NOT NULL,"
	" message TEXT NOT NULL);"
	"CREATE INDEX events_host_id ON events(host, id);"
	"CREATE INDEX events_ts ON events(ts);";

/* Version 2: rolling-upgrade runs. Applied on top of version 1. */
static const char *const schema_v2_sql =
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY,"
	" pool TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" target_version TEXT NOT NULL DEFAULT '',"
	" target_build TEXT NOT NULL DEFAULT '',"
	" disable_ha INTEGER NOT NULL DEFAULT 0,"
	" ha_disabled_by_us INTEGER NOT NULL DEFAULT 0,"
	" wlb_disabled_by_us INTEGER NOT NULL DEFAULT 0,"
	" ha_srs TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" finished_at INTEGER NOT NULL DEFAULT 0,"
	" error TEXT NOT NULL DEFAULT '',"
	" dump_path TEXT NOT NULL DEFAULT '',"
	" report TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX runs_pool ON runs(pool, id);"
	"CREATE TABLE run_hosts ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" host TEXT NOT NULL,"
	" ord INTEGER NOT NULL,"
	" is_master INTEGER NOT NULL,"
	" step TEXT NOT NULL,"
	" old_version TEXT NOT NULL DEFAULT '',"
	" new_version TEXT NOT NULL DEFAULT '',"
	" boot_time_before TEXT NOT NULL DEFAULT '',"
	" step_started_at INTEGER NOT NULL DEFAULT 0,"
	" started_at INTEGER NOT NULL DEFAULT 0,"
	" finished_at INTEGER NOT NULL DEFAULT 0,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" error TEXT NOT NULL DEFAULT '',"
	" step_ms TEXT NOT NULL DEFAULT '',"
	" PRIMARY KEY (run_id, host));"
	"PRAGMA user_version = 2;";

/* Version 3: rebuild/install jobs, and why an arming was made. */
static const char *const schema_v3_sql =
	"ALTER TABLE armings ADD COLUMN purpose TEXT NOT NULL DEFAULT '';"
	"CREATE TABLE jobs ("
	" id INTEGER PRIMARY KEY,"
	" host TEXT NOT NULL,"
	" kind TEXT NOT NULL,"
	" pool TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL,"
	" step TEXT NOT NULL,"
	" old_ref TEXT NOT NULL DEFAULT '',"
	" created_at INTEGER NOT NULL,"
	" updated_at INTEGER NOT NULL,"
	" step_started_at INTEGER NOT NULL DEFAULT 0,"
	" finished_at INTEGER NOT NULL DEFAULT 0,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" error TEXT NOT NULL DEFAULT '',"
	" message TEXT NOT NULL DEFAULT '',"
	" step_ms TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX jobs_host ON jobs(host, id);"
	"PRAGMA user_version = 3;";

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

static const char *const stmt_sql[S_COUNT] = {
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

struct store {
	sqlite3		*db;
	pthread_mutex_t	 mu;
	int		 readonly;
	sqlite3_stmt	*stmt[S_COUNT];
};

static const char *const state_names[HOST_STATE_COUNT] = {
	[HOST_IDLE] = "idle",
	[HOST_ARMED] = "armed",
	[HOST_INSTALLING] = "installing",
	[HOST_DONE] = "done",
	[HOST_FAILED] = "failed",
};

const char *
store_state_name(enum host_state s)
{
	if ((int)s < 0 || s >= HOST_STATE_COUNT)
		return "unknown";
	return state_names[s];
}

static int
state_parse(const char *s, enum host_state *out)
{
	int i;

	for (i = 0; i < HOST_STATE_COUNT; i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum host_state)i;
			return 0;
		}
	}
	return -1;
}

static void
dberr(struct store *st, const char *what)
{
	log_error("store", "%s: %s", what, sqlite3_errmsg(st->db));
}

/* The cached statement id, reset and with its bindings cleared; NULL on
 * error (logged). Caller holds st->mu. */
static sqlite3_stmt *
stmt_get(struct store *st, enum stmt_id id)
{
	sqlite3_stmt *s = st->stmt[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
			dberr(st, "prepare");
			return NULL;
		}
		st->stmt[id] = s;
		return s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* Binds a text parameter; NULL becomes the empty string. */
static int
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return sqlite3_bind_text(s, i, v != NULL ? v : "", -1, SQLITE_TRANSIENT);
}

static void
col_text(sqlite3_stmt *s, int i, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	snprintf(buf, size, "%s", t != NULL ? (const char *)t : "");
}

/* Runs a statement that returns no rows to completion. */
static int
step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		dberr(st, what);
		return -1;
	}
	return 0;
}

static int
exec_sql(struct store *st, const char *sql, const char *what)
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

static int
tx_begin(struct store *st)
{
	return exec_sql(st, "BEGIN IMMEDIATE", "begin transaction");
}

static int
tx_commit(struct store *st)
{
	return exec_sql(st, "COMMIT", "commit");
}

static void
tx_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)exec_sql(st, "ROLLBACK", "rollback");
}

/* Frequent, replayable records (an answerfile fetch counted, an event)
 * are committed without waiting for the disk: in WAL mode a commit with
 * synchronous=NORMAL survives a crash of the process and keeps the
 * database consistent; only a power loss can undo it, and the next
 * synchronous=FULL commit (arm, result, run step) makes it durable too. */
static void
sync_light(struct store *st, int light)
{
	(void)exec_sql(st, light ? "PRAGMA synchronous = NORMAL" :
	    "PRAGMA synchronous = FULL", "synchronous");
}

static int
pragma_int(struct store *st, const char *sql, int *out)
{
	sqlite3_stmt *s = NULL;
	int ret = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		dberr(st, sql);
		goto out;
	}
	if (sqlite3_step(s) != SQLITE_ROW) {
		dberr(st, sql);
		goto out;
	}
	*out = sqlite3_column_int(s, 0);
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

/* Creates the schema in one transaction unless it is there already. */
static int
schema_init(struct store *st)
{
	int ver = 0, ret = -1;

	if (tx_begin(st) == -1)
		return -1;
	/* read inside the write lock: two starting processes cannot both
	 * create the tables */
	if (pragma_int(st, "PRAGMA user_version", &ver) == -1)
		goto out;
	if (ver > STORE_SCHEMA_VERSION) {
		log_error("store", "database schema version %d is newer than "
		    "this poolboot knows (%d)", ver, STORE_SCHEMA_VERSION);
		goto out;
	}
	/* each step brings the schema one version further, in this
	 * transaction: a database of any older version is upgraded */
	if ((ver < 1 && exec_sql(st, schema_sql, "create schema") == -1) ||
	    (ver < 2 && exec_sql(st, schema_v2_sql, "schema v2") == -1) ||
	    (ver < 3 && exec_sql(st, schema_v3_sql, "schema v3") == -1))
		goto out;
	if (ver < STORE_SCHEMA_VERSION)
		log_info("store", "database schema %s version %d%s",
		    ver == 0 ? "created at" : "upgraded to", STORE_SCHEMA_VERSION,
		    ver == 0 ? "" : " (from an older poolboot)");
	if (tx_commit(st) == -1)
		goto out;
	ret = 0;
out:
	if (ret == -1)
		tx_rollback(st);
	return ret;
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
	if (pthread_mutex_init(&st->mu, NULL) != 0) {
		free(st);
		return -1;
	}
	st->readonly = readonly;
	flags = readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		log_error("store", "cannot open %s: %s", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(st->db, 1);
	if (sqlite3_busy_timeout(st->db, 5000) != SQLITE_OK ||
	    exec_sql(st, "PRAGMA foreign_keys = ON", "foreign_keys") == -1)
		goto out;
	if (readonly) {
		if (pragma_int(st, "PRAGMA user_version", &ver) == -1)
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
			dberr(st, "journal_mode");
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
		if (exec_sql(st, "PRAGMA synchronous = FULL",
		    "synchronous") == -1 || schema_init(st) == -1)
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
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_error("store", "close: %s", sqlite3_errmsg(st->db));
	pthread_mutex_destroy(&st->mu);
	free(st);
}

/* Sets the state of host's row (which must exist). Caller holds st->mu,
 * inside the transaction of the change that causes it. */
static int
host_set_state(struct store *st, const char *host, enum host_state state,
    int64_t now)
{
	sqlite3_stmt *s;

	if ((s = stmt_get(st, S_HOST_SET_STATE)) == NULL)
		return -1;
	bind_text(s, 1, host);
	bind_text(s, 2, state_names[state]);
	sqlite3_bind_int64(s, 3, now);
	return step_done(st, s, "update host state");
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
	if (tx_begin(st) == -1)
		goto out;
	/* the host row first: armings.host references it */
	if ((s = stmt_get(st, S_HOST_UPSERT)) == NULL)
		goto out;
	bind_text(s, 1, host);
	bind_text(s, 2, state_names[HOST_ARMED]);
	bind_text(s, 3, config_mode_name(mode));
	sqlite3_bind_int64(s, 4, now);
	if (step_done(st, s, "arm: host row") == -1)
		goto out;
	if ((s = stmt_get(st, S_RETIRE_ACTIVE)) == NULL)
		goto out;
	bind_text(s, 1, host);
	sqlite3_bind_int64(s, 2, now);
	if (step_done(st, s, "arm: retire previous arming") == -1)
		goto out;
	if ((s = stmt_get(st, S_ARMING_INSERT)) == NULL)
		goto out;
	bind_text(s, 1, host);
	bind_text(s, 2, token_hash);
	bind_text(s, 3, config_mode_name(mode));
	sqlite3_bind_int64(s, 4, now);
	bind_text(s, 5, purpose);
	if (step_done(st, s, "arm: insert arming") == -1)
		goto out;
	id = sqlite3_last_insert_rowid(st->db);
	if (tx_commit(st) == -1)
		goto out;
	if (id_out != NULL)
		*id_out = id;
	ret = 0;
out:
	if (ret == -1)
		tx_rollback(st);
	pthread_mutex_unlock(&st->mu);
	return ret;
}

/* Reads one armings row (ARMING_COLS order). */
static int
read_arming(sqlite3_stmt *s, struct arming *a)
{
	char mode[16];

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	col_text(s, 1, a->host, sizeof(a->host));
	col_text(s, 2, a->token_hash, sizeof(a->token_hash));
	col_text(s, 3, mode, sizeof(mode));
	a->armed_at = sqlite3_column_int64(s, 4);
	a->first_fetch_at = sqlite3_column_int64(s, 5);
	a->last_fetch_at = sqlite3_column_int64(s, 6);
	a->attempts = sqlite3_column_int(s, 7);
	a->active = sqlite3_column_int(s, 8);
	a->finished_at = sqlite3_column_int64(s, 9);
	col_text(s, 10, a->result, sizeof(a->result));
	col_text(s, 11, a->reason, sizeof(a->reason));
	col_text(s, 12, a->purpose, sizeof(a->purpose));
	if (config_mode_parse(mode, &a->mode) == -1) {
		log_error("store", "arming %lld has an unknown mode \"%s\"",
		    (long long)a->id, mode);
		return -1;
	}
	return 0;
}

/* Runs a SELECT of at most one arming: 0 found, 1 none, -1 error. */
static int
fetch_arming(struct store *st, sqlite3_stmt *s, struct arming *a,
    const char *what)
{
	int rc, ret;

	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ret = read_arming(s, a);
	else if (rc == SQLITE_DONE)
		ret = 1;
	else {
		dberr(st, what);
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

	pthread_mutex_lock(&st->mu);
	if ((s = stmt_get(st, S_ARMING_ACTIVE)) == NULL)
		goto out;
	bind_text(s, 1, host);
	ret = fetch_arming(st, s, a, "active arming");
out:
	pthread_mutex_unlock(&st->mu);
	return ret;
}

int
store_arming_by_hash(struct store *st, const char *host,
    const char *token_hash, struct arming *a)
{
	sqlite3_stmt *s;
	int ret = -1;

	pthread_mutex_lock(&st->mu);
	if ((s = stmt_get(st, S_ARMING_BY_HASH)) == NULL)
		goto out;
	bind_text(s, 1, host);
	bind_text(s, 2, token_hash);
	ret = fetch_arming(st, s, a, "arming by token");
out:
	pthread_mutex_unlock(&st->mu);
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
	sync_light(st, 1);
	if (tx_begin(st) == -1)
		goto out;
	if ((s = stmt_get(st, S_ARMING_FETCHED)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			log_error("store", "arming %lld is not active",
			    (long long)id);
		else
			dberr(st, "count fetch");
		sqlite3_reset(s);
		goto out;
	}
	attempts = sqlite3_column_int(s, 0);
	col_text(s, 1, host, sizeof(host));
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		dberr(st, "count fetch");
		goto out;
	}
	if (host_set_state(st, host, HOST_INSTALLING, now) == -1 ||
	    tx_commit(st) == -1)
		goto out;
	if (attempts_out != NULL)
		*attempts_out = attempts;
	ret = 0;
out:
	if (ret == -1)
		tx_rollback(st);
	sync_light(st, 0);
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
	if (tx_begin(st) == -1)
		goto out;
	if ((s = stmt_get(st, S_ARMING_FINISH)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	bind_text(s, 3, result);
	bind_text(s, 4, reason);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			log_error("store", "arming %lld is not active",
			    (long long)id);
		else
			dberr(st, "finish arming");
		sqlite3_reset(s);
		goto out;
	}
	col_text(s, 0, host, sizeof(host));
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		dberr(st, "finish arming");
		goto out;
	}
	if (host_set_state(st, host, state, now) == -1 || tx_commit(st) == -1)
		goto out;
	ret = 0;
out:
	if (ret == -1)
		tx_rollback(st);
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
	if ((s = stmt_get(st, S_HOST_GET)) == NULL)
		goto out;
	bind_text(s, 1, host);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		col_text(s, 0, state, sizeof(state));
		col_text(s, 1, out->mode, sizeof(out->mode));
		out->updated_at = sqlite3_column_int64(s, 2);
		if (state_parse(state, &out->state) == -1) {
			log_error("store", "host %s has an unknown state \"%s\"",
			    host, state);
			sqlite3_reset(s);
			goto out;
		}
	} else if (rc != SQLITE_DONE) {
		dberr(st, "host status");
		sqlite3_reset(s);
		goto out;
	}
	sqlite3_reset(s);
	if ((s = stmt_get(st, S_EVENT_LAST)) == NULL)
		goto out;
	bind_text(s, 1, host);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(out->last_event, sizeof(out->last_event), "%s: %s",
		    (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1));
		out->last_event_at = sqlite3_column_int64(s, 2);
	} else if (rc != SQLITE_DONE) {
		dberr(st, "host last event");
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
	sync_light(st, 1);
	if ((s = stmt_get(st, S_EVENT_INSERT)) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, util_now());
	bind_text(s, 2, host);
	bind_text(s, 3, pool);
	bind_text(s, 4, kind);
	bind_text(s, 5, msg);
	ret = step_done(st, s, "insert event");
out:
	sync_light(st, 0);
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
		dberr(st, "events query");
		goto out;
	}
	if (q->host != NULL)
		bind_text(s, 1, q->host);
	if (q->pool != NULL)
		bind_text(s, 2, q->pool);
	if (q->since > 0)
		sqlite3_bind_int64(s, 3, q->since);
	if (q->before_id > 0)
		sqlite3_bind_int64(s, 4, q->before_id);
	sqlite3_bind_int(s, 5, limit);
	while (n < (size_t)limit && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct event *ev = &evs[n++];

		ev->id = sqlite3_column_int64(s, 0);
		ev->ts = sqlite3_column_int64(s, 1);
		col_text(s, 2, ev->host, sizeof(ev->host));
		col_text(s, 3, ev->pool, sizeof(ev->pool));
		col_text(s, 4, ev->kind, sizeof(ev->kind));
		col_text(s, 5, ev->message, sizeof(ev->message));
	}
	if (n < (size_t)limit && rc != SQLITE_DONE) {
		dberr(st, "events query");
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

/* ---- runs ---------------------------------------------------------------- */

#define RUN_COLS "id, pool, state, target_version, target_build, disable_ha," \
	" ha_disabled_by_us, wlb_disabled_by_us, ha_srs, created_at, updated_at," \
	" finished_at, error, dump_path, report"
#define RUN_HOST_COLS "run_id, host, ord, is_master, step, old_version," \
	" new_version, boot_time_before, step_started_at, started_at," \
	" finished_at, attempts, error, step_ms"

static void
read_run(sqlite3_stmt *s, struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	col_text(s, 1, r->pool, sizeof(r->pool));
	col_text(s, 2, r->state, sizeof(r->state));
	col_text(s, 3, r->target_version, sizeof(r->target_version));
	col_text(s, 4, r->target_build, sizeof(r->target_build));
	r->disable_ha = sqlite3_column_int(s, 5);
	r->ha_disabled_by_us = sqlite3_column_int(s, 6);
	r->wlb_disabled_by_us = sqlite3_column_int(s, 7);
	col_text(s, 8, r->ha_srs, sizeof(r->ha_srs));
	r->created_at = sqlite3_column_int64(s, 9);
	r->updated_at = sqlite3_column_int64(s, 10);
	r->finished_at = sqlite3_column_int64(s, 11);
	col_text(s, 12, r->error, sizeof(r->error));
	col_text(s, 13, r->dump_path, sizeof(r->dump_path));
	col_text(s, 14, r->report, sizeof(r->report));
}

static void
read_run_host(sqlite3_stmt *s, struct run_host *h)
{
	memset(h, 0, sizeof(*h));
	h->run_id = sqlite3_column_int64(s, 0);
	col_text(s, 1, h->host, sizeof(h->host));
	h->ord = sqlite3_column_int(s, 2);
	h->is_master = sqlite3_column_int(s, 3);
	col_text(s, 4, h->step, sizeof(h->step));
	col_text(s, 5, h->old_version, sizeof(h->old_version));
	col_text(s, 6, h->new_version, sizeof(h->new_version));
	col_text(s, 7, h->boot_time_before, sizeof(h->boot_time_before));
	h->step_started_at = sqlite3_column_int64(s, 8);
	h->started_at = sqlite3_column_int64(s, 9);
	h->finished_at = sqlite3_column_int64(s, 10);
	h->attempts = sqlite3_column_int(s, 11);
	col_text(s, 12, h->error, sizeof(h->error));
	col_text(s, 13, h->step_ms, sizeof(h->step_ms));
}

/* Binds every run_host column in RUN_HOST_COLS order as ?1..?14. */
static void
bind_run_host(sqlite3_stmt *s, const struct run_host *h)
{
	sqlite3_bind_int64(s, 1, h->run_id);
	bind_text(s, 2, h->host);
	sqlite3_bind_int(s, 3, h->ord);
	sqlite3_bind_int(s, 4, h->is_master);
	bind_text(s, 5, h->step);
	bind_text(s, 6, h->old_version);
	bind_text(s, 7, h->new_version);
	bind_text(s, 8, h->boot_time_before);
	sqlite3_bind_int64(s, 9, h->step_started_at);
	sqlite3_bind_int64(s, 10, h->started_at);
	sqlite3_bind_int64(s, 11, h->finished_at);
	sqlite3_bind_int(s, 12, h->attempts);
	bind_text(s, 13, h->error);
	bind_text(s, 14, h->step_ms);
}

/* Binds every run column but id as ?2..?15 (?1 = id where used). */
static void
bind_run(sqlite3_stmt *s, const struct run *r)
{
	bind_text(s, 2, r->pool);
	bind_text(s, 3, r->state);
	bind_text(s, 4, r->target_version);
	bind_text(s, 5, r->target_build);
	sqlite3_bind_int(s, 6, r->disable_ha);
	sqlite3_bind_int(s, 7, r->ha_disabled_by_us);
	sqlite3_bind_int(s, 8, r->wlb_disabled_by_us);
	bind_text(s, 9, r->ha_srs);
	sqlite3_bind_int64(s, 10, r->created_at);
	sqlite3_bind_int64(s, 11, r->updated_at);
	sqlite3_bind_int64(s, 12, r->finished_at);
	bind_text(s, 13, r->error);
	bind_text(s, 14, r->dump_path);
	bind_text(s, 15, r->report);
}

/* Prepares sql; NULL on error (logged). Caller holds st->mu. */
static sqlite3_stmt *
prep(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		dberr(st, "prepare");
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

int
store_run_create(struct store *st, const struct run *r,
    const struct run_host *hosts, size_t nhosts, int64_t *id_out)
{
	sqlite3_stmt *s = NULL;
	struct run_host h;
	int64_t id;
	size_t i;
	int ret = -1;

	pthread_mutex_lock(&st->mu);
	if (tx_begin(st) == -1)
		goto out;
	if ((s = prep(st, "INSERT INTO runs(" RUN_COLS ") VALUES (NULL, ?2,"
	    " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)")) ==
	    NULL)
		goto out;
	bind_run(s, r);
	if (sqlite3_step(s) != SQLITE_DONE) {
		dberr(st, "insert run");
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	id = sqlite3_last_insert_rowid(st->db);
	if ((s = prep(st, "INSERT INTO run_hosts(" RUN_HOST_COLS ") VALUES"
	    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")) ==
	    NULL)
		goto out;
	for (i = 0; i < nhosts; i++) {
		h = hosts[i];
		h.run_id = id;
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		bind_run_host(s, &h);
		if (sqlite3_step(s) != SQLITE_DONE) {
			dberr(st, "insert run host");
			goto out;
		}
	}
	sqlite3_finalize(s);
	s = NULL;
	if (tx_commit(st) == -1)
		goto out;
	if (id_out != NULL)
		*id_out = id;
	ret = 0;
out:
	sqlite3_finalize(s);
	if (ret == -1)
		tx_rollback(st);
	pthread_mutex_unlock(&st->mu);
	return ret;
}

/* One run by a query with one bound parameter: 0 found, 1 none, -1. */
static int
run_query(struct store *st, const char *sql, const char *text, int64_t num,
    struct run *out)
{
	sqlite3_stmt *s;
	int rc, ret = -1;

	pthread_mutex_lock(&st->mu);
	if ((s = prep(st, sql)) == NULL)
		goto out;
	if (text != NULL)
		bind_text(s, 1, text);
	else
		sqlite3_bind_int64(s, 1, num);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		read_run(s, out);
		ret = 0;
	} else if (rc == SQLITE_DONE)
		ret = 1;
	else
		dberr(st, "run query");
	sqlite3_finalize(s);
out:
	pthread_mutex_unlock(&st->mu);
	return ret;
}

int
store_run_latest(struct store *st, const char *pool, struct run *out)
{
	return run_query(st, "SELECT " RUN_COLS " FROM runs WHERE pool = ?1"
	    " ORDER BY id DESC LIMIT 1", pool, 0, out);
}

int
store_run_get(struct store *st, int64_t id, struct run *out)
{
	int rc = run_query(st, "SELECT " RUN_COLS " FROM runs WHERE id = ?1",
	    NULL, id, out);

	return rc == 0 ? 0 : -1;
}

/* The ids a one-column SELECT returns, malloc'd into *ids. */
static int
ids_query(struct store *st, const char *sql, int64_t **ids, size_t *n)
{
	sqlite3_stmt *s;
	int64_t *v = NULL, *nv;
	size_t cnt = 0;
	int rc, ret = -1;

	*ids = NULL;
	*n = 0;
	pthread_mutex_lock(&st->mu);
	if ((s = prep(st, sql)) == NULL)
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
		dberr(st, sql);
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
	return ids_query(st, "SELECT id FROM runs WHERE state = 'running'"
	    " ORDER BY id", ids, n);
}

int
store_run_update(struct store *st, const struct run *r)
{
	sqlite3_stmt *s;
	int ret = -1;

	pthread_mutex_lock(&st->mu);
	if ((s = prep(st, "UPDATE runs SET pool = ?2, state = ?3,"
	    " target_version = ?4, target_build = ?5, disable_ha = ?6,"
	    " ha_disabled_by_us = ?7, wlb_disabled_by_us = ?8, ha_srs = ?9,"
	    " created_at = ?10, updated_at = ?11, finished_at = ?12, error = ?13,"
	    " dump_path = ?14, report = ?15 WHERE id = ?1")) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, r->id);
	bind_run(s, r);
	if (sqlite3_step(s) != SQLITE_DONE)
		dberr(st, "update run");
	else
		ret = 0;
	sqlite3_finalize(s);
out:
	pthread_mutex_unlock(&st->mu);
	return ret;
}

int
store_run_hosts(struct store *st, int64_t run_id, struct run_host **out,
    size_t *n)
{
	struct run_host *v = NULL, *nv;
	sqlite3_stmt *s;
	size_t cnt = 0;
	int rc, ret = -1;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&st->mu);
	if ((s = prep(st, "SELECT " RUN_HOST_COLS " FROM run_hosts"
	    " WHERE run_id = ?1 ORDER BY ord")) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, run_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((nv = realloc(v, (cnt + 1) * sizeof(*v))) == NULL) {
			sqlite3_finalize(s);
			goto out;
		}
		v = nv;
		read_run_host(s, &v[cnt++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		dberr(st, "run hosts");
		goto out;
	}
	*out = v;
	*n = cnt;
	v = NULL;
	ret = 0;
out:
	free(v);
	pthread_mutex_unlock(&st->mu);
	return ret;
}

int
store_run_host_update(struct store *st, const struct run_host *h)
{
	sqlite3_stmt *s;
	int ret = -1;

	pthread_mutex_lock(&st->mu);
	if ((s = prep(st, "UPDATE run_hosts SET ord = ?3, is_master = ?4,"
	    " step = ?5, old_version = ?6, new_version = ?7,"
	    " boot_time_before = ?8, step_started_at = ?9, started_at = ?10,"
	    " finished_at = ?11, attempts = ?12, error = ?13, step_ms = ?14"
	    " WHERE run_id = ?1 AND host = ?2")) == NULL)
		goto out;
	bind_run_host(s, h);
	if (sqlite3_step(s) != SQLITE_DONE || sqlite3_changes(st->db) != 1)
		dberr(st, "update run host");
	else
		ret = 0;
	sqlite3_finalize(s);
out:
	pthread_mutex_unlock(&st->mu);
	return ret;
}

/* ---- jobs ------------------------------------------------------------------ */

#define JOB_COLS "id, host, kind, pool, state, step, old_ref, created_at," \
	" updated_at, step_started_at, finished_at, attempts, error, message," \
	" step_ms"

static void
read_job(sqlite3_stmt *s, struct job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = sqlite3_column_int64(s, 0);
	col_text(s, 1, j->host, sizeof(j->host));
	col_text(s, 2, j->kind, sizeof(j->kind));
	col_text(s, 3, j->pool, sizeof(j->pool));
	col_text(s, 4, j->state, sizeof(j->state));
	col_text(s, 5, j->step, sizeof(j->step));
	col_text(s, 6, j->old_ref, sizeof(j->old_ref));
	j->created_at = sqlite3_column_int64(s, 7);
	j->updated_at = sqlite3_column_int64(s, 8);
	j->step_started_at = sqlite3_column_int64(s, 9);
	j->finished_at = sqlite3_column_int64(s, 10);
	j->attempts = sqlite3_column_int(s, 11);
	col_text(s, 12, j->error, sizeof(j->error));
	col_text(s, 13, j->message, sizeof(j->message));
	col_text(s, 14, j->step_ms, sizeof(j->step_ms));
}

/* ?2..?15 in JOB_COLS order (?1 = id where used) */
static void
bind_job(sqlite3_stmt *s, const struct job *j)
{
	bind_text(s, 2, j->host);
	bind_text(s, 3, j->kind);
	bind_text(s, 4, j->pool);
	bind_text(s, 5, j->state);
	bind_text(s, 6, j->step);
	bind_text(s, 7, j->old_ref);
	sqlite3_bind_int64(s, 8, j->created_at);
	sqlite3_bind_int64(s, 9, j->updated_at);
	sqlite3_bind_int64(s, 10, j->step_started_at);
	sqlite3_bind_int64(s, 11, j->finished_at);
	sqlite3_bind_int(s, 12, j->attempts);
	bind_text(s, 13, j->error);
	bind_text(s, 14, j->message);
	bind_text(s, 15, j->step_ms);
}

int
store_job_create(struct store *st, struct job *j)
{
	sqlite3_stmt *s;
	int ret = -1;

	pthread_mutex_lock(&st->mu);
	if ((s = prep(st, "INSERT INTO jobs(" JOB_COLS ") VALUES (NULL, ?2, ?3,"
	    " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)")) == NULL)
		goto out;
	bind_job(s, j);
	if (sqlite3_step(s) != SQLITE_DONE)
		dberr(st, "insert job");
	else {
		j->id = sqlite3_last_insert_rowid(st->db);
		ret = 0;
	}
	sqlite3_finalize(s);
out:
	pthread_mutex_unlock(&st->mu);
	return ret;
}

int
store_job_update(struct store *st, const struct job *j)
{
	sqlite3_stmt *s;
	int ret = -1;

	pthread_mutex_lock(&st->mu);
	if ((s = prep(st, "UPDATE jobs SET host = ?2, kind = ?3, pool = ?4,"
	    " state = ?5, step = ?6, old_ref = ?7, created_at = ?8,"
	    " updated_at = ?9, step_started_at = ?10, finished_at = ?11,"
	    " attempts = ?12, error = ?13, message = ?14, step_ms = ?15"
	    " WHERE id = ?1")) == NULL)
		goto out;
	sqlite3_bind_int64(s, 1, j->id);
	bind_job(s, j);
	if (sqlite3_step(s) != SQLITE_DONE || sqlite3_changes(st->db) != 1)
		dberr(st, "update job");
	else
		ret = 0;
	sqlite3_finalize(s);
out:
	pthread_mutex_unlock(&st->mu);
	return ret;
}

/* Jobs by a query with at most one text or number parameter. */
static int
job_query(struct store *st, const char *sql, const char *text, int64_t num,
    int max, struct job **out, size_t *n)
{
	struct job *v = NULL, *nv;
	sqlite3_stmt *s;
	size_t cnt = 0;
	int rc, ret = -1;

	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&st->mu);
	if ((s = prep(st, sql)) == NULL)
		goto out;
	if (text != NULL)
		bind_text(s, 1, text);
	else if (num != 0)
		sqlite3_bind_int64(s, 1, num);
	while ((int)cnt < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((nv = realloc(v, (cnt + 1) * sizeof(*v))) == NULL) {
			sqlite3_finalize(s);
			goto out;
		}
		v = nv;
		read_job(s, &v[cnt++]);
	}
	if ((int)cnt < max && rc != SQLITE_DONE) {
		dberr(st, "jobs query");
		sqlite3_finalize(s);
		goto out;
	}
	sqlite3_finalize(s);
	*out = v;
	*n = cnt;
	v = NULL;
	ret = 0;
out:
	free(v);
	pthread_mutex_unlock(&st->mu);
	return ret;
}

int
store_job_get(struct store *st, int64_t id, struct job *out)
{
	struct job *v;
	size_t n;

	if (job_query(st, "SELECT " JOB_COLS " FROM jobs WHERE id = ?1", NULL,
	    id, 1, &v, &n) == -1)
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

	if (job_query(st, "SELECT " JOB_COLS " FROM jobs WHERE host = ?1"
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
store_jobs(struct store *st, int max, struct job **out, size_t *n)
{
	return job_query(st, "SELECT " JOB_COLS " FROM jobs ORDER BY id DESC",
	    NULL, 0, max, out, n);
}

int
store_jobs_running(struct store *st, int64_t **ids, size_t *n)
{
	return ids_query(st, "SELECT id FROM jobs WHERE state = 'running'"
	    " ORDER BY id", ids, n);
}
