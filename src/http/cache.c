/* cache.c - direct-mapped per-thread cache (one slot per key hash). */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "../base/banned.h"

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % CACHE_SLOTS;
}

struct cache *cache_new(void)
{
	return calloc(1, sizeof(struct cache));
}

void cache_free(struct cache *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < CACHE_SLOTS; i++)
		free(c->slots[i].body);
	free(c);
}

struct cache_entry *cache_get(struct cache *c, const char *key, int64_t stamp, int64_t now)
{
	if (c == NULL || stamp < 0)
		return NULL;
	struct cache_entry *e = &c->slots[hash(key)];
	if (e->key[0] == '\0' || e->stamp != stamp || e->expires <= now ||
	    strcmp(e->key, key) != 0)
		return NULL;
	return e;
}

struct cache_entry *cache_put(struct cache *c, const char *key, int64_t stamp, int64_t expires)
{
	size_t n = strlen(key);
	if (c == NULL || stamp < 0 || n >= CACHE_KEY)
		return NULL;
	struct cache_entry *e = &c->slots[hash(key)];
	free(e->body);
	memset(e, 0, sizeof(*e));
	memcpy(e->key, key, n + 1);
	e->stamp = stamp;
	e->expires = expires;
	return e;
}
