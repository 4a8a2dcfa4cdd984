/*
 * admin.c - `ungcuu admin ...`: organisations, people, tokens, contacts and
 * the audit check, from the shell of the server's machine (acting as the
 * instance itself, and audited as "system").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "instance.h"
#include "../base/msg.h"
#include "../domain/directory/audit.h"
#include "../domain/directory/org.h"
#include "../domain/directory/user.h"
#include "../domain/vuln/vuln.h"
#include "../base/timeutil.h"
#include "../store/store.h"
#include "../base/banned.h"

struct admin_cmd {
	const char *group, *verb;
	int (*fn)(struct ctx *c, struct cli_args *a, const struct cli_opt *opts, int json);
	const struct cli_opt *opts;
	const char *usage, *about_vi, *about_en;
};

#define OPT_DB { "db", 1, "tệp cơ sở dữ liệu", "database file" }
#define OPT_JSON { "json", 0, "in kết quả dạng JSON", "print the result as JSON" }
#define OPT_END { NULL, 0, NULL, NULL }

static int done(json_t *j, struct err *e, int json, const char *const *cols,
		const char *const *heads)
{
	if (j == NULL) {
		cli_error(e);
		return 1;
	}
	if (json)
		cli_print_json(j);
	else if (cols && json_object_get(j, "items"))
		cli_print_table(json_object_get(j, "items"), cols, heads);
	else if (cols) {
		json_t *one = json_pack("[O]", j);
		cli_print_table(one, cols, heads);
		json_decref(one);
	}
	json_decref(j);
	return 0;
}

static const char *const org_cols[] = { "code", "name", "kind", NULL };
static const char *const org_heads[] = { "MÃ/CODE", "TÊN/NAME", "LOẠI/KIND", NULL };

static const struct cli_opt org_add_opts[] = {
	OPT_DB,
	{ "code", 1, "mã tổ chức", "organisation code" },
	{ "name", 1, "tên tổ chức", "organisation name" },
	{ "kind", 1, "national|province|district|agency|commune|telecom|provider", "national|province|district|agency|commune|telecom|provider" },
	{ "parent", 1, "mã tổ chức cấp trên", "parent organisation code" },
	{ "response-team", 0, "tổ chức có đội ứng cứu sự cố", "the organisation runs a response team" },
	{ "address", 1, "địa chỉ", "address" },
	OPT_JSON, OPT_END,
};

static int org_add_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	json_t *out = NULL;
	struct org_new n = {
		.code = cli_get(a, o, "code"), .name = cli_get(a, o, "name"),
		.kind = cli_get(a, o, "kind"), .parent_code = cli_get(a, o, "parent"),
		.address = cli_get(a, o, "address"),
		.response_team = cli_get(a, o, "response-team") != NULL,
	};
	org_add(c, &n, &out, &e);
	return done(out, &e, json, org_cols, org_heads);
}

static const struct cli_opt list_opts[] = { OPT_DB, OPT_JSON, OPT_END };

static int org_list_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	(void)a;
	(void)o;
	return done(org_list(c, &e), &e, json, org_cols, org_heads);
}

static const char *const user_cols[] = { "username", "full_name", "org.code", "roles", "disabled", NULL };
static const char *const user_heads[] = { "TÊN ĐĂNG NHẬP/USER", "HỌ TÊN/NAME", "TỔ CHỨC/ORG",
					  "VAI TRÒ/ROLES", "KHÓA/DISABLED", NULL };

static const struct cli_opt user_add_opts[] = {
	OPT_DB,
	{ "username", 1, "tên đăng nhập", "username" },
	{ "org", 1, "mã tổ chức", "organisation code" },
	{ "role", 2, "vai trò (lặp lại được): reporter focal coordinator responder leader admin",
	  "role (repeatable): reporter focal coordinator responder leader admin" },
	{ "full-name", 1, "họ và tên", "full name" },
	{ "email", 1, "thư điện tử", "email" },
	{ "phone", 1, "điện thoại", "phone" },
	{ "password-stdin", 0, "đọc mật khẩu từ đầu vào chuẩn", "read the password from standard input" },
	OPT_JSON, OPT_END,
};

static int user_add_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	json_t *out = NULL;
	char generated[32];
	char *pw = NULL;
	const char *roles = cli_get(a, o, "role");
	int bits = roles ? roles_parse(roles) : -1;
	if (bits <= 0) {
		cli_errorf(roles ? MSG_BAD_VALUE : MSG_MISSING_OPTION, roles ? roles : "--role");
		return EXIT_USAGE;
	}
	if (cli_get(a, o, "password-stdin")) {
		pw = cli_read_line_stdin();
		if (pw == NULL) {
			cli_errorf(MSG_MISSING_OPTION, "password (stdin)");
			return EXIT_USAGE;
		}
	} else {
		random_password(generated);
		pw = strdup(generated);
	}
	struct user_new n = {
		.username = cli_get(a, o, "username"), .password = pw,
		.org_code = cli_get(a, o, "org"), .full_name = cli_get(a, o, "full-name"),
		.email = cli_get(a, o, "email"), .phone = cli_get(a, o, "phone"),
		.roles = (unsigned)bits,
	};
	if (n.username == NULL || n.org_code == NULL) {
		cli_errorf(MSG_MISSING_OPTION, n.username ? "--org" : "--username");
		free(pw);
		return EXIT_USAGE;
	}
	int rc = user_add(c, &n, &out, &e);
	if (rc == 0 && !cli_get(a, o, "password-stdin"))
		json_object_set_new(out, "password", json_string(pw));
	sodium_memzero(pw, strlen(pw));
	free(pw);
	return done(out, &e, json, user_cols, user_heads);
}

static int user_list_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	(void)a;
	(void)o;
	return done(user_list(c, &e), &e, json, user_cols, user_heads);
}

static const struct cli_opt user_disable_opts[] = {
	OPT_DB, { "username", 1, "tên đăng nhập", "username" }, OPT_JSON, OPT_END,
};

static int user_disable_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	const char *u = cli_get(a, o, "username");
	if (u == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--username");
		return EXIT_USAGE;
	}
	return done(user_disable(c, u, &e), &e, json, user_cols, user_heads);
}

static int user_reset_2fa_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	const char *u = cli_get(a, o, "username");
	if (u == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--username");
		return EXIT_USAGE;
	}
	if (user_reset_second_factor(c, u, &e) != 0) {
		cli_error(&e);
		return 1;
	}
	if (json) {
		json_t *j = json_pack("{s:s, s:b}", "username", u, "second_factor", 0);
		cli_print_json(j);
		json_decref(j);
	}
	return 0;
}

static const struct cli_opt user_set_password_opts[] = {
	OPT_DB, { "username", 1, "tên đăng nhập", "username" },
	{ "password-stdin", 0, "đọc mật khẩu từ đầu vào chuẩn", "read the password from standard input" },
	OPT_JSON, OPT_END,
};

/* A new password for someone who lost theirs: read from stdin, or a
 * random one printed once. Unlocks the account and ends its sessions. */
