/* asset.c - information systems, hosts and their inventories. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asset.h"
#include "../page.h"
#include "../directory/audit.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "inventory.h"
#include "../../base/jsonv.h"
#include "../../base/limits.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

const char *const system_info_types[] = { "public", "private", "personal", "state_secret", NULL };
const char *const system_functions[] = {
	"internal", "citizen_facing", "infrastructure", "ics", "other", NULL
};

#define SYSTEM_FIELDS(req) \
	{ "name", JV_STRING, req, 0, 300, NULL, NULL }, \
	{ "purpose", JV_STRING, 0, 0, 2000, NULL, NULL }, \
	{ "owner", JV_STRING, 0, 0, 300, NULL, NULL }, \
	{ "operator", JV_STRING, 0, 0, 300, NULL, NULL }, \
	{ "contractor", JV_STRING, 0, 0, 300, NULL, NULL }, \
	{ "level", JV_INT, 0, 1, 5, NULL, NULL }, \
	{ "approval_decision", JV_STRING, 0, 0, 300, NULL, NULL }, \
	{ "info_type", JV_ENUM, 0, 0, 0, system_info_types, NULL }, \
	{ "function", JV_ENUM, 0, 0, 0, system_functions, NULL }, \
	{ "user_count", JV_INT, 0, 0, 100000000, NULL, NULL }, \
	{ "next_check_at", JV_TIME, 0, 0, 0, NULL, NULL }

static const struct jv_field system_create_fields[] = {
	{ "org_code", JV_STRING, 0, 0, 64, NULL, NULL },
	SYSTEM_FIELDS(1),
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field system_update_fields[] = {
	SYSTEM_FIELDS(0),
	{ "org_code", JV_STRING, 0, 0, 64, NULL, NULL },   /* a correction: audited */
	{ "retired", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* The text columns a PATCH may set, in the order of SYSTEM_FIELDS. */
static const char *const system_text_cols[] = {
	"name", "purpose", "owner", "operator", "contractor", "approval_decision",
	"info_type", "function", NULL
};

static json_t *time_or_null(struct stmt *st, int col)
{
	char ts[TIME_RFC3339_LEN];
	return stmt_isnull(st, col) ? json_null()
				    : json_string(time_format_utc(stmt_int(st, col), ts));
}

/* An optional vocabulary field: "" (not set) is shown as null. */
static json_t *text_or_null(struct stmt *st, int col)
{
	const char *v = stmt_text(st, col);
	return v && *v ? json_string(v) : json_null();
}

static json_t *int_or_null(struct stmt *st, int col)
{
	return stmt_isnull(st, col) ? json_null() : json_integer(stmt_int(st, col));
}

#define SYSTEM_SELECT SYSTEM_SELECT_COLS SYSTEM_FROM
#define SYSTEM_SELECT_COLS "SELECT s.id, s.name, s.purpose, s.owner, s.operator, s.contractor, " \
	"s.level, s.approval_decision, s.info_type, s.function, s.user_count, s.next_check_at, " \
	"s.version, s.created_at, s.updated_at, o.id, o.code, o.name, o.kind, o.path, " \
	"(SELECT COUNT(*) FROM hosts h WHERE h.system_id = s.id), s.retired_at "
#define SYSTEM_FROM "FROM systems s JOIN orgs o ON o.id = s.org_id "
#define SYSTEM_NCOLS 22

static json_t *system_row(struct stmt *st)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:I, "
		"s:o, s:o, s:{s:s, s:s, s:s, s:s}, s:I}",
		"id", stmt_text(st, 0), "name", stmt_text(st, 1), "purpose", stmt_text(st, 2),
		"owner", stmt_text(st, 3), "operator", stmt_text(st, 4),
		"contractor", stmt_text(st, 5), "level", int_or_null(st, 6),
		"approval_decision", stmt_text(st, 7), "info_type", text_or_null(st, 8),
		"function", text_or_null(st, 9), "user_count", int_or_null(st, 10),
		"next_check_at", time_or_null(st, 11), "version", (json_int_t)stmt_int(st, 12),
		"created_at", time_or_null(st, 13), "updated_at", time_or_null(st, 14),
		"org", "id", stmt_text(st, 15), "code", stmt_text(st, 16), "name", stmt_text(st, 17),
		"kind", stmt_text(st, 18), "hosts", (json_int_t)stmt_int(st, 20));
	if (j)
		json_object_set_new(j, "retired_at", time_or_null(st, 21));
	return j;
}

/* Loads one row visible to the actor; path gets its organisation's path. */
static json_t *load_one(struct ctx *c, const char *sql, const char *id,
			json_t *(*row)(struct stmt *), int path_col, char *path,
			struct err *e)
{
	return policy_load_one(c, sql, id, row, path_col, ACT_ASSET_READ, path, e);
}

/* The organisation a new record goes to: org_code if given and in scope,
 * else the actor's own. */
static int target_org(struct ctx *c, json_t *body, struct org *o, struct err *e)
{
	return policy_org_target(c, jv_str(body, "org_code"), "/org_code", o, e);
}

static int64_t opt_time(json_t *body, const char *key)
{
	int64_t t = 0;
	const char *s = jv_str(body, key);
	if (s)
		time_parse(s, &t);
	return t;
}

