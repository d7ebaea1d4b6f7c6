/* coord_view.h — what coord_status shows of the pools' runs: the latest
 * run of each pool (or of one) with its hosts in plan order and the VMs
 * recorded to come back, read from the store. Read-only: it changes
 * nothing and takes no lock but the store's. coord.h declares the entry
 * point (coord_status) and includes this header for the types.
 */
#ifndef POOLBOOT_COORD_VIEW_H
#define POOLBOOT_COORD_VIEW_H

#include <stddef.h>

#include "config.h"
#include "store.h"

/* One pool's latest run, as coord_status sees it. */
struct coord_run_view {
	char	 pool[64];	/* the pool's name */
	int	 has_run;	/* 0: the pool never had a run (rest empty) */
	struct run run;
	struct run_host *hosts;	/* in plan order; none when the store could
				 * not read them */
	size_t	 nhosts;
	size_t	 hosts_done;	/* of them, done or skipped */
	struct run_vm *vms;	/* the VMs recorded to come back, by host
				 * (coord_place.h); none when the store
				 * could not read them */
	size_t	 nvms;
};

struct coord_status_report {
	struct coord_run_view *pools;	/* in configuration order */
	size_t	 npools;
};

/* The latest run of pool (every pool of cfg when pool is NULL) into *out
 * (free with coord_view_free). 0; 1 when cfg has no pool of that name
 * (*out empty); -1 out of memory or the store could not be read (*out
 * empty, err says which). */
int   coord_view_read(struct store *st, const struct config *cfg,
	    const char *pool, struct coord_status_report *out, char *err,
	    size_t errlen);
/* Frees what s holds and leaves it empty; an empty s and NULL are fine. */
void  coord_view_free(struct coord_status_report *s);

#endif
