/* buf.c - bounded growable buffer. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "banned.h"

void buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

int buf_add(struct buf *b, const void *src, size_t n)
{
	if (n > b->max || b->len > b->max - n) {
		buf_release(b);
		return -1;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			buf_release(b);
			return -1;
		}
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, src, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return buf_add(b, small, (size_t)n);
	char *big = malloc((size_t)n + 1);
	if (big == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	int rc = buf_add(b, big, (size_t)n);
	free(big);
	return rc;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void buf_release(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p = b->p;
	if (p == NULL)
		p = calloc(1, 1);
	if (len)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

int buf_add_csv(struct buf *b, const char *s, int first)
{
	if (!first && buf_add(b, ",", 1) != 0)
		return -1;
	if (s == NULL || *s == '\0')
		return 0;
	size_t l = strlen(s);
	int quote = strpbrk(s, ",\"\r\n") != NULL || isspace((unsigned char)s[0]) ||
		    isspace((unsigned char)s[l - 1]);
	int guard = strchr("=+-@'\t\r", s[0]) != NULL;
	if (quote && buf_add(b, "\"", 1) != 0)
		return -1;
	if (guard && buf_add(b, "'", 1) != 0)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p == '"' && buf_add(b, "\"", 1) != 0)
			return -1;
		if (buf_add(b, p, 1) != 0)
			return -1;
	}
	return quote ? buf_add(b, "\"", 1) : 0;
}

int buf_add_json_string(struct buf *b, const char *s, size_t n, int upper)
{
	const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	if (buf_add(b, "\"", 1) != 0)
		return -1;
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		const char *esc = NULL;
		char u[7];
		switch (ch) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (ch < 0x20) {
				u[0] = '\\', u[1] = 'u', u[2] = '0', u[3] = '0';
				u[4] = hex[ch >> 4], u[5] = hex[ch & 15], u[6] = '\0';
				esc = u;
			}
		}
		if (esc == NULL)
			continue;
		if (buf_add(b, s + run, i - run) != 0 || buf_adds(b, esc) != 0)
			return -1;
		run = i + 1;
	}
	return buf_add(b, s + run, n - run) != 0 || buf_add(b, "\"", 1) != 0 ? -1 : 0;
}
