/* power.h — getting a host to network-boot: per inventory host
 * `power = xapi | ipmi | redfish | manual`.
 *   xapi:   host.reboot through the pool (live hosts only; the caller,
 *           which holds the XAPI session, does it — power.c only says so)
 *   ipmi:   ipmitool -I lanplus: one-time `chassis bootdev pxe`, then
 *           `chassis power cycle` when the machine is on or
 *           `chassis power on` when it is off
 *   redfish: the BMC's Redfish API (power_redfish.h): a one-time boot
 *           override to Pxe (or UefiHttp), then a ForceRestart when the
 *           system is on or On when it is off
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
	POWER_MANUAL,		/* operator must power it on; err says so */
	POWER_FAIL		/* err says why (ipmitool's or the BMC's own
				   message) */
};

/* Makes h boot from the network once. err (errlen bytes) gets what
 * happened or what the operator must do, whatever the result, and is
 * logged. Blocking: ipmitool runs with a timeout (POOLBOOT_IPMI_TIMEOUT,
 * 30 s by default), up to three times; each Redfish request has one
 * (POOLBOOT_REDFISH_TIMEOUT, 30 s by default, the connect at most 10 s). */
enum power_rc power_pxe_boot(const struct host *h, char *err, size_t errlen);

/* IPMI and Redfish: *on = 1 when the machine is powered on, 0 when off.
 * 0 (err says "chassis power is on|off" or "system power is On|Off"), or
 * -1 (err says why: no BMC, BMC settings missing, ipmitool or the BMC
 * failed). */
int   power_status(const struct host *h, int *on, char *err, size_t errlen);

/* "xapi", "ipmi", "redfish", "manual" ("unknown" out of range); static, never NULL. */
const char *power_kind_name(enum power_kind k);

#endif
