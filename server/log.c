/* log.c — see log.h. Thread-safe: one write(2) or one datagram per line.
 *
 * With the queue running (log_queue_start, `poolboot serve`), a caller
 * formats its line and hands it to the queue; one writer thread does the
 * write(2) or send(2), so a stalled reader of stderr or a stuck syslog
 * daemon stops that thread only, never a request. A full queue drops
 * lines and counts them; the writer reports the gap as soon as it can.
 *
 * Syslog is spoken directly (RFC 3164 datagrams on the local socket, as
 * syslog(3) does) rather than through syslog(3), so that the socket can
 * be another one than /dev/log, which makes "serve --syslog" testable. */
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define LOG_DEFAULT_SOCKET	"/dev/log"

/* atomic: read by every thread and the queue's writer, set by log_init */
static atomic_int log_verbosity = PB_LOG_INFO;
static atomic_int log_syslog;
static char log_ident[32] = "poolboot";
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;			/* syslog socket, under log_mu */
static unsigned long log_dropped;	/* lines the syslog socket refused */
static int log_congested;		/* the last wait timed out: do not wait */
static atomic_uint_fast64_t log_lost;	/* every line lost, for metrics */

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

/* The syslog datagram of one line: "<prio>stamp ident[pid]: subsys: msg".
 * Returns its length (cut to fit), or -1. */
static int
log_format_syslog(enum log_level level, const char *subsys, const char *msg,
    char *line, size_t size)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int n;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	n = snprintf(line, size, "<%d>%s %s[%ld]: %s: %s",
	    LOG_DAEMON | prio[level], stamp, log_ident, (long)getpid(), subsys,
	    msg);
	if (n > 0 && (size_t)n >= size)
		n = (int)size - 1;
	return n;
}

/* Sends one formatted datagram, first the count of the lines the socket
 * lost before it, if any; reconnects once when the syslog daemon has
 * restarted. A line that cannot go is counted. */
static void
log_sink_syslog(const char *line, size_t n)
{
	char msg[128], note[256];
	int nn;

	pthread_mutex_lock(&log_mu);
	if (log_fd == -1)
		log_connect();
	if (log_dropped > 0 && log_fd != -1) {
		snprintf(msg, sizeof(msg), "%lu line%s dropped: the syslog "
		    "socket was full or gone", log_dropped, log_dropped == 1 ?
		    "" : "s");
		nn = log_format_syslog(PB_LOG_WARN, "log", msg, note,
		    sizeof(note));
		if (nn > 0 && log_send_fd(note, (size_t)nn) == 0)
			log_dropped = 0;
	}
	if (log_fd == -1) {
		log_dropped++;
		atomic_fetch_add(&log_lost, 1);
		goto out;
	}
	if (log_send_fd(line, n) == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			log_dropped++;
			atomic_fetch_add(&log_lost, 1);
			goto out;
		}
		/* the syslog daemon restarted: connect again, send once more */
		close(log_fd);
		log_fd = -1;
		log_connect();
		if (log_fd == -1 || log_send_fd(line, n) == -1) {
			log_dropped++;
			atomic_fetch_add(&log_lost, 1);
		}
	}
out:
	pthread_mutex_unlock(&log_mu);
}

/* The stderr line: "2024-05-01T10:00:00.000Z subsys: warning: msg\n".
 * Returns its length (cut to fit, still ending in a newline), or -1. */
static int
log_format_stderr(enum log_level level, const char *subsys, const char *msg,
    char *line, size_t size)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, size, "%s.%03ldZ %s: %s%s%s\n", stamp,
	    ts.tv_nsec / 1000000L, subsys,
	    level <= PB_LOG_WARN ? names[level] : "",
	    level <= PB_LOG_WARN ? ": " : "", msg);
	if (n > 0 && (size_t)n >= size) {
		n = (int)size - 1;
		line[n - 1] = '\n';
	}
	return n;
}

/* Writes a whole line to stderr (one write(2) unless cut short). */
static void
log_sink_stderr(const char *line, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(STDERR_FILENO, line, n)) < 0) {
			if (errno == EINTR)
				continue;
			atomic_fetch_add(&log_lost, 1);
			return;		/* nowhere left to report it */
		}
		line += w;
		n -= (size_t)w;
	}
}

static void
log_sink(int to_syslog, const char *line, size_t n)
{
	if (to_syslog)
		log_sink_syslog(line, n);
	else
		log_sink_stderr(line, n);
}

/* ---- the queue (log_queue_start) ------------------------------------- */

#define LOG_QUEUE_LINES		4096	/* lines waiting, at most */
#define LOG_QUEUE_STOP_MS	3000	/* log_queue_stop waits this long */
#define LOG_QUEUE_BATCH		64	/* lines per write, at most */
#define LOG_QUEUE_GATHER_US	1000	/* a burst's lines gather this long */

