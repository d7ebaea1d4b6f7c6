/* config_live.c — see config_live.h.
 *
 * A short list of generations: the current one first, then the old ones
 * still referenced. A reference count per generation; the current one is
 * also held by l itself (it is never freed while current).
 */
#include "config_live.h"

#include <pthread.h>
#include <stdlib.h>

#include "log.h"

struct config_live_gen {
	struct config	*cfg;
	long		 refs;		/* references handed out */
	long		 gen;
	int		 own;
	struct config_live_gen *next;
};

struct config_live {
	pthread_mutex_t	 mu;
	struct config_live_gen *gens;	/* current first */
	long		 generation;
};

int
config_live_new(struct config *cfg, int own, struct config_live **out)
{
	struct config_live *l;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return -1;
	if ((l->gens = calloc(1, sizeof(*l->gens))) == NULL) {
		free(l);
		return -1;
	}
	pthread_mutex_init(&l->mu, NULL);
	l->gens->cfg = cfg;
	l->gens->own = own;
	l->gens->gen = l->generation = 1;
	*out = l;
	return 0;
}

static void
config_live_gen_free(struct config_live_gen *g)
{
	if (g->own)
		config_free(g->cfg);
	free(g);
}

void
config_live_free(struct config_live *l)
{
	struct config_live_gen *g, *next;

	if (l == NULL)
		return;
	for (g = l->gens; g != NULL; g = next) {
		next = g->next;
		if (g->refs != 0) {
			/* a thread still reads it: leaking beats a crash */
			log_error("config", "bug: configuration %ld still has %ld "
			    "reference%s at exit", g->gen, g->refs,
			    g->refs == 1 ? "" : "s");
			continue;
		}
		config_live_gen_free(g);
	}
	pthread_mutex_destroy(&l->mu);
	free(l);
}

const struct config *
config_live_get(struct config_live *l)
{
	const struct config *cfg;

	pthread_mutex_lock(&l->mu);
	l->gens->refs++;
	cfg = l->gens->cfg;
	pthread_mutex_unlock(&l->mu);
	return cfg;
}

/* The generation holding cfg. Caller holds l->mu. */
static struct config_live_gen *
config_live_find(struct config_live *l, const struct config *cfg,
    struct config_live_gen ***link)
{
	struct config_live_gen **pp;

	for (pp = &l->gens; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->cfg == cfg) {
			if (link != NULL)
				*link = pp;
			return *pp;
		}
	return NULL;
}

const struct config *
config_live_ref(struct config_live *l, const struct config *cfg)
{
	struct config_live_gen *g;

	if (l == NULL || cfg == NULL)
		return cfg;
	pthread_mutex_lock(&l->mu);
	if ((g = config_live_find(l, cfg, NULL)) != NULL)
		g->refs++;
	pthread_mutex_unlock(&l->mu);
	if (g == NULL)
		log_error("config", "bug: a reference to a configuration poolboot "
		    "does not hold");
	return cfg;
}

void
config_live_put(struct config_live *l, const struct config *cfg)
{
	struct config_live_gen *g, **link = NULL, *dead = NULL;
	int bad = 0;

	if (l == NULL || cfg == NULL)
		return;
	pthread_mutex_lock(&l->mu);
	g = config_live_find(l, cfg, &link);
	if (g == NULL || g->refs == 0)
		bad = 1;
	else if (--g->refs == 0 && g != l->gens) {
		*link = g->next;	/* old and unused: it goes */
		dead = g;
	}
	pthread_mutex_unlock(&l->mu);
	if (bad)
		log_error("config", "bug: a configuration reference dropped "
		    "twice");
	if (dead != NULL)
		config_live_gen_free(dead);	/* outside the lock */
}

long
config_live_swap(struct config_live *l, struct config *cfg)
{
	struct config_live_gen *g, *old, *dead = NULL;
	long gen;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return -1;
	g->cfg = cfg;
	g->own = 1;
	pthread_mutex_lock(&l->mu);
	old = l->gens;
	g->gen = gen = ++l->generation;
	g->next = old;
	l->gens = g;
	if (old->refs == 0) {		/* nobody reads the old one */
		g->next = old->next;
		dead = old;
	}
	pthread_mutex_unlock(&l->mu);
	if (dead != NULL)
		config_live_gen_free(dead);
	return gen;
}

long
config_live_generation(struct config_live *l)
{
	long gen;

	pthread_mutex_lock(&l->mu);
	gen = l->generation;
	pthread_mutex_unlock(&l->mu);
	return gen;
}

size_t
config_live_count(struct config_live *l)
{
	struct config_live_gen *g;
	size_t n = 0;

	pthread_mutex_lock(&l->mu);
	for (g = l->gens; g != NULL; g = g->next)
		n++;
	pthread_mutex_unlock(&l->mu);
	return n;
}
