/* test_config.c — the configuration and inventory, as an operator writes
 * it: what is accepted, and that every mistake is reported with its file
 * and line. */
#include "unit.h"

#include <crypt.h>
#include <sys/stat.h>

#include "config.h"
#include "util.h"

static char *dir;	/* scratch folder with a repo, secrets, templates */

static const char *GOOD_HEAD =
    "[server]\n"
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
    "repo = xs82\n";

static int
setup(void **state)
{
	char *p;

	(void)state;
	dir = unit_tmpdir();
	assert_non_null(dir);
	assert_int_equal(unit_repo(dir, 1), 0);
	assert_int_equal(unit_secret(dir, "pool.pw", "secret\n"), 0);
	assert_int_equal(unit_secret(dir, "root.pw", "hunter2\n"), 0);
	/* config_load looks for templates next to the binary or in
	 * template_dir; an empty folder is enough for loading. */
	assert_int_equal(asprintf(&p, "%s/tpl", dir) > 0, 1);
	assert_int_equal(util_mkdirs(p, 0755), 0);
	free(p);
	return 0;
}

/* Writes head + body as dir/NAME.conf and loads it. */
static int
load(const char *body, struct config **cfg, struct strlist *errs)
{
	char *text, *path;
	int ret;

	/* GOOD_HEAD starts with "[server]\n": add template_dir after it */
	assert_int_equal(asprintf(&text, "[server]\ntemplate_dir = tpl\n%s%s",
	    GOOD_HEAD + strlen("[server]\n"), body) > 0, 1);
	path = unit_write(dir, "t.conf", text);
	free(text);
	ret = config_load(path, cfg, errs, NULL);
	free(path);
	return ret;
}

/* The line number of "needle" in the last written config (1-based). */
static int
line_of(const char *needle)
{
	char *path, *text, *p;
	int line = 1;

	assert_int_equal(asprintf(&path, "%s/t.conf", dir) > 0, 1);
	text = util_read_file(path, 1 << 20, NULL);
	assert_non_null(text);
	p = strstr(text, needle);
	assert_non_null(p);
	for (char *q = text; q < p; q++)
		if (*q == '\n')
			line++;
	free(text);
	free(path);
	return line;
}

/* Asserts that errs has a message "t.conf:LINE: ...needle..." */
static void
assert_error_at(struct strlist *errs, int line, const char *needle)
{
	char prefix[64];
	size_t i;

	snprintf(prefix, sizeof(prefix), "t.conf:%d: ", line);
	for (i = 0; i < errs->n; i++)
		if (strstr(errs->v[i], prefix) != NULL &&
		    strstr(errs->v[i], needle) != NULL)
			return;
	for (i = 0; i < errs->n; i++)
		fprintf(stderr, "# got: %s\n", errs->v[i]);
	fail_msg("no error at line %d containing '%s'", line, needle);
}

static void
test_mac_forms(void **state)
{
	char out[18];
	const char *why;

	(void)state;
	assert_int_equal(util_mac_parse("52:54:00:AB:cd:01", out, &why), 0);
	assert_string_equal(out, "52:54:00:ab:cd:01");
	assert_int_equal(util_mac_parse("52-54-00-ab-cd-01", out, &why), 0);
	assert_string_equal(out, "52:54:00:ab:cd:01");
	assert_int_equal(util_mac_parse("5254.00ab.cd01", out, &why), 0);
	assert_string_equal(out, "52:54:00:ab:cd:01");
	assert_int_equal(util_mac_parse("525400abcd01", out, &why), 0);
	assert_string_equal(out, "52:54:00:ab:cd:01");

	assert_int_equal(util_mac_parse("52:54:00:ab:cd", out, &why), -1);
	assert_int_equal(util_mac_parse("52:54-00:ab:cd:01", out, &why), -1);
	assert_int_equal(util_mac_parse("52:54:00:ab:cd:0g", out, &why), -1);
	assert_int_equal(util_mac_parse("", out, &why), -1);
	assert_int_equal(util_mac_parse("00:00:00:00:00:00", out, &why), -1);
	assert_non_null(strstr(why, "zero"));
	assert_int_equal(util_mac_parse("ff:ff:ff:ff:ff:ff", out, &why), -1);
	assert_non_null(strstr(why, "multicast"));
	assert_int_equal(util_mac_parse("01:00:5e:00:00:01", out, &why), -1);

	{
		char pxe[21];

		util_mac_pxe_name("52:54:00:ab:cd:01", pxe);
		assert_string_equal(pxe, "01-52-54-00-ab-cd-01");
	}
}

