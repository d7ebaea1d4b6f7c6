/* api_pool.h — the rolling-upgrade endpoints of the admin API
 * (api_pool.c), called by api.c's router. */
#ifndef POOLBOOT_API_POOL_H
#define POOLBOOT_API_POOL_H

#include <stddef.h>

struct api_deps;
struct api_request;
struct api_response;

/* /pools[/NAME[/precheck|upgrade|retry|abort]]; segs[0] is "pools". */
void  api_pool_handle(const struct api_deps *deps,
	    const struct api_request *rq, char **segs, size_t n,
	    struct api_response *rs);

#endif
