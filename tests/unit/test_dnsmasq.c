/* test_dnsmasq.c — the [dnsmasq] section as an operator writes it, the
 * dnsmasq config and hostsdir files poolboot writes from it, dnsmasq
 * --test, and the supervisor that keeps dnsmasq running. (init-tftp:
 * test_tftp.c.) */
#include "unit.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "config.h"
#include "dnsmasq.h"
#include "util.h"

static char *dir;	/* scratch folder: repo, secrets, fake binaries */
static char *tpl;	/* the project's templates/ (tests run from the root) */
static int seq;

static const char *HOSTS =
    "[host h1]\n"
    "mac = 52:54:00:00:00:01\n"
    "disk = sda\n"
    "\n"
    "[host new1]\n"
    "mode = fresh\n"
    "mac = 52:54:00:00:00:03\n"
    "disk = sda\n"
    "ip = 10.200.0.21/24\n"
    "gateway = 10.200.0.1\n"
    "dns = 10.200.0.2\n"
    "hostname = new1.example.com\n"
    "root_password_file = root.pw\n";

static int
setup(void **state)
{
	(void)state;
	dir = unit_tmpdir();
	assert_non_null(dir);
	assert_int_equal(unit_repo(dir, 0), 0);
	assert_int_equal(unit_secret(dir, "root.pw", "hunter2\n"), 0);
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

/* Writes [server] + extra_server + repo + hosts + body as a fresh
 * dir/tN.conf and loads it; *name gets the file's base name. */
static int
load(const char *extra_server, const char *hosts, const char *body,
    struct config **cfg, struct strlist *errs, struct strlist *warns,
    char name[32])
{
	char *text, *path;
	int ret;

	snprintf(name, 32, "t%d.conf", ++seq);
	assert_int_equal(asprintf(&text, "[server]\n"
	    "template_dir = %s\n"
	    "public_url = http://10.200.0.1:8080\n"
	    "state_dir = state\n"
	    "tftp_root = tftp\n"
	    "%s\n"
	    "[repo xs82]\n"
	    "path = repo\n\n%s\n%s", tpl, extra_server, hosts,
	    body) > 0, 1);
	path = unit_write(dir, name, text);
	free(text);
	ret = config_load(path, cfg, errs, warns);
	free(path);
	return ret;
}

static struct config *
load_ok(const char *extra_server, const char *hosts, const char *body)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char name[32];
	size_t i;

	if (load(extra_server, hosts, body, &cfg, &errs, NULL, name) != 0) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "# %s\n", errs.v[i]);
		fail_msg("config refused");
	}
	strlist_free(&errs);
	return cfg;
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

static void
assert_error_at(struct strlist *errs, const char *name, int line,
    const char *needle)
{
	char prefix[64];
	size_t i;

	snprintf(prefix, sizeof(prefix), "%s:%d: ", name, line);
	for (i = 0; i < errs->n; i++)
		if (strstr(errs->v[i], prefix) != NULL &&
		    strstr(errs->v[i], needle) != NULL)
			return;
	for (i = 0; i < errs->n; i++)
		fprintf(stderr, "# got: %s\n", errs->v[i]);
	fail_msg("no error at %s:%d containing '%s'", name, line, needle);
}

