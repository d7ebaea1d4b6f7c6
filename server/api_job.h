/* api_job.h — the rebuild and install endpoints of the admin API
 * (api_job.c), called by api.c's router. */
#ifndef POOLBOOT_API_JOB_H
#define POOLBOOT_API_JOB_H

#include <stddef.h>

struct api_deps;
struct api_request;
struct api_response;
struct host;

/* POST /hosts/H/rebuild|install {"wipe": true}; kind "rebuild"|"install". */
void  api_job_start(const struct api_deps *deps, const struct api_request *rq,
	    const struct host *h, const char *kind, struct api_response *rs);
/* /jobs, /jobs/ID, /jobs/ID/retry|abort; segs[0] is "jobs". */
void  api_job_handle(const struct api_deps *deps,
	    const struct api_request *rq, char **segs, size_t n,
	    struct api_response *rs);

#endif
