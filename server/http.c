/* http.c — see http.h. The only file that includes microhttpd.h.
 *
 * Request life cycle (libmicrohttpd): the URI log callback allocates a
 * struct req as soon as the request line is read; the access handler is
 * called once with the headers (routing, authentication, early refusals
 * such as 401/404/405/413), then once per chunk of body (counted, kept
 * only for the admin API, bounded), then once more at the end (the real
 * answer); the completion callback writes the one log line and frees the
 * struct req.
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/openat2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api.h"
#include "log.h"
#include "metrics.h"

#define HTTP_BODY_MAX		(64 * 1024)	/* kept (API) or tolerated */
#define HTTP_BODY_DRAIN_MAX	(1024 * 1024)	/* past this: drop the connection */
#define HTTP_CONN_LIMIT		1024
#define HTTP_CONN_TIMEOUT	60		/* seconds of inactivity */
#define HTTP_LOG_PATH_MAX	300		/* characters of path in the log */
#define HTTP_MAX_SEGS		8
#define HTTP_IP_SLOTS		256		/* installer addresses remembered */

int http_test_no_openat2;

/* An installer's address and the host whose answerfile it fetched. */
struct http_ipslot {
	char	 ip[INET6_ADDRSTRLEN];
	size_t	 host;			/* index in cfg->hosts */
	uint64_t used;			/* ipseq when set, to replace the oldest */
};

struct http_server {
	struct MHD_Daemon *daemon;
	struct http_deps deps;
	atomic_int running;		/* set once MHD_start_daemon returned */
	/* repo bytes per host (http_host_repo_bytes), under mu */
	pthread_mutex_t mu;
	int	 mu_init;
	struct http_ipslot ips[HTTP_IP_SLOTS];
	size_t	 nips;
	uint64_t ipseq;
	uint64_t *repo_bytes;		/* [cfg->nhosts] */
};

enum route {
	ROUTE_NONE = 0,
	ROUTE_REPO,
	ROUTE_ANSWERFILE,
	ROUTE_SCRIPT,
	ROUTE_CALLBACK,
	ROUTE_API,
	ROUTE_WEB,			/* the dashboard's static files */
	ROUTE_METRICS			/* GET /metrics (Prometheus) */
};

/* Per-request state: allocated by http_uri_cb (or the handler), freed by
 * http_completed. */
struct req {
	char	 ip[INET6_ADDRSTRLEN];
	int64_t	 t0_ms;
	char	 method[16];
	char	*raw;			/* raw request target, for the log */
	char	*path;			/* decoded path as routed */
	int	 started;
	enum route route;
	int	 keep_body;
	struct sbuf body;
	uint64_t body_seen;
	int	 body_too_big;
	unsigned int status;		/* 0 = nothing queued by us */
	uint64_t bytes;
};

/* ---- path safety ------------------------------------------------------ */

/* Copies relpath into out (size outlen) without empty segments. Refuses
 * "." and ".." segments (EACCES) and over-long paths (ENAMETOOLONG). */
