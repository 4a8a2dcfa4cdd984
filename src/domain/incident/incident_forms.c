/*
 * incident_forms.c - the initial report (Mẫu 03) and the closing report
 * (Mẫu 04) of TT20/2017 Phụ lục I as documents (src/doc/), filled from the
 * incident exactly as the print view web/src/pages/Print.tsx fills them:
 *
 *   - both read the incident's API form (inc_render), so what is printed is
 *     what the reader sees, and an incident the reader may not see is
 *     "not found" (inc_load);
 *   - Mẫu 03: "Kính gửi" lists the recipients recorded on the initial
 *     reports; it is dated and signed by the reporter of the form;
 *   - Mẫu 04: the reporter and signer is the person who wrote the closing
 *     report (closing_report_by), its header is that person's organisation,
 *     it is dated when the incident was (last) closed, and its attachments
 *     are the other reports sent and the files, never Mẫu 04 itself;
 *     "Kính gửi" the closing reports' recipients, else the initial ones'.
 *
 * The forms' words are the law's, in Vietnamese whatever the reader's
 * language (as in the print view); they are document text, not messages,
 * so they live here and not in the message catalogue.
 *
 * Layout choices that keep Mẫu 03 on two A4 pages: check boxes of one
 * question on one line, and phone and email of a person on one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident.h"
#include "incident_int.h"
#include "../directory/policy.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../doc/doc.h"

/* ---- reading the rendered incident ---- */

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int64_t ms_of(json_t *o, const char *key)
{
	int64_t ms = 0;
	const char *s = str(o, key);
	if (s == NULL || time_parse(s, &ms) != 0)
		return 0;
	return ms;
}

/* "dd/mm/yyyy" and "hh:mm" in Vietnam time; "" for 0. */
static void vn_date(int64_t ms, char *out, size_t n)
{
	if (ms == 0) {
		snprintf(out, n, "%s", "");
		return;
	}
	int64_t l = ms + TIME_HCM_OFFSET_MS;
	int64_t days = l / 86400000LL - (l < 0 && l % 86400000LL ? 1 : 0);
	int y;
	unsigned m, d;
	time_civil_from_days(days, &y, &m, &d);
	snprintf(out, n, "%02u/%02u/%04d", d, m, y);
}

static void vn_time(int64_t ms, char *out, size_t n)
{
	if (ms == 0) {
		snprintf(out, n, "%s", "");
		return;
	}
	int64_t l = ms + TIME_HCM_OFFSET_MS;
	int64_t sod = ((l % 86400000LL) + 86400000LL) % 86400000LL / 1000;
	snprintf(out, n, "%02d:%02d", (int)(sod / 3600), (int)(sod / 60 % 60));
}

static const char *label_vi(const struct label *t, const char *code)
{
	if (code == NULL)
		return "";
	for (; t->code; t++)
		if (strcmp(t->code, code) == 0)
			return t->vi;
	return code;
}

/* The strings of a JSON array (and optional leading item) joined by ", ". */
static void join(struct buf *b, const char *first, json_t *arr)
{
	if (first && *first)
		buf_adds(b, first);
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0)
			continue;
		if (b->len)
			buf_adds(b, ", ");
		buf_adds(b, json_string_value(v));
	}
}

static int has(json_t *arr, const char *code)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), code) == 0)
			return 1;
	return 0;
}

/* "Kính gửi": the distinct recipients of the reports of kind, split on ';'
 * and line ends, in the order recorded. */
static void recipients(struct buf *b, json_t *reports, const char *kind)
{
	size_t i;
	json_t *r;
	json_array_foreach(reports, i, r) {
		const char *k = str(r, "kind");
		const char *to = str(r, "recipient");
		if (k == NULL || strcmp(k, kind) != 0 || to == NULL)
			continue;
		const char *p = to;
		while (*p) {
			size_t n = strcspn(p, ";\n");
			const char *s = p, *e = p + n;
			while (s < e && (*s == ' ' || *s == '\t' || *s == '\r'))
				s++;
			while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
				e--;
			if (e > s) {
				/* already listed? */
				int seen = 0;
				const char *q = b->p;
				while (q && *q) {
					size_t m = strcspn(q, ";");
					const char *qs = q;
					while (*qs == ' ')
						qs++;
					if ((size_t)(q + m - qs) == (size_t)(e - s) &&
					    memcmp(qs, s, (size_t)(e - s)) == 0)
						seen = 1;
					q += m;
					if (*q == ';')
						q++;
				}
				if (!seen) {
					if (b->len)
						buf_adds(b, "; ");
					buf_add(b, s, (size_t)(e - s));
				}
			}
			p += n;
			if (*p)
				p++;
		}
	}
}

