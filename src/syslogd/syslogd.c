/* syslogd.c - syslog listeners, queue, matcher and the worker (see syslogd.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "syslogd.h"
#include "../agent/sweep.h"
#include "../base/log.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../domain/duty/alert.h"
#include "../domain/duty/syslog_line.h"
#include "../base/banned.h"

/* ---- configuration ---- */

void syslogd_conf_default(struct syslogd_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->max_line = SYSLOG_LINE_DEFAULT;
	c->queue = 20000;
	c->rate = 2000;
	c->tcp_max = 64;
	c->window_ms = ALERT_WINDOW_DEFAULT;
	c->reload_ms = 30000;
}

int syslogd_enabled(const struct syslogd_conf *c)
{
	return c->udp[0] || c->tcp[0];
}

static unsigned num(const char *v, unsigned lo, unsigned hi)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);
	return end != v && *end == '\0' && n >= lo && n <= hi ? (unsigned)n : 0;
}

static int parse_source(struct syslogd_source *s, const char *value)
{
	char addr[80];
	const char *sp = strchr(value, ' ');
	if (sp == NULL || (size_t)(sp - value) >= sizeof(addr))
		return -1;
	memcpy(addr, value, (size_t)(sp - value));
	addr[sp - value] = '\0';
	while (*sp == ' ')
		sp++;
	if (*sp == '\0' || strlen(sp) >= sizeof(s->org_code) || strchr(sp, ' '))
		return -1;
	snprintf(s->org_code, sizeof(s->org_code), "%s", sp);
	char *slash = strchr(addr, '/');
	int prefix = -1;
	if (slash) {
		*slash = '\0';
		char *end;
		long p = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || p < 0 || p > 128)
			return -1;
		prefix = (int)p;
	}
	if (inet_pton(AF_INET, addr, s->addr) == 1) {
		s->family = AF_INET;
		s->prefix = prefix < 0 ? 32 : prefix;
		return s->prefix <= 32 ? 0 : -1;
	}
	if (inet_pton(AF_INET6, addr, s->addr) == 1) {
		s->family = AF_INET6;
		s->prefix = prefix < 0 ? 128 : prefix;
		return 0;
	}
	return -1;
}

static const char *const severities[] = { "low", "medium", "high", "critical", NULL };

