/*
 * misp_store.c - MISP events kept beside the indicators (misp.h, migration
 * 012): what an import keeps and how an export gives it back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "misp.h"
#include "ioc_int.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/uuid.h"
#include "../../store/store.h"
#include "../../base/banned.h"

static int nomem(struct err *e)
{
	return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
}

/* JSON text of j in its order, as received. */
static char *dump(const json_t *j, struct err *e)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s == NULL)
		nomem(e);
	return s;
}

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* ---- import ---- */

struct imp {
	struct ctx *c;
	const char *org_id;
	char own_uuid[IOC_UUID_LEN];  /* ungcuu's own event: ours, not kept as a source's */
	int default_tlp;
	int64_t now;
	struct ioc_run r;             /* for the records of one attribute */
	struct misp_import *out;
	struct err *e;
};

/* The indicators an attribute gave (the importer's records of it, looked up
 * as the store keeps them) become its links. 1 when it has one. */
static int link_attribute(struct imp *im, const char *attr_id, const json_t *a,
			  const char *file_name)
{
	const char *type = jstr(a, "type"), *value = jstr(a, "value");
	int deleted = 0, linked = 0;
	struct ioc_where w = { .r = &im->r, .at = "/Attribute" };
	if (ioc_jbool(&w, a, "deleted", &deleted) != 0)
		return -1;
	if (deleted || !ioc_misp_is_indicator_type(type))
		return 0;
	size_t from = im->r.nrecs;
	struct ioc b = { .to_ids = 1, .confidence = -1 };
	int rc = ioc_misp_value(&w, &b, type, value, file_name);
	if (rc < 0)
		return -1;
	for (size_t k = from; k < im->r.nrecs; k++) {
		const struct ioc *i = &im->r.recs[k];
		struct stmt *st = store_query(im->c->db, im->e, "SELECT id FROM indicators WHERE "
					      "org_id = $1 AND kind = $2 AND value = $3 ORDER BY id",
					      "ttt", im->org_id, ioc_kind_name(i->kind), i->value);
		if (st == NULL)
			return -1;
		char ids[8][UUID_LEN];
		int n = 0, r;
		while (n < 8 && (r = stmt_step(st, im->e)) == 1)
			snprintf(ids[n++], UUID_LEN, "%s", stmt_text(st, 0));
		stmt_done(st);
		if (im->e->code)
			return -1;
		for (int j = 0; j < n; j++) {
			if (store_run(im->c->db, im->e, "INSERT INTO misp_attribute_indicators "
				      "(attribute_id, indicator_id) VALUES ($1, $2) ON CONFLICT "
				      "(attribute_id, indicator_id) DO NOTHING", "tt", attr_id,
				      ids[j]) < 0)
				return -1;
			linked = 1;
		}
	}
	return linked;
}

static int save_attribute(struct imp *im, const char *event_id, const char *object_id,
			  const json_t *a, int64_t pos, int event_tlp, const char *file_name)
{
	if (!json_is_object(a))
		return 0;
	int rc = -1, tlp = TLP_NONE;
	char id[UUID_LEN];
	char *doc = NULL;
	json_t *copy = json_deep_copy(a), *sightings = json_object_get(a, "Sighting"), *tags;
	if (copy == NULL)
		return nomem(im->e);
	if (json_object_get(copy, "Sighting"))
		json_object_set_new(copy, "Sighting", json_array());   /* rows of their own */
	tags = json_object_get(copy, "Tag");
	if (json_is_array(tags))
		im->out->tlp_collapsed += ioc_misp_one_tlp(tags, &tlp);
	if (tlp == TLP_NONE)
		tlp = event_tlp;
	if ((doc = dump(copy, im->e)) == NULL)
		goto out;
	uuid7(id);
	if (store_run(im->c->db, im->e, "INSERT INTO misp_attributes (id, event_id, object_id, uuid, "
		      "type, value, tlp, position, doc) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
		      "ttttttt" "i" "t", id, event_id, object_id, jstr(a, "uuid"), jstr(a, "type"),
		      jstr(a, "value"), tlp_name(tlp), pos, doc) < 0)
		goto out;
	int linked = link_attribute(im, id, a, file_name);
	if (linked < 0)
		goto out;
	im->out->attributes++;
	im->out->context += !linked;
	for (size_t k = 0; k < json_array_size(sightings); k++) {
		json_t *s = json_array_get(sightings, k);
		char sid[UUID_LEN], *sdoc;
		if (!json_is_object(s))
			continue;
		if ((sdoc = dump(s, im->e)) == NULL)
			goto out;
		uuid7(sid);
		int r = store_run(im->c->db, im->e, "INSERT INTO misp_sightings (id, attribute_id, "
				  "uuid, position, doc) VALUES ($1,$2,$3,$4,$5)", "ttt" "i" "t", sid,
				  id, jstr(s, "uuid"), (int64_t)k, sdoc);
		free(sdoc);
		if (r < 0)
			goto out;
		im->out->sightings++;
	}
	rc = 0;
out:
	free(doc);
	json_decref(copy);
	return rc;
}

