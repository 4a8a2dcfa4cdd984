/* roster.c - the on-duty roster and who is on duty now (issue 17 item 1). */
#include <string.h>

#include "roster.h"
#include "../directory/audit.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

#define DAY_MS (24LL * 3600 * 1000)

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Whether weekly shift s covers the local day `wd` (0 Monday) at minute m,
 * counting a shift that started the day before and runs past midnight. */
static int weekly_covers(const struct shift *s, int wd, int m)
{
	int prev = (wd + 6) % 7;
	if (s->end_min > s->start_min)
		return (s->days >> wd & 1u) && m >= s->start_min && m < s->end_min;
	/* overnight (or the whole day when end == start) */
	if ((s->days >> wd & 1u) && m >= s->start_min)
		return 1;
	return (s->days >> prev & 1u) && m < s->end_min;
}

int roster_pick(const struct shift *s, size_t n, int64_t now)
{
	int found = -1;
	for (size_t i = 0; i < n; i++)
		if (s[i].kind == SHIFT_EXCEPTION && now >= s[i].starts_at && now < s[i].ends_at)
			found = (int)i;
	if (found >= 0)
		return found;
	int64_t local = now + TIME_HCM_OFFSET_MS;
	int64_t day = floor_div(local, DAY_MS);
	int wd = (int)(((day + 3) % 7 + 7) % 7);   /* 1970-01-01 was a Thursday */
	int m = (int)((local - day * DAY_MS) / 60000);
	for (size_t i = 0; i < n; i++)
		if (s[i].kind == SHIFT_WEEKLY && weekly_covers(&s[i], wd, m))
			return (int)i;
	return -1;
}

/* ---- storage ---- */

#define SHIFT_COLS "s.id, s.org_id, s.kind, s.days, s.start_min, s.end_min, s.starts_at, " \
	"s.ends_at, s.primary_id, p.username, p.full_name, s.backup_id, b.username, " \
	"b.full_name, s.note, o.code, o.name "
#define SHIFT_FROM "FROM duty_shifts s JOIN orgs o ON o.id = s.org_id " \
	"JOIN users p ON p.id = s.primary_id LEFT JOIN users b ON b.id = s.backup_id "

static json_t *person(struct stmt *st, int col)
{
	if (stmt_isnull(st, col))
		return json_null();
	return json_pack("{s:s, s:s, s:s}", "id", stmt_text(st, col), "username",
			 stmt_text(st, col + 1), "full_name", stmt_text(st, col + 2));
}

static char *hhmm(int min, char out[8])
{
	snprintf(out, 8, "%02d:%02d", min / 60 % 25, min % 60);
	return out;
}

static json_t *shift_row(struct stmt *st)
{
	int weekly = strcmp(stmt_text(st, 2), "weekly") == 0;
	json_t *j = json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:o, s:o, s:s}",
		"id", stmt_text(st, 0),
		"org", "id", stmt_text(st, 1), "code", stmt_text(st, 15), "name", stmt_text(st, 16),
		"kind", stmt_text(st, 2),
		"primary", person(st, 8), "backup", person(st, 11), "note", stmt_text(st, 14));
	if (weekly) {
		char a[8], b[8];
		json_t *days = json_array();
		for (int d = 0; d < 7; d++)
			if (stmt_int(st, 3) >> d & 1)
				json_array_append_new(days, json_integer(d + 1));
		json_object_set_new(j, "days", days);
		json_object_set_new(j, "start", json_string(hhmm((int)stmt_int(st, 4), a)));
		json_object_set_new(j, "end", json_string(hhmm((int)stmt_int(st, 5), b)));
	} else {
		json_object_set_new(j, "starts_at", ms_json(stmt_int(st, 6)));
		json_object_set_new(j, "ends_at", ms_json(stmt_int(st, 7)));
	}
	return j;
}

