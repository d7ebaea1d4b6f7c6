/* render_cache.h — templates read once per run. `poolboot check` renders
 * every host's boot files, answerfile and script: at 50,000 hosts that
 * was 200,000 opens and reads of the same four files, half of check's
 * time. check hangs a cache on its config (config.h, templates); serve
 * does not, so that an edited template takes effect at the next fetch. */
#ifndef POOLBOOT_RENDER_CACHE_H
#define POOLBOOT_RENDER_CACHE_H

#include <stddef.h>

struct render_cache;

/* An empty cache, or NULL when out of memory. Not thread-safe: one
 * thread renders with it. Free with render_cache_free (NULL ok). */
struct render_cache *render_cache_new(void);
void  render_cache_free(struct render_cache *c);
/* util_read_file(path, max, len) the first time; later a copy of what
 * was read then. A failed read is not kept (errno set as util_read_file
 * sets it). Caller frees the result. */
char *render_cache_read(struct render_cache *c, const char *path,
	    size_t max, size_t *len);

#endif
