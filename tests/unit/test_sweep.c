/*
 * test_sweep.c - the sweep engine (agent/sweep*.c):
 *   plain lists: every kind told from the value, "kind:" prefixes, comments,
 *     defanged values, CRLF and BOM; a bad line named by file:line and
 *     nothing added; SWEEP_MAX_VALUE at max and max + 1;
 *   the log tokenizer: IPv4 exact and CIDR (/0, /8, /24 edges, /32), IPv6
 *     (compressed, expanded, upper case, brackets and port, zone, mapped
 *     v4), domains (subdomains, case, trailing dot, look-alikes, IDN in
 *     punycode), URLs (scheme, port, query, fragment, punctuation), e-mail
 *     addresses, one hit per indicator a line, what is not an address;
 *   log names;
 *   STIX 2.1: the OASIS example bundle, OR-joined patterns, unsupported
 *     patterns skipped with a warning, malformed ones refused with the
 *     object's path and character, revoked and expired indicators;
 *   MISP: the PyMISP Xorist event, to_ids in its three spellings,
 *     composites, object attributes, the REST "response" wrapper;
 *   YARA: the signature-base and ReversingLabs files, a rule that does not
 *     compile refused with its line, no more YARA after that;
 *   runs over temporary trees: hashes (MD5, SHA-1, SHA-256), file names,
 *     YARA on a buffer and on a file over SWEEP_WHOLE_MAX, plain, gzip
 *     (two members, trailing bytes) and corrupt gzip logs, lines across
 *     read boundaries and over SWEEP_LINE_MAX, --max-size at max and
 *     max + 1, links not followed / followed (with a loop), FIFOs, other
 *     file systems, unreadable files (when not root), and
 *     SWEEP_MAX_HITS_PER_FILE at max and max + 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#include <openssl/evp.h>

#include "testlib.h"
#include "agent/sweep.h"
#include "agent/sweep_int.h"
#include "base/msg.h"

/* ---- where the data is ---- */

static char data_dir[1024];

static int find_data(void **state)
{
	(void)state;
	char start[2][1024];
	ssize_t l = readlink("/proc/self/exe", start[1], sizeof(start[1]) - 1);
	start[1][l > 0 ? l : 0] = '\0';
	if (getcwd(start[0], sizeof(start[0])) == NULL)
		start[0][0] = '\0';
	for (int s = 0; s < 2; s++) {
		char dir[1024];
		memcpy(dir, start[s], sizeof(dir));
		while (dir[0] != '\0') {
			char probe[1100];
			struct stat st;
			snprintf(probe, sizeof(probe), "%s/tests/data/sweep/README.md", dir);
			if (stat(probe, &st) == 0) {
				snprintf(data_dir, sizeof(data_dir), "%.990s/tests/data/sweep", dir);
				return 0;
			}
			char *slash = strrchr(dir, '/');
			if (slash == NULL)
				break;
			*slash = '\0';
		}
	}
	fprintf(stderr, "tests/data/sweep not found\n");
	return -1;
}

static const char *data(const char *name)
{
	static char p[1200];
	snprintf(p, sizeof(p), "%s/%s", data_dir, name);
	return p;
}

/* ---- collecting hits ---- */

struct got {
	int kind;
	char indicator[300];
	char match[300];
	char path[600];
	long line;
	char sha256[65];
};

struct collect {
	struct got v[1100];
	size_t n;
	char problems[32][600];
	int problem_msg[32];
	size_t np;
	unsigned long long truncated;
	size_t warnings;
	char warning[400];
};

static void keep(struct collect *c, const char *path, const struct sweep_hit *h)
{
	if (c->n == sizeof(c->v) / sizeof(c->v[0]))
		return;
	struct got *g = &c->v[c->n++];
	g->kind = h->kind;
	snprintf(g->indicator, sizeof(g->indicator), "%s", h->indicator);
	snprintf(g->match, sizeof(g->match), "%s", h->match ? h->match : "");
	snprintf(g->path, sizeof(g->path), "%s", path ? path : "");
	g->line = h->line;
	snprintf(g->sha256, sizeof(g->sha256), "%s", h->sha256 ? h->sha256 : "");
}

static void on_line(void *ctx, const struct sweep_hit *h)
{
	keep(ctx, NULL, h);
}

static void on_hits(void *ctx, const char *path, const struct sweep_hit *h, size_t n,
		    unsigned long long truncated)
{
	struct collect *c = ctx;
	for (size_t i = 0; i < n; i++)
		keep(c, path, &h[i]);
	c->truncated += truncated;
}

static void on_problem(void *ctx, int msg, const char *arg)
{
	struct collect *c = ctx;
	if (c->np < 32) {
		snprintf(c->problems[c->np], sizeof(c->problems[0]), "%s", arg);
		c->problem_msg[c->np] = msg;
		c->np++;
	}
}

static void on_warn(void *ctx, int msg, const char *arg)
{
	struct collect *c = ctx;
	(void)msg;
	c->warnings++;
	snprintf(c->warning, sizeof(c->warning), "%s", arg);
}

/* Index of a hit of kind with this indicator (and path suffix), or -1. */
static int find(const struct collect *c, int kind, const char *indicator, const char *path)
{
	for (size_t i = 0; i < c->n; i++) {
		size_t pl = path ? strlen(path) : 0, gl = strlen(c->v[i].path);
		if (c->v[i].kind == kind && strcmp(c->v[i].indicator, indicator) == 0 &&
		    (path == NULL || (gl >= pl && strcmp(c->v[i].path + gl - pl, path) == 0)))
			return (int)i;
	}
	return -1;
}

/* A finished set from the text of a plain list; fails the test on error. */
static struct sweep_set *list(const char *text)
{
	struct err e = { 0 };
	struct sweep_set *s = sweep_set_new(NULL, NULL);
	assert_non_null(s);
	if (sweep_set_load_mem(s, "t.txt", text, strlen(text), &e) != 0)
		fail_msg("load: %s", e.arg);
	assert_int_equal(sweep_set_finish(s, &e), 0);
	return s;
}

/* The hits of one line. */
static size_t line(const struct sweep_set *s, const char *text, struct collect *c)
{
	c->n = 0;
	return sweep_log_line(s, text, strlen(text), 7, on_line, c);
}

/* The indicator the only hit of a line matched ("" for none, "*" for more). */
static const char *one(const struct sweep_set *s, const char *text)
{
	static struct collect c;
	size_t n = line(s, text, &c);
	if (n == 0)
		return "";
	return n == 1 ? c.v[0].indicator : "*";
}

static struct sweep_set *feed(const char *json, struct collect *c, struct err *e, int *rc);

/* ---- plain lists ---- */

