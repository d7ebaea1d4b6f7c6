/* pool.c — see pool.h. */
#include "pool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pool_addr.h"
#include "util.h"

/* Through pool_addr.h: the first of the pool's addresses that answers
 * (a single address: no traffic yet). */
struct xapi *
pool_xapi(const struct pool *p, char *err, size_t errlen)
{
	return pool_addr_connect(p, NULL, 0, err, errlen);
}

struct xapi *
pool_xapi_request(const struct pool *p, int64_t deadline, char *err,
    size_t errlen)
{
	return pool_addr_connect_until(p, deadline, NULL, 0, err, errlen);
}

void
pool_snapshot_free(struct pool_snapshot *s)
{
	free(s->hosts);
	free(s->vms);
	memset(s, 0, sizeof(*s));
}

const struct pool_host *
pool_snapshot_host(const struct pool_snapshot *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nhosts; i++)
		if (strcmp(s->hosts[i].name, name) == 0)
			return &s->hosts[i];
	return NULL;
}

/* Fills h from a host record and its host_metrics record (mrec may be
 * NULL: not live). */
static void
pool_host_fill(struct pool_host *h, const char *ref, const struct xr_value *rec,
    const struct xr_value *mrec, const char *master_ref)
{
	const struct xr_value *sv = xr_get(rec, "software_version");
	const struct xr_value *oc = xr_get(rec, "other_config");

	util_strlcpy(h->ref, sizeof(h->ref), ref);
	util_strlcpy(h->uuid, sizeof(h->uuid), xr_get_str(rec, "uuid"));
	util_strlcpy(h->name, sizeof(h->name), xr_get_str(rec, "name_label"));
	util_strlcpy(h->address, sizeof(h->address), xr_get_str(rec, "address"));
	util_strlcpy(h->version, sizeof(h->version), xr_get_str(sv,
	    "product_version"));
	util_strlcpy(h->build, sizeof(h->build), xr_get_str(sv, "build_number"));
	util_strlcpy(h->brand, sizeof(h->brand), xr_get_str(sv,
	    "product_brand"));
	/* xapi rewrites boot_time (whole seconds) at every boot and
	 * agent_start_time (sub-second) at every start of xapi: both
	 * together tell a new boot even when two fall in one second */
	snprintf(h->boot_time, sizeof(h->boot_time), "%.30s/%.30s",
	    xr_get_str(oc, "boot_time") ? xr_get_str(oc, "boot_time") :
	    "", xr_get_str(oc, "agent_start_time") ? xr_get_str(oc,
	    "agent_start_time") : "");
	h->enabled = xr_get_bool(rec, "enabled", 0);
	h->is_master = master_ref != NULL && strcmp(h->ref, master_ref) == 0;
	if (mrec != NULL) {
		h->live = xr_get_bool(mrec, "live", 0);
		xr_get_int(mrec, "memory_total", &h->mem_total);
		xr_get_int(mrec, "memory_free", &h->mem_free);
	}
}

/* VMs (not templates or snapshots) and whether a CD is in their drive. */
static int
pool_snapshot_vms(struct xapi *x, struct pool_snapshot *s,
    struct xapi_error *err)
{
	struct xr_value *vms = NULL, *vbds = NULL;
	size_t i, j;
	int ret = -1;

	if (xapi_call(x, "VM.get_all_records", NULL, 0, &vms, err) == -1 ||
	    xapi_call(x, "VBD.get_all_records", NULL, 0, &vbds, err) == -1)
		goto out;
	if (vms != NULL && vms->type == XR_STRUCT) {
		if ((s->vms = calloc(vms->n + 1, sizeof(*s->vms))) == NULL)
			goto out;
		for (i = 0; i < vms->n; i++) {
			const struct xr_value *rec = vms->items[i];
			struct pool_vm *v;
			int64_t mem = 0;

			if (xr_get_bool(rec, "is_a_template", 0) ||
			    xr_get_bool(rec, "is_a_snapshot", 0))
				continue;
			v = &s->vms[s->nvms++];
			util_strlcpy(v->ref, sizeof(v->ref), vms->keys[i]);
			util_strlcpy(v->name, sizeof(v->name), xr_get_str(rec,
			    "name_label"));
			util_strlcpy(v->resident_on, sizeof(v->resident_on),
			    xr_get_str(rec, "resident_on"));
			v->running = xr_get_str(rec, "power_state") != NULL &&
			    strcmp(xr_get_str(rec, "power_state"),
			    "Running") == 0;
			v->control = xr_get_bool(rec, "is_control_domain", 0);
			if (xr_get_int(rec, "memory_dynamic_max", &mem) == -1 ||
			    mem == 0)
				xr_get_int(rec, "memory_static_max", &mem);
			v->memory = mem;
		}
	}
	if (vbds != NULL && vbds->type == XR_STRUCT)
		for (i = 0; i < vbds->n; i++) {
			const struct xr_value *rec = vbds->items[i];
			const char *vm = xr_get_str(rec, "VM");
			const char *type = xr_get_str(rec, "type");

			if (vm == NULL || type == NULL || strcmp(type, "CD") != 0 ||
			    xr_get_bool(rec, "empty", 1))
				continue;
			for (j = 0; j < s->nvms; j++)
				if (strcmp(s->vms[j].ref, vm) == 0)
					s->vms[j].cd_inserted = 1;
		}
	ret = 0;
out:
	xr_free(vms);
	xr_free(vbds);
	return ret;
}

