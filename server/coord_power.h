/* coord_power.h — the pool's auto power-on during a rolling upgrade:
 * turned off before the first host is touched and back on when the run
 * finishes or is aborted, as Xen Orchestra's rolling pool reboot does
 * (xo-server src/xapi/mixins/pool.mjs). A host whose xapi starts runs
 * xapi-autostart-vms, which starts every halted VM with
 * other_config:auto_poweron=true when the pool's
 * other_config:auto_poweron is "true" (xen-api scripts/xapi-autostart-
 * vms): an upgraded host would refill itself with VMs the operator had
 * halted. Only the pool's key is changed; the VMs' keys stay.
 *
 * The record of what poolboot turned off is kept in the pool's own
 * database, other_config:COORD_POWER_MARK = "true", written before
 * auto_poweron is turned off and removed after it is back on: a poolboot
 * killed with -9, restarted, or with its state directory lost still
 * restores exactly what it turned off, and the operator sees it in
 * `xe pool-param-get param-name=other-config`. Every change is an event
 * of the pool ("upgrade").
 */
#ifndef POOLBOOT_COORD_POWER_H
#define POOLBOOT_COORD_POWER_H

#include <stddef.h>

#include "config.h"
#include "store.h"
#include "xapi.h"

#define COORD_POWER_MARK	"poolboot_auto_poweron"

/* Turns the pool's auto_poweron off when it is "true" (the mark first).
 * 0 (also when it was off), or -1 with err: auto_poweron is then
 * unchanged or marked, to be restored. */
int   coord_power_off(struct xapi *x, struct store *st, const struct pool *p,
	    char *err, size_t errlen);
/* When the pool carries the mark: auto_poweron back to "true", then the
 * mark removed. Problems are events asking the operator to do it by
 * hand, not failures; a later call tries again. */
void  coord_power_restore(struct xapi *x, struct store *st,
	    const struct pool *p);

#endif
