/* http_audit.c — the admin listener's tokens and audit entries; see
 * http_audit.h. */
#include "http_audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_audit.h"
#include "audit.h"
#include "log.h"

#define HTTP_AUDIT_TOKEN_MAX	256

/* The token of "Authorization: Bearer TOKEN" into tok (size len), blanks
 * around it dropped: 0, or -1 when there is none or it does not fit. */
static int
http_audit_bearer(struct MHD_Connection *con, char *tok, size_t len)
{
	const char *h;
	size_t n;

	h = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncasecmp(h, "Bearer", 6) != 0 ||
	    (h[6] != ' ' && h[6] != '\t'))
		return -1;
	h += 6;
	while (*h == ' ' || *h == '\t')
		h++;
	n = strlen(h);
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= len)
		return -1;
	memcpy(tok, h, n);
	tok[n] = '\0';
	return 0;
}

enum tokens_role
http_audit_auth(struct tokens *tokens, const char *admin_token,
    struct MHD_Connection *con, struct http_req *rq)
{
	char tok[HTTP_AUDIT_TOKEN_MAX];
	enum tokens_role role = TOKENS_NONE;

	util_strlcpy(rq->who, sizeof(rq->who), "-");
	rq->role = TOKENS_NONE;
	if (http_audit_bearer(con, tok, sizeof(tok)) == -1)
		return TOKENS_NONE;
	if (tokens != NULL)
		role = tokens_lookup(tokens, tok, rq->who, sizeof(rq->who));
	else if (admin_token != NULL && admin_token[0] != '\0' &&
	    util_streq_ct(tok, admin_token)) {
		util_strlcpy(rq->who, sizeof(rq->who), TOKENS_LOCAL);
		role = TOKENS_ADMIN;
	}
	util_wipe(tok, sizeof(tok));
	rq->role = (int)role;
	return role;
}

/* GET and HEAD change nothing. */
static int
http_audit_reads(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

int
http_audit_read_only(const struct http_req *rq)
{
	return rq->role == TOKENS_READ_ONLY && !http_audit_reads(rq->method);
}

enum MHD_Result
http_audit_refuse(struct MHD_Connection *con, struct http_req *rq)
{
	char *body = NULL;
	int n;

	n = asprintf(&body, "{\"error\": \"token \\\"%s\\\" is read-only: it "
	    "may read (GET) but not %s; use an admin token (poolboot token "
	    "add NAME makes one)\"}\n", rq->who, rq->method);
	if (n < 0)
		return MHD_NO;
	http_audit_answer(rq, body);
	return http_req_owned(con, rq, MHD_HTTP_FORBIDDEN, "application/json",
	    body, (size_t)n);
}

void
http_audit_answer(struct http_req *rq, const char *body)
{
	if (http_audit_reads(rq->method) || body == NULL)
		return;
	free(rq->audit_body);
	rq->audit_body = strdup(body);	/* NULL: the entry says less */
}

void
http_audit_done(struct store *st, struct http_req *rq)
{
	struct audit_entry e;
	const char *path, *body = rq->audit_body;
	int status = (int)rq->status;

	if (rq->audited || rq->route != HTTP_REQ_API || rq->method[0] ==
	    '\0' || http_audit_reads(rq->method) || rq->path == NULL)
		return;
	/* a slow request whose client left while it was answered: done all
	 * the same; else nothing was done without an answer */
	if (status == 0 && rq->slow == HTTP_REQ_SLOW_DONE) {
		status = rq->slow_status;
		if (body == NULL)
			body = rq->slow_body;
	}
	if (status == 0)
		return;
	rq->audited = 1;
	path = rq->path + 7;	/* after "/api/v1" (routed so) */
	memset(&e, 0, sizeof(e));
	util_strlcpy(e.client, sizeof(e.client), rq->ip);
	util_strlcpy(e.token, sizeof(e.token), rq->who[0] ? rq->who : "-");
	api_audit_describe(rq->method, path[0] ? path : "/", status, body, &e);
	audit_add(st, &e);
}
