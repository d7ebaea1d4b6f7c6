/* recover.h — a pool whose master is dead: the checked promotion of a live
 * member, XenServer's documented recovery, automated.
 *
 *   check    the master must be dead: refused while any address of the
 *            pool answers as master (pool_addr.h), or when nothing of the
 *            pool answers (the network, not the master, may be down);
 *            the new master must be a live member (it answers
 *            HOST_IS_SLAVE naming the dead master)
 *   promote  on the new master itself, with a local session
 *            (session.slave_local_login_with_password: a member whose
 *            master is dead refuses a normal login with HOST_IS_SLAVE):
 *            pool.emergency_transition_to_master; then wait until it
 *            answers a normal login as master
 *   slaves   pool.recover_slaves on the new master: the other members
 *            point at it
 *   old      which inventory host was the old master, dead in the pool:
 *            the caller rebuilds it as a member (job.h's rebuild: forget,
 *            fresh install, join the new master)
 *
 * Idempotent: run again after any step, a new master that already answers
 * as master resumes at "slaves". Nothing here needs the server.
 */
#ifndef POOLBOOT_RECOVER_H
#define POOLBOOT_RECOVER_H

#include <stddef.h>

#include "config.h"

enum recover_status {
	RECOVER_DONE = 0,	/* the new master is the master; see out */
	RECOVER_REFUSED,	/* nothing changed: err says why and the fix */
	RECOVER_FAILED		/* a step failed: err; run again after the fix */
};

struct recover_result {
	char	 new_master_url[256];
	char	 old_master_addr[128];	/* "" when not known (a rerun) */
	char	 old_master[64];	/* the inventory host to rebuild, or "" */
	int	 promoted;		/* 1: this run promoted the new master */
};

/* Tells the operator about one step (a line without newline). */
typedef void (*recover_say_fn)(void *arg, const char *line);

/* Recovers pool p with inventory host nm (a member of p with an ip) as
 * its new master; say (may be NULL) gets each step. */
enum recover_status recover_run(const struct config *cfg, const struct pool *p,
	    const struct host *nm, recover_say_fn say, void *arg,
	    struct recover_result *out, char *err, size_t errlen);

#endif
