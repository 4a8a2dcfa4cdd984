/*
 * sync.c - the routes another instance calls (issue 16 item 4): push a
 * batch of envelopes, pull ours for it after a seq, acknowledge. No user
 * is involved: the caller is a registered peer, named by X-Sync-Instance
 * before any byte of the body is read (api_sync_authenticate), and every
 * request is signed with that peer's key over method, path, time, both
 * instance ids and the body's SHA-256 (sync_request_message), checked
 * before the body is parsed. docs/SYNC.md, "Transport".
 */
#include <string.h>

#include "api.h"
#include "../base/crypto.h"
#include "../base/jsonv.h"
#include "../base/limits.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../domain/directory/policy.h"
#include "../sync/sync.h"
#include "../base/banned.h"

static int hex64(const char *s)
{
	if (s == NULL || strlen(s) != 64)
		return 0;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int api_sync_authenticate(struct req *r)
{
	const char *inst = req_header(r, "X-Sync-Instance");
	if (!hex64(inst))
		return err_set(&r->err, E_UNAUTH, MSG_SYNC_NOT_A_PEER, "X-Sync-Instance");
	struct ctx c = { 0 };
	struct sync_peer p;
	c.db = server_db(r->srv, &r->err);
	if (c.db == NULL)
		return -1;
	int rc = sync_peer_by_instance(&c, inst, &p, &r->err);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return err_set(&r->err, E_UNAUTH, MSG_SYNC_NOT_A_PEER, inst);
	memcpy(r->peer_id, p.id, sizeof(r->peer_id));
	memset(&r->actor, 0, sizeof(r->actor));
	snprintf(r->actor.username, sizeof(r->actor.username), "peer:%.58s", p.name);
	snprintf(r->actor.org_path, sizeof(r->actor.org_path), "/");
	r->actor.roles = ROLE_REPORTER;
	return 0;
}

/* The signature (before the body is parsed), the clock window and the
 * policy; *p the calling peer. */
static int signed_by_peer(struct req *r, struct sync_peer *p)
{
	if (sync_peer_get(&r->ctx, r->peer_id, p, &r->err) != 0)
		return -1;
	long long at = req_decimal_value(req_header(r, "X-Sync-Time"));
	if (at < 0)
		return err_field(&r->err, "/X-Sync-Time", MSG_BAD_VALUE, "ms since 1970");
	long long now = (long long)time_now_ms();
	if (at > now + LIMIT_SYNC_SKEW || at < now - LIMIT_SYNC_SKEW)
		return err_set(&r->err, E_UNAUTH, MSG_SYNC_CLOCK, "X-Sync-Time");
	char self[SYNC_ID_LEN], msg[512];
	if (sync_instance_id(&r->ctx, self, &r->err) != 0)
		return -1;
	const char *sig = req_header(r, "X-Sync-Signature");
	if (sync_request_message(msg, sizeof(msg), r->method, r->path, at, p->instance, self,
				 r->body.p, r->body.len) != 0 ||
	    sig == NULL || strlen(sig) != 128 ||
	    !ed25519_verify_hex(p->public_key, sig, msg, strlen(msg)))
		return err_set(&r->err, E_UNAUTH, MSG_SYNC_BAD_SIGNATURE, "X-Sync-Signature");
	return policy_check(&r->actor, ACT_SYNC_EXCHANGE, NULL, &r->err);
}

/* A whole number field of the body in lo..hi, or -1 with r->err. */
static long long body_int(struct req *r, json_t *b, const char *key, long long lo, long long hi)
{
	char ptr[32], range[64];
	snprintf(ptr, sizeof(ptr), "/%s", key);
	snprintf(range, sizeof(range), "%lld..%lld", lo, hi);
	json_t *v = json_object_get(b, key);
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return err_field(&r->err, ptr, MSG_BAD_VALUE, range), -1;
	return json_integer_value(v);
}

/* Only the named members, no others. */
static int only(struct req *r, json_t *b, const char *const *keys)
{
	if (!json_is_object(b))
		return err_set(&r->err, E_INVALID, MSG_BAD_VALUE, "object");
	const char *k;
	json_t *v;
	json_object_foreach(b, k, v) {
		int known = 0;
		for (size_t i = 0; keys[i]; i++)
			known |= strcmp(keys[i], k) == 0;
		if (!known) {
			char ptr[64];
			snprintf(ptr, sizeof(ptr), "/%.60s", k);
			return err_field(&r->err, ptr, MSG_UNKNOWN_FIELD, NULL);
		}
	}
	return 0;
}

int api_sync_push(struct req *r)
{
	struct sync_peer p;
	if (signed_by_peer(r, &p) != 0)
		return -1;
	json_t *b = req_json(r);
	static const char *const keys[] = { "envelopes", NULL };
	if (b == NULL || only(r, b, keys) != 0)
		return -1;
	json_t *envs = json_object_get(b, "envelopes");
	if (!json_is_array(envs))
		return err_field(&r->err, "/envelopes", MSG_BAD_VALUE, "array");
	if (json_array_size(envs) > LIMIT_SYNC_BATCH)
		return err_field(&r->err, "/envelopes", MSG_TOO_MANY, "500");
	int64_t acked = 0;
	json_t *refused = NULL;
	if (sync_inbox_apply(&r->ctx, p.id, envs, &acked, &refused, &r->err) != 0)
		return -1;
	json_t *out = json_pack("{s:I,s:o}", "acked", (json_int_t)acked, "refused",
				refused ? refused : json_array());
	return req_reply(r, 200, out);
}

int api_sync_pull(struct req *r)
{
	struct sync_peer p;
	if (signed_by_peer(r, &p) != 0)
		return -1;
	json_t *b = req_json(r);
	static const char *const keys[] = { "after", "limit", NULL };
	if (b == NULL || only(r, b, keys) != 0)
		return -1;
	long long after = body_int(r, b, "after", 0, LIMIT_AGENT_SEQ);
	long long limit = json_object_get(b, "limit") ? body_int(r, b, "limit", 1, LIMIT_SYNC_BATCH)
						      : LIMIT_SYNC_BATCH_DEFAULT;
	if (after < 0 || limit < 0)
		return -1;
	/* one more than asked tells whether more wait */
	json_t *envs = sync_outbox_read(&r->ctx, p.id, after, (size_t)limit + 1, &r->err);
	if (envs == NULL)
		return -1;
	int more = json_array_size(envs) > (size_t)limit;
	if (more)
		json_array_remove(envs, (size_t)limit);
	/* and no more bytes than the caller reads: the rest next time */
	size_t bytes = 64, keep = 0;
	for (; keep < json_array_size(envs); keep++) {
		char *t = json_dumps(json_array_get(envs, keep), JSON_COMPACT);
		bytes += t ? strlen(t) + 1 : 0;
		free(t);
		if (bytes > LIMIT_SYNC_BODY && keep > 0)
			break;
	}
	while (json_array_size(envs) > keep) {
		json_array_remove(envs, json_array_size(envs) - 1);
		more = 1;
	}
	return req_reply(r, 200, json_pack("{s:o,s:b}", "envelopes", envs, "more", more));
}

int api_sync_ack(struct req *r)
{
	struct sync_peer p;
	if (signed_by_peer(r, &p) != 0)
		return -1;
	json_t *b = req_json(r);
	static const char *const keys[] = { "seq", NULL };
	if (b == NULL || only(r, b, keys) != 0)
		return -1;
	long long seq = body_int(r, b, "seq", 0, LIMIT_AGENT_SEQ);
	if (seq < 0)
		return -1;
	if (seq > 0 && sync_outbox_ack(&r->ctx, p.id, seq, &r->err) != 0)
		return -1;
	return req_reply(r, 200, json_pack("{s:I}", "acked", (json_int_t)seq));
}
