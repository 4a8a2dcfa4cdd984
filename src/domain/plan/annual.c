/* annual.c - the annual implementation report and the member profile
 * (Mẫu 01). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annual.h"
#include "budget.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../doc/doc.h"
#include "../../base/banned.h"

#define DAY_MS (86400LL * 1000)

static int64_t vn_midnight(int y, unsigned m, unsigned d)
{
	return time_days_from_civil(y, m, d) * DAY_MS - TIME_HCM_OFFSET_MS;
}

/* The organisation named by code (in scope, else 404) or the actor's. */
static int pick_org(struct ctx *c, const char *code, struct org *o, struct err *e)
{
	if (code == NULL) {
		if (c->actor->system)
			return org_root(c, o, e);
		return org_by_id(c, c->actor->org_id, o, e);
	}
	if (org_by_code(c, code, o, e) != 0 || !policy_in_scope(c->actor, o->path)) {
		err_clear(e);
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	}
	return 0;
}

/* Runs sql ($1 the subtree's path, then the integers of fmt_ints) whose
 * rows are (org_id, n1, n2, ...) and adds n_k to rows[org_id][keys[k]]. */
static int add_counts(struct ctx *c, json_t *rows, const char *sql, const char *path,
		      int64_t a, int64_t b, int64_t m, const char *const *keys, struct err *e)
{
	struct stmt *st = store_query(c->db, e, sql, "tiii", path, a, b, m);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		json_t *row = json_object_get(rows, stmt_text(st, 0));
		if (row == NULL)
			continue;
		for (int k = 0; keys[k]; k++)
			json_object_set_new(row, keys[k], json_integer(stmt_int(st, k + 1)));
	}
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

/* The six-month rule over the halves that have ended. */
static const char *half_rule(int64_t h1, int64_t h2, int h1_ended, int h2_ended)
{
	if (!h1_ended)
		return "pending";
	if (h1 == 0 || (h2_ended && h2 == 0))
		return "missed";
	return "met";
}

/* The state of each organisation's own response plan in the subtree at
 * path (organisation id -> "approved" | "submitted" | "draft"): the best
 * state any of its versions is in now, a system's separate plan aside. An
 * organisation without a plan is absent. */
static json_t *plan_states(struct ctx *c, const char *path, struct err *e)
{
	static const char *const names[] = { NULL, "draft", "submitted", "approved" };
	struct stmt *st = store_query(c->db, e, "SELECT p.org_id, MAX(CASE p.status WHEN "
		"'approved' THEN 3 WHEN 'submitted' THEN 2 WHEN 'draft' THEN 1 ELSE 0 END) FROM "
		"plans p JOIN orgs o ON o.id = p.org_id WHERE substr(o.path, 1, length($1)) = $1 "
		"AND p.system_id IS NULL GROUP BY p.org_id", "t", path);
	if (st == NULL)
		return NULL;
	json_t *m = json_object();
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		int64_t k = stmt_int(st, 1);
		if (k >= 1 && k <= 3)
			json_object_set_new(m, stmt_text(st, 0), json_string(names[k]));
	}
	stmt_done(st);
	if (rc < 0) {
		json_decref(m);
		return NULL;
	}
	return m;
}

