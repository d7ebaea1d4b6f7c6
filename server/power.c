/* power.c — getting a host to network-boot once (power.h).
 *
 * ipmi: runs ipmitool (lanplus) three times: `chassis bootdev pxe` (no
 * options=persistent: the BMC applies it to the next boot only), `chassis
 * power status`, then `chassis power cycle` or `chassis power on`. Each
 * run is spawned without a shell (argv), with stdin on /dev/null, no file
 * descriptor of ours, its own process group, bounded capture of stdout and
 * stderr, and a deadline after which the group is killed. The password is
 * handed over as a file (-f): it is never in argv, the environment of the
 * child, a log line or a message.
 *
 * ipmitool's exit status is not enough: 1.8.19 exits 0 after "Set Chassis
 * Boot Parameter 5 failed". Each step therefore also needs the line that
 * ipmitool prints only on success.
 *
 * Environment (for operators and tests; documented in docs/power.md):
 *   POOLBOOT_IPMITOOL      the ipmitool binary (default: "ipmitool" in PATH)
 *   POOLBOOT_IPMI_TIMEOUT  seconds per ipmitool run, 1..600 (default 30)
 *   POOLBOOT_IPMI_CIPHER   lanplus cipher suite for -C, 0..17 (default:
 *                          ipmitool asks the BMC; some BMCs, ipmi_sim
 *                          among them, do not answer and cost 10 s a run)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "power.h"
#include "power_redfish.h"

extern char **environ;

#define POWER_TIMEOUT_DEFAULT	30	/* seconds per ipmitool run or
					   Redfish request */
#define POWER_OUT_MAX		4096	/* bytes kept of stdout, and of stderr */
#define POWER_MAX_ARGS		24

/* What one ipmitool run left behind. */
struct power_run {
	int	 status;		/* waitpid status, valid if !timed_out */
	int	 timed_out;
	int	 spawn_errno;		/* posix_spawnp failed: the binary */
	char	 out[POWER_OUT_MAX];	/* stdout, NUL-terminated */
	size_t	 outlen;
	char	 stderr_text[POWER_OUT_MAX];	/* stderr, NUL-terminated */
	size_t	 stderr_len;
};

const char *
power_kind_name(enum power_kind k)
{
	switch (k) {
	case POWER_KIND_XAPI:
		return "xapi";
	case POWER_KIND_IPMI:
		return "ipmi";
	case POWER_KIND_MANUAL:
		return "manual";
	case POWER_KIND_REDFISH:
		return "redfish";
	}
	return "unknown";
}

/* An environment knob: an integer in lo..hi, else def (with a warning
 * when set but unusable). */
static int
power_env_int(const char *name, int lo, int hi, int def)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi) {
		log_warn("power", "%s='%s' ignored: not a number in %d..%d",
		    name, s, lo, hi);
		return def;
	}
	return (int)v;
}

static int64_t
power_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Appends what fits of data to a bounded buffer; the rest is dropped
 * (the pipe is still drained so that the child never blocks on it). */
static void
power_keep(char *buf, size_t *len, const char *data, size_t n)
{
	size_t room = POWER_OUT_MAX - 1 - *len;

	if (n > room)
		n = room;
	memcpy(buf + *len, data, n);
	*len += n;
	buf[*len] = '\0';
}

/* Finds the executable that argv[0] names: a path as it is, a bare name
 * in PATH (as execvp would). Looked up here rather than left to
 * posix_spawnp so that "not found" is told apart from an ipmitool that
 * ran and failed, whatever the spawn implementation. 0, or -1 with errno
 * (ENOENT, EACCES, ENAMETOOLONG). */
static int
power_find_exec(const char *name, char *out, size_t outlen)
{
	const char *path, *p;
	int saw_eacces = 0;

	if (strchr(name, '/') != NULL) {
		if (snprintf(out, outlen, "%s", name) >= (int)outlen) {
			errno = ENAMETOOLONG;
			return -1;
		}
		return access(out, X_OK);
	}
	if ((path = getenv("PATH")) == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; ; p++) {
		const char *end = strchrnul(p, ':');
		int n;

		/* an empty PATH entry means the current directory */
		n = end == p ? snprintf(out, outlen, "./%s", name) :
		    snprintf(out, outlen, "%.*s/%s", (int)(end - p), p, name);
		if (n > 0 && (size_t)n < outlen) {
			if (access(out, X_OK) == 0)
				return 0;
			if (errno == EACCES)
				saw_eacces = 1;
		}
		if (*end == '\0')
			break;
		p = end;
	}
	errno = saw_eacces ? EACCES : ENOENT;
	return -1;
}

