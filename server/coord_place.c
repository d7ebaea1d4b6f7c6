/* coord_place.c — the VMs of each host back to it after its upgrade; see
 * coord_place.h. */
#include "coord_place.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pool.h"
#include "rules.h"
#include "store.h"
#include "util.h"

static const char *const coord_place_names[] = {
	[COORD_PLACE_DEFAULT] = "",
	[COORD_PLACE_RETURN] = "return",
	[COORD_PLACE_LEAVE] = "leave",
};

const char *
coord_place_name(enum coord_placement pl)
{
	return (unsigned)pl <= COORD_PLACE_LEAVE ? coord_place_names[pl] : "";
}

int
coord_place_parse(const char *s, enum coord_placement *out)
{
	int i = state_lookup(coord_place_names, COORD_PLACE_LEAVE + 1, s);

	if (i <= 0)
		return -1;
	*out = (enum coord_placement)i;
	return 0;
}

enum coord_placement
coord_place_default(const struct pool *p)
{
	/* [pool] placement (config.h); default return */
	return p != NULL && p->placement_leave ? COORD_PLACE_LEAVE :
	    COORD_PLACE_RETURN;
}

enum coord_place_action
coord_place_decide(const struct coord_place_seen *vm, const char *home_ref,
    const char *home_version)
{
	if (!vm->exists)
		return COORD_PLACE_GONE;
	if (!vm->running || vm->resident_on == NULL)
		return COORD_PLACE_HALTED;
	if (strcmp(vm->resident_on, home_ref) == 0)
		return COORD_PLACE_HOME;
	/* never onto a host older than the one it runs on */
	if (vm->on_version == NULL || home_version == NULL ||
	    rules_version_cmp(home_version, vm->on_version) < 0)
		return COORD_PLACE_OLDER;
	return COORD_PLACE_MIGRATE;
}

const char *
coord_place_result(enum coord_place_action a)
{
	switch (a) {
	case COORD_PLACE_MIGRATE:	return "moved";
	case COORD_PLACE_GONE:		return "gone";
	case COORD_PLACE_HALTED:	return "halted";
	case COORD_PLACE_HOME:		return "home";
	case COORD_PLACE_OLDER:		return "refused";
	default:			return "failed";
	}
}

static void
coord_place_event(struct coord_place_ctx *pc, enum log_level lvl,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* An event of pc's host, and its log line at lvl. */
static void
coord_place_event(struct coord_place_ctx *pc, enum log_level lvl,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	store_event(pc->st, pc->host, pc->p->name, "upgrade", "%s", msg);
	log_ctx(lvl, "coord", pc->p->name, pc->host, "%s", msg);
}

static int
coord_place_is_leave(const struct run *run)
{
	enum coord_placement pl;

	return coord_place_parse(run->placement, &pl) == 0 &&
	    pl == COORD_PLACE_LEAVE;
}

/* 1 when VM record rec is a guest running on host_ref. */
static int
coord_place_runs_on(const struct xr_value *rec, const char *host_ref)
{
	const char *on = xr_get_str(rec, "resident_on");
	const char *ps = xr_get_str(rec, "power_state");

	return on != NULL && strcmp(on, host_ref) == 0 && ps != NULL &&
	    strcmp(ps, "Running") == 0 &&
	    !xr_get_bool(rec, "is_control_domain", 0) &&
	    !xr_get_bool(rec, "is_a_template", 0) &&
	    !xr_get_bool(rec, "is_a_snapshot", 0) &&
	    xr_get_str(rec, "uuid") != NULL;
}

int
coord_place_record(struct coord_place_ctx *pc, const char *host_ref,
    struct xapi_error *e)
{
	struct xr_value *vms = NULL;
	size_t i, n = 0;
	int ret = -1;

	memset(e, 0, sizeof(*e));
	if (coord_place_is_leave(pc->run))
		return 0;
	if (xapi_call(pc->x, "VM.get_all_records", NULL, 0, &vms, e) == -1)
		return -1;
	for (i = 0; vms != NULL && vms->type == XR_STRUCT && i < vms->n; i++) {
		const struct xr_value *rec = vms->items[i];
		struct run_vm v = { .run_id = pc->run->id };

		if (!coord_place_runs_on(rec, host_ref))
			continue;
		util_strlcpy(v.host, sizeof(v.host), pc->host);
		util_strlcpy(v.vm_uuid, sizeof(v.vm_uuid), xr_get_str(rec,
		    "uuid"));
		util_strlcpy(v.vm_name, sizeof(v.vm_name), xr_get_str(rec,
		    "name_label"));
		v.ord = (int)i;
		v.updated_at = util_now_ms();
		if (store_run_vm_add(pc->st, &v) == -1) {
			snprintf(pc->err, sizeof(pc->err), "cannot record the "
			    "VMs of %.64s in the store", pc->host);
			ret = -2;
			goto out;
		}
		n++;
	}
	if (n > 0)
		coord_place_event(pc, PB_LOG_INFO, "%zu running VM%s recorded to "
		    "come back after the upgrade (placement = return)", n,
		    n == 1 ? "" : "s");
	ret = 0;
out:
	xr_free(vms);
	return ret;
}

/* ---- the return step ----------------------------------------------------- */

/* pc's host's first recorded VM not tried yet into *out: 1, or 0 when none
 * is left (*total recorded, *back of them back), -1 when the store fails. */
static int
coord_place_next(struct coord_place_ctx *pc, struct run_vm *out,
    size_t *total, size_t *back)
{
	struct run_vm *v = NULL;
	size_t i, n = 0;
	int found = 0;

	*back = 0;
	if (store_run_vm_list(pc->st, pc->run->id, pc->host, &v, &n) == -1)
		return -1;
	*total = n;
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].result, "moved") == 0 ||
		    strcmp(v[i].result, "home") == 0)
			(*back)++;
		if (!found && v[i].result[0] == '\0') {
			*out = v[i];
			found = 1;
		}
	}
	free(v);
	return found;
}

