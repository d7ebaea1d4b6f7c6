/* precheck_host.c — the prechecks about hosts and storage; see
 * precheck_host.h. */
#include "precheck_host.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "coord_power.h"
#include "rules.h"
#include "sbuf.h"
#include "xmlrpc.h"

static void
precheck_host_say(const struct precheck_out *out, const char *name, int ok,
    const char *msg)
{
	out->add(out->arg, name, ok, msg);
}

/* SR sr's PBD on host h (a record of f->pbds), or NULL; *ref its ref. */
static const struct xr_value *
precheck_host_pbd(const struct precheck_facts *f, const char *sr,
    const char *h, const char **ref)
{
	size_t i;

	for (i = 0; i < f->pbds->n; i++) {
		const char *s = xr_get_str(f->pbds->items[i], "SR");
		const char *ho = xr_get_str(f->pbds->items[i], "host");

		if (s != NULL && ho != NULL && strcmp(s, sr) == 0 &&
		    strcmp(ho, h) == 0) {
			*ref = f->pbds->keys[i];
			return f->pbds->items[i];
		}
	}
	return NULL;
}

/* Shared SRs must be plugged on every host, and no SR's PBD unplugged
 * (XenCenter's PBDsPluggedCheck: an SR a running VM uses that the host
 * cannot see). ISO libraries do not count: CDs are ejected first. */
void
precheck_host_pbds(const struct precheck_facts *f,
    const struct precheck_out *out, const char *name)
{
	struct sbuf b = { .max = 4096 }, msg = { .max = 4096 };
	size_t i, j;

	for (i = 0; i < f->srs->n; i++) {
		const struct xr_value *sr = f->srs->items[i];
		const char *ct = xr_get_str(sr, "content_type");
		const char *srname = precheck_facts_name(f->srs, f->srs->keys[i]);
		int shared = xr_get_bool(sr, "shared", 0);

		if (ct != NULL && strcmp(ct, "iso") == 0)
			continue;
		for (j = 0; j < f->hosts->n; j++) {
			const char *ref = NULL;
			const struct xr_value *pbd = precheck_host_pbd(f,
			    f->srs->keys[i], f->hosts->keys[j], &ref);
			const char *hn = precheck_facts_name(f->hosts,
			    f->hosts->keys[j]);

			if (pbd == NULL && shared)
				sbuf_printf(&b, "%sshared SR '%s' has no PBD on %s "
				    "(create one with the SR's device-config: "
				    "xe pbd-create, then xe pbd-plug)", b.len ?
				    "; " : "", srname, hn);
			else if (pbd != NULL &&
			    !xr_get_bool(pbd, "currently_attached", 0))
				sbuf_printf(&b, "%sSR '%s' is not plugged on %s "
				    "(xe pbd-plug uuid=%s)", b.len ? "; " : "",
				    srname, hn, xr_get_str(pbd, "uuid") ?
				    xr_get_str(pbd, "uuid") : ref);
		}
	}
	if (b.len == 0)
		precheck_host_say(out, name, 1, "every SR is plugged on its "
		    "hosts and every shared SR on every host");
	else {
		sbuf_printf(&msg, "storage a host cannot see: %s; VMs cannot "
		    "move to or start on such a host (repair the SR in XenCenter "
		    "or plug it as said)", b.p);
		precheck_host_say(out, name, 0, msg.p);
	}
	sbuf_free(&b);
	sbuf_free(&msg);
}

int64_t
precheck_host_dom0_default(int64_t total_mib)
{
	int64_t mb = total_mib + 256, m;

	m = (1024 + mb * 5 / 100) & ~(int64_t)0xF;
	return m < 8192 ? m : 8192;
}

/* For host j: its dom0's memory now, the memory its running guests use,
 * its free memory and total (MiB). */
