/* pool.h — the XAPI view of a pool, shared by the rolling-upgrade
 * coordinator, the prechecks and the jobs: a XAPI client for a configured
 * pool, a snapshot of the pool (pool record, hosts with their metrics, VMs
 * with their CD drives) read in a handful of calls however big the pool
 * is, and the lookup of one host. Nothing here changes the pool.
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

struct pool_host {
	char	 ref[128];
	char	 name[64];
	char	 address[64];
	char	 version[64];
	char	 build[64];
	char	 boot_time[64];	/* "boot_time/agent_start_time" */
	int	 enabled;
	int	 live;
	int64_t	 mem_total;
	int64_t	 mem_free;
	int	 is_master;
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

/* Reads pool, hosts, host metrics and, when full, VMs and VBDs into s.
 * 0, or -1 with err (s is then empty). Free with pool_snapshot_free. */
int   pool_snapshot_take(struct xapi *x, struct pool_snapshot *s, int full,
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

#endif
