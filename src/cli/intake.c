/*
 * intake.c - `ungcuu intake email`: reports that arrive by email (issue 17
 * item 5). One RFC 5322 message on stdin, as Postfix's pipe transport or a
 * .forward hands it over, or every message of a Maildir (new/ -> cur/).
 * The domain (src/domain/duty/intake.c) files each in one transaction; the
 * replies it queued are then sent through SMTP (libcurl) when the
 * configuration has an [smtp] url, else they stay queued in mail_outbox.
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

#include <curl/curl.h>
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
	{ "config", 1, "tệp cấu hình (.ini): [smtp] url, from, user, password; [mail] address; "
	  "[server] max_attachment", "configuration file (.ini): [smtp] url, from, user, password; "
	  "[mail] address; [server] max_attachment" },
	{ "address", 1, "địa chỉ nhận báo cáo (người gửi thư trả lời)",
	  "the intake address (the replies' sender)" },
	{ "no-send", 0, "chỉ xếp hàng thư trả lời, không gửi", "only queue the replies, send none" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

struct mail_conf {
	char smtp_url[512], smtp_from[256], smtp_user[256], smtp_password[256], address[256];
	size_t max_attachment;   /* [server] max_attachment, as serve reads it (0: the default) */
};

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct mail_conf *mc = user;
	struct { const char *sec, *key; char *dst; size_t n; } keys[] = {
		{ "smtp", "url", mc->smtp_url, sizeof(mc->smtp_url) },
		{ "smtp", "from", mc->smtp_from, sizeof(mc->smtp_from) },
		{ "smtp", "user", mc->smtp_user, sizeof(mc->smtp_user) },
		{ "smtp", "password", mc->smtp_password, sizeof(mc->smtp_password) },
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

/* ---- sending the queued replies (libcurl SMTP) ---- */

struct upload {
	const char *p;
	size_t left;
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *user)
{
	struct upload *u = user;
	size_t n = size * nmemb < u->left ? size * nmemb : u->left;
	memcpy(ptr, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* A header's UTF-8 text as an RFC 2047 encoded word (base64). */
static char *encode_word(const char *s)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(s), k = 0;
	char *out = malloc(n * 2 + 32);
	if (out == NULL)
		return NULL;
	memcpy(out, "=?UTF-8?B?", 10);
	k = 10;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		out[k++] = b64[(v >> 18) & 63];
		out[k++] = b64[(v >> 12) & 63];
		out[k++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[k++] = i + 2 < n ? b64[v & 63] : '=';
	}
	memcpy(out + k, "?=", 3);
	return out;
}

static int send_one(const struct mail_conf *mc, json_t *r, char *why, size_t whyn)
{
	const char *to = json_string_value(json_object_get(r, "recipient"));
	const char *from = mc->smtp_from[0] ? mc->smtp_from : mc->address;
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	char *subject = encode_word(json_string_value(json_object_get(r, "subject")));
	const char *irt = json_string_value(json_object_get(r, "in_reply_to"));
	char *msg = NULL;
	char irt_h[1100] = "";
	if (irt && *irt)
		snprintf(irt_h, sizeof(irt_h), "In-Reply-To: <%s>\r\nReferences: <%s>\r\n", irt, irt);
	/* the body: UTF-8, lines joined with CRLF */
	const char *body = json_string_value(json_object_get(r, "body"));
	size_t bl = strlen(body), k = 0;
	char *crlf = malloc(bl * 2 + 3);
	if (crlf == NULL || subject == NULL) {
		free(crlf);
		free(subject);
		snprintf(why, whyn, "memory");
		return -1;
	}
	for (size_t i = 0; i < bl; i++) {
		if (body[i] == '\n')
			crlf[k++] = '\r';
		crlf[k++] = body[i];
	}
	crlf[k] = '\0';
	int len = asprintf(&msg, "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n"
		"Message-ID: <%s>\r\n%sMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
		"Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-replied\r\n\r\n%s\r\n",
		date, from, to, subject, json_string_value(json_object_get(r, "message_id")), irt_h,
		crlf);
	free(crlf);
	free(subject);
	if (len < 0) {
		snprintf(why, whyn, "memory");
		return -1;
	}
	CURL *cu = curl_easy_init();
	struct curl_slist *rcpt = curl_slist_append(NULL, to);
	struct upload up = { msg, (size_t)len };
	curl_easy_setopt(cu, CURLOPT_URL, mc->smtp_url);
	curl_easy_setopt(cu, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(cu, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(cu, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(cu, CURLOPT_READDATA, &up);
	curl_easy_setopt(cu, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(cu, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (mc->smtp_user[0]) {
		curl_easy_setopt(cu, CURLOPT_USERNAME, mc->smtp_user);
		curl_easy_setopt(cu, CURLOPT_PASSWORD, mc->smtp_password);
		curl_easy_setopt(cu, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	}
	CURLcode rc = curl_easy_perform(cu);
	if (rc != CURLE_OK)
		snprintf(why, whyn, "%s", curl_easy_strerror(rc));
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(cu);
	free(msg);
	return rc == CURLE_OK ? 0 : -1;
}

/* Sends what is queued; a failure stays queued with its reason. */
static void send_queued(struct ctx *c, const struct mail_conf *mc, json_t *report)
{
	struct err e = { 0 };
	json_t *items = mail_outbox_pending(c, 100, &e);
	size_t i;
	json_t *r;
	int sent = 0, failed = 0;
	json_array_foreach(items, i, r) {
		char why[256] = "";
		int ok = send_one(mc, r, why, sizeof(why)) == 0;
		ok ? sent++ : failed++;
		if (mail_outbox_mark(c, json_string_value(json_object_get(r, "id")), ok, why, &e) != 0)
			cli_error(&e);
	}
	json_decref(items);
	json_object_set_new(report, "replies_sent", json_integer(sent));
	json_object_set_new(report, "replies_failed", json_integer(failed));
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
		"đọc các mục của Mẫu 03, lưu tệp đính kèm với SHA-256 và gửi thư trả lời có số sự "
		"cố; thư trả lời trong cùng chuỗi thành bình luận. Người gửi lạ: chờ điều phối viên "
		"xem xét. Thư hỏng, quá lớn, sai bảng mã: đưa vào khu cách ly kèm lý do. "
		"Mã thoát 75: cơ sở dữ liệu bận, MTA gửi lại sau.",
		"Take one incident report (RFC 5322) from standard input (Postfix's pipe transport, "
		"a .forward) or every new message of a Maildir. A known sender (a user's or a "
		"contact's email): a received incident of their organisation, the Mẫu 03 fields "
		"read, attachments kept with their SHA-256, a reply with the incident's number; a "
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
	if (mc.smtp_url[0] && cli_get(&a, opts, "no-send") == NULL)
		send_queued(&c, &mc, report);
	if (json)
		cli_print_json(report);
	json_decref(report);
	store_close(db);
	cli_args_release(&a);
	return rc;
}