/* Each bad value is reported at its own line, all in one load. */
static void
test_config_errors_have_lines(void **state)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char n[32];

	(void)state;
	assert_int_equal(load("", HOSTS,
	    "[dnsmasq]\n"
	    "mode = supervised\n"
	    "dhcp = half\n"
	    "interface = br0 dhcp-script=/bin/sh\n"
	    "address = 10.200.0.256\n"
	    "range = 10.200.0.150,10.200.0.100\n"
	    "lease_time = 1m\n"
	    "tftp = maybe\n"
	    "ping_check = sometimes\n"
	    "ipv6_ra = fd00:200::/48\n"
	    "binary = dnsmasq --conf-file=/etc/evil\n"
	    "colour = blue\n", &cfg, &errs, NULL, n), -1);
	assert_null(cfg);
	assert_error_at(&errs, n, line_of(n, "mode = supervised"), "managed");
	assert_error_at(&errs, n, line_of(n, "dhcp ="), "'half'");
	assert_error_at(&errs, n, line_of(n, "interface ="), "not a network "
	    "interface name");
	assert_error_at(&errs, n, line_of(n, "address ="), "not an IPv4");
	assert_error_at(&errs, n, line_of(n, "lease_time ="), "at least 2 "
	    "minutes");
	assert_error_at(&errs, n, line_of(n, "tftp ="), "yes or no");
	assert_error_at(&errs, n, line_of(n, "ping_check ="), "yes or no");
	assert_error_at(&errs, n, line_of(n, "ipv6_ra ="), "/64");
	assert_error_at(&errs, n, line_of(n, "binary ="), "program");
	assert_error_at(&errs, n, line_of(n, "colour ="), "unknown key "
	    "'colour' in [dnsmasq]");
	strlist_free(&errs);

	/* full DHCP: the range must be a real range in one subnet */
	assert_int_equal(load("", HOSTS,
	    "[dnsmasq]\n"
	    "dhcp = full\n"
	    "interface = br0\n"
	    "range = 10.200.0.150,10.200.0.100,255.255.255.0\n",
	    &cfg, &errs, NULL, n), -1);
	assert_error_at(&errs, n, line_of(n, "range ="), "comes after");
	strlist_free(&errs);
	assert_int_equal(load("", HOSTS,
	    "[dnsmasq]\n"
	    "dhcp = full\n"
	    "interface = br0\n"
	    "range = 10.200.0.100,10.200.1.150,255.255.255.0\n",
	    &cfg, &errs, NULL, n), -1);
	assert_error_at(&errs, n, line_of(n, "range ="), "not in one subnet");
	strlist_free(&errs);
	assert_int_equal(load("", HOSTS,
	    "[dnsmasq]\n"
	    "dhcp = full\n"
	    "interface = br0\n"
	    "range = 10.200.0.100,10.200.0.150,255.0.255.0\n",
	    &cfg, &errs, NULL, n), -1);
	assert_error_at(&errs, n, line_of(n, "range ="), "not a netmask");
	strlist_free(&errs);
	assert_int_equal(load("", HOSTS,
	    "[dnsmasq]\n"
	    "interface = br0\n"
	    "range = 10.200.0.7,255.255.255.0\n",
	    &cfg, &errs, NULL, n), -1);
	assert_error_at(&errs, n, line_of(n, "range ="), "not a subnet address");
	strlist_free(&errs);

	/* managed needs interface and range: reported at the section */
	assert_int_equal(load("", HOSTS, "[dnsmasq]\nmode = managed\n", &cfg,
	    &errs, NULL, n), -1);
	assert_error_at(&errs, n, line_of(n, "[dnsmasq]"), "'interface' is "
	    "required");
	assert_error_at(&errs, n, line_of(n, "[dnsmasq]"), "'range' is "
	    "required");
	strlist_free(&errs);

	/* one [dnsmasq] only, and it takes no name */
	assert_int_equal(load("", HOSTS, "[dnsmasq]\nmode = external\n"
	    "[dnsmasq]\nmode = external\n[dnsmasq x]\n", &cfg, &errs, NULL, n),
	    -1);
	assert_error_at(&errs, n, 1 + line_of(n, "mode = external"),
	    "duplicate section [dnsmasq]");
	assert_error_at(&errs, n, line_of(n, "[dnsmasq x]"), "takes no name");
	strlist_free(&errs);

	/* a path dnsmasq's config cannot carry */
	assert_int_equal(load("", HOSTS, "[dnsmasq]\nmode = external\n",
	    &cfg, &errs, NULL, n), 0);
	config_free(cfg);
	assert_int_equal(load("", HOSTS, "", &cfg, &errs, NULL, n), 0);
	assert_int_equal(cfg->dnsmasq.enabled, 0);
	config_free(cfg);
	{
		char *text, *path;

		assert_int_equal(asprintf(&text, "[server]\ntemplate_dir = %s\n"
		    "public_url = http://10.200.0.1:8080\n"
		    "tftp_root = /srv/tftp root,x\n"
		    "[dnsmasq]\nmode = external\n", tpl) > 0, 1);
		path = unit_write(dir, "sp.conf", text);
		free(text);
		assert_int_equal(config_load(path, &cfg, &errs, NULL), -1);
		free(path);
		assert_error_at(&errs, "sp.conf", 4, "cannot go into dnsmasq's "
		    "config");
		strlist_free(&errs);
	}
}

