/*
 * test_feed.c - the vulnerability feed parsers (domain/feed_osv.c,
 * feed_nvd.c, feed_kev.c, feed_util.c) on the real samples in
 * tests/data/feeds: every OSV, NVD and KEV file with its counts and values;
 * the OSV forms (array, {"vulns"}, JSON lines, BOM) and event pairing; NVD
 * metric choice, CPE grouping, AND configurations and KEV overlay; the
 * CVSS v3 calculator against every vector NVD scored; truncated copies
 * (an error naming the file and the position, the sink never called);
 * wrong-kind files; every limit at max and max + 1.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/buf.h"
#include "base/msg.h"
#include "domain/vuln/feed.h"
#include "domain/vuln/feed_int.h"

#ifndef FEED_DATA
#error "FEED_DATA (the tests/data/feeds directory) must be defined by the build"
#endif

/* ---- helpers ---- */

static char *slurp(const char *rel, size_t *n)
{
	return t_slurp(FEED_DATA, rel, n);
}

/* What the sink saw, deep-copied into JSON (records are only lent). */
struct cap {
	json_t *recs;
	int calls;
	int fail_at;                  /* the sink refuses its fail_at-th call */
};

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *range_json(const struct feed_range *r)
{
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "introduced", jstr(r->introduced),
			 "fixed", jstr(r->fixed), "last_affected", jstr(r->last_affected),
			 "si", jstr(r->start_including), "se", jstr(r->start_excluding),
			 "ei", jstr(r->end_including), "ee", jstr(r->end_excluding));
}

static int cap_sink(void *arg, const struct feed_vuln *v, struct err *e)
{
	struct cap *c = arg;
	c->calls++;
	if (c->fail_at && c->calls == c->fail_at)
		return err_set(e, E_DB, MSG_DB, "the sink says no");
	json_t *aliases = json_array(), *affected = json_array();
	for (size_t i = 0; i < v->naliases; i++)
		json_array_append_new(aliases, json_string(v->aliases[i]));
	for (size_t i = 0; i < v->naffected; i++) {
		const struct feed_affected *a = &v->affected[i];
		json_t *ranges = json_array(), *versions = json_array();
		for (size_t k = 0; k < a->nranges; k++)
			json_array_append_new(ranges, range_json(&a->ranges[k]));
		for (size_t k = 0; k < a->nversions; k++)
			json_array_append_new(versions, json_string(a->versions[k]));
		json_array_append_new(affected, json_pack("{s:o,s:o,s:o,s:o}", "ecosystem",
							  jstr(a->ecosystem), "package",
							  jstr(a->package), "ranges", ranges,
							  "versions", versions));
	}
	json_t *o = json_pack("{s:s,s:o,s:o,s:f,s:I,s:I,s:b,s:b,s:I,s:I,s:b,s:o,s:o,s:o,s:o,s:o}",
			      "id", v->id, "summary", jstr(v->summary), "severity",
			      jstr(v->severity), "cvss", v->cvss, "published",
			      (json_int_t)v->published, "modified", (json_int_t)v->modified,
			      "withdrawn", v->withdrawn, "kev", v->kev, "kev_due",
			      (json_int_t)v->kev_due, "kev_added", (json_int_t)v->kev_added,
			      "ransomware", v->kev_ransomware, "kev_action", jstr(v->kev_action),
			      "vendor", jstr(v->vendor), "product", jstr(v->product),
			      "aliases", aliases, "affected", affected);
	assert_non_null(o);
	json_array_append_new(c->recs, o);
	return 0;
}

enum kind { OSV, NVD, KEV };

static long run(enum kind k, const char *name, const char *d, size_t n, struct cap *c,
		struct err *e)
{
	err_clear(e);
	c->recs = json_array();
	c->calls = 0;
	switch (k) {
	case OSV: return feed_parse_osv(name, d, n, cap_sink, c, e);
	case NVD: return feed_parse_nvd(name, d, n, cap_sink, c, e);
	default: return feed_parse_kev(name, d, n, cap_sink, c, e);
	}
}

static long run_str(enum kind k, const char *s, struct cap *c, struct err *e)
{
	return run(k, "test.json", s, strlen(s), c, e);
}

static long run_file(enum kind k, const char *rel, struct cap *c, struct err *e)
{
	size_t n;
	char *d = slurp(rel, &n);
	long r = run(k, rel, d, n, c, e);
	free(d);
	return r;
}

static void cap_free(struct cap *c)
{
	json_decref(c->recs);
	c->recs = NULL;
}

static json_t *rec(struct cap *c, const char *id)
{
	size_t i;
	json_t *o;
	json_array_foreach(c->recs, i, o)
		if (strcmp(json_string_value(json_object_get(o, "id")), id) == 0)
			return o;
	fail_msg("no record %s", id);
	return NULL;
}

