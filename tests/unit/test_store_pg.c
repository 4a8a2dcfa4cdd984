/*
 * test_store_pg.c - the PostgreSQL backend (store/store_pg.c): the dialect
 * rule (always), and against a real server (UNGCUU_TEST_PG=postgres://
 * user@host:port/, as `make check-pg` starts one; left out with a message
 * without it): every migration on an empty database, binary blobs, 64-bit
 * integers, NULLs, a unique violation as a conflict, text compared with an
 * integer column, booleans read as 0/1, rollback, change capture for the
 * audit log, search through MATCH, a lost connection opened again, and
 * the change stamp across nodes (LISTEN/NOTIFY).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "domain/ioc/indicator.h"
#include "../../src/store/store_int.h"

static void test_translate(void **state)
{
	(void)state;
	int n = -1;
	char *t = store_pg_translate("CREATE TABLE x (a INTEGER, b BLOB, c REAL, "
				     "d TEXT DEFAULT 'INTEGER BLOB') WITHOUT ROWID", &n);
	assert_non_null(t);
	assert_string_equal(t, "CREATE TABLE x (a BIGINT, b BYTEA, c DOUBLE PRECISION, "
			    "d TEXT DEFAULT 'INTEGER BLOB') ");
	assert_int_equal(n, 0);
	free(t);

	t = store_pg_translate("SELECT rowid FROM incident_fts WHERE incident_fts MATCH $3 "
			       "AND x = $1 AND y = 'it''s $9'", &n);
	assert_string_equal(t, "SELECT rowid FROM incident_fts WHERE incident_fts.doc @@ "
			    "ungcuu_tsquery($3) AND x = $1 AND y = 'it''s $9'");
	assert_int_equal(n, 3);
	free(t);

	t = store_pg_translate("INSERT OR IGNORE INTO t (a) VALUES ($1);", &n);
	assert_string_equal(t, "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING");
	free(t);

	/* dollar-quoted bodies and comments are left as they are */
	t = store_pg_translate("CREATE FUNCTION f() RETURNS int AS $f$ SELECT 1::INTEGER $f$ "
			       "LANGUAGE sql; -- an INTEGER here\nSELECT $$INTEGER$$", &n);
	assert_string_equal(t, "CREATE FUNCTION f() RETURNS int AS $f$ SELECT 1::INTEGER $f$ "
			    "LANGUAGE sql; -- an INTEGER here\nSELECT $$INTEGER$$");
	assert_int_equal(n, 0);
	free(t);

	/* words that only contain the keywords are not touched */
	t = store_pg_translate("SELECT integer_value, realm, blobs FROM matches", &n);
	assert_string_equal(t, "SELECT integer_value, realm, blobs FROM matches");
	free(t);
}

struct pgdb {
	char admin[512], url[600], name[64];
	struct store *db;
};

/* A fresh database on the test server; 0 when there is no server. */
static int pg_new(struct pgdb *p)
{
	const char *base = getenv("UNGCUU_TEST_PG");
	if (base == NULL || *base == '\0')
		return 0;
	struct err e = { 0 };
	snprintf(p->admin, sizeof(p->admin), "%spostgres", base);
	snprintf(p->name, sizeof(p->name), "ut_%ld", (long)getpid());
	snprintf(p->url, sizeof(p->url), "%s%s", base, p->name);
	struct store *a = store_open(p->admin, &e);
	if (a == NULL) {
		print_message("store_pg: %s unreachable (%s)\n", p->admin, e.arg);
		return 0;
	}
	char sql[200];
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", p->name);
	assert_int_equal(store_exec(a, sql, &e), 0);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", p->name);
	assert_int_equal(store_exec(a, sql, &e), 0);
	store_close(a);
	p->db = store_open(p->url, &e);
	assert_non_null(p->db);
	assert_string_equal(store_backend(p->db), "postgresql");
	return 1;
}

static void pg_free(struct pgdb *p)
{
	struct err e = { 0 };
	char sql[200];
	store_close(p->db);
	struct store *a = store_open(p->admin, &e);
	assert_non_null(a);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", p->name);
	assert_int_equal(store_exec(a, sql, &e), 0);
	store_close(a);
}

