/* arm.h — a host's network-install lifecycle, the one place that changes
 * it: arm (new token, per-MAC install entry), answerfile/script fetches with
 * the token, the installer's callback (one-shot: back to local boot), the
 * boot-loop guard, disarm, and the start-up check that tftp-root agrees
 * with the store.
 *
 * arm owns the decisions and the store side (armings, events); what a
 * host's per-MAC file says follows from them. The files themselves are
 * written by tftp.c (tftp.h: the tree, atomic writes), only ever on arm's
 * behalf and under arm's mutex.
 *
 * Order of writes, chosen so that a crash at any point is harmless:
 *   arm:      store row first, then the per-MAC file (a crash in between
 *             leaves a host that boots locally; the start-up check marks
 *             the arming failed "per-MAC file missing").
 *   callback: store result first, then the per-MAC file back to local boot
 *             (the start-up check rewrites any install entry of a host that
 *             is no longer armed).
 *   disarm and the loop guard: like the callback, store first.
 *   start-up: the tree (pxelinux.cfg, its default, repo links) first, then
 *             per host: the store decides, the file is rewritten to match.
 * All functions are serialised by a mutex inside struct arm.
 */
#ifndef POOLBOOT_ARM_H
#define POOLBOOT_ARM_H

#include <stddef.h>

#include "config.h"
#include "store.h"

struct arm;

/* What a host-facing request gets; http maps these to status codes. */
enum arm_status {
	ARM_OK = 0,		/* 200 */
	ARM_NOT_FOUND,		/* 404: no such host in the inventory */
	ARM_FORBIDDEN,		/* 403: wrong or missing token */
	ARM_GONE,		/* 410: token was valid once; install finished/disarmed */
	ARM_LOOP_GUARD,		/* 410: the loop guard tripped on this fetch */
	ARM_CONFLICT,		/* 409: request refused (e.g. --wipe missing, mode changed) */
	ARM_ERROR		/* 500: render/validation/store failure (logged) */
};

int   arm_new(const struct config *cfg, struct store *st, struct arm **out);
void  arm_free(struct arm *a);

struct notify;
/* Every accepted installer callback whose result reached the store is
 * announced on n (notify.h), after arm's lock is released. Set before
 * serving starts; n (may be NULL) must outlive a. */
void  arm_set_notify(struct arm *a, struct notify *n);

/* Start-up reconciliation of tftp-root with the store: the tree part
 * (tftp_reconcile_begin/_tree: pxelinux.cfg, stray and temp files,
 * default, repo links), then every inventory host: still armed and its
 * file carries the arming's token -> kept; armed but the file is missing
 * or carries another token -> arming failed, file back to local boot; not
 * armed -> an existing file is rewritten to local boot. Logged and
 * recorded as events. 0, or -1 if anything failed (the rest is still
 * done) or tftp-root is unusable. */
int   arm_reconcile(struct arm *a);

/* Arms host h in its inventory mode. Modes other than upgrade need
 * wipe != 0 (else ARM_CONFLICT). On ARM_OK token_out holds the new token.
 * err gets a human-readable reason on failure, "" on success. */
enum arm_status arm_host(struct arm *a, const char *host, int wipe,
	    char token_out[UTIL_TOKEN_LEN + 1], char *err, size_t errlen);
/* The same with the mode chosen by the caller (mode_override >= 0) and
 * recorded with a purpose (e.g. "rebuild"): the answerfile is then served
 * in that mode although the inventory's mode differs. Non-upgrade modes
 * still need wipe. mode_override -1 = the inventory's mode.
 * hostcert (a host poolboot joins to a pool; fresh or reinstall): a new
 * XAPI key and certificate for this arming (hostcert.h), before the
 * arming is stored; the answerfile then carries the filesystem-populated
 * script that installs them. Without hostcert, any certificate files of
 * an earlier arming of the host are wiped. */
enum arm_status arm_host_for(struct arm *a, const char *host,
	    int mode_override, const char *purpose, int wipe, int hostcert,
	    char token_out[UTIL_TOKEN_LEN + 1], char *err, size_t errlen);
/* Disarms: token retired (result "disarmed"), then the per-MAC file back
 * to local boot. ARM_CONFLICT if the host is not armed. err as for
 * arm_host. */
enum arm_status arm_disarm(struct arm *a, const char *host, char *err,
	    size_t errlen);

/* Host-facing. On ARM_OK *body is malloc'd (caller frees) with *len. */
enum arm_status arm_get_answerfile(struct arm *a, const char *host,
	    const char *token, char **body, size_t *len);
enum arm_status arm_get_script(struct arm *a, const char *host,
	    const char *token, char **body, size_t *len);
/* The arming's certificate (arm_host_for with hostcert): the
 * filesystem-populated script (any number of times), and the key and
 * certificate themselves, once: ARM_OK the first time (the key is wiped
 * here before the caller sends it; the caller wipes *body too), ARM_GONE
 * after that. ARM_NOT_FOUND for an arming without a certificate. */
enum arm_status arm_get_hostcert_script(struct arm *a, const char *host,
	    const char *token, char **body, size_t *len);
enum arm_status arm_get_hostcert(struct arm *a, const char *host,
	    const char *token, char **body, size_t *len);
/* result 0 = success, 1 = failure. Announced on the notify (see
 * arm_set_notify) when the result is recorded. The callback, disarm and
 * the loop guard also wipe a key not yet handed out. */
enum arm_status arm_callback(struct arm *a, const char *host,
	    const char *token, int result);

#endif