/* Starts argv[0] (looked up in PATH) with stdin on /dev/null, stdout on
 * opipe[1], stderr on epipe[1], no other fd of ours, in its own process
 * group. 0 with *pid set, or -1 with r->spawn_errno. */
static int
power_spawn(char *const argv[], const int opipe[2], const int epipe[2],
    pid_t *pid, struct power_run *r)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int fa_ok = 0, attr_ok = 0;
	char exe[4096];
	int ret = -1;
	int rc;

	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		r->spawn_errno = rc;
		goto out;
	}
	fa_ok = 1;
	if ((rc = posix_spawnattr_init(&attr)) != 0) {
		r->spawn_errno = rc;
		goto out;
	}
	attr_ok = 1;
	/* stdin from /dev/null: ipmitool must never prompt for a password */
	if ((rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
	    O_RDONLY, 0)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, opipe[1], 1)) != 0 ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, epipe[1], 2)) != 0 ||
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) != 0 ||
	    /* own process group, so that a timeout kills all of it */
	    (rc = posix_spawnattr_setpgroup(&attr, 0)) != 0 ||
	    (rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP)) != 0) {
		r->spawn_errno = rc;
		goto out;
	}
	if (power_find_exec(argv[0], exe, sizeof(exe)) == -1) {
		r->spawn_errno = errno;
		goto out;
	}
	if ((rc = posix_spawn(pid, exe, &fa, &attr, argv, environ)) != 0) {
		r->spawn_errno = rc;
		*pid = -1;
		goto out;
	}
	ret = 0;
out:
	if (attr_ok)
		posix_spawnattr_destroy(&attr);
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	return ret;
}

/* Reads the child's stdout and stderr (fds[0], fds[1]) into r until both
 * are closed (and closes them: fds become -1) or until deadline, which
 * sets r->timed_out. */
static void
power_drain(int fds[2], int64_t deadline, struct power_run *r)
{
	while (fds[0] != -1 || fds[1] != -1) {
		struct pollfd pfd[2];
		char chunk[1024];
		int64_t left = deadline - power_mono_ms();
		int i, n;

		if (left <= 0) {
			r->timed_out = 1;
			break;
		}
		pfd[0].fd = fds[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = fds[1];
		pfd[1].events = POLLIN;
		n = poll(pfd, 2, (int)left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		for (i = 0; i < 2; i++) {
			ssize_t got;

			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			got = read(pfd[i].fd, chunk, sizeof(chunk));
			if (got == -1 && errno == EINTR)
				continue;
			if (got <= 0) {
				close(pfd[i].fd);
				fds[i] = -1;
				continue;
			}
			if (i == 0)
				power_keep(r->out, &r->outlen, chunk,
				    (size_t)got);
			else
				power_keep(r->stderr_text, &r->stderr_len,
				    chunk, (size_t)got);
		}
	}
}

/* Waits for pid until deadline (which sets r->timed_out). 1 when it was
 * reaped (r->status), else 0. */
static int
power_reap(pid_t pid, int64_t deadline, struct power_run *r)
{
	while (!r->timed_out) {
		pid_t w = waitpid(pid, &r->status, WNOHANG);

		if (w == pid)
			return 1;
		if (w == -1 && errno != EINTR)
			break;
		if (power_mono_ms() >= deadline) {
			r->timed_out = 1;
			break;
		}
		usleep(10000);
	}
	return 0;
}

/* Runs argv (argv[0] looked up in PATH) with a deadline of timeout_s
 * seconds. Returns 0 when the child ran (whatever its exit status; see
 * r->status, r->timed_out), -1 when it could not be started
 * (r->spawn_errno) or on a local error. */
static int
power_run_argv(char *const argv[], int timeout_s, struct power_run *r)
{
	int opipe[2] = { -1, -1 }, epipe[2] = { -1, -1 };
	int fds[2], reaped = 0;
	int64_t deadline;
	pid_t pid = -1;
	int ret = -1;
	int i;

	memset(r, 0, sizeof(*r));
	if (pipe2(opipe, O_CLOEXEC) == -1 || pipe2(epipe, O_CLOEXEC) == -1) {
		r->spawn_errno = errno;
		goto out;
	}
	if (power_spawn(argv, opipe, epipe, &pid, r) == -1)
		goto out;
	close(opipe[1]);
	close(epipe[1]);
	opipe[1] = epipe[1] = -1;

	deadline = power_mono_ms() + (int64_t)timeout_s * 1000;
	fds[0] = opipe[0];
	fds[1] = epipe[0];
	power_drain(fds, deadline, r);
	opipe[0] = fds[0];
	epipe[0] = fds[1];
	/* Both pipes closed: the child is gone or about to be. A deadline
	 * also applies to the wait, for a child that closed its output. */
	reaped = power_reap(pid, deadline, r);
	ret = 0;
out:
	if (pid > 0 && !reaped) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &r->status, 0) == -1 && errno == EINTR)
			;
	}
	for (i = 0; i < 2; i++) {
		if (opipe[i] != -1)
			close(opipe[i]);
		if (epipe[i] != -1)
			close(epipe[i]);
	}
	return ret;
}