static int parse_rule(struct syslogd_rule *r, const char *value)
{
	const char *a = strchr(value, '|');
	const char *b = a ? strchr(a + 1, '|') : NULL;
	if (!a || !b || a == value || (size_t)(a - value) >= sizeof(r->name) ||
	    (size_t)(b - a - 1) >= sizeof(r->severity) || strlen(b + 1) >= sizeof(r->pattern) ||
	    b[1] == '\0')
		return -1;
	snprintf(r->name, sizeof(r->name), "%.*s", (int)(a - value), value);
	snprintf(r->severity, sizeof(r->severity), "%.*s", (int)(b - a - 1), a + 1);
	snprintf(r->pattern, sizeof(r->pattern), "%s", b + 1);
	int ok = 0;
	for (int i = 0; severities[i]; i++)
		ok |= strcmp(severities[i], r->severity) == 0;
	regex_t re;
	if (!ok || regcomp(&re, r->pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return -1;
	regfree(&re);
	return 0;
}

int syslogd_conf_set(struct syslogd_conf *c, const char *name, const char *value)
{
	if (strcmp(name, "listen") == 0 || strcmp(name, "udp") == 0 || strcmp(name, "tcp") == 0) {
		if (strlen(value) >= sizeof(c->udp))
			return 0;
		if (name[0] != 't')
			snprintf(c->udp, sizeof(c->udp), "%s", value);
		if (name[0] != 'u')
			snprintf(c->tcp, sizeof(c->tcp), "%s", value);
		return 1;
	}
	if (strcmp(name, "max_line") == 0)
		return (c->max_line = num(value, 480, SYSLOG_LINE_MAX)) != 0;
	if (strcmp(name, "queue") == 0)
		return (c->queue = num(value, 10, 1000000)) != 0;
	if (strcmp(name, "rate") == 0)
		return (c->rate = num(value, 1, 1000000)) != 0;
	if (strcmp(name, "tcp_connections") == 0)
		return (c->tcp_max = num(value, 1, 1000)) != 0;
	if (strcmp(name, "window") == 0 || strcmp(name, "reload") == 0) {
		int64_t d = time_parse_duration(value);
		if (d < 1000 || d > 30LL * 86400 * 1000)
			return 0;
		*(name[0] == 'w' ? &c->window_ms : &c->reload_ms) = d;
		return 1;
	}
	if (strcmp(name, "source") == 0) {
		if (c->nsources >= SYSLOGD_MAX_SOURCES ||
		    parse_source(&c->sources[c->nsources], value) != 0)
			return 0;
		c->nsources++;
		return 1;
	}
	if (strcmp(name, "rule") == 0) {
		if (c->nrules >= SYSLOGD_MAX_RULES || parse_rule(&c->rules[c->nrules], value) != 0)
			return 0;
		c->nrules++;
		return 1;
	}
	return 0;
}

/* ---- the matcher ---- */

struct mrule {
	char name[65], severity[12];
	regex_t re;
};

struct syslog_matcher {
	struct sweep_set *set;
	char (*hashes)[65];
	size_t nhash, caphash;
	struct mrule *rules;
	size_t nrules;
	size_t count;
	unsigned char hex[256];
};

struct syslog_matcher *syslog_matcher_new(void)
{
	struct syslog_matcher *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->set = sweep_set_new(NULL, NULL);
	if (m->set == NULL) {
		free(m);
		return NULL;
	}
	for (int c = 0; c < 256; c++)
		m->hex[c] = (c >= '0' && c <= '9') ? 1 : (c >= 'a' && c <= 'f') ? 2 :
			    (c >= 'A' && c <= 'F') ? 3 : 0;
	return m;
}

void syslog_matcher_free(struct syslog_matcher *m)
{
	if (m == NULL)
		return;
	sweep_set_free(m->set);
	free(m->hashes);
	for (size_t i = 0; i < m->nrules; i++)
		regfree(&m->rules[i].re);
	free(m->rules);
	free(m);
}

int syslog_matcher_add(struct syslog_matcher *m, const char *kind, const char *value)
{
	static const struct { const char *name; int ioc; size_t hexlen; } kinds[] = {
		{ "ipv4", SWEEP_IOC_IP, 0 }, { "ipv6", SWEEP_IOC_IP, 0 }, { "cidr", SWEEP_IOC_IP, 0 },
		{ "domain", SWEEP_IOC_DOMAIN, 0 }, { "url", SWEEP_IOC_URL, 0 },
		{ "email", SWEEP_IOC_EMAIL, 0 }, { "md5", 0, 32 }, { "sha1", 0, 40 },
		{ "sha256", 0, 64 },
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(kind, kinds[i].name) != 0)
			continue;
		size_t n = strlen(value);
		if (kinds[i].hexlen) {
			if (n != kinds[i].hexlen)
				return 0;
			if (m->nhash == m->caphash) {
				size_t cap = m->caphash ? m->caphash * 2 : 256;
				void *p = realloc(m->hashes, cap * sizeof(*m->hashes));
				if (p == NULL)
					return 0;
				m->hashes = p;
				m->caphash = cap;
			}
			for (size_t k = 0; k < n; k++) {
				unsigned char c = (unsigned char)value[k];
				if (!m->hex[c])
					return 0;
				m->hashes[m->nhash][k] = (char)(m->hex[c] == 3 ? c + 32 : c);
			}
			m->hashes[m->nhash][n] = '\0';
			m->nhash++;
			m->count++;
			return 1;
		}
		struct err e = { 0 };
		if (sweep_set_add(m->set, kinds[i].ioc, value, n, &e) != 0)
			return 0;
		m->count++;
		return 1;
	}
	return 0;
}

int syslog_matcher_rule(struct syslog_matcher *m, const char *name, const char *severity,
			const char *pattern)
{
	void *p = realloc(m->rules, (m->nrules + 1) * sizeof(*m->rules));
	if (p == NULL)
		return -1;
	m->rules = p;
	struct mrule *r = &m->rules[m->nrules];
	if (regcomp(&r->re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return -1;
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->severity, sizeof(r->severity), "%s", severity);
	m->nrules++;
	return 0;
}

static int hash_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int syslog_matcher_finish(struct syslog_matcher *m)
{
	if (m->nhash)
		qsort(m->hashes, m->nhash, sizeof(*m->hashes), hash_cmp);
	struct err e = { 0 };
	return sweep_set_finish(m->set, &e);
}

size_t syslog_matcher_count(const struct syslog_matcher *m)
{
	return m->count;
}

struct line_ctx {
	syslog_match_fn fn;
	void *ctx;
};

static void on_sweep_hit(void *ctx, const struct sweep_hit *h)
{
	struct line_ctx *l = ctx;
	const char *kind = h->kind == SWEEP_IP ? "ip" : h->kind == SWEEP_DOMAIN ? "domain" :
			   h->kind == SWEEP_URL ? "url" : h->kind == SWEEP_EMAIL ? "email" : NULL;
	if (kind)
		l->fn(l->ctx, kind, h->indicator, h->match, NULL);
}

/* Hex runs of 32, 40 or 64 digits standing alone (not inside a longer word). */
static size_t match_hashes(const struct syslog_matcher *m, const char *t, size_t n,
			   syslog_match_fn fn, void *ctx)
{
	size_t hits = 0, i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)t[i];
		if (!m->hex[c]) {
			i++;
			continue;
		}
		size_t b = i;
		while (i < n && m->hex[(unsigned char)t[i]])
			i++;
		size_t len = i - b;
		int alone = (b == 0 || !(((unsigned char)t[b - 1] | 32) >= 'a' &&
					 ((unsigned char)t[b - 1] | 32) <= 'z')) &&
			    (i == n || !(((unsigned char)t[i] | 32) >= 'a' &&
					 ((unsigned char)t[i] | 32) <= 'z'));
		if (!alone || (len != 32 && len != 40 && len != 64))
			continue;
		char key[65];
		for (size_t k = 0; k < len; k++) {
			unsigned char h = (unsigned char)t[b + k];
			key[k] = (char)(m->hex[h] == 3 ? h + 32 : h);
		}
		key[len] = '\0';
		const char (*found)[65] = bsearch(key, m->hashes, m->nhash, sizeof(*m->hashes),
						  hash_cmp);
		if (found) {
			fn(ctx, "hash", *found, *found, NULL);
			hits++;
		}
	}
	return hits;
}

