/* test_log.c — one event, one log line: control bytes in a message (a
 * hostile XAPI's error text, a request path) are escaped as \xNN, so they
 * can neither start a forged line nor drive a terminal. */
#include "unit.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "log.h"

static void
test_escape_control_bytes(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(log_escape("plain text: ok", out, sizeof(out)), 14);
	assert_string_equal(out, "plain text: ok");
	log_escape("a\nb\rc\td\x1b[2Je\x7f" "f", out, sizeof(out));
	assert_string_equal(out, "a\\x0ab\\x0dc\\x09d\\x1b[2Je\\x7ff");
	/* UTF-8 and backslashes pass unchanged */
	log_escape("gr\xc3\xbc\xc3\x9f \\n", out, sizeof(out));
	assert_string_equal(out, "gr\xc3\xbc\xc3\x9f \\n");
	log_escape("", out, sizeof(out));
	assert_string_equal(out, "");
}

static void
test_escape_never_splits_an_escape(void **state)
{
	char out[8];

	(void)state;
	/* room for 7 bytes: "ab" and one escape; the second does not fit */
	assert_int_equal(log_escape("ab\n\ncd", out, sizeof(out)), 6);
	assert_string_equal(out, "ab\\x0a");
	assert_int_equal(log_escape("abcdefghij", out, sizeof(out)), 7);
	assert_string_equal(out, "abcdefg");
	out[0] = 'x';
	assert_int_equal(log_escape("abc", out, 0), 0);
	assert_int_equal(out[0], 'x');
	assert_int_equal(log_escape("abc", out, 1), 0);
	assert_string_equal(out, "");
}

/* What log_ctx writes to stderr for a host name and message holding a
 * newline: one line. */
static void
test_one_call_one_stderr_line(void **state)
{
	char path[] = "/tmp/test_log.XXXXXX";
	char buf[1024];
	int fd, saved;
	ssize_t n;
	char *nl;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	saved = dup(STDERR_FILENO);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	log_init("test", PB_LOG_INFO, 0);
	log_ctx(PB_LOG_WARN, "xapi", "p1", "h1\nforged: host", "login failed: "
	    "%s", "ROOT\n2099-01-01T00:00:00.000Z serve: forged\r");
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	assert_non_null(nl);
	assert_int_equal(nl[1], '\0');		/* exactly one line */
	assert_non_null(strstr(buf, "xapi: warning: pool p1: host "
	    "h1\\x0aforged: host: login failed: ROOT\\x0a2099-01-01T00:00:00."
	    "000Z serve: forged\\x0d\n"));
}

/* ---- the queue (log_queue_start): serve's log writer thread ---------- */

#define QT_THREADS	4
#define QT_LINES	3000		/* per thread; 12000 > the queue's 4096 */

/* Reads the pipe into a growing buffer until end of file. */
struct qt_reader {
	int	 fd;
	char	*buf;
	size_t	 len, cap;
	pthread_t th;
};

static void *
qt_read(void *arg)
{
	struct qt_reader *r = arg;
	ssize_t n;

	for (;;) {
		if (r->cap - r->len < 65536) {
			r->cap = r->cap * 2 + 65536;
			r->buf = realloc(r->buf, r->cap + 1);
			assert_non_null(r->buf);
		}
		if ((n = read(r->fd, r->buf + r->len, r->cap - r->len)) <= 0)
			break;
		r->len += (size_t)n;
	}
	r->buf[r->len] = '\0';
	return NULL;
}

static void *
qt_writer(void *arg)
{
	int t = (int)(intptr_t)arg, i;

	for (i = 0; i < QT_LINES; i++)
		log_info("qt", "thread %d line %d", t, i);
	return NULL;
}

static double
qt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* stderr into a pipe nobody reads: four threads log 12000 lines and are
 * never held up (the old synchronous write(2) blocked on the full pipe
 * for ever: alarm turns that into a failure); the queue drops what does
 * not fit and counts it. Once the pipe is read, every line is either
 * there, in order per thread, or counted by the "lines dropped" notes,
 * whose sum is log_dropped_lines's. */
static void
test_queue_drops_rather_than_blocks(void **state)
{
	struct qt_reader r = { 0 };
	pthread_t th[QT_THREADS];
	int p[2], saved, t, next[QT_THREADS] = { 0 }, line, tt;
	uint64_t before = log_dropped_lines(), dropped, noted = 0;
	double t0;
	char *s;
	unsigned long long nn;

	(void)state;
	assert_int_equal(pipe(p), 0);
	saved = dup(STDERR_FILENO);
	assert_int_equal(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
	close(p[1]);
	log_init("test", PB_LOG_INFO, 0);
	assert_int_equal(log_queue_start(), 0);
	alarm(20);
	t0 = qt_now();
	for (t = 0; t < QT_THREADS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, qt_writer,
		    (void *)(intptr_t)t), 0);
	for (t = 0; t < QT_THREADS; t++)
		pthread_join(th[t], NULL);
	alarm(0);
	assert_true(qt_now() - t0 < 10.0);
	dropped = log_dropped_lines() - before;
	assert_true(dropped > 0);
	assert_true(dropped < QT_THREADS * QT_LINES);

	r.fd = p[0];
	assert_int_equal(pthread_create(&r.th, NULL, qt_read, &r), 0);
	log_queue_stop();		/* writes what is queued */
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);			/* the last write end: EOF */
	pthread_join(r.th, NULL);
	close(p[0]);

	for (s = r.buf; s != NULL && *s != '\0'; s = strchr(s, '\n'),
	    s = s != NULL ? s + 1 : NULL) {
		if (sscanf(s, "%*s qt: thread %d line %d", &tt, &line) == 2) {
			assert_in_range(tt, 0, QT_THREADS - 1);
			assert_true(line >= next[tt]);	/* in order */
			next[tt] = line + 1;
			noted++;
		} else if (sscanf(s, "%*s log: warning: %llu line", &nn) == 1) {
			noted += nn;
			dropped -= nn;
		}
	}
	assert_int_equal(dropped, 0);	/* every drop was reported */
	assert_int_equal(noted, QT_THREADS * QT_LINES);
	assert_non_null(strstr(r.buf, "lines dropped (the log's reader was "
	    "too slow)\n"));
	free(r.buf);
}

/* An error line with nothing queued is out at once (the last line before
 * a crash); info lines are out by log_queue_stop; after it, lines are
 * synchronous again. */
static void
test_queue_error_at_once_and_flush_at_stop(void **state)
{
	char path[] = "/tmp/test_log.XXXXXX";
	char buf[4096];
	int fd, saved;
	ssize_t n;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	saved = dup(STDERR_FILENO);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	log_init("test", PB_LOG_INFO, 0);
	assert_int_equal(log_queue_start(), 0);
	assert_int_equal(log_queue_start(), 0);	/* a no-op */
	log_error("store", "disk full");
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "store: error: disk full\n"));
	log_info("http", "one");
	log_info("http", "two");
	log_queue_stop();
	log_queue_stop();			/* safe twice */
	log_info("http", "three");		/* synchronous */
	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "http: one\n"));
	assert_non_null(strstr(strstr(buf, "http: one\n"), "http: two\n"));
	assert_non_null(strstr(strstr(buf, "http: two\n"), "http: three\n"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_control_bytes),
		cmocka_unit_test(test_escape_never_splits_an_escape),
		cmocka_unit_test(test_one_call_one_stderr_line),
		cmocka_unit_test(test_queue_drops_rather_than_blocks),
		cmocka_unit_test(test_queue_error_at_once_and_flush_at_stop),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
