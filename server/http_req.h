/* http_req.h — one HTTP request as the server sees it, from the request
 * line to the log line, and the answers queued to it. Shared by http.c
 * (life cycle, routing, logging) and the route modules (http_file.c,
 * http_host.c), which answer through http_req_text, http_req_owned and
 * http_req_queue so that the status and body bytes of every answer end up
 * in the request's log line and metrics.
 */
#ifndef POOLBOOT_HTTP_REQ_H
#define POOLBOOT_HTTP_REQ_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "util.h"

#define HTTP_REQ_BODY_MAX	(64 * 1024)	/* kept (API) or tolerated */
#define HTTP_REQ_TEXT_PLAIN	"text/plain; charset=utf-8"

/* What a request asks for, decided from its path (http.c routes). */
enum http_req_route {
	HTTP_REQ_NONE = 0,
	HTTP_REQ_REPO,
	HTTP_REQ_ANSWERFILE,
	HTTP_REQ_SCRIPT,
	HTTP_REQ_CALLBACK,
	HTTP_REQ_HOSTCERT_SCRIPT,	/* the filesystem-populated script */
	HTTP_REQ_HOSTCERT,		/* the new install's XAPI key, once */
	HTTP_REQ_API,
	HTTP_REQ_WEB,			/* the dashboard's static files */
	HTTP_REQ_METRICS,		/* GET /metrics (Prometheus) */
	HTTP_REQ_GRUB			/* /grub/{path}: tftp_root/grub */
};

/* Per-request state: allocated by http_req_new when the request line is
 * read, freed by http_req_free once the request is complete. */
struct http_req {
	char	 ip[INET6_ADDRSTRLEN];	/* the client's address, or "-" */
	int64_t	 t0_ms;			/* monotonic, when it began */
	char	 method[16];
	char	*raw;			/* raw request target, for the log */
	char	*path;			/* decoded path as routed */
	int	 started;		/* the first access call happened */
	enum http_req_route route;
	int	 keep_body;		/* the body is kept (admin API) */
	struct sbuf body;		/* at most HTTP_REQ_BODY_MAX bytes */
	uint64_t body_seen;
	int	 body_too_big;
	unsigned int status;		/* 0 = nothing queued by us */
	int	 counted;		/* in /metrics' request counts */
	uint64_t bytes;			/* body bytes of the answer */
	/* a slow admin API request (http_slow.h): handed to a worker, then
	 * answered with slow_status and slow_body (malloc'd JSON, freed
	 * with rq; may be NULL when out of memory) */
	enum { HTTP_REQ_SLOW_NO = 0, HTTP_REQ_SLOW_QUEUED,
	    HTTP_REQ_SLOW_DONE } slow;
	int	 slow_status;
	char	*slow_body;
	/* the admin API's token and the audit entry (http_audit.h): the
	 * token's name ("-" none) and role (enum tokens_role), a copy of
	 * the answer to a change (malloc'd, freed with rq) */
	char	 who[64];
	int	 role;
	char	*audit_body;
	int	 audited;		/* its audit entry is written */
	/* an answerfile waiting for its count to reach the disk
	 * (http_host.c): freed with rq by host_wait_free */
	void	*host_wait;
	void	(*host_wait_free)(void *);
};

/* A new request from con (the client's address) with uri (NULL, or the
 * raw target: its query is dropped, at most 4096 characters kept). NULL
 * when out of memory. Free with http_req_free (NULL is safe). */
struct http_req *http_req_new(struct MHD_Connection *con, const char *uri);
void  http_req_free(struct http_req *rq);

/* Milliseconds since http_req_new made rq. */
int64_t http_req_elapsed_ms(const struct http_req *rq);

/* Queues resp with status (and always destroys resp; NULL gives MHD_NO).
 * On success rq->status is status and rq->bytes is bytes, the body's
 * length (0 for HEAD). Adds "Server: poolboot". */
enum MHD_Result http_req_queue(struct MHD_Connection *con, struct http_req *rq,
	    unsigned int status, struct MHD_Response *resp, uint64_t bytes);

/* Queues resp, a response shared by many requests (built with its
 * headers, "Server" included, once; not destroyed here), like
 * http_req_queue otherwise. */
enum MHD_Result http_req_queue_shared(struct MHD_Connection *con,
	    struct http_req *rq, unsigned int status, struct MHD_Response *resp,
	    uint64_t bytes);

/* Adds "Server: poolboot", as http_req_queue does to every answer. */
void  http_req_server_header(struct MHD_Response *resp);

/* A constant body text (not copied: a literal) of type ctype. allow: the
 * value of Allow (405) or NULL. A 401 also gets WWW-Authenticate. */
enum MHD_Result http_req_text(struct MHD_Connection *con, struct http_req *rq,
	    unsigned int status, const char *ctype, const char *text,
	    const char *allow);

/* 404 "not found\n". */
enum MHD_Result http_req_not_found(struct MHD_Connection *con,
	    struct http_req *rq);

/* A malloc'd body of len bytes, handed over in every case (freed with the
 * response, or at once on failure); Cache-Control: no-store. */
enum MHD_Result http_req_owned(struct MHD_Connection *con, struct http_req *rq,
	    unsigned int status, const char *ctype, char *body, size_t len);
/* The same for a secret (NUL-terminated) body: wiped before it is freed. */
enum MHD_Result http_req_secret(struct MHD_Connection *con,
	    struct http_req *rq, unsigned int status, const char *ctype,
	    char *body, size_t len);

#endif
