/* job_step.c — the steps of rebuild and install jobs; see job_step.h. */
#include "job_step.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostcert.h"
#include "log.h"
#include "pool.h"
#include "power.h"
#include "util.h"
#include "xapi.h"
#include "xmlrpc.h"

#define JOB_STEP_DEFAULT_TIMEOUT 1200	/* s, steps without a pool's timeouts */
#define JOB_STEP_DEFAULT_INSTALL 5400

/* Which of a pool's timeouts bounds a step. */
enum job_step_limit {
	JOB_LIMIT_STEP = 0,	/* step_timeout */
	JOB_LIMIT_REJOIN,	/* rejoin_timeout: the new install comes up */
	JOB_LIMIT_INSTALL	/* install_timeout */
};

void
job_step_event(struct store *st, const struct job *j, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	store_event(st, j->host, j->pool[0] ? j->pool : NULL, j->kind, "%s",
	    msg);
	log_ctx(PB_LOG_INFO, "job", j->pool[0] ? j->pool : NULL, j->host,
	    "%s (job %lld): %s", j->kind, (long long)j->id, msg);
}

static enum job_step_limit job_step_limit(enum job_step s);

/* The timeout of c's step in seconds. */
static int
job_step_timeout(const struct job_step_ctx *c)
{
	enum job_step_limit l = job_step_limit(c->step);

	if (l == JOB_LIMIT_INSTALL)
		return c->p ? c->p->install_timeout : JOB_STEP_DEFAULT_INSTALL;
	if (c->p == NULL)
		return JOB_STEP_DEFAULT_TIMEOUT;
	if (l == JOB_LIMIT_REJOIN)
		return c->p->rejoin_timeout;
	return c->p->step_timeout;
}

static int
job_step_poll(const struct job_step_ctx *c)
{
	return c->p ? c->p->poll_ms : JOB_STEP_POLL_MS;
}

/* Transient trouble: wait and try again until the step's timeout. */
static enum job_step_res
job_step_retry(struct job_step_ctx *c, const char *what, const char *detail)
{
	if (util_now_ms() - c->j->step_started_at <
	    (int64_t)job_step_timeout(c) * 1000) {
		c->j->attempts++;
		c->wait_ms = job_step_poll(c) *
		    (c->j->attempts < 5 ? c->j->attempts : 5);
		log_ctx(PB_LOG_DEBUG, "job", c->j->pool[0] ? c->j->pool : NULL,
		    c->j->host, "%s: %s: %s; trying again", c->j->kind, what,
		    detail);
		return JOB_STEP_WAIT;
	}
	snprintf(c->err, sizeof(c->err), "%s: %.300s (gave up after %d s)",
	    what, detail, job_step_timeout(c));
	return JOB_STEP_FAIL;
}

/* A client for c's pool; NULL with c->err set. */
static struct xapi *
job_step_pool_xapi(struct job_step_ctx *c)
{
	struct xapi *x;
	char err[512];

	if ((x = pool_xapi(c->p, err, sizeof(err))) == NULL)
		snprintf(c->err, sizeof(c->err), "%s", err);
	return x;
}

/* The URL of the freshly installed host: https, its inventory ip and the
 * port of its pool's XAPI URL. 0, or -1 with err when the pool's XAPI is
 * not https: nobody could tell who answers at that address, so nothing
 * is sent to it (jobs_start refuses such a job up front). */
static int
job_step_new_host_url(const struct job_step_ctx *c, char *url, size_t len,
    char *err, size_t errlen)
{
	const char *port = "", *rest, *colon;

	if (c->p == NULL || c->p->xapi == NULL ||
	    strncmp(c->p->xapi, "https://", 8) != 0) {
		snprintf(err, errlen, "pool %s: xapi is not an https:// URL; "
		    "poolboot sends the new install of %s passwords only over "
		    "TLS with the certificate it made for it", c->p ? c->p->name
		    : "?", c->h->name);
		return -1;
	}
	rest = c->p->xapi + 8;
	if ((colon = strrchr(rest, ':')) != NULL && strchr(colon, ']') == NULL)
		port = colon;
	snprintf(url, len, "https://%s%s", c->h->ip, port);
	return 0;
}

