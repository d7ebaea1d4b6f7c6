/* test_site_files.c — whose boot files and dnsmasq entries an instance
 * writes (site_files.h): with [server] site, dnsmasq's hostsdir lists its
 * own site's hosts only (another site's entry, left from before, is
 * removed) and another site's per-MAC files are dropped from tftp-root;
 * without [server] site, every host as before. */
#include "unit.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "dnsmasq.h"
#include "site_files.h"
#include "strlist.h"
#include "tftp.h"
#include "tftp_grub.h"
#include "util.h"

static char *dir;
static int seq;

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

/* Pools east (site east) and west (site west); hosts e1 (pool east), w1
 * and w2 (pool west), x1 (pool west, its own site east) and n1 (no pool,
 * no site). [server] site = server_site (NULL: none); full DHCP,
 * external dnsmasq. */
static struct config *
load(const char *server_site)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char *text;
	size_t i;

	assert_true(asprintf(&text,
	    "[server]\ntemplate_dir = tpl\nlisten = 127.0.0.1:8080\n"
	    "public_url = http://10.0.0.5:8080/\nstate_dir = state\n"
	    "tftp_root = tftp%d\n%s%s%s\n"
	    "[repo xs82]\npath = repo\n\n"
	    "[pool east]\nxapi = https://10.0.0.10\nusername = root\n"
	    "password_file = pool.pw\nrepo = xs82\nsite = east\n\n"
	    "[pool west]\nxapi = https://10.0.1.10\nusername = root\n"
	    "password_file = pool.pw\nrepo = xs82\nsite = west\n\n"
	    "[host e1]\npool = east\nmac = 52:54:00:00:00:01\ndisk = sda\n\n"
	    "[host w1]\npool = west\nmac = 52:54:00:00:00:02\ndisk = sda\n\n"
	    "[host w2]\npool = west\nmac = 52:54:00:00:00:03\ndisk = sda\n\n"
	    "[host x1]\npool = west\nsite = east\nmac = 52:54:00:00:00:04\n"
	    "disk = sda\n\n"
	    "[host n1]\nrepo = xs82\nmode = fresh\nmac = 52:54:00:00:00:05\n"
	    "disk = sda\nhostname = n1.example.com\n"
	    "root_password_file = pool.pw\n\n"
	    "[dnsmasq]\nmode = external\ndhcp = full\n", ++seq,
	    server_site ? "site = " : "", server_site ? server_site : "",
	    server_site ? "\n" : "") > 0);
	if (config_load_text("t.conf", dir, text, strlen(text), &cfg, &errs,
	    NULL) == -1)
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "# %s\n", errs.v[i]);
	free(text);
	strlist_free(&errs);
	assert_non_null(cfg);
	return cfg;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in d/hosts.d, sorted, space-separated ("" when empty). */
static char *
hosts_d(const char *d)
{
	struct strlist names = { 0 };
	struct dirent *de;
	char *p, *out;
	size_t i, len = 1;
	DIR *dh;

	assert_int_equal(asprintf(&p, "%s/hosts.d", d) > 0, 1);
	assert_non_null(dh = opendir(p));
	while ((de = readdir(dh)) != NULL)
		if (de->d_name[0] != '.')
			assert_int_equal(strlist_add(&names, de->d_name), 0);
	closedir(dh);
	free(p);
	qsort(names.v, names.n, sizeof(names.v[0]), cmp_str);
	for (i = 0; i < names.n; i++)
		len += strlen(names.v[i]) + 1;
	assert_non_null(out = calloc(1, len));
	for (i = 0; i < names.n; i++) {
		if (i > 0)
			strcat(out, " ");
		strcat(out, names.v[i]);
	}
	strlist_free(&names);
	return out;
}

/* dnsmasq's files written into a fresh folder for cfg, with a file of
 * every host there already (as an instance without sites left them). */
static char *
written(const struct config *cfg)
{
	char *dd, *p, err[256];
	size_t i;

	assert_int_equal(asprintf(&dd, "%s/dq%d", dir, seq) > 0, 1);
	assert_int_equal(asprintf(&p, "%s/hosts.d", dd) > 0, 1);
	assert_int_equal(util_mkdirs(p, 0755), 0);
	for (i = 0; i < cfg->nhosts; i++)
		free(unit_write(p, cfg->hosts[i].name, "stale\n"));
	free(p);
	assert_int_equal(dnsmasq_write_files(cfg, dd, NULL, err,
	    sizeof(err)), 0);
	p = hosts_d(dd);
	free(dd);
	return p;
}

static void
dnsmasq_lists_its_own_sites_hosts_only(void **state)
{
	struct config *cfg;
	char *names;

	(void)state;
	cfg = load("east");
	names = written(cfg);
	/* e1 by its pool, x1 by its own key; not west's, not n1 (no site) */
	assert_string_equal(names, "e1 x1");
	free(names);
	config_free(cfg);

	cfg = load("west");
	names = written(cfg);
	assert_string_equal(names, "w1 w2");
	free(names);
	config_free(cfg);

	/* no [server] site: every host, as before sites */
	cfg = load(NULL);
	names = written(cfg);
	assert_string_equal(names, "e1 n1 w1 w2 x1");
	free(names);
	config_free(cfg);
}

static void
which_hosts_get_files(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = load("west");
	assert_false(site_files_host(cfg, config_host(cfg, "e1")));
	assert_false(site_files_host(cfg, config_host(cfg, "x1")));
	assert_false(site_files_host(cfg, config_host(cfg, "n1")));
	assert_true(site_files_host(cfg, config_host(cfg, "w1")));
	config_free(cfg);
	cfg = load(NULL);
	assert_true(site_files_host(cfg, config_host(cfg, "e1")));
	assert_true(site_files_host(cfg, config_host(cfg, "n1")));
	config_free(cfg);
}

static void
another_sites_per_mac_files_are_dropped(void **state)
{
	struct config *cfg;
	const struct host *e1, *w1;
	char *pe, *ge, *pw, *p;

	(void)state;
	cfg = load("west");
	e1 = config_host(cfg, "e1");
	w1 = config_host(cfg, "w1");
	assert_int_equal(asprintf(&p, "%s/pxelinux.cfg", cfg->tftp_root) > 0,
	    1);
	assert_int_equal(util_mkdirs(p, 0755), 0);
	free(p);
	assert_int_equal(asprintf(&p, "%s/grub/hosts", cfg->tftp_root) > 0,
	    1);
	assert_int_equal(util_mkdirs(p, 0755), 0);
	free(p);
	assert_non_null(pe = tftp_pxe_path(cfg, e1));
	assert_non_null(ge = tftp_grub_path(cfg, e1));
	assert_non_null(pw = tftp_pxe_path(cfg, w1));
	free(unit_write("/", pe, "default install\n"));
	free(unit_write("/", ge, "menuentry install {}\n"));
	free(unit_write("/", pw, "default local\n"));
	assert_int_equal(site_files_drop(cfg, e1), 0);
	assert_int_equal(access(pe, F_OK), -1);
	assert_int_equal(access(ge, F_OK), -1);
	/* nothing there: fine, and nobody else's file is touched */
	assert_int_equal(site_files_drop(cfg, e1), 0);
	assert_int_equal(access(pw, F_OK), 0);
	free(pe);
	free(ge);
	free(pw);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dnsmasq_lists_its_own_sites_hosts_only),
		cmocka_unit_test(which_hosts_get_files),
		cmocka_unit_test(another_sites_per_mac_files_are_dropped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
