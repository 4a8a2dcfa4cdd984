/*
 * demo.c - `ungcuu demo`: a new database holding the demo district of Phú Quý
 * (real names, regulation.md §1): VNCERT/CC > Sở TT&TT Bình Thuận > UBND
 * huyện Phú Quý with its offices, communes and telecom branches; one login per
 * role, contacts, and incidents in different states and deadlines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "instance.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../domain/incident/incident.h"
#include "../domain/directory/org.h"
#include "../domain/directory/user.h"
#include "../domain/asset/asset.h"
#include "../domain/plan/budget.h"
#include "../domain/plan/resource.h"
#include "../domain/plan/risk.h"
#include "../domain/plan/plan.h"
#include "../domain/plan/drill.h"
#include "../domain/plan/mau05.h"
#include "../store/store.h"
#include "../base/banned.h"

static const struct org_new demo_orgs[] = {
	{ "vncert", "Trung tâm Ứng cứu khẩn cấp không gian mạng Việt Nam (VNCERT/CC)",
	  "national", NULL, "Hà Nội", 1 },
	{ "stttt-bth", "Sở Thông tin và Truyền thông tỉnh Bình Thuận (Đội ứng cứu sự cố)",
	  "province", "vncert", "Phan Thiết, Bình Thuận", 1 },
	{ "pq", "UBND huyện Phú Quý", "district", "stttt-bth", "Phú Quý, Bình Thuận", 0 },
	{ "pq-vp", "Văn phòng HĐND và UBND huyện Phú Quý", "agency", "pq", "", 0 },
	{ "pq-vhtt", "Phòng Văn hóa và Thông tin huyện Phú Quý", "agency", "pq", "", 0 },
	{ "pq-kttc", "Phòng Kinh tế - Tài chính huyện Phú Quý", "agency", "pq", "", 0 },
	{ "pq-tamthanh", "UBND xã Tam Thanh", "commune", "pq", "", 0 },
	{ "pq-longhai", "UBND xã Long Hải", "commune", "pq", "", 0 },
	{ "pq-nguphung", "UBND xã Ngũ Phụng", "commune", "pq", "", 0 },
	{ "pq-vnpt", "VNPT Phú Quý", "telecom", "pq", "", 0 },
	{ "pq-viettel", "Viettel Phú Quý", "telecom", "pq", "", 0 },
};

struct demo_user {
	const char *username, *org, *full_name, *roles;
};

static const struct demo_user demo_users[] = {
	{ "admin", "pq", "Quản trị hệ thống", "admin" },
	{ "dieuphoi", "pq", "Nguyễn Văn An (Văn phòng HĐND và UBND huyện)", "coordinator,responder" },
	{ "tamthanh", "pq-tamthanh", "Trần Thị Bích", "reporter,focal" },
	{ "longhai", "pq-longhai", "Lê Văn Cường", "reporter" },
	{ "nguphung", "pq-nguphung", "Phạm Thị Dung", "reporter,focal" },
	{ "vanhoa", "pq-vhtt", "Võ Minh Đức", "reporter,focal" },
	{ "vnpt", "pq-vnpt", "Huỳnh Văn Em", "reporter,focal" },
	{ "tinh", "stttt-bth", "Đặng Quốc Phong (Đội ứng cứu tỉnh)", "coordinator,responder" },
	{ "lanhdao", "pq", "Ngô Thị Giang (Lãnh đạo UBND huyện)", "leader" },
	{ "taichinh", "pq-kttc", "Lý Thị Hoa (Phòng Kinh tế - Tài chính)", "reporter" },
};

static const char *const demo_contacts[][5] = {
	/* org, name, phone, email, role in the network */
	{ "pq", "Nguyễn Văn An", "0252 3769 100", "vanphong@phuquy.binhthuan.gov.vn", "Đầu mối ứng cứu cấp huyện" },
	{ "stttt-bth", "Đặng Quốc Phong", "0252 3822 888", "ucsc@sotttt.binhthuan.gov.vn", "Đội trưởng đội ứng cứu tỉnh" },
	{ "vncert", "Trực ban VNCERT/CC", "024 3640 4424", "ir@vncert.vn", "Cơ quan điều phối quốc gia" },
	{ "pq-vnpt", "Huỳnh Văn Em", "0252 3769 555", "phuquy@vnpt.vn", "Đầu mối doanh nghiệp viễn thông" },
	{ "pq-viettel", "Trực kỹ thuật Viettel Phú Quý", "0252 3769 666", "phuquy@viettel.com.vn", "Đầu mối doanh nghiệp viễn thông" },
};