/* A full DHCP host whose static ip is outside the range's subnet gets a
 * warning, not silence. */
/* state_dir lets dnsmasq's user through (0711) when its TFTP serves
 * files kept under it: a mirror repo's cached boot files. */
static void
test_state_dir_mode_for_mirror_boot_files(void **state)
{
	struct config cfg;
	struct repo r;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memset(&r, 0, sizeof(r));
	cfg.repos = &r;
	cfg.nrepos = 1;
	cfg.boot_files = BOOT_FILES_TFTP;
	assert_int_equal(dnsmasq_state_dir_mode(&cfg), 0700);
	cfg.dnsmasq.enabled = 1;
	cfg.dnsmasq.tftp = 1;
	assert_int_equal(dnsmasq_state_dir_mode(&cfg), 0700);
	r.url = (char *)"http://mirror.example/xcp-ng/8.3/";
	assert_int_equal(dnsmasq_state_dir_mode(&cfg), 0711);
	cfg.boot_files = BOOT_FILES_HTTP;	/* poolboot serves them */
	assert_int_equal(dnsmasq_state_dir_mode(&cfg), 0700);
	cfg.boot_files = BOOT_FILES_TFTP;
	cfg.dnsmasq.tftp = 0;
	assert_int_equal(dnsmasq_state_dir_mode(&cfg), 0700);
	cfg.dnsmasq.dhcp = DNSMASQ_FULL;
	assert_int_equal(dnsmasq_state_dir_mode(&cfg), 0711);
}

static void
test_config_warns_ip_outside_range(void **state)
{
	struct strlist errs = { 0 }, warns = { 0 };
	struct config *cfg = NULL;
	char n[32];
	size_t i;
	int found = 0;

	(void)state;
	assert_int_equal(load("", HOSTS, "[dnsmasq]\ndhcp = full\n"
	    "interface = br0\nrange = 10.99.0.100,10.99.0.150,255.255.255.0\n",
	    &cfg, &errs, &warns, n), 0);
	for (i = 0; i < warns.n; i++)
		if (strstr(warns.v[i], "new1") != NULL &&
		    strstr(warns.v[i], "outside") != NULL)
			found = 1;
	assert_true(found);
	config_free(cfg);
	strlist_free(&errs);
	strlist_free(&warns);
}

/* Every non-comment line of a generated config must be one of the
 * directives poolboot means to write: a value can never add another. */
static void
assert_only_known_directives(const char *conf)
{
	static const char *known[] = { "port", "interface", "bind-interfaces",
	    "pid-file", "log-facility", "log-dhcp", "dhcp-leasefile", "user",
	    "dhcp-range", "pxe-service", "dhcp-boot", "dhcp-option",
	    "dhcp-match", "dhcp-option-force", "dhcp-pxe-vendor",
	    "dhcp-hostsdir", "no-ping", "enable-tftp", "tftp-root",
	    "enable-ra", NULL };
	const char *p = conf, *e;
	char key[64];
	size_t kl, i;
	int ok;

	while (*p != '\0') {
		e = strchr(p, '\n');
		assert_non_null(e);	/* every line ends */
		if (*p != '#') {
			kl = strcspn(p, "=\n");
			assert_true(kl < sizeof(key));
			memcpy(key, p, kl);
			key[kl] = '\0';
			ok = 0;
			for (i = 0; known[i] != NULL; i++)
				if (strcmp(known[i], key) == 0)
					ok = 1;
			if (!ok)
				fail_msg("unexpected line in dnsmasq.conf: %.*s",
				    (int)(e - p), p);
		}
		p = e + 1;
	}
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
	assert_only_known_directives(conf);
	return conf;
}

static int
has_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n'))
			return 1;
		p += n;
	}
	return 0;
}

