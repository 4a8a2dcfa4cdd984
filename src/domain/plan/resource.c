/* resource.c - equipment, tools, services, contractors and people (see resource.h). */
#include <stdio.h>
#include <string.h>

#include "resource.h"
#include "plan_scope.h"
#include "../directory/audit.h"
#include "../directory/policy.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

const char *const resource_kinds[] = { "equipment", "tool", "service", "contractor", "person", NULL };

#define RESOURCE_FIELDS(req) \
	{ "kind", JV_ENUM, req, 0, 0, resource_kinds, NULL }, \
	{ "name", JV_STRING, req, 0, 300, NULL, NULL }, \
	{ "description", JV_STRING, 0, 0, 4000, NULL, NULL }, \
	{ "quantity", JV_INT, 0, 0, 1000000, NULL, NULL }, \
	{ "skills", JV_STRING, 0, 0, 2000, NULL, NULL }, \
	{ "scope", JV_STRING, 0, 0, 2000, NULL, NULL }, \
	{ "contact", JV_STRING, 0, 0, 300, NULL, NULL }, \
	{ "contract_from", JV_TIME, 0, 0, 0, NULL, NULL }, \
	{ "contract_to", JV_TIME, 0, 0, 0, NULL, NULL }

static const struct jv_field create_fields[] = {
	{ "org_code", JV_STRING, 0, 0, 64, NULL, NULL },
	RESOURCE_FIELDS(1),
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field update_fields[] = {
	RESOURCE_FIELDS(0),
	{ "retired", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const char *const text_cols[] = { "kind", "name", "description", "skills", "scope",
					 "contact", NULL };

#define RES_SELECT "SELECT r.id, r.kind, r.name, r.description, r.quantity, r.skills, r.scope, " \
	"r.contact, r.contract_from, r.contract_to, r.retired_at, r.version, r.created_at, " \
	"r.updated_at, o.id, o.code, o.name, o.path FROM resources r JOIN orgs o ON o.id = r.org_id "
#define RES_PATH_COL 17

static json_t *res_row(struct stmt *st)
{
	int64_t now = time_now_ms();
	int active = !stmt_isnull(st, 9) && stmt_int(st, 9) >= now &&
		     (stmt_isnull(st, 8) || stmt_int(st, 8) <= now);
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:I, s:o, "
		"s:o, s:{s:s, s:s, s:s}}",
		"id", stmt_text(st, 0), "kind", stmt_text(st, 1), "name", stmt_text(st, 2),
		"description", stmt_text(st, 3), "quantity", plan_int_json(st, 4),
		"skills", stmt_text(st, 5), "scope", stmt_text(st, 6), "contact", stmt_text(st, 7),
		"contract_from", plan_time_json(st, 8), "contract_to", plan_time_json(st, 9),
		"retired_at", plan_time_json(st, 10), "contract_active", active,
		"version", (json_int_t)stmt_int(st, 11), "created_at", plan_time_json(st, 12),
		"updated_at", plan_time_json(st, 13),
		"org", "id", stmt_text(st, 14), "code", stmt_text(st, 15), "name", stmt_text(st, 16));
}

static json_t *res_load(struct ctx *c, const char *id, char path[LIMIT_ORG_PATH], struct err *e)
{
	return policy_load_one(c, RES_SELECT "WHERE r.id = $1", id, res_row, RES_PATH_COL,
			       ACT_RESOURCE_READ, path, e);
}

static int64_t opt_time(json_t *body, const char *key)
{
	int64_t t = 0;
	const char *s = jv_str(body, key);
	if (s)
		time_parse(s, &t);
	return t;
}

/* The contract ends after it starts (both given, or one given and the
 * other stored: from/to are the values after the change). */
static int dates_ok(int64_t from, int64_t to, struct err *e)
{
	return from && to && to < from ? err_field(e, "/contract_to", MSG_CONTRACT_DATES, NULL) : 0;
}

static int not_blank(json_t *body, struct err *e)
{
	const char *v = jv_str(body, "name");
	return v && *v == '\0' ? err_field(e, "/name", MSG_EMPTY, NULL) : 0;
}

json_t *resource_create(struct ctx *c, json_t *body, struct err *e)
{
	struct org o;
	char id[UUID_LEN], path[LIMIT_ORG_PATH];
	if (jv_validate(body, create_fields, "", e) != 0 || not_blank(body, e) != 0 ||
	    dates_ok(opt_time(body, "contract_from"), opt_time(body, "contract_to"), e) != 0 ||
	    policy_org_target(c, jv_str(body, "org_code"), "/org_code", &o, e) != 0)
		return NULL;
	struct policy_target t = { .org_path = o.path };
	if (policy_check(c->actor, ACT_RESOURCE_WRITE, &t, e) != 0 || store_begin(c->db, e) != 0)
		return NULL;
	const char *v[6];
	for (int i = 0; text_cols[i]; i++)
		v[i] = jv_str(body, text_cols[i]) ? jv_str(body, text_cols[i]) : "";
	int64_t now = time_now_ms();
	json_t *j = NULL;
	if (store_run(c->db, e, "INSERT INTO resources (id, org_id, kind, name, description, skills, "
		      "scope, contact, quantity, contract_from, contract_to, version, created_by, "
		      "created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,NULLIF($9,-1),"
		      "NULLIF($10,0),NULLIF($11,0),1,$12,$13,$13)", "tttttttt" "iii" "ti",
		      uuid7(id), o.id, v[0], v[1], v[2], v[3], v[4], v[5],
		      (int64_t)jv_int(body, "quantity", -1), opt_time(body, "contract_from"),
		      opt_time(body, "contract_to"), c->actor->system ? NULL : c->actor->id, now) < 0 ||
	    (j = res_load(c, id, path, e)) == NULL ||
	    audit_append_json(c, "resource.create", "resource", id, NULL, j, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(j);
		return NULL;
	}
	return j;
}

static int res_apply(struct ctx *c, const char *id, json_t *before, json_t *body, struct err *e)
{
	char sql[96];
	for (int i = 0; text_cols[i]; i++) {
		const char *v = jv_str(body, text_cols[i]);
		if (v == NULL)
			continue;
		snprintf(sql, sizeof(sql), "UPDATE resources SET %s = $1 WHERE id = $2", text_cols[i]);
		if (store_run(c->db, e, sql, "tt", v, id) < 0)
			return -1;
	}
	/* Present keys change (null clears); absent ones stay. */
	int64_t from = 0, to = 0;
	const char *bf = json_string_value(json_object_get(before, "contract_from"));
	const char *bt = json_string_value(json_object_get(before, "contract_to"));
	if (json_object_get(body, "contract_from"))
		from = opt_time(body, "contract_from");
	else if (bf)
		time_parse(bf, &from);
	if (json_object_get(body, "contract_to"))
		to = opt_time(body, "contract_to");
	else if (bt)
		time_parse(bt, &to);
	if (dates_ok(from, to, e) != 0 ||
	    store_run(c->db, e, "UPDATE resources SET contract_from = NULLIF($1, 0), contract_to = "
		      "NULLIF($2, 0) WHERE id = $3", "iit", from, to, id) < 0)
		return -1;
	if (json_object_get(body, "quantity") &&
	    store_run(c->db, e, "UPDATE resources SET quantity = NULLIF($1, -1) WHERE id = $2", "it",
		      (int64_t)jv_int(body, "quantity", -1), id) < 0)
		return -1;
	json_t *r = json_object_get(body, "retired");
	if (r && store_run(c->db, e, "UPDATE resources SET retired_at = CASE WHEN $1 = 1 THEN "
			   "COALESCE(retired_at, $2) ELSE NULL END WHERE id = $3", "iit",
			   (int64_t)json_is_true(r), time_now_ms(), id) < 0)
		return -1;
	return 0;
}

json_t *resource_update(struct ctx *c, const char *id, long long if_match, json_t *body,
			struct err *e)
{
	char path[LIMIT_ORG_PATH];
	json_t *before = NULL, *after = NULL;
	if (jv_validate(body, update_fields, "", e) != 0 || not_blank(body, e) != 0 ||
	    store_begin(c->db, e) != 0)
		return NULL;
	if ((before = res_load(c, id, path, e)) == NULL)
		goto fail;
	struct policy_target t = { .org_path = path };
	if (policy_check(c->actor, ACT_RESOURCE_WRITE, &t, e) != 0)
		goto fail;
	if (if_match < 0) {
		err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL);
		goto fail;
	}
	if (version_claim(c, "resources", id, if_match, e) != 0 ||
	    res_apply(c, id, before, body, e) != 0 ||
	    store_run(c->db, e, "UPDATE resources SET version = version + 1, updated_at = $1 "
		      "WHERE id = $2", "it", time_now_ms(), id) != 1 ||
	    (after = res_load(c, id, path, e)) == NULL ||
	    audit_append_json(c, "resource.update", "resource", id, before, after, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	json_decref(before);
	return after;
fail:
	store_rollback(c->db);
	json_decref(before);
	json_decref(after);
	return NULL;
}

json_t *resource_list(struct ctx *c, const char *org_code, const char *kind, struct err *e)
{
	struct org o;
	if (policy_check(c->actor, ACT_RESOURCE_READ, NULL, e) != 0 ||
	    plan_org_scope(c, org_code, &o, e) != 0)
		return NULL;
	if (kind && jv_enum_index(resource_kinds, kind) < 0)
		return err_field(e, "/kind", MSG_BAD_VALUE, kind), NULL;
	struct stmt *st = store_query(c->db, e, RES_SELECT "WHERE substr(o.path, 1, length($1)) = $1 "
				      "AND ($2 IS NULL OR r.kind = $2) "
				      "ORDER BY r.retired_at IS NOT NULL, o.path, r.kind, r.name",
				      "tt", o.path, kind);
	if (st == NULL)
		return NULL;
	json_t *j = rows_items(st, res_row, e);
	if (j)
		json_object_set_new(j, "org", org_json(&o));
	return j;
}
