/* precheck_vm.c — the prechecks about guests; see precheck_vm.h. */
#include "precheck_vm.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "sbuf.h"
#include "xmlrpc.h"

#define PRECHECK_VM_WORDS	64

static void
precheck_vm_say(const struct precheck_out *out, const char *name, int ok,
    const char *msg)
{
	out->add(out->arg, name, ok, msg);
}

/* Whether network ref is an SR-IOV network: its PIFs are SR-IOV logical
 * PIFs (xapi_network_sriov_helpers.ml is_sriov_network). */
static int
precheck_vm_sriov_network(const struct precheck_facts *f, const char *ref)
{
	const struct xr_value *pifs = xr_get(xr_get(f->networks, ref), "PIFs");

	if (!precheck_facts_nonempty(pifs) || xr_str(pifs->items[0]) == NULL)
		return 0;
	return precheck_facts_nonempty(xr_get(xr_get(f->pifs,
	    xr_str(pifs->items[0])), "sriov_logical_PIF_of"));
}

/* The devices that pin VM record vm, "" when none, into b. */
static void
precheck_vm_devices(const struct precheck_facts *f, const struct xr_value *vm,
    struct sbuf *b)
{
	const struct xr_value *vifs = xr_get(vm, "VIFs");
	const char *pci = xr_get_str(xr_get(vm, "other_config"), "pci");
	size_t i;
	int sriov = 0;

	if (precheck_facts_nonempty(xr_get(vm, "attached_PCIs")) ||
	    (pci != NULL && *pci))
		sbuf_printf(b, "%sPCI passthrough", b->len ? ", " : "");
	if (precheck_facts_nonempty(xr_get(vm, "VGPUs")))
		sbuf_printf(b, "%svGPU", b->len ? ", " : "");
	for (i = 0; vifs != NULL && vifs->type == XR_ARRAY && i < vifs->n; i++) {
		const char *net = xr_get_str(xr_get(f->vifs,
		    xr_str(vifs->items[i])), "network");

		if (net != NULL && precheck_vm_sriov_network(f, net))
			sriov = 1;
	}
	if (sriov)
		sbuf_printf(b, "%sSR-IOV VIF", b->len ? ", " : "");
}

void
precheck_vm_pinned(const struct precheck_facts *f,
    const struct precheck_out *out, const char *name)
{
	struct sbuf b = { .max = 4096 }, msg = { .max = 4096 };
	size_t i;

	for (i = 0; i < f->vms->n; i++) {
		const struct xr_value *vm = f->vms->items[i];
		struct sbuf dev = { .max = 256 };

		if (!precheck_facts_guest(vm) || !precheck_facts_running(vm))
			continue;
		precheck_vm_devices(f, vm, &dev);
		if (dev.len)
			sbuf_printf(&b, "%s%s on %s (%s)", b.len ? "; " : "",
			    precheck_facts_name(f->vms, f->vms->keys[i]),
			    precheck_facts_name(f->hosts, xr_get_str(vm,
			    "resident_on")), dev.p);
		sbuf_free(&dev);
	}
	if (b.len == 0)
		precheck_vm_say(out, name, 1, "no running VM is pinned to a "
		    "PCI device, a vGPU or an SR-IOV network");
	else {
		sbuf_printf(&msg, "VMs pinned to their host's devices cannot "
		    "be migrated: %s; shut them down for the upgrade (xe "
		    "vm-shutdown) and start them again once their host is "
		    "upgraded, or detach the device (xe vgpu-destroy, xe "
		    "vm-param-remove param-name=other-config param-key=pci, a "
		    "VIF on a network without SR-IOV)", b.p);
		precheck_vm_say(out, name, 0, msg.p);
	}
	sbuf_free(&b);
	sbuf_free(&msg);
}

/* The non-shared SR of one of VM record vm's disks, or NULL. */
static const char *
precheck_vm_local_sr(const struct precheck_facts *f, const struct xr_value *vm)
{
	const struct xr_value *vbds = xr_get(vm, "VBDs");
	size_t i;

	for (i = 0; vbds != NULL && vbds->type == XR_ARRAY && i < vbds->n; i++) {
		const struct xr_value *vbd = xr_get(f->vbds,
		    xr_str(vbds->items[i]));
		const char *type = xr_get_str(vbd, "type"), *sr;

		if (vbd == NULL || (type != NULL && strcmp(type, "CD") == 0) ||
		    xr_get_bool(vbd, "empty", 0))
			continue;
		sr = xr_get_str(xr_get(f->vdis, xr_get_str(vbd, "VDI")), "SR");
		if (sr != NULL && xr_get(f->srs, sr) != NULL &&
		    !xr_get_bool(xr_get(f->srs, sr), "shared", 0))
			return sr;
	}
	return NULL;
}

