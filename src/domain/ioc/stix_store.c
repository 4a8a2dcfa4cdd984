/*
 * stix_store.c - STIX objects kept as they came (stix_objects), linked to
 * the indicator rows they stand for, and the objects ungcuu makes on
 * export (stix_made). See stix_store.h and migration 011.
 *
 * Export: a row some STIX objects stand for goes out as those objects
 * (with the row's TLP marking when it was changed here); every other
 * object of the imports they came from goes with them (identities,
 * malware, course-of-action, relationships, custom x- objects...) when
 * the TLP rule lets it go to the recipient, except objects that stand for
 * rows not going out (indicators withheld, filtered out, deleted) and the
 * relationships and sightings that point at those. Objects referenced
 * (*_ref, *_refs) by what goes out follow, under the same rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "stix_store.h"
#include "indicator.h"
#include "../directory/audit.h"
#include "../../base/crypto.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/uuid.h"
#include "../../base/banned.h"

static const char *actor_id(const struct ctx *c)
{
	return c->actor->system ? NULL : c->actor->id;
}

static int nomem(struct err *e)
{
	return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
}

static const char *jstr(const json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- import ---- */

struct stix_keep {
	json_t *rows;                 /* STIX id -> {"rows": [row ids], "tlp": n} */
	char batch[UUID_LEN];
};

struct stix_keep *stix_keep_new(void)
{
	struct stix_keep *k = calloc(1, sizeof(*k));
	if (k == NULL)
		return NULL;
	k->rows = json_object();
	if (k->rows == NULL) {
		free(k);
		return NULL;
	}
	uuid7(k->batch);
	return k;
}

void stix_keep_free(struct stix_keep *k)
{
	if (k == NULL)
		return;
	json_decref(k->rows);
	free(k);
}

int stix_keep_link(struct stix_keep *k, const char *origin_id, const char *indicator_id,
		   int tlp, struct err *e)
{
	if (origin_id == NULL || *origin_id == '\0')
		return 0;
	json_t *l = json_object_get(k->rows, origin_id);
	if (l == NULL) {
		l = json_pack("{s:[], s:i}", "rows", "tlp", tlp);
		if (l == NULL || json_object_set_new(k->rows, origin_id, l) != 0)
			return nomem(e);
	}
	json_t *rows = json_object_get(l, "rows");
	for (size_t i = 0; i < json_array_size(rows); i++)
		if (strcmp(json_string_value(json_array_get(rows, i)), indicator_id) == 0)
			return 0;
	return json_array_append_new(rows, json_string(indicator_id)) == 0 ? 0 : nomem(e);
}

struct keep_run {
	struct ctx *c;
	struct stix_keep *k;
	const char *org_id;
	int default_tlp;
	int64_t now;
};

/* An older version than the one kept (by modified, else created) is not
 * kept over it. */
static int older(const char *incoming, const char *kept)
{
	int64_t a = 0, b = 0;
	if (time_parse(incoming, &a) != 0 || time_parse(kept, &b) != 0)
		return 0;
	return a < b;
}

