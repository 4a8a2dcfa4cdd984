/*
 * agent.c - `ungcuu agent enroll|run`: the host agent. Enrolling makes an
 * Ed25519 key pair, registers its public half with the server (with an API
 * token of the organisation's focal point) and keeps the secret half in the
 * state directory (0600). Running collects the inventory (inventory.h) and
 * sends it signed; the server checks the signature before storing anything.
 * Every upload carries the next number of a counter kept in agent.json
 * (written atomically, under a lock) inside the signed bytes: the server
 * refuses a number it has seen (a replay). A state restored from a backup
 * has an old number: re-enrolling (--reenroll, a new key) starts afresh.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "client.h"
#include "../agent/inventory.h"
#include "../agent/sweep.h"
#include "../base/crypto.h"
#include "../base/jsonv.h"
#include "../base/limits.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/banned.h"

static const struct cli_opt opts[] = {
	{ "server", 1, "enroll: địa chỉ máy chủ ungcuu", "enroll: the ungcuu server URL" },
	{ "token", 1, "enroll: mã truy cập API của đầu mối (hoặc UNGCUU_TOKEN)", "enroll: an API token of the focal point (or UNGCUU_TOKEN)" },
	{ "org", 1, "enroll: mã tổ chức của máy (mặc định: của người cấp mã)", "enroll: the host's organisation (default: the token owner's)" },
	{ "hostname", 1, "enroll: tên máy (mặc định: tên máy này)", "enroll: host name (default: this host's)" },
	{ "reenroll", 0, "enroll: thay khóa của máy đã đăng ký (khóa mới, bộ đếm mới)", "enroll: replace the key of a host already enrolled (new key, new counter)" },
	{ "state", 1, "thư mục lưu khóa và cấu hình của agent", "directory for the agent's key and settings" },
	{ "root", 1, "run: gốc hệ thống tệp để kiểm kê (mặc định /)", "run: file system root to inventory (default /)" },
	{ "threads", 1, "hunt: số luồng quét (mặc định: mỗi lõi một luồng)", "hunt: sweep threads (default: one per core)" },
	{ "dry-run", 0, "run: chỉ in bản kiểm kê, không gửi", "run: print the inventory, send nothing" },
	{ "json", 0, "in kết quả dạng JSON", "print the result as JSON" },
	{ NULL, 0, NULL, NULL },
};

static void state_dir(const char *given, char *out, size_t n)
{
	const char *home = getenv("HOME");
	if (given)
		snprintf(out, n, "%s", given);
	else if (geteuid() == 0 || home == NULL)
		snprintf(out, n, "/var/lib/ungcuu-agent");
	else
		snprintf(out, n, "%s/.local/state/ungcuu-agent", home);
}

static int mkdirs(const char *dir)
{
	char tmp[1024];
	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	return mkdir(tmp, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* Writes path whole or not at all: a private temporary file beside it,
 * flushed to disk, then renamed over it; a crash leaves the old file or the
 * new one, never half of one (the counter in agent.json must never go
 * back). */
