/*
 * sweep_log.c - text logs: which files are logs (by name), the tokenizer
 * that finds IPs, domains, URLs and e-mail addresses in a line, and the
 * streaming reader that cuts a file (plain or gzip) into lines.
 *
 * The tokenizer makes one pass over a line with a class table: a token is a
 * run of [A-Za-z0-9._+:@-]; tokens with no dot, colon or at sign (most
 * words, numbers, times split by colons) cost nothing more. A token is then
 *   - an IPv6 address when inet_pton says so (hex digits and colons, with
 *     "::" or seven colons; "[::1]:443" and "fe80::1%eth0" come apart at
 *     the brackets and the percent sign);
 *   - otherwise cut at its colons ("1.2.3.4:80", "host:443", "mailto:x")
 *     and each piece, stripped of dots, dashes, underscores and plus signs
 *     at its ends, is an e-mail address (it has an @; its domain is then
 *     also looked up), an IPv4 address (digits and three dots), or a name
 *     looked up with every parent domain ("a.b.evil.com" hits "evil.com").
 * A "scheme://" starts a URL, which runs to the next space, quote, angle
 * bracket, backquote or backslash. Bytes >= 0x80 separate tokens: a Unicode
 * domain in a log is not converted to punycode (sweep.h).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "sweep_int.h"
#include "../base/banned.h"

void sweep_classes(unsigned char cls[256], unsigned char lower[256])
{
	for (int c = 0; c < 256; c++) {
		lower[c] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		int l = lower[c];
		if (l >= 'a' && l <= 'z')
			cls[c] = K_TOK | K_ALPHA | (l > 'f' ? K_NONHEX : 0);
		else if (c >= '0' && c <= '9')
			cls[c] = K_TOK;
		else if (c == '.')
			cls[c] = K_TOK | K_DOT | K_EDGE;
		else if (c == '-' || c == '_' || c == '+')
			cls[c] = K_TOK | K_EDGE;
		else if (c == ':')
			cls[c] = K_TOK | K_COLON | K_EDGE;
		else if (c == '@')
			cls[c] = K_TOK | K_AT;
		else
			cls[c] = 0;
	}
}

/* ---- one line ---- */

#define LINE_SEEN 16

struct line {
	const struct sweep_set *s;
	long lineno;
	sweep_hit_fn fn;
	void *ctx;
	size_t nhits;
	size_t nseen;
	struct {
		int kind;
		const char *indicator;
	} seen[LINE_SEEN];
	int ip4, ip6, dom, url, mail;   /* the set has such indicators */
};

/* Reports a hit once per line (the same domain twice on a line is one hit). */
static void hit(struct line *l, int kind, const struct strset_entry *en, const char *match)
{
	for (size_t i = 0; i < l->nseen; i++)
		if (l->seen[i].kind == kind && l->seen[i].indicator == en->display)
			return;
	if (l->nseen < LINE_SEEN) {
		l->seen[l->nseen].kind = kind;
		l->seen[l->nseen].indicator = en->display;
		l->nseen++;
	}
	struct sweep_hit h = { kind, en->display, match, l->lineno, NULL };
	l->fn(l->ctx, &h);
	l->nhits++;
}

static void domain(struct line *l, const unsigned char *t, size_t n)
{
	if (n > 253) { /* keep the last labels that fit a name */
		size_t k = n - 253;
		while (k < n && t[k - 1] != '.')
			k++;
		t += k;
		n -= k;
		if (n == 0)
			return;
	}
	char d[256];
	for (size_t i = 0; i < n; i++)
		d[i] = (char)l->s->lower[t[i]];
	const struct strset_entry *en = ioc_find_domain(l->s, d, n);
	if (en) {
		d[n] = '\0';
		hit(l, SWEEP_DOMAIN, en, d);
	}
}

static void email(struct line *l, const unsigned char *t, size_t n, size_t at)
{
	if (at == 0 || at + 1 >= n || n > 320)
		return;
	char k[321];
	for (size_t i = 0; i < n; i++)
		k[i] = (char)l->s->lower[t[i]];
	const struct strset_entry *en =
		strset_find(&l->s->set[SET_EMAIL], sweep_hash(k, n), k, n);
	if (en) {
		k[n] = '\0';
		hit(l, SWEEP_EMAIL, en, k);
	}
}

static size_t strip(const unsigned char *cls, const unsigned char **t, size_t n)
{
	while (n && (cls[**t] & K_EDGE)) {
		(*t)++;
		n--;
	}
	while (n && (cls[(*t)[n - 1]] & K_EDGE))
		n--;
	return n;
}

