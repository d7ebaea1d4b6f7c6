/* http_conn.c — see http_conn.h. */
#include "http_conn.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "metrics.h"
#include "util.h"

#define HTTP_CONN_TICK_MS	250		/* the reaper's round */
#define HTTP_CONN_LATE_MS	1000		/* a round this late: stopped */
#define HTTP_CONN_LOG_EVERY_MS	60000		/* at most one warning a minute */

/* One tracked connection (libmicrohttpd's socket context). */
struct http_conn {
	struct http_conn *prev, *next;
	struct http_conn_set *set;
	int	 fd;
	int	 waiting;		/* a request is due by deadline_ms */
	int	 reaped;		/* shut down already */
	int	 spared;		/* given more time: unread bytes */
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
	int	 admin;			/* metrics' listener label */
	uint64_t reaped;
	uint64_t reaped_logged;
	int64_t	 logged_ms;
	int64_t	 swept_ms;		/* the last round; 0 none yet */
	unsigned int open;		/* tracked connections */
	unsigned int conn_limit, per_ip_limit, threads;	/* for warnings */
	uint64_t refused;
	uint64_t refused_logged;
	int64_t	 refused_logged_ms;
};

/* What one round found that deserves a log line; logged after the mutex
 * is released (a stalled log must never hold up a request). */
struct http_conn_report {
	uint64_t reaped;		/* closed since the last warning */
	uint64_t refused;		/* refused since the last warning */
	unsigned int open;
	int64_t	 late_ms;		/* > 0: the round came this late */
};

static int64_t
http_conn_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when the client has sent bytes the server has not read yet: the
 * server, not the client, is behind. */
static int
http_conn_unread(int fd)
{
	int n = 0;

	return ioctl(fd, FIONREAD, &n) == 0 && n > 0;
}

/* The warnings due (at most one a minute of each kind); called with mu
 * held, fills r. */
static void
http_conn_due(struct http_conn_set *set, int64_t now,
    struct http_conn_report *r)
{
	if (set->reaped != set->reaped_logged &&
	    now - set->logged_ms >= HTTP_CONN_LOG_EVERY_MS) {
		r->reaped = set->reaped - set->reaped_logged;
		set->reaped_logged = set->reaped;
		set->logged_ms = now;
	}
	if (set->refused != set->refused_logged &&
	    now - set->refused_logged_ms >= HTTP_CONN_LOG_EVERY_MS) {
		r->refused = set->refused - set->refused_logged;
		set->refused_logged = set->refused;
		set->refused_logged_ms = now;
	}
	r->open = set->open;
}

/* One round: shuts down every connection past its deadline. A round that
 * comes much later than its tick (the process was stopped, or starved of
 * CPU) first moves every deadline on by the delay: the server, not the
 * clients, lost that time. A connection whose bytes wait unread gets one
 * more timeout for the same reason. Called with mu held. */
static void
http_conn_sweep(struct http_conn_set *set, struct http_conn_report *r)
{
	struct http_conn *c;
	int64_t now = http_conn_mono_ms(), late = 0;

	memset(r, 0, sizeof(*r));
	if (set->swept_ms != 0)
		late = now - set->swept_ms - HTTP_CONN_TICK_MS;
	set->swept_ms = now;
	if (late > HTTP_CONN_LATE_MS) {
		for (c = set->head; c != NULL; c = c->next)
			c->deadline_ms += late;
		r->late_ms = late;
	}
	for (c = set->head; c != NULL; c = c->next) {
		if (!c->waiting || c->reaped || now < c->deadline_ms)
			continue;
		if (!c->spared && http_conn_unread(c->fd)) {
			c->spared = 1;
			c->deadline_ms = now + set->timeout_ms;
			continue;
		}
		/* the socket is open: NOTIFY_CLOSED, which comes before
		 * libmicrohttpd closes it, takes c out under mu first */
		(void)shutdown(c->fd, SHUT_RDWR);
		c->reaped = 1;
		set->reaped++;
		metrics_http_conn(set->admin, METRICS_CONN_REAPED);
	}
	http_conn_due(set, now, r);
}

