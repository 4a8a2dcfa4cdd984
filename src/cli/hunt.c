/*
 * hunt.c - `ungcuu hunt list|show|rules|upload`: threat hunts through the
 * API (UNGCUU_URL, UNGCUU_TOKEN). An organisation without the agent fetches
 * the rules, runs `ungcuu sweep --rules FILE --json PATH... > hits.jsonl`
 * and uploads that output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "client.h"
#include "../base/msg.h"
#include "../base/banned.h"

static const struct cli_opt opts[] = {
	{ "url", 1, "địa chỉ máy chủ (hoặc UNGCUU_URL)", "server URL (or UNGCUU_URL)" },
	{ "token", 1, "mã truy cập API (hoặc UNGCUU_TOKEN)", "API token (or UNGCUU_TOKEN)" },
	{ "hostname", 1, "upload: tên máy đã quét", "upload: the host that was swept" },
	{ "org", 1, "upload: mã tổ chức của máy (mặc định: của bạn)", "upload: the host's organisation (default: yours)" },
	{ "out", 1, "rules: ghi vào tệp (mặc định: đầu ra chuẩn)", "rules: write to a file (default: standard output)" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

static const char *const list_cols[] = { "id", "title", "status", "deadline", "issuer.code",
					  "indicators", "targets_ran", "targets_total", "hits", NULL };
static const char *const list_heads[] = { "MÃ/ID", "TÊN/TITLE", "TRẠNG THÁI/STATUS",
					   "HẠN/DEADLINE", "ĐƠN VỊ GIAO/ISSUER", "CHỈ DẤU/IOCS",
					   "ĐÃ CHẠY/RAN", "ĐƠN VỊ/TARGETS", "KẾT QUẢ/HITS", NULL };

/* A query value, percent-encoded. */
static char *escaped(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *out = e ? strdup(e) : NULL;
	curl_free(e);
	return out;
}

static int show(const struct client *cl, const char *path, int json, const char *const *cols)
{
	json_t *out;
	/* The list (cols given) is read whole, page after page. */
	int st = cols ? client_get_all(cl, path, &out) : client_call(cl, "GET", path, NULL, -1, &out);
	if (st != 200)
		return st < 0 ? 1 : client_problem(st, out);
	if (json || cols == NULL)
		cli_print_json(out);
	else
		cli_print_table(json_object_get(out, "items"), cols, list_heads);
	json_decref(out);
	return 0;
}

static int rules(const struct client *cl, const char *id, const char *file)
{
	char path[160];
	json_t *out;
	snprintf(path, sizeof(path), "/api/v1/hunts/%.40s/rules", id);
	int st = client_call(cl, "GET", path, NULL, -1, &out);
	if (st != 200)
		return st < 0 ? 1 : client_problem(st, out);
	int rc = 0;
	if (file) {
		if (json_dump_file(out, file, JSON_INDENT(1)) != 0) {
			cli_errorf(MSG_IO, file);
			rc = 1;
		}
	} else {
		cli_print_json(out);
	}
	json_decref(out);
	return rc;
}

static int upload(const struct client *cl, struct cli_args *a, int json)
{
	const char *id = a->pos[1], *file = a->pos[2], *host = cli_get(a, opts, "hostname"),
		   *org = cli_get(a, opts, "org");
	if (host == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--hostname");
		return EXIT_USAGE;
	}
	struct err e = { 0 };
	size_t n;
	char *data = cli_read_file(file, &n, &e);
	if (data == NULL) {
		cli_error(&e);
		return 1;
	}
	char *h = escaped(host), *o = org ? escaped(org) : NULL, *f = escaped(file);
	char path[1024];
	snprintf(path, sizeof(path), "/api/v1/hunts/%.40s/results?hostname=%s&name=%s%s%s", id,
		 h ? h : "", f ? f : "", o ? "&org=" : "", o ? o : "");
	free(h);
	free(o);
	free(f);
	json_t *out;
	int st = client_send(cl, "POST", path, "application/x-ndjson", data, n, NULL, &out);
	free(data);
	if (st != 201)
		return st < 0 ? 1 : client_problem(st, out);
	if (json) {
		cli_print_json(out);
	} else {
		json_t *inc = json_object_get(out, "incident");
		if (!json_is_object(inc))
			inc = NULL;
		printf(cli_lang() == LANG_EN ? "sent: %lld hits, %lld not in the hunt's set%s%s\n"
		       : "đã gửi: %lld kết quả, %lld không thuộc bộ chỉ dấu%s%s\n",
		       (long long)json_integer_value(json_object_get(out, "hits")),
		       (long long)json_integer_value(json_object_get(out, "unknown")),
		       inc ? (cli_lang() == LANG_EN ? "; incident " : "; sự cố ") : "",
		       inc ? json_string_value(json_object_get(inc, "number")) : "");
	}
	json_decref(out);
	return 0;
}

int cmd_hunt(int argc, char **argv)
{
	struct cli_args a;
	int rc = cli_parse(argc, argv, opts,
		"ungcuu hunt list | show ID | rules ID [--out FILE] | upload ID FILE --hostname H [--org CODE]",
		"Săn tìm mối nguy (ít nhất 6 tháng một lần) qua API.\n"
		"  list    các đợt săn tìm bạn thấy\n"
		"  show    một đợt: đơn vị đã chạy, số máy, kết quả\n"
		"  rules   bộ chỉ dấu của đợt (gói STIX 2.1) cho `ungcuu sweep --rules`\n"
		"  upload  gửi kết quả `ungcuu sweep --json` của một máy",
		"Threat hunts (at least every six months) through the API.\n"
		"  list    the hunts you see\n"
		"  show    one hunt: which targets ran it, on how many hosts, what they found\n"
		"  rules   the hunt's indicator set (a STIX 2.1 bundle) for `ungcuu sweep --rules`\n"
		"  upload  send one host's `ungcuu sweep --json` output", &a);
	if (rc)
		return rc == 1 ? 0 : rc;
	struct client cl = client_from_args(&a, opts);
	int json = cli_get(&a, opts, "json") != NULL;
	const char *verb = a.npos ? a.pos[0] : "";
	char path[160];
	if (!client_has_token(&cl)) {
		rc = EXIT_USAGE;
	} else if (strcmp(verb, "list") == 0 && a.npos == 1) {
		rc = show(&cl, "/api/v1/hunts", json, list_cols);
	} else if (strcmp(verb, "show") == 0 && a.npos == 2) {
		snprintf(path, sizeof(path), "/api/v1/hunts/%.40s", a.pos[1]);
		rc = show(&cl, path, 1, NULL);
	} else if (strcmp(verb, "rules") == 0 && a.npos == 2) {
		rc = rules(&cl, a.pos[1], cli_get(&a, opts, "out"));
	} else if (strcmp(verb, "upload") == 0 && a.npos == 3) {
		rc = upload(&cl, &a, json);
	} else {
		cli_errorf(a.npos ? MSG_UNKNOWN_COMMAND : MSG_MISSING_ARG,
			   a.npos ? verb : "list|show|rules|upload");
		rc = EXIT_USAGE;
	}
	cli_args_release(&a);
	return rc;
}
