/*
 * indicator.c - the indicator store: records, import under one transaction,
 * export under the TLP rule, and sightings.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yara.h>

#include "indicator.h"
#include "misp.h"
#include "stix_store.h"
#include "../directory/audit.h"
#include "../incident/incident_int.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "../../base/arena.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

const char *const indicator_format_names[] = { "stix", "misp", "list", "csv", "yara", NULL };

int indicator_format(const char *name)
{
	return name ? jv_enum_index(indicator_format_names, name) : -1;
}

static const char *const kind_names[] = {
	"ipv4", "ipv6", "cidr", "domain", "url", "sha256", "sha1", "md5", "email", "filename",
	"yara", "pattern", NULL
};

#define INDICATOR_FIELDS_COMMON \
	{ "tlp", JV_ENUM, 0, 0, 0, tlp_labels, NULL }, \
	{ "name", JV_STRING, 0, 0, LIMIT_SHORT_TEXT, NULL, NULL }, \
	{ "description", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL }, \
	{ "source", JV_STRING, 0, 0, LIMIT_SHORT_TEXT, NULL, NULL }, \
	{ "file_name", JV_STRING, 0, 0, LIMIT_SHORT_TEXT, NULL, NULL }, \
	{ "confidence", JV_INT, 0, 0, 100, NULL, NULL }, \
	{ "to_ids", JV_BOOL, 0, 0, 0, NULL, NULL }, \
	{ "valid_from", JV_TIME, 0, 0, 0, NULL, NULL }, \
	{ "valid_until", JV_TIME, 0, 0, 0, NULL, NULL }, \
	{ "tags", JV_STRINGS, 0, 0, LIMIT_ARRAY_ITEMS, NULL, NULL }, \
	{ "related", JV_STRINGS, 0, 0, LIMIT_ARRAY_ITEMS, NULL, NULL }, \
	{ "share_with_codes", JV_STRINGS, 0, 0, LIMIT_ARRAY_ITEMS, NULL, NULL }, \
	{ "incident_ids", JV_STRINGS, 0, 0, LIMIT_ARRAY_ITEMS, NULL, NULL }

static const struct jv_field create_fields[] = {
	{ "kind", JV_ENUM, 0, 0, 0, kind_names, NULL },
	{ "value", JV_STRING, 1, 0, IOC_MAX_TEXT, NULL, NULL },
	{ "org_code", JV_STRING, 0, 0, 64, NULL, NULL },
	INDICATOR_FIELDS_COMMON,
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field update_fields[] = {
	INDICATOR_FIELDS_COMMON,
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const char *actor_id(const struct ctx *c)
{
	return c->actor->system ? NULL : c->actor->id;
}

void indicator_actor_scope(struct ctx *c, const char **path, char code[65])
{
	struct org o;
	struct err e = { 0 };
	code[0] = '\0';
	*path = c->actor->system ? "/" : c->actor->org_path;
	if (!c->actor->system && c->actor->org_id[0] && org_by_id(c, c->actor->org_id, &o, &e) == 0)
		snprintf(code, 65, "%s", o.code);
}

/* A peer's name as the indicator copies from it carry it (source). */
#define LIMIT_MIRROR_PEER 128

/* The columns ind_json reads, in order. */
#define IND_COLS "i.id, i.kind, i.value, i.pattern_type, i.why, i.name, i.description, " \
	"i.source, i.file_name, i.tlp, i.confidence, i.to_ids, i.valid_from, i.valid_until, " \
	"i.tags, i.related, i.share_with, i.origin_id, i.version, i.created_at, i.updated_at, " \
	"o.code, o.name, (SELECT COUNT(*) FROM sightings s WHERE s.indicator_id = i.id), " \
	"(SELECT MAX(s.seen_at) FROM sightings s WHERE s.indicator_id = i.id), " \
	IND_MIRRORED_FROM
/* The peer whose record it is a copy of (issue 16: ind_mirrored_from's
 * rule), NULL when it is ours. */
#define IND_MIRRORED_FROM "(SELECT p.name FROM sync_map m JOIN sync_peers p ON p.id = " \
	"m.peer_id WHERE m.type = 'indicator' AND m.local_id = i.id AND m.remote_id = " \
	"i.origin_id AND p.name = i.source LIMIT 1)"
#define IND_FROM " FROM indicators i JOIN orgs o ON o.id = i.org_id "

static json_t *json_text(const char *s)
{
	json_t *j = s ? json_loads(s, 0, NULL) : NULL;
	return j ? j : json_array();
}

/* related is stored as [{"type","name"}]. */
static int is_active(struct stmt *st, int64_t now)
{
	int64_t from = stmt_int(st, 12), until = stmt_int(st, 13);
	const char *kind = stmt_text(st, 1);
	return stmt_int(st, 11) && strcmp(kind, "pattern") != 0 && (from == 0 || from <= now) &&
	       (until == 0 || until > now);
}

static json_t *ind_json(struct stmt *st)
{
	int64_t now = time_now_ms();
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b, "
		"s:o, s:o, s:b, s:o, s:o, s:o, s:s, s:I, s:o, s:o, s:{s:s, s:s}, s:I, s:o}",
		"id", stmt_text(st, 0), "kind", stmt_text(st, 1), "value", stmt_text(st, 2),
		"pattern_type", stmt_text(st, 3), "why", stmt_text(st, 4), "name", stmt_text(st, 5),
		"description", stmt_text(st, 6), "source", stmt_text(st, 7),
		"file_name", stmt_text(st, 8), "tlp", stmt_text(st, 9),
		"confidence", stmt_isnull(st, 10) ? json_null() : json_integer(stmt_int(st, 10)),
		"to_ids", (int)stmt_int(st, 11),
		"valid_from", ms_json(stmt_int(st, 12)), "valid_until", ms_json(stmt_int(st, 13)),
		"active", is_active(st, now),
		"tags", json_text(stmt_text(st, 14)), "related", json_text(stmt_text(st, 15)),
		"share_with", json_text(stmt_text(st, 16)), "origin_id", stmt_text(st, 17),
		"version", (json_int_t)stmt_int(st, 18), "created_at", ms_json(stmt_int(st, 19)),
		"updated_at", ms_json(stmt_int(st, 20)),
		"org", "code", stmt_text(st, 21), "name", stmt_text(st, 22),
		"sightings", (json_int_t)stmt_int(st, 23), "last_seen_at", ms_json(stmt_int(st, 24)));
	/* A copy from another instance: who edits it (the UI offers no edit). */
	json_object_set_new(j, "mirrored_from", stmt_isnull(st, 25) ? json_null()
					       : json_string(stmt_text(st, 25)));
	/* share_with holds codes; answer them as {"code"} objects like org. */
	json_t *codes = json_object_get(j, "share_with"), *objs = json_array(), *v;
	size_t k;
	json_array_foreach(codes, k, v)
		json_array_append_new(objs, json_pack("{s:O}", "code", v));
	json_object_set_new(j, "share_with", objs);
	return j;
}

/* ---- the record as a struct ioc, and back ---- */

struct ind_new {
	struct ioc ioc;
	const char *org_id;                /* owner */
	json_t *share_codes;               /* array of codes, borrowed */
	json_t *incident_ids;              /* array of incident ids, borrowed */
};

