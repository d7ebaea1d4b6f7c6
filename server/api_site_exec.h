/* api_site_exec.h — the site's instance carrying out an action queued
 * by another instance (site_queue.h) exactly as its own API would: the
 * action becomes the request it stands for, answered by api_handle
 * (api.h). Apart from api_site.h so that the API's own files do not
 * include api.h.
 */
#ifndef POOLBOOT_API_SITE_EXEC_H
#define POOLBOOT_API_SITE_EXEC_H

#include <stddef.h>

struct site_action;

/* site_queue_exec_fn (site_queue.h) with arg a const struct api_deps *
 * that outlives the queue: POST /pools/P/upgrade with the stored body,
 * /pools/P/retry|abort, /hosts/H/rebuild|install ({"wipe": true} for
 * args "wipe"), /jobs/ID/retry|abort. Returns the API's HTTP status;
 * result gets "ok: " and what was done ("run 4 started", "install job 2
 * is running"), or "refused: " and the API's error. */
int   api_site_exec_run(void *arg, const struct site_action *a,
	    char *result, size_t size);

#endif
