/* store_hosts.h — many hosts' status and active arming at once, for the
 * lists that cover the whole inventory (GET /api/v1/hosts, /metrics,
 * start-up): store_host_status and store_active_arming one host at a
 * time cost three statements, three transactions and three lock
 * round-trips per host, seconds at 50,000 hosts. */
#ifndef POOLBOOT_STORE_HOSTS_H
#define POOLBOOT_STORE_HOSTS_H

#include <stddef.h>

#include "store.h"

/* How many hosts one call reads under the store's lock; callers with
 * more hosts call again (other threads get the store in between). */
#define STORE_HOSTS_CHUNK	512

/* For names[0..n-1] (n <= STORE_HOSTS_CHUNK): when hs is not NULL hs[i]
 * as store_host_status fills it, and when a is not NULL a[i] as store_active_arming fills it
 * with armed[i] 1, or armed[i] 0 when the host has no active arming.
 * One read transaction, statements prepared once. 0, or -1 on a
 * database error (logged; the arrays are then undefined). */
int   store_hosts_status(struct store *st, const char *const *names,
	    size_t n, struct host_status *hs, struct arming *a, int *armed);

#endif