static const char *s_of(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long long i_of(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static double d_of(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static json_t *aff(const json_t *o, size_t i)
{
	return json_array_get(json_object_get(o, "affected"), i);
}

static json_t *range_at(const json_t *a, size_t i)
{
	return json_array_get(json_object_get(a, "ranges"), i);
}

static size_t count(const json_t *o, const char *key)
{
	return json_array_size(json_object_get(o, key));
}

#define assert_score(a, b) assert_true(fabs((a) - (b)) < 1e-9)

/* e holds an error of this code whose argument contains every needle. */
static void assert_err(const struct err *e, int code, const char *n1, const char *n2)
{
	if (e->code != code)
		fail_msg("code %d, expected %d (%s)", e->code, code, e->arg);
	if (n1 && strstr(e->arg, n1) == NULL)
		fail_msg("\"%s\" not in \"%s\"", n1, e->arg);
	if (n2 && strstr(e->arg, n2) == NULL)
		fail_msg("\"%s\" not in \"%s\"", n2, e->arg);
}

/* ---- OSV ---- */

static void test_osv_ghsa_lodash(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	assert_int_equal(run_file(OSV, "osv/GHSA-35jh-r3h4-6jhm.json", &c, &e), 1);
	json_t *v = rec(&c, "GHSA-35jh-r3h4-6jhm");
	assert_string_equal(s_of(v, "summary"), "Command Injection in lodash");
	assert_int_equal(count(v, "aliases"), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(v, "aliases"), 0)),
			    "CVE-2021-23337");
	/* CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H, computed; GHSA says HIGH. */
	assert_score(d_of(v, "cvss"), 7.2);
	assert_string_equal(s_of(v, "severity"), "high");
	assert_int_equal(i_of(v, "published"), 1620317151000LL);   /* 2021-05-06T16:05:51Z */
	assert_int_equal(i_of(v, "modified"), 1644356109000LL);    /* 2022-02-08T21:35:09Z */
	assert_false(json_is_true(json_object_get(v, "withdrawn")));
	assert_int_equal(count(v, "affected"), 2);
	assert_string_equal(s_of(aff(v, 0), "ecosystem"), "npm");
	assert_string_equal(s_of(aff(v, 0), "package"), "lodash");
	assert_string_equal(s_of(aff(v, 1), "package"), "lodash-es");
	assert_int_equal(count(aff(v, 1), "ranges"), 1);
	assert_string_equal(s_of(range_at(aff(v, 1), 0), "introduced"), "0");
	assert_string_equal(s_of(range_at(aff(v, 1), 0), "fixed"), "4.17.21");
	assert_null(s_of(range_at(aff(v, 1), 0), "last_affected"));
	assert_int_equal(count(aff(v, 0), "versions"), 0);
	cap_free(&c);
}

static void test_osv_ghsa_log4j(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	assert_int_equal(run_file(OSV, "osv/GHSA-jfh8-c2jp-5v3q.json", &c, &e), 1);
	json_t *v = rec(&c, "GHSA-jfh8-c2jp-5v3q");
	assert_string_equal(s_of(v, "summary"), "Remote code injection in Log4j");
	assert_string_equal(json_string_value(json_array_get(json_object_get(v, "aliases"), 0)),
			    "CVE-2021-44228");
	assert_score(d_of(v, "cvss"), 10.0);     /* S:C/C:H/I:H/A:H */
	assert_string_equal(s_of(v, "severity"), "critical");
	assert_int_equal(count(v, "affected"), 3);
	static const char *const want[3][2] = {
		{ "2.13.0", "2.15.0" }, { "0", "2.3.1" }, { "2.4", "2.12.2" },
	};
	for (size_t i = 0; i < 3; i++) {
		json_t *a = aff(v, i);
		assert_string_equal(s_of(a, "ecosystem"), "Maven");
		assert_string_equal(s_of(a, "package"), "org.apache.logging.log4j:log4j-core");
		assert_int_equal(count(a, "ranges"), 1);
		assert_string_equal(s_of(range_at(a, 0), "introduced"), want[i][0]);
		assert_string_equal(s_of(range_at(a, 0), "fixed"), want[i][1]);
	}
	cap_free(&c);
}

static void test_osv_debian(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	assert_int_equal(run_file(OSV, "osv/ELA-1773-1.json", &c, &e), 1);
	json_t *v = rec(&c, "ELA-1773-1");
	assert_int_equal(i_of(v, "modified"), 1784073600000LL);    /* 2026-07-15T00:00:00Z */
	assert_int_equal(i_of(v, "published"), 0);
	assert_null(s_of(v, "summary"));
	assert_score(d_of(v, "cvss"), -1);
	assert_null(s_of(v, "severity"));
	assert_int_equal(count(v, "affected"), 2);
	assert_string_equal(s_of(aff(v, 0), "ecosystem"), "Debian:9");
	assert_string_equal(s_of(aff(v, 0), "package"), "openssl");
	assert_string_equal(s_of(range_at(aff(v, 0), 0), "fixed"), "1.1.0l-1~deb9u13");
	assert_string_equal(s_of(aff(v, 1), "ecosystem"), "Debian:10");
	assert_string_equal(s_of(range_at(aff(v, 1), 0), "introduced"), "0");
	assert_string_equal(s_of(range_at(aff(v, 1), 0), "fixed"), "1.1.1n-0+deb10u10");
	cap_free(&c);

	/* ranges written as one object (as published) is read as a list of one. */
	assert_int_equal(run_file(OSV, "osv/ELA-669-1.json", &c, &e), 1);
	v = rec(&c, "ELA-669-1");
	assert_int_equal(count(v, "affected"), 2);
	assert_string_equal(s_of(aff(v, 0), "ecosystem"), "Debian:8");
	assert_string_equal(s_of(aff(v, 0), "package"), "http-parser");
	assert_string_equal(s_of(range_at(aff(v, 0), 0), "fixed"), "2.1-2+deb8u1");
	assert_string_equal(s_of(range_at(aff(v, 1), 0), "fixed"), "2.1-2+deb9u1");
	cap_free(&c);
}

/* The same records as an array, as {"vulns": [...]}, as JSON lines (CRLF,
 * blank lines), concatenated, and with a byte order mark. */
static void test_osv_forms(void **state)
{
	(void)state;
	size_t n1, n2;
	char *a = slurp("osv/GHSA-35jh-r3h4-6jhm.json", &n1);
	char *b = slurp("osv/GHSA-jfh8-c2jp-5v3q.json", &n2);
	json_t *ja = json_loads(a, 0, NULL), *jb = json_loads(b, 0, NULL);
	char *la = json_dumps(ja, JSON_COMPACT), *lb = json_dumps(jb, JSON_COMPACT);
	struct buf f;
	struct cap c = { 0 };
	struct err e;
	const char *forms[] = { "[%s,%s]", "{\"vulns\": [%s, %s]}", "%s\n%s\n",
				"\r\n%s\r\n\r\n%s\r\n", "%s%s", "\xEF\xBB\xBF%s\n%s" };
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		buf_init(&f, 1 << 20);
		assert_int_equal(buf_printf(&f, forms[i], la, lb), 0);
		assert_int_equal(run(OSV, "both.json", f.p, f.len, &c, &e), 2);
		assert_int_equal(c.calls, 2);
		assert_string_equal(s_of(json_array_get(c.recs, 0), "id"), "GHSA-35jh-r3h4-6jhm");
		assert_string_equal(s_of(json_array_get(c.recs, 1), "id"), "GHSA-jfh8-c2jp-5v3q");
		cap_free(&c);
		buf_release(&f);
	}
	/* An empty list is fine and hands nothing. */
	assert_int_equal(run_str(OSV, "[]", &c, &e), 0);
	cap_free(&c);
	assert_int_equal(run_str(OSV, "{\"vulns\": []}", &c, &e), 0);
	cap_free(&c);
	free(la);
	free(lb);
	json_decref(ja);
	json_decref(jb);
	free(a);
	free(b);
}

/* Event pairing (feed.h): several pairs, last_affected, an open range,
 * fixed without introduced, a repeated introduced, GIT and limit ignored;
 * entries with nothing to compare left out. */
