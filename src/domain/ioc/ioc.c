/*
 * ioc.c - the indicator model: kind names, the normal form of each kind of
 * value (refanging, IPv6 RFC 5952, CIDR masking, punycode), plain-list
 * classification, the TLP 2.0 sharing rule, deterministic UUIDv5 ids.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>
#include <openssl/evp.h>

#include "ioc.h"
#include "ioc_int.h"
#include "../../base/arena.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

/* ---- kinds ---- */

static const char *const kind_names[IOC__COUNT] = {
	[IOC_IPV4] = "ipv4", [IOC_IPV6] = "ipv6", [IOC_CIDR] = "cidr",
	[IOC_DOMAIN] = "domain", [IOC_URL] = "url", [IOC_SHA256] = "sha256",
	[IOC_SHA1] = "sha1", [IOC_MD5] = "md5", [IOC_EMAIL] = "email",
	[IOC_FILENAME] = "filename", [IOC_YARA] = "yara", [IOC_PATTERN] = "pattern",
};

/* Other names a type column may use: MISP attribute types and spellings
 * of hash names. IPv4/IPv6/CIDR are told apart by the value. */
static const struct {
	const char *name;
	int kind;
} kind_aliases[] = {
	{ "ip", IOC_IPV4 }, { "ip-dst", IOC_IPV4 }, { "ip-src", IOC_IPV4 },
	{ "ipv4-addr", IOC_IPV4 }, { "ipv6-addr", IOC_IPV6 },
	{ "hostname", IOC_DOMAIN }, { "domain-name", IOC_DOMAIN },
	{ "sha-256", IOC_SHA256 }, { "sha-1", IOC_SHA1 },
	{ "email-addr", IOC_EMAIL }, { "email-src", IOC_EMAIL }, { "email-dst", IOC_EMAIL },
	{ "email-reply-to", IOC_EMAIL }, { "file", IOC_FILENAME }, { "file-name", IOC_FILENAME },
	{ "fqdn", IOC_DOMAIN }, { "mailto", IOC_EMAIL },
	{ "stix2-pattern", IOC_PATTERN },
};

const char *ioc_kind_name(int kind)
{
	return kind >= 0 && kind < IOC__COUNT ? kind_names[kind] : NULL;
}

int ioc_kind_parse(const char *name)
{
	if (name == NULL)
		return -1;
	for (int k = 0; k < IOC__COUNT; k++)
		if (strcasecmp(name, kind_names[k]) == 0)
			return k;
	for (size_t i = 0; i < sizeof(kind_aliases) / sizeof(kind_aliases[0]); i++)
		if (strcasecmp(name, kind_aliases[i].name) == 0)
			return kind_aliases[i].kind;
	return -1;
}

/* ---- refanging ---- */

/* Defanged forms seen in reports and feeds, and what they stand for. */
static const struct {
	const char *from, *to;
} fangs[] = {
	{ "[.]", "." }, { "(.)", "." }, { "{.}", "." }, { "[dot]", "." }, { "(dot)", "." },
	{ "[:]", ":" }, { "[://]", "://" }, { "[@]", "@" }, { "[at]", "@" }, { "(at)", "@" },
};

/* One pass of refang (out may be s: nothing grows). */
static void refang_once(const char *s, size_t n, char *out)
{
	size_t o = 0, i = 0;
	if (n >= 4 && (strncasecmp(s, "hxxp", 4) == 0 || strncasecmp(s, "hXXp", 4) == 0)) {
		memcpy(out, "http", 4);
		o = i = 4;
	} else if (n >= 3 && strncasecmp(s, "fxp", 3) == 0) {
		memcpy(out, "ftp", 3);
		o = i = 3;
	}
	while (i < n) {
		size_t k = sizeof(fangs) / sizeof(fangs[0]);
		if (s[i] != '[' && s[i] != '(' && s[i] != '{') {   /* every defanged form starts so */
			out[o++] = s[i++];
			continue;
		}
		for (k = 0; k < sizeof(fangs) / sizeof(fangs[0]); k++) {
			size_t l = strlen(fangs[k].from);
			if (n - i >= l && strncasecmp(s + i, fangs[k].from, l) == 0) {
				size_t t = strlen(fangs[k].to);
				memcpy(out + o, fangs[k].to, t);
				o += t;
				i += l;
				break;
			}
		}
		if (k == sizeof(fangs) / sizeof(fangs[0]))
			out[o++] = s[i++];
	}
	out[o] = '\0';
}

