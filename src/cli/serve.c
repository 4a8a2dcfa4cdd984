/* serve.c - `ungcuu serve`: the coordination server. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "cli.h"
#include "instance.h"
#include "../api/api.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../domain/directory/audit.h"
#include "../domain/directory/secrets.h"
#include "../domain/duty/notify_rules.h"
#include "../http/http.h"
#include "../notify/notify.h"
#include "../store/leader.h"
#include "../store/store.h"
#include "../syslogd/syslogd.h"
#include "../sync/sync.h"
#include "../base/banned.h"

static const struct cli_opt opts[] = {
	{ "db", 1, "tệp cơ sở dữ liệu (mặc định var/ungcuu.db)", "database file (default var/ungcuu.db)" },
	{ "listen", 1, "địa chỉ:cổng (mặc định 127.0.0.1:8080)", "address:port (default 127.0.0.1:8080)" },
	{ "web", 1, "thư mục giao diện web đã build (mặc định web/dist nếu có, nếu không " UNGCUU_WEB_DIR ")",
	  "built web UI directory (default web/dist when there is one, else " UNGCUU_WEB_DIR ")" },
	{ "threads", 1, "số luồng xử lý (mặc định: số lõi CPU)", "worker threads (default: CPU cores)" },
	{ "config", 1, "tệp cấu hình INI (thời hạn, giới hạn, nhận syslog)", "INI configuration file (deadlines, limits, syslog intake)" },
	{ "max-attachment", 1, "dung lượng tối đa tệp đính kèm, byte", "largest attachment in bytes" },
	{ "no-cache", 0, "không dùng bộ nhớ đệm đọc (để đo)", "no read cache (for measuring)" },
	{ "tls-cert", 1, "tệp chứng chỉ TLS (PEM, cả chuỗi); bật HTTPS", "TLS certificate file (PEM, full chain); serves HTTPS" },
	{ "tls-key", 1, "tệp khóa riêng TLS (PEM)", "TLS private key file (PEM)" },
	{ "max-conns-per-ip", 1, "số kết nối tối đa từ một địa chỉ (mặc định 128)", "most connections from one address (default 128)" },
	{ "login-rate", 1, "số lần đăng nhập mỗi phút từ một địa chỉ (mặc định 30)", "login attempts a minute from one address (default 30)" },
	{ "no-sync", 0, "không chạy vòng liên thông nền (cấp trên/cấp dưới)", "no background sync loop with the peer instances" },
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
	struct duty_conf duty;          /* [duty] (h/notify) */
	struct notify_conf notify;      /* [notify] */
	struct syslogd_conf syslog;
	/* [sync] (issue 16, h/sync-net): the loop's interval, on/off, TLS trust */
	int64_t sync_interval;
	int sync_off;
	long sync_timeout;
	unsigned sync_batch;
	char sync_ca_buf[512];
	const char *sync_ca;
};

static unsigned count(const char *v);

/* [duty] clock_lead = 30m; escalate_primary = 0s, escalate_backup = 30m,
 * escalate_leader = 1h (after the acknowledgement clock ran out); base_url.
 * [notify] smtp_url, smtp_user, smtp_password, mail_from, timeout,
 * retry_base, retry_max, max_attempts, scan_every, poll, webhook_allow (CIDRs a
 * webhook may reach although private, loopback or link-local). */
