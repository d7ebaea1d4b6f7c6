/* config_live.h — the configuration a running server uses now, and the
 * ones it used before that some thread still reads.
 *
 * poolboot serve reloads its configuration (reload.h) while HTTP threads,
 * coordinator threads and job threads read it. A struct config itself
 * stays read-only for its whole life; what changes is which one is
 * current. Every reader takes a reference for one operation (a request,
 * an entry point) or for a run's or job's turn, and drops it when done:
 *
 *	const struct config *cfg = config_live_get(live);
 *	... pointers into cfg (hosts, pools, repos) are valid here ...
 *	config_live_put(live, cfg);
 *
 * config_live_swap makes another configuration current; an old one is
 * freed (config_free) as soon as its last reference is dropped, by
 * whoever drops it. So a server reloaded many times holds only the
 * current configuration and those still in use.
 *
 * Thread-safe: one mutex, held only to count (never while freeing).
 * Lock order: a caller may hold its own mutex while calling these; they
 * call nothing that takes another lock.
 */
#ifndef POOLBOOT_CONFIG_LIVE_H
#define POOLBOOT_CONFIG_LIVE_H

#include "config.h"

struct config_live;

/* Makes cfg current. With own != 0 the live configuration owns cfg
 * (config_free when it is no longer current nor referenced, or at
 * config_live_free); with own == 0 cfg is borrowed and never freed here
 * (a test's struct on the stack). 0, or -1 (out of memory; cfg is then
 * still the caller's). */
int   config_live_new(struct config *cfg, int own, struct config_live **out);

/* Frees l and the current configuration (when owned). Every reference
 * must have been dropped (the threads that took them have stopped); an
 * old configuration still referenced is leaked and logged as a bug. NULL
 * is fine. */
void  config_live_free(struct config_live *l);

/* The current configuration with a reference the caller drops with
 * config_live_put. Never NULL. */
const struct config *config_live_get(struct config_live *l);

/* Another reference to cfg, which the caller already holds a reference
 * to (from config_live_get or config_live_ref): cfg may be an old one.
 * Returns cfg. */
const struct config *config_live_ref(struct config_live *l,
	    const struct config *cfg);

/* Drops a reference taken by config_live_get or config_live_ref. When it
 * was the last one of a configuration that is no longer current, that
 * configuration is freed here. cfg NULL is fine (nothing done), and so is
 * l NULL (a caller without a live configuration: nothing counted). */
void  config_live_put(struct config_live *l, const struct config *cfg);

/* Makes cfg current (l owns it from now on). The previous one is freed
 * at once when no reference to it is held, else by its last
 * config_live_put. Returns the new generation number (1 is the
 * configuration given to config_live_new); -1 when out of memory (cfg is
 * then still the caller's and nothing changed). */
long  config_live_swap(struct config_live *l, struct config *cfg);

/* The current generation (1, then one more per swap), and how many
 * configurations l holds (the current one and the old ones still
 * referenced): what the unit tests and the reload's log line show. */
long  config_live_generation(struct config_live *l);
size_t config_live_count(struct config_live *l);

#endif
