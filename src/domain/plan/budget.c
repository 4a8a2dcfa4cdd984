/* budget.c - budget lines, their submission and the district roll-up (see budget.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "plan_scope.h"
#include "../directory/audit.h"
#include "../directory/policy.h"
#include "../../base/buf.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

const char *const budget_categories[] = {
	"equipment", "software", "services", "training", "drills", "monitoring", "response",
	"other", NULL
};

static const int category_msgs[] = {
	MSG_BUDGET_CAT_EQUIPMENT, MSG_BUDGET_CAT_SOFTWARE, MSG_BUDGET_CAT_SERVICES,
	MSG_BUDGET_CAT_TRAINING, MSG_BUDGET_CAT_DRILLS, MSG_BUDGET_CAT_MONITORING,
	MSG_BUDGET_CAT_RESPONSE, MSG_BUDGET_CAT_OTHER,
};

const char *budget_category_label(const char *code, int lang)
{
	int i = jv_enum_index(budget_categories, code);
	return i >= 0 ? msg_get(category_msgs[i], lang) : code;
}

#define AMOUNT_MAX LIMIT_VND_AMOUNT

static const struct jv_field create_fields[] = {
	{ "org_code", JV_STRING, 0, 0, 64, NULL, NULL },
	{ "year", JV_INT, 1, 2000, 2100, NULL, NULL },
	{ "category", JV_ENUM, 1, 0, 0, budget_categories, NULL },
	{ "description", JV_STRING, 0, 0, 2000, NULL, NULL },
	{ "planned", JV_INT, 1, 0, AMOUNT_MAX, NULL, NULL },
	{ "spent", JV_INT, 0, 0, AMOUNT_MAX, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field update_fields[] = {
	{ "category", JV_ENUM, 0, 0, 0, budget_categories, NULL },
	{ "description", JV_STRING, 0, 0, 2000, NULL, NULL },
	{ "planned", JV_INT, 0, 0, AMOUNT_MAX, NULL, NULL },
	{ "spent", JV_INT, 0, 0, AMOUNT_MAX, NULL, NULL },
	{ "reason", JV_STRING, 0, 0, 1000, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

#define LINE_SELECT "SELECT b.id, b.year, b.category, b.description, b.planned, b.spent, " \
	"b.status, b.submitted_at, b.version, b.created_at, b.updated_at, o.id, o.code, o.name, " \
	"o.path FROM budget_lines b JOIN orgs o ON o.id = b.org_id "
#define LINE_PATH_COL 14

static json_t *line_row(struct stmt *st)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:I, s:I, s:s, s:o, s:I, s:o, s:o, "
		"s:{s:s, s:s, s:s}}",
		"id", stmt_text(st, 0), "year", (json_int_t)stmt_int(st, 1),
		"category", stmt_text(st, 2), "description", stmt_text(st, 3),
		"planned", (json_int_t)stmt_int(st, 4), "spent", (json_int_t)stmt_int(st, 5),
		"status", stmt_text(st, 6), "submitted_at", plan_time_json(st, 7),
		"version", (json_int_t)stmt_int(st, 8), "created_at", plan_time_json(st, 9),
		"updated_at", plan_time_json(st, 10),
		"org", "id", stmt_text(st, 11), "code", stmt_text(st, 12), "name", stmt_text(st, 13));
}

static int prefix_of(const char *prefix, const char *path)
{
	return prefix[0] && strncmp(path, prefix, strlen(prefix)) == 0;
}

/* One line the actor may read: in scope, or submitted in the district of
 * the finance office the actor belongs to. */