static int on_duty_ini(struct conf *c, const char *section, const char *name,
		       const char *value)
{
	int64_t d = time_parse_duration(value);
	if (strcmp(section, "duty") == 0) {
		const char *steps[] = { "escalate_primary", "escalate_backup", "escalate_leader" };
		for (int k = 0; k < 3; k++)
			if (strcmp(name, steps[k]) == 0) {
				if (d < 0)
					return 0;
				c->duty.steps_ms[k] = d;
				return 1;
			}
		if (strcmp(name, "clock_lead") == 0 && d > 0) {
			c->duty.clock_lead_ms = d;
			return 1;
		}
		if (strcmp(name, "base_url") == 0 && strlen(value) < sizeof(c->duty.base_url) &&
		    (strncmp(value, "http://", 7) == 0 || strncmp(value, "https://", 8) == 0)) {
			snprintf(c->duty.base_url, sizeof(c->duty.base_url), "%s", value);
			size_t n = strlen(c->duty.base_url);
			if (n > 0 && c->duty.base_url[n - 1] == '/')
				c->duty.base_url[n - 1] = '\0';
			return 1;
		}
		return 0;
	}
	struct notify_conf *n = &c->notify;
	struct { const char *name; char *field; size_t size; } texts[] = {
		{ "smtp_url", n->smtp_url, sizeof(n->smtp_url) },
		{ "smtp_user", n->smtp_user, sizeof(n->smtp_user) },
		{ "smtp_password", n->smtp_password, sizeof(n->smtp_password) },
		{ "mail_from", n->mail_from, sizeof(n->mail_from) },
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (strcmp(name, texts[i].name) == 0) {
			if (strlen(value) >= texts[i].size)
				return 0;
			snprintf(texts[i].field, texts[i].size, "%s", value);
			return 1;
		}
	struct { const char *name; int64_t *field; } times[] = {
		{ "retry_base", &n->retry_base_ms }, { "retry_max", &n->retry_max_ms },
		{ "scan_every", &n->scan_every_ms }, { "poll", &n->poll_ms },
	};
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		if (strcmp(name, times[i].name) == 0) {
			if (d <= 0)
				return 0;
			*times[i].field = d;
			return 1;
		}
	if (strcmp(name, "timeout") == 0 && d > 0 && d <= 300000) {
		n->timeout_ms = (long)d;
		return 1;
	}
	if (strcmp(name, "webhook_allow") == 0) {
		/* the networks a webhook may reach although private: the domain
		 * checks at save time, the worker at send time */
		if (net_allow_parse(value, &n->webhook_allow) != 0)
			return 0;
		c->duty.webhook_allow = n->webhook_allow;
		return 1;
	}
	if (strcmp(name, "max_attempts") == 0 && count(value) > 0 && count(value) <= 1000) {
		n->max_attempts = (int)count(value);
		return 1;
	}
	return 0;
}

/* [sync] interval = 30s, loop = on|off, ca_file = PEM, timeout = 60s,
 * batch = 200: 1 when name is one of them and its value good. */
static int on_sync(struct conf *c, const char *name, const char *value)
{
	if (strcmp(name, "interval") == 0 || strcmp(name, "timeout") == 0) {
		int64_t d = time_parse_duration(value);
		if (d < 1000 || d > 86400LL * 1000)
			return 0;
		if (name[0] == 'i')
			c->sync_interval = d;
		else
			c->sync_timeout = (long)(d / 1000);
	} else if (strcmp(name, "loop") == 0) {
		if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0)
			return 0;
		c->sync_off = strcmp(value, "off") == 0;
	} else if (strcmp(name, "ca_file") == 0) {
		snprintf(c->sync_ca_buf, sizeof(c->sync_ca_buf), "%s", value);
		c->sync_ca = c->sync_ca_buf;
	} else if (strcmp(name, "batch") == 0) {
		char *end;
		unsigned long n = strtoul(value, &end, 10);
		c->sync_batch = end != value && *end == '\0' && n <= LIMIT_SYNC_BATCH ? (unsigned)n : 0;
		return c->sync_batch >= 1 && c->sync_batch <= LIMIT_SYNC_BATCH;
	} else {
		return 0;
	}
	return 1;
}

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
 * second_factor_roles = admin,coordinator; [agents] clock_skew = 5m;
 * [syslog] listen/udp/tcp = ADDR:PORT, max_line, queue, rate, window,
 * tcp_connections, source = ADDR[/LEN] ORG_CODE, rule = name|severity|regex
 * (keys may repeat; see src/syslogd/syslogd.h);
 * [sync] interval, loop, ca_file, timeout, batch (on_sync). */

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct conf *c = user;
	int64_t d = -1;
	if (strcmp(section, "duty") == 0 || strcmp(section, "notify") == 0)
		return on_duty_ini(c, section, name, value);
	/* the intake address (as `ungcuu intake email` reads it): the sender of
	 * the replies the delivery worker sends to reports by email */
	if (strcmp(section, "mail") == 0 && strcmp(name, "address") == 0) {
		if (strlen(value) >= sizeof(c->notify.reply_from))
			return 0;
		snprintf(c->notify.reply_from, sizeof(c->notify.reply_from), "%s", value);
		return 1;
	}
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
	if (strcmp(section, "syslog") == 0)
		return syslogd_conf_set(&c->syslog, name, value);
	if (strcmp(section, "sync") == 0)
		return on_sync(c, name, value);
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
	/* Secrets of an earlier version (second factors, webhook keys) are
	 * sealed at rest now. */
	int sealed = 0;
	if (store_begin(db, &e) != 0 || (sealed = secrets_seal_legacy(db, &e)) < 0 ||
	    store_commit(db, &e) != 0) {
		store_rollback(db);
		cli_error(&e);
		store_close(db);
		return 1;
	}
	if (sealed > 0)
		log_info("sealed %d secrets at rest", sealed);
	instance_rules(db, &srv.rules);
	/* h/fed-compat: envelopes kept because the version before this one
	 * did not know their kind are applied now, once, in seq order (those
	 * this version does not know either stay kept; a failure stays kept
	 * with its error, shown in sync status) */
	{
		struct actor sys;
		actor_system(&sys);
		struct ctx kc = { .db = db, .rules = &srv.rules, .actor = &sys, .lang = LANG_EN };
		struct sync_kept_result kr;
		struct err ke = { 0 };
		char why[300];
		if (sync_kept_apply(&kc, NULL, &kr, &ke) != 0)
			log_error("sync: kept envelopes not applied: %s",
				  err_text(&ke, LANG_EN, why, sizeof(why)));
	}
	store_close(db);

	static struct conf conf;
	conf = (struct conf){ .rules = &srv.rules, .srv = &srv, .listen = "127.0.0.1:8080" };
	duty_conf_default(&conf.duty);
	notify_conf_default(&conf.notify);
	syslogd_conf_default(&conf.syslog);
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
	/* Syslog first: a bad [syslog] (an unknown organisation, a busy port)
	 * stops the start before the HTTP port is taken. */
	struct syslogd *sd = NULL;
	if (syslogd_enabled(&conf.syslog)) {
		sd = syslogd_start(&conf.syslog, path, &srv.rules, &e);
		if (sd == NULL) {
			cli_error(&e);
			static_free(srv.web);
			return 1;
		}
		log_info("syslog: listening udp %s tcp %s",
			 conf.syslog.udp[0] ? conf.syslog.udp : "-",
			 conf.syslog.tcp[0] ? conf.syslog.tcp : "-");
	}
	srv.peer_authenticate = api_sync_authenticate;
	if (server_start(&srv, conf.listen, &e) != 0) {
		cli_error(&e);
		syslogd_stop(sd);
		static_free(srv.web);
		return 1;
	}
	/* Several nodes on PostgreSQL: the background work below runs on the
	 * one that holds the leadership (issue 18); SQLite: always this one. */
	char node[200], host[64] = "";
	gethostname(host, sizeof(host) - 1);
	snprintf(node, sizeof(node), "%s:%ld %s", host, (long)getpid(), conf.listen);
	if (leader_start(path, node, &e) != 0) {
		cli_error(&e);
		server_stop(&srv);
		syslogd_stop(sd);
		static_free(srv.web);
		return 1;
	}
	/* the standing duty: its rules, and the delivery worker off the
	 * request path (h/notify) */
	notify_rules_configure(&conf.duty);
	if (notify_start(path, &conf.notify) != 0)
		log_error("notify: the delivery worker did not start");
	log_info("ungcuu %s serving %s://%s (db %s, web %s, %u threads)", UNGCUU_VERSION,
		 srv.tls ? "https" : "http", conf.listen, path, conf.web, srv.threads);
	/* The federation's loop: rounds with every peer that has a URL. */
	struct sync_loop *loop = NULL;
	if (!conf.sync_off && cli_get(&a, opts, "no-sync") == NULL) {
		struct sync_net net = { .db_path = path, .ca_file = conf.sync_ca,
					.timeout_s = conf.sync_timeout ? conf.sync_timeout : 60,
					.batch = conf.sync_batch };
		loop = sync_loop_start(&net, &srv.rules, conf.sync_interval, &e);
		if (loop == NULL) {
			char why[300];
			log_error("sync loop not started: %s", err_text(&e, LANG_EN, why, sizeof(why)));
		} else {
			log_info("sync loop every %lld ms", (long long)(conf.sync_interval
				 ? conf.sync_interval : LIMIT_SYNC_INTERVAL_DEFAULT));
		}
	}
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
	notify_stop();
	syslogd_stop(sd);
	sync_loop_stop(loop);
	leader_stop();   /* after its workers: the lock goes with the last round */
	server_stop(&srv);
	static_free(srv.web);
	cli_args_release(&a);
	log_info("stopped");
	return 0;
}
