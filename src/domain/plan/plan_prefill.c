/* plan_prefill.c - a new plan's text from the registry and directory (plan_prefill.h). */
#include <stdio.h>
#include <string.h>

#include "plan_prefill.h"
#include "plan.h"
#include "risk.h"
#include "../directory/org.h"
#include "../../base/buf.h"
#include "../../base/msg.h"
#include "../../base/banned.h"

static const char *const level_words[] = { "chưa xác định", "1", "2", "3", "4", "5" };

/* systems of o (only system_id when given), highest level first */
#define SYSTEMS_SQL "SELECT name, COALESCE(level, 0), function, contractor, operator, id " \
	"FROM systems WHERE org_id = $1 AND retired_at IS NULL AND ($2 IS NULL OR id = $2) " \
	"ORDER BY COALESCE(level, 0) DESC, name"

static int text_state(struct ctx *c, const struct org *o, const char *sys, struct buf *b,
		      struct err *e)
{
	struct stmt *st = store_query(c->db, e, SYSTEMS_SQL, "tt", o->id, sys);
	if (st == NULL)
		return -1;
	int n = 0, rc;
	buf_printf(b, "Hệ thống thông tin của %s (theo danh mục hệ thống trong ungcuu):\n", o->name);
	while ((rc = stmt_step(st, e)) == 1) {
		int64_t lv = stmt_int(st, 1);
		const char *op = stmt_text(st, 4);
		buf_printf(b, "- %s: cấp độ %s%s%s\n", stmt_text(st, 0),
			   level_words[lv >= 0 && lv <= 5 ? lv : 0],
			   op && *op ? "; đơn vị vận hành: " : "", op && *op ? op : "");
		n++;
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (n == 0)
		buf_adds(b, "- (chưa có hệ thống nào trong danh mục)\n");
	st = store_query(c->db, e, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN agent_key IS NULL "
			 "THEN 0 ELSE 1 END), 0) FROM hosts WHERE org_id = $1 AND retired_at IS NULL "
			 "AND ($2 IS NULL OR system_id = $2)", "tt", o->id, sys);
	if (st == NULL)
		return -1;
	if ((rc = stmt_step(st, e)) == 1)
		buf_printf(b, "Số máy chủ, máy trạm trong danh mục: %lld, trong đó %lld máy gửi "
			   "kiểm kê tự động (agent).\n", (long long)stmt_int(st, 0),
			   (long long)stmt_int(st, 1));
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

/* The risk register of the organisation (or of the one system): each risk
 * with its score and band, the highest first, then what is done about it.
 * A register still empty says so, and where to fill it. */
static int text_risks(struct ctx *c, const struct org *o, const char *sys, struct buf *b,
		      struct err *e)
{
	static const char *const band_vi[] = { "thấp", "trung bình", "cao", "nghiêm trọng" };
	struct stmt *st = store_query(c->db, e, "SELECT s.name, r.threat, r.likelihood, r.impact, "
		"r.controls, r.treatment, r.owner FROM risks r JOIN systems s ON s.id = r.system_id "
		"WHERE r.org_id = $1 AND s.retired_at IS NULL AND ($2 IS NULL OR r.system_id = $2) "
		"ORDER BY r.likelihood * r.impact DESC, s.name, r.threat", "tt", o->id, sys);
	if (st == NULL)
		return -1;
	int rc, n = 0;
	while ((rc = stmt_step(st, e)) == 1) {
		int l = (int)stmt_int(st, 2), i = (int)stmt_int(st, 3);
		int score = risk_score(l, i), band = risk_band(score);
		const char *label = risk_threat_label(stmt_text(st, 1), LANG_VI);
		buf_printf(b, "- %s: %s — khả năng xảy ra %d, mức ảnh hưởng %d (điểm %d, mức %s).",
			   stmt_text(st, 0), label ? label : stmt_text(st, 1), l, i, score,
			   band >= 0 && band < 4 ? band_vi[band] : "?");
		if (*stmt_text(st, 4))
			buf_printf(b, " Biện pháp hiện có: %s.", stmt_text(st, 4));
		if (*stmt_text(st, 5))
			buf_printf(b, " Xử lý: %s.", stmt_text(st, 5));
		if (*stmt_text(st, 6))
			buf_printf(b, " Phụ trách: %s.", stmt_text(st, 6));
		buf_adds(b, "\n");
		n++;
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (n == 0)
		buf_printf(b, "Sổ đăng ký rủi ro của %s chưa có rủi ro nào (Kế hoạch → Sổ đăng ký "
			   "rủi ro): đánh giá các nguy cơ theo từng hệ thống rồi lập lại mục này.\n",
			   o->name);
	return 0;
}

static int text_consequences(struct ctx *c, const struct org *o, const char *sys, struct buf *b,
			     struct err *e)
{
	struct stmt *st = store_query(c->db, e, SYSTEMS_SQL, "tt", o->id, sys);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		const char *fn = stmt_text(st, 2);
		buf_printf(b, "- %s ngừng hoạt động: %s\n", stmt_text(st, 0),
			   fn && strcmp(fn, "citizen_facing") == 0
			   ? "người dân, doanh nghiệp không sử dụng được dịch vụ; ảnh hưởng uy tín cơ quan."
			   : "gián đoạn công việc nội bộ; nguy cơ mất, lộ dữ liệu.");
	}
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

static int text_resources(struct ctx *c, const struct org *o, const char *sys, struct buf *b,
			  struct err *e)
{
	struct org rt;
	if (org_response_team_above(c, o->path, &rt, e) == 0)
		buf_printf(b, "- Đội ứng cứu hỗ trợ: %s.\n", rt.name);
	else if (e->code == E_NOTFOUND)
		err_clear(e);
	else
		return -1;
	struct stmt *st = store_query(c->db, e, SYSTEMS_SQL, "tt", o->id, sys);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		const char *ct = stmt_text(st, 3);
		if (ct && *ct)
			buf_printf(b, "- Nhà thầu, đơn vị hỗ trợ hệ thống %s: %s.\n", stmt_text(st, 0), ct);
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	st = store_query(c->db, e, "SELECT name, phone, network_role FROM contacts WHERE org_id = $1 "
			 "ORDER BY on_duty DESC, name", "t", o->id);
	if (st == NULL)
		return -1;
	while ((rc = stmt_step(st, e)) == 1)
		buf_printf(b, "- Liên hệ: %s, %s (%s).\n", stmt_text(st, 0), stmt_text(st, 1),
			   stmt_text(st, 2));
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

static int text_priorities(struct ctx *c, const struct org *o, const char *sys, struct buf *b,
			   struct err *e)
{
	buf_adds(b, "1. Ưu tiên duy trì, khôi phục trước hệ thống có cấp độ cao hơn; cùng cấp độ thì "
		    "hệ thống phục vụ người dân, doanh nghiệp trước hệ thống nội bộ.\n"
		    "2. Chỉ cô lập phần bị ảnh hưởng; không dừng toàn bộ hệ thống khi chưa cần thiết.\n"
		    "3. Thu thập, bảo toàn chứng cứ trước khi gỡ bỏ, khôi phục.\n"
		    "4. Chỉ khôi phục từ bản sao lưu sạch đã được kiểm tra.\n"
		    "5. Báo cáo cơ quan điều phối và đề nghị hỗ trợ ngay khi sự cố vượt quá khả năng.\n"
		    "Thứ tự ưu tiên các hệ thống:\n");
	struct stmt *st = store_query(c->db, e, "SELECT name, COALESCE(level, 0), function FROM systems "
		"WHERE org_id = $1 AND retired_at IS NULL AND ($2 IS NULL OR id = $2) ORDER BY "
		"COALESCE(level, 0) DESC, CASE WHEN function = 'citizen_facing' THEN 0 ELSE 1 END, name",
		"tt", o->id, sys);
	if (st == NULL)
		return -1;
	int rc, k = 0;
	while ((rc = stmt_step(st, e)) == 1) {
		int64_t lv = stmt_int(st, 1);
		buf_printf(b, "   %d) %s (cấp độ %s)\n", ++k, stmt_text(st, 0),
			   level_words[lv >= 0 && lv <= 5 ? lv : 0]);
	}
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

static int text_scenarios(struct ctx *c, const struct org *o, const char *sys, struct buf *b,
			  struct err *e)
{
	(void)c; (void)o; (void)sys; (void)e;
	buf_adds(b, "Mỗi loại sự cố có một kịch bản và phương án ứng phó (danh sách các bước) bên "
		    "dưới. Khi một sự cố được phân loại, các bước của kịch bản tương ứng trong kế "
		    "hoạch đã phê duyệt trở thành nhiệm vụ của sự cố.\n");
	return 0;
}

/* users of o with a role, by role ("focal,reporter" holds "focal") */
static int people_with(struct ctx *c, const struct org *o, const char *role, struct buf *b,
		       const char *label, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT full_name, username FROM users WHERE "
		"org_id = $1 AND disabled = 0 AND (',' || roles || ',') LIKE ('%,' || $2 || ',%') "
		"ORDER BY created_at", "tt", o->id, role);
	if (st == NULL)
		return -1;
	int rc, k = 0;
	while ((rc = stmt_step(st, e)) == 1) {
		const char *name = stmt_text(st, 0);
		buf_printf(b, "- %s%s: %s\n", label,
			   k == 0 ? (strcmp(role, "focal") == 0 ? " chính" : "")
				  : (strcmp(role, "focal") == 0 ? " dự phòng" : ""),
			   name && *name ? name : stmt_text(st, 1));
		k++;
	}
	stmt_done(st);
	return rc < 0 ? -1 : k;
}

static int text_organisation(struct ctx *c, const struct org *o, const char *sys, struct buf *b,
			     struct err *e)
{
	(void)sys;
	buf_printf(b, "Thủ trưởng %s chỉ đạo chung; đầu mối ứng cứu chịu trách nhiệm tiếp nhận, "
		   "xử lý ban đầu và báo cáo.\n", o->name);
	int n = people_with(c, o, "focal", b, "Đầu mối", e);
	if (n < 0)
		return -1;
	if (n == 0)
		buf_adds(b, "- Đầu mối chính: (chưa phân công)\n- Đầu mối dự phòng: (chưa phân công)\n");
	else if (n == 1)
		buf_adds(b, "- Đầu mối dự phòng: (chưa phân công)\n");
	if (people_with(c, o, "responder", b, "Thành viên đội ứng cứu", e) < 0)
		return -1;
	struct stmt *st = store_query(c->db, e, "SELECT name, phone FROM contacts WHERE org_id = $1 "
				      "AND on_duty = 1 ORDER BY name", "t", o->id);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		buf_printf(b, "- Trực ứng cứu: %s, %s\n", stmt_text(st, 0), stmt_text(st, 1));
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

static int text_training(struct ctx *c, const struct org *o, const char *sys, struct buf *b,
			 struct err *e)
{
	buf_adds(b, "- Tập huấn cho cán bộ đầu mối và người dùng ít nhất mỗi năm một lần.\n"
		    "- Diễn tập trên bàn (tabletop) theo các kịch bản của kế hoạch.\n");
	struct stmt *st = store_query(c->db, e, "SELECT name FROM systems WHERE org_id = $1 AND "
		"retired_at IS NULL AND level >= 3 AND ($2 IS NULL OR id = $2) ORDER BY name",
		"tt", o->id, sys);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		buf_printf(b, "- Diễn tập thực tế hằng năm: %s (cấp độ 3 trở lên).\n", stmt_text(st, 0));
	stmt_done(st);
	buf_adds(b, "- Giám sát: kiểm kê, quét lỗ hổng sáu tháng một lần và săn tìm mối nguy theo "
		    "kế hoạch của huyện.\n");
	return rc < 0 ? -1 : 0;
}

static int text_equipment(struct ctx *c, const struct org *o, const char *sys, struct buf *b,
			  struct err *e)
{
	(void)c; (void)sys; (void)e;
	buf_printf(b, "- Phần mềm ungcuu: tiếp nhận sự cố, kiểm kê máy, quét dấu hiệu tấn công.\n"
		   "- Sao lưu dữ liệu của %s: tần suất, nơi lưu bản sao ngoại tuyến.\n"
		   "- Máy tính dự phòng, thiết bị lưu trữ chứng cứ.\n", o->name);
	return 0;
}

static int text_budget(struct ctx *c, const struct org *o, const char *sys, struct buf *b,
		       struct err *e)
{
	(void)c; (void)o; (void)sys; (void)e;
	buf_adds(b, "- Kinh phí tập huấn, diễn tập.\n- Kinh phí mua sắm, thuê dịch vụ, trang thiết bị.\n"
		    "- Kinh phí thuê đơn vị hỗ trợ ứng cứu.\n"
		    "Dự toán gửi cơ quan tài chính cùng cấp theo quy định.\n");
	return 0;
}

static int text_implementation(struct ctx *c, const struct org *o, const char *sys, struct buf *b,
			       struct err *e)
{
	(void)c; (void)sys; (void)e;
	buf_printf(b, "- %s tổ chức triển khai kế hoạch, cập nhật khi có thay đổi về hệ thống.\n"
		   "- Đầu mối ứng cứu theo dõi, báo cáo kết quả thực hiện 6 tháng và hằng năm.\n",
		   o->name);
	return 0;
}

static const struct {
	const char *kind;
	int (*fill)(struct ctx *, const struct org *, const char *, struct buf *, struct err *);
} fillers[] = {
	{ "state", text_state }, { "risks", text_risks }, { "consequences", text_consequences },
	{ "resources", text_resources }, { "priorities", text_priorities },
	{ "scenarios", text_scenarios }, { "organisation", text_organisation },
	{ "training", text_training }, { "equipment", text_equipment },
	{ "budget", text_budget }, { "implementation", text_implementation },
};

json_t *plan_prefill_sections(struct ctx *c, const struct org *o, const char *system_id,
			      const json_t *outline, struct err *e)
{
	json_t *out = json_array();
	size_t i;
	const json_t *s;
	json_array_foreach(outline, i, s) {
		const char *kind = json_string_value(json_object_get(s, "kind"));
		struct buf b;
		buf_init(&b, LIMIT_PLAN_SECTION_TEXT);
		for (size_t k = 0; kind && k < sizeof(fillers) / sizeof(fillers[0]); k++)
			if (strcmp(fillers[k].kind, kind) == 0 &&
			    fillers[k].fill(c, o, system_id, &b, e) != 0) {
				buf_release(&b);
				json_decref(out);
				return NULL;
			}
		/* Past the limit the buffer is dropped: the section starts empty. */
		json_array_append_new(out, json_pack("{s:O, s:O, s:O, s:O, s:s}",
			"code", json_object_get(s, "code"), "kind", json_object_get(s, "kind"),
			"title_vi", json_object_get(s, "title_vi"),
			"title_en", json_object_get(s, "title_en"), "text", b.p ? b.p : ""));
		buf_release(&b);
	}
	return out;
}

/* ---- scenarios ---- */

struct step_text {
	const char *threat;   /* NULL: any */
	const char *phase;
	const char *text;
};

/* Specific steps first; a phase a threat has none for takes the general ones. */
static const struct step_text steps[] = {
	{ "encryption", "identify", "Xác định biến thể mã hóa (thông điệp đòi tiền chuộc, đuôi tệp lạ), máy bị nhiễm đầu tiên và đường lây nhiễm." },
	{ "encryption", "contain", "Ngắt kết nối mạng ngay các máy bị mã hóa; tắt thư mục chia sẻ; không tắt nguồn máy." },
	{ "encryption", "contain", "Cô lập máy chủ và ổ lưu bản sao lưu để bảo vệ bản sao; không trả tiền chuộc." },
	{ "encryption", "recover", "Khôi phục dữ liệu từ bản sao lưu sạch đã kiểm tra; cài lại máy bị mã hóa; theo dõi tăng cường 30 ngày." },
	{ "dos", "identify", "Xác định dịch vụ bị tấn công, loại tấn công (băng thông, ứng dụng) và nguồn lưu lượng." },
	{ "dos", "contain", "Đề nghị nhà cung cấp dịch vụ mạng lọc lưu lượng; giới hạn tốc độ, chặn nguồn tấn công; chuyển sang phương án dự phòng." },
	{ "phishing", "contain", "Chặn tên miền, địa chỉ giả mạo trên thư điện tử và tường lửa; đổi mật khẩu, khóa tài khoản đã bị lộ." },
	{ "phishing", "contain", "Cảnh báo toàn bộ cán bộ về thư, trang giả mạo." },
	{ "malware", "contain", "Cô lập máy bị nhiễm; chặn địa chỉ máy chủ điều khiển (C&C); quét các máy cùng phân vùng mạng." },
	{ "intrusion", "contain", "Khóa tài khoản bị chiếm quyền; chặn truy cập quản trị từ xa; thu hẹp quyền truy cập." },
	{ "defacement", "contain", "Đưa trang thông báo bảo trì; tách máy chủ web khỏi mạng; giữ nguyên trang bị thay đổi làm chứng cứ." },
	{ "defacement", "recover", "Khôi phục mã nguồn, nội dung trang từ bản sao lưu sạch; vá lỗ hổng trước khi đưa trang hoạt động lại." },
	{ "destruction", "recover", "Khôi phục dữ liệu, phần mềm bị phá hoại từ bản sao lưu; kiểm tra tính toàn vẹn trước khi sử dụng." },
	{ "espionage", "contain", "Chặn kênh đưa dữ liệu ra ngoài; xác định dữ liệu bị lấy; thông báo chủ thể dữ liệu theo quy định." },
	{ "fault", "identify", "Xác định thiết bị, phần mềm bị lỗi và phạm vi ảnh hưởng." },
	{ "fault", "contain", "Chuyển sang thiết bị, đường truyền dự phòng; liên hệ nhà cung cấp, nhà thầu bảo hành." },
	{ "operator_error", "identify", "Xác định thao tác sai, người thực hiện và dữ liệu, cấu hình bị ảnh hưởng." },
	{ "operator_error", "contain", "Dừng thao tác, khóa quyền tạm thời; hoàn tác cấu hình từ bản lưu." },
	{ "disaster", "identify", "Đánh giá thiệt hại thiết bị, phòng máy do thiên tai, hỏa hoạn, mất điện." },
	{ "disaster", "contain", "Bảo đảm an toàn con người; ngắt điện thiết bị bị ảnh hưởng; chuyển dịch vụ sang nơi dự phòng." },
	{ NULL, "identify", "Xác định nguyên nhân, nguồn gốc: thu thập nhật ký; xác định máy, tài khoản bị ảnh hưởng và thời điểm bắt đầu." },
	{ NULL, "contain", "Ngăn chặn, cô lập: tách máy, phân vùng bị ảnh hưởng khỏi mạng; chặn địa chỉ tấn công; duy trì hệ thống ưu tiên." },
	{ NULL, "evidence", "Thu thập, bảo toàn chứng cứ: sao lưu nhật ký, ảnh bộ nhớ, ổ đĩa, mẫu tệp; ghi mã băm và người giữ chứng cứ." },
	{ NULL, "eradicate", "Gỡ bỏ mã độc, tài khoản, cửa hậu do kẻ tấn công tạo; vá lỗ hổng bị khai thác; đổi mật khẩu liên quan." },
	{ NULL, "recover", "Khôi phục hệ thống từ bản sao lưu sạch theo thứ tự ưu tiên; kiểm tra trước khi đưa vào hoạt động; theo dõi tăng cường." },
	{ NULL, "coordinate", "Báo cáo cơ quan điều phối; đề nghị đội ứng cứu hỗ trợ khi vượt quá khả năng; lập báo cáo kết thúc." },
};

static json_t *default_steps(const char *threat)
{
	json_t *out = json_array();
	int attack = strcmp(threat, "fault") != 0 && strcmp(threat, "operator_error") != 0 &&
		     strcmp(threat, "disaster") != 0;
	for (int p = 0; plan_phase_labels[p].code; p++) {
		const char *phase = plan_phase_labels[p].code;
		if (!attack && strcmp(phase, "eradicate") == 0)
			continue;   /* nothing was planted */
		int own = 0;
		for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++)
			if (steps[k].threat && strcmp(steps[k].threat, threat) == 0 &&
			    strcmp(steps[k].phase, phase) == 0) {
				json_array_append_new(out, json_pack("{s:s, s:s}", "phase", phase,
								     "text", steps[k].text));
				own = 1;
			}
		for (size_t k = 0; !own && k < sizeof(steps) / sizeof(steps[0]); k++)
			if (steps[k].threat == NULL && strcmp(steps[k].phase, phase) == 0)
				json_array_append_new(out, json_pack("{s:s, s:s}", "phase", phase,
								     "text", steps[k].text));
	}
	return out;
}

json_t *plan_prefill_scenarios(struct ctx *c, const struct org *o, struct err *e)
{
	struct org rt;
	char support[LIMIT_SHORT_TEXT + 1] = "";
	if (org_response_team_above(c, o->path, &rt, e) == 0)
		snprintf(support, sizeof(support), "%s", rt.name);
	else if (e->code == E_NOTFOUND)
		err_clear(e);
	else
		return NULL;
	json_t *out = json_array();
	const struct label *l;
	for (int i = 0; (l = plan_threat_at(i)) != NULL; i++)
		json_array_append_new(out, json_pack("{s:s, s:o, s:s, s:s}",
			"threat", l->code, "steps", default_steps(l->code),
			"coordinator", o->name, "support", support));
	return out;
}
