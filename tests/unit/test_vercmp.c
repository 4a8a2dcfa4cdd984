/*
 * test_vercmp.c - version comparison (domain/vercmp.c) against upstream
 * vectors kept as data in vercmp-vectors/ (SOURCES.md there names each
 * origin): osv-scalibr's Debian list and dpkg's own t-version.c for dpkg,
 * rpm's rpmvercmp.at for rpm, semver.org for semver, PEP 440, pypa/packaging
 * and Maven for the generic comparison. Every comparison is checked both
 * ways and each version against itself. Then what no vector file shows:
 * blanks around dpkg versions, rpm's epoch and release split, NULL,
 * ecosystem names, megabyte-long versions (linear time, no recursion),
 * and, on seeded random strings, that each comparator is a total order.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testlib.h"
#include "domain/vuln/vercmp.h"

#ifndef VERCMP_VECTORS
#error "VERCMP_VECTORS (the vector directory) is set by tests/unit/meson.build"
#endif

static int sgn(int x)
{
	return (x > 0) - (x < 0);
}

static int op_sign(const char *op)
{
	if (strcmp(op, "<") == 0)
		return -1;
	if (strcmp(op, "=") == 0)
		return 0;
	if (strcmp(op, ">") == 0)
		return 1;
	fail_msg("bad operator '%s' in a vector file", op);
	return 2;
}

/* Checks cmp(a, b) == want, cmp(b, a) == -want, cmp(a, a) == cmp(b, b) == 0;
 * the where string names the vector in a failure. */
static void check(int eco, const char *a, int want, const char *b, const char *where)
{
	int ab = sgn(vercmp(eco, a, b)), ba = sgn(vercmp(eco, b, a));
	int aa = vercmp(eco, a, a), bb = vercmp(eco, b, b);
	if (ab != want || ba != -want || aa != 0 || bb != 0)
		fail_msg("%s: %s(%s, %s) = %d (want %d), reversed %d, self %d %d", where,
			 ecosystem_name(eco), a, b, ab, want, ba, aa, bb);
}

