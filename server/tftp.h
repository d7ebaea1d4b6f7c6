/* tftp.h — the TFTP tree (cfg->tftp_root) that PXE clients boot from.
 * tftp.c is the only code that writes into it; it writes what it is told
 * and decides nothing about hosts (arm.c decides what a host's per-MAC
 * file says and when, in the order arm.h documents).
 *
 * The tree:
 *   pxelinux.0, lpxelinux.0    the boot loaders (from the pxelinux package)
 *   ldlinux.c32, mboot.c32,    syslinux modules (syslinux-common);
 *   libcom32.c32               these five only tftp_init_root writes
 *   pxelinux.cfg/default       local boot: a MAC without a file of its own
 *                              boots from its disk. Written when missing
 *                              (tftp_init_root, tftp_reconcile_tree), never
 *                              overwritten: an existing one is the operator's.
 *   pxelinux.cfg/01-<mac>      one per inventory host once it was armed:
 *                              its install entry while armed, else local
 *                              boot (tftp_write_pxe, tftp_write_local, for
 *                              arm only). Files of MACs the inventory does
 *                              not know are left alone.
 *   grub/...                   the GRUB tree for UEFI clients: the image,
 *                              grub.cfg and grub/hosts/<mac>.cfg, written by
 *                              tftp_grub.c (tftp_grub.h, included here)
 *   repo/<repo>                boot_files = tftp: a symlink to each repo,
 *                              through which the TFTP paths of the Xen and
 *                              installer kernels resolve. A real file or
 *                              folder of that name is the operator's and
 *                              left alone.
 *
 * Atomicity: every file is written to a temp file in the same folder and
 * renamed over the old one (util_write_atomic: "<name>.tmp.<random>",
 * created O_EXCL|O_NOFOLLOW, mode 0644); a repo link is made as
 * ".<repo>.tmp.<pid>" (symlink(2) never follows or reuses what is there)
 * and renamed. A TFTP
 * client reads the old file or the new one, never a partial one; the
 * start-up reconcile removes temp files a crash left in pxelinux.cfg (and
 * in grub/, grub/hosts/).
 *
 * Log lines of the start-up reconcile carry the subsystem "arm": they are
 * part of arm's start-up check (arm_reconcile).
 */
#ifndef POOLBOOT_TFTP_H
#define POOLBOOT_TFTP_H

#include <stddef.h>

#include "config.h"
#include "tftp_grub.h"
#include "util.h"

/* Checks that cfg->tftp_root is laid out for poolboot (poolboot check):
 * what stops poolboot from working goes to errors, what it will fix or
 * only needs in some set-ups to notes; the boot files are errors when
 * poolboot's dnsmasq serves this tree and a host needs them (pxelinux's:
 * a host with firmware bios or auto, or no host; GRUB's:
 * tftp_grub_check_layout), else notes. -1 when tftp_root is not a folder
 * at all (nothing else checked), else 0. */
int   tftp_check_layout(const struct config *cfg, struct strlist *errors,
	    struct strlist *notes);

/* ---- per-MAC files (arm; site_files drops other sites') ----------- */

/* Path of h's per-MAC file, tftp_root/pxelinux.cfg/01-<mac>. Caller
 * frees; NULL when out of memory. */
char *tftp_pxe_path(const struct config *cfg, const struct host *h);

/* Reads h's per-MAC file into *text (malloc'd, caller wipes and frees; it
 * may hold a token), *text NULL when the file is missing or unreadable.
 * -1 only when out of memory. */
int   tftp_read_pxe(const struct config *cfg, const struct host *h,
	    char **text);

/* Writes text as h's per-MAC file, atomically. 0, or -1 with err. */
int   tftp_write_pxe(const struct config *cfg, const struct host *h,
	    const char *text, char *err, size_t errlen);

/* Writes the local-boot entry (render_pxelinux_local) as h's per-MAC file,
 * atomically. 0, or -1 with err (render or write failure). */
int   tftp_write_local(const struct config *cfg, const struct host *h,
	    char *err, size_t errlen);

/* Removes h's per-MAC files, pxelinux's and GRUB's (a host no longer in
 * the inventory: arm_reload); missing ones are fine. 0, or -1 (logged). */
int   tftp_remove_host(const struct config *cfg, const struct host *h);

/* ---- start-up reconcile (the tree part of arm_reconcile) ------------- */

/* The local-boot entries, as the start-up reconcile compares files with
 * them: pxelinux's (render_pxelinux_local) and GRUB's (render_grub_local). */
struct tftp_local {
	char	*pxe;
	char	*grub;
};

/* Creates tftp_root/pxelinux.cfg and grub/hosts if needed and renders
 * both local-boot entries into *local (free with tftp_local_free). -1
 * (logged) when any of it fails: then nothing in the tree can be trusted
 * to be right. */
int   tftp_reconcile_begin(const struct config *cfg, struct tftp_local *local);
void  tftp_local_free(struct tftp_local *local);

/* In this order: removes temp files of interrupted writes from
 * pxelinux.cfg and warns about per-MAC files of MACs no inventory host
 * has (left alone); writes pxelinux.cfg/default = local if it is missing;
 * the same for the GRUB tree (tftp_grub_reconcile_tree: grub/grub.cfg);
 * with boot_files = tftp links repo/<repo> to every repo. Logs what it
 * does. 0, or -1 if default, grub.cfg or a link could not be written (the
 * rest is still done). local is tftp_reconcile_begin's. */
int   tftp_reconcile_tree(const struct config *cfg,
	    const struct tftp_local *local);

/* ---- poolboot init-tftp ---------------------------------------------- */

/* Where init-tftp takes the boot files from; NULL = the Debian path. */
struct tftp_src {
	const char *pxelinux;	/* /usr/lib/PXELINUX */
	const char *modules;	/* /usr/lib/syslinux/modules/bios */
	const char *grub_mkimage; /* grub-mkimage, looked up in PATH */
	const char *grub_modules; /* /usr/lib/grub/x86_64-efi */
};

/*
 * Fills root (created if needed; cfg->tftp_root is not used) with the
 * boot loaders and modules (pxelinux.0, lpxelinux.0 from src->pxelinux;
 * ldlinux.c32, mboot.c32, libcom32.c32 from src->modules), keeping files
 * that are already identical; writes pxelinux.cfg/default = local boot if
 * it is missing; the GRUB tree (tftp_grub_init: grub/grubx64.efi built
 * from src->grub_*, grub/grub.cfg if missing, grub/hosts); and with
 * boot_files = tftp links root/repo/<repo> to every repo. src NULL = every
 * default. cfg may have no repos or hosts (the install skeleton). report
 * gets one line per file; errors one line per problem, naming the Debian
 * package of a missing source. 0, or -1 if anything went wrong (the rest
 * is still done).
 */
int   tftp_init_root(const struct config *cfg, const char *root,
	    const struct tftp_src *src, struct strlist *report,
	    struct strlist *errors);

#endif
