/*
 * syslogd.h - syslog intake inside `ungcuu serve` (issue 17 item 6): UDP
 * and TCP listeners (RFC 5424 and RFC 3164; TCP framed by octet counting or
 * by lines, RFC 6587), a bounded queue, one worker that parses each line
 * (domain/duty/syslog_line.h), matches it against the indicator store (the
 * sweep's log tokenizer, src/agent/sweep_log.c, plus hashes) and the
 * configured rules, groups the hits in memory and hands them to
 * domain/duty/alert.c once a second in one transaction.
 *
 * A layer above the domain, like src/notify: it owns sockets and threads;
 * the rules (grouping, who may see what) stay in the domain.
 *
 * Bounds: a line is at most max_line bytes (longer: refused and counted),
 * the queue at most `queue` lines, each sender at most `rate` lines a
 * second (a token bucket, burst twice that), at most tcp_max connections
 * (a quarter of them from one sender), ten minutes idle.
 * Every refusal is counted (syslog_counters, GET /api/v1/syslog/status).
 */
#ifndef UNGCUU_SYSLOGD_H
#define UNGCUU_SYSLOGD_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "../domain/domain.h"

#define SYSLOGD_MAX_SOURCES 256
#define SYSLOGD_MAX_RULES 64

struct syslogd_source {
	int family;              /* AF_INET, AF_INET6 */
	unsigned char addr[16];
	int prefix;
	char org_code[65];
	char org_id[UUID_LEN];   /* resolved at start */
};

struct syslogd_rule {
	char name[65];
	char severity[12];
	char pattern[400];
};

struct syslogd_conf {
	char udp[80], tcp[80];         /* ADDR:PORT, "" off */
	size_t max_line;
	unsigned queue;
	unsigned rate;                 /* lines a second from one sender */
	unsigned tcp_max;
	int64_t window_ms;             /* grouping window */
	int64_t reload_ms;             /* how often the indicator set is checked for changes */
	struct syslogd_source sources[SYSLOGD_MAX_SOURCES];
	size_t nsources;
	struct syslogd_rule rules[SYSLOGD_MAX_RULES];
	size_t nrules;
};

void syslogd_conf_default(struct syslogd_conf *c);
/* One key of the [syslog] section: 1 taken, 0 unknown or bad value. */
int syslogd_conf_set(struct syslogd_conf *c, const char *name, const char *value);
int syslogd_enabled(const struct syslogd_conf *c);

struct syslogd;
/* Opens the sockets, loads the indicators and starts the threads; NULL with
 * e (the address, the organisation code or the rule at fault). */
struct syslogd *syslogd_start(const struct syslogd_conf *conf, const char *db_path,
			      const struct rules *rules, struct err *e);
void syslogd_stop(struct syslogd *d);

/* ---- the matcher, also used by the benchmark ---- */
struct syslog_matcher;
struct syslog_matcher *syslog_matcher_new(void);
void syslog_matcher_free(struct syslog_matcher *m);
/* An indicator of the store (kind as in the indicators table: ipv4, cidr,
 * domain, url, email, md5, sha1, sha256...); other kinds are ignored.
 * 1 added, 0 not a kind matched in lines or not a value of it. */
int syslog_matcher_add(struct syslog_matcher *m, const char *kind, const char *value);
/* A rule: a POSIX extended regular expression; -1 when it does not compile. */
int syslog_matcher_rule(struct syslog_matcher *m, const char *name, const char *severity,
			const char *pattern);
int syslog_matcher_finish(struct syslog_matcher *m);
size_t syslog_matcher_count(const struct syslog_matcher *m);

/* kind: ip domain url email hash rule; key: the indicator or rule name;
 * observed: what the line held; severity: the rule's, or NULL. */
typedef void (*syslog_match_fn)(void *ctx, const char *kind, const char *key,
				const char *observed, const char *severity);
/* Looks at a NUL-terminated text of n bytes; returns the number of hits. */
size_t syslog_matcher_line(const struct syslog_matcher *m, const char *text, size_t n,
			   syslog_match_fn fn, void *ctx);

#endif
