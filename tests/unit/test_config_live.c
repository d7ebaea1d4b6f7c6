/* test_config_live.c — the live configuration of a reloading server
 * (config_live.h) and what a reload compares (config_diff.h): a reader
 * keeps the configuration it took until it lets go, an old one is freed
 * by its last reader (never kept until exit), and the diff names what
 * changed, refuses what cannot change live, and is no change for a
 * password file that still holds the same password. */
#include "unit.h"

#include <pthread.h>
#include <sys/stat.h>

#include "config.h"
#include "config_diff.h"
#include "config_live.h"
#include "util.h"

static char *dir;

static const char *HEAD =
    "[server]\n"
    "template_dir = tpl\n"
    "listen = 127.0.0.1:8080\n"
    "public_url = http://10.0.0.5:8080/\n"
    "state_dir = state\n"
    "tftp_root = tftp\n"
    "\n"
    "[repo xs82]\n"
    "path = repo\n"
    "\n"
    "[pool poolA]\n"
    "xapi = https://10.0.0.10\n"
    "username = root\n"
    "password_file = pool.pw\n"
    "repo = xs82\n"
    "\n"
    "[pool poolB]\n"
    "xapi = https://10.0.0.20\n"
    "username = root\n"
    "password_file = pool.pw\n"
    "repo = xs82\n"
    "\n";

static const char *HOSTS =
    "[host h1]\npool = poolA\nmac = 52:54:00:00:00:01\ndisk = sda\n\n"
    "[host h2]\npool = poolA\nmac = 52:54:00:00:00:02\ndisk = sda\n\n"
    "[host b1]\npool = poolB\nmac = 52:54:00:00:00:11\ndisk = sda\n\n"
    "[host new1]\nrepo = xs82\nmode = fresh\nmac = 52:54:00:00:00:03\n"
    "disk = sda\nhostname = new1\nroot_password_file = root.pw\n\n";

static int
setup(void **state)
{
	char *p;

	(void)state;
	assert_non_null(dir = unit_tmpdir());
	assert_true(asprintf(&p, "%s/repo/boot", dir) > 0);
	assert_int_equal(util_mkdirs(p, 0755), 0);
	free(p);
	assert_true(asprintf(&p, "%s/tpl", dir) > 0);
	assert_int_equal(util_mkdirs(p, 0755), 0);
	free(p);
	free(unit_write(dir, "repo/boot/xen.gz", "xen"));
	free(unit_write(dir, "repo/boot/vmlinuz", "vmlinuz"));
	free(unit_write(dir, "repo/install.img", "img"));
	free(unit_write(dir, "repo/.treeinfo", "[platform]\nname = XCP\n"
	    "version = 3.2.1\n[branding]\nname = XCP-ng\nversion = 8.2.1\n"
	    "[build]\nnumber = release/yangtze/58\n"));
	p = unit_write(dir, "pool.pw", "secret\n");
	chmod(p, 0600);
	free(p);
	p = unit_write(dir, "root.pw", "hunter2\n");
	chmod(p, 0600);
	free(p);
	return 0;
}

/* HEAD, its first a replaced by b (a NULL: as it is), then body, loaded. */
static struct config *
load(const char *a, const char *b, const char *body)
{
	struct strlist errs = { NULL, 0 };
	struct config *cfg = NULL;
	char *head, *text, *path, *at;
	size_t i;

	assert_non_null(head = strdup(HEAD));
	if (a != NULL) {
		assert_non_null(at = strstr(head, a));
		assert_true(asprintf(&text, "%.*s%s%s", (int)(at - head), head,
		    b, at + strlen(a)) > 0);
		free(head);
		head = text;
	}
	assert_true(asprintf(&text, "%s%s", head, body) > 0);
	free(head);
	path = unit_write(dir, "t.conf", text);
	free(text);
	if (config_load(path, &cfg, &errs, NULL) != 0) {
		for (i = 0; i < errs.n; i++)
			print_error("config: %s\n", errs.v[i]);
		fail_msg("config_load failed");
	}
	free(path);
	strlist_free(&errs);
	return cfg;
}

static int
has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* ---- config_live -------------------------------------------------------- */

/* A reader keeps its configuration across a swap; the old one goes with
 * its last reader, not before and not at exit. */
