/* store_lease.h — leases in the store (store_lease.c): which instance of
 * poolboot owns what, for several instances sharing one database
 * (docs/scale-out.md, "Sites, standbys and failover").
 *
 * A lease is a row of the leases table (schema 7): a name ("site:NAME"),
 * its owner (an instance id, lease.h) and an expiry. It is taken in one
 * statement that succeeds only when nobody holds it, its holder's expiry
 * has passed, or the taker holds it already: of two instances racing for
 * it exactly one wins, on SQLite and on PostgreSQL alike. Its owner
 * renews it (a heartbeat) well before it expires; an owner that cannot
 * (the database is gone) must stop acting before the expiry (lease.h
 * keeps that local deadline), since another instance may take the lease
 * the moment it has expired.
 *
 * Times are milliseconds since the epoch on the database's own clock
 * (the SQL function now_ms(), store_db.h): every instance compares
 * expiries on one clock, whatever its own says. The callers never pass a
 * time.
 *
 * Every function returns -1 on a database error (logged with the "store"
 * tag).
 */
#ifndef POOLBOOT_STORE_LEASE_H
#define POOLBOOT_STORE_LEASE_H

#include <stddef.h>
#include <stdint.h>

struct store;

struct store_lease {
	char	 name[96];
	char	 owner[160];		/* the holder's instance id */
	int64_t	 acquired_ms;		/* when this owner took it */
	int64_t	 heartbeat_ms;		/* its last renewal */
	int64_t	 expires_ms;		/* free to take from then on */
};

/* Takes lease name for owner until now + ttl_ms, when nobody holds it,
 * when its holder's expiry has passed, or when owner holds it already
 * (then it is a renewal). 0 taken; 1 another instance holds it (*holder,
 * when not NULL, gets who and until when); -1 error. */
int   store_lease_acquire(struct store *st, const char *name,
	    const char *owner, int64_t ttl_ms, struct store_lease *holder);
/* Moves the expiry of owner's lease to now + ttl_ms. Only its owner
 * renews it, expired or not (an expired lease nobody took is still its
 * owner's). 0 renewed; 1 owner no longer holds it (another instance took
 * it over, or it was released): the caller must not act on it; -1 error.
 */
int   store_lease_renew(struct store *st, const char *name,
	    const char *owner, int64_t ttl_ms);
/* Takes lease name over from gone, expired or not, for owner until now +
 * ttl_ms: only when gone holds it. For an instance restarted on the
 * state_dir of gone, whose death its state_dir lock proves (lease.h).
 * 0 taken; 1 gone does not hold it (another instance took it meanwhile);
 * -1 error. */
int   store_lease_take_from(struct store *st, const char *name,
	    const char *gone, const char *owner, int64_t ttl_ms);
/* Lets go of owner's lease (it expires now: another instance may take it
 * at once). 0 also when owner did not hold it; -1 error. */
int   store_lease_release(struct store *st, const char *name,
	    const char *owner);
/* Whether lease name is held now, on the database's clock: 1 held (*out
 * its row), 0 not: never taken (*out zeroed, *ago_ms -1) or expired
 * (*out its row, *ago_ms how long ago, in ms); -1 error. */
int   store_lease_live(struct store *st, const char *name,
	    struct store_lease *out, int64_t *ago_ms);
/* A lease with its ages on the database's clock, for a listing. */
struct store_lease_age {
	struct store_lease l;
	int64_t	 ago_ms;		/* now - expires_ms: < 0 while held */
	int64_t	 beat_ago_ms;		/* now - heartbeat_ms */
};

/* Every lease, by name: 0 with *out (malloc'd, NULL when none) and *n. */
int   store_lease_list(struct store *st, struct store_lease_age **out,
	    size_t *n);
/* Lease name as it is: 0 with *out, 1 no such lease (never taken), -1. */
int   store_lease_get(struct store *st, const char *name,
	    struct store_lease *out);

#endif
