/* arm.c — a host's network-install lifecycle; see arm.h.
 *
 * The store is the truth, the per-MAC files follow it: every change is
 * committed to the store before tftp-root is touched (through tftp.c and
 * tftp_grub.c, which write and decide nothing), and arm_reconcile repairs
 * tftp-root after a crash between the two. Tokens never reach a log line or an event; the
 * store keeps only their SHA-256.
 */
#include "arm.h"
#include "arm_int.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostcert.h"
#include "config_live.h"
#include "log.h"
#include "notify.h"
#include "render.h"
#include "site_files.h"
#include "store_hosts.h"
#include "tftp.h"

#define ARM_TOKEN_MAX	64		/* longer is never one of ours */

#define REASON_RESTART \
	"per-MAC file missing or changed after restart; re-arm the host"


int
arm_new(struct config_live *live, struct store *st, struct arm **out)
{
	struct arm *a;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return -1;
	if ((a->afc = arm_afcache_new()) == NULL ||
	    pthread_mutex_init(&a->mu, NULL) != 0) {
		arm_afcache_free(a->afc);
		free(a);
		return -1;
	}
	pthread_cond_init(&a->cv, NULL);
	a->live = live;
	a->cfg = config_live_get(live);
	a->st = st;
	*out = a;
	return 0;
}

void
arm_set_notify(struct arm *a, struct notify *n)
{
	a->notify = n;
}

void
arm_free(struct arm *a)
{
	if (a == NULL)
		return;
	config_live_put(a->live, a->cfg);
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	free(a->inflight);
	arm_afcache_free(a->afc);
	free(a);
}