static int
http_clean_relpath(const char *relpath, char *out, size_t outlen)
{
	const char *p = relpath, *seg;
	size_t n, used = 0;

	out[0] = '\0';
	while (*p != '\0') {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		seg = p;
		while (*p != '\0' && *p != '/')
			p++;
		n = (size_t)(p - seg);
		if ((n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.')) {
			errno = EACCES;
			return -1;
		}
		if (used + n + 2 > outlen) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (used > 0)
			out[used++] = '/';
		memcpy(out + used, seg, n);
		used += n;
		out[used] = '\0';
	}
	return 0;
}

/* Kernels without openat2: resolve both paths and compare prefixes. There
 * is a window between realpath and open in which a symlink could be
 * swapped; the repo tree belongs to the operator, so that is acceptable
 * for this fallback only. */
static int
http_open_fallback(const char *root, const char *clean)
{
	char rroot[PATH_MAX], rfile[PATH_MAX], *joined = NULL;
	size_t rl;
	int fd = -1;

	if (realpath(root, rroot) == NULL) {
		errno = ENOENT;
		return -1;
	}
	if (clean[0] == '\0') {
		errno = EISDIR;
		return -1;
	}
	if (asprintf(&joined, "%s/%s", rroot, clean) < 0) {
		errno = ENOMEM;
		return -1;
	}
	if (realpath(joined, rfile) == NULL) {
		int e = errno;

		free(joined);
		errno = (e == ELOOP) ? EACCES : ENOENT;
		return -1;
	}
	free(joined);
	rl = strlen(rroot);
	if (!(strcmp(rroot, "/") == 0 ||
	    (strncmp(rfile, rroot, rl) == 0 &&
	    (rfile[rl] == '/' || rfile[rl] == '\0')))) {
		errno = EACCES;
		return -1;
	}
	fd = open(rfile, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
	    O_NOFOLLOW);
	return fd;
}

int
http_open_beneath(const char *root, const char *relpath)
{
	char clean[PATH_MAX];
	struct open_how how;
	struct stat st;
	int dfd = -1, fd = -1, e;

	if (root == NULL || relpath == NULL) {
		errno = ENOENT;
		return -1;
	}
	if (http_clean_relpath(relpath, clean, sizeof(clean)) == -1) {
		if (errno == ENAMETOOLONG)
			errno = ENOENT;
		return -1;
	}
	if (clean[0] == '\0') {
		errno = EISDIR;
		return -1;
	}
	if (http_test_no_openat2)
		goto fallback;
	if ((dfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		errno = ENOENT;
		return -1;
	}
	memset(&how, 0, sizeof(how));
	/* O_NONBLOCK: opening a FIFO someone left in the tree must not hang
	 * a server thread; it has no effect on regular files. */
	how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, dfd, clean, &how, sizeof(how));
	e = errno;
	close(dfd);
	if (fd == -1) {
		/* ENOSYS: kernel before 5.6; EPERM: a seccomp filter.
		 * EXDEV: the walk would leave root — or met an absolute
		 * symlink, which RESOLVE_BENEATH refuses even when it
		 * points inside; the fallback's prefix check decides. */
		if (e == ENOSYS || e == EPERM || e == EXDEV)
			goto fallback;
		switch (e) {
		case ELOOP:	/* symlink loop or magic link */
		case EACCES:
			errno = EACCES;
			break;
		default:
			errno = ENOENT;
			break;
		}
		return -1;
	}
	goto check;
fallback:
	if ((fd = http_open_fallback(root, clean)) == -1) {
		e = errno;
		errno = (e == EACCES || e == EISDIR || e == ELOOP) ?
		    (e == EISDIR ? EISDIR : EACCES) : ENOENT;
		return -1;
	}
check:
	if (fstat(fd, &st) == -1) {
		close(fd);
		errno = ENOENT;
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = ENOENT;
		return -1;
	}
	return fd;
}

/* ---- Range ------------------------------------------------------------ */

/* Parses decimal digits at *pp into *v, saturating at UINT64_MAX. Returns
 * the number of digits read. */
static size_t
http_parse_u64(const char **pp, uint64_t *v)
{
	const char *p = *pp;
	uint64_t x = 0;
	size_t n = 0;

	while (*p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');

		if (x > (UINT64_MAX - d) / 10)
			x = UINT64_MAX;
		else
			x = x * 10 + d;
		p++;
		n++;
	}
	*pp = p;
	*v = x;
	return n;
}

int
http_parse_range(const char *hdr, uint64_t size, uint64_t *start,
    uint64_t *len)
{
	const char *p = hdr;
	uint64_t a = 0, b = 0;
	size_t na, nb;

	if (hdr == NULL)
		return 1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "bytes", 5) != 0)
		return 1;
	p += 5;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=')
		return 1;
	p++;
	if (strchr(p, ',') != NULL)
		return 1;	/* several ranges: not worth multipart */
	while (*p == ' ' || *p == '\t')
		p++;
	na = http_parse_u64(&p, &a);
	if (*p != '-')
		return 1;
	p++;
	nb = http_parse_u64(&p, &b);
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '\0')
		return 1;
	if (na == 0 && nb == 0)
		return 1;	/* "bytes=-" */
	if (na == 0) {		/* suffix: the last b bytes */
		if (b == 0 || size == 0)
			return -1;
		if (b > size)
			b = size;
		*start = size - b;
		*len = b;
		return 0;
	}
	if (nb > 0 && b < a)
		return 1;	/* invalid spec: ignore the header */
	if (a >= size)
		return -1;
	if (nb == 0 || b >= size)
		b = size - 1;
	*start = a;
	*len = b - a + 1;
	return 0;
}

/* ---- small helpers ---------------------------------------------------- */

