/*
 * doc.c - `ungcuu doc KIND ID [--format pdf|docx] [-o FILE] [--db PATH]`:
 * an official document (Mẫu 03, Mẫu 04, ...) as PDF or DOCX, built by the
 * same domain function the API uses (src/doc/ renders it).
 *
 * It reads the database directly, as the instance (like `ungcuu export`),
 * not through the API with a token (like `ungcuu report`): documents are
 * printed by whoever keeps the server (the clerk's office prints and seals
 * them), the command works with the server stopped or on a copy of the
 * database (a backup, to reprint a past report), and it renders on the
 * machine that has the fonts. Anyone else downloads them from the web UI
 * or the API, where their own scope applies.
 *
 * Adding a kind is one line of `kinds` below: its name, what it is in
 * Vietnamese and English (for --help), and its builder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "instance.h"
#include "../base/buf.h"
#include "../base/msg.h"
#include "../doc/doc.h"
#include "../domain/incident/incident.h"
#include "../domain/plan/annual.h"
#include "../domain/plan/drill.h"
#include "../domain/plan/mau05.h"
#include "../domain/plan/plan_doc.h"
#include "../store/store.h"
#include "../base/banned.h"

struct doc_kind {
	const char *kind;
	const char *about_vi, *about_en;   /* what ID names, too */
	struct doc *(*build)(struct ctx *c, const char *id, struct err *e);
};

static const struct doc_kind kinds[] = {
	{ "mau03", "báo cáo ban đầu sự cố (Mẫu 03); ID: mã hoặc số hiệu sự cố",
	  "initial incident report (form 03); ID: the incident's id or number", incident_mau03_doc },
	{ "mau04", "báo cáo kết thúc ứng cứu sự cố (Mẫu 04); ID: mã hoặc số hiệu sự cố",
	  "incident closing report (form 04); ID: the incident's id or number", incident_mau04_doc },
	{ "mau05", "báo cáo định kỳ 6 tháng, năm (Mẫu 05); ID: mã báo cáo",
	  "half-year or annual summary (form 05); ID: the report's id", mau05_doc },
	{ "mau01", "hồ sơ thành viên mạng lưới (Mẫu 01); ID: mã đơn vị (pq-tamthanh)",
	  "network member profile (form 01); ID: the organisation's code", mau01_doc },
	{ "plan", "kế hoạch ứng phó sự cố (một phiên bản); ID: mã kế hoạch",
	  "response plan (one version); ID: the plan's id", plan_doc },
	{ "drill", "báo cáo sau diễn tập; ID: mã cuộc diễn tập",
	  "a drill's after-action report; ID: the drill's id", drill_doc },
	{ "annual", "báo cáo kết quả thực hiện kế hoạch năm; ID: NĂM hoặc MÃ-ĐƠN-VỊ:NĂM",
	  "annual implementation report; ID: YEAR or ORG-CODE:YEAR", annual_doc },
};
#define NKINDS (sizeof kinds / sizeof *kinds)

static const struct cli_opt opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu", "database file" },
	{ "format", 1, "pdf (mặc định) hoặc docx", "pdf (the default) or docx" },
	{ "out", 1, "ghi vào tệp này (-o; mặc định KIND-ID.pdf trong thư mục hiện tại; - là đầu ra chuẩn)",
	  "write to this file (-o; default KIND-ID.pdf in the current directory; - is standard output)" },
	{ NULL, 0, NULL, NULL },
};

static const struct doc_kind *kind_find(const char *k)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (strcmp(kinds[i].kind, k) == 0)
			return &kinds[i];
	return NULL;
}

/* --help's text: the description and the table of kinds. */
static void about(struct buf *vi, struct buf *en)
{
	buf_adds(vi, "Xuất văn bản hành chính (thể thức Nghị định 30/2020: quốc hiệu, tiêu ngữ, "
		 "địa danh và ngày tháng, chữ ký) thành PDF để in hoặc DOCX để sửa trong Word, "
		 "LibreOffice. Đọc trực tiếp cơ sở dữ liệu với quyền của hệ thống (như `ungcuu "
		 "export`): dùng được cả khi máy chủ đã dừng hoặc trên bản sao lưu. Hai lần xuất "
		 "cùng một hồ sơ cho cùng các byte.\n\nLoại văn bản (KIND):");
	buf_adds(en, "Write an administrative document (the Decree 30/2020 layout: national "
		 "title, motto, place and date, signature) as PDF to print or DOCX to edit in "
		 "Word or LibreOffice. Reads the database directly as the instance (like "
		 "`ungcuu export`): it works with the server stopped, or on a backup. Two runs on "
		 "the same record give the same bytes.\n\nKinds (KIND):");
	for (size_t i = 0; i < NKINDS; i++) {
		buf_printf(vi, "\n  %-8s %s", kinds[i].kind, kinds[i].about_vi);
		buf_printf(en, "\n  %-8s %s", kinds[i].kind, kinds[i].about_en);
	}
}

