/*
 * ioc_util.c - what the indicator importers share (ioc_int.h): the run of
 * one import, errors naming the file and the position, bounded JSON
 * getters, string lists, UTF-8 checks.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ioc_int.h"
#include "../../base/arena.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/utf8.h"
#include "../../base/banned.h"

/* ---- the run ---- */

int ioc_run_init(struct ioc_run *r, const char *name, struct ioc_stats *st, struct err *e)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->e = e;
	r->st = st ? st : &r->own;
	memset(r->st, 0, sizeof(*r->st));
	r->a = arena_new(IOC_SCRATCH_MAX);
	if (r->a == NULL)
		return ioc_nomem(r);
	return 0;
}

void ioc_run_release(struct ioc_run *r)
{
	free(r->recs);
	r->recs = NULL;
	r->nrecs = r->cap = 0;
	if (r->a)
		arena_free(r->a);
	r->a = NULL;
}

struct ioc *ioc_run_add(struct ioc_run *r)
{
	if (r->nrecs == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct ioc *p = realloc(r->recs, cap * sizeof(*p));
		if (p == NULL) {
			ioc_nomem(r);
			return NULL;
		}
		r->recs = p;
		r->cap = cap;
	}
	struct ioc *i = &r->recs[r->nrecs++];
	memset(i, 0, sizeof(*i));
	i->confidence = -1;
	i->to_ids = 1;
	return i;
}

static void copy_cut(char *dst, size_t n, const char *src)
{
	size_t l = src ? strlen(src) : 0;
	if (l >= n) {
		l = n - 1;
		while (l > 0 && ((unsigned char)src[l] & 0xC0) == 0x80)
			l--;                  /* not inside a character */
	}
	if (l)
		memcpy(dst, src, l);
	dst[l] = '\0';
}

long ioc_run_deliver(struct ioc_run *r, ioc_sink sink, void *arg)
{
	struct ioc_stats *st = r->st;
	for (size_t k = 0; k < r->nrecs; k++) {
		struct ioc *i = &r->recs[k];
		/* Only a hash has a file name (ioc.h), whatever the file said
		 * beside another kind (a CSV file_name column, a MISP object). */
		if (i->kind < IOC_SHA256 || i->kind > IOC_MD5)
			i->file_name = NULL;
		if (sink && sink(arg, i, r->e) != 0)
			return -1;
		st->records++;
		st->kinds[i->kind]++;
		if (i->kind != IOC_PATTERN)
			continue;
		st->unconverted++;
		if (st->nkept < IOC_STATS_KEPT) {
			copy_cut(st->kept[st->nkept].id, sizeof(st->kept[0].id), i->origin_id);
			copy_cut(st->kept[st->nkept].why, sizeof(st->kept[0].why), i->why);
			st->nkept++;
		}
	}
	return (long)r->nrecs;
}

/* ---- errors ---- */

/* The file name as shown: at most NAME_SHOWN bytes, cut from the left at
 * a character boundary, so that the position after it fits in e->arg. */
#define NAME_SHOWN 60

int ioc_failv(struct err *e, const char *name, int code, int msg, const char *fmt, va_list ap)
{
	char shown[NAME_SHOWN + 8], detail[sizeof(e->arg)], arg[sizeof(e->arg) * 2];
	if (name == NULL || *name == '\0')
		name = "(input)";
	size_t l = strlen(name);
	if (l > NAME_SHOWN) {
		const char *p = name + l - (NAME_SHOWN - 3);
		while (((unsigned char)*p & 0xC0) == 0x80)
			p++;
		snprintf(shown, sizeof(shown), "...%s", p);
		name = shown;
	}
	vsnprintf(detail, sizeof(detail), fmt, ap);
	snprintf(arg, sizeof(arg), "%s: %s", name, detail);
	char cut[sizeof(e->arg)];
	copy_cut(cut, sizeof(cut), arg);
	return err_set(e, code, msg, cut);
}

int ioc_fail(struct ioc_run *r, int code, int msg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ioc_failv(r->e, r->name, code, msg, fmt, ap);
	va_end(ap);
	return -1;
}

