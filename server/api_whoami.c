/* api_whoami.c — see api_whoami.h. The HTTP server has checked the token
 * (http_audit.h) and put its name and role in the request. */
#include "api_whoami.h"

#include <string.h>

#include <jansson.h>

#include "api_json.h"

void
api_whoami_handle(const struct api_request *rq, struct api_response *rs)
{
	if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0) {
		api_json_error(rs, 405, "method %.16s not allowed here (use "
		    "GET)", rq->method);
		return;
	}
	api_json_set(rs, 200, json_pack("{s:s, s:s}", "token", rq->token ?
	    rq->token : "-", "role", rq->role ? rq->role : "-"));
}
