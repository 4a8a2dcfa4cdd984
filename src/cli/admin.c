/*
 * admin.c - `ungcuu admin ...`: organisations, people, tokens, contacts and
 * the audit check, backup and restore, from the shell of the server's machine (acting as the
 * instance itself, and audited as "system").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "instance.h"
#include "../base/msg.h"
#include "../domain/directory/audit.h"
#include "../domain/directory/org.h"
#include "../domain/directory/user.h"
#include "../domain/plan/budget.h"
#include "../domain/plan/risk.h"
#include "../domain/vuln/vuln.h"
#include "../base/timeutil.h"
#include "../store/store.h"
#include "../store/store_copy.h"
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

/* One line per problem, in the reader's language, then the verdict. */
static void print_problems(const struct audit_result *r)
{
	static const struct { const char *kind; int msg; } kinds[] = {
		{ "chain", MSG_AUDIT_CHAIN }, { "head", MSG_AUDIT_HEAD },
		{ "checkpoint", MSG_AUDIT_CHECKPOINT }, { "changed", MSG_AUDIT_CHANGED },
		{ "unlogged", MSG_AUDIT_UNLOGGED }, { "missing", MSG_AUDIT_MISSING },
	};
	char what[400], text[600];
	size_t i;
	json_t *p;
	json_array_foreach(r->report, i, p) {
		const char *kind = json_string_value(json_object_get(p, "kind"));
		const char *table = json_string_value(json_object_get(p, "table"));
		const char *id = json_string_value(json_object_get(p, "id"));
		const char *field = json_string_value(json_object_get(p, "field"));
		const char *detail = json_string_value(json_object_get(p, "detail"));
		int msg = MSG_NONE;
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (kind && strcmp(kinds[k].kind, kind) == 0)
				msg = kinds[k].msg;
		if (table)
			snprintf(what, sizeof(what), "%s %s%s%s (%s)", table, id ? id : "",
				 field ? " " : "", field ? field : "", detail ? detail : "");
		else
			snprintf(what, sizeof(what), "%s", detail ? detail : "");
		fprintf(stderr, "ungcuu: %s\n", msg_format(msg, cli_lang(), what, text, sizeof(text)));
	}
}

/* 0 intact, 1 broken (named), 2 could not check. */
static int verify_report(struct store *db, const char *checkpoint, int json, int quiet)
{
	struct err e = { 0 };
	struct audit_result r;
	char num[32], text[300];
	int rc = checkpoint ? audit_verify_against(db, checkpoint, &r, &e)
			    : audit_verify(db, &r, &e);
	if (rc != 0) {
		cli_error(&e);
		audit_result_release(&r);
		return 2;
	}
	if (json) {
		json_t *j = json_pack("{s:b, s:I, s:I, s:I, s:o, s:s, s:I, s:O}",
				      "intact", r.problems == 0, "entries", (json_int_t)r.entries,
				      "rows", (json_int_t)r.rows, "checkpoint", (json_int_t)r.checkpoint,
				      "first_broken", r.first_bad ? json_integer(r.first_bad) : json_null(),
				      "why", r.why, "problems", (json_int_t)r.problems,
				      "report", r.report ? r.report : json_array());
		if (r.report == NULL)
			json_decref(json_object_get(j, "report"));
		cli_print_json(j);
		json_decref(j);
	}
	if (r.problems) {
		if (!json) {
			print_problems(&r);
			if (r.first_bad) {
				snprintf(num, sizeof(num), "%lld", r.first_bad);
				fprintf(stderr, "ungcuu: %s\n", msg_format(MSG_AUDIT_BROKEN, cli_lang(),
					num, text, sizeof(text)));
			}
			snprintf(num, sizeof(num), "%lld", r.problems);
			fprintf(stderr, "ungcuu: %s\n", msg_format(MSG_AUDIT_PROBLEMS, cli_lang(), num,
								   text, sizeof(text)));
		}
		audit_result_release(&r);
		return 1;
	}
	snprintf(num, sizeof(num), "%lld", r.entries);
	if (!json && !quiet)
		printf("%s\n", msg_format(MSG_AUDIT_OK, cli_lang(), num, text, sizeof(text)));
	audit_result_release(&r);
	return 0;
}

