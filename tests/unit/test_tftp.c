/* test_tftp.c — the TFTP tree as poolboot init-tftp leaves it: boot
 * loaders and syslinux modules copied from their packages (a missing one
 * named with its package), the local-boot default, repo links, the GRUB
 * image built by grub-mkimage (a stand-in script, and the real one when it
 * is installed) and grub.cfg, and a second run that keeps what is already
 * right; the hosts' GRUB files, the GRUB side of the start-up reconcile
 * and what poolboot check says about GRUB for each firmware. (The per-MAC
 * files through a host's life are tested through arm, in test_arm.c.) */
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "render.h"
#include "tftp.h"
#include "util.h"

/* GRUB's modules init-tftp builds in (tftp_grub.c) */
static const char *GRUB_MODS[] = { "efinet", "tftp", "http", "net",
    "normal", "configfile", "multiboot2", "echo", "test", "gzio", "linux",
    "chain", "efi_gop", "efi_uga", "all_video", "minicmd", "sleep", "reboot",
    "halt", "regexp" };
#define NGRUB_MODS	(sizeof(GRUB_MODS) / sizeof(GRUB_MODS[0]))

static char *dir;	/* scratch folder: repo, secrets, sources */
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

static char *
read_at(const char *d, const char *rel)
{
	char *p, *t;

	assert_int_equal(asprintf(&p, "%s/%s", d, rel) > 0, 1);
	t = util_read_file(p, 1 << 16, NULL);
	free(p);
	return t;
}

static char *
path_of(const char *d, const char *rel)
{
	char *p;

	assert_int_equal(asprintf(&p, "%s/%s", d, rel) > 0, 1);
	return p;
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

/* Temp files of atomic writes in d/rel. */
static int
count_temp(const char *d, const char *rel)
{
	struct dirent *de;
	char *p;
	DIR *dd;
	int n = 0;

	assert_int_equal(asprintf(&p, "%s/%s", d, rel) > 0, 1);
	assert_non_null(dd = opendir(p));
	while ((de = readdir(dd)) != NULL)
		if (strstr(de->d_name, ".tmp.") != NULL)
			n++;
	closedir(dd);
	free(p);
	return n;
}

/* Does some line of l contain both a and b? */
static int
has(const struct strlist *l, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strstr(l->v[i], a) != NULL &&
		    (b == NULL || strstr(l->v[i], b) != NULL))
			return 1;
	return 0;
}

/* A grub-mkimage stand-in in dir/fake-grub: it records its arguments in
 * mkimage.args and writes mkimage.payload to its -o file; a module folder
 * with every module init-tftp needs (but skip, when not NULL). src gets
 * both. */
static void
fake_grub(struct tftp_src *src, char **bin, char **mods, const char *skip)
{
	char *d, *name;
	size_t i;

	assert_int_equal(asprintf(&d, "%s/fake-grub", dir) > 0, 1);
	assert_int_equal(asprintf(mods, "%s/mods", d) > 0, 1);
	assert_int_equal(util_mkdirs(*mods, 0755), 0);
	*bin = unit_write(d, "grub-mkimage", "#!/bin/sh\n"
	    "d=$(dirname \"$0\")\n"
	    "echo \"$*\" >\"$d/mkimage.args\"\n"
	    "while [ $# -gt 0 ]; do\n"
	    "  [ \"$1\" = -o ] && out=$2\n"
	    "  shift\n"
	    "done\n"
	    "cat \"$d/mkimage.payload\" >\"$out\"\n");
	assert_int_equal(chmod(*bin, 0755), 0);
	free(unit_write(d, "mkimage.payload", "MZ fake GRUB 1"));
	for (i = 0; i < NGRUB_MODS; i++) {
		assert_int_equal(asprintf(&name, "%s/%s.mod", *mods,
		    GRUB_MODS[i]) > 0, 1);
		if (skip != NULL && strcmp(GRUB_MODS[i], skip) == 0)
			(void)unlink(name);
		else
			free(unit_write(*mods, strrchr(name, '/') + 1, "mod"));
		free(name);
	}
	src->grub_mkimage = *bin;
	src->grub_modules = *mods;
	free(d);
}

