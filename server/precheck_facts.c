/* precheck_facts.c — the records the wizard-style prechecks read; see
 * precheck_facts.h. */
#include "precheck_facts.h"

#include <stdio.h>
#include <string.h>

#include "xmlrpc.h"

int
precheck_facts_read(struct xapi *x, struct precheck_facts *f,
    struct xapi_error *e)
{
	static const char *const cls[] = { "pool", "host", "host_metrics",
	    "VM", "VBD", "VDI", "SR", "PBD", "VIF", "network", "PIF", "task" };
	struct xr_value **dst[] = { &f->pools, &f->hosts, &f->metrics,
	    &f->vms, &f->vbds, &f->vdis, &f->srs, &f->pbds, &f->vifs,
	    &f->networks, &f->pifs, &f->tasks };
	char method[64];
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < sizeof(cls) / sizeof(cls[0]); i++) {
		snprintf(method, sizeof(method), "%s.get_all_records", cls[i]);
		if (xapi_call(x, method, NULL, 0, dst[i], e) == -1) {
			precheck_facts_free(f);
			return -1;
		}
		if (*dst[i] == NULL || (*dst[i])->type != XR_STRUCT) {
			precheck_facts_free(f);
			memset(e, 0, sizeof(*e));
			e->transport = 1;
			snprintf(e->message, sizeof(e->message), "%s: not a "
			    "struct of records", method);
			return -1;
		}
	}
	return 0;
}

void
precheck_facts_free(struct precheck_facts *f)
{
	xr_free(f->pools);
	xr_free(f->hosts);
	xr_free(f->metrics);
	xr_free(f->vms);
	xr_free(f->vbds);
	xr_free(f->vdis);
	xr_free(f->srs);
	xr_free(f->pbds);
	xr_free(f->vifs);
	xr_free(f->networks);
	xr_free(f->pifs);
	xr_free(f->tasks);
	memset(f, 0, sizeof(*f));
}

const char *
precheck_facts_name(const struct xr_value *t, const char *ref)
{
	const char *n = xr_get_str(xr_get(t, ref), "name_label");

	return n != NULL && *n ? n : ref;
}

int
precheck_facts_guest(const struct xr_value *vm)
{
	return !xr_get_bool(vm, "is_control_domain", 0) &&
	    !xr_get_bool(vm, "is_a_template", 0) &&
	    !xr_get_bool(vm, "is_a_snapshot", 0);
}

int
precheck_facts_running(const struct xr_value *vm)
{
	const char *ps = xr_get_str(vm, "power_state");

	return ps != NULL && (strcmp(ps, "Running") == 0 ||
	    strcmp(ps, "Paused") == 0);
}

int
precheck_facts_nonempty(const struct xr_value *set)
{
	return set != NULL && set->type == XR_ARRAY && set->n > 0;
}
