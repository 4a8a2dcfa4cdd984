/*
 * sync.c - `ungcuu sync export|import|status|ping`: envelopes carried by
 * file between instances (issue 16) and the state of every peer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "instance.h"
#include "../base/jsonv.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../sync/sync.h"
#include "../sync/kinds_test.h"
#include "../base/banned.h"

static const struct cli_opt export_opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu", "the database file" },
	{ "peer", 1, "tên máy ngang hàng nhận gói", "the name of the peer the bundle is for" },
	{ "out", 1, "tệp gói sẽ ghi", "the bundle file to write" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt import_opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu", "the database file" },
	{ "ack-out", 1, "ghi gói xác nhận để mang về bên gửi", "write the acknowledgement bundle to carry back" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt status_opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu", "the database file" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

static const struct cli_opt ping_opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu", "the database file" },
	{ "peer", 1, "tên máy ngang hàng", "the peer's name" },
	{ "count", 1, "số phong bì ping (mặc định 1, tối đa 1000)", "how many ping envelopes (default 1, at most 1000)" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

/* Writes data to path through a temporary file and a rename: a bundle is
 * whole or absent. */
static int write_file(const char *path, const char *data, size_t n, struct err *e)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(tmp))
		return err_set(e, E_IO, MSG_IO, path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return err_set(e, E_IO, MSG_IO, path);
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(fd, data + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	int ok = off == n && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return err_set(e, E_IO, MSG_IO, path);
	}
	return 0;
}

static int export_fn(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json)
{
	const char *name = cli_get(a, o, "peer"), *out = cli_get(a, o, "out");
	if (name == NULL || out == NULL) {
		cli_errorf(MSG_MISSING_OPTION, name == NULL ? "--peer" : "--out");
		return EXIT_USAGE;
	}
	struct err e = { 0 };
	struct sync_peer p;
	char *data = NULL;
	size_t n = 0, count = 0;
	if (sync_peer_find(c, name, &p, &e) != 0 ||
	    sync_bundle_export(c, p.id, &data, &n, &count, &e) != 0 ||
	    write_file(out, data, n, &e) != 0) {
		free(data);
		cli_error(&e);
		return 1;
	}
	free(data);
	if (json)
		printf("{\"peer\": \"%s\", \"envelopes\": %zu, \"bytes\": %zu}\n", p.name, count, n);
	else
		printf(cli_lang() == LANG_EN ? "%zu envelope(s) for %s sealed into %s (%zu bytes).\n"
					     : "Đã niêm phong %zu phong bì cho %s vào %s (%zu byte).\n",
		       count, p.name, out, n);
	return 0;
}

static int import_fn(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json)
{
	const char *path = a->npos > 0 ? a->pos[0] : NULL, *ack_out = cli_get(a, o, "ack-out");
	if (path == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "FILE");
		return EXIT_USAGE;
	}
	struct err e = { 0 };
	struct stat sb;
	if (stat(path, &sb) == 0 && sb.st_size > SYNC_BUNDLE_BYTES) {
		char num[24];
		snprintf(num, sizeof(num), "%d", SYNC_BUNDLE_BYTES);
		cli_errorf(MSG_TOO_LARGE, num);
		return 1;
	}
	size_t n;
	char *data = cli_read_file(path, &n, &e);
	if (data == NULL) {
		cli_error(&e);
		return 1;
	}
	/* h/fed-compat: what an older version kept, applied first if this one
	 * knows its kind (as `sync run` and `serve` do) */
	struct sync_kept_result kept;
	if (sync_kept_apply(c, NULL, &kept, &e) != 0) {
		free(data);
		cli_error(&e);
		return 1;
	}
	json_t *res = NULL;
	char peer_id[UUID_LEN];
	int rc = sync_bundle_import(c, data, n, &res, peer_id, &e);
	free(data);
	if (rc != 0) {
		cli_error(&e);
		return 1;
	}
	if (ack_out) {
		char *ack = NULL;
		size_t an = 0;
		if (sync_bundle_ack(c, peer_id, &ack, &an, &e) != 0 ||
		    write_file(ack_out, ack, an, &e) != 0) {
			free(ack);
			json_decref(res);
			cli_error(&e);
			return 1;
		}
		free(ack);
	}
	json_t *refused = json_object_get(res, "refused");
	if (json) {
		cli_print_json(res);
	} else {
		int en = cli_lang() == LANG_EN;
		printf(en ? "From %s: %lld envelope(s), %lld applied, %zu refused; now applied up to "
			    "%lld; it has our envelopes up to %lld.\n"
			  : "Từ %s: %lld phong bì, áp dụng %lld, từ chối %zu; đã áp dụng đến số %lld; "
			    "bên đó đã nhận phong bì của ta đến số %lld.\n",
		       jv_str(res, "peer"), jv_int(res, "envelopes", 0), jv_int(res, "applied", 0),
		       json_array_size(refused), jv_int(res, "acked", 0),
		       jv_int(res, "acknowledged", 0));
		size_t i;
		json_t *r;
		json_array_foreach(refused, i, r)
			printf("  #%lld %s: %s\n", jv_int(r, "seq", 0), jv_str(r, "reason"),
			       jv_str(r, "message"));
		if (ack_out)
			printf(en ? "Acknowledgement written to %s: carry it back.\n"
				  : "Đã ghi gói xác nhận vào %s: hãy mang về bên gửi.\n", ack_out);
	}
	json_decref(res);
	return 0;
}

