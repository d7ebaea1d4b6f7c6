/* store_db_sqlite.c — the store on SQLite (store_db_int.h): the embedded
 * default, one file state_dir/poolboot.db.
 *
 * Durability beats speed: WAL with synchronous=FULL, so a commit that
 * returned is on disk. The frequent, replayable records (an event
 * appended) may be committed with synchronous=NORMAL (sync_light): in WAL
 * mode they survive a crash of the process, only a power loss can undo
 * the last few, until the next FULL commit syncs them. The database, its
 * WAL and shm files are the owner's alone (0600).
 */
#include "store_db_int.h"
#include "store_db.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "log.h"
#include "util.h"

struct store_db_sqlite {
	struct store_conn c;	/* first: a struct store_conn * is one */
	sqlite3	*db;
};

#define SQ(c)	(((struct store_db_sqlite *)(void *)(c))->db)

static const char *
store_db_sqlite_errmsg(struct store_conn *c)
{
	return sqlite3_errmsg(SQ(c));
}

static void
store_db_sqlite_close(struct store_conn *c)
{
	if (c == NULL)
		return;
	if (SQ(c) != NULL && sqlite3_close(SQ(c)) != SQLITE_OK)
		log_error("store", "close: %s", sqlite3_errmsg(SQ(c)));
	free(c);
}

static int
store_db_sqlite_exec(struct store_conn *c, const char *sql)
{
	return sqlite3_exec(SQ(c), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 :
	    -1;
}

static int
store_db_sqlite_in_txn(struct store_conn *c)
{
	return !sqlite3_get_autocommit(SQ(c));
}

static int
store_db_sqlite_changes(struct store_conn *c)
{
	return sqlite3_changes(SQ(c));
}

static void *
store_db_sqlite_prep(struct store_conn *c, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v3(SQ(c), sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
	    NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

static void
store_db_sqlite_finalize(void *h)
{
	sqlite3_finalize(h);
}

static void
store_db_sqlite_reset(void *h)
{
	sqlite3_reset(h);
	sqlite3_clear_bindings(h);
}

static int
store_db_sqlite_step(void *h)
{
	/* extended result codes are on: SQLITE_CONSTRAINT_UNIQUE & 0xff */
	switch (sqlite3_step(h) & 0xff) {
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

static void
store_db_sqlite_bind_text(void *h, int i, const char *v)
{
	sqlite3_bind_text(h, i, v, -1, SQLITE_TRANSIENT);
}

static void
store_db_sqlite_bind_int64(void *h, int i, int64_t v)
{
	sqlite3_bind_int64(h, i, v);
}

static const char *
store_db_sqlite_col_text(void *h, int i)
{
	const unsigned char *t = sqlite3_column_text(h, i);

	return t != NULL ? (const char *)t : "";
}

static int64_t
store_db_sqlite_col_int64(void *h, int i)
{
	return sqlite3_column_int64(h, i);
}

/* The version lives in PRAGMA user_version; BEGIN IMMEDIATE (the
 * caller's) is the lock. */
static int
store_db_sqlite_version_get(struct store_conn *c, int lock, int *ver)
{
	sqlite3_stmt *s = NULL;
	int ret = -1;

	(void)lock;
	if (sqlite3_prepare_v2(SQ(c), "PRAGMA user_version", -1, &s,
	    NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW) {
		*ver = sqlite3_column_int(s, 0);
		ret = 0;
	}
	sqlite3_finalize(s);
	return ret;
}

static int
store_db_sqlite_version_set(struct store_conn *c, int ver)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", ver);
	return store_db_sqlite_exec(c, sql);
}

static void
store_db_sqlite_sync_light(struct store_conn *c, int light)
{
	(void)store_db_sqlite_exec(c, light ? "PRAGMA synchronous = NORMAL" :
	    "PRAGMA synchronous = FULL");
}

/* now_ms(): milliseconds since the epoch, as on PostgreSQL. */
static void
store_db_sqlite_now_ms(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	(void)argv;
	sqlite3_result_int64(ctx, util_now_ms());
}

static const struct store_db_ops store_db_sqlite_ops = {
	.name = "SQLite",
	.close = store_db_sqlite_close,
	.errmsg = store_db_sqlite_errmsg,
	.exec = store_db_sqlite_exec,
	.in_txn = store_db_sqlite_in_txn,
	.changes = store_db_sqlite_changes,
	.prep = store_db_sqlite_prep,
	.finalize = store_db_sqlite_finalize,
	.reset = store_db_sqlite_reset,
	.step = store_db_sqlite_step,
	.bind_text = store_db_sqlite_bind_text,
	.bind_int64 = store_db_sqlite_bind_int64,
	.col_text = store_db_sqlite_col_text,
	.col_int64 = store_db_sqlite_col_int64,
	.version_get = store_db_sqlite_version_get,
	.version_set = store_db_sqlite_version_set,
	.sync_light = store_db_sqlite_sync_light,
	.begin_sql = "BEGIN IMMEDIATE",
};

/* chmod 0600 of the database file db + suffix when it exists and is
 * looser. 0, or -1 (logged). */
static int
store_db_sqlite_private(const char *db, const char *suffix)
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

/* WAL mode and synchronous=FULL for a writer; the WAL and shm files
 * private. 0/-1 (logged). */
static int
store_db_sqlite_writer(sqlite3 *db, const char *path)
{
	sqlite3_stmt *s = NULL;
	const unsigned char *mode;
	int ret = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &s,
	    NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
		log_error("store", "journal_mode: %s", sqlite3_errmsg(db));
		goto out;
	}
	mode = sqlite3_column_text(s, 0);
	if (mode == NULL || strcmp((const char *)mode, "wal") != 0) {
		log_error("store", "%s: cannot switch to WAL mode (journal_mode "
		    "is %s)", path, mode != NULL ? (const char *)mode : "?");
		goto out;
	}
	if (sqlite3_exec(db, "PRAGMA synchronous = FULL", NULL, NULL,
	    NULL) != SQLITE_OK) {
		log_error("store", "synchronous: %s", sqlite3_errmsg(db));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

int
store_db_sqlite_open(const char *path, int readonly, struct store_conn **out)
{
	struct store_db_sqlite *q;
	int flags = readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	*out = NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return -1;
	q->c.ops = &store_db_sqlite_ops;
	if (sqlite3_open_v2(path, &q->db, flags | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		log_error("store", "cannot open %s: %s", path,
		    q->db != NULL ? sqlite3_errmsg(q->db) : "out of memory");
		goto fail;
	}
	/* the database holds the run reports, events and token hashes:
	 * the owner's alone, the WAL and shm files too (SQLite gives them
	 * the database's mode; older ones may be looser) */
	if (!readonly && store_db_sqlite_private(path, "") == -1)
		goto fail;
	sqlite3_extended_result_codes(q->db, 1);
	if (sqlite3_busy_timeout(q->db, 5000) != SQLITE_OK ||
	    sqlite3_exec(q->db, "PRAGMA foreign_keys = ON", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_create_function(q->db, "now_ms", 0, SQLITE_UTF8, NULL,
	    store_db_sqlite_now_ms, NULL, NULL) != SQLITE_OK) {
		log_error("store", "%s: %s", path, sqlite3_errmsg(q->db));
		goto fail;
	}
	if (!readonly && (store_db_sqlite_writer(q->db, path) == -1 ||
	    store_db_sqlite_private(path, "-wal") == -1 ||
	    store_db_sqlite_private(path, "-shm") == -1))
		goto fail;
	*out = &q->c;
	return 0;
fail:
	store_db_sqlite_close(&q->c);
	return -1;
}
