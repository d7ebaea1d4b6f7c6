/* site_queue.h — admin actions on another site's hosts, carried out by
 * that site's instance through the database (site_queue.c; the queue is
 * store_site_action.h). An instance asked to act on a pool or host of
 * another site (arm, disarm, rebuild, install, a job's retry or abort; a
 * pool's upgrade, retry or abort) queues the action (site_queue_submit);
 * the active instance of that site takes it within a second, carries it
 * out as its own API would and records the result (its HTTP status and
 * "ok: ..." or "refused: ...") in the queue and in the events of the host
 * or pool.
 */
#ifndef POOLBOOT_SITE_QUEUE_H
#define POOLBOOT_SITE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct arm;
struct config_live;
struct lease;
struct site_action;
struct site_queue;
struct store;

/* Carries out action a (not arm or disarm: site_queue does those) as
 * this instance's API would, in its current configuration: returns the
 * HTTP status the API answered, result gets "ok: ..." or "refused: ...".
 * Called on the queue's thread. */
typedef int (*site_queue_exec_fn)(void *arg, const struct site_action *a,
    char *result, size_t size);

/* The taker of site's actions for the instance holding l (lease.h),
 * carrying them out with arm in live's configuration; all must outlive
 * it. Nothing runs yet. 0, or -1 (out of memory). */
int   site_queue_new(struct config_live *live, struct store *st,
	    struct arm *arm, struct lease *l, const char *site,
	    struct site_queue **out);
/* Who carries out the actions other than arm and disarm (before
 * site_queue_start; without it they are refused with 503). */
void  site_queue_set_exec(struct site_queue *q, site_queue_exec_fn fn,
	    void *arg);
/* Starts its thread: every second, while lease_may_act(l), it takes and
 * carries out the site's queued actions. 0, or -1 (no thread). */
int   site_queue_start(struct site_queue *q);
/* Stops the thread (an action under way is finished first). NULL safe. */
void  site_queue_free(struct site_queue *q);

/* Takes and carries out at most one queued action now, as the thread
 * does: 1 one was done, 0 none was queued (or this instance may not act),
 * -1 the store failed. For the thread and for tests. */
int   site_queue_run_one(struct site_queue *q);

/* Queues action on target (a host or a pool, see store_site_action.h)
 * with args for the instance of site: 0 with *id_out, or -1 (the store;
 * logged). */
int   site_queue_submit(struct store *st, const char *site,
	    const char *action, const char *target, const char *args,
	    int64_t *id_out);
/* 1 when action's target is a pool (upgrade, retry, abort), 0 a host. */
int   site_queue_is_pool_action(const char *action);

#endif