static int keep_one(void *arg, const struct stix_object *o, struct err *e)
{
	struct keep_run *r = arg;
	struct ctx *c = r->c;
	json_t *link = json_object_get(r->k->rows, o->id);
	int tlp = link ? (int)json_integer_value(json_object_get(link, "tlp"))
		       : (o->tlp > TLP_NONE ? o->tlp : r->default_tlp);
	const char *stamp = o->modified[0] ? o->modified : o->created;
	char id[UUID_LEN];
	struct stmt *st = store_query(c->db, e, "SELECT id, modified, created FROM stix_objects "
				      "WHERE org_id = $1 AND stix_id = $2", "tt", r->org_id, o->id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e), skip = 0;
	if (rc == 1) {
		snprintf(id, sizeof(id), "%s", stmt_text(st, 0));
		const char *m = stmt_text(st, 1)[0] ? stmt_text(st, 1) : stmt_text(st, 2);
		skip = older(stamp, m);
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		uuid7(id);
		if (store_run(c->db, e, "INSERT INTO stix_objects (id, org_id, stix_id, type, tlp, "
			      "created, modified, body, batch, created_by, created_at, updated_at) "
			      "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11)", "tttttttttti", id,
			      r->org_id, o->id, o->type, tlp_name(tlp), o->created, o->modified,
			      o->body, r->k->batch, actor_id(c), r->now) < 0)
			return -1;
	} else if (!skip &&
		   (store_run(c->db, e, "UPDATE stix_objects SET type = $2, tlp = $3, created = $4, "
			      "modified = $5, body = $6, batch = $7, updated_at = $8 WHERE id = $1 AND "
			      "(body <> $6 OR tlp <> $3 OR batch <> $7)", "ttttttti", id, o->type,
			      tlp_name(tlp), o->created, o->modified, o->body, r->k->batch, r->now) < 0 ||
		    /* This version stands for the rows its records went to now
		     * (a new pattern, a revocation: none). */
		    store_run(c->db, e, "DELETE FROM stix_object_indicators WHERE object_id = $1",
			      "t", id) < 0)) {
		return -1;
	}
	json_t *rows = json_object_get(link, "rows");
	for (size_t i = 0; i < json_array_size(rows); i++)
		if (store_run(c->db, e, "INSERT INTO stix_object_indicators (object_id, indicator_id) "
			      "VALUES ($1, $2) ON CONFLICT (object_id, indicator_id) DO NOTHING", "tt",
			      id, json_string_value(json_array_get(rows, i))) < 0)
			return -1;
	return 0;
}

int stix_keep_store(struct ctx *c, struct stix_keep *k, const char *org_id, int default_tlp,
		    const char *name, const char *data, size_t n, struct err *e)
{
	struct keep_run r = { .c = c, .k = k, .org_id = org_id, .default_tlp = default_tlp,
			      .now = time_now_ms() };
	return ioc_stix_objects(name, data, n, keep_one, &r, e) < 0 ? -1 : 0;
}

json_t *stix_objects_of(struct ctx *c, const char *indicator_id, struct err *e)
{
	const char *path;
	char code[65];
	indicator_actor_scope(c, &path, code);
	struct stmt *st = store_query(c->db, e, "SELECT o.stix_id, o.type, o.created, o.modified, "
		"o.body, o.org_id FROM stix_object_indicators l JOIN stix_objects o ON o.id = "
		"l.object_id WHERE l.indicator_id = $1 ORDER BY o.stix_id", "t", indicator_id);
	if (st == NULL)
		return NULL;
	json_t *out = json_array(), *creators = json_array(), *orgs = json_array();
	int rc = 0;
	while (out && creators && orgs && (rc = stmt_step(st, e)) == 1) {
		json_t *o = json_loads(stmt_text(st, 4), 0, NULL);
		const char *by = jstr(o, "created_by_ref");
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:o, s:n}", "id",
			stmt_text(st, 0), "type", stmt_text(st, 1), "created", stmt_text(st, 2),
			"modified", stmt_text(st, 3), "created_by_ref", by ? json_string(by) : json_null(),
			"producer"));
		json_array_append_new(creators, by ? json_string(by) : json_null());
		json_array_append_new(orgs, json_string(stmt_text(st, 5)));
		json_decref(o);
	}
	stmt_done(st);
	if (out == NULL || creators == NULL || orgs == NULL || rc < 0) {
		if (rc >= 0)
			nomem(e);
		json_decref(out);
		out = NULL;
		goto done;
	}
	/* The producer's name, from its identity as it came to the same owner,
	 * when the reader may read that object: inside the owner's scope, or
	 * under the TLP rule on its own label (a reader of another
	 * organisation gets what an export to it would carry). */
	for (size_t i = 0; i < json_array_size(out); i++) {
		const char *by = json_string_value(json_array_get(creators, i));
		if (by == NULL)
			continue;
		st = store_query(c->db, e, "SELECT o.body, o.tlp, og.code, og.path FROM stix_objects o "
				 "JOIN orgs og ON og.id = o.org_id WHERE o.org_id = $1 AND o.stix_id = $2",
				 "tt", json_string_value(json_array_get(orgs, i)), by);
		if (st == NULL) {
			json_decref(out);
			out = NULL;
			goto done;
		}
		if (stmt_step(st, e) == 1 &&
		    (strncmp(stmt_text(st, 3), path, strlen(path)) == 0 ||
		     tlp_may_share(stmt_text(st, 1), stmt_text(st, 2), code[0] ? code : NULL, NULL))) {
			json_t *idn = json_loads(stmt_text(st, 0), 0, NULL);
			if (jstr(idn, "name"))
				json_object_set_new(json_array_get(out, i), "producer",
						    json_string(jstr(idn, "name")));
			json_decref(idn);
		}
		stmt_done(st);
	}
