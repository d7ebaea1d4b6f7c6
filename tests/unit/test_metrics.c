/* test_metrics.c — the Prometheus text: counters, the step_ms parser and
 * the step-duration histogram built from the store's runs. */
#include "unit.h"
#include "unit_store.h"

#include "log.h"
#include "metrics.h"
#include "store.h"

struct seen {
	char	 names[8][32];
	double	 secs[8];
	int	 n;
};

static void
collect(const char *step, double seconds, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", step);
		s->secs[s->n] = seconds;
	}
	s->n++;
}

static void
test_parse_step_ms(void **state)
{
	struct seen s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(metrics_parse_step_ms("disable=12 evacuate=310500 "
	    "install=3600000", collect, &s), 3);
	assert_string_equal(s.names[0], "disable");
	assert_true(s.secs[0] > 0.0119 && s.secs[0] < 0.0121);
	assert_string_equal(s.names[1], "evacuate");
	assert_true(s.secs[1] > 310.49 && s.secs[1] < 310.51);
	assert_string_equal(s.names[2], "install");
	assert_true(s.secs[2] > 3599.9 && s.secs[2] < 3600.1);

	/* malformed items are skipped, the good ones kept */
	memset(&s, 0, sizeof(s));
	assert_int_equal(metrics_parse_step_ms("  =5 arm= reboot=x1 "
	    "enable=-3 rejoin=40   junk enable=7 ", collect, &s), 2);
	assert_string_equal(s.names[0], "rejoin");
	assert_string_equal(s.names[1], "enable");
	assert_int_equal(metrics_parse_step_ms("", collect, &s), 0);
	assert_int_equal(metrics_parse_step_ms(NULL, collect, &s), 0);
}

/* The value of the sample line that starts with prefix (-1 if none). */
static double
sample(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);

	while ((p = strstr(p, prefix)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	return -1;
}

struct fixture {
	char	*dir;
	struct store *st;
	struct config cfg;
	struct pool pools[2];
	struct host hosts[3];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(f->dir = unit_tmpdir());
	assert_int_equal(unit_store_open(f->dir, 0, &f->st), 0);
	f->pools[0].name = (char *)(uintptr_t)"p1";
	f->pools[1].name = (char *)(uintptr_t)"p2";
	f->hosts[0].name = (char *)(uintptr_t)"a1";
	f->hosts[1].name = (char *)(uintptr_t)"a2";
	f->hosts[2].name = (char *)(uintptr_t)"b1";
	f->cfg.pools = f->pools;
	f->cfg.npools = 2;
	f->cfg.hosts = f->hosts;
	f->cfg.nhosts = 3;
	metrics_reset();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[600];

	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f->dir);
	free(f);
	return 0;
}

static char *
render(struct fixture *f)
{
	struct sbuf b = { .max = 1 << 20 };

	assert_int_equal(metrics_render(&f->cfg, f->st, NULL, &b), 0);
	return sbuf_take(&b);
}

static void
add_run(struct fixture *f, const char *pool, const char *state,
    const char *ms1, const char *ms2)
{
	struct run r;
	struct run_host h[2];
	int64_t id;

	memset(&r, 0, sizeof(r));
	memset(h, 0, sizeof(h));
	snprintf(r.pool, sizeof(r.pool), "%s", pool);
	snprintf(r.state, sizeof(r.state), "%s", state);
	snprintf(r.target_version, sizeof(r.target_version), "8.2.1");
	snprintf(h[0].host, sizeof(h[0].host), "%s-m", pool);
	snprintf(h[0].step, sizeof(h[0].step), "done");
	snprintf(h[0].step_ms, sizeof(h[0].step_ms), "%s", ms1);
	snprintf(h[1].host, sizeof(h[1].host), "%s-x", pool);
	h[1].ord = 1;
	snprintf(h[1].step, sizeof(h[1].step), "install");
	snprintf(h[1].step_ms, sizeof(h[1].step_ms), "%s", ms2);
	assert_int_equal(store_run_create(f->st, &r, h, 2, &id), 0);
}

static void
test_render_empty_world(void **state)
{
	struct fixture *f = *state;
	char *t = render(f);

	/* every series is there from the start, at 0 (or idle hosts) */
	assert_true(sample(t, "poolboot_hosts{state=\"idle\"}") == 3);
	assert_true(sample(t, "poolboot_hosts{state=\"failed\"}") == 0);
	assert_true(sample(t, "poolboot_runs{state=\"running\"}") == 0);
	assert_true(sample(t, "poolboot_step_duration_seconds_count"
	    "{step=\"install\"}") == 0);
	assert_true(sample(t, "poolboot_install_callbacks_total"
	    "{result=\"done\"}") == 0);
	assert_true(sample(t, "poolboot_dnsmasq_restarts_total") == 0);
	assert_true(sample(t, "poolboot_store_commit_transactions_total") ==
	    0);
	assert_true(sample(t, "poolboot_store_commit_fetches_total") == 0);
	assert_non_null(strstr(t, "# TYPE poolboot_step_duration_seconds "
	    "histogram\n"));
	assert_non_null(strstr(t, "# TYPE poolboot_http_requests_total "
	    "counter\n"));
	assert_int_equal(t[strlen(t) - 1], '\n');
	free(t);
}

