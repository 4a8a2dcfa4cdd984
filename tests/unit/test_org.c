/*
 * test_org.c - the organisation tree and the contacts (domain/org.c): codes,
 * names and kinds at their limits, the tree depth at LIMIT_ORG_DEPTH and one
 * more, who may plant roots and branches, the response team above an
 * organisation, what each person sees, contacts in and out of scope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/limits.h"
#include "base/msg.h"
#include "domain/incident/incident.h"
#include "domain/directory/org.h"

static int add(struct ctx *c, const char *code, const char *name, const char *kind,
	       const char *parent, struct err *e)
{
	struct org_new n = { .code = code, .name = name, .kind = kind, .parent_code = parent };
	err_clear(e);
	json_t *j = NULL;
	int rc = org_add(c, &n, &j, e);
	if (rc == 0) {
		assert_string_equal(json_string_value(json_object_get(j, "code")), code);
		json_decref(j);
	} else {
		assert_null(j);
		assert_int_not_equal(e->code, E_OK);
	}
	return rc;
}

static char *repeat(char *buf, size_t n, char ch)
{
	memset(buf, ch, n);
	buf[n] = '\0';
	return buf;
}

static void test_add_validation(void **state)
{
	struct tdb *t = *state;
	struct ctx sys = t_ctx(t->db, &W.sys);
	struct err e;
	char code[80], name[LIMIT_SHORT_TEXT + 2];
	long long orgs = tdb_count(t->db, "orgs"), audit = tdb_count(t->db, "audit_log");

	assert_int_equal(add(&sys, "", "x", "agency", "pq", &e), -1);
	assert_string_equal(e.fields[0].pointer, "/code");
	assert_int_equal(add(&sys, NULL, "x", "agency", "pq", &e), -1);
	assert_int_equal(add(&sys, "có-dấu", "x", "agency", "pq", &e), -1);
	assert_int_equal(add(&sys, "a b", "x", "agency", "pq", &e), -1);
	assert_int_equal(add(&sys, "a/b", "x", "agency", "pq", &e), -1);
	assert_int_equal(add(&sys, repeat(code, 65, 'c'), "x", "agency", "pq", &e), -1);
	assert_int_equal(add(&sys, "ok", "", "agency", "pq", &e), -1);
	assert_string_equal(e.fields[0].pointer, "/name");
	assert_int_equal(e.fields[0].msg, MSG_REQUIRED);
	assert_int_equal(add(&sys, "ok", NULL, "agency", "pq", &e), -1);
	assert_int_equal(add(&sys, "ok", repeat(name, LIMIT_SHORT_TEXT + 1, 'n'), "agency", "pq",
			     &e), -1);
	assert_int_equal(e.fields[0].msg, MSG_TOO_LONG);
	assert_int_equal(add(&sys, "ok", "x", "ministry", "pq", &e), -1);
	assert_string_equal(e.fields[0].pointer, "/kind");
	assert_int_equal(add(&sys, "ok", "x", NULL, "pq", &e), -1);
	assert_int_equal(add(&sys, "ok", "x", "agency", "atlantis", &e), -1);
	assert_int_equal(e.code, E_NOTFOUND);
	assert_int_equal(add(&sys, "pq", "again", "agency", "tinh", &e), -1);
	assert_int_equal(e.code, E_CONFLICT);
	assert_int_equal(tdb_count(t->db, "orgs"), orgs);
	assert_int_equal(tdb_count(t->db, "audit_log"), audit);

	/* At the limits. */
	assert_int_equal(add(&sys, repeat(code, 64, 'c'), repeat(name, LIMIT_SHORT_TEXT, 'n'),
			     "agency", "pq", &e), 0);
	assert_int_equal(add(&sys, "Pq-Vp_2.x", "Văn phòng HĐND và UBND huyện", "agency", "pq",
			     &e), 0);
	for (int i = 0; org_kinds[i]; i++) {
		char c[32];
		snprintf(c, sizeof(c), "kind-%d", i);
		assert_int_equal(add(&sys, c, c, org_kinds[i], "pq", &e), 0);
	}
	assert_int_equal(tdb_count(t->db, "orgs"), orgs + 9);
}