json_t *system_create(struct ctx *c, json_t *body, struct err *e)
{
	struct org o;
	char id[UUID_LEN], path[LIMIT_ORG_PATH];
	int64_t now = time_now_ms();
	if (jv_validate(body, system_create_fields, "", e) != 0 || target_org(c, body, &o, e) != 0)
		return NULL;
	struct policy_target t = { .org_path = o.path };
	if (policy_check(c->actor, ACT_ASSET_WRITE, &t, e) != 0 || store_begin(c->db, e) != 0)
		return NULL;
	const char *v[8];
	for (int i = 0; system_text_cols[i]; i++)
		v[i] = jv_str(body, system_text_cols[i]) ? jv_str(body, system_text_cols[i]) : "";
	int64_t check = opt_time(body, "next_check_at");
	json_t *j = NULL;
	if (store_run(c->db, e, "INSERT INTO systems (id, org_id, name, purpose, owner, operator, "
		      "contractor, approval_decision, info_type, function, level, user_count, "
		      "next_check_at, version, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,"
		      "$8,$9,$10,NULLIF($11, 0),NULLIF($12, -1),NULLIF($13, 0),1,$14,$14)",
		      "tttttttttt" "iiii", uuid7(id), o.id, v[0], v[1], v[2], v[3], v[4], v[5], v[6],
		      v[7], (int64_t)jv_int(body, "level", 0), (int64_t)jv_int(body, "user_count", -1),
		      check, now) < 0 ||
	    (j = load_one(c, SYSTEM_SELECT "WHERE s.id = $1", id, system_row, 19, path, e)) == NULL ||
	    audit_append_json(c, "system.create", "system", id, NULL, j, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* $1 the actor's path, $2 an optional organisation code (its subtree). */
#define SCOPE_FILTER "substr(o.path, 1, length($1)) = $1 AND ($2 IS NULL OR substr(o.path, 1, " \
	"length((SELECT path FROM orgs WHERE code = $2))) = (SELECT path FROM orgs WHERE code = $2)) "

/* The sorts of the registry lists. "org" (the default) keeps each
 * organisation's rows together, parents first ("/a/ " < "/a/b/": a path is
 * ids and slashes), then by name. */
static const struct page_key system_keys[] = {
	{ "org", "o.path || ' ' || s.name", 't', 0 },
	{ "name", "s.name", 't', 0 },
	{ "next_check", "COALESCE(s.next_check_at, 253402300799999)", 'i', 0 },
	{ "level", "COALESCE(s.level, 0)", 'i', 1 },
	{ "updated", "s.updated_at", 'i', 1 },
	{ NULL, NULL, 0, 0 },
};

/* "risk": hosts with known-exploited, then critical, then any open
 * findings first (counts below a million each). */
static const struct page_key host_keys[] = {
	{ "org", "o.path || ' ' || h.hostname", 't', 0 },
	{ "risk", "(SELECT COUNT(*) * 1000000000000 FROM findings f WHERE f.host_id = h.id AND "
		  "f.status = 'open' AND f.kev = 1) + (SELECT COUNT(*) * 1000000 FROM findings f "
		  "WHERE f.host_id = h.id AND f.status = 'open' AND f.severity = 'critical') + "
		  "(SELECT COUNT(*) FROM findings f WHERE f.host_id = h.id AND f.status = 'open')",
	  'i', 1 },
	{ "hostname", "h.hostname", 't', 0 },
	{ "last_seen", "COALESCE(h.last_seen_at, 0)", 'i', 1 },
	{ "updated", "h.updated_at", 'i', 1 },
	{ NULL, NULL, 0, 0 },
};

/* A registry list: cols, the key column, from, then the scope ($1, $2),
 * where (over $3..$6) and the page ($7, $8). */
static json_t *list_page(struct ctx *c, const struct asset_filter *f,
			 const struct page_key *keys, const char *cols, int ncols,
			 const char *from, const char *where, const char *v3, const char *v4,
			 const char *v5, const char *v6, json_t *(*row)(struct stmt *),
			 struct err *e)
{
	struct page p;
	if (policy_check(c->actor, ACT_ASSET_READ, NULL, e) != 0 ||
	    page_begin(keys, f->sort, f->order, f->cursor, f->limit, &p, e) != 0)
		return NULL;
	if (f->q && strlen(f->q) > LIMIT_SHORT_TEXT)
		return err_field(e, "/q", MSG_TOO_LONG, "300"), NULL;
	if (f->retired && strcmp(f->retired, "true") != 0 && strcmp(f->retired, "false") != 0)
		return err_field(e, "/retired", MSG_BAD_VALUE, "true, false"), NULL;
	struct buf sql;
	buf_init(&sql, 16384);
	buf_adds(&sql, cols);
	page_column(&p, &sql);
	buf_adds(&sql, from);
	buf_adds(&sql, "WHERE " SCOPE_FILTER);
	buf_adds(&sql, where);
	page_sql(&p, ncols == SYSTEM_NCOLS ? "s.id" : "h.id", 7, &sql);
	json_t *out = NULL;
	struct stmt *st = sql.p ? store_query(c->db, e, sql.p, "tttttttt",
		c->actor->system ? "/" : c->actor->org_path, f->org_code, v3, v4, v5, v6,
		page_bind_key(&p), page_bind_id(&p)) : NULL;
	if (sql.p == NULL)
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (st)
		out = page_items(&p, st, ncols, 0, row, e);
	buf_release(&sql);
	return out;
}

static const char *level_text(int level, char *out)
{
	if (level <= 0 || level > 9)
		return NULL;
	out[0] = (char)('0' + level);
	out[1] = '\0';
	return out;
}

json_t *system_list(struct ctx *c, const struct asset_filter *f, struct err *e)
{
	char lv[2];
	if (f->level < 0 || f->level > 5)
		return err_field(e, "/level", MSG_BAD_VALUE, "1..5"), NULL;
	return list_page(c, f, system_keys, SYSTEM_SELECT_COLS, SYSTEM_NCOLS, SYSTEM_FROM,
			 "AND ($3 IS NULL OR instr(lower(s.name), lower($3)) > 0 OR "
			 "instr(lower(s.operator), lower($3)) > 0) "
			 "AND ($4 IS NULL OR s.level = CAST($4 AS INTEGER)) "
			 "AND ($5 IS NULL OR ($5 = 'true') = (s.retired_at IS NOT NULL)) ",
			 f->q, level_text(f->level, lv), f->retired, NULL, system_row, e);
}

json_t *system_get(struct ctx *c, const char *id, struct err *e)
{
	char path[LIMIT_ORG_PATH];
	return load_one(c, SYSTEM_SELECT "WHERE s.id = $1", id, system_row, 19, path, e);
}

/* Runs "UPDATE table SET col = $1 WHERE id = $2" for each text field present. */
static int update_texts(struct ctx *c, const char *table, const char *const *cols,
			const char *id, json_t *body, struct err *e)
{
	char sql[160];
	for (int i = 0; cols[i]; i++) {
		const char *v = jv_str(body, cols[i]);
		if (v == NULL)
			continue;
		snprintf(sql, sizeof(sql), "UPDATE %s SET %s = $1 WHERE id = $2", table, cols[i]);
		if (store_run(c->db, e, sql, "tt", v, id) < 0)
			return -1;
	}
	return 0;
}

/* The common PATCH path: load (scope), If-Match, apply, bump, audit. */
static json_t *versioned_update(struct ctx *c, const char *table, const char *entity,
				const char *sql_one, int path_col, json_t *(*row)(struct stmt *),
				const char *id, long long if_match, json_t *body,
				int (*apply)(struct ctx *, const char *, json_t *, struct err *),
				struct err *e)
{
	char path[LIMIT_ORG_PATH], sql[128], action[64];
	json_t *before = NULL, *after = NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	before = load_one(c, sql_one, id, row, path_col, path, e);
	if (before == NULL)
		goto fail;
	struct policy_target t = { .org_path = path };
	if (policy_check(c->actor, ACT_ASSET_WRITE, &t, e) != 0)
		goto fail;
	if (if_match < 0) {
		err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL);
		goto fail;
	}
	if (if_match != json_integer_value(json_object_get(before, "version"))) {
		err_set(e, E_PRECOND, MSG_STALE_RECORD, NULL);
		goto fail;
	}
	snprintf(sql, sizeof(sql), "UPDATE %s SET version = version + 1, updated_at = $1 "
		 "WHERE id = $2", table);
	snprintf(action, sizeof(action), "%s.update", entity);
	if (apply(c, id, body, e) != 0 ||
	    store_run(c->db, e, sql, "it", time_now_ms(), id) != 1 ||
	    (after = load_one(c, sql_one, id, row, path_col, path, e)) == NULL ||
	    audit_append_json(c, action, entity, id, before, after, e) != 0 ||
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

/* Retires a registry record (taken out of service) or puts it back; the
 * time it was retired is kept until then. */
static int set_retired(struct ctx *c, const char *table, const char *id, json_t *body,
		       struct err *e)
{
	char sql[128];
	json_t *r = json_object_get(body, "retired");
	if (r == NULL)
		return 0;
	snprintf(sql, sizeof(sql), "UPDATE %s SET retired_at = CASE WHEN $1 = 1 THEN "
		 "COALESCE(retired_at, $2) ELSE NULL END WHERE id = $3", table);
	return store_run(c->db, e, sql, "iit", (int64_t)json_is_true(r), time_now_ms(), id) < 0
		? -1 : 0;
}

/* Corrects the organisation a system belongs to: the new one must be in
 * the actor's reach for registry writes too. Its hosts move with it, so a
 * host and its system stay in one organisation (system_check). */
static int system_move(struct ctx *c, const char *id, json_t *body, struct err *e)
{
	struct org o;
	const char *code = jv_str(body, "org_code");
	if (code == NULL)
		return 0;
	if (org_by_code(c, code, &o, e) != 0 || !policy_in_scope(c->actor, o.path)) {
		err_clear(e);
		return err_field(e, "/org_code", MSG_ORG_OUT_OF_SCOPE, code);
	}
	struct policy_target t = { .org_path = o.path };
	if (policy_check(c->actor, ACT_ASSET_WRITE, &t, e) != 0 ||
	    store_run(c->db, e, "UPDATE systems SET org_id = $1 WHERE id = $2", "tt", o.id, id) < 0 ||
	    store_run(c->db, e, "UPDATE hosts SET org_id = $1 WHERE system_id = $2", "tt",
		      o.id, id) < 0)
		return -1;
	return 0;
}

static int system_apply(struct ctx *c, const char *id, json_t *body, struct err *e)
{
	if (update_texts(c, "systems", system_text_cols, id, body, e) != 0 ||
	    system_move(c, id, body, e) != 0 || set_retired(c, "systems", id, body, e) != 0)
		return -1;
	if (json_object_get(body, "level") && store_run(c->db, e, "UPDATE systems SET level = "
	    "NULLIF($1, 0) WHERE id = $2", "it", (int64_t)jv_int(body, "level", 0), id) < 0)
		return -1;
	if (json_object_get(body, "user_count") && store_run(c->db, e, "UPDATE systems SET "
	    "user_count = NULLIF($1, -1) WHERE id = $2", "it",
	    (int64_t)jv_int(body, "user_count", -1), id) < 0)
		return -1;
	if (json_object_get(body, "next_check_at") && store_run(c->db, e, "UPDATE systems SET "
	    "next_check_at = NULLIF($1, 0) WHERE id = $2", "it", opt_time(body, "next_check_at"),
	    id) < 0)
		return -1;
	return 0;
}

/* A PATCH may leave a required text out, not blank it. */
static int not_blank(json_t *body, const char *key, struct err *e)
{
	const char *v = jv_str(body, key);
	return v && *v == '\0' ? err_field(e, key[0] == 'n' ? "/name" : "/hostname", MSG_EMPTY, NULL) : 0;
}

json_t *system_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		      struct err *e)
{
	if (jv_validate(body, system_update_fields, "", e) != 0 || not_blank(body, "name", e) != 0)
		return NULL;
	return versioned_update(c, "systems", "system", SYSTEM_SELECT "WHERE s.id = $1", 19,
				system_row, id, if_match, body, system_apply, e);
}

/* ---- hosts ---- */

static const struct jv_field host_create_fields[] = {
	{ "org_code", JV_STRING, 0, 0, 64, NULL, NULL },
	{ "hostname", JV_STRING, 1, 0, 253, NULL, NULL },
	{ "addresses", JV_STRINGS, 0, 0, 32, NULL, NULL },
	{ "role", JV_STRING, 0, 0, 200, NULL, NULL },
	{ "system_id", JV_UUID, 0, 0, 0, NULL, NULL },
	{ "os_name", JV_STRING, 0, 0, 200, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field host_update_fields[] = {
	{ "hostname", JV_STRING, 0, 0, 253, NULL, NULL },
	{ "retired", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ "addresses", JV_STRINGS, 0, 0, 32, NULL, NULL },
	{ "role", JV_STRING, 0, 0, 200, NULL, NULL },
	{ "system_id", JV_UUID, 0, 0, 0, NULL, NULL },
	{ "os_name", JV_STRING, 0, 0, 200, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

#define HOST_SELECT HOST_SELECT_COLS HOST_FROM
#define HOST_SELECT_COLS "SELECT h.id, h.hostname, h.addresses, h.role, h.os_family, h.os_id, " \
	"h.os_version, h.os_name, h.kernel, h.agent_key, h.last_seen_at, h.last_scan_at, " \
	"h.version, h.created_at, h.updated_at, o.id, o.code, o.name, o.kind, o.path, " \
	"s.id, s.name, " \
	"(SELECT COUNT(*) FROM findings f WHERE f.host_id = h.id AND f.status = 'open'), " \
	"(SELECT COUNT(*) FROM findings f WHERE f.host_id = h.id AND f.status = 'open' AND " \
	"f.severity = 'critical'), " \
	"(SELECT COUNT(*) FROM findings f WHERE f.host_id = h.id AND f.status = 'open' AND " \
	"f.severity = 'high'), " \
	"(SELECT COUNT(*) FROM findings f WHERE f.host_id = h.id AND f.status = 'open' AND f.kev = 1), " \
	"(SELECT COUNT(*) FROM host_packages p WHERE p.host_id = h.id), h.retired_at "
#define HOST_FROM "FROM hosts h JOIN orgs o ON o.id = h.org_id LEFT JOIN systems s ON s.id = h.system_id "
#define HOST_NCOLS 28

static json_t *host_row(struct stmt *st)
{
	json_t *addr = json_loads(stmt_text(st, 2), 0, NULL);
	json_t *j = json_pack("{s:s, s:s, s:o, s:s, s:{s:s, s:s, s:s, s:s, s:s}, s:b, s:o, s:o, s:I, "
		"s:o, s:o, s:{s:s, s:s, s:s, s:s}, s:o, s:{s:I, s:I, s:I, s:I}, s:I}",
		"id", stmt_text(st, 0), "hostname", stmt_text(st, 1),
		"addresses", addr ? addr : json_array(), "role", stmt_text(st, 3),
		"os", "family", stmt_text(st, 4), "id", stmt_text(st, 5),
		"version", stmt_text(st, 6), "name", stmt_text(st, 7), "kernel", stmt_text(st, 8),
		"agent", !stmt_isnull(st, 9), "last_seen_at", time_or_null(st, 10),
		"last_scan_at", time_or_null(st, 11), "version", (json_int_t)stmt_int(st, 12),
		"created_at", time_or_null(st, 13), "updated_at", time_or_null(st, 14),
		"org", "id", stmt_text(st, 15), "code", stmt_text(st, 16), "name", stmt_text(st, 17),
		"kind", stmt_text(st, 18),
		"system", stmt_isnull(st, 20) ? json_null() : json_pack("{s:s, s:s}",
			"id", stmt_text(st, 20), "name", stmt_text(st, 21)),
		"findings", "open", (json_int_t)stmt_int(st, 22), "critical", (json_int_t)stmt_int(st, 23),
		"high", (json_int_t)stmt_int(st, 24), "kev", (json_int_t)stmt_int(st, 25),
		"packages", (json_int_t)stmt_int(st, 26));
	if (j)
		json_object_set_new(j, "retired_at", time_or_null(st, 27));
	return j;
}

int system_check(struct ctx *c, const char *system_id, const char *org_path, const char *ptr,
		 struct err *e)
{
	char path[LIMIT_ORG_PATH];
	if (system_id == NULL)
		return 0;
	json_t *s = load_one(c, SYSTEM_SELECT "WHERE s.id = $1", system_id, system_row, 19, path, e);
	if (s == NULL || strcmp(path, org_path) != 0) {
		json_decref(s);
		err_clear(e);
		return err_field(e, ptr, MSG_NOT_FOUND, NULL);
	}
	json_decref(s);
	return 0;
}

json_t *host_create(struct ctx *c, json_t *body, struct err *e)
{
	struct org o;
	char id[UUID_LEN], path[LIMIT_ORG_PATH];
	int64_t now = time_now_ms();
	if (jv_validate(body, host_create_fields, "", e) != 0 || target_org(c, body, &o, e) != 0)
		return NULL;
	struct policy_target t = { .org_path = o.path };
	if (policy_check(c->actor, ACT_ASSET_WRITE, &t, e) != 0 ||
	    system_check(c, jv_str(body, "system_id"), o.path, "/system_id", e) != 0)
		return NULL;
	/* One host per name in an organisation: imports find hosts by name. */
	struct stmt *dup = store_query(c->db, e, "SELECT 1 FROM hosts WHERE org_id = $1 AND "
				       "hostname = $2", "tt", o.id, jv_str(body, "hostname"));
	if (dup == NULL)
		return NULL;
	int exists = stmt_step(dup, e);
	stmt_done(dup);
	if (exists != 0)
		return exists < 0 ? NULL : (err_set(e, E_CONFLICT, MSG_EXISTS, jv_str(body, "hostname")), NULL);
	if (store_begin(c->db, e) != 0)
		return NULL;
	json_t *addr = json_object_get(body, "addresses");
	char *addr_text = json_dumps(addr ? addr : json_array(), JSON_COMPACT);
	json_t *j = NULL;
	if (store_run(c->db, e, "INSERT INTO hosts (id, org_id, system_id, hostname, addresses, "
		      "role, os_name, version, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,"
		      "1,$8,$8)", "ttttttti", uuid7(id), o.id, jv_str(body, "system_id"),
		      jv_str(body, "hostname"), addr_text ? addr_text : "[]",
		      jv_str(body, "role") ? jv_str(body, "role") : "",
		      jv_str(body, "os_name") ? jv_str(body, "os_name") : "", now) < 0 ||
	    (j = load_one(c, HOST_SELECT "WHERE h.id = $1", id, host_row, 19, path, e)) == NULL ||
	    audit_append_json(c, "host.create", "host", id, NULL, j, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(j);
		j = NULL;
	}
	free(addr_text);
	return j;
}

json_t *host_list(struct ctx *c, const struct asset_filter *f, struct err *e)
{
	if (f->system_id && !uuid_valid(f->system_id))
		return err_field(e, "/system", MSG_BAD_VALUE, "uuid"), NULL;
	return list_page(c, f, host_keys, HOST_SELECT_COLS, HOST_NCOLS, HOST_FROM,
			 "AND ($3 IS NULL OR h.system_id = $3) "
			 "AND ($4 IS NULL OR instr(lower(h.hostname), lower($4)) > 0 OR "
			 "instr(h.addresses, $4) > 0) "
			 "AND ($5 IS NULL OR ($5 = 'true') = (h.retired_at IS NOT NULL)) ",
			 f->system_id, f->q, f->retired, NULL, host_row, e);
}

static json_t *package_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "ecosystem", stmt_text(st, 0),
			 "name", stmt_text(st, 1), "version", stmt_text(st, 2),
			 "arch", stmt_text(st, 3), "source", stmt_text(st, 4));
}

static json_t *service_row(struct stmt *st)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "proto", stmt_text(st, 0),
			 "port", (json_int_t)stmt_int(st, 1), "address", stmt_text(st, 2),
			 "name", stmt_text(st, 3), "product", stmt_text(st, 4),
			 "version", stmt_text(st, 5), "cpe", stmt_text(st, 6),
			 "origin", stmt_text(st, 7), "seen_at", time_or_null(st, 8));
}

static json_t *finding_brief(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:s, s:o, s:o, s:I}",
			 "id", stmt_text(st, 0), "vuln_id", stmt_text(st, 1),
			 "package", stmt_text(st, 2), "installed_version", stmt_text(st, 3),
			 "fixed_version", stmt_text(st, 4),
			 "severity", stmt_isnull(st, 5) ? json_null() : json_string(stmt_text(st, 5)),
			 "cvss", stmt_isnull(st, 6) ? json_null() : json_real((double)stmt_int(st, 6) / 10),
			 "kev", (int)stmt_int(st, 7), "status", stmt_text(st, 8),
			 "due_at", time_or_null(st, 9), "first_seen", time_or_null(st, 10),
			 "version", (json_int_t)stmt_int(st, 11));
}


static json_t *kb_row(struct stmt *st)
{
	return json_string(stmt_text(st, 0));
}

json_t *host_get(struct ctx *c, const char *id, struct err *e)
{
	char path[LIMIT_ORG_PATH];
	json_t *j = load_one(c, HOST_SELECT "WHERE h.id = $1", id, host_row, 19, path, e);
	if (j == NULL)
		return NULL;
	if (rows_attach(c->db, j, "packages", "SELECT ecosystem, name, version, arch, source FROM "
			"host_packages WHERE host_id = $1 ORDER BY name, arch", id, package_row, e) ||
	    rows_attach(c->db, j, "services", "SELECT proto, port, address, name, product, version, "
			"cpe, origin, seen_at FROM host_services WHERE host_id = $1 ORDER BY port",
			id, service_row, e) ||
	    rows_attach(c->db, j, "hotfixes", "SELECT kb FROM host_hotfixes WHERE host_id = $1 "
			"ORDER BY kb", id, kb_row, e) ||
	    rows_attach(c->db, j, "findings_list", "SELECT id, vuln_id, package, installed_version, "
			"fixed_version, severity, CAST(cvss * 10 AS INTEGER), kev, status, due_at, "
			"first_seen, version FROM findings WHERE host_id = $1 ORDER BY status DESC, "
			"cvss DESC", id, finding_brief, e)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static int host_apply(struct ctx *c, const char *id, json_t *body, struct err *e)
{
	static const char *const cols[] = { "hostname", "role", "os_name", NULL };
	if (update_texts(c, "hosts", cols, id, body, e) != 0 ||
	    set_retired(c, "hosts", id, body, e) != 0)
		return -1;
	json_t *addr = json_object_get(body, "addresses");
	if (addr && json_is_array(addr)) {
		char *text = json_dumps(addr, JSON_COMPACT);
		int rc = store_run(c->db, e, "UPDATE hosts SET addresses = $1 WHERE id = $2", "tt",
				   text ? text : "[]", id);
		free(text);
		if (rc < 0)
			return -1;
	}
	const char *sys = jv_str(body, "system_id");
	json_t *sysv = json_object_get(body, "system_id");
	if (sysv && json_is_null(sysv) &&
	    store_run(c->db, e, "UPDATE hosts SET system_id = NULL WHERE id = $1", "t", id) < 0)
		return -1;
	if (sys) {
		char path[LIMIT_ORG_PATH] = "";
		struct stmt *st = store_query(c->db, e, "SELECT o.path FROM hosts h JOIN orgs o ON "
					      "o.id = h.org_id WHERE h.id = $1", "t", id);
		if (st == NULL)
			return -1;
		if (stmt_step(st, e) == 1)
			snprintf(path, sizeof(path), "%s", stmt_text(st, 0));
		stmt_done(st);
		if (system_check(c, sys, path, "/system_id", e) != 0 ||
		    store_run(c->db, e, "UPDATE hosts SET system_id = $1 WHERE id = $2", "tt",
			      sys, id) < 0)
			return -1;
	}
	return 0;
}

json_t *host_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		    struct err *e)
{
	if (jv_validate(body, host_update_fields, "", e) != 0 ||
	    not_blank(body, "hostname", e) != 0)
		return NULL;
	return versioned_update(c, "hosts", "host", HOST_SELECT "WHERE h.id = $1", 19, host_row,
				id, if_match, body, host_apply, e);
}

/* ---- agents and inventories ---- */

static const struct jv_field enroll_fields[] = {
	{ "hostname", JV_STRING, 1, 0, 253, NULL, NULL },
	{ "public_key", JV_STRING, 1, 0, 64, NULL, NULL },
	{ "org_code", JV_STRING, 0, 0, 64, NULL, NULL },
	{ "reenroll", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static int hex_key_ok(const char *s)
{
	if (s == NULL || strlen(s) != 64)
		return 0;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return 0;
	return 1;
}

/* Where an enrolment lands: the host of that name in the organisation (if
 * any) with its current key, and the host the key is bound to (if any). */
struct enrol_plan {
	char host_id[UUID_LEN];       /* "" : no such host yet */
	char old_key[65];             /* the host's current key, "" none */
	char key_host[UUID_LEN];      /* the host the key belongs to, "" none */
};

static int enrol_plan(struct ctx *c, const char *org_id, const char *hostname,
		      const char *key, struct enrol_plan *p, struct err *e)
{
	memset(p, 0, sizeof(*p));
	struct stmt *st = store_query(c->db, e, "SELECT id, agent_key FROM hosts WHERE org_id = $1 "
				      "AND hostname = $2 ORDER BY created_at LIMIT 1", "tt", org_id,
				      hostname);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(p->host_id, sizeof(p->host_id), "%s", stmt_text(st, 0));
		if (!stmt_isnull(st, 1))
			snprintf(p->old_key, sizeof(p->old_key), "%s", stmt_text(st, 1));
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	/* A key held now (hosts) or before (agent_keys) by any host. */
	st = store_query(c->db, e, "SELECT host_id FROM agent_keys WHERE public_key = $1 UNION ALL "
			 "SELECT id FROM hosts WHERE agent_key = $1 LIMIT 1", "t", key);
	if (st == NULL)
		return -1;
	rc = stmt_step(st, e);
	if (rc == 1)
		snprintf(p->key_host, sizeof(p->key_host), "%s", stmt_text(st, 0));
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

/* Binds key to host_id: the host's other keys retired, this one (new, or
 * the host's own from before, keeping its last sequence) made current. The
 * upsert changes nothing when the key is bound to another host: the
 * database has the last word, whatever ran meanwhile. */
static int enrol_bind(struct ctx *c, const char *host_id, const char *key, struct err *e)
{
	int64_t now = time_now_ms();
	if (store_run(c->db, e, "UPDATE agent_keys SET retired_at = $1 WHERE host_id = $2 AND "
		      "retired_at IS NULL AND public_key <> $3", "itt", now, host_id, key) < 0)
		return -1;
	int n = store_run(c->db, e, "INSERT INTO agent_keys (public_key, host_id, last_seq, "
			  "enrolled_at) VALUES ($1, $2, 0, $3) ON CONFLICT (public_key) DO UPDATE "
			  "SET retired_at = NULL WHERE agent_keys.host_id = excluded.host_id", "tti",
			  key, host_id, now);
	if (n != 1)
		return n < 0 ? -1 : err_set(e, E_CONFLICT, MSG_AGENT_KEY_IN_USE, NULL);
	return store_run(c->db, e, "UPDATE hosts SET agent_key = $1, version = version + 1, "
			 "updated_at = $2 WHERE id = $3", "tit", key, now, host_id) == 1 ? 0 : -1;
}

json_t *agent_enroll(struct ctx *c, json_t *body, struct err *e)
{
	struct org o;
	struct enrol_plan p;
	char path[LIMIT_ORG_PATH];
	int created = 0;
	json_t *j = NULL, *before = NULL, *after = NULL;
	if (jv_validate(body, enroll_fields, "", e) != 0)
		return NULL;
	const char *key = jv_str(body, "public_key"), *hostname = jv_str(body, "hostname");
	if (!hex_key_ok(key))
		return err_field(e, "/public_key", MSG_BAD_VALUE, "64 hex"), NULL;
	if (target_org(c, body, &o, e) != 0)
		return NULL;
	struct policy_target t = { .org_path = o.path };
	if (policy_check(c->actor, ACT_AGENT_ENROLL, &t, e) != 0 || store_begin(c->db, e) != 0)
		return NULL;
	if (enrol_plan(c, o.id, hostname, key, &p, e) != 0)
		goto fail;
	/* A key is a host's identity for good: never moved to another host
	 * (its signed uploads would land there), whatever organisation asks. */
	if (p.key_host[0] && strcmp(p.key_host, p.host_id) != 0) {
		err_set(e, E_CONFLICT, MSG_AGENT_KEY_IN_USE, NULL);
		goto fail;
	}
	int reenrol = p.old_key[0] != '\0' || p.key_host[0] != '\0';
	if (reenrol && !jv_bool(body, "reenroll", 0)) {
		err_set(e, E_CONFLICT, MSG_AGENT_REENROLL_NEEDED, hostname);
		goto fail;
	}
	if (p.host_id[0] == '\0' &&
	    host_find_or_create(c, o.id, hostname, NULL, p.host_id, &created, e) != 0)
		goto fail;
	if (enrol_bind(c, p.host_id, key, e) != 0 ||
	    (j = load_one(c, HOST_SELECT "WHERE h.id = $1", p.host_id, host_row, 19, path, e)) == NULL)
		goto fail;
	/* The keys themselves go to the audit log: who replaced which. */
	before = reenrol ? json_pack("{s:s?}", "agent_key", p.old_key[0] ? p.old_key : NULL) : NULL;
	after = json_deep_copy(j);
	json_object_set_new(after, "agent_key", json_string(key));
	if (audit_append_json(c, reenrol ? "agent.reenroll" : "agent.enroll", "host", p.host_id,
			      before, after, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	json_decref(before);
	json_decref(after);
	return j;
fail:
	store_rollback(c->db);
	json_decref(before);
	json_decref(after);
	json_decref(j);
	return NULL;
}

int agent_clock_check(const struct ctx *c, int64_t at, const char *ptr, struct err *e)
{
	int64_t now = time_now_ms(), skew = c->rules && c->rules->agent_skew_ms > 0
		      ? c->rules->agent_skew_ms : LIMIT_AGENT_SKEW_DEFAULT;
	if (at >= now - skew && at <= now + skew)
		return 0;
	char ts[TIME_RFC3339_LEN], arg[TIME_RFC3339_LEN + 32];
	snprintf(arg, sizeof(arg), "%s ± %lld s", time_format_utc(now, ts), (long long)(skew / 1000));
	return ptr ? err_field(e, ptr, MSG_AGENT_CLOCK, arg) : err_set(e, E_UNAUTH, MSG_AGENT_CLOCK, arg);
}

static const struct jv_field stamp_fields[] = {
	{ "collected_at", JV_TIME, 1, 0, 0, NULL, NULL },
	{ "sequence", JV_INT, 1, 1, LIMIT_AGENT_SEQ, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

int agent_stamp_read(const struct ctx *c, json_t *body, struct agent_stamp *s, struct err *e)
{
	/* Only the two members: the rest of the body is its owner's to check. */
	json_t *two = json_object();
	for (const struct jv_field *f = stamp_fields; f->name; f++)
		if (json_object_get(body, f->name))
			json_object_set(two, f->name, json_object_get(body, f->name));
	int rc = jv_validate(two, stamp_fields, "", e);
	json_decref(two);
	if (rc != 0)
		return -1;
	if (time_parse(jv_str(body, "collected_at"), &s->at) != 0)
		return err_field(e, "/collected_at", MSG_BAD_TIME, NULL);
	s->seq = jv_int(body, "sequence", 0);
	return agent_clock_check(c, s->at, "/collected_at", e);
}

int agent_stamp_take(struct ctx *c, const struct agent_stamp *s, struct err *e)
{
	/* Compare and write in one statement: of two uploads with one number
	 * racing, one commits, the other changes nothing. */
	int n = store_run(c->db, e, "UPDATE agent_keys SET last_seq = $1 WHERE public_key = $2 AND "
			  "host_id = $3 AND retired_at IS NULL AND last_seq < $1", "itt", s->seq,
			  s->key, s->host_id);
	if (n != 0)
		return n == 1 ? 0 : -1;
	struct stmt *st = store_query(c->db, e, "SELECT last_seq FROM agent_keys WHERE "
				      "public_key = $1 AND host_id = $2 AND retired_at IS NULL", "tt",
				      s->key, s->host_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	char last[32];
	if (rc == 1)
		snprintf(last, sizeof(last), "%lld", (long long)stmt_int(st, 0));
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (rc == 0)   /* re-enrolled meanwhile: the key is no longer the host's */
		return err_set(e, E_UNAUTH, MSG_UNAUTH, NULL);
	return err_set(e, E_CONFLICT, MSG_AGENT_SEQ_STALE, last);
}

int host_by_agent_key(struct ctx *c, const char *key, char host_id[UUID_LEN],
		      char org_path[LIMIT_ORG_PATH], struct err *e)
{
	if (!hex_key_ok(key))
		return err_set(e, E_UNAUTH, MSG_UNAUTH, NULL);
	struct stmt *st = store_query(c->db, e, "SELECT h.id, o.path FROM hosts h JOIN orgs o ON "
				      "o.id = h.org_id WHERE h.agent_key = $1", "t", key);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(host_id, UUID_LEN, "%s", stmt_text(st, 0));
		snprintf(org_path, LIMIT_ORG_PATH, "%s", stmt_text(st, 1));
	}
	stmt_done(st);
	if (rc == 0)
		return err_set(e, E_UNAUTH, MSG_UNAUTH, NULL);
	return rc < 0 ? -1 : 0;
}

int host_find_or_create(struct ctx *c, const char *org_id, const char *hostname,
			const char *address, char host_id[UUID_LEN], int *created,
			struct err *e)
{
	char pattern[80];
	snprintf(pattern, sizeof(pattern), "%%\"%s\"%%", address ? address : "");
	struct stmt *st = store_query(c->db, e, "SELECT id FROM hosts WHERE org_id = $1 AND "
		"(($2 IS NOT NULL AND hostname = $2) OR ($3 IS NOT NULL AND addresses LIKE $4)) "
		"ORDER BY ($2 IS NOT NULL AND hostname = $2) DESC LIMIT 1", "tttt", org_id, hostname,
		address, pattern);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		snprintf(host_id, UUID_LEN, "%s", stmt_text(st, 0));
	stmt_done(st);
	*created = 0;
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	char addrs[80];
	snprintf(addrs, sizeof(addrs), address ? "[\"%s\"]" : "[]", address ? address : "");
	int64_t now = time_now_ms();
	*created = 1;
	return store_run(c->db, e, "INSERT INTO hosts (id, org_id, hostname, addresses, version, "
			 "created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $5)", "tttti",
			 uuid7(host_id), org_id, hostname ? hostname : address, addrs, now) < 0 ? -1 : 0;
}

static const char *js(json_t *o, const char *k)
{
	const char *s = jv_str(o, k);
	return s ? s : "";
}

/* Why an inventory replaced nothing: no such host (404), or one collected
 * after it is stored (409, naming when). */
static int inventory_refused(struct ctx *c, const char *host_id, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT inventory_at FROM hosts WHERE id = $1", "t",
				      host_id);
	if (st == NULL)
		return -1;
	char ts[TIME_RFC3339_LEN] = "";
	int rc = stmt_step(st, e);
	if (rc == 1)
		time_format_utc(stmt_int(st, 0), ts);
	stmt_done(st);
	if (rc < 0)
		return -1;
	return rc == 0 ? err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL)
		       : err_set(e, E_CONFLICT, MSG_INVENTORY_OLDER, ts);
}

int host_store_inventory(struct ctx *c, const char *host_id, json_t *inv,
			 const char *origin, struct err *e)
{
	int64_t now = time_now_ms(), at = now;
	/* When it was collected, never later than now (a PC's clock ahead
	 * would otherwise hold back every honest file after it). A file older
	 * than the stored inventory replaces nothing: importing last month's
	 * file again must not reopen what was fixed since. Agent uploads are
	 * ordered by their signed sequence instead (agent_stamp_take). */
	if (time_parse(js(inv, "collected_at"), &at) != 0 || at > now)
		at = now;
	int64_t ordered = strcmp(origin, "agent") != 0;
	json_t *os = json_object_get(inv, "os");
	json_t *addr = json_object_get(inv, "addresses");
	char *addr_text = addr && json_array_size(addr) ? json_dumps(addr, JSON_COMPACT) : NULL;
	int rc = store_run(c->db, e, "UPDATE hosts SET os_family = $1, os_id = $2, os_version = $3, "
		"os_name = $4, kernel = $5, hostname = COALESCE(NULLIF($6, ''), hostname), "
		"addresses = COALESCE($7, addresses), last_seen_at = $8, updated_at = $8, "
		"inventory_at = $10 WHERE id = $9 AND ($11 = 0 OR inventory_at IS NULL OR "
		"inventory_at <= $10)", "tttttttit" "ii", js(os, "family"), js(os, "id"),
		js(os, "version_id"), js(os, "pretty_name"),
		jv_str(os, "kernel") ? js(os, "kernel") : js(os, "build"), js(inv, "hostname"),
		addr_text, now, host_id, at, ordered);
	free(addr_text);
	if (rc == 0)
		return inventory_refused(c, host_id, e);
	if (rc != 1 ||
	    store_run(c->db, e, "DELETE FROM host_packages WHERE host_id = $1", "t", host_id) < 0 ||
	    store_run(c->db, e, "DELETE FROM host_hotfixes WHERE host_id = $1", "t", host_id) < 0 ||
	    store_run(c->db, e, "DELETE FROM host_services WHERE host_id = $1 AND origin = $2",
		      "tt", host_id, origin) < 0)
		return -1;
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(inv, "packages"), i, p) {
		if (store_run(c->db, e, "INSERT INTO host_packages (host_id, ecosystem, name, version, "
			      "arch, source) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (host_id, ecosystem, "
			      "name, arch) DO UPDATE SET version = excluded.version", "tttttt", host_id,
			      js(p, "ecosystem"), js(p, "name"), js(p, "version"), js(p, "arch"),
			      js(p, "source")) < 0)
			return -1;
	}
	json_array_foreach(json_object_get(inv, "hotfixes"), i, p) {
		if (json_is_string(p) && store_run(c->db, e, "INSERT INTO host_hotfixes (host_id, kb) "
		    "VALUES ($1, $2) ON CONFLICT (host_id, kb) DO NOTHING", "tt", host_id,
		    json_string_value(p)) < 0)
			return -1;
	}
	json_array_foreach(json_object_get(inv, "services"), i, p) {
		if (store_run(c->db, e, "INSERT INTO host_services (host_id, proto, port, address, "
			      "origin, seen_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (host_id, proto, "
			      "port, address) DO UPDATE SET seen_at = excluded.seen_at", "ttitti",
			      host_id, js(p, "proto"), (int64_t)jv_int(p, "port", 0), js(p, "address"),
			      origin, now) < 0)
			return -1;
	}
	return 0;
}