struct ctxs {
	struct store *db;
	struct rules rules;
	struct actor actors[sizeof(demo_users) / sizeof(demo_users[0])];
};

static const struct actor *as(struct ctxs *x, const char *username)
{
	for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]); i++)
		if (strcmp(x->actors[i].username, username) == 0)
			return &x->actors[i];
	return NULL;
}

static int load_actor(struct store *db, const char *username, struct actor *a, struct err *e)
{
	struct stmt *st = store_query(db, e, "SELECT u.id, u.roles, u.org_id, o.path, u.full_name "
		"FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.username = $1", "t", username);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		memset(a, 0, sizeof(*a));
		snprintf(a->id, sizeof(a->id), "%s", stmt_text(st, 0));
		snprintf(a->username, sizeof(a->username), "%s", username);
		a->roles = (unsigned)roles_parse(stmt_text(st, 1));
		snprintf(a->org_id, sizeof(a->org_id), "%s", stmt_text(st, 2));
		snprintf(a->org_path, sizeof(a->org_path), "%s", stmt_text(st, 3));
		snprintf(a->full_name, sizeof(a->full_name), "%s", stmt_text(st, 4));
	}
	stmt_done(st);
	return rc == 1 ? 0 : -1;
}

/* Files an incident as `who`, `ago_h` hours ago, and walks it to `path`. */
static int demo_incident(struct ctxs *x, const char *who, double ago_h, const char *json,
			 const char *const *path, struct err *e)
{
	int64_t now = time_now_ms(), t0 = now - (int64_t)(ago_h * 3600000);
	struct ctx c = { .db = x->db, .rules = &x->rules, .actor = as(x, who) };
	json_error_t je;
	json_t *body = json_loads(json, 0, &je);
	if (body == NULL)
		return err_set(e, E_INTERNAL, MSG_MALFORMED_JSON, je.text);
	char detected[TIME_RFC3339_LEN];
	json_object_set_new(body, "detected_at",
			    json_string(time_format_utc(t0 - 3600000, detected)));
	time_set_fake_now(t0);
	json_t *inc = incident_create(&c, body, e);
	json_decref(body);
	if (inc == NULL) {
		time_set_fake_now(0);
		return -1;
	}
	char id[UUID_LEN];
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(inc, "id")));
	long long version = json_integer_value(json_object_get(inc, "version"));
	json_decref(inc);
	c.actor = as(x, "dieuphoi");
	for (int i = 0; path && path[i]; i++) {
		t0 += 1800000; /* half an hour a step */
		time_set_fake_now(t0 < now ? t0 : now);
		if (strncmp(path[i], "observable:", 11) == 0 || strncmp(path[i], "comment:", 8) == 0) {
			int obs = path[i][0] == 'o';
			json_t *b = obs ? json_pack("{s:s, s:s}", "kind", "ip", "value", path[i] + 11)
					: json_pack("{s:s}", "body", path[i] + 8);
			json_t *r = obs ? incident_add_observable(&c, id, b, e)
					: incident_add_comment(&c, id, b, e);
			json_decref(b);
			if (r == NULL)
				break;
			json_decref(r);
			continue;
		}
		if (strncmp(path[i], "support:", 8) == 0 || strncmp(path[i], "report:", 7) == 0) {
			int support = path[i][0] == 's';
			json_t *b = support
				? json_pack("{s:s, s:s}", "summary", path[i] + 8, "urgency", "high")
				: json_pack("{s:s, s:s, s:s}", "kind", path[i] + 7,
					    "recipient", "Sở TT&TT Bình Thuận; VNCERT/CC", "channel", "email");
			json_t *r = support ? incident_add_support(&c, id, b, e)
					    : incident_add_report(&c, id, b, e);
			json_decref(b);
			if (r == NULL)
				break;
			json_decref(r);
			continue;
		}
		json_error_t je2;
		json_t *b = json_loads(path[i], 0, &je2);
		json_t *r = b ? incident_transition(&c, id, version, b, e) : NULL;
		json_decref(b);
		if (r == NULL)
			break;
		version = json_integer_value(json_object_get(r, "version"));
		json_decref(r);
	}
	time_set_fake_now(0);
	return e->code ? -1 : 0;
}