static int save_attributes(struct imp *im, const char *event_id, const char *object_id,
			   const json_t *list, int64_t *pos, int tlp, const char *file_name)
{
	for (size_t k = 0; k < json_array_size(list); k++)
		if (save_attribute(im, event_id, object_id, json_array_get(list, k), (*pos)++, tlp,
				   file_name) != 0)
			return -1;
	return 0;
}

/* The children of an event that is imported again: replaced whole. */
static int drop_children(struct ctx *c, const char *event_id, struct err *e)
{
	return store_run(c->db, e, "DELETE FROM misp_attribute_indicators WHERE attribute_id IN "
			 "(SELECT id FROM misp_attributes WHERE event_id = $1)", "t", event_id) < 0 ||
	       store_run(c->db, e, "DELETE FROM misp_sightings WHERE attribute_id IN "
			 "(SELECT id FROM misp_attributes WHERE event_id = $1)", "t", event_id) < 0 ||
	       store_run(c->db, e, "DELETE FROM misp_attributes WHERE event_id = $1", "t",
			 event_id) < 0 ||
	       store_run(c->db, e, "DELETE FROM misp_objects WHERE event_id = $1", "t",
			 event_id) < 0 ? -1 : 0;
}

static int save_event(void *arg, const json_t *ev)
{
	struct imp *im = arg;
	struct ctx *c = im->c;
	struct err *e = im->e;
	int rc = -1, tlp = TLP_NONE;
	char id[UUID_LEN], uuid[IOC_UUID_LEN];
	char *doc = NULL;
	json_t *copy = json_deep_copy(ev), *tags;
	if (copy == NULL)
		return nomem(e);
	/* Attributes and objects have rows of their own; an event without a
	 * uuid (MISP requires one) gets one from its content. */
	if (json_object_get(copy, "Attribute"))
		json_object_set_new(copy, "Attribute", json_array());
	if (json_object_get(copy, "Object"))
		json_object_set_new(copy, "Object", json_array());
	tags = json_object_get(copy, "Tag");
	if (json_is_array(tags))
		im->out->tlp_collapsed += ioc_misp_one_tlp(tags, &tlp);
	if (tlp == TLP_NONE)
		tlp = im->default_tlp;
	const char *u = jstr(ev, "uuid");
	if (strcmp(u, im->own_uuid) == 0) {
		/* Our own event come back (an export imported here): its
		 * indicators are ours already and stay in it. */
		json_decref(copy);
		return 0;
	}
	if (*u == '\0') {
		char *all = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS);
		if (all == NULL || ioc_uuid5(all, strlen(all), uuid) == NULL) {
			free(all);
			nomem(e);
			goto out;
		}
		free(all);
		json_object_set_new(copy, "uuid", json_string(uuid));
		u = uuid;
	}
	if ((doc = dump(copy, e)) == NULL)
		goto out;
	struct stmt *st = store_query(c->db, e, "SELECT id FROM misp_events WHERE org_id = $1 AND "
				      "uuid = $2", "tt", im->org_id, u);
	if (st == NULL)
		goto out;
	int r = stmt_step(st, e);
	if (r == 1)
		snprintf(id, sizeof(id), "%s", stmt_text(st, 0));
	stmt_done(st);
	if (r < 0)
		goto out;
	const char *who = c->actor->system ? NULL : c->actor->id;
	if (r == 1) {
		if (drop_children(c, id, e) != 0 ||
		    store_run(c->db, e, "UPDATE misp_events SET info = $2, tlp = $3, doc = $4, "
			      "version = version + 1, updated_at = $5 WHERE id = $1", "tttt" "i", id,
			      jstr(ev, "info"), tlp_name(tlp), doc, im->now) < 0)
			goto out;
	} else {
		uuid7(id);
		if (store_run(c->db, e, "INSERT INTO misp_events (id, org_id, uuid, info, tlp, doc, "
			      "version, created_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,"
			      "1,$7,$8,$8)", "ttttttt" "i", id, im->org_id, u, jstr(ev, "info"),
			      tlp_name(tlp), doc, who, im->now) < 0)
			goto out;
	}
	im->out->events++;
	int64_t pos = 0;
	if (save_attributes(im, id, NULL, json_object_get(ev, "Attribute"), &pos, tlp, NULL) != 0)
		goto out;
	json_t *objects = json_object_get(ev, "Object");
	for (size_t k = 0; k < json_array_size(objects); k++) {
		json_t *o = json_array_get(objects, k), *ocopy;
		char oid[UUID_LEN], *odoc;
		if (!json_is_object(o))
			continue;
		json_t *attrs = json_object_get(o, "Attribute");
		if ((ocopy = json_deep_copy(o)) == NULL) {
			nomem(e);
			goto out;
		}
		if (json_object_get(ocopy, "Attribute"))
			json_object_set_new(ocopy, "Attribute", json_array());
		odoc = dump(ocopy, e);
		json_decref(ocopy);
		if (odoc == NULL)
			goto out;
		uuid7(oid);
		r = store_run(c->db, e, "INSERT INTO misp_objects (id, event_id, uuid, name, position, "
			      "doc) VALUES ($1,$2,$3,$4,$5,$6)", "tttt" "i" "t", oid, id,
			      jstr(o, "uuid"), jstr(o, "name"), (int64_t)k, odoc);
		free(odoc);
		if (r < 0)
			goto out;
		im->out->objects++;
		if (save_attributes(im, id, oid, attrs, &pos, tlp,
				    ioc_misp_object_file_name(attrs)) != 0)
			goto out;
	}
	rc = 0;
