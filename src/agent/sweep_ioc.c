/*
 * sweep_ioc.c - indicator values: what kind a value is, its canonical form,
 * the hash sets and prefix tables the set keeps them in, and the lookups the
 * log tokenizer and the file scan make.
 *
 * Canonical forms (what a log token is turned into before it is looked up):
 *   ip       the address bytes and a prefix length (host bits cleared);
 *            shown as "a.b.c.d", "a.b.c.0/24", or inet_ntop's v6 form;
 *   domain   lower-case ASCII, no trailing dot, "*." dropped; Unicode names
 *            become punycode (libidn2, IDNA2008 with TR46 mapping);
 *   url      host[:port]/path?query, the scheme, user info, fragment and a
 *            default port (80, 443) dropped, the host as a domain: so
 *            "hxxp://Evil.COM:80/a" and "https://evil.com/a" are one URL;
 *   email    lower-case local part "@" domain;
 *   hashes   the raw digest (hex in either case);
 *   filename the base name, ASCII lower-cased (Windows names fold case).
 *
 * A value of a plain list (SWEEP_IOC_AUTO) is read as the importers read
 * one: ioc_list_value of src/domain/ioc.h ("kind:" prefix, or the kind
 * told from the value; defanged forms undone; a port dropped).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "sweep_int.h"
#include "../domain/ioc/ioc.h"
#include "../base/msg.h"
#include "../base/banned.h"

/* ---- memory for keys ---- */

#define POOL_BLOCK (64 * 1024)