/* What XAPI shows of the VM with uuid now: seen (strings in ref and on),
 * its ref. 0 (also for a VM that is gone), or -1 with e. */
static int
coord_place_look(struct coord_place_ctx *pc, const char *uuid,
    struct coord_place_seen *seen, char *ref, size_t reflen, char *on,
    size_t onlen, struct xapi_error *e)
{
	struct xr_value *r = NULL, *rec = NULL;
	const char *ps;

	memset(seen, 0, sizeof(*seen));
	if (xapi_call_s(pc->x, "VM.get_by_uuid", &r, e, uuid, NULL,
	    NULL) == -1) {
		/* UUID_INVALID [class; uuid]: deleted meanwhile */
		return strcmp(e->code, "UUID_INVALID") == 0 ? 0 : -1;
	}
	util_strlcpy(ref, reflen, xr_str(r) ? xr_str(r) : "");
	xr_free(r);
	if (xapi_call_s(pc->x, "VM.get_record", &rec, e, ref, NULL,
	    NULL) == -1)
		return strcmp(e->code, "HANDLE_INVALID") == 0 ? 0 : -1;
	ps = xr_get_str(rec, "power_state");
	seen->exists = 1;
	seen->running = ps != NULL && strcmp(ps, "Running") == 0;
	util_strlcpy(on, onlen, xr_get_str(rec, "resident_on") ?
	    xr_get_str(rec, "resident_on") : "");
	seen->resident_on = on[0] && strcmp(on, "OpaqueRef:NULL") != 0 ? on :
	    NULL;
	xr_free(rec);
	return 0;
}

/* VM.pool_migrate(vm, host, {}) as a task, followed to its end. */
static int
coord_place_migrate(struct coord_place_ctx *pc, const char *vm_ref,
    const char *host_ref, struct xapi_error *e)
{
	struct xr_value *args[3], *task = NULL;
	int rc;

	args[0] = xr_string(vm_ref);
	args[1] = xr_string(host_ref);
	args[2] = xr_struct();		/* options: none (a live migration) */
	rc = xapi_call(pc->x, "Async.VM.pool_migrate", args, 3, &task, e);
	xr_free(args[0]);
	xr_free(args[1]);
	xr_free(args[2]);
	if (rc == 0)
		rc = xapi_task_wait(pc->x, xr_str(task) ? xr_str(task) : "",
		    pc->p->evacuate_timeout, pc->p->poll_ms < 500 ?
		    pc->p->poll_ms : 500, NULL, e);
	xr_free(task);
	return rc;
}

