/* coord_ha.h — HA and WLB of a pool during a rolling upgrade started with
 * disable_ha (coord.h): turned off before the first host is touched and
 * back on when the run finishes or is aborted. The run remembers in the
 * store what poolboot turned off (run.ha_disabled_by_us,
 * run.wlb_disabled_by_us) and HA's heartbeat SRs (run.ha_srs), each
 * written as soon as it is known, so a restarted server restores exactly
 * that and nothing the operator had off. Every change is an event of the
 * pool ("upgrade").
 */
#ifndef POOLBOOT_COORD_HA_H
#define POOLBOOT_COORD_HA_H

#include <stddef.h>

#include "config.h"
#include "store.h"
#include "xapi.h"

/* Turns WLB, then HA, off on the pool x talks to when they are on,
 * recording each in run and writing run to st. 0, or -1 with err (what
 * was already turned off stays recorded, to be restored). */
int   coord_ha_off(struct xapi *x, struct store *st, const struct pool *p,
	    struct run *run, char *err, size_t errlen);
/* Turns back on what coord_ha_off turned off (HA with the recorded SRs),
 * clears those marks and writes run to st. Problems are events asking the
 * operator to do it by hand, not failures. */
void  coord_ha_restore(struct xapi *x, struct store *st, const struct pool *p,
	    struct run *run);

#endif
