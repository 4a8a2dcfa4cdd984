/*
 * test_syslog.c - syslog intake (issue 17 item 6): the message parser
 * (RFC 5424, RFC 3164 and what devices really send), the TCP framer
 * (RFC 6587 octet counting and lines, across reads, overlong frames), the
 * matcher (indicators of the store, hashes, rules), and the alerts'
 * grouping, scope, promotion and dismissal on a database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "domain/duty/alert.h"
#include "domain/page.h"
#include "domain/duty/syslog_line.h"
#include "syslogd/syslogd.h"

static int parse(const char *s, struct syslog_msg *m)
{
	return syslog_parse(s, strlen(s), SYSLOG_LINE_DEFAULT, m);
}

static void assert_span(const char *p, size_t n, const char *want)
{
	if (want == NULL) {
		assert_null(p);
		return;
	}
	assert_non_null(p);
	if (n != strlen(want) || memcmp(p, want, n) != 0)
		fail_msg("got \"%.*s\", expected \"%s\"", (int)n, p, want);
}

static void test_rfc5424(void **state)
{
	(void)state;
	struct syslog_msg m;
	assert_int_equal(parse("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - "
			       "ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] "
			       "\xEF\xBB\xBF" "An application event", &m), SYSLOG_OK);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.facility, 20);
	assert_int_equal(m.severity, 5);
	assert_int_equal(m.time_ms, 1065910455003LL);
	assert_span(m.host, m.host_len, "mymachine.example.com");
	assert_span(m.app, m.app_len, "evntslog");
	assert_span(m.sd, m.sd_len, "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\"]");
	assert_span(m.msg, m.msg_len, "An application event"); /* the BOM is not the text */
	/* nil values, no message, a final LF */
	assert_int_equal(parse("<0>1 - - - - - -\n", &m), SYSLOG_OK);
	assert_int_equal(m.facility, 0);
	assert_int_equal(m.time_ms, 0);
	assert_null(m.host);
	assert_null(m.app);
	assert_span(m.sd, m.sd_len, "-");
	assert_int_equal(m.msg_len, 0);
	/* escaped ] and " inside a value, two elements, an offset time */
	assert_int_equal(parse("<13>1 2026-12-07T08:00:00+07:00 h a p m [a x=\"q\\]\\\"\"][b] text",
			       &m), SYSLOG_OK);
	assert_int_equal(m.time_ms, 1796605200000LL);
	assert_span(m.sd, m.sd_len, "[a x=\"q\\]\\\"\"][b]");
	assert_span(m.msg, m.msg_len, "text");
}

static void test_rfc3164(void **state)
{
	(void)state;
	struct syslog_msg m;
	assert_int_equal(parse("<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed", &m),
			 SYSLOG_OK);
	assert_int_equal(m.version, 0);
	assert_int_equal(m.facility, 4);
	assert_int_equal(m.severity, 2);
	assert_span(m.host, m.host_len, "mymachine");
	assert_span(m.app, m.app_len, "su");
	assert_span(m.msg, m.msg_len, "su[123]: 'su root' failed");
	/* a single-digit day with its space */
	assert_int_equal(parse("<13>Feb  5 01:02:03 fw1 kernel: DROP IN=eth0", &m), SYSLOG_OK);
	assert_span(m.host, m.host_len, "fw1");
	assert_span(m.app, m.app_len, "kernel");
	/* rsyslog's high-precision time */
	assert_int_equal(parse("<13>2026-12-07T01:02:03.5Z web1 nginx: GET /", &m), SYSLOG_OK);
	assert_int_equal(m.time_ms, 1796605323500LL);
	assert_span(m.host, m.host_len, "web1");
	/* no PRI at all (RFC 3164 §4.3.3): user.notice, the whole line as text */
	assert_int_equal(parse("just some text 1.2.3.4", &m), SYSLOG_OK);
	assert_int_equal(m.facility, 1);
	assert_int_equal(m.severity, 5);
	assert_span(m.msg, m.msg_len, "just some text 1.2.3.4");
	/* a PRI and nothing recognisable after it */
	assert_int_equal(parse("<13>hello", &m), SYSLOG_OK);
	assert_span(m.msg, m.msg_len, "hello");
	assert_null(m.host);
}

