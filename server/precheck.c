/* precheck.c — the prechecks of a rolling upgrade and its plan; see
 * precheck.h. Each check is a function in precheck_checks[] that reads
 * the snapshot in struct precheck_ctx and adds its verdict(s) to the
 * report; only the evacuation check asks XAPI more.
 */
#include "precheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pool.h"
#include "precheck_facts.h"
#include "precheck_host.h"
#include "precheck_vm.h"
#include "rules.h"
#include "util.h"
#include "xmlrpc.h"

/* What every check reads, and the report it writes. */
struct precheck_ctx {
	const struct config *cfg;
	const struct pool *p;
	const struct repo *repo;
	struct xapi	*x;
	struct pool_snapshot s;
	int		 disable_ha;
	char		*from_version;	/* of the first host to upgrade */
	int		 mixed;		/* hosts to upgrade on other versions */
	struct precheck_report *r;
	int		 oom;
	struct precheck_facts f;	/* for the wizard's checks */
	int		 have_f;
};

struct precheck_check {
	const char *name;
	void	  (*fn)(struct precheck_ctx *pc, const char *name);
};

static void
precheck_add(struct precheck_ctx *pc, const char *name, int ok,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
precheck_add(struct precheck_ctx *pc, const char *name, int ok,
    const char *fmt, ...)
{
	struct precheck_report *r = pc->r;
	struct precheck_item *nv;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((nv = realloc(r->checks, (r->nchecks + 1) * sizeof(*nv))) == NULL) {
		pc->oom = 1;
		return;
	}
	r->checks = nv;
	if ((nv[r->nchecks].message = strdup(msg)) == NULL) {
		pc->oom = 1;
		return;
	}
	nv[r->nchecks].name = name;
	nv[r->nchecks].ok = ok;
	r->nchecks++;
	if (!ok)
		r->failed++;
}

/* inventory <-> XAPI */
static void
precheck_inventory(struct precheck_ctx *pc, const char *name)
{
	const struct pool *p = pc->p;
	struct sbuf b = { .max = 4096 };
	size_t i;
	int ok = 1;

	for (i = 0; i < pc->s.nhosts; i++) {
		const struct host *h = config_host(pc->cfg, pc->s.hosts[i].name);

		if (h == NULL || h->pool != p) {
			ok = 0;
			sbuf_printf(&b, "%sXAPI host '%s' is not in the inventory "
			    "as a member of pool %s (add [host %s] with pool = "
			    "%s, mac and disk)", b.len ? "; " : "",
			    pc->s.hosts[i].name, p->name, pc->s.hosts[i].name,
			    p->name);
		}
	}
	for (i = 0; i < pc->cfg->nhosts; i++) {
		const struct host *h = &pc->cfg->hosts[i];

		if (h->pool == p && pool_snapshot_host(&pc->s, h->name) == NULL) {
			ok = 0;
			sbuf_printf(&b, "%sinventory host '%s' (line %d) is not "
			    "in the XAPI pool (its name_label must match)",
			    b.len ? "; " : "", h->name, h->line);
		}
		if (h->pool == p && h->mode != MODE_UPGRADE) {
			ok = 0;
			sbuf_printf(&b, "%sinventory host '%s' is in mode %s; a "
			    "rolling upgrade only serves mode upgrade (set mode "
			    "= upgrade or remove it)", b.len ? "; " : "", h->name,
			    config_mode_name(h->mode));
		}
	}
	precheck_add(pc, name, ok, "%s", ok ? "every pool host has a MAC and a "
	    "disk in the inventory" : b.p);
	sbuf_free(&b);
}

static void
precheck_live(struct precheck_ctx *pc, const char *name)
{
	struct sbuf b = { .max = 4096 };
	size_t i;
	int ok = 1;

	for (i = 0; i < pc->s.nhosts; i++) {
		const struct pool_host *h = &pc->s.hosts[i];

		if (!h->live) {
			ok = 0;
			sbuf_printf(&b, "%s%s is not live (power it on or fix it "
			    "before upgrading)", b.len ? "; " : "", h->name);
		} else if (!h->enabled) {
			ok = 0;
			sbuf_printf(&b, "%s%s is disabled (maintenance mode?): "
			    "enable it with xe host-enable", b.len ? "; " : "",
			    h->name);
		}
	}
	precheck_add(pc, name, ok, "%s", ok ? "every host is live and enabled" :
	    b.p);
	sbuf_free(&b);
}

static void
precheck_ha(struct precheck_ctx *pc, const char *name)
{
	if (pc->s.ha_enabled && !pc->disable_ha)
		precheck_add(pc, name, 0, "HA is enabled on pool %s: disable it "
		    "(xe pool-ha-disable) or pass --disable-ha to have poolboot "
		    "turn it off now and back on at the end", pc->p->name);
	else
		precheck_add(pc, name, 1, "%s", pc->s.ha_enabled ? "HA is on; "
		    "poolboot will turn it off and restore it at the end" :
		    "HA is off");
}

static void
precheck_wlb(struct precheck_ctx *pc, const char *name)
{
	if (pc->s.wlb_enabled && !pc->disable_ha)
		precheck_add(pc, name, 0, "WLB is enabled on pool %s: disable it "
		    "or pass --disable-ha to have poolboot turn it off and back "
		    "on", pc->p->name);
	else
		precheck_add(pc, name, 1, "%s", pc->s.wlb_enabled ? "WLB is on; "
		    "poolboot will turn it off and restore it" : "WLB is off");
}

static void
precheck_cds(struct precheck_ctx *pc, const char *name)
{
	struct sbuf b = { .max = 4096 };
	size_t i;
	int ok = 1;

	for (i = 0; i < pc->s.nvms; i++)
		if (pc->s.vms[i].cd_inserted && !pc->s.vms[i].control) {
			ok = 0;
			sbuf_printf(&b, "%s%s", b.len ? ", " : "",
			    pc->s.vms[i].name);
		}
	if (ok)
		precheck_add(pc, name, 1, "no VM has a CD inserted");
	else
		precheck_add(pc, name, 0, "VMs with a CD in their drive cannot be "
		    "migrated: eject it from %s (xe vm-cd-eject)", b.p);
	sbuf_free(&b);
}

/* Appends host h's VMs that prevent evacuation (XAPI's answer res) to b. */
static void
precheck_evacuation_host(struct precheck_ctx *pc, const struct pool_host *h,
    const struct xr_value *res, struct sbuf *b)
{
	size_t j, k;

	for (j = 0; j < res->n; j++) {
		const char *vmname = res->keys[j];
		const struct xr_value *reason = res->items[j];

		for (k = 0; k < pc->s.nvms; k++)
			if (strcmp(pc->s.vms[k].ref, res->keys[j]) == 0)
				vmname = pc->s.vms[k].name;
		sbuf_printf(b, "%s%s on %s (%s)", b->len ? "; " : "", vmname,
		    h->name, reason != NULL && reason->type == XR_ARRAY &&
		    reason->n > 0 && xr_str(reason->items[0]) ?
		    xr_str(reason->items[0]) : "reason not given");
	}
}

/* VMs that prevent evacuation: one XAPI call per host. */
static void
precheck_evacuation(struct precheck_ctx *pc, const char *name)
{
	struct sbuf b = { .max = 4096 };
	struct xapi_error xe;
	size_t i;
	int ok = 1;

	memset(&xe, 0, sizeof(xe));
	for (i = 0; i < pc->s.nhosts; i++) {
		struct xr_value *res = NULL;

		if (xapi_call_s(pc->x, "host.get_vms_which_prevent_evacuation",
		    &res, &xe, pc->s.hosts[i].ref, NULL, NULL) == -1) {
			ok = 0;
			sbuf_printf(&b, "%s%s: cannot ask XAPI: %s", b.len ? "; " :
			    "", pc->s.hosts[i].name, xapi_strerror(&xe));
			continue;
		}
		if (res != NULL && res->type == XR_STRUCT && res->n > 0) {
			ok = 0;
			precheck_evacuation_host(pc, &pc->s.hosts[i], res, &b);
		}
		xr_free(res);
	}
	if (ok)
		precheck_add(pc, name, 1, "no VM prevents evacuation");
	else
		precheck_add(pc, name, 0, "VMs that cannot be migrated off their "
		    "host: %s; shut them down, move their local disks or fix the "
		    "reason", b.p);
	sbuf_free(&b);
}

/* When host H is upgraded, the others must hold H's VMs. */
static void
precheck_memory(struct precheck_ctx *pc, const char *name)
{
	const struct pool_snapshot *s = &pc->s;
	struct sbuf b = { .max = 4096 };
	size_t i, j;
	int ok = 1;

	for (i = 0; i < s->nhosts; i++) {
		int64_t need = 0, avail = 0;

		for (j = 0; j < s->nvms; j++)
			if (s->vms[j].running && !s->vms[j].control &&
			    strcmp(s->vms[j].resident_on, s->hosts[i].ref) == 0)
				need += s->vms[j].memory;
		for (j = 0; j < s->nhosts; j++)
			if (j != i)
				avail += s->hosts[j].mem_free;
		if (need > avail) {
			ok = 0;
			sbuf_printf(&b, "%s%s runs VMs needing %lld MiB but the "
			    "other hosts have %lld MiB free", b.len ? "; " : "",
			    s->hosts[i].name, (long long)(need >> 20),
			    (long long)(avail >> 20));
		}
	}
	precheck_add(pc, name, ok, "%s", ok ? "the other hosts can hold every "
	    "host's running VMs in turn (N-1)" : b.p);
	if (!ok)
		precheck_add(pc, "free memory (what to do)", 0, "shut down or move "
		    "some VMs so that N-1 hosts can hold them all");
	sbuf_free(&b);
}

static void
precheck_same_version(struct precheck_ctx *pc, const char *name)
{
	struct sbuf b = { .max = 4096 };
	size_t i;

	for (i = 0; i < pc->s.nhosts; i++)
		sbuf_printf(&b, "%s%s %s", i ? ", " : "", pc->s.hosts[i].name,
		    pc->s.hosts[i].version);
	if (!pc->mixed)
		precheck_add(pc, name, 1, "hosts: %s", b.p ? b.p : "none");
	else
		precheck_add(pc, name, 0, "the hosts run different versions "
		    "(%s): bring them to one version (and the same hotfixes) "
		    "first", b.p);
	sbuf_free(&b);
}

static void
precheck_repo_version(struct precheck_ctx *pc, const char *name)
{
	const struct repo *repo = pc->repo;
	size_t i;
	int newer = 0;

	for (i = 0; i < pc->s.nhosts; i++)
		if (rules_version_cmp(pc->s.hosts[i].version,
		    repo->product_version) > 0)
			newer = 1;
	if (newer)
		precheck_add(pc, name, 0, "some hosts run a newer version than "
		    "repo %s (%s): a downgrade is not an upgrade", repo->name,
		    repo->product_version);
	else if (pc->from_version == NULL)
		precheck_add(pc, name, 1, "every host already runs %s: nothing to "
		    "upgrade", repo->product_version);
	else
		precheck_add(pc, name, 1, "repo %s has %s, newer than the hosts' "
		    "%s", repo->name, repo->product_version, pc->from_version);
}

/* When the hosts of the pool run more than one product: -1 with them
 * listed in b by brand ("XCP-ng: a, b; Citrix Hypervisor: c"); else 0.
 * Hosts whose brand XAPI does not name are not counted. */
static int
precheck_one_product(const struct precheck_ctx *pc, struct sbuf *b)
{
	const struct pool_host *h = pc->s.hosts;
	size_t i, j, k;
	int mixed = 0;

	for (i = 0; i < pc->s.nhosts; i++)
		for (j = 0; j < i; j++)
			if (!rules_same_product(h[i].brand, h[j].brand))
				mixed = 1;
	if (!mixed)
		return 0;
	for (i = 0; i < pc->s.nhosts; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(h[i].brand, h[j].brand) == 0)
				break;
		if (j < i || h[i].brand[0] == '\0')
			continue;	/* brand listed already, or none */
		sbuf_printf(b, "%s%s: ", b->len ? "; " : "", h[i].brand);
		for (k = i; k < pc->s.nhosts; k++)
			if (strcmp(h[k].brand, h[i].brand) == 0)
				sbuf_printf(b, "%s%s", k == i ? "" : ", ",
				    h[k].name);
	}
	return -1;
}