/* A client for the freshly installed host: job_step_new_host_url, root
 * and the new root password (read again from root_password_file, wiped
 * after use), pinned to the certificate poolboot made for this install
 * (hostcert.h): no byte of a login or call leaves unless the peer shows
 * it. It talks to that host only (HOST_IS_SLAVE is not followed: the
 * master has another certificate). NULL with err on failure. */
static struct xapi *
job_step_new_host_xapi(const struct job_step_ctx *c, char *err, size_t errlen)
{
	struct xapi_conf xc = { 0 };
	struct xapi *x = NULL;
	char url[256], pin[65], why[256], *pw = NULL;
	const char *path = c->h->root_password_file;
	size_t len = 0;
	int rc;

	if (job_step_new_host_url(c, url, sizeof(url), err, errlen) == -1)
		return NULL;
	if ((rc = hostcert_pin(c->cfg, c->h->name, pin,
	    why, sizeof(why))) != 0) {
		snprintf(err, errlen, "no certificate pin for the new install "
		    "of %s (%s): poolboot does not know what it should show and "
		    "sends it nothing; abort this job and start it again (the "
		    "new arming makes one)", c->h->name, rc == 1 ?
		    "it was armed without one, or the pin was removed" : why);
		return NULL;
	}
	/* the plaintext is needed to log in to the new install */
	if (path == NULL || (pw = util_read_file(path, 4096, &len)) == NULL) {
		snprintf(err, errlen, "cannot read the root password file of %s "
		    "(%s) to log in to the new install", c->h->name,
		    path ? strerror(errno) : "none set");
		return NULL;
	}
	pw[strcspn(pw, "\r\n")] = '\0';
	if (strncmp(pw, "$6$", 3) == 0 || strncmp(pw, "$5$", 3) == 0) {
		snprintf(err, errlen, "root_password_file of %s holds a hash; "
		    "poolboot needs the password itself to log in to the new "
		    "install and join it to the pool", c->h->name);
		goto out;
	}
	xc.url = url;
	xc.username = "root";
	xc.password = pw;
	xc.tls_fingerprint = pin;
	xc.tls_verify = 1;
	xc.stay = 1;
	xc.connect_timeout_ms = 5000;
	xc.timeout_ms = 60000;
	xc.originator = "poolboot";
	if (xapi_new(&xc, &x) == -1)
		snprintf(err, errlen, "cannot create a XAPI client");
out:
	util_wipe(pw, len);
	free(pw);
	return x;
}

/* Who c's host is in XAPI: any record with its inventory name_label, its
 * inventory mac as management MAC, or its static ip as address. */
static struct pool_ident
job_step_ident(const struct job_step_ctx *c)
{
	struct pool_ident id = { .name = c->h->name, .mac = c->h->mac,
	    .addr = c->h->ip };

	return id;
}

/* A fresh snapshot of c's pool with each host's management MAC: 0, or -1
 * with *res the step's answer (a retry, or a failure with c->err). */
static int
job_step_snapshot(struct job_step_ctx *c, struct pool_snapshot *s,
    const char *what, enum job_step_res *res)
{
	struct xapi_error e;
	struct xapi *x;
	int rc;

	memset(&e, 0, sizeof(e));
	memset(s, 0, sizeof(*s));
	if ((x = job_step_pool_xapi(c)) == NULL) {
		*res = JOB_STEP_FAIL;
		return -1;
	}
	rc = pool_snapshot_take(x, s, POOL_SNAP_PIFS, &e);
	xapi_free(x);
	if (rc == -1) {
		*res = job_step_retry(c, what, xapi_strerror(&e));
		return -1;
	}
	return 0;
}

/* Whether XAPI host h, which matches c's host by m (POOL_BY_*), may be
 * forgotten as c's dead host; *dead is the one found so far. */
