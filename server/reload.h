/* reload.h — poolboot reload: the running server re-reads the file it was
 * started with and applies what changed, without dropping a connection,
 * a run or a job. SIGHUP (serve.c) and POST /api/v1/reload (api_reload.c,
 * poolboot reload) both come here.
 *
 * In order, one reload at a time:
 *  1. config_load of the file, as serve's start-up does (repos inspected
 *     again, password files read). Problems: RELOAD_INVALID, each
 *     "file:line: message"; nothing changes.
 *  2. config_diff with the configuration in use (config_diff.h).
 *  3. Refusals, all listed at once (RELOAD_REFUSED, nothing applied):
 *     a key that cannot change live ([server] listen, admin_listen,
 *     admin TLS, state_dir, tftp_root, admin_token_file, http_threads,
 *     connection limits, log, [dnsmasq] section/mode/binary/dhcp): "restart
 *     poolboot serve to apply"; a removed or changed host that is armed,
 *     in a running or halted rolling-upgrade run, or has a running or
 *     halted job, named with what to do. With a changed dnsmasq.conf, the
 *     new one must pass dnsmasq --test (else RELOAD_INVALID).
 *  4. Apply: the new configuration becomes current (config_live_swap:
 *     each request, entry point and new run or job turn uses it from now
 *     on; a run or job under way keeps the one it started with, which no
 *     refused change can touch); arm_reload (per-MAC files of removed
 *     hosts go, the tree and new hosts are reconciled as at start-up);
 *     dnsmasq's files are rewritten: a managed dnsmasq is restarted only
 *     when dnsmasq.conf changed, and is sent SIGHUP when host files were
 *     removed or changed (new ones it reads by itself).
 *  5. One log line and one event (kind "reload") say what changed or why
 *     nothing did, e.g. "reload: 1 host added (xen21), 0 removed, 0
 *     changed; dnsmasq not restarted".
 */
#ifndef POOLBOOT_RELOAD_H
#define POOLBOOT_RELOAD_H

#include "config_diff.h"

struct arm;
struct config_live;
struct dnsmasq_sup;
struct store;

enum reload_result {
	RELOAD_OK = 0,		/* applied, or nothing changed (200) */
	RELOAD_INVALID,		/* the file has problems: errors (422) */
	RELOAD_REFUSED,		/* a change cannot be made now: errors (409) */
	RELOAD_ERROR		/* out of memory, the store (500) */
};

struct reload_report {
	struct strlist errors;		/* INVALID, REFUSED: one per problem,
					 * each saying what to do */
	struct strlist warnings;	/* the config's, and what failed
					 * while applying (logged too) */
	struct config_diff diff;	/* OK, REFUSED: what changed */
	char	 summary[1024];		/* the one line (without "reload: ") */
	char	 dnsmasq[160];		/* what happened to dnsmasq */
	long	 generation;		/* the configuration's, after */
};

struct reload;

/* What a reload works on; all must outlive r. path: the configuration
 * file serve was started with (made absolute here). dns: the managed
 * dnsmasq, or NULL. 0, or -1 (out of memory). */
int   reload_new(const char *path, struct config_live *live,
	    struct store *st, struct arm *arm, struct dnsmasq_sup *dns,
	    struct reload **out);
void  reload_free(struct reload *r);

/* Reloads (see above); who says who asked ("SIGHUP", "admin API") for
 * the log line and the event. *rep is filled in every case (free with
 * reload_report_free). */
enum reload_result reload_run(struct reload *r, const char *who,
	    struct reload_report *rep);
void  reload_report_free(struct reload_report *rep);

/* "OK", "invalid", "refused", "error". */
const char *reload_result_name(enum reload_result res);

#endif