static void
test_proxy_conf(void **state)
{
	struct config *cfg;
	char *conf, want[PATH_MAX + 32];

	(void)state;
	cfg = load_ok("", HOSTS, "[dnsmasq]\ninterface = br0\n"
	    "range = 10.200.0.0\n");
	assert_int_equal(cfg->dnsmasq.mode, DNSMASQ_MANAGED);
	assert_int_equal(cfg->dnsmasq.dhcp, DNSMASQ_PROXY);
	assert_string_equal(cfg->dnsmasq.address, "10.200.0.1");
	conf = conf_of(cfg);
	assert_true(has_line(conf, "port=0"));
	assert_true(has_line(conf, "interface=br0"));
	assert_true(has_line(conf, "bind-interfaces"));
	assert_true(has_line(conf, "log-dhcp"));
	assert_true(has_line(conf, "dhcp-range=10.200.0.0,proxy"));
	/* PXE adds the ".0" itself: the basename only */
	assert_true(has_line(conf, "pxe-service=x86PC,\"poolboot\",pxelinux"));
	assert_true(has_line(conf, "enable-tftp"));
	snprintf(want, sizeof(want), "tftp-root=%s", cfg->tftp_root);
	assert_true(has_line(conf, want));
	assert_null(strstr(conf, "dhcp-boot=tag:bios"));
	assert_null(strstr(conf, "dhcp-hostsdir"));
	assert_null(strstr(conf, "no-ping"));
	assert_null(strstr(conf, "enable-ra"));
	assert_non_null(strstr(conf, "log-facility=/"));
	assert_non_null(strstr(conf, "dhcp-leasefile=/"));
	free(conf);
	config_free(cfg);

	/* boot_files = http: lpxelinux; RA; TFTP elsewhere */
	cfg = load_ok("boot_files = http\n", HOSTS, "[dnsmasq]\n"
	    "interface = br0\nrange = 10.200.0.0,255.255.255.0\n"
	    "ipv6_ra = fd00:200::\ntftp = no\naddress = 10.200.0.9\n");
	conf = conf_of(cfg);
	assert_true(has_line(conf, "dhcp-range=10.200.0.0,proxy,255.255.255.0"));
	assert_true(has_line(conf,
	    "pxe-service=x86PC,\"poolboot\",lpxelinux,10.200.0.9"));
	assert_null(strstr(conf, "enable-tftp"));
	assert_true(has_line(conf, "enable-ra"));
	assert_true(has_line(conf, "dhcp-range=fd00:200::,ra-only"));
	free(conf);
	config_free(cfg);
}

static void
test_full_conf(void **state)
{
	struct config *cfg;
	char *conf;

	(void)state;
	cfg = load_ok("", HOSTS, "[dnsmasq]\ndhcp = full\ninterface = br0\n"
	    "range = 10.200.0.100,10.200.0.150,255.255.255.0\n"
	    "lease_time = 2h\nping_check = no\n");
	conf = conf_of(cfg);
	assert_true(has_line(conf,
	    "dhcp-range=10.200.0.100,10.200.0.150,255.255.255.0,2h"));
	assert_true(has_line(conf, "dhcp-boot=tag:bios,pxelinux.0"));
	assert_true(has_line(conf, "no-ping"));
	assert_non_null(strstr(conf, "\ndhcp-hostsdir=/"));
	assert_null(strstr(conf, "pxe-service"));
	assert_null(strstr(conf, ",proxy"));
	free(conf);
	config_free(cfg);

	/* default lease 1h; ping_check default keeps dnsmasq's ping */
	cfg = load_ok("", HOSTS, "[dnsmasq]\ndhcp = full\ninterface = br0\n"
	    "range = 10.200.0.100,10.200.0.150,255.255.255.0\n");
	conf = conf_of(cfg);
	assert_true(has_line(conf,
	    "dhcp-range=10.200.0.100,10.200.0.150,255.255.255.0,1h"));
	assert_null(strstr(conf, "no-ping"));
	free(conf);
	config_free(cfg);

	/* external: a fragment for the site's dnsmasq, which keeps its own
	 * DNS, interfaces and log */
	cfg = load_ok("", HOSTS, "[dnsmasq]\nmode = external\ndhcp = full\n");
	conf = conf_of(cfg);
	assert_null(strstr(conf, "port="));
	assert_null(strstr(conf, "interface="));
	assert_null(strstr(conf, "log-facility"));
	assert_null(strstr(conf, "dhcp-range"));
	assert_true(has_line(conf, "dhcp-boot=tag:bios,pxelinux.0"));
	assert_non_null(strstr(conf, "conf-file="));
	free(conf);
	config_free(cfg);
}

/* Inventory values aimed at dnsmasq's config go nowhere: they are refused
 * at load, or they never reach a dnsmasq file. */
