/*
 * fuzz_syslog.c - syslog intake's line reader (domain/duty/syslog_line.c)
 * and matcher (syslogd/syslogd.c) on bytes from the network:
 *   - syslog_parse on the whole input: accepted or refused with a reason,
 *     and what it points at lies inside the input, UTF-8, within the limit;
 *   - the TCP framer on the input fed in three pieces (cut where its first
 *     bytes say): frames are never longer than the limit, never more bytes
 *     than came in, and each is parsed in turn;
 *   - the matcher (indicators of every kind it reads, a rule) on each
 *     accepted message's text: every hit names a kind and a key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "domain/duty/syslog_line.h"
#include "syslogd/syslogd.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

#define LIMIT 512

static struct syslog_matcher *the_matcher(void)
{
	static struct syslog_matcher *m;
	if (m == NULL) {
		m = syslog_matcher_new();
		if (m == NULL)
			abort();
		syslog_matcher_add(m, "ipv4", "192.0.2.10");
		syslog_matcher_add(m, "cidr", "198.51.100.0/24");
		syslog_matcher_add(m, "ipv6", "2001:db8::1");
		syslog_matcher_add(m, "domain", "evil.example");
		syslog_matcher_add(m, "url", "http://evil.example/gate.php");
		syslog_matcher_add(m, "email", "bad@evil.example");
		syslog_matcher_add(m, "md5", "44d88612fea8a8f36de82e1278abb02f");
		syslog_matcher_add(m, "sha256",
				   "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f");
		if (syslog_matcher_rule(m, "root", "high", "Failed password for (root|admin)") != 0 ||
		    syslog_matcher_finish(m) != 0)
			abort();
	}
	return m;
}

static void on_match(void *ctx, const char *kind, const char *key, const char *observed,
		     const char *severity)
{
	(void)severity;
	if (kind == NULL || key == NULL || observed == NULL || *key == '\0')
		abort();
	(*(size_t *)ctx)++;
}

static void inside(const char *p, size_t len, const char *b, size_t n)
{
	if (p && (p < b || p + len > b + n))
		abort();
}

static void one(const char *p, size_t n)
{
	struct syslog_msg m;
	int r = syslog_parse(p, n, LIMIT, &m);
	if (r < 0 || r >= SYSLOG__REFUSALS)
		abort();
	if (r != SYSLOG_OK)
		return;
	/* trailing line ends (any number: a datagram may carry several) are
	 * not the message; what is left is within the limit */
	size_t k = n;
	while (k > 0 && (p[k - 1] == '\n' || p[k - 1] == '\r'))
		k--;
	if (k > LIMIT || !utf8_valid(p, n))
		abort();
	inside(m.host, m.host_len, p, n);
	inside(m.app, m.app_len, p, n);
	inside(m.msg, m.msg_len, p, n);
	inside(m.sd, m.sd_len, p, n);
	if (m.facility < 0 || m.facility > 23 || m.severity < 0 || m.severity > 7)
		abort();
	const char *text = m.sd ? m.sd : m.msg;
	if (text == NULL)
		return;
	size_t len = (size_t)(p + n - text);
	char *z = malloc(len + 1);
	if (z == NULL)
		return;
	memcpy(z, text, len);
	z[len] = '\0';
	size_t seen = 0;
	size_t hits = syslog_matcher_line(the_matcher(), z, len, on_match, &seen);
	if (hits != seen)
		abort();
	free(z);
}

struct fr {
	size_t bytes, total;
};

static void on_frame(void *ctx, const char *p, size_t n, int refusal)
{
	struct fr *f = ctx;
	if (refusal == SYSLOG_TOO_LONG) {
		if (p != NULL || n != 0)
			abort();
		return;
	}
	if (refusal != SYSLOG_OK || n > LIMIT)
		abort();
	f->bytes += n;
	if (f->bytes > f->total)
		abort();
	one(p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	one((const char *)d, n);
	struct syslog_framer fr;
	if (syslog_framer_init(&fr, LIMIT) != 0)
		return 0;
	struct fr f = { 0, n };
	size_t a = n ? d[0] % (n + 1) : 0;
	size_t b = n > 1 ? a + d[1] % (n - a + 1) : a;
	int rc = syslog_framer_feed(&fr, (const char *)d, a, on_frame, &f);
	if (rc == 0)
		rc = syslog_framer_feed(&fr, (const char *)d + a, b - a, on_frame, &f);
	if (rc == 0)
		rc = syslog_framer_feed(&fr, (const char *)d + b, n - b, on_frame, &f);
	if (rc == 0)
		syslog_framer_end(&fr, on_frame, &f);
	syslog_framer_release(&fr);
	return 0;
}
