/* proc.c — running a helper program; see proc.h.
 *
 * fork+exec rather than posix_spawn: the child sets its parent-death
 * signal and process group between the two.
 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int
proc_binary_exists(const char *bin)
{
	const char *path, *p, *e;
	char cand[PATH_MAX];
	size_t n;

	if (strchr(bin, '/') != NULL)
		return access(bin, X_OK) == 0;
	if ((path = getenv("PATH")) == NULL)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:"
		    "/bin";
	for (p = path; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		n = (size_t)(e - p);
		if (snprintf(cand, sizeof(cand), "%.*s/%s", (int)n,
		    n ? p : ".", bin) < (int)sizeof(cand) &&
		    access(cand, X_OK) == 0)
			return 1;
	}
	/* daemons such as dnsmasq live in /usr/sbin, often not in a
	 * user's PATH */
	snprintf(cand, sizeof(cand), "/usr/sbin/%s", bin);
	return access(cand, X_OK) == 0;
}

/* execvp, with /usr/sbin as a last resort (as proc_binary_exists).
 * Runs in a forked child: only async-signal-safe calls. */
static void
proc_exec_binary(const char *bin, char *const argv[], const char *sbin)
{
	execvp(bin, argv);
	if (errno == ENOENT && sbin != NULL)
		execv(sbin, argv);
}

/* In the child between fork and exec: stdin from /dev/null, stdout and
 * stderr into wfd, no inherited descriptors, default signal state. */
static void
proc_child_setup(int devnull, int wfd)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	(void)sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(devnull, STDIN_FILENO) == -1 ||
	    dup2(wfd, STDOUT_FILENO) == -1 || dup2(wfd, STDERR_FILENO) == -1)
		_exit(127);
	if (close_range(3, ~0U, 0) == -1) {
		int fd;

		for (fd = 3; fd < 4096; fd++)
			(void)close(fd);
	}
}

pid_t
proc_spawn(const char *bin, char *const argv[], int *rfd, int setpdeath,
    const char *what)
{
	char sbin[PATH_MAX];
	int fds[2] = { -1, -1 }, devnull = -1;
	pid_t parent = getpid(), pid = -1;

	sbin[0] = '\0';
	if (strchr(bin, '/') == NULL)
		snprintf(sbin, sizeof(sbin), "/usr/sbin/%s", bin);
	if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1 ||
	    pipe2(fds, O_CLOEXEC) == -1)
		goto out;
	pid = fork();
	if (pid == 0) {
		proc_child_setup(devnull, fds[1]);
		if (setpdeath) {
			/* e.g. dnsmasq must not outlive poolboot (kill -9)
			 * and keep the DHCP and TFTP ports */
			(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != parent)
				_exit(0);
			(void)setpgid(0, 0);
		}
		proc_exec_binary(bin, argv, sbin[0] ? sbin : NULL);
		{
			static const char m[] = "poolboot: cannot run the ";
			const char *why = strerror(errno);

			(void)!write(STDERR_FILENO, m, sizeof(m) - 1);
			(void)!write(STDERR_FILENO, what, strlen(what));
			(void)!write(STDERR_FILENO, ": ", 2);
			(void)!write(STDERR_FILENO, bin, strlen(bin));
			(void)!write(STDERR_FILENO, ": ", 2);
			(void)!write(STDERR_FILENO, why, strlen(why));
			(void)!write(STDERR_FILENO, "\n", 1);
		}
		_exit(127);
	}
	if (pid > 0) {
		*rfd = fds[0];
		fds[0] = -1;
	}
out:
	if (fds[0] != -1)
		close(fds[0]);
	if (fds[1] != -1)
		close(fds[1]);
	if (devnull != -1)
		close(devnull);
	return pid;
}

void
proc_read_all(int fd, char *buf, size_t max)
{
	char chunk[512];
	size_t len = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + (size_t)n < max) {
			memcpy(buf + len, chunk, (size_t)n);
			len += (size_t)n;
		}
	}
	buf[len] = '\0';
}

int
proc_exited_within(pid_t pid, int ms)
{
	siginfo_t si;
	int waited;

	for (waited = 0;; waited += 10) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) ==
		    0 && si.si_pid == pid)
			return 1;
		if (waited >= ms)
			return 0;
		(void)poll(NULL, 0, 10);
	}
}

void
proc_describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(status));

		snprintf(buf, len, "was killed by signal %d (SIG%s)",
		    WTERMSIG(status), abbrev ? abbrev : "?");
	} else
		snprintf(buf, len, "ended with wait status %d", status);
}