static void
test_init_tftp(void **state)
{
	struct strlist report = { 0 }, errors = { 0 };
	struct tftp_src src = { 0 };
	struct config *cfg;
	char *src1, *src2, *root, *t, *link, cur[PATH_MAX], *bin, *mods;
	time_t old;
	ssize_t n;
	size_t i;
	int found;

	(void)state;
	cfg = load_ok("", HOSTS, "");
	assert_int_equal(asprintf(&src1, "%s/src-pxelinux", dir) > 0, 1);
	assert_int_equal(asprintf(&src2, "%s/src-modules", dir) > 0, 1);
	assert_int_equal(asprintf(&root, "%s/new/tftp-root", dir) > 0, 1);
	assert_int_equal(util_mkdirs(src1, 0755), 0);
	assert_int_equal(util_mkdirs(src2, 0755), 0);
	free(unit_write(src1, "pxelinux.0", "PXELINUX"));
	free(unit_write(src1, "lpxelinux.0", "LPXELINUX"));
	free(unit_write(src2, "ldlinux.c32", "LDLINUX"));
	free(unit_write(src2, "mboot.c32", "MBOOT"));
	/* libcom32.c32 is missing: the package is named */
	src.pxelinux = src1;
	src.modules = src2;
	fake_grub(&src, &bin, &mods, NULL);

	assert_int_equal(tftp_init_root(cfg, root, &src, &report,
	    &errors), -1);
	assert_int_equal(errors.n, 1);
	assert_non_null(strstr(errors.v[0], "libcom32.c32"));
	assert_non_null(strstr(errors.v[0], "syslinux-common"));
	t = read_at(root, "pxelinux.0");
	assert_string_equal(t, "PXELINUX");
	free(t);
	t = read_at(root, "pxelinux.cfg/default");
	assert_non_null(t);
	assert_non_null(strstr(t, "localboot"));
	assert_null(strstr(t, "answerfile"));
	free(t);
	/* the GRUB image, as grub-mkimage made it: for x86_64 EFI, prefix
	 * /grub (no device), the output beside the image first */
	t = read_at(root, "grub/grubx64.efi");
	assert_string_equal(t, "MZ fake GRUB 1");
	free(t);
	t = read_at(dir, "fake-grub/mkimage.args");
	assert_non_null(t);
	assert_non_null(strstr(t, "-O x86_64-efi -p /grub -d "));
	assert_non_null(strstr(t, " multiboot2 "));
	assert_non_null(strstr(t, " efinet "));
	assert_non_null(strstr(t, "grub/grubx64.efi.tmp."));
	free(t);
	t = read_at(root, "grub/grub.cfg");
	assert_non_null(t);
	assert_non_null(strstr(t, "net_default_mac"));
	free(t);
	/* boot_files = tftp (default): repo/xs82 points at the repo */
	assert_int_equal(asprintf(&link, "%s/repo/xs82", root) > 0, 1);
	n = readlink(link, cur, sizeof(cur) - 1);
	assert_true(n > 0);
	cur[n] = '\0';
	assert_string_equal(cur, cfg->repos[0].path);
	free(link);
	strlist_free(&report);
	strlist_free(&errors);

	/* second run: everything there; identical files kept, an operator's
	 * default left alone, a changed source copied again */
	free(unit_write(src2, "libcom32.c32", "LIBCOM32"));
	free(unit_write(src2, "mboot.c32", "MBOOT v2"));
	free(unit_write(root, "pxelinux.cfg/default", "# mine\n"));
	free(unit_write(root, "grub/grub.cfg", "# my grub.cfg\n"));
	age(root, "pxelinux.0");
	age(root, "grub/grubx64.efi");
	old = mtime_at(root, "pxelinux.0");
	assert_int_equal(tftp_init_root(cfg, root, &src, &report,
	    &errors), 0);
	assert_int_equal(errors.n, 0);
	assert_int_equal(mtime_at(root, "pxelinux.0"), old);
	/* the same image again: the file is kept as it was */
	assert_int_equal(mtime_at(root, "grub/grubx64.efi"), old);
	t = read_at(root, "grub/grub.cfg");
	assert_string_equal(t, "# my grub.cfg\n");
	free(t);
	t = read_at(root, "mboot.c32");
	assert_string_equal(t, "MBOOT v2");
	free(t);
	t = read_at(root, "pxelinux.cfg/default");
	assert_string_equal(t, "# mine\n");
	free(t);
	found = 0;
	for (i = 0; i < report.n; i++)
		if (strstr(report.v[i], "pxelinux.0") != NULL &&
		    strstr(report.v[i], "kept") != NULL &&
		    strstr(report.v[i], src1) != NULL)
			found = 1;
	assert_true(found);
	strlist_free(&report);
	strlist_free(&errors);

	/* a different GRUB build replaces the image; no temp file stays */
	free(unit_write(dir, "fake-grub/mkimage.payload", "MZ fake GRUB 2"));
	assert_int_equal(tftp_init_root(cfg, root, &src, &report,
	    &errors), 0);
	t = read_at(root, "grub/grubx64.efi");
	assert_string_equal(t, "MZ fake GRUB 2");
	free(t);
	assert_int_equal(count_temp(root, "grub"), 0);
	strlist_free(&report);
	strlist_free(&errors);
	free(bin);
	free(mods);
	free(src1);
	free(src2);
	free(root);
	config_free(cfg);
}

