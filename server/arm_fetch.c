/* arm_fetch.c — an installer's answerfile fetch; see arm.h
 * (arm_fetch_begin, arm_fetch_end).
 *
 * Under arm's lock only what must be decided in order: the token, the
 * loop guard and the fetch's attempt number. The number is reserved in
 * a->inflight (arm_int.h): the store's count plus the fetches of the
 * arming still on their way to the disk, so N concurrent fetches get the
 * numbers a one-commit-per-fetch server would give them. The loop guard
 * trips on a count that is all on disk: with fetches in flight it waits
 * (a->cv) until they have landed and decides again, so the fetch that
 * trips it is the one after the last counted one, as before.
 *
 * Then, without the lock, with the request's own configuration
 * reference: the answerfile is rendered (render.h is thread-safe:
 * libxml2 is initialised once before any thread, every parse has its own
 * context) and the count is queued with its event for the store's group
 * commit (store_commit.h), which calls arm_fetch_landed_batch once per
 * transaction (the batch's reservations released under one lock), then
 * arm_fetch_landed for each fetch. Only then may the answerfile leave
 * (arm_fetch_end).
 */
#include "arm.h"
#include "arm_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_live.h"
#include "hostcert.h"
#include "log.h"
#include "render.h"
#include "util.h"

struct arm_fetch {
	struct store_fetch sf;		/* its count, queued */
	struct arm	*a;
	const struct config *cfg;	/* a reference, dropped by _end */
	const struct host *h;		/* in cfg */
	struct arming	 ar;
	int		 attempts;	/* the number reserved: fetch N */
	int		 of;		/* of boot_attempts */
	uint64_t	 epoch;		/* a->afc's, with cfg */
	enum arm_status	 status;	/* once counted: ARM_OK, ARM_CONFLICT,
					 * ARM_ERROR */
	char		*body;
	size_t		 len;
	void		(*done)(void *);
	void		*arg;
};

/* The in-flight entry of arming id, added (count 0) when create is set;
 * NULL when none or out of memory. Caller holds a->mu. */
static struct arm_inflight *
arm_fetch_slot(struct arm *a, int64_t id, int create)
{
	struct arm_inflight *v;
	size_t i, cap;

	for (i = 0; i < a->ninflight; i++)
		if (a->inflight[i].arming_id == id)
			return &a->inflight[i];
	if (!create)
		return NULL;
	if (a->ninflight == a->capinflight) {
		cap = a->capinflight ? a->capinflight * 2 : 16;
		if ((v = realloc(a->inflight, cap * sizeof(*v))) == NULL)
			return NULL;
		a->inflight = v;
		a->capinflight = cap;
	}
	v = &a->inflight[a->ninflight++];
	memset(v, 0, sizeof(*v));
	v->arming_id = id;
	return v;
}

/* One fetch of arming id is no longer in flight (landed or never
 * queued); the last one's entry goes: 1 then (the loop guard, if it
 * waits, must decide again), else 0. Caller holds a->mu. */
static int
arm_fetch_unreserve(struct arm *a, int64_t id)
{
	struct arm_inflight *v;

	if ((v = arm_fetch_slot(a, id, 0)) == NULL || --v->inflight > 0)
		return 0;
	*v = a->inflight[--a->ninflight];
	arm_changed(a);		/* the store's count is the truth again */
	return 1;
}