/* Each host's management MAC: the MAC of its PIF with management = true
 * (one per host; the PIF's host field names it). */
static int
pool_snapshot_pifs(struct xapi *x, struct pool_snapshot *s,
    struct xapi_error *err)
{
	struct xr_value *pifs = NULL;
	size_t i, j;

	if (xapi_call(x, "PIF.get_all_records", NULL, 0, &pifs, err) == -1)
		return -1;
	if (pifs != NULL && pifs->type == XR_STRUCT)
		for (i = 0; i < pifs->n; i++) {
			const struct xr_value *rec = pifs->items[i];
			const char *host = xr_get_str(rec, "host");
			const char *mac = xr_get_str(rec, "MAC");

			if (host == NULL || mac == NULL ||
			    !xr_get_bool(rec, "management", 0))
				continue;
			for (j = 0; j < s->nhosts; j++) {
				char *m = s->hosts[j].mac;

				if (strcmp(s->hosts[j].ref, host) != 0)
					continue;
				util_strlcpy(m, sizeof(s->hosts[j].mac), mac);
				for (; *m != '\0'; m++)
					if (*m >= 'A' && *m <= 'Z')
						*m = (char)(*m - 'A' + 'a');
			}
		}
	xr_free(pifs);
	return 0;
}

int
pool_snapshot_take(struct xapi *x, struct pool_snapshot *s, int what,
    struct xapi_error *err)
{
	struct xr_value *pools = NULL, *hosts = NULL, *metrics = NULL;
	size_t i, j;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	if (xapi_call(x, "pool.get_all_records", NULL, 0, &pools, err) == -1 ||
	    xapi_call(x, "host.get_all_records", NULL, 0, &hosts, err) == -1 ||
	    xapi_call(x, "host_metrics.get_all_records", NULL, 0, &metrics,
	    err) == -1)
		goto out;
	if (pools == NULL || pools->type != XR_STRUCT || pools->n < 1 ||
	    hosts == NULL || hosts->type != XR_STRUCT) {
		snprintf(err->message, sizeof(err->message), "unexpected reply "
		    "shape from pool/host get_all_records");
		err->transport = 0;
		err->code[0] = '\0';
		goto out;
	}
	util_strlcpy(s->pool_ref, sizeof(s->pool_ref), pools->keys[0]);
	util_strlcpy(s->master_ref, sizeof(s->master_ref),
	    xr_get_str(pools->items[0], "master"));
	s->ha_enabled = xr_get_bool(pools->items[0], "ha_enabled", 0);
	s->wlb_enabled = xr_get_bool(pools->items[0], "wlb_enabled", 0);
	if ((s->hosts = calloc(hosts->n + 1, sizeof(*s->hosts))) == NULL)
		goto out;
	for (i = 0; i < hosts->n; i++) {
		const struct xr_value *rec = hosts->items[i];
		const char *mref = xr_get_str(rec, "metrics");
		const struct xr_value *mrec = NULL;

		if (metrics != NULL && metrics->type == XR_STRUCT && mref != NULL)
			for (j = 0; j < metrics->n; j++)
				if (strcmp(metrics->keys[j], mref) == 0)
					mrec = metrics->items[j];
		pool_host_fill(&s->hosts[s->nhosts++], hosts->keys[i], rec, mrec,
		    s->master_ref);
	}
	if ((what & POOL_SNAP_VMS) && pool_snapshot_vms(x, s, err) == -1)
		goto out;
	if ((what & POOL_SNAP_PIFS) && pool_snapshot_pifs(x, s, err) == -1)
		goto out;
	ret = 0;
out:
	if (ret == -1)
		pool_snapshot_free(s);
	xr_free(pools);
	xr_free(hosts);
	xr_free(metrics);
	return ret;
}

