/*
 * ioc_misp.c - MISP event JSON in and out. In: attributes (also those of
 * objects) of indicator types with their to_ids, composite types split,
 * tlp:* / misp-galaxy / ungcuu:confidence tags, first_seen/last_seen.
 * Out: one event whose attributes have UUIDv5 uuids, so an event we export
 * imports again unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ioc.h"
#include "ioc_int.h"
#include "misp.h"
#include "../../base/arena.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

/* What a MISP attribute type gives. Composite types ("a|b") give their
 * first part (ip-dst|port, hostname|port), both parts (domain|ip), or the
 * hash named by the file name (filename|sha256). */
enum {
	M_IP,          /* IPv4, IPv6 or CIDR by the value */
	M_KIND,        /* kind */
	M_FIRST,       /* first part of a composite, as kind (M_IP for -1) */
	M_DOMAIN_IP,   /* domain|ip */
	M_FILE_HASH,   /* filename|hash */
	M_STIX,        /* a STIX pattern */
	M_TEXT,        /* a pattern kept as text, of pattern type ptype */
};

static const struct {
	const char *type;
	int how;
	int kind;
	const char *ptype;
	const char *category;         /* for export: the first entry of a kind is written */
} misp_types[] = {
	{ "ip-dst", M_IP, IOC_IPV4, NULL, "Network activity" },
	{ "ip-src", M_IP, IOC_IPV4, NULL, "Network activity" },
	{ "ip-dst|port", M_FIRST, -1, NULL, NULL },
	{ "ip-src|port", M_FIRST, -1, NULL, NULL },
	{ "domain", M_KIND, IOC_DOMAIN, NULL, "Network activity" },
	{ "hostname", M_KIND, IOC_DOMAIN, NULL, NULL },
	{ "hostname|port", M_FIRST, IOC_DOMAIN, NULL, NULL },
	{ "domain|ip", M_DOMAIN_IP, IOC_DOMAIN, NULL, NULL },
	{ "url", M_KIND, IOC_URL, NULL, "Network activity" },
	{ "sha256", M_KIND, IOC_SHA256, NULL, "Payload delivery" },
	{ "sha1", M_KIND, IOC_SHA1, NULL, "Payload delivery" },
	{ "md5", M_KIND, IOC_MD5, NULL, "Payload delivery" },
	{ "filename|sha256", M_FILE_HASH, IOC_SHA256, NULL, "Payload delivery" },
	{ "filename|sha1", M_FILE_HASH, IOC_SHA1, NULL, "Payload delivery" },
	{ "filename|md5", M_FILE_HASH, IOC_MD5, NULL, "Payload delivery" },
	{ "filename", M_KIND, IOC_FILENAME, NULL, "Payload delivery" },
	{ "email-src", M_KIND, IOC_EMAIL, NULL, "Payload delivery" },
	{ "email", M_KIND, IOC_EMAIL, NULL, NULL },
	{ "email-dst", M_KIND, IOC_EMAIL, NULL, NULL },
	{ "email-reply-to", M_KIND, IOC_EMAIL, NULL, NULL },
	{ "yara", M_KIND, IOC_YARA, NULL, "Payload installation" },
	{ "stix2-pattern", M_STIX, IOC_PATTERN, "stix", "Payload installation" },
	{ "snort", M_TEXT, IOC_PATTERN, "snort", "Network activity" },
	{ "sigma", M_TEXT, IOC_PATTERN, "sigma", "Payload installation" },
};

#define NTYPES (sizeof(misp_types) / sizeof(misp_types[0]))

static int type_index(const char *type)
{
	for (size_t i = 0; i < NTYPES; i++)
		if (strcmp(type, misp_types[i].type) == 0)
			return (int)i;
	return -1;
}

/* What the tags of an event or an attribute say. */
struct tags {
	int tlp;                      /* TLP_NONE when no tlp:* tag */
	int confidence;               /* -1 when none */
	struct ioc_strv plain;
	struct ioc_refv related;
};