/* The product brand (XAPI's) of the hosts to upgrade: that of the first
 * host not on the repo's version, or of the first host when all are. */
static const char *
precheck_from_brand(const struct precheck_ctx *pc)
{
	size_t i;

	for (i = 0; i < pc->s.nhosts; i++)
		if (rules_version_cmp(pc->s.hosts[i].version,
		    pc->repo->product_version) != 0)
			return pc->s.hosts[i].brand;
	return pc->s.nhosts > 0 ? pc->s.hosts[0].brand : "";
}

/* The path from the hosts' product and version to the repo's, by the
 * rules of upgrade_paths (rules.h): one product for the whole pool (XAPI's
 * product_brand of every host), the repo's product the same (its
 * .treeinfo brand), then a rule allowing the versions. When every host
 * already runs the repo's version only the products are checked (XCP-ng
 * 8.2.1 and Citrix Hypervisor 8.2.1 are not one thing), and a verdict is
 * added only when they differ. */
static void
precheck_upgrade_path(struct precheck_ctx *pc, const char *name)
{
	const struct repo *repo = pc->repo;
	const char *rb = repo->product_brand ? repo->product_brand : "";
	struct rules *rules = NULL;
	struct strlist rerr = { 0 };
	struct sbuf b = { .max = 2048 };
	char err[1024];
	const char *fb;

	if (pc->s.nhosts == 0)
		return;
	if (precheck_one_product(pc, &b) == -1) {
		precheck_add(pc, name, 0, "pool %s mixes products (%s): a pool "
		    "runs one product, and poolboot upgrades it with an ISO of "
		    "that product; make every host the same product before a "
		    "rolling upgrade", pc->p->name, b.p);
		goto out;
	}
	fb = precheck_from_brand(pc);
	if (!rules_brand_check(fb, rb, err, sizeof(err))) {
		precheck_add(pc, name, 0, "the hosts of pool %s run %s %s and "
		    "repo %s holds %s %s. %s", pc->p->name, fb,
		    pc->from_version ? pc->from_version : repo->product_version,
		    repo->name, rb, repo->product_version, err);
		goto out;
	}
	if (pc->from_version == NULL)
		goto out;
	if (rules_load(pc->cfg->upgrade_paths, &rules, &rerr) == -1)
		precheck_add(pc, name, 0, "%s", rerr.n ? rerr.v[0] :
		    "cannot load the upgrade-path rules");
	else
		precheck_add(pc, name, rules_allow_brand(rules, fb,
		    pc->from_version, rb, repo->product_version, err,
		    sizeof(err)), "%s%s%s%s", err, *rb ? "" : " (repo ",
		    *rb ? "" : repo->name, *rb ? "" : "'s .treeinfo names no "
		    "product brand: [branding] name or [system-v1] "
		    "product_name)");
out:
	rules_free(rules);
	strlist_free(&rerr);
	sbuf_free(&b);
}

