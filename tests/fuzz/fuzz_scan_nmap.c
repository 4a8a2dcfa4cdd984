/*
 * fuzz_scan_nmap.c - scan_parse_nmap and scan_parse_openvas on the same
 * arbitrary bytes (both are XML a user imports; libxml2 runs without
 * network, DTD loading or entity substitution). The sink reads every
 * string it is lent and checks ports and CPEs: each service CPE is a 2.3
 * name that matches itself. Also cpe_uri_to_23 and cpe_match on the raw
 * bytes as a string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/vuln/feed.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static int sink(void *arg, const struct scan_host *h, struct err *e)
{
	long *calls = arg;
	size_t sum = touch(h->address) + touch(h->hostname) + touch(h->mac) + touch(h->os_cpe);
	(void)e;
	if (h->address == NULL)
		abort();
	for (size_t i = 0; i < h->nservices; i++) {
		const struct scan_service *s = &h->services[i];
		if (s->port < 0 || s->port > 65535 || s->proto == NULL)
			abort();
		sum += touch(s->state) + touch(s->name) + touch(s->product) + touch(s->version);
		if (s->cpe && (strncmp(s->cpe, "cpe:2.3:", 8) != 0 ||
			       (!embedded_wildcard(s->cpe) && !cpe_match(s->cpe, s->cpe))))
			abort();
	}
	for (size_t i = 0; i < h->nresults; i++) {
		const struct scan_result *r = &h->results[i];
		sum += touch(r->port) + touch(r->nvt_oid) + touch(r->name) + touch(r->threat) +
		       touch(r->solution);
		for (size_t k = 0; k < r->ncves; k++)
			sum += touch(r->cves[k]);
	}
	(*calls)++;
	return sum == (size_t)-1 ? -1 : 0;
}

static void one(long (*parse)(const char *, const char *, size_t, scan_sink, void *,
			      int64_t *, struct err *), const uint8_t *d, size_t n)
{
	struct err e = { 0 };
	long calls = 0;
	int64_t at = 0;
	long r = parse("fuzz.xml", (const char *)d, n, sink, &calls, &at, &e);
	if (r < 0 ? calls != 0 || e.code == E_OK || e.arg[0] == '\0' : r != calls)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	one(scan_parse_nmap, d, n);
	one(scan_parse_openvas, d, n);
	if (n < 512) {
		char s[512], out[1100];
		memcpy(s, d, n);
		s[n] = '\0';
		const char *fs = cpe_uri_to_23(s, out, sizeof(out));
		if (fs && !embedded_wildcard(fs) && !cpe_match(fs, fs))
			abort();
		(void)cpe_match(s, "cpe:2.3:a:openbsd:openssh:7.4:*:*:*:*:*:*:*");
		(void)cpe_match("cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*", s);
	}
	return 0;
}
