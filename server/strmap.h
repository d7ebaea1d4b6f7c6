/* strmap.h — a fixed-size index from strings to array positions, for
 * lookups by name or MAC in large inventories (50,000 hosts) without a
 * linear scan. The map borrows the keys: they must outlive it and stay
 * unchanged (they are the config's own strings). */
#ifndef POOLBOOT_STRMAP_H
#define POOLBOOT_STRMAP_H

#include <stddef.h>

/* Zero-initialise; strmap_init sizes it for up to n keys. */
struct strmap {
	const char	**keys;		/* borrowed; NULL: empty slot */
	size_t		 *vals;
	size_t		  cap;		/* a power of two, > 2 * n, or 0 */
	size_t		  n;
};

/* Makes room for n keys: 0, or -1 when out of memory (m stays empty and
 * every lookup misses). */
int   strmap_init(struct strmap *m, size_t n);
/* Maps key to val unless key is there already (the first one stays, as a
 * linear scan finds it): 1 when added, 0 when it was there, -1 when the
 * map is full or was never sized. */
int   strmap_put(struct strmap *m, const char *key, size_t val);
/* The value of key: 0 and *val, or -1 when absent. */
int   strmap_get(const struct strmap *m, const char *key, size_t *val);
/* Frees the tables (not the keys); leaves m empty. NULL ok. */
void  strmap_free(struct strmap *m);

#endif