static int64_t
http_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
http_content_type(const char *path)
{
	static const struct {
		const char *ext;
		const char *type;
	} types[] = {
		{ ".xml", "application/xml" },
		{ ".treeinfo", "text/plain; charset=utf-8" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".cfg", "text/plain; charset=utf-8" },
		{ ".html", "text/html; charset=utf-8" },
		{ ".htm", "text/html; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".sh", "text/x-shellscript" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
		{ ".img", "application/octet-stream" },
		{ ".gz", "application/octet-stream" },
		{ ".rpm", "application/octet-stream" },
		{ ".iso", "application/octet-stream" },
	};
	const char *base, *dot;
	size_t i;

	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if ((dot = strrchr(base, '.')) == NULL)
		return "application/octet-stream";
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* RFC 9110 IMF-fixdate, independent of the locale. */
static void
http_date(time_t t, char out[40])
{
	static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *mons[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[tm.tm_wday % 7], tm.tm_mday, mons[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

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
 * and /hosts/h/script, where there is none). Caller frees. */
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
		if (*p == '\0' || *p == '?')
			break;
		seg = p;
		while (*p != '\0' && *p != '/' && *p != '?')
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

/* ---- repo bytes per host --------------------------------------------- */

/* host (by name) fetched its answerfile from ip: from now on repo bytes
 * sent to ip are that host's, counted from 0 (a new install). One address
 * per host and one host per address: the latest fetch wins. */
static void
http_note_installer(struct http_server *srv, const char *ip,
    const char *host)
{
	const struct config *cfg = srv->deps.api.cfg;
	const struct host *h = config_host(cfg, host);
	size_t idx, i, oldest = 0;

	if (h == NULL || !srv->mu_init || srv->repo_bytes == NULL ||
	    strcmp(ip, "-") == 0)
		return;
	idx = (size_t)(h - cfg->hosts);
	pthread_mutex_lock(&srv->mu);
	for (i = 0; i < srv->nips;) {
		if (srv->ips[i].host == idx || strcmp(srv->ips[i].ip, ip) == 0)
			srv->ips[i] = srv->ips[--srv->nips];
		else
			i++;
	}
	if (srv->nips == HTTP_IP_SLOTS) {
		for (i = 1; i < srv->nips; i++)
			if (srv->ips[i].used < srv->ips[oldest].used)
				oldest = i;
		srv->ips[oldest] = srv->ips[--srv->nips];
	}
	i = srv->nips++;
	snprintf(srv->ips[i].ip, sizeof(srv->ips[i].ip), "%s", ip);
	srv->ips[i].host = idx;
	srv->ips[i].used = ++srv->ipseq;
	srv->repo_bytes[idx] = 0;
	pthread_mutex_unlock(&srv->mu);
}

/* bytes of a repo file were sent to ip. */
static void
http_count_repo(struct http_server *srv, const char *ip, uint64_t bytes)
{
	size_t i;

	if (!srv->mu_init || srv->repo_bytes == NULL || bytes == 0)
		return;
	pthread_mutex_lock(&srv->mu);
	for (i = 0; i < srv->nips; i++)
		if (strcmp(srv->ips[i].ip, ip) == 0) {
			srv->repo_bytes[srv->ips[i].host] += bytes;
			break;
		}
	pthread_mutex_unlock(&srv->mu);
}

uint64_t
http_host_repo_bytes(struct http_server *srv, const char *host)
{
	const struct host *h;
	uint64_t n;

	if (srv == NULL || host == NULL || !srv->mu_init ||
	    srv->repo_bytes == NULL ||
	    (h = config_host(srv->deps.api.cfg, host)) == NULL)
		return 0;
	pthread_mutex_lock(&srv->mu);
	n = srv->repo_bytes[h - srv->deps.api.cfg->hosts];
	pthread_mutex_unlock(&srv->mu);
	return n;
}

static struct req *
http_req_new(struct MHD_Connection *con, const char *uri)
{
	const union MHD_ConnectionInfo *ci;
	struct req *rq;

	if ((rq = calloc(1, sizeof(*rq))) == NULL)
		return NULL;
	rq->t0_ms = http_mono_ms();
	rq->body.max = HTTP_BODY_MAX + 1;
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

static void *
http_uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
	(void)cls;
	return http_req_new(con, uri);
}

static enum metrics_route
http_metrics_route(enum route r)
{
	switch (r) {
	case ROUTE_REPO:
		return METRICS_ROUTE_REPO;
	case ROUTE_ANSWERFILE:
	case ROUTE_SCRIPT:
	case ROUTE_CALLBACK:
		return METRICS_ROUTE_HOSTS;
	case ROUTE_API:
		return METRICS_ROUTE_API;
	default:
		return METRICS_ROUTE_OTHER;
	}
}

static void
http_completed(void *cls, struct MHD_Connection *con, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct req *rq = *con_cls;
	const char *what = "";
	char *lp;
	char status[16];

	(void)con;
	if (rq == NULL)
		return;
	if (rq->route == ROUTE_REPO &&
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK &&
	    (rq->status == MHD_HTTP_OK ||
	    rq->status == MHD_HTTP_PARTIAL_CONTENT))
		http_count_repo(srv, rq->ip, rq->bytes);
	metrics_http_request(http_metrics_route(rq->route), rq->status,
	    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? rq->bytes : 0);
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
	    rq->bytes, http_mono_ms() - rq->t0_ms, what);
	free(lp);
	free(rq->raw);
	free(rq->path);
	sbuf_free(&rq->body);
	free(rq);
	*con_cls = NULL;
}

/* Queues resp (and always destroys it). bytes is what the body carries,
 * for the log line. */
static enum MHD_Result
http_queue(struct MHD_Connection *con, struct req *rq, unsigned int status,
    struct MHD_Response *resp, uint64_t bytes)
{
	enum MHD_Result r;

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Server", "poolboot");
	r = MHD_queue_response(con, status, resp);
	MHD_destroy_response(resp);
	if (r == MHD_YES) {
		rq->status = status;
		rq->bytes = strcmp(rq->method, "HEAD") == 0 ? 0 : bytes;
	}
	return r;
}

/* A short constant body. allow: value of Allow (405) or NULL. */
static enum MHD_Result
http_text(struct MHD_Connection *con, struct req *rq, unsigned int status,
    const char *ctype, const char *text, const char *allow)
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
	return http_queue(con, rq, status, resp, iov.iov_len);
}

#define TEXT_PLAIN "text/plain; charset=utf-8"

static enum MHD_Result
http_not_found(struct MHD_Connection *con, struct req *rq)
{
	return http_text(con, rq, MHD_HTTP_NOT_FOUND, TEXT_PLAIN,
	    "not found\n", NULL);
}

/* A malloc'd body handed to MHD (freed with the response). */
static enum MHD_Result
http_owned(struct MHD_Connection *con, struct req *rq, unsigned int status,
    const char *ctype, char *body, size_t len)
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
	return http_queue(con, rq, status, resp, len);
}

/* ---- routing ---------------------------------------------------------- */

struct route_match {
	enum route route;
	char	 buf[1024];
	char	*segs[HTTP_MAX_SEGS];
	size_t	 nsegs;
	const char *rest;		/* repo: the path after /repo/{name} */
	int	 missing_token;		/* /hosts/h/answerfile and friends */
};

/* Splits path into non-empty segments (at most HTTP_MAX_SEGS; more or
 * an over-long path gives ROUTE_NONE) and decides the route. */
static void
http_route(const char *path, struct route_match *m)
{
	const char *p;
	size_t n;

	memset(m, 0, sizeof(*m));
	if (strncmp(path, "/api/v1", 7) == 0 &&
	    (path[7] == '\0' || path[7] == '/')) {
		m->route = ROUTE_API;
		return;
	}
	if (strcmp(path, "/metrics") == 0) {
		m->route = ROUTE_METRICS;
		return;
	}
	/* the dashboard: / and /web/{file}; no hidden files (.git, ...) */
	if (strcmp(path, "/") == 0) {
		m->route = ROUTE_WEB;
		m->rest = "index.html";
		return;
	}
	if (strncmp(path, "/web/", 5) == 0) {
		if (path[5] != '.' && strstr(path + 5, "/.") == NULL) {
			m->route = ROUTE_WEB;
			m->rest = path + 5;
		}
		return;
	}
	/* /repo/{name}/{rest...}: rest may be deep, keep it as a string */
	p = path;
	while (*p == '/')
		p++;
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
		m->route = ROUTE_REPO;
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
		m->route = ROUTE_ANSWERFILE;
	else if (m->nsegs == 4 && strcmp(m->segs[3], "script") == 0)
		m->route = ROUTE_SCRIPT;
	else if (m->nsegs == 5 && strcmp(m->segs[3], "callback") == 0 &&
	    (strcmp(m->segs[4], "0") == 0 || strcmp(m->segs[4], "1") == 0))
		m->route = ROUTE_CALLBACK;
	else if (m->nsegs == 3 && strcmp(m->segs[2], "answerfile") == 0) {
		m->route = ROUTE_ANSWERFILE;
		m->missing_token = 1;
	} else if (m->nsegs == 3 && strcmp(m->segs[2], "script") == 0) {
		m->route = ROUTE_SCRIPT;
		m->missing_token = 1;
	} else if (m->nsegs == 4 && strcmp(m->segs[2], "callback") == 0 &&
	    (strcmp(m->segs[3], "0") == 0 || strcmp(m->segs[3], "1") == 0)) {
		m->route = ROUTE_CALLBACK;
		m->missing_token = 1;
	}
}

static int
http_authorized(const struct http_server *srv, struct MHD_Connection *con)
{
	const char *h, *admin = srv->deps.admin_token;
	char tok[256];
	size_t n;

	if (admin == NULL || admin[0] == '\0')
		return 0;
	h = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncasecmp(h, "Bearer", 6) != 0 ||
	    (h[6] != ' ' && h[6] != '\t'))
		return 0;
	h += 6;
	while (*h == ' ' || *h == '\t')
		h++;
	n = strlen(h);
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(tok))
		return 0;
	memcpy(tok, h, n);
	tok[n] = '\0';
	n = (size_t)util_streq_ct(tok, admin);
	util_wipe(tok, sizeof(tok));
	return (int)n;
}

