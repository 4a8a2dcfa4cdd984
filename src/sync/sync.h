/*
 * sync.h - federation between instances (issue 16): the district, the
 * province and the national coordinator each run ungcuu and exchange
 * signed envelopes, store-and-forward, over HTTPS or a sealed file.
 *
 * This header is the contract between the parts built side by side:
 *   sync/peer.c, envelope.c, outbox.c, inbox.c, bundle.c   (the core)
 *   sync/kinds_*.c                                         (what travels)
 *   sync/transport.c, loop.c, api/sync.c                   (HTTPS, the loop)
 * The core never knows what a payload means; a kind never knows how an
 * envelope is carried.
 *
 * Terms.
 *   instance  one ungcuu database; its id is its Ed25519 public key's
 *             fingerprint (sync_instance_id), its key the one `init` made
 *             (DB.key beside the database, which also keys the audit log).
 *   peer      another instance registered here (table sync_peers): a name,
 *             its public key, its URL (NULL when only bundles reach it),
 *             its relation to us (SYNC_PARENT: it is above us; SYNC_CHILD:
 *             below), and the organisations it hosts (by org code: the
 *             province instance hosts the province's organisations).
 *   envelope  { id (UUIDv7), origin (instance id), dest (instance id), seq
 *             (per origin->dest, from 1, no gaps), kind, created (RFC 3339
 *             UTC ms), payload (JSON object), sig (Ed25519 over the
 *             canonical bytes of everything else, hex) }.
 *
 * Rules the core enforces (and tests):
 *   - an envelope is written to the outbox in the SAME transaction as the
 *     change that causes it (sync_emit is called inside the caller's
 *     store_begin .. store_commit);
 *   - the inbox accepts only envelopes from registered peers, signed by
 *     that peer's key, addressed to us, of a kind the relation allows
 *     (struct sync_kind.from), with seq = last applied + 1 (an old seq is a
 *     replay: acknowledged again, applied never; a gap waits); it applies
 *     them in a transaction with the cursor update (a batch's run that
 *     follows the cursor in one; any failure: one at a time), so a crash at
 *     any moment applies an envelope once or not at all;
 *   - acknowledgement is by seq (a cursor), never by time;
 *   - an envelope is never routed back to the peer it came from.
 */
#ifndef UNGCUU_SYNC_H
#define UNGCUU_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "../domain/domain.h"

enum sync_relation {
	SYNC_PARENT = 1,   /* the peer is above us: we send it "up" kinds */
	SYNC_CHILD = 2,    /* the peer is below us: we send it "down" kinds */
};

#define SYNC_ID_LEN 65          /* an instance id: 64 hex + NUL */
#define SYNC_KIND_LEN 48

struct sync_peer {
	char id[UUID_LEN];          /* row id here */
	char name[65];
	char instance[SYNC_ID_LEN]; /* its instance id (key fingerprint, hex) */
	char public_key[65];        /* hex Ed25519 */
	char url[512];              /* "" when bundles only */
	int relation;               /* enum sync_relation */
};

/* ---- the core: peers, keys ---- */

/* This instance's id (the SHA-256 of its public key, hex) into out. */
int sync_instance_id(struct ctx *c, char out[SYNC_ID_LEN], struct err *e);
/* The peer hosting organisation org_id (the organisation or its nearest
 * ancestor named by a peer): 0 and *p filled, 1 when no peer hosts it (the
 * organisation lives here), -1 with e. */
int sync_peer_for_org(struct ctx *c, const char *org_id, struct sync_peer *p, struct err *e);
int sync_peer_get(struct ctx *c, const char *peer_id, struct sync_peer *p, struct err *e);
/* Every peer of a relation (SYNC_PARENT or SYNC_CHILD), as an array the
 * caller frees; *n their number. */
int sync_peers(struct ctx *c, int relation, struct sync_peer **out, size_t *n, struct err *e);

/* ---- the core: the outbox ---- */

/* Queues one envelope of kind with payload (borrowed) for the peer, in the
 * caller's open transaction: the next seq for (us, peer) is taken in it.
 * `via` is the peer the change came from (NULL for a local change): an
 * envelope is never queued back to it (sync_emit returns 0, nothing
 * queued). */
int sync_emit(struct ctx *c, const struct sync_peer *to, const char *kind, json_t *payload,
	      const char *via, struct err *e);
/* sync_emit to the peer hosting org_id, if any (0 when it lives here). */
int sync_emit_org(struct ctx *c, const char *org_id, const char *kind, json_t *payload,
		  const char *via, struct err *e);
