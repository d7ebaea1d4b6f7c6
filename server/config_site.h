/* config_site.h — the `site` keys (config_site.c), for several instances
 * sharing one database (docs/scale-out.md, "Sites, standbys and
 * failover"): [server] site is the site this instance serves ("", the
 * default: today's single instance, no lease, nothing changes); [pool
 * NAME] site and [host NAME] site the site whose network a pool's or a
 * host's machines boot on (site.h: a host inherits its pool's).
 */
#ifndef POOLBOOT_CONFIG_SITE_H
#define POOLBOOT_CONFIG_SITE_H

#include <stddef.h>

struct config_ini;
struct config_ini_kv;

/* The longest site name, and the characters besides letters and digits
 * it may hold (it goes into lease names and log lines). */
#define CONFIG_SITE_MAX		63
#define CONFIG_SITE_CHARS	"-_."

/* A `site = NAME` line ([server], [pool NAME], [host NAME] or
 * [defaults]) into site (of size bytes, > CONFIG_SITE_MAX); a bad name is
 * reported as file:line through config_ini_err and leaves site alone. */
void  config_site_set(struct config_ini *ini, const struct config_ini_kv *kv,
	    char *site, size_t size);

#endif
