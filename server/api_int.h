/* api_int.h — what the parts of the admin API share: api.c (routing,
 * hosts, arming, events), api_pool.c (/pools) and api_job.c (/jobs). Not
 * for the rest of the server: api.h is the API's contract.
 */
#ifndef POOLBOOT_API_INT_H
#define POOLBOOT_API_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct api_deps;
struct api_request;
struct api_response;
struct host;

/* A JSON string from s; bytes that are not valid UTF-8 become '?'. */
json_t *api_str(const char *s);
json_t *api_str_or_null(const char *s);		/* null for NULL or "" */
json_t *api_time_or_null(int64_t t);		/* null for 0 */

/* Sets rs to status and doc serialised (indented, with a trailing
 * newline); takes doc's reference. Out of memory: 500. */
void  api_set_json(struct api_response *rs, int status, json_t *doc);
/* The same without the trailing newline (the /pools and /jobs answers). */
void  api_set_json_plain(struct api_response *rs, int status, json_t *doc);
/* Sets rs to status and {"error": message}. */
void  api_error(struct api_response *rs, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* {"wipe": bool}; missing body = 0. -1 with rs set to the 400 answer. */
int   api_parse_arm_body(const struct api_request *rq, int *wipe,
	    struct api_response *rs);

/* /pools[/NAME[/precheck|upgrade|retry|abort]]; segs[0] is "pools". */
void  api_pool_handle(const struct api_deps *deps,
	    const struct api_request *rq, char **segs, size_t n,
	    struct api_response *rs);
/* POST /hosts/H/rebuild|install {"wipe": true}; kind "rebuild"|"install". */
void  api_job_start(const struct api_deps *deps, const struct api_request *rq,
	    const struct host *h, const char *kind, struct api_response *rs);
/* /jobs, /jobs/ID, /jobs/ID/retry|abort; segs[0] is "jobs". */
void  api_job_handle(const struct api_deps *deps,
	    const struct api_request *rq, char **segs, size_t n,
	    struct api_response *rs);

#endif