struct pool_block {
	struct pool_block *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

void *pool_alloc(struct pool *p, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct pool_block *b = p->head;
	if (b == NULL || b->cap - b->used < n) {
		size_t cap = n > POOL_BLOCK ? n : POOL_BLOCK;
		b = malloc(sizeof(*b) + cap);
		if (b == NULL)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = p->head;
		p->head = b;
	}
	void *r = b->data + b->used;
	b->used += n;
	return r;
}

void pool_release(struct pool *p)
{
	while (p->head) {
		struct pool_block *b = p->head;
		p->head = b->next;
		free(b);
	}
}

/* ---- hash sets ---- */

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

/* FNV-1a over the bytes from the last to the first: the hash of every
 * suffix of a domain comes out of one pass (ioc_find_domain). */
uint64_t sweep_hash(const void *key, size_t n)
{
	const unsigned char *k = key;
	uint64_t h = FNV_OFFSET;
	while (n-- > 0)
		h = (h ^ k[n]) * FNV_PRIME;
	return h ? h : 1;
}

/* murmur3's finaliser: FNV's low bits are weak, the table uses them. */
static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static void filter_set(struct strset *t, uint64_t m)
{
	size_t bit = (size_t)(m >> 32) & (t->filter_bits - 1);
	t->filter[bit / 64] |= 1ULL << (bit % 64);
}

static int strset_grow(struct strset *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	size_t bits = cap * 4 < 4096 ? 4096 : cap * 4;  /* 8 bits a key at most half full */
	struct strset_entry *v = calloc(cap, sizeof(*v));
	uint64_t *f = calloc(bits / 64, sizeof(*f));
	if (v == NULL || f == NULL) {
		free(v);
		free(f);
		return -1;
	}
	struct strset nt = { v, cap, t->n, f, bits };
	for (size_t i = 0; i < t->cap; i++) {
		if (t->v[i].h == 0)
			continue;
		uint64_t m = mix(t->v[i].h);
		size_t j = (size_t)m & (cap - 1);
		while (v[j].h)
			j = (j + 1) & (cap - 1);
		v[j] = t->v[i];
		filter_set(&nt, m);
	}
	free(t->v);
	free(t->filter);
	*t = nt;
	return 0;
}

const struct strset_entry *strset_find(const struct strset *t, uint64_t h,
				       const void *key, size_t n)
{
	if (t->n == 0)
		return NULL;
	uint64_t m = mix(h);
	size_t bit = (size_t)(m >> 32) & (t->filter_bits - 1);
	if (!(t->filter[bit / 64] & (1ULL << (bit % 64))))
		return NULL;
	for (size_t j = (size_t)m & (t->cap - 1); t->v[j].h; j = (j + 1) & (t->cap - 1))
		if (t->v[j].h == h && t->v[j].len == n && memcmp(t->v[j].key, key, n) == 0)
			return &t->v[j];
	return NULL;
}

/* Adds key (copied) unless present; the first display of a key stays. */
int strset_add(struct strset *t, struct pool *p, const void *key, size_t n,
	       const char *display, size_t dn)
{
	uint64_t h = sweep_hash(key, n);
	if (strset_find(t, h, key, n))
		return 0;
	if ((t->n + 1) * 2 > t->cap && strset_grow(t) != 0)
		return -1;
	char *k = pool_alloc(p, n + 1);
	char *d = pool_alloc(p, dn + 1);
	if (k == NULL || d == NULL)
		return -1;
	memcpy(k, key, n);
	k[n] = '\0';
	memcpy(d, display, dn);
	d[dn] = '\0';
	uint64_t m = mix(h);
	size_t j = (size_t)m & (t->cap - 1);
	while (t->v[j].h)
		j = (j + 1) & (t->cap - 1);
	t->v[j] = (struct strset_entry){ h, k, (uint32_t)n, d };
	filter_set(t, m);
	t->n++;
	return 0;
}

void strset_release(struct strset *t)
{
	free(t->v);
	free(t->filter);
	memset(t, 0, sizeof(*t));
}

/* ---- small text helpers ---- */

static int lc(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hexval(int c)
{
	if (is_digit(c))
		return c - '0';
	c = lc(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void trim(const char **v, size_t *n)
{
	while (*n && (**v == ' ' || **v == '\t' || **v == '\r' || **v == '\n')) {
		(*v)++;
		(*n)--;
	}
	while (*n && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t' ||
		      (*v)[*n - 1] == '\r' || (*v)[*n - 1] == '\n'))
		(*n)--;
}

/* ---- domains ---- */

static size_t domain_check(char *d, size_t n)
{
	if (n == 0 || n > 253)
		return 0;
	size_t label = 0, labels = 1;
	int last_alpha = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)d[i];
		d[i] = (char)lc(c);
		c = (unsigned char)d[i];
		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			labels++;
			last_alpha = 0;
			continue;
		}
		if (!(is_alpha(c) || is_digit(c) || c == '-' || c == '_'))
			return 0;
		if (++label > 63)
			return 0;
		if (is_alpha(c) || c == '-')
			last_alpha = 1;
	}
	if (label == 0 || labels < 2 || !last_alpha)
		return 0;
	return n;
}

size_t ioc_domain(const char *v, size_t n, char *out, size_t cap)
{
	trim(&v, &n);
	if (n >= 2 && v[0] == '*' && v[1] == '.') {
		v += 2;
		n -= 2;
	}
	while (n && v[n - 1] == '.')
		n--;
	if (n == 0 || n >= cap || n > SWEEP_MAX_VALUE)
		return 0;
	int ascii = 1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] >= 0x80 || v[i] == '\0')
			ascii = 0;
	if (ascii) {
		memcpy(out, v, n);
		out[n] = '\0';
		return domain_check(out, n);
	}
	/* Unicode: the ASCII form a resolver would look up. */
	char tmp[SWEEP_MAX_VALUE + 1];
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	if (memchr(v, '\0', n))
		return 0;
	const char *why;
	char *a = ioc_idna_ascii(tmp, &why);
	if (a == NULL)
		return 0;
	size_t l = strlen(a);
	if (l >= cap) {
		idn2_free(a);
		return 0;
	}
	memcpy(out, a, l + 1);
	idn2_free(a);
	return domain_check(out, l);
}

/* ---- URLs ---- */

static int put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
	if (*o + n >= cap)
		return -1;
	memcpy(out + *o, s, n);
	*o += n;
	return 0;
}