/* Copies s (n bytes) into out (room for n + 1) with the defanged forms
 * undone ("hxxp" and "fxp" schemes become http and ftp), again until
 * nothing changes, so that the normal form of a normal form is itself
 * ("[[.]]" -> "[.]" -> "."). */
static void refang(const char *s, size_t n, char *out)
{
	size_t l;
	refang_once(s, n, out);
	do {
		l = strlen(out);
		refang_once(out, l, out);
	} while (strlen(out) != l);
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* s without the white space around it: *n gets its length. */
static const char *trim(const char *s, size_t *n)
{
	size_t l = strlen(s);
	while (l && is_space((unsigned char)*s)) {
		s++;
		l--;
	}
	while (l && is_space((unsigned char)s[l - 1]))
		l--;
	*n = l;
	return s;
}

static int has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int has_space_or_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* ---- addresses ---- */

/* "a.b.c.d" or "x::y", maybe with "/len". Writes the normal form into out
 * (IP_TEXT_MAX bytes) and its kind. 0 or -1. */
#define IP_TEXT_MAX (INET6_ADDRSTRLEN + 8)

static int parse_ip(const char *s, char *out, int *kind, const char **why)
{
	char addr[INET6_ADDRSTRLEN + 1];
	unsigned char b[16];
	const char *slash = strchr(s, '/');
	size_t al = slash ? (size_t)(slash - s) : strlen(s);
	if (al == 0 || al >= sizeof(addr)) {
		*why = "not an IP address";
		return -1;
	}
	memcpy(addr, s, al);
	addr[al] = '\0';
	int v6 = strchr(addr, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, b) != 1) {
		*why = v6 ? "not an IPv6 address" : "not an IPv4 address";
		return -1;
	}
	int bits = v6 ? 128 : 32;
	int len = bits;
	if (slash) {
		const char *p = slash + 1;
		if (*p == '\0' || strlen(p) > 3 || (p[0] == '0' && p[1] != '\0')) {
			*why = "bad network prefix length";
			return -1;
		}
		len = 0;
		for (; *p; p++) {
			if (!isdigit((unsigned char)*p)) {
				*why = "bad network prefix length";
				return -1;
			}
			len = len * 10 + (*p - '0');
		}
		if (len > bits) {
			*why = "network prefix longer than the address";
			return -1;
		}
	}
	for (int i = len; i < bits; i++)        /* the network address */
		b[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
	char text[INET6_ADDRSTRLEN];
	inet_ntop(v6 ? AF_INET6 : AF_INET, b, text, sizeof(text));
	if (len < bits) {
		snprintf(out, IP_TEXT_MAX, "%s/%u", text, (unsigned)len);
		*kind = IOC_CIDR;
	} else {
		snprintf(out, IP_TEXT_MAX, "%s", text);
		*kind = v6 ? IOC_IPV6 : IOC_IPV4;
	}
	return 0;
}

/* ---- domains ---- */

/* One ASCII label (l bytes at s) into out, lower case. 0 or -1. */
static int domain_label(const char *s, size_t l, char *out, size_t m, const char **why)
{
	if (l == 0) {
		*why = "empty label in a domain name";
		return -1;
	}
	if (l > 63 || l + 1 > m) {
		*why = "domain label over 63 bytes";
		return -1;
	}
	for (size_t i = 0; i < l; i++) {
		int c = tolower((unsigned char)s[i]);
		if (!isalnum(c) && c != '-' && c != '_') {
			*why = "character not allowed in a domain name";
			return -1;
		}
		out[i] = (char)c;
	}
	out[l] = '\0';
	return 0;
}

/* A Unicode name into its ASCII form as a resolver looks it up: IDNA2008
 * with the TR46 mapping (libidn2, the same as the sweep), so that
 * "MÜNCHEN.example" and "münchen.example" are both xn--mnchen-3ya.example.
 * Malloc'd by libidn2 (idn2_free), NULL with why when not a name. */
char *ioc_idna_ascii(const char *s, const char **why)
{
	char *a = NULL;
	int rc = idn2_to_ascii_8z(s, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK) {
		idn2_free(a);
		a = NULL;
		rc = idn2_to_ascii_8z(s, &a, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
	}
	if (rc != IDN2_OK) {
		idn2_free(a);
		*why = rc == IDN2_ENCODING_ERROR ? "bad UTF-8 in a domain name"
						 : "not a valid internationalised domain name";
		return NULL;
	}
	return a;
}

/* An ASCII domain name into out (m bytes). */
static int parse_ascii_domain(const char *s, char *out, size_t m, const char **why)
{
	size_t l = strlen(s), o = 0, labels = 0;
	if (l && s[l - 1] == '.')
		l--;                          /* the root */
	if (l == 0) {
		*why = "empty domain name";
		return -1;
	}
	const char *last = NULL;
	for (size_t i = 0; i <= l;) {
		const char *dot = memchr(s + i, '.', l - i);
		size_t end = dot ? (size_t)(dot - s) : l;
		char lab[64];
		if (domain_label(s + i, end - i, lab, sizeof(lab), why) != 0)
			return -1;
		size_t ll = strlen(lab);
		if (o + ll + 2 > m || o + ll > 253) {
			*why = "domain name over 253 bytes";
			return -1;
		}
		if (labels++)
			out[o++] = '.';
		last = out + o;
		memcpy(out + o, lab, ll + 1);
		o += ll;
		i = end + 1;
	}
	if (labels < 2) {
		*why = "a domain name needs a dot";
		return -1;
	}
	int digits = 1;
	for (const char *p = last; *p; p++)
		if (!isdigit((unsigned char)*p))
			digits = 0;
	if (digits) {
		*why = "top-level domain is a number (an IP address?)";
		return -1;
	}
	return 0;
}

/* A domain name (already refanged) into out (m bytes); Unicode through
 * libidn2. */
static int parse_domain(const char *s, char *out, size_t m, const char **why)
{
	char *idn = NULL;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p >= 0x80) {
			if ((idn = ioc_idna_ascii(s, why)) == NULL)
				return -1;
			s = idn;
			break;
		}
	int rc = parse_ascii_domain(s, out, m, why);
	idn2_free(idn);
	return rc;
}

/* ---- URLs, e-mail ---- */

static int parse_url(char *s, const char **why)
{
	size_t i = 0;
	if (!isalpha((unsigned char)s[0])) {
		*why = "a URL needs its scheme (http://...)";
		return -1;
	}
	while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
		i++;
	if (strncmp(s + i, "://", 3) != 0) {
		*why = "a URL needs its scheme (http://...)";
		return -1;
	}
	if (has_space_or_ctl(s)) {
		*why = "white space or control character in a URL";
		return -1;
	}
	for (size_t k = 0; k < i; k++)
		s[k] = (char)tolower((unsigned char)s[k]);
	char *host = s + i + 3;
	size_t hl = strcspn(host, "/?#");
	if (hl == 0) {
		*why = "URL without a host";
		return -1;
	}
	/* The host, after any user info, is case-insensitive. */
	char *at = memchr(host, '@', hl);
	char *h = at ? at + 1 : host;
	for (; h < host + hl; h++)
		*h = (char)tolower((unsigned char)*h);
	return 0;
}

static int parse_email(const char *s, char *out, size_t m, const char **why)
{
	const char *at = strrchr(s, '@');
	if (at == NULL || at == s || has_space_or_ctl(s) || memchr(s, '@', (size_t)(at - s))) {
		*why = "not an e-mail address";
		return -1;
	}
	size_t ll = (size_t)(at - s);
	if (ll > 64 || ll + 2 > m) {
		*why = "e-mail local part over 64 bytes";
		return -1;
	}
	memcpy(out, s, ll);
	out[ll] = '@';
	out[ll + 1] = '\0';
	lower(out);
	return parse_domain(at + 1, out + ll + 1, m - ll - 1, why);
}

static int is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* A YARA rule: "rule NAME" somewhere, and braces. Full checking is
 * libyara's, where rules are compiled. */
static int looks_like_yara(const char *s)
{
	for (const char *p = strstr(s, "rule"); p; p = strstr(p + 4, "rule")) {
		if (p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		const char *q = p + 4;
		if (!is_space((unsigned char)*q))
			continue;
		while (is_space((unsigned char)*q))
			q++;
		if ((isalpha((unsigned char)*q) || *q == '_') && strchr(q, '{') && strchr(q, '}'))
			return 1;
	}
	return 0;
}

/* ---- the normal form ---- */

const char *ioc_normalise(struct arena *a, int *kind, const char *value, const char **why)
{
	const char *unused;
	size_t n;
	if (why == NULL)
		why = &unused;
	if (value == NULL || kind == NULL || *kind < 0 || *kind >= IOC__COUNT) {
		*why = "no value";
		return NULL;
	}
	const char *s = trim(value, &n);
	if (n == 0) {
		*why = "empty value";
		return NULL;
	}
	if (*kind == IOC_YARA || *kind == IOC_PATTERN) {
		if (n > IOC_MAX_TEXT) {
			*why = "longer than 64 KiB";
			return NULL;
		}
		if (*kind == IOC_YARA && !looks_like_yara(s)) {
			*why = "not a YARA rule (rule NAME { ... })";
			return NULL;
		}
		return arena_strndup(a, s, n);
	}
	if (n > IOC_MAX_VALUE) {
		*why = "longer than 8 KiB";
		return NULL;
	}
	/* Room for refanging (never longer), punycode (a label grows to at
	 * most 63 bytes + the dot) and the final NUL. */
	size_t m = n * 8 + IP_TEXT_MAX;
	char *buf = arena_alloc(a, n + 1), *out = arena_alloc(a, m);
	if (buf == NULL || out == NULL) {
		*why = "out of memory";
		return NULL;
	}
	if (*kind == IOC_FILENAME || *kind == IOC_SHA256 || *kind == IOC_SHA1 ||
	    *kind == IOC_MD5) {
		memcpy(buf, s, n);
		buf[n] = '\0';
	} else {
		refang(s, n, buf);
	}
	switch (*kind) {
	case IOC_IPV4: case IOC_IPV6: case IOC_CIDR: {
		int want = *kind;
		if (parse_ip(buf, out, kind, why) != 0)
			return NULL;
		if ((want == IOC_IPV4 && strchr(out, ':')) ||
		    (want == IOC_IPV6 && strchr(out, ':') == NULL)) {
			*why = want == IOC_IPV4 ? "not an IPv4 address" : "not an IPv6 address";
			return NULL;
		}
		return out;
	}
	case IOC_DOMAIN:
		return parse_domain(buf, out, m, why) == 0 ? out : NULL;
	case IOC_URL:
		return parse_url(buf, why) == 0 ? buf : NULL;
	case IOC_EMAIL:
		return parse_email(buf, out, m, why) == 0 ? out : NULL;
	case IOC_SHA256: case IOC_SHA1: case IOC_MD5: {
		size_t want = *kind == IOC_SHA256 ? 64 : *kind == IOC_SHA1 ? 40 : 32;
		if (!is_hex(buf, want)) {
			*why = *kind == IOC_SHA256 ? "not a SHA-256 (64 hex digits)" :
			       *kind == IOC_SHA1 ? "not a SHA-1 (40 hex digits)" :
						   "not an MD5 (32 hex digits)";
			return NULL;
		}
		lower(buf);
		return buf;
	}
	default: /* IOC_FILENAME */
		if (has_ctl(buf)) {
			*why = "control character in a file name";
			return NULL;
		}
		return buf;
	}
}

/* ---- plain lists ---- */

/* File extensions that no top-level domain uses (so "invoice.zip" and
 * "run.sh", which are real TLDs, stay domains). */
static const char *const file_exts[] = {
	"exe", "dll", "scr", "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf",
	"wsh", "hta", "lnk", "msi", "msp", "jar", "doc", "docx", "docm", "dot", "dotm", "xls",
	"xlsx", "xlsm", "xlsb", "ppt", "pptx", "pptm", "pdf", "rtf", "rar", "7z", "gz", "tgz",
	"tar", "iso", "img", "vhd", "vhdx", "sys", "drv", "ocx", "cpl", "elf", "apk", "dmg",
	"pkg", "deb", "rpm", "bin", "dat", "tmp", "txt", "log", "htm", "html", "php", "asp",
	"aspx", "jsp", "iqy", "chm", "url", "inf", "reg",
};

static int has_file_ext(const char *s)
{
	const char *dot = strrchr(s, '.');
	if (dot == NULL || dot == s || strchr(dot, '/'))
		return 0;
	for (size_t i = 0; i < sizeof(file_exts) / sizeof(file_exts[0]); i++)
		if (strcasecmp(dot + 1, file_exts[i]) == 0)
			return 1;
	return 0;
}

/* "name.ext" with a short alphanumeric extension and no path. */
static int looks_like_file(const char *s)
{
	const char *dot = strrchr(s, '.');
	if (dot == NULL || dot == s || strchr(s, '/') || has_ctl(s))
		return 0;
	size_t l = strlen(dot + 1);
	int alpha = 0;
	if (l == 0 || l > 8)
		return 0;
	for (const char *p = dot + 1; *p; p++) {
		if (!isalnum((unsigned char)*p))
			return 0;
		alpha |= isalpha((unsigned char)*p) != 0;
	}
	return alpha;
}

/* A bare name (no scheme, '@' or path): a file name when it ends in a
 * known file extension, a domain when it is a host name, else a file name
 * when it looks like one; -1: neither. out: m bytes of scratch. */
static int name_kind(const char *s, char *out, size_t m)
{
	const char *why;
	if (has_file_ext(s))
		return IOC_FILENAME;
	if (parse_domain(s, out, m, &why) == 0)
		return IOC_DOMAIN;
	return looks_like_file(s) ? IOC_FILENAME : -1;
}

int ioc_classify(const char *value)
{
	size_t n;
	if (value == NULL)
		return -1;
	const char *s = trim(value, &n);
	if (n == 0 || n > IOC_MAX_VALUE)
		return -1;
	size_t m = n * 8 + IP_TEXT_MAX;
	char *buf = malloc(n + 1), *out = malloc(m);
	int kind = -1;
	const char *why;
	if (buf == NULL || out == NULL)
		goto out;
	refang(s, n, buf);
	if (strstr(buf, "://")) {
		if (parse_url(buf, &why) == 0)
			kind = IOC_URL;
		goto out;
	}
	if (parse_ip(buf, out, &kind, &why) == 0)
		goto out;
	kind = -1;
	if (is_hex(buf, 64) || is_hex(buf, 40) || is_hex(buf, 32)) {
		kind = n == 64 ? IOC_SHA256 : n == 40 ? IOC_SHA1 : IOC_MD5;
		goto out;
	}
	if (strchr(buf, '@')) {
		if (parse_email(buf, out, m, &why) == 0)
			kind = IOC_EMAIL;
		goto out;
	}
	kind = name_kind(buf, out, m);
out:
	free(buf);
	free(out);
	return kind;
}

/* ---- plain lists ---- */

static int is_ip_kind(int kind)
{
	return kind == IOC_IPV4 || kind == IOC_IPV6 || kind == IOC_CIDR;
}

/* A "kind:" before the value (not a URL's scheme: "file://x" is a URL):
 * the kind, *s moved past it. -1: none. */
static int list_prefix(char **s)
{
	char name[16];
	const char *colon = strchr(*s, ':');
	size_t l = colon ? (size_t)(colon - *s) : 0;
	if (l == 0 || l >= sizeof(name) || strncmp(colon, "://", 3) == 0)
		return -1;
	memcpy(name, *s, l);
	name[l] = '\0';
	int kind = ioc_kind_parse(name);
	if (kind < 0 || kind == IOC_YARA || kind == IOC_PATTERN)
		return -1;
	*s += l + 1;
	while (is_space((unsigned char)**s))
		(*s)++;
	return kind;
}

/* "192.0.2.1:8080", "evil.example:443": the port dropped (in place). */
static void list_strip_port(char *s, char *tmp, size_t m)
{
	char *colon = strchr(s, ':');
	const char *why;
	int kind;
	if (colon == NULL || colon == s || strchr(colon + 1, ':'))
		return;   /* none, or IPv6 */
	size_t pl = strlen(colon + 1);
	if (pl == 0 || pl > 5 || strspn(colon + 1, "0123456789") != pl)
		return;
	*colon = '\0';
	if ((parse_ip(s, tmp, &kind, &why) == 0 && kind == IOC_IPV4) ||
	    parse_domain(s, tmp, m, &why) == 0)
		return;
	*colon = ':';
}

/* An address with a prefix that is no length ("10.0.0.0/33", "::/x"):
 * a bad network, whose normal form says so, not a URL. */
static int bad_network(const char *s)
{
	const char *slash = strchr(s, '/');
	if (slash == NULL || slash == s || strspn(s, "0123456789abcdefABCDEF:.") != (size_t)(slash - s))
		return 0;
	return slash[1] != '\0' && strspn(slash + 1, "0123456789") == strlen(slash + 1);
}

int ioc_list_value(char *s, const char **value)
{
	size_t n = strlen(s);
	refang(s, n, s);
	int kind = list_prefix(&s);
	if ((kind < 0 || kind == IOC_DOMAIN) && s[0] == '*' && s[1] == '.')
		s += 2;   /* "*.evil.example": the domain and below */
	*value = s;
	n = strlen(s);
	if (n == 0 || n > IOC_MAX_VALUE)
		return -1;
	size_t m = n * 8 + IP_TEXT_MAX;
	char *tmp = malloc(m);
	const char *why;
	if (tmp == NULL)
		return -1;
	if (kind >= 0) {
		int k = kind;   /* "ip:" and the like: the value tells v4, v6 or a network */
		if (is_ip_kind(kind) && parse_ip(s, tmp, &k, &why) == 0)
			kind = k;
		goto out;
	}
	list_strip_port(s, tmp, m);
	n = strlen(s);
	if ((n == 32 || n == 40 || n == 64) && is_hex(s, n))
		kind = n == 32 ? IOC_MD5 : n == 40 ? IOC_SHA1 : IOC_SHA256;
	else if (parse_ip(s, tmp, &kind, &why) == 0)
		goto out;   /* kind: v4, v6 or a network */
	else if (bad_network(s))
		kind = IOC_CIDR;
	else if (strstr(s, "://"))
		kind = IOC_URL;
	else if (strchr(s, '@'))
		kind = IOC_EMAIL;
	else if (s[0] == '/' || strchr(s, '\\'))
		kind = IOC_FILENAME;
	else if (strchr(s, '/')) {   /* "host/path": a URL without its scheme */
		char *slash = strchr(s, '/');
		int k;
		*slash = '\0';
		kind = (parse_ip(s, tmp, &k, &why) == 0 && k == IOC_IPV4) ||
		       parse_domain(s, tmp, m, &why) == 0 ? IOC_URL : -1;
		*slash = '/';
	} else
		kind = name_kind(s, tmp, m);
out:
	free(tmp);
	if (kind == IOC_FILENAME) {   /* the name at the end of a path */
		for (const char *p = s; *p; p++)
			if ((*p == '/' || *p == '\\') && p[1])
				*value = p + 1;
	}
	return kind;
}

int ioc_active(const struct ioc *i, int64_t now)
{
	if (i == NULL || !i->to_ids || i->kind == IOC_PATTERN || i->kind < 0 ||
	    i->kind >= IOC__COUNT)
		return 0;
	if (i->valid_from && now < i->valid_from)
		return 0;
	return i->valid_until == 0 || now < i->valid_until;
}

/* ---- TLP ---- */

static const char *const tlp_names[TLP__COUNT] = {
	[TLP_CLEAR] = "CLEAR", [TLP_GREEN] = "GREEN", [TLP_AMBER] = "AMBER",
	[TLP_AMBER_STRICT] = "AMBER+STRICT", [TLP_RED] = "RED",
};

int tlp_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strncasecmp(s, "tlp:", 4) == 0)
		s += 4;
	if (strcasecmp(s, "white") == 0)
		return TLP_CLEAR;
	for (int t = TLP_CLEAR; t < TLP__COUNT; t++)
		if (strcasecmp(s, tlp_names[t]) == 0)
			return t;
	return -1;
}