size_t syslog_matcher_line(const struct syslog_matcher *m, const char *text, size_t n,
			   syslog_match_fn fn, void *ctx)
{
	struct line_ctx l = { fn, ctx };
	size_t hits = sweep_log_line(m->set, text, n, 0, on_sweep_hit, &l);
	if (m->nhash)
		hits += match_hashes(m, text, n, fn, ctx);
	for (size_t i = 0; i < m->nrules; i++) {
		if (regexec(&m->rules[i].re, text, 0, NULL, 0) == 0) {
			fn(ctx, "rule", m->rules[i].name, m->rules[i].name, m->rules[i].severity);
			hits++;
		}
	}
	return hits;
}

/* ---- the daemon ---- */

struct qitem {
	char *line;
	size_t n;
	char source[64];
	int64_t at;
};

#define RATE_SLOTS 4096
#define MAX_GROUPS 512

struct host_addr {
	char addr[64];
	char org_id[UUID_LEN];
	size_t seq;
};

struct tcp_client {
	int fd;
	char source[64];
	struct sockaddr_storage sa;
	struct syslog_framer fr;
	int64_t last;
};

struct syslogd {
	struct syslogd_conf conf;
	char db_path[1024];
	const struct rules *rules;
	int udp_fd, tcp_fd;
	pthread_t udp_thread, tcp_thread, worker;
	int udp_started, tcp_started, worker_started;
	atomic_int stop;
	/* the queue */
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct qitem *q;
	size_t qhead, qlen;
	/* per-sender token buckets */
	pthread_mutex_t rlock;
	struct { uint64_t key; double tokens; int64_t last; } rate[RATE_SLOTS];
	/* worker state */
	struct syslog_matcher *m;
	long long ind_count, ind_updated;
	int64_t ind_checked;
	struct alert_group *groups;
	size_t ngroups;
	struct host_addr *hosts;       /* the registry's addresses, sorted */
	size_t nhosts, caphosts;
	char home[UUID_LEN];
	struct ctx *cur_ctx;
	const char *cur_org, *cur_source, *cur_host, *cur_line;
	size_t cur_len;
	int64_t cur_at;
};

static uint64_t fnv(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h | 1;
}

/* A token bucket per sender: rate a second, burst twice that. */
static int rate_ok(struct syslogd *d, const char *source)
{
	uint64_t k = fnv(source, strlen(source));
	int64_t now = time_now_ms();
	double cap = 2.0 * d->conf.rate;
	pthread_mutex_lock(&d->rlock);
	size_t i = k & (RATE_SLOTS - 1);
	if (d->rate[i].key != k) {
		d->rate[i].key = k;
		d->rate[i].tokens = cap;
		d->rate[i].last = now;
	}
	double t = d->rate[i].tokens + (double)(now - d->rate[i].last) * d->conf.rate / 1000.0;
	d->rate[i].tokens = t > cap ? cap : t;
	d->rate[i].last = now;
	int ok = d->rate[i].tokens >= 1.0;
	if (ok)
		d->rate[i].tokens -= 1.0;
	pthread_mutex_unlock(&d->rlock);
	return ok;
}

static void count(int which)
{
	atomic_fetch_add(&syslog_counters[which], 1);
}

