/*
 * sync_run.c - `ungcuu sync run [--peer NAME]`: one round of the exchange
 * with each peer that has a URL (or the one named), by hand, through the
 * same sync_round the loop of `ungcuu serve` runs. A failed round is tried
 * again after 1 s, 2 s, 4 s ... (--retries, default 3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../base/limits.h"
#include "../base/msg.h"
#include "../domain/directory/audit.h"
#include "../store/store.h"
#include "../sync/sync.h"
#include "../base/banned.h"

static const struct cli_opt opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu (mặc định var/ungcuu.db)", "database file (default var/ungcuu.db)" },
	{ "peer", 1, "chỉ trao đổi với hệ thống ngang hàng tên này", "only the peer of this name" },
	{ "retries", 1, "số lần thử lại khi lỗi (0..10, mặc định 3)", "retries after a failure (0..10, default 3)" },
	{ "ca-file", 1, "tệp PEM các CA tin cậy cho HTTPS của hệ thống ngang hàng", "PEM file of the CAs trusted for the peers' HTTPS" },
	{ "batch", 1, "số gói tin mỗi yêu cầu (1..500, mặc định 200)", "envelopes per request (1..500, default 200)" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

/* A whole number lo..hi, or -1. */
static long number(const char *v, long lo, long hi)
{
	char *end;
	long n = strtol(v, &end, 10);
	return end != v && *end == '\0' && n >= lo && n <= hi ? n : -1;
}

static int one_peer(struct ctx *c, const struct sync_net *net, const struct sync_peer *p,
		    int retries, json_t *report)
{
	struct sync_round_result r;
	struct err e = { 0 };
	int rc = -1, tries = 0;
	unsigned wait = 1;
	for (;;) {
		memset(&e, 0, sizeof(e));
		tries++;
		rc = sync_round(c, net, p, &r, &e);
		if (rc == 0 || tries > retries || e.code != E_IO)
			break;
		sleep(wait);
		wait *= 2;
	}
	json_t *row = json_pack("{s:s,s:s,s:b,s:i,s:I,s:I,s:I,s:I,s:I}", "peer", p->name, "url",
				p->url, "ok", rc == 0, "tries", tries, "pushed", (json_int_t)r.pushed,
				"pulled", (json_int_t)r.pulled, "refused", (json_int_t)r.refused,
				"sent_acked", (json_int_t)r.sent_acked, "received_acked",
				(json_int_t)r.recv_acked);
	if (rc != 0) {
		char why[400];
		json_object_set_new(row, "error", json_string(err_text(&e, cli_lang(), why,
								      sizeof(why))));
	}
	json_array_append_new(report, row);
	return rc;
}

