/* coord_view.c — see coord_view.h. */
#include "coord_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "util.h"

/* v's run's hosts and VMs, and how many hosts are done or skipped. */
static void
coord_view_hosts(struct store *st, struct coord_run_view *v)
{
	size_t i;

	if (store_run_vm_list(st, v->run.id, NULL, &v->vms, &v->nvms) == -1) {
		v->vms = NULL;
		v->nvms = 0;
	}
	if (store_run_hosts(st, v->run.id, &v->hosts, &v->nhosts) == -1) {
		v->hosts = NULL;
		v->nhosts = 0;
		return;
	}
	for (i = 0; i < v->nhosts; i++) {
		enum coord_step s = STEP_PENDING;

		(void)state_step_parse(v->hosts[i].step, &s);
		if (s == STEP_DONE || s == STEP_SKIPPED)
			v->hosts_done++;
	}
}

int
coord_view_read(struct store *st, const struct config *cfg, const char *pool,
    struct coord_status_report *out, char *err, size_t errlen)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	if ((out->pools = calloc(cfg->npools + 1, sizeof(*out->pools))) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < cfg->npools; i++) {
		const struct pool *p = &cfg->pools[i];
		struct coord_run_view *v = &out->pools[out->npools];
		int rc;

		if (pool != NULL && strcmp(pool, p->name) != 0)
			continue;
		if ((rc = store_run_latest(st, p->name, &v->run)) == -1) {
			coord_view_free(out);
			snprintf(err, errlen, "cannot read the store");
			return -1;
		}
		util_strlcpy(v->pool, sizeof(v->pool), p->name);
		v->has_run = rc == 0;
		out->npools++;
		if (v->has_run)
			coord_view_hosts(st, v);
	}
	if (pool != NULL && out->npools == 0) {
		coord_view_free(out);
		return 1;
	}
	return 0;
}

void
coord_view_free(struct coord_status_report *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->npools; i++) {
		free(s->pools[i].hosts);
		free(s->pools[i].vms);
	}
	free(s->pools);
	memset(s, 0, sizeof(*s));
}
