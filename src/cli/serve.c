/* serve.c - `ungcuu serve`: the coordination server. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "cli.h"
#include "instance.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../domain/directory/audit.h"
#include "../http/http.h"
#include "../store/store.h"
#include "../base/banned.h"

static const struct cli_opt opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu (mặc định var/ungcuu.db)", "database file (default var/ungcuu.db)" },
	{ "listen", 1, "địa chỉ:cổng (mặc định 127.0.0.1:8080)", "address:port (default 127.0.0.1:8080)" },
	{ "web", 1, "thư mục giao diện web đã build (mặc định web/dist nếu có, nếu không " UNGCUU_WEB_DIR ")",
	  "built web UI directory (default web/dist when there is one, else " UNGCUU_WEB_DIR ")" },
	{ "threads", 1, "số luồng xử lý (mặc định: số lõi CPU)", "worker threads (default: CPU cores)" },
	{ "config", 1, "tệp cấu hình INI (thời hạn, giới hạn)", "INI configuration file (deadlines, limits)" },
	{ "max-attachment", 1, "dung lượng tối đa tệp đính kèm, byte", "largest attachment in bytes" },
	{ "no-cache", 0, "không dùng bộ nhớ đệm đọc (để đo)", "no read cache (for measuring)" },
	{ "tls-cert", 1, "tệp chứng chỉ TLS (PEM, cả chuỗi); bật HTTPS", "TLS certificate file (PEM, full chain); serves HTTPS" },
	{ "tls-key", 1, "tệp khóa riêng TLS (PEM)", "TLS private key file (PEM)" },
	{ "max-conns-per-ip", 1, "số kết nối tối đa từ một địa chỉ (mặc định 128)", "most connections from one address (default 128)" },
	{ "login-rate", 1, "số lần đăng nhập mỗi phút từ một địa chỉ (mặc định 30)", "login attempts a minute from one address (default 30)" },
	{ "login-burst", 1, "số lần đăng nhập liền nhau được phép (mặc định 20)", "login attempts allowed in a burst (default 20)" },
	{ NULL, 0, NULL, NULL },
};

struct conf {
	struct rules *rules;
	struct server *srv;
	char cert_buf[512], key_buf[512], proxy_buf[64];
	const char *listen, *web;
	char listen_buf[64], web_buf[512];
	int bad_line;
};

static int64_t duration(const char *v)
{
	return time_parse_duration(v);
}

/* A positive count from the configuration, or 0 when it is not one. */
static unsigned count(const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);
	return end != v && *end == '\0' && n > 0 && n <= 1000000 ? (unsigned)n : 0;
}

/* [server] limits and TLS: 1 when name is one of them and its value good. */
static int on_server_limit(struct conf *c, const char *name, const char *value)
{
	struct server *s = c->srv;
	struct { const char *name; unsigned *field; } nums[] = {
		{ "max_connections", &s->max_conns },
		{ "max_connections_per_ip", &s->max_conns_per_ip },
		{ "connection_timeout", &s->conn_timeout },
		{ "login_rate", &s->login_per_min },
		{ "login_user_rate", &s->login_user_per_min },
		{ "login_burst", &s->login_burst },
		{ "login_parallel", &s->login_parallel },
	};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (strcmp(name, nums[i].name) == 0) {
			*nums[i].field = count(value);
			return *nums[i].field != 0;
		}
	}
	if (strcmp(name, "tls_cert") == 0) {
		snprintf(c->cert_buf, sizeof(c->cert_buf), "%s", value);
		s->tls_cert = c->cert_buf;
	} else if (strcmp(name, "tls_key") == 0) {
		snprintf(c->key_buf, sizeof(c->key_buf), "%s", value);
		s->tls_key = c->key_buf;
	} else if (strcmp(name, "trusted_proxy") == 0) {
		snprintf(c->proxy_buf, sizeof(c->proxy_buf), "%s", value);
		s->trusted_proxy = c->proxy_buf;
	} else if (strcmp(name, "cookie_secure") == 0) {
		s->cookie_secure = strcmp(value, "true") == 0 || strcmp(value, "1") == 0;
	} else {
		return 0;
	}
	return 1;
}

