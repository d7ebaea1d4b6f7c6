/* arm.h — a host's network-install lifecycle, the one place that changes
 * it: arm (new token, per-MAC install entries), answerfile/script fetches with
 * the token, the installer's callback (one-shot: back to local boot), the
 * boot-loop guard, disarm, and the start-up check that tftp-root agrees
 * with the store.
 *
 * arm owns the decisions and the store side (armings, events); what a
 * host's per-MAC files say follows from them. The files themselves are
 * written by tftp.c and tftp_grub.c (tftp.h, tftp_grub.h: the tree, atomic
 * writes), only ever on arm's behalf and under arm's mutex.
 *
 * Every host has two per-MAC files: pxelinux's (pxelinux.cfg/01-<mac>,
 * BIOS) and GRUB's (grub/hosts/<mac>.cfg, UEFI). While a host is armed,
 * the files its firmware boots through (inventory.h: bios -> pxelinux's,
 * uefi -> GRUB's, auto -> both) carry the install entry with the arming's
 * token, the other one local boot; otherwise both say local boot.
 *
 * Order of writes, chosen so that a crash at any point is harmless:
 *   arm:      store row first, then GRUB's file, then pxelinux's (a crash
 *             in between leaves a file its firmware uses without the
 *             token; the host then boots locally or is refused its
 *             answerfile, and the start-up check marks the arming failed
 *             "per-MAC file missing or changed").
 *   callback: store result first, then both files back to local boot
 *             (the start-up check rewrites any install entry of a host that
 *             is no longer armed, in either file).
 *   disarm and the loop guard: like the callback, store first.
 *   start-up: the tree (pxelinux.cfg, its default, grub/, grub/grub.cfg,
 *             repo links) first, then per host: the store decides. Armed
 *             and every file its firmware uses carries the token -> kept
 *             (a file it does not use is made local boot); armed otherwise
 *             -> the arming failed, both files local boot; not armed ->
 *             an existing file that is not local boot is rewritten.
 *             The firmware is the inventory's at start-up: a host whose
 *             firmware changed while poolboot was down is judged by its
 *             new one.
 *   answerfile fetch: the count first (with its event and the host's
 *             state, in the store's next group commit, store_commit.h),
 *             then the answerfile; a crash before the commit loses a
 *             fetch nobody was answered, never one that was. A count
 *             lands only while its arming is active: a callback, disarm
 *             or re-arm stored before it wins, and the fetch gets 410.
 *             The loop guard ends an arming only once every fetch of it
 *             in flight has landed.
 * Every decision is serialised by a mutex inside struct arm; an
 * answerfile fetch holds it only to decide (token, loop guard, its
 * attempt number), never while rendering or waiting for the disk
 * (arm_fetch_begin).
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
	ARM_ERROR,		/* 500: render/validation failure (logged) */
	ARM_UNAVAILABLE		/* 503: the state database cannot be reached
				 * (logged); nothing was counted or served */
};

struct config_live;

/* arm reads the configuration through live (config_live.h): it holds a
 * reference to the one it works with, replaced only by arm_reload. live
 * and st must outlive a. */
int   arm_new(struct config_live *live, struct store *st, struct arm **out);
void  arm_free(struct arm *a);

struct notify;
/* Every accepted installer callback whose result reached the store is
 * announced on n (notify.h), after arm's lock is released. Set before
 * serving starts; n (may be NULL) must outlive a. */
void  arm_set_notify(struct arm *a, struct notify *n);

/* Start-up reconciliation of tftp-root with the store: the tree part
 * (tftp_reconcile_begin/_tree: pxelinux.cfg, grub/, stray and temp files,
 * default, grub.cfg, repo links), then every inventory host: still armed
 * and every file its firmware uses carries the arming's token -> kept;
 * armed but such a file is missing or carries another token -> arming
 * failed, both files back to local boot; not armed -> existing files are
 * rewritten to local boot. Logged and
 * recorded as events. 0, or -1 if anything failed (the rest is still
 * done) or tftp-root is unusable. */
int   arm_reconcile(struct arm *a);

/* poolboot reload (reload.h): cfg, a reference the caller took with
 * config_live_get and hands over, becomes arm's configuration, under
 * arm's lock (no arming decision sees half of it), and tftp-root follows
 * it: the per-MAC files of every old host whose MAC no host of cfg has
 * are removed; the tree is reconciled as at start-up (pxelinux.cfg and
 * grub defaults, repo links of new repos); each host named in hosts
 * (added or changed; the caller has made sure none is armed) is
 * reconciled with the store as arm_reconcile does. The old reference is
 * dropped. 0, or -1 when a file could not be written or removed
 * (logged; cfg is arm's either way). */
int   arm_reload(struct arm *a, const struct config *cfg,
	    const struct strlist *hosts);

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
/* Disarms: token retired (result "disarmed"), then both per-MAC files
 * back to local boot. ARM_CONFLICT if the host is not armed. err as for
 * arm_host. */
/* Points host's boot files (this instance's tftp-root) back at local
 * boot once its install ended through another instance (a "local-boot"
 * action of the site's queue): ARM_OK, ARM_CONFLICT when it is armed
 * again (its new entry stays), ARM_NOT_FOUND, ARM_UNAVAILABLE or
 * ARM_ERROR with err set. */
enum arm_status arm_local_boot(struct arm *a, const char *host, char *err,
	    size_t errlen);
enum arm_status arm_disarm(struct arm *a, const char *host, char *err,
	    size_t errlen);

/* Host-facing. On ARM_OK *body is malloc'd (caller frees) with *len.
 * arm_get_answerfile is arm_fetch_begin + waiting + arm_fetch_end in one
 * call (tests, tools); the server uses the two halves. */
enum arm_status arm_get_answerfile(struct arm *a, const char *host,
	    const char *token, char **body, size_t *len);

/* An answerfile fetch in two halves (arm_fetch.c), so that no thread
 * waits for the disk while holding anything (arm.h's note on fetches):
 *
 * arm_fetch_begin decides under arm's lock: token, loop guard, and the
 * fetch's attempt number, reserved in memory (concurrent fetches of one
 * host get 1, 2, 3, ... as if each had been committed alone; the loop
 * guard trips only once every earlier fetch of the arming has landed).
 * The answerfile is rendered after the lock is released, then the count
 * (with its event and the host's state) is queued for the store's group
 * commit (store_commit.h). ARM_OK: pending; done(arg) is called exactly
 * once, from the store's committer thread, when the count is on disk or
 * failed; then (on any thread) arm_fetch_end. Other statuses: final
 * (*f NULL, done never called).
 *
 * arm_fetch_end gives the answer and frees f: ARM_OK with *body (malloc'd,
 * caller frees) only when the count is on disk; ARM_GONE when the arming
 * ended (callback, disarm, re-arm) before the count landed (not counted);
 * ARM_CONFLICT or ARM_ERROR as arm_get_answerfile. */
struct arm_fetch;
enum arm_status arm_fetch_begin(struct arm *a, const char *host,
	    const char *token, void (*done)(void *arg), void *arg,
	    struct arm_fetch **f);
enum arm_status arm_fetch_end(struct arm *a, struct arm_fetch *f,
	    char **body, size_t *len);
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