json_t *annual_get(struct ctx *c, const char *org_code, int year, struct err *e)
{
	struct org o;
	if (policy_check(c->actor, ACT_REPORT_READ, NULL, e) != 0)
		return NULL;
	if (year < 2017 || year > 2200)
		return err_field(e, "/year", MSG_REPORT_YEAR_RANGE, NULL), NULL;
	if (pick_org(c, org_code, &o, e) != 0)
		return NULL;
	struct policy_target pt = { .org_path = o.path };
	if (policy_check(c->actor, ACT_REPORT_READ, &pt, e) != 0)
		return NULL;
	int64_t now = time_now_ms();
	int64_t from = vn_midnight(year, 1, 1), mid = vn_midnight(year, 7, 1),
		to = vn_midnight(year + 1, 1, 1);
	int h1_ended = now >= mid, h2_ended = now >= to;
	json_t *rows = json_object(), *order = json_array();
	struct stmt *st = store_query(c->db, e, "SELECT id, code, name, kind FROM orgs WHERE "
		"substr(path, 1, length($1)) = $1 ORDER BY path", "t", o.path);
	int rc = st ? 0 : -1;
	while (st && (rc = stmt_step(st, e)) == 1) {
		json_t *r = json_pack("{s:{s:s, s:s, s:s}, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, "
			"s:i, s:i, s:i}", "org", "code", stmt_text(st, 1), "name", stmt_text(st, 2),
			"kind", stmt_text(st, 3), "incidents", 0, "incidents_closed", 0,
			"scans", 0, "scans_h1", 0, "scans_h2", 0, "hunts_h1", 0, "hunts_h2", 0,
			"drills_held", 0, "live_drills_held", 0, "warnings_due", 0,
			"warnings_on_time", 0);
		json_object_set_new(rows, stmt_text(st, 0), r);
		json_array_append_new(order, json_string(stmt_text(st, 0)));
	}
	stmt_done(st);
	static const char *const inc_keys[] = { "incidents", "incidents_closed", NULL };
	static const char *const scan_keys[] = { "scans", "scans_h1", "scans_h2", NULL };
	static const char *const hunt_keys[] = { "hunts_h1", "hunts_h2", NULL };
	static const char *const drill_keys[] = { "drills_held", "live_drills_held", NULL };
	static const char *const warn_keys[] = { "warnings_due", "warnings_on_time", NULL };
	/* One grouped read per figure ($2..$3 the year, $4 the middle of it or now). */
	if (rc == 0)
		rc = add_counts(c, rows, "SELECT i.org_id, COUNT(*), SUM(CASE WHEN i.status = 'closed' "
			"THEN 1 ELSE 0 END) FROM incidents i JOIN orgs o ON o.id = i.org_id WHERE "
			"substr(o.path, 1, length($1)) = $1 AND i.detected_at >= $2 AND i.detected_at < "
			"$3 AND i.status <> 'rejected' AND $4 = $4 GROUP BY i.org_id", o.path, from, to,
			mid, inc_keys, e);
	if (rc == 0)
		rc = add_counts(c, rows, "SELECT s.org_id, COUNT(*), SUM(CASE WHEN s.scanned_at < $4 "
			"THEN 1 ELSE 0 END), SUM(CASE WHEN s.scanned_at >= $4 THEN 1 ELSE 0 END) FROM "
			"scans s JOIN orgs o ON o.id = s.org_id WHERE substr(o.path, 1, length($1)) = $1 "
			"AND s.scanned_at >= $2 AND s.scanned_at < $3 GROUP BY s.org_id", o.path, from,
			to, mid, scan_keys, e);
	if (rc == 0)
		rc = add_counts(c, rows, "SELECT h.org_id, SUM(CASE WHEN h.ran_at < $4 THEN 1 ELSE 0 "
			"END), SUM(CASE WHEN h.ran_at >= $4 THEN 1 ELSE 0 END) FROM hunt_runs h JOIN "
			"orgs o ON o.id = h.org_id WHERE substr(o.path, 1, length($1)) = $1 AND "
			"h.ran_at >= $2 AND h.ran_at < $3 GROUP BY h.org_id", o.path, from, to, mid,
			hunt_keys, e);
	if (rc == 0)
		rc = add_counts(c, rows, "SELECT d.org_id, COUNT(*), SUM(CASE WHEN d.kind = 'live' "
			"THEN 1 ELSE 0 END) FROM drills d JOIN orgs o ON o.id = d.org_id WHERE "
			"substr(o.path, 1, length($1)) = $1 AND d.status = 'held' AND d.held_at >= $2 "
			"AND d.held_at < $3 AND $4 = $4 GROUP BY d.org_id", o.path, from, to, mid,
			drill_keys, e);
	/* Warnings due in the year, up to now: answered (fixed) by the deadline. */
	if (rc == 0)
		rc = add_counts(c, rows, "SELECT t.org_id, COUNT(*), SUM(CASE WHEN t.fixed_at IS NOT "
			"NULL AND t.fixed_at <= w.deadline THEN 1 ELSE 0 END) FROM warning_targets t "
			"JOIN warnings w ON w.id = t.warning_id JOIN orgs o ON o.id = t.org_id WHERE "
			"substr(o.path, 1, length($1)) = $1 AND w.deadline >= $2 AND w.deadline < $3 "
			"AND w.deadline <= $4 AND NOT EXISTS (SELECT 1 FROM warning_withdrawals ww "
			"WHERE ww.warning_id = w.id) GROUP BY t.org_id", o.path, from, to, now,
			warn_keys, e);
	if (rc < 0) {
		json_decref(rows);
		json_decref(order);
		return NULL;
	}
	json_t *plans = rc == 0 ? plan_states(c, o.path, e) : NULL;
	if (plans == NULL)
		rc = -1;
	if (rc < 0) {
		json_decref(rows);
		json_decref(order);
		return NULL;
	}
	json_t *items = json_array(), *tot = json_object();
	size_t i;
	json_t *id;
	json_array_foreach(order, i, id) {
		json_t *r = json_object_get(rows, json_string_value(id));
		json_object_set_new(r, "scan_rule", json_string(half_rule(
			json_integer_value(json_object_get(r, "scans_h1")),
			json_integer_value(json_object_get(r, "scans_h2")), h1_ended, h2_ended)));
		json_object_set_new(r, "hunt_rule", json_string(half_rule(
			json_integer_value(json_object_get(r, "hunts_h1")),
			json_integer_value(json_object_get(r, "hunts_h2")), h1_ended, h2_ended)));
		/* The organisation's own plan (not a system's): the best state
		 * one of its versions is in; its budget lines sent for the year. */
		const char *oid = json_string_value(id);
		json_t *ps = json_object_get(plans, oid);
		json_object_set_new(r, "plan_status", json_string(ps ? json_string_value(ps)
									 : "none"));
		int64_t planned = 0, spent = 0;
		if (budget_totals(c, oid, year, &planned, &spent, e) != 0) {
			json_decref(items);
			json_decref(tot);
			json_decref(rows);
			json_decref(order);
			json_decref(plans);
			return NULL;
		}
		json_object_set_new(r, "budget_planned", json_integer(planned));
		json_object_set_new(r, "budget_spent", json_integer(spent));
		const char *k;
		json_t *v;
		json_object_foreach(r, k, v)
			if (json_is_integer(v))
				json_object_set_new(tot, k, json_integer(json_integer_value(
					json_object_get(tot, k)) + json_integer_value(v)));
		json_array_append(items, r);
	}
	json_decref(rows);
	json_decref(order);
	json_decref(plans);
	return json_pack("{s:i, s:{s:s, s:s, s:s}, s:o, s:o, s:o, s:o}", "year", year,
		"org", "code", o.code, "name", o.name, "kind", o.kind, "items", items, "total", tot,
		"period_from", ms_json(from), "period_to", ms_json(to));
}