/* Only run with UNGCUU_TEST_PG set (main): unreachable then is a failure. */
#define NEED_PG(p)                                                              \
	do {                                                                    \
		if (!pg_new(p))                                                 \
			fail_msg("UNGCUU_TEST_PG is set but unreachable");      \
	} while (0)

static void test_values(void **state)
{
	(void)state;
	struct pgdb p;
	struct err e = { 0 };
	NEED_PG(&p);
	assert_true(store_migrate(p.db, &e) > 0);   /* the prelude's functions */
	assert_int_equal(store_exec(p.db, "CREATE TABLE kv (k TEXT PRIMARY KEY, i INTEGER, "
				    "b BLOB, n TEXT)", &e), 0);
	const unsigned char blob[] = { 0, 1, 2, 0xff, 0, '\\', 'x', 0 };
	assert_int_equal(store_run(p.db, &e, "INSERT INTO kv (k, i, b, n) VALUES ($1, $2, $3, $4)",
				   "tibn", "a", (int64_t)253402300799999, blob, sizeof(blob)), 1);
	/* more arguments than the statement uses, as on SQLite */
	struct stmt *st = store_query(p.db, &e, "SELECT i, b, n, i > 0, k FROM kv WHERE k = $1",
				      "ti", "a", (int64_t)7);
	assert_non_null(st);
	assert_int_equal(stmt_step(st, &e), 1);
	assert_int_equal(stmt_int(st, 0), 253402300799999);
	size_t len = 0;
	const void *b = stmt_blob(st, 1, &len);
	assert_int_equal(len, sizeof(blob));
	assert_memory_equal(b, blob, sizeof(blob));
	assert_true(stmt_isnull(st, 2));
	assert_null(stmt_text(st, 2));
	assert_int_equal(stmt_int(st, 3), 1);
	assert_string_equal(stmt_text(st, 3), "1");
	assert_string_equal(stmt_text(st, 4), "a");
	assert_int_equal(stmt_step(st, &e), 0);
	stmt_done(st);

	/* a text compared with an integer column; an integer where a text is */
	st = store_query(p.db, &e, "SELECT COUNT(*) FROM kv WHERE i = $1 AND ($2 IS NULL OR k = $2)",
			 "tt", "253402300799999", NULL);
	assert_non_null(st);
	assert_int_equal(stmt_step(st, &e), 1);
	assert_int_equal(stmt_int(st, 0), 1);
	stmt_done(st);

	/* a unique violation is a conflict */
	assert_int_equal(store_run(p.db, &e, "INSERT INTO kv (k) VALUES ($1)", "t", "a"), -1);
	assert_int_equal(e.code, E_CONFLICT);
	err_clear(&e);
	/* a bad statement is an error (prepared at the first step, when the
	 * parameters' kinds are known), and the connection goes on */
	st = store_query(p.db, &e, "SELECT nope FROM kv", "");
	assert_true(st == NULL || stmt_step(st, &e) == -1);
	stmt_done(st);
	assert_int_equal(e.code, E_DB);
	err_clear(&e);

	/* rollback undoes; commit keeps; changes count rows */
	assert_int_equal(store_begin(p.db, &e), 0);
	assert_int_equal(store_run(p.db, &e, "INSERT INTO kv (k, i) VALUES ('r', 1)", ""), 1);
	store_rollback(p.db);
	assert_int_equal(store_begin(p.db, &e), 0);
	assert_int_equal(store_run(p.db, &e, "INSERT INTO kv (k, i) VALUES ('c', 1), ('d', 1)", ""), 2);
	assert_int_equal(store_commit(p.db, &e), 0);
	st = store_query(p.db, &e, "SELECT group_concat(k, '|') FROM (SELECT k FROM kv ORDER BY k) x", "");
	assert_int_equal(stmt_step(st, &e), 1);
	assert_string_equal(stmt_text(st, 0), "a|c|d");
	stmt_done(st);
	pg_free(&p);
}

