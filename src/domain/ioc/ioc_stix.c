/*
 * ioc_stix.c - STIX 2.1 bundles in and out. In: indicators (through the
 * pattern parser), the observables an infrastructure consists of, TLP 1.0
 * and 2.0 markings, relationships to named objects, created_by_ref
 * identities; the latest version of each id. Out: a bundle of indicators
 * with UUIDv5 ids, the official TLP 2.0 marking-definitions, the related
 * objects and "indicates" relationships.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ioc.h"
#include "ioc_int.h"
#include "../../base/arena.h"
#include "../../base/crypto.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

/* The TLP marking-definitions STIX and the TLP 2.0 extension publish
 * (oasis-open/cti-stix-common-objects, extension-definition-specifications/
 * tlp-2.0): TLP 1.0 first, then 2.0, which is what we write. */
#define TLP2_EXTENSION "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#define TLP2_CREATED "2022-10-01T00:00:00.000Z"

static const struct {
	const char *id;
	int tlp;
	int v2;
} tlp_markings[] = {
	{ "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", TLP_CLEAR, 0 },
	{ "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", TLP_GREEN, 0 },
	{ "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", TLP_AMBER, 0 },
	{ "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TLP_RED, 0 },
	{ "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", TLP_CLEAR, 1 },
	{ "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", TLP_GREEN, 1 },
	{ "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", TLP_AMBER, 1 },
	{ "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", TLP_AMBER_STRICT, 1 },
	{ "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", TLP_RED, 1 },
};

/* Objects an indicator can point at by name (ioc_ref.type). */
static const char *const named_types[] = {
	"malware", "campaign", "threat-actor", "intrusion-set", "tool", "attack-pattern",
	"infrastructure", "vulnerability", NULL,
};

static int is_named_type(const char *t)
{
	for (size_t i = 0; named_types[i]; i++)
		if (strcmp(t, named_types[i]) == 0)
			return 1;
	return 0;
}

/* Observables that are indicators, and the kind of their "value". */
static const struct {
	const char *type;
	int kind;
} sco_kinds[] = {
	{ "ipv4-addr", IOC_IPV4 }, { "ipv6-addr", IOC_IPV6 }, { "domain-name", IOC_DOMAIN },
	{ "url", IOC_URL }, { "email-addr", IOC_EMAIL },
};

struct stix {
	struct ioc_run *r;
	json_t *byid;                 /* id -> the latest version of the object (borrowed) */
	json_t *at;                   /* id -> its JSON pointer in the file */
	json_t *order;                /* ids, in order of first appearance */
	json_t *from;                 /* source id -> [relationship objects] */
	json_t *to;                   /* target id -> [relationship objects] */
};

/* ---- reading the lists ---- */

static const char *jstring(const json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int64_t modified_of(const json_t *o)
{
	int64_t ms = 0;
	const char *m = jstring(o, "modified");
	if (m == NULL || time_parse(m, &ms) != 0)
		m = jstring(o, "created");
	if (m == NULL || time_parse(m, &ms) != 0)
		ms = 0;
	return ms;
}

/* Keeps obj (at pointer ptr) when it is the latest version of its id. */
static int add_object(struct stix *s, json_t *obj, const char *ptr)
{
	struct ioc_where w = { .r = s->r };
	snprintf(w.at, sizeof(w.at), "%s", ptr);
	if (!json_is_object(obj))
		return ioc_jfail(&w, E_INVALID, MSG_IOC_SCHEMA, NULL, "a STIX object must be a JSON object");
	const char *type, *id;
	if (ioc_jstr(&w, obj, "type", 250, &type) != 0 || ioc_jstr(&w, obj, "id", 300, &id) != 0)
		return -1;
	if (type == NULL || id == NULL)
		return ioc_jfail(&w, E_INVALID, MSG_IOC_SCHEMA, type ? "id" : "type",
				 "missing: not a STIX object");
	json_t *old = json_object_get(s->byid, id);
	if (old) {
		s->r->st->superseded++;
		if (modified_of(old) > modified_of(obj))
			return 0;
	} else if (json_array_append_new(s->order, json_string(id)) != 0) {
		return ioc_nomem(s->r);
	}
	if (json_object_set(s->byid, id, obj) != 0 ||
	    json_object_set_new(s->at, id, json_string(ptr)) != 0)
		return ioc_nomem(s->r);
	return 0;
}

static int add_list(struct stix *s, json_t *list, const char *ptr)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		char p[112];
		snprintf(p, sizeof(p), "%.80s/%zu", ptr, i);
		if (add_object(s, json_array_get(list, i), p) != 0)
			return -1;
	}
	return 0;
}

/* Every "objects" array inside v (a TAXII envelope, a server's
 * collections), depth-first; *found counts them. */
