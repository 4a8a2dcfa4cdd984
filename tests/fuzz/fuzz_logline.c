/*
 * fuzz_logline.c - the sweep's log reader (agent/sweep_log.c) on bytes from
 * a log: sweep_log_line on the whole input as one line, and the streaming
 * reader (lines across reads, gzip when the input starts with its magic)
 * on the input fed in two pieces cut where its first byte says. The set
 * holds every kind a log is searched for, CIDR blocks of both families and
 * domains with parents, so every branch of the tokenizer is reachable.
 * Invariants: every hit names an indicator of a log kind and what matched;
 * a line reports as many hits as it says; the streaming reader numbers
 * lines from 1 and never past the input's newlines + 1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/sweep_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static const char indicators[] =
	"192.0.2.10\n198.51.100.0/24\n10.0.0.0/8\n0.0.0.0/1\n"
	"2001:db8::1\n2001:db8:aa::/48\n::ffff:192.0.2.1\nfe80::/10\n"
	"evil.example\ncdn.good.example\nxn--bcher-kva.example\nexample.org\n"
	"http://evil.example/gate.php\nhttps://x.example:8080/a?b=1\nevil.example/x\n"
	"bad.guy@evil.example\nroot@example.org\n";

struct count {
	size_t hits;
	long max_line;
};

static void on_hit(void *ctx, const struct sweep_hit *h)
{
	struct count *c = ctx;
	if (h->indicator == NULL || h->match == NULL || h->line < 1)
		abort();
	if (h->kind != SWEEP_IP && h->kind != SWEEP_DOMAIN && h->kind != SWEEP_URL &&
	    h->kind != SWEEP_EMAIL)
		abort();
	c->hits++;
	if (h->line > c->max_line)
		c->max_line = h->line;
}

static struct sweep_set *the_set(void)
{
	static struct sweep_set *s;
	if (s == NULL) {
		struct err e = { 0 };
		s = sweep_set_new(NULL, NULL);
		if (s == NULL ||
		    sweep_set_load_mem(s, "fuzz.txt", indicators, sizeof(indicators) - 1, &e) != 0 ||
		    sweep_set_finish(s, &e) != 0)
			abort();
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const struct sweep_set *s = the_set();
	struct count c = { 0, 0 };
	size_t got = sweep_log_line(s, (const char *)d, n, 1, on_hit, &c);
	if (got != c.hits)
		abort();

	struct logscan ls;
	struct count sc = { 0, 0 };
	if (logscan_init(&ls, s, on_hit, &sc) != 0)
		return 0;
	logscan_begin(&ls);
	size_t cut = n ? d[0] % (n + 1) : 0;
	logscan_feed(&ls, d, cut);
	logscan_feed(&ls, d + cut, n - cut);
	logscan_end(&ls);
	long newlines = 0;
	for (size_t i = 0; i < n; i++)
		newlines += d[i] == '\n';
	int gzip = n >= 2 && d[0] == 0x1f && d[1] == 0x8b;
	if (!gzip && sc.max_line > newlines + 1)
		abort();
	logscan_release(&ls);
	return 0;
}