static const char *
http_method_allow(enum route r)
{
	switch (r) {
	case ROUTE_REPO:
	case ROUTE_WEB:
	case ROUTE_METRICS:
		return "GET, HEAD";
	case ROUTE_ANSWERFILE:
	case ROUTE_SCRIPT:
		return "GET";
	case ROUTE_CALLBACK:
		return "POST";
	default:
		return NULL;
	}
}

static int
http_method_ok(enum route r, const char *method)
{
	switch (r) {
	case ROUTE_REPO:
	case ROUTE_WEB:
	case ROUTE_METRICS:
		return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	case ROUTE_ANSWERFILE:
	case ROUTE_SCRIPT:
		return strcmp(method, "GET") == 0;
	case ROUTE_CALLBACK:
		return strcmp(method, "POST") == 0;
	default:
		return 1;
	}
}

/* ---- handlers --------------------------------------------------------- */

static enum MHD_Result
http_serve_repo(struct http_server *srv, struct MHD_Connection *con,
    struct req *rq, const struct route_match *m)
{
	const struct repo *r;
	struct MHD_Response *resp;
	struct stat st;
	char lastmod[40], crange[96];
	const char *hdr, *ifr;
	uint64_t size, start = 0, len;
	unsigned int status = MHD_HTTP_OK;
	int fd, rr = 1;