/* sync_emit to every peer of a relation. */
int sync_emit_all(struct ctx *c, int relation, const char *kind, json_t *payload,
		  const char *via, struct err *e);

/* The envelopes for a peer after seq `after` (at most max), signed, in seq
 * order, as a JSON array (new reference). */
json_t *sync_outbox_read(struct ctx *c, const char *peer_id, int64_t after, size_t max,
			 struct err *e);
/* The peer has applied everything up to seq: those envelopes are done
 * (kept, audited; they are not sent again). Its own transaction; an older
 * seq changes nothing, one beyond what was queued is refused. */
int sync_outbox_ack(struct ctx *c, const char *peer_id, int64_t seq, struct err *e);

/* ---- the core: the inbox ---- */

/* Applies envelopes (an array, as sync_outbox_read makes them) received
 * from the peer, in seq order, each checked (signature, origin, dest,
 * kind allowed, seq) and applied with its kind's apply() in its own
 * transaction. *acked: the highest seq applied from that peer so far (what
 * to acknowledge). *refused: new array of {id, seq, reason} for those
 * refused (also logged and counted for sync status). 0, or -1 with e when
 * the batch itself is unreadable. Called outside any transaction (it opens
 * one per envelope, and one per refusal to log it). */
int sync_inbox_apply(struct ctx *c, const char *peer_id, json_t *envelopes, int64_t *acked,
		     json_t **refused, struct err *e);

/* ---- kinds: what travels ---- */

/* An apply function runs inside the inbox's transaction for one envelope;
 * `from` is the peer it came from (pass from->id as `via` to any
 * sync_emit it makes, so nothing is routed back). It changes only records
 * of its own (mirrors of the origin's records, answers) and never fails on
 * a record it has already applied (idempotent by the origin's record id). */
typedef int (*sync_apply_fn)(struct ctx *c, const struct sync_peer *from, json_t *payload,
			     struct err *e);

struct sync_kind {
	const char *name;       /* "support.request", "warning", "indicator.revoke", ... */
	int from;               /* which peers may send it: SYNC_CHILD (it travels up),
				 * SYNC_PARENT (down), or both */
	sync_apply_fn apply;
};

/* Registers the kinds (a static table that outlives the process); the
 * core refuses an envelope of an unregistered kind. Called once at start
 * by main() before any server thread (like incident_on_classify). */
void sync_register_kinds(const struct sync_kind *kinds, size_t n);
const struct sync_kind *sync_kind_find(const char *name);

/* Maps a record of the origin instance to the local record mirroring it:
 * (peer, type, remote id) -> local id. put in the caller's transaction;
 * get: 0 found, 1 not found, -1 error. */
int sync_map_put(struct ctx *c, const char *peer_id, const char *type, const char *remote_id,
		 const char *local_id, struct err *e);
int sync_map_get(struct ctx *c, const char *peer_id, const char *type, const char *remote_id,
		 char local_id[UUID_LEN], struct err *e);
/* The reverse: which peer and remote id a local mirror stands for (0, 1 not
 * a mirror, -1). peer_id and remote_id may be NULL. */
int sync_map_origin(struct ctx *c, const char *type, const char *local_id,
		    char peer_id[UUID_LEN], char remote_id[UUID_LEN], struct err *e);

/* ==== added by the core (h/sync-core): what the commands, the API and
 * the tests use beyond the contract above ==== */

#define SYNC_BATCH_MAX 1000      /* envelopes in one batch (inbox, outbox read) */
#define SYNC_BUNDLE_MAX 10000    /* envelopes in one bundle file */
/* A bundle file's bytes at most (import refuses more); export stops
 * adding envelopes before its document passes SYNC_BUNDLE_DOC_MAX (the
 * seal and base64 add a third), the rest goes in the next bundle. */
#define SYNC_BUNDLE_BYTES LIMIT_IMPORT
#define SYNC_BUNDLE_DOC_MAX (LIMIT_IMPORT / 4 * 2)
#define SYNC_FINGERPRINT_LEN 40  /* "abcd ef01 ..." 8 groups of 4 hex + NUL */
#define SYNC_SEQ_MAX ((1LL << 53) - 1)

/* The canonical bytes of a JSON value (docs/SYNC.md): objects with their
 * keys sorted by bytes, no whitespace, strings as UTF-8 with only '"', '\\'
 * and U+0001..U+001F escaped, integers only (|n| <= 2^53-1). Malloc'd,
 * NUL-terminated, length in *n; NULL when v holds a real number, an
 * integer beyond that, or a string that is not UTF-8 or holds U+0000. */