/* The path of depth d is 1 + 37 d bytes: LIMIT_ORG_DEPTH levels fit. */
static void test_depth_limit(void **state)
{
	struct tdb *t = *state;
	struct ctx sys = t_ctx(t->db, &W.sys);
	struct err e;
	struct org o;
	char code[16], parent[16] = "xa-a";
	int depth = 4; /* vncert > tinh > pq > xa-a */
	while (depth < LIMIT_ORG_DEPTH) {
		snprintf(code, sizeof(code), "d%d", ++depth);
		assert_int_equal(add(&sys, code, code, "agency", parent, &e), 0);
		snprintf(parent, sizeof(parent), "%s", code);
	}
	assert_int_equal(org_by_code(&sys, parent, &o, &e), 0);
	assert_int_equal(strlen(o.path), 1 + 37 * LIMIT_ORG_DEPTH);
	assert_int_equal(add(&sys, "too-deep", "x", "agency", parent, &e), -1);
	assert_int_equal(e.code, E_INVALID);
	assert_int_equal(e.msg, MSG_ORG_TOO_DEEP);
	assert_int_equal(tdb_count(t->db, "orgs WHERE code = 'too-deep'"), 0);
	/* Someone at the deepest organisation works normally. */
	t_user(&sys, "deep", parent, ROLE_REPORTER);
	struct actor a;
	t_actor(t->db, "deep", &a);
	assert_string_equal(a.org_path, o.path);
	struct ctx c = t_ctx(t->db, &a);
	char id[UUID_LEN];
	t_create(&c, NULL, id);
	err_clear(&e);
	json_t *inc = incident_get(&c, id, 0, &e);
	assert_non_null(inc);
	json_decref(inc);
}

static void test_who_may_add(void **state)
{
	struct tdb *t = *state;
	struct ctx admin = t_ctx(t->db, &W.role[R_ADMIN]);
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct ctx sys = t_ctx(t->db, &W.sys);
	struct err e;
	/* Only an administrator, under an organisation in their subtree. */
	assert_int_equal(add(&coord, "c1", "x", "agency", "pq", &e), -1);
	assert_int_equal(e.code, E_FORBIDDEN);
	assert_int_equal(add(&admin, "a1", "x", "agency", "pq", &e), 0);
	assert_int_equal(add(&admin, "a2", "x", "agency", "xa-b", &e), 0);
	assert_int_equal(add(&admin, "a3", "x", "agency", "tinh", &e), -1);
	assert_int_equal(e.code, E_NOTFOUND);
	/* A new root: the instance itself only. */
	assert_int_equal(add(&admin, "root2", "x", "national", NULL, &e), -1);
	assert_int_equal(e.code, E_FORBIDDEN);
	assert_int_equal(add(&admin, "root2", "x", "national", "", &e), -1);
	assert_int_equal(add(&sys, "root2", "x", "national", NULL, &e), 0);
	struct org o;
	assert_int_equal(org_by_code(&sys, "root2", &o, &e), 0);
	assert_int_equal(strlen(o.path), 38);
	assert_int_equal(o.path[0], '/');
	assert_int_equal(strncmp(o.path + 1, o.id, 36), 0);
	assert_int_equal(tdb_count(t->db, "audit_log WHERE action = 'org.create' AND "
				   "actor = 'd-admin'"), 2);
}