	if ((r = config_repo(srv->deps.api.cfg, m->segs[0])) == NULL ||
	    r->path == NULL)
		return http_not_found(con, rq);
	if ((fd = http_open_beneath(r->path, m->rest)) == -1) {
		if (errno == EACCES)
			return http_text(con, rq, MHD_HTTP_FORBIDDEN,
			    TEXT_PLAIN, "forbidden\n", NULL);
		return http_not_found(con, rq);
	}
	if (fstat(fd, &st) == -1) {
		close(fd);
		return http_text(con, rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    TEXT_PLAIN, "internal error\n", NULL);
	}
	size = (uint64_t)st.st_size;
	len = size;
	http_date(st.st_mtime, lastmod);
	hdr = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_RANGE);
	/* Range is defined for GET only (RFC 9110 14.2); If-Range with a
	 * date other than ours means "the file changed: send it whole". */
	if (hdr != NULL && strcmp(rq->method, "GET") == 0) {
		ifr = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_IF_RANGE);
		if (ifr == NULL || strcmp(ifr, lastmod) == 0)
			rr = http_parse_range(hdr, size, &start, &len);
	}
	if (rr == -1) {
		close(fd);
		snprintf(crange, sizeof(crange), "bytes */%" PRIu64, size);
		resp = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
		if (resp == NULL)
			return MHD_NO;
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE,
		    crange);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES,
		    "bytes");
		return http_queue(con, rq, MHD_HTTP_RANGE_NOT_SATISFIABLE,
		    resp, 0);
	}
	if (rr == 0) {
		status = MHD_HTTP_PARTIAL_CONTENT;
		snprintf(crange, sizeof(crange),
		    "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, start,
		    start + len - 1, size);
	} else {
		start = 0;
		len = size;
	}
	if (len == 0) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
	} else {
		/* the kernel copies the bytes (sendfile); MHD closes fd */
		resp = MHD_create_response_from_fd_at_offset64(len, fd,
		    start);
		if (resp == NULL)
			close(fd);
	}
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    http_content_type(m->rest));
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, lastmod);
	if (status == MHD_HTTP_PARTIAL_CONTENT)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE,
		    crange);
	return http_queue(con, rq, status, resp, len);
}

/* The dashboard's static files from web_dir: no token (they hold no
 * data; the page asks for the admin token and sends it to /api/v1 itself),
 * no listing, nothing outside web_dir. The page only ever talks to this
 * server: the CSP says so, so that injected markup could not load or send
 * anything elsewhere. */
static enum MHD_Result
http_serve_web(struct http_server *srv, struct MHD_Connection *con,
    struct req *rq, const struct route_match *m)
{
	const char *dir = srv->deps.api.cfg->web_dir;
	struct MHD_Response *resp;
	struct stat st;
	char lastmod[40];
	uint64_t size;
	int fd;

	if (dir == NULL)
		return http_text(con, rq, MHD_HTTP_NOT_FOUND, TEXT_PLAIN,
		    "the web dashboard is not installed (set web_dir in "
		    "[server])\n", NULL);
	if ((fd = http_open_beneath(dir, m->rest)) == -1) {
		if (errno == EACCES)
			return http_text(con, rq, MHD_HTTP_FORBIDDEN,
			    TEXT_PLAIN, "forbidden\n", NULL);
		return http_not_found(con, rq);
	}
	if (fstat(fd, &st) == -1) {
		close(fd);
		return http_text(con, rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    TEXT_PLAIN, "internal error\n", NULL);
	}
	size = (uint64_t)st.st_size;
	http_date(st.st_mtime, lastmod);
	if (size == 0) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
	} else if ((resp = MHD_create_response_from_fd64(size, fd)) == NULL)
		close(fd);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    http_content_type(m->rest));
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, lastmod);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "max-age=60");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'none'; script-src 'self'; style-src 'self'; "
	    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
	    "form-action 'none'; frame-ancestors 'none'");
	return http_queue(con, rq, MHD_HTTP_OK, resp, size);
}