int ioc_nomem(struct ioc_run *r)
{
	return ioc_fail(r, E_NOMEM, MSG_IOC_LIMIT, "out of memory");
}

int ioc_json_syntax(struct ioc_run *r, const json_error_t *je)
{
	return ioc_fail(r, E_MALFORMED, MSG_IOC_SYNTAX, "line %d, column %d (byte %d): %s",
			je->line > 0 ? je->line : 1, je->column > 0 ? je->column : 0,
			je->position > 0 ? je->position : 0, je->text);
}

json_t *ioc_json_load(struct ioc_run *r, const char *data, size_t n)
{
	json_error_t je;
	if (data == NULL || n == 0) {
		ioc_fail(r, E_MALFORMED, MSG_IOC_SYNTAX, "empty, no JSON value");
		return NULL;
	}
	/* A UTF-8 byte order mark, as Windows tools write, is not JSON. */
	size_t off = n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	json_t *v = json_loadb(data + off, n - off, JSON_REJECT_DUPLICATES, &je);
	if (v == NULL)
		ioc_json_syntax(r, &je);
	return v;
}

int ioc_jfail(struct ioc_where *w, int code, int msg, const char *key, const char *fmt, ...)
{
	char detail[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (key)
		return ioc_fail(w->r, code, msg, "%s: %s: %s", w->at, key, detail);
	return ioc_fail(w->r, code, msg, "%s: %s", w->at, detail);
}

static int check_str(struct ioc_where *w, const json_t *v, const char *key, size_t max,
		     const char **out)
{
	if (!json_is_string(v))
		return ioc_jfail(w, E_INVALID, MSG_IOC_SCHEMA, key, "expected a string, not %s",
				 jv_kind(v));
	size_t l = json_string_length(v);
	if (l > max)
		return ioc_jfail(w, E_TOOLARGE, MSG_IOC_LIMIT, key, "%zu bytes (at most %zu)", l,
				 max);
	if (memchr(json_string_value(v), '\0', l))
		return ioc_jfail(w, E_INVALID, MSG_IOC_SCHEMA, key, "contains a NUL character");
	*out = json_string_value(v);
	return 0;
}

int ioc_jstr(struct ioc_where *w, const json_t *o, const char *key, size_t max, const char **out)
{
	json_t *v = jv_member(o, key);
	*out = NULL;
	return v ? check_str(w, v, key, max, out) : 0;
}

int ioc_jstr_at(struct ioc_where *w, const json_t *arr, size_t i, const char *key, size_t max,
		const char **out)
{
	char k[80];
	snprintf(k, sizeof(k), "%s/%zu", key, i);
	return check_str(w, json_array_get(arr, i), k, max, out);
}

/* The member key of o when it has type t; fails naming what it is. */
static int jtyped(struct ioc_where *w, const json_t *o, const char *key, json_type t,
		  json_t **out)
{
	if (jv_member_of(o, key, t, out) == 0)
		return 0;
	return ioc_jfail(w, E_INVALID, MSG_IOC_SCHEMA, key, "expected %s, not %s",
			 jv_type_kind(t), jv_kind(jv_member(o, key)));
}

int ioc_jarr(struct ioc_where *w, const json_t *o, const char *key, json_t **out)
{
	return jtyped(w, o, key, JSON_ARRAY, out);
}

int ioc_jobj(struct ioc_where *w, const json_t *o, const char *key, json_t **out)
{
	return jtyped(w, o, key, JSON_OBJECT, out);
}

/* The last second we read and write (9999-12-31T23:59:59Z): RFC 3339
 * years have four digits. */
#define LAST_SECOND 253402300799LL

/* Seconds since the epoch in a string of digits. */
static int epoch_seconds(const char *s, int64_t *ms)
{
	int64_t v = 0;
	if (*s == '\0' || strlen(s) > 12)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v > LAST_SECOND)
		return -1;
	*ms = v * 1000;
	return 0;
}

