/* org.c - organisations and contacts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "org.h"
#include "audit.h"
#include "policy.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

const char *const org_kinds[] = {
	"national", "province", "district", "agency", "commune", "telecom",
	"provider", NULL
};

#define ORG_COLS "id, code, name, kind, path, response_team"

static void org_from_row(struct stmt *st, struct org *o)
{
	snprintf(o->id, sizeof(o->id), "%s", stmt_text(st, 0));
	snprintf(o->code, sizeof(o->code), "%s", stmt_text(st, 1));
	snprintf(o->name, sizeof(o->name), "%s", stmt_text(st, 2));
	snprintf(o->kind, sizeof(o->kind), "%s", stmt_text(st, 3));
	snprintf(o->path, sizeof(o->path), "%s", stmt_text(st, 4));
	o->response_team = (int)stmt_int(st, 5);
}

static int org_one(struct ctx *c, const char *sql, const char *arg,
		   struct org *o, struct err *e)
{
	struct stmt *st = store_query(c->db, e, sql, "t", arg);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		org_from_row(st, o);
	stmt_done(st);
	if (rc == 0)
		return err_set(e, E_NOTFOUND, MSG_UNKNOWN_ORG, arg);
	return rc < 0 ? -1 : 0;
}

int org_root(struct ctx *c, struct org *o, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT " ORG_COLS " FROM orgs WHERE parent_id IS "
				      "NULL ORDER BY created_at LIMIT 1", "");
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		org_from_row(st, o);
	stmt_done(st);
	if (rc == 0)
		return err_set(e, E_NOTFOUND, MSG_UNKNOWN_ORG, "/");
	return rc < 0 ? -1 : 0;
}

int org_home(struct ctx *c, struct org *o, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT o.id, o.code, o.name, o.kind, o.path, "
		"o.response_team FROM users u JOIN orgs o ON o.id = u.org_id WHERE "
		"instr(',' || u.roles || ',', ',admin,') > 0 ORDER BY u.created_at, u.id LIMIT 1", "");
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		org_from_row(st, o);
	stmt_done(st);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : org_root(c, o, e);
}

int org_by_code(struct ctx *c, const char *code, struct org *o, struct err *e)
{
	return org_one(c, "SELECT " ORG_COLS " FROM orgs WHERE code = $1", code, o, e);
}

int org_by_id(struct ctx *c, const char *id, struct org *o, struct err *e)
{
	return org_one(c, "SELECT " ORG_COLS " FROM orgs WHERE id = $1", id, o, e);
}

int org_response_team_above(struct ctx *c, const char *org_path, struct org *o,
			    struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT " ORG_COLS " FROM orgs "
		"WHERE response_team = 1 AND path <> $1 AND "
		"substr($1, 1, length(path)) = path ORDER BY length(path) DESC LIMIT 1",
		"t", org_path);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		org_from_row(st, o);
	stmt_done(st);
	if (rc == 0)
		return err_set(e, E_NOTFOUND, MSG_NO_RESPONSE_TEAM, NULL);
	return rc < 0 ? -1 : 0;
}

json_t *org_json(const struct org *o)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "id", o->id, "code", o->code,
			 "name", o->name, "kind", o->kind);
}

static int code_ok(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_' || *s == '.' || (*s >= 'A' && *s <= 'Z')))
			return 0;
	return 1;
}

int org_add(struct ctx *c, const struct org_new *n, json_t **out, struct err *e)
{
	struct org parent = { 0 }, o = { 0 };
	int has_parent = n->parent_code && *n->parent_code;

	if (policy_check(c->actor, ACT_ORG_WRITE, NULL, e) != 0)
		return -1;
	if (!code_ok(n->code))
		err_field(e, "/code", MSG_BAD_VALUE, "a-z 0-9 - _ .");
	if (n->name == NULL || *n->name == '\0' || strlen(n->name) > LIMIT_SHORT_TEXT)
		err_field(e, "/name", n->name && *n->name ? MSG_TOO_LONG : MSG_REQUIRED, "300");
	if (jv_enum_index(org_kinds, n->kind) < 0)
		err_field(e, "/kind", MSG_BAD_VALUE,
			  "national, province, district, agency, commune, telecom, provider");
	if (e->code)
		return -1;
	if (has_parent) {
		if (org_by_code(c, n->parent_code, &parent, e) != 0)
			return -1;
		if (!policy_in_scope(c->actor, parent.path))
			return err_set(e, E_NOTFOUND, MSG_UNKNOWN_ORG, n->parent_code);
	} else if (!c->actor->system) {
		/* Only the instance itself may plant a new root. */
		return err_set(e, E_FORBIDDEN, MSG_FORBIDDEN, NULL);
	}
	struct err probe = { 0 };
	if (org_by_code(c, n->code, &o, &probe) == 0)
		return err_set(e, E_CONFLICT, MSG_EXISTS, n->code);
	uuid7(o.id);
	int w = snprintf(o.path, sizeof(o.path), "%s%s%s/", has_parent ? parent.path : "",
			 has_parent ? "" : "/", o.id);
	if (w < 0 || (size_t)w >= sizeof(o.path))
		return err_set(e, E_INVALID, MSG_ORG_TOO_DEEP, NULL);
	snprintf(o.code, sizeof(o.code), "%s", n->code);
	snprintf(o.name, sizeof(o.name), "%s", n->name);
	snprintf(o.kind, sizeof(o.kind), "%s", n->kind);
	o.response_team = n->response_team;

	if (store_begin(c->db, e) != 0)
		return -1;
	json_t *j = org_json(&o);
	json_object_set_new(j, "parent_id", has_parent ? json_string(parent.id) : json_null());
	json_object_set_new(j, "response_team", json_boolean(o.response_team));
	if (store_run(c->db, e, "INSERT INTO orgs (id, code, name, kind, parent_id, path, "
		      "response_team, address, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
		      "ttttttiti", o.id, o.code, o.name, o.kind,
		      has_parent ? parent.id : NULL, o.path, (int64_t)o.response_team,
		      n->address ? n->address : "", time_now_ms()) < 0 ||
	    audit_append_json(c, "org.create", "org", o.id, NULL, j, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(j);
		return -1;
	}
	if (out)
		*out = j;
	else
		json_decref(j);
	return 0;
}