static void test_osv_events(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	const char *doc =
		"{\"id\":\"T-1\",\"withdrawn\":\"2024-01-01T00:00:00Z\",\"affected\":["
		"{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"p\"},\"ranges\":["
		" {\"type\":\"GIT\",\"repo\":\"r\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"abc\"}]},"
		" {\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"1.0\"},{\"fixed\":\"1.5\"},"
		"  {\"introduced\":\"2.0\"},{\"introduced\":\"2.1\"},{\"last_affected\":\"2.3\"},"
		"  {\"introduced\":\"3.0\"},{\"limit\":\"9\"}]},"
		" {\"type\":\"SEMVER\",\"events\":[{\"fixed\":\"0.9\"}]}],"
		" \"versions\":[\"1.0\",\"1.1\"]},"
		"{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"gitonly\"},\"ranges\":["
		" {\"type\":\"GIT\",\"events\":[{\"introduced\":\"0\"}]}]},"
		"{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"r\",\"events\":[{\"introduced\":\"0\"}]}]},"
		"{\"package\":{\"ecosystem\":\"npm\",\"name\":\"nothing\"}},"
		"{\"package\":{\"ecosystem\":\"npm\",\"name\":\"listed\"},\"versions\":[\"5.0.0\"]}]}";
	assert_int_equal(run_str(OSV, doc, &c, &e), 1);
	json_t *v = rec(&c, "T-1");
	assert_true(json_is_true(json_object_get(v, "withdrawn")));
	assert_int_equal(count(v, "affected"), 2);
	json_t *p = aff(v, 0);
	assert_string_equal(s_of(p, "package"), "p");
	assert_int_equal(count(p, "versions"), 2);
	assert_int_equal(count(p, "ranges"), 4);
	assert_string_equal(s_of(range_at(p, 0), "introduced"), "1.0");
	assert_string_equal(s_of(range_at(p, 0), "fixed"), "1.5");
	assert_string_equal(s_of(range_at(p, 1), "introduced"), "2.0");
	assert_null(s_of(range_at(p, 1), "fixed"));
	assert_string_equal(s_of(range_at(p, 1), "last_affected"), "2.3");
	assert_string_equal(s_of(range_at(p, 2), "introduced"), "3.0");
	assert_null(s_of(range_at(p, 2), "fixed"));
	assert_null(s_of(range_at(p, 3), "introduced"));
	assert_string_equal(s_of(range_at(p, 3), "fixed"), "0.9");
	assert_string_equal(s_of(aff(v, 1), "package"), "listed");
	assert_int_equal(count(aff(v, 1), "ranges"), 0);
	assert_int_equal(count(aff(v, 1), "versions"), 1);
	cap_free(&c);
}

/* Scores and severities from the places OSV databases put them. */
static void test_osv_severity(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	static const struct {
		const char *doc;
		double cvss;
		const char *sev;
	} cases[] = {
		/* Temporal metrics after the base ones are ignored. */
		{ "{\"id\":\"A\",\"severity\":[{\"type\":\"CVSS_V3\",\"score\":"
		  "\"CVSS:3.0/AV:N/AC:H/PR:N/UI:R/S:C/C:L/I:L/A:N/E:P/RL:O\"}]}", 4.7, "medium" },
		{ "{\"id\":\"B\",\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"7.5\"}]}", 7.5, "high" },
		{ "{\"id\":\"C\",\"severity\":[{\"type\":\"Ubuntu\",\"score\":\"medium\"}]}", -1,
		  "medium" },
		{ "{\"id\":\"D\",\"database_specific\":{\"severity\":\"MODERATE\"},\"severity\":"
		  "[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}]}",
		  9.8, "medium" },
		{ "{\"id\":\"E\",\"affected\":[{\"package\":{\"ecosystem\":\"crates.io\",\"name\":\"h\"},"
		  "\"versions\":[\"1\"],\"ecosystem_specific\":{\"severity\":\"HIGH\"}}]}", -1, "high" },
		{ "{\"id\":\"F\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},"
		  "\"versions\":[\"1\"],\"severity\":[{\"type\":\"CVSS_V3\",\"score\":"
		  "\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N\"}]}]}", 0, NULL },
		/* Not a vector: the score stays unknown, the import goes on. */
		{ "{\"id\":\"G\",\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N\"},"
		  "{\"type\":\"CVSS_V2\",\"score\":\"AV:N/AC:L/Au:N/C:P/I:P/A:P\"}]}", -1, NULL },
		{ "{\"id\":\"H\",\"details\":\"only details\"}", -1, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(run_str(OSV, cases[i].doc, &c, &e), 1);
		json_t *v = json_array_get(c.recs, 0);
		if (fabs(d_of(v, "cvss") - cases[i].cvss) > 1e-9)
			fail_msg("case %zu: cvss %g, expected %g", i, d_of(v, "cvss"), cases[i].cvss);
		if (cases[i].sev)
			assert_string_equal(s_of(v, "severity"), cases[i].sev);
		else
			assert_null(s_of(v, "severity"));
		cap_free(&c);
	}
	assert_int_equal(run_str(OSV, cases[7].doc, &c, &e), 1);
	assert_string_equal(s_of(json_array_get(c.recs, 0), "summary"), "only details");
	cap_free(&c);
}

/* Wrong structure: an error naming the file, the record and the JSON
 * pointer; nothing handed over, even for the records before it. */
static void test_osv_schema_errors(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	static const struct {
		const char *doc, *needle, *needle2;
	} cases[] = {
		{ "{\"summary\":\"x\"}", "/id", "not an OSV record" },
		{ "[{\"id\":\"A\"},{\"id\":\"B\",\"aliases\":\"CVE-1\"}]", "/1/aliases", "record B" },
		{ "{\"id\":\"A\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":5}}]}",
		  "/affected/0/package/name", "expected a string" },
		{ "{\"id\":\"A\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},"
		  "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"fixed\":1}]}]}]}",
		  "/affected/0/ranges/0/events/0/fixed", NULL },
		{ "{\"id\":\"A\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},"
		  "\"ranges\":[{\"type\":\"ECOSYSTEM\"}]}]}", "range 0 has no events", NULL },
		{ "{\"id\":\"A\",\"published\":\"yesterday\"}", "/published", "not a date" },
		{ "{\"id\":\"A\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},"
		  "\"ranges\":5}]}", "/affected/0/ranges", NULL },
		{ "[1]", "/0", "an OSV record" },
		{ "{\"id\":\"A\"}\n{\"id\":\"B\"}\n{\"id\":7}\n", "line 3", "/id" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (run_str(OSV, cases[i].doc, &c, &e) != -1)
			fail_msg("case %zu accepted", i);
		assert_int_equal(c.calls, 0);
		assert_err(&e, E_INVALID, "test.json: ", cases[i].needle);
		if (cases[i].needle2)
			assert_err(&e, E_INVALID, cases[i].needle2, NULL);
		assert_int_equal(e.msg, MSG_FEED_SCHEMA);
		cap_free(&c);
	}
	/* NVD and KEV files say what they are. */
	assert_int_equal(run_file(OSV, "nvd/cves-2023.json", &c, &e), -1);
	assert_err(&e, E_INVALID, "nvd/cves-2023.json: ", "import it as nvd or kev");
	cap_free(&c);
	assert_int_equal(run_file(OSV, "cisa_kev/known_exploited_vulnerabilities.json", &c, &e), -1);
	assert_err(&e, E_INVALID, "import it as nvd or kev", NULL);
	cap_free(&c);
}