static int parent_of(struct ctx *c, const struct org *o, struct org *parent, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT parent_id FROM orgs WHERE id = $1 AND "
				      "parent_id IS NOT NULL", "t", o->id);
	int found = 0;
	if (st && stmt_step(st, e) == 1)
		found = org_by_id(c, stmt_text(st, 0), parent, e) == 0;
	stmt_done(st);
	err_clear(e);
	return found;
}

static const char *rule_vi(const char *rule)
{
	return strcmp(rule, "met") == 0 ? "Đạt" : strcmp(rule, "missed") == 0 ? "Chưa đạt"
										: "Chưa đến hạn";
}

static const char *plan_vi(const char *status)
{
	return strcmp(status, "approved") == 0 ? "Đã phê duyệt"
	       : strcmp(status, "submitted") == 0 ? "Chờ phê duyệt"
	       : strcmp(status, "draft") == 0 ? "Đang dự thảo" : "Chưa có";
}

/* "1.500.000/2.000.000" (spent/planned, VND with Vietnamese thousands dots);
 * "—" when nothing was planned or spent. */
static void vnd_pair(int64_t spent, int64_t planned, char *out, size_t n)
{
	char a[32], b[32];
	if (spent == 0 && planned == 0) {
		snprintf(out, n, "—");
		return;
	}
	doc_format_int(spent, a, sizeof(a));
	doc_format_int(planned, b, sizeof(b));
	snprintf(out, n, "%s/%s", a, b);
}

