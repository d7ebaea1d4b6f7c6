/* api_job.c — the rebuild and install endpoints of the admin API (/jobs,
 * /hosts/H/rebuild|install); see api.h. */
#include "api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api_int.h"
#include "job.h"

/* POST /hosts/H/rebuild|install {"wipe": true} */
void
api_job_start(const struct api_deps *deps, const struct api_request *rq,
    const struct host *h, const char *kind, struct api_response *rs)
{
	char *json = NULL;
	int wipe;

	if (deps->jobs == NULL) {
		api_error(rs, 503, "rebuild and install are not available");
		return;
	}
	if (api_parse_arm_body(rq, &wipe, rs) == -1)
		return;
	rs->status = jobs_start(deps->jobs, h->name, kind, wipe, &json);
	rs->body = json;
}

/* /jobs, /jobs/ID, /jobs/ID/retry|abort */
void
api_job_handle(const struct api_deps *deps, const struct api_request *rq,
    char **segs, size_t n, struct api_response *rs)
{
	const char *m = rq->method ? rq->method : "";
	char *json = NULL, *end;
	long long id = 0;

	if (deps->jobs == NULL) {
		api_error(rs, 503, "rebuild and install are not available");
		return;
	}
	if (n >= 2) {
		errno = 0;
		id = strtoll(segs[1], &end, 10);
		if (errno != 0 || *end != '\0' || id <= 0) {
			api_error(rs, 404, "no job \"%.32s\"", segs[1]);
			return;
		}
	}
	if (n <= 2) {
		if (strcmp(m, "GET") != 0) {
			api_error(rs, 405, "method %.16s not allowed here (use "
			    "GET)", m);
			return;
		}
		rs->status = n == 1 ? jobs_list(deps->jobs, &json) :
		    jobs_get(deps->jobs, (int64_t)id, &json);
	} else if (n == 3 && (strcmp(segs[2], "retry") == 0 ||
	    strcmp(segs[2], "abort") == 0)) {
		if (strcmp(m, "POST") != 0) {
			api_error(rs, 405, "method %.16s not allowed here (use "
			    "POST)", m);
			return;
		}
		rs->status = strcmp(segs[2], "retry") == 0 ?
		    jobs_retry(deps->jobs, (int64_t)id, &json) :
		    jobs_abort(deps->jobs, (int64_t)id, &json);
	} else {
		api_error(rs, 404, "no such API endpoint");
		return;
	}
	rs->body = json;
}
