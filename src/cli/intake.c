/*
 * intake.c - `ungcuu intake email`: reports that arrive by email (issue 17
 * item 5). One RFC 5322 message on stdin, as Postfix's pipe transport or a
 * .forward hands it over, or every message of a Maildir (new/ -> cur/).
 * The domain (src/domain/duty/intake.c) files each in one transaction, the
 * reply with the incident's number queued in mail_outbox in that same
 * transaction; the server's delivery worker (`ungcuu serve`, src/notify/)
 * sends it with retries, backoff and a record of each attempt, never this
 * process (an MTA's pipe must not wait on an SMTP server).
 *
 * Exit status for the MTA: 0 when the message was taken (filed, triaged,
 * quarantined or already seen), 75 (EX_TEMPFAIL: try again later) when the
 * database could not take it, 2 for a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "cli.h"
#include "instance.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../domain/duty/mail.h"
#include "../base/banned.h"

#define EX_TEMPFAIL 75

static const struct cli_opt opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu", "the database file" },
	{ "maildir", 1, "đọc mọi thư mới của một Maildir (new/ -> cur/) thay vì đầu vào chuẩn",
	  "read every new message of a Maildir (new/ -> cur/) instead of standard input" },
	{ "config", 1, "tệp cấu hình (.ini) của máy chủ: [mail] address; [server] max_attachment",
	  "the server's configuration file (.ini): [mail] address; [server] max_attachment" },
	{ "address", 1, "địa chỉ nhận báo cáo (người gửi thư trả lời)",
	  "the intake address (the replies' sender)" },
	{ "no-send", 0, "(giữ cho tương thích: thư trả lời luôn do máy chủ gửi)",
	  "(kept for scripts: the server always sends the replies)" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

struct mail_conf {
	char address[256];
	size_t max_attachment;   /* [server] max_attachment, as serve reads it (0: the default) */
};

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct mail_conf *mc = user;
	struct { const char *sec, *key; char *dst; size_t n; } keys[] = {
		{ "mail", "address", mc->address, sizeof(mc->address) },
	};
	if (strcmp(section, "server") == 0 && strcmp(name, "max_attachment") == 0) {
		char *end;
		unsigned long long v = strtoull(value, &end, 10);
		if (*end != '\0' || v == 0)
			return 0;
		mc->max_attachment = (size_t)v;
		return 1;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(section, keys[i].sec) == 0 && strcmp(name, keys[i].key) == 0) {
			snprintf(keys[i].dst, keys[i].n, "%s", value);
			return 1;
		}
	return 1;   /* other sections belong to serve */
}

/* How many replies the messages queued (the server sends them). */
static void count_replies(json_t *report)
{
	size_t i, n = 0;
	json_t *o;
	json_array_foreach(json_object_get(report, "messages"), i, o)
		n += json_object_get(o, "reply_id") != NULL;
	json_object_set_new(report, "replies_queued", json_integer((json_int_t)n));
}

/* ---- reading ---- */

/* Reads a whole stream, at most LIMIT_MAIL_RAW + 1 bytes kept (the rest is
 * read and dropped, so the MTA's pipe is drained); *total = all bytes. */
static char *read_all(FILE *f, size_t *n, size_t *total)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap), chunk[65536];
	*total = 0;
	if (buf == NULL)
		return NULL;
	size_t r;
	while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		*total += r;
		size_t take = len + r > (size_t)LIMIT_MAIL_RAW + 1 ? (size_t)LIMIT_MAIL_RAW + 1 - len : r;
		if (len + take > cap) {
			while (len + take > cap)
				cap *= 2;
			char *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		memcpy(buf + len, chunk, take);
		len += take;
	}
	if (ferror(f)) {
		free(buf);
		return NULL;
	}
	*n = len;
	return buf;
}

static void print_outcome(const json_t *o, int json, const char *name)
{
	if (json) {
		cli_print_json(o);
		return;
	}
	const char *oc = json_string_value(json_object_get(o, "outcome"));
	const char *num = json_string_value(json_object_get(o, "number"));
	const char *reason = json_string_value(json_object_get(o, "detail"));
	printf("%s%s%s%s%s\n", name ? name : "", name ? ": " : "", oc ? oc : "?",
	       num ? " " : reason ? " - " : "", num ? num : reason ? reason : "");
}

static int take(struct ctx *c, const char *raw, size_t n, const char *address, json_t *all,
		int json, const char *name)
{
	struct err e = { 0 };
	json_t *o = mail_intake(c, raw, n, address, &e);
	if (o == NULL) {
		cli_error(&e);
		return EX_TEMPFAIL;
	}
	if (name)
		json_object_set_new(o, "file", json_string(name));
	if (!json)
		print_outcome(o, 0, name);
	json_array_append_new(all, o);
	return 0;
}

/* Every message of maildir/new: filed, then moved to cur/ with the seen
 * flag. A crash between the two leaves it in new/; the next run finds it
 * already recorded (same bytes) and only moves it. */