out:
	free(doc);
	json_decref(copy);
	return rc;
}

int misp_store_import(struct ctx *c, const char *org_id, int default_tlp, const char *name,
		      const char *data, size_t n, struct misp_import *out, struct err *e)
{
	struct imp im = { .c = c, .org_id = org_id, .default_tlp = default_tlp,
			  .now = time_now_ms(), .out = out, .e = e };
	struct org root;
	memset(out, 0, sizeof(*out));
	if (org_root(c, &root, e) != 0 || ioc_misp_own_uuid(root.id, im.own_uuid) == NULL)
		return -1;
	if (ioc_run_init(&im.r, name, NULL, e) != 0)
		return -1;
	/* ioc_parse_misp read the same bytes a moment ago: they are valid. */
	json_t *doc = ioc_json_load(&im.r, data, n);
	int rc = doc ? ioc_misp_each_event(doc, save_event, &im) : -1;
	json_decref(doc);
	ioc_run_release(&im.r);
	return rc == 0 ? 0 : -1;
}

int misp_store_forget(struct ctx *c, const char *indicator_id, struct err *e)
{
	/* The attributes go after their links; their ids are read first. */
	struct stmt *st = store_query(c->db, e, "SELECT attribute_id FROM misp_attribute_indicators "
				      "WHERE indicator_id = $1 ORDER BY attribute_id", "t",
				      indicator_id);
	if (st == NULL)
		return -1;
	json_t *ids = json_array();
	int r;
	while ((r = stmt_step(st, e)) == 1)
		json_array_append_new(ids, json_string(stmt_text(st, 0)));
	stmt_done(st);
	if (r < 0 || ids == NULL) {
		json_decref(ids);
		return ids ? -1 : nomem(e);
	}
	size_t k;
	json_t *v;
	json_array_foreach(ids, k, v) {
		const char *a = json_string_value(v);
		if (a == NULL ||
		    store_run(c->db, e, "DELETE FROM misp_sightings WHERE attribute_id = $1", "t", a) < 0 ||
		    store_run(c->db, e, "DELETE FROM misp_attribute_indicators WHERE attribute_id = $1",
			      "t", a) < 0 ||
		    store_run(c->db, e, "DELETE FROM misp_attributes WHERE id = $1", "t", a) < 0) {
			json_decref(ids);
			return a ? -1 : nomem(e);
		}
	}
	json_decref(ids);
	return 0;
}

/* ---- export ---- */

struct xp {
	struct ctx *c;
	const struct ioc *v;
	size_t n;
	const struct misp_export_scope *sc;
	struct ioc_export *ex;
	json_t *index;                /* indicator id -> position in v */
	json_t *sightings;            /* load_sightings; NULL: none go */
	struct err *e;
};

