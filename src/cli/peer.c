/*
 * peer.c - `ungcuu peer add|list|remove|show`: the instances this one
 * exchanges envelopes with (issue 16), and this instance's own key and
 * fingerprint to read to the other side's administrator on the phone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "instance.h"
#include "../base/jsonv.h"
#include "../base/msg.h"
#include "../sync/sync.h"
#include "../base/banned.h"

static const struct cli_opt add_opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu", "the database file" },
	{ "name", 1, "tên ngắn của máy ngang hàng (chữ thường, số, - _ .)", "the peer's short name (lowercase, digits, - _ .)" },
	{ "url", 1, "địa chỉ HTTPS của máy ngang hàng (bỏ trống: chỉ trao đổi bằng tệp)", "the peer's HTTPS address (none: files only)" },
	{ "key", 1, "khóa công khai Ed25519 của máy ngang hàng (64 chữ số hex, `ungcuu peer show` bên đó)", "the peer's Ed25519 public key (64 hex digits, `ungcuu peer show` there)" },
	{ "relation", 1, "parent (cấp trên) hoặc child (cấp dưới)", "parent (above us) or child (below us)" },
	{ "orgs", 1, "mã các tổ chức máy đó quản lý, cách nhau bởi dấu phẩy", "codes of the organisations it hosts, comma-separated" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt list_opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu", "the database file" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt remove_opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu", "the database file" },
	{ "name", 1, "tên máy ngang hàng", "the peer's name" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

static int add_fn(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json)
{
	const char *name = cli_get(a, o, "name"), *key = cli_get(a, o, "key"),
		   *rel = cli_get(a, o, "relation"), *url = cli_get(a, o, "url"),
		   *orgs = cli_get(a, o, "orgs");
	if (name == NULL || key == NULL || rel == NULL) {
		cli_errorf(MSG_MISSING_OPTION, name == NULL ? "--name" : key == NULL ? "--key"
									: "--relation");
		return EXIT_USAGE;
	}
	json_t *body = json_pack("{s:s, s:s, s:s, s:[]}", "name", name, "public_key", key,
				 "relation", rel, "orgs");
	if (url)
		json_object_set_new(body, "url", json_string(url));
	if (orgs) {
		char *copy = strdup(orgs), *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (*t)
				json_array_append_new(json_object_get(body, "orgs"), json_string(t));
		free(copy);
	}
	struct err e = { 0 };
	char id[UUID_LEN];
	int rc = sync_peer_add(c, body, id, &e);
	json_decref(body);
	if (rc != 0) {
		cli_error(&e);
		return 1;
	}
	struct sync_peer p;
	if (sync_peer_get(c, id, &p, &e) != 0) {
		cli_error(&e);
		return 1;
	}
	char fp[SYNC_FINGERPRINT_LEN];
	sync_fingerprint(p.instance, fp);
	if (json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "name", p.name, "instance",
				      p.instance, "fingerprint", fp);
		cli_print_json(j);
		json_decref(j);
	} else {
		int en = cli_lang() == LANG_EN;
		printf(en ? "Peer %s added. Check its fingerprint with its administrator: %s\n"
			  : "Đã thêm máy ngang hàng %s. Hãy đọc đối chiếu dấu vân tay với quản trị bên đó: %s\n",
		       p.name, fp);
	}
	return 0;
}

static int list_fn(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json)
{
	(void)a, (void)o;
	struct err e = { 0 };
	json_t *l = sync_peer_list(c, &e);
	if (l == NULL) {
		cli_error(&e);
		return 1;
	}
	if (json) {
		cli_print_json(l);
	} else {
		static const char *const cols[] = { "name", "relation", "fingerprint", "url", NULL };
		static const char *const vi[] = { "TÊN", "QUAN HỆ", "DẤU VÂN TAY", "ĐỊA CHỈ", NULL };
		static const char *const en[] = { "NAME", "RELATION", "FINGERPRINT", "URL", NULL };
		cli_print_table(json_object_get(l, "items"), cols, cli_lang() == LANG_EN ? en : vi);
	}
	json_decref(l);
	return 0;
}

static int remove_fn(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json)
{
	const char *name = cli_get(a, o, "name");
	if (name == NULL && a->npos > 0)
		name = a->pos[0];
	if (name == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--name");
		return EXIT_USAGE;
	}
	struct err e = { 0 };
	if (sync_peer_remove(c, name, &e) != 0) {
		cli_error(&e);
		return 1;
	}
	if (json)
		printf("{\"removed\": true}\n");
	else
		printf(cli_lang() == LANG_EN ? "Peer %s removed.\n" : "Đã xóa máy ngang hàng %s.\n", name);
	return 0;
}

static int show_fn(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json)
{
	(void)a, (void)o;
	struct err e = { 0 };
	json_t *s = sync_self(c, &e);
	if (s == NULL) {
		cli_error(&e);
		return 1;
	}
	if (json) {
		cli_print_json(s);
	} else if (cli_lang() == LANG_EN) {
		printf("Instance id:  %s\nPublic key:   %s\nFingerprint:  %s\n\n"
		       "Give the public key to the other instance's administrator (`ungcuu peer add "
		       "--key ...`), then read the fingerprint to each other on the phone: "
		       "8 groups of 4 hex digits must match.\n",
		       jv_str(s, "instance"), jv_str(s, "public_key"), jv_str(s, "fingerprint"));
	} else {
		printf("Mã hệ thống:    %s\nKhóa công khai: %s\nDấu vân tay:    %s\n\n"
		       "Gửi khóa công khai cho quản trị hệ thống bên kia (`ungcuu peer add --key ...`), "
		       "rồi đọc dấu vân tay cho nhau qua điện thoại: 8 nhóm, mỗi nhóm 4 chữ số hex, "
		       "phải trùng khớp.\n",
		       jv_str(s, "instance"), jv_str(s, "public_key"), jv_str(s, "fingerprint"));
	}
	json_decref(s);
	return 0;
}

static const struct cli_verb cmds[] = {
	{ "add", add_fn, add_opts,
	  "ungcuu peer add --db PATH --name NAME --key PUBKEY --relation parent|child [--url URL] [--orgs CODE,CODE]",
	  "Đăng ký một hệ thống ungcuu khác (cấp trên hoặc cấp dưới) để trao đổi phong bì có chữ ký.",
	  "Register another ungcuu instance (above or below) to exchange signed envelopes with." },
	{ "list", list_fn, list_opts, "ungcuu peer list --db PATH [--json]",
	  "Liệt kê các máy ngang hàng và dấu vân tay khóa của chúng.",
	  "List the peers and their key fingerprints." },
	{ "remove", remove_fn, remove_opts, "ungcuu peer remove --db PATH --name NAME",
	  "Xóa một máy ngang hàng cùng hàng đợi phong bì của nó.",
	  "Remove a peer and its queue of envelopes." },
	{ "show", show_fn, list_opts, "ungcuu peer show --db PATH [--json]",
	  "In khóa công khai và dấu vân tay của hệ thống này (để đọc đối chiếu qua điện thoại).",
	  "Print this instance's public key and fingerprint (to read out on the phone)." },
};

int cmd_peer(int argc, char **argv)
{
	return cli_run_verbs("peer", cmds, sizeof(cmds) / sizeof(cmds[0]), argc, argv);
}
