/* notify.c — see notify.h. */
#include "notify.h"

#include <stdlib.h>

struct notify_listener {
	notify_fn	*fn;
	void		*arg;
};

struct notify {
	struct notify_listener *v;
	size_t	 n;
};

int
notify_new(struct notify **out)
{
	*out = calloc(1, sizeof(**out));
	return *out == NULL ? -1 : 0;
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	free(n->v);
	free(n);
}

int
notify_listen(struct notify *n, notify_fn *fn, void *arg)
{
	struct notify_listener *v;

	if ((v = realloc(n->v, (n->n + 1) * sizeof(*v))) == NULL)
		return -1;
	v[n->n].fn = fn;
	v[n->n].arg = arg;
	n->v = v;
	n->n++;
	return 0;
}

void
notify_install_done(struct notify *n, const char *host, int result)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++)
		n->v[i].fn(n->v[i].arg, host, result);
}