char *sync_canonical(const json_t *v, size_t *n);
/* The instance id of a hex public key (SHA-256 of its 32 bytes, hex); -1
 * when pk_hex is not 64 hex digits. */
int sync_instance_of_key(const char *pk_hex, char out[SYNC_ID_LEN]);
/* The form two people read to each other on the phone to check a key:
 * the first 128 bits of the instance id as 8 groups of 4 hex digits. */
void sync_fingerprint(const char *instance_id, char out[SYNC_FINGERPRINT_LEN]);
/* This instance's public key (hex) from the key the connection holds. */
int sync_public_key(struct ctx *c, char pk[65], struct err *e);
/* Checks an envelope's shape (fields, types, bounds): 0 or -1 with e
 * (MSG_SYNC_BAD_ENVELOPE naming the field). */
int sync_envelope_check(const json_t *env, struct err *e);
/* 1 when env's sig is pk_hex's signature of its canonical bytes. */
int sync_envelope_verify(const json_t *env, const char *pk_hex);
/* Signs a JSON object in place (adds "sig") with this instance's key. */
int sync_sign(struct ctx *c, json_t *obj, struct err *e);

/* Peers. body: {name, public_key, relation: "parent"|"child", url?,
 * orgs?: [org code]}; the actor must be an administrator (or the system).
 * sync_peer_find takes a name or a row id. */
int sync_peer_add(struct ctx *c, json_t *body, char id[UUID_LEN], struct err *e);
int sync_peer_remove(struct ctx *c, const char *name_or_id, struct err *e);
int sync_peer_find(struct ctx *c, const char *name_or_id, struct sync_peer *p, struct err *e);
/* {"items": [{id, name, instance, fingerprint, public_key, url, relation,
 * orgs, created_at}]} */
json_t *sync_peer_list(struct ctx *c, struct err *e);
/* {instance, public_key, fingerprint} of this instance. */
json_t *sync_self(struct ctx *c, struct err *e);
/* {"instance": ..., "peers": [{name, relation, last_contact_at,
 * out_waiting, out_oldest_at, in_applied, in_waiting, refused,
 * refused_by_reason, last_error, last_error_at, pings}], "unknown_refused"} */
json_t *sync_status(struct ctx *c, struct err *e);
/* Refusals (newest first, at most limit) of a peer, or of all when NULL. */
json_t *sync_refusals(struct ctx *c, const char *peer_id, int limit, struct err *e);

/* Bundles (docs/SYNC.md): every unacknowledged envelope for the peer and
 * our acknowledgement of what it sent, signed and sealed to its key.
 * *out malloc'd (n bytes), *count the envelopes in it. */
int sync_bundle_export(struct ctx *c, const char *peer_id, char **out, size_t *n,
		       size_t *count, struct err *e);
/* An acknowledgement-only bundle for the peer. */
int sync_bundle_ack(struct ctx *c, const char *peer_id, char **out, size_t *n, struct err *e);
/* Opens, checks and applies a bundle: envelopes through sync_inbox_apply,
 * its acknowledgement through sync_outbox_ack. *result {peer, applied,
 * acked, refused: [...], acknowledged}; *peer_id (may be NULL) the peer it
 * came from. -1 with e and nothing changed when the bundle itself is not
 * ours, truncated, tampered or from an unknown instance. */
int sync_bundle_import(struct ctx *c, const char *data, size_t n, json_t **result,
		       char peer_id[UUID_LEN], struct err *e);

/* The built-in kind of the core, "ping" (both ways; applying it only
 * counts it in sync status): sync_kind_find always knows it, besides the
 * tables registered (sync_register_kinds may be called more than once:
 * each call adds a table, up to 8). */
#define SYNC_KIND_PING "ping"

/* ---- the transport (h/sync-net): HTTPS between instances, the loop ----
 * The child initiates everything (an island server sits behind NAT): it
 * pushes its outbox to the parent and pulls the parent's outbox for it.
 * Every request is a POST with a JSON body, signed by the caller's
 * instance key (docs/SYNC.md, "Transport"):
 *   X-Sync-Instance  the caller's instance id
 *   X-Sync-Time      ms since 1970 (within LIMIT_SYNC_SKEW of the server)
 *   X-Sync-Signature Ed25519 (hex) over sync_request_message(). */

/* What a round needs besides the database connection: TLS trust, bounds
 * (and for the loop, the database to open). */
struct sync_net {
	const char *db_path;     /* the database the loop opens */
	const char *ca_file;     /* PEM bundle trusted for the peers' HTTPS, NULL: system */
	long timeout_s;          /* per request (connect and transfer) */
	unsigned batch;          /* envelopes per request, 1..LIMIT_SYNC_BATCH */
};

