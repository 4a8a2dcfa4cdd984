/* plan.c - response plans: versions, their states, diff and the district's view (plan.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "plan_diff.h"
#include "plan_int.h"
#include "plan_outline.h"
#include "plan_prefill.h"
#include "../directory/audit.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "../../base/buf.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

const struct label plan_status_labels[] = {
	{ "draft", "Dự thảo", "Draft" },
	{ "submitted", "Chờ phê duyệt", "Submitted" },
	{ "approved", "Đã phê duyệt", "Approved" },
	{ "superseded", "Đã được thay thế", "Superseded" },
	{ NULL, NULL, NULL },
};
static const char *const status_codes[] = { "draft", "submitted", "approved", "superseded", NULL };

static const struct label cause_labels[] = {
	{ "fault", "Sự cố do lỗi kỹ thuật, hỏng hóc", "Technical fault" },
	{ "operator_error", "Sự cố do thao tác sai của người vận hành", "Operator error" },
	{ "disaster", "Sự cố do thiên tai, hỏa hoạn, mất điện", "Disaster, fire, power loss" },
	{ NULL, NULL, NULL },
};

const struct label plan_phase_labels[] = {
	{ "identify", "Xác định nguyên nhân, nguồn gốc", "Identify cause and origin" },
	{ "contain", "Ngăn chặn, cô lập", "Contain and isolate" },
	{ "evidence", "Thu thập chứng cứ", "Collect evidence" },
	{ "eradicate", "Gỡ bỏ", "Eradicate" },
	{ "recover", "Khôi phục", "Recover" },
	{ "coordinate", "Điều phối, hỗ trợ", "Coordinate and support" },
	{ NULL, NULL, NULL },
};
static const char *const phase_codes[] = {
	"identify", "contain", "evidence", "eradicate", "recover", "coordinate", NULL
};

const struct label *plan_threat_at(int i)
{
	int n = 0;
	while (incident_type_labels[n].code)
		n++;
	if (i < 0)
		return NULL;
	if (i < n)
		return &incident_type_labels[i];
	return cause_labels[i - n].code ? &cause_labels[i - n] : NULL;
}

const struct label *plan_threat_find(const char *code)
{
	const struct label *l;
	for (int i = 0; code && (l = plan_threat_at(i)) != NULL; i++)
		if (strcmp(l->code, code) == 0)
			return l;
	return NULL;
}

/* ---- shared validation helpers (plan_int.h) ---- */

int plan_keys_only(json_t *obj, const char *const *keys, const char *prefix, struct err *e)
{
	const char *k;
	json_t *v;
	char ptr[96];
	json_object_foreach(obj, k, v) {
		int known = 0;
		for (int i = 0; keys[i]; i++)
			if (strcmp(keys[i], k) == 0)
				known = 1;
		if (!known) {
			snprintf(ptr, sizeof(ptr), "%s/%.60s", prefix, k);
			err_field(e, ptr, MSG_UNKNOWN_FIELD, NULL);
		}
	}
	return e->code ? -1 : 0;
}

int plan_check_array(const json_t *v, const char *ptr, size_t max, struct err *e)
{
	char n[24];
	if (v == NULL)
		return 0;
	if (!json_is_array(v))
		return err_field(e, ptr, MSG_WRONG_TYPE, "array");
	if (json_array_size(v) > max) {
		snprintf(n, sizeof(n), "%zu", max);
		return err_field(e, ptr, MSG_TOO_MANY, n);
	}
	return 0;
}

/* ---- rows ---- */

#define PLAN_SELECT "SELECT p.id, o.id, o.code, o.name, o.kind, o.path, p.system_id, s.name, " \
	"s.level, p.number, p.based_on, p.status, p.title, p.sections, p.scenarios, " \
	"p.submitted_at, su.full_name, p.decision_number, p.decision_date, p.approved_at, " \
	"au.full_name, p.superseded_at, p.return_reason, p.version, p.created_at, p.updated_at, " \
	"cu.full_name " \
	"FROM plans p JOIN orgs o ON o.id = p.org_id LEFT JOIN systems s ON s.id = p.system_id " \
	"LEFT JOIN users su ON su.id = p.submitted_by LEFT JOIN users au ON au.id = p.approved_by " \
	"LEFT JOIN users cu ON cu.id = p.created_by "
#define COL_PATH 5

static json_t *time_or_null(struct stmt *st, int col)
{
	char ts[TIME_RFC3339_LEN];
	return stmt_isnull(st, col) ? json_null() : json_string(time_format_utc(stmt_int(st, col), ts));
}

static json_t *text_or_null(struct stmt *st, int col)
{
	const char *v = stmt_text(st, col);
	return v ? json_string(v) : json_null();
}

