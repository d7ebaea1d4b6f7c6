/* site_files.h — whose boot files and dnsmasq entries this instance
 * writes (site_files.c), for several instances of different sites
 * sharing one database and one inventory (docs/scale-out.md, "Sites,
 * standbys and failover").
 *
 * An instance with [server] site writes and keeps tftp-root's per-MAC
 * files (pxelinux.cfg/01-<mac>, grub/hosts/<mac>.cfg) and dnsmasq's
 * hostsdir entries only for the hosts of its own site (site.h: a host's
 * own site, else its pool's); another site's host, or one that names no
 * site, gets nothing from it, and its per-MAC files found in tftp-root at
 * start are removed. Without [server] site: every inventory host, as
 * before sites existed.
 */
#ifndef POOLBOOT_SITE_FILES_H
#define POOLBOOT_SITE_FILES_H

struct config;
struct host;

/* 1 when this instance writes h's boot files and dnsmasq entry: cfg has
 * no [server] site, or h is of cfg's site. Else 0. */
int   site_files_host(const struct config *cfg, const struct host *h);

/* Removes h's per-MAC files from cfg's tftp-root (h is not this
 * instance's: site_files_host 0), logging when there was one; missing
 * ones are fine. The store (h's arming, its events) is not touched: it
 * is h's own site's instance's. 0, or -1 (logged). */
int   site_files_drop(const struct config *cfg, const struct host *h);

#endif