static int user_set_password_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o,
				int json)
{
	struct err e = { 0 };
	char generated[32];
	char *pw = NULL;
	const char *u = cli_get(a, o, "username");
	int from_stdin = cli_get(a, o, "password-stdin") != NULL, rc = 1;
	if (u == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--username");
		return EXIT_USAGE;
	}
	if (from_stdin) {
		pw = cli_read_line_stdin();
		if (pw == NULL) {
			cli_errorf(MSG_MISSING_OPTION, "password (stdin)");
			return EXIT_USAGE;
		}
	} else {
		random_password(generated);
		pw = strdup(generated);
		sodium_memzero(generated, sizeof(generated));
	}
	if (pw == NULL || user_set_password(c, u, pw, &e) != 0) {
		cli_error(&e);
		goto out;
	}
	if (json) {
		json_t *j = json_pack("{s:s}", "username", u);
		if (!from_stdin)
			json_object_set_new(j, "password", json_string(pw));
		cli_print_json(j);
		json_decref(j);
	} else if (!from_stdin) {
		puts(pw);
	}
	rc = 0;
out:
	if (pw) {
		sodium_memzero(pw, strlen(pw));
		free(pw);
	}
	return rc;
}

static int token_create_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	char tok[TOKEN_LEN];
	const char *u = cli_get(a, o, "username");
	if (u == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--username");
		return EXIT_USAGE;
	}
	if (token_create(c, u, tok, &e) != 0) {
		cli_error(&e);
		return 1;
	}
	if (json) {
		json_t *j = json_pack("{s:s, s:s}", "username", u, "token", tok);
		cli_print_json(j);
		json_decref(j);
	} else {
		puts(tok);
	}
	sodium_memzero(tok, sizeof(tok));
	return 0;
}

static int token_revoke_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	const char *u = cli_get(a, o, "username");
	if (u == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--username");
		return EXIT_USAGE;
	}
	int n = token_revoke_all(c, u, &e);
	if (n < 0) {
		cli_error(&e);
		return 1;
	}
	if (json) {
		json_t *j = json_pack("{s:s, s:i}", "username", u, "revoked", n);
		cli_print_json(j);
		json_decref(j);
	} else {
		printf("%d\n", n);
	}
	return 0;
}