int cmd_doc(int argc, char **argv)
{
	/* -o FILE is --out FILE (cli_parse knows long options only). */
	char **av = calloc((size_t)argc + 1, sizeof *av);
	if (av == NULL)
		return 1;
	for (int i = 0; i < argc; i++)
		av[i] = strcmp(argv[i], "-o") == 0 && i > 0 ? (char *)"--out" : argv[i];
	struct buf vi, en;
	buf_init(&vi, 1 << 16);
	buf_init(&en, 1 << 16);
	about(&vi, &en);
	struct cli_args a;
	int rc = cli_parse(argc, av, opts,
		"ungcuu doc KIND ID [--format pdf|docx] [-o FILE] [--db PATH]",
		vi.p ? vi.p : "", en.p ? en.p : "", &a);
	buf_release(&vi);
	buf_release(&en);
	free(av);
	if (rc)
		return rc == 1 ? 0 : rc;
	const struct doc_kind *k = a.npos >= 1 ? kind_find(a.pos[0]) : NULL;
	const char *fmt = cli_get(&a, opts, "format");
	int docx = fmt && strcmp(fmt, "docx") == 0;
	if (a.npos != 2 || k == NULL || (fmt && !docx && strcmp(fmt, "pdf") != 0)) {
		if (a.npos < 1)
			cli_errorf(MSG_MISSING_ARG, "KIND");
		else if (k == NULL)
			cli_errorf(MSG_BAD_VALUE, a.pos[0]);
		else if (a.npos < 2)
			cli_errorf(MSG_MISSING_ARG, "ID");
		else if (a.npos > 2)
			cli_errorf(MSG_UNKNOWN_OPTION, a.pos[2]);
		else
			cli_errorf(MSG_BAD_VALUE, fmt);
		cli_args_release(&a);
		return EXIT_USAGE;
	}
	const char *dbpath = cli_get(&a, opts, "db");
	struct store *db = cli_open_db(dbpath, 1);
	if (db == NULL) {
		cli_args_release(&a);
		return dbpath ? 1 : EXIT_USAGE;
	}
	struct rules rules;
	struct actor sys;
	instance_rules(db, &rules);
	actor_system(&sys);
	struct ctx c = { .db = db, .rules = &rules, .actor = &sys, .lang = cli_lang() };
	struct err e = { 0 };
	struct doc *d = k->build(&c, a.pos[1], &e);
	struct buf out;
	buf_init(&out, 256u << 20);
	rc = 0;
	if (d == NULL) {
		cli_error(&e);
		rc = 1;
	} else if ((docx ? doc_docx(d, &out) : doc_pdf(d, &out)) != 0) {
		err_set(&e, E_INTERNAL, MSG_INTERNAL, NULL);
		cli_error(&e);
		rc = 1;
	}
	doc_free(d);
	if (rc == 0) {
		char name[256];
		const char *path = cli_get(&a, opts, "out");
		if (path == NULL) {
			size_t n = (size_t)snprintf(name, sizeof name, "%s-%s.%s", k->kind, a.pos[1],
						    docx ? "docx" : "pdf");
			for (size_t i = 0; i < n && i < sizeof name; i++)
				if (name[i] == '/' || name[i] == '\\')
					name[i] = '_';
			path = name;
		}
		int to_stdout = strcmp(path, "-") == 0;
		FILE *f = to_stdout ? stdout : fopen(path, "wb");
		int bad = f == NULL || fwrite(out.p, 1, out.len, f) != out.len;
		if (f && (to_stdout ? fflush(f) : fclose(f)) != 0)
			bad = 1;
		if (bad) {
			err_set(&e, E_IO, MSG_IO, path);
			cli_error(&e);
			rc = 1;
		} else if (!to_stdout) {
			printf("%s\n", path);
		}
	}
	buf_release(&out);
	store_close(db);
	cli_args_release(&a);
	return rc;
}
