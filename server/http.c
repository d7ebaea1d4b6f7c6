/* http.c — see http.h. The daemon, each request's life cycle, routing,
 * the admin token check and the one log line per request; the answers
 * themselves come from http_file.c (repo and dashboard files), http_host.c
 * (the installer's routes), api.c (the admin API) and metrics.c.
 *
 * Request life cycle (libmicrohttpd): the URI log callback allocates a
 * struct http_req as soon as the request line is read; the access handler
 * is called once with the headers (routing, authentication, early refusals
 * such as 401/404/405/413), then once per chunk of body (counted, kept
 * only for the admin API, bounded), then once more at the end (the real
 * answer); the completion callback writes the one log line and frees the
 * struct http_req.
 */
#include "http.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "api.h"
#include "config_live.h"
#include "http_audit.h"
#include "http_file.h"
#include "http_conn.h"
#include "http_host.h"
#include "http_listen.h"
#include "http_req.h"
#include "http_slow.h"
#include "log.h"
#include "metrics.h"

#define HTTP_BODY_DRAIN_MAX	(1024 * 1024)	/* past this: drop the connection */
#define HTTP_ADMIN_CONN_LIMIT	256		/* the admin listener's connections */
#define HTTP_FD_RESERVE		128		/* descriptors besides connections */
/* A listener thread's connections, at most: libmicrohttpd 0.9.75's epoll
 * loop (MHD_epoll) calls epoll_wait again, with its full timeout, after
 * one that returned its maximum of 128 events and before it handles
 * them, so a thread with exactly 128 ready descriptors sleeps on answers
 * it has not sent (up to the 60 s idle timeout). Below 126 connections
 * plus the listen socket and the wake-up pipe, no call returns 128. */
#define HTTP_CONNS_PER_THREAD	120
#define HTTP_LOG_PATH_MAX	300		/* characters of path in the log */
#define HTTP_MAX_SEGS		8

struct http_server {
	const struct config *cfg;	/* http_bind's, until http_start returns:
					 * the listeners cannot change live */
	struct http_listener install;	/* [server] listen */
	struct http_listener admin;	/* [server] admin_listen */
	struct http_deps deps;
	atomic_int running;		/* set once both daemons started */
	struct http_host *hosts;	/* the installer routes, repo bytes */
	struct http_slow *slow;		/* admin requests that may wait on XAPI */
};

/* ---- the log line ------------------------------------------------------ */

/* Appends s to the log buffer, escaping what could forge or break a log
 * line (control bytes, quotes, backslashes, non-ASCII). */
static void
http_log_escape(struct sbuf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (b->len >= HTTP_LOG_PATH_MAX) {
			sbuf_puts(b, "...");
			return;
		}
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			sbuf_printf(b, "\\x%02x", c);
		else
			sbuf_append(b, &s[i], 1);
	}
}

/* The path for the log line, with the token segment of /hosts/{h}/{token}
 * replaced by "***" (except in the token-less forms /hosts/h/answerfile
 * and /hosts/h/script, where there is none). Segments are split at '/'
 * only, as http_route splits them: the path comes without its query, so
 * a '?' in it is a decoded %3F and part of a segment. Caller frees. */
static char *
http_log_path(const char *path)
{
	struct sbuf b = { .max = HTTP_LOG_PATH_MAX + 64 };
	const char *p = path, *seg, *segs[4] = { NULL, NULL, NULL, NULL };
	size_t lens[4] = { 0, 0, 0, 0 }, n = 0;
	int redact = 0;

	while (*p != '\0' && n < 4) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		seg = p;
		while (*p != '\0' && *p != '/')
			p++;
		segs[n] = seg;
		lens[n] = (size_t)(p - seg);
		n++;
	}
	if (n >= 3 && lens[0] == 5 && strncmp(segs[0], "hosts", 5) == 0) {
		redact = 1;
		if (n == 3 && ((lens[2] == 10 &&
		    strncmp(segs[2], "answerfile", 10) == 0) ||
		    (lens[2] == 6 && strncmp(segs[2], "script", 6) == 0)))
			redact = 0;
	}
	if (redact) {
		http_log_escape(&b, path, (size_t)(segs[2] - path));
		sbuf_puts(&b, "***");
		http_log_escape(&b, segs[2] + lens[2], SIZE_MAX);
	} else
		http_log_escape(&b, path, SIZE_MAX);
	return sbuf_take(&b);
}