/* What an operator without the GRUB packages is told: the package. */
static void
test_init_grub_missing(void **state)
{
	struct strlist report = { 0 }, errors = { 0 };
	struct tftp_src src = { 0 };
	struct config *cfg;
	char *root, *bin, *mods, *p;

	(void)state;
	cfg = load_ok("", HOSTS, "");
	assert_int_equal(asprintf(&root, "%s/grub-missing", dir) > 0, 1);

	/* no grub-mkimage: grub-common */
	assert_int_equal(tftp_grub_init(cfg, root, "/nonexistent/grub-mkimage",
	    NULL, &report, &errors), -1);
	assert_true(has(&errors, "/nonexistent/grub-mkimage", "grub-common"));
	/* grub.cfg is written all the same */
	free(p = read_at(root, "grub/grub.cfg"));
	assert_non_null(p);
	strlist_free(&errors);
	strlist_free(&report);

	/* no module folder: grub-efi-amd64-bin */
	fake_grub(&src, &bin, &mods, NULL);
	assert_int_equal(tftp_grub_init(cfg, root, bin, "/nonexistent/mods",
	    &report, &errors), -1);
	assert_true(has(&errors, "/nonexistent/mods", "grub-efi-amd64-bin"));
	assert_true(has(&report, "kept", "grub.cfg"));
	strlist_free(&errors);
	strlist_free(&report);
	free(bin);
	free(mods);

	/* a module missing: named, with the package; no image */
	fake_grub(&src, &bin, &mods, "multiboot2");
	assert_int_equal(tftp_grub_init(cfg, root, bin, mods, &report,
	    &errors), -1);
	assert_true(has(&errors, "multiboot2.mod", "grub-efi-amd64-bin"));
	assert_null(p = read_at(root, "grub/grubx64.efi"));
	strlist_free(&errors);
	strlist_free(&report);
	free(bin);
	free(mods);

	/* grub-mkimage writes no EFI image: refused, no temp file left */
	fake_grub(&src, &bin, &mods, NULL);
	free(unit_write(dir, "fake-grub/mkimage.payload", "not a PE file"));
	assert_int_equal(tftp_grub_init(cfg, root, bin, mods, &report,
	    &errors), -1);
	assert_true(has(&errors, "no EFI image", NULL));
	assert_null(p = read_at(root, "grub/grubx64.efi"));
	assert_int_equal(count_temp(root, "grub"), 0);
	strlist_free(&errors);
	strlist_free(&report);

	/* grub-mkimage fails: its status and first line of output */
	free(unit_write(dir, "fake-grub/grub-mkimage", "#!/bin/sh\n"
	    "echo 'grub-mkimage: error: cannot open x.mod' >&2\nexit 1\n"));
	assert_int_equal(tftp_grub_init(cfg, root, bin, mods, &report,
	    &errors), -1);
	assert_true(has(&errors, "exited with status 1", "cannot open x.mod"));
	strlist_free(&errors);
	strlist_free(&report);
	free(bin);
	free(mods);
	free(root);
	config_free(cfg);
}