/* [pool] xapi_timeout: 30 s by default, an admin request's XAPI budget
 * 4 times that; out of range is an error at its line. */
static void
test_pool_xapi_timeout(void **state)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;

	(void)state;
	assert_int_equal(load("", &cfg, &errs), 0);
	assert_int_equal(config_pool(cfg, "poolA")->xapi_timeout, 30);
	assert_int_equal(config_pool_request_s(config_pool(cfg, "poolA")),
	    120);
	config_free(cfg);
	cfg = NULL;
	assert_int_equal(load("xapi_timeout = 5\n", &cfg, &errs), 0);
	assert_int_equal(config_pool(cfg, "poolA")->xapi_timeout, 5);
	config_free(cfg);
	cfg = NULL;
	assert_int_equal(load("xapi_timeout = 0\n", &cfg, &errs), -1);
	assert_error_at(&errs, line_of("xapi_timeout"), "xapi_timeout: '0' "
	    "is not a number from 1 to 600");
	config_free(cfg);
	strlist_free(&errs);
}

static void
test_good_inventory(void **state)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	struct host *h, *n;

	(void)state;
	assert_int_equal(load(
	    "[defaults]\ntimezone = Europe/Berlin\nntp = ntp1.example.com, "
	    "10.0.0.9\nroot_password_file = root.pw\n\n"
	    "[host h1]\npool = poolA\nmac = 52:54:00:00:00:01\ndisk = sda\n\n"
	    "[host new1]\nmode = fresh\nmac = 5254.0000.0002\ndisk = nvme0n1\n"
	    "ip = 10.0.0.21/24\ngateway = 10.0.0.1\ndns = 10.0.0.2 10.0.0.3\n"
	    "hostname = new1.example.com\nserial_console = com2,57600\n"
	    "kernel_args = dom0_mem=4096M noquiet\n", &cfg, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_string_equal(cfg->public_url, "http://10.0.0.5:8080");
	assert_string_equal(cfg->listen_addr, "127.0.0.1");
	assert_int_equal(cfg->listen_port, 8080);
	assert_int_equal(cfg->boot_attempts, 3);
	assert_int_equal(cfg->boot_files, BOOT_FILES_TFTP);
	/* relative paths are relative to the config file's folder */
	assert_non_null(strstr(cfg->state_dir, dir));
	assert_non_null(strstr(cfg->admin_token_file, "state/admin.token"));
	assert_int_equal(cfg->nrepos, 1);
	assert_string_equal(cfg->repos[0].product_version, "8.2.1");
	assert_string_equal(cfg->repos[0].product_brand, "XCP-ng");

	h = config_host(cfg, "h1");
	assert_non_null(h);
	assert_int_equal(h->mode, MODE_UPGRADE);	/* default */
	assert_ptr_equal(h->pool, config_pool(cfg, "poolA"));
	assert_ptr_equal(h->repo, config_repo(cfg, "xs82"));
	assert_string_equal(h->timezone, "Europe/Berlin");	/* [defaults] */
	assert_string_equal(h->keymap, "us");
	assert_int_equal(h->ntp.n, 2);

	n = config_host_by_mac(cfg, "52-54-00-00-00-02");
	assert_non_null(n);
	assert_string_equal(n->name, "new1");
	assert_int_equal(n->mode, MODE_FRESH);
	assert_string_equal(n->ip, "10.0.0.21");
	assert_int_equal(n->prefix, 24);
	assert_string_equal(n->netmask, "255.255.255.0");
	assert_int_equal(n->dns.n, 2);
	assert_int_equal(n->serial_port, 2);
	assert_int_equal(n->serial_baud, 57600);
	assert_int_equal(n->kernel_args.n, 2);
	/* the root password is hashed with SHA-512 crypt; plaintext gone */
	assert_non_null(n->root_password_hash);
	assert_memory_equal(n->root_password_hash, "$6$", 3);
	assert_null(strstr(n->root_password_hash, "hunter2"));
	{
		struct crypt_data cd;

		memset(&cd, 0, sizeof(cd));
		assert_string_equal(crypt_r("hunter2", n->root_password_hash, &cd),
		    n->root_password_hash);
	}
	/* one hash per file: both hosts share it */
	assert_string_equal(h->root_password_hash, n->root_password_hash);
	config_free(cfg);
	strlist_free(&errs);
}

static void
test_every_error_has_its_line(void **state)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;

	(void)state;
	assert_int_equal(load(
	    "[host h1]\npool = poolA\nmac = 52:54:00:00:00:01\ndisk = sda\n"
	    "colour = blue\n"
	    "\n[host h2]\npool = nopool\nmac = 52:54:00:00:00:02\ndisk = sda\n"
	    "\n[host h3]\npool = poolA\nmac = 52:54:00:00:00:01\ndisk = sdb\n"
	    "\n[host h4]\npool = poolA\nmac = zz:54:00:00:00:04\ndisk = sda\n"
	    "\n[host h5]\nmode = fresh\nmac = 52:54:00:00:00:05\ndisk = sda\n"
	    "\n[host h6]\npool = poolA\nmac = 52:54:00:00:00:06\n"
	    "disk = sda extra=1\nkernel_args = quiet \"x=1\n"
	    "\n[host h7]\npool = poolA\nmac = 52:54:00:00:00:07\ndisk = sda\n"
	    "mode = destroy\nboot = now\n"
	    "\n[host h8]\npool = poolA\nmac = 52:54:00:00:00:08\ndisk = sda\n"
	    "kernel_args = answerfile=http://evil/\n"
	    "mac = 52:54:00:00:00:09\n"
	    "\n[frobnicate]\nx = 1\n", &cfg, &errs), -1);
	assert_null(cfg);
	assert_error_at(&errs, line_of("colour"), "unknown key 'colour'");
	assert_error_at(&errs, line_of("[host h2]"), "pool 'nopool' is not defined");
	assert_error_at(&errs, line_of("[host h3]"), "already used by [host h1]");
	assert_error_at(&errs, line_of("zz:54"), "not a MAC address");
	assert_error_at(&errs, line_of("[host h5]"), "hostname");
	assert_error_at(&errs, line_of("[host h5]"), "root_password_file");
	assert_error_at(&errs, line_of("disk = sda extra=1"), "not a device name");
	assert_error_at(&errs, line_of("kernel_args = quiet"), "not allowed");
	assert_error_at(&errs, line_of("mode = destroy"), "must be upgrade, fresh");
	assert_error_at(&errs, line_of("boot = now"), "unknown key 'boot'");
	assert_error_at(&errs, line_of("answerfile=http://evil"),
	    "set by poolboot itself");
	assert_error_at(&errs, line_of("mac = 52:54:00:00:00:09"), "duplicate key");
	assert_error_at(&errs, line_of("[frobnicate]"), "unknown section");
	config_free(cfg);
	strlist_free(&errs);
}