static void
arm_fmt_msg(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
arm_fmt_msg(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Records an event for h (with its pool). A failure to record is logged by
 * the store and does not undo the transition it describes. */
void
arm_ev(struct arm *a, const struct host *h, const char *kind,
    const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	(void)store_event(a->st, h->name, h->pool_name, kind, "%s", buf);
}

/* h's two per-MAC files: pxelinux's (BIOS) and GRUB's (UEFI). */
enum arm_file {
	ARM_FILE_PXE,	/* pxelinux.cfg/01-<mac> */
	ARM_FILE_GRUB	/* grub/hosts/<mac>.cfg */
};

/* Does h's firmware boot through file f (inventory.h: auto uses both)? */
static int
arm_uses(const struct host *h, enum arm_file f)
{
	if (f == ARM_FILE_PXE)
		return h->firmware != HOST_FIRMWARE_UEFI;
	return h->firmware != HOST_FIRMWARE_BIOS;
}

/* Writes h's per-MAC file f with text, or (text NULL) with local boot
 * (tftp.h, tftp_grub.h); a failure is logged. */
static int
arm_write_file(struct arm *a, const struct host *h, enum arm_file f,
    const char *text)
{
	char err[PATH_MAX + 128];
	int rc;

	if (f == ARM_FILE_PXE)
		rc = text != NULL ? tftp_write_pxe(a->cfg, h, text, err,
		    sizeof(err)) : tftp_write_local(a->cfg, h, err,
		    sizeof(err));
	else
		rc = text != NULL ? tftp_grub_write(a->cfg, h, text, err,
		    sizeof(err)) : tftp_grub_write_local(a->cfg, h, err,
		    sizeof(err));
	if (rc == -1)
		log_ctx(PB_LOG_ERROR, "arm", h->pool_name, h->name, "%s", err);
	return rc;
}

/* Points both of h's per-MAC files back at local boot (both are tried);
 * a failure is logged. */
int
arm_write_local(struct arm *a, const struct host *h)
{
	int ret = 0;

	if (arm_write_file(a, h, ARM_FILE_PXE, NULL) == -1)
		ret = -1;
	if (arm_write_file(a, h, ARM_FILE_GRUB, NULL) == -1)
		ret = -1;
	return ret;
}

/* Checks token against h's armings: ARM_OK with the active arming in *ar,
 * ARM_GONE for the token of a retired arming, ARM_FORBIDDEN otherwise. */
void
arm_changed(struct arm *a)
{
	__atomic_add_fetch(&a->gen, 1, __ATOMIC_RELEASE);
}

enum arm_status
arm_check_token(struct arm *a, const struct host *h, const char *token,
    struct arming *ar)
{
	return arm_check_token_of(a, h->name, token, ar);
}

enum arm_status
arm_check_token_of(struct arm *a, const char *host, const char *token,
    struct arming *ar)
{
	char hash[65];
	int rc;

	if (token == NULL || *token == '\0' || strlen(token) > ARM_TOKEN_MAX)
		return ARM_FORBIDDEN;
	util_sha256_hex(token, hash);
	rc = store_active_arming(a->st, host, ar);
	if (rc == -1)
		return ARM_UNAVAILABLE;
	if (rc == 0 && util_streq_ct(hash, ar->token_hash))
		return ARM_OK;
	rc = store_arming_by_hash(a->st, host, hash, ar);
	if (rc == -1)
		return ARM_UNAVAILABLE;
	if (rc == 0 && !ar->active)
		return ARM_GONE;
	return ARM_FORBIDDEN;
}

/* The per-MAC files of an arming of h with token, as its firmware needs
 * them (inventory.h): the install entry in each file it boots through,
 * local boot in the other. -1 with err (and why) when one fails. */
static int
arm_render_files(struct arm *a, const struct host *h, const char *token,
    char *pxe_grub[2], char *why, size_t whylen, char *err, size_t errlen)
{
	if ((pxe_grub[ARM_FILE_PXE] = arm_uses(h, ARM_FILE_PXE) ?
	    render_pxelinux_install(a->cfg, h, token, why, whylen) :
	    render_pxelinux_local(a->cfg, why, whylen)) == NULL) {
		arm_fmt_msg(err, errlen, "cannot render the pxelinux entry of "
		    "%s: %s", h->name, why);
		return -1;
	}
	if ((pxe_grub[ARM_FILE_GRUB] = arm_uses(h, ARM_FILE_GRUB) ?
	    render_grub_install(a->cfg, h, token, why, whylen) :
	    render_grub_local(a->cfg, why, whylen)) == NULL) {
		arm_fmt_msg(err, errlen, "cannot render the GRUB entry of "
		    "%s: %s", h->name, why);
		return -1;
	}
	return 0;
}

/* Renders everything h will be served in mode hmode with token (both
 * per-MAC files, answerfile, script) before anything is stored or
 * written: a host that cannot be served is never armed. -1 with err (and
 * logged) when one fails; the caller frees files[], *af, *script either
 * way. */
static int
arm_render_all(struct arm *a, const struct host *h, enum host_mode hmode,
    const char *token, int hostcert, char *files[2], char **af,
    char **script, char *err, size_t errlen)
{
	const char *mode = config_mode_name(hmode);
	char why[256];
	size_t aflen;
	int ret = -1;

	why[0] = '\0';
	if (arm_render_files(a, h, token, files, why, sizeof(why), err,
	    errlen) == -1)
		goto out;
	if ((*af = render_answerfile_for(a->cfg, h, hmode, token, hostcert,
	    &aflen, why, sizeof(why))) == NULL) {
		arm_fmt_msg(err, errlen, "cannot render the %s answerfile of "
		    "%s: %s", mode, h->name, why);
		goto out;
	}
	if ((*script = render_script(a->cfg, h, token, why,
	    sizeof(why))) == NULL) {
		arm_fmt_msg(err, errlen, "cannot render the "
		    "installation-complete script of %s: %s", h->name, why);
		goto out;
	}
	if (hostcert) {
		free(*script);
		if ((*script = render_hostcert_script(a->cfg, h, token, why,
		    sizeof(why))) == NULL) {
			arm_fmt_msg(err, errlen, "cannot render the "
			    "certificate script of %s: %s", h->name, why);
			goto out;
		}
	}
	ret = 0;
out:
	if (ret == -1)
		log_ctx(PB_LOG_ERROR, "arm", h->pool_name, h->name,
		    "not armed: %s", why);
	return ret;
}

enum arm_status
arm_host(struct arm *a, const char *host, int wipe,
    char token_out[UTIL_TOKEN_LEN + 1], char *err, size_t errlen)
{
	return arm_host_for(a, host, -1, NULL, wipe, 0, token_out, err,
	    errlen);
}

/* A new XAPI key and certificate for host's arming in mode_override (or
 * its inventory mode) into *hc. The key takes a while: made before the
 * lock that installers' requests wait for. Only a fresh install or
 * reinstall installs one (else ARM_CONFLICT). An unknown host: ARM_OK
 * without one (arm_host_for says ARM_NOT_FOUND). */
static enum arm_status
arm_hostcert_new(struct arm *a, const char *host, int mode_override,
    struct hostcert **hc, char *err, size_t errlen)
{
	const struct config *cfg = config_live_get(a->live);
	const struct host *h = config_host(cfg, host);
	enum arm_status ret = ARM_OK;
	enum host_mode hmode;

	if (h == NULL)
		goto out;
	hmode = mode_override >= 0 ? (enum host_mode)mode_override : h->mode;
	if (hmode != MODE_FRESH && hmode != MODE_REINSTALL) {
		arm_fmt_msg(err, errlen, "host %s: a XAPI certificate is only "
		    "installed by a fresh install or reinstall, not in mode %s",
		    h->name, config_mode_name(hmode));
		ret = ARM_CONFLICT;
	} else if (hostcert_new(h, hc, err, errlen) == -1) {
		log_ctx(PB_LOG_ERROR, "arm", h->pool_name, h->name,
		    "not armed: %s", err);
		ret = ARM_ERROR;
	}
out:
	config_live_put(a->live, cfg);
	return ret;
}

enum arm_status
arm_host_for(struct arm *a, const char *host, int mode_override,
    const char *purpose, int wipe, int hostcert,
    char token_out[UTIL_TOKEN_LEN + 1], char *err, size_t errlen)
{
	enum arm_status ret = ARM_ERROR;
	char token[UTIL_TOKEN_LEN + 1];
	char hash[65], fp[96] = "";
	char *files[2] = { NULL, NULL }, *af = NULL, *script = NULL;
	struct hostcert *hc = NULL;
	const char *mode;
	struct arming prev;
	struct host *h;
	enum host_mode hmode;
	int64_t id;
	int rearm;

	arm_fmt_msg(err, errlen, "%s", "");
	if (hostcert && (ret = arm_hostcert_new(a, host, mode_override, &hc,
	    err, errlen)) != ARM_OK)
		return ret;
	ret = ARM_ERROR;
	pthread_mutex_lock(&a->mu);
	if ((h = config_host(a->cfg, host)) == NULL) {
		arm_fmt_msg(err, errlen, "no host \"%s\" in the inventory",
		    host);
		ret = ARM_NOT_FOUND;
		goto out;
	}
	hmode = mode_override >= 0 ? (enum host_mode)mode_override : h->mode;
	mode = config_mode_name(hmode);
	if (hmode != MODE_UPGRADE && !wipe) {
		arm_fmt_msg(err, errlen, "host %s is in mode %s: a %s install "
		    "wipes the host's local storage (and every VM on it); pass "
		    "--wipe to arm it anyway", h->name, mode, mode);
		log_ctx(PB_LOG_WARN, "arm", h->pool_name, h->name,
		    "arming in mode %s refused without "
		    "--wipe", mode);
		ret = ARM_CONFLICT;
		goto out;
	}
	if (util_random_token(token) == -1) {
		arm_fmt_msg(err, errlen, "cannot make a token: %s",
		    strerror(errno));
		log_ctx(PB_LOG_ERROR, "arm", h->pool_name, h->name,
		    "%s", err);
		goto out;
	}
	if (arm_render_all(a, h, hmode, token, hostcert, files, &af, &script,
	    err, errlen) == -1)
		goto out;
	if ((rearm = store_active_arming(a->st, h->name, &prev)) == -1) {
		arm_fmt_msg(err, errlen, "state database error (see the log)");
		goto out;
	}
	rearm = rearm == 0;
	util_sha256_hex(token, hash);
	/* a new arming's certificate, or none: an older one is of no use */
	if (!hostcert)
		hostcert_forget(a->cfg, h->name);
	else if (hostcert_save(a->cfg, h->name, hc, hash, fp, err, errlen) ==
	    -1) {
		log_ctx(PB_LOG_ERROR, "arm", h->pool_name, h->name,
		    "not armed: %s", err);
		goto out;
	}
	if (store_arm_for(a->st, h->name, hash, hmode, purpose != NULL ?
	    purpose : "", util_now(), &id) == -1) {
		hostcert_forget(a->cfg, h->name);
		arm_fmt_msg(err, errlen, "state database error (see the log)");
		goto out;
	}
	/* GRUB's, then pxelinux's: a crash between them leaves a file
	 * without the token, and the start-up check fails the arming */
	if (arm_write_file(a, h, ARM_FILE_GRUB, files[ARM_FILE_GRUB]) == -1 ||
	    arm_write_file(a, h, ARM_FILE_PXE, files[ARM_FILE_PXE]) == -1) {
		/* armed in the store but unbootable: say so at once rather
		 * than wait for the next start-up check */
		(void)store_arming_finish(a->st, id, "failed",
		    "cannot write the per-MAC boot files", util_now());
		(void)arm_write_local(a, h);
		arm_ev(a, h, "failed", "arming failed: cannot write the "
		    "per-MAC boot files (pxelinux, GRUB)");
		arm_fmt_msg(err, errlen, "cannot write the per-MAC boot files "
		    "of %s (see the log)", h->name);
		goto out;
	}
	if (rearm) {
		arm_ev(a, h, "arm", "re-armed for %s install (previous token "
		    "retired after %d answerfile fetches)", mode,
		    prev.attempts);
		log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name,
		    "re-armed for %s (arming %lld replaces "
		    "%lld, old token retired)", mode, (long long)id,
		    (long long)prev.id);
	} else {
		arm_ev(a, h, "arm", "armed for %s install", mode);
		log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name,
		    "armed for %s (arming %lld)", mode, (long long)id);
	}
	if (hostcert) {
		arm_ev(a, h, "arm", "made the XAPI certificate of the new "
		    "install (SHA-256 %s); handed out once to its installer", fp);
		log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name,
		    "new install's XAPI certificate SHA-256 %s", fp);
	}
	memcpy(token_out, token, sizeof(token));
	ret = ARM_OK;