static const struct cli_opt verify_opts[] = {
	OPT_DB,
	{ "anchor", 0, "khi chỉ thiếu hoặc hỏng điểm kiểm tra: ghi điểm mới cho nhật ký hiện tại",
	  "when only the checkpoint is missing or damaged: sign a new one for the log as it is" },
	OPT_JSON, OPT_END,
};

/* Whether every problem found is about the checkpoint file. */
static int only_checkpoint(struct store *db)
{
	struct err e = { 0 };
	struct audit_result r;
	size_t i;
	json_t *p;
	int only = audit_verify(db, &r, &e) == 0 && r.problems > 0 &&
		   r.problems == (long long)json_array_size(r.report);
	json_array_foreach(r.report, i, p) {
		const char *k = json_string_value(json_object_get(p, "kind"));
		if (k == NULL || strcmp(k, "checkpoint") != 0)
			only = 0;
	}
	audit_result_release(&r);
	return only;
}

static int audit_verify_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	/* Re-anchoring vouches for the log as it is: only when the chain and
	 * every row check, so it cannot hide anything but a lost checkpoint
	 * (and it cannot tell a cut log from a whole one: say so in the help). */
	if (cli_get(a, o, "anchor") && only_checkpoint(c->db)) {
		struct err e = { 0 };
		char cp[4200];
		audit_checkpoint_path(cli_get(a, o, "db"), cp, sizeof(cp));
		if (audit_checkpoint_write(c->db, cp, &e) != 0) {
			cli_error(&e);
			return 2;
		}
	}
	return verify_report(c->db, NULL, json, 0);
}

/* ---- backup and restore ---- */

static int copy_file(const char *from, const char *to, struct err *e)
{
	char buf[65536];
	int rc = -1;
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (in < 0 || out < 0) {
		err_set(e, E_IO, MSG_IO, in < 0 ? from : to);
		goto out;
	}
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (n != 0 || fsync(out) != 0) {
		err_set(e, E_IO, MSG_IO, to);
		goto out;
	}
	rc = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0 && rc == 0)
		rc = err_set(e, E_IO, MSG_IO, to);
	return rc;
}

/* A database file and the files that go with it. */
static void remove_set(const char *db)
{
	static const char *const ext[] = { "", ".key", ".checkpoint", "-wal", "-shm", "-stamp" };
	char p[4200];
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", db, ext[i]);
		unlink(p);
	}
}

/* Opens a copy (its key beside it), checks it and leaves no -stamp behind
 * when it made one. */
static int verify_copy(const char *db, const char *checkpoint, int json, int write_cp)
{
	struct err e = { 0 };
	char stamp[4200];
	snprintf(stamp, sizeof(stamp), "%s-stamp", db);
	int had_stamp = access(stamp, F_OK) == 0;
	struct store *s = store_open(db, &e);
	if (s == NULL) {
		cli_error(&e);
		return 2;
	}
	int rc = verify_report(s, checkpoint, json, 1);
	char cp[4200];
	audit_checkpoint_path(db, cp, sizeof(cp));
	if (rc == 0 && write_cp && audit_checkpoint_write(s, cp, &e) != 0) {
		cli_error(&e);
		rc = 2;
	}
	store_close(s);
	if (!had_stamp)
		unlink(stamp);
	return rc;
}

static const struct cli_opt backup_opts[] = {
	OPT_DB,
	{ "out", 1, "thư mục (tạo tệp ungcuu-THỜIGIAN.db) hoặc tệp mới", "a directory (a file ungcuu-TIME.db is made in it) or a new file" },
	OPT_JSON, OPT_END,
};

