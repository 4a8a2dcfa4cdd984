/*
 * roster.c - `ungcuu roster list|show|add-shift|add-exception|remove|now`:
 * the standing duty's roster on the server's own machine (issue 17), with
 * the API's rules (roster_add checks the same fields, people and scope),
 * as the instance (the system actor), for an administrator without a
 * browser: who stands duty at the district at night, and who is on duty
 * now in Asia/Ho_Chi_Minh time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../base/jsonv.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../domain/duty/roster.h"
#include "../base/banned.h"

#define DB_OPT { "db", 1, "tệp cơ sở dữ liệu", "the database file" }
#define JSON_OPT { "json", 0, "in kết quả dạng JSON", "print the result as JSON" }
#define PEOPLE_OPTS \
	{ "primary", 1, "người trực chính (tên đăng nhập)", "the primary person on duty (username)" }, \
	{ "backup", 1, "người trực dự phòng (tên đăng nhập, không bắt buộc)", "the backup person (username, optional)" }, \
	{ "note", 1, "ghi chú", "a note" }

static const struct cli_opt list_opts[] = {
	DB_OPT,
	{ "org", 1, "chỉ tổ chức này và cấp dưới (mã)", "only this organisation and below (code)" },
	JSON_OPT,
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt id_opts[] = {
	DB_OPT,
	{ "id", 1, "mã ca trực (cột ID của `roster list`)", "the shift's id (the ID column of `roster list`)" },
	JSON_OPT,
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt shift_opts[] = {
	DB_OPT,
	{ "org", 1, "mã tổ chức trực", "the organisation's code" },
	{ "days", 1, "các ngày bắt đầu ca: mon,tue,wed,thu,fri,sat,sun hoặc 1..7 (mặc định: cả tuần)", "the days the shift starts: mon,tue,wed,thu,fri,sat,sun or 1..7 (default: every day)" },
	{ "start", 1, "giờ bắt đầu HH:MM (giờ Việt Nam)", "start HH:MM (Vietnam time)" },
	{ "end", 1, "giờ kết thúc HH:MM; không muộn hơn giờ bắt đầu: sang ngày hôm sau; 24:00 hết ngày", "end HH:MM; at or before the start: the next day; 24:00 ends the day" },
	PEOPLE_OPTS,
	JSON_OPT,
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt exception_opts[] = {
	DB_OPT,
	{ "org", 1, "mã tổ chức trực", "the organisation's code" },
	{ "from", 1, "bắt đầu, RFC 3339 (2026-12-24T18:00:00+07:00)", "from, RFC 3339 (2026-12-24T18:00:00+07:00)" },
	{ "to", 1, "kết thúc, RFC 3339", "to, RFC 3339" },
	PEOPLE_OPTS,
	JSON_OPT,
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt now_opts[] = {
	DB_OPT,
	{ "org", 1, "mã tổ chức", "the organisation's code" },
	JSON_OPT,
	{ NULL, 0, NULL, NULL },
};

/* "label" padded to w characters (not bytes: the labels are Vietnamese). */
static void label(const char *s, int w)
{
	int n = 0;
	for (const char *p = s; *p; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	printf("%s%*s", s, w > n ? w - n : 0, "");
}

static int failed(const struct err *e)
{
	cli_error(e);
	return 1;
}

static const char *person_text(const json_t *p, char *out, size_t n)
{
	if (!json_is_object(p)) {
		snprintf(out, n, "%s", cli_lang() == LANG_EN ? "(nobody)" : "(không có)");
		return out;
	}
	const char *full = jv_str(p, "full_name");
	if (full && *full)
		snprintf(out, n, "%s (%s)", jv_str(p, "username"), full);
	else
		snprintf(out, n, "%s", jv_str(p, "username"));
	return out;
}

/* A shift as one line of the table: when, in words. */
static void when_text(json_t *s, char *out, size_t n)
{
	if (strcmp(jv_str(s, "kind"), "weekly") == 0) {
		static const char *const vi[] = { "T2", "T3", "T4", "T5", "T6", "T7", "CN" };
		static const char *const en[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
		char days[64] = "";
		size_t i, len = 0;
		json_t *d;
		json_array_foreach(json_object_get(s, "days"), i, d) {
			json_int_t k = json_integer_value(d);
			if (k >= 1 && k <= 7)
				len += (size_t)snprintf(days + len, sizeof(days) - len, "%s%s",
							len ? "," : "",
							(cli_lang() == LANG_EN ? en : vi)[k - 1]);
			if (len >= sizeof(days))
				break;
		}
		snprintf(out, n, "%s %s-%s", days, jv_str(s, "start"), jv_str(s, "end"));
	} else {
		int64_t a = 0, b = 0;
		char x[TIME_RFC3339_LEN], y[TIME_RFC3339_LEN];
		time_parse(jv_str(s, "starts_at"), &a);
		time_parse(jv_str(s, "ends_at"), &b);
		snprintf(out, n, "%s → %s", time_format_human(a, x), time_format_human(b, y));
	}
}

static void print_shifts(json_t *items)
{
	size_t i;
	json_t *s;
	json_t *rows = json_array();
	json_array_foreach(items, i, s) {
		char when[128], p[200], b[200];
		int weekly = strcmp(jv_str(s, "kind"), "weekly") == 0;
		when_text(s, when, sizeof(when));
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			"id", jv_str(s, "id"), "org", jv_str(json_object_get(s, "org"), "code"),
			"kind", weekly ? (cli_lang() == LANG_EN ? "weekly" : "hằng tuần")
				       : (cli_lang() == LANG_EN ? "exception" : "ngoại lệ"),
			"when", when, "primary", person_text(json_object_get(s, "primary"), p, sizeof(p)),
			"backup", person_text(json_object_get(s, "backup"), b, sizeof(b)),
			"note", jv_str(s, "note") ? jv_str(s, "note") : ""));
	}
	static const char *const cols[] = { "id", "org", "kind", "when", "primary", "backup", "note", NULL };
	static const char *const vi[] = { "ID", "TỔ CHỨC", "LOẠI", "THỜI GIAN (GIỜ VN)", "TRỰC CHÍNH",
					  "DỰ PHÒNG", "GHI CHÚ", NULL };
	static const char *const en[] = { "ID", "ORG", "KIND", "WHEN (VN TIME)", "PRIMARY", "BACKUP",
					  "NOTE", NULL };
	cli_print_table(rows, cols, cli_lang() == LANG_EN ? en : vi);
	json_decref(rows);
}