static char *tags_text(const struct ioc *i)
{
	json_t *a = json_array();
	for (size_t k = 0; k < i->ntags; k++)
		json_array_append_new(a, json_string(i->tags[k]));
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static char *related_text(const struct ioc *i)
{
	json_t *a = json_array();
	for (size_t k = 0; k < i->nrelated; k++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "type", i->related[k].type,
						   "name", i->related[k].name));
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* Inside a write transaction: each observable of an open incident the new
 * indicator matches becomes a sighting (once). */
static int match_open_observables(struct ctx *c, const char *ind_id, int kind,
				  const char *value, struct err *e);

/*
 * Adds or updates (same owner, kind and value) one record. *created (may be
 * NULL) says which; id gets the record's id. Inside a write transaction.
 */
static int upsert(struct ctx *c, const struct ind_new *n, int *created, char id[UUID_LEN],
		  struct err *e)
{
	const struct ioc *i = &n->ioc;
	int64_t now = time_now_ms();
	const char *kind = ioc_kind_name(i->kind);
	char *tags = tags_text(i), *related = related_text(i);
	char *share = n->share_codes ? json_dumps(n->share_codes, JSON_COMPACT) : strdup("[]");
	int rc = -1, is_new = 0;
	if (tags == NULL || related == NULL || share == NULL) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		goto out;
	}
	struct stmt *st = store_query(c->db, e, "SELECT id FROM indicators WHERE org_id = $1 AND "
				      "kind = $2 AND value = $3", "ttt", n->org_id, kind, i->value);
	if (st == NULL)
		goto out;
	int r = stmt_step(st, e);
	if (r == 1)
		snprintf(id, UUID_LEN, "%s", stmt_text(st, 0));
	stmt_done(st);
	if (r < 0)
		goto out;
	is_new = r == 0;
	const char *tlp = tlp_name(i->tlp) ? tlp_name(i->tlp) : "AMBER";
	int64_t conf = i->confidence;
	if (is_new) {
		uuid7(id);
		r = store_run(c->db, e, "INSERT INTO indicators (id, org_id, kind, value, pattern_type, "
			"why, name, description, source, file_name, tlp, confidence, to_ids, "
			"valid_from, valid_until, tags, related, share_with, origin_id, version, "
			"created_by, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,"
			"$11,NULLIF($12, -1),$13,NULLIF($14, 0),NULLIF($15, 0),$16,$17,$18,$19,1,$20,"
			"$21,$21)", "ttttttttttt" "iiii" "ttttt" "i", id, n->org_id, kind, i->value,
			i->pattern_type ? i->pattern_type : "", i->why ? i->why : "",
			i->name ? i->name : "", i->description ? i->description : "",
			i->source ? i->source : "", i->file_name ? i->file_name : "", tlp,
			conf, (int64_t)(i->to_ids != 0), i->valid_from, i->valid_until, tags, related,
			share, i->origin_id ? i->origin_id : "", actor_id(c), now);
	} else {
		r = store_run(c->db, e, "UPDATE indicators SET pattern_type = $2, why = $3, name = $4, "
			"description = $5, source = $6, file_name = $7, tlp = $8, "
			"confidence = NULLIF($9, -1), to_ids = $10, valid_from = NULLIF($11, 0), "
			"valid_until = NULLIF($12, 0), tags = $13, related = $14, share_with = $15, "
			"origin_id = $16, version = version + 1, updated_at = $17 WHERE id = $1",
			"tttttttt" "iiii" "tttt" "i", id,
			i->pattern_type ? i->pattern_type : "", i->why ? i->why : "",
			i->name ? i->name : "", i->description ? i->description : "",
			i->source ? i->source : "", i->file_name ? i->file_name : "", tlp,
			conf, (int64_t)(i->to_ids != 0), i->valid_from, i->valid_until,
			tags, related, share, i->origin_id ? i->origin_id : "", now);
	}
	if (r < 0)
		goto out;
	size_t k;
	json_t *v;
	json_array_foreach(n->incident_ids, k, v)
		if (store_run(c->db, e, "INSERT INTO indicator_incidents (indicator_id, incident_id) "
			      "VALUES ($1, $2) ON CONFLICT (indicator_id, incident_id) DO NOTHING",
			      "tt", id, json_string_value(v)) < 0)
			goto out;
	if (ioc_active(i, now) && match_open_observables(c, id, i->kind, i->value, e) < 0)
		goto out;
	if (created)
		*created = is_new;
	rc = 0;
out:
	free(tags);
	free(related);
	free(share);
	return rc;
}

/* ---- matching ---- */

/* Whether the address ip lies in the network cidr (both normal forms). */
static int cidr_contains(const char *cidr, const char *ip)
{
	unsigned char net[16], addr[16];
	char host[64];
	const char *slash = strchr(cidr, '/');
	if (slash == NULL || (size_t)(slash - cidr) >= sizeof(host))
		return 0;
	memcpy(host, cidr, (size_t)(slash - cidr));
	host[slash - cidr] = '\0';
	int af = strchr(host, ':') ? AF_INET6 : AF_INET;
	if ((strchr(ip, ':') ? AF_INET6 : AF_INET) != af || inet_pton(af, host, net) != 1 ||
	    inet_pton(af, ip, addr) != 1)
		return 0;
	int bits = atoi(slash + 1);
	for (int k = 0; k < bits / 8; k++)
		if (net[k] != addr[k])
			return 0;
	if (bits % 8) {
		unsigned char mask = (unsigned char)(0xff << (8 - bits % 8));
		if ((net[bits / 8] & mask) != (addr[bits / 8] & mask))
			return 0;
	}
	return 1;
}

int observable_normalise(const char *kind, const char *value, char *out, size_t n)
{
	int k;
	if (strcmp(kind, "ip") == 0)
		k = strchr(value, ':') ? IOC_IPV6 : IOC_IPV4;
	else if (strcmp(kind, "domain") == 0)
		k = IOC_DOMAIN;
	else if (strcmp(kind, "url") == 0)
		k = IOC_URL;
	else if (strcmp(kind, "email") == 0)
		k = IOC_EMAIL;
	else if (strcmp(kind, "filename") == 0)
		k = IOC_FILENAME;
	else if (strcmp(kind, "hash") == 0) {
		size_t len = strlen(value);
		k = len == 32 ? IOC_MD5 : len == 40 ? IOC_SHA1 : len == 64 ? IOC_SHA256 : -1;
		if (len == 128) {   /* SHA-512: kept as given, lower case */
			if (len + 1 > n)
				return -1;
			for (size_t i = 0; i <= len; i++)
				out[i] = (char)((value[i] >= 'A' && value[i] <= 'F') ? value[i] + 32
										     : value[i]);
			return strspn(out, "0123456789abcdef") == len ? 0 : -1;
		}
	} else
		return -1;
	if (k < 0)
		return -1;
	/* ioc_normalise works in buffers of IOC_MAX_VALUE and more. */
	struct arena *a = arena_new(16 * IOC_MAX_VALUE);
	const char *why, *v = a ? ioc_normalise(a, &k, value, &why) : NULL;
	int rc = v && strlen(v) < n ? 0 : -1;
	if (rc == 0)
		snprintf(out, n, "%s", v);
	arena_free(a);
	return rc;
}

#define ACTIVE "i.to_ids = 1 AND i.kind <> 'pattern' AND (i.valid_from IS NULL OR " \
	"i.valid_from <= $4) AND (i.valid_until IS NULL OR i.valid_until > $4)"
#define MATCH_SQL(cond) "SELECT i.id, i.kind, i.value, i.tlp, i.name FROM indicators i " \
	"JOIN orgs o ON o.id = i.org_id WHERE " INDICATOR_VISIBLE " AND " ACTIVE " AND " cond

/* Appends the rows of a match query to out (each indicator once). */
static int match_rows(struct ctx *c, const char *sql, const char *path, const char *code,
		      const char *value, const char *ip_in_cidr, json_t *out, struct err *e)
{
	struct stmt *st = store_query(c->db, e, sql, "ttti", path, code, value, time_now_ms());
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		if (ip_in_cidr && !cidr_contains(stmt_text(st, 2), ip_in_cidr))
			continue;
		size_t k;
		json_t *v;
		int seen = 0;
		json_array_foreach(out, k, v)
			seen |= strcmp(jv_str(v, "id"), stmt_text(st, 0)) == 0;
		if (!seen)
			json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:s}",
				"id", stmt_text(st, 0), "kind", stmt_text(st, 1), "value",
				stmt_text(st, 2), "tlp", stmt_text(st, 3), "name", stmt_text(st, 4)));
	}
	stmt_done(st);
	return rc;
}

/* A domain and each parent of it with a dot left ("a.b.evil.com",
 * "b.evil.com", "evil.com"): a domain indicator covers its subdomains. */
static int match_domain(struct ctx *c, const char *path, const char *code, const char *d,
			json_t *out, struct err *e)
{
	for (const char *s = d; s && strchr(s, '.'); s = strchr(s, '.') ? strchr(s, '.') + 1 : NULL)
		if (match_rows(c, MATCH_SQL("i.kind = 'domain' AND i.value = $3"), path, code, s,
			       NULL, out, e) < 0)
			return -1;
	return 0;
}

/* The active indicators an observable matches; path/code limit them to what
 * the actor may read ("/" and "" for all). */
