/* pool.h — the XAPI view of a pool, shared by the rolling-upgrade
 * coordinator, the prechecks and the jobs: a XAPI client for a configured
 * pool, a snapshot of the pool (pool record, hosts with their metrics, VMs
 * with their CD drives) read in a handful of calls however big the pool
 * is, the lookup of one host, who an inventory host is in XAPI (its
 * name_label, its management MAC, its address) and whether every other
 * host is up. Nothing here changes the pool.
 */
#ifndef POOLBOOT_POOL_H
#define POOLBOOT_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "xapi.h"

/* A XAPI client for pool p (its password read from password_file and
 * wiped after). NULL with err on failure. Caller frees with xapi_free. */
struct xapi *pool_xapi(const struct pool *p, char *err, size_t errlen);
/* pool_xapi for an admin API request (prechecks, upgrade start, abort):
 * each XAPI call gets p's xapi_timeout and none ends after deadline
 * (xapi_deadline_ms(config_pool_request_s(p) * 1000) when the request
 * came in), so that the request is answered, naming XAPI, before the
 * CLI gives up on it (client.c). */
struct xapi *pool_xapi_request(const struct pool *p, int64_t deadline,
	    char *err, size_t errlen);

struct pool_host {
	char	 ref[128];
	char	 uuid[40];
	char	 name[64];
	char	 address[64];
	char	 version[64];
	char	 build[64];
	char	 brand[64];	/* software_version's product_brand, e.g.
				 * "XCP-ng"; "" when XAPI names none */
	char	 boot_time[64];	/* "boot_time/agent_start_time" */
	int	 enabled;
	int	 live;
	int64_t	 mem_total;
	int64_t	 mem_free;
	int	 is_master;
	char	 mac[18];	/* its management PIF's MAC, lower case; ""
				 * unless read with POOL_SNAP_PIFS */
};

struct pool_vm {
	char	 ref[128];
	char	 name[128];
	char	 resident_on[128];
	int	 running;
	int	 control;
	int	 cd_inserted;
	int64_t	 memory;
};

struct pool_snapshot {
	char	 pool_ref[128];
	char	 master_ref[128];
	int	 ha_enabled;
	int	 wlb_enabled;
	struct pool_host *hosts;
	size_t	 nhosts;
	struct pool_vm *vms;
	size_t	 nvms;
};

/* What pool_snapshot_take reads besides the pool, hosts and metrics. */
#define POOL_SNAP_VMS	0x1	/* VMs and their CD drives (VBDs) */
#define POOL_SNAP_PIFS	0x2	/* PIFs: each host's management MAC */

/* Reads pool, hosts, host metrics and what the POOL_SNAP_* bits of what
 * ask for into s. 0, or -1 with err (s is then empty). Free with
 * pool_snapshot_free. */
int   pool_snapshot_take(struct xapi *x, struct pool_snapshot *s, int what,
	    struct xapi_error *err);
/* Reads only the host with XAPI ref ref (host.get_record and its
 * host_metrics record: two small calls) into s as its one host; the
 * host's is_master is 0 (unknown). 0, or -1 with err (s then empty). */
int   pool_snapshot_one(struct xapi *x, const char *ref,
	    struct pool_snapshot *s, struct xapi_error *err);
/* Frees what s holds and leaves it empty; an empty s is fine. */
void  pool_snapshot_free(struct pool_snapshot *s);
/* The host of s with name_label name, or NULL. Points into s. */
const struct pool_host *pool_snapshot_host(const struct pool_snapshot *s,
	    const char *name);

struct pool_host_info {
	char	 ref[128];
	char	 name[64];
	char	 address[64];
	char	 version[64];
	int	 live;
	int	 enabled;
	int	 is_master;
};
/* Looks a host up in the pool that x talks to, by name_label (name, may be
 * NULL) or by address (addr, may be NULL). 0 found, 1 not found, -1 XAPI
 * error (err). master_addr (may be NULL) gets the master's address. */
int   pool_find_host(struct xapi *x, const char *name, const char *addr,
	    struct pool_host_info *out, char *master_addr, size_t malen,
	    struct xapi_error *err);

/* Who an inventory host is in XAPI: a host record that matches any field
 * set here is that host, whatever the others say (a host renamed by hand
 * is still recognised by its MAC). */
struct pool_ident {
	const char *name;	/* name_label, or NULL */
	const char *mac;	/* the inventory's mac, any case, or NULL:
				 * compared with the host's management MAC
				 * (s read with POOL_SNAP_PIFS) */
	const char *addr;	/* host.address, or NULL */
};

#define POOL_BY_NAME	0x1
#define POOL_BY_MAC	0x2
#define POOL_BY_ADDR	0x4

/* Which fields of id host h matches (POOL_BY_* bits; 0: another host). */
unsigned pool_host_matches(const struct pool_host *h,
	    const struct pool_ident *id);
/* "name_label and management MAC": the words for match bits m, in buf. */
const char *pool_match_words(unsigned m, char *buf, size_t len);

/* Whether every host of s other than the one with ref self_ref (may be
 * NULL) and those matching self (may be NULL) is live and enabled: 0
 * yes; -1 no, with err naming them ("not live: a, b; disabled: c"). */
int   pool_others_up(const struct pool_snapshot *s, const char *self_ref,
	    const struct pool_ident *self, char *err, size_t errlen);

#endif