/* Writes v's result (from: where it ran, NULL to keep v's) and says so. */
static enum coord_place_turn
coord_place_done(struct coord_place_ctx *pc, struct run_vm *v,
    const char *result, const char *from, const char *msg)
{
	util_strlcpy(v->result, sizeof(v->result), result);
	if (from != NULL)
		util_strlcpy(v->from_host, sizeof(v->from_host), from);
	util_strlcpy(v->message, sizeof(v->message), msg ? msg : "");
	v->updated_at = util_now_ms();
	if (store_run_vm_update(pc->st, v) == -1) {
		snprintf(pc->err, sizeof(pc->err), "cannot write the store");
		return COORD_PLACE_FAIL;
	}
	if (strcmp(result, "moved") == 0)
		coord_place_event(pc, PB_LOG_INFO, "VM %s back from %s",
		    v->vm_name, v->from_host);
	else if (strcmp(result, "failed") == 0 ||
	    strcmp(result, "refused") == 0)
		coord_place_event(pc, PB_LOG_WARN, "warning: VM %s did not come "
		    "back from %s: %s; it stays there (move it by hand if you "
		    "want it here: xe vm-migrate uuid=%s host=%s)", v->vm_name,
		    v->from_host[0] ? v->from_host : "?", v->message,
		    v->vm_uuid, pc->host);
	pc->attempts = 0;
	return COORD_PLACE_NEXT;
}

/* A XAPI error about v: tried again a few times when transient (a move
 * that went through meanwhile then shows the VM at home), else v failed. */
static enum coord_place_turn
coord_place_error(struct coord_place_ctx *pc, struct run_vm *v,
    const char *what, const struct xapi_error *e)
{
	char msg[256];

	if ((e->transport || strcmp(e->code, "OTHER_OPERATION_IN_PROGRESS") ==
	    0 || strcmp(e->code, "SESSION_INVALID") == 0 ||
	    strcmp(e->code, "TOO_BUSY") == 0) && pc->attempts < 5) {
		pc->attempts++;
		return COORD_PLACE_AGAIN;
	}
	snprintf(msg, sizeof(msg), "%.40s: %.200s", what, xapi_strerror(e));
	return coord_place_done(pc, v, "failed", NULL, msg);
}

/* The host of s with XAPI ref ref, or NULL. */
static const struct pool_host *
coord_place_host_by_ref(const struct pool_snapshot *s, const char *ref)
{
	size_t i;

	for (i = 0; ref != NULL && i < s->nhosts; i++)
		if (strcmp(s->hosts[i].ref, ref) == 0)
			return &s->hosts[i];
	return NULL;
}

/* coord_place_where from two hosts' records (home by pc->home_ref, and
 * the host the VM runs on) instead of the whole pool's: 0, -2 (v could
 * not be looked up: e), or 1 when the small reads do not settle it (no
 * ref, a ref no longer pc->host's, a read failed): the caller reads the
 * whole pool then, and reports its errors. */
static int
coord_place_where_small(struct coord_place_ctx *pc, const struct run_vm *v,
    enum coord_place_action *a, char home[128], char home_ver[64],
    char vm[128], char from[64], char ver[64], struct xapi_error *e)
{
	struct pool_snapshot hs, os;
	const struct pool_host *on = NULL;
	struct coord_place_seen seen;
	char onref[128];
	int ret = 1;

	memset(&hs, 0, sizeof(hs));
	memset(&os, 0, sizeof(os));
	if (pc->home_ref == NULL || pc->home_ref[0] == '\0' ||
	    pool_snapshot_one(pc->x, pc->home_ref, &hs, e) == -1)
		goto out;
	if (strcmp(hs.hosts[0].name, pc->host) != 0)
		goto out;
	util_strlcpy(home, 128, pc->home_ref);
	util_strlcpy(home_ver, 64, hs.hosts[0].version);
	if (coord_place_look(pc, v->vm_uuid, &seen, vm, 128, onref,
	    sizeof(onref), e) == -1) {
		ret = -2;
		goto out;
	}
	if (seen.resident_on != NULL && strcmp(seen.resident_on,
	    pc->home_ref) == 0)
		on = &hs.hosts[0];
	else if (seen.resident_on != NULL) {
		if (pool_snapshot_one(pc->x, seen.resident_on, &os, e) == -1)
			goto out;
		on = &os.hosts[0];
	}
	util_strlcpy(from, 64, on ? on->name : "");
	util_strlcpy(ver, 64, on ? on->version : "");
	seen.on_version = on ? ver : NULL;
	*a = coord_place_decide(&seen, home, home_ver);
	ret = 0;
out:
	if (ret == 1)
		memset(e, 0, sizeof(*e));
	pool_snapshot_free(&os);
	pool_snapshot_free(&hs);
	return ret;
}

/* Where v is and what to do with it, from a fresh read of the pool:
 * *a, with home's ref and version, the VM's ref and the name and version
 * of the host it runs on. 0, -1 (the pool could not be read: e), or -2 (v
 * could not be looked up: e). */
