/*
 * second_factor.h - TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps, one
 * step of drift either way; liboath) and single-use recovery codes. A
 * person's secret is pending until a first code confirms it; every code is
 * good once (the newest accepted time step is kept, and only a later one
 * passes); recovery codes are stored as SHA-256 (80 random bits each).
 * These functions act on a user id their caller has authorised; they do
 * not audit and, apart from second_factor_accept, expect to run inside the
 * caller's write transaction.
 */
#ifndef UNGCUU_SECOND_FACTOR_H
#define UNGCUU_SECOND_FACTOR_H

#include "../domain.h"

#define TOTP_SECRET_LEN 40   /* base32 of 20 bytes is 32 characters */
#define TOTP_URI_LEN 256
#define RECOVERY_CODES 10
#define RECOVERY_CODE_LEN 20 /* xxxx-xxxx-xxxx-xxxx */

/* A new pending secret for user_id (replacing a pending one), as base32
 * text and an otpauth:// URI naming username. E_CONFLICT when on. */
int totp_begin(struct ctx *c, const char *user_id, const char *username,
	       char secret[TOTP_SECRET_LEN], char uri[TOTP_URI_LEN], struct err *e);
/* Confirms the pending secret with code: turns the factor on and makes new
 * recovery codes, *codes (a JSON array of strings, caller-owned, to show
 * once). 0, or -1 with E_INVALID (wrong code) or E_CONFLICT (nothing
 * pending). */
int totp_confirm(struct ctx *c, const char *user_id, const char *code,
		 json_t **codes, struct err *e);
/* 1 when code is the user's next TOTP code or one of their unused recovery
 * codes (then used up, *recovery set); 0 when not; -1 on error. Needs the
 * factor on. Safe against two parallel uses of one code. */
int second_factor_accept(struct ctx *c, const char *user_id, const char *code,
			 int *recovery, struct err *e);
/* Whether the factor is on, and how many recovery codes are left. */
int second_factor_state(struct store *db, const char *user_id, int *on,
			int *codes_left, struct err *e);
/* Removes the secret and the recovery codes. */
int second_factor_remove(struct ctx *c, const char *user_id, struct err *e);
/* Replaces the recovery codes with new ones (*codes as for totp_confirm). */
int recovery_codes_new(struct ctx *c, const char *user_id, json_t **codes,
		       struct err *e);
/* The TOTP code of a base32 secret at time t (for tests and tools). */
int totp_code_at(const char *secret, int64_t t, char code[7]);

#endif
