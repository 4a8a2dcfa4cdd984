/*
 * test_plan_risk.c - the risk register's rules (domain/plan/risk.c): the
 * score (likelihood x impact), its bands, the review date by the system's
 * level (regulation.md §2 T10) in calendar months, the likelihood a hint
 * suggests, the threats; and the parent path a finance office serves.
 */
#include <stdio.h>
#include <string.h>

#include "testlib.h"
#include "base/msg.h"
#include "base/timeutil.h"
#include "domain/plan/plan_scope.h"
#include "domain/plan/risk.h"
#include "domain/plan/budget.h"

static void test_score(void **state)
{
	(void)state;
	for (int l = 1; l <= 5; l++)
		for (int i = 1; i <= 5; i++)
			assert_int_equal(risk_score(l, i), l * i);
	/* outside the scale: no score */
	assert_int_equal(risk_score(0, 3), 0);
	assert_int_equal(risk_score(3, 0), 0);
	assert_int_equal(risk_score(6, 1), 0);
	assert_int_equal(risk_score(1, 6), 0);
	assert_int_equal(risk_score(-5, -5), 0);
}

static void test_bands(void **state)
{
	(void)state;
	/* every edge, both sides */
	static const struct { int score, band; } cases[] = {
		{ 0, RISK_BAND_NONE }, { 1, RISK_LOW }, { 4, RISK_LOW }, { 5, RISK_MEDIUM },
		{ 9, RISK_MEDIUM }, { 10, RISK_HIGH }, { 16, RISK_HIGH }, { 17, RISK_CRITICAL },
		{ 20, RISK_CRITICAL }, { 25, RISK_CRITICAL }, { 26, RISK_BAND_NONE },
		{ -1, RISK_BAND_NONE },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
		if (risk_band(cases[k].score) != cases[k].band)
			fail_msg("score %d: band %d, expected %d", cases[k].score,
				 risk_band(cases[k].score), cases[k].band);
	assert_string_equal(risk_band_code(RISK_LOW), "low");
	assert_string_equal(risk_band_code(RISK_MEDIUM), "medium");
	assert_string_equal(risk_band_code(RISK_HIGH), "high");
	assert_string_equal(risk_band_code(RISK_CRITICAL), "critical");
	assert_null(risk_band_code(RISK_BAND_NONE));
	/* the 5x5 grid: how many cells in each band */
	int n[4] = { 0 };
	for (int l = 1; l <= 5; l++)
		for (int i = 1; i <= 5; i++)
			n[risk_band(risk_score(l, i))]++;
	assert_int_equal(n[RISK_LOW], 8);       /* 1,2,3,4 */
	assert_int_equal(n[RISK_MEDIUM], 7);    /* 5,6,8,9 */
	assert_int_equal(n[RISK_HIGH], 7);      /* 10,12,15,16 */
	assert_int_equal(n[RISK_CRITICAL], 3);  /* 20,20,25 */
}

static int64_t at(const char *s)
{
	int64_t ms = 0;
	assert_int_equal(time_parse(s, &ms), 0);
	return ms;
}

static void due_is(int level, const char *from, const char *want)
{
	char got[TIME_RFC3339_LEN];
	time_format_utc(risk_review_due(level, at(from)), got);
	if (strcmp(got, want) != 0)
		fail_msg("level %d from %s: %s, expected %s", level, from, got, want);
}

static void test_review_due(void **state)
{
	(void)state;
	/* level 5: 6 months; 3 and 4: a year; 1, 2 and none: 2 years */
	due_is(5, "2026-03-10T08:30:00Z", "2026-09-10T08:30:00.000Z");
	due_is(4, "2026-03-10T08:30:00Z", "2027-03-10T08:30:00.000Z");
	due_is(3, "2026-03-10T08:30:00Z", "2027-03-10T08:30:00.000Z");
	due_is(2, "2026-03-10T08:30:00Z", "2028-03-10T08:30:00.000Z");
	due_is(1, "2026-03-10T08:30:00Z", "2028-03-10T08:30:00.000Z");
	due_is(0, "2026-03-10T08:30:00Z", "2028-03-10T08:30:00.000Z");
	/* across the year end */
	due_is(5, "2026-10-15T00:00:00Z", "2027-04-15T00:00:00.000Z");
	/* the day clamped to the month's end, leap years counted */
	due_is(5, "2026-08-31T12:00:00Z", "2027-02-28T12:00:00.000Z");
	due_is(5, "2027-08-31T12:00:00Z", "2028-02-29T12:00:00.000Z");
	due_is(3, "2028-02-29T00:00:00Z", "2029-02-28T00:00:00.000Z");
	due_is(2, "2028-02-29T00:00:00Z", "2030-02-28T00:00:00.000Z");
	due_is(5, "2026-12-31T23:59:59Z", "2027-06-30T23:59:59.000Z");
}

static void test_suggest(void **state)
{
	(void)state;
	assert_int_equal(risk_suggest("dos", 0, 0, 0), 1);
	assert_int_equal(risk_suggest("dos", 1, 0, 0), 2);
	assert_int_equal(risk_suggest("dos", 2, 0, 0), 2);
	assert_int_equal(risk_suggest("dos", 3, 0, 0), 3);
	/* findings do not make a DoS or a disaster likelier ... */
	assert_int_equal(risk_suggest("dos", 0, 5, 2), 1);
	assert_int_equal(risk_suggest("disaster", 0, 5, 2), 1);
	/* ... but an intrusion, malware, ransomware-type encryption */
	assert_int_equal(risk_suggest("intrusion", 0, 1, 0), 2);
	assert_int_equal(risk_suggest("intrusion", 0, 1, 1), 3);
	assert_int_equal(risk_suggest("encryption", 5, 1, 1), 5);
	assert_int_equal(risk_suggest("malware", 9, 9, 9), 5);   /* capped */
}

static void test_threats(void **state)
{
	(void)state;
	int n = 0;
	while (risk_threats[n])
		n++;
	assert_int_equal(n, 13);   /* §7's ten types, fault, operator error, disaster */
	assert_string_equal(risk_threats[0], "dos");
	assert_string_equal(risk_threats[12], "disaster");
	assert_string_equal(risk_threat_label("encryption", LANG_VI), "Mã hóa phần mềm, dữ liệu, thiết bị");
	assert_string_equal(risk_threat_label("operator_error", LANG_VI), "Lỗi vận hành của con người");
	assert_string_equal(risk_threat_label("fault", LANG_EN), "Technical fault");
	assert_string_equal(budget_category_label("drills", LANG_VI), "Diễn tập ứng cứu sự cố");
	assert_string_equal(budget_category_label("nope", LANG_VI), "nope");
}

static void test_parent_path(void **state)
{
	(void)state;
	char out[LIMIT_ORG_PATH];
	plan_parent_path("/a/b/c/", out);
	assert_string_equal(out, "/a/b/");
	plan_parent_path("/a/b/", out);
	assert_string_equal(out, "/a/");
	plan_parent_path("/a/", out);
	assert_string_equal(out, "");
	plan_parent_path("/", out);
	assert_string_equal(out, "");
	plan_parent_path("", out);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_score),
		cmocka_unit_test(test_bands),
		cmocka_unit_test(test_review_due),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_threats),
		cmocka_unit_test(test_parent_path),
	};
	return cmocka_run_group_tests_name("plan_risk", tests, NULL, NULL);
}