static int read_tags(struct ioc_where *w, const json_t *o, struct tags *t)
{
	json_t *list;
	t->tlp = TLP_NONE;
	t->confidence = -1;
	if (ioc_jarr(w, o, "Tag", &list) != 0)
		return -1;
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *tag = json_array_get(list, i);
		const char *name;
		char key[32];
		snprintf(key, sizeof(key), "Tag/%zu", i);
		if (!json_is_object(tag))
			return ioc_jfail(w, E_INVALID, MSG_IOC_SCHEMA, key, "expected an object");
		if (ioc_jstr(w, tag, "name", IOC_MAX_TEXT, &name) != 0)
			return -1;
		if (name == NULL)
			return ioc_jfail(w, E_INVALID, MSG_IOC_SCHEMA, key, "no name");
		if (ioc_tag(w, key, name, &t->tlp, &t->confidence, &t->plain, &t->related) != 0)
			return -1;
	}
	return 0;
}

struct event {
	struct ioc_run *r;
	const char *source;
	struct tags tags;
};

/* The fields of one attribute that every record of it shares. */
static int attr_base(struct event *ev, struct ioc_where *w, const json_t *a, struct ioc *b)
{
	struct tags own = { 0 };
	memset(b, 0, sizeof(*b));
	b->to_ids = 1;
	if (ioc_jbool(w, a, "to_ids", &b->to_ids) != 0 ||
	    ioc_jstr(w, a, "comment", IOC_MAX_TEXT, &b->description) != 0 ||
	    ioc_jstr(w, a, "uuid", 300, &b->origin_id) != 0 ||
	    ioc_jtime(w, a, "timestamp", 1, &b->modified) != 0 ||
	    ioc_jtime(w, a, "first_seen", 1, &b->valid_from) != 0 ||
	    ioc_jtime(w, a, "last_seen", 1, &b->valid_until) != 0 || read_tags(w, a, &own) != 0)
		return -1;
	if (b->description && *b->description == '\0')
		b->description = NULL;
	if (b->valid_from && b->valid_until && b->valid_until <= b->valid_from)
		return ioc_jfail(w, E_INVALID, MSG_IOC_SCHEMA, "last_seen", "not after first_seen");
	b->created = b->modified;
	b->source = ev->source;
	b->tlp = own.tlp != TLP_NONE ? own.tlp : ev->tags.tlp;
	b->confidence = own.confidence >= 0 ? own.confidence : ev->tags.confidence;
	struct ioc_strv tags = { 0 };
	struct ioc_refv rel = { 0 };
	for (size_t i = 0; i < ev->tags.plain.n; i++)
		if (ioc_strv_add(ev->r, &tags, ev->tags.plain.v[i]) != 0)
			return -1;
	for (size_t i = 0; i < own.plain.n; i++)
		if (ioc_strv_add(ev->r, &tags, own.plain.v[i]) != 0)
			return -1;
	for (size_t i = 0; i < ev->tags.related.n; i++)
		if (ioc_refv_add(ev->r, &rel, ev->tags.related.v[i].type, ev->tags.related.v[i].name) != 0)
			return -1;
	for (size_t i = 0; i < own.related.n; i++)
		if (ioc_refv_add(ev->r, &rel, own.related.v[i].type, own.related.v[i].name) != 0)
			return -1;
	b->tags = tags.v;
	b->ntags = tags.n;
	b->related = rel.v;
	b->nrelated = rel.n;
	return 0;
}

static int record(struct ioc_where *w, const struct ioc *b, int kind, const char *value,
		  size_t len)
{
	const char *why;
	char *raw = arena_strndup(w->r->a, value, len);
	if (raw == NULL)
		return ioc_nomem(w->r);
	if (kind == -1)
		kind = strchr(raw, ':') ? IOC_IPV6 : IOC_IPV4;
	const char *v = ioc_normalise(w->r->a, &kind, raw, &why);
	if (v == NULL)
		return ioc_jfail(w, E_INVALID, MSG_IOC_VALUE, "value", "'%.60s': %s", raw, why);
	struct ioc *i = ioc_run_add(w->r);
	if (i == NULL)
		return -1;
	*i = *b;
	i->kind = kind;
	i->value = v;
	return 0;
}