static enum MHD_Result
http_arm_status(struct MHD_Connection *con, struct req *rq,
    enum arm_status as)
{
	switch (as) {
	case ARM_OK:
		return http_text(con, rq, MHD_HTTP_OK, TEXT_PLAIN, "ok\n",
		    NULL);
	case ARM_NOT_FOUND:
		return http_text(con, rq, MHD_HTTP_NOT_FOUND, TEXT_PLAIN,
		    "unknown host\n", NULL);
	case ARM_FORBIDDEN:
		return http_text(con, rq, MHD_HTTP_FORBIDDEN, TEXT_PLAIN,
		    "forbidden: wrong or missing token\n", NULL);
	case ARM_GONE:
		return http_text(con, rq, MHD_HTTP_GONE, TEXT_PLAIN,
		    "gone: this install link is no longer valid\n", NULL);
	case ARM_LOOP_GUARD:
		return http_text(con, rq, MHD_HTTP_GONE, TEXT_PLAIN,
		    "gone: boot loop guard tripped; host set to local boot\n",
		    NULL);
	case ARM_CONFLICT:
		return http_text(con, rq, MHD_HTTP_CONFLICT, TEXT_PLAIN,
		    "conflict: request refused (see the server log)\n", NULL);
	case ARM_ERROR:
	default:
		return http_text(con, rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    TEXT_PLAIN, "internal error (see the server log)\n", NULL);
	}
}

static enum MHD_Result
http_serve_host(struct http_server *srv, struct MHD_Connection *con,
    struct req *rq, const struct route_match *m)
{
	enum arm_status as;
	char *body = NULL;
	size_t len = 0;
	const char *host = m->segs[1], *token;

	if (!util_valid_name(host) ||
	    config_host(srv->deps.api.cfg, host) == NULL)
		return http_arm_status(con, rq, ARM_NOT_FOUND);
	if (m->missing_token)
		return http_arm_status(con, rq, ARM_FORBIDDEN);
	token = m->segs[2];
	switch (m->route) {
	case ROUTE_ANSWERFILE:
		as = arm_get_answerfile(srv->deps.api.arm, host, token, &body,
		    &len);
		if (as == ARM_OK) {
			http_note_installer(srv, rq->ip, host);
			return http_owned(con, rq, MHD_HTTP_OK,
			    "application/xml", body, len);
		}
		break;
	case ROUTE_SCRIPT:
		as = arm_get_script(srv->deps.api.arm, host, token, &body, &len);
		if (as == ARM_OK)
			return http_owned(con, rq, MHD_HTTP_OK,
			    "text/x-shellscript", body, len);
		break;
	case ROUTE_CALLBACK:
		as = arm_callback(srv->deps.api.arm, host, token,
		    m->segs[4][0] == '1' ? 1 : 0);
		break;
	default:
		as = ARM_NOT_FOUND;
		break;
	}
	free(body);
	return http_arm_status(con, rq, as);
}