static void shift_from_row(struct stmt *st, struct shift *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = strcmp(stmt_text(st, 2), "weekly") == 0 ? SHIFT_WEEKLY : SHIFT_EXCEPTION;
	s->days = (unsigned)stmt_int(st, 3);
	s->start_min = (int)stmt_int(st, 4);
	s->end_min = (int)stmt_int(st, 5);
	s->starts_at = stmt_int(st, 6);
	s->ends_at = stmt_int(st, 7);
}

/* The on-duty answer for one organisation's shifts (rows of one org). */
json_t *roster_on_duty(struct store *db, const char *org_id, int64_t now, struct err *e)
{
	struct stmt *st = store_query(db, e, "SELECT " SHIFT_COLS SHIFT_FROM
		"WHERE s.org_id = $1 ORDER BY s.created_at, s.id LIMIT 200", "t", org_id);
	if (st == NULL)
		return NULL;
	struct shift sh[200];
	json_t *rows = json_array();
	size_t n = 0;
	int rc;
	while ((rc = stmt_step(st, e)) == 1 && n < 200) {
		shift_from_row(st, &sh[n++]);
		json_array_append_new(rows, shift_row(st));
	}
	stmt_done(st);
	if (rc < 0) {
		json_decref(rows);
		return NULL;
	}
	int i = roster_pick(sh, n, now);
	json_t *out = json_null();
	if (i >= 0) {
		json_t *r = json_array_get(rows, (size_t)i);
		out = json_pack("{s:s, s:s, s:O, s:O}", "org_id", org_id, "shift_id",
				json_string_value(json_object_get(r, "id")),
				"primary", json_object_get(r, "primary"),
				"backup", json_object_get(r, "backup"));
	}
	json_decref(rows);
	return out;
}

static json_t *focal_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "name", stmt_text(st, 0), "phone",
			 stmt_text(st, 1), "email", stmt_text(st, 2), "network_role",
			 stmt_text(st, 3));
}

json_t *roster_now(struct ctx *c, struct err *e)
{
	if (policy_check(c->actor, ACT_DUTY_READ, NULL, e) != 0)
		return NULL;
	const char *scope = c->actor->system ? "/" : c->actor->org_path;
	/* the organisations with a roster in the actor's subtree or above it:
	 * whom one calls is the duty of the organisation one reports to */
	struct stmt *st = store_query(c->db, e, "SELECT DISTINCT o.id, o.code, o.name, o.path "
		"FROM duty_shifts s JOIN orgs o ON o.id = s.org_id "
		"WHERE substr(o.path, 1, length($1)) = $1 OR $1 LIKE '%/' || o.id || '/%' "
		"ORDER BY o.path LIMIT 500", "t", scope);
	if (st == NULL)
		return NULL;
	json_t *orgs = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(orgs, json_pack("{s:s, s:s, s:s}", "id", stmt_text(st, 0),
						      "code", stmt_text(st, 1), "name",
						      stmt_text(st, 2)));
	stmt_done(st);
	if (rc < 0) {
		json_decref(orgs);
		return NULL;
	}
	int64_t now = time_now_ms();
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		const char *id = json_string_value(json_object_get(o, "id"));
		json_t *d = roster_on_duty(c->db, id, now, e);
		if (d == NULL)
			goto fail;
		json_object_set_new(o, "primary", json_is_null(d) ? json_null()
				    : json_incref(json_object_get(d, "primary")));
		json_object_set_new(o, "backup", json_is_null(d) ? json_null()
				    : json_incref(json_object_get(d, "backup")));
		json_decref(d);
		/* Mẫu 01: the main and backup focal points (on duty first) */
		st = store_query(c->db, e, "SELECT name, phone, email, network_role FROM contacts "
			"WHERE org_id = $1 ORDER BY on_duty DESC, created_at, id LIMIT 2", "t", id);
		json_t *f = st ? rows_array(st, focal_row, e) : NULL;
		if (f == NULL)
			goto fail;
		json_object_set_new(o, "focal_points", f);
	}
	return json_pack("{s:o, s:o}", "at", ms_json(now), "items", orgs);
