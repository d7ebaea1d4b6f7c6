/* tftp_grub.c — the GRUB part of the TFTP tree; see tftp_grub.h.
 *
 * grub-mkimage runs through proc_spawn (no shell, argv as it is) into a
 * temp file beside the image, which replaces the image only when its bytes
 * differ: a second init-tftp keeps the file (and its mtime) as it was.
 */
#include "tftp_grub.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "render.h"

#define TFTP_GRUB_FILE_MAX	(64 * 1024)	/* a GRUB file is a few lines */
#define TFTP_GRUB_IMAGE_MAX	(16 * 1024 * 1024)
#define TFTP_GRUB_MKIMAGE	"grub-mkimage"
#define TFTP_GRUB_MODDIR	"/usr/lib/grub/x86_64-efi"
/* GRUB looks for grub.cfg in $prefix on the device it was loaded from */
#define TFTP_GRUB_PREFIX	"/grub"
#define TFTP_GRUB_IMAGE		"grubx64.efi"
#define TFTP_GRUB_PROXY_IMAGE	"grubx64-proxy.efi"
#define TFTP_GRUB_LOG		"arm"	/* the start-up reconcile's lines */

/* Built into the image: the network (efinet, net, tftp, http), the
 * configs (normal, configfile, echo, test, regexp, sleep), booting Xen
 * (multiboot2, gzio) or a kernel or EFI binary (linux, chain), the EFI
 * console (efi_gop, efi_uga, all_video), exit/reboot/halt (minicmd,
 * reboot, halt). Every one must be there. */
static const char *tftp_grub_modules[] = {
	"efinet", "tftp", "http", "net", "normal", "configfile", "multiboot2",
	"echo", "test", "gzio", "linux", "chain", "efi_gop", "efi_uga",
	"all_video", "minicmd", "sleep", "reboot", "halt", "regexp",
};
/* Built in when the module folder has them: a serial console for GRUB's
 * own messages, and ls/cat for an operator at GRUB's prompt. */
static const char *tftp_grub_optional[] = {
	"serial", "terminfo", "ls", "cat",
};
#define TFTP_GRUB_NMODS	(sizeof(tftp_grub_modules) / sizeof(char *) + \
			 sizeof(tftp_grub_optional) / sizeof(char *))

/* Does cfg's dnsmasq answer UEFI PXE clients as a proxy, which needs the
 * image that names its TFTP server? */
static int
tftp_grub_proxy(const struct config *cfg)
{
	return cfg->dnsmasq.enabled && cfg->dnsmasq.dhcp == DNSMASQ_PROXY;
}

/* ---- per-MAC files ---------------------------------------------------- */

char *
tftp_grub_path(const struct config *cfg, const struct host *h)
{
	char *p;

	if (asprintf(&p, "%s/grub/hosts/%s.cfg", cfg->tftp_root, h->mac) < 0)
		return NULL;
	return p;
}

int
tftp_grub_read(const struct config *cfg, const struct host *h, char **text)
{
	char *path;

	*text = NULL;
	if ((path = tftp_grub_path(cfg, h)) == NULL)
		return -1;
	*text = util_read_file(path, TFTP_GRUB_FILE_MAX, NULL);
	free(path);
	return 0;
}