static int run_maildir(struct ctx *c, const char *dir, const char *address, json_t *all,
		       int json)
{
	char path[4096], dst[4096];
	snprintf(path, sizeof(path), "%s/new", dir);
	DIR *d = opendir(path);
	if (d == NULL) {
		cli_errorf(MSG_IO, path);
		return 1;
	}
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/new/%s", dir, de->d_name);
		struct stat sb;
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		FILE *f = fopen(path, "rb");
		if (f == NULL)
			continue;
		size_t n, total;
		char *raw = read_all(f, &n, &total);
		fclose(f);
		if (raw == NULL) {
			cli_errorf(MSG_IO, path);
			rc = 1;
			continue;
		}
		int r = take(c, raw, total > n ? total : n, address, all, json, de->d_name);
		free(raw);
		if (r != 0) {
			rc = r;    /* left in new/ for the next run */
			continue;
		}
		snprintf(dst, sizeof(dst), "%s/cur/%s%s", dir, de->d_name,
			 strchr(de->d_name, ':') ? "" : ":2,S");
		if (rename(path, dst) != 0) {
			cli_errorf(MSG_IO, dst);
			rc = 1;
		}
	}
	closedir(d);
	return rc;
}

int cmd_intake(int argc, char **argv)
{
	struct cli_args a;
	if (argc < 2 || strcmp(argv[1], "email") != 0) {
		if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
			printf("ungcuu intake email --db PATH [--maildir DIR] [--config FILE]\n\n"
			       "Nhận báo cáo sự cố gửi qua thư điện tử.\n"
			       "Reports that arrive by email.\n");
			return 0;
		}
		cli_errorf(MSG_UNKNOWN_OPTION, argc >= 2 ? argv[1] : "(email)");
		return EXIT_USAGE;
	}
	int rc = cli_parse(argc - 1, argv + 1, opts,
		"ungcuu intake email --db PATH [--maildir DIR] [--config FILE] [--address ADDR] "
		"[--no-send] [--json] < message.eml",
		"Nhận một thư báo cáo sự cố (RFC 5322) từ đầu vào chuẩn (kênh pipe của Postfix, "
		".forward) hoặc mọi thư mới trong một Maildir. Người gửi đã biết (email của người "
		"dùng hoặc đầu mối liên hệ): lập sự cố ở trạng thái tiếp nhận cho đơn vị của họ, "
		"đọc các mục của Mẫu 03, lưu tệp đính kèm với SHA-256 và xếp hàng thư trả lời có số "
		"sự cố (máy chủ `ungcuu serve` gửi, thử lại khi lỗi); thư trả lời trong cùng chuỗi thành bình luận. Người gửi lạ: chờ điều phối viên "
		"xem xét. Thư hỏng, quá lớn, sai bảng mã: đưa vào khu cách ly kèm lý do. "
		"Mã thoát 75: cơ sở dữ liệu bận, MTA gửi lại sau.",
		"Take one incident report (RFC 5322) from standard input (Postfix's pipe transport, "
		"a .forward) or every new message of a Maildir. A known sender (a user's or a "
		"contact's email): a received incident of their organisation, the Mẫu 03 fields "
		"read, attachments kept with their SHA-256, a reply with the incident's number queued "
		"(`ungcuu serve` sends it, retrying on failure); a "
		"reply in the thread becomes a comment. An unknown sender: waits for a coordinator "
		"(triage). Broken, oversized, wrongly encoded mail is quarantined with its reason. "
		"Exit status 75: the database could not take it, the MTA retries later.",
		&a);
	if (rc)
		return rc == 1 ? 0 : rc;
	struct mail_conf mc = { 0 };
	const char *cfg = cli_get(&a, opts, "config");
	if (cfg) {
		int line = ini_parse(cfg, on_ini, &mc);
		if (line != 0) {
			char where[600];
			snprintf(where, sizeof(where), line < 0 ? "%s" : "%s:%d", cfg, line);
			cli_errorf(MSG_BAD_VALUE, where);
			cli_args_release(&a);
			return EXIT_USAGE;
		}
	}
	const char *v = cli_get(&a, opts, "address");
	if (v)
		snprintf(mc.address, sizeof(mc.address), "%s", v);
	int json = cli_get(&a, opts, "json") != NULL;
	const char *maildir = cli_get(&a, opts, "maildir");
	struct store *db = cli_open_db(cli_get(&a, opts, "db"), 1);
	if (db == NULL) {
		rc = cli_get(&a, opts, "db") ? EX_TEMPFAIL : EXIT_USAGE;
		cli_args_release(&a);
		return rc;
	}
	struct rules rules;
	struct actor sys;
	instance_rules(db, &rules);
	if (mc.max_attachment)
		rules.max_attachment = mc.max_attachment;
	actor_system(&sys);
	struct ctx c = { .db = db, .rules = &rules, .actor = &sys, .lang = cli_lang() };
	json_t *all = json_array();
	if (maildir) {
		rc = run_maildir(&c, maildir, mc.address, all, json);
	} else {
		size_t n, total;
		char *raw = read_all(stdin, &n, &total);
		if (raw == NULL) {
			cli_errorf(MSG_IO, "stdin");
			rc = EX_TEMPFAIL;
		} else {
			/* a message over the bound: what was kept, its real size told */
			rc = take(&c, raw, total > n ? total : n, mc.address, all, json, NULL);
			free(raw);
		}
	}
	json_t *report = json_pack("{s:o}", "messages", all);
	count_replies(report);
	if (json)
		cli_print_json(report);
	json_decref(report);
	store_close(db);
	cli_args_release(&a);
	return rc;
}