static void print_time(const json_t *v)
{
	char t[TIME_RFC3339_LEN];
	int64_t ms;
	if (json_is_string(v) && time_parse(json_string_value(v), &ms) == 0)
		printf("%s", time_format_human(ms, t));
	else
		printf("-");
}

static int status_fn(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json)
{
	(void)a, (void)o;
	struct err e = { 0 };
	json_t *s = sync_status(c, &e);
	if (s == NULL) {
		cli_error(&e);
		return 1;
	}
	if (json) {
		cli_print_json(s);
		json_decref(s);
		return 0;
	}
	int en = cli_lang() == LANG_EN;
	printf("%s: %s\n", en ? "This instance" : "Hệ thống này", jv_str(s, "fingerprint"));
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(s, "peers"), i, p) {
		printf("\n%s (%s)\n  %s: ", jv_str(p, "name"),
		       strcmp(jv_str(p, "relation"), "parent") == 0 ? (en ? "parent" : "cấp trên")
								      : (en ? "child" : "cấp dưới"),
		       en ? "last contact" : "liên lạc lần cuối");
		print_time(json_object_get(p, "last_contact_at"));
		printf(en ? "\n  to send: %lld waiting (queued %lld, acknowledged %lld), oldest "
			  : "\n  chờ gửi: %lld phong bì (đã xếp %lld, đã xác nhận %lld), cũ nhất ",
		       jv_int(p, "out_waiting", 0), jv_int(p, "out_queued", 0),
		       jv_int(p, "out_acked", 0));
		print_time(json_object_get(p, "out_oldest_at"));
		printf(en ? "\n  received: applied up to %lld, %lld waiting for missing ones\n"
			  : "\n  đã nhận: áp dụng đến số %lld, %lld chờ phong bì còn thiếu\n",
		       jv_int(p, "in_applied", 0), jv_int(p, "in_waiting", 0));
		printf(en ? "  refused: %lld" : "  từ chối: %lld", jv_int(p, "refused", 0));
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(p, "refused_by_reason"), k, v)
			printf(" %s=%lld", k, (long long)json_integer_value(v));
		printf("\n");
		if (jv_str(p, "last_error")) {
			printf(en ? "  last error (" : "  lỗi gần nhất (");
			print_time(json_object_get(p, "last_error_at"));
			printf("): %s\n", jv_str(p, "last_error"));
		}
		if (jv_int(p, "kept_waiting", 0) || jv_int(p, "kept_applied", 0)) {
			printf(en ? "  kept until this instance is upgraded (kinds it does not know): "
				    "%lld waiting (%lld bytes), %lld failed, %lld applied since\n"
				  : "  giữ lại đến khi nâng cấp (loại chưa biết): %lld chờ (%lld byte), "
				    "%lld lỗi, %lld đã áp dụng\n",
			       jv_int(p, "kept_waiting", 0), jv_int(p, "kept_bytes", 0),
			       jv_int(p, "kept_failed", 0), jv_int(p, "kept_applied", 0));
			size_t j;
			json_t *kp;
			json_array_foreach(json_object_get(p, "kept"), j, kp) {
				printf("    #%lld %s", jv_int(kp, "seq", 0), jv_str(kp, "kind"));
				if (jv_str(kp, "error"))
					printf(": %s", jv_str(kp, "error"));
				printf("\n");
			}
		}
		printf("  ping: %lld\n", jv_int(p, "pings", 0));
	}
	if (jv_int(s, "unknown_refused", 0))
		printf(en ? "\nRefused from unknown instances: %lld\n"
			  : "\nTừ chối từ hệ thống chưa đăng ký: %lld\n", jv_int(s, "unknown_refused", 0));
	json_decref(s);
	return 0;
}