out:
	arm_changed(a);
	pthread_mutex_unlock(&a->mu);
	hostcert_free(hc);
	util_wipe(token, sizeof(token));
	free(files[ARM_FILE_PXE]);
	free(files[ARM_FILE_GRUB]);
	if (af != NULL)
		util_wipe(af, strlen(af));
	free(af);
	free(script);
	return ret;
}

enum arm_status
arm_disarm(struct arm *a, const char *host, char *err, size_t errlen)
{
	enum arm_status ret = ARM_ERROR;
	struct arming ar;
	struct host *h;
	int rc;

	arm_fmt_msg(err, errlen, "%s", "");
	pthread_mutex_lock(&a->mu);
	if ((h = config_host(a->cfg, host)) == NULL) {
		arm_fmt_msg(err, errlen, "no host \"%s\" in the inventory",
		    host);
		ret = ARM_NOT_FOUND;
		goto out;
	}
	if ((rc = store_active_arming(a->st, h->name, &ar)) == -1) {
		arm_fmt_msg(err, errlen, "state database error (see the log)");
		goto out;
	}
	if (rc == 1) {
		arm_fmt_msg(err, errlen, "host %s is not armed", h->name);
		ret = ARM_CONFLICT;
		goto out;
	}
	if (store_arming_finish(a->st, ar.id, "disarmed", "disarmed by the "
	    "operator", util_now()) == -1) {
		arm_fmt_msg(err, errlen, "state database error (see the log)");
		goto out;
	}
	hostcert_drop_key(a->cfg, h->name);
	if (arm_write_local(a, h) == -1) {
		arm_fmt_msg(err, errlen, "disarmed, but the per-MAC boot "
		    "files could not be rewritten to local boot (see the log)");
		arm_ev(a, h, "disarm", "disarmed (token retired) but the "
		    "per-MAC file could not be rewritten to local boot");
		goto out;
	}
	arm_ev(a, h, "disarm", "disarmed: token retired, back to local boot");
	log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name,
	    "disarmed (arming %lld)", (long long)ar.id);
	ret = ARM_OK;
