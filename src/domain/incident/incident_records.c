/*
 * incident_records.c - what belongs to an incident besides its state:
 * support requests (đề nghị hỗ trợ), legal reports sent, tasks, observables,
 * comments, attachments and assignees; the deadline list and the dashboard.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_int.h"
#include "../directory/audit.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "../../base/crypto.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

int inc_record_begin(struct ctx *c, const char *id, int action, struct inc_head *h,
		     struct err *e)
{
	if (inc_load(c, id, action, h, e) != 0)
		return -1;
	return store_begin(c->db, e);
}

int inc_record_end(struct ctx *c, const struct inc_head *h, const char *kind,
		   json_t *data, const char *entity, const char *entity_id,
		   const json_t *rec, struct err *e)
{
	char action[64];
	snprintf(action, sizeof(action), "incident.%s", kind);
	if (inc_event(c, h->id, kind, data, e) != 0 ||
	    incident_record_hook(c, h->id, kind, entity_id, rec, e) != 0 ||
	    audit_append_json(c, action, entity, entity_id, NULL, rec, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		return -1;
	}
	return 0;
}

static const char *actor_id(const struct ctx *c)
{
	return c->actor->system ? NULL : c->actor->id;
}

/* Parses an optional RFC 3339 field; -1 (with a field error) if bad. */
static int opt_time(json_t *body, const char *key, int64_t *out, int64_t dflt)
{
	const char *s = jv_str(body, key);
	*out = dflt;
	return s ? time_parse(s, out) : 0;
}

static const char *str_or(json_t *body, const char *key, const char *dflt)
{
	const char *s = jv_str(body, key);
	return s ? s : dflt;
}

/* ---- support requests ---- */