static void
test_live_reader_keeps_its_config(void **state)
{
	struct config *a = load(NULL, NULL, HOSTS), *b = load(NULL, NULL, "");
	struct config_live *l;
	const struct config *r1, *r2, *cur;

	(void)state;
	assert_int_equal(config_live_new(a, 1, &l), 0);
	assert_int_equal(config_live_generation(l), 1);
	r1 = config_live_get(l);
	r2 = config_live_ref(l, r1);
	assert_ptr_equal(r1, a);
	assert_ptr_equal(r2, a);
	assert_int_equal(config_live_swap(l, b), 2);
	/* the readers still see a whole a; new readers get b */
	assert_int_equal(config_live_count(l), 2);
	assert_non_null(config_host(r1, "h1"));
	cur = config_live_get(l);
	assert_ptr_equal(cur, b);
	assert_null(config_host(cur, "h1"));
	config_live_put(l, cur);
	config_live_put(l, r1);
	assert_int_equal(config_live_count(l), 2);	/* r2 still reads a */
	assert_string_equal(r2->hosts[0].name, "h1");
	config_live_put(l, r2);				/* a is freed here */
	assert_int_equal(config_live_count(l), 1);
	config_live_put(l, NULL);			/* no-op */
	config_live_put(NULL, b);			/* no-op */
	config_live_free(l);				/* frees b */
}

/* A server reloaded many times holds what is in use, not every old
 * configuration (valgrind: nothing leaks either). */
static void
test_live_many_swaps_keep_nothing_old(void **state)
{
	struct config_live *l;
	const struct config *held;
	int i;

	(void)state;
	assert_int_equal(config_live_new(load(NULL, NULL, HOSTS), 1, &l), 0);
	held = config_live_get(l);
	for (i = 0; i < 20; i++)
		assert_int_equal(config_live_swap(l, load(NULL, NULL, "")), i + 2);
	/* the current one and the one a reader holds */
	assert_int_equal(config_live_count(l), 2);
	config_live_put(l, held);
	assert_int_equal(config_live_count(l), 1);
	config_live_free(l);
}

/* A borrowed configuration (a test's struct) is never freed. */
static void
test_live_borrowed_is_not_freed(void **state)
{
	struct config cfg;
	struct config_live *l;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(config_live_new(&cfg, 0, &l), 0);
	config_live_put(l, config_live_get(l));
	config_live_free(l);		/* would crash freeing a stack struct */
}

struct hammer {
	struct config_live *l;
	int stop;
	pthread_mutex_t mu;
	long reads;
};

static void *
hammer_main(void *arg)
{
	struct hammer *h = arg;
	long n = 0;

	for (;;) {
		const struct config *c = config_live_get(h->l);

		/* the configuration a reader holds is whole */
		if (c->npools != 2 || config_pool(c, "poolB") == NULL)
			abort();
		config_live_put(h->l, c);
		n++;
		pthread_mutex_lock(&h->mu);
		if (h->stop) {
			h->reads += n;
			pthread_mutex_unlock(&h->mu);
			return NULL;
		}
		pthread_mutex_unlock(&h->mu);
	}
}

/* Readers on four threads while the configuration is swapped 50 times:
 * each reads a whole one, and only the current one is left. */
static void
test_live_concurrent_readers_and_swaps(void **state)
{
	struct hammer h = { .stop = 0, .reads = 0 };
	pthread_t th[4];
	int i;

	(void)state;
	pthread_mutex_init(&h.mu, NULL);
	assert_int_equal(config_live_new(load(NULL, NULL, HOSTS), 1, &h.l), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, hammer_main, &h), 0);
	for (i = 0; i < 50; i++)
		assert_true(config_live_swap(h.l, load(NULL, NULL, i % 2 ? HOSTS :
		    "")) > 0);
	pthread_mutex_lock(&h.mu);
	h.stop = 1;
	pthread_mutex_unlock(&h.mu);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	assert_true(h.reads > 0);
	assert_int_equal(config_live_count(h.l), 1);
	config_live_free(h.l);
	pthread_mutex_destroy(&h.mu);
}

/* ---- config_diff -------------------------------------------------------- */

