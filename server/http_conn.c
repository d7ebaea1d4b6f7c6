/* http_conn.c — see http_conn.h. */
#include "http_conn.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "util.h"

#define HTTP_CONN_TICK_MS	250		/* the reaper's round */
#define HTTP_CONN_LOG_EVERY_MS	60000		/* at most one warning a minute */

/* One tracked connection (libmicrohttpd's socket context). */
struct http_conn {
	struct http_conn *prev, *next;
	struct http_conn_set *set;
	int	 fd;
	int	 waiting;		/* a request is due by deadline_ms */
	int	 reaped;		/* shut down already */
	int64_t	 deadline_ms;		/* monotonic */
};

struct http_conn_set {
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* wakes the reaper to stop */
	pthread_t reaper;
	int	 reaper_started;
	int	 stopping;
	struct http_conn *head;
	unsigned int timeout_ms;
	const char *what;
	uint64_t reaped;
	uint64_t reaped_logged;
	int64_t	 logged_ms;
};

static int64_t
http_conn_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One warning a minute at most about the connections closed since the
 * last one; called with mu held. */
static void
http_conn_log(struct http_conn_set *set, int64_t now)
{
	if (set->reaped == set->reaped_logged ||
	    now - set->logged_ms < HTTP_CONN_LOG_EVERY_MS)
		return;
	log_warn("http", "%s listener: closed %llu connection%s that did not "
	    "send a whole request within %u s (header_timeout)", set->what,
	    (unsigned long long)(set->reaped - set->reaped_logged),
	    set->reaped - set->reaped_logged == 1 ? "" : "s",
	    set->timeout_ms / 1000);
	set->reaped_logged = set->reaped;
	set->logged_ms = now;
}

/* One round: shuts down every connection past its deadline. */
static void
http_conn_sweep(struct http_conn_set *set)
{
	struct http_conn *c;
	int64_t now = http_conn_mono_ms();

	for (c = set->head; c != NULL; c = c->next) {
		if (!c->waiting || c->reaped || now < c->deadline_ms)
			continue;
		/* the socket is open: NOTIFY_CLOSED, which comes before
		 * libmicrohttpd closes it, takes c out under mu first */
		if (shutdown(c->fd, SHUT_RDWR) == -1 && errno != ENOTCONN)
			log_debug("http", "shutdown: %s", strerror(errno));
		c->reaped = 1;
		set->reaped++;
	}
	http_conn_log(set, now);
}

static void *
http_conn_reaper(void *arg)
{
	struct http_conn_set *set = arg;
	struct timespec ts;

	pthread_mutex_lock(&set->mu);
	while (!set->stopping) {
		http_conn_sweep(set);
		util_deadline_ms(&ts, HTTP_CONN_TICK_MS);
		pthread_cond_timedwait(&set->cv, &set->mu, &ts);
	}
	pthread_mutex_unlock(&set->mu);
	return NULL;
}

int
http_conn_set_new(const char *what, unsigned int timeout_s,
    struct http_conn_set **out)
{
	struct http_conn_set *set;
	int rc;

	*out = NULL;
	if ((set = calloc(1, sizeof(*set))) == NULL) {
		log_error("http", "out of memory");
		return -1;
	}
	pthread_mutex_init(&set->mu, NULL);
	pthread_cond_init(&set->cv, NULL);
	set->what = what;
	set->timeout_ms = timeout_s * 1000;
	set->logged_ms = http_conn_mono_ms() - HTTP_CONN_LOG_EVERY_MS;
	if ((rc = pthread_create(&set->reaper, NULL, http_conn_reaper,
	    set)) != 0) {
		log_error("http", "cannot start the connection reaper: %s",
		    strerror(rc));
		http_conn_set_free(set);
		return -1;
	}
	set->reaper_started = 1;
	*out = set;
	return 0;
}

void
http_conn_set_free(struct http_conn_set *set)
{
	struct http_conn *c, *next;

	if (set == NULL)
		return;
	if (set->reaper_started) {
		pthread_mutex_lock(&set->mu);
		set->stopping = 1;
		pthread_cond_signal(&set->cv);
		pthread_mutex_unlock(&set->mu);
		pthread_join(set->reaper, NULL);
	}
	for (c = set->head; c != NULL; c = next) {	/* none once stopped */
		next = c->next;
		free(c);
	}
	pthread_cond_destroy(&set->cv);
	pthread_mutex_destroy(&set->mu);
	free(set);
}

/* A new connection: tracked, its first request due within the timeout. */
static void
http_conn_started(struct http_conn_set *set, struct MHD_Connection *con,
    void **socket_context)
{
	const union MHD_ConnectionInfo *ci;
	struct http_conn *c;

	ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci == NULL || (c = calloc(1, sizeof(*c))) == NULL)
		return;		/* untracked: only the idle timeout holds it */
	c->set = set;
	c->fd = ci->connect_fd;
	pthread_mutex_lock(&set->mu);
	c->waiting = 1;
	c->deadline_ms = http_conn_mono_ms() + set->timeout_ms;
	c->next = set->head;
	if (set->head != NULL)
		set->head->prev = c;
	set->head = c;
	pthread_mutex_unlock(&set->mu);
	*socket_context = c;
}

static void
http_conn_closed(struct http_conn_set *set, void **socket_context)
{
	struct http_conn *c = *socket_context;

	if (c == NULL)
		return;
	pthread_mutex_lock(&set->mu);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		set->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&set->mu);
	free(c);
	*socket_context = NULL;
}

void
http_conn_notify(void *cls, struct MHD_Connection *con,
    void **socket_context, enum MHD_ConnectionNotificationCode code)
{
	struct http_conn_set *set = cls;

	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		http_conn_started(set, con, socket_context);
	else if (code == MHD_CONNECTION_NOTIFY_CLOSED)
		http_conn_closed(set, socket_context);
}

/* con's tracked connection, or NULL when it is not tracked. */
static struct http_conn *
http_conn_of(struct MHD_Connection *con)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(con, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

void
http_conn_request_read(struct MHD_Connection *con)
{
	struct http_conn *c = http_conn_of(con);

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->set->mu);
	c->waiting = 0;
	pthread_mutex_unlock(&c->set->mu);
}

void
http_conn_request_done(struct MHD_Connection *con)
{
	struct http_conn *c = http_conn_of(con);

	if (c == NULL)
		return;
	pthread_mutex_lock(&c->set->mu);
	c->waiting = 1;
	c->deadline_ms = http_conn_mono_ms() + c->set->timeout_ms;
	pthread_mutex_unlock(&c->set->mu);
}

uint64_t
http_conn_reaped(struct http_conn_set *set)
{
	uint64_t n;

	pthread_mutex_lock(&set->mu);
	n = set->reaped;
	pthread_mutex_unlock(&set->mu);
	return n;
}
