/*
 * arena.h - request-scoped memory (nginx pools): allocations live until
 * arena_free; arena_defer registers cleanups (json_decref, ...) run then in
 * reverse order. An arena has a cap: past it allocations return NULL.
 */
#ifndef UNGCUU_ARENA_H
#define UNGCUU_ARENA_H

#include <stddef.h>

struct arena;

struct arena *arena_new(size_t cap);
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int arena_defer(struct arena *a, void (*fn)(void *), void *p);
/* Runs the cleanups and frees everything but keeps the arena for reuse. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

#endif
