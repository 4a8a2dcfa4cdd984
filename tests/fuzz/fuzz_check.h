/*
 * fuzz_check.h - what the feed and scan fuzzers both check of a record:
 * CPE names and how to read every lent string once (ASan sees a bad one).
 */
#ifndef UNGCUU_FUZZ_CHECK_H
#define UNGCUU_FUZZ_CHECK_H

#include <stddef.h>
#include <string.h>

/* Whether a CPE 2.3 string has an unquoted '*' or '?' inside a value
 * (not the whole value): such a name cannot match itself. */
static inline int embedded_wildcard(const char *s)
{
	size_t len = 0;
	int wild = 0, star = 0;
	for (const char *p = s;; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			len++;
			continue;
		}
		if (*p == ':' || *p == '\0') {
			if (wild && !(len == 1 && star))
				return 1;
			if (*p == '\0')
				return 0;
			len = 0;
			wild = star = 0;
			continue;
		}
		wild |= *p == '*' || *p == '?';
		star = len == 0 && *p == '*';
		len++;
	}
}

static inline size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

#endif
