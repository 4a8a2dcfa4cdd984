/*
 * test_ioc.c - indicators (domain/ioc*.c, stix_pattern.c): the normal form
 * of every kind and its idempotence; plain-list classification; the TLP
 * sharing rule for every label x recipient; the STIX pattern parser on
 * the cases of the OASIS reference validator and the spec's examples
 * (valid, unconvertible, invalid with the column), its limits at max and
 * max + 1; the STIX and MISP importers on the real samples of
 * tests/data/ioc (records, TLP, relationships, stats); malformed and
 * wrong-kind files (an error naming the file and the position, the sink
 * never called); lists and CSV; exports (official TLP 2.0 ids,
 * deterministic ids, the TLP filter) and round trips: what we export
 * imports again unchanged, and a second export is identical.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "domain/ioc/indicator.h"
#include "base/arena.h"
#include "base/msg.h"
#include "base/timeutil.h"
#include "domain/ioc/hunt.h"
#include "domain/ioc/ioc.h"
#include "domain/ioc/misp.h"

#ifndef IOC_DATA
#error "IOC_DATA (the tests/data/ioc directory) must be defined by the build"
#endif

/* ---- helpers ---- */

static char *slurp(const char *rel, size_t *n)
{
	return t_slurp(IOC_DATA, rel, n);
}

/* What the sink saw, deep-copied (records are only lent). */
struct coll {
	struct arena *a;
	struct ioc *v;
	size_t n, cap;
	int calls;
	int fail_at;                  /* the sink refuses its fail_at-th call */
};

static const char *dup(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

static const char *const *dup_list(struct arena *a, const char *const *v, size_t n)
{
	const char **o = arena_alloc(a, (n + 1) * sizeof(*o));
	for (size_t i = 0; i < n; i++)
		o[i] = dup(a, v[i]);
	return o;
}

static int collect(void *arg, const struct ioc *i, struct err *e)
{
	struct coll *c = arg;
	c->calls++;
	if (c->fail_at && c->calls == c->fail_at)
		return err_set(e, E_DB, MSG_DB, "the sink says no");
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		assert_non_null(c->v);
	}
	struct ioc *o = &c->v[c->n++];
	*o = *i;
	o->value = dup(c->a, i->value);
	o->pattern_type = dup(c->a, i->pattern_type);
	o->why = dup(c->a, i->why);
	o->name = dup(c->a, i->name);
	o->file_name = dup(c->a, i->file_name);
	o->description = dup(c->a, i->description);
	o->source = dup(c->a, i->source);
	o->origin_id = dup(c->a, i->origin_id);
	o->tags = dup_list(c->a, i->tags, i->ntags);
	struct ioc_ref *r = arena_alloc(c->a, (i->nrelated + 1) * sizeof(*r));
	for (size_t k = 0; k < i->nrelated; k++) {
		r[k].type = dup(c->a, i->related[k].type);
		r[k].name = dup(c->a, i->related[k].name);
	}
	o->related = r;
	return 0;
}

static void coll_init(struct coll *c)
{
	memset(c, 0, sizeof(*c));
	c->a = arena_new((size_t)1 << 28);
	assert_non_null(c->a);
}

static void coll_release(struct coll *c)
{
	free(c->v);
	arena_free(c->a);
	memset(c, 0, sizeof(*c));
}

enum fmt { F_STIX, F_MISP, F_LIST, F_CSV };

static long parse(int fmt, const char *name, const char *d, size_t n, struct coll *c,
		  struct ioc_stats *st, struct err *e)
{
	switch (fmt) {
	case F_STIX: return ioc_parse_stix(name, d, n, collect, c, st, e);
	case F_MISP: return ioc_parse_misp(name, d, n, collect, c, st, e);
	case F_LIST: return ioc_parse_list(name, d, n, collect, c, st, e);
	default: return ioc_parse_csv(name, d, n, collect, c, st, e);
	}
}

/* Parses text that must fail: checks code, message, that arg holds want,
 * and that the sink was never called. */
static void parse_fails(int fmt, const char *text, int code, int msg, const char *want)
{
	struct coll c;
	struct err e = { 0 };
	coll_init(&c);
	long n = parse(fmt, "bad.in", text, strlen(text), &c, NULL, &e);
	if (n != -1 || e.code != code || e.msg != msg || strstr(e.arg, want) == NULL ||
	    strncmp(e.arg, "bad.in: ", 8) != 0)
		fail_msg("%.80s\n  -> %ld, code %d msg %d '%s'; wanted code %d msg %d with '%s'",
			 text, n, e.code, e.msg, e.arg, code, msg, want);
	assert_int_equal(c.calls, 0);
	coll_release(&c);
}

static long parse_ok(int fmt, const char *text, struct coll *c, struct ioc_stats *st)
{
	struct err e = { 0 };
	long n = parse(fmt, "ok.in", text, strlen(text), c, st, &e);
	if (n < 0)
		fail_msg("%.200s\n  -> %s", text, e.arg);
	return n;
}

static const struct ioc *find(const struct coll *c, int kind, const char *value)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == kind && strcmp(c->v[i].value, value) == 0)
			return &c->v[i];
	fail_msg("no %s %s among %zu records", ioc_kind_name(kind), value, c->n);
	return NULL;
}

static int has_tag(const struct ioc *i, const char *t)
{
	for (size_t k = 0; k < i->ntags; k++)
		if (strcmp(i->tags[k], t) == 0)
			return 1;
	return 0;
}

static int has_rel(const struct ioc *i, const char *type, const char *name)
{
	for (size_t k = 0; k < i->nrelated; k++)
		if (strcmp(i->related[k].type, type) == 0 && strcmp(i->related[k].name, name) == 0)
			return 1;
	return 0;
}

static int64_t t_ms(const char *s)
{
	int64_t ms;
	assert_int_equal(time_parse(s, &ms), 0);
	return ms;
}

/* ---- kinds and values ---- */

static void test_kind_names(void **state)
{
	(void)state;
	for (int k = 0; k < IOC__COUNT; k++)
		assert_int_equal(ioc_kind_parse(ioc_kind_name(k)), k);
	assert_null(ioc_kind_name(IOC__COUNT));
	assert_null(ioc_kind_name(-1));
	assert_int_equal(ioc_kind_parse("SHA256"), IOC_SHA256);
	assert_int_equal(ioc_kind_parse("SHA-1"), IOC_SHA1);
	assert_int_equal(ioc_kind_parse("ip-dst"), IOC_IPV4);
	assert_int_equal(ioc_kind_parse("hostname"), IOC_DOMAIN);
	assert_int_equal(ioc_kind_parse("email-src"), IOC_EMAIL);
	assert_int_equal(ioc_kind_parse("stix2-pattern"), IOC_PATTERN);
	assert_int_equal(ioc_kind_parse("regkey"), -1);
	assert_int_equal(ioc_kind_parse(NULL), -1);
}

struct norm_case {
	int kind;
	const char *in;
	int out_kind;                 /* -1: refused */
	const char *out;              /* normal form, or a word of why */
};

static const struct norm_case norm_cases[] = {
	{ IOC_IPV4, " 192.0.2.1\t", IOC_IPV4, "192.0.2.1" },
	{ IOC_IPV4, "192.0.2[.]1", IOC_IPV4, "192.0.2.1" },
	{ IOC_IPV4, "010.0.0.1", -1, "IPv4" },
	{ IOC_IPV4, "1.2.3", -1, "IPv4" },
	{ IOC_IPV4, "256.1.1.1", -1, "IPv4" },
	{ IOC_IPV4, "2001:db8::1", -1, "IPv4" },
	{ IOC_IPV4, "10.1.2.3/8", IOC_CIDR, "10.0.0.0/8" },
	{ IOC_IPV4, "1.2.3.4/32", IOC_IPV4, "1.2.3.4" },
	{ IOC_CIDR, "1.2.3.4/0", IOC_CIDR, "0.0.0.0/0" },
	{ IOC_CIDR, "1.2.3.4/33", -1, "prefix" },
	{ IOC_CIDR, "1.2.3.4/08", -1, "prefix" },
	{ IOC_CIDR, "1.2.3.4/", -1, "prefix" },
	{ IOC_CIDR, "1.2.3.4", IOC_IPV4, "1.2.3.4" },
	{ IOC_IPV6, "2001:DB8:0:0:1:0:0:1", IOC_IPV6, "2001:db8::1:0:0:1" },
	{ IOC_IPV6, "2001:0db8::0001", IOC_IPV6, "2001:db8::1" },
	{ IOC_IPV6, "2001:db8:0:1:1:1:1:1", IOC_IPV6, "2001:db8:0:1:1:1:1:1" },
	{ IOC_IPV6, "fe80::1%eth0", -1, "IPv6" },
	{ IOC_IPV6, "1.2.3.4", -1, "IPv6" },
	{ IOC_CIDR, "2001:db8:dead:beef::1/64", IOC_CIDR, "2001:db8:dead:beef::/64" },
	{ IOC_CIDR, "2001:db8::1/128", IOC_IPV6, "2001:db8::1" },
	{ IOC_CIDR, "2001:db8::1/129", -1, "prefix" },
	{ IOC_DOMAIN, "Evil.Example.COM.", IOC_DOMAIN, "evil.example.com" },
	{ IOC_DOMAIN, "evil[.]example(.)com", IOC_DOMAIN, "evil.example.com" },
	{ IOC_DOMAIN, "evil[[.]]com", IOC_DOMAIN, "evil.com" },
	{ IOC_DOMAIN, "_dmarc.example.com", IOC_DOMAIN, "_dmarc.example.com" },
	{ IOC_DOMAIN, "bücher.de", IOC_DOMAIN, "xn--bcher-kva.de" },
	{ IOC_DOMAIN, "tênmiền.vn", IOC_DOMAIN, "xn--tnmin-hsa0954c.vn" },
	{ IOC_DOMAIN, "MÜNCHEN.Example.", IOC_DOMAIN, "xn--mnchen-3ya.example" },   /* TR46 maps case */
	{ IOC_DOMAIN, "xn--tnmin-hsa0954c.vn", IOC_DOMAIN, "xn--tnmin-hsa0954c.vn" },
	{ IOC_DOMAIN, "a..b", -1, "empty label" },
	{ IOC_DOMAIN, "localhost", -1, "dot" },
	{ IOC_DOMAIN, "1.2.3.4", -1, "number" },
	{ IOC_DOMAIN, "evil.com/x", -1, "not allowed" },
	{ IOC_DOMAIN, "ev il.com", -1, "not allowed" },
	{ IOC_DOMAIN, "a.bad\xff.com", -1, "UTF-8" },
	{ IOC_URL, "hxxp://Evil[.]Example.COM/Path?Q=1", IOC_URL, "http://evil.example.com/Path?Q=1" },
	{ IOC_URL, "HTTPS://User@Host.EXAMPLE:8443/A", IOC_URL, "https://User@host.example:8443/A" },
	{ IOC_URL, "hxxps[://]evil[.]com", IOC_URL, "https://evil.com" },
	{ IOC_URL, "evil.com/x", -1, "scheme" },
	{ IOC_URL, "http:///x", -1, "host" },
	{ IOC_URL, "http://a b.com/", -1, "white space" },
	{ IOC_SHA256, "EF537F25C895BFA782526529A9B63D97AA631564D5D789C2B765448C8635FB6C", IOC_SHA256,
	  "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c" },
	{ IOC_SHA256, "f00", -1, "SHA-256" },
	{ IOC_SHA1, "77B0C41B7D340B8A3D903F21347BBF06AA766B5B", IOC_SHA1,
	  "77b0c41b7d340b8a3d903f21347bbf06aa766b5b" },
	{ IOC_SHA1, "77b0c41b7d340b8a3d903f21347bbf06aa766b5g", -1, "SHA-1" },
	{ IOC_MD5, " 0749BAE92CA336A02C83D126E04EC628 ", IOC_MD5, "0749bae92ca336a02c83d126e04ec628" },
	{ IOC_MD5, "0749bae92ca336a02c83d126e04ec62", -1, "MD5" },
	{ IOC_EMAIL, "John.Doe@Example.COM", IOC_EMAIL, "john.doe@example.com" },
	{ IOC_EMAIL, "user[at]evil[.]com", IOC_EMAIL, "user@evil.com" },
	{ IOC_EMAIL, "a@b@c.com", -1, "e-mail" },
	{ IOC_EMAIL, "@c.com", -1, "e-mail" },
	{ IOC_EMAIL, "a@localhost", -1, "dot" },
	{ IOC_FILENAME, "  invoice.exe ", IOC_FILENAME, "invoice.exe" },
	{ IOC_FILENAME, "%TEMP%\\a[.]exe", IOC_FILENAME, "%TEMP%\\a[.]exe" },
	{ IOC_FILENAME, "a\x01.exe", -1, "control" },
	{ IOC_YARA, "rule demo { condition: true }", IOC_YARA, "rule demo { condition: true }" },
	{ IOC_YARA, "private rule x : tag { strings: $a = \"x\" condition: $a }", IOC_YARA,
	  "private rule x : tag { strings: $a = \"x\" condition: $a }" },
	{ IOC_YARA, "not a rule", -1, "YARA" },
	{ IOC_PATTERN, " [a:b = 1] ", IOC_PATTERN, "[a:b = 1]" },
	{ IOC_DOMAIN, "", -1, "empty" },
	{ IOC_DOMAIN, "   ", -1, "empty" },
};

static void test_normalise(void **state)
{
	(void)state;
	struct arena *a = arena_new(1 << 20);
	for (size_t i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		const struct norm_case *c = &norm_cases[i];
		int kind = c->kind;
		const char *why = NULL;
		const char *v = ioc_normalise(a, &kind, c->in, &why);
		if (c->out_kind < 0) {
			if (v != NULL || why == NULL || strstr(why, c->out) == NULL)
				fail_msg("%s '%s': got '%s' (%s), wanted a refusal with '%s'",
					 ioc_kind_name(c->kind), c->in, v ? v : "NULL", why ? why : "-",
					 c->out);
			continue;
		}
		if (v == NULL || kind != c->out_kind || strcmp(v, c->out) != 0)
			fail_msg("%s '%s': got %s '%s' (%s), wanted %s '%s'", ioc_kind_name(c->kind),
				 c->in, ioc_kind_name(kind), v ? v : "NULL", why ? why : "-",
				 ioc_kind_name(c->out_kind), c->out);
		/* The normal form of a normal form is itself. */
		int again = kind;
		const char *w = ioc_normalise(a, &again, v, &why);
		assert_non_null(w);
		assert_int_equal(again, kind);
		assert_string_equal(w, v);
	}
	/* The value limit, at max and max + 1. */
	char *big = malloc(IOC_MAX_VALUE + 2);
	memcpy(big, "http://a.example/", 17);
	memset(big + 17, 'a', IOC_MAX_VALUE - 17);
	big[IOC_MAX_VALUE] = '\0';
	int kind = IOC_URL;
	const char *why;
	assert_non_null(ioc_normalise(a, &kind, big, &why));
	big[IOC_MAX_VALUE] = 'a';
	big[IOC_MAX_VALUE + 1] = '\0';
	assert_null(ioc_normalise(a, &kind, big, &why));
	free(big);
	/* A label of 63 bytes is fine, 64 is not. */
	char label[80];
	memset(label, 'a', 63);
	memcpy(label + 63, ".vn", 4);
	kind = IOC_DOMAIN;
	assert_non_null(ioc_normalise(a, &kind, label, &why));
	memset(label, 'a', 64);
	memcpy(label + 64, ".vn", 4);
	assert_null(ioc_normalise(a, &kind, label, &why));
	kind = IOC__COUNT;
	assert_null(ioc_normalise(a, &kind, "x", &why));
	arena_free(a);
}