int cmd_sync_run(int argc, char **argv)
{
	struct cli_args a;
	int rc = cli_parse(argc, argv, opts, "ungcuu sync run [--db PATH] [--peer NAME] [--retries N]",
		"Trao đổi một lượt với các hệ thống ngang hàng có URL (cấp trên/cấp dưới): gửi "
		"các gói tin đang chờ, nhận các gói tin cho mình, xác nhận theo số thứ tự. Lỗi mạng "
		"thì thử lại sau 1 s, 2 s, 4 s...; lượt sau tiếp tục từ số đã xác nhận.",
		"One round of the exchange with the peers that have a URL: send the waiting "
		"envelopes, receive those for us, acknowledge by sequence number. A network "
		"failure is retried after 1 s, 2 s, 4 s...; the next round resumes from what was "
		"acknowledged.",
		&a);
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *path = cli_get(&a, opts, "db"), *v;
	if (path == NULL)
		path = "var/ungcuu.db";
	long retries = 3, batch = LIMIT_SYNC_BATCH_DEFAULT;
	if ((v = cli_get(&a, opts, "retries")) && (retries = number(v, 0, 10)) < 0) {
		cli_errorf(MSG_BAD_VALUE, v);
		cli_args_release(&a);
		return EXIT_USAGE;
	}
	if ((v = cli_get(&a, opts, "batch")) && (batch = number(v, 1, LIMIT_SYNC_BATCH)) < 0) {
		cli_errorf(MSG_BAD_VALUE, v);
		cli_args_release(&a);
		return EXIT_USAGE;
	}
	if (a.npos > 0) {
		cli_errorf(MSG_BAD_VALUE, a.pos[0]);
		cli_args_release(&a);
		return EXIT_USAGE;
	}
	audit_setup(NULL);
	struct store *db = cli_open_db(path, 1);
	if (db == NULL) {
		cli_args_release(&a);
		return 1;
	}
	struct rules rules;
	struct actor sys;
	cli_rules(&rules);
	actor_system(&sys);
	struct ctx c = { .db = db, .rules = &rules, .actor = &sys, .lang = cli_lang() };
	struct sync_net net = { .db_path = path, .ca_file = cli_get(&a, opts, "ca-file"),
				.timeout_s = 60, .batch = (unsigned)batch };
	json_t *report = json_array();
	struct err e = { 0 };
	int failed = 0, ran = 0;
	const char *want = cli_get(&a, opts, "peer");
	if (want) {
		struct sync_peer p;
		int f = sync_peer_by_name(&c, want, &p, &e);
		if (f != 0) {
			if (f > 0)
				err_set(&e, E_NOTFOUND, MSG_SYNC_NO_PEER, want);
			cli_error(&e);
			failed = 1;
		} else if (p.url[0] == '\0') {
			cli_errorf(MSG_SYNC_NO_URL, p.name);
			failed = 1;
		} else {
			ran++;
			failed |= one_peer(&c, &net, &p, (int)retries, report) != 0;
		}
	} else {
		static const int rel[] = { SYNC_PARENT, SYNC_CHILD };
		for (size_t r = 0; r < 2 && !failed; r++) {
			struct sync_peer *all = NULL;
			size_t n = 0;
			if (sync_peers(&c, rel[r], &all, &n, &e) != 0) {
				cli_error(&e);
				failed = 1;
				break;
			}
			for (size_t i = 0; i < n; i++) {
				if (all[i].url[0] == '\0')
					continue;
				ran++;
				failed |= one_peer(&c, &net, &all[i], (int)retries, report) != 0;
			}
			free(all);
		}
	}
	if (cli_get(&a, opts, "json")) {
		cli_print_json(report);
	} else {
		int en = cli_lang() == LANG_EN;
		size_t i;
		json_t *row;
		json_array_foreach(report, i, row) {
			if (json_is_true(json_object_get(row, "ok")))
				printf(en ? "%s: %lld sent, %lld received, %lld refused "
					    "(acknowledged: ours to %lld, theirs to %lld)\n"
					  : "%s: gửi %lld, nhận %lld, từ chối %lld "
					    "(đã xác nhận: của mình đến %lld, của họ đến %lld)\n",
				       json_string_value(json_object_get(row, "peer")),
				       (long long)json_integer_value(json_object_get(row, "pushed")),
				       (long long)json_integer_value(json_object_get(row, "pulled")),
				       (long long)json_integer_value(json_object_get(row, "refused")),
				       (long long)json_integer_value(json_object_get(row, "sent_acked")),
				       (long long)json_integer_value(json_object_get(row, "received_acked")));
			else
				fprintf(stderr, "ungcuu: %s: %s\n",
					json_string_value(json_object_get(row, "peer")),
					json_string_value(json_object_get(row, "error")));
		}
		if (ran == 0 && !failed)
			printf(en ? "no peer with a URL: nothing to do (bundles: ungcuu sync export)\n"
				  : "không có hệ thống ngang hàng nào có URL: không có gì để làm "
				    "(gói tin USB: ungcuu sync export)\n");
	}
	json_decref(report);
	store_close(db);
	cli_args_release(&a);
	return failed ? 1 : 0;
}

static const struct cli_opt ping_opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu (mặc định var/ungcuu.db)", "database file (default var/ungcuu.db)" },
	{ "peer", 1, "tên hệ thống ngang hàng nhận", "the peer to send to" },
	{ "count", 1, "số gói tin (1..1000000, mặc định 1)", "how many envelopes (1..1000000, default 1)" },
	{ "from", 1, "số của gói tin đầu (mặc định 1)", "the first one's number (default 1)" },
	{ NULL, 0, NULL, NULL },
};