/* Runs fn(c, body) for a JSON text, keeping the answer's id and version. */
static int demo_call(struct ctx *c, json_t *(*fn)(struct ctx *, json_t *, struct err *),
		     const char *json, char id[UUID_LEN], long long *version, struct err *e)
{
	json_error_t je;
	json_t *body = json_loads(json, 0, &je);
	if (body == NULL)
		return err_set(e, E_INTERNAL, MSG_MALFORMED_JSON, je.text);
	json_t *r = fn(c, body, e);
	json_decref(body);
	if (r == NULL)
		return -1;
	if (id)
		snprintf(id, UUID_LEN, "%s", json_string_value(json_object_get(r, "id")));
	if (version)
		*version = json_integer_value(json_object_get(r, "version"));
	json_decref(r);
	return 0;
}

/* The plan's data (issue 15, h/risk): Phòng Kinh tế - Tài chính is the
 * district's finance office; Tam Thanh has its web portal in the register
 * with two risks and a budget sent for this year; the district office has
 * its contractor and its people. */
static int seed_plan(struct ctxs *x, struct err *e)
{
	struct actor sys;
	actor_system(&sys);
	struct ctx admin = { .db = x->db, .rules = &x->rules, .actor = &sys };
	struct ctx tt = { .db = x->db, .rules = &x->rules, .actor = as(x, "tamthanh") };
	struct ctx vp = { .db = x->db, .rules = &x->rules, .actor = as(x, "dieuphoi") };
	char sys_id[UUID_LEN], id[UUID_LEN], json[1024];
	long long v;
	json_decref(budget_finance_office_set(&admin, "pq-kttc", 1, e));
	if (e->code ||
	    demo_call(&tt, system_create, "{\"name\":\"Phần mềm quản lý văn bản xã Tam Thanh\","
		      "\"purpose\":\"Văn bản đi, đến và hồ sơ công việc của xã\",\"level\":2,"
		      "\"info_type\":\"public\",\"function\":\"citizen_facing\"}", sys_id, NULL, e))
		return -1;
	snprintf(json, sizeof(json), "{\"system_id\":\"%s\",\"threat\":\"defacement\","
		 "\"likelihood\":4,\"impact\":3,\"controls\":\"Sao lưu hằng tuần\","
		 "\"treatment\":\"Cập nhật bản vá CMS, đổi mật khẩu quản trị, bật xác thực hai bước\","
		 "\"owner\":\"Trần Thị Bích\"}", sys_id);
	if (demo_call(&tt, risk_create, json, NULL, NULL, e))
		return -1;
	snprintf(json, sizeof(json), "{\"system_id\":\"%s\",\"threat\":\"disaster\","
		 "\"likelihood\":2,\"impact\":4,\"controls\":\"Bộ lưu điện 30 phút\","
		 "\"treatment\":\"Sao lưu ra đất liền mỗi tháng\",\"owner\":\"Trần Thị Bích\"}",
		 sys_id);
	if (demo_call(&tt, risk_create, json, NULL, NULL, e))
		return -1;
	int year = time_local_year(time_now_ms());
	static const char *const lines[][3] = {
		{ "training", "Tập huấn nhận diện thư giả mạo cho cán bộ xã", "15000000" },
		{ "software", "Bản quyền phần mềm phòng chống mã độc (20 máy)", "12000000" },
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(json, sizeof(json), "{\"year\":%d,\"category\":\"%s\",\"description\":"
			 "\"%s\",\"planned\":%s}", year, lines[i][0], lines[i][1], lines[i][2]);
		if (demo_call(&tt, budget_create, json, id, &v, e))
			return -1;
		json_decref(budget_submit(&tt, id, v, e));
		if (e->code)
			return -1;
	}
	snprintf(json, sizeof(json), "{\"year\":%d,\"category\":\"drills\",\"description\":"
		 "\"Diễn tập ứng cứu sự cố mã độc mã hóa dữ liệu cấp huyện\",\"planned\":45000000}",
		 year);
	if (demo_call(&vp, budget_create, json, NULL, NULL, e) ||
	    demo_call(&vp, resource_create, "{\"kind\":\"contractor\",\"name\":\"VNPT Bình "
		      "Thuận\",\"scope\":\"Giám sát an toàn thông tin, hỗ trợ ứng cứu 24/7\","
		      "\"contact\":\"0252 3769 555\",\"contract_from\":\"2026-01-01T00:00:00Z\","
		      "\"contract_to\":\"2026-12-31T16:59:59Z\"}", NULL, NULL, e) ||
	    demo_call(&vp, resource_create, "{\"kind\":\"person\",\"name\":\"Nguyễn Văn An\","
		      "\"skills\":\"Điều phối ứng cứu, phân tích nhật ký, quản trị mạng\","
		      "\"contact\":\"0252 3769 100\"}", NULL, NULL, e))
		return -1;
	return 0;
}