static void test_refused(void **state)
{
	(void)state;
	struct syslog_msg m;
	static const struct { const char *line; int why; } cases[] = {
		{ "", SYSLOG_EMPTY }, { "   \r\n", SYSLOG_EMPTY },
		{ "<>x", SYSLOG_BAD_PRI }, { "<192>x", SYSLOG_BAD_PRI }, { "<1000>x", SYSLOG_BAD_PRI },
		{ "<01>x", SYSLOG_BAD_PRI }, { "<13 x", SYSLOG_BAD_PRI }, { "<-1>x", SYSLOG_BAD_PRI },
		{ "<13>1 yesterday h a p m - x", SYSLOG_BAD_HEADER },
		{ "<13>1 - h a p", SYSLOG_BAD_HEADER },
		{ "<13>1 - h a p m [unclosed", SYSLOG_BAD_HEADER },
		{ "<13>1 - h a p m [a]x", SYSLOG_BAD_HEADER },
		{ "<13>1 - h a p m nosd", SYSLOG_BAD_HEADER },
		{ "<13>1 - h aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa p m -", SYSLOG_BAD_HEADER },
		{ "<13>bad \xff\xfe utf-8", SYSLOG_BAD_UTF8 },
		{ "<13>overlong \xc0\x80", SYSLOG_BAD_UTF8 },
		{ "<13>surrogate \xed\xa0\x80", SYSLOG_BAD_UTF8 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = parse(cases[i].line, &m);
		if (r != cases[i].why)
			fail_msg("\"%s\": %s, expected %s", cases[i].line, syslog_refusal_name(r),
				 syslog_refusal_name(cases[i].why));
	}
	/* a NUL inside */
	assert_int_equal(syslog_parse("<13>a\0b", 7, SYSLOG_LINE_DEFAULT, &m), SYSLOG_BAD_UTF8);
	/* the limit, exactly and one over */
	char *big = malloc(600);
	assert_non_null(big);
	memset(big, 'x', 600);
	memcpy(big, "<13>", 4);
	assert_int_equal(syslog_parse(big, 600, 600, &m), SYSLOG_OK);
	assert_int_equal(syslog_parse(big, 600, 599, &m), SYSLOG_TOO_LONG);
	free(big);
	assert_string_equal(syslog_refusal_name(SYSLOG_BAD_UTF8), "bad_utf8");
	assert_string_equal(syslog_refusal_name(99), "unknown");
}

/* ---- framing ---- */

struct frames {
	char got[16][64];
	int n, too_long;
};

static void on_frame(void *ctx, const char *p, size_t n, int refusal)
{
	struct frames *f = ctx;
	if (refusal == SYSLOG_TOO_LONG) {
		f->too_long++;
		return;
	}
	assert_int_equal(refusal, SYSLOG_OK);
	assert_true(f->n < 16);
	snprintf(f->got[f->n++], 64, "%.*s", (int)n, p);
}

static void feed_all(const char *s, size_t chunk, size_t max, struct frames *f, int *rc)
{
	struct syslog_framer fr;
	assert_int_equal(syslog_framer_init(&fr, max), 0);
	size_t n = strlen(s);
	*rc = 0;
	for (size_t i = 0; i < n && *rc == 0; i += chunk)
		*rc = syslog_framer_feed(&fr, s + i, n - i < chunk ? n - i : chunk, on_frame, f);
	if (*rc == 0)
		syslog_framer_end(&fr, on_frame, f);
	syslog_framer_release(&fr);
}

static void test_framing(void **state)
{
	(void)state;
	const char *stream = "<13>one\n10 <13>two\nxx\n\n<13>three\r\n5 <13>4<13>last";
	/* whole, and one byte at a time: the same frames */
	for (size_t chunk = 1; chunk <= 64; chunk += 63) {
		struct frames f = { 0 };
		int rc;
		feed_all(stream, chunk, 100, &f, &rc);
		assert_int_equal(rc, 0);
		assert_int_equal(f.n, 5);
		assert_string_equal(f.got[0], "<13>one");
		assert_string_equal(f.got[1], "<13>two\nxx"); /* counted: the LF is data */
		assert_string_equal(f.got[2], "<13>three\r");
		assert_string_equal(f.got[3], "<13>4");
		assert_string_equal(f.got[4], "<13>last"); /* the end delivers the last line */
	}
	/* overlong: a line, then a counted frame, each skipped whole; the next ones arrive */
	char s[400];
	snprintf(s, sizeof(s), "<13>%0100d\n<13>ok\n150 %0150d<13>after\n", 0, 0);
	struct frames f = { 0 };
	int rc;
	feed_all(s, 7, 64, &f, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(f.too_long, 2);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.got[0], "<13>ok");
	assert_string_equal(f.got[1], "<13>after");
	/* a count that is not one: the stream is closed */
	struct frames g = { 0 };
	feed_all("12x <13>junk\n", 4, 64, &g, &rc);
	assert_int_equal(rc, -1);
	struct frames h = { 0 };
	feed_all("1234567890123 x", 3, 64, &h, &rc);
	assert_int_equal(rc, -1);
}

/* ---- the matcher ---- */

struct hits {
	int n;
	char kinds[64];
	char keys[8][80];
};

static void on_match(void *ctx, const char *kind, const char *key, const char *observed,
		     const char *severity)
{
	struct hits *h = ctx;
	(void)observed;
	(void)severity;
	if (h->n < 8)
		snprintf(h->keys[h->n], sizeof(h->keys[0]), "%s", key);
	h->n++;
	strncat(h->kinds, kind, sizeof(h->kinds) - strlen(h->kinds) - 2);
	strcat(h->kinds, " ");
}

static struct hits look(const struct syslog_matcher *m, const char *line)
{
	struct hits h = { 0 };
	syslog_matcher_line(m, line, strlen(line), on_match, &h);
	return h;
}

static void test_matcher(void **state)
{
	(void)state;
	struct syslog_matcher *m = syslog_matcher_new();
	assert_non_null(m);
	assert_int_equal(syslog_matcher_add(m, "ipv4", "203.0.113.7"), 1);
	assert_int_equal(syslog_matcher_add(m, "cidr", "198.51.100.0/24"), 1);
	assert_int_equal(syslog_matcher_add(m, "domain", "evil.example"), 1);
	assert_int_equal(syslog_matcher_add(m, "md5", "44D88612FEA8A8F36DE82E1278ABB02F"), 1);
	assert_int_equal(syslog_matcher_add(m, "sha256", "nothex"), 0);
	assert_int_equal(syslog_matcher_add(m, "yara", "rule x { condition: true }"), 0);
	assert_int_equal(syslog_matcher_add(m, "filename", "a.exe"), 0);
	assert_int_equal(syslog_matcher_rule(m, "ssh-root", "medium", "Failed password for root"), 0);
	assert_int_equal(syslog_matcher_rule(m, "bad", "low", "(unclosed"), -1);
	assert_int_equal(syslog_matcher_finish(m), 0);
	assert_int_equal(syslog_matcher_count(m), 4);

	struct hits h = look(m, "conn from 203.0.113.7:443 to www.evil.example");
	assert_int_equal(h.n, 2);
	assert_string_equal(h.kinds, "ip domain ");
	h = look(m, "DROP SRC=198.51.100.99 DST=10.0.0.1");
	assert_int_equal(h.n, 1);
	assert_string_equal(h.keys[0], "198.51.100.0/24");
	h = look(m, "md5=44d88612fea8a8f36de82e1278abb02f ok");
	assert_int_equal(h.n, 1);
	assert_string_equal(h.kinds, "hash ");
	/* inside a longer word or a longer hex run: not the hash */
	assert_int_equal(look(m, "x44d88612fea8a8f36de82e1278abb02f").n, 0);
	assert_int_equal(look(m, "44d88612fea8a8f36de82e1278abb02f0").n, 0);
	h = look(m, "sshd: Failed password for root from 192.0.2.1");
	assert_int_equal(h.n, 1);
	assert_string_equal(h.kinds, "rule ");
	assert_int_equal(look(m, "nothing here 192.0.2.1 good.example").n, 0);
	syslog_matcher_free(m);
}

/* ---- configuration ---- */

static void test_conf(void **state)
{
	(void)state;
	struct syslogd_conf c;
	syslogd_conf_default(&c);
	assert_false(syslogd_enabled(&c));
	assert_int_equal(syslogd_conf_set(&c, "listen", "127.0.0.1:5514"), 1);
	assert_true(syslogd_enabled(&c));
	assert_string_equal(c.udp, "127.0.0.1:5514");
	assert_string_equal(c.tcp, "127.0.0.1:5514");
	assert_int_equal(syslogd_conf_set(&c, "tcp", ""), 1);
	assert_string_equal(c.tcp, "");
	assert_int_equal(syslogd_conf_set(&c, "source", "10.1.0.0/16 xa-a"), 1);
	assert_int_equal(syslogd_conf_set(&c, "source", "2001:db8::/32 xa-b"), 1);
	assert_int_equal(syslogd_conf_set(&c, "source", "10.1.0.0/33 xa-a"), 0);
	assert_int_equal(syslogd_conf_set(&c, "source", "not-an-address xa-a"), 0);
	assert_int_equal(syslogd_conf_set(&c, "source", "10.0.0.1"), 0);
	assert_int_equal(c.nsources, 2);
	assert_int_equal(syslogd_conf_set(&c, "rule", "r1|high|Failed password"), 1);
	assert_int_equal(syslogd_conf_set(&c, "rule", "r2|urgent|x"), 0);
	assert_int_equal(syslogd_conf_set(&c, "rule", "r3|low|(unclosed"), 0);
	assert_int_equal(syslogd_conf_set(&c, "rule", "no-bars"), 0);
	assert_int_equal(c.nrules, 1);
	assert_int_equal(syslogd_conf_set(&c, "max_line", "100"), 0);
	assert_int_equal(syslogd_conf_set(&c, "max_line", "16384"), 1);
	assert_int_equal(syslogd_conf_set(&c, "window", "2h"), 1);
	assert_int_equal(c.window_ms, 7200000);
	assert_int_equal(syslogd_conf_set(&c, "window", "soon"), 0);
	assert_int_equal(syslogd_conf_set(&c, "colour", "blue"), 0);
}

/* ---- alerts on a database ---- */

static struct alert_group group(const char *org_id, const char *kind, const char *key,
				int64_t at, long long count)
{
	struct alert_group g;
	memset(&g, 0, sizeof(g));
	snprintf(g.org_id, sizeof(g.org_id), "%s", org_id);
	snprintf(g.source, sizeof(g.source), "10.1.0.5");
	snprintf(g.kind, sizeof(g.kind), "%s", kind);
	snprintf(g.key, sizeof(g.key), "%s", key);
	snprintf(g.observed, sizeof(g.observed), "%s", key);
	snprintf(g.severity, sizeof(g.severity), "high");
	snprintf(g.sample, sizeof(g.sample), "<13>seen %s", key);
	g.count = count;
	g.first = g.last = at;
	return g;
}

static void org_id(struct store *db, const char *code, char out[UUID_LEN])
{
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT id FROM orgs WHERE code = '%s'", code);
	tdb_text(db, sql, out, UUID_LEN);
	assert_true(out[0] != '\0');
}

static void test_grouping(void **state)
{
	struct tdb *t = *state;
	struct ctx sys = t_ctx(t->db, &W.sys);
	struct err e = { 0 };
	char a[UUID_LEN], b[UUID_LEN];
	org_id(t->db, "xa-a", a);
	org_id(t->db, "xa-b", b);
	int64_t now = time_now_ms() - 3 * 3600000LL;   /* detection times are never in the future */
	struct alert_group g[3] = {
		group(a, "ip", "203.0.113.7", now - 5000, 3),
		group(b, "ip", "203.0.113.7", now - 5000, 1),   /* another organisation */
		group(a, "rule", "ssh-root", now - 5000, 2),
	};
	assert_int_equal(alert_record(&sys, g, 3, 3600000, &e), 0);
	assert_int_equal(tdb_count(t->db, "alerts"), 3);
	/* within the window: the same alert grows */
	struct alert_group more = group(a, "ip", "203.0.113.7", now, 4);
	assert_int_equal(alert_record(&sys, &more, 1, 3600000, &e), 0);
	assert_int_equal(tdb_count(t->db, "alerts"), 3);
	assert_int_equal(tdb_int(t->db, "SELECT count FROM alerts WHERE kind = 'ip' AND org_id = "
			 "(SELECT id FROM orgs WHERE code = 'xa-a')"), 7);
	assert_int_equal(tdb_int(t->db, "SELECT last_seen - first_seen FROM alerts WHERE kind = 'ip' "
			 "AND org_id = (SELECT id FROM orgs WHERE code = 'xa-a')"), 5000);
	/* past the window: a new alert */
	struct alert_group later = group(a, "ip", "203.0.113.7", now + 2 * 3600000LL, 1);
	/* (an hour and more after the last line: now - 1 h) */
	assert_int_equal(alert_record(&sys, &later, 1, 3600000, &e), 0);
	assert_int_equal(tdb_count(t->db, "alerts"), 4);

	/* scope: the commune's focal point sees its own; another commune's coordinator not */
	struct ctx ca = t_ctx(t->db, &W.rep_a), cb = t_ctx(t->db, &W.coord_b);
	struct page_ask all = { 0 };
	json_t *la = alert_list(&ca, NULL, NULL, &all, &e);
	assert_non_null(la);
	assert_int_equal(json_array_size(json_object_get(la, "items")), 3);
	/* pages: two of one, then the last; no alert twice */
	struct page_ask one = { .limit = 2 };
	json_t *p1 = alert_list(&ca, NULL, NULL, &one, &e);
	assert_non_null(p1);
	assert_int_equal(json_array_size(json_object_get(p1, "items")), 2);
	one.cursor = json_string_value(json_object_get(p1, "next_cursor"));
	assert_non_null(one.cursor);
	json_t *p2 = alert_list(&ca, NULL, NULL, &one, &e);
	assert_non_null(p2);
	assert_int_equal(json_array_size(json_object_get(p2, "items")), 1);
	assert_true(json_is_null(json_object_get(p2, "next_cursor")));
	assert_string_not_equal(json_string_value(json_object_get(json_array_get(json_object_get(p2, "items"), 0), "id")),
				json_string_value(json_object_get(json_array_get(json_object_get(p1, "items"), 0), "id")));
	json_decref(p1);
	json_decref(p2);
	struct page_ask bad = { .sort = "colour" };
	assert_null(alert_list(&ca, NULL, NULL, &bad, &e));
	assert_int_equal(e.code, E_INVALID);
	err_clear(&e);
	json_t *lb = alert_list(&cb, NULL, NULL, &all, &e);
	assert_non_null(lb);
	assert_int_equal(json_array_size(json_object_get(lb, "items")), 1);
	const char *id = json_string_value(json_object_get(json_array_get(json_object_get(la, "items"), 0), "id"));
	char aid[UUID_LEN];
	snprintf(aid, sizeof(aid), "%s", id);
	json_decref(la);
	json_decref(lb);
	assert_null(alert_get(&cb, aid, &e));
	assert_int_equal(e.code, E_NOTFOUND);
	err_clear(&e);
	/* a focal point may not decide; a coordinator of the district may */
	json_t *body = json_object();
	assert_null(alert_promote(&ca, aid, 1, body, &e));
	assert_int_equal(e.code, E_FORBIDDEN);
	err_clear(&e);
	struct ctx cr = t_ctx(t->db, &W.cr);
	json_t *p = alert_promote(&cr, aid, 1, body, &e);
	if (p == NULL)
		fprintf(stderr, "promote: %d %d %s %s\n", e.code, e.msg, e.arg, e.nfields ? e.fields[0].pointer : ""), fail();
	assert_string_equal(json_string_value(json_object_get(p, "status")), "promoted");
	json_t *inc = json_object_get(p, "incident");
	assert_non_null(inc);
	assert_int_equal(tdb_count(t->db, "incidents"), 1);
	long long ver = json_integer_value(json_object_get(p, "version"));
	json_decref(p);
	/* once: a second promotion is a conflict and files nothing */
	assert_null(alert_promote(&cr, aid, -1, body, &e));
	assert_int_equal(e.code, E_PRECOND_REQ);
	err_clear(&e);
	assert_null(alert_promote(&cr, aid, ver, body, &e));
	assert_int_equal(e.code, E_CONFLICT);
	err_clear(&e);
	assert_int_equal(tdb_count(t->db, "incidents"), 1);
	json_decref(body);
	/* dismissing needs a reason */
	json_t *none = json_object(), *why = json_pack("{s:s}", "reason", "scanner");
	char other[UUID_LEN];
	tdb_text(t->db, "SELECT id FROM alerts WHERE status = 'open' AND kind = 'rule'", other,
		 sizeof(other));
	assert_null(alert_dismiss(&cr, other, 1, none, &e));
	assert_int_equal(e.code, E_INVALID);
	err_clear(&e);
	json_t *d = alert_dismiss(&cr, other, 1, why, &e);
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "status")), "dismissed");
	json_decref(d);
	json_decref(none);
	json_decref(why);
	/* a claim left by a stopped server: fresh, it holds; a minute old, it is
	 * taken again, and an incident already linked is finished, not filed twice */
	char bid[UUID_LEN], iid[UUID_LEN];
	tdb_text(t->db, "SELECT a.id FROM alerts a JOIN orgs o ON o.id = a.org_id WHERE o.code = 'xa-b'",
		 bid, sizeof(bid));
	tdb_text(t->db, "SELECT id FROM incidents", iid, sizeof(iid));
	assert_int_equal(store_run(t->db, &e, "UPDATE alerts SET status = 'promoting', incident_id = $1, "
				   "updated_at = $2 WHERE id = $3", "tit", iid, time_now_ms(), bid), 1);
	json_t *empty = json_object();
	long long bv = tdb_int(t->db, "SELECT version FROM alerts WHERE status = 'promoting'");
	assert_null(alert_promote(&cr, bid, bv, empty, &e));
	assert_int_equal(e.code, E_CONFLICT);
	err_clear(&e);
	assert_int_equal(store_run(t->db, &e, "UPDATE alerts SET updated_at = 0 WHERE id = $1", "t",
				   bid), 1);
	json_t *fin = alert_promote(&cr, bid, bv, empty, &e);
	assert_non_null(fin);
	assert_string_equal(json_string_value(json_object_get(fin, "status")), "promoted");
	assert_string_equal(json_string_value(json_object_get(fin, "incident_id")), iid);
	assert_int_equal(tdb_count(t->db, "incidents"), 1);
	json_decref(fin);
	json_decref(empty);
	/* a dismissed alert takes no more lines: the next opens a new one */
	struct alert_group again = group(a, "rule", "ssh-root", now, 1);
	assert_int_equal(alert_record(&sys, &again, 1, 3600000, &e), 0);
	assert_int_equal(tdb_count(t->db, "alerts WHERE kind = 'rule'"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5424),
		cmocka_unit_test(test_rfc3164),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_matcher),
		cmocka_unit_test(test_conf),
		cmocka_unit_test_setup_teardown(test_grouping, world_open, world_close),
	};
	return cmocka_run_group_tests_name("syslog", tests, world_build, world_destroy);
}