/* A piece of a token with no colon. */
static void piece(struct line *l, const unsigned char *t, size_t n)
{
	const unsigned char *cls = l->s->cls;
	n = strip(cls, &t, n);
	if (n < 3)
		return;
	const unsigned char *at = memchr(t, '@', n);
	if (at) {
		const unsigned char *last = at;
		while ((at = memchr(last + 1, '@', n - (size_t)(last + 1 - t))) != NULL)
			last = at;
		if (l->mail)
			email(l, t, n, (size_t)(last - t));
		size_t off = (size_t)(last + 1 - t);
		t += off;
		n = strip(cls, &t, n - off);
		if (n < 3)
			return;
	}
	unsigned f = 0;
	for (size_t i = 0; i < n; i++)
		f |= cls[t[i]];
	if (!(f & K_DOT))
		return;
	if (!(f & K_ALPHA)) {
		uint32_t ip;
		const struct strset_entry *en;
		if (l->ip4 && ioc_ip4_parse(t, n, &ip) == 0 && (en = ioc_find_ip4(l->s, ip))) {
			char m[16];
			memcpy(m, t, n);
			m[n] = '\0';
			hit(l, SWEEP_IP, en, m);
		}
		return;
	}
	if (l->dom)
		domain(l, t, n);
}

/* 1 when t is an IPv6 address (looked up), 0 when it is not one. */
static int ip6(struct line *l, const unsigned char *t, size_t n)
{
	while (n && t[n - 1] == '.')
		n--;
	if (n < 2 || n > 45)
		return 0;
	size_t colons = 0;
	int dbl = 0, dot = 0;
	for (size_t i = 0; i < n; i++) {
		if (t[i] == ':') {
			if (dot)
				return 0;  /* a dotted quad only ends an address */
			colons++;
			if (i + 1 < n && t[i + 1] == ':')
				dbl = 1;
		} else if (t[i] == '.') {
			dot = 1;
		}
	}
	if (colons < 2 || colons > 7 || (!dbl && colons != 7 && !(dot && colons == 6)))
		return 0;
	char z[46];
	unsigned char a[16];
	memcpy(z, t, n);
	z[n] = '\0';
	if (inet_pton(AF_INET6, z, a) != 1)
		return 0;
	const struct strset_entry *en = ioc_find_ip6(l->s, a);
	if (en)
		hit(l, SWEEP_IP, en, z);
	return 1;
}

static void token(struct line *l, const unsigned char *t, size_t n, unsigned f)
{
	if (f & K_COLON) {
		if (!(f & (K_NONHEX | K_AT)) && (l->ip6 || l->ip4) && ip6(l, t, n))
			return;
		size_t b = 0;
		for (size_t i = 0; i <= n; i++)
			if (i == n || t[i] == ':') {
				if (i > b + 2)
					piece(l, t + b, i - b);
				b = i + 1;
			}
		return;
	}
	piece(l, t, n);
}

static int url_end(unsigned char c)
{
	return c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' ||
	       c == '\\' || c == 0x7f;
}

/* p[b..e) is a token ending with ':' and "//" follows: a URL. */
static void url(struct line *l, const unsigned char *p, size_t n, size_t b, size_t e)
{
	size_t ss = e - 1;
	while (ss > b && ((l->s->cls[p[ss - 1]] & K_ALPHA) ||
			  (p[ss - 1] >= '0' && p[ss - 1] <= '9') || p[ss - 1] == '+' ||
			  p[ss - 1] == '-' || p[ss - 1] == '.'))
		ss--;
	while (ss < e - 1 && !(l->s->cls[p[ss]] & K_ALPHA))
		ss++;
	if (ss >= e - 1)
		return;
	/* Most URLs in a log are of hosts the set has no URL of: look the
	 * host up before going further. */
	size_t ae = e + 2;
	while (ae < n && !url_end(p[ae]) && p[ae] != '/' && p[ae] != '?' && p[ae] != '#')
		ae++;
	size_t he = ae;   /* "see http://evil.com," */
	while ((ae == n || url_end(p[ae])) && he > e + 2 &&
	       (p[he - 1] == '.' || p[he - 1] == ',' || p[he - 1] == ';'))
		he--;
	if (he - ss > 300)
		return;
	char key[SWEEP_MAX_VALUE + 1];
	size_t kl = ioc_url_key((const char *)p + ss, he - ss, 0, key, sizeof(key));
	if (kl < 2 || !strset_find(&l->s->set[SET_URL_HOST], sweep_hash(key, kl - 1), key, kl - 1))
		return;
	size_t ue = ae;
	while (ue < n && !url_end(p[ue]))
		ue++;
	while (ue > ae && (p[ue - 1] == '.' || p[ue - 1] == ',' || p[ue - 1] == ';'))
		ue--;
	if (ue - ss > SWEEP_MAX_VALUE)
		return;
	kl = ioc_url_key((const char *)p + ss, ue - ss, 0, key, sizeof(key));
	if (kl == 0)
		return;
	const struct strset *t = &l->s->set[SET_URL];
	const struct strset_entry *en = strset_find(t, sweep_hash(key, kl), key, kl);
	if (en == NULL) {
		const char *q = memchr(key, '?', kl);
		if (q)
			en = strset_find(t, sweep_hash(key, (size_t)(q - key)), key, (size_t)(q - key));
	}
	if (en) {
		memcpy(key, p + ss, ue - ss);
		key[ue - ss] = '\0';
		hit(l, SWEEP_URL, en, key);
	}
}