/* The files of need[from..to) missing from tftp-root, into b. */
static void
precheck_missing(const struct config *cfg, const char *const *need,
    size_t from, size_t to, struct sbuf *b)
{
	char path[4096];
	size_t i;

	for (i = from; i < to; i++) {
		snprintf(path, sizeof(path), "%s/%s", cfg->tftp_root, need[i]);
		if (access(path, R_OK) == -1)
			sbuf_printf(b, "%s%s", b->len ? ", " : "", need[i]);
	}
}

/* The boot files of the firmware of the pool's inventory hosts:
 * pxelinux's for bios and auto (and when none is in the inventory),
 * GRUB's for uefi; GRUB's missing for auto hosts is only said. */
static void
precheck_boot_files(struct precheck_ctx *pc, const char *name)
{
	const struct config *cfg = pc->cfg;
	const char *loader = cfg->boot_files == BOOT_FILES_HTTP ?
	    "lpxelinux.0" : "pxelinux.0";
	const char *need[] = { loader, "ldlinux.c32", "mboot.c32",
	    "libcom32.c32", "grub/grubx64.efi", "grub/grub.cfg" };
	struct sbuf b = { .max = 2048 }, soft = { .max = 2048 };
	int pxe = 0, uefi = 0, any = 0;
	size_t i;

	for (i = 0; i < cfg->nhosts; i++) {
		if (cfg->hosts[i].pool != pc->p)
			continue;
		any = 1;
		if (cfg->hosts[i].firmware == HOST_FIRMWARE_UEFI)
			uefi = 1;
		else {
			pxe = 1;
			if (cfg->hosts[i].firmware == HOST_FIRMWARE_AUTO)
				any = 2;
		}
	}
	if (!any)
		pxe = 1;
	if (pxe)
		precheck_missing(cfg, need, 0, 4, &b);
	if (uefi || any == 2)
		precheck_missing(cfg, need, 4, 6, uefi ? &b : &soft);
	if (b.len == 0)
		precheck_add(pc, name, 1, "tftp-root %s has %s%s%s%s%s",
		    cfg->tftp_root, pxe ? loader : "", pxe ? ", ldlinux.c32, "
		    "mboot.c32 and libcom32.c32" : "", uefi ? (pxe ?
		    ", grub/grubx64.efi and grub/grub.cfg" :
		    "grub/grubx64.efi and grub/grub.cfg") : soft.len ?
		    " (it lacks " : "", uefi || !soft.len ? "" : soft.p,
		    uefi || !soft.len ? "" : ": hosts with firmware = auto can "
		    "boot BIOS only; poolboot init-tftp adds GRUB)");
	else
		precheck_add(pc, name, 0, "tftp-root %s lacks %s: run poolboot "
		    "init-tftp (syslinux from /usr/lib/PXELINUX/ and "
		    "/usr/lib/syslinux/modules/bios/, GRUB from the packages "
		    "grub-common and grub-efi-amd64-bin)", cfg->tftp_root, b.p);
	sbuf_free(&b);
	sbuf_free(&soft);
}

