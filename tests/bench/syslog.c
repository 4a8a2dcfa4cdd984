/*
 * syslog.c - the syslog intake bench (tests/bench/syslog.sh):
 *   1. in process, one core: syslog_parse + the matcher (loaded from the
 *      database's indicators as the server loads them) over every line of
 *      LINES, as many rounds as fit in ~3 s: lines/s;
 *   2. the UDP path: the server's listener (syslogd_start on loopback, all
 *      its threads) while one thread sends LINES as datagrams as fast as
 *      the kernel takes them (sendmmsg, 64 a call) for SECONDS: lines/s
 *      sent, received by the listener, read by the worker, and where lines
 *      were lost (the kernel's socket buffer, the queue).
 * usage: bench_syslog DB LINES_FILE [SECONDS]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "domain/duty/alert.h"
#include "domain/duty/syslog_line.h"
#include "store/store.h"
#include "syslogd/syslogd.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_match(void *ctx, const char *kind, const char *key, const char *observed,
		     const char *severity)
{
	(void)kind; (void)key; (void)observed; (void)severity;
	(*(size_t *)ctx)++;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_syslog DB LINES_FILE [SECONDS]\n");
		return 2;
	}
	double seconds = argc > 3 ? atof(argv[3]) : 5;
	log_set_level(LOG_ERROR);
	FILE *f = fopen(argv[2], "rb");
	if (f == NULL)
		return 2;
	size_t cap = 1 << 20, nlines = 0;
	char **lines = malloc(cap * sizeof(*lines));
	size_t *lens = malloc(cap * sizeof(*lens));
	char buf[SYSLOG_LINE_MAX];
	while (fgets(buf, sizeof(buf), f) && nlines < cap) {
		size_t n = strlen(buf);
		while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		lines[nlines] = strdup(buf);
		lens[nlines++] = n;
	}
	fclose(f);

	/* 1. in process */
	struct err e = { 0 };
	struct store *db = store_open(argv[1], &e);
	if (db == NULL)
		return 2;
	struct syslog_matcher *m = syslog_matcher_new();
	struct stmt *st = store_query(db, &e, "SELECT kind, value FROM indicators", "");
	while (st && stmt_step(st, &e) == 1)
		syslog_matcher_add(m, stmt_text(st, 0), stmt_text(st, 1));
	stmt_done(st);
	syslog_matcher_finish(m);
	store_close(db);
	size_t hits = 0, done = 0;
	double t0 = now_s(), t;
	do {
		for (size_t i = 0; i < nlines; i++) {
			struct syslog_msg msg;
			if (syslog_parse(lines[i], lens[i], SYSLOG_LINE_DEFAULT, &msg) != SYSLOG_OK)
				continue;
			const char *text = msg.sd ? msg.sd : msg.msg;
			syslog_matcher_line(m, text, (size_t)(lines[i] + lens[i] - text), on_match,
					    &hits);
		}
		done += nlines;
		t = now_s() - t0;
	} while (t < 3.0);
	printf("in process   %zu indicators, %zu lines, %.0f lines/s on one core (%.2f%% of lines hit)\n",
	       syslog_matcher_count(m), done, (double)done / t, 100.0 * (double)hits / (double)done);
	syslog_matcher_free(m);

	/* 2. the UDP path */
	struct syslogd_conf conf;
	syslogd_conf_default(&conf);
	int port = 20000 + (int)(getpid() % 20000);
	char spec[64];
	snprintf(spec, sizeof(spec), "127.0.0.1:%d", port);
	syslogd_conf_set(&conf, "udp", spec);
	syslogd_conf_set(&conf, "rate", "1000000");
	syslogd_conf_set(&conf, "queue", "100000");
	struct rules rules;
	rules_default(&rules);
	struct syslogd *d = syslogd_start(&conf, argv[1], &rules, &e);
	if (d == NULL) {
		fprintf(stderr, "bench_syslog: the listener did not start (%d)\n", e.code);
		return 2;
	}
	/* wait for the worker's first load of the indicators */
	for (int i = 0; i < 600 && syslog_indicators == 0; i++)
		usleep(50000);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	long long sent = 0;
	long long r0 = syslog_counters[SLC_RECEIVED], p0 = syslog_counters[SLC_PROCESSED];
	t0 = now_s();
	size_t i = 0;
	/* sendmmsg, 64 datagrams a call: the sender should not be the limit */
	struct mmsghdr mm[64];
	struct iovec iov[64];
	while ((t = now_s() - t0) < seconds) {
		for (int k = 0; k < 64; k++, i = (i + 1) % nlines) {
			iov[k] = (struct iovec){ lines[i], lens[i] };
			memset(&mm[k], 0, sizeof(mm[k]));
			mm[k].msg_hdr.msg_iov = &iov[k];
			mm[k].msg_hdr.msg_iovlen = 1;
			mm[k].msg_hdr.msg_name = &to;
			mm[k].msg_hdr.msg_namelen = sizeof(to);
		}
		int n = sendmmsg(s, mm, 64, 0);
		if (n > 0)
			sent += n;
	}
	double send_t = now_s() - t0;
	long long recv_at_end = syslog_counters[SLC_RECEIVED] - r0;
	/* let the worker drain its queue */
	long long last = -1;
	while (syslog_counters[SLC_PROCESSED] != last) {
		last = syslog_counters[SLC_PROCESSED];
		usleep(300000);
	}
	double total_t = now_s() - t0 - 0.3;
	long long received = syslog_counters[SLC_RECEIVED] - r0;
	long long processed = syslog_counters[SLC_PROCESSED] - p0;
	printf("UDP path     sent %.0f lines/s; the listener received %.0f/s (%lld lost in the kernel's "
	       "socket buffer); the worker read %.0f/s (%lld dropped at the full queue)\n",
	       (double)sent / send_t, (double)recv_at_end / send_t, sent - received,
	       (double)processed / total_t, (long long)syslog_counters[SLC_QUEUE_FULL]);
	printf("alerts       %lld matches grouped; %lld groups not stored\n",
	       (long long)syslog_counters[SLC_MATCHED], (long long)syslog_counters[SLC_STORE_FAILED]);
	syslogd_stop(d);
	close(s);
	for (size_t k = 0; k < nlines; k++)
		free(lines[k]);
	free(lines);
	free(lens);
	return 0;
}