static void
test_network_identity_checks(void **state)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;

	(void)state;
	assert_int_equal(load(
	    "[host n1]\nmode = fresh\nmac = 52:54:00:00:01:01\ndisk = sda\n"
	    "hostname = n1\nroot_password_file = root.pw\nip = 10.0.0.21\n"
	    "\n[host n2]\nmode = reinstall\nmac = 52:54:00:00:01:02\ndisk = sda\n"
	    "hostname = bad_name<x>\nroot_password_file = root.pw\n"
	    "ip = 10.0.0.22/24\ngateway = 10.1.0.1\ndns = 10.0.0.2, nope\n"
	    "\n[host n3]\nmode = fresh\nmac = 52:54:00:00:01:03\ndisk = sda\n"
	    "hostname = n3\nroot_password_file = missing.pw\nip = 10.0.0.23/24\n"
	    "serial_console = lpt1\ntimezone = ../../etc\n", &cfg, &errs), -1);
	assert_error_at(&errs, line_of("ip = 10.0.0.21\n"), "prefix length");
	assert_error_at(&errs, line_of("bad_name<x>"), "not a valid host name");
	assert_error_at(&errs, line_of("gateway = 10.1.0.1"), "outside");
	assert_error_at(&errs, line_of("nope"), "'nope' is not an IP");
	assert_error_at(&errs, line_of("missing.pw"), "No such file");
	assert_error_at(&errs, line_of("[host n3]"), "needs 'gateway'");
	assert_error_at(&errs, line_of("[host n3]"), "needs 'dns'");
	assert_error_at(&errs, line_of("lpt1"), "serial_console");
	assert_error_at(&errs, line_of("../../etc"), "timezone");
	strlist_free(&errs);
}

