/*
 * test_plan.c - response plans (domain/plan/plan.c) and their playbooks
 * (playbook.c): versioning (draft -> submitted -> approved -> superseded,
 * an approved plan refuses edits, a new version from it), and the
 * playbook-to-tasks rule: an incident classified with a type gets the
 * steps of its organisation's approved plan for that type as tasks, once
 * per type; nothing without a type or an approved plan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/msg.h"
#include "domain/incident/incident.h"
#include "domain/plan/plan.h"
#include "domain/plan/playbook.h"

static int setup(void **state)
{
	playbook_install();
	return world_build(state);
}

/* The answer of a domain call that must succeed. */
static json_t *must(json_t *j, const struct err *e)
{
	if (j == NULL)
		fail_msg("domain call failed: code %d msg %d", e->code, e->msg);
	return j;
}

static long long version_of(const json_t *j)
{
	return json_integer_value(json_object_get(j, "version"));
}

static const char *status_of(const json_t *j)
{
	return json_string_value(json_object_get(j, "status"));
}

/* rep-a drafts xa-a's plan with an encryption checklist of three steps
 * and none for denial of service (the others keep their defaults),
 * submits it and the district's leader approves it; the plan's id to id. */
static json_t *approved_plan(struct store *db, char id[UUID_LEN])
{
	struct ctx rep = t_ctx(db, &W.rep_a), lead = t_ctx(db, &W.role[R_LEADER]);
	struct err e = { 0 };
	json_t *body = json_object();
	json_t *p = must(plan_create(&rep, body, &e), &e);
	json_decref(body);
	snprintf(id, UUID_LEN, "%s", json_string_value(json_object_get(p, "id")));
	body = json_pack("{s:[{s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}, {s:s, s:[]}]}",
			 "scenarios", "threat", "encryption", "steps",
			 "phase", "identify", "text", "Xác định máy bị mã hóa đầu tiên",
			 "phase", "contain", "text", "Ngắt mạng các máy bị mã hóa",
			 "phase", "recover", "text", "Khôi phục từ bản sao lưu ngoại tuyến",
			 "threat", "dos", "steps");
	json_t *q = must(plan_update(&rep, id, version_of(p), body, &e), &e);
	json_decref(body);
	json_decref(p);
	body = json_pack("{s:s}", "to", "submitted");
	p = must(plan_transition(&rep, id, version_of(q), body, &e), &e);
	json_decref(body);
	json_decref(q);
	body = json_pack("{s:s, s:s, s:s}", "to", "approved", "decision_number", "12/QĐ-UBND",
			 "decision_date", "2026-01-05");
	q = must(plan_transition(&lead, id, version_of(p), body, &e), &e);
	json_decref(body);
	json_decref(p);
	assert_string_equal(status_of(q), "approved");
	return q;
}

