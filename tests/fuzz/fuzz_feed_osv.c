/*
 * fuzz_feed_osv.c - feed_parse_osv on arbitrary bytes (an OSV file a user
 * imports: one record, an array, {"vulns"}, JSON lines). The sink reads
 * every string it is lent (ASan sees a dangling one) and checks what
 * feed.h promises: every affected entry has a range or a version, an error
 * means the sink was never called, the count is what the sink saw.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/vuln/feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static int sink(void *arg, const struct feed_vuln *v, struct err *e)
{
	long *calls = arg;
	size_t sum = touch(v->id) + touch(v->summary) + touch(v->severity);
	(void)e;
	if (v->id == NULL || (v->cvss != -1 && (v->cvss < 0 || v->cvss > 10)))
		abort();
	for (size_t i = 0; i < v->naliases; i++)
		sum += touch(v->aliases[i]);
	for (size_t i = 0; i < v->naffected; i++) {
		const struct feed_affected *a = &v->affected[i];
		if (a->ecosystem == NULL || a->package == NULL || a->nranges + a->nversions == 0)
			abort();
		sum += touch(a->ecosystem) + touch(a->package);
		for (size_t k = 0; k < a->nranges; k++)
			sum += touch(a->ranges[k].introduced) + touch(a->ranges[k].fixed) +
			       touch(a->ranges[k].last_affected);
		for (size_t k = 0; k < a->nversions; k++)
			sum += touch(a->versions[k]);
	}
	(*calls)++;
	return sum == (size_t)-1 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct err e = { 0 };
	long calls = 0;
	long r = feed_parse_osv("fuzz.json", (const char *)d, n, sink, &calls, &e);
	if (r < 0 ? calls != 0 || e.code == E_OK || e.arg[0] == '\0' : r != calls)
		abort();
	return 0;
}
