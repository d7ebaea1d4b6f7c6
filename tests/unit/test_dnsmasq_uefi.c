/* test_dnsmasq_uefi.c — one dnsmasq config for BIOS, UEFI PXE and UEFI
 * HTTP-boot clients side by side, picked by the client's architecture
 * (DHCP option 93): the exact lines of every mode combination, the
 * [dnsmasq] http_boot key, and the real dnsmasq --test accepting each
 * combination. (The DHCP answers themselves: tests/integration/
 * test_uefi_dhcp.py.) */
#include "unit.h"

#include <sys/stat.h>

#include "config.h"
#include "dnsmasq.h"
#include "util.h"

static char *dir;	/* scratch folder */
static char *tpl;	/* the project's templates/ */
static int seq;

static const char *HOSTS =
    "[host h1]\nmac = 52:54:00:00:00:01\ndisk = sda\n";

static int
setup(void **state)
{
	(void)state;
	dir = unit_tmpdir();
	assert_non_null(dir);
	assert_int_equal(unit_repo(dir, 0), 0);
	tpl = realpath("templates", NULL);
	assert_non_null(tpl);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unit_rmtree(dir);
	free(dir);
	free(tpl);
	return 0;
}

/* Loads [server] (public_url url, boot_files) + a repo + HOSTS + body from
 * a fresh dir/uN.conf; *name gets its base name. */
static int
load(const char *url, const char *boot_files, const char *body,
    struct config **cfg, struct strlist *errs, struct strlist *warns,
    char name[32])
{
	char *text, *path;
	int ret;

	snprintf(name, 32, "u%d.conf", ++seq);
	assert_int_equal(asprintf(&text, "[server]\ntemplate_dir = %s\n"
	    "public_url = %s\nstate_dir = state\ntftp_root = tftp\n"
	    "boot_files = %s\n\n[repo xs82]\npath = repo\n\n%s\n%s", tpl, url,
	    boot_files, HOSTS, body) > 0, 1);
	path = unit_write(dir, name, text);
	free(text);
	ret = config_load(path, cfg, errs, warns);
	free(path);
	return ret;
}

static struct config *
load_ok(const char *url, const char *boot_files, const char *body)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char name[32];
	size_t i;

	if (load(url, boot_files, body, &cfg, &errs, NULL, name) != 0) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "# %s\n", errs.v[i]);
		fail_msg("config refused");
	}
	strlist_free(&errs);
	return cfg;
}

static char *
conf_of(const struct config *cfg)
{
	char err[256], *dd, *conf;

	assert_int_equal(asprintf(&dd, "%s/dd%d", dir, ++seq) > 0, 1);
	conf = dnsmasq_render_conf(cfg, dd, err, sizeof(err));
	if (conf == NULL)
		fail_msg("render: %s", err);
	free(dd);
	return conf;
}

/* The lines of conf that start with prefix, each ending in '\n', in
 * order, comments left out. Caller frees. */
static char *
lines_with(const char *conf, const char *prefix)
{
	struct sbuf b = { .max = 1 << 16 };
	const char *p = conf, *e;
	char *out;

	for (; *p != '\0'; p = e + 1) {
		e = strchr(p, '\n');
		assert_non_null(e);
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			sbuf_append(&b, p, (size_t)(e - p) + 1);
	}
	out = sbuf_take(&b);
	assert_non_null(out);
	return out;
}

/* The boot lines of conf (dhcp-match, dhcp-boot, pxe-service,
 * dhcp-option-force, dhcp-pxe-vendor) must be exactly want. */
