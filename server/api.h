/* api.h — the JSON admin API under /api/v1 (jansson), independent of the
 * HTTP library so it can be tested directly. http.c checks the bearer
 * token before calling api_handle. The API is the one place where the
 * domain's typed results (arm_status, the coordinator's and the jobs'
 * results) become HTTP status codes and JSON; docs/api.md documents every
 * document.
 *
 *   GET  /api/v1/hosts                      every inventory host
 *   GET  /api/v1/hosts/{host}               one host
 *   POST /api/v1/hosts/{host}/arm           {"wipe": bool}
 *   POST /api/v1/hosts/{host}/disarm
 *   POST /api/v1/hosts/{host}/rebuild       {"wipe": true}   (api_job.c)
 *   POST /api/v1/hosts/{host}/install       {"wipe": true}   (api_job.c)
 *   GET  /api/v1/events?host=&pool=&since=&before=&limit=
 *   GET  /api/v1/pools[/{pool}]             latest run per pool (api_pool.c)
 *   POST /api/v1/pools/{pool}/precheck|upgrade|retry|abort   (api_pool.c)
 *   GET  /api/v1/jobs[/{id}]                (api_job.c)
 *   POST /api/v1/jobs/{id}/retry|abort      (api_job.c)
 *   GET  /api/v1/audit?since=&before=&limit=&token=&host=&pool=
 *                                           (api_audit.c)
 *   POST /api/v1/reload                     re-read the config (api_reload.c)
 * Errors: {"error": "message"} with 400/403/404/405/409/422/500/502/503/504.
 */
#ifndef POOLBOOT_API_H
#define POOLBOOT_API_H

#include "api_types.h"

/* 1 when answering method path (as in struct api_request) may wait on
 * XAPI: POST /pools/{pool}/precheck|upgrade|retry|abort (prechecks, the
 * pool database dump, an abort's clean-up), or on files and dnsmasq
 * --test: POST /reload. The HTTP server answers those
 * off its own threads (http_slow.h); everything else is quick (the store,
 * arming, memory) and answered in place. Job starts, retries and aborts
 * are quick: a job's XAPI work is on the job's thread. */
int   api_is_slow(const char *method, const char *path);

/* Answers one request: rs->status and rs->body (malloc'd JSON, caller
 * frees; never NULL) are always set. Thread-safe when the deps' parts are
 * (they are: store, arm, coord and jobs lock inside). */
void  api_handle(const struct api_deps *deps, const struct api_request *rq,
	    struct api_response *rs);

#endif