/* Decodes \xHH escapes in place (the vector files' only escape). */
static void unescape(char *s)
{
	char *out = s;
	while (*s) {
		if (s[0] == '\\' && s[1] == 'x' && s[2] && s[3]) {
			char hex[3] = { s[2], s[3], 0 };
			*out++ = (char)strtol(hex, NULL, 16);
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

struct counts {
	int cmp, valid, invalid;
};

static void vector_line(int eco, char *line, const char *where, struct counts *n)
{
	char *save = NULL, *f[64] = { NULL };
	int nf = 0;
	if (strncmp(line, "valid ", 6) == 0 || strncmp(line, "invalid ", 8) == 0) {
		int want = line[0] == 'v';
		char *v = strchr(line, ' ') + 1;
		unescape(v);
		if (vercmp_valid(eco, v) != want)
			fail_msg("%s: vercmp_valid(%s, \"%s\") != %d", where, ecosystem_name(eco),
				 v, want);
		if (want)
			n->valid++;
		else
			n->invalid++;
		return;
	}
	for (char *t = strtok_r(line, " ", &save); t && nf < 64; t = strtok_r(NULL, " ", &save))
		f[nf++] = t;
	if (nf > 0 && strcmp(f[0], "odd") == 0) {   /* rpm's oddities: same checks */
		memmove(f, f + 1, sizeof(f[0]) * (size_t)--nf);
	}
	if (nf > 0 && strcmp(f[0], "order") == 0) {
		for (int i = 1; i < nf; i++)
			for (int j = i; j < nf; j++, n->cmp++)
				check(eco, f[i], i == j ? 0 : -1, f[j], where);
		return;
	}
	if (nf != 3)
		fail_msg("%s: not 'A op B'", where);
	check(eco, f[0], op_sign(f[1]), f[2], where);
	n->cmp++;
}

/* Runs every line of a vector file; returns the counts. */
static struct counts run_file(int eco, const char *name)
{
	char path[512], line[4096], where[600];
	struct counts n = { 0, 0, 0 };
	snprintf(path, sizeof(path), "%s/%s", VERCMP_VECTORS, name);
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("cannot open %s", path);
	int no = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		no++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%d", name, no);
		vector_line(eco, line, where, &n);
	}
	fclose(fp);
	print_message("# %s: %d comparisons, %d valid, %d invalid\n", name, n.cmp, n.valid,
		      n.invalid);
	return n;
}

static void test_debian_vectors(void **state)
{
	(void)state;
	struct counts n = run_file(ECO_DPKG, "debian-versions.txt");
	assert_true(n.cmp >= 30);
}

static void test_dpkg_vectors(void **state)
{
	(void)state;
	struct counts n = run_file(ECO_DPKG, "dpkg-t-version.txt");
	assert_true(n.cmp >= 25 && n.valid >= 14 && n.invalid >= 60);
	/* t-version.c's blanks: around the string they are dropped ... */
	const char *blanks[] = { "  \t0:0-1", "0:0-1\t  ", "\t  0:0-1  \t" };
	for (size_t i = 0; i < 3; i++) {
		assert_true(vercmp_valid(ECO_DPKG, blanks[i]));
		check(ECO_DPKG, blanks[i], 0, "0-1", "t-version.c blanks");
	}
	/* ... inside it, or alone, they make it invalid. */
	assert_false(vercmp_valid(ECO_DPKG, "0:0 0-1"));
	assert_false(vercmp_valid(ECO_DPKG, ""));
	assert_false(vercmp_valid(ECO_DPKG, "  "));
}

/* deb-version(7): "~~, ~~a, ~, the empty part, a" are in sorted order;
 * letters sort before non-letters; digit runs compare numerically; the
 * epoch wins over everything; the absent revision equals "0". */
static void test_dpkg_rules(void **state)
{
	(void)state;
	const char *tilde[] = { "1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a" };
	for (int i = 0; i < 5; i++)
		for (int j = i; j < 5; j++)
			check(ECO_DPKG, tilde[i], i == j ? 0 : -1, tilde[j], "deb-version(7) ~");
	check(ECO_DPKG, "1.0a", -1, "1.0+", "letters before non-letters");
	check(ECO_DPKG, "1.0z", -1, "1.0.", "letters before non-letters");
	check(ECO_DPKG, "1.0+", -1, "1.0.", "non-letters by ASCII");
	check(ECO_DPKG, "1.0-1~bpo1", -1, "1.0-1", "backport");
	check(ECO_DPKG, "1.9", -1, "1.10", "numeric");
	check(ECO_DPKG, "1.010", 0, "1.10", "leading zeros");
	check(ECO_DPKG, "1:0.1", 1, "9.9", "epoch");
	check(ECO_DPKG, "10:0", 1, "9:99", "epoch numeric");
	check(ECO_DPKG, "1.0", 0, "1.0-0", "empty revision");
	check(ECO_DPKG, "1.0-1-2", 1, "1.0-1-1", "last hyphen");
	check(ECO_DPKG, "1.0-1-2", -1, "1.0-2-1", "last hyphen");
	check(ECO_DPKG, "1:2:3", 1, "1:2:2", "colon in upstream");
	check(ECO_DPKG, "99999999999999999999.0", 1, "99999999999999999998.9", "long numbers");
	assert_true(vercmp_valid(ECO_DPKG, "2147483647:1"));
	assert_false(vercmp_valid(ECO_DPKG, "2147483648:1"));
	assert_true(vercmp_valid(ECO_DPKG, "007:1"));
	assert_false(vercmp_valid(ECO_DPKG, "1:"));
	assert_false(vercmp_valid(ECO_DPKG, "1.0:1"));
	assert_false(vercmp_valid(ECO_DPKG, "+1:0"));
	assert_false(vercmp_valid(ECO_DPKG, "1.0\xc3\xa9"));
}

static void test_rpm_vectors(void **state)
{
	(void)state;
	struct counts n = run_file(ECO_RPM, "rpmvercmp.txt");
	assert_true(n.cmp >= 100);
}

/* [epoch:]version[-release] as librpm's rpmverCmp splits and orders it
 * (each case checked against librpm 4.18 when written). */
static void test_rpm_evr(void **state)
{
	(void)state;
	check(ECO_RPM, "1:1.0", 1, "2.0", "epoch wins");
	check(ECO_RPM, "0:1.0-1", 0, "1.0-1", "epoch 0 = none");
	check(ECO_RPM, ":1.0", 0, "1.0", "empty epoch = 0");
	check(ECO_RPM, "01:1.0", 0, "1:1.0", "epoch numeric");
	check(ECO_RPM, "1.0", -1, "1.0-1", "no release first");
	check(ECO_RPM, "1.0-", 0, "1.0-", "empty release");
	check(ECO_RPM, "1.0", -1, "1.0-", "no release before empty release");
	check(ECO_RPM, "1.0-1", -1, "1.0-1.el9", "release");
	check(ECO_RPM, "1.0-2.el9", -1, "1.0-10.el8", "release numeric");
	check(ECO_RPM, "1.0~rc1-5", -1, "1.0-1", "version before release");
	check(ECO_RPM, "2.4.57-5.el9_3.1", -1, "2.4.57-11.el9_4.1", "real release");
	check(ECO_RPM, "1.0-1-2", 1, "1.0-1-1", "last hyphen");
	check(ECO_RPM, "1:2:3-4", -1, "1:2:3-5", "colon in version");
	assert_true(vercmp_valid(ECO_RPM, "1:2.4.57-5.el9_3.1"));
	assert_true(vercmp_valid(ECO_RPM, "1.0~rc1^git2-1"));
	assert_true(vercmp_valid(ECO_RPM, "4294967295:1"));
	assert_false(vercmp_valid(ECO_RPM, "4294967296:1"));
	assert_false(vercmp_valid(ECO_RPM, ""));
	assert_false(vercmp_valid(ECO_RPM, "1.0-"));
	assert_false(vercmp_valid(ECO_RPM, "-1"));
	assert_false(vercmp_valid(ECO_RPM, "1.0-1-2"));
	assert_false(vercmp_valid(ECO_RPM, "1.0 1"));
	assert_false(vercmp_valid(ECO_RPM, "a:1.0"));
	assert_false(vercmp_valid(ECO_RPM, ":1.0"));
}

static void test_semver_vectors(void **state)
{
	(void)state;
	struct counts n = run_file(ECO_SEMVER, "semver.txt");
	assert_true(n.cmp >= 40 && n.valid >= 30 && n.invalid >= 40);
}

/* Issue #13 item 5: only a lower-case 'v' is a prefix (node-semver,
 * Go tags); "V1.2.3" is refused, not read as 1.2.3. */
static void test_semver_v_prefix(void **state)
{
	(void)state;
	assert_true(vercmp_valid(ECO_SEMVER, "v1.2.3"));
	assert_true(vercmp_valid(ECO_SEMVER, "v1.2.3-rc.1+b5"));
	assert_int_equal(vercmp(ECO_SEMVER, "v1.2.3", "1.2.3"), 0);
	assert_false(vercmp_valid(ECO_SEMVER, "V1.2.3"));
	assert_false(vercmp_valid(ECO_SEMVER, "V1.2.3-rc.1"));
	assert_false(vercmp_valid(ECO_SEMVER, "vV1.2.3"));
	assert_false(vercmp_valid(ECO_SEMVER, "Vv1.2.3"));
	assert_true(vercmp_valid(ECO_GENERIC, "V1.2.3"));   /* generic stays loose */
}

static void test_generic_vectors(void **state)
{
	(void)state;
	struct counts n = run_file(ECO_GENERIC, "generic.txt");
	assert_true(n.cmp >= 1000);
}

static void test_null_and_unknown(void **state)
{
	(void)state;
	for (int eco = ECO_UNKNOWN; eco <= ECO_GENERIC; eco++) {
		assert_int_equal(vercmp(eco, NULL, NULL), 0);
		assert_int_equal(vercmp(eco, NULL, ""), 0);
		assert_true(vercmp(eco, NULL, "1") < 0);
		assert_true(vercmp(eco, "1", NULL) > 0);
		assert_false(vercmp_valid(eco, NULL));
	}
	assert_false(vercmp_valid(ECO_UNKNOWN, "1.0"));
	assert_false(vercmp_valid(42, "1.0"));
	assert_int_equal(sgn(vercmp(ECO_UNKNOWN, "1.0rc1", "1.0")), -1);   /* generic */
	assert_int_equal(sgn(vercmp(42, "2", "10")), -1);
}

static void test_ecosystem_names(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int eco;
	} names[] = {
		{ "Debian", ECO_DPKG }, { "Debian:12", ECO_DPKG }, { "Ubuntu:22.04:LTS", ECO_DPKG },
		{ "Ubuntu:Pro:18.04:LTS", ECO_DPKG }, { "dpkg", ECO_DPKG }, { "debian", ECO_DPKG },
		{ "DEB", ECO_DPKG },
		{ "Red Hat", ECO_RPM }, { "Red Hat:enterprise_linux:9::appstream", ECO_RPM },
		{ "AlmaLinux:9", ECO_RPM }, { "Rocky Linux", ECO_RPM }, { "Rocky Linux:8", ECO_RPM },
		{ "SUSE", ECO_RPM }, { "SUSE:Linux Enterprise Server 15 SP5", ECO_RPM },
		{ "openSUSE", ECO_RPM }, { "openSUSE:Leap 15.5", ECO_RPM }, { "rpm", ECO_RPM },
		{ "Mageia:9", ECO_RPM },
		{ "npm", ECO_SEMVER }, { "Go", ECO_SEMVER }, { "crates.io", ECO_SEMVER },
		{ "Hex", ECO_SEMVER }, { "NuGet", ECO_SEMVER }, { "Packagist", ECO_SEMVER },
		{ "Pub", ECO_SEMVER }, { "SwiftURL", ECO_SEMVER }, { "semver", ECO_SEMVER },
		{ "PyPI", ECO_GENERIC }, { "Maven", ECO_GENERIC }, { "RubyGems", ECO_GENERIC },
		{ "Alpine:v3.18", ECO_GENERIC }, { "generic", ECO_GENERIC },
		{ "", ECO_UNKNOWN }, { "Debianx", ECO_UNKNOWN }, { "Red", ECO_UNKNOWN },
		{ ":Debian", ECO_UNKNOWN }, { "GIT", ECO_UNKNOWN }, { "foo", ECO_UNKNOWN },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (ecosystem_from(names[i].name) != names[i].eco)
			fail_msg("ecosystem_from(\"%s\") = %d, want %d", names[i].name,
				 ecosystem_from(names[i].name), names[i].eco);
	assert_int_equal(ecosystem_from(NULL), ECO_UNKNOWN);
	const char *canon[] = { "unknown", "dpkg", "rpm", "semver", "generic" };
	for (int eco = ECO_UNKNOWN; eco <= ECO_GENERIC; eco++) {
		assert_string_equal(ecosystem_name(eco), canon[eco]);
		if (eco != ECO_UNKNOWN)
			assert_int_equal(ecosystem_from(ecosystem_name(eco)), eco);
	}
	assert_string_equal(ecosystem_name(-1), "unknown");
}

/* A buffer of n bytes: prefix, then fill repeated, then suffix. */
static char *big(const char *prefix, char fill, size_t n, const char *suffix)
{
	size_t p = strlen(prefix), s = strlen(suffix);
	char *b = malloc(n + 1);
	assert_non_null(b);
	memcpy(b, prefix, p);
	memset(b + p, fill, n - p - s);
	memcpy(b + n - s, suffix, s);
	b[n] = '\0';
	return b;
}

/* 1 MiB versions of every shape a comparator walks (digits, letters,
 * '~', separators, dotted identifiers) in every ecosystem: right answers,
 * no stack growth (ASan would catch an overflow), and linear time. */
static void test_huge(void **state)
{
	(void)state;
	const size_t n = 1024 * 1024;
	struct {
		char fill;
		const char *pre, *suf_a, *suf_b;
	} shapes[] = {
		{ '7', "1.", "1", "2" },
		{ 'a', "1.", "a", "b" },
		{ '~', "1.", "~", "a" },
		{ '.', "1", "1", "2" },
		{ '-', "1.0.0-", "1", "2" },
		{ '+', "1.", "1", "2" },
	};
	clock_t t0 = clock();
	for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
		char *a = big(shapes[k].pre, shapes[k].fill, n, shapes[k].suf_a);
		char *b = big(shapes[k].pre, shapes[k].fill, n, shapes[k].suf_b);
		for (int eco = ECO_DPKG; eco <= ECO_GENERIC; eco++) {
			int ab = sgn(vercmp(eco, a, b)), ba = sgn(vercmp(eco, b, a));
			assert_int_equal(ab, -ba);
			assert_int_equal(vercmp(eco, a, a), 0);
			(void)vercmp_valid(eco, a);
		}
		free(a);
		free(b);
	}
	/* The answers that do not depend on separator rules. */
	char *d1 = big("", '9', n, "8"), *d2 = big("", '9', n, "9");
	for (int eco = ECO_DPKG; eco <= ECO_GENERIC; eco++)
		assert_int_equal(sgn(vercmp(eco, d1, d2)), -1);
	assert_true(vercmp_valid(ECO_DPKG, d1));
	assert_true(vercmp_valid(ECO_RPM, d1));
	assert_true(vercmp_valid(ECO_GENERIC, d1));
	free(d1);
	free(d2);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	print_message("# 1 MiB versions: %.2f s of CPU\n", secs);
	assert_true(secs < 20);   /* linear: well under a second without sanitizers */
}

/* xorshift64*: the same strings on every run. */
static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (unsigned)((rng * 0x2545F4914F6CDD1DULL) >> 33) % n;
}