static void test_classify(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int kind;
	} cases[] = {
		{ "8.8.8.8", IOC_IPV4 }, { "1.2.3[.]4", IOC_IPV4 }, { "2001:db8::1", IOC_IPV6 },
		{ "10.0.0.0/8", IOC_CIDR }, { "evil.com", IOC_DOMAIN }, { "EVIL[.]COM", IOC_DOMAIN },
		{ "run.sh", IOC_DOMAIN }, { "invoice.zip", IOC_DOMAIN },
		{ "hxxps://evil[.]com/a", IOC_URL }, { "ftp://files.example/x", IOC_URL },
		{ "0749bae92ca336a02c83d126e04ec628", IOC_MD5 },
		{ "77b0c41b7d340b8a3d903f21347bbf06aa766b5b", IOC_SHA1 },
		{ "b3c4ae251f8094fa15b510051835c657eaef2a6cea46075d3aec964b14a99f68", IOC_SHA256 },
		{ "a@b.com", IOC_EMAIL }, { "invoice.exe", IOC_FILENAME },
		{ "3Z4wnG9603it23y.exe", IOC_FILENAME }, { "Final Report.exe", IOC_FILENAME },
		{ "report 2024.xyzq1", IOC_FILENAME },
		{ "1.2.3", -1 }, { "hello world", -1 }, { "", -1 }, { "   ", -1 },
		{ "evil.com/x", -1 }, { "a@b", -1 }, { NULL, -1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (ioc_classify(cases[i].in) != cases[i].kind)
			fail_msg("classify '%s' = %d, wanted %d", cases[i].in ? cases[i].in : "NULL",
				 ioc_classify(cases[i].in), cases[i].kind);
}

static void test_uuid(void **state)
{
	(void)state;
	struct ioc a = { .kind = IOC_IPV4, .value = "10.0.0.1" }, b = a;
	char u1[IOC_UUID_LEN], u2[IOC_UUID_LEN];
	assert_non_null(ioc_uuid(&a, u1));
	assert_non_null(ioc_uuid(&b, u2));
	assert_string_equal(u1, u2);
	assert_int_equal(strlen(u1), 36);
	assert_int_equal(u1[14], '5');                 /* version 5 */
	assert_non_null(strchr("89ab", u1[19]));       /* RFC 4122 variant */
	b.kind = IOC_DOMAIN;
	assert_non_null(ioc_uuid(&b, u2));
	assert_string_not_equal(u1, u2);
	b.kind = IOC_PATTERN;
	b.pattern_type = "snort";
	char u3[IOC_UUID_LEN];
	assert_non_null(ioc_uuid(&b, u2));
	b.pattern_type = "sigma";
	assert_non_null(ioc_uuid(&b, u3));
	assert_string_not_equal(u2, u3);
}

static void test_active(void **state)
{
	(void)state;
	int64_t now = t_ms("2026-01-01T00:00:00Z");
	struct ioc i = { .kind = IOC_IPV4, .value = "1.2.3.4", .to_ids = 1 };
	assert_true(ioc_active(&i, now));
	i.valid_from = now + 1;
	assert_false(ioc_active(&i, now));
	i.valid_from = now;
	assert_true(ioc_active(&i, now));
	i.valid_until = now;
	assert_false(ioc_active(&i, now));               /* expired ones stop matching */
	i.valid_until = now + 1;
	assert_true(ioc_active(&i, now));
	i.to_ids = 0;
	assert_false(ioc_active(&i, now));
	i.to_ids = 1;
	i.kind = IOC_PATTERN;
	assert_false(ioc_active(&i, now));
	assert_false(ioc_active(NULL, now));
}

/* ---- TLP ---- */

static void test_tlp_names(void **state)
{
	(void)state;
	assert_int_equal(tlp_parse("CLEAR"), TLP_CLEAR);
	assert_int_equal(tlp_parse("TLP:WHITE"), TLP_CLEAR);
	assert_int_equal(tlp_parse("tlp:white"), TLP_CLEAR);
	assert_int_equal(tlp_parse("green"), TLP_GREEN);
	assert_int_equal(tlp_parse("TLP:AMBER"), TLP_AMBER);
	assert_int_equal(tlp_parse("amber+strict"), TLP_AMBER_STRICT);
	assert_int_equal(tlp_parse("TLP:RED"), TLP_RED);
	assert_int_equal(tlp_parse("amber strict"), -1);
	assert_int_equal(tlp_parse("tlp:ex:chr"), -1);
	assert_int_equal(tlp_parse(""), -1);
	assert_int_equal(tlp_parse(NULL), -1);
	for (int t = TLP_CLEAR; t < TLP__COUNT; t++)
		assert_int_equal(tlp_parse(tlp_name(t)), t);
	assert_null(tlp_name(TLP_NONE));
	assert_null(tlp_name(TLP__COUNT));
}

#define OWNER "org-phu-quy"
#define NAMED "org-tam-thanh"
#define OTHER "org-long-hai"

/* Every label x every recipient: owner, a named organisation, another
 * organisation of the tree, and someone outside it. */
static void test_tlp_rule(void **state)
{
	(void)state;
	static const struct {
		const char *label;
		int owner, named, other, outside;
	} rows[] = {
		{ "CLEAR", 1, 1, 1, 1 },
		{ "TLP:WHITE", 1, 1, 1, 1 },
		{ "GREEN", 1, 1, 1, 0 },
		{ "AMBER", 1, 1, 0, 0 },
		{ "AMBER+STRICT", 1, 0, 0, 0 },
		{ "RED", 0, 0, 0, 0 },
		{ NULL, 0, 0, 0, 0 },
		{ "PURPLE", 0, 0, 0, 0 },
	};
	const char *const named[] = { "org-x", NAMED, NULL };
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *l = rows[i].label;
		int got[4] = {
			tlp_may_share(l, OWNER, OWNER, named), tlp_may_share(l, OWNER, NAMED, named),
			tlp_may_share(l, OWNER, OTHER, named), tlp_may_share(l, OWNER, NULL, named),
		};
		int want[4] = { rows[i].owner, rows[i].named, rows[i].other, rows[i].outside };
		for (int k = 0; k < 4; k++)
			if (got[k] != want[k])
				fail_msg("%s to recipient %d: %d, wanted %d", l ? l : "(none)", k, got[k],
					 want[k]);
		/* The same rule through a record. */
		struct ioc rec = { .kind = IOC_IPV4, .value = "1.2.3.4", .org = OWNER,
				   .tlp = l ? (tlp_parse(l) < 0 ? TLP__COUNT : tlp_parse(l)) : TLP_NONE,
				   .share_with = named, .nshare_with = 2 };
		assert_int_equal(ioc_may_share(&rec, OWNER), want[0]);
		assert_int_equal(ioc_may_share(&rec, NAMED), want[1]);
		assert_int_equal(ioc_may_share(&rec, OTHER), want[2]);
		assert_int_equal(ioc_may_share(&rec, NULL), want[3]);
		assert_int_equal(ioc_may_share(&rec, ""), want[3]);
	}
	/* AMBER with nobody named; AMBER+STRICT of an unknown owner. */
	assert_false(tlp_may_share("AMBER", OWNER, NAMED, NULL));
	assert_true(tlp_may_share("AMBER", OWNER, OWNER, NULL));
	assert_false(tlp_may_share("AMBER+STRICT", NULL, NULL, NULL));
	assert_false(tlp_may_share("AMBER+STRICT", "", "", NULL));
	assert_false(tlp_may_share("AMBER", OWNER, NULL, (const char *const[]){ "", NULL }));
}

/* ---- STIX patterns ---- */

/* want: the hits ("kind:value" joined by ' '), or for 0 a word of why, or
 * for -1 a word of the error. */
struct pat_case {
	const char *pattern;
	int n;
	const char *want;
};

static const struct pat_case pat_cases[] = {
	/* indicators */
	{ "[ipv4-addr:value = '10.0.0.0']", 1, "ipv4:10.0.0.0" },
	{ "[ ipv4-addr:value = '10.0.0.0' ]", 1, "ipv4:10.0.0.0" },
	{ "[ipv4-addr:value == '198.51.100.7/24']", 1, "cidr:198.51.100.0/24" },
	{ "[ipv4-addr:value ISSUBSET '10.1.2.3/8']", 1, "cidr:10.0.0.0/8" },
	{ "[ipv6-addr:value = '2001:DB8::1']", 1, "ipv6:2001:db8::1" },
	{ "[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']", 1,
	  "cidr:2001:db8:dead:beef::/64" },
	{ "[domain-name:value = 'Evil.Example.COM']", 1, "domain:evil.example.com" },
	{ "[url:value = 'http://x4z9arb.cn/4712']", 1, "url:http://x4z9arb.cn/4712" },
	{ "[file:hashes.'SHA-256' = 'EF537F25C895BFA782526529A9B63D97AA631564D5D789C2B765448C8635FB6C']", 1,
	  "sha256:ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c" },
	{ "[file:hashes.sha256 = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c']", 1,
	  "sha256:ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c" },
	{ "[file:hashes.'SHA-1' = '77b0c41b7d340b8a3d903f21347bbf06aa766b5b'] OR [file:hashes.MD5 = '0749bae92ca336a02c83d126e04ec628']", 2,
	  "sha1:77b0c41b7d340b8a3d903f21347bbf06aa766b5b md5:0749bae92ca336a02c83d126e04ec628" },
	{ "[email-addr:value = 'John@Example.com']", 1, "email:john@example.com" },
	{ "[email-addr:value = 'O\\'Brien@example.com']", 1, "email:o'brien@example.com" },
	{ "[email-message:from_ref.value = 'x@y.example']", 1, "email:x@y.example" },
	{ "[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = 'Conference Info']", 0, "AND of comparisons" },
	{ "[network-traffic:dst_ref.value = '203.0.113.33']", 1, "ipv4:203.0.113.33" },
	{ "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']", 1, "ipv4:203.0.113.33" },
	{ "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS", 1,
	  "domain:example.com" },
	{ "[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']", 2,
	  "url:http://example.com/foo url:http://example.com/bar" },
	{ "[domain-name:value IN ('a.example', 'B.example', 'a.example')]", 2,
	  "domain:a.example domain:b.example" },
	{ "[domain-name:value IN('a.example')]", 1, "domain:a.example" },
	{ "[file:name = 'pdf.exe']", 1, "filename:pdf.exe" },
	{ "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f' AND file:name = 'x.exe']", 1,
	  "md5:cead3f77f6cda6ec00f57d76c9a6879f" },
	{ "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:mime_type = 'application/x-pdf']", 1,
	  "sha256:aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f" },
	{ "[ipv4-addr:value = '1.2.3.4'] START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z'", 1, "ipv4:1.2.3.4" },
	{ "([ipv4-addr:value = '1.2.3.4'] OR [ipv4-addr:value = '1.2.3.4']) WITHIN 5.5 SECONDS", 1, "ipv4:1.2.3.4" },
	{ "[ipv4-addr:value\xc2\xa0=\xe3\x80\x80'1.2.3.4'] /* a comment */ // and another", 1, "ipv4:1.2.3.4" },
	{ "[(ipv4-addr:value = '1.2.3.4' OR ipv4-addr:value = '1.2.3.5')]", 2, "ipv4:1.2.3.4 ipv4:1.2.3.5" },
	{ "[domain-name:value = 'evil[.]com']", 1, "domain:evil.com" },
	/* valid, not indicators */
	{ "[email-message:subject MATCHES '^[IMPORTANT] Please Review Before']", 0, "MATCHES" },
	{ "[email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']", 0,
	  "body_multipart[*]" },
	{ "[file:size > 1024]", 0, ">" },
	{ "[ipv4-addr:value != '1.2.3.4']", 0, "!=" },
	{ "[ipv4-addr:value NOT = '1.2.3.4']", 0, "NOT" },
	{ "[domain-name:value LIKE '%.evil.com']", 0, "LIKE" },
	{ "[ipv4-addr:value ISSUPERSET '1.2.3.4']", 0, "ISSUPERSET" },
	{ "[ipv4-addr:value NOT ISSUBSET '10.0.0.0/8']", 0, "NOT" },
	{ "[NOT EXISTS file:name]", 0, "EXISTS" },
	{ "[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'a.example']", 0, "AND of observations" },
	{ "[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [domain-name:value = 'a.example']", 0, "FOLLOWEDBY" },
	{ "[ipv4-addr:value = '1.2.3.4' AND domain-name:value = 'a.example']", 0, "AND of comparisons" },
	{ "[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\\\Windows\\\\System32']", 0, "AND of comparisons" },
	{ "[windows-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']", 0, "windows-registry-key:key" },
	{ "[file:hashes.'SHA-512' = 'ab']", 0, "'SHA-512'" },
	{ "[file:hashes.'SHA-256' = 'f00']", 0, "not a SHA-256" },
	{ "[ipv4-addr:value = 42]", 0, "not a string" },
	{ "[ipv4-addr:value = '2001:db8::1']", 0, "not an IPv4" },
	{ "[network-traffic:dst_ref.value = 'http://x.example/']", 0, "not an address or domain" },
	{ "[ipv4-addr:value = '1.2.3.4' OR email-message:subject MATCHES 'x']", 0, "MATCHES" },
	{ "[network-traffic:dst_port IN (443, 8443)]", 0, "network-traffic:dst_port" },
	{ "[domain-name:value IN ()]", 0, "empty set" },
	{ "[file:name = 'a' AND file:size = 3]", 0, "AND of comparisons" },
	/* syntax errors, with their column (from 1, in characters) */
	{ "", -1, "column 1: empty" },
	{ "file:size = 1280", -1, "column 1:" },
	{ "[file:size = ]", -1, "column 14:" },
	{ "[file:hashes.MD5 = cead3f77f6cda6ec00f57d76c9a6879f]", -1, "column 20:" },
	{ "[file.size = 1280]", -1, "column 6:" },
	{ "[file:name MATCHES /.*\\.dll/]", -1, "column 20:" },
	{ "[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] WITHIN ]", -1, "positive number" },
	{ "[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] WITHIN 5 HOURS]", -1, "SECONDS expected" },
	{ "[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] WITHIN -5 SECONDS]", -1, "positive number" },
	{ "[network-traffic:dst_ref.value ISSUBSET ]", -1, "a string expected" },
	{ "[file:hashes.MD5 =? 'cead3f77f6cda6ec00f57d76c9a6879f']", -1, "column 19:" },
	{ "[x_whatever:detected == t'2457-73-22T32:81:84.1Z']", -1, "timestamp" },
	{ "[artifact:payload_bin = b'====']", -1, "base64" },
	{ "[foo:bar=1] within 2 seconds", -1, "column 13:" },
	{ "[win-registry-key:key = 'a'] WITHIN 5 SECONDS WITHIN 6 SECONDS", -1, "same qualifier" },
	{ "([win-registry-key:key = 'a'] REPEATS 2 TIMES REPEATS 3 TIMES)", -1, "same qualifier" },
	{ "[w:k = 'a'] START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z' START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z'", -1, "same qualifier" },
	{ "[a:b = 'x", -1, "not closed" },
	{ "[a:b = 'x\\q']", -1, "bad escape" },
	{ "[a:b = 1] /* x", -1, "comment not closed" },
	{ "[file:hashes.SHA-256 = 'x']", -1, "must be quoted" },
	{ "[a:b = 01]", -1, "leading zero" },
	{ "[a:b = 'x'] OR", -1, "'[' starting an observation" },
	{ "[a:b = 'x']]", -1, "the end expected" },
	{ "[a:b = h'abc']", -1, "odd number" },
	{ "[a:b = h'zz']", -1, "hex digit" },
	{ "[a:b = b'']", -1, "base64 length" },
	{ "[a:b = b'YQ=']", -1, "base64 length" },
	{ "[a:b = 'x\xff']", -1, "UTF-8" },
	{ "[a:b = 'x'] AND", -1, "column 16:" },
	{ "[a:b[x] = 1]", -1, "list index" },
	{ "[NOT a:b = 1]", -1, "EXISTS expected" },
	{ "[a:b IN 1]", -1, "'(' starting the IN set" },
	{ "[a:b = 'ê'] X", -1, "column 13:" },
};