static void count_refusal(int r)
{
	static const int map[SYSLOG__REFUSALS] = {
		[SYSLOG_EMPTY] = SLC_REFUSED_EMPTY, [SYSLOG_TOO_LONG] = SLC_REFUSED_TOO_LONG,
		[SYSLOG_BAD_PRI] = SLC_REFUSED_BAD_PRI, [SYSLOG_BAD_HEADER] = SLC_REFUSED_BAD_HEADER,
		[SYSLOG_BAD_UTF8] = SLC_REFUSED_BAD_UTF8,
	};
	if (r > 0 && r < SYSLOG__REFUSALS)
		count(map[r]);
}

/* Lines accepted by a receiver, queued together: one lock and one wake-up
 * for a batch of datagrams. */
#define PENDING_MAX 64
struct pending {
	struct qitem it[PENDING_MAX];
	size_t n;
};

static void pending_flush(struct syslogd *d, struct pending *pd)
{
	if (pd->n == 0)
		return;
	size_t i = 0;
	pthread_mutex_lock(&d->qlock);
	for (; i < pd->n && d->qlen < d->conf.queue; i++) {
		d->q[(d->qhead + d->qlen) % d->conf.queue] = pd->it[i];
		d->qlen++;
	}
	pthread_cond_signal(&d->qcond);
	pthread_mutex_unlock(&d->qlock);
	for (size_t k = i; k < pd->n; k++) {
		free(pd->it[k].line);
		count(SLC_QUEUE_FULL);
	}
	pd->n = 0;
}

/* A message from a sender: counted, rate-limited, copied into pd (queued
 * when pd is full or flushed). */
static void submit(struct syslogd *d, struct pending *pd, const char *source, const char *p,
		   size_t n, int refusal)
{
	count(SLC_RECEIVED);
	if (refusal != SYSLOG_OK) {
		count_refusal(refusal);
		return;
	}
	if (!rate_ok(d, source)) {
		count(SLC_RATE_LIMITED);
		return;
	}
	char *copy = malloc(n + 1);
	if (copy == NULL) {
		count(SLC_QUEUE_FULL);
		return;
	}
	memcpy(copy, p, n);
	copy[n] = '\0';
	if (pd->n == PENDING_MAX)
		pending_flush(d, pd);
	struct qitem *it = &pd->it[pd->n++];
	it->line = copy;
	it->n = n;
	snprintf(it->source, sizeof(it->source), "%s", source);
	it->at = time_now_ms();
}

static void addr_text(const struct sockaddr_storage *sa, char out[64])
{
	if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, s6->sin6_addr.s6_addr + 12, out, 64);
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, out, 64);
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, 64);
	}
}

static int split_addr(const char *spec, char host[64], char port[8])
{
	const char *colon;
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= 64)
			return -1;
		snprintf(host, 64, "%.*s", (int)(close - spec - 1), spec + 1);
		colon = close + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || (size_t)(colon - spec) >= 64)
			return -1;
		snprintf(host, 64, "%.*s", (int)(colon - spec), spec);
	}
	if (num(colon + 1, 1, 65535) == 0)
		return -1;
	snprintf(port, 8, "%s", colon + 1);
	return 0;
}

static int open_socket(const char *spec, int type, struct err *e)
{
	char host[64], port[8];
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t len;
	if (split_addr(spec, host, port) != 0)
		return err_set(e, E_INVALID, MSG_SYSLOG_BAD_LISTEN, spec);
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)(void *)&ss)->sin_addr) == 1) {
		struct sockaddr_in *s4 = (void *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)atoi(port));
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)(void *)&ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *s6 = (void *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)atoi(port));
		len = sizeof(*s6);
	} else {
		return err_set(e, E_INVALID, MSG_SYSLOG_BAD_LISTEN, spec);
	}
	int fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(e, E_IO, MSG_SYSLOG_BAD_LISTEN, spec);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (type == SOCK_DGRAM) {
		int buf = 8 * 1024 * 1024;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	}
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 ||
	    (type == SOCK_STREAM && listen(fd, 64) != 0)) {
		close(fd);
		return err_set(e, E_IO, MSG_SYSLOG_BAD_LISTEN, spec);
	}
	return fd;
}

#define UDP_BATCH 32

