/* log.h — tagged logging: "subsys: message" to stderr (foreground) or syslog. */
#ifndef POOLBOOT_LOG_H
#define POOLBOOT_LOG_H

enum log_level { PB_LOG_ERROR = 0, PB_LOG_WARN = 1, PB_LOG_INFO = 2, PB_LOG_DEBUG = 3 };

/* verbosity: highest level printed (default PB_LOG_INFO). use_syslog: 0 = stderr. */
void log_init(const char *progname, int verbosity, int use_syslog);
void log_set_verbosity(int verbosity);
void log_msg(enum log_level level, const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Only at start-up and while reading config: print and exit(code). */
void fatal(int code, const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

#define log_error(sub, ...) log_msg(PB_LOG_ERROR, (sub), __VA_ARGS__)
#define log_warn(sub, ...)  log_msg(PB_LOG_WARN, (sub), __VA_ARGS__)
#define log_info(sub, ...)  log_msg(PB_LOG_INFO, (sub), __VA_ARGS__)
#define log_debug(sub, ...) log_msg(PB_LOG_DEBUG, (sub), __VA_ARGS__)

#endif