static int audit_verify_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	struct audit_result r;
	char num[32], text[300];
	(void)a;
	(void)o;
	if (audit_verify(c->db, &r, &e) != 0) {
		cli_error(&e);
		return 2;
	}
	if (json) {
		json_t *j = json_pack("{s:b, s:I, s:o, s:s}", "intact", r.first_bad == 0,
				      "entries", (json_int_t)r.entries,
				      "first_broken", r.first_bad ? json_integer(r.first_bad) : json_null(),
				      "why", r.why);
		cli_print_json(j);
		json_decref(j);
	}
	if (r.first_bad) {
		snprintf(num, sizeof(num), "%lld", r.first_bad);
		if (!json)
			fprintf(stderr, "ungcuu: %s (%s)\n", msg_format(MSG_AUDIT_BROKEN, cli_lang(),
				num, text, sizeof(text)), r.why);
		return 1;
	}
	snprintf(num, sizeof(num), "%lld", r.entries);
	if (!json)
		printf("%s\n", msg_format(MSG_AUDIT_OK, cli_lang(), num, text, sizeof(text)));
	return 0;
}

static const char *const contact_cols[] = { "name", "org.code", "phone", "email", "network_role", "on_duty", NULL };
static const char *const contact_heads[] = { "HỌ TÊN/NAME", "TỔ CHỨC/ORG", "ĐIỆN THOẠI/PHONE",
					     "EMAIL", "VAI TRÒ/ROLE", "TRỰC/ON DUTY", NULL };

static const struct cli_opt contact_add_opts[] = {
	OPT_DB,
	{ "org", 1, "mã tổ chức", "organisation code" },
	{ "name", 1, "họ và tên", "name" },
	{ "phone", 1, "điện thoại", "phone" },
	{ "email", 1, "thư điện tử", "email" },
	{ "network-role", 1, "vai trò trong mạng lưới ứng cứu", "role in the response network" },
	{ "on-duty", 0, "đang trực", "on duty" },
	OPT_JSON, OPT_END,
};

static int contact_add_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	json_t *body = json_object();
	static const char *const keys[][2] = {
		{ "org", "org_code" }, { "name", "name" }, { "phone", "phone" },
		{ "email", "email" }, { "network-role", "network_role" },
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = cli_get(a, o, keys[i][0]);
		if (v)
			json_object_set_new(body, keys[i][1], json_string(v));
	}
	json_object_set_new(body, "on_duty", json_boolean(cli_get(a, o, "on-duty") != NULL));
	json_t *out = contact_add(c, body, &e);
	json_decref(body);
	return done(out, &e, json, contact_cols, contact_heads);
}

static int contact_list_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	(void)a;
	(void)o;
	return done(contact_list(c, &e), &e, json, contact_cols, contact_heads);
}

static int rematch_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	struct vuln_stats st = { 0 };
	(void)a;
	(void)o;
	int64_t t0 = time_now_ms();
	if (vuln_match(c, NULL, &st, &e) != 0) {
		cli_error(&e);
		return 1;
	}
	json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:f}", "hosts", (json_int_t)st.hosts,
			      "opened", (json_int_t)st.opened, "closed", (json_int_t)st.closed,
			      "open_kept", (json_int_t)st.kept,
			      "seconds", (double)(time_now_ms() - t0) / 1000);
	if (json) {
		cli_print_json(j);
	} else {
		char *line = json_dumps(j, JSON_COMPACT);
		puts(line ? line : "");
		free(line);
	}
	json_decref(j);
	return 0;
}

static const struct cli_opt username_opts[] = {
	OPT_DB, { "username", 1, "tên đăng nhập", "username" }, OPT_JSON, OPT_END,
};

