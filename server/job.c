/* job.c — rebuild and install jobs; see job.h.
 *
 * Each job runs on its own thread. The loop reads the job from the store,
 * performs its step, and writes the next step before acting on it; a step
 * that has to wait returns and is tried again after a poll interval (or at
 * once when an installer calls back). Steps are written so that doing one
 * again after a crash is harmless: forgetting a host that is already gone
 * is fine, re-arming before the power step only replaces the token, the
 * power step runs again only if the installer never fetched its answerfile,
 * and the later steps only observe or are idempotent (pool.join of a host
 * that is already a member is recognised).
 */
#include "job.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "log.h"
#include "pool.h"
#include "power.h"
#include "util.h"
#include "xapi.h"

#define JOB_DEFAULT_TIMEOUT	1200	/* s, steps without a pool's timeouts */
#define JOB_DEFAULT_INSTALL	5400
#define JOB_POLL_MS		1000

enum job_step
job_step_next(enum job_step s, int joins)
{
	switch (s) {
	case JOB_CHECK:		return JOB_FORGET;
	case JOB_FORGET:	return JOB_ARM;
	case JOB_ARM:		return JOB_POWER;
	case JOB_POWER:		return JOB_INSTALL;
	case JOB_INSTALL:	return joins ? JOB_XAPI : JOB_DONE;
	case JOB_XAPI:		return JOB_JOIN;
	case JOB_JOIN:		return JOB_MEMBER;
	case JOB_MEMBER:	return JOB_DONE;
	default:		return JOB_DONE;
	}
}

/* ---- registry and threads ------------------------------------------------- */

struct jobthread {
	struct jobs	*js;
	int64_t		 id;
	pthread_t	 th;
	int		 running;
	int		 abort_req;
	struct jobthread *next;
};

struct jobs {
	const struct config *cfg;
	struct store	*st;
	struct arm	*arm;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	unsigned	 generation;
	int		 stop;
	struct jobthread *threads;
};

void
jobs_notify(struct jobs *js)
{
	if (js == NULL)
		return;
	pthread_mutex_lock(&js->mu);
	js->generation++;
	pthread_cond_broadcast(&js->cv);
	pthread_mutex_unlock(&js->mu);
}

