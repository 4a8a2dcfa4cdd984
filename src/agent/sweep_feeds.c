/*
 * sweep_feeds.c - the sweep's own, minimal reader of STIX 2.1 bundles and
 * MISP events. It is kept apart so that it can be replaced by the shared
 * STIX pattern parser and MISP mapper (src/domain/ioc_*) when they land.
 *
 * STIX: a bundle ({"type":"bundle","objects":[…]}) or a TAXII envelope
 * ({"objects":[…]}). Of each indicator object (pattern_type "stix" or none;
 * not revoked; valid_until not past) the pattern is read when it is
 * comparisons with "=" joined by OR, in brackets joined by OR:
 *   [ipv4-addr:value = '…'], [ipv6-addr:value = '…'], [domain-name:value =
 *   '…'], [url:value = '…'], [email-addr:value = '…'], [email-message:
 *   from_ref.value = '…'], [file:hashes.'SHA-256' = '…'] (MD5, SHA-1 too,
 *   the hash name quoted or not), [file:name = '…'].
 * Anything else (AND, FOLLOWEDBY, other operators, qualifiers, other object
 * paths) is a pattern this reader cannot use: the indicator (or, in an OR,
 * the comparison) is skipped with a warning. Unterminated strings and
 * unbalanced brackets are malformed: the file is refused with the object's
 * JSON path and the character.
 *
 * MISP: {"Event":{…}}, {"response":[{"Event":{…}},…]} or a bare event.
 * Attributes of Event.Attribute[] and Event.Object[].Attribute[] with
 * to_ids set and not deleted, of types ip-src, ip-dst (and |port), domain,
 * hostname (and |port), domain|ip, url, email, email-src, email-dst, md5,
 * sha1, sha256, filename, filename|md5, filename|sha1, filename|sha256.
 * Other types are not for a file sweep (regkey, mutex, yara …) and are left.
 *
 * A value that is not what its type says is skipped with a warning (the
 * file is well formed; one indicator of it is not usable); a structure that
 * is not a bundle or event (objects not an array, a pattern not a string)
 * refuses the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_int.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/banned.h"

/* ---- warnings and errors ---- */

static void warn(struct sweep_set *s, int dry, int msg, const char *arg)
{
	if (!dry && s->warn)
		s->warn(s->warn_ctx, msg, arg);
}

static int schema(struct err *e, const char *name, const char *ptr, const char *what)
{
	return sweep_fail(e, E_INVALID, MSG_FEED_SCHEMA, name, ": %s: %s", ptr, what);
}

/* Adds one value; a bad value is a warning, running out of memory an error. */
static int add(struct sweep_set *s, int ioc, const char *v, size_t n, int dry,
	       const char *where, struct err *e)
{
	struct err ve = { 0 };
	if (ioc_add(s, ioc, v, n, dry, where, &ve) == 0)
		return 0;
	if (ve.code == E_NOMEM) {
		*e = ve;
		return -1;
	}
	warn(s, dry, MSG_SWEEP_BAD_INDICATOR, ve.arg);
	return 0;
}

/* ---- STIX patterns ---- */

struct pat {
	const char *p;
	size_t n, i;
};

static void pat_ws(struct pat *t)
{
	while (t->i < t->n && (t->p[t->i] == ' ' || t->p[t->i] == '\t' || t->p[t->i] == '\r' ||
			       t->p[t->i] == '\n'))
		t->i++;
}

/* Unterminated strings and unbalanced brackets: the pattern is malformed.
 * Returns -1 and the offending character's offset in *at. */
static int pat_lint(const char *p, size_t n, size_t *at)
{
	int depth = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\'') {
			size_t start = i;
			for (i++; i < n && p[i] != '\''; i++)
				if (p[i] == '\\')
					i++;
			if (i >= n) {
				*at = start;
				return -1;
			}
		} else if (p[i] == '[' || p[i] == '(') {
			depth++;
		} else if (p[i] == ']' || p[i] == ')') {
			if (--depth < 0) {
				*at = i;
				return -1;
			}
		}
	}
	if (depth != 0) {
		*at = n;
		return -1;
	}
	return 0;
}

static int pat_word(struct pat *t, const char *w)
{
	size_t l = strlen(w);
	pat_ws(t);
	if (t->n - t->i < l || strncmp(t->p + t->i, w, l) != 0)
		return 0;
	char next = t->i + l < t->n ? t->p[t->i + l] : ' ';
	if ((next >= 'A' && next <= 'Z') || (next >= 'a' && next <= 'z') || next == '_')
		return 0;
	t->i += l;
	return 1;
}