static json_t *plan_row_brief(struct stmt *st)
{
	json_t *j = json_pack("{s:s, s:{s:s, s:s, s:s, s:s}, s:o, s:I, s:o, s:s, s:s, s:o, s:o, "
		"s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o}",
		"id", stmt_text(st, 0),
		"org", "id", stmt_text(st, 1), "code", stmt_text(st, 2), "name", stmt_text(st, 3),
		"kind", stmt_text(st, 4),
		"system", stmt_isnull(st, 6) ? json_null() : json_pack("{s:s, s:s, s:o}",
			"id", stmt_text(st, 6), "name", stmt_text(st, 7) ? stmt_text(st, 7) : "",
			"level", stmt_isnull(st, 8) ? json_null() : json_integer(stmt_int(st, 8))),
		"number", (json_int_t)stmt_int(st, 9), "based_on", text_or_null(st, 10),
		"status", stmt_text(st, 11), "title", stmt_text(st, 12),
		"submitted_at", time_or_null(st, 15), "submitted_by", text_or_null(st, 16),
		"decision_number", text_or_null(st, 17), "decision_date", text_or_null(st, 18),
		"approved_at", time_or_null(st, 19), "approved_by", text_or_null(st, 20),
		"superseded_at", time_or_null(st, 21), "return_reason", text_or_null(st, 22),
		"version", (json_int_t)stmt_int(st, 23), "created_at", time_or_null(st, 24),
		"updated_at", time_or_null(st, 25), "created_by", text_or_null(st, 26));
	return j;
}

static json_t *plan_row_full(struct stmt *st)
{
	json_t *j = plan_row_brief(st);
	if (j == NULL)
		return NULL;
	json_t *sec = json_loads(stmt_text(st, 13), 0, NULL);
	json_t *sce = json_loads(stmt_text(st, 14), 0, NULL);
	json_object_set_new(j, "sections", sec ? sec : json_array());
	json_object_set_new(j, "scenarios", sce ? sce : json_array());
	return j;
}

/* What the rules look at before acting on a plan. */
struct plan_head {
	char id[UUID_LEN];
	char org_id[UUID_LEN];
	char org_path[LIMIT_ORG_PATH];
	char system_id[UUID_LEN];   /* "" for the organisation's plan */
	int status;
	long long version;
};

/* Loads a plan the actor may see (ACT_PLAN_READ in scope, else 404) as
 * JSON (full or brief), and its head. */
static json_t *plan_load(struct ctx *c, const char *id, int full, struct plan_head *h,
			 struct err *e)
{
	if (id == NULL || !uuid_valid(id))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	struct stmt *st = store_query(c->db, e, PLAN_SELECT "WHERE p.id = $1", "t", id);
	if (st == NULL)
		return NULL;
	json_t *j = NULL;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		j = full ? plan_row_full(st) : plan_row_brief(st);
		if (h) {
			snprintf(h->id, sizeof(h->id), "%s", stmt_text(st, 0));
			snprintf(h->org_id, sizeof(h->org_id), "%s", stmt_text(st, 1));
			snprintf(h->org_path, sizeof(h->org_path), "%s", stmt_text(st, COL_PATH));
			snprintf(h->system_id, sizeof(h->system_id), "%s",
				 stmt_isnull(st, 6) ? "" : stmt_text(st, 6));
			h->status = jv_enum_index(status_codes, stmt_text(st, 11));
			h->version = stmt_int(st, 23);
		}
	} else if (rc == 0) {
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	}
	struct policy_target t = { .org_path = rc == 1 ? stmt_text(st, COL_PATH) : NULL };
	int denied = rc == 1 && policy_check(c->actor, ACT_PLAN_READ, &t, e) != 0;
	stmt_done(st);
	if (j == NULL || denied) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* What the actor may do with the plan now (the UI shows these buttons). */
static void add_actions(struct ctx *c, json_t *j, const struct plan_head *h)
{
	json_t *a = json_array();
	struct err e = { 0 };
	struct policy_target t = { .org_path = h->org_path };
	int write = policy_check(c->actor, ACT_PLAN_WRITE, &t, &e) == 0;
	err_clear(&e);
	int approve = policy_check(c->actor, ACT_PLAN_APPROVE, &t, &e) == 0;
	if (write && h->status == PLAN_DRAFT) {
		json_array_append_new(a, json_string("edit"));
		json_array_append_new(a, json_string("submit"));
	}
	if (approve && h->status == PLAN_SUBMITTED) {
		json_array_append_new(a, json_string("approve"));
		json_array_append_new(a, json_string("return"));
	}
	if (write && (h->status == PLAN_APPROVED || h->status == PLAN_SUPERSEDED))
		json_array_append_new(a, json_string("new_version"));
	json_object_set_new(j, "actions", a);
}

json_t *plan_get(struct ctx *c, const char *id, struct err *e)
{
	struct plan_head h;
	json_t *j = plan_load(c, id, 1, &h, e);
	if (j)
		add_actions(c, j, &h);
	return j;
}

json_t *plan_list(struct ctx *c, const char *org_code, const char *status, const char *cursor,
		  int limit, struct err *e)
{
	if (policy_check(c->actor, ACT_PLAN_READ, NULL, e) != 0)
		return NULL;
	if (status && jv_enum_index(status_codes, status) < 0)
		return err_field(e, "/status", MSG_BAD_VALUE, "draft, submitted, approved, superseded"),
		       NULL;
	if (cursor && !uuid_valid(cursor))
		return err_field(e, "/cursor", MSG_BAD_VALUE, "uuid"), NULL;
	if (limit <= 0)
		limit = LIMIT_PAGE_DEFAULT;
	/* UUIDv7 ids sort by creation: the id is the keyset. One row more than
	 * the page tells whether another page follows. */
	struct stmt *st = store_query(c->db, e, PLAN_SELECT "WHERE substr(o.path, 1, length($1)) = $1 "
		"AND ($2 IS NULL OR substr(o.path, 1, length((SELECT path FROM orgs WHERE code = $2))) "
		"= (SELECT path FROM orgs WHERE code = $2)) AND ($3 IS NULL OR p.status = $3) "
		"AND ($4 IS NULL OR p.id < $4) ORDER BY p.id DESC LIMIT $5",
		"tttti", c->actor->system ? "/" : c->actor->org_path, org_code, status, cursor,
		(int64_t)limit + 1);
	json_t *all = st ? rows_array(st, plan_row_brief, e) : NULL;
	if (all == NULL)
		return NULL;
	json_t *next = json_null();
	if (json_array_size(all) > (size_t)limit) {
		json_array_remove(all, (size_t)limit);
		next = json_copy(json_object_get(json_array_get(all, (size_t)limit - 1), "id"));
	}
	return json_pack("{s:o, s:o}", "items", all, "next_cursor", next);
}