const char *tlp_name(int tlp)
{
	return tlp > TLP_NONE && tlp < TLP__COUNT ? tlp_names[tlp] : NULL;
}

int tlp_stricter(int a, int b)
{
	return a > b ? a : b;
}

static int same_org(const char *a, const char *b)
{
	return a && b && *a && strcmp(a, b) == 0;
}

/* The rule of tlp_may_share, with whether the recipient is named. */
static int tlp_rule(int tlp, const char *owner, const char *recipient, int named)
{
	if (recipient && *recipient == '\0')
		recipient = NULL;
	switch (tlp) {
	case TLP_CLEAR:
		return 1;
	case TLP_GREEN:
		return recipient != NULL;
	case TLP_AMBER:
		return recipient != NULL && (same_org(owner, recipient) || named);
	case TLP_AMBER_STRICT:
		return same_org(owner, recipient);
	default:                              /* RED, none, unknown */
		return 0;
	}
}

int tlp_may_share(const char *label, const char *owner_org, const char *recipient_org,
		  const char *const *named_orgs)
{
	int named = 0;
	for (size_t i = 0; named_orgs && named_orgs[i]; i++)
		if (same_org(named_orgs[i], recipient_org))
			named = 1;
	return tlp_rule(tlp_parse(label), owner_org, recipient_org, named);
}

