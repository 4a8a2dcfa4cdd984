/* migrate.c - `ungcuu migrate`: bring a database to this program's schema,
 * with a copy taken beside it first; the package's upgrade runs it. */
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "instance.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../domain/directory/audit.h"
#include "../store/store.h"
#include "../base/banned.h"

static const struct cli_opt opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu", "the database file" },
	{ "backup-dir", 1, "thư mục chứa bản sao trước khi nâng cấp (mặc định: thư mục của cơ sở dữ liệu)",
	  "where the copy taken before the upgrade goes (default: the database's directory)" },
	{ "no-backup", 0, "không sao lưu trước (không nên)", "no copy first (not advised)" },
	{ "check", 0, "chỉ cho biết có cần nâng cấp không (thoát 0: không cần, 1: cần)",
	  "only tell whether an upgrade is due (exit 0: no, 1: yes)" },
	{ NULL, 0, NULL, NULL },
};

/* A file copied to a new file of mode 0600 (the key, the checkpoint). */
static int copy_new(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), rc = -1;
	if (out >= 0) {
		ssize_t n;
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				break;
		rc = n == 0 && fsync(out) == 0 ? 0 : -1;
		if (close(out) != 0)
			rc = -1;
	}
	close(in);
	return rc;
}

/* DIR/NAME-before-vNNN-YYYYMMDDTHHMMSSZ.db with its key and checkpoint. */
static int take_backup(struct store *db, const char *path, const char *dir, int from,
		       char *out, size_t n, struct err *e)
{
	char copy[4096], base[4096], stamp[TIME_RFC3339_LEN];
	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(base, sizeof(base), "%s", basename(copy));
	char *dot = strrchr(base, '.');
	if (dot && strcmp(dot, ".db") == 0)
		*dot = '\0';
	time_format_utc(time_now_ms(), stamp);
	int len = snprintf(out, n, "%.3000s/%.200s-before-v%03d-%.4s%.2s%.2sT%.2s%.2s%.2sZ.db",
			   dir, base, from, stamp, stamp + 5, stamp + 8, stamp + 11, stamp + 14,
			   stamp + 17);
	if (len < 0 || (size_t)len >= n)
		return err_set(e, E_IO, MSG_IO, dir);
	if (access(out, F_OK) == 0)
		return err_set(e, E_IO, MSG_BACKUP_EXISTS, out);
	if (store_backup(db, out, e) != 0)
		return -1;
	char from_key[4200], to_key[4200], from_cp[4200], to_cp[4200];
	audit_key_path(path, from_key, sizeof(from_key));
	audit_key_path(out, to_key, sizeof(to_key));
	audit_checkpoint_path(path, from_cp, sizeof(from_cp));
	audit_checkpoint_path(out, to_cp, sizeof(to_cp));
	if (copy_new(from_key, to_key) != 0)
		return err_set(e, E_IO, MSG_IO, to_key);
	if (access(from_cp, F_OK) == 0 && copy_new(from_cp, to_cp) != 0)
		return err_set(e, E_IO, MSG_IO, to_cp);
	return 0;
}

void migrate_failed(const char *path, int from, const struct err *e)
{
	char why[400], arg[600], text[800];
	err_text(e, cli_lang(), why, sizeof(why));
	snprintf(arg, sizeof(arg), "%s (v%03d): %s", path, from, why);
	fprintf(stderr, "ungcuu: %s\n", msg_format(MSG_MIGRATE_FAILED, cli_lang(), arg, text,
						   sizeof(text)));
}

int cmd_migrate(int argc, char **argv)
{
	struct cli_args a;
	struct err e = { 0 };
	char text[800], arg[4400];
	int rc = cli_parse(argc, argv, opts,
		"ungcuu migrate --db PATH [--backup-dir DIR | --no-backup] [--check]",
		"Nâng cấp cơ sở dữ liệu lên phiên bản của chương trình này: sao lưu bên cạnh trước, "
		"rồi áp dụng mọi bước trong một giao dịch (lỗi ở bất kỳ bước nào: cơ sở dữ liệu giữ "
		"nguyên). Hãy dừng máy chủ trước. `serve` cũng tự nâng cấp khi khởi động, không sao lưu.",
		"Bring the database to this program's version: a copy beside it first, then every "
		"step in one transaction (a failure at any step leaves the database as it was). Stop "
		"the server first. `serve` also upgrades at start, without a copy.", &a);
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *path = cli_get(&a, opts, "db");
	if (path == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--db");
		return EXIT_USAGE;
	}
	if (!instance_exists(path) || (!store_is_pg(path) && access(path, R_OK | W_OK) != 0)) {
		err_set(&e, E_IO, MSG_IO, path);
		cli_error(&e);
		return 1;
	}
	audit_setup(NULL);
	struct store *db = store_open(path, &e);
	if (db == NULL) {
		cli_error(&e);
		return 1;
	}
	int from = store_schema_version(db), to = store_migrations_latest();
	rc = 0;
	if (from > to) {
		snprintf(arg, sizeof(arg), "v%03d > v%03d", from, to);
		fprintf(stderr, "ungcuu: %s\n", msg_format(MSG_MIGRATE_NEWER, cli_lang(), arg, text,
							   sizeof(text)));
		rc = 1;
	} else if (from == to) {
		snprintf(arg, sizeof(arg), "%s (v%03d)", path, from);
		printf("%s\n", msg_format(MSG_MIGRATE_NONE, cli_lang(), arg, text, sizeof(text)));
	} else if (cli_get(&a, opts, "check")) {
		printf("v%03d -> v%03d\n", from, to);
		rc = 1;
	} else {
		char backup[4096] = "", dir[4096];
		if (!cli_get(&a, opts, "no-backup")) {
			const char *d = cli_get(&a, opts, "backup-dir");
			snprintf(dir, sizeof(dir), "%s", path);
			if (take_backup(db, path, d ? d : dirname(dir), from, backup, sizeof(backup),
					&e) != 0) {
				cli_error(&e);
				store_close(db);
				cli_args_release(&a);
				return 1;
			}
			printf("%s\n", msg_format(MSG_MIGRATE_BACKUP, cli_lang(), backup, text,
						  sizeof(text)));
		}
		if (store_migrate(db, &e) < 0) {
			migrate_failed(path, from, &e);
			rc = 1;
		} else {
			snprintf(arg, sizeof(arg), "%s v%03d -> v%03d", path, from, to);
			printf("%s\n", msg_format(MSG_MIGRATE_DONE, cli_lang(), arg, text,
						  sizeof(text)));
		}
	}
	store_close(db);
	cli_args_release(&a);
	return rc;
}
