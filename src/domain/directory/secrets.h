/*
 * secrets.h - secrets kept at rest sealed to the instance.
 *
 * Values the server must read back in clear (a second factor's TOTP seed,
 * a webhook's HMAC key) are stored as "s1:" hex(nonce || secretbox(value))
 * under a key derived from the instance key file beside the database (the
 * audit log's, 0600; never the same bytes as the signing or MAC keys). A
 * copy of the database or a backup alone does not give them. A value
 * without the prefix was written by an earlier version: it is read as it
 * is, and secrets_seal_legacy() seals it.
 */
#ifndef UNGCUU_SECRETS_H
#define UNGCUU_SECRETS_H

#include <stddef.h>

#include "../../base/err.h"
#include "../../store/store.h"

#define SECRET_PLAIN_MAX 128 /* bytes of a value, with its NUL */
#define SECRET_SEALED_MAX (3 + 2 * (24 + 16 + SECRET_PLAIN_MAX) + 1)

/* plain (shorter than SECRET_PLAIN_MAX) sealed into out (n bytes, at least
 * SECRET_SEALED_MAX); 0 or -1 (e). */
int secret_seal(struct store *db, const char *plain, char *out, size_t n, struct err *e);
/* A stored value into out (n bytes, at least SECRET_PLAIN_MAX): sealed ones
 * opened, legacy plain ones copied; -1 (e) when it does not open (another
 * instance's key, or altered). */
int secret_open(struct store *db, const char *stored, char *out, size_t n, struct err *e);
/* Seals every legacy plain secret (second factors, webhook keys), inside
 * the caller's transaction: how many, or -1 (e). Run once at start-up. */
int secrets_seal_legacy(struct store *db, struct err *e);

#endif
