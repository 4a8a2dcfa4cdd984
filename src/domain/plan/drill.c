/* drill.c - drills, their corrective actions, the live-drill compliance
 * view and the after-action report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drill.h"
#include "../directory/audit.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../doc/doc.h"
#include "../../base/banned.h"

#define DAY_MS (86400LL * 1000)
#define DRILL_INJECTS_MAX 100
#define DRILL_SYSTEMS_MAX 50

static const char *const drill_kinds[] = { "tabletop", "live", NULL };
static const char *const drill_states[] = { "planned", "held", "cancelled", NULL };
static const char *const kind_vi[] = { "Diễn tập trên bàn (tabletop)", "Diễn tập thực chiến" };
static const char *const state_vi[] = { "Kế hoạch", "Đã tổ chức", "Đã hủy" };

#define DRILL_FIELDS(req) \
	{ "title", JV_STRING, req, 0, LIMIT_SHORT_TEXT, NULL, NULL }, \
	{ "kind", JV_ENUM, req, 0, 0, drill_kinds, NULL }, \
	{ "status", JV_ENUM, 0, 0, 0, drill_states, NULL }, \
	{ "scenario", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL }, \
	{ "planned_at", JV_TIME, req, 0, 0, NULL, NULL }, \
	{ "held_at", JV_TIME, 0, 0, 0, NULL, NULL }, \
	{ "system_ids", JV_STRINGS, 0, 0, DRILL_SYSTEMS_MAX, NULL, NULL }, \
	{ "participants", JV_STRING, 0, 0, 4000, NULL, NULL }, \
	{ "went_wrong", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL }, \
	{ "lessons", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL }

/* "injects" is an array of objects, which the field table cannot say: it
 * is taken out of the field check and checked by check_injects. */
