/* mau05.c - the 6-monthly and annual summary (Mẫu 05): counting, the
 * record and its corrections, the document. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mau05.h"
#include "../incident/incident.h"
#include "../directory/audit.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../doc/doc.h"
#include "../../base/banned.h"

#define DAY_MS (86400LL * 1000)
/* A figure is at most this (a count or VND): bounded input. */
#define M5_MAX 1000000000000000LL

const char *const mau05_columns[] = { "count", "self", "other_orgs", "foreign", "vncert",
				      "damage", NULL };
static const char *const periods[] = { "half", "year", NULL };

/* ---- counting (pure) ---- */

static int64_t vn_midnight(int y, unsigned m, unsigned d)
{
	return time_days_from_civil(y, m, d) * DAY_MS - TIME_HCM_OFFSET_MS;
}

int mau05_period(const char *period, int year, int64_t *from, int64_t *to, int64_t *due)
{
	if (period == NULL || year < 2000 || year > 2200)
		return -1;
	*from = vn_midnight(year - 1, 12, 15);
	if (strcmp(period, "half") == 0) {
		*to = vn_midnight(year, 6, 15);
		*due = vn_midnight(year, 6, 20);
	} else if (strcmp(period, "year") == 0) {
		*to = vn_midnight(year, 12, 15);
		*due = vn_midnight(year, 12, 15);
	} else {
		return -1;
	}
	return 0;
}

void mau05_count(const struct mau05_incident *v, size_t n, int64_t from, int64_t to,
		 struct mau05_table *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		const struct mau05_incident *x = &v[i];
		if (x->rejected || x->detected_at < from || x->detected_at >= to)
			continue;
		if (!x->verified) {
			t->pending++;
			continue;
		}
		int r = x->type >= 0 && x->type < MAU05_TYPES ? x->type : MAU05_TYPES - 1;
		int64_t *c = t->cell[r];
		c[M5_COUNT]++;
		if ((x->help & (MAU05_HELP_ORG | MAU05_HELP_FOREIGN)) == 0)
			c[M5_SELF]++;
		if (x->help & MAU05_HELP_ORG)
			c[M5_OTHER_ORGS]++;
		if (x->help & MAU05_HELP_FOREIGN)
			c[M5_FOREIGN]++;
		if (x->help & MAU05_HELP_VNCERT)
			c[M5_VNCERT]++;
		if (x->damage > 0 && c[M5_DAMAGE] <= M5_MAX - x->damage)
			c[M5_DAMAGE] += x->damage;
	}
	for (int r = 0; r < MAU05_TYPES; r++)
		for (int k = 0; k < M5__COLS; k++)
			t->total[k] += t->cell[r][k];
}

int64_t mau05_damage_parse(const char *s)
{
	if (s == NULL)
		return 0;
	while (*s == ' ')
		s++;
	int64_t v = 0;
	int digits = 0, group = -1;   /* digits since the last separator */
	const char *p = s;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (v > (M5_MAX - 9) / 10)
				return 0;
			v = v * 10 + (*p - '0');
			digits++;
			if (group >= 0)
				group++;
		} else if ((*p == '.' || *p == ',') && digits > 0 && p[1] >= '0' && p[1] <= '9') {
			/* thousands separators only: groups of three digits */
			if (group >= 0 && group != 3)
				return 0;
			group = 0;
		} else {
			break;
		}
	}
	if (digits == 0 || (group >= 0 && group != 3))
		return 0;
	while (*p == ' ')
		p++;
	static const struct { const char *unit; int64_t times; } units[] = {
		{ "", 1 }, { "đ", 1 }, { "đồng", 1 }, { "VND", 1 }, { "VNĐ", 1 }, { "vnd", 1 },
		{ "nghìn đồng", 1000 }, { "nghìn", 1000 }, { "triệu đồng", 1000000 },
		{ "triệu", 1000000 }, { "tỷ đồng", 1000000000 }, { "tỷ", 1000000000 },
	};
	size_t len = strlen(p);
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '.'))
		len--;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strlen(units[i].unit) == len && strncmp(p, units[i].unit, len) == 0) {
			if (v > M5_MAX / units[i].times)
				return 0;
			return v * units[i].times;
		}
	}
	return 0;
}

/* ---- the record ---- */

static const char *scope_of(const struct ctx *c)
{
	return c->actor->system ? "/" : c->actor->org_path;
}