static int find_lists(struct stix *s, json_t *v, const char *ptr, int depth, int *found)
{
	if (depth > 8 || !json_is_object(v))
		return 0;
	const char *key;
	json_t *val;
	json_object_foreach(v, key, val) {
		char p[96];
		snprintf(p, sizeof(p), "%.60s/%.30s", ptr, key);
		if (strcmp(key, "objects") == 0 && json_is_array(val)) {
			(*found)++;
			if (add_list(s, val, p) != 0)
				return -1;
		} else if (json_is_object(val)) {
			if (find_lists(s, val, p, depth + 1, found) != 0)
				return -1;
		} else if (json_is_array(val)) {
			for (size_t i = 0; i < json_array_size(val); i++) {
				char q[112];
				snprintf(q, sizeof(q), "%.80s/%zu", p, i);
				if (find_lists(s, json_array_get(val, i), q, depth + 1, found) != 0)
					return -1;
			}
		}
	}
	return 0;
}

static int read_objects(struct stix *s, json_t *doc)
{
	struct ioc_where w = { .r = s->r, .at = "/" };
	const char *type = jstring(doc, "type");
	if (json_is_array(doc))
		return add_list(s, doc, "");
	if (type && strcmp(type, "bundle") == 0) {
		json_t *objs;
		if (ioc_jarr(&w, doc, "objects", &objs) != 0)
			return -1;
		return add_list(s, objs, "/objects");
	}
	if (type && jstring(doc, "id"))
		return add_object(s, doc, "");
	int found = 0;
	if (find_lists(s, doc, "", 0, &found) != 0)
		return -1;
	if (found)
		return 0;
	if (json_is_object(doc) && (json_object_get(doc, "Event") || json_object_get(doc, "Attribute")))
		return ioc_jfail(&w, E_INVALID, MSG_IOC_SCHEMA, NULL,
				 "a MISP event, not STIX (import it as misp)");
	return ioc_jfail(&w, E_INVALID, MSG_IOC_SCHEMA, NULL,
			 "not STIX 2.1: no bundle (type \"bundle\") and no objects[]");
}

static int index_by(struct stix *s, json_t *map, const char *key, json_t *rel)
{
	json_t *list = json_object_get(map, key);
	if (list == NULL) {
		list = json_array();
		if (list == NULL || json_object_set_new(map, key, list) != 0)
			return ioc_nomem(s->r);
	}
	return json_array_append(list, rel) == 0 ? 0 : ioc_nomem(s->r);
}

/* Relationships by source and by target, the latest version of each, not
 * revoked. */
static int index_relationships(struct stix *s)
{
	for (size_t i = 0; i < json_array_size(s->order); i++) {
		json_t *o = json_object_get(s->byid, json_string_value(json_array_get(s->order, i)));
		const char *type = jstring(o, "type"), *src = jstring(o, "source_ref"),
			   *dst = jstring(o, "target_ref");
		if (strcmp(type, "relationship") != 0 || src == NULL || dst == NULL ||
		    json_is_true(json_object_get(o, "revoked")))
			continue;
		if (index_by(s, s->from, src, o) != 0 || index_by(s, s->to, dst, o) != 0)
			return -1;
	}
	return 0;
}

/* ---- one record's fields ---- */

/* The TLP a marking id stands for: an official id, else a TLP
 * marking-definition of the file. TLP_NONE when not a TLP marking. */
static int marking_tlp(struct stix *s, const char *id)
{
	for (size_t i = 0; i < sizeof(tlp_markings) / sizeof(tlp_markings[0]); i++)
		if (strcmp(id, tlp_markings[i].id) == 0)
			return tlp_markings[i].tlp;
	json_t *m = json_object_get(s->byid, id);
	if (m == NULL || strcmp(jstring(m, "type"), "marking-definition") != 0)
		return TLP_NONE;
	int t = -1;
	json_t *def = json_object_get(m, "definition"), *ext = json_object_get(m, "extensions");
	const char *dt = jstring(m, "definition_type");
	if (dt && strcmp(dt, "tlp") == 0)
		t = tlp_parse(jstring(def, "tlp"));
	if (t < 0)
		t = tlp_parse(jstring(json_object_get(ext, TLP2_EXTENSION), "tlp_2_0"));
	if (t < 0 && jstring(m, "name") && strncmp(jstring(m, "name"), "TLP:", 4) == 0)
		t = tlp_parse(jstring(m, "name"));
	return t < 0 ? TLP_NONE : t;
}

/* The most restrictive TLP among the object's markings (whole and
 * granular). */
static int object_tlp(struct stix *s, struct ioc_where *w, const json_t *o)
{
	int tlp = TLP_NONE;
	json_t *refs, *gran;
	if (ioc_jarr(w, o, "object_marking_refs", &refs) != 0 ||
	    ioc_jarr(w, o, "granular_markings", &gran) != 0)
		return -1;
	for (size_t i = 0; i < json_array_size(refs); i++) {
		const char *id;
		if (ioc_jstr_at(w, refs, i, "object_marking_refs", 300, &id) != 0)
			return -1;
		tlp = tlp_stricter(tlp, marking_tlp(s, id));
	}
	for (size_t i = 0; i < json_array_size(gran); i++) {
		const char *id = jstring(json_array_get(gran, i), "marking_ref");
		if (id)
			tlp = tlp_stricter(tlp, marking_tlp(s, id));
	}
	return tlp;
}

/* Named objects at the other end of the object's relationships (an
 * indicator "indicates" a malware; a malware "uses" an infrastructure). */
