/*
 * cpe.c - CPE names (NISTIR 7695 naming, NISTIR 7696 matching): nmap's 2.2
 * URIs to 2.3 formatted strings, and whether an NVD match criteria covers
 * a name. Values are compared as logical characters: "\x" is the literal x,
 * an unquoted '*' or '?' is a wildcard.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "feed.h"
#include "feed_int.h"
#include "../../base/banned.h"

#define CPE_ATTRS 11
/* URI components: part, vendor, product, version, update, edition, language. */
#define CPE_URI_COMPONENTS 7
/* A converted name, for cpe_match given 2.2 URIs. */
#define CPE_BUF 1024

/* ---- 2.2 URI -> 2.3 formatted string ---- */

struct out {
	char *p;
	size_t n, len;
	int full;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 >= o->n) {
		o->full = 1;
		return;
	}
	o->p[o->len++] = c;
	o->p[o->len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Binds one URI component (s, len) as an FS attribute value: empty is ANY,
 * "-" is NA, %01/%02 are the wildcards '?'/'*', any other character but
 * letters, digits, '-', '.' and '_' is quoted. -1 on a bad %-escape, white
 * space, a control or a non-ASCII byte (none of which CPE allows). */
static int bind_component(struct out *o, const char *s, size_t len)
{
	if (len == 0) {
		put(o, '*');
		return 0;
	}
	if (len == 1 && s[0] == '-') {
		put(o, '-');
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%') {
			if (i + 2 >= len)
				return -1;
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
			if (c == 0x01 || c == 0x02) {
				put(o, c == 0x01 ? '?' : '*');
				continue;
			}
		}
		if (c <= 0x20 || c >= 0x7f)
			return -1;
		if (isalnum(c) || c == '_' || c == '-' || c == '.') {
			put(o, (char)tolower(c));
		} else {
			put(o, '\\');
			put(o, (char)c);
		}
	}
	return 0;
}

/* Splits s (len) at each sep into at most max pieces; the count, or -1
 * when there are more. */
static int split(const char *s, size_t len, char sep, const char **piece, size_t *plen,
		 int max)
{
	int count = 0;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != sep)
			continue;
		if (count == max)
			return -1;
		piece[count] = s + start;
		plen[count] = i - start;
		count++;
		start = i + 1;
	}
	return count;
}

char *cpe_uri_to_23(const char *uri, char *out, size_t n)
{
	const char *comp[CPE_URI_COMPONENTS];
	size_t clen[CPE_URI_COMPONENTS];
	const char *ed[5];
	size_t edl[5];

	if (uri == NULL || out == NULL || n == 0 || strncasecmp(uri, "cpe:/", 5) != 0)
		return NULL;
	const char *body = uri + 5;
	int nc = split(body, strlen(body), ':', comp, clen, CPE_URI_COMPONENTS);
	if (nc < 1)
		return NULL;
	for (int i = nc; i < CPE_URI_COMPONENTS; i++) {
		comp[i] = "";
		clen[i] = 0;
	}
	if (clen[0] > 1 || (clen[0] == 1 && strchr("aohAOH", comp[0][0]) == NULL))
		return NULL;
	/* A packed edition: "~edition~sw_edition~target_sw~target_hw~other". */
	for (int i = 0; i < 5; i++) {
		ed[i] = "";
		edl[i] = 0;
	}
	if (clen[5] > 0 && comp[5][0] == '~') {
		if (split(comp[5] + 1, clen[5] - 1, '~', ed, edl, 5) != 5)
			return NULL;
	} else {
		ed[0] = comp[5];
		edl[0] = clen[5];
	}
	/* FS order: part vendor product version update edition language
	 * sw_edition target_sw target_hw other. */
	const char *v[CPE_ATTRS] = { comp[0], comp[1], comp[2], comp[3], comp[4], ed[0],
				     comp[6], ed[1], ed[2], ed[3], ed[4] };
	size_t vl[CPE_ATTRS] = { clen[0], clen[1], clen[2], clen[3], clen[4], edl[0],
				 clen[6], edl[1], edl[2], edl[3], edl[4] };
	struct out o = { out, n, 0, 0 };
	out[0] = '\0';
	for (const char *p = "cpe:2.3"; *p; p++)
		put(&o, *p);
	for (int i = 0; i < CPE_ATTRS; i++) {
		put(&o, ':');
		if (bind_component(&o, v[i], vl[i]) != 0)
			return NULL;
	}
	return o.full ? NULL : out;
}

/* ---- 2.3 formatted strings ---- */