static void check_pattern(const struct pat_case *c, size_t len)
{
	struct arena *a = arena_new(1 << 22);
	struct stix_hit *hits;
	const char *why;
	struct err e = { 0 };
	char got[1024] = "";
	int n = stix_pattern_parse(c->pattern, len, a, &hits, &why, &e);
	for (int k = 0; k < n; k++) {
		size_t o = strlen(got);
		snprintf(got + o, sizeof(got) - o, "%s%s:%s", k ? " " : "", ioc_kind_name(hits[k].kind),
			 hits[k].value);
	}
	if (n == 0)
		snprintf(got, sizeof(got), "%s", why);
	if (n < 0)
		snprintf(got, sizeof(got), "%s", e.arg);
	int ok = n == c->n && (n > 0 ? strcmp(got, c->want) == 0 : strstr(got, c->want) != NULL);
	if (ok && n < 0)
		ok = e.code == E_MALFORMED && e.msg == MSG_IOC_PATTERN;
	if (!ok)
		fail_msg("%s\n  -> %d '%s'\n  wanted %d '%s'", c->pattern, n, got, c->n, c->want);
	arena_free(a);
}

static void test_pattern_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pat_cases) / sizeof(pat_cases[0]); i++)
		check_pattern(&pat_cases[i], strlen(pat_cases[i].pattern));
	/* A NUL inside the bytes given is not text. */
	struct pat_case nul = { "[a:b = 'x\0y']", -1, "NUL" };
	check_pattern(&nul, 13);
	/* The file name beside a hash names it. */
	struct arena *a = arena_new(1 << 20);
	struct stix_hit *hits;
	const char *why;
	struct err e = { 0 };
	const char *p = "[file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f' AND file:name = ' x.exe']";
	assert_int_equal(stix_pattern_parse(p, strlen(p), a, &hits, &why, &e), 1);
	assert_string_equal(hits[0].file_name, "x.exe");
	arena_free(a);
}

/* Every pattern of the OASIS reference validator's tests (v21
 * test_validator.py PASS_CASES) and of the STIX spec's examples
 * (spec_examples.txt), BSD-3-Clause, © OASIS Open: valid. */
static void test_pattern_reference(void **state)
{
	(void)state;
	static const char *const valid[] = {
		"[file:size = 1280]", "[file:size != 1280]", "[file:size < 1024]",
		"[file:size <= 1024]", "[file:size > 1024]", "[file:size >= 1024]",
		"[file:file_name = 'my_file_name']",
		"[file:extended_properties.'ntfs-ext'.sid = '234']",
		"[emailaddr:value MATCHES '.+\\\\@ibm\\\\.com$' OR file:name MATCHES '^Final Report.+\\\\.exe$']",
		"[ipv4addr:value ISSUBSET '192.168.0.1/24']",
		"[ipv4addr:value NOT ISSUBSET '192.168.0.1/24']",
		"[user-account:value = 'Peter'] AND [user-account:value != 'Paul'] AND [user-account:value = 'Mary'] WITHIN 5 SECONDS",
		"[file:file_system_properties.file_name LIKE 'name%']",
		"[file:file_name IN ('test.txt', 'test2.exe', 'README')]",
		"[file:size IN (1024, 2048, 4096)]",
		"[network-connection:extended_properties[0].source_payload MATCHES 'dGVzdHRlc3R0ZXN0']",
		"[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] WITHIN 5 SECONDS",
		"[x_whatever:detected == t'2018-03-22T12:11:14.1Z']",
		"[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']",
		"[foo:bar=1] REPEATS 9 TIMES",
		"[network-traffic:start = '2018-04-20T12:36:24.558Z']",
		"( [(network-traffic:dst_port IN(443,6443,8443) AND network-traffic:src_packets != 0) ])",
		"([win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar']) WITHIN 5 SECONDS WITHIN 6 SECONDS",
		"([win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] REPEATS 2 TIMES) REPEATS 2 TIMES",
		"[network-traffic:src_port = 37020 AND user-account:user_id = 'root'] START t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z' OR [ipv4-addr:value = '192.168.122.83'] START t'2016-06-01T03:55:00.123Z' STOP t'2016-06-01T04:30:24.743Z'",
		"[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
		"[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']",
		"[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] AND [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
		"([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) WITHIN 300 SECONDS",
		"[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND user-account:account_login = 'Paul'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1009' AND user-account:account_login = 'Mary']",
		"[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\\\xd4\\\\xc3\\\\xb2\\\\xa1\\\\x02\\\\x00\\\\x04\\\\x00']",
		"[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']",
		"[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']",
		"[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
		"[windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Software\\\\CryptoLocker\\\\Files' OR windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Software\\\\Microsoft\\\\CurrentVersion\\\\Run\\\\CryptoLocker_0388']",
		"[(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = t'2014-01-13T07:03:17Z']",
		"[x-usb-device:usbdrive.serial_number = '575833314133343231313937']",
		"[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] FOLLOWEDBY [process:command_line MATCHES'^.+>-add GlobalSign.cer -c -s -r localMachineTrustedPublisher$'] WITHIN 300 SECONDS",
		"([file:name = 'foo.dll'] AND [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) OR [process:name = 'fooproc' OR process:name = 'procfoo']",
		"[a:b = -1] AND [a:b = +2] AND [a:b = -.5] AND [a:b = true] AND [a:b = false]",
		"[a:b = h''] OR [a:b = b'YQ=='] OR [a:b = b'YWJj']",
	};
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct arena *a = arena_new(1 << 20);
		struct stix_hit *hits;
		const char *why;
		struct err e = { 0 };
		int n = stix_pattern_parse(valid[i], strlen(valid[i]), a, &hits, &why, &e);
		arena_free(a);
		if (n < 0)
			fail_msg("%s\n  -> %s", valid[i], e.arg);
	}
}

static void test_pattern_limits(void **state)
{
	(void)state;
	struct arena *a = arena_new(1 << 24);
	struct stix_hit *hits;
	const char *why;
	struct err e = { 0 };
	/* Nesting: STIX_PATTERN_MAX_DEPTH parentheses, and one more, at both
	 * levels. */
	char p[1024];
	for (int extra = 0; extra < 2; extra++) {
		int d = STIX_PATTERN_MAX_DEPTH + extra;
		size_t o = 0;
		for (int k = 0; k < d; k++)
			p[o++] = '(';
		o += (size_t)snprintf(p + o, sizeof(p) - o, "[a:b = 1]");
		for (int k = 0; k < d; k++)
			p[o++] = ')';
		p[o] = '\0';
		int n = stix_pattern_parse(p, o, a, &hits, &why, &e);
		assert_int_equal(n, extra ? -1 : 0);
		o = (size_t)snprintf(p, sizeof(p), "[");
		for (int k = 0; k < d; k++)
			p[o++] = '(';
		o += (size_t)snprintf(p + o, sizeof(p) - o, "ipv4-addr:value = '1.2.3.4'");
		for (int k = 0; k < d; k++)
			p[o++] = ')';
		p[o++] = ']';
		p[o] = '\0';
		n = stix_pattern_parse(p, o, a, &hits, &why, &e);
		assert_int_equal(n, extra ? -1 : 1);
	}
	assert_non_null(strstr(e.arg, "nested deeper"));
	/* Length: IOC_MAX_TEXT bytes, and one more. */
	char *big = malloc(IOC_MAX_TEXT + 2);
	size_t o = (size_t)snprintf(big, 16, "[a:b = '");
	memset(big + o, 'x', IOC_MAX_TEXT - o - 2);
	memcpy(big + IOC_MAX_TEXT - 2, "']", 3);
	assert_int_equal(stix_pattern_parse(big, IOC_MAX_TEXT, a, &hits, &why, &e), 0);
	memcpy(big + IOC_MAX_TEXT - 2, "x']", 4);
	assert_int_equal(stix_pattern_parse(big, IOC_MAX_TEXT + 1, a, &hits, &why, &e), -1);
	assert_int_equal(e.code, E_TOOLARGE);
	/* Long chains of AND/OR do not recurse. */
	size_t cap = 400000;
	char *chain = malloc(cap);
	o = 0;
	for (int k = 0; k < 5000; k++)
		o += (size_t)snprintf(chain + o, cap - o, "%s[ipv4-addr:value = '10.0.%d.%d']",
				      k ? " OR " : "", k / 256, k % 256);
	assert_true(o < IOC_MAX_TEXT * 4);
	assert_int_equal(stix_pattern_parse(chain, o, a, &hits, &why, &e), -1);   /* over 64 KiB */
	o = 0;
	for (int k = 0; k < 1200; k++)
		o += (size_t)snprintf(chain + o, cap - o, "%s[ipv4-addr:value = '10.0.%d.%d']",
				      k ? " OR " : "", k / 256, k % 256);
	assert_true(o < IOC_MAX_TEXT);
	assert_int_equal(stix_pattern_parse(chain, o, a, &hits, &why, &e), 0);   /* > IOC_MAX_LIST */
	assert_non_null(strstr(why, "more than"));
	o = 0;
	for (int k = 0; k < 1000; k++)
		o += (size_t)snprintf(chain + o, cap - o, "%s[ipv4-addr:value = '10.0.%d.%d']",
				      k ? " OR " : "", k / 256, k % 256);
	assert_int_equal(stix_pattern_parse(chain, o, a, &hits, &why, &e), 1000);
	free(chain);
	free(big);
	arena_free(a);
}

/* stix_pattern_of writes what stix_pattern_parse reads back. */
static void test_pattern_of(void **state)
{
	(void)state;
	static const struct {
		int kind;
		const char *value, *file_name;
	} cases[] = {
		{ IOC_IPV4, "10.0.0.1", NULL }, { IOC_IPV6, "2001:db8::1", NULL },
		{ IOC_CIDR, "10.0.0.0/8", NULL }, { IOC_CIDR, "2001:db8::/32", NULL },
		{ IOC_DOMAIN, "xn--tnmin-hsa0954c.vn", NULL },
		{ IOC_URL, "http://evil.example/it's/a\\path?x='1'", NULL },
		{ IOC_SHA256, "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c", "it's.exe" },
		{ IOC_SHA1, "77b0c41b7d340b8a3d903f21347bbf06aa766b5b", NULL },
		{ IOC_MD5, "0749bae92ca336a02c83d126e04ec628", "%TEMP%\\x.exe" },
		{ IOC_EMAIL, "o'brien@example.com", NULL },
		{ IOC_FILENAME, "C:\\it's here\\a.exe", NULL },
	};
	struct arena *a = arena_new(1 << 20);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *p = stix_pattern_of(a, cases[i].kind, cases[i].value, cases[i].file_name);
		struct stix_hit *hits;
		const char *why;
		struct err e = { 0 };
		assert_non_null(p);
		int n = stix_pattern_parse(p, strlen(p), a, &hits, &why, &e);
		if (n != 1 || hits[0].kind != cases[i].kind || strcmp(hits[0].value, cases[i].value) != 0)
			fail_msg("%s -> %d %s", p, n, n < 0 ? e.arg : n == 0 ? why : hits[0].value);
		if (cases[i].file_name)
			assert_string_equal(hits[0].file_name, cases[i].file_name);
		else
			assert_null(hits[0].file_name);
	}
	assert_null(stix_pattern_of(a, IOC_YARA, "rule x { condition: true }", NULL));
	assert_string_equal(stix_pattern_of(a, IOC_PATTERN, "[a:b = 1]", NULL), "[a:b = 1]");
	arena_free(a);
}

/* ---- STIX import ---- */

static long import_file(int fmt, const char *rel, struct coll *c, struct ioc_stats *st)
{
	size_t n;
	char *d = slurp(rel, &n);
	struct err e = { 0 };
	long r = parse(fmt, rel, d, n, c, st, &e);
	if (r < 0)
		fail_msg("%s: %s", rel, e.arg);
	assert_int_equal((size_t)r, c->n);
	assert_int_equal(st->records, r);
	free(d);
	return r;
}

static void test_stix_samples(void **state)
{
	(void)state;
	struct coll c;
	struct ioc_stats st;
	const struct ioc *i;

	coll_init(&c);
	assert_int_equal(import_file(F_STIX, "stix/indicator-for-c2-ip-address.json", &c, &st), 1);
	i = find(&c, IOC_IPV4, "10.0.0.0");
	assert_string_equal(i->name, "IP Address for known C2 channel");
	assert_string_equal(i->description, "Test description C2 channel.");
	assert_string_equal(i->origin_id, "indicator--33fe3b22-0201-47cf-85d0-97c02164528d");
	assert_int_equal(i->valid_from, t_ms("2014-05-08T09:00:00Z"));
	assert_int_equal(i->valid_until, 0);
	assert_int_equal(i->created, t_ms("2014-05-08T09:00:00Z"));
	assert_int_equal(i->tlp, TLP_NONE);
	assert_int_equal(i->confidence, -1);
	assert_int_equal(i->to_ids, 1);
	assert_null(i->source);
	coll_release(&c);

	coll_init(&c);
	assert_int_equal(import_file(F_STIX, "stix/indicators-for-C2-with-COA.json", &c, &st), 2);
	i = find(&c, IOC_IPV4, "10.0.0.0");
	assert_true(has_rel(i, "malware", "Poison Ivy"));
	assert_string_equal(i->source, "The MITRE Corporation - DHS Support Team");
	i = find(&c, IOC_SHA256, "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c");
	assert_true(has_rel(i, "malware", "Poison Ivy"));
	assert_int_equal(i->nrelated, 1);                /* not the course of action */
	coll_release(&c);

	coll_init(&c);
	assert_int_equal(import_file(F_STIX, "stix/indicator-to-campaign-relationship.json", &c, &st), 1);
	assert_true(has_rel(find(&c, IOC_IPV4, "10.0.0.0"), "campaign", "Operation Omega"));
	coll_release(&c);

	/* MATCHES patterns are kept as text and reported. */
	coll_init(&c);
	assert_int_equal(import_file(F_STIX, "stix/malicious-email-indicator-with-attachment.json", &c, &st), 2);
	assert_int_equal(st.unconverted, 2);
	assert_int_equal(st.kinds[IOC_PATTERN], 2);
	assert_int_equal(st.nkept, 2);
	assert_string_equal(st.kept[0].id, "indicator--8cf9236f-1b96-493d-98be-0c1c1e8b62d7");
	assert_non_null(strstr(st.kept[0].why, "MATCHES"));
	i = find(&c, IOC_PATTERN, "[email-message:subject MATCHES '^[IMPORTANT] Please Review Before']");
	assert_string_equal(i->pattern_type, "stix");
	assert_true(has_rel(i, "attack-pattern", "Phishing"));
	assert_false(ioc_active(i, time_now_ms()));
	coll_release(&c);

	/* Observables an infrastructure consists of. */
	coll_init(&c);
	assert_int_equal(import_file(F_STIX, "stix/infrastructure.json", &c, &st), 2);
	i = find(&c, IOC_IPV4, "198.51.100.3");
	assert_string_equal(i->name, "Poison Ivy C2");
	assert_true(has_rel(i, "infrastructure", "Poison Ivy C2"));
	assert_true(has_rel(i, "malware", "Poison Ivy"));
	i = find(&c, IOC_DOMAIN, "example.com");
	assert_true(has_rel(i, "malware", "IMDDOS"));
	assert_int_equal(st.skipped, 0);
	coll_release(&c);

	/* A TAXII server's data: the latest version of each object. */
	coll_init(&c);
	assert_int_equal(import_file(F_STIX, "stix/default_data.json", &c, &st), 2);
	assert_int_equal(st.superseded, 3);
	i = find(&c, IOC_URL, "http://x4z9arb.cn/4712");
	assert_non_null(strstr(i->description, "last updated"));
	assert_int_equal(i->valid_from, t_ms("2016-11-03T12:30:59Z"));
	i = find(&c, IOC_SHA256, "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c");
	assert_true(has_rel(i, "malware", "Poison Ivy"));
	coll_release(&c);
}

