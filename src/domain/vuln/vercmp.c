/*
 * vercmp.c - version comparison by each ecosystem's own rules (vercmp.h):
 * dpkg (deb-version(7)), rpm (rpmvercmp and epoch:version-release), semver
 * 2.0.0 §11, and a dotted comparison for PyPI, Maven and the rest.
 *
 * Every function here works on (pointer, length) views of the caller's
 * strings: no allocation, no copy, no recursion, each string read once from
 * left to right and never past its end. A megabyte-long version therefore
 * costs a megabyte of reads and a few words of stack.
 *
 * Character classes are ASCII only, as in dpkg (c_isdigit) and rpm
 * (risdigit): <ctype.h> would follow the locale.
 */
#include <stddef.h>
#include <string.h>

#include "vercmp.h"
#include "../../base/banned.h"

struct span {
	const char *p;
	size_t n;
};

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(int c)
{
	return is_digit(c) || is_alpha(c);
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* The byte at i, or 0 past the end (the strings hold no NUL). */
static int at(struct span s, size_t i)
{
	return i < s.n ? (unsigned char)s.p[i] : 0;
}

static struct span span_of(const char *s)
{
	struct span v = { s ? s : "", s ? strlen(s) : 0 };
	return v;
}

static struct span sub(struct span s, size_t from, size_t to)
{
	struct span v = { s.p + from, to - from };
	return v;
}

/* Compares two runs of ASCII digits as numbers of any length: leading zeros
 * dropped, then the longer number wins, then the first differing digit. An
 * empty run is 0. */
static int numcmp(struct span a, struct span b)
{
	while (a.n > 0 && a.p[0] == '0') {
		a.p++;
		a.n--;
	}
	while (b.n > 0 && b.p[0] == '0') {
		b.p++;
		b.n--;
	}
	if (a.n != b.n)
		return a.n > b.n ? 1 : -1;
	return sign(memcmp(a.p, b.p, a.n));
}

/* strcmp over views: bytes as unsigned, a proper prefix sorts first. */
static int bytecmp(struct span a, struct span b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	int rc = memcmp(a.p, b.p, n);
	if (rc != 0)
		return sign(rc);
	return (a.n > b.n) - (a.n < b.n);
}

static int all_digits(struct span s)
{
	for (size_t i = 0; i < s.n; i++)
		if (!is_digit((unsigned char)s.p[i]))
			return 0;
	return 1;
}

/* Index of the last c in s, or s.n. */
static size_t last_of(struct span s, char c)
{
	for (size_t i = s.n; i > 0; i--)
		if (s.p[i - 1] == c)
			return i - 1;
	return s.n;
}

static size_t first_of(struct span s, char c)
{
	const char *q = memchr(s.p, c, s.n);
	return q ? (size_t)(q - s.p) : s.n;
}

/* ------------------------------------------------------------------ dpkg */

/*
 * [epoch:]upstream[-revision] (deb-version(7)). Blanks around the string
 * are dropped, as dpkg's parser does. The epoch is what precedes the first
 * ':' when that is all digits (empty counts as 0); the revision is what
 * follows the last '-' of the rest (none: the empty revision, which compares
 * equal to "0").
 */
struct deb_version {
	struct span epoch, upstream, revision;
	int has_epoch, has_revision;
};

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static void deb_split(const char *str, struct deb_version *v)
{
	struct span s = span_of(str);
	while (s.n > 0 && is_blank((unsigned char)s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n > 0 && is_blank((unsigned char)s.p[s.n - 1]))
		s.n--;
	memset(v, 0, sizeof(*v));
	v->epoch = sub(s, 0, 0);
	size_t colon = first_of(s, ':');
	if (colon < s.n && all_digits(sub(s, 0, colon))) {
		v->epoch = sub(s, 0, colon);
		v->has_epoch = 1;
		s = sub(s, colon + 1, s.n);
	}
	size_t hyphen = last_of(s, '-');
	v->upstream = sub(s, 0, hyphen);
	v->revision = sub(s, hyphen < s.n ? hyphen + 1 : s.n, s.n);
	v->has_revision = hyphen < s.n;
}

/* The weight of a non-digit in dpkg's ordering: '~' below the end of the
 * string (0), the end below letters, letters (by ASCII) below every other
 * character. Digits weigh 0 too: they end a non-digit run. Bytes above
 * 0x7f (never valid) weigh as unsigned; dpkg's order for them follows the
 * signedness of char on its machine. */
static int deb_weight(int c)
{
	if (c == 0 || is_digit(c))
		return 0;
	if (is_alpha(c))
		return c;
	if (c == '~')
		return -1;
	return c + 256;
}

/* Alternating runs: the non-digit prefixes compared character by character
 * by weight, then the digit runs as numbers; repeat until both end. */
static int deb_part_cmp(struct span a, struct span b)
{
	size_t i = 0, j = 0;
	while (i < a.n || j < b.n) {
		while ((i < a.n && !is_digit(at(a, i))) || (j < b.n && !is_digit(at(b, j)))) {
			int wa = deb_weight(at(a, i)), wb = deb_weight(at(b, j));
			if (wa != wb)
				return wa < wb ? -1 : 1;
			/* Equal weights of non-digits: both sides hold the
			 * same character, neither is at its end. */
			i++;
			j++;
		}
		size_t si = i, sj = j;
		while (i < a.n && is_digit(at(a, i)))
			i++;
		while (j < b.n && is_digit(at(b, j)))
			j++;
		int rc = numcmp(sub(a, si, i), sub(b, sj, j));
		if (rc != 0)
			return rc;
	}
	return 0;
}

int vercmp_dpkg(const char *a, const char *b)
{
	struct deb_version va, vb;
	deb_split(a, &va);
	deb_split(b, &vb);
	int rc = numcmp(va.epoch, vb.epoch);
	if (rc == 0)
		rc = deb_part_cmp(va.upstream, vb.upstream);
	if (rc == 0)
		rc = deb_part_cmp(va.revision, vb.revision);
	return rc;
}

/* deb-version(7) and dpkg's parseversion(): blanks only around the string;
 * an epoch of digits up to INT_MAX; something after the colon; an upstream
 * version that starts with a digit and holds only alphanumerics and
 * ".+~-:" (a ':' only after an epoch, since the first ':' ends the epoch);
 * a non-empty revision of alphanumerics and ".+~" after the last '-'.
 * Unlike dpkg's strtol we refuse a sign before the epoch ("+1:0"). */
static int deb_valid(const char *s)
{
	struct deb_version v;
	deb_split(s, &v);
	const char *colon = strchr(s, ':');
	if (colon != NULL && !v.has_epoch)
		return 0;   /* "a:1", or nothing but ':' */
	if (v.has_epoch) {
		struct span e = v.epoch;
		while (e.n > 1 && e.p[0] == '0') {
			e.p++;
			e.n--;
		}
		struct span max = span_of("2147483647");
		if (e.n == 0 || numcmp(e, max) > 0)
			return 0;
	}
	if (v.upstream.n == 0 || !is_digit(at(v.upstream, 0)))
		return 0;
	if (v.has_revision && v.revision.n == 0)
		return 0;
	for (size_t i = 0; i < v.upstream.n; i++) {
		int c = at(v.upstream, i);
		if (!is_alnum(c) && strchr(".+~-:", c) == NULL)
			return 0;
	}
	for (size_t i = 0; i < v.revision.n; i++) {
		int c = at(v.revision, i);
		if (!is_alnum(c) && strchr(".+~", c) == NULL)
			return 0;
	}
	return 1;
}

/* ------------------------------------------------------------------- rpm */

/*
 * rpmvercmp: skip separators (anything but alphanumerics, '~' and '^');
 * '~' sorts before anything, even the end; '^' sorts after the end but
 * before anything else; then compare the next run of digits (as numbers)
 * or of letters (as bytes); a digit run beats a letter run. When one side
 * runs out, the side with something left wins, unless all that was left
 * were separators.
 */
static int rpm_segcmp(struct span a, struct span b)
{
	if (a.n == b.n && memcmp(a.p, b.p, a.n) == 0)
		return 0;
	size_t i = 0, j = 0;
	for (;;) {
		while (i < a.n && !is_alnum(at(a, i)) && at(a, i) != '~' && at(a, i) != '^')
			i++;
		while (j < b.n && !is_alnum(at(b, j)) && at(b, j) != '~' && at(b, j) != '^')
			j++;
		int ca = at(a, i), cb = at(b, j);
		if (ca == '~' || cb == '~') {
			if (ca != cb)
				return ca == '~' ? -1 : 1;
			i++;
			j++;
			continue;
		}
		if (ca == '^' || cb == '^') {
			if (ca == 0)
				return -1;
			if (cb == 0)
				return 1;
			if (ca != cb)
				return ca == '^' ? -1 : 1;
			i++;
			j++;
			continue;
		}
		if (ca == 0 || cb == 0)
			break;
		size_t si = i, sj = j;
		int num = is_digit(ca);
		while (i < a.n && (num ? is_digit(at(a, i)) : is_alpha(at(a, i))))
			i++;
		while (j < b.n && (num ? is_digit(at(b, j)) : is_alpha(at(b, j))))
			j++;
		if (j == sj)   /* b holds a run of the other kind */
			return num ? 1 : -1;
		int rc = num ? numcmp(sub(a, si, i), sub(b, sj, j))
			     : bytecmp(sub(a, si, i), sub(b, sj, j));
		if (rc != 0)
			return rc;
	}
	if (i >= a.n && j >= b.n)
		return 0;
	return i < a.n ? 1 : -1;
}

/* [epoch:]version[-release], split like rpm's parseEVR: the epoch is the
 * leading digits when a ':' follows them (empty: 0; none: 0); the release
 * follows the last '-' of the rest. No release sorts before any release,
 * as in librpm's rpmverCmp. */
struct rpm_evr {
	struct span epoch, version, release;
	int has_epoch, has_release;
};

static void rpm_split(const char *str, struct rpm_evr *v)
{
	struct span s = span_of(str);
	size_t d = 0;
	memset(v, 0, sizeof(*v));
	while (d < s.n && is_digit(at(s, d)))
		d++;
	v->epoch = sub(s, 0, 0);
	if (at(s, d) == ':') {
		v->epoch = sub(s, 0, d);
		v->has_epoch = 1;
		s = sub(s, d + 1, s.n);
	}
	size_t hyphen = last_of(s, '-');
	v->version = sub(s, 0, hyphen);
	v->has_release = hyphen < s.n;
	v->release = sub(s, v->has_release ? hyphen + 1 : s.n, s.n);
}

int vercmp_rpm(const char *a, const char *b)
{
	struct rpm_evr va, vb;
	rpm_split(a, &va);
	rpm_split(b, &vb);
	int rc = numcmp(va.epoch, vb.epoch);
	if (rc == 0)
		rc = rpm_segcmp(va.version, vb.version);
	if (rc == 0 && va.has_release != vb.has_release)
		rc = va.has_release ? 1 : -1;
	if (rc == 0)
		rc = rpm_segcmp(va.release, vb.release);
	return rc;
}

/* What rpmbuild accepts (ALLOWED_CHARS_VERREL): a version and an optional
 * release of alphanumerics and "._+~^", neither empty, with an optional
 * epoch of digits (at most 10, rpm keeps it in 32 bits). */
static int rpm_part_valid(struct span s)
{
	if (s.n == 0)
		return 0;
	for (size_t i = 0; i < s.n; i++) {
		int c = at(s, i);
		if (!is_alnum(c) && strchr("._+~^", c) == NULL)
			return 0;
	}
	return 1;
}

static int rpm_valid(const char *s)
{
	struct rpm_evr v;
	rpm_split(s, &v);
	if (v.has_epoch && (v.epoch.n == 0 || v.epoch.n > 10 ||
			    numcmp(v.epoch, span_of("4294967295")) > 0))
		return 0;
	if (!rpm_part_valid(v.version))
		return 0;
	return !v.has_release || rpm_part_valid(v.release);
}

/* ---------------------------------------------------------------- semver */

/* MAJOR.MINOR.PATCH[-PRE][+BUILD] with an optional leading lower-case 'v'
 * (Go modules, git tags; node-semver's loose prefix is 'v' or '=', never
 * 'V'). "V1.2.3" is not a version. The core ends at the first '-' or '+',
 * the pre-release at the first '+'. */
struct semver {
	struct span core, pre, build;
	int has_pre, has_build;
};

static void semver_split(const char *str, struct semver *v)
{
	struct span s = span_of(str);
	memset(v, 0, sizeof(*v));
	if (s.n > 0 && s.p[0] == 'v') {
		s.p++;
		s.n--;
	}
	size_t plus = first_of(s, '+');
	v->has_build = plus < s.n;
	v->build = sub(s, v->has_build ? plus + 1 : s.n, s.n);
	s = sub(s, 0, plus);
	size_t dash = first_of(s, '-');
	v->has_pre = dash < s.n;
	v->pre = sub(s, v->has_pre ? dash + 1 : s.n, s.n);
	v->core = sub(s, 0, dash);
}

/* The next dot-separated identifier of s from *pos; 0 when s is used up. */
static int next_ident(struct span s, size_t *pos, struct span *id)
{
	if (*pos > s.n)
		return 0;
	size_t end = *pos + first_of(sub(s, *pos, s.n), '.');
	*id = sub(s, *pos, end);
	*pos = end + 1;
	return 1;
}

/* §11.4: numeric identifiers compare as numbers and sort before
 * alphanumeric ones, which compare in ASCII order. */
static int ident_cmp(struct span a, struct span b)
{
	int na = all_digits(a), nb = all_digits(b);
	if (na && nb)
		return numcmp(a, b);
	if (na != nb)
		return na ? -1 : 1;
	return bytecmp(a, b);
}

/* The core: identifier by identifier, a missing one counting as 0, so that
 * "1.2" equals "1.2.0" and four-part NuGet versions compare sensibly. */
static int semver_core_cmp(struct span a, struct span b)
{
	size_t i = 0, j = 0;
	struct span zero = span_of("0");
	for (;;) {
		struct span x, y;
		int hx = next_ident(a, &i, &x), hy = next_ident(b, &j, &y);
		if (!hx && !hy)
			return 0;
		int rc = ident_cmp(hx ? x : zero, hy ? y : zero);
		if (rc != 0)
			return rc;
	}
}

/* §11.4: identifier by identifier; a larger set wins when all the
 * preceding identifiers are equal. */
static int semver_pre_cmp(struct span a, struct span b)
{
	size_t i = 0, j = 0;
	for (;;) {
		struct span x, y;
		int hx = next_ident(a, &i, &x), hy = next_ident(b, &j, &y);
		if (!hx || !hy)
			return hx - hy;
		int rc = ident_cmp(x, y);
		if (rc != 0)
			return rc;
	}
}

int vercmp_semver(const char *a, const char *b)
{
	struct semver va, vb;
	semver_split(a, &va);
	semver_split(b, &vb);
	int rc = semver_core_cmp(va.core, vb.core);
	if (rc != 0)
		return rc;
	if (va.has_pre != vb.has_pre)   /* §11.3: a pre-release sorts first */
		return va.has_pre ? -1 : 1;
	return va.has_pre ? semver_pre_cmp(va.pre, vb.pre) : 0;
}

/* Non-empty identifiers of [0-9A-Za-z-]; with numeric_strict, an all-digit
 * identifier has no leading zero. */
static int idents_valid(struct span s, int numeric_strict)
{
	size_t pos = 0;
	struct span id;
	while (next_ident(s, &pos, &id)) {
		if (id.n == 0)
			return 0;
		for (size_t i = 0; i < id.n; i++)
			if (!is_alnum(at(id, i)) && at(id, i) != '-')
				return 0;
		if (numeric_strict && all_digits(id) && id.n > 1 && id.p[0] == '0')
			return 0;
	}
	return 1;
}

/* semver.org 2.0.0 §2, §9, §10, plus the lower-case leading 'v' of Go and
 * git tags. */
static int semver_valid(const char *s)
{
	struct semver v;
	semver_split(s, &v);
	size_t pos = 0, count = 0;
	struct span id;
	while (next_ident(v.core, &pos, &id)) {
		if (id.n == 0 || !all_digits(id) || (id.n > 1 && id.p[0] == '0'))
			return 0;
		count++;
	}
	if (count != 3)
		return 0;
	if (v.has_pre && !idents_valid(v.pre, 1))
		return 0;
	return !v.has_build || idents_valid(v.build, 0);
}

/* --------------------------------------------------------------- generic */

/*
 * A comparison that suits PyPI (PEP 440), Maven qualifiers, RubyGems, Alpine
 * and most dotted versions without knowing which:
 *  - a leading 'v' before a digit is dropped; letters compare without case;
 *  - the version is a list of tokens: runs of digits (numbers, any length)
 *    and runs of letters (words); everything else only separates tokens;
 *  - known words have ranks: dev < alpha = a < beta = b < milestone = m <
 *    rc = c = cr = pre = preview < snapshot < (the release) < sp = post =
 *    rev = r < any other word (p, abc...), those in ASCII order; "final",
 *    "ga" and "release" are the release itself and are skipped;
 *  - tokens compare pairwise: numbers by value, words by rank, and a number
 *    beats a word;
 *  - a 0 facing a word or the end of the other list is padding and is
 *    skipped (1.0 = 1.0.0, 1.0.0a1 = 1a1, 1.0.0.post1 = 1.0.post1);
 *  - when one list runs out, its missing tokens count as the release: a
 *    trailing number or post-word makes the longer list newer (1.0 < 1.0.1,
 *    1.0 < 1.0.post1), a trailing pre-release word makes it older
 *    (1.0rc1 < 1.0);
 *  - what follows the first '+' is a PEP 440 local version, compared only
 *    when all before it is equal: none sorts first, then segment by segment
 *    (runs of alphanumerics): all-digit ones as numbers above the others,
 *    which compare as words; no padding (1.0 < 1.0+abc.5 < 1.0+abc.7 <
 *    1.0+5 < 1.0+5.0 < 1.0.post1).
 * This is a total order: it is the lexicographic order of the token lists
 * once padding zeros are dropped, over tokens ordered pre-release words <
 * end < other words < numbers (then the same for the local part).
 * Checked against PEP 440's ordering example, pypa/packaging's ordered
 * list and Maven's qualifier order (ComparableVersionTest). Not modelled:
 * PEP 440 epochs ("1!2.0"), its implicit post-release ("1.0-5", here a
 * plain number above "1.0.post5") and Maven's nesting of '-' sub-lists
 * ("2-1" < "2.0.a" in Maven, not here).
 */
enum { TOK_END, TOK_NUM, TOK_WORD };

#define RANK_LABEL 2   /* a word nobody ranked: after the post-releases */

struct token {
	int kind;
	struct span s;
	int rank;
};

static const struct {
	const char *word;
	int rank;
} words[] = {
	{ "dev", -6 },
	{ "alpha", -5 }, { "a", -5 },
	{ "beta", -4 }, { "b", -4 },
	{ "milestone", -3 }, { "m", -3 },
	{ "rc", -2 }, { "c", -2 }, { "cr", -2 }, { "pre", -2 }, { "preview", -2 },
	{ "snapshot", -1 },
	{ "final", 0 }, { "ga", 0 }, { "release", 0 },
	{ "sp", 1 }, { "post", 1 }, { "rev", 1 }, { "r", 1 },
};

static int word_eq(struct span w, const char *name)
{
	size_t n = strlen(name);
	if (w.n != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower(at(w, i)) != name[i])
			return 0;
	return 1;
}

static int word_rank(struct span w)
{
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (word_eq(w, words[i].word))
			return words[i].rank;
	return RANK_LABEL;
}

/* The next local-version segment from *pos: a run of alphanumerics, a
 * number when all digits, else a plain label. */
static void next_local_token(struct span s, size_t *pos, struct token *t)
{
	size_t i = *pos;
	while (i < s.n && !is_alnum(at(s, i)))
		i++;
	size_t start = i;
	while (i < s.n && is_alnum(at(s, i)))
		i++;
	t->s = sub(s, start, i);
	*pos = i;
	t->kind = t->s.n == 0 ? TOK_END : all_digits(t->s) ? TOK_NUM : TOK_WORD;
	t->rank = t->kind == TOK_WORD ? RANK_LABEL : 0;
}

/* The next token from *pos. In a public version, release words are
 * skipped; a local one (local != 0) goes by segments. */
static void next_token(struct span s, size_t *pos, int local, struct token *t)
{
	if (local) {
		next_local_token(s, pos, t);
		return;
	}
	for (;;) {
		size_t i = *pos;
		while (i < s.n && !is_alnum(at(s, i)))
			i++;
		size_t start = i;
		t->kind = TOK_END;
		t->rank = 0;
		if (i < s.n && is_digit(at(s, i))) {
			while (i < s.n && is_digit(at(s, i)))
				i++;
			t->kind = TOK_NUM;
		} else if (i < s.n) {
			while (i < s.n && is_alpha(at(s, i)))
				i++;
			t->kind = TOK_WORD;
		}
		t->s = sub(s, start, i);
		*pos = i;
		if (t->kind != TOK_WORD)
			return;
		t->rank = word_rank(t->s);
		if (t->rank != 0)
			return;
	}
}

static int word_cmp(struct span a, struct span b)
{
	size_t n = a.n < b.n ? a.n : b.n;
	for (size_t i = 0; i < n; i++) {
		int x = lower(at(a, i)), y = lower(at(b, i));
		if (x != y)
			return x < y ? -1 : 1;
	}
	return (a.n > b.n) - (a.n < b.n);
}

static int is_zero(const struct token *t)
{
	return t->kind == TOK_NUM && numcmp(t->s, span_of("0")) == 0;
}

/* A token against the end of the other list (the release). */
static int token_vs_end(const struct token *t)
{
	if (t->kind == TOK_NUM)
		return 1;
	return sign(t->rank);
}

static int token_cmp(const struct token *x, const struct token *y)
{
	if (y->kind == TOK_END)
		return token_vs_end(x);
	if (x->kind == TOK_END)
		return -token_vs_end(y);
	if (x->kind != y->kind)
		return x->kind == TOK_NUM ? 1 : -1;
	if (x->kind == TOK_NUM)
		return numcmp(x->s, y->s);
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->rank == RANK_LABEL ? word_cmp(x->s, y->s) : 0;
}

static int token_list_cmp(struct span a, struct span b, int local)
{
	size_t i = 0, j = 0;
	struct token x, y;
	next_token(a, &i, local, &x);
	next_token(b, &j, local, &y);
	for (;;) {
		if (x.kind == TOK_END && y.kind == TOK_END)
			return 0;
		if (!local && is_zero(&x) && y.kind != TOK_NUM) {
			next_token(a, &i, local, &x);
			continue;
		}
		if (!local && is_zero(&y) && x.kind != TOK_NUM) {
			next_token(b, &j, local, &y);
			continue;
		}
		int rc = token_cmp(&x, &y);
		if (rc != 0)
			return rc;
		next_token(a, &i, local, &x);
		next_token(b, &j, local, &y);
	}
}

struct generic_version {
	struct span pub, local;
	int has_local;
};

static void generic_split(const char *str, struct generic_version *v)
{
	struct span s = span_of(str);
	if (s.n > 1 && (s.p[0] == 'v' || s.p[0] == 'V') && is_digit(at(s, 1))) {
		s.p++;
		s.n--;
	}
	size_t plus = first_of(s, '+');
	v->pub = sub(s, 0, plus);
	v->has_local = plus < s.n;
	v->local = sub(s, v->has_local ? plus + 1 : s.n, s.n);
}

int vercmp_generic(const char *a, const char *b)
{
	struct generic_version va, vb;
	generic_split(a, &va);
	generic_split(b, &vb);
	int rc = token_list_cmp(va.pub, vb.pub, 0);
	if (rc != 0)
		return rc;
	if (va.has_local != vb.has_local)
		return va.has_local ? 1 : -1;
	return token_list_cmp(va.local, vb.local, 1);
}

/* Printable ASCII without blanks, with at least one digit. */
static int generic_valid(const char *s)
{
	int digit = 0;
	if (*s == '\0')
		return 0;
	for (; *s; s++) {
		int c = (unsigned char)*s;
		if (c <= ' ' || c >= 0x7f)
			return 0;
		digit |= is_digit(c);
	}
	return digit;
}

/* ------------------------------------------------------------ dispatch */

int vercmp(int ecosystem, const char *a, const char *b)
{
	switch (ecosystem) {
	case ECO_DPKG:
		return vercmp_dpkg(a, b);
	case ECO_RPM:
		return vercmp_rpm(a, b);
	case ECO_SEMVER:
		return vercmp_semver(a, b);
	default:
		return vercmp_generic(a, b);
	}
}

int vercmp_valid(int ecosystem, const char *s)
{
	if (s == NULL)
		return 0;
	switch (ecosystem) {
	case ECO_DPKG:
		return deb_valid(s);
	case ECO_RPM:
		return rpm_valid(s);
	case ECO_SEMVER:
		return semver_valid(s);
	case ECO_GENERIC:
		return generic_valid(s);
	default:
		return 0;
	}
}

/* OSV ecosystem names (the part before the first ':', as in "Debian:12",
 * "Ubuntu:22.04:LTS", "Red Hat:enterprise_linux:9") and our own names. */
static const struct {
	const char *name;
	int ecosystem;
} ecosystems[] = {
	{ "dpkg", ECO_DPKG }, { "deb", ECO_DPKG }, { "debian", ECO_DPKG },
	{ "ubuntu", ECO_DPKG },
	{ "rpm", ECO_RPM }, { "red hat", ECO_RPM }, { "redhat", ECO_RPM },
	{ "almalinux", ECO_RPM }, { "rocky linux", ECO_RPM }, { "suse", ECO_RPM },
	{ "opensuse", ECO_RPM }, { "mageia", ECO_RPM }, { "openeuler", ECO_RPM },
	{ "azure linux", ECO_RPM }, { "photon os", ECO_RPM }, { "fedora", ECO_RPM },
	{ "centos", ECO_RPM },
	{ "semver", ECO_SEMVER }, { "npm", ECO_SEMVER }, { "go", ECO_SEMVER },
	{ "crates.io", ECO_SEMVER }, { "hex", ECO_SEMVER }, { "nuget", ECO_SEMVER },
	{ "packagist", ECO_SEMVER }, { "pub", ECO_SEMVER }, { "swifturl", ECO_SEMVER },
	{ "bitnami", ECO_SEMVER },
	{ "generic", ECO_GENERIC }, { "pypi", ECO_GENERIC }, { "maven", ECO_GENERIC },
	{ "rubygems", ECO_GENERIC }, { "alpine", ECO_GENERIC }, { "wolfi", ECO_GENERIC },
	{ "chainguard", ECO_GENERIC }, { "hackage", ECO_GENERIC }, { "cran", ECO_GENERIC },
	{ "bioconductor", ECO_GENERIC }, { "ghc", ECO_GENERIC },
};

int ecosystem_from(const char *name)
{
	if (name == NULL)
		return ECO_UNKNOWN;
	struct span s = span_of(name);
	s.n = first_of(s, ':');
	for (size_t i = 0; i < sizeof(ecosystems) / sizeof(ecosystems[0]); i++)
		if (word_eq(s, ecosystems[i].name))
			return ecosystems[i].ecosystem;
	return ECO_UNKNOWN;
}

const char *ecosystem_name(int ecosystem)
{
	switch (ecosystem) {
	case ECO_DPKG:
		return "dpkg";
	case ECO_RPM:
		return "rpm";
	case ECO_SEMVER:
		return "semver";
	case ECO_GENERIC:
		return "generic";
	default:
		return "unknown";
	}
}