static int backup_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	char out[4096], cp[4200], live_cp[4200], key[4200], live_key[4200], text[600];
	const char *to = cli_get(a, o, "out"), *db = cli_get(a, o, "db");
	struct stat sb;
	if (to == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--out");
		return EXIT_USAGE;
	}
	if (stat(to, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		char stamp[TIME_RFC3339_LEN], name[32];
		time_format_utc(time_now_ms(), stamp);
		snprintf(name, sizeof(name), "%.4s%.2s%.2sT%.2s%.2s%.2sZ", stamp, stamp + 5, stamp + 8,
			 stamp + 11, stamp + 14, stamp + 17);
		snprintf(out, sizeof(out), "%s/ungcuu-%s.db", to, name);
	} else {
		snprintf(out, sizeof(out), "%s", to);
	}
	audit_checkpoint_path(out, cp, sizeof(cp));
	audit_key_path(out, key, sizeof(key));
	if (access(out, F_OK) == 0 || access(cp, F_OK) == 0 || access(key, F_OK) == 0) {
		cli_errorf(MSG_BACKUP_EXISTS, out);
		return 1;
	}
	/* The live checkpoint first: it never runs ahead of the log, so the
	 * snapshot taken after it holds at least the entries it vouches for. */
	audit_checkpoint_path(db, live_cp, sizeof(live_cp));
	audit_key_path(db, live_key, sizeof(live_key));
	if ((access(live_cp, F_OK) == 0 && copy_file(live_cp, cp, &e) != 0) ||
	    store_backup(c->db, out, &e) != 0 || copy_file(live_key, key, &e) != 0) {
		cli_error(&e);
		remove_set(out);
		return 1;
	}
	/* The copy must prove itself before it counts as a backup; then it gets
	 * its own checkpoint for the whole of its log. */
	int rc = verify_copy(out, cp, 0, 1);
	if (rc != 0) {
		remove_set(out);
		cli_errorf(MSG_BACKUP_BAD_COPY, out);
		return 1;
	}
	if (json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:b}", "path", out, "key", key,
				      "checkpoint", cp, "verified", 1);
		cli_print_json(j);
		json_decref(j);
	} else {
		printf("%s\n", msg_format(MSG_BACKUP_OK, cli_lang(), out, text, sizeof(text)));
	}
	return 0;
}

static const struct cli_opt restore_opts[] = {
	OPT_DB,
	{ "from", 1, "tệp sao lưu (tệp .key và .checkpoint bên cạnh)", "the backup file (its .key and .checkpoint beside it)" },
	{ "force", 0, "thay cơ sở dữ liệu đang có (không khi đang chạy)", "replace an existing database (never one in use)" },
	OPT_JSON, OPT_END,
};

static int restore_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	char tmp[4096], p[4200], q[4200], text[600];
	const char *from = cli_get(a, o, "from"), *db = cli_get(a, o, "db");
	(void)c;
	if (from == NULL || db == NULL) {
		cli_errorf(MSG_MISSING_OPTION, from ? "--db" : "--from");
		return EXIT_USAGE;
	}
	if (store_in_use(db)) {
		cli_errorf(MSG_RESTORE_IN_USE, db);
		return 1;
	}
	if (access(db, F_OK) == 0 && !cli_get(a, o, "force")) {
		cli_errorf(MSG_RESTORE_EXISTS, db);
		return 1;
	}
	/* The backup as it is, then a consistent copy of it beside the target. */
	audit_checkpoint_path(from, p, sizeof(p));
	int rc = verify_copy(from, p, json, 0);
	if (rc != 0)
		return rc;
	snprintf(tmp, sizeof(tmp), "%s.restore-%ld", db, (long)getpid());
	remove_set(tmp);
	audit_key_path(from, p, sizeof(p));
	audit_key_path(tmp, q, sizeof(q));
	int ok = copy_file(p, q, &e) == 0;
	audit_checkpoint_path(from, p, sizeof(p));
	audit_checkpoint_path(tmp, q, sizeof(q));
	ok = ok && copy_file(p, q, &e) == 0;
	if (ok) {
		struct store *src = store_open(from, &e);
		ok = src && store_backup(src, tmp, &e) == 0;
		store_close(src);
	}
	if (!ok) {
		cli_error(&e);
		remove_set(tmp);
		return 1;
	}
	rc = verify_copy(tmp, q, json, 0);
	if (rc != 0) {
		remove_set(tmp);
		return rc;
	}
	/* Swap in: key and checkpoint first, the database last (one rename);
	 * a -wal or -shm left by the old database must not be applied to it. */
	static const char *const ext[] = { ".key", ".checkpoint" };
	for (size_t i = 0; i < 2 && ok; i++) {
		snprintf(p, sizeof(p), "%s%s", tmp, ext[i]);
		snprintf(q, sizeof(q), "%s%s", db, ext[i]);
		ok = rename(p, q) == 0;
	}
	if (ok && store_in_use(db))
		ok = 0;
	if (ok) {
		snprintf(q, sizeof(q), "%s-wal", db);
		unlink(q);
		snprintf(q, sizeof(q), "%s-shm", db);
		unlink(q);
		ok = rename(tmp, db) == 0;
	}
	if (!ok) {
		err_set(&e, E_IO, MSG_IO, db);
		cli_error(&e);
		remove_set(tmp);
		return 1;
	}
	if (json) {
		json_t *j = json_pack("{s:s, s:s, s:b}", "path", db, "from", from, "verified", 1);
		cli_print_json(j);
		json_decref(j);
	} else {
		printf("%s\n", msg_format(MSG_RESTORE_OK, cli_lang(), db, text, sizeof(text)));
	}
	return 0;
}