static void
precheck_host_mem(const struct precheck_facts *f, size_t j, int64_t *dom0,
    int64_t *guests, int64_t *free_mib, int64_t *total)
{
	const char *href = f->hosts->keys[j];
	const struct xr_value *m = xr_get(f->metrics,
	    xr_get_str(f->hosts->items[j], "metrics"));
	int64_t v;
	size_t i;

	*dom0 = *guests = *free_mib = *total = 0;
	if (xr_get_int(m, "memory_free", &v) == 0)
		*free_mib = v >> 20;
	if (xr_get_int(m, "memory_total", &v) == 0)
		*total = v >> 20;
	for (i = 0; i < f->vms->n; i++) {
		const struct xr_value *vm = f->vms->items[i];
		const char *on = xr_get_str(vm, "resident_on");

		if (on == NULL || strcmp(on, href) != 0 ||
		    !precheck_facts_running(vm) ||
		    xr_get_int(vm, "memory_static_max", &v) == -1)
			continue;
		if (xr_get_bool(vm, "is_control_domain", 0))
			*dom0 = v >> 20;
		else
			*guests += v >> 20;
	}
}

/* XenCenter's HostMemoryPostUpgradeCheck asks the host's plugin for the
 * new dom0 memory and warns when it grows; poolboot computes it with the
 * installer's formula and warns when the pool then cannot hold each
 * host's VMs in turn, or a host its own VMs. */
void
precheck_host_dom0(const struct precheck_facts *f,
    const struct precheck_out *out, const char *name, const char *target)
{
	struct sbuf grow = { .max = 2048 }, tight = { .max = 2048 },
	    msg = { .max = 4096 };
	int64_t d, g, fr, t, sum = 0, inc[256], need[256], fre[256];
	size_t j, n = f->hosts->n < 256 ? f->hosts->n : 256;

	if (rules_version_cmp(target, "8.0") < 0) {
		precheck_host_say(out, name, 1, "not computed for targets before "
		    "8.0");
		return;
	}
	for (j = 0; j < n; j++) {
		precheck_host_mem(f, j, &d, &g, &fr, &t);
		inc[j] = d > 0 && t > 0 && precheck_host_dom0_default(t) > d ?
		    precheck_host_dom0_default(t) - d : 0;
		need[j] = g;
		fre[j] = fr - inc[j];
		sum += fre[j];
		if (inc[j] > 0)
			sbuf_printf(&grow, "%s%s %lld -> %lld MiB", grow.len ?
			    ", " : "", precheck_facts_name(f->hosts,
			    f->hosts->keys[j]), (long long)d,
			    (long long)(d + inc[j]));
		if (fre[j] < 0)
			sbuf_printf(&tight, "%s%s cannot hold its own VMs again",
			    tight.len ? "; " : "", precheck_facts_name(f->hosts,
			    f->hosts->keys[j]));
	}
	for (j = 0; j < n; j++)
		if (need[j] > sum - fre[j])
			sbuf_printf(&tight, "%sthe other hosts cannot hold %s's "
			    "%lld MiB of VMs", tight.len ? "; " : "",
			    precheck_facts_name(f->hosts, f->hosts->keys[j]),
			    (long long)need[j]);
	if (tight.len)
		sbuf_printf(&msg, "warning: the installer of %s gives dom0 more "
		    "memory (%s), and then %s; shut down or move some VMs, or "
		    "add memory", target, grow.p, tight.p);
	else if (grow.len)
		sbuf_printf(&msg, "dom0 grows with %s (%s); the pool still holds "
		    "every host's VMs in turn", target, grow.p);
	else
		sbuf_printf(&msg, "dom0 keeps its memory with %s", target);
	precheck_host_say(out, name, 1, msg.p);
	sbuf_free(&grow);
	sbuf_free(&tight);
	sbuf_free(&msg);
}

