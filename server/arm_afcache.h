/* arm_afcache.h — rendered answerfiles kept per arming (arm_fetch.c).
 *
 * An installer that fetches its answerfile again (a retry, a reboot into
 * the installer) gets the bytes rendered for the same arming before,
 * instead of a template read, two XML parses and a dump. An entry is
 * used only while everything it was rendered from is unchanged:
 *  - the arming (id, token hash, mode) and the hostcert flag, and the
 *    pin files (hostcert_generation) the flag was read with;
 *  - the configuration: arm_afcache_clear at every reload starts a new
 *    epoch, and an entry of an older epoch is never used nor stored;
 *  - the template file: its inode, size, mtime and ctime, read before
 *    the render; a template changed within the last second is not kept
 *    (a second change in the same timestamp tick would not show).
 * Bounded: ARM_AFCACHE_SLOTS entries (one per slot, by arming id; a new
 * one replaces the old) and ARM_AFCACHE_MAX_BYTES of bodies. Bodies carry
 * the token: wiped when they go. Thread-safe (its own mutex).
 */
#ifndef POOLBOOT_ARM_AFCACHE_H
#define POOLBOOT_ARM_AFCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARM_AFCACHE_SLOTS	16384
#define ARM_AFCACHE_MAX_BYTES	(64u << 20)

struct arm_afcache;

/* What an entry was rendered from. */
struct arm_afcache_key {
	int64_t	 arming_id;
	char	 token_hash[65];
	int	 mode;
	int	 hostcert;		/* its flag; filled by a hit */
	unsigned long hc_gen;		/* hostcert_generation() before the
					 * flag was read */
	uint64_t epoch;			/* arm_afcache_epoch() under arm's
					 * lock, with the configuration */
};

/* The template file as stat(2) saw it (arm_afcache_stat). */
struct arm_afcache_file {
	dev_t	 dev;
	ino_t	 ino;
	off_t	 size;
	int64_t	 mtime_ns, ctime_ns;
	int	 ok;			/* stat succeeded */
};

/* An empty cache, or NULL when out of memory. Free with
 * arm_afcache_free (NULL ok): every body is wiped. */
struct arm_afcache *arm_afcache_new(void);
void  arm_afcache_free(struct arm_afcache *c);

/* The current epoch, and a new one with every entry dropped (reload). */
uint64_t arm_afcache_epoch(struct arm_afcache *c);
void  arm_afcache_clear(struct arm_afcache *c);

/* Drops arming id's entry (its arming ended). */
void  arm_afcache_drop(struct arm_afcache *c, int64_t arming_id);

/* stat(2) of path into *out (out->ok 0 when it failed). */
void  arm_afcache_stat(const char *path, struct arm_afcache_file *out);

/* A copy of the body rendered for k (k->arming_id, token_hash, mode,
 * hc_gen, epoch) from template tf (stat'ed now), with k->hostcert set;
 * the caller wipes and frees it. NULL when there is none that fits. */
char *arm_afcache_get(struct arm_afcache *c, struct arm_afcache_key *k,
	    const struct arm_afcache_file *tf, size_t *len);

/* Keeps a copy of body (len bytes) rendered for k from tf, stat'ed
 * before the render. Nothing kept when k's epoch is past, tf changed
 * within the last second, or a bound would be passed. */
void  arm_afcache_put(struct arm_afcache *c, const struct arm_afcache_key *k,
	    const struct arm_afcache_file *tf, const char *body, size_t len);

/* Hits and misses so far (tests, the benchmark). */
void  arm_afcache_stats(struct arm_afcache *c, uint64_t *hits,
	    uint64_t *misses);

#endif