static int ping_fn(struct ctx *c, const struct cli_args *a, const struct cli_opt *o, int json)
{
	const char *name = cli_get(a, o, "peer"), *cs = cli_get(a, o, "count");
	if (name == NULL) {
		cli_errorf(MSG_MISSING_OPTION, "--peer");
		return EXIT_USAGE;
	}
	char *end = NULL;
	long count = cs ? strtol(cs, &end, 10) : 1;
	if (cs && (*end || count < 1 || count > 1000)) {
		cli_errorf(MSG_BAD_VALUE, cs);
		return EXIT_USAGE;
	}
	struct err e = { 0 };
	struct sync_peer p;
	if (sync_peer_find(c, name, &p, &e) != 0 || store_begin(c->db, &e) != 0) {
		cli_error(&e);
		return 1;
	}
	const char *kind = SYNC_KIND_PING;
#ifdef UNGCUU_TEST_HOOKS
	/* test builds only: envelopes of the kind UNGCUU_TEST_KIND names */
	if (sync_test_kind())
		kind = sync_test_kind();
#endif
	for (long i = 0; i < count; i++) {
		json_t *payload = json_pack("{s:I}", "n", (json_int_t)(i + 1));
		int rc = sync_emit(c, &p, kind, payload, NULL, &e);
		json_decref(payload);
		if (rc != 0) {
			store_rollback(c->db);
			cli_error(&e);
			return 1;
		}
	}
	if (store_commit(c->db, &e) != 0) {
		cli_error(&e);
		return 1;
	}
	if (json)
		printf("{\"queued\": %ld}\n", count);
	else
		printf(cli_lang() == LANG_EN ? "%ld ping(s) queued for %s.\n"
					     : "Đã xếp %ld phong bì ping cho %s.\n", count, p.name);
	return 0;
}

static const struct cli_verb cmds[] = {
	{ "export", export_fn, export_opts, "ungcuu sync export --db PATH --peer NAME --out FILE",
	  "Niêm phong mọi phong bì chưa được xác nhận cho một máy ngang hàng vào một tệp (mang bằng USB, thư).",
	  "Seal every unacknowledged envelope for a peer into one file (carried by USB stick, mail)." },
	{ "import", import_fn, import_opts, "ungcuu sync import --db PATH FILE [--ack-out FILE]",
	  "Mở, kiểm tra và áp dụng một gói từ máy ngang hàng; ghi gói xác nhận để mang về.",
	  "Open, check and apply a bundle from a peer; write the acknowledgement to carry back." },
	{ "status", status_fn, status_opts, "ungcuu sync status --db PATH [--json]",
	  "Tình trạng trao đổi với từng máy ngang hàng: liên lạc cuối, phong bì chờ, lỗi, từ chối.",
	  "The exchange with each peer: last contact, envelopes waiting, errors, refusals." },
	{ "run", sync_cli_run, sync_run_opts,
	  "ungcuu sync run --db PATH [--peer NAME] [--retries N] [--batch N] [--ca-file PEM] [--json]",
	  "Trao đổi một lượt qua mạng với các máy ngang hàng có URL: gửi phong bì đang chờ, nhận "
	  "phong bì cho mình, xác nhận theo số thứ tự; lỗi mạng thì thử lại sau 1 s, 2 s, 4 s. "
	  "Trước đó áp dụng các phong bì đã giữ lại vì phiên bản cũ chưa biết loại của chúng.",
	  "One round over the network with the peers that have a URL: send the waiting envelopes, "
	  "receive those for us, acknowledge by seq; a network failure is retried after 1 s, 2 s, 4 s. "
	  "First applies the envelopes kept because an older version did not know their kind." },
	{ "ping", ping_fn, ping_opts, "ungcuu sync ping --db PATH --peer NAME [--count N]",
	  "Xếp phong bì thử (ping) cho một máy ngang hàng để kiểm tra đường trao đổi.",
	  "Queue test envelopes (ping) for a peer to check the exchange." },
};

int cmd_sync(int argc, char **argv)
{
	return cli_run_verbs("sync", cmds, sizeof(cmds) / sizeof(cmds[0]), argc, argv);
}