/* ---- create ---- */

static const struct jv_field create_fields[] = {
	{ "org_code", JV_STRING, 0, 0, 64, NULL, NULL },
	{ "system_id", JV_UUID, 0, 0, 0, NULL, NULL },
	{ "title", JV_STRING, 0, 0, LIMIT_SHORT_TEXT, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* The open (draft or submitted) version of a plan and the highest number. */
static int series_state(struct ctx *c, const char *org_id, const char *system_id,
			long long *open_number, long long *max_number, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT COALESCE(MAX(number), 0), "
		"COALESCE(MAX(CASE WHEN status IN ('draft', 'submitted') THEN number END), 0) "
		"FROM plans WHERE org_id = $1 AND COALESCE(system_id, '') = $2", "tt",
		org_id, system_id ? system_id : "");
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		*max_number = stmt_int(st, 0);
		*open_number = stmt_int(st, 1);
	}
	stmt_done(st);
	return rc == 1 ? 0 : -1;
}

/* system_id must be a system of o at level 4 or 5, not retired. */
static int system_ok(struct ctx *c, const struct org *o, const char *system_id, char *name,
		     size_t n, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT name FROM systems WHERE id = $1 AND "
		"org_id = $2 AND level >= 4 AND retired_at IS NULL", "tt", system_id, o->id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		snprintf(name, n, "%s", stmt_text(st, 0));
	stmt_done(st);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : err_field(e, "/system_id", MSG_PLAN_SYSTEM_LEVEL, NULL);
}

static int insert_plan(struct ctx *c, const char *id, const char *org_id, const char *system_id,
		       long long number, const char *based_on, const char *title,
		       const json_t *sections, const json_t *scenarios, struct err *e)
{
	char *sec = json_dumps(sections, JSON_COMPACT);
	char *sce = json_dumps(scenarios, JSON_COMPACT);
	int64_t now = time_now_ms();
	int rc = -1;
	if (sec && sce)
		rc = store_run(c->db, e, "INSERT INTO plans (id, org_id, system_id, number, based_on, "
			       "status, title, sections, scenarios, version, created_by, created_at, "
			       "updated_at) VALUES ($1,$2,$3,$4,$5,'draft',$6,$7,$8,1,$9,$10,$10)",
			       "tttitttt" "ti", id, org_id, system_id, (int64_t)number, based_on, title,
			       sec, sce, c->actor->system ? NULL : c->actor->id, now);
	free(sec);
	free(sce);
	if (rc == -1 && e->code == E_OK)
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	return rc == 1 ? 0 : -1;
}