/* Writes text into out as one line: control characters and runs of
 * blanks become single spaces, line breaks "; ", bytes outside printable
 * ASCII '?'. */
static void
power_one_line(const char *text, char *out, size_t outlen)
{
	size_t o = 0;
	int pending = 0;	/* 0, ' ' or ';' still to write */

	if (outlen == 0)
		return;
	for (; *text != '\0' && o + 1 < outlen; text++) {
		unsigned char c = (unsigned char)*text;

		if (c == '\n' || c == '\r') {
			if (o > 0)
				pending = ';';
			continue;
		}
		if (c == ' ' || c == '\t' || c < 0x20 || c == 0x7f) {
			if (o > 0 && pending == 0)
				pending = ' ';
			continue;
		}
		if (pending == ';' && o + 3 < outlen) {
			out[o++] = ';';
			out[o++] = ' ';
		} else if (pending == ' ' && o + 2 < outlen)
			out[o++] = ' ';
		pending = 0;
		out[o++] = c < 0x80 ? (char)c : '?';
	}
	out[o] = '\0';
}

/* The BMC's UDP port: ipmi_port, 623 when unset. */
static int
power_bmc_port(const struct host *h)
{
	return h->ipmi_port > 0 && h->ipmi_port <= 65535 ? h->ipmi_port : 623;
}

/* The argv of `ipmitool -I lanplus -H addr -p port -U user -f file
 * [-C n] words...`; strings point into h, words and portbuf/cbuf. */
static int
power_ipmi_argv(const struct host *h, const char *const words[], char portbuf[12],
    char cbuf[12], char *argv[POWER_MAX_ARGS])
{
	const char *bin = getenv("POOLBOOT_IPMITOOL");
	/* the host's ipmi_cipher; the environment only for tests */
	int cipher = h->ipmi_cipher >= 0 ? h->ipmi_cipher :
	    power_env_int("POOLBOOT_IPMI_CIPHER", 0, 17, -1);
	size_t n = 0;
	size_t i;

	if (bin == NULL || *bin == '\0')
		bin = "ipmitool";
	snprintf(portbuf, 12, "%d", power_bmc_port(h));
	/* casts: posix_spawn's argv is char *const[], it does not write */
	argv[n++] = (char *)(uintptr_t)bin;
	argv[n++] = (char *)(uintptr_t)"-I";
	argv[n++] = (char *)(uintptr_t)"lanplus";
	argv[n++] = (char *)(uintptr_t)"-H";
	argv[n++] = h->ipmi_address;
	argv[n++] = (char *)(uintptr_t)"-p";
	argv[n++] = portbuf;
	argv[n++] = (char *)(uintptr_t)"-U";
	argv[n++] = h->ipmi_user;
	argv[n++] = (char *)(uintptr_t)"-f";
	argv[n++] = h->ipmi_password_file;
	if (cipher >= 0) {
		snprintf(cbuf, 12, "%d", cipher);
		argv[n++] = (char *)(uintptr_t)"-C";
		argv[n++] = cbuf;
	}
	for (i = 0; words[i] != NULL && n + 1 < POWER_MAX_ARGS; i++)
		argv[n++] = (char *)(uintptr_t)words[i];
	argv[n] = NULL;
	return words[i] == NULL ? 0 : -1;
}

/* Joins words with spaces ("chassis power status") for messages. */
static void
power_words_str(const char *const words[], char *out, size_t outlen)
{
	size_t o = 0;
	size_t i;

	out[0] = '\0';
	for (i = 0; words[i] != NULL; i++) {
		int n = snprintf(out + o, outlen - o, "%s%s", i ? " " : "",
		    words[i]);

		if (n < 0 || (size_t)n >= outlen - o)
			break;
		o += (size_t)n;
	}
}

/* Runs one ipmitool command against h's BMC. Success needs exit status 0
 * and, when expect is not NULL, a stdout line starting with expect; then
 * *stdout_line (if not NULL) points at that line inside r. On failure err
 * says which command failed and what ipmitool said. 0/-1. */
