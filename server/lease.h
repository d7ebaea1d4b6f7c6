/* lease.h — this instance's hold on its site (lease.c), for several
 * poolboot instances of one site sharing a database (docs/scale-out.md,
 * "Sites, standbys and failover").
 *
 * The model: one lease per site, "site:NAME" (store_lease.h). The
 * instance that holds it is the site's active instance and does all of
 * the site's acting: its boot files and dnsmasq, arming, the runs and
 * jobs of its pools. Any other instance of the site is a standby: it
 * waits in lease_wait, before it touches a file or serves a request, and
 * once it has the lease it starts as `poolboot serve` starts after a
 * kill -9: it resumes every running run and job at its persisted step,
 * so no host is rebooted twice or skipped.
 *
 * The active instance renews the lease every third of lease_seconds
 * (a heartbeat thread). It acts only while lease_may_act says so: until a
 * local deadline, lease_seconds minus a guard after the start of its last
 * successful renewal, on the monotonic clock. The lease itself expires
 * lease_seconds after that renewal reached the database, so the deadline
 * always comes first: an instance that cannot reach the database stops
 * acting (logging "lost the database: not acting until it is back")
 * before any standby can take over. When the database comes back and the
 * lease is still this instance's, it acts again; when another instance
 * took it over, the on_lost callback is called once (serve ends: its
 * supervisor starts it again, as a standby).
 */
#ifndef POOLBOOT_LEASE_H
#define POOLBOOT_LEASE_H

#include <signal.h>

struct store;
struct lease;

/* The hold on site's lease for an instance using st (which must outlive
 * the lease): nothing is taken yet. Its instance id, "SITE/HOSTNAME/PID/
 * RANDOM", is logged. lease_ms: the lease's time to live, in ms (at
 * least 300). 0, or -1 (out of memory); free with lease_free. */
int   lease_new(struct store *st, const char *site, int lease_ms,
	    struct lease **out);
/* Stops the heartbeat and, when this instance holds the lease, lets go
 * of it (a standby takes over at once). NULL is safe. */
void  lease_free(struct lease *l);

/* The file (state_dir/lease.id) that keeps the id of the instance that
 * last held the lease from this state_dir. serve holds state_dir's lock
 * (one serve per state_dir, dropped by the kernel when its process
 * dies), so when that instance still holds the lease it is gone (kill -9,
 * a crash): lease_wait takes the lease from it at once instead of
 * waiting for the expiry, and a restarted instance resumes as fast as
 * one without a site. The id read is kept; this instance's is written
 * there once it holds the lease. 0, or -1 (out of memory). */
int   lease_set_id_file(struct lease *l, const char *path);

const char *lease_instance(const struct lease *l);
/* "site:NAME"; "site:(none)" for the instances without a site sharing
 * a PostgreSQL database (one active, the others standing by) */
const char *lease_name(const struct lease *l);

/* Waits until this instance holds the lease, trying again every few
 * seconds and saying once per holder who holds it. Signals in set end
 * the wait (they are blocked: sigtimedwait takes them). 0 held (it may
 * act), 1 a signal came (*sig set), -1 the database refused the lease
 * table (logged). */
int   lease_wait(struct lease *l, const sigset_t *set, int *sig);
/* Starts the heartbeat thread (after lease_wait returned 0). on_lost is
 * called, from that thread, once another instance has taken the lease
 * over; NULL: nothing is called. 0, or -1 (no thread). */
int   lease_start(struct lease *l, void (*on_lost)(void *), void *arg);
/* 1 while this instance may act on what the lease covers (it holds the
 * lease and the local deadline has not passed), else 0. l NULL (SQLite
 * without a site: one instance): always 1. Cheap: a lock and a clock read. */
int   lease_may_act(struct lease *l);
/* 1 once another instance took the lease over (never acts again). */
int   lease_lost(struct lease *l);

/* For tests: one renewal now, as the heartbeat does it. 0 renewed, 1
 * taken over (on_lost called), -1 the database could not be reached. */
int   lease_renew_now(struct lease *l);

#endif