static void test_response_team_above(void **state)
{
	struct tdb *t = *state;
	struct ctx sys = t_ctx(t->db, &W.sys);
	struct err e = { 0 };
	struct org o, found;
	assert_int_equal(org_by_code(&sys, "xa-a", &o, &e), 0);
	assert_int_equal(org_response_team_above(&sys, o.path, &found, &e), 0);
	assert_string_equal(found.code, "tinh");
	assert_int_equal(org_by_code(&sys, "tinh", &o, &e), 0);
	assert_true(o.response_team);
	assert_int_equal(org_response_team_above(&sys, o.path, &found, &e), 0);
	assert_string_equal(found.code, "vncert");
	assert_int_equal(org_by_code(&sys, "vncert", &o, &e), 0);
	assert_int_equal(org_response_team_above(&sys, o.path, &found, &e), -1);
	assert_int_equal(e.code, E_NOTFOUND);
	assert_int_equal(e.msg, MSG_NO_RESPONSE_TEAM);
	/* A nearer team wins. */
	struct org_new n = { .code = "pq-team", .name = "Tổ ứng cứu huyện", .kind = "agency",
			     .parent_code = "pq", .response_team = 1 };
	err_clear(&e);
	assert_int_equal(org_add(&sys, &n, NULL, &e), 0);
	n.code = "pq-team-unit";
	n.parent_code = "pq-team";
	n.response_team = 0;
	assert_int_equal(org_add(&sys, &n, NULL, &e), 0);
	assert_int_equal(org_by_code(&sys, "pq-team-unit", &o, &e), 0);
	assert_int_equal(org_response_team_above(&sys, o.path, &found, &e), 0);
	assert_string_equal(found.code, "pq-team");
	/* A sibling's team is not above. */
	assert_int_equal(org_by_code(&sys, "xa-a", &o, &e), 0);
	assert_int_equal(org_response_team_above(&sys, o.path, &found, &e), 0);
	assert_string_equal(found.code, "tinh");
	err_clear(&e);
	assert_int_equal(org_by_code(&sys, "nope", &o, &e), -1);
	assert_int_equal(e.code, E_NOTFOUND);
	err_clear(&e);
	assert_int_equal(org_by_id(&sys, "nope", &o, &e), -1);
	assert_int_equal(e.code, E_NOTFOUND);
}

static int has_code(json_t *list, const char *code)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(list, "items"), i, v) {
		const char *c = json_string_value(json_object_get(v, "code"));
		if (c == NULL)
			c = json_string_value(json_object_get(json_object_get(v, "org"), "code"));
		if (c && strcmp(c, code) == 0)
			return 1;
	}
	return 0;
}

static void test_list_scope(void **state)
{
	struct tdb *t = *state;
	struct ctx rep = t_ctx(t->db, &W.rep_a), coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct ctx sys = t_ctx(t->db, &W.sys);
	struct err e = { 0 };
	/* A commune sees itself and the organisations above it, not its sibling. */
	json_t *l = org_list(&rep, &e);
	assert_non_null(l);
	assert_int_equal(json_array_size(json_object_get(l, "items")), 4);
	assert_true(has_code(l, "vncert") && has_code(l, "tinh") && has_code(l, "pq") &&
		    has_code(l, "xa-a"));
	assert_false(has_code(l, "xa-b"));
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(l, "items"), i, v)
		assert_int_equal(json_integer_value(json_object_get(v, "depth")), (json_int_t)i + 1);
	json_decref(l);
	l = org_list(&coord, &e);
	assert_int_equal(json_array_size(json_object_get(l, "items")), 5);
	json_decref(l);
	l = org_list(&sys, &e);
	assert_int_equal(json_array_size(json_object_get(l, "items")), 5);
	json_decref(l);
}