/* ---- moving up: SQLite into PostgreSQL (issue 18, h/pg-migrate) ---- */

static const struct cli_opt migrate_opts[] = {
	{ "from", 1, "tệp SQLite của hệ thống (máy chủ đã dừng; tệp .key bên cạnh)",
	  "the instance's SQLite file (server stopped; its .key beside it)" },
	{ "to", 1, "cơ sở dữ liệu PostgreSQL trống: postgres://NGƯỜI@MÁY:CỔNG/TÊN",
	  "an empty PostgreSQL database: postgres://USER@HOST:PORT/NAME" },
	{ "batch", 1, "số dòng mỗi lần ghi (mặc định 5000)", "rows per committed batch (default 5000)" },
	OPT_JSON, OPT_END,
};

static void migrate_progress(void *arg, int phase, const char *table, long long done,
			     long long total)
{
	char what[200], text[400];
	(void)arg;
	if (phase == COPY_PHASE_CHECK) {
		snprintf(what, sizeof(what), "%lld", done);
		fprintf(stderr, "ungcuu: %s\n", msg_format(MSG_MIGRATE_VERIFYING, cli_lang(), what,
							      text, sizeof(text)));
		return;
	}
	int resumed = phase == COPY_PHASE_TABLE && done > 0 && done < total;
	snprintf(what, sizeof(what), "%s: %lld/%lld", table, done, total);
	fprintf(stderr, "ungcuu: %s\n", msg_format(resumed ? MSG_MIGRATE_PROGRESS_RESUMED
							    : MSG_MIGRATE_PROGRESS,
						     cli_lang(), what, text, sizeof(text)));
}

