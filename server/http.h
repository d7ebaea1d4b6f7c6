/* http.h — the HTTP server (libmicrohttpd, internal epoll thread pools; no
 * process or thread per request) with two listeners (http_listen.h):
 *
 * the install listener ([server] listen, the install network):
 *   GET|HEAD /repo/{repo}/{path}        unpacked ISO, Range, fd responses
 *                                        (http_file.h)
 *   GET      /hosts/{host}/{token}/answerfile
 *   GET      /hosts/{host}/{token}/script
 *   POST     /hosts/{host}/{token}/callback/{0|1}
 *                                        the installer's routes, through
 *                                        arm (http_host.h)
 * the admin listener ([server] admin_listen, loopback or HTTPS):
 *   *        /api/v1/...                 admin API (bearer token), see api.h
 *   GET|HEAD /metrics                    Prometheus metrics (metrics.h); open,
 *                                        off or bearer token per [server] metrics
 *   GET|HEAD /  and /web/{file}          the dashboard's static files from
 *                                        web_dir (no token: they hold no data;
 *                                        http_file.h)
 * Anything else, and a route asked of the other listener, is 404 (also
 * /metrics when it is off); a repo, host, dashboard or metrics path with
 * another method 405 (with Allow). The install listener limits
 * connections per address and in all (max_connections,
 * per_ip_connections); both give each request header_timeout seconds to
 * arrive whole (http_conn.h). One log line per request ("http" tag) with
 * the token redacted. http.c owns the daemons' callbacks, each request's
 * life cycle (http_req.h), routing, the admin token check and the log
 * line.
 */
#ifndef POOLBOOT_HTTP_H
#define POOLBOOT_HTTP_H

#include <stdint.h>

#include "api.h"
#include "arm.h"
#include "config.h"
#include "store.h"

struct dnsmasq_sup;
struct tokens;

struct http_deps {
	/* what the admin API works on, and the server's own configuration,
	 * store and arming (api.live, api.st, api.arm): every request is
	 * answered in the configuration current when it arrived whole (a
	 * reference from api.live, config_live.h); http_start sets
	 * api.repo_bytes in its own copy to the server's counter */
	struct api_deps	 api;
	const char	*admin_token;	/* bearer token for /api/v1 ("local"),
					   when tokens is NULL */
	struct tokens	*tokens;	/* the named tokens and the local one
					   (tokens.h), or NULL; must outlive
					   the server */
	struct dnsmasq_sup *dnsmasq;	/* managed dnsmasq for /metrics, or NULL;
					   must outlive the server */
};

struct http_server;

/* Binds both listeners (cfg->listen_addr:listen_port and
 * admin_listen_addr:admin_listen_port) and serves nothing yet: connections
 * wait in the kernel's queue until http_start. Touches no file. 0 with
 * *out set (free it with http_stop), or -1 (logged, naming the address,
 * port and [server] key; *out NULL). cfg is read until http_start
 * returns (the listeners' keys cannot change live: reload.h). */
int   http_bind(const struct config *cfg, struct http_server **out);
/* Starts serving on srv's listeners. deps is copied (deps->api.live must
 * be set); what it points to must outlive the server. 0, or -1 (logged;
 * srv is still freed with http_stop). */
int   http_start(struct http_server *srv, const struct http_deps *deps);
/* Stops serving (waits for the worker threads), closes the listeners and
 * frees srv; NULL is safe. */
void  http_stop(struct http_server *srv);

/* Bytes of repo files (/repo/..., complete 200/206 answers) sent to the
 * address that last fetched host's answerfile (200), counted from that
 * fetch: the repo a host's installer has downloaded so far. In memory
 * only; 0 for an unknown host, a host that has not fetched its answerfile
 * since the server started, or srv NULL. Thread-safe. */
uint64_t http_host_repo_bytes(struct http_server *srv, const char *host);

#endif
