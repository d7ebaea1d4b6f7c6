/* tftp.c — the TFTP tree; see tftp.h.
 *
 * Nothing here decides what a host boots: arm.c does, with the store as
 * the truth, and calls tftp_write_pxe/tftp_write_local (and tftp_grub.c's
 * writers) in the order its crash notes (arm.h) require. The GRUB tree is
 * tftp_grub.c's; the reconcile, check and init-tftp here call into it. The one repo-link routine serves both the
 * start-up reconcile (which logs) and init-tftp (which reports).
 */
#include "tftp.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "render.h"

#define TFTP_PXE_MAX		(64 * 1024)	/* a per-MAC file is a few lines */
#define TFTP_BOOT_FILE_MAX	(16 * 1024 * 1024)
#define TFTP_SRC_PXELINUX	"/usr/lib/PXELINUX"
#define TFTP_SRC_MODULES	"/usr/lib/syslinux/modules/bios"
/* the start-up reconcile's log lines are arm's start-up check's */
#define TFTP_LOG		"arm"

/* Whether pxelinux's boot files are needed: a host with firmware bios or
 * auto, or no host at all (nothing says the network has no BIOS). */
static int
tftp_pxe_in_use(const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nhosts; i++)
		if (cfg->hosts[i].firmware != HOST_FIRMWARE_UEFI)
			return 1;
	return cfg->nhosts == 0;
}

int
tftp_check_layout(const struct config *cfg, struct strlist *errors,
    struct strlist *notes)
{
	static const char *loaders[] = { "ldlinux.c32", "mboot.c32",
	    "libcom32.c32" };
	struct strlist *boot;
	char p[4096];
	struct stat sb;
	size_t i;

