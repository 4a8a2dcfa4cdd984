/*
 * test_plan_mau05.c - the Mẫu 05 counting rule (src/domain/plan/mau05.c):
 * the periods' cut-offs in Vietnam time, an incident on either side of a
 * boundary counted in one period only, rejected and unverified reports
 * left out, the help columns, the damage amounts, the total row.
 */
#include <string.h>

#include "testlib.h"
#include "domain/plan/mau05.h"
#include "base/timeutil.h"

#define H (3600LL * 1000)
#define DAY (24 * H)

/* Vietnam midnight of a civil date, in UTC ms. */
static int64_t vn(int y, unsigned m, unsigned d)
{
	return time_days_from_civil(y, m, d) * DAY - 7 * H;
}

static void test_periods(void **state)
{
	(void)state;
	int64_t from, to, due;
	assert_int_equal(mau05_period("half", 2026, &from, &to, &due), 0);
	assert_int_equal(from, vn(2025, 12, 15));
	assert_int_equal(to, vn(2026, 6, 15));     /* 14/6 is the last day */
	assert_int_equal(due, vn(2026, 6, 20));    /* before 20/6 */
	char ts[TIME_RFC3339_LEN];
	assert_string_equal(time_format_utc(from, ts), "2025-12-14T17:00:00.000Z");
	assert_int_equal(mau05_period("year", 2026, &from, &to, &due), 0);
	assert_int_equal(from, vn(2025, 12, 15));
	assert_int_equal(to, vn(2026, 12, 15));
	assert_int_equal(due, vn(2026, 12, 15));   /* before 15/12 */
	assert_int_equal(mau05_period("quarter", 2026, &from, &to, &due), -1);
	assert_int_equal(mau05_period(NULL, 2026, &from, &to, &due), -1);
	assert_int_equal(mau05_period("half", 1999, &from, &to, &due), -1);
	assert_int_equal(mau05_period("half", 2201, &from, &to, &due), -1);
}

enum { DOS, PHISHING, MALWARE, INTRUSION, DEFACEMENT, ENCRYPTION, DESTRUCTION, ESPIONAGE,
       COMBINED, OTHER };

static void test_boundaries(void **state)
{
	(void)state;
	int64_t from, to, due;
	mau05_period("half", 2026, &from, &to, &due);
	const struct mau05_incident v[] = {
		/* the first and last minute of the half year count */
		{ ENCRYPTION, vn(2025, 12, 15), 0, 1, 0, 0 },
		{ ENCRYPTION, vn(2026, 6, 15) - 60000, 0, 1, 0, 0 },
		/* one minute outside either end does not: it is the other period's */
		{ MALWARE, vn(2025, 12, 15) - 60000, 0, 1, 0, 0 },
		{ MALWARE, vn(2026, 6, 15), 0, 1, 0, 0 },
		/* 23:30 on 14/6 in Vietnam is 16:30 UTC: inside, although UTC says 14/6 too */
		{ DOS, vn(2026, 6, 14) + 23 * H + 30 * 60000, 0, 1, 0, 0 },
		/* 00:30 on 15/12 in Vietnam is still 14/12 in UTC: inside */
		{ DOS, vn(2025, 12, 15) + 30 * 60000, 0, 1, 0, 0 },
	};
	struct mau05_table t;
	mau05_count(v, sizeof(v) / sizeof(v[0]), from, to, &t);
	assert_int_equal(t.cell[ENCRYPTION][M5_COUNT], 2);
	assert_int_equal(t.cell[MALWARE][M5_COUNT], 0);
	assert_int_equal(t.cell[DOS][M5_COUNT], 2);
	assert_int_equal(t.total[M5_COUNT], 4);
	/* the year takes the one after 15/6, and still not the one before 15/12 */
	mau05_period("year", 2026, &from, &to, &due);
	mau05_count(v, sizeof(v) / sizeof(v[0]), from, to, &t);
	assert_int_equal(t.cell[MALWARE][M5_COUNT], 1);
	assert_int_equal(t.total[M5_COUNT], 5);
	/* and the year before takes the one before 15/12/2025, once */
	mau05_period("year", 2025, &from, &to, &due);
	mau05_count(v, sizeof(v) / sizeof(v[0]), from, to, &t);
	assert_int_equal(t.total[M5_COUNT], 1);
	assert_int_equal(t.cell[MALWARE][M5_COUNT], 1);
}

