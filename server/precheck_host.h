/* precheck_host.h — the prechecks about hosts and storage that
 * XenCenter's rolling upgrade wizard and Xen Orchestra make and XAPI
 * shows the facts of (docs/upgrade.md, "Prechecks beside XenCenter and
 * Xen Orchestra"), each reading the records of precheck_facts.h and
 * handing one verdict to out under the name it is given:
 *   storage            every shared SR is plugged on every host (a PBD,
 *                      currently_attached) and no SR is unplugged
 *   dom0 memory        the target's default dom0 memory still leaves
 *                      room for the VMs (a warning when tight)
 *   free space         the host's prepare_host_upgrade.py plugin says
 *                      the installer has room (XenCenter's
 *                      testSafe2Upgrade); a host without the plugin is
 *                      said, not failed
 *   licence            no host's licence has expired or restricts
 *                      rolling upgrades (warnings)
 *   auto power-on      what the pool's other_config:auto_poweron is and
 *                      that the run turns it off and back on
 * Only "free space" calls XAPI (one plugin call a host); nothing here
 * changes the pool.
 */
#ifndef POOLBOOT_PRECHECK_HOST_H
#define POOLBOOT_PRECHECK_HOST_H

#include <stdint.h>

#include "precheck_facts.h"
#include "xapi.h"

void  precheck_host_pbds(const struct precheck_facts *f,
	    const struct precheck_out *out, const char *name);
/* target: the repo's product version. */
void  precheck_host_dom0(const struct precheck_facts *f,
	    const struct precheck_out *out, const char *name,
	    const char *target);
/* Asks each host not on target through x, with repo_url (the installer's
 * source) as the plugin's "url". */
void  precheck_host_space(const struct precheck_facts *f, struct xapi *x,
	    const struct precheck_out *out, const char *name,
	    const char *target, const char *repo_url);
/* now: seconds since the epoch. */
void  precheck_host_licence(const struct precheck_facts *f,
	    const struct precheck_out *out, const char *name, int64_t now);
void  precheck_host_auto_poweron(const struct precheck_facts *f,
	    const struct precheck_out *out, const char *name);

/* The dom0 memory (MiB) XenServer's installer gives a host with total_mib
 * of memory on platforms since 2.9.0: 1 GiB + 5% of (total + 256 MiB),
 * rounded down to 16 MiB, at most 8 GiB (xenserver/python-libs
 * xcp/dom0.py default_memory_v3); an upgrade keeps the larger of this and
 * the old value (host-installer backend.py performInstallation). */
int64_t precheck_host_dom0_default(int64_t total_mib);

#endif