static void test_list_kinds(void **state)
{
	(void)state;
	struct sweep_set *s = list(
		"\xEF\xBB\xBF# every kind\r\n"
		"192.0.2.10\r\n"
		"198.51.100.0/24\n"
		"2001:db8::/32\n"
		"2001:DB8:0:0:0:0:0:1\n"
		"\n"
		"   evil.example   # padded, with a comment\n"
		"*.wild.example\n"
		"b\xC3\xBC" "cher.example\n"
		"http://evil.example/gate.php\n"
		"evil.example/no-scheme\n"
		"Bad.Guy@Evil.Example\n"
		"d41d8cd98f00b204e9800998ecf8427e\n"
		"da39a3ee5e6b4b0d3255bfef95601890afd80709\n"
		"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\n"
		"invoice.pdf\n"
		"update.zip\n"   /* .zip is a top-level domain: a domain, as on import */
		"filename:report 2024.docx\n"
		"C:\\Users\\x\\AppData\\dropper.exe\n"
		"domain:shop.zip\n"
		"hxxps://bad[.]example[.]org/x\n"
		"203.0.113[.]7\n"
		"x[@]evil[.]example\n"
		"192.0.2.99:8080\n"
		"ports.example:443\n");
	size_t c[SWEEP__KINDS];
	sweep_set_counts(s, c);
	assert_int_equal(c[SWEEP_IP], 6);
	assert_int_equal(c[SWEEP_DOMAIN], 6);
	assert_int_equal(c[SWEEP_URL], 3);
	assert_int_equal(c[SWEEP_EMAIL], 2);
	assert_int_equal(c[SWEEP_HASH], 3);
	assert_int_equal(c[SWEEP_FILENAME], 3);
	assert_int_equal(c[SWEEP_YARA], 0);
	assert_int_equal(sweep_set_total(s), 23);
	/* the canonical forms are what hits show */
	assert_string_equal(one(s, "x 2001:db8:0:0:0:0:0:1 y"), "2001:db8::1");   /* longest */
	assert_string_equal(one(s, "x 2001:db8:0:0:0:0:0:2 y"), "2001:db8::/32");
	assert_string_equal(one(s, "from xn--bcher-kva.example"), "xn--bcher-kva.example");
	static struct collect got;   /* the address, then its domain */
	assert_int_equal(line(s, "mail BAD.GUY@Evil.example", &got), 2);
	assert_string_equal(got.v[0].indicator, "bad.guy@evil.example");
	assert_string_equal(got.v[1].indicator, "evil.example");
	assert_string_equal(one(s, "shop.zip"), "shop.zip");
	assert_string_equal(one(s, "get update.zip"), "update.zip");
	assert_string_equal(one(s, "a.wild.example"), "wild.example");
	assert_string_equal(one(s, "GET https://bad.example.org/x"), "https://bad.example.org/x");
	sweep_set_free(s);
}

static void test_list_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *where;
	} bad[] = {   /* the importer's messages: `ungcuu import list` reads lists alike */
		{ "evil.example\nthis is not one\n", "t.txt: line 2: not an indicator" },
		{ "evil.example\n\n# c\nword\n", "t.txt: line 4: not an indicator" },
		{ "10.0.0.0/33\n", "t.txt: line 1: '10.0.0.0/33'" },
		{ "2001:db8::/129\n", "t.txt: line 1: '2001:db8::/129'" },
		{ "256.1.1.1/8\n", "t.txt: line 1: '256.1.1.1/8'" },
		{ "http:///nohost\n", "t.txt: line 1: 'http:///nohost'" },
		{ "a@\n", "t.txt: line 1: 'a@'" },
		{ "md5:1234\n", "t.txt: line 1: 'md5:1234': not an MD5" },
		{ "a//b c\n", "t.txt: line 1: not an indicator" },
		{ "evil.example:http\n", "t.txt: line 1: not an indicator" },
		{ "x.y:123456\n", "t.txt: line 1: not an indicator" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err e = { 0 };
		struct sweep_set *s = sweep_set_new(NULL, NULL);
		assert_int_equal(sweep_set_load_mem(s, "t.txt", bad[i].text, strlen(bad[i].text), &e), -1);
		assert_int_equal(e.msg, MSG_IOC_VALUE);
		if (strstr(e.arg, bad[i].where) != e.arg)
			fail_msg("%zu: %s", i, e.arg);
		assert_int_equal(sweep_set_total(s), 0);   /* changes nothing */
		sweep_set_free(s);
	}
}

static void test_list_value_limit(void **state)
{
	(void)state;
	/* a URL of exactly SWEEP_MAX_VALUE bytes is kept; one more is a sound
	 * indicator the sweep cannot look for: left out with a warning */
	char *v = malloc(SWEEP_MAX_VALUE + 16);
	for (int extra = 0; extra <= 1; extra++) {
		size_t n = SWEEP_MAX_VALUE + (size_t)extra;
		memcpy(v, "http://evil.example/", 20);
		memset(v + 20, 'a', n - 20);
		v[n] = '\n';
		v[n + 1] = '\0';
		struct err e = { 0 };
		static struct collect c;
		memset(&c, 0, sizeof(c));
		struct sweep_set *s = sweep_set_new(on_warn, &c);
		assert_int_equal(sweep_set_load_mem(s, "long.txt", v, n + 1, &e), 0);
		assert_int_equal(sweep_set_total(s), extra ? 0 : 1);
		assert_int_equal(c.warnings, (size_t)extra);
		sweep_set_free(s);
	}
	free(v);
	struct err e = { 0 };
	struct sweep_set *s = sweep_set_new(NULL, NULL);
	assert_int_equal(sweep_set_add(s, SWEEP_IOC_AUTO, "ip:10.1.1.1", 11, &e), 0);
	assert_int_equal(sweep_set_add(s, SWEEP_IOC_DOMAIN, "10.1.1.1", 8, &e), -1);
	assert_int_equal(sweep_set_add(s, SWEEP_IOC_SHA1, "abc", 3, &e), -1);
	assert_int_equal(sweep_set_total(s), 1);
	sweep_set_free(s);
}

/* ---- the tokenizer ---- */

static void test_ipv4(void **state)
{
	(void)state;
	struct sweep_set *s = list("192.0.2.10\n198.51.100.0/24\n10.0.0.0/8\n");
	assert_string_equal(one(s, "192.0.2.10 - - [24/Nov/2025:10:00:00 +0700]"), "192.0.2.10");
	assert_string_equal(one(s, "from 198.51.100.0 port"), "198.51.100.0/24");
	assert_string_equal(one(s, "from 198.51.100.255:443"), "198.51.100.0/24");
	assert_string_equal(one(s, "from=198.51.101.0"), "");
	assert_string_equal(one(s, "from=198.51.99.255"), "");
	assert_string_equal(one(s, "(10.255.255.255)."), "10.0.0.0/8");
	assert_string_equal(one(s, "\"src\":\"10.1.2.3\""), "10.0.0.0/8");
	assert_string_equal(one(s, "::ffff:10.9.8.7 mapped"), "10.0.0.0/8");
	assert_string_equal(one(s, "11.0.0.1 110.1.2.3 1.10.0.0"), "");
	assert_string_equal(one(s, "192.0.2.10.5 192.0.2.100 0192.0.2.10"), "");
	assert_string_equal(one(s, "v10.1.2.3 10.1.2 10.1.2.3.4 10.1.2.256"), "");
	assert_string_equal(one(s, "time 10:01:02 version 10.0.1"), "");
	sweep_set_free(s);

	s = list("0.0.0.0/0\n");
	assert_string_equal(one(s, "anything 203.0.113.9"), "0.0.0.0/0");
	sweep_set_free(s);
	s = list("203.0.113.9/32\n");
	assert_string_equal(one(s, "203.0.113.9"), "203.0.113.9");
	assert_string_equal(one(s, "203.0.113.8"), "");
	sweep_set_free(s);
	s = list("203.0.113.77/24\n");   /* host bits cleared */
	assert_string_equal(one(s, "203.0.113.1"), "203.0.113.0/24");
	sweep_set_free(s);
}

