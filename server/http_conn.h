/* http_conn.h — the connections of one listener and the request deadline.
 *
 * libmicrohttpd's own connection timeout (MHD_OPTION_CONNECTION_TIMEOUT)
 * counts idle time only: a client that sends one header byte every few
 * seconds keeps a connection forever, and enough of them fill the
 * server (slowloris). Here every connection is tracked from its accept
 * (MHD_OPTION_NOTIFY_CONNECTION) and must deliver each whole request
 * (request line, headers, body) within timeout seconds of its opening or
 * of the end of the previous answer; a reaper thread shuts down (shutdown
 * (2)) the socket of one that does not, and libmicrohttpd then closes it
 * as a client that went away. Answers being sent are not timed here (the
 * idle timeout covers a client that stops reading).
 *
 * The reaper's round runs every 250 ms. A round that comes more than a
 * second late (the process was stopped, or starved of CPU) moves every
 * deadline on by the delay, and a connection whose client has sent bytes
 * the server has not read yet gets one more timeout: in both cases the
 * server, not the client, was behind. Its warnings (connections closed,
 * refused, a late round; at most one a minute of each count) are logged
 * after the mutex is released.
 *
 * Thread safety: one mutex guards the list; the notify and request calls
 * come from libmicrohttpd's threads, the reaper runs on its own. A socket
 * is shut down only while its connection is in the list, and
 * libmicrohttpd announces MHD_CONNECTION_NOTIFY_CLOSED (which takes it out
 * under the mutex) before it closes the socket, so the reaper never
 * touches a closed or reused descriptor.
 */
#ifndef POOLBOOT_HTTP_CONN_H
#define POOLBOOT_HTTP_CONN_H

#include <stdint.h>

#include <microhttpd.h>

struct http_conn_set;

/* A set for the listener called what ("install", "admin": log lines),
 * with its reaper thread running. 0 with *out set (free with
 * http_conn_set_free), or -1 (logged). */
int   http_conn_set_new(const char *what, unsigned int timeout_s,
	    struct http_conn_set **out);
/* Stops the reaper and frees the set; call after the daemon using it has
 * stopped. NULL is safe. */
void  http_conn_set_free(struct http_conn_set *set);

/* MHD_OPTION_NOTIFY_CONNECTION's callback; cls is the set. */
void  http_conn_notify(void *cls, struct MHD_Connection *con,
	    void **socket_context, enum MHD_ConnectionNotificationCode code);

/* con's current request has arrived whole (or has been answered early):
 * its deadline no longer runs. */
void  http_conn_request_read(struct MHD_Connection *con);
/* The answer on con is complete: the deadline for the next request
 * starts now. */
void  http_conn_request_done(struct MHD_Connection *con);

/* The listener's connection limits, for the warning about refused
 * connections (which limit refused them). */
void  http_conn_set_limits(struct http_conn_set *set, unsigned int conn_limit,
	    unsigned int per_ip_limit, unsigned int threads);
/* libmicrohttpd refused a connection (max_connections or the per-address
 * limit): counted in /metrics, and warned about at most once a minute.
 * Safe to call from any thread; NULL is a no-op. */
void  http_conn_refused(struct http_conn_set *set);

/* Connections closed at the deadline so far. */
uint64_t http_conn_reaped(struct http_conn_set *set);

#endif