static void test_contacts(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct ctx rep = t_ctx(t->db, &W.rep_a), rep_b = t_ctx(t->db, &W.rep_b);
	struct ctx admin = t_ctx(t->db, &W.role[R_ADMIN]);
	struct err e = { 0 };

	json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:b}", "org_code", "xa-a", "name",
			      "Trần Thị Bích", "phone", "0252 3769 100", "network_role",
			      "Đầu mối ứng cứu", "on_duty", 1);
	json_t *c = contact_add(&coord, b, &e);
	json_decref(b);
	assert_non_null(c);
	assert_true(json_is_true(json_object_get(c, "on_duty")));
	char id[UUID_LEN];
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(c, "id")));
	json_decref(c);
	b = json_pack("{s:s, s:s}", "org_code", "tinh", "name", "Đội ứng cứu tỉnh");
	err_clear(&e);
	c = contact_add(&admin, b, &e);
	assert_null(c);
	assert_int_equal(e.code, E_NOTFOUND);
	json_decref(b);
	b = json_pack("{s:s, s:s}", "org_code", "xa-b", "name", "Phạm Thị Dung");
	err_clear(&e);
	c = contact_add(&admin, b, &e);
	assert_non_null(c);
	json_decref(c);
	/* Out of scope is not found, even for someone without the role. */
	err_clear(&e);
	assert_null(contact_add(&rep, b, &e));
	assert_int_equal(e.code, E_NOTFOUND);
	json_decref(b);
	/* A reporter does not write contacts; bad bodies are refused. */
	b = json_pack("{s:s, s:s}", "org_code", "xa-a", "name", "Lê Văn Cường");
	err_clear(&e);
	assert_null(contact_add(&rep, b, &e));
	assert_int_equal(e.code, E_FORBIDDEN);
	json_decref(b);
	b = json_pack("{s:s, s:s}", "org_code", "nowhere", "name", "X");
	err_clear(&e);
	assert_null(contact_add(&coord, b, &e));
	assert_int_equal(e.code, E_INVALID);
	assert_string_equal(e.fields[0].pointer, "/org_code");
	json_decref(b);
	b = json_pack("{s:s}", "org_code", "xa-a");
	err_clear(&e);
	assert_null(contact_add(&coord, b, &e));
	assert_int_equal(e.code, E_INVALID);
	json_decref(b);
	b = json_pack("{s:s, s:s, s:i}", "org_code", "xa-a", "name", "X", "phone", 5);
	err_clear(&e);
	assert_null(contact_add(&coord, b, &e));
	assert_int_equal(e.code, E_INVALID);
	json_decref(b);
	assert_int_equal(tdb_count(t->db, "contacts"), 2);

	/* Each sees the contacts of their subtree and above. */
	json_t *l = contact_list(&rep, &e);
	assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
	json_decref(l);
	l = contact_list(&rep_b, &e);
	assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
	assert_true(has_code(l, "xa-b"));
	json_decref(l);
	l = contact_list(&coord, &e);
	assert_int_equal(json_array_size(json_object_get(l, "items")), 2);
	json_decref(l);

	/* Updates: in scope and with the role only. */
	b = json_pack("{s:b, s:s}", "on_duty", 0, "email", "xa-a@phuquy.gov.vn");
	err_clear(&e);
	c = contact_update(&coord, id, b, &e);
	assert_non_null(c);
	assert_false(json_is_true(json_object_get(c, "on_duty")));
	assert_string_equal(json_string_value(json_object_get(c, "email")), "xa-a@phuquy.gov.vn");
	assert_string_equal(json_string_value(json_object_get(c, "phone")), "0252 3769 100");
	json_decref(c);
	err_clear(&e);
	assert_null(contact_update(&rep, id, b, &e));
	assert_int_equal(e.code, E_FORBIDDEN);
	struct ctx coord_b = t_ctx(t->db, &W.coord_b);
	err_clear(&e);
	assert_null(contact_update(&coord_b, id, b, &e));
	assert_int_equal(e.code, E_NOTFOUND);
	err_clear(&e);
	assert_null(contact_update(&coord, "019a0000-0000-7000-8000-000000000000", b, &e));
	assert_int_equal(e.code, E_NOTFOUND);
	json_decref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_validation, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_depth_limit, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_who_may_add, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_response_team_above, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_list_scope, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_contacts, world_open, world_close),
	};
	return cmocka_run_group_tests_name("org", tests, world_build, world_destroy);
}