void
precheck_vm_local_disks(const struct precheck_facts *f,
    const struct precheck_out *out, const char *name)
{
	struct sbuf b = { .max = 4096 }, msg = { .max = 4096 };
	size_t i;

	for (i = 0; i < f->vms->n; i++) {
		const struct xr_value *vm = f->vms->items[i];
		const char *sr;

		if (!precheck_facts_guest(vm) || !precheck_facts_running(vm) ||
		    (sr = precheck_vm_local_sr(f, vm)) == NULL)
			continue;
		sbuf_printf(&b, "%s%s on %s (SR '%s')", b.len ? "; " : "",
		    precheck_facts_name(f->vms, f->vms->keys[i]),
		    precheck_facts_name(f->hosts, xr_get_str(vm, "resident_on")),
		    precheck_facts_name(f->srs, sr));
	}
	if (b.len == 0)
		precheck_vm_say(out, name, 1, "no running VM has a disk on "
		    "local storage");
	else {
		sbuf_printf(&msg, "running VMs with disks on local (not shared) "
		    "storage cannot be evacuated: %s; move their disks to a "
		    "shared SR (xe vdi-pool-migrate, or XenCenter's Move) or "
		    "shut them down for the upgrade", b.p);
		precheck_vm_say(out, name, 0, msg.p);
	}
	sbuf_free(&b);
	sbuf_free(&msg);
}

/* Parses a featureset into w (at most PRECHECK_VM_WORDS words); the
 * number of words, or -1. "" is 0 words. */
static int
precheck_vm_words(const char *s, uint32_t *w)
{
	int n = 0;

	while (s != NULL && *s) {
		char *end;
		unsigned long v;

		if (n == PRECHECK_VM_WORDS)
			return -1;
		errno = 0;
		v = strtoul(s, &end, 16);
		if (end == s || errno != 0 || v > 0xffffffffUL ||
		    (*end != '-' && *end != '\0') ||
		    (*end == '-' && end[1] == '\0'))
			return -1;	/* cpuid.ml: InvalidFeatureString */
		w[n++] = (uint32_t)v;
		s = *end == '-' ? end + 1 : end;
	}
	return s == NULL ? -1 : n;
}

int
precheck_vm_features_subset(const char *vm, const char *host)
{
	uint32_t a[PRECHECK_VM_WORDS], b[PRECHECK_VM_WORDS];
	int na, nb, i;

	if ((na = precheck_vm_words(vm, a)) == -1 ||
	    (nb = precheck_vm_words(host, b)) == -1)
		return -1;
	for (i = 0; i < na; i++)
		if ((a[i] & ~(i < nb ? b[i] : 0)) != 0)
			return 0;
	return 1;
}

/* Whether the running VM vm could start on host record h by XAPI's test
 * (cpuid_helpers.ml assert_vm_is_compatible): the vendor of its
 * last_boot_CPU_flags is the host's, its "features" a subset of the
 * host's cpu_info features_hvm (features_pv for a PV guest). What a
 * record does not say does not count against it. */
static int
precheck_vm_cpu_fits(const struct xr_value *vm, const struct xr_value *h)
{
	const struct xr_value *flags = xr_get(vm, "last_boot_CPU_flags");
	const struct xr_value *ci = xr_get(h, "cpu_info");
	const char *dt = xr_get_str(vm, "domain_type");
	const char *vv = xr_get_str(flags, "vendor");
	const char *hv = xr_get_str(ci, "vendor");
	const char *vf = xr_get_str(flags, "features");
	const char *hf = xr_get_str(ci, dt != NULL && strcmp(dt, "pv") == 0 ?
	    "features_pv" : "features_hvm");

	if (vv != NULL && hv != NULL && strcmp(vv, hv) != 0)
		return 0;
	return vf == NULL || hf == NULL ||
	    precheck_vm_features_subset(vf, hf) != 0;
}

/* Hosts whose CPU vendor or migration features differ from the first
 * host's, into b. */
