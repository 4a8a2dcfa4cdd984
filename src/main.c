/*
 * main.c - the command table (git's commands[]): `ungcuu CMD ...`.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "cli/cli.h"
#include "base/crypto.h"
#include "base/msg.h"
#include "domain/duty/notify_rules.h"
#include "domain/ioc/indicator.h"
#include "domain/plan/playbook.h"
#include "sync/kinds.h"
#include "sync/kinds_test.h"
#include "base/banned.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *about_vi, *about_en;
};

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct command commands[] = {
	{ "init", cmd_init, "tạo cơ sở dữ liệu, khóa hệ thống và tài khoản quản trị",
	  "create the database, instance keys and the administrator" },
	{ "serve", cmd_serve, "chạy máy chủ API và giao diện web",
	  "run the API server and the web UI" },
	{ "migrate", cmd_migrate, "nâng cấp cơ sở dữ liệu (sao lưu bên cạnh trước)",
	  "upgrade the database (a copy beside it first)" },
	{ "admin", cmd_admin, "quản lý tổ chức, người dùng, mã truy cập, nhật ký kiểm toán",
	  "manage organisations, people, tokens, the audit log" },
	{ "report", cmd_report, "báo cáo và xử lý sự cố qua API",
	  "report and handle incidents through the API" },
	{ "asset", cmd_asset, "danh mục hệ thống thông tin và máy (qua API)",
	  "the registry of information systems and hosts (through the API)" },
	{ "import", cmd_import, "nhập nguồn lỗ hổng, báo cáo quét, kiểm kê Windows, chỉ dấu IOC",
	  "import vulnerability feeds, scanner reports, Windows inventories, IOCs" },
	{ "agent", cmd_agent, "agent kiểm kê máy: đăng ký, thu thập và gửi có chữ ký",
	  "the host agent: enroll, collect and send signed inventories" },
	{ "sweep", cmd_sweep, "dò dấu hiệu tấn công trên máy: YARA, mã băm, IP và tên miền trong nhật ký", "sweep this host for IOCs: YARA, hashes, IPs and domains in logs" },
	{ "export", cmd_export, "xuất chỉ dấu (STIX, MISP, CSV) theo quy tắc TLP",
	  "export indicators (STIX, MISP, CSV) under the TLP rule" },
	{ "hunt", cmd_hunt, "săn tìm mối nguy: xem, lấy luật, gửi kết quả quét tay",
	  "threat hunts: list, fetch rules, upload a manual sweep's result" },
	{ "doc", cmd_doc, "xuất văn bản (Mẫu 03, Mẫu 04...) thành PDF hoặc DOCX",
	  "write a document (form 03, form 04...) as PDF or DOCX" },
	{ "peer", cmd_peer, "hệ thống ungcuu cấp trên, cấp dưới để trao đổi (liên thông)",
	  "the ungcuu instances above and below to exchange with (federation)" },
	{ "sync", cmd_sync, "trao đổi phong bì với máy ngang hàng qua mạng hoặc bằng tệp; tình trạng trao đổi",
	  "exchange envelopes with peers over the network or by file; the state of the exchange" },
	{ "intake", cmd_intake, "nhận báo cáo sự cố qua thư điện tử (Postfix, Maildir)",
	  "take incident reports that arrive by email (Postfix, Maildir)" },
	{ "roster", cmd_roster, "lịch trực: ca trực, ngoại lệ, ai đang trực lúc này",
	  "the duty roster: shifts, exceptions, who is on duty now" },
	{ "demo", cmd_demo, "tạo dữ liệu mẫu huyện Phú Quý", "create the Phú Quý demo district" },
	{ "vercmp", cmd_vercmp, "so sánh hai số phiên bản (dpkg, rpm, semver)", "compare two versions (dpkg, rpm, semver)" },
	{ "version", cmd_version, "in phiên bản", "print the version" },
	{ "help", cmd_help, "danh sách lệnh", "list the commands" },
};

/* help and version take no options: anything else is a usage error. */
static int no_args(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") != 0) {
		cli_errorf(MSG_UNKNOWN_OPTION, argv[1]);
		return EXIT_USAGE;
	}
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	if (no_args(argc, argv))
		return EXIT_USAGE;
	int en = cli_lang() == LANG_EN;
	printf("ungcuu %s — %s\n\n%s: ungcuu %s [--help]\n\n%s:\n", UNGCUU_VERSION,
	       en ? "incident response for agencies, communes and operators"
		  : "ứng cứu sự cố an toàn thông tin cho cơ quan, xã và doanh nghiệp",
	       en ? "usage" : "cách dùng", en ? "COMMAND" : "LỆNH", en ? "commands" : "các lệnh");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-10s %s\n", commands[i].name,
		       en ? commands[i].about_en : commands[i].about_vi);
	printf("\n%s\n", en ? "`ungcuu COMMAND --help` shows a command's options. "
			      "Messages are Vietnamese; LANG=en gives English."
			    : "`ungcuu LỆNH --help` hiện các tùy chọn của lệnh. "
			      "Đặt LANG=en để hiện tiếng Anh.");
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	if (no_args(argc, argv))
		return EXIT_USAGE;
	printf("ungcuu %s\n", UNGCUU_VERSION);
	return 0;
}

int main(int argc, char **argv)
{
	if (crypto_init() != 0) {
		fprintf(stderr, "ungcuu: libsodium failed to start\n");
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* The hooks from the incident workflow into the folders above it:
	 * plan/ (playbooks), ioc/ (the indicator store behind observables), */
	playbook_install();
	indicator_observables_install();
	/* ... and into the standing duty (notifications, h/notify). */
	notify_rules_install();
	/* What travels between instances (issue 16): the kinds the inbox
	 * applies and the domain hooks that queue them. */
	sync_kinds_install();
#ifdef UNGCUU_TEST_HOOKS
	/* test builds only: a kind "a newer version" knows (kinds_test.h) */
	sync_test_kinds_install();
#endif
	if (argc < 2)
		return cmd_help(1, argv), EXIT_USAGE;
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		name = "help";
	if (strcmp(name, "--version") == 0)
		name = "version";
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, name) == 0) {
			int rc = commands[i].fn(argc - 1, argv + 1);
			curl_global_cleanup();
			return rc;
		}
	}
	cli_errorf(MSG_UNKNOWN_COMMAND, argv[1]);
	curl_global_cleanup();
	return EXIT_USAGE;
}