static enum job_step_res
job_step_check_one(struct job_step_ctx *c, const struct pool_host *h,
    unsigned m, const struct pool_host **dead)
{
	char by[64];

	pool_match_words(m, by, sizeof(by));
	if (h->live) {
		snprintf(c->err, sizeof(c->err), "host %.64s is live in pool "
		    "%.64s as XAPI host \"%.64s\" (management MAC %.17s, uuid "
		    "%.36s; same %.40s): poolboot only rebuilds a dead or failed "
		    "member and never forgets a live host (shut it down first if "
		    "it really must be rebuilt)", c->h->name, c->p->name,
		    h->name, h->mac[0] ? h->mac : "unknown", h->uuid, by);
		return JOB_STEP_FAIL;
	}
	if (!(m & (POOL_BY_NAME | POOL_BY_MAC))) {
		snprintf(c->err, sizeof(c->err), "dead XAPI host \"%.64s\" of "
		    "pool %.64s has address %.45s, the ip of [host %.64s], but "
		    "neither its name_label nor its management MAC is that "
		    "host's: if it is this machine, forget it by hand (xe "
		    "host-forget uuid=%.36s), else correct ip; then retry",
		    h->name, c->p->name, h->address, c->h->name, h->uuid);
		return JOB_STEP_FAIL;
	}
	if (*dead != NULL) {
		snprintf(c->err, sizeof(c->err), "two dead XAPI hosts of pool "
		    "%.64s are host %.64s by name_label or management MAC: "
		    "\"%.64s\" (uuid %.36s) and \"%.64s\" (uuid %.36s); forget "
		    "the one that is not this machine by hand (xe host-forget "
		    "uuid=...), then retry", c->p->name, c->h->name,
		    (*dead)->name, (*dead)->uuid, h->name, h->uuid);
		return JOB_STEP_FAIL;
	}
	*dead = h;
	return JOB_STEP_OK;
}

/* check: the member must be dead or failed (never live), recognised by
 * its name_label, its management MAC or its address (job_step_ident):
 * a host renamed by hand is still this host. Its ref is kept for the
 * forget step; none found: already forgotten. */
static enum job_step_res
job_step_check(struct job_step_ctx *c)
{
	struct pool_ident id = job_step_ident(c);
	const struct pool_host *dead = NULL;
	struct pool_snapshot s;
	enum job_step_res res;
	char by[64];
	size_t i;
	unsigned m;

	if (job_step_snapshot(c, &s, "reading the pool", &res) == -1)
		return res;
	res = JOB_STEP_OK;
	for (i = 0; i < s.nhosts && res == JOB_STEP_OK; i++)
		if ((m = pool_host_matches(&s.hosts[i], &id)) != 0)
			res = job_step_check_one(c, &s.hosts[i], m, &dead);
	if (res == JOB_STEP_OK) {
		/* none: already forgotten (an earlier attempt, or by hand) */
		util_strlcpy(c->j->old_ref, sizeof(c->j->old_ref),
		    dead != NULL ? dead->ref : "");
		if (dead != NULL && strcmp(dead->name, c->h->name) != 0)
			job_step_event(c->st, c->j, "found dead in pool %s as "
			    "XAPI host \"%s\" (uuid %s, same %s)", c->p->name,
			    dead->name, dead->uuid, pool_match_words(
			    pool_host_matches(dead, &id), by, sizeof(by)));
	}
	pool_snapshot_free(&s);
	return res;
}

/* forget: host.destroy of the dead member (by the ref the check step
 * found) on the master. */
