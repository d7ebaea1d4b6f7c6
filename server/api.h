/* api.h — the JSON admin API under /api/v1 (jansson), independent of the
 * HTTP library so it can be tested directly. http.c checks the bearer
 * token before calling api_handle.
 *
 *   GET  /api/v1/hosts                 [{name,pool,mode,mac,state,...}]
 *   GET  /api/v1/hosts/{host}          one host
 *   POST /api/v1/hosts/{host}/arm      {"wipe": bool} -> {host,state,answerfile_url,...}
 *   POST /api/v1/hosts/{host}/disarm
 *   GET  /api/v1/events?host=&pool=&since=&before=&limit=
 * Errors: {"error": "message"} with 400/404/405/409/500.
 */
#ifndef POOLBOOT_API_H
#define POOLBOOT_API_H

#include <stddef.h>

#include "http.h"

struct api_request {
	const char *method;
	const char *path;		/* after "/api/v1", e.g. "/hosts/h1/arm" */
	const char *body;		/* may be NULL */
	size_t	    body_len;
	/* query string lookup; returns NULL when absent */
	const char *(*query)(void *qctx, const char *key);
	void	   *qctx;
};

struct api_response {
	int	 status;
	char	*body;			/* malloc'd JSON; caller frees */
};

void  api_handle(const struct http_deps *deps, const struct api_request *rq,
	    struct api_response *rs);

#endif