int ioc_may_share(const struct ioc *i, const char *recipient_org)
{
	int named = 0;
	for (size_t k = 0; k < i->nshare_with; k++)
		if (same_org(i->share_with[k], recipient_org))
			named = 1;
	return tlp_rule(i->tlp, i->org, recipient_org, named);
}

/* ---- ids ---- */

/* ungcuu's UUIDv5 namespace for indicators (a random UUID, fixed forever:
 * changing it changes every id we have exported). */
static const unsigned char ns_ungcuu[16] = {
	0xff, 0xfc, 0x5f, 0xce, 0x6f, 0xe7, 0x49, 0x2a,
	0x96, 0xe3, 0x09, 0xc3, 0x53, 0x0f, 0x29, 0x4e,
};

char *ioc_uuid5(const char *name, size_t n, char out[IOC_UUID_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(c, ns_ungcuu, sizeof(ns_ungcuu)) != 1 ||
	    EVP_DigestUpdate(c, name, n) != 1 || EVP_DigestFinal_ex(c, md, &len) != 1 ||
	    len < 16) {
		EVP_MD_CTX_free(c);
		out[0] = '\0';
		return NULL;
	}
	EVP_MD_CTX_free(c);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);  /* version 5 */
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);  /* RFC 4122 variant */
	snprintf(out, IOC_UUID_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9],
		 md[10], md[11], md[12], md[13], md[14], md[15]);
	return out;
}

