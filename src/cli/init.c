/* init.c - `ungcuu init`: a new database, the instance key pair and the
 * first administrator. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "instance.h"
#include "../base/crypto.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../domain/directory/audit.h"
#include "../domain/directory/org.h"
#include "../domain/directory/user.h"
#include "../store/store.h"
#include "../base/banned.h"

int instance_exists(const char *path)
{
	struct err e = { 0 };
	if (!store_is_pg(path) && access(path, F_OK) != 0)
		return 0;
	struct store *db = store_open(path, &e);
	if (db == NULL)   /* a file: something is there, never overwrite it;
			   * a server: unreachable, init says why */
		return !store_is_pg(path);
	int v = store_schema_version(db);
	store_close(db);
	return v > 0;
}

/* The secret key lives beside the database, readable by its owner only;
 * it keys the audit log (audit.h), so it is never in the database. */
static int write_key(const char *dbpath, const char *sk, struct err *e)
{
	char path[4096];
	audit_key_path(dbpath, path, sizeof(path));
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, E_IO, MSG_IO, path);
	size_t n = strlen(sk);
	int ok = write(fd, sk, n) == (ssize_t)n && write(fd, "\n", 1) == 1;
	close(fd);
	return ok ? 0 : err_set(e, E_IO, MSG_IO, path);
}

struct store *instance_create(const char *path, const char *prefix, struct err *e)
{
	char pk[65], sk[129], now[TIME_RFC3339_LEN];
	/* The key first: every connection opens the audit log with it. */
	if (ed25519_keypair_hex(pk, sk) != 0 || write_key(path, sk, e) != 0) {
		sodium_memzero(sk, sizeof(sk));
		if (e->code == E_OK)
			err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
		return NULL;
	}
	audit_setup(NULL);
	struct store *db = store_open(path, e);
	if (db == NULL) {
		sodium_memzero(sk, sizeof(sk));
		return NULL;
	}
	if (store_migrate(db, e) < 0 ||
	    store_run(db, e, "INSERT INTO meta (key, value) VALUES ('instance_public_key', $1), "
		      "('number_prefix', $2), ('created_at', $3)", "ttt", pk, prefix,
		      time_format_utc(time_now_ms(), now)) < 0) {
		sodium_memzero(sk, sizeof(sk));
		if (e->code == E_OK)
			err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
		store_close(db);
		return NULL;
	}
	sodium_memzero(sk, sizeof(sk));
	return db;
}

void instance_rules(struct store *db, struct rules *r)
{
	struct err e = { 0 };
	rules_default(r);
	struct stmt *st = store_query(db, &e, "SELECT value FROM meta WHERE key = 'number_prefix'", "");
	if (st && stmt_step(st, &e) == 1 && stmt_text(st, 0))
		snprintf(r->number_prefix, sizeof(r->number_prefix), "%s", stmt_text(st, 0));
	stmt_done(st);
}

void random_password(char out[32])
{
	unsigned char raw[15];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, 32, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

static const struct cli_opt opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu SQLite", "the SQLite database file" },
	{ "org-code", 1, "mã tổ chức gốc (mặc định: root)", "code of the root organisation (default: root)" },
	{ "org-name", 1, "tên tổ chức gốc", "name of the root organisation" },
	{ "org-kind", 1, "loại tổ chức gốc (mặc định: district)", "kind of the root organisation (default: district)" },
	{ "prefix", 1, "tiền tố số hiệu sự cố (mặc định: PQ)", "incident number prefix (default: PQ)" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

int cmd_init(int argc, char **argv)
{
	struct cli_args a;
	struct err e = { 0 };
	int rc = cli_parse(argc, argv, opts, "ungcuu init --db PATH [--json]",
		"Tạo cơ sở dữ liệu mới, cặp khóa Ed25519 của hệ thống và tài khoản quản trị "
		"đầu tiên (admin); in mật khẩu dùng một lần.",
		"Create a new database, the instance's Ed25519 key pair and the first "
		"administrator (admin); prints the one-time password.", &a);
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
		fprintf(stderr, "ungcuu: %s\n", msg_format(MSG_DB_EXISTS, cli_lang(), path,
							   text, sizeof(text)));
		return 0;
	}
	const char *prefix = cli_get(&a, opts, "prefix");
	struct store *db = instance_create(path, prefix ? prefix : "PQ", &e);
	if (db == NULL) {
		cli_error(&e);
		return 1;
	}
	struct rules rules;
	struct actor sys;
	instance_rules(db, &rules);
	actor_system(&sys);
	struct ctx c = { .db = db, .rules = &rules, .actor = &sys };
	const char *code = cli_get(&a, opts, "org-code"), *name = cli_get(&a, opts, "org-name"),
		   *kind = cli_get(&a, opts, "org-kind");
	struct org_new root = {
		.code = code ? code : "root", .name = name ? name : "Tổ chức gốc",
		.kind = kind ? kind : "district",
	};
	char pw[32];
	random_password(pw);
	struct user_new admin = {
		.username = "admin", .password = pw, .org_code = root.code,
		.full_name = "Quản trị hệ thống", .roles = ROLE_ADMIN,
	};
	if (org_add(&c, &root, NULL, &e) != 0 || user_add(&c, &admin, NULL, &e) != 0) {
		cli_error(&e);
		store_close(db);
		return 1;
	}
	store_close(db);
	if (json) {
		json_t *j = json_pack("{s:s, s:s}", "username", "admin", "password", pw);
		cli_print_json(j);
		json_decref(j);
	} else {
		int en = cli_lang() == LANG_EN;
		printf(en ? "Created %s.\nAdministrator: admin\nOne-time password: %s\n"
			  : "Đã tạo %s.\nQuản trị: admin\nMật khẩu dùng một lần: %s\n", path, pw);
	}
	sodium_memzero(pw, sizeof(pw));
	cli_args_release(&a);
	return 0;
}
