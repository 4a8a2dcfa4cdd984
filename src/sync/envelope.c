/*
 * envelope.c - the canonical bytes of a JSON document, the instance id and
 * its spoken fingerprint, signing and verifying envelopes with the
 * instance key (docs/SYNC.md defines the bytes for other implementations).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sync.h"
#include "sync_int.h"
#include "../base/buf.h"
#include "../base/crypto.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/utf8.h"
#include "../domain/directory/audit.h"
#include "../base/banned.h"

/* ---- canonical bytes ---- */

static int canon_string(struct buf *b, const char *s, size_t n)
{
	/* valid UTF-8 without U+0000; escapes with lower-case hex */
	if (!utf8_valid(s, n) || memchr(s, '\0', n) != NULL)
		return -1;
	return buf_add_json_string(b, s, n, 0);
}

static int key_cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int canon_value(struct buf *b, const json_t *v, int depth)
{
	if (depth > LIMIT_JSON_DEPTH + 4)
		return -1;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0;
		const char **keys = malloc((n ? n : 1) * sizeof(*keys));
		if (keys == NULL)
			return -1;
		const char *k;
		json_t *m;
		json_object_foreach((json_t *)v, k, m)
			keys[i++] = k;
		if (n > 1) /* qsort(NULL, 0) is undefined */
			qsort(keys, n, sizeof(*keys), key_cmp);
		int rc = buf_add(b, "{", 1);
		for (i = 0; rc == 0 && i < n; i++) {
			if ((i && buf_add(b, ",", 1) < 0) ||
			    canon_string(b, keys[i], strlen(keys[i])) < 0 || buf_add(b, ":", 1) < 0 ||
			    canon_value(b, json_object_get(v, keys[i]), depth + 1) < 0)
				rc = -1;
		}
		free(keys);
		return rc < 0 ? -1 : buf_add(b, "}", 1);
	}
	case JSON_ARRAY: {
		if (buf_add(b, "[", 1) < 0)
			return -1;
		for (size_t i = 0; i < json_array_size(v); i++)
			if ((i && buf_add(b, ",", 1) < 0) ||
			    canon_value(b, json_array_get(v, i), depth + 1) < 0)
				return -1;
		return buf_add(b, "]", 1);
	}
	case JSON_STRING:
		return canon_string(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER: {
		json_int_t x = json_integer_value(v);
		if (x > SYNC_SEQ_MAX || x < -SYNC_SEQ_MAX)
			return -1;
		return buf_printf(b, "%lld", (long long)x);
	}
	case JSON_TRUE:
		return buf_adds(b, "true");
	case JSON_FALSE:
		return buf_adds(b, "false");
	case JSON_NULL:
		return buf_adds(b, "null");
	default:
		return -1; /* reals: no canonical form across implementations */
	}
}

char *sync_canonical(const json_t *v, size_t *n)
{
	struct buf b;
	buf_init(&b, LIMIT_IMPORT);
	if (v == NULL || canon_value(&b, v, 0) < 0) {
		buf_release(&b);
		return NULL;
	}
	if (b.p == NULL && buf_add(&b, "", 0) < 0)
		return NULL;
	return buf_detach(&b, n);
}

/* ---- keys, ids ---- */

static int hex_exact(const char *s, size_t n)
{
	return s && strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

int sync_instance_of_key(const char *pk_hex, char out[SYNC_ID_LEN])
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	if (!hex_exact(pk_hex, 64) ||
	    sodium_hex2bin(pk, sizeof(pk), pk_hex, 64, NULL, NULL, NULL) != 0)
		return -1;
	sha256_hex(pk, sizeof(pk), out);
	return 0;
}

void sync_fingerprint(const char *instance_id, char out[SYNC_FINGERPRINT_LEN])
{
	size_t o = 0;
	for (size_t i = 0; i < 32 && instance_id[i]; i++) {
		if (i && i % 4 == 0)
			out[o++] = ' ';
		out[o++] = instance_id[i];
	}
	out[o] = '\0';
}

int sync_secret_key(struct ctx *c, char sk[129], struct err *e)
{
	if (audit_instance_key(c->db, sk) != 0)
		return err_set(e, E_INTERNAL, MSG_SYNC_NO_KEY, NULL);
	return 0;
}

int sync_public_key(struct ctx *c, char pk[65], struct err *e)
{
	char sk[129];
	if (sync_secret_key(c, sk, e) < 0)
		return -1;
	memcpy(pk, sk + 64, 64);
	pk[64] = '\0';
	sodium_memzero(sk, sizeof(sk));
	return 0;
}

