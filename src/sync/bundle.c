/*
 * bundle.c - envelopes carried on a file (a USB stick, a mail attachment)
 * where no network reaches: sign-then-seal. The bundle document (the
 * envelopes and our acknowledgement of what the peer sent) is signed with
 * our Ed25519 key, then sealed to the peer with crypto_box_seal (X25519,
 * the peer's Ed25519 public key converted), so only the peer opens it and
 * the peer knows it is ours: the seal alone is anonymous, the signature
 * names the sender (docs/SYNC.md, "Bundles").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sync.h"
#include "sync_int.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/banned.h"

#define BUNDLE_MAGIC "UNGCUU-SYNC-BUNDLE 1\n"
#define BUNDLE_FORMAT "ungcuu-sync-bundle"

static int64_t peer_counter(struct ctx *c, const char *peer_id, const char *col, struct err *e)
{
	char sql[96];
	/* col is one of this file's constants, never input */
	snprintf(sql, sizeof(sql), "SELECT %s FROM sync_peers WHERE id = $1", col);
	struct stmt *st = store_query(c->db, e, sql, "t", peer_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	int64_t v = rc == 1 ? stmt_int(st, 0) : -1;
	stmt_done(st);
	if (rc == 0)
		err_set(e, E_NOTFOUND, MSG_SYNC_PEER_UNKNOWN, peer_id);
	return v;
}

/* Signs doc, seals it to the peer and frames it. */
static int seal(struct ctx *c, const struct sync_peer *p, json_t *doc, char **out, size_t *n,
		struct err *e)
{
	size_t len;
	char *plain = NULL;
	unsigned char edpk[32], xpk[32];
	if (sync_sign(c, doc, e) != 0)
		return -1;
	if ((plain = sync_canonical(doc, &len)) == NULL)
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	if (sodium_hex2bin(edpk, sizeof(edpk), p->public_key, 64, NULL, NULL, NULL) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(xpk, edpk) != 0) {
		free(plain);
		return err_set(e, E_INVALID, MSG_SYNC_BAD_KEY, p->name);
	}
	size_t clen = len + crypto_box_SEALBYTES;
	unsigned char *sealed = malloc(clen);
	size_t b64 = sodium_base64_encoded_len(clen, sodium_base64_VARIANT_ORIGINAL);
	size_t head = strlen(BUNDLE_MAGIC) + 5 + 64 + 1;
	char *file = malloc(head + b64 + 1);
	if (sealed == NULL || file == NULL ||
	    crypto_box_seal(sealed, (const unsigned char *)plain, len, xpk) != 0) {
		free(plain);
		free(sealed);
		free(file);
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	}
	free(plain);
	int h = snprintf(file, head + 1, "%sdest %s\n", BUNDLE_MAGIC, p->instance);
	sodium_bin2base64(file + h, b64, sealed, clen, sodium_base64_VARIANT_ORIGINAL);
	free(sealed);
	size_t total = (size_t)h + strlen(file + h);
	file[total++] = '\n';
	file[total] = '\0';
	*out = file;
	*n = total;
	return 0;
}