/* The real grub-mkimage (grub-common, grub-efi-amd64-bin), when there. */
static void
test_init_grub_real(void **state)
{
	struct strlist report = { 0 }, errors = { 0 };
	struct config *cfg;
	size_t len = 0;
	char *root, *p, *img;
	time_t old;

	(void)state;
	if (access("/usr/lib/grub/x86_64-efi/multiboot2.mod", R_OK) == -1 ||
	    (access("/usr/bin/grub-mkimage", X_OK) == -1 &&
	    access("/bin/grub-mkimage", X_OK) == -1))
		skip();
	cfg = load_ok("", HOSTS, "");
	assert_int_equal(asprintf(&root, "%s/grub-real", dir) > 0, 1);
	assert_int_equal(tftp_grub_init(cfg, root, NULL, NULL, &report,
	    &errors), 0);
	assert_int_equal(errors.n, 0);
	assert_true(has(&report, "built", "grubx64.efi"));
	assert_int_equal(asprintf(&p, "%s/grub/grubx64.efi", root) > 0, 1);
	img = util_read_file(p, 16 << 20, &len);
	assert_non_null(img);
	/* a PE file with GRUB's modules in it */
	assert_true(len > 100000);
	assert_memory_equal(img, "MZ", 2);
	assert_non_null(memmem(img, len, "multiboot2", 10));
	free(img);
	free(p);
	strlist_free(&report);
	age(root, "grub/grubx64.efi");
	old = mtime_at(root, "grub/grubx64.efi");
	assert_int_equal(tftp_grub_init(cfg, root, NULL, NULL, &report,
	    &errors), 0);
	assert_true(has(&report, "kept", "grubx64.efi"));
	assert_int_equal(mtime_at(root, "grub/grubx64.efi"), old);
	strlist_free(&report);
	strlist_free(&errors);
	free(root);
	config_free(cfg);
}

/* A host's GRUB file: its path (GRUB's ${net_default_mac}: lowercase with
 * colons), atomic writes that make grub/hosts, local boot. */
static void
test_grub_host_file(void **state)
{
	struct config *cfg;
	const struct host *h;
	char err[512], *p, *t, *local;

	(void)state;
	cfg = load_ok("", "[host up]\nmac = 52-54-00-AB-CD-0E\ndisk = sda\n",
	    "");
	h = &cfg->hosts[0];
	assert_non_null(p = tftp_grub_path(cfg, h));
	assert_non_null(strstr(p, "/grub/hosts/52:54:00:ab:cd:0e.cfg"));
	assert_int_equal(strncmp(p, cfg->tftp_root, strlen(cfg->tftp_root)),
	    0);
	free(p);
	assert_int_equal(tftp_grub_read(cfg, h, &t), 0);
	assert_null(t);
	assert_int_equal(tftp_grub_write(cfg, h, "install entry\n", err,
	    sizeof(err)), 0);
	assert_int_equal(tftp_grub_read(cfg, h, &t), 0);
	assert_string_equal(t, "install entry\n");
	free(t);
	assert_int_equal(tftp_grub_write_local(cfg, h, err, sizeof(err)), 0);
	assert_int_equal(tftp_grub_read(cfg, h, &t), 0);
	assert_non_null(local = render_grub_local(cfg, err, sizeof(err)));
	assert_string_equal(t, local);
	assert_int_equal(render_grub_token(t, err), -1);
	free(t);
	free(local);
	assert_int_equal(count_temp(cfg->tftp_root, "grub/hosts"), 0);
	config_free(cfg);
}

/* The GRUB part of the start-up reconcile: grub/hosts made, temp files of
 * a crash removed, a stray file left alone, grub.cfg written once. */
static void
test_grub_reconcile(void **state)
{
	struct tftp_local local;
	struct config *cfg;
	char *t, *stray;

	(void)state;
	cfg = load_ok("", HOSTS, "");
	assert_int_equal(tftp_reconcile_begin(cfg, &local), 0);
	assert_non_null(local.pxe);
	assert_non_null(local.grub);
	free(unit_write(cfg->tftp_root, "grub/hosts/52:54:00:00:00:01.cfg"
	    ".tmp.x1Y2z3", "half"));
	free(unit_write(cfg->tftp_root, "grub/grub.cfg.tmp.abcdef", "half"));
	stray = unit_write(cfg->tftp_root, "grub/hosts/52:54:00:99:99:99.cfg",
	    "someone's");
	assert_int_equal(tftp_reconcile_tree(cfg, &local), 0);
	assert_int_equal(count_temp(cfg->tftp_root, "grub/hosts"), 0);
	assert_int_equal(count_temp(cfg->tftp_root, "grub"), 0);
	assert_int_equal(access(stray, F_OK), 0);
	t = read_at(cfg->tftp_root, "grub/grub.cfg");
	assert_non_null(t);
	assert_non_null(strstr(t, "net_default_mac"));
	free(t);
	/* an operator's grub.cfg is theirs */
	free(unit_write(cfg->tftp_root, "grub/grub.cfg", "# mine\n"));
	assert_int_equal(tftp_reconcile_tree(cfg, &local), 0);
	t = read_at(cfg->tftp_root, "grub/grub.cfg");
	assert_string_equal(t, "# mine\n");
	free(t);
	free(stray);
	tftp_local_free(&local);
	config_free(cfg);
}