#define IND(extra) \
	"{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--11111111-1111-4111-8111-111111111111\"," \
	"\"created\":\"2024-01-01T00:00:00Z\",\"modified\":\"2024-01-01T00:00:00Z\"," \
	"\"pattern_type\":\"stix\",\"valid_from\":\"2024-01-01T00:00:00Z\"" extra "}"
#define BUNDLE(objs) "{\"type\":\"bundle\",\"id\":\"bundle--22222222-2222-4222-8222-222222222222\",\"objects\":[" objs "]}"
#define PAT(p) ",\"pattern\":\"" p "\""

static void test_stix_forms(void **state)
{
	(void)state;
	struct coll c;
	struct ioc_stats st;

	/* TAXII envelope, a bare array, a single object, STIX 2.0 (no pattern_type). */
	const char *forms[] = {
		"{\"more\":false,\"objects\":[" IND(PAT("[ipv4-addr:value = '1.2.3.4']")) "]}",
		"[" IND(PAT("[ipv4-addr:value = '1.2.3.4']")) "]",
		IND(PAT("[ipv4-addr:value = '1.2.3.4']")),
		"\xEF\xBB\xBF" BUNDLE("{\"type\":\"indicator\",\"id\":\"indicator--1\",\"created\":\"2016-01-01T00:00:00Z\","
				      "\"modified\":\"2016-01-01T00:00:00Z\",\"labels\":[\"malicious-activity\"],"
				      "\"pattern\":\"[ipv4-addr:value = '1.2.3.4']\",\"valid_from\":\"2016-01-01T00:00:00Z\"}"),
	};
	for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
		coll_init(&c);
		assert_int_equal(parse_ok(F_STIX, forms[k], &c, &st), 1);
		assert_int_equal(c.v[0].kind, IOC_IPV4);
		coll_release(&c);
	}
	coll_init(&c);
	parse_ok(F_STIX, forms[3], &c, &st);
	assert_true(has_tag(&c.v[0], "malicious-activity"));
	coll_release(&c);

	/* Markings: TLP 1.0 and 2.0 ids, definitions in the file, the
	 * strictest of several, a statement is no TLP. */
	static const struct {
		const char *objs;
		int tlp;
	} marks[] = {
		{ IND(PAT("[ipv4-addr:value = '1.2.3.4']") ",\"object_marking_refs\":[\"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82\"]"), TLP_AMBER },
		{ IND(PAT("[ipv4-addr:value = '1.2.3.4']") ",\"object_marking_refs\":[\"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9\"]"), TLP_CLEAR },
		{ IND(PAT("[ipv4-addr:value = '1.2.3.4']") ",\"object_marking_refs\":[\"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003\"]"), TLP_AMBER_STRICT },
		{ IND(PAT("[ipv4-addr:value = '1.2.3.4']") ",\"object_marking_refs\":[\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\",\"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1\"]"), TLP_RED },
		{ "{\"type\":\"marking-definition\",\"id\":\"marking-definition--x\",\"definition_type\":\"tlp\",\"definition\":{\"tlp\":\"red\"}},"
		  IND(PAT("[ipv4-addr:value = '1.2.3.4']") ",\"object_marking_refs\":[\"marking-definition--x\"]"), TLP_RED },
		{ "{\"type\":\"marking-definition\",\"id\":\"marking-definition--y\",\"extensions\":{\"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d\":{\"extension_type\":\"property-extension\",\"tlp_2_0\":\"amber+strict\"}}},"
		  IND(PAT("[ipv4-addr:value = '1.2.3.4']") ",\"granular_markings\":[{\"marking_ref\":\"marking-definition--y\",\"selectors\":[\"pattern\"]}]"), TLP_AMBER_STRICT },
		{ "{\"type\":\"marking-definition\",\"id\":\"marking-definition--z\",\"definition_type\":\"statement\",\"definition\":{\"statement\":\"(c) X\"}},"
		  IND(PAT("[ipv4-addr:value = '1.2.3.4']") ",\"object_marking_refs\":[\"marking-definition--z\"]"), TLP_NONE },
	};
	for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++) {
		char doc[4096];
		snprintf(doc, sizeof(doc), BUNDLE("%s"), marks[k].objs);
		coll_init(&c);
		assert_int_equal(parse_ok(F_STIX, doc, &c, &st), 1);
		if (c.v[0].tlp != marks[k].tlp)
			fail_msg("marking case %zu: tlp %d, wanted %d", k, c.v[0].tlp, marks[k].tlp);
		coll_release(&c);
	}

	/* Pattern types, revoked objects, confidence, validity, OR. */
	coll_init(&c);
	parse_ok(F_STIX, BUNDLE(
		"{\"type\":\"indicator\",\"id\":\"indicator--y1\",\"pattern_type\":\"yara\",\"pattern\":\"rule demo { condition: true }\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--y2\",\"pattern_type\":\"yara\",\"pattern\":\"not a rule\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--s1\",\"pattern_type\":\"snort\",\"pattern\":\"alert tcp any any -> any any (msg:\\\"x\\\";)\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--r1\",\"revoked\":true,\"pattern\":\"[ipv4-addr:value = '9.9.9.9']\"},"
		"{\"type\":\"indicator\",\"id\":\"indicator--c1\",\"confidence\":85,\"valid_from\":\"2024-01-01T00:00:00Z\",\"valid_until\":\"2025-01-01T00:00:00.5Z\","
		"\"pattern\":\"[domain-name:value = 'a.example'] OR [url:value = 'http://a.example/x']\"},"
		"{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--lonely\",\"value\":\"8.8.8.8\"}"), &c, &st);
	assert_int_equal(c.n, 5);
	assert_int_equal(st.revoked, 1);
	assert_int_equal(st.skipped, 1);                 /* the lonely observable */
	assert_int_equal(find(&c, IOC_YARA, "rule demo { condition: true }")->to_ids, 1);
	const struct ioc *i = find(&c, IOC_PATTERN, "not a rule");
	assert_string_equal(i->pattern_type, "yara");
	assert_non_null(strstr(i->why, "YARA"));
	i = find(&c, IOC_PATTERN, "alert tcp any any -> any any (msg:\"x\";)");
	assert_string_equal(i->pattern_type, "snort");
	i = find(&c, IOC_DOMAIN, "a.example");
	assert_int_equal(i->confidence, 85);
	assert_int_equal(i->valid_until, t_ms("2025-01-01T00:00:00.5Z"));
	assert_string_equal(find(&c, IOC_URL, "http://a.example/x")->origin_id, "indicator--c1");
	assert_int_equal(st.unconverted, 2);
	coll_release(&c);

	/* Tags read as in every format: tlp:*, galaxies, ungcuu:confidence. */
	coll_init(&c);
	parse_ok(F_STIX, BUNDLE(IND(PAT("[ipv4-addr:value = '1.2.3.4']")
		",\"labels\":[\" spaced \",\"tlp:red\",\"misp-galaxy:banker=\\\"Gozi\\\"\",\"ungcuu:confidence=\\\"55\\\"\",\"tlp:ex:chr\",\" \"]")), &c, &st);
	i = &c.v[0];
	assert_int_equal(i->tlp, TLP_RED);
	assert_int_equal(i->confidence, 55);
	assert_true(has_rel(i, "malware", "Gozi"));
	assert_true(has_tag(i, "spaced") && has_tag(i, "tlp:ex:chr"));
	assert_int_equal(i->ntags, 2);
	coll_release(&c);
	parse_fails(F_STIX, BUNDLE(IND(PAT("[ipv4-addr:value = '1.2.3.4']") ",\"labels\":[\"ungcuu:confidence=\\\"x\\\"\"]")),
		    E_INVALID, MSG_IOC_SCHEMA, "labels: confidence from 0 to 100");
}

static void test_stix_errors(void **state)
{
	(void)state;
	size_t n;
	char *d = slurp("stix/indicators-for-C2-with-COA.json", &n);
	/* Truncated: every cut is a syntax error with line and column. */
	for (size_t cut = 0; cut < n; cut += 97) {
		char *t = strndup(d, cut);
		struct coll c;
		struct err e = { 0 };
		coll_init(&c);
		assert_int_equal(ioc_parse_stix("c2.json", t, cut, collect, &c, NULL, &e), -1);
		assert_int_equal(e.code, E_MALFORMED);
		assert_int_equal(e.msg, MSG_IOC_SYNTAX);
		assert_non_null(strstr(e.arg, "c2.json: "));
		if (cut > 0)
			assert_non_null(strstr(e.arg, "line "));
		assert_int_equal(c.calls, 0);
		coll_release(&c);
		free(t);
	}
	free(d);
	/* A bad pattern after a good indicator: nothing handed over. */
	parse_fails(F_STIX, BUNDLE(IND(PAT("[ipv4-addr:value = '1.2.3.4']")) ","
				   "{\"type\":\"indicator\",\"id\":\"indicator--bad\",\"pattern\":\"[ipv4-addr:value = '1.2.3.4'\"}"),
		    E_MALFORMED, MSG_IOC_PATTERN, "/objects/1 (indicator--bad): pattern, column 29: ']' closing");
	parse_fails(F_STIX, "{\"Event\":{\"info\":\"x\"}}", E_INVALID, MSG_IOC_SCHEMA, "import it as misp");
	parse_fails(F_STIX, "{\"hello\":1}", E_INVALID, MSG_IOC_SCHEMA, "not STIX 2.1");
	parse_fails(F_STIX, "{\"type\":\"bundle\",\"objects\":{}}", E_INVALID, MSG_IOC_SCHEMA, "objects: expected an array");
	parse_fails(F_STIX, BUNDLE("{\"id\":\"x--1\"}"), E_INVALID, MSG_IOC_SCHEMA, "/objects/0: type: missing");
	parse_fails(F_STIX, BUNDLE("3"), E_INVALID, MSG_IOC_SCHEMA, "/objects/0: a STIX object");
	parse_fails(F_STIX, BUNDLE("{\"type\":\"indicator\",\"id\":\"indicator--1\"}"), E_INVALID,
		    MSG_IOC_SCHEMA, "pattern: missing");
	parse_fails(F_STIX, BUNDLE(IND(PAT("[ipv4-addr:value = '1.2.3.4']") ",\"valid_until\":\"2023-01-01T00:00:00Z\"")),
		    E_INVALID, MSG_IOC_SCHEMA, "valid_until: not after valid_from");
	parse_fails(F_STIX, BUNDLE(IND(PAT("[ipv4-addr:value = '1.2.3.4']") ",\"confidence\":101")),
		    E_INVALID, MSG_IOC_SCHEMA, "confidence: expected an integer from 0 to 100");
	parse_fails(F_STIX, BUNDLE(IND(PAT("[ipv4-addr:value = '1.2.3.4']") ",\"valid_until\":\"tomorrow\"")),
		    E_INVALID, MSG_IOC_SCHEMA, "valid_until: not an RFC 3339 time");
	parse_fails(F_STIX, BUNDLE(IND(PAT("[ipv4-addr:value = '1.2.3.4']") ",\"labels\":[1]")),
		    E_INVALID, MSG_IOC_SCHEMA, "labels/0: expected a string");
	parse_fails(F_STIX, BUNDLE(IND(PAT("[ipv4-addr:value = '1.2.3.4']") ",\"name\":\"a\\u0000b\"")),
		    E_MALFORMED, MSG_IOC_SYNTAX, "not allowed");
	parse_fails(F_STIX, "{\"type\":\"bundle\",\"type\":\"bundle\",\"objects\":[]}", E_MALFORMED,
		    MSG_IOC_SYNTAX, "duplicate");
	parse_fails(F_STIX, "", E_MALFORMED, MSG_IOC_SYNTAX, "empty");
	parse_fails(F_STIX, BUNDLE("{\"type\":\"infrastructure\",\"id\":\"infrastructure--1\",\"name\":\"C2\"},"
				   "{\"type\":\"relationship\",\"id\":\"relationship--1\",\"relationship_type\":\"consists-of\","
				   "\"source_ref\":\"infrastructure--1\",\"target_ref\":\"ipv4-addr--1\"},"
				   "{\"type\":\"ipv4-addr\",\"id\":\"ipv4-addr--1\",\"value\":\"300.1.1.1\"}"),
		    E_INVALID, MSG_IOC_VALUE, "value: '300.1.1.1': not an IPv4 address");
	/* More labels than IOC_MAX_LIST. */
	size_t cap = 16 * (IOC_MAX_LIST + 10) + 512, o;
	char *big = malloc(cap);
	o = (size_t)snprintf(big, cap, "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern\":\"[ipv4-addr:value = '1.2.3.4']\",\"labels\":[");
	for (int k = 0; k <= IOC_MAX_LIST; k++)
		o += (size_t)snprintf(big + o, cap - o, "%s\"l%d\"", k ? "," : "", k);
	snprintf(big + o, cap - o, "]}]}");
	parse_fails(F_STIX, big, E_TOOLARGE, MSG_IOC_LIMIT, "more than");
	free(big);
	/* The sink's refusal stops the import with its error. */
	struct coll c;
	struct err e = { 0 };
	coll_init(&c);
	c.fail_at = 2;
	d = slurp("stix/indicators-for-C2-with-COA.json", &n);
	assert_int_equal(ioc_parse_stix("c2.json", d, n, collect, &c, NULL, &e), -1);
	assert_int_equal(e.code, E_DB);
	assert_int_equal(c.calls, 2);
	free(d);
	coll_release(&c);
	/* No sink: a check only. */
	struct ioc_stats st;
	d = slurp("stix/indicators-for-C2-with-COA.json", &n);
	assert_int_equal(ioc_parse_stix("c2.json", d, n, NULL, NULL, &st, &e), 2);
	free(d);
}