static int related_of(struct stix *s, const char *id, struct ioc_refv *rel)
{
	for (int dir = 0; dir < 2; dir++) {
		json_t *list = json_object_get(dir ? s->to : s->from, id);
		for (size_t i = 0; i < json_array_size(list); i++) {
			const char *other = jstring(json_array_get(list, i), dir ? "source_ref" : "target_ref");
			json_t *t = json_object_get(s->byid, other);
			const char *type = jstring(t, "type"), *name = jstring(t, "name");
			if (type == NULL || name == NULL || !is_named_type(type) ||
			    json_is_true(json_object_get(t, "revoked")))
				continue;
			if (ioc_refv_add(s->r, rel, type, name) != 0)
				return -1;
		}
	}
	return 0;
}

/* What every record of an object shares: times, text, TLP, tags... */
static int common(struct stix *s, struct ioc_where *w, const json_t *o, struct ioc *base)
{
	json_t *labels;
	struct ioc_strv tags = { 0 };
	struct ioc_refv rel = { 0 };
	const char *creator;
	memset(base, 0, sizeof(*base));
	base->confidence = -1;
	base->to_ids = 1;
	if (ioc_jstr(w, o, "name", IOC_MAX_TEXT, &base->name) != 0 ||
	    ioc_jstr(w, o, "description", IOC_MAX_TEXT, &base->description) != 0 ||
	    ioc_jtime(w, o, "created", 0, &base->created) != 0 ||
	    ioc_jtime(w, o, "modified", 0, &base->modified) != 0 ||
	    ioc_jtime(w, o, "valid_from", 0, &base->valid_from) != 0 ||
	    ioc_jtime(w, o, "valid_until", 0, &base->valid_until) != 0 ||
	    ioc_jarr(w, o, "labels", &labels) != 0 ||
	    ioc_jstr(w, o, "created_by_ref", 300, &creator) != 0 ||
	    ioc_jstr(w, o, "id", 300, &base->origin_id) != 0)
		return -1;
	if (base->name && *base->name == '\0')
		base->name = NULL;                    /* no text is no name */
	if (base->description && *base->description == '\0')
		base->description = NULL;
	if (base->valid_from && base->valid_until && base->valid_until <= base->valid_from)
		return ioc_jfail(w, E_INVALID, MSG_IOC_SCHEMA, "valid_until", "not after valid_from");
	int tlp = object_tlp(s, w, o);
	if (tlp < 0)
		return -1;
	for (size_t i = 0; i < json_array_size(labels); i++) {
		const char *l;
		if (ioc_jstr_at(w, labels, i, "labels", IOC_MAX_TEXT, &l) != 0 ||
		    ioc_tag(w, "labels", l, &tlp, &base->confidence, &tags, &rel) != 0)
			return -1;
	}
	base->tags = tags.v;
	base->ntags = tags.n;
	base->tlp = tlp;
	json_t *conf = json_object_get(o, "confidence");
	if (conf && !json_is_null(conf)) {
		if (!json_is_integer(conf) || json_integer_value(conf) < 0 ||
		    json_integer_value(conf) > 100)
			return ioc_jfail(w, E_INVALID, MSG_IOC_SCHEMA, "confidence",
					 "expected an integer from 0 to 100");
		base->confidence = (int)json_integer_value(conf);
	}
	if (creator)
		base->source = jstring(json_object_get(s->byid, creator), "name");
	if (related_of(s, base->origin_id, &rel) != 0)
		return -1;
	base->related = rel.v;
	base->nrelated = rel.n;
	return 0;
}

static int add_record(struct stix *s, const struct ioc *base, int kind, const char *value)
{
	struct ioc *i = ioc_run_add(s->r);
	if (i == NULL)
		return -1;
	*i = *base;
	i->kind = kind;
	i->value = value;
	return 0;
}

static int indicator(struct stix *s, const json_t *o, const char *at)
{
	struct ioc_where w = { .r = s->r };
	struct ioc base;
	const char *pattern, *ptype;
	snprintf(w.at, sizeof(w.at), "%.60s (%.48s)", at, jstring(o, "id"));
	if (json_is_true(json_object_get(o, "revoked"))) {
		s->r->st->revoked++;
		return 0;
	}
	if (common(s, &w, o, &base) != 0 ||
	    ioc_jstr(&w, o, "pattern", IOC_MAX_TEXT, &pattern) != 0 ||
	    ioc_jstr(&w, o, "pattern_type", 250, &ptype) != 0)
		return -1;
	if (pattern == NULL)
		return ioc_jfail(&w, E_INVALID, MSG_IOC_SCHEMA, "pattern", "missing");
	if (ptype && *ptype == '\0')
		ptype = NULL;
	if (ptype == NULL || strcmp(ptype, "stix") == 0)       /* STIX 2.0 has no pattern_type */
		return ioc_pattern_records(&w, &base, "pattern", pattern);
	int kind = strcmp(ptype, "yara") == 0 ? IOC_YARA : IOC_PATTERN;
	const char *why;
	const char *v = ioc_normalise(s->r->a, &kind, pattern, &why);
	if (v == NULL && kind == IOC_YARA) {
		kind = IOC_PATTERN;
		base.why = arena_printf(s->r->a, "pattern_type yara: %s", why);
		v = ioc_normalise(s->r->a, &kind, pattern, &why);
	} else if (kind == IOC_PATTERN) {
		base.why = arena_printf(s->r->a, "pattern_type %.40s: kept as text, not matched", ptype);
	}
	if (v == NULL) {
		if (strlen(pattern) == 0 || strspn(pattern, " \t\r\n") == strlen(pattern))
			return ioc_jfail(&w, E_INVALID, MSG_IOC_SCHEMA, "pattern", "empty");
		return ioc_nomem(s->r);
	}
	if (kind == IOC_PATTERN)
		base.pattern_type = ptype;
	return add_record(s, &base, kind, v);
}

