/* test_coord_power.c — the pool's auto_poweron turned off for a rolling
 * upgrade and restored (server/coord_power.h) against the pool simulator
 * (tests/xapisim/xapisim.py) run as a subprocess: the mark is written
 * before auto_poweron goes off, a client that starts afresh (a poolboot
 * killed with -9 and restarted) restores it from the mark alone, a pool
 * with auto_poweron off is left alone, and every change is an event.
 * Skipped with a message when python3 or the simulator is missing. */
#include "unit.h"
#include "unit_store.h"
#include "unit_sim.h"

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

static struct unit_sim S;

static int
setup(void **state)
{
	char spec[1024];
	int n;

	(void)state;
	/* a loopback block of our own so parallel runs do not collide */
	unit_sim_net(&S, 20, 60);
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
	unit_sim_start(&S, spec);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unit_sim_stop(&S);
	return 0;
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
	unit_sim_skip_unless_up(&S);
	dir = unit_tmpdir();
	assert_int_equal(unit_store_open(dir, 0, &st), 0);
	x = unit_sim_client(&S, 2);
	assert_int_equal(coord_power_off(x, st, &p, err, sizeof(err)), 0);
	assert_true(oc_get(x, "auto_poweron", v, sizeof(v)));
	assert_string_equal(v, "false");
	assert_true(oc_get(x, COORD_POWER_MARK, v, sizeof(v)));
	assert_string_equal(v, "true");
	/* again (a retried run): still off, still marked */
	assert_int_equal(coord_power_off(x, st, &p, err, sizeof(err)), 0);
	assert_true(oc_get(x, COORD_POWER_MARK, v, sizeof(v)));
	xapi_free(x);		/* "kill -9": nothing of it survives */

	x2 = unit_sim_client(&S, 2);
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
	unit_sim_skip_unless_up(&S);
	dir = unit_tmpdir();
	assert_int_equal(unit_store_open(dir, 0, &st), 0);
	x = unit_sim_client(&S, 2);
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