static json_t *indicators_for(struct ctx *c, const char *kind, const char *value,
			      const char *path, const char *code, struct err *e)
{
	json_t *out = json_array();
	int rc = 0;
	if (strcmp(kind, "ip") == 0) {
		rc = match_rows(c, MATCH_SQL("i.kind IN ('ipv4', 'ipv6') AND i.value = $3"), path,
				code, value, NULL, out, e);
		if (rc == 0 && !strchr(value, '/'))
			rc = match_rows(c, MATCH_SQL("i.kind = 'cidr' AND $3 = $3"), path, code,
					value, value, out, e);
	} else if (strcmp(kind, "domain") == 0) {
		rc = match_domain(c, path, code, value, out, e);
	} else if (strcmp(kind, "url") == 0) {
		rc = match_rows(c, MATCH_SQL("i.kind = 'url' AND i.value = $3"), path, code, value,
				NULL, out, e);
		/* The host of the URL: a domain (or its parents) or an address. */
		const char *h = strstr(value, "://");
		char host[256];
		if (rc == 0 && h) {
			h += 3;
			size_t n = strcspn(h, "/:?#");
			if (h[0] != '[' && n > 0 && n < sizeof(host)) {
				memcpy(host, h, n);
				host[n] = '\0';
				rc = host[strspn(host, "0123456789.")] == '\0'
				     ? match_rows(c, MATCH_SQL("i.kind = 'ipv4' AND i.value = $3"), path,
						  code, host, NULL, out, e)
				     : match_domain(c, path, code, host, out, e);
			}
		}
	} else if (strcmp(kind, "hash") == 0) {
		rc = match_rows(c, MATCH_SQL("i.kind IN ('sha256', 'sha1', 'md5') AND i.value = $3"),
				path, code, value, NULL, out, e);
	} else if (strcmp(kind, "email") == 0) {
		rc = match_rows(c, MATCH_SQL("i.kind = 'email' AND i.value = $3"), path, code, value,
				NULL, out, e);
	} else if (strcmp(kind, "filename") == 0) {
		rc = match_rows(c, MATCH_SQL("i.kind = 'filename' AND lower(i.value) = lower($3)"),
				path, code, value, NULL, out, e);
	}
	if (rc < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

int sighting_add(struct ctx *c, const struct sighting *s, struct err *e)
{
	char id[UUID_LEN];
	if (store_run(c->db, e, "INSERT INTO sightings (id, indicator_id, org_id, source, "
			 "host_id, incident_id, observable_id, hunt_id, run_id, path, line, seen_at, "
			 "created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,NULLIF($11, 0),"
			 "$12,$13,$14)", "tttttttttt" "iiti", uuid7(id), s->indicator_id, s->org_id,
			 s->source, s->host_id, s->incident_id, s->observable_id, s->hunt_id, s->run_id,
			 s->path ? s->path : "", (int64_t)s->line, s->seen_at, s->created_by,
			 time_now_ms()) < 0)
		return -1;
	json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", id, "indicator_id",
				s->indicator_id, "org_id", s->org_id, "source", s->source,
				"seen_at", ms_json(s->seen_at));
	int rc = rec ? domain_record_hook(c, "sighting", id, rec, e) : err_set(e, E_NOMEM,
									 MSG_INTERNAL, NULL);
	json_decref(rec);
	return rc;
}

int indicator_match_observable(struct ctx *c, const char *incident_id, const char *org_id,
			       const char *observable_id, const char *kind, const char *value,
			       struct err *e)
{
	json_t *hits = indicators_for(c, kind, value, "/", "", e), *v;
	size_t k;
	if (hits == NULL)
		return -1;
	int64_t now = time_now_ms();
	json_array_foreach(hits, k, v) {
		struct sighting s = { .indicator_id = jv_str(v, "id"), .org_id = org_id,
			.source = "observable", .incident_id = incident_id,
			.observable_id = observable_id, .seen_at = now, .created_by = actor_id(c) };
		if (sighting_add(c, &s, e) != 0) {
			json_decref(hits);
			return -1;
		}
	}
	int n = (int)json_array_size(hits);
	json_decref(hits);
	return n;
}

/* The indicators the actor sees that match an observable (incident/'s
 * "seen before"). */
static json_t *observable_indicators(struct ctx *c, const char *kind, const char *value,
				     struct err *e)
{
	const char *path;
	char code[65];
	indicator_actor_scope(c, &path, code);
	return indicators_for(c, kind, value, path, code, e);
}

_Static_assert(OBSERVABLE_NORM_ROOM >= IOC_MAX_VALUE, "ioc_normalise works in IOC_MAX_VALUE");

void indicator_observables_install(void)
{
	static const struct incident_indicators ops = {
		.normalise = observable_normalise,
		.sighted = indicator_match_observable,
		.matching = observable_indicators,
	};
	incident_on_indicators(&ops);
}

static int match_open_observables(struct ctx *c, const char *ind_id, int kind,
				  const char *value, struct err *e)
{
	const char *cond, *okind;
	switch (kind) {
	case IOC_IPV4: case IOC_IPV6: okind = "ip"; cond = "b.value = $2"; break;
	case IOC_CIDR: okind = "ip"; cond = "$2 = $2"; break;
	case IOC_DOMAIN: okind = "domain"; cond = "(b.value = $2 OR substr(b.value, "
		"length(b.value) - length($2)) = '.' || $2)"; break;
	case IOC_URL: okind = "url"; cond = "b.value = $2"; break;
	case IOC_EMAIL: okind = "email"; cond = "b.value = $2"; break;
	case IOC_SHA256: case IOC_SHA1: case IOC_MD5: okind = "hash"; cond = "b.value = $2"; break;
	case IOC_FILENAME: okind = "filename"; cond = "lower(b.value) = lower($2)"; break;
	default: return 0;
	}
	char sql[640];
	snprintf(sql, sizeof(sql), "SELECT b.id, b.incident_id, n.org_id, b.value FROM observables b "
		 "JOIN incidents n ON n.id = b.incident_id WHERE n.status NOT IN ('closed', "
		 "'rejected') AND b.kind = $1 AND %s AND NOT EXISTS (SELECT 1 FROM sightings s "
		 "WHERE s.indicator_id = $3 AND s.observable_id = b.id) LIMIT 1000", cond);
	struct stmt *st = store_query(c->db, e, sql, "ttt", okind, value, ind_id);
	if (st == NULL)
		return -1;
	json_t *rows = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		if (kind != IOC_CIDR || cidr_contains(value, stmt_text(st, 3)))
			json_array_append_new(rows, json_pack("[s, s, s]", stmt_text(st, 0),
							      stmt_text(st, 1), stmt_text(st, 2)));
	stmt_done(st);
	size_t k;
	json_t *v;
	int64_t now = time_now_ms();
	json_array_foreach(rows, k, v) {
		if (rc < 0)
			break;
		struct sighting s = { .indicator_id = ind_id, .source = "observable",
			.observable_id = json_string_value(json_array_get(v, 0)),
			.incident_id = json_string_value(json_array_get(v, 1)),
			.org_id = json_string_value(json_array_get(v, 2)), .seen_at = now,
			.created_by = actor_id(c) };
		rc = sighting_add(c, &s, e);
	}
	json_decref(rows);
	return rc < 0 ? -1 : 0;
}

/* ---- records ---- */

/* The owner organisation: org_code (in the actor's scope), else the
 * actor's, else (the instance) the root. */
static int owner_org(struct ctx *c, const char *org_code, struct org *o, struct err *e)
{
	if (org_code) {
		if (org_by_code(c, org_code, o, e) != 0 || !policy_in_scope(c->actor, o->path)) {
			err_clear(e);
			return err_field(e, "/org_code", MSG_ORG_OUT_OF_SCOPE, org_code);
		}
		return 0;
	}
	if (!c->actor->system)
		return org_by_id(c, c->actor->org_id, o, e);
	return org_root(c, o, e);
}

/*
 * Fills n from a JSON record (a request body, or a stored record with a
 * body laid over it): strings are lent from j or allocated in a. Checks the
 * organisations named and the incidents linked. ptr prefixes field errors.
 */
static int ind_from_json(struct ctx *c, json_t *j, struct arena *a, struct ind_new *n,
			 struct err *e)
{
	struct ioc *i = &n->ioc;
	const char *kind = jv_str(j, "kind"), *value = jv_str(j, "value"), *why = NULL;
	i->kind = kind ? ioc_kind_parse(kind) : ioc_classify(value);
	if (i->kind < 0)
		return err_field(e, kind ? "/kind" : "/value", MSG_IOC_VALUE, value);
	if (i->kind == IOC_YARA) {
		if (yara_check("value", value, strlen(value), e) != 0)
			return -1;
		i->value = value;
	} else if (i->kind == IOC_PATTERN) {
		i->value = value;
		i->pattern_type = jv_str(j, "pattern_type") ? jv_str(j, "pattern_type") : "stix";
		i->why = jv_str(j, "why");
	} else {
		i->value = ioc_normalise(a, &i->kind, value, &why);
		if (i->value == NULL) {
			char msg[300];
			snprintf(msg, sizeof(msg), "%.200s: %s", value, why ? why : "?");
			return err_field(e, "/value", MSG_IOC_VALUE, msg);
		}
	}
	i->name = jv_str(j, "name");
	i->description = jv_str(j, "description");
	i->source = jv_str(j, "source");
	i->file_name = jv_str(j, "file_name");
	i->tlp = tlp_parse(jv_str(j, "tlp") ? jv_str(j, "tlp") : "AMBER");
	json_t *conf = json_object_get(j, "confidence");
	i->confidence = json_is_integer(conf) ? (int)json_integer_value(conf) : -1;
	i->to_ids = jv_bool(j, "to_ids", 1);
	i->origin_id = jv_str(j, "origin_id");
	const char *from = jv_str(j, "valid_from"), *until = jv_str(j, "valid_until");
	if ((from && time_parse(from, &i->valid_from) != 0) ||
	    (until && time_parse(until, &i->valid_until) != 0))
		return err_field(e, from ? "/valid_from" : "/valid_until", MSG_BAD_TIME, NULL);
	if (i->valid_from && i->valid_until && i->valid_until <= i->valid_from)
		return err_field(e, "/valid_until", MSG_BAD_VALUE, until);

	json_t *tags = json_object_get(j, "tags"), *rel = json_object_get(j, "related"), *v;
	size_t k;
	const char **tv = arena_alloc(a, (json_array_size(tags) + 1) * sizeof(*tv));
	struct ioc_ref *rv = arena_alloc(a, (json_array_size(rel) + 1) * sizeof(*rv));
	if (tv == NULL || rv == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	json_array_foreach(tags, k, v)
		if (json_string_length(v))
			tv[i->ntags++] = json_string_value(v);
	i->tags = tv;
	json_array_foreach(rel, k, v) {
		const char *s = json_string_value(v), *colon = s ? strchr(s, ':') : NULL;
		if (json_is_object(v) && jv_str(v, "type") && jv_str(v, "name")) {
			rv[i->nrelated].type = jv_str(v, "type");
			rv[i->nrelated++].name = jv_str(v, "name");
		} else if (colon && colon > s && colon[1]) {
			rv[i->nrelated].type = arena_strndup(a, s, (size_t)(colon - s));
			rv[i->nrelated++].name = colon + 1;
		} else {
			char ptr[32];
			snprintf(ptr, sizeof(ptr), "/related/%zu", k);
			return err_field(e, ptr, MSG_BAD_VALUE, "TYPE:NAME");
		}
	}
	i->related = rv;

	/* share_with_codes (a body) or share_with [{"code"}] (a stored record). */
	json_t *codes = json_object_get(j, "share_with_codes");
	n->share_codes = json_array();
	if (codes == NULL) {
		json_array_foreach(json_object_get(j, "share_with"), k, v)
			json_array_append(n->share_codes, json_object_get(v, "code"));
	} else {
		json_array_foreach(codes, k, v) {
			struct org o;
			struct err probe = { 0 };
			if (org_by_code(c, json_string_value(v), &o, &probe) != 0) {
				char ptr[40];
				snprintf(ptr, sizeof(ptr), "/share_with_codes/%zu", k);
				return err_field(e, ptr, MSG_BAD_VALUE, json_string_value(v));
			}
			json_array_append(n->share_codes, v);
		}
	}
	arena_defer(a, (void (*)(void *))json_decref, n->share_codes);
	n->incident_ids = json_object_get(j, "incident_ids");
	json_array_foreach(n->incident_ids, k, v) {
		struct inc_head h;
		struct err probe = { 0 };
		if (inc_load(c, json_string_value(v), ACT_INCIDENT_READ, &h, &probe) != 0) {
			char ptr[40];
			snprintf(ptr, sizeof(ptr), "/incident_ids/%zu", k);
			return err_field(e, ptr, MSG_NOT_FOUND, NULL);
		}
	}
	return 0;
}

/* One record's share_with, [{"code"}], with each organisation's name (lists
 * keep the codes alone: a lookup per code per row is not worth it there). */
static void share_names(struct ctx *c, json_t *j)
{
	size_t k;
	json_t *v;
	json_array_foreach(json_object_get(j, "share_with"), k, v) {
		struct org o;
		struct err e = { 0 };
		const char *code = jv_str(v, "code");
		if (code && org_by_code(c, code, &o, &e) == 0)
			json_object_set_new(v, "name", json_string(o.name));
		err_clear(&e);
	}
}

/* The record id as the actor may read it, or NULL (e: not found). */
static json_t *ind_load(struct ctx *c, const char *id, struct err *e)
{
	const char *path;
	char code[65];
	if (!uuid_valid(id))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	indicator_actor_scope(c, &path, code);
	struct stmt *st = store_query(c->db, e, "SELECT " IND_COLS ", o.path" IND_FROM
				      "WHERE i.id = $3 AND " INDICATOR_VISIBLE, "ttt", path, code, id);
	if (st == NULL)
		return NULL;
	int rc = stmt_step(st, e);
	json_t *j = rc == 1 ? ind_json(st) : NULL;
	if (j) {
		json_object_set_new(j, "_path", json_string(stmt_text(st, 26)));
		json_object_set_new(j, "editable", json_boolean(policy_in_scope(c->actor,
			stmt_text(st, 26)) && (c->actor->roles & policy_roles(ACT_INDICATOR_WRITE)) &&
			stmt_isnull(st, 25)));
	}
	stmt_done(st);
	if (j)
		share_names(c, j);
	if (rc == 0)
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	return j;
}

static json_t *incident_ref(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s}", "id", stmt_text(st, 0), "number", stmt_text(st, 1),
			 "title", stmt_text(st, 2));
}

