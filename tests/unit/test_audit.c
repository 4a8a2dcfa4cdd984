/*
 * test_audit.c - the audit log (domain/directory/audit.c): intact after
 * real changes; altering any field of any entry, deleting a middle entry,
 * the newest entry or all of them is found and the entry named; an empty log
 * is intact. The log proves the state: a row edited, added or deleted by
 * another program (a second SQLite connection, as the sqlite3 shell) is
 * named by table, id and field; entries cut with the head moved back are
 * caught by the signed checkpoint; writes outside a transaction are sealed;
 * login counters are not logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <sqlite3.h>

#include "testlib.h"
#include "base/crypto.h"
#include "domain/directory/audit.h"
#include "domain/incident/incident.h"
#include "domain/directory/user.h"

/* Keeps r->report: the caller releases it. */
static void verify_keep(struct store *db, struct audit_result *r)
{
	struct err e = { 0 };
	assert_int_equal(audit_verify(db, r, &e), 0);
	assert_int_equal(e.code, E_OK);
}

static void verify(struct store *db, struct audit_result *r)
{
	verify_keep(db, r);
	audit_result_release(r);
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
	/* Nobody acted: the one entry is the baseline, sealing the rows that
	 * migrations seed (015: the outline of response plans) once, so that
	 * the log still proves them. */
	assert_int_equal(r.entries, 1);
	assert_int_equal(tdb_count(t.db, "audit_log WHERE action = 'audit.baseline'"), 1);
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
	/* The rows a transaction wrote, and the kind of hash (keyed or not). */
	{ "rows", "rows = CASE WHEN rows IS NULL THEN '[]' ELSE rows || ' ' END" },
	{ "v", "v = CASE WHEN v = 2 THEN 1 ELSE 2 END" },
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

/* ---- the state: edits made by another program ---- */

/* An outside editor: a plain SQLite connection, no key, no capture. */
static void outside(struct tdb *t, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	assert_int_equal(sqlite3_open(t->path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
	sqlite3_close(db);
}

/* Whether the report names kind, table and field (NULL: any). */
static int names(const struct audit_result *r, const char *kind, const char *table,
		 const char *field)
{
	size_t i;
	json_t *p;
	json_array_foreach(r->report, i, p) {
		const char *k = json_string_value(json_object_get(p, "kind"));
		const char *t = json_string_value(json_object_get(p, "table"));
		const char *f = json_string_value(json_object_get(p, "field"));
		if (k && strcmp(k, kind) == 0 && (table == NULL || (t && strcmp(t, table) == 0)) &&
		    (field == NULL || (f && strcmp(f, field) == 0)))
			return 1;
	}
	return 0;
}

static void expect_problem(struct tdb *t, const char *kind, const char *table, const char *field)
{
	struct audit_result r;
	verify_keep(t->db, &r);
	if (r.problems == 0 || !names(&r, kind, table, field)) {
		char *s = json_dumps(r.report, JSON_COMPACT);
		fail_msg("expected %s %s %s, got %lld problems: %s", kind, table ? table : "-",
			 field ? field : "-", r.problems, s ? s : "[]");
	}
	audit_result_release(&r);
}

static void expect_intact(struct tdb *t)
{
	struct audit_result r;
	verify_keep(t->db, &r);
	if (r.problems != 0) {
		char *s = json_dumps(r.report, JSON_COMPACT);
		fail_msg("%lld problems: %s", r.problems, s ? s : "[]");
	}
	assert_true(r.rows > 0);
	audit_result_release(&r);
}

static void test_world_state_intact(void **state)
{
	struct tdb *t = *state;
	busy_log(t);
	expect_intact(t);
	/* Every audited row was sealed by a keyed entry. */
	assert_int_equal(tdb_count(t->db, "audit_log WHERE v <> 2"), 0);
	assert_true(tdb_count(t->db, "audit_log WHERE rows LIKE '%\"incidents\"%'") > 0);
	assert_true(tdb_count(t->db, "audit_log WHERE rows LIKE '%\"events\"%'") > 0);
}

static void test_title_changed_named(void **state)
{
	struct tdb *t = *state;
	busy_log(t);
	outside(t, "UPDATE incidents SET title = 'Không có gì' WHERE rowid = (SELECT MIN(rowid) FROM incidents)");
	expect_problem(t, "changed", "incidents", "title");
}

static void test_incident_deleted_named(void **state)
{
	struct tdb *t = *state;
	busy_log(t);
	outside(t, "DELETE FROM incidents WHERE rowid = (SELECT MIN(rowid) FROM incidents)");
	expect_problem(t, "missing", "incidents", NULL);
}

static void test_role_granted_named(void **state)
{
	struct tdb *t = *state;
	busy_log(t);
	outside(t, "UPDATE users SET roles = 'admin' WHERE username = 'rep-a'");
	expect_problem(t, "changed", "users", "roles");
}

static void test_events_deleted_named(void **state)
{
	struct tdb *t = *state;
	busy_log(t);
	outside(t, "DELETE FROM events");
	expect_problem(t, "missing", "events", NULL);
}

static void test_row_added_named(void **state)
{
	struct tdb *t = *state;
	busy_log(t);
	outside(t, "INSERT INTO tokens (id, user_id, kind, hash, created_at, expires_at) "
		"SELECT 'backdoor', id, 'api', 'x', 0, 0 FROM users WHERE username = 'rep-a'");
	expect_problem(t, "unlogged", "tokens", NULL);
	/* The log entry rewritten to match is caught by its key. */
	outside(t, "UPDATE audit_log SET rows = replace(rows, '\"roles\":\"reporter,focal\"', "
		"'\"roles\":\"admin\"') WHERE rows LIKE '%rep-a%'");
	expect_problem(t, "chain", NULL, NULL);
}

/* The newest entries cut and meta.audit_head moved back to the last one
 * left: consistent inside the database, caught by the signed checkpoint. */
static void test_cut_with_head_moved_named(void **state)
{
	struct tdb *t = *state;
	struct audit_result r;
	long long n = busy_log(t);
	char sql[256];
	snprintf(sql, sizeof(sql), "DELETE FROM audit_log WHERE seq > %lld; "
		 "UPDATE meta SET value = (SELECT hash FROM audit_log WHERE seq = %lld) "
		 "WHERE key = 'audit_head'", n - 3, n - 3);
	outside(t, sql);
	verify_keep(t->db, &r);
	assert_int_equal(r.entries, n - 3);
	assert_int_equal(r.checkpoint, n);
	assert_int_equal(r.first_bad, n - 2);
	assert_true(names(&r, "checkpoint", NULL, NULL));
	audit_result_release(&r);
}

static void checkpoint_path(struct tdb *t, char *p, size_t n)
{
	snprintf(p, n, "%s.checkpoint", t->path);
}

static void test_checkpoint_missing_or_forged(void **state)
{
	struct tdb *t = *state;
	char p[256], line[512];
	busy_log(t);
	checkpoint_path(t, p, sizeof(p));
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	/* A count raised by hand: the signature no longer holds. */
	char *sp = strchr(line + strlen("ungcuu-audit-checkpoint 1 "), ' ');
	assert_non_null(sp);
	f = fopen(p, "w");
	fprintf(f, "ungcuu-audit-checkpoint 1 999%s", sp);
	fclose(f);
	expect_problem(t, "checkpoint", NULL, NULL);
	unlink(p);
	expect_problem(t, "checkpoint", NULL, NULL);
	/* A commit does not make it again: that would vouch for a log cut
	 * while the file was gone. Anchoring anew is an explicit act. */
	struct ctx sys = t_ctx(t->db, &W.sys);
	struct err e = { 0 };
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(audit_append(&sys, "test.note", "test", "1", NULL, NULL, &e), 0);
	assert_int_equal(store_commit(t->db, &e), 0);
	expect_problem(t, "checkpoint", NULL, NULL);
	assert_int_equal(audit_checkpoint_write(t->db, p, &e), 0);
	expect_intact(t);
	/* Then commits keep it up to date again. */
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(audit_append(&sys, "test.note", "test", "2", NULL, NULL, &e), 0);
	assert_int_equal(store_commit(t->db, &e), 0);
	expect_intact(t);
}

/* The log cut under a running writer: its next commit does not move the
 * checkpoint back, so the cut stays visible; a rolled-back entry is never
 * anchored. */
static void test_checkpoint_never_backwards(void **state)
{
	struct tdb *t = *state;
	struct audit_result r;
	struct err e = { 0 };
	struct ctx sys = t_ctx(t->db, &W.sys);
	long long n = busy_log(t);
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(audit_append(&sys, "test.note", "test", "x", NULL, NULL, &e), 0);
	store_rollback(t->db);
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(store_run(t->db, &e, "UPDATE orgs SET address = 'a' WHERE code = 'xa-a'", ""), 1);
	assert_int_equal(store_commit(t->db, &e), 0);
	expect_intact(t);
	n++;
	char sql[256];
	snprintf(sql, sizeof(sql), "DELETE FROM audit_log WHERE seq > %lld; "
		 "UPDATE meta SET value = (SELECT hash FROM audit_log WHERE seq = %lld) "
		 "WHERE key = 'audit_head'", n - 3, n - 3);
	outside(t, sql);
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(audit_append(&sys, "test.note", "test", "y", NULL, NULL, &e), 0);
	assert_int_equal(store_commit(t->db, &e), 0);
	verify_keep(t->db, &r);
	assert_int_equal(r.checkpoint, n);
	assert_true(names(&r, "checkpoint", NULL, NULL));
	audit_result_release(&r);
}

/* A write outside a transaction is sealed at once; a login counter is not
 * logged at all; a write without audit_append gets an entry at commit. */
static void test_writes_sealed(void **state)
{
	struct tdb *t = *state;
	struct err e = { 0 };
	busy_log(t);
	long long n = tdb_count(t->db, "audit_log");
	assert_int_equal(store_run(t->db, &e, "UPDATE users SET full_name = 'Lê Văn A' "
				   "WHERE username = 'rep-a'", ""), 1);
	assert_int_equal(tdb_count(t->db, "audit_log"), n + 1);
	assert_int_equal(tdb_count(t->db, "audit_log WHERE action = 'rows' AND rows LIKE '%Lê Văn A%'"), 1);
	expect_intact(t);
	assert_int_equal(store_run(t->db, &e, "UPDATE users SET failed_logins = failed_logins + 1, "
				   "locked_until = 5 WHERE username = 'rep-a'", ""), 1);
	assert_int_equal(tdb_count(t->db, "audit_log"), n + 1);
	expect_intact(t);
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(store_run(t->db, &e, "DELETE FROM tokens", ""), 0);
	assert_int_equal(store_run(t->db, &e, "UPDATE orgs SET address = 'Tam Thanh' "
				   "WHERE code = 'xa-a'", ""), 1);
	assert_int_equal(store_commit(t->db, &e), 0);
	assert_int_equal(tdb_count(t->db, "audit_log"), n + 2);
	expect_intact(t);
	/* Bytes that are not UTF-8 are kept as their digest, the same way when
	 * sealed and when compared; changed from outside, they are named. */
	assert_int_equal(store_run(t->db, &e, "UPDATE orgs SET address = CAST($1 AS TEXT) "
				   "WHERE code = 'xa-b'", "b", "\xC0\xAF\x00z", (size_t)4), 1);
	assert_int_equal(tdb_count(t->db, "audit_log"), n + 3);
	expect_intact(t);
	outside(t, "UPDATE orgs SET address = CAST(X'C0AF0079' AS TEXT) WHERE code = 'xa-b'");
	expect_problem(t, "changed", "orgs", "address");
	outside(t, "UPDATE orgs SET address = CAST(X'C0AF007A' AS TEXT) WHERE code = 'xa-b'");
	expect_intact(t);
	/* Rolled back: nothing sealed. */
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(store_run(t->db, &e, "UPDATE orgs SET address = 'x'", ""), 5);
	store_rollback(t->db);
	assert_int_equal(tdb_count(t->db, "audit_log"), n + 3);
	expect_intact(t);
}

/* world_open, and the clone keeps the world's checkpoint beside it. */
static int aworld_open(void **state)
{
	char from[256], to[256], buf[1024];
	world_open(state);
	struct tdb *t = *state;
	snprintf(from, sizeof(from), "%s.checkpoint", W.tmpl.path);
	snprintf(to, sizeof(to), "%s.checkpoint", t->path);
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(in >= 0 && out >= 0);
	ssize_t n = read(in, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
	return 0;
}

int main(void)
{
	char pk[65], sk[129];
	if (crypto_init() != 0 || ed25519_keypair_hex(pk, sk) != 0)
		return 1;
	audit_setup(sk);
#define world_open aworld_open
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
		cmocka_unit_test_setup_teardown(test_world_state_intact, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_title_changed_named, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_incident_deleted_named, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_role_granted_named, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_events_deleted_named, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_row_added_named, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_cut_with_head_moved_named, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_checkpoint_missing_or_forged, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_writes_sealed, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_checkpoint_never_backwards, world_open,
						world_close),
	};
	return cmocka_run_group_tests_name("audit", tests, world_build, world_destroy);
}