static enum job_step_res
job_step_forget(struct job_step_ctx *c)
{
	struct pool_ident id = job_step_ident(c);
	struct pool_snapshot s;
	struct xapi_error e;
	enum job_step_res res;
	struct xapi *x;
	int found = 0, rc;
	size_t i;

	if (c->j->old_ref[0] == '\0')
		return JOB_STEP_OK;
	if (job_step_snapshot(c, &s, "reading the pool", &res) == -1)
		return res;
	/* look again: never forget a host that came back meanwhile */
	for (i = 0; i < s.nhosts; i++) {
		const struct pool_host *h = &s.hosts[i];
		int same = strcmp(h->ref, c->j->old_ref) == 0;

		found |= same;
		if ((same || pool_host_matches(h, &id) != 0) && h->live) {
			snprintf(c->err, sizeof(c->err), "host %.64s is live "
			    "again in pool %.64s (XAPI host \"%.64s\"); not "
			    "forgetting it", c->h->name, c->p->name, h->name);
			pool_snapshot_free(&s);
			return JOB_STEP_FAIL;
		}
	}
	pool_snapshot_free(&s);
	if (!found)
		return JOB_STEP_OK;	/* forgotten meanwhile */
	memset(&e, 0, sizeof(e));
	if ((x = job_step_pool_xapi(c)) == NULL)
		return JOB_STEP_FAIL;
	rc = xapi_call_s(x, "host.destroy", NULL, &e, c->j->old_ref, NULL,
	    NULL);
	xapi_free(x);
	if (rc == -1 && strcmp(e.code, "HANDLE_INVALID") != 0) {
		if (e.transport)
			return job_step_retry(c, "host.destroy",
			    xapi_strerror(&e));
		snprintf(c->err, sizeof(c->err), "host.destroy (xe host-forget) "
		    "failed: %s", xapi_strerror(&e));
		return JOB_STEP_FAIL;
	}
	job_step_event(c->st, c->j, "forgot the dead host in pool %s "
	    "(host.destroy)", c->p->name);
	return JOB_STEP_OK;
}

/* arm: a rebuild installs fresh unless the inventory asks for reinstall. */
static enum job_step_res
job_step_arm(struct job_step_ctx *c)
{
	char token[UTIL_TOKEN_LEN + 1], err[512];
	enum arm_status as;
	int mode;

	mode = c->h->mode == MODE_REINSTALL ? MODE_REINSTALL : MODE_FRESH;
	/* a host that joins a pool gets the XAPI certificate poolboot will
	 * check before it sends it the pool's password */
	as = arm_host_for(c->arm, c->h->name, mode, c->j->kind, 1,
	    c->p != NULL && c->h->ip != NULL, token, err, sizeof(err));
	util_wipe(token, sizeof(token));
	if (as != ARM_OK) {
		snprintf(c->err, sizeof(c->err), "cannot arm: %.480s", err);
		return JOB_STEP_FAIL;
	}
	return JOB_STEP_OK;
}

/*
 * Right before the power action, in a fresh read of c's pool: c's host
 * must not be live in it (powering it would take a live member down),
 * and for a rebuild every other host must be live and enabled (never two
 * hosts of a pool down; the master must be up to join it anyway). An
 * install adds a machine that is no member yet: no other host goes down.
 */
static enum job_step_res
job_step_power_safe(struct job_step_ctx *c)
{
	struct pool_ident id = job_step_ident(c);
	struct pool_snapshot s;
	enum job_step_res res;
	char why[300];
	size_t i;

	if (c->p == NULL)
		return JOB_STEP_OK;
	if (job_step_snapshot(c, &s, "reading the pool before the power "
	    "action", &res) == -1)
		return res;
	res = JOB_STEP_OK;
	for (i = 0; i < s.nhosts && res == JOB_STEP_OK; i++) {
		const struct pool_host *h = &s.hosts[i];

		if (!h->live || (pool_host_matches(h, &id) == 0 &&
		    strcmp(h->ref, c->j->old_ref) != 0))
			continue;
		snprintf(c->err, sizeof(c->err), "host %.64s is live in pool "
		    "%.64s (XAPI host \"%.64s\"): powering it into the installer "
		    "would take a live member down; shut it down first if it "
		    "really must be installed, then poolboot jobs retry %lld",
		    c->h->name, c->p->name, h->name, (long long)c->j->id);
		res = JOB_STEP_FAIL;
	}
	if (res == JOB_STEP_OK && strcmp(c->j->kind, "rebuild") == 0 &&
	    pool_others_up(&s, c->j->old_ref[0] ? c->j->old_ref : NULL, &id,
	    why, sizeof(why)) == -1) {
		snprintf(c->err, sizeof(c->err), "refusing to power %.64s into "
		    "the installer: XAPI shows other hosts of pool %.64s "
		    "%.150s (never two hosts of a pool down); bring them back "
		    "live and enabled (xe host-enable), then poolboot jobs retry "
		    "%lld", c->h->name, c->p->name, why, (long long)c->j->id);
		res = JOB_STEP_FAIL;
	}
	pool_snapshot_free(&s);
	return res;
}