fail:
	json_decref(orgs);
	return NULL;
}

json_t *roster_list(struct ctx *c, const char *org_code, struct err *e)
{
	if (policy_check(c->actor, ACT_DUTY_READ, NULL, e) != 0)
		return NULL;
	const char *scope = c->actor->system ? "/" : c->actor->org_path;
	struct org o;
	if (org_code) {
		if (org_by_code(c, org_code, &o, e) != 0)
			return NULL;
		if (policy_check(c->actor, ACT_DUTY_READ,
				 &(struct policy_target){ .org_path = o.path }, e) != 0)
			return NULL;
		scope = o.path;
	}
	struct stmt *st = store_query(c->db, e, "SELECT " SHIFT_COLS SHIFT_FROM
		"WHERE substr(o.path, 1, length($1)) = $1 ORDER BY o.path, s.created_at, s.id "
		"LIMIT 1000", "t", scope);
	return st ? rows_items(st, shift_row, e) : NULL;
}

static const char *const shift_kinds[] = { "weekly", "exception", NULL };
static const struct jv_field shift_fields[] = {
	{ "org_code", JV_STRING, 1, 1, 64, NULL, NULL },
	{ "kind", JV_ENUM, 1, 0, 0, shift_kinds, NULL },
	{ "days", JV_STRINGS, 0, 0, 7, NULL, NULL },
	{ "start", JV_STRING, 0, 5, 5, NULL, NULL },
	{ "end", JV_STRING, 0, 5, 5, NULL, NULL },
	{ "starts_at", JV_TIME, 0, 0, 0, NULL, NULL },
	{ "ends_at", JV_TIME, 0, 0, 0, NULL, NULL },
	{ "primary_id", JV_UUID, 1, 0, 0, NULL, NULL },
	{ "backup_id", JV_UUID, 0, 0, 0, NULL, NULL },
	{ "note", JV_STRING, 0, 0, LIMIT_SHORT_TEXT, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* "HH:MM" -> minutes, 0..1440 (24:00 ends a day); -1 when malformed. */
int roster_parse_hhmm(const char *s)
{
	if (s == NULL || strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	return h * 60 + m;
}

/* days: ["mon", ...] or ["1".."7"] (1 Monday). -1 on an unknown one. */
static const char *const day_names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };
static int parse_days(const json_t *list, const char **bad)
{
	unsigned bits = 0;
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		int d = jv_enum_index(day_names, s);
		if (d < 0 && s && strlen(s) == 1 && s[0] >= '1' && s[0] <= '7')
			d = s[0] - '1';
		if (d < 0) {
			*bad = s;
			return -1;
		}
		bits |= 1u << d;
	}
	return (int)bits;
}

/* A person who may stand duty for o: an active user of o or above it. */
static int duty_person_ok(struct ctx *c, const struct org *o, const char *uid, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT 1 FROM users u JOIN orgs uo ON "
		"uo.id = u.org_id WHERE u.id = $1 AND u.disabled = 0 AND "
		"substr($2, 1, length(uo.path)) = uo.path", "tt", uid, o->path);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	stmt_done(st);
	return rc;
}

