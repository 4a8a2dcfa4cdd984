/* crypto.c - OpenSSL libcrypto for hashing, libsodium for the rest. */
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "crypto.h"
#include "banned.h"

/* Argon2id cost: OWASP's minimum (m=19 MiB, t=2): about 30 ms here and
 * bounded memory on a small district server. */
#define PW_OPSLIMIT 2
#define PW_MEMLIMIT (19 * 1024 * 1024)

int crypto_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

static void hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

char *sha256_hex(const void *data, size_t n, char out[SHA256_HEX_LEN])
{
	unsigned char md[32];
	unsigned int len = 0;
	EVP_Digest(data, n, md, &len, EVP_sha256(), NULL);
	hex(md, 32, out);
	return out;
}

struct sha256_ctx *sha256_begin(void)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(c);
		return NULL;
	}
	return (struct sha256_ctx *)c;
}

void sha256_update(struct sha256_ctx *c, const void *data, size_t n)
{
	EVP_DigestUpdate((EVP_MD_CTX *)c, data, n);
}

char *sha256_end(struct sha256_ctx *c, char out[SHA256_HEX_LEN])
{
	unsigned char md[32];
	unsigned int len = 0;
	EVP_DigestFinal_ex((EVP_MD_CTX *)c, md, &len);
	EVP_MD_CTX_free((EVP_MD_CTX *)c);
	hex(md, 32, out);
	return out;
}

void token_new(char tok[TOKEN_LEN], char hash[SHA256_HEX_LEN])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	memcpy(tok, "ucu_", 4);
	sodium_bin2base64(tok + 4, TOKEN_LEN - 4, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	sha256_hex(tok, strlen(tok), hash);
}

void random_hex(char *out, size_t bytes)
{
	unsigned char raw[64];
	if (bytes > sizeof(raw))
		bytes = sizeof(raw);
	randombytes_buf(raw, bytes);
	hex(raw, bytes, out);
}

int password_hash(const char *pw, char out[PWHASH_LEN])
{
	return crypto_pwhash_str_alg(out, pw, strlen(pw), PW_OPSLIMIT,
				     PW_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13);
}

int password_verify(const char *hash, const char *pw)
{
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

int secret_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

int ed25519_keypair_hex(char pk[65], char sk[129])
{
	unsigned char p[crypto_sign_PUBLICKEYBYTES], s[crypto_sign_SECRETKEYBYTES];
	if (crypto_sign_keypair(p, s) != 0)
		return -1;
	hex(p, sizeof(p), pk);
	hex(s, sizeof(s), sk);
	sodium_memzero(s, sizeof(s));
	return 0;
}

static int unhex(const char *h, unsigned char *out, size_t n)
{
	size_t len = 0;
	if (h == NULL || strlen(h) != 2 * n)
		return -1;
	if (sodium_hex2bin(out, n, h, 2 * n, NULL, &len, NULL) != 0 || len != n)
		return -1;
	return 0;
}

int ed25519_sign_hex(const char *sk_hex, const void *msg, size_t n, char sig[129])
{
	unsigned char sk[crypto_sign_SECRETKEYBYTES], s[crypto_sign_BYTES];
	if (unhex(sk_hex, sk, sizeof(sk)) != 0)
		return -1;
	int rc = crypto_sign_detached(s, NULL, msg, n, sk);
	sodium_memzero(sk, sizeof(sk));
	if (rc != 0)
		return -1;
	hex(s, sizeof(s), sig);
	return 0;
}

int ed25519_verify_hex(const char *pk_hex, const char *sig_hex, const void *msg, size_t n)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], s[crypto_sign_BYTES];
	if (unhex(pk_hex, pk, sizeof(pk)) != 0 || unhex(sig_hex, s, sizeof(s)) != 0)
		return 0;
	return crypto_sign_verify_detached(s, msg, n, pk) == 0;
}
