/* arm_afcache.c — rendered answerfiles kept per arming; see
 * arm_afcache.h. */
#include "arm_afcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util.h"

struct arm_afcache_entry {
	struct arm_afcache_key	 k;
	struct arm_afcache_file	 tf;
	char			*body;	/* NULL: a free slot */
	size_t			 len;
};

struct arm_afcache {
	pthread_mutex_t		 mu;
	uint64_t		 epoch;
	size_t			 bytes;		/* of every body */
	uint64_t		 hits, misses;
	struct arm_afcache_entry slot[ARM_AFCACHE_SLOTS];
};

struct arm_afcache *
arm_afcache_new(void)
{
	struct arm_afcache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (pthread_mutex_init(&c->mu, NULL) != 0) {
		free(c);
		return NULL;
	}
	c->epoch = 1;
	return c;
}

/* Empties e (its body wiped). Caller holds mu. */
static void
arm_afcache_evict(struct arm_afcache *c, struct arm_afcache_entry *e)
{
	if (e->body == NULL)
		return;
	util_wipe(e->body, e->len);
	free(e->body);
	c->bytes -= e->len;
	memset(e, 0, sizeof(*e));
}

void
arm_afcache_free(struct arm_afcache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < ARM_AFCACHE_SLOTS; i++)
		arm_afcache_evict(c, &c->slot[i]);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

uint64_t
arm_afcache_epoch(struct arm_afcache *c)
{
	uint64_t e;

	pthread_mutex_lock(&c->mu);
	e = c->epoch;
	pthread_mutex_unlock(&c->mu);
	return e;
}

void
arm_afcache_clear(struct arm_afcache *c)
{
	size_t i;

	pthread_mutex_lock(&c->mu);
	c->epoch++;
	for (i = 0; i < ARM_AFCACHE_SLOTS; i++)
		arm_afcache_evict(c, &c->slot[i]);
	pthread_mutex_unlock(&c->mu);
}

static struct arm_afcache_entry *
arm_afcache_slot(struct arm_afcache *c, int64_t arming_id)
{
	return &c->slot[(uint64_t)arming_id % ARM_AFCACHE_SLOTS];
}

void
arm_afcache_drop(struct arm_afcache *c, int64_t arming_id)
{
	struct arm_afcache_entry *e;

	pthread_mutex_lock(&c->mu);
	e = arm_afcache_slot(c, arming_id);
	if (e->body != NULL && e->k.arming_id == arming_id)
		arm_afcache_evict(c, e);
	pthread_mutex_unlock(&c->mu);
}

void
arm_afcache_stat(const char *path, struct arm_afcache_file *out)
{
	struct stat sb;

	memset(out, 0, sizeof(*out));
	if (stat(path, &sb) == -1)
		return;
	out->dev = sb.st_dev;
	out->ino = sb.st_ino;
	out->size = sb.st_size;
	out->mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 +
	    sb.st_mtim.tv_nsec;
	out->ctime_ns = (int64_t)sb.st_ctim.tv_sec * 1000000000 +
	    sb.st_ctim.tv_nsec;
	out->ok = 1;
}

/* a and b are the same file, unchanged. */
static int
arm_afcache_same_file(const struct arm_afcache_file *a,
    const struct arm_afcache_file *b)
{
	return a->ok && b->ok && a->dev == b->dev && a->ino == b->ino &&
	    a->size == b->size && a->mtime_ns == b->mtime_ns &&
	    a->ctime_ns == b->ctime_ns;
}

/* e was rendered for k (but for the hostcert flag, which e gives). */
static int
arm_afcache_fits(const struct arm_afcache_entry *e,
    const struct arm_afcache_key *k)
{
	return e->body != NULL && e->k.arming_id == k->arming_id &&
	    e->k.mode == k->mode && e->k.hc_gen == k->hc_gen &&
	    e->k.epoch == k->epoch &&
	    strcmp(e->k.token_hash, k->token_hash) == 0;
}

char *
arm_afcache_get(struct arm_afcache *c, struct arm_afcache_key *k,
    const struct arm_afcache_file *tf, size_t *len)
{
	struct arm_afcache_entry *e;
	char *out = NULL;

	*len = 0;
	pthread_mutex_lock(&c->mu);
	e = arm_afcache_slot(c, k->arming_id);
	if (arm_afcache_fits(e, k) && arm_afcache_same_file(&e->tf, tf) &&
	    (out = malloc(e->len + 1)) != NULL) {
		memcpy(out, e->body, e->len + 1);
		*len = e->len;
		k->hostcert = e->k.hostcert;
		c->hits++;
	} else
		c->misses++;
	pthread_mutex_unlock(&c->mu);
	return out;
}

void
arm_afcache_put(struct arm_afcache *c, const struct arm_afcache_key *k,
    const struct arm_afcache_file *tf, const char *body, size_t len)
{
	struct arm_afcache_entry *e;
	struct timespec now;
	char *copy;

	/* a template changed within the last second could change again in
	 * the same timestamp tick, unseen: not kept (as git's racy index) */
	if (!tf->ok || clock_gettime(CLOCK_REALTIME, &now) == -1 ||
	    (int64_t)now.tv_sec * 1000000000 + now.tv_nsec - tf->ctime_ns <
	    1000000000 || (int64_t)now.tv_sec * 1000000000 + now.tv_nsec -
	    tf->mtime_ns < 1000000000)
		return;
	if ((copy = malloc(len + 1)) == NULL)
		return;
	memcpy(copy, body, len);
	copy[len] = '\0';
	pthread_mutex_lock(&c->mu);
	e = arm_afcache_slot(c, k->arming_id);
	if (k->epoch != c->epoch ||
	    c->bytes - (e->body != NULL ? e->len : 0) + len >
	    ARM_AFCACHE_MAX_BYTES) {
		pthread_mutex_unlock(&c->mu);
		util_wipe(copy, len);
		free(copy);
		return;
	}
	arm_afcache_evict(c, e);
	e->k = *k;
	e->tf = *tf;
	e->body = copy;
	e->len = len;
	c->bytes += len;
	pthread_mutex_unlock(&c->mu);
}

void
arm_afcache_stats(struct arm_afcache *c, uint64_t *hits, uint64_t *misses)
{
	pthread_mutex_lock(&c->mu);
	*hits = c->hits;
	*misses = c->misses;
	pthread_mutex_unlock(&c->mu);
}
