/*
 * incident.c - the incident process: vocabularies, the transition table,
 * filing, reading, listing, moving and editing incidents, and the legal
 * clocks (regulation.md §2 and §13).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_int.h"
#include "../asset/asset.h"
#include "../directory/audit.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "../../base/buf.h"
#include "../../base/crypto.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

/* ---- vocabularies ---- */

const struct label incident_state_labels[] = {
	{ "received", "Tiếp nhận", "Received" },
	{ "acknowledged", "Đã xác nhận tiếp nhận", "Acknowledged" },
	{ "verified", "Đã xác minh", "Verified" },
	{ "rejected", "Từ chối", "Rejected" },
	{ "classified", "Đã phân loại", "Classified" },
	{ "containing", "Ngăn chặn", "Containing" },
	{ "eradicating", "Gỡ bỏ", "Eradicating" },
	{ "recovering", "Khôi phục", "Recovering" },
	{ "reviewing", "Tổng kết", "Reviewing" },
	{ "closed", "Đã đóng", "Closed" },
	{ NULL, NULL, NULL },
};

/* regulation.md §7, the rows of Mẫu 05. */
const struct label incident_type_labels[] = {
	{ "dos", "Từ chối dịch vụ", "Denial of service" },
	{ "phishing", "Tấn công giả mạo", "Spoofing / phishing" },
	{ "malware", "Tấn công sử dụng mã độc", "Malware" },
	{ "intrusion", "Truy cập trái phép, chiếm quyền điều khiển", "Intrusion / takeover" },
	{ "defacement", "Thay đổi giao diện", "Defacement" },
	{ "encryption", "Mã hóa phần mềm, dữ liệu, thiết bị", "Encryption of software, data, devices" },
	{ "destruction", "Phá hoại thông tin, dữ liệu, phần mềm", "Destruction of information, data, software" },
	{ "espionage", "Nghe trộm, gián điệp, lấy cắp thông tin, dữ liệu", "Eavesdropping, espionage, data theft" },
	{ "combined", "Tấn công tổng hợp", "Combined attack" },
	{ "other", "Các hình thức tấn công khác", "Other attacks" },
	{ NULL, NULL, NULL },
};

const struct label severity_labels[] = {
	{ "low", "Thấp", "Low" },
	{ "medium", "Trung bình", "Medium" },
	{ "high", "Cao", "High" },
	{ "critical", "Rất cao", "Critical" },
	{ NULL, NULL, NULL },
};

const struct label deadline_labels[] = {
	{ "ack", "Xác nhận tiếp nhận", "Acknowledge receipt" },
	{ "notification", "Thông báo sự cố", "Incident notification" },
	{ "initial_report", "Báo cáo ban đầu (Mẫu 03)", "Initial report (form 03)" },
	{ "closing_report", "Báo cáo kết thúc (Mẫu 04)", "Closing report (form 04)" },
	{ NULL, NULL, NULL },
};

const struct label report_kind_labels[] = {
	{ "notification", "Thông báo sự cố", "Incident notification" },
	{ "initial", "Báo cáo ban đầu (Mẫu 03)", "Initial report (form 03)" },
	{ "progress", "Báo cáo diễn biến", "Progress report" },
	{ "plan", "Phương án ứng cứu", "Response plan" },
	{ "direction_request", "Xin ý kiến chỉ đạo", "Request for direction" },
	{ "closing", "Báo cáo kết thúc (Mẫu 04)", "Closing report (form 04)" },
	{ NULL, NULL, NULL },
};

const struct label observable_kind_labels[] = {
	{ "ip", "Địa chỉ IP", "IP address" },
	{ "domain", "Tên miền", "Domain" },
	{ "url", "Đường dẫn URL", "URL" },
	{ "hash", "Mã băm tệp", "File hash" },
	{ "email", "Địa chỉ email", "Email address" },
	{ "filename", "Tên tệp", "File name" },
	{ NULL, NULL, NULL },
};

const char *const tlp_labels[] = {
	"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED", NULL
};

static const char *const state_codes[] = {
	"received", "acknowledged", "verified", "rejected", "classified",
	"containing", "eradicating", "recovering", "reviewing", "closed", NULL
};
static const char *const type_codes[] = {
	"dos", "phishing", "malware", "intrusion", "defacement", "encryption",
	"destruction", "espionage", "combined", "other", NULL
};
static const char *const severity_codes[] = { "low", "medium", "high", "critical", NULL };

/*
 * The transition table of regulation.md §13. A row: from, to, the roles any
 * of which may make the move, what the body must carry.
 */
const struct transition incident_transitions[] = {
	{ ST_RECEIVED, ST_ACKNOWLEDGED, ROLE_COORDINATOR, 0 },
	{ ST_ACKNOWLEDGED, ST_VERIFIED, ROLE_COORDINATOR, 0 },
	{ ST_ACKNOWLEDGED, ST_REJECTED, ROLE_COORDINATOR, NEED_REASON },
	{ ST_VERIFIED, ST_CLASSIFIED, ROLE_COORDINATOR, NEED_SEVERITY },
	{ ST_CLASSIFIED, ST_CONTAINING, ROLE_COORDINATOR | ROLE_RESPONDER, 0 },
	{ ST_CONTAINING, ST_ERADICATING, ROLE_RESPONDER, 0 },
	{ ST_ERADICATING, ST_RECOVERING, ROLE_RESPONDER, 0 },
	{ ST_RECOVERING, ST_CONTAINING, ROLE_RESPONDER, 0 },   /* unstable: back */
	{ ST_RECOVERING, ST_REVIEWING, ROLE_COORDINATOR, 0 },
	{ ST_REVIEWING, ST_CLOSED, ROLE_COORDINATOR, NEED_CLOSING },
	{ ST_REJECTED, ST_RECEIVED, ROLE_COORDINATOR, NEED_REASON },    /* reopen */
	{ ST_CLOSED, ST_CONTAINING, ROLE_COORDINATOR, NEED_REASON },    /* reopen */
};
const size_t incident_transitions_count =
	sizeof(incident_transitions) / sizeof(incident_transitions[0]);

int incident_state_from(const char *code)
{
	return jv_enum_index(state_codes, code);
}

const struct transition *incident_transition_find(int from, int to)
{
	for (size_t i = 0; i < incident_transitions_count; i++)
		if (incident_transitions[i].from == from && incident_transitions[i].to == to)
			return &incident_transitions[i];
	return NULL;
}

int tlp_rank(const char *label)
{
	return jv_enum_index(tlp_labels, label);
}

const char *inc_scope_path(const struct ctx *c)
{
	return c->actor->system ? "/" : c->actor->org_path;
}

const char *inc_scope_user(const struct ctx *c)
{
	return c->actor->id;
}

/* ---- the initial report (Mẫu 03) ---- */