/* Only when XAPI lists no host. */
static void
precheck_hosts(struct precheck_ctx *pc, const char *name)
{
	if (pc->s.nhosts == 0)
		precheck_add(pc, name, 0, "XAPI lists no hosts in this pool");
}

/* ---- the wizard's and Xen Orchestra's checks (precheck_vm.h,
 * precheck_host.h) on the records read into pc->f ---- */

static void
precheck_out_add(void *arg, const char *name, int ok, const char *msg)
{
	precheck_add(arg, name, ok, "%s", msg);
}

/* The out of pc, or NULL (nothing to check) without the records. */
static const struct precheck_out *
precheck_out(struct precheck_ctx *pc, struct precheck_out *o)
{
	o->add = precheck_out_add;
	o->arg = pc;
	return pc->have_f ? o : NULL;
}

static void
precheck_pinned(struct precheck_ctx *pc, const char *name)
{
	struct precheck_out o;

	if (precheck_out(pc, &o) != NULL)
		precheck_vm_pinned(&pc->f, &o, name);
}

static void
precheck_local_disks(struct precheck_ctx *pc, const char *name)
{
	struct precheck_out o;

	if (precheck_out(pc, &o) != NULL)
		precheck_vm_local_disks(&pc->f, &o, name);
}

static void
precheck_storage(struct precheck_ctx *pc, const char *name)
{
	struct precheck_out o;

	if (precheck_out(pc, &o) != NULL)
		precheck_host_pbds(&pc->f, &o, name);
}