static void test_versions(void **state)
{
	struct tdb *t = *state;
	struct ctx rep = t_ctx(t->db, &W.rep_a), lead = t_ctx(t->db, &W.role[R_LEADER]);
	struct err e = { 0 };
	char id[UUID_LEN];
	json_t *p = approved_plan(t->db, id);

	/* approved: no edit, no second submission */
	json_t *body = json_pack("{s:s}", "title", "Sửa sau khi duyệt");
	assert_null(plan_update(&rep, id, version_of(p), body, &e));
	assert_int_equal(e.code, E_CONFLICT);
	assert_int_equal(e.msg, MSG_PLAN_NOT_DRAFT);
	json_decref(body);
	err_clear(&e);

	/* a new version, copied, numbered 2; a second open one is refused */
	json_t *v2 = must(plan_new_version(&rep, id, &e), &e);
	assert_int_equal(json_integer_value(json_object_get(v2, "number")), 2);
	assert_string_equal(json_string_value(json_object_get(v2, "based_on")), id);
	assert_string_equal(status_of(v2), "draft");
	assert_true(json_equal(json_object_get(v2, "scenarios"), json_object_get(p, "scenarios")));
	assert_null(plan_new_version(&rep, id, &e));
	assert_int_equal(e.code, E_CONFLICT);
	err_clear(&e);
	json_t *none = json_object();
	assert_null(plan_create(&rep, none, &e));
	assert_int_equal(e.code, E_CONFLICT);
	assert_int_equal(e.msg, MSG_PLAN_OPEN_EXISTS);
	json_decref(none);
	err_clear(&e);

	/* the leader approves version 2: version 1 is superseded */
	char id2[UUID_LEN];
	snprintf(id2, sizeof(id2), "%s", json_string_value(json_object_get(v2, "id")));
	body = json_pack("{s:s}", "to", "submitted");
	json_t *s2 = must(plan_transition(&rep, id2, version_of(v2), body, &e), &e);
	json_decref(body);
	/* a stale If-Match changes nothing */
	body = json_pack("{s:s, s:s, s:s}", "to", "approved", "decision_number", "20/QĐ",
			 "decision_date", "2026-01-06");
	assert_null(plan_transition(&lead, id2, version_of(s2) - 1, body, &e));
	assert_int_equal(e.code, E_PRECOND);
	err_clear(&e);
	/* the writer may not approve */
	assert_null(plan_transition(&rep, id2, version_of(s2), body, &e));
	assert_int_equal(e.code, E_FORBIDDEN);
	err_clear(&e);
	json_t *a2 = must(plan_transition(&lead, id2, version_of(s2), body, &e), &e);
	json_decref(body);
	assert_string_equal(status_of(a2), "approved");
	json_t *old = must(plan_get(&rep, id, &e), &e);
	assert_string_equal(status_of(old), "superseded");
	assert_int_equal(tdb_count(t->db, "plans WHERE status = 'approved'"), 1);

	/* another commune does not see it (not found) */
	struct ctx other = t_ctx(t->db, &W.rep_b);
	assert_null(plan_get(&other, id2, &e));
	assert_int_equal(e.code, E_NOTFOUND);
	json_decref(old);
	json_decref(a2);
	json_decref(s2);
	json_decref(v2);
	json_decref(p);
}

/* Pure: the titles of a scenario's steps. */
static void test_task_titles(void **state)
{
	(void)state;
	json_t *sc = json_pack("[{s:s, s:[{s:s, s:s}, {s:s, s:s}]}, {s:s, s:[]}]",
			       "threat", "encryption", "steps", "phase", "identify", "text", "Một",
			       "phase", "contain", "text", "Hai", "threat", "dos", "steps");
	json_t *t = playbook_task_titles(sc, "encryption");
	assert_int_equal(json_array_size(t), 2);
	assert_string_equal(json_string_value(json_array_get(t, 0)), "1. Một");
	assert_string_equal(json_string_value(json_array_get(t, 1)), "2. Hai");
	json_decref(t);
	t = playbook_task_titles(sc, "dos");
	assert_int_equal(json_array_size(t), 0);
	json_decref(t);
	t = playbook_task_titles(sc, "phishing");
	assert_int_equal(json_array_size(t), 0);
	json_decref(t);
	t = playbook_task_titles(sc, NULL);
	assert_int_equal(json_array_size(t), 0);
	json_decref(t);
	json_decref(sc);
}

static long long count_tasks(struct store *db, const char *id, const char *like)
{
	char sql[300];
	snprintf(sql, sizeof(sql), "tasks WHERE incident_id = '%s' AND title LIKE '%s'", id, like);
	return tdb_count(db, sql);
}

/* The rule through the workflow: classified as encryption, the approved
 * plan's three steps are the incident's tasks, recorded as the playbook. */
