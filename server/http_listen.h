/* http_listen.h — the server's two listeners: the install network's
 * ([server] listen: the host routes and the repo) and the admin one
 * ([server] admin_listen: /api/v1, the dashboard, /metrics; HTTPS with
 * admin_tls_cert and admin_tls_key). Which routes each answers is
 * http.c's business; here a listener is bound, started as a
 * libmicrohttpd daemon with its connection limits and request deadline
 * (http_conn.h), and stopped.
 *
 * Binding and starting are apart so that `poolboot serve` holds its ports
 * before it touches any file, and starts serving once the state is ready.
 * The socket is owned by the listener until the daemon starts, then by
 * the daemon (which closes it when it stops).
 */
#ifndef POOLBOOT_HTTP_LISTEN_H
#define POOLBOOT_HTTP_LISTEN_H

#include <stdatomic.h>
#include <stdint.h>

#include <microhttpd.h>

#include "http_conn.h"

enum http_listen_kind { HTTP_LISTEN_INSTALL = 0, HTTP_LISTEN_ADMIN = 1 };

struct http_server;

struct http_listener {
	enum http_listen_kind kind;
	struct http_server *srv;	/* for the daemon's callbacks */
	char	 addr[64];		/* as configured, for log lines */
	int	 port;
	int	 fd;			/* listening; -1 once the daemon has it */
	char	*tls_cert;		/* PEM text while serving HTTPS */
	char	*tls_key;		/* PEM text, wiped when freed */
	struct MHD_Daemon *daemon;
	struct http_conn_set *conns;
	/* set once its daemon started: libmicrohttpd's messages before are
	 * about starting (errors), after about clients (debug) */
	atomic_int serving;
};

/* What a listener's daemon runs with. */
struct http_listen_opts {
	unsigned int threads;		/* libmicrohttpd's thread pool */
	unsigned int conn_limit;	/* all addresses together */
	unsigned int per_ip_limit;	/* one address; 0: none */
	unsigned int header_timeout;	/* seconds for a whole request */
	const char *tls_cert_file;	/* both set: HTTPS */
	const char *tls_key_file;
	MHD_AccessHandlerCallback handler;
	MHD_LogCallback log;
	void	*(*uri_log)(void *cls, const char *uri,
		    struct MHD_Connection *con);
	MHD_RequestCompletedCallback completed;
	void	*cls;			/* for all the callbacks above */
};

/* "install" or "admin", and the [server] key that configures it. */
const char *http_listen_name(enum http_listen_kind kind);
const char *http_listen_key(enum http_listen_kind kind);

/* Binds addr:port ("0.0.0.0" and "::" every address; "::" takes IPv4
 * too) and listens. Fills l (kind, addr, port, fd; the rest zeroed).
 * 0, or -1 with l->fd -1 and the reason logged, naming the address, the
 * port and the [server] key. */
int   http_listen_bind(struct http_listener *l, enum http_listen_kind kind,
	    const char *addr, int port);

/* Starts l's daemon on its bound socket. 0, or -1 (logged). */
int   http_listen_start(struct http_listener *l,
	    const struct http_listen_opts *o);

/* Stops the daemon (waiting for its threads), closes what l still holds
 * and wipes the key. Safe on a listener never started, and on one never
 * bound when its fd is -1. */
void  http_listen_stop(struct http_listener *l);

/* Raises the soft open-file limit to the hard one and returns the soft
 * limit in force afterwards. */
uint64_t http_listen_raise_nofile(void);

#endif