static void
precheck_cpu(struct precheck_ctx *pc, const char *name)
{
	struct precheck_out o;

	if (precheck_out(pc, &o) != NULL)
		precheck_vm_cpu(&pc->f, &o, name);
}

static void
precheck_backups(struct precheck_ctx *pc, const char *name)
{
	struct precheck_out o;

	if (precheck_out(pc, &o) != NULL)
		precheck_vm_backups(&pc->f, &o, name);
}

static void
precheck_auto_poweron(struct precheck_ctx *pc, const char *name)
{
	struct precheck_out o;

	if (precheck_out(pc, &o) != NULL)
		precheck_host_auto_poweron(&pc->f, &o, name);
}

static void
precheck_dom0(struct precheck_ctx *pc, const char *name)
{
	struct precheck_out o;

	if (precheck_out(pc, &o) != NULL && pc->from_version != NULL)
		precheck_host_dom0(&pc->f, &o, name,
		    pc->repo->product_version);
}

static void
precheck_pv(struct precheck_ctx *pc, const char *name)
{
	struct precheck_out o;

	if (precheck_out(pc, &o) != NULL && pc->from_version != NULL)
		precheck_vm_pv(&pc->f, &o, name, pc->repo->product_version,
		    pc->repo->product_brand);
}

/* The installer's source is the repo as poolboot serves it
 * (render.c: {public_url}/repo/NAME/), or its mirror's url. */