static void *
http_uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
	(void)cls;
	return http_req_new(con, uri);
}

static enum metrics_route
http_metrics_route(enum http_req_route r)
{
	switch (r) {
	case HTTP_REQ_REPO:
		return METRICS_ROUTE_REPO;
	case HTTP_REQ_GRUB:
		return METRICS_ROUTE_BOOT;
	case HTTP_REQ_ANSWERFILE:
	case HTTP_REQ_SCRIPT:
	case HTTP_REQ_CALLBACK:
	case HTTP_REQ_HOSTCERT_SCRIPT:
	case HTTP_REQ_HOSTCERT:
		return METRICS_ROUTE_HOSTS;
	case HTTP_REQ_API:
		return METRICS_ROUTE_API;
	default:
		return METRICS_ROUTE_OTHER;
	}
}

/* Counts rq in /metrics' requests once it has an answer, before
 * libmicrohttpd sends it: a client that has its answer finds it counted,
 * whichever listener's thread it asks next. The bytes are counted at
 * completion, once they are sent. */
static void
http_count(struct http_req *rq)
{
	if (rq->status == 0 || rq->counted)
		return;
	rq->counted = 1;
	metrics_http_request(http_metrics_route(rq->route), rq->status, 0);
}

static void
http_completed(void *cls, struct MHD_Connection *con, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = ((struct http_listener *)cls)->srv;
	struct http_req *rq = *con_cls;
	const char *what = "";
	char *lp;
	char status[16];

	http_conn_request_done(con);	/* the next request's deadline */
	if (rq == NULL)
		return;
	if (rq->route == HTTP_REQ_REPO &&
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK &&
	    (rq->status == MHD_HTTP_OK ||
	    rq->status == MHD_HTTP_PARTIAL_CONTENT))
		http_host_sent(srv->hosts, rq->ip, rq->bytes);
	http_count(rq);
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		metrics_http_request(http_metrics_route(rq->route), 0,
		    rq->bytes);
	lp = http_log_path(rq->path ? rq->path : rq->raw ? rq->raw : "-");
	if (rq->status != 0)
		snprintf(status, sizeof(status), "%u", rq->status);
	else
		snprintf(status, sizeof(status), "-");
	switch (toe) {
	case MHD_REQUEST_TERMINATED_COMPLETED_OK:
		break;
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
		what = " (aborted: timeout)";
		break;
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
		what = " (aborted: shutdown)";
		break;
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
		what = " (aborted by client)";
		break;
	default:
		what = " (aborted)";
		break;
	}
	log_info("http", "%s \"%s %s\" %s %" PRIu64 " %" PRId64 "ms%s",
	    rq->ip, rq->method[0] ? rq->method : "-", lp ? lp : "-", status,
	    rq->bytes, http_req_elapsed_ms(rq), what);
	free(lp);
	http_audit_done(srv->deps.api.st, rq);	/* if not yet: client gone */
	http_req_free(rq);
	*con_cls = NULL;
}

/* ---- routing ---------------------------------------------------------- */

struct http_route_match {
	enum http_req_route route;
	char	 buf[1024];
	char	*segs[HTTP_MAX_SEGS];
	size_t	 nsegs;
	const char *rest;		/* repo: the path after /repo/{name};
					 * grub: the path after /grub/ */
	int	 missing_token;		/* /hosts/h/answerfile and friends */
};

/* Splits path into non-empty segments (at most HTTP_MAX_SEGS; more or
 * an over-long path gives HTTP_REQ_NONE) and decides the route. */