json_t *indicator_get(struct ctx *c, const char *id, struct err *e)
{
	if (policy_check(c->actor, ACT_INDICATOR_READ, NULL, e) != 0)
		return NULL;
	json_t *j = ind_load(c, id, e);
	if (j == NULL)
		return NULL;
	json_object_del(j, "_path");
	json_t *sl = sighting_list(c, id, NULL, NULL, 200, e);
	/* Only the linked incidents the reader may see (number and title are
	 * the incident's, not the indicator's). */
	struct stmt *st = sl ? store_query(c->db, e, "SELECT i.id, i.number, i.title FROM "
		"indicator_incidents x JOIN incidents i ON i.id = x.incident_id JOIN orgs o ON "
		"o.id = i.org_id WHERE x.indicator_id = $3 AND " INC_VISIBLE " ORDER BY i.number",
		"ttt", inc_scope_path(c), inc_scope_user(c), id) : NULL;
	json_t *incs = st ? rows_array(st, incident_ref, e) : NULL;
	if (incs == NULL) {
		json_decref(sl);
		json_decref(j);
		return NULL;
	}
	json_object_set_new(j, "incidents", incs);
	json_object_set_new(j, "sightings_list", json_incref(json_object_get(sl, "items")));
	json_decref(sl);
	/* The STIX objects it stands for: each producer's. */
	json_t *so = stix_objects_of(c, id, e);
	if (so == NULL) {
		json_decref(j);
		return NULL;
	}
	json_object_set_new(j, "stix_objects", so);
	return j;
}

json_t *indicator_list(struct ctx *c, const struct indicator_filter *f, struct err *e)
{
	const char *path;
	char code[65], like[IOC_MAX_VALUE + 8] = "", tag[LIMIT_SHORT_TEXT + 8] = "";
	if (policy_check(c->actor, ACT_INDICATOR_READ, NULL, e) != 0)
		return NULL;
	int limit = f->limit > 0 && f->limit <= LIMIT_PAGE_MAX ? f->limit : LIMIT_PAGE_DEFAULT;
	indicator_actor_scope(c, &path, code);
	if ((f->q && strlen(f->q) >= IOC_MAX_VALUE) || (f->tag && strlen(f->tag) >= LIMIT_SHORT_TEXT))
		return err_field(e, f->q && strlen(f->q) >= IOC_MAX_VALUE ? "/q" : "/tag", MSG_TOO_LONG,
				 f->q && strlen(f->q) >= IOC_MAX_VALUE ? "8191" : "299"), NULL;
	if (f->q)
		snprintf(like, sizeof(like), "%s", f->q);
	if (f->tag) {
		json_t *s = json_string(f->tag);
		char *q = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
		snprintf(tag, sizeof(tag), "%s", q ? q : "");
		free(q);
		json_decref(s);
	}
	struct stmt *st = store_query(c->db, e, "SELECT " IND_COLS IND_FROM "WHERE "
		INDICATOR_VISIBLE " AND ($3 = '' OR instr(i.value, $3) > 0 OR instr(i.name, $3) > 0) "
		"AND ($4 = '' OR i.kind = $4) AND ($5 = '' OR i.tlp = $5) "
		"AND ($6 = '' OR instr(i.tags, $6) > 0) AND ($7 = '' OR o.code = $7) "
		"AND ($8 = 0 OR (i.to_ids = 1 AND i.kind <> 'pattern' AND (i.valid_from IS NULL OR "
		"i.valid_from <= $9) AND (i.valid_until IS NULL OR i.valid_until > $9))) "
		"AND ($10 = '' OR i.id < $10) ORDER BY i.id DESC LIMIT $11",
		"tttttttiiti", path, code, like, f->kind ? f->kind : "", f->tlp ? f->tlp : "", tag,
		f->org_code ? f->org_code : "", (int64_t)(f->active != 0), time_now_ms(),
		f->cursor && uuid_valid(f->cursor) ? f->cursor : "", (int64_t)limit + 1);
	json_t *out = st ? rows_items(st, ind_json, e) : NULL;
	if (out == NULL)
		return NULL;
	json_t *items = json_object_get(out, "items");
	json_t *next = json_null();
	if (json_array_size(items) > (size_t)limit) {
		json_array_remove(items, (size_t)limit);
		next = json_incref(json_object_get(json_array_get(items, (size_t)limit - 1), "id"));
	}
	json_object_set_new(out, "next_cursor", next);
	return out;
}