int
pool_find_host(struct xapi *x, const char *name, const char *addr,
    struct pool_host_info *out, char *master_addr, size_t malen,
    struct xapi_error *err)
{
	struct pool_snapshot s;
	size_t i;
	int ret = 1;

	memset(out, 0, sizeof(*out));
	if (pool_snapshot_take(x, &s, 0, err) == -1)
		return -1;
	for (i = 0; i < s.nhosts; i++) {
		const struct pool_host *h = &s.hosts[i];

		if (h->is_master && master_addr != NULL)
			util_strlcpy(master_addr, malen, h->address);
		if (ret == 0 || !((name != NULL && strcmp(h->name, name) == 0) ||
		    (addr != NULL && strcmp(h->address, addr) == 0)))
			continue;
		util_strlcpy(out->ref, sizeof(out->ref), h->ref);
		util_strlcpy(out->name, sizeof(out->name), h->name);
		util_strlcpy(out->address, sizeof(out->address), h->address);
		util_strlcpy(out->version, sizeof(out->version), h->version);
		out->live = h->live;
		out->enabled = h->enabled;
		out->is_master = h->is_master;
		ret = 0;
	}
	pool_snapshot_free(&s);
	return ret;
}

int
pool_snapshot_one(struct xapi *x, const char *ref, struct pool_snapshot *s,
    struct xapi_error *err)
{
	struct xr_value *rec = NULL, *mrec = NULL;
	const char *mref;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	if (xapi_call_s(x, "host.get_record", &rec, err, ref, NULL,
	    NULL) == -1 || rec == NULL)
		goto out;
	if ((mref = xr_get_str(rec, "metrics")) != NULL &&
	    strcmp(mref, "OpaqueRef:NULL") != 0 &&
	    xapi_call_s(x, "host_metrics.get_record", &mrec, err, mref, NULL,
	    NULL) == -1)
		goto out;
	if ((s->hosts = calloc(1, sizeof(*s->hosts))) == NULL)
		goto out;
	pool_host_fill(&s->hosts[0], ref, rec, mrec, NULL);
	s->nhosts = 1;
	ret = 0;
out:
	xr_free(rec);
	xr_free(mrec);
	if (ret == -1)
		pool_snapshot_free(s);
	return ret;
}

unsigned
pool_host_matches(const struct pool_host *h, const struct pool_ident *id)
{
	unsigned m = 0;

	if (id == NULL)
		return 0;
	if (id->name != NULL && id->name[0] != '\0' &&
	    strcmp(h->name, id->name) == 0)
		m |= POOL_BY_NAME;
	if (id->mac != NULL && id->mac[0] != '\0' && h->mac[0] != '\0' &&
	    strcasecmp(h->mac, id->mac) == 0)
		m |= POOL_BY_MAC;
	if (id->addr != NULL && id->addr[0] != '\0' &&
	    strcmp(h->address, id->addr) == 0)
		m |= POOL_BY_ADDR;
	return m;
}

const char *
pool_match_words(unsigned m, char *buf, size_t len)
{
	struct sbuf b = { .max = 128 };

	if (m & POOL_BY_NAME)
		sbuf_puts(&b, "name_label");
	if (m & POOL_BY_MAC)
		sbuf_printf(&b, "%smanagement MAC", b.len ? " and " : "");
	if (m & POOL_BY_ADDR)
		sbuf_printf(&b, "%saddress", b.len ? " and " : "");
	util_strlcpy(buf, len, b.p != NULL ? b.p : "nothing");
	sbuf_free(&b);
	return buf;
}

int
pool_others_up(const struct pool_snapshot *s, const char *self_ref,
    const struct pool_ident *self, char *err, size_t errlen)
{
	struct sbuf dead = { .max = 256 }, off = { .max = 256 };
	size_t i;
	int ret = 0;

	for (i = 0; i < s->nhosts; i++) {
		const struct pool_host *h = &s->hosts[i];

		if ((self_ref != NULL && strcmp(h->ref, self_ref) == 0) ||
		    pool_host_matches(h, self) != 0)
			continue;
		if (!h->live)
			sbuf_printf(&dead, "%s%s", dead.len ? ", " : "",
			    h->name[0] ? h->name : h->ref);
		else if (!h->enabled)
			sbuf_printf(&off, "%s%s", off.len ? ", " : "",
			    h->name[0] ? h->name : h->ref);
	}
	if (dead.len > 0 || off.len > 0) {
		snprintf(err, errlen, "%s%s%s%s%s", dead.len ? "not live: " : "",
		    dead.len ? dead.p : "", dead.len && off.len ? "; " : "",
		    off.len ? "disabled: " : "", off.len ? off.p : "");
		ret = -1;
	}
	sbuf_free(&dead);
	sbuf_free(&off);
	return ret;
}
