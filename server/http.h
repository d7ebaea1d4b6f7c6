/* http.h — the HTTP server (libmicrohttpd, internal epoll thread pool; no
 * process or thread per request). Routes:
 *   GET|HEAD /repo/{repo}/{path}        unpacked ISO, Range, fd responses
 *   GET      /hosts/{host}/{token}/answerfile
 *   GET      /hosts/{host}/{token}/script
 *   POST     /hosts/{host}/{token}/callback/{0|1}
 *   *        /api/v1/...                 admin API (bearer token), see api.h
 *   GET|HEAD /metrics                    Prometheus metrics (metrics.h); open,
 *                                        off or bearer token per [server] metrics
 *   GET|HEAD /  and /web/{file}          the dashboard's static files from
 *                                        web_dir (no token: they hold no data)
 * One log line per request ("http" tag) with the token redacted.
 */
#ifndef POOLBOOT_HTTP_H
#define POOLBOOT_HTTP_H

#include <stdint.h>

#include "api.h"
#include "arm.h"
#include "config.h"
#include "store.h"

struct dnsmasq_sup;

struct http_deps {
	/* what the admin API works on, and the server's own configuration,
	 * store and arming (api.cfg, api.st, api.arm); http_start sets
	 * api.repo_bytes in its own copy to the server's counter */
	struct api_deps	 api;
	const char	*admin_token;	/* bearer token for /api/v1 */
	struct dnsmasq_sup *dnsmasq;	/* managed dnsmasq for /metrics, or NULL;
					   must outlive the server */
};

struct http_server;

/* Binds cfg->listen_addr:listen_port and starts serving. deps must outlive
 * the server. 0/-1 (logged). */
int   http_start(const struct http_deps *deps, struct http_server **out);
void  http_stop(struct http_server *srv);

/* Bytes of repo files (/repo/..., complete 200/206 answers) sent to the
 * address that last fetched host's answerfile (200), counted from that
 * fetch: the repo a host's installer has downloaded so far. In memory
 * only; 0 for an unknown host, a host that has not fetched its answerfile
 * since the server started, or srv NULL. Thread-safe. */
uint64_t http_host_repo_bytes(struct http_server *srv, const char *host);

/* Maps a request path under a repo root to an open fd, refusing anything
 * that would leave root ("..", encoded forms already decoded by the
 * caller, symlinks pointing outside). Returns fd >= 0, or -1 with errno
 * ENOENT (404), EACCES (403), EISDIR (404). Exposed for unit tests. */
int   http_open_beneath(const char *root, const char *relpath);

/* Parses a Range request header for a file of size bytes. Only one byte
 * range is honoured ("bytes=a-b", "bytes=a-", "bytes=-n"). Returns 0 with
 * start and len set (serve 206), 1 to ignore the header (malformed, other
 * unit, several ranges: serve the whole file, 200), -1 when the range is
 * unsatisfiable (416). Exposed for unit tests. */
int   http_parse_range(const char *hdr, uint64_t size, uint64_t *start,
	    uint64_t *len);

/* Unit tests only: non-zero makes http_open_beneath take the realpath()
 * fallback that kernels without openat2(2) (before 5.6) get. */
extern int http_test_no_openat2;

#endif