out:
	arm_changed(a);
	pthread_mutex_unlock(&a->mu);
	return ret;
}

/* arm_get_answerfile's wait for its fetch to land. */
struct arm_wait {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 done;
};

static void
arm_wait_done(void *arg)
{
	struct arm_wait *w = arg;

	pthread_mutex_lock(&w->mu);
	w->done = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

enum arm_status
arm_get_answerfile(struct arm *a, const char *host, const char *token,
    char **body, size_t *len)
{
	struct arm_fetch *f;
	enum arm_status ret;
	struct arm_wait w;

	*body = NULL;
	*len = 0;
	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&w.mu, NULL);
	pthread_cond_init(&w.cv, NULL);
	if ((ret = arm_fetch_begin(a, host, token, arm_wait_done, &w,
	    &f)) == ARM_OK) {
		pthread_mutex_lock(&w.mu);
		while (!w.done)
			pthread_cond_wait(&w.cv, &w.mu);
		pthread_mutex_unlock(&w.mu);
		ret = arm_fetch_end(a, f, body, len);
	}
	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
	return ret;
}

enum arm_status
arm_get_script(struct arm *a, const char *host, const char *token,
    char **body, size_t *len)
{
	enum arm_status ret;
	struct arming ar;
	struct host *h;
	char err[256];
	char *sc;

	*body = NULL;
	*len = 0;
	pthread_mutex_lock(&a->mu);
	if ((h = config_host(a->cfg, host)) == NULL) {
		ret = ARM_NOT_FOUND;
		goto out;
	}
	if ((ret = arm_check_token(a, h, token, &ar)) != ARM_OK) {
		if (ret == ARM_FORBIDDEN || ret == ARM_GONE)
			log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name,
			    "script refused (%s token)",
			    ret == ARM_GONE ? "retired" : "wrong");
		goto out;
	}
	err[0] = '\0';
	if ((sc = render_script(a->cfg, h, token, err, sizeof(err))) == NULL) {
		arm_ev(a, h, "refused", "installation-complete script not "
		    "served: %s", err);
		log_ctx(PB_LOG_ERROR, "arm", h->pool_name, h->name,
		    "script not served: %s", err);
		ret = ARM_ERROR;
		goto out;
	}
	arm_ev(a, h, "script", "installation-complete script served");
	log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name,
	    "installation-complete script served");
	*body = sc;
	*len = strlen(sc);
	ret = ARM_OK;