#define ACK "{\"to\":\"acknowledged\"}"
#define VERIFY "{\"to\":\"verified\"}"
#define CONTAIN "{\"to\":\"containing\"}"

static int seed_incidents(struct ctxs *x, struct err *e)
{
	static const char *const p_phish[] = { ACK, VERIFY,
		"{\"to\":\"classified\",\"severity\":\"medium\"}", CONTAIN, NULL };
	static const char *const p_ransom[] = { ACK, VERIFY, "report:notification",
		"{\"to\":\"classified\",\"severity\":\"high\",\"escalate\":true}",
		"support:Đề nghị Đội ứng cứu tỉnh hỗ trợ phân tích mã độc mã hóa dữ liệu",
		CONTAIN, "{\"to\":\"eradicating\"}", NULL };
	static const char *const p_closed[] = { ACK, VERIFY, "report:notification",
		"{\"to\":\"classified\",\"severity\":\"low\"}", CONTAIN, "{\"to\":\"eradicating\"}",
		"{\"to\":\"recovering\"}", "{\"to\":\"reviewing\"}",
		"{\"to\":\"closed\",\"closing_report\":{\"summary\":\"Đã gỡ bỏ mã độc trên 2 máy "
		"tính, cập nhật bản vá và đổi mật khẩu.\",\"cause\":\"Người dùng mở tệp đính kèm "
		"thư giả mạo\",\"resolution\":\"Cô lập máy, quét và gỡ mã độc, khôi phục dữ liệu "
		"từ bản sao lưu\",\"proposals\":\"Tập huấn nhận diện thư giả mạo cho cán bộ xã\"}}",
		/* written on closing, then sent: the clock is met */
		"report:closing", NULL };
	static const char *const p_reject[] = { ACK,
		"{\"to\":\"rejected\",\"reason\":\"Cảnh báo nhầm: đăng nhập từ máy tính mới của "
		"cán bộ văn phòng, đã xác minh\"}", NULL };
	static const char *const p_verified[] = { ACK, VERIFY, NULL };

	if (demo_incident(x, "tamthanh", 0.5,
		"{\"title\":\"Trang thông tin điện tử xã Tam Thanh bị thay đổi giao diện\","
		"\"description\":\"Sáng nay trang chủ hiển thị hình ảnh và khẩu hiệu lạ, không "
		"phải nội dung của xã.\",\"type\":\"defacement\",\"system\":{\"name\":\"Cổng "
		"thông tin điện tử xã Tam Thanh\",\"domains\":[\"tamthanh.phuquy.binhthuan.gov.vn\"],"
		"\"level\":2},\"handling_status\":\"not_handled\",\"detection_method\":"
		"{\"kind\":\"notified\",\"detail\":\"Người dân gọi điện báo\"}}", NULL, e) ||
	    demo_incident(x, "vnpt", 3,
		"{\"title\":\"Tấn công từ chối dịch vụ vào đường truyền Internet của huyện\","
		"\"description\":\"Lưu lượng bất thường tới máy chủ dịch vụ công, đường truyền bị "
		"nghẽn từng đợt.\",\"type\":\"dos\",\"detection_method\":{\"kind\":\"ids\"}}",
		NULL, e) ||
	    demo_incident(x, "longhai", 26,
		"{\"title\":\"Thư giả mạo mạo danh Sở Tài chính gửi cán bộ xã Long Hải\","
		"\"description\":\"Ba cán bộ nhận thư có đường dẫn yêu cầu đăng nhập hộp thư công vụ.\","
		"\"type\":\"phishing\"}", p_phish, e) ||
	    demo_incident(x, "dieuphoi", 50,
		"{\"org_code\":\"pq-kttc\",\"title\":\"Máy tính kế toán bị mã hóa dữ liệu\","
		"\"description\":\"Các tệp trên máy kế toán bị đổi đuôi và có thông báo đòi tiền chuộc.\","
		"\"type\":\"encryption\",\"confidential\":true,\"support_needed\":\"Phân tích mẫu "
		"mã độc, khôi phục dữ liệu\"}", p_ransom, e) ||
	    demo_incident(x, "nguphung", 240,
		"{\"title\":\"Mã độc trên máy tính bộ phận một cửa xã Ngũ Phụng\","
		"\"description\":\"Phần mềm diệt virus cảnh báo mã độc trên hai máy tính.\","
		"\"type\":\"malware\"}", p_closed, e) ||
	    demo_incident(x, "dieuphoi", 120,
		"{\"org_code\":\"pq-vp\",\"title\":\"Đăng nhập bất thường vào hộp thư công vụ\","
		"\"description\":\"Hệ thống thư báo đăng nhập từ địa chỉ lạ.\",\"type\":\"intrusion\"}",
		p_reject, e) ||
	    demo_incident(x, "vanhoa", 150,
		"{\"title\":\"Rò rỉ danh sách hồ sơ trên trang mạng xã hội\",\"description\":"
		"\"Một tài khoản mạng xã hội đăng ảnh chụp danh sách hồ sơ của phòng.\","
		"\"type\":\"espionage\"}", p_verified, e))
		return -1;
	return 0;
}

