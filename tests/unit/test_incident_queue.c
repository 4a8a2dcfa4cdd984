/*
 * test_incident_queue.c - the queue's search text as FTS5 (incident_queue.c):
 * every word a quoted string (quotes doubled), đ/Đ folded to d/D as the
 * index is, the last word a prefix while it is being typed (no space after it), at most LIMIT_SEARCH_TERMS words
 * (LIMIT_SEARCH_TERMS + 1 refused at /q), nothing for blank text.
 */
#include <string.h>

#include "testlib.h"
#include "domain/incident/incident.h"

static void fts(const char *q, const char *want, int terms)
{
	char out[1024];
	struct err e = { 0 };
	assert_int_equal(incident_fts_query(q, out, sizeof(out), &e), terms);
	assert_string_equal(out, want);
}

static void test_words(void **state)
{
	(void)state;
	fts("giao dien", "\"giao\" \"dien\"*", 2);
	/* a space after the last word: it is whole, no prefix */
	fts("  Thay   đổi\tĐẠI ", "\"Thay\" \"dổi\" \"DẠI\"", 3);
	fts("PQ-2026-0007", "\"PQ-2026-0007\"*", 1);
	fts("", "", 0);
	fts(" \t ", "", 0);
}

static void test_syntax_is_text(void **state)
{
	(void)state;
	fts("\"NEAR\" OR", "\"\"\"NEAR\"\"\" \"OR\"*", 2);
	fts("col:title *", "\"col:title\" \"*\"*", 2);
	fts("a\"b", "\"a\"\"b\"*", 1);
}

static void test_word_limit(void **state)
{
	(void)state;
	char q[128] = "", out[1024];
	struct err e = { 0 };
	for (int i = 0; i < LIMIT_SEARCH_TERMS; i++)
		strcat(q, "a ");
	assert_int_equal(incident_fts_query(q, out, sizeof(out), &e), LIMIT_SEARCH_TERMS);
	strcat(q, "b");
	assert_int_equal(incident_fts_query(q, out, sizeof(out), &e), -1);
	assert_int_equal(e.code, E_INVALID);
	assert_string_equal(e.fields[0].pointer, "/q");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_syntax_is_text),
		cmocka_unit_test(test_word_limit),
	};
	return cmocka_run_group_tests_name("incident_queue", tests, NULL, NULL);
}