/* poolboot check on a tftp-root without any boot file: GRUB's are errors
 * only for a uefi host with poolboot's dnsmasq; pxelinux's only when a
 * host (or none) boots BIOS. */
static void
test_check_layout_firmware(void **state)
{
	static const char *dns = "\n[dnsmasq]\nmode = external\n";
	static const char *one = "[defaults]\nfirmware = %s\n\n"
	    "[host h1]\nmac = 52:54:00:00:00:01\ndisk = sda\n";
	struct strlist errs = { 0 }, notes = { 0 };
	struct config *cfg;
	char hosts[256];
	char *root, *p;

	(void)state;
	/* uefi + dnsmasq: both GRUB files are errors, pxelinux's notes */
	snprintf(hosts, sizeof(hosts), one, "uefi");
	cfg = load_ok("", hosts, dns);
	assert_int_equal(cfg->hosts[0].firmware, HOST_FIRMWARE_UEFI);
	root = cfg->tftp_root;
	assert_int_equal(util_mkdirs(root, 0755), 0);
	assert_int_equal(asprintf(&p, "rm -rf '%s/grub' '%s/pxelinux.0'", root,
	    root) > 0, 1);
	assert_int_equal(system(p), 0);
	free(p);
	assert_int_equal(tftp_check_layout(cfg, &errs, &notes), 0);
	assert_true(has(&errs, "grub/grubx64.efi' is missing", "init-tftp"));
	assert_true(has(&errs, "grub/grub.cfg' is missing", NULL));
	assert_false(has(&errs, "pxelinux.0", NULL));
	assert_true(has(&notes, "pxelinux.0", NULL));
	strlist_free(&errs);
	strlist_free(&notes);
	config_free(cfg);

	/* uefi without dnsmasq: notes */
	cfg = load_ok("", hosts, "");
	assert_int_equal(tftp_check_layout(cfg, &errs, &notes), 0);
	assert_false(has(&errs, "grub", NULL));
	assert_true(has(&notes, "grub/grubx64.efi' is missing", "uefi"));
	strlist_free(&errs);
	strlist_free(&notes);
	config_free(cfg);

	/* auto (the default) + dnsmasq: GRUB's notes, pxelinux's errors */
	snprintf(hosts, sizeof(hosts), one, "auto");
	cfg = load_ok("", hosts, dns);
	assert_int_equal(cfg->hosts[0].firmware, HOST_FIRMWARE_AUTO);
	assert_int_equal(tftp_check_layout(cfg, &errs, &notes), 0);
	assert_false(has(&errs, "grub", NULL));
	assert_true(has(&notes, "grub/grubx64.efi' is missing", "auto"));
	assert_true(has(&notes, "grub/grub.cfg' is missing", NULL));
	assert_true(has(&errs, "pxelinux.0", NULL));
	strlist_free(&errs);
	strlist_free(&notes);
	config_free(cfg);

	/* bios: nothing about GRUB */
	snprintf(hosts, sizeof(hosts), one, "bios");
	cfg = load_ok("", hosts, dns);
	assert_int_equal(cfg->hosts[0].firmware, HOST_FIRMWARE_BIOS);
	assert_int_equal(tftp_check_layout(cfg, &errs, &notes), 0);
	assert_false(has(&errs, "grub", NULL));
	assert_false(has(&notes, "grub", NULL));
	strlist_free(&errs);
	strlist_free(&notes);
	config_free(cfg);
}

/* Proxy-DHCP: a second image that names poolboot's TFTP server, the
 * address it was built for recorded, and check comparing the two. */
