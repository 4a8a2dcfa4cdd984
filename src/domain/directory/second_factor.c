/* second_factor.c - TOTP through liboath, and recovery codes. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <liboath/oath.h>
#include <sodium.h>

#include "second_factor.h"
#include "secrets.h"
#include "../../base/crypto.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

#define TOTP_STEP 30
#define TOTP_DIGITS 6
#define TOTP_WINDOW 1        /* one step either way: clocks drift */
#define TOTP_SECRET_BYTES 20 /* RFC 4226 recommends 160 bits */

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_ok;

static void oath_start(void)
{
	oath_ok = oath_init() == OATH_OK;
}

static int oath_ready(struct err *e)
{
	pthread_once(&oath_once, oath_start);
	return oath_ok ? 0 : err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
}

/* The raw secret of base32 text into raw (at most 64 bytes); its length or
 * -1. */
static int secret_raw(const char *b32, char raw[64])
{
	char *out = NULL;
	size_t n = 0;
	if (oath_base32_decode(b32, strlen(b32), &out, &n) != OATH_OK || n == 0 || n > 64) {
		free(out);
		return -1;
	}
	memcpy(raw, out, n);
	sodium_memzero(out, n);
	free(out);
	return (int)n;
}

int totp_code_at(const char *secret, int64_t t, char code[7])
{
	char raw[64];
	struct err e = { 0 };
	if (oath_ready(&e) != 0)
		return -1;
	int n = secret_raw(secret, raw);
	if (n < 0)
		return -1;
	int rc = oath_totp_generate(raw, (size_t)n, (time_t)t, TOTP_STEP, 0, TOTP_DIGITS, code);
	sodium_memzero(raw, sizeof(raw));
	return rc == OATH_OK ? 0 : -1;
}

/* The time step code belongs to (within the window around now), or -1. */
static int64_t totp_step_of(const char *secret, const char *code)
{
	char raw[64];
	uint64_t counter = 0;
	int pos = 0;
	if (strlen(code) != TOTP_DIGITS || strspn(code, "0123456789") != TOTP_DIGITS)
		return -1;
	int n = secret_raw(secret, raw);
	if (n < 0)
		return -1;
	/* The program's clock (tests set it), not time(NULL). */
	time_t now = (time_t)(time_now_ms() / 1000);
	int rc = oath_totp_validate3(raw, (size_t)n, now, TOTP_STEP, 0, TOTP_WINDOW, &pos,
				     &counter, code);
	sodium_memzero(raw, sizeof(raw));
	return rc >= 0 ? (int64_t)counter : -1;
}

/* Reads the user's secret (and whether it is on); 1 found, 0 none, -1. */
static int secret_get(struct store *db, const char *user_id, char secret[TOTP_SECRET_LEN],
		      int *on, struct err *e)
{
	struct stmt *st = store_query(db, e, "SELECT secret, enabled_at IS NOT NULL "
				      "FROM user_totp WHERE user_id = $1", "t", user_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		if (secret_open(db, stmt_text(st, 0), secret, TOTP_SECRET_LEN, e) != 0)
			rc = -1;
		*on = (int)stmt_int(st, 1);
	}
	stmt_done(st);
	return rc;
}

int totp_begin(struct ctx *c, const char *user_id, const char *username,
	       char secret[TOTP_SECRET_LEN], char uri[TOTP_URI_LEN], struct err *e)
{
	char raw[TOTP_SECRET_BYTES], old[TOTP_SECRET_LEN];
	char *b32 = NULL;
	size_t n = 0;
	int on = 0, rc = -1;
	if (oath_ready(e) != 0)
		return -1;
	int have = secret_get(c->db, user_id, old, &on, e);
	sodium_memzero(old, sizeof(old));
	if (have < 0)
		return -1;
	if (have && on)
		return err_set(e, E_CONFLICT, MSG_OTP_ENABLED, NULL);
	randombytes_buf(raw, sizeof(raw));
	if (oath_base32_encode(raw, sizeof(raw), &b32, &n) != OATH_OK || n >= TOTP_SECRET_LEN) {
		err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
		goto out;
	}
	snprintf(secret, TOTP_SECRET_LEN, "%s", b32);
	snprintf(uri, TOTP_URI_LEN, "otpauth://totp/ungcuu:%s?secret=%s&issuer=ungcuu"
		 "&algorithm=SHA1&digits=%d&period=%d", username, secret, TOTP_DIGITS, TOTP_STEP);
	char sealed[SECRET_SEALED_MAX];
	if (secret_seal(c->db, secret, sealed, sizeof(sealed), e) != 0 ||
	    store_run(c->db, e, "DELETE FROM user_totp WHERE user_id = $1", "t", user_id) < 0 ||
	    store_run(c->db, e, "INSERT INTO user_totp (user_id, secret, created_at) "
		      "VALUES ($1, $2, $3)", "tti", user_id, sealed, time_now_ms()) < 0) {
		sodium_memzero(sealed, sizeof(sealed));
		goto out;
	}
	sodium_memzero(sealed, sizeof(sealed));
	rc = 0;
out:
	sodium_memzero(raw, sizeof(raw));
	if (b32) {
		sodium_memzero(b32, n);
		free(b32);
	}
	return rc;
}

/* A recovery code as typed (any case, with or without '-' or spaces) in
 * its stored form; -1 when it cannot be one. */