size_t ioc_url_key(const char *v, size_t n, int idn, char *out, size_t cap)
{
	size_t i = 0, j = 0, o = 0;
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)v[k] <= ' ' || v[k] == 0x7f)
			return 0;   /* no URL holds a space or a control character */
	while (j < n && (is_alpha(v[j]) || is_digit(v[j]) || v[j] == '+' || v[j] == '-' ||
			 v[j] == '.'))
		j++;
	if (j > 0 && is_alpha(v[0]) && j + 2 < n && v[j] == ':' && v[j + 1] == '/' &&
	    v[j + 2] == '/')
		i = j + 3;
	size_t a = i;
	while (i < n && v[i] != '/' && v[i] != '?' && v[i] != '#' && v[i] != '\\')
		i++;
	size_t ae = i;
	for (size_t k = ae; k > a; k--)
		if (v[k - 1] == '@') {
			a = k;
			break;
		}
	size_t hs = a, he = a, ps = 0, pe = 0;
	if (hs < ae && v[hs] == '[') {
		const char *rb = memchr(v + hs, ']', ae - hs);
		if (rb == NULL)
			return 0;
		he = (size_t)(rb - v) + 1;
		if (he < ae && v[he] == ':') {
			ps = he + 1;
			pe = ae;
		} else if (he != ae) {
			return 0;
		}
	} else {
		while (he < ae && v[he] != ':')
			he++;
		if (he < ae) {
			ps = he + 1;
			pe = ae;
		}
	}
	while (he > hs && v[he - 1] == '.')
		he--;
	if (he == hs)
		return 0;
	for (size_t k = ps; k < pe; k++)
		if (!is_digit(v[k]))
			return 0;
	int ascii = 1;
	for (size_t k = hs; k < he; k++) {
		unsigned char c = (unsigned char)v[k];
		if (c >= 0x80)
			ascii = 0;
		else if (c <= ' ' || c == '"' || c == '<' || c == '>' || c == '\'')
			return 0;
	}
	if (!ascii && idn) {
		char d[256];
		size_t dl = ioc_domain(v + hs, he - hs, d, sizeof(d));
		if (dl == 0 || put(out, cap, &o, d, dl) != 0)
			return 0;
	} else {
		if (he - hs >= cap)
			return 0;
		for (size_t k = hs; k < he; k++)
			out[o++] = (char)lc((unsigned char)v[k]);
	}
	int default_port = (pe - ps == 2 && memcmp(v + ps, "80", 2) == 0) ||
			   (pe - ps == 3 && memcmp(v + ps, "443", 3) == 0);
	if (pe > ps && !default_port &&
	    (put(out, cap, &o, ":", 1) != 0 || put(out, cap, &o, v + ps, pe - ps) != 0))
		return 0;
	size_t pend = ae;
	while (pend < n && v[pend] != '#')
		pend++;
	/* The key always has a path: "/" when the URL has none, or when the
	 * host ends at a backslash (which browsers take for a slash). */
	if ((ae == pend || v[ae] == '?' || v[ae] == '\\') && put(out, cap, &o, "/", 1) != 0)
		return 0;
	if (put(out, cap, &o, v + ae, pend - ae) != 0)
		return 0;
	out[o] = '\0';
	return o;
}

/* ---- IPs ---- */

int ioc_ip4_parse(const unsigned char *t, size_t n, uint32_t *ip)
{
	uint32_t a = 0;
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		unsigned v = 0, d = 0;
		while (i < n && is_digit(t[i]) && d < 4) {
			v = v * 10 + (unsigned)(t[i] - '0');
			i++;
			d++;
		}
		if (d == 0 || d > 3 || v > 255)
			return -1;
		a = a << 8 | v;
		if (part < 3) {
			if (i >= n || t[i] != '.')
				return -1;
			i++;
		}
	}
	if (i != n)
		return -1;
	*ip = a;
	return 0;
}