char *ioc_uuid(const struct ioc *i, char out[IOC_UUID_LEN])
{
	const char *kind = ioc_kind_name(i->kind);
	const char *pt = i->kind == IOC_PATTERN && i->pattern_type ? i->pattern_type : "";
	const char *v = i->value ? i->value : "";
	size_t kl = strlen(kind ? kind : ""), pl = strlen(pt), vl = strlen(v);
	char *name = malloc(kl + pl + vl + 3);
	if (name == NULL) {
		out[0] = '\0';
		return NULL;
	}
	size_t o = 0;
	memcpy(name, kind ? kind : "", kl);
	o = kl;
	name[o++] = ':';
	if (i->kind == IOC_PATTERN) {
		memcpy(name + o, pt, pl);
		o += pl;
		name[o++] = ':';
	}
	memcpy(name + o, v, vl);
	o += vl;
	char *r = ioc_uuid5(name, o, out);
	free(name);
	return r;
}

/* ---- MISP galaxies ---- */

/* misp-galaxy:TYPE="NAME" tags name a galaxy cluster; these galaxy types
 * are kinds of STIX objects an indicator can point at. The first entry of
 * each STIX type is what the exporter writes. */
static const struct {
	const char *galaxy, *stix;
} galaxies[] = {
	{ "mitre-malware", "malware" }, { "malpedia", "malware" }, { "banker", "malware" },
	{ "ransomware", "malware" }, { "rat", "malware" }, { "botnet", "malware" },
	{ "backdoor", "malware" }, { "stealer", "malware" }, { "android", "malware" },
	{ "exploit-kit", "malware" },
	{ "mitre-tool", "tool" }, { "tool", "tool" },
	{ "threat-actor", "threat-actor" },
	{ "mitre-intrusion-set", "intrusion-set" },
	{ "mitre-attack-pattern", "attack-pattern" },
	{ "campaign", "campaign" }, { "infrastructure", "infrastructure" },
};

const char *ioc_galaxy_to_stix(const char *galaxy)
{
	for (size_t i = 0; i < sizeof(galaxies) / sizeof(galaxies[0]); i++)
		if (strcmp(galaxy, galaxies[i].galaxy) == 0)
			return galaxies[i].stix;
	return NULL;
}

const char *ioc_stix_to_galaxy(const char *stix_type)
{
	for (size_t i = 0; i < sizeof(galaxies) / sizeof(galaxies[0]); i++)
		if (strcmp(stix_type, galaxies[i].stix) == 0)
			return galaxies[i].galaxy;
	return NULL;
}
