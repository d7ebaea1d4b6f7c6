/* unit_store.h — the store a unit test opens: SQLite in dir, as serve's
 * default, or, when POOLBOOT_TEST_PG holds the connection string of a
 * throw-away PostgreSQL cluster's admin database (tests/run-all.sh sets it
 * for its second pass), a PostgreSQL database of dir's own, made on first
 * use. So the same assertions hold on both engines. */
#ifndef POOLBOOT_UNIT_STORE_H
#define POOLBOOT_UNIT_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "store.h"

/* 1 when the tests run on PostgreSQL */
static inline int
unit_store_pg(void)
{
	const char *adm = getenv("POOLBOOT_TEST_PG");

	return adm != NULL && *adm != '\0';
}

/* The name of dir's PostgreSQL database. */
static inline void
unit_store_dbname(const char *dir, char *db, size_t size)
{
	unsigned long h = 5381;
	const char *p;

	for (p = dir; *p != '\0'; p++)
		h = h * 33 ^ (unsigned char)*p;
	snprintf(db, size, "unit_%lx", h);
}

/* A connection to dir's PostgreSQL database (NULL on error, printed). */
static inline PGconn *
unit_store_pgconn(const char *dir)
{
	char db[32], *ci;
	PGconn *pg;

	unit_store_dbname(dir, db, sizeof(db));
	if (asprintf(&ci, "%s dbname=%s", getenv("POOLBOOT_TEST_PG"), db) < 0)
		return NULL;
	pg = PQconnectdb(ci);
	free(ci);
	if (pg == NULL || PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "%s\n", pg != NULL ? PQerrorMessage(pg) : "?");
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

/* Runs sql (one or more statements) on the store of dir behind the
 * store's back, on either engine: 0, or -1 when the database refused it. */
static inline int
unit_store_exec(const char *dir, const char *sql)
{
	PGconn *pg;
	PGresult *r;
	sqlite3 *db = NULL;
	char *path;
	int ret;

	if (unit_store_pg()) {
		if ((pg = unit_store_pgconn(dir)) == NULL)
			return -1;
		r = PQexec(pg, sql);
		ret = PQresultStatus(r) == PGRES_COMMAND_OK ||
		    PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : -1;
		PQclear(r);
		PQfinish(pg);
		return ret;
	}
	if (asprintf(&path, "%s/poolboot.db", dir) < 0)
		return -1;
	ret = sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_busy_timeout(db, 5000) == SQLITE_OK &&
	    sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	sqlite3_close(db);
	free(path);
	return ret;
}

/* The first column of the first row sql gives on dir's store, malloc'd;
 * NULL when there is none or on error. */
static inline char *
unit_store_text(const char *dir, const char *sql)
{
	PGconn *pg;
	PGresult *r;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	char *path, *v = NULL;

	if (unit_store_pg()) {
		if ((pg = unit_store_pgconn(dir)) == NULL)
			return NULL;
		r = PQexec(pg, sql);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
			v = strdup(PQgetvalue(r, 0, 0));
		PQclear(r);
		PQfinish(pg);
		return v;
	}
	if (asprintf(&path, "%s/poolboot.db", dir) < 0)
		return NULL;
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	free(path);
	return v;
}

static inline int
unit_store_open(const char *dir, int readonly, struct store **out)
{
	const char *adm = getenv("POOLBOOT_TEST_PG");
	char db[32], sql[64], *ci;
	PGconn *pg;
	int ret;

	if (!unit_store_pg())
		return store_open(dir, readonly, out);
	unit_store_dbname(dir, db, sizeof(db));
	if ((pg = PQconnectdb(adm)) == NULL || PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "POOLBOOT_TEST_PG: %s\n",
		    pg != NULL ? PQerrorMessage(pg) : "out of memory");
		PQfinish(pg);
		return -1;
	}
	/* "already exists" on a second open of dir is fine */
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
	PQclear(PQexec(pg, sql));
	PQfinish(pg);
	/* a later keyword of a connection string wins */
	if (asprintf(&ci, "%s dbname=%s", adm, db) < 0)
		return -1;
	ret = store_open_pg(ci, readonly, out);
	free(ci);
	return ret;
}

#endif