int ioc_misp_value(struct ioc_where *w, const struct ioc *base, const char *type,
		   const char *value, const char *object_file_name)
{
	int t = type_index(type);
	if (t < 0 || (object_file_name && strcmp(type, "filename") == 0))
		return 1;
	struct ioc b = *base;
	const char *bar = strchr(value, '|');
	int how = misp_types[t].how, kind = misp_types[t].kind;
	switch (how) {
	case M_IP:
		return record(w, &b, -1, value, strlen(value));
	case M_KIND:
		if (object_file_name && kind >= IOC_SHA256 && kind <= IOC_MD5) {
			/* The name in the normal form of a file name, as for
			 * filename|sha256 below (a STIX export trims it too). */
			int fk = IOC_FILENAME;
			const char *why;
			b.file_name = ioc_normalise(w->r->a, &fk, object_file_name, &why);
			if (b.file_name == NULL)
				return ioc_jfail(w, E_INVALID, MSG_IOC_VALUE, "value",
						 "file name '%.60s': %s", object_file_name, why);
		}
		return record(w, &b, kind, value, strlen(value));
	case M_STIX:
		return ioc_pattern_records(w, &b, "value", value);
	case M_TEXT:
		b.pattern_type = misp_types[t].ptype;
		b.why = arena_printf(w->r->a, "MISP %s rule: kept as text, not matched", type);
		return record(w, &b, IOC_PATTERN, value, strlen(value));
	default:
		break;
	}
	if (bar == NULL)
		return ioc_jfail(w, E_INVALID, MSG_IOC_VALUE, "value",
				 "'%.60s': a %s value has two parts split by '|'", value, type);
	if (how == M_FIRST)
		return record(w, &b, kind, value, (size_t)(bar - value));
	if (how == M_DOMAIN_IP)
		return record(w, &b, IOC_DOMAIN, value, (size_t)(bar - value)) == 0 &&
		       record(w, &b, -1, bar + 1, strlen(bar + 1)) == 0 ? 0 : -1;
	/* filename|hash: a hash has no '|', a file name may. */
	bar = strrchr(value, '|');
	int fk = IOC_FILENAME;
	const char *why;
	char *fname = arena_strndup(w->r->a, value, (size_t)(bar - value));
	if (fname == NULL)
		return ioc_nomem(w->r);
	b.file_name = ioc_normalise(w->r->a, &fk, fname, &why);
	if (b.file_name == NULL)
		return ioc_jfail(w, E_INVALID, MSG_IOC_VALUE, "value", "file name '%.60s': %s",
				 fname, why);
	return record(w, &b, kind, bar + 1, strlen(bar + 1));
}

/* One attribute; file_name names the hashes of a file object. */
static int attribute(struct event *ev, const json_t *a, const char *at, const char *file_name)
{
	struct ioc_where w = { .r = ev->r };
	const char *type, *value, *uuid = NULL;
	int deleted = 0;
	struct ioc b;
	if (json_is_object(a) && json_is_string(json_object_get(a, "uuid")))
		uuid = json_string_value(json_object_get(a, "uuid"));
	snprintf(w.at, sizeof(w.at), "%.70s%s%.36s%s", at, uuid ? " (" : "", uuid ? uuid : "",
		 uuid ? ")" : "");
	if (!json_is_object(a))
		return ioc_jfail(&w, E_INVALID, MSG_IOC_SCHEMA, NULL, "an attribute must be an object");
	if (ioc_jstr(&w, a, "type", 100, &type) != 0 ||
	    ioc_jstr(&w, a, "value", IOC_MAX_TEXT, &value) != 0 ||
	    ioc_jbool(&w, a, "deleted", &deleted) != 0)
		return -1;
	if (type == NULL || value == NULL)
		return ioc_jfail(&w, E_INVALID, MSG_IOC_SCHEMA, type ? "value" : "type", "missing");
	/* Context (not an indicator) is kept and sent on as it came
	 * (misp_store.c): checked like the others. */
	if (attr_base(ev, &w, a, &b) != 0)
		return -1;
	if (deleted || type_index(type) < 0 || (file_name && strcmp(type, "filename") == 0)) {
		ev->r->st->skipped++;         /* not an indicator */
		return 0;
	}
	return ioc_misp_value(&w, &b, type, value, file_name) < 0 ? -1 : 0;
}

