/*
 * fuzz_time.c - time_parse on arbitrary bytes (RFC 3339 from request bodies
 * and query strings), then what the rest of the program does with an
 * accepted time: format it in UTC and Asia/Ho_Chi_Minh and read it back.
 * Also time_parse_duration (configuration) on the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/limits.h"
#include "base/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

/* The canonical UTC form has a 4-digit year from 1970: only such instants
 * are expected to read back. */
#define FIRST_MS 0
#define LAST_MS 253402300799999LL /* 9999-12-31T23:59:59.999Z */

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct arena *a = arena_new(LIMIT_REQ_ARENA);
	if (a == NULL)
		return 0;
	/* Like a JSON string or a query value: NUL-terminated, maybe shorter. */
	char *s = arena_strndup(a, (const char *)d, n);
	if (s == NULL) {
		arena_free(a);
		return 0;
	}
	int64_t ms = 0, back = 0;
	char out[TIME_RFC3339_LEN];
	if (time_parse(s, &ms) == 0) {
		time_format_utc(ms, out);
		time_format_human(ms, out);
		(void)time_local_year(ms);
		if (ms >= FIRST_MS && ms <= LAST_MS) {
			if (time_parse(time_format_utc(ms, out), &back) != 0 || back != ms)
				abort(); /* what we write, we must read */
			if (ms <= LAST_MS - TIME_HCM_OFFSET_MS &&
			    (time_parse(time_format_local(ms, out), &back) != 0 ||
			     back != ms - ms % 1000))
				abort();
		}
	}
	int64_t dur = time_parse_duration(s);
	if (dur < -1)
		abort();
	arena_free(a);
	return 0;
}
