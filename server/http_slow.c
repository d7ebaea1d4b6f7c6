/* http_slow.c — slow admin API requests on threads of their own; see
 * http_slow.h.
 *
 * A request is queued with its connection suspended; a worker takes it,
 * runs api_handle, stores the answer in the struct http_req and resumes
 * the connection as its very last use of it: from then on
 * libmicrohttpd's thread owns rq again (it calls the access handler,
 * which queues the answer, and may free rq at once).
 */
#include "http_slow.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tokens.h"

struct http_slow_item {
	struct MHD_Connection *con;
	struct http_req *rq;
	struct http_slow_item *next;
};

struct http_slow {
	const struct api_deps *deps;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct http_slow_item *head, *tail;	/* waiting for a worker */
	unsigned	 queued;
	unsigned	 busy;		/* requests a worker is answering */
	int		 stop;
	pthread_t	 th[HTTP_SLOW_WORKERS];
	size_t		 nth;
};

static const char http_slow_busy[] = "{\"error\": \"busy: too many admin "
    "requests are waiting for XAPI (prechecks, upgrades, retries, aborts); "
    "try again in a minute\"}\n";
static const char http_slow_stopping[] = "{\"error\": \"the server is "
    "shutting down; try again once it is back\"}\n";

void
http_slow_api_request(const struct http_req *rq, struct api_request *arq)
{
	const char *sub = rq->path + 7;		/* after "/api/v1" */

	memset(arq, 0, sizeof(*arq));
	arq->method = rq->method;
	arq->path = sub[0] ? sub : "/";
	arq->body = rq->body.len ? rq->body.p : NULL;
	arq->body_len = rq->body.len;
	arq->token = rq->who[0] ? rq->who : NULL;
	arq->role = tokens_role_name((enum tokens_role)rq->role);
}

/* Gives rq its answer (body copied from text when owned is NULL) and
 * hands the connection back to libmicrohttpd. */
static void
http_slow_done(struct http_slow_item *it, int status, char *owned,
    const char *text)
{
	struct http_req *rq = it->rq;

	rq->slow_status = status;
	rq->slow_body = owned != NULL ? owned : strdup(text);
	rq->slow = HTTP_REQ_SLOW_DONE;
	MHD_resume_connection(it->con);		/* rq is not ours after this */
	free(it);
}

static void *
http_slow_main(void *arg)
{
	struct http_slow *s = arg;
	struct http_slow_item *it;
	struct api_request arq;
	struct api_response ars;
	int stop;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->stop && s->head == NULL)
			pthread_cond_wait(&s->cv, &s->mu);
		if ((it = s->head) == NULL)
			break;			/* stopping, nothing left */
		if ((s->head = it->next) == NULL)
			s->tail = NULL;
		s->queued--;
		s->busy++;
		stop = s->stop;
		pthread_mutex_unlock(&s->mu);
		if (stop)
			http_slow_done(it, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
			    http_slow_stopping);
		else {
			http_slow_api_request(it->rq, &arq);
			ars.status = 0;
			ars.body = NULL;
			api_handle(s->deps, &arq, &ars);
			http_slow_done(it, ars.status, ars.body,
			    "{\"error\": \"internal error\"}\n");
		}
		pthread_mutex_lock(&s->mu);
		s->busy--;
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int
http_slow_new(const struct api_deps *deps, struct http_slow **out)
{
	struct http_slow *s;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	s->deps = deps;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	for (s->nth = 0; s->nth < HTTP_SLOW_WORKERS; s->nth++)
		if (pthread_create(&s->th[s->nth], NULL, http_slow_main, s) !=
		    0) {
			log_error("http", "cannot start the admin API workers");
			http_slow_free(s);
			return -1;
		}
	*out = s;
	return 0;
}

void
http_slow_free(struct http_slow *s)
{
	size_t i;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	/* our own workers: each finishes its request (and resumes it) and
	 * answers what is still queued 503 */
	for (i = 0; i < s->nth; i++)
		pthread_join(s->th[i], NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

enum MHD_Result
http_slow_submit(struct http_slow *s, struct MHD_Connection *con,
    struct http_req *rq)
{
	struct http_slow_item *it = NULL;
	const char *refuse = NULL;

	pthread_mutex_lock(&s->mu);
	if (s->stop)
		refuse = http_slow_stopping;
	else if (s->queued + s->busy >= s->nth + HTTP_SLOW_QUEUE ||
	    (it = calloc(1, sizeof(*it))) == NULL)
		refuse = http_slow_busy;
	if (refuse != NULL) {
		pthread_mutex_unlock(&s->mu);
		return http_req_text(con, rq, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "application/json", refuse, NULL);
	}
	it->con = con;
	it->rq = rq;
	rq->slow = HTTP_REQ_SLOW_QUEUED;
	/* suspended before any worker can see it (and resume it) */
	MHD_suspend_connection(con);
	if (s->tail != NULL)
		s->tail->next = it;
	else
		s->head = it;
	s->tail = it;
	s->queued++;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return MHD_YES;
}
