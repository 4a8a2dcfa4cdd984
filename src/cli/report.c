/*
 * report.c - `ungcuu report new|show|list|move`: the incident process from a
 * terminal, through the API (URL and token from --url/--token or
 * UNGCUU_URL/UNGCUU_TOKEN), so the command line obeys the same rules as
 * the web UI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "client.h"
#include "../base/buf.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/uuid.h"
#include "../base/banned.h"

static const char *const list_cols[] = { "number", "status", "severity", "type", "org.code", "title", NULL };
static const char *const list_heads[] = { "SỐ HIỆU/NUMBER", "TRẠNG THÁI/STATUS", "MỨC/SEV",
					  "LOẠI/TYPE", "TỔ CHỨC/ORG", "TIÊU ĐỀ/TITLE", NULL };

static void show_incident(json_t *j)
{
	char ts[TIME_RFC3339_LEN];
	int en = cli_lang() == LANG_EN;
	printf("%s  %s\n", json_string_value(json_object_get(j, "number")),
	       json_string_value(json_object_get(j, "title")));
	printf("%s: %s   %s: %s   %s: %s   %s: %lld\n", en ? "status" : "trạng thái",
	       json_string_value(json_object_get(j, "status")), en ? "type" : "loại",
	       json_string_value(json_object_get(j, "type")), en ? "organisation" : "tổ chức",
	       json_string_value(json_object_get(json_object_get(j, "org"), "name")),
	       en ? "version" : "phiên bản",
	       (long long)json_integer_value(json_object_get(j, "version")));
	printf("%s\n", json_string_value(json_object_get(j, "description")));
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(j, "deadlines"), i, d) {
		int64_t due;
		time_parse(json_string_value(json_object_get(d, "due_at")), &due);
		printf("  %s %-16s %s %s%s\n", en ? "deadline" : "thời hạn",
		       json_string_value(json_object_get(d, "kind")), time_format_human(due, ts),
		       json_is_null(json_object_get(d, "met_at")) ? "" : (en ? "(met)" : "(đã đáp ứng)"),
		       json_is_true(json_object_get(d, "overdue")) ? (en ? " OVERDUE" : " QUÁ HẠN") : "");
	}
	json_array_foreach(json_object_get(j, "timeline"), i, d) {
		int64_t at;
		time_parse(json_string_value(json_object_get(d, "at")), &at);
		json_t *actor = json_object_get(d, "actor");
		char *data = json_dumps(json_object_get(d, "data"), JSON_COMPACT);
		printf("  %s  %-10s %-22s %s\n", time_format_human(at, ts),
		       actor ? json_string_value(json_object_get(actor, "username")) : "system",
		       json_string_value(json_object_get(d, "kind")), data ? data : "");
		free(data);
	}
}

/* An id, or a number such as PQ-2026-0007 looked up through the list. */
static int resolve_id(const struct client *cl, const char *ref, char id[UUID_LEN])
{
	if (uuid_valid(ref)) {
		snprintf(id, UUID_LEN, "%s", ref);
		return 0;
	}
	char path[512];
	json_t *out;
	char *q = curl_easy_escape(NULL, ref, 0);
	snprintf(path, sizeof(path), "/api/v1/incidents?q=%s&limit=200", q ? q : "");
	curl_free(q);
	int st = client_call(cl, "GET", path, NULL, -1, &out);
	if (st != 200)
		return st < 0 ? 1 : client_problem(st, out);
	size_t i;
	json_t *it;
	int found = 0;
	json_array_foreach(json_object_get(out, "items"), i, it)
		if (strcmp(json_string_value(json_object_get(it, "number")), ref) == 0) {
			snprintf(id, UUID_LEN, "%s", json_string_value(json_object_get(it, "id")));
			found = 1;
		}
	json_decref(out);
	if (!found) {
		cli_errorf(MSG_NOT_FOUND, ref);
		return 1;
	}
	return 0;
}

