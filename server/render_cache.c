/* render_cache.c — templates read once per run; see render_cache.h. */
#include "render_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* a handful of templates: a list is enough */
#define RENDER_CACHE_MAX	32

struct render_cache_entry {
	char	*path;
	char	*text;
	size_t	 len;
};

struct render_cache {
	struct render_cache_entry e[RENDER_CACHE_MAX];
	size_t	 n;
};

struct render_cache *
render_cache_new(void)
{
	return calloc(1, sizeof(struct render_cache));
}

void
render_cache_free(struct render_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->e[i].path);
		free(c->e[i].text);
	}
	free(c);
}

/* A malloc'd copy of e's text. */
static char *
render_cache_copy(const struct render_cache_entry *e, size_t *len)
{
	char *s;

	if ((s = malloc(e->len + 1)) == NULL)
		return NULL;
	memcpy(s, e->text, e->len + 1);
	if (len != NULL)
		*len = e->len;
	return s;
}

char *
render_cache_read(struct render_cache *c, const char *path, size_t max,
    size_t *len)
{
	struct render_cache_entry *e;
	size_t i, n;
	char *text;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->e[i].path, path) == 0) {
			if (c->e[i].len > max) {
				errno = EFBIG;
				return NULL;
			}
			return render_cache_copy(&c->e[i], len);
		}
	if ((text = util_read_file(path, max, &n)) == NULL)
		return NULL;
	if (c->n == RENDER_CACHE_MAX)
		goto done;
	e = &c->e[c->n];
	if ((e->path = strdup(path)) == NULL ||
	    (e->text = render_cache_copy(&(struct render_cache_entry){
	    .text = text, .len = n }, NULL)) == NULL) {
		free(e->path);
		e->path = NULL;
		goto done;
	}
	e->len = n;
	c->n++;
done:
	if (len != NULL)
		*len = n;
	return text;
}
