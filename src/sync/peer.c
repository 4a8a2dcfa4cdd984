/*
 * peer.c - the peers this instance exchanges envelopes with (sync_peers),
 * the organisations each hosts, refusals and status, and the map from a
 * peer's records to their local mirrors (sync_map).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sync.h"
#include "sync_int.h"
#include "../base/jsonv.h"
#include "../base/log.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../domain/directory/org.h"
#include "../domain/directory/policy.h"
#include "../base/banned.h"

#define PEER_COLS "id, name, instance, public_key, url, relation"

static void peer_row(struct stmt *st, struct sync_peer *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", stmt_text(st, 0));
	snprintf(p->name, sizeof(p->name), "%s", stmt_text(st, 1));
	snprintf(p->instance, sizeof(p->instance), "%s", stmt_text(st, 2));
	snprintf(p->public_key, sizeof(p->public_key), "%s", stmt_text(st, 3));
	snprintf(p->url, sizeof(p->url), "%s", stmt_text(st, 4) ? stmt_text(st, 4) : "");
	p->relation = (int)stmt_int(st, 5);
}

/* One peer by a WHERE clause with one parameter: 0, 1 none, -1. */
static int peer_where(struct ctx *c, const char *sql, const char *arg, struct sync_peer *p,
		      struct err *e)
{
	struct stmt *st = store_query(c->db, e, sql, "t", arg);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		peer_row(st, p);
	stmt_done(st);
	return rc < 0 ? -1 : rc == 1 ? 0 : 1;
}

int sync_peer_get(struct ctx *c, const char *peer_id, struct sync_peer *p, struct err *e)
{
	int rc = peer_where(c, "SELECT " PEER_COLS " FROM sync_peers WHERE id = $1", peer_id, p, e);
	if (rc == 1)
		return err_set(e, E_NOTFOUND, MSG_SYNC_PEER_UNKNOWN, peer_id);
	return rc;
}

int sync_peer_find(struct ctx *c, const char *name_or_id, struct sync_peer *p, struct err *e)
{
	int rc = peer_where(c, "SELECT " PEER_COLS " FROM sync_peers WHERE name = $1 OR id = $1",
			    name_or_id, p, e);
	if (rc == 1)
		return err_set(e, E_NOTFOUND, MSG_SYNC_PEER_UNKNOWN, name_or_id);
	return rc;
}

int sync_peer_by_instance(struct ctx *c, const char *instance, struct sync_peer *p,
			  struct err *e)
{
	return peer_where(c, "SELECT " PEER_COLS " FROM sync_peers WHERE instance = $1", instance,
			  p, e);
}

int sync_peers(struct ctx *c, int relation, struct sync_peer **out, size_t *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	struct stmt *st = store_query(c->db, e, "SELECT " PEER_COLS " FROM sync_peers "
				      "WHERE relation = $1 ORDER BY name", "i", (int64_t)relation);
	if (st == NULL)
		return -1;
	size_t cap = 0;
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 4;
			struct sync_peer *np = realloc(*out, nc * sizeof(*np));
			if (np == NULL) {
				rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
				break;
			}
			*out = np;
			cap = nc;
		}
		peer_row(st, &(*out)[(*n)++]);
	}
	stmt_done(st);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int sync_peer_for_org(struct ctx *c, const char *org_id, struct sync_peer *p, struct err *e)
{
	struct org o, home;
	if (org_by_id(c, org_id, &o, e) != 0 || org_home(c, &home, e) != 0)
		return -1;
	/* Inside the home organisation's subtree only organisations below home
	 * can live elsewhere (a commune running its own instance); outside it
	 * (the province, the national coordinator) the nearest named one. */
	size_t hl = strlen(home.path);
	int inside = strncmp(o.path, home.path, hl) == 0;
	struct stmt *st = store_query(c->db, e,
		"SELECT p.id, p.name, p.instance, p.public_key, p.url, p.relation, o.path "
		"FROM sync_peer_orgs po JOIN orgs o ON o.code = po.org_code "
		"JOIN sync_peers p ON p.id = po.peer_id "
		"WHERE $1 LIKE o.path || '%' ORDER BY length(o.path) DESC, p.name", "t", o.path);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e), found = 1;
	if (rc == 1 && (!inside || strlen(stmt_text(st, 6)) > hl)) {
		peer_row(st, p);
		found = 0;
	}
	stmt_done(st);
	return rc < 0 ? -1 : found;
}