static void test_migrations_and_capture(void **state)
{
	(void)state;
	struct pgdb p;
	struct err e = { 0 };
	NEED_PG(&p);
	assert_int_equal(store_watch(p.db, "orgs", 1, &e), 0);
	int n = store_migrate(p.db, &e);
	if (n < 0)
		fail_msg("migrate: %s", e.arg);
	assert_int_equal(n, (int)store_migrations_count);
	assert_int_equal(store_schema_version(p.db), store_migrations_latest());
	assert_int_equal(store_migrate(p.db, &e), 0);

	/* the positions of pragma_table_info, from 0 */
	struct stmt *st = store_query(p.db, &e, "SELECT cid, name FROM pragma_table_info($1) "
				      "ORDER BY cid LIMIT 1", "t", "orgs");
	assert_int_equal(stmt_step(st, &e), 1);
	assert_int_equal(stmt_int(st, 0), 0);
	assert_string_equal(stmt_text(st, 1), "id");
	stmt_done(st);

	/* the trigger of a watched table reports insert, update (with the
	 * changed column's bit) and delete, in order */
	struct store_change *ch = NULL;
	store_changes_free(ch, store_changes_take(p.db, &ch));
	st = store_query(p.db, &e, "SELECT name FROM pragma_table_info('orgs') ORDER BY cid", "");
	int name_col = -1, i = 0;
	while (stmt_step(st, &e) == 1) {
		if (strcmp(stmt_text(st, 0), "name") == 0)
			name_col = i;
		i++;
	}
	stmt_done(st);
	assert_true(name_col > 0);
	assert_int_equal(store_begin(p.db, &e), 0);
	assert_int_equal(store_run(p.db, &e, "INSERT INTO orgs (id, code, name, kind, path, "
				   "created_at) VALUES ('o1', 'c1', 'Một', 'ward', '/o1/', 1)", ""), 1);
	assert_int_equal(store_run(p.db, &e, "UPDATE orgs SET name = 'Hai' WHERE id = 'o1'", ""), 1);
	assert_int_equal(store_run(p.db, &e, "UPDATE orgs SET name = 'Hai' WHERE id = 'o1'", ""), 1);
	assert_int_equal(store_run(p.db, &e, "UPDATE orgs SET id = 'o2' WHERE id = 'o1'", ""), 1);
	assert_int_equal(store_run(p.db, &e, "DELETE FROM orgs WHERE id = 'o2'", ""), 1);
	size_t got = store_changes_take(p.db, &ch);
	/* insert; the name; (no change: nothing); the key moved: old and new; delete */
	assert_int_equal(got, 5);
	assert_string_equal(ch[0].key[0], "o1");
	assert_int_equal(ch[0].changed, UINT64_MAX);
	assert_int_equal(ch[1].changed, 1ULL << name_col);
	assert_string_equal(ch[2].key[0], "o1");
	assert_int_equal(ch[2].changed, UINT64_MAX);
	assert_string_equal(ch[3].key[0], "o2");
	assert_string_equal(ch[4].key[0], "o2");
	assert_int_equal(ch[4].changed, UINT64_MAX);
	for (size_t k = 0; k < got; k++)
		assert_int_equal(ch[k].table, 0);
	store_changes_free(ch, got);
	/* taken once: nothing is left */
	assert_int_equal(store_changes_take(p.db, &ch), 0);
	store_changes_free(ch, 0);
	store_rollback(p.db);
	pg_free(&p);
}