struct doc *annual_doc(struct ctx *c, const char *id, struct err *e)
{
	char code[65] = "";
	const char *colon = id ? strrchr(id, ':') : NULL, *ys = colon ? colon + 1 : id;
	if (id == NULL || strlen(id) > 80)
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	if (colon) {
		size_t n = (size_t)(colon - id);
		if (n == 0 || n >= sizeof(code))
			return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
		memcpy(code, id, n);
		code[n] = '\0';
	}
	char *end;
	long year = strtol(ys, &end, 10);
	if (*ys < '0' || *ys > '9' || *end != '\0')
		return err_field(e, "/year", MSG_REPORT_YEAR_RANGE, NULL), NULL;
	json_t *a = annual_get(c, colon ? code : NULL, (int)year, e);
	if (a == NULL)
		return NULL;
	struct org o, parent;
	json_t *ao = json_object_get(a, "org");
	if (org_by_code(c, jv_str(ao, "code"), &o, e) != 0) {
		json_decref(a);
		return NULL;
	}
	int has_parent = parent_of(c, &o, &parent, e);
	int64_t now = time_now_ms();
	struct doc *d = doc_new("Báo cáo kết quả thực hiện kế hoạch ứng cứu sự cố", now);
	if (d == NULL) {
		json_decref(a);
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	}
	char line[300];
	doc_header(d, has_parent ? parent.name : NULL, o.name, NULL, NULL, now);
	snprintf(line, sizeof(line), "Năm %ld", year);
	doc_title(d, "BÁO CÁO KẾT QUẢ THỰC HIỆN KẾ HOẠCH ỨNG PHÓ SỰ CỐ AN TOÀN THÔNG TIN MẠNG",
		  line);
	doc_heading(d, 1, "1. Kết quả thực hiện theo từng cơ quan, đơn vị");
	static const char *const head[] = { "TT", "Cơ quan, đơn vị", "Kế hoạch",
		"Sự cố (đã đóng)", "Quét lỗ hổng", "Săn mối đe dọa", "Diễn tập (thực chiến)",
		"Cảnh báo đúng hạn", "Kinh phí" };
	static const double w[] = { 1, 4.2, 2.2, 2, 2.6, 2.6, 2.1, 2, 3.3 };
	doc_table(d, 9, head, w);
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(a, "items"), i, r) {
		char n[24], inc[48], scan[64], hunt[64], drl[48], warn[48];
		snprintf(n, sizeof(n), "%zu", i + 1);
#define I(k) ((long long)json_integer_value(json_object_get(r, k)))
		snprintf(inc, sizeof(inc), "%lld (%lld)", I("incidents"), I("incidents_closed"));
		snprintf(scan, sizeof(scan), "%s (%lld/%lld)", rule_vi(jv_str(r, "scan_rule")),
			 I("scans_h1"), I("scans_h2"));
		snprintf(hunt, sizeof(hunt), "%s (%lld/%lld)", rule_vi(jv_str(r, "hunt_rule")),
			 I("hunts_h1"), I("hunts_h2"));
		snprintf(drl, sizeof(drl), "%lld (%lld)", I("drills_held"), I("live_drills_held"));
		snprintf(warn, sizeof(warn), "%lld/%lld", I("warnings_on_time"), I("warnings_due"));
#undef I
		char money[64];
		vnd_pair(json_integer_value(json_object_get(r, "budget_spent")),
			 json_integer_value(json_object_get(r, "budget_planned")), money,
			 sizeof(money));
		const char *cells[] = { n, jv_str(json_object_get(r, "org"), "name"),
					plan_vi(jv_str(r, "plan_status")), inc, scan, hunt, drl,
					warn, money };
		doc_row(d, cells, 0);
	}
	doc_text(d, "Ghi chú: sự cố đã tiếp nhận, không tính các báo cáo bị từ chối; quét lỗ hổng và "
		 "săn tìm mối đe dọa: số lần trong 6 tháng đầu/6 tháng cuối năm, yêu cầu ít nhất 1 lần "
		 "mỗi 6 tháng (Chỉ thị 18/CT-TTg); cảnh báo: số cảnh báo đã khắc phục đúng hạn/số cảnh "
		 "báo đến hạn trong năm.", DOC_JUSTIFY, DOC_ITALIC);
	doc_heading(d, 1, "2. Đánh giá chung, tồn tại, hạn chế");
	doc_text(d, "", DOC_LEFT, 0);
	doc_heading(d, 1, "3. Đề xuất, kiến nghị");
	doc_text(d, "", DOC_LEFT, 0);
	const char *recipients[] = { "UBND huyện", "Lưu: VT" };
	doc_recipients(d, recipients, 2);
	doc_signature(d, "THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên, đóng dấu)", NULL);
	json_decref(a);
	return d;
}