static const struct jv_field create_fields[] = {
	{ "org_code", JV_STRING, 0, 0, 64, NULL, NULL },
	DRILL_FIELDS(1),
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field update_fields[] = {
	DRILL_FIELDS(0),
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field inject_fields[] = {
	{ "at", JV_TIME, 1, 0, 0, NULL, NULL },
	{ "text", JV_STRING, 1, 0, 2000, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field action_fields[] = {
	{ "title", JV_STRING, 1, 0, LIMIT_SHORT_TEXT, NULL, NULL },
	{ "owner_id", JV_UUID, 1, 0, 0, NULL, NULL },
	{ "due_at", JV_TIME, 1, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field action_update_fields[] = {
	{ "title", JV_STRING, 0, 0, LIMIT_SHORT_TEXT, NULL, NULL },
	{ "owner_id", JV_UUID, 0, 0, 0, NULL, NULL },
	{ "due_at", JV_TIME, 0, 0, 0, NULL, NULL },
	{ "done", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const char *scope_of(const struct ctx *c)
{
	return c->actor->system ? "/" : c->actor->org_path;
}

static int64_t opt_time(const json_t *body, const char *key)
{
	int64_t t = 0;
	const char *s = jv_str(body, key);
	if (s)
		time_parse(s, &t);
	return t;
}

/* Validates body against spec with "injects" checked apart. */
static int check_body(json_t *body, const struct jv_field *spec, struct err *e)
{
	json_t *injects = json_object_get(body, "injects");
	if (injects)
		json_incref(injects);
	json_object_del(body, "injects");
	int rc = jv_validate(body, spec, "", e);
	if (injects) {
		json_object_set_new(body, "injects", injects);
		if (!json_is_array(injects) && !json_is_null(injects)) {
			err_field(e, "/injects", MSG_BAD_VALUE, "[{at, text}]");
			return -1;
		}
		if (json_array_size(injects) > DRILL_INJECTS_MAX) {
			err_field(e, "/injects", MSG_BAD_VALUE, "<= 100");
			return -1;
		}
		size_t i;
		json_t *v;
		json_array_foreach(injects, i, v) {
			char ptr[32];
			snprintf(ptr, sizeof(ptr), "/injects/%zu", i);
			if (!json_is_object(v))
				err_field(e, ptr, MSG_JSON_NOT_OBJECT, NULL);
			else if (jv_validate(v, inject_fields, ptr, e) != 0)
				rc = -1;
		}
		if (e->code)
			rc = -1;
	}
	const char *t = jv_str(body, "title");
	if (rc == 0 && t && t[strspn(t, " \t")] == '\0')
		return err_field(e, "/title", MSG_REQUIRED, NULL);
	return rc;
}

/* The injects in time order, as stored. */
static char *injects_text(const json_t *injects)
{
	json_t *copy = json_array();
	size_t i;
	json_t *v;
	int64_t prev = INT64_MIN;
	int sorted = 1;
	json_array_foreach(injects, i, v) {
		int64_t at = 0;
		char ts[TIME_RFC3339_LEN];
		time_parse(jv_str(v, "at"), &at);
		sorted &= at >= prev;
		prev = at;
		json_array_append_new(copy, json_pack("{s:s, s:s}", "at", time_format_utc(at, ts),
						      "text", jv_str(v, "text")));
	}
	if (!sorted) {
		/* A small array (at most 100): insertion sort by time text (UTC,
		 * same width, so text order is time order). */
		size_t n = json_array_size(copy);
		for (size_t a = 1; a < n; a++)
			for (size_t b = a; b > 0; b--) {
				json_t *x = json_array_get(copy, b - 1), *y = json_array_get(copy, b);
				if (strcmp(jv_str(x, "at"), jv_str(y, "at")) <= 0)
					break;
				json_incref(x);
				json_array_set(copy, b - 1, y);
				json_array_set_new(copy, b, x);
			}
	}
	char *s = json_dumps(copy, JSON_COMPACT);
	json_decref(copy);
	return s;
}

/* Every system id names a system of org_path's subtree. */
static int check_systems(struct ctx *c, const json_t *ids, const char *org_path, struct err *e)
{
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v) {
		char ptr[40];
		const char *id = json_string_value(v);
		snprintf(ptr, sizeof(ptr), "/system_ids/%zu", i);
		if (!uuid_valid(id)) {
			err_field(e, ptr, MSG_DRILL_SYSTEM_UNKNOWN, "");
			continue;
		}
		struct stmt *st = store_query(c->db, e, "SELECT 1 FROM systems s JOIN orgs o ON "
			"o.id = s.org_id WHERE s.id = $1 AND substr(o.path, 1, length($2)) = $2", "tt",
			id, org_path);
		if (st == NULL)
			return -1;
		int rc = stmt_step(st, e);
		stmt_done(st);
		if (rc < 0)
			return -1;
		if (rc == 0)
			err_field(e, ptr, MSG_DRILL_SYSTEM_UNKNOWN, id);
	}
	return e->code ? -1 : 0;
}

#define DRILL_SELECT "SELECT d.id, d.title, d.kind, d.status, d.scenario, d.planned_at, " \
	"d.held_at, d.systems, d.participants, d.injects, d.went_wrong, d.lessons, d.version, " \
	"d.created_at, d.updated_at, o.id, o.code, o.name, o.path FROM drills d JOIN orgs o " \
	"ON o.id = d.org_id "

static json_t *drill_row(struct stmt *st)
{
	json_t *systems = json_loads(stmt_text(st, 7), 0, NULL);
	json_t *injects = json_loads(stmt_text(st, 9), 0, NULL);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:s, s:s, s:I, "
		"s:o, s:o, s:{s:s, s:s, s:s}}", "id", stmt_text(st, 0), "title", stmt_text(st, 1),
		"kind", stmt_text(st, 2), "status", stmt_text(st, 3), "scenario", stmt_text(st, 4),
		"planned_at", ms_json(stmt_int(st, 5)),
		"held_at", ms_json(stmt_isnull(st, 6) ? 0 : stmt_int(st, 6)),
		"system_ids", systems ? systems : json_array(), "participants", stmt_text(st, 8),
		"injects", injects ? injects : json_array(), "went_wrong", stmt_text(st, 10),
		"lessons", stmt_text(st, 11), "version", (json_int_t)stmt_int(st, 12),
		"created_at", ms_json(stmt_int(st, 13)), "updated_at", ms_json(stmt_int(st, 14)),
		"org", "id", stmt_text(st, 15), "code", stmt_text(st, 16), "name", stmt_text(st, 17));
}

/* Whether the actor owns a corrective action of drill id. */
static int owns_action(struct ctx *c, const char *id, struct err *e)
{
	if (c->actor->system)
		return 0;
	struct stmt *st = store_query(c->db, e, "SELECT 1 FROM drill_actions WHERE drill_id = $1 "
				      "AND owner_id = $2 LIMIT 1", "tt", id, c->actor->id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	stmt_done(st);
	return rc;
}

/* The drill without its actions; *path gets its organisation's path. The
 * read check: in scope, or the owner of one of its actions. */
static json_t *load_drill(struct ctx *c, const char *id, char path[LIMIT_ORG_PATH], struct err *e)
{
	if (!uuid_valid(id))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	struct stmt *st = store_query(c->db, e, DRILL_SELECT "WHERE d.id = $1", "t", id);
	if (st == NULL)
		return NULL;
	json_t *j = NULL;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(path, LIMIT_ORG_PATH, "%s", stmt_text(st, 18));
		j = drill_row(st);
	} else if (rc == 0) {
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	}
	stmt_done(st);
	if (j == NULL)
		return NULL;
	struct policy_target t = { .org_path = path };
	if (!policy_in_scope(c->actor, path)) {
		int own = owns_action(c, id, e);
		if (own < 0) {
			json_decref(j);
			return NULL;
		}
		if (own == 1)
			t.org_path = NULL;   /* the owner of an action reads its drill */
	}
	if (policy_check(c->actor, ACT_DRILL_READ, &t, e) != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *action_row(struct stmt *st)
{
	int64_t due = stmt_int(st, 3), done_at = stmt_isnull(st, 5) ? 0 : stmt_int(st, 5);
	int done = (int)stmt_int(st, 4);
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:o, s:b, s:o, s:b}",
		"id", stmt_text(st, 0), "title", stmt_text(st, 1),
		"owner", "id", stmt_text(st, 2), "username", stmt_text(st, 6),
		"full_name", stmt_text(st, 7), "due_at", ms_json(due), "done", done,
		"done_at", ms_json(done_at), "overdue", !done && due < time_now_ms());
}

#define ACTION_SELECT "SELECT a.id, a.title, a.owner_id, a.due_at, a.done, a.done_at, " \
	"u.username, u.full_name FROM drill_actions a JOIN users u ON u.id = a.owner_id "

/* The drill with its actions and systems; *path its organisation's. */
static json_t *drill_full(struct ctx *c, const char *id, char path[LIMIT_ORG_PATH],
			  struct err *e)
{
	json_t *d = load_drill(c, id, path, e);
	if (d == NULL)
		return NULL;
	if (rows_attach(c->db, d, "actions", ACTION_SELECT "WHERE a.drill_id = $1 ORDER BY "
			"a.due_at, a.id", id, action_row, e) != 0) {
		json_decref(d);
		return NULL;
	}
	/* The systems exercised, by name and level (those still there). */
	json_t *systems = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(d, "system_ids"), i, v) {
		struct stmt *st = store_query(c->db, e, "SELECT id, name, level FROM systems WHERE "
					      "id = $1", "t", json_string_value(v));
		if (st && stmt_step(st, e) == 1)
			json_array_append_new(systems, json_pack("{s:s, s:s, s:o}", "id",
				stmt_text(st, 0), "name", stmt_text(st, 1), "level",
				stmt_isnull(st, 2) ? json_null() : json_integer(stmt_int(st, 2))));
		stmt_done(st);
	}
	json_object_set_new(d, "systems", systems);
	return d;
}

json_t *drill_get(struct ctx *c, const char *id, struct err *e)
{
	char path[LIMIT_ORG_PATH];
	return drill_full(c, id, path, e);
}

static int target_org(struct ctx *c, json_t *body, struct org *o, struct err *e)
{
	return policy_org_target(c, jv_str(body, "org_code"), "/org_code", o, e);
}

/* The status and its date agree: held needs held_at. */
static int check_held(const char *status, int64_t held_at, struct err *e)
{
	if (status && strcmp(status, "held") == 0 && held_at == 0)
		return err_field(e, "/held_at", MSG_DRILL_HELD_NEEDS_DATE, NULL);
	/* a drill is held in the past (a few minutes' clock skew allowed) */
	if (held_at > time_now_ms() + 10 * 60 * 1000)
		return err_field(e, "/held_at", MSG_DRILL_HELD_FUTURE, NULL);
	return 0;
}

json_t *drill_create(struct ctx *c, json_t *body, struct err *e)
{
	struct org o;
	char id[UUID_LEN];
	if (check_body(body, create_fields, e) != 0 || target_org(c, body, &o, e) != 0)
		return NULL;
	struct policy_target t = { .org_path = o.path };
	if (policy_check(c->actor, ACT_DRILL_WRITE, &t, e) != 0)
		return NULL;
	const char *status = jv_str(body, "status");
	if (status == NULL)
		status = "planned";
	int64_t held = opt_time(body, "held_at"), now = time_now_ms();
	json_t *sys = json_object_get(body, "system_ids");
	if (check_held(status, held, e) != 0 || check_systems(c, sys, o.path, e) != 0)
		return NULL;
	char *systems = sys ? json_dumps(sys, JSON_COMPACT) : strdup("[]");
	char *injects = injects_text(json_object_get(body, "injects"));
	const char *sc = jv_str(body, "scenario"), *pa = jv_str(body, "participants"),
		   *ww = jv_str(body, "went_wrong"), *le = jv_str(body, "lessons");
	json_t *out = NULL;
	int rc = systems && injects ? store_begin(c->db, e) : err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (rc == 0 && store_run(c->db, e, "INSERT INTO drills (id, org_id, title, kind, status, "
		"scenario, planned_at, held_at, systems, participants, injects, went_wrong, lessons, "
		"version, created_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,"
		"$11,$12,$13,1,$14,$15,$15)", "ttttttii" "tttttti", uuid7(id), o.id,
		jv_str(body, "title"), jv_str(body, "kind"), status, sc ? sc : "",
		opt_time(body, "planned_at"), held, systems, pa ? pa : "", injects,
		ww ? ww : "", le ? le : "", c->actor->system ? NULL : c->actor->id, now) == 1) {
		if (!held)
			rc = store_run(c->db, e, "UPDATE drills SET held_at = NULL WHERE id = $1", "t",
				       id) == 1 ? 0 : -1;
		if (rc == 0)
			out = drill_get(c, id, e);
		if (out == NULL || audit_append_json(c, "drill.create", "drill", id, NULL, out, e) != 0 ||
		    store_commit(c->db, e) != 0) {
			store_rollback(c->db);
			json_decref(out);
			out = NULL;
		}
	} else if (rc == 0) {
		store_rollback(c->db);
	}
	free(systems);
	free(injects);
	return out;
}

static int set_text(struct ctx *c, const char *id, const char *col, const char *v, struct err *e)
{
	char sql[96];
	snprintf(sql, sizeof(sql), "UPDATE drills SET %s = $1 WHERE id = $2", col);
	return store_run(c->db, e, sql, "tt", v, id) == 1 ? 0 : -1;
}

json_t *drill_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		     struct err *e)
{
	static const char *const texts[] = { "title", "kind", "status", "scenario", "participants",
					     "went_wrong", "lessons", NULL };
	char path[LIMIT_ORG_PATH];
	json_t *before = NULL, *after = NULL;
	if (check_body(body, update_fields, e) != 0)
		return NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	if ((before = drill_full(c, id, path, e)) == NULL)
		goto fail;
	struct policy_target t = { .org_path = path };
	if (!policy_in_scope(c->actor, path)) {
		err_set(e, E_FORBIDDEN, MSG_FORBIDDEN, NULL);
		goto fail;
	}
	if (policy_check(c->actor, ACT_DRILL_WRITE, &t, e) != 0)
		goto fail;
	if (if_match < 0) {
		err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL);
		goto fail;
	}
	if (version_claim(c, "drills", id, if_match, e) != 0)
		goto fail;
	const char *status = jv_str(body, "status");
	if (status == NULL)
		status = jv_str(before, "status");
	int64_t held = opt_time(body, "held_at");
	if (held == 0 && !json_is_null(json_object_get(before, "held_at")))
		time_parse(jv_str(before, "held_at"), &held);
	json_t *sys = json_object_get(body, "system_ids");
	if (check_held(status, held, e) != 0 || (sys && check_systems(c, sys, path, e) != 0))
		goto fail;
	for (int i = 0; texts[i]; i++) {
		const char *v = jv_str(body, texts[i]);
		if (v && set_text(c, id, texts[i], v, e) != 0)
			goto fail;
	}
	if (jv_str(body, "planned_at") && store_run(c->db, e, "UPDATE drills SET planned_at = $1 "
			"WHERE id = $2", "it", opt_time(body, "planned_at"), id) != 1)
		goto fail;
	if (jv_str(body, "held_at") && store_run(c->db, e, "UPDATE drills SET held_at = $1 "
			"WHERE id = $2", "it", held, id) != 1)
		goto fail;
	if (sys) {
		char *s = json_dumps(sys, JSON_COMPACT);
		int rc = s ? set_text(c, id, "systems", s, e) : -1;
		free(s);
		if (rc != 0)
			goto fail;
	}
	if (json_is_array(json_object_get(body, "injects"))) {
		char *s = injects_text(json_object_get(body, "injects"));
		int rc = s ? set_text(c, id, "injects", s, e) : -1;
		free(s);
		if (rc != 0)
			goto fail;
	}
	if (store_run(c->db, e, "UPDATE drills SET version = version + 1, updated_at = $1 WHERE "
		      "id = $2", "it", time_now_ms(), id) != 1 ||
	    (after = drill_get(c, id, e)) == NULL ||
	    audit_append_json(c, "drill.update", "drill", id, before, after, e) != 0 ||
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

/* The owner: an active user of the drill's organisation or one below it. */
static int check_owner(struct ctx *c, const char *owner, const char *path, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT 1 FROM users u JOIN orgs o ON o.id = "
		"u.org_id WHERE u.id = $1 AND u.disabled = 0 AND substr(o.path, 1, length($2)) = $2",
		"tt", owner, path);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	stmt_done(st);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : err_field(e, "/owner_id", MSG_DRILL_OWNER_UNKNOWN, owner);
}

/* Loads the drill for a write on its actions: in scope and a writer. */
static json_t *drill_for_write(struct ctx *c, const char *id, char path[LIMIT_ORG_PATH],
			       struct err *e)
{
	json_t *d = load_drill(c, id, path, e);
	if (d == NULL)
		return NULL;
	struct policy_target t = { .org_path = path };
	if (policy_check(c->actor, ACT_DRILL_WRITE, &t, e) != 0) {
		json_decref(d);
		return NULL;
	}
	return d;
}

static json_t *action_get(struct ctx *c, const char *id, const char *aid, struct err *e)
{
	if (!uuid_valid(aid))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	struct stmt *st = store_query(c->db, e, ACTION_SELECT "WHERE a.id = $1 AND a.drill_id = $2",
				      "tt", aid, id);
	if (st == NULL)
		return NULL;
	json_t *j = NULL;
	int rc = stmt_step(st, e);
	if (rc == 1)
		j = action_row(st);
	else if (rc == 0)
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	stmt_done(st);
	return j;
}

json_t *drill_action_add(struct ctx *c, const char *id, json_t *body, struct err *e)
{
	char path[LIMIT_ORG_PATH], aid[UUID_LEN];
	if (jv_validate(body, action_fields, "", e) != 0)
		return NULL;
	const char *t = jv_str(body, "title");
	if (t[strspn(t, " \t")] == '\0')
		return err_field(e, "/title", MSG_REQUIRED, NULL), NULL;
	json_t *d = drill_for_write(c, id, path, e), *out = NULL;
	if (d == NULL)
		return NULL;
	json_decref(d);
	int64_t now = time_now_ms();
	if (check_owner(c, jv_str(body, "owner_id"), path, e) != 0 || store_begin(c->db, e) != 0)
		return NULL;
	if (store_run(c->db, e, "INSERT INTO drill_actions (id, drill_id, title, owner_id, due_at, "
		"done, created_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,0,$6,$7,$7)",
		"ttttiti", uuid7(aid), id, t, jv_str(body, "owner_id"), opt_time(body, "due_at"),
		c->actor->system ? NULL : c->actor->id, now) != 1 ||
	    (out = action_get(c, id, aid, e)) == NULL ||
	    audit_append_json(c, "drill.action.create", "drill", id, NULL, out, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *drill_action_update(struct ctx *c, const char *id, const char *aid, json_t *body,
			    struct err *e)
{
	char path[LIMIT_ORG_PATH];
	if (jv_validate(body, action_update_fields, "", e) != 0)
		return NULL;
	json_t *d = load_drill(c, id, path, e), *before = NULL, *after = NULL;
	if (d == NULL)
		return NULL;
	json_decref(d);
	if ((before = action_get(c, id, aid, e)) == NULL)
		return NULL;
	const char *owner = jv_str(json_object_get(before, "owner"), "id");
	int is_owner = !c->actor->system && strcmp(owner, c->actor->id) == 0;
	/* The owner reports it done (or not yet); anything else is a writer's. */
	int only_done = json_object_size(body) == 1 && json_object_get(body, "done");
	struct policy_target t = { .org_path = path };
	int act = ACT_DRILL_WRITE;
	if (is_owner && only_done) {
		act = ACT_DRILL_ACTION_DONE;
		t.org_path = NULL;
		t.roles = ROLE_ALL;
	} else if (!policy_in_scope(c->actor, path)) {
		err_set(e, E_FORBIDDEN, MSG_FORBIDDEN, NULL);
		goto fail;
	}
	if (policy_check(c->actor, act, &t, e) != 0)
		goto fail;
	const char *nowner = jv_str(body, "owner_id"), *title = jv_str(body, "title");
	if (title && title[strspn(title, " \t")] == '\0') {
		err_field(e, "/title", MSG_REQUIRED, NULL);
		goto fail;
	}
	if ((nowner && check_owner(c, nowner, path, e) != 0) || store_begin(c->db, e) != 0)
		goto fail;
	int64_t now = time_now_ms();
	json_t *done = json_object_get(body, "done");
	int rc = 0;
	if (title)
		rc = store_run(c->db, e, "UPDATE drill_actions SET title = $1 WHERE id = $2", "tt",
			       title, aid) == 1 ? 0 : -1;
	if (rc == 0 && nowner)
		rc = store_run(c->db, e, "UPDATE drill_actions SET owner_id = $1 WHERE id = $2", "tt",
			       nowner, aid) == 1 ? 0 : -1;
	if (rc == 0 && jv_str(body, "due_at"))
		rc = store_run(c->db, e, "UPDATE drill_actions SET due_at = $1 WHERE id = $2", "it",
			       opt_time(body, "due_at"), aid) == 1 ? 0 : -1;
	if (rc == 0 && done)
		rc = store_run(c->db, e, "UPDATE drill_actions SET done = $1, done_at = CASE WHEN "
			       "$1 = 1 THEN COALESCE(done_at, $2) ELSE NULL END WHERE id = $3", "iit",
			       (int64_t)json_is_true(done), now, aid) == 1 ? 0 : -1;
	if (rc != 0 || store_run(c->db, e, "UPDATE drill_actions SET updated_at = $1 WHERE id = $2",
				 "it", now, aid) != 1 ||
	    (after = action_get(c, id, aid, e)) == NULL ||
	    audit_append_json(c, "drill.action.update", "drill", id, before, after, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		goto fail;
	}
	json_decref(before);
	return after;
fail:
	json_decref(before);
	json_decref(after);
	return NULL;
}

json_t *drill_list(struct ctx *c, const char *org_code, int year, struct err *e)
{
	char scope[LIMIT_ORG_PATH];
	if (policy_check(c->actor, ACT_DRILL_READ, NULL, e) != 0)
		return NULL;
	snprintf(scope, sizeof(scope), "%s", scope_of(c));
	if (org_code) {
		struct org o;
		if (org_by_code(c, org_code, &o, e) != 0 || !policy_in_scope(c->actor, o.path)) {
			err_clear(e);
			return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
		}
		snprintf(scope, sizeof(scope), "%s", o.path);
	}
	int64_t from = 0, to = INT64_MAX;
	if (year) {
		from = time_days_from_civil(year, 1, 1) * DAY_MS - TIME_HCM_OFFSET_MS;
		to = time_days_from_civil(year + 1, 1, 1) * DAY_MS - TIME_HCM_OFFSET_MS;
	}
	struct stmt *st = store_query(c->db, e, DRILL_SELECT "WHERE substr(o.path, 1, length($1)) "
		"= $1 AND COALESCE(d.held_at, d.planned_at) >= $2 AND COALESCE(d.held_at, "
		"d.planned_at) < $3 ORDER BY COALESCE(d.held_at, d.planned_at) DESC, d.id LIMIT 500",
		"tii", scope, from, to);
	if (st == NULL)
		return NULL;
	json_t *items = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(items, drill_row(st));
	stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	/* Open actions per drill, for the list. */
	size_t i;
	json_t *d;
	json_array_foreach(items, i, d) {
		st = store_query(c->db, e, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN done = 0 THEN 1 "
			"ELSE 0 END), 0) FROM drill_actions WHERE drill_id = $1", "t", jv_str(d, "id"));
		if (st && stmt_step(st, e) == 1)
			json_object_set_new(d, "actions", json_pack("{s:I, s:I}", "total",
				(json_int_t)stmt_int(st, 0), "open", (json_int_t)stmt_int(st, 1)));
		stmt_done(st);
	}
	return json_pack("{s:o}", "items", items);
}

json_t *drill_compliance(struct ctx *c, struct err *e)
{
	int64_t now = time_now_ms();
	if (policy_check(c->actor, ACT_DRILL_READ, NULL, e) != 0)
		return NULL;
	/* Systems of level 3+ in scope; the last live drill held with each
	 * (drills of the system's organisation or above it that name it). */
	struct stmt *st = store_query(c->db, e, "SELECT s.id, s.name, s.level, o.code, o.name, "
		"(SELECT MAX(d.held_at) FROM drills d JOIN orgs dor ON dor.id = d.org_id WHERE "
		"d.kind = 'live' AND d.status = 'held' AND d.held_at <= $2 AND "
		"substr(o.path, 1, length(dor.path)) = dor.path AND d.systems LIKE '%\"' || s.id || "
		"'\"%') FROM systems s JOIN orgs o ON o.id = s.org_id WHERE s.level >= 3 AND "
		"s.retired_at IS NULL AND substr(o.path, 1, length($1)) = $1 ORDER BY o.path, s.name",
		"ti", scope_of(c), now);
	if (st == NULL)
		return NULL;
	json_t *items = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		int64_t last = stmt_isnull(st, 5) ? 0 : stmt_int(st, 5);
		int64_t due = last ? last + DRILL_PERIOD_DAYS * DAY_MS : 0;
		json_array_append_new(items, json_pack("{s:{s:s, s:s, s:I}, s:{s:s, s:s}, s:o, s:o, "
			"s:b}", "system", "id", stmt_text(st, 0), "name", stmt_text(st, 1), "level",
			(json_int_t)stmt_int(st, 2), "org", "code", stmt_text(st, 3), "name",
			stmt_text(st, 4), "last_live_drill_at", ms_json(last), "next_due_at",
			ms_json(due), "overdue", last == 0 || due < now));
	}
	stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	return json_pack("{s:o, s:i}", "items", items, "period_days", DRILL_PERIOD_DAYS);
}

/* ---- the after-action report ---- */

static int enum_at(const char *const *list, const char *s)
{
	int i = jv_enum_index(list, s);
	return i < 0 ? 0 : i;
}

static void human_date(const json_t *j, const char *key, char out[TIME_RFC3339_LEN])
{
	int64_t ms = 0;
	const char *s = jv_str(j, key);
	out[0] = '\0';
	if (s && time_parse(s, &ms) == 0)
		time_format_human(ms, out);
}

struct doc *drill_doc(struct ctx *c, const char *id, struct err *e)
{
	json_t *d = drill_get(c, id, e);
	if (d == NULL)
		return NULL;
	struct org o, parent;
	json_t *org = json_object_get(d, "org");
	int has_parent = 0;
	if (org_by_id(c, jv_str(org, "id"), &o, e) != 0) {
		json_decref(d);
		return NULL;
	}
	struct stmt *st = store_query(c->db, e, "SELECT p.id FROM orgs o JOIN orgs p ON p.id = "
				      "o.parent_id WHERE o.id = $1", "t", o.id);
	if (st && stmt_step(st, e) == 1)
		has_parent = org_by_id(c, stmt_text(st, 0), &parent, e) == 0;
	stmt_done(st);
	err_clear(e);
	int64_t now = time_now_ms();
	struct doc *doc = doc_new("Báo cáo kết quả diễn tập", now);
	if (doc == NULL) {
		json_decref(d);
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	}
	char held[TIME_RFC3339_LEN], planned[TIME_RFC3339_LEN];
	human_date(d, "held_at", held);
	human_date(d, "planned_at", planned);
	doc_header(doc, has_parent ? parent.name : NULL, o.name, NULL, NULL, now);
	doc_title(doc, "BÁO CÁO KẾT QUẢ DIỄN TẬP ỨNG CỨU SỰ CỐ AN TOÀN THÔNG TIN MẠNG",
		  jv_str(d, "title"));
	doc_heading(doc, 1, "1. Thông tin chung");
	doc_field(doc, "Đơn vị tổ chức", o.name);
	doc_field(doc, "Hình thức", kind_vi[enum_at(drill_kinds, jv_str(d, "kind"))]);
	doc_field(doc, "Trạng thái", state_vi[enum_at(drill_states, jv_str(d, "status"))]);
	doc_field(doc, "Thời gian dự kiến", planned);
	doc_field(doc, "Thời gian tổ chức", held);
	doc_field(doc, "Thành phần tham gia", jv_str(d, "participants"));
	doc_heading(doc, 1, "2. Kịch bản diễn tập");
	doc_text(doc, *jv_str(d, "scenario") ? jv_str(d, "scenario") : "(chưa ghi)", DOC_JUSTIFY, 0);
	doc_heading(doc, 1, "3. Hệ thống thông tin tham gia diễn tập");
	static const char *const sys_head[] = { "STT", "Hệ thống", "Cấp độ" };
	static const double sys_w[] = { 1, 8, 2 };
	doc_table(doc, 3, sys_head, sys_w);
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(d, "systems"), i, v) {
		char n[24], lv[24] = "-";
		snprintf(n, sizeof(n), "%zu", i + 1);
		json_t *level = json_object_get(v, "level");
		if (json_is_integer(level))
			snprintf(lv, sizeof(lv), "%lld", (long long)json_integer_value(level));
		const char *cells[] = { n, jv_str(v, "name"), lv };
		doc_row(doc, cells, 0);
	}
	doc_heading(doc, 1, "4. Diễn biến (các tình huống giả định)");
	static const char *const inj_head[] = { "Thời điểm", "Tình huống" };
	static const double inj_w[] = { 3, 8 };
	doc_table(doc, 2, inj_head, inj_w);
	json_array_foreach(json_object_get(d, "injects"), i, v) {
		char at[TIME_RFC3339_LEN];
		human_date(v, "at", at);
		const char *cells[] = { at, jv_str(v, "text") };
		doc_row(doc, cells, 0);
	}
	doc_heading(doc, 1, "5. Những vấn đề phát sinh, tồn tại");
	doc_text(doc, *jv_str(d, "went_wrong") ? jv_str(d, "went_wrong") : "(không có)", DOC_JUSTIFY, 0);
	doc_heading(doc, 1, "6. Bài học kinh nghiệm");
	doc_text(doc, *jv_str(d, "lessons") ? jv_str(d, "lessons") : "(không có)", DOC_JUSTIFY, 0);
	doc_heading(doc, 1, "7. Biện pháp khắc phục");
	static const char *const act_head[] = { "STT", "Nội dung", "Người phụ trách", "Hạn",
						"Tình trạng" };
	static const double act_w[] = { 1, 6, 3, 2, 2 };
	doc_table(doc, 5, act_head, act_w);
	json_array_foreach(json_object_get(d, "actions"), i, v) {
		char n[24], due[TIME_RFC3339_LEN];
		snprintf(n, sizeof(n), "%zu", i + 1);
		human_date(v, "due_at", due);
		due[10] = '\0';   /* the date, without the time */
		const char *cells[] = { n, jv_str(v, "title"),
					jv_str(json_object_get(v, "owner"), "full_name"), due,
					json_is_true(json_object_get(v, "done")) ? "Đã xong" : "Chưa xong" };
		doc_row(doc, cells, 0);
	}
	const char *recipients[] = { "Như trên", "Lưu: VT" };
	doc_recipients(doc, recipients, 2);
	doc_signature(doc, "THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)", NULL);
	json_decref(d);
	return doc;
}