json_t *org_list(struct ctx *c, struct err *e)
{
	if (policy_check(c->actor, ACT_ORG_READ, NULL, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT id, code, name, kind, parent_id, "
		"response_team, path FROM orgs WHERE substr(path, 1, length($1)) = $1 "
		"OR $1 LIKE '%/' || id || '/%' ORDER BY path", "t",
		c->actor->system ? "/" : c->actor->org_path);
	if (st == NULL)
		return NULL;
	json_t *items = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		const char *parent = stmt_text(st, 4);
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:o, s:b, s:i}",
			"id", stmt_text(st, 0), "code", stmt_text(st, 1),
			"name", stmt_text(st, 2), "kind", stmt_text(st, 3),
			"parent_id", parent ? json_string(parent) : json_null(),
			"response_team", (int)stmt_int(st, 5),
			"depth", (int)(strlen(stmt_text(st, 6)) / 37)));
	}
	stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	return json_pack("{s:o}", "items", items);
}

/* ---- contacts ---- */

static const struct jv_field contact_fields[] = {
	{ "org_code", JV_STRING, 1, 0, 64, NULL, NULL },
	{ "name", JV_STRING, 1, 0, 200, NULL, NULL },
	{ "phone", JV_STRING, 0, 0, 50, NULL, NULL },
	{ "email", JV_STRING, 0, 0, 200, NULL, NULL },
	{ "network_role", JV_STRING, 0, 0, 200, NULL, NULL },
	{ "on_duty", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field contact_patch_fields[] = {
	{ "name", JV_STRING, 0, 0, 200, NULL, NULL },
	{ "phone", JV_STRING, 0, 0, 50, NULL, NULL },
	{ "email", JV_STRING, 0, 0, 200, NULL, NULL },
	{ "network_role", JV_STRING, 0, 0, 200, NULL, NULL },
	{ "on_duty", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

#define CONTACT_SELECT "SELECT c.id, c.name, c.phone, c.email, c.network_role, " \
	"c.on_duty, o.id, o.code, o.name, o.kind, o.path FROM contacts c " \
	"JOIN orgs o ON o.id = c.org_id "

static json_t *contact_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:s, s:s, s:s}}",
		"id", stmt_text(st, 0), "name", stmt_text(st, 1),
		"phone", stmt_text(st, 2), "email", stmt_text(st, 3),
		"network_role", stmt_text(st, 4), "on_duty", (int)stmt_int(st, 5),
		"org", "id", stmt_text(st, 6), "code", stmt_text(st, 7),
		"name", stmt_text(st, 8), "kind", stmt_text(st, 9));
}

static json_t *contact_get(struct ctx *c, const char *id, char *path, size_t pn,
			   struct err *e)
{
	struct stmt *st = store_query(c->db, e, CONTACT_SELECT "WHERE c.id = $1", "t", id);
	if (st == NULL)
		return NULL;
	json_t *j = NULL;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		j = contact_row(st);
		snprintf(path, pn, "%s", stmt_text(st, 10));
	} else if (rc == 0) {
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	}
	stmt_done(st);
	return j;
}

