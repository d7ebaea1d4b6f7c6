/* precheck.h — the prechecks of a rolling upgrade and its plan, read from
 * one snapshot of the pool (pool.h): nothing changes in the pool, the
 * store or the TFTP tree. The coordinator runs them before it starts a run
 * (nothing changes unless they all pass) and for `poolboot precheck`.
 *
 * The checks, in the order they are reported, each a function in a table
 * in precheck.c (a warning is a passed check whose message starts
 * "warning: "):
 *   repo                    the pool has a repo (when not: the only check)
 *   inventory               inventory and XAPI name the same hosts, mode
 *                           upgrade
 *   hosts live and enabled
 *   HA, WLB                 off, or disable_ha (turned off for the run)
 *   CD drives               no VM has a CD inserted
 *   pool records            (only when XAPI refuses the records the
 *                           next checks read: failed)
 *   evacuation              no VM prevents evacuation (one XAPI call a host)
 *   pinned VMs, local disks, storage, CPU compatibility, backups,
 *   auto power-on           XenCenter's and Xen Orchestra's checks
 *                           (precheck_vm.h, precheck_host.h)
 *   free memory             N-1 hosts can hold every host's VMs in turn
 *                           (when not, also "free memory (what to do)")
 *   dom0 memory             (a host needs upgrading) still room once
 *                           the installer grows dom0 (warning)
 *   same version            the hosts to upgrade run one version
 *   repo version            the repo is not older than any host
 *   upgrade path            one product family in the pool, the repo's
 *                           (XCP-ng and XenServer never cross, rules.h);
 *                           then rules.h allows the hosts' brand and
 *                           version -> the repo's (only when a host needs
 *                           upgrading)
 *   PV guests, free space   (a host needs upgrading) the target keeps
 *                           the guests; the installer has room
 *                           (precheck_vm.h, precheck_host.h)
 *   licence                 no licence expired (warning)
 *   boot files              tftp-root has the loader and its modules
 *   hosts                   (only when XAPI lists no host: failed)
 *
 * The plan: the master first, then the members by name; a host already on
 * the target version is skipped.
 */
#ifndef POOLBOOT_PRECHECK_H
#define POOLBOOT_PRECHECK_H

#include <stddef.h>

#include "config.h"
#include "xapi.h"

/* One check's verdict. */
struct precheck_item {
	const char *name;	/* the check's name above: a static string */
	int	 ok;
	char	*message;	/* what was found, and what to do when not ok */
};

/* One host of the plan, in the order the run takes them. */
struct precheck_plan_item {
	char	 host[64];	/* name_label (= the inventory name) */
	int	 is_master;	/* role: master, else member */
	char	 version[64];	/* the version XAPI reports now */
	const char *target;	/* the repo's version (= the report's) */
	int	 skip;		/* action: 1 skip (already on the target),
				 * 0 upgrade */
};

struct precheck_report {
	/* the pool's repo's product version; NULL when the pool has no
	 * repo. Points into the configuration. */
	const char *target_version;
	struct precheck_item *checks;
	size_t	 nchecks;
	size_t	 failed;	/* how many checks failed; 0: all passed */
	struct precheck_plan_item *plan;	/* empty without a repo */
	size_t	 nplan;
};

/* Runs every precheck for pool p (of cfg) against a fresh snapshot read
 * through x, the prechecks that need it with HA/WLB about to be turned
 * off when disable_ha. 0 when XAPI answered: *out holds the verdicts and
 * the plan (out->failed says whether they passed); caller frees with
 * precheck_report_free. -1 when the pool could not be read from XAPI (or
 * out of memory): err says why and *out is empty. */
int   precheck_run(const struct config *cfg, const struct pool *p,
	    struct xapi *x, int disable_ha, struct precheck_report *out,
	    char *err, size_t errlen);
/* Frees what r holds and leaves it empty; an empty r and NULL are fine. */
void  precheck_report_free(struct precheck_report *r);

#endif
