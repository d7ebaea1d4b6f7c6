/* http_req.c — see http_req.h. */
#include "http_req.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "util.h"

static int64_t
http_req_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct http_req *
http_req_new(struct MHD_Connection *con, const char *uri)
{
	const union MHD_ConnectionInfo *ci;
	struct http_req *rq;

	if ((rq = calloc(1, sizeof(*rq))) == NULL)
		return NULL;
	rq->t0_ms = http_req_mono_ms();
	rq->body.max = HTTP_REQ_BODY_MAX + 1;
	snprintf(rq->ip, sizeof(rq->ip), "-");
	ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL) {
		const struct sockaddr *sa = ci->client_addr;

		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET,
			    &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
			    rq->ip, sizeof(rq->ip));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
			    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			    rq->ip, sizeof(rq->ip));
	}
	if (uri != NULL) {
		size_t n = strcspn(uri, "?");

		if (n > 4096)
			n = 4096;
		rq->raw = strndup(uri, n);
	}
	return rq;
}

void
http_req_free(struct http_req *rq)
{
	if (rq == NULL)
		return;
	if (rq->host_wait != NULL && rq->host_wait_free != NULL)
		rq->host_wait_free(rq->host_wait);
	free(rq->raw);
	free(rq->path);
	free(rq->slow_body);
	free(rq->audit_body);
	sbuf_free(&rq->body);
	free(rq);
}

int64_t
http_req_elapsed_ms(const struct http_req *rq)
{
	return http_req_mono_ms() - rq->t0_ms;
}

enum MHD_Result
http_req_queue(struct MHD_Connection *con, struct http_req *rq,
    unsigned int status, struct MHD_Response *resp, uint64_t bytes)
{
	enum MHD_Result r;

	if (resp == NULL)
		return MHD_NO;
	http_req_server_header(resp);
	r = http_req_queue_shared(con, rq, status, resp, bytes);
	MHD_destroy_response(resp);
	return r;
}

enum MHD_Result
http_req_queue_shared(struct MHD_Connection *con, struct http_req *rq,
    unsigned int status, struct MHD_Response *resp, uint64_t bytes)
{
	enum MHD_Result r;

	r = MHD_queue_response(con, status, resp);
	if (r == MHD_YES) {
		rq->status = status;
		rq->bytes = strcmp(rq->method, "HEAD") == 0 ? 0 : bytes;
	}
	return r;
}

void
http_req_server_header(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Server", "poolboot");
}

enum MHD_Result
http_req_text(struct MHD_Connection *con, struct http_req *rq,
    unsigned int status, const char *ctype, const char *text,
    const char *allow)
{
	struct MHD_Response *resp;
	struct MHD_IoVec iov;

	iov.iov_base = text;
	iov.iov_len = strlen(text);
	if ((resp = MHD_create_response_from_iovec(&iov, 1, NULL, NULL)) ==
	    NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (allow != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"poolboot\"");
	return http_req_queue(con, rq, status, resp, iov.iov_len);
}

enum MHD_Result
http_req_not_found(struct MHD_Connection *con, struct http_req *rq)
{
	return http_req_text(con, rq, MHD_HTTP_NOT_FOUND, HTTP_REQ_TEXT_PLAIN,
	    "not found\n", NULL);
}

/* MHD's free callback for a secret body: wiped, then freed. */
static void
http_req_wipe_free(void *p)
{
	if (p != NULL)
		util_wipe(p, strlen(p));
	free(p);
}

enum MHD_Result
http_req_secret(struct MHD_Connection *con, struct http_req *rq,
    unsigned int status, const char *ctype, char *body, size_t len)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer_with_free_callback(len, body,
	    http_req_wipe_free);
	if (resp == NULL) {
		http_req_wipe_free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	return http_req_queue(con, rq, status, resp, len);
}

enum MHD_Result
http_req_owned(struct MHD_Connection *con, struct http_req *rq,
    unsigned int status, const char *ctype, char *body, size_t len)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(len, body,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	return http_req_queue(con, rq, status, resp, len);
}
