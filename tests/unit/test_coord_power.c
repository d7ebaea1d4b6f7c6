/* test_coord_power.c — the pool's auto_poweron turned off for a rolling
 * upgrade and restored (server/coord_power.h) against the pool simulator
 * (tests/xapisim/xapisim.py) run as a subprocess: the mark is written
 * before auto_poweron goes off, a client that starts afresh (a poolboot
 * killed with -9 and restarted) restores it from the mark alone, a pool
 * with auto_poweron off is left alone, and every change is an event.
 * Skipped with a message when python3 or the simulator is missing. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "config.h"
#include "coord_power.h"
#include "store.h"
#include "xapi.h"

struct sim {
	pid_t	 pid;
	int	 out;		/* its stdout */
	char	*dir;
	char	*spec;
	char	 control[64];	/* 127.0.0.1:port */
	int	 port;		/* the hosts' common port */
	char	 net[16];	/* "127.0.N." */
};

static struct sim S;
static int sim_up;

/* One line of the simulator's stdout within timeout_ms; -1 otherwise. */
static int
read_line(int fd, char *buf, size_t len, int timeout_ms)
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

static const char *
sim_path(void)
{
	const char *p = getenv("XAPISIM");

	return p != NULL ? p : "tests/xapisim/xapisim.py";
}