static const struct admin_cmd cmds[] = {
	{ "org", "add", org_add_fn, org_add_opts,
	  "ungcuu admin org add --db PATH --code CODE --name NAME --kind KIND [--parent CODE]",
	  "Thêm một tổ chức vào cây tổ chức.", "Add an organisation to the tree." },
	{ "org", "list", org_list_fn, list_opts, "ungcuu admin org list --db PATH [--json]",
	  "Liệt kê các tổ chức.", "List the organisations." },
	{ "user", "add", user_add_fn, user_add_opts,
	  "ungcuu admin user add --db PATH --username U --org CODE --role R [--role R...] --password-stdin",
	  "Thêm người dùng (không có --password-stdin: in mật khẩu ngẫu nhiên).",
	  "Add a person (without --password-stdin a random password is printed)." },
	{ "user", "list", user_list_fn, list_opts, "ungcuu admin user list --db PATH [--json]",
	  "Liệt kê người dùng.", "List the people." },
	{ "user", "disable", user_disable_fn, user_disable_opts,
	  "ungcuu admin user disable --db PATH --username U",
	  "Vô hiệu hóa tài khoản và thu hồi mọi mã truy cập của người đó.",
	  "Disable an account and revoke its tokens." },
	{ "user", "reset-2fa", user_reset_2fa_fn, user_disable_opts,
	  "ungcuu admin user reset-2fa --db PATH --username U",
	  "Gỡ xác thực hai bước của người bị mất thiết bị (ghi nhật ký; kết thúc các phiên).",
	  "Remove the second factor of a person who lost it (audited; ends their sessions)." },
	{ "user", "set-password", user_set_password_fn, user_set_password_opts,
	  "ungcuu admin user set-password --db PATH --username U [--password-stdin]",
	  "Đặt mật khẩu mới (không có --password-stdin: in mật khẩu ngẫu nhiên); mở khóa, kết thúc các phiên.",
	  "Set a new password (without --password-stdin a random one is printed); unlocks, ends sessions." },
	{ "token", "create", token_create_fn, username_opts,
	  "ungcuu admin token create --db PATH --username U",
	  "Tạo mã truy cập API mới (in ra một dòng).", "Create a new API token (printed as one line)." },
	{ "token", "revoke", token_revoke_fn, username_opts,
	  "ungcuu admin token revoke --db PATH --username U",
	  "Thu hồi mọi mã truy cập API và kết thúc mọi phiên đăng nhập của người dùng.",
	  "Revoke every API token of a person and end their sessions." },
	{ "audit-verify", NULL, audit_verify_fn, list_opts, "ungcuu admin audit-verify --db PATH",
	  "Kiểm tra chuỗi băm của nhật ký kiểm toán; thoát 1 và nêu mục hỏng đầu tiên.",
	  "Check the audit log's hash chain; exits 1 naming the first broken entry." },
	{ "rematch", NULL, rematch_fn, list_opts, "ungcuu admin rematch --db PATH [--json]",
	  "Đối chiếu lại mọi máy với các nguồn lỗ hổng (mở và đóng phát hiện).",
	  "Match every host against the feeds again (opens and closes findings)." },
	{ "contact", "add", contact_add_fn, contact_add_opts,
	  "ungcuu admin contact add --db PATH --org CODE --name NAME [--phone P] [--on-duty]",
	  "Thêm đầu mối của lực lượng ứng cứu.", "Add a response-force contact." },
	{ "contact", "list", contact_list_fn, list_opts, "ungcuu admin contact list --db PATH",
	  "Liệt kê đầu mối ứng cứu.", "List the response-force contacts." },
};

static void admin_help(void)
{
	int en = cli_lang() == LANG_EN;
	printf("%s: ungcuu admin GROUP VERB [--db PATH] ...\n\n", en ? "usage" : "cách dùng");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		printf("  %-36s %s\n", cmds[i].usage + strlen("ungcuu admin "),
		       en ? cmds[i].about_en : cmds[i].about_vi);
}

int cmd_admin(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		admin_help();
		return argc < 2 ? EXIT_USAGE : 0;
	}
	const struct admin_cmd *cmd = NULL;
	int skip = 0;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(cmds[i].group, argv[1]) != 0)
			continue;
		if (cmds[i].verb == NULL) {
			cmd = &cmds[i];
			skip = 1;
		} else if (argc > 2 && strcmp(cmds[i].verb, argv[2]) == 0) {
			cmd = &cmds[i];
			skip = 2;
		}
	}
	if (cmd == NULL) {
		char what[128];
		snprintf(what, sizeof(what), "admin %s%s%s", argv[1], argc > 2 ? " " : "",
			 argc > 2 ? argv[2] : "");
		cli_errorf(MSG_UNKNOWN_COMMAND, what);
		return EXIT_USAGE;
	}
	struct cli_args a;
	int rc = cli_parse(argc - skip + 1, argv + skip - 1, cmd->opts, cmd->usage,
			   cmd->about_vi, cmd->about_en, &a);
	if (rc)
		return rc == 1 ? 0 : rc;
	struct store *db = cli_open_db(cli_get(&a, cmd->opts, "db"), 1);
	if (db == NULL) {
		cli_args_release(&a);
		return cli_get(&a, cmd->opts, "db") ? 1 : EXIT_USAGE;
	}
	struct rules rules;
	struct actor sys;
	instance_rules(db, &rules);
	actor_system(&sys);
	struct ctx c = { .db = db, .rules = &rules, .actor = &sys, .lang = cli_lang() };
	rc = cmd->fn(&c, &a, cmd->opts, cli_get(&a, cmd->opts, "json") != NULL);
	store_close(db);
	cli_args_release(&a);
	return rc;
}