static void *udp_main(void *arg)
{
	struct syslogd *d = arg;
	size_t cap = d->conf.max_line + 1;
	char *buf = malloc(cap * UDP_BATCH);
	struct pending *pd = calloc(1, sizeof(*pd));
	struct mmsghdr msgs[UDP_BATCH];
	struct iovec iov[UDP_BATCH];
	struct sockaddr_storage sa[UDP_BATCH];
	if (buf == NULL || pd == NULL) {
		free(buf);
		free(pd);
		return NULL;
	}
	struct pollfd p = { .fd = d->udp_fd, .events = POLLIN };
	char src[64] = "", last[sizeof(struct sockaddr_storage)];
	socklen_t last_len = 0;
	while (!atomic_load(&d->stop)) {
		if (poll(&p, 1, 200) <= 0)
			continue;
		for (int burst = 0; burst < 64; burst++) {
			for (int i = 0; i < UDP_BATCH; i++) {
				iov[i] = (struct iovec){ buf + (size_t)i * cap, cap };
				memset(&msgs[i], 0, sizeof(msgs[i]));
				msgs[i].msg_hdr.msg_iov = &iov[i];
				msgs[i].msg_hdr.msg_iovlen = 1;
				msgs[i].msg_hdr.msg_name = &sa[i];
				msgs[i].msg_hdr.msg_namelen = sizeof(sa[i]);
			}
			int got = recvmmsg(d->udp_fd, msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
			if (got <= 0)
				break;
			for (int i = 0; i < got; i++) {
				socklen_t sl = msgs[i].msg_hdr.msg_namelen;
				/* most datagrams of a burst come from one sender */
				if (sl != last_len || memcmp(last, &sa[i], sl) != 0) {
					addr_text(&sa[i], src);
					memcpy(last, &sa[i], sl);
					last_len = sl;
				}
				if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)
					submit(d, pd, src, NULL, 0, SYSLOG_TOO_LONG);
				else
					submit(d, pd, src, buf + (size_t)i * cap, msgs[i].msg_len,
					       SYSLOG_OK);
			}
			pending_flush(d, pd);
		}
	}
	pending_flush(d, pd);
	free(pd);
	free(buf);
	return NULL;
}

struct frame_ctx {
	struct syslogd *d;
	struct pending *pd;
	const char *source;
};

static void on_frame(void *ctx, const char *p, size_t n, int refusal)
{
	struct frame_ctx *f = ctx;
	submit(f->d, f->pd, f->source, p, n, refusal);
}

static void tcp_close(struct tcp_client *c)
{
	close(c->fd);
	syslog_framer_release(&c->fr);
	c->fd = -1;
}