/* An object path such as file:hashes.'SHA-256', its quotes dropped and
 * lower-cased into out. */
static int pat_path(struct pat *t, char *out, size_t cap)
{
	size_t o = 0;
	pat_ws(t);
	while (t->i < t->n) {
		char c = t->p[t->i];
		if (c == '\'') {
			for (t->i++; t->i < t->n && t->p[t->i] != '\''; t->i++)
				if (o + 1 < cap) {
					char q = t->p[t->i];
					out[o++] = (char)(q >= 'A' && q <= 'Z' ? q + 32 : q);
				}
			t->i++;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == ':' || c == '.' || c == '[' || c == '*' ||
		      c == ']'))
			break;
		if (c == ']' && (o == 0 || out[o - 1] != '*'))
			break;   /* the end of the observation, not to_refs[*] */
		if (o + 1 < cap)
			out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		t->i++;
	}
	out[o] = '\0';
	return o > 0;
}

/* A quoted value, unescaped into out; its length, or -1. */
static long pat_string(struct pat *t, char *out, size_t cap)
{
	size_t o = 0;
	pat_ws(t);
	if (t->i >= t->n || t->p[t->i] != '\'')
		return -1;
	for (t->i++; t->i < t->n && t->p[t->i] != '\''; t->i++) {
		if (t->p[t->i] == '\\' && t->i + 1 < t->n)
			t->i++;
		if (o + 1 >= cap)
			return -1;
		out[o++] = t->p[t->i];
	}
	if (t->i >= t->n)
		return -1;
	t->i++;
	out[o] = '\0';
	return (long)o;
}

static const struct {
	const char *path;
	int ioc;
} stix_paths[] = {
	{ "ipv4-addr:value", SWEEP_IOC_IP },
	{ "ipv6-addr:value", SWEEP_IOC_IP },
	{ "domain-name:value", SWEEP_IOC_DOMAIN },
	{ "url:value", SWEEP_IOC_URL },
	{ "email-addr:value", SWEEP_IOC_EMAIL },
	{ "email-message:from_ref.value", SWEEP_IOC_EMAIL },
	{ "email-message:sender_ref.value", SWEEP_IOC_EMAIL },
	{ "file:hashes.md5", SWEEP_IOC_MD5 },
	{ "file:hashes.sha-1", SWEEP_IOC_SHA1 },
	{ "file:hashes.sha1", SWEEP_IOC_SHA1 },
	{ "file:hashes.sha-256", SWEEP_IOC_SHA256 },
	{ "file:hashes.sha256", SWEEP_IOC_SHA256 },
	{ "file:name", SWEEP_IOC_FILENAME },
};

struct cmp {
	int ioc;       /* 0: a path this reader does not use */
	char path[96];
	char value[SWEEP_MAX_VALUE + 1];
	size_t len;
};

#define PAT_MAX_CMP 64

/* Parses the OR-of-equalities subset into c[]; the count, or -1 when the
 * pattern uses more than that subset. */
static int pat_parse(struct pat *t, struct cmp *c, int max)
{
	int k = 0;
	do {
		pat_ws(t);
		if (t->i >= t->n || t->p[t->i] != '[')
			return -1;
		t->i++;
		do {
			if (k == max || !pat_path(t, c[k].path, sizeof(c[k].path)))
				return -1;
			pat_ws(t);
			if (t->i >= t->n || t->p[t->i] != '=')
				return -1;
			t->i++;
			long l = pat_string(t, c[k].value, sizeof(c[k].value));
			if (l < 0)
				return -1;
			c[k].len = (size_t)l;
			c[k].ioc = 0;
			for (size_t j = 0; j < sizeof(stix_paths) / sizeof(stix_paths[0]); j++)
				if (strcmp(stix_paths[j].path, c[k].path) == 0)
					c[k].ioc = stix_paths[j].ioc;
			k++;
		} while (pat_word(t, "OR"));
		pat_ws(t);
		if (t->i >= t->n || t->p[t->i] != ']')
			return -1;
		t->i++;
	} while (pat_word(t, "OR"));
	pat_ws(t);
	return t->i == t->n ? k : -1;
}