static void ip4_key(uint32_t ip, int len, unsigned char k[5])
{
	uint32_t m = len == 0 ? 0 : 0xffffffffu << (32 - len);
	ip &= m;
	k[0] = (unsigned char)(ip >> 24);
	k[1] = (unsigned char)(ip >> 16);
	k[2] = (unsigned char)(ip >> 8);
	k[3] = (unsigned char)ip;
	k[4] = (unsigned char)len;
}

static void ip6_key(const unsigned char a[16], int len, unsigned char k[17])
{
	for (int i = 0; i < 16; i++) {
		int bits = len - i * 8;
		unsigned m = bits >= 8 ? 0xff : bits <= 0 ? 0 : (0xff << (8 - bits)) & 0xff;
		k[i] = (unsigned char)(a[i] & m);
	}
	k[16] = (unsigned char)len;
}

const struct strset_entry *ioc_find_ip4(const struct sweep_set *s, uint32_t ip)
{
	uint64_t lens = s->v4lens;
	while (lens) {
		int len = 63 - __builtin_clzll(lens);   /* longest prefix first */
		lens &= ~(1ULL << len);
		unsigned char k[5];
		ip4_key(ip, len, k);
		const struct strset_entry *en = strset_find(&s->set[SET_IP], sweep_hash(k, 5), k, 5);
		if (en)
			return en;
	}
	return NULL;
}

