/*
 * netguard.h - where a request the server makes on a user's behalf (a
 * webhook) may go (issue 17): never to the server's own machine, its
 * private networks, link-local addresses (cloud metadata at
 * 169.254.169.254), multicast or reserved ranges, in IPv4 or IPv6 (IPv4
 * inside IPv6 is looked through: mapped, NAT64, 6to4), unless the
 * administrator allows the network ([notify] webhook_allow = 10.0.0.0/8).
 * A name is checked after resolution, and the caller pins the address it
 * checked (CURLOPT_RESOLVE) so a second lookup cannot answer otherwise.
 */
#ifndef UNGCUU_NETGUARD_H
#define UNGCUU_NETGUARD_H

#include <stddef.h>

#define NET_ALLOW_MAX 16

/* An address as 16 bytes: IPv4 as ::ffff:a.b.c.d. */
struct net_cidr {
	unsigned char a[16];
	int bits;
};
struct net_allow {
	int n;
	struct net_cidr v[NET_ALLOW_MAX];
};

/* "10.0.0.0/8, 192.168.5.0/24 fd00::/8" (commas or spaces; a bare address
 * is /32 or /128) into a; 0, or -1 with a unchanged at the first bad one. */
int net_allow_parse(const char *text, struct net_allow *a);

/* Parses an IPv4 (dotted quad) or IPv6 literal into 16 bytes; 0 or -1. */
int net_addr_parse(const char *s, unsigned char out[16]);

/* Why an address may not be reached ("loopback", "private", ...), NULL
 * when it is a public one. */
const char *net_forbidden(const unsigned char a[16]);

/* Whether a lies in one of the allowed networks. */
int net_allowed(const struct net_allow *al, const unsigned char a[16]);

enum { NET_OK = 0, NET_BAD_URL = 1, NET_NO_ADDRESS = 2, NET_FORBIDDEN = 3 };

/*
 * Checks a webhook URL: http or https, a host that resolves, and every
 * address it resolves to public or allowed (al may be NULL: none). On
 * NET_OK, pin ("host:port:address", "" for an address literal) is what
 * CURLOPT_RESOLVE takes to connect to the address checked. Otherwise why
 * holds the address and its class ("127.0.0.1: loopback") or the reason.
 * NET_NO_ADDRESS (the name does not resolve now) may pass later.
 */
int net_check_url(const char *url, const struct net_allow *al, char *pin, size_t pin_len,
		  char *why, size_t why_len);

/*
 * The part of a why that reads the same in every language, for a message
 * of the catalogue to carry: "127.0.0.1 ∈ 127.0.0.0/8" for an address and
 * its class, the host alone for a name that does not resolve. The class's
 * English words stay in why, for the log and the delivery's record.
 */
void net_why_neutral(const char *why, char *out, size_t n);

#endif