static int write_private(const char *path, const char *text)
{
	char tmp[1200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t n = strlen(text);
	int ok = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
	ok &= close(fd) == 0;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Takes the state directory's lock (agent.lock): whoever rewrites
 * agent.json holds it, so a timer's run never writes back a file that an
 * enrolment replaced meanwhile. The descriptor, closed to release; -1 with
 * e filled. */
static int state_lock(const char *dir, struct err *e)
{
	char lock[1100];
	snprintf(lock, sizeof(lock), "%s/agent.lock", dir);
	int fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0 && flock(fd, LOCK_EX) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return err_set(e, E_IO, MSG_AGENT_STATE_LOCK, lock);
}

static int enroll(struct cli_args *a, int json)
{
	char dir[1024], path[1100], pk[65], sk[129], host[256] = "";
	struct err e = { 0 };
	struct client cl = { cli_get(a, opts, "server"), cli_get(a, opts, "token") };
	if (cl.token == NULL)
		cl.token = getenv("UNGCUU_TOKEN");
	if (cl.url == NULL || cl.token == NULL) {
		cli_errorf(MSG_MISSING_OPTION, cl.url ? "--token" : "--server");
		return EXIT_USAGE;
	}
	state_dir(cli_get(a, opts, "state"), dir, sizeof(dir));
	const char *hostname = cli_get(a, opts, "hostname");
	if (hostname == NULL) {
		gethostname(host, sizeof(host) - 1);
		hostname = host;
	}
	if (mkdirs(dir) != 0 || ed25519_keypair_hex(pk, sk) != 0) {
		err_set(&e, E_IO, MSG_IO, dir);
		cli_error(&e);
		return 1;
	}
	json_t *body = json_pack("{s:s, s:s}", "hostname", hostname, "public_key", pk), *out;
	if (cli_get(a, opts, "org"))
		json_object_set_new(body, "org_code", json_string(cli_get(a, opts, "org")));
	if (cli_get(a, opts, "reenroll"))
		json_object_set_new(body, "reenroll", json_true());
	int st = client_call(&cl, "POST", "/api/v1/agents/enroll", body, -1, &out);
	json_decref(body);
	if (st != 201) {
		sodium_memzero(sk, sizeof(sk));
		return st < 0 ? 1 : client_problem(st, out);
	}
	/* A new key starts its own count: the server keeps one per key. */
	json_t *conf = json_pack("{s:s, s:s, s:O, s:s, s:i}", "server", cl.url, "public_key", pk,
				 "host_id", json_object_get(out, "id"), "hostname", hostname,
				 "sequence", 0);
	char *text = json_dumps(conf, JSON_INDENT(2));
	int lock = state_lock(dir, &e), bad = lock < 0;
	snprintf(path, sizeof(path), "%s/agent.key", dir);
	bad = bad || write_private(path, sk) != 0;
	snprintf(path, sizeof(path), "%s/agent.json", dir);
	bad = bad || text == NULL || write_private(path, text) != 0;
	if (lock >= 0)
		close(lock);
	sodium_memzero(sk, sizeof(sk));
	free(text);
	if (bad) {
		if (e.code == E_OK)
			err_set(&e, E_IO, MSG_IO, path);
		cli_error(&e);
	} else if (json) {
		cli_print_json(conf);
	} else {
		printf("%s %s (%s)\n", cli_lang() == LANG_EN ? "enrolled" : "đã đăng ký",
		       hostname, json_string_value(json_object_get(out, "id")));
	}
	json_decref(conf);
	json_decref(out);
	return bad;
}

/* Reads the state directory: the settings and the secret key. */
static json_t *load_state(const char *dir, char sk[129], struct err *e)
{
	char path[1100];
	size_t n;
	snprintf(path, sizeof(path), "%s/agent.key", dir);
	char *key = cli_read_file(path, &n, e);
	if (key == NULL)
		return NULL;
	snprintf(sk, 129, "%.128s", key);
	sodium_memzero(key, n);
	free(key);
	snprintf(path, sizeof(path), "%s/agent.json", dir);
	json_error_t je;
	json_t *conf = json_load_file(path, 0, &je);
	if (conf == NULL || jv_str(conf, "server") == NULL) {
		json_decref(conf);
		err_set(e, E_IO, MSG_IO, path);
		return NULL;
	}
	return conf;
}

/* The next upload number: one above the last in agent.json, written back
 * before anything is sent. A number is never used twice, even when the send
 * fails or the agent dies; a skipped one does no harm. The state lock stays
 * held (the descriptor returned, -1 with e filled) until the caller has its
 * answer: the server takes only rising numbers, so two runs at once (`agent
 * run` and `agent hunt` from their timers) must send in the order they
 * counted. */
static int next_sequence(const char *dir, long long *seq, struct err *e)
{
	char path[1100];
	json_error_t je;
	int rc = -1, fd = state_lock(dir, e);
	if (fd < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/agent.json", dir);
	json_t *conf = json_load_file(path, 0, &je);
	json_t *last = json_object_get(conf, "sequence");
	long long n = last ? (long long)json_integer_value(last) : 0;
	if (conf == NULL || (last && !json_is_integer(last)) || n < 0 || n >= LIMIT_AGENT_SEQ) {
		err_set(e, E_IO, MSG_IO, path);
	} else {
		json_object_set_new(conf, "sequence", json_integer((json_int_t)(n + 1)));
		char *text = json_dumps(conf, JSON_INDENT(2));
		if (text == NULL || write_private(path, text) != 0) {
			err_set(e, E_IO, MSG_IO, path);
		} else {
			*seq = n + 1;
			rc = 0;
		}
		free(text);
	}
	json_decref(conf);
	if (rc != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends a signed request: POST signs the body, GET signs "GET PATH TIME". */
static int signed_call(json_t *conf, const char *sk, const char *method, const char *path,
		       const char *body, json_t **out)
{
	char sig[129], hk[128], hs[160], ht[64], msg[300];
	long long now = (long long)time_now_ms();
	const char *data = body ? body : msg;
	size_t n = body ? strlen(body) : (size_t)snprintf(msg, sizeof(msg), "GET %s %lld", path, now);
	if (ed25519_sign_hex(sk, data, n, sig) != 0)
		return -1;
	snprintf(hk, sizeof(hk), "X-Agent-Key: %s", jv_str(conf, "public_key"));
	snprintf(hs, sizeof(hs), "X-Agent-Signature: %s", sig);
	snprintf(ht, sizeof(ht), "X-Agent-Time: %lld", now);
	const char *headers[] = { hk, hs, ht, NULL };
	struct client cl = { jv_str(conf, "server"), NULL };
	return client_send(&cl, method, path, "application/json", body, body ? n : 0, headers, out);
}

static int run(struct cli_args *a, int json)
{
	char dir[1024], sk[129] = "", ts[TIME_RFC3339_LEN];
	struct err e = { 0 };
	const char *root = cli_get(a, opts, "root");
	int dry = cli_get(a, opts, "dry-run") != NULL;
	int64_t t0 = time_now_ms();
	json_t *inv = inventory_collect(root ? root : "/", &e);
	if (inv == NULL) {
		cli_error(&e);
		return 1;
	}
	json_object_set_new(inv, "collected_at", json_string(time_format_utc(time_now_ms(), ts)));
	if (dry) {
		cli_print_json(inv);
		json_decref(inv);
		return 0;
	}
	state_dir(cli_get(a, opts, "state"), dir, sizeof(dir));
	json_t *conf = load_state(dir, sk, &e);
	if (conf == NULL) {
		cli_error(&e);
		fprintf(stderr, "ungcuu: %s\n", cli_lang() == LANG_EN
			? "enroll first: ungcuu agent enroll --server URL --token T"
			: "hãy đăng ký trước: ungcuu agent enroll --server URL --token T");
		json_decref(inv);
		return 1;
	}
	long long seq = 0;
	char *body = NULL;
	json_t *out = NULL;
	int rc = 1, st = -1, lock = next_sequence(dir, &seq, &e);
	if (lock < 0) {
		cli_error(&e);
	} else {
		/* Dated when signed: a wait for another run's upload must not
		 * push it out of the server's clock window. */
		json_object_set_new(inv, "collected_at",
				    json_string(time_format_utc(time_now_ms(), ts)));
		json_object_set_new(inv, "sequence", json_integer((json_int_t)seq));
		body = json_dumps(inv, JSON_COMPACT);
		st = body ? signed_call(conf, sk, "POST", "/api/v1/agents/inventory", body, &out) : -1;
		close(lock);
	}
	if (st == 200) {
		json_object_set_new(out, "packages",
				    json_integer((json_int_t)json_array_size(json_object_get(inv, "packages"))));
		json_object_set_new(out, "seconds", json_real((double)(time_now_ms() - t0) / 1000));
		if (json) {
			cli_print_json(out);
		} else {
			char *line = json_dumps(out, JSON_COMPACT);
			printf("%s %s\n", cli_lang() == LANG_EN ? "sent" : "đã gửi", line ? line : "");
			free(line);
		}
		json_decref(out);
		rc = 0;
	} else if (st > 0) {
		rc = client_problem(st, out);
		/* The only conflict here: a number already used. The state is
		 * older than what the server saw: say how to recover. */
		if (st == 409)
			cli_errorf(MSG_AGENT_STALE_STATE, dir);
	}
	sodium_memzero(sk, sizeof(sk));
	free(body);
	json_decref(conf);
	json_decref(inv);
	return rc;
}

struct hunt_hits {
	json_t *hits;
};

static void on_hits(void *ctx, const char *path, const struct sweep_hit *h, size_t n,
		    unsigned long long truncated)
{
	struct hunt_hits *hh = ctx;
	(void)truncated;
	/* A file name that is not UTF-8 is sent escaped, flagged, as the
	 * sweep writes it: json_pack refuses it as it is, and the hit would
	 * be lost. */
	char *esc = NULL;
	int escaped = sweep_path_escape(path, 0, &esc);
	if (escaped < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "path", escaped ? esc : path, "kind",
				      sweep_kind_name(h[i].kind), "indicator", h[i].indicator);
		if (o && escaped)
			json_object_set_new(o, "path_escaped", json_true());
		if (o && h[i].line > 0)
			json_object_set_new(o, "line", json_integer(h[i].line));
		if (o)
			json_array_append_new(hh->hits, o);
	}
	free(esc);
}

static void on_problem(void *ctx, int msg, const char *arg)
{
	(void)ctx;
	cli_errorf(msg, arg);
}

/* Where a hunt looks when no path is given: where people and attackers
 * leave files, and the logs. */
static const char *const hunt_paths[] = {
	"/home", "/root", "/tmp", "/var/tmp", "/var/log", "/var/www", "/srv", "/opt",
	"/usr/local", "/etc", NULL
};

/* Runs one hunt: its rules into a set, a sweep, the signed result. */
static int hunt_one(const char *dir, json_t *conf, const char *sk, json_t *h,
		    const char *const *paths, size_t npaths, int threads, json_t *report)
{
	struct err e = { 0 };
	char name[80], ts[TIME_RFC3339_LEN];
	snprintf(name, sizeof(name), "hunt-%.40s.json", jv_str(h, "id"));
	char *text = json_dumps(json_object_get(h, "rules"), JSON_COMPACT);
	struct sweep_set *s = sweep_set_new(NULL, NULL);
	struct hunt_hits hh = { json_array() };
	struct sweep_stats st = { 0 };
	int rc = 1;
	if (text == NULL || s == NULL)
		err_set(&e, E_NOMEM, MSG_INTERNAL, NULL);
	else if (sweep_set_load_mem(s, name, text, strlen(text), &e) == 0 &&
		 sweep_set_finish(s, &e) == 0) {
		struct sweep_opts o = { .threads = threads };
		struct sweep_sink sink = { .hits = on_hits, .problem = on_problem, .ctx = &hh };
		if (sweep_run(s, paths, npaths, &o, &sink, &st, &e) == 0)
			rc = 0;
	}
	free(text);
	sweep_set_free(s);
	long long seq = 0;
	int lock = rc == 0 ? next_sequence(dir, &seq, &e) : -1;
	if (lock < 0)
		rc = 1;
	if (rc != 0) {
		cli_error(&e);
		json_decref(hh.hits);
		return 1;
	}
	json_t *body = json_pack("{s:O, s:O, s:s, s:I, s:I, s:I, s:I, s:o}", "hunt_id",
				 json_object_get(h, "id"), "hostname", json_object_get(conf, "hostname"),
				 "collected_at", time_format_utc(time_now_ms(), ts),
				 "sequence", (json_int_t)seq,
				 "files", (json_int_t)st.files, "bytes", (json_int_t)st.bytes,
				 "errors", (json_int_t)st.errors, "hits", hh.hits);
	char *b = body ? json_dumps(body, JSON_COMPACT) : NULL, path[160];
	json_t *out = NULL;
	snprintf(path, sizeof(path), "/api/v1/agents/hunts/%.40s/results", jv_str(h, "id"));
	int status = b ? signed_call(conf, sk, "POST", path, b, &out) : -1;
	close(lock);
	free(b);
	if (status == 201) {
		json_object_set(out, "hunt", json_object_get(h, "title"));
		json_object_set_new(out, "files", json_integer((json_int_t)st.files));
		json_object_set_new(out, "seconds", json_real(st.seconds));
		json_array_append(report, out);
		rc = 0;
	} else {
		rc = status < 0 ? 1 : client_problem(status, out);
		out = NULL;
	}
	json_decref(out);
	json_decref(body);
	return rc;
}

static int hunt(struct cli_args *a, int json)
{
	char dir[1024], sk[129] = "";
	struct err e = { 0 };
	state_dir(cli_get(a, opts, "state"), dir, sizeof(dir));
	json_t *conf = load_state(dir, sk, &e), *out = NULL;
	if (conf == NULL) {
		cli_error(&e);
		return 1;
	}
	/* Absolute paths in the results: the coordinator reads them. */
	static char given[64][PATH_MAX];
	const char *paths[64];
	size_t npaths = 0;
	for (int i = 1; i < a->npos && npaths < 64; i++) {
		if (realpath(a->pos[i], given[npaths]) == NULL) {
			cli_errorf(MSG_IO, a->pos[i]);
			json_decref(conf);
			sodium_memzero(sk, sizeof(sk));
			return 1;
		}
		paths[npaths] = given[npaths];
		npaths++;
	}
	struct stat sb;
	for (int i = 0; npaths == 0 && hunt_paths[i]; i++)
		if (stat(hunt_paths[i], &sb) == 0)
			paths[npaths++] = hunt_paths[i];
	const char *th = cli_get(a, opts, "threads");
	int rc = 1, status = signed_call(conf, sk, "GET", "/api/v1/agents/hunts", NULL, &out);
	if (status == 200) {
		json_t *report = json_array(), *h;
		size_t k;
		rc = 0;
		json_array_foreach(json_object_get(out, "items"), k, h)
			rc |= hunt_one(dir, conf, sk, h, paths, npaths, th ? atoi(th) : 0, report);
		if (json) {
			cli_print_json(report);
		} else if (json_array_size(report) == 0 && rc == 0) {
			printf("%s\n", cli_lang() == LANG_EN ? "no open hunt for this host"
							     : "không có đợt săn tìm nào cho máy này");
		} else {
			json_array_foreach(report, k, h) {
				json_t *inc = json_object_get(h, "incident");
				if (!json_is_object(inc))
					inc = NULL;
				printf(cli_lang() == LANG_EN ? "%s: %lld files, %lld hits%s%s\n"
				       : "%s: %lld tệp, %lld kết quả%s%s\n", jv_str(h, "hunt"),
				       (long long)jv_int(h, "files", 0), (long long)jv_int(h, "hits", 0),
				       inc ? (cli_lang() == LANG_EN ? "; incident " : "; sự cố ") : "",
				       inc ? jv_str(inc, "number") : "");
			}
		}
		json_decref(report);
	} else if (status > 0) {
		rc = client_problem(status, out);
		out = NULL;
	}
	json_decref(out);
	sodium_memzero(sk, sizeof(sk));
	json_decref(conf);
	return rc;
}

int cmd_agent(int argc, char **argv)
{
	struct cli_args a;
	int rc = cli_parse(argc, argv, opts,
		"ungcuu agent enroll --server URL --token T [--org CODE] [--reenroll] | ungcuu agent run [--dry-run] | "
		"ungcuu agent hunt [PATH...]",
		"Agent trên máy trạm/máy chủ: kiểm kê hệ điều hành, gói phần mềm và dịch vụ đang "
		"nghe, gửi về máy chủ có chữ ký Ed25519.\n"
		"  enroll  đăng ký máy với máy chủ (cần mã truy cập của đầu mối); --reenroll thay "
		"khóa của máy đã đăng ký\n"
		"  run     thu thập và gửi bản kiểm kê (chạy được từ systemd timer)\n"
		"  hunt    nhận các đợt săn tìm đang mở cho máy này, quét (mặc định /home /root /tmp "
		"/var/log /var/www /srv /opt /usr/local /etc) và gửi kết quả có chữ ký",
		"The host agent: inventories the OS, installed packages and listening services, and "
		"sends them to the server signed with Ed25519.\n"
		"  enroll  register this host with the server (needs a focal point's API token); "
		"--reenroll replaces the key of a host already enrolled\n"
		"  run     collect and send the inventory (fit for a systemd timer)\n"
		"  hunt    fetch the open hunts for this host, sweep (by default /home /root /tmp "
		"/var/log /var/www /srv /opt /usr/local /etc) and send the result signed", &a);
	if (rc)
		return rc == 1 ? 0 : rc;
	int json = cli_get(&a, opts, "json") != NULL;
	if (a.npos == 1 && strcmp(a.pos[0], "enroll") == 0)
		rc = enroll(&a, json);
	else if (a.npos == 1 && strcmp(a.pos[0], "run") == 0)
		rc = run(&a, json);
	else if (a.npos >= 1 && strcmp(a.pos[0], "hunt") == 0)
		rc = hunt(&a, json);
	else {
		cli_errorf(a.npos ? MSG_UNKNOWN_COMMAND : MSG_MISSING_ARG, a.npos ? a.pos[0] : "enroll|run|hunt");
		rc = EXIT_USAGE;
	}
	cli_args_release(&a);
	return rc;
}