static int list_fn(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	json_t *l = roster_list(c, cli_get(a, o, "org"), &e);
	if (l == NULL)
		return failed(&e);
	if (json)
		cli_print_json(l);
	else if (json_array_size(json_object_get(l, "items")) == 0)
		printf("%s\n", cli_lang() == LANG_EN ? "No shifts." : "Chưa có ca trực nào.");
	else
		print_shifts(json_object_get(l, "items"));
	json_decref(l);
	return 0;
}

static const char *id_arg(const struct cli_args *a, const struct cli_opt *o)
{
	const char *id = cli_get(a, o, "id");
	return id ? id : a->npos > 0 ? a->pos[0] : NULL;
}

static int show_fn(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json)
{
	const char *id = id_arg(a, o);
	if (id == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--id");
		return EXIT_USAGE;
	}
	struct err e = { 0 };
	json_t *s = roster_get(c, id, &e);
	if (s == NULL)
		return failed(&e);
	if (json) {
		cli_print_json(s);
	} else {
		int en = cli_lang() == LANG_EN;
		char when[128], p[200], b[200];
		when_text(s, when, sizeof(when));
		json_t *org = json_object_get(s, "org");
		char org_text[300];
		snprintf(org_text, sizeof(org_text), "%s (%s)", jv_str(org, "code"), jv_str(org, "name"));
		const char *rows[6][2] = {
			{ "ID:", jv_str(s, "id") },
			{ en ? "Organisation:" : "Tổ chức:", org_text },
			{ en ? "When (VN time):" : "Thời gian (giờ VN):", when },
			{ en ? "Primary:" : "Trực chính:", person_text(json_object_get(s, "primary"), p, sizeof(p)) },
			{ en ? "Backup:" : "Dự phòng:", person_text(json_object_get(s, "backup"), b, sizeof(b)) },
			{ en ? "Note:" : "Ghi chú:", jv_str(s, "note") ? jv_str(s, "note") : "" },
		};
		for (int i = 0; i < 6; i++) {
			label(rows[i][0], 20);
			printf("%s\n", rows[i][1]);
		}
	}
	json_decref(s);
	return 0;
}

