/* coord_abort.h — the clean-up of an aborted rolling upgrade (coord.h's
 * coord_abort): every host in an offline step (coord_step_offline) is
 * disarmed (back to local boot) and re-enabled when XAPI shows it live,
 * HA/WLB and auto_poweron are restored (coord_ha.h, coord_power.h), and
 * the run is written aborted, with an event per thing done. Called by the pool's runner, or by coord_abort
 * itself for a run without one. */
#ifndef POOLBOOT_COORD_ABORT_H
#define POOLBOOT_COORD_ABORT_H

#include <stddef.h>

#include "arm.h"
#include "config.h"
#include "store.h"
#include "xapi.h"

/* Aborts run (hosts: its n hosts) of pool p: x may be NULL (no XAPI
 * client): only the disarming then. run is written to st. */
void  coord_abort_cleanup(struct store *st, struct arm *arm,
	    const struct pool *p, struct xapi *x, struct run *run,
	    struct run_host *hosts, size_t n);

#endif
