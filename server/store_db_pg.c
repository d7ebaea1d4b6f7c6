/* store_db_pg.c — the store on PostgreSQL through libpq (store_db_int.h):
 * one database shared by several poolboot instances ([store] backend =
 * postgres, docs/scale-out.md).
 *
 * Values travel as text, with the statement's ?N parameters numbered $1..
 * here, so the store's SQL stays one text for both engines. A commit is
 * durable when COMMIT returns (synchronous_commit is raised to on when a
 * session would start with it off). The connection string comes from the
 * operator's conninfo_file, TLS settings (sslmode, sslrootcert, ...)
 * included; it is never logged, since it may hold a password.
 *
 * Losing the database: a statement on a broken connection fails, and the
 * next one (at most once a second) reconnects. The first failure logs
 * "lost the database", the reconnection "the database is back"; callers
 * see an error in between and act on nothing (store.h).
 */
#include "store_db_int.h"
#include "store_db.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "log.h"
#include "util.h"

#define STORE_PG_MAXPARAM	40
#define STORE_PG_RETRY_MS	1000
/* the advisory lock two instances take to migrate one after the other */
#define STORE_PG_SCHEMA_LOCK	"7274889"

struct store_db_pg {
	struct store_conn c;	/* first: a struct store_conn * is one */
	PGconn	*pg;
	int	 readonly;
	int	 lost;		/* the connection broke; not yet back */
	int64_t	 last_try;	/* ms of the last reconnection attempt */
	int	 changes;
	int	 light;		/* synchronous_commit is off (sync_light) */
	char	 durable[32];	/* the session's synchronous_commit */
	char	 err[512];
};

struct store_db_pg_stmt {
	struct store_db_pg *q;
	char	*sql;			/* $N numbered */
	int	 map[STORE_PG_MAXPARAM + 1];	/* ?N -> $M (0: unused) */
	int	 np;
	char	*vals[STORE_PG_MAXPARAM];
	PGresult *res;
	int	 row;
	int	 started;
};

#define PGC(c)	((struct store_db_pg *)(void *)(c))

/* libpq's message on one line: its lines ("...: Connection refused\n\tIs
 * the server running ...?\n") joined with "; ", other white space one
 * blank, none at either end (a log line is one line). */
static void
store_db_pg_seterr(struct store_db_pg *q, const char *msg)
{
	size_t o = 0;
	int nl = 0, sp = 0;

	for (msg = msg != NULL ? msg : ""; *msg != '\0' &&
	    o + 3 < sizeof(q->err); msg++) {
		if (isspace((unsigned char)*msg)) {
			nl |= *msg == '\n';
			sp = 1;
			continue;
		}
		if (sp && o > 0) {
			if (nl)
				q->err[o++] = ';';
			q->err[o++] = ' ';
		}
		nl = sp = 0;
		q->err[o++] = *msg;
	}
	q->err[o] = '\0';
}

static const char *
store_db_pg_errmsg(struct store_conn *c)
{
	return PGC(c)->err[0] != '\0' ? PGC(c)->err : "unknown error";
}

/* libpq's notices ("... already exists, skipping") are not for stderr */
static void
store_db_pg_notice(void *arg, const char *msg)
{
	(void)arg;
	log_debug("store", "PostgreSQL: %s", msg);
}

/* Runs sql without parameters; 0 when it succeeded. */
static int
store_db_pg_simple(struct store_db_pg *q, const char *sql)
{
	PGresult *r = PQexec(q->pg, sql);
	ExecStatusType t = PQresultStatus(r);
	int ret = 0;

	if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
		store_db_pg_seterr(q, PQerrorMessage(q->pg));
		ret = -1;
	}
	PQclear(r);
	return ret;
}

/* The session's settings, after every (re)connection. */
static int
store_db_pg_session(struct store_db_pg *q)
{
	PGresult *r;
	int off;

	PQsetNoticeProcessor(q->pg, store_db_pg_notice, NULL);
	if (store_db_pg_simple(q, "SET client_min_messages = warning") == -1 ||
	    (q->readonly && store_db_pg_simple(q,
	    "SET default_transaction_read_only = on") == -1))
		return -1;
	r = PQexec(q->pg, "SHOW synchronous_commit");
	snprintf(q->durable, sizeof(q->durable), "%s",
	    PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ?
	    PQgetvalue(r, 0, 0) : "on");
	PQclear(r);
	q->light = 0;
	/* only names of settings reach the SQL below (SHOW's own answer) */
	off = strcmp(q->durable, "off") == 0 ||
	    strspn(q->durable, "abcdefghijklmnopqrstuvwxyz_") !=
	    strlen(q->durable);
	if (off) {
		log_warn("store", "the PostgreSQL server has synchronous_commit "
		    "= %s; poolboot's sessions set it to on (a commit must be "
		    "on disk before poolboot acts on it)", q->durable);
		snprintf(q->durable, sizeof(q->durable), "on");
		return store_db_pg_simple(q, "SET synchronous_commit = on");
	}
	return 0;
}