int sync_instance_id(struct ctx *c, char out[SYNC_ID_LEN], struct err *e)
{
	char pk[65];
	if (sync_public_key(c, pk, e) < 0)
		return -1;
	return sync_instance_of_key(pk, out) == 0 ? 0 : err_set(e, E_INTERNAL, MSG_SYNC_NO_KEY, NULL);
}

/* ---- signatures ---- */

int sync_sign(struct ctx *c, json_t *obj, struct err *e)
{
	char sk[129], sig[129];
	size_t n;
	json_object_del(obj, "sig");
	char *bytes = sync_canonical(obj, &n);
	if (bytes == NULL)
		return err_set(e, E_INVALID, MSG_SYNC_BAD_ENVELOPE, "payload");
	if (sync_secret_key(c, sk, e) < 0) {
		free(bytes);
		return -1;
	}
	int rc = ed25519_sign_hex(sk, bytes, n, sig);
	sodium_memzero(sk, sizeof(sk));
	free(bytes);
	if (rc != 0)
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	json_object_set_new(obj, "sig", json_string(sig));
	return 0;
}

int sync_signed_by(const json_t *obj, const char *pk_hex)
{
	const char *sig = json_string_value(json_object_get(obj, "sig"));
	if (!hex_exact(sig, 128) || !hex_exact(pk_hex, 64))
		return 0;
	json_t *copy = json_copy((json_t *)obj);
	if (copy == NULL)
		return 0;
	json_object_del(copy, "sig");
	size_t n;
	char *bytes = sync_canonical(copy, &n);
	json_decref(copy);
	if (bytes == NULL)
		return 0;
	int ok = ed25519_verify_hex(pk_hex, sig, bytes, n);
	free(bytes);
	return ok;
}

int sync_envelope_verify(const json_t *env, const char *pk_hex)
{
	return sync_signed_by(env, pk_hex);
}

/* ---- shape ---- */

static int kind_name_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < SYNC_KIND_LEN && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

int sync_envelope_check(const json_t *env, struct err *e)
{
	static const char *const fields[] = { "id", "origin", "dest", "seq", "kind", "created",
					      "payload", "sig", NULL };
	if (!json_is_object(env))
		return err_set(e, E_INVALID, MSG_SYNC_BAD_ENVELOPE, "/");
	const char *k;
	json_t *m;
	json_object_foreach((json_t *)env, k, m) {
		int known = 0;
		for (size_t i = 0; fields[i]; i++)
			known |= strcmp(fields[i], k) == 0;
		if (!known)
			return err_set(e, E_INVALID, MSG_SYNC_BAD_ENVELOPE, k);
	}
	const char *id = json_string_value(json_object_get(env, "id"));
	if (id == NULL || !uuid_valid(id))
		return err_set(e, E_INVALID, MSG_SYNC_BAD_ENVELOPE, "id");
	if (!hex_exact(json_string_value(json_object_get(env, "origin")), 64))
		return err_set(e, E_INVALID, MSG_SYNC_BAD_ENVELOPE, "origin");
	if (!hex_exact(json_string_value(json_object_get(env, "dest")), 64))
		return err_set(e, E_INVALID, MSG_SYNC_BAD_ENVELOPE, "dest");
	json_t *seq = json_object_get(env, "seq");
	if (!json_is_integer(seq) || json_integer_value(seq) < 1 ||
	    json_integer_value(seq) > SYNC_SEQ_MAX)
		return err_set(e, E_INVALID, MSG_SYNC_BAD_ENVELOPE, "seq");
	const char *kind = json_string_value(json_object_get(env, "kind"));
	if (kind == NULL || !kind_name_ok(kind))
		return err_set(e, E_INVALID, MSG_SYNC_BAD_ENVELOPE, "kind");
	const char *created = json_string_value(json_object_get(env, "created"));
	int64_t ms;
	if (created == NULL || time_parse(created, &ms) != 0)
		return err_set(e, E_INVALID, MSG_SYNC_BAD_ENVELOPE, "created");
	if (!json_is_object(json_object_get(env, "payload")))
		return err_set(e, E_INVALID, MSG_SYNC_BAD_ENVELOPE, "payload");
	if (!hex_exact(json_string_value(json_object_get(env, "sig")), 128))
		return err_set(e, E_INVALID, MSG_SYNC_BAD_ENVELOPE, "sig");
	return 0;
}
