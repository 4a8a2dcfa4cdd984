/*
 * inbox.c - the kinds registry and applying what a peer sent: each
 * envelope checked (shape, origin, signature, destination, kind allowed
 * for the relation, seq = last applied + 1) and applied with the cursor
 * update in one transaction. A refused envelope changes nothing but the
 * refusal log and the peer's counters; refusals of one peer never stop
 * another's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync.h"
#include "sync_int.h"
#include "../base/crypto.h"
#include "../base/limits.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/banned.h"

/* ---- kinds ---- */

#define KIND_TABLES 8

static struct {
	const struct sync_kind *kinds;
	size_t n;
} tables[KIND_TABLES];
static size_t ntables;

static int ping_apply(struct ctx *c, const struct sync_peer *from, json_t *payload,
		      struct err *e)
{
	(void)payload;
	return store_run(c->db, e, "UPDATE sync_peers SET pings = pings + 1 WHERE id = $1", "t",
			 from->id) < 0 ? -1 : 0;
}

static const struct sync_kind core_kinds[] = {
	{ SYNC_KIND_PING, SYNC_PARENT | SYNC_CHILD, ping_apply },
};

void sync_register_kinds(const struct sync_kind *kinds, size_t n)
{
	if (ntables < KIND_TABLES && kinds && n) {
		tables[ntables].kinds = kinds;
		tables[ntables].n = n;
		ntables++;
	}
}

const struct sync_kind *sync_kind_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(core_kinds) / sizeof(core_kinds[0]); i++)
		if (strcmp(core_kinds[i].name, name) == 0)
			return &core_kinds[i];
	for (size_t t = 0; t < ntables; t++)
		for (size_t i = 0; i < tables[t].n; i++)
			if (strcmp(tables[t].kinds[i].name, name) == 0)
				return &tables[t].kinds[i];
	return NULL;
}

/* ---- the inbox ---- */

static int64_t in_seq_of(struct ctx *c, const char *peer_id, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT in_seq FROM sync_peers WHERE id = $1", "t",
				      peer_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	int64_t v = rc == 1 ? stmt_int(st, 0) : -1;
	stmt_done(st);
	if (rc == 0)
		err_set(e, E_NOTFOUND, MSG_SYNC_PEER_UNKNOWN, peer_id);
	return v;
}

static int seq_cmp(const void *x, const void *y)
{
	json_int_t a = json_integer_value(json_object_get(*(json_t *const *)x, "seq"));
	json_int_t b = json_integer_value(json_object_get(*(json_t *const *)y, "seq"));
	return a < b ? -1 : a > b;
}

/* Replays and gaps of one batch are logged as one row each (a resent
 * batch of a thousand is one event, not a thousand). */
struct pending {
	int64_t n, first, last;
	char id[UUID_LEN];
};

struct refusal_ctx {
	struct ctx *c;
	const struct sync_peer *p;
	json_t *list;
	struct pending replay, gap;
};

static void pend(struct pending *q, const char *id, int64_t seq)
{
	if (q->n++ == 0) {
		q->first = seq;
		snprintf(q->id, sizeof(q->id), "%s", id ? id : "");
	}
	q->last = seq;
}

static void flush(struct refusal_ctx *r, struct pending *q, const char *reason, int msg)
{
	char arg[64], text[400];
	if (q->n == 0)
		return;
	if (q->first == q->last)
		snprintf(arg, sizeof(arg), "%lld", (long long)q->first);
	else
		snprintf(arg, sizeof(arg), "%lld–%lld (%lld)", (long long)q->first, (long long)q->last,
			 (long long)q->n);
	msg_format(msg, LANG_EN, arg, text, sizeof(text));
	sync_refuse(r->c, r->p ? r->p->id : NULL, r->p ? r->p->instance : NULL,
		    q->id[0] ? q->id : NULL, q->first, q->n, reason, text);
	q->n = 0;
}