/* ---- the issuing organisation ---- */

struct issuer {
	char parent[256];   /* the body above a department, else "" */
	char name[256];
	char place[128];    /* first part of the nearest address, else dots */
};

/* The issuer of a form: organisation org_id (or the user uid's, when
 * org_id is NULL). A department (kind agency) names its parent above
 * itself; the place is the first part of the nearest address up the tree
 * ("Phú Quý, Bình Thuận" -> "Phú Quý"). */
static int issuer_load(struct ctx *c, const char *org_id, const char *uid,
    struct issuer *is, struct err *e)
{
	snprintf(is->place, sizeof is->place, "%s", "……………");
	struct stmt *st;
	if (org_id)
		st = store_query(c->db, e, "SELECT o.name, o.kind, o.address, p.name, o.path "
			"FROM orgs o LEFT JOIN orgs p ON p.id = o.parent_id WHERE o.id = $1",
			"t", org_id);
	else
		st = store_query(c->db, e, "SELECT o.name, o.kind, o.address, p.name, o.path "
			"FROM users u JOIN orgs o ON o.id = u.org_id LEFT JOIN orgs p ON "
			"p.id = o.parent_id WHERE u.id = $1", "t", uid);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	char path[1024] = "";
	if (rc == 1) {
		const char *kind = stmt_text(st, 1);
		snprintf(is->name, sizeof is->name, "%s", stmt_text(st, 0));
		snprintf(is->parent, sizeof is->parent, "%s",
		    kind && strcmp(kind, "agency") == 0 && stmt_text(st, 3) ?
		    stmt_text(st, 3) : "");
		snprintf(path, sizeof path, "%s", stmt_text(st, 4));
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return 0;
	/* The nearest address: the organisation's, else its ancestors' (the
	 * longest path that is a prefix of this one). */
	st = store_query(c->db, e, "SELECT address FROM orgs WHERE address <> '' AND "
		"substr($1, 1, length(path)) = path ORDER BY length(path) DESC LIMIT 1",
		"t", path);
	if (st == NULL)
		return -1;
	rc = stmt_step(st, e);
	if (rc == 1) {
		const char *a = stmt_text(st, 0);
		size_t n = strcspn(a, ",");
		while (n > 0 && a[n - 1] == ' ')
			n--;
		if (n > 0 && n < sizeof is->place)
			snprintf(is->place, sizeof is->place, "%.*s", (int)n, a);
	}
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

/* ---- shared pieces of the two forms ---- */

static const char *box(int on)
{
	return on ? "☒" : "☐";
}

/* "Cấp độ an toàn hệ thống: ☐ 1 ☐ 2 ☒ 3 ☐ 4 ☐ 5" */
static void level_line(struct doc *d, json_t *sys)
{
	json_t *lv = json_object_get(sys, "level");
	long long level = json_is_integer(lv) ? json_integer_value(lv) : 0;
	char line[256];
	int k = snprintf(line, sizeof line, "Cấp độ an toàn hệ thống:");
	for (int i = 1; i <= 5 && k > 0 && (size_t)k < sizeof line; i++)
		k += snprintf(line + k, sizeof line - (size_t)k, "  %s\u00a0%d", box(level == i), i);
	doc_text(d, line, DOC_LEFT, 0);
}

/* The reporter block: name, organisation/address, "phone; email". */
static void person(struct doc *d, const char *name, const char *org,
    const char *phone, const char *email, const char *position)
{
	doc_field(d, "Họ và tên (*)", name);
	if (position)
		doc_field(d, "Chức vụ", position);
	if (org)
		doc_field(d, "Cơ quan, đơn vị / địa chỉ (*)", org);
	char line[1024];
	if ((phone && *phone) || (email && *email)) {
		snprintf(line, sizeof line, "Điện thoại (*): %s        Email (*): %s",
		    phone && *phone ? phone : "……………………", email && *email ? email : "……………………");
		doc_text(d, line, DOC_LEFT, 0);
	} else {
		doc_field(d, "Điện thoại (*)", NULL);
		doc_field(d, "Email (*)", NULL);
	}
}

static void system_block(struct doc *d, json_t *sys, int with_ips_apart)
{
	struct buf b;
	buf_init(&b, 64 * 1024);
	doc_field(d, "Đơn vị vận hành hệ thống (*)", str(sys, "operator"));
	doc_field(d, "Cơ quan chủ quản", str(sys, "owner"));
	join(&b, str(sys, "name"), json_object_get(sys, "domains"));
	if (!with_ips_apart)
		join(&b, NULL, json_object_get(sys, "ips"));
	doc_field(d, "Tên hệ thống, tên miền", b.p);
	buf_release(&b);
	if (with_ips_apart) {
		buf_init(&b, 64 * 1024);
		join(&b, NULL, json_object_get(sys, "ips"));
		doc_field(d, "Địa chỉ IP", b.p);
		buf_release(&b);
	}
	level_line(d, sys);
}

static void para_or_dots(struct doc *d, const char *label, const char *text)
{
	if (text && *text) {
		char l[256];
		snprintf(l, sizeof l, "%s:", label);
		doc_text(d, l, DOC_LEFT, DOC_BOLD);
		doc_text(d, text, DOC_JUSTIFY, 0);
	} else {
		doc_field(d, label, NULL);
	}
}

/* ---- Mẫu 03 ---- */

static void form03(struct doc *d, json_t *inc, const struct issuer *is)
{
	json_t *r = json_object_get(inc, "reporter"), *ct = json_object_get(inc, "contact");
	json_t *sys = json_object_get(inc, "system"), *det = json_object_get(inc, "details");
	json_t *dm = json_object_get(inc, "detection_method");
	json_t *nt = json_object_get(inc, "notified");
	const char *dmk = str(dm, "kind");
	int64_t created = ms_of(inc, "created_at"), detected = ms_of(inc, "detected_at");
	char num[128], date[32], time[16], line[2048];
	struct buf b;

	snprintf(num, sizeof num, "Số: %s", str(inc, "number") ? str(inc, "number") : "");
	doc_header(d, is->parent[0] ? is->parent : NULL, is->name, num, is->place, created);
	doc_form_code(d, "Mẫu 03");
	doc_title(d, "BÁO CÁO BAN ĐẦU SỰ CỐ AN TOÀN THÔNG TIN MẠNG", NULL);
	buf_init(&b, 64 * 1024);
	recipients(&b, json_object_get(inc, "reports"), "initial");
	snprintf(line, sizeof line, "Kính gửi: %s", b.len ? b.p : "……………………………………");
	buf_release(&b);
	doc_text(d, line, DOC_CENTER, 0);

	doc_heading(d, 1, "1. Thông tin về người báo cáo");
	person(d, str(r, "name"), str(r, "address"), str(r, "phone"), str(r, "email"), NULL);
	doc_heading(d, 1, "2. Thông tin người liên hệ");
	doc_field(d, "Họ và tên (*)", str(ct, "name"));
	doc_field(d, "Chức vụ", str(ct, "position"));
	snprintf(line, sizeof line, "Điện thoại (*): %s        Email (*): %s",
	    str(ct, "phone") && *str(ct, "phone") ? str(ct, "phone") : "……………………",
	    str(ct, "email") && *str(ct, "email") ? str(ct, "email") : "……………………");
	doc_text(d, line, DOC_LEFT, 0);

	doc_heading(d, 1, "3. Thông tin về hệ thống thông tin gặp sự cố");
	system_block(d, sys, 1);
	doc_field(d, "Đơn vị cung cấp dịch vụ an toàn thông tin", str(sys, "security_provider"));
	doc_field(d, "Đơn vị cung cấp kết nối (ISP)", str(sys, "connectivity_provider"));

	doc_heading(d, 1, "4. Thông tin về sự cố");
	doc_field(d, "Tóm tắt sự cố (tiêu đề)", str(inc, "title"));
	para_or_dots(d, "Mô tả sự cố (*)", str(inc, "description"));
	doc_field(d, "Loại sự cố", label_vi(incident_type_labels, str(inc, "type")));
	vn_date(detected, date, sizeof date);
	vn_time(detected, time, sizeof time);
	snprintf(line, sizeof line, "Ngày phát hiện (*): %s        Thời gian phát hiện (giờ:phút) (*): %s",
	    date, time);
	doc_text(d, line, DOC_LEFT, 0);

	doc_heading(d, 1, "5. Tình trạng sự cố (*)");
	const char *hs = str(inc, "handling_status");
	snprintf(line, sizeof line, "%s\u00a0Đã xử lý        %s\u00a0Chưa xử lý",
	    box(hs && strcmp(hs, "handled") == 0), box(hs && strcmp(hs, "not_handled") == 0));
	doc_text(d, line, DOC_LEFT, 0);

	doc_heading(d, 1, "6. Cách thức phát hiện (*)");
	int is_n = dmk && strcmp(dmk, "notified") == 0, is_o = dmk && strcmp(dmk, "other") == 0;
	snprintf(line, sizeof line, "%s\u00a0Qua hệ thống phát hiện xâm nhập (IDS)    %s\u00a0Qua kiểm tra nhật ký (log)\n"
	    "%s\u00a0Qua thông báo từ: %s\n%s\u00a0Khác: %s",
	    box(dmk && strcmp(dmk, "ids") == 0), box(dmk && strcmp(dmk, "log_review") == 0),
	    box(is_n), is_n && str(dm, "detail") ? str(dm, "detail") : "",
	    box(is_o), is_o && str(dm, "detail") ? str(dm, "detail") : "");
	doc_text(d, line, DOC_LEFT, 0);

	doc_heading(d, 1, "7. Đã thông báo sự cố cho (*)");
	snprintf(line, sizeof line, "%s\u00a0Thành viên mạng lưới ứng cứu chịu trách nhiệm\n"
	    "%s\u00a0Nhà cung cấp dịch vụ Internet (ISP)    %s\u00a0Cơ quan điều phối",
	    box(has(nt, "network_member")), box(has(nt, "isp")), box(has(nt, "coordinator")));
	doc_text(d, line, DOC_LEFT, 0);

	doc_heading(d, 1, "8. Thông tin cung cấp thêm về hệ thống");
	doc_field(d, "Hệ điều hành, phiên bản", str(det, "os"));
	json_t *svc = json_object_get(det, "services"), *ms = json_object_get(det, "measures");
	snprintf(line, sizeof line, "Các dịch vụ có trên hệ thống:  %s\u00a0Web  %s\u00a0Thư điện tử  "
	    "%s\u00a0Cơ sở dữ liệu  %s\u00a0Khác: %s", box(has(svc, "web")), box(has(svc, "mail")),
	    box(has(svc, "db")), box(has(svc, "other")),
	    has(svc, "other") && str(det, "services_other") ? str(det, "services_other") : "");
	doc_text(d, line, DOC_LEFT, 0);
	snprintf(line, sizeof line, "Biện pháp an toàn thông tin đã triển khai:  %s\u00a0Phần mềm diệt virus  "
	    "%s\u00a0Tường lửa  %s\u00a0Hệ thống phát hiện xâm nhập  %s\u00a0Khác: %s",
	    box(has(ms, "antivirus")), box(has(ms, "firewall")), box(has(ms, "ids")),
	    box(has(ms, "other")),
	    has(ms, "other") && str(det, "measures_other") ? str(det, "measures_other") : "");
	doc_text(d, line, DOC_LEFT, 0);
	buf_init(&b, 64 * 1024);
	join(&b, NULL, json_object_get(det, "public_ips"));
	doc_field(d, "Địa chỉ IP công khai", b.p);
	buf_release(&b);
	buf_init(&b, 64 * 1024);
	join(&b, NULL, json_object_get(det, "domains"));
	doc_field(d, "Tên miền", b.p);
	buf_release(&b);
	doc_field(d, "Mục đích chính của hệ thống", str(det, "purpose"));
	buf_init(&b, 64 * 1024);
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(inc, "attachments"), i, a) {
		const char *n = str(a, "filename") ? str(a, "filename") : str(a, "name");
		if (n == NULL)
			continue;
		if (b.len)
			buf_adds(&b, ", ");
		buf_adds(&b, n);
	}
	doc_field(d, "Các tài liệu gửi kèm", b.p);
	buf_release(&b);

	doc_heading(d, 1, "9. Đề nghị giữ bí mật thông tin sự cố");
	int conf = json_is_true(json_object_get(inc, "confidential"));
	snprintf(line, sizeof line, "%s\u00a0Có        %s\u00a0Không", box(conf), box(!conf));
	doc_text(d, line, DOC_LEFT, 0);
	doc_heading(d, 1, "10. Đề nghị hỗ trợ");
	const char *sn = str(inc, "support_needed");
	if (sn && *sn)
		doc_text(d, sn, DOC_JUSTIFY, 0);
	else
		doc_field(d, "Nội dung", NULL);

	vn_date(created, date, sizeof date);
	vn_time(created, time, sizeof time);
	snprintf(line, sizeof line, "%s %s", time, date);
	doc_field(d, "Thời gian báo cáo (*)", line);
	doc_signature(d, "Người báo cáo", "(Ký, ghi rõ họ tên, đóng dấu)", str(r, "name"));
}

/* ---- Mẫu 04 ---- */

/* When the incident was (last) closed: the last transition to closed on the
 * timeline, else updated_at if it is closed now, else 0 (a blank date). */
static int64_t closed_at(json_t *inc)
{
	json_t *tl = json_object_get(inc, "timeline");
	for (size_t i = json_array_size(tl); i > 0; i--) {
		json_t *ev = json_array_get(tl, i - 1);
		const char *k = str(ev, "kind");
		const char *to = str(json_object_get(ev, "data"), "to");
		if (k && strcmp(k, "transition") == 0 && to && strcmp(to, "closed") == 0)
			return ms_of(ev, "at");
	}
	const char *s = str(inc, "status");
	return s && strcmp(s, "closed") == 0 ? ms_of(inc, "updated_at") : 0;
}

static void form04(struct doc *d, json_t *inc, const struct issuer *is)
{
	json_t *by = json_object_get(inc, "closing_report_by");
	json_t *sys = json_object_get(inc, "system"), *cr = json_object_get(inc, "closing_report");
	const char *name = str(by, "full_name") && *str(by, "full_name") ?
	    str(by, "full_name") : str(by, "username");
	int64_t closed = closed_at(inc), detected = ms_of(inc, "detected_at");
	char num[128], date[32], time[16], line[2048];
	struct buf b;

	snprintf(num, sizeof num, "Số: %s", str(inc, "number") ? str(inc, "number") : "");
	doc_header(d, is->parent[0] ? is->parent : NULL, is->name, num,
	    closed ? is->place : NULL, closed);
	if (!closed)
		doc_text(d, "……………, ngày …… tháng …… năm ……", DOC_RIGHT, DOC_ITALIC);
	doc_form_code(d, "Mẫu 04");
	doc_title(d, "BÁO CÁO KẾT THÚC ỨNG CỨU SỰ CỐ AN TOÀN THÔNG TIN MẠNG", NULL);
	buf_init(&b, 64 * 1024);
	json_t *reports = json_object_get(inc, "reports");
	recipients(&b, reports, "closing");
	if (b.len == 0)
		recipients(&b, reports, "initial");
	snprintf(line, sizeof line, "Kính gửi: %s", b.len ? b.p : "……………………………………");
	buf_release(&b);
	doc_text(d, line, DOC_CENTER, 0);

	doc_heading(d, 1, "1. Thông tin về người báo cáo");
	person(d, name, str(by, "org_name"), str(by, "phone"), str(by, "email"), NULL);

	doc_heading(d, 1, "2. Thông tin về báo cáo ban đầu");
	doc_field(d, "Số hiệu báo cáo ban đầu", str(inc, "number"));
	vn_date(ms_of(inc, "created_at"), date, sizeof date);
	doc_field(d, "Ngày báo cáo ban đầu", date);

	doc_heading(d, 1, "3. Thông tin về hệ thống thông tin gặp sự cố");
	system_block(d, sys, 0);

	doc_heading(d, 1, "4. Thông tin về sự cố");
	doc_field(d, "Tóm tắt sự cố (tiêu đề)", str(inc, "title"));
	para_or_dots(d, "Mô tả sự cố", str(inc, "description"));
	vn_date(detected, date, sizeof date);
	vn_time(detected, time, sizeof time);
	snprintf(line, sizeof line, "Ngày phát hiện (*): %s        Thời gian phát hiện (giờ:phút) (*): %s",
	    date, time);
	doc_text(d, line, DOC_LEFT, 0);
	doc_field(d, "Loại sự cố", label_vi(incident_type_labels, str(inc, "type")));
	doc_field(d, "Mức độ", str(inc, "severity") ?
	    label_vi(severity_labels, str(inc, "severity")) : NULL);

	doc_heading(d, 1, "5. Kết quả xử lý sự cố");
	para_or_dots(d, "Tóm tắt kết quả xử lý (*)", str(cr, "summary"));
	para_or_dots(d, "Nguyên nhân", str(cr, "cause"));
	para_or_dots(d, "Cách thức giải quyết", str(cr, "resolution"));
	para_or_dots(d, "Thiệt hại (ước tính)", str(cr, "damage"));
	para_or_dots(d, "Đề xuất, kiến nghị", str(cr, "proposals"));

	doc_heading(d, 1, "6. Các tài liệu gửi kèm");
	int n = 0;
	size_t i;
	json_t *x;
	json_array_foreach(reports, i, x) {
		const char *k = str(x, "kind");
		if (k == NULL || strcmp(k, "closing") == 0)
			continue; /* never the closing report itself */
		vn_date(ms_of(x, "sent_at"), date, sizeof date);
		const char *ref = str(x, "reference");
		snprintf(line, sizeof line, "- %s — %s%s%s%s", label_vi(report_kind_labels, k), date,
		    ref && *ref ? " (" : "", ref && *ref ? ref : "", ref && *ref ? ")" : "");
		doc_text(d, line, DOC_LEFT, 0);
		n++;
	}
	json_array_foreach(json_object_get(inc, "attachments"), i, x) {
		const char *fn = str(x, "filename") ? str(x, "filename") : str(x, "name");
		if (fn == NULL)
			continue;
		snprintf(line, sizeof line, "- %s", fn);
		doc_text(d, line, DOC_LEFT, 0);
		n++;
	}
	if (n == 0)
		doc_text(d, "(Không có)", DOC_LEFT, DOC_ITALIC);
	doc_signature(d, "Người báo cáo", "(Ký, ghi rõ họ tên, đóng dấu)", name);
}

struct doc *incident_form_doc(struct ctx *c, const char *incident_id, int form,
    struct err *e)
{
	char number[64];
	return incident_form_doc_numbered(c, incident_id, form, number, sizeof number, e);
}

struct doc *incident_form_doc_numbered(struct ctx *c, const char *incident_id, int form,
    char *number, size_t n, struct err *e)
{
	if (n > 0)
		number[0] = '\0';
	if (form != 3 && form != 4) {
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
		return NULL;
	}
	struct inc_head h;
	if (inc_load(c, incident_id, ACT_INCIDENT_DOCUMENT, &h, e) != 0)
		return NULL;
	json_t *inc = inc_render(c, h.id, 1, e);
	if (inc == NULL)
		return NULL;
	struct issuer is = { 0 };
	int rc;
	json_t *by = json_object_get(inc, "closing_report_by");
	if (form == 4 && str(by, "id"))
		rc = issuer_load(c, NULL, str(by, "id"), &is, e);
	else
		rc = issuer_load(c, h.org_id, NULL, &is, e);
	if (rc != 0) {
		json_decref(inc);
		return NULL;
	}
	if (is.name[0] == '\0') /* the writer's organisation vanished */
		snprintf(is.name, sizeof is.name, "%s", str(json_object_get(inc, "org"), "name") ?
		    str(json_object_get(inc, "org"), "name") : "");
	char title[512];
	snprintf(title, sizeof title, "%s %s", form == 3 ? "Mẫu 03 - Báo cáo ban đầu" :
	    "Mẫu 04 - Báo cáo kết thúc", h.number);
	if (n > 0)
		snprintf(number, n, "%s", h.number);
	int64_t when = form == 3 ? ms_of(inc, "created_at") : closed_at(inc);
	struct doc *d = doc_new(title, when ? when : ms_of(inc, "created_at"));
	if (d == NULL) {
		json_decref(inc);
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		return NULL;
	}
	if (form == 3)
		form03(d, inc, &is);
	else
		form04(d, inc, &is);
	json_decref(inc);
	return d;
}

/* The builders of the document kinds (src/cli/doc.c) also take the
 * incident's number (PQ-2026-0007), which is what people know; whether the
 * reader may see it is still inc_load's answer. */
static struct doc *by_id_or_number(struct ctx *c, const char *ref, int form, struct err *e)
{
	if (ref == NULL || uuid_valid(ref))
		return incident_form_doc(c, ref ? ref : "", form, e);
	char id[UUID_LEN] = "";
	struct stmt *st = store_query(c->db, e, "SELECT id FROM incidents WHERE number = $1",
				      "t", ref);
	if (st == NULL)
		return NULL;
	int rc = stmt_step(st, e);
	if (rc == 1)
		snprintf(id, sizeof id, "%s", stmt_text(st, 0));
	stmt_done(st);
	if (rc < 0)
		return NULL;
	if (rc == 0) {
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
		return NULL;
	}
	return incident_form_doc(c, id, form, e);
}

struct doc *incident_mau03_doc(struct ctx *c, const char *id, struct err *e)
{
	return by_id_or_number(c, id, 3, e);
}

struct doc *incident_mau04_doc(struct ctx *c, const char *id, struct err *e)
{
	return by_id_or_number(c, id, 4, e);
}