static int
power_ipmi_run(const struct host *h, const char *const words[], const char *expect,
    struct power_run *r, const char **stdout_line, char *err, size_t errlen)
{
	char *argv[POWER_MAX_ARGS];
	char portbuf[12], cbuf[12];
	char cmd[128], said[512];
	int timeout = power_env_int("POOLBOOT_IPMI_TIMEOUT", 1, 600,
	    POWER_TIMEOUT_DEFAULT);
	const char *line = NULL;
	int64_t t0 = power_mono_ms();
	int ret = -1;

	power_words_str(words, cmd, sizeof(cmd));
	if (power_ipmi_argv(h, words, portbuf, cbuf, argv) == -1) {
		snprintf(err, errlen, "ipmitool %s: too many arguments", cmd);
		goto out;
	}
	log_ctx(PB_LOG_INFO, "power", h->pool_name, h->name,
	    "BMC %s:%s: ipmitool %s", h->ipmi_address, portbuf, cmd);
	if (power_run_argv(argv, timeout, r) == -1) {
		if (r->spawn_errno == ENOENT)
			snprintf(err, errlen, "BMC %s:%s: cannot run '%s': not "
			    "found (install ipmitool, or set POOLBOOT_IPMITOOL)",
			    h->ipmi_address, portbuf, argv[0]);
		else
			snprintf(err, errlen, "BMC %s:%s: cannot run '%s': %s",
			    h->ipmi_address, portbuf, argv[0],
			    strerror(r->spawn_errno));
		goto out;
	}
	if (r->timed_out) {
		power_one_line(r->stderr_text, said, sizeof(said));
		snprintf(err, errlen, "BMC %s:%s: `ipmitool %s` gave no answer "
		    "within %d s (BMC unreachable?)%s%s", h->ipmi_address,
		    portbuf, cmd, timeout, said[0] ? ": " : "", said);
		goto out;
	}
	if (expect != NULL) {
		const char *p = r->out;

		while (p != NULL && *p != '\0') {
			if (strncmp(p, expect, strlen(expect)) == 0) {
				line = p;
				break;
			}
			if ((p = strchr(p, '\n')) != NULL)
				p++;
		}
	}
	if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != 0 ||
	    (expect != NULL && line == NULL)) {
		char how[32];

		if (WIFEXITED(r->status))
			snprintf(how, sizeof(how), "exit %d",
			    WEXITSTATUS(r->status));
		else
			snprintf(how, sizeof(how), "signal %d",
			    WIFSIGNALED(r->status) ? WTERMSIG(r->status) : 0);
		/* ipmitool's own words: stderr, else whatever it printed */
		power_one_line(r->stderr_len > 0 ? r->stderr_text : r->out,
		    said, sizeof(said));
		snprintf(err, errlen, "BMC %s:%s: `ipmitool %s` failed (%s): %s",
		    h->ipmi_address, portbuf, cmd, how,
		    said[0] ? said : "no message");
		goto out;
	}
	if (stdout_line != NULL)
		*stdout_line = line;
	log_ctx(PB_LOG_DEBUG, "power", h->pool_name, h->name,
	    "ipmitool %s: ok in %lld ms", cmd, (long long)(power_mono_ms() - t0));
	ret = 0;
out:
	if (ret == -1)
		log_ctx(PB_LOG_ERROR, "power", h->pool_name, h->name, "%s", err);
	return ret;
}

/* power = ipmi needs the BMC's address, user and password file; none may
 * look like an option to ipmitool. */
static int
power_ipmi_check(const struct host *h, char *err, size_t errlen)
{
	if (h->ipmi_address == NULL || h->ipmi_user == NULL ||
	    h->ipmi_password_file == NULL) {
		snprintf(err, errlen, "host %s: power = ipmi needs ipmi_address, "
		    "ipmi_user and ipmi_password_file", h->name);
		log_error("power", "%s", err);
		return -1;
	}
	if (h->ipmi_address[0] == '-' || h->ipmi_user[0] == '-' ||
	    h->ipmi_address[0] == '\0' || h->ipmi_user[0] == '\0' ||
	    h->ipmi_password_file[0] == '\0') {
		snprintf(err, errlen, "host %s: ipmi_address or ipmi_user is "
		    "empty or starts with '-'", h->name);
		log_error("power", "%s", err);
		return -1;
	}
	return 0;
}

