/*
 * test_arena.c - the request arena (base/arena.c): alignment, the cap at max
 * and max + 1 (LIMIT_REQ_ARENA included), string helpers, cleanups run in
 * reverse order on reset and free, reuse after reset, and sizes so large
 * that rounding them up would wrap around.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/arena.h"
#include "base/limits.h"

static void test_alloc_aligned(void **state)
{
	(void)state;
	struct arena *a = arena_new(LIMIT_REQ_ARENA);
	assert_non_null(a);
	for (size_t n = 0; n < 200; n++) {
		unsigned char *p = arena_alloc(a, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 0xab, n); /* ASan checks the bytes are ours */
	}
	/* Two allocations never overlap. */
	char *x = arena_alloc(a, 10), *y = arena_alloc(a, 10);
	assert_true(y >= x + 10 || x >= y + 10);
	arena_free(a);
	arena_free(NULL);
}

/* Exactly cap bytes fit, one more does not. */
static void cap_exact(size_t cap)
{
	struct arena *a = arena_new(cap);
	assert_non_null(a);
	void *p = arena_alloc(a, cap);
	assert_non_null(p);
	memset(p, 1, cap);
	assert_null(arena_alloc(a, 1));
	arena_free(a);
	a = arena_new(cap);
	assert_null(arena_alloc(a, cap + 1));
	/* A refusal leaves the arena usable. */
	assert_non_null(arena_alloc(a, 16));
	arena_free(a);
}

static void test_cap_at_max(void **state)
{
	(void)state;
	cap_exact(8192);
	cap_exact(8192 * 3);
	cap_exact(100000);
	cap_exact(LIMIT_REQ_ARENA);
}

/* The request arena filled with many small pieces stops at its cap. */
static void test_cap_many_small(void **state)
{
	(void)state;
	struct arena *a = arena_new(LIMIT_REQ_ARENA);
	size_t got = 0;
	void *p;
	while ((p = arena_alloc(a, 64)) != NULL) {
		memset(p, 2, 64);
		got += 64;
		assert_true(got <= LIMIT_REQ_ARENA);
	}
	/* 64-byte pieces pack chunks exactly: all of the cap is usable. */
	assert_int_equal(got, LIMIT_REQ_ARENA);
	/* After a reset the whole cap is there again. */
	arena_reset(a);
	assert_non_null(arena_alloc(a, LIMIT_REQ_ARENA));
	arena_free(a);
}

/* A size that wraps when rounded up to 16 must be refused, not turned into
 * a 16-byte block. */
static void test_huge_sizes_refused(void **state)
{
	(void)state;
	struct arena *a = arena_new(LIMIT_REQ_ARENA);
	assert_null(arena_alloc(a, SIZE_MAX));
	assert_null(arena_alloc(a, SIZE_MAX - 7));
	assert_null(arena_alloc(a, SIZE_MAX - 15));
	assert_null(arena_alloc(a, SIZE_MAX / 2));
	/* Also once the arena holds a chunk (total + size must not wrap). */
	assert_non_null(arena_alloc(a, 100));
	assert_null(arena_alloc(a, SIZE_MAX - 20));
	assert_null(arena_alloc(a, SIZE_MAX - 100));
	assert_null(arena_alloc(a, SIZE_MAX - 8192));
	arena_free(a);
}

static void test_strings(void **state)
{
	(void)state;
	struct arena *a = arena_new(LIMIT_REQ_ARENA);
	char *s = arena_strdup(a, "Ngũ Phụng");
	assert_string_equal(s, "Ngũ Phụng");
	assert_null(arena_strdup(a, NULL));
	s = arena_strndup(a, "abcdef", 3);
	assert_string_equal(s, "abc");
	s = arena_strndup(a, "", 0);
	assert_string_equal(s, "");
	s = arena_printf(a, "/api/v1/incidents/%s?n=%d", "x", 7);
	assert_string_equal(s, "/api/v1/incidents/x?n=7");
	char big[9000];
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	s = arena_printf(a, "%s!", big);
	assert_int_equal(strlen(s), sizeof(big));
	arena_free(a);
	/* Past the cap the helpers answer NULL. */
	a = arena_new(8192);
	assert_null(arena_strndup(a, big, 8192));
	assert_non_null(arena_strndup(a, big, 8191));
	assert_null(arena_printf(a, "%s", "x"));
	arena_free(a);
}

static int order[8], norder;

static void note(void *p)
{
	order[norder++] = *(int *)p;
}

static void test_cleanups_reverse_order(void **state)
{
	(void)state;
	static int ids[] = { 1, 2, 3 };
	struct arena *a = arena_new(LIMIT_REQ_ARENA);
	norder = 0;
	for (int i = 0; i < 3; i++)
		assert_int_equal(arena_defer(a, note, &ids[i]), 0);
	arena_reset(a);
	assert_int_equal(norder, 3);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 1);
	/* Run once: a second reset runs nothing. */
	arena_reset(a);
	assert_int_equal(norder, 3);
	/* arena_free runs them too. */
	assert_int_equal(arena_defer(a, note, &ids[0]), 0);
	arena_free(a);
	assert_int_equal(norder, 4);
	assert_int_equal(order[3], 1);
}

static void free_it(void *p)
{
	free(p);
}

static void decref(void *p)
{
	json_decref(p);
}

/* What the request does: a malloc'ed thing handed to the arena. */
static void test_defer_frees(void **state)
{
	(void)state;
	struct arena *a = arena_new(LIMIT_REQ_ARENA);
	for (int i = 0; i < 100; i++) {
		char *p = malloc(100);
		assert_non_null(p);
		assert_int_equal(arena_defer(a, free_it, p), 0);
	}
	json_t *j = json_pack("{s:s}", "a", "b");
	assert_int_equal(arena_defer(a, decref, j), 0);
	arena_free(a);
	/* A full arena refuses the cleanup; the caller still owns p. */
	a = arena_new(8192);
	assert_non_null(arena_alloc(a, 8192));
	char *p = malloc(10);
	assert_int_equal(arena_defer(a, free_it, p), -1);
	free(p);
	arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_aligned),
		cmocka_unit_test(test_cap_at_max),
		cmocka_unit_test(test_cap_many_small),
		cmocka_unit_test(test_huge_sizes_refused),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_cleanups_reverse_order),
		cmocka_unit_test(test_defer_frees),
	};
	return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