/* power: into PXE through the host's power control (power.h), once
 * job_step_power_safe agrees. */
static enum job_step_res
job_step_power(struct job_step_ctx *c)
{
	struct host_status hs;
	enum job_step_res res;
	char msg[512];

	/* resumed after the installer already started: do not power again */
	if (store_host_status(c->st, c->h->name, &hs) == 0 &&
	    hs.state != HOST_ARMED)
		return JOB_STEP_OK;
	if ((res = job_step_power_safe(c)) != JOB_STEP_OK)
		return res;
	switch (power_pxe_boot(c->h, msg, sizeof(msg))) {
	case POWER_OK:
		job_step_event(c->st, c->j, "powered into PXE: %s", msg);
		return JOB_STEP_OK;
	case POWER_MANUAL:
		util_strlcpy(c->j->message, sizeof(c->j->message), msg);
		job_step_event(c->st, c->j, "%s", msg);
		return JOB_STEP_OK;
	case POWER_USE_XAPI:
		snprintf(c->err, sizeof(c->err), "host %s has power = xapi, but "
		    "XAPI can only reboot a live host; set power = ipmi or "
		    "redfish (its BMC) or power = manual in its [host] section",
		    c->h->name);
		return JOB_STEP_FAIL;
	default:
		snprintf(c->err, sizeof(c->err), "power control failed: %.450s",
		    msg);
		return JOB_STEP_FAIL;
	}
}

/* install: waits for the installer's callback (or the install timeout). */
static enum job_step_res
job_step_install(struct job_step_ctx *c)
{
	struct host_status hs;

	if (store_host_status(c->st, c->h->name, &hs) == -1) {
		snprintf(c->err, sizeof(c->err), "cannot read the store");
		return JOB_STEP_FAIL;
	}
	if (hs.state == HOST_DONE) {
		c->j->message[0] = '\0';
		return JOB_STEP_OK;
	}
	if (hs.state == HOST_FAILED || hs.state == HOST_IDLE) {
		snprintf(c->err, sizeof(c->err), "the installer did not succeed: "
		    "%.400s", hs.last_event[0] ? hs.last_event : "host disarmed");
		return JOB_STEP_FAIL;
	}
	if (util_now_ms() - c->j->step_started_at >
	    (int64_t)job_step_timeout(c) * 1000) {
		char err[256];

		(void)arm_disarm(c->arm, c->h->name, err, sizeof(err));
		snprintf(c->err, sizeof(c->err), "no callback from the installer "
		    "within %d s; check the host's console",
		    job_step_timeout(c));
		return JOB_STEP_FAIL;
	}
	c->wait_ms = job_step_poll(c);
	return JOB_STEP_WAIT;
}

/* Whether e says the peer showed another certificate than poolboot's
 * (xapi.h XAPI_PIN_MISMATCH); then c->err says so for the operator. */
static int
job_step_impostor(struct job_step_ctx *c, const struct xapi_error *e)
{
	char url[256], why[8];

	if (!e->transport || strcmp(e->code, XAPI_PIN_MISMATCH) != 0)
		return 0;
	if (job_step_new_host_url(c, url, sizeof(url), why, sizeof(why)) == -1)
		snprintf(url, sizeof(url), "%s", c->h->ip);
	snprintf(c->err, sizeof(c->err), "%.80s shows a TLS certificate that "
	    "is not the certificate poolboot made for the new install of %.63s "
	    "(SHA-256 %.95s); nothing was sent to it. Another machine answers "
	    "there, or the install lacks poolboot's certificate (installer "
	    "log: filesystem-populated script)", url, c->h->name,
	    e->nparams > 0 ? e->params[0] : "?");
	return 1;
}