static const struct jv_field person_fields[] = {
	{ "name", JV_STRING, 0, 0, 200, NULL, NULL },
	{ "address", JV_STRING, 0, 0, 300, NULL, NULL },
	{ "position", JV_STRING, 0, 0, 200, NULL, NULL },
	{ "phone", JV_STRING, 0, 0, 50, NULL, NULL },
	{ "email", JV_STRING, 0, 0, 200, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field system_fields[] = {
	{ "name", JV_STRING, 0, 0, 300, NULL, NULL },
	{ "operator", JV_STRING, 0, 0, 300, NULL, NULL },
	{ "owner", JV_STRING, 0, 0, 300, NULL, NULL },
	{ "level", JV_INT, 0, 1, 5, NULL, NULL },
	{ "domains", JV_STRINGS, 0, 0, 0, NULL, NULL },
	{ "ips", JV_STRINGS, 0, 0, 0, NULL, NULL },
	{ "security_provider", JV_STRING, 0, 0, 300, NULL, NULL },
	{ "connectivity_provider", JV_STRING, 0, 0, 300, NULL, NULL },
	{ "system_id", JV_UUID, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const char *const detection_kinds[] = { "ids", "log_review", "notified", "other", NULL };
static const struct jv_field detection_fields[] = {
	{ "kind", JV_ENUM, 1, 0, 0, detection_kinds, NULL },
	{ "detail", JV_STRING, 0, 0, 500, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const char *const service_kinds[] = { "web", "mail", "db", "other", NULL };
static const char *const measure_kinds[] = { "antivirus", "firewall", "ids", "other", NULL };
static const struct jv_field details_fields[] = {
	{ "os", JV_STRING, 0, 0, 300, NULL, NULL },
	{ "services", JV_ENUMS, 0, 0, 4, service_kinds, NULL },
	{ "services_other", JV_STRING, 0, 0, 300, NULL, NULL },
	{ "measures", JV_ENUMS, 0, 0, 4, measure_kinds, NULL },
	{ "measures_other", JV_STRING, 0, 0, 300, NULL, NULL },
	{ "public_ips", JV_STRINGS, 0, 0, 0, NULL, NULL },
	{ "domains", JV_STRINGS, 0, 0, 0, NULL, NULL },
	{ "purpose", JV_STRING, 0, 0, 1000, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const char *const handling_kinds[] = { "handled", "not_handled", NULL };
static const char *const notified_kinds[] = { "network_member", "isp", "coordinator", NULL };

/* The optional groups kept together in incidents.form. */
static const char *const form_keys[] = {
	"reporter", "contact", "system", "handling_status", "detection_method",
	"notified", "details", "support_needed", NULL
};

#define INCIDENT_COMMON_FIELDS \
	{ "reporter", JV_OBJECT, 0, 0, 0, NULL, person_fields }, \
	{ "contact", JV_OBJECT, 0, 0, 0, NULL, person_fields }, \
	{ "system", JV_OBJECT, 0, 0, 0, NULL, system_fields }, \
	{ "handling_status", JV_ENUM, 0, 0, 0, handling_kinds, NULL }, \
	{ "detection_method", JV_OBJECT, 0, 0, 0, NULL, detection_fields }, \
	{ "notified", JV_ENUMS, 0, 0, 3, notified_kinds, NULL }, \
	{ "details", JV_OBJECT, 0, 0, 0, NULL, details_fields }, \
	{ "confidential", JV_BOOL, 0, 0, 0, NULL, NULL }, \
	{ "tlp", JV_ENUM, 0, 0, 0, tlp_labels, NULL }, \
	{ "support_needed", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL }

static const struct jv_field create_fields[] = {
	{ "title", JV_STRING, 1, 0, LIMIT_SHORT_TEXT, NULL, NULL },
	{ "description", JV_STRING, 1, 0, LIMIT_LONG_TEXT, NULL, NULL },
	{ "detected_at", JV_TIME, 1, 0, 0, NULL, NULL },
	{ "type", JV_ENUM, 1, 0, 0, type_codes, NULL },
	{ "org_code", JV_STRING, 0, 0, 64, NULL, NULL },
	INCIDENT_COMMON_FIELDS,
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field update_fields[] = {
	{ "title", JV_STRING, 0, 0, LIMIT_SHORT_TEXT, NULL, NULL },
	{ "description", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL },
	{ "detected_at", JV_TIME, 0, 0, 0, NULL, NULL },
	INCIDENT_COMMON_FIELDS,
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field closing_fields[] = {
	{ "summary", JV_STRING, 1, 0, LIMIT_LONG_TEXT, NULL, NULL },
	{ "cause", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL },
	{ "resolution", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL },
	{ "proposals", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL },
	{ "damage", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field transition_fields[] = {
	{ "to", JV_ENUM, 1, 0, 0, state_codes, NULL },
	{ "reason", JV_STRING, 0, 0, 2000, NULL, NULL },
	{ "severity", JV_ENUM, 0, 0, 0, severity_codes, NULL },
	{ "type", JV_ENUM, 0, 0, 0, type_codes, NULL },
	{ "serious", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ "escalate", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ "closing_report", JV_OBJECT, 0, 0, 0, NULL, closing_fields },
	{ "note", JV_STRING, 0, 0, 2000, NULL, NULL },
	/* Closing with open tasks or support requests: 409 listing them
	 * unless this says the person saw the list and closes anyway. */
	{ "confirm_open_work", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* Allowed clock skew for a detection time "in the future". */
#define FUTURE_SKEW_MS (10 * 60 * 1000)

static int check_detected(json_t *body, struct err *e)
{
	int64_t at;
	const char *s = jv_str(body, "detected_at");
	if (s && time_parse(s, &at) == 0 && at > time_now_ms() + FUTURE_SKEW_MS)
		return err_field(e, "/detected_at", MSG_TIME_IN_FUTURE, NULL);
	return 0;
}

/* The TLP an incident gets: asked-for or AMBER; "giữ bí mật" forces >= AMBER
 * (regulation.md §11). */
static const char *choose_tlp(const char *asked, int confidential)
{
	const char *t = asked ? asked : "AMBER";
	if (confidential && tlp_rank(t) < tlp_rank("AMBER"))
		t = "AMBER";
	return t;
}

static json_t *form_from(json_t *body, json_t *base)
{
	json_t *form = base ? json_deep_copy(base) : json_object();
	for (int i = 0; form_keys[i]; i++) {
		json_t *v = json_object_get(body, form_keys[i]);
		if (v == NULL)
			continue;
		if (json_is_null(v))
			json_object_del(form, form_keys[i]);
		else
			json_object_set(form, form_keys[i], v);
	}
	return form;
}

/* The next number of the year: PQ-2026-0007. Inside the write transaction. */
static int next_number(struct ctx *c, char out[32], struct err *e)
{
	char name[48];
	int year = time_local_year(time_now_ms());
	snprintf(name, sizeof(name), "incident:%d", year);
	if (store_run(c->db, e, "INSERT INTO counters (name, value) VALUES ($1, 1) "
		      "ON CONFLICT (name) DO UPDATE SET value = counters.value + 1",
		      "t", name) < 0)
		return -1;
	struct stmt *st = store_query(c->db, e, "SELECT value FROM counters WHERE name = $1",
				      "t", name);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	long long n = rc == 1 ? stmt_int(st, 0) : 0;
	stmt_done(st);
	if (rc != 1)
		return -1;
	snprintf(out, 32, "%s-%d-%04lld", c->rules->number_prefix, year, n);
	return 0;
}

int inc_insert(struct ctx *c, const struct org *o, json_t *body, const char *tlp,
	       int confidential, const char *form_text, int64_t detected, const char *created_by,
	       char id[UUID_LEN], char number[32], struct err *e)
{
	int64_t now = time_now_ms();
	uuid7(id);
	if (next_number(c, number, e) != 0 ||
	    store_run(c->db, e, "INSERT INTO incidents (id, number, org_id, title, description, "
		      "type, status, version, rev, tlp, confidential, form, detected_at, created_at, "
		      "updated_at, created_by) VALUES ($1,$2,$3,$4,$5,$6,'received',1,1,$7,$8,$9,"
		      "$10,$11,$11,$12)", "tttttttitiit", id, number, o->id,
		      jv_str(body, "title"), jv_str(body, "description"), jv_str(body, "type"),
		      tlp, (int64_t)confidential, form_text, detected, now, created_by) < 0 ||
	    deadline_start(c, id, "ack", now + c->rules->ack_ms, 1, e) != 0 ||
	    inc_event(c, id, "created", json_pack("{s:s}", "number", number), e) != 0 ||
	    inc_event_hook(c, "created", id, NULL, e) != 0)
		return -1;
	return 0;
}

/* Subscribers, in the order registered (incident_on_event); set at
 * start-up before any thread, never changed after. */
static incident_event_fn event_hooks[HOOKS_MAX];
static size_t event_hooks_n;

void incident_on_event(incident_event_fn fn)
{
	HOOK_ADD(event_hooks, event_hooks_n, fn);
}

int inc_event_hook(struct ctx *c, const char *kind, const char *incident_id,
		   const char *user_id, struct err *e)
{
	for (size_t k = 0; k < event_hooks_n; k++)
		if (event_hooks[k](c, kind, incident_id, user_id, e) != 0)
			return -1;
	return 0;
}

json_t *incident_create(struct ctx *c, json_t *body, struct err *e)
{
	struct org o;
	char id[UUID_LEN], number[32];
	int64_t detected;
	json_t *form = NULL, *out = NULL;
	char *form_text = NULL;

	if (policy_check(c->actor, ACT_INCIDENT_CREATE, NULL, e) != 0)
		return NULL;
	if (jv_validate(body, create_fields, "", e) != 0 || check_detected(body, e) != 0)
		return NULL;
	const char *org_code = jv_str(body, "org_code");
	/* A lookup that failed for the database (a restart, a failover) says
	 * so (503), not that the field is wrong. */
	if (org_code) {
		if (org_by_code(c, org_code, &o, e) != 0 || !policy_in_scope(c->actor, o.path)) {
			if (e->code != E_OK && e->code != E_NOTFOUND)
				return NULL;
			err_clear(e);
			err_field(e, "/org_code", MSG_ORG_OUT_OF_SCOPE, org_code);
			return NULL;
		}
	} else if (org_by_id(c, c->actor->org_id, &o, e) != 0) {
		if (e->code != E_NOTFOUND)
			return NULL;
		err_clear(e);
		err_field(e, "/org_code", MSG_REQUIRED, NULL);
		return NULL;
	}
	/* a registered system named must be the organisation's own */
	if (system_check(c, jv_str(json_object_get(body, "system"), "system_id"), o.path,
			 "/system/system_id", e) != 0)
		return NULL;
	time_parse(jv_str(body, "detected_at"), &detected);
	int confidential = jv_bool(body, "confidential", 0);
	const char *tlp = choose_tlp(jv_str(body, "tlp"), confidential);
	form = form_from(body, NULL);
	form_text = json_dumps(form, JSON_COMPACT);

	if (store_begin(c->db, e) != 0)
		goto out;
	if (inc_insert(c, &o, body, tlp, confidential, form_text, detected,
		       c->actor->system ? NULL : c->actor->id, id, number, e) != 0)
		goto fail;
	out = inc_render(c, id, 0, e);
	if (out == NULL || audit_append_json(c, "incident.create", "incident", id, NULL,
					     out, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	goto out;
fail:
	store_rollback(c->db);
	json_decref(out);
	out = NULL;
out:
	free(form_text);
	json_decref(form);
	return out;
}

/* ---- loading and rendering ---- */

int inc_load(struct ctx *c, const char *id, int action, struct inc_head *h,
	     struct err *e)
{
	if (!uuid_valid(id))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	struct stmt *st = store_query(c->db, e, "SELECT i.id, i.number, i.status, i.version, "
		"i.org_id, o.path, i.detected_at, CASE WHEN EXISTS (SELECT 1 FROM "
		"support_requests s JOIN orgs so ON so.id = s.to_org_id WHERE s.incident_id = "
		"i.id AND so.path = $2 AND s.status IN " SUPPORT_OPEN ") THEN 1 ELSE 0 END "
		"FROM incidents i JOIN orgs o ON o.id = i.org_id WHERE i.id = $1", "tt",
		id, inc_scope_path(c));
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(h->id, sizeof(h->id), "%s", stmt_text(st, 0));
		snprintf(h->number, sizeof(h->number), "%s", stmt_text(st, 1));
		h->status = incident_state_from(stmt_text(st, 2));
		h->version = stmt_int(st, 3);
		snprintf(h->org_id, sizeof(h->org_id), "%s", stmt_text(st, 4));
		snprintf(h->org_path, sizeof(h->org_path), "%s", stmt_text(st, 5));
		h->detected_at = stmt_int(st, 6);
		h->support = (int)stmt_int(st, 7);
	}
	stmt_done(st);
	if (rc <= 0)
		return rc < 0 ? -1 : err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	/* Reading comes first: out of scope is "not found" whatever the action. */
	struct policy_target t = { .org_path = h->org_path, .support = h->support };
	if (policy_check(c->actor, ACT_INCIDENT_READ, &t, e) != 0)
		return -1;
	if (action != ACT_INCIDENT_READ && action != ACT_INCIDENT_TRANSITION &&
	    policy_check(c->actor, action, &t, e) != 0)
		return -1;
	return 0;
}

int inc_event(struct ctx *c, const char *incident_id, const char *kind,
	      json_t *data, struct err *e)
{
	char id[UUID_LEN];
	char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
	int64_t now = time_now_ms();
	json_decref(data);
	int rc = store_run(c->db, e, "INSERT INTO events (id, incident_id, at, actor_id, kind, "
			   "data) VALUES ($1, $2, $3, $4, $5, $6)", "ttitt" "t", uuid7(id),
			   incident_id, now, c->actor->system ? NULL : c->actor->id, kind,
			   text ? text : "{}");
	free(text);
	if (rc < 0)
		return -1;
	return store_run(c->db, e, "UPDATE incidents SET rev = rev + 1, updated_at = $1 "
			 "WHERE id = $2", "it", now, incident_id) < 0 ? -1 : 0;
}

int deadline_start(struct ctx *c, const char *incident_id, const char *kind,
		   int64_t due, int replace, struct err *e)
{
	const char *sql = replace
		? "INSERT INTO deadlines (incident_id, kind, due_at, met_at) VALUES ($1,$2,$3,NULL) "
		  "ON CONFLICT (incident_id, kind) DO UPDATE SET due_at = excluded.due_at, met_at = NULL"
		: "INSERT INTO deadlines (incident_id, kind, due_at, met_at) VALUES ($1,$2,$3,NULL) "
		  "ON CONFLICT (incident_id, kind) DO NOTHING";
	if (store_run(c->db, e, sql, "tti", incident_id, kind, due) < 0)
		return -1;
	/* A report sent before its clock started (a notification filed while
	 * the incident was only acknowledged) already meets it. Not so for the
	 * closing report: after a reopening the old one no longer counts. */
	const char *report = strcmp(kind, "notification") == 0 ? "notification"
			   : strcmp(kind, "initial_report") == 0 ? "initial" : NULL;
	if (report == NULL)
		return 0;
	return store_run(c->db, e, "UPDATE deadlines SET met_at = (SELECT MIN(r.sent_at) FROM "
			 "reports r WHERE r.incident_id = $1 AND r.kind = $2) WHERE incident_id = $1 "
			 "AND kind = $3 AND met_at IS NULL AND EXISTS (SELECT 1 FROM reports r WHERE "
			 "r.incident_id = $1 AND r.kind = $2)", "ttt", incident_id, report, kind) < 0
		? -1 : 0;
}

int deadline_meet(struct ctx *c, const char *incident_id, const char *kind,
		  int64_t at, struct err *e)
{
	return store_run(c->db, e, "UPDATE deadlines SET met_at = $1 WHERE incident_id = $2 "
			 "AND kind = $3 AND met_at IS NULL", "itt", at, incident_id, kind) < 0
		? -1 : 0;
}

static json_t *time_json(struct stmt *st, int col)
{
	char buf[TIME_RFC3339_LEN];
	if (stmt_isnull(st, col))
		return json_null();
	return json_string(time_format_utc(stmt_int(st, col), buf));
}

static json_t *parse_text(const char *s)
{
	json_t *j = s ? json_loads(s, 0, NULL) : NULL;
	return j ? j : json_null();
}

const char *deadline_state(int status, const char *kind, int met, int64_t due, int64_t now)
{
	if (met)
		return "met";
	/* The same rule as DL_RUNNING: a closed incident still owes its
	 * closing report until it is recorded as sent; nothing else runs. */
	int running = (status != ST_CLOSED && status != ST_REJECTED) ||
		      (status == ST_CLOSED && strcmp(kind, "closing_report") == 0);
	if (!running)
		return "missed";
	return due < now ? "overdue" : "running";
}

static json_t *render_deadlines(struct ctx *c, const char *id, int status, struct err *e)
{
	json_t *list = json_array();
	int64_t now = time_now_ms();
	struct stmt *st = store_query(c->db, e, "SELECT kind, due_at, met_at FROM deadlines "
				      "WHERE incident_id = $1 ORDER BY due_at", "t", id);
	if (st == NULL) {
		json_decref(list);
		return NULL;
	}
	while (stmt_step(st, e) == 1) {
		int64_t due = stmt_int(st, 1);
		const char *state = deadline_state(status, stmt_text(st, 0), !stmt_isnull(st, 2),
						   due, now);
		int running = strcmp(state, "running") == 0;
		json_array_append_new(list, json_pack("{s:s, s:o, s:o, s:s, s:b, s:b}",
			"kind", stmt_text(st, 0), "due_at", time_json(st, 1),
			"met_at", time_json(st, 2), "state", state,
			"overdue", strcmp(state, "overdue") == 0,
			"due_soon", running && due - now < DEADLINE_SOON_MS));
	}
	stmt_done(st);
	return list;
}

/* The record actions the caller may take on an incident, each asked of
 * policy_check (the roles, and what an organisation that sees the incident
 * only through an open support request may do), so that a form is offered
 * only to whom the server will take it from. */
static json_t *may_for(const struct ctx *c, int status, const char *org_path)
{
	static const struct { const char *key; int action; } acts[] = {
		{ "comment", ACT_INCIDENT_COMMENT }, { "observable", ACT_INCIDENT_NOTE },
		{ "attachment", ACT_INCIDENT_NOTE }, { "task", ACT_INCIDENT_TASK },
		{ "report", ACT_INCIDENT_REPORT }, { "assign", ACT_INCIDENT_ASSIGN },
		{ "support", ACT_SUPPORT_OPEN }, { "edit", ACT_INCIDENT_UPDATE },
	};
	/* Outside the actor's subtree the incident is seen only through an
	 * open support request (policy.h). */
	struct policy_target t = { .org_path = org_path,
				   .support = !policy_in_scope(c->actor, org_path) };
	json_t *m = json_object();
	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		struct err e = { 0 };
		int ok = policy_check(c->actor, acts[i].action, &t, &e) == 0;
		/* the states in which the server takes the record at all */
		if (acts[i].action == ACT_SUPPORT_OPEN)
			ok = ok && status != ST_RECEIVED && status != ST_REJECTED &&
			     status != ST_REVIEWING && status != ST_CLOSED;
		if (acts[i].action == ACT_INCIDENT_UPDATE)
			ok = ok && status != ST_CLOSED;
		json_object_set_new(m, acts[i].key, json_boolean(ok));
	}
	return m;
}

/* Transitions belong to the incident's side: an organisation that sees it
 * only because it was asked for support gets none (policy.h). */
static json_t *allowed_for(const struct ctx *c, int status, const char *org_path)
{
	json_t *a = json_array();
	for (size_t i = 0; i < incident_transitions_count; i++) {
		const struct transition *t = &incident_transitions[i];
		if (t->from == status && (c->actor->roles & t->roles) &&
		    policy_in_scope(c->actor, org_path))
			json_array_append_new(a, json_string(state_codes[t->to]));
	}
	return a;
}

#define INC_SELECT "SELECT i.id, i.number, i.title, i.description, i.type, i.severity, " \
	"i.serious, i.escalate, i.status, i.version, i.tlp, i.confidential, i.form, " \
	"i.reject_reason, i.closing_report, i.detected_at, i.created_at, i.updated_at, " \
	"o.id, o.code, o.name, o.kind, u.id, u.username, u.full_name, i.rev, o.path, " \
	"sm.instance, sm.org_code, sm.org_name " \
	"FROM incidents i JOIN orgs o ON o.id = i.org_id " \
	"LEFT JOIN users u ON u.id = i.created_by " \
	"LEFT JOIN sync_mirrors sm ON sm.incident_id = i.id "

static json_t *render_row(struct ctx *c, struct stmt *st, struct err *e)
{
	const char *id = stmt_text(st, 0), *sev = stmt_text(st, 5);
	int status = incident_state_from(stmt_text(st, 8));
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:s, s:I, s:s, s:b, "
		"s:o, s:o, s:o, s:o, s:o, s:{s:s, s:s, s:s, s:s}}",
		"id", id, "number", stmt_text(st, 1), "title", stmt_text(st, 2),
		"description", stmt_text(st, 3), "type", stmt_text(st, 4),
		"severity", sev ? json_string(sev) : json_null(),
		"serious", (int)stmt_int(st, 6), "escalate", (int)stmt_int(st, 7),
		"status", stmt_text(st, 8), "version", (json_int_t)stmt_int(st, 9),
		"tlp", stmt_text(st, 10), "confidential", (int)stmt_int(st, 11),
		"reject_reason", stmt_isnull(st, 13) ? json_null() : json_string(stmt_text(st, 13)),
		"closing_report", parse_text(stmt_text(st, 14)),
		"detected_at", time_json(st, 15), "created_at", time_json(st, 16),
		"updated_at", time_json(st, 17),
		"org", "id", stmt_text(st, 18), "code", stmt_text(st, 19),
		"name", stmt_text(st, 20), "kind", stmt_text(st, 21));
	if (j == NULL)
		return NULL;
	/* An incident of another instance's queue mirrored here (issue 16):
	 * where it came from. Its records are that instance's; ours answer. */
	json_object_set_new(j, "mirror", stmt_isnull(st, 27) ? json_null() :
		json_pack("{s:s, s:s, s:s}", "instance", stmt_text(st, 27),
			  "org_code", stmt_text(st, 28), "org_name", stmt_text(st, 29)));
	json_object_set_new(j, "created_by", stmt_isnull(st, 22) ? json_null() :
		json_pack("{s:s, s:s, s:s}", "id", stmt_text(st, 22),
			  "username", stmt_text(st, 23), "full_name", stmt_text(st, 24)));
	json_t *form = parse_text(stmt_text(st, 12));
	for (int i = 0; form_keys[i]; i++) {
		json_t *v = json_object_get(form, form_keys[i]);
		json_object_set(j, form_keys[i], v ? v : json_null());
	}
	json_decref(form);
	json_object_set_new(j, "allowed_transitions", allowed_for(c, status, stmt_text(st, 26)));
	json_object_set_new(j, "may", may_for(c, status, stmt_text(st, 26)));
	if (!stmt_isnull(st, 27)) {
		/* a mirror: its sender moves and edits it (not_mirror) */
		json_object_set_new(j, "allowed_transitions", json_array());
		json_object_set_new(json_object_get(j, "may"), "edit", json_false());
	}
	json_t *d = render_deadlines(c, id, status, e);
	json_object_set_new(j, "deadlines", d ? d : json_array());
	int overdue = 0;
	size_t k;
	json_t *dl;
	json_array_foreach(json_object_get(j, "deadlines"), k, dl)
		overdue |= json_is_true(json_object_get(dl, "overdue"));
	json_object_set_new(j, "overdue", json_boolean(overdue));
	return j;
}

/* For the queue (incident_queue.c): the same columns and the same form. */
const char inc_select_sql[] = INC_SELECT;

json_t *inc_render_row(struct ctx *c, struct stmt *st, struct err *e)
{
	return render_row(c, st, e);
}

static json_t *user_ref(struct stmt *st, int col)
{
	if (stmt_isnull(st, col))
		return json_null();
	return json_pack("{s:s, s:s, s:s}", "id", stmt_text(st, col),
			 "username", stmt_text(st, col + 1), "full_name", stmt_text(st, col + 2));
}

static json_t *event_row(struct stmt *st)
{
	return json_pack("{s:s, s:o, s:s, s:o, s:o}", "id", stmt_text(st, 0),
			 "at", time_json(st, 1), "kind", stmt_text(st, 2),
			 "data", parse_text(stmt_text(st, 3)), "actor", user_ref(st, 4));
}

static json_t *support_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:{s:s, s:s, s:s, s:s}, s:s}",
		"id", stmt_text(st, 0), "summary", stmt_text(st, 1),
		"help_needed", stmt_text(st, 2), "urgency", stmt_text(st, 3),
		"due_at", time_json(st, 4), "status", stmt_text(st, 5), "note", stmt_text(st, 6),
		"created_at", time_json(st, 7), "updated_at", time_json(st, 8),
		"created_by", user_ref(st, 13),
		"to_org", "id", stmt_text(st, 9), "code", stmt_text(st, 10),
		"name", stmt_text(st, 11), "kind", stmt_text(st, 12), "_path", stmt_text(st, 16));
}

/* What the caller may do with each support request: the asked organisation
 * (itself, not one above it) accepts or declines a sent one; either side
 * marks an accepted one done (the same rule as incident_support_transition). */
static void support_actions(struct ctx *c, json_t *list)
{
	size_t i;
	json_t *sr;
	int may = (c->actor->roles & policy_roles(ACT_SUPPORT_ANSWER)) != 0;
	json_array_foreach(list, i, sr) {
		const char *status = json_string_value(json_object_get(sr, "status"));
		const char *path = json_string_value(json_object_get(sr, "_path"));
		json_t *a = json_array();
		if (may && strcmp(status, "sent") == 0 &&
		    (c->actor->system || strcmp(c->actor->org_path, path) == 0)) {
			json_array_append_new(a, json_string("accepted"));
			json_array_append_new(a, json_string("declined"));
		} else if (may && strcmp(status, "accepted") == 0) {
			json_array_append_new(a, json_string("done"));
		}
		json_object_set_new(sr, "allowed_transitions", a);
		json_object_del(sr, "_path");
	}
}

static json_t *report_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}",
		"id", stmt_text(st, 0), "kind", stmt_text(st, 1), "recipient", stmt_text(st, 2),
		"channel", stmt_text(st, 3), "reference", stmt_text(st, 4), "body", stmt_text(st, 5),
		"sent_at", time_json(st, 6), "created_at", time_json(st, 7),
		"created_by", user_ref(st, 8));
}

static json_t *task_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:o, s:b, s:o, s:o, s:o}",
		"id", stmt_text(st, 0), "title", stmt_text(st, 1), "due_at", time_json(st, 2),
		"done", (int)stmt_int(st, 3), "created_at", time_json(st, 4),
		"assignee", user_ref(st, 5), "created_by", user_ref(st, 8));
}

static json_t *observable_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}",
		"id", stmt_text(st, 0), "kind", stmt_text(st, 1), "value", stmt_text(st, 2),
		"tlp", stmt_text(st, 3), "note", stmt_text(st, 4), "created_at", time_json(st, 5),
		"created_by", user_ref(st, 6));
}

static json_t *comment_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:s}", "id", stmt_text(st, 0),
		"body", stmt_text(st, 1), "created_at", time_json(st, 2),
		"created_by", user_ref(st, 3), "kind", stmt_text(st, 6));
}