static int recovery_hash(const char *code, char hash[SHA256_HEX_LEN])
{
	char norm[32];
	size_t n = 0;
	for (const char *p = code; *p; p++) {
		char ch = *p;
		if (ch == '-' || ch == ' ')
			continue;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch + 32);
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '2' && ch <= '7')) || n >= 16)
			return -1;
		norm[n++] = ch;
	}
	if (n != 16)
		return -1;
	sha256_hex(norm, n, hash);
	sodium_memzero(norm, sizeof(norm));
	return 0;
}

int recovery_codes_new(struct ctx *c, const char *user_id, json_t **codes, struct err *e)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	json_t *list = json_array();
	char code[RECOVERY_CODE_LEN], hash[SHA256_HEX_LEN], id[UUID_LEN];
	unsigned char raw[16];
	int64_t now = time_now_ms();
	if (list == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (store_run(c->db, e, "DELETE FROM recovery_codes WHERE user_id = $1", "t", user_id) < 0)
		goto fail;
	for (int i = 0; i < RECOVERY_CODES; i++) {
		size_t k = 0;
		randombytes_buf(raw, sizeof(raw));
		for (int j = 0; j < 16; j++) {
			if (j && j % 4 == 0)
				code[k++] = '-';
			code[k++] = b32[raw[j] & 31]; /* 5 bits of each byte: 80 bits */
		}
		code[k] = '\0';
		if (recovery_hash(code, hash) != 0 ||
		    store_run(c->db, e, "INSERT INTO recovery_codes (id, user_id, hash, created_at) "
			      "VALUES ($1, $2, $3, $4)", "ttti", uuid7(id), user_id, hash, now) < 0)
			goto fail;
		json_array_append_new(list, json_string(code));
	}
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(code, sizeof(code));
	*codes = list;
	return 0;
fail:
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(code, sizeof(code));
	json_decref(list);
	if (e->code == 0)
		err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	return -1;
}

/* Takes time step `step` as used if it is newer than the last one: 1 when
 * taken, 0 when it was already (a replay), -1. One statement, so two
 * requests with the same code cannot both pass. */
static int step_take(struct store *db, const char *user_id, int64_t step, struct err *e)
{
	int n = store_run(db, e, "UPDATE user_totp SET last_step = $1 WHERE user_id = $2 "
			  "AND last_step < $1", "it", step, user_id);
	return n < 0 ? -1 : n > 0;
}

int totp_confirm(struct ctx *c, const char *user_id, const char *code, json_t **codes,
		 struct err *e)
{
	char secret[TOTP_SECRET_LEN];
	int on = 0;
	if (oath_ready(e) != 0)
		return -1;
	int have = secret_get(c->db, user_id, secret, &on, e);
	if (have < 0)
		return -1;
	if (have == 0 || on) {
		sodium_memzero(secret, sizeof(secret));
		return err_set(e, E_CONFLICT, on ? MSG_OTP_ENABLED : MSG_OTP_NOT_PENDING, NULL);
	}
	int64_t step = code ? totp_step_of(secret, code) : -1;
	sodium_memzero(secret, sizeof(secret));
	if (step < 0)
		return err_field(e, "/code", MSG_OTP_WRONG, NULL);
	int taken = step_take(c->db, user_id, step, e);
	if (taken <= 0)
		return taken < 0 ? -1 : err_field(e, "/code", MSG_OTP_WRONG, NULL);
	if (store_run(c->db, e, "UPDATE user_totp SET enabled_at = $1 WHERE user_id = $2",
		      "it", time_now_ms(), user_id) < 0)
		return -1;
	return recovery_codes_new(c, user_id, codes, e);
}

int second_factor_accept(struct ctx *c, const char *user_id, const char *code,
			 int *recovery, struct err *e)
{
	char secret[TOTP_SECRET_LEN], hash[SHA256_HEX_LEN];
	int on = 0;
	*recovery = 0;
	if (code == NULL || oath_ready(e) != 0)
		return code == NULL ? 0 : -1;
	int have = secret_get(c->db, user_id, secret, &on, e);
	if (have <= 0 || !on) {
		sodium_memzero(secret, sizeof(secret));
		return have < 0 ? -1 : 0;
	}
	if (strlen(code) == TOTP_DIGITS) {
		int64_t step = totp_step_of(secret, code);
		sodium_memzero(secret, sizeof(secret));
		return step < 0 ? 0 : step_take(c->db, user_id, step, e);
	}
	sodium_memzero(secret, sizeof(secret));
	if (recovery_hash(code, hash) != 0)
		return 0;
	int n = store_run(c->db, e, "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 "
			  "AND hash = $3 AND used_at IS NULL", "itt", time_now_ms(), user_id, hash);
	if (n < 0)
		return -1;
	*recovery = n > 0;
	return n > 0;
}

int second_factor_state(struct store *db, const char *user_id, int *on, int *codes_left,
			struct err *e)
{
	struct stmt *st = store_query(db, e, "SELECT (SELECT COUNT(*) FROM user_totp WHERE "
		"user_id = $1 AND enabled_at IS NOT NULL), (SELECT COUNT(*) FROM recovery_codes "
		"WHERE user_id = $1 AND used_at IS NULL)", "t", user_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		*on = stmt_int(st, 0) > 0;
		*codes_left = (int)stmt_int(st, 1);
	}
	stmt_done(st);
	return rc == 1 ? 0 : -1;
}

int second_factor_remove(struct ctx *c, const char *user_id, struct err *e)
{
	if (store_run(c->db, e, "DELETE FROM user_totp WHERE user_id = $1", "t", user_id) < 0 ||
	    store_run(c->db, e, "DELETE FROM recovery_codes WHERE user_id = $1", "t", user_id) < 0)
		return -1;
	return 0;
}
