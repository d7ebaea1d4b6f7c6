/* test_xapi_sim.c — the XAPI client against the pool simulator
 * (tests/xapisim/xapisim.py) run as a subprocess with a two-host pool:
 * login through a member (HOST_IS_SLAVE followed), records, an
 * evacuation followed as a task, sessions expired under our feet, events
 * and the database dump. Skipped with a message when python3 or the
 * simulator is missing. Run from the repository root (as the runner
 * does), or point XAPISIM at xapisim.py. */
#include "unit.h"
#include "unit_sim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libxml/parser.h>

#include "xapi.h"

static struct unit_sim S;

static size_t
sink(char *d, size_t s, size_t n, void *arg)
{
	struct sbuf_ {
		char	*p;
		size_t	 len;
	} *b = arg;
	char *np;

	if ((np = realloc(b->p, b->len + s * n + 1)) == NULL)
		return 0;
	b->p = np;
	memcpy(b->p + b->len, d, s * n);
	b->len += s * n;
	b->p[b->len] = '\0';
	return s * n;
}

/* GET or POST (body != NULL) on the control API; the JSON reply. */
static json_t *
control(const char *path, const char *body)
{
	struct {
		char	*p;
		size_t	 len;
	} b = { NULL, 0 };
	char url[128];
	CURL *c = curl_easy_init();
	json_t *j;

	assert_non_null(c);
	snprintf(url, sizeof(url), "http://%s%s", S.control, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (body != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	assert_int_equal(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	j = json_loads(b.p, 0, NULL);
	free(b.p);
	assert_non_null(j);
	return j;
}

static int
setup(void **state)
{
	char spec[1024];
	int n;

	(void)state;
	/* a loopback block of our own so parallel runs do not collide */
	unit_sim_net(&S, 100, 150);
	n = snprintf(spec, sizeof(spec),
	    "{\"port\": 0, \"control_port\": 0, \"pools\": [{\"name\": \"p1\", "
	    "\"username\": \"root\", \"password\": \"secret\", "
	    "\"evacuate_delay\": 0.2, \"hosts\": ["
	    "{\"name\": \"h1\", \"address\": \"%s1\", \"master\": true, "
	    "\"product_version\": \"8.2.1\"}, "
	    "{\"name\": \"h2\", \"address\": \"%s2\", "
	    "\"product_version\": \"8.2.1\"}], "
	    "\"vms\": [{\"name\": \"vm1\", \"host\": \"h1\", \"memory_mib\": "
	    "1024}, {\"name\": \"vm2\", \"host\": \"h2\", \"memory_mib\": "
	    "1024}]}]}\n", S.net, S.net);
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

/* The ref and record of the host called name in host.get_all_records. */
static const struct xr_value *
host_rec(const struct xr_value *all, const char *name, const char **ref)
{
	size_t i;

	for (i = 0; i < all->n; i++) {
		if (strcmp(xr_get_str(all->items[i], "name_label") ?
		    xr_get_str(all->items[i], "name_label") : "", name) == 0) {
			*ref = all->keys[i];
			return all->items[i];
		}
	}
	fail_msg("no host %s in host.get_all_records", name);
	return NULL;
}

static const char *
vm_resident_on(json_t *st, const char *vm)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(st, "vms"), i, v)
		if (strcmp(json_string_value(json_object_get(v, "name")), vm) ==
		    0)
			return json_string_value(json_object_get(v,
			    "resident_on"));
	return NULL;
}

static void
test_pool_through_member(void **state)
{
	static const char *const classes[] = { "host", NULL };
	struct xapi *x;
	struct xapi_error e;
	struct xr_value *all = NULL, *v = NULL, *ev = NULL, *arg;
	const struct xr_value *h2, *sv;
	const char *h2ref = NULL;
	char want[64], *task, *res = NULL, *tok, *old, *path;
	json_t *st, *log, *it;
	int64_t n = 0;
	size_t i;
	int expired = 0;

	(void)state;
	unit_sim_skip_unless_up(&S);
	x = unit_sim_client(&S, 2);

	/* the member answers HOST_IS_SLAVE: we end up on the master */
	assert_int_equal(xapi_login(x, &e), 0);
	snprintf(want, sizeof(want), "http://%s1:%d", S.net, S.port);
	assert_string_equal(xapi_url(x), want);

	/* records, with XAPI's value forms (int64 strings, nested maps) */
	assert_int_equal(xapi_call(x, "host.get_all_records", NULL, 0, &all,
	    &e), 0);
	assert_int_equal(all->type, XR_STRUCT);
	assert_int_equal(all->n, 2);
	h2 = host_rec(all, "h2", &h2ref);
	assert_true(strncmp(xr_get_str(h2, "address"), S.net,
	    strlen(S.net)) == 0);
	assert_int_equal(xr_get_bool(h2, "enabled", 0), 1);
	sv = xr_get(h2, "software_version");
	assert_string_equal(xr_get_str(sv, "product_version"), "8.2.1");
	assert_int_equal(xr_get_int(h2, "memory_overhead", &n), 0);
	assert_true(n > 0);
	assert_non_null(xr_get_str(xr_get(h2, "other_config"), "boot_time"));

	/* maintenance: disable, evacuate as a task, follow it */
	assert_int_equal(xapi_call_s(x, "host.disable", NULL, &e, h2ref, NULL,
	    NULL), 0);
	assert_int_equal(xapi_call_s(x, "Async.host.evacuate", &v, &e, h2ref,
	    NULL, NULL), 0);
	assert_non_null(xr_str(v));
	assert_true(strncmp(xr_str(v), "OpaqueRef:", 10) == 0);
	task = strdup(xr_str(v));
	xr_free(v);
	v = NULL;
	assert_int_equal(xapi_task_wait(x, task, 30, 50, &res, &e), 0);
	free(res);
	st = control("/state", NULL);
	assert_string_equal(vm_resident_on(st, "vm2"), "h1");
	assert_int_equal(json_integer_value(json_object_get(st, "tasks")), 0);
	json_decref(st);
	/* the task is gone: destroyed after it finished */
	assert_int_equal(xapi_call_s(x, "task.get_status", NULL, &e, task,
	    NULL, NULL), -1);
	assert_string_equal(e.code, "HANDLE_INVALID");
	free(task);

	/* the pool forgets every session: the next call logs in again */
	json_decref(control("/reset-log", "{}"));
	json_decref(control("/fault", "{\"pool\": \"p1\", \"kind\": "
	    "\"expire_sessions\"}"));
	assert_int_equal(xapi_call_s(x, "host.enable", NULL, &e, h2ref, NULL,
	    NULL), 0);
	log = control("/log", NULL);
	json_array_foreach(log, i, it) {
		json_t *err = json_object_get(it, "error");

		if (json_is_array(err) && json_array_size(err) > 0 &&
		    strcmp(json_string_value(json_array_get(err, 0)),
		    "SESSION_INVALID") == 0)
			expired++;
	}
	json_decref(log);
	assert_int_equal(expired, 1);

	/* event.from: the token comes back, then changes are seen */
	old = tok = strdup("");
	assert_int_equal(xapi_event_from(x, classes, &tok, 0.2, &ev, &e), 0);
	assert_true(tok[0] != '\0');
	free(old);
	xr_free(ev);
	ev = NULL;
	assert_int_equal(xapi_call_s(x, "host.disable", NULL, &e, h2ref, NULL,
	    NULL), 0);
	old = tok;
	assert_int_equal(xapi_event_from(x, classes, &tok, 5.0, &ev, &e), 0);
	free(old);
	free(tok);
	assert_true(ev->n >= 1);
	assert_string_equal(xr_get_str(ev->items[0], "class"), "host");
	xr_free(ev);

	/* the pool database from the master */
	assert_true(asprintf(&path, "%s/pool.db", S.dir) > 0);
	assert_int_equal(xapi_dump_db(x, path, &e), 0);
	{
		FILE *f = fopen(path, "r");
		char buf[65536];
		size_t got;

		assert_non_null(f);
		got = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[got] = '\0';
		assert_non_null(strstr(buf, "<database>"));
		assert_non_null(strstr(buf, h2ref));
	}
	unlink(path);
	free(path);

	/* xapi_call with a value built by the caller (who keeps it) */
	arg = xr_string(h2ref);
	assert_int_equal(xapi_call(x, "host.get_record", &arg, 1, &v, &e), 0);
	assert_string_equal(xr_get_str(v, "name_label"), "h2");
	xr_free(v);
	xr_free(arg);

	xr_free(all);
	xapi_free(x);
	/* xapi_free logged out: no session left in the pool */
	st = control("/state", NULL);
	assert_int_equal(json_integer_value(json_object_get(
	    json_array_get(json_object_get(st, "pools"), 0), "sessions")), 0);
	json_decref(st);
}

static void
test_wrong_password(void **state)
{
	struct xapi_conf c = { 0 };
	struct xapi *x = NULL;
	struct xapi_error e;
	char url[64];

	(void)state;
	unit_sim_skip_unless_up(&S);
	snprintf(url, sizeof(url), "http://%s1:%d", S.net, S.port);
	c.url = url;
	c.username = "root";
	c.password = "wrong";
	c.tls_verify = 1;
	assert_int_equal(xapi_new(&c, &x), 0);
	assert_int_equal(xapi_login(x, &e), -1);
	assert_int_equal(e.transport, 0);
	assert_string_equal(e.code, "SESSION_AUTHENTICATION_FAILED");
	xapi_free(x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_through_member),
		cmocka_unit_test(test_wrong_password),
	};
	int rc;

	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, setup, teardown);
	curl_global_cleanup();
	xmlCleanupParser();
	return rc;
}
