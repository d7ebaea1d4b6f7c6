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

int
site_queue_submit(struct store *st, const char *site, const char *action,
    const char *host, int wipe, int64_t *id_out)
{
	return store_site_action_add(st, site, action, host,
	    wipe ? "wipe" : "", id_out);
}

/* Carries out a (taken) in cfg: result gets "ok: ..." or "refused:
 * ...". */
static void
site_queue_do(struct site_queue *q, const struct config *cfg,
    const struct site_action *a, char *result, size_t size)
{
	char token[UTIL_TOKEN_LEN + 1] = "", msg[400] = "";
	const struct host *h = config_host(cfg, a->target);
	enum arm_status as;

	if (h == NULL || !site_owns_host(cfg, h)) {
		snprintf(result, size, "refused: host %s is not of site %s in "
		    "this instance's configuration", a->target, q->site);
		return;
	}
	if (strcmp(a->action, "arm") == 0)
		as = arm_host(q->arm, a->target, strcmp(a->args, "wipe") == 0,
		    token, msg, sizeof(msg));
	else if (strcmp(a->action, "disarm") == 0)
		as = arm_disarm(q->arm, a->target, msg, sizeof(msg));
	else {
		snprintf(result, size, "refused: unknown action '%s'",
		    a->action);
		return;
	}
	util_wipe(token, sizeof(token));
	if (as == ARM_OK)
		snprintf(result, size, "ok: %sed", a->action);
	else
		snprintf(result, size, "refused: %s", msg[0] ? msg :
		    "see the log of the site's instance");
}

int
site_queue_run_one(struct site_queue *q)
{
	const struct config *cfg;
	struct site_action a;
	char result[512];
	int rc;

	if (!lease_may_act(q->lease))
		return 0;
	rc = store_site_action_take(q->st, q->site, q->lease != NULL ?
	    lease_instance(q->lease) : "local", &a);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	cfg = config_live_get(q->live);
	site_queue_do(q, cfg, &a, result, sizeof(result));
	config_live_put(q->live, cfg);
	log_info("site", "action %lld (%s %s, queued for site %s): %s",
	    (long long)a.id, a.action, a.target, q->site, result);
	store_event(q->st, a.target, NULL, "site", "%s asked through site %s's "
	    "queue (action %lld): %s", a.action, q->site, (long long)a.id,
	    result);
	return store_site_action_finish(q->st, a.id, result) == -1 ? -1 : 1;
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
