/* proc.h — running a helper program (dnsmasq, dnsmasq --test): find it,
 * fork and exec it with its stdout and stderr into one pipe, read that
 * output, wait for it and say how it ended. No shell is involved; argv
 * goes to exec as it is.
 */
#ifndef POOLBOOT_PROC_H
#define POOLBOOT_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* Is bin there to be run? A name without '/' is looked up in PATH (a
 * default PATH when none is set), then in /usr/sbin. 1 or 0. */
int   proc_binary_exists(const char *bin);

/*
 * Forks and execs argv (bin looked up as execvp does, /usr/sbin/bin as a
 * last resort). The child gets stdin from /dev/null, stdout and stderr
 * into a pipe whose read end goes to *rfd (caller closes), no other
 * inherited descriptors, default signal mask and SIGPIPE. setpdeath:
 * the child gets SIGTERM when poolboot dies and runs in its own process
 * group. When exec fails the child writes "poolboot: cannot run the
 * <what>: <bin>: <reason>" into the pipe and exits 127. The child's pid
 * (caller reaps it), or -1 with errno.
 */
pid_t proc_spawn(const char *bin, char *const argv[], int *rfd, int setpdeath,
	    const char *what);

/* Reads fd to EOF, keeping at most max-1 bytes in buf (NUL-terminated). */
void  proc_read_all(int fd, char *buf, size_t max);

/* Has pid exited? Waits up to ms for it; the child is not reaped. 1 or 0. */
int   proc_exited_within(pid_t pid, int ms);

/* How a wait status ended, for a log line: "exited with status N", "was
 * killed by signal N (SIGX)", "ended with wait status N". */
void  proc_describe_status(int status, char *buf, size_t len);

#endif