/* `ungcuu sync ping`: queues N envelopes of the kind "ping" ({"n": k}) for
 * a peer, each in its own transaction as a real change would be: what the
 * end-to-end test and the bench stream through the link. */
int cmd_sync_ping(int argc, char **argv)
{
	struct cli_args a;
	int rc = cli_parse(argc, argv, ping_opts, "ungcuu sync ping --peer NAME [--count N] [--from K]",
		"Xếp hàng N gói tin thử (loại \"ping\", nội dung {\"n\": k}) gửi hệ thống ngang hàng, "
		"mỗi gói trong một giao dịch: để kiểm tra đường truyền.",
		"Queue N test envelopes (kind \"ping\", payload {\"n\": k}) for a peer, each in "
		"its own transaction: to check the link.",
		&a);
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *path = cli_get(&a, ping_opts, "db"), *v, *name = cli_get(&a, ping_opts, "peer");
	long count = 1, from = 1;
	if (path == NULL)
		path = "var/ungcuu.db";
	if (name == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--peer");
		cli_args_release(&a);
		return EXIT_USAGE;
	}
	if (((v = cli_get(&a, ping_opts, "count")) && (count = number(v, 1, 1000000)) < 0) ||
	    ((v = cli_get(&a, ping_opts, "from")) && (from = number(v, 1, 1000000000L)) < 0)) {
		cli_errorf(MSG_BAD_VALUE, v);
		cli_args_release(&a);
		return EXIT_USAGE;
	}
	audit_setup(NULL);
	struct store *db = cli_open_db(path, 1);
	if (db == NULL) {
		cli_args_release(&a);
		return 1;
	}
	struct rules rules;
	struct actor sys;
	cli_rules(&rules);
	actor_system(&sys);
	struct ctx c = { .db = db, .rules = &rules, .actor = &sys, .lang = cli_lang() };
	struct err e = { 0 };
	struct sync_peer p;
	int f = sync_peer_by_name(&c, name, &p, &e);
	if (f > 0)
		err_set(&e, E_NOTFOUND, MSG_SYNC_NO_PEER, name);
	rc = f != 0;
	for (long i = 0; i < count && rc == 0; i++) {
		json_t *payload = json_pack("{s:I}", "n", (json_int_t)(from + i));
		if (store_begin(db, &e) != 0 || sync_emit(&c, &p, "ping", payload, NULL, &e) != 0 ||
		    store_commit(db, &e) != 0) {
			store_rollback(db);
			rc = 1;
		}
		json_decref(payload);
	}
	if (rc)
		cli_error(&e);
	store_close(db);
	cli_args_release(&a);
	return rc;
}

/* `ungcuu sync SUBCOMMAND`: the transport's `run` here; the core's
 * subcommands (status, export, import) join this table. */
int cmd_sync(int argc, char **argv)
{
	static const struct { const char *name; int (*fn)(int, char **); } subs[] = {
		{ "run", cmd_sync_run },
		{ "ping", cmd_sync_ping },
	};
	int en = cli_lang() == LANG_EN;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		printf(en ? "usage: ungcuu sync SUBCOMMAND [--help]\n\n"
			    "  run     one round with the peers that have a URL\n"
			    "  ping    queue test envelopes for a peer\n"
			  : "cách dùng: ungcuu sync LỆNH-CON [--help]\n\n"
			    "  run     trao đổi một lượt với các hệ thống ngang hàng có URL\n"
			    "  ping    xếp hàng gói tin thử gửi một hệ thống ngang hàng\n");
		return argc < 2 ? EXIT_USAGE : 0;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(subs[i].name, argv[1]) == 0)
			return subs[i].fn(argc - 1, argv + 1);
	cli_errorf(MSG_UNKNOWN_COMMAND, argv[1]);
	return EXIT_USAGE;
}