/* Observables an infrastructure consists of: C2 addresses, hosting
 * domains... Named after the infrastructure, related to it and to what it
 * is related to. */
static int infrastructure(struct stix *s, const json_t *infra, const char *at, json_t *done)
{
	json_t *list = json_object_get(s->from, jstring(infra, "id"));
	if (json_is_true(json_object_get(infra, "revoked")))
		return 0;
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *rel = json_array_get(list, i);
		const char *rt = jstring(rel, "relationship_type"), *tid = jstring(rel, "target_ref");
		json_t *sco = json_object_get(s->byid, tid);
		const char *type = jstring(sco, "type");
		int kind = -1;
		for (size_t k = 0; type && k < sizeof(sco_kinds) / sizeof(sco_kinds[0]); k++)
			if (strcmp(type, sco_kinds[k].type) == 0)
				kind = sco_kinds[k].kind;
		if (rt == NULL || strcmp(rt, "consists-of") != 0 || kind < 0 ||
		    json_object_get(done, tid))
			continue;
		struct ioc_where w = { .r = s->r };
		snprintf(w.at, sizeof(w.at), "%.60s (%.48s)", json_string_value(json_object_get(s->at, tid)), tid);
		struct ioc base;
		const char *value, *why;
		struct ioc_refv rel_v = { 0 };
		if (common(s, &w, sco, &base) != 0 || ioc_jstr(&w, sco, "value", IOC_MAX_VALUE, &value) != 0)
			return -1;
		if (value == NULL)
			return ioc_jfail(&w, E_INVALID, MSG_IOC_SCHEMA, "value", "missing");
		const char *v = ioc_normalise(s->r->a, &kind, value, &why);
		if (v == NULL)
			return ioc_jfail(&w, E_INVALID, MSG_IOC_VALUE, "value", "'%.60s': %s", value, why);
		struct ioc ib;
		struct ioc_where iw = { .r = s->r };
		snprintf(iw.at, sizeof(iw.at), "%.60s (%.48s)", at, jstring(infra, "id"));
		if (common(s, &iw, infra, &ib) != 0)
			return -1;
		for (size_t k = 0; k < ib.nrelated; k++)
			if (ioc_refv_add(s->r, &rel_v, ib.related[k].type, ib.related[k].name) != 0)
				return -1;
		if (ib.name && ioc_refv_add(s->r, &rel_v, "infrastructure", ib.name) != 0)
			return -1;
		base.related = rel_v.v;
		base.nrelated = rel_v.n;
		base.name = ib.name;
		base.description = ib.description;
		base.tlp = tlp_stricter(base.tlp, ib.tlp);
		if (base.source == NULL)
			base.source = ib.source;
		base.created = ib.created;
		base.modified = ib.modified;
		if (json_object_set_new(done, tid, json_true()) != 0)
			return ioc_nomem(s->r);
		if (add_record(s, &base, kind, v) != 0)
			return -1;
	}
	return 0;
}

static int stix_records_all(struct stix *s)
{
	json_t *done = json_object();
	int rc = -1;
	if (done == NULL)
		return ioc_nomem(s->r);
	for (size_t i = 0; i < json_array_size(s->order); i++) {
		const char *id = json_string_value(json_array_get(s->order, i));
		json_t *o = json_object_get(s->byid, id);
		const char *type = jstring(o, "type");
		const char *at = json_string_value(json_object_get(s->at, id));
		if (strcmp(type, "indicator") == 0 && indicator(s, o, at) != 0)
			goto out;
		if (strcmp(type, "infrastructure") == 0 && infrastructure(s, o, at, done) != 0)
			goto out;
	}
	/* Observables nobody made an indicator of are facts, not rules. */
	for (size_t i = 0; i < json_array_size(s->order); i++) {
		const char *id = json_string_value(json_array_get(s->order, i));
		const char *type = jstring(json_object_get(s->byid, id), "type");
		for (size_t k = 0; k < sizeof(sco_kinds) / sizeof(sco_kinds[0]); k++)
			if (strcmp(type, sco_kinds[k].type) == 0 && !json_object_get(done, id))
				s->r->st->skipped++;
	}
	rc = 0;
out:
	json_decref(done);
	return rc;
}