static int import_hits_copy(struct ctx *c, const char *org_id, const struct ioc *i,
			    char peer[LIMIT_MIRROR_PEER], struct err *e);

/* Writes one record inside its own transaction and answers it. */
static json_t *ind_write(struct ctx *c, const char *org_id, json_t *rec, const char *action,
			 json_t *before, int *created, struct err *e)
{
	struct arena *a = arena_new(4 * IOC_MAX_TEXT);
	struct ind_new n = { .org_id = org_id };
	char id[UUID_LEN];
	json_t *out = NULL;
	if (a == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	if (ind_from_json(c, rec, a, &n, e) != 0 || store_begin(c->db, e) != 0)
		goto out;
	int is_new = 0;
	/* A new record with the value of a copy from a peer would rewrite
	 * the copy (upsert's key): only its originator edits it (issue 16). */
	char peer[LIMIT_MIRROR_PEER];
	int hit = before ? 0 : import_hits_copy(c, org_id, &n.ioc, peer, e);
	if (hit != 0) {
		if (hit == 1)
			err_set(e, E_CONFLICT, MSG_INDICATOR_MIRRORED, peer);
		goto fail;
	}
	/* An edit holds the record at the version its caller read. */
	if (before && version_claim(c, "indicators", jv_str(before, "id"),
				   (long long)json_integer_value(json_object_get(before, "version")),
				   e) != 0)
		goto fail;
	if (upsert(c, &n, &is_new, id, e) != 0 || (out = ind_load(c, id, e)) == NULL)
		goto fail;
	json_object_del(out, "_path");
	if (domain_record_hook(c, "indicator", id, out, e) != 0)
		goto fail;
	if (audit_append_json(c, is_new ? "indicator.create" : action, "indicator", id,
			      is_new ? NULL : before, out, e) != 0 || store_commit(c->db, e) != 0)
		goto fail;
	if (created)
		*created = is_new;
	goto out;
fail:
	store_rollback(c->db);
	json_decref(out);
	out = NULL;
out:
	arena_free(a);
	return out;
}

/* related as a record answers it, [{"type","name"}], made the "TYPE:NAME"
 * strings a body gives, so that a record read can be written back as is.
 * Anything else is left for the validation to refuse. */
static void related_flatten(json_t *body)
{
	size_t k;
	json_t *v;
	json_array_foreach(json_object_get(body, "related"), k, v) {
		const char *t = jv_str(v, "type"), *n = jv_str(v, "name");
		if (!json_is_object(v) || t == NULL || n == NULL || json_object_size(v) != 2)
			continue;
		json_t *s = json_sprintf("%s:%s", t, n);
		if (s)
			json_array_set_new(json_object_get(body, "related"), k, s);
	}
}

json_t *indicator_create(struct ctx *c, json_t *body, int *created, struct err *e)
{
	struct org o;
	related_flatten(body);
	if (jv_validate(body, create_fields, "", e) != 0 ||
	    policy_check(c->actor, ACT_INDICATOR_WRITE, NULL, e) != 0 ||
	    owner_org(c, jv_str(body, "org_code"), &o, e) != 0)
		return NULL;
	return ind_write(c, o.id, body, "indicator.update", NULL, created, e);
}

/* The name of the peer whose record indicator id is a copy of (issue 16,
 * sync_map: the peer's record, origin_id its id there, source the peer's
 * name): 1 with peer filled, 0 ours, -1. */
static int ind_mirrored_from(struct ctx *c, const char *id, char peer[LIMIT_MIRROR_PEER],
		      struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT p.name FROM sync_map m JOIN sync_peers p "
		"ON p.id = m.peer_id JOIN indicators i ON i.id = m.local_id WHERE m.type = "
		"'indicator' AND m.local_id = $1 AND i.origin_id = m.remote_id AND i.source = p.name",
		"t", id);
	if (st == NULL)
		return -1;
	int r = stmt_step(st, e);
	if (r == 1)
		snprintf(peer, LIMIT_MIRROR_PEER, "%s", stmt_text(st, 0));
	stmt_done(st);
	return r;
}

/* The stored record, for a change: visible, in the actor's scope (else
 * forbidden: a record shared with us is not ours to change) and at the
 * version the caller saw. *org_id gets its owner. */
static json_t *ind_for_change(struct ctx *c, const char *id, long long if_match,
			      char org_id[UUID_LEN], struct err *e)
{
	json_t *cur = ind_load(c, id, e);
	if (cur == NULL)
		return NULL;
	struct policy_target t = { .org_path = jv_str(cur, "_path") };
	struct org o;
	if (!policy_in_scope(c->actor, t.org_path)) {
		json_decref(cur);
		return err_set(e, E_FORBIDDEN, MSG_FORBIDDEN, NULL), NULL;
	}
	if (policy_check(c->actor, ACT_INDICATOR_WRITE, &t, e) != 0 ||
	    org_by_code(c, json_string_value(json_object_get(json_object_get(cur, "org"), "code")),
			&o, e) != 0) {
		json_decref(cur);
		return NULL;
	}
	/* A copy another instance shared (issue 16) is that instance's
	 * record: only its originator edits or deletes it. */
	char peer[LIMIT_MIRROR_PEER];
	int mirrored = ind_mirrored_from(c, id, peer, e);
	if (mirrored == 1)
		err_set(e, E_CONFLICT, MSG_INDICATOR_MIRRORED, peer);
	if (mirrored != 0) {
		json_decref(cur);
		return NULL;
	}
	if (if_match < 0) {
		json_decref(cur);
		return err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL), NULL;
	}
	if (if_match != (long long)json_integer_value(json_object_get(cur, "version"))) {
		json_decref(cur);
		return err_set(e, E_PRECOND, MSG_STALE_RECORD, NULL), NULL;
	}
	json_object_del(cur, "_path");
	snprintf(org_id, UUID_LEN, "%s", o.id);
	return cur;
}

json_t *indicator_update(struct ctx *c, const char *id, long long if_match, json_t *body,
			 struct err *e)
{
	char org_id[UUID_LEN];
	related_flatten(body);
	if (jv_validate(body, update_fields, "", e) != 0)
		return NULL;
	json_t *cur = ind_for_change(c, id, if_match, org_id, e);
	if (cur == NULL)
		return NULL;
	json_t *rec = json_deep_copy(cur);
	json_object_update(rec, body);
	json_t *out = ind_write(c, org_id, rec, "indicator.update", cur, NULL, e);
	json_decref(rec);
	json_decref(cur);
	return out;
}

int indicator_purge_locked(struct ctx *c, const char *id, struct err *e)
{
	return store_run(c->db, e, "DELETE FROM sightings WHERE indicator_id = $1", "t", id) < 0 ||
	       store_run(c->db, e, "DELETE FROM indicator_incidents WHERE indicator_id = $1", "t",
			 id) < 0 ||
	       store_run(c->db, e, "DELETE FROM hunt_indicators WHERE indicator_id = $1", "t",
			 id) < 0 || misp_store_forget(c, id, e) != 0 ||
	       stix_unlink_indicator(c, id, e) != 0 ||
	       store_run(c->db, e, "DELETE FROM indicators WHERE id = $1", "t", id) < 0 ? -1 : 0;
}

int indicator_delete(struct ctx *c, const char *id, long long if_match, struct err *e)
{
	char org_id[UUID_LEN];
	json_t *cur = ind_for_change(c, id, if_match, org_id, e);
	if (cur == NULL)
		return -1;
	int rc = store_begin(c->db, e);
	if (rc == 0)
		rc = version_claim(c, "indicators", id, if_match, e) != 0 ||
		     domain_record_hook(c, "indicator.delete", id, cur, e) != 0 ||
		     indicator_purge_locked(c, id, e) != 0 ||
		     audit_append_json(c, "indicator.delete", "indicator", id, cur, NULL, e) != 0 ||
		     store_commit(c->db, e) != 0 ? -1 : 0;
	if (rc != 0)
		store_rollback(c->db);
	json_decref(cur);
	return rc;
}