done:
	json_decref(creators);
	json_decref(orgs);
	return out;
}

int stix_unlink_indicator(struct ctx *c, const char *indicator_id, struct err *e)
{
	return store_run(c->db, e, "DELETE FROM stix_object_indicators WHERE indicator_id = $1",
			 "t", indicator_id) < 0 ? -1 : 0;
}

/* ---- export ---- */

struct stix_out {
	struct ctx *c;
	const char *to_code;
	json_t *chosen;               /* "org_id stix_id" -> object */
	json_t *order;                /* the keys of chosen, in the order chosen */
	json_t *batches;              /* batch -> true */
	json_t *objects;              /* what goes to the exporter */
	unsigned char *kept;
	long made;                    /* stix_made rows written */
	json_t *made_keys;
};

/* A row whose TLP was changed here after its objects came: their TLP
 * markings say the row's label now, and modified moves to the row's time. */
static int relabel(json_t *o, int tlp, int64_t row_modified)
{
	json_t *refs = json_object_get(o, "object_marking_refs"), *nv = json_array();
	if (nv == NULL)
		return -1;
	for (size_t i = 0; json_is_array(refs) && i < json_array_size(refs); i++) {
		json_t *r = json_array_get(refs, i);
		if (json_is_string(r) && ioc_stix_marking_tlp(json_string_value(r)) != TLP_NONE)
			continue;
		json_array_append(nv, r);
	}
	if (ioc_stix_tlp_marking(tlp))
		json_array_append_new(nv, json_string(ioc_stix_tlp_marking(tlp)));
	if (json_object_set_new(o, "object_marking_refs", nv) != 0)
		return -1;
	int64_t m = 0;
	const char *mt = jstr(o, "modified");
	if (mt && time_parse(mt, &m) == 0 && row_modified > m) {
		char t[TIME_RFC3339_LEN];
		json_object_set_new(o, "modified", json_string(time_format_utc(row_modified, t)));
	}
	return 0;
}

/* The STIX 2.1 types whose objects must say spec_version (SDOs, SROs,
 * meta objects; SCOs may leave it out). */
static const char *const versioned_types[] = {
	"attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident",
	"indicator", "infrastructure", "intrusion-set", "location", "malware",
	"malware-analysis", "note", "observed-data", "opinion", "report", "threat-actor", "tool",
	"vulnerability", "relationship", "sighting", "marking-definition", "language-content",
	"extension-definition", NULL,
};

static int choose(struct stix_out *x, const char *org_id, const char *stix_id, json_t *o)
{
	/* An object that came without spec_version (written for STIX 2.0,
	 * as in medallion's sample data) says the version it goes out as. */
	const char *type = jstr(o, "type");
	for (size_t i = 0; type && versioned_types[i]; i++)
		if (strcmp(type, versioned_types[i]) == 0 && !json_object_get(o, "spec_version") &&
		    json_object_set_new(o, "spec_version", json_string("2.1")) != 0)
			return -1;
	char *key = NULL;
	size_t l = strlen(org_id) + strlen(stix_id) + 2;
	key = malloc(l);
	if (key == NULL)
		return -1;
	snprintf(key, l, "%s %s", org_id, stix_id);
	int rc = 0;
	if (json_object_get(x->chosen, key) == NULL)
		rc = json_object_set(x->chosen, key, o) != 0 ||
		     json_array_append_new(x->order, json_string(key)) != 0 ? -1 : 0;
	free(key);
	return rc;
}

