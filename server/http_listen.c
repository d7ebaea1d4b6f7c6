/* http_listen.c — see http_listen.h. */
#include "http_listen.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define HTTP_LISTEN_IDLE_TIMEOUT	60	/* seconds of inactivity */
#define HTTP_LISTEN_PEM_MAX		(256 * 1024)

const char *
http_listen_name(enum http_listen_kind kind)
{
	return kind == HTTP_LISTEN_ADMIN ? "admin" : "install";
}

const char *
http_listen_key(enum http_listen_kind kind)
{
	return kind == HTTP_LISTEN_ADMIN ? "admin_listen" : "listen";
}

/* Resolves addr:port (numeric only; "[::1]" and "::1" alike) into the
 * first address getaddrinfo gives. Caller frees *res. */
static int
http_listen_resolve(const char *addr, int port, struct addrinfo **res)
{
	struct addrinfo hints;
	char host[256], portstr[16];
	size_t n = strlen(addr);
	int rc;

	if (addr[0] == '[' && n > 2 && addr[n - 1] == ']') {
		if (n - 2 >= sizeof(host))
			return EAI_NONAME;
		memcpy(host, addr + 1, n - 2);
		host[n - 2] = '\0';
	} else if (snprintf(host, sizeof(host), "%s", addr) >=
	    (int)sizeof(host))
		return EAI_NONAME;
	snprintf(portstr, sizeof(portstr), "%d", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_NUMERICHOST;
	rc = getaddrinfo(host, portstr, &hints, res);
	return rc;
}

/* A listening socket for ai; -1 with errno set. */
static int
http_listen_socket(const struct addrinfo *ai)
{
	int fd, one = 1, v6only = 1, saved;

	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
		goto fail;
	if (ai->ai_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ai->ai_addr;

		/* "::" is every address, IPv4 ones too */
		v6only = !IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
		    sizeof(v6only)) == -1)
			goto fail;
	}
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, SOMAXCONN) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
http_listen_bind(struct http_listener *l, enum http_listen_kind kind,
    const char *addr, int port)
{
	struct addrinfo *res = NULL;
	int rc;

	memset(l, 0, sizeof(*l));
	l->kind = kind;
	l->fd = -1;
	l->port = port;
	if (addr == NULL || addr[0] == '\0' || strcmp(addr, "*") == 0)
		addr = "0.0.0.0";
	snprintf(l->addr, sizeof(l->addr), "%s", addr);
	if ((rc = http_listen_resolve(addr, port, &res)) != 0) {
		log_error("http", "cannot listen on %s port %d ([server] %s): "
		    "%s", addr, port, http_listen_key(kind), gai_strerror(rc));
		return -1;
	}
	l->fd = http_listen_socket(res);
	freeaddrinfo(res);
	if (l->fd == -1) {
		log_error("http", "cannot listen on %s port %d ([server] %s, the "
		    "%s listener): %s%s", addr, port, http_listen_key(kind),
		    http_listen_name(kind), strerror(errno), errno ==
		    EADDRINUSE ? " (another poolboot serve or program has it; "
		    "stop it or choose another port)" : "");
		return -1;
	}
	return 0;
}

uint64_t
http_listen_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 1024;
	if (rl.rlim_cur != rl.rlim_max) {
		rlim_t want = rl.rlim_max;

		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("http", "cannot raise the open-file limit to "
			    "%llu: %s", (unsigned long long)want,
			    strerror(errno));
		if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
			return 1024;
	}
	return rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX :
	    (uint64_t)rl.rlim_cur;
}

