/* arm_int.h — arm's insides, shared by arm.c and arm_fetch.c (the
 * answerfile fetch). Not for any other module: they use arm.h. Include
 * arm.h first (enum arm_status).
 *
 * Lock: mu serialises every decision (arm.h). cv is signalled (with mu)
 * when the last fetch in flight of an arming has landed (arm_fetch.c):
 * the loop guard waits for it before it ends the arming.
 */
#ifndef POOLBOOT_ARM_INT_H
#define POOLBOOT_ARM_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "arm_afcache.h"
#include "config.h"
#include "store.h"

struct config_live;
struct notify;

/* The answerfile fetches of one arming reserved but not yet landed on
 * disk (arm_fetch.c): count is the attempt number the last of them got,
 * so the next fetch is count + 1 whatever the store says yet. An entry
 * exists only while inflight > 0; then the store's count is the truth. */
struct arm_inflight {
	int64_t	 arming_id;
	int	 count;
	int	 inflight;
};

struct arm {
	struct config_live *live;
	const struct config *cfg;	/* arm's reference; replaced (arm_reload)
					 * and read only under mu */
	struct store	*st;
	struct notify	*notify;	/* may be NULL */
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;		/* an arming's last fetch landed */
	struct arm_inflight *inflight;	/* under mu */
	size_t		 ninflight, capinflight;
	struct arm_afcache *afc;	/* rendered answerfiles; its epoch
					 * changes with cfg (under mu) */
	uint64_t	 gen;		/* arm_changed: atomic, bumped under
					 * mu */
};

/* Records an event for h (with its pool); a failure is logged. */
void  arm_ev(struct arm *a, const struct host *h, const char *kind,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Both of h's per-MAC files back to local boot; -1 when one failed
 * (logged). Caller holds mu. */
int   arm_write_local(struct arm *a, const struct host *h);
/* arm_local.c: an installer's callback of another site's host was taken here: asks
 * that site's active instance (its queue, site_queue.h) to point the
 * host's boot files back at local boot. Caller holds a->mu. */
void  arm_local_elsewhere(struct arm *a, const struct host *h);
/* token against h's armings: ARM_OK with the active arming in *ar,
 * ARM_GONE for a retired arming's, ARM_FORBIDDEN otherwise. */
enum arm_status arm_check_token(struct arm *a, const struct host *h,
	    const char *token, struct arming *ar);
/* The same by host name: arm_fetch.c's look-up before arm's lock. */
enum arm_status arm_check_token_of(struct arm *a, const char *host,
	    const char *token, struct arming *ar);

/* What arm_check_token answers, or the decision of arm_fetch_decide
 * built on it, may have changed: a->gen bumped (release). Called under
 * mu after every change of an arming in the store (arm, disarm,
 * callback, loop guard, reconcile), of a->cfg (reload), and when an
 * arming's last fetch in flight landed (its count in the store is the
 * truth again). A look-up done without mu after reading gen (acquire)
 * is still what it would be under mu while gen is unchanged. */
void  arm_changed(struct arm *a);

#endif
