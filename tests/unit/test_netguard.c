/*
 * test_netguard.c - the addresses a webhook may not reach (issue 17): each
 * class in IPv4 and IPv6, the literal forms curl accepts for one address
 * (decimal, octal, hex, short, IPv4-mapped, NAT64, 6to4), a name that
 * resolves to loopback, the administrator's allowed networks, and the
 * address pinned for the send.
 */
#include <stdio.h>
#include <string.h>

#include "testlib.h"
#include "base/netguard.h"

static int check(const char *url, const struct net_allow *al, char *pin, char *why)
{
	return net_check_url(url, al, pin, 400, why, 300);
}

static void test_classes(void **state)
{
	(void)state;
	static const char *const refused[] = {
		/* IPv4 */
		"http://0.0.0.0/", "http://127.0.0.1/", "http://127.8.9.10:8080/x",
		"http://10.1.2.3/", "http://172.16.0.1/", "http://172.31.255.255/",
		"http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/",
		"http://100.64.0.1/", "http://100.100.100.200/", "http://224.0.0.1/",
		"http://239.255.255.250/", "http://255.255.255.255/", "http://240.0.0.1/",
		"http://198.18.0.1/", "http://192.0.2.1/",
		/* the same loopback, written otherwise */
		"http://2130706433/", "http://0177.0.0.1/", "http://0x7f.0.0.1/", "http://127.1/",
		"http://0x7f000001/", "http://017700000001/", "http://0/",
		/* IPv6 */
		"http://[::]/", "http://[::1]/", "http://[fe80::1]/", "http://[fe80::1%25eth0]/",
		"http://[fc00::1]/", "http://[fd00:ec2::254]/", "http://[ff02::1]/",
		"http://[fec0::1]/", "http://[2001:db8::1]/", "http://[::127.0.0.1]/",
		/* IPv4 inside IPv6 */
		"http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[::ffff:10.0.0.1]/",
		"http://[::ffff:169.254.169.254]/", "http://[64:ff9b::7f00:1]/",
		"http://[2002:7f00:1::]/", "http://[2002:a9fe:a9fe::1]/",
		/* names */
		"http://localhost/", "https://localhost:8443/hook",
	};
	char pin[400], why[300];
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		int rc = check(refused[i], NULL, pin, why);
		if (rc != NET_FORBIDDEN)
			fail_msg("%s: %d (%s), not refused", refused[i], rc, why);
		assert_string_equal(pin, "");
	}
	/* the reason names the address as checked and its class */
	assert_int_equal(check("http://0177.0.0.1/", NULL, pin, why), NET_FORBIDDEN);
	assert_non_null(strstr(why, "127.0.0.1"));
	assert_non_null(strstr(why, "loopback"));
	/* what a message of the catalogue carries: no English class word */
	char shown[300];
	net_why_neutral(why, shown, sizeof(shown));
	assert_string_equal(shown, "127.0.0.1 ∈ 127.0.0.0/8");
	assert_int_equal(check("http://[::ffff:169.254.169.254]/", NULL, pin, why), NET_FORBIDDEN);
	assert_non_null(strstr(why, "metadata"));
	net_why_neutral(why, shown, sizeof(shown));
	assert_string_equal(shown, "169.254.169.254 ∈ 169.254.0.0/16");
	assert_int_equal(check("http://[fe80::1]/", NULL, pin, why), NET_FORBIDDEN);
	net_why_neutral(why, shown, sizeof(shown));
	assert_string_equal(shown, "fe80::1 ∈ fe80::/10");
	net_why_neutral("no-such-host.invalid: the name does not resolve", shown, sizeof(shown));
	assert_string_equal(shown, "no-such-host.invalid");
	net_why_neutral("not an http or https URL", shown, sizeof(shown));
	assert_string_equal(shown, "not an http or https URL");
	/* public addresses pass; a literal needs no pin */
	static const char *const public[] = {
		"https://8.8.8.8/", "http://1.1.1.1:8080/hook", "http://[2606:4700:4700::1111]/",
		"http://[::ffff:8.8.8.8]/", "http://172.32.0.1/", "http://100.128.0.1/",
		"http://[2002:808:808::1]/",
	};
	for (size_t i = 0; i < sizeof(public) / sizeof(public[0]); i++) {
		int rc = check(public[i], NULL, pin, why);
		if (rc != NET_OK)
			fail_msg("%s: %d (%s), refused", public[i], rc, why);
		assert_string_equal(pin, "");
	}
}

static void test_bad_urls(void **state)
{
	(void)state;
	char pin[400], why[300];
	static const char *const bad[] = {
		"ftp://8.8.8.8/", "file:///etc/passwd", "gopher://8.8.8.8/", "http://", "",
		"http://a b/", "dict://8.8.8.8:11211/", "8.8.8.8",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (check(bad[i], NULL, pin, why) != NET_BAD_URL)
			fail_msg("%s: accepted", bad[i]);
	assert_int_equal(check("http://no-such-host.invalid/", NULL, pin, why), NET_NO_ADDRESS);
}

static void test_allow(void **state)
{
	(void)state;
	struct net_allow al;
	char pin[400], why[300];
	assert_int_equal(net_allow_parse("127.0.0.1/32, 10.0.0.0/8 fd00::/8", &al), 0);
	assert_int_equal(al.n, 3);
	/* allowed: the networks named, in every form of the address */
	assert_int_equal(check("http://127.0.0.1:9000/hook", &al, pin, why), NET_OK);
	assert_int_equal(check("http://2130706433:9000/hook", &al, pin, why), NET_OK);
	assert_int_equal(check("http://[::ffff:127.0.0.1]/", &al, pin, why), NET_OK);
	assert_int_equal(check("http://10.20.30.40/", &al, pin, why), NET_OK);
	assert_int_equal(check("http://[fd12::1]/", &al, pin, why), NET_OK);
	/* not the rest of loopback, nor other private networks */
	assert_int_equal(check("http://127.0.0.2/", &al, pin, why), NET_FORBIDDEN);
	assert_int_equal(check("http://192.168.0.1/", &al, pin, why), NET_FORBIDDEN);
	assert_int_equal(check("http://169.254.169.254/", &al, pin, why), NET_FORBIDDEN);
	/* a name that resolves to an allowed address is pinned to it */
	struct net_allow lo;
	assert_int_equal(net_allow_parse("127.0.0.0/8 ::1", &lo), 0);
	assert_int_equal(check("http://localhost:9000/x", &lo, pin, why), NET_OK);
	assert_true(strcmp(pin, "localhost:9000:127.0.0.1") == 0 ||
		    strcmp(pin, "localhost:9000:[::1]") == 0);
	/* bad lists are refused whole */
	static const char *const bad[] = {
		"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "nonsense", "10.0.0.0/8/8",
		"0x0a.0.0.0/8",
		/* 17 networks: more than NET_ALLOW_MAX */
		("1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 "
		 "1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4"),
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct net_allow x = al;
		if (net_allow_parse(bad[i], &x) != -1)
			fail_msg("%s: accepted", bad[i]);
		assert_memory_equal(&x, &al, sizeof(al));
	}
	assert_int_equal(net_allow_parse("", &al), 0);
	assert_int_equal(al.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_bad_urls),
		cmocka_unit_test(test_allow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