static void
http_route(const char *path, struct http_route_match *m)
{
	const char *p;
	size_t n;

	memset(m, 0, sizeof(*m));
	if (strncmp(path, "/api/v1", 7) == 0 &&
	    (path[7] == '\0' || path[7] == '/')) {
		m->route = HTTP_REQ_API;
		return;
	}
	if (strcmp(path, "/metrics") == 0) {
		m->route = HTTP_REQ_METRICS;
		return;
	}
	/* the dashboard: / and /web/{file}; no hidden files (.git, ...) */
	if (strcmp(path, "/") == 0) {
		m->route = HTTP_REQ_WEB;
		m->rest = "index.html";
		return;
	}
	if (strncmp(path, "/web/", 5) == 0) {
		if (path[5] != '.' && strstr(path + 5, "/.") == NULL) {
			m->route = HTTP_REQ_WEB;
			m->rest = path + 5;
		}
		return;
	}
	/* /repo/{name}/{rest...}: rest may be deep, keep it as a string */
	p = path;
	while (*p == '/')
		p++;
	/* /grub/{rest...}: tftp_root/grub (http_file_grub keeps it there) */
	if (strncmp(p, "grub/", 5) == 0) {
		m->route = HTTP_REQ_GRUB;
		m->rest = p + 5;
		return;
	}
	if (strncmp(p, "repo/", 5) == 0) {
		p += 5;
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0 || n >= sizeof(m->buf))
			return;
		memcpy(m->buf, p, n);
		m->buf[n] = '\0';
		m->segs[0] = m->buf;
		m->nsegs = 1;
		m->rest = p + n;
		m->route = HTTP_REQ_REPO;
		return;
	}
	if (strlen(path) >= sizeof(m->buf))
		return;
	snprintf(m->buf, sizeof(m->buf), "%s", path);
	{
		char *save = NULL, *tok;

		for (tok = strtok_r(m->buf, "/", &save); tok != NULL;
		    tok = strtok_r(NULL, "/", &save)) {
			if (m->nsegs == HTTP_MAX_SEGS)
				return;
			m->segs[m->nsegs++] = tok;
		}
	}
	if (m->nsegs < 3 || strcmp(m->segs[0], "hosts") != 0)
		return;
	if (m->nsegs == 4 && strcmp(m->segs[3], "answerfile") == 0)
		m->route = HTTP_REQ_ANSWERFILE;
	else if (m->nsegs == 4 && strcmp(m->segs[3], "script") == 0)
		m->route = HTTP_REQ_SCRIPT;
	else if (m->nsegs == 4 && strcmp(m->segs[3], "hostcert-script") == 0)
		m->route = HTTP_REQ_HOSTCERT_SCRIPT;
	else if (m->nsegs == 4 && strcmp(m->segs[3], "hostcert") == 0)
		m->route = HTTP_REQ_HOSTCERT;
	else if (m->nsegs == 5 && strcmp(m->segs[3], "callback") == 0 &&
	    (strcmp(m->segs[4], "0") == 0 || strcmp(m->segs[4], "1") == 0))
		m->route = HTTP_REQ_CALLBACK;
	else if (m->nsegs == 3 && strcmp(m->segs[2], "answerfile") == 0) {
		m->route = HTTP_REQ_ANSWERFILE;
		m->missing_token = 1;
	} else if (m->nsegs == 3 && strcmp(m->segs[2], "script") == 0) {
		m->route = HTTP_REQ_SCRIPT;
		m->missing_token = 1;
	} else if (m->nsegs == 4 && strcmp(m->segs[2], "callback") == 0 &&
	    (strcmp(m->segs[3], "0") == 0 || strcmp(m->segs[3], "1") == 0)) {
		m->route = HTTP_REQ_CALLBACK;
		m->missing_token = 1;
	}
}

/* The install listener answers the host routes, the repo and /grub, the
 * admin listener the admin API, the dashboard and /metrics; a route on the
 * other listener is not there (404). Every route is listed: a new one
 * must be given its listener. */
static int
http_route_here(enum http_listen_kind kind, enum http_req_route r)
{
	switch (r) {
	case HTTP_REQ_NONE:
		return 1;
	case HTTP_REQ_REPO:
	case HTTP_REQ_GRUB:
	case HTTP_REQ_ANSWERFILE:
	case HTTP_REQ_SCRIPT:
	case HTTP_REQ_CALLBACK:
	case HTTP_REQ_HOSTCERT:
	case HTTP_REQ_HOSTCERT_SCRIPT:
		return kind == HTTP_LISTEN_INSTALL;
	case HTTP_REQ_API:
	case HTTP_REQ_WEB:
	case HTTP_REQ_METRICS:
		return kind == HTTP_LISTEN_ADMIN;
	}
	return 0;
}

