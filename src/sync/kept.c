/*
 * kept.c - instances of different versions keep exchanging (issue 16,
 * h/fed-compat; docs/SYNC.md "Versions"). The district, the province and
 * VNCERT/CC upgrade at different times: an envelope of a kind this version
 * does not know, from a registered peer, well-formed, signed, addressed to
 * us and in sequence, is kept as received (sync_kept) inside the inbox's
 * transaction, its seq applied with the cursor, so the envelopes behind it
 * are not held up and the sender stops resending it. It is counted for the
 * peer as `kind_unknown` ("kept until this instance is upgraded").
 *
 * After an upgrade (the binary now knows the kind) sync_kept_apply applies
 * the kept envelopes once each, in their original seq order, through the
 * kind's own apply function, and marks them applied; one whose apply
 * fails stays kept with its error (shown in sync status) and is tried
 * again the next time. `ungcuu serve` calls it when its sync loop starts
 * (or at start when the loop is off), `ungcuu sync run` before its rounds.
 *
 * Bounds, per peer: LIMIT_SYNC_KEPT envelopes and LIMIT_SYNC_KEPT_BYTES
 * bytes waiting. Past either, the envelope is refused (`kept_full`) and
 * NOT acknowledged: it waits at its sender, as every envelope did before
 * this file, so nothing is lost; the envelopes behind it wait too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync.h"
#include "sync_int.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/banned.h"

int sync_kept_put(struct ctx *c, const struct sync_peer *p, const json_t *env,
		  const char *canon, size_t len, struct err *e)
{
	const char *id = json_string_value(json_object_get(env, "id"));
	const char *kind = json_string_value(json_object_get(env, "kind"));
	int64_t seq = (int64_t)json_integer_value(json_object_get(env, "seq"));
	struct stmt *st = store_query(c->db, e, "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM "
				      "sync_kept WHERE peer_id = $1 AND applied_at IS NULL", "t",
				      p->id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	int64_t n = rc == 1 ? stmt_int(st, 0) : 0, bytes = rc == 1 ? stmt_int(st, 1) : 0;
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (n >= LIMIT_SYNC_KEPT || bytes + (int64_t)len > LIMIT_SYNC_KEPT_BYTES)
		return 1;
	char rid[UUID_LEN], arg[120], text[400];
	int64_t now = time_now_ms();
	snprintf(arg, sizeof(arg), "%s (seq %lld)", kind, (long long)seq);
	msg_format(MSG_SYNC_R_KEPT, LANG_EN, arg, text, sizeof(text));
	log_msg(LOG_WARN, "sync: kept from %s: %s", p->name, text);
	/* kept, and counted for the peer like the other reasons that hold
	 * nothing up (attachment_*): a row of the refusal log and the counter;
	 * not the peer's last error (nothing is wrong with the exchange: sync
	 * status shows what is kept on its own line) */
	return store_run(c->db, e, "INSERT INTO sync_kept (id, peer_id, seq, kind, envelope, size, "
			 "kept_at) VALUES ($1, $2, $3, $4, $5, $6, $7)", "ttittii", id, p->id, seq,
			 kind, canon, (int64_t)len, now) < 0 ||
	       store_run(c->db, e, "INSERT INTO sync_refused (id, peer_id, origin, envelope_id, seq, "
			 "reason, n, detail, at) VALUES ($1, $2, $3, $4, $5, 'kind_unknown', 1, $6, "
			 "$7)", "ttttiti", uuid7(rid), p->id, p->instance, id, seq, text, now) < 0 ||
	       store_run(c->db, e, "UPDATE sync_peers SET refused = refused + 1, last_contact_at = $2 "
			 "WHERE id = $1", "ti", p->id, now) < 0 ? -1 : 0;
}

/* Records why a kept envelope could not be applied (its own write). The
 * refusal is logged and counted the first time only: the next attempts
 * (each `sync run`, each start) change the error, not the counters. */
static void kept_failed(struct ctx *c, const struct sync_peer *p, const char *id, int64_t seq,
			int first, const char *reason, const char *text)
{
	struct err e = { 0 };
	if (store_begin(c->db, &e) == 0) {
		if (store_run(c->db, &e, "UPDATE sync_kept SET error = $2, error_at = $3 WHERE id = $1",
			      "tti", id, text, time_now_ms()) >= 0)
			store_commit(c->db, &e);
		else
			store_rollback(c->db);
	}
	if (first)
		sync_refuse(c, p->id, p->instance, id, seq, 1, reason, text);
	else
		log_msg(LOG_WARN, "sync: kept envelope %s from %s still not applied: %s", id, p->name,
			text);
}

