/* store_run_vm.c — the run_vms table; see store_run_vm.h. SQL through
 * store_db.h, every value a bound parameter. */
#include "store_run_vm.h"

#include <stdlib.h>
#include <string.h>

#include "store_db.h"

#define RUN_VM_COLS "run_id, host, vm_uuid, vm_name, ord, result, from_host," \
	" message, updated_at"

static void
store_run_vm_read(struct store_stmt *s, struct run_vm *v)
{
	memset(v, 0, sizeof(*v));
	v->run_id = store_db_col_int64(s, 0);
	store_db_col_text(s, 1, v->host, sizeof(v->host));
	store_db_col_text(s, 2, v->vm_uuid, sizeof(v->vm_uuid));
	store_db_col_text(s, 3, v->vm_name, sizeof(v->vm_name));
	v->ord = store_db_col_int(s, 4);
	store_db_col_text(s, 5, v->result, sizeof(v->result));
	store_db_col_text(s, 6, v->from_host, sizeof(v->from_host));
	store_db_col_text(s, 7, v->message, sizeof(v->message));
	v->updated_at = store_db_col_int64(s, 8);
}

/* Binds every column in RUN_VM_COLS order as ?1..?9. */
static void
store_run_vm_bind(struct store_stmt *s, const struct run_vm *v)
{
	store_db_bind_int64(s, 1, v->run_id);
	store_db_bind_text(s, 2, v->host);
	store_db_bind_text(s, 3, v->vm_uuid);
	store_db_bind_text(s, 4, v->vm_name);
	store_db_bind_int(s, 5, v->ord);
	store_db_bind_text(s, 6, v->result);
	store_db_bind_text(s, 7, v->from_host);
	store_db_bind_text(s, 8, v->message);
	store_db_bind_int64(s, 9, v->updated_at);
}

/* One statement binding v, expected to finish; 0, or -1 (logged as
 * what). With must_change, -1 also when no row changed. */
static int
store_run_vm_exec(struct store *st, const char *sql, const struct run_vm *v,
    int must_change, const char *what)
{
	struct store_stmt *s;
	int ret = -1;

	store_db_lock(st);
	if ((s = store_db_prep(st, sql)) == NULL)
		goto out;
	store_run_vm_bind(s, v);
	if (store_db_step(s) != STORE_DB_DONE ||
	    (must_change && store_db_changes(st) != 1))
		store_db_err(st, what);
	else
		ret = 0;
	store_db_finalize(s);
out:
	store_db_unlock(st);
	return ret;
}

int
store_run_vm_add(struct store *st, const struct run_vm *v)
{
	return store_run_vm_exec(st, "INSERT INTO run_vms(" RUN_VM_COLS
	    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING", v, 0,
	    "insert run vm");
}

int
store_run_vm_update(struct store *st, const struct run_vm *v)
{
	return store_run_vm_exec(st, "UPDATE run_vms SET result = ?6,"
	    " from_host = ?7, message = ?8, updated_at = ?9"
	    " WHERE run_id = ?1 AND host = ?2 AND vm_uuid = ?3", v, 1,
	    "update run vm");
}

/* store_run_vm_read for store_db_collect */
static void
store_run_vm_read_row(struct store_stmt *s, void *elem)
{
	store_run_vm_read(s, elem);
}

int
store_run_vm_list(struct store *st, int64_t run_id, const char *host,
    struct run_vm **out, size_t *n)
{
	struct store_stmt *s;
	void *v = NULL;
	int ret = -1;

	*out = NULL;
	*n = 0;
	store_db_lock(st);
	if ((s = store_db_prep(st, "SELECT " RUN_VM_COLS " FROM run_vms"
	    " WHERE run_id = ?1 AND (?2 IS NULL OR host = ?2)"
	    " ORDER BY host, ord, vm_uuid")) == NULL)
		goto out;
	store_db_bind_int64(s, 1, run_id);
	if (host != NULL)
		store_db_bind_text(s, 2, host);
	ret = store_db_collect(st, s, sizeof(**out), 0, store_run_vm_read_row,
	    "run vms", &v, n);
	*out = v;
out:
	store_db_unlock(st);
	return ret;
}