static int stix_indicator(struct sweep_set *s, const char *name, json_t *o, size_t idx,
			  struct cmp *c, int dry, struct err *e)
{
	char ptr[64], where[160], arg[160];
	snprintf(ptr, sizeof(ptr), "/objects/%zu", idx);
	const char *id = json_string_value(json_object_get(o, "id"));
	json_t *pt = json_object_get(o, "pattern_type");
	if (pt && !json_is_string(pt))
		return schema(e, name, ptr, "pattern_type is not a string");
	if (pt && strcmp(json_string_value(pt), "stix") != 0)
		return 0;   /* snort, yara, sigma … patterns are not read here */
	if (json_is_true(json_object_get(o, "revoked")))
		return 0;
	const char *until = json_string_value(json_object_get(o, "valid_until"));
	int64_t ms;
	if (until && time_parse(until, &ms) == 0 && ms < time_now_ms())
		return 0;
	json_t *pj = json_object_get(o, "pattern");
	if (!json_is_string(pj))
		return schema(e, name, ptr, "indicator without a pattern string");
	const char *p = json_string_value(pj);
	size_t n = json_string_length(pj), at;
	if (pat_lint(p, n, &at) != 0)
		return sweep_fail(e, E_MALFORMED, MSG_FEED_SYNTAX, name,
				  ": %s/pattern, character %zu: %s", ptr, at + 1,
				  at < n && p[at] == '\'' ? "unterminated string" : "unbalanced bracket");
	struct pat t = { p, n, 0 };
	int k = pat_parse(&t, c, PAT_MAX_CMP);
	if (k < 0) {
		sweep_msg(arg, sizeof(arg), name, ": %s: %.60s%s", id ? id : ptr, p,
			  n > 60 ? "..." : "");
		warn(s, dry, MSG_SWEEP_PATTERN_SKIPPED, arg);
		return 0;
	}
	sweep_msg(where, sizeof(where), name, ": %s/pattern", ptr);
	for (int i = 0; i < k; i++) {
		if (c[i].ioc == 0) {
			sweep_msg(arg, sizeof(arg), name, ": %s: %s", id ? id : ptr, c[i].path);
			warn(s, dry, MSG_SWEEP_PATTERN_SKIPPED, arg);
			continue;
		}
		if (add(s, c[i].ioc, c[i].value, c[i].len, dry, where, e) != 0)
			return -1;
	}
	return 0;
}