/* xapi: waits until the new install answers a login. */
static enum job_step_res
job_step_xapi(struct job_step_ctx *c)
{
	struct xapi_error e;
	struct xapi *x;
	char err[512];

	memset(&e, 0, sizeof(e));
	if ((x = job_step_new_host_xapi(c, err, sizeof(err))) == NULL) {
		snprintf(c->err, sizeof(c->err), "%s", err);
		return JOB_STEP_FAIL;
	}
	if (xapi_login(x, &e) == -1) {
		xapi_free(x);
		if (job_step_impostor(c, &e))
			return JOB_STEP_FAIL;
		if (strcmp(e.code, "SESSION_AUTHENTICATION_FAILED") == 0) {
			snprintf(c->err, sizeof(c->err), "the new install of %s "
			    "refuses root's password from root_password_file",
			    c->h->name);
			return JOB_STEP_FAIL;
		}
		/* still booting, or already a member (HOST_IS_SLAVE after a
		 * resumed join): both are answered by the next steps */
		if (strcmp(e.code, "HOST_IS_SLAVE") == 0)
			return JOB_STEP_OK;
		return job_step_retry(c, "waiting for XAPI on the new install",
		    xapi_strerror(&e));
	}
	xapi_free(x);
	return JOB_STEP_OK;
}

/* Calls pool.join(master, the pool's username and password) on the new
 * install. 0 called (the outcome in rc and e), -1 with c->err set. */
static int
job_step_join_call(struct job_step_ctx *c, const char *master, int *rc,
    struct xapi_error *e)
{
	struct xr_value *args[3];
	struct xapi *nx;
	char err[512], *pw;
	size_t len = 0;

	if ((nx = job_step_new_host_xapi(c, err, sizeof(err))) == NULL) {
		snprintf(c->err, sizeof(c->err), "%s", err);
		return -1;
	}
	if ((pw = util_read_file(c->p->password_file, 4096, &len)) == NULL) {
		xapi_free(nx);
		snprintf(c->err, sizeof(c->err), "cannot read password_file %s",
		    c->p->password_file);
		return -1;
	}
	pw[strcspn(pw, "\r\n")] = '\0';
	args[0] = xr_string(master);
	args[1] = xr_string(c->p->username);
	args[2] = xr_string(pw);
	util_wipe(pw, len);
	free(pw);
	*rc = xapi_call(nx, "pool.join", args, 3, NULL, e);
	if (args[2] != NULL && args[2]->s != NULL)
		util_wipe(args[2]->s, strlen(args[2]->s));
	xr_free(args[0]);
	xr_free(args[1]);
	xr_free(args[2]);
	xapi_free(nx);
	return 0;
}

/* join: pool.join on the new install, unless it is a member already. */
static enum job_step_res
job_step_join(struct job_step_ctx *c)
{
	struct pool_host_info hi;
	struct xapi_error e;
	struct xapi *px;
	char master[64] = "";
	int rc;

	memset(&e, 0, sizeof(e));
	if ((px = job_step_pool_xapi(c)) == NULL)
		return JOB_STEP_FAIL;
	rc = pool_find_host(px, NULL, c->h->ip, &hi, master, sizeof(master),
	    &e);
	xapi_free(px);
	if (rc == -1)
		return job_step_retry(c, "reading the pool", xapi_strerror(&e));
	if (rc == 0)
		return JOB_STEP_OK;	/* already a member (resumed) */
	if (master[0] == '\0') {
		snprintf(c->err, sizeof(c->err), "pool %s names no master "
		    "address", c->p->name);
		return JOB_STEP_FAIL;
	}
	if (job_step_join_call(c, master, &rc, &e) == -1)
		return JOB_STEP_FAIL;
	if (rc == -1) {
		if (job_step_impostor(c, &e))
			return JOB_STEP_FAIL;
		/* joining restarts the host's XAPI: a dropped connection is
		 * expected; the member step checks the result */
		if (e.transport)
			return JOB_STEP_OK;
		if (strcmp(e.code, "HOSTS_NOT_HOMOGENEOUS") == 0)
			snprintf(c->err, sizeof(c->err), "pool.join refused: "
			    "%s; install the version the pool runs (the pool's "
			    "repo) and retry", xapi_strerror(&e));
		else
			snprintf(c->err, sizeof(c->err), "pool.join refused: %s",
			    xapi_strerror(&e));
		return JOB_STEP_FAIL;
	}
	job_step_event(c->st, c->j, "pool.join to pool %s (master %s) "
	    "accepted", c->p->name, master);
	return JOB_STEP_OK;
}