static void
assert_boot_lines(const char *conf, const char *want)
{
	static const char *prefixes[] = { "dhcp-match=", "dhcp-boot=",
	    "pxe-service=", "dhcp-option-force=", "dhcp-pxe-vendor=", NULL };
	struct sbuf b = { .max = 1 << 16 };
	const char *p = conf, *e;
	char *got;
	size_t i;

	for (; *p != '\0'; p = e + 1) {
		e = strchr(p, '\n');
		for (i = 0; prefixes[i] != NULL; i++)
			if (strncmp(p, prefixes[i], strlen(prefixes[i])) == 0)
				sbuf_append(&b, p, (size_t)(e - p) + 1);
	}
	got = sbuf_take(&b);
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("boot lines:\n%s\nwanted:\n%s", got, want);
	free(got);
}

#define FULL "[dnsmasq]\ndhcp = full\ninterface = br0\n" \
	"range = 10.200.0.100,10.200.0.150,255.255.255.0\n"
#define PROXY "[dnsmasq]\ninterface = br0\nrange = 10.200.0.0\n"
#define URL "http://10.200.0.1:8080"

/* Full DHCP: a tag per architecture, one dhcp-boot per tag; the BIOS line
 * matches BIOS clients only (no untagged dhcp-boot a UEFI client could
 * fall back to). */
static void
test_full_lines(void **state)
{
	struct config *cfg;
	char *conf;

	(void)state;
	cfg = load_ok(URL, "tftp", FULL);
	assert_int_equal(cfg->dnsmasq.http_boot, 1);
	assert_string_equal(cfg->dnsmasq.http_boot_url,
	    "http://10.200.0.1:8080/grub/grubx64.efi");
	conf = conf_of(cfg);
	assert_boot_lines(conf,
	    "dhcp-match=set:bios,option:client-arch,0\n"
	    "dhcp-match=set:efi-x64,option:client-arch,7\n"
	    "dhcp-match=set:efi-x64,option:client-arch,9\n"
	    "dhcp-boot=tag:bios,pxelinux.0\n"
	    "dhcp-boot=tag:efi-x64,grub/grubx64.efi\n"
	    "dhcp-match=set:efi-http,option:client-arch,16\n"
	    "dhcp-boot=tag:efi-http,http://10.200.0.1:8080/grub/grubx64.efi\n"
	    "dhcp-option-force=tag:efi-http,option:vendor-class,HTTPClient\n");
	free(conf);
	config_free(cfg);

	/* boot_files = http, TFTP elsewhere, HTTP boot off */
	cfg = load_ok(URL "/", "http", FULL "tftp = no\naddress = 10.200.0.9\n"
	    "http_boot = no\n");
	assert_int_equal(cfg->dnsmasq.http_boot, 0);
	assert_null(cfg->dnsmasq.http_boot_url);
	conf = conf_of(cfg);
	assert_boot_lines(conf,
	    "dhcp-match=set:bios,option:client-arch,0\n"
	    "dhcp-match=set:efi-x64,option:client-arch,7\n"
	    "dhcp-match=set:efi-x64,option:client-arch,9\n"
	    "dhcp-boot=tag:bios,lpxelinux.0,,10.200.0.9\n"
	    "dhcp-boot=tag:efi-x64,grub/grubx64.efi,,10.200.0.9\n");
	assert_non_null(strstr(conf, "\n# UEFI HTTP boot (option 93 = 16) is "
	    "off: http_boot = no in [dnsmasq]\n"));
	assert_null(strstr(conf, "HTTPClient"));
	free(conf);
	config_free(cfg);

	/* external: the same boot lines in the fragment */
	cfg = load_ok(URL, "tftp", "[dnsmasq]\nmode = external\ndhcp = full\n");
	conf = conf_of(cfg);
	assert_non_null(strstr(conf, "\ndhcp-boot=tag:efi-http,"
	    "http://10.200.0.1:8080/grub/grubx64.efi\n"));
	free(conf);
	config_free(cfg);
}

/* Proxy-DHCP: a PXE menu entry per CSA; UEFI PXE gets the image with the
 * TFTP server in its prefix, which keeps its name (it has a dot: PXE adds
 * no ".0"); HTTP boot through dhcp-pxe-vendor, with the plain image. */