static const char *const urgencies[] = { "low", "normal", "high", NULL };
static const struct jv_field support_fields[] = {
	{ "summary", JV_STRING, 1, 0, LIMIT_LONG_TEXT, NULL, NULL },
	{ "to_org_code", JV_STRING, 0, 0, 64, NULL, NULL },
	{ "help_needed", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL },
	{ "urgency", JV_ENUM, 0, 0, 0, urgencies, NULL },
	{ "due_at", JV_TIME, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const char *const support_states[] = { "sent", "accepted", "declined", "done", NULL };
static const struct jv_field support_move_fields[] = {
	{ "to", JV_ENUM, 1, 0, 0, support_states, NULL },
	{ "note", JV_STRING, 0, 0, 2000, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static json_t *support_json(const char *id, const struct org *to, const char *status,
			    json_t *body)
{
	return json_pack("{s:s, s:o, s:s, s:s, s:s, s:s}", "id", id, "to_org", org_json(to),
			 "status", status, "summary", jv_str(body, "summary"),
			 "help_needed", str_or(body, "help_needed", ""),
			 "urgency", str_or(body, "urgency", "normal"));
}

json_t *incident_add_support(struct ctx *c, const char *id, json_t *body, struct err *e)
{
	struct inc_head h;
	struct org to;
	char sid[UUID_LEN];
	int64_t due = 0, now = time_now_ms();

	if (inc_load(c, id, ACT_SUPPORT_OPEN, &h, e) != 0 ||
	    jv_validate(body, support_fields, "", e) != 0)
		return NULL;
	opt_time(body, "due_at", &due, 0);
	/* regulation.md §13: from acknowledged to recovering. */
	if (h.status == ST_RECEIVED || h.status == ST_REJECTED || h.status == ST_REVIEWING ||
	    h.status == ST_CLOSED)
		return err_set(e, E_CONFLICT, MSG_SUPPORT_STATE, NULL), NULL;
	const char *code = jv_str(body, "to_org_code");
	if (code ? org_by_code(c, code, &to, e) : org_response_team_above(c, h.org_path, &to, e)) {
		if (code) {
			err_clear(e);
			err_field(e, "/to_org_code", MSG_UNKNOWN_ORG, code);
		}
		return NULL;
	}
	if (store_begin(c->db, e) != 0)
		return NULL;
	json_t *rec = support_json(uuid7(sid), &to, "sent", body);
	if (store_run(c->db, e, "INSERT INTO support_requests (id, incident_id, to_org_id, "
		      "summary, help_needed, urgency, due_at, status, created_by, created_at, "
		      "updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,'sent',$8,$9,$9)", "tttttt" "iti",
		      sid, h.id, to.id, jv_str(body, "summary"), str_or(body, "help_needed", ""),
		      str_or(body, "urgency", "normal"), due, actor_id(c), now) < 0 ||
	    (due == 0 && store_run(c->db, e, "UPDATE support_requests SET due_at = NULL "
				   "WHERE id = $1", "t", sid) < 0) ||
	    /* Asking for help means beyond own capacity: Mẫu 03 is due (T3). */
	    deadline_start(c, h.id, "initial_report", now + c->rules->initial_ms, 0, e) != 0 ||
	    store_run(c->db, e, "UPDATE incidents SET escalate = 1 WHERE id = $1", "t", h.id) < 0) {
		store_rollback(c->db);
		json_decref(rec);
		return NULL;
	}
	json_t *data = json_pack("{s:s, s:s, s:s, s:s}", "id", sid, "to_org", to.code,
				 "to_org_name", to.name, "summary", jv_str(body, "summary"));
	if (inc_record_end(c, &h, "support_request", data, "support_request", sid, rec, e) != 0) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

json_t *incident_support_transition(struct ctx *c, const char *id, const char *sid,
				    json_t *body, struct err *e)
{
	struct inc_head h;
	struct org to;
	char status[16] = "", to_org[UUID_LEN] = "";

	if (inc_load(c, id, ACT_INCIDENT_READ, &h, e) != 0 ||
	    jv_validate(body, support_move_fields, "", e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT status, to_org_id FROM support_requests "
				      "WHERE id = $1 AND incident_id = $2", "tt", sid, h.id);
	if (st == NULL)
		return NULL;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(status, sizeof(status), "%s", stmt_text(st, 0));
		snprintf(to_org, sizeof(to_org), "%s", stmt_text(st, 1));
	}
	stmt_done(st);
	if (rc <= 0)
		return rc < 0 ? NULL : (err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL);
	if (org_by_id(c, to_org, &to, e) != 0)
		return NULL;
	const char *next = jv_str(body, "to");
	int answer = strcmp(next, "accepted") == 0 || strcmp(next, "declined") == 0;
	/* sent -> accepted | declined by the asked organisation;
	 * accepted -> done by either side. */
	if (!((answer && strcmp(status, "sent") == 0) ||
	      (strcmp(next, "done") == 0 && strcmp(status, "accepted") == 0)))
		return err_set(e, E_CONFLICT, MSG_TRANSITION_DENIED, next), NULL;
	/* Accepting or declining is the asked organisation's own answer (not
	 * one above it on its behalf); done, either side's. */
	struct policy_target t = { .org_path = answer ? to.path : NULL };
	if (!answer && !policy_in_scope(c->actor, to.path))
		t.org_path = h.org_path;
	if (policy_check(c->actor, answer ? ACT_SUPPORT_DECIDE : ACT_SUPPORT_ANSWER, &t, e) != 0) {
		if (e->code == E_NOTFOUND)
			err_set(e, E_FORBIDDEN, MSG_FORBIDDEN, NULL);
		return NULL;
	}
	if (store_begin(c->db, e) != 0)
		return NULL;
	if (store_run(c->db, e, "UPDATE support_requests SET status = $1, note = $2, "
		      "updated_at = $3 WHERE id = $4", "ttit", next, str_or(body, "note", ""),
		      time_now_ms(), sid) < 0) {
		store_rollback(c->db);
		return NULL;
	}
	json_t *rec = json_pack("{s:s, s:s, s:s, s:o, s:s}", "id", sid, "from", status,
				"status", next, "to_org", org_json(&to), "note", str_or(body, "note", ""));
	json_t *data = json_pack("{s:s, s:s, s:s, s:s}", "id", sid, "from", status, "to", next,
				 "note", str_or(body, "note", ""));
	if (inc_record_end(c, &h, "support_request_update", data, "support_request", sid,
			   rec, e) != 0) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

/* ---- legal reports sent ---- */

static const char *const report_kinds[] = {
	"notification", "initial", "progress", "plan", "direction_request", "closing", NULL
};
static const char *const channels[] = {
	"email", "fax", "letter", "phone", "system", "other", NULL
};
static const struct jv_field report_fields[] = {
	{ "kind", JV_ENUM, 1, 0, 0, report_kinds, NULL },
	{ "recipient", JV_STRING, 0, 0, 300, NULL, NULL },
	{ "channel", JV_ENUM, 0, 0, 0, channels, NULL },
	{ "sent_at", JV_TIME, 0, 0, 0, NULL, NULL },
	{ "reference", JV_STRING, 0, 0, 200, NULL, NULL },
	{ "body", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* Which clock a report of a kind satisfies. */
static const char *deadline_of(const char *kind)
{
	if (strcmp(kind, "notification") == 0)
		return "notification";
	if (strcmp(kind, "initial") == 0)
		return "initial_report";
	if (strcmp(kind, "closing") == 0)
		return "closing_report";
	return NULL;
}

json_t *incident_add_report(struct ctx *c, const char *id, json_t *body, struct err *e)
{
	struct inc_head h;
	char rid[UUID_LEN], ts[TIME_RFC3339_LEN];
	int64_t now = time_now_ms(), sent;

	if (inc_load(c, id, ACT_INCIDENT_REPORT, &h, e) != 0 ||
	    jv_validate(body, report_fields, "", e) != 0)
		return NULL;
	opt_time(body, "sent_at", &sent, now);
	const char *kind = jv_str(body, "kind"), *dl = deadline_of(kind);
	/* A report that meets a legal clock says to whom and how it went: the
	 * record is the proof that it was sent (who: the actor). */
	const char *recipient = jv_str(body, "recipient");
	if (dl && (recipient == NULL || *recipient == '\0'))
		err_field(e, "/recipient", MSG_REQUIRED, NULL);
	if (dl && jv_str(body, "channel") == NULL)
		err_field(e, "/channel", MSG_REQUIRED, NULL);
	if (sent > now + 10 * 60 * 1000)
		err_field(e, "/sent_at", MSG_SENT_IN_FUTURE, NULL);
	if (e->code)
		return NULL;
	/* Mẫu 04 is written when the incident is closed; before that there is
	 * nothing to send. */
	if (strcmp(kind, "closing") == 0 && h.status != ST_CLOSED)
		return err_set(e, E_CONFLICT, MSG_CLOSING_NOT_WRITTEN, NULL), NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", uuid7(rid),
				"kind", kind, "recipient", str_or(body, "recipient", ""),
				"channel", str_or(body, "channel", "system"),
				"reference", str_or(body, "reference", ""),
				"body", str_or(body, "body", ""), "sent_at", time_format_utc(sent, ts));
	if (store_run(c->db, e, "INSERT INTO reports (id, incident_id, kind, recipient, channel, "
		      "reference, body, sent_at, created_by, created_at) VALUES "
		      "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)", "ttttttt" "iti", rid, h.id, kind,
		      str_or(body, "recipient", ""), str_or(body, "channel", "system"),
		      str_or(body, "reference", ""), str_or(body, "body", ""), sent,
		      actor_id(c), now) < 0 ||
	    (dl && deadline_meet(c, h.id, dl, sent, e) != 0)) {
		store_rollback(c->db);
		json_decref(rec);
		return NULL;
	}
	json_t *data = json_pack("{s:s, s:s, s:s}", "id", rid, "kind", kind,
				 "recipient", str_or(body, "recipient", ""));
	if (inc_record_end(c, &h, "report", data, "report", rid, rec, e) != 0) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

/* ---- tasks ---- */

static const struct jv_field task_fields[] = {
	{ "title", JV_STRING, 1, 0, LIMIT_SHORT_TEXT, NULL, NULL },
	{ "assignee_id", JV_UUID, 0, 0, 0, NULL, NULL },
	{ "due_at", JV_TIME, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field task_patch_fields[] = {
	{ "title", JV_STRING, 0, 0, LIMIT_SHORT_TEXT, NULL, NULL },
	{ "done", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/*
 * Whether the user may work on the incident h: a user of its organisation
 * or of one above it; for a task (for_task) also of an organisation asked
 * for support on it while that request is open. 1 yes, 0 no (or no such
 * user: the answer is the same, so nothing about other organisations'
 * people leaks), -1 error.
 */
int inc_may_work_on(struct ctx *c, const struct inc_head *h, const char *uid, int for_task,
		    struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT 1 FROM users u JOIN orgs o ON "
		"o.id = u.org_id WHERE u.id = $1 AND (substr($2, 1, length(o.path)) = o.path OR "
		"($3 = 1 AND EXISTS (SELECT 1 FROM support_requests s WHERE s.incident_id = $4 AND "
		"s.to_org_id = u.org_id AND s.status IN " SUPPORT_OPEN ")))", "ttit", uid,
		h->org_path, (int64_t)for_task, h->id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	stmt_done(st);
	return rc;
}

json_t *incident_add_task(struct ctx *c, const char *id, json_t *body, struct err *e)
{
	struct inc_head h;
	char tid[UUID_LEN];
	int64_t due = 0, now = time_now_ms();

	if (inc_load(c, id, ACT_INCIDENT_TASK, &h, e) != 0 ||
	    jv_validate(body, task_fields, "", e) != 0)
		return NULL;
	const char *assignee = jv_str(body, "assignee_id");
	if (assignee && inc_may_work_on(c, &h, assignee, 1, e) != 1)
		return e->code ? NULL : (err_field(e, "/assignee_id", MSG_UNKNOWN_USER, assignee), NULL);
	opt_time(body, "due_at", &due, 0);
	if (store_begin(c->db, e) != 0)
		return NULL;
	json_t *rec = json_pack("{s:s, s:s, s:b}", "id", uuid7(tid),
				"title", jv_str(body, "title"), "done", 0);
	if (store_run(c->db, e, "INSERT INTO tasks (id, incident_id, title, assignee_id, due_at, "
		      "done, created_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,0,$6,$7,$7)",
		      "ttttiti", tid, h.id, jv_str(body, "title"), assignee, due, actor_id(c),
		      now) < 0 ||
	    (due == 0 && store_run(c->db, e, "UPDATE tasks SET due_at = NULL WHERE id = $1",
				   "t", tid) < 0)) {
		store_rollback(c->db);
		json_decref(rec);
		return NULL;
	}
	json_t *data = json_pack("{s:s, s:s}", "id", tid, "title", jv_str(body, "title"));
	if (inc_record_end(c, &h, "task", data, "task", tid, rec, e) != 0) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

int incident_task_insert(struct ctx *c, const char *incident_id, const char *title,
			 char tid[UUID_LEN], struct err *e)
{
	int64_t now = time_now_ms();
	if (store_run(c->db, e, "INSERT INTO tasks (id, incident_id, title, assignee_id, due_at, "
		      "done, created_by, created_at, updated_at) VALUES ($1,$2,$3,NULL,NULL,0,$4,$5,$5)",
		      "tttti", uuid7(tid), incident_id, title, actor_id(c), now) < 0)
		return -1;
	return inc_event(c, incident_id, "task", json_pack("{s:s, s:s}", "id", tid, "title", title), e);
}

/* Whether the task tid of h is assigned to someone of the actor's own
 * organisation: 1 yes, 0 no, -1 error; E_NOTFOUND when there is no such task. */
static int task_is_own(struct ctx *c, const struct inc_head *h, const char *tid, struct err *e)
{
	if (!uuid_valid(tid))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	struct stmt *st = store_query(c->db, e, "SELECT CASE WHEN u.org_id = $3 THEN 1 ELSE 0 END "
		"FROM tasks t LEFT JOIN users u ON u.id = t.assignee_id WHERE t.id = $1 AND "
		"t.incident_id = $2", "ttt", tid, h->id, c->actor->org_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e), own = rc == 1 ? (int)stmt_int(st, 0) : 0;
	stmt_done(st);
	if (rc <= 0)
		return rc < 0 ? -1 : err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	return own;
}

json_t *incident_update_task(struct ctx *c, const char *id, const char *tid,
			     json_t *body, struct err *e)
{
	struct inc_head h;
	if (inc_load(c, id, ACT_INCIDENT_READ, &h, e) != 0)
		return NULL;
	int own = task_is_own(c, &h, tid, e);
	if (own < 0)
		return NULL;
	struct policy_target t = { .org_path = h.org_path, .support = h.support, .own = own };
	if (policy_check(c->actor, ACT_INCIDENT_TASK, &t, e) != 0 ||
	    jv_validate(body, task_patch_fields, "", e) != 0)
		return NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	int done = jv_bool(body, "done", -1);
	int n = store_run(c->db, e, "UPDATE tasks SET title = COALESCE($1, title), "
		"done = CASE WHEN $2 < 0 THEN done ELSE $2 END, updated_at = $3 "
		"WHERE id = $4 AND incident_id = $5", "tiitt", jv_str(body, "title"),
		(int64_t)done, time_now_ms(), tid, h.id);
	if (n <= 0) {
		store_rollback(c->db);
		if (n == 0)
			err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
		return NULL;
	}
	json_t *rec = json_deep_copy(body);
	json_object_set_new(rec, "id", json_string(tid));
	if (inc_record_end(c, &h, "task_update", json_deep_copy(rec), "task", tid, rec, e) != 0) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

/* ---- observables ---- */

static const char *const observable_kinds[] = {
	"ip", "domain", "url", "hash", "email", "filename", NULL
};
static const struct jv_field observable_fields[] = {
	{ "kind", JV_ENUM, 1, 0, 0, observable_kinds, NULL },
	{ "value", JV_STRING, 1, 0, 2048, NULL, NULL },
	{ "tlp", JV_ENUM, 0, 0, 0, tlp_labels, NULL },
	{ "note", JV_STRING, 0, 0, 2000, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static int is_hex(const char *s)
{
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int ip_ok(const char *v)
{
	char host[64];
	unsigned char addr[16];
	const char *slash = strchr(v, '/');
	size_t n = slash ? (size_t)(slash - v) : strlen(v);
	if (n == 0 || n >= sizeof(host))
		return 0;
	memcpy(host, v, n);
	host[n] = '\0';
	int v4 = inet_pton(AF_INET, host, addr) == 1;
	int v6 = !v4 && inet_pton(AF_INET6, host, addr) == 1;
	if (!v4 && !v6)
		return 0;
	if (slash) {
		char *end;
		long bits = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1 || bits < 0 || bits > (v4 ? 32 : 128))
			return 0;
	}
	return 1;
}

static int domain_ok(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n > 253 || v[0] == '.' || v[0] == '-' || !strchr(v, '.'))
		return 0;
	for (; *v; v++)
		if (!(isalnum((unsigned char)*v) || *v == '-' || *v == '.' || *v == '_' ||
		      (unsigned char)*v >= 0x80))
			return 0;
	return 1;
}

/* A value that cannot be an indicator of its kind is refused with a reason. */
static int observable_ok(const char *kind, const char *v)
{
	size_t n = strlen(v);
	if (strcmp(kind, "ip") == 0)
		return ip_ok(v);
	if (strcmp(kind, "domain") == 0)
		return domain_ok(v);
	if (strcmp(kind, "url") == 0)
		return strncmp(v, "http://", 7) == 0 || strncmp(v, "https://", 8) == 0 ||
		       strncmp(v, "ftp://", 6) == 0;
	if (strcmp(kind, "hash") == 0)
		return (n == 32 || n == 40 || n == 64 || n == 128) && is_hex(v);
	if (strcmp(kind, "email") == 0) {
		const char *at = strchr(v, '@');
		return at && at != v && domain_ok(at + 1) && !strchr(v, ' ');
	}
	return n > 0 && !strchr(v, '/') && !strchr(v, '\\');
}

json_t *incident_add_observable(struct ctx *c, const char *id, json_t *body, struct err *e)
{
	struct inc_head h;
	char oid[UUID_LEN];
	if (inc_load(c, id, ACT_INCIDENT_NOTE, &h, e) != 0 ||
	    jv_validate(body, observable_fields, "", e) != 0)
		return NULL;
	const char *kind = jv_str(body, "kind"), *value = jv_str(body, "value");
	if (!observable_ok(kind, value))
		return err_field(e, "/value", MSG_BAD_VALUE, kind), NULL;
	/* One normal form (lower-case hashes and names, punycode, RFC 5952
	 * addresses) so that matching is equality; a value the indicator
	 * parser does not take is kept lower-cased where case does not count. */
	char *norm = malloc(strlen(value) + OBSERVABLE_NORM_ROOM);
	if (norm == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	if (inc_observable_normalise(kind, value, norm, strlen(value) + OBSERVABLE_NORM_ROOM) != 0) {
		snprintf(norm, strlen(value) + 1, "%s", value);
		if (strcmp(kind, "hash") == 0 || strcmp(kind, "domain") == 0 ||
		    strcmp(kind, "email") == 0)
			for (char *p = norm; *p; p++)
				*p = (char)tolower((unsigned char)*p);
	}
	json_t *rec = NULL, *m = NULL;
	if (store_begin(c->db, e) != 0)
		goto out;
	rec = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", uuid7(oid), "kind", kind,
			"value", norm, "tlp", str_or(body, "tlp", "AMBER"),
			"note", str_or(body, "note", ""));
	if (store_run(c->db, e, "INSERT INTO observables (id, incident_id, kind, value, tlp, note, "
		      "created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)", "ttttttti",
		      oid, h.id, kind, norm, str_or(body, "tlp", "AMBER"), str_or(body, "note", ""),
		      actor_id(c), time_now_ms()) < 0 ||
	    inc_observable_sighted(c, h.id, h.org_id, oid, kind, norm, e) < 0 ||
	    (m = inc_observable_matches(c, h.id, kind, norm, e)) == NULL) {
		store_rollback(c->db);
		json_decref(rec);
		rec = NULL;
		goto out;
	}
	json_object_set_new(rec, "matches", m);
	if (inc_record_end(c, &h, "observable", json_pack("{s:s, s:s, s:s}", "id", oid,
			   "kind", kind, "value", norm), "observable", oid, rec, e) != 0) {
		json_decref(rec);
		rec = NULL;
	}
out:
	free(norm);
	return rec;
}

/* ---- comments ---- */

static const char *const comment_kinds[] = { "comment", "direction", NULL };
static const struct jv_field comment_fields[] = {
	{ "body", JV_STRING, 1, 0, LIMIT_LONG_TEXT, NULL, NULL },
	/* a coordination direction (chỉ đạo điều phối) is a comment of its own
	 * kind: it travels down to the instance the incident came from */
	{ "kind", JV_ENUM, 0, 0, 0, comment_kinds, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

json_t *incident_add_comment(struct ctx *c, const char *id, json_t *body, struct err *e)
{
	struct inc_head h;
	char cid[UUID_LEN];
	if (inc_load(c, id, ACT_INCIDENT_COMMENT, &h, e) != 0 ||
	    jv_validate(body, comment_fields, "", e) != 0 ||
	    store_begin(c->db, e) != 0)
		return NULL;
	const char *kind = str_or(body, "kind", "comment");
	json_t *rec = json_pack("{s:s, s:s, s:s}", "id", uuid7(cid), "body", jv_str(body, "body"),
				"kind", kind);
	if (store_run(c->db, e, "INSERT INTO comments (id, incident_id, body, created_by, "
		      "created_at, kind) VALUES ($1,$2,$3,$4,$5,$6)", "tttt" "it", cid, h.id,
		      jv_str(body, "body"), actor_id(c), time_now_ms(), kind) < 0) {
		store_rollback(c->db);
		json_decref(rec);
		return NULL;
	}
	/* The timeline shows the start of a comment (200 bytes at most, never
	 * cutting a UTF-8 sequence); the list has all of it. */
	const char *text = jv_str(body, "body");
	size_t n = strlen(text);
	if (n > 200) {
		n = 200;
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	char excerpt[201];
	memcpy(excerpt, text, n);
	excerpt[n] = '\0';
	if (inc_record_end(c, &h, "comment", json_pack("{s:s, s:s}", "id", cid,
			   "excerpt", excerpt), "comment", cid, rec, e) != 0) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

/* ---- assignees ---- */

static const struct jv_field assign_fields[] = {
	{ "user_id", JV_UUID, 1, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

json_t *inc_assign_locked(struct ctx *c, const struct inc_head *h, const char *uid,
			  struct err *e)
{
	int may = inc_may_work_on(c, h, uid, 0, e);
	if (may != 1) {
		if (may == 0 && e->code == E_OK)
			err_field(e, "/user_id", MSG_UNKNOWN_USER, uid);
		store_rollback(c->db);
		return NULL;
	}
	if (store_run(c->db, e, "INSERT INTO assignees (incident_id, user_id, created_at) "
		      "VALUES ($1, $2, $3) ON CONFLICT (incident_id, user_id) DO NOTHING", "tti",
		      h->id, uid, time_now_ms()) < 0 ||
	    inc_event_hook(c, "assigned", h->id, uid, e) != 0) {
		store_rollback(c->db);
		return NULL;
	}
	json_t *rec = json_pack("{s:s}", "user_id", uid);
	if (inc_record_end(c, h, "assignment", json_pack("{s:s}", "user_id", uid),
			   "incident", h->id, rec, e) != 0) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

json_t *incident_assign(struct ctx *c, const char *id, json_t *body, struct err *e)
{
	struct inc_head h;
	if (store_begin(c->db, e) != 0)
		return NULL;
	if (inc_load(c, id, ACT_INCIDENT_ASSIGN, &h, e) != 0 ||
	    jv_validate(body, assign_fields, "", e) != 0) {
		store_rollback(c->db);
		return NULL;
	}
	return inc_assign_locked(c, &h, jv_str(body, "user_id"), e);
}

/* ---- attachments ---- */

json_t *incident_add_attachment(struct ctx *c, const char *id, const char *name,
				const char *content_type, const void *data, size_t n,
				struct err *e)
{
	struct inc_head h;
	char aid[UUID_LEN], hash[SHA256_HEX_LEN], num[32];

	if (inc_load(c, id, ACT_INCIDENT_NOTE, &h, e) != 0)
		return NULL;
	if (name == NULL || *name == '\0')
		return err_field(e, "/X-Filename", MSG_REQUIRED, NULL), NULL;
	if (strlen(name) > 255 || memchr(name, '/', strlen(name)) || memchr(name, '\\', strlen(name)))
		return err_field(e, "/X-Filename", MSG_BAD_VALUE, "name"), NULL;
	if (n > c->rules->max_attachment) {
		snprintf(num, sizeof(num), "%zu", c->rules->max_attachment);
		return err_set(e, E_TOOLARGE, MSG_TOO_LARGE, num), NULL;
	}
	sha256_hex(data, n, hash);
	if (content_type == NULL || *content_type == '\0' || strlen(content_type) > 100)
		content_type = "application/octet-stream";
	if (store_begin(c->db, e) != 0)
		return NULL;
	json_t *rec = json_pack("{s:s, s:s, s:s, s:I, s:s}", "id", uuid7(aid), "name", name,
				"content_type", content_type, "size", (json_int_t)n, "sha256", hash);
	if (store_run(c->db, e, "INSERT INTO attachments (id, incident_id, name, content_type, "
		      "size, sha256, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
		      "ttttitti", aid, h.id, name, content_type, (int64_t)n, hash, actor_id(c),
		      time_now_ms()) < 0 ||
	    store_run(c->db, e, "INSERT INTO attachment_data (id, data) VALUES ($1, $2)", "tb",
		      aid, data ? data : "", n) < 0) {
		store_rollback(c->db);
		json_decref(rec);
		return NULL;
	}
	json_t *ev = json_pack("{s:s, s:s, s:I, s:s}", "id", aid, "name", name,
			       "size", (json_int_t)n, "sha256", hash);
	if (inc_record_end(c, &h, "attachment", ev, "attachment", aid, rec, e) != 0) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

json_t *incident_get_attachment(struct ctx *c, const char *id, const char *aid,
				struct stmt **out, const void **data, size_t *n,
				struct err *e)
{
	struct inc_head h;
	if (inc_load(c, id, ACT_INCIDENT_READ, &h, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT a.name, a.content_type, a.sha256, d.data "
		"FROM attachments a JOIN attachment_data d ON d.id = a.id "
		"WHERE a.id = $1 AND a.incident_id = $2", "tt", aid, h.id);
	if (st == NULL)
		return NULL;
	int rc = stmt_step(st, e);
	if (rc != 1) {
		stmt_done(st);
		if (rc == 0)
			err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
		return NULL;
	}
	*data = stmt_blob(st, 3, n);
	*out = st;
	return json_pack("{s:s, s:s, s:s}", "name", stmt_text(st, 0),
			 "content_type", stmt_text(st, 1), "sha256", stmt_text(st, 2));
}

/* ---- deadlines and the dashboard ---- */

json_t *deadline_list(struct ctx *c, int overdue_only, int due_soon, int limit, struct err *e)
{
	char ts[TIME_RFC3339_LEN];
	int64_t now = time_now_ms();
	if (policy_check(c->actor, ACT_INCIDENT_READ, NULL, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT d.kind, d.due_at, d.met_at, i.id, "
		"i.number, i.title, i.status, o.code, o.name FROM deadlines d "
		"JOIN incidents i ON i.id = d.incident_id JOIN orgs o ON o.id = i.org_id "
		"WHERE " INC_VISIBLE " AND " DL_RUNNING " AND ($3 = 0 OR d.due_at < $4) "
		"AND ($5 = 0 OR (d.due_at >= $4 AND d.due_at < $4 + " DEADLINE_SOON_SQL ")) "
		"ORDER BY d.due_at LIMIT $6", "ttiiii",
		inc_scope_path(c), inc_scope_user(c), (int64_t)overdue_only, now, (int64_t)due_soon,
		(int64_t)limit);
	if (st == NULL)
		return NULL;
	json_t *items = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		int64_t due = stmt_int(st, 1);
		json_array_append_new(items, json_pack("{s:s, s:s, s:n, s:s, s:b, s:b, s:{s:s, s:s, "
			"s:s, s:s, s:{s:s, s:s}}}", "kind", stmt_text(st, 0),
			"due_at", time_format_utc(due, ts), "met_at",
			"state", due < now ? "overdue" : "running", "overdue", due < now,
			"due_soon", due >= now && due - now < DEADLINE_SOON_MS,
			"incident", "id", stmt_text(st, 3), "number", stmt_text(st, 4),
			"title", stmt_text(st, 5), "status", stmt_text(st, 6),
			"org", "code", stmt_text(st, 7), "name", stmt_text(st, 8)));
	}
	stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	return json_pack("{s:o}", "items", items);
}

static void bump(json_t *obj, const char *key, long long n)
{
	json_t *v = json_object_get(obj, key && *key ? key : "none");
	json_object_set_new(obj, key && *key ? key : "none",
			    json_integer((v ? json_integer_value(v) : 0) + n));
}

/* Adds the rows of st (status, severity, type, month, org id, code, name,
 * count) to the figures. */
static int stats_add(struct stmt *st, json_t *f[5], long long *open, long long *total,
		     struct err *e)
{
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		const char *status = stmt_text(st, 0);
		long long n = stmt_int(st, 7);
		int is_open = strcmp(status, "closed") != 0 && strcmp(status, "rejected") != 0;
		*total += n;
		*open += is_open ? n : 0;
		bump(f[0], status, n);
		if (is_open)
			bump(f[1], stmt_text(st, 1), n);
		bump(f[2], stmt_text(st, 2), n);
		bump(f[3], stmt_text(st, 3), n);
		json_t *o = json_object_get(f[4], stmt_text(st, 4));
		if (o == NULL) {
			o = json_pack("{s:{s:s, s:s, s:s}, s:i, s:i}", "org", "id", stmt_text(st, 4),
				      "code", stmt_text(st, 5), "name", stmt_text(st, 6),
				      "open", 0, "total", 0);
			json_object_set_new(f[4], stmt_text(st, 4), o);
		}
		json_object_set_new(o, "total", json_integer(json_integer_value(json_object_get(o, "total")) + n));
		json_object_set_new(o, "open", json_integer(json_integer_value(json_object_get(o, "open")) + (is_open ? n : 0)));
	}
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

/* The figures come from incident_counts (migration 008: one row per
 * organisation, state, severity, type and month) for the reader's subtree,
 * plus the few incidents outside it the reader sees (support asked of the
 * organisation, while open), counted one by one. Overdue and due soon are
 * ranges over incidents.next_due (the earliest clock that still runs). */
json_t *incident_stats(struct ctx *c, struct err *e)
{
	int64_t now = time_now_ms();
	json_t *f[5] = { json_object(), json_object(), json_object(), json_object(), json_object() };
	json_t *out = NULL;
	long long open = 0, overdue = 0, due_soon = 0, total = 0;
	int rc = -1;
	if (policy_check(c->actor, ACT_STATS_READ, NULL, e) != 0)
		goto out;
	struct stmt *st = store_query(c->db, e, "SELECT n.status, n.severity, n.type, n.month, "
		"o.id, o.code, o.name, SUM(n.n) FROM incident_counts n JOIN orgs o ON o.id = "
		"n.org_id WHERE substr(o.path, 1, length($1)) = $1 AND n.n > 0 "
		"GROUP BY n.status, n.severity, n.type, n.month, o.id", "t", inc_scope_path(c));
	if (st == NULL || stats_add(st, f, &open, &total, e) != 0)
		goto end;
	st = store_query(c->db, e, "SELECT i.status, COALESCE(i.severity, ''), i.type, "
		"strftime('%Y-%m', i.created_at / 1000 + 25200, 'unixepoch'), o.id, o.code, o.name, "
		"1 FROM incidents i JOIN orgs o ON o.id = i.org_id WHERE substr(o.path, 1, "
		"length($1)) <> $1 AND i.id IN (SELECT s.incident_id FROM support_requests s JOIN "
		"orgs so ON so.id = s.to_org_id WHERE so.path = $1 AND s.status IN " SUPPORT_OPEN ")",
		"t", inc_scope_path(c));
	if (st == NULL || stats_add(st, f, &open, &total, e) != 0)
		goto end;
	/* Overdue and due soon: ranges over next_due, the subtree through
	 * incidents_open_due, then the few outside it the reader sees (an open
	 * support request to its organisation: INC_VISIBLE). */
	for (int k = 0; k < 2; k++) {
		int64_t lo = k ? now : 0, hi = k ? now + DEADLINE_SOON_MS : now;
		st = store_query(c->db, e, "SELECT (SELECT COUNT(*) FROM incidents i WHERE i.org_id IN "
			"(SELECT id FROM orgs WHERE substr(path, 1, length($1)) = $1) AND "
			"i.next_due >= $2 AND i.next_due < $3) + (SELECT COUNT(*) "
			"FROM incidents i JOIN orgs o ON o.id = i.org_id WHERE substr(o.path, 1, length($1)) "
			"<> $1 AND i.next_due >= $2 AND "
			"i.next_due < $3 AND i.id IN (SELECT s.incident_id FROM support_requests s JOIN orgs "
			"so ON so.id = s.to_org_id WHERE so.path = $1 AND s.status IN " SUPPORT_OPEN "))",
			"tii", inc_scope_path(c), lo, hi);
		if (st == NULL)
			goto end;
		if (stmt_step(st, e) == 1)
			*(k ? &due_soon : &overdue) = stmt_int(st, 0);
		stmt_done(st);
	}
	rc = 0;
end:
	if (rc != 0)
		goto out;
	json_t *by_month = json_array(), *by_org = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(f[3], k, v)   /* jansson keeps insertion order: sort */
		json_array_append_new(by_month, json_pack("{s:s, s:O}", "month", k, "count", v));
	size_t nm = json_array_size(by_month);
	for (size_t i = 1; i < nm; i++)
		for (size_t j = i; j > 0 && strcmp(json_string_value(json_object_get(
			json_array_get(by_month, j - 1), "month")), json_string_value(
			json_object_get(json_array_get(by_month, j), "month"))) > 0; j--) {
			json_t *a = json_incref(json_array_get(by_month, j - 1));
			json_array_set(by_month, j - 1, json_array_get(by_month, j));
			json_array_set_new(by_month, j, a);
		}
	json_object_foreach(f[4], k, v)
		json_array_append(by_org, v);
	out = json_pack("{s:O, s:O, s:O, s:o, s:o, s:I, s:I, s:I, s:I}", "by_status", f[0],
			"by_severity", f[1], "by_type", f[2], "by_month", by_month,
			"by_org", by_org, "open", (json_int_t)open, "overdue", (json_int_t)overdue,
			"due_soon", (json_int_t)due_soon, "total", (json_int_t)total);
out:
	for (int i = 0; i < 5; i++)
		json_decref(f[i]);
	return out;
}