long ioc_parse_stix(const char *name, const char *data, size_t n, ioc_sink sink, void *arg,
		    struct ioc_stats *st, struct err *e)
{
	struct ioc_run r;
	struct stix s = { .r = &r };
	json_t *doc = NULL;
	long rc = -1;
	if (ioc_run_init(&r, name, st, e) != 0)
		return -1;
	doc = ioc_json_load(&r, data, n);
	s.byid = json_object();
	s.at = json_object();
	s.order = json_array();
	s.from = json_object();
	s.to = json_object();
	if (doc == NULL)
		goto out;
	if (s.byid == NULL || s.at == NULL || s.order == NULL || s.from == NULL ||
	    s.to == NULL) {
		ioc_nomem(&r);
		goto out;
	}
	if (read_objects(&s, doc) != 0 || index_relationships(&s) != 0 ||
	    stix_records_all(&s) != 0)
		goto out;
	rc = ioc_run_deliver(&r, sink, arg);
out:
	json_decref(s.byid);
	json_decref(s.at);
	json_decref(s.order);
	json_decref(s.from);
	json_decref(s.to);
	json_decref(doc);
	ioc_run_release(&r);
	return rc;
}

/* ---- the objects as they came ---- */

long ioc_stix_objects(const char *name, const char *data, size_t n, stix_object_sink sink,
		      void *arg, struct err *e)
{
	struct ioc_run r;
	struct stix s = { .r = &r };
	json_t *doc = NULL;
	long rc = -1, count = 0;
	if (ioc_run_init(&r, name, NULL, e) != 0)
		return -1;
	doc = ioc_json_load(&r, data, n);
	s.byid = json_object();
	s.at = json_object();
	s.order = json_array();
	if (doc == NULL)
		goto out;
	if (s.byid == NULL || s.at == NULL || s.order == NULL) {
		ioc_nomem(&r);
		goto out;
	}
	if (read_objects(&s, doc) != 0)
		goto out;
	for (size_t i = 0; i < json_array_size(s.order); i++) {
		const char *id = json_string_value(json_array_get(s.order, i));
		json_t *o = json_object_get(s.byid, id);
		struct ioc_where w = { .r = &r };
		snprintf(w.at, sizeof(w.at), "%.60s (%.48s)",
			 json_string_value(json_object_get(s.at, id)), id);
		/* The importer read the markings of the objects it turned into
		 * records; another object's unreadable list (not an array) is
		 * kept as it came, under the import's default label. */
		int tlp = object_tlp(&s, &w, o);
		if (tlp < 0) {
			err_clear(e);
			tlp = TLP_NONE;
		}
		/* Keys in the order of the file, nothing re-encoded but JSON's
		 * own escapes: what is exported again is what came. */
		char *body = json_dumps(o, JSON_COMPACT);
		if (body == NULL) {
			ioc_nomem(&r);
			goto out;
		}
		struct stix_object so = {
			.id = id, .type = jstring(o, "type"), .tlp = tlp, .body = body,
			.created = jstring(o, "created") ? jstring(o, "created") : "",
			.modified = jstring(o, "modified") ? jstring(o, "modified") : "",
		};
		int k = sink ? sink(arg, &so, e) : 0;
		free(body);
		if (k != 0)
			goto out;
		count++;
	}
	rc = count;
out:
	json_decref(s.byid);
	json_decref(s.at);
	json_decref(s.order);
	json_decref(doc);
	ioc_run_release(&r);
	return rc;
}

/* ---- export ---- */

/*
 * Objects ungcuu makes get their id from xp->stamp (stored once, UUIDv4)
 * by what they stand for, and their created/modified from it too (after
 * their content is complete: modified moves only when the digest does).
 * Without a stamp (tests, a bare library use) the id is a UUIDv5 of the
 * key and the times are now.
 */
struct out {
	struct arena *a;
	struct err *e;
	struct ioc_export *xp;
	int64_t now;
	json_t *indicators, *related, *rels;
	json_t *made_keys;            /* object id -> its key, for the final stamp */
	json_t *related_tlp;          /* related id -> least restrictive TLP of its indicators */
	unsigned used_tlp;            /* bit per TLP written */
};

static int put(json_t *o, const char *key, json_t *v)
{
	if (v == NULL)
		return -1;
	return json_object_set_new(o, key, v);
}

static int put_str(json_t *o, const char *key, const char *s)
{
	return s ? put(o, key, json_string(s)) : 0;
}

static int put_time(json_t *o, const char *key, int64_t ms)
{
	char t[TIME_RFC3339_LEN];
	return put(o, key, json_string(time_format_utc(ms, t)));
}

const char *ioc_stix_tlp_marking(int tlp)
{
	for (size_t i = 0; i < sizeof(tlp_markings) / sizeof(tlp_markings[0]); i++)
		if (tlp_markings[i].v2 && tlp_markings[i].tlp == tlp)
			return tlp_markings[i].id;
	return NULL;
}

int ioc_stix_marking_tlp(const char *id)
{
	for (size_t i = 0; i < sizeof(tlp_markings) / sizeof(tlp_markings[0]); i++)
		if (strcmp(id, tlp_markings[i].id) == 0)
			return tlp_markings[i].tlp;
	return TLP_NONE;
}

