/*
 * import.c - `ungcuu import KIND FILE...`: vulnerability feeds (osv, nvd,
 * kev), scanner reports (nmap, openvas) and Windows inventories into the
 * instance's database, as the instance itself. Each file is one transaction:
 * a malformed file is named with its position and changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "instance.h"
#include "../base/msg.h"
#include "../base/jsonv.h"
#include "../domain/ioc/indicator.h"
#include "../domain/directory/org.h"
#include "../domain/vuln/vuln.h"
#include "../store/store.h"
#include "../base/banned.h"

/* Largest file read: NVD's yearly feeds are a few hundred MB at most. */
#define IMPORT_MAX_FILE (1024LL * 1024 * 1024)

static const struct cli_opt opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu", "database file" },
	{ "org", 1, "mã tổ chức nhận kết quả quét / kiểm kê (mặc định: tổ chức gốc)",
	  "organisation the scan or inventory belongs to (default: the root)" },
	{ "tlp", 1, "nhãn TLP cho chỉ dấu không mang nhãn (mặc định AMBER)",
	  "TLP label of indicators that carry none (default AMBER)" },
	{ "no-match", 0, "không đối chiếu lại lỗ hổng sau khi nhập", "do not rematch findings afterwards" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

char *cli_read_file(const char *path, size_t *n, struct err *e)
{
	struct stat sb;
	FILE *f = fopen(path, "rb");
	if (f == NULL || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		if (f)
			fclose(f);
		err_set(e, E_IO, MSG_IO, path);
		return NULL;
	}
	if (sb.st_size > IMPORT_MAX_FILE) {
		fclose(f);
		err_set(e, E_TOOLARGE, MSG_FEED_LIMIT, path);
		return NULL;
	}
	char *data = malloc((size_t)sb.st_size + 1);
	if (data == NULL || fread(data, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
		free(data);
		fclose(f);
		err_set(e, E_IO, MSG_IO, path);
		return NULL;
	}
	fclose(f);
	data[sb.st_size] = '\0';
	*n = (size_t)sb.st_size;
	return data;
}

static int is_feed(const char *kind)
{
	return strcmp(kind, "osv") == 0 || strcmp(kind, "nvd") == 0 || strcmp(kind, "kev") == 0;
}

int cmd_import(int argc, char **argv)
{
	struct cli_args a;
	int rc = cli_parse(argc, argv, opts,
		"ungcuu import osv|nvd|kev|nmap|openvas|windows-inventory|stix|misp|list|csv|yara "
		"FILE... --db PATH [--org CODE] [--tlp LABEL]",
		"Nhập nguồn lỗ hổng (OSV, NVD CVE API 2.0, CISA KEV), báo cáo quét (nmap -oX, "
		"OpenVAS/Greenbone XML), tệp kiểm kê máy Windows (collect.ps1), hoặc chỉ dấu tấn công "
		"(IOC): gói STIX 2.1, sự kiện MISP, danh sách một giá trị mỗi dòng (có thể ghi LOẠI:GIÁ_TRỊ), CSV, luật YARA. "
		"Mỗi tệp là một giao dịch: tệp hỏng được báo rõ vị trí và không thay đổi gì. Nhập lại "
		"cập nhật tại chỗ. Chỉ dấu thuộc --org (mặc định: tổ chức gốc).",
		"Import vulnerability feeds (OSV, NVD CVE API 2.0, CISA KEV), scanner reports (nmap "
		"-oX, OpenVAS/Greenbone XML), Windows inventories (collect.ps1), or indicators of "
		"compromise: STIX 2.1 bundles, MISP events, plain lists (one value a line, KIND:VALUE allowed), CSV, YARA "
		"rules. Each file is one transaction: a malformed one is reported with its position "
		"and changes nothing. Re-importing updates in place. Indicators belong to --org "
		"(default: the root organisation).", &a);
	if (rc)
		return rc == 1 ? 0 : rc;
	static const char *const kinds[] = { "osv", "nvd", "kev", "nmap", "openvas",
					     "windows-inventory", "stix", "misp", "list", "csv",
					     "yara", NULL };
	int ok_kind = 0;
	for (int i = 0; a.npos && kinds[i]; i++)
		ok_kind |= strcmp(a.pos[0], kinds[i]) == 0;
	if (!ok_kind || a.npos < 2) {
		cli_errorf(a.npos ? (ok_kind ? MSG_MISSING_ARG : MSG_BAD_VALUE) : MSG_MISSING_ARG,
			   a.npos ? (ok_kind ? "FILE" : a.pos[0]) : "KIND FILE");
		cli_args_release(&a);
		return EXIT_USAGE;
	}
	const char *kind = a.pos[0];
	int json = cli_get(&a, opts, "json") != NULL;
	struct store *db = cli_open_db(cli_get(&a, opts, "db"), 1);
	if (db == NULL) {
		cli_args_release(&a);
		return cli_get(&a, opts, "db") ? 1 : EXIT_USAGE;
	}
	struct rules rules;
	struct actor sys;
	instance_rules(db, &rules);
	actor_system(&sys);
	struct ctx c = { .db = db, .rules = &rules, .actor = &sys, .lang = cli_lang() };
	const char *org = cli_get(&a, opts, "org");
	struct org root;
	struct err re = { 0 };
	if (org == NULL && !is_feed(kind) && org_root(&c, &root, &re) == 0)
		org = root.code;
	json_t *results = json_array();
	int failed = 0, en = cli_lang() == LANG_EN;
	for (int i = 1; i < a.npos; i++) {
		struct err e = { 0 };
		struct vuln_stats st = { 0 };
		size_t n = 0;
		json_t *out = NULL;
		char *data = cli_read_file(a.pos[i], &n, &e);
		if (data && is_feed(kind)) {
			if (vuln_import(&c, kind, a.pos[i], data, n, &st, &e) == 0)
				out = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "file", a.pos[i],
						"kind", kind, "records", (json_int_t)st.records,
						"created", (json_int_t)st.created,
						"updated", (json_int_t)st.updated,
						"withdrawn", (json_int_t)st.withdrawn);
		} else if (data && indicator_format(kind) >= 0) {
			out = indicator_import(&c, indicator_format(kind), a.pos[i], data, n, org,
					       cli_get(&a, opts, "tlp"), &e);
			if (out && !json) {
				json_t *kept = json_object_get(out, "kept"), *v;
				size_t k;
				json_array_foreach(kept, k, v)
					fprintf(stderr, "%s: %s %s: %s\n", a.pos[i],
						en ? "kept as text, not matched" : "giữ dạng văn bản, không dò",
						jv_str(v, "id"), jv_str(v, "why"));
				json_t *m = json_object_get(out, "misp");
				json_int_t dropped = json_integer_value(json_object_get(m, "tlp_collapsed"));
				if (dropped > 0) {
					char num[32], line[512];
					snprintf(num, sizeof(num), "%lld", (long long)dropped);
					fprintf(stderr, "%s: %s\n", a.pos[i],
						msg_format(MSG_MISP_TLP_COLLAPSED, en ? LANG_EN : LANG_VI,
							   num, line, sizeof(line)));
				}
			}
		} else if (data && strcmp(kind, "windows-inventory") == 0) {
			out = windows_import(&c, a.pos[i], data, n, org, &e);
		} else if (data) {
			if (scan_import(&c, kind, a.pos[i], data, n, org, &st, &out, &e) != 0) {
				json_decref(out);
				out = NULL;
			}
		}
		free(data);
		if (out == NULL) {
			cli_error(&e);
			failed++;
			continue;
		}
		if (!json) {
			char *line = json_dumps(out, JSON_COMPACT);
			fprintf(stderr, "%s %s\n", en ? "imported" : "đã nhập", line ? line : "");
			free(line);
		}
		json_array_append_new(results, out);
	}
	/* Feeds change what every host is exposed to: rematch them all once. */
	if (is_feed(kind) && !cli_get(&a, opts, "no-match") && json_array_size(results)) {
		struct err e = { 0 };
		struct vuln_stats st = { 0 };
		if (vuln_match(&c, NULL, &st, &e) != 0) {
			cli_error(&e);
			failed++;
		} else if (!json) {
			fprintf(stderr, en ? "matched %ld hosts: %ld findings opened, %ld closed\n"
					   : "đã đối chiếu %ld máy: mở %ld phát hiện, đóng %ld\n",
				st.hosts, st.opened, st.closed);
		}
	}
	if (json)
		cli_print_json(results);
	json_decref(results);
	store_close(db);
	cli_args_release(&a);
	return failed ? 1 : 0;
}