static json_t *attachment_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:o, s:o}",
		"id", stmt_text(st, 0), "name", stmt_text(st, 1),
		"content_type", stmt_text(st, 2), "size", (json_int_t)stmt_int(st, 3),
		"sha256", stmt_text(st, 4), "created_at", time_json(st, 5),
		"created_by", user_ref(st, 6));
}

static json_t *assignee_row(struct stmt *st)
{
	return user_ref(st, 0);
}

/* Who wrote the closing report (Mẫu 04): whoever last closed the incident.
 * The printed form names this person as reporter and signer. */
static int closing_author(struct ctx *c, json_t *j, const char *id, struct err *e)
{
	json_t *by = json_null();
	struct stmt *st = store_query(c->db, e, "SELECT u.id, u.username, u.full_name, u.email, "
		"u.phone, o.name, e.at FROM events e JOIN users u ON u.id = e.actor_id "
		"JOIN orgs o ON o.id = u.org_id WHERE e.incident_id = $1 AND e.kind = 'transition' "
		"AND e.data LIKE '%\"to\":\"closed\"%' ORDER BY e.id DESC LIMIT 1", "t", id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		by = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", stmt_text(st, 0),
			       "username", stmt_text(st, 1), "full_name", stmt_text(st, 2),
			       "email", stmt_text(st, 3), "phone", stmt_text(st, 4),
			       "org_name", stmt_text(st, 5), "at", time_json(st, 6));
	stmt_done(st);
	if (rc < 0) {
		json_decref(by);
		return -1;
	}
	json_object_set_new(j, "closing_report_by", by);
	return 0;
}