out:
	pthread_mutex_unlock(&a->mu);
	return ret;
}

/* The active arming of h for token, and the state of its certificate:
 * ARM_OK; ARM_NOT_FOUND when the arming has no certificate; else as
 * arm_check_token. what names the request in the log. */
static enum arm_status
arm_hostcert_of(struct arm *a, const struct host *h, const char *token,
    const char *what, struct arming *ar, enum hostcert_state *hs)
{
	enum arm_status ret;

	if ((ret = arm_check_token(a, h, token, ar)) != ARM_OK) {
		if (ret == ARM_FORBIDDEN || ret == ARM_GONE)
			log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name,
			    "%s refused (%s token)", what,
			    ret == ARM_GONE ? "retired" : "wrong");
		return ret;
	}
	if (hostcert_state(a->cfg, h->name, ar->token_hash, hs) == -1)
		return ARM_ERROR;
	return *hs == HOSTCERT_NONE ? ARM_NOT_FOUND : ARM_OK;
}

enum arm_status
arm_get_hostcert_script(struct arm *a, const char *host, const char *token,
    char **body, size_t *len)
{
	enum hostcert_state hs;
	enum arm_status ret;
	struct arming ar;
	struct host *h;
	char err[256];

	*body = NULL;
	*len = 0;
	pthread_mutex_lock(&a->mu);
	if ((h = config_host(a->cfg, host)) == NULL) {
		ret = ARM_NOT_FOUND;
		goto out;
	}
	if ((ret = arm_hostcert_of(a, h, token, "certificate script", &ar,
	    &hs)) != ARM_OK)
		goto out;
	err[0] = '\0';
	if ((*body = render_hostcert_script(a->cfg, h, token, err,
	    sizeof(err))) == NULL) {
		arm_ev(a, h, "refused", "certificate script not served: %s",
		    err);
		log_ctx(PB_LOG_ERROR, "arm", h->pool_name, h->name,
		    "certificate script not served: %s", err);
		ret = ARM_ERROR;
		goto out;
	}
	*len = strlen(*body);
	ret = ARM_OK;
out:
	pthread_mutex_unlock(&a->mu);
	return ret;
}

