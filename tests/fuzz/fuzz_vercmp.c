/*
 * fuzz_vercmp.c - the version comparators (domain/vuln/vercmp.c) and the
 * CPE attribute reader (domain/vuln/cpe.c) on versions from outside (feeds,
 * inventories, scanner reports). The input is up to three lines a, b, c.
 * Invariants, for dpkg, rpm, semver and generic alike (vercmp.h: a total
 * order on any strings): cmp(a,a) == 0; sign(cmp(a,b)) == -sign(cmp(b,a));
 * on the triple, a <= b <= c implies a <= c and a == b == c implies a == c;
 * vercmp() by ecosystem answers as the comparator; vercmp_valid answers
 * 0 or 1. Ecosystem names read back (ecosystem_from(ecosystem_name(x))).
 * CPE: cpe23_attr on each line reads all 11 attributes or none, and the
 * version attribute of a name rebuilt from a line's attributes (each
 * quoted again) is the line's version, unquoted (a normal form).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/vuln/feed_int.h"
#include "domain/vuln/vercmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

typedef int (*cmp_fn)(const char *, const char *);

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void order(int eco, cmp_fn cmp, const char *a, const char *b, const char *c)
{
	int ab = sign(cmp(a, b)), ba = sign(cmp(b, a)), bc = sign(cmp(b, c)),
	    ac = sign(cmp(a, c));
	if (cmp(a, a) != 0 || cmp(b, b) != 0 || ab != -ba)
		abort();
	if (ab <= 0 && bc <= 0 && ac > 0)
		abort();                      /* a <= b <= c but a > c */
	if (ab >= 0 && bc >= 0 && ac < 0)
		abort();
	if (ab == 0 && bc == 0 && ac != 0)
		abort();
	if (sign(vercmp(eco, a, b)) != ab)
		abort();
	int v = vercmp_valid(eco, a);
	if (v != 0 && v != 1)
		abort();
}

/* The CPE attributes of s, each read alone, then the version of a name
 * rebuilt from them with every character quoted that needs it. */
static void cpe(const char *s)
{
	char attr[11][256];
	int got = 0;
	for (int i = 0; i < 11; i++)
		got += cpe23_attr(s, i, attr[i], sizeof(attr[i])) == 0;
	if (got == 0)
		return;
	if (got != 11) {
		/* Only a value too long for the buffer fails alone. */
		if (strlen(s) < 256)
			abort();
		return;
	}
	char fs[11 * 2 * 256 + 16] = "cpe:2.3";
	size_t o = strlen(fs);
	for (int i = 0; i < 11; i++) {
		fs[o++] = ':';
		for (const char *p = attr[i]; *p; p++) {
			int plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				    (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' ||
				    *p == '-' || *p == '*' || *p == '?';
			if (!plain)
				fs[o++] = '\\';
			fs[o++] = *p;
		}
	}
	fs[o] = '\0';
	char again[256];
	if (cpe23_attr(fs, 3, again, sizeof(again)) != 0 || strcmp(again, attr[3]) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char *p = malloc(n + 1);
	if (p == NULL)
		return 0;
	memcpy(p, d, n);
	p[n] = '\0';
	char *line[3] = { p, "", "" };
	for (int i = 1; i < 3; i++) {
		char *nl = strchr(line[i - 1], '\n');
		if (nl == NULL)
			break;
		*nl = '\0';
		line[i] = nl + 1;
	}
	order(ECO_DPKG, vercmp_dpkg, line[0], line[1], line[2]);
	order(ECO_RPM, vercmp_rpm, line[0], line[1], line[2]);
	order(ECO_SEMVER, vercmp_semver, line[0], line[1], line[2]);
	order(ECO_GENERIC, vercmp_generic, line[0], line[1], line[2]);
	int eco = ecosystem_from(line[0]);
	if (eco < ECO_UNKNOWN || eco > ECO_GENERIC ||
	    (eco != ECO_UNKNOWN && ecosystem_from(ecosystem_name(eco)) != eco))
		abort();
	for (int i = 0; i < 3; i++)
		cpe(line[i]);
	free(p);
	return 0;
}
