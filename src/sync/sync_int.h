/* sync_int.h - what the core's files share (not for kinds or transport). */
#ifndef UNGCUU_SYNC_INT_H
#define UNGCUU_SYNC_INT_H

#include "sync.h"

/* This instance's secret key (hex); the caller wipes it. */
int sync_secret_key(struct ctx *c, char sk[129], struct err *e);
/* 1 when obj's "sig" is pk_hex's signature of the rest of obj. */
int sync_signed_by(const json_t *obj, const char *pk_hex);
/* The peer whose instance id is instance: 0, 1 none, -1. */
int sync_peer_by_instance(struct ctx *c, const char *instance, struct sync_peer *p,
			  struct err *e);
/* Records a refusal in its own transaction (log, counter, last error):
 * reason a code ("bad_signature"...), detail the message in English. */
void sync_refuse(struct ctx *c, const char *peer_id, const char *origin, const char *env_id,
		 int64_t seq, int64_t n, const char *reason, const char *detail);
/* Marks contact with a peer now (inside or outside a transaction). */
int sync_touch(struct ctx *c, const char *peer_id, struct err *e);

#endif