static int
have_python(void)
{
	int rc = system("python3 -c 'import sys; sys.exit(sys.version_info < "
	    "(3, 9))' >/dev/null 2>&1");

	return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

static int
setup(void **state)
{
	char line[256], spec[1024];
	int fds[2], n;

	(void)state;
	memset(&S, 0, sizeof(S));
	if (!have_python() || access(sim_path(), R_OK) == -1)
		return 0;
	/* a loopback block of our own so parallel runs do not collide */
	snprintf(S.net, sizeof(S.net), "127.0.%d.", 20 + (int)(getpid() % 60));
	S.dir = unit_tmpdir();
	assert_non_null(S.dir);
	n = snprintf(spec, sizeof(spec),
	    "{\"port\": 0, \"control_port\": 0, \"pools\": [{\"name\": \"p1\", "
	    "\"username\": \"root\", \"password\": \"secret\", "
	    "\"other_config\": {\"auto_poweron\": \"true\"}, \"hosts\": ["
	    "{\"name\": \"h1\", \"address\": \"%s1\", \"master\": true}, "
	    "{\"name\": \"h2\", \"address\": \"%s2\"}], "
	    "\"vms\": [{\"name\": \"vm1\", \"host\": \"h1\", "
	    "\"power_state\": \"Halted\", \"other_config\": "
	    "{\"auto_poweron\": \"true\"}}]}]}\n", S.net, S.net);
	assert_true(n > 0 && (size_t)n < sizeof(spec));
	S.spec = unit_write(S.dir, "spec.json", spec);
	assert_non_null(S.spec);
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	S.pid = fork();
	assert_true(S.pid >= 0);
	if (S.pid == 0) {
		dup2(fds[1], 1);
		execlp("python3", "python3", sim_path(), "--spec", S.spec,
		    (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	S.out = fds[0];
	for (;;) {
		if (read_line(S.out, line, sizeof(line), 15000) == -1)
			fail_msg("xapisim did not start");
		if (sscanf(line, "xapisim control %63s port %d", S.control,
		    &S.port) == 2)
			continue;
		if (strcmp(line, "xapisim ready") == 0)
			break;
	}
	assert_true(S.port > 0);
	sim_up = 1;
	return 0;
}

static int
teardown(void **state)
{
	int st;

	(void)state;
	if (S.pid > 0) {
		kill(S.pid, SIGTERM);
		waitpid(S.pid, &st, 0);
		close(S.out);
	}
	if (S.spec != NULL) {
		unlink(S.spec);
		free(S.spec);
	}
	if (S.dir != NULL) {
		rmdir(S.dir);
		free(S.dir);
	}
	memset(&S, 0, sizeof(S));
	return 0;
}

static void
skip_without_sim(void)
{
	if (!sim_up) {
		printf("# SKIP: python3 or %s missing; the XAPI client was not "
		    "tried against the pool simulator\n", sim_path());
		skip();
	}
}

static struct xapi *
client_via_member(void)
{
	struct xapi_conf c = { 0 };
	struct xapi *x = NULL;
	char url[64];

	snprintf(url, sizeof(url), "http://%s2:%d", S.net, S.port);
	c.url = url;
	c.username = "root";
	c.password = "secret";
	c.tls_verify = 1;
	c.originator = "poolboot-test";
	assert_int_equal(xapi_new(&c, &x), 0);
	return x;
}

/* The pool's other_config:key through XAPI (a copy in buf, "" when
 * absent); 1 when present. */
static int
oc_get(struct xapi *x, const char *key, char *buf, size_t len)
{
	struct xr_value *pools = NULL, *oc = NULL;
	struct xapi_error e;
	const char *v;
	int present;

	assert_int_equal(xapi_call(x, "pool.get_all", NULL, 0, &pools, &e), 0);
	assert_int_equal(xapi_call_s(x, "pool.get_other_config", &oc, &e,
	    xr_str(pools->items[0]), NULL, NULL), 0);
	v = xr_get_str(oc, key);
	present = v != NULL;
	snprintf(buf, len, "%s", v != NULL ? v : "");
	xr_free(oc);
	xr_free(pools);
	return present;
}

static void
oc_set(struct xapi *x, const char *key, const char *value)
{
	struct xr_value *pools = NULL;
	struct xapi_error e;
	struct xr_value *args[3];

	assert_int_equal(xapi_call(x, "pool.get_all", NULL, 0, &pools, &e), 0);
	assert_int_equal(xapi_call_s(x, "pool.remove_from_other_config", NULL,
	    &e, xr_str(pools->items[0]), key, NULL), 0);
	if (value != NULL) {
		args[0] = xr_string(xr_str(pools->items[0]));
		args[1] = xr_string(key);
		args[2] = xr_string(value);
		assert_int_equal(xapi_call(x, "pool.add_to_other_config", args,
		    3, NULL, &e), 0);
		xr_free(args[0]);
		xr_free(args[1]);
		xr_free(args[2]);
	}
	xr_free(pools);
}

static void
rmtree(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
}

static int
count_event(const struct event *ev, void *arg)
{
	int *n = arg;

	if (strstr(ev->message, "auto_poweron") != NULL &&
	    strcmp(ev->pool, "p1") == 0 && strcmp(ev->kind, "upgrade") == 0)
		(*n)++;
	return 0;
}

static void
test_off_then_restore_after_a_restart(void **state)
{
	struct pool p = { .name = (char *)"p1" };
	struct store *st = NULL;
	struct xapi *x, *x2;
	char v[64], err[512], *dir;
	int nev = 0;

	(void)state;
	skip_without_sim();
	dir = unit_tmpdir();
	assert_int_equal(store_open(dir, 0, &st), 0);
	x = client_via_member();
	assert_int_equal(coord_power_off(x, st, &p, err, sizeof(err)), 0);
	assert_true(oc_get(x, "auto_poweron", v, sizeof(v)));
	assert_string_equal(v, "false");
	assert_true(oc_get(x, COORD_POWER_MARK, v, sizeof(v)));
	assert_string_equal(v, "true");
	/* again (a retried run): still off, still marked */
	assert_int_equal(coord_power_off(x, st, &p, err, sizeof(err)), 0);
	assert_true(oc_get(x, COORD_POWER_MARK, v, sizeof(v)));
	xapi_free(x);		/* "kill -9": nothing of it survives */

	x2 = client_via_member();
	coord_power_restore(x2, st, &p);
	assert_true(oc_get(x2, "auto_poweron", v, sizeof(v)));
	assert_string_equal(v, "true");
	assert_false(oc_get(x2, COORD_POWER_MARK, v, sizeof(v)));
	/* a second restore changes nothing */
	coord_power_restore(x2, st, &p);
	assert_true(oc_get(x2, "auto_poweron", v, sizeof(v)));
	assert_string_equal(v, "true");
	store_events(st, NULL, count_event, &nev);
	assert_int_equal(nev, 2);	/* turned off, turned back on */
	xapi_free(x2);
	store_close(st);
	rmtree(dir);
	free(dir);
}

static void
test_off_pool_left_alone(void **state)
{
	struct pool p = { .name = (char *)"p1" };
	struct store *st = NULL;
	struct xapi *x;
	char v[64], err[512], *dir;

	(void)state;
	skip_without_sim();
	dir = unit_tmpdir();
	assert_int_equal(store_open(dir, 0, &st), 0);
	x = client_via_member();
	oc_set(x, "auto_poweron", NULL);
	assert_int_equal(coord_power_off(x, st, &p, err, sizeof(err)), 0);
	assert_false(oc_get(x, COORD_POWER_MARK, v, sizeof(v)));
	coord_power_restore(x, st, &p);
	assert_false(oc_get(x, "auto_poweron", v, sizeof(v)));
	oc_set(x, "auto_poweron", "true");
	xapi_free(x);
	store_close(st);
	rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_then_restore_after_a_restart),
		cmocka_unit_test(test_off_pool_left_alone),
	};
	int rc;

	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, setup, teardown);
	curl_global_cleanup();
	xmlCleanupParser();
	return rc;
}