static int attributes(struct event *ev, const json_t *list, const char *at, const char *file_name)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		char p[112];
		snprintf(p, sizeof(p), "%.80s/%zu", at, i);
		if (attribute(ev, json_array_get(list, i), p, file_name) != 0)
			return -1;
	}
	return 0;
}

/* The file name of a file object that also has a hash: it names the
 * hashes instead of being an indicator of its own. */
const char *ioc_misp_object_file_name(const json_t *attrs)
{
	const char *name = NULL;
	int hash = 0;
	for (size_t i = 0; i < json_array_size(attrs); i++) {
		json_t *a = json_array_get(attrs, i);
		json_t *t = json_object_get(a, "type"), *v = json_object_get(a, "value");
		if (!json_is_string(t) || !json_is_string(v))
			continue;
		int k = type_index(json_string_value(t));
		if (k >= 0 && misp_types[k].how == M_KIND && misp_types[k].kind >= IOC_SHA256 &&
		    misp_types[k].kind <= IOC_MD5)
			hash = 1;
		if (strcmp(json_string_value(t), "filename") == 0)
			name = json_string_value(v);
	}
	return hash ? name : NULL;
}

static int event(struct ioc_run *r, const json_t *e, const char *at)
{
	struct ioc_where w = { .r = r };
	struct event ev = { .r = r };
	json_t *attrs, *objects, *orgc, *org;
	snprintf(w.at, sizeof(w.at), "%s", *at ? at : "/");
	if (!json_is_object(e))
		return ioc_jfail(&w, E_INVALID, MSG_IOC_SCHEMA, NULL, "an event must be an object");
	if (ioc_jarr(&w, e, "Attribute", &attrs) != 0 || ioc_jarr(&w, e, "Object", &objects) != 0 ||
	    ioc_jobj(&w, e, "Orgc", &orgc) != 0 || ioc_jobj(&w, e, "Org", &org) != 0 ||
	    read_tags(&w, e, &ev.tags) != 0)
		return -1;
	if (orgc && ioc_jstr(&w, orgc, "name", IOC_MAX_VALUE, &ev.source) != 0)
		return -1;
	if (ev.source == NULL && org && ioc_jstr(&w, org, "name", IOC_MAX_VALUE, &ev.source) != 0)
		return -1;
	char p[112];
	snprintf(p, sizeof(p), "%.80s/Attribute", at);
	if (attributes(&ev, attrs, p, NULL) != 0)
		return -1;
	for (size_t i = 0; i < json_array_size(objects); i++) {
		json_t *o = json_array_get(objects, i), *oattrs;
		snprintf(p, sizeof(p), "%.80s/Object/%zu", at, i);
		struct ioc_where ow = { .r = r };
		snprintf(ow.at, sizeof(ow.at), "%s", p);
		if (!json_is_object(o))
			return ioc_jfail(&ow, E_INVALID, MSG_IOC_SCHEMA, NULL, "an object must be an object");
		if (ioc_jarr(&ow, o, "Attribute", &oattrs) != 0)
			return -1;
		char q[112];
		snprintf(q, sizeof(q), "%.80s/Attribute", p);
		if (attributes(&ev, oattrs, q, ioc_misp_object_file_name(oattrs)) != 0)
			return -1;
	}
	return 0;
}

/* Walks the events of doc (the forms ioc_parse_misp reads), calling fn
 * with each and its position for messages; 1 when doc is none of them. */
