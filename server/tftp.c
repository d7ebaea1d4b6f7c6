/* tftp.c — see tftp.h. */
#include "tftp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	/* boot files: needed when poolboot's dnsmasq serves this tftp-root */
	boot = cfg->dnsmasq.enabled ? errors : notes;
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
	return 0;
}