size_t sweep_log_line(const struct sweep_set *s, const char *line, size_t n,
		      long lineno, sweep_hit_fn fn, void *ctx)
{
	struct line l;   /* not zeroed whole: seen[] is read only up to nseen */
	l.s = s;
	l.lineno = lineno;
	l.fn = fn;
	l.ctx = ctx;
	l.nhits = l.nseen = 0;
	l.ip4 = s->v4lens != 0;
	l.ip6 = (s->v6lens[0] | s->v6lens[1] | s->v6lens[2]) != 0;
	l.dom = s->set[SET_DOMAIN].n != 0;
	l.url = s->set[SET_URL].n != 0;
	l.mail = s->set[SET_EMAIL].n != 0;
	if (!(l.ip4 | l.ip6 | l.dom | l.url | l.mail))
		return 0;
	const unsigned char *p = (const unsigned char *)line;
	const unsigned char *cls = s->cls;
	size_t i = 0;
	while (i < n) {
		while (i < n && !(cls[p[i]] & K_TOK))
			i++;
		size_t b = i;
		unsigned f = 0;
		while (i < n && (cls[p[i]] & K_TOK))
			f |= cls[p[i++]];
		if (!(f & (K_DOT | K_COLON | K_AT)))
			continue;
		if ((f & K_COLON) && l.url && p[i - 1] == ':' && i + 1 < n && p[i] == '/' &&
		    p[i + 1] == '/')
			url(&l, p, n, b, i);
		token(&l, p + b, i - b, f);
	}
	return l.nhits;
}

/* ---- which files are logs ---- */

static int has_prefix(const char *s, const char *pre)
{
	while (*pre) {
		int c = (unsigned char)*s++;
		if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != *pre++)
			return 0;
	}
	return 1;
}

/* ".log" followed by the end, ".", "-" or "_" (rotations: x.log.1,
 * x.log.2.gz, x.log-20250101). */
static int has_ext_at(const char *b, const char *ext)
{
	size_t el = strlen(ext);
	for (const char *p = b; *p; p++) {
		if (*p != '.' || !has_prefix(p, ext))
			continue;
		char next = p[el];
		if (next == '\0' || next == '.' || next == '-' || next == '_')
			return 1;
	}
	return 0;
}

int sweep_is_log_name(const char *base)
{
	static const char *const prefixes[] = {
		"access.log", "access_log", "error_log", "syslog", "auth.log", "messages",
		"secure", "maillog", "daemon.log", "kern.log", NULL,
	};
	for (int i = 0; prefixes[i]; i++) {
		if (!has_prefix(base, prefixes[i]))
			continue;
		/* the name itself or a rotation of it: "syslog.2.gz",
		 * "messages-20250101", "secure.gz"; not "secure.php" */
		const char *rest = base + strlen(prefixes[i]);
		if (rest[0] == '\0' || strcmp(rest, ".gz") == 0 ||
		    ((rest[0] == '.' || rest[0] == '-' || rest[0] == '_') && rest[1] >= '0' &&
		     rest[1] <= '9'))
			return 1;
	}
	return has_ext_at(base, ".log") || has_ext_at(base, ".jsonl") ||
	       has_ext_at(base, ".ndjson");
}

/* ---- streaming ---- */

int logscan_init(struct logscan *ls, const struct sweep_set *s, sweep_hit_fn fn,
		 void *ctx)
{
	memset(ls, 0, sizeof(*ls));
	ls->s = s;
	ls->fn = fn;
	ls->ctx = ctx;
	ls->carry = malloc(SWEEP_LINE_MAX);
	if (ls->carry == NULL)
		return -1;
	return 0;
}

