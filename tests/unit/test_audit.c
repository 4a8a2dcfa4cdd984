/*
 * test_audit.c - the hash-chained audit log (domain/audit.c): intact after
 * real changes; altering any field of any entry, deleting a middle entry,
 * the newest entry or all of them is found and the entry named; an empty log
 * is intact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "domain/directory/audit.h"
#include "domain/incident/incident.h"
#include "domain/directory/user.h"

static void verify(struct store *db, struct audit_result *r)
{
	struct err e = { 0 };
	assert_int_equal(audit_verify(db, r, &e), 0);
	assert_int_equal(e.code, E_OK);
}

static void run(struct store *db, const char *sql)
{
	struct err e = { 0 };
	if (store_exec(db, sql, &e) != 0)
		fail_msg("%s: %s", sql, e.arg);
}

/* The world itself made entries (orgs, users); add incident work. */
static long long busy_log(struct tdb *t)
{
	char id[UUID_LEN];
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	long long v = t_walk_to(t->db, ST_CLASSIFIED, id);
	assert_int_equal(t_move(&coord, id, &v, "containing", NULL), E_OK);
	struct err e = { 0 };
	json_t *b = json_pack("{s:s}", "body", "Đã cô lập máy chủ web.");
	json_t *r = incident_add_comment(&coord, id, b, &e);
	json_decref(b);
	assert_non_null(r);
	json_decref(r);
	return tdb_count(t->db, "audit_log");
}

static void test_empty_log_intact(void **state)
{
	(void)state;
	struct tdb t;
	struct audit_result r;
	tdb_new(&t);
	verify(t.db, &r);
	assert_int_equal(r.entries, 0);
	assert_int_equal(r.first_bad, 0);
	tdb_free(&t);
}

static void test_chain_intact_after_changes(void **state)
{
	struct tdb *t = *state;
	struct audit_result r;
	char head[80], last[80];
	long long n = busy_log(t);
	/* 5 orgs, 10 users, 1 filing, 4 moves, 1 comment at least. */
	assert_true(n >= 21);
	verify(t->db, &r);
	assert_int_equal(r.entries, n);
	assert_int_equal(r.first_bad, 0);
	/* The head is the newest hash; seqs are 1..n; the first links to genesis. */
	tdb_text(t->db, "SELECT value FROM meta WHERE key = 'audit_head'", head, sizeof(head));
	tdb_text(t->db, "SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1", last, sizeof(last));
	assert_string_equal(head, last);
	assert_int_equal(strlen(head), 64);
	assert_int_equal(tdb_int(t->db, "SELECT MIN(seq) FROM audit_log"), 1);
	assert_int_equal(tdb_int(t->db, "SELECT MAX(seq) FROM audit_log"), n);
	assert_int_equal(tdb_count(t->db, "audit_log a JOIN audit_log b ON b.seq = a.seq + 1 "
				   "WHERE b.prev_hash <> a.hash"), 0);
	tdb_text(t->db, "SELECT prev_hash FROM audit_log WHERE seq = 1", last, sizeof(last));
	assert_string_equal(last, "0000000000000000000000000000000000000000000000000000000000000000");
	/* The entries name who did what. */
	assert_int_equal(tdb_count(t->db, "audit_log WHERE action = 'incident.transition' "
				   "AND actor = 'd-coordinator'"), 1);
	assert_int_equal(tdb_count(t->db, "audit_log WHERE action = 'user.create' "
				   "AND actor = 'system'"), 10);
	/* Appending by hand with the real function keeps it intact. */
	struct ctx sys = t_ctx(t->db, &W.sys);
	struct err e = { 0 };
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(audit_append(&sys, "test.note", "test", "1", NULL, "{\"a\":1}", &e), 0);
	assert_int_equal(audit_append(&sys, "test.note", "test", "2", "", NULL, &e), 0);
	assert_int_equal(store_commit(t->db, &e), 0);
	verify(t->db, &r);
	assert_int_equal(r.entries, n + 2);
	assert_int_equal(r.first_bad, 0);
}

/* Each column of an entry, and how to change it. */
static const struct {
	const char *col, *change;
} columns[] = {
	{ "at", "at = at + 1" },
	{ "actor", "actor = actor || 'x'" },
	{ "action", "action = 'user.delete'" },
	{ "entity", "entity = entity || 's'" },
	{ "entity_id", "entity_id = entity_id || '0'" },
	/* NULL and "" must not hash alike. */
	{ "before", "before = CASE WHEN before IS NULL THEN '' ELSE NULL END" },
	{ "after", "after = CASE WHEN after IS NULL THEN '{}' ELSE after || ' ' END" },
	{ "after", "after = CASE WHEN after IS NULL THEN '' ELSE NULL END" },
	{ "prev_hash", "prev_hash = CASE WHEN substr(prev_hash, 1, 1) = 'f' THEN 'e' ELSE 'f' "
		       "END || substr(prev_hash, 2)" },
	{ "hash", "hash = CASE WHEN substr(hash, 1, 1) = '0' THEN '1' ELSE '0' END || "
		  "substr(hash, 2)" },
};