/* ---- MISP import ---- */

static void test_misp_samples(void **state)
{
	(void)state;
	struct coll c;
	struct ioc_stats st;
	const struct ioc *i;

	coll_init(&c);
	assert_int_equal(import_file(F_MISP, "misp/57c4445b-c548-4654-af0b-4be3950d210f.json", &c, &st), 4);
	assert_int_equal(st.skipped, 5);                 /* 2 links, comment, text, regkey|value */
	i = find(&c, IOC_MD5, "0749bae92ca336a02c83d126e04ec628");
	assert_int_equal(i->tlp, TLP_CLEAR);              /* tlp:white */
	assert_string_equal(i->source, "CIRCL");
	assert_string_equal(i->origin_id, "57c4448b-454c-4d17-90d1-4d2f950d210f");
	assert_string_equal(i->description, "Imported via the Freetext Import Tool");
	assert_int_equal(i->modified, 1472480395000LL);
	assert_true(has_tag(i, "circl:incident-classification=\"malware\""));
	assert_int_equal(i->ntags, 3);
	assert_int_equal(i->to_ids, 1);
	find(&c, IOC_FILENAME, "3Z4wnG9603it23y.exe");
	find(&c, IOC_SHA1, "77b0c41b7d340b8a3d903f21347bbf06aa766b5b");
	find(&c, IOC_SHA256, "b3c4ae251f8094fa15b510051835c657eaef2a6cea46075d3aec964b14a99f68");
	coll_release(&c);

	coll_init(&c);
	assert_int_equal(import_file(F_MISP, "misp/sighting_1.json", &c, &st), 5);
	assert_int_equal(st.kinds[IOC_DOMAIN], 4);
	i = find(&c, IOC_URL, "http://sistemait.it/softaculous/backup/client.rar");
	assert_true(has_rel(i, "malware", "Gozi"));       /* misp-galaxy:banker */
	assert_true(has_tag(i, "PasteBin: MALWAREMESSIAGH"));
	assert_int_equal(i->tlp, TLP_NONE);
	coll_release(&c);

	coll_init(&c);
	assert_int_equal(import_file(F_MISP, "misp/to_delete1.json", &c, &st), 54);
	assert_int_equal(st.kinds[IOC_SHA256], 16);
	assert_int_equal(st.kinds[IOC_SHA1], 14);
	assert_int_equal(st.kinds[IOC_MD5], 14);
	assert_int_equal(st.kinds[IOC_FILENAME], 4);
	assert_int_equal(st.kinds[IOC_DOMAIN], 4);       /* hostnames */
	assert_int_equal(st.kinds[IOC_IPV4], 2);
	assert_int_equal(st.skipped, 21);
	find(&c, IOC_DOMAIN, "www.fyoutside.com");
	coll_release(&c);

	coll_init(&c);
	assert_int_equal(import_file(F_MISP, "misp/to_delete3.json", &c, &st), 62);
	assert_int_equal(st.kinds[IOC_IPV4], 19 + 24);    /* and those of 24 ip-port objects */
	assert_int_equal(st.skipped, 34);                /* the ports among them */
	i = find(&c, IOC_IPV4, "24.184.200.177");          /* from an object */
	assert_true(has_rel(i, "tool", "Emotet"));
	assert_true(has_rel(i, "malware", "Qakbot"));
	coll_release(&c);
}

#define EVENT(tags, attrs) "{\"Event\":{\"info\":\"t\",\"Orgc\":{\"name\":\"VNCERT\"},\"Tag\":[" tags "],\"Attribute\":[" attrs "]}}"

static void test_misp_forms(void **state)
{
	(void)state;
	struct coll c;
	struct ioc_stats st;
	const struct ioc *i;

	coll_init(&c);
	parse_ok(F_MISP, EVENT(
		"{\"name\":\"tlp:green\"},{\"name\":\"misp-galaxy:threat-actor=\\\"APT28\\\"\"},{\"name\":\"misp-galaxy:sector=\\\"Government\\\"\"},{\"name\":\"ungcuu:confidence=\\\"70\\\"\"}",
		"{\"type\":\"filename|sha256\",\"value\":\"a.exe|EF537F25C895BFA782526529A9B63D97AA631564D5D789C2B765448C8635FB6C\",\"to_ids\":true,\"uuid\":\"u1\"},"
		"{\"type\":\"ip-dst|port\",\"value\":\"2001:db8::1|443\",\"to_ids\":\"1\"},"
		"{\"type\":\"domain|ip\",\"value\":\"a.example|192.0.2.9\",\"to_ids\":true},"
		"{\"type\":\"ip-src\",\"value\":\"10.0.0.0/8\",\"to_ids\":false,\"Tag\":[{\"name\":\"tlp:red\"},{\"name\":\"ungcuu:confidence=\\\"90\\\"\"}]},"
		"{\"type\":\"url\",\"value\":\"http://x.example/\",\"deleted\":true},"
		"{\"type\":\"email-src\",\"value\":\"Bad@Example.com\",\"first_seen\":\"2024-01-01T00:00:00.000000+00:00\",\"last_seen\":\"2024-06-01T00:00:00Z\"},"
		"{\"type\":\"stix2-pattern\",\"value\":\"[ipv4-addr:value = '5.6.7.8']\"},"
		"{\"type\":\"stix2-pattern\",\"value\":\"[file:size > 1]\"},"
		"{\"type\":\"snort\",\"value\":\"alert ip any any -> any any (sid:1;)\"},"
		"{\"type\":\"yara\",\"value\":\"rule r { condition: true }\"},"
		"{\"type\":\"regkey\",\"value\":\"HKLM\\\\x\"},"
		"{\"type\":\"hostname\",\"value\":\"WWW.Example.ORG\"}"), &c, &st);
	assert_int_equal(st.skipped, 2);
	i = find(&c, IOC_SHA256, "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c");
	assert_string_equal(i->file_name, "a.exe");
	assert_int_equal(i->tlp, TLP_GREEN);
	assert_int_equal(i->confidence, 70);
	assert_string_equal(i->source, "VNCERT");
	assert_true(has_rel(i, "threat-actor", "APT28"));
	assert_true(has_tag(i, "misp-galaxy:sector=\"Government\""));
	assert_int_equal(i->ntags, 1);
	find(&c, IOC_IPV6, "2001:db8::1");
	find(&c, IOC_DOMAIN, "a.example");
	find(&c, IOC_IPV4, "192.0.2.9");
	i = find(&c, IOC_CIDR, "10.0.0.0/8");
	assert_int_equal(i->tlp, TLP_RED);
	assert_int_equal(i->confidence, 90);
	assert_int_equal(i->to_ids, 0);
	i = find(&c, IOC_EMAIL, "bad@example.com");
	assert_int_equal(i->valid_from, t_ms("2024-01-01T00:00:00Z"));
	assert_int_equal(i->valid_until, t_ms("2024-06-01T00:00:00Z"));
	find(&c, IOC_IPV4, "5.6.7.8");
	assert_string_equal(find(&c, IOC_PATTERN, "[file:size > 1]")->pattern_type, "stix");
	assert_string_equal(find(&c, IOC_PATTERN, "alert ip any any -> any any (sid:1;)")->pattern_type, "snort");
	find(&c, IOC_YARA, "rule r { condition: true }");
	find(&c, IOC_DOMAIN, "www.example.org");
	assert_int_equal(c.n, 11);
	coll_release(&c);

	/* A REST answer, a list of events, a bare event; a file object whose
	 * name names its hashes. */
	const char *forms[] = {
		"{\"response\":[" EVENT("", "{\"type\":\"md5\",\"value\":\"0749bae92ca336a02c83d126e04ec628\"}") "]}",
		"[" EVENT("", "{\"type\":\"md5\",\"value\":\"0749bae92ca336a02c83d126e04ec628\"}") "]",
		"{\"info\":\"bare\",\"Attribute\":[{\"type\":\"md5\",\"value\":\"0749bae92ca336a02c83d126e04ec628\"}]}",
	};
	for (size_t k = 0; k < 3; k++) {
		coll_init(&c);
		assert_int_equal(parse_ok(F_MISP, forms[k], &c, &st), 1);
		coll_release(&c);
	}
	coll_init(&c);
	parse_ok(F_MISP, "{\"Event\":{\"Object\":[{\"name\":\"file\",\"Attribute\":["
			 "{\"type\":\"filename\",\"object_relation\":\"filename\",\"value\":\"dropper.exe\"},"
			 "{\"type\":\"sha1\",\"object_relation\":\"sha1\",\"value\":\"77b0c41b7d340b8a3d903f21347bbf06aa766b5b\"}]}]}}", &c, &st);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].file_name, "dropper.exe");
	coll_release(&c);
	/* A file name may hold '|', a hash may not. */
	coll_init(&c);
	parse_ok(F_MISP, EVENT("", "{\"type\":\"filename|md5\",\"value\":\"a|b.exe|0749bae92ca336a02c83d126e04ec628\"}"), &c, &st);
	assert_string_equal(c.v[0].file_name, "a|b.exe");
	coll_release(&c);
}

static void test_misp_errors(void **state)
{
	(void)state;
	parse_fails(F_MISP, EVENT("", "{\"type\":\"ip-dst\",\"value\":\"not-an-ip\",\"uuid\":\"5a0a\"}"), E_INVALID,
		    MSG_IOC_VALUE, "/Event/Attribute/0 (5a0a): value: 'not-an-ip': not an IPv4 address");
	parse_fails(F_MISP, EVENT("", "{\"value\":\"1.2.3.4\"}"), E_INVALID, MSG_IOC_SCHEMA,
		    "/Event/Attribute/0: type: missing");
	parse_fails(F_MISP, EVENT("", "{\"type\":\"ip-dst\",\"value\":1}"), E_INVALID, MSG_IOC_SCHEMA,
		    "value: expected a string");
	parse_fails(F_MISP, EVENT("", "{\"type\":\"ip-dst|port\",\"value\":\"1.2.3.4\"}"), E_INVALID,
		    MSG_IOC_VALUE, "two parts");
	parse_fails(F_MISP, EVENT("", "{\"type\":\"md5\",\"value\":\"0749bae92ca336a02c83d126e04ec628\",\"to_ids\":\"maybe\"}"),
		    E_INVALID, MSG_IOC_SCHEMA, "to_ids: expected a boolean");
	parse_fails(F_MISP, EVENT("{\"name\":\"ungcuu:confidence=\\\"101\\\"\"}", ""), E_INVALID,
		    MSG_IOC_SCHEMA, "confidence from 0 to 100");
	parse_fails(F_MISP, EVENT("3", ""), E_INVALID, MSG_IOC_SCHEMA, "Tag/0: expected an object");
	parse_fails(F_MISP, EVENT("", "{\"type\":\"email-src\",\"value\":\"a@b.example\",\"first_seen\":\"2024-06-01T00:00:00Z\",\"last_seen\":\"2024-01-01T00:00:00Z\"}"),
		    E_INVALID, MSG_IOC_SCHEMA, "last_seen: not after first_seen");
	parse_fails(F_MISP, EVENT("", "{\"type\":\"stix2-pattern\",\"value\":\"[a:b =\"}"), E_MALFORMED,
		    MSG_IOC_PATTERN, "value, column 7");
	parse_fails(F_MISP, BUNDLE(""), E_INVALID, MSG_IOC_SCHEMA, "import it as stix");
	parse_fails(F_MISP, "{\"x\":1}", E_INVALID, MSG_IOC_SCHEMA, "no \"Event\"");
	parse_fails(F_MISP, "{\"Event\":[]}", E_INVALID, MSG_IOC_SCHEMA, "/Event: an event must be an object");
	parse_fails(F_MISP, "{\"Event\":{\"Attribute\":[", E_MALFORMED, MSG_IOC_SYNTAX, "line 1, column");
	parse_fails(F_MISP, "{\"Event\":{\"Object\":[{\"Attribute\":[{\"type\":\"md5\",\"value\":\"x\"}]}]}}", E_INVALID,
		    MSG_IOC_VALUE, "/Event/Object/0/Attribute/0: value: 'x': not an MD5");
}

/* ---- lists and CSV ---- */

static void test_list(void **state)
{
	(void)state;
	struct coll c;
	struct ioc_stats st;
	coll_init(&c);
	assert_int_equal(parse_ok(F_LIST, "\xEF\xBB\xBF# C2 servers from the report\n\n8.8.8.8\r\n"
				  "hxxp://evil[.]com/a#frag   # the dropper\n  Evil.COM\t\n"
				  "2001:db8::/32\n0749BAE92CA336A02C83D126E04EC628\nx@evil.example\n"
				  "invoice.exe\n#8.8.4.4", &c, &st), 7);
	find(&c, IOC_IPV4, "8.8.8.8");
	find(&c, IOC_URL, "http://evil.com/a#frag");
	find(&c, IOC_DOMAIN, "evil.com");
	find(&c, IOC_CIDR, "2001:db8::/32");
	find(&c, IOC_MD5, "0749bae92ca336a02c83d126e04ec628");
	find(&c, IOC_EMAIL, "x@evil.example");
	find(&c, IOC_FILENAME, "invoice.exe");
	assert_int_equal(c.v[0].tlp, TLP_NONE);
	assert_int_equal(c.v[0].confidence, -1);
	assert_int_equal(st.skipped, 3);
	coll_release(&c);
	coll_init(&c);
	assert_int_equal(parse_ok(F_LIST, "", &c, &st), 0);
	coll_release(&c);

	parse_fails(F_LIST, "8.8.8.8\nevil.com\nfoo bar\n", E_INVALID, MSG_IOC_VALUE, "line 3: not an indicator");
	parse_fails(F_LIST, "8.8.8.8\n1.2.3.4/40\n", E_INVALID, MSG_IOC_VALUE,
		    "line 2: '1.2.3.4/40': network prefix longer");
	parse_fails(F_LIST, "evil.com/x\nfoo/bar baz\n", E_INVALID, MSG_IOC_VALUE, "line 2: not an indicator");

	/* The list syntax the sweep reads too: KIND:VALUE, a port after an
	 * address or a name, the file name at the end of a path, a URL without
	 * its scheme, defanged values; ".zip" is a top-level domain. */
	coll_init(&c);
	assert_int_equal(parse_ok(F_LIST, "domain:invoice.pdf\nip: 2001:db8::1\nfqdn:Mail.Evil.Example\n"
				  "192.0.2.7:8080\nc2.evil.example:443\n"
				  "C:\\Users\\ketoan\\Downloads\\hoadon.EXE\n/tmp/.x/kworkerd\n"
				  "evil2.example/gate.php?id=1\n203.0.113.9/shell\nbad[.]example\n"
				  "invoice.zip\nurl:hxxp://evil3[.]example/a\nmailto:ke-gian[at]evil.example\n"
				  "Final Report.exe\ndomain:*.star.example\n",
				  &c, &st), 15);
	find(&c, IOC_DOMAIN, "invoice.pdf");
	find(&c, IOC_IPV6, "2001:db8::1");
	find(&c, IOC_DOMAIN, "mail.evil.example");
	find(&c, IOC_IPV4, "192.0.2.7");
	find(&c, IOC_DOMAIN, "c2.evil.example");
	find(&c, IOC_FILENAME, "hoadon.EXE");
	find(&c, IOC_FILENAME, "kworkerd");
	find(&c, IOC_URL, "http://evil2.example/gate.php?id=1");
	find(&c, IOC_URL, "http://203.0.113.9/shell");
	find(&c, IOC_DOMAIN, "bad.example");
	find(&c, IOC_DOMAIN, "invoice.zip");
	find(&c, IOC_URL, "http://evil3.example/a");
	find(&c, IOC_EMAIL, "ke-gian@evil.example");
	find(&c, IOC_FILENAME, "Final Report.exe");
	find(&c, IOC_DOMAIN, "star.example");
	coll_release(&c);
	parse_fails(F_LIST, "8.8.8.8\nevil\x01.com\n", E_MALFORMED, MSG_IOC_SYNTAX, "line 2, column 5");
	{
		const char nul[] = "8.8.8.8\n\0\n";
		struct err e = { 0 };
		coll_init(&c);
		assert_int_equal(ioc_parse_list("nul.txt", nul, sizeof(nul) - 1, collect, &c, NULL, &e), -1);
		assert_non_null(strstr(e.arg, "nul.txt: line 2, column 1"));
		assert_int_equal(c.calls, 0);
		coll_release(&c);
	}
	/* A line of IOC_MAX_VALUE bytes, and one more. */
	char *big = malloc(IOC_MAX_VALUE + 2);
	memcpy(big, "http://a.example/", 17);
	memset(big + 17, 'a', IOC_MAX_VALUE - 17);
	big[IOC_MAX_VALUE] = '\0';
	coll_init(&c);
	assert_int_equal(parse_ok(F_LIST, big, &c, &st), 1);
	coll_release(&c);
	big[IOC_MAX_VALUE] = 'a';
	big[IOC_MAX_VALUE + 1] = '\0';
	parse_fails(F_LIST, big, E_TOOLARGE, MSG_IOC_LIMIT, "line 1:");
	free(big);
}

