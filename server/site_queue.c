/* site_queue.c — another site's admin actions, carried out here; see
 * site_queue.h. */
#include "site_queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm.h"
#include "config_live.h"
#include "lease.h"
#include "log.h"
#include "site.h"
#include "store.h"
#include "store_site_action.h"
#include "util.h"

struct site_queue {
	struct config_live *live;
	struct store	*st;
	struct arm	*arm;
	struct lease	*lease;
	site_queue_exec_fn exec;	/* the other actions; NULL: 503 */
	void		*exec_arg;
	char		 site[64];
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 stop;
	int		 thread;
	pthread_t	 th;
};

int
site_queue_new(struct config_live *live, struct store *st, struct arm *arm,
    struct lease *l, const char *site, struct site_queue **out)
{
	struct site_queue *q;

	*out = NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return -1;
	q->live = live;
	q->st = st;
	q->arm = arm;
	q->lease = l;
	util_strlcpy(q->site, sizeof(q->site), site);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	*out = q;
	return 0;
}

void
site_queue_set_exec(struct site_queue *q, site_queue_exec_fn fn, void *arg)
{
	q->exec = fn;
	q->exec_arg = arg;
}

int
site_queue_submit(struct store *st, const char *site, const char *action,
    const char *target, const char *args, int64_t *id_out)
{
	return store_site_action_add(st, site, action, target, args, id_out);
}

int
site_queue_is_pool_action(const char *action)
{
	return strcmp(action, "upgrade") == 0 || strcmp(action, "retry") == 0 ||
	    strcmp(action, "abort") == 0;
}

/* The HTTP status the API gives an arming's result (as api.c's). */
static int
site_queue_arm_status(enum arm_status as)
{
	switch (as) {
	case ARM_OK:		return 200;
	case ARM_NOT_FOUND:	return 404;
	case ARM_CONFLICT:	return 409;
	case ARM_FORBIDDEN:	return 403;
	case ARM_GONE:
	case ARM_LOOP_GUARD:	return 410;
	case ARM_ERROR:
	default:		return 500;
	}
}

/* Arms or disarms a's host: its HTTP status; result as site_queue_do's. */
static int
site_queue_arm(struct site_queue *q, const struct site_action *a,
    char *result, size_t size)
{
	char token[UTIL_TOKEN_LEN + 1] = "", msg[400] = "";
	enum arm_status as;

	if (strcmp(a->action, "arm") == 0)
		as = arm_host(q->arm, a->target, strcmp(a->args, "wipe") == 0,
		    token, msg, sizeof(msg));
	else if (strcmp(a->action, "local-boot") == 0)
		as = arm_local_boot(q->arm, a->target, msg, sizeof(msg));
	else
		as = arm_disarm(q->arm, a->target, msg, sizeof(msg));
	util_wipe(token, sizeof(token));
	if (as == ARM_OK)
		snprintf(result, size, "ok: %s", strcmp(a->action,
		    "local-boot") == 0 ? "back to local boot" : strcmp(a->action,
		    "arm") == 0 ? "armed" : "disarmed");
	else
		snprintf(result, size, "refused: %s", msg[0] ? msg :
		    "see the log of the site's instance");
	return site_queue_arm_status(as);
}

/* Carries out a (taken) in cfg: its HTTP status, result gets "ok: ..."
 * or "refused: ...". */
static int
site_queue_do(struct site_queue *q, const struct config *cfg,
    const struct site_action *a, char *result, size_t size)
{
	int pool = site_queue_is_pool_action(a->action);
	const struct host *h = pool ? NULL : config_host(cfg, a->target);
	const struct pool *p = pool ? config_pool(cfg, a->target) : NULL;

	/* not ours here: the API would queue it again, for ever */
	if (pool ? p == NULL || !site_owns_pool(cfg, p) :
	    h == NULL || !site_owns_host(cfg, h)) {
		snprintf(result, size, "refused: %s %s is not of site %s in "
		    "this instance's configuration", pool ? "pool" : "host",
		    a->target, q->site);
		return 409;
	}
	if (strcmp(a->action, "arm") == 0 || strcmp(a->action, "disarm") == 0 ||
	    strcmp(a->action, "local-boot") == 0)
		return site_queue_arm(q, a, result, size);
	if (q->exec == NULL) {
		snprintf(result, size, "refused: this instance carries out no "
		    "%s", a->action);
		return 503;
	}
	return q->exec(q->exec_arg, a, result, size);
}

int
site_queue_run_one(struct site_queue *q)
{
	const struct config *cfg;
	struct site_action a;
	char result[512], how[24];
	int rc, status, pool;

	if (!lease_may_act(q->lease))
		return 0;
	rc = store_site_action_take(q->st, q->site, q->lease != NULL ?
	    lease_instance(q->lease) : "local", &a);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	cfg = config_live_get(q->live);
	status = site_queue_do(q, cfg, &a, result, sizeof(result));
	config_live_put(q->live, cfg);
	pool = site_queue_is_pool_action(a.action);
	/* a refusal says its status, as the API would have answered */
	snprintf(how, sizeof(how), " (HTTP %d)", status);
	log_info("site", "action %lld (%s %s, queued for site %s): %s%s",
	    (long long)a.id, a.action, a.target, q->site, result,
	    status / 100 == 2 ? "" : how);
	store_event(q->st, pool ? NULL : a.target, pool ? a.target : NULL,
	    "site", "%s asked through site %s's queue (action %lld): %s%s",
	    a.action, q->site, (long long)a.id, result, status / 100 == 2 ?
	    "" : how);
	return store_site_action_finish(q->st, a.id, status, result) == -1 ?
	    -1 : 1;
}

static void *
site_queue_main(void *arg)
{
	struct site_queue *q = arg;
	struct timespec ts;
	int stop = 0;

	while (!stop) {
		/* every queued action, then a second's rest */
		while (site_queue_run_one(q) == 1)
			;
		util_deadline_ms(&ts, 1000);
		pthread_mutex_lock(&q->mu);
		if (!q->stop)
			(void)pthread_cond_timedwait(&q->cv, &q->mu, &ts);
		stop = q->stop;
		pthread_mutex_unlock(&q->mu);
	}
	return NULL;
}

int
site_queue_start(struct site_queue *q)
{
	if (pthread_create(&q->th, NULL, site_queue_main, q) != 0) {
		log_error("site", "cannot start the queue's thread: %s",
		    strerror(errno));
		return -1;
	}
	q->thread = 1;
	return 0;
}

void
site_queue_free(struct site_queue *q)
{
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	if (q->thread)
		pthread_join(q->th, NULL);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	free(q);
}
