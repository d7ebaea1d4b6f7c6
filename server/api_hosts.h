/* api_hosts.h — GET /api/v1/hosts and the JSON of one host (also GET
 * /api/v1/hosts/<name>, api.c). The list reads the store a chunk of hosts
 * at a time (store_hosts.h) and writes each host's JSON straight into the
 * answer: no per-host round-trips to the store, no document of 50,000
 * objects in memory. */
#ifndef POOLBOOT_API_HOSTS_H
#define POOLBOOT_API_HOSTS_H

#include <jansson.h>

#include "api_types.h"
#include "store.h"

/* The JSON view of inventory host h with its status hs and its active
 * arming a (NULL: none). NULL when out of memory. */
json_t *api_hosts_one(const struct api_deps *deps, const struct host *h,
	    const struct host_status *hs, const struct arming *a);
/* The answer to GET /api/v1/hosts: every host of deps->cfg, in the
 * inventory's order; 500 on a store error. */
void  api_hosts_list(const struct api_deps *deps, struct api_response *rs);

#endif
