/* plan_doc.c - a response plan as an official document (plan_doc.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_doc.h"
#include "plan.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../doc/doc.h"
#include "../../base/banned.h"

/* The organisation's parent's name and the nearest place name above it
 * (the address before its first comma: "Phú Quý"). */
static int org_context(struct ctx *c, const char *org_id, char *parent, size_t pn, char *place,
		       size_t ln, struct err *e)
{
	parent[0] = place[0] = '\0';
	struct stmt *st = store_query(c->db, e, "SELECT COALESCE(p.name, ''), (SELECT a.address "
		"FROM orgs a WHERE substr(o.path, 1, length(a.path)) = a.path AND a.address <> '' "
		"ORDER BY length(a.path) DESC LIMIT 1) FROM orgs o LEFT JOIN orgs p ON "
		"p.id = o.parent_id WHERE o.id = $1", "t", org_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(parent, pn, "%s", stmt_text(st, 0));
		const char *addr = stmt_text(st, 1);
		if (addr) {
			size_t n = strcspn(addr, ",");
			snprintf(place, ln, "%.*s", (int)n, addr);
		}
	}
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

static void scenarios_doc(struct doc *d, const json_t *scenarios, int section)
{
	static const char *const head[] = { "TT", "Giai đoạn", "Nội dung thực hiện" };
	static const double widths[] = { 0.6, 2.2, 6.0 };
	size_t i, k;
	const json_t *s, *st;
	char title[400], num[24];
	json_array_foreach(scenarios, i, s) {
		const struct label *l = plan_threat_find(jv_str(s, "threat"));
		snprintf(title, sizeof(title), "%d.%zu. Kịch bản: %s", section, i + 1,
			 l ? l->vi : jv_str(s, "threat"));
		doc_heading(d, 2, title);
		if (json_array_size(json_object_get(s, "steps")) > 0) {
			doc_table(d, 3, head, widths);
			json_array_foreach(json_object_get(s, "steps"), k, st) {
				const char *phase = jv_str(st, "phase");
				const char *pl = "";
				for (int p = 0; phase && plan_phase_labels[p].code; p++)
					if (strcmp(plan_phase_labels[p].code, phase) == 0)
						pl = plan_phase_labels[p].vi;
				snprintf(num, sizeof(num), "%zu", k + 1);
				const char *cells[3] = { num, pl, jv_str(st, "text") };
				doc_row(d, cells, 0);
			}
		}
		doc_field(d, "Đơn vị điều phối", jv_str(s, "coordinator"));
		doc_field(d, "Đơn vị hỗ trợ", jv_str(s, "support"));
	}
}

struct doc *plan_doc(struct ctx *c, const char *plan_id, struct err *e)
{
	json_t *p = plan_get(c, plan_id, e);
	if (p == NULL)
		return NULL;
	char parent[320], place[320], line[600];
	json_t *org = json_object_get(p, "org");
	const char *status = jv_str(p, "status");
	int approved = status && (strcmp(status, "approved") == 0 || strcmp(status, "superseded") == 0);
	int64_t date = 0;
	if (org_context(c, jv_str(org, "id"), parent, sizeof(parent), place, sizeof(place), e) != 0) {
		json_decref(p);
		return NULL;
	}
	/* An approved plan is dated by its decision (noon in Vietnam), a draft
	 * by its last change. */
	const char *dd = jv_str(p, "decision_date"), *when = jv_str(p, "updated_at");
	if (approved && dd && strlen(dd) == 10)
		date = time_days_from_civil(atoi(dd), (unsigned)atoi(dd + 5), (unsigned)atoi(dd + 8)) *
		       86400000LL + 5 * 3600000LL;
	else if (when == NULL || time_parse(when, &date) != 0)
		date = time_now_ms();
	struct doc *d = doc_new(jv_str(p, "title"), date);
	if (d == NULL) {
		json_decref(p);
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		return NULL;
	}
	doc_header(d, parent[0] ? parent : NULL, jv_str(org, "name"), "Số:      /KH",
		   place[0] ? place : NULL, date);
	snprintf(line, sizeof(line), "%s (phiên bản %lld)", jv_str(p, "title"),
		 (long long)json_integer_value(json_object_get(p, "number")));
	doc_title(d, "KẾ HOẠCH", line);
	json_t *sys = json_object_get(p, "system");
	if (json_is_object(sys)) {
		snprintf(line, sizeof(line), "Hệ thống: %s (cấp độ %lld)", jv_str(sys, "name"),
			 (long long)json_integer_value(json_object_get(sys, "level")));
		doc_text(d, line, DOC_CENTER, DOC_ITALIC);
	}
	if (approved) {
		/* 2026-01-05 as documents write it: 05/01/2026 */
		char date_vn[16] = "";
		if (dd && strlen(dd) == 10)
			snprintf(date_vn, sizeof(date_vn), "%.2s/%.2s/%.4s", dd + 8, dd + 5, dd);
		snprintf(line, sizeof(line), "(Ban hành kèm theo Quyết định số %s ngày %s)",
			 jv_str(p, "decision_number") ? jv_str(p, "decision_number") : "", date_vn);
		doc_text(d, line, DOC_CENTER, DOC_ITALIC);
	} else {
		const struct label *sl = NULL;
		for (int i = 0; plan_status_labels[i].code; i++)
			if (status && strcmp(plan_status_labels[i].code, status) == 0)
				sl = &plan_status_labels[i];
		snprintf(line, sizeof(line), "(%s — chưa phê duyệt)", sl ? sl->vi : "");
		doc_text(d, line, DOC_CENTER, DOC_ITALIC);
	}
	size_t i;
	const json_t *s;
	json_array_foreach(json_object_get(p, "sections"), i, s) {
		snprintf(line, sizeof(line), "%zu. %s", i + 1, jv_str(s, "title_vi"));
		doc_heading(d, 1, line);
		const char *text = jv_str(s, "text");
		if (text && *text)
			doc_text(d, text, DOC_JUSTIFY, 0);
		const char *kind = jv_str(s, "kind");
		if (kind && strcmp(kind, "scenarios") == 0)
			scenarios_doc(d, json_object_get(p, "scenarios"), (int)i + 1);
	}
	static const char *const to[] = { "Như trên", "Lưu: VT" };
	doc_recipients(d, to, 2);
	doc_signature(d, "THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên, đóng dấu)",
		      approved && jv_str(p, "approved_by") ? jv_str(p, "approved_by") : "");
	json_decref(p);
	return d;
}
