/* http_audit.h — who is asking the admin listener, and the audit record of
 * every change asked of it (http_audit.c), so that http.c keeps one call
 * for each:
 *   - http_audit_auth: the bearer token of a request to /api/v1 or
 *     /metrics becomes a token's name and role (tokens.h) in the request;
 *   - http_audit_refuse: a read-only token asking for a change: 403;
 *   - http_audit_answer: a copy of the API's answer to a change;
 *   - http_audit_done: once the request is answered, every /api/v1
 *     request but GET and HEAD is one audit entry (audit.h), refused ones
 *     (401, 403, 404, 405, 409, 413, 503) too.
 */
#ifndef POOLBOOT_HTTP_AUDIT_H
#define POOLBOOT_HTTP_AUDIT_H

#include <microhttpd.h>

#include "http_req.h"
#include "store.h"
#include "tokens.h"

/* The role of con's "Authorization: Bearer TOKEN" among tokens (NULL:
 * only admin_token, as "local"; admin_token NULL or "": none), its name
 * kept in rq->who ("-" for none) and the role in rq->role. TOKENS_NONE
 * when there is no such header or the token matches none. */
enum tokens_role http_audit_auth(struct tokens *tokens,
	    const char *admin_token, struct MHD_Connection *con,
	    struct http_req *rq);

/* 1 when rq (authenticated) may not do what it asks: a read-only token
 * and a method other than GET and HEAD. */
int   http_audit_read_only(const struct http_req *rq);
/* Answers rq 403 {"error": "token \"NAME\" is read-only: ..."}. */
enum MHD_Result http_audit_refuse(struct MHD_Connection *con,
	    struct http_req *rq);

/* Keeps a copy of body, the API's answer, when rq is a change (not GET or
 * HEAD), for its audit entry. */
void  http_audit_answer(struct http_req *rq, const char *body);

/* rq has its answer (called as it is queued, so that the entries are in
 * the order of the answers; and once more when rq is complete, for a
 * slow request whose client left): when it is an /api/v1 request other
 * than GET and HEAD, its audit entry (store st and the log), once. */
void  http_audit_done(struct store *st, struct http_req *rq);

#endif