static int sort_eco;

static int sort_cmp(const void *x, const void *y)
{
	return vercmp(sort_eco, *(const char *const *)x, *(const char *const *)y);
}

/* Random short strings over an alphabet that hits every rule; sorted with
 * the comparator, every pair (i < j) must then compare <= 0: transitivity
 * over the sample, with antisymmetry and reflexivity checked on the way. */
static void test_total_order(void **state)
{
	(void)state;
	static const char alphabet[] = "0001123999aabzAZ~~^.-+:_r";
	enum { N = 400 };
	char *v[N];
	for (int eco = ECO_DPKG; eco <= ECO_GENERIC; eco++) {
		for (int i = 0; i < N; i++) {
			size_t len = 1 + rnd(8);
			v[i] = malloc(len + 1);
			assert_non_null(v[i]);
			for (size_t k = 0; k < len; k++)
				v[i][k] = alphabet[rnd(sizeof(alphabet) - 1)];
			v[i][len] = '\0';
		}
		sort_eco = eco;
		qsort(v, N, sizeof(v[0]), sort_cmp);
		for (int i = 0; i < N; i++) {
			assert_int_equal(vercmp(eco, v[i], v[i]), 0);
			for (int j = i + 1; j < N; j++) {
				int ij = sgn(vercmp(eco, v[i], v[j]));
				if (ij > 0 || ij != -sgn(vercmp(eco, v[j], v[i])))
					fail_msg("%s: not a total order at %s, %s", ecosystem_name(eco),
						 v[i], v[j]);
			}
		}
		for (int i = 0; i < N; i++)
			free(v[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_vectors),
		cmocka_unit_test(test_dpkg_vectors),
		cmocka_unit_test(test_dpkg_rules),
		cmocka_unit_test(test_rpm_vectors),
		cmocka_unit_test(test_rpm_evr),
		cmocka_unit_test(test_semver_vectors),
		cmocka_unit_test(test_semver_v_prefix),
		cmocka_unit_test(test_generic_vectors),
		cmocka_unit_test(test_null_and_unknown),
		cmocka_unit_test(test_ecosystem_names),
		cmocka_unit_test(test_huge),
		cmocka_unit_test(test_total_order),
	};
	return cmocka_run_group_tests_name("vercmp", tests, NULL, NULL);
}