/* arm_fetch_unreserve for a fetch that was never queued. */
static void
arm_fetch_release(struct arm *a, int64_t id)
{
	pthread_mutex_lock(&a->mu);
	if (arm_fetch_unreserve(a, id))
		pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

/* The loop guard trips on arming ar of h: the arming fails (store first),
 * then local boot. Caller holds a->mu; no fetch of ar is in flight. */
static enum arm_status
arm_fetch_trip(struct arm *a, const struct host *h, const struct arming *ar)
{
	char reason[256];

	snprintf(reason, sizeof(reason), "boot loop guard: answerfile "
	    "fetched %d times without a callback", ar->attempts);
	if (store_arming_finish(a->st, ar->id, "failed", reason,
	    util_now()) == -1)
		return ARM_UNAVAILABLE;
	arm_changed(a);
	hostcert_drop_key(a->cfg, h->name);
	arm_afcache_drop(a->afc, ar->id);
	(void)arm_write_local(a, h);
	arm_ev(a, h, "loopguard", "%s; back to local boot, host marked "
	    "failed", reason);
	log_ctx(PB_LOG_WARN, "arm", h->pool_name, h->name,
	    "%s; back to local boot", reason);
	return ARM_LOOP_GUARD;
}

/* arm_fetch_begin's part under arm's lock: token, loop guard, the
 * attempt number reserved. ARM_OK: f has its arming, number, host and
 * configuration reference. */
static enum arm_status
arm_fetch_decide(struct arm *a, const char *host, const char *token,
    struct arm_fetch *f)
{
	enum arm_status ret, pre;
	struct arm_inflight *v;
	const struct host *h;
	uint64_t gen;
	int base, first = 1;

	/* the token looked up in the store before the lock (the costly
	 * part, which kept every other fetch and the committer waiting),
	 * used under it only while nothing it depends on changed since
	 * (arm_int.h, arm_changed) */
	gen = __atomic_load_n(&a->gen, __ATOMIC_ACQUIRE);
	pre = arm_check_token_of(a, host, token, &f->ar);
	pthread_mutex_lock(&a->mu);
	for (;;) {
		if ((h = config_host(a->cfg, host)) == NULL) {
			ret = ARM_NOT_FOUND;
			goto out;
		}
		if (!first || pre == ARM_ERROR ||
		    gen != __atomic_load_n(&a->gen, __ATOMIC_ACQUIRE))
			pre = arm_check_token(a, h, token, &f->ar);
		ret = pre;
		first = 0;	/* after a wait: looked up again */
		if (ret != ARM_OK) {
			if (ret == ARM_FORBIDDEN || ret == ARM_GONE)
				log_ctx(PB_LOG_INFO, "arm", h->pool_name,
				    h->name, "answerfile refused (%s token)",
				    ret == ARM_GONE ? "retired" : "wrong");
			goto out;
		}
		v = arm_fetch_slot(a, f->ar.id, 0);
		base = v != NULL ? v->count : f->ar.attempts;
		if (base < a->cfg->boot_attempts)
			break;
		/* boot-loop guard: the installer keeps coming back without
		 * ever calling back. It trips on the count on disk: the
		 * fetches still in flight land first, then all is decided
		 * again (the arming may have ended meanwhile) */
		if (v == NULL) {
			ret = arm_fetch_trip(a, h, &f->ar);
			goto out;
		}
		pthread_cond_wait(&a->cv, &a->mu);
	}
	if ((v = arm_fetch_slot(a, f->ar.id, 1)) == NULL) {
		log_error("arm", "out of memory");
		ret = ARM_ERROR;
		goto out;
	}
	/* counted before anything else can fail, so that even a host that
	 * is refused below runs into the loop guard eventually */
	v->count = base + 1;
	v->inflight++;
	f->attempts = base + 1;
	f->of = a->cfg->boot_attempts;
	f->epoch = arm_afcache_epoch(a->afc);
	f->cfg = config_live_ref(a->live, a->cfg);
	f->h = h;
	ret = ARM_OK;
out:
	pthread_mutex_unlock(&a->mu);
	return ret;
}

/* f's answerfile for token: the one rendered for its arming before
 * when nothing it was made from changed (arm_afcache.h), else rendered
 * (and kept). NULL with err. */
static char *
arm_fetch_body(struct arm_fetch *f, const char *token, size_t *len,
    char *err, size_t errlen)
{
	struct arm_afcache *afc = f->a->afc;
	struct arm_afcache_key k;
	struct arm_afcache_file tf;
	enum hostcert_state hs;
	char path[PATH_MAX], *body;

	memset(&k, 0, sizeof(k));
	k.arming_id = f->ar.id;
	memcpy(k.token_hash, f->ar.token_hash, sizeof(k.token_hash));
	k.mode = (int)f->ar.mode;
	k.epoch = f->epoch;
	k.hc_gen = hostcert_generation();	/* before the pin is read */
	if (render_answerfile_template(f->cfg, f->ar.mode, path,
	    sizeof(path)) == 0)
		arm_afcache_stat(path, &tf);	/* before the render */
	else
		memset(&tf, 0, sizeof(tf));
	if ((body = arm_afcache_get(afc, &k, &tf, len)) != NULL)
		return body;
	if (hostcert_state(f->cfg, f->h->name, f->ar.token_hash, &hs) == -1) {
		snprintf(err, errlen, "cannot read the certificate pin");
		return NULL;
	}
	k.hostcert = hs != HOSTCERT_NONE;
	if ((body = render_answerfile_for(f->cfg, f->h, f->ar.mode, token,
	    k.hostcert, len, err, errlen)) != NULL)
		arm_afcache_put(afc, &k, &tf, body, *len);
	return body;
}

/* arm_fetch_begin's part without the lock: the answer (f->status,
 * f->body) for token, and the count's event. */
static void
arm_fetch_render(struct arm_fetch *f, const char *token)
{
	const struct host *h = f->h;
	const char *mode = config_mode_name(f->ar.mode);
	struct store_fetch *sf = &f->sf;
	char err[256];

	snprintf(sf->pool, sizeof(sf->pool), "%s", h->pool_name);
	/* an arming follows the inventory's mode, unless an explicit
	 * rebuild chose it (purpose); then the inventory cannot disagree */
	if (f->ar.purpose[0] == '\0' && h->mode != f->ar.mode) {
		f->status = ARM_CONFLICT;
		snprintf(sf->kind, sizeof(sf->kind), "refused");
		snprintf(sf->message, sizeof(sf->message), "answerfile "
		    "refused: armed for %s but the inventory now says %s; "
		    "re-arm the host", mode, config_mode_name(h->mode));
		log_ctx(PB_LOG_WARN, "arm", h->pool_name, h->name,
		    "answerfile refused: armed for %s, inventory mode is %s",
		    mode, config_mode_name(h->mode));
		return;
	}
	err[0] = '\0';
	if ((f->body = arm_fetch_body(f, token, &f->len, err,
	    sizeof(err))) == NULL) {
		f->status = ARM_ERROR;
		snprintf(sf->kind, sizeof(sf->kind), "refused");
		snprintf(sf->message, sizeof(sf->message), "answerfile not "
		    "served: %s", err);
		log_ctx(PB_LOG_ERROR, "arm", h->pool_name, h->name,
		    "answerfile not served: %s", err);
		return;
	}
	f->status = ARM_OK;
	snprintf(sf->kind, sizeof(sf->kind), "fetch");
	snprintf(sf->message, sizeof(sf->message), "%s answerfile served "
	    "(fetch %d of %d)", mode, f->attempts, f->of);
}

/* The store's committer: a transaction's fetches are on disk (or
 * failed). Every one of them in batch that is an arm_fetch is no longer
 * in flight: one lock of arm's mutex and one broadcast per transaction,
 * not per fetch (store_commit.h, landed). */
static void
arm_fetch_landed_batch(struct store_fetch *batch)
{
	struct store_fetch *sf;
	struct arm_fetch *f;
	struct arm *a = NULL;
	int gone = 0;

	for (sf = batch; sf != NULL; sf = sf->next) {
		if (sf->landed != arm_fetch_landed_batch)
			continue;
		f = sf->arg;
		if (f->a != a) {	/* one arm in practice */
			if (a != NULL) {
				if (gone)
					pthread_cond_broadcast(&a->cv);
				pthread_mutex_unlock(&a->mu);
			}
			a = f->a;
			gone = 0;
			pthread_mutex_lock(&a->mu);
		}
		gone |= arm_fetch_unreserve(a, f->ar.id);
	}
	if (a != NULL) {
		if (gone)
			pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
	}
}

/* The store's committer, after arm_fetch_landed_batch: f may answer. */
static void
arm_fetch_landed(struct store_fetch *sf)
{
	struct arm_fetch *f = sf->arg;

	f->done(f->arg);	/* f is the caller's from here on */
}

/* Frees f (its body wiped: it carries the token). */
static void
arm_fetch_free(struct arm *a, struct arm_fetch *f)
{
	if (f == NULL)
		return;
	if (f->body != NULL) {
		util_wipe(f->body, f->len);
		free(f->body);
	}
	config_live_put(a->live, f->cfg);
	free(f);
}

enum arm_status
arm_fetch_begin(struct arm *a, const char *host, const char *token,
    void (*done)(void *), void *arg, struct arm_fetch **out)
{
	struct arm_fetch *f;
	enum arm_status ret;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return ARM_ERROR;
	f->a = a;
	f->done = done;
	f->arg = arg;
	if ((ret = arm_fetch_decide(a, host, token, f)) != ARM_OK) {
		arm_fetch_free(a, f);
		return ret;
	}
	arm_fetch_render(f, token);
	f->sf.arming_id = f->ar.id;
	f->sf.now = util_now();
	f->sf.done = arm_fetch_landed;
	f->sf.landed = arm_fetch_landed_batch;
	f->sf.arg = f;
	if (store_commit_queue(a->st, &f->sf) == -1) {
		arm_fetch_release(a, f->ar.id);
		arm_fetch_free(a, f);
		return ARM_ERROR;
	}
	*out = f;
	return ARM_OK;
}

enum arm_status
arm_fetch_end(struct arm *a, struct arm_fetch *f, char **body, size_t *len)
{
	const struct host *h = f->h;
	enum arm_status ret;

	*body = NULL;
	*len = 0;
	switch (f->sf.result) {
	case STORE_FETCH_COUNTED:
		ret = f->status;
		break;
	case STORE_FETCH_INACTIVE:
		/* a callback, disarm or re-arm came first: as if this fetch
		 * had come after it */
		arm_afcache_drop(a->afc, f->ar.id);
		log_ctx(PB_LOG_INFO, "arm", h->pool_name, h->name,
		    "answerfile refused (token retired while it was being "
		    "counted)");
		ret = ARM_GONE;
		break;
	default:	/* not counted: the database could not be written */
		ret = ARM_UNAVAILABLE;
		break;
	}
	if (ret == ARM_OK) {
		/* the event (written with the count) and the access log line
		 * say it already: this line only at debug level (one
		 * formatted line per answerfile cost ~8% of serve's CPU) */
		log_ctx(PB_LOG_DEBUG, "arm", h->pool_name, h->name,
		    "%s answerfile served (fetch %d of %d)",
		    config_mode_name(f->ar.mode), f->attempts, f->of);
		*body = f->body;
		*len = f->len;
		f->body = NULL;
	}
	arm_fetch_free(a, f);
	return ret;
}