/* ---- Mẫu 01 ---- */

static json_t *contact_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", stmt_text(st, 0), "phone",
			 stmt_text(st, 1), "email", stmt_text(st, 2), "position", stmt_text(st, 3),
			 "on_duty", (int)stmt_int(st, 4));
}

json_t *mau01_get(struct ctx *c, const char *id, struct err *e)
{
	struct org o, parent;
	if (id == NULL || strlen(id) > 64)
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	if (pick_org(c, id, &o, e) != 0)
		return NULL;
	struct policy_target pt = { .org_path = o.path };
	if (policy_check(c->actor, ACT_REPORT_READ, &pt, e) != 0)
		return NULL;
	int has_parent = parent_of(c, &o, &parent, e);
	char address[301] = "";
	struct stmt *st = store_query(c->db, e, "SELECT address FROM orgs WHERE id = $1", "t", o.id);
	if (st && stmt_step(st, e) == 1)
		snprintf(address, sizeof(address), "%s", stmt_text(st, 0));
	stmt_done(st);
	/* Main focal point, then the backup: on duty first, then the oldest. */
	st = store_query(c->db, e, "SELECT name, phone, email, network_role, on_duty FROM contacts "
		"WHERE org_id = $1 ORDER BY on_duty DESC, created_at, id LIMIT 2", "t", o.id);
	json_t *contacts = st ? rows_array(st, contact_row, e) : NULL;
	if (contacts == NULL)
		return NULL;
	/* The leader in charge: the organisation's first leader account. */
	char leader[129] = "";
	st = store_query(c->db, e, "SELECT full_name FROM users WHERE org_id = $1 AND disabled = 0 "
		"AND (',' || roles || ',') LIKE '%,leader,%' ORDER BY created_at LIMIT 1", "t", o.id);
	if (st && stmt_step(st, e) == 1)
		snprintf(leader, sizeof(leader), "%s", stmt_text(st, 0));
	stmt_done(st);
	json_t *levels = json_array();
	for (int lv = 1; lv <= 5; lv++) {
		st = store_query(c->db, e, "SELECT COUNT(*) FROM systems WHERE org_id = $1 AND level = "
				 "$2 AND retired_at IS NULL", "ti", o.id, (int64_t)lv);
		json_array_append_new(levels, json_integer(st && stmt_step(st, e) == 1 ?
							  stmt_int(st, 0) : 0));
		stmt_done(st);
	}
	json_t *main_fp = json_array_get(contacts, 0), *backup = json_array_get(contacts, 1);
	json_t *j = json_pack("{s:s, s:{s:s, s:s, s:s, s:s}, s:s, s:O, s:O, s:s, s:o}", "form",
		"mau01", "org", "code", o.code, "name", o.name, "kind", o.kind, "address", address,
		"governing_body", has_parent ? parent.name : "", "main_focal_point",
		main_fp ? main_fp : json_null(), "backup_focal_point", backup ? backup : json_null(),
		"leader", leader, "systems_by_level", levels);
	json_decref(contacts);
	return j;
}

