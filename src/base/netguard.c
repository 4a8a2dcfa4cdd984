/* netguard.c - the addresses a webhook may not reach (issue 17). */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "netguard.h"
#include "banned.h"

static const unsigned char mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int net_addr_parse(const char *s, unsigned char out[16])
{
	struct in_addr v4;
	struct in6_addr v6;
	/* inet_pton takes only the dotted quad: octal, hex and decimal forms
	 * of a literal are curl's to normalise before this */
	if (inet_pton(AF_INET, s, &v4) == 1) {
		memcpy(out, mapped_prefix, 12);
		memcpy(out + 12, &v4, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &v6) == 1) {
		memcpy(out, &v6, 16);
		return 0;
	}
	return -1;
}

/* Whether a lies in prefix p of bits (16-byte forms). */
static int in_prefix(const unsigned char a[16], const unsigned char p[16], int bits)
{
	int whole = bits / 8, rest = bits % 8;
	if (memcmp(a, p, (size_t)whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (a[whole] & mask) == (p[whole] & mask);
}

static const char *v4_class(const unsigned char b[4])
{
	static const struct {
		unsigned char p[4];
		int bits;
		const char *why;
	} ranges[] = {
		{ { 0, 0, 0, 0 }, 8, "this network (0.0.0.0/8)" },
		{ { 10, 0, 0, 0 }, 8, "private (10.0.0.0/8)" },
		{ { 100, 64, 0, 0 }, 10, "shared address space (100.64.0.0/10)" },
		{ { 127, 0, 0, 0 }, 8, "loopback (127.0.0.0/8)" },
		{ { 169, 254, 0, 0 }, 16, "link-local, cloud metadata (169.254.0.0/16)" },
		{ { 172, 16, 0, 0 }, 12, "private (172.16.0.0/12)" },
		{ { 192, 0, 0, 0 }, 24, "IETF protocol assignments (192.0.0.0/24)" },
		{ { 192, 0, 2, 0 }, 24, "documentation (192.0.2.0/24)" },
		{ { 192, 88, 99, 0 }, 24, "6to4 relay (192.88.99.0/24)" },
		{ { 192, 168, 0, 0 }, 16, "private (192.168.0.0/16)" },
		{ { 198, 18, 0, 0 }, 15, "benchmarking (198.18.0.0/15)" },
		{ { 198, 51, 100, 0 }, 24, "documentation (198.51.100.0/24)" },
		{ { 203, 0, 113, 0 }, 24, "documentation (203.0.113.0/24)" },
		{ { 224, 0, 0, 0 }, 4, "multicast (224.0.0.0/4)" },
		{ { 240, 0, 0, 0 }, 4, "reserved, broadcast (240.0.0.0/4)" },
	};
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		unsigned char a[16] = { 0 }, p[16] = { 0 };
		memcpy(a, b, 4);
		memcpy(p, ranges[i].p, 4);
		if (in_prefix(a, p, ranges[i].bits))
			return ranges[i].why;
	}
	return NULL;
}

const char *net_forbidden(const unsigned char a[16])
{
	static const unsigned char nat64[16] = { 0, 0x64, 0xff, 0x9b };
	/* IPv4 inside IPv6: mapped (::ffff:0:0/96) and NAT64 (64:ff9b::/96)
	 * carry it in the last 4 bytes, 6to4 (2002::/16) in bytes 2..5 */
	if (memcmp(a, mapped_prefix, 12) == 0 || memcmp(a, nat64, 12) == 0)
		return v4_class(a + 12);
	if (a[0] == 0x20 && a[1] == 0x02)
		return v4_class(a + 2);
	static const struct {
		unsigned char p[16];
		int bits;
		const char *why;
	} ranges[] = {
		{ { 0 }, 128, "unspecified (::)" },
		{ { [15] = 1 }, 128, "loopback (::1)" },
		{ { 0 }, 96, "IPv4-compatible (::/96)" },
		{ { 0, 0x64, 0xff, 0x9b, 0, 1 }, 48, "local NAT64 (64:ff9b:1::/48)" },
		{ { 0x01, 0x00 }, 64, "discard (100::/64)" },
		{ { 0x20, 0x01, 0, 0 }, 32, "Teredo (2001::/32)" },
		{ { 0x20, 0x01, 0x00, 0x10 }, 28, "ORCHID (2001:10::/28)" },
		{ { 0x20, 0x01, 0x0d, 0xb8 }, 32, "documentation (2001:db8::/32)" },
		{ { 0xfc }, 7, "unique local, private (fc00::/7)" },
		{ { 0xfe, 0x80 }, 10, "link-local (fe80::/10)" },
		{ { 0xfe, 0xc0 }, 10, "site-local (fec0::/10)" },
		{ { 0xff }, 8, "multicast (ff00::/8)" },
	};
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (in_prefix(a, ranges[i].p, ranges[i].bits))
			return ranges[i].why;
	return NULL;
}

int net_allowed(const struct net_allow *al, const unsigned char a[16])
{
	for (int i = 0; al && i < al->n; i++)
		if (in_prefix(a, al->v[i].a, al->v[i].bits))
			return 1;
	return 0;
}

int net_allow_parse(const char *text, struct net_allow *out)
{
	struct net_allow a = { 0 };
	const char *p = text;
	while (p && *p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		size_t n = strcspn(p, " ,\t");
		char item[64];
		if (n >= sizeof(item) || a.n >= NET_ALLOW_MAX)
			return -1;
		memcpy(item, p, n);
		item[n] = '\0';
		p += n;
		char *slash = strchr(item, '/');
		long bits = -1;
		if (slash) {
			char *end;
			*slash = '\0';
			if (slash[1] < '0' || slash[1] > '9')
				return -1;
			bits = strtol(slash + 1, &end, 10);
			if (*end != '\0')
				return -1;
		}
		struct net_cidr *c = &a.v[a.n];
		if (net_addr_parse(item, c->a) != 0)
			return -1;
		int v4 = strchr(item, ':') == NULL;
		int max = v4 ? 32 : 128;
		if (bits < 0)
			bits = max;
		if (bits > max)
			return -1;
		c->bits = (int)bits + (v4 ? 96 : 0);
		a.n++;
	}
	*out = a;
	return 0;
}

static void addr_text(const unsigned char a[16], char *out, size_t n)
{
	char t[INET6_ADDRSTRLEN];
	if (memcmp(a, mapped_prefix, 12) == 0)
		inet_ntop(AF_INET, a + 12, t, sizeof(t));
	else
		inet_ntop(AF_INET6, a, t, sizeof(t));
	snprintf(out, n, "%s", t);
}

/* NET_OK when a may be reached; else why is filled. */
static int judge(const unsigned char a[16], const struct net_allow *al, char *why, size_t wn)
{
	const char *cls = net_forbidden(a);
	if (cls == NULL || net_allowed(al, a))
		return NET_OK;
	char t[INET6_ADDRSTRLEN];
	addr_text(a, t, sizeof(t));
	snprintf(why, wn, "%s: %s", t, cls);
	return NET_FORBIDDEN;
}

void net_why_neutral(const char *why, char *out, size_t n)
{
	const char *colon = strstr(why, ": "), *open = strrchr(why, '('),
		   *close = strrchr(why, ')');
	int head = colon ? (int)(colon - why) : (int)strlen(why);
	if (colon && open && close && open < close && open > colon)
		snprintf(out, n, "%.*s ∈ %.*s", head, why, (int)(close - open - 1), open + 1);
	else
		snprintf(out, n, "%.*s", head, why);
}

int net_check_url(const char *url, const struct net_allow *al, char *pin, size_t pin_len,
		  char *why, size_t why_len)
{
	int rc = NET_BAD_URL;
	char *scheme = NULL, *host = NULL, *port = NULL;
	pin[0] = '\0';
	snprintf(why, why_len, "not an http or https URL");
	CURLU *u = curl_url();
	if (u == NULL)
		return NET_BAD_URL;
	/* curl parses it as the send will, and normalises the host: a
	 * decimal (2130706433), octal (0177.0.0.1) or short (127.1) IPv4 is
	 * written as a dotted quad */
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) || host[0] == '\0')
		goto out;
	unsigned char a[16];
	size_t hl = strlen(host);
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		char lit[INET6_ADDRSTRLEN + 2];
		snprintf(lit, sizeof(lit), "%.*s", (int)(hl - 2), host + 1);
		if (net_addr_parse(lit, a) != 0)
			goto out;
		rc = judge(a, al, why, why_len);
		goto out;
	}
	if (net_addr_parse(host, a) == 0) {
		rc = judge(a, al, why, why_len);
		goto out;
	}
	/* a name: every address it has must pass (one bad one refuses it);
	 * the first is pinned */
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || res == NULL) {
		snprintf(why, why_len, "%s: the name does not resolve", host);
		rc = NET_NO_ADDRESS;
		goto out;
	}
	unsigned char first[16];
	int have = 0;
	rc = NET_OK;
	for (struct addrinfo *r = res; r && rc == NET_OK; r = r->ai_next) {
		if (r->ai_family == AF_INET) {
			memcpy(a, mapped_prefix, 12);
			memcpy(a + 12, &((struct sockaddr_in *)(void *)r->ai_addr)->sin_addr, 4);
		} else if (r->ai_family == AF_INET6) {
			memcpy(a, &((struct sockaddr_in6 *)(void *)r->ai_addr)->sin6_addr, 16);
		} else {
			continue;
		}
		rc = judge(a, al, why, why_len);
		if (rc == NET_OK && !have) {
			memcpy(first, a, 16);
			have = 1;
		}
	}
	freeaddrinfo(res);
	if (rc == NET_OK && !have) {
		snprintf(why, why_len, "%s: the name does not resolve", host);
		rc = NET_NO_ADDRESS;
	}
	if (rc == NET_OK) {
		char t[INET6_ADDRSTRLEN];
		addr_text(first, t, sizeof(t));
		int v6 = strchr(t, ':') != NULL;
		if ((size_t)snprintf(pin, pin_len, v6 ? "%s:%s:[%s]" : "%s:%s:%s", host, port, t) >=
		    pin_len) {
			pin[0] = '\0';
			snprintf(why, why_len, "the host name is too long");
			rc = NET_BAD_URL;
		}
	}
out:
	if (rc == NET_OK)
		why[0] = '\0';
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}