/* http_route for a request that came to listener l. */
static void
http_route_on(const struct http_listener *l, const char *path,
    struct http_route_match *m)
{
	http_route(path, m);
	if (!http_route_here(l->kind, m->route))
		memset(m, 0, sizeof(*m));	/* HTTP_REQ_NONE */
}

/* The bearer token is a known one (tokens.h): its name and role are kept
 * in rq (http_audit.h). */
static int
http_authorized(const struct http_server *srv, struct MHD_Connection *con,
    struct http_req *rq)
{
	return http_audit_auth(srv->deps.tokens, srv->deps.admin_token, con,
	    rq) != TOKENS_NONE;
}

static const char *
http_method_allow(enum http_req_route r)
{
	switch (r) {
	case HTTP_REQ_REPO:
	case HTTP_REQ_GRUB:
	case HTTP_REQ_WEB:
	case HTTP_REQ_METRICS:
		return "GET, HEAD";
	case HTTP_REQ_ANSWERFILE:
	case HTTP_REQ_SCRIPT:
		return "GET";
	case HTTP_REQ_CALLBACK:
		return "POST";
	default:
		return NULL;
	}
}

static int
http_method_ok(enum http_req_route r, const char *method)
{
	switch (r) {
	case HTTP_REQ_REPO:
	case HTTP_REQ_GRUB:
	case HTTP_REQ_WEB:
	case HTTP_REQ_METRICS:
		return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	case HTTP_REQ_ANSWERFILE:
	case HTTP_REQ_SCRIPT:
		return strcmp(method, "GET") == 0;
	case HTTP_REQ_CALLBACK:
		return strcmp(method, "POST") == 0;
	default:
		return 1;
	}
}

/* ---- handlers --------------------------------------------------------- */

/* /repo/{name}/{rest}: a configured repo with a path, else 404. */
static enum MHD_Result
http_serve_repo(const struct config *cfg, struct MHD_Connection *con,
    struct http_req *rq, const struct http_route_match *m)
{
	const struct repo *r;

	if ((r = config_repo(cfg, m->segs[0])) == NULL ||
	    r->path == NULL)
		return http_req_not_found(con, rq);
	return http_file_repo(con, rq, r->path, m->rest);
}

/* The inventory host whose GRUB file rest is ("hosts/<mac>.cfg", the
 * MAC as GRUB's ${net_default_mac} writes it), or NULL. */
static const char *
http_grub_host(const struct config *cfg, const char *rest)
{
	size_t i;

	while (*rest == '/')
		rest++;
	if (strncmp(rest, "hosts/", 6) != 0)
		return NULL;
	rest += 6;
	if (strlen(rest) != 17 + 4 || strcmp(rest + 17, ".cfg") != 0)
		return NULL;
	for (i = 0; i < cfg->nhosts; i++)
		if (strncasecmp(cfg->hosts[i].mac, rest, 17) == 0)
			return cfg->hosts[i].name;
	return NULL;
}

/* /grub/{rest}: tftp_root/grub over HTTP, what a UEFI HTTP-boot client
 * loads (grubx64.efi, then GRUB's grub.cfg and hosts/<mac>.cfg). A host
 * file carries the host's install token, as its pxelinux file does over
 * TFTP: its fetch gets a log line naming the host, so that serve.log
 * tells which hosts booted UEFI over HTTP (the content, and so the
 * token, is never logged). */
static enum MHD_Result
http_serve_grub(const struct config *cfg, struct MHD_Connection *con,
    struct http_req *rq, const struct http_route_match *m)
{
	enum MHD_Result r;
	const char *host;

	r = http_file_grub(con, rq, cfg->tftp_root, m->rest);
	if (rq->status == MHD_HTTP_OK && strcmp(rq->method, "GET") == 0 &&
	    (host = http_grub_host(cfg, m->rest)) != NULL)
		log_info("http", "%s: host %s fetched its GRUB config over "
		    "HTTP (UEFI HTTP boot)", rq->ip, host);
	return r;
}

