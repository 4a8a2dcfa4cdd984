/*
 * test_buf.c - the bounded buffer (base/buf.c): its invariants (p NULL or
 * NUL-terminated, len < cap, len <= max), each limit at max and max + 1
 * (past max the buffer is freed and -1 returned), printf beyond the small
 * stack buffer, reset and detach.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include <jansson.h>

#include "base/buf.h"
#include "base/limits.h"

static void invariants(const struct buf *b)
{
	assert_true(b->len <= b->max);
	if (b->p == NULL) {
		assert_int_equal(b->len, 0);
		assert_int_equal(b->cap, 0);
		return;
	}
	assert_true(b->len < b->cap);
	assert_int_equal(b->p[b->len], '\0');
}

static void test_init_and_add(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 100);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 100);
	invariants(&b);
	assert_int_equal(buf_add(&b, "ab", 2), 0);
	assert_int_equal(buf_adds(&b, "cd"), 0);
	assert_int_equal(buf_add(&b, "", 0), 0);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.p, "abcd");
	invariants(&b);
	/* Bytes, NULs included. */
	assert_int_equal(buf_add(&b, "e\0f", 3), 0);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.p, "abcde\0f", 7);
	invariants(&b);
	buf_release(&b);
	assert_null(b.p);
	invariants(&b);
	buf_release(&b); /* twice is harmless */
	/* Adding nothing to an empty buffer still gives a string. */
	buf_init(&b, 10);
	assert_int_equal(buf_add(&b, NULL, 0), 0);
	assert_non_null(b.p);
	assert_string_equal(b.p, "");
	buf_release(&b);
}

/* Fills to exactly max, then one more byte: refused, freed. */
static void limit(size_t max)
{
	struct buf b;
	char *chunk = malloc(4096);
	assert_non_null(chunk);
	memset(chunk, 'x', 4096);
	buf_init(&b, max);
	size_t left = max;
	while (left > 0) {
		size_t n = left < 4096 ? left : 4096;
		assert_int_equal(buf_add(&b, chunk, n), 0);
		left -= n;
	}
	assert_int_equal(b.len, max);
	invariants(&b);
	assert_int_equal(buf_add(&b, "y", 1), -1);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	invariants(&b);
	/* max + 1 at once is refused from empty too. */
	char *big = malloc(max + 1);
	assert_non_null(big);
	memset(big, 'z', max + 1);
	buf_init(&b, max);
	assert_int_equal(buf_add(&b, big, max + 1), -1);
	assert_null(b.p);
	assert_int_equal(buf_add(&b, big, max), 0);
	assert_int_equal(b.len, max);
	invariants(&b);
	buf_release(&b);
	free(big);
	free(chunk);
}

static void test_limit_small(void **state)
{
	(void)state;
	limit(1);
	limit(10);
	limit(255);
	limit(256);
	limit(257);
}

static void test_limit_json_body(void **state)
{
	(void)state;
	limit(LIMIT_JSON_BODY);
}

static void test_limit_anon_body(void **state)
{
	(void)state;
	limit(LIMIT_ANON_BODY);
}

static void test_limit_response(void **state)
{
	(void)state;
	limit(LIMIT_RESPONSE);
}

static void test_max_zero(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 0);
	assert_int_equal(buf_add(&b, "", 0), 0);
	assert_string_equal(b.p, "");
	assert_int_equal(buf_add(&b, "a", 1), -1);
	assert_null(b.p);
}

/* Lengths near SIZE_MAX must not wrap around the check. */
static void test_huge_lengths(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 64);
	assert_int_equal(buf_adds(&b, "abc"), 0);
	assert_int_equal(buf_add(&b, "x", SIZE_MAX), -1);
	assert_null(b.p);
	buf_init(&b, SIZE_MAX);
	assert_int_equal(buf_adds(&b, "abc"), 0);
	assert_int_equal(buf_add(&b, "x", SIZE_MAX - 1), -1);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
}

static void test_printf(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 4096);
	assert_int_equal(buf_printf(&b, "%d-%s", 42, "x"), 0);
	assert_string_equal(b.p, "42-x");
	/* Longer than the 512-byte stack buffer. */
	char big[2000];
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(buf_printf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 4 + 2 + 1999);
	assert_int_equal(b.p[4], '[');
	assert_int_equal(b.p[b.len - 1], ']');
	invariants(&b);
	/* 511 and 512 bytes: either side of the stack buffer. */
	buf_reset(&b);
	assert_int_equal(buf_printf(&b, "%.*s", 511, big), 0);
	assert_int_equal(b.len, 511);
	buf_reset(&b);
	assert_int_equal(buf_printf(&b, "%.*s", 512, big), 0);
	assert_int_equal(b.len, 512);
	/* Past max through printf: refused and freed, both paths. */
	buf_release(&b);
	buf_init(&b, 10);
	assert_int_equal(buf_printf(&b, "%s", "0123456789"), 0);
	assert_int_equal(buf_printf(&b, "%s", "a"), -1);
	assert_null(b.p);
	buf_init(&b, 1000);
	assert_int_equal(buf_printf(&b, "%s", big), -1);
	assert_null(b.p);
	/* UTF-8 passes through as bytes. */
	buf_init(&b, 64);
	assert_int_equal(buf_printf(&b, "%s", "Phú Quý"), 0);
	assert_int_equal(b.len, strlen("Phú Quý"));
	buf_release(&b);
}