static int migrate_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	struct store_copy_result res;
	char text[600], src_cp[4200], cp[4200], key[4200], *end = NULL;
	const char *from = cli_get(a, o, "from"), *to = cli_get(a, o, "to");
	const char *batch = cli_get(a, o, "batch");
	(void)c;
	if (from == NULL || to == NULL) {
		cli_errorf(MSG_MISSING_OPTION, from ? "--to" : "--from");
		return EXIT_USAGE;
	}
	long nbatch = batch ? strtol(batch, &end, 10) : 0;
	if (batch && (*end != '\0' || nbatch < 1 || nbatch > 1000000)) {
		cli_errorf(MSG_BAD_VALUE, "--batch");
		return EXIT_USAGE;
	}
	if (!store_is_pg(to)) {
		cli_errorf(MSG_MIGRATE_NOT_PG, to);
		return EXIT_USAGE;
	}
	if (store_is_pg(from) || access(from, R_OK) != 0) {
		cli_errorf(MSG_MIGRATE_NOT_INSTANCE, from);
		return 1;
	}
	fprintf(stderr, "ungcuu: %s\n", msg_format(MSG_MIGRATE_START, cli_lang(), to, text,
						      sizeof(text)));
	struct store_copy_opts co = { .from = from, .to = to, .batch = nbatch,
				      .progress = migrate_progress };
	if (store_copy_sqlite_to_pg(&co, &res, &e) != 0) {
		cli_error(&e);
		return 1;
	}
	if (res.resumed)
		fprintf(stderr, "ungcuu: %s\n", msg_format(MSG_MIGRATE_RESUME, cli_lang(), to, text,
							      sizeof(text)));
	/* The audit log on the target, against the source's signed checkpoint
	 * (copied beside the target's key): the copy holds at least every entry
	 * the source vouched for, and every audited row is what the log says. */
	audit_checkpoint_path(from, src_cp, sizeof(src_cp));
	audit_checkpoint_path(to, cp, sizeof(cp));
	audit_key_path(to, key, sizeof(key));
	unlink(cp);
	if (access(src_cp, F_OK) == 0 && copy_file(src_cp, cp, &e) != 0) {
		cli_error(&e);
		return 1;
	}
	audit_setup(NULL);
	struct store *t = store_open(to, &e);
	if (t == NULL) {
		cli_error(&e);
		return 1;
	}
	int rc = verify_report(t, NULL, 0, 1);
	store_close(t);
	if (rc != 0) {
		cli_errorf(MSG_MIGRATE_BAD_AUDIT, to);
		return 1;
	}
	if (store_copy_finish(to, &e) != 0) {
		cli_error(&e);
		return 1;
	}
	if (json) {
		json_t *j = json_pack("{s:s, s:s, s:i, s:I, s:b, s:s, s:s, s:b}", "from", from,
				      "to", to, "tables", res.tables, "rows", (json_int_t)res.rows,
				      "resumed", res.resumed, "key", key, "checkpoint", cp,
				      "verified", 1);
		cli_print_json(j);
		json_decref(j);
	} else {
		printf("%s\n", msg_format(MSG_MIGRATE_OK, cli_lang(), key, text, sizeof(text)));
	}
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

static const struct cli_opt finance_office_opts[] = {
	OPT_DB, { "org", 1, "mã tổ chức", "organisation code" },
	{ "off", 0, "thôi là phòng tài chính", "no longer the finance office" },
	OPT_JSON, OPT_END,
};

static int org_finance_office_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o,
				 int json)
{
	struct err e = { 0 };
	const char *code = cli_get(a, o, "org");
	if (code == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--org");
		return EXIT_USAGE;
	}
	int on = cli_get(a, o, "off") == NULL;
	json_t *j = budget_finance_office_set(c, code, on, &e);
	if (j == NULL) {
		cli_error(&e);
		return 1;
	}
	if (json) {
		cli_print_json(j);
	} else {
		char text[400];
		const char *name = json_string_value(json_object_get(json_object_get(j, "org"), "name"));
		printf("%s\n", msg_format(on ? MSG_FINANCE_OFFICE_ON : MSG_FINANCE_OFFICE_OFF, cli_lang(),
					  name, text, sizeof(text)));
	}
	json_decref(j);
	return 0;
}

/* -- risk register, budget (issue 15, h/risk): on the server's own machine,
 * also when the link to the mainland is down -- */
static const struct cli_opt budget_export_opts[] = {
	OPT_DB, { "year", 1, "năm", "year" },
	{ "org", 1, "mã tổ chức (mặc định: tổ chức gốc)", "organisation code (default: the root)" },
	{ "format", 1, "xlsx hoặc csv", "xlsx or csv" },
	{ "out", 1, "tệp ghi ra", "file to write" },
	OPT_END,
};