/* hunt_parse_jsonl reads n bytes, not a string: a last line of blanks
 * without a newline ends at n (ASan saw strspn read past it; found by
 * fuzz_hunt_jsonl). */
static void test_hunt_jsonl_bounded(void **state)
{
	(void)state;
	static const char text[] = "{\"path\":\"/x\",\"kind\":\"domain\",\"indicator\":\"a.example\"}\n \t";
	size_t n = sizeof(text) - 1;
	char *p = malloc(n);              /* exactly n bytes, no NUL after */
	assert_non_null(p);
	memcpy(p, text, n);
	struct err e = { 0 };
	json_t *hits = hunt_parse_jsonl("r.jsonl", p, n, &e);
	assert_non_null(hits);
	assert_int_equal(json_array_size(hits), 1);
	json_decref(hits);
	memcpy(p, "  \t \r \t", 6);
	hits = hunt_parse_jsonl("r.jsonl", p, 6, &e);
	assert_non_null(hits);
	assert_int_equal(json_array_size(hits), 0);
	json_decref(hits);
	free(p);
}

/* Only a hash has a file name: a CSV file_name column beside a pattern, or
 * beside a MISP type that is not a hash, is not carried (a STIX export
 * would lose it, so the record would not come back as it was read; found
 * by fuzz_csv_import). */
static void test_csv_file_name_only_on_hashes(void **state)
{
	(void)state;
	struct coll c;
	struct ioc_stats st;
	coll_init(&c);
	assert_int_equal(parse_ok(F_CSV,
		"type,value,file_name\n"
		"pattern,[file:size > 1],a.exe\n"
		"ip-dst,192.0.2.1,b.exe\n"
		"ipv4,192.0.2.2,c.exe\n"
		"sha256,EF537F25C895BFA782526529A9B63D97AA631564D5D789C2B765448C8635FB6C,d.exe\n",
		&c, &st), 4);
	assert_null(find(&c, IOC_PATTERN, "[file:size > 1]")->file_name);
	assert_null(find(&c, IOC_IPV4, "192.0.2.1")->file_name);
	assert_null(find(&c, IOC_IPV4, "192.0.2.2")->file_name);
	assert_string_equal(find(&c, IOC_SHA256,
		"ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c")->file_name, "d.exe");
	coll_release(&c);
}

static void test_csv(void **state)
{
	(void)state;
	struct coll c;
	struct ioc_stats st;
	const struct ioc *i;
	coll_init(&c);
	assert_int_equal(parse_ok(F_CSV,
		"Type , VALUE,tlp,confidence,valid_from,valid_until,to_ids,tags,related,name,file_name,description,extra\r\n"
		"ipv4,8.8.8.8,AMBER,80,2024-01-01T00:00:00Z,2025-01-01T00:00:00Z,0,a;b\\;c;tlp:red,malware:Emotet;campaign:X,n,,\"multi\nline, \"\"quoted\"\"\",ignored\r\n"
		",evil[.]com,,,,,,,,,,'=cmd\r\n"
		"\r\n"
		"sha256,EF537F25C895BFA782526529A9B63D97AA631564D5D789C2B765448C8635FB6C,white,,,,yes,,,,'-a.exe,,\n"
		"pattern,[ipv4-addr:value = '1.2.3.4'],,,,,,,,,,,\n"
		"pattern,[file:size > 1],,,,,,,,,,,\n"
		"hostname,WWW.EXAMPLE.ORG,,,,,,,,,,,\n"
		"yara,rule x { condition: true },,,,,,,,,,,\n", &c, &st), 7);
	i = find(&c, IOC_IPV4, "8.8.8.8");
	assert_int_equal(i->tlp, TLP_RED);               /* the stricter of AMBER and tlp:red */
	assert_int_equal(i->confidence, 80);
	assert_int_equal(i->to_ids, 0);
	assert_int_equal(i->valid_until, t_ms("2025-01-01T00:00:00Z"));
	assert_true(has_tag(i, "a") && has_tag(i, "b;c"));
	assert_int_equal(i->ntags, 2);
	assert_true(has_rel(i, "malware", "Emotet") && has_rel(i, "campaign", "X"));
	assert_string_equal(i->description, "multi\nline, \"quoted\"");
	assert_string_equal(i->name, "n");
	assert_string_equal(find(&c, IOC_DOMAIN, "evil.com")->description, "=cmd");
	i = find(&c, IOC_SHA256, "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c");
	assert_string_equal(i->file_name, "-a.exe");
	assert_int_equal(i->tlp, TLP_CLEAR);
	find(&c, IOC_IPV4, "1.2.3.4");
	find(&c, IOC_PATTERN, "[file:size > 1]");
	find(&c, IOC_DOMAIN, "www.example.org");
	find(&c, IOC_YARA, "rule x { condition: true }");
	assert_int_equal(st.skipped, 1);
	coll_release(&c);

	/* MISP's CSV export: types of its own, composite ones, others skipped. */
	coll_init(&c);
	assert_int_equal(parse_ok(F_CSV,
		"uuid,event_id,category,type,value,comment,to_ids,date,object_relation,attribute_tag,object_uuid,object_name,object_meta_category\n"
		"5a0a9e4c-bcf8,1,Network activity,ip-dst,98.126.156.210,C2,1,1510922426,,\"tlp:amber,misp-galaxy:tool=\"\"Emotet\"\"\",,,\n"
		"5a0a9e4d,1,Persistence mechanism,regkey,HKLM\\x,,0,1510922426,,,,,\n"
		"5a0a9e4e,1,Payload delivery,filename|md5,a.exe|0749bae92ca336a02c83d126e04ec628,,1,1510922426,,,,,\n"
		"5a0a9e4f,1,Network activity,domain|ip,a.example|192.0.2.1,,1,1510922426,,,,,\n", &c, &st), 4);
	i = find(&c, IOC_IPV4, "98.126.156.210");
	assert_string_equal(i->origin_id, "5a0a9e4c-bcf8");
	assert_string_equal(i->description, "C2");
	assert_int_equal(i->tlp, TLP_AMBER);
	assert_true(has_rel(i, "tool", "Emotet"));
	assert_string_equal(find(&c, IOC_MD5, "0749bae92ca336a02c83d126e04ec628")->file_name, "a.exe");
	find(&c, IOC_DOMAIN, "a.example");
	find(&c, IOC_IPV4, "192.0.2.1");
	assert_int_equal(st.skipped, 1);
	coll_release(&c);

	parse_fails(F_CSV, "", E_INVALID, MSG_IOC_SCHEMA, "needs its header");
	parse_fails(F_CSV, "type,val\nipv4,1.2.3.4\n", E_INVALID, MSG_IOC_SCHEMA, "no 'value' column");
	parse_fails(F_CSV, "value,value\n", E_INVALID, MSG_IOC_SCHEMA, "column 'value' twice");
	parse_fails(F_CSV, "type,value\nipv4,1.2.3.4\nfoo,1.2.3.4\n", E_INVALID, MSG_IOC_VALUE,
		    "line 3, column 1: type: unknown type 'foo'");
	parse_fails(F_CSV, "type,value\nipv4,1.2.3\n", E_INVALID, MSG_IOC_VALUE,
		    "line 2, column 2: value: '1.2.3': not an IPv4 address");
	parse_fails(F_CSV, "value,tlp\n1.2.3.4,PURPLE\n", E_INVALID, MSG_IOC_VALUE, "tlp: 'PURPLE'");
	parse_fails(F_CSV, "value,confidence\n1.2.3.4,200\n", E_INVALID, MSG_IOC_VALUE, "confidence");
	parse_fails(F_CSV, "value,related\n1.2.3.4,Emotet\n", E_INVALID, MSG_IOC_VALUE, "TYPE:NAME");
	parse_fails(F_CSV, "value,valid_from,valid_until\n1.2.3.4,2025-01-01T00:00:00Z,2024-01-01T00:00:00Z\n",
		    E_INVALID, MSG_IOC_VALUE, "not after valid_from");
	parse_fails(F_CSV, "value\n\"1.2.3.4\n", E_MALFORMED, MSG_IOC_SYNTAX, "line 2, column 1: quoted field not closed");
	parse_fails(F_CSV, "value\n\"1.2.3.4\"x\n", E_MALFORMED, MSG_IOC_SYNTAX, "text after a closing quote");
	parse_fails(F_CSV, "value\n1.2\"3\n", E_MALFORMED, MSG_IOC_SYNTAX, "quote inside");
	parse_fails(F_CSV, "value\n1.2.3.4,x\n", E_MALFORMED, MSG_IOC_SYNTAX, "line 2: 2 fields, the header has 1");
	parse_fails(F_CSV, "type,value\nipv4,\n", E_INVALID, MSG_IOC_VALUE, "line 2, column 2: value: empty");
	parse_fails(F_CSV, "value\nfoo bar\n", E_INVALID, MSG_IOC_VALUE, "name its type");
	parse_fails(F_CSV, "type,value\npattern,[a:b\n", E_MALFORMED, MSG_IOC_PATTERN, "line 2, column 2: value, column 5");
	parse_fails(F_CSV, "type,value\nregkey,HKLM\n", E_INVALID, MSG_IOC_VALUE, "unknown type 'regkey'");
}

/* ---- export ---- */

/* Records of every TLP label, kind and field, owned by OWNER. */
static const char *const tags2[] = { "osint", "a;b\\c" };
static const char *const named1[] = { NAMED };
static const struct ioc_ref rel2[] = { { "malware", "Poison Ivy" }, { "campaign", "Operation Omega" } };

static void sample_records(struct ioc *v, size_t *n)
{
	struct ioc base = { .org = OWNER, .confidence = -1, .to_ids = 1, .tlp = TLP_CLEAR };
	size_t k = 0;
	v[k] = base;
	v[k].kind = IOC_IPV4;
	v[k].value = "198.51.100.7";
	v[k].name = "C2 server";
	v[k].description = "=seen, \"beaconing\"\nevery 60 s";
	v[k].confidence = 80;
	v[k].valid_from = t_ms("2024-01-01T00:00:00Z");
	v[k].valid_until = t_ms("2025-01-01T00:00:00Z");
	v[k].created = t_ms("2023-12-31T00:00:00Z");
	v[k].modified = t_ms("2024-01-02T00:00:00Z");
	v[k].tags = tags2;
	v[k].ntags = 2;
	v[k].related = rel2;
	v[k++].nrelated = 2;
	v[k] = base;
	v[k].kind = IOC_SHA256;
	v[k].value = "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c";
	v[k].file_name = "it's.exe";
	v[k++].tlp = TLP_GREEN;
	v[k] = base;
	v[k].kind = IOC_DOMAIN;
	v[k].value = "xn--tnmin-hsa0954c.vn";
	v[k].tlp = TLP_AMBER;
	v[k].share_with = named1;
	v[k++].nshare_with = 1;
	v[k] = base;
	v[k].kind = IOC_URL;
	v[k].value = "http://evil.example/a?b=1";
	v[k++].tlp = TLP_AMBER_STRICT;
	v[k] = base;
	v[k].kind = IOC_EMAIL;
	v[k].value = "bad@evil.example";
	v[k++].tlp = TLP_RED;
	v[k] = base;
	v[k].kind = IOC_CIDR;
	v[k++].value = "2001:db8::/32";
	v[k] = base;
	v[k].kind = IOC_MD5;
	v[k++].value = "0749bae92ca336a02c83d126e04ec628";
	v[k] = base;
	v[k].kind = IOC_SHA1;
	v[k++].value = "77b0c41b7d340b8a3d903f21347bbf06aa766b5b";
	v[k] = base;
	v[k].kind = IOC_FILENAME;
	v[k++].value = "-rf.exe";
	v[k] = base;
	v[k].kind = IOC_YARA;
	v[k++].value = "rule demo { condition: true }";
	v[k] = base;
	v[k].kind = IOC_PATTERN;
	v[k].pattern_type = "stix";
	v[k++].value = "[file:size > 1024]";
	v[k] = base;
	v[k].kind = IOC_PATTERN;
	v[k].pattern_type = "snort";
	v[k++].value = "alert tcp any any -> any 80 (msg:\"x\"; sid:1;)";
	v[k] = base;
	v[k].kind = IOC_IPV6;
	v[k].value = "2001:db8::7";
	v[k++].tlp = TLP_NONE;                     /* unlabelled: never leaves */
	v[k] = base;
	v[k].kind = IOC_IPV4;
	v[k].value = "192.0.2.55";
	v[k++].to_ids = 0;                          /* context: no STIX indicator */
	*n = k;
}

