/*
 * utf8.h - strict UTF-8 (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), the one checker for text from outside.
 */
#ifndef UNGCUU_UTF8_H
#define UNGCUU_UTF8_H

#include <stddef.h>

/* Length of the UTF-8 sequence at s (n bytes available), 0 when it is not
 * one. */
size_t utf8_seq(const unsigned char *s, size_t n);
/* Whether the n bytes at s are UTF-8 text (NUL bytes included as such). */
int utf8_valid(const void *s, size_t n);
/* The characters of the n bytes at s, or -1 when they are not UTF-8 text. */
long utf8_chars(const void *s, size_t n);

#endif
