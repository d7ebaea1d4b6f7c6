/* http_host.h — the routes an installing host uses, answered through arm
 * (arm.h), and what the server learns from them:
 *   GET  /hosts/{host}/{token}/answerfile
 *   GET  /hosts/{host}/{token}/script
 *   POST /hosts/{host}/{token}/callback/{0|1}
 *   GET  /hosts/{host}/{token}/hostcert-script   (filesystem-populated)
 *   GET  /hosts/{host}/{token}/hostcert          (once per arming)
 * arm's typed result becomes the HTTP status here (200, 403, 404, 409,
 * 410, 500) and nowhere else.
 *
 * It also owns the repo bytes per host: the address that fetched a host's
 * answerfile (200) is that host's installer from then on, and the bytes of
 * repo files later sent to that address count for the host, from 0. In
 * memory only; one address per host and one host per address (the latest
 * fetch wins); the 256 most recent installer addresses are remembered,
 * each host's bytes (by name) until the next fetch of its answerfile.
 */
#ifndef POOLBOOT_HTTP_HOST_H
#define POOLBOOT_HTTP_HOST_H

#include <stdint.h>

#include "arm.h"
#include "config.h"
#include "http_req.h"

struct http_host;

struct config_live;

/* The installer side for the hosts of live's configuration (config_live.h,
 * taken per request), arming through arm; live and arm must outlive it.
 * 0, or -1 (out of memory). Free with http_host_free (NULL is safe). */
int   http_host_new(struct config_live *live, struct arm *arm,
	    struct http_host **out);
void  http_host_free(struct http_host *hh);

/* Answers rq, whose route is HTTP_REQ_ANSWERFILE, HTTP_REQ_SCRIPT,
 * HTTP_REQ_CALLBACK, HTTP_REQ_HOSTCERT_SCRIPT or HTTP_REQ_HOSTCERT, for host with token (NULL: the path had none, 403
 * for a known host). result: the callback's 0 or 1. An answerfile served
 * makes rq's address host's installer. */
enum MHD_Result http_host_serve(struct http_host *hh,
	    struct MHD_Connection *con, struct http_req *rq, const char *host,
	    const char *token, int result);

/* An answerfile's connection is suspended until its count is on disk
 * (arm_fetch_begin); waits until none is (each resumed). Call before
 * the daemons stop (libmicrohttpd refuses to stop with a suspended
 * connection); http_host_free calls it too. NULL is safe. */
void  http_host_drain(struct http_host *hh);

/* bytes of repo files were sent to the address ip: they count for the
 * host whose installer ip is, if any. Thread-safe. */
void  http_host_sent(struct http_host *hh, const char *ip, uint64_t bytes);

/* The repo bytes sent to host's installer since its latest answerfile
 * fetch; 0 for an unknown host, one that has not fetched its answerfile
 * since the server started, or hh NULL. Thread-safe. */
uint64_t http_host_bytes(struct http_host *hh, const char *host);

#endif
