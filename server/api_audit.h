/* api_audit.h — the audit log in the admin API (api_audit.c):
 *   GET /api/v1/audit?since=&before=&limit=&token=&host=&pool=
 * (docs/api.md documents the document), and what an entry says of a
 * request: its action and target from its path, its result from the
 * API's answer. The HTTP server (http_audit.c) records each POST with
 * these after it has answered it; audit.h writes the entry.
 */
#ifndef POOLBOOT_API_AUDIT_H
#define POOLBOOT_API_AUDIT_H

#include <stddef.h>

#include "api_types.h"
#include "store.h"

/* GET /audit: {audit: [...], next_before}, newest first; 400 for a bad
 * parameter, 405 for another method, 500 on a store error. */
void  api_audit_handle(const struct api_deps *deps,
	    const struct api_request *rq, struct api_response *rs);

/* Fills e's action, target, method, path and status from method, path
 * (after "/api/v1"), status and, when body is not NULL, the API's JSON
 * answer (result: its "error", else what it reports: "state armed",
 * "run 7", "job 3", "prechecks passed", "ok"); without a body the result
 * says what the status means. Leaves e's other fields alone. */
void  api_audit_describe(const char *method, const char *path, int status,
	    const char *body, struct audit_entry *e);

#endif
