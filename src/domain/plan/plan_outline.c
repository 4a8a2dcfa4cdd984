/* plan_outline.c - the outline of a response plan, as data (plan_outline.h). */
#include <stdio.h>
#include <string.h>

#include "plan_outline.h"
#include "plan_int.h"
#include "../directory/audit.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

const char *const plan_section_kinds[] = {
	"state", "risks", "consequences", "resources", "priorities", "scenarios",
	"organisation", "training", "equipment", "budget", "implementation", "text", NULL
};

static const struct jv_field section_fields[] = {
	{ "code", JV_STRING, 1, 1, 32, NULL, NULL },
	{ "kind", JV_ENUM, 1, 0, 0, plan_section_kinds, NULL },
	{ "title_vi", JV_STRING, 1, 1, LIMIT_SHORT_TEXT, NULL, NULL },
	{ "title_en", JV_STRING, 1, 1, LIMIT_SHORT_TEXT, NULL, NULL },
	{ "guidance", JV_STRING, 0, 0, 2000, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static json_t *outline_row(struct stmt *st)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "code", stmt_text(st, 0),
			 "position", (json_int_t)stmt_int(st, 1), "kind", stmt_text(st, 2),
			 "title_vi", stmt_text(st, 3), "title_en", stmt_text(st, 4),
			 "guidance", stmt_text(st, 5));
}

json_t *plan_outline_sections(struct ctx *c, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT code, position, kind, title_vi, title_en, "
				      "guidance FROM plan_outline ORDER BY position, code", "");
	return st ? rows_array(st, outline_row, e) : NULL;
}

static long long outline_version(struct ctx *c, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT COALESCE(MAX(version), 0) FROM plan_outline", "");
	if (st == NULL)
		return -1;
	long long v = stmt_step(st, e) == 1 ? stmt_int(st, 0) : -1;
	stmt_done(st);
	return v;
}

static json_t *kinds_json(void)
{
	json_t *a = json_array();
	for (int i = 0; plan_section_kinds[i]; i++)
		json_array_append_new(a, json_string(plan_section_kinds[i]));
	return a;
}

json_t *plan_outline_get(struct ctx *c, struct err *e)
{
	if (policy_check(c->actor, ACT_PLAN_READ, NULL, e) != 0)
		return NULL;
	json_t *s = plan_outline_sections(c, e);
	long long v = s ? outline_version(c, e) : -1;
	if (s == NULL || v < 0) {
		json_decref(s);
		return NULL;
	}
	return json_pack("{s:I, s:o, s:o}", "version", (json_int_t)v, "sections", s,
			 "kinds", kinds_json());
}

static int code_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

/* Every item an object of section_fields, codes well-formed and unique. */
static int check_sections(json_t *list, struct err *e)
{
	char ptr[48];
	size_t i;
	json_t *s;
	if (!json_is_array(list))
		return err_field(e, "/sections", MSG_WRONG_TYPE, "array");
	if (json_array_size(list) == 0)
		return err_field(e, "/sections", MSG_PLAN_OUTLINE_EMPTY, NULL);
	if (json_array_size(list) > LIMIT_PLAN_SECTIONS) {
		char n[16];
		snprintf(n, sizeof(n), "%d", LIMIT_PLAN_SECTIONS);
		return err_field(e, "/sections", MSG_TOO_MANY, n);
	}
	json_array_foreach(list, i, s) {
		snprintf(ptr, sizeof(ptr), "/sections/%zu", i);
		if (!json_is_object(s)) {
			err_field(e, ptr, MSG_WRONG_TYPE, "object");
			continue;
		}
		if (jv_validate(s, section_fields, ptr, e) != 0)
			continue;
		const char *code = jv_str(s, "code");
		snprintf(ptr, sizeof(ptr), "/sections/%zu/code", i);
		if (!code_ok(code)) {
			err_field(e, ptr, MSG_PLAN_BAD_CODE, NULL);
			continue;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(code, jv_str(json_array_get(list, k), "code") ?
				   jv_str(json_array_get(list, k), "code") : "") == 0) {
				err_field(e, ptr, MSG_PLAN_DUPLICATE, code);
				break;
			}
	}
	return e->code ? -1 : 0;
}

json_t *plan_outline_put(struct ctx *c, long long if_match, json_t *body, struct err *e)
{
	struct org home;
	json_t *before = NULL, *after = NULL;
	static const char *const keys[] = { "sections", NULL };
	json_t *list = json_object_get(body, "sections");
	if (org_home(c, &home, e) != 0)
		return NULL;
	struct policy_target t = { .org_path = home.path };
	if (policy_check(c->actor, ACT_PLAN_OUTLINE, &t, e) != 0)
		return NULL;
	if (plan_keys_only(body, keys, "", e) != 0)
		return NULL;
	if (list == NULL)
		return err_field(e, "/sections", MSG_REQUIRED, NULL), NULL;
	if (check_sections(list, e) != 0)
		return NULL;
	if (if_match < 0)
		return err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL), NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	long long v = outline_version(c, e);
	if (v < 0)
		goto fail;
	if (v != if_match) {
		err_set(e, E_PRECOND, MSG_STALE_RECORD, NULL);
		goto fail;
	}
	before = plan_outline_sections(c, e);
	if (before == NULL || store_run(c->db, e, "DELETE FROM plan_outline", "") < 0)
		goto fail;
	int64_t now = time_now_ms();
	size_t i;
	json_t *s;
	json_array_foreach(list, i, s) {
		const char *g = jv_str(s, "guidance");
		if (store_run(c->db, e, "INSERT INTO plan_outline (code, position, kind, title_vi, "
			      "title_en, guidance, version, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
			      "titttti" "i", jv_str(s, "code"), (int64_t)(i + 1), jv_str(s, "kind"),
			      jv_str(s, "title_vi"), jv_str(s, "title_en"), g ? g : "",
			      (int64_t)(v + 1), now) < 0)
			goto fail;
	}
	after = plan_outline_sections(c, e);
	if (after == NULL ||
	    audit_append_json(c, "plan_outline.update", "plan_outline", "outline", before, after, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	json_decref(before);
	return json_pack("{s:I, s:o, s:o}", "version", (json_int_t)(v + 1), "sections", after,
			 "kinds", kinds_json());
fail:
	if (e->code == E_OK)
		err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	store_rollback(c->db);
	json_decref(before);
	json_decref(after);
	return NULL;
}