void logscan_release(struct logscan *ls)
{
	if (ls->z) {
		inflateEnd(ls->z);
		free(ls->z);
	}
	free(ls->zout);
	free(ls->carry);
	memset(ls, 0, sizeof(*ls));
}

void logscan_begin(struct logscan *ls)
{
	ls->lineno = 1;
	ls->carry_len = 0;
	ls->state = 0;
}

static void one_line(struct logscan *ls, const char *p, size_t n)
{
	sweep_log_line(ls->s, p, n, ls->lineno, ls->fn, ls->ctx);
}

static void carry(struct logscan *ls, const char *p, size_t n)
{
	while (n) {
		size_t room = SWEEP_LINE_MAX - ls->carry_len;
		if (room == 0) { /* an overlong line: read it in pieces */
			one_line(ls, ls->carry, ls->carry_len);
			ls->carry_len = 0;
			room = SWEEP_LINE_MAX;
		}
		size_t k = n < room ? n : room;
		memcpy(ls->carry + ls->carry_len, p, k);
		ls->carry_len += k;
		p += k;
		n -= k;
	}
}

static void lines(struct logscan *ls, const char *p, size_t n)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		if (nl == NULL) {
			carry(ls, p, n);
			return;
		}
		size_t seg = (size_t)(nl - p);
		if (ls->carry_len) {
			carry(ls, p, seg);
			one_line(ls, ls->carry, ls->carry_len);
			ls->carry_len = 0;
		} else {
			one_line(ls, p, seg);
		}
		ls->lineno++;
		p = nl + 1;
		n -= seg + 1;
	}
}

enum { LS_START, LS_PLAIN, LS_GZIP, LS_GZIP_END, LS_FAILED, LS_IGNORE };

static int gzip_start(struct logscan *ls)
{
	if (ls->zout == NULL && (ls->zout = malloc(SWEEP_CHUNK)) == NULL)
		return -1;
	if (ls->z == NULL) {
		ls->z = calloc(1, sizeof(z_stream));
		if (ls->z == NULL || inflateInit2(ls->z, 16 + MAX_WBITS) != Z_OK) {
			free(ls->z);
			ls->z = NULL;
			return -1;
		}
	} else if (inflateReset(ls->z) != Z_OK) {
		return -1;
	}
	return 0;
}

static int gunzip(struct logscan *ls, const unsigned char *p, size_t n)
{
	z_stream *z = ls->z;
	while (n > 0) {
		if (ls->state == LS_GZIP_END) {
			/* another member, or trailing bytes (gzip ignores those) */
			if (n < 2 || p[0] != 0x1f || p[1] != 0x8b) {
				ls->state = LS_IGNORE;
				return 0;
			}
			if (inflateReset(z) != Z_OK)
				return -1;
			ls->state = LS_GZIP;
		}
		uInt in = n > (1u << 30) ? (1u << 30) : (uInt)n;
		z->next_in = (Bytef *)(uintptr_t)p;
		z->avail_in = in;
		int rc;
		do {
			z->next_out = ls->zout;
			z->avail_out = SWEEP_CHUNK;
			rc = inflate(z, Z_NO_FLUSH);
			if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
				return -1;
			lines(ls, (const char *)ls->zout, SWEEP_CHUNK - z->avail_out);
		} while (rc == Z_OK && (z->avail_out == 0 || z->avail_in > 0));
		size_t used = in - z->avail_in;
		p += used;
		n -= used;
		if (rc == Z_STREAM_END)
			ls->state = LS_GZIP_END;
		else if (rc == Z_BUF_ERROR && z->avail_in > 0)
			return -1;   /* no progress with input left: should not happen */
	}
	return 0;
}

int logscan_feed(struct logscan *ls, const void *data, size_t n)
{
	const unsigned char *p = data;
	if (n == 0)
		return 0;
	if (ls->state == LS_START) {
		if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
			if (gzip_start(ls) != 0) {
				ls->state = LS_FAILED;
				return -1;
			}
			ls->state = LS_GZIP;
		} else {
			ls->state = LS_PLAIN;
		}
	}
	switch (ls->state) {
	case LS_PLAIN:
		lines(ls, data, n);
		return 0;
	case LS_GZIP:
	case LS_GZIP_END:
		if (gunzip(ls, p, n) != 0) {
			ls->state = LS_FAILED;
			return -1;
		}
		return 0;
	case LS_IGNORE:
		return 0;
	}
	return -1;
}

int logscan_end(struct logscan *ls)
{
	if (ls->carry_len) {
		one_line(ls, ls->carry, ls->carry_len);
		ls->carry_len = 0;
	}
	return ls->state == LS_GZIP || ls->state == LS_FAILED ? -1 : 0;
}
