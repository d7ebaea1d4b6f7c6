/* test_site.c — the `site` keys and whose pools and hosts are whose
 * (config_site.h, site.h): a host is of its own site, else its pool's,
 * else of none; no site key anywhere is one site and changes nothing;
 * with [server] site set, what names no site is nobody's (never two
 * sites' at once); a bad name is refused with its line; another site's
 * pool or host is refused with a sentence naming the site to ask. */
#include "unit.h"

#include "config.h"
#include "site.h"
#include "strlist.h"
#include "util.h"

static char *dir;

static int
setup(void **state)
{
	(void)state;
	assert_non_null(dir = unit_confdir());
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unit_rmtree(dir);
	free(dir);
	return 0;
}

/* [server] with site (NULL: none), two pools (west's site given by
 * west_site, NULL: none), hosts e1 (pool east), w1 (pool west), w2 (pool
 * west, own site host_site unless NULL) and s1 (no pool). */
static int
load(const char *server_site, const char *west_site, const char *host_site,
    struct config **cfg, struct strlist *errs)
{
	char *text;
	int rc;

	assert_true(asprintf(&text,
	    "[server]\ntemplate_dir = tpl\nlisten = 127.0.0.1:8080\n"
	    "public_url = http://10.0.0.5:8080/\nstate_dir = state\n"
	    "tftp_root = tftp\n%s%s%s\n"
	    "[repo xs82]\npath = repo\n\n"
	    "[pool east]\nxapi = https://10.0.0.10\nusername = root\n"
	    "password_file = pool.pw\nrepo = xs82\n\n"
	    "[pool west]\nxapi = https://10.0.1.10\nusername = root\n"
	    "password_file = pool.pw\nrepo = xs82\n%s%s%s\n"
	    "[host e1]\npool = east\nmac = 52:54:00:00:00:01\ndisk = sda\n\n"
	    "[host w1]\npool = west\nmac = 52:54:00:00:00:02\ndisk = sda\n\n"
	    "[host w2]\npool = west\nmac = 52:54:00:00:00:03\ndisk = sda\n"
	    "%s%s%s\n"
	    "[host s1]\nrepo = xs82\nmode = fresh\nmac = 52:54:00:00:00:04\n"
	    "disk = sda\nhostname = s1.example.com\n"
	    "root_password_file = pool.pw\n",
	    server_site ? "site = " : "", server_site ? server_site : "",
	    server_site ? "\n" : "",
	    west_site ? "site = " : "", west_site ? west_site : "",
	    west_site ? "\n" : "",
	    host_site ? "site = " : "", host_site ? host_site : "",
	    host_site ? "\n" : "") > 0);
	rc = config_load_text("t.conf", dir, text, strlen(text), cfg, errs,
	    NULL);
	for (size_t i = 0; rc == -1 && i < errs->n; i++)
		fprintf(stderr, "# %s\n", errs->v[i]);
	free(text);
	return rc;
}

static void
no_site_key_is_one_site(void **state)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char err[256] = "";
	size_t i;

	(void)state;
	assert_int_equal(load(NULL, NULL, NULL, &cfg, &errs), 0);
	assert_string_equal(cfg->site, "");
	for (i = 0; i < cfg->nhosts; i++)
		assert_true(site_owns_host(cfg, &cfg->hosts[i]));
	assert_int_equal(site_refuse_pool(cfg, "west", err, sizeof(err)), 0);
	assert_int_equal(site_refuse_host(cfg, "w2", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	config_free(cfg);
}

static void
a_host_is_of_its_own_site_else_its_pools(void **state)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char err[256];

	(void)state;
	assert_int_equal(load("east", "west", "east", &cfg, &errs), 0);
	assert_string_equal(cfg->site, "east");
	/* [pool east] names no site: nobody's, not even east's instance */
	assert_string_equal(site_of_pool(cfg, config_pool(cfg, "east")), "");
	assert_false(site_owns_pool(cfg, config_pool(cfg, "east")));
	assert_int_equal(site_refuse_pool(cfg, "east", err, sizeof(err)), 1);
	assert_non_null(strstr(err, "pool east names no site"));
	assert_non_null(strstr(err, "set `site = east` in its [pool east]"));
	assert_string_equal(site_of_pool(cfg, config_pool(cfg, "west")),
	    "west");
	assert_string_equal(site_of_host(cfg, config_host(cfg, "e1")), "");
	assert_string_equal(site_of_host(cfg, config_host(cfg, "w1")), "west");
	assert_string_equal(site_of_host(cfg, config_host(cfg, "w2")), "east");
	assert_string_equal(site_of_host(cfg, config_host(cfg, "s1")), "");
	assert_false(site_owns_host(cfg, config_host(cfg, "s1")));
	assert_false(site_owns_pool(cfg, config_pool(cfg, "west")));
	assert_false(site_owns_host(cfg, config_host(cfg, "w1")));
	assert_true(site_owns_host(cfg, config_host(cfg, "w2")));
	/* refused, naming the site to ask */
	assert_int_equal(site_refuse_pool(cfg, "west", err, sizeof(err)), 1);
	assert_non_null(strstr(err, "pool west is of site 'west'"));
	assert_non_null(strstr(err, "this poolboot serves site 'east'"));
	assert_int_equal(site_refuse_host(cfg, "w1", err, sizeof(err)), 1);
	assert_non_null(strstr(err, "host w1 is of site 'west'"));
	assert_int_equal(site_refuse_host(cfg, "w2", err, sizeof(err)), 0);
	assert_int_equal(site_refuse_host(cfg, "nope", err, sizeof(err)), 0);
	config_free(cfg);
}

static void
a_bad_site_name_is_refused_with_its_line(void **state)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	size_t i;
	int found = 0;

	(void)state;
	assert_int_equal(load("east", "we st", NULL, &cfg, &errs), -1);
	assert_null(cfg);
	for (i = 0; i < errs.n; i++)
		if (strstr(errs.v[i], "site: 'we st' is not a site name") !=
		    NULL && strncmp(errs.v[i], "t.conf:", 7) == 0)
			found = 1;
	assert_true(found);
	strlist_free(&errs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_site_key_is_one_site),
		cmocka_unit_test(
		    a_host_is_of_its_own_site_else_its_pools),
		cmocka_unit_test(a_bad_site_name_is_refused_with_its_line),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
