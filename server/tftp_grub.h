/* tftp_grub.h — the GRUB part of the TFTP tree, for UEFI clients (PXE over
 * TFTP, and UEFI HTTP boot through the install listener's /grub/). Like
 * tftp.c it writes what it is told and decides nothing about hosts: arm.c
 * decides what a host's GRUB file says and when (arm.h); tftp.c calls the
 * reconcile, check and init parts as part of its own.
 *
 * The tree, beneath cfg->tftp_root:
 *   grub/grubx64.efi       the GRUB EFI image: grub-mkimage -O x86_64-efi
 *                          -p /grub with every module it needs built in
 *                          (no module folder on the network); only
 *                          tftp_grub_init writes it. The prefix has no
 *                          device: GRUB reads grub.cfg from the server and
 *                          protocol it was itself loaded from.
 *   grub/grubx64-proxy.efi the same with prefix (tftp,ADDR)/grub, ADDR =
 *                          [dnsmasq] address, for [dnsmasq] dhcp = proxy:
 *                          GRUB's efinet takes the TFTP server from the
 *                          site's DHCP answer, not the proxy's, and the
 *                          plain image would look for grub.cfg there.
 *                          grubx64-proxy.efi.addr records ADDR (one line)
 *                          for poolboot check. Only tftp_grub_init writes
 *                          them.
 *   grub/grub.cfg          the fixed entry point (render_grub_main): loads
 *                          hosts/${net_default_mac}.cfg, else local boot.
 *                          Written when missing (tftp_grub_init,
 *                          tftp_grub_reconcile_tree), never overwritten:
 *                          an existing one is the operator's.
 *   grub/hosts/<mac>.cfg   one per inventory host once armed, <mac> in
 *                          poolboot's canonical form (lowercase, colons:
 *                          GRUB's ${net_default_mac}): its install entry
 *                          while armed, else local boot (tftp_grub_write,
 *                          tftp_grub_write_local, for arm only). Files of
 *                          MACs the inventory does not know are left alone.
 *
 * Every file is written like the pxelinux ones (tftp.h: util_write_atomic,
 * a temp file renamed over the old one; the start-up reconcile removes
 * temp files a crash left in grub/ and grub/hosts/).
 */
#ifndef POOLBOOT_TFTP_GRUB_H
#define POOLBOOT_TFTP_GRUB_H

#include <stddef.h>

#include "config.h"
#include "util.h"

/* ---- per-MAC files (arm only) ---------------------------------------- */

/* Path of h's GRUB file, tftp_root/grub/hosts/<mac>.cfg. Caller frees;
 * NULL when out of memory. */
char *tftp_grub_path(const struct config *cfg, const struct host *h);

/* Reads h's GRUB file into *text (malloc'd, caller wipes and frees; it may
 * hold a token), *text NULL when the file is missing or unreadable. -1
 * only when out of memory. */
int   tftp_grub_read(const struct config *cfg, const struct host *h,
	    char **text);

/* Writes text as h's GRUB file, atomically, creating grub/hosts when it
 * is missing. 0, or -1 with err. */
int   tftp_grub_write(const struct config *cfg, const struct host *h,
	    const char *text, char *err, size_t errlen);

/* Writes the local-boot entry (render_grub_local) as h's GRUB file,
 * atomically. 0, or -1 with err (render or write failure). */
int   tftp_grub_write_local(const struct config *cfg, const struct host *h,
	    char *err, size_t errlen);

/* ---- start-up reconcile (called by tftp_reconcile_*) ----------------- */

/* Creates tftp_root/grub/hosts if needed and renders GRUB's local-boot
 * entry into *local (caller frees). -1 (logged, *local NULL) when either
 * fails. */
int   tftp_grub_reconcile_begin(const struct config *cfg, char **local);

/* Removes temp files of interrupted writes from grub/ and grub/hosts/,
 * warns about GRUB files of MACs no inventory host has (left alone), and
 * writes grub/grub.cfg (render_grub_main) if it is missing. Logged. 0, or
 * -1 if grub.cfg could not be written. */
int   tftp_grub_reconcile_tree(const struct config *cfg);

/* ---- poolboot check ---------------------------------------------------- */

/* What the hosts' firmware needs of the GRUB tree (poolboot check): with a
 * host of firmware uefi, grub/grubx64.efi and grub/grub.cfg go to errors
 * when poolboot's dnsmasq serves the tree, else to notes; with auto hosts
 * only, to notes; with bios hosts only, nothing. With [dnsmasq] dhcp =
 * proxy the same for grub/grubx64-proxy.efi, missing or built for another
 * address than [dnsmasq] address (a note when there is no address). A
 * grub/hosts that is there but not writable is an error whenever a host
 * may use GRUB. */
void  tftp_grub_check_layout(const struct config *cfg,
	    struct strlist *errors, struct strlist *notes);

/* Whether some host of cfg boots through GRUB (firmware uefi or auto); 2
 * when one has firmware = uefi, 1 for auto only, else 0. */
int   tftp_grub_in_use(const struct config *cfg);

/* ---- poolboot init-tftp ---------------------------------------------- */

/*
 * Fills root/grub: builds grubx64.efi with mkimage (NULL = grub-mkimage,
 * looked up in PATH; run without a shell) from the modules in moddir
 * (NULL = /usr/lib/grub/x86_64-efi), keeping an existing image with the
 * same bytes; with [dnsmasq] dhcp = proxy and an address, also
 * grubx64-proxy.efi and its .addr (else a "skipped" line); writes grub.cfg (render_grub_main) if it is missing; creates
 * grub/hosts. report gets one line per file; errors one line per problem,
 * naming the Debian package of a missing tool or module (grub-common,
 * grub-efi-amd64-bin). 0, or -1 if anything went wrong (the rest is
 * still done).
 */
int   tftp_grub_init(const struct config *cfg, const char *root,
	    const char *mkimage, const char *moddir, struct strlist *report,
	    struct strlist *errors);

#endif