static int type_index(const char *code)
{
	for (int i = 0; i < MAU05_TYPES && incident_type_labels[i].code; i++)
		if (strcmp(incident_type_labels[i].code, code) == 0)
			return i;
	return -1;
}

/* Counts the incidents of org_path's subtree for [from, to). */
static int count_org(struct ctx *c, const char *org_path, int64_t from, int64_t to,
		     struct mau05_table *t, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT i.type, i.detected_at, i.status, "
		"i.closing_report, (SELECT COUNT(*) FROM support_requests s JOIN orgs so ON so.id = "
		"s.to_org_id WHERE s.incident_id = i.id AND s.status IN ('accepted', 'done') AND "
		"so.kind <> 'national'), (SELECT COUNT(*) FROM support_requests s JOIN orgs so ON "
		"so.id = s.to_org_id WHERE s.incident_id = i.id AND so.kind = 'national') FROM "
		"incidents i JOIN orgs o ON o.id = i.org_id WHERE substr(o.path, 1, length($1)) = $1 "
		"AND i.detected_at >= $2 AND i.detected_at < $3", "tii", org_path, from, to);
	if (st == NULL)
		return -1;
	size_t n = 0, cap = 0;
	struct mau05_incident *v = NULL;
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			struct mau05_incident *nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL) {
				rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
				break;
			}
			v = nv;
		}
		struct mau05_incident *x = &v[n++];
		const char *status = stmt_text(st, 2);
		x->type = type_index(stmt_text(st, 0));
		x->detected_at = stmt_int(st, 1);
		x->rejected = strcmp(status, "rejected") == 0;
		x->verified = strcmp(status, "received") != 0 && strcmp(status, "acknowledged") != 0;
		x->help = (stmt_int(st, 4) ? MAU05_HELP_ORG : 0) | (stmt_int(st, 5) ? MAU05_HELP_VNCERT : 0);
		x->damage = 0;
		if (!stmt_isnull(st, 3)) {
			json_t *cr = json_loads(stmt_text(st, 3), 0, NULL);
			x->damage = mau05_damage_parse(jv_str(cr, "damage"));
			json_decref(cr);
		}
	}
	stmt_done(st);
	if (rc == 0)
		mau05_count(v, n, from, to, t);
	free(v);
	return rc < 0 ? -1 : 0;
}

/* {type: [six figures]} */
static json_t *table_json(const struct mau05_table *t)
{
	json_t *j = json_object();
	for (int r = 0; r < MAU05_TYPES; r++) {
		json_t *row = json_array();
		for (int k = 0; k < M5__COLS; k++)
			json_array_append_new(row, json_integer(t->cell[r][k]));
		json_object_set_new(j, incident_type_labels[r].code, row);
	}
	return j;
}

static int64_t cell_of(const json_t *cells, int r, int k)
{
	return json_integer_value(json_array_get(json_object_get(cells,
		incident_type_labels[r].code), (size_t)k));
}

#define REPORT_SELECT "SELECT r.id, r.period, r.year, r.period_from, r.period_to, r.due_at, " \
	"r.member_code, r.cells, r.computed, r.helpers, r.recommendations, r.status, r.sent_at, " \
	"r.version, r.created_at, r.updated_at, o.id, o.code, o.name, o.path, " \
	"COALESCE(u.full_name, '') FROM periodic_reports r JOIN orgs o ON o.id = r.org_id " \
	"LEFT JOIN users u ON u.id = r.sent_by "

/* The record as the API shows it: the rows with labels and what was
 * corrected, the total row. */