static void focal_block(struct doc *d, const char *heading, const json_t *fp)
{
	doc_heading(d, 2, heading);
	doc_field(d, "Họ và tên", jv_str(fp, "name"));
	doc_field(d, "Chức vụ", jv_str(fp, "position"));
	doc_field(d, "Điện thoại", jv_str(fp, "phone"));
	doc_field(d, "Fax", NULL);
	doc_field(d, "Thư điện tử", jv_str(fp, "email"));
}

struct doc *mau01_doc(struct ctx *c, const char *id, struct err *e)
{
	json_t *m = mau01_get(c, id, e);
	if (m == NULL)
		return NULL;
	json_t *org = json_object_get(m, "org");
	int64_t now = time_now_ms();
	struct doc *d = doc_new("Báo cáo thông tin thành viên mạng lưới (Mẫu 01)", now);
	if (d == NULL) {
		json_decref(m);
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	}
	const char *gov = jv_str(m, "governing_body");
	doc_form_code(d, "Mẫu 01");
	doc_header(d, *gov ? gov : NULL, jv_str(org, "name"), NULL, NULL, now);
	doc_title(d, "BÁO CÁO THÔNG TIN THÀNH VIÊN MẠNG LƯỚI ỨNG CỨU SỰ CỐ", NULL);
	doc_text(d, "Kính gửi: Trung tâm VNCERT/CC", DOC_CENTER, DOC_BOLD);
	doc_heading(d, 1, "1. Thông tin về tổ chức");
	doc_field(d, "Tên tổ chức", jv_str(org, "name"));
	doc_field(d, "Cơ quan chủ quản", gov);
	doc_field(d, "Địa chỉ", jv_str(org, "address"));
	doc_field(d, "Điện thoại", NULL);
	doc_field(d, "Fax", NULL);
	doc_field(d, "Thư điện tử", NULL);
	doc_field(d, "Trang thông tin điện tử", NULL);
	doc_field(d, "Lãnh đạo phụ trách an toàn thông tin", jv_str(m, "leader"));
	doc_heading(d, 1, "2. Phương thức tiếp nhận thông báo sự cố");
	doc_text(d, "Hệ thống ungcuu của đơn vị; thư điện tử và điện thoại của đầu mối dưới đây.",
		 DOC_JUSTIFY, 0);
	doc_heading(d, 1, "3. Đầu mối ứng cứu sự cố");
	focal_block(d, "3.1. Đầu mối chính", json_object_get(m, "main_focal_point"));
	focal_block(d, "3.2. Đầu mối dự phòng", json_object_get(m, "backup_focal_point"));
	doc_heading(d, 1, "4. Hệ thống thông tin theo cấp độ");
	static const char *const head[] = { "Cấp độ 1", "Cấp độ 2", "Cấp độ 3", "Cấp độ 4",
					    "Cấp độ 5" };
	doc_table(d, 5, head, NULL);
	char lv[5][24];
	const char *cells[5];
	for (int k = 0; k < 5; k++) {
		snprintf(lv[k], sizeof(lv[k]), "%lld", (long long)json_integer_value(
			json_array_get(json_object_get(m, "systems_by_level"), (size_t)k)));
		cells[k] = lv[k];
	}
	doc_row(d, cells, 0);
	doc_heading(d, 1, "5. Năng lực, nhân lực ứng cứu sự cố");
	doc_text(d, "", DOC_LEFT, 0);
	doc_signature(d, "NGƯỜI ĐẠI DIỆN THEO PHÁP LUẬT", "(Ký, ghi rõ họ tên, đóng dấu)", NULL);
	json_decref(m);
	return d;
}