int sync_kept_apply(struct ctx *c, const char *peer_id, struct sync_kept_result *out,
		    struct err *e)
{
	memset(out, 0, sizeof(*out));
	/* what waits, in order: the (light) ids first, each envelope read when
	 * its turn comes */
	struct stmt *st = store_query(c->db, e, "SELECT id, peer_id, kind, seq, CASE WHEN error IS NULL THEN 1 ELSE 0 END FROM "
				      "sync_kept WHERE applied_at IS NULL AND ($1 IS NULL OR "
				      "peer_id = $1) ORDER BY peer_id, seq", "t", peer_id);
	if (st == NULL)
		return -1;
	json_t *todo = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(todo, json_pack("[s, s, s, I, b]", stmt_text(st, 0),
			stmt_text(st, 1), stmt_text(st, 2), (json_int_t)stmt_int(st, 3),
			stmt_int(st, 4) != 0));
	stmt_done(st);
	if (rc < 0) {
		json_decref(todo);
		return -1;
	}
	struct sync_peer p;
	p.id[0] = '\0';
	size_t i;
	json_t *row;
	json_array_foreach(todo, i, row) {
		const char *id = json_string_value(json_array_get(row, 0));
		const char *pid = json_string_value(json_array_get(row, 1));
		const char *kind = json_string_value(json_array_get(row, 2));
		int64_t seq = (int64_t)json_integer_value(json_array_get(row, 3));
		int first = json_is_true(json_array_get(row, 4));
		const struct sync_kind *k = sync_kind_find(kind);
		if (k == NULL) {
			out->waiting++;   /* still unknown: kept for a later version */
			continue;
		}
		struct err ae = { 0 };
		if (strcmp(p.id, pid) != 0 && sync_peer_get(c, pid, &p, &ae) != 0) {
			p.id[0] = '\0';
			out->waiting++;
			continue;
		}
		char text[400];
		if (!(k->from & p.relation)) {
			/* a rule, not a version: the kind may not come from there */
			msg_format(MSG_SYNC_R_KIND_NOT_ALLOWED, LANG_EN, kind, text, sizeof(text));
			kept_failed(c, &p, id, seq, first, "kind_not_allowed", text);
			out->failed++;
			continue;
		}
		st = store_query(c->db, &ae, "SELECT envelope FROM sync_kept WHERE id = $1 AND "
				 "applied_at IS NULL", "t", id);
		if (st == NULL) {
			json_decref(todo);
			*e = ae;
			return -1;
		}
		rc = stmt_step(st, &ae);
		json_t *env = rc == 1 && stmt_text(st, 0) ? json_loads(stmt_text(st, 0), 0, NULL) : NULL;
		stmt_done(st);
		if (rc < 0) {
			json_decref(todo);
			*e = ae;
			return -1;
		}
		if (rc == 0)
			continue;   /* another applier went first */
		json_t *payload = json_object_get(env, "payload");
		if (!json_is_object(payload)) {
			msg_format(MSG_SYNC_BAD_ENVELOPE, LANG_EN, "payload", text, sizeof(text));
			kept_failed(c, &p, id, seq, first, "malformed", text);
			json_decref(env);
			out->failed++;
			continue;
		}
		/* marked first, in the same transaction as the apply: the row
		 * locked, a second applier finds it applied and changes nothing */
		int n = -1;
		if (store_begin(c->db, &ae) == 0 &&
		    (n = store_run(c->db, &ae, "UPDATE sync_kept SET applied_at = $2, envelope = NULL, "
				   "error = NULL, error_at = NULL WHERE id = $1 AND applied_at IS NULL",
				   "ti", id, time_now_ms())) == 1 &&
		    k->apply(c, &p, payload, &ae) == 0 && store_commit(c->db, &ae) == 0) {
			out->applied++;
			log_msg(LOG_INFO, "sync: applied kept envelope %s (%s, seq %lld) from %s", id,
				kind, (long long)seq, p.name);
		} else {
			store_rollback(c->db);
			if (n == 0) {
				json_decref(env);
				continue;   /* applied meanwhile */
			}
			char why[300];
			err_text(&ae, LANG_EN, why, sizeof(why));
			msg_format(MSG_SYNC_R_APPLY_FAILED, LANG_EN, why, text, sizeof(text));
			kept_failed(c, &p, id, seq, first, "apply_failed", text);
			out->failed++;
		}
		json_decref(env);
	}
	json_decref(todo);
	if (out->applied || out->failed)
		log_msg(LOG_INFO, "sync: kept envelopes: %lld applied, %lld failed, %lld still unknown",
			(long long)out->applied, (long long)out->failed, (long long)out->waiting);
	return 0;
}

json_t *sync_kept_list(struct ctx *c, const char *peer_id, int limit, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT id, seq, kind, size, kept_at, error, "
				      "error_at FROM sync_kept WHERE peer_id = $1 AND applied_at IS "
				      "NULL ORDER BY seq LIMIT $2", "ti", peer_id, (int64_t)limit);
	if (st == NULL)
		return NULL;
	json_t *out = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		json_t *j = json_pack("{s:s, s:I, s:s, s:I, s:o, s:s?}", "id", stmt_text(st, 0),
			"seq", (json_int_t)stmt_int(st, 1), "kind", stmt_text(st, 2),
			"size", (json_int_t)stmt_int(st, 3), "kept_at", ms_json(stmt_int(st, 4)),
			"error", stmt_isnull(st, 5) ? NULL : stmt_text(st, 5));
		json_object_set_new(j, "error_at", stmt_isnull(st, 6) ? json_null() :
				    ms_json(stmt_int(st, 6)));
		json_array_append_new(out, j);
	}
	stmt_done(st);
	if (rc < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}