#define BY_USER(t, col) " LEFT JOIN users u ON u.id = " t "." col " "

static int render_full(struct ctx *c, json_t *j, const char *id, struct err *e)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "LIMIT %d", LIMIT_TIMELINE);
	if (rows_attach(c->db, j, "timeline", "SELECT e.id, e.at, e.kind, e.data, u.id, "
		"u.username, u.full_name FROM events e" BY_USER("e", "actor_id")
		"WHERE e.incident_id = $1 ORDER BY e.id LIMIT 2000", id, event_row, e) ||
	    rows_attach(c->db, j, "support_requests", "SELECT s.id, s.summary, s.help_needed, "
		"s.urgency, s.due_at, s.status, s.note, s.created_at, s.updated_at, o.id, o.code, "
		"o.name, o.kind, u.id, u.username, u.full_name, o.path FROM support_requests s "
		"JOIN orgs o ON o.id = s.to_org_id" BY_USER("s", "created_by")
		"WHERE s.incident_id = $1 ORDER BY s.id", id, support_row, e) ||
	    rows_attach(c->db, j, "reports", "SELECT r.id, r.kind, r.recipient, r.channel, "
		"r.reference, r.body, r.sent_at, r.created_at, u.id, u.username, u.full_name "
		"FROM reports r" BY_USER("r", "created_by") "WHERE r.incident_id = $1 ORDER BY r.id",
		id, report_row, e) ||
	    rows_attach(c->db, j, "tasks", "SELECT t.id, t.title, t.due_at, t.done, t.created_at, "
		"a.id, a.username, a.full_name, u.id, u.username, u.full_name FROM tasks t "
		"LEFT JOIN users a ON a.id = t.assignee_id" BY_USER("t", "created_by")
		"WHERE t.incident_id = $1 ORDER BY t.id", id, task_row, e) ||
	    rows_attach(c->db, j, "observables", "SELECT b.id, b.kind, b.value, b.tlp, b.note, "
		"b.created_at, u.id, u.username, u.full_name FROM observables b"
		BY_USER("b", "created_by") "WHERE b.incident_id = $1 ORDER BY b.id",
		id, observable_row, e) ||
	    rows_attach(c->db, j, "comments", "SELECT m.id, m.body, m.created_at, u.id, "
		"u.username, u.full_name, m.kind FROM comments m" BY_USER("m", "created_by")
		"WHERE m.incident_id = $1 ORDER BY m.id", id, comment_row, e) ||
	    rows_attach(c->db, j, "attachments", "SELECT a.id, a.name, a.content_type, a.size, "
		"a.sha256, a.created_at, u.id, u.username, u.full_name FROM attachments a"
		BY_USER("a", "created_by") "WHERE a.incident_id = $1 ORDER BY a.id",
		id, attachment_row, e) ||
	    rows_attach(c->db, j, "assignees", "SELECT u.id, u.username, u.full_name FROM "
		"assignees s JOIN users u ON u.id = s.user_id WHERE s.incident_id = $1 "
		"ORDER BY s.created_at", id, assignee_row, e))
		return -1;
	support_actions(c, json_object_get(j, "support_requests"));
	if (closing_author(c, j, id, e) != 0)
		return -1;
	/* "Seen before": each observable against the indicator store and the
	 * other incidents the reader sees. */
	size_t k;
	json_t *o;
	json_array_foreach(json_object_get(j, "observables"), k, o) {
		json_t *m = inc_observable_matches(c, id, jv_str(o, "kind"), jv_str(o, "value"), e);
		if (m == NULL)
			return -1;
		json_object_set_new(o, "matches", m);
	}
	return 0;
}