/* The 11 attribute values of fs (still quoted), split at unquoted ':'. */
static int fs_split(const char *fs, const char *start[CPE_ATTRS], size_t len[CPE_ATTRS])
{
	if (fs == NULL || strncasecmp(fs, "cpe:2.3:", 8) != 0)
		return -1;
	const char *p = fs + 8;
	int i = 0;
	start[0] = p;
	for (; *p; p++) {
		if (*p == '\\') {
			if (p[1] == '\0')
				return -1;
			p++;
			continue;
		}
		if (*p != ':')
			continue;
		len[i] = (size_t)(p - start[i]);
		if (++i >= CPE_ATTRS)
			return -1;
		start[i] = p + 1;
	}
	len[i] = (size_t)(p - start[i]);
	return i == CPE_ATTRS - 1 ? 0 : -1;
}

int cpe23_attr(const char *fs, int i, char *out, size_t n)
{
	const char *start[CPE_ATTRS];
	size_t len[CPE_ATTRS], o = 0;
	if (i < 0 || i >= CPE_ATTRS || n == 0 || fs_split(fs, start, len) != 0)
		return -1;
	for (size_t k = 0; k < len[i]; k++) {
		if (start[i][k] == '\\')
			k++;
		if (o + 1 >= n)
			return -1;
		out[o++] = start[i][k];
	}
	out[o] = '\0';
	return 0;
}

/* One logical character of s (len) at i: *c, whether it is an unquoted
 * wildcard; returns the index after it. */
static size_t lchar(const char *s, size_t len, size_t i, int *c, int *wild)
{
	if (s[i] == '\\' && i + 1 < len) {
		*c = (unsigned char)s[i + 1];
		*wild = 0;
		return i + 2;
	}
	*c = (unsigned char)s[i];
	*wild = *c == '*' || *c == '?';
	return i + 1;
}

static int is_any(const char *s, size_t len)
{
	return len == 0 || (len == 1 && s[0] == '*');
}

static int is_na(const char *s, size_t len)
{
	return len == 1 && s[0] == '-';
}

/* Whether the criteria value pattern (with wildcards) matches the name's
 * literal value t: the classic star-backtracking glob over logical
 * characters, '?' standing for exactly one. */
static int glob(const char *p, size_t pl, const char *t, size_t tl)
{
	size_t pi = 0, ti = 0, star_p = (size_t)-1, star_t = 0;
	int c, w, tc, tw;
	while (ti < tl) {
		if (pi < pl) {
			size_t pn = lchar(p, pl, pi, &c, &w);
			if (w && c == '*') {
				star_p = pn;
				star_t = ti;
				pi = pn;
				continue;
			}
			size_t tn = lchar(t, tl, ti, &tc, &tw);
			if (tw)
				return 0;    /* a name holds no wildcards */
			if ((w && c == '?') || (!w && tolower(c) == tolower(tc))) {
				pi = pn;
				ti = tn;
				continue;
			}
		}
		if (star_p == (size_t)-1)
			return 0;
		star_t = lchar(t, tl, star_t, &tc, &tw);
		ti = star_t;
		pi = star_p;
	}
	while (pi < pl) {
		size_t pn = lchar(p, pl, pi, &c, &w);
		if (!(w && c == '*'))
			return 0;
		pi = pn;
	}
	return 1;
}

static int value_match(const char *s, size_t sl, const char *t, size_t tl)
{
	if (is_any(s, sl) || is_any(t, tl))
		return 1;
	if (is_na(s, sl) || is_na(t, tl))
		return is_na(s, sl) && is_na(t, tl);
	return glob(s, sl, t, tl);
}

int cpe_match(const char *criteria, const char *name)
{
	char cbuf[CPE_BUF], nbuf[CPE_BUF];
	const char *cs[CPE_ATTRS], *ns[CPE_ATTRS];
	size_t cl[CPE_ATTRS], nl[CPE_ATTRS];

	if (criteria && strncasecmp(criteria, "cpe:/", 5) == 0)
		criteria = cpe_uri_to_23(criteria, cbuf, sizeof(cbuf));
	if (name && strncasecmp(name, "cpe:/", 5) == 0)
		name = cpe_uri_to_23(name, nbuf, sizeof(nbuf));
	if (fs_split(criteria, cs, cl) != 0 || fs_split(name, ns, nl) != 0)
		return 0;
	for (int i = 0; i < CPE_ATTRS; i++)
		if (!value_match(cs[i], cl[i], ns[i], nl[i]))
			return 0;
	return 1;
}