/* What testSafe2Upgrade's answers mean, and the operator's fix. */
static const char *
precheck_host_space_why(const char *ans)
{
	if (strcmp(ans, "not_enough_space") == 0)
		return "not enough free space on the host's disk for the "
		    "installer (its backup of dom0 and the new partition "
		    "layout): move VDIs off the local SR to make room";
	if (strcmp(ans, "vdi_present") == 0)
		return "a virtual disk lies where the new partition layout "
		    "goes: move the VDIs off the local SR";
	if (strcmp(ans, "utility_part_present") == 0)
		return "a utility partition is in the way: remove it";
	if (strcmp(ans, "legacy_partition_table") == 0)
		return "the disk has a DOS partition table: back the host up "
		    "and install it afresh (poolboot rebuild)";
	return NULL;
}

/* One host's answer: 1 safe, 0 not (b says why), -1 not asked (nb). */
static int
precheck_host_space_one(struct xapi *x, const char *href, const char *hn,
    const char *repo_url, struct sbuf *b, struct sbuf *nb)
{
	struct xr_value *args[4], *res = NULL;
	struct xapi_error e;
	const char *ans, *why;
	size_t i;
	int rc;

	args[0] = xr_string(href);
	args[1] = xr_string("prepare_host_upgrade.py");
	args[2] = xr_string("testSafe2Upgrade");
	args[3] = xr_struct();
	xr_struct_set(args[3], "url", xr_string(repo_url));
	rc = xapi_call(x, "host.call_plugin", args, 4, &res, &e);
	for (i = 0; i < 4; i++)
		xr_free(args[i]);
	if (rc == -1) {
		sbuf_printf(nb, "%s%s (%s)", nb->len ? ", " : "", hn,
		    xapi_error_is(&e, "XENAPI_MISSING_PLUGIN") ? "no "
		    "prepare_host_upgrade.py plugin" : xapi_strerror(&e));
		return -1;
	}
	ans = xr_str(res) != NULL ? xr_str(res) : "";
	rc = strcmp(ans, "true") == 0;
	if (!rc) {
		why = precheck_host_space_why(ans);
		sbuf_printf(b, "%s%s: %s", b->len ? "; " : "", hn, why != NULL ?
		    why : ans);
		if (why == NULL)
			sbuf_printf(b, " (the plugin's answer: see the "
			    "vendor's upgrade guide)");
	}
	xr_free(res);
	return rc;
}

/* XenCenter's SafeToUpgradeCheck: host.call_plugin(host,
 * "prepare_host_upgrade.py", "testSafe2Upgrade", {"url": source}) ->
 * "true" or the reason. XAPI shows no disk space otherwise. */
void
precheck_host_space(const struct precheck_facts *f, struct xapi *x,
    const struct precheck_out *out, const char *name, const char *target,
    const char *repo_url)
{
	struct sbuf b = { .max = 4096 }, nb = { .max = 2048 },
	    msg = { .max = 8192 };
	size_t j;
	int asked = 0;

	for (j = 0; j < f->hosts->n; j++) {
		const char *v = xr_get_str(xr_get(f->hosts->items[j],
		    "software_version"), "product_version");

		if (v != NULL && rules_version_cmp(v, target) == 0)
			continue;
		asked++;
		(void)precheck_host_space_one(x, f->hosts->keys[j],
		    precheck_facts_name(f->hosts, f->hosts->keys[j]), repo_url,
		    &b, &nb);
	}
	if (b.len)
		sbuf_printf(&msg, "the hosts' installer check fails: %s", b.p);
	else if (nb.len)
		sbuf_printf(&msg, "warning: not checked on %s: XAPI shows no "
		    "free space otherwise; make sure each host's disk has room "
		    "for the installer's backup partition", nb.p);
	else
		sbuf_printf(&msg, "%s", asked ? "every host to upgrade has room "
		    "for the installer (prepare_host_upgrade.py "
		    "testSafe2Upgrade)" : "no host to upgrade");
	precheck_host_say(out, name, b.len == 0, msg.p);
	sbuf_free(&b);
	sbuf_free(&nb);
	sbuf_free(&msg);
}