static const struct incident_indicators *indicators;

void incident_on_indicators(const struct incident_indicators *ops)
{
	indicators = ops;
}

int inc_observable_normalise(const char *kind, const char *value, char *out, size_t n)
{
	return indicators && indicators->normalise ? indicators->normalise(kind, value, out, n)
						    : -1;
}

int inc_observable_sighted(struct ctx *c, const char *incident_id, const char *org_id,
			   const char *observable_id, const char *kind, const char *value,
			   struct err *e)
{
	return indicators && indicators->sighted
		       ? indicators->sighted(c, incident_id, org_id, observable_id, kind, value, e)
		       : 0;
}

json_t *inc_observable_matches(struct ctx *c, const char *incident_id, const char *kind,
			       const char *value, struct err *e)
{
	json_t *inds = indicators && indicators->matching ? indicators->matching(c, kind, value, e)
							   : json_array();
	if (inds == NULL)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT DISTINCT n.id, n.number, n.title FROM "
		"observables b JOIN incidents n ON n.id = b.incident_id JOIN orgs o ON o.id = n.org_id "
		"WHERE b.kind = $1 AND b.value = $2 AND n.id <> $3 AND substr(o.path, 1, length($4)) = $4 "
		"ORDER BY n.number LIMIT 20", "tttt", kind, value, incident_id, inc_scope_path(c));
	json_t *incs = json_array();
	int rc = st ? 0 : -1;
	while (st && (rc = stmt_step(st, e)) == 1)
		json_array_append_new(incs, json_pack("{s:s, s:s, s:s}", "id", stmt_text(st, 0),
						      "number", stmt_text(st, 1), "title",
						      stmt_text(st, 2)));
	stmt_done(st);
	if (rc < 0) {
		json_decref(inds);
		json_decref(incs);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "indicators", inds, "incidents", incs);
}