static const char *
http_query(void *qctx, const char *key)
{
	return MHD_lookup_connection_value(qctx, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result
http_serve_api(struct http_server *srv, struct MHD_Connection *con,
    struct http_req *rq)
{
	struct api_request arq;
	struct api_response ars = { 0, NULL };

	http_slow_api_request(rq, &arq);
	if (rq->slow == HTTP_REQ_SLOW_DONE) {
		/* answered by a worker (http_slow.h) while suspended */
		ars.status = rq->slow_status;
		ars.body = rq->slow_body;
		rq->slow_body = NULL;
	} else if (api_is_slow(arq.method, arq.path))
		/* may wait on XAPI: never on this thread */
		return http_slow_submit(srv->slow, con, rq);
	else {
		arq.query = http_query;
		arq.qctx = con;
		api_handle(&srv->deps.api, &arq, &ars);
	}
	if (ars.body == NULL || ars.status < 100 || ars.status > 599) {
		free(ars.body);
		return http_req_text(con, rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "application/json", "{\"error\":\"internal error\"}\n",
		    NULL);
	}
	http_audit_answer(rq, ars.body);
	return http_req_owned(con, rq, (unsigned int)ars.status,
	    "application/json", ars.body, strlen(ars.body));
}

/* GET /metrics: rendered per scrape (access checked on the first call). */
static enum MHD_Result
http_serve_metrics(struct http_server *srv, const struct config *cfg,
    struct MHD_Connection *con, struct http_req *rq)
{
	struct sbuf b = { .max = 4 * 1024 * 1024 };
	size_t len;

	if (metrics_render(cfg, srv->deps.api.st,
	    srv->deps.dnsmasq, &b) == -1) {
		sbuf_free(&b);
		return http_req_text(con, rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    HTTP_REQ_TEXT_PLAIN,
		    "internal error (see the server log)\n", NULL);
	}
	len = b.len;
	return http_req_owned(con, rq, MHD_HTTP_OK, METRICS_CONTENT_TYPE,
	    sbuf_take(&b), len);
}

/* First call for a request: route it and refuse early what can be
 * refused from the headers alone. Returns MHD_YES with nothing queued
 * when the request goes on (body, then the final call). */
static enum MHD_Result
http_first_call(struct http_server *srv, struct MHD_Connection *con,
    struct http_req *rq, const struct http_route_match *m)
{
	const char *cl;
	unsigned long long n;
	char *end;
	enum metrics_access metrics = METRICS_ON;

	if (m->route == HTTP_REQ_METRICS) {
		const struct config *cfg = config_live_get(srv->deps.api.live);

		metrics = cfg->metrics;
		config_live_put(srv->deps.api.live, cfg);
	}
	if (m->route == HTTP_REQ_NONE || (m->route == HTTP_REQ_METRICS &&
	    metrics == METRICS_OFF))
		return http_req_not_found(con, rq);
	if (m->route == HTTP_REQ_METRICS && metrics == METRICS_AUTH &&
	    !http_authorized(srv, con, rq))
		return http_req_text(con, rq, MHD_HTTP_UNAUTHORIZED,
		    HTTP_REQ_TEXT_PLAIN, "missing or wrong admin token "
		    "(Authorization: Bearer ...)\n", NULL);
	if (!http_method_ok(m->route, rq->method))
		return http_req_text(con, rq, MHD_HTTP_METHOD_NOT_ALLOWED,
		    HTTP_REQ_TEXT_PLAIN, "method not allowed\n",
		    http_method_allow(m->route));
	if (m->route == HTTP_REQ_API) {
		if (!http_authorized(srv, con, rq))
			return http_req_text(con, rq, MHD_HTTP_UNAUTHORIZED,
			    "application/json",
			    "{\"error\":\"missing or wrong admin token "
			    "(Authorization: Bearer ...)\"}\n", NULL);
		if (http_audit_read_only(rq))	/* 403, before any body */
			return http_audit_refuse(con, rq);
		rq->keep_body = 1;
	}
	cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno == 0 && end != cl && n > HTTP_REQ_BODY_MAX)
			return http_req_text(con, rq,
			    MHD_HTTP_CONTENT_TOO_LARGE, HTTP_REQ_TEXT_PLAIN,
			    "request body too large\n", NULL);
	}
	return MHD_YES;
}