/* The fields the MISP core format requires that a source left out. */
static int fill_attribute(json_t *a, const json_t *event)
{
	int rc = 0;
	if (!json_object_get(a, "distribution"))
		rc |= json_object_set_new(a, "distribution", json_string("5"));
	if (!json_object_get(a, "deleted"))
		rc |= json_object_set_new(a, "deleted", json_false());
	if (!json_object_get(a, "to_ids"))
		rc |= json_object_set_new(a, "to_ids", json_true());
	if (!json_object_get(a, "category") && ioc_misp_category(jstr(a, "type")))
		rc |= json_object_set_new(a, "category",
					  json_string(ioc_misp_category(jstr(a, "type"))));
	if (!json_object_get(a, "timestamp") && json_is_string(json_object_get(event, "timestamp")))
		rc |= json_object_set(a, "timestamp", json_object_get(event, "timestamp"));
	return rc;
}

static int fill_event(json_t *ev, int tlp, const char *org_id, const char *org_name,
		      const char *stored_at)
{
	int rc = 0;
	json_t *orgc = json_object_get(ev, "Orgc"), *org = json_object_get(ev, "Org");
	if (!json_is_string(json_object_get(orgc, "uuid"))) {
		if (json_is_string(json_object_get(org, "uuid")))
			rc |= json_object_set(ev, "Orgc", org);
		else
			rc |= json_object_set_new(ev, "Orgc", json_pack("{s:s, s:s}", "uuid", org_id,
									"name", org_name));
	}
	if (!json_object_get(ev, "info"))
		rc |= json_object_set_new(ev, "info", json_string(""));
	if (!json_object_get(ev, "published"))
		rc |= json_object_set_new(ev, "published", json_false());
	if (!json_object_get(ev, "publish_timestamp"))
		rc |= json_object_set_new(ev, "publish_timestamp", json_string("0"));
	if (!json_object_get(ev, "distribution"))
		rc |= json_object_set_new(ev, "distribution", json_string(ioc_misp_distribution(tlp)));
	if (!json_object_get(ev, "threat_level_id"))
		rc |= json_object_set_new(ev, "threat_level_id", json_string("4"));
	if (!json_object_get(ev, "analysis"))
		rc |= json_object_set_new(ev, "analysis", json_string("0"));
	if (!json_object_get(ev, "timestamp"))   /* when it was stored: the same on every export */
		rc |= json_object_set_new(ev, "timestamp", json_string(stored_at));
	if (!json_object_get(ev, "date")) {
		char t[TIME_RFC3339_LEN];
		time_format_utc((int64_t)strtoll(jstr(ev, "timestamp"), NULL, 10) * 1000, t);
		t[10] = '\0';
		rc |= json_object_set_new(ev, "date", json_string(t));
	}
	return rc;
}

/* Whether an attribute goes: its indicators all may go to the recipient
 * (and one at least is in the set exported), or, with no indicator, its own
 * label lets it go and the actor reads it. 1 goes, 0 withheld, -1 not in
 * the set at all. */
static int attribute_goes(struct xp *x, json_t *links, const char *tlp, const char *owner_code,
			  const char *owner_path)
{
	size_t k;
	json_t *id;
	int in = 0;
	if (json_array_size(links) > 0) {
		json_array_foreach(links, k, id) {
			json_t *pos = json_object_get(x->index, json_string_value(id));
			if (pos == NULL)
				continue;
			if (!ioc_may_share(&x->v[json_integer_value(pos)], x->ex->recipient_org))
				return 0;
			in = 1;
		}
		return in ? 1 : -1;
	}
	if (x->sc->filtered)
		return -1;
	int label = tlp_parse(tlp);
	int readable = x->sc->path == NULL || strncmp(owner_path, x->sc->path,
						      strlen(x->sc->path)) == 0 ||
		       label == TLP_CLEAR || label == TLP_GREEN;
	if (!readable)
		return -1;
	return tlp_may_share(tlp, owner_code, x->ex->recipient_org, NULL) ? 1 : 0;
}

static json_t *load(const char *text, struct err *e)
{
	json_t *j = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	if (j == NULL)
		err_set(e, E_INTERNAL, MSG_INTERNAL, "misp doc");
	return j;
}

