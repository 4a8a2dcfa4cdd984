/* utf8.c - strict UTF-8; see utf8.h. */
#include "utf8.h"
#include "banned.h"

/* Length of the UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), 0 when it is not one. */
size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	unsigned cp = c & (0x3F >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

long utf8_chars(const void *s, size_t n)
{
	const unsigned char *p = s;
	long chars = 0;
	for (size_t i = 0, k; i < n; i += k, chars++)
		if ((k = utf8_seq(p + i, n - i)) == 0)
			return -1;
	return chars;
}

int utf8_valid(const void *s, size_t n)
{
	return utf8_chars(s, n) >= 0;
}
