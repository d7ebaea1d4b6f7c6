/* dnsmasq.h — poolboot's side of DHCP and TFTP ([dnsmasq] in the config).
 *
 * poolboot writes a dnsmasq config under state_dir/dnsmasq/ for
 * proxy-DHCP (next to the site's DHCP server) or full DHCP (one
 * reservation file per inventory host of its site in a dhcp-hostsdir,
 * which dnsmasq re-reads by itself), checks it with `dnsmasq --test`, and
 * in mode managed runs dnsmasq as a child in the foreground, restarting it
 * with backoff when it dies. It never restarts dnsmasq for inventory changes
 * (a reload restarts it only when dnsmasq.conf itself changed).
 * What dnsmasq serves over TFTP (tftp-root: boot loaders, pxelinux.cfg,
 * repo links) is tftp.c's (tftp.h; poolboot init-tftp fills it). See
 * docs/network.md.
 *
 * Files (dir = state_dir/dnsmasq unless a function is given another):
 *   dir/dnsmasq.conf   the config (managed: complete; external: a
 *                      fragment for the site's dnsmasq, conf-file=)
 *   dir/hosts.d/HOST   full DHCP: "<mac>,<ip>,<name>" or "<mac>,set:poolboot"
 *   dir/dnsmasq.log    dnsmasq's log (log-facility, log-dhcp; managed)
 *   dir/leases         dhcp-leasefile (managed)
 */
#ifndef POOLBOOT_DNSMASQ_H
#define POOLBOOT_DNSMASQ_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "util.h"

/* state_dir/dnsmasq. Caller frees. */
char *dnsmasq_dir(const struct config *cfg);

/* The mode state_dir gets (serve makes it so before it opens the
 * store): 0711 with full DHCP, whose hostsdir dnsmasq reads after it has
 * dropped root (so others may pass through state_dir to dnsmasq/, but
 * not list it; every file of poolboot's in it is 0600), else 0700. */
mode_t dnsmasq_state_dir_mode(const struct config *cfg);

/* The user a managed dnsmasq drops to when poolboot runs as root:
 * "dnsmasq" when that user exists (Debian's dnsmasq-base makes it; a user
 * that runs nothing else and owns no files), else "nobody". Static. */
const char *dnsmasq_user(void);

/* The boot loader dnsmasq hands out to BIOS clients: "pxelinux.0"
 * (boot_files = tftp) or "lpxelinux.0" (boot_files = http). Static
 * string. */
const char *dnsmasq_boot_file(const struct config *cfg);

/* The text of dnsmasq.conf for cfg with its files under dir. Every value
 * in it was checked by config_load. The boot file follows the client's
 * architecture (DHCP option 93): 0 (BIOS) the pxelinux loader; 7 and 9
 * (x86-64 UEFI PXE) DNSMASQ_GRUB_EFI over TFTP (DNSMASQ_GRUB_EFI_PROXY in
 * proxy-DHCP); 16 (UEFI HTTP boot, unless http_boot is off) the URL
 * http_boot_url with vendor class HTTPClient (config_dnsmasq.h). Caller
 * frees; NULL with err on failure (e.g. [dnsmasq] is not configured). */
char *dnsmasq_render_conf(const struct config *cfg, const char *dir,
	    char *err, size_t errlen);

/* The hostsdir line of h, newline included. Caller frees. */
char *dnsmasq_render_host(const struct host *h);

/*
 * Writes dir/dnsmasq.conf and (dhcp = full) dir/hosts.d/<host> for every
 * inventory host of this instance's site (site_files.h; every host
 * without [server] site), each atomically, and removes every other file
 * in dir/hosts.d (hosts no longer in the inventory, other sites' hosts). A file whose content
 * is already right is not touched, so dnsmasq's inotify does not see it
 * change. dir NULL means dnsmasq_dir(cfg). *changed (may be NULL) gets
 * the number of files written or removed. 0, or -1 with err.
 */
int   dnsmasq_write_files(const struct config *cfg, const char *dir,
	    int *changed, char *err, size_t errlen);

/* Results of dnsmasq_test. */
#define DNSMASQ_TEST_OK		 0
#define DNSMASQ_TEST_FAILED	-1	/* msg: dnsmasq's own output */
#define DNSMASQ_TEST_NOBINARY	-2	/* msg: which binary is missing */

/* Runs `<binary> --test --conf-file=dir/dnsmasq.conf` (no shell) and puts
 * dnsmasq's output into msg (also on success: it is a report, not only a
 * reason). dir NULL means dnsmasq_dir(cfg). One of DNSMASQ_TEST_*. */
int   dnsmasq_test(const struct config *cfg, const char *dir, char *msg,
	    size_t msglen);

/*
 * For poolboot check: writes the files into a temporary folder, runs
 * dnsmasq --test on them (when the binary exists) and removes the folder.
 * Adds what is wrong to problems and remarks to notes. 0, or -1 if a
 * problem was added.
 */
int   dnsmasq_check(const struct config *cfg, struct strlist *problems,
	    struct strlist *notes);

/*
 * The supervisor (mode managed). dnsmasq_start forks and execs
 * `<binary> --keep-in-foreground --conf-file=<dir>/dnsmasq.conf`, its
 * stdout and stderr going to poolboot's log, and waits until it has
 * started. If that first start fails, returns -1 with dnsmasq's message
 * in err and nothing keeps running. Otherwise a thread waits for the
 * child and restarts it whenever it exits, after 1 s doubling up to 60 s
 * (back to 1 s once a child ran 60 s), logging every exit with its
 * status. The child gets SIGTERM if poolboot dies.
 */
struct dnsmasq_sup;

int   dnsmasq_start(const struct config *cfg, struct dnsmasq_sup **out,
	    char *err, size_t errlen);
/* Terminates (SIGTERM, SIGKILL after 5 s) and reaps the child, stops the
 * thread, frees sup. NULL is fine. */
void  dnsmasq_stop(struct dnsmasq_sup *sup);
/* poolboot reload (reload.h): dnsmasq_restart stops the child (SIGTERM)
 * and the supervisor starts it again at once, with the dnsmasq.conf
 * written meanwhile (not counted as a restart); dnsmasq_reread_hosts
 * sends it SIGHUP, on which dnsmasq reads its dhcp-hostsdir again and
 * forgets hosts whose files were removed or changed (new files it reads
 * by itself, through inotify; dnsmasq(8), --dhcp-hostsdir). 0, or -1
 * when no child runs (sup NULL included). */
int   dnsmasq_restart(struct dnsmasq_sup *sup);
int   dnsmasq_reread_hosts(struct dnsmasq_sup *sup);
/* How many times the child was restarted (for metrics). */
unsigned dnsmasq_restarts(struct dnsmasq_sup *sup);
/* The running child's pid, 0 while none runs. */
pid_t dnsmasq_pid(struct dnsmasq_sup *sup);

#endif