/* At most this many of ungcuu's own sightings go with one attribute (the
 * first ones): a hunt can record thousands of one value. */
#define MISP_OWN_SIGHTINGS_MAX 1000

/* ungcuu's own sightings of the indicators ids (a JSON array) as MISP
 * sightings of attribute a, after those it came with (a sighting that came
 * back from one of our exports is not doubled). They name the instance
 * (the producer), never the organisation where the value was seen, and go
 * only to recipients of the tree. */
static int own_sightings(struct xp *x, json_t *a, const json_t *ids)
{
	if (x->sightings == NULL || json_array_size(ids) == 0)
		return 0;
	json_t *list = json_object_get(a, "Sighting"), *have = json_object(), *s, *id;
	size_t k, j;
	int added = 0;
	if (have == NULL)
		return nomem(x->e);
	json_array_foreach(list, k, s)
		if (json_is_string(json_object_get(s, "uuid")))
			json_object_set_new(have, jstr(s, "uuid"), json_true());
	json_array_foreach(ids, k, id) {
		json_t *seen = json_object_get(x->sightings, json_string_value(id)), *one;
		json_array_foreach(seen, j, one) {
			const char *u = json_string_value(json_array_get(one, 0));
			if (added >= MISP_OWN_SIGHTINGS_MAX || json_object_get(have, u))
				continue;
			json_t *m = json_pack("{s:s, s:s, s:O, s:s, s:{s:s, s:s}}", "uuid", u,
					      "type", "0", "date_sighting", json_array_get(one, 1),
					      "source", "ungcuu", "Organisation", "uuid",
					      x->ex->producer_id, "name",
					      x->ex->producer ? x->ex->producer : "ungcuu");
			if (!json_is_array(list)) {
				list = json_array();
				json_object_set_new(a, "Sighting", list);
			}
			if (m == NULL || json_array_append_new(list, m) != 0) {
				json_decref(have);
				return nomem(x->e);
			}
			json_object_set_new(have, u, json_true());
			added++;
		}
	}
	json_decref(have);
	return 0;
}

/* ungcuu's sightings, read once: indicator id -> [[uuid, seconds]...] in
 * time order, at most MISP_OWN_SIGHTINGS_MAX each. NULL in x when they do
 * not go (a recipient outside the tree) or there are none. */
static int load_sightings(struct xp *x)
{
	x->sightings = NULL;
	if (x->ex->recipient_org == NULL || x->ex->producer_id == NULL)
		return 0;
	json_t *map = json_object();
	/* Those the actor reads (as sighting_list): seen in its scope, of an
	 * indicator of its scope, or of a hunt issued from it. */
	struct stmt *st = store_query(x->c->db, x->e, "SELECT s.indicator_id, s.id, s.seen_at FROM "
		"sightings s JOIN indicators i ON i.id = s.indicator_id JOIN orgs o ON o.id = i.org_id "
		"JOIN orgs so ON so.id = s.org_id LEFT JOIN hunts u ON u.id = s.hunt_id "
		"LEFT JOIN orgs uo ON uo.id = u.org_id WHERE substr(so.path, 1, length($1)) = $1 OR "
		"substr(o.path, 1, length($1)) = $1 OR substr(uo.path, 1, length($1)) = $1 "
		"ORDER BY s.indicator_id, s.seen_at, s.id", "t", x->sc->path ? x->sc->path : "/");
	int r = -1;
	while (map && st && (r = stmt_step(st, x->e)) == 1) {
		const char *ind = stmt_text(st, 0);
		json_t *list = json_object_get(map, ind);
		if (list == NULL) {
			list = json_array();
			if (json_object_set_new(map, ind, list) != 0) {
				list = NULL;
				break;
			}
		}
		if (json_array_size(list) >= MISP_OWN_SIGHTINGS_MAX)
			continue;
		char name[64], u[IOC_UUID_LEN], secs[24];
		snprintf(name, sizeof(name), "sighting:%s", stmt_text(st, 1));
		snprintf(secs, sizeof(secs), "%lld", (long long)(stmt_int(st, 2) / 1000));
		if (ioc_uuid5(name, strlen(name), u) == NULL ||
		    json_array_append_new(list, json_pack("[s, s]", u, secs)) != 0)
			break;
	}
	stmt_done(st);
	if (map == NULL || st == NULL || r != 0) {
		json_decref(map);
		return x->e->code ? -1 : nomem(x->e);
	}
	if (json_object_size(map) == 0)
		json_decref(map);
	else
		x->sightings = map;
	return 0;
}