static void
test_file_level_problems(void **state)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char longline[400];

	(void)state;
	/* an over-long line is reported, not cut in two */
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	{
		char *body;

		assert_int_equal(asprintf(&body, "[host h1]\npool = poolA\n"
		    "mac = 52:54:00:00:00:01\ndisk = sda\nkernel_args = %s\n"
		    "this line has no equals sign\n", longline) > 0, 1);
		assert_int_equal(load(body, &cfg, &errs), -1);
		free(body);
	}
	assert_error_at(&errs, line_of("kernel_args = aaa"), "line too long");
	assert_error_at(&errs, line_of("this line has"), "expected 'key = value'");
	strlist_free(&errs);

	/* an indented key is a key, not a continuation of the previous value */
	assert_int_equal(load("[host h1]\n  pool = poolA\n  mac = 52:54:00:00:00:01\n"
	    "  disk = sda\n", &cfg, &errs), 0);
	assert_string_equal(config_host(cfg, "h1")->mac, "52:54:00:00:00:01");
	config_free(cfg);
	strlist_free(&errs);

	/* a repo that is not an unpacked ISO */
	{
		char *p;

		assert_int_equal(asprintf(&p, "%s/notiso", dir) > 0, 1);
		assert_int_equal(util_mkdirs(p, 0755), 0);
		free(p);
	}
	assert_int_equal(load("[repo bad]\npath = notiso\n", &cfg, &errs), -1);
	assert_error_at(&errs, line_of("path = notiso"), "lacks boot/xen.gz");
	strlist_free(&errs);

	/* a missing file */
	assert_int_equal(config_load("/nonexistent/poolboot.conf", &cfg, &errs,
	    NULL), -1);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.v[0], "/nonexistent/poolboot.conf"));
	strlist_free(&errs);
}

static void
test_server_section(void **state)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char *path;

	(void)state;
	path = unit_write(dir, "t.conf", "[server]\nlisten = nowhere\n"
	    "public_url = http://x y/\nboot_attempts = 0\nboot_files = ftp\n"
	    "template_dir = tpl\n");
	assert_int_equal(config_load(path, &cfg, &errs, NULL), -1);
	assert_error_at(&errs, 2, "listen");
	assert_error_at(&errs, 3, "public_url");
	assert_error_at(&errs, 4, "boot_attempts");
	assert_error_at(&errs, 5, "boot_files");
	strlist_free(&errs);

	path = (free(path), unit_write(dir, "t.conf", "[server]\nlisten = [::1]:9090\n"
	    "template_dir = tpl\n"));
	assert_int_equal(config_load(path, &cfg, &errs, NULL), -1);
	assert_error_at(&errs, 1, "'public_url' is required");
	strlist_free(&errs);

	path = (free(path), unit_write(dir, "t.conf", "[server]\nlisten = [::1]:9090\n"
	    "public_url = http://[fd00::5]:9090\ntemplate_dir = tpl\nboot_files = http\n"));
	assert_int_equal(config_load(path, &cfg, &errs, NULL), 0);
	assert_string_equal(cfg->listen_addr, "::1");
	assert_int_equal(cfg->listen_port, 9090);
	assert_int_equal(cfg->boot_files, BOOT_FILES_HTTP);
	config_free(cfg);
	free(path);
}

/* [dnsmasq] lease_time: a unit letter alone ("s") was read one byte
 * before the value (ASan: heap-buffer-overflow in the lease check), and
 * two unit letters ("10hm") were taken for one. */
