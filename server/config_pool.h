/* config_pool.h — the [pool NAME] sections of the config: the XAPI
 * address list and its TLS pins, the credentials, the rolling-upgrade
 * timeouts and the VM placement (config.h: struct pool); and the form
 * every URL poolboot hands to hosts or XAPI must have (also public_url).
 * Called by config_load (config.c) only; problems go through
 * config_ini_err as "file:line: message".
 */
#ifndef POOLBOOT_CONFIG_POOL_H
#define POOLBOOT_CONFIG_POOL_H

#include <stddef.h>

#include "util.h"

struct config_ini;
struct config_ini_section;
struct host;
struct repo;

struct pool {
	char	*name;
	char	*xapi;			/* the first of xapi_urls */
	struct strlist xapi_urls;	/* xapi = URL[, URL...]: the addresses
					 * poolboot tries in order (pool_addr.h) */
	struct strlist member_addrs;	/* the ip of every inventory host of
					 * this pool: tried after xapi_urls */
	char	*username;
	char	*password_file;		/* absolute */
	char	*tls_ca;		/* absolute, may be NULL */
	char	*tls_fingerprint;	/* the first of tls_pins, may be NULL */
	struct strlist tls_pins;	/* tls_fingerprint = PIN[, PIN...]: one
					 * per host (each has its own cert) */
	int	 tls_verify;		/* 0 only with tls_verify = no */
	char	*repo_name;
	struct repo *repo;
	/* rolling upgrade: step timeouts (seconds) and XAPI poll interval */
	int	 evacuate_timeout;	/* default 1800 */
	int	 install_timeout;	/* default 5400 */
	int	 rejoin_timeout;	/* default 1200 */
	int	 step_timeout;		/* other steps, XAPI retries; default 600 */
	int	 poll_ms;		/* default 1000 */
	int	 xapi_timeout;		/* s per XAPI call while answering an
					 * admin request; default 30 */
	int	 placement_leave;	/* placement = leave; default return */
	char	 site[64];		/* site = NAME; "": none (site.h) */
	int	 line;
};

/* 1 when s is an http:// URL (https:// too with allow_https) of at most
 * 200 characters of [A-Za-z0-9:/._~%-[]] with something after the
 * scheme (no spaces, quotes or query strings), else 0. */
int   config_pool_url_ok(const char *s, int allow_https);

/* Fills the zeroed p from the [pool NAME] section sec; relative paths are
 * taken relative to dir (the config file's folder). */
void  config_pool_load(struct config_ini *ini, const char *dir,
	    struct config_ini_section *sec, struct pool *p);

/* The longest, in seconds, an admin API request (precheck, upgrade
 * start, abort) spends on p's XAPI: CONFIG_POOL_REQUEST_CALLS times
 * xapi_timeout (a login and a few calls). The server cuts its XAPI
 * calls there (pool_xapi_request); the CLI waits longer than that for
 * any pool's (client.c), so that it prints the server's answer. */
#define CONFIG_POOL_REQUEST_CALLS	4
int   config_pool_request_s(const struct pool *p);

/* After the hosts are loaded: each pool's member_addrs = the inventory
 * ips of its hosts (pool_addr.h tries them when the xapi URLs fail). */
void  config_pool_members(struct host *hosts, size_t nhosts);

#endif