/* ---- sightings ---- */

static json_t *sighting_json(struct stmt *st)
{
	return json_pack("{s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s}, s:o, s:o, s:o, s:s, s:s, s:o, "
		"s:o, s:o}", "id", stmt_text(st, 0),
		"indicator", "id", stmt_text(st, 1), "kind", stmt_text(st, 2), "value",
		stmt_text(st, 3), "org", "code", stmt_text(st, 4), "name", stmt_text(st, 5),
		"host", stmt_isnull(st, 6) ? json_null() : json_pack("{s:s, s:s}", "id",
			stmt_text(st, 6), "hostname", stmt_text(st, 7)),
		"incident", stmt_isnull(st, 8) ? json_null() : json_pack("{s:s, s:s}", "id",
			stmt_text(st, 8), "number", stmt_text(st, 9)),
		"hunt", stmt_isnull(st, 10) ? json_null() : json_pack("{s:s, s:s}", "id",
			stmt_text(st, 10), "title", stmt_text(st, 11)),
		"source", stmt_text(st, 12), "path", stmt_text(st, 13),
		"line", stmt_isnull(st, 14) ? json_null() : json_integer(stmt_int(st, 14)),
		"seen_at", ms_json(stmt_int(st, 15)), "created_at", ms_json(stmt_int(st, 16)));
}

/* Whether the organisation aliased t lies in the subtree $1. */
#define IN_SCOPE(t) "substr(" t ".path, 1, length($1)) = $1"

/* Sightings the actor may read: where it was seen is in its scope, or the
 * indicator is its own (the owner learns where its indicators were seen,
 * as MISP's sightings do), or the hunt was issued from its scope. */
json_t *sighting_list(struct ctx *c, const char *indicator_id, const char *hunt_id,
		      const char *org_code, int limit, struct err *e)
{
	const char *path;
	char code[65];
	if (policy_check(c->actor, ACT_INDICATOR_READ, NULL, e) != 0)
		return NULL;
	indicator_actor_scope(c, &path, code);
	if (limit <= 0 || limit > 1000)
		limit = 200;
	/* The host, incident and hunt a sighting names are shown only to those
	 * who may see them: the owner of an indicator learns where it was seen
	 * (the organisation), not another organisation's hostnames, incident
	 * numbers or hunt titles. */
	struct stmt *st = store_query(c->db, e, "SELECT s.id, i.id, i.kind, i.value, so.code, "
		"so.name, CASE WHEN " IN_SCOPE("ho") " THEN h.id END, h.hostname, "
		"CASE WHEN " IN_SCOPE("no") " THEN n.id END, n.number, "
		"CASE WHEN " IN_SCOPE("uo") " OR " IN_SCOPE("so") " THEN u.id END, u.title, "
		"s.source, s.path, s.line, "
		"s.seen_at, s.created_at FROM sightings s JOIN indicators i ON i.id = s.indicator_id "
		"JOIN orgs o ON o.id = i.org_id JOIN orgs so ON so.id = s.org_id "
		"LEFT JOIN hosts h ON h.id = s.host_id LEFT JOIN orgs ho ON ho.id = h.org_id "
		"LEFT JOIN incidents n ON n.id = s.incident_id LEFT JOIN orgs no ON no.id = n.org_id "
		"LEFT JOIN hunts u ON u.id = s.hunt_id LEFT JOIN orgs uo ON uo.id = u.org_id "
		"WHERE (substr(so.path, 1, length($1)) = $1 OR substr(o.path, 1, length($1)) = $1 OR "
		"substr(uo.path, 1, length($1)) = $1) AND ($2 = '' OR s.indicator_id = $2) AND "
		"($3 = '' OR s.hunt_id = $3) AND ($4 = '' OR so.code = $4) "
		/* never the sighting of an indicator the TLP rule keeps from the actor */
		"AND (substr(o.path, 1, length($1)) = $1 OR i.tlp IN ('CLEAR', 'GREEN') OR "
		"(i.tlp = 'AMBER' AND instr(i.share_with, '\"' || $6 || '\"') > 0)) "
		"ORDER BY s.seen_at DESC, s.id DESC LIMIT $5", "ttttit", path,
		indicator_id ? indicator_id : "", hunt_id ? hunt_id : "", org_code ? org_code : "",
		(int64_t)limit, code);
	return st ? rows_items(st, sighting_json, e) : NULL;
}

/* ---- YARA ---- */

/* libyara's yr_initialize/yr_finalize count without a lock: one check at a
 * time in a process. */
static pthread_mutex_t yara_lock = PTHREAD_MUTEX_INITIALIZER;

struct ycheck {
	const char *name;
	int errors;
	char first[200];
};

static void ycheck_message(int level, const char *file, int line,
			   const YR_RULE *rule, const char *msg, void *arg)
{
	/* As the sweep and yara(1) put it: "name:line: rule id: message". */
	(void)file;
	struct ycheck *y = arg;
	if (level == YARA_ERROR_LEVEL_ERROR && y->errors++ == 0)
		snprintf(y->first, sizeof(y->first), "%s:%d: %s%s%s%s", y->name, line,
			 rule ? "rule " : "", rule ? rule->identifier : "", rule ? ": " : "", msg);
}

/* The text is compiled by libyara alone (no sweep loader, so nothing but
 * YARA is accepted), with the external variables the sweep defines, and
 * with includes disabled: a rule from outside must not read the server's
 * files or tell which exist. */
int yara_check(const char *name, const char *text, size_t n, struct err *e)
{
	if (n == 0 || memchr(text, '\0', n))
		return err_set(e, E_INVALID, MSG_SWEEP_YARA, name);
	char *z = malloc(n + 1);
	if (z == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	memcpy(z, text, n);
	z[n] = '\0';
	pthread_mutex_lock(&yara_lock);
	int rc = 0;
	YR_COMPILER *c = NULL;
	YR_RULES *rules = NULL;
	struct ycheck y = { .name = name };
	if (yr_initialize() != ERROR_SUCCESS) {
		rc = err_set(e, E_INTERNAL, MSG_SWEEP_YARA, "yr_initialize");
		goto out_unlock;
	}
	if (yr_compiler_create(&c) != ERROR_SUCCESS ||
	    yr_compiler_define_string_variable(c, "filename", "") != ERROR_SUCCESS ||
	    yr_compiler_define_string_variable(c, "filepath", "") != ERROR_SUCCESS ||
	    yr_compiler_define_string_variable(c, "extension", "") != ERROR_SUCCESS) {
		rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		goto out;
	}
	yr_compiler_set_include_callback(c, NULL, NULL, NULL);
	yr_compiler_set_callback(c, ycheck_message, &y);
	if (yr_compiler_add_string(c, z, NULL) > 0 || y.errors > 0) {
		rc = err_set(e, E_INVALID, MSG_SWEEP_YARA, y.first[0] ? y.first : name);
		goto out;
	}
	if (yr_compiler_get_rules(c, &rules) != ERROR_SUCCESS) {
		rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		goto out;
	}
	size_t count = 0;
	YR_RULE *rule;
	yr_rules_foreach(rules, rule)
		count++;
	if (count == 0)
		rc = err_set(e, E_INVALID, MSG_SWEEP_YARA, name);
out:
	if (rules)
		yr_rules_destroy(rules);
	if (c)
		yr_compiler_destroy(c);
	yr_finalize();
out_unlock:
	pthread_mutex_unlock(&yara_lock);
	free(z);
	return rc;
}

/* ---- import ---- */

struct import {
	struct ctx *c;
	const char *org_id;
	int default_tlp;
	long created, updated;
	struct stix_keep *keep;       /* STIX: which rows each object's records went to */
	long mirrored;                /* skipped: they would land on a copy from a peer */
	json_t *mirrored_items;       /* the first IOC_STATS_KEPT of them */
};

/* Whether a record imported into org_id would land on a copy another
 * instance shared (the same organisation, kind and value: upsert's key):
 * 1 with the peer's name, 0, -1. */
static int import_hits_copy(struct ctx *c, const char *org_id, const struct ioc *i,
			    char peer[LIMIT_MIRROR_PEER], struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT id FROM indicators WHERE org_id = $1 AND "
				      "kind = $2 AND value = $3", "ttt", org_id,
				      ioc_kind_name(i->kind), i->value);
	if (st == NULL)
		return -1;
	char id[UUID_LEN];
	int r = stmt_step(st, e);
	if (r == 1)
		snprintf(id, sizeof(id), "%s", stmt_text(st, 0));
	stmt_done(st);
	return r == 1 ? ind_mirrored_from(c, id, peer, e) : r;
}