static void test_reset_and_detach(void **state)
{
	(void)state;
	struct buf b;
	size_t len = 99;
	buf_init(&b, 100);
	buf_adds(&b, "hello");
	size_t cap = b.cap;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.p, "");
	assert_int_equal(b.cap, cap);
	invariants(&b);
	buf_reset(&b);
	buf_adds(&b, "world");
	char *p = buf_detach(&b, &len);
	assert_string_equal(p, "world");
	assert_int_equal(len, 5);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	invariants(&b);
	free(p);
	/* Detaching an empty buffer gives an empty string to free. */
	p = buf_detach(&b, &len);
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);
	p = buf_detach(&b, NULL);
	free(p);
	/* Reset of a never-used buffer. */
	buf_init(&b, 10);
	buf_reset(&b);
	assert_null(b.p);
	/* The buffer is usable after detach, with the same max. */
	assert_int_equal(buf_adds(&b, "0123456789"), 0);
	p = buf_detach(&b, NULL);
	free(p);
	assert_int_equal(buf_adds(&b, "0123456789"), 0);
	assert_int_equal(buf_adds(&b, "!"), -1);
}

static void test_growth(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b, 1 << 20);
	for (int i = 0; i < 100000; i++) {
		assert_int_equal(buf_add(&b, "0123456789", i % 11), 0);
		if (i % 9973 == 0)
			invariants(&b);
	}
	invariants(&b);
	size_t expect = 0;
	for (int i = 0; i < 100000; i++)
		expect += (size_t)(i % 11);
	assert_int_equal(b.len, expect);
	buf_release(&b);
}

/* Every CSV cell the program writes (issue 11, item 11): formulas defused,
 * RFC 4180 quoting. */
static void test_csv_cell(void **state)
{
	(void)state;
	static const struct { const char *in, *out; } cases[] = {
		{ "plain", "plain" },
		{ "", "" },
		{ "=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"" },
		{ "+1", "'+1" }, { "-2+3", "'-2+3" }, { "@SUM(A1)", "'@SUM(A1)" },
		{ "\tx", "\"'\tx\"" }, { "'q", "''q" },
		{ "a,b", "\"a,b\"" }, { "l1\nl2", "\"l1\nl2\"" }, { " pad", "\" pad\"" },
		{ "UBND xã Tam Thanh", "UBND xã Tam Thanh" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		buf_init(&b, 1024);
		assert_int_equal(buf_add_csv(&b, cases[i].in, 1), 0);
		assert_int_equal(buf_add_csv(&b, NULL, 0), 0);
		assert_int_equal(buf_add(&b, "", 1), 0);
		char want[128];
		snprintf(want, sizeof(want), "%s,", cases[i].out);
		assert_string_equal(b.p, want);
		buf_release(&b);
	}
}

/* A JSON string as jansson writes it (upper-case hex), for every byte from
 * 1 to 0x7f and a UTF-8 letter; lower-case hex when asked. */
static void test_json_string(void **state)
{
	(void)state;
	char in[160];
	size_t n = 0;
	for (int c = 1; c < 0x80; c++)
		in[n++] = (char)c;
	memcpy(in + n, "\xe1\xbb\xa9", 3);   /* ứ */
	n += 3;
	struct buf b;
	buf_init(&b, 4096);
	assert_int_equal(buf_add_json_string(&b, in, n, 1), 0);
	json_t *j = json_stringn(in, n);
	char *want = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
	assert_non_null(want);
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.p, want, b.len);
	free(want);
	json_decref(j);
	buf_reset(&b);
	assert_int_equal(buf_add_json_string(&b, "a\x1f\"", 3, 0), 0);
	assert_int_equal(b.len, strlen("\"a\\u001f\\\"\""));
	assert_memory_equal(b.p, "\"a\\u001f\\\"\"", b.len);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_add),
		cmocka_unit_test(test_limit_small),
		cmocka_unit_test(test_limit_json_body),
		cmocka_unit_test(test_limit_anon_body),
		cmocka_unit_test(test_limit_response),
		cmocka_unit_test(test_max_zero),
		cmocka_unit_test(test_huge_lengths),
		cmocka_unit_test(test_printf),
		cmocka_unit_test(test_csv_cell),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_reset_and_detach),
		cmocka_unit_test(test_growth),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
