/* bench_storm.c — the boot-storm client of tests/bench (issue 15).
 *
 *	bench_storm HOST PORT PLANFILE TIMEOUT_S
 *
 * PLANFILE has one line per client; its words are the client's requests
 * in order, "G/path" (GET) or "P/path" (POST with an empty body). Every
 * client starts at once, on one keep-alive connection of its own (a new
 * one when the server closes it), and makes its requests one after the
 * other, as an installer does. One thread, epoll; bodies are discarded in
 * the kernel (recv MSG_TRUNC), so the client costs little next to the
 * server. Responses need a Content-Length (static files and answerfiles
 * have one); anything else is an error.
 *
 * Prints one JSON line: wall time, body bytes, requests, errors (non-2xx,
 * refused or cut connections, unfinished clients) with a few examples, and
 * every client's time from its first connect to its last byte.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define STORM_HDR_MAX	16384
#define STORM_EXAMPLES	5

enum storm_phase { STORM_IDLE, STORM_CONNECTING, STORM_SENDING,
    STORM_HEADERS, STORM_BODY, STORM_DONE };

struct storm_client {
	int	 fd;
	enum storm_phase phase;
	char	**items;
	size_t	 nitems, idx;
	char	 req[1024];
	size_t	 reqlen, reqoff;
	char	 hdr[STORM_HDR_MAX];
	size_t	 hdrlen;
	uint64_t body_left;
	int	 status, keepalive;
	double	 t0, t1;
};

static struct sockaddr_in storm_addr;
static const char *storm_host;
static int storm_ep;
static uint64_t storm_bytes, storm_requests, storm_errors;
static char storm_examples[STORM_EXAMPLES][200];
static int storm_nexamples;

static double
storm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
storm_error(struct storm_client *c, const char *what)
{
	storm_errors++;
	if (storm_nexamples < STORM_EXAMPLES)
		snprintf(storm_examples[storm_nexamples++],
		    sizeof(storm_examples[0]), "%s: %s", c->idx < c->nitems ?
		    c->items[c->idx] : "-", what);
}

static void
storm_close(struct storm_client *c)
{
	if (c->fd >= 0) {
		epoll_ctl(storm_ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		c->fd = -1;
	}
}

static void
storm_watch(struct storm_client *c, uint32_t ev, int op)
{
	struct epoll_event e = { .events = ev, .data.ptr = c };

	if (epoll_ctl(storm_ep, op, c->fd, &e) == -1) {
		perror("epoll_ctl");
		exit(2);
	}
}

/* Starts the client's current request (connecting first if needed). */
static void
storm_next(struct storm_client *c)
{
	const char *it;
	int one = 1;

	if (c->idx >= c->nitems) {
		storm_close(c);
		c->phase = STORM_DONE;
		c->t1 = storm_now();
		return;
	}
	it = c->items[c->idx];
	c->reqlen = (size_t)snprintf(c->req, sizeof(c->req), "%s %s HTTP/1.1\r\n"
	    "Host: %s\r\nUser-Agent: bench_storm\r\n%s\r\n",
	    it[0] == 'P' ? "POST" : "GET", it + 1, storm_host,
	    it[0] == 'P' ? "Content-Length: 0\r\n" : "");
	c->reqoff = 0;
	c->hdrlen = 0;
	if (c->fd >= 0) {
		c->phase = STORM_SENDING;
		storm_watch(c, EPOLLOUT, EPOLL_CTL_MOD);
		return;
	}
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		perror("socket");
		exit(2);
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&storm_addr,
	    sizeof(storm_addr)) == -1 && errno != EINPROGRESS) {
		storm_error(c, strerror(errno));
		storm_close(c);
		c->idx++;
		storm_next(c);
		return;
	}
	c->phase = STORM_CONNECTING;
	storm_watch(c, EPOLLOUT, EPOLL_CTL_ADD);
}

/* The current request failed: count it, go on with the next one on a new
 * connection. */
static void
storm_fail(struct storm_client *c, const char *what)
{
	storm_error(c, what);
	storm_close(c);
	c->idx++;
	storm_next(c);
}

static void
storm_response_done(struct storm_client *c)
{
	char msg[32];

	storm_requests++;
	if (c->status < 200 || c->status > 299) {
		snprintf(msg, sizeof(msg), "HTTP %d", c->status);
		storm_error(c, msg);
	}
	if (!c->keepalive)
		storm_close(c);
	c->idx++;
	storm_next(c);
}

/* Parses the headers in c->hdr (complete, end at hlen); -1: malformed. */
static int
storm_parse(struct storm_client *c, size_t hlen)
{
	char *line, *save = NULL;
	int have_len = 0, minor = 1;

	c->hdr[hlen - 2] = '\0';
	if (sscanf(c->hdr, "HTTP/1.%d %d", &minor, &c->status) != 2)
		return -1;
	c->keepalive = minor >= 1;
	strtok_r(c->hdr, "\r\n", &save);
	while ((line = strtok_r(NULL, "\r\n", &save)) != NULL) {
		if (strncasecmp(line, "Content-Length:", 15) == 0) {
			c->body_left = strtoull(line + 15, NULL, 10);
			have_len = 1;
		} else if (strncasecmp(line, "Connection:", 11) == 0) {
			if (strcasestr(line, "close") != NULL)
				c->keepalive = 0;
			else if (strcasestr(line, "keep-alive") != NULL)
				c->keepalive = 1;
		} else if (strncasecmp(line, "Transfer-Encoding:", 18) == 0)
			return -1;	/* chunked: not expected here */
	}
	return have_len ? 0 : -1;
}