/* One stored event as MISP gets it, or NULL with *none when nothing of it
 * goes. */
static json_t *one_event(struct xp *x, const char *event_id, const char *tlp, const char *doc,
			 const char *owner_id, const char *owner_code, const char *owner_name,
			 const char *owner_path, const char *stored_at, int *none)
{
	struct ctx *c = x->c;
	struct err *e = x->e;
	json_t *ev = load(doc, e), *objects = json_object(), *order = json_array(),
	       *attrs = json_array(), *byid = json_object(), *linkmap = json_object(), *out = NULL;
	*none = 0;
	if (ev == NULL || objects == NULL || order == NULL || attrs == NULL || byid == NULL ||
	    linkmap == NULL || fill_event(ev, tlp_parse(tlp), owner_id, owner_name, stored_at) != 0)
		goto fail;
	struct stmt *st = store_query(c->db, e, "SELECT id, doc FROM misp_objects WHERE "
				      "event_id = $1 ORDER BY position, id", "t", event_id);
	int r;
	while (st && (r = stmt_step(st, e)) == 1) {
		json_t *o = load(stmt_text(st, 1), e);
		if (o == NULL || json_object_set_new(objects, stmt_text(st, 0), o) != 0 ||
		    json_array_append_new(order, json_string(stmt_text(st, 0))) != 0) {
			if (o)
				nomem(e);
			break;
		}
		json_object_set_new(o, "Attribute", json_array());
	}
	stmt_done(st);
	if (st == NULL || e->code)
		goto fail;
	/* The attributes with their links, in the source's order. */
	st = store_query(c->db, e, "SELECT a.id, a.object_id, a.tlp, a.doc, l.indicator_id FROM "
			 "misp_attributes a LEFT JOIN misp_attribute_indicators l ON "
			 "l.attribute_id = a.id WHERE a.event_id = $1 ORDER BY a.position, a.id, "
			 "l.indicator_id", "t", event_id);
	json_t *rows = json_array();
	while (st && rows && (r = stmt_step(st, e)) == 1) {
		json_t *row = json_pack("[s, s?, s, s, s?]", stmt_text(st, 0), stmt_text(st, 1),
					stmt_text(st, 2), stmt_text(st, 3), stmt_text(st, 4));
		if (row == NULL || json_array_append_new(rows, row) != 0)
			break;
	}
	stmt_done(st);
	if (st == NULL || rows == NULL || e->code) {
		json_decref(rows);
		goto fail;
	}
	size_t nrows = json_array_size(rows), written = 0;
	for (size_t k = 0; k < nrows;) {
		json_t *row = json_array_get(rows, k), *links = json_array();
		const char *aid = json_string_value(json_array_get(row, 0));
		size_t j = k;
		for (; j < nrows; j++) {
			json_t *rj = json_array_get(rows, j);
			if (strcmp(json_string_value(json_array_get(rj, 0)), aid) != 0)
				break;
			if (json_is_string(json_array_get(rj, 4)))
				json_array_append(links, json_array_get(rj, 4));
		}
		int goes = attribute_goes(x, links, json_string_value(json_array_get(row, 2)),
					  owner_code, owner_path);
		k = j;
		if (goes == 0)
			x->ex->withheld++;
		if (goes != 1) {
			json_decref(links);
			continue;
		}
		if (json_object_set_new(linkmap, aid, links) != 0) {   /* takes links */
			json_decref(rows);
			goto fail;
		}
		json_t *a = load(json_string_value(json_array_get(row, 3)), e);
		if (a == NULL || fill_attribute(a, ev) != 0) {
			json_decref(a);
			json_decref(rows);
			goto fail;
		}
		json_object_set(byid, aid, a);
		const char *oid = json_string_value(json_array_get(row, 1));
		json_t *o = oid ? json_object_get(objects, oid) : NULL;
		json_array_append_new(o ? json_object_get(o, "Attribute") : attrs, a);
		x->ex->exported++;
		written++;
	}
	json_decref(rows);
	if (written == 0) {
		*none = 1;
		goto fail;
	}
	/* Sightings of the attributes that go. */
	st = store_query(c->db, e, "SELECT s.attribute_id, s.doc FROM misp_sightings s JOIN "
			 "misp_attributes a ON a.id = s.attribute_id WHERE a.event_id = $1 ORDER BY "
			 "a.position, s.position, s.id", "t", event_id);
	while (st && (r = stmt_step(st, e)) == 1) {
		json_t *a = json_object_get(byid, stmt_text(st, 0));
		if (a == NULL)
			continue;
		json_t *s = load(stmt_text(st, 1), e);
		json_t *list = json_object_get(a, "Sighting");
		if (s == NULL)
			break;
		if (!json_is_array(list)) {
			list = json_array();
			json_object_set_new(a, "Sighting", list);
		}
		json_array_append_new(list, s);
	}
	stmt_done(st);
	if (st == NULL || e->code)
		goto fail;
	const char *aid;
	json_t *a;
	json_object_foreach(byid, aid, a)
		if (own_sightings(x, a, json_object_get(linkmap, aid)) != 0)
			goto fail;
	json_t *olist = json_array();
	size_t k;
	json_t *oid;
	json_array_foreach(order, k, oid) {
		json_t *o = json_object_get(objects, json_string_value(oid));
		if (json_array_size(json_object_get(o, "Attribute")) > 0)
			json_array_append(olist, o);
	}
	int had_objects = json_object_get(ev, "Object") != NULL;
	if (json_object_set_new(ev, "Attribute", attrs) != 0) {
		attrs = NULL;
		json_decref(olist);
		goto fail;
	}
	attrs = NULL;
	if (had_objects || json_array_size(olist) > 0)
		json_object_set_new(ev, "Object", olist);
	else
		json_decref(olist);
	out = json_pack("{s:O}", "Event", ev);
	if (out == NULL)
		nomem(e);
fail:
	if (out == NULL && !*none && !e->code)
		nomem(e);
	json_decref(ev);
	json_decref(objects);
	json_decref(order);
	json_decref(attrs);
	json_decref(byid);
	json_decref(linkmap);
	return out;
}