/* ---- administration ---- */

static int admin_check(struct ctx *c, struct err *e)
{
	struct org home;
	if (org_home(c, &home, e) != 0)
		return -1;
	struct policy_target t = { .org_path = home.path };
	return policy_check(c->actor, ACT_SYNC_ADMIN, &t, e);
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static const char *const relations[] = { "parent", "child", NULL };

static const struct jv_field peer_spec[] = {
	{ "name", JV_STRING, 1, 1, 64, NULL, NULL },
	{ "public_key", JV_STRING, 1, 64, 64, NULL, NULL },
	{ "relation", JV_ENUM, 1, 0, 0, relations, NULL },
	{ "url", JV_STRING, 0, 0, 500, NULL, NULL },
	{ "orgs", JV_STRINGS, 0, 0, LIMIT_ARRAY_ITEMS, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

int sync_peer_add(struct ctx *c, json_t *body, char id[UUID_LEN], struct err *e)
{
	if (admin_check(c, e) != 0 || jv_validate(body, peer_spec, "", e) != 0)
		return -1;
	const char *name = jv_str(body, "name"), *url = jv_str(body, "url");
	char pk[65], inst[SYNC_ID_LEN], own[SYNC_ID_LEN];
	snprintf(pk, sizeof(pk), "%s", jv_str(body, "public_key"));
	for (char *q = pk; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	if (!name_ok(name))
		return err_field(e, "/name", MSG_SYNC_BAD_NAME, name);
	unsigned char raw[32], x[32];
	if (sync_instance_of_key(pk, inst) != 0 ||
	    sodium_hex2bin(raw, sizeof(raw), pk, 64, NULL, NULL, NULL) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(x, raw) != 0)
		return err_field(e, "/public_key", MSG_SYNC_BAD_KEY, jv_str(body, "public_key"));
	if (sync_instance_id(c, own, e) != 0)
		return -1;
	if (strcmp(own, inst) == 0)
		return err_field(e, "/public_key", MSG_SYNC_OWN_KEY, NULL);
	if (url && url[0] && strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		return err_field(e, "/url", MSG_SYNC_BAD_URL, url);
	json_t *orgs = json_object_get(body, "orgs");
	size_t i;
	json_t *v;
	json_array_foreach(orgs, i, v) {
		const char *code = json_string_value(v);
		size_t n = strlen(code);
		if (n == 0 || n > 64 || strspn(code, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n) {
			char ptr[32];
			snprintf(ptr, sizeof(ptr), "/orgs/%zu", i);
			return err_field(e, ptr, MSG_BAD_VALUE, code);
		}
	}
	int relation = strcmp(jv_str(body, "relation"), "parent") == 0 ? SYNC_PARENT : SYNC_CHILD;
	if (store_begin(c->db, e) != 0)
		return -1;
	struct sync_peer old;
	struct stmt *st = store_query(c->db, e, "SELECT " PEER_COLS " FROM sync_peers WHERE "
				      "name = $1 OR instance = $2", "tt", name, inst);
	int rc = st ? stmt_step(st, e) : -1;
	if (rc == 1)
		peer_row(st, &old);
	stmt_done(st);
	if (rc == 1) {
		store_rollback(c->db);
		return err_set(e, E_CONFLICT, MSG_SYNC_PEER_EXISTS, old.name);
	}
	if (rc < 0)
		goto fail;
	uuid7(id);
	if (store_run(c->db, e, "INSERT INTO sync_peers (id, name, instance, public_key, url, "
		      "relation, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		      "tttttiti", id, name, inst, pk, url ? url : "", (int64_t)relation,
		      c->actor->id[0] ? c->actor->id : NULL, time_now_ms()) < 0)
		goto fail;
	json_array_foreach(orgs, i, v)
		if (store_run(c->db, e, "INSERT INTO sync_peer_orgs (peer_id, org_code) VALUES ($1, $2) "
			      "ON CONFLICT DO NOTHING", "tt", id, json_string_value(v)) < 0)
			goto fail;
	return store_commit(c->db, e);
fail:
	store_rollback(c->db);
	return -1;
}

int sync_peer_remove(struct ctx *c, const char *name_or_id, struct err *e)
{
	struct sync_peer p;
	if (admin_check(c, e) != 0 || sync_peer_find(c, name_or_id, &p, e) != 0)
		return -1;
	if (store_begin(c->db, e) != 0)
		return -1;
	static const char *const del[] = {
		"DELETE FROM sync_peer_orgs WHERE peer_id = $1",
		"DELETE FROM sync_outbox WHERE peer_id = $1",
		"DELETE FROM sync_inbox WHERE peer_id = $1",
		"DELETE FROM sync_map WHERE peer_id = $1",
		"DELETE FROM sync_attachment_parts WHERE peer_id = $1",
		"DELETE FROM sync_kept WHERE peer_id = $1",
		"UPDATE sync_refused SET peer_id = NULL WHERE peer_id = $1",
		"DELETE FROM sync_peers WHERE id = $1",
	};
	for (size_t i = 0; i < sizeof(del) / sizeof(del[0]); i++)
		if (store_run(c->db, e, del[i], "t", p.id) < 0) {
			store_rollback(c->db);
			return -1;
		}
	return store_commit(c->db, e);
}

static json_t *peer_json(struct stmt *st)
{
	char fp[SYNC_FINGERPRINT_LEN];
	sync_fingerprint(stmt_text(st, 2), fp);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:[]}",
		"id", stmt_text(st, 0), "name", stmt_text(st, 1), "instance", stmt_text(st, 2),
		"fingerprint", fp, "public_key", stmt_text(st, 3), "url", stmt_text(st, 4),
		"relation", stmt_int(st, 5) == SYNC_PARENT ? "parent" : "child",
		"created_at", ms_json(stmt_int(st, 6)), "orgs");
}

static int attach_orgs(struct ctx *c, json_t *items, struct err *e)
{
	size_t i;
	json_t *p;
	json_array_foreach(items, i, p) {
		struct stmt *st = store_query(c->db, e, "SELECT org_code FROM sync_peer_orgs WHERE "
					      "peer_id = $1 ORDER BY org_code", "t",
					      jv_str(p, "id"));
		if (st == NULL)
			return -1;
		int rc;
		while ((rc = stmt_step(st, e)) == 1)
			json_array_append_new(json_object_get(p, "orgs"), json_string(stmt_text(st, 0)));
		stmt_done(st);
		if (rc < 0)
			return -1;
	}
	return 0;
}

json_t *sync_peer_list(struct ctx *c, struct err *e)
{
	if (admin_check(c, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT " PEER_COLS ", created_at FROM sync_peers "
				      "ORDER BY name", "");
	if (st == NULL)
		return NULL;
	json_t *items = rows_array(st, peer_json, e);
	if (items == NULL || attach_orgs(c, items, e) != 0) {
		json_decref(items);
		return NULL;
	}
	return json_pack("{s:o}", "items", items);
}

json_t *sync_self(struct ctx *c, struct err *e)
{
	char pk[65], inst[SYNC_ID_LEN], fp[SYNC_FINGERPRINT_LEN];
	if (admin_check(c, e) != 0 || sync_public_key(c, pk, e) != 0)
		return NULL;
	sync_instance_of_key(pk, inst);
	sync_fingerprint(inst, fp);
	return json_pack("{s:s, s:s, s:s}", "instance", inst, "public_key", pk, "fingerprint", fp);
}

/* ---- refusals, contact, status ---- */

int sync_touch(struct ctx *c, const char *peer_id, struct err *e)
{
	return store_run(c->db, e, "UPDATE sync_peers SET last_contact_at = $2 WHERE id = $1", "ti",
			 peer_id, time_now_ms()) < 0 ? -1 : 0;
}

#define REFUSED_KEEP 1000  /* refusals kept per peer: a garbage peer fills no disk */

int sync_refuse_locked(struct ctx *c, const char *peer_id, const char *reason,
		       const char *detail, struct err *e)
{
	char id[UUID_LEN];
	int64_t now = time_now_ms();
	log_msg(LOG_WARN, "sync: refused from %s (%s): %s", peer_id, reason, detail ? detail : "");
	return store_run(c->db, e, "INSERT INTO sync_refused (id, peer_id, origin, envelope_id, "
			 "seq, reason, n, detail, at) SELECT $1, $2, instance, NULL, NULL, $3, 1, $4, "
			 "$5 FROM sync_peers WHERE id = $2", "tttti", uuid7(id), peer_id, reason,
			 detail ? detail : "", now) < 0 ||
	       store_run(c->db, e, "UPDATE sync_peers SET refused = refused + 1, last_error = $2, "
			 "last_error_at = $3 WHERE id = $1", "tti", peer_id, detail ? detail : reason,
			 now) < 0 ? -1 : 0;
}

void sync_refuse(struct ctx *c, const char *peer_id, const char *origin, const char *env_id,
		 int64_t seq, int64_t n, const char *reason, const char *detail)
{
	struct err e = { 0 };
	char id[UUID_LEN];
	int64_t now = time_now_ms();
	log_msg(LOG_WARN, "sync: refused %lld envelope(s), %s seq %lld, from %s (%s): %s",
		(long long)n, env_id ? env_id : "-", (long long)seq,
		peer_id ? peer_id : origin ? origin : "?", reason, detail);
	if (store_begin(c->db, &e) != 0)
		return;
	uuid7(id);
	if (store_run(c->db, &e, "INSERT INTO sync_refused (id, peer_id, origin, envelope_id, seq, "
		      "reason, n, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", "ttttititi",
		      id, peer_id, origin, env_id, seq, reason, n, detail ? detail : "", now) < 0)
		goto fail;
	/* a replay is the normal answer to a lost acknowledgement: counted,
	 * but it is no error to show */
	if (peer_id && strcmp(reason, "replay") == 0 &&
	    store_run(c->db, &e, "UPDATE sync_peers SET refused = refused + $3, last_contact_at = $2 "
		      "WHERE id = $1", "tii", peer_id, now, n) < 0)
		goto fail;
	if (peer_id && strcmp(reason, "replay") != 0 &&
	    store_run(c->db, &e, "UPDATE sync_peers SET refused = refused + $4, last_error = $2, "
		      "last_error_at = $3, last_contact_at = $3 WHERE id = $1", "ttii", peer_id,
		      detail ? detail : reason, now, n) < 0)
		goto fail;
	if (store_run(c->db, &e, "DELETE FROM sync_refused WHERE peer_id IS NOT DISTINCT FROM $1 AND at < "
		      "(SELECT at FROM sync_refused WHERE peer_id IS NOT DISTINCT FROM $1 "
		      "ORDER BY at DESC LIMIT 1 OFFSET $2)",
		      "ti", peer_id, (int64_t)REFUSED_KEEP) < 0)
		goto fail;
	if (store_commit(c->db, &e) == 0)
		return;
fail:
	store_rollback(c->db);
	log_msg(LOG_ERROR, "sync: could not record a refusal: code %d", e.code);
}

static json_t *refusal_json(struct stmt *st)
{
	json_t *j = json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:s, s:o}", "id", stmt_text(st, 0),
		"peer_id", stmt_text(st, 1), "origin", stmt_text(st, 2), "envelope_id",
		stmt_text(st, 3), "reason", stmt_text(st, 5), "detail", stmt_text(st, 6), "at",
		ms_json(stmt_int(st, 7)));
	json_object_set_new(j, "seq", stmt_isnull(st, 4) ? json_null() : json_integer(stmt_int(st, 4)));
	json_object_set_new(j, "n", json_integer(stmt_int(st, 8)));
	return j;
}

json_t *sync_refusals(struct ctx *c, const char *peer_id, int limit, struct err *e)
{
	if (admin_check(c, e) != 0)
		return NULL;
	if (limit <= 0 || limit > LIMIT_PAGE_MAX)
		limit = LIMIT_PAGE_DEFAULT;
	struct stmt *st = store_query(c->db, e, "SELECT id, peer_id, origin, envelope_id, seq, "
				      "reason, detail, at, n FROM sync_refused WHERE $1 IS NULL OR "
				      "peer_id = $1 ORDER BY at DESC, id DESC LIMIT $2", "ti", peer_id,
				      (int64_t)limit);
	return st ? rows_items(st, refusal_json, e) : NULL;
}

static json_t *status_row(struct stmt *st)
{
	int64_t out_seq = stmt_int(st, 4), acked = stmt_int(st, 5), in_seq = stmt_int(st, 6),
		seen = stmt_int(st, 7);
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:s?, s:o, s:I, s:{}}",
		"id", stmt_text(st, 0), "name", stmt_text(st, 1),
		"relation", stmt_int(st, 2) == SYNC_PARENT ? "parent" : "child",
		"url", stmt_text(st, 3),
		"last_contact_at", ms_json(stmt_isnull(st, 8) ? 0 : stmt_int(st, 8)),
		"out_queued", (json_int_t)out_seq, "out_acked", (json_int_t)acked,
		"out_waiting", (json_int_t)(out_seq - acked),
		"out_oldest_at", ms_json(stmt_isnull(st, 13) ? 0 : stmt_int(st, 13)),
		"in_applied", (json_int_t)in_seq, "in_seen", (json_int_t)seen,
		"in_waiting", (json_int_t)(seen > in_seq ? seen - in_seq : 0),
		"refused", (json_int_t)stmt_int(st, 9),
		"last_error", stmt_text(st, 10),
		"last_error_at", ms_json(stmt_isnull(st, 11) ? 0 : stmt_int(st, 11)),
		"pings", (json_int_t)stmt_int(st, 12), "refused_by_reason");
	return j;
}

json_t *sync_status(struct ctx *c, struct err *e)
{
	char inst[SYNC_ID_LEN], fp[SYNC_FINGERPRINT_LEN];
	if (admin_check(c, e) != 0 || sync_instance_id(c, inst, e) != 0)
		return NULL;
	sync_fingerprint(inst, fp);
	/* no read transaction of its own: the server's request may hold one */
	json_t *peers = NULL, *out = NULL;
	struct stmt *st = store_query(c->db, e,
		"SELECT p.id, p.name, p.relation, p.url, p.out_seq, p.out_acked, p.in_seq, p.in_seen, "
		"p.last_contact_at, p.refused, p.last_error, p.last_error_at, p.pings, "
		"(SELECT MIN(o.created_at) FROM sync_outbox o WHERE o.peer_id = p.id AND "
		"o.seq > p.out_acked) FROM sync_peers p ORDER BY p.name", "");
	if (st == NULL || (peers = rows_array(st, status_row, e)) == NULL)
		goto done;
	st = store_query(c->db, e, "SELECT peer_id, reason, SUM(n) FROM sync_refused "
			 "GROUP BY peer_id, reason", "");
	if (st == NULL)
		goto done;
	json_int_t unknown = 0;
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		const char *pid = stmt_text(st, 0);
		if (pid == NULL) {
			unknown += stmt_int(st, 2);
			continue;
		}
		size_t i;
		json_t *p;
		json_array_foreach(peers, i, p)
			if (strcmp(jv_str(p, "id"), pid) == 0)
				json_object_set_new(json_object_get(p, "refused_by_reason"),
						    stmt_text(st, 1), json_integer(stmt_int(st, 2)));
	}
	stmt_done(st);
	if (rc < 0)
		goto done;
	/* h/fed-compat: envelopes of kinds this version does not know, kept
	 * until an upgrade applies them (kept.c) */
	size_t pi;
	json_t *pp;
	json_array_foreach(peers, pi, pp) {
		json_object_set_new(pp, "kept_waiting", json_integer(0));
		json_object_set_new(pp, "kept_bytes", json_integer(0));
		json_object_set_new(pp, "kept_failed", json_integer(0));
		json_object_set_new(pp, "kept_applied", json_integer(0));
	}
	st = store_query(c->db, e, "SELECT peer_id, SUM(CASE WHEN applied_at IS NULL THEN 1 ELSE 0 "
			 "END), SUM(CASE WHEN applied_at IS NULL THEN size ELSE 0 END), SUM(CASE WHEN "
			 "applied_at IS NULL AND error IS NOT NULL THEN 1 ELSE 0 END), SUM(CASE WHEN "
			 "applied_at IS NULL THEN 0 ELSE 1 END) FROM sync_kept GROUP BY peer_id", "");
	if (st == NULL)
		goto done;
	while ((rc = stmt_step(st, e)) == 1) {
		size_t j;
		json_t *q;
		json_array_foreach(peers, j, q)
			if (strcmp(jv_str(q, "id"), stmt_text(st, 0)) == 0) {
				json_object_set_new(q, "kept_waiting", json_integer(stmt_int(st, 1)));
				json_object_set_new(q, "kept_bytes", json_integer(stmt_int(st, 2)));
				json_object_set_new(q, "kept_failed", json_integer(stmt_int(st, 3)));
				json_object_set_new(q, "kept_applied", json_integer(stmt_int(st, 4)));
			}
	}
	stmt_done(st);
	if (rc < 0)
		goto done;
	json_array_foreach(peers, pi, pp) {
		json_t *kept = jv_int(pp, "kept_waiting", 0) ? sync_kept_list(c, jv_str(pp, "id"),
			SYNC_KEPT_SHOWN, e) : json_array();
		if (kept == NULL)
			goto done;
		json_object_set_new(pp, "kept", kept);
	}
	out = json_pack("{s:s, s:s, s:O, s:I}", "instance", inst, "fingerprint", fp, "peers", peers,
			"unknown_refused", unknown);
done:
	json_decref(peers);
	return out;
}