static int import_one(void *arg, const struct ioc *ioc, struct err *e)
{
	struct import *im = arg;
	struct ind_new n = { .ioc = *ioc, .org_id = im->org_id };
	char id[UUID_LEN], peer[LIMIT_MIRROR_PEER];
	int created = 0;
	if (n.ioc.tlp == TLP_NONE)
		n.ioc.tlp = im->default_tlp;
	/* Only its originator edits a copy (issue 16): the file's version of
	 * it is skipped, and the summary says why. */
	int r = import_hits_copy(im->c, im->org_id, ioc, peer, e);
	if (r < 0)
		return -1;
	if (r == 1) {
		char why[300];
		im->mirrored++;
		if (json_array_size(im->mirrored_items) < IOC_STATS_KEPT)
			json_array_append_new(im->mirrored_items, json_pack("{s:s, s:s, s:s, s:s}",
				"kind", ioc_kind_name(ioc->kind), "value", ioc->value, "from", peer,
				"why", msg_format(MSG_INDICATOR_IMPORT_MIRRORED, im->c->lang, peer,
						  why, sizeof(why))));
		return 0;
	}
	/* The record as it was, to tell whether the file changed it. */
	json_t *was = NULL;
	struct stmt *st = store_query(im->c->db, e, "SELECT id FROM indicators WHERE org_id = $1 "
				      "AND kind = $2 AND value = $3", "ttt", im->org_id,
				      ioc_kind_name(ioc->kind), ioc->value);
	if (st == NULL)
		return -1;
	r = stmt_step(st, e);
	if (r == 1)
		snprintf(id, sizeof(id), "%s", stmt_text(st, 0));
	stmt_done(st);
	if (r < 0 || (r == 1 && (was = ind_load(im->c, id, e)) == NULL))
		return -1;
	if (upsert(im->c, &n, &created, id, e) != 0 ||
	    (im->keep && stix_keep_link(im->keep, ioc->origin_id, id, n.ioc.tlp, e) != 0)) {
		json_decref(was);
		return -1;
	}
	if (created)
		im->created++;
	else
		im->updated++;
	/* An imported record is a record like one made by hand: it travels
	 * (issue 16: indicators down to the children's instances, TLP
	 * permitting) through the same hook, in the import's transaction; a
	 * re-import that changes nothing of it sends nothing again. */
	json_t *now = ind_load(im->c, id, e);
	if (now == NULL) {
		json_decref(was);
		return -1;
	}
	json_object_del(now, "_path");
	int same = 0;
	if (was) {
		json_object_del(was, "_path");
		json_t *a = json_deep_copy(was), *b = json_deep_copy(now);
		const char *const moving[] = { "version", "updated_at" };
		for (size_t k = 0; a && b && k < sizeof(moving) / sizeof(moving[0]); k++) {
			json_object_del(a, moving[k]);
			json_object_del(b, moving[k]);
		}
		same = a && b && json_equal(a, b);
		json_decref(a);
		json_decref(b);
		json_decref(was);
	}
	r = same ? 0 : domain_record_hook(im->c, "indicator", id, now, e);
	json_decref(now);
	return r;
}

static long count_sightings(struct ctx *c, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT COUNT(*) FROM sightings", "");
	long n = st && stmt_step(st, e) == 1 ? (long)stmt_int(st, 0) : 0;
	stmt_done(st);
	return n;
}

/* Largest YARA file taken as one indicator. */
#define YARA_FILE_MAX (1024 * 1024)

