/*
 * fuzz_feed_nvd.c - feed_parse_nvd and feed_parse_kev on the same
 * arbitrary bytes (NVD CVE API 2.0 responses and the CISA KEV catalogue
 * share their shape). The sink reads every string it is lent, matches each
 * NVD criteria against itself with cpe_match, and checks what feed.h
 * promises: an error means the sink was never called; the count is what
 * the sink saw.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/vuln/feed.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static int sink(void *arg, const struct feed_vuln *v, struct err *e)
{
	long *calls = arg;
	size_t sum = touch(v->id) + touch(v->summary) + touch(v->severity) +
		     touch(v->kev_action) + touch(v->vendor) + touch(v->product);
	(void)e;
	if (v->id == NULL || (v->cvss != -1 && (v->cvss < 0 || v->cvss > 10)))
		abort();
	for (size_t i = 0; i < v->naffected; i++) {
		const struct feed_affected *a = &v->affected[i];
		if (a->nranges + a->nversions == 0 || strcmp(a->ecosystem, "cpe") != 0)
			abort();
		/* A criteria matches itself unless a value holds a wildcard
		 * (a name has none). */
		if (!embedded_wildcard(a->package) && !cpe_match(a->package, a->package))
			abort();
		for (size_t k = 0; k < a->nranges; k++)
			sum += touch(a->ranges[k].start_including) + touch(a->ranges[k].start_excluding) +
			       touch(a->ranges[k].end_including) + touch(a->ranges[k].end_excluding);
		for (size_t k = 0; k < a->nversions; k++)
			sum += touch(a->versions[k]);
	}
	(*calls)++;
	return sum == (size_t)-1 ? -1 : 0;
}

static void one(long (*parse)(const char *, const char *, size_t, feed_sink, void *,
			      struct err *), const uint8_t *d, size_t n)
{
	struct err e = { 0 };
	long calls = 0;
	long r = parse("fuzz.json", (const char *)d, n, sink, &calls, &e);
	if (r < 0 ? calls != 0 || e.code == E_OK || e.arg[0] == '\0' : r != calls)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	one(feed_parse_nvd, d, n);
	one(feed_parse_kev, d, n);
	return 0;
}
