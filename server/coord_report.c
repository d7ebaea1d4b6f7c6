/* coord_report.c — the report of a finished run; see coord_report.h. */
#include "coord_report.h"

#include <string.h>

#include "coord_place.h"
#include "sbuf.h"
#include "state.h"
#include "util.h"

/* The VM lines of host h: how many are back, a warning for each VM that
 * did not come back, a note for each left alone. */
static void
coord_report_vms(struct sbuf *b, const char *host, const struct run_vm *vms,
    size_t nvms)
{
	size_t i, total = 0, back = 0;

	for (i = 0; i < nvms; i++) {
		if (strcmp(vms[i].host, host) != 0)
			continue;
		total++;
		if (strcmp(vms[i].result, "moved") == 0 ||
		    strcmp(vms[i].result, "home") == 0)
			back++;
	}
	if (total == 0)
		return;
	sbuf_printf(b, "  VMs back on %s: %zu of %zu\n", host, back, total);
	for (i = 0; i < nvms; i++) {
		const struct run_vm *v = &vms[i];

		if (strcmp(v->host, host) != 0 ||
		    strcmp(v->result, "moved") == 0 ||
		    strcmp(v->result, "home") == 0)
			continue;
		if (strcmp(v->result, "failed") == 0 ||
		    strcmp(v->result, "refused") == 0 || v->result[0] == '\0')
			sbuf_printf(b, "  WARNING: VM %s did not come back to %s "
			    "(it is on %s): %s\n", v->vm_name, host,
			    v->from_host[0] ? v->from_host : "another host",
			    v->message[0] ? v->message : "not tried");
		else
			sbuf_printf(b, "  VM %s left alone: %s\n", v->vm_name,
			    v->message[0] ? v->message : v->result);
	}
}

void
coord_report_build(const struct run *run, const struct run_host *hosts,
    size_t n, const struct run_vm *vms, size_t nvms, char *out,
    size_t outlen)
{
	struct sbuf b = { .max = outlen };
	enum coord_placement pl = COORD_PLACE_RETURN;
	size_t i;

	(void)coord_place_parse(run->placement, &pl);
	for (i = 0; i < n; i++) {
		const struct run_host *h = &hosts[i];
		enum coord_step s = STEP_PENDING;

		(void)state_step_parse(h->step, &s);
		if (s == STEP_SKIPPED)
			sbuf_printf(&b, "%s: already on %s (skipped)\n", h->host,
			    run->target_version);
		else
			sbuf_printf(&b, "%s: %s -> %s in %.1f s (%s)\n", h->host,
			    h->old_version, h->new_version,
			    (double)(h->finished_at - h->started_at) / 1000.0,
			    h->step_ms);
		coord_report_vms(&b, h->host, vms, nvms);
	}
	if (pl == COORD_PLACE_LEAVE)
		sbuf_puts(&b, "VM placement: leave (the VMs stay where the "
		    "evacuations put them)\n");
	sbuf_puts(&b, "Reminder: update the guest tools (XenServer VM Tools / "
	    "xe-guest-utilities) in every VM to match the new version.");
	util_strlcpy(out, outlen, b.p ? b.p : "");
	sbuf_free(&b);
}