static void refuse(struct refusal_ctx *r, const json_t *env, const char *reason, int msg,
		   const char *arg)
{
	char text[400];
	const char *id = json_string_value(json_object_get(env, "id"));
	const char *origin = json_string_value(json_object_get(env, "origin"));
	json_t *seq = json_object_get(env, "seq");
	int64_t s = json_is_integer(seq) ? (int64_t)json_integer_value(seq) : 0;
	msg_format(msg, LANG_EN, arg, text, sizeof(text));
	if (id && !uuid_valid(id))
		id = NULL;
	if (origin && strlen(origin) != 64)
		origin = NULL;
	if (strcmp(reason, "replay") == 0)
		pend(&r->replay, id, s);
	else if (strcmp(reason, "gap") == 0)
		pend(&r->gap, id, s);
	else
		sync_refuse(r->c, r->p ? r->p->id : NULL, origin, id, s, 1, reason, text);
	char vi[400];
	msg_format(msg, r->c->lang, arg, vi, sizeof(vi));
	json_t *j = json_pack("{s:s?, s:I, s:s, s:s}", "id", id, "seq", (json_int_t)s,
			      "reason", reason, "message", vi);
	json_array_append_new(r->list, j);
}

/* An envelope kept because its kind is unknown here (kept.c): it goes
 * back to the sender in the list of refusals, so the sender knows it is
 * not applied yet, though acknowledged; the log row and the counter were
 * written with it. */
static void note_kept(struct refusal_ctx *r, const json_t *env)
{
	char arg[120], text[400];
	const char *kind = json_string_value(json_object_get(env, "kind"));
	json_int_t s = json_integer_value(json_object_get(env, "seq"));
	snprintf(arg, sizeof(arg), "%s (seq %lld)", kind, (long long)s);
	msg_format(MSG_SYNC_R_KEPT, r->c->lang, arg, text, sizeof(text));
	json_array_append_new(r->list, json_pack("{s:s, s:I, s:s, s:s}", "id",
		json_string_value(json_object_get(env, "id")), "seq", s, "reason", "kind_unknown",
		"message", text));
}

/* Applies one envelope inside the open transaction: its kind's apply, or,
 * for a kind this version does not know (k NULL), keeps it (kept.c); then
 * the inbox row. 0, 1 when it cannot be kept (the peer's bound), -1. */
static int apply_one(struct ctx *c, const struct sync_peer *p, json_t *env,
		     const struct sync_kind *k, const char *bytes, size_t len, int64_t s,
		     int64_t now, struct err *e)
{
	char digest[SHA256_HEX_LEN];
	sha256_hex(bytes, len, digest);
	if (k == NULL) {
		int rc = sync_kept_put(c, p, env, bytes, len, e);
		if (rc != 0)
			return rc;
	} else if (k->apply(c, p, json_object_get(env, "payload"), e) != 0) {
		return -1;
	}
	return store_run(c->db, e, "INSERT INTO sync_inbox (id, peer_id, seq, kind, digest, "
			 "applied_at) VALUES ($1, $2, $3, $4, $5, $6)", "ttitti",
			 json_string_value(json_object_get(env, "id")), p->id, s,
			 json_string_value(json_object_get(env, "kind")), digest, now) < 0 ? -1 : 0;
}

/* Applies ok[0..m) (in seq order) while they follow the cursor *cur
 * without a gap, all in one transaction with the inbox rows and the new
 * cursor. Returns how many were applied (the first ones of ok), *cur
 * moved past them; 0 and nothing changed when the run is empty, does not
 * start at the cursor, or anything in it failed (the caller then takes
 * them one at a time and records why). */
static size_t apply_run(struct refusal_ctx *r, const struct sync_peer *p, json_t **ok,
			size_t m, int64_t *cur)
{
	struct ctx *c = r->c;
	size_t n = 0;
	while (n < m && (int64_t)json_integer_value(json_object_get(ok[n], "seq")) == *cur + 1 +
	       (int64_t)n)
		n++;
	if (n < 2)
		return 0;   /* one envelope: the one-at-a-time path is the same work */
	struct err ae = { 0 };
	if (store_begin(c->db, &ae) != 0)
		return 0;
	if (in_seq_of(c, p->id, &ae) != *cur) {
		store_rollback(c->db);
		return 0;
	}
	int64_t now = time_now_ms(), s = *cur;
	for (size_t i = 0; i < n; i++) {
		json_t *env = ok[i];
		s = (int64_t)json_integer_value(json_object_get(env, "seq"));
		const struct sync_kind *k =
			sync_kind_find(json_string_value(json_object_get(env, "kind")));
		size_t len;
		char *bytes = sync_canonical(env, &len);
		if (bytes == NULL) {
			store_rollback(c->db);
			return 0;
		}
		int rc = apply_one(c, p, env, k, bytes, len, s, now, &ae);
		free(bytes);
		if (rc != 0) {
			store_rollback(c->db);
			return 0;
		}
	}
	if (store_run(c->db, &ae, "UPDATE sync_peers SET in_seq = $2, last_contact_at = $3 "
		      "WHERE id = $1", "tii", p->id, s, now) < 0 || store_commit(c->db, &ae) != 0) {
		store_rollback(c->db);
		return 0;
	}
	*cur = s;
	for (size_t i = 0; i < n; i++)
		if (sync_kind_find(json_string_value(json_object_get(ok[i], "kind"))) == NULL)
			note_kept(r, ok[i]);
	return n;
}