/* Response plans (issue 15): the Economy and Finance office's plan is
 * approved (its ransomware checklist becomes the tasks of the demo's
 * ransomware incident when it is classified), the Culture office's awaits
 * the leader, the communes have none yet. */
static json_t *demo_plan_move(struct ctx *c, json_t *p, const char *body, struct err *e)
{
	if (p == NULL)
		return NULL;
	json_t *b = json_loads(body, 0, NULL);
	json_t *r = b ? plan_transition(c, json_string_value(json_object_get(p, "id")),
				       json_integer_value(json_object_get(p, "version")), b, e) : NULL;
	json_decref(b);
	json_decref(p);
	return r;
}

static int seed_plans(struct ctxs *x, struct err *e)
{
	struct ctx coord = { .db = x->db, .rules = &x->rules, .actor = as(x, "dieuphoi") };
	struct ctx lead = { .db = x->db, .rules = &x->rules, .actor = as(x, "lanhdao") };
	struct ctx vh = { .db = x->db, .rules = &x->rules, .actor = as(x, "vanhoa") };
	int y;
	unsigned m, d;
	char approve[200];
	/* approved two months ago (a decision date is never in the future) */
	time_civil_from_days((time_now_ms() + 7 * 3600000LL) / 86400000LL - 60, &y, &m, &d);
	snprintf(approve, sizeof(approve), "{\"to\":\"approved\",\"decision_number\":"
		 "\"18/QĐ-UBND\",\"decision_date\":\"%04d-%02u-%02u\"}", y, m, d);
	json_t *b = json_pack("{s:s, s:s}", "org_code", "pq-kttc", "title",
			      "Kế hoạch ứng phó sự cố an toàn thông tin mạng Phòng Kinh tế - Tài chính");
	json_t *p = plan_create(&coord, b, e);
	json_decref(b);
	p = demo_plan_move(&coord, p, "{\"to\":\"submitted\"}", e);
	p = demo_plan_move(&lead, p, approve, e);
	if (p == NULL)
		return -1;
	json_decref(p);
	b = json_object();
	p = plan_create(&vh, b, e);
	json_decref(b);
	p = demo_plan_move(&vh, p, "{\"to\":\"submitted\"}", e);
	if (p == NULL)
		return -1;
	json_decref(p);
	return 0;
}