/* Every column of every entry, one at a time, inside a transaction that is
 * rolled back: the verifier sees the change and names that entry. */
static void test_altered_field_detected(void **state)
{
	struct tdb *t = *state;
	struct audit_result r;
	struct err e = { 0 };
	char sql[512];
	long long n = busy_log(t);
	for (long long seq = 1; seq <= n; seq++) {
		for (size_t c = 0; c < sizeof(columns) / sizeof(columns[0]); c++) {
			assert_int_equal(store_begin(t->db, &e), 0);
			snprintf(sql, sizeof(sql), "UPDATE audit_log SET %s WHERE seq = %lld",
				 columns[c].change, seq);
			int changed = store_run(t->db, &e, sql, "");
			assert_int_equal(changed, 1);
			verify(t->db, &r);
			store_rollback(t->db);
			if (r.first_bad != seq)
				fail_msg("altering %s of entry %lld: first_bad %lld (%s)",
					 columns[c].col, seq, r.first_bad, r.why);
			assert_true(r.why[0] != '\0');
		}
	}
	verify(t->db, &r);
	assert_int_equal(r.first_bad, 0);
}

static void test_deleted_middle_entry_detected(void **state)
{
	struct tdb *t = *state;
	struct audit_result r;
	long long n = busy_log(t), mid = n / 2;
	char sql[128];
	snprintf(sql, sizeof(sql), "DELETE FROM audit_log WHERE seq = %lld", mid);
	run(t->db, sql);
	verify(t->db, &r);
	assert_int_equal(r.first_bad, mid);
	assert_int_equal(r.entries, n - 1);
	assert_non_null(strstr(r.why, "missing"));

	/* The first entry, too. */
	run(t->db, "DELETE FROM audit_log WHERE seq = 1");
	verify(t->db, &r);
	assert_int_equal(r.first_bad, 1);
}

static void test_renumbered_entries_detected(void **state)
{
	struct tdb *t = *state;
	struct audit_result r;
	long long n = busy_log(t), mid = n / 2;
	char sql[160];
	/* Delete one and close the gap: the hashes still tie each entry to its seq. */
	snprintf(sql, sizeof(sql), "DELETE FROM audit_log WHERE seq = %lld; "
		 "UPDATE audit_log SET seq = seq - 1 WHERE seq > %lld", mid, mid);
	run(t->db, sql);
	verify(t->db, &r);
	assert_int_equal(r.first_bad, mid);
}

static void test_deleted_newest_detected(void **state)
{
	struct tdb *t = *state;
	struct audit_result r;
	long long n = busy_log(t);
	char sql[128];
	snprintf(sql, sizeof(sql), "DELETE FROM audit_log WHERE seq = %lld", n);
	run(t->db, sql);
	verify(t->db, &r);
	assert_int_equal(r.entries, n - 1);
	assert_int_equal(r.first_bad, n);
	assert_non_null(strstr(r.why, "newest"));

	/* Everything removed: still found. */
	run(t->db, "DELETE FROM audit_log");
	verify(t->db, &r);
	assert_int_equal(r.entries, 0);
	assert_int_equal(r.first_bad, 1);
}

/* The head alone altered: the newest entry no longer matches it. */
static void test_head_altered_detected(void **state)
{
	struct tdb *t = *state;
	struct audit_result r;
	long long n = busy_log(t);
	run(t->db, "UPDATE meta SET value = 'x' || substr(value, 2) WHERE key = 'audit_head'");
	verify(t->db, &r);
	assert_int_equal(r.first_bad, n + 1);
	run(t->db, "DELETE FROM meta WHERE key = 'audit_head'");
	verify(t->db, &r);
	assert_true(r.first_bad != 0);
}

/* An entry is appended inside the caller's transaction: rolled back with it. */
static void test_append_rolls_back_with_caller(void **state)
{
	struct tdb *t = *state;
	struct audit_result r;
	struct err e = { 0 };
	struct ctx sys = t_ctx(t->db, &W.sys);
	long long n = tdb_count(t->db, "audit_log");
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(audit_append(&sys, "test.note", "test", "1", NULL, NULL, &e), 0);
	store_rollback(t->db);
	assert_int_equal(tdb_count(t->db, "audit_log"), n);
	verify(t->db, &r);
	assert_int_equal(r.first_bad, 0);
	/* A refused change writes no entry. */
	char id[UUID_LEN];
	long long v = t_walk_to(t->db, ST_RECEIVED, id);
	n = tdb_count(t->db, "audit_log");
	struct ctx leader = t_ctx(t->db, &W.role[R_LEADER]);
	assert_int_equal(t_move(&leader, id, &v, "acknowledged", NULL), E_FORBIDDEN);
	assert_int_equal(tdb_count(t->db, "audit_log"), n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_log_intact),
		cmocka_unit_test_setup_teardown(test_chain_intact_after_changes, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_altered_field_detected, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_deleted_middle_entry_detected, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_renumbered_entries_detected, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_deleted_newest_detected, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_head_altered_detected, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_append_rolls_back_with_caller, world_open,
						world_close),
	};
	return cmocka_run_group_tests_name("audit", tests, world_build, world_destroy);
}