int ioc_jtime(struct ioc_where *w, const json_t *o, const char *key, int seconds_ok,
	      int64_t *out)
{
	json_t *v = jv_member(o, key);
	const char *s = NULL;
	if (v == NULL)
		return 0;
	if (seconds_ok && json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= LAST_SECOND) {
		*out = (int64_t)json_integer_value(v) * 1000;
		return 0;
	}
	if (check_str(w, v, key, 64, &s) != 0)
		return -1;
	if (seconds_ok && epoch_seconds(s, out) == 0)
		return 0;
	if (time_parse(s, out) != 0)
		return ioc_jfail(w, E_INVALID, MSG_IOC_SCHEMA, key, "not an RFC 3339 time: '%s'", s);
	return 0;
}

int ioc_jbool(struct ioc_where *w, const json_t *o, const char *key, int *out)
{
	json_t *v = jv_member(o, key);
	if (v == NULL)
		return 0;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
		*out = (int)json_integer_value(v);
		return 0;
	}
	const char *s = json_is_string(v) ? json_string_value(v) : "";
	if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0 || strcmp(s, "True") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(s, "0") == 0 || strcmp(s, "false") == 0 || strcmp(s, "False") == 0) {
		*out = 0;
		return 0;
	}
	return ioc_jfail(w, E_INVALID, MSG_IOC_SCHEMA, key, "expected a boolean, not %s",
			 jv_kind(v));
}

/* ---- patterns ---- */

int ioc_pattern_records(struct ioc_where *w, const struct ioc *base, const char *field,
			const char *pattern)
{
	struct stix_hit *hits;
	const char *why;
	struct err pe = { 0 };
	int n = stix_pattern_parse(pattern, strlen(pattern), w->r->a, &hits, &why, &pe);
	if (n < 0)
		return ioc_fail(w->r, pe.code, pe.msg, "%s: %s, %s", w->at, field, pe.arg);
	if (n == 0) {
		int kind = IOC_PATTERN;
		const char *v = ioc_normalise(w->r->a, &kind, pattern, &why);
		struct ioc *i = v ? ioc_run_add(w->r) : NULL;
		if (i == NULL)
			return v ? -1 : ioc_nomem(w->r);
		*i = *base;
		i->kind = IOC_PATTERN;
		i->value = v;
		i->pattern_type = "stix";
		i->why = why;
		return 0;
	}
	for (int k = 0; k < n; k++) {
		struct ioc *i = ioc_run_add(w->r);
		if (i == NULL)
			return -1;
		*i = *base;
		i->kind = hits[k].kind;
		i->value = hits[k].value;
		i->pattern_type = NULL;
		i->why = NULL;
		i->file_name = hits[k].file_name;
	}
	return 0;
}

/* ---- tags ---- */

/* "misp-galaxy:TYPE=\"NAME\"" of a galaxy type we know: the STIX type and
 * the name (n bytes at *name); NULL otherwise. */
static const char *galaxy_of(const char *tag, const char **name, size_t *n, char *gbuf, size_t gn)
{
	if (strncmp(tag, "misp-galaxy:", 12) != 0)
		return NULL;
	const char *eq = strstr(tag, "=\""), *g = tag + 12;
	size_t l = strlen(tag);
	if (eq == NULL || eq < g || tag[l - 1] != '"' || tag + l - 1 <= eq + 1 ||
	    (size_t)(eq - g) >= gn)
		return NULL;
	memcpy(gbuf, g, (size_t)(eq - g));
	gbuf[eq - g] = '\0';
	*name = eq + 2;
	*n = (size_t)(tag + l - 1 - (eq + 2));
	return ioc_galaxy_to_stix(gbuf);
}

/* "ungcuu:confidence=\"N\"": 1 and *v when it is one (v -1 when N is not
 * 0..100), 0 when not. */
static int confidence_of(const char *tag, int *v)
{
	static const char pre[] = "ungcuu:confidence=\"";
	if (strncmp(tag, pre, sizeof(pre) - 1) != 0)
		return 0;
	const char *p = tag + sizeof(pre) - 1;
	int val = 0, digits = 0;
	while (*p >= '0' && *p <= '9' && digits < 4) {
		val = val * 10 + (*p++ - '0');
		digits++;
	}
	*v = digits && p[0] == '"' && p[1] == '\0' && val <= 100 ? val : -1;
	return 1;
}