static json_t *tlp_definition(int tlp)
{
	char name[32], low[16];
	snprintf(name, sizeof(name), "TLP:%s", tlp_name(tlp));
	snprintf(low, sizeof(low), "%s", tlp_name(tlp));
	for (char *c = low; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}",
			 "type", "marking-definition", "spec_version", "2.1",
			 "id", ioc_stix_tlp_marking(tlp), "created", TLP2_CREATED, "name", name,
			 "extensions", TLP2_EXTENSION, "extension_type", "property-extension",
			 "tlp_2_0", low);
}

static json_t *markings(int tlp)
{
	return tlp > TLP_NONE ? json_pack("[s]", ioc_stix_tlp_marking(tlp)) : NULL;
}

/* The plain tags as labels (those that are fields are written as fields). */
static int put_labels(json_t *o, const char *const *v, size_t n)
{
	json_t *a = json_array();
	if (a == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!ioc_tag_is_field(v[i]) && json_array_append_new(a, json_string(v[i])) != 0) {
			json_decref(a);
			return -1;
		}
	if (json_array_size(a) == 0) {
		json_decref(a);
		return 0;
	}
	return put(o, "labels", a);
}

/* The id of an object ungcuu makes, standing for key; fallback: the
 * UUIDv5 of fallback_key. NULL with x->e filled. */
static const char *made_id(struct out *x, const char *type, const char *key,
			   const char *fallback_key)
{
	char id[IOC_STIX_ID_MAX];
	if (key == NULL || fallback_key == NULL)
		return NULL;
	if (x->xp->stamp) {
		if (x->xp->stamp(x->xp->stamp_arg, key, type, NULL, id, NULL, NULL, x->e) != 0)
			return NULL;
	} else {
		char u[IOC_UUID_LEN];
		if (ioc_uuid5(fallback_key, strlen(fallback_key), u) == NULL)
			return NULL;
		snprintf(id, sizeof(id), "%s--%s", type, u);
	}
	const char *r = arena_strdup(x->a, id);
	if (r && json_object_set_new(x->made_keys, r, json_string(key)) != 0)
		return NULL;
	return r;
}

/* The named object (malware "Poison Ivy"...) of a related ref, made once. */
static const char *related_object(struct out *x, const struct ioc_ref *ref, int tlp,
				  const char *creator)
{
	const char *key = arena_printf(x->a, "%s:%s", ref->type, ref->name);
	const char *id = made_id(x, ref->type, key, key);
	if (id == NULL)
		return NULL;
	json_t *seen = json_object_get(x->related_tlp, id);
	if (seen) {
		if (tlp < json_integer_value(seen))
			json_integer_set(seen, tlp);
		return id;
	}
	json_t *o = json_object();
	if (o == NULL || json_object_set_new(x->related_tlp, id, json_integer(tlp)) != 0 ||
	    put_str(o, "type", ref->type) || put_str(o, "spec_version", "2.1") ||
	    put_str(o, "id", id) || put_str(o, "name", ref->name) ||
	    (strcmp(ref->type, "malware") == 0 && put(o, "is_family", json_true())) ||
	    put_str(o, "created_by_ref", creator) || json_array_append_new(x->related, o) != 0) {
		json_decref(o);
		return NULL;
	}
	return id;
}

static int relationship(struct out *x, const char *src, const char *dst, const char *type,
			int tlp, const char *creator)
{
	const char *rt = strncmp(type, "vulnerability", 13) == 0 ? "related-to" : "indicates";
	const char *key = arena_printf(x->a, "relationship:%s:%s:%s", rt, src, dst);
	const char *id = made_id(x, "relationship", key, key ? key + 13 : NULL);
	json_t *o = json_object();
	if (id == NULL || o == NULL || put_str(o, "type", "relationship") ||
	    put_str(o, "spec_version", "2.1") || put_str(o, "id", id) ||
	    put_str(o, "relationship_type", rt) ||
	    put_str(o, "source_ref", src) || put_str(o, "target_ref", dst) ||
	    (tlp > TLP_NONE && put(o, "object_marking_refs", markings(tlp))) ||
	    put_str(o, "created_by_ref", creator) || json_array_append_new(x->rels, o) != 0) {
		json_decref(o);
		return -1;
	}
	return 0;
}

