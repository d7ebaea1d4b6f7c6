/* api_site.h — admin actions on another site's pools and hosts through
 * the admin API (api_site.c): queued for that site's instance
 * (site_queue.h) and answered 202 with the action's id; GET
 * /site-actions/ID says how it went. The other end, carrying out an
 * action taken from the queue, is api_site_exec.h.
 *
 * A queued action is answered 202 {"host" or "pool" (and "job" for a
 * job's retry or abort), "site", "queued": ID, "message"}. A pool or host
 * that names no site while this instance serves one is answered 409
 * saying which key to set (nobody would take it from the queue).
 */
#ifndef POOLBOOT_API_SITE_H
#define POOLBOOT_API_SITE_H

#include <stddef.h>
#include <stdint.h>

struct api_deps;
struct api_request;
struct api_response;
struct host;

/* Each returns 1 when it answered (the target is of another site), 0
 * when it is this instance's (the caller acts). */
/* action "arm", "disarm", "rebuild" or "install" of h (wipe: the body's). */
int   api_site_forward(const struct api_deps *deps, const struct host *h,
	    const char *action, int wipe, struct api_response *rs);
/* action "upgrade", "retry" or "abort" of pool; body (may be NULL, of
 * len bytes, checked by the caller) is stored with the action. */
int   api_site_forward_pool(const struct api_deps *deps, const char *pool,
	    const char *action, const char *body, size_t len,
	    struct api_response *rs);
/* "retry" or "abort" of job id, a job of host. */
int   api_site_forward_job(const struct api_deps *deps, const char *host,
	    int64_t id, const char *action, struct api_response *rs);

/* GET /site-actions/ID: {"id", "site", "action", "target", "args",
 * "state" ("queued", "taken", "done"), "created_at", "taken_by",
 * "done_at", "status" (the HTTP status its instance's API gave it; null
 * until done), "ok", "result"}. GET /site-actions[?site=S][&state=queued|
 * taken|done][&limit=N (1..1000, default 100)]: {"actions": [...]}, the
 * same objects, newest first; 400 for another state. */
void  api_site_actions_handle(const struct api_deps *deps,
	    const struct api_request *rq, char **segs, size_t n,
	    struct api_response *rs);

#endif