/* 0 when the connection works, reconnecting a broken one (at most once
 * a second); -1 with the reason in q->err. */
static int
store_db_pg_alive(struct store_db_pg *q)
{
	int64_t now;

	if (PQstatus(q->pg) == CONNECTION_OK)
		return 0;
	if (!q->lost) {
		q->lost = 1;
		store_db_pg_seterr(q, PQerrorMessage(q->pg));
		log_error("store", "lost the database (PostgreSQL): %s; not "
		    "acting until it is back", q->err);
	}
	now = util_now_ms();
	if (q->last_try != 0 && now - q->last_try < STORE_PG_RETRY_MS) {
		store_db_pg_seterr(q, "the database is unreachable (lost the "
		    "connection to PostgreSQL)");
		return -1;
	}
	q->last_try = now;
	PQreset(q->pg);
	if (PQstatus(q->pg) != CONNECTION_OK ||
	    store_db_pg_session(q) == -1) {
		store_db_pg_seterr(q, PQerrorMessage(q->pg));
		return -1;
	}
	q->lost = 0;
	log_info("store", "the database is back (PostgreSQL %s, database %s)",
	    PQhost(q->pg), PQdb(q->pg));
	return 0;
}

/* The SQL rewritten for PostgreSQL, malloc'd: ?N and ? become $M (map
 * gets ?N -> $M, *np the count) and, with types, the schema's SQLite types
 * BIGINT and identity columns. Quoted text is left alone. NULL when out of
 * memory or with more than STORE_PG_MAXPARAM parameters. */
static char *
store_db_pg_sql(const char *in, int types, int *map, int *np)
{
	struct sbuf out = { .max = 1 << 20 };
	const char *p = in, *e;
	int next = 0, n, err = 0;

	if (np != NULL)
		*np = 0;
	while (*p != '\0' && !err) {
		if (*p == '\'') {
			e = p + 1;
			while (*e != '\0' && !(*e == '\'' && e[1] != '\''))
				e += *e == '\'' ? 2 : 1;
			if (*e == '\'')
				e++;
			err = sbuf_append(&out, p, (size_t)(e - p));
			p = e;
		} else if (*p == '?' && map != NULL) {
			n = isdigit((unsigned char)p[1]) ? atoi(p + 1) : ++next;
			for (p++; isdigit((unsigned char)*p); p++)
				;
			if (n < 1 || n > STORE_PG_MAXPARAM) {
				err = -1;
				break;
			}
			if (map[n] == 0)
				map[n] = ++*np;
			err = sbuf_printf(&out, "$%d", map[n]);
		} else if (types && strncmp(p, "INTEGER PRIMARY KEY", 19) == 0) {
			err = sbuf_puts(&out, "BIGINT GENERATED BY DEFAULT AS "
			    "IDENTITY PRIMARY KEY");
			p += 19;
		} else if (types && strncmp(p, "INTEGER", 7) == 0 &&
		    (p == in || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[7]) && p[7] != '_') {
			err = sbuf_puts(&out, "BIGINT");
			p += 7;
		} else {
			err = sbuf_append(&out, p, 1);
			p++;
		}
	}
	if (err) {
		sbuf_free(&out);
		return NULL;
	}
	return sbuf_take(&out);
}

static void
store_db_pg_close(struct store_conn *c)
{
	if (c == NULL)
		return;
	PQfinish(PGC(c)->pg);
	free(c);
}

/* 1 when a statement that just failed may run once more: the
 * connection broke (a restart of the database server shows only on the
 * first statement after it) outside a transaction, so nothing of a
 * transaction was lost, and it is back. */
static int
store_db_pg_again(struct store_db_pg *q, int was_idle)
{
	if (!was_idle || PQstatus(q->pg) != CONNECTION_BAD)
		return 0;
	q->last_try = 0;	/* the first reconnection at once */
	return store_db_pg_alive(q) == 0;
}

static int
store_db_pg_exec(struct store_conn *c, const char *sql)
{
	struct store_db_pg *q = PGC(c);
	char *t;
	int ret, idle;

	if (store_db_pg_alive(q) == -1)
		return -1;
	if ((t = store_db_pg_sql(sql, 1, NULL, NULL)) == NULL) {
		store_db_pg_seterr(q, "out of memory");
		return -1;
	}
	idle = PQtransactionStatus(q->pg) == PQTRANS_IDLE;
	if ((ret = store_db_pg_simple(q, t)) == -1 &&
	    store_db_pg_again(q, idle))
		ret = store_db_pg_simple(q, t);
	free(t);
	return ret;
}

