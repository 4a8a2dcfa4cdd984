/*
 * fuzz_stix_pattern.c - stix_pattern_parse on arbitrary bytes (the pattern
 * of an untrusted STIX indicator or MISP stix2-pattern attribute), then
 * what an accepted pattern promises:
 *   - every indicator it yields is in its normal form (ioc_normalise gives
 *     it back unchanged, same kind);
 *   - the pattern we write for it (stix_pattern_of) reads back as exactly
 *     that indicator, file name included;
 *   - a valid pattern that is not indicators says why; an invalid one has
 *     a message with its column.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/msg.h"
#include "domain/ioc/ioc.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void same_or_abort(int c1, int c2, const char *a, const char *b)
{
	if (c1 != c2 || (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct arena *a = arena_new((size_t)64 << 20);
	struct stix_hit *hits;
	const char *why;
	struct err e = { 0 };
	if (a == NULL)
		return 0;
	int got = stix_pattern_parse((const char *)d, n, a, &hits, &why, &e);
	if (got < 0) {
		if (e.arg[0] == '\0' || (e.code != E_MALFORMED && e.code != E_TOOLARGE &&
					 e.code != E_NOMEM))
			abort();
		if (e.code == E_MALFORMED && strncmp(e.arg, "column ", 7) != 0)
			abort();
	} else if (got == 0 && (why == NULL || *why == '\0')) {
		abort();
	}
	for (int k = 0; k < got; k++) {
		int kind = hits[k].kind;
		const char *w;
		const char *v = ioc_normalise(a, &kind, hits[k].value, &w);
		if (v == NULL)
			abort();
		same_or_abort(kind, hits[k].kind, v, hits[k].value);
		const char *p = stix_pattern_of(a, hits[k].kind, hits[k].value, hits[k].file_name);
		if (p == NULL)
			abort();
		struct stix_hit *back;
		if (stix_pattern_parse(p, strlen(p), a, &back, &why, &e) != 1)
			abort();
		same_or_abort(back[0].kind, hits[k].kind, back[0].value, hits[k].value);
		same_or_abort(0, 0, back[0].file_name, hits[k].file_name);
	}
	arena_free(a);
	return 0;
}