static void
jt_wait(struct jobthread *t, int ms)
{
	struct jobs *js = t->js;
	struct timespec ts;
	unsigned gen;

	util_deadline_ms(&ts, ms);
	pthread_mutex_lock(&js->mu);
	gen = js->generation;
	while (!js->stop && !t->abort_req && gen == js->generation)
		if (pthread_cond_timedwait(&js->cv, &js->mu, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&js->mu);
}

static void
jev(struct jobs *js, const struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
jev(struct jobs *js, const struct job *j, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	store_event(js->st, j->host, j->pool[0] ? j->pool : NULL, j->kind, "%s",
	    msg);
	log_ctx(PB_LOG_INFO, "job", j->pool[0] ? j->pool : NULL, j->host,
	    "%s (job %lld): %s", j->kind, (long long)j->id, msg);
}

/* ---- steps ---------------------------------------------------------------- */

enum jres { JR_OK, JR_WAIT, JR_FAIL };

struct jctx {
	struct jobthread *t;
	struct job	*j;
	const struct host *h;
	const struct pool *p;		/* the pool it joins, NULL if none */
	char		 why[512];
	int		 wait_ms;
};

static int
jtimeout(const struct jctx *c, enum job_step s)
{
	if (s == JOB_INSTALL)
		return c->p ? c->p->install_timeout : JOB_DEFAULT_INSTALL;
	if (c->p == NULL)
		return JOB_DEFAULT_TIMEOUT;
	if (s == JOB_XAPI || s == JOB_MEMBER)
		return c->p->rejoin_timeout;
	return c->p->step_timeout;
}

static int
jpoll(const struct jctx *c)
{
	return c->p ? c->p->poll_ms : JOB_POLL_MS;
}

/* Transient trouble: wait and try again until the step's timeout. */
static enum jres
jretry(struct jctx *c, enum job_step s, const char *what, const char *detail)
{
	if (util_now_ms() - c->j->step_started_at <
	    (int64_t)jtimeout(c, s) * 1000) {
		c->j->attempts++;
		c->wait_ms = jpoll(c) * (c->j->attempts < 5 ? c->j->attempts : 5);
		log_ctx(PB_LOG_DEBUG, "job", c->j->pool[0] ? c->j->pool : NULL,
		    c->j->host, "%s: %s: %s; trying again", c->j->kind, what,
		    detail);
		return JR_WAIT;
	}
	snprintf(c->why, sizeof(c->why), "%s: %.300s (gave up after %d s)", what,
	    detail, jtimeout(c, s));
	return JR_FAIL;
}

/* A client for the freshly installed host: its inventory ip, the scheme
 * and port of its pool's XAPI URL, root and the new root password (read
 * again from root_password_file, wiped after use). The new install has a
 * self-signed certificate nobody knows yet, so it is not verified. */
static struct xapi *
new_host_xapi(struct jctx *c, char *err, size_t errlen)
{
	struct xapi_conf xc = { 0 };
	struct xapi *x = NULL;
	char url[256], *pw = NULL;
	const char *path = c->h->root_password_file;
	const char *scheme = "https", *port = "";
	size_t len = 0;

	if (c->p != NULL && c->p->xapi != NULL) {
		const char *rest = strstr(c->p->xapi, "://");
		const char *colon;

		if (strncmp(c->p->xapi, "http://", 7) == 0)
			scheme = "http";
		if (rest != NULL && (colon = strrchr(rest + 3, ':')) != NULL &&
		    strchr(colon, ']') == NULL)
			port = colon;
	}
	snprintf(url, sizeof(url), "%s://%s%s", scheme, c->h->ip, port);
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
	xc.tls_verify = 0;
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

static enum jres
step_check(struct jctx *c)
{
	struct pool_host_info hi;
	struct xapi_error e;
	struct xapi *x;
	char err[512];
	int rc;

	memset(&e, 0, sizeof(e));
	if ((x = pool_xapi(c->p, err, sizeof(err))) == NULL) {
		snprintf(c->why, sizeof(c->why), "%s", err);
		return JR_FAIL;
	}
	rc = pool_find_host(x, c->h->name, NULL, &hi, NULL, 0, &e);
	xapi_free(x);
	if (rc == -1)
		return jretry(c, JOB_CHECK, "reading the pool", xapi_strerror(&e));
	if (rc == 1) {
		/* already forgotten (an earlier attempt, or by hand) */
		c->j->old_ref[0] = '\0';
		return JR_OK;
	}
	if (hi.live) {
		snprintf(c->why, sizeof(c->why), "host %s is live in pool %s: "
		    "poolboot only rebuilds a dead or failed member and never "
		    "forgets a live host (shut it down first if it really must "
		    "be rebuilt)", c->h->name, c->p->name);
		return JR_FAIL;
	}
	util_strlcpy(c->j->old_ref, sizeof(c->j->old_ref), hi.ref);
	return JR_OK;
}

static enum jres
step_forget(struct jctx *c)
{
	struct pool_host_info hi;
	struct xapi_error e;
	struct xapi *x;
	char err[512];
	int rc;

	if (c->j->old_ref[0] == '\0')
		return JR_OK;
	memset(&e, 0, sizeof(e));
	if ((x = pool_xapi(c->p, err, sizeof(err))) == NULL) {
		snprintf(c->why, sizeof(c->why), "%s", err);
		return JR_FAIL;
	}
	/* look again: never forget a host that came back meanwhile */
	rc = pool_find_host(x, c->h->name, NULL, &hi, NULL, 0, &e);
	if (rc == 0 && hi.live) {
		xapi_free(x);
		snprintf(c->why, sizeof(c->why), "host %s is live again; not "
		    "forgetting it", c->h->name);
		return JR_FAIL;
	}
	if (rc == -1 || (rc == 0 && xapi_call_s(x, "host.destroy", NULL, &e,
	    hi.ref, NULL, NULL) == -1 && strcmp(e.code, "HANDLE_INVALID") != 0)) {
		xapi_free(x);
		if (e.transport)
			return jretry(c, JOB_FORGET, "host.destroy",
			    xapi_strerror(&e));
		snprintf(c->why, sizeof(c->why), "host.destroy (xe host-forget) "
		    "failed: %s", xapi_strerror(&e));
		return JR_FAIL;
	}
	xapi_free(x);
	jev(c->t->js, c->j, "forgot the dead host in pool %s (host.destroy)",
	    c->p->name);
	return JR_OK;
}

static enum jres
step_arm(struct jctx *c)
{
	char token[UTIL_TOKEN_LEN + 1], msg[512];
	enum arm_status as;
	int mode;

	/* a rebuild installs fresh unless the inventory asks for reinstall */
	mode = c->h->mode == MODE_REINSTALL ? MODE_REINSTALL : MODE_FRESH;
	as = arm_host_for(c->t->js->arm, c->h->name, mode, c->j->kind, 1, token,
	    msg, sizeof(msg));
	util_wipe(token, sizeof(token));
	if (as != ARM_OK) {
		snprintf(c->why, sizeof(c->why), "cannot arm: %.480s", msg);
		return JR_FAIL;
	}
	return JR_OK;
}

static enum jres
step_power(struct jctx *c)
{
	struct host_status hs;
	char msg[512];

	/* resumed after the installer already started: do not power again */
	if (store_host_status(c->t->js->st, c->h->name, &hs) == 0 &&
	    hs.state != HOST_ARMED)
		return JR_OK;
	switch (power_pxe_boot(c->h, msg, sizeof(msg))) {
	case POWER_OK:
		jev(c->t->js, c->j, "powered into PXE: %s", msg);
		return JR_OK;
	case POWER_MANUAL:
		util_strlcpy(c->j->message, sizeof(c->j->message), msg);
		jev(c->t->js, c->j, "%s", msg);
		return JR_OK;
	case POWER_USE_XAPI:
		snprintf(c->why, sizeof(c->why), "host %s has power = xapi, but "
		    "XAPI can only reboot a live host; set power = ipmi (its "
		    "BMC) or power = manual in its [host] section", c->h->name);
		return JR_FAIL;
	default:
		snprintf(c->why, sizeof(c->why), "power control failed: %.450s",
		    msg);
		return JR_FAIL;
	}
}

static enum jres
step_install(struct jctx *c)
{
	struct host_status hs;

	if (store_host_status(c->t->js->st, c->h->name, &hs) == -1) {
		snprintf(c->why, sizeof(c->why), "cannot read the store");
		return JR_FAIL;
	}
	if (hs.state == HOST_DONE) {
		c->j->message[0] = '\0';
		return JR_OK;
	}
	if (hs.state == HOST_FAILED || hs.state == HOST_IDLE) {
		snprintf(c->why, sizeof(c->why), "the installer did not succeed: "
		    "%.400s", hs.last_event[0] ? hs.last_event : "host disarmed");
		return JR_FAIL;
	}
	if (util_now_ms() - c->j->step_started_at >
	    (int64_t)jtimeout(c, JOB_INSTALL) * 1000) {
		char msg[256];

		(void)arm_disarm(c->t->js->arm, c->h->name, msg, sizeof(msg));
		snprintf(c->why, sizeof(c->why), "no callback from the installer "
		    "within %d s; check the host's console", jtimeout(c,
		    JOB_INSTALL));
		return JR_FAIL;
	}
	c->wait_ms = jpoll(c);
	return JR_WAIT;
}

static enum jres
step_xapi(struct jctx *c)
{
	struct xapi_error e;
	struct xapi *x;
	char err[512];

	memset(&e, 0, sizeof(e));
	if ((x = new_host_xapi(c, err, sizeof(err))) == NULL) {
		snprintf(c->why, sizeof(c->why), "%s", err);
		return JR_FAIL;
	}
	if (xapi_login(x, &e) == -1) {
		xapi_free(x);
		if (strcmp(e.code, "SESSION_AUTHENTICATION_FAILED") == 0) {
			snprintf(c->why, sizeof(c->why), "the new install of %s "
			    "refuses root's password from root_password_file",
			    c->h->name);
			return JR_FAIL;
		}
		/* still booting, or already a member (HOST_IS_SLAVE after a
		 * resumed join): both are answered by the next steps */
		if (strcmp(e.code, "HOST_IS_SLAVE") == 0)
			return JR_OK;
		return jretry(c, JOB_XAPI, "waiting for XAPI on the new install",
		    xapi_strerror(&e));
	}
	xapi_free(x);
	return JR_OK;
}

static enum jres
step_join(struct jctx *c)
{
	struct pool_host_info hi;
	struct xapi_error e;
	struct xapi *px, *nx;
	struct xr_value *args[3];
	char err[512], master[64] = "", *pw;
	size_t len = 0;
	int rc;

	memset(&e, 0, sizeof(e));
	if ((px = pool_xapi(c->p, err, sizeof(err))) == NULL) {
		snprintf(c->why, sizeof(c->why), "%s", err);
		return JR_FAIL;
	}
	rc = pool_find_host(px, NULL, c->h->ip, &hi, master, sizeof(master),
	    &e);
	xapi_free(px);
	if (rc == -1)
		return jretry(c, JOB_JOIN, "reading the pool", xapi_strerror(&e));
	if (rc == 0)
		return JR_OK;		/* already a member (resumed) */
	if (master[0] == '\0') {
		snprintf(c->why, sizeof(c->why), "pool %s names no master address",
		    c->p->name);
		return JR_FAIL;
	}
	if ((nx = new_host_xapi(c, err, sizeof(err))) == NULL) {
		snprintf(c->why, sizeof(c->why), "%s", err);
		return JR_FAIL;
	}
	if ((pw = util_read_file(c->p->password_file, 4096, &len)) == NULL) {
		xapi_free(nx);
		snprintf(c->why, sizeof(c->why), "cannot read password_file %s",
		    c->p->password_file);
		return JR_FAIL;
	}
	pw[strcspn(pw, "\r\n")] = '\0';
	args[0] = xr_string(master);
	args[1] = xr_string(c->p->username);
	args[2] = xr_string(pw);
	util_wipe(pw, len);
	free(pw);
	rc = xapi_call(nx, "pool.join", args, 3, NULL, &e);
	if (args[2] != NULL && args[2]->s != NULL)
		util_wipe(args[2]->s, strlen(args[2]->s));
	xr_free(args[0]);
	xr_free(args[1]);
	xr_free(args[2]);
	xapi_free(nx);
	if (rc == -1) {
		/* joining restarts the host's XAPI: a dropped connection is
		 * expected; the member step checks the result */
		if (e.transport)
			return JR_OK;
		if (strcmp(e.code, "HOSTS_NOT_HOMOGENEOUS") == 0)
			snprintf(c->why, sizeof(c->why), "pool.join refused: %s; "
			    "install the version the pool runs (the pool's "
			    "repo) and retry", xapi_strerror(&e));
		else
			snprintf(c->why, sizeof(c->why), "pool.join refused: %s",
			    xapi_strerror(&e));
		return JR_FAIL;
	}
	jev(c->t->js, c->j, "pool.join to pool %s (master %s) accepted",
	    c->p->name, master);
	return JR_OK;
}

static enum jres
step_member(struct jctx *c)
{
	struct pool_host_info hi;
	struct xapi_error e;
	struct xapi *x;
	char err[512];
	int rc;

	memset(&e, 0, sizeof(e));
	if ((x = pool_xapi(c->p, err, sizeof(err))) == NULL) {
		snprintf(c->why, sizeof(c->why), "%s", err);
		return JR_FAIL;
	}
	rc = pool_find_host(x, NULL, c->h->ip, &hi, NULL, 0, &e);
	if (rc != 0) {
		xapi_free(x);
		if (rc == 1)
			util_strlcpy(e.message, sizeof(e.message), "not yet a member");
		return jretry(c, JOB_MEMBER, "waiting for the host in the pool",
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
		return jretry(c, JOB_MEMBER, "waiting for the host to be live and "
		    "enabled", hi.live ? "not enabled yet" : "not live yet");
	return JR_OK;
}

/* ---- the loop --------------------------------------------------------------- */

static void
record_time(struct job *j, enum job_step s)
{
	size_t l = strlen(j->step_ms);

	snprintf(j->step_ms + l, sizeof(j->step_ms) - l, "%s%s=%lld",
	    l ? " " : "", state_job_step_name(s),
	    (long long)(util_now_ms() - j->step_started_at));
}

static void
job_abort_cleanup(struct jobs *js, struct job *j)
{
	char msg[256];

	if (arm_disarm(js->arm, j->host, msg, sizeof(msg)) == ARM_OK)
		jev(js, j, "abort: disarmed (local boot)");
	util_strlcpy(j->state, sizeof(j->state), "aborted");
	j->finished_at = j->updated_at = util_now_ms();
	store_job_update(js->st, j);
	jev(js, j, "aborted by the operator");
}

static void *
job_main(void *arg)
{
	struct jobthread *t = arg;
	struct jobs *js = t->js;
	struct job j;

	for (;;) {
		struct jctx c = { 0 };
		enum job_step step, next;
		enum jres res = JR_OK;
		int abort_now, stop;

		if (store_job_get(js->st, t->id, &j) == -1)
			break;
		pthread_mutex_lock(&js->mu);
		abort_now = t->abort_req;
		stop = js->stop;
		t->abort_req = 0;
		pthread_mutex_unlock(&js->mu);
		if (abort_now) {
			job_abort_cleanup(js, &j);
			break;
		}
		if (stop || strcmp(j.state, "running") != 0)
			break;
		c.t = t;
		c.j = &j;
		c.h = config_host(js->cfg, j.host);
		c.p = j.pool[0] ? config_pool(js->cfg, j.pool) : NULL;
		if (c.h == NULL || state_job_step_parse(j.step, &step) == -1) {
			snprintf(c.why, sizeof(c.why), "host %s or step %s is no "
			    "longer known", j.host, j.step);
			res = JR_FAIL;
			step = JOB_CHECK;
		} else {
			switch (step) {
			case JOB_CHECK:		res = step_check(&c); break;
			case JOB_FORGET:	res = step_forget(&c); break;
			case JOB_ARM:		res = step_arm(&c); break;
			case JOB_POWER:		res = step_power(&c); break;
			case JOB_INSTALL:	res = step_install(&c); break;
			case JOB_XAPI:		res = step_xapi(&c); break;
			case JOB_JOIN:		res = step_join(&c); break;
			case JOB_MEMBER:	res = step_member(&c); break;
			default:		res = JR_OK; break;
			}
		}
		if (res == JR_WAIT) {
			store_job_update(js->st, &j);
			jt_wait(t, c.wait_ms > 0 ? c.wait_ms : JOB_POLL_MS);
			continue;
		}
		if (res == JR_FAIL) {
			util_strlcpy(j.error, sizeof(j.error), c.why);
			util_strlcpy(j.state, sizeof(j.state), "halted");
			j.updated_at = util_now_ms();
			store_job_update(js->st, &j);
			jev(js, &j, "halted in step %s: %s; fix it, then poolboot "
			    "jobs retry %lld (or poolboot jobs abort %lld)", j.step,
			    c.why, (long long)j.id, (long long)j.id);
			break;
		}
		record_time(&j, step);
		next = job_step_next(step, c.p != NULL && c.h->ip != NULL);
		util_strlcpy(j.step, sizeof(j.step), state_job_step_name(next));
		j.step_started_at = j.updated_at = util_now_ms();
		j.attempts = 0;
		j.error[0] = '\0';
		if (next == JOB_DONE) {
			util_strlcpy(j.state, sizeof(j.state), "done");
			j.finished_at = j.updated_at;
		}
		if (store_job_update(js->st, &j) == -1)
			break;
		if (next == JOB_DONE) {
			jev(js, &j, "finished (%s)", j.step_ms);
			break;
		}
		jev(js, &j, "step %s", j.step);
	}
	pthread_mutex_lock(&js->mu);
	t->running = 0;
	pthread_mutex_unlock(&js->mu);
	return NULL;
}

/* Starts a thread for job id. Caller holds js->mu. */
static int
jt_start(struct jobs *js, int64_t id)
{
	struct jobthread *t;

	for (t = js->threads; t != NULL; t = t->next)
		if (t->id == id) {
			if (t->running)
				return 0;
			pthread_mutex_unlock(&js->mu);
			pthread_join(t->th, NULL);
			pthread_mutex_lock(&js->mu);
			break;
		}
	if (t == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			return -1;
		t->js = js;
		t->id = id;
		t->next = js->threads;
		js->threads = t;
	}
	t->running = 1;
	t->abort_req = 0;
	if (pthread_create(&t->th, NULL, job_main, t) != 0) {
		t->running = 0;
		return -1;
	}
	return 0;
}

/* ---- API --------------------------------------------------------------------- */

static char *
jerr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
jerr(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	json_t *o;
	char *s;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o = json_pack("{s:s}", "error", msg);
	s = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	return s;
}

static json_t *
job_json(const struct job *j)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, "
	    "s:s, s:s, s:s, s:i}", "id", (json_int_t)j->id, "host", j->host,
	    "kind", j->kind, "pool", j->pool, "state", j->state, "step", j->step,
	    "created_at", (json_int_t)j->created_at, "updated_at",
	    (json_int_t)j->updated_at, "step_started_at",
	    (json_int_t)j->step_started_at, "finished_at",
	    (json_int_t)j->finished_at, "error", j->error, "message", j->message,
	    "step_ms", j->step_ms, "attempts", j->attempts);
}

static char *
jdump(json_t *o)
{
	char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	json_decref(o);
	return s;
}

int
jobs_start(struct jobs *js, const char *host, const char *kind, int wipe,
    char **json)
{
	const struct host *h = config_host(js->cfg, host);
	int rebuild = strcmp(kind, "rebuild") == 0;
	struct job j, last;
	struct sbuf miss = { .max = 512 };
	int rc;

	if (h == NULL) {
		*json = jerr("no host \"%.64s\" in the inventory", host);
		return 404;
	}
	if (!wipe) {
		*json = jerr("%s %s installs it fresh: its local storage and every "
		    "VM on it are wiped; pass --wipe to go ahead", kind, host);
		return 409;
	}
	if (rebuild && h->pool == NULL) {
		*json = jerr("host %s is in no pool: use install, not rebuild",
		    host);
		return 409;
	}
	if (!rebuild && h->pool != NULL) {
		*json = jerr("host %s is a member of pool %s: use rebuild (it "
		    "forgets the dead member first), not install", host,
		    h->pool->name);
		return 409;
	}
	if (!rebuild && h->mode != MODE_FRESH && h->mode != MODE_REINSTALL) {
		*json = jerr("host %s is in mode %s; a new host is installed "
		    "with mode = fresh", host, config_mode_name(h->mode));
		return 409;
	}
	/* what a fresh install and the join need, named all at once */
	if (h->hostname == NULL)
		sbuf_puts(&miss, " hostname");
	if (h->root_password_hash == NULL)
		sbuf_puts(&miss, " root_password_file");
	if ((rebuild || h->join != NULL) && h->ip == NULL)
		sbuf_puts(&miss, " ip (a static address: poolboot finds the new "
		    "install there)");
	if (miss.len > 0) {
		*json = jerr("host %s lacks what a fresh install needs in its "
		    "[host] section:%s", host, miss.p);
		sbuf_free(&miss);
		return 409;
	}
	/* never under a running rolling upgrade: a member it is upgrading is
	 * not live either, but it is not dead */
	if (rebuild) {
		struct run run;
		struct run_host *rh = NULL;
		size_t n = 0, i;

		if (store_run_latest(js->st, h->pool->name, &run) == 0 &&
		    strcmp(run.state, "running") == 0 &&
		    store_run_hosts(js->st, run.id, &rh, &n) == 0) {
			for (i = 0; i < n; i++)
				if (strcmp(rh[i].host, host) == 0 &&
				    strcmp(rh[i].step, "pending") != 0 &&
				    strcmp(rh[i].step, "done") != 0 &&
				    strcmp(rh[i].step, "skipped") != 0) {
					*json = jerr("host %s is in step %s of the "
					    "running rolling upgrade of pool %s (run "
					    "%lld): let it finish or halt, or abort "
					    "the run first", host, rh[i].step,
					    run.pool, (long long)run.id);
					free(rh);
					return 409;
				}
		}
		free(rh);
	}
	rc = store_job_latest(js->st, host, &last);
	if (rc == 0 && (strcmp(last.state, "running") == 0 ||
	    strcmp(last.state, "halted") == 0)) {
		*json = jerr("host %s already has a %s %s job (%lld): retry or "
		    "abort it", host, last.state, last.kind, (long long)last.id);
		return 409;
	}
	memset(&j, 0, sizeof(j));
	util_strlcpy(j.host, sizeof(j.host), host);
	util_strlcpy(j.kind, sizeof(j.kind), kind);
	util_strlcpy(j.pool, sizeof(j.pool), rebuild ? h->pool->name :
	    (h->join ? h->join->name : ""));
	util_strlcpy(j.state, sizeof(j.state), "running");
	util_strlcpy(j.step, sizeof(j.step), state_job_step_name(rebuild ? JOB_CHECK :
	    JOB_ARM));
	j.created_at = j.updated_at = j.step_started_at = util_now_ms();
	if (store_job_create(js->st, &j) == -1) {
		*json = jerr("cannot write the job to the store");
		return 500;
	}
	jev(js, &j, "%s started%s%s", kind, j.pool[0] ? " for pool " : "",
	    j.pool);
	pthread_mutex_lock(&js->mu);
	rc = jt_start(js, j.id);
	pthread_mutex_unlock(&js->mu);
	if (rc == -1) {
		*json = jerr("cannot start the job thread");
		return 500;
	}
	*json = jdump(job_json(&j));
	return 202;
}

int
jobs_list(struct jobs *js, char **json)
{
	struct job *v = NULL;
	json_t *arr;
	size_t n, i;

	if (store_jobs(js->st, 100, &v, &n) == -1) {
		*json = jerr("cannot read the store");
		return 500;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, job_json(&v[i]));
	free(v);
	*json = jdump(json_pack("{s:o}", "jobs", arr));
	return 200;
}

int
jobs_get(struct jobs *js, int64_t id, char **json)
{
	struct job j;

	if (store_job_get(js->st, id, &j) == -1) {
		*json = jerr("no job %lld", (long long)id);
		return 404;
	}
	*json = jdump(job_json(&j));
	return 200;
}

int
jobs_retry(struct jobs *js, int64_t id, char **json)
{
	struct job j;
	enum job_step s;
	int rc;

	if (store_job_get(js->st, id, &j) == -1) {
		*json = jerr("no job %lld", (long long)id);
		return 404;
	}
	if (strcmp(j.state, "halted") != 0) {
		*json = jerr("job %lld is %s, not halted", (long long)id, j.state);
		return 409;
	}
	/* a failed install needs a new arming and a new boot */
	if (state_job_step_parse(j.step, &s) == 0 && (s == JOB_INSTALL ||
	    s == JOB_POWER))
		util_strlcpy(j.step, sizeof(j.step), state_job_step_name(JOB_ARM));
	util_strlcpy(j.state, sizeof(j.state), "running");
	j.error[0] = '\0';
	j.attempts = 0;
	j.step_started_at = j.updated_at = util_now_ms();
	store_job_update(js->st, &j);
	jev(js, &j, "retry: resuming at step %s", j.step);
	pthread_mutex_lock(&js->mu);
	rc = jt_start(js, id);
	pthread_mutex_unlock(&js->mu);
	if (rc == -1) {
		*json = jerr("cannot start the job thread");
		return 500;
	}
	*json = jdump(job_json(&j));
	return 202;
}

int
jobs_abort(struct jobs *js, int64_t id, char **json)
{
	struct jobthread *t;
	struct job j;
	int running = 0;

	if (store_job_get(js->st, id, &j) == -1) {
		*json = jerr("no job %lld", (long long)id);
		return 404;
	}
	if (strcmp(j.state, "running") != 0 && strcmp(j.state, "halted") != 0) {
		*json = jerr("job %lld is %s: nothing to abort", (long long)id,
		    j.state);
		return 409;
	}
	pthread_mutex_lock(&js->mu);
	for (t = js->threads; t != NULL; t = t->next)
		if (t->id == id && t->running) {
			t->abort_req = 1;
			running = 1;
		}
	pthread_cond_broadcast(&js->cv);
	pthread_mutex_unlock(&js->mu);
	if (!running)
		job_abort_cleanup(js, &j);
	else
		util_strlcpy(j.state, sizeof(j.state), "aborting");
	*json = jdump(job_json(&j));
	return running ? 202 : 200;
}

/* ---- life cycle ------------------------------------------------------------------ */

int
jobs_new(const struct config *cfg, struct store *st, struct arm *arm,
    struct jobs **out)
{
	struct jobs *js;
	int64_t *ids = NULL;
	size_t n = 0, i;

	*out = NULL;
	if ((js = calloc(1, sizeof(*js))) == NULL)
		return -1;
	js->cfg = cfg;
	js->st = st;
	js->arm = arm;
	pthread_mutex_init(&js->mu, NULL);
	pthread_cond_init(&js->cv, NULL);
	if (store_jobs_running(st, &ids, &n) == 0) {
		pthread_mutex_lock(&js->mu);
		for (i = 0; i < n; i++) {
			log_info("job", "resuming job %lld after a restart",
			    (long long)ids[i]);
			jt_start(js, ids[i]);
		}
		pthread_mutex_unlock(&js->mu);
	}
	free(ids);
	*out = js;
	return 0;
}

void
jobs_free(struct jobs *js)
{
	struct jobthread *t, *next;

	if (js == NULL)
		return;
	pthread_mutex_lock(&js->mu);
	js->stop = 1;
	pthread_cond_broadcast(&js->cv);
	pthread_mutex_unlock(&js->mu);
	for (t = js->threads; t != NULL; t = next) {
		next = t->next;
		pthread_join(t->th, NULL);
		free(t);
	}
	pthread_cond_destroy(&js->cv);
	pthread_mutex_destroy(&js->mu);
	free(js);
}