static void
precheck_vm_cpu_differ(const struct precheck_facts *f, struct sbuf *b)
{
	const struct xr_value *c0 = xr_get(f->hosts->items[0], "cpu_info");
	const char *v0 = xr_get_str(c0, "vendor");
	const char *f0 = xr_get_str(c0, "features_hvm");
	size_t i;

	for (i = 1; i < f->hosts->n; i++) {
		const struct xr_value *ci = xr_get(f->hosts->items[i],
		    "cpu_info");
		const char *v = xr_get_str(ci, "vendor");
		const char *fe = xr_get_str(ci, "features_hvm");

		if (v0 != NULL && v != NULL && strcmp(v0, v) != 0)
			sbuf_printf(b, "%s%s has %s CPUs, %s %s", b->len ? "; " :
			    "", precheck_facts_name(f->hosts, f->hosts->keys[i]),
			    v, precheck_facts_name(f->hosts, f->hosts->keys[0]),
			    v0);
		else if (f0 != NULL && fe != NULL && strcmp(f0, fe) != 0)
			sbuf_printf(b, "%s%s's CPU features differ from %s's",
			    b->len ? "; " : "", precheck_facts_name(f->hosts,
			    f->hosts->keys[i]), precheck_facts_name(f->hosts,
			    f->hosts->keys[0]));
	}
}

void
precheck_vm_cpu(const struct precheck_facts *f,
    const struct precheck_out *out, const char *name)
{
	struct sbuf bad = { .max = 4096 }, dif = { .max = 2048 },
	    msg = { .max = 8192 };
	size_t i, j;

	for (i = 0; i < f->vms->n; i++) {
		const struct xr_value *vm = f->vms->items[i];
		const char *own = xr_get_str(vm, "resident_on");
		int others = 0, fit = 0;

		if (!precheck_facts_guest(vm) || !precheck_facts_running(vm))
			continue;
		for (j = 0; j < f->hosts->n; j++) {
			if (own != NULL && strcmp(own, f->hosts->keys[j]) == 0)
				continue;
			others++;
			fit += precheck_vm_cpu_fits(vm, f->hosts->items[j]);
		}
		if (others > 0 && fit == 0)
			sbuf_printf(&bad, "%s%s on %s", bad.len ? ", " : "",
			    precheck_facts_name(f->vms, f->vms->keys[i]),
			    precheck_facts_name(f->hosts, own));
	}
	if (f->hosts->n > 0)
		precheck_vm_cpu_differ(f, &dif);
	if (bad.len)
		sbuf_printf(&msg, "no other host has the CPU vendor and features "
		    "these running VMs were booted with, so XAPI refuses to "
		    "migrate them (VM_INCOMPATIBLE_WITH_THIS_HOST): %s%s%s; shut "
		    "them down and start them again (they then boot with the "
		    "pool's common CPU features), or shut them down for the "
		    "upgrade", bad.p, dif.len ? "; " : "", dif.len ? dif.p : "");
	else if (dif.len)
		sbuf_printf(&msg, "warning: %s; every running VM can still move "
		    "to another host, but a VM started on a newer CPU may not; "
		    "keep a pool to one CPU vendor and generation", dif.p);
	else
		sbuf_printf(&msg, "every running VM can live-migrate to another "
		    "host (same CPU vendor and features)");
	precheck_vm_say(out, name, bad.len == 0, msg.p);
	sbuf_free(&bad);
	sbuf_free(&dif);
	sbuf_free(&msg);
}

/* PV support by target: XenCenter's PVGuestsCheck refuses an upgrade to
 * platform 3.2.1 (Citrix Hypervisor 8.2 CU1, product 8.2.1) and later
 * with PV guests and warns from 8.1, where Citrix removed PV support
 * (Messages.resx POOL_HAS_PV_GUEST_WARNING: "Support for paravirtualized
 * (PV) guests has been removed in ..."). XCP-ng keeps running PV guests
 * but no longer supports them: a warning. */
