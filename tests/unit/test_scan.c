/*
 * test_scan.c - the scanner report parsers (domain/scan_nmap.c,
 * scan_openvas.c, the XML reader in feed_util.c) and CPE names (cpe.c) on
 * the real samples in tests/data/feeds: every nmap and OpenVAS file with
 * its hosts, services, CPEs and results; truncated copies (an error naming
 * the file, a line and a column, the sink never called); the other kind of
 * report; entity declarations (XXE, billion laughs); nesting at 256 and
 * 257; an attribute at 64 KiB and one byte more; 2.2 URI -> 2.3 and CPE
 * name matching.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/buf.h"
#include "base/msg.h"
#include "domain/vuln/feed.h"

#ifndef FEED_DATA
#error "FEED_DATA (the tests/data/feeds directory) must be defined by the build"
#endif

/* ---- helpers ---- */

static char *slurp(const char *rel, size_t *n)
{
	return t_slurp(FEED_DATA, rel, n);
}

struct cap {
	json_t *hosts;
	int calls;
};

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int cap_sink(void *arg, const struct scan_host *h, struct err *e)
{
	struct cap *c = arg;
	(void)e;
	c->calls++;
	json_t *svc = json_array(), *res = json_array();
	for (size_t i = 0; i < h->nservices; i++) {
		const struct scan_service *s = &h->services[i];
		json_array_append_new(svc, json_pack("{s:o,s:i,s:o,s:o,s:o,s:o,s:o,s:b}", "proto",
						     jstr(s->proto), "port", s->port, "state",
						     jstr(s->state), "name", jstr(s->name),
						     "product", jstr(s->product), "version",
						     jstr(s->version), "cpe", jstr(s->cpe),
						     "probed", s->probed));
	}
	for (size_t i = 0; i < h->nresults; i++) {
		const struct scan_result *r = &h->results[i];
		json_t *cves = json_array();
		for (size_t k = 0; k < r->ncves; k++)
			json_array_append_new(cves, json_string(r->cves[k]));
		json_array_append_new(res, json_pack("{s:o,s:o,s:o,s:f,s:o,s:o,s:o}", "port",
						     jstr(r->port), "oid", jstr(r->nvt_oid),
						     "name", jstr(r->name), "severity",
						     r->severity, "threat", jstr(r->threat),
						     "cves", cves, "solution", jstr(r->solution)));
	}
	json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "address", jstr(h->address),
			      "hostname", jstr(h->hostname), "mac", jstr(h->mac), "os_cpe",
			      jstr(h->os_cpe), "services", svc, "results", res);
	assert_non_null(o);
	json_array_append_new(c->hosts, o);
	return 0;
}

enum kind { NMAP, OPENVAS };

static long run(enum kind k, const char *name, const char *d, size_t n, struct cap *c,
		int64_t *at, struct err *e)
{
	err_clear(e);
	c->hosts = json_array();
	c->calls = 0;
	if (k == NMAP)
		return scan_parse_nmap(name, d, n, cap_sink, c, at, e);
	return scan_parse_openvas(name, d, n, cap_sink, c, at, e);
}

static long run_file(enum kind k, const char *rel, struct cap *c, int64_t *at, struct err *e)
{
	size_t n;
	char *d = slurp(rel, &n);
	long r = run(k, rel, d, n, c, at, e);
	free(d);
	return r;
}

static long run_str(enum kind k, const char *s, struct cap *c, struct err *e)
{
	int64_t at;
	return run(k, "test.xml", s, strlen(s), c, &at, e);
}

static void cap_free(struct cap *c)
{
	json_decref(c->hosts);
	c->hosts = NULL;
}

static json_t *host(struct cap *c, size_t i)
{
	json_t *h = json_array_get(c->hosts, i);
	if (h == NULL)
		fail_msg("no host %zu", i);
	return h;
}

