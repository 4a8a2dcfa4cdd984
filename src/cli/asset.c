/*
 * asset.c - `ungcuu asset system|host list|show|add|edit`: the registry of
 * information systems and hosts from a terminal, through the API (same
 * scope, audit and If-Match rules as the web UI), URL and token as for
 * `ungcuu report`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "client.h"
#include "../base/buf.h"
#include "../base/msg.h"
#include "../base/uuid.h"
#include "../base/banned.h"

enum { F_TEXT, F_INT, F_LIST };

/* An option and the JSON field it sets. */
struct field {
	const char *opt, *key;
	int type;
};

static const struct field system_fields[] = {
	{ "name", "name", F_TEXT }, { "purpose", "purpose", F_TEXT },
	{ "owner", "owner", F_TEXT }, { "operator", "operator", F_TEXT },
	{ "contractor", "contractor", F_TEXT }, { "level", "level", F_INT },
	{ "approval", "approval_decision", F_TEXT }, { "info-type", "info_type", F_TEXT },
	{ "function", "function", F_TEXT }, { "users", "user_count", F_INT },
	{ "next-check", "next_check_at", F_TEXT }, { NULL, NULL, 0 },
};

static const struct field host_fields[] = {
	{ "hostname", "hostname", F_TEXT }, { "address", "addresses", F_LIST },
	{ "role", "role", F_TEXT }, { "system", "system_id", F_TEXT },
	{ "os-name", "os_name", F_TEXT }, { NULL, NULL, 0 },
};