/* Reads the PEM files of an HTTPS listener into l. -1: logged. */
static int
http_listen_tls_load(struct http_listener *l, const struct http_listen_opts *o)
{
	const char *what = "admin_tls_cert", *path = o->tls_cert_file;
	size_t len = 0;

	if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
		log_error("http", "this libmicrohttpd has no TLS (GnuTLS) "
		    "support; remove admin_tls_cert and admin_tls_key from "
		    "[server] and keep admin_listen on a loopback address");
		return -1;
	}
	if ((l->tls_cert = util_read_file(path, HTTP_LISTEN_PEM_MAX,
	    &len)) != NULL) {
		what = "admin_tls_key";
		path = o->tls_key_file;
		l->tls_key = util_read_file(path, HTTP_LISTEN_PEM_MAX, &len);
	}
	if (l->tls_cert == NULL || l->tls_key == NULL) {
		log_error("http", "[server] %s %s: %s", what, path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
http_listen_start(struct http_listener *l, const struct http_listen_opts *o)
{
	struct MHD_OptionItem opts[16];
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;	/* http_slow.h */
	size_t n = 0;

	if (o->tls_cert_file != NULL && o->tls_key_file != NULL) {
		if (http_listen_tls_load(l, o) == -1)
			return -1;
		flags |= MHD_USE_TLS;
	}
	if (http_conn_set_new(http_listen_name(l->kind), o->header_timeout,
	    &l->conns) == -1)
		return -1;
#define HTTP_LISTEN_OPT(opt, v, p) \
	opts[n++] = (struct MHD_OptionItem){ (opt), (intptr_t)(v), (p) }
	/* the logger first, so that libmicrohttpd's every message uses it */
	HTTP_LISTEN_OPT(MHD_OPTION_EXTERNAL_LOGGER, o->log, o->cls);
	HTTP_LISTEN_OPT(MHD_OPTION_LISTEN_SOCKET, l->fd, NULL);
	if (o->threads > 1)
		HTTP_LISTEN_OPT(MHD_OPTION_THREAD_POOL_SIZE, o->threads, NULL);
	HTTP_LISTEN_OPT(MHD_OPTION_CONNECTION_LIMIT, o->conn_limit, NULL);
	HTTP_LISTEN_OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->per_ip_limit,
	    NULL);
	HTTP_LISTEN_OPT(MHD_OPTION_CONNECTION_TIMEOUT,
	    HTTP_LISTEN_IDLE_TIMEOUT, NULL);
	HTTP_LISTEN_OPT(MHD_OPTION_NOTIFY_CONNECTION, http_conn_notify,
	    l->conns);
	HTTP_LISTEN_OPT(MHD_OPTION_URI_LOG_CALLBACK, o->uri_log, o->cls);
	HTTP_LISTEN_OPT(MHD_OPTION_NOTIFY_COMPLETED, o->completed, o->cls);
	if (l->tls_cert != NULL) {
		HTTP_LISTEN_OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, l->tls_cert);
		HTTP_LISTEN_OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, l->tls_key);
	}
	HTTP_LISTEN_OPT(MHD_OPTION_END, 0, NULL);
#undef HTTP_LISTEN_OPT
	l->daemon = MHD_start_daemon(flags, 0, NULL, NULL, o->handler, o->cls,
	    MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (l->daemon == NULL) {
		/* libmicrohttpd may have closed the socket on its way out:
		 * leave it (a descriptor lost on the way to exit) */
		l->fd = -1;
		log_error("http", "cannot start the %s listener on %s port %d "
		    "(libmicrohttpd's message above says why)%s",
		    http_listen_name(l->kind), l->addr, l->port,
		    l->tls_cert != NULL ? "; check that [server] admin_tls_cert "
		    "and admin_tls_key are a PEM certificate and its key" : "");
		return -1;
	}
	l->fd = -1;	/* the daemon's now */
	atomic_store(&l->serving, 1);
	return 0;
}

void
http_listen_stop(struct http_listener *l)
{
	if (l->daemon != NULL) {
		MHD_stop_daemon(l->daemon);
		l->daemon = NULL;
	}
	if (l->fd >= 0) {
		close(l->fd);
		l->fd = -1;
	}
	http_conn_set_free(l->conns);
	l->conns = NULL;
	free(l->tls_cert);
	l->tls_cert = NULL;
	if (l->tls_key != NULL) {
		util_wipe(l->tls_key, strlen(l->tls_key));
		free(l->tls_key);
		l->tls_key = NULL;
	}
}
