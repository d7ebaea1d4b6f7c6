/* log.h — tagged logging: "subsys: message" to stderr (foreground) or syslog.
 *
 * Every line starts with its subsystem tag ("http", "arm", "coord", ...);
 * lines about one pool or host use log_ctx, which puts "pool P: host H: "
 * in front of the message, so that `grep 'host h1:'` finds all of a host.
 * Syslog lines go to the local syslog socket (/dev/log: journald or
 * rsyslog) as facility daemon with the program name and pid; nothing is
 * written to stderr then.
 *
 * One call, one line: every control byte of the message (newline,
 * carriage return, tab, escape, DEL ...) is written as \xNN (log_escape),
 * so text from the network (XAPI errors, request paths, dnsmasq output)
 * can neither forge a line nor drive a terminal. No log line needs a
 * newline of its own.
 */
#ifndef POOLBOOT_LOG_H
#define POOLBOOT_LOG_H

#include <stddef.h>
#include <stdint.h>

enum log_level { PB_LOG_ERROR = 0, PB_LOG_WARN = 1, PB_LOG_INFO = 2, PB_LOG_DEBUG = 3 };

/* verbosity: highest level printed (default PB_LOG_INFO). use_syslog: 0 =
 * stderr, 1 = syslog. May be called again to switch (e.g. once the
 * configuration says log = syslog). The syslog socket is /dev/log unless
 * the environment variable POOLBOOT_SYSLOG_SOCKET names another one (for
 * containers and tests). */
void log_init(const char *progname, int verbosity, int use_syslog);
void log_set_verbosity(int verbosity);
/* 1 while lines go to syslog. */
int  log_to_syslog(void);
void log_msg(enum log_level level, const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same for a line about a pool and/or host (either may be NULL):
 * "subsys: pool P: host H: message". */
void log_ctx(enum log_level level, const char *subsys, const char *pool,
	    const char *host, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Copies in to out (outlen bytes, NUL-terminated unless outlen is 0)
 * with each byte below 0x20 and 0x7f written as "\xNN" (lower-case hex);
 * other bytes, UTF-8 included, unchanged. Cut short rather than split an
 * escape. Returns the length of out. */
size_t log_escape(const char *in, char *out, size_t outlen);
/* The log queue, for `poolboot serve`: from log_queue_start on, a line
 * is formatted by its caller (time stamp of the event) and written by one
 * writer thread, so that no caller waits for the log's reader (a stalled
 * pipe to journald or cat, a slow disk, a stuck syslog daemon). At most
 * 4096 lines wait; more are dropped and counted, and once the writer can
 * write again it adds "log: warning: N lines dropped (the log's reader
 * was too slow)" where they are missing. Exception: an error line with
 * nothing queued, in stderr mode, is written by its caller when stderr
 * takes it at once (poll), so that the last line before a crash is out.
 * log_queue_start: 0, or -1 (errno; lines stay synchronous). Starting a
 * running queue is a no-op. log_queue_stop (also run at exit) writes what
 * is queued, waiting at most 3 s for the reader, and stops the writer;
 * lines are synchronous again afterwards. Safe when not running. */
int   log_queue_start(void);
void  log_queue_stop(void);
/* Lines lost since the process started: dropped by a full queue, or
 * refused by the syslog socket. For /metrics; thread-safe. */
uint64_t log_dropped_lines(void);
/* Only at start-up and while reading config: print and exit(code). */
void log_fatal(int code, const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

#define log_error(sub, ...) log_msg(PB_LOG_ERROR, (sub), __VA_ARGS__)
#define log_warn(sub, ...)  log_msg(PB_LOG_WARN, (sub), __VA_ARGS__)
#define log_info(sub, ...)  log_msg(PB_LOG_INFO, (sub), __VA_ARGS__)
#define log_debug(sub, ...) log_msg(PB_LOG_DEBUG, (sub), __VA_ARGS__)

#endif
