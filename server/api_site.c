/* api_site.c — another site's host asked to arm or disarm; see
 * api_site.h. */
#include "api_site.h"

#include <stdint.h>

#include <jansson.h>

#include "api_json.h"
#include "api_types.h"
#include "config.h"
#include "site.h"
#include "site_queue.h"

int
api_site_forward(const struct api_deps *deps, const struct host *h,
    const char *action, int wipe, struct api_response *rs)
{
	const char *site = site_of_host(deps->cfg, h);
	char err[512];
	int64_t id;

	if (!site_refuse_host(deps->cfg, h->name, err, sizeof(err)))
		return 0;
	if (site[0] == '\0') {
		/* nobody's: nobody would take it from the queue */
		api_json_error(rs, 409, "%s", err);
		return 1;
	}
	if (site_queue_submit(deps->st, site, action, h->name, wipe, &id) ==
	    -1) {
		api_json_error(rs, 500, "cannot queue the %s of %s for site %s "
		    "(see the server log)", action, h->name, site);
		return 1;
	}
	api_json_set(rs, 202, json_pack("{s:o,s:o,s:I,s:o}",
	    "host", api_json_str(h->name),
	    "site", api_json_str(site),
	    "queued", (json_int_t)id,
	    "message", json_sprintf("%s queued for site %s's instance (action "
	    "%lld): the host's events say when it is done", action, site,
	    (long long)id)));
	return 1;
}