/* ---- NVD ---- */

static void test_nvd_bare_cve(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	assert_int_equal(run_file(NVD, "nvd/CVE-2021-41773.json", &c, &e), 1);
	json_t *v = rec(&c, "CVE-2021-41773");
	assert_true(strncmp(s_of(v, "summary"), "A flaw was found in a change made to path "
				"normalization in Apache HTTP Server 2.4.49.", 82) == 0);
	/* V31 Primary 7.5 wins over V2 4.3. */
	assert_score(d_of(v, "cvss"), 7.5);
	assert_string_equal(s_of(v, "severity"), "high");
	assert_int_equal(i_of(v, "published"), 1633425307593LL);  /* 2021-10-05T09:15:07.593 */
	assert_int_equal(i_of(v, "modified"), 1722022813757LL);   /* 2024-07-26T19:40:13.757 */
	assert_true(json_is_true(json_object_get(v, "kev")));
	assert_int_equal(i_of(v, "kev_due"), 1637107200000LL);    /* 2021-11-17 */
	assert_int_equal(i_of(v, "kev_added"), 1635897600000LL);  /* 2021-11-03 */
	assert_string_equal(s_of(v, "kev_action"), "Apply updates per vendor instructions.");
	assert_false(json_is_true(json_object_get(v, "withdrawn")));
	/* Exact-version CPEs: one entry per criteria, its version in versions. */
	assert_int_equal(count(v, "affected"), 7);
	json_t *a = aff(v, 0);
	assert_string_equal(s_of(a, "ecosystem"), "cpe");
	assert_string_equal(s_of(a, "package"), "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*");
	assert_int_equal(count(a, "ranges"), 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(a, "versions"), 0)),
			    "2.4.49");
	assert_string_equal(s_of(aff(v, 1), "package"), "cpe:2.3:o:fedoraproject:fedora:34:*:*:*:*:*:*:*");
	/* A '-' version: every version (a range with no bound). */
	a = aff(v, 6);
	assert_string_equal(s_of(a, "package"), "cpe:2.3:a:netapp:cloud_backup:-:*:*:*:*:*:*:*");
	assert_int_equal(count(a, "versions"), 0);
	assert_int_equal(count(a, "ranges"), 1);
	assert_null(s_of(range_at(a, 0), "si"));
	assert_null(s_of(range_at(a, 0), "ee"));
	cap_free(&c);
}

static void test_nvd_envelope(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	assert_int_equal(run_file(NVD, "nvd/cves-2023.json", &c, &e), 9);
	assert_int_equal(c.calls, 9);
	static const char *const order[9] = {
		"CVE-2022-43781", "CVE-2022-40881", "CVE-2022-42245", "CVE-2022-45461",
		"CVE-2022-38461", "CVE-2022-44577", "CVE-2022-43308", "CVE-2021-33621",
		"CVE-2022-4065",
	};
	for (size_t i = 0; i < 9; i++)
		assert_string_equal(s_of(json_array_get(c.recs, i), "id"), order[i]);

	/* Eight start..end ranges of one criteria: one entry, eight ranges. */
	json_t *v = rec(&c, "CVE-2022-43781");
	assert_int_equal(count(v, "affected"), 1);
	json_t *a = aff(v, 0);
	assert_string_equal(s_of(a, "package"), "cpe:2.3:a:atlassian:bitbucket:*:*:*:*:*:*:*:*");
	assert_int_equal(count(a, "ranges"), 8);
	assert_string_equal(s_of(range_at(a, 0), "si"), "7.0.0");
	assert_string_equal(s_of(range_at(a, 0), "ee"), "7.6.19");
	assert_string_equal(s_of(range_at(a, 7), "si"), "8.4.0");
	assert_string_equal(s_of(range_at(a, 7), "ee"), "8.4.2");
	assert_score(d_of(v, "cvss"), 9.8);
	assert_string_equal(s_of(v, "severity"), "critical");

	/* AND: the application, not the vulnerable:false platforms. */
	v = rec(&c, "CVE-2022-45461");
	assert_int_equal(count(v, "affected"), 1);
	a = aff(v, 0);
	assert_string_equal(s_of(a, "package"), "cpe:2.3:a:veritas:netbackup:*:*:*:*:*:*:*:*");
	assert_string_equal(s_of(range_at(a, 0), "ei"), "10.1");
	assert_null(s_of(range_at(a, 0), "si"));
	assert_score(d_of(v, "cvss"), 8.8);      /* Primary 8.8 over Secondary 7.5 */
	v = rec(&c, "CVE-2022-40881");
	assert_int_equal(count(v, "affected"), 1);
	assert_string_equal(s_of(aff(v, 0), "package"),
			    "cpe:2.3:o:contec:solarview_compact_firmware:6.00:*:*:*:*:*:*:*");

	/* Primary (NVD's) 4.3 is preferred to the CNA's higher 5.4. */
	v = rec(&c, "CVE-2022-38461");
	assert_score(d_of(v, "cvss"), 4.3);
	assert_string_equal(s_of(v, "severity"), "medium");
	assert_string_equal(s_of(aff(v, 0), "package"), "cpe:2.3:a:wpml:wpml:*:*:*:*:*:wordpress:*:*");

	/* Rejected: withdrawn, no configurations, no score. */
	v = rec(&c, "CVE-2022-44577");
	assert_true(json_is_true(json_object_get(v, "withdrawn")));
	assert_int_equal(count(v, "affected"), 0);
	assert_score(d_of(v, "cvss"), -1);
	assert_null(s_of(v, "severity"));

	/* Two AND configurations, firmware on hardware: the two firmwares. */
	v = rec(&c, "CVE-2022-43308");
	assert_int_equal(count(v, "affected"), 2);
	assert_string_equal(s_of(aff(v, 1), "package"),
			    "cpe:2.3:o:intelbras:sg_2404_mr_firmware:-:*:*:*:*:*:*:*");

	/* Three configurations: cgi (3 ranges), fedora 35/36/37, ruby (3). */
	v = rec(&c, "CVE-2021-33621");
	assert_int_equal(count(v, "affected"), 5);
	assert_string_equal(s_of(aff(v, 0), "package"), "cpe:2.3:a:ruby-lang:cgi:*:*:*:*:*:ruby:*:*");
	assert_int_equal(count(aff(v, 0), "ranges"), 3);
	assert_null(s_of(range_at(aff(v, 0), 0), "si"));
	assert_string_equal(s_of(range_at(aff(v, 0), 0), "ee"), "0.1.0.2");
	assert_string_equal(s_of(aff(v, 3), "package"), "cpe:2.3:o:fedoraproject:fedora:37:*:*:*:*:*:*:*");
	assert_string_equal(s_of(aff(v, 4), "package"), "cpe:2.3:a:ruby-lang:ruby:*:*:*:*:*:*:*:*");
	assert_int_equal(count(aff(v, 4), "ranges"), 3);

	/* V31 Primary 7.8 rather than V30 5.5 or V2 6.5. */
	v = rec(&c, "CVE-2022-4065");
	assert_score(d_of(v, "cvss"), 7.8);
	assert_string_equal(s_of(v, "severity"), "high");
	cap_free(&c);

	assert_int_equal(run_file(NVD, "nvd/cves-CVE-2023-0001.json", &c, &e), 1);
	v = rec(&c, "CVE-2023-0001");
	assert_score(d_of(v, "cvss"), 6.7);      /* Primary 6.7, Secondary 6.0 */
	assert_int_equal(count(v, "affected"), 1);
	a = aff(v, 0);
	assert_string_equal(s_of(a, "package"),
			    "cpe:2.3:a:paloaltonetworks:cortex_xdr_agent:*:*:*:*:critical_environment:*:*:*");
	assert_string_equal(s_of(range_at(a, 0), "si"), "7.5");
	assert_string_equal(s_of(range_at(a, 0), "ee"), "7.5.101");
	assert_false(json_is_true(json_object_get(v, "kev")));
	cap_free(&c);
}