int sync_inbox_apply(struct ctx *c, const char *peer_id, json_t *envelopes, int64_t *acked,
		     json_t **refused, struct err *e)
{
	*acked = 0;
	*refused = NULL;
	struct sync_peer p;
	char own[SYNC_ID_LEN];
	if (!json_is_array(envelopes))
		return err_set(e, E_MALFORMED, MSG_SYNC_BAD_ENVELOPE, "/");
	if (json_array_size(envelopes) > SYNC_BUNDLE_MAX) {
		char n[24];
		snprintf(n, sizeof(n), "%d", SYNC_BUNDLE_MAX);
		return err_set(e, E_TOOLARGE, MSG_SYNC_TOO_MANY, n);
	}
	if (sync_instance_id(c, own, e) != 0)
		return -1;
	if (sync_peer_get(c, peer_id, &p, e) != 0) {
		struct refusal_ctx r = { c, NULL, json_array(), { 0 }, { 0 } };
		refuse(&r, NULL, "unknown_peer", MSG_SYNC_R_UNKNOWN_PEER, peer_id);
		json_decref(r.list);
		return -1;
	}
	int64_t cur = in_seq_of(c, p.id, e);
	if (cur < 0)
		return -1;
	struct refusal_ctx r = { c, &p, json_array(), { 0 }, { 0 } };
	/* the well-formed ones in seq order; the others refused as they are */
	size_t n = json_array_size(envelopes), m = 0;
	json_t **ok = calloc(n ? n : 1, sizeof(*ok));
	if (ok == NULL) {
		json_decref(r.list);
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	}
	int64_t seen = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *env = json_array_get(envelopes, i);
		struct err ee = { 0 };
		if (sync_envelope_check(env, &ee) != 0) {
			refuse(&r, json_is_object(env) ? env : NULL, "malformed", MSG_SYNC_BAD_ENVELOPE,
			       ee.arg);
			continue;
		}
		const char *origin = json_string_value(json_object_get(env, "origin"));
		if (strcmp(origin, p.instance) != 0) {
			struct sync_peer other;
			struct err oe = { 0 };
			if (sync_peer_by_instance(c, origin, &other, &oe) == 0)
				refuse(&r, env, "wrong_origin", MSG_SYNC_R_WRONG_ORIGIN, other.name);
			else
				refuse(&r, env, "unknown_peer", MSG_SYNC_R_UNKNOWN_PEER, origin);
			continue;
		}
		if (!sync_envelope_verify(env, p.public_key)) {
			refuse(&r, env, "bad_signature", MSG_SYNC_R_BAD_SIGNATURE, p.name);
			continue;
		}
		const char *dest = json_string_value(json_object_get(env, "dest"));
		if (strcmp(dest, own) != 0) {
			refuse(&r, env, "wrong_dest", MSG_SYNC_R_WRONG_DEST, dest);
			continue;
		}
		const char *kind = json_string_value(json_object_get(env, "kind"));
		const struct sync_kind *k = sync_kind_find(kind);
		/* a kind this version does not know goes on: kept when its turn
		 * comes (versions differ; a rule of the relation cannot be
		 * checked for it until the upgrade, which checks it) */
		if (k != NULL && !(k->from & p.relation)) {
			refuse(&r, env, "kind_not_allowed", MSG_SYNC_R_KIND_NOT_ALLOWED, kind);
			continue;
		}
		int64_t s = (int64_t)json_integer_value(json_object_get(env, "seq"));
		if (s > seen)
			seen = s;
		ok[m++] = env;
	}
	if (m > 1) /* qsort(NULL, 0) is undefined */
		qsort(ok, m, sizeof(*ok), seq_cmp);
	int rc = 0;
	if (seen > 0) {
		struct err se = { 0 };
		if (store_begin(c->db, &se) == 0) {
			if (store_run(c->db, &se, "UPDATE sync_peers SET in_seen = $2 WHERE id = $1 "
				      "AND in_seen < $2", "ti", p.id, seen) >= 0)
				store_commit(c->db, &se);
			else
				store_rollback(c->db);
		}
	}
	/* The run of envelopes that follow the cursor without a gap is applied
	 * in ONE transaction (a commit syncs the disk: one an envelope held the
	 * inbox to a few hundred a second). Each is still applied once or not
	 * at all, with the cursor: if any apply fails, the whole run is rolled
	 * back and taken again one at a time below, which stops at that one. */
	size_t applied = apply_run(&r, &p, ok, m, &cur);
	for (size_t i = applied; i < m; i++) {
		json_t *env = ok[i];
		int64_t s = (int64_t)json_integer_value(json_object_get(env, "seq"));
		char num[24];
		snprintf(num, sizeof(num), "%lld", (long long)s);
		if (s <= cur) {
			refuse(&r, env, "replay", MSG_SYNC_R_REPLAY, num);
			continue;
		}
		if (s > cur + 1) {
			refuse(&r, env, "gap", MSG_SYNC_R_GAP, num);
			continue;
		}
		const struct sync_kind *k =
			sync_kind_find(json_string_value(json_object_get(env, "kind")));
		struct err ae = { 0 };
		size_t len;
		char *bytes = sync_canonical(env, &len);
		if (bytes == NULL) {
			refuse(&r, env, "malformed", MSG_SYNC_BAD_ENVELOPE, "payload");
			continue;
		}
		if (store_begin(c->db, &ae) != 0) {
			free(bytes);
			rc = -1;
			*e = ae;
			break;
		}
		/* the cursor again inside the transaction: another applier may
		 * have gone first */
		int64_t now_cur = in_seq_of(c, p.id, &ae);
		if (now_cur != cur) {
			store_rollback(c->db);
			free(bytes);
			if (now_cur < 0) {
				rc = -1;
				*e = ae;
				break;
			}
			cur = now_cur;
			i--; /* look at it again against the new cursor */
			continue;
		}
		int one = apply_one(c, &p, env, k, bytes, len, s, time_now_ms(), &ae);
		free(bytes);
		if (one == 1) {
			/* the peer's kept envelopes are at their bound: this one
			 * waits at its sender, and those behind it */
			store_rollback(c->db);
			char arg[64];
			snprintf(arg, sizeof(arg), "%d, %lld MiB", LIMIT_SYNC_KEPT,
				 (long long)(LIMIT_SYNC_KEPT_BYTES >> 20));
			refuse(&r, env, "kept_full", MSG_SYNC_R_KEPT_FULL, arg);
			break;
		}
		if (one != 0 ||
		    store_run(c->db, &ae, "UPDATE sync_peers SET in_seq = $2, last_contact_at = $3 "
			      "WHERE id = $1", "tii", p.id, s, time_now_ms()) < 0 ||
		    store_commit(c->db, &ae) != 0) {
			store_rollback(c->db);
			char text[200];
			err_text(&ae, LANG_EN, text, sizeof(text));
			refuse(&r, env, "apply_failed", MSG_SYNC_R_APPLY_FAILED, text);
			break; /* the later ones would wait on this one */
		}
		cur = s;
		if (k == NULL)
			note_kept(&r, env);
	}
	free(ok);
	flush(&r, &r.replay, "replay", MSG_SYNC_R_REPLAY);
	flush(&r, &r.gap, "gap", MSG_SYNC_R_GAP);
	if (rc == 0) {
		struct err te = { 0 };
		if (store_begin(c->db, &te) == 0) {
			if (sync_touch(c, p.id, &te) == 0)
				store_commit(c->db, &te);
			else
				store_rollback(c->db);
		}
	}
	*acked = cur;
	*refused = r.list;
	return rc;
}
