/* http_slow.h — admin API requests that may wait on XAPI (api_is_slow:
 * prechecks, upgrade start, retry, abort), answered off the HTTP threads.
 * libmicrohttpd's few worker threads serve every installer's repo fetches,
 * answerfiles and callbacks; one master that answers slowly must not hold
 * them. So such a request's connection is suspended
 * (MHD_suspend_connection), the request is handed to a small pool of
 * threads of our own (HTTP_SLOW_WORKERS), which run api_handle and resume
 * the connection with the answer; http.c then queues it. At most
 * HTTP_SLOW_QUEUE requests wait for a worker; past that the answer is 503
 * at once. Needs a daemon started with MHD_USE_ALLOW_SUSPEND_RESUME.
 */
#ifndef POOLBOOT_HTTP_SLOW_H
#define POOLBOOT_HTTP_SLOW_H

#include <microhttpd.h>

#include "api.h"
#include "http_req.h"

#define HTTP_SLOW_WORKERS	4	/* slow API requests at once */
#define HTTP_SLOW_QUEUE		16	/* waiting for a worker, at most */

struct http_slow;

/* The workers, answering through deps (which must outlive them). 0 with
 * *out set, or -1 (logged). */
int   http_slow_new(const struct api_deps *deps, struct http_slow **out);
/* Stops taking requests (they get 503), answers the queued ones 503,
 * waits for the workers to finish the ones they run (each resumes its
 * connection) and frees s. Call before MHD_stop_daemon: no connection is
 * left suspended. NULL is safe. */
void  http_slow_free(struct http_slow *s);

/* Hands rq (an admin API request with its whole body, nothing queued
 * yet) to a worker: con is suspended until rq->slow is HTTP_REQ_SLOW_DONE
 * with the answer in rq; MHD_YES. When the queue is full or s is
 * stopping, answers 503 at once. */
enum MHD_Result http_slow_submit(struct http_slow *s,
	    struct MHD_Connection *con, struct http_req *rq);

/* The api_request of rq (an /api/v1 request): method, path after
 * "/api/v1", body; query lookups through qctx with query (NULL: none). */
void  http_slow_api_request(const struct http_req *rq,
	    struct api_request *arq);

#endif