/* A chunk of request body: counted, kept for the admin API up to
 * HTTP_REQ_BODY_MAX. MHD_NO drops the connection (a body past
 * HTTP_BODY_DRAIN_MAX is not worth reading). */
static enum MHD_Result
http_body_chunk(struct http_req *rq, const char *data, size_t size)
{
	rq->body_seen += size;
	if (rq->keep_body && !rq->body_too_big &&
	    sbuf_append(&rq->body, data, size) == -1) {
		rq->body_too_big = 1;
		sbuf_free(&rq->body);
	}
	if (rq->body_seen > HTTP_REQ_BODY_MAX)
		rq->body_too_big = 1;
	if (rq->body_seen > HTTP_BODY_DRAIN_MAX) {
		rq->status = MHD_HTTP_CONTENT_TOO_LARGE;
		return MHD_NO;	/* stop reading a hostile stream */
	}
	return MHD_YES;
}

/* http_answer's routes, in cfg. */
static enum MHD_Result
http_answer_in(struct http_server *srv, const struct config *cfg,
    struct MHD_Connection *con, struct http_req *rq,
    const struct http_route_match *m)
{
	const char *token;
	int result;

	switch (m->route) {
	case HTTP_REQ_REPO:
		return http_serve_repo(cfg, con, rq, m);
	case HTTP_REQ_GRUB:
		return http_serve_grub(cfg, con, rq, m);
	case HTTP_REQ_ANSWERFILE:
	case HTTP_REQ_SCRIPT:
	case HTTP_REQ_CALLBACK:
	case HTTP_REQ_HOSTCERT_SCRIPT:
	case HTTP_REQ_HOSTCERT:
		/* /hosts/{host}/{token}/callback/{result} */
		token = m->missing_token ? NULL : m->segs[2];
		result = m->route == HTTP_REQ_CALLBACK && token != NULL &&
		    m->segs[4][0] == '1' ? 1 : 0;
		return http_host_serve(srv->hosts, con, rq, m->segs[1], token,
		    result);
	case HTTP_REQ_API:
		return http_serve_api(srv, con, rq);
	case HTTP_REQ_WEB:
		return http_file_web(con, rq, cfg->web_dir, m->rest);
	case HTTP_REQ_METRICS:
		return http_serve_metrics(srv, cfg, con, rq);
	default:
		return http_req_not_found(con, rq);
	}
}

/* The last call for a request, with its whole body: the real answer. */
static enum MHD_Result
http_answer(const struct http_listener *l, struct MHD_Connection *con,
    struct http_req *rq)
{
	struct http_server *srv = l->srv;
	struct http_route_match m;
	const struct config *cfg;
	enum MHD_Result r;

	if (rq->body_too_big)
		return http_req_text(con, rq, MHD_HTTP_CONTENT_TOO_LARGE,
		    HTTP_REQ_TEXT_PLAIN, "request body too large\n", NULL);
	http_route_on(l, rq->path, &m);
	/* the request is answered in one configuration (config_live.h) */
	cfg = config_live_get(srv->deps.api.live);
	r = http_answer_in(srv, cfg, con, rq, &m);
	config_live_put(srv->deps.api.live, cfg);
	return r;
}

static enum MHD_Result
http_handler(void *cls, struct MHD_Connection *con, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_listener *l = cls;
	struct http_req *rq = *con_cls;
	struct http_route_match m;
	enum MHD_Result r;
	size_t size;

	(void)version;
	if (rq == NULL) {
		if ((rq = http_req_new(con, NULL)) == NULL)
			return MHD_NO;
		*con_cls = rq;
	}
	if (!rq->started) {
		rq->started = 1;
		snprintf(rq->method, sizeof(rq->method), "%s", method);
		if ((rq->path = strdup(url)) == NULL)
			return MHD_NO;
		http_route_on(l, rq->path, &m);
		rq->route = m.route;
		r = http_first_call(l->srv, con, rq, &m);
		if (rq->status != 0) {	/* refused: the deadline is over */
			http_conn_request_read(con);
			http_count(rq);
			http_audit_done(l->srv->deps.api.st, rq);
		}
		return r;
	}
	if (*upload_data_size != 0) {
		size = *upload_data_size;
		*upload_data_size = 0;
		r = http_body_chunk(rq, upload_data, size);
		http_count(rq);
		return r;
	}
	http_conn_request_read(con);	/* all of it is here */
	if (rq->status != 0)	/* answered on the first call */
		return MHD_YES;
	r = http_answer(l, con, rq);
	http_count(rq);
	http_audit_done(l->srv->deps.api.st, rq);	/* as it is answered */
	return r;
}

