/*
 * crypto.h - thin wrappers: SHA-256 (OpenSSL, hardware speed), random tokens
 * and Argon2id passwords and Ed25519 keys (libsodium).
 */
#ifndef UNGCUU_CRYPTO_H
#define UNGCUU_CRYPTO_H

#include <stddef.h>

#define SHA256_HEX_LEN 65
/* API/session tokens: "ucu_" + 43 base64url chars of 32 random bytes. */
#define TOKEN_LEN 48
#define PWHASH_LEN 128

int crypto_init(void);
/* Hex SHA-256 of data. */
char *sha256_hex(const void *data, size_t n, char out[SHA256_HEX_LEN]);
/* Incremental SHA-256. */
struct sha256_ctx;
struct sha256_ctx *sha256_begin(void);
void sha256_update(struct sha256_ctx *c, const void *data, size_t n);
/* Finishes and frees the context. */
char *sha256_end(struct sha256_ctx *c, char out[SHA256_HEX_LEN]);
/* A new random token (256 bits) and its stored form (sha256 hex). */
void token_new(char tok[TOKEN_LEN], char hash[SHA256_HEX_LEN]);
void random_hex(char *out, size_t bytes); /* out has 2*bytes+1 chars */
/* Argon2id (interactive-class cost: 2 passes, 19 MiB) */
int password_hash(const char *pw, char out[PWHASH_LEN]);
int password_verify(const char *hash, const char *pw);
/* Constant-time string comparison for equal-length secrets. */
int secret_equal(const char *a, const char *b);
/* Ed25519: hex-encoded public (64 chars) and secret (128 chars) keys. */
int ed25519_keypair_hex(char pk[65], char sk[129]);
/* Detached signature (128 hex chars) of msg with a hex secret key. */
int ed25519_sign_hex(const char *sk_hex, const void *msg, size_t n, char sig[129]);
/* 1 when sig_hex is pk_hex's valid signature of msg, else 0. */
int ed25519_verify_hex(const char *pk_hex, const char *sig_hex, const void *msg, size_t n);

#endif