static void test_export_stix(void **state)
{
	(void)state;
	struct ioc v[32];
	size_t n;
	struct err e = { 0 };
	sample_records(v, &n);
	struct ioc_export x = { .recipient_org = OWNER, .producer = "UBND huyện Phú Quý",
				.now = t_ms("2026-11-24T03:15:00Z") };
	json_t *b = ioc_export_stix(v, n, &x, &e);
	assert_non_null(b);
	assert_int_equal(x.exported, 11);
	assert_int_equal(x.withheld, 2);                 /* RED, unlabelled */
	assert_int_equal(x.unsupported, 1);              /* to_ids 0 */
	assert_string_equal(json_string_value(json_object_get(b, "type")), "bundle");
	assert_int_equal(strncmp(json_string_value(json_object_get(b, "id")), "bundle--", 8), 0);
	json_t *objs = json_object_get(b, "objects"), *o;
	size_t idx;
	int indicators = 0, markings = 0, malware = 0, rels = 0, identity = 0;
	json_array_foreach(objs, idx, o) {
		const char *type = json_string_value(json_object_get(o, "type"));
		if (strcmp(type, "indicator") == 0) {
			indicators++;
			assert_string_equal(json_string_value(json_object_get(o, "spec_version")), "2.1");
			assert_non_null(json_object_get(o, "valid_from"));
			assert_non_null(json_object_get(o, "created_by_ref"));
			const char *refs = json_string_value(json_array_get(json_object_get(o, "object_marking_refs"), 0));
			assert_non_null(refs);
			assert_string_not_equal(refs, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1");
		} else if (strcmp(type, "marking-definition") == 0) {
			markings++;
			json_t *ext = json_object_get(json_object_get(o, "extensions"),
						      "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d");
			assert_non_null(ext);
			assert_string_equal(json_string_value(json_object_get(ext, "extension_type")), "property-extension");
			assert_string_equal(json_string_value(json_object_get(o, "created")), "2022-10-01T00:00:00.000Z");
		} else if (strcmp(type, "malware") == 0) {
			malware++;
			assert_true(json_is_true(json_object_get(o, "is_family")));
		} else if (strcmp(type, "relationship") == 0) {
			rels++;
			assert_string_equal(json_string_value(json_object_get(o, "relationship_type")), "indicates");
		} else if (strcmp(type, "identity") == 0) {
			identity++;
			assert_string_equal(json_string_value(json_object_get(o, "name")), "UBND huyện Phú Quý");
		}
	}
	assert_int_equal(indicators, 11);
	assert_int_equal(markings, 4);                   /* CLEAR GREEN AMBER AMBER+STRICT */
	assert_int_equal(malware, 1);
	assert_int_equal(rels, 2);
	assert_int_equal(identity, 1);
	/* The official TLP 2.0 ids, and the first record's indicator. */
	char *text = json_dumps(b, JSON_SORT_KEYS);
	assert_non_null(strstr(text, "\"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487\""));
	assert_non_null(strstr(text, "\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\""));
	assert_non_null(strstr(text, "\"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421\""));
	assert_non_null(strstr(text, "\"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003\""));
	assert_null(strstr(text, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"));
	assert_null(strstr(text, "bad@evil.example"));
	assert_non_null(strstr(text, "\"pattern\": \"[ipv4-addr:value = '198.51.100.7']\""));
	assert_non_null(strstr(text, "AND file:name = 'it\\\\'s.exe'"));
	assert_non_null(strstr(text, "\"pattern_type\": \"snort\""));
	assert_non_null(strstr(text, "\"pattern_type\": \"yara\""));
	assert_non_null(strstr(text, "\"valid_until\": \"2025-01-01T00:00:00.000Z\""));
	assert_non_null(strstr(text, "\"confidence\": 80"));
	char u[IOC_UUID_LEN], id[64];
	ioc_uuid(&v[0], u);
	snprintf(id, sizeof(id), "\"indicator--%s\"", u);
	assert_non_null(strstr(text, id));
	free(text);
	json_decref(b);

	/* The TLP filter for each recipient. */
	static const struct {
		const char *recipient;
		size_t exported;
	} who[] = { { OWNER, 11 }, { NAMED, 10 }, { OTHER, 9 }, { NULL, 8 } };
	for (size_t k = 0; k < 4; k++) {
		struct ioc_export y = { .recipient_org = who[k].recipient, .now = x.now };
		b = ioc_export_stix(v, n, &y, &e);
		assert_non_null(b);
		if (y.exported != who[k].exported)
			fail_msg("recipient %s: %zu exported, wanted %zu", who[k].recipient ? who[k].recipient : "outside",
				 y.exported, who[k].exported);
		json_decref(b);
		json_t *m = ioc_export_misp(v, n, &y, &e);
		assert_non_null(m);
		assert_int_equal(y.exported, who[k].exported + 1);       /* MISP keeps to_ids 0 */
		assert_int_equal(y.unsupported, 0);
		json_decref(m);
		char *csv = ioc_export_csv(v, n, &y, &e);
		assert_non_null(csv);
		assert_int_equal(y.exported, who[k].exported + 1);      /* CSV keeps to_ids 0 */
		free(csv);
	}
	/* Tags that are fields are written as fields, not as labels; a
	 * validity ending before the record was made still goes out. */
	const char *const ftags[] = { "tlp:amber", "misp-galaxy:banker=\"Gozi\"", "kept" };
	struct ioc t = { .kind = IOC_IPV4, .value = "192.0.2.1", .tlp = TLP_CLEAR, .to_ids = 1,
			 .confidence = -1, .tags = ftags, .ntags = 3, .created = t_ms("2024-06-01T00:00:00Z"),
			 .valid_until = t_ms("2024-01-01T00:00:00Z") };
	b = ioc_export_stix(&t, 1, NULL, &e);
	text = json_dumps(b, 0);
	assert_null(strstr(text, "tlp:amber"));
	assert_null(strstr(text, "Gozi"));
	assert_non_null(strstr(text, "\"labels\": [\"kept\"]"));
	assert_non_null(strstr(text, "\"valid_from\": \"2023-12-31T23:59:59.999Z\""));
	struct coll c;
	coll_init(&c);
	parse_ok(F_STIX, text, &c, NULL);
	assert_int_equal(c.v[0].valid_until, t.valid_until);
	assert_int_equal(c.v[0].ntags, 1);
	coll_release(&c);
	free(text);
	json_decref(b);
	/* Nothing: an empty bundle. */
	b = ioc_export_stix(NULL, 0, NULL, &e);
	assert_non_null(b);
	assert_int_equal(json_array_size(json_object_get(b, "objects")), 0);
	json_decref(b);
}

/* Of several tlp: tags the strictest stays, where it was; other tags
 * (galaxies, tlp:ex:chr which is no label) are left exactly as they are. */
static void test_misp_one_tlp(void **state)
{
	(void)state;
	json_t *tags = json_loads("[{\"name\":\"tlp:white\"},{\"name\":\"misp-galaxy:banker=\\\"Gozi\\\"\"},"
				  "{\"name\":\"TLP:AMBER\"},{\"name\":\"tlp:ex:chr\"},{\"name\":\"tlp:green\"}]",
				  0, NULL);
	int tlp = -1;
	assert_non_null(tags);
	assert_int_equal(ioc_misp_one_tlp(tags, &tlp), 2);
	assert_int_equal(tlp, TLP_AMBER);
	char *text = json_dumps(tags, JSON_COMPACT);
	assert_string_equal(text, "[{\"name\":\"misp-galaxy:banker=\\\"Gozi\\\"\"},{\"name\":\"TLP:AMBER\"},"
				  "{\"name\":\"tlp:ex:chr\"}]");
	free(text);
	/* One label or none: nothing moves. */
	assert_int_equal(ioc_misp_one_tlp(tags, &tlp), 0);
	json_decref(tags);
	tags = json_array();
	assert_int_equal(ioc_misp_one_tlp(tags, &tlp), 0);
	assert_int_equal(tlp, TLP_NONE);
	json_decref(tags);
	assert_string_equal(ioc_misp_distribution(TLP_CLEAR), "3");
	assert_string_equal(ioc_misp_distribution(TLP_GREEN), "1");
	assert_string_equal(ioc_misp_distribution(TLP_AMBER), "0");
	assert_string_equal(ioc_misp_distribution(TLP_RED), "0");
	assert_true(ioc_misp_is_indicator_type("ip-dst|port"));
	assert_false(ioc_misp_is_indicator_type("regkey|value"));
	assert_false(ioc_misp_is_indicator_type("link"));
}

/* ungcuu's own event carries what MISP's core format requires, its uuid is
 * the producer's whatever the records, and it does not change with the
 * time of the export. */
static void test_misp_own_event(void **state)
{
	(void)state;
	struct ioc v[32];
	size_t n;
	struct err e = { 0 };
	sample_records(v, &n);
	for (size_t k = 0; k < n; k++)
		if (v[k].modified == 0)
			v[k].modified = t_ms("2026-01-02T03:04:05Z");
	const char *root = "0190f0f0-0000-7000-8000-000000000001";
	struct ioc_export x = { .recipient_org = OWNER, .producer = "UBND huyện Phú Quý",
				.producer_id = root, .now = t_ms("2026-11-24T03:15:00Z") };
	json_t *m = ioc_export_misp(v, n, &x, &e);
	assert_non_null(m);
	json_t *ev = json_object_get(m, "Event");
	static const char *const need[] = { "uuid", "info", "date", "timestamp", "published",
					    "publish_timestamp", "distribution", "threat_level_id",
					    "analysis", "Orgc", "Attribute" };
	for (size_t k = 0; k < sizeof(need) / sizeof(need[0]); k++)
		if (!json_object_get(ev, need[k]))
			fail_msg("Event.%s missing", need[k]);
	assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "Orgc"), "uuid")), root);
	assert_string_equal(json_string_value(json_object_get(ev, "publish_timestamp")), "0");
	json_t *a;
	size_t k;
	json_array_foreach(json_object_get(ev, "Attribute"), k, a) {
		assert_string_equal(json_string_value(json_object_get(a, "distribution")), "5");
		assert_true(json_is_false(json_object_get(a, "deleted")));
		size_t tlps = 0;
		json_t *t;
		size_t j;
		json_array_foreach(json_object_get(a, "Tag"), j, t)
			tlps += strncmp(json_string_value(json_object_get(t, "name")), "tlp:", 4) == 0;
		assert_true(tlps <= 1);
	}
	char *one = json_dumps(m, JSON_COMPACT);
	char uuid[64];
	snprintf(uuid, sizeof(uuid), "%s", json_string_value(json_object_get(ev, "uuid")));
	json_decref(m);
	/* Later, and with fewer records: the same uuid; later alone: the same bytes. */
	x.now = t_ms("2026-12-31T23:00:00Z");
	m = ioc_export_misp(v, n, &x, &e);
	char *two = json_dumps(m, JSON_COMPACT);
	assert_string_equal(one, two);
	json_decref(m);
	m = ioc_export_misp(v, 2, &x, &e);
	assert_string_equal(json_string_value(json_object_get(json_object_get(m, "Event"), "uuid")), uuid);
	json_decref(m);
	free(one);
	free(two);
}

static void test_export_misp_csv(void **state)
{
	(void)state;
	struct ioc v[32];
	size_t n;
	struct err e = { 0 };
	sample_records(v, &n);
	struct ioc_export x = { .recipient_org = OWNER, .producer = "UBND huyện Phú Quý",
				.title = "Chỉ báo tuần 47", .now = t_ms("2026-11-24T03:15:00Z") };
	json_t *m = ioc_export_misp(v, n, &x, &e);
	assert_non_null(m);
	assert_int_equal(x.exported, 12);                /* also to_ids 0 */
	assert_int_equal(x.withheld, 2);
	json_t *ev = json_object_get(m, "Event");
	assert_string_equal(json_string_value(json_object_get(ev, "info")), "Chỉ báo tuần 47");
	assert_string_equal(json_string_value(json_object_get(ev, "date")), "2026-11-24");
	assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "Orgc"), "name")), "UBND huyện Phú Quý");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(ev, "Tag"), 0), "name")),
			    "tlp:amber+strict");
	char *text = json_dumps(m, JSON_SORT_KEYS);
	assert_non_null(strstr(text, "\"type\": \"filename|sha256\""));
	assert_non_null(strstr(text, "\"value\": \"it's.exe|ef537f25"));
	assert_non_null(strstr(text, "\"type\": \"ip-dst\""));
	assert_non_null(strstr(text, "\"type\": \"stix2-pattern\""));
	assert_non_null(strstr(text, "\"type\": \"snort\""));
	assert_non_null(strstr(text, "misp-galaxy:mitre-malware=\\\"Poison Ivy\\\""));
	assert_non_null(strstr(text, "ungcuu:confidence=\\\"80\\\""));
	assert_non_null(strstr(text, "\"first_seen\": \"2024-01-01T00:00:00.000Z\""));
	assert_null(strstr(text, "bad@evil.example"));
	char u[IOC_UUID_LEN];
	ioc_uuid(&v[0], u);
	assert_non_null(strstr(text, u));               /* the STIX id's uuid */
	free(text);
	json_decref(m);

	char *csv = ioc_export_csv(v, n, &x, &e);
	assert_non_null(csv);
	assert_int_equal(strncmp(csv, "type,value,tlp,confidence,valid_from,valid_until,to_ids,tags,related,name,file_name,description,source,pattern_type\r\n", 113), 0);
	assert_non_null(strstr(csv, "ipv4,198.51.100.7,CLEAR,80,2024-01-01T00:00:00.000Z,2025-01-01T00:00:00.000Z,1,osint;a\\;b\\\\c,malware:Poison Ivy;campaign:Operation Omega,C2 server,,\"'=seen, \"\"beaconing\"\"\nevery 60 s\",,\r\n"));
	assert_non_null(strstr(csv, "filename,'-rf.exe,CLEAR"));
	assert_null(strstr(csv, "bad@evil.example"));
	free(csv);
}

/* Compares what a format carries. */
enum { K_NAME = 1, K_TIMES = 2, K_SOURCE = 4, K_IDS = 8 };

static void same(const struct ioc *a, const struct ioc *b, int fields, const char *what)
{
#define STR_EQ(f) \
	if ((a->f == NULL) != (b->f == NULL) || (a->f && strcmp(a->f, b->f) != 0)) \
		fail_msg("%s: %s %s: " #f " '%s' became '%s'", what, ioc_kind_name(a->kind), a->value, \
			 a->f ? a->f : "NULL", b->f ? b->f : "NULL")
	if (a->kind != b->kind || strcmp(a->value, b->value) != 0)
		fail_msg("%s: %s %s became %s %s", what, ioc_kind_name(a->kind), a->value,
			 ioc_kind_name(b->kind), b->value);
	STR_EQ(file_name);
	STR_EQ(description);
	if (a->kind == IOC_PATTERN)
		STR_EQ(pattern_type);
	if (fields & K_NAME)
		STR_EQ(name);
	if (fields & K_SOURCE)
		STR_EQ(source);
	if (a->tlp != b->tlp || a->confidence != b->confidence)
		fail_msg("%s: %s: tlp %d/%d confidence %d/%d", what, a->value, a->tlp, b->tlp,
			 a->confidence, b->confidence);
	if ((fields & K_IDS) && a->to_ids != b->to_ids)
		fail_msg("%s: %s: to_ids %d became %d", what, a->value, a->to_ids, b->to_ids);
	if ((fields & K_TIMES) && a->valid_from && a->valid_from != b->valid_from)
		fail_msg("%s: %s: valid_from changed", what, a->value);
	if (a->valid_until != b->valid_until)
		fail_msg("%s: %s: valid_until changed", what, a->value);
	if (a->ntags != b->ntags)
		fail_msg("%s: %s: %zu tags became %zu", what, a->value, a->ntags, b->ntags);
	for (size_t k = 0; k < a->ntags; k++)
		if (!has_tag(b, a->tags[k]))
			fail_msg("%s: %s: tag '%s' lost", what, a->value, a->tags[k]);
	if (a->nrelated != b->nrelated)
		fail_msg("%s: %s: %zu related became %zu", what, a->value, a->nrelated, b->nrelated);
	for (size_t k = 0; k < a->nrelated; k++)
		if (!has_rel(b, a->related[k].type, a->related[k].name))
			fail_msg("%s: %s: related %s:%s lost", what, a->value, a->related[k].type,
				 a->related[k].name);
#undef STR_EQ
}