static int
coord_place_where(struct coord_place_ctx *pc, const struct run_vm *v,
    enum coord_place_action *a, char home[128], char home_ver[64],
    char vm[128], char from[64], char ver[64], struct xapi_error *e)
{
	struct pool_snapshot s;
	const struct pool_host *xh, *on;
	struct coord_place_seen seen;
	char onref[128];
	int rc;

	memset(e, 0, sizeof(*e));
	if ((rc = coord_place_where_small(pc, v, a, home, home_ver, vm, from,
	    ver, e)) != 1)
		return rc;
	if (pool_snapshot_take(pc->x, &s, 0, e) == -1)
		return -1;
	if ((xh = pool_snapshot_host(&s, pc->host)) == NULL) {
		pool_snapshot_free(&s);
		snprintf(e->code, sizeof(e->code), "HOST_NOT_IN_POOL");
		snprintf(e->message, sizeof(e->message), "host %.64s is no "
		    "longer in the XAPI pool", pc->host);
		return -1;
	}
	util_strlcpy(home, 128, xh->ref);
	util_strlcpy(home_ver, 64, xh->version);
	if (coord_place_look(pc, v->vm_uuid, &seen, vm, 128, onref,
	    sizeof(onref), e) == -1) {
		pool_snapshot_free(&s);
		return -2;
	}
	on = coord_place_host_by_ref(&s, seen.resident_on);
	util_strlcpy(from, 64, on ? on->name : "");
	util_strlcpy(ver, 64, on ? on->version : "");
	seen.on_version = on ? ver : NULL;
	pool_snapshot_free(&s);
	*a = coord_place_decide(&seen, home, home_ver);
	return 0;
}

/* Brings v home to pc's host. */
static enum coord_place_turn
coord_place_one(struct coord_place_ctx *pc, struct run_vm *v,
    struct xapi_error *e)
{
	enum coord_place_action a;
	char home[128], home_ver[64], vm[128], from[64], ver[64], msg[256];
	int rc;

	rc = coord_place_where(pc, v, &a, home, home_ver, vm, from, ver, e);
	if (rc == -1)
		return COORD_PLACE_XAPI;
	if (rc == -2)
		return coord_place_error(pc, v, "looking the VM up", e);
	if (a == COORD_PLACE_HOME && v->from_host[0])
		/* moved by a call whose answer was lost (a restart) */
		return coord_place_done(pc, v, "moved", NULL, NULL);
	if (a == COORD_PLACE_OLDER) {
		snprintf(msg, sizeof(msg), "%.60s is on %.30s, %.60s on %.30s: "
		    "never onto an older host", pc->host, home_ver, from[0] ?
		    from : "its host", ver[0] ? ver : "an unknown version");
		return coord_place_done(pc, v, "refused", from, msg);
	}
	if (a != COORD_PLACE_MIGRATE)
		return coord_place_done(pc, v, coord_place_result(a),
		    a == COORD_PLACE_HOME ? "" : from, a == COORD_PLACE_GONE ?
		    "no longer exists" : a == COORD_PLACE_HALTED ? "not running" :
		    "");
	/* where it comes from, before the move: after a restart a VM found
	 * at home with from_host set was moved by us */
	util_strlcpy(v->from_host, sizeof(v->from_host), from);
	if (store_run_vm_update(pc->st, v) == -1) {
		snprintf(pc->err, sizeof(pc->err), "cannot write the store");
		return COORD_PLACE_FAIL;
	}
	if (coord_place_migrate(pc, vm, home, e) == -1)
		return coord_place_error(pc, v, "VM.pool_migrate", e);
	return coord_place_done(pc, v, "moved", NULL, NULL);
}

enum coord_place_turn
coord_place_return(struct coord_place_ctx *pc, struct xapi_error *e)
{
	struct run_vm v;
	size_t total = 0, back = 0;
	int rc;

	memset(e, 0, sizeof(*e));
	if (coord_place_is_leave(pc->run))
		return COORD_PLACE_ALL_DONE;
	if ((rc = coord_place_next(pc, &v, &total, &back)) == -1) {
		snprintf(pc->err, sizeof(pc->err), "cannot read the store");
		return COORD_PLACE_FAIL;
	}
	if (rc == 1)
		return coord_place_one(pc, &v, e);
	if (total > 0)
		coord_place_event(pc, back == total ? PB_LOG_INFO : PB_LOG_WARN,
		    "%zu of its %zu VM%s back on %s%s", back, total,
		    total == 1 ? "" : "s", pc->host, back == total ? "" :
		    " (see the run's report for the others)");
	return COORD_PLACE_ALL_DONE;
}