static void
test_proxy_lines(void **state)
{
	struct config *cfg;
	char *conf, *rng;

	(void)state;
	cfg = load_ok(URL, "tftp", PROXY);
	conf = conf_of(cfg);
	assert_boot_lines(conf,
	    "pxe-service=x86PC,\"poolboot\",pxelinux\n"
	    "pxe-service=x86-64_EFI,\"poolboot\",grub/grubx64-proxy.efi\n"
	    "pxe-service=BC_EFI,\"poolboot\",grub/grubx64-proxy.efi\n"
	    "dhcp-pxe-vendor=PXEClient,HTTPClient\n"
	    "dhcp-match=set:efi-http,option:client-arch,16\n"
	    "dhcp-boot=tag:efi-http,http://10.200.0.1:8080/grub/grubx64.efi\n");
	rng = lines_with(conf, "dhcp-range=");
	assert_string_equal(rng, "dhcp-range=10.200.0.0,proxy\n");
	free(rng);
	free(conf);
	config_free(cfg);

	cfg = load_ok(URL, "http", PROXY "tftp = no\naddress = 10.200.0.9\n"
	    "http_boot = no\n");
	conf = conf_of(cfg);
	assert_boot_lines(conf,
	    "pxe-service=x86PC,\"poolboot\",lpxelinux,10.200.0.9\n"
	    "pxe-service=x86-64_EFI,\"poolboot\",grub/grubx64-proxy.efi,"
	    "10.200.0.9\n"
	    "pxe-service=BC_EFI,\"poolboot\",grub/grubx64-proxy.efi,"
	    "10.200.0.9\n");
	assert_non_null(strstr(conf, "is off: http_boot = no"));
	free(conf);
	config_free(cfg);
}

/* Line (1-based) of the first line starting with needle in dir/name. */
static int
line_of(const char *name, const char *needle)
{
	char *path, *text, *p;
	int line = 1;

	assert_int_equal(asprintf(&path, "%s/%s", dir, name) > 0, 1);
	text = util_read_file(path, 1 << 20, NULL);
	assert_non_null(text);
	for (p = text; *p != '\0'; p++) {
		if ((p == text || p[-1] == '\n') &&
		    strncmp(p, needle, strlen(needle)) == 0)
			break;
		if (*p == '\n')
			line++;
	}
	assert_true(*p != '\0');
	free(text);
	free(path);
	return line;
}

static int
has_msg(const struct strlist *l, const char *prefix, const char *needle)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strstr(l->v[i], prefix) != NULL &&
		    strstr(l->v[i], needle) != NULL)
			return 1;
	return 0;
}

/* http_boot is checked at load: a bad value, an explicit yes with an
 * https public_url (GRUB cannot follow) and a URL too long for a DHCP
 * answer are errors at their line; the default with https is a warning,
 * and the config says why HTTP boot is left out. */