	if (stat(cfg->tftp_root, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		strlist_addf(errors, "tftp_root '%s' is not a folder (create it, "
		    "or point tftp_root at the TFTP server's root)",
		    cfg->tftp_root);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/pxelinux.cfg", cfg->tftp_root);
	if (stat(p, &sb) == -1 || !S_ISDIR(sb.st_mode))
		strlist_addf(errors, "'%s' is missing (poolboot writes per-MAC "
		    "files there; mkdir it)", p);
	else if (access(p, W_OK) == -1)
		strlist_addf(errors, "'%s' is not writable by this user: %s", p,
		    strerror(errno));
	snprintf(p, sizeof(p), "%s/pxelinux.cfg/default", cfg->tftp_root);
	if (access(p, R_OK) == -1)
		strlist_addf(notes, "'%s' is missing; poolboot serve writes a "
		    "local-boot default", p);
	/* boot files: needed when poolboot's dnsmasq serves this tftp-root
	 * and a host (or an unknown MAC) boots pxelinux */
	boot = cfg->dnsmasq.enabled && tftp_pxe_in_use(cfg) ? errors : notes;
	snprintf(p, sizeof(p), "%s/%s", cfg->tftp_root,
	    cfg->boot_files == BOOT_FILES_HTTP ? "lpxelinux.0" : "pxelinux.0");
	if (access(p, R_OK) == -1)
		strlist_addf(boot, "'%s' is missing: run poolboot init-tftp (it "
		    "copies it from the pxelinux package, /usr/lib/PXELINUX/)", p);
	for (i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", cfg->tftp_root, loaders[i]);
		if (access(p, R_OK) == -1)
			strlist_addf(boot, "'%s' is missing: run poolboot "
			    "init-tftp (it copies it from the syslinux-common "
			    "package, /usr/lib/syslinux/modules/bios/)", p);
	}
	tftp_grub_check_layout(cfg, errors, notes);
	return 0;
}

/* ---- per-MAC files ---------------------------------------------------- */

char *
tftp_pxe_path(const struct config *cfg, const struct host *h)
{
	char name[21];
	char *p;

	util_mac_pxe_name(h->mac, name);
	if (asprintf(&p, "%s/pxelinux.cfg/%s", cfg->tftp_root, name) < 0)
		return NULL;
	return p;
}

int
tftp_remove_host(const struct config *cfg, const struct host *h)
{
	char *path[2];
	int i, ret = 0;

	path[0] = tftp_pxe_path(cfg, h);
	path[1] = tftp_grub_path(cfg, h);
	for (i = 0; i < 2; i++)
		if (path[i] == NULL || (unlink(path[i]) == -1 &&
		    errno != ENOENT)) {
			log_error("arm", "cannot remove %s: %s", path[i] ?
			    path[i] : "a per-MAC file", path[i] ?
			    strerror(errno) : "out of memory");
			ret = -1;
		}
	free(path[0]);
	free(path[1]);
	return ret;
}

int
tftp_read_pxe(const struct config *cfg, const struct host *h, char **text)
{
	char *path;

	*text = NULL;
	if ((path = tftp_pxe_path(cfg, h)) == NULL)
		return -1;
	*text = util_read_file(path, TFTP_PXE_MAX, NULL);
	free(path);
	return 0;
}

int
tftp_write_pxe(const struct config *cfg, const struct host *h,
    const char *text, char *err, size_t errlen)
{
	char *path;
	int ret = -1;

	if ((path = tftp_pxe_path(cfg, h)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
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
tftp_write_local(const struct config *cfg, const struct host *h, char *err,
    size_t errlen)
{
	char why[256];
	char *text;
	int ret;

	if ((text = render_pxelinux_local(cfg, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "cannot render local boot entry: %s", why);
		return -1;
	}
	ret = tftp_write_pxe(cfg, h, text, err, errlen);
	free(text);
	return ret;
}

/* ---- repo links ------------------------------------------------------- */

/* What tftp_link_repo found or did. */
enum tftp_link {
	TFTP_LINK_INVALID,	/* repo without a valid name or path */
	TFTP_LINK_KEPT,		/* the link already points at the repo */
	TFTP_LINK_FOREIGN,	/* not a symlink: the operator's, left alone */
	TFTP_LINK_LINKED,	/* (re)made */
	TFTP_LINK_TOOLONG,	/* a path would not fit */
	TFTP_LINK_FAILED	/* err says why */
};

/* root/repo/<name> -> r->path, so that TFTP paths of boot files resolve;
 * link gets root/repo/<name>. */
static enum tftp_link
tftp_link_repo(const char *root, const struct repo *r, char link[PATH_MAX],
    char *err, size_t errlen)
{
	char dir[PATH_MAX], tmp[PATH_MAX], cur[PATH_MAX];
	char rnd[UTIL_TOKEN_LEN + 1];
	struct stat sb;
	ssize_t n;
	int tries;

	link[0] = '\0';
	if (r->name == NULL || r->path == NULL || !util_valid_name(r->name))
		return TFTP_LINK_INVALID;
	if (snprintf(dir, sizeof(dir), "%s/repo", root) >= (int)sizeof(dir) ||
	    snprintf(link, PATH_MAX, "%s/%s", dir, r->name) >= PATH_MAX)
		return TFTP_LINK_TOOLONG;
	if (util_mkdirs(dir, 0755) == -1) {
		snprintf(err, errlen, "cannot create %s: %s", dir,
		    strerror(errno));
		return TFTP_LINK_FAILED;
	}
	if (lstat(link, &sb) == 0) {
		if (!S_ISLNK(sb.st_mode))
			return TFTP_LINK_FOREIGN;
		if ((n = readlink(link, cur, sizeof(cur) - 1)) >= 0) {
			cur[n] = '\0';
			if (strcmp(cur, r->path) == 0)
				return TFTP_LINK_KEPT;
		}
	}
	/* the new link under a random name nobody can have made first
	 * (symlink(2) never follows or replaces what is there), then renamed
	 * over the old one */
	for (tries = 0;; tries++) {
		if (util_random_token(rnd) == -1) {
			snprintf(err, errlen, "no random bytes for a temp name");
			return TFTP_LINK_FAILED;
		}
		if (snprintf(tmp, sizeof(tmp), "%s/.%s.tmp.%.16s", dir, r->name,
		    rnd) >= (int)sizeof(tmp))
			return TFTP_LINK_TOOLONG;
		if (symlink(r->path, tmp) == 0)
			break;
		if (errno != EEXIST || tries == 8) {
			snprintf(err, errlen, "cannot make a link in %s: %s",
			    dir, strerror(errno));
			return TFTP_LINK_FAILED;
		}
	}
	if (rename(tmp, link) == -1) {
		snprintf(err, errlen, "cannot link %s -> %s: %s", link, r->path,
		    strerror(errno));
		(void)unlink(tmp);
		return TFTP_LINK_FAILED;
	}
	return TFTP_LINK_LINKED;
}

/* ---- start-up reconcile ----------------------------------------------- */

/* tftp_root/pxelinux.cfg and its default, -1 when a path is too long. */
static int
tftp_pxe_dir(const struct config *cfg, char dir[PATH_MAX],
    char def[PATH_MAX])
{
	if (snprintf(dir, PATH_MAX, "%s/pxelinux.cfg", cfg->tftp_root) >=
	    PATH_MAX ||
	    snprintf(def, PATH_MAX, "%s/default", dir) >= PATH_MAX)
		return -1;
	return 0;
}

void
tftp_local_free(struct tftp_local *local)
{
	free(local->pxe);
	free(local->grub);
	local->pxe = local->grub = NULL;
}

int
tftp_reconcile_begin(const struct config *cfg, struct tftp_local *local)
{
	char dir[PATH_MAX], def[PATH_MAX], err[256];

	local->pxe = local->grub = NULL;
	if (tftp_pxe_dir(cfg, dir, def) == -1) {
		log_error(TFTP_LOG, "tftp_root path too long");
		return -1;
	}
	if (util_mkdirs(dir, 0755) == -1) {
		log_error(TFTP_LOG, "cannot create %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if ((local->pxe = render_pxelinux_local(cfg, err, sizeof(err))) ==
	    NULL) {
		log_error(TFTP_LOG, "cannot render the local boot entry: %s",
		    err);
		return -1;
	}
	if (tftp_grub_reconcile_begin(cfg, &local->grub) == -1) {
		tftp_local_free(local);
		return -1;
	}
	return 0;
}

/* Warns about per-MAC files of MACs the inventory does not know, and
 * removes temp files an interrupted atomic write left behind. */
static void
tftp_scan_pxe_dir(const struct config *cfg, const char *dir)
{
	struct dirent *de;
	char mac[18], path[PATH_MAX];
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "01-", 3) != 0 &&
		    strncmp(de->d_name, "default", 7) != 0)
			continue;
		if (strstr(de->d_name, ".tmp.") != NULL) {
			if (snprintf(path, sizeof(path), "%s/%s", dir,
			    de->d_name) < (int)sizeof(path))
				(void)unlink(path);
			continue;
		}
		if (strlen(de->d_name) != 20 ||
		    util_mac_parse(de->d_name + 3, mac, NULL) == -1)
			continue;
		if (config_host_by_mac(cfg, mac) == NULL)
			log_warn(TFTP_LOG, "%s/%s belongs to no inventory host "
			    "(MAC %s); left alone", dir, de->d_name, mac);
	}
	closedir(d);
}

/* The start-up reconcile's repo link: logged. 0, or -1 on failure. */
static int
tftp_reconcile_link(const struct config *cfg, const struct repo *r)
{
	char link[PATH_MAX], err[PATH_MAX * 2 + 64];

	switch (tftp_link_repo(cfg->tftp_root, r, link, err, sizeof(err))) {
	case TFTP_LINK_INVALID:
		log_warn(TFTP_LOG, "repo without a valid name or path; not "
		    "linked into tftp-root");
		return 0;
	case TFTP_LINK_TOOLONG:
		log_error(TFTP_LOG, "repo %s: tftp path too long", r->name);
		return -1;
	case TFTP_LINK_FAILED:
		log_error(TFTP_LOG, "%s", err);
		return -1;
	case TFTP_LINK_FOREIGN:
		log_warn(TFTP_LOG, "%s exists and is not a symlink; left "
		    "alone (it should be repo %s)", link, r->name);
		return 0;
	case TFTP_LINK_KEPT:
		return 0;
	case TFTP_LINK_LINKED:
		break;
	}
	log_info(TFTP_LOG, "tftp: %s -> %s", link, r->path);
	return 0;
}

int
tftp_reconcile_tree(const struct config *cfg, const struct tftp_local *local)
{
	char dir[PATH_MAX], def[PATH_MAX];
	size_t i;
	int ret = 0;

	if (tftp_pxe_dir(cfg, dir, def) == -1)
		return -1;	/* tftp_reconcile_begin said so */
	tftp_scan_pxe_dir(cfg, dir);
	if (access(def, F_OK) == -1) {
		/* unknown MACs fall through to default: it boots locally */
		if (util_write_atomic(def, local->pxe, strlen(local->pxe),
		    0644) == -1) {
			log_error(TFTP_LOG, "cannot write %s: %s", def,
			    strerror(errno));
			ret = -1;
		} else
			log_info(TFTP_LOG, "wrote %s (local boot)", def);
	}
	if (tftp_grub_reconcile_tree(cfg) == -1)
		ret = -1;
	if (cfg->boot_files == BOOT_FILES_TFTP)
		for (i = 0; i < cfg->nrepos; i++)
			if (tftp_reconcile_link(cfg, &cfg->repos[i]) == -1)
				ret = -1;
	return ret;
}

/* ---- poolboot init-tftp ----------------------------------------------- */

static const struct {
	const char *name;
	int	    modules;	/* from the modules folder, else PXELINUX */
	const char *package;
} tftp_boot_files[] = {
	{ "pxelinux.0", 0, "pxelinux" },
	{ "lpxelinux.0", 0, "pxelinux" },
	{ "ldlinux.c32", 1, "syslinux-common" },
	{ "mboot.c32", 1, "syslinux-common" },
	{ "libcom32.c32", 1, "syslinux-common" },
};

/* Copies src to dst atomically unless dst already has the same bytes. */
static int
tftp_copy_file(const char *src, const char *dst, struct strlist *report,
    struct strlist *errors, const char *package)
{
	char *data = NULL, *cur = NULL;
	size_t len = 0, cur_len = 0;
	int ret = -1;

	if ((data = util_read_file(src, TFTP_BOOT_FILE_MAX, &len)) == NULL) {
		if (errno == ENOENT)
			strlist_addf(errors, "%s is missing: install the Debian "
			    "package '%s' (apt-get install %s)", src, package,
			    package);
		else
			strlist_addf(errors, "cannot read %s: %s", src,
			    strerror(errno));
		goto out;
	}
	cur = util_read_file(dst, TFTP_BOOT_FILE_MAX, &cur_len);
	if (cur != NULL && cur_len == len && memcmp(cur, data, len) == 0) {
		strlist_addf(report, "kept    %s (identical to %s)", dst, src);
		ret = 0;
		goto out;
	}
	if (util_write_atomic(dst, data, len, 0644) == -1) {
		strlist_addf(errors, "cannot write %s: %s", dst, strerror(errno));
		goto out;
	}
	strlist_addf(report, "copied  %s from %s (package %s)", dst, src,
	    package);
	ret = 0;
out:
	free(data);
	free(cur);
	return ret;
}

/* The boot loaders and modules into root. 0, or -1 if one failed. */
static int
tftp_copy_boot_files(const char *root, const char *src_pxelinux,
    const char *src_modules, struct strlist *report, struct strlist *errors)
{
	char src[PATH_MAX], dst[PATH_MAX];
	size_t i;
	int ret = 0;

	for (i = 0; i < sizeof(tftp_boot_files) / sizeof(tftp_boot_files[0]);
	    i++) {
		if (snprintf(src, sizeof(src), "%s/%s",
		    tftp_boot_files[i].modules ? src_modules : src_pxelinux,
		    tftp_boot_files[i].name) >= (int)sizeof(src) ||
		    snprintf(dst, sizeof(dst), "%s/%s", root,
		    tftp_boot_files[i].name) >= (int)sizeof(dst)) {
			strlist_addf(errors, "%s: path too long", root);
			ret = -1;
			continue;
		}
		if (tftp_copy_file(src, dst, report, errors,
		    tftp_boot_files[i].package) == -1)
			ret = -1;
	}
	return ret;
}

/* pxelinux.cfg/default = local boot in pxedir unless there is one. */
static int
tftp_init_default(const struct config *cfg, const char *pxedir,
    struct strlist *report, struct strlist *errors)
{
	char dst[PATH_MAX], err[512];
	char *local = NULL;
	int ret = -1;

	if (snprintf(dst, sizeof(dst), "%s/default", pxedir) >=
	    (int)sizeof(dst)) {
		strlist_addf(errors, "%s: path too long", pxedir);
		goto out;
	}
	if (access(dst, F_OK) == 0)
		strlist_addf(report, "kept    %s (exists)", dst);
	else if ((local = render_pxelinux_local(cfg, err, sizeof(err))) == NULL) {
		strlist_addf(errors, "cannot render the local-boot default: %s",
		    err);
		goto out;
	} else if (util_write_atomic(dst, local, strlen(local), 0644) == -1) {
		strlist_addf(errors, "cannot write %s: %s", dst, strerror(errno));
		goto out;
	} else
		strlist_addf(report, "wrote   %s (local boot: unknown MACs boot "
		    "from their disk)", dst);
	ret = 0;
out:
	free(local);
	return ret;
}

/* init-tftp's repo link: reported. 0, or -1 on failure. */
static int
tftp_init_link(const char *root, const struct repo *r,
    struct strlist *report, struct strlist *errors)
{
	char link[PATH_MAX], err[PATH_MAX * 2 + 64];

	switch (tftp_link_repo(root, r, link, err, sizeof(err))) {
	case TFTP_LINK_INVALID:
		return 0;
	case TFTP_LINK_TOOLONG:
		strlist_addf(errors, "%s/repo/%s: path too long", root, r->name);
		return -1;
	case TFTP_LINK_FAILED:
		strlist_addf(errors, "%s", err);
		return -1;
	case TFTP_LINK_FOREIGN:
		strlist_addf(report, "kept    %s (not a symlink: left alone; "
		    "it should hold repo %s)", link, r->name);
		return 0;
	case TFTP_LINK_KEPT:
		strlist_addf(report, "kept    %s -> %s", link, r->path);
		return 0;
	case TFTP_LINK_LINKED:
		break;
	}
	strlist_addf(report, "linked  %s -> %s (repo %s)", link, r->path,
	    r->name);
	return 0;
}

int
tftp_init_root(const struct config *cfg, const char *root,
    const struct tftp_src *src, struct strlist *report,
    struct strlist *errors)
{
	static const struct tftp_src none;
	const char *src_pxelinux, *src_modules;
	char pxedir[PATH_MAX];
	size_t i;
	int ret = 0;

	if (src == NULL)
		src = &none;
	if ((src_pxelinux = src->pxelinux) == NULL)
		src_pxelinux = TFTP_SRC_PXELINUX;
	if ((src_modules = src->modules) == NULL)
		src_modules = TFTP_SRC_MODULES;
	if (snprintf(pxedir, sizeof(pxedir), "%s/pxelinux.cfg", root) >=
	    (int)sizeof(pxedir)) {
		strlist_addf(errors, "%s: path too long", root);
		return -1;
	}
	if (util_mkdirs(pxedir, 0755) == -1) {
		strlist_addf(errors, "cannot create %s: %s", pxedir,
		    strerror(errno));
		return -1;
	}
	if (tftp_copy_boot_files(root, src_pxelinux, src_modules, report,
	    errors) == -1)
		ret = -1;
	if (tftp_init_default(cfg, pxedir, report, errors) == -1)
		ret = -1;
	if (tftp_grub_init(cfg, root, src->grub_mkimage, src->grub_modules,
	    report, errors) == -1)
		ret = -1;
	if (cfg->boot_files == BOOT_FILES_TFTP)
		for (i = 0; i < cfg->nrepos; i++)
			if (tftp_init_link(root, &cfg->repos[i], report,
			    errors) == -1)
				ret = -1;
	return ret;
}
