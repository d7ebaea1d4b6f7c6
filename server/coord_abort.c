/* coord_abort.c — an aborted run's clean-up; see coord_abort.h. */
#include "coord_abort.h"

#include <stdio.h>
#include <string.h>

#include "coord_ha.h"
#include "coord_power.h"
#include "coord_step.h"
#include "log.h"
#include "pool.h"
#include "state.h"
#include "util.h"

/* An event of the pool (host may be NULL), and its log line. */
static void
coord_abort_ev(struct store *st, const struct pool *p, const char *host,
    const char *msg)
{
	store_event(st, host, p->name, "upgrade", "%s", msg);
	log_ctx(PB_LOG_INFO, "coord", p->name, host, "%s", msg);
}

/* Abort, for host h in offline step s: disarm it, re-enable it. */
static void
coord_abort_host(struct store *st, struct arm *arm, const struct pool *p,
    struct xapi *x, struct run *run, struct run_host *h, enum coord_step s)
{
	struct coord_step_cache cache = { 0 };
	struct coord_stepctx hc = { .st = st, .arm = arm, .p = p,
	    .x = x, .run = run, .h = h, .cache = &cache };
	struct pool_snapshot snap;
	const struct pool_host *xh;
	struct xapi_error e;
	char msg[256], ref[128];
	int live, enabled;

	if (s >= STEP_ARM && s <= STEP_INSTALL &&
	    arm_disarm(arm, h->host, msg, sizeof(msg)) == ARM_OK)
		coord_abort_ev(st, p, h->host, "abort: disarmed (local boot)");
	if (x == NULL || coord_step_host_now(&hc, 0, &snap, &xh, &e) == -1)
		return;
	live = xh->live;
	enabled = xh->enabled;
	util_strlcpy(ref, sizeof(ref), xh->ref);
	pool_snapshot_free(&snap);
	if (live && !enabled && xapi_call_s(x, "host.enable", NULL, &e, ref,
	    NULL, NULL) == 0)
		coord_abort_ev(st, p, h->host, "abort: host re-enabled");
	else if (!live)
		coord_abort_ev(st, p, h->host, "abort: host is not live; enable it "
		    "once it is back");
}

void
coord_abort_cleanup(struct store *st, struct arm *arm, const struct pool *p,
    struct xapi *x, struct run *run, struct run_host *hosts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		enum coord_step s;

		if (state_step_parse(hosts[i].step, &s) == -1 ||
		    !coord_step_offline(s))
			continue;
		coord_abort_host(st, arm, p, x, run, &hosts[i], s);
	}
	if (x != NULL) {
		coord_ha_restore(x, st, p, run);
		coord_power_restore(x, st, p);
	}
	util_strlcpy(run->state, sizeof(run->state),
	    state_run_name(RUN_ABORTED));
	run->finished_at = run->updated_at = util_now_ms();
	store_run_update(st, run);
	coord_abort_ev(st, p, NULL, "run aborted by the operator");
}
