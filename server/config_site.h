/* config_site.h — [server] site (config_site.c): the site an instance
 * serves, for several instances sharing one database (docs/scale-out.md,
 * "Sites, standbys and failover"). "" (the default) is today's single
 * instance: no lease is taken, nothing changes.
 */
#ifndef POOLBOOT_CONFIG_SITE_H
#define POOLBOOT_CONFIG_SITE_H

#include <stddef.h>

struct config_ini;
struct config_ini_section;

/* The longest site name, and the characters besides letters and digits
 * it may hold (it goes into lease names and log lines). */
#define CONFIG_SITE_MAX		63
#define CONFIG_SITE_CHARS	"-_."

/* Reads [server] site (sec) into site (of size bytes, > CONFIG_SITE_MAX;
 * left alone when the key is absent); a bad name is reported as
 * file:line through config_ini_err. */
void  config_site_load_server(struct config_ini *ini,
	    struct config_ini_section *sec, char *site, size_t size);

#endif