struct log_entry {
	char	*line;
	size_t	 n;
	int	 to_syslog;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* any change: broadcast */
	pthread_t writer;
	int	 running;		/* lines go into the queue */
	int	 stopping;
	int	 done;			/* the writer has left */
	int	 busy;			/* a line is being written */
	int	 atexit_set;
	size_t	 head, count;
	uint64_t dropped;		/* since the last note */
	struct log_entry e[LOG_QUEUE_LINES];
} log_q = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER,
};

/* The note about the lines the queue dropped, in the mode of now, into
 * line; resets the count. Called with log_q.mu held. */
static int
log_queue_note(char *line, size_t size)
{
	char msg[128];
	uint64_t d = log_q.dropped;

	log_q.dropped = 0;
	snprintf(msg, sizeof(msg), "%llu line%s dropped (the log's reader "
	    "was too slow)", (unsigned long long)d, d == 1 ? "" : "s");
	return log_syslog ? log_format_syslog(PB_LOG_WARN, "log", msg, line,
	    size) : log_format_stderr(PB_LOG_WARN, "log", msg, line, size);
}

/* Writes lines to stderr with as few write(2)s as it can: a burst of
 * requests' lines in one writev, partial writes continued. */
static void
log_sink_stderrv(struct iovec *iov, int cnt)
{
	ssize_t w;

	while (cnt > 0) {
		if ((w = writev(STDERR_FILENO, iov, cnt)) < 0) {
			if (errno == EINTR)
				continue;
			atomic_fetch_add(&log_lost, 1);
			return;		/* nowhere left to report it */
		}
		while (cnt > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
}

/* Writes batch (n lines, in order): consecutive stderr lines in one
 * writev, syslog lines one datagram each; frees them. */
static void
log_queue_flush(struct log_entry *batch, size_t n)
{
	struct iovec iov[LOG_QUEUE_BATCH];
	size_t i;
	int cnt = 0;

	for (i = 0; i < n; i++) {
		if (!batch[i].to_syslog) {
			iov[cnt].iov_base = batch[i].line;
			iov[cnt++].iov_len = batch[i].n;
			continue;
		}
		log_sink_stderrv(iov, cnt);
		cnt = 0;
		log_sink_syslog(batch[i].line, batch[i].n);
	}
	log_sink_stderrv(iov, cnt);
	for (i = 0; i < n; i++)
		free(batch[i].line);
}

/* The writer thread: the lines in order, up to LOG_QUEUE_BATCH at a
 * time (a request's line costs a copy, not a write(2) and a context
 * switch), the gap note where lines were dropped; leaves once stopping
 * and the queue is empty. */
static void *
log_queue_writer(void *arg)
{
	struct log_entry batch[LOG_QUEUE_BATCH];
	char note[512];
	size_t n;
	int nn;

	(void)arg;
	pthread_mutex_lock(&log_q.mu);
	for (;;) {
		if (log_q.busy) {
			pthread_cond_wait(&log_q.cv, &log_q.mu);
			continue;
		}
		if (log_q.count > 0) {
			for (n = 0; n < LOG_QUEUE_BATCH && log_q.count > 0;
			    n++) {
				batch[n] = log_q.e[log_q.head];
				log_q.head = (log_q.head + 1) % LOG_QUEUE_LINES;
				log_q.count--;
			}
			log_q.busy = 1;
			pthread_mutex_unlock(&log_q.mu);
			log_queue_flush(batch, n);
		} else if (log_q.dropped > 0) {
			if ((nn = log_queue_note(note, sizeof(note))) <= 0)
				continue;
			log_q.busy = 1;
			pthread_mutex_unlock(&log_q.mu);
			log_sink(log_syslog, note, (size_t)nn);
		} else if (log_q.stopping) {
			break;
		} else {
			pthread_cond_broadcast(&log_q.cv);	/* drained */
			pthread_cond_wait(&log_q.cv, &log_q.mu);
			if (!log_q.stopping && log_q.count < LOG_QUEUE_BATCH) {
				/* woken by a burst's first line: let the
				 * others join it in one write */
				pthread_mutex_unlock(&log_q.mu);
				usleep(LOG_QUEUE_GATHER_US);
				pthread_mutex_lock(&log_q.mu);
			}
			continue;
		}
		pthread_mutex_lock(&log_q.mu);
		log_q.busy = 0;
	}
	log_q.done = 1;
	pthread_cond_broadcast(&log_q.cv);
	pthread_mutex_unlock(&log_q.mu);
	return NULL;
}

/* 1 when stderr takes a line now without waiting: a pipe with room for
 * PIPE_BUF bytes, a terminal or a file (which may still be slow). */
static int
log_stderr_ready(void)
{
	struct pollfd pfd = { .fd = STDERR_FILENO, .events = POLLOUT };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLOUT) != 0;
}

/* Hands a formatted line to the queue. 0: queued, written or dropped;
 * -1: no queue running (the caller writes it). */
static int
log_queue_put(enum log_level level, int to_syslog, const char *line,
    size_t n)
{
	char *copy = NULL;

	pthread_mutex_lock(&log_q.mu);
	if (!log_q.running) {
		pthread_mutex_unlock(&log_q.mu);
		return -1;
	}
	/* an error with nothing before it, stderr ready: written now, so
	 * that the last line before a crash is out */
	if (level == PB_LOG_ERROR && !to_syslog && log_q.count == 0 &&
	    !log_q.busy && log_q.dropped == 0 && log_stderr_ready()) {
		log_q.busy = 1;
		pthread_mutex_unlock(&log_q.mu);
		log_sink_stderr(line, n);
		pthread_mutex_lock(&log_q.mu);
		log_q.busy = 0;
		pthread_cond_broadcast(&log_q.cv);
		pthread_mutex_unlock(&log_q.mu);
		return 0;
	}
	pthread_mutex_unlock(&log_q.mu);
	if ((copy = malloc(n)) != NULL)
		memcpy(copy, line, n);
	pthread_mutex_lock(&log_q.mu);
	if (copy == NULL || log_q.count == LOG_QUEUE_LINES) {
		log_q.dropped++;
		atomic_fetch_add(&log_lost, 1);
		free(copy);
	} else {
		log_q.e[(log_q.head + log_q.count) % LOG_QUEUE_LINES] =
		    (struct log_entry){ copy, n, to_syslog };
		/* the writer sleeps only on an empty queue (or while another
		 * line is written, whose end wakes it) */
		if (log_q.count++ == 0)
			pthread_cond_broadcast(&log_q.cv);
	}
	pthread_mutex_unlock(&log_q.mu);
	return 0;
}

int
log_queue_start(void)
{
	int rc, ret = -1;

	pthread_mutex_lock(&log_q.mu);
	if (log_q.running) {
		ret = 0;
		goto out;
	}
	if (log_q.stopping && !log_q.done)
		goto out;	/* a writer left stuck by log_queue_stop */
	log_q.stopping = log_q.done = 0;
	if ((rc = pthread_create(&log_q.writer, NULL, log_queue_writer,
	    NULL)) != 0) {
		errno = rc;
		goto out;
	}
	log_q.running = 1;
	if (!log_q.atexit_set && atexit(log_queue_stop) == 0)
		log_q.atexit_set = 1;
	ret = 0;
out:
	pthread_mutex_unlock(&log_q.mu);
	return ret;
}

void
log_queue_stop(void)
{
	struct timespec ts;
	int joined = 0;

	pthread_mutex_lock(&log_q.mu);
	if (!log_q.running) {
		pthread_mutex_unlock(&log_q.mu);
		return;
	}
	log_q.stopping = 1;
	pthread_cond_broadcast(&log_q.cv);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += LOG_QUEUE_STOP_MS / 1000;
	while (!log_q.done && pthread_cond_timedwait(&log_q.cv, &log_q.mu,
	    &ts) != ETIMEDOUT)
		;
	/* from here on callers write their lines themselves */
	log_q.running = 0;
	joined = log_q.done;
	pthread_mutex_unlock(&log_q.mu);
	if (joined)
		pthread_join(log_q.writer, NULL);
	else	/* the reader is stuck: leave the writer, lines and all */
		pthread_detach(log_q.writer);
}

uint64_t
log_dropped_lines(void)
{
	return atomic_load(&log_lost);
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
	char raw[2048], msg[2048];
	char line[2300];
	size_t pl;
	int n, to_syslog = log_syslog;

	if ((int)level > log_verbosity)
		return;
	snprintf(raw, sizeof(raw), "%s", prefix);
	pl = strlen(raw);
	vsnprintf(raw + pl, sizeof(raw) - pl, fmt, ap);
	/* one event, one line: text from the network (an XAPI error, a
	 * request path, a host name) cannot start a line of its own */
	(void)log_escape(raw, msg, sizeof(msg));
	n = to_syslog ? log_format_syslog(level, subsys, msg, line,
	    sizeof(line)) : log_format_stderr(level, subsys, msg, line,
	    sizeof(line));
	if (n <= 0)
		return;
	if (log_queue_put(level, to_syslog, line, (size_t)n) == -1)
		log_sink(to_syslog, line, (size_t)n);
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
