/*
 * buf.h - a growable byte buffer with a hard maximum (curl's dynbuf).
 * Invariants: p is NULL or NUL-terminated; len < cap; len <= max.
 * Past max, buf_add frees the buffer and returns -1: a half-built body is
 * useless.
 */
#ifndef UNGCUU_BUF_H
#define UNGCUU_BUF_H

#include <stddef.h>

struct buf {
	char *p;
	size_t len, cap, max;
};

void buf_init(struct buf *b, size_t max);
int buf_add(struct buf *b, const void *src, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_release(struct buf *b);
/* Hands the bytes to the caller (who frees them); b is empty after. */
char *buf_detach(struct buf *b, size_t *len);

#endif