static const struct cli_opt opts[] = {
	{ "url", 1, "địa chỉ máy chủ (hoặc UNGCUU_URL)", "server URL (or UNGCUU_URL)" },
	{ "token", 1, "mã truy cập API (hoặc UNGCUU_TOKEN)", "API token (or UNGCUU_TOKEN)" },
	{ "title", 1, "new: tiêu đề", "new: title" },
	{ "description", 1, "new: mô tả", "new: description" },
	{ "type", 1, "new/list: loại sự cố (dos, phishing, malware, ...)", "new/list: incident type (dos, phishing, malware, ...)" },
	{ "detected-at", 1, "new: thời điểm phát hiện RFC 3339 (mặc định: bây giờ)", "new: detection time, RFC 3339 (default: now)" },
	{ "org", 1, "new/list: mã tổ chức", "new/list: organisation code" },
	{ "to", 1, "move: trạng thái đích", "move: target state" },
	{ "reason", 1, "move: lý do (từ chối, mở lại)", "move: reason (reject, reopen)" },
	{ "severity", 1, "move/list: mức độ low|medium|high|critical", "move/list: severity low|medium|high|critical" },
	{ "serious", 0, "move: sự cố nghiêm trọng", "move: serious incident" },
	{ "escalate", 0, "move: vượt khả năng xử lý, báo cáo lên trên", "move: beyond own capacity, escalate" },
	{ "summary", 1, "move closed: tóm tắt báo cáo kết thúc (Mẫu 04)", "move closed: closing report summary (form 04)" },
	{ "note", 1, "move: ghi chú", "move: note" },
	{ "confirm-open-work", 0, "move closed: vẫn đóng khi còn nhiệm vụ hoặc yêu cầu hỗ trợ chưa xong",
	  "move closed: close even with open tasks or support requests" },
	{ "version", 1, "move: phiên bản đã thấy (mặc định: đọc mới nhất)", "move: the version you saw (default: read the latest)" },
	{ "status", 1, "list: lọc theo trạng thái", "list: filter by status" },
	{ "overdue", 0, "list: chỉ sự cố quá hạn", "list: overdue only" },
	{ "limit", 1, "list: số dòng (1-200)", "list: rows (1-200)" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

static int cmd_new(const struct client *cl, struct cli_args *a, int json)
{
	char now[TIME_RFC3339_LEN];
	json_t *out, *b = json_object();
	static const char *const keys[][2] = {
		{ "title", "title" }, { "description", "description" }, { "type", "type" },
		{ "detected-at", "detected_at" }, { "org", "org_code" },
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = cli_get(a, opts, keys[i][0]);
		if (v)
			json_object_set_new(b, keys[i][1], json_string(v));
	}
	if (!json_object_get(b, "detected_at"))
		json_object_set_new(b, "detected_at", json_string(time_format_utc(time_now_ms(), now)));
	int st = client_call(cl, "POST", "/api/v1/incidents", b, -1, &out);
	json_decref(b);
	if (st != 201)
		return st < 0 ? 1 : client_problem(st, out);
	if (json)
		cli_print_json(out);
	else
		printf("%s %s\n", json_string_value(json_object_get(out, "number")),
		       json_string_value(json_object_get(out, "id")));
	json_decref(out);
	return 0;
}

static int cmd_show(const struct client *cl, struct cli_args *a, int json)
{
	char id[UUID_LEN], path[128];
	json_t *out;
	if (a->npos < 2) {
		cli_errorf(MSG_MISSING_OPTION, "ID");
		return EXIT_USAGE;
	}
	if (resolve_id(cl, a->pos[1], id) != 0)
		return 1;
	snprintf(path, sizeof(path), "/api/v1/incidents/%s", id);
	int st = client_call(cl, "GET", path, NULL, -1, &out);
	if (st != 200)
		return st < 0 ? 1 : client_problem(st, out);
	if (json)
		cli_print_json(out);
	else
		show_incident(out);
	json_decref(out);
	return 0;
}

static int cmd_list(const struct client *cl, struct cli_args *a, int json)
{
	struct buf path;
	json_t *out;
	static const char *const keys[][2] = {
		{ "status", "status" }, { "org", "org" }, { "type", "type" },
		{ "severity", "severity" }, { "limit", "limit" },
	};
	buf_init(&path, 4096);
	buf_adds(&path, "/api/v1/incidents?");
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = cli_get(a, opts, keys[i][0]);
		if (v) {
			char *esc = curl_easy_escape(NULL, v, 0);
			buf_printf(&path, "%s=%s&", keys[i][1], esc ? esc : "");
			curl_free(esc);
		}
	}
	if (cli_get(a, opts, "overdue"))
		buf_adds(&path, "overdue=true&");
	int st = path.p ? client_call(cl, "GET", path.p, NULL, -1, &out) : -1;
	buf_release(&path);
	if (st != 200)
		return st < 0 ? 1 : client_problem(st, out);
	if (json)
		cli_print_json(out);
	else
		cli_print_table(json_object_get(out, "items"), list_cols, list_heads);
	json_decref(out);
	return 0;
}

static int cmd_move(const struct client *cl, struct cli_args *a, int json)
{
	char id[UUID_LEN], path[160];
	json_t *out;
	const char *to = cli_get(a, opts, "to");
	if (a->npos < 2 || to == NULL) {
		cli_errorf(MSG_MISSING_OPTION, a->npos < 2 ? "ID" : "--to");
		return EXIT_USAGE;
	}
	if (resolve_id(cl, a->pos[1], id) != 0)
		return 1;
	snprintf(path, sizeof(path), "/api/v1/incidents/%s", id);
	long long version;
	const char *v = cli_get(a, opts, "version");
	if (v) {
		version = strtoll(v, NULL, 10);
	} else {
		int st = client_call(cl, "GET", path, NULL, -1, &out);
		if (st != 200)
			return st < 0 ? 1 : client_problem(st, out);
		version = json_integer_value(json_object_get(out, "version"));
		json_decref(out);
	}
	json_t *b = json_pack("{s:s}", "to", to);
	const char *s;
	if ((s = cli_get(a, opts, "reason")))
		json_object_set_new(b, "reason", json_string(s));
	if ((s = cli_get(a, opts, "severity")))
		json_object_set_new(b, "severity", json_string(s));
	if ((s = cli_get(a, opts, "type")))
		json_object_set_new(b, "type", json_string(s));
	if ((s = cli_get(a, opts, "note")))
		json_object_set_new(b, "note", json_string(s));
	if (cli_get(a, opts, "serious"))
		json_object_set_new(b, "serious", json_true());
	if (cli_get(a, opts, "escalate"))
		json_object_set_new(b, "escalate", json_true());
	if (cli_get(a, opts, "confirm-open-work"))
		json_object_set_new(b, "confirm_open_work", json_true());
	if ((s = cli_get(a, opts, "summary")))
		json_object_set_new(b, "closing_report", json_pack("{s:s}", "summary", s));
	snprintf(path, sizeof(path), "/api/v1/incidents/%s/transitions", id);
	int st = client_call(cl, "POST", path, b, version, &out);
	json_decref(b);
	if (st != 200)
		return st < 0 ? 1 : client_problem(st, out);
	if (json)
		cli_print_json(out);
	else
		printf("%s %s (v%lld)\n", json_string_value(json_object_get(out, "number")),
		       json_string_value(json_object_get(out, "status")),
		       (long long)json_integer_value(json_object_get(out, "version")));
	json_decref(out);
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct cli_args a;
	int rc = cli_parse(argc, argv, opts,
		"ungcuu report new|show ID|list|move ID --to STATE [--url URL --token T] [--json]",
		"Báo cáo, xem, liệt kê và chuyển trạng thái sự cố qua API.\n"
		"  new   báo cáo sự cố mới (--title --description --type [--detected-at])\n"
		"  show  xem một sự cố (mã hoặc số hiệu như PQ-2026-0007)\n"
		"  list  liệt kê sự cố (--status --overdue --org --type --severity)\n"
		"  move  chuyển trạng thái (--to, --reason, --severity, --summary)",
		"Report, read, list and move incidents through the API.\n"
		"  new   report a new incident (--title --description --type [--detected-at])\n"
		"  show  show one incident (id or a number like PQ-2026-0007)\n"
		"  list  list incidents (--status --overdue --org --type --severity)\n"
		"  move  move it to another state (--to, --reason, --severity, --summary)", &a);
	if (rc)
		return rc == 1 ? 0 : rc;
	struct client cl = client_from_args(&a, opts);
	int json = cli_get(&a, opts, "json") != NULL;
	const char *verb = a.npos ? a.pos[0] : NULL;
	if (verb == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "new|show|list|move");
		rc = EXIT_USAGE;
	} else if (!client_has_token(&cl)) {
		rc = EXIT_USAGE;
	} else if (strcmp(verb, "new") == 0) {
		rc = cmd_new(&cl, &a, json);
	} else if (strcmp(verb, "show") == 0) {
		rc = cmd_show(&cl, &a, json);
	} else if (strcmp(verb, "list") == 0) {
		rc = cmd_list(&cl, &a, json);
	} else if (strcmp(verb, "move") == 0) {
		rc = cmd_move(&cl, &a, json);
	} else {
		char what[64];
		snprintf(what, sizeof(what), "report %s", verb);
		cli_errorf(MSG_UNKNOWN_COMMAND, what);
		rc = EXIT_USAGE;
	}
	cli_args_release(&a);
	return rc;
}