static void test_rejected_and_pending(void **state)
{
	(void)state;
	int64_t from, to, due;
	mau05_period("half", 2026, &from, &to, &due);
	int64_t at = vn(2026, 3, 1);
	const struct mau05_incident v[] = {
		{ PHISHING, at, 1, 1, MAU05_HELP_ORG, 5000000 },   /* rejected after verification */
		{ PHISHING, at, 1, 0, 0, 0 },                      /* rejected at once */
		{ PHISHING, at, 0, 0, 0, 0 },                      /* not verified yet */
		{ PHISHING, at, 0, 1, 0, 0 },
	};
	struct mau05_table t;
	mau05_count(v, 4, from, to, &t);
	assert_int_equal(t.cell[PHISHING][M5_COUNT], 1);
	assert_int_equal(t.cell[PHISHING][M5_OTHER_ORGS], 0);
	assert_int_equal(t.cell[PHISHING][M5_DAMAGE], 0);
	assert_int_equal(t.pending, 1);
	assert_int_equal(t.total[M5_COUNT], 1);
	/* a pending one outside the period is not pending here */
	const struct mau05_incident w[] = { { PHISHING, to + DAY, 0, 0, 0, 0 } };
	mau05_count(w, 1, from, to, &t);
	assert_int_equal(t.pending, 0);
}

static void test_help_and_damage(void **state)
{
	(void)state;
	int64_t from, to, due;
	mau05_period("year", 2026, &from, &to, &due);
	int64_t at = vn(2026, 8, 1);
	const struct mau05_incident v[] = {
		{ INTRUSION, at, 0, 1, 0, 1000000 },                                  /* alone */
		{ INTRUSION, at, 0, 1, MAU05_HELP_ORG, 2000000 },                     /* the province helped */
		{ INTRUSION, at, 0, 1, MAU05_HELP_VNCERT, 0 },                        /* asked VNCERT, handled alone */
		{ INTRUSION, at, 0, 1, MAU05_HELP_ORG | MAU05_HELP_VNCERT, 0 },
		{ INTRUSION, at, 0, 1, MAU05_HELP_FOREIGN, 0 },
		{ 42, at, 0, 1, 0, 0 },                                               /* unknown type: "other" */
		{ -1, at, 0, 1, 0, 0 },
	};
	struct mau05_table t;
	mau05_count(v, sizeof(v) / sizeof(v[0]), from, to, &t);
	int64_t *r = t.cell[INTRUSION];
	assert_int_equal(r[M5_COUNT], 5);
	assert_int_equal(r[M5_SELF], 2);
	assert_int_equal(r[M5_OTHER_ORGS], 2);
	assert_int_equal(r[M5_FOREIGN], 1);
	assert_int_equal(r[M5_VNCERT], 2);
	assert_int_equal(r[M5_DAMAGE], 3000000);
	assert_int_equal(t.cell[OTHER][M5_COUNT], 2);
	assert_int_equal(t.total[M5_COUNT], 7);
	assert_int_equal(t.total[M5_SELF], 4);
	assert_int_equal(t.total[M5_DAMAGE], 3000000);
	/* nothing: all zero, the table still has its ten rows */
	mau05_count(NULL, 0, from, to, &t);
	for (int k = 0; k < M5__COLS; k++)
		assert_int_equal(t.total[k], 0);
	assert_string_equal(mau05_columns[M5_DAMAGE], "damage");
}

static void test_damage_parse(void **state)
{
	(void)state;
	assert_int_equal(mau05_damage_parse("15000000"), 15000000);
	assert_int_equal(mau05_damage_parse("15.000.000"), 15000000);
	assert_int_equal(mau05_damage_parse("15,000,000 VND"), 15000000);
	assert_int_equal(mau05_damage_parse("15.000.000 đồng"), 15000000);
	assert_int_equal(mau05_damage_parse(" 15.000.000 đ."), 15000000);
	assert_int_equal(mau05_damage_parse("2 triệu"), 2000000);
	assert_int_equal(mau05_damage_parse("3 tỷ đồng"), 3000000000LL);
	/* not an amount: 0, never a guess */
	assert_int_equal(mau05_damage_parse(NULL), 0);
	assert_int_equal(mau05_damage_parse(""), 0);
	assert_int_equal(mau05_damage_parse("không đáng kể"), 0);
	assert_int_equal(mau05_damage_parse("khoảng 2 triệu"), 0);
	assert_int_equal(mau05_damage_parse("1.5"), 0);
	assert_int_equal(mau05_damage_parse("15.00.000"), 0);
	assert_int_equal(mau05_damage_parse("2 triệu USD"), 0);
	assert_int_equal(mau05_damage_parse("99999999999999999999"), 0);   /* too large */
	assert_int_equal(mau05_damage_parse("999999999 tỷ"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_rejected_and_pending),
		cmocka_unit_test(test_help_and_damage),
		cmocka_unit_test(test_damage_parse),
	};
	return cmocka_run_group_tests_name("plan_mau05", tests, NULL, NULL);
}