/* `--incidents N` (make bench): N more incidents through the domain
 * functions, as the coordinator, spread over the communes, the types and
 * the last 90 days (filed then, so their clocks ran then); one in five
 * acknowledged and verified, one in ten acknowledged, one in five with an
 * observable, one in ten with a comment. Deterministic. */
/* Drills and a Mẫu 05 (h/reports): the district's portal (level 3) drilled
 * live two months ago, with what went wrong and a corrective action for
 * the commune Tam Thanh's focal point; a tabletop exercise planned at Tam
 * Thanh; the year's Mẫu 05 of the district as a draft. */
static int seed_reports(struct ctxs *x, struct err *e)
{
	int64_t now = time_now_ms(), day = 86400000LL;
	char held[TIME_RFC3339_LEN], inj1[TIME_RFC3339_LEN], inj2[TIME_RFC3339_LEN],
	     planned[TIME_RFC3339_LEN], due[TIME_RFC3339_LEN], next[TIME_RFC3339_LEN];
	time_format_utc(now - 60 * day, held);
	time_format_utc(now - 60 * day + 3600000, inj1);
	time_format_utc(now - 60 * day + 2 * 3600000, inj2);
	time_format_utc(now - 67 * day, planned);
	time_format_utc(now + 10 * day, due);
	time_format_utc(now + 30 * day, next);
	struct ctx c = { .db = x->db, .rules = &x->rules, .actor = as(x, "dieuphoi") };
	json_t *b = json_pack("{s:s, s:s, s:i}", "name", "Cổng thông tin điện tử huyện Phú Quý",
			      "org_code", "pq", "level", 3);
	json_t *sys = system_create(&c, b, e);
	json_decref(b);
	if (sys == NULL)
		return -1;
	b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:s, s:[{s:s, s:s}, {s:s, s:s}], "
		"s:s, s:s}", "org_code", "pq", "title", "Diễn tập ứng phó tấn công mã hóa dữ liệu "
		"cổng thông tin huyện", "kind", "live", "status", "held", "planned_at", planned,
		"held_at", held, "system_ids", json_string_value(json_object_get(sys, "id")),
		"scenario", "Máy chủ cổng thông tin bị mã độc mã hóa dữ liệu, trang chủ hiện thông báo "
		"đòi tiền chuộc.", "injects", "at", inj1, "text", "Người dân báo trang chủ không truy "
		"cập được", "at", inj2, "text", "Phát hiện tệp dữ liệu bị đổi đuôi .locked",
		"participants", "Văn phòng HĐND và UBND huyện; Phòng Văn hóa và Thông tin; VNPT Phú Quý",
		"went_wrong", "Bản sao lưu gần nhất đã cũ 9 ngày; chưa có danh bạ khẩn cấp của nhà cung "
		"cấp hosting.");
	json_decref(sys);
	json_t *d = b ? drill_create(&c, b, e) : NULL;
	json_decref(b);
	if (d == NULL)
		return -1;
	b = json_pack("{s:s, s:s, s:s}", "title", "Lập lịch sao lưu hằng ngày cho máy chủ của xã",
		      "owner_id", as(x, "tamthanh")->id, "due_at", due);
	json_t *a = drill_action_add(&c, json_string_value(json_object_get(d, "id")), b, e);
	json_decref(b);
	json_decref(d);
	json_decref(a);
	if (a == NULL)
		return -1;
	c.actor = as(x, "tamthanh");
	b = json_pack("{s:s, s:s, s:s, s:s}", "title", "Diễn tập trên bàn: lừa đảo qua thư điện tử",
		      "kind", "tabletop", "planned_at", next, "scenario", "Cán bộ xã nhận thư giả mạo "
		      "Kho bạc yêu cầu đăng nhập.");
	d = drill_create(&c, b, e);
	json_decref(b);
	json_decref(d);
	if (d == NULL)
		return -1;
	c.actor = as(x, "dieuphoi");
	b = json_pack("{s:s, s:i}", "period", "year", "year", time_local_year(now));
	json_t *m = mau05_create(&c, b, e);
	json_decref(b);
	json_decref(m);
	return m ? 0 : -1;
}