static void test_classify_makes_tasks(void **state)
{
	struct tdb *t = *state;
	struct ctx cr = t_ctx(t->db, &W.cr);
	struct err e = { 0 };
	char pid[UUID_LEN], id[UUID_LEN];
	json_decref(approved_plan(t->db, pid));
	long long v = t_walk_to(t->db, ST_VERIFIED, id);
	assert_int_equal(t_move(&cr, id, &v, "classified",
				json_pack("{s:s, s:s}", "severity", "high", "type", "encryption")), E_OK);
	assert_int_equal(count_tasks(t->db, id, "%"), 3);
	assert_int_equal(count_tasks(t->db, id, "2. Ngắt mạng các máy bị mã hóa"), 1);
	json_t *pb = must(playbook_for_incident(&cr, id, &e), &e);
	json_t *items = json_object_get(pb, "items");
	assert_int_equal(json_array_size(items), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "phase")),
			    "contain");
	assert_false(json_is_true(json_object_get(json_array_get(items, 1), "done")));
	json_decref(pb);

	/* The hook again for the same type (a re-classification): nothing more.
	 * Another type: that type's steps, once (phishing keeps the defaults). */
	json_t *plan = must(plan_get(&cr, pid, &e), &e);
	size_t phishing = 0, i;
	json_t *sc;
	json_array_foreach(json_object_get(plan, "scenarios"), i, sc)
		if (strcmp(json_string_value(json_object_get(sc, "threat")), "phishing") == 0)
			phishing = json_array_size(json_object_get(sc, "steps"));
	json_decref(plan);
	assert_true(phishing > 0);
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(playbook_on_classify(&cr, id, W.rep_a.org_id, NULL, "encryption", &e), 0);
	assert_int_equal(playbook_on_classify(&cr, id, W.rep_a.org_id, NULL, "encryption", &e), 0);
	assert_int_equal(playbook_on_classify(&cr, id, W.rep_a.org_id, NULL, "phishing", &e), 0);
	assert_int_equal(playbook_on_classify(&cr, id, W.rep_a.org_id, NULL, "phishing", &e), 0);
	assert_int_equal(store_commit(t->db, &e), 0);
	assert_int_equal(count_tasks(t->db, id, "%"), 3 + (long long)phishing);
	assert_int_equal(tdb_count(t->db, "playbook_runs"), 2);
	/* no type: nothing, nothing recorded */
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(playbook_on_classify(&cr, id, W.rep_a.org_id, NULL, NULL, &e), 0);
	assert_int_equal(store_commit(t->db, &e), 0);
	assert_int_equal(tdb_count(t->db, "playbook_runs"), 2);
}

/* Classified with a type the plan has no steps for, then (a correction)
 * the hook runs for the plan's type twice: its steps arrive once. */
static void test_once_per_type_through_hook(void **state)
{
	struct tdb *t = *state;
	struct ctx cr = t_ctx(t->db, &W.cr);
	struct err e = { 0 };
	char pid[UUID_LEN], id[UUID_LEN];
	json_decref(approved_plan(t->db, pid));
	long long v = t_walk_to(t->db, ST_VERIFIED, id);
	/* first classified without a playbook type, then the plan's type */
	assert_int_equal(t_move(&cr, id, &v, "classified",
				json_pack("{s:s, s:s}", "severity", "low", "type", "dos")), E_OK);
	assert_int_equal(count_tasks(t->db, id, "%"), 0);   /* dos: no steps in this plan */
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(playbook_on_classify(&cr, id, W.rep_a.org_id, NULL, "encryption", &e), 0);
	assert_int_equal(playbook_on_classify(&cr, id, W.rep_a.org_id, NULL, "encryption", &e), 0);
	assert_int_equal(store_commit(t->db, &e), 0);
	assert_int_equal(count_tasks(t->db, id, "%"), 3);
}

/* Without an approved plan: classified, no tasks and no record (a plan
 * approved later applies at the next classification). */
static void test_no_approved_plan(void **state)
{
	struct tdb *t = *state;
	struct ctx cr = t_ctx(t->db, &W.cr), rep = t_ctx(t->db, &W.rep_a);
	struct err e = { 0 };
	char id[UUID_LEN];
	json_t *body = json_object();
	json_decref(must(plan_create(&rep, body, &e), &e));   /* a draft only */
	json_decref(body);
	long long v = t_walk_to(t->db, ST_VERIFIED, id);
	assert_int_equal(t_move(&cr, id, &v, "classified",
				json_pack("{s:s, s:s}", "severity", "high", "type", "encryption")), E_OK);
	assert_int_equal(count_tasks(t->db, id, "%"), 0);
	assert_int_equal(tdb_count(t->db, "playbook_runs"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_versions, world_open, world_close),
		cmocka_unit_test(test_task_titles),
		cmocka_unit_test_setup_teardown(test_classify_makes_tasks, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_once_per_type_through_hook, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_no_approved_plan, world_open, world_close),
	};
	return cmocka_run_group_tests_name("plan", tests, setup, world_destroy);
}
