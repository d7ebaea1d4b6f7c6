/* test_repo_mirror.c — the pure parts of repos from mirrors: the url a
 * [repo] takes, .treeinfo's version and [checksums], the keys' errors
 * with their lines, and that an in-memory or read-only load takes the
 * cache's .treeinfo without the network (tests/integration/test_mirror.py
 * runs a real mirror). */
#include "unit.h"

#include "config.h"
#include "repo.h"
#include "repo_mirror.h"
#include "util.h"

/* a port nothing listens on: connect fails at once */
#define DEAD_URL "http://127.0.0.1:1/xcp/"

static char *dir;

static int
setup(void **state)
{
	char *p;

	(void)state;
	dir = unit_tmpdir();
	assert_non_null(dir);
	assert_int_equal(unit_repo(dir, 0), 0);
	assert_int_equal(asprintf(&p, "%s/tpl", dir) > 0, 1);
	assert_int_equal(util_mkdirs(p, 0755), 0);
	free(p);
	return 0;
}

static void
test_url_forms(void **state)
{
	const char *why = NULL;
	char *u = NULL;

	(void)state;
	assert_int_equal(repo_mirror_url("http://mirror/xcp-ng/8.3", &u,
	    &why), 0);
	assert_string_equal(u, "http://mirror/xcp-ng/8.3/");
	free(u);
	assert_int_equal(repo_mirror_url("HTTPS://m.example:8443/x/", &u,
	    &why), 0);
	assert_string_equal(u, "HTTPS://m.example:8443/x/");
	free(u);
	assert_int_equal(repo_mirror_url("ftp://mirror/x/", &u, &why), -1);
	assert_null(u);
	assert_non_null(strstr(why, "http:// or https://"));
	assert_int_equal(repo_mirror_url("http://", &u, &why), -1);
	assert_non_null(strstr(why, "no host"));
	assert_int_equal(repo_mirror_url("http:///x", &u, &why), -1);
	assert_int_equal(repo_mirror_url("http://m/x y/", &u, &why), -1);
	assert_int_equal(repo_mirror_url("http://m/x\"/", &u, &why), -1);
	assert_int_equal(repo_mirror_url("http://m/x/?a=1", &u, &why), -1);
	assert_int_equal(repo_mirror_url("http://m/x/#f", &u, &why), -1);
}

static void
test_treeinfo_sha256(void **state)
{
	static const char *ti =
	    "[branding]\nname = XCP-ng\nversion = 8.3.0\n"
	    "[checksums]\n"
	    "install.img = sha256:ABCDEF0123456789abcdef0123456789"
	    "abcdef0123456789abcdef0123456789\n"
	    "boot/vmlinuz = md5:0123456789abcdef0123456789abcdef\n"
	    "boot/xen.gz = sha256:1234\n"
	    "[other]\nimages/boot.iso = sha256:00\n";
	char hex[65];

	(void)state;
	assert_int_equal(repo_treeinfo_sha256(ti, "install.img", hex), 1);
	assert_string_equal(hex, "abcdef0123456789abcdef0123456789"
	    "abcdef0123456789abcdef0123456789");
	/* another algorithm: nothing to check against */
	assert_int_equal(repo_treeinfo_sha256(ti, "boot/vmlinuz", hex), 0);
	assert_string_equal(hex, "");
	assert_int_equal(repo_treeinfo_sha256(ti, "boot/xen.gz", hex), -1);
	assert_int_equal(repo_treeinfo_sha256(ti, "images/boot.iso", hex), 0);
	assert_int_equal(repo_treeinfo_sha256(NULL, "install.img", hex), 0);
}

static void
test_treeinfo_parse(void **state)
{
	struct repo r = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(repo_treeinfo_parse(&r, "[branding]\nname = XCP-ng\n"
	    "version = 8.2.1\n[system-v1]\nproduct_name = XenServer\n"
	    "product_version = 8.4.0\n[build]\nnumber = b1\n", "t", err,
	    sizeof(err)), 0);
	assert_string_equal(r.product_brand, "XenServer");
	assert_string_equal(r.product_version, "8.4.0");
	assert_string_equal(r.build_number, "b1");
	repo_free(&r);
	memset(&r, 0, sizeof(r));
	assert_int_equal(repo_treeinfo_parse(&r, "[branding]\nname = XCP-ng\n",
	    "http://m/x/.treeinfo", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "http://m/x/.treeinfo names no product "
	    "version"));
	repo_free(&r);
	memset(&r, 0, sizeof(r));
	assert_int_equal(repo_treeinfo_parse(&r, "<html>404</html>\n", "t",
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an INI file"));
	repo_free(&r);
}

/* "[server]...[repo m]" + keys; the repo section starts on line 6. */
static int
load_repo(const char *keys, struct config **cfg, struct strlist *errs,
    struct strlist *warns)
{
	char *text;
	int ret;

	assert_int_equal(asprintf(&text, "[server]\npublic_url = "
	    "http://10.0.0.5:8080\nstate_dir = state\ntftp_root = tftp\n"
	    "template_dir = tpl\n[repo m]\n%s", keys) > 0, 1);
	ret = config_load_text("t.conf", dir, text, strlen(text), cfg, errs,
	    warns);
	free(text);
	return ret;
}

static int
has(const struct strlist *l, const char *needle)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strstr(l->v[i], needle) != NULL)
			return 1;
	for (i = 0; i < l->n; i++)
		fprintf(stderr, "# got: %s\n", l->v[i]);
	return 0;
}

