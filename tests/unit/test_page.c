/*
 * test_page.c - keyset paging of the lists (domain/page.c): pages of a
 * table walked with their cursors give every row once, in the order of the
 * whole list, for a text key holding dots, backslashes and control
 * characters, an integer key with negatives and ties, both orders; and the
 * cursors that are refused (422 at /cursor, /sort, /order).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/buf.h"
#include "base/uuid.h"
#include "domain/page.h"

static const struct page_key keys[] = {
	{ "k", "t.k", 't', 0 },
	{ "n", "t.n", 'i', 1 },
	{ NULL, NULL, 0, 0 },
};

static const char *const texts[] = {
	"a.b", "a\\b", "a\\\\b", "tab\there", "nl\nx", "\\x41", "", "Đường truyền", "a.b",
	"z", "..", "\\", "Z.\\x0a", NULL,
};

static json_t *row(struct stmt *st)
{
	return json_pack("{s:s}", "id", stmt_text(st, 0));
}

static void fill(struct store *db)
{
	struct err e = { 0 };
	char id[UUID_LEN];
	assert_int_equal(store_exec(db, "CREATE TABLE t (id TEXT PRIMARY KEY, k TEXT NOT NULL, "
				    "n INTEGER NOT NULL)", &e), 0);
	for (int i = 0; texts[i]; i++)
		assert_int_equal(store_run(db, &e, "INSERT INTO t VALUES ($1, $2, $3)", "tti",
					   uuid7(id), texts[i], (int64_t)((i % 4) - 2)), 1);
}

/* The ids of one page after cursor (NULL: the first), into all; the next cursor. */
static char *one_page(struct store *db, const char *sort, const char *order, const char *cursor,
		      int limit, json_t *all)
{
	struct err e = { 0 };
	struct page p;
	struct buf sql;
	assert_int_equal(page_begin(keys, sort, order, cursor, limit, &p, &e), 0);
	buf_init(&sql, 4096);
	buf_adds(&sql, "SELECT t.id");
	page_column(&p, &sql);
	buf_adds(&sql, "FROM t WHERE 1 = 1");
	page_sql(&p, "t.id", 1, &sql);
	struct stmt *st = store_query(db, &e, sql.p, "tt", page_bind_key(&p), page_bind_id(&p));
	assert_non_null(st);
	json_t *out = page_items(&p, st, 1, 0, row, &e);
	assert_non_null(out);
	buf_release(&sql);
	json_array_extend(all, json_object_get(out, "items"));
	const char *next = json_string_value(json_object_get(out, "next_cursor"));
	char *r = next ? strdup(next) : NULL;
	json_decref(out);
	return r;
}

static void walk_equals_whole(void **state)
{
	struct tdb t;
	(void)state;
	tdb_new(&t);
	fill(t.db);
	const char *sorts[] = { "k", "n" }, *orders[] = { "asc", "desc" };
	for (int s = 0; s < 2; s++) {
		for (int o = 0; o < 2; o++) {
			json_t *whole = json_array(), *paged = json_array();
			char *c = one_page(t.db, sorts[s], orders[o], NULL, 500, whole);
			assert_null(c);
			int pages = 0;
			do {
				char *next = one_page(t.db, sorts[s], orders[o], c, 2, paged);
				free(c);
				c = next;
				pages++;
			} while (c && pages < 100);
			assert_true(json_equal(whole, paged));
			assert_int_equal(json_array_size(whole), 13);
			json_decref(whole);
			json_decref(paged);
		}
	}
	tdb_free(&t);
}

static void bad_input(void **state)
{
	(void)state;
	struct page p;
	static const char *const bad[] = {
		"", "k", "k.", "n.1.x", "k.a.not-a-uuid", "n..01900000-0000-7000-8000-000000000000",
		"n.1a.01900000-0000-7000-8000-000000000000", "n.-.01900000-0000-7000-8000-000000000000",
		"n.12345678901234567890.01900000-0000-7000-8000-000000000000",
		"k.\\q.01900000-0000-7000-8000-000000000000",
		"k.\\x41.01900000-0000-7000-8000-000000000000",
		"k.\\x00.01900000-0000-7000-8000-000000000000",
		"k.a\\.01900000-0000-7000-8000-000000000000",
		"k.\x01.01900000-0000-7000-8000-000000000000",
		"k.\xc3.01900000-0000-7000-8000-000000000000",
		"n.1.01900000-0000-7000-8000-000000000000",   /* checked against sort k below */
		NULL,
	};
	for (int i = 0; bad[i]; i++) {
		struct err e = { 0 };
		assert_int_equal(page_begin(keys, "k", NULL, bad[i], 0, &p, &e), -1);
		assert_int_equal(e.code, E_INVALID);
		assert_string_equal(e.fields[0].pointer, "/cursor");
	}
	struct err e = { 0 };
	assert_int_equal(page_begin(keys, "k", NULL, "k.a\\\\b\\x0a.01900000-0000-7000-8000-000000000000",
				    0, &p, &e), 0);
	assert_string_equal(p.after_key, "a\\b\n");
	assert_int_equal(p.limit, LIMIT_PAGE_DEFAULT);
	assert_int_equal(page_begin(keys, "x", NULL, NULL, 0, &p, &e), -1);
	assert_string_equal(e.fields[0].pointer, "/sort");
	err_clear(&e);
	assert_int_equal(page_begin(keys, NULL, "up", NULL, 0, &p, &e), -1);
	assert_string_equal(e.fields[0].pointer, "/order");
	err_clear(&e);
	assert_int_equal(page_begin(keys, NULL, NULL, NULL, 7, &p, &e), 0);
	assert_string_equal(p.key->name, "k");
	assert_false(p.desc);
	assert_int_equal(p.limit, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(walk_equals_whole),
		cmocka_unit_test(bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