static json_t *line_load(struct ctx *c, const char *id, int action, char path[LIMIT_ORG_PATH],
			 struct err *e)
{
	char fin[LIMIT_ORG_PATH];
	if (!uuid_valid(id))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	if (plan_finance_scope(c, fin, e) < 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, LINE_SELECT "WHERE b.id = $1", "t", id);
	if (st == NULL)
		return NULL;
	json_t *j = NULL;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(path, LIMIT_ORG_PATH, "%s", stmt_text(st, LINE_PATH_COL));
		j = line_row(st);
	} else if (rc == 0) {
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	}
	stmt_done(st);
	if (j == NULL)
		return NULL;
	const char *status = json_string_value(json_object_get(j, "status"));
	struct policy_target t = { .org_path = path,
		.finance = prefix_of(fin, path) && strcmp(status, "submitted") == 0 };
	if (policy_check(c->actor, ACT_BUDGET_READ, &t, e) != 0 ||
	    (action != ACT_BUDGET_READ && policy_check(c->actor, action, &t, e) != 0)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *budget_create(struct ctx *c, json_t *body, struct err *e)
{
	struct org o;
	char id[UUID_LEN], path[LIMIT_ORG_PATH];
	if (jv_validate(body, create_fields, "", e) != 0 ||
	    policy_org_target(c, jv_str(body, "org_code"), "/org_code", &o, e) != 0)
		return NULL;
	struct policy_target t = { .org_path = o.path };
	if (policy_check(c->actor, ACT_BUDGET_WRITE, &t, e) != 0 || store_begin(c->db, e) != 0)
		return NULL;
	const char *d = jv_str(body, "description");
	int64_t now = time_now_ms();
	json_t *j = NULL;
	if (store_run(c->db, e, "INSERT INTO budget_lines (id, org_id, year, category, description, "
		      "planned, spent, status, version, created_by, created_at, updated_at) VALUES "
		      "($1,$2,$3,$4,$5,$6,$7,'draft',1,$8,$9,$9)", "tt" "i" "tt" "ii" "t" "i",
		      uuid7(id), o.id, (int64_t)jv_int(body, "year", 0), jv_str(body, "category"),
		      d ? d : "", (int64_t)jv_int(body, "planned", 0), (int64_t)jv_int(body, "spent", 0),
		      c->actor->system ? NULL : c->actor->id, now) < 0 ||
	    (j = line_load(c, id, ACT_BUDGET_READ, path, e)) == NULL ||
	    audit_append_json(c, "budget.create", "budget_line", id, NULL, j, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* The common write path: load (scope), the action's roles, If-Match,
 * apply, bump, audit (with the reason of a correction). */
static json_t *line_write(struct ctx *c, const char *id, long long if_match, int action,
			  json_t *body, struct err *e)
{
	char path[LIMIT_ORG_PATH];
	json_t *before = NULL, *after = NULL, *logged = NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	if ((before = line_load(c, id, action, path, e)) == NULL)
		goto fail;
	if (if_match < 0) {
		err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL);
		goto fail;
	}
	if (version_claim(c, "budget_lines", id, if_match, e) != 0)
		goto fail;
	int submitted = strcmp(json_string_value(json_object_get(before, "status")), "submitted") == 0;
	const char *what = "budget.update";
	int64_t now = time_now_ms();
	if (action == ACT_BUDGET_SUBMIT) {
		if (submitted) {
			err_set(e, E_CONFLICT, MSG_BUDGET_SUBMITTED, NULL);
			goto fail;
		}
		what = "budget.submit";
		if (store_run(c->db, e, "UPDATE budget_lines SET status = 'submitted', submitted_at = $1, "
			      "submitted_by = $2 WHERE id = $3", "itt", now,
			      c->actor->system ? NULL : c->actor->id, id) != 1)
			goto fail;
	} else {
		const char *reason = jv_str(body, "reason");
		if (submitted) {
			/* A number the finance office has: changed only with a reason. */
			if (reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0') {
				err_field(e, "/reason", MSG_BUDGET_REASON_REQUIRED, NULL);
				goto fail;
			}
			what = "budget.correct";
		}
		const char *cat = jv_str(body, "category"), *d = jv_str(body, "description");
		if ((cat && store_run(c->db, e, "UPDATE budget_lines SET category = $1 WHERE id = $2",
				      "tt", cat, id) < 0) ||
		    (d && store_run(c->db, e, "UPDATE budget_lines SET description = $1 WHERE id = $2",
				    "tt", d, id) < 0) ||
		    (jv_member(body, "planned") &&
		     store_run(c->db, e, "UPDATE budget_lines SET planned = $1 WHERE id = $2", "it",
			       (int64_t)jv_int(body, "planned", 0), id) < 0) ||
		    (jv_member(body, "spent") &&
		     store_run(c->db, e, "UPDATE budget_lines SET spent = $1 WHERE id = $2", "it",
			       (int64_t)jv_int(body, "spent", 0), id) < 0))
			goto fail;
	}
	if (store_run(c->db, e, "UPDATE budget_lines SET version = version + 1, updated_at = $1 "
		      "WHERE id = $2", "it", now, id) != 1 ||
	    (after = line_load(c, id, ACT_BUDGET_READ, path, e)) == NULL)
		goto fail;
	logged = json_deep_copy(after);
	if (strcmp(what, "budget.correct") == 0)
		json_object_set_new(logged, "reason", json_string(jv_str(body, "reason")));
	if (audit_append_json(c, what, "budget_line", id, before, logged, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	json_decref(before);
	json_decref(logged);
	return after;
fail:
	store_rollback(c->db);
	json_decref(before);
	json_decref(after);
	json_decref(logged);
	return NULL;
}

json_t *budget_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		      struct err *e)
{
	if (jv_validate(body, update_fields, "", e) != 0)
		return NULL;
	return line_write(c, id, if_match, ACT_BUDGET_WRITE, body, e);
}

json_t *budget_submit(struct ctx *c, const char *id, long long if_match, struct err *e)
{
	return line_write(c, id, if_match, ACT_BUDGET_SUBMIT, NULL, e);
}

json_t *budget_list(struct ctx *c, const char *org_code, int year, struct err *e)
{
	struct org o;
	char fin[LIMIT_ORG_PATH];
	const char *all = NULL, *submitted = NULL;   /* subtrees: every line / submitted ones */
	if (policy_check(c->actor, ACT_BUDGET_READ, NULL, e) != 0 || plan_finance_scope(c, fin, e) < 0)
		return NULL;
	if (org_code == NULL) {
		if (plan_org_scope(c, NULL, &o, e) != 0)
			return NULL;
		all = o.path;
		submitted = fin[0] ? fin : NULL;
	} else {
		if (org_by_code(c, org_code, &o, e) != 0) {
			err_clear(e);
			return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
		}
		struct policy_target t = { .org_path = o.path, .finance = prefix_of(fin, o.path) };
		if (policy_check(c->actor, ACT_BUDGET_READ, &t, e) != 0)
			return NULL;
		if (policy_in_scope(c->actor, o.path))
			all = o.path;
		else
			submitted = o.path;
	}
	struct stmt *st = store_query(c->db, e, LINE_SELECT "WHERE ($3 = 0 OR b.year = $3) AND "
				      "(($1 IS NOT NULL AND substr(o.path, 1, length($1)) = $1) OR "
				      "($2 IS NOT NULL AND b.status = 'submitted' AND "
				      "substr(o.path, 1, length($2)) = $2)) "
				      "ORDER BY b.year DESC, o.path, b.category, b.created_at",
				      "tti", all, submitted, (int64_t)year);
	if (st == NULL)
		return NULL;
	json_t *j = rows_items(st, line_row, e);
	if (j)
		json_object_set_new(j, "org", org_json(&o));
	return j;
}

/* The organisation a roll-up is about: org_code in scope or in the finance
 * office's district; by default the district of a finance office, else
 * the actor's own. finance gets whether the finance rule grants it. */
static int rollup_org(struct ctx *c, const char *org_code, struct org *o, int *finance,
		      struct err *e)
{
	char fin[LIMIT_ORG_PATH];
	int f = plan_finance_scope(c, fin, e);
	*finance = 0;
	if (f < 0)
		return -1;
	if (org_code == NULL && f == 1) {
		struct stmt *st = store_query(c->db, e, "SELECT code FROM orgs WHERE path = $1", "t", fin);
		if (st == NULL)
			return -1;
		int rc = stmt_step(st, e);
		char code[65] = "";
		if (rc == 1)
			snprintf(code, sizeof(code), "%s", stmt_text(st, 0));
		stmt_done(st);
		if (rc != 1)
			return rc < 0 ? -1 : err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
		if (org_by_code(c, code, o, e) != 0)
			return -1;
	} else if (org_code == NULL) {
		return plan_org_scope(c, NULL, o, e);
	} else if (org_by_code(c, org_code, o, e) != 0) {
		err_clear(e);
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	}
	*finance = f == 1 && prefix_of(fin, o->path);
	struct policy_target t = { .org_path = o->path, .finance = *finance };
	return policy_check(c->actor, ACT_BUDGET_ROLLUP, &t, e);
}

static json_t *sum_add(json_t *obj, const char *key, json_t *label, int64_t planned,
		       int64_t spent)
{
	json_t *s = json_object_get(obj, key);
	if (s == NULL) {
		s = json_pack("{s:o, s:I, s:I, s:I}", "of", label, "planned", (json_int_t)0,
			      "spent", (json_int_t)0, "lines", (json_int_t)0);
		json_object_set_new(obj, key, s);
	} else {
		json_decref(label);
	}
	json_object_set_new(s, "planned", json_integer(json_integer_value(json_object_get(s, "planned")) + planned));
	json_object_set_new(s, "spent", json_integer(json_integer_value(json_object_get(s, "spent")) + spent));
	json_object_set_new(s, "lines", json_integer(json_integer_value(json_object_get(s, "lines")) + 1));
	return s;
}

/* {"a": {...}, "b": {...}} -> [{...}, {...}] in key order of insertion. */
static json_t *values(json_t *obj)
{
	json_t *a = json_array(), *v;
	const char *k;
	json_object_foreach(obj, k, v)
		json_array_append(a, v);
	json_decref(obj);
	return a;
}

json_t *budget_rollup(struct ctx *c, const char *org_code, int year, struct err *e)
{
	struct org o;
	int finance;
	if (year < 2000 || year > 2100)
		return err_field(e, "/year", MSG_BAD_VALUE, "2000..2100"), NULL;
	if (rollup_org(c, org_code, &o, &finance, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, LINE_SELECT "WHERE b.year = $2 AND b.status = "
				      "'submitted' AND substr(o.path, 1, length($1)) = $1 "
				      "ORDER BY o.path, b.category, b.created_at LIMIT $3", "tii", o.path,
				      (int64_t)year, (int64_t)LIMIT_EXPORT_ROWS + 1);
	if (st == NULL)
		return NULL;
	json_t *lines = rows_array(st, line_row, e);
	if (lines == NULL)
		return NULL;
	if (json_array_size(lines) > LIMIT_EXPORT_ROWS) {
		/* never a roll-up cut short: its totals would be wrong */
		char n[24];
		snprintf(n, sizeof(n), "%d", LIMIT_EXPORT_ROWS);
		json_decref(lines);
		return err_set(e, E_TOOLARGE, MSG_BUDGET_TOO_MANY, n), NULL;
	}
	json_t *by_org = json_object(), *by_cat = json_object(), *l;
	int64_t planned = 0, spent = 0;
	size_t i;
	/* every category, in the plan's order, even with nothing in it */
	for (i = 0; budget_categories[i]; i++)
		json_object_set_new(by_cat, budget_categories[i], json_pack("{s:s, s:I, s:I, s:I}",
				    "of", budget_categories[i], "planned", (json_int_t)0,
				    "spent", (json_int_t)0, "lines", (json_int_t)0));
	json_array_foreach(lines, i, l) {
		int64_t p = json_integer_value(json_object_get(l, "planned"));
		int64_t s = json_integer_value(json_object_get(l, "spent"));
		json_t *org = json_object_get(l, "org");
		sum_add(by_org, json_string_value(json_object_get(org, "code")), json_deep_copy(org), p, s);
		sum_add(by_cat, json_string_value(json_object_get(l, "category")),
			json_string(json_string_value(json_object_get(l, "category"))), p, s);
		planned += p;
		spent += s;
	}
	return json_pack("{s:i, s:o, s:b, s:o, s:o, s:{s:I, s:I, s:I}, s:o}", "year", year,
			 "org", org_json(&o), "finance_office", finance, "by_org", values(by_org),
			 "by_category", values(by_cat), "total", "planned", (json_int_t)planned,
			 "spent", (json_int_t)spent, "lines", (json_int_t)json_array_size(lines),
			 "lines", lines);
}

char *budget_rollup_csv(struct ctx *c, const char *org_code, int year, size_t *len,
			struct err *e)
{
	json_t *r = budget_rollup(c, org_code, year, e), *l;
	if (r == NULL)
		return NULL;
	struct buf b;
	buf_init(&b, LIMIT_RESPONSE);
	int full = 0;
	size_t i;
	static const char *const head[] = { "org_code", "org", "year", "category", "category_label",
					    "description", "planned_vnd", "spent_vnd", "submitted_at" };
	for (size_t k = 0; k < sizeof(head) / sizeof(head[0]); k++)
		full |= buf_add_csv(&b, head[k], k == 0);
	full |= buf_add(&b, "\r\n", 2);
	json_array_foreach(json_object_get(r, "lines"), i, l) {
		char y[16], p[24], s[24];
		const char *cat = json_string_value(json_object_get(l, "category"));
		json_t *org = json_object_get(l, "org");
		snprintf(y, sizeof(y), "%d", year);
		snprintf(p, sizeof(p), "%lld", (long long)json_integer_value(json_object_get(l, "planned")));
		snprintf(s, sizeof(s), "%lld", (long long)json_integer_value(json_object_get(l, "spent")));
		const char *cells[] = { json_string_value(json_object_get(org, "code")),
			json_string_value(json_object_get(org, "name")), y, cat,
			budget_category_label(cat, c->lang),
			json_string_value(json_object_get(l, "description")), p, s,
			json_string_value(json_object_get(l, "submitted_at")) };
		for (size_t k = 0; k < sizeof(cells) / sizeof(cells[0]); k++)
			full |= buf_add_csv(&b, cells[k], k == 0);
		full |= buf_add(&b, "\r\n", 2);
	}
	json_t *t = json_object_get(r, "total");
	char y[16], p[24], s[24];
	snprintf(y, sizeof(y), "%d", year);
	snprintf(p, sizeof(p), "%lld", (long long)json_integer_value(json_object_get(t, "planned")));
	snprintf(s, sizeof(s), "%lld", (long long)json_integer_value(json_object_get(t, "spent")));
	const char *total[] = { "", msg_get(MSG_BUDGET_TOTAL, c->lang), y, "", "", "", p, s, "" };
	for (size_t k = 0; k < sizeof(total) / sizeof(total[0]); k++)
		full |= buf_add_csv(&b, total[k], k == 0);
	full |= buf_add(&b, "\r\n", 2);
	json_decref(r);
	if (full) {
		buf_release(&b);
		return err_set(e, E_TOOLARGE, MSG_TOO_LARGE, "8388608"), NULL;
	}
	return buf_detach(&b, len);
}

int budget_totals(struct ctx *c, const char *org_id, int year, int64_t *planned,
		  int64_t *spent, struct err *e)
{
	*planned = *spent = 0;
	struct stmt *st = store_query(c->db, e, "SELECT COALESCE(SUM(planned), 0), "
				      "COALESCE(SUM(spent), 0) FROM budget_lines WHERE org_id = $1 "
				      "AND year = $2 AND status = 'submitted'", "ti", org_id,
				      (int64_t)year);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		*planned = stmt_int(st, 0);
		*spent = stmt_int(st, 1);
	}
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

json_t *budget_finance_office_set(struct ctx *c, const char *org_code, int on, struct err *e)
{
	struct org o;
	if (org_code == NULL)
		return err_field(e, "/org_code", MSG_REQUIRED, NULL), NULL;
	if (org_by_code(c, org_code, &o, e) != 0)
		return NULL;
	struct policy_target t = { .org_path = o.path };
	if (policy_check(c->actor, ACT_ORG_WRITE, &t, e) != 0 || store_begin(c->db, e) != 0)
		return NULL;
	json_t *j = json_pack("{s:o, s:b}", "org", org_json(&o), "finance_office", on);
	if ((on ? store_run(c->db, e, "INSERT INTO finance_offices (org_id, created_at) VALUES "
			    "($1, $2) ON CONFLICT (org_id) DO NOTHING", "ti", o.id, time_now_ms())
		: store_run(c->db, e, "DELETE FROM finance_offices WHERE org_id = $1", "t", o.id)) < 0 ||
	    audit_append_json(c, on ? "org.finance_office" : "org.finance_office_off", "org", o.id,
			      NULL, j, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(j);
		return NULL;
	}
	return j;
}
