/*
 * test_plan_diff.c - the per-section diff of two plan versions
 * (domain/plan/plan_diff.c): lines added and removed, unchanged sections
 * left out, sections only one side has, blank lines and CRLF ignored,
 * moved lines, the line limit at max and max + 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "domain/plan/plan_diff.h"

static json_t *sec(const char *code, const char *text)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "code", code, "title_vi", code, "title_en", code,
			 "text", text);
}

/* "a|b" -> the array's strings joined by '|' (for short assertions). */
static char *joined(const json_t *a)
{
	static char out[4096];
	size_t i;
	const json_t *v;
	out[0] = '\0';
	json_array_foreach(a, i, v) {
		if (i)
			strcat(out, "|");
		strncat(out, json_string_value(v), sizeof(out) - strlen(out) - 2);
	}
	return out;
}

static void test_lines_added_removed(void **state)
{
	(void)state;
	json_t *from = json_pack("[o, o, o]", sec("state", "Cổng thông tin: cấp độ 2\nMáy chủ thư: cấp độ 3"),
				 sec("budget", "Dự toán: 45 triệu"), sec("same", "không đổi\n"));
	json_t *to = json_pack("[o, o, o]", sec("state", "Cổng thông tin: cấp độ 2\nMáy chủ thư: cấp độ 3\nCamera: cấp độ 4"),
			       sec("budget", "Dự toán: 60 triệu\nThuê giám sát: 20 triệu"), sec("same", "không đổi"));
	json_t *d = plan_diff_sections(from, to);
	assert_non_null(d);
	assert_int_equal(json_array_size(d), 2);   /* "same" differs only by a trailing newline */
	json_t *s0 = json_array_get(d, 0), *s1 = json_array_get(d, 1);
	assert_string_equal(json_string_value(json_object_get(s0, "code")), "state");
	assert_string_equal(joined(json_object_get(s0, "added")), "Camera: cấp độ 4");
	assert_int_equal(json_array_size(json_object_get(s0, "removed")), 0);
	assert_string_equal(json_string_value(json_object_get(s1, "code")), "budget");
	assert_string_equal(joined(json_object_get(s1, "removed")), "Dự toán: 45 triệu");
	assert_string_equal(joined(json_object_get(s1, "added")), "Dự toán: 60 triệu|Thuê giám sát: 20 triệu");
	json_decref(d);
	json_decref(from);
	json_decref(to);
}

static void test_identical_and_blank_lines(void **state)
{
	(void)state;
	json_t *from = json_pack("[o]", sec("a", "một\r\nhai\n\n   \nba"));
	json_t *to = json_pack("[o]", sec("a", "một\nhai\nba\n"));
	json_t *d = plan_diff_sections(from, to);
	assert_non_null(d);
	assert_int_equal(json_array_size(d), 0);
	json_decref(d);
	/* against nothing: everything is added, in order */
	json_t *none = json_array();
	d = plan_diff_sections(none, to);
	assert_int_equal(json_array_size(d), 1);
	assert_string_equal(joined(json_object_get(json_array_get(d, 0), "added")), "một|hai|ba");
	json_decref(d);
	json_decref(none);
	json_decref(from);
	json_decref(to);
}

static void test_sections_on_one_side(void **state)
{
	(void)state;
	json_t *from = json_pack("[o, o]", sec("old", "bỏ đi"), sec("keep", "x"));
	json_t *to = json_pack("[o, o]", sec("keep", "x"), sec("new", "thêm vào"));
	json_t *d = plan_diff_sections(from, to);
	assert_int_equal(json_array_size(d), 2);
	/* to's order first, then what only from has */
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "code")), "new");
	assert_string_equal(joined(json_object_get(json_array_get(d, 0), "added")), "thêm vào");
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 1), "code")), "old");
	assert_string_equal(joined(json_object_get(json_array_get(d, 1), "removed")), "bỏ đi");
	assert_int_equal(json_array_size(json_object_get(json_array_get(d, 1), "added")), 0);
	json_decref(d);
	json_decref(from);
	json_decref(to);
}

/* A moved line is one removed and one added; repeated lines count each. */
static void test_moved_and_repeated(void **state)
{
	(void)state;
	json_t *from = json_pack("[o]", sec("a", "1\n2\n3\nx\nx"));
	json_t *to = json_pack("[o]", sec("a", "2\n3\n1\nx"));
	json_t *d = plan_diff_sections(from, to);
	json_t *s = json_array_get(d, 0);
	assert_string_equal(joined(json_object_get(s, "removed")), "1|x");
	assert_string_equal(joined(json_object_get(s, "added")), "1");
	json_decref(d);
	json_decref(from);
	json_decref(to);
}

static char *many_lines(int n)
{
	char *t = malloc((size_t)n * 8 + 1);
	char *p = t;
	for (int i = 0; i < n; i++)
		p += sprintf(p, "d%05d\n", i);
	*p = '\0';
	return t;
}

static void test_line_limit(void **state)
{
	(void)state;
	char *ok = many_lines(PLAN_DIFF_MAX_LINES), *over = many_lines(PLAN_DIFF_MAX_LINES + 1);
	json_t *a = json_pack("[o]", sec("a", ok));
	json_t *b = json_pack("[o]", sec("a", over));
	json_t *empty = json_array();
	json_t *d = plan_diff_sections(empty, a);
	assert_non_null(d);
	assert_int_equal(json_array_size(json_object_get(json_array_get(d, 0), "added")),
			 PLAN_DIFF_MAX_LINES);
	json_decref(d);
	assert_null(plan_diff_sections(empty, b));
	json_decref(a);
	json_decref(b);
	json_decref(empty);
	free(ok);
	free(over);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_added_removed),
		cmocka_unit_test(test_identical_and_blank_lines),
		cmocka_unit_test(test_sections_on_one_side),
		cmocka_unit_test(test_moved_and_repeated),
		cmocka_unit_test(test_line_limit),
	};
	return cmocka_run_group_tests_name("plan_diff", tests, NULL, NULL);
}
