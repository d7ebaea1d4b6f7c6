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
#include <stdint.h>

struct arm;
struct config;
struct coord;
struct jobs;
struct store;

/* What the API works on; it must outlive every api_handle call. */
struct api_deps {
	const struct config *cfg;
	struct store	*st;
	struct arm	*arm;
	struct coord	*coord;		/* may be NULL (no rolling upgrades) */
	struct jobs	*jobs;		/* may be NULL (no rebuild/install) */
	/* The bytes of repo files host's installer has fetched so far (the
	 * HTTP server counts them: http_host_repo_bytes); NULL reads 0. */
	uint64_t	(*repo_bytes)(void *arg, const char *host);
	void		*repo_bytes_arg;
};

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

void  api_handle(const struct api_deps *deps, const struct api_request *rq,
	    struct api_response *rs);

#endif
