/* unit_sim.h — the XAPI pool simulator (tests/xapisim/xapisim.py) run as a
 * subprocess for the unit tests that speak XAPI to it (test_xapi_sim,
 * test_coord_power). Include after unit.h. A test without python3 or the
 * simulator is skipped with a message, not failed. */
#ifndef POOLBOOT_UNIT_SIM_H
#define POOLBOOT_UNIT_SIM_H

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include "xapi.h"

struct unit_sim {
	pid_t	 pid;
	int	 out;		/* its stdout */
	char	*dir;
	char	*spec;
	char	 control[64];	/* 127.0.0.1:port */
	int	 port;		/* the hosts' common port */
	char	 net[16];	/* "127.0.N." */
	int	 up;		/* started and ready */
};

/* One line of fd within timeout_ms; -1 otherwise. */
static inline int
unit_sim_read_line(int fd, char *buf, size_t len, int timeout_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	size_t n = 0;
	char c;

	while (n + 1 < len) {
		if (poll(&p, 1, timeout_ms) != 1)
			return -1;
		if (read(fd, &c, 1) != 1)
			return -1;
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

/* The simulator's script: $XAPISIM, else the project's. */
static inline const char *
unit_sim_path(void)
{
	const char *p = getenv("XAPISIM");

	return p != NULL ? p : "tests/xapisim/xapisim.py";
}

/* 1 when python3 (3.9 or later) and the simulator are there. */
static inline int
unit_sim_available(void)
{
	int rc = system("python3 -c 'import sys; sys.exit(sys.version_info < "
	    "(3, 9))' >/dev/null 2>&1");

	return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0 &&
	    access(unit_sim_path(), R_OK) == 0;
}

/* Picks the simulator's loopback block, "127.0.N." with N in
 * [base, base + span) by pid, so that parallel runs do not collide; the
 * spec's host addresses are made from s->net. */
static inline void
unit_sim_net(struct unit_sim *s, int base, int span)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->net, sizeof(s->net), "127.0.%d.",
	    base + (int)(getpid() % span));
}

/* Starts the simulator on spec (JSON) and waits for "xapisim ready";
 * s->up is 1 after. Nothing is started without python3 or the simulator
 * (s->up stays 0: unit_sim_skip_unless_up skips). */
static inline void
unit_sim_start(struct unit_sim *s, const char *spec)
{
	char line[256];
	int fds[2];

	if (!unit_sim_available())
		return;
	s->dir = unit_tmpdir();
	assert_non_null(s->dir);
	s->spec = unit_write(s->dir, "spec.json", spec);
	assert_non_null(s->spec);
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		dup2(fds[1], 1);
		execlp("python3", "python3", unit_sim_path(), "--spec", s->spec,
		    (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	s->out = fds[0];
	for (;;) {
		if (unit_sim_read_line(s->out, line, sizeof(line), 15000) == -1)
			fail_msg("xapisim did not start");
		if (sscanf(line, "xapisim control %63s port %d", s->control,
		    &s->port) == 2)
			continue;
		if (strcmp(line, "xapisim ready") == 0)
			break;
	}
	assert_true(s->port > 0);
	s->up = 1;
}

/* Stops the simulator and removes its spec and folder. */
static inline void
unit_sim_stop(struct unit_sim *s)
{
	int st;

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, &st, 0);
		close(s->out);
	}
	if (s->spec != NULL) {
		unlink(s->spec);
		free(s->spec);
	}
	if (s->dir != NULL) {
		rmdir(s->dir);
		free(s->dir);
	}
	memset(s, 0, sizeof(*s));
}

/* Skips the running test when the simulator is not up, saying why. */
static inline void
unit_sim_skip_unless_up(const struct unit_sim *s)
{
	if (!s->up) {
		printf("# SKIP: python3 or %s missing; the XAPI client was not "
		    "tried against the pool simulator\n", unit_sim_path());
		skip();
	}
}

/* An XAPI client (root/secret) for the simulator's host number n
 * (its address s->net + n); the caller frees it with xapi_free. */
static inline struct xapi *
unit_sim_client(const struct unit_sim *s, int n)
{
	struct xapi_conf c = { 0 };
	struct xapi *x = NULL;
	char url[64];

	snprintf(url, sizeof(url), "http://%s%d:%d", s->net, n, s->port);
	c.url = url;
	c.username = "root";
	c.password = "secret";
	c.tls_verify = 1;
	c.originator = "poolboot-test";
	assert_int_equal(xapi_new(&c, &x), 0);
	return x;
}

#endif
