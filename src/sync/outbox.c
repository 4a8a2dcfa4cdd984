/*
 * outbox.c - envelopes queued for a peer in the transaction of the change
 * that causes them, numbered per peer from 1 without gaps, signed when
 * queued (the stored text is what travels), done when the peer
 * acknowledges their seq.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync.h"
#include "sync_int.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/banned.h"

int sync_emit(struct ctx *c, const struct sync_peer *to, const char *kind, json_t *payload,
	      const char *via, struct err *e)
{
	if (via && strcmp(via, to->id) == 0)
		return 0; /* never back to where it came from */
	const struct sync_kind *k = sync_kind_find(kind);
	/* we send "up" to a parent what it accepts from a child, and down */
	int need = to->relation == SYNC_PARENT ? SYNC_CHILD : SYNC_PARENT;
	if (k == NULL || !(k->from & need) || !json_is_object(payload))
		return err_set(e, E_INTERNAL, MSG_SYNC_R_KIND_NOT_ALLOWED, kind);
	char own[SYNC_ID_LEN], id[UUID_LEN], created[TIME_RFC3339_LEN];
	if (sync_instance_id(c, own, e) != 0)
		return -1;
	/* the next seq, taken in the caller's transaction: the row is locked
	 * by the UPDATE until it commits */
	if (store_run(c->db, e, "UPDATE sync_peers SET out_seq = out_seq + 1 WHERE id = $1", "t",
		      to->id) != 1)
		return e->code ? -1 : err_set(e, E_NOTFOUND, MSG_SYNC_PEER_UNKNOWN, to->name);
	struct stmt *st = store_query(c->db, e, "SELECT out_seq FROM sync_peers WHERE id = $1", "t",
				      to->id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	int64_t seq = rc == 1 ? stmt_int(st, 0) : 0;
	stmt_done(st);
	if (rc != 1)
		return rc < 0 ? -1 : err_set(e, E_NOTFOUND, MSG_SYNC_PEER_UNKNOWN, to->name);
	int64_t now = time_now_ms();
	json_t *env = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:O}", "id", uuid7(id),
				"origin", own, "dest", to->instance, "seq", (json_int_t)seq,
				"kind", kind, "created", time_format_utc(now, created),
				"payload", payload);
	if (env == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	size_t n;
	char *text = NULL;
	if (sync_sign(c, env, e) != 0 || (text = sync_canonical(env, &n)) == NULL) {
		json_decref(env);
		return e->code ? -1 : err_set(e, E_INVALID, MSG_SYNC_BAD_ENVELOPE, "payload");
	}
	json_decref(env);
	rc = store_run(c->db, e, "INSERT INTO sync_outbox (id, peer_id, seq, kind, created_at, "
		       "envelope) VALUES ($1, $2, $3, $4, $5, $6)", "ttitit", id, to->id, seq, kind,
		       now, text);
	free(text);
	return rc < 0 ? -1 : 0;
}

int sync_emit_org(struct ctx *c, const char *org_id, const char *kind, json_t *payload,
		  const char *via, struct err *e)
{
	struct sync_peer p;
	int rc = sync_peer_for_org(c, org_id, &p, e);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	return sync_emit(c, &p, kind, payload, via, e);
}

int sync_emit_all(struct ctx *c, int relation, const char *kind, json_t *payload,
		  const char *via, struct err *e)
{
	struct sync_peer *ps;
	size_t n;
	if (sync_peers(c, relation, &ps, &n, e) != 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = sync_emit(c, &ps[i], kind, payload, via, e);
	free(ps);
	return rc;
}

json_t *sync_outbox_read(struct ctx *c, const char *peer_id, int64_t after, size_t max,
			 struct err *e)
{
	if (max == 0 || max > SYNC_BUNDLE_MAX)
		max = SYNC_BUNDLE_MAX;
	struct stmt *st = store_query(c->db, e, "SELECT envelope FROM sync_outbox WHERE peer_id = $1 "
				      "AND seq > $2 ORDER BY seq LIMIT $3", "tii", peer_id, after,
				      (int64_t)max);
	if (st == NULL)
		return NULL;
	json_t *list = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		json_t *env = json_loads(stmt_text(st, 0), JSON_REJECT_DUPLICATES, NULL);
		if (env == NULL) {
			rc = err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
			break;
		}
		json_array_append_new(list, env);
	}
	stmt_done(st);
	if (rc < 0) {
		json_decref(list);
		return NULL;
	}
	return list;
}

int sync_outbox_ack(struct ctx *c, const char *peer_id, int64_t seq, struct err *e)
{
	if (store_begin(c->db, e) != 0)
		return -1;
	struct stmt *st = store_query(c->db, e, "SELECT out_seq, out_acked FROM sync_peers WHERE "
				      "id = $1", "t", peer_id);
	if (st == NULL)
		goto fail;
	int rc = stmt_step(st, e);
	int64_t out_seq = rc == 1 ? stmt_int(st, 0) : 0, acked = rc == 1 ? stmt_int(st, 1) : 0;
	stmt_done(st);
	if (rc != 1) {
		if (rc == 0)
			err_set(e, E_NOTFOUND, MSG_SYNC_PEER_UNKNOWN, peer_id);
		goto fail;
	}
	if (seq < 0 || seq > out_seq) {
		char n[48];
		snprintf(n, sizeof(n), "%lld > %lld", (long long)seq, (long long)out_seq);
		err_set(e, E_INVALID, MSG_SYNC_ACK_AHEAD, n);
		goto fail;
	}
	/* acknowledgement only moves forward: an old one changes nothing */
	if (store_run(c->db, e, "UPDATE sync_peers SET out_acked = $2, last_contact_at = $3 "
		      "WHERE id = $1", "tii", peer_id, (int64_t)(seq > acked ? seq : acked), time_now_ms()) < 0)
		goto fail;
	return store_commit(c->db, e);
fail:
	store_rollback(c->db);
	return -1;
}