static const char *s_of(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_t *at(const json_t *o, const char *key, size_t i)
{
	return json_array_get(json_object_get(o, key), i);
}

static size_t count(const json_t *o, const char *key)
{
	return json_array_size(json_object_get(o, key));
}

static void assert_err(const struct err *e, int code, const char *n1, const char *n2)
{
	if (e->code != code)
		fail_msg("code %d, expected %d (%s)", e->code, code, e->arg);
	if (n1 && strstr(e->arg, n1) == NULL)
		fail_msg("\"%s\" not in \"%s\"", n1, e->arg);
	if (n2 && strstr(e->arg, n2) == NULL)
		fail_msg("\"%s\" not in \"%s\"", n2, e->arg);
}

/* ---- nmap ---- */

static void test_nmap_vulners(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	int64_t when = -1;
	assert_int_equal(run_file(NMAP, "nmap/nmap_script_vulners.xml", &c, &when, &e), 1);
	assert_int_equal(when, 1581930445000LL);          /* nmaprun start= */
	json_t *h = host(&c, 0);
	assert_string_equal(s_of(h, "address"), "192.168.0.1");
	assert_null(s_of(h, "hostname"));
	assert_null(s_of(h, "mac"));
	assert_null(s_of(h, "os_cpe"));
	assert_int_equal(count(h, "services"), 1);
	json_t *s = at(h, "services", 0);
	assert_string_equal(s_of(s, "proto"), "tcp");
	assert_int_equal(json_integer_value(json_object_get(s, "port")), 5022);
	assert_string_equal(s_of(s, "state"), "open");
	assert_string_equal(s_of(s, "name"), "ssh");
	assert_string_equal(s_of(s, "product"), "OpenSSH");
	assert_string_equal(s_of(s, "version"), "7.4");
	assert_string_equal(s_of(s, "cpe"), "cpe:2.3:a:openbsd:openssh:7.4:*:*:*:*:*:*:*");
	assert_true(json_is_true(json_object_get(s, "probed")));
	/* The criteria NVD would use for it matches; another version does not. */
	assert_true(cpe_match("cpe:2.3:a:openbsd:openssh:7.4:*:*:*:*:*:*:*", s_of(s, "cpe")));
	assert_true(cpe_match("cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*", s_of(s, "cpe")));
	assert_false(cpe_match("cpe:2.3:a:openbsd:openssh:7.6:p1:*:*:*:*:*:*", s_of(s, "cpe")));
	cap_free(&c);
}

static void test_nmap_no_version_scan(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	int64_t when = 0;
	assert_int_equal(run_file(NMAP, "nmap/issue12411.xml", &c, &when, &e), 2);
	assert_int_equal(when, 1746624387000LL);
	json_t *h = host(&c, 0);
	assert_string_equal(s_of(h, "address"), "172.217.18.238");
	assert_string_equal(s_of(h, "hostname"), "google.com");   /* type user over PTR */
	assert_int_equal(count(h, "services"), 2);
	json_t *s = at(h, "services", 1);
	assert_int_equal(json_integer_value(json_object_get(s, "port")), 443);
	assert_string_equal(s_of(s, "name"), "https");
	assert_null(s_of(s, "product"));
	assert_null(s_of(s, "cpe"));
	assert_false(json_is_true(json_object_get(s, "probed")));   /* method="table" */
	h = host(&c, 1);
	assert_string_equal(s_of(h, "address"), "54.239.28.85");
	assert_string_equal(s_of(h, "hostname"), "amazon.com");
	assert_int_equal(count(h, "services"), 5);
	assert_string_equal(s_of(at(h, "services", 1), "state"), "filtered");
	assert_string_equal(s_of(at(h, "services", 1), "name"), "msrpc");
	cap_free(&c);
}

static void test_nmap_os_detection(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	int64_t when = 0;
	/* 261 hosts, 257 of them down. */
	assert_int_equal(run_file(NMAP, "nmap/full_sudo6.xml", &c, &when, &e), 4);
	assert_int_equal(when, 1399586452000LL);
	json_t *h = host(&c, 0);
	assert_string_equal(s_of(h, "address"), "192.168.1.1");
	assert_string_equal(s_of(h, "mac"), "6C:2E:85:19:AF:00");
	assert_string_equal(s_of(h, "os_cpe"), "cpe:2.3:o:linux:linux_kernel:2.6.13:*:*:*:*:*:*:*");
	assert_int_equal(count(h, "services"), 6);
	assert_string_equal(s_of(at(h, "services", 0), "product"), "Sagem router telnetd");
	assert_true(json_is_true(json_object_get(at(h, "services", 0), "probed")));
	h = host(&c, 2);
	assert_string_equal(s_of(h, "address"), "192.168.1.5");
	/* The first of the 100% matches; an empty URI field is ANY. */
	assert_string_equal(s_of(h, "os_cpe"),
			    "cpe:2.3:o:microsoft:windows_server_2008:*:beta3:*:*:*:*:*:*");
	assert_string_equal(s_of(at(h, "services", 0), "cpe"),
			    "cpe:2.3:o:microsoft:windows:*:*:*:*:*:*:*:*");
	assert_string_equal(s_of(at(h, "services", 0), "version"), "2.0");
	h = host(&c, 3);
	assert_string_equal(s_of(h, "address"), "192.168.1.3");
	assert_string_equal(s_of(h, "os_cpe"), "cpe:2.3:o:apple:mac_os_x:10.8:*:*:*:*:*:*:*");
	assert_string_equal(s_of(at(h, "services", 0), "cpe"),
			    "cpe:2.3:a:heimdal:kerberos:*:*:*:*:*:*:*:*");
	cap_free(&c);

	/* nmap 5.51: osclass without osmatch, no CPE anywhere. */
	assert_int_equal(run_file(NMAP, "nmap/1_os_banner_scripts.xml", &c, &when, &e), 1);
	assert_int_equal(when, 1368156682000LL);
	h = host(&c, 0);
	assert_string_equal(s_of(h, "address"), "127.0.0.1");
	assert_string_equal(s_of(h, "hostname"), "localhost");
	assert_null(s_of(h, "os_cpe"));
	assert_int_equal(count(h, "services"), 8);
	assert_string_equal(s_of(at(h, "services", 2), "product"), "Apache httpd");
	assert_string_equal(s_of(at(h, "services", 2), "version"), "2.2.15");
	cap_free(&c);
}

static void test_nmap_synthetic(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	const char *doc =
		"<?xml version=\"1.0\"?><!DOCTYPE nmaprun>"
		"<nmaprun scanner=\"nmap\"><host starttime=\"1700000000\"><status state=\"up\"/>"
		"<address addr=\"2001:db8::1\" addrtype=\"ipv6\"/>"
		"<address addr=\"00:11:22:33:44:55\" addrtype=\"mac\"/>"
		"<hostnames><hostname name=\"ptr.example\" type=\"PTR\"/></hostnames>"
		"<ports><port protocol=\"udp\" portid=\"53\"><state state=\"open\"/>"
		"<service name=\"domain\" product=\"ISC BIND\" version=\"9.16.1\" method=\"probed\">"
		"<cpe>cpe:/o:linux:linux_kernel</cpe><cpe>cpe:/a:isc:bind:9.16.1</cpe></service></port>"
		"<port protocol=\"tcp\" portid=\"0\"><state state=\"closed\"/></port>"
		"</ports></host></nmaprun>";
	int64_t when = 0;
	assert_int_equal(run(NMAP, "t.xml", doc, strlen(doc), &c, &when, &e), 1);
	assert_int_equal(when, 1700000000000LL);         /* no start=: the host's */
	json_t *h = host(&c, 0);
	assert_string_equal(s_of(h, "address"), "2001:db8::1");
	assert_string_equal(s_of(h, "mac"), "00:11:22:33:44:55");
	assert_string_equal(s_of(h, "hostname"), "ptr.example");
	/* The application CPE for the service, the OS one for the host. */
	assert_string_equal(s_of(at(h, "services", 0), "cpe"), "cpe:2.3:a:isc:bind:9.16.1:*:*:*:*:*:*:*");
	assert_null(s_of(h, "os_cpe"));
	assert_null(s_of(at(h, "services", 1), "name"));
	cap_free(&c);

	static const struct {
		const char *doc, *n1, *n2;
	} bad[] = {
		{ "<nmaprun><host><address addr=\"1.2.3.4\" addrtype=\"ipv4\"/><ports>"
		  "<port protocol=\"tcp\" portid=\"65536\"/></ports></host></nmaprun>",
		  "test.xml: line 1, <port>", "65536" },
		{ "<nmaprun><host><address addr=\"1.2.3.4\"/><ports>\n"
		  "<port protocol=\"tcp\" portid=\"x\"/></ports></host></nmaprun>",
		  "line 2, <port>", "not a port" },
		{ "<nmaprun><host><address addr=\"1.2.3.4\"/><ports>"
		  "<port portid=\"22\"/></ports></host></nmaprun>", "<port>", "no protocol" },
		{ "<nmaprun>\n<host><status state=\"up\"/></host></nmaprun>",
		  "line 2, <host>", "no IPv4 or IPv6 address" },
		{ "<nmaprun>\n<host><address addr=\"00:11:22:33:44:55\" addrtype=\"mac\"/></host></nmaprun>",
		  "<host>", "no IPv4" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (run_str(NMAP, bad[i].doc, &c, &e) != -1)
			fail_msg("case %zu accepted", i);
		assert_err(&e, E_INVALID, bad[i].n1, bad[i].n2);
		assert_int_equal(c.calls, 0);
		cap_free(&c);
	}
	/* A down host is left out, even when malformed otherwise; the good
	 * host before a bad one is not handed over either. */
	assert_int_equal(run_str(NMAP, "<nmaprun><host><status state=\"down\"/></host></nmaprun>",
				 &c, &e), 0);
	cap_free(&c);
	assert_int_equal(run_str(NMAP, "<nmaprun><host><address addr=\"1.1.1.1\"/></host>"
				 "<host><ports><port/></ports></host></nmaprun>", &c, &e), -1);
	assert_int_equal(c.calls, 0);
	cap_free(&c);
}

/* ---- OpenVAS ---- */

static void test_openvas_one(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	int64_t when = 0;
	assert_int_equal(run_file(OPENVAS, "openvas/one_vuln.xml", &c, &when, &e), 1);
	assert_int_equal(when, 1695912482000LL);          /* scan_start 2023-09-28T14:48:02Z */
	json_t *h = host(&c, 0);
	assert_string_equal(s_of(h, "address"), "10.0.101.2");
	assert_null(s_of(h, "hostname"));                  /* <hostname></hostname> */
	assert_int_equal(count(h, "services"), 0);
	assert_int_equal(count(h, "results"), 1);
	json_t *r = at(h, "results", 0);
	assert_string_equal(s_of(r, "port"), "general/tcp");
	assert_string_equal(s_of(r, "oid"), "1.3.6.1.4.1.25623.1.0.832260");
	assert_string_equal(s_of(r, "name"), "Mozilla Firefox Security Update (mfsa_2023-32_2023-36) - Windows");
	assert_true(fabs(json_number_value(json_object_get(r, "severity")) - 10.0) < 1e-9);
	assert_string_equal(s_of(r, "threat"), "High");
	assert_int_equal(count(r, "cves"), 12);
	assert_string_equal(json_string_value(at(r, "cves", 0)), "CVE-2023-4573");
	assert_string_equal(json_string_value(at(r, "cves", 11)), "CVE-2023-4584");
	/* No <solution> element in GMP 9: the one in the tags. */
	assert_string_equal(s_of(r, "solution"),
			    "Upgrade to version 117 or later,\nPlease see the references for more information.");
	cap_free(&c);
}

static void test_openvas_v22(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	int64_t when = 0;
	assert_int_equal(run_file(OPENVAS, "openvas/report_detail_v2.xml", &c, &when, &e), 1);
	assert_int_equal(when, 1755867698000LL);          /* 2025-08-22T15:01:38+02:00 */
	json_t *h = host(&c, 0);
	assert_string_equal(s_of(h, "address"), "10.99.99.99");
	assert_string_equal(s_of(h, "hostname"), "server99");
	json_t *r = at(h, "results", 0);
	assert_string_equal(s_of(r, "port"), "42/tcp");
	assert_string_equal(s_of(r, "oid"), "1.3.6.1.4.1.25623.1.0.836484");
	assert_string_equal(s_of(r, "name"), "Microsoft Windows Multiple Vulnerabilities (KB5062557)");
	assert_true(fabs(json_number_value(json_object_get(r, "severity")) - 9.8) < 1e-9);
	assert_int_equal(count(r, "cves"), 93);              /* the cert-bund, dfn-cert, url refs left out */
	assert_string_equal(json_string_value(at(r, "cves", 0)), "CVE-2025-49659");
	assert_string_equal(s_of(r, "solution"),
			    "The vendor has released updates. Please see\n  the references for more information.");
	cap_free(&c);

	assert_int_equal(run_file(OPENVAS, "openvas/no_vuln.xml", &c, &when, &e), 0);
	assert_int_equal(when, 1695638769000LL);          /* 2023-09-25T10:46:09Z */
	assert_int_equal(c.calls, 0);
	cap_free(&c);
}

/* Results of several hosts, interleaved, grouped in order of first
 * appearance; report/host details; the older <cve> list. */
static void test_openvas_grouping(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	const char *doc =
		"<get_reports_response status=\"200\"><report id=\"r\"><report id=\"r\">"
		"<scan_start>2024-01-02T03:04:05Z</scan_start><results>"
		"<result><host>10.0.0.2</host><port>22/tcp</port><nvt oid=\"1.1\"><name>A\n   two"
		"</name><cve>CVE-2020-1, CVE-2020-2</cve><tags>solution=Update it.|x=y</tags></nvt>"
		"<severity>5.0</severity><threat>Medium</threat></result>"
		"<result><host>10.0.0.1<hostname>one.example</hostname></host><port>80/tcp</port>"
		"<nvt oid=\"1.2\"><name>B</name><cve>NOCVE</cve><cvss_base>4.3</cvss_base></nvt>"
		"<threat>Medium</threat></result>"
		"<result><host>10.0.0.2</host><port>general/tcp</port><nvt oid=\"1.3\"><name>C</name>"
		"<refs><ref type=\"cve\" id=\"CVE-2021-3\"/><ref type=\"url\" id=\"https://x\"/></refs>"
		"</nvt><severity>oops</severity></result>"
		"</results>"
		"<host><ip>10.0.0.1</ip><detail><name>best_os_cpe</name><value>cpe:/o:debian:debian_linux:12"
		"</value></detail><detail><name>MAC</name><value>AA:BB:CC:DD:EE:FF</value></detail></host>"
		"<host><ip>10.0.0.9</ip><detail><name>hostname</name><value>nine</value></detail></host>"
		"</report></report></get_reports_response>";
	int64_t when = 0;
	assert_int_equal(run(OPENVAS, "g.xml", doc, strlen(doc), &c, &when, &e), 3);
	assert_int_equal(when, 1704164645000LL);
	json_t *h = host(&c, 0);
	assert_string_equal(s_of(h, "address"), "10.0.0.2");
	assert_int_equal(count(h, "results"), 2);
	json_t *r = at(h, "results", 0);
	assert_string_equal(s_of(r, "name"), "A two");
	assert_int_equal(count(r, "cves"), 2);
	assert_string_equal(json_string_value(at(r, "cves", 1)), "CVE-2020-2");
	assert_string_equal(s_of(r, "solution"), "Update it.");
	r = at(h, "results", 1);
	assert_string_equal(s_of(r, "oid"), "1.3");
	assert_int_equal(count(r, "cves"), 1);
	assert_true(json_number_value(json_object_get(r, "severity")) < 0);   /* unknown */
	assert_null(s_of(r, "threat"));
	h = host(&c, 1);
	assert_string_equal(s_of(h, "address"), "10.0.0.1");
	assert_string_equal(s_of(h, "hostname"), "one.example");
	assert_string_equal(s_of(h, "os_cpe"), "cpe:2.3:o:debian:debian_linux:12:*:*:*:*:*:*:*");
	assert_string_equal(s_of(h, "mac"), "AA:BB:CC:DD:EE:FF");
	r = at(h, "results", 0);
	assert_int_equal(count(r, "cves"), 0);
	assert_true(fabs(json_number_value(json_object_get(r, "severity")) - 4.3) < 1e-9);
	h = host(&c, 2);
	assert_string_equal(s_of(h, "address"), "10.0.0.9");
	assert_string_equal(s_of(h, "hostname"), "nine");
	assert_int_equal(count(h, "results"), 0);
	cap_free(&c);

	assert_int_equal(run_str(OPENVAS, "<report><report><results>\n<result><port>1/tcp</port>"
				 "</result></results></report></report>", &c, &e), -1);
	assert_err(&e, E_INVALID, "test.xml: line 2, <result>", "a result with no host");
	cap_free(&c);
}

/* ---- both ---- */

static void test_wrong_kind(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	int64_t when;
	assert_int_equal(run_file(NMAP, "openvas/one_vuln.xml", &c, &when, &e), -1);
	assert_err(&e, E_INVALID, "openvas/one_vuln.xml: line 1, <report>",
		   "import it as openvas");
	assert_int_equal(e.msg, MSG_FEED_SCHEMA);
	cap_free(&c);
	assert_int_equal(run_file(OPENVAS, "nmap/issue12411.xml", &c, &when, &e), -1);
	assert_err(&e, E_INVALID, "nmap/issue12411.xml: line 5, <nmaprun>", "import it as nmap");
	cap_free(&c);
	assert_int_equal(run_file(NMAP, "nvd/cves-2023.json", &c, &when, &e), -1);
	assert_err(&e, E_MALFORMED, "nvd/cves-2023.json: line 1, column 1", NULL);
	assert_int_equal(e.msg, MSG_FEED_SYNTAX);
	cap_free(&c);
	assert_int_equal(run_str(OPENVAS, "<html><body/></html>", &c, &e), -1);
	assert_err(&e, E_INVALID, "not a Greenbone/OpenVAS report", NULL);
	cap_free(&c);
	assert_int_equal(run_str(NMAP, "", &c, &e), -1);
	assert_err(&e, E_MALFORMED, "test.xml: line", NULL);
	cap_free(&c);
}

/* Every cut of a sample before its root element ends gives an error that
 * names the file, a line and a column; the sink is never called. */
static void truncations(enum kind k, const char *rel)
{
	size_t n;
	char *d = slurp(rel, &n);
	size_t end = n;
	while (end > 0 && strchr(" \t\r\n", d[end - 1]))
		end--;
	size_t step = end / 150 + 1;
	struct cap c = { 0 };
	struct err e;
	for (size_t cut = 0; cut < end; cut += (cut + step < end ? step : 1)) {
		char *copy = malloc(cut ? cut : 1);
		int64_t when;
		memcpy(copy, d, cut);
		long r = run(k, rel, copy, cut, &c, &when, &e);
		if (r != -1)
			fail_msg("%s cut at %zu: accepted (%ld)", rel, cut, r);
		assert_int_equal(c.calls, 0);
		if (e.code != E_MALFORMED || strncmp(e.arg, rel, strlen(rel)) != 0 ||
		    strstr(e.arg, ": line ") == NULL || strstr(e.arg, ", column ") == NULL)
			fail_msg("%s cut at %zu: %d %s", rel, cut, e.code, e.arg);
		cap_free(&c);
		free(copy);
	}
	free(d);
}

static void test_truncated(void **state)
{
	(void)state;
	truncations(NMAP, "nmap/nmap_script_vulners.xml");
	truncations(NMAP, "nmap/issue12411.xml");
	truncations(NMAP, "nmap/full_sudo6.xml");
	truncations(OPENVAS, "openvas/one_vuln.xml");
	truncations(OPENVAS, "openvas/report_detail_v2.xml");
	truncations(OPENVAS, "openvas/no_vuln.xml");
}

/* No entity is ever expanded or fetched: a DTD that declares any is
 * refused, and libxml2 stops the billion laughs before that. */
static void test_entities(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	const char *xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE nmaprun [\n<!ENTITY x SYSTEM "
			  "\"file:///etc/passwd\">]>\n<nmaprun><host>&x;<address addr=\"1.2.3.4\"/>"
			  "</host></nmaprun>";
	assert_int_equal(run_str(NMAP, xxe, &c, &e), -1);
	assert_err(&e, E_INVALID, "test.xml: line 3", "declares entities");
	assert_int_equal(c.calls, 0);
	cap_free(&c);
	/* In an attribute libxml2 refuses it itself. */
	const char *xxe_attr = "<!DOCTYPE nmaprun [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
			       "<nmaprun><host><address addr=\"&x;\"/></host></nmaprun>";
	assert_int_equal(run_str(NMAP, xxe_attr, &c, &e), -1);
	assert_err(&e, E_MALFORMED, "test.xml: line 1, column", "external entity");
	cap_free(&c);
	const char *inner = "<!DOCTYPE report [<!ENTITY a \"10.0.0.1\">]><report><results><result>"
			    "<host>&a;</host></result></results></report>";
	assert_int_equal(run_str(OPENVAS, inner, &c, &e), -1);
	assert_err(&e, E_INVALID, "declares entities", NULL);
	cap_free(&c);
	struct buf b;
	buf_init(&b, 1 << 16);
	assert_int_equal(buf_adds(&b, "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY l0 \"lol\">"), 0);
	for (int i = 1; i < 10; i++) {
		assert_int_equal(buf_printf(&b, "<!ENTITY l%d \"", i), 0);
		for (int k = 0; k < 10; k++)
			assert_int_equal(buf_printf(&b, "&l%d;", i - 1), 0);
		assert_int_equal(buf_adds(&b, "\">"), 0);
	}
	assert_int_equal(buf_adds(&b, "]><nmaprun>&l9;</nmaprun>"), 0);
	assert_int_equal(run(NMAP, "lol.xml", b.p, b.len, &c, NULL, &e), -1);
	assert_true(e.code == E_MALFORMED || e.code == E_INVALID);
	assert_err(&e, e.code, "lol.xml: line 1", NULL);
	cap_free(&c);
	buf_release(&b);
	/* A DOCTYPE without declarations, as nmap writes, is fine. */
	assert_int_equal(run_str(NMAP, "<!DOCTYPE nmaprun><nmaprun/>", &c, &e), 0);
	cap_free(&c);
}

static char *nested(int depth)
{
	struct buf b;
	buf_init(&b, (size_t)depth * 16 + 64);
	assert_int_equal(buf_adds(&b, "<nmaprun>"), 0);
	for (int i = 1; i < depth; i++)
		assert_int_equal(buf_adds(&b, "<x>"), 0);
	for (int i = 1; i < depth; i++)
		assert_int_equal(buf_adds(&b, "</x>"), 0);
	assert_int_equal(buf_adds(&b, "</nmaprun>"), 0);
	return buf_detach(&b, NULL);
}

static void test_limits(void **state)
{
	(void)state;
	struct cap c = { 0 };
	struct err e;
	/* Nesting: 256 levels are read, 257 refused, 10,000 too. */
	char *d = nested(SCAN_MAX_XML_DEPTH);
	assert_int_equal(run_str(NMAP, d, &c, &e), 0);
	cap_free(&c);
	free(d);
	d = nested(SCAN_MAX_XML_DEPTH + 1);
	assert_int_equal(run_str(NMAP, d, &c, &e), -1);
	assert_err(&e, E_TOOLARGE, "test.xml: line 1", "deeper than 256");
	assert_int_equal(e.msg, MSG_FEED_LIMIT);
	cap_free(&c);
	free(d);
	d = nested(10000);
	assert_int_equal(run_str(NMAP, d, &c, &e), -1);
	assert_err(&e, E_MALFORMED, "test.xml: line 1", NULL);
	cap_free(&c);
	free(d);

	/* An attribute or a text at 64 KiB, and one byte more. */
	static const char *const fmts[] = {
		"<nmaprun><host><address addr=\"1.2.3.4\"/><ports><port protocol=\"tcp\" "
		"portid=\"1\"><service name=\"%s\"/></port></ports></host></nmaprun>",
		"<report><report><results><result><host>1.2.3.4</host><nvt><name>%s</name>"
		"</nvt></result></results></report></report>",
	};
	for (int k = 0; k < 2; k++) {
		for (size_t len = FEED_MAX_STRING; len <= FEED_MAX_STRING + 1; len++) {
			char *s = malloc(len + 1);
			memset(s, 'a', len);
			s[len] = '\0';
			struct buf b;
			buf_init(&b, len + 1024);
			assert_int_equal(buf_printf(&b, fmts[k], s), 0);
			long r = run_str(k == 0 ? NMAP : OPENVAS, b.p, &c, &e);
			if (len == FEED_MAX_STRING) {
				assert_int_equal(r, 1);
			} else {
				assert_int_equal(r, -1);
				assert_err(&e, E_TOOLARGE, "test.xml: line 1", "over 65536 bytes");
				assert_int_equal(c.calls, 0);
			}
			cap_free(&c);
			buf_release(&b);
			free(s);
		}
	}

	/* Ports of one host: FEED_MAX_ITEMS and one more. */
	for (size_t n = FEED_MAX_ITEMS; n <= FEED_MAX_ITEMS + 1; n++) {
		struct buf b;
		buf_init(&b, n * 64 + 1024);
		assert_int_equal(buf_adds(&b, "<nmaprun><host><address addr=\"1.2.3.4\"/><ports>"), 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(buf_printf(&b, "<port protocol=\"%s\" portid=\"%zu\"/>",
						    i % 2 ? "udp" : "tcp", i % 65536), 0);
		assert_int_equal(buf_adds(&b, "</ports></host></nmaprun>"), 0);
		long r = run_str(NMAP, b.p, &c, &e);
		if (n == FEED_MAX_ITEMS) {
			assert_int_equal(r, 1);
			assert_int_equal(count(host(&c, 0), "services"), FEED_MAX_ITEMS);
		} else {
			assert_int_equal(r, -1);
			assert_err(&e, E_TOOLARGE, "<ports>", "100001 ports");
		}
		cap_free(&c);
		buf_release(&b);
	}
}

/* ---- CPE ---- */

static void test_cpe_uri_to_23(void **state)
{
	(void)state;
	static const struct {
		const char *uri, *fs;
	} ok[] = {
		{ "cpe:/a:openbsd:openssh:7.6p1", "cpe:2.3:a:openbsd:openssh:7.6p1:*:*:*:*:*:*:*" },
		{ "cpe:/a:openbsd:openssh:7.4", "cpe:2.3:a:openbsd:openssh:7.4:*:*:*:*:*:*:*" },
		{ "cpe:/o:linux:linux_kernel", "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*" },
		{ "cpe:/o:microsoft:windows_7::-:professional",
		  "cpe:2.3:o:microsoft:windows_7:*:-:professional:*:*:*:*:*" },
		{ "cpe:/o:microsoft:windows_vista::sp1", "cpe:2.3:o:microsoft:windows_vista:*:sp1:*:*:*:*:*:*" },
		{ "CPE:/A:Apache:HTTP_Server:2.4.49", "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*" },
		{ "cpe:/a:foo%21:bar:1.0%3a2", "cpe:2.3:a:foo\\!:bar:1.0\\:2:*:*:*:*:*:*:*" },
		{ "cpe:/a:vendor:product:1.%02:%01", "cpe:2.3:a:vendor:product:1.*:?:*:*:*:*:*:*" },
		{ "cpe:/a:hp:insight_diagnostics:7.4.0.1570::~~online~win2003~x64~",
		  "cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:*:*:*:online:win2003:x64:*" },
		{ "cpe:/a:microsoft:ie:8.0:beta::en-us", "cpe:2.3:a:microsoft:ie:8.0:beta:*:en-us:*:*:*:*" },
		{ "cpe:/a:microsoft:ie:8.0:beta:x64", "cpe:2.3:a:microsoft:ie:8.0:beta:x64:*:*:*:*:*" },
		{ "cpe:/", "cpe:2.3:*:*:*:*:*:*:*:*:*:*:*" },
	};
	char out[256];
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		const char *r = cpe_uri_to_23(ok[i].uri, out, sizeof(out));
		if (r == NULL || strcmp(r, ok[i].fs) != 0)
			fail_msg("%s -> %s, expected %s", ok[i].uri, r ? r : "NULL", ok[i].fs);
	}
	const char *bad[] = { NULL, "", "cpe:2.3:a:x:y:*:*:*:*:*:*:*:*", "cpe:/x:vendor:product",
			      "cpe:/a:v:p:1:2:3:4:5", "cpe:/a:v:p:1%2", "cpe:/a:v:p:1%zz",
			      "cpe:/a:v:p:1 2", "cpe:/a:v:p:::~a~b", "cpe:/a:v\tp", "cpe:/a:v:p\xc3\xa9" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cpe_uri_to_23(bad[i], out, sizeof(out)) != NULL)
			fail_msg("accepted %s", bad[i] ? bad[i] : "(null)");
	/* Too small a buffer: NULL, never a cut name. */
	char small[20];
	assert_null(cpe_uri_to_23("cpe:/a:openbsd:openssh:7.6p1", small, sizeof(small)));
	assert_null(cpe_uri_to_23("cpe:/a:o:p", out, 0));
}

static void test_cpe_match(void **state)
{
	(void)state;
	static const struct {
		const char *criteria, *name;
		int want;
	} cases[] = {
		{ "cpe:2.3:a:openbsd:openssh:7.6p1:*:*:*:*:*:*:*", "cpe:2.3:a:openbsd:openssh:7.6p1:*:*:*:*:*:*:*", 1 },
		{ "cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*", "cpe:2.3:a:openbsd:openssh:7.6p1:*:*:*:*:*:*:*", 1 },
		{ "cpe:2.3:a:openbsd:openssh:7.6p1:*:*:*:*:*:*:*", "cpe:2.3:a:openbsd:openssh:7.7:*:*:*:*:*:*:*", 0 },
		/* Case does not matter. */
		{ "cpe:2.3:a:Apache:HTTP_Server:2.4.49:*:*:*:*:*:*:*", "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*", 1 },
		{ "CPE:2.3:A:apache:http_server:*:*:*:*:*:*:*:*", "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*", 1 },
		/* part, vendor, product must agree. */
		{ "cpe:2.3:o:apache:http_server:*:*:*:*:*:*:*:*", "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*", 0 },
		{ "cpe:2.3:a:apache:tomcat:*:*:*:*:*:*:*:*", "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*", 0 },
		/* NA matches only NA; ANY in the name (unknown) matches anything. */
		{ "cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*", "cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*", 1 },
		{ "cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*", "cpe:2.3:o:microsoft:windows:10:*:*:*:*:*:*:*", 0 },
		{ "cpe:2.3:o:microsoft:windows:10:*:*:*:*:*:*:*", "cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*", 0 },
		{ "cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*", "cpe:2.3:o:microsoft:windows:*:*:*:*:*:*:*:*", 1 },
		{ "cpe:2.3:a:apache:http_server:2.4.49:*:*:*:*:*:*:*", "cpe:2.3:a:apache:http_server:*:*:*:*:*:*:*:*", 1 },
		/* Every one of the 11 attributes counts. */
		{ "cpe:2.3:a:wpml:wpml:*:*:*:*:*:wordpress:*:*", "cpe:2.3:a:wpml:wpml:4.5:*:*:*:*:wordpress:*:*", 1 },
		{ "cpe:2.3:a:wpml:wpml:*:*:*:*:*:wordpress:*:*", "cpe:2.3:a:wpml:wpml:4.5:*:*:*:*:joomla:*:*", 0 },
		{ "cpe:2.3:a:v:p:*:*:*:*:*:*:*:x", "cpe:2.3:a:v:p:1:*:*:*:*:*:*:y", 0 },
		/* Wildcards inside a criteria value. */
		{ "cpe:2.3:a:v:p:1.*:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.2.3:*:*:*:*:*:*:*", 1 },
		{ "cpe:2.3:a:v:p:1.*:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:2.0:*:*:*:*:*:*:*", 0 },
		{ "cpe:2.3:a:v:p:*.3:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.2.3:*:*:*:*:*:*:*", 1 },
		{ "cpe:2.3:a:v:p:1.?:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.2:*:*:*:*:*:*:*", 1 },
		{ "cpe:2.3:a:v:p:1.?:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.23:*:*:*:*:*:*:*", 0 },
		/* Escapes: a quoted '*' is a star, '\.' and '.' are the same. */
		{ "cpe:2.3:a:v:p:1\\*:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1\\*:*:*:*:*:*:*:*", 1 },
		{ "cpe:2.3:a:v:p:1\\*:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:12:*:*:*:*:*:*:*", 0 },
		{ "cpe:2.3:a:v:p:1\\.0:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.0:*:*:*:*:*:*:*", 1 },
		{ "cpe:2.3:a:v:p:1.0\\:beta:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.0\\:beta:*:*:*:*:*:*:*", 1 },
		{ "cpe:2.3:a:v:p:1.0\\:beta:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.0:beta:*:*:*:*:*:*", 0 },
		/* A 2.2 URI on either side. */
		{ "cpe:2.3:a:openbsd:openssh:7.4:*:*:*:*:*:*:*", "cpe:/a:openbsd:openssh:7.4", 1 },
		{ "cpe:/a:openbsd:openssh", "cpe:2.3:a:openbsd:openssh:7.4:*:*:*:*:*:*:*", 1 },
		/* Malformed: no match. */
		{ "cpe:2.3:a:v:p:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1:*:*:*:*:*:*:*", 0 },
		{ "cpe:2.3:a:v:p:*:*:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1:*:*:*:*:*:*:*", 0 },
		{ "cpe:2.3:a:v:p:1:*:*:*:*:*:*:*", "apache", 0 },
		{ NULL, "cpe:2.3:a:v:p:1:*:*:*:*:*:*:*", 0 },
		{ "cpe:2.3:a:v:p:1:*:*:*:*:*:*:*", NULL, 0 },
		{ "cpe:2.3:a:v:p:1:*:*:*:*:*:*:*\\", "cpe:2.3:a:v:p:1:*:*:*:*:*:*:*", 0 },
		/* A name holds no wildcards. */
		{ "cpe:2.3:a:v:p:1.2:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.?:*:*:*:*:*:*:*", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (cpe_match(cases[i].criteria, cases[i].name) != cases[i].want)
			fail_msg("case %zu: %s vs %s: expected %d", i,
				 cases[i].criteria ? cases[i].criteria : "NULL",
				 cases[i].name ? cases[i].name : "NULL", cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nmap_vulners),
		cmocka_unit_test(test_nmap_no_version_scan),
		cmocka_unit_test(test_nmap_os_detection),
		cmocka_unit_test(test_nmap_synthetic),
		cmocka_unit_test(test_openvas_one),
		cmocka_unit_test(test_openvas_v22),
		cmocka_unit_test(test_openvas_grouping),
		cmocka_unit_test(test_wrong_kind),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_cpe_uri_to_23),
		cmocka_unit_test(test_cpe_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