static void
test_hostile_values(void **state)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char n[32], err[256], *dd, *conf, *p, *text;
	int changed;

	(void)state;
	assert_int_equal(load("", "[host h,dhcp-script]\nmac = 52:54:00:00:00:09\n"
	    "disk = sda\n"
	    "[host h2]\nmac = 52:54:00:00:00:0a\ndisk = sda\nmode = fresh\n"
	    "root_password_file = root.pw\nip = 10.200.0.30/24\n"
	    "gateway = 10.200.0.1\ndns = 10.200.0.2\n"
	    "hostname = h2,set:evil\n",
	    "[dnsmasq]\ndhcp = full\ninterface = br0\n"
	    "range = 10.200.0.100,10.200.0.150,255.255.255.0\n",
	    &cfg, &errs, NULL, n), -1);
	assert_error_at(&errs, n, line_of(n, "[host h,dhcp-script]"),
	    "bad host name");
	assert_error_at(&errs, n, line_of(n, "hostname ="), "not a valid host");
	strlist_free(&errs);

	/* what is accepted but odd stays inside its own field */
	cfg = load_ok("", "[host a.b-c_d]\nmac = 52-54-00-00-00-0B\n"
	    "disk = /dev/disk/by-id/scsi-3600:0\n"
	    "kernel_args = dhcp-script=/bin/sh enable-tftp\n",
	    "[dnsmasq]\ndhcp = full\ninterface = br0\n"
	    "range = 10.200.0.100,10.200.0.150,255.255.255.0\n");
	conf = conf_of(cfg);
	assert_null(strstr(conf, "dhcp-script"));
	assert_null(strstr(conf, "scsi"));
	free(conf);
	assert_int_equal(asprintf(&dd, "%s/hostile%d", dir, ++seq) > 0, 1);
	assert_int_equal(dnsmasq_write_files(cfg, dd, &changed, err,
	    sizeof(err)), 0);
	assert_int_equal(asprintf(&p, "%s/hosts.d/a.b-c_d", dd) > 0, 1);
	text = util_read_file(p, 4096, NULL);
	assert_non_null(text);
	assert_string_equal(text, "52:54:00:00:00:0b,set:poolboot\n");
	free(text);
	free(p);
	free(dd);
	config_free(cfg);
}

static char *
read_at(const char *d, const char *rel)
{
	char *p, *t;

	assert_int_equal(asprintf(&p, "%s/%s", d, rel) > 0, 1);
	t = util_read_file(p, 1 << 16, NULL);
	free(p);
	return t;
}

static time_t
mtime_at(const char *d, const char *rel)
{
	struct stat sb;
	char *p;

	assert_int_equal(asprintf(&p, "%s/%s", d, rel) > 0, 1);
	assert_int_equal(stat(p, &sb), 0);
	free(p);
	return sb.st_mtime;
}

/* Sets a file's mtime an hour back, so that a rewrite would show. */
static void
age(const char *d, const char *rel)
{
	struct timespec ts[2];
	char *p;

	assert_int_equal(asprintf(&p, "%s/%s", d, rel) > 0, 1);
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= 3600;
	ts[1] = ts[0];
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	free(p);
}

