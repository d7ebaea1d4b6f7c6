/* coord_report.h — the text report of a finished rolling upgrade (what
 * `poolboot status` prints and the API's run "report" holds): per host
 * its versions and times, and where its VMs went (coord_place.h): how
 * many came back, a warning for each that did not. Pure: built from what
 * the store holds, unit-tested.
 */
#ifndef POOLBOOT_COORD_REPORT_H
#define POOLBOOT_COORD_REPORT_H

#include <stddef.h>

#include "store.h"

/* The report of run with its n hosts (plan order) and the nvms VMs
 * recorded for them (store_run_vm_list; any order), into out (outlen >= 1;
 * cut at outlen - 1 bytes, always terminated). */
void  coord_report_build(const struct run *run, const struct run_host *hosts,
	    size_t n, const struct run_vm *vms, size_t nvms, char *out,
	    size_t outlen);

#endif