/* The elements of from that into lacks (by uuid; one without a uuid is
 * always added) go into into; level 2: objects (their attributes merged),
 * 1: attributes (their sightings merged), 0: sightings. Returns how many
 * attributes were already there (written twice otherwise). */
static size_t union_uuid(json_t *into, json_t *from, int level)
{
	size_t k, j, dup = 0;
	json_t *x, *y;
	json_array_foreach(from, k, x) {
		const char *u = jstr(x, "uuid");
		json_t *same = NULL;
		if (*u)
			json_array_foreach(into, j, y)
				if (strcmp(jstr(y, "uuid"), u) == 0) {
					same = y;
					break;
				}
		if (same == NULL) {
			json_array_append(into, x);
			continue;
		}
		const char *key = level == 2 ? "Attribute" : "Sighting";
		json_t *mine = json_object_get(same, key), *theirs = json_object_get(x, key);
		if (level == 1)
			dup++;
		if (level == 0 || !json_is_array(theirs))
			continue;
		if (!json_is_array(mine)) {
			json_object_set(same, key, theirs);
			continue;
		}
		dup += union_uuid(mine, theirs, level - 1);
	}
	return dup;
}

/* Two organisations imported the same event (one uuid): one event goes
 * out, with what each of their copies lets go. */
static int add_event(json_t *events, json_t *ev, struct ioc_export *ex)
{
	json_t *e = json_object_get(ev, "Event"), *x;
	size_t k;
	json_array_foreach(events, k, x) {
		json_t *have = json_object_get(x, "Event");
		if (strcmp(jstr(have, "uuid"), jstr(e, "uuid")) != 0)
			continue;
		size_t dup = union_uuid(json_object_get(have, "Attribute"),
					json_object_get(e, "Attribute"), 1);
		json_t *objs = json_object_get(e, "Object");
		if (json_is_array(objs)) {
			if (!json_is_array(json_object_get(have, "Object")))
				json_object_set_new(have, "Object", json_array());
			dup += union_uuid(json_object_get(have, "Object"), objs, 2);
		}
		ex->exported -= dup;
		json_decref(ev);
		return 0;
	}
	return json_array_append_new(events, ev);
}

