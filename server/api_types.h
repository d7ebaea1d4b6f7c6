/* api_types.h — the admin API's data: what it works on (struct
 * api_deps), a request and an answer. Shared by the API's files and by
 * the HTTP server, which fills a request and sends the answer; api.h is
 * the contract of api_handle itself.
 */
#ifndef POOLBOOT_API_TYPES_H
#define POOLBOOT_API_TYPES_H

#include <stddef.h>
#include <stdint.h>

struct arm;
struct config;
struct config_live;
struct coord;
struct jobs;
struct reload;
struct store;

/* What the API works on; it must outlive every api_handle call. */
struct api_deps {
	/* the server's configuration (config_live.h): api_handle takes a
	 * reference for each request and answers it in that one, cfg in
	 * its own copy of the deps. NULL: cfg is fixed (tests). */
	struct config_live *live;
	struct reload	*reload;	/* POST /reload; NULL: 503 */
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
	/* who asks: the bearer token's name ("local": admin_token_file's)
	 * and role ("admin", "read-only"); NULL when not known */
	const char *token;
	const char *role;
};

struct api_response {
	int	 status;
	char	*body;			/* malloc'd JSON; caller frees */
};

#endif
