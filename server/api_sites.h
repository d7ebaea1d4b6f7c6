/* api_sites.h — GET /api/v1/sites (api_sites.c): every site poolboot
 * knows (the configuration's sites and the database's leases and
 * queued actions), which instance is active for each, and each one's
 * backlog of actions asked of it through another site's instance. The
 * same document for `poolboot sites`, from the running server or, when
 * none answers (a standby serves nothing), from the database itself.
 *
 * {"site": this instance's site ("" none), "sites": [{"site" ("" the
 * unnamed site), "pools", "hosts" (how many the configuration gives it),
 * "active" (true: an instance holds its lease now, or it is the
 * answering instance's own site and that one needs no lease: SQLite
 * without a site), "instance" (the lease's holder, or its last one; null
 * when never taken), "since" (when that one took it), "heartbeat_ago_ms",
 * "expired_ago_ms" (null while held, and when never taken), "queued"
 * (actions not taken yet), "taken" (taken, not finished),
 * "oldest_queued_ms" (the age of the oldest of them; null when none)}]},
 * by site name.
 */
#ifndef POOLBOOT_API_SITES_H
#define POOLBOOT_API_SITES_H

#include <jansson.h>

struct api_deps;
struct api_response;
struct config;
struct store;

/* The document for cfg and st (NULL: no database yet, the configuration's
 * sites only); answering: 1 when it is a serving
 * instance's answer (its own site is active). NULL on a database error
 * (logged) or out of memory. */
json_t *api_sites_doc(const struct config *cfg, struct store *st,
	    int answering);
/* GET /sites */
void  api_sites_get(const struct api_deps *deps, struct api_response *rs);

#endif
