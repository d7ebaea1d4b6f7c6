/* store_site_action.h — the queue of admin actions for another site's
 * instance (store_site_action.c; the site_actions table, schema 7 and 8). An
 * instance asked to act on a host of another site adds the action here;
 * the active instance of that site takes it (site_queue.h), carries it
 * out and records how it went. Every function returns -1 on a database
 * error (logged with the "store" tag).
 */
#ifndef POOLBOOT_STORE_SITE_ACTION_H
#define POOLBOOT_STORE_SITE_ACTION_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct site_action {
	int64_t	 id;
	char	 site[64];		/* whose instance carries it out */
	/* "arm", "disarm", "rebuild", "install" (of a host), "upgrade",
	 * "retry", "abort" (of a pool), "job-retry", "job-abort" (of a
	 * host's job) */
	char	 action[16];
	char	 target[64];		/* the host or the pool */
	/* "wipe" or "" (arm, rebuild, install), the job's id (job-retry,
	 * job-abort), the request's JSON body (upgrade) */
	char	 args[1024];
	int64_t	 created_ms;
	char	 taken_by[160];		/* the instance that took it, or "" */
	int64_t	 done_ms;		/* 0 until done */
	int	 status;		/* its HTTP status; 0 until done */
	char	 result[512];		/* "ok: ..." or "refused: ..." */
};

/* Queues action on target for site's instance; *id_out (may be NULL)
 * gets its id. */
int   store_site_action_add(struct store *st, const char *site,
	    const char *action, const char *target, const char *args,
	    int64_t *id_out);
/* Takes the oldest unfinished action of site for instance `by`, in one
 * statement (of two takers one gets it): one not taken yet, or taken by
 * another instance that did not finish it (that instance lost the site's
 * lease: only its holder takes). 0 with *out, 1 none, -1. */
int   store_site_action_take(struct store *st, const char *site,
	    const char *by, struct site_action *out);
/* Records action id as done with its HTTP status and result (truncated
 * to 511 bytes). */
int   store_site_action_finish(struct store *st, int64_t id, int status,
	    const char *result);
/* A site's unfinished actions: how many wait to be taken, how many its
 * instance took and has not finished, and the oldest one's age (ms, on
 * the database's clock). */
struct site_action_backlog {
	char	 site[64];
	int	 queued;
	int	 taken;
	int64_t	 oldest_ms;
};
/* The backlog of every site with unfinished actions, by site: 0 with
 * *out (malloc'd, NULL when none) and *n. */
int   store_site_action_backlog(struct store *st,
	    struct site_action_backlog **out, size_t *n);
/* The actions of site (NULL: every site) in state (NULL: any; "queued"
 * not taken yet, "taken" taken and not finished, "done"), newest first,
 * at most limit: 0 with *out (malloc'd, NULL when none) and *n. */
int   store_site_action_list(struct store *st, const char *site,
	    const char *state, int limit, struct site_action **out,
	    size_t *n);
/* Action id as it is: 0 with *out, 1 no such action, -1. */
int   store_site_action_get(struct store *st, int64_t id,
	    struct site_action *out);

#endif