/* --primary/--backup (usernames) into body's ids; 0, or an exit status. */
static int people(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, json_t *body)
{
	const char *p = cli_get(a, o, "primary"), *b = cli_get(a, o, "backup");
	struct err e = { 0 };
	char id[UUID_LEN];
	if (p == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--primary");
		return EXIT_USAGE;
	}
	if (roster_person(c, p, id, &e) != 0)
		return failed(&e);
	json_object_set_new(body, "primary_id", json_string(id));
	if (b) {
		if (roster_person(c, b, id, &e) != 0)
			return failed(&e);
		json_object_set_new(body, "backup_id", json_string(id));
	}
	if (cli_get(a, o, "note"))
		json_object_set_new(body, "note", json_string(cli_get(a, o, "note")));
	return 0;
}

static int add(struct ctx *c, json_t *body, int json)
{
	struct err e = { 0 };
	json_t *s = roster_add(c, body, &e);
	json_decref(body);
	if (s == NULL)
		return failed(&e);
	if (json) {
		cli_print_json(s);
	} else {
		char when[128];
		when_text(s, when, sizeof(when));
		printf(cli_lang() == LANG_EN ? "Shift %s added for %s: %s.\n"
					     : "Đã thêm ca trực %s cho %s: %s.\n",
		       jv_str(s, "id"), jv_str(json_object_get(s, "org"), "code"), when);
	}
	json_decref(s);
	return 0;
}

static int add_shift_fn(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json)
{
	const char *org = cli_get(a, o, "org"), *start = cli_get(a, o, "start"),
		   *end = cli_get(a, o, "end");
	if (org == NULL || start == NULL || end == NULL) {
		cli_errorf(MSG_MISSING_OPTION, org == NULL ? "--org" : start == NULL ? "--start" : "--end");
		return EXIT_USAGE;
	}
	json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "org_code", org, "kind", "weekly",
				 "start", start, "end", end);
	const char *days = cli_get(a, o, "days");
	if (days) {
		json_t *l = json_array();
		char *copy = strdup(days), *save = NULL;
		for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
			json_array_append_new(l, json_string(t));
		free(copy);
		json_object_set_new(body, "days", l);
	}
	int rc = people(c, a, o, body);
	if (rc != 0) {
		json_decref(body);
		return rc;
	}
	return add(c, body, json);
}

static int add_exception_fn(struct ctx *c, const struct cli_args *a, const struct cli_opt *o,
			    int json)
{
	const char *org = cli_get(a, o, "org"), *from = cli_get(a, o, "from"),
		   *to = cli_get(a, o, "to");
	if (org == NULL || from == NULL || to == NULL) {
		cli_errorf(MSG_MISSING_OPTION, org == NULL ? "--org" : from == NULL ? "--from" : "--to");
		return EXIT_USAGE;
	}
	json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "org_code", org, "kind", "exception",
				 "starts_at", from, "ends_at", to);
	int rc = people(c, a, o, body);
	if (rc != 0) {
		json_decref(body);
		return rc;
	}
	return add(c, body, json);
}