static void
storm_readable(struct storm_client *c)
{
	ssize_t n;
	char *end;
	size_t hlen, extra;

	if (c->phase == STORM_BODY) {
		n = recv(c->fd, NULL, c->body_left > (1u << 30) ? (1u << 30) :
		    c->body_left, MSG_TRUNC | MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			storm_fail(c, n == 0 ? "closed mid-body" : strerror(errno));
			return;
		}
		storm_bytes += (uint64_t)n;
		c->body_left -= (uint64_t)n;
		if (c->body_left == 0)
			storm_response_done(c);
		return;
	}
	n = recv(c->fd, c->hdr + c->hdrlen, sizeof(c->hdr) - 1 - c->hdrlen,
	    MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		storm_fail(c, n == 0 ? "closed before the answer" :
		    strerror(errno));
		return;
	}
	c->hdrlen += (size_t)n;
	c->hdr[c->hdrlen] = '\0';
	if ((end = strstr(c->hdr, "\r\n\r\n")) == NULL) {
		if (c->hdrlen >= sizeof(c->hdr) - 1)
			storm_fail(c, "headers too long");
		return;
	}
	hlen = (size_t)(end - c->hdr) + 4;
	extra = c->hdrlen - hlen;
	if (storm_parse(c, hlen) == -1) {
		storm_fail(c, "no Content-Length or malformed answer");
		return;
	}
	if (extra > c->body_left) {
		storm_fail(c, "more bytes than Content-Length (pipelining?)");
		return;
	}
	storm_bytes += extra;
	c->body_left -= extra;
	c->phase = STORM_BODY;
	if (c->body_left == 0)
		storm_response_done(c);
}

static void
storm_writable(struct storm_client *c)
{
	ssize_t n;
	int err = 0;
	socklen_t len = sizeof(err);

	if (c->phase == STORM_CONNECTING) {
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != 0) {
			storm_fail(c, strerror(err));
			return;
		}
		c->phase = STORM_SENDING;
	}
	n = send(c->fd, c->req + c->reqoff, c->reqlen - c->reqoff,
	    MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		storm_fail(c, strerror(errno));
		return;
	}
	c->reqoff += (size_t)n;
	if (c->reqoff == c->reqlen) {
		c->phase = STORM_HEADERS;
		storm_watch(c, EPOLLIN, EPOLL_CTL_MOD);
	}
}

/* Reads the plan: one client a line. */
static struct storm_client *
storm_plan(const char *path, size_t *nclients)
{
	FILE *f = fopen(path, "r");
	struct storm_client *cl = NULL;
	char *line = NULL, *w, *save;
	size_t cap = 0, n = 0, icap;
	ssize_t len;

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		struct storm_client *c;

		if ((cl = realloc(cl, (n + 1) * sizeof(*cl))) == NULL)
			exit(2);
		c = &cl[n++];
		memset(c, 0, sizeof(*c));
		c->fd = -1;
		icap = 0;
		for (w = strtok_r(line, " \t\n", &save); w != NULL;
		    w = strtok_r(NULL, " \t\n", &save)) {
			if (c->nitems == icap) {
				icap = icap ? icap * 2 : 256;
				if ((c->items = realloc(c->items,
				    icap * sizeof(char *))) == NULL)
					exit(2);
			}
			if ((c->items[c->nitems++] = strdup(w)) == NULL)
				exit(2);
		}
	}
	free(line);
	fclose(f);
	*nclients = n;
	return cl;
}

int
main(int argc, char **argv)
{
	struct storm_client *cl;
	struct epoll_event ev[256];
	size_t n, i, left;
	double t0, deadline;
	int k, m;

	if (argc != 5) {
		fprintf(stderr, "usage: bench_storm HOST PORT PLANFILE "
		    "TIMEOUT_S\n");
		return 2;
	}
	storm_host = argv[1];
	memset(&storm_addr, 0, sizeof(storm_addr));
	storm_addr.sin_family = AF_INET;
	storm_addr.sin_port = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &storm_addr.sin_addr) != 1) {
		fprintf(stderr, "bench_storm: %s: not an IPv4 address\n",
		    argv[1]);
		return 2;
	}
	cl = storm_plan(argv[3], &n);
	if ((storm_ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("epoll_create1");
		return 2;
	}
	t0 = storm_now();
	deadline = t0 + atof(argv[4]);
	for (i = 0; i < n; i++) {
		cl[i].t0 = t0;
		storm_next(&cl[i]);
	}
	for (;;) {
		for (left = 0, i = 0; i < n; i++)
			left += cl[i].phase != STORM_DONE;
		if (left == 0 || storm_now() > deadline)
			break;
		m = epoll_wait(storm_ep, ev, 256, 200);
		for (k = 0; k < m; k++) {
			struct storm_client *c = ev[k].data.ptr;

			if (c->phase == STORM_CONNECTING ||
			    c->phase == STORM_SENDING)
				storm_writable(c);
			else
				storm_readable(c);
		}
	}
	printf("{\"clients\": %zu, \"wall_s\": %.4f, \"bytes\": %llu, "
	    "\"requests\": %llu, \"errors\": %llu, \"unfinished\": %zu, "
	    "\"examples\": [", n, storm_now() - t0,
	    (unsigned long long)storm_bytes,
	    (unsigned long long)storm_requests,
	    (unsigned long long)(storm_errors + left), left);
	for (k = 0; k < storm_nexamples; k++)
		printf("%s\"%s\"", k ? ", " : "", storm_examples[k]);
	printf("], \"client_s\": [");
	for (i = 0; i < n; i++)
		printf("%s%.4f", i ? ", " : "", cl[i].phase == STORM_DONE ?
		    cl[i].t1 - cl[i].t0 : -1.0);
	printf("]}\n");
	return 0;
}
