/* api_whoami.h — GET /api/v1/whoami: which token the caller presented and
 * what it may do (docs/api.md), so that a client (the dashboard) knows
 * before its first change whether it may make one.
 */
#ifndef POOLBOOT_API_WHOAMI_H
#define POOLBOOT_API_WHOAMI_H

#include "api_types.h"

/* GET: 200 {"token": NAME, "role": "admin" | "read-only"}; another
 * method: 405. */
void  api_whoami_handle(const struct api_request *rq, struct api_response *rs);

#endif
