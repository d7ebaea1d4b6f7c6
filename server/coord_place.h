/* coord_place.h — where the VMs of a rolling upgrade end up (the run's
 * placement, issue 13): with "return" (the default) the VMs that ran on a
 * host before its evacuation go back to it once it is upgraded and
 * enabled (the step "return" after "enable", coord_step.h), like
 * XenCenter's wizard; with "leave" they stay where the evacuation put
 * them.
 *
 * Which VMs: the evacuate step records, before Async.host.evacuate, every
 * VM then running on the host (no control domain, template or snapshot;
 * halted and suspended VMs run nowhere) in the store (store_run_vm.h), by
 * uuid and name. Recording again (a restart or retry in the middle of an
 * evacuation) only adds.
 *
 * Moving back, one VM per call of the return step, each looked up afresh
 * in XAPI: a VM that no longer exists, is not running or is already on
 * the host is left as it is; else VM.pool_migrate(vm, host, {}) (live;
 * datamodel_vm.ml pool_migrate: vm, host, options), but never from a host
 * on a newer version than the host it goes to (XAPI refuses that during a
 * rolling upgrade too: NOT_SUPPORTED_DURING_UPGRADE, message_forwarding.ml
 * VM.pool_migrate). Each VM's result is written to the store before the
 * next is looked at, so a VM is never moved twice, and a restarted server
 * goes on with the next. A move that fails is a warning (event, log, the
 * run's report), never a halt: the run goes on.
 *
 * The evacuation itself never puts a VM on an older host: XAPI's
 * evacuation plan only targets hosts whose version is not lower than the
 * evacuated host's (xapi_host.ml compute_evacuation_plan_no_wlb, PR-1007,
 * Helpers.host_versions_not_decreasing), and poolboot upgrades the master
 * first, then one member at a time, so the hosts not yet upgraded are
 * all on the same (oldest) version.
 */
#ifndef POOLBOOT_COORD_PLACE_H
#define POOLBOOT_COORD_PLACE_H

#include <stddef.h>

#include "config.h"
#include "store.h"
#include "xapi.h"

enum coord_placement {
	COORD_PLACE_DEFAULT = 0,	/* the pool's (coord_place_default) */
	COORD_PLACE_RETURN,
	COORD_PLACE_LEAVE
};

/* "return", "leave" ("" for COORD_PLACE_DEFAULT); never NULL. */
const char *coord_place_name(enum coord_placement pl);
/* "return" or "leave" into *out: 0, else -1 (*out untouched). */
int   coord_place_parse(const char *s, enum coord_placement *out);
/* Pool p's placement when a run does not say: its [pool] placement key
 * (COORD_PLACE_LEAVE for leave), else COORD_PLACE_RETURN. */
enum coord_placement coord_place_default(const struct pool *p);

/* One call for host `host` (its name) of run, set up by the step. */
struct coord_place_ctx {
	struct store	*st;
	const struct pool *p;
	struct xapi	*x;
	const struct run *run;
	const char	*host;
	const char	*home_ref;	/* host's XAPI ref as last read, or
					 * NULL: a hint, checked before use */
	int		 attempts;	/* in/out: tries of the current VM */
	char		 err[256];	/* COORD_PLACE_FAIL: why */
};

/* The evacuate step, before evacuating pc->host (XAPI ref host_ref):
 * records the VMs running on it, unless the run's placement is "leave".
 * 0; -1 with e (a XAPI error); -2 with pc->err (the store failed). */
int   coord_place_record(struct coord_place_ctx *pc, const char *host_ref,
	    struct xapi_error *e);

/* What a turn of the return step did. */
enum coord_place_turn {
	COORD_PLACE_ALL_DONE,	/* no VM left to try: the step is done */
	COORD_PLACE_NEXT,	/* one VM dealt with: call again at once */
	COORD_PLACE_AGAIN,	/* a transient error about a VM: call again
				 * after a backoff (pc->attempts counts) */
	COORD_PLACE_XAPI,	/* the pool could not be read: e, retried
				 * like any step's XAPI error */
	COORD_PLACE_FAIL	/* the store failed: pc->err */
};

/* The return step's turn for pc->host: its next recorded VM not yet
 * tried, looked up afresh and brought back (or not, with the reason
 * recorded and a warning for a failed move). */
enum coord_place_turn coord_place_return(struct coord_place_ctx *pc,
	    struct xapi_error *e);

/* ---- the pure part, unit-tested ---------------------------------------- */

/* A recorded VM as XAPI shows it now. */
struct coord_place_seen {
	int	 exists;
	int	 running;		/* power_state "Running" */
	const char *resident_on;	/* host ref */
	const char *on_version;		/* that host's product version */
};

enum coord_place_action {
	COORD_PLACE_MIGRATE,	/* move it home */
	COORD_PLACE_GONE,	/* deleted meanwhile: "gone" */
	COORD_PLACE_HALTED,	/* not running: "halted" */
	COORD_PLACE_HOME,	/* already on its host: "home" */
	COORD_PLACE_OLDER	/* home is older than where it runs:
				 * "refused" */
};

/* What to do with VM seen, whose home is the host home_ref on version
 * home_version. */
enum coord_place_action coord_place_decide(const struct coord_place_seen *vm,
	    const char *home_ref, const char *home_version);
/* The stored result word of action a ("moved" for COORD_PLACE_MIGRATE
 * once it succeeded). */
const char *coord_place_result(enum coord_place_action a);

#endif