/* Why connections were refused, as far as the numbers tell: below one
 * thread's share of max_connections only the per-address limit can have
 * refused them. */
static void
http_conn_log_refused(const struct http_conn_set *set,
    const struct http_conn_report *r)
{
	const char *s = r->refused == 1 ? "" : "s";
	unsigned int share = set->threads > 0 ? set->conn_limit /
	    set->threads : set->conn_limit;

	if (set->per_ip_limit > 0 && r->open < share)
		log_warn("http", "%s listener: refused %llu connection%s from "
		    "an address that already had per_ip_connections = %u "
		    "(%u open in all); installers behind one address (NAT, a "
		    "proxy) need a higher per_ip_connections in [server], or 0 "
		    "for no limit", set->what, (unsigned long long)r->refused,
		    s, set->per_ip_limit, r->open);
	else if (set->per_ip_limit > 0)
		log_warn("http", "%s listener: refused %llu connection%s: "
		    "max_connections = %u reached (%u open, split over %u "
		    "threads) or more than per_ip_connections = %u from one "
		    "address; raise the one that applies in [server]",
		    set->what, (unsigned long long)r->refused, s,
		    set->conn_limit, r->open, set->threads, set->per_ip_limit);
	else
		log_warn("http", "%s listener: refused %llu connection%s: "
		    "max_connections = %u reached (%u open, split over %u "
		    "threads); raise max_connections in [server] (and the "
		    "open-file limit)", set->what,
		    (unsigned long long)r->refused, s, set->conn_limit, r->open,
		    set->threads);
}

/* The round's log lines; called without mu. */
static void
http_conn_report_log(const struct http_conn_set *set,
    const struct http_conn_report *r)
{
	if (r->late_ms > 0)
		log_warn("http", "%s listener: the connection reaper ran %lld "
		    "ms late (the process was stopped or starved of CPU); "
		    "request deadlines moved on by as much", set->what,
		    (long long)r->late_ms);
	if (r->reaped > 0)
		log_warn("http", "%s listener: closed %llu connection%s that "
		    "did not send a whole request within %u s (header_timeout)",
		    set->what, (unsigned long long)r->reaped, r->reaped == 1 ?
		    "" : "s", set->timeout_ms / 1000);
	if (r->refused > 0)
		http_conn_log_refused(set, r);
}

static void *
http_conn_reaper(void *arg)
{
	struct http_conn_set *set = arg;
	struct http_conn_report r;
	struct timespec ts;

	pthread_mutex_lock(&set->mu);
	while (!set->stopping) {
		http_conn_sweep(set, &r);
		pthread_mutex_unlock(&set->mu);
		http_conn_report_log(set, &r);
		pthread_mutex_lock(&set->mu);
		if (set->stopping)
			break;
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
	set->admin = strcmp(what, "admin") == 0;
	set->timeout_ms = timeout_s * 1000;
	set->logged_ms = http_conn_mono_ms() - HTTP_CONN_LOG_EVERY_MS;
	set->refused_logged_ms = set->logged_ms;
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
	set->open++;
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
	set->open--;
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
	c->spared = 0;
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

void
http_conn_set_limits(struct http_conn_set *set, unsigned int conn_limit,
    unsigned int per_ip_limit, unsigned int threads)
{
	if (set == NULL)
		return;
	pthread_mutex_lock(&set->mu);
	set->conn_limit = conn_limit;
	set->per_ip_limit = per_ip_limit;
	set->threads = threads;
	pthread_mutex_unlock(&set->mu);
}

void
http_conn_refused(struct http_conn_set *set)
{
	if (set == NULL)
		return;
	pthread_mutex_lock(&set->mu);
	set->refused++;
	pthread_mutex_unlock(&set->mu);
	metrics_http_conn(set->admin, METRICS_CONN_REFUSED);
}
