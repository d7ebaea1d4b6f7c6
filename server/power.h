/* power.h — getting a host to network-boot: per inventory host
 * `power = xapi | ipmi | manual`.
 *   xapi:   host.reboot through the pool (live hosts only; the caller,
 *           which holds the XAPI session, does it — power.c only says so)
 *   ipmi:   ipmitool -I lanplus: one-time `chassis bootdev pxe`, then
 *           `chassis power cycle` when the machine is on or
 *           `chassis power on` when it is off
 *   manual: nothing is sent; the operator is asked ("power on HOST now")
 *           in the CLI, the API and the log, and poolboot waits
 */
#ifndef POOLBOOT_POWER_H
#define POOLBOOT_POWER_H

#include <stddef.h>

#include "config.h"

enum power_rc {
	POWER_OK = 0,		/* the machine is booting into PXE */
	POWER_USE_XAPI,		/* power = xapi: caller reboots through XAPI */
	POWER_MANUAL,		/* operator must power it on; msg says so */
	POWER_FAIL		/* msg says why (ipmitool's own message) */
};

/* Makes h boot from the network once. msg gets what happened or what the
 * operator must do. Blocking (ipmitool runs with a timeout). */
enum power_rc power_pxe_boot(const struct host *h, char *msg, size_t msglen);

/* IPMI only: *on = 1 when the chassis is powered on. 0/-1 (msg). */
int   power_status(const struct host *h, int *on, char *msg, size_t msglen);

const char *power_kind_name(enum power_kind k);	/* "xapi", ... */

#endif