/* license_params:expiry ("20261231T00:00:00Z") as seconds, or -1. */
static int64_t
precheck_host_expiry(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || sscanf(s, "%4d%2d%2dT%2d:%2d:%2d", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

/* XAPI's licence of each host (host.license_params: expiry and the
 * restrict_* feature flags, xen-api ocaml/xapi-types/features.ml;
 * restrict_rpu "RPU" is what XenCenter offers its wizard by). Warnings:
 * poolboot needs no XAPI feature a licence gates, but an expired
 * licence makes the upgraded hosts run restricted. */
void
precheck_host_licence(const struct precheck_facts *f,
    const struct precheck_out *out, const char *name, int64_t now)
{
	struct sbuf b = { .max = 4096 }, msg = { .max = 4096 };
	size_t j;

	for (j = 0; j < f->hosts->n; j++) {
		const struct xr_value *lp = xr_get(f->hosts->items[j],
		    "license_params");
		const char *hn = precheck_facts_name(f->hosts, f->hosts->keys[j]);
		const char *rpu = xr_get_str(lp, "restrict_rpu");
		const char *exp = xr_get_str(lp, "expiry");
		int64_t t = precheck_host_expiry(exp);

		if (t != -1 && t < now)
			sbuf_printf(&b, "%s%s's licence expired (%s)", b.len ?
			    "; " : "", hn, exp);
		else if (t != -1 && t < now + 30 * 86400)
			sbuf_printf(&b, "%s%s's licence expires soon (%s)",
			    b.len ? "; " : "", hn, exp);
		if (rpu != NULL && strcmp(rpu, "true") == 0)
			sbuf_printf(&b, "%s%s's licence (edition %s) restricts "
			    "rolling pool upgrades (restrict_rpu)", b.len ? "; " :
			    "", hn, xr_get_str(f->hosts->items[j], "edition") ?
			    xr_get_str(f->hosts->items[j], "edition") : "?");
	}
	if (b.len)
		sbuf_printf(&msg, "warning: %s; apply a licence for the target "
		    "version before the upgrade (xe host-apply-edition, or "
		    "XenCenter's License Manager)", b.p);
	precheck_host_say(out, name, 1, b.len ? msg.p : "no licence has "
	    "expired or restricts rolling upgrades");
	sbuf_free(&b);
	sbuf_free(&msg);
}

void
precheck_host_auto_poweron(const struct precheck_facts *f,
    const struct precheck_out *out, const char *name)
{
	const struct xr_value *oc = f->pools->n ?
	    xr_get(f->pools->items[0], "other_config") : NULL;
	const char *on = xr_get_str(oc, "auto_poweron");
	struct sbuf msg = { .max = 1024 };
	size_t i, nvm = 0;

	for (i = 0; i < f->vms->n; i++) {
		const char *v = xr_get_str(xr_get(f->vms->items[i],
		    "other_config"), "auto_poweron");

		if (precheck_facts_guest(f->vms->items[i]) && v != NULL &&
		    strcmp(v, "true") == 0)
			nvm++;
	}
	if (xr_get(oc, COORD_POWER_MARK) != NULL)
		sbuf_printf(&msg, "auto_poweron was turned off by an earlier "
		    "poolboot run (other_config:%s); it is turned back on when "
		    "this run finishes", COORD_POWER_MARK);
	else if (on != NULL && strcmp(on, "true") == 0)
		sbuf_printf(&msg, "auto_poweron is on (%zu VMs start with their "
		    "host): poolboot turns it off for the run, so that an "
		    "upgraded host does not refill itself, and back on at the "
		    "end", nvm);
	else
		sbuf_printf(&msg, "auto_poweron is off");
	precheck_host_say(out, name, 1, msg.p);
	sbuf_free(&msg);
}
