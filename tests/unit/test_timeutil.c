/*
 * test_timeutil.c - time as UTC milliseconds (base/timeutil.c): RFC 3339
 * parsing (offsets, fractions, leap years, every field at its bounds),
 * formatting in UTC and Asia/Ho_Chi_Minh, the civil calendar, durations,
 * and the fake clock tests use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static int64_t ok(const char *s)
{
	int64_t ms = 12345;
	if (time_parse(s, &ms) != 0)
		fail_msg("refused: %s", s);
	return ms;
}

static void bad(const char *s)
{
	int64_t ms = 12345;
	if (time_parse(s, &ms) == 0)
		fail_msg("accepted: %s", s ? s : "(null)");
	assert_int_equal(ms, 12345); /* untouched */
}

static void test_parse_forms(void **state)
{
	(void)state;
	assert_int_equal(ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(ok("1970-01-01T00:00:00.001Z"), 1);
	assert_int_equal(ok("2026-11-24T03:15:00Z"), 1795490100000LL);
	assert_int_equal(ok("2026-11-24T10:15:00+07:00"), 1795490100000LL);
	assert_int_equal(ok("2026-11-23T22:15:00-05:00"), 1795490100000LL);
	assert_int_equal(ok("2026-11-24T03:15:00+00:00"), 1795490100000LL);
	assert_int_equal(ok("2026-11-24T03:15:00-00:00"), 1795490100000LL);
	assert_int_equal(ok("2026-11-24t03:15:00z"), 1795490100000LL);
	assert_int_equal(ok("2026-11-24 03:15:00Z"), 1795490100000LL);
	assert_int_equal(ok("2026-11-24T08:45:00+05:30"), 1795490100000LL);
	/* Fractions: 1 to 9 digits, milliseconds kept, the rest dropped. */
	assert_int_equal(ok("2026-11-24T03:15:00.5Z"), 1795490100500LL);
	assert_int_equal(ok("2026-11-24T03:15:00.12Z"), 1795490100120LL);
	assert_int_equal(ok("2026-11-24T03:15:00.123Z"), 1795490100123LL);
	assert_int_equal(ok("2026-11-24T03:15:00.123999999Z"), 1795490100123LL);
	bad("2026-11-24T03:15:00.1234567890Z");
	bad("2026-11-24T03:15:00.Z");
	bad("2026-11-24T03:15:00,5Z");
	/* Something missing or extra. */
	bad(NULL);
	bad("");
	bad("2026-11-24");
	bad("2026-11-24T03:15Z");
	bad("2026-11-24T03:15:00");
	bad("2026-11-24T03:15:00+07");
	bad("2026-11-24T03:15:00+0700");
	bad("2026-11-24T03:15:00Z ");
	bad(" 2026-11-24T03:15:00Z");
	bad("2026-11-24T03:15:00ZZ");
	bad("2026-11-24X03:15:00Z");
	bad("26-11-24T03:15:00Z");
	bad("2026-1-24T03:15:00Z");
	bad("+2026-11-24T03:15:00Z");
	bad("2026-11-24T03:15:00UTC");
	bad("24/11/2026 10:15");
	bad("２０２６-11-24T03:15:00Z"); /* full-width digits */
}

static void test_parse_bounds(void **state)
{
	(void)state;
	/* Months and days. */
	ok("2026-01-31T00:00:00Z");
	bad("2026-00-10T00:00:00Z");
	bad("2026-13-10T00:00:00Z");
	bad("2026-01-00T00:00:00Z");
	bad("2026-01-32T00:00:00Z");
	ok("2026-04-30T00:00:00Z");
	bad("2026-04-31T00:00:00Z");
	/* February and leap years (divisible by 4, not 100, unless 400). */
	ok("2026-02-28T00:00:00Z");
	bad("2026-02-29T00:00:00Z");
	ok("2028-02-29T00:00:00Z");
	bad("2028-02-30T00:00:00Z");
	ok("2000-02-29T00:00:00Z");
	bad("2100-02-29T00:00:00Z");
	ok("2400-02-29T00:00:00Z");
	/* Hours, minutes, seconds; a leap second is clamped to :59. */
	ok("2026-11-24T23:59:59Z");
	bad("2026-11-24T24:00:00Z");
	bad("2026-11-24T23:60:00Z");
	assert_int_equal(ok("2026-12-31T23:59:60Z"), ok("2026-12-31T23:59:59Z"));
	bad("2026-12-31T23:59:61Z");
	/* Offsets up to 23:59. */
	ok("2026-11-24T03:15:00+23:59");
	ok("2026-11-24T03:15:00-23:59");
	bad("2026-11-24T03:15:00+24:00");
	bad("2026-11-24T03:15:00+07:60");
	/* Years: from 1970 (the epoch) to 9999. */
	assert_int_equal(ok("9999-12-31T23:59:59.999Z"), 253402300799999LL);
	bad("1969-12-31T23:59:59Z");
	bad("0000-01-01T00:00:00Z");
	/* A local time just after the epoch is before it in UTC: refused, as
	 * its own UTC form is (stored times never go below 0). */
	bad("1970-01-01T00:00:00+07:00");
	assert_int_equal(ok("1970-01-01T07:00:00+07:00"), 0);
}

static void test_format(void **state)
{
	(void)state;
	char out[TIME_RFC3339_LEN];
	assert_string_equal(time_format_utc(0, out), "1970-01-01T00:00:00.000Z");
	assert_string_equal(time_format_utc(1795490100123LL, out), "2026-11-24T03:15:00.123Z");
	assert_string_equal(time_format_local(1795490100123LL, out), "2026-11-24T10:15:00+07:00");
	assert_string_equal(time_format_human(1795490100123LL, out), "24/11/2026 10:15");
	/* Before the epoch: floors, never negative fields. */
	assert_string_equal(time_format_utc(-1, out), "1969-12-31T23:59:59.999Z");
	assert_string_equal(time_format_utc(-86400000LL, out), "1969-12-31T00:00:00.000Z");
	assert_string_equal(time_format_local(-1, out), "1970-01-01T06:59:59+07:00");
	assert_string_equal(time_format_utc(253402300799999LL, out), "9999-12-31T23:59:59.999Z");
	assert_int_equal(strlen(time_format_local(253402300799999LL - 7 * 3600000LL, out)), 25);
	/* Round trips through the text, at many instants. */
	for (int64_t ms = 0; ms < 4102444800000LL; ms += 86399999LL * 37 + 123) {
		int64_t back;
		assert_int_equal(time_parse(time_format_utc(ms, out), &back), 0);
		assert_int_equal(back, ms);
		assert_int_equal(time_parse(time_format_local(ms, out), &back), 0);
		assert_int_equal(back, ms - ms % 1000); /* local text has whole seconds */
	}
}

static void test_civil(void **state)
{
	(void)state;
	assert_int_equal(time_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(time_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(time_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(time_days_from_civil(2026, 11, 24), 20781);
	int y;
	unsigned m, d;
	/* Every day across 1600..2400 and back. */
	int64_t prev = time_days_from_civil(1600, 1, 1) - 1;
	for (int64_t z = prev + 1; z < time_days_from_civil(2400, 12, 31); z++) {
		time_civil_from_days(z, &y, &m, &d);
		assert_int_equal(time_days_from_civil(y, m, d), z);
		assert_in_range(m, 1, 12);
		assert_in_range(d, 1, 31);
	}
	time_civil_from_days(-1, &y, &m, &d);
	assert_int_equal(y, 1969);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
	time_civil_from_days(time_days_from_civil(2028, 2, 29), &y, &m, &d);
	assert_int_equal(m, 2);
	assert_int_equal(d, 29);
}

static void test_local_year(void **state)
{
	(void)state;
	assert_int_equal(time_local_year(ok("2026-12-31T16:59:59.999Z")), 2026);
	assert_int_equal(time_local_year(ok("2026-12-31T17:00:00Z")), 2027);
	assert_int_equal(time_local_year(ok("2026-12-31T17:30:00Z")), 2027);
	assert_int_equal(time_local_year(ok("2027-12-31T16:59:59Z")), 2027);
	assert_int_equal(time_local_year(0), 1970);
	assert_int_equal(time_local_year(-7 * 3600 * 1000LL - 1), 1969);
}

static void test_duration(void **state)
{
	(void)state;
	assert_int_equal(time_parse_duration("90s"), 90000);
	assert_int_equal(time_parse_duration("30m"), 30 * 60000);
	assert_int_equal(time_parse_duration("2h"), 2 * 3600000);
	assert_int_equal(time_parse_duration("5d"), 5 * 86400000LL);
	assert_int_equal(time_parse_duration("0s"), 0);
	assert_int_equal(time_parse_duration("007m"), 7 * 60000);
	/* At most 100000 of a unit. */
	assert_int_equal(time_parse_duration("100000d"), 100000 * 86400000LL);
	assert_int_equal(time_parse_duration("100001d"), -1);
	assert_int_equal(time_parse_duration("99999999999999999999999s"), -1);
	static const char *const bad[] = {
		"", "5", "d", "5x", "5 s", " 5s", "-5s", "+5s", "5S", "5ss", "5s ", "1.5h",
		"5sec", "0x10s", NULL,
	};
	for (int i = 0; bad[i]; i++)
		if (time_parse_duration(bad[i]) != -1)
			fail_msg("accepted duration %s", bad[i]);
	assert_int_equal(time_parse_duration(NULL), -1);
}

static void test_fake_now(void **state)
{
	(void)state;
	int64_t real = time_now_ms();
	assert_true(real > 1700000000000LL);
	time_set_fake_now(42);
	assert_int_equal(time_now_ms(), 42);
	time_set_fake_now(1795490100123LL);
	assert_int_equal(time_now_ms(), 1795490100123LL);
	time_set_fake_now(0);
	int64_t again = time_now_ms();
	assert_true(again >= real && again < real + 60000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_bounds),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_civil),
		cmocka_unit_test(test_local_year),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_fake_now),
	};
	return cmocka_run_group_tests_name("timeutil", tests, NULL, NULL);
}