static int remove_fn(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json)
{
	const char *id = id_arg(a, o);
	if (id == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--id");
		return EXIT_USAGE;
	}
	struct err e = { 0 };
	if (roster_remove(c, id, &e) != 0)
		return failed(&e);
	if (json)
		printf("{\"removed\": true}\n");
	else
		printf(cli_lang() == LANG_EN ? "Shift %s removed.\n" : "Đã xóa ca trực %s.\n", id);
	return 0;
}

static int now_fn(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json)
{
	const char *org = cli_get(a, o, "org");
	if (org == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--org");
		return EXIT_USAGE;
	}
	struct err e = { 0 };
	json_t *w = roster_who(c, org, time_now_ms(), &e);
	if (w == NULL)
		return failed(&e);
	if (json) {
		cli_print_json(w);
		json_decref(w);
		return 0;
	}
	int en = cli_lang() == LANG_EN;
	int64_t at = 0;
	char human[TIME_RFC3339_LEN], p[200], b[200];
	time_parse(jv_str(w, "at"), &at);
	json_t *org_j = json_object_get(w, "org"), *by = json_object_get(w, "roster_of");
	printf(en ? "%s (%s) at %s, Vietnam time:\n" : "%s (%s) lúc %s giờ Việt Nam:\n",
	       jv_str(org_j, "code"), jv_str(org_j, "name"), time_format_human(at, human));
	if (json_is_null(by)) {
		printf("  %s\n", en ? "no roster here or above: nobody is on duty"
				    : "không có lịch trực ở tổ chức này hay cấp trên: không ai trực");
	} else {
		if (strcmp(jv_str(by, "code"), jv_str(org_j, "code")) != 0)
			printf(en ? "  (the roster of %s, the organisation above that answers for it)\n"
				  : "  (lịch trực của %s, cấp trên trả lời thay)\n", jv_str(by, "code"));
		printf("  ");
		label(en ? "Primary:" : "Trực chính:", 13);
		printf("%s\n  ", person_text(json_object_get(w, "primary"), p, sizeof(p)));
		label(en ? "Backup:" : "Dự phòng:", 13);
		printf("%s\n", person_text(json_object_get(w, "backup"), b, sizeof(b)));
	}
	json_decref(w);
	return 0;
}

static const struct cli_verb cmds[] = {
	{ "list", list_fn, list_opts, "ungcuu roster list --db PATH [--org CODE] [--json]",
	  "Liệt kê các ca trực (giờ Việt Nam).", "List the duty shifts (Vietnam time)." },
	{ "show", show_fn, id_opts, "ungcuu roster show --db PATH --id ID [--json]",
	  "Xem một ca trực.", "Show one shift." },
	{ "add-shift", add_shift_fn, shift_opts,
	  "ungcuu roster add-shift --db PATH --org CODE --start HH:MM --end HH:MM --primary USER "
	  "[--backup USER] [--days mon,tue,...] [--note TEXT]",
	  "Thêm ca trực hằng tuần (giờ Việt Nam) với người trực chính và dự phòng.",
	  "Add a weekly shift (Vietnam time) with a primary and a backup person." },
	{ "add-exception", add_exception_fn, exception_opts,
	  "ungcuu roster add-exception --db PATH --org CODE --from TIME --to TIME --primary USER "
	  "[--backup USER] [--note TEXT]",
	  "Thêm ca ngoại lệ (ngày lễ, thay người) thay cho các ca hằng tuần trong khoảng đó.",
	  "Add an exception (a holiday, a swap) that replaces the weekly shifts for its span." },
	{ "remove", remove_fn, id_opts, "ungcuu roster remove --db PATH --id ID",
	  "Xóa một ca trực.", "Remove a shift." },
	{ "now", now_fn, now_opts, "ungcuu roster now --db PATH --org CODE [--json]",
	  "Ai đang trực lúc này cho một tổ chức (giờ Việt Nam).",
	  "Who is on duty now for an organisation (Vietnam time)." },
};

int cmd_roster(int argc, char **argv)
{
	return cli_run_verbs("roster", cmds, sizeof(cmds) / sizeof(cmds[0]), argc, argv);
}