int
tftp_grub_write(const struct config *cfg, const struct host *h,
    const char *text, char *err, size_t errlen)
{
	char dir[PATH_MAX], *path;
	int ret = -1;

	if ((path = tftp_grub_path(cfg, h)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (snprintf(dir, sizeof(dir), "%s/grub/hosts", cfg->tftp_root) >=
	    (int)sizeof(dir)) {
		snprintf(err, errlen, "%s: path too long", cfg->tftp_root);
		goto out;
	}
	if (util_mkdirs(dir, 0755) == -1) {
		snprintf(err, errlen, "cannot create %s: %s", dir,
		    strerror(errno));
		goto out;
	}
	if (util_write_atomic(path, text, strlen(text), 0644) == -1) {
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(path);
	return ret;
}

int
tftp_grub_write_local(const struct config *cfg, const struct host *h,
    char *err, size_t errlen)
{
	char why[256];
	char *text;
	int ret;

	if ((text = render_grub_local(cfg, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "cannot render the GRUB local boot "
		    "entry: %s", why);
		return -1;
	}
	ret = tftp_grub_write(cfg, h, text, err, errlen);
	free(text);
	return ret;
}

/* ---- start-up reconcile ----------------------------------------------- */

int
tftp_grub_reconcile_begin(const struct config *cfg, char **local)
{
	char dir[PATH_MAX], err[256];

	*local = NULL;
	if (snprintf(dir, sizeof(dir), "%s/grub/hosts", cfg->tftp_root) >=
	    (int)sizeof(dir)) {
		log_error(TFTP_GRUB_LOG, "tftp_root path too long");
		return -1;
	}
	if (util_mkdirs(dir, 0755) == -1) {
		log_error(TFTP_GRUB_LOG, "cannot create %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if ((*local = render_grub_local(cfg, err, sizeof(err))) == NULL) {
		log_error(TFTP_GRUB_LOG, "cannot render the GRUB local boot "
		    "entry: %s", err);
		return -1;
	}
	return 0;
}

/* Removes dir/<name> when it is a temp file of an atomic write of one of
 * ours (names starting with one of prefixes, then ".tmp."). 1 if it was
 * one. */
static int
tftp_grub_drop_temp(const char *dir, const char *name)
{
	static const char *ours[] = { "grub.cfg.tmp.", "grubx64.efi.tmp.",
	    "grubx64-proxy.efi.tmp.", "grubx64-proxy.efi.addr.tmp." };
	char path[PATH_MAX];
	const char *t;
	size_t i;
	int temp = 0;

	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (strncmp(name, ours[i], strlen(ours[i])) == 0)
			temp = 1;
	/* grub/hosts: <mac>.cfg.tmp.<random> */
	if ((t = strstr(name, ".cfg.tmp.")) != NULL && t - name == 17)
		temp = 1;
	if (temp && snprintf(path, sizeof(path), "%s/%s", dir, name) <
	    (int)sizeof(path))
		(void)unlink(path);
	return temp;
}

/* Temp files in dir; with hosts, also warns about <mac>.cfg files of
 * MACs the inventory does not know. */
static void
tftp_grub_scan(const struct config *cfg, const char *dir, int hosts)
{
	char mac[18], name[18];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (tftp_grub_drop_temp(dir, de->d_name) || !hosts)
			continue;
		if (strlen(de->d_name) != 21 ||
		    strcmp(de->d_name + 17, ".cfg") != 0)
			continue;
		memcpy(name, de->d_name, 17);
		name[17] = '\0';
		if (util_mac_parse(name, mac, NULL) == -1)
			continue;
		if (config_host_by_mac(cfg, mac) == NULL)
			log_warn(TFTP_GRUB_LOG, "%s/%s belongs to no inventory "
			    "host (MAC %s); left alone", dir, de->d_name, mac);
	}
	closedir(d);
}

/* root/grub/grub.cfg = render_grub_main unless there is one: 1 written,
 * 0 kept, -1 failed (err says why). */
static int
tftp_grub_main_cfg(const struct config *cfg, const char *root,
    char path[PATH_MAX], char *err, size_t errlen)
{
	char why[256];
	char *text;
	int ret = -1;

	if (snprintf(path, PATH_MAX, "%s/grub/grub.cfg", root) >= PATH_MAX) {
		snprintf(err, errlen, "%s: path too long", root);
		return -1;
	}
	if (access(path, F_OK) == 0)
		return 0;
	if ((text = render_grub_main(cfg, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "cannot render %s: %s", path, why);
		return -1;
	}
	if (util_write_atomic(path, text, strlen(text), 0644) == -1)
		snprintf(err, errlen, "cannot write %s: %s", path,
		    strerror(errno));
	else
		ret = 1;
	free(text);
	return ret;
}

int
tftp_grub_reconcile_tree(const struct config *cfg)
{
	char dir[PATH_MAX], hosts[PATH_MAX], path[PATH_MAX];
	char err[PATH_MAX + 256];
	int rc;

	if (snprintf(dir, sizeof(dir), "%s/grub", cfg->tftp_root) >=
	    (int)sizeof(dir) || snprintf(hosts, sizeof(hosts), "%s/hosts",
	    dir) >= (int)sizeof(hosts))
		return -1;	/* tftp_grub_reconcile_begin said so */
	tftp_grub_scan(cfg, dir, 0);
	tftp_grub_scan(cfg, hosts, 1);
	if ((rc = tftp_grub_main_cfg(cfg, cfg->tftp_root, path, err,
	    sizeof(err))) == -1) {
		log_error(TFTP_GRUB_LOG, "%s", err);
		return -1;
	}
	if (rc == 1)
		log_info(TFTP_GRUB_LOG, "wrote %s (GRUB entry point: a host's "
		    "own file, else local boot)", path);
	return 0;
}

/* ---- poolboot check --------------------------------------------------- */

int
tftp_grub_in_use(const struct config *cfg)
{
	size_t i;
	int use = 0;

	for (i = 0; i < cfg->nhosts; i++) {
		if (cfg->hosts[i].firmware == HOST_FIRMWARE_UEFI)
			return 2;
		if (cfg->hosts[i].firmware == HOST_FIRMWARE_AUTO)
			use = 1;
	}
	return use;
}

/* Proxy-DHCP's image (tftp_grub_proxy_image): missing, or built for
 * another address than [dnsmasq]'s, goes to boot. */
static void
tftp_grub_check_proxy(const struct config *cfg, struct strlist *boot,
    struct strlist *notes, int use)
{
	char p[PATH_MAX], want[64];
	char *built;

	if (cfg->dnsmasq.address == NULL) {
		strlist_addf(notes, "UEFI PXE through proxy-DHCP needs "
		    "grub/%s, which names poolboot's TFTP address; set "
		    "[dnsmasq] address and run poolboot init-tftp (hosts with "
		    "firmware = %s)", TFTP_GRUB_PROXY_IMAGE,
		    use == 2 ? "uefi" : "auto");
		return;
	}
	snprintf(p, sizeof(p), "%s/grub/%s", cfg->tftp_root,
	    TFTP_GRUB_PROXY_IMAGE);
	if (access(p, R_OK) == -1) {
		strlist_addf(boot, "'%s' is missing (UEFI PXE clients of the "
		    "proxy-DHCP boot it; hosts with firmware = %s): run "
		    "poolboot init-tftp", p, use == 2 ? "uefi" : "auto");
		return;
	}
	snprintf(want, sizeof(want), "%s\n", cfg->dnsmasq.address);
	strncat(p, ".addr", sizeof(p) - strlen(p) - 1);
	built = util_read_file(p, 256, NULL);
	if (built == NULL || strcmp(built, want) != 0)
		strlist_addf(boot, "grub/%s was built for TFTP server %.*s, "
		    "but [dnsmasq] address is %s: run poolboot init-tftp",
		    TFTP_GRUB_PROXY_IMAGE, built != NULL ?
		    (int)strcspn(built, "\n") : 9, built != NULL ? built :
		    "(unknown)", cfg->dnsmasq.address);
	free(built);
}

void
tftp_grub_check_layout(const struct config *cfg, struct strlist *errors,
    struct strlist *notes)
{
	struct strlist *boot;
	char p[PATH_MAX];
	struct stat sb;
	int use;

	if ((use = tftp_grub_in_use(cfg)) == 0)
		return;
	/* a uefi host cannot boot without them when poolboot's dnsmasq
	 * points UEFI clients here; an auto host may be a BIOS machine */
	boot = use == 2 && cfg->dnsmasq.enabled ? errors : notes;
	snprintf(p, sizeof(p), "%s/grub/grubx64.efi", cfg->tftp_root);
	if (access(p, R_OK) == -1)
		strlist_addf(boot, "'%s' is missing (UEFI clients boot it; "
		    "hosts with firmware = %s): run poolboot init-tftp (it "
		    "builds it with grub-mkimage from the packages grub-common "
		    "and grub-efi-amd64-bin)", p, use == 2 ? "uefi" : "auto");
	snprintf(p, sizeof(p), "%s/grub/grub.cfg", cfg->tftp_root);
	if (access(p, R_OK) == -1)
		strlist_addf(boot, "'%s' is missing (GRUB's entry point; hosts "
		    "with firmware = %s): run poolboot init-tftp, or poolboot "
		    "serve writes it at start-up", p,
		    use == 2 ? "uefi" : "auto");
	if (tftp_grub_proxy(cfg))
		tftp_grub_check_proxy(cfg, boot, notes, use);
	snprintf(p, sizeof(p), "%s/grub/hosts", cfg->tftp_root);
	if (stat(p, &sb) == 0 && (!S_ISDIR(sb.st_mode) ||
	    access(p, W_OK) == -1))
		strlist_addf(errors, "'%s' is not a folder this user can write "
		    "(poolboot writes the hosts' GRUB files there)", p);
}

/* ---- poolboot init-tftp ----------------------------------------------- */

/* argv for mkimage: the modules of tftp_grub_modules (all must be in
 * moddir, else an error naming the package) and those of
 * tftp_grub_optional that moddir has. -1 if a module is missing. */
static int
tftp_grub_argv(const char *mkimage, const char *moddir, const char *prefix,
    const char *out, const char **argv, struct strlist *errors)
{
	char p[PATH_MAX];
	size_t i, n = 0;
	int ret = 0;

	argv[n++] = mkimage;
	argv[n++] = "-O";
	argv[n++] = "x86_64-efi";
	argv[n++] = "-p";
	argv[n++] = prefix;
	argv[n++] = "-d";
	argv[n++] = moddir;
	argv[n++] = "-o";
	argv[n++] = out;
	for (i = 0; i < sizeof(tftp_grub_modules) / sizeof(char *); i++) {
		snprintf(p, sizeof(p), "%s/%s.mod", moddir,
		    tftp_grub_modules[i]);
		if (access(p, R_OK) == -1) {
			strlist_addf(errors, "GRUB module %s is missing: "
			    "install the Debian package 'grub-efi-amd64-bin' "
			    "(apt-get install grub-efi-amd64-bin)", p);
			ret = -1;
		}
		argv[n++] = tftp_grub_modules[i];
	}
	for (i = 0; i < sizeof(tftp_grub_optional) / sizeof(char *); i++) {
		snprintf(p, sizeof(p), "%s/%s.mod", moddir,
		    tftp_grub_optional[i]);
		if (access(p, R_OK) == 0)
			argv[n++] = tftp_grub_optional[i];
	}
	argv[n] = NULL;
	return ret;
}

/* Runs argv (no shell) and waits for it. 0 when it exited 0, else -1 with
 * its output in errors. */
static int
tftp_grub_run(const char **argv, struct strlist *errors)
{
	char out[2048], how[96];
	int fd = -1, status;
	pid_t pid;

	if ((pid = proc_spawn(argv[0], (char *const *)(uintptr_t)argv, &fd, 0,
	    "GRUB image builder")) == -1) {
		strlist_addf(errors, "cannot run %s: %s", argv[0],
		    strerror(errno));
		return -1;
	}
	proc_read_all(fd, out, sizeof(out));
	close(fd);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			strlist_addf(errors, "%s: %s", argv[0],
			    strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	proc_describe_status(status, how, sizeof(how));
	out[strcspn(out, "\n")] = '\0';
	strlist_addf(errors, "%s %s%s%s", argv[0], how, out[0] ? ": " : "",
	    out);
	return -1;
}

/* The image in tmp replaces dst unless dst has the same bytes; tmp is
 * gone afterwards either way. */
static int
tftp_grub_install_image(const char *tmp, const char *dst, const char *prefix,
    struct strlist *report, struct strlist *errors)
{
	char *data = NULL, *cur = NULL;
	size_t len = 0, cur_len = 0;
	int ret = -1;

	if ((data = util_read_file(tmp, TFTP_GRUB_IMAGE_MAX, &len)) == NULL ||
	    len < 2 || memcmp(data, "MZ", 2) != 0) {
		strlist_addf(errors, "grub-mkimage left no EFI image in %s",
		    tmp);
		goto out;
	}
	cur = util_read_file(dst, TFTP_GRUB_IMAGE_MAX, &cur_len);
	if (cur != NULL && cur_len == len && memcmp(cur, data, len) == 0) {
		strlist_addf(report, "kept    %s (identical to a new build)",
		    dst);
		ret = 0;
		goto out;
	}
	if (chmod(tmp, 0644) == -1 || rename(tmp, dst) == -1) {
		strlist_addf(errors, "cannot write %s: %s", dst,
		    strerror(errno));
		goto out;
	}
	strlist_addf(report, "built   %s (grub-mkimage -O x86_64-efi -p %s, "
	    "modules built in; packages grub-common, grub-efi-amd64-bin)", dst,
	    prefix);
	ret = 0;
out:
	(void)unlink(tmp);
	free(data);
	free(cur);
	return ret;
}

/* grubdir/name, built by mkimage from moddir with prefix. */
static int
tftp_grub_image(const char *grubdir, const char *name, const char *prefix,
    const char *mkimage, const char *moddir, struct strlist *report,
    struct strlist *errors)
{
	const char *argv[9 + TFTP_GRUB_NMODS + 1];
	char dst[PATH_MAX], tmp[PATH_MAX];
	struct stat sb;

	if (!proc_binary_exists(mkimage)) {
		strlist_addf(errors, "%s is missing: install the Debian "
		    "package 'grub-common' (apt-get install grub-common "
		    "grub-efi-amd64-bin)", mkimage);
		return -1;
	}
	if (stat(moddir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		strlist_addf(errors, "%s is missing: install the Debian "
		    "package 'grub-efi-amd64-bin' (apt-get install "
		    "grub-efi-amd64-bin)", moddir);
		return -1;
	}
	if (snprintf(dst, sizeof(dst), "%s/%s", grubdir, name) >=
	    (int)sizeof(dst) || snprintf(tmp, sizeof(tmp),
	    "%s/%s.tmp.%ld", grubdir, name, (long)getpid()) >=
	    (int)sizeof(tmp)) {
		strlist_addf(errors, "%s: path too long", grubdir);
		return -1;
	}
	if (tftp_grub_argv(mkimage, moddir, prefix, tmp, argv, errors) == -1)
		return -1;
	(void)unlink(tmp);
	if (tftp_grub_run(argv, errors) == -1) {
		(void)unlink(tmp);
		return -1;
	}
	return tftp_grub_install_image(tmp, dst, prefix, report, errors);
}

/* Proxy-DHCP: GRUB's efinet takes the TFTP server from the site's DHCP
 * answer, not the proxy's, so the plain image would look for grub.cfg on
 * the wrong server: grubx64-proxy.efi names [dnsmasq] address in its
 * prefix, and grubx64-proxy.efi.addr records which address (for check).
 * Skipped with a note without proxy mode or an address. */
static int
tftp_grub_proxy_image(const struct config *cfg, const char *grubdir,
    const char *mkimage, const char *moddir, struct strlist *report,
    struct strlist *errors)
{
	char prefix[128], path[PATH_MAX], line[64], *cur;
	int ret = 0;

	if (!tftp_grub_proxy(cfg) || cfg->dnsmasq.address == NULL) {
		strlist_addf(report, "skipped %s/%s (only for [dnsmasq] dhcp = "
		    "proxy with an address)", grubdir, TFTP_GRUB_PROXY_IMAGE);
		return 0;
	}
	snprintf(prefix, sizeof(prefix), "(tftp,%s)%s", cfg->dnsmasq.address,
	    TFTP_GRUB_PREFIX);
	if (tftp_grub_image(grubdir, TFTP_GRUB_PROXY_IMAGE, prefix, mkimage,
	    moddir, report, errors) == -1)
		return -1;
	snprintf(line, sizeof(line), "%s\n", cfg->dnsmasq.address);
	if (snprintf(path, sizeof(path), "%s/%s.addr", grubdir,
	    TFTP_GRUB_PROXY_IMAGE) >= (int)sizeof(path)) {
		strlist_addf(errors, "%s: path too long", grubdir);
		return -1;
	}
	cur = util_read_file(path, 256, NULL);
	if (cur == NULL || strcmp(cur, line) != 0) {
		if (util_write_atomic(path, line, strlen(line), 0644) == -1) {
			strlist_addf(errors, "cannot write %s: %s", path,
			    strerror(errno));
			ret = -1;
		} else
			strlist_addf(report, "wrote   %s (the TFTP server "
			    "address built into %s)", path,
			    TFTP_GRUB_PROXY_IMAGE);
	}
	free(cur);
	return ret;
}

int
tftp_grub_init(const struct config *cfg, const char *root,
    const char *mkimage, const char *moddir, struct strlist *report,
    struct strlist *errors)
{
	char dir[PATH_MAX], path[PATH_MAX], err[PATH_MAX + 256];
	int ret = 0;

	if (mkimage == NULL)
		mkimage = TFTP_GRUB_MKIMAGE;
	if (moddir == NULL)
		moddir = TFTP_GRUB_MODDIR;
	if (snprintf(dir, sizeof(dir), "%s/grub/hosts", root) >=
	    (int)sizeof(dir)) {
		strlist_addf(errors, "%s: path too long", root);
		return -1;
	}
	if (util_mkdirs(dir, 0755) == -1) {
		strlist_addf(errors, "cannot create %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	dir[strlen(dir) - 6] = '\0';	/* root/grub */
	if (tftp_grub_image(dir, TFTP_GRUB_IMAGE, TFTP_GRUB_PREFIX, mkimage,
	    moddir, report, errors) == -1)
		ret = -1;
	else if (tftp_grub_proxy_image(cfg, dir, mkimage, moddir, report,
	    errors) == -1)
		ret = -1;
	switch (tftp_grub_main_cfg(cfg, root, path, err, sizeof(err))) {
	case -1:
		strlist_addf(errors, "%s", err);
		ret = -1;
		break;
	case 0:
		strlist_addf(report, "kept    %s (exists)", path);
		break;
	default:
		strlist_addf(report, "wrote   %s (GRUB's entry point: a host's "
		    "own grub/hosts/<mac>.cfg, else local boot)", path);
	}
	return ret;
}