static void test_search(void **state)
{
	(void)state;
	struct pgdb p;
	struct err e = { 0 };
	NEED_PG(&p);
	assert_true(store_migrate(p.db, &e) > 0);
	assert_int_equal(store_run(p.db, &e, "INSERT INTO incident_fts (rowid, number, title, "
				   "description, observables, comments) VALUES (1, 'PQ-1', "
				   "'Tấn công giao diện cổng thông tin', 'Đăng nhập trái phép', '', '')",
				   ""), 1);
	static const struct { const char *q; int hits; } cases[] = {
		{ "\"giao\" \"dien\"*", 1 },     /* marks folded */
		{ "\"dang\" \"nhap\"", 1 },      /* đ as d */
		{ "\"cổng\" \"thô\"*", 1 },      /* the last word a prefix */
		{ "\"cổng\" \"thô\"", 0 },       /* the others whole words */
		{ "\"x\"\"y\"", 0 },             /* a doubled quote is a quote */
		{ "\"pq-1\"", 1 },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct stmt *st = store_query(p.db, &e, "SELECT COUNT(*) FROM incident_fts WHERE "
					      "incident_fts MATCH $1", "t", cases[k].q);
		assert_non_null(st);
		assert_int_equal(stmt_step(st, &e), 1);
		if (stmt_int(st, 0) != cases[k].hits)
			fail_msg("%s: %lld hits", cases[k].q, (long long)stmt_int(st, 0));
		stmt_done(st);
	}
	pg_free(&p);
}

/* The stamp of the next answer of s (a bounded wait while its control
 * connection comes up: -1 meanwhile). */
static int64_t live_stamp(struct store *s)
{
	for (int i = 0; i < 500; i++) {
		int64_t v = store_stamp(s);
		if (v >= 0)
			return v;
		usleep(10000);
	}
	fail_msg("the control connection did not come up");
	return -1;
}

/* Caches across nodes: the stamp moves with every NOTIFY on the channel
 * (another node's commit), at once for the next reader; not with reads nor
 * with a rolled-back write; and it is -1, then new, when the control
 * connection is lost. */
static void test_stamp(void **state)
{
	(void)state;
	struct pgdb p;
	struct err e = { 0 };
	NEED_PG(&p);
	struct store *other = store_open(p.url, &e);
	assert_non_null(other);
	int64_t a = live_stamp(p.db);
	assert_true(a >= 1);
	assert_int_equal(store_stamp(p.db), a);
	/* another node's commit: only PostgreSQL tells this process */
	assert_int_equal(store_exec(other, "NOTIFY ungcuu_stamp", &e), 0);
	int64_t b = store_stamp(p.db);
	assert_true(b > a);
	/* reads and a rolled-back write change nothing */
	assert_int_equal(store_exec(other, "SELECT 1", &e), 0);
	assert_int_equal(store_begin(other, &e), 0);
	store_rollback(other);
	assert_int_equal(store_stamp(p.db), b);
	/* a write transaction of this process: at once too */
	assert_int_equal(store_begin(other, &e), 0);
	assert_int_equal(store_commit(other, &e), 0);
	int64_t c = store_stamp(p.db);
	assert_true(c > b);
	/* the control connection lost: everything cached before is dropped */
	assert_int_equal(store_exec(other, "SELECT pg_terminate_backend(pid) FROM "
				    "pg_stat_activity WHERE datname = current_database() AND "
				    "application_name = 'ungcuu-control'", &e), 0);
	int64_t d = -1;
	for (int i = 0; i < 500 && (d = store_stamp(p.db)) <= c; i++)
		usleep(10000);
	assert_true(d > c);
	store_close(other);
	pg_free(&p);
}

/* Without a server only the dialect rule runs (cmocka's skip() prints
 * "not ok # SKIP", which Meson counts as a failure). */
int main(void)
{
	indicator_observables_install(); /* as main() does */
	const struct CMUnitTest offline[] = {
		cmocka_unit_test(test_translate),
	};
	const struct CMUnitTest all[] = {
		cmocka_unit_test(test_translate),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_migrations_and_capture),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_stamp),
	};
	const char *base = getenv("UNGCUU_TEST_PG");
	if (base == NULL || *base == '\0') {
		fprintf(stderr, "# store_pg: no PostgreSQL (set UNGCUU_TEST_PG=postgres://user@host:port/,"
			" or run make check-pg): the server tests are left out\n");
		return cmocka_run_group_tests(offline, NULL, NULL);
	}
	return cmocka_run_group_tests(all, NULL, NULL);
}