static void
test_diff_hosts_added_removed_changed(void **state)
{
	struct config *a = load(NULL, NULL, HOSTS);
	struct config *b;
	struct config_diff d;
	char *sum;
	char *body;

	(void)state;
	/* h2 gone, xen21 new, b1's disk changed, h1 moved down a line */
	assert_true(asprintf(&body, "\n%s", HOSTS) > 0);
	body = realloc(body, strlen(body) + 200);
	assert_non_null(body);
	memmove(strstr(body, "[host h2]"), strstr(body, "[host b1]"),
	    strlen(strstr(body, "[host b1]")) + 1);
	strcat(body, "[host xen21]\npool = poolA\nmac = 52:54:00:00:00:21\n"
	    "disk = sda\n");
	*strstr(strstr(body, "[host b1]"), "sda") = 'x';	/* xda */
	b = load(NULL, NULL, body);
	free(body);
	assert_int_equal(config_diff_compare(a, b, &d), 0);
	assert_int_equal(d.hosts_added.n, 1);
	assert_string_equal(d.hosts_added.v[0], "xen21");
	assert_int_equal(d.hosts_removed.n, 1);
	assert_string_equal(d.hosts_removed.v[0], "h2");
	assert_int_equal(d.hosts_changed.n, 1);
	assert_string_equal(d.hosts_changed.v[0], "b1");
	/* new1's root password file holds the same password: no change,
	 * and the new configuration takes the old hash */
	assert_false(has(&d.hosts_changed, "new1"));
	assert_string_equal(config_host(b, "new1")->root_password_hash,
	    config_host(a, "new1")->root_password_hash);
	assert_int_equal(d.fixed.n, 0);
	assert_non_null(sum = config_diff_summary(&d));
	assert_string_equal(sum, "1 host added (xen21), 1 removed (h2), 1 "
	    "changed (b1)");
	free(sum);
	config_diff_free(&d);
	config_free(a);
	config_free(b);
}

/* A changed password, pool or repo changes the hosts that use it; the
 * same configuration is no change at all. */
static void
test_diff_through_pools_and_secrets(void **state)
{
	struct config *a = load(NULL, NULL, HOSTS), *b;
	struct config_diff d;
	char *p;

	(void)state;
	b = load(NULL, NULL, HOSTS);
	assert_int_equal(config_diff_compare(a, b, &d), 0);
	assert_true(config_diff_empty(&d));
	config_diff_free(&d);
	config_free(b);

	b = load("xapi = https://10.0.0.20", "xapi = https://10.0.0.21", HOSTS);
	assert_int_equal(config_diff_compare(a, b, &d), 0);
	assert_int_equal(d.pools_changed.n, 1);
	assert_string_equal(d.pools_changed.v[0], "poolB");
	assert_int_equal(d.hosts_changed.n, 1);
	assert_string_equal(d.hosts_changed.v[0], "b1");
	config_diff_free(&d);
	config_free(b);

	p = unit_write(dir, "root.pw", "another-password\n");
	chmod(p, 0600);
	free(p);
	b = load(NULL, NULL, HOSTS);
	assert_int_equal(config_diff_compare(a, b, &d), 0);
	assert_int_equal(d.hosts_changed.n, 1);
	assert_string_equal(d.hosts_changed.v[0], "new1");
	config_diff_free(&d);
	config_free(b);
	p = unit_write(dir, "root.pw", "hunter2\n");
	chmod(p, 0600);
	free(p);

	/* public_url: what every host's files are made from */
	b = load("public_url = http://10.0.0.5:8080/",
	    "public_url = http://10.0.0.6:8080/", HOSTS);
	assert_int_equal(config_diff_compare(a, b, &d), 0);
	assert_int_equal(d.hosts_changed.n, 4);
	assert_true(has(&d.live_keys, "[server] public_url"));
	assert_int_equal(d.fixed.n, 0);
	config_diff_free(&d);
	config_free(b);
	config_free(a);
}

/* What cannot change while serve runs is listed with old and new value. */
static void
test_diff_fixed_keys(void **state)
{
	/* http_threads set: its default is the number of CPUs */
	struct config *a = load("listen = 127.0.0.1:8080", "listen = "
	    "127.0.0.1:8080\nhttp_threads = 2", HOSTS), *b;
	struct config_diff d;

	(void)state;
	b = load("listen = 127.0.0.1:8080", "listen = 127.0.0.1:8090\n"
	    "http_threads = 4\nmetrics = off", HOSTS);
	assert_int_equal(config_diff_compare(a, b, &d), 0);
	assert_true(has(&d.fixed, "[server] listen port: 8080 -> 8090"));
	assert_true(has(&d.fixed, "[server] http_threads: 2 -> 4"));
	assert_int_equal(d.fixed.n, 2);
	assert_true(has(&d.live_keys, "[server] metrics"));
	assert_int_equal(d.hosts_changed.n, 0);
	config_diff_free(&d);
	config_free(b);
	config_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_reader_keeps_its_config),
		cmocka_unit_test(test_live_many_swaps_keep_nothing_old),
		cmocka_unit_test(test_live_borrowed_is_not_freed),
		cmocka_unit_test(test_live_concurrent_readers_and_swaps),
		cmocka_unit_test(test_diff_hosts_added_removed_changed),
		cmocka_unit_test(test_diff_through_pools_and_secrets),
		cmocka_unit_test(test_diff_fixed_keys),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
