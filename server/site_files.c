/* site_files.c — whose boot files and dnsmasq entries this instance
 * writes; see site_files.h. */
#include "site_files.h"

#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "site.h"
#include "tftp.h"
#include "tftp_grub.h"

int
site_files_host(const struct config *cfg, const struct host *h)
{
	return cfg->site[0] == '\0' || site_owns_host(cfg, h);
}

/* 1 when path (NULL: out of memory) names an existing file. */
static int
site_files_exists(const char *path)
{
	return path != NULL && access(path, F_OK) == 0;
}

int
site_files_drop(const struct config *cfg, const struct host *h)
{
	char *pxe = NULL, *grub = NULL;
	const char *site;
	int ret = -1;

	if ((pxe = tftp_pxe_path(cfg, h)) == NULL ||
	    (grub = tftp_grub_path(cfg, h)) == NULL) {
		log_error("arm", "out of memory");
		goto out;
	}
	if (!site_files_exists(pxe) && !site_files_exists(grub)) {
		ret = 0;
		goto out;
	}
	if (tftp_remove_host(cfg, h) == -1)
		goto out;
	site = site_of_host(cfg, h);
	if (site[0] == '\0')
		log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name, "per-MAC "
		    "files of %s removed: the host names no site, and this "
		    "instance writes boot files for site '%s' only", h->mac,
		    cfg->site);
	else
		log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name, "per-MAC "
		    "files of %s removed: the host is of site '%s', and this "
		    "instance writes boot files for site '%s' only", h->mac,
		    site, cfg->site);
	ret = 0;
out:
	free(pxe);
	free(grub);
	return ret;
}
