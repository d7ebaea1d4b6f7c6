/* strmap.c — an open-addressing string index; see strmap.h. */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a, 64 bits: keys are short names and MACs. */
static uint64_t
strmap_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

int
strmap_init(struct strmap *m, size_t n)
{
	size_t cap = 16;

	memset(m, 0, sizeof(*m));
	while (cap <= 2 * n) {
		if (cap > SIZE_MAX / 4 / sizeof(*m->vals))
			return -1;
		cap *= 2;
	}
	m->keys = calloc(cap, sizeof(*m->keys));
	m->vals = calloc(cap, sizeof(*m->vals));
	if (m->keys == NULL || m->vals == NULL) {
		strmap_free(m);
		return -1;
	}
	m->cap = cap;
	return 0;
}

/* The slot of key, or of the empty slot where it would go. */
static size_t
strmap_slot(const struct strmap *m, const char *key)
{
	size_t i = (size_t)strmap_hash(key) & (m->cap - 1);

	while (m->keys[i] != NULL && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

int
strmap_put(struct strmap *m, const char *key, size_t val)
{
	size_t i;

	if (m->cap == 0)
		return -1;
	i = strmap_slot(m, key);
	if (m->keys[i] != NULL)
		return 0;
	if (2 * (m->n + 1) >= m->cap)
		return -1;
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return 1;
}

int
strmap_get(const struct strmap *m, const char *key, size_t *val)
{
	size_t i;

	if (m->cap == 0)
		return -1;
	i = strmap_slot(m, key);
	if (m->keys[i] == NULL)
		return -1;
	*val = m->vals[i];
	return 0;
}

void
strmap_free(struct strmap *m)
{
	if (m == NULL)
		return;
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