int ioc_tag_is_field(const char *tag)
{
	char g[64];
	const char *name;
	size_t n;
	int v;
	return (strncasecmp(tag, "tlp:", 4) == 0 && tlp_parse(tag) > 0) ||
	       galaxy_of(tag, &name, &n, g, sizeof(g)) != NULL || confidence_of(tag, &v);
}

int ioc_tag(struct ioc_where *w, const char *key, const char *tag, int *tlp, int *confidence,
	    struct ioc_strv *plain, struct ioc_refv *rel)
{
	char g[64];
	const char *name;
	size_t n, l = strlen(tag);
	int v;
	while (l && isspace((unsigned char)*tag)) {
		tag++;
		l--;
	}
	while (l && isspace((unsigned char)tag[l - 1]))
		l--;
	if (l == 0)
		return 0;
	if (tag[l] != '\0') {
		tag = arena_strndup(w->r->a, tag, l);
		if (tag == NULL)
			return ioc_nomem(w->r);
	}
	if (strncasecmp(tag, "tlp:", 4) == 0 && tlp_parse(tag) > 0) {
		*tlp = tlp_stricter(*tlp, tlp_parse(tag));
		return 0;
	}
	if (confidence_of(tag, &v)) {
		if (v < 0)
			return ioc_jfail(w, E_INVALID, MSG_IOC_SCHEMA, key,
					 "confidence from 0 to 100 expected: %.40s", tag);
		*confidence = v;
		return 0;
	}
	const char *stix = galaxy_of(tag, &name, &n, g, sizeof(g));
	if (stix) {
		char *nm = arena_strndup(w->r->a, name, n);
		return nm ? ioc_refv_add(w->r, rel, stix, nm) : ioc_nomem(w->r);
	}
	if (l > IOC_MAX_TEXT)
		return ioc_jfail(w, E_TOOLARGE, MSG_IOC_LIMIT, key, "a tag over 64 KiB");
	return ioc_strv_add(w->r, plain, tag);
}

/* ---- lists ---- */

static int grow(struct ioc_run *r, void **v, size_t *cap, size_t n, size_t size)
{
	if (n >= IOC_MAX_LIST)
		return ioc_fail(r, E_TOOLARGE, MSG_IOC_LIMIT,
				"more than %d tags, values or related objects in one record", IOC_MAX_LIST);
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 4;
	void *p = arena_alloc(r->a, c * size);
	if (p == NULL)
		return ioc_nomem(r);
	if (n)
		memcpy(p, *v, n * size);
	*v = p;
	*cap = c;
	return 0;
}

int ioc_strv_has(const struct ioc_strv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], str) == 0)
			return 1;
	return 0;
}

int ioc_strv_add(struct ioc_run *r, struct ioc_strv *s, const char *str)
{
	if (str == NULL || *str == '\0' || ioc_strv_has(s, str))
		return 0;
	void *v = s->v;
	if (grow(r, &v, &s->cap, s->n, sizeof(*s->v)) != 0)
		return -1;
	s->v = v;
	s->v[s->n++] = str;
	return 0;
}

int ioc_refv_add(struct ioc_run *r, struct ioc_refv *s, const char *type, const char *name)
{
	if (type == NULL || name == NULL || *name == '\0')
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].type, type) == 0 && strcmp(s->v[i].name, name) == 0)
			return 0;
	void *v = s->v;
	if (grow(r, &v, &s->cap, s->n, sizeof(*s->v)) != 0)
		return -1;
	s->v = v;
	s->v[s->n].type = type;
	s->v[s->n].name = name;
	s->n++;
	return 0;
}

/* ---- UTF-8 ---- */

size_t ioc_utf8_check(const char *s, size_t n, int controls_ok)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (c < 0x80) {
			if (c == 0 || (!controls_ok && ((c < 0x20 && c != '\t' && c != '\r' &&
							    c != '\n') || c == 0x7f)))
				return i;
			i++;
			continue;
		}
		size_t len = utf8_seq(p + i, n - i);
		if (len == 0)
			return i;
		i += len;
	}
	return n;
}

size_t ioc_utf8_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}