json_t *inc_render(struct ctx *c, const char *id, int full, struct err *e)
{
	struct stmt *st = store_query(c->db, e, INC_SELECT "WHERE i.id = $1", "t", id);
	if (st == NULL)
		return NULL;
	json_t *j = NULL;
	int rc = stmt_step(st, e);
	if (rc == 1)
		j = render_row(c, st, e);
	else if (rc == 0)
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	stmt_done(st);
	if (j && full && render_full(c, j, id, e) != 0) {
		json_decref(j);
		return NULL;
	}
	json_t *dup = j && full ? inc_duplicates(c, id, e) : NULL;
	if (j && full && dup == NULL) {
		json_decref(j);
		return NULL;
	}
	if (dup) {
		json_object_update(j, dup);
		json_decref(dup);
	}
	return j;
}

json_t *incident_get(struct ctx *c, const char *id, int full, struct err *e)
{
	struct inc_head h;
	if (inc_load(c, id, ACT_INCIDENT_READ, &h, e) != 0)
		return NULL;
	return inc_render(c, h.id, full, e);
}

/* ---- transitions ---- */

static int needs_met(const struct transition *t, json_t *body, struct err *e)
{
	const char *reason = jv_str(body, "reason");
	if ((t->needs & NEED_REASON) && (reason == NULL || *reason == '\0'))
		err_field(e, "/reason", MSG_REQUIRED, NULL);
	if ((t->needs & NEED_SEVERITY) && jv_str(body, "severity") == NULL)
		err_field(e, "/severity", MSG_REQUIRED, NULL);
	if (t->needs & NEED_CLOSING) {
		json_t *cr = json_object_get(body, "closing_report");
		const char *summary = jv_str(cr, "summary");
		if (summary == NULL || *summary == '\0')
			err_field(e, "/closing_report/summary", MSG_REQUIRED, NULL);
	}
	return e->code ? -1 : 0;
}

/* Set once at start-up (incident_on_classify). */
static incident_classify_fn classify_hook;

void incident_on_classify(incident_classify_fn fn)
{
	classify_hook = fn;
}

/* An incident mirrored from another instance (sync_mirrors, issue 16) is
 * that instance's record: only it moves the incident or edits the report.
 * 0 ours, -1 with e (E_CONFLICT naming the instance) or a storage error. */
static int not_mirror(struct ctx *c, const char *id, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT instance FROM sync_mirrors WHERE "
				      "incident_id = $1", "t", id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		err_set(e, E_CONFLICT, MSG_INCIDENT_MIRRORED, stmt_text(st, 0));
	stmt_done(st);
	return rc == 0 ? 0 : -1;
}

/* Subscribers, in the order registered (incident_on_record). */
static incident_record_fn record_hooks[HOOKS_MAX];
static size_t record_hooks_n;

void incident_on_record(incident_record_fn fn)
{
	HOOK_ADD(record_hooks, record_hooks_n, fn);
}

int incident_record_hook(struct ctx *c, const char *incident_id, const char *kind,
			 const char *record_id, const json_t *rec, struct err *e)
{
	for (size_t k = 0; k < record_hooks_n; k++)
		if (record_hooks[k](c, incident_id, kind, record_id, rec, e) != 0)
			return -1;
	return 0;
}