static int bench_incidents(struct ctxs *x, long n, struct err *e)
{
	static const char *const orgs[] = { "pq-tamthanh", "pq-longhai", "pq-nguphung", "pq-vhtt",
					    "pq-kttc", "pq-vnpt", "pq-viettel" };
	static const char *const types[] = { "dos", "phishing", "malware", "intrusion", "defacement",
					     "encryption", "destruction", "espionage", "combined", "other" };
	static const char *const words[] = { "máy chủ", "cổng thông tin", "thư điện tử", "giao diện",
		"mã độc", "tống tiền", "đăng nhập", "đường truyền", "dịch vụ công", "kế toán", "hộ tịch",
		"địa chính", "tài khoản", "mật khẩu", "tường lửa", "nhật ký", "camera", "wifi" };
	const size_t nw = sizeof(words) / sizeof(words[0]);
	/* A throwaway fixture: no fsync per incident (it is the disk, not the
	 * program, that would set the pace); the file is whole once closed. */
	if (store_exec(x->db, "PRAGMA synchronous = OFF", e) != 0)
		return -1;
	for (long k = 0; k < n; k++) {
		char json[600], obs[64], com[160];
		const char *path[5] = { NULL };
		int np = 0;
		unsigned long h = (unsigned long)k * 2654435761UL;
		snprintf(json, sizeof(json), "{\"title\":\"%s %s số %ld\",\"description\":\"Phát hiện "
			 "%s bất thường liên quan %s và %s.\",\"type\":\"%s\",\"org_code\":\"%s\"}",
			 words[h % nw], words[(h >> 5) % nw], k, words[(h >> 9) % nw],
			 words[(h >> 13) % nw], words[(h >> 17) % nw], types[k % 10], orgs[(h >> 21) % 7]);
		if (k % 10 < 3)
			path[np++] = ACK;
		if (k % 10 < 2)
			path[np++] = VERIFY;
		if (k % 5 == 0) {
			snprintf(obs, sizeof(obs), "observable:198.51.%lu.%lu", (h >> 3) % 256, (h >> 11) % 256);
			path[np++] = obs;
		}
		if (k % 10 == 0) {
			snprintf(com, sizeof(com), "comment:Đã kiểm tra %s tại %s", words[(h >> 7) % nw],
				 orgs[(h >> 15) % 7]);
			path[np++] = com;
		}
		double ago_h = 2.0 + (double)(h % (90 * 24 * 60)) / 60.0;
		if (demo_incident(x, "dieuphoi", ago_h, json, path, e) != 0)
			return -1;
	}
	return 0;
}

static const struct cli_opt opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu mới", "the new database file" },
	{ "incidents", 1, "thêm N sự cố để đo tải (make bench)", "add N more incidents, for load tests (make bench)" },
	{ "json", 0, "in tài khoản dạng JSON", "print the logins as JSON" },
	{ NULL, 0, NULL, NULL },
};