static int budget_export_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	const char *year = cli_get(a, o, "year"), *out = cli_get(a, o, "out");
	const char *fmt = cli_get(a, o, "format") ? cli_get(a, o, "format") : "xlsx";
	char *end = NULL;
	long y = year ? strtol(year, &end, 10) : 0;
	(void)json;
	if (year == NULL || out == NULL) {
		cli_errorf(MSG_MISSING_OPTION, year ? "--out" : "--year");
		return EXIT_USAGE;
	}
	if (*end != '\0' || y < 2000 || y > 2100) {
		cli_errorf(MSG_BAD_VALUE, "--year (2000..2100)");
		return EXIT_USAGE;
	}
	if (strcmp(fmt, "xlsx") != 0 && strcmp(fmt, "csv") != 0) {
		cli_errorf(MSG_BAD_VALUE, "--format (xlsx, csv)");
		return EXIT_USAGE;
	}
	size_t n = 0;
	char *bytes = strcmp(fmt, "csv") == 0
		? budget_rollup_csv(c, cli_get(a, o, "org"), (int)y, &n, &e)
		: budget_rollup_xlsx(c, cli_get(a, o, "org"), (int)y, &n, &e);
	if (bytes == NULL) {
		cli_error(&e);
		return 1;
	}
	FILE *f = fopen(out, "wbx");   /* never over an existing file */
	int exists = f == NULL && errno == EEXIST;
	int ok = f && fwrite(bytes, 1, n, f) == n;
	if (f && fclose(f) != 0)
		ok = 0;
	free(bytes);
	if (!ok) {
		cli_errorf(exists ? MSG_EXISTS : MSG_IO, out);
		return 1;
	}
	return 0;
}

static const struct cli_opt risk_heatmap_opts[] = {
	OPT_DB, { "org", 1, "mã tổ chức (mặc định: tổ chức gốc)", "organisation code (default: the root)" },
	OPT_JSON, OPT_END,
};