/* After the classification is written: the hook sees the type it left. */
static int run_classify_hook(struct ctx *c, const struct inc_head *h, struct err *e)
{
	if (classify_hook == NULL)
		return 0;
	struct stmt *st = store_query(c->db, e, "SELECT type, form FROM incidents WHERE id = $1",
				      "t", h->id);
	if (st == NULL)
		return -1;
	char type[32] = "", sys[UUID_LEN] = "";
	int rc = stmt_step(st, e), has = 0;
	if (rc == 1 && stmt_text(st, 0)) {
		snprintf(type, sizeof(type), "%s", stmt_text(st, 0));
		has = 1;
	}
	if (rc == 1 && stmt_text(st, 1)) {
		json_t *form = json_loads(stmt_text(st, 1), 0, NULL);
		const char *s = jv_str(json_object_get(form, "system"), "system_id");
		if (s && uuid_valid(s))
			snprintf(sys, sizeof(sys), "%s", s);
		json_decref(form);
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	return classify_hook(c, h->id, h->org_id, sys[0] ? sys : NULL, has ? type : NULL, e);
}

/* The side effects of entering a state: fields and clocks (§13). */
static int apply_transition(struct ctx *c, const struct inc_head *h,
			    const struct transition *t, json_t *body, struct err *e)
{
	int64_t now = time_now_ms();
	const char *id = h->id;
	switch (t->to) {
	case ST_ACKNOWLEDGED:
		/* T1 counts from detection, so it runs while verification waits:
		 * an acknowledged incident shows it (regulation.md §13 starts it at
		 * verified; the due time is the same, only the display was empty). */
		if (deadline_meet(c, id, "ack", now, e) != 0)
			return -1;
		return deadline_start(c, id, "notification",
				      h->detected_at + c->rules->notification_ms, 0, e);
	case ST_VERIFIED:
		return deadline_start(c, id, "notification",
				      h->detected_at + c->rules->notification_ms, 0, e);
	case ST_REJECTED:
		/* Not an incident after all: nothing is owed to anyone. */
		if (store_run(c->db, e, "DELETE FROM deadlines WHERE incident_id = $1 AND "
			      "met_at IS NULL AND kind IN ('notification', 'initial_report')",
			      "t", id) < 0)
			return -1;
		return store_run(c->db, e, "UPDATE incidents SET reject_reason = $1 WHERE id = $2",
				 "tt", jv_str(body, "reason"), id) < 0 ? -1 : 0;
	case ST_CLASSIFIED: {
		int serious = jv_bool(body, "serious", 0);
		int escalate = jv_bool(body, "escalate", 0) || serious;
		const char *type = jv_str(body, "type");
		if (store_run(c->db, e, "UPDATE incidents SET severity = $1, serious = $2, "
			      "escalate = $3, type = COALESCE($4, type) WHERE id = $5", "tiitt",
			      jv_str(body, "severity"), (int64_t)serious, (int64_t)escalate,
			      type, id) < 0 || run_classify_hook(c, h, e) != 0)
			return -1;
		/* Beyond own capacity: the initial report (Mẫu 03) is due at once. */
		if (escalate)
			return deadline_start(c, id, "initial_report", now + c->rules->initial_ms, 0, e);
		return 0;
	}
	case ST_REVIEWING:
		return deadline_start(c, id, "closing_report", now + c->rules->closing_ms, 1, e);
	case ST_CLOSED: {
		/* Closing records the report as written (Mẫu 04). It is not sent
		 * yet: the closing-report clock is met only when a report of kind
		 * "closing" is recorded as sent, by whom, to whom and how
		 * (incident_add_report). */
		char *text = json_dumps(json_object_get(body, "closing_report"),
					JSON_COMPACT | JSON_SORT_KEYS);
		int rc = store_run(c->db, e, "UPDATE incidents SET closing_report = $1 WHERE id = $2",
				   "tt", text, id);
		free(text);
		return rc < 0 ? -1 : 0;
	}
	case ST_RECEIVED: /* reopened after a rejection: acknowledge again */
		if (store_run(c->db, e, "UPDATE incidents SET reject_reason = NULL, duplicate_of = NULL "
			      "WHERE id = $1",
			      "t", id) < 0)
			return -1;
		return deadline_start(c, id, "ack", now + c->rules->ack_ms, 1, e);
	case ST_CONTAINING:
		if (h->status == ST_CLOSED)   /* reopened: a new closing report will be due */
			return store_run(c->db, e, "DELETE FROM deadlines WHERE incident_id = $1 "
					 "AND kind = 'closing_report'", "t", id) < 0 ? -1 : 0;
		return 0;
	default:
		return 0;
	}
}

int inc_check_if_match(const struct inc_head *h, long long if_match, struct err *e)
{
	if (if_match < 0)
		return err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL);
	if (if_match != h->version)
		return err_set(e, E_PRECOND, MSG_STALE, NULL);
	return 0;
}

json_t *incident_transition(struct ctx *c, const char *id, long long if_match,
			    json_t *body, struct err *e)
{
	struct inc_head h;
	json_t *before = NULL, *after = NULL;

	if (inc_load(c, id, ACT_INCIDENT_TRANSITION, &h, e) != 0)
		return NULL;
	if (if_match < 0)
		return err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL), NULL;
	if (jv_validate(body, transition_fields, "", e) != 0)
		return NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	/* Re-read under the write lock: another coordinator may have moved it. */
	if (inc_load(c, id, ACT_INCIDENT_TRANSITION, &h, e) != 0 ||
	    inc_check_if_match(&h, if_match, e) != 0 || not_mirror(c, h.id, e) != 0)
		goto fail;
	int to = incident_state_from(jv_str(body, "to"));
	const struct transition *t = incident_transition_find(h.status, to);
	if (t == NULL) {
		err_set(e, E_CONFLICT, MSG_TRANSITION_DENIED, jv_str(body, "to"));
		goto fail;
	}
	struct policy_target pt = { .org_path = h.org_path, .support = h.support,
				    .roles = t->roles };
	if (policy_check(c->actor, ACT_INCIDENT_TRANSITION, &pt, e) != 0 ||
	    needs_met(t, body, e) != 0)
		goto fail;
	if (to == ST_CLOSED && !jv_bool(body, "confirm_open_work", 0) &&
	    inc_open_work_check(c, h.id, e) != 0)
		goto fail;
	before = inc_render(c, h.id, 0, e);
	if (before == NULL)
		goto fail;
	if (store_run(c->db, e, "UPDATE incidents SET status = $1, version = version + 1 "
		      "WHERE id = $2 AND version = $3", "tti", state_codes[to], h.id,
		      (int64_t)h.version) != 1 ||
	    apply_transition(c, &h, t, body, e) != 0)
		goto fail;
	json_t *data = json_pack("{s:s, s:s}", "from", state_codes[h.status], "to", state_codes[to]);
	static const char *const carried[] = { "reason", "severity", "type", "serious",
					       "escalate", "note", NULL };
	for (int i = 0; carried[i]; i++) {
		json_t *v = json_object_get(body, carried[i]);
		if (v && !json_is_null(v))
			json_object_set(data, carried[i], v);
	}
	json_t *moved = json_pack("{s:s, s:s}", "from", state_codes[h.status], "to", state_codes[to]);
	int hooked = inc_event(c, h.id, "transition", data, e) != 0 ? -1 :
		incident_record_hook(c, h.id, "transition", h.id, moved, e);
	json_decref(moved);
	if (hooked != 0)
		goto fail;
	after = inc_render(c, h.id, 0, e);
	if (after == NULL ||
	    audit_append_json(c, "incident.transition", "incident", h.id, before, after, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	json_decref(before);
	json_decref(after);
	return inc_render(c, h.id, 1, e);
fail:
	if (e->code == E_OK)
		err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	store_rollback(c->db);
	json_decref(before);
	json_decref(after);
	return NULL;
}

json_t *incident_update(struct ctx *c, const char *id, long long if_match,
			json_t *body, struct err *e)
{
	struct inc_head h;
	json_t *before = NULL, *after = NULL, *form = NULL;
	char *form_text = NULL;

	if (inc_load(c, id, ACT_INCIDENT_UPDATE, &h, e) != 0 || not_mirror(c, h.id, e) != 0)
		return NULL;
	if (if_match < 0)
		return err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL), NULL;
	if (jv_validate(body, update_fields, "", e) != 0 || check_detected(body, e) != 0)
		return NULL;
	if (json_object_get(body, "title") && jv_str(body, "title") == NULL)
		return err_field(e, "/title", MSG_REQUIRED, NULL), NULL;
	if (json_object_get(body, "description") && jv_str(body, "description") == NULL)
		return err_field(e, "/description", MSG_REQUIRED, NULL), NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	if (inc_load(c, id, ACT_INCIDENT_UPDATE, &h, e) != 0 ||
	    inc_check_if_match(&h, if_match, e) != 0)
		goto fail;
	if (h.status == ST_CLOSED) {
		err_set(e, E_CONFLICT, MSG_CLOSED_INCIDENT, NULL);
		goto fail;
	}
	if (system_check(c, jv_str(json_object_get(body, "system"), "system_id"), h.org_path,
			 "/system/system_id", e) != 0)
		goto fail;
	before = inc_render(c, h.id, 0, e);
	if (before == NULL)
		goto fail;
	json_t *old_form = json_object();
	for (int i = 0; form_keys[i]; i++) {
		json_t *v = json_object_get(before, form_keys[i]);
		if (v && !json_is_null(v))
			json_object_set(old_form, form_keys[i], v);
	}
	form = form_from(body, old_form);
	json_decref(old_form);
	form_text = json_dumps(form, JSON_COMPACT);
	int64_t detected = h.detected_at;
	if (jv_str(body, "detected_at"))
		time_parse(jv_str(body, "detected_at"), &detected);
	int confidential = jv_bool(body, "confidential",
				   json_is_true(json_object_get(before, "confidential")));
	const char *tlp = choose_tlp(jv_str(body, "tlp") ? jv_str(body, "tlp")
				     : json_string_value(json_object_get(before, "tlp")), confidential);
	if (store_run(c->db, e, "UPDATE incidents SET title = COALESCE($1, title), "
		      "description = COALESCE($2, description), detected_at = $3, form = $4, "
		      "confidential = $5, tlp = $6, version = version + 1 WHERE id = $7", "ttitit" "t",
		      jv_str(body, "title"), jv_str(body, "description"), detected, form_text,
		      (int64_t)confidential, tlp, h.id) != 1)
		goto fail;
	/* T1 counts from detection: a corrected time moves an unmet clock. */
	if (detected != h.detected_at &&
	    store_run(c->db, e, "UPDATE deadlines SET due_at = $1 WHERE incident_id = $2 AND "
		      "kind = 'notification' AND met_at IS NULL", "it",
		      detected + c->rules->notification_ms, h.id) < 0)
		goto fail;
	json_t *fields = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(body, k, v)
		json_array_append_new(fields, json_string(k));
	if (inc_event(c, h.id, "updated", json_pack("{s:o}", "fields", fields), e) != 0 ||
	    incident_record_hook(c, h.id, "updated", h.id, NULL, e) != 0)
		goto fail;
	after = inc_render(c, h.id, 0, e);
	if (after == NULL ||
	    audit_append_json(c, "incident.update", "incident", h.id, before, after, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	json_decref(after);
	after = inc_render(c, h.id, 1, e);
	goto out;
fail:
	if (e->code == E_OK)
		err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	store_rollback(c->db);
	json_decref(after);
	after = NULL;
out:
	free(form_text);
	json_decref(form);
	json_decref(before);
	return after;
}

/* ---- vocabularies for clients ---- */

static json_t *labels_json(const struct label *l)
{
	json_t *a = json_array();
	for (; l->code; l++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "code", l->code,
						   "vi", l->vi, "en", l->en));
	return a;
}

json_t *incident_meta(void)
{
	json_t *tr = json_array();
	for (size_t i = 0; i < incident_transitions_count; i++) {
		const struct transition *t = &incident_transitions[i];
		json_t *needs = json_array();
		if (t->needs & NEED_REASON)
			json_array_append_new(needs, json_string("reason"));
		if (t->needs & NEED_SEVERITY)
			json_array_append_new(needs, json_string("severity"));
		if (t->needs & NEED_CLOSING)
			json_array_append_new(needs, json_string("closing_report"));
		json_array_append_new(tr, json_pack("{s:s, s:s, s:o, s:o}",
			"from", state_codes[t->from], "to", state_codes[t->to],
			"roles", roles_json(t->roles), "needs", needs));
	}
	json_t *tlp = json_array(), *roles = json_array(), *kinds = json_array();
	for (int i = 0; tlp_labels[i]; i++)
		json_array_append_new(tlp, json_string(tlp_labels[i]));
	for (int i = 0; role_names[i]; i++)
		json_array_append_new(roles, json_string(role_names[i]));
	for (int i = 0; org_kinds[i]; i++)
		json_array_append_new(kinds, json_string(org_kinds[i]));
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"states", labels_json(incident_state_labels),
		"incident_types", labels_json(incident_type_labels),
		"severities", labels_json(severity_labels),
		"deadline_kinds", labels_json(deadline_labels),
		"report_kinds", labels_json(report_kind_labels),
		"observable_kinds", labels_json(observable_kind_labels),
		"transitions", tr, "tlp", tlp, "roles", roles, "org_kinds", kinds);
}