static int chosen(struct stix_out *x, const char *org_id, const char *stix_id)
{
	char key[400];
	snprintf(key, sizeof(key), "%s %s", org_id, stix_id);
	return json_object_get(x->chosen, key) != NULL;
}

/* The columns candidate() reads. */
#define OBJ_COLS "o.id, o.stix_id, o.type, o.tlp, o.body, o.org_id, og.code, " \
	"CASE WHEN EXISTS (SELECT 1 FROM stix_object_indicators l WHERE l.object_id = o.id) " \
	"THEN 1 ELSE 0 END "
#define OBJ_FROM " FROM stix_objects o JOIN orgs og ON og.id = o.org_id "

/* An object that is not a row's (batch or reference): taken when it stands
 * for no row (a revoked indicator stands for none and goes) and the TLP
 * rule lets it go. 1 taken, 0 not, -1 error. */
static int candidate(struct stix_out *x, struct stmt *st)
{
	const char *stix_id = stmt_text(st, 1), *type = stmt_text(st, 2);
	if (chosen(x, stmt_text(st, 5), stix_id) || stmt_int(st, 7))
		return 0;
	if (!tlp_may_share(stmt_text(st, 3), stmt_text(st, 6), x->to_code, NULL))
		return 0;
	json_t *o = json_loads(stmt_text(st, 4), 0, NULL);
	if (o == NULL)
		return 0;
	if (strcmp(type, "indicator") == 0 && !json_is_true(json_object_get(o, "revoked"))) {
		json_decref(o);       /* its rows were deleted here */
		return 0;
	}
	int rc = choose(x, stmt_text(st, 5), stix_id, o);
	json_decref(o);
	return rc < 0 ? -1 : 1;
}

/* Every *_ref / *_refs string inside v (nested: granular markings,
 * extensions), into refs. */
static void collect_refs(json_t *v, json_t *refs, int depth)
{
	const char *key;
	json_t *val;
	if (depth > 16)
		return;
	if (json_is_array(v)) {
		size_t i;
		json_array_foreach(v, i, val)
			collect_refs(val, refs, depth + 1);
		return;
	}
	json_object_foreach(v, key, val) {
		size_t l = strlen(key);
		int ref = (l > 4 && strcmp(key + l - 4, "_ref") == 0) ||
			  (l > 5 && strcmp(key + l - 5, "_refs") == 0);
		if (ref && json_is_string(val))
			json_object_set_new(refs, json_string_value(val), json_true());
		else if (ref && json_is_array(val)) {
			size_t i;
			json_t *s;
			json_array_foreach(val, i, s)
				if (json_is_string(s))
					json_object_set_new(refs, json_string_value(s), json_true());
		} else if (json_is_object(val) || json_is_array(val)) {
			collect_refs(val, refs, depth + 1);
		}
	}
}

/* A relationship or sighting pointing at a stored object of its owner that
 * does not go out (an indicator withheld) does not go either. */
static int points_away(struct stix_out *x, const char *org_id, json_t *o, struct err *e)
{
	static const char *const ends[] = { "source_ref", "target_ref", "sighting_of_ref", NULL };
	for (size_t i = 0; ends[i]; i++) {
		const char *ref = jstr(o, ends[i]);
		if (ref == NULL || chosen(x, org_id, ref))
			continue;
		struct stmt *st = store_query(x->c->db, e, "SELECT 1 FROM stix_objects WHERE "
					      "org_id = $1 AND stix_id = $2", "tt", org_id, ref);
		if (st == NULL)
			return -1;
		int rc = stmt_step(st, e);
		stmt_done(st);
		if (rc != 0)
			return rc < 0 ? -1 : 1;
	}
	return 0;
}