static void
test_keys_errors(void **state)
{
	struct strlist errs = { 0 }, warns = { 0 };
	struct config *cfg = NULL;

	(void)state;
	assert_int_equal(load_repo("path = repo\nurl = " DEAD_URL "\n", &cfg,
	    &errs, &warns), -1);
	assert_true(has(&errs, "t.conf:7: [repo m]: 'path' and 'url' (line 8) "
	    "are both set"));
	strlist_free(&errs);
	assert_int_equal(load_repo("path = repo\nca_file = repo/.treeinfo\n",
	    &cfg, &errs, &warns), -1);
	assert_true(has(&errs, "t.conf:8: [repo m]: ca_file is only for a "
	    "repo with a url"));
	strlist_free(&errs);
	assert_int_equal(load_repo("url = mirror/xcp\n", &cfg, &errs, &warns),
	    -1);
	assert_true(has(&errs, "t.conf:7: [repo m]: url 'mirror/xcp' must "
	    "start with http:// or https://"));
	strlist_free(&errs);
	assert_int_equal(load_repo("url = " DEAD_URL "\nca_file = nope.pem\n",
	    &cfg, &errs, &warns), -1);
	assert_true(has(&errs, "t.conf:8: [repo m]: ca_file nope.pem cannot "
	    "be read"));
	strlist_free(&errs);
	/* in memory: the cache only, never the network */
	assert_int_equal(load_repo("url = " DEAD_URL "\n", &cfg, &errs,
	    &warns), -1);
	assert_true(has(&errs, "t.conf:7: [repo m]: mirror " DEAD_URL " not "
	    "read: an in-memory configuration only reads the cache"));
	strlist_free(&errs);
	strlist_free(&warns);
}

/* state/mirror/m/U (U: of url) as serve leaves it, the tree and its
 * record, which says it came from rec_url. */
static void
make_cache(const char *url, const char *rec_url, const char *treeinfo)
{
	static const char *const files[][2] = {
		{ "boot/xen.gz", "xen" }, { "boot/vmlinuz", "vmlinuz" },
		{ "install.img", "installimg" },
	};
	char *p, sha[65], u[65];
	FILE *f;
	size_t i;

	util_sha256_hex(url, u);
	u[12] = '\0';
	assert_int_equal(asprintf(&p, "%s/state/mirror/m/%s/tree/boot", dir,
	    u) > 0, 1);
	assert_int_equal(util_mkdirs(p, 0755), 0);
	free(p);
	assert_int_equal(asprintf(&p, "state/mirror/m/%s/tree/.treeinfo", u) >
	    0, 1);
	free(unit_write(dir, p, treeinfo));
	free(p);
	assert_int_equal(asprintf(&p, "%s/state/mirror/m/%s/files", dir, u) > 0,
	    1);
	assert_non_null(f = fopen(p, "w"));
	fprintf(f, "url %s\n", rec_url);
	for (i = 0; i < 3; i++) {
		char *rel;

		assert_int_equal(asprintf(&rel, "state/mirror/m/%s/tree/%s", u,
		    files[i][0]) > 0, 1);
		free(unit_write(dir, rel, files[i][1]));
		free(rel);
		util_sha256_hex(files[i][1], sha);
		fprintf(f, "%s %zu %s\n", sha, strlen(files[i][1]),
		    files[i][0]);
	}
	fclose(f);
	free(p);
}

static void
test_cache_read_without_network(void **state)
{
	struct strlist errs = { 0 }, warns = { 0 };
	struct config *cfg = NULL;
	char *conf, *want, u[65];

	(void)state;
	util_sha256_hex(DEAD_URL, u);
	u[12] = '\0';
	make_cache(DEAD_URL, DEAD_URL, "[branding]\nname = XCP-ng\n"
	    "version = 8.3.0\n");
	assert_int_equal(load_repo("url = " DEAD_URL "\n", &cfg, &errs,
	    &warns), 0);
	assert_string_equal(cfg->repos[0].url, DEAD_URL);
	assert_string_equal(cfg->repos[0].product_version, "8.3.0");
	assert_int_equal(asprintf(&want, "%s/state/mirror/m/%s/tree", dir, u) >
	    0, 1);
	assert_string_equal(cfg->repos[0].path, want);
	assert_int_equal(warns.n, 0);
	config_free(cfg);
	cfg = NULL;
	/* a read-only command (hosts, status) reads the cache, no warning */
	conf = unit_write(dir, "p.conf", "[server]\npublic_url = "
	    "http://10.0.0.5:8080\nstate_dir = state\ntftp_root = tftp\n"
	    "template_dir = tpl\n[repo m]\nurl = " DEAD_URL "\n");
	assert_int_equal(config_load_flags(conf, CONFIG_LOAD_NO_PASSWORDS,
	    &cfg, &errs, &warns), 0);
	assert_int_equal(warns.n, 0);
	config_free(cfg);
	cfg = NULL;
	/* check and serve ask the mirror: unreachable, the cache with a
	 * warning naming what failed */
	assert_int_equal(config_load(conf, &cfg, &errs, &warns), 0);
	assert_true(has(&warns, "p.conf:7: [repo m]: mirror " DEAD_URL
	    " cannot be reached (connect: "));
	assert_true(cfg->repos[0].offline);
	config_free(cfg);
	cfg = NULL;
	/* a record of another url is no cache of this one */
	make_cache(DEAD_URL, "http://other/", "[branding]\nversion = 8.3.0\n");
	assert_int_equal(config_load(conf, &cfg, &errs, &warns), -1);
	assert_true(has(&errs, "its boot files are not cached"));
	strlist_free(&errs);
	strlist_free(&warns);
	free(conf);
	free(want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_forms),
		cmocka_unit_test(test_treeinfo_sha256),
		cmocka_unit_test(test_treeinfo_parse),
		cmocka_unit_test(test_keys_errors),
		cmocka_unit_test(test_cache_read_without_network),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
