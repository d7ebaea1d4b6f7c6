/* arm_local.c — pointing a host back at local boot when its install
 * ended through another instance of the shared database (arm.h,
 * arm_int.h; docs/scale-out.md): the instance that took an installer's
 * callback for another site's host asks that site's active instance,
 * through its queue, and that instance rewrites the host's boot files in
 * its own tftp-root. */
#include "arm.h"
#include "arm_int.h"

#include <pthread.h>
#include <stdio.h>

#include "log.h"
#include "site.h"
#include "store_site_action.h"

void
arm_local_elsewhere(struct arm *a, const struct host *h)
{
	const char *site = site_of_host(a->cfg, h);
	int64_t id = 0;

	if (site == NULL || *site == '\0' ||
	    store_site_action_add(a->st, site, "local-boot", h->name, "",
	    &id) == -1) {
		arm_ev(a, h, "failed", "the callback came to an instance of "
		    "another site: site %s's instance could not be asked to "
		    "point the host back at local boot; it does at its next "
		    "start-up", site != NULL && *site ? site : "(none)");
		return;
	}
	log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name, "callback of site "
	    "%s's host: its instance points it back at local boot (action "
	    "%lld)", site, (long long)id);
}

enum arm_status
arm_local_boot(struct arm *a, const char *host, char *err, size_t errlen)
{
	struct arming ar;
	struct host *h;
	enum arm_status ret = ARM_OK;
	int rc;

	err[0] = '\0';
	pthread_mutex_lock(&a->mu);
	if ((h = config_host(a->cfg, host)) == NULL) {
		snprintf(err, errlen, "no host named \"%s\"", host);
		ret = ARM_NOT_FOUND;
	} else if ((rc = store_active_arming(a->st, host, &ar)) == -1)
		ret = ARM_UNAVAILABLE;
	else if (rc == 0) {
		/* armed again meanwhile: its new entry stays */
		snprintf(err, errlen, "host %s is armed again (arming %lld)",
		    host, (long long)ar.id);
		ret = ARM_CONFLICT;
	} else if (arm_write_local(a, h) == -1) {
		snprintf(err, errlen, "its per-MAC files could not be "
		    "rewritten (see the log)");
		ret = ARM_ERROR;
	}
	pthread_mutex_unlock(&a->mu);
	return ret;
}