/* [deadlines] ack = 2h, notification = 5d, initial_report = 24h,
 * closing_report = 5d; [instance] number_prefix; [server] listen, web,
 * max_attachment, the connection and login limits, TLS; [accounts]
 * second_factor_roles = admin,coordinator; [agents] clock_skew = 5m. */
static int on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct conf *c = user;
	int64_t d = -1;
	if (strcmp(section, "deadlines") == 0) {
		d = duration(value);
		if (d <= 0)
			return 0;
		if (strcmp(name, "ack") == 0)
			c->rules->ack_ms = d;
		else if (strcmp(name, "notification") == 0)
			c->rules->notification_ms = d;
		else if (strcmp(name, "initial_report") == 0)
			c->rules->initial_ms = d;
		else if (strcmp(name, "closing_report") == 0)
			c->rules->closing_ms = d;
		else
			return 0;
		return 1;
	}
	if (strcmp(section, "agents") == 0 && strcmp(name, "clock_skew") == 0) {
		d = duration(value);
		if (d <= 0 || d > LIMIT_AGENT_SKEW_MAX)
			return 0;
		c->rules->agent_skew_ms = d;
		return 1;
	}
	if (strcmp(section, "instance") == 0 && strcmp(name, "number_prefix") == 0) {
		snprintf(c->rules->number_prefix, sizeof(c->rules->number_prefix), "%s", value);
		return 1;
	}
	if (strcmp(section, "accounts") == 0 && strcmp(name, "second_factor_roles") == 0) {
		char list[128];
		size_t n = 0;
		for (const char *p = value; *p && n + 1 < sizeof(list); p++)
			if (*p != ' ')
				list[n++] = *p; /* "admin, coordinator" */
		list[n] = '\0';
		int bits = n ? roles_parse(list) : 0;
		if (bits < 0)
			return 0;
		c->rules->second_factor_roles = (unsigned)bits;
		return 1;
	}
	if (strcmp(section, "server") == 0) {
		if (strcmp(name, "listen") == 0) {
			snprintf(c->listen_buf, sizeof(c->listen_buf), "%s", value);
			c->listen = c->listen_buf;
		} else if (strcmp(name, "web") == 0) {
			snprintf(c->web_buf, sizeof(c->web_buf), "%s", value);
			c->web = c->web_buf;
		} else if (strcmp(name, "max_attachment") == 0) {
			c->rules->max_attachment = strtoull(value, NULL, 10);
		} else {
			return on_server_limit(c, name, value);
		}
		return 1;
	}
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	struct cli_args a;
	struct err e = { 0 };
	static struct server srv;
	int rc = cli_parse(argc, argv, opts,
		"ungcuu serve [--db PATH] [--listen ADDR:PORT] [--web DIR] [--config FILE] "
		"[--tls-cert FILE --tls-key FILE]",
		"Chạy máy chủ điều phối: API JSON tại /api/v1 và giao diện web. "
		"SIGTERM/SIGINT dừng máy chủ an toàn; SIGHUP đọc lại chứng chỉ và khóa TLS.",
		"Run the coordination server: the JSON API under /api/v1 and the web UI. "
		"SIGTERM/SIGINT stop it cleanly; SIGHUP reads the TLS certificate and key again.",
		&a);
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *path = cli_get(&a, opts, "db");
	if (path == NULL)
		path = "var/ungcuu.db";
	if (!instance_exists(path)) {
		err_set(&e, E_IO, MSG_IO, path);
		cli_error(&e);
		fprintf(stderr, "ungcuu: %s\n", cli_lang() == LANG_EN
			? "create it first with `ungcuu init --db PATH`"
			: "hãy tạo trước bằng `ungcuu init --db PATH`");
		return 1;
	}
	/* Migrate once, on the main thread, before any worker opens it; a
	 * failed upgrade leaves the database as it was and says so (journal). */
	if (!store_is_pg(path) && access(path, R_OK | W_OK) != 0) {
		err_set(&e, E_IO, MSG_IO, path);
		cli_error(&e);
		return 1;
	}
	audit_setup(NULL);
	struct store *db = store_open(path, &e);
	if (db == NULL) {
		cli_error(&e);
		return 1;
	}
	int from = store_schema_version(db);
	if (store_migrate(db, &e) < 0) {
		migrate_failed(path, from, &e);
		store_close(db);
		return 1;
	}
	instance_rules(db, &srv.rules);
	store_close(db);

	struct conf conf = { .rules = &srv.rules, .srv = &srv, .listen = "127.0.0.1:8080", .web = NULL };
	const char *cfg = cli_get(&a, opts, "config");
	if (cfg) {
		int line = ini_parse(cfg, on_ini, &conf);
		if (line != 0) {
			char where[600];
			snprintf(where, sizeof(where), line < 0 ? "%s" : "%s:%d", cfg, line);
			cli_errorf(MSG_BAD_VALUE, where);
			return EXIT_USAGE;
		}
	}
	const char *v;
	if ((v = cli_get(&a, opts, "listen")))
		conf.listen = v;
	if ((v = cli_get(&a, opts, "web")))
		conf.web = v;
	if ((v = cli_get(&a, opts, "max-attachment")))
		srv.rules.max_attachment = strtoull(v, NULL, 10);
	if ((v = cli_get(&a, opts, "tls-cert")))
		srv.tls_cert = v;
	if ((v = cli_get(&a, opts, "tls-key")))
		srv.tls_key = v;
	struct { const char *opt; unsigned *field; } nums[] = {
		{ "max-conns-per-ip", &srv.max_conns_per_ip },
		{ "login-rate", &srv.login_per_min },
		{ "login-burst", &srv.login_burst },
	};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if ((v = cli_get(&a, opts, nums[i].opt)) == NULL)
			continue;
		*nums[i].field = count(v);
		if (*nums[i].field == 0) {
			cli_errorf(MSG_BAD_VALUE, v);
			return EXIT_USAGE;
		}
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	srv.threads = (v = cli_get(&a, opts, "threads")) ? (unsigned)atoi(v)
		      : (unsigned)(ncpu > 1 ? ncpu : 2);
	if (srv.threads < 1 || srv.threads > 64)
		srv.threads = 2;
	srv.db_path = path;
	srv.no_cache = cli_get(&a, opts, "no-cache") != NULL;
	srv.version = UNGCUU_VERSION;
	/* The source tree's build (make run), else the installed UI (the package). */
	if (conf.web == NULL)
		conf.web = access("web/dist/index.html", R_OK) == 0 ? "web/dist" : UNGCUU_WEB_DIR;
	srv.web = static_load(conf.web);

	/* Workers inherit a blocked mask; the main thread waits for the signal. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (server_start(&srv, conf.listen, &e) != 0) {
		cli_error(&e);
		static_free(srv.web);
		return 1;
	}
	log_info("ungcuu %s serving %s://%s (db %s, web %s, %u threads)", UNGCUU_VERSION,
		 srv.tls ? "https" : "http", conf.listen, path, conf.web, srv.threads);
	int sig = 0;
	for (;;) {
		sigwait(&set, &sig);
		if (sig != SIGHUP)
			break;
		struct err re = { 0 };
		char why[300];
		if (server_reload(&srv, &re) == 0)
			log_info("SIGHUP: reloaded%s", srv.tls ? " the TLS certificate and key" : "");
		else
			log_error("SIGHUP: kept the running certificate: %s",
				  err_text(&re, LANG_EN, why, sizeof(why)));
	}
	log_info("signal %d: stopping", sig);
	server_stop(&srv);
	static_free(srv.web);
	cli_args_release(&a);
	log_info("stopped");
	return 0;
}
