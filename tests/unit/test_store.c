/*
 * test_store.c - the storage interface on SQLite (store/store.c,
 * store/store_sqlite.c): open, query/bind/step and the column getters, the
 * statement cache (reuse, a busy statement in use twice, more texts than
 * slots), errors, transactions, and migrations: twice is idempotent, a
 * database at an older schema version is brought up to date, a failing
 * migration leaves nothing behind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"

/* The embedded migrations (migrations.c, generated at build time). */
struct migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct migration store_migrations[];
extern const size_t store_migrations_count;

static int setup(void **state)
{
	struct tdb *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	tdb_new(t);
	struct err e = { 0 };
	assert_int_equal(store_exec(t->db, "CREATE TABLE kv (k TEXT PRIMARY KEY, i BIGINT, "
				    "b BLOB, n TEXT)", &e), 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tdb *t = *state;
	tdb_free(t);
	free(t);
	return 0;
}

static void test_open(void **state)
{
	(void)state;
	struct err e = { 0 };
	assert_null(store_open("/nonexistent-dir-ungcuu/x.db", &e));
	assert_int_equal(e.code, E_DB);
	err_clear(&e);
	/* a server that cannot be reached is unavailable (503), not broken */
	assert_null(store_open("postgres://localhost/ungcuu", &e));
	assert_int_equal(e.code, E_UNAVAILABLE);
	err_clear(&e);
	assert_null(store_open("postgresql://localhost/ungcuu", &e));
	assert_int_equal(e.code, E_UNAVAILABLE);
	store_close(NULL);

	struct tdb t;
	tdb_new(&t);
	assert_string_equal(store_backend(t.db), "sqlite");
	char mode[16];
	tdb_text(t.db, "PRAGMA journal_mode", mode, sizeof(mode));
	assert_string_equal(mode, "wal");
	assert_int_equal(tdb_int(t.db, "PRAGMA foreign_keys"), 1);
	/* What is committed survives closing. */
	err_clear(&e);
	assert_int_equal(store_run(t.db, &e, "INSERT INTO meta (key, value) VALUES ($1, $2)",
				   "tt", "k", "Phú Quý"), 1);
	store_close(t.db);
	t.db = store_open(t.path, &e);
	assert_non_null(t.db);
	tdb_text(t.db, "SELECT value FROM meta WHERE key = 'k'", mode, sizeof(mode));
	assert_string_equal(mode, "Phú Quý");
	tdb_free(&t);
	/* A file that is not a database. */
	tdb_new(&t);
	store_close(t.db);
	t.db = NULL;
	FILE *f = fopen(t.path, "w");
	assert_non_null(f);
	fputs("this is not a database, just text that is long enough to be a header........"
	      "..............................................................................",
	      f);
	fclose(f);
	char wal[160];
	snprintf(wal, sizeof(wal), "%s-wal", t.path);
	unlink(wal);
	err_clear(&e);
	struct store *s = store_open(t.path, &e);
	if (s) {
		assert_int_equal(store_migrate(s, &e), -1);
		store_close(s);
	}
	assert_int_not_equal(e.code, E_OK);
	tdb_free(&t);
}

static void test_bind_and_read(void **state)
{
	struct tdb *t = *state;
	struct err e = { 0 };
	const unsigned char blob[] = { 0, 1, 2, 0xff, 0 };
	assert_int_equal(store_run(t->db, &e, "INSERT INTO kv (k, i, b, n) VALUES ($1,$2,$3,$4)",
				   "tibn", "a", (int64_t)INT64_MAX, blob, sizeof(blob)), 1);
	assert_int_equal(store_run(t->db, &e, "INSERT INTO kv (k, i, b, n) VALUES ($1,$2,$3,$4)",
				   "tibt", "b", (int64_t)INT64_MIN, blob, (size_t)0, (const char *)NULL),
			 1);
	assert_int_equal(store_run(t->db, &e, "INSERT INTO kv (k, i, n) VALUES ($1,$2,$3)",
				   "tit", "c'; DROP TABLE kv; --", (int64_t)-1, "ủ\ttab"), 1);
	struct stmt *st = store_query(t->db, &e, "SELECT k, i, b, n FROM kv ORDER BY k", "");
	assert_non_null(st);
	assert_int_equal(stmt_step(st, &e), 1);
	assert_string_equal(stmt_text(st, 0), "a");
	assert_int_equal(stmt_int(st, 1), INT64_MAX);
	size_t n = 99;
	const unsigned char *p = stmt_blob(st, 2, &n);
	assert_int_equal(n, sizeof(blob));
	assert_memory_equal(p, blob, sizeof(blob));
	assert_true(stmt_isnull(st, 3));
	assert_null(stmt_text(st, 3));
	assert_false(stmt_isnull(st, 0));
	assert_int_equal(stmt_step(st, &e), 1);
	assert_string_equal(stmt_text(st, 0), "b");
	assert_int_equal(stmt_int(st, 1), INT64_MIN);
	assert_true(stmt_isnull(st, 3));
	assert_int_equal(stmt_step(st, &e), 1);
	assert_string_equal(stmt_text(st, 0), "c'; DROP TABLE kv; --");
	assert_string_equal(stmt_text(st, 3), "ủ\ttab");
	assert_true(stmt_isnull(st, 2));
	assert_int_equal(stmt_step(st, &e), 0);
	stmt_done(st);
	stmt_done(NULL);
	assert_int_equal(tdb_count(t->db, "kv"), 3);

	/* Parameters by number, reused, and absent from the text: ignored. */
	st = store_query(t->db, &e, "SELECT $2 || $1 || $2", "ttt", "x", "y", "unused");
	assert_non_null(st);
	assert_int_equal(stmt_step(st, &e), 1);
	assert_string_equal(stmt_text(st, 0), "yxy");
	stmt_done(st);
	/* store_run returns the rows changed. */
	assert_int_equal(store_run(t->db, &e, "UPDATE kv SET i = 0", ""), 3);
	assert_int_equal(store_run(t->db, &e, "UPDATE kv SET i = 1 WHERE k = $1", "t", "zz"), 0);
	assert_int_equal(store_run(t->db, &e, "DELETE FROM kv WHERE k = $1", "t", "a"), 1);
	assert_int_equal(e.code, E_OK);
}

static void test_errors(void **state)
{
	struct tdb *t = *state;
	struct err e = { 0 };
	assert_null(store_query(t->db, &e, "SELEC 1", ""));
	assert_int_equal(e.code, E_DB);
	err_clear(&e);
	assert_null(store_query(t->db, &e, "SELECT * FROM nowhere", ""));
	assert_int_equal(e.code, E_DB);
	err_clear(&e);
	assert_null(store_query(t->db, &e, "SELECT $1", "x", "a"));
	assert_int_equal(e.code, E_INTERNAL);
	err_clear(&e);
	assert_int_equal(store_exec(t->db, "NOT SQL", &e), -1);
	assert_int_equal(e.code, E_DB);
	/* A unique key violated is a conflict (409), not a server error. */
	err_clear(&e);
	assert_int_equal(store_run(t->db, &e, "INSERT INTO kv (k) VALUES ($1)", "t", "dup"), 1);
	assert_int_equal(store_run(t->db, &e, "INSERT INTO kv (k) VALUES ($1)", "t", "dup"), -1);
	assert_int_equal(e.code, E_CONFLICT);
	/* Foreign keys are enforced. */
	err_clear(&e);
	assert_int_equal(store_run(t->db, &e, "INSERT INTO users (id, username, org_id, roles, "
				   "pw_hash, created_at) VALUES ('u', 'u', 'no-org', 'admin', 'x', 0)",
				   ""), -1);
	assert_int_not_equal(e.code, E_OK);
	assert_int_equal(tdb_count(t->db, "users"), 0);
	/* The failed statements left the connection usable. */
	err_clear(&e);
	assert_int_equal(tdb_count(t->db, "kv"), 1);
}

static void test_cache(void **state)
{
	struct tdb *t = *state;
	struct err e = { 0 };
	const char *sql = "SELECT COUNT(*) FROM kv WHERE k <> $1";
	struct stmt *a = store_query(t->db, &e, sql, "t", "x");
	assert_non_null(a);
	stmt_done(a);
	struct stmt *b = store_query(t->db, &e, sql, "t", "y");
	assert_ptr_equal(a, b); /* prepared once, reused */
	/* While b is in use the same text gets another statement. */
	struct stmt *c = store_query(t->db, &e, sql, "t", "z");
	assert_non_null(c);
	assert_ptr_not_equal(b, c);
	assert_int_equal(stmt_step(b, &e), 1);
	assert_int_equal(stmt_step(c, &e), 1);
	stmt_done(c);
	stmt_done(b);
	/* Bindings do not leak from one use into the next. */
	assert_int_equal(store_run(t->db, &e, "INSERT INTO kv (k, n) VALUES ($1, $2)", "tt",
				   "k1", "v1"), 1);
	assert_int_equal(store_run(t->db, &e, "INSERT INTO kv (k, n) VALUES ($1, $2)", "t",
				   "k2"), 1);
	assert_int_equal(tdb_count(t->db, "kv WHERE k = 'k2' AND n IS NULL"), 1);
	/* A statement reset after a partial read starts from the top. */
	struct stmt *s = store_query(t->db, &e, "SELECT k FROM kv ORDER BY k", "");
	assert_int_equal(stmt_step(s, &e), 1);
	stmt_done(s);
	s = store_query(t->db, &e, "SELECT k FROM kv ORDER BY k", "");
	assert_int_equal(stmt_step(s, &e), 1);
	assert_string_equal(stmt_text(s, 0), "k1");
	stmt_done(s);
	/* Many more distinct texts than cache slots: all work, none leak. */
	char q[64];
	for (int i = 0; i < 1000; i++) {
		snprintf(q, sizeof(q), "SELECT %d + $1", i);
		s = store_query(t->db, &e, q, "i", (int64_t)1);
		assert_non_null(s);
		assert_int_equal(stmt_step(s, &e), 1);
		assert_int_equal(stmt_int(s, 0), i + 1);
		stmt_done(s);
	}
	/* And the early ones are still served. */
	s = store_query(t->db, &e, "SELECT 5 + $1", "i", (int64_t)1);
	assert_int_equal(stmt_step(s, &e), 1);
	assert_int_equal(stmt_int(s, 0), 6);
	stmt_done(s);
	/* Several uncached statements of one text open at once. */
	struct stmt *open[5];
	for (int i = 0; i < 5; i++) {
		open[i] = store_query(t->db, &e, "SELECT 999 + $1", "i", (int64_t)i);
		assert_non_null(open[i]);
	}
	for (int i = 0; i < 5; i++) {
		assert_int_equal(stmt_step(open[i], &e), 1);
		assert_int_equal(stmt_int(open[i], 0), 999 + i);
		stmt_done(open[i]);
	}
}

static void test_transactions(void **state)
{
	struct tdb *t = *state;
	struct err e = { 0 };
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(store_run(t->db, &e, "INSERT INTO kv (k) VALUES ('t1')", ""), 1);
	assert_int_equal(store_commit(t->db, &e), 0);
	assert_int_equal(tdb_count(t->db, "kv WHERE k = 't1'"), 1);

	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(store_run(t->db, &e, "INSERT INTO kv (k) VALUES ('t2')", ""), 1);
	assert_int_equal(tdb_count(t->db, "kv WHERE k = 't2'"), 1); /* seen inside */
	store_rollback(t->db);
	assert_int_equal(tdb_count(t->db, "kv WHERE k = 't2'"), 0);
	store_rollback(t->db); /* no transaction: nothing happens */

	/* Nested begin is refused and the outer transaction goes on. */
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(store_begin(t->db, &e), -1);
	assert_int_equal(e.code, E_INTERNAL);
	err_clear(&e);
	assert_int_equal(store_run(t->db, &e, "INSERT INTO kv (k) VALUES ('t3')", ""), 1);
	assert_int_equal(store_commit(t->db, &e), 0);
	assert_int_equal(tdb_count(t->db, "kv WHERE k = 't3'"), 1);
	/* Commit without a transaction is an error; the store stays usable. */
	assert_int_equal(store_commit(t->db, &e), -1);
	err_clear(&e);
	assert_int_equal(store_begin(t->db, &e), 0);
	store_rollback(t->db);

	/* Another connection does not see uncommitted work, and waits to write. */
	struct store *other = store_open(t->path, &e);
	assert_non_null(other);
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(store_run(t->db, &e, "INSERT INTO kv (k) VALUES ('t4')", ""), 1);
	assert_int_equal(tdb_count(other, "kv WHERE k = 't4'"), 0);
	assert_int_equal(store_commit(t->db, &e), 0);
	assert_int_equal(tdb_count(other, "kv WHERE k = 't4'"), 1);
	store_close(other);
}

static void test_migrate_twice(void **state)
{
	(void)state;
	struct tdb t;
	struct err e = { 0 };
	int last = store_migrations[store_migrations_count - 1].version;
	tdb_new(&t); /* migrated once */
	assert_int_equal(store_schema_version(t.db), last);
	assert_int_equal(tdb_count(t.db, "schema_migrations"), (long long)store_migrations_count);
	long long tables = tdb_count(t.db, "sqlite_master");
	assert_int_equal(store_migrate(t.db, &e), 0);
	assert_int_equal(store_migrate(t.db, &e), 0);
	assert_int_equal(e.code, E_OK);
	assert_int_equal(store_schema_version(t.db), last);
	assert_int_equal(tdb_count(t.db, "sqlite_master"), tables);
	assert_int_equal(tdb_count(t.db, "schema_migrations"), (long long)store_migrations_count);
	/* Versions are increasing and named after their files. */
	for (size_t i = 0; i < store_migrations_count; i++) {
		assert_true(store_migrations[i].version > 0);
		if (i)
			assert_true(store_migrations[i].version > store_migrations[i - 1].version);
		char sql[128], name[64];
		snprintf(sql, sizeof(sql), "SELECT name FROM schema_migrations WHERE version = %d",
			 store_migrations[i].version);
		assert_string_equal(tdb_text(t.db, sql, name, sizeof(name)), store_migrations[i].name);
	}
	tdb_free(&t);
}

/* An empty file: version 0 until migrated, then the latest. */
static void test_migrate_empty(void **state)
{
	(void)state;
	struct tdb t;
	struct err e = { 0 };
	tdb_new(&t);
	store_close(t.db);
	unlink(t.path);
	t.db = store_open(t.path, &e);
	assert_non_null(t.db);
	assert_int_equal(store_schema_version(t.db), 0);
	assert_int_equal(store_migrate(t.db, &e), (int)store_migrations_count);
	assert_int_equal(store_schema_version(t.db),
			 store_migrations[store_migrations_count - 1].version);
	tdb_free(&t);
}

/* A database left at each older version (the first k migrations applied by
 * an older build) is brought up to date by the rest, keeping its data. */
static void test_migrate_from_older(void **state)
{
	(void)state;
	for (size_t k = 0; k < store_migrations_count; k++) {
		struct tdb t;
		struct err e = { 0 };
		tdb_new(&t);
		store_close(t.db);
		unlink(t.path);
		t.db = store_open(t.path, &e);
		assert_non_null(t.db);
		assert_int_equal(store_exec(t.db, "CREATE TABLE schema_migrations (version "
					    "INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at "
					    "BIGINT NOT NULL)", &e), 0);
		for (size_t i = 0; i < k; i++) {
			assert_int_equal(store_exec(t.db, store_migrations[i].sql, &e), 0);
			assert_int_equal(store_run(t.db, &e, "INSERT INTO schema_migrations VALUES "
						   "($1, $2, 0)", "it", (int64_t)store_migrations[i].version,
						   store_migrations[i].name), 1);
		}
		/* Something written at the old version. */
		if (k > 0)
			assert_int_equal(store_run(t.db, &e, "INSERT INTO meta (key, value) VALUES "
						   "('old', 'kept')", ""), 1);
		assert_int_equal(store_schema_version(t.db),
				 k ? store_migrations[k - 1].version : 0);
		assert_int_equal(store_migrate(t.db, &e), (int)(store_migrations_count - k));
		assert_int_equal(store_schema_version(t.db),
				 store_migrations[store_migrations_count - 1].version);
		if (k > 0)
			assert_int_equal(tdb_count(t.db, "meta WHERE key = 'old'"), 1);
		assert_int_equal(store_migrate(t.db, &e), 0);
		tdb_free(&t);
	}
}

/* A migration that fails is rolled back whole: no half-made schema. */
static void test_migrate_failure_rolls_back(void **state)
{
	(void)state;
	struct tdb t;
	struct err e = { 0 };
	tdb_new(&t);
	store_close(t.db);
	unlink(t.path);
	t.db = store_open(t.path, &e);
	/* A table the first migration creates, already there (in the way). */
	assert_int_equal(store_exec(t.db, "CREATE TABLE incidents (x INTEGER)", &e), 0);
	assert_int_equal(store_migrate(t.db, &e), -1);
	assert_int_equal(e.code, E_DB);
	assert_int_equal(store_schema_version(t.db), 0);
	assert_int_equal(tdb_count(t.db, "sqlite_master WHERE name = 'orgs'"), 0);
	assert_int_equal(tdb_count(t.db, "sqlite_master WHERE name = 'meta'"), 0);
	/* The connection is not left inside a transaction. */
	err_clear(&e);
	assert_int_equal(store_begin(t.db, &e), 0);
	store_rollback(t.db);
	/* Out of the way, it migrates. */
	assert_int_equal(store_exec(t.db, "DROP TABLE incidents", &e), 0);
	assert_int_equal(store_migrate(t.db, &e), (int)store_migrations_count);
	tdb_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test_setup_teardown(test_bind_and_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test(test_migrate_twice),
		cmocka_unit_test(test_migrate_empty),
		cmocka_unit_test(test_migrate_from_older),
		cmocka_unit_test(test_migrate_failure_rolls_back),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