static int each_event(const json_t *doc, int (*fn)(void *, const json_t *, const char *),
		      void *arg)
{
	const json_t *list = NULL;
	const char *at = "";
	if (json_is_object(doc) && json_object_get(doc, "Event"))
		return fn(arg, json_object_get(doc, "Event"), "/Event");
	if (json_is_object(doc) && json_is_array(json_object_get(doc, "response"))) {
		list = json_object_get(doc, "response");
		at = "/response";
	} else if (json_is_array(doc)) {
		list = doc;
	} else if (json_is_object(doc) && (json_object_get(doc, "Attribute") ||
					   json_object_get(doc, "Object") ||
					   json_object_get(doc, "info"))) {
		return fn(arg, doc, "");
	}
	if (list == NULL)
		return 1;
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *item = json_array_get(list, i);
		char p[112];
		if (json_is_object(item) && json_object_get(item, "Event")) {
			snprintf(p, sizeof(p), "%.80s/%zu/Event", at, i);
			item = json_object_get(item, "Event");
		} else {
			snprintf(p, sizeof(p), "%.80s/%zu", at, i);
		}
		int rc = fn(arg, item, p);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int event_cb(void *arg, const json_t *e, const char *at)
{
	return event(arg, e, at) == 0 ? 0 : -1;
}

static int events(struct ioc_run *r, const json_t *doc)
{
	struct ioc_where w = { .r = r, .at = "/" };
	int rc = each_event(doc, event_cb, r);
	if (rc != 1)
		return rc;
	const json_t *type = json_is_object(doc) ? json_object_get(doc, "type") : NULL;
	if (json_is_string(type) && strcmp(json_string_value(type), "bundle") == 0)
		return ioc_jfail(&w, E_INVALID, MSG_IOC_SCHEMA, NULL,
				 "a STIX bundle, not MISP (import it as stix)");
	return ioc_jfail(&w, E_INVALID, MSG_IOC_SCHEMA, NULL,
			 "not a MISP event: no \"Event\" object");
}

struct each {
	int (*fn)(void *, const json_t *);
	void *arg;
};

static int each_cb(void *arg, const json_t *e, const char *at)
{
	(void)at;
	struct each *x = arg;
	return json_is_object(e) ? x->fn(x->arg, e) : 0;
}

int ioc_misp_each_event(const json_t *doc, int (*fn)(void *arg, const json_t *event), void *arg)
{
	struct each x = { fn, arg };
	int rc = each_event(doc, each_cb, &x);
	return rc == 1 ? 0 : rc;
}

int ioc_misp_is_indicator_type(const char *type)
{
	return type && type_index(type) >= 0;
}

const char *ioc_misp_category(const char *type)
{
	int t = type ? type_index(type) : -1;
	return t >= 0 ? misp_types[t].category : NULL;
}

/* The TLP of a tag name ("tlp:amber"); -1 when it is no TLP label. */
static int tag_tlp(const json_t *tag)
{
	const char *name = json_string_value(json_object_get(tag, "name"));
	return name && strncasecmp(name, "tlp:", 4) == 0 ? tlp_parse(name) : -1;
}

int ioc_misp_one_tlp(json_t *tags, int *tlp)
{
	int best = TLP_NONE, removed = 0;
	size_t keep = (size_t)-1;
	for (size_t i = 0; i < json_array_size(tags); i++) {
		int t = tag_tlp(json_array_get(tags, i));
		if (t > best) {
			best = t;
			keep = i;
		}
	}
	for (size_t i = json_array_size(tags); i-- > 0;) {
		if (i == keep || tag_tlp(json_array_get(tags, i)) < 0)
			continue;
		json_array_remove(tags, i);
		removed++;
	}
	if (tlp)
		*tlp = best;
	return removed;
}

long ioc_parse_misp(const char *name, const char *data, size_t n, ioc_sink sink, void *arg,
		    struct ioc_stats *st, struct err *e)
{
	struct ioc_run r;
	long rc = -1;
	if (ioc_run_init(&r, name, st, e) != 0)
		return -1;
	json_t *doc = ioc_json_load(&r, data, n);
	if (doc && events(&r, doc) == 0)
		rc = ioc_run_deliver(&r, sink, arg);
	json_decref(doc);
	ioc_run_release(&r);
	return rc;
}

/* ---- export ---- */

static int put(json_t *o, const char *key, json_t *v)
{
	if (v == NULL)
		return -1;
	return json_object_set_new(o, key, v);
}

static int add_tag(json_t *tags, json_t *name)
{
	json_t *t = json_object();
	if (t == NULL || name == NULL || json_object_set_new(t, "name", name) != 0) {
		json_decref(t);
		json_decref(name);
		return -1;
	}
	return json_array_append_new(tags, t);
}

static int tlp_tag(json_t *tags, int tlp)
{
	char t[32];
	snprintf(t, sizeof(t), "tlp:%s", tlp_name(tlp));
	for (char *c = t; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	return add_tag(tags, json_string(t));
}

/* The MISP type and category of a record; NULL when MISP has none. */
static const char *misp_type(const struct ioc *i, const char **category)
{
	int want = i->kind == IOC_IPV6 || i->kind == IOC_CIDR ? IOC_IPV4 : i->kind;
	for (size_t k = 0; k < NTYPES; k++) {
		if (misp_types[k].category == NULL || misp_types[k].kind != want)
			continue;
		if (i->kind == IOC_PATTERN &&
		    (i->pattern_type == NULL || strcmp(i->pattern_type, misp_types[k].ptype) != 0))
			continue;
		if ((misp_types[k].how == M_FILE_HASH) != (i->file_name != NULL &&
							   want >= IOC_SHA256 && want <= IOC_MD5))
			continue;
		*category = misp_types[k].category;
		return misp_types[k].type;
	}
	return NULL;
}

static int put_seconds(json_t *o, const char *key, int64_t ms)
{
	return put(o, key, json_sprintf("%lld", (long long)(ms / 1000)));
}

static json_t *misp_attribute(const struct ioc *i, const char *type, const char *category,
			      int64_t now)
{
	char u[IOC_UUID_LEN], t[TIME_RFC3339_LEN];
	json_t *a = json_object(), *tags = json_array();
	if (a == NULL || tags == NULL || ioc_uuid(i, u) == NULL) {
		json_decref(a);
		json_decref(tags);
		return NULL;
	}
	int rc = put(a, "uuid", json_string(u)) | put(a, "type", json_string(type)) |
		 put(a, "category", json_string(category)) |
		 put(a, "to_ids", json_boolean(i->to_ids)) |
		 put(a, "distribution", json_string("5")) |     /* as the event */
		 put(a, "deleted", json_false()) |
		 put_seconds(a, "timestamp", i->modified ? i->modified : now);
	if (i->file_name && strchr(type, '|'))
		rc |= put(a, "value", json_sprintf("%s|%s", i->file_name, i->value));
	else
		rc |= put(a, "value", json_string(i->value));
	if (i->description)
		rc |= put(a, "comment", json_string(i->description));
	if (i->valid_from)
		rc |= put(a, "first_seen", json_string(time_format_utc(i->valid_from, t)));
	if (i->valid_until)
		rc |= put(a, "last_seen", json_string(time_format_utc(i->valid_until, t)));
	if (i->tlp > TLP_NONE)
		rc |= tlp_tag(tags, i->tlp);
	for (size_t k = 0; k < i->ntags; k++)
		if (!ioc_tag_is_field(i->tags[k]))
			rc |= add_tag(tags, json_string(i->tags[k]));
	for (size_t k = 0; k < i->nrelated; k++) {
		const char *g = ioc_stix_to_galaxy(i->related[k].type);
		if (g)
			rc |= add_tag(tags, json_sprintf("misp-galaxy:%s=\"%s\"", g, i->related[k].name));
	}
	if (i->confidence >= 0 && i->confidence <= 100)
		rc |= add_tag(tags, json_sprintf("ungcuu:confidence=\"%d\"", i->confidence));
	rc |= put(a, "Tag", tags);
	if (rc != 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

char *ioc_misp_own_uuid(const char *producer, char out[IOC_UUID_LEN])
{
	char name[400];
	int n = snprintf(name, sizeof(name), "misp-event:%s", producer);
	return n < 0 ? NULL : ioc_uuid5(name, strlen(name), out);
}

/* MISP's distribution for the most restrictive label of an event: TLP:CLEAR
 * may go to all communities ("3"), GREEN to this community ("1"), the
 * others to the recipient organisation only ("0"). */
const char *ioc_misp_distribution(int tlp)
{
	return tlp == TLP_CLEAR ? "3" : tlp == TLP_GREEN ? "1" : "0";
}

json_t *ioc_export_misp(const struct ioc *iocs, size_t n, struct ioc_export *xp, struct err *e)
{
	struct ioc_export dflt = { 0 };
	char u[IOC_UUID_LEN], ou[IOC_UUID_LEN], t[TIME_RFC3339_LEN];
	int tlp = TLP_NONE;
	if (xp == NULL)
		xp = &dflt;
	xp->exported = xp->withheld = xp->unsupported = 0;
	int64_t now = xp->now ? xp->now : time_now_ms(), latest = 0;
	json_t *attrs = json_array(), *ev = json_object(), *tags = json_array(), *doc = NULL;
	if (attrs == NULL || ev == NULL || tags == NULL)
		goto nomem;
	for (size_t k = 0; k < n; k++) {
		const struct ioc *i = &iocs[k];
		const char *category = NULL, *type;
		if (!ioc_may_share(i, xp->recipient_org)) {
			xp->withheld++;
			continue;
		}
		type = i->value && i->kind >= 0 && i->kind < IOC__COUNT ? misp_type(i, &category) : NULL;
		if (type == NULL) {
			xp->unsupported++;
			continue;
		}
		json_t *a = misp_attribute(i, type, category, now);
		if (a == NULL) {
			err_set(e, E_INVALID, MSG_IOC_VALUE, "a record is not valid UTF-8, or no memory");
			goto out;
		}
		if (json_array_append_new(attrs, a) != 0)
			goto nomem;
		if ((i->modified ? i->modified : now) > latest)
			latest = i->modified ? i->modified : now;   /* as its attribute's timestamp */
		tlp = tlp_stricter(tlp, i->tlp);
		xp->exported++;
	}
	/* The same event on every export: its uuid is the producer's, its
	 * times those of its newest record. */
	const char *who = xp->producer_id ? xp->producer_id : xp->producer ? xp->producer : "ungcuu";
	char name[400];
	if (ioc_misp_own_uuid(who, u) == NULL)
		goto nomem;
	if (xp->producer_id == NULL) {
		snprintf(name, sizeof(name), "misp-org:%s", who);
		if (ioc_uuid5(name, strlen(name), ou) == NULL)
			goto nomem;
	}
	if (tlp > TLP_NONE && tlp_tag(tags, tlp) != 0)
		goto nomem;
	int rc = put(ev, "Tag", tags);        /* put takes the reference, even failing */
	rc |= put(ev, "Attribute", attrs);
	tags = attrs = NULL;
	int64_t when = latest ? latest : now;
	time_format_utc(when, t);
	t[10] = '\0';                        /* the date */
	if (rc || put(ev, "uuid", json_string(u)) ||
	    put(ev, "info", json_string(xp->title ? xp->title : "ungcuu export")) ||
	    put(ev, "date", json_string(t)) || put_seconds(ev, "timestamp", when) ||
	    put(ev, "published", json_false()) || put(ev, "publish_timestamp", json_string("0")) ||
	    put(ev, "distribution", json_string(ioc_misp_distribution(tlp))) ||
	    put(ev, "sharing_group_id", json_string("0")) ||
	    put(ev, "analysis", json_string("2")) ||
	    put(ev, "threat_level_id", json_string("4")) ||
	    put(ev, "Orgc", json_pack("{s:s, s:s}", "uuid", xp->producer_id ? xp->producer_id : ou,
				      "name", xp->producer ? xp->producer : "ungcuu")))
		goto nomem;
	doc = json_pack("{s:o}", "Event", ev);   /* takes ev */
	ev = NULL;
	if (doc == NULL)
		goto nomem;
	goto out;
nomem:
	err_set(e, E_NOMEM, MSG_IOC_LIMIT, "MISP export: out of memory");
out:
	json_decref(attrs);
	json_decref(tags);
	json_decref(ev);
	return doc;
}