const struct strset_entry *ioc_find_ip6(const struct sweep_set *s,
					const unsigned char a[16])
{
	for (int w = 2; w >= 0; w--) {
		uint64_t lens = s->v6lens[w];
		while (lens) {
			int bit = 63 - __builtin_clzll(lens);
			lens &= ~(1ULL << bit);
			unsigned char k[17];
			ip6_key(a, w * 64 + bit, k);
			const struct strset_entry *en =
				strset_find(&s->set[SET_IP], sweep_hash(k, 17), k, 17);
			if (en)
				return en;
		}
	}
	/* ::ffff:a.b.c.d is the v4 address a.b.c.d. */
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (memcmp(a, mapped, 12) == 0)
		return ioc_find_ip4(s, (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 |
				       (uint32_t)a[14] << 8 | a[15]);
	return NULL;
}

const struct strset_entry *ioc_find_domain(const struct sweep_set *s,
					   const char *dom, size_t n)
{
	const struct strset *t = &s->set[SET_DOMAIN];
	const struct strset_entry *best = NULL;
	uint64_t h = FNV_OFFSET;
	for (size_t i = n; i-- > 0;) {
		h = (h ^ (unsigned char)dom[i]) * FNV_PRIME;
		if (i == 0 || dom[i - 1] == '.') {
			const struct strset_entry *en = strset_find(t, h ? h : 1, dom + i, n - i);
			if (en)
				best = en;
		}
	}
	return best;
}

/* An address with an optional /prefix; -1 when it is not one. */
static int ip_parse(const char *v, size_t n, int *fam, unsigned char a[16], int *len)
{
	char tmp[64];
	const char *slash = memchr(v, '/', n);
	size_t an = slash ? (size_t)(slash - v) : n;
	if (an == 0 || an >= sizeof(tmp))
		return -1;
	memcpy(tmp, v, an);
	tmp[an] = '\0';
	uint32_t ip4;
	if (ioc_ip4_parse((const unsigned char *)tmp, an, &ip4) == 0) {
		*fam = 4;
		a[0] = (unsigned char)(ip4 >> 24);
		a[1] = (unsigned char)(ip4 >> 16);
		a[2] = (unsigned char)(ip4 >> 8);
		a[3] = (unsigned char)ip4;
		*len = 32;
	} else if (memchr(tmp, ':', an) && inet_pton(AF_INET6, tmp, a) == 1) {
		*fam = 6;
		*len = 128;
	} else {
		return -1;
	}
	if (slash) {
		size_t ln = n - an - 1;
		int l = 0;
		if (ln == 0 || ln > 3)
			return -1;
		for (size_t i = 0; i < ln; i++) {
			if (!is_digit(slash[1 + i]))
				return -1;
			l = l * 10 + slash[1 + i] - '0';
		}
		if (l > *len)
			return -1;
		*len = l;
	}
	return 0;
}

static int add_ip(struct sweep_set *s, const char *v, size_t n, int dry)
{
	int fam, len;
	unsigned char a[16], k[17];
	if (ip_parse(v, n, &fam, a, &len) != 0)
		return -1;
	if (dry)
		return 0;
	char disp[INET6_ADDRSTRLEN + 8];
	if (fam == 4) {
		uint32_t ip = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
		ip4_key(ip, len, k);
		inet_ntop(AF_INET, k, disp, sizeof(disp));
		s->v4lens |= 1ULL << len;
	} else {
		ip6_key(a, len, k);
		inet_ntop(AF_INET6, k, disp, sizeof(disp));
		s->v6lens[len / 64] |= 1ULL << (len % 64);
	}
	size_t dl = strlen(disp);
	if (len != (fam == 4 ? 32 : 128))
		dl += (size_t)snprintf(disp + dl, sizeof(disp) - dl, "/%d", len);
	return strset_add(&s->set[SET_IP], &s->pool, k, fam == 4 ? 5 : 17, disp, dl) == 0 ? 0 : -2;
}

/* ---- kinds ---- */

int sweep_kind_of(int ioc_kind)
{
	static const int of[IOC__COUNT] = {
		[IOC_IPV4] = SWEEP_IOC_IP, [IOC_IPV6] = SWEEP_IOC_IP, [IOC_CIDR] = SWEEP_IOC_IP,
		[IOC_DOMAIN] = SWEEP_IOC_DOMAIN, [IOC_URL] = SWEEP_IOC_URL,
		[IOC_SHA256] = SWEEP_IOC_SHA256, [IOC_SHA1] = SWEEP_IOC_SHA1,
		[IOC_MD5] = SWEEP_IOC_MD5, [IOC_EMAIL] = SWEEP_IOC_EMAIL,
		[IOC_FILENAME] = SWEEP_IOC_FILENAME,
	};
	return ioc_kind >= 0 && ioc_kind < IOC__COUNT ? of[ioc_kind] : SWEEP_IOC_AUTO;
}

/* ---- adding ---- */

static int all_hex(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (hexval((unsigned char)v[i]) < 0)
			return 0;
	return 1;
}

static int add_hash(struct sweep_set *s, int set, size_t bytes, const char *v, size_t n,
		    int dry)
{
	unsigned char d[32];
	char hex[65];
	if (n != bytes * 2 || !all_hex(v, n))
		return -1;
	for (size_t i = 0; i < bytes; i++)
		d[i] = (unsigned char)(hexval((unsigned char)v[2 * i]) << 4 |
				       hexval((unsigned char)v[2 * i + 1]));
	for (size_t i = 0; i < n; i++)
		hex[i] = (char)lc((unsigned char)v[i]);
	if (dry)
		return 0;
	return strset_add(&s->set[set], &s->pool, d, bytes, hex, n) == 0 ? 0 : -2;
}

static int add_email(struct sweep_set *s, const char *v, size_t n, int dry)
{
	char key[SWEEP_MAX_VALUE + 300];
	const char *at = NULL;
	for (size_t i = 0; i < n; i++)
		if (v[i] == '@')
			at = v + i;
	if (at == NULL || at == v)
		return -1;
	size_t ll = (size_t)(at - v);
	if (ll > 64 * 4)
		return -1;
	for (size_t i = 0; i < ll; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == '(' || c == ')')
			return -1;
		key[i] = (char)lc(c);
	}
	key[ll] = '@';
	size_t dl = ioc_domain(at + 1, n - ll - 1, key + ll + 1, sizeof(key) - ll - 1);
	if (dl == 0)
		return -1;
	if (dry)
		return 0;
	return strset_add(&s->set[SET_EMAIL], &s->pool, key, ll + 1 + dl, key, ll + 1 + dl) == 0
		? 0 : -2;
}

