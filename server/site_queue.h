/* site_queue.h — admin actions on another site's hosts, carried out by
 * that site's instance through the database (site_queue.c; the queue is
 * store_site_action.h). An instance asked to arm or disarm a host of
 * another site queues the action (site_queue_submit); the active instance
 * of the host's site takes it within a second, carries it out as its own
 * API would and records the result in the queue and in the host's events.
 * Other actions on another site's pools and hosts are refused, naming the
 * site (site.h).
 */
#ifndef POOLBOOT_SITE_QUEUE_H
#define POOLBOOT_SITE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

struct arm;
struct config_live;
struct lease;
struct site_queue;
struct store;

/* The taker of site's actions for the instance holding l (lease.h),
 * carrying them out with arm in live's configuration; all must outlive
 * it. Nothing runs yet. 0, or -1 (out of memory). */
int   site_queue_new(struct config_live *live, struct store *st,
	    struct arm *arm, struct lease *l, const char *site,
	    struct site_queue **out);
/* Starts its thread: every second, while lease_may_act(l), it takes and
 * carries out the site's queued actions. 0, or -1 (no thread). */
int   site_queue_start(struct site_queue *q);
/* Stops the thread (an action under way is finished first). NULL safe. */
void  site_queue_free(struct site_queue *q);

/* Takes and carries out at most one queued action now, as the thread
 * does: 1 one was done, 0 none was queued (or this instance may not act),
 * -1 the store failed. For the thread and for tests. */
int   site_queue_run_one(struct site_queue *q);

/* Queues action ("arm" or "disarm"; wipe for arm) on host for the
 * instance of site: 0 with *id_out, or -1 (the store; logged). */
int   site_queue_submit(struct store *st, const char *site,
	    const char *action, const char *host, int wipe, int64_t *id_out);

#endif