json_t *indicator_import(struct ctx *c, int format, const char *name, const char *data,
			 size_t n, const char *org_code, const char *default_tlp, struct err *e)
{
	struct org o;
	struct ioc_stats st = { 0 };
	int tlp = default_tlp ? tlp_parse(default_tlp) : TLP_AMBER;
	if (policy_check(c->actor, ACT_INDICATOR_WRITE, NULL, e) != 0)
		return NULL;
	if (tlp <= TLP_NONE)
		return err_field(e, "/tlp", MSG_BAD_VALUE, default_tlp), NULL;
	if (owner_org(c, org_code, &o, e) != 0)
		return NULL;
	if (format == IND_YARA) {
		if (n > YARA_FILE_MAX)
			return err_set(e, E_TOOLARGE, MSG_IOC_LIMIT, name), NULL;
		if (yara_check(name, data, n, e) != 0)
			return NULL;
	}
	struct import im = { .c = c, .org_id = o.id, .default_tlp = tlp,
			     .mirrored_items = json_array() };
	if (format == IND_STIX && (im.keep = stix_keep_new()) == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	if (store_begin(c->db, e) != 0) {
		stix_keep_free(im.keep);
		return NULL;
	}
	long before = count_sightings(c, e), rc;
	switch (format) {
	case IND_STIX:
		/* The records, then every object as it came, linked to them. */
		rc = ioc_parse_stix(name, data, n, import_one, &im, &st, e);
		if (rc >= 0 && stix_keep_store(c, im.keep, o.id, tlp, name, data, n, e) != 0)
			rc = -1;
		break;
	case IND_MISP: rc = ioc_parse_misp(name, data, n, import_one, &im, &st, e); break;
	case IND_LIST: rc = ioc_parse_list(name, data, n, import_one, &im, &st, e); break;
	case IND_CSV: rc = ioc_parse_csv(name, data, n, import_one, &im, &st, e); break;
	case IND_YARA: {
		char *text = strndup(data, n);
		struct ioc y = { .kind = IOC_YARA, .value = text, .name = name, .tlp = TLP_NONE,
				 .confidence = -1, .to_ids = 1 };
		rc = text ? import_one(&im, &y, e) : err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		st.records = rc == 0;
		st.kinds[IOC_YARA] = st.records;
		free(text);
		break;
	}
	default:
		rc = err_set(e, E_NOTFOUND, MSG_ROUTE_NOT_FOUND, name);
	}
	json_t *out = NULL;
	struct misp_import mi = { 0 };
	if (rc >= 0 && format == IND_MISP && misp_store_import(c, o.id, tlp, name, data, n, &mi, e) != 0)
		rc = -1;
	if (rc >= 0) {
		json_t *kept = json_array(), *kinds = json_object();
		for (size_t k = 0; k < st.nkept; k++)
			json_array_append_new(kept, json_pack("{s:s, s:s}", "id", st.kept[k].id,
							      "why", st.kept[k].why));
		for (int k = 0; k < IOC__COUNT; k++)
			if (st.kinds[k])
				json_object_set_new(kinds, ioc_kind_name(k), json_integer(st.kinds[k]));
		out = json_pack("{s:s, s:s, s:{s:s, s:s}, s:I, s:I, s:I, s:o, s:I, s:o, s:I, s:I, "
				"s:I, s:I}", "format", indicator_format_names[format], "name", name,
				"org", "code", o.code, "name", o.name,
				"records", (json_int_t)st.records, "created", (json_int_t)im.created,
				"updated", (json_int_t)im.updated, "kinds", kinds,
				"unconverted", (json_int_t)st.unconverted, "kept", kept,
				"revoked", (json_int_t)st.revoked,
				"superseded", (json_int_t)st.superseded,
				"skipped", (json_int_t)st.skipped,
				"sightings", (json_int_t)(count_sightings(c, e) - before));
		if (out) {
			json_object_set_new(out, "mirrored", json_integer(im.mirrored));
			json_object_set(out, "mirrored_items", im.mirrored_items);
		}
		if (out && format == IND_MISP)
			json_object_set_new(out, "misp", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
				"events", (json_int_t)mi.events, "objects", (json_int_t)mi.objects,
				"attributes", (json_int_t)mi.attributes,
				"context", (json_int_t)mi.context, "sightings", (json_int_t)mi.sightings,
				"tlp_collapsed", (json_int_t)mi.tlp_collapsed));
	}
	if (out == NULL || e->code || audit_append_json(c, "indicator.import", "indicator_file",
							o.id, NULL, out, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(out);
		stix_keep_free(im.keep);
		json_decref(im.mirrored_items);
		return NULL;
	}
	stix_keep_free(im.keep);
	json_decref(im.mirrored_items);
	return out;
}

/* ---- export ---- */

/* The strings of every exported record live in one arena: 100,000 records
 * take some tens of MB; past this the export says out of memory. */
#define EXPORT_ARENA_MAX (1024ULL * 1024 * 1024)

/* The stored rows as records for the exporters, allocated in a. */
static int rows_to_iocs(struct stmt *st, struct arena *a, struct ioc **out, const char ***ids,
			size_t *n, struct err *e)
{
	size_t cap = 256;
	struct ioc *v = malloc(cap * sizeof(*v));
	const char **iv = malloc(cap * sizeof(*iv));
	int rc;
	*n = 0;
	if (v == NULL || iv == NULL) {
		free(v);
		free(iv);
		stmt_done(st);
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	}
	while ((rc = stmt_step(st, e)) == 1) {
		if (*n == cap) {
			struct ioc *w = realloc(v, 2 * cap * sizeof(*v));
			if (w)
				v = w;
			const char **wi = w ? realloc(iv, 2 * cap * sizeof(*iv)) : NULL;
			if (wi)
				iv = wi;
			if (w == NULL || wi == NULL) {
				rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
				break;
			}
			cap *= 2;
		}
		iv[*n] = arena_strdup(a, stmt_text(st, 0));
		struct ioc *i = &v[(*n)++];
		memset(i, 0, sizeof(*i));
		i->kind = ioc_kind_parse(stmt_text(st, 1));
		i->value = arena_strdup(a, stmt_text(st, 2));
		i->pattern_type = i->kind == IOC_PATTERN ? arena_strdup(a, stmt_text(st, 3)) : NULL;
		i->why = arena_strdup(a, stmt_text(st, 4));
#define OPT(col) (stmt_text(st, col)[0] ? arena_strdup(a, stmt_text(st, col)) : NULL)
		i->name = OPT(5);
		i->description = OPT(6);
		i->source = OPT(7);
		i->file_name = OPT(8);
		i->origin_id = OPT(17);
#undef OPT
		i->tlp = tlp_parse(stmt_text(st, 9));
		i->confidence = stmt_isnull(st, 10) ? -1 : (int)stmt_int(st, 10);
		i->to_ids = (int)stmt_int(st, 11);
		i->valid_from = stmt_int(st, 12);
		i->valid_until = stmt_int(st, 13);
		i->created = stmt_int(st, 19);
		i->modified = stmt_int(st, 20);
		i->org = arena_strdup(a, stmt_text(st, 21));
		json_t *tags = json_text(stmt_text(st, 14)), *rel = json_text(stmt_text(st, 15)),
		       *sw = json_text(stmt_text(st, 16)), *x;
		size_t k;
		const char **tv = arena_alloc(a, (json_array_size(tags) + 1) * sizeof(*tv));
		const char **sv = arena_alloc(a, (json_array_size(sw) + 1) * sizeof(*sv));
		struct ioc_ref *rv = arena_alloc(a, (json_array_size(rel) + 1) * sizeof(*rv));
		if (tv && sv && rv) {
			json_array_foreach(tags, k, x)
				tv[i->ntags++] = arena_strdup(a, json_string_value(x));
			json_array_foreach(sw, k, x)
				sv[i->nshare_with++] = arena_strdup(a, json_string_value(x));
			json_array_foreach(rel, k, x) {
				rv[i->nrelated].type = arena_strdup(a, jv_str(x, "type"));
				rv[i->nrelated++].name = arena_strdup(a, jv_str(x, "name"));
			}
		}
		i->tags = tv;
		i->share_with = sv;
		i->related = rv;
		json_decref(tags);
		json_decref(rel);
		json_decref(sw);
		if (i->kind < 0 || i->tlp < 0 || !tv || !sv || !rv || !i->value || !i->org ||
		    !iv[*n - 1]) {
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			break;
		}
	}
	stmt_done(st);
	if (rc < 0) {
		free(v);
		free(iv);
		return -1;
	}
	*out = v;
	*ids = iv;
	return 0;
}

char *indicator_export(struct ctx *c, int format, struct indicator_export *x, size_t *len,
		       struct err *e)
{
	const char *path;
	char code[65];
	/* A file for one's own organisation (a sweep) holds what one reads
	 * anyway; a file for others is sharing, for those who may share. */
	int64_t now = time_now_ms();
	indicator_actor_scope(c, &path, code);
	int own = x->hunt_id || (x->to_code && code[0] && strcmp(x->to_code, code) == 0);
	if (policy_check(c->actor, own ? ACT_INDICATOR_READ : ACT_INDICATOR_EXPORT, NULL, e) != 0)
		return NULL;
	if (x->to_code) {
		struct org o;
		if (org_by_code(c, x->to_code, &o, e) != 0) {
			err_clear(e);
			return err_field(e, "/to", MSG_BAD_VALUE, x->to_code), NULL;
		}
	}
	if (x->hunt_id) {   /* the hunt module checked the caller: the whole set */
		path = "/";
		code[0] = '\0';
	}
	/* ?tag= names one whole tag: looked for quoted, as the list of tags is
	 * stored (["apt","c2"]), so that "apt" is not found in "apt28". */
	json_t *tj = x->tag && *x->tag ? json_string(x->tag) : NULL;
	char *tag = tj ? json_dumps(tj, JSON_ENCODE_ANY) : NULL;
	json_decref(tj);
	if (x->tag && *x->tag && tag == NULL)
		return err_field(e, "/tag", MSG_BAD_VALUE, NULL), NULL;
	struct stmt *st = store_query(c->db, e, "SELECT " IND_COLS IND_FROM "WHERE "
		INDICATOR_VISIBLE " AND ($3 = '' OR i.kind = $3) AND ($5 = '' OR instr(i.tags, $5) > 0) "
		"AND ($6 = '' OR EXISTS (SELECT 1 FROM hunt_indicators h WHERE h.hunt_id = $6 AND "
		"h.indicator_id = i.id)) AND ($7 = 0 OR (" ACTIVE ")) ORDER BY i.id", "tttitti", path,
		code, x->kind ? x->kind : "", now, tag ? tag : "", x->hunt_id ? x->hunt_id : "",
		(int64_t)(x->active != 0));
	free(tag);
	struct arena *a = arena_new(EXPORT_ARENA_MAX);
	struct ioc *v = NULL;
	const char **ids = NULL;
	size_t n = 0;
	char *text = NULL;
	if (st == NULL || a == NULL || rows_to_iocs(st, a, &v, &ids, &n, e) != 0) {
		if (a == NULL)
			err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		if (st && a == NULL)
			stmt_done(st);
		arena_free(a);
		return NULL;
	}
	struct ioc_export ex = { .recipient_org = x->to_code, .producer = NULL };
	struct org root;
	struct misp_export_scope sc = { .path = path, .code = code,
		.filtered = (x->kind && *x->kind) || (x->tag && *x->tag) || x->hunt_id || x->active };
	if (format == IND_MISP) {   /* MISP's Orgc: the instance's root organisation */
		if (org_root(c, &root, e) != 0) {
			free(v);
			free(ids);
			arena_free(a);
			return NULL;
		}
		ex.producer = root.name;
		ex.producer_id = root.id;
	}
	struct stix_out *so = NULL;
	if (format == IND_CSV) {
		text = ioc_export_csv(v, n, &ex, e);
	} else if (format == IND_STIX || format == IND_MISP) {
		/* STIX: the objects kept as they came, and the ids of those
		 * made here, stored once (a write transaction).
		 * A GET's read snapshot (http/server.c) ends here: the rows are read.
		 */
		if (format == IND_STIX)
			store_read_end(c->db);
		int tx = format == IND_STIX && store_begin(c->db, e) == 0;
		if (format == IND_STIX && tx)
			so = stix_out_prepare(c, v, ids, n, x->to_code, &ex, e);
		json_t *j = NULL;
		if (format == IND_MISP)
			j = misp_store_export(c, v, ids, n, &sc, &ex, e);
		else if (so)
			j = ioc_export_stix(v, n, &ex, e);
		if (tx && (j == NULL || stix_out_finish(c, so, e) != 0 ||
			   store_commit(c->db, e) != 0)) {
			store_rollback(c->db);
			json_decref(j);
			j = NULL;
		}
		text = j ? json_dumps(j, JSON_INDENT(1)) : NULL;
		if (j && text == NULL)
			err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		json_decref(j);
	} else {
		err_set(e, E_NOTFOUND, MSG_ROUTE_NOT_FOUND, "format");
	}
	stix_out_free(so);
	free(v);
	free(ids);
	arena_free(a);
	x->exported = ex.exported;
	/* STIX has no indicator for a record that is context only (to_ids
	 * false): such records are withheld, and counted as such. */
	x->withheld = ex.withheld + (format == IND_STIX ? ex.unsupported : 0);
	x->context = format == IND_STIX ? ex.unsupported : 0;
	if (text)
		*len = strlen(text);
	return text;
}