/* Metric choice: v3.x Primary first, else the highest; v2 (severity beside
 * cvssData); v4.0 last. Same criteria from two nodes: one entry. */
static void test_nvd_metrics_and_grouping(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	static const struct {
		const char *metrics;
		double cvss;
		const char *sev;
	} cases[] = {
		{ "{\"cvssMetricV30\":[{\"type\":\"Secondary\",\"cvssData\":{\"baseScore\":9.0,"
		  "\"baseSeverity\":\"CRITICAL\"}}],\"cvssMetricV31\":[{\"type\":\"Primary\","
		  "\"cvssData\":{\"baseScore\":7.0,\"baseSeverity\":\"HIGH\"}}]}", 7.0, "high" },
		{ "{\"cvssMetricV31\":[{\"type\":\"Secondary\",\"cvssData\":{\"baseScore\":5.0}},"
		  "{\"type\":\"Secondary\",\"cvssData\":{\"baseScore\":6.1}}]}", 6.1, "medium" },
		{ "{\"cvssMetricV2\":[{\"type\":\"Primary\",\"cvssData\":{\"baseScore\":10.0},"
		  "\"baseSeverity\":\"HIGH\"}]}", 10.0, "high" },
		{ "{\"cvssMetricV40\":[{\"type\":\"Secondary\",\"cvssData\":{\"baseScore\":2.1,"
		  "\"baseSeverity\":\"LOW\"}}]}", 2.1, "low" },
		{ "{}", -1, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[1024];
		snprintf(doc, sizeof(doc), "{\"id\":\"CVE-1\",\"vulnStatus\":\"Analyzed\",\"metrics\":%s}",
			 cases[i].metrics);
		assert_int_equal(run_str(NVD, doc, &c, &e), 1);
		json_t *v = json_array_get(c.recs, 0);
		if (fabs(d_of(v, "cvss") - cases[i].cvss) > 1e-9)
			fail_msg("case %zu: cvss %g", i, d_of(v, "cvss"));
		if (cases[i].sev)
			assert_string_equal(s_of(v, "severity"), cases[i].sev);
		else
			assert_null(s_of(v, "severity"));
		cap_free(&c);
	}
	const char *doc =
		"{\"cve\":{\"id\":\"CVE-2\",\"descriptions\":[{\"lang\":\"es\",\"value\":\"hola\"},"
		"{\"lang\":\"en\",\"value\":\"hello\"}],\"configurations\":["
		"{\"nodes\":[{\"operator\":\"OR\",\"cpeMatch\":["
		" {\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:v:p:*:*:*:*:*:*:*:*\",\"versionEndExcluding\":\"2\"},"
		" {\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:v:q:1.0\\\\:beta:*:*:*:*:*:*:*\"}]}]},"
		"{\"nodes\":[{\"operator\":\"OR\",\"negate\":true,\"cpeMatch\":["
		" {\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:v:neg:*:*:*:*:*:*:*:*\"}]},"
		" {\"operator\":\"OR\",\"cpeMatch\":["
		" {\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:v:p:*:*:*:*:*:*:*:*\",\"versionStartIncluding\":\"3\"},"
		" {\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:v:p:*:*:*:*:*:*:*:*\"}]}]}]}}";
	assert_int_equal(run_str(NVD, doc, &c, &e), 1);
	json_t *v = rec(&c, "CVE-2");
	assert_string_equal(s_of(v, "summary"), "hello");
	assert_int_equal(count(v, "affected"), 2);
	json_t *a = aff(v, 0);
	assert_string_equal(s_of(a, "package"), "cpe:2.3:a:v:p:*:*:*:*:*:*:*:*");
	assert_int_equal(count(a, "ranges"), 3);
	assert_string_equal(s_of(range_at(a, 0), "ee"), "2");
	assert_string_equal(s_of(range_at(a, 1), "si"), "3");
	assert_null(s_of(range_at(a, 2), "si"));
	assert_null(s_of(range_at(a, 2), "ee"));
	/* The version of an escaped criteria, unescaped. */
	a = aff(v, 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(a, "versions"), 0)),
			    "1.0:beta");
	cap_free(&c);
}