static void
test_render_counts_what_happened(void **state)
{
	struct fixture *f = *state;
	char *t;

	/* hosts: a1 done, a2 armed; b1 never seen */
	assert_int_equal(store_arm(f->st, "a1", "h", MODE_UPGRADE, 1, NULL), 0);
	assert_int_equal(store_arm(f->st, "a2", "h2", MODE_UPGRADE, 1, NULL),
	    0);
	{
		struct arming a;

		assert_int_equal(store_active_arming(f->st, "a1", &a), 0);
		assert_int_equal(store_arming_finish(f->st, a.id, "done", "ok",
		    2), 0);
	}
	{
		struct store_fetch sf;
		struct arming a;

		/* one answerfile fetch of a2 counted: one transaction */
		assert_int_equal(store_active_arming(f->st, "a2", &a), 0);
		memset(&sf, 0, sizeof(sf));
		sf.arming_id = a.id;
		sf.now = 3;
		snprintf(sf.kind, sizeof(sf.kind), "fetch");
		snprintf(sf.message, sizeof(sf.message), "served");
		assert_int_equal(store_commit_count(f->st, &sf),
		    STORE_FETCH_COUNTED);
	}
	/* p1: an old aborted run, then a running one (the store holds one
	 * running or halted run per pool); p2: a done run */
	add_run(f, "p1", "aborted", "disable=500 evacuate=45000", "");
	add_run(f, "p2", "done", "disable=1500 evacuate=90000 arm=10 "
	    "reboot=20000 install=2400000 rejoin=300000 enable=800",
	    "disable=700");
	add_run(f, "p1", "running", "disable=900", "junk=5 install=7200000");
	metrics_callback(0);
	metrics_callback(1);
	metrics_callback(0);
	metrics_http_request(METRICS_ROUTE_REPO, 206, 1000);
	metrics_http_request(METRICS_ROUTE_REPO, 200, 24);
	metrics_http_request(METRICS_ROUTE_HOSTS, 403, 30);
	metrics_http_request(METRICS_ROUTE_COUNT, 404, 0);	/* -> other */
	metrics_http_request(METRICS_ROUTE_API, 0, 0);		/* no answer */

	t = render(f);
	assert_true(sample(t, "poolboot_hosts{state=\"done\"}") == 1);
	assert_true(sample(t, "poolboot_hosts{state=\"installing\"}") == 1);
	assert_true(sample(t, "poolboot_store_commit_transactions_total") ==
	    1);
	assert_true(sample(t, "poolboot_store_commit_fetches_total") == 1);
	assert_true(sample(t, "poolboot_hosts{state=\"idle\"}") == 1);
	/* latest run per pool: p1 running (not the old aborted one), p2 done */
	assert_true(sample(t, "poolboot_runs{state=\"running\"}") == 1);
	assert_true(sample(t, "poolboot_runs{state=\"done\"}") == 1);
	assert_true(sample(t, "poolboot_runs{state=\"halted\"}") == 0);
	assert_true(sample(t, "poolboot_runs{state=\"aborted\"}") == 0);
	/* disable: 0.5, 1.5, 0.7, 0.9 s over all three runs */
	assert_true(sample(t, "poolboot_step_duration_seconds_count"
	    "{step=\"disable\"}") == 4);
	assert_true(sample(t, "poolboot_step_duration_seconds_bucket"
	    "{step=\"disable\",le=\"1\"}") == 3);
	assert_true(sample(t, "poolboot_step_duration_seconds_bucket"
	    "{step=\"disable\",le=\"5\"}") == 4);
	assert_true(sample(t, "poolboot_step_duration_seconds_sum"
	    "{step=\"disable\"}") > 3.599 && sample(t,
	    "poolboot_step_duration_seconds_sum{step=\"disable\"}") < 3.601);
	/* install: 2400 s and 7200 s — buckets are cumulative */
	assert_true(sample(t, "poolboot_step_duration_seconds_bucket"
	    "{step=\"install\",le=\"1800\"}") == 0);
	assert_true(sample(t, "poolboot_step_duration_seconds_bucket"
	    "{step=\"install\",le=\"3600\"}") == 1);
	assert_true(sample(t, "poolboot_step_duration_seconds_bucket"
	    "{step=\"install\",le=\"7200\"}") == 2);
	assert_true(sample(t, "poolboot_step_duration_seconds_bucket"
	    "{step=\"install\",le=\"+Inf\"}") == 2);
	assert_true(sample(t, "poolboot_step_duration_seconds_count"
	    "{step=\"evacuate\"}") == 2);
	assert_null(strstr(t, "junk"));
	assert_true(sample(t, "poolboot_install_callbacks_total"
	    "{result=\"done\"}") == 2);
	assert_true(sample(t, "poolboot_install_callbacks_total"
	    "{result=\"failed\"}") == 1);
	assert_true(sample(t, "poolboot_http_requests_total{route=\"repo\","
	    "code=\"2xx\"}") == 2);
	assert_true(sample(t, "poolboot_http_requests_total{route=\"hosts\","
	    "code=\"4xx\"}") == 1);
	assert_true(sample(t, "poolboot_http_requests_total{route=\"other\","
	    "code=\"4xx\"}") == 1);
	assert_true(sample(t, "poolboot_http_requests_total{route=\"api\","
	    "code=\"2xx\"}") == 0);
	assert_true(sample(t, "poolboot_http_sent_bytes_total"
	    "{route=\"repo\"}") == 1024);
	assert_true(sample(t, "poolboot_http_sent_bytes_total"
	    "{route=\"hosts\"}") == 30);
	free(t);
}

static void
test_render_refuses_overflow(void **state)
{
	struct fixture *f = *state;
	struct sbuf b = { .max = 200 };

	log_set_verbosity(-1);		/* the error line is expected */
	assert_int_equal(metrics_render(&f->cfg, f->st, NULL, &b), -1);
	sbuf_free(&b);
	log_set_verbosity(PB_LOG_ERROR);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_step_ms),
		cmocka_unit_test_setup_teardown(test_render_empty_world, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_render_counts_what_happened,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_render_refuses_overflow,
		    setup, teardown),
	};

	log_init("test_metrics", PB_LOG_ERROR, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
