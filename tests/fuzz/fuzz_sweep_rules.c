/*
 * fuzz_sweep_rules.c - the sweep's rule loader (agent/sweep*.c) on bytes
 * from outside (a hunt's rules from the server, `ungcuu sweep --rules`):
 * sweep_set_load_mem tells the format from the content (YARA text, a STIX
 * bundle or MISP event, a plain list) and loads it into a fresh set.
 * Invariants: a load that fails fills the error and adds nothing; one that
 * succeeds leaves a set that finishes and whose lookups (every line of the
 * input read as a log line, which holds the indicators themselves) report
 * as many hits as they say, each naming an indicator of a log kind; adding
 * each line as one indicator fails or succeeds without harm. Rules from
 * memory come from outside: the input after an include directive (of a
 * rules file that exists) is YARA text that never loads.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/sweep_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void on_hit(void *ctx, const struct sweep_hit *h)
{
	size_t *hits = ctx;
	if (h->indicator == NULL || h->match == NULL || h->line != 1 ||
	    (h->kind != SWEEP_IP && h->kind != SWEEP_DOMAIN && h->kind != SWEEP_URL &&
	     h->kind != SWEEP_EMAIL))
		abort();
	(void)strlen(h->indicator);
	(void)strlen(h->match);
	++*hits;
}

static void look(const struct sweep_set *s, const char *p, size_t n)
{
	for (const char *end = p + n; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t hits = 0;
		if (sweep_log_line(s, p, len, 1, on_hit, &hits) != hits)
			abort();
		p += len + 1;
	}
}

static char path[64];

static void forget_file(void)
{
	unlink(path);
}

/* A rules file that exists and compiles. */
static const char *existing(void)
{
	if (path[0] == '\0') {
		snprintf(path, sizeof(path), "/tmp/ungcuu-fuzz-sweep-%ld.yar", (long)getpid());
		FILE *f = fopen(path, "w");
		if (f == NULL)
			abort();
		fputs("rule included { condition: true }\n", f);
		fclose(f);
		atexit(forget_file);
	}
	return path;
}

static void no_include(const char *p, size_t n)
{
	char head[128];
	int h = snprintf(head, sizeof(head), "include \"%s\"\n", existing());
	char *t = malloc((size_t)h + n);
	struct sweep_set *s = sweep_set_new(NULL, NULL);
	struct err e = { 0 };
	if (t == NULL || s == NULL)
		abort();
	memcpy(t, head, (size_t)h);
	memcpy(t + h, p, n);
	if (sweep_set_load_mem(s, "fuzz", t, (size_t)h + n, &e) == 0 || e.code == E_OK)
		abort();
	sweep_set_free(s);
	free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const char *p = (const char *)d;
	if (n % 4 == 0)
		no_include(p, n);             /* a YARA compile: one input in four */
	struct sweep_set *s = sweep_set_new(NULL, NULL);
	struct err e = { 0 };
	if (s == NULL)
		return 0;
	if (sweep_set_load_mem(s, "fuzz", p, n, &e) != 0) {
		if (e.code == E_OK || sweep_set_total(s) != 0)
			abort();              /* a failure says why and adds nothing */
		sweep_set_free(s);
		return 0;
	}
	size_t before = sweep_set_total(s);
	/* Each line as one indicator of each kind (the CLI's --ioc): a refusal
	 * says why and adds nothing. */
	for (const char *q = p, *end = p + n; q < end;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		size_t len = nl ? (size_t)(nl - q) : (size_t)(end - q);
		for (int k = SWEEP_IOC_AUTO; k < SWEEP_IOC__COUNT && len <= 256; k++) {
			struct err ae = { 0 };
			size_t had = sweep_set_total(s);
			if (sweep_set_add(s, k, q, len, &ae) != 0 &&
			    (ae.code == E_OK || sweep_set_total(s) != had))
				abort();
		}
		q += len + 1;
	}
	if (sweep_set_total(s) < before)
		abort();
	if (sweep_set_finish(s, &e) != 0) {
		sweep_set_free(s);
		return 0;
	}
	look(s, p, n);
	sweep_set_free(s);
	return 0;
}
