/*
 * cache.h - a worker thread's small caches: who a token belongs to, and the
 * rendered answers of hot reads (GET /incidents/{id}). An entry is trusted
 * only while the database's stamp (store_stamp) is the one it was made with,
 * so any commit by anyone, in any process, empties it in effect; entries
 * also expire after a short time (deadlines turn overdue with the clock).
 */
#ifndef UNGCUU_CACHE_H
#define UNGCUU_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "../domain/domain.h"

#define CACHE_SLOTS 256
#define CACHE_KEY 160

struct cache_entry {
	char key[CACHE_KEY];
	int64_t stamp, expires;
	struct actor actor;      /* token entries */
	char *body;              /* response entries */
	size_t len;
	long long etag;
};

struct cache {
	struct cache_entry slots[CACHE_SLOTS];
};

struct cache *cache_new(void);
void cache_free(struct cache *c);
/* The entry for key if fresh (same stamp, not expired), else NULL. */
struct cache_entry *cache_get(struct cache *c, const char *key, int64_t stamp, int64_t now);
/* A slot for key (replacing what was there), or NULL if key is too long. */
struct cache_entry *cache_put(struct cache *c, const char *key, int64_t stamp, int64_t expires);

#endif
