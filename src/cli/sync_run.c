/*
 * sync_run.c - `ungcuu sync run --db PATH [--peer NAME]` (a verb of
 * cli/sync.c's table): one round of the exchange with each peer that has a
 * URL (or the one named), by hand, through the same sync_round the loop of
 * `ungcuu serve` runs. A failed round is tried
 * again after 1 s, 2 s, 4 s ... (--retries, default 3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../base/limits.h"
#include "../base/msg.h"
#include "../sync/sync.h"
#include "../base/banned.h"

const struct cli_opt sync_run_opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu", "the database file" },
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

int sync_cli_run(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json)
{
	const char *v;
	long retries = 3, batch = LIMIT_SYNC_BATCH_DEFAULT;
	if ((v = cli_get(a, o, "retries")) && (retries = number(v, 0, 10)) < 0) {
		cli_errorf(MSG_BAD_VALUE, v);
		return EXIT_USAGE;
	}
	if ((v = cli_get(a, o, "batch")) && (batch = number(v, 1, LIMIT_SYNC_BATCH)) < 0) {
		cli_errorf(MSG_BAD_VALUE, v);
		return EXIT_USAGE;
	}
	if (a->npos > 0) {
		cli_errorf(MSG_BAD_VALUE, a->pos[0]);
		return EXIT_USAGE;
	}
	struct sync_net net = { .db_path = cli_get(a, o, "db"), .ca_file = cli_get(a, o, "ca-file"),
				.timeout_s = 60, .batch = (unsigned)batch };
	json_t *report = json_array();
	struct err e = { 0 };
	int failed = 0, ran = 0;
	/* h/fed-compat: envelopes kept because this version did not know
	 * their kind, applied now if it does (after an upgrade), before the
	 * round brings newer ones */
	struct sync_kept_result kept;
	if (sync_kept_apply(c, NULL, &kept, &e) != 0) {
		cli_error(&e);
		json_decref(report);
		return 1;
	}
	const char *want = cli_get(a, o, "peer");
	if (want) {
		struct sync_peer p;
		if (sync_peer_find(c, want, &p, &e) != 0) {
			cli_error(&e);
			failed = 1;
		} else if (p.url[0] == '\0') {
			cli_errorf(MSG_SYNC_NO_URL, p.name);
			failed = 1;
		} else {
			ran++;
			failed |= one_peer(c, &net, &p, (int)retries, report) != 0;
		}
	} else {
		static const int rel[] = { SYNC_PARENT, SYNC_CHILD };
		for (size_t r = 0; r < 2 && !failed; r++) {
			struct sync_peer *all = NULL;
			size_t n = 0;
			if (sync_peers(c, rel[r], &all, &n, &e) != 0) {
				cli_error(&e);
				failed = 1;
				break;
			}
			for (size_t i = 0; i < n; i++) {
				if (all[i].url[0] == '\0')
					continue;
				ran++;
				failed |= one_peer(c, &net, &all[i], (int)retries, report) != 0;
			}
			free(all);
		}
	}
	if (json) {
		/* an array of rounds, as before (sync status --json shows what
		 * is kept) */
		cli_print_json(report);
	} else {
		if (kept.applied || kept.failed)
			printf(cli_lang() == LANG_EN
				       ? "kept envelopes (kinds this version now knows): %lld applied, "
					 "%lld failed (ungcuu sync status shows why)\n"
				       : "phong bì đã giữ lại (loại nay đã biết): áp dụng %lld, lỗi %lld "
					 "(xem lý do: ungcuu sync status)\n",
			       (long long)kept.applied, (long long)kept.failed);
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
	return failed ? 1 : 0;
}
