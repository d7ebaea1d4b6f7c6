/* store_schema.h — the store's tables and their migrations
 * (store_schema.c), for store.c's store_open only. One text for both
 * engines (store_db_int.h maps the types for PostgreSQL). The version is
 * kept in SQLite's PRAGMA user_version, or PostgreSQL's table
 * poolboot_schema:
 *   1  hosts, armings, events
 *   2  runs, run_hosts (rolling upgrades)
 *   3  jobs (rebuild/install), armings.purpose
 *   4  one unfinished (running or halted) run per pool and job per host:
 *      unique partial indexes runs_one_active, jobs_one_active
 *   5  runs.placement, run_vms (the VMs to bring back to each host)
 *   6  audit (the audit log: store_audit.h)
 */
#ifndef POOLBOOT_STORE_SCHEMA_H
#define POOLBOOT_STORE_SCHEMA_H

#define STORE_SCHEMA_VERSION	6

struct store;

/* Creates the schema, or brings an older one up to STORE_SCHEMA_VERSION,
 * in one transaction (the caller holds no transaction). 0, or -1 on a
 * database error or a database newer than this poolboot (logged). */
int   store_schema_init(struct store *st);

#endif
