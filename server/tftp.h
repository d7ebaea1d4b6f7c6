/* tftp.h — the TFTP tree (tftp_root) that PXE clients boot from:
 * pxelinux.0 / lpxelinux.0 and the syslinux modules, pxelinux.cfg/default,
 * one pxelinux.cfg/01-<mac> per inventory host, and the repo links that
 * TFTP boots read the Xen and installer kernels through.
 */
#ifndef POOLBOOT_TFTP_H
#define POOLBOOT_TFTP_H

#include "config.h"
#include "util.h"

/* Checks that cfg->tftp_root is laid out for poolboot (poolboot check):
 * what stops poolboot from working goes to errors, what it will fix or
 * only needs in some set-ups to notes; the boot files are errors when
 * poolboot's dnsmasq serves this tree, else notes. -1 when tftp_root is
 * not a folder at all (nothing else checked), else 0. */
int   tftp_check_layout(const struct config *cfg, struct strlist *errors,
	    struct strlist *notes);

#endif
