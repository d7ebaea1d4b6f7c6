/* coord_master.h — a run whose pool changes master: the dead master's
 * advice when a run halts, and the pool's master read again when a run
 * goes on.
 *
 * A run's plan puts the master first (precheck.h), but the master may
 * change during a run: it dies, the run halts (with the recover command
 * in its error: coord_master_advice), the operator promotes a member and
 * rebuilds the old master as a member (recover.h), then retries. The
 * runner then re-reads the master (coord_master_sync): the run's hosts
 * are re-flagged (is_master), and a new master that is not upgraded yet
 * is moved ahead of every host not yet started (a pool's master is
 * upgraded before its members). A host done stays done: the rebuilt old
 * master (a fresh install of the repo's version) is never upgraded again.
 *
 * Everything here runs on the pool's runner thread. While the old master
 * is being rebuilt (a rebuild job of the pool, running or halted) no
 * host of the run is taken down (coord_step.c): a retry brings back a
 * host the death interrupted, then halts before the next one until the
 * rebuild is done.
 */
#ifndef POOLBOOT_COORD_MASTER_H
#define POOLBOOT_COORD_MASTER_H

#include <stddef.h>

#include "coord_step.h"
#include "store.h"

/* Pure: master (the name of the pool's master now, NULL: none known)
 * applied to hosts (a run's hosts in plan order): is_master of each, and
 * when master is a host not started yet (step pending) it takes the ord
 * of the first host not started, those from there on moving one down.
 * hosts stays sorted by ord. changed (n ints, may be NULL) gets 1 for
 * every host whose is_master or ord changed. Returns how many did. */
size_t coord_master_apply(struct run_host *hosts, size_t n,
	    const char *master, int *changed);

/* Reads sc's pool's master from XAPI and applies it to the run's hosts
 * (coord_master_apply; what changed is written to the store, with an
 * event). COORD_STEP_OK, COORD_STEP_WAIT (XAPI failed: again later, until
 * the timeout of sc->h's step) or COORD_STEP_FAIL (sc->err). When sc->h
 * is in its installer (step install), a failed read is COORD_STEP_OK:
 * that step needs no XAPI, and the master is read again before the next
 * host starts. hosts may be reordered: the caller takes its next host
 * afresh. */
enum coord_step_result coord_master_sync(struct coord_stepctx *sc,
	    struct run_host *hosts, size_t n);

/* The run's error for a halt of sc->h with sc->err into buf: "host H,
 * step S: why", and, when the step failed because XAPI did not answer
 * (sc->xapi_down) and the pool's master is dead
 * (pool_addr_halt_advice), the operator's way out: the recover command,
 * the members already on the target version (good new masters; when
 * there is none: abort, since the old master rebuilt on the target could
 * not join an old one), sc->h when the run left it disabled (retry
 * first: the rebuild does not power the old master on meanwhile), then
 * retry. The advice is kept whole, sc->err is cut to what is left.
 * Probes the pool's addresses then (up to their connect timeout each).
 * Returns 1 when the advice was added. */
int   coord_master_advice(const struct coord_stepctx *sc,
	    const struct run_host *hosts, size_t n, char *buf, size_t len);

#endif