enum arm_status
arm_get_hostcert(struct arm *a, const char *host, const char *token,
    char **body, size_t *len)
{
	enum hostcert_state hs;
	enum arm_status ret;
	struct arming ar;
	struct host *h;
	char err[512];
	int rc;

	*body = NULL;
	*len = 0;
	pthread_mutex_lock(&a->mu);
	if ((h = config_host(a->cfg, host)) == NULL) {
		ret = ARM_NOT_FOUND;
		goto out;
	}
	if ((ret = arm_hostcert_of(a, h, token, "certificate", &ar, &hs)) !=
	    ARM_OK)
		goto out;
	err[0] = '\0';
	if ((rc = hostcert_take(a->cfg, h->name, ar.token_hash, body, len,
	    err, sizeof(err))) == -1) {
		log_ctx(PB_LOG_ERROR, "arm", h->pool_name, h->name,
		    "certificate not served: %s", err);
		ret = ARM_ERROR;
		goto out;
	}
	if (rc == 1) {
		/* once only: whoever asks again gets nothing */
		arm_ev(a, h, "refused", "XAPI certificate asked for again: "
		    "refused (410), it is handed out once");
		log_ctx(PB_LOG_WARN, "arm", h->pool_name, h->name,
		    "XAPI certificate asked for again: 410");
		ret = ARM_GONE;
		goto out;
	}
	arm_ev(a, h, "certificate", "XAPI key and certificate handed to the "
	    "installer; poolboot's copy of the key is wiped");
	log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name,
	    "XAPI key and certificate handed to the installer (once)");
	ret = ARM_OK;
out:
	arm_changed(a);
	pthread_mutex_unlock(&a->mu);
	return ret;
}

enum arm_status
arm_callback(struct arm *a, const char *host, const char *token, int result)
{
	enum arm_status ret;
	int announce = 0;
	const char *res;
	struct arming ar;
	struct host *h;
	char reason[256];

	pthread_mutex_lock(&a->mu);
	if ((h = config_host(a->cfg, host)) == NULL) {
		ret = ARM_NOT_FOUND;
		goto out;
	}
	if ((ret = arm_check_token(a, h, token, &ar)) != ARM_OK) {
		if (ret == ARM_FORBIDDEN || ret == ARM_GONE)
			log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name,
			    "callback refused (%s token)",
			    ret == ARM_GONE ? "retired" : "wrong");
		goto out;
	}
	if (result == 0) {
		res = "done";
		snprintf(reason, sizeof(reason), "installer reported success "
		    "(0)");
	} else {
		res = "failed";
		snprintf(reason, sizeof(reason), "installer reported failure "
		    "(%d)", result);
	}
	/* the result first: if the rewrite below does not happen, the
	 * start-up check rewrites the entry of a host no longer armed */
	if (store_arming_finish(a->st, ar.id, res, reason, util_now()) == -1) {
		ret = ARM_ERROR;
		goto out;
	}
	announce = 1;
	/* the install is over: a key not handed out has no use left */
	hostcert_drop_key(a->cfg, h->name);
	arm_ev(a, h, res, "%s %s: %s; token retired", config_mode_name(ar.mode),
	    result == 0 ? "install done" : "install failed", reason);
	if (!site_files_host(a->cfg, h)) {
		/* another site's host: its boot files are in that site's
		 * tftp-root, which its active instance rewrites */
		arm_local_elsewhere(a, h);
	} else if (arm_write_local(a, h) == -1) {
		arm_ev(a, h, res, "per-MAC file could not be rewritten to "
		    "local boot; fixed at the next start-up");
		ret = ARM_ERROR;
		goto out;
	}
	if (result == 0)
		log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name,
		    "%s install done; back to local boot",
		    config_mode_name(ar.mode));
	else
		log_ctx(PB_LOG_WARN, "arm", h->pool_name, h->name,
		    "%s install failed (%s); back to "
		    "local boot", config_mode_name(ar.mode), reason);
	ret = ARM_OK;
out:
	arm_changed(a);
	pthread_mutex_unlock(&a->mu);
	/* outside the lock: the listeners take their own locks */
	if (announce)
		notify_install_done(a->notify, host, result == 0 ? 0 : 1);
	return ret;
}

/* Does text (file f of h, NULL if missing) carry the token whose hash
 * is hash? */