static int
store_db_pg_in_txn(struct store_conn *c)
{
	PGTransactionStatusType t = PQtransactionStatus(PGC(c)->pg);

	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

static int
store_db_pg_changes(struct store_conn *c)
{
	return PGC(c)->changes;
}

static void *
store_db_pg_prep(struct store_conn *c, const char *sql)
{
	struct store_db_pg_stmt *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		store_db_pg_seterr(PGC(c), "out of memory");
		return NULL;
	}
	s->q = PGC(c);
	if ((s->sql = store_db_pg_sql(sql, 1, s->map, &s->np)) == NULL) {
		store_db_pg_seterr(PGC(c), "out of memory, or more than 40 "
		    "parameters");
		free(s);
		return NULL;
	}
	return s;
}

static void
store_db_pg_reset(void *h)
{
	struct store_db_pg_stmt *s = h;
	int i;

	for (i = 0; i < STORE_PG_MAXPARAM; i++) {
		free(s->vals[i]);
		s->vals[i] = NULL;
	}
	PQclear(s->res);
	s->res = NULL;
	s->row = 0;
	s->started = 0;
}

static void
store_db_pg_finalize(void *h)
{
	struct store_db_pg_stmt *s = h;

	if (s == NULL)
		return;
	store_db_pg_reset(s);
	free(s->sql);
	free(s);
}

/* Runs the statement: its first step. */
static enum store_db_step
store_db_pg_run(struct store_db_pg_stmt *s)
{
	const char *vals[STORE_PG_MAXPARAM];
	const char *state;
	ExecStatusType t;
	int i, idle;

	s->started = 1;
	if (store_db_pg_alive(s->q) == -1)
		return STORE_DB_ERROR;
	/* a value never bound is NULL, as on SQLite */
	for (i = 0; i < s->np; i++)
		vals[i] = s->vals[i];
	idle = PQtransactionStatus(s->q->pg) == PQTRANS_IDLE;
	s->res = PQexecParams(s->q->pg, s->sql, s->np, NULL, vals, NULL, NULL,
	    0);
	t = PQresultStatus(s->res);
	if (t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK &&
	    store_db_pg_again(s->q, idle)) {
		PQclear(s->res);
		s->res = PQexecParams(s->q->pg, s->sql, s->np, NULL, vals,
		    NULL, NULL, 0);
		t = PQresultStatus(s->res);
	}
	if (t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK) {
		s->q->changes = atoi(PQcmdTuples(s->res));
		return PQntuples(s->res) > 0 ? STORE_DB_ROW : STORE_DB_DONE;
	}
	store_db_pg_seterr(s->q, PQresultErrorMessage(s->res));
	state = PQresultErrorField(s->res, PG_DIAG_SQLSTATE);
	/* class 23: integrity constraint violation (unique, check, ...) */
	if (state != NULL && strncmp(state, "23", 2) == 0)
		return STORE_DB_CONSTRAINT;
	if (s->q->err[0] == '\0')
		store_db_pg_seterr(s->q, PQerrorMessage(s->q->pg));
	return STORE_DB_ERROR;
}

static int
store_db_pg_step(void *h)
{
	struct store_db_pg_stmt *s = h;

	if (!s->started)
		return store_db_pg_run(s);
	if (s->res == NULL)
		return STORE_DB_ERROR;
	if (s->row + 1 < PQntuples(s->res)) {
		s->row++;
		return STORE_DB_ROW;
	}
	s->row = PQntuples(s->res);
	return STORE_DB_DONE;
}

static void
store_db_pg_bind_text(void *h, int i, const char *v)
{
	struct store_db_pg_stmt *s = h;
	int m = i >= 1 && i <= STORE_PG_MAXPARAM ? s->map[i] : 0;

	if (m == 0)	/* a value the statement does not use */
		return;
	free(s->vals[m - 1]);
	s->vals[m - 1] = strdup(v);
}

static void
store_db_pg_bind_int64(void *h, int i, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	store_db_pg_bind_text(h, i, buf);
}

static const char *
store_db_pg_col_text(void *h, int i)
{
	struct store_db_pg_stmt *s = h;

	if (s->res == NULL || s->row >= PQntuples(s->res) ||
	    i >= PQnfields(s->res) || PQgetisnull(s->res, s->row, i))
		return "";
	return PQgetvalue(s->res, s->row, i);
}

static int64_t
store_db_pg_col_int64(void *h, int i)
{
	const char *v = store_db_pg_col_text(h, i);

	if (strcmp(v, "t") == 0)	/* a boolean */
		return 1;
	return strtoll(v, NULL, 10);
}

/* The version lives in the table poolboot_schema. With lock (inside the
 * caller's transaction): a second instance waits here for this one's
 * migration, and the table and now_ms() are made when missing. */
