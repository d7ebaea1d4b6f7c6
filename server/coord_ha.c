/* coord_ha.c — HA and WLB off for a rolling upgrade and back on after;
 * see coord_ha.h. */
#include "coord_ha.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "pool.h"
#include "util.h"

/* An event of the pool, logged like the coordinator's. */
static void
coord_ha_event(struct store *st, const struct pool *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
coord_ha_event(struct store *st, const struct pool *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	store_event(st, NULL, p->name, "upgrade", "%s", msg);
	log_ctx(PB_LOG_INFO, "coord", p->name, NULL, "%s", msg);
}

/* pool.set_wlb_enabled(pool_ref, on). 0, or -1 with e. */
static int
coord_ha_set_wlb(struct xapi *x, const char *pool_ref, int on,
    struct xapi_error *e)
{
	struct xr_value *args[2];
	int rc;

	args[0] = xr_string(pool_ref);
	args[1] = xr_bool(on);
	rc = xapi_call(x, "pool.set_wlb_enabled", args, 2, NULL, e);
	xr_free(args[0]);
	xr_free(args[1]);
	return rc;
}

/* The SRs of HA's statefiles, space-separated, into run->ha_srs (enable_ha
 * needs them back). 0, or -1 with err. */
static int
coord_ha_statefile_srs(struct xapi *x, const char *pool_ref, struct run *run,
    char *err, size_t errlen)
{
	struct xr_value *sf = NULL;
	struct sbuf srs = { .max = sizeof(run->ha_srs) };
	struct xapi_error e;
	size_t i;
	int ret = -1;

	if (xapi_call_s(x, "pool.get_ha_statefiles", &sf, &e, pool_ref, NULL,
	    NULL) == -1) {
		snprintf(err, errlen, "reading HA statefiles: %s (HA left on; "
		    "turn it off yourself)", xapi_strerror(&e));
		return -1;
	}
	for (i = 0; sf != NULL && sf->type == XR_ARRAY && i < sf->n; i++) {
		struct xr_value *sr = NULL;

		if (xapi_call_s(x, "VDI.get_SR", &sr, &e, xr_str(sf->items[i]),
		    NULL, NULL) == -1 || xr_str(sr) == NULL) {
			xr_free(sr);
			snprintf(err, errlen, "finding the HA heartbeat SR: %s (HA "
			    "left on)", xapi_strerror(&e));
			goto out;
		}
		sbuf_printf(&srs, "%s%s", srs.len ? " " : "", xr_str(sr));
		xr_free(sr);
	}
	util_strlcpy(run->ha_srs, sizeof(run->ha_srs), srs.p);
	ret = 0;
out:
	xr_free(sf);
	sbuf_free(&srs);
	return ret;
}

int
coord_ha_off(struct xapi *x, struct store *st, const struct pool *p,
    struct run *run, char *err, size_t errlen)
{
	struct pool_snapshot s;
	struct xapi_error e;
	int ret = -1;

	if (pool_snapshot_take(x, &s, 0, &e) == -1) {
		snprintf(err, errlen, "reading the pool: %s", xapi_strerror(&e));
		return -1;
	}
	if (s.wlb_enabled) {
		if (coord_ha_set_wlb(x, s.pool_ref, 0, &e) == -1) {
			snprintf(err, errlen, "turning WLB off: %s",
			    xapi_strerror(&e));
			goto out;
		}
		run->wlb_disabled_by_us = 1;
		store_run_update(st, run);
		coord_ha_event(st, p, "WLB turned off for the upgrade");
	}
	if (s.ha_enabled) {
		/* remember the heartbeat SRs: enable_ha needs them back */
		if (coord_ha_statefile_srs(x, s.pool_ref, run, err, errlen) == -1)
			goto out;
		store_run_update(st, run);
		if (xapi_call_s(x, "pool.disable_ha", NULL, &e, NULL, NULL,
		    NULL) == -1) {
			snprintf(err, errlen, "turning HA off: %s",
			    xapi_strerror(&e));
			goto out;
		}
		run->ha_disabled_by_us = 1;
		store_run_update(st, run);
		coord_ha_event(st, p, "HA turned off for the upgrade");
	}
	ret = 0;
out:
	pool_snapshot_free(&s);
	return ret;
}

/* pool.enable_ha(the recorded SRs, {}). */
static void
coord_ha_enable(struct xapi *x, struct store *st, const struct pool *p,
    struct run *run)
{
	struct xr_value *args[2];
	struct strlist l = { 0 };
	struct xapi_error e;
	size_t i;

	args[0] = xr_array();
	args[1] = xr_struct();
	strlist_split_blank(&l, run->ha_srs);
	for (i = 0; i < l.n; i++)
		xr_array_add(args[0], xr_string(l.v[i]));
	strlist_free(&l);
	if (xapi_call(x, "pool.enable_ha", args, 2, NULL, &e) == -1)
		coord_ha_event(st, p, "could not turn HA back on: %s; run xe "
		    "pool-ha-enable by hand", xapi_strerror(&e));
	else {
		coord_ha_event(st, p, "HA turned back on");
		run->ha_disabled_by_us = 0;
	}
	xr_free(args[0]);
	xr_free(args[1]);
}

void
coord_ha_restore(struct xapi *x, struct store *st, const struct pool *p,
    struct run *run)
{
	struct pool_snapshot s;
	struct xapi_error e;

	if (!run->ha_disabled_by_us && !run->wlb_disabled_by_us)
		return;
	if (pool_snapshot_take(x, &s, 0, &e) == -1) {
		coord_ha_event(st, p, "could not restore HA/WLB: %s; turn them "
		    "back on by hand", xapi_strerror(&e));
		return;
	}
	if (run->ha_disabled_by_us)
		coord_ha_enable(x, st, p, run);
	if (run->wlb_disabled_by_us) {
		if (coord_ha_set_wlb(x, s.pool_ref, 1, &e) == -1)
			coord_ha_event(st, p, "could not turn WLB back on: %s",
			    xapi_strerror(&e));
		else {
			coord_ha_event(st, p, "WLB turned back on");
			run->wlb_disabled_by_us = 0;
		}
	}
	pool_snapshot_free(&s);
	store_run_update(st, run);
}
