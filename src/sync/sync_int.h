/* sync_int.h - what the core's files share (not for kinds or transport). */
#ifndef UNGCUU_SYNC_INT_H
#define UNGCUU_SYNC_INT_H

#include "sync.h"

/* 1 when obj's "sig" is pk_hex's signature of the rest of obj. */
int sync_signed_by(const json_t *obj, const char *pk_hex);
/* Records a refusal in its own transaction (log, counter, last error):
 * reason a code ("bad_signature"...), detail the message in English. */
void sync_refuse(struct ctx *c, const char *peer_id, const char *origin, const char *env_id,
		 int64_t seq, int64_t n, const char *reason, const char *detail);

/* Keeps an envelope of a kind this version does not know (kept.c), in the
 * inbox's open transaction with its seq and the cursor: the whole envelope
 * (canon, its canonical bytes, len of them) and a `kind_unknown` row of
 * the refusal log. 0 kept, 1 the peer's bound is reached (LIMIT_SYNC_KEPT,
 * LIMIT_SYNC_KEPT_BYTES: nothing written, the envelope must wait), -1. */
int sync_kept_put(struct ctx *c, const struct sync_peer *p, const json_t *env,
		  const char *canon, size_t len, struct err *e);

/* sync_secret_key, sync_peer_by_instance, sync_touch: in sync.h (the
 * transport uses them too). */

#endif