json_t *plan_create(struct ctx *c, json_t *body, struct err *e)
{
	struct org o;
	char id[UUID_LEN], sysname[LIMIT_SHORT_TEXT + 1] = "", title[LIMIT_SHORT_TEXT + 1];
	json_t *outline = NULL, *sections = NULL, *scenarios = NULL, *j = NULL;
	if (jv_validate(body, create_fields, "", e) != 0)
		return NULL;
	const char *code = jv_str(body, "org_code"), *sys = jv_str(body, "system_id");
	if (code == NULL) {
		if (c->actor->system)
			return err_field(e, "/org_code", MSG_REQUIRED, NULL), NULL;
		if (org_by_id(c, c->actor->org_id, &o, e) != 0)
			return NULL;
	} else if (org_by_code(c, code, &o, e) != 0 || !policy_in_scope(c->actor, o.path)) {
		err_clear(e);
		return err_field(e, "/org_code", MSG_ORG_OUT_OF_SCOPE, code), NULL;
	}
	struct policy_target t = { .org_path = o.path };
	if (policy_check(c->actor, ACT_PLAN_WRITE, &t, e) != 0 || store_begin(c->db, e) != 0)
		return NULL;
	long long open = 0, max = 0;
	if ((sys && system_ok(c, &o, sys, sysname, sizeof(sysname), e) != 0) ||
	    series_state(c, o.id, sys, &open, &max, e) != 0)
		goto fail;
	if (open > 0) {
		char n[24];
		snprintf(n, sizeof(n), "%lld", open);
		err_set(e, E_CONFLICT, MSG_PLAN_OPEN_EXISTS, n);
		goto fail;
	}
	if (jv_str(body, "title") && *jv_str(body, "title"))
		snprintf(title, sizeof(title), "%s", jv_str(body, "title"));
	else if (sys)
		snprintf(title, sizeof(title), "Kế hoạch ứng phó sự cố hệ thống %.200s", sysname);
	else
		snprintf(title, sizeof(title), "Kế hoạch ứng phó sự cố an toàn thông tin mạng");
	outline = plan_outline_sections(c, e);
	if (outline == NULL ||
	    (sections = plan_prefill_sections(c, &o, sys, outline, e)) == NULL ||
	    (scenarios = plan_prefill_scenarios(c, &o, e)) == NULL ||
	    insert_plan(c, uuid7(id), o.id, sys, max + 1, NULL, title, sections, scenarios, e) != 0 ||
	    (j = plan_load(c, id, 1, NULL, e)) == NULL ||
	    audit_append_json(c, "plan.create", "plan", id, NULL, j, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	json_decref(outline);
	json_decref(sections);
	json_decref(scenarios);
	json_decref(j);
	return plan_get(c, id, e);
fail:
	if (e->code == E_OK)
		err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	store_rollback(c->db);
	json_decref(outline);
	json_decref(sections);
	json_decref(scenarios);
	json_decref(j);
	return NULL;
}

/* ---- update a draft ---- */

static const struct jv_field section_edit_fields[] = {
	{ "code", JV_STRING, 1, 0, 32, NULL, NULL },
	{ "text", JV_STRING, 0, 0, LIMIT_PLAN_SECTION_TEXT, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field step_fields[] = {
	{ "phase", JV_ENUM, 1, 0, 0, phase_codes, NULL },
	{ "text", JV_STRING, 1, 0, LIMIT_PLAN_STEP_TEXT, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field scenario_edit_keys[] = {
	{ "threat", JV_STRING, 1, 0, 32, NULL, NULL },
	{ "coordinator", JV_STRING, 0, 0, LIMIT_SHORT_TEXT, NULL, NULL },
	{ "support", JV_STRING, 0, 0, LIMIT_SHORT_TEXT, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* Checks an array of objects: each item against check(item, ptr). */
static int each_object(json_t *list, const char *name, size_t max,
		       int (*check)(json_t *item, const char *ptr, struct err *e), struct err *e)
{
	char ptr[128];
	size_t i;
	json_t *it;
	snprintf(ptr, sizeof(ptr), "/%.80s", name);
	if (plan_check_array(list, ptr, max, e) != 0)
		return -1;
	json_array_foreach(list, i, it) {
		snprintf(ptr, sizeof(ptr), "/%.80s/%zu", name, i);
		if (!json_is_object(it))
			err_field(e, ptr, MSG_WRONG_TYPE, "object");
		else
			check(it, ptr, e);
	}
	return e->code ? -1 : 0;
}

static int check_section_edit(json_t *s, const char *ptr, struct err *e)
{
	char p[160];
	if (jv_validate(s, section_edit_fields, ptr, e) != 0)
		return -1;
	if (json_object_get(s, "text") == NULL || jv_str(s, "text") == NULL) {
		snprintf(p, sizeof(p), "%s/text", ptr);
		return err_field(e, p, MSG_REQUIRED, NULL);
	}
	return 0;
}

static int check_step(json_t *s, const char *ptr, struct err *e)
{
	return jv_validate(s, step_fields, ptr, e);
}

static int check_scenario_edit(json_t *s, const char *ptr, struct err *e)
{
	static const char *const keys[] = { "threat", "steps", "coordinator", "support", NULL };
	char p[160];
	if (plan_keys_only(s, keys, ptr, e) != 0)
		return -1;
	json_t *steps = json_object_get(s, "steps");
	json_t *flat = json_deep_copy(s);
	if (flat == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	json_object_del(flat, "steps");
	int rc = jv_validate(flat, scenario_edit_keys, ptr, e);
	json_decref(flat);
	if (rc != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/threat", ptr);
	if (plan_threat_find(jv_str(s, "threat")) == NULL)
		return err_field(e, p, MSG_BAD_VALUE, jv_str(s, "threat"));
	if (steps) {
		snprintf(p, sizeof(p), "%.40s/steps", ptr + 1);
		return each_object(steps, p, LIMIT_PLAN_STEPS, check_step, e);
	}
	return 0;
}

/* No two items of list with the same key (the second is named). */
static int unique_key(json_t *list, const char *name, const char *key, struct err *e)
{
	char ptr[64];
	size_t n = json_array_size(list);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < i; k++) {
			const char *a = jv_str(json_array_get(list, i), key);
			const char *b = jv_str(json_array_get(list, k), key);
			if (a && b && strcmp(a, b) == 0) {
				snprintf(ptr, sizeof(ptr), "/%s/%zu/%s", name, i, key);
				err_field(e, ptr, MSG_PLAN_DUPLICATE, a);
				break;
			}
		}
	return e->code ? -1 : 0;
}

static int check_update(json_t *body, struct err *e)
{
	static const char *const keys[] = { "title", "sections", "scenarios", NULL };
	if (plan_keys_only(body, keys, "", e) != 0)
		return -1;
	json_t *title = json_object_get(body, "title");
	if (title) {
		if (!json_is_string(title))
			return err_field(e, "/title", MSG_WRONG_TYPE, "string");
		char n[16];
		snprintf(n, sizeof(n), "%d", LIMIT_SHORT_TEXT);
		if (json_string_length(title) > LIMIT_SHORT_TEXT)
			return err_field(e, "/title", MSG_TOO_LONG, n);
		if (json_string_length(title) == 0)
			return err_field(e, "/title", MSG_EMPTY, NULL);
		if (memchr(json_string_value(title), '\0', json_string_length(title)))
			return err_field(e, "/title", MSG_NUL_CHAR, NULL);
	}
	json_t *sec = json_object_get(body, "sections"), *sce = json_object_get(body, "scenarios");
	if ((sec && each_object(sec, "sections", LIMIT_PLAN_SECTIONS, check_section_edit, e) != 0) ||
	    (sce && each_object(sce, "scenarios", 20, check_scenario_edit, e) != 0))
		return -1;
	if ((sec && unique_key(sec, "sections", "code", e) != 0) ||
	    (sce && unique_key(sce, "scenarios", "threat", e) != 0))
		return -1;
	return 0;
}

static json_t *find_by(json_t *list, const char *key, const char *value)
{
	size_t i;
	json_t *it;
	json_array_foreach(list, i, it)
		if (value && jv_str(it, key) && strcmp(jv_str(it, key), value) == 0)
			return it;
	return NULL;
}

/* Applies the edit to the plan's sections and scenarios (in place). */
static int merge_edit(json_t *plan, json_t *body, struct err *e)
{
	json_t *sections = json_object_get(plan, "sections");
	json_t *scenarios = json_object_get(plan, "scenarios");
	char ptr[64];
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(body, "sections"), i, it) {
		json_t *s = find_by(sections, "code", jv_str(it, "code"));
		if (s == NULL) {
			snprintf(ptr, sizeof(ptr), "/sections/%zu/code", i);
			err_field(e, ptr, MSG_PLAN_UNKNOWN_SECTION, jv_str(it, "code"));
			continue;
		}
		json_object_set(s, "text", json_object_get(it, "text"));
	}
	json_array_foreach(json_object_get(body, "scenarios"), i, it) {
		json_t *s = find_by(scenarios, "threat", jv_str(it, "threat"));
		if (s == NULL) {   /* a threat the plan was drafted without */
			s = json_pack("{s:s, s:[], s:s, s:s}", "threat", jv_str(it, "threat"),
				      "steps", "coordinator", "", "support", "");
			json_array_append_new(scenarios, s);
		}
		static const char *const keys[] = { "steps", "coordinator", "support", NULL };
		for (int k = 0; keys[k]; k++)
			if (json_object_get(it, keys[k]))
				json_object_set(s, keys[k], json_object_get(it, keys[k]));
	}
	return e->code ? -1 : 0;
}

/* Starts a change of plan id: loads under the write lock, authorises
 * action, checks If-Match. The full JSON, or NULL (rolled back). */
static json_t *change_begin(struct ctx *c, const char *id, long long if_match, int action,
			    struct plan_head *h, struct err *e)
{
	if (store_begin(c->db, e) != 0)
		return NULL;
	json_t *j = plan_load(c, id, 1, h, e);
	if (j == NULL)
		goto fail;
	struct policy_target t = { .org_path = h->org_path };
	if (policy_check(c->actor, action, &t, e) != 0)
		goto fail;
	if (if_match < 0) {
		err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL);
		goto fail;
	}
	if (if_match != h->version) {
		err_set(e, E_PRECOND, MSG_STALE_RECORD, NULL);
		goto fail;
	}
	return j;
fail:
	store_rollback(c->db);
	json_decref(j);
	return NULL;
}

/* Finishes it: audit before/after, commit; the plan as plan_get shows it. */
static json_t *change_end(struct ctx *c, const char *action, json_t *before, struct err *e)
{
	char id[UUID_LEN];
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(before, "id")));
	json_t *after = plan_load(c, id, 1, NULL, e);
	if (after == NULL ||
	    audit_append_json(c, action, "plan", id, before, after, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		if (e->code == E_OK)
			err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
		store_rollback(c->db);
		json_decref(before);
		json_decref(after);
		return NULL;
	}
	json_decref(before);
	json_decref(after);
	return plan_get(c, id, e);
}

json_t *plan_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		    struct err *e)
{
	struct plan_head h;
	if (check_update(body, e) != 0)
		return NULL;
	json_t *before = change_begin(c, id, if_match, ACT_PLAN_WRITE, &h, e);
	if (before == NULL)
		return NULL;
	json_t *work = json_deep_copy(before);
	char *sec = NULL, *sce = NULL;
	if (h.status != PLAN_DRAFT) {
		err_set(e, E_CONFLICT, MSG_PLAN_NOT_DRAFT, status_codes[h.status]);
		goto fail;
	}
	if (work == NULL || merge_edit(work, body, e) != 0)
		goto fail;
	sec = json_dumps(json_object_get(work, "sections"), JSON_COMPACT);
	sce = json_dumps(json_object_get(work, "scenarios"), JSON_COMPACT);
	if (sec == NULL || sce == NULL ||
	    store_run(c->db, e, "UPDATE plans SET title = COALESCE($1, title), sections = $2, "
		      "scenarios = $3, version = version + 1, updated_at = $4 WHERE id = $5",
		      "tttit", jv_str(body, "title"), sec, sce, time_now_ms(), h.id) != 1)
		goto fail;
	free(sec);
	free(sce);
	json_decref(work);
	return change_end(c, "plan.update", before, e);
fail:
	if (e->code == E_OK)
		err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	store_rollback(c->db);
	free(sec);
	free(sce);
	json_decref(work);
	json_decref(before);
	return NULL;
}

/* ---- states ---- */

static const char *const move_codes[] = { "submitted", "approved", "draft", NULL };

static const struct jv_field transition_fields[] = {
	{ "to", JV_ENUM, 1, 0, 0, move_codes, NULL },
	{ "decision_number", JV_STRING, 0, 0, LIMIT_PLAN_DECISION, NULL, NULL },
	{ "decision_date", JV_STRING, 0, 0, 10, NULL, NULL },
	{ "reason", JV_STRING, 0, 0, 2000, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* The moves: from, to, the action that may make it. */
static const struct plan_move {
	int from, to, action;
} moves[] = {
	{ PLAN_DRAFT, PLAN_SUBMITTED, ACT_PLAN_WRITE },
	{ PLAN_SUBMITTED, PLAN_APPROVED, ACT_PLAN_APPROVE },
	{ PLAN_SUBMITTED, PLAN_DRAFT, ACT_PLAN_APPROVE },     /* returned with a reason */
};

/* "YYYY-MM-DD", a real date, not after today in Vietnam. */
static int date_ok(const char *s)
{
	int y;
	unsigned m, d;
	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = atoi(s);
	m = (unsigned)atoi(s + 5);
	d = (unsigned)atoi(s + 8);
	if (y < 1990 || m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	int64_t days = time_days_from_civil(y, m, d);
	int yy;
	unsigned mm, dd;
	time_civil_from_days(days, &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)
		return 0;   /* 31 April */
	int64_t today = (time_now_ms() + 7 * 3600000LL) / 86400000LL;
	return days <= today;
}

json_t *plan_transition(struct ctx *c, const char *id, long long if_match, json_t *body,
			struct err *e)
{
	struct plan_head h;
	if (jv_validate(body, transition_fields, "", e) != 0)
		return NULL;
	int to = jv_enum_index(status_codes, jv_str(body, "to"));
	/* Read first to find the move (and its action) for this plan's state. */
	json_t *peek = plan_load(c, id, 0, &h, e);
	if (peek == NULL)
		return NULL;
	json_decref(peek);
	const struct plan_move *mv = NULL;
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		if (moves[i].from == h.status && moves[i].to == to)
			mv = &moves[i];
	if (mv == NULL) {
		/* Someone who may move no plan learns that first, not its state. */
		struct policy_target t = { .org_path = h.org_path };
		if (policy_check(c->actor, ACT_PLAN_WRITE, &t, e) != 0) {
			struct err e2 = { 0 };
			if (policy_check(c->actor, ACT_PLAN_APPROVE, &t, &e2) != 0)
				return NULL;
			err_clear(e);
		}
		return err_set(e, E_CONFLICT, MSG_TRANSITION_DENIED, jv_str(body, "to")), NULL;
	}
	if (to == PLAN_APPROVED) {
		const char *num = jv_str(body, "decision_number");
		if (num == NULL || *num == '\0')
			err_field(e, "/decision_number", MSG_REQUIRED, NULL);
		if (jv_str(body, "decision_date") == NULL)
			err_field(e, "/decision_date", MSG_REQUIRED, NULL);
		else if (!date_ok(jv_str(body, "decision_date")))
			err_field(e, "/decision_date", MSG_PLAN_BAD_DATE, NULL);
	}
	if (to == PLAN_DRAFT && (jv_str(body, "reason") == NULL || *jv_str(body, "reason") == '\0'))
		err_field(e, "/reason", MSG_REQUIRED, NULL);
	if (e->code)
		return NULL;
	json_t *before = change_begin(c, id, if_match, mv->action, &h, e);
	if (before == NULL)
		return NULL;
	if (h.status != mv->from) {   /* moved since the first read */
		err_set(e, E_PRECOND, MSG_STALE_RECORD, NULL);
		goto fail;
	}
	int64_t now = time_now_ms();
	const char *who = c->actor->system ? NULL : c->actor->id;
	int rc;
	if (to == PLAN_SUBMITTED)
		rc = store_run(c->db, e, "UPDATE plans SET status = 'submitted', submitted_at = $1, "
			       "submitted_by = $2, return_reason = NULL, version = version + 1, "
			       "updated_at = $1 WHERE id = $3", "itt", now, who, h.id);
	else if (to == PLAN_DRAFT)
		rc = store_run(c->db, e, "UPDATE plans SET status = 'draft', return_reason = $1, "
			       "version = version + 1, updated_at = $2 WHERE id = $3", "tit",
			       jv_str(body, "reason"), now, h.id);
	else
		rc = store_run(c->db, e, "UPDATE plans SET status = 'superseded', superseded_at = $1, "
			       "version = version + 1, updated_at = $1 WHERE org_id = $2 AND "
			       "COALESCE(system_id, '') = $3 AND status = 'approved' AND id <> $4",
			       "ittt", now, h.org_id, h.system_id, h.id) < 0 ? -1 :
		     store_run(c->db, e, "UPDATE plans SET status = 'approved', approved_at = $1, "
			       "approved_by = $2, decision_number = $3, decision_date = $4, "
			       "version = version + 1, updated_at = $1 WHERE id = $5", "itttt", now, who,
			       jv_str(body, "decision_number"), jv_str(body, "decision_date"), h.id);
	if (rc != 1)
		goto fail;
	/* the approvers are told in this transaction (the standing duty) */
	if (to == PLAN_SUBMITTED && domain_record_hook(c, "plan.submitted", h.id, NULL, e) != 0)
		goto fail;
	return change_end(c, to == PLAN_SUBMITTED ? "plan.submit" : to == PLAN_DRAFT ? "plan.return"
			  : "plan.approve", before, e);
fail:
	if (e->code == E_OK)
		err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	store_rollback(c->db);
	json_decref(before);
	return NULL;
}

json_t *plan_new_version(struct ctx *c, const char *id, struct err *e)
{
	struct plan_head h;
	char nid[UUID_LEN];
	json_t *j = NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	json_t *src = plan_load(c, id, 1, &h, e);
	if (src == NULL)
		goto fail;
	struct policy_target t = { .org_path = h.org_path };
	if (policy_check(c->actor, ACT_PLAN_WRITE, &t, e) != 0)
		goto fail;
	if (h.status != PLAN_APPROVED && h.status != PLAN_SUPERSEDED) {
		err_set(e, E_CONFLICT, MSG_PLAN_VERSION_FROM, NULL);
		goto fail;
	}
	long long open = 0, max = 0;
	const char *sys = h.system_id[0] ? h.system_id : NULL;
	if (series_state(c, h.org_id, sys, &open, &max, e) != 0)
		goto fail;
	if (open > 0) {
		char n[24];
		snprintf(n, sizeof(n), "%lld", open);
		err_set(e, E_CONFLICT, MSG_PLAN_OPEN_EXISTS, n);
		goto fail;
	}
	if (insert_plan(c, uuid7(nid), h.org_id, sys, max + 1, h.id,
			json_string_value(json_object_get(src, "title")),
			json_object_get(src, "sections"), json_object_get(src, "scenarios"), e) != 0 ||
	    (j = plan_load(c, nid, 1, NULL, e)) == NULL ||
	    audit_append_json(c, "plan.create", "plan", nid, NULL, j, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	json_decref(src);
	json_decref(j);
	return plan_get(c, nid, e);
fail:
	if (e->code == E_OK)
		err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	store_rollback(c->db);
	json_decref(src);
	json_decref(j);
	return NULL;
}

/* ---- diff ---- */

char *plan_scenarios_text(const json_t *scenarios, int lang)
{
	struct buf b;
	buf_init(&b, 4u << 20);
	size_t i, k;
	const json_t *s, *st;
	json_array_foreach(scenarios, i, s) {
		const struct label *l = plan_threat_find(jv_str(s, "threat"));
		const char *name = l ? (lang == LANG_EN ? l->en : l->vi) : jv_str(s, "threat");
		json_array_foreach(json_object_get(s, "steps"), k, st) {
			int p = jv_enum_index(phase_codes, jv_str(st, "phase"));
			buf_printf(&b, "%s — %zu. %s: %s\n", name ? name : "", k + 1,
				   p >= 0 ? (lang == LANG_EN ? plan_phase_labels[p].en
						: plan_phase_labels[p].vi) : "",
				   jv_str(st, "text") ? jv_str(st, "text") : "");
		}
		const char *co = jv_str(s, "coordinator"), *su = jv_str(s, "support");
		buf_printf(&b, "%s — %s: %s; %s: %s\n", name ? name : "",
			   lang == LANG_EN ? "coordinates" : "điều phối", co ? co : "",
			   lang == LANG_EN ? "supports" : "hỗ trợ", su ? su : "");
	}
	size_t n;
	char *out = buf_detach(&b, &n);
	return out;
}

/* The sections as the diff compares them: the scenarios section's text
 * followed by the scenarios, line by line. */
static json_t *diffable(const json_t *plan, int lang)
{
	json_t *out = json_deep_copy(json_object_get(plan, "sections"));
	size_t i;
	json_t *s;
	char *text = plan_scenarios_text(json_object_get(plan, "scenarios"), lang);
	json_array_foreach(out, i, s) {
		const char *kind = jv_str(s, "kind");
		if (kind && strcmp(kind, "scenarios") == 0 && text) {
			char *joined = NULL;
			const char *own = jv_str(s, "text");
			size_t n = strlen(own ? own : "") + strlen(text) + 2;
			joined = malloc(n);
			if (joined) {
				snprintf(joined, n, "%s\n%s", own ? own : "", text);
				json_object_set_new(s, "text", json_string(joined));
				free(joined);
			}
		}
	}
	free(text);
	return out;
}

/* The version of the same plan numbered n, or "" if none. */
static int series_number(struct ctx *c, const struct plan_head *h, long long n, char id[UUID_LEN],
			 struct err *e)
{
	id[0] = '\0';
	struct stmt *st = store_query(c->db, e, "SELECT id FROM plans WHERE org_id = $1 AND "
		"COALESCE(system_id, '') = $2 AND number = $3", "tti", h->org_id, h->system_id,
		(int64_t)n);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		snprintf(id, UUID_LEN, "%s", stmt_text(st, 0));
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

json_t *plan_diff(struct ctx *c, const char *id, const char *from_id, struct err *e)
{
	struct plan_head h, fh;
	char prev[UUID_LEN] = "";
	json_t *to = plan_load(c, id, 1, &h, e), *from = NULL, *a = NULL, *b = NULL, *d = NULL;
	if (to == NULL)
		return NULL;
	if (from_id) {
		from = plan_load(c, from_id, 1, &fh, e);
		if (from == NULL) {
			err_clear(e);
			err_field(e, "/from", MSG_NOT_FOUND, NULL);
			goto out;
		}
		if (strcmp(fh.org_id, h.org_id) != 0 || strcmp(fh.system_id, h.system_id) != 0) {
			err_field(e, "/from", MSG_PLAN_OTHER_SERIES, NULL);
			goto out;
		}
	} else {
		const char *based = jv_str(to, "based_on");
		if (based)
			snprintf(prev, sizeof(prev), "%s", based);
		else if (series_number(c, &h, json_integer_value(json_object_get(to, "number")) - 1,
				       prev, e) != 0)
			goto out;
		if (prev[0] && (from = plan_load(c, prev, 1, &fh, e)) == NULL)
			goto out;
	}
	a = from ? diffable(from, c->lang) : json_array();
	b = diffable(to, c->lang);
	json_t *sections = plan_diff_sections(a, b);
	if (sections == NULL) {
		err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
		goto out;
	}
	d = json_pack("{s:o, s:{s:s, s:O}, s:o}",
		"from", from ? json_pack("{s:O, s:O}", "id", json_object_get(from, "id"),
					 "number", json_object_get(from, "number")) : json_null(),
		"to", "id", h.id, "number", json_object_get(to, "number"), "sections", sections);
out:
	json_decref(to);
	json_decref(from);
	json_decref(a);
	json_decref(b);
	return d;
}

/* ---- the district's view ---- */

static json_t *current_of(struct ctx *c, const char *org_id, const char *system_id,
			  json_t **open, struct err *e)
{
	json_t *cur = json_null();
	*open = json_null();
	struct stmt *st = store_query(c->db, e, "SELECT id, number, status, decision_number, "
		"decision_date, approved_at FROM plans WHERE org_id = $1 AND COALESCE(system_id, '') = "
		"$2 AND status IN ('approved', 'submitted', 'draft') ORDER BY number", "tt", org_id,
		system_id ? system_id : "");
	if (st == NULL)
		return NULL;
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		const char *status = stmt_text(st, 2);
		if (strcmp(status, "approved") == 0) {
			json_decref(cur);
			cur = json_pack("{s:s, s:I, s:s, s:s, s:o}", "id", stmt_text(st, 0),
				"number", (json_int_t)stmt_int(st, 1),
				"decision_number", stmt_text(st, 3) ? stmt_text(st, 3) : "",
				"decision_date", stmt_text(st, 4) ? stmt_text(st, 4) : "",
				"approved_at", time_or_null(st, 5));
		} else {
			json_decref(*open);
			*open = json_pack("{s:s, s:I, s:s}", "id", stmt_text(st, 0),
					  "number", (json_int_t)stmt_int(st, 1), "status", status);
		}
	}
	stmt_done(st);
	if (rc < 0) {
		json_decref(cur);
		json_decref(*open);
		*open = NULL;
		return NULL;
	}
	return cur;
}

static json_t *org_systems(struct ctx *c, const char *org_id, struct err *e)
{
	json_t *out = json_array();
	struct stmt *st = store_query(c->db, e, "SELECT id, name, level FROM systems WHERE "
		"org_id = $1 AND level >= 4 AND retired_at IS NULL ORDER BY name", "t", org_id);
	if (st == NULL)
		goto fail;
	int rc;
	json_t *rows = json_array();
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(rows, json_pack("{s:s, s:s, s:I}", "id", stmt_text(st, 0),
			"name", stmt_text(st, 1), "level", (json_int_t)stmt_int(st, 2)));
	stmt_done(st);
	if (rc < 0) {
		json_decref(rows);
		goto fail;
	}
	size_t i;
	json_t *s;
	json_array_foreach(rows, i, s) {
		json_t *open;
		json_t *cur = current_of(c, org_id, jv_str(s, "id"), &open, e);
		if (cur == NULL) {
			json_decref(rows);
			goto fail;
		}
		json_object_set_new(s, "current", cur);
		json_object_set_new(s, "open", open);
		json_array_append(out, s);
	}
	json_decref(rows);
	return out;
fail:
	json_decref(out);
	return NULL;
}

json_t *plan_compliance(struct ctx *c, struct err *e)
{
	if (policy_check(c->actor, ACT_PLAN_READ, NULL, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT id, code, name, kind FROM orgs o WHERE "
		"substr(o.path, 1, length($1)) = $1 AND kind NOT IN ('national', 'province') "
		"ORDER BY path LIMIT 5000", "t", c->actor->system ? "/" : c->actor->org_path);
	if (st == NULL)
		return NULL;
	json_t *orgs = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(orgs, json_pack("{s:s, s:s, s:s, s:s}", "id", stmt_text(st, 0),
			"code", stmt_text(st, 1), "name", stmt_text(st, 2), "kind", stmt_text(st, 3)));
	stmt_done(st);
	if (rc < 0) {
		json_decref(orgs);
		return NULL;
	}
	json_t *items = json_array();
	long long approved = 0, pending = 0;
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		json_t *open;
		json_t *cur = current_of(c, jv_str(o, "id"), NULL, &open, e);
		json_t *systems = cur ? org_systems(c, jv_str(o, "id"), e) : NULL;
		if (cur == NULL || systems == NULL) {
			json_decref(cur);
			json_decref(open);
			json_decref(orgs);
			json_decref(items);
			return NULL;
		}
		int has = !json_is_null(cur);
		approved += has;
		pending += !json_is_null(open) && strcmp(jv_str(open, "status"), "submitted") == 0;
		json_array_append_new(items, json_pack("{s:O, s:s, s:o, s:o, s:o}", "org", o,
			"status", has ? "approved" : json_is_null(open) ? "none" : jv_str(open, "status"),
			"current", cur, "open", open, "systems", systems));
	}
	json_decref(orgs);
	return json_pack("{s:o, s:I, s:I, s:I}", "items", items,
			 "total", (json_int_t)json_array_size(items), "approved", (json_int_t)approved,
			 "pending", (json_int_t)pending);
}
