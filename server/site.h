/* site.h — whose pools and hosts are these (site.c), for several
 * instances sharing one database (docs/scale-out.md, "Sites, standbys
 * and failover").
 *
 * A host's site is its own `site` key, else its pool's, else "" (no
 * site); a pool's is its `site` key, else "". An instance acts (runs,
 * rebuild/install jobs, arming by the coordinator) only on the pools and
 * hosts of its own site ([server] site); it knows and shows the others.
 * A configuration without any site key is one site, "", this instance's:
 * nothing changes. With [server] site set, a pool or host that names no
 * site is no instance's to act on (never two sites' at once): the
 * refusal says which key to set.
 */
#ifndef POOLBOOT_SITE_H
#define POOLBOOT_SITE_H

#include <stddef.h>

struct config;
struct host;
struct pool;

/* The site of p, or of h: never NULL ("" is the site of an instance
 * with no [server] site). */
const char *site_of_pool(const struct config *cfg, const struct pool *p);
const char *site_of_host(const struct config *cfg, const struct host *h);

/* 1 when this instance (cfg's [server] site) owns pool p, or host h. */
int   site_owns_pool(const struct config *cfg, const struct pool *p);
int   site_owns_host(const struct config *cfg, const struct host *h);

/* 1 when the pool named pool (or the host named host) is in cfg but of
 * another site, with err saying whose and where to ask; else 0 (not in
 * cfg, or this instance's: the caller goes on). */
int   site_refuse_pool(const struct config *cfg, const char *pool,
	    char *err, size_t errlen);
int   site_refuse_host(const struct config *cfg, const char *host,
	    char *err, size_t errlen);

#endif