static int risk_heatmap_fn(struct ctx *c, struct cli_args *a, const struct cli_opt *o, int json)
{
	struct err e = { 0 };
	json_t *m = risk_heatmap(c, cli_get(a, o, "org"), &e);
	if (m == NULL || json)
		return done(m, &e, json, NULL, NULL);
	json_t *grid = json_object_get(m, "grid");
	printf("%s\n", json_string_value(json_object_get(json_object_get(m, "org"), "name")));
	printf("%-4s|  1    2    3    4    5   (%s)\n", "", msg_get(MSG_RISK_AXIS_IMPACT, cli_lang()));
	for (int l = 5; l >= 1; l--) {
		printf("  %d |", l);
		for (int i = 1; i <= 5; i++) {
			json_int_t n = json_integer_value(json_array_get(json_array_get(grid, (size_t)l - 1),
									 (size_t)i - 1));
			int band = risk_band(risk_score(l, i));
			printf(" %3lld%c", (long long)n, "lmhc"[band]);
		}
		printf("\n");
	}
	printf("(%s; l/m/h/c: %s)\n", msg_get(MSG_RISK_AXIS_LIKELIHOOD, cli_lang()),
	       msg_get(MSG_RISK_BANDS, cli_lang()));
	json_decref(m);
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
	{ "budget", "export", budget_export_fn, budget_export_opts,
	  "ungcuu admin budget export --db PATH --year Y --out FILE [--format xlsx|csv] [--org CODE]",
	  "Xuất tổng hợp dự toán đã gửi của một năm (XLSX hoặc CSV) để gửi tỉnh.",
	  "Export a year's roll-up of the submitted budget lines (XLSX or CSV) for the province." },
	{ "risk", "heatmap", risk_heatmap_fn, risk_heatmap_opts,
	  "ungcuu admin risk heatmap --db PATH [--org CODE] [--json]",
	  "In bản đồ nhiệt rủi ro 5×5 của một tổ chức và cấp dưới.",
	  "Print the 5×5 risk heat map of an organisation and its subtree." },
	{ "org", "finance-office", org_finance_office_fn, finance_office_opts,
	  "ungcuu admin org finance-office --db PATH --org CODE [--off]",
	  "Đánh dấu tổ chức là phòng tài chính của cấp trên (xem dự toán đã gửi của cả huyện).",
	  "Mark an organisation as its parent's finance office (reads the district's submitted budget lines)." },
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
	{ "audit-verify", NULL, audit_verify_fn, verify_opts,
	  "ungcuu admin audit-verify --db PATH [--json] [--anchor]",
	  "Kiểm tra nhật ký kiểm toán: chuỗi có khóa, điểm kiểm tra có chữ ký, và mọi dòng của các "
	  "bảng được kiểm toán khớp với nhật ký; thoát 1 và nêu từng bảng, mã, trường sai khác. "
	  "--anchor ký điểm kiểm tra mới khi đó là vấn đề duy nhất: không thể biết các mục mới "
	  "nhất có bị cắt trong lúc đó hay không.",
	  "Check the audit log: the keyed chain, the signed checkpoint, and that every row of the "
	  "audited tables is what the log says; exits 1 naming each table, id and field that differ. "
	  "--anchor signs a new checkpoint when it is the only problem: it cannot tell whether "
	  "the newest entries were cut meanwhile." },
	{ "backup", NULL, backup_fn, backup_opts, "ungcuu admin backup --db PATH --out DIR|FILE [--json]",
	  "Sao lưu trực tuyến (khi máy chủ vẫn chạy), gồm tệp đính kèm, khóa và điểm kiểm tra; "
	  "kiểm tra nhật ký kiểm toán trên bản sao trước khi báo xong.",
	  "Online backup (while the server runs), attachments, key and checkpoint included; the "
	  "audit log is checked on the copy before it says OK." },
	{ "restore", NULL, restore_fn, restore_opts,
	  "ungcuu admin restore --from BACKUP --db PATH [--force] [--json]",
	  "Khôi phục từ bản sao lưu: kiểm tra trước, rồi thay vào bằng một lần đổi tên; không ghi đè "
	  "cơ sở dữ liệu đang chạy, hay đang có khi không có --force.",
	  "Restore from a backup: checked first, then swapped in with one rename; never over a "
	  "database in use, nor over an existing one without --force." },
	{ "migrate", NULL, migrate_fn, migrate_opts,
	  "ungcuu admin migrate --from FILE.db --to postgres://… [--batch N] [--json]",
	  "Chuyển hệ thống từ SQLite sang PostgreSQL: mọi bảng theo thứ tự phụ thuộc, theo từng lô, "
	  "tệp đính kèm, nhật ký kiểm toán (giữ nguyên), khóa và thông tin của hệ thống; kiểm tra "
	  "số dòng từng bảng và nhật ký kiểm toán trên đích trước khi báo xong. Dừng máy chủ "
	  "trước. Chạy lại sau khi bị ngắt thì tiếp tục từ lô cuối đã ghi. Đích phải trống "
	  "(hoặc là bản chép dở của cùng nguồn). Tệp khóa của đích nằm trong $UNGCUU_STATE_DIR "
	  "(mặc định var/), như serve --db postgres://… tìm nó.",
	  "Move the instance from SQLite to PostgreSQL: every table in dependency order, in "
	  "batches, attachments, the audit log (unchanged), the instance key and meta; checks "
	  "every table's row count and the audit log on the target before it says done. Stop "
	  "the server first. Run again after an interruption: it goes on after the last batch "
	  "committed. The target must be empty (or a partial copy of the same source). The "
	  "target's key file goes to $UNGCUU_STATE_DIR (default var/), where serve --db "
	  "postgres://… looks for it." },
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
	if (cmd->fn == restore_fn || cmd->fn == migrate_fn) {   /* never opened here */
		struct rules none;
		rules_default(&none);
		struct ctx c0 = { .rules = &none, .lang = cli_lang() };
		/* migrate copies with no audit hook (the log is copied, not
		 * written) and sets it up itself for the check */
		if (cmd->fn == restore_fn)
			audit_setup(NULL);
		rc = cmd->fn(&c0, &a, cmd->opts, cli_get(&a, cmd->opts, "json") != NULL);
		cli_args_release(&a);
		return rc;
	}
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