/* The stamp of ioc_export: stix_made. */
static int stamp(void *arg, const char *key, const char *type, const char *digest,
		 char id[IOC_STIX_ID_MAX], char created[IOC_STIX_TIME_MAX],
		 char modified[IOC_STIX_TIME_MAX], struct err *e)
{
	struct stix_out *x = arg;
	struct ctx *c = x->c;
	int64_t now = time_now_ms();
	char t[TIME_RFC3339_LEN];
	struct stmt *st = store_query(c->db, e, "SELECT stix_id, created, modified, digest FROM "
				      "stix_made WHERE key = $1", "t", key);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	char old_digest[SHA256_HEX_LEN + 1] = "", old_mod[IOC_STIX_TIME_MAX] = "";
	if (rc == 1) {
		snprintf(id, IOC_STIX_ID_MAX, "%s", stmt_text(st, 0));
		if (created)
			snprintf(created, IOC_STIX_TIME_MAX, "%s", stmt_text(st, 1));
		snprintf(old_mod, sizeof(old_mod), "%s", stmt_text(st, 2));
		snprintf(old_digest, sizeof(old_digest), "%s", stmt_text(st, 3));
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		/* New: a UUIDv4, as STIX 2.1 (2.9) recommends for SDOs and SROs. */
		unsigned char b[16];
		randombytes_buf(b, sizeof(b));
		b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
		b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
		snprintf(id, IOC_STIX_ID_MAX, "%s--%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			 "%02x%02x%02x%02x%02x%02x", type, b[0], b[1], b[2], b[3], b[4], b[5], b[6],
			 b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
		time_format_utc(now, t);
		if (store_run(c->db, e, "INSERT INTO stix_made (key, stix_id, created, modified, "
			      "digest, created_at, updated_at) VALUES ($1,$2,$3,$3,$4,$5,$5)", "tttti",
			      key, id, t, digest ? digest : "", now) < 0)
			return -1;
		x->made++;
		if (created)
			snprintf(created, IOC_STIX_TIME_MAX, "%s", t);
		snprintf(old_mod, sizeof(old_mod), "%s", t);
		snprintf(old_digest, sizeof(old_digest), "%s", digest ? digest : "");
	}
	if (digest && strcmp(old_digest, digest) != 0) {
		/* Its content changed since it was last written: a new version,
		 * modified later than the last (first digest: just made, no
		 * version before it). */
		int64_t m = 0;
		if (old_digest[0] && time_parse(old_mod, &m) == 0) {
			time_format_utc(now > m ? now : m + 1, t);
			snprintf(old_mod, sizeof(old_mod), "%s", t);
		}
		if (store_run(c->db, e, "UPDATE stix_made SET digest = $2, modified = $3, "
			      "updated_at = $4 WHERE key = $1", "ttti", key, digest, old_mod, now) < 0)
			return -1;
		x->made++;
	}
	if (modified)
		snprintf(modified, IOC_STIX_TIME_MAX, "%s", old_mod);
	return 0;
}

struct stix_out *stix_out_prepare(struct ctx *c, const struct ioc *v, const char *const *ids,
				  size_t n, const char *to_code, struct ioc_export *ex,
				  struct err *e)
{
	struct stix_out *x = calloc(1, sizeof(*x));
	if (x == NULL)
		return nomem(e), NULL;
	x->c = c;
	x->to_code = to_code;
	x->chosen = json_object();
	x->order = json_array();
	x->batches = json_object();
	x->objects = json_array();
	x->kept = calloc(n ? n : 1, 1);
	if (!x->chosen || !x->order || !x->batches || !x->objects || !x->kept)
		goto nomem;
	/* The rows that go out, as the objects that stand for them. */
	for (size_t k = 0; k < n; k++) {
		const struct ioc *i = &v[k];
		if (!ioc_may_share(i, to_code) || !i->to_ids)
			continue;
		struct stmt *st = store_query(c->db, e, "SELECT o.stix_id, o.tlp, o.body, o.batch, "
			"o.org_id FROM stix_object_indicators l JOIN stix_objects o ON o.id = "
			"l.object_id WHERE l.indicator_id = $1 ORDER BY o.stix_id", "t", ids[k]);
		if (st == NULL)
			goto fail;
		int rc;
		while ((rc = stmt_step(st, e)) == 1) {
			json_t *o = json_loads(stmt_text(st, 2), 0, NULL);
			if (o == NULL)
				continue;
			if (tlp_parse(stmt_text(st, 1)) != i->tlp) {
				if (relabel(o, i->tlp, i->modified) != 0)
					rc = -1;
				ex->stix_tlp_used |= 1u << i->tlp;
			}
			if (rc >= 0 && (choose(x, stmt_text(st, 4), stmt_text(st, 0), o) != 0 ||
					json_object_set_new(x->batches, stmt_text(st, 3), json_true()) != 0))
				rc = -1;
			json_decref(o);
			if (rc < 0)
				break;
			x->kept[k] = 1;
		}
		stmt_done(st);
		if (rc < 0)
			goto fail;
	}
	/* The context that came with them. */
	const char *batch;
	json_t *unused;
	json_object_foreach(x->batches, batch, unused) {
		struct stmt *st = store_query(c->db, e, "SELECT " OBJ_COLS OBJ_FROM "WHERE o.batch = $1 "
					      "ORDER BY o.stix_id", "t", batch);
		if (st == NULL)
			goto fail;
		int rc;
		while ((rc = stmt_step(st, e)) == 1)
			if (candidate(x, st) < 0) {
				rc = -1;
				break;
			}
		stmt_done(st);
		if (rc < 0)
			goto fail;
	}
	/* What they reference, from any import of the same owner. */
	for (size_t i = 0; i < json_array_size(x->order); i++) {
		const char *key = json_string_value(json_array_get(x->order, i));
		json_t *refs = json_object();
		if (refs == NULL)
			goto nomem;
		collect_refs(json_object_get(x->chosen, key), refs, 0);
		char org_id[UUID_LEN];
		snprintf(org_id, sizeof(org_id), "%.*s", (int)(strchr(key, ' ') - key), key);
		const char *ref;
		json_object_foreach(refs, ref, unused) {
			if (chosen(x, org_id, ref))
				continue;
			struct stmt *st = store_query(c->db, e, "SELECT " OBJ_COLS OBJ_FROM "WHERE "
						      "o.org_id = $1 AND o.stix_id = $2", "tt", org_id, ref);
			int rc = st ? stmt_step(st, e) : -1;
			if (rc == 1 && candidate(x, st) < 0)
				rc = -1;
			if (st)
				stmt_done(st);
			if (rc < 0) {
				json_decref(refs);
				goto fail;
			}
		}
		json_decref(refs);
	}
	for (size_t i = 0; i < json_array_size(x->order); i++) {
		const char *key = json_string_value(json_array_get(x->order, i));
		json_t *o = json_object_get(x->chosen, key);
		char org_id[UUID_LEN];
		snprintf(org_id, sizeof(org_id), "%.*s", (int)(strchr(key, ' ') - key), key);
		int away = points_away(x, org_id, o, e);
		if (away < 0)
			goto fail;
		if (!away && json_array_append(x->objects, o) != 0)
			goto nomem;
	}
	ex->stix_objects = x->objects;
	ex->stix_kept = x->kept;
	ex->stamp = stamp;
	ex->stamp_arg = x;
	return x;
nomem:
	nomem(e);
fail:
	stix_out_free(x);
	return NULL;
}

int stix_out_finish(struct ctx *c, struct stix_out *o, struct err *e)
{
	if (o->made == 0)
		return 0;
	json_t *a = json_pack("{s:I}", "stix_made", (json_int_t)o->made);
	int rc = a ? audit_append_json(c, "indicator.export", "stix_made",
					 o->to_code ? o->to_code : "-", NULL, a, e)
		   : nomem(e);
	json_decref(a);
	return rc;
}

void stix_out_free(struct stix_out *o)
{
	if (o == NULL)
		return;
	json_decref(o->chosen);
	json_decref(o->order);
	json_decref(o->batches);
	json_decref(o->objects);
	free(o->kept);
	free(o);
}
