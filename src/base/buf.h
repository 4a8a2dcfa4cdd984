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
/* Appends one CSV cell (RFC 4180), after a comma unless it is the first of
 * its row: quoted when it holds a comma, quote or line end, or white space
 * at an end; a ' first when a spreadsheet would take it for a formula (it
 * starts with = + - @ ' tab or CR). NULL or "" is an empty cell. Every CSV
 * the program writes goes through here. */
int buf_add_csv(struct buf *b, const char *s, int first);
/* Appends the n bytes of s as a JSON string: " and \ escaped, \b \f \n \r
 * \t as such, the other bytes below 0x20 as \u00XX (hex digits upper case
 * when upper, as jansson writes them; lower case otherwise), every other
 * byte as it is. The bytes are not checked: the caller does. 0 or -1. */
int buf_add_json_string(struct buf *b, const char *s, size_t n, int upper);
/* Hands the bytes to the caller (who frees them); b is empty after. */
char *buf_detach(struct buf *b, size_t *len);

#endif