static void
test_grub_proxy_image(void **state)
{
	static const char *dns = "\n[dnsmasq]\nmode = external\n";
	static const char *uefi = "[defaults]\nfirmware = uefi\n\n"
	    "[host h1]\nmac = 52:54:00:00:00:01\ndisk = sda\n";
	struct strlist report = { 0 }, errors = { 0 }, notes = { 0 };
	struct tftp_src src = { 0 };
	struct config *cfg;
	char *root, *bin, *mods, *t, *saved;

	(void)state;
	/* full DHCP: no proxy image */
	cfg = load_ok("", HOSTS, "\n[dnsmasq]\nmode = external\n"
	    "dhcp = full\n");
	assert_int_equal(asprintf(&root, "%s/grub-proxy", dir) > 0, 1);
	fake_grub(&src, &bin, &mods, NULL);
	assert_int_equal(tftp_grub_init(cfg, root, bin, mods, &report,
	    &errors), 0);
	assert_true(has(&report, "skipped", "grubx64-proxy.efi"));
	assert_null(t = read_at(root, "grub/grubx64-proxy.efi"));
	strlist_free(&report);
	config_free(cfg);

	/* proxy (the default) with the address from public_url */
	cfg = load_ok("", HOSTS, dns);
	assert_int_equal(tftp_grub_init(cfg, root, bin, mods, &report,
	    &errors), 0);
	assert_int_equal(errors.n, 0);
	assert_true(has(&report, "built", "grubx64-proxy.efi"));
	t = read_at(root, "grub/grubx64-proxy.efi");
	assert_string_equal(t, "MZ fake GRUB 1");
	free(t);
	t = read_at(dir, "fake-grub/mkimage.args");
	assert_non_null(strstr(t, "-O x86_64-efi -p (tftp,10.200.0.1)/grub "));
	assert_non_null(strstr(t, "grub/grubx64-proxy.efi.tmp."));
	free(t);
	t = read_at(root, "grub/grubx64-proxy.efi.addr");
	assert_string_equal(t, "10.200.0.1\n");
	free(t);
	strlist_free(&report);
	/* again: kept */
	assert_int_equal(tftp_grub_init(cfg, root, bin, mods, &report,
	    &errors), 0);
	assert_true(has(&report, "kept", "grubx64-proxy.efi"));
	assert_false(has(&report, "wrote", ".addr"));
	strlist_free(&report);
	config_free(cfg);

	/* check, on a tftp_root with this grub/ and a uefi host: fine */
	cfg = load_ok("", uefi, dns);
	assert_int_equal(asprintf(&t, "rm -rf '%s/grub' && cp -r '%s/grub' "
	    "'%s/grub'", cfg->tftp_root, root, cfg->tftp_root) > 0, 1);
	assert_int_equal(system(t), 0);
	free(t);
	assert_int_equal(tftp_check_layout(cfg, &errors, &notes), 0);
	assert_false(has(&errors, "grub", NULL));
	assert_false(has(&notes, "grub", NULL));
	/* built for another address: an error for a uefi host */
	saved = unit_write(cfg->tftp_root, "grub/grubx64-proxy.efi.addr",
	    "10.9.9.9\n");
	assert_int_equal(tftp_check_layout(cfg, &errors, &notes), 0);
	assert_true(has(&errors, "built for TFTP server 10.9.9.9,",
	    "address is 10.200.0.1"));
	strlist_free(&errors);
	/* missing */
	assert_int_equal(unlink(saved), 0);
	free(saved);
	assert_non_null(saved = path_of(cfg->tftp_root,
	    "grub/grubx64-proxy.efi"));
	assert_int_equal(unlink(saved), 0);
	free(saved);
	assert_int_equal(tftp_check_layout(cfg, &errors, &notes), 0);
	assert_true(has(&errors, "grubx64-proxy.efi' is missing", "uefi"));
	strlist_free(&errors);
	strlist_free(&notes);
	config_free(cfg);
	/* auto hosts: a note */
	cfg = load_ok("", HOSTS, dns);
	assert_int_equal(tftp_check_layout(cfg, &errors, &notes), 0);
	assert_false(has(&errors, "grubx64-proxy.efi", NULL));
	assert_true(has(&notes, "grubx64-proxy.efi' is missing", "auto"));
	strlist_free(&errors);
	strlist_free(&notes);
	config_free(cfg);
	free(bin);
	free(mods);
	free(root);
}

/* firmware: anything but bios, uefi or auto is refused at its line. */
static void
test_firmware_key(void **state)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char name[32];

	(void)state;
	assert_int_equal(load("", "[host h1]\nmac = 52:54:00:00:00:01\n"
	    "disk = sda\nfirmware = efi\n", "", &cfg, &errs, NULL, name), -1);
	/* [host h1] is on line 10 of the file load() writes */
	assert_true(has(&errs, ":13: firmware: 'efi' must be bios", name));
	assert_int_equal(errs.n, 1);
	strlist_free(&errs);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_tftp),
		cmocka_unit_test(test_init_grub_missing),
		cmocka_unit_test(test_init_grub_real),
		cmocka_unit_test(test_grub_host_file),
		cmocka_unit_test(test_grub_reconcile),
		cmocka_unit_test(test_check_layout_firmware),
		cmocka_unit_test(test_grub_proxy_image),
		cmocka_unit_test(test_firmware_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
