/*
 * export.c - `ungcuu export stix|misp|csv`: the instance's indicators as a
 * file for another party, under the TLP rule for the recipient (--to CODE;
 * without it, someone outside the tree: CLEAR only). Reads the database
 * directly, as the instance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "instance.h"
#include "../base/msg.h"
#include "../domain/ioc/indicator.h"
#include "../store/store.h"
#include "../base/banned.h"

static const struct cli_opt opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu", "database file" },
	{ "to", 1, "mã tổ chức nhận (TLP quyết định được gửi gì); bỏ trống: bên ngoài, chỉ CLEAR",
	  "recipient organisation code (TLP decides what goes); none: outside, CLEAR only" },
	{ "kind", 1, "chỉ loại này (ipv4, domain, sha256, yara...)", "only this kind (ipv4, domain, sha256, yara...)" },
	{ "tag", 1, "chỉ chỉ dấu có nhãn này", "only indicators with this tag" },
	{ "out", 1, "ghi vào tệp (mặc định: đầu ra chuẩn)", "write to a file (default: standard output)" },
	{ NULL, 0, NULL, NULL },
};

int cmd_export(int argc, char **argv)
{
	struct cli_args a;
	int rc = cli_parse(argc, argv, opts,
		"ungcuu export stix|misp|csv --db PATH [--to CODE] [--kind K] [--tag T] [--out FILE]",
		"Xuất chỉ dấu tấn công (IOC) thành gói STIX 2.1, sự kiện MISP hoặc CSV. MISP: mỗi sự "
		"kiện đã nhập thành một sự kiện như nguồn gửi (uuid, đối tượng, thuộc tính ngữ cảnh, "
		"lần thấy), chỉ dấu tạo trong ungcuu vào một sự kiện riêng. Nhãn TLP quyết "
		"định cái gì được gửi: RED không bao giờ; AMBER+STRICT chỉ trong tổ chức sở hữu; AMBER "
		"cho tổ chức sở hữu và các tổ chức được nêu; GREEN cho mọi tổ chức trong cây; CLEAR "
		"cho tất cả. Đối tượng STIX đã nhập được xuất lại nguyên như khi nhận (mã, thời "
		"điểm, mọi thuộc tính, cùng các đối tượng đi kèm trong tệp); chỉ dấu chỉ làm ngữ "
		"cảnh (to_ids false) không có dạng STIX nên bị giữ lại và được đếm. Số bản ghi đã "
		"xuất và bị giữ lại in ra stderr.",
		"Export indicators of compromise as a STIX 2.1 bundle, MISP events or CSV. MISP: each "
		"imported event as its source sent it (uuid, objects, context attributes, sightings), "
		"the indicators made in ungcuu in an event of its own. The TLP "
		"label decides what leaves: RED never; AMBER+STRICT only inside the owning "
		"organisation; AMBER to the owner and the organisations named; GREEN to any "
		"organisation of the tree; CLEAR to anyone. STIX objects that were imported go out "
		"as they came (ids, times, every property, with the objects of their file); records "
		"for context only (to_ids false) have no STIX form and are withheld and counted. "
		"The counts exported and withheld go to stderr.", &a);
	if (rc)
		return rc == 1 ? 0 : rc;
	int format = a.npos == 1 ? indicator_format(a.pos[0]) : -1;
	if (format != IND_STIX && format != IND_MISP && format != IND_CSV) {
		cli_errorf(a.npos ? MSG_BAD_VALUE : MSG_MISSING_ARG, a.npos ? a.pos[0] : "stix|misp|csv");
		cli_args_release(&a);
		return EXIT_USAGE;
	}
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
	struct indicator_export x = { .to_code = cli_get(&a, opts, "to"),
				      .kind = cli_get(&a, opts, "kind"), .tag = cli_get(&a, opts, "tag") };
	struct err e = { 0 };
	size_t len = 0;
	char *text = indicator_export(&c, format, &x, &len, &e);
	const char *out = cli_get(&a, opts, "out");
	rc = 0;
	if (text == NULL) {
		cli_error(&e);
		rc = 1;
	} else {
		FILE *f = out ? fopen(out, "wb") : stdout;
		if (f == NULL || fwrite(text, 1, len, f) != len || (out && fclose(f) != 0)) {
			err_set(&e, E_IO, MSG_IO, out ? out : "stdout");
			cli_error(&e);
			rc = 1;
		} else {
			if (!out && len && text[len - 1] != '\n')
				fputc('\n', stdout);
			fprintf(stderr, cli_lang() == LANG_EN ? "exported %zu, withheld by TLP %zu\n"
				: "đã xuất %zu, giữ lại theo TLP %zu\n", x.exported,
				x.withheld - x.context);
			if (x.context) {
				char n[32], line[256];
				snprintf(n, sizeof(n), "%zu", x.context);
				fprintf(stderr, "%s\n", msg_format(MSG_IOC_EXPORT_CONTEXT, cli_lang(), n,
								   line, sizeof(line)));
			}
		}
	}
	free(text);
	store_close(db);
	cli_args_release(&a);
	return rc;
}