static int
arm_carries(enum arm_file f, const char *text, const char *hash)
{
	char tok[UTIL_TOKEN_LEN + 1], th[65];
	int rc, ok = 0;

	if (text == NULL)
		return 0;
	rc = f == ARM_FILE_PXE ? render_pxelinux_token(text, tok) :
	    render_grub_token(text, tok);
	if (rc == 0) {
		util_sha256_hex(tok, th);
		ok = util_streq_ct(th, hash);
		util_wipe(tok, sizeof(tok));
	}
	return ok;
}

/* File f of h (text, NULL if missing) to local boot unless it is missing
 * or already says so. -1 failed (logged), 0 left as it was, 1 rewritten. */
static int
arm_to_local(struct arm *a, const struct host *h, enum arm_file f,
    const char *text, const struct tftp_local *local)
{
	const char *want = f == ARM_FILE_PXE ? local->pxe : local->grub;

	if (text == NULL || strcmp(text, want) == 0)
		return 0;
	return arm_write_file(a, h, f, want) == -1 ? -1 : 1;
}

/* h is still armed (ar): kept when every file its firmware boots through
 * carries the arming's token (a file it does not use is made local boot),
 * else the arming failed and both files go to local boot. */
static int
arm_reconcile_armed(struct arm *a, const struct host *h,
    const struct arming *ar, char *text[2], const struct tftp_local *local)
{
	enum arm_file f;
	int ret = 0;

	for (f = ARM_FILE_PXE; f <= ARM_FILE_GRUB; f++)
		if (arm_uses(h, f) && !arm_carries(f, text[f], ar->token_hash))
			break;
	if (f > ARM_FILE_GRUB) {
		/* e.g. firmware changed from auto to bios while stopped */
		for (f = ARM_FILE_PXE; f <= ARM_FILE_GRUB; f++)
			if (!arm_uses(h, f) &&
			    arm_to_local(a, h, f, text[f], local) == -1)
				ret = -1;
		log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name,
		    "still armed for %s (%d answerfile fetches; firmware %s)",
		    config_mode_name(ar->mode), ar->attempts,
		    inventory_firmware_name(h->firmware));
		return ret;
	}
	if (store_arming_finish(a->st, ar->id, "failed", REASON_RESTART,
	    util_now()) == -1)
		return -1;
	arm_ev(a, h, "failed", "start-up check: %s", REASON_RESTART);
	log_ctx(PB_LOG_WARN, "arm", h->pool_name, h->name, "%s (%s file of "
	    "firmware %s)", REASON_RESTART, f == ARM_FILE_PXE ? "pxelinux" :
	    "GRUB", inventory_firmware_name(h->firmware));
	return arm_write_local(a, h);
}

/* Brings one inventory host's per-MAC files in line with the store
 * (another site's host: they go, site_files.h).
 * pre: its active arming when the caller read it already (rc 0 found, 1
 * none); NULL: read here. */
static int
arm_reconcile_host(struct arm *a, const struct host *h,
    const struct tftp_local *local, const struct arming *pre, int pre_rc)
{
	char *text[2] = { NULL, NULL };
	struct arming ar;
	enum arm_file f;
	int rc, ret = -1, changed = 0;

	if (!site_files_host(a->cfg, h))	/* another site's: no files */
		return site_files_drop(a->cfg, h);
	if (tftp_read_pxe(a->cfg, h, &text[ARM_FILE_PXE]) == -1 ||
	    tftp_grub_read(a->cfg, h, &text[ARM_FILE_GRUB]) == -1)
		goto out;
	if (pre != NULL) {
		if ((rc = pre_rc) == 0)
			ar = *pre;
	} else if ((rc = store_active_arming(a->st, h->name, &ar)) == -1)
		goto out;
	if (rc == 0) {
		ret = arm_reconcile_armed(a, h, &ar, text, local);
		goto out;
	}
	/* not armed: no key waits for an installer; an existing entry must
	 * boot locally */
	hostcert_drop_key(a->cfg, h->name);
	ret = 0;
	for (f = ARM_FILE_PXE; f <= ARM_FILE_GRUB; f++)
		switch (arm_to_local(a, h, f, text[f], local)) {
		case -1:
			ret = -1;
			break;
		case 1:
			changed = 1;
			break;
		}
	if (changed) {
		arm_ev(a, h, "reconcile", "start-up check: per-MAC file of a "
		    "host that is not armed rewritten to local boot");
		log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name,
		    "is not armed: per-MAC file rewritten to local boot");
	}