static const char *
http_query(void *qctx, const char *key)
{
	return MHD_lookup_connection_value(qctx, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result
http_serve_api(struct http_server *srv, struct MHD_Connection *con,
    struct req *rq)
{
	struct api_request arq;
	struct api_response ars = { 0, NULL };
	const char *sub = rq->path + 7;		/* after "/api/v1" */

	memset(&arq, 0, sizeof(arq));
	arq.method = rq->method;
	arq.path = sub[0] ? sub : "/";
	arq.body = rq->body.len ? rq->body.p : NULL;
	arq.body_len = rq->body.len;
	arq.query = http_query;
	arq.qctx = con;
	api_handle(&srv->deps.api, &arq, &ars);
	if (ars.body == NULL || ars.status < 100 || ars.status > 599) {
		free(ars.body);
		return http_text(con, rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "application/json", "{\"error\":\"internal error\"}\n",
		    NULL);
	}
	return http_owned(con, rq, (unsigned int)ars.status,
	    "application/json", ars.body, strlen(ars.body));
}

/* GET /metrics: rendered per scrape (access checked on the first call). */
static enum MHD_Result
http_serve_metrics(struct http_server *srv, struct MHD_Connection *con,
    struct req *rq)
{
	struct sbuf b = { .max = 4 * 1024 * 1024 };
	size_t len;

	if (metrics_render(srv->deps.api.cfg, srv->deps.api.st, srv->deps.dnsmasq,
	    &b) == -1) {
		sbuf_free(&b);
		return http_text(con, rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    TEXT_PLAIN, "internal error (see the server log)\n", NULL);
	}
	len = b.len;
	return http_owned(con, rq, MHD_HTTP_OK, METRICS_CONTENT_TYPE,
	    sbuf_take(&b), len);
}

/* First call for a request: route it and refuse early what can be
 * refused from the headers alone. Returns MHD_YES with nothing queued
 * when the request goes on (body, then the final call). */
static enum MHD_Result
http_first_call(struct http_server *srv, struct MHD_Connection *con,
    struct req *rq, const struct route_match *m)
{
	const char *cl;
	unsigned long long n;
	char *end;

	if (m->route == ROUTE_NONE || (m->route == ROUTE_METRICS &&
	    srv->deps.api.cfg->metrics == METRICS_OFF))
		return http_not_found(con, rq);
	if (m->route == ROUTE_METRICS && srv->deps.api.cfg->metrics ==
	    METRICS_AUTH && !http_authorized(srv, con))
		return http_text(con, rq, MHD_HTTP_UNAUTHORIZED, TEXT_PLAIN,
		    "missing or wrong admin token (Authorization: Bearer ...)\n",
		    NULL);
	if (!http_method_ok(m->route, rq->method))
		return http_text(con, rq, MHD_HTTP_METHOD_NOT_ALLOWED,
		    TEXT_PLAIN, "method not allowed\n",
		    http_method_allow(m->route));
	if (m->route == ROUTE_API) {
		if (!http_authorized(srv, con))
			return http_text(con, rq, MHD_HTTP_UNAUTHORIZED,
			    "application/json",
			    "{\"error\":\"missing or wrong admin token "
			    "(Authorization: Bearer ...)\"}\n", NULL);
		rq->keep_body = 1;
	}
	cl = MHD_lookup_connection_value(con, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno == 0 && end != cl && n > HTTP_BODY_MAX)
			return http_text(con, rq, MHD_HTTP_CONTENT_TOO_LARGE,
			    TEXT_PLAIN, "request body too large\n", NULL);
	}
	return MHD_YES;
}

static enum MHD_Result
http_handler(void *cls, struct MHD_Connection *con, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct req *rq = *con_cls;
	struct route_match m;

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
		http_route(rq->path, &m);
		rq->route = m.route;
		return http_first_call(srv, con, rq, &m);
	}
	if (*upload_data_size != 0) {
		rq->body_seen += *upload_data_size;
		if (rq->keep_body && !rq->body_too_big &&
		    sbuf_append(&rq->body, upload_data, *upload_data_size) ==
		    -1) {
			rq->body_too_big = 1;
			sbuf_free(&rq->body);
		}
		if (rq->body_seen > HTTP_BODY_MAX)
			rq->body_too_big = 1;
		*upload_data_size = 0;
		if (rq->body_seen > HTTP_BODY_DRAIN_MAX) {
			rq->status = MHD_HTTP_CONTENT_TOO_LARGE;
			return MHD_NO;	/* stop reading a hostile stream */
		}
		return MHD_YES;
	}
	if (rq->status != 0)	/* answered on the first call */
		return MHD_YES;
	if (rq->body_too_big)
		return http_text(con, rq, MHD_HTTP_CONTENT_TOO_LARGE,
		    TEXT_PLAIN, "request body too large\n", NULL);
	http_route(rq->path, &m);
	switch (m.route) {
	case ROUTE_REPO:
		return http_serve_repo(srv, con, rq, &m);
	case ROUTE_ANSWERFILE:
	case ROUTE_SCRIPT:
	case ROUTE_CALLBACK:
		return http_serve_host(srv, con, rq, &m);
	case ROUTE_API:
		return http_serve_api(srv, con, rq);
	case ROUTE_WEB:
		return http_serve_web(srv, con, rq, &m);
	case ROUTE_METRICS:
		return http_serve_metrics(srv, con, rq);
	default:
		return http_not_found(con, rq);
	}
}

/* libmicrohttpd's own messages: while starting they explain a failure
 * (e.g. the port is taken) and are errors; once running they are about
 * misbehaving clients (malformed requests, early closes), which the
 * request's log line already shows, so they are debug output. */
static void
http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	const struct http_server *srv = cls;
	char msg[512];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	if (atomic_load(&srv->running))
		log_debug("http", "libmicrohttpd: %s", msg);
	else
		log_error("http", "libmicrohttpd: %s", msg);
}

/* Resolves listen_addr:port into ss. "", "*" and NULL mean 0.0.0.0;
 * "[::1]" and "::1" are both accepted. */
