/* precheck_vm.h — the prechecks about guests that XenCenter's rolling
 * upgrade wizard and Xen Orchestra make and XAPI shows the facts of
 * (docs/upgrade.md, "Prechecks beside XenCenter and Xen Orchestra"),
 * each reading the records of precheck_facts.h and handing one verdict
 * to out under the name it is given:
 *   pinned VMs         no running guest is pinned to its host's devices:
 *                      PCI passthrough (attached_PCIs, other_config:pci),
 *                      vGPUs (VGPUs), VIFs on SR-IOV networks
 *   local disks        no running guest has a disk on a non-shared SR
 *   CPU compatibility  every running guest can live-migrate to another
 *                      host (XAPI's own test: same CPU vendor, the VM's
 *                      last_boot_CPU_flags features a subset of the
 *                      host's); differing hosts are a warning
 *   PV guests          none when the target drops PV support
 *   backups            no backup seems to run (pending snapshot/export
 *                      tasks, VMs whose migration Xen Orchestra blocked)
 * Nothing here changes the pool.
 */
#ifndef POOLBOOT_PRECHECK_VM_H
#define POOLBOOT_PRECHECK_VM_H

#include "precheck_facts.h"

void  precheck_vm_pinned(const struct precheck_facts *f,
	    const struct precheck_out *out, const char *name);
void  precheck_vm_local_disks(const struct precheck_facts *f,
	    const struct precheck_out *out, const char *name);
void  precheck_vm_cpu(const struct precheck_facts *f,
	    const struct precheck_out *out, const char *name);
/* target: the repo's product version; brand: its product brand (NULL:
 * unknown). */
void  precheck_vm_pv(const struct precheck_facts *f,
	    const struct precheck_out *out, const char *name,
	    const char *target, const char *brand);
void  precheck_vm_backups(const struct precheck_facts *f,
	    const struct precheck_out *out, const char *name);

/* Whether the CPU featureset vm (Cpuid.string_of_features: 32-bit hex
 * words joined by '-') is a subset of host's, the shorter zero-extended
 * (xen-api ocaml/libs/cpuid/cpuid.ml is_subset). 1 yes, 0 no, -1 when
 * either does not parse. */
int   precheck_vm_features_subset(const char *vm, const char *host);

#endif