static void
test_hostsdir_files(void **state)
{
	struct config *cfg;
	char err[256], *dd, *t, *p;
	const char *body = "[dnsmasq]\ndhcp = full\ninterface = br0\n"
	    "range = 10.200.0.100,10.200.0.150,255.255.255.0\n";
	time_t old, old_conf;
	int changed;

	(void)state;
	assert_int_equal(asprintf(&dd, "%s/hd", dir) > 0, 1);
	/* stale files of earlier runs: a removed host, an interrupted write */
	assert_int_equal(asprintf(&p, "%s/hosts.d", dd) > 0, 1);
	assert_int_equal(util_mkdirs(p, 0755), 0);
	free(p);
	free(unit_write(dd, "hosts.d/gone", "52:54:00:00:00:99,set:poolboot\n"));
	free(unit_write(dd, "hosts.d/h1.tmp.4242", "junk\n"));

	cfg = load_ok("", HOSTS, body);
	assert_int_equal(dnsmasq_write_files(cfg, dd, &changed, err,
	    sizeof(err)), 0);
	assert_int_equal(changed, 5);	/* conf + 2 hosts + 2 removed */
	t = read_at(dd, "hosts.d/h1");
	assert_string_equal(t, "52:54:00:00:00:01,set:poolboot\n");
	free(t);
	t = read_at(dd, "hosts.d/new1");
	assert_string_equal(t, "52:54:00:00:00:03,10.200.0.21,new1\n");
	free(t);
	assert_null(read_at(dd, "hosts.d/gone"));
	assert_null(read_at(dd, "hosts.d/h1.tmp.4242"));
	t = read_at(dd, "dnsmasq.conf");
	assert_non_null(strstr(t, "dhcp-hostsdir="));
	assert_non_null(strstr(t, "/hd/hosts.d\n"));
	free(t);

	/* again with the same inventory: nothing is rewritten (each file
	 * keeps its own, aged, mtime; they may differ by the second the
	 * clock was read in) */
	age(dd, "hosts.d/h1");
	age(dd, "hosts.d/new1");
	age(dd, "dnsmasq.conf");
	old = mtime_at(dd, "hosts.d/h1");
	old_conf = mtime_at(dd, "dnsmasq.conf");
	{
		time_t old_new1 = mtime_at(dd, "hosts.d/new1");

		assert_int_equal(dnsmasq_write_files(cfg, dd, &changed, err,
		    sizeof(err)), 0);
		assert_int_equal(changed, 0);
		assert_int_equal(mtime_at(dd, "hosts.d/h1"), old);
		assert_int_equal(mtime_at(dd, "hosts.d/new1"), old_new1);
		assert_int_equal(mtime_at(dd, "dnsmasq.conf"), old_conf);
	}
	config_free(cfg);

	/* h1 leaves the inventory, new1 changes its address: exactly those
	 * two files change, the config does not */
	cfg = load_ok("", "[host new1]\nmode = fresh\nmac = 52:54:00:00:00:03\n"
	    "disk = sda\nip = 10.200.0.22/24\ngateway = 10.200.0.1\n"
	    "dns = 10.200.0.2\nhostname = new1\nroot_password_file = root.pw\n",
	    body);
	/* same state_dir-independent folder, so the config text is equal */
	assert_int_equal(dnsmasq_write_files(cfg, dd, &changed, err,
	    sizeof(err)), 0);
	assert_int_equal(changed, 2);
	assert_null(read_at(dd, "hosts.d/h1"));
	t = read_at(dd, "hosts.d/new1");
	assert_string_equal(t, "52:54:00:00:00:03,10.200.0.22,new1\n");
	free(t);
	assert_int_equal(mtime_at(dd, "dnsmasq.conf"), old_conf);
	config_free(cfg);
	free(dd);
}

/* Writes an executable shell script dir/name. */
static char *
fake_binary(const char *name, const char *body)
{
	char *text, *p;

	assert_int_equal(asprintf(&text, "#!/bin/sh\n%s\n", body) > 0, 1);
	p = unit_write(dir, name, text);
	free(text);
	assert_int_equal(chmod(p, 0755), 0);
	return p;
}