json_t *misp_store_export(struct ctx *c, const struct ioc *v, const char *const *ids, size_t n,
			  const struct misp_export_scope *sc, struct ioc_export *ex, struct err *e)
{
	struct xp x = { .c = c, .v = v, .n = n, .sc = sc, .ex = ex, .e = e };
	json_t *events = json_array(), *linked = json_object(), *out = NULL;
	struct ioc *own = NULL;
	const char **ownids = NULL;
	size_t nown = 0;
	ex->exported = ex->withheld = ex->unsupported = 0;
	x.index = json_object();
	if (events == NULL || linked == NULL || x.index == NULL) {
		nomem(e);
		goto out;
	}
	for (size_t k = 0; k < n; k++)
		if (json_object_set_new(x.index, ids[k], json_integer((json_int_t)k)) != 0) {
			nomem(e);
			goto out;
		}
	if (load_sightings(&x) != 0)
		goto out;
	struct stmt *st = store_query(c->db, e, "SELECT DISTINCT indicator_id FROM "
				      "misp_attribute_indicators", "");
	int r;
	while (st && (r = stmt_step(st, e)) == 1)
		json_object_set_new(linked, stmt_text(st, 0), json_true());
	stmt_done(st);
	if (st == NULL || e->code)
		goto out;
	/* The stored events, in the order they first came. */
	st = store_query(c->db, e, "SELECT e.id, e.tlp, e.doc, o.id, o.code, o.name, o.path, "
			 "e.updated_at FROM misp_events e JOIN orgs o ON o.id = e.org_id ORDER BY "
			 "e.created_at, e.id", "");
	json_t *rows = json_array();
	while (st && rows && (r = stmt_step(st, e)) == 1) {
		char secs[24];
		snprintf(secs, sizeof(secs), "%lld", (long long)(stmt_int(st, 7) / 1000));
		json_array_append_new(rows, json_pack("[s, s, s, s, s, s, s, s]", stmt_text(st, 0),
						      stmt_text(st, 1), stmt_text(st, 2),
						      stmt_text(st, 3), stmt_text(st, 4),
						      stmt_text(st, 5), stmt_text(st, 6), secs));
	}
	stmt_done(st);
	if (st == NULL || rows == NULL || e->code) {
		json_decref(rows);
		goto out;
	}
	size_t k;
	json_t *row;
	json_array_foreach(rows, k, row) {
		int none;
#define COL(i) json_string_value(json_array_get(row, i))
		json_t *ev = one_event(&x, COL(0), COL(1), COL(2), COL(3), COL(4), COL(5), COL(6),
				       COL(7), &none);
#undef COL
		if (ev == NULL && !none) {
			json_decref(rows);
			goto out;
		}
		if (ev && add_event(events, ev, ex) != 0) {
			nomem(e);
			json_decref(rows);
			goto out;
		}
	}
	json_decref(rows);
	/* ungcuu's own event: the records that came from no MISP event. */
	own = malloc((n ? n : 1) * sizeof(*own));
	ownids = malloc((n ? n : 1) * sizeof(*ownids));
	if (own == NULL || ownids == NULL) {
		nomem(e);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (!json_object_get(linked, ids[i])) {
			ownids[nown] = ids[i];
			own[nown++] = v[i];
		}
	if (nown > 0 || json_array_size(events) == 0) {
		struct ioc_export y = *ex;
		json_t *mine = ioc_export_misp(own, nown, &y, e);
		if (mine == NULL)
			goto out;
		ex->exported += y.exported;
		ex->withheld += y.withheld;
		ex->unsupported += y.unsupported;
		/* Its attributes' uuids are the records' (ioc_uuid). */
		json_t *byuuid = json_object(), *a;
		size_t j;
		for (size_t i = 0; x.sightings && byuuid && i < nown; i++) {
			char u[IOC_UUID_LEN];
			if (ioc_uuid(&own[i], u))
				json_object_set_new(byuuid, u, json_pack("[s]", ownids[i]));
		}
		json_array_foreach(json_object_get(json_object_get(mine, "Event"), "Attribute"), j, a)
			if (byuuid == NULL || own_sightings(&x, a, json_object_get(byuuid, jstr(a, "uuid"))) != 0) {
				if (byuuid == NULL)
					nomem(e);
				json_decref(byuuid);
				json_decref(mine);
				goto out;
			}
		json_decref(byuuid);
		if (y.exported > 0 || json_array_size(events) == 0)
			json_array_append_new(events, mine);
		else
			json_decref(mine);
	}
	if (json_array_size(events) == 1)
		out = json_incref(json_array_get(events, 0));
	else
		out = json_pack("{s:O}", "response", events);
	if (out == NULL)
		nomem(e);
out:
	free(own);
	free(ownids);
	json_decref(events);
	json_decref(linked);
	json_decref(x.index);
	json_decref(x.sightings);
	return out;
}