/* member: waits for the new host to be live and enabled in the pool,
 * naming it after the inventory and enabling it on the way. */
static enum job_step_res
job_step_member(struct job_step_ctx *c)
{
	struct pool_host_info hi;
	struct xapi_error e;
	struct xapi *x;
	int rc;

	memset(&e, 0, sizeof(e));
	if ((x = job_step_pool_xapi(c)) == NULL)
		return JOB_STEP_FAIL;
	rc = pool_find_host(x, NULL, c->h->ip, &hi, NULL, 0, &e);
	if (rc != 0) {
		xapi_free(x);
		if (rc == 1)
			util_strlcpy(e.message, sizeof(e.message),
			    "not yet a member");
		return job_step_retry(c, "waiting for the host in the pool",
		    e.message[0] ? e.message : xapi_strerror(&e));
	}
	/* the inventory name becomes its XAPI name: rolling upgrades find
	 * hosts by name_label */
	if (strcmp(hi.name, c->h->name) != 0 &&
	    xapi_call_s(x, "host.set_name_label", NULL, &e, hi.ref, c->h->name,
	    NULL) == -1)
		log_ctx(PB_LOG_WARN, "job", c->p->name, c->h->name,
		    "host.set_name_label: %s", xapi_strerror(&e));
	if (hi.live && !hi.enabled &&
	    xapi_call_s(x, "host.enable", NULL, &e, hi.ref, NULL, NULL) == -1)
		log_ctx(PB_LOG_DEBUG, "job", c->p->name, c->h->name,
		    "host.enable: %s", xapi_strerror(&e));
	xapi_free(x);
	if (!hi.live || !hi.enabled)
		return job_step_retry(c, "waiting for the host to be live and "
		    "enabled", hi.live ? "not enabled yet" : "not live yet");
	return JOB_STEP_OK;
}

/* The steps: what each does and which timeout bounds it. */
static const struct job_step_def {
	enum job_step_res (*run)(struct job_step_ctx *);
	enum job_step_limit limit;
} job_step_table[JOB_STEP_COUNT] = {
	[JOB_CHECK] =	{ job_step_check,	JOB_LIMIT_STEP },
	[JOB_FORGET] =	{ job_step_forget,	JOB_LIMIT_STEP },
	[JOB_ARM] =	{ job_step_arm,		JOB_LIMIT_STEP },
	[JOB_POWER] =	{ job_step_power,	JOB_LIMIT_STEP },
	[JOB_INSTALL] =	{ job_step_install,	JOB_LIMIT_INSTALL },
	[JOB_XAPI] =	{ job_step_xapi,	JOB_LIMIT_REJOIN },
	[JOB_JOIN] =	{ job_step_join,	JOB_LIMIT_STEP },
	[JOB_MEMBER] =	{ job_step_member,	JOB_LIMIT_REJOIN },
	[JOB_DONE] =	{ NULL,			JOB_LIMIT_STEP },
};

static enum job_step_limit
job_step_limit(enum job_step s)
{
	return (unsigned)s < JOB_STEP_COUNT ? job_step_table[s].limit :
	    JOB_LIMIT_STEP;
}

enum job_step_res
job_step_run(struct job_step_ctx *c)
{
	if ((unsigned)c->step >= JOB_STEP_COUNT ||
	    job_step_table[c->step].run == NULL)
		return JOB_STEP_OK;
	return job_step_table[c->step].run(c);
}