static int add_filename(struct sweep_set *s, const char *v, size_t n, int dry)
{
	for (size_t i = n; i > 0; i--)
		if (v[i - 1] == '/' || v[i - 1] == '\\') {
			v += i;
			n -= i;
			break;
		}
	if (n == 0 || n > 255 || memchr(v, '\0', n))
		return -1;
	if (dry)
		return 0;
	char key[256];
	for (size_t i = 0; i < n; i++)
		key[i] = (char)lc((unsigned char)v[i]);
	return strset_add(&s->set[SET_FILENAME], &s->pool, key, n, v, n) == 0 ? 0 : -2;
}

static int add_kind(struct sweep_set *s, int ioc, const char *v, size_t n, int dry)
{
	char key[SWEEP_MAX_VALUE + 1];
	size_t kl, hl;
	switch (ioc) {
	case SWEEP_IOC_IP:
		return add_ip(s, v, n, dry);
	case SWEEP_IOC_DOMAIN:
		kl = ioc_domain(v, n, key, sizeof(key));
		if (kl == 0)
			return -1;
		return dry ? 0 : strset_add(&s->set[SET_DOMAIN], &s->pool, key, kl, key, kl) == 0
			? 0 : -2;
	case SWEEP_IOC_URL:
		kl = ioc_url_key(v, n, 1, key, sizeof(key));
		if (kl == 0)
			return -1;
		if (dry)
			return 0;
		{
			const char *slash = memchr(key, '/', kl);   /* the key has a path */
			hl = slash ? (size_t)(slash - key) : kl;
		}
		if (strset_add(&s->set[SET_URL_HOST], &s->pool, key, hl, key, hl) != 0)
			return -2;
		return strset_add(&s->set[SET_URL], &s->pool, key, kl, v, n) == 0 ? 0 : -2;
	case SWEEP_IOC_EMAIL:
		return add_email(s, v, n, dry);
	case SWEEP_IOC_MD5:
		return add_hash(s, SET_MD5, 16, v, n, dry);
	case SWEEP_IOC_SHA1:
		return add_hash(s, SET_SHA1, 20, v, n, dry);
	case SWEEP_IOC_SHA256:
		return add_hash(s, SET_SHA256, 32, v, n, dry);
	case SWEEP_IOC_FILENAME:
		return add_filename(s, v, n, dry);
	}
	return -1;
}

int ioc_add(struct sweep_set *s, int ioc, const char *v, size_t n, int dry,
	    const char *where, struct err *e)
{
	const char *v0 = v;
	size_t n0 = n;
	char line[SWEEP_MAX_VALUE + 1];
	trim(&v, &n);
	if (ioc == SWEEP_IOC_AUTO && n > 0 && n <= SWEEP_MAX_VALUE && !memchr(v, '\0', n)) {
		memcpy(line, v, n);
		line[n] = '\0';
		ioc = sweep_kind_of(ioc_list_value(line, &v));
		n = strlen(v);
	}
	int rc = -1;
	if (n > 0 && n <= SWEEP_MAX_VALUE && ioc != SWEEP_IOC_AUTO)
		rc = add_kind(s, ioc, v, n, dry);
	if (rc == 0)
		return 0;
	if (rc == -2)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	char arg[160];
	trim(&v0, &n0);
	size_t cut = n0 > 80 ? 80 : n0;
	while (cut < n0 && cut > 0 && ((unsigned char)v0[cut] & 0xC0) == 0x80)
		cut--;   /* not inside a UTF-8 character */
	/* Cut at the end when long: the position comes first and stays. */
	if (snprintf(arg, sizeof(arg), "%s%s\"%.*s%s\"", where ? where : "", where ? ": " : "",
		     (int)cut, v0, cut < n0 ? "…" : "") < 0)
		arg[0] = '\0';
	return err_set(e, E_INVALID, MSG_SWEEP_BAD_INDICATOR, arg);
}