static const struct cli_opt opts[] = {
	{ "url", 1, "địa chỉ máy chủ (hoặc UNGCUU_URL)", "server URL (or UNGCUU_URL)" },
	{ "token", 1, "mã truy cập API (hoặc UNGCUU_TOKEN)", "API token (or UNGCUU_TOKEN)" },
	{ "org", 1, "mã tổ chức (lọc danh sách; tổ chức của bản ghi mới)", "organisation code (list filter; the new record's)" },
	{ "version", 1, "edit: phiên bản đã thấy (mặc định: đọc mới nhất)", "edit: the version you saw (default: read the latest)" },
	{ "name", 1, "system: tên hệ thống", "system: name" },
	{ "purpose", 1, "system: mục đích", "system: purpose" },
	{ "owner", 1, "system: chủ quản", "system: owner" },
	{ "operator", 1, "system: đơn vị vận hành", "system: operator" },
	{ "contractor", 1, "system: nhà thầu", "system: contractor" },
	{ "level", 1, "system: cấp độ 1-5 (NĐ85)", "system: security level 1-5 (Decree 85)" },
	{ "approval", 1, "system: quyết định phê duyệt cấp độ", "system: level approval decision" },
	{ "info-type", 1, "system: public|private|personal|state_secret", "system: public|private|personal|state_secret" },
	{ "function", 1, "system: internal|citizen_facing|infrastructure|ics|other", "system: internal|citizen_facing|infrastructure|ics|other" },
	{ "users", 1, "system: số người dùng", "system: user count" },
	{ "next-check", 1, "system: hạn kiểm tra tiếp theo (RFC 3339)", "system: next security check due (RFC 3339)" },
	{ "hostname", 1, "host: tên máy", "host: host name" },
	{ "address", 2, "host: địa chỉ IP (lặp lại được)", "host: address (repeatable)" },
	{ "role", 1, "host: vai trò của máy", "host: the host's role" },
	{ "system", 1, "host: mã hệ thống chứa máy; list: lọc theo hệ thống", "host: its system's id; list: filter by system" },
	{ "os-name", 1, "host: hệ điều hành", "host: operating system" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

static const char *const system_cols[] = { "id", "org.code", "name", "level", "hosts", "next_check_at", NULL };
static const char *const system_heads[] = { "MÃ/ID", "TỔ CHỨC/ORG", "TÊN/NAME", "CẤP/LEVEL",
					    "MÁY/HOSTS", "HẠN KIỂM TRA/NEXT CHECK", NULL };
static const char *const host_cols[] = { "id", "org.code", "hostname", "os.name", "last_seen_at",
					 "findings.open", NULL };
static const char *const host_heads[] = { "MÃ/ID", "TỔ CHỨC/ORG", "TÊN MÁY/HOST", "HĐH/OS",
					  "GỬI LẦN CUỐI/LAST SEEN", "LỖ HỔNG/OPEN", NULL };

/* The body from the options given (only those: a PATCH changes no other). */
static json_t *body_from(struct cli_args *a, const struct field *fields)
{
	json_t *b = json_object();
	for (const struct field *f = fields; f->opt; f++) {
		const char *v = cli_get(a, opts, f->opt);
		if (v == NULL)
			continue;
		if (f->type == F_INT) {
			json_object_set_new(b, f->key, json_integer(strtoll(v, NULL, 10)));
		} else if (f->type == F_LIST) {
			json_t *list = json_array();
			for (const char *p = v; *p;) {
				const char *comma = strchr(p, ',');
				size_t n = comma ? (size_t)(comma - p) : strlen(p);
				json_array_append_new(list, json_stringn(p, n));
				p += n + (comma ? 1 : 0);
			}
			json_object_set_new(b, f->key, list);
		} else {
			json_object_set_new(b, f->key, json_string(v));
		}
	}
	return b;
}

static int print(json_t *out, int json, const char *const *cols, const char *const *heads)
{
	if (json) {
		cli_print_json(out);
	} else if (json_object_get(out, "items")) {
		cli_print_table(json_object_get(out, "items"), cols, heads);
	} else {
		json_t *one = json_pack("[O]", out);
		cli_print_table(one, cols, heads);
		json_decref(one);
	}
	json_decref(out);
	return 0;
}

int cmd_asset(int argc, char **argv)
{
	struct cli_args a;
	int rc = cli_parse(argc, argv, opts,
		"ungcuu asset system|host list|show ID|add|edit ID [--url URL --token T] [--json]",
		"Danh mục hệ thống thông tin (cấp độ theo NĐ 85/2016) và máy chủ/máy trạm, qua API.\n"
		"  list  liệt kê (--org, --system)\n"
		"  show  xem một bản ghi\n"
		"  add   thêm (system: --name ...; host: --hostname ...)\n"
		"  edit  sửa các trường được nêu (If-Match với --version hoặc phiên bản mới nhất)",
		"The registry of information systems (Decree 85/2016 levels) and hosts, through the API.\n"
		"  list  list them (--org, --system)\n"
		"  show  show one\n"
		"  add   add one (system: --name ...; host: --hostname ...)\n"
		"  edit  change the fields given (If-Match with --version or the latest)", &a);
	if (rc)
		return rc == 1 ? 0 : rc;
	struct client cl = client_from_args(&a, opts);
	int json = cli_get(&a, opts, "json") != NULL;
	const char *kind = a.npos > 0 ? a.pos[0] : NULL, *verb = a.npos > 1 ? a.pos[1] : NULL;
	int sys = kind && strcmp(kind, "system") == 0;
	if (!kind || (!sys && strcmp(kind, "host") != 0) || !verb) {
		cli_errorf(MSG_MISSING_ARG, "system|host list|show|add|edit");
		cli_args_release(&a);
		return EXIT_USAGE;
	}
	if (!client_has_token(&cl)) {
		cli_args_release(&a);
		return EXIT_USAGE;
	}
	const char *base = sys ? "/api/v1/systems" : "/api/v1/hosts";
	const char *const *cols = sys ? system_cols : host_cols;
	const char *const *heads = sys ? system_heads : host_heads;
	const char *id = a.npos > 2 ? a.pos[2] : NULL;
	char path[512];
	json_t *out = NULL;
	int st;
	rc = 1;
	if (strcmp(verb, "list") == 0) {
		struct buf q;
		buf_init(&q, 1024);
		buf_adds(&q, base);
		buf_adds(&q, "?");
		static const char *const filters[][2] = { { "org", "org" }, { "system", "system" } };
		for (size_t i = 0; i < 2; i++) {
			const char *v = cli_get(&a, opts, filters[i][0]);
			if (v && (sys ? i == 0 : 1)) {
				char *esc = curl_easy_escape(NULL, v, 0);
				buf_printf(&q, "%s=%s&", filters[i][1], esc ? esc : "");
				curl_free(esc);
			}
		}
		if (q.p && q.p[q.len - 1] == '&')
			q.p[--q.len] = '\0';
		else if (q.p && q.p[q.len - 1] == '?')
			q.p[--q.len] = '\0';
		st = q.p ? client_get_all(&cl, q.p, &out) : -1;
		buf_release(&q);
		rc = st == 200 ? print(out, json, cols, heads) : st < 0 ? 1 : client_problem(st, out);
	} else if ((strcmp(verb, "show") == 0 || strcmp(verb, "edit") == 0) && !uuid_valid(id)) {
		cli_errorf(id ? MSG_BAD_VALUE : MSG_MISSING_ARG, id ? id : "ID");
		rc = EXIT_USAGE;
	} else if (strcmp(verb, "show") == 0) {
		snprintf(path, sizeof(path), "%s/%s", base, id);
		st = client_call(&cl, "GET", path, NULL, -1, &out);
		rc = st == 200 ? print(out, json, cols, heads) : st < 0 ? 1 : client_problem(st, out);
	} else if (strcmp(verb, "add") == 0) {
		json_t *b = body_from(&a, sys ? system_fields : host_fields);
		if (cli_get(&a, opts, "org"))
			json_object_set_new(b, "org_code", json_string(cli_get(&a, opts, "org")));
		st = client_call(&cl, "POST", base, b, -1, &out);
		json_decref(b);
		rc = st == 201 ? print(out, json, cols, heads) : st < 0 ? 1 : client_problem(st, out);
	} else if (strcmp(verb, "edit") == 0) {
		snprintf(path, sizeof(path), "%s/%s", base, id);
		long long version = cli_get(&a, opts, "version") ? strtoll(cli_get(&a, opts, "version"), NULL, 10) : -1;
		st = version >= 0 ? 200 : client_call(&cl, "GET", path, NULL, -1, &out);
		if (st == 200 && version < 0) {
			version = json_integer_value(json_object_get(out, "version"));
			json_decref(out);
		}
		if (st == 200) {
			json_t *b = body_from(&a, sys ? system_fields : host_fields);
			st = client_call(&cl, "PATCH", path, b, version, &out);
			json_decref(b);
		}
		rc = st == 200 ? print(out, json, cols, heads) : st < 0 ? 1 : client_problem(st, out);
	} else {
		char what[64];
		snprintf(what, sizeof(what), "asset %s %s", kind, verb);
		cli_errorf(MSG_UNKNOWN_COMMAND, what);
		rc = EXIT_USAGE;
	}
	cli_args_release(&a);
	return rc;
}
