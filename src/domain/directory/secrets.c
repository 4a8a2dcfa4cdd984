/* secrets.c - secrets sealed at rest to the instance (see secrets.h). */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "secrets.h"
#include "audit.h"
#include "../../base/msg.h"
#include "../../base/banned.h"

#define PREFIX "s1:"
#define PREFIX_LEN (sizeof(PREFIX) - 1)
#define OVERHEAD (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)

_Static_assert(SECRET_SEALED_MAX >= PREFIX_LEN + 2 * (OVERHEAD + SECRET_PLAIN_MAX) + 1,
	       "room for a sealed value");

static int seal_key(struct store *db, unsigned char key[crypto_secretbox_KEYBYTES],
		    struct err *e)
{
	char sk_hex[129];
	unsigned char seed[32];
	if (audit_instance_key(db, sk_hex) != 0)
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	sodium_hex2bin(seed, sizeof(seed), sk_hex, 64, NULL, NULL, NULL);
	crypto_generichash(key, crypto_secretbox_KEYBYTES,
			   (const unsigned char *)"ungcuu secrets at rest 1", 24, seed, sizeof(seed));
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk_hex, sizeof(sk_hex));
	return 0;
}

int secret_seal(struct store *db, const char *plain, char *out, size_t n, struct err *e)
{
	unsigned char key[crypto_secretbox_KEYBYTES], box[OVERHEAD + SECRET_PLAIN_MAX];
	size_t len = strlen(plain);
	if (len >= SECRET_PLAIN_MAX || n < SECRET_SEALED_MAX)
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	if (seal_key(db, key, e) != 0)
		return -1;
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, len,
			      box, key);
	sodium_memzero(key, sizeof(key));
	memcpy(out, PREFIX, PREFIX_LEN);
	sodium_bin2hex(out + PREFIX_LEN, n - PREFIX_LEN, box, OVERHEAD + len);
	return 0;
}

int secret_open(struct store *db, const char *stored, char *out, size_t n, struct err *e)
{
	if (strncmp(stored, PREFIX, PREFIX_LEN) != 0) {
		if (strlen(stored) >= n)
			return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
		snprintf(out, n, "%s", stored);
		return 0;
	}
	unsigned char key[crypto_secretbox_KEYBYTES], box[OVERHEAD + SECRET_PLAIN_MAX];
	size_t len = 0;
	const char *hex = stored + PREFIX_LEN;
	if (sodium_hex2bin(box, sizeof(box), hex, strlen(hex), NULL, &len, NULL) != 0 ||
	    len <= OVERHEAD || len - OVERHEAD >= n)
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	if (seal_key(db, key, e) != 0)
		return -1;
	int rc = crypto_secretbox_open_easy((unsigned char *)out, box + crypto_secretbox_NONCEBYTES,
					    len - crypto_secretbox_NONCEBYTES, box, key);
	sodium_memzero(key, sizeof(key));
	if (rc != 0) /* another instance's key, or the value was altered */
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	out[len - OVERHEAD] = '\0';
	return 0;
}

/* The legacy values of one table's secret column, keyed by user_id. */
static int seal_table(struct store *db, const char *select, const char *update, struct err *e)
{
	struct stmt *st = store_query(db, e, select, "");
	if (st == NULL)
		return -1;
	int sealed = 0, rc;
	while ((rc = stmt_step(st, e)) == 1) {
		char v[SECRET_SEALED_MAX];
		if (secret_seal(db, stmt_text(st, 1), v, sizeof(v), e) != 0 ||
		    store_run(db, e, update, "tt", v, stmt_text(st, 0)) < 0) {
			rc = -1;
			break;
		}
		sodium_memzero(v, sizeof(v));
		sealed++;
	}
	stmt_done(st);
	return rc < 0 ? -1 : sealed;
}

int secrets_seal_legacy(struct store *db, struct err *e)
{
	int a = seal_table(db, "SELECT user_id, secret FROM user_totp WHERE secret NOT LIKE 's1:%' "
			   "ORDER BY user_id", "UPDATE user_totp SET secret = $1 WHERE user_id = $2",
			   e);
	if (a < 0)
		return -1;
	int b = seal_table(db, "SELECT user_id, secret FROM notify_webhooks WHERE secret NOT LIKE "
			   "'s1:%' ORDER BY user_id",
			   "UPDATE notify_webhooks SET secret = $1 WHERE user_id = $2", e);
	return b < 0 ? -1 : a + b;
}
