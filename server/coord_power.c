/* coord_power.c — the pool's auto power-on off for a rolling upgrade and
 * back on after; see coord_power.h. */
#include "coord_power.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "xmlrpc.h"

/* An event of the pool, logged like the coordinator's. */
static void
coord_power_event(struct store *st, const struct pool *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
coord_power_event(struct store *st, const struct pool *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	store_event(st, NULL, p->name, "upgrade", "%s", msg);
	log_ctx(PB_LOG_INFO, "coord", p->name, NULL, "%s", msg);
}

/* The pool's ref and its other_config (caller frees *oc). 0, or -1 with
 * e. */
static int
coord_power_read(struct xapi *x, char *ref, size_t reflen,
    struct xr_value **oc, struct xapi_error *e)
{
	struct xr_value *pools = NULL;
	int ret = -1;

	*oc = NULL;
	if (xapi_call(x, "pool.get_all", NULL, 0, &pools, e) == -1)
		return -1;
	if (pools == NULL || pools->type != XR_ARRAY || pools->n == 0 ||
	    xr_str(pools->items[0]) == NULL) {
		memset(e, 0, sizeof(*e));
		e->transport = 1;
		snprintf(e->message, sizeof(e->message), "pool.get_all: no "
		    "pool");
		goto out;
	}
	snprintf(ref, reflen, "%s", xr_str(pools->items[0]));
	if (xapi_call_s(x, "pool.get_other_config", oc, e, ref, NULL,
	    NULL) == -1)
		goto out;
	ret = 0;
out:
	xr_free(pools);
	return ret;
}

/* other_config:key = value on pool ref (remove, then add: add refuses a
 * key that is there, MAP_DUPLICATE_KEY). 0, or -1 with e. */
static int
coord_power_set(struct xapi *x, const char *ref, const char *key,
    const char *value, struct xapi_error *e)
{
	struct xr_value *args[3];
	int rc;

	if (xapi_call_s(x, "pool.remove_from_other_config", NULL, e, ref, key,
	    NULL) == -1)
		return -1;
	args[0] = xr_string(ref);
	args[1] = xr_string(key);
	args[2] = xr_string(value);
	rc = xapi_call(x, "pool.add_to_other_config", args, 3, NULL, e);
	xr_free(args[0]);
	xr_free(args[1]);
	xr_free(args[2]);
	return rc;
}

int
coord_power_off(struct xapi *x, struct store *st, const struct pool *p,
    char *err, size_t errlen)
{
	struct xr_value *oc = NULL;
	struct xapi_error e;
	const char *on;
	char ref[128];
	int ret = -1;

	if (coord_power_read(x, ref, sizeof(ref), &oc, &e) == -1) {
		snprintf(err, errlen, "reading the pool's auto_poweron: %s",
		    xapi_strerror(&e));
		return -1;
	}
	on = xr_get_str(oc, "auto_poweron");
	if (on == NULL || strcmp(on, "true") != 0) {
		ret = 0;	/* off, or off since an earlier run (marked) */
		goto out;
	}
	if (xr_get(oc, COORD_POWER_MARK) == NULL &&
	    coord_power_set(x, ref, COORD_POWER_MARK, "true", &e) == -1) {
		snprintf(err, errlen, "recording auto_poweron (other_config:%s): "
		    "%s (auto_poweron left on)", COORD_POWER_MARK,
		    xapi_strerror(&e));
		goto out;
	}
	if (coord_power_set(x, ref, "auto_poweron", "false", &e) == -1) {
		snprintf(err, errlen, "turning auto_poweron off: %s",
		    xapi_strerror(&e));
		goto out;
	}
	coord_power_event(st, p, "auto_poweron turned off for the upgrade "
	    "(other_config:%s records it)", COORD_POWER_MARK);
	ret = 0;
out:
	xr_free(oc);
	return ret;
}

void
coord_power_restore(struct xapi *x, struct store *st, const struct pool *p)
{
	struct xr_value *oc = NULL;
	struct xapi_error e;
	char ref[128];

	if (coord_power_read(x, ref, sizeof(ref), &oc, &e) == -1) {
		coord_power_event(st, p, "could not check auto_poweron: %s; if "
		    "other_config:%s is set, set auto_poweron=true by hand",
		    xapi_strerror(&e), COORD_POWER_MARK);
		return;
	}
	if (xr_get(oc, COORD_POWER_MARK) == NULL)
		goto out;
	if (coord_power_set(x, ref, "auto_poweron", "true", &e) == -1) {
		coord_power_event(st, p, "could not turn auto_poweron back on: "
		    "%s; run xe pool-param-set other-config:auto_poweron=true",
		    xapi_strerror(&e));
		goto out;
	}
	if (xapi_call_s(x, "pool.remove_from_other_config", NULL, &e, ref,
	    COORD_POWER_MARK, NULL) == -1)
		coord_power_event(st, p, "auto_poweron is back on, but "
		    "other_config:%s stayed: %s", COORD_POWER_MARK,
		    xapi_strerror(&e));
	else
		coord_power_event(st, p, "auto_poweron turned back on");
out:
	xr_free(oc);
}
