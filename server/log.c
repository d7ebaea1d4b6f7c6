/* log.c — see log.h. Thread-safe: one write(2) or one datagram per line.
 *
 * Syslog is spoken directly (RFC 3164 datagrams on the local socket, as
 * syslog(3) does) rather than through syslog(3), so that the socket can
 * be another one than /dev/log, which makes "serve --syslog" testable. */
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define LOG_DEFAULT_SOCKET	"/dev/log"

static int log_verbosity = PB_LOG_INFO;
static int log_syslog;
static char log_ident[32] = "poolboot";
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;			/* syslog socket, under log_mu */
static unsigned long log_dropped;	/* lines the syslog socket refused */
static int log_congested;		/* the last wait timed out: do not wait */

/* How long a line may wait for a full syslog socket (a stuck syslog
 * daemon must not stop the server; the loss is reported afterwards). */
#define LOG_SEND_WAIT_MS	200

/* Connects log_fd to the syslog socket; called with log_mu held. A
 * missing socket is not an error: lines are then dropped, like syslog(3)
 * does without LOG_CONS. */
static void
log_connect(void)
{
	struct sockaddr_un sun;
	const char *path = getenv("POOLBOOT_SYSLOG_SOCKET");

	if (path == NULL || path[0] == '\0')
		path = LOG_DEFAULT_SOCKET;
	if (log_fd == -1 && (log_fd = socket(AF_UNIX, SOCK_DGRAM |
	    SOCK_CLOEXEC, 0)) == -1)
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (connect(log_fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(log_fd);
		log_fd = -1;
	}
}

void
log_init(const char *progname, int verbosity, int use_syslog)
{
	pthread_mutex_lock(&log_mu);
	log_verbosity = verbosity;
	if (progname != NULL)
		snprintf(log_ident, sizeof(log_ident), "%s", progname);
	if (log_fd != -1) {
		close(log_fd);
		log_fd = -1;
	}
	log_syslog = use_syslog;
	if (use_syslog)
		log_connect();
	pthread_mutex_unlock(&log_mu);
}

void
log_set_verbosity(int verbosity)
{
	log_verbosity = verbosity;
}

int
log_to_syslog(void)
{
	return log_syslog;
}

/* Sends one datagram, waiting at most LOG_SEND_WAIT_MS for room, and not
 * at all while the socket stayed full since the last wait; called with
 * log_mu held. 0 sent, -1 not (errno EAGAIN: full). */
static int
log_send_fd(const char *line, size_t n)
{
	struct pollfd pfd;

	for (;;) {
		if (send(log_fd, line, n, MSG_NOSIGNAL | MSG_DONTWAIT) != -1) {
			log_congested = 0;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (log_congested)
			return -1;	/* still full: drop without waiting */
		pfd.fd = log_fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, LOG_SEND_WAIT_MS) <= 0) {
			log_congested = 1;
			errno = EAGAIN;
			return -1;
		}
	}
}

static void
log_send_syslog(enum log_level level, const char *subsys, const char *msg)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char line[2300], stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	pthread_mutex_lock(&log_mu);
	if (log_fd == -1)
		log_connect();
	if (log_dropped > 0 && log_fd != -1) {
		n = snprintf(line, sizeof(line), "<%d>%s %s[%ld]: log: %lu "
		    "line%s dropped: the syslog socket was full or gone",
		    LOG_DAEMON | LOG_WARNING, stamp, log_ident, (long)getpid(),
		    log_dropped, log_dropped == 1 ? "" : "s");
		if (n > 0 && log_send_fd(line, (size_t)n) == 0)
			log_dropped = 0;
	}
	n = snprintf(line, sizeof(line), "<%d>%s %s[%ld]: %s: %s",
	    LOG_DAEMON | prio[level], stamp, log_ident, (long)getpid(), subsys,
	    msg);
	if (n > 0 && (size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (n <= 0 || log_fd == -1) {
		log_dropped++;
		goto out;
	}
	if (log_send_fd(line, (size_t)n) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			log_dropped++;
			goto out;
		}
		/* the syslog daemon restarted: connect again, send once more */
		close(log_fd);
		log_fd = -1;
		log_connect();
		if (log_fd == -1 || log_send_fd(line, (size_t)n) == -1)
			log_dropped++;
	}
out:
	pthread_mutex_unlock(&log_mu);
}

size_t
log_escape(const char *in, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	unsigned char c;

	if (outlen == 0)
		return 0;
	for (; *in != '\0'; in++) {
		c = (unsigned char)*in;
		if (c >= 0x20 && c != 0x7f) {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)c;
			continue;
		}
		if (o + 4 >= outlen)
			break;
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 0xf];
	}
	out[o] = '\0';
	return o;
}

static void
log_vmsg(enum log_level level, const char *subsys, const char *prefix,
    const char *fmt, va_list ap)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	char raw[2048], msg[2048];
	char line[2200];
	size_t pl;
	int n;

	if ((int)level > log_verbosity)
		return;
	snprintf(raw, sizeof(raw), "%s", prefix);
	pl = strlen(raw);
	vsnprintf(raw + pl, sizeof(raw) - pl, fmt, ap);
	/* one event, one line: text from the network (an XAPI error, a
	 * request path, a host name) cannot start a line of its own */
	(void)log_escape(raw, msg, sizeof(msg));
	if (log_syslog) {
		log_send_syslog(level, subsys, msg);
		return;
	}
	{
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		n = snprintf(line, sizeof(line), "%s.%03ldZ %s: %s%s%s\n", stamp,
		    ts.tv_nsec / 1000000L, subsys,
		    level <= PB_LOG_WARN ? names[level] : "",
		    level <= PB_LOG_WARN ? ": " : "", msg);
	}
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nowhere left to report it */
	}
}

void
log_msg(enum log_level level, const char *subsys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, subsys, "", fmt, ap);
	va_end(ap);
}

void
log_ctx(enum log_level level, const char *subsys, const char *pool,
    const char *host, const char *fmt, ...)
{
	char prefix[200];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "%s%s%s%s%s%s",
	    pool != NULL ? "pool " : "", pool != NULL ? pool : "",
	    pool != NULL ? ": " : "", host != NULL ? "host " : "",
	    host != NULL ? host : "", host != NULL ? ": " : "");
	va_start(ap, fmt);
	log_vmsg(level, subsys, prefix, fmt, ap);
	va_end(ap);
}

void
log_fatal(int code, const char *subsys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(PB_LOG_ERROR, subsys, "", fmt, ap);
	va_end(ap);
	exit(code);
}
