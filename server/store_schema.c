/* store_schema.c — the store's schema and its migrations; see
 * store_schema.h. Version 1 is hosts, armings and events; each later
 * version is applied on top of the one before, so a database of any
 * older version is brought up to date on open. */
#include "store_schema.h"

#include <stdio.h>

#include "log.h"
#include "store_db.h"

static const char *const store_schema_v1_sql =
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
static const char *const store_schema_v2_sql =
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
	" PRIMARY KEY (run_id, host));";

/* Version 3: rebuild/install jobs, and why an arming was made. */
static const char *const store_schema_v3_sql =
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
	"CREATE INDEX jobs_host ON jobs(host, id);";

/* Version 4: one unfinished (running or halted) run per pool and one
 * unfinished job per host, enforced by the store. A database written by
 * an older poolboot may hold more (two concurrent upgrade requests could
 * both start a run): the oldest is kept, the others are aborted with an
 * event saying so, before the indexes are made. */
static const char *const store_schema_v4_sql =
	"INSERT INTO events(ts, host, pool, kind, message)"
	" SELECT now_ms() / 1000, '', r.pool, 'upgrade',"
	"  'run ' || r.id || ' aborted by the store upgrade (schema 4): pool '"
	"  || r.pool || ' had another unfinished run (' || ("
	"  SELECT min(o.id) FROM runs o WHERE o.pool = r.pool"
	"  AND o.state IN ('running', 'halted')) || '), and a pool has one'"
	"  || ' run at a time; check the hosts of run ' || r.id"
	" FROM runs r WHERE r.state IN ('running', 'halted') AND r.id >"
	"  (SELECT min(o.id) FROM runs o WHERE o.pool = r.pool"
	"  AND o.state IN ('running', 'halted'));"
	"UPDATE runs SET state = 'aborted',"
	" finished_at = now_ms() / 1000 * 1000,"
	" error = 'aborted by the store upgrade (schema 4): another run of the"
	" pool was unfinished'"
	" WHERE state IN ('running', 'halted') AND id >"
	"  (SELECT min(o.id) FROM runs o WHERE o.pool = runs.pool"
	"  AND o.state IN ('running', 'halted'));"
	"INSERT INTO events(ts, host, pool, kind, message)"
	" SELECT now_ms() / 1000, j.host, j.pool, j.kind,"
	"  'job ' || j.id || ' aborted by the store upgrade (schema 4): host '"
	"  || j.host || ' had another unfinished job, and a host has one at a'"
	"  || ' time'"
	" FROM jobs j WHERE j.state IN ('running', 'halted') AND j.id >"
	"  (SELECT min(o.id) FROM jobs o WHERE o.host = j.host"
	"  AND o.state IN ('running', 'halted'));"
	"UPDATE jobs SET state = 'aborted',"
	" finished_at = now_ms() / 1000 * 1000,"
	" error = 'aborted by the store upgrade (schema 4): another job of the"
	" host was unfinished'"
	" WHERE state IN ('running', 'halted') AND id >"
	"  (SELECT min(o.id) FROM jobs o WHERE o.host = jobs.host"
	"  AND o.state IN ('running', 'halted'));"
	"CREATE UNIQUE INDEX runs_one_active ON runs(pool)"
	" WHERE state IN ('running', 'halted');"
	"CREATE UNIQUE INDEX jobs_one_active ON jobs(host)"
	" WHERE state IN ('running', 'halted');";

/* Version 5: VM placement in a rolling upgrade (issue 13). runs.placement
 * says whether the VMs of each host go back to it once it is upgraded
 * ("return") or stay where the evacuation put them ("leave"); a run made
 * by an older poolboot recorded no VMs, so "return" moves nothing for it.
 * run_vms holds, per run and host, the VMs that ran on the host before
 * its evacuation (by uuid: a ref is the pool's, a uuid the VM's own), and
 * what became of each on the way back (result "" until tried). */
static const char *const store_schema_v5_sql =
	"ALTER TABLE runs ADD COLUMN placement TEXT NOT NULL"
	" DEFAULT 'return';"
	"CREATE TABLE run_vms ("
	" run_id INTEGER NOT NULL REFERENCES runs(id),"
	" host TEXT NOT NULL,"
	" vm_uuid TEXT NOT NULL,"
	" vm_name TEXT NOT NULL DEFAULT '',"
	" ord INTEGER NOT NULL DEFAULT 0,"
	" result TEXT NOT NULL DEFAULT '',"
	" from_host TEXT NOT NULL DEFAULT '',"
	" message TEXT NOT NULL DEFAULT '',"
	" updated_at INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (run_id, host, vm_uuid));";

/* Version 6: the audit log (issue 14): one row per admin action, with the
 * name of the token used (never the token). IF NOT EXISTS: the step may
 * run again on a database that has the table (it is one transaction with
 * the version bump, so a crash leaves either both or neither). */
static const char *const store_schema_v6_sql =
	"CREATE TABLE IF NOT EXISTS audit ("
	" id INTEGER PRIMARY KEY,"
	" ts_ms INTEGER NOT NULL,"
	" client TEXT NOT NULL DEFAULT '',"
	" token TEXT NOT NULL DEFAULT '-',"
	" action TEXT NOT NULL DEFAULT '',"
	" target TEXT NOT NULL DEFAULT '',"
	" method TEXT NOT NULL DEFAULT '',"
	" path TEXT NOT NULL DEFAULT '',"
	" status INTEGER NOT NULL DEFAULT 0,"
	" result TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX IF NOT EXISTS audit_ts ON audit(ts_ms);"
	"CREATE INDEX IF NOT EXISTS audit_token ON audit(token, id);"
	"CREATE INDEX IF NOT EXISTS audit_target ON audit(target, id);";

/* Each version's step, applied in order on top of the one before. */
static const char *const store_schema_steps[STORE_SCHEMA_VERSION] = {
	store_schema_v1_sql, store_schema_v2_sql, store_schema_v3_sql,
	store_schema_v4_sql, store_schema_v5_sql, store_schema_v6_sql,
};

/* Creates the schema in one transaction unless it is there already. */
int
store_schema_init(struct store *st)
{
	char what[32];
	int ver = 0, v, ret = -1;

	if (store_db_begin(st) == -1)
		return -1;
	/* read inside the write lock: two starting processes (or two
	 * instances on one PostgreSQL database) cannot both create the
	 * tables */
	if (store_db_version(st, 1, &ver) == -1)
		goto out;
	if (ver > STORE_SCHEMA_VERSION) {
		log_error("store", "database schema version %d is newer than "
		    "this poolboot knows (%d)", ver, STORE_SCHEMA_VERSION);
		goto out;
	}
	/* each step brings the schema one version further, in this
	 * transaction: a database of any older version is upgraded */
	for (v = ver; v < STORE_SCHEMA_VERSION; v++) {
		snprintf(what, sizeof(what), v == 0 ? "create schema" :
		    "schema v%d", v + 1);
		if (store_db_exec(st, store_schema_steps[v], what) == -1)
			goto out;
	}
	if (ver < STORE_SCHEMA_VERSION &&
	    store_db_set_version(st, STORE_SCHEMA_VERSION) == -1)
		goto out;
	if (ver < STORE_SCHEMA_VERSION)
		log_info("store", "database schema %s version %d%s",
		    ver == 0 ? "created at" : "upgraded to",
		    STORE_SCHEMA_VERSION,
		    ver == 0 ? "" : " (from an older poolboot)");
	if (store_db_commit(st) == -1)
		goto out;
	ret = 0;
out:
	if (ret == -1)
		store_db_rollback(st);
	return ret;
}