static void
precheck_space(struct precheck_ctx *pc, const char *name)
{
	struct precheck_out o;
	char url[1024];

	if (precheck_out(pc, &o) == NULL || pc->from_version == NULL)
		return;
	if (pc->repo->url != NULL)
		snprintf(url, sizeof(url), "%s", pc->repo->url);
	else
		snprintf(url, sizeof(url), "%s/repo/%s/", pc->cfg->public_url ?
		    pc->cfg->public_url : "", pc->repo->name);
	precheck_host_space(&pc->f, pc->x, &o, name,
	    pc->repo->product_version, url);
}

static void
precheck_licence(struct precheck_ctx *pc, const char *name)
{
	struct precheck_out o;

	if (precheck_out(pc, &o) != NULL)
		precheck_host_licence(&pc->f, &o, name, util_now());
}

/* The checks in the order they are reported (precheck.h). */
static const struct precheck_check precheck_checks[] = {
	{ "inventory",			precheck_inventory },
	{ "hosts live and enabled",	precheck_live },
	{ "HA",				precheck_ha },
	{ "WLB",			precheck_wlb },
	{ "CD drives",			precheck_cds },
	{ "evacuation",			precheck_evacuation },
	{ "pinned VMs",			precheck_pinned },
	{ "local disks",		precheck_local_disks },
	{ "storage",			precheck_storage },
	{ "CPU compatibility",		precheck_cpu },
	{ "backups",			precheck_backups },
	{ "auto power-on",		precheck_auto_poweron },
	{ "free memory",		precheck_memory },
	{ "dom0 memory",		precheck_dom0 },
	{ "same version",		precheck_same_version },
	{ "repo version",		precheck_repo_version },
	{ "upgrade path",		precheck_upgrade_path },
	{ "PV guests",			precheck_pv },
	{ "free space",			precheck_space },
	{ "licence",			precheck_licence },
	{ "boot files",			precheck_boot_files },
	{ "hosts",			precheck_hosts },
};

/* from_version: the version of the first host not on the repo's version
 * (NULL: none); mixed: another host to upgrade runs a different one. */
static void
precheck_versions(struct precheck_ctx *pc)
{
	size_t i;

	for (i = 0; i < pc->s.nhosts; i++) {
		const char *v = pc->s.hosts[i].version;

		if (rules_version_cmp(v, pc->repo->product_version) == 0)
			continue;	/* already upgraded: skipped */
		if (pc->from_version == NULL)
			pc->from_version = strdup(v);
		else if (rules_version_cmp(pc->from_version, v) != 0)
			pc->mixed = 1;
	}
}

static int
precheck_cmp_name(const void *a, const void *b)
{
	const struct pool_host *const *ha = a, *const *hb = b;

	return strcmp((*ha)->name, (*hb)->name);
}