static int
store_db_pg_version_get(struct store_conn *c, int lock, int *ver)
{
	struct store_db_pg *q = PGC(c);
	PGresult *r;
	int ret = -1;

	if (store_db_pg_alive(q) == -1)
		return -1;
	if (lock && (store_db_pg_simple(q, "SELECT pg_advisory_xact_lock("
	    STORE_PG_SCHEMA_LOCK ")") == -1 ||
	    store_db_pg_simple(q, "CREATE TABLE IF NOT EXISTS poolboot_schema"
	    " (version BIGINT NOT NULL)") == -1 ||
	    store_db_pg_simple(q, "CREATE OR REPLACE FUNCTION now_ms()"
	    " RETURNS BIGINT LANGUAGE sql VOLATILE AS"
	    " 'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT'")
	    == -1))
		return -1;
	r = PQexec(q->pg, "SELECT CASE WHEN to_regclass('poolboot_schema')"
	    " IS NULL THEN -1 ELSE 0 END");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		store_db_pg_seterr(q, PQresultErrorMessage(r));
		goto out;
	}
	if (atoi(PQgetvalue(r, 0, 0)) == -1) {
		*ver = 0;
		ret = 0;
		goto out;
	}
	PQclear(r);
	r = PQexec(q->pg, "SELECT coalesce(max(version), 0) FROM"
	    " poolboot_schema");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		store_db_pg_seterr(q, PQresultErrorMessage(r));
		goto out;
	}
	*ver = atoi(PQgetvalue(r, 0, 0));
	ret = 0;
out:
	PQclear(r);
	return ret;
}

static int
store_db_pg_version_set(struct store_conn *c, int ver)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "DELETE FROM poolboot_schema; INSERT INTO"
	    " poolboot_schema(version) VALUES (%d)", ver);
	return store_db_pg_simple(PGC(c), sql);
}

/* An event appended need not wait for the disk (as SQLite's
 * synchronous=NORMAL): synchronous_commit off for the next commits (a
 * crash of the database server may lose the last few, never make the
 * database inconsistent), then back to the session's durable setting. */
static void
store_db_pg_sync_light(struct store_conn *c, int light)
{
	struct store_db_pg *q = PGC(c);
	char sql[64];

	if (light == q->light || PQstatus(q->pg) != CONNECTION_OK)
		return;
	snprintf(sql, sizeof(sql), "SET synchronous_commit = %s",
	    light ? "off" : q->durable);
	if (store_db_pg_simple(q, sql) == 0)
		q->light = light;
}

static const struct store_db_ops store_db_pg_ops = {
	.name = "PostgreSQL",
	.close = store_db_pg_close,
	.errmsg = store_db_pg_errmsg,
	.exec = store_db_pg_exec,
	.in_txn = store_db_pg_in_txn,
	.changes = store_db_pg_changes,
	.prep = store_db_pg_prep,
	.finalize = store_db_pg_finalize,
	.reset = store_db_pg_reset,
	.step = store_db_pg_step,
	.bind_text = store_db_pg_bind_text,
	.bind_int64 = store_db_pg_bind_int64,
	.col_text = store_db_pg_col_text,
	.col_int64 = store_db_pg_col_int64,
	.version_get = store_db_pg_version_get,
	.version_set = store_db_pg_version_set,
	.sync_light = store_db_pg_sync_light,
	.begin_sql = "BEGIN",
};

int
store_db_pg_open(const char *conninfo, int readonly, struct store_conn **out)
{
	/* defaults first: the operator's string, expanded from dbname,
	 * overrides them */
	static const char *const keys[] = { "connect_timeout",
	    "application_name", "keepalives_idle", "keepalives_interval",
	    "keepalives_count", "dbname", NULL };
	const char *vals[] = { "5", "poolboot", "10", "5", "3", conninfo,
	    NULL };
	struct store_db_pg *q;

	*out = NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return -1;
	q->c.ops = &store_db_pg_ops;
	q->readonly = readonly;
	q->pg = PQconnectdbParams(keys, vals, 1);
	if (q->pg == NULL || PQstatus(q->pg) != CONNECTION_OK) {
		store_db_pg_seterr(q, q->pg != NULL ? PQerrorMessage(q->pg) :
		    "out of memory");
		log_error("store", "cannot connect to the PostgreSQL database "
		    "(host %s, database %s): %s", q->pg != NULL &&
		    PQhost(q->pg) != NULL ? PQhost(q->pg) : "?",
		    q->pg != NULL && PQdb(q->pg) != NULL ? PQdb(q->pg) : "?",
		    q->err);
		goto fail;
	}
	if (store_db_pg_session(q) == -1) {
		log_error("store", "PostgreSQL session: %s", q->err);
		goto fail;
	}
	*out = &q->c;
	return 0;
fail:
	store_db_pg_close(&q->c);
	return -1;
}