out:
	for (f = ARM_FILE_PXE; f <= ARM_FILE_GRUB; f++)
		if (text[f] != NULL) {
			util_wipe(text[f], strlen(text[f]));
			free(text[f]);
		}
	return ret;
}

/* arm_reconcile_host for every inventory host, their armings read a
 * chunk at a time (store_hosts.h: one read per host was a third of
 * start-up at 50,000 hosts). 0, or -1 when any failed. */
static int
arm_reconcile_all(struct arm *a, const struct tftp_local *local)
{
	const struct config *cfg = a->cfg;
	const char *names[STORE_HOSTS_CHUNK];
	int armed[STORE_HOSTS_CHUNK], bad = 0, pre;
	struct arming *ar;
	size_t i, j, n;

	if ((ar = calloc(STORE_HOSTS_CHUNK, sizeof(*ar))) == NULL)
		return -1;
	for (i = 0; i < cfg->nhosts; i += n) {
		n = cfg->nhosts - i < STORE_HOSTS_CHUNK ? cfg->nhosts - i :
		    STORE_HOSTS_CHUNK;
		for (j = 0; j < n; j++)
			names[j] = cfg->hosts[i + j].name;
		/* on a store error each host reads its own, as before */
		pre = store_hosts_status(a->st, names, n, NULL, ar, armed) ==
		    0;
		for (j = 0; j < n; j++)
			if (arm_reconcile_host(a, &cfg->hosts[i + j], local,
			    pre ? &ar[j] : NULL, pre && armed[j] ? 0 : 1) ==
			    -1) {
				log_ctx(PB_LOG_ERROR, "arm",
				    cfg->hosts[i + j].pool_name,
				    cfg->hosts[i + j].name,
				    "start-up check failed");
				bad = 1;
			}
	}
	free(ar);
	return bad ? -1 : 0;
}

int
arm_reconcile(struct arm *a)
{
	const struct config *cfg = a->cfg;
	struct tftp_local local = { NULL, NULL };
	int ret = -1, bad = 0;

	pthread_mutex_lock(&a->mu);
	/* the tree first (pxelinux.cfg, grub/, defaults, repo links), then
	 * each host's per-MAC files against the store */
	if (tftp_reconcile_begin(cfg, &local) == -1)
		goto out;
	if (tftp_reconcile_tree(cfg, &local) == -1)
		bad = 1;
	if (arm_reconcile_all(a, &local) == -1)
		bad = 1;
	ret = bad ? -1 : 0;
out:
	arm_changed(a);
	pthread_mutex_unlock(&a->mu);
	tftp_local_free(&local);
	return ret;
}

int
arm_reload(struct arm *a, const struct config *cfg,
    const struct strlist *hosts)
{
	struct tftp_local local = { NULL, NULL };
	const struct config *old;
	const struct host *h;
	size_t i;
	int bad = 0;

	pthread_mutex_lock(&a->mu);
	old = a->cfg;
	/* a removed host's files go (or a host's old MAC's) */
	for (i = 0; i < old->nhosts; i++) {
		h = &old->hosts[i];
		if (config_host_by_mac(cfg, h->mac) != NULL)
			continue;
		if (tftp_remove_host(cfg, h) == -1)
			bad = 1;
		else
			log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name,
			    "reload: per-MAC files of %s removed", h->mac);
	}
	a->cfg = cfg;
	arm_afcache_clear(a->afc);	/* answerfiles of the old config */
	if (tftp_reconcile_begin(cfg, &local) == -1)
		bad = 1;
	else {
		if (tftp_reconcile_tree(cfg, &local) == -1)
			bad = 1;
		for (i = 0; i < hosts->n; i++)
			if ((h = config_host(cfg, hosts->v[i])) != NULL &&
			    arm_reconcile_host(a, h, &local, NULL, 0) == -1)
				bad = 1;
	}
	arm_changed(a);
	pthread_mutex_unlock(&a->mu);
	tftp_local_free(&local);
	config_live_put(a->live, old);
	return bad ? -1 : 0;
}