static json_t *report_row(struct stmt *st)
{
	json_t *cells = json_loads(stmt_text(st, 7), 0, NULL);
	json_t *computed = json_loads(stmt_text(st, 8), 0, NULL);
	json_t *rows = json_array();
	int64_t total[M5__COLS] = { 0 };
	for (int r = 0; r < MAU05_TYPES; r++) {
		json_t *row = json_pack("{s:s, s:s, s:s, s:[]}", "type", incident_type_labels[r].code,
					"label_vi", incident_type_labels[r].vi,
					"label_en", incident_type_labels[r].en, "corrected");
		for (int k = 0; k < M5__COLS; k++) {
			int64_t v = cell_of(cells, r, k), was = cell_of(computed, r, k);
			total[k] += v;
			json_object_set_new(row, mau05_columns[k], json_integer(v));
			if (v != was)
				json_array_append_new(json_object_get(row, "corrected"), json_pack("{s:s, "
					"s:I}", "column", mau05_columns[k], "computed", (json_int_t)was));
		}
		json_array_append_new(rows, row);
	}
	json_t *tot = json_object();
	for (int k = 0; k < M5__COLS; k++)
		json_object_set_new(tot, mau05_columns[k], json_integer(total[k]));
	json_t *pending = json_object_get(computed, "pending");
	json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:s, s:o, s:o, s:I, s:s, s:s, "
		"s:s, s:o, s:I, s:o, s:o, s:{s:s, s:s, s:s}, s:s}", "id", stmt_text(st, 0),
		"form", "mau05", "period", stmt_text(st, 1), "year", (json_int_t)stmt_int(st, 2),
		"period_from", ms_json(stmt_int(st, 3)), "period_to", ms_json(stmt_int(st, 4)),
		"due_at", ms_json(stmt_int(st, 5)), "member_code", stmt_text(st, 6),
		"rows", rows, "total", tot,
		"pending", (json_int_t)(json_is_integer(pending) ? json_integer_value(pending) : 0),
		"helpers", stmt_text(st, 9), "recommendations", stmt_text(st, 10),
		"status", stmt_text(st, 11),
		"sent_at", ms_json(stmt_isnull(st, 12) ? 0 : stmt_int(st, 12)),
		"version", (json_int_t)stmt_int(st, 13), "created_at", ms_json(stmt_int(st, 14)),
		"updated_at", ms_json(stmt_int(st, 15)), "org", "id", stmt_text(st, 16),
		"code", stmt_text(st, 17), "name", stmt_text(st, 18), "sent_by", stmt_text(st, 20));
	json_decref(cells);
	json_decref(computed);
	return j;
}

static json_t *load_report(struct ctx *c, const char *id, char path[LIMIT_ORG_PATH],
			   struct err *e)
{
	return policy_load_one(c, REPORT_SELECT "WHERE r.id = $1", id, report_row, 19,
			       ACT_REPORT_READ, path, e);
}

static json_t *approval_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", stmt_text(st, 5), "action",
			 stmt_text(st, 0), "reason", stmt_text(st, 1), "by", stmt_isnull(st, 2)
			 ? json_null() : json_pack("{s:s, s:s}", "username", stmt_text(st, 2),
						   "full_name", stmt_text(st, 3) ? stmt_text(st, 3) : ""),
			 "at", ms_json(stmt_int(st, 4)));
}