static int stix_load(struct sweep_set *s, const char *name, json_t *objects, int dry,
		     struct err *e)
{
	if (!json_is_array(objects))
		return schema(e, name, "/objects", "not an array");
	struct cmp *c = malloc(sizeof(*c) * PAT_MAX_CMP);
	if (c == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	int rc = 0;
	size_t i;
	json_t *o;
	json_array_foreach(objects, i, o) {
		char ptr[64];
		snprintf(ptr, sizeof(ptr), "/objects/%zu", i);
		const char *type = json_string_value(json_object_get(o, "type"));
		if (!json_is_object(o) || type == NULL) {
			rc = schema(e, name, ptr, "not a STIX object (no type)");
			break;
		}
		if (strcmp(type, "indicator") == 0 &&
		    stix_indicator(s, name, o, i, c, dry, e) != 0) {
			rc = -1;
			break;
		}
	}
	free(c);
	return rc;
}

/* ---- MISP ---- */

static const struct {
	const char *type;
	int first, second;   /* kinds of the value's parts (a|b) */
} misp_types[] = {
	{ "ip-src", SWEEP_IOC_IP, 0 },
	{ "ip-dst", SWEEP_IOC_IP, 0 },
	{ "ip-src|port", SWEEP_IOC_IP, -1 },
	{ "ip-dst|port", SWEEP_IOC_IP, -1 },
	{ "domain", SWEEP_IOC_DOMAIN, 0 },
	{ "hostname", SWEEP_IOC_DOMAIN, 0 },
	{ "hostname|port", SWEEP_IOC_DOMAIN, -1 },
	{ "domain|ip", SWEEP_IOC_DOMAIN, SWEEP_IOC_IP },
	{ "url", SWEEP_IOC_URL, 0 },
	{ "email", SWEEP_IOC_EMAIL, 0 },
	{ "email-src", SWEEP_IOC_EMAIL, 0 },
	{ "email-dst", SWEEP_IOC_EMAIL, 0 },
	{ "md5", SWEEP_IOC_MD5, 0 },
	{ "sha1", SWEEP_IOC_SHA1, 0 },
	{ "sha256", SWEEP_IOC_SHA256, 0 },
	{ "filename", SWEEP_IOC_FILENAME, 0 },
	{ "filename|md5", SWEEP_IOC_FILENAME, SWEEP_IOC_MD5 },
	{ "filename|sha1", SWEEP_IOC_FILENAME, SWEEP_IOC_SHA1 },
	{ "filename|sha256", SWEEP_IOC_FILENAME, SWEEP_IOC_SHA256 },
};

/* to_ids is true, 1 or "1" depending on the MISP version that wrote it. */
static int misp_true(const json_t *v)
{
	if (json_is_true(v))
		return 1;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (json_is_string(v))
		return strcmp(json_string_value(v), "1") == 0 ||
		       strcmp(json_string_value(v), "true") == 0;
	return 0;
}

static int misp_attribute(struct sweep_set *s, const char *name, json_t *a, const char *ptr,
			  int dry, struct err *e)
{
	if (!json_is_object(a))
		return schema(e, name, ptr, "not an attribute object");
	json_t *tj = json_object_get(a, "type"), *vj = json_object_get(a, "value");
	if (!json_is_string(tj) || !json_is_string(vj))
		return schema(e, name, ptr, "attribute without a type and value string");
	if (!misp_true(json_object_get(a, "to_ids")) || misp_true(json_object_get(a, "deleted")))
		return 0;
	const char *type = json_string_value(tj), *v = json_string_value(vj);
	size_t n = json_string_length(vj);
	char where[160];
	sweep_msg(where, sizeof(where), name, ": %s/value", ptr);
	for (size_t i = 0; i < sizeof(misp_types) / sizeof(misp_types[0]); i++) {
		if (strcmp(misp_types[i].type, type) != 0)
			continue;
		if (misp_types[i].second == 0)
			return add(s, misp_types[i].first, v, n, dry, where, e);
		const char *bar = memchr(v, '|', n);
		size_t l1 = bar ? (size_t)(bar - v) : n;
		if (add(s, misp_types[i].first, v, l1, dry, where, e) != 0)
			return -1;
		if (bar && misp_types[i].second > 0)
			return add(s, misp_types[i].second, bar + 1, n - l1 - 1, dry, where, e);
		return 0;
	}
	return 0;
}

static int misp_attributes(struct sweep_set *s, const char *name, json_t *list,
			   const char *ptr, int dry, struct err *e)
{
	if (list == NULL)
		return 0;
	if (!json_is_array(list))
		return schema(e, name, ptr, "not an array");
	size_t i;
	json_t *a;
	json_array_foreach(list, i, a) {
		char p[128];
		snprintf(p, sizeof(p), "%s/%zu", ptr, i);
		if (misp_attribute(s, name, a, p, dry, e) != 0)
			return -1;
	}
	return 0;
}

static int misp_event(struct sweep_set *s, const char *name, json_t *ev, const char *ptr,
		      int dry, struct err *e)
{
	char p[128];
	if (!json_is_object(ev))
		return schema(e, name, ptr, "not an event object");
	snprintf(p, sizeof(p), "%s/Attribute", ptr);
	if (misp_attributes(s, name, json_object_get(ev, "Attribute"), p, dry, e) != 0)
		return -1;
	json_t *objs = json_object_get(ev, "Object");
	if (objs == NULL)
		return 0;
	snprintf(p, sizeof(p), "%s/Object", ptr);
	if (!json_is_array(objs))
		return schema(e, name, p, "not an array");
	size_t i;
	json_t *o;
	json_array_foreach(objs, i, o) {
		snprintf(p, sizeof(p), "%s/Object/%zu", ptr, i);
		if (!json_is_object(o))
			return schema(e, name, p, "not an object");
		snprintf(p, sizeof(p), "%s/Object/%zu/Attribute", ptr, i);
		if (misp_attributes(s, name, json_object_get(o, "Attribute"), p, dry, e) != 0)
			return -1;
	}
	return 0;
}

int sweep_feed_load(struct sweep_set *s, const char *name, json_t *root, int dry,
		    struct err *e)
{
	if (!json_is_object(root))
		return 1;
	const char *type = json_string_value(json_object_get(root, "type"));
	json_t *objects = json_object_get(root, "objects");
	if ((type && strcmp(type, "bundle") == 0) || (type == NULL && objects))
		return stix_load(s, name, objects, dry, e);
	json_t *ev = json_object_get(root, "Event");
	if (ev)
		return misp_event(s, name, ev, "/Event", dry, e);
	json_t *resp = json_object_get(root, "response");
	if (json_is_array(resp)) {
		size_t i;
		json_t *r;
		json_array_foreach(resp, i, r) {
			char p[64];
			snprintf(p, sizeof(p), "/response/%zu/Event", i);
			if (misp_event(s, name, json_object_get(r, "Event"), p, dry, e) != 0)
				return -1;
		}
		return 0;
	}
	if (json_object_get(root, "Attribute") && json_object_get(root, "info"))
		return misp_event(s, name, root, "", dry, e);
	return 1;
}
