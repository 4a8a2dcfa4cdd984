/*
 * user.h - people, passwords (Argon2id), API tokens and browser sessions
 * (random, stored as SHA-256), login throttling, and turning a presented
 * token into an actor.
 */
#ifndef UNGCUU_USER_H
#define UNGCUU_USER_H

#include "../domain.h"
#include "../../base/crypto.h"
#include "second_factor.h"

struct user_new {
	const char *username, *password, *org_code, *full_name, *email, *phone;
	unsigned roles;
};

int user_add(struct ctx *c, const struct user_new *n, json_t **out, struct err *e);
json_t *user_list(struct ctx *c, struct err *e);
/* Disables by id or username; ends the person's sessions and tokens. */
json_t *user_disable(struct ctx *c, const char *who, struct err *e);
/* A user's JSON as the API shows it, by id. */
json_t *user_get(struct ctx *c, const char *id, struct err *e);

/* What a login step gives: a session (token is the cookie value, csrf,
 * user), or, when the password was right but a second factor is due, a
 * challenge for the code step: second_factor "totp" (a code is needed) or
 * "enrol" (the instance requires one of the person's roles to have a
 * second factor and they have none: secret and uri are a new pending
 * secret). After an enrolment at login, recovery_codes holds the codes to
 * show once. Release with login_result_release (it wipes the secrets). */
struct login_result {
	char token[TOKEN_LEN];
	char csrf[65];
	json_t *user;
	json_t *recovery_codes;
	const char *second_factor;
	char challenge[TOKEN_LEN];
	int64_t challenge_expires;
	char secret[TOTP_SECRET_LEN], uri[TOTP_URI_LEN];
};
void login_result_release(struct login_result *r);

/* The password step, throttled per account. Every failure - unknown name,
 * wrong password, disabled or locked account - is the same E_UNAUTH
 * MSG_LOGIN_FAILED after the same Argon2id check; the log says which. */
int auth_login(struct ctx *c, const char *username, const char *password,
	       struct login_result *out, struct err *e);
/* The code step: a TOTP code or a recovery code for a challenge of
 * auth_login. A wrong code counts as a failed login; a challenge dies
 * after LIMIT_OTP_ATTEMPTS codes or LIMIT_OTP_CHALLENGE_SECONDS. */
int auth_second_factor(struct ctx *c, const char *challenge, const char *code,
		       struct login_result *out, struct err *e);
void auth_logout(struct ctx *c, const char *token);
/* Resolves a session or API token into an actor; E_UNAUTH if unknown,
 * revoked, expired or the person is disabled. */
int auth_resolve(struct store *db, const char *token, struct actor *a,
		 struct err *e);
/* A new API token for username (never expires until revoked). */
int token_create(struct ctx *c, const char *username, char tok[TOKEN_LEN],
		 struct err *e);
/* Revokes every API token and ends every browser session of username
 * (in the actor's scope); returns how many. */
int token_revoke_all(struct ctx *c, const char *username, struct err *e);

/* The acting person's own account. Second factor state: {"enabled",
 * "required", "recovery_codes_left"}. */
json_t *account_second_factor(struct ctx *c, struct err *e);
/* Starts enrolment (the current password proves the person is there). */
int account_totp_begin(struct ctx *c, const char *password, char secret[TOTP_SECRET_LEN],
		       char uri[TOTP_URI_LEN], struct err *e);
/* Confirms it with a code: {"recovery_codes": [...]}, shown once. */
json_t *account_totp_confirm(struct ctx *c, const char *code, struct err *e);
/* Turns it off with a code (refused where the instance requires it). */
int account_totp_off(struct ctx *c, const char *code, struct err *e);
/* New recovery codes for a code: {"recovery_codes": [...]}. */
json_t *account_recovery_codes(struct ctx *c, const char *code, struct err *e);
/* Changes the password (current one needed; new one checked by the
 * policy, errors on /new_password) and ends every session of the person. */
int account_password(struct ctx *c, const char *current, const char *pw, struct err *e);
/* An administrator sets someone's password (unlocks; ends their sessions). */
int user_set_password(struct ctx *c, const char *who, const char *pw, struct err *e);
/* An administrator removes someone's second factor (they lost it): their
 * sessions end; they enrol again where it is required. Audited. */
int user_reset_second_factor(struct ctx *c, const char *who, struct err *e);

#endif