/* ---- the record map ---- */

int sync_map_put(struct ctx *c, const char *peer_id, const char *type, const char *remote_id,
		 const char *local_id, struct err *e)
{
	char id[UUID_LEN];
	return store_run(c->db, e, "INSERT INTO sync_map (id, peer_id, type, remote_id, local_id, "
			 "created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (peer_id, type, "
			 "remote_id) DO UPDATE SET local_id = excluded.local_id", "ttttti",
			 uuid7(id), peer_id, type, remote_id, local_id, time_now_ms()) < 0 ? -1 : 0;
}

int sync_map_get(struct ctx *c, const char *peer_id, const char *type, const char *remote_id,
		 char local_id[UUID_LEN], struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT local_id FROM sync_map WHERE peer_id = $1 "
				      "AND type = $2 AND remote_id = $3", "ttt", peer_id, type,
				      remote_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		snprintf(local_id, UUID_LEN, "%s", stmt_text(st, 0));
	stmt_done(st);
	return rc < 0 ? -1 : rc == 1 ? 0 : 1;
}

int sync_map_origin(struct ctx *c, const char *type, const char *local_id,
		    char peer_id[UUID_LEN], char remote_id[UUID_LEN], struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT peer_id, remote_id FROM sync_map WHERE "
				      "type = $1 AND local_id = $2 ORDER BY created_at LIMIT 1", "tt",
				      type, local_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		if (peer_id)
			snprintf(peer_id, UUID_LEN, "%s", stmt_text(st, 0));
		if (remote_id)
			snprintf(remote_id, UUID_LEN, "%s", stmt_text(st, 1));
	}
	stmt_done(st);
	return rc < 0 ? -1 : rc == 1 ? 0 : 1;
}