/* The plan: master first, then members by name. 0, or -1 (memory). */
static int
precheck_plan(struct precheck_ctx *pc)
{
	const struct pool_snapshot *s = &pc->s;
	const struct pool_host **order = NULL;
	struct precheck_report *r = pc->r;
	size_t i, n = 0;

	if ((order = calloc(s->nhosts + 1, sizeof(*order))) == NULL ||
	    (r->plan = calloc(s->nhosts + 1, sizeof(*r->plan))) == NULL) {
		free(order);
		return -1;
	}
	for (i = 0; i < s->nhosts; i++)
		if (s->hosts[i].is_master)
			order[n++] = &s->hosts[i];
	for (i = 0; i < s->nhosts; i++)
		if (!s->hosts[i].is_master)
			order[n++] = &s->hosts[i];
	if (n > 1)
		qsort(order + 1, n - 1, sizeof(*order), precheck_cmp_name);
	for (i = 0; i < n; i++) {
		struct precheck_plan_item *it = &r->plan[i];

		util_strlcpy(it->host, sizeof(it->host), order[i]->name);
		it->is_master = order[i]->is_master;
		util_strlcpy(it->version, sizeof(it->version),
		    order[i]->version);
		it->target = pc->repo->product_version;
		it->skip = rules_version_cmp(order[i]->version,
		    pc->repo->product_version) == 0;
	}
	r->nplan = n;
	free(order);
	return 0;
}

int
precheck_run(const struct config *cfg, const struct pool *p, struct xapi *x,
    int disable_ha, struct precheck_report *out, char *err, size_t errlen)
{
	struct precheck_ctx pc;
	struct xapi_error xe;
	size_t i;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	memset(&pc, 0, sizeof(pc));
	memset(&xe, 0, sizeof(xe));
	pc.cfg = cfg;
	pc.p = p;
	pc.repo = p->repo;
	pc.x = x;
	pc.disable_ha = disable_ha;
	pc.r = out;
	if (pool_snapshot_take(x, &pc.s, 1, &xe) == -1) {
		/* a transport failure names the URL itself (and the call
		 * that got no answer) */
		if (xapi_timed_out(x))
			snprintf(err, errlen, "pool \"%s\": %s (is xapi running "
			    "on the pool's master, and is %s its address? a "
			    "slow pool may need a larger xapi_timeout in [pool "
			    "%s])", p->name, xapi_strerror(&xe), xapi_url(x),
			    p->name);
		else if (xe.transport)
			snprintf(err, errlen, "pool \"%s\": %s", p->name,
			    xapi_strerror(&xe));
		else
			snprintf(err, errlen, "pool \"%s\": cannot read the "
			    "pool from XAPI at %s: %s", p->name, xapi_url(x),
			    xapi_strerror(&xe));
		return -1;
	}
	if (pc.repo == NULL) {
		precheck_add(&pc, "repo", 0, "pool %s has no repo: set repo = "
		    "NAME in [pool %s]", p->name, p->name);
	} else {
		out->target_version = pc.repo->product_version;
		precheck_versions(&pc);
		if (precheck_facts_read(x, &pc.f, &xe) == 0)
			pc.have_f = 1;
		else
			precheck_add(&pc, "pool records", 0, "cannot read the "
			    "pool's VMs, disks and storage from XAPI: %s (the "
			    "checks that need them were not run; fix XAPI or "
			    "the account's rights and try again)",
			    xapi_strerror(&xe));
		for (i = 0; i < sizeof(precheck_checks) /
		    sizeof(precheck_checks[0]); i++)
			precheck_checks[i].fn(&pc, precheck_checks[i].name);
		if (precheck_plan(&pc) == -1)
			pc.oom = 1;
	}
	if (pc.oom) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ret = 0;
out:
	if (ret == -1)
		precheck_report_free(out);
	free(pc.from_version);
	precheck_facts_free(&pc.f);
	pool_snapshot_free(&pc.s);
	return ret;
}

void
precheck_report_free(struct precheck_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nchecks; i++)
		free(r->checks[i].message);
	free(r->checks);
	free(r->plan);
	memset(r, 0, sizeof(*r));
}
