/*
 * test_uuid.c - UUIDv7 ids (base/uuid.c): the RFC 9562 layout (version 7,
 * variant 10), the millisecond timestamp in the first 48 bits, lower-case
 * text, strictly increasing within the process even when the clock stands
 * still, runs backwards or more than 4096 ids fall in one millisecond; and
 * uuid_valid.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/crypto.h"

static void layout(const char *u)
{
	assert_int_equal(strlen(u), 36);
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(u[i], '-');
		else
			assert_true(isxdigit((unsigned char)u[i]) && !isupper((unsigned char)u[i]));
	}
	assert_int_equal(u[14], '7');
	assert_non_null(strchr("89ab", u[19]));
	assert_true(uuid_valid(u));
}

static int64_t stamp(const char *u)
{
	char hex[13];
	memcpy(hex, u, 8);
	memcpy(hex + 8, u + 9, 4);
	hex[12] = '\0';
	return strtoll(hex, NULL, 16);
}

static void test_format(void **state)
{
	(void)state;
	char u[UUID_LEN];
	assert_int_equal(crypto_init(), 0);
	for (int i = 0; i < 1000; i++) {
		assert_ptr_equal(uuid7(u), u);
		layout(u);
	}
	/* Ids never go back, so this runs after the real-clock test and with a
	 * time ahead of it. */
	time_set_fake_now(1850000000000LL);
	uuid7(u);
	assert_int_equal(stamp(u), 1850000000000LL);
	assert_int_equal(strncmp(u, "01aebc97-c400-7", 15), 0);
	time_set_fake_now(0);
}

static void test_monotonic_real_clock(void **state)
{
	(void)state;
	char prev[UUID_LEN], u[UUID_LEN];
	uuid7(prev);
	for (int i = 0; i < 100000; i++) {
		uuid7(u);
		if (strcmp(prev, u) >= 0)
			fail_msg("not increasing: %s then %s", prev, u);
		memcpy(prev, u, UUID_LEN);
	}
	int64_t now = time_now_ms();
	assert_true(stamp(u) >= now - 1000 && stamp(u) <= now + 1000);
}

static void test_monotonic_still_clock(void **state)
{
	(void)state;
	char prev[UUID_LEN], u[UUID_LEN];
	int64_t t = 1900000000000LL;
	time_set_fake_now(t);
	uuid7(prev);
	/* Far more than the 12-bit counter holds in one millisecond. */
	for (int i = 0; i < 20000; i++) {
		uuid7(u);
		layout(u);
		if (strcmp(prev, u) >= 0)
			fail_msg("not increasing: %s then %s", prev, u);
		memcpy(prev, u, UUID_LEN);
	}
	/* Borrowed milliseconds ahead of the clock, but never far. */
	assert_true(stamp(u) > t && stamp(u) <= t + 10);
	/* The clock going back does not make ids go back. */
	time_set_fake_now(t - 60000);
	uuid7(u);
	assert_true(strcmp(prev, u) < 0);
	/* A later time starts from its own timestamp. */
	time_set_fake_now(t + 5000);
	uuid7(u);
	assert_int_equal(stamp(u), t + 5000);
	assert_true(strcmp(prev, u) < 0);
	time_set_fake_now(0);
}

#define THREADS 4
#define PER_THREAD 5000

static char ids[THREADS][PER_THREAD][UUID_LEN];

static void *make_ids(void *arg)
{
	char (*mine)[UUID_LEN] = arg;
	for (int i = 0; i < PER_THREAD; i++)
		uuid7(mine[i]);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* From several threads: increasing within each, unique across all. */
static void test_threads_unique(void **state)
{
	(void)state;
	pthread_t th[THREADS];
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, make_ids, ids[i]), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < THREADS; i++)
		for (int k = 1; k < PER_THREAD; k++)
			assert_true(strcmp(ids[i][k - 1], ids[i][k]) < 0);
	qsort(ids, THREADS * PER_THREAD, UUID_LEN, cmp);
	char (*all)[UUID_LEN] = ids[0];
	for (int k = 1; k < THREADS * PER_THREAD; k++)
		assert_true(strcmp(all[k - 1], all[k]) < 0);
}

static void test_valid(void **state)
{
	(void)state;
	assert_true(uuid_valid("019ab3e1-2f3b-7c4d-8e5f-6a7b8c9d0e1f"));
	/* Any lower-case hex in the right places; version is not checked. */
	assert_true(uuid_valid("00000000-0000-0000-0000-000000000000"));
	assert_false(uuid_valid("019AB3E1-2F3B-7C4D-8E5F-6A7B8C9D0E1F"));
	assert_false(uuid_valid("019ab3e1-2f3b-7c4d-8e5f-6a7b8c9d0e1"));
	assert_false(uuid_valid("019ab3e1-2f3b-7c4d-8e5f-6a7b8c9d0e1ff"));
	assert_false(uuid_valid("019ab3e12f3b-7c4d-8e5f-6a7b8c9d0e1f0"));
	assert_false(uuid_valid("019ab3e1-2f3b-7c4d-8e5f_6a7b8c9d0e1f"));
	assert_false(uuid_valid("019ab3e1-2f3b-7c4d-8e5f-6a7b8c9d0e1g"));
	assert_false(uuid_valid("{19ab3e1-2f3b-7c4d-8e5f-6a7b8c9d0e1}"));
	assert_false(uuid_valid("019ab3e1-2f3b-7c4d-8e5f-6a7b8c9d0e1/"));
	assert_false(uuid_valid("../../../../../../../../../etc/passw"));
	assert_false(uuid_valid(""));
	assert_false(uuid_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monotonic_real_clock),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_monotonic_still_clock),
		cmocka_unit_test(test_threads_unique),
		cmocka_unit_test(test_valid),
	};
	return cmocka_run_group_tests_name("uuid", tests, NULL, NULL);
}