static void test_ipv6(void **state)
{
	(void)state;
	struct sweep_set *s = list("2001:db8::1\n2001:db8:aa::/48\n::ffff:192.0.2.1\n");
	assert_string_equal(one(s, "from 2001:db8::1 port 22"), "2001:db8::1");
	assert_string_equal(one(s, "from 2001:0DB8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
	assert_string_equal(one(s, "[2001:db8::1]:443 GET"), "2001:db8::1");
	assert_string_equal(one(s, "fe80::1%eth0 2001:db8::1%eth0"), "2001:db8::1");
	assert_string_equal(one(s, "2001:db8:aa:ffff::5"), "2001:db8:aa::/48");
	assert_string_equal(one(s, "2001:db8:ab::5"), "");
	assert_string_equal(one(s, "client ::ffff:192.0.2.1"), "::ffff:192.0.2.1");
	assert_string_equal(one(s, "2001:db8::2 2001:db8:1::1 00:1a:2b:3c:4d:5e std::string"), "");
	assert_string_equal(one(s, "12:34:56 ::: a::b:: 2001:db8::1::2"), "");
	sweep_set_free(s);
}

static void test_domains(void **state)
{
	(void)state;
	struct sweep_set *s = list("evil.example\nxn--bcher-kva.example\ncdn.good.example\n");
	assert_string_equal(one(s, "query evil.example"), "evil.example");
	assert_string_equal(one(s, "query a.b.EVIL.Example."), "evil.example");
	assert_string_equal(one(s, "https://login.evil.example:8443/x"), "evil.example");
	assert_string_equal(one(s, "notevil.example evil.example.net evil-example evilexample"), "");
	assert_string_equal(one(s, "x.cdn.good.example good.example"), "cdn.good.example");
	assert_string_equal(one(s, "www.xn--bcher-kva.example"), "xn--bcher-kva.example");
	/* documented: Unicode in a log is not converted */
	assert_string_equal(one(s, "www.b\xC3\xBC" "cher.example"), "");
	/* the match is the whole name seen, lower case */
	static struct collect c;
	assert_int_equal(line(s, "host=WWW.Evil.Example.", &c), 1);
	assert_string_equal(c.v[0].match, "www.evil.example");
	assert_int_equal(c.v[0].line, 7);
	assert_int_equal(c.v[0].kind, SWEEP_DOMAIN);
	/* a name over 253 bytes keeps its last labels */
	char longname[600];
	memset(longname, 'a', 400);
	memcpy(longname + 400, ".sub.evil.example", 18);
	assert_string_equal(one(s, longname), "evil.example");
	sweep_set_free(s);
}

/* IDN: a Unicode name in a list or a STIX bundle (the shared importer's
 * ioc_normalise) is looked for as its punycode, whatever its case and
 * final dot, and matches its subdomains in a log. */
static void test_idn(void **state)
{
	(void)state;
	struct sweep_set *s = list("B\xC3\x9C" "CHER.Example.\n"
				   "m\xC3\xBCnchen.example\n");
	assert_string_equal(one(s, "GET http://www.xn--bcher-kva.example/"), "xn--bcher-kva.example");
	assert_string_equal(one(s, "cdn.XN--MNCHEN-3YA.EXAMPLE."), "xn--mnchen-3ya.example");
	assert_string_equal(one(s, "xn--mnchen-3ya.example.net"), "");
	sweep_set_free(s);

	static struct collect c;
	struct err e = { 0 };
	int rc;
	s = feed("{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\",\"id\":"
		 "\"indicator--1\",\"pattern_type\":\"stix\",\"pattern\":"
		 "\"[domain-name:value = 'Xn--Bcher-Kva.Example.' OR domain-name:value = "
		 "'m\xC3\xBCnchen.EXAMPLE']\"}]}", &c, &e, &rc);
	if (rc != 0)
		fail_msg("%s", e.arg);
	assert_string_equal(one(s, "a.b.xn--bcher-kva.example"), "xn--bcher-kva.example");
	assert_string_equal(one(s, "https://xn--mnchen-3ya.example:8443/x"), "xn--mnchen-3ya.example");
	sweep_set_free(s);

	/* IPv6 forms: compressed, expanded, upper case, in brackets; an
	 * IPv4-mapped address in a log also matches the IPv4 indicator */
	s = list("2001:db8:0:0:1:0:0:1\n192.0.2.7\n::ffff:198.51.100.9\n");
	assert_string_equal(one(s, "2001:db8::1:0:0:1"), "2001:db8::1:0:0:1");
	assert_string_equal(one(s, "2001:DB8:0000:0000:0001:0000:0000:0001"), "2001:db8::1:0:0:1");
	assert_string_equal(one(s, "[2001:db8:0:0:1::1]:443"), "2001:db8::1:0:0:1");
	assert_string_equal(one(s, "from ::ffff:198.51.100.9"), "::ffff:198.51.100.9");
	assert_string_equal(one(s, "from ::FFFF:c633:6409"), "::ffff:198.51.100.9");
	assert_string_equal(one(s, "from 192.0.2.7"), "192.0.2.7");
	assert_string_equal(one(s, "from ::ffff:192.0.2.7"), "192.0.2.7");
	sweep_set_free(s);
}

static void test_urls(void **state)
{
	(void)state;
	struct sweep_set *s = list("http://evil.example/gate.php\nhttps://x.example:8080/a?b=1\n");
	assert_string_equal(one(s, "GET http://evil.example/gate.php HTTP/1.1"),
			    "http://evil.example/gate.php");
	assert_string_equal(one(s, "\"https://EVIL.example:443/gate.php?id=5#top\""),
			    "http://evil.example/gate.php");
	assert_string_equal(one(s, "see http://user:pw@evil.example/gate.php, then"),
			    "http://evil.example/gate.php");
	assert_string_equal(one(s, "http://evil.example/gate.phpx http://evil.example/"), "");
	assert_string_equal(one(s, "ftp://x.example:8080/a?b=1"), "https://x.example:8080/a?b=1");
	assert_string_equal(one(s, "http://x.example/a?b=1 http://x.example:8080/a?b=2"), "");
	sweep_set_free(s);
	/* a URL and the domain in it are two hits */
	s = list("http://evil.example/gate.php\nevil.example\n");
	static struct collect c;
	assert_int_equal(line(s, "GET http://evil.example/gate.php", &c), 2);
	assert_int_equal(c.v[0].kind, SWEEP_URL);
	assert_string_equal(c.v[0].match, "http://evil.example/gate.php");
	assert_int_equal(c.v[1].kind, SWEEP_DOMAIN);
	sweep_set_free(s);
}

/* A URL whose host ends at a backslash used to give a key with no "/",
 * which the loader read past (issue 11, item 13; minimised by fuzzing). */
static void test_url_backslash(void **state)
{
	(void)state;
	struct sweep_set *s = list("http://evil.example\\gate.php\nd://s\\\n");
	size_t n[SWEEP__KINDS];
	sweep_set_counts(s, n);
	assert_int_equal(n[SWEEP_URL], 2);
	assert_string_equal(one(s, "GET http://evil.example/gate.php"), "");
	sweep_set_free(s);
	char key[64];
	size_t kl = ioc_url_key("d://s\\", 5, 1, key, sizeof(key));
	assert_true(kl > 0);
	assert_non_null(memchr(key, '/', kl));
}

static void test_emails_and_dedup(void **state)
{
	(void)state;
	struct sweep_set *s = list("bad.guy@evil.example\n203.0.113.5\n");
	assert_string_equal(one(s, "from=<Bad.Guy@EVIL.example>"), "bad.guy@evil.example");
	assert_string_equal(one(s, "mailto:bad.guy@evil.example"), "bad.guy@evil.example");
	assert_string_equal(one(s, "good.guy@evil.example bad.guy@evil.example.org"), "");
	static struct collect c;
	/* one hit per indicator a line, however often it appears */
	assert_int_equal(line(s, "203.0.113.5 203.0.113.5 bad.guy@evil.example 203.0.113.5", &c), 2);
	assert_int_equal(c.v[0].kind, SWEEP_IP);
	assert_int_equal(c.v[1].kind, SWEEP_EMAIL);
	/* no set kinds for logs: nothing is read */
	sweep_set_free(s);
	s = list("d41d8cd98f00b204e9800998ecf8427e\n");
	assert_int_equal(line(s, "d41d8cd98f00b204e9800998ecf8427e 1.2.3.4", &c), 0);
	sweep_set_free(s);
	/* any bytes */
	s = list("evil.example\n");
	assert_int_equal(line(s, "\xff\xfe" "evil.example\x00\x80", &c), 1);
	sweep_set_free(s);
}

static void test_log_names(void **state)
{
	(void)state;
	static const char *const yes[] = {
		"access.log", "access.log.1", "access.log.2.gz", "error.log", "nginx-error.log",
		"app.log-20250101", "syslog", "syslog.3.gz", "auth.log", "auth.log.1", "messages",
		"messages-20250101", "secure", "events.jsonl", "x.ndjson.gz", "SERVER.LOG",
		"access_log", NULL,
	};
	static const char *const no[] = {
		"catalog", "login.php", "blog.html", "logo.png", "x.logs", "data.json",
		"changelog", "backlog.txt", NULL,
	};
	for (int i = 0; yes[i]; i++)
		if (!sweep_is_log_name(yes[i]))
			fail_msg("%s should be a log", yes[i]);
	for (int i = 0; no[i]; i++)
		if (sweep_is_log_name(no[i]))
			fail_msg("%s should not be a log", no[i]);
}

/* ---- STIX and MISP ---- */

static struct sweep_set *feed(const char *json, struct collect *c, struct err *e, int *rc)
{
	struct sweep_set *s = sweep_set_new(on_warn, c);
	*rc = sweep_set_load_mem(s, "b.json", json, strlen(json), e);
	if (*rc == 0)
		assert_int_equal(sweep_set_finish(s, e), 0);
	return s;
}

static void test_stix(void **state)
{
	(void)state;
	struct err e = { 0 };
	static struct collect c;
	memset(&c, 0, sizeof(c));
	struct sweep_set *s = sweep_set_new(on_warn, &c);
	assert_int_equal(sweep_set_load(s, data("indicators-for-C2-with-COA.json"), &e), 0);
	assert_int_equal(sweep_set_finish(s, &e), 0);
	size_t n[SWEEP__KINDS];
	sweep_set_counts(s, n);
	assert_int_equal(n[SWEEP_IP], 1);
	assert_int_equal(n[SWEEP_HASH], 1);
	assert_string_equal(one(s, "c2 10.0.0.0"), "10.0.0.0");
	sweep_set_free(s);

	int rc;
	s = feed("{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
		 "{\"type\":\"indicator\",\"id\":\"indicator--a\",\"pattern_type\":\"stix\","
		 "\"pattern\":\"[domain-name:value = 'evil.example' OR url:value = "
		 "'http://evil.example/x'] OR [email-addr:value = 'a@evil.example'] OR "
		 "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e' OR "
		 "file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709'] OR "
		 "[ipv6-addr:value = '2001:db8::/32'] OR [file:name = 'o\\\\'brien.exe']\"},"
		 "{\"type\":\"indicator\",\"id\":\"indicator--b\",\"pattern\":"
		 "\"[ipv4-addr:value = '192.0.2.1' AND network-traffic:dst_port = 4444]\"},"
		 "{\"type\":\"indicator\",\"id\":\"indicator--c\",\"pattern\":"
		 "\"[process:name = 'x.exe' OR ipv4-addr:value = '192.0.2.2']\"},"
		 "{\"type\":\"indicator\",\"id\":\"indicator--d\",\"revoked\":true,\"pattern\":"
		 "\"[ipv4-addr:value = '192.0.2.3']\"},"
		 "{\"type\":\"indicator\",\"id\":\"indicator--e\",\"valid_until\":"
		 "\"2001-01-01T00:00:00Z\",\"pattern\":\"[ipv4-addr:value = '192.0.2.4']\"},"
		 "{\"type\":\"indicator\",\"id\":\"indicator--f\",\"pattern_type\":\"yara\","
		 "\"pattern\":\"rule x { condition: true }\"},"
		 "{\"type\":\"indicator\",\"id\":\"indicator--g\",\"pattern\":"
		 "\"[ipv4-addr:value = 'not-an-ip']\"},"
		 "{\"type\":\"malware\",\"id\":\"malware--1\",\"name\":\"x\"}]}",
		 &c, &e, &rc);
	if (rc != 0)
		fail_msg("%s", e.arg);
	sweep_set_counts(s, n);
	assert_int_equal(n[SWEEP_DOMAIN], 1);
	assert_int_equal(n[SWEEP_URL], 1);
	assert_int_equal(n[SWEEP_EMAIL], 1);
	assert_int_equal(n[SWEEP_HASH], 2);
	/* the shared importer keeps an OR with a part it cannot use whole, as
	 * a pattern (process:name OR 192.0.2.2): only 2001:db8::/32 */
	assert_int_equal(n[SWEEP_IP], 1);
	assert_int_equal(n[SWEEP_FILENAME], 1);
	assert_int_equal(n[SWEEP_YARA], 1);      /* pattern_type yara: a rule */
	assert_int_equal(c.warnings, 3);         /* AND, process:name, not-an-ip */
	assert_string_equal(c.warning, "b.json: indicator--g: 'not-an-ip' in ipv4-addr:value: "
				       "not an IPv4 address");
	assert_string_equal(one(s, "192.0.2.1"), "");
	assert_string_equal(one(s, "192.0.2.2"), "");
	assert_string_equal(one(s, "192.0.2.3 192.0.2.4"), "");
	sweep_set_free(s);

	/* SWEEP_MAX_WARNINGS (20) warnings a file, then one line counting the rest */
	for (int extra = 0; extra <= 1; extra++) {
		char big[8192];
		size_t o = (size_t)snprintf(big, sizeof(big), "{\"type\":\"bundle\",\"objects\":[");
		for (int k = 0; k < 20 + extra; k++)
			o += (size_t)snprintf(big + o, sizeof(big) - o,
					      "%s{\"type\":\"indicator\",\"id\":\"indicator--%d\","
					      "\"pattern\":\"[x:y = '%d']\"}",
					      k ? "," : "", k, k);
		snprintf(big + o, sizeof(big) - o, "]}");
		memset(&c, 0, sizeof(c));
		s = feed(big, &c, &e, &rc);
		assert_int_equal(rc, 0);
		assert_int_equal(c.warnings, 20 + (size_t)extra);
		if (extra)
			assert_string_equal(c.warning, "b.json: 1");
		sweep_set_free(s);
	}

	/* malformed: refused with the position, nothing added */
	static const struct {
		const char *json, *where;
		int msg;
	} bad[] = {
		/* the shared importer's messages (ioc.h): the object, its id, the
		 * column in the pattern */
		{ "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\",\"id\":\"indicator--1\","
		  "\"pattern\":\"[ipv4-addr:value = '1.2.3.4]\"}]}",
		  "b.json: /objects/0 (indicator--1): pattern, column 20: string not closed",
		  MSG_IOC_PATTERN },
		{ "{\"type\":\"bundle\",\"objects\":[{\"type\":\"x\",\"id\":\"x--1\"},{\"type\":"
		  "\"indicator\",\"id\":\"indicator--2\",\"pattern\":\"[ipv4-addr:value = '1.2.3.4'\"}]}",
		  "b.json: /objects/1 (indicator--2): pattern, column 29: ']' closing", MSG_IOC_PATTERN },
		{ "{\"type\":\"bundle\",\"objects\":{}}",
		  "b.json: /: objects: expected an array, not an object", MSG_IOC_SCHEMA },
		{ "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\",\"id\":\"indicator--3\","
		  "\"pattern\":5}]}",
		  "b.json: /objects/0 (indicator--3): pattern: expected a string", MSG_IOC_SCHEMA },
		{ "{\"type\":\"bundle\",\"objects\":[7]}",
		  "b.json: /objects/0: a STIX object must be a JSON object", MSG_IOC_SCHEMA },
		/* stricter: a STIX object needs its id */
		{ "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\",\"pattern\":"
		  "\"[ipv4-addr:value = '1.2.3.4']\"}]}",
		  "b.json: /objects/0: id: missing", MSG_IOC_SCHEMA },
		{ "{\"type\":\"bundle\",\n \"objects\": [1,}", "b.json:2:16:", MSG_FEED_SYNTAX },
		{ "{\"hello\":\"world\"}", "b.json", MSG_SWEEP_FORMAT },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		s = feed(bad[i].json, &c, &e, &rc);
		assert_int_equal(rc, -1);
		assert_int_equal(e.msg, bad[i].msg);
		if (strstr(e.arg, bad[i].where) != e.arg)
			fail_msg("%zu: %s", i, e.arg);
		assert_int_equal(sweep_set_total(s), 0);
		sweep_set_free(s);
	}
}

static void test_misp(void **state)
{
	(void)state;
	struct err e = { 0 };
	static struct collect c;
	memset(&c, 0, sizeof(c));
	struct sweep_set *s = sweep_set_new(on_warn, &c);
	assert_int_equal(sweep_set_load(s, data("57c4445b-c548-4654-af0b-4be3950d210f.json"), &e), 0);
	assert_int_equal(sweep_set_finish(s, &e), 0);
	size_t n[SWEEP__KINDS];
	sweep_set_counts(s, n);
	assert_int_equal(n[SWEEP_HASH], 3);
	assert_int_equal(n[SWEEP_FILENAME], 1);
	assert_int_equal(sweep_set_total(s), 4);
	assert_int_equal(c.warnings, 0);
	sweep_set_free(s);

	int rc;
	s = feed("{\"response\":[{\"Event\":{\"info\":\"x\",\"Attribute\":["
		 "{\"type\":\"ip-dst\",\"value\":\"192.0.2.1\",\"to_ids\":true},"
		 "{\"type\":\"ip-src\",\"value\":\"198.51.100.0/24\",\"to_ids\":\"1\"},"
		 "{\"type\":\"ip-dst|port\",\"value\":\"192.0.2.9|4444\",\"to_ids\":1},"
		 "{\"type\":\"ip-dst\",\"value\":\"192.0.2.2\",\"to_ids\":false},"
		 "{\"type\":\"ip-dst\",\"value\":\"192.0.2.3\",\"to_ids\":\"0\"},"
		 "{\"type\":\"ip-dst\",\"value\":\"192.0.2.4\",\"to_ids\":true,\"deleted\":true},"
		 "{\"type\":\"domain|ip\",\"value\":\"evil.example|203.0.113.1\",\"to_ids\":true},"
		 "{\"type\":\"hostname\",\"value\":\"c2.bad.example\",\"to_ids\":true},"
		 "{\"type\":\"url\",\"value\":\"http://bad.example/a\",\"to_ids\":true},"
		 "{\"type\":\"email-src\",\"value\":\"x@bad.example\",\"to_ids\":true},"
		 "{\"type\":\"filename|sha256\",\"value\":\"a.exe|"
		 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"to_ids\":true},"
		 "{\"type\":\"mutex\",\"value\":\"Global\\\\x\",\"to_ids\":true}],"
		 "\"Object\":[{\"name\":\"file\",\"Attribute\":["
		 "{\"type\":\"md5\",\"value\":\"d41d8cd98f00b204e9800998ecf8427e\",\"to_ids\":true,"
		 "\"object_relation\":\"md5\"}]}]}}]}",
		 &c, &e, &rc);
	assert_int_equal(rc, 0);
	sweep_set_counts(s, n);
	assert_int_equal(n[SWEEP_IP], 4);
	assert_int_equal(n[SWEEP_DOMAIN], 2);
	assert_int_equal(n[SWEEP_URL], 1);
	assert_int_equal(n[SWEEP_EMAIL], 1);
	assert_int_equal(n[SWEEP_HASH], 2);
	/* filename|sha256: the shared mapper names the hash with the file
	 * name (ioc.file_name) rather than making the name an indicator */
	assert_int_equal(n[SWEEP_FILENAME], 0);
	assert_int_equal(c.warnings, 0);
	sweep_set_free(s);

	/* stricter than the sweep's own reader was: a bad value refuses the
	 * file (it was a warning) */
	err_clear(&e);
	s = feed("{\"Event\":{\"Attribute\":[{\"type\":\"ip-dst\",\"value\":\"192.0.2.1\"},"
		 "{\"type\":\"ip-dst\",\"value\":\"not an ip\",\"to_ids\":true}]}}", &c, &e, &rc);
	assert_int_equal(rc, -1);
	assert_int_equal(e.msg, MSG_IOC_VALUE);
	assert_string_equal(e.arg, "b.json: /Event/Attribute/1: value: 'not an ip': not an IPv4 address");
	assert_int_equal(sweep_set_total(s), 0);
	sweep_set_free(s);

	err_clear(&e);
	s = feed("{\"Event\":{\"Attribute\":[{\"type\":\"md5\"}]}}", &c, &e, &rc);
	assert_int_equal(rc, -1);
	assert_int_equal(e.msg, MSG_IOC_SCHEMA);
	assert_string_equal(e.arg, "b.json: /Event/Attribute/0: value: missing");
	sweep_set_free(s);
}

/* ---- YARA ---- */

static void test_yara(void **state)
{
	(void)state;
	struct err e = { 0 };
	static struct collect c;
	memset(&c, 0, sizeof(c));
	struct sweep_set *s = sweep_set_new(on_warn, &c);
	assert_int_equal(sweep_set_load(s, data("expl_log4j_cve_2021_44228.yar"), &e), 0);
	assert_int_equal(sweep_set_load(s, data("Win32.Ransomware.LockBit.yara"), &e), 0);
	/* the same rule names again: each file has its namespace */
	assert_int_equal(sweep_set_load(s, data("Win32.Ransomware.LockBit.yara"), &e), 0);
	assert_int_equal(sweep_set_finish(s, &e), 0);
	size_t n[SWEEP__KINDS];
	sweep_set_counts(s, n);
	assert_int_equal(n[SWEEP_YARA], 9);
	sweep_set_free(s);

	static const char bad[] =
		"// comment\n"
		"rule fine { condition: true }\n"
		"\n"
		"rule broken {\n"
		"  strings: $a = \"abc\"\n"
		"  condition: $a and $b\n"
		"}\n";
	s = sweep_set_new(on_warn, &c);
	assert_int_equal(sweep_set_load_mem(s, "bad.yar", bad, sizeof(bad) - 1, &e), -1);
	assert_int_equal(e.msg, MSG_SWEEP_YARA);
	/* libyara names the line that ends the rule, as yara(1) does */
	assert_string_equal(e.arg, "bad.yar:7: rule broken: undefined string \"$b\"");
	/* the compiler is spent: no more YARA, lists still load */
	assert_int_equal(sweep_set_load_mem(s, "ok.yar", "rule a { condition: true }", 26, &e), -1);
	assert_int_equal(sweep_set_load_mem(s, "l.txt", "evil.example\n", 13, &e), 0);
	assert_int_equal(sweep_set_finish(s, &e), -1);
	sweep_set_free(s);

	/* Rules from memory came from outside: an include is refused, whether
	 * the file exists or not (no file-existence oracle, no local file read
	 * into a hunt's rules); issue 11, item 14. */
	static const char *const incl[] = {
		"include \"/etc/passwd\"\nrule a { condition: true }\n",
		"include \"/nonexistent/x.yar\"\nrule a { condition: true }\n",
	};
	for (size_t i = 0; i < 2; i++) {
		s = sweep_set_new(on_warn, &c);
		assert_int_equal(sweep_set_load_mem(s, "i.yar", incl[i], strlen(incl[i]), &e), -1);
		assert_int_equal(e.msg, MSG_SWEEP_YARA);
		assert_non_null(strstr(e.arg, "include"));
		sweep_set_free(s);
	}

	static const char syntax[] = "import \"pe\"\nrule x {\n  condition:\n    pe.is_pe and and\n}\n";
	s = sweep_set_new(on_warn, &c);
	assert_int_equal(sweep_set_load_mem(s, "s.yar", syntax, sizeof(syntax) - 1, &e), -1);
	assert_non_null(strstr(e.arg, "s.yar:4: "));
	sweep_set_free(s);
}

/* ---- runs over trees ---- */

static char tmp[64];

static void put(const char *rel, const void *p, size_t n)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	char mk[300];
	snprintf(mk, sizeof(mk), "mkdir -p '%s'", path);
	assert_int_equal(system(mk), 0);
	*slash = '/';
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

static void put_s(const char *rel, const char *s)
{
	put(rel, s, strlen(s));
}

static void gz(const char *rel, const char *text, int members)
{
	char path[256], part[300];
	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	FILE *out = fopen(path, "wb");
	assert_non_null(out);
	size_t n = strlen(text), per = (n + (size_t)members - 1) / (size_t)members;
	for (int m = 0; m < members; m++) {
		snprintf(part, sizeof(part), "%s.part", path);
		gzFile g = gzopen(part, "wb");
		assert_non_null(g);
		size_t off = (size_t)m * per, len = off >= n ? 0 : (n - off < per ? n - off : per);
		if (len)
			assert_int_equal(gzwrite(g, text + off, (unsigned)len), (int)len);
		gzclose(g);
		FILE *in = fopen(part, "rb");
		char buf[65536];
		size_t k;
		while ((k = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, k, out);
		fclose(in);
		unlink(part);
	}
	fclose(out);
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	chmod(p, 0700);
	return remove(p);
}

static int tree_new(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/ungcuu-sweep-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int tree_free(void **state)
{
	(void)state;
	return nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void run(const struct sweep_set *s, const struct sweep_opts *o, struct collect *c,
		struct sweep_stats *st)
{
	struct err e = { 0 };
	const char *paths[] = { tmp };
	struct sweep_sink sink = { on_hits, on_problem, NULL, c };
	memset(c, 0, sizeof(*c));
	assert_int_equal(sweep_run(s, paths, 1, o, &sink, st, &e), 0);
}

static struct sweep_set *rules(const char *yara, const char *text)
{
	struct err e = { 0 };
	struct sweep_set *s = sweep_set_new(NULL, NULL);
	if (yara && sweep_set_load_mem(s, "r.yar", yara, strlen(yara), &e) != 0)
		fail_msg("%s", e.arg);
	if (text && sweep_set_load_mem(s, "l.txt", text, strlen(text), &e) != 0)
		fail_msg("%s", e.arg);
	assert_int_equal(sweep_set_finish(s, &e), 0);
	return s;
}

static void test_run_tree(void **state)
{
	(void)state;
	/* hashes of "" (MD5, SHA-1) and of "abc" (SHA-256) */
	struct sweep_set *s = rules(
		"rule Marker { strings: $m = \"UNGCUU-TEST-MARKER\" condition: $m }\n"
		"rule Named { condition: filename == \"named.bin\" }\n",
		"d41d8cd98f00b204e9800998ecf8427e\n"
		"da39a3ee5e6b4b0d3255bfef95601890afd80709\n"
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"
		"Xorist.EXE\n10.0.0.0/8\nevil.example\n");
	put("empty", "", 0);
	put_s("a/abc.txt", "abc");
	put_s("a/b/c/marker.bin", "xx UNGCUU-TEST-MARKER yy");
	put_s("a/named.bin", "z");
	put_s("d/xorist.exe", "payload");
	put_s("logs/access.log", "1.2.3.4 ok\n10.1.2.3 bad\nno newline at end evil.example");
	gz("logs/access.log.1.gz", "a\nb\nc evil.example\nd\n10.9.9.9 e\n", 2);
	put_s("logs/not-a-log.txt", "10.1.2.3 evil.example");   /* logs are read by name */
	char lnk[300], target[300];
	snprintf(lnk, sizeof(lnk), "%s/link-to-a", tmp);
	snprintf(target, sizeof(target), "%s/a", tmp);
	assert_int_equal(symlink(target, lnk), 0);
	snprintf(lnk, sizeof(lnk), "%s/a/loop", tmp);
	assert_int_equal(symlink(target, lnk), 0);
	snprintf(lnk, sizeof(lnk), "%s/abc-link", tmp);
	snprintf(target, sizeof(target), "%s/a/abc.txt", tmp);
	assert_int_equal(symlink(target, lnk), 0);
	snprintf(lnk, sizeof(lnk), "%s/dangling", tmp);
	assert_int_equal(symlink("/nonexistent/x", lnk), 0);
	snprintf(lnk, sizeof(lnk), "%s/fifo", tmp);
	assert_int_equal(mkfifo(lnk, 0600), 0);

	struct sweep_opts o = { .threads = 2 };
	struct sweep_stats st;
	static struct collect c;
	run(s, &o, &c, &st);
	assert_int_equal(c.np, 0);
	assert_int_equal(st.files, 8);
	assert_int_equal(st.errors, 0);
	assert_int_equal(st.skipped_links, 4);
	assert_int_equal(st.skipped_special, 1);
	assert_true(find(&c, SWEEP_HASH, "d41d8cd98f00b204e9800998ecf8427e", "/empty") >= 0);
	assert_true(find(&c, SWEEP_HASH, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "/empty") >= 0);
	assert_true(find(&c, SWEEP_HASH,
			 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
			 "/a/abc.txt") >= 0);
	assert_true(find(&c, SWEEP_YARA, "Marker", "/a/b/c/marker.bin") >= 0);
	assert_true(find(&c, SWEEP_YARA, "Named", "/a/named.bin") >= 0);
	assert_true(find(&c, SWEEP_FILENAME, "Xorist.EXE", "/d/xorist.exe") >= 0);
	int i = find(&c, SWEEP_IP, "10.0.0.0/8", "/logs/access.log");
	assert_true(i >= 0);
	assert_int_equal(c.v[i].line, 2);
	assert_string_equal(c.v[i].match, "10.1.2.3");
	i = find(&c, SWEEP_DOMAIN, "evil.example", "/logs/access.log");
	assert_true(i >= 0);
	assert_int_equal(c.v[i].line, 3);
	i = find(&c, SWEEP_DOMAIN, "evil.example", "/logs/access.log.1.gz");
	assert_true(i >= 0);
	assert_int_equal(c.v[i].line, 3);
	i = find(&c, SWEEP_IP, "10.0.0.0/8", "/logs/access.log.1.gz");
	assert_true(i >= 0);
	assert_int_equal(c.v[i].line, 5);
	assert_int_equal(find(&c, SWEEP_IP, "10.0.0.0/8", "/logs/not-a-log.txt"), -1);
	assert_int_equal(c.n, 10);
	/* every hit carries its file's SHA-256 */
	i = find(&c, SWEEP_HASH, "d41d8cd98f00b204e9800998ecf8427e", "/empty");
	assert_string_equal(c.v[i].sha256,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	i = find(&c, SWEEP_FILENAME, "Xorist.EXE", "/d/xorist.exe");
	assert_string_equal(c.v[i].sha256,   /* "payload" */
			    "239f59ed55e737c77147cf55ad0c1b030b6d7ee748a7426952f9b852d5a935e5");

	/* following links: a linked file is read; a directory is entered once
	 * whatever the links to it (the loop ends) */
	o.follow_symlinks = 1;
	run(s, &o, &c, &st);
	assert_int_equal(c.np, 0);
	assert_int_equal(st.files, 9);
	assert_int_equal(st.skipped_links, 1);   /* the dangling one */
	assert_true(find(&c, SWEEP_HASH,
			 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
			 "/abc-link") >= 0);
	assert_int_equal(c.n, 11);
	sweep_set_free(s);

	/* SHA-256 even when the set has no hash: a YARA-only sweep */
	s = rules("rule Marker { strings: $m = \"UNGCUU-TEST-MARKER\" condition: $m }\n", NULL);
	o.follow_symlinks = 0;
	run(s, &o, &c, &st);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].sha256,   /* "xx UNGCUU-TEST-MARKER yy" */
			    "6e232d7be30c42506249d07ac378a4ec5301c61dcca860bc08fe83d544f17edd");
	sweep_set_free(s);

	/* no YARA, no hash: files that are not logs are not read, but one with
	 * a hit on its name is, for the SHA-256 of its hit */
	s = rules(NULL, "Xorist.EXE\n10.0.0.0/8\n");
	run(s, &o, &c, &st);
	assert_int_equal(c.np, 0);
	assert_int_equal(st.files, 8);
	i = find(&c, SWEEP_FILENAME, "Xorist.EXE", "/d/xorist.exe");
	assert_true(i >= 0);
	assert_string_equal(c.v[i].sha256,   /* "payload" */
			    "239f59ed55e737c77147cf55ad0c1b030b6d7ee748a7426952f9b852d5a935e5");
	i = find(&c, SWEEP_IP, "10.0.0.0/8", "/logs/access.log");
	assert_true(i >= 0);
	assert_string_equal(c.v[i].sha256,
			    "c4079bf5763bac4861d265fc5bdf5a37ac7e0c0f52159502ce0f1363b2e8ca59");
	sweep_set_free(s);
}

static void test_run_limits(void **state)
{
	(void)state;
	struct sweep_set *s = rules("rule Any { strings: $a = \"Q\" condition: $a }\n",
				    "203.0.113.5\n");
	char buf[4096];
	memset(buf, 'Q', sizeof(buf));
	put("max.bin", buf, 1000);
	put("over.bin", buf, 1001);
	put("big.log", buf, 1001);   /* a log over the limit is still read, without YARA */
	struct sweep_opts o = { .threads = 1, .max_size = 1000 };
	struct sweep_stats st;
	static struct collect c;
	run(s, &o, &c, &st);
	assert_int_equal(st.files, 2);
	assert_int_equal(st.skipped_large, 1);
	assert_int_equal(c.np, 1);
	assert_int_equal(c.problem_msg[0], MSG_SWEEP_TOO_LARGE);
	assert_non_null(strstr(c.problems[0], "/over.bin: 0 MiB"));
	assert_true(find(&c, SWEEP_YARA, "Any", "/max.bin") >= 0);
	assert_int_equal(find(&c, SWEEP_YARA, "Any", "/big.log"), -1);
	assert_int_equal(c.n, 1);
	sweep_set_free(s);
	static const char *const made[] = { "over.bin", "big.log", "max.bin" };
	for (int k = 0; k < 3; k++) {
		snprintf(buf, sizeof(buf), "%s/%s", tmp, made[k]);
		unlink(buf);
	}

	/* SWEEP_MAX_HITS_PER_FILE lines that hit: all listed; one more: counted */
	s = rules(NULL, "203.0.113.5\n");
	static char text[SWEEP_MAX_HITS_PER_FILE * 16 + 64];
	for (int extra = 0; extra <= 1; extra++) {
		size_t n = 0;
		for (int k = 0; k < SWEEP_MAX_HITS_PER_FILE + extra; k++)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "203.0.113.5 x\n");
		put("hits.log", text, n);
		o.max_size = 0;
		run(s, &o, &c, &st);
		assert_int_equal(c.n, SWEEP_MAX_HITS_PER_FILE);
		assert_int_equal(c.truncated, (unsigned long long)extra);
		assert_int_equal(st.hits, SWEEP_MAX_HITS_PER_FILE + (unsigned)extra);
		assert_int_equal(c.v[SWEEP_MAX_HITS_PER_FILE - 1].line, SWEEP_MAX_HITS_PER_FILE);
	}
	sweep_set_free(s);
}

/* Lines across SWEEP_CHUNK reads, a line over SWEEP_LINE_MAX, and a file
 * over SWEEP_WHOLE_MAX scanned by YARA from its descriptor. */
static void test_run_streaming(void **state)
{
	(void)state;
	struct sweep_set *s = rules(NULL, "evil.example\n");
	size_t cap = 3 * SWEEP_CHUNK + 2 * SWEEP_LINE_MAX, n = 0;
	char *t = malloc(cap);
	long lineno = 1, want[64];
	int nwant = 0;
	while (n + 200 < 3 * SWEEP_CHUNK) {
		int hit = lineno % 997 == 0;
		n += (size_t)snprintf(t + n, cap - n, "line %ld %s padding padding\n", lineno,
				      hit ? "www.evil.example" : "www.good.example");
		if (hit && nwant < 64)
			want[nwant++] = lineno;
		lineno++;
	}
	/* a line longer than SWEEP_LINE_MAX with the name at its end */
	memset(t + n, 'x', SWEEP_LINE_MAX + 100);
	n += SWEEP_LINE_MAX + 100;
	n += (size_t)snprintf(t + n, cap - n, " evil.example\nlast evil.example");
	want[nwant++] = lineno;
	want[nwant++] = lineno + 1;
	put("stream.log", t, n);
	gz("stream.log.gz", t, 1);
	struct sweep_opts o = { .threads = 2 };
	struct sweep_stats st;
	static struct collect c;
	run(s, &o, &c, &st);
	assert_int_equal(c.np, 0);
	assert_int_equal(c.n, 2 * (size_t)nwant);
	/* no hash in the set: the log is read once for its lines, then again
	 * for the SHA-256 its hits carry */
	unsigned char d[32];
	unsigned dl = 0;
	char hex[65];
	assert_int_equal(EVP_Digest(t, n, d, &dl, EVP_sha256(), NULL), 1);
	for (unsigned i = 0; i < dl; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	int i0 = find(&c, SWEEP_DOMAIN, "evil.example", "/stream.log");
	assert_true(i0 >= 0);
	assert_string_equal(c.v[i0].sha256, hex);
	for (int f = 0; f < 2; f++) {
		int k = 0;
		for (size_t i = 0; i < c.n; i++) {
			size_t pl = strlen(c.v[i].path);
			if ((pl > 3 && strcmp(c.v[i].path + pl - 3, ".gz") == 0) != f)
				continue;
			assert_int_equal(c.v[i].line, want[k]);
			k++;
		}
		assert_int_equal(k, nwant);
	}
	sweep_set_free(s);
	free(t);
	char p[300];
	snprintf(p, sizeof(p), "%s/stream.log", tmp);
	unlink(p);
	snprintf(p, sizeof(p), "%s/stream.log.gz", tmp);
	unlink(p);

	/* a sparse file past SWEEP_WHOLE_MAX with the marker at its end */
	s = rules("rule Tail { strings: $m = \"UNGCUU-TAIL\" condition: $m }\n",
		  "8d50d4b3b8ce0be0de8ab8cc2f8fd28a\n");
	snprintf(p, sizeof(p), "%s/sparse.bin", tmp);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "UNGCUU-TAIL", 11, SWEEP_WHOLE_MAX + 5), 11);
	close(fd);
	run(s, &o, &c, &st);
	assert_int_equal(c.np, 0);
	assert_true(find(&c, SWEEP_YARA, "Tail", "/sparse.bin") >= 0);
	assert_int_equal(st.bytes, SWEEP_WHOLE_MAX + 16);
	sweep_set_free(s);

	/* the same file with no hash in the set: YARA maps it, the sweep does
	 * not read it but for the SHA-256 of the hit, after the scan */
	s = rules("rule Tail { strings: $m = \"UNGCUU-TAIL\" condition: $m }\n", NULL);
	run(s, &o, &c, &st);
	assert_int_equal(c.np, 0);
	int i = find(&c, SWEEP_YARA, "Tail", "/sparse.bin");
	assert_true(i >= 0);
	assert_string_equal(c.v[i].sha256,
			    "11eedcd438cbf663ad4b91243c546472c03fbdf7c65f672d5d87fd2e327cd17a");
	assert_int_equal(st.bytes, SWEEP_WHOLE_MAX + 16);
	unlink(p);
	sweep_set_free(s);
}

static void test_run_problems(void **state)
{
	(void)state;
	struct sweep_set *s = rules(NULL, "evil.example\n");
	put("bad.log.gz", "\x1f\x8b\x08\x00garbage that is not deflate", 32);
	gz("cut.log.gz", "evil.example one\nevil.example two\n", 1);
	char p[300];
	snprintf(p, sizeof(p), "%s/cut.log.gz", tmp);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(truncate(p, sb.st_size - 6), 0);   /* the gzip trailer cut */
	put_s("secret/x.log", "evil.example");
	snprintf(p, sizeof(p), "%s/secret", tmp);
	int root = geteuid() == 0;
	if (!root)
		chmod(p, 0);
	struct sweep_opts o = { .threads = 2 };
	struct sweep_stats st;
	static struct collect c;
	run(s, &o, &c, &st);
	chmod(p, 0700);
	assert_int_equal(st.errors, root ? 2 : 3);
	assert_int_equal(c.np, root ? 2 : 3);
	int gzbad = 0, denied = 0;
	for (size_t i = 0; i < c.np; i++) {
		assert_int_equal(c.problem_msg[i], MSG_SWEEP_UNREADABLE);
		gzbad += strstr(c.problems[i], ".log.gz: corrupt gzip data") != NULL;
		denied += strstr(c.problems[i], "/secret: Permission denied") != NULL;
	}
	assert_int_equal(gzbad, 2);
	assert_int_equal(denied, root ? 0 : 1);
	/* what was read of the cut file still counts */
	assert_true(find(&c, SWEEP_DOMAIN, "evil.example", "/cut.log.gz") >= 0);
	/* a path that does not exist */
	const char *paths[] = { "/nonexistent/ungcuu-sweep" };
	struct err e = { 0 };
	struct sweep_sink sink = { on_hits, on_problem, NULL, &c };
	memset(&c, 0, sizeof(c));
	assert_int_equal(sweep_run(s, paths, 1, &o, &sink, &st, &e), 0);
	assert_int_equal(st.errors, 1);
	assert_string_equal(c.problems[0], "/nonexistent/ungcuu-sweep: No such file or directory");
	sweep_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_kinds),
		cmocka_unit_test(test_url_backslash),
		cmocka_unit_test(test_list_errors),
		cmocka_unit_test(test_list_value_limit),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_emails_and_dedup),
		cmocka_unit_test(test_log_names),
		cmocka_unit_test(test_idn),
		cmocka_unit_test(test_stix),
		cmocka_unit_test(test_misp),
		cmocka_unit_test(test_yara),
		cmocka_unit_test_setup_teardown(test_run_tree, tree_new, tree_free),
		cmocka_unit_test_setup_teardown(test_run_limits, tree_new, tree_free),
		cmocka_unit_test_setup_teardown(test_run_streaming, tree_new, tree_free),
		cmocka_unit_test_setup_teardown(test_run_problems, tree_new, tree_free),
	};
	return cmocka_run_group_tests(tests, find_data, NULL);
}