/* Exports recs (all shareable), imports the result, compares; exports
 * again and wants the same bytes. */
static void round_trip(int fmt, struct coll *in, const char *what)
{
	struct ioc_export x = { .recipient_org = OWNER, .producer = "ungcuu test",
				.now = t_ms("2026-11-24T03:15:00Z") };
	struct err e = { 0 };
	char *text1, *text2;
	for (size_t k = 0; k < in->n; k++) {
		in->v[k].org = OWNER;
		if (in->v[k].tlp == TLP_NONE)
			in->v[k].tlp = TLP_CLEAR;
	}
	if (fmt == F_CSV) {
		text1 = ioc_export_csv(in->v, in->n, &x, &e);
	} else {
		json_t *d = fmt == F_STIX ? ioc_export_stix(in->v, in->n, &x, &e) :
					    ioc_export_misp(in->v, in->n, &x, &e);
		assert_non_null(d);
		text1 = json_dumps(d, JSON_INDENT(1) | JSON_ENSURE_ASCII);
		json_decref(d);
	}
	assert_non_null(text1);
	struct coll back;
	struct ioc_stats st;
	coll_init(&back);
	long got = parse(fmt, what, text1, strlen(text1), &back, &st, &e);
	if (got < 0)
		fail_msg("%s: our own export does not import: %s", what, e.arg);
	/* STIX leaves out context records (to_ids 0). */
	size_t j = 0;
	for (size_t k = 0; k < in->n; k++) {
		if (fmt == F_STIX && !in->v[k].to_ids)
			continue;
		if (j >= back.n)
			fail_msg("%s: %zu records came back, more went out", what, back.n);
		int fields = fmt == F_CSV ? K_NAME | K_TIMES | K_SOURCE | K_IDS :
			     fmt == F_STIX ? K_NAME | K_TIMES : K_TIMES | K_IDS;
		/* STIX objects go out ordered by id: the record of the same
		 * kind and value, wherever it is. */
		size_t at = j;
		for (size_t b = 0; fmt == F_STIX && b < back.n; b++)
			if (back.v[b].kind == in->v[k].kind &&
			    strcmp(back.v[b].value, in->v[k].value) == 0) {
				at = b;
				break;
			}
		if (at >= back.n)
			fail_msg("%s: %zu records came back, more went out", what, back.n);
		same(&in->v[k], &back.v[at], fields, what);
		j++;
	}
	assert_int_equal(j, back.n);
	/* What came back exports to the same bytes. */
	for (size_t k = 0; k < back.n; k++)
		back.v[k].org = OWNER;
	if (fmt == F_CSV) {
		text2 = ioc_export_csv(back.v, back.n, &x, &e);
	} else {
		json_t *d = fmt == F_STIX ? ioc_export_stix(back.v, back.n, &x, &e) :
					    ioc_export_misp(back.v, back.n, &x, &e);
		text2 = json_dumps(d, JSON_INDENT(1) | JSON_ENSURE_ASCII);
		json_decref(d);
	}
	if (strcmp(text1, text2) != 0) {
		size_t at = 0;
		while (text1[at] == text2[at])
			at++;
		at = at > 200 ? at - 200 : 0;
		fail_msg("%s: a second export differs:\n%.600s\n---\n%.600s", what, text1 + at,
			 text2 + at);
	}
	free(text1);
	free(text2);
	coll_release(&back);
}

static void test_round_trip(void **state)
{
	(void)state;
	static const struct {
		int fmt;
		const char *file;
	} samples[] = {
		{ F_STIX, "stix/indicator-for-c2-ip-address.json" },
		{ F_STIX, "stix/indicators-for-C2-with-COA.json" },
		{ F_STIX, "stix/indicator-to-campaign-relationship.json" },
		{ F_STIX, "stix/malicious-email-indicator-with-attachment.json" },
		{ F_STIX, "stix/infrastructure.json" },
		{ F_STIX, "stix/default_data.json" },
		{ F_MISP, "misp/57c4445b-c548-4654-af0b-4be3950d210f.json" },
		{ F_MISP, "misp/sighting_1.json" },
		{ F_MISP, "misp/to_delete1.json" },
		{ F_MISP, "misp/to_delete3.json" },
	};
	for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++)
		for (int fmt = F_STIX; fmt <= F_CSV; fmt++) {
			if (fmt == F_LIST)
				continue;
			struct coll c;
			struct ioc_stats st;
			char what[160];
			snprintf(what, sizeof(what), "%s as %s", samples[s].file,
				 fmt == F_STIX ? "STIX" : fmt == F_MISP ? "MISP" : "CSV");
			coll_init(&c);
			import_file(samples[s].fmt, samples[s].file, &c, &st);
			round_trip(fmt, &c, what);
			coll_release(&c);
		}
	/* Our own sample records, through every format. */
	for (int fmt = F_STIX; fmt <= F_CSV; fmt++) {
		if (fmt == F_LIST)
			continue;
		struct coll c;
		struct ioc v[32];
		size_t n;
		sample_records(v, &n);
		coll_init(&c);
		for (size_t k = 0; k < n; k++) {
			if (v[k].tlp == TLP_RED)
				continue;                /* RED never leaves */
			v[k].share_with = NULL;
			v[k].nshare_with = 0;
			collect(&c, &v[k], NULL);
		}
		if (fmt == F_MISP)
			for (size_t k = 0; k < c.n; k++)
				c.v[k].name = NULL;
		round_trip(fmt, &c, fmt == F_STIX ? "samples as STIX" : fmt == F_MISP ? "samples as MISP" : "samples as CSV");
		coll_release(&c);
	}
}

/* ---- STIX objects as they came (issue 13) ---- */

struct objs_seen {
	json_t *by_id;                /* id -> body parsed */
	int green;
};

static int object_sink(void *arg, const struct stix_object *o, struct err *e)
{
	(void)e;
	struct objs_seen *s = arg;
	json_t *j = json_loads(o->body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "id")), o->id);
	assert_string_equal(json_string_value(json_object_get(j, "type")), o->type);
	if (o->tlp == TLP_GREEN)
		s->green++;
	json_object_set_new(s->by_id, o->id, j);
	return 0;
}

static void test_stix_objects_as_they_came(void **state)
{
	(void)state;
	size_t n;
	char *data = slurp("stix/ungcuu-fidelity.json", &n);
	json_t *doc = json_loadb(data, n, 0, NULL);
	assert_non_null(doc);
	struct objs_seen s = { .by_id = json_object() };
	struct err e = { 0 };
	long got = ioc_stix_objects("f.json", data, n, object_sink, &s, &e);
	json_t *objs = json_object_get(doc, "objects");
	assert_int_equal(got, (long)json_array_size(objs));
	size_t i;
	json_t *o;
	json_array_foreach(objs, i, o) {
		json_t *back = json_object_get(s.by_id, json_string_value(json_object_get(o, "id")));
		assert_non_null(back);
		assert_true(json_equal(back, o));        /* every property, unknown ones too */
	}
	/* Everything but the two identities and the marking itself is GREEN. */
	assert_int_equal(s.green, (int)json_array_size(objs) - 3);
	json_decref(s.by_id);
	json_decref(doc);

	/* Versions: the latest of an id only; a bad file is refused whole. */
	const char *two = BUNDLE(
		"{\"type\":\"malware\",\"spec_version\":\"2.1\",\"id\":\"malware--11111111-1111-4111-8111-111111111111\",\"created\":\"2020-01-01T00:00:00.000Z\",\"modified\":\"2021-01-01T00:00:00.123456Z\",\"name\":\"new\",\"is_family\":true},"
		"{\"type\":\"malware\",\"spec_version\":\"2.1\",\"id\":\"malware--11111111-1111-4111-8111-111111111111\",\"created\":\"2020-01-01T00:00:00.000Z\",\"modified\":\"2020-06-01T00:00:00.000Z\",\"name\":\"old\",\"is_family\":true}");
	s.by_id = json_object();
	assert_int_equal(ioc_stix_objects("v.json", two, strlen(two), object_sink, &s, &e), 1);
	json_t *m = json_object_get(s.by_id, "malware--11111111-1111-4111-8111-111111111111");
	assert_string_equal(json_string_value(json_object_get(m, "name")), "new");
	assert_string_equal(json_string_value(json_object_get(m, "modified")), "2021-01-01T00:00:00.123456Z");
	json_decref(s.by_id);
	s.by_id = json_object();
	const char *bad = "{\"type\":\"bundle\",\"objects\":[{\"type\":\"x\"}]}";
	assert_int_equal(ioc_stix_objects("bad.json", bad, strlen(bad), object_sink, &s, &e), -1);
	assert_int_equal(json_object_size(s.by_id), 0);
	json_decref(s.by_id);
	free(data);
}

struct stamps {
	int ids, digests;
};

/* A stamp that names every object by its key and dates it by its digest. */
static int fake_stamp(void *arg, const char *key, const char *type, const char *digest,
		      char id[IOC_STIX_ID_MAX], char created[IOC_STIX_TIME_MAX],
		      char modified[IOC_STIX_TIME_MAX], struct err *e)
{
	(void)e;
	struct stamps *s = arg;
	snprintf(id, IOC_STIX_ID_MAX, "%s--%08x-0000-4000-8000-000000000000", type,
		 (unsigned)strlen(key));
	if (digest == NULL) {
		s->ids++;
		return 0;
	}
	s->digests++;
	snprintf(created, IOC_STIX_TIME_MAX, "2026-01-01T00:00:00.000Z");
	snprintf(modified, IOC_STIX_TIME_MAX, "2026-01-0%cT00:00:00.000Z", '1' + (digest[0] & 7));
	return 0;
}

static void test_export_stix_kept_and_made(void **state)
{
	(void)state;
	static const struct ioc_ref rel[] = { { "malware", "Poison Ivy" } };
	struct ioc v[2] = {
		{ .kind = IOC_IPV4, .value = "198.51.100.7", .tlp = TLP_GREEN, .confidence = -1,
		  .to_ids = 1, .org = OWNER, .created = 1, .modified = 2 },
		{ .kind = IOC_DOMAIN, .value = "c2.example", .tlp = TLP_GREEN, .confidence = -1,
		  .to_ids = 1, .org = OWNER, .related = rel, .nrelated = 1, .created = 1,
		  .modified = 2 },
	};
	/* Record 0 goes out as the object it came as (kept), with a custom
	 * object of its file; record 1 is made. */
	json_t *kept = json_loads("[{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--00000000-0000-4000-8000-000000000001\",\"created\":\"2026-01-02T03:04:05.123456Z\",\"modified\":\"2026-01-02T03:04:05.123456Z\",\"pattern\":\"[ipv4-addr:value = '198.51.100.7']\",\"pattern_type\":\"stix\",\"valid_from\":\"2026-01-01T00:00:00Z\",\"x_score\":7},"
				  "{\"type\":\"x-thing\",\"id\":\"x-thing--00000000-0000-4000-8000-000000000002\",\"spec_version\":\"2.1\",\"created\":\"2026-01-02T00:00:00.000Z\",\"modified\":\"2026-01-02T00:00:00.000Z\"},"
				  "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb\",\"created\":\"2022-10-01T00:00:00.000Z\",\"name\":\"as it came\"}]", 0, NULL);
	assert_non_null(kept);
	unsigned char k[2] = { 1, 0 };
	struct stamps st = { 0 };
	struct ioc_export x = { .recipient_org = OWNER, .stix_objects = kept, .stix_kept = k,
				.stamp = fake_stamp, .stamp_arg = &st };
	struct err e = { 0 };
	json_t *b = ioc_export_stix(v, 2, &x, &e);
	assert_non_null(b);
	assert_int_equal(x.exported, 2);
	json_t *objs = json_object_get(b, "objects");
	/* Ordered by id, each once: the marking-definition as it came wins
	 * over the one made. */
	const char *prev = "";
	size_t i;
	json_t *o;
	int indicators = 0, made_marking = 0;
	json_array_foreach(objs, i, o) {
		const char *id = json_string_value(json_object_get(o, "id"));
		assert_true(strcmp(prev, id) < 0);
		prev = id;
		if (strcmp(json_string_value(json_object_get(o, "type")), "indicator") == 0)
			indicators++;
		if (strcmp(id, "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb") == 0)
			made_marking = strcmp(json_string_value(json_object_get(o, "name")),
					      "as it came") != 0;
	}
	assert_int_equal(indicators, 2);
	assert_false(made_marking);
	assert_true(json_equal(json_array_get(kept, 0), json_array_get(kept, 0)));
	char *text = json_dumps(b, JSON_COMPACT);
	assert_non_null(strstr(text, "\"x_score\":7"));
	assert_non_null(strstr(text, "2026-01-02T03:04:05.123456Z"));
	assert_non_null(strstr(text, "x-thing--00000000-0000-4000-8000-000000000002"));
	assert_null(strstr(text, "198.51.100.7']\",\"pattern_type\":\"stix\",\"pattern_version\""));
	/* Made: the indicator, the malware and the relationship get the
	 * stamp's ids; the malware and relationship its times. */
	assert_int_equal(st.ids, 3);
	assert_int_equal(st.digests, 2);
	assert_non_null(strstr(text, "\"created\":\"2026-01-01T00:00:00.000Z\""));
	assert_null(strstr(text, "2026-11-24"));
	free(text);
	json_decref(b);

	/* The same twice: the same bytes. */
	json_t *b1 = ioc_export_stix(v, 2, &x, &e), *b2 = ioc_export_stix(v, 2, &x, &e);
	char *t1 = json_dumps(b1, JSON_INDENT(1)), *t2 = json_dumps(b2, JSON_INDENT(1));
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	json_decref(b1);
	json_decref(b2);

	/* Context only (to_ids 0): not in STIX, counted. Nothing: no objects. */
	v[0].to_ids = 0;
	struct ioc_export y = { .recipient_org = OWNER };
	b = ioc_export_stix(v, 1, &y, &e);
	assert_non_null(b);
	assert_int_equal(y.unsupported, 1);
	assert_int_equal(y.exported, 0);
	assert_null(json_object_get(b, "objects"));
	json_decref(b);
	json_decref(kept);
}

int main(void)
{
	indicator_observables_install(); /* as main() does */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_active),
		cmocka_unit_test(test_tlp_names),
		cmocka_unit_test(test_tlp_rule),
		cmocka_unit_test(test_pattern_cases),
		cmocka_unit_test(test_pattern_reference),
		cmocka_unit_test(test_pattern_limits),
		cmocka_unit_test(test_pattern_of),
		cmocka_unit_test(test_stix_samples),
		cmocka_unit_test(test_stix_forms),
		cmocka_unit_test(test_stix_errors),
		cmocka_unit_test(test_misp_samples),
		cmocka_unit_test(test_misp_forms),
		cmocka_unit_test(test_misp_errors),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_csv_file_name_only_on_hashes),
		cmocka_unit_test(test_hunt_jsonl_bounded),
		cmocka_unit_test(test_export_stix),
		cmocka_unit_test(test_export_misp_csv),
		cmocka_unit_test(test_misp_one_tlp),
		cmocka_unit_test(test_misp_own_event),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_stix_objects_as_they_came),
		cmocka_unit_test(test_export_stix_kept_and_made),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
