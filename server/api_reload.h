/* api_reload.h — POST /api/v1/reload (api_reload.c), called by api.c's
 * router: the running server re-reads its configuration file (reload.h)
 * and answers what changed or why nothing did (docs/api.md). */
#ifndef POOLBOOT_API_RELOAD_H
#define POOLBOOT_API_RELOAD_H

struct api_deps;
struct api_request;
struct api_response;

/* 200 applied (or unchanged), 422 the file has problems, 409 a change
 * cannot be made now, 405 not POST, 503 no reload in deps, 500. Every
 * answer but 405/503 carries "summary" and, when there are any,
 * "errors" (one string each). */
void  api_reload_handle(const struct api_deps *deps,
	    const struct api_request *rq, struct api_response *rs);

#endif