static void test_nvd_wrong_kind(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	static const struct {
		const char *file, *needle;
	} files[] = {
		{ "cisa_kev/known_exploited_vulnerabilities.json", "a CISA KEV catalogue (import it as kev)" },
		{ "nvd/cpematch-CVE-2022-32223.json", "CPE match response" },
		{ "nvd/cve_api_json_2.0.schema", "not NVD CVE API 2.0 JSON" },
		{ "osv/GHSA-35jh-r3h4-6jhm.json", "an OSV record (import it as osv)" },
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		assert_int_equal(run_file(NVD, files[i].file, &c, &e), -1);
		assert_err(&e, E_INVALID, files[i].file, files[i].needle);
		assert_int_equal(e.msg, MSG_FEED_SCHEMA);
		assert_int_equal(c.calls, 0);
		cap_free(&c);
	}
	static const struct {
		const char *doc, *needle;
	} docs[] = {
		{ "{\"CVE_Items\":[]}", "NVD 1.1" },
		{ "[]", "not NVD CVE API 2.0 JSON" },
		{ "{\"format\":\"NVD_CVE\",\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-1\"}},{\"x\":1}]}",
		  "/vulnerabilities/1: no \"cve\" object" },
		{ "{\"format\":\"NVD_CPE\",\"vulnerabilities\":[]}", "expected NVD_CVE" },
		{ "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-1\",\"configurations\":[{\"nodes\":"
		  "[{\"cpeMatch\":[{\"vulnerable\":true,\"criteria\":\"apache\"}]}]}]}}]}",
		  "/vulnerabilities/0/cve/configurations/0/nodes/0/cpeMatch/0/criteria" },
		{ "{\"vulnerabilities\":[{\"cve\":{\"id\":\"CVE-1\",\"configurations\":[{\"nodes\":"
		  "[{\"cpeMatch\":[{\"criteria\":\"cpe:2.3:a:v:p:*:*:*:*:*:*:*:*\"}]}]}]}}]}",
		  "cpeMatch/0/vulnerable: missing" },
		{ "{\"cve\":{\"id\":\"CVE-1\",\"metrics\":{\"cvssMetricV31\":[{\"cvssData\":"
		  "{\"baseScore\":11}}]}}}", "/metrics/cvssMetricV31/0/cvssData/baseScore" },
		{ "{\"cve\":{\"id\":\"CVE-1\",\"published\":\"2021-13-45T00:00:00\"}}", "/published" },
		{ "{\"cve\":{\"id\":\"CVE-1\",\"cisaActionDue\":\"soon\"}}", "record CVE-1, /cisaActionDue" },
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		if (run_str(NVD, docs[i].doc, &c, &e) != -1)
			fail_msg("case %zu accepted", i);
		assert_err(&e, E_INVALID, "test.json: ", docs[i].needle);
		assert_int_equal(c.calls, 0);
		cap_free(&c);
	}
}