int cmd_demo(int argc, char **argv)
{
	struct cli_args a;
	struct err e = { 0 };
	static struct ctxs x;
	int rc = cli_parse(argc, argv, opts, "ungcuu demo --db PATH [--json]",
		"Tạo cơ sở dữ liệu mẫu của huyện Phú Quý: cây tổ chức, một tài khoản cho mỗi vai "
		"trò, đầu mối ứng cứu và các sự cố ở nhiều trạng thái. In các tài khoản.",
		"Create the demo district of Phú Quý: the organisation tree, one login per role, "
		"contacts and incidents in several states. Prints the logins.", &a);
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *path = cli_get(&a, opts, "db");
	int json = cli_get(&a, opts, "json") != NULL;
	if (path == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--db");
		return EXIT_USAGE;
	}
	if (instance_exists(path)) {
		char text[300];
		fprintf(stderr, "ungcuu: %s\n", msg_format(MSG_DB_EXISTS, cli_lang(), path, text,
							   sizeof(text)));
		return 1;
	}
	x.db = instance_create(path, "PQ", &e);
	if (x.db == NULL) {
		cli_error(&e);
		return 1;
	}
	instance_rules(x.db, &x.rules);
	struct actor sys;
	actor_system(&sys);
	struct ctx c = { .db = x.db, .rules = &x.rules, .actor = &sys };
	json_t *logins = json_array();
	for (size_t i = 0; i < sizeof(demo_orgs) / sizeof(demo_orgs[0]) && !e.code; i++)
		org_add(&c, &demo_orgs[i], NULL, &e);
	for (size_t i = 0; i < sizeof(demo_users) / sizeof(demo_users[0]) && !e.code; i++) {
		const struct demo_user *u = &demo_users[i];
		char pw[32];
		random_password(pw);
		struct user_new n = { .username = u->username, .password = pw, .org_code = u->org,
				      .full_name = u->full_name,
				      .roles = (unsigned)roles_parse(u->roles) };
		struct org o;
		if (user_add(&c, &n, NULL, &e) != 0 || org_by_code(&c, u->org, &o, &e) != 0 ||
		    load_actor(x.db, u->username, &x.actors[i], &e) != 0)
			break;
		json_t *roles = json_array();
		for (const char *p = u->roles; *p;) {
			const char *comma = strchr(p, ',');
			size_t l = comma ? (size_t)(comma - p) : strlen(p);
			json_array_append_new(roles, json_stringn(p, l));
			p += l + (comma ? 1 : 0);
		}
		json_array_append_new(logins, json_pack("{s:s, s:s, s:o, s:s, s:s, s:s}",
			"username", u->username, "password", pw, "roles", roles,
			"org_code", u->org, "org_name", o.name, "full_name", u->full_name));
		sodium_memzero(pw, sizeof(pw));
	}
	for (size_t i = 0; i < sizeof(demo_contacts) / sizeof(demo_contacts[0]) && !e.code; i++) {
		json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "org_code", demo_contacts[i][0],
				      "name", demo_contacts[i][1], "phone", demo_contacts[i][2],
				      "email", demo_contacts[i][3], "network_role", demo_contacts[i][4],
				      "on_duty", i < 3);
		json_decref(contact_add(&c, b, &e));
		json_decref(b);
	}
	if (!e.code)
		seed_plans(&x, &e);
	if (!e.code)
		seed_incidents(&x, &e);
	if (!e.code)
		seed_plan(&x, &e);
	if (!e.code)
		seed_reports(&x, &e);
	const char *more = cli_get(&a, opts, "incidents");
	if (!e.code && more)
		bench_incidents(&x, strtol(more, NULL, 10), &e);
	store_close(x.db);
	if (e.code) {
		cli_error(&e);
		json_decref(logins);
		return 1;
	}
	json_t *out = json_pack("{s:o, s:s}", "logins", logins, "db", path);
	if (json) {
		cli_print_json(out);
	} else {
		static const char *const cols[] = { "username", "password", "org_name", "full_name", NULL };
		static const char *const heads[] = { "TÊN ĐĂNG NHẬP/USER", "MẬT KHẨU/PASSWORD",
						     "TỔ CHỨC/ORGANISATION", "HỌ TÊN/NAME", NULL };
		cli_print_table(logins, cols, heads);
	}
	json_decref(out);
	cli_args_release(&a);
	return 0;
}