static void
test_http_boot_key(void **state)
{
	struct strlist errs = { 0 }, warns = { 0 };
	struct config *cfg = NULL;
	char n[32], at[64], url[160], *conf;

	(void)state;
	assert_int_equal(load(URL, "tftp", PROXY "http_boot = maybe\n", &cfg,
	    &errs, NULL, n), -1);
	snprintf(at, sizeof(at), "%s:%d: ", n, line_of(n, "http_boot ="));
	assert_true(has_msg(&errs, at, "http_boot: 'maybe' must be yes"));
	strlist_free(&errs);

	assert_int_equal(load("https://10.200.0.1:8443", "tftp",
	    PROXY "http_boot = yes\n", &cfg, &errs, NULL, n), -1);
	snprintf(at, sizeof(at), "%s:%d: ", n, line_of(n, "http_boot ="));
	assert_true(has_msg(&errs, at, "http_boot = yes needs an http:// "
	    "public_url"));
	strlist_free(&errs);

	assert_int_equal(load("https://10.200.0.1:8443", "tftp", FULL, &cfg,
	    &errs, &warns, n), 0);
	snprintf(at, sizeof(at), "%s:%d: ", n, line_of(n, "[dnsmasq]"));
	assert_true(has_msg(&warns, at, "UEFI HTTP boot is left out"));
	assert_int_equal(cfg->dnsmasq.http_boot, 0);
	conf = conf_of(cfg);
	assert_null(strstr(conf, "efi-http"));
	assert_non_null(strstr(conf, "is off: public_url is not http://"));
	assert_non_null(strstr(conf, "\ndhcp-boot=tag:efi-x64,"
	    "grub/grubx64.efi\n"));
	free(conf);
	config_free(cfg);
	strlist_free(&warns);

	/* https and http_boot = no: nothing to warn about */
	assert_int_equal(load("https://10.200.0.1:8443", "tftp",
	    FULL "http_boot = no\n", &cfg, &errs, &warns, n), 0);
	assert_false(has_msg(&warns, "", "HTTP boot"));
	config_free(cfg);
	strlist_free(&warns);

	/* 127 characters fit the DHCP file field, 128 do not */
	snprintf(url, sizeof(url), "http://10.200.0.1:8080/%0*d",
	    127 - 23 - 17, 0);
	cfg = load_ok(url, "tftp", PROXY);
	assert_int_equal(strlen(cfg->dnsmasq.http_boot_url), 127);
	config_free(cfg);
	snprintf(url, sizeof(url), "http://10.200.0.1:8080/%0*d",
	    128 - 23 - 17, 0);
	assert_int_equal(load(url, "tftp", PROXY, &cfg, &errs, NULL, n), -1);
	assert_true(has_msg(&errs, "", "longer than the 127 characters"));
	strlist_free(&errs);
}

/* Every combination poolboot can write is accepted by the real dnsmasq
 * (when it is installed): mode, DHCP kind, TFTP, HTTP boot, boot files. */
static void
test_dnsmasq_accepts_every_combination(void **state)
{
	static const char *modes[] = { "managed", "external" };
	static const char *dhcps[] = { "proxy", "full" };
	static const char *yn[] = { "yes", "no" };
	static const char *bfs[] = { "tftp", "http" };
	struct config *cfg;
	char body[512], err[256], msg[4096], *dd;
	int m, d, t, h, bf, rc, tested = 0;

	(void)state;
	for (m = 0; m < 2; m++)
	for (d = 0; d < 2; d++)
	for (t = 0; t < 2; t++)
	for (h = 0; h < 2; h++)
	for (bf = 0; bf < 2; bf++) {
		snprintf(body, sizeof(body), "[dnsmasq]\nmode = %s\ndhcp = %s\n"
		    "interface = br0\nrange = %s\ntftp = %s\n"
		    "address = 10.200.0.9\nhttp_boot = %s\nipv6_ra = fd00::\n",
		    modes[m], dhcps[d], d ? "10.200.0.100,10.200.0.150,"
		    "255.255.255.0" : "10.200.0.0", yn[t], yn[h]);
		cfg = load_ok(URL, bfs[bf], body);
		assert_int_equal(asprintf(&dd, "%s/combo%d", dir, ++seq) > 0,
		    1);
		assert_int_equal(dnsmasq_write_files(cfg, dd, NULL, err,
		    sizeof(err)), 0);
		rc = dnsmasq_test(cfg, dd, msg, sizeof(msg));
		if (rc == DNSMASQ_TEST_NOBINARY) {
			fprintf(stderr, "# no dnsmasq here: %s\n", msg);
			free(dd);
			config_free(cfg);
			return;
		}
		if (rc != DNSMASQ_TEST_OK)
			fail_msg("dnsmasq refuses %s: %s", body, msg);
		tested++;
		free(dd);
		config_free(cfg);
	}
	assert_int_equal(tested, 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_lines),
		cmocka_unit_test(test_proxy_lines),
		cmocka_unit_test(test_http_boot_key),
		cmocka_unit_test(test_dnsmasq_accepts_every_combination),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
