/* store_run_vm.h — the VMs of a rolling upgrade's hosts (store_run_vm.c,
 * table run_vms): per run and host, the VMs that ran on the host before
 * it was evacuated, written before the evacuation starts, and what became
 * of each when the coordinator brought it back (coord_place.h). A row is
 * written once per (run, host, VM uuid): recording again after a restart
 * adds no duplicate and never forgets a VM that the first evacuation had
 * already moved away. store.h includes this header. Every function
 * returns 0 on success and -1 on a database error (logged), unless noted.
 */
#ifndef POOLBOOT_STORE_RUN_VM_H
#define POOLBOOT_STORE_RUN_VM_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct run_vm {
	int64_t	 run_id;
	char	 host[64];		/* the host it goes back to */
	char	 vm_uuid[40];
	char	 vm_name[128];
	int	 ord;			/* recording order within the host */
	char	 result[16];		/* "" not tried yet; else a
					 * coord_place result: "moved",
					 * "home", "failed", "gone", ... */
	char	 from_host[64];		/* where it was when tried */
	char	 message[256];		/* why, for anything but "moved" */
	int64_t	 updated_at;
};

/* Records v (by run_id, host, vm_uuid) unless it is there already: then
 * nothing changes (its result stays). */
int   store_run_vm_add(struct store *st, const struct run_vm *v);
/* The VMs of run run_id, of host host only unless host is NULL, in host
 * then recording order; *out malloc'd (caller frees with free(); NULL
 * when *n is 0). */
int   store_run_vm_list(struct store *st, int64_t run_id, const char *host,
	    struct run_vm **out, size_t *n);
/* Writes v's result, from_host, message and updated_at (by run_id, host,
 * vm_uuid); -1 also when there is no such row. */
int   store_run_vm_update(struct store *st, const struct run_vm *v);

#endif