/* ---- filing from another intake (h/mail: reports by email) ---- */

/* The groups of POST /incidents that are not needed to file: dropped one by
 * one when a report read from free text fails validation on them. */
static const char *const optional_keys[] = {
	"reporter", "contact", "system", "handling_status", "detection_method",
	"notified", "details", "confidential", "tlp", "support_needed", "org_code", NULL
};

int incident_file_locked(struct ctx *c, const char *org_id, json_t *body,
			 const char *created_by, char id[UUID_LEN], char number[32],
			 struct err *e)
{
	struct org o;
	if (org_by_id(c, org_id, &o, e) != 0)
		return -1;
	json_object_del(body, "org_code");
	if (jv_validate(body, create_fields, "", e) != 0 || check_detected(body, e) != 0) {
		/* what the sender wrote under a heading is not the report: keep
		 * the report, drop the group the validator named */
		for (int i = 0; optional_keys[i]; i++) {
			err_clear(e);
			json_object_del(body, optional_keys[i]);
			if (jv_validate(body, create_fields, "", e) == 0 &&
			    check_detected(body, e) == 0)
				break;
		}
		if (e->code != E_OK)
			return -1;
	}
	int64_t detected;
	time_parse(jv_str(body, "detected_at"), &detected);
	int confidential = jv_bool(body, "confidential", 0);
	const char *tlp = choose_tlp(jv_str(body, "tlp"), confidential);
	json_t *form = form_from(body, NULL);
	char *form_text = json_dumps(form, JSON_COMPACT);
	json_decref(form);
	int rc = inc_insert(c, &o, body, tlp, confidential, form_text, detected, created_by, id,
			    number, e);
	free(form_text);
	if (rc != 0)
		return -1;
	json_t *out = inc_render(c, id, 0, e);
	rc = out == NULL ? -1 : audit_append_json(c, "incident.create", "incident", id, NULL,
						  out, e);
	json_decref(out);
	return rc;
}

int incident_attachment_locked(struct ctx *c, const char *incident_id, const char *name,
			       const char *content_type, const void *data, size_t n,
			       const char *created_by, char aid[UUID_LEN], struct err *e)
{
	char hash[SHA256_HEX_LEN];
	sha256_hex(data, n, hash);
	uuid7(aid);
	if (store_run(c->db, e, "INSERT INTO attachments (id, incident_id, name, content_type, "
		      "size, sha256, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
		      "ttttitti", aid, incident_id, name, content_type, (int64_t)n, hash, created_by,
		      time_now_ms()) < 0 ||
	    store_run(c->db, e, "INSERT INTO attachment_data (id, data) VALUES ($1, $2)", "tb",
		      aid, data ? data : "", n) < 0)
		return -1;
	json_t *rec = json_pack("{s:s, s:s, s:s, s:I, s:s}", "id", aid, "name", name,
				"content_type", content_type, "size", (json_int_t)n, "sha256", hash);
	int rc = inc_event(c, incident_id, "attachment", json_pack("{s:s, s:s, s:I, s:s}", "id",
			   aid, "name", name, "size", (json_int_t)n, "sha256", hash), e) != 0 ||
		 audit_append_json(c, "incident.attachment", "attachment", aid, NULL, rec, e) != 0
		 ? -1 : 0;
	json_decref(rec);
	return rc;
}

int incident_comment_locked(struct ctx *c, const char *incident_id, const char *body,
			    const char *created_by, struct err *e)
{
	char cid[UUID_LEN];
	uuid7(cid);
	if (store_run(c->db, e, "INSERT INTO comments (id, incident_id, body, created_by, "
		      "created_at) VALUES ($1,$2,$3,$4,$5)", "tttti", cid, incident_id, body,
		      created_by, time_now_ms()) < 0)
		return -1;
	size_t n = strlen(body);
	if (n > 200) {
		n = 200;
		while (n > 0 && ((unsigned char)body[n] & 0xC0) == 0x80)
			n--;
	}
	char excerpt[201];
	memcpy(excerpt, body, n);
	excerpt[n] = '\0';
	json_t *rec = json_pack("{s:s, s:s}", "id", cid, "body", body);
	int rc = inc_event(c, incident_id, "comment", json_pack("{s:s, s:s}", "id", cid,
			   "excerpt", excerpt), e) != 0 ||
		 audit_append_json(c, "incident.comment", "comment", cid, NULL, rec, e) != 0
		 ? -1 : 0;
	json_decref(rec);
	return rc;
}
