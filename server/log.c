/* log.c — see log.h. Thread-safe: one write(2)/syslog(3) call per line. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static int log_verbosity = PB_LOG_INFO;
static int log_syslog;

void
log_init(const char *progname, int verbosity, int use_syslog)
{
	log_verbosity = verbosity;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_verbosity(int verbosity)
{
	log_verbosity = verbosity;
}

static void
log_vmsg(enum log_level level, const char *subsys, const char *fmt, va_list ap)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char msg[2048];
	char line[2200];
	int n;

	if ((int)level > log_verbosity)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_syslog) {
		syslog(prio[level], "%s: %s", subsys, msg);
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
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nowhere left to report it */
	}
}

void
log_msg(enum log_level level, const char *subsys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, subsys, fmt, ap);
	va_end(ap);
}

void
fatal(int code, const char *subsys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(PB_LOG_ERROR, subsys, fmt, ap);
	va_end(ap);
	exit(code);
}
