/* precheck_facts.h — the XAPI records the wizard's and Xen Orchestra's
 * prechecks read (precheck_vm.h, precheck_host.h), fetched once per
 * precheck run with one get_all_records call a class, and the way those
 * checks hand their verdicts back to precheck.c. Nothing here changes
 * the pool.
 *
 * Each table is XAPI's answer as it came: a struct of ref -> record
 * (xmlrpc.h; look a record up with xr_get(table, ref)). Field names are
 * the datamodel's (ocaml/idl/datamodel*.ml in xapi-project/xen-api).
 */
#ifndef POOLBOOT_PRECHECK_FACTS_H
#define POOLBOOT_PRECHECK_FACTS_H

#include <stddef.h>

#include "xapi.h"

struct precheck_facts {
	struct xr_value *pools;		/* pool.get_all_records */
	struct xr_value *hosts;
	struct xr_value *metrics;	/* host_metrics */
	struct xr_value *vms;
	struct xr_value *vbds;
	struct xr_value *vdis;
	struct xr_value *srs;
	struct xr_value *pbds;
	struct xr_value *vifs;
	struct xr_value *networks;
	struct xr_value *pifs;
	struct xr_value *tasks;
};

/* Where a check puts its verdict: add(arg, name, ok, message). A warning
 * is ok = 1 with a message starting "warning: ". */
struct precheck_out {
	void	(*add)(void *arg, const char *name, int ok, const char *msg);
	void	 *arg;
};

/* Reads every table through x. 0, or -1 with e (f is then empty). Free
 * with precheck_facts_free. */
int   precheck_facts_read(struct xapi *x, struct precheck_facts *f,
	    struct xapi_error *e);
/* Frees what f holds and leaves it empty; an empty f is fine. */
void  precheck_facts_free(struct precheck_facts *f);

/* The name_label of record ref of table t, or ref itself when unknown.
 * Points into t (or is ref). */
const char *precheck_facts_name(const struct xr_value *t, const char *ref);
/* Whether VM record vm is a guest: not dom0, a template or a snapshot. */
int   precheck_facts_guest(const struct xr_value *vm);
/* Whether VM record vm is running (Running or Paused). */
int   precheck_facts_running(const struct xr_value *vm);
/* Whether set (a XAPI Set of refs) is non-empty. */
int   precheck_facts_nonempty(const struct xr_value *set);

#endif