json_t *contact_add(struct ctx *c, json_t *body, struct err *e)
{
	struct org o;
	char id[UUID_LEN], path[LIMIT_ORG_PATH];
	if (jv_validate(body, contact_fields, "", e) != 0)
		return NULL;
	if (org_by_code(c, jv_str(body, "org_code"), &o, e) != 0) {
		err_clear(e);
		err_field(e, "/org_code", MSG_UNKNOWN_ORG, jv_str(body, "org_code"));
		return NULL;
	}
	struct policy_target t = { .org_path = o.path };
	if (policy_check(c->actor, ACT_CONTACT_WRITE, &t, e) != 0)
		return NULL;
	const char *phone = jv_str(body, "phone"), *email = jv_str(body, "email"),
		   *nrole = jv_str(body, "network_role");
	int64_t now = time_now_ms();
	uuid7(id);
	if (store_begin(c->db, e) != 0)
		return NULL;
	if (store_run(c->db, e, "INSERT INTO contacts (id, org_id, name, phone, email, "
		      "network_role, on_duty, created_at, updated_at) VALUES "
		      "($1,$2,$3,$4,$5,$6,$7,$8,$8)", "ttttttii", id, o.id,
		      jv_str(body, "name"), phone ? phone : "", email ? email : "",
		      nrole ? nrole : "", (int64_t)jv_bool(body, "on_duty", 0), now) < 0)
		goto fail;
	json_t *j = contact_get(c, id, path, sizeof(path), e);
	if (j == NULL || audit_append_json(c, "contact.create", "contact", id, NULL, j, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		json_decref(j);
		goto fail;
	}
	return j;
fail:
	store_rollback(c->db);
	return NULL;
}

json_t *contact_update(struct ctx *c, const char *id, json_t *body, struct err *e)
{
	char path[LIMIT_ORG_PATH];
	if (jv_validate(body, contact_patch_fields, "", e) != 0)
		return NULL;
	json_t *before = contact_get(c, id, path, sizeof(path), e);
	if (before == NULL)
		return NULL;
	struct policy_target t = { .org_path = path };
	json_t *after = NULL;
	if (policy_check(c->actor, ACT_CONTACT_WRITE, &t, e) != 0 ||
	    store_begin(c->db, e) != 0)
		goto out;
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v) {
		int rc;
		if (json_is_null(v))
			continue;
		if (strcmp(k, "on_duty") == 0)
			rc = store_run(c->db, e, "UPDATE contacts SET on_duty = $1 WHERE id = $2",
				       "it", (int64_t)json_is_true(v), id);
		else if (strcmp(k, "name") == 0)
			rc = store_run(c->db, e, "UPDATE contacts SET name = $1 WHERE id = $2",
				       "tt", json_string_value(v), id);
		else if (strcmp(k, "phone") == 0)
			rc = store_run(c->db, e, "UPDATE contacts SET phone = $1 WHERE id = $2",
				       "tt", json_string_value(v), id);
		else if (strcmp(k, "email") == 0)
			rc = store_run(c->db, e, "UPDATE contacts SET email = $1 WHERE id = $2",
				       "tt", json_string_value(v), id);
		else
			rc = store_run(c->db, e, "UPDATE contacts SET network_role = $1 WHERE id = $2",
				       "tt", json_string_value(v), id);
		if (rc < 0)
			goto fail;
	}
	if (store_run(c->db, e, "UPDATE contacts SET updated_at = $1 WHERE id = $2", "it",
		      time_now_ms(), id) < 0)
		goto fail;
	after = contact_get(c, id, path, sizeof(path), e);
	if (after == NULL || audit_append_json(c, "contact.update", "contact", id, before,
					       after, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	goto out;
fail:
	store_rollback(c->db);
	json_decref(after);
	after = NULL;
out:
	json_decref(before);
	return after;
}

json_t *contact_list(struct ctx *c, struct err *e)
{
	if (policy_check(c->actor, ACT_CONTACT_READ, NULL, e) != 0)
		return NULL;
	/* Everyone sees the contacts of their subtree and of the organisations
	 * above them: that is whom they call in an emergency. */
	struct stmt *st = store_query(c->db, e, CONTACT_SELECT
		"WHERE substr(o.path, 1, length($1)) = $1 OR $1 LIKE '%/' || o.id || '/%' "
		"ORDER BY o.path, c.name", "t", c->actor->system ? "/" : c->actor->org_path);
	if (st == NULL)
		return NULL;
	return rows_items(st, contact_row, e);
}