static int export_one(struct out *x, const struct ioc *i, const char *creator)
{
	char u[IOC_UUID_LEN];
	const char *pattern, *ptype = "stix";
	if (i->kind == IOC_YARA) {
		pattern = i->value;
		ptype = "yara";
	} else {
		pattern = stix_pattern_of(x->a, i->kind, i->value, i->file_name);
		if (i->kind == IOC_PATTERN && i->pattern_type)
			ptype = i->pattern_type;
	}
	if (pattern == NULL || ioc_uuid(i, u) == NULL)
		return -1;
	/* One owner's record of a value is one indicator: the key names both. */
	const char *key = arena_printf(x->a, "indicator:%s:%s", i->org ? i->org : "", u);
	const char *fallback = arena_printf(x->a, "%s", u);
	const char *id = NULL;
	if (x->xp->stamp == NULL)
		id = arena_printf(x->a, "indicator--%s", u);
	else
		id = made_id(x, "indicator", key, fallback);
	int64_t created = i->created ? i->created : x->now;
	int64_t modified = i->modified > created ? i->modified : created;
	int64_t from = i->valid_from ? i->valid_from : created;
	if (i->valid_from == 0 && i->valid_until && i->valid_until <= from)
		from = i->valid_until - 1;    /* valid_from is required, and before valid_until */
	json_t *o = json_object();
	if (id == NULL || o == NULL || put_str(o, "type", "indicator") ||
	    put_str(o, "spec_version", "2.1") || put_str(o, "id", id) ||
	    put_time(o, "created", created) || put_time(o, "modified", modified) ||
	    put_str(o, "name", i->name) || put_str(o, "description", i->description) ||
	    put_str(o, "pattern", pattern) || put_str(o, "pattern_type", ptype) ||
	    (strcmp(ptype, "stix") == 0 && put_str(o, "pattern_version", "2.1")) ||
	    put_time(o, "valid_from", from) ||
	    (i->valid_until > from && put_time(o, "valid_until", i->valid_until)) ||
	    (i->confidence >= 0 && i->confidence <= 100 &&
	     put(o, "confidence", json_integer(i->confidence))) ||
	    put_labels(o, i->tags, i->ntags) ||
	    (i->tlp > TLP_NONE && put(o, "object_marking_refs", markings(i->tlp))) ||
	    put_str(o, "created_by_ref", creator) || json_array_append_new(x->indicators, o) != 0) {
		json_decref(o);
		return -1;
	}
	/* Its times are the record's: the indicator is not stamped again. */
	json_object_del(x->made_keys, id);
	x->used_tlp |= 1u << i->tlp;
	for (size_t k = 0; k < i->nrelated; k++) {
		if (!is_named_type(i->related[k].type))
			continue;
		const char *rid = related_object(x, &i->related[k], i->tlp, creator);
		if (rid == NULL || relationship(x, id, rid, i->related[k].type, i->tlp, creator) != 0)
			return -1;
	}
	return 0;
}

/* Marks each related object with the least restrictive TLP among the
 * indicators pointing at it: its name is known under that label. */
static int mark_related(struct out *x)
{
	for (size_t i = 0; i < json_array_size(x->related); i++) {
		json_t *o = json_array_get(x->related, i);
		int tlp = (int)json_integer_value(json_object_get(x->related_tlp, jstring(o, "id")));
		if (tlp > TLP_NONE && put(o, "object_marking_refs", markings(tlp)) != 0)
			return -1;
		x->used_tlp |= 1u << tlp;
	}
	return 0;
}

/* created/modified of the objects made (related, relationships, the
 * producer), now that their content is complete. */
static int stamp_times(struct out *x, json_t *list)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *o = json_array_get(list, i);
		const char *id = jstring(o, "id");
		const char *key = jstring(x->made_keys, id);
		char created[IOC_STIX_TIME_MAX], modified[IOC_STIX_TIME_MAX], got[IOC_STIX_ID_MAX];
		if (x->xp->stamp && key) {
			char dg[SHA256_HEX_LEN];
			char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
			if (text == NULL)
				return -1;
			sha256_hex(text, strlen(text), dg);
			free(text);
			if (x->xp->stamp(x->xp->stamp_arg, key, jstring(o, "type"), dg, got, created,
					 modified, x->e) != 0)
				return -1;
		} else {
			time_format_utc(x->now, created);
			time_format_utc(x->now, modified);
		}
		if (put_str(o, "created", created) || put_str(o, "modified", modified))
			return -1;
	}
	return 0;
}

struct entry {
	const char *id;
	int rank;                     /* 0: kept as it came, 1: made */
	size_t at;                    /* then the order given */
	json_t *o;
};

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	if (c == 0)
		c = x->rank - y->rank;
	return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* Every object once, ordered by id (two exports of one store are the same
 * bytes); an object kept as it came wins over one made with its id (the
 * TLP marking-definitions of the file). */
static json_t *ordered(json_t *const *lists, const int *ranks, size_t nlists)
{
	size_t n = 0, k = 0;
	for (size_t l = 0; l < nlists; l++)
		n += json_array_size(lists[l]);
	struct entry *v = calloc(n ? n : 1, sizeof(*v));
	json_t *out = json_array();
	if (v == NULL || out == NULL) {
		free(v);
		json_decref(out);
		return NULL;
	}
	for (size_t l = 0; l < nlists; l++)
		for (size_t i = 0; i < json_array_size(lists[l]); i++) {
			json_t *o = json_array_get(lists[l], i);
			v[k] = (struct entry){ jstring(o, "id") ? jstring(o, "id") : "", ranks[l], k,
					       o };
			k++;
		}
	if (n > 1) /* qsort(NULL, 0) is undefined */
		qsort(v, n, sizeof(*v), entry_cmp);
	for (size_t i = 0; i < n; i++)
		if ((i == 0 || strcmp(v[i].id, v[i - 1].id) != 0) &&
		    json_array_append(out, v[i].o) != 0) {
			json_decref(out);
			out = NULL;
			break;
		}
	free(v);
	return out;
}

