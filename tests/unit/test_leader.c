/*
 * test_leader.c - leadership among serve nodes (store/leader.c) and the
 * epoch fence of write transactions (store_fence): on SQLite (always) one
 * process leads and a fence at a wrong epoch refuses the write; against a
 * real PostgreSQL (UNGCUU_TEST_PG=postgres://user@host:port/, as `make
 * check-pg` starts one) the lock is taken with a new epoch, held against a
 * second session, and a write fenced at an epoch another node moved on from
 * is refused; the leader notices and takes a newer epoch.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "base/msg.h"
#include "store/leader.h"

static void test_sqlite_always_leads(void **state)
{
	(void)state;
	struct tdb t;
	struct err e = { 0 };
	tdb_new(&t);
	assert_int_equal(leader_start(t.path, "unit", &e), 0);
	assert_int_equal(leader_is(), 1);
	assert_int_equal(leader_epoch(), 0);
	assert_int_equal(leader_guard(t.db), 1);
	assert_int_equal(tdb_int(t.db, "SELECT epoch FROM leadership WHERE id = 1"), 0);
	/* no fence: writes as ever */
	assert_int_equal(store_begin(t.db, &e), 0);
	assert_int_equal(store_commit(t.db, &e), 0);
	/* a fence at another epoch refuses the write transaction, nothing held */
	store_fence(t.db, 3);
	assert_int_equal(store_begin(t.db, &e), -1);
	assert_int_equal(e.code, E_CONFLICT);
	assert_int_equal(e.msg, MSG_LEADER_DEPOSED);
	assert_string_equal(e.arg, "3/0");
	err_clear(&e);
	store_fence(t.db, 0);
	assert_int_equal(store_begin(t.db, &e), 0);
	assert_int_equal(store_run(t.db, &e, "UPDATE leadership SET node = $1 WHERE id = 1", "t",
				   "x"), 1);
	assert_int_equal(store_commit(t.db, &e), 0);
	leader_stop();
	tdb_free(&t);
}

static int64_t one(struct store *db, const char *sql)
{
	struct err e = { 0 };
	struct stmt *st = store_query(db, &e, sql, "");
	assert_non_null(st);
	assert_int_equal(stmt_step(st, &e), 1);
	int64_t v = stmt_int(st, 0);
	stmt_done(st);
	return v;
}

/* Waits (bounded: 100 tries of 100 ms) for leader_is() == want. */
static void wait_leading(int want)
{
	for (int i = 0; i < 100 && leader_is() != want; i++)
		usleep(100 * 1000);
	assert_int_equal(leader_is(), want);
}

static void test_pg_lock_epoch_fence(void **state)
{
	(void)state;
	struct err e = { 0 };
	char url[600];
	struct store *a = tpg_create("ut_leader", url, sizeof(url));
	struct store *db = store_open(url, &e), *other = store_open(url, &e);
	assert_non_null(db);
	assert_non_null(other);
	assert_true(store_migrate(db, &e) > 0);

	assert_int_equal(leader_start(url, "unit-a", &e), 0);
	wait_leading(1);
	int64_t ep = leader_epoch();
	assert_true(ep >= 1);
	assert_int_equal(one(other, "SELECT epoch FROM leadership WHERE id = 1"), ep);
	/* held: another session cannot take it */
	assert_int_equal(one(other, "SELECT CASE WHEN pg_try_advisory_lock(117110103099117108) "
			     "THEN 1 ELSE 0 END"), 0);
	assert_int_equal(leader_guard(db), 1);
	assert_int_equal(store_begin(db, &e), 0);
	store_rollback(db);

	/* another node moves the epoch on (as after taking the lock) */
	assert_int_equal(store_begin(other, &e), 0);
	assert_int_equal(store_run(other, &e, "UPDATE leadership SET epoch = epoch + 1, node = $1 "
				   "WHERE id = 1", "t", "unit-b"), 1);
	assert_int_equal(store_commit(other, &e), 0);
	/* the late write of the deposed leader is refused */
	assert_int_equal(store_begin(db, &e), -1);
	assert_int_equal(e.code, E_CONFLICT);
	err_clear(&e);
	/* it notices, steps down, and (the lock free again) leads anew */
	for (int i = 0; i < 100 && leader_epoch() <= ep + 1; i++)
		usleep(100 * 1000);
	assert_true(leader_epoch() > ep + 1);
	assert_int_equal(leader_guard(db), 1);
	assert_int_equal(store_begin(db, &e), 0);
	assert_int_equal(store_commit(db, &e), 0);

	/* stopping ends the session, which frees the lock (once the server
	 * has seen the session end: a bounded wait) */
	leader_stop();
	assert_int_equal(leader_is(), 0);
	int64_t free_now = 0;
	for (int i = 0; i < 100 && !free_now; i++) {
		free_now = one(other, "SELECT CASE WHEN pg_try_advisory_lock(117110103099117108) "
			       "THEN 1 ELSE 0 END");
		if (!free_now)
			usleep(50 * 1000);
	}
	assert_int_equal(free_now, 1);
	store_close(other);
	store_close(db);
	tpg_drop(a, url);
}

int main(void)
{
	const struct CMUnitTest offline[] = {
		cmocka_unit_test(test_sqlite_always_leads),
	};
	const struct CMUnitTest all[] = {
		cmocka_unit_test(test_sqlite_always_leads),
		cmocka_unit_test(test_pg_lock_epoch_fence),
	};
	const char *base = getenv("UNGCUU_TEST_PG");
	if (base == NULL || *base == '\0')
		return cmocka_run_group_tests(offline, NULL, NULL);
	return cmocka_run_group_tests(all, NULL, NULL);
}