static int
power_ipmi_status(const struct host *h, int *on, char *err, size_t errlen)
{
	static const char *const status[] = { "chassis", "power", "status",
	    NULL };
	const char *prefix = "Chassis Power is ";
	const char *line = NULL;
	struct power_run *r;
	int ret = -1;

	if ((r = malloc(sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (power_ipmi_run(h, status, prefix, r, &line, err, errlen) == -1)
		goto out;
	line += strlen(prefix);
	if (strncmp(line, "on", 2) == 0 && (line[2] == '\n' || line[2] == '\0'))
		*on = 1;
	else if (strncmp(line, "off", 3) == 0 &&
	    (line[3] == '\n' || line[3] == '\0'))
		*on = 0;
	else {
		char said[128];

		power_one_line(line, said, sizeof(said));
		snprintf(err, errlen, "BMC %s:%d: `ipmitool chassis power "
		    "status` answered '%s'", h->ipmi_address, power_bmc_port(h),
		    said);
		log_ctx(PB_LOG_ERROR, "power", h->pool_name, h->name, "%s", err);
		goto out;
	}
	snprintf(err, errlen, "chassis power is %s", *on ? "on" : "off");
	ret = 0;
out:
	free(r);
	return ret;
}

/* Seconds per Redfish request (POOLBOOT_REDFISH_TIMEOUT). */
static int
power_timeout_redfish(void)
{
	return power_env_int("POOLBOOT_REDFISH_TIMEOUT", 1, 600,
	    POWER_TIMEOUT_DEFAULT);
}

int
power_status(const struct host *h, int *on, char *err, size_t errlen)
{
	if (h->power == POWER_KIND_REDFISH)
		return power_redfish_status(h, power_timeout_redfish(), on, err,
		    errlen);
	if (h->power != POWER_KIND_IPMI) {
		snprintf(err, errlen, "host %s: power = %s: no BMC to ask",
		    h->name, power_kind_name(h->power));
		return -1;
	}
	if (power_ipmi_check(h, err, errlen) == -1)
		return -1;
	return power_ipmi_status(h, on, err, errlen);
}

static enum power_rc
power_ipmi_pxe_boot(const struct host *h, char *err, size_t errlen)
{
	static const char *const bootdev[] = { "chassis", "bootdev", "pxe",
	    NULL };
	static const char *const cycle[] = { "chassis", "power", "cycle",
	    NULL };
	static const char *const poweron[] = { "chassis", "power", "on",
	    NULL };
	struct power_run *r;
	enum power_rc ret = POWER_FAIL;
	int on = 0;

	if (power_ipmi_check(h, err, errlen) == -1)
		return POWER_FAIL;
	if ((r = malloc(sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return POWER_FAIL;
	}
	/* one-time: without options=persistent the BMC clears it after
	 * the next boot, so the host boots from disk again afterwards */
	if (power_ipmi_run(h, bootdev, "Set Boot Device to pxe", r, NULL, err,
	    errlen) == -1)
		goto out;
	if (power_ipmi_status(h, &on, err, errlen) == -1)
		goto out;
	if (on) {
		if (power_ipmi_run(h, cycle, "Chassis Power Control: Cycle", r, NULL,
		    err, errlen) == -1)
			goto out;
	} else if (power_ipmi_run(h, poweron, "Chassis Power Control: Up/On", r,
	    NULL, err, errlen) == -1)
		goto out;
	snprintf(err, errlen, "BMC %s:%d: boot device PXE (next boot only), "
	    "chassis was %s: %s", h->ipmi_address, power_bmc_port(h),
	    on ? "on" : "off", on ? "power cycle" : "power on");
	log_ctx(PB_LOG_INFO, "power", h->pool_name, h->name, "%s", err);
	ret = POWER_OK;
out:
	free(r);
	return ret;
}

enum power_rc
power_pxe_boot(const struct host *h, char *err, size_t errlen)
{
	switch (h->power) {
	case POWER_KIND_XAPI:
		snprintf(err, errlen, "host %s: power = xapi: reboot it "
		    "through its pool (host.reboot)", h->name);
		log_info("power", "%s", err);
		return POWER_USE_XAPI;
	case POWER_KIND_MANUAL:
		snprintf(err, errlen, "power on %s now and let it boot from "
		    "the network (PXE); poolboot waits for its installer",
		    h->name);
		log_warn("power", "%s", err);
		return POWER_MANUAL;
	case POWER_KIND_IPMI:
		return power_ipmi_pxe_boot(h, err, errlen);
	case POWER_KIND_REDFISH:
		return power_redfish_pxe_boot(h, power_timeout_redfish(), err,
		    errlen) == 0 ? POWER_OK : POWER_FAIL;
	}
	snprintf(err, errlen, "host %s: unknown power kind %d", h->name,
	    (int)h->power);
	log_error("power", "%s", err);
	return POWER_FAIL;
}