void
precheck_vm_pv(const struct precheck_facts *f, const struct precheck_out *out,
    const char *name, const char *target, const char *brand)
{
	struct sbuf b = { .max = 4096 }, msg = { .max = 4096 };
	int xcpng = brand != NULL && strcasestr(brand, "xcp-ng") != NULL;
	size_t i;

	for (i = 0; i < f->vms->n; i++) {
		const struct xr_value *vm = f->vms->items[i];
		const char *hvm = xr_get_str(vm, "HVM_boot_policy");

		/* XenCenter's VM.IsPvVm: HVM_boot_policy "" and no
		 * other_config:pvcheckpass */
		if (precheck_facts_guest(vm) && hvm != NULL && *hvm == '\0' &&
		    xr_get(xr_get(vm, "other_config"), "pvcheckpass") == NULL)
			sbuf_printf(&b, "%s%s", b.len ? ", " : "",
			    precheck_facts_name(f->vms, f->vms->keys[i]));
	}
	if (b.len == 0)
		precheck_vm_say(out, name, 1, "no PV guests");
	else if (!xcpng && rules_version_cmp(target, "8.2.1") >= 0) {
		sbuf_printf(&msg, "%s %s does not support PV guests: %s; convert "
		    "them to HVM (a kernel with PV drivers booted in HVM mode: "
		    "xe vm-param-set HVM-boot-policy=\"BIOS order\" "
		    "PV-bootloader=\"\") or remove them before the upgrade",
		    brand != NULL ? brand : "version", target, b.p);
		precheck_vm_say(out, name, 0, msg.p);
	} else if (rules_version_cmp(target, "8.1") >= 0) {
		sbuf_printf(&msg, "warning: PV guests are no longer supported "
		    "in %s %s: %s; convert them to HVM after the upgrade",
		    brand != NULL ? brand : "version", target, b.p);
		precheck_vm_say(out, name, 1, msg.p);
	} else {
		sbuf_printf(&msg, "PV guests (%s) still run on %s", b.p, target);
		precheck_vm_say(out, name, 1, msg.p);
	}
	sbuf_free(&b);
	sbuf_free(&msg);
}

/* The names of the tasks a backup runs: XAPI names a task after its
 * call ("Async.VM.snapshot"); Xen Orchestra creates "VM export" and
 * "Exporting content of VDI ..." (@xen-orchestra/xapi vm.mjs, vdi.mjs). */
static const char *const precheck_vm_backup_tasks[] = {
	"Async.VM.snapshot", "Async.VM.checkpoint", "Async.VDI.snapshot",
	"Async.VM.copy", "VM.snapshot", "VM.checkpoint", "VDI.snapshot",
	"VM export", "Exporting content of VDI",
};

/* Pending tasks that look like a backup, into b. */
static void
precheck_vm_backup_tasks_of(const struct precheck_facts *f, struct sbuf *b)
{
	size_t i, k;

	for (i = 0; i < f->tasks->n; i++) {
		const char *st = xr_get_str(f->tasks->items[i], "status");
		const char *nl = xr_get_str(f->tasks->items[i], "name_label");

		if (st == NULL || strcmp(st, "pending") != 0 || nl == NULL)
			continue;
		for (k = 0; k < sizeof(precheck_vm_backup_tasks) /
		    sizeof(precheck_vm_backup_tasks[0]); k++)
			if (strncmp(nl, precheck_vm_backup_tasks[k],
			    strlen(precheck_vm_backup_tasks[k])) == 0) {
				sbuf_printf(b, "%stask '%s'", b->len ? ", " :
				    "", nl);
				break;
			}
	}
}

void
precheck_vm_backups(const struct precheck_facts *f,
    const struct precheck_out *out, const char *name)
{
	struct sbuf b = { .max = 4096 }, msg = { .max = 4096 };
	size_t i;

	precheck_vm_backup_tasks_of(f, &b);
	for (i = 0; i < f->vms->n; i++) {
		const struct xr_value *vm = f->vms->items[i];
		const struct xr_value *bo = xr_get(vm, "blocked_operations");
		const char *why = xr_get_str(bo, "pool_migrate");

		/* Xen Orchestra blocks pool_migrate and migrate_send on a VM
		 * while backing it up (@xen-orchestra/backups
		 * _runners/_vmRunners/_AbstractXapi.mjs) */
		if (why == NULL)
			why = xr_get_str(bo, "migrate_send");
		if (!precheck_facts_guest(vm) || !precheck_facts_running(vm) ||
		    why == NULL)
			continue;
		sbuf_printf(&b, "%sVM %s cannot be migrated (blocked: '%s')",
		    b.len ? ", " : "", precheck_facts_name(f->vms,
		    f->vms->keys[i]), why);
	}
	if (b.len == 0)
		precheck_vm_say(out, name, 1, "no snapshot or export task runs "
		    "and no VM has its migration blocked");
	else {
		sbuf_printf(&msg, "a backup seems to be running: %s; wait for it "
		    "to finish and pause the backup schedules of this pool for "
		    "the upgrade (Xen Orchestra: disable the job's schedule), or "
		    "clear a stale block (xe vm-param-remove "
		    "param-name=blocked-operations param-key=pool_migrate)", b.p);
		precheck_vm_say(out, name, 0, msg.p);
	}
	sbuf_free(&b);
	sbuf_free(&msg);
}