static void *tcp_main(void *arg)
{
	struct syslogd *d = arg;
	size_t max = d->conf.tcp_max;
	struct tcp_client *cl = calloc(max, sizeof(*cl));
	struct pollfd *p = calloc(max + 1, sizeof(*p));
	char *buf = malloc(64 * 1024);
	struct pending *pd = calloc(1, sizeof(*pd));
	if (cl == NULL || p == NULL || buf == NULL || pd == NULL)
		goto out;
	for (size_t i = 0; i < max; i++)
		cl[i].fd = -1;
	while (!atomic_load(&d->stop)) {
		size_t np = 0;
		p[np++] = (struct pollfd){ .fd = d->tcp_fd, .events = POLLIN };
		size_t idx[1024];
		for (size_t i = 0; i < max && np <= max; i++) {
			if (cl[i].fd < 0)
				continue;
			idx[np] = i;
			p[np++] = (struct pollfd){ .fd = cl[i].fd, .events = POLLIN };
		}
		if (poll(p, np, 200) <= 0)
			continue;
		int64_t now = time_now_ms();
		if (p[0].revents & POLLIN) {
			struct sockaddr_storage sa;
			socklen_t sl = sizeof(sa);
			int fd = accept4(d->tcp_fd, (struct sockaddr *)&sa, &sl, SOCK_CLOEXEC);
			if (fd >= 0) {
				/* at most a quarter of the connections from one sender, so that
				 * one device cannot shut the others out */
				char src[64];
				addr_text(&sa, src);
				size_t k = 0, same = 0, per = max / 4 ? max / 4 : 1;
				for (size_t j = 0; j < max; j++)
					same += cl[j].fd >= 0 && strcmp(cl[j].source, src) == 0;
				while (k < max && cl[k].fd >= 0)
					k++;
				if (k == max || same >= per ||
				    syslog_framer_init(&cl[k].fr, d->conf.max_line) != 0) {
					close(fd); /* full: the sender retries later */
					count(SLC_TCP_REFUSED);
				} else {
					cl[k].fd = fd;
					cl[k].last = now;
					snprintf(cl[k].source, sizeof(cl[k].source), "%s", src);
				}
			}
		}
		for (size_t j = 1; j < np; j++) {
			struct tcp_client *c = &cl[idx[j]];
			if (!(p[j].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = recv(c->fd, buf, 64 * 1024, 0);
			struct frame_ctx f = { d, pd, c->source };
			if (n <= 0) {
				syslog_framer_end(&c->fr, on_frame, &f);
				tcp_close(c);
				continue;
			}
			c->last = now;
			if (syslog_framer_feed(&c->fr, buf, (size_t)n, on_frame, &f) != 0) {
				count(SLC_TCP_CLOSED_BAD);
				tcp_close(c);
			}
		}
		pending_flush(d, pd);
		/* idle ones: ten minutes without a byte */
		for (size_t i = 0; i < max; i++)
			if (cl[i].fd >= 0 && now - cl[i].last > 600000)
				tcp_close(&cl[i]);
	}
	for (size_t i = 0; cl && i < max; i++)
		if (cl[i].fd >= 0)
			tcp_close(&cl[i]);
out:
	if (pd)
		pending_flush(d, pd);
	free(pd);
	free(cl);
	free(p);
	free(buf);
	return NULL;
}

/* ---- the worker ---- */

static int in_prefix(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;
	if (memcmp(a, b, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	unsigned char mask = (unsigned char)(0xFF << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

static const char *org_of(struct syslogd *d, const char *source)
{
	unsigned char a[16];
	int fam = inet_pton(AF_INET, source, a) == 1 ? AF_INET :
		  inet_pton(AF_INET6, source, a) == 1 ? AF_INET6 : 0;
	for (size_t i = 0; i < d->conf.nsources; i++) {
		const struct syslogd_source *s = &d->conf.sources[i];
		if (s->family == fam && in_prefix(a, s->addr, s->prefix))
			return s->org_id;
	}
	struct host_addr key;
	snprintf(key.addr, sizeof(key.addr), "%s", source);
	size_t lo = 0, hi = d->nhosts;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(d->hosts[mid].addr, key.addr);
		if (c == 0)
			return d->hosts[mid].org_id;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return d->home[0] ? d->home : NULL;
}

/* Copies at most cap-1 bytes of s (n bytes), cut at a character boundary. */
static void copy_utf8(char *out, size_t cap, const char *s, size_t n)
{
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

static int flush(struct syslogd *d, struct ctx *c)
{
	if (d->ngroups == 0)
		return 0;
	struct err e = { 0 };
	int rc = alert_record(c, d->groups, d->ngroups, d->conf.window_ms, &e);
	if (rc != 0) {
		char why[300];
		log_error("syslog: %zu alert groups not stored: %s", d->ngroups,
			  err_text(&e, LANG_EN, why, sizeof(why)));
		atomic_fetch_add(&syslog_counters[SLC_STORE_FAILED], (long long)d->ngroups);
	}
	d->ngroups = 0;
	return rc;
}

static void on_match(void *ctx, const char *kind, const char *key, const char *observed,
		     const char *severity)
{
	struct syslogd *d = ctx;
	struct alert_group *g = NULL;
	for (size_t i = 0; i < d->ngroups; i++) {
		if (strcmp(d->groups[i].org_id, d->cur_org) == 0 &&
		    strcmp(d->groups[i].kind, kind) == 0 && strcmp(d->groups[i].key, key) == 0) {
			g = &d->groups[i];
			break;
		}
	}
	if (g == NULL) {
		if (d->ngroups == MAX_GROUPS)
			flush(d, d->cur_ctx); /* a line with very many hits: none is lost */
		g = &d->groups[d->ngroups++];
		memset(g, 0, sizeof(*g));
		snprintf(g->org_id, sizeof(g->org_id), "%s", d->cur_org);
		snprintf(g->kind, sizeof(g->kind), "%s", kind);
		copy_utf8(g->key, sizeof(g->key), key, strlen(key));
		g->first = d->cur_at;
	}
	g->count++;
	g->last = d->cur_at;
	snprintf(g->severity, sizeof(g->severity), "%s", severity ? severity : "high");
	snprintf(g->source, sizeof(g->source), "%s", d->cur_source);
	copy_utf8(g->host, sizeof(g->host), d->cur_host, strlen(d->cur_host));
	copy_utf8(g->observed, sizeof(g->observed), observed, strlen(observed));
	copy_utf8(g->sample, sizeof(g->sample), d->cur_line, d->cur_len);
	count(SLC_MATCHED);
}

static void one_line(struct syslogd *d, struct ctx *c, struct qitem *it)
{
	struct syslog_msg m;
	count(SLC_PROCESSED);
	int r = syslog_parse(it->line, it->n, d->conf.max_line, &m);
	if (r != SYSLOG_OK) {
		count_refusal(r);
		return;
	}
	const char *org = org_of(d, it->source);
	if (org == NULL) {
		count(SLC_STORE_FAILED);
		return;
	}
	if (d->ngroups + 8 > MAX_GROUPS)
		flush(d, c);
	char host[256];
	copy_utf8(host, sizeof(host), m.host ? m.host : "", m.host_len);
	d->cur_ctx = c;
	d->cur_org = org;
	d->cur_source = it->source;
	d->cur_host = host;
	d->cur_line = it->line;
	d->cur_len = it->n;
	while (d->cur_len && (it->line[d->cur_len - 1] == '\n' || it->line[d->cur_len - 1] == '\r'))
		d->cur_len--;
	d->cur_at = m.time_ms > 0 && m.time_ms <= it->at + 60000 ? m.time_ms : it->at;
	/* the structured data and the message: the header names the sender */
	const char *text = m.sd ? m.sd : m.msg;
	size_t n = (size_t)(it->line + it->n - text);
	syslog_matcher_line(d->m, text, n, on_match, d);
}

/* Loads the indicators again when they changed (count or newest update). */
static void add_indicator(void *arg, const char *kind, const char *value)
{
	syslog_matcher_add(arg, kind, value);
}

static int host_cmp(const void *a, const void *b)
{
	const struct host_addr *x = a, *y = b;
	int c = strcmp(x->addr, y->addr);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static void add_host(void *arg, const char *addr, const char *org_id)
{
	struct syslogd *d = arg;
	if (strlen(addr) >= sizeof(d->hosts[0].addr))
		return;
	if (d->nhosts == d->caphosts) {
		size_t cap = d->caphosts ? d->caphosts * 2 : 256;
		void *p = realloc(d->hosts, cap * sizeof(*d->hosts));
		if (p == NULL)
			return;
		d->hosts = p;
		d->caphosts = cap;
	}
	struct host_addr *h = &d->hosts[d->nhosts];
	snprintf(h->addr, sizeof(h->addr), "%s", addr);
	snprintf(h->org_id, sizeof(h->org_id), "%s", org_id);
	h->seq = d->nhosts++;
}

/* The hosts registry's addresses, in memory: a sender's organisation costs
 * no query, whatever addresses a flood comes from. The oldest host of an
 * address wins. */
static void reload_hosts(struct syslogd *d, struct ctx *c)
{
	struct err e = { 0 };
	d->nhosts = 0;
	if (alert_host_addresses(c, add_host, d, &e) != 0)
		d->nhosts = 0;
	if (d->nhosts > 1) /* qsort(NULL, 0) is undefined */
		qsort(d->hosts, d->nhosts, sizeof(*d->hosts), host_cmp);
	size_t w = 0;
	for (size_t i = 0; i < d->nhosts; i++)
		if (w == 0 || strcmp(d->hosts[w - 1].addr, d->hosts[i].addr) != 0)
			d->hosts[w++] = d->hosts[i];
	d->nhosts = w;
	if (alert_home_org(c, d->home, &e) != 0)
		d->home[0] = '\0';
}

/* Loads the indicators again when they changed (count or newest update),
 * and the hosts' addresses every time. */
static void reload(struct syslogd *d, struct ctx *c, int force)
{
	struct err e = { 0 };
	reload_hosts(d, c);
	long long n = 0, upd = 0;
	if (alert_indicators_mark(c, &n, &upd, &e) != 0)
		return;
	if (!force && n == d->ind_count && upd == d->ind_updated)
		return;
	struct syslog_matcher *m = syslog_matcher_new();
	if (m == NULL)
		return;
	for (size_t i = 0; i < d->conf.nrules; i++)
		syslog_matcher_rule(m, d->conf.rules[i].name, d->conf.rules[i].severity,
				    d->conf.rules[i].pattern);
	if (alert_indicators_each(c, add_indicator, m, &e) != 0) {
		syslog_matcher_free(m);
		return;
	}
	syslog_matcher_finish(m);
	syslog_matcher_free(d->m);
	d->m = m;
	d->ind_count = n;
	d->ind_updated = upd;
	atomic_store(&syslog_indicators, (long long)syslog_matcher_count(m));
	log_info("syslog: matching %zu indicators, %zu rules", syslog_matcher_count(m),
		 d->conf.nrules);
}

static void *worker_main(void *arg)
{
	struct syslogd *d = arg;
	struct err e = { 0 };
	struct store *db = store_open(d->db_path, &e);
	if (db == NULL) {
		log_error("syslog: cannot open the database");
		return NULL;
	}
	struct actor sys;
	actor_system(&sys);
	struct ctx c = { .db = db, .rules = d->rules, .actor = &sys, .lang = LANG_EN };
	reload(d, &c, 1);
	int64_t last_flush = time_now_ms();
	for (;;) {
		pthread_mutex_lock(&d->qlock);
		if (d->qlen == 0 && !atomic_load(&d->stop)) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&d->qcond, &d->qlock, &ts);
		}
		/* take up to 256 lines at once */
		struct qitem batch[256];
		size_t nb = 0;
		while (d->qlen > 0 && nb < 256) {
			batch[nb++] = d->q[d->qhead];
			d->qhead = (d->qhead + 1) % d->conf.queue;
			d->qlen--;
		}
		int stopping = atomic_load(&d->stop) && nb == 0;
		pthread_mutex_unlock(&d->qlock);
		for (size_t i = 0; i < nb; i++) {
			one_line(d, &c, &batch[i]);
			free(batch[i].line);
		}
		int64_t now = time_now_ms();
		if (now - last_flush >= 1000 || stopping) {
			flush(d, &c);
			last_flush = now;
		}
		if (now - d->ind_checked >= d->conf.reload_ms) {
			reload(d, &c, 0);
			d->ind_checked = now;
		}
		if (stopping)
			break;
	}
	store_close(db);
	return NULL;
}

struct syslogd *syslogd_start(const struct syslogd_conf *conf, const char *db_path,
			      const struct rules *rules, struct err *e)
{
	struct syslogd *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	d->conf = *conf;
	d->rules = rules;
	d->udp_fd = d->tcp_fd = -1;
	snprintf(d->db_path, sizeof(d->db_path), "%s", db_path);
	pthread_mutex_init(&d->qlock, NULL);
	pthread_cond_init(&d->qcond, NULL);
	pthread_mutex_init(&d->rlock, NULL);
	d->q = calloc(d->conf.queue, sizeof(*d->q));
	d->groups = calloc(MAX_GROUPS, sizeof(*d->groups));
	if (d->q == NULL || d->groups == NULL) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		goto fail;
	}
	/* the configured sources' organisations must exist */
	struct store *db = store_open(db_path, e);
	if (db == NULL)
		goto fail;
	struct actor sys;
	actor_system(&sys);
	struct ctx c = { .db = db, .rules = rules, .actor = &sys, .lang = LANG_EN };
	for (size_t i = 0; i < d->conf.nsources; i++) {
		if (alert_org_id(&c, d->conf.sources[i].org_code, d->conf.sources[i].org_id, e) != 0) {
			err_clear(e);
			err_set(e, E_INVALID, MSG_SYSLOG_BAD_SOURCE, d->conf.sources[i].org_code);
			store_close(db);
			goto fail;
		}
	}
	store_close(db);
	if (d->conf.udp[0] && (d->udp_fd = open_socket(d->conf.udp, SOCK_DGRAM, e)) < 0)
		goto fail;
	if (d->conf.tcp[0] && (d->tcp_fd = open_socket(d->conf.tcp, SOCK_STREAM, e)) < 0)
		goto fail;
	if (pthread_create(&d->worker, NULL, worker_main, d) != 0)
		goto fail_thread;
	d->worker_started = 1;
	if (d->udp_fd >= 0) {
		if (pthread_create(&d->udp_thread, NULL, udp_main, d) != 0)
			goto fail_thread;
		d->udp_started = 1;
	}
	if (d->tcp_fd >= 0) {
		if (pthread_create(&d->tcp_thread, NULL, tcp_main, d) != 0)
			goto fail_thread;
		d->tcp_started = 1;
	}
	atomic_store(&syslog_running, 1);
	return d;
fail_thread:
	err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
fail:
	syslogd_stop(d);
	return NULL;
}

void syslogd_stop(struct syslogd *d)
{
	if (d == NULL)
		return;
	atomic_store(&d->stop, 1);
	pthread_mutex_lock(&d->qlock);
	pthread_cond_broadcast(&d->qcond);
	pthread_mutex_unlock(&d->qlock);
	if (d->udp_started)
		pthread_join(d->udp_thread, NULL);
	if (d->tcp_started)
		pthread_join(d->tcp_thread, NULL);
	if (d->worker_started)
		pthread_join(d->worker, NULL);
	if (d->udp_fd >= 0)
		close(d->udp_fd);
	if (d->tcp_fd >= 0)
		close(d->tcp_fd);
	for (size_t i = 0; d->q && i < d->qlen; i++)
		free(d->q[(d->qhead + i) % d->conf.queue].line);
	free(d->q);
	free(d->groups);
	free(d->hosts);
	syslog_matcher_free(d->m);
	pthread_mutex_destroy(&d->qlock);
	pthread_cond_destroy(&d->qcond);
	pthread_mutex_destroy(&d->rlock);
	atomic_store(&syslog_running, 0);
	free(d);
}