static void
test_dnsmasq_lease_time(void **state)
{
	static const struct { const char *v; int ok; } cases[] = {
		{ "s", 0 }, { "m", 0 }, { "h", 0 }, { "w", 0 }, { "hm", 0 },
		{ "10hm", 0 }, { "2mh", 0 }, { "1s", 0 }, { "119s", 0 },
		{ "-5m", 0 }, { "", 0 }, { "120", 1 }, { "2m", 1 },
		{ "1h", 1 }, { "7d", 1 }, { "1w", 1 }, { "infinite", 1 },
	};
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char *body;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(asprintf(&body, "[dnsmasq]\ndhcp = full\n"
		    "interface = br0\n"
		    "range = 10.0.0.100,10.0.0.150,255.255.255.0\n"
		    "lease_time = %s\n", cases[i].v) > 0, 1);
		if (load(body, &cfg, &errs) == 0) {
			if (!cases[i].ok)
				fail_msg("lease_time = '%s' was accepted",
				    cases[i].v);
			assert_string_equal(cfg->dnsmasq.lease_time,
			    cases[i].v);
			config_free(cfg);
			cfg = NULL;
		} else {
			if (cases[i].ok)
				fail_msg("lease_time = '%s' was refused",
				    cases[i].v);
			assert_error_at(&errs, line_of("lease_time ="),
			    "lease_time");
		}
		strlist_free(&errs);
		free(body);
	}
}

/* config_load_text (what the config fuzzer loads through) reads text
 * from memory exactly as config_load reads a file: the same values, the
 * same problems, named after the name it is given, relative paths from
 * the folder it is given. */
static void
test_load_from_memory(void **state)
{
	struct strlist errs = { 0 }, ferrs = { 0 };
	struct config *cfg = NULL, *fcfg = NULL;
	char *text, *path;
	size_t i;

	(void)state;
	assert_int_equal(asprintf(&text, "[server]\ntemplate_dir = tpl\n%s"
	    "[host h1]\npool = poolA\nmac = 52:54:00:00:00:01\ndisk = sda\n",
	    GOOD_HEAD + strlen("[server]\n")) > 0, 1);
	assert_int_equal(config_load_text("t.conf", dir, text, strlen(text),
	    &cfg, &errs, NULL), 0);
	assert_int_equal(errs.n, 0);
	assert_string_equal(cfg->path, "t.conf");
	assert_string_equal(cfg->dir, dir);
	assert_int_equal(cfg->nhosts, 1);
	assert_string_equal(cfg->hosts[0].mac, "52:54:00:00:00:01");
	assert_string_equal(cfg->repos[0].product_version, "8.2.1");
	assert_non_null(strstr(cfg->pools[0].password_file, dir));
	config_free(cfg);
	free(text);

	/* problems: the same lines as from a file, with the given name; the
	 * text need not end in a newline, nor in a NUL past len */
	text = strdup("[server]\npublic_url = ftp://x\nnope = 1\n[host h1]\n"
	    "mac = zz XXXX");
	assert_int_equal(config_load_text("t.conf", dir, text,
	    strlen(text) - 5, &cfg, &errs, NULL), -1);
	assert_null(cfg);
	text[strlen(text) - 5] = '\0';
	path = unit_write(dir, "t.conf", text);
	assert_int_equal(config_load(path, &fcfg, &ferrs, NULL), -1);
	assert_int_equal(errs.n, ferrs.n);
	for (i = 0; i < errs.n; i++) {
		assert_int_equal(strncmp(errs.v[i], "t.conf:", 7), 0);
		assert_non_null(strstr(ferrs.v[i], errs.v[i]));
	}
	assert_error_at(&errs, 2, "public_url");
	assert_error_at(&errs, 5, "zz");
	strlist_free(&errs);
	strlist_free(&ferrs);
	free(path);
	free(text);

	/* empty text: one problem, no [server] */
	assert_int_equal(config_load_text("t.conf", dir, "", 0, &cfg, &errs,
	    NULL), -1);
	assert_true(errs.n >= 1);
	strlist_free(&errs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_forms),
		cmocka_unit_test(test_good_inventory),
		cmocka_unit_test(test_pool_xapi_timeout),
		cmocka_unit_test(test_every_error_has_its_line),
		cmocka_unit_test(test_network_identity_checks),
		cmocka_unit_test(test_file_level_problems),
		cmocka_unit_test(test_server_section),
		cmocka_unit_test(test_dnsmasq_lease_time),
		cmocka_unit_test(test_load_from_memory),
	};

	return cmocka_run_group_tests_name("config", tests, setup, NULL);
}