/* What one round did with one peer. */
struct sync_round_result {
	int64_t pushed;          /* envelopes the peer acknowledged this round */
	int64_t pulled;          /* envelopes applied here this round */
	int64_t refused;         /* envelopes refused (either side) */
	int64_t sent_acked;      /* the peer's cursor of ours after the round */
	int64_t recv_acked;      /* our cursor of the peer's after the round */
};

/* The bytes a request's signature covers (NUL-terminated, in out):
 * "ungcuu-sync-1\nMETHOD\nPATH\nTIME\nFROM\nTO\nSHA256(body) hex".
 * 0, or -1 when it does not fit. */
int sync_request_message(char *out, size_t n, const char *method, const char *path,
			 long long time_ms, const char *from, const char *to,
			 const void *body, size_t body_len);
/* The core's, for the transport (moved here from sync_int.h): the peer
 * whose instance id is `instance` (0, 1 none, -1); this instance's secret
 * key (hex; the caller wipes it); contact with a peer marked now; the last
 * error of the exchange with a peer recorded for sync status (in its own
 * write, outside any transaction; NULL clears it). */
int sync_peer_by_instance(struct ctx *c, const char *instance, struct sync_peer *p,
			  struct err *e);
int sync_secret_key(struct ctx *c, char sk[129], struct err *e);
int sync_touch(struct ctx *c, const char *peer_id, struct err *e);
int sync_peer_error(struct ctx *c, const char *peer_id, const char *detail, struct err *e);

/* h/fed-kinds: a refusal of part of an envelope that is itself applied
 * (an attachment's bytes that do not match their SHA-256, or too large):
 * logged and counted for the peer (sync status, refusals) inside the
 * caller's transaction, so the envelopes behind it are not held up. */
int sync_refuse_locked(struct ctx *c, const char *peer_id, const char *reason,
		       const char *detail, struct err *e);

/* One round with a peer that has a URL: push our outbox for it (batch by
 * batch, each acknowledged by the cursor the peer answers), then pull its
 * outbox for us after our cursor, apply it through the inbox and
 * acknowledge. Stops at the first failure; everything acknowledged so far
 * stays acknowledged, and the next round resumes from the cursors. The one
 * function behind both `ungcuu sync run` and the loop of `ungcuu serve`.
 * 0, or -1 with e (E_IO for the network, the peer's problem in e->arg). */
int sync_round(struct ctx *c, const struct sync_net *net, const struct sync_peer *p,
	       struct sync_round_result *out, struct err *e);

/* The background loop of `ungcuu serve`: a thread with its own connection
 * runs sync_round for every peer with a URL every interval_ms; a peer whose
 * round failed is tried again after 1 s, 2 s, 4 s ... (at most interval_ms,
 * at most LIMIT_SYNC_BACKOFF_MAX). NULL with e when it cannot start. */
struct sync_loop;
struct sync_loop *sync_loop_start(const struct sync_net *net, const struct rules *rules,
				  int64_t interval_ms, struct err *e);
/* Wakes the loop, waits for its round to end, frees it. */
void sync_loop_stop(struct sync_loop *l);

/* ---- h/fed-compat: instances of different versions (kept.c) ----
 * An envelope of a kind this version does not know (a newer sender) is
 * kept as received (sync_kept) and acknowledged by the inbox, counted as
 * `kind_unknown`; these apply it after an upgrade. */
struct sync_kept_result {
	int64_t applied;   /* applied now, once each, in seq order */
	int64_t failed;    /* whose apply failed: kept with the error */
	int64_t waiting;   /* of kinds still unknown: kept for a later version */
};
/* Applies the kept envelopes of peer_id (NULL: every peer) whose kind is
 * now registered, each through its kind's apply in its own transaction
 * (marked applied in it: twice is never), in seq order per peer; a kind
 * the relation does not allow, or an apply that fails, leaves it kept with
 * its error. Called outside any transaction. 0, or -1 with e. */
int sync_kept_apply(struct ctx *c, const char *peer_id, struct sync_kept_result *out,
		    struct err *e);
/* The envelopes kept from a peer and not applied yet, oldest first, at
 * most limit: [{id, seq, kind, size, kept_at, error, error_at}]. */
json_t *sync_kept_list(struct ctx *c, const char *peer_id, int limit, struct err *e);
/* sync_status: per peer kept_waiting, kept_bytes, kept_failed, kept_applied
 * and `kept`, the first SYNC_KEPT_SHOWN of those waiting. */
#define SYNC_KEPT_SHOWN 20

#endif