json_t *roster_add(struct ctx *c, json_t *body, struct err *e)
{
	struct org o;
	if (policy_check(c->actor, ACT_DUTY_WRITE, NULL, e) != 0 ||
	    jv_validate(body, shift_fields, "", e) != 0)
		return NULL;
	if (org_by_code(c, jv_str(body, "org_code"), &o, e) != 0 ||
	    policy_check(c->actor, ACT_DUTY_WRITE,
			 &(struct policy_target){ .org_path = o.path }, e) != 0) {
		if (e->code == E_NOTFOUND) {
			err_clear(e);
			err_field(e, "/org_code", MSG_ORG_OUT_OF_SCOPE, jv_str(body, "org_code"));
		}
		return NULL;
	}
	int weekly = strcmp(jv_str(body, "kind"), "weekly") == 0;
	int days = 0, start = 0, end = 0;
	int64_t from = 0, to = 0;
	if (weekly) {
		const char *bad = NULL;
		json_t *dl = json_object_get(body, "days");
		days = dl ? parse_days(dl, &bad) : 0x7f;
		if (days <= 0)
			err_field(e, "/days", MSG_DUTY_BAD_DAY, bad ? bad : "");
		start = roster_parse_hhmm(jv_str(body, "start"));
		end = roster_parse_hhmm(jv_str(body, "end"));
		if (start < 0 || start >= 1440)
			err_field(e, "/start", MSG_DUTY_BAD_TIME, jv_str(body, "start"));
		if (end <= 0)
			err_field(e, "/end", MSG_DUTY_BAD_TIME, jv_str(body, "end"));
	} else {
		if (!jv_str(body, "starts_at") || time_parse(jv_str(body, "starts_at"), &from) != 0)
			err_field(e, "/starts_at", MSG_REQUIRED, NULL);
		if (!jv_str(body, "ends_at") || time_parse(jv_str(body, "ends_at"), &to) != 0)
			err_field(e, "/ends_at", MSG_REQUIRED, NULL);
		else if (to <= from)
			err_field(e, "/ends_at", MSG_DUTY_BAD_SPAN, NULL);
	}
	const char *pid = jv_str(body, "primary_id"), *bid = jv_str(body, "backup_id");
	if (bid && strcmp(bid, pid) == 0)
		err_field(e, "/backup_id", MSG_DUTY_SAME_PERSON, NULL);
	if (e->nfields > 0) {
		e->code = E_INVALID;
		return NULL;
	}
	int ok = duty_person_ok(c, &o, pid, e);
	if (ok == 0)
		err_field(e, "/primary_id", MSG_DUTY_PERSON, pid);
	if (ok >= 0 && bid) {
		int okb = duty_person_ok(c, &o, bid, e);
		if (okb == 0)
			err_field(e, "/backup_id", MSG_DUTY_PERSON, bid);
	}
	if (e->nfields > 0 || e->code != E_OK) {
		if (e->nfields > 0)
			e->code = E_INVALID;
		return NULL;
	}
	char id[UUID_LEN];
	uuid7(id);
	json_t *out = NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	if (store_run(c->db, e, "INSERT INTO duty_shifts (id, org_id, kind, days, start_min, "
		      "end_min, starts_at, ends_at, primary_id, backup_id, note, created_by, "
		      "created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
		      "tttiiiiitttti", id, o.id, weekly ? "weekly" : "exception", (int64_t)days,
		      (int64_t)start, (int64_t)(end == 1440 && start == 0 ? 1440 : end), from, to,
		      pid, bid, jv_str(body, "note") ? jv_str(body, "note") : "",
		      c->actor->system ? NULL : c->actor->id, time_now_ms()) < 0)
		goto fail;
	struct stmt *st = store_query(c->db, e, "SELECT " SHIFT_COLS SHIFT_FROM "WHERE s.id = $1",
				      "t", id);
	if (st == NULL)
		goto fail;
	if (stmt_step(st, e) == 1)
		out = shift_row(st);
	stmt_done(st);
	if (out == NULL || audit_append_json(c, "duty.shift.add", "duty_shift", id, NULL, out, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	return out;
fail:
	store_rollback(c->db);
	json_decref(out);
	return NULL;
}

int roster_remove(struct ctx *c, const char *id, struct err *e)
{
	/* scope before role (policy_check with the shift's organisation): one
	 * out of scope learns nothing of the shift */
	if (!uuid_valid(id))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	if (store_begin(c->db, e) != 0)
		return -1;
	struct stmt *st = store_query(c->db, e, "SELECT " SHIFT_COLS ", o.path " SHIFT_FROM
				      "WHERE s.id = $1", "t", id);
	json_t *before = NULL;
	char path[LIMIT_ORG_PATH] = "";
	if (st == NULL)
		goto fail;
	if (stmt_step(st, e) == 1) {
		before = shift_row(st);
		snprintf(path, sizeof(path), "%s", stmt_text(st, 17));
	}
	stmt_done(st);
	if (before == NULL) {
		if (e->code == E_OK)
			err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
		goto fail;
	}
	if (policy_check(c->actor, ACT_DUTY_WRITE, &(struct policy_target){ .org_path = path },
			 e) != 0 ||
	    store_run(c->db, e, "DELETE FROM duty_shifts WHERE id = $1", "t", id) < 0 ||
	    audit_append_json(c, "duty.shift.remove", "duty_shift", id, before, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	json_decref(before);
	return 0;
fail:
	store_rollback(c->db);
	json_decref(before);
	return -1;
}

json_t *roster_get(struct ctx *c, const char *id, struct err *e)
{
	if (policy_check(c->actor, ACT_DUTY_READ, NULL, e) != 0)
		return NULL;
	if (!uuid_valid(id))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	/* out of scope: not found, like the API's other records */
	struct stmt *st = store_query(c->db, e, "SELECT " SHIFT_COLS SHIFT_FROM "WHERE s.id = $1 "
		"AND substr(o.path, 1, length($2)) = $2", "tt", id,
		c->actor->system ? "/" : c->actor->org_path);
	if (st == NULL)
		return NULL;
	json_t *out = NULL;
	int rc = stmt_step(st, e);
	if (rc == 1)
		out = shift_row(st);
	stmt_done(st);
	if (rc == 0)
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	return out;
}

json_t *roster_who(struct ctx *c, const char *org_code, int64_t now, struct err *e)
{
	struct org o;
	if (policy_check(c->actor, ACT_DUTY_READ, NULL, e) != 0 ||
	    org_by_code(c, org_code, &o, e) != 0)
		return NULL;
	/* the roster that answers for o: its own, else the nearest above it */
	struct stmt *st = store_query(c->db, e, "SELECT o.id, o.code, o.name FROM orgs o WHERE "
		"substr($1, 1, length(o.path)) = o.path AND EXISTS (SELECT 1 FROM duty_shifts s "
		"WHERE s.org_id = o.id) ORDER BY length(o.path) DESC LIMIT 1", "t", o.path);
	if (st == NULL)
		return NULL;
	char rid[UUID_LEN] = "";
	json_t *by = json_null();
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(rid, sizeof(rid), "%s", stmt_text(st, 0));
		by = json_pack("{s:s, s:s, s:s}", "id", rid, "code", stmt_text(st, 1), "name",
			       stmt_text(st, 2));
	}
	stmt_done(st);
	if (rc < 0)
		return json_decref(by), NULL;
	json_t *d = rid[0] ? roster_on_duty(c->db, rid, now, e) : json_null();
	if (d == NULL)
		return json_decref(by), NULL;
	char local[TIME_RFC3339_LEN];
	json_t *out = json_pack("{s:{s:s, s:s, s:s}, s:o, s:s, s:o, s:o, s:O*}",
		"org", "id", o.id, "code", o.code, "name", o.name, "roster_of", by,
		"at", time_format_local(now, local),
		"primary", json_is_null(d) ? json_null() : json_incref(json_object_get(d, "primary")),
		"backup", json_is_null(d) ? json_null() : json_incref(json_object_get(d, "backup")),
		"shift_id", json_is_null(d) ? NULL : json_object_get(d, "shift_id"));
	json_decref(d);
	return out;
}

int roster_person(struct ctx *c, const char *name, char id[UUID_LEN], struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT id FROM users WHERE username = $1 OR "
				      "id = $1 LIMIT 1", "t", name);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		snprintf(id, UUID_LEN, "%s", stmt_text(st, 0));
	stmt_done(st);
	if (rc == 0)
		return err_set(e, E_NOTFOUND, MSG_UNKNOWN_USER, name);
	return rc == 1 ? 0 : -1;
}