static json_t *bundle(struct out *x, const char *producer, const char *creator)
{
	char u[IOC_UUID_LEN];
	json_t *b = NULL, *objs = NULL, *head = json_array();
	if (head == NULL)
		return NULL;
	if (producer) {
		json_t *idn = json_object();
		if (idn == NULL || put_str(idn, "type", "identity") ||
		    put_str(idn, "spec_version", "2.1") || put_str(idn, "id", creator) ||
		    put_str(idn, "name", producer) || put_str(idn, "identity_class", "organization") ||
		    json_array_append_new(head, idn) != 0) {
			json_decref(idn);
			goto fail;
		}
	}
	if (stamp_times(x, head) != 0 || stamp_times(x, x->related) != 0 ||
	    stamp_times(x, x->rels) != 0)
		goto fail;
	for (int t = TLP_CLEAR; t < TLP__COUNT; t++)
		if ((x->used_tlp & (1u << t)) && json_array_append_new(head, tlp_definition(t)) != 0)
			goto fail;
	json_t *empty = json_array();
	json_t *kept = x->xp->stix_objects ? x->xp->stix_objects : empty;
	json_t *lists[] = { kept, head, x->indicators, x->related, x->rels };
	const int ranks[] = { 0, 1, 1, 1, 1 };
	objs = ordered(lists, ranks, sizeof(lists) / sizeof(lists[0]));
	json_decref(empty);
	if (objs == NULL)
		goto fail;
	/* The bundle's id: a UUIDv5 of the ids it holds. */
	size_t len = 0;
	for (size_t i = 0; i < json_array_size(objs); i++)
		len += strlen(jstring(json_array_get(objs, i), "id")) + 1;
	char *all = malloc(len + 1), *p = all;
	if (all == NULL)
		goto fail;
	for (size_t i = 0; i < json_array_size(objs); i++) {
		const char *id = jstring(json_array_get(objs, i), "id");
		size_t l = strlen(id);
		memcpy(p, id, l);
		p += l;
		*p++ = '\n';
	}
	*p = '\0';
	/* objects, when there is none, is left out: the bundle schema wants
	 * one at least in the list. */
	b = json_object();
	if (b == NULL || ioc_uuid5(all, len, u) == NULL || put_str(b, "type", "bundle") ||
	    put(b, "id", json_sprintf("bundle--%s", u)) ||
	    (json_array_size(objs) > 0 && put(b, "objects", json_incref(objs)))) {
		free(all);
		goto fail;
	}
	json_decref(objs);
	free(all);
	json_decref(head);
	return b;
fail:
	json_decref(objs);
	json_decref(head);
	json_decref(b);
	return NULL;
}

json_t *ioc_export_stix(const struct ioc *iocs, size_t n, struct ioc_export *xp, struct err *e)
{
	struct out x = { .e = e };
	struct ioc_export dflt = { 0 };
	json_t *result = NULL;
	char u[IOC_UUID_LEN];
	const char *creator = NULL;
	if (xp == NULL)
		xp = &dflt;
	x.xp = xp;
	xp->exported = xp->withheld = xp->unsupported = 0;
	x.now = xp->now ? xp->now : time_now_ms();
	x.used_tlp = xp->stix_tlp_used & ((1u << TLP__COUNT) - 1) & ~1u;
	x.a = arena_new(IOC_SCRATCH_MAX);
	x.indicators = json_array();
	x.related = json_array();
	x.rels = json_array();
	x.related_tlp = json_object();
	x.made_keys = json_object();
	if (x.a == NULL || x.indicators == NULL || x.related == NULL || x.rels == NULL ||
	    x.related_tlp == NULL || x.made_keys == NULL)
		goto nomem;
	if (xp->producer) {
		const char *key = arena_printf(x.a, "identity:%s", xp->producer);
		if (key == NULL || ioc_uuid5(key, strlen(key), u) == NULL)
			goto nomem;
		creator = made_id(&x, "identity", key, key);
		if (creator == NULL)
			goto fail;
	}
	for (size_t k = 0; k < n; k++) {
		const struct ioc *i = &iocs[k];
		if (!ioc_may_share(i, xp->recipient_org)) {
			xp->withheld++;
			continue;
		}
		if (!i->to_ids || i->kind < 0 || i->kind >= IOC__COUNT || i->value == NULL) {
			xp->unsupported++;
			continue;
		}
		if (xp->stix_kept && xp->stix_kept[k]) {
			xp->exported++;       /* the objects it came as go out instead */
			continue;
		}
		if (export_one(&x, i, creator) != 0) {
			if (e->code == 0)
				err_set(e, E_INVALID, MSG_IOC_VALUE,
					"a record is not valid UTF-8, or no memory");
			goto out;
		}
		xp->exported++;
	}
	if (mark_related(&x) != 0)
		goto nomem;
	result = bundle(&x, xp->producer, creator);
	if (result == NULL)
		goto fail;
	goto out;
fail:
	if (e->code)
		goto out;
nomem:
	err_set(e, E_NOMEM, MSG_IOC_LIMIT, "STIX export: out of memory");
out:
	json_decref(x.indicators);
	json_decref(x.related);
	json_decref(x.rels);
	json_decref(x.related_tlp);
	json_decref(x.made_keys);
	if (x.a)
		arena_free(x.a);
	return result;
}