static void
test_dnsmasq_test(void **state)
{
	struct config *cfg;
	char err[256], msg[4096], *dd, *bad;
	int rc;

	(void)state;
	cfg = load_ok("", HOSTS, "[dnsmasq]\ninterface = br0\n"
	    "range = 10.200.0.0\n");
	assert_int_equal(asprintf(&dd, "%s/tt", dir) > 0, 1);
	assert_int_equal(dnsmasq_write_files(cfg, dd, NULL, err, sizeof(err)),
	    0);
	rc = dnsmasq_test(cfg, dd, msg, sizeof(msg));
	if (rc == DNSMASQ_TEST_NOBINARY)
		fprintf(stderr, "# no dnsmasq here: %s\n", msg);
	else {
		assert_int_equal(rc, DNSMASQ_TEST_OK);
		assert_non_null(strstr(msg, "syntax check OK"));
	}

	/* dnsmasq's own words come back when it refuses */
	bad = fake_binary("fake-dnsmasq", "echo \"dnsmasq: bad option at line "
	    "7 of $2\" >&2\nexit 1");
	free(cfg->dnsmasq.binary);
	cfg->dnsmasq.binary = bad;
	assert_int_equal(dnsmasq_test(cfg, dd, msg, sizeof(msg)),
	    DNSMASQ_TEST_FAILED);
	assert_non_null(strstr(msg, "dnsmasq: bad option at line 7 of "
	    "--conf-file="));
	assert_non_null(strstr(msg, "/tt/dnsmasq.conf"));

	cfg->dnsmasq.binary = strdup("/nonexistent/dnsmasq");
	free(bad);
	assert_int_equal(dnsmasq_test(cfg, dd, msg, sizeof(msg)),
	    DNSMASQ_TEST_NOBINARY);
	assert_non_null(strstr(msg, "/nonexistent/dnsmasq"));
	free(dd);
	config_free(cfg);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits up to secs for a running child other than old; returns it. */
static pid_t
wait_new_pid(struct dnsmasq_sup *sup, pid_t old, double secs)
{
	double end = now_s() + secs;
	pid_t p;

	while (now_s() < end) {
		p = dnsmasq_pid(sup);
		if (p > 0 && p != old)
			return p;
		usleep(20000);
	}
	return 0;
}

/* A dnsmasq stand-in that starts (closes its output, as dnsmasq does once
 * it runs) and stays: killed, it is restarted after 1 s, then 2 s. */
static void
test_supervisor_restarts(void **state)
{
	struct dnsmasq_sup *sup = NULL;
	struct config *cfg;
	char msg[1024], *bin;
	pid_t p1, p2, p3;
	double t0, gap1, gap2;

	(void)state;
	cfg = load_ok("", HOSTS, "[dnsmasq]\ninterface = br0\n"
	    "range = 10.200.0.0\n");
	bin = fake_binary("stays", "exec >/dev/null 2>&1\nexec sleep 60");
	free(cfg->dnsmasq.binary);
	cfg->dnsmasq.binary = bin;
	assert_int_equal(dnsmasq_start(cfg, &sup, msg, sizeof(msg)), 0);
	p1 = dnsmasq_pid(sup);
	assert_true(p1 > 0);
	assert_int_equal(kill(p1, 0), 0);
	assert_int_equal(dnsmasq_restarts(sup), 0);

	t0 = now_s();
	assert_int_equal(kill(p1, SIGKILL), 0);
	p2 = wait_new_pid(sup, p1, 5);
	gap1 = now_s() - t0;
	assert_true(p2 > 0);
	assert_int_equal(dnsmasq_restarts(sup), 1);
	assert_true(gap1 >= 0.9 && gap1 < 3);

	t0 = now_s();
	assert_int_equal(kill(p2, SIGKILL), 0);
	p3 = wait_new_pid(sup, p2, 6);
	gap2 = now_s() - t0;
	assert_true(p3 > 0);
	assert_int_equal(dnsmasq_restarts(sup), 2);
	assert_true(gap2 >= 1.9);	/* the backoff doubled */

	dnsmasq_stop(sup);
	/* stopped and reaped: the pid is gone */
	assert_int_equal(kill(p3, 0), -1);
	config_free(cfg);
}

/* A dnsmasq that cannot start: its message comes back, nothing stays. */
static void
test_supervisor_first_start_fails(void **state)
{
	struct dnsmasq_sup *sup = NULL;
	struct config *cfg;
	char msg[1024], *bin;

	(void)state;
	cfg = load_ok("", HOSTS, "[dnsmasq]\ninterface = br0\n"
	    "range = 10.200.0.0\n");
	bin = fake_binary("fails", "echo >&2\necho 'dnsmasq: unknown interface "
	    "br0' >&2\nexit 2");
	free(cfg->dnsmasq.binary);
	cfg->dnsmasq.binary = bin;
	assert_int_equal(dnsmasq_start(cfg, &sup, msg, sizeof(msg)), -1);
	assert_null(sup);
	assert_string_equal(msg, "dnsmasq: unknown interface br0");
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_errors_have_lines),
		cmocka_unit_test(test_config_warns_ip_outside_range),
		cmocka_unit_test(test_state_dir_mode_for_mirror_boot_files),
		cmocka_unit_test(test_proxy_conf),
		cmocka_unit_test(test_full_conf),
		cmocka_unit_test(test_hostile_values),
		cmocka_unit_test(test_hostsdir_files),
		cmocka_unit_test(test_dnsmasq_test),
		cmocka_unit_test(test_supervisor_restarts),
		cmocka_unit_test(test_supervisor_first_start_fails),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