/* ---- the daemon -------------------------------------------------------- */

/* libmicrohttpd's own messages: while a listener starts they explain a
 * failure (e.g. the port is taken) and are errors; once it serves they are about
 * misbehaving clients (malformed requests, early closes), which the
 * request's log line already shows, so they are debug output. */
static void
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct http_listener *l = cls;
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	/* libmicrohttpd 0.9's words for a connection refused at
	 * max_connections or per_ip_connections: counted and warned about
	 * (http_conn.h), not lost in the debug output */
	if (strncmp(msg, "Server reached connection limit", 31) == 0) {
		http_conn_refused(l->conns);
		return;
	}
	/* per listener: the install listener serves (and its clients
	 * misbehave) while the admin one still starts */
	if (atomic_load(&l->serving))
		log_debug("http", "libmicrohttpd: %s", msg);
	else
		log_error("http", "libmicrohttpd: %s", msg);
}

/* Stops both listeners and frees what http_bind and http_start allocated
 * (srv may be NULL). */
static void
http_free(struct http_server *srv)
{
	if (srv == NULL)
		return;
	/* first: every suspended connection resumed (http_slow.h), none
	 * left for MHD_stop_daemon */
	http_slow_free(srv->slow);
	srv->slow = NULL;
	http_host_drain(srv->hosts);	/* answerfiles waiting for the disk */
	http_listen_stop(&srv->install);	/* waits for its threads */
	http_listen_stop(&srv->admin);
	http_host_free(srv->hosts);
	http_file_cache_clear();	/* the repo files kept in memory */
	free(srv);
}

/* api_deps.repo_bytes for the server's own API */
static uint64_t
http_repo_bytes_cb(void *arg, const char *host)
{
	return http_host_repo_bytes(arg, host);
}

/* The install listener's connection limit: max_connections, unless the
 * open-file limit (raised to the hard one first) cannot hold that many
 * connections, each with a repo file it may be sending, beside the admin
 * listener's. */
static unsigned int
http_install_limit(const struct config *cfg)
{
	uint64_t nofile = http_listen_raise_nofile(), fit = 16;
	uint64_t other = 2 * HTTP_ADMIN_CONN_LIMIT + HTTP_FD_RESERVE;

	if (nofile > other + 32)
		fit = (nofile - other) / 2;
	if (fit >= (uint64_t)cfg->max_connections)
		return (unsigned int)cfg->max_connections;
	log_warn("http", "max_connections %d lowered to %llu: the open-file "
	    "limit is %llu (raise it, e.g. LimitNOFILE= in the systemd unit, "
	    "or lower max_connections in [server])", cfg->max_connections,
	    (unsigned long long)fit, (unsigned long long)nofile);
	return (unsigned int)fit;
}

/* Threads for a listener of conns connections: want, or more when each
 * thread would hold more than HTTP_CONNS_PER_THREAD. */
static unsigned int
http_threads_for(unsigned int want, unsigned int conns)
{
	unsigned int need = (conns + HTTP_CONNS_PER_THREAD - 1) /
	    HTTP_CONNS_PER_THREAD;

	return want > need ? want : need;
}

/* The start-up lines: where each listener is, what it serves, the
 * dashboard. */