static int bundle_make(struct ctx *c, const char *peer_id, int with_envelopes, char **out,
		       size_t *n, size_t *count, struct err *e)
{
	struct sync_peer p;
	char own[SYNC_ID_LEN], created[TIME_RFC3339_LEN];
	*out = NULL;
	if (count)
		*count = 0;
	if (sync_peer_get(c, peer_id, &p, e) != 0 || sync_instance_id(c, own, e) != 0)
		return -1;
	/* read without a transaction of its own (a caller may hold one): an
	 * acknowledgement moving in between only adds replays */
	int64_t acked = peer_counter(c, p.id, "out_acked", e);
	int64_t in_seq = acked < 0 ? -1 : peer_counter(c, p.id, "in_seq", e);
	json_t *envs = in_seq < 0 ? NULL
		     : with_envelopes ? sync_outbox_read(c, p.id, acked, SYNC_BUNDLE_MAX, e)
				      : json_array();
	if (envs == NULL)
		return -1;
	/* as many as fit in one file; the others wait for the next bundle */
	size_t total = 0;
	for (size_t i = 0; i < json_array_size(envs); i++) {
		size_t len = 0;
		char *text = sync_canonical(json_array_get(envs, i), &len);
		free(text);
		total += len + 1;
		if (i > 0 && total > SYNC_BUNDLE_DOC_MAX) {
			while (json_array_size(envs) > i)
				json_array_remove(envs, json_array_size(envs) - 1);
			break;
		}
	}
	if (count)
		*count = json_array_size(envs);
	json_t *doc = json_pack("{s:s, s:i, s:s, s:s, s:s, s:I, s:o}", "format", BUNDLE_FORMAT,
				"version", 1, "origin", own, "dest", p.instance, "created",
				time_format_utc(time_now_ms(), created), "ack", (json_int_t)in_seq,
				"envelopes", envs);
	if (doc == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	int rc = seal(c, &p, doc, out, n, e);
	json_decref(doc);
	return rc;
}

int sync_bundle_export(struct ctx *c, const char *peer_id, char **out, size_t *n,
		       size_t *count, struct err *e)
{
	return bundle_make(c, peer_id, 1, out, n, count, e);
}

int sync_bundle_ack(struct ctx *c, const char *peer_id, char **out, size_t *n, struct err *e)
{
	return bundle_make(c, peer_id, 0, out, n, NULL, e);
}

/* Opens the sealed file: the bundle document, or NULL with e. */
static json_t *unseal(struct ctx *c, const char *data, size_t n, const char *own, struct err *e)
{
	size_t ml = strlen(BUNDLE_MAGIC);
	if (n < ml + 5 + 64 + 1 || memcmp(data, BUNDLE_MAGIC, ml) != 0 ||
	    memcmp(data + ml, "dest ", 5) != 0 || data[ml + 5 + 64] != '\n')
		return err_set(e, E_INVALID, MSG_SYNC_NOT_BUNDLE, "header"), NULL;
	char dest[SYNC_ID_LEN];
	memcpy(dest, data + ml + 5, 64);
	dest[64] = '\0';
	if (strspn(dest, "0123456789abcdef") != 64)
		return err_set(e, E_INVALID, MSG_SYNC_NOT_BUNDLE, "dest"), NULL;
	if (strcmp(dest, own) != 0) {
		char fp[SYNC_FINGERPRINT_LEN];
		sync_fingerprint(dest, fp);
		return err_set(e, E_INVALID, MSG_SYNC_BUNDLE_OTHER_DEST, fp), NULL;
	}
	const char *b64 = data + ml + 5 + 64 + 1;
	size_t blen = n - (size_t)(b64 - data);
	while (blen && (b64[blen - 1] == '\n' || b64[blen - 1] == '\r'))
		blen--;
	unsigned char *sealed = malloc(blen ? blen : 1);
	size_t slen = 0;
	const char *end = NULL;
	if (sealed == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	if (sodium_base642bin(sealed, blen, b64, blen, NULL, &slen, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 || end != b64 + blen ||
	    slen <= crypto_box_SEALBYTES) {
		free(sealed);
		return err_set(e, E_INVALID, MSG_SYNC_BUNDLE_CANNOT_OPEN, NULL), NULL;
	}
	char sk_hex[129];
	unsigned char edsk[64], xsk[32], xpk[32];
	if (sync_secret_key(c, sk_hex, e) != 0) {
		free(sealed);
		return NULL;
	}
	sodium_hex2bin(edsk, sizeof(edsk), sk_hex, 128, NULL, NULL, NULL);
	sodium_memzero(sk_hex, sizeof(sk_hex));
	int ok = crypto_sign_ed25519_sk_to_curve25519(xsk, edsk) == 0 &&
		 crypto_sign_ed25519_pk_to_curve25519(xpk, edsk + 32) == 0;
	sodium_memzero(edsk, sizeof(edsk));
	size_t plen = slen - crypto_box_SEALBYTES;
	unsigned char *plain = malloc(plen + 1);
	if (!ok || plain == NULL || crypto_box_seal_open(plain, sealed, slen, xpk, xsk) != 0) {
		sodium_memzero(xsk, sizeof(xsk));
		free(sealed);
		free(plain);
		return err_set(e, E_INVALID, MSG_SYNC_BUNDLE_CANNOT_OPEN, NULL), NULL;
	}
	sodium_memzero(xsk, sizeof(xsk));
	free(sealed);
	json_error_t je;
	json_t *doc = json_loadb((const char *)plain, plen, JSON_REJECT_DUPLICATES, &je);
	free(plain);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return err_set(e, E_INVALID, MSG_SYNC_NOT_BUNDLE, "JSON"), NULL;
	}
	return doc;
}

int sync_bundle_import(struct ctx *c, const char *data, size_t n, json_t **result,
		       char peer_id[UUID_LEN], struct err *e)
{
	char own[SYNC_ID_LEN];
	*result = NULL;
	if (peer_id)
		peer_id[0] = '\0';
	if (sync_instance_id(c, own, e) != 0)
		return -1;
	if (n > SYNC_BUNDLE_BYTES) {
		char num[24];
		snprintf(num, sizeof(num), "%d", SYNC_BUNDLE_BYTES);
		return err_set(e, E_TOOLARGE, MSG_TOO_LARGE, num);
	}
	json_t *doc = unseal(c, data, n, own, e);
	if (doc == NULL)
		return -1;
	const char *format = json_string_value(json_object_get(doc, "format"));
	const char *origin = json_string_value(json_object_get(doc, "origin"));
	const char *dest = json_string_value(json_object_get(doc, "dest"));
	json_t *ack = json_object_get(doc, "ack"), *envs = json_object_get(doc, "envelopes");
	int rc = -1;
	if (format == NULL || strcmp(format, BUNDLE_FORMAT) != 0 ||
	    json_integer_value(json_object_get(doc, "version")) != 1 || origin == NULL ||
	    dest == NULL || !json_is_integer(ack) || json_integer_value(ack) < 0 ||
	    !json_is_array(envs) || json_object_size(doc) != 8) {
		err_set(e, E_INVALID, MSG_SYNC_NOT_BUNDLE, "format");
		goto done;
	}
	if (strcmp(dest, own) != 0) {
		err_set(e, E_INVALID, MSG_SYNC_BUNDLE_OTHER_DEST, dest);
		goto done;
	}
	struct sync_peer p;
	int found = sync_peer_by_instance(c, origin, &p, e);
	if (found != 0) {
		if (found == 1) {
			char fp[SYNC_FINGERPRINT_LEN];
			sync_fingerprint(strlen(origin) == 64 ? origin : "", fp);
			sync_refuse(c, NULL, strlen(origin) == 64 ? origin : NULL, NULL, 0, 1,
				    "unknown_peer", "bundle from an instance that is not a peer");
			err_set(e, E_INVALID, MSG_SYNC_R_UNKNOWN_PEER, fp);
		}
		goto done;
	}
	if (!sync_signed_by(doc, p.public_key)) {
		sync_refuse(c, p.id, origin, NULL, 0, 1, "bad_signature",
			    "the bundle's signature does not match the peer's key");
		err_set(e, E_INVALID, MSG_SYNC_BUNDLE_BAD_SIG, p.name);
		goto done;
	}
	if (json_array_size(envs) > SYNC_BUNDLE_MAX) {
		char num[24];
		snprintf(num, sizeof(num), "%d", SYNC_BUNDLE_MAX);
		err_set(e, E_TOOLARGE, MSG_SYNC_TOO_MANY, num);
		goto done;
	}
	/* the acknowledgement is checked before anything is applied */
	int64_t out_seq = peer_counter(c, p.id, "out_seq", e);
	if (out_seq < 0)
		goto done;
	int64_t a = (int64_t)json_integer_value(ack);
	if (a > out_seq) {
		char num[48];
		snprintf(num, sizeof(num), "%lld > %lld", (long long)a, (long long)out_seq);
		err_set(e, E_INVALID, MSG_SYNC_ACK_AHEAD, num);
		goto done;
	}
	int64_t before = peer_counter(c, p.id, "in_seq", e), acked = 0;
	json_t *refused = NULL;
	if (before < 0 || sync_inbox_apply(c, p.id, envs, &acked, &refused, e) != 0 ||
	    sync_outbox_ack(c, p.id, a, e) != 0) {
		json_decref(refused);
		goto done;
	}
	if (peer_id)
		snprintf(peer_id, UUID_LEN, "%s", p.id);
	*result = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:o}", "peer", p.name, "peer_id", p.id,
			    "envelopes", (json_int_t)json_array_size(envs),
			    "applied", (json_int_t)(acked - before), "acked", (json_int_t)acked,
			    "acknowledged", (json_int_t)a, "refused", refused);
	rc = 0;
done:
	json_decref(doc);
	return rc;
}