json_t *mau05_get(struct ctx *c, const char *id, struct err *e)
{
	char path[LIMIT_ORG_PATH];
	json_t *j = load_report(c, id, path, e);
	/* the approval's steps, oldest first (issue 17, h/duty) */
	if (j && rows_attach(c->db, j, "approvals", "SELECT a.action, a.reason, u.username, "
			     "u.full_name, a.at, a.id FROM report_approvals a LEFT JOIN users u ON "
			     "u.id = a.by_id WHERE a.report_id = $1 ORDER BY a.at, a.id LIMIT 200", id,
			     approval_row, e) != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* A report that is not a draft cannot change: awaiting approval (until the
 * leader returns it) or sent. Fills e, -1; 0 for a draft. */
static int draft_only(const json_t *before, struct err *e)
{
	const char *st = jv_str(before, "status");
	if (strcmp(st, "draft") == 0)
		return 0;
	if (strcmp(st, "submitted") == 0)
		return err_set(e, E_CONFLICT, MSG_DUTY_REPORT_AWAITING, NULL);
	char ts[TIME_RFC3339_LEN] = "";
	int64_t sent = 0;
	time_parse(jv_str(before, "sent_at"), &sent);
	return err_set(e, E_CONFLICT, MSG_REPORT_SENT, time_format_human(sent, ts));
}

static int approval_step(struct ctx *c, const char *id, const char *action, const char *reason,
			 struct err *e)
{
	char aid[UUID_LEN];
	return store_run(c->db, e, "INSERT INTO report_approvals (id, report_id, action, reason, "
			 "by_id, at) VALUES ($1,$2,$3,$4,$5,$6)", "ttttti", uuid7(aid), id, action,
			 reason ? reason : "", c->actor->system ? NULL : c->actor->id,
			 time_now_ms()) < 0 ? -1 : 0;
}

static const struct jv_field create_fields[] = {
	{ "org_code", JV_STRING, 0, 0, 64, NULL, NULL },
	{ "period", JV_ENUM, 1, 0, 0, periods, NULL },
	{ "year", JV_INT, 1, 2017, 2200, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* The computed table as stored: the figures and the pending count. */
static char *computed_text(const struct mau05_table *t)
{
	json_t *j = table_json(t);
	json_object_set_new(j, "pending", json_integer(t->pending));
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return s;
}

json_t *mau05_create(struct ctx *c, json_t *body, struct err *e)
{
	struct org o;
	char id[UUID_LEN];
	if (jv_validate(body, create_fields, "", e) != 0)
		return NULL;
	const char *code = jv_str(body, "org_code");
	if (code == NULL && c->actor->system)
		return err_field(e, "/org_code", MSG_REQUIRED, NULL), NULL;
	if (code ? org_by_code(c, code, &o, e) != 0 || !policy_in_scope(c->actor, o.path)
		 : org_by_id(c, c->actor->org_id, &o, e) != 0) {
		err_clear(e);
		return err_field(e, "/org_code", MSG_ORG_OUT_OF_SCOPE, code), NULL;
	}
	struct policy_target pt = { .org_path = o.path };
	if (policy_check(c->actor, ACT_REPORT_WRITE, &pt, e) != 0)
		return NULL;
	int year = (int)jv_int(body, "year", 0);
	int64_t from, to, due, now = time_now_ms();
	if (year > time_local_year(now) + 1)
		return err_field(e, "/year", MSG_REPORT_YEAR_RANGE, NULL), NULL;
	const char *period = jv_str(body, "period");
	mau05_period(period, year, &from, &to, &due);
	struct mau05_table t;
	if (store_begin(c->db, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT id FROM periodic_reports WHERE org_id = $1 "
		"AND form = 'mau05' AND period = $2 AND year = $3", "tti", o.id, period, (int64_t)year);
	int rc = st ? stmt_step(st, e) : -1;
	if (rc == 1)
		err_set(e, E_CONFLICT, MSG_REPORT_EXISTS, stmt_text(st, 0));
	stmt_done(st);
	json_t *out = NULL;
	char *comp = NULL, *cells = NULL;
	if (rc != 0 || count_org(c, o.path, from, to, &t, e) != 0)
		goto fail;
	comp = computed_text(&t);
	json_t *cj = table_json(&t);
	cells = json_dumps(cj, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(cj);
	if (comp == NULL || cells == NULL) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		goto fail;
	}
	if (store_run(c->db, e, "INSERT INTO periodic_reports (id, org_id, form, period, year, "
		"period_from, period_to, due_at, member_code, cells, computed, status, version, "
		"created_by, created_at, updated_at) VALUES ($1,$2,'mau05',$3,$4,$5,$6,$7,$8,$9,$10,"
		"'draft',1,$11,$12,$12)", "ttti" "iiit" "ttti", uuid7(id), o.id, period,
		(int64_t)year, from, to, due, o.code, cells, comp,
		c->actor->system ? NULL : c->actor->id, now) != 1 ||
	    (out = mau05_get(c, id, e)) == NULL ||
	    audit_append_json(c, "mau05.create", "periodic_report", id, NULL, out, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	free(comp);
	free(cells);
	return out;
fail:
	store_rollback(c->db);
	json_decref(out);
	free(comp);
	free(cells);
	return NULL;
}

static const struct jv_field update_fields[] = {
	{ "reason", JV_STRING, 0, 0, 2000, NULL, NULL },
	{ "member_code", JV_STRING, 0, 0, 64, NULL, NULL },
	{ "helpers", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL },
	{ "recommendations", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL },
	{ "recount", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* cells: {type: {column: integer 0..M5_MAX}}; every key known. */
static int check_cells(const json_t *cells, struct err *e)
{
	const char *type, *col;
	json_t *row, *v;
	json_object_foreach((json_t *)cells, type, row) {
		char ptr[96];
		snprintf(ptr, sizeof(ptr), "/cells/%.40s", type);
		if (type_index(type) < 0) {
			err_field(e, ptr, MSG_REPORT_TYPE_UNKNOWN, type);
			continue;
		}
		if (!json_is_object(row)) {
			err_field(e, ptr, MSG_JSON_NOT_OBJECT, NULL);
			continue;
		}
		json_object_foreach(row, col, v) {
			snprintf(ptr, sizeof(ptr), "/cells/%.40s/%.20s", type, col);
			if (jv_enum_index(mau05_columns, col) < 0)
				err_field(e, ptr, MSG_UNKNOWN_FIELD, NULL);
			else if (!json_is_integer(v) || json_integer_value(v) < 0 ||
				 json_integer_value(v) > M5_MAX)
				err_field(e, ptr, MSG_BAD_VALUE, "0..10^15");
		}
	}
	return e->code ? -1 : 0;
}

json_t *mau05_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		     struct err *e)
{
	char path[LIMIT_ORG_PATH];
	json_t *before = NULL, *after = NULL, *cells = NULL, *computed = NULL, *changes = NULL;
	char *ctext = NULL, *comptext = NULL;
	/* "cells" is a table of figures the field table cannot say: it is
	 * checked by check_cells. */
	json_t *edit = json_object_get(body, "cells");
	if (edit)
		json_incref(edit);
	json_object_del(body, "cells");
	int bad = jv_validate(body, update_fields, "", e);
	if (edit)
		json_object_set_new(body, "cells", edit);
	if (bad != 0)
		return NULL;
	if (edit && !json_is_object(edit))
		return err_field(e, "/cells", MSG_JSON_NOT_OBJECT, NULL), NULL;
	if (edit && check_cells(edit, e) != 0)
		return NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	if ((before = load_report(c, id, path, e)) == NULL)
		goto fail;
	struct policy_target pt = { .org_path = path };
	if (policy_check(c->actor, ACT_REPORT_WRITE, &pt, e) != 0 || draft_only(before, e) != 0)
		goto fail;
	if (if_match < 0) {
		err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL);
		goto fail;
	}
	if (version_claim(c, "periodic_reports", id, if_match, e) != 0)
		goto fail;
	struct stmt *st = store_query(c->db, e, "SELECT cells, computed FROM periodic_reports "
				      "WHERE id = $1", "t", id);
	if (st && stmt_step(st, e) == 1) {
		cells = json_loads(stmt_text(st, 0), 0, NULL);
		computed = json_loads(stmt_text(st, 1), 0, NULL);
	}
	stmt_done(st);
	if (cells == NULL || computed == NULL) {
		err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
		goto fail;
	}
	/* Recount: new figures from the incidents; corrected cells keep their
	 * correction. */
	if (jv_bool(body, "recount", 0)) {
		struct mau05_table t;
		int64_t from = 0, to = 0, due;
		int year = (int)json_integer_value(json_object_get(before, "year"));
		mau05_period(jv_str(before, "period"), year, &from, &to, &due);
		if (count_org(c, path, from, to, &t, e) != 0)
			goto fail;
		for (int r = 0; r < MAU05_TYPES; r++)
			for (int k = 0; k < M5__COLS; k++) {
				json_t *row = json_object_get(cells, incident_type_labels[r].code);
				if (cell_of(cells, r, k) == cell_of(computed, r, k))
					json_array_set_new(row, (size_t)k, json_integer(t.cell[r][k]));
			}
		json_decref(computed);
		comptext = computed_text(&t);
		computed = comptext ? json_loads(comptext, 0, NULL) : NULL;
		if (computed == NULL) {
			err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			goto fail;
		}
	}
	/* Corrections: each changed figure, from and to; a reason when the
	 * new figure is not what the incidents give. */
	changes = json_array();
	int needs_reason = 0;
	const char *type;
	json_t *row;
	json_object_foreach(edit, type, row) {
		int r = type_index(type);
		const char *col;
		json_t *v;
		json_object_foreach(row, col, v) {
			int k = jv_enum_index(mau05_columns, col);
			int64_t was = cell_of(cells, r, k), now = json_integer_value(v);
			if (was == now)
				continue;
			needs_reason |= now != cell_of(computed, r, k);
			json_array_set_new(json_object_get(cells, type), (size_t)k, json_integer(now));
			json_array_append_new(changes, json_pack("{s:s, s:s, s:I, s:I, s:I}", "type",
				type, "column", col, "from", (json_int_t)was, "to", (json_int_t)now,
				"computed", (json_int_t)cell_of(computed, r, k)));
		}
	}
	const char *reason = jv_str(body, "reason");
	if (needs_reason && (reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0')) {
		err_field(e, "/reason", MSG_REPORT_REASON_NEEDED, NULL);
		goto fail;
	}
	ctext = json_dumps(cells, JSON_COMPACT | JSON_SORT_KEYS);
	if (ctext == NULL || store_run(c->db, e, "UPDATE periodic_reports SET cells = $1, "
			"version = version + 1, updated_at = $2 WHERE id = $3", "tit", ctext,
			time_now_ms(), id) != 1)
		goto fail;
	if (comptext && store_run(c->db, e, "UPDATE periodic_reports SET computed = $1 WHERE id = $2",
				  "tt", comptext, id) != 1)
		goto fail;
	static const char *const texts[] = { "member_code", "helpers", "recommendations", NULL };
	for (int i = 0; texts[i]; i++) {
		char sql[96];
		const char *v = jv_str(body, texts[i]);
		snprintf(sql, sizeof(sql), "UPDATE periodic_reports SET %s = $1 WHERE id = $2", texts[i]);
		if (v && store_run(c->db, e, sql, "tt", v, id) != 1)
			goto fail;
	}
	if ((after = mau05_get(c, id, e)) == NULL)
		goto fail;
	/* The audit entry keeps the corrections and their reason. */
	json_t *note = json_pack("{s:O, s:s?, s:b, s:O}", "corrections", changes, "reason", reason,
				 "recount", jv_bool(body, "recount", 0), "report", after);
	int rc = audit_append_json(c, json_array_size(changes) ? "mau05.correct" : "mau05.update",
				   "periodic_report", id, before, note, e);
	json_decref(note);
	if (rc != 0 || store_commit(c->db, e) != 0)
		goto fail;
	json_decref(before);
	json_decref(cells);
	json_decref(computed);
	json_decref(changes);
	free(ctext);
	free(comptext);
	return after;
fail:
	store_rollback(c->db);
	json_decref(before);
	json_decref(after);
	json_decref(cells);
	json_decref(computed);
	json_decref(changes);
	free(ctext);
	free(comptext);
	return NULL;
}

/* The leader's act: the report approved and recorded as sent, from a
 * draft (the leader drafted it) or from awaiting approval. */
static json_t *send_report(struct ctx *c, const char *id, long long if_match, int submitted_only,
			   struct err *e)
{
	char path[LIMIT_ORG_PATH];
	json_t *before = NULL, *after = NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	if ((before = load_report(c, id, path, e)) == NULL)
		goto fail;
	struct policy_target pt = { .org_path = path };
	if (policy_check(c->actor, submitted_only ? ACT_REPORT_APPROVE : ACT_REPORT_SEND, &pt,
			 e) != 0)
		goto fail;
	int awaiting = strcmp(jv_str(before, "status"), "submitted") == 0;
	if (submitted_only && !awaiting) {
		if (strcmp(jv_str(before, "status"), "draft") == 0)
			err_set(e, E_CONFLICT, MSG_DUTY_REPORT_NOT_SUBMITTED, NULL);
		else
			draft_only(before, e);
		goto fail;
	}
	if (!awaiting && draft_only(before, e) != 0)
		goto fail;
	if (if_match < 0) {
		err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL);
		goto fail;
	}
	if (version_claim(c, "periodic_reports", id, if_match, e) != 0 ||
	    store_run(c->db, e, "UPDATE periodic_reports SET status = 'sent', sent_at = $1, "
		      "sent_by = $2, version = version + 1, updated_at = $1 WHERE id = $3", "itt",
		      time_now_ms(), c->actor->system ? NULL : c->actor->id, id) != 1 ||
	    approval_step(c, id, "approve", NULL, e) != 0 ||
	    (after = mau05_get(c, id, e)) == NULL ||
	    domain_record_hook(c, "periodic", id, after, e) != 0 ||
	    audit_append_json(c, "mau05.send", "periodic_report", id, before, after, e) != 0 ||
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

json_t *mau05_send(struct ctx *c, const char *id, long long if_match, struct err *e)
{
	return send_report(c, id, if_match, 0, e);
}

static const struct jv_field return_fields[] = {
	{ "reason", JV_STRING, 1, 1, 2000, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

json_t *mau05_decide(struct ctx *c, const char *id, long long if_match, const char *action,
		     json_t *body, struct err *e)
{
	int submit = strcmp(action, "submit") == 0, ret = strcmp(action, "return") == 0;
	if (strcmp(action, "approve") == 0)
		return send_report(c, id, if_match, 1, e);
	if (!submit && !ret)
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	if (ret && jv_validate(body ? body : json_null(), return_fields, "", e) != 0)
		return NULL;
	char path[LIMIT_ORG_PATH];
	json_t *before = NULL, *after = NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	if ((before = load_report(c, id, path, e)) == NULL)
		goto fail;
	struct policy_target pt = { .org_path = path };
	if (policy_check(c->actor, submit ? ACT_REPORT_SUBMIT : ACT_REPORT_APPROVE, &pt, e) != 0)
		goto fail;
	if (submit ? draft_only(before, e) != 0
		   : strcmp(jv_str(before, "status"), "submitted") != 0) {
		if (!submit && strcmp(jv_str(before, "status"), "draft") == 0)
			err_set(e, E_CONFLICT, MSG_DUTY_REPORT_NOT_SUBMITTED, NULL);
		else if (!submit)
			draft_only(before, e);
		goto fail;
	}
	if (if_match < 0) {
		err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL);
		goto fail;
	}
	if (version_claim(c, "periodic_reports", id, if_match, e) != 0 ||
	    store_run(c->db, e, "UPDATE periodic_reports SET status = $1, version = version + 1, "
		      "updated_at = $2 WHERE id = $3", "tit", submit ? "submitted" : "draft",
		      time_now_ms(), id) != 1 ||
	    approval_step(c, id, action, ret ? jv_str(body, "reason") : NULL, e) != 0 ||
	    /* the approvers are told in this transaction (the standing duty) */
	    (submit && domain_record_hook(c, "periodic.submitted", id, NULL, e) != 0) ||
	    (after = mau05_get(c, id, e)) == NULL ||
	    audit_append_json(c, submit ? "mau05.submit" : "mau05.return", "periodic_report", id,
			      before, after, e) != 0 ||
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

/* The next deadline of each period for the actor's organisation: this
 * year's, unless its report is sent, then next year's. */
static json_t *deadlines(struct ctx *c, int64_t now, struct err *e)
{
	json_t *out = json_array();
	if (c->actor->system)
		return out;
	int y = time_local_year(now);
	for (int p = 0; periods[p]; p++) {
		for (int year = y; year <= y + 1; year++) {
			int64_t from, to, due;
			mau05_period(periods[p], year, &from, &to, &due);
			struct stmt *st = store_query(c->db, e, "SELECT id, status FROM "
				"periodic_reports WHERE org_id = $1 AND form = 'mau05' AND period = $2 "
				"AND year = $3", "tti", c->actor->org_id, periods[p], (int64_t)year);
			if (st == NULL) {
				json_decref(out);
				return NULL;
			}
			int rc = stmt_step(st, e);
			json_t *rid = rc == 1 ? json_string(stmt_text(st, 0)) : json_null();
			int sent = rc == 1 && strcmp(stmt_text(st, 1), "sent") == 0;
			/* draft, or submitted (awaiting the leader's approval) */
			const char *status = rc == 1 && strcmp(stmt_text(st, 1), "submitted") == 0
					     ? "submitted" : "draft";
			stmt_done(st);
			if (rc < 0) {
				json_decref(rid);
				json_decref(out);
				return NULL;
			}
			if (sent && year == y) {
				json_decref(rid);
				continue;
			}
			json_array_append_new(out, json_pack("{s:s, s:I, s:o, s:o, s:o, s:s, s:b}",
				"period", periods[p], "year", (json_int_t)year, "period_from",
				ms_json(from), "due_at", ms_json(due), "report_id", rid, "status",
				sent ? "sent" : rc == 1 ? status : "missing", "overdue", !sent && due < now));
			break;
		}
	}
	return out;
}

json_t *mau05_list(struct ctx *c, struct err *e)
{
	if (policy_check(c->actor, ACT_REPORT_READ, NULL, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, REPORT_SELECT "WHERE substr(o.path, 1, "
		"length($1)) = $1 ORDER BY r.year DESC, r.period, o.path LIMIT 500", "t", scope_of(c));
	if (st == NULL)
		return NULL;
	json_t *items = rows_array(st, report_row, e);
	if (items == NULL)
		return NULL;
	/* The list shows the totals, not every row. */
	size_t i;
	json_t *r;
	json_array_foreach(items, i, r)
		json_object_del(r, "rows");
	json_t *due = deadlines(c, time_now_ms(), e);
	if (due == NULL) {
		json_decref(items);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "items", items, "deadlines", due);
}

/* ---- the document ---- */

struct doc *mau05_doc(struct ctx *c, const char *id, struct err *e)
{
	json_t *r = mau05_get(c, id, e);
	if (r == NULL)
		return NULL;
	struct org o;
	json_t *org = json_object_get(r, "org");
	if (org_by_id(c, jv_str(org, "id"), &o, e) != 0) {
		json_decref(r);
		return NULL;
	}
	char address[301] = "";
	struct stmt *st = store_query(c->db, e, "SELECT address FROM orgs WHERE id = $1", "t", o.id);
	if (st && stmt_step(st, e) == 1)
		snprintf(address, sizeof(address), "%s", stmt_text(st, 0));
	stmt_done(st);
	err_clear(e);
	int64_t now = time_now_ms(), from = 0, to = 0;
	time_parse(jv_str(r, "period_from"), &from);
	time_parse(jv_str(r, "period_to"), &to);
	int half = strcmp(jv_str(r, "period"), "half") == 0;
	int year = (int)json_integer_value(json_object_get(r, "year"));
	struct doc *d = doc_new("Báo cáo tổng hợp tình hình sự cố (Mẫu 05)", now);
	if (d == NULL) {
		json_decref(r);
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	}
	char line[400], a[TIME_RFC3339_LEN], b[TIME_RFC3339_LEN];
	doc_form_code(d, "Mẫu 05");
	doc_header(d, NULL, o.name, NULL, NULL, now);
	snprintf(line, sizeof(line), half ? "6 tháng đầu năm %d" : "Năm %d", year);
	char title[200];
	snprintf(title, sizeof(title), "BÁO CÁO TỔNG HỢP TÌNH HÌNH SỰ CỐ %s",
		 half ? "6 THÁNG" : "NĂM");
	doc_title(d, title, line);
	doc_text(d, "Kính gửi: Trung tâm VNCERT/CC", DOC_CENTER, DOC_BOLD);
	/* the last day of the period is the day before period_to */
	time_format_human(from, a);
	time_format_human(to - DAY_MS, b);
	a[10] = b[10] = '\0';
	snprintf(line, sizeof(line), "Từ ngày %s đến ngày %s", a, b);
	doc_field(d, "Kỳ báo cáo", line);
	doc_field(d, "Tên tổ chức", o.name);
	doc_field(d, "Địa chỉ", address);
	doc_field(d, "Mã thành viên mạng lưới", jv_str(r, "member_code"));
	doc_heading(d, 1, "1. Tình hình sự cố");
	static const char *const head[] = { "TT", "Loại sự cố", "Số lượng", "Tự xử lý",
		"Có sự hỗ trợ của tổ chức khác", "Có sự hỗ trợ của nước ngoài",
		"Yêu cầu VNCERT/CC hỗ trợ", "Ước tính thiệt hại (đồng)" };
	static const double w[] = { 1, 6, 2, 2, 3, 3, 3, 3 };
	doc_table(d, 8, head, w);
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(r, "rows"), i, row) {
		char num[24], v[M5__COLS][40];
		snprintf(num, sizeof(num), "%zu", i + 1);
		for (int k = 0; k < M5__COLS; k++)
			doc_format_int(json_integer_value(json_object_get(row, mau05_columns[k])), v[k], 40);
		const char *cells[] = { num, jv_str(row, "label_vi"), v[0], v[1], v[2], v[3], v[4],
					v[5] };
		doc_row(d, cells, 0);
	}
	char v[M5__COLS][40];
	json_t *tot = json_object_get(r, "total");
	for (int k = 0; k < M5__COLS; k++)
		doc_format_int(json_integer_value(json_object_get(tot, mau05_columns[k])), v[k], 40);
	const char *total[] = { "", "Tổng số", v[0], v[1], v[2], v[3], v[4], v[5] };
	doc_row(d, total, DOC_BOLD);
	doc_heading(d, 1, "2. Các tổ chức trong nước và nước ngoài đã hỗ trợ");
	doc_text(d, *jv_str(r, "helpers") ? jv_str(r, "helpers") : "(không có)", DOC_JUSTIFY, 0);
	doc_heading(d, 1, "3. Đề xuất, kiến nghị");
	doc_text(d, *jv_str(r, "recommendations") ? jv_str(r, "recommendations") : "(không có)",
		 DOC_JUSTIFY, 0);
	const char *recipients[] = { "Như trên", "Lưu: VT" };
	doc_recipients(d, recipients, 2);
	doc_signature(d, "THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu hoặc ký số)",
		      *jv_str(r, "sent_by") ? jv_str(r, "sent_by") : NULL);
	json_decref(r);
	return d;
}