static int
http_listen_addr(const char *addr, int port, struct sockaddr_storage *ss,
    socklen_t *sslen, int *v6any)
{
	struct addrinfo hints, *res = NULL;
	char host[256], portstr[16];
	size_t n;
	int rc;

	*v6any = 0;
	if (addr == NULL || addr[0] == '\0' || strcmp(addr, "*") == 0)
		addr = "0.0.0.0";
	n = strlen(addr);
	if (addr[0] == '[' && n > 2 && addr[n - 1] == ']') {
		if (n - 2 >= sizeof(host))
			return -1;
		memcpy(host, addr + 1, n - 2);
		host[n - 2] = '\0';
	} else if (snprintf(host, sizeof(host), "%s", addr) >=
	    (int)sizeof(host))
		return -1;
	snprintf(portstr, sizeof(portstr), "%d", port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, portstr, &hints, &res)) != 0) {
		log_error("http", "listen address %s: %s", addr,
		    gai_strerror(rc));
		return -1;
	}
	if (res->ai_addrlen > sizeof(*ss)) {
		freeaddrinfo(res);
		return -1;
	}
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	if (res->ai_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)res->ai_addr;

		*v6any = IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
	}
	freeaddrinfo(res);
	return 0;
}

/* Every connection is a socket and every file being sent an open fd:
 * 1024 connections do not fit in the usual soft limit of 1024 fds. */
static void
http_raise_nofile(void)
{
	struct rlimit rl;
	rlim_t want = 4 * HTTP_CONN_LIMIT + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want) ?
	    want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_warn("http", "cannot raise the open-file limit to %lu: %s",
		    (unsigned long)rl.rlim_cur, strerror(errno));
}

/* Frees what http_start allocated (srv may be NULL); the daemon must be
 * stopped. */
static void
http_free(struct http_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->mu_init)
		pthread_mutex_destroy(&srv->mu);
	free(srv->repo_bytes);
	free(srv);
}

/* api_deps.repo_bytes for the server's own API */
static uint64_t
http_repo_bytes_cb(void *arg, const char *host)
{
	return http_host_repo_bytes(arg, host);
}

int
http_start(const struct http_deps *deps, struct http_server **out)
{
	struct http_server *srv = NULL;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	unsigned int flags;
	unsigned int threads;
	int v6any = 0, ret = -1;

	*out = NULL;
	if (deps == NULL || deps->api.cfg == NULL) {
		log_error("http", "no configuration");
		goto out;
	}
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		goto out;
	srv->deps = *deps;
	srv->deps.api.repo_bytes = http_repo_bytes_cb;
	srv->deps.api.repo_bytes_arg = srv;
	if ((srv->repo_bytes = calloc(deps->api.cfg->nhosts + 1,
	    sizeof(*srv->repo_bytes))) == NULL ||
	    pthread_mutex_init(&srv->mu, NULL) != 0)
		goto out;
	srv->mu_init = 1;
	if (http_listen_addr(deps->api.cfg->listen_addr, deps->api.cfg->listen_port,
	    &ss, &sslen, &v6any) == -1) {
		log_error("http", "cannot use listen address %s",
		    deps->api.cfg->listen_addr ? deps->api.cfg->listen_addr : "(none)");
		goto out;
	}
	http_raise_nofile();
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= v6any ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
	threads = deps->api.cfg->http_threads > 0 ?
	    (unsigned int)deps->api.cfg->http_threads : 2;
	srv->daemon = MHD_start_daemon(flags,
	    (uint16_t)deps->api.cfg->listen_port, NULL, NULL,
	    http_handler, srv,
	    MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, srv,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_CONN_LIMIT,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)0,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_CONN_TIMEOUT,
	    MHD_OPTION_URI_LOG_CALLBACK, http_uri_cb, srv,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, srv,
	    MHD_OPTION_END);
	if (srv->daemon == NULL) {
		log_error("http", "cannot listen on %s port %d (address in "
		    "use or not available?)",
		    deps->api.cfg->listen_addr ? deps->api.cfg->listen_addr : "*",
		    deps->api.cfg->listen_port);
		goto out;
	}
	atomic_store(&srv->running, 1);
	log_info("http", "listening on %s port %d (%u threads)",
	    deps->api.cfg->listen_addr ? deps->api.cfg->listen_addr : "*",
	    deps->api.cfg->listen_port, threads);
	if (deps->api.cfg->web_dir != NULL)
		log_info("http", "web dashboard at %s/ (files from %s)",
		    deps->api.cfg->public_url ? deps->api.cfg->public_url : "",
		    deps->api.cfg->web_dir);
	else
		log_warn("http", "no web dashboard files found next to the "
		    "binary (web/, ../web, ../share/poolboot/web); GET / "
		    "answers 404. Set web_dir in [server] to enable it");
	*out = srv;
	srv = NULL;
	ret = 0;
out:
	http_free(srv);
	return ret;
}

void
http_stop(struct http_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->daemon != NULL)
		MHD_stop_daemon(srv->daemon);
	http_free(srv);
}