/* Every v3.x vector NVD scored in the samples gives NVD's base score. */
static void test_cvss3_against_nvd(void **state)
{
	(void)state;
	const char *files[] = { "nvd/cves-2023.json", "nvd/CVE-2021-41773.json",
				"nvd/cves-CVE-2023-0001.json" };
	int checked = 0;
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		size_t n;
		char *d = slurp(files[f], &n);
		json_t *doc = json_loadb(d, n, 0, NULL), *vulns = json_object_get(doc, "vulnerabilities");
		size_t nv = vulns ? json_array_size(vulns) : 1;
		for (size_t i = 0; i < nv; i++) {
			json_t *cve = vulns ? json_object_get(json_array_get(vulns, i), "cve") : doc;
			json_t *metrics = json_object_get(cve, "metrics");
			const char *keys[] = { "cvssMetricV31", "cvssMetricV30" };
			for (size_t k = 0; k < 2; k++) {
				size_t m;
				json_t *x;
				json_array_foreach(json_object_get(metrics, keys[k]), m, x) {
					json_t *data = json_object_get(x, "cvssData");
					const char *vec = json_string_value(json_object_get(data, "vectorString"));
					double want = json_number_value(json_object_get(data, "baseScore"));
					double got = cvss3_base(vec);
					if (fabs(got - want) > 1e-9)
						fail_msg("%s: %g, NVD says %g", vec, got, want);
					checked++;
				}
			}
		}
		json_decref(doc);
		free(d);
	}
	assert_true(checked >= 14);
	/* Scope changed with PR:L and PR:H (their own weights), and 3.0. */
	assert_score(cvss3_base("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H"), 9.9);
	assert_score(cvss3_base("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H"), 9.1);
	assert_score(cvss3_base("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), 6.1);
	assert_score(cvss3_base("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"), 1.6);
	assert_score(cvss3_base("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"), 0);
	/* Not vectors. */
	const char *bad[] = { NULL, "", "7.5", "CVSS:2.0/AV:N", "AV:N/AC:L/Au:N/C:P/I:P/A:P",
			      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
			      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:H",
			      "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			      "CVSS:3.1/AV:NN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			      "CVSS:3.1/AV:/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
			      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cvss3_base(bad[i]) != -1)
			fail_msg("accepted %s", bad[i] ? bad[i] : "(null)");
}

static void test_feed_time(void **state)
{
	(void)state;
	int64_t ms = 0;
	assert_int_equal(feed_time("2021-11-17", &ms), 0);
	assert_int_equal(ms, 1637107200000LL);
	assert_int_equal(feed_time("2021-10-05T09:15:07.593", &ms), 0);
	assert_int_equal(ms, 1633425307593LL);
	assert_int_equal(feed_time("2021-10-05T09:15:07", &ms), 0);
	assert_int_equal(ms, 1633425307000LL);
	assert_int_equal(feed_time("2025-08-22T15:01:38+02:00", &ms), 0);
	assert_int_equal(ms, 1755867698000LL);
	assert_int_equal(feed_time("2023-07-13T02:46:57.600Z", &ms), 0);
	assert_int_equal(ms, 1689216417600LL);
	const char *bad[] = { "", "2021-11", "2021-13-01", "2021-11-17T", "17/11/2021",
			      "2021-10-05T09:15:07.593+", "2021-10-05T09:15" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (feed_time(bad[i], &ms) == 0)
			fail_msg("accepted %s", bad[i]);
}

/* ---- KEV ---- */

static void test_kev_catalogue(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	assert_int_equal(run_file(KEV, "cisa_kev/known_exploited_vulnerabilities.json", &c, &e), 20);
	assert_string_equal(s_of(json_array_get(c.recs, 0), "id"), "CVE-2025-48384");
	assert_string_equal(s_of(json_array_get(c.recs, 19), "id"), "CVE-2021-26855");
	json_t *v = rec(&c, "CVE-2021-41773");
	assert_true(json_is_true(json_object_get(v, "kev")));
	assert_int_equal(i_of(v, "kev_due"), 1637107200000LL);     /* 2021-11-17 */
	assert_int_equal(i_of(v, "kev_added"), 1635897600000LL);   /* 2021-11-03 */
	assert_true(json_is_true(json_object_get(v, "ransomware")));
	assert_string_equal(s_of(v, "vendor"), "Apache");
	assert_string_equal(s_of(v, "product"), "HTTP Server");
	assert_string_equal(s_of(v, "summary"), "Apache HTTP Server Path Traversal Vulnerability");
	assert_string_equal(s_of(v, "kev_action"), "Apply updates per vendor instructions.");
	assert_int_equal(count(v, "affected"), 0);
	assert_score(d_of(v, "cvss"), -1);
	v = rec(&c, "CVE-2025-48384");
	assert_false(json_is_true(json_object_get(v, "ransomware")));   /* "Unknown" */
	assert_int_equal(i_of(v, "kev_due"), 1757894400000LL);     /* 2025-09-15 */
	v = rec(&c, "CVE-2021-44228");
	assert_string_equal(s_of(v, "vendor"), "Apache");
	assert_string_equal(s_of(v, "product"), "Log4j2");
	cap_free(&c);
}

static void test_kev_wrong_kind(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	static const struct {
		const char *file, *needle;
	} files[] = {
		{ "cisa_kev/known_exploited_vulnerabilities.csv", "line 1: the CSV form" },
		{ "nvd/cves-2023.json", "this is NVD CVE API JSON (import it as nvd)" },
		{ "nvd/CVE-2021-41773.json", "an NVD cve object? import it as nvd" },
		{ "osv/GHSA-35jh-r3h4-6jhm.json", "an OSV record? import it as osv" },
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		assert_int_equal(run_file(KEV, files[i].file, &c, &e), -1);
		assert_err(&e, E_INVALID, files[i].file, files[i].needle);
		assert_int_equal(c.calls, 0);
		cap_free(&c);
	}
	assert_int_equal(run_str(KEV, "{\"vulnerabilities\":[{\"cveID\":\"CVE-1\",\"dueDate\":"
				 "\"2021-11-17\"},{\"cveID\":\"CVE-2\",\"dueDate\":\"next week\"}]}",
				 &c, &e), -1);
	assert_err(&e, E_INVALID, "record CVE-2, /vulnerabilities/1/dueDate", "not a date");
	assert_int_equal(c.calls, 0);
	cap_free(&c);
	assert_int_equal(run_str(KEV, "{\"vulnerabilities\":[{\"product\":\"x\"}]}", &c, &e), -1);
	assert_err(&e, E_INVALID, "/vulnerabilities/0/cveID: missing", NULL);
	cap_free(&c);
}

/* ---- all formats: truncation, the sink, limits ---- */

/* Every cut of a sample before its last significant byte gives a syntax
 * error naming the file and a line and column, and no record. */
static void truncations(enum kind k, const char *rel)
{
	size_t n;
	char *d = slurp(rel, &n);
	size_t end = n;
	while (end > 0 && strchr(" \t\r\n", d[end - 1]))
		end--;
	size_t step = end / 150 + 1;
	struct cap c = { 0 };
	struct err e;
	for (size_t cut = 0; cut < end; cut += (cut + step < end ? step : 1)) {
		char *copy = malloc(cut ? cut : 1);      /* exact size: ASan sees overreads */
		memcpy(copy, d, cut);
		long r = run(k, rel, copy, cut, &c, &e);
		if (r != -1)
			fail_msg("%s cut at %zu: accepted (%ld)", rel, cut, r);
		assert_int_equal(c.calls, 0);
		if (e.code != E_MALFORMED || e.msg != MSG_FEED_SYNTAX ||
		    strncmp(e.arg, rel, strlen(rel)) != 0 || strstr(e.arg, ": line ") == NULL)
			fail_msg("%s cut at %zu: %d %s", rel, cut, e.code, e.arg);
		cap_free(&c);
		free(copy);
	}
	free(d);
}

static void test_truncated(void **state)
{
	(void)state;
	truncations(OSV, "osv/GHSA-35jh-r3h4-6jhm.json");
	truncations(OSV, "osv/GHSA-jfh8-c2jp-5v3q.json");
	truncations(OSV, "osv/ELA-1773-1.json");
	truncations(NVD, "nvd/cves-2023.json");
	truncations(NVD, "nvd/CVE-2021-41773.json");
	truncations(NVD, "nvd/cves-CVE-2023-0001.json");
	truncations(KEV, "cisa_kev/known_exploited_vulnerabilities.json");

	/* The position is the one in the file, also past the first line. */
	struct cap c = { 0 };
	struct err e;
	assert_int_equal(run_str(OSV, "{\"id\":\"A\"}\n{\"id\":\"B\"}\n{\"id\":\"C\",", &c, &e), -1);
	assert_err(&e, E_MALFORMED, "test.json: line 3, column ", "(byte 32)");
	assert_int_equal(c.calls, 0);
	cap_free(&c);
	assert_int_equal(run_str(NVD, "{\n  \"vulnerabilities\": [\n    {\"cve\": }", &c, &e), -1);
	assert_err(&e, E_MALFORMED, "test.json: line 3, column 13", NULL);
	cap_free(&c);
	assert_int_equal(run_str(KEV, "", &c, &e), -1);
	assert_err(&e, E_MALFORMED, "test.json: line 1", NULL);
	cap_free(&c);
	assert_int_equal(run_str(OSV, " \n ", &c, &e), -1);
	assert_err(&e, E_MALFORMED, "test.json: line 2: empty", NULL);
	cap_free(&c);
	assert_int_equal(run(OSV, "test.json", NULL, 0, &c, &e), -1);
	cap_free(&c);
	/* Not UTF-8, NUL inside a string. */
	assert_int_equal(run(OSV, "test.json", "{\"id\":\"\xff\"}", 10, &c, &e), -1);
	assert_err(&e, E_MALFORMED, "line 1", NULL);
	cap_free(&c);
	assert_int_equal(run(NVD, "test.json", "{\"cve\":{\"id\":\"a\0b\"}}", 21, &c, &e), -1);
	assert_err(&e, E_MALFORMED, "line 1", NULL);
	cap_free(&c);
}

/* The sink's error stops the import and comes back as it was; without a
 * sink the parser only checks and counts. */
static void test_sink(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	c.fail_at = 4;
	assert_int_equal(run_file(NVD, "nvd/cves-2023.json", &c, &e), -1);
	assert_int_equal(c.calls, 4);
	assert_int_equal(e.code, E_DB);
	assert_string_equal(e.arg, "the sink says no");
	cap_free(&c);
	c.fail_at = 0;
	size_t n;
	char *d = slurp("nvd/cves-2023.json", &n);
	assert_int_equal(feed_parse_nvd("x", d, n, NULL, NULL, &e), 9);
	free(d);
	d = slurp("cisa_kev/known_exploited_vulnerabilities.json", &n);
	assert_int_equal(feed_parse_kev("x", d, n, NULL, NULL, &e), 20);
	free(d);
	assert_int_equal(feed_parse_osv("x", "{\"id\":\"A\"}{\"id\":\"B\"}", 20, NULL, NULL, &e), 2);
}

/* A record whose `field` is a string of len bytes. */
static char *big_string_doc(const char *fmt, size_t len)
{
	char *s = malloc(len + 1);
	memset(s, 'a', len);
	s[len] = '\0';
	struct buf b;
	buf_init(&b, 4 * len + 1024);
	assert_int_equal(buf_printf(&b, fmt, s), 0);
	free(s);
	return buf_detach(&b, NULL);
}

static void test_limit_string(void **state)
{
	(void)state;
	static const struct {
		enum kind k;
		const char *fmt, *pointer;
	} cases[] = {
		{ OSV, "{\"id\":\"A\",\"summary\":\"%s\"}", "/summary" },
		{ OSV, "{\"id\":\"A\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"x\"},"
		       "\"versions\":[\"%s\"]}]}", "/affected/0/versions/0" },
		{ NVD, "{\"cve\":{\"id\":\"CVE-1\",\"descriptions\":[{\"lang\":\"en\",\"value\":\"%s\"}]}}",
		  "/descriptions/0/value" },
		{ NVD, "{\"cve\":{\"id\":\"CVE-1\",\"configurations\":[{\"nodes\":[{\"cpeMatch\":[{"
		       "\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:v:p:*:*:*:*:*:*:*:*\","
		       "\"versionEndExcluding\":\"%s\"}]}]}]}}", "cpeMatch/0/versionEndExcluding" },
		{ KEV, "{\"vulnerabilities\":[{\"cveID\":\"CVE-1\",\"requiredAction\":\"%s\"}]}",
		  "/vulnerabilities/0/requiredAction" },
	};
	struct cap c = { 0 };
	struct err e;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *ok = big_string_doc(cases[i].fmt, FEED_MAX_STRING);
		char *over = big_string_doc(cases[i].fmt, FEED_MAX_STRING + 1);
		if (run_str(cases[i].k, ok, &c, &e) != 1)
			fail_msg("case %zu at the limit: %s", i, e.arg);
		cap_free(&c);
		assert_int_equal(run_str(cases[i].k, over, &c, &e), -1);
		assert_err(&e, E_TOOLARGE, cases[i].pointer, "65537 bytes");
		assert_int_equal(e.msg, MSG_FEED_LIMIT);
		assert_int_equal(c.calls, 0);
		cap_free(&c);
		free(ok);
		free(over);
	}
}

static char *many_osv(size_t n)
{
	struct buf b;
	buf_init(&b, 200 * n + 1024);
	assert_int_equal(buf_adds(&b, "{\"id\":\"MANY\",\"affected\":["), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(buf_printf(&b, "%s{\"package\":{\"ecosystem\":\"npm\",\"name\":\"p%zu\"},"
					    "\"versions\":[\"1\"]}", i ? "," : "", i), 0);
	assert_int_equal(buf_adds(&b, "]}"), 0);
	return buf_detach(&b, NULL);
}

static char *many_nvd(size_t n)
{
	struct buf b;
	buf_init(&b, 200 * n + 1024);
	assert_int_equal(buf_adds(&b, "{\"cve\":{\"id\":\"CVE-MANY\",\"configurations\":[{\"nodes\":"
				  "[{\"cpeMatch\":["), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(buf_printf(&b, "%s{\"vulnerable\":true,\"criteria\":"
					    "\"cpe:2.3:a:v:p%zu:1.0:*:*:*:*:*:*:*\"}", i ? "," : "", i), 0);
	assert_int_equal(buf_adds(&b, "]}]}]}}"), 0);
	return buf_detach(&b, NULL);
}

static void test_limit_items(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	char *d = many_osv(FEED_MAX_ITEMS);
	assert_int_equal(run_str(OSV, d, &c, &e), 1);
	assert_int_equal(count(json_array_get(c.recs, 0), "affected"), FEED_MAX_ITEMS);
	cap_free(&c);
	free(d);
	d = many_osv(FEED_MAX_ITEMS + 1);
	assert_int_equal(run_str(OSV, d, &c, &e), -1);
	assert_err(&e, E_TOOLARGE, "record MANY, /affected", "100001 items (at most 100000)");
	cap_free(&c);
	free(d);

	d = many_nvd(FEED_MAX_ITEMS);
	assert_int_equal(run_str(NVD, d, &c, &e), 1);
	json_t *v = json_array_get(c.recs, 0);
	assert_int_equal(count(v, "affected"), FEED_MAX_ITEMS);
	assert_string_equal(s_of(aff(v, FEED_MAX_ITEMS - 1), "package"),
			    "cpe:2.3:a:v:p99999:1.0:*:*:*:*:*:*:*");
	cap_free(&c);
	free(d);
	d = many_nvd(FEED_MAX_ITEMS + 1);
	assert_int_equal(run_str(NVD, d, &c, &e), -1);
	assert_err(&e, E_TOOLARGE, "/configurations", "100001 CPE matches");
	cap_free(&c);
	free(d);
}

/* Huge numbers and deep nesting are jansson's to refuse, with a position. */
static void test_huge_values(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	assert_int_equal(run_str(NVD, "{\"cve\":{\"id\":\"CVE-1\",\"metrics\":{\"cvssMetricV31\":[{"
				 "\"cvssData\":{\"baseScore\":1e999}}]}}}", &c, &e), -1);
	assert_err(&e, E_MALFORMED, "line 1, column", "overflow");
	cap_free(&c);
	assert_int_equal(run_str(OSV, "{\"id\":\"A\",\"x\":99999999999999999999999}", &c, &e), -1);
	assert_err(&e, E_MALFORMED, "line 1", "too big");
	cap_free(&c);
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(buf_adds(&b, "{\"id\":\"A\",\"x\":"), 0);
	for (int i = 0; i < 5000; i++)
		assert_int_equal(buf_adds(&b, "["), 0);
	assert_int_equal(run(OSV, "deep.json", b.p, b.len, &c, &e), -1);
	assert_err(&e, E_MALFORMED, "deep.json: line 1", "depth");
	cap_free(&c);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_osv_ghsa_lodash),
		cmocka_unit_test(test_osv_ghsa_log4j),
		cmocka_unit_test(test_osv_debian),
		cmocka_unit_test(test_osv_forms),
		cmocka_unit_test(test_osv_events),
		cmocka_unit_test(test_osv_severity),
		cmocka_unit_test(test_osv_schema_errors),
		cmocka_unit_test(test_nvd_bare_cve),
		cmocka_unit_test(test_nvd_envelope),
		cmocka_unit_test(test_nvd_metrics_and_grouping),
		cmocka_unit_test(test_nvd_wrong_kind),
		cmocka_unit_test(test_cvss3_against_nvd),
		cmocka_unit_test(test_feed_time),
		cmocka_unit_test(test_kev_catalogue),
		cmocka_unit_test(test_kev_wrong_kind),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_sink),
		cmocka_unit_test(test_limit_string),
		cmocka_unit_test(test_limit_items),
		cmocka_unit_test(test_huge_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