static void
http_log_started(const struct http_server *srv, unsigned int threads,
    unsigned int conns)
{
	const struct config *cfg = srv->cfg;

	log_info("http", "install listener on %s port %d: /hosts, /repo and /grub "
	    "(%u threads; at most %u connections, %d per address, %d s for a "
	    "request)", cfg->listen_addr, cfg->listen_port, threads, conns,
	    cfg->per_ip_connections, cfg->header_timeout);
	log_info("http", "admin listener on %s port %d (%s): /api/v1, "
	    "/metrics and the dashboard", cfg->admin_listen_addr,
	    cfg->admin_listen_port, srv->admin.tls_cert != NULL ? "HTTPS" :
	    "plain HTTP, loopback only");
	if (cfg->web_dir != NULL)
		log_info("http", "web dashboard at %s://%s:%d/ (files from %s)",
		    srv->admin.tls_cert != NULL ? "https" : "http",
		    cfg->admin_listen_addr, cfg->admin_listen_port,
		    cfg->web_dir);
	else
		log_warn("http", "no web dashboard files found next to the "
		    "binary (web/, ../web, ../share/poolboot/web); GET / "
		    "answers 404. Set web_dir in [server] to enable it");
}

int
http_bind(const struct config *cfg, struct http_server **out)
{
	struct http_server *srv;

	*out = NULL;
	if (cfg == NULL) {
		log_error("http", "no configuration");
		return -1;
	}
	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		log_error("http", "out of memory");
		return -1;
	}
	srv->cfg = cfg;
	srv->install.fd = srv->admin.fd = -1;
	if (http_listen_bind(&srv->install, HTTP_LISTEN_INSTALL,
	    cfg->listen_addr, cfg->listen_port) == -1 ||
	    http_listen_bind(&srv->admin, HTTP_LISTEN_ADMIN,
	    cfg->admin_listen_addr, cfg->admin_listen_port) == -1) {
		http_free(srv);
		return -1;
	}
	srv->install.srv = srv->admin.srv = srv;
	*out = srv;
	return 0;
}

int
http_start(struct http_server *srv, const struct http_deps *deps)
{
	const struct config *cfg;
	struct http_listen_opts o;
	unsigned int threads, conns;

	if (srv == NULL || deps == NULL || deps->api.live == NULL) {
		log_error("http", "no configuration");
		return -1;
	}
	cfg = srv->cfg;
	srv->deps = *deps;
	srv->deps.api.repo_bytes = http_repo_bytes_cb;
	srv->deps.api.repo_bytes_arg = srv;
	if (http_host_new(deps->api.live, deps->api.arm, &srv->hosts) == -1 ||
	    http_slow_new(&srv->deps.api, &srv->slow) == -1)
		return -1;
	conns = http_install_limit(cfg);
	threads = http_threads_for(cfg->http_threads > 0 ?
	    (unsigned int)cfg->http_threads : 2, conns);
	memset(&o, 0, sizeof(o));
	o.threads = threads;
	o.conn_limit = conns;
	o.per_ip_limit = (unsigned int)cfg->per_ip_connections;
	o.header_timeout = (unsigned int)cfg->header_timeout;
	o.handler = http_handler;
	o.log = http_mhd_log;
	o.uri_log = http_uri_cb;
	o.completed = http_completed;
	o.cls = &srv->install;
	if (http_listen_start(&srv->install, &o) == -1)
		return -1;
	http_conn_set_limits(srv->install.conns, conns, o.per_ip_limit,
	    threads);
	o.conn_limit = HTTP_ADMIN_CONN_LIMIT;
	o.threads = http_threads_for(2, o.conn_limit);
	o.per_ip_limit = 0;
	o.tls_cert_file = cfg->admin_tls_cert;
	o.tls_key_file = cfg->admin_tls_key;
	o.cls = &srv->admin;
	if (http_listen_start(&srv->admin, &o) == -1)
		return -1;
	http_conn_set_limits(srv->admin.conns, o.conn_limit, 0, o.threads);
	atomic_store(&srv->running, 1);
	http_log_started(srv, threads, conns);
	srv->cfg = NULL;	/* may be freed after a reload from now on */
	return 0;
}

void
http_stop(struct http_server *srv)
{
	http_free(srv);
}

uint64_t
http_host_repo_bytes(struct http_server *srv, const char *host)
{
	return srv == NULL ? 0 : http_host_bytes(srv->hosts, host);
}
