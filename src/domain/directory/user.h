/*
 * user.h - people, passwords (Argon2id), API tokens and browser sessions
 * (random, stored as SHA-256), login throttling, and turning a presented
 * token into an actor.
 */
#ifndef UNGCUU_USER_H
#define UNGCUU_USER_H

#include "../domain.h"
#include "../../base/crypto.h"

struct user_new {
	const char *username, *password, *org_code, *full_name, *email, *phone;
	unsigned roles;
};

int user_add(struct ctx *c, const struct user_new *n, json_t **out, struct err *e);
json_t *user_list(struct ctx *c, struct err *e);
/* Disables by id or username; revokes the person's tokens. */
json_t *user_disable(struct ctx *c, const char *who, struct err *e);
/* A user's JSON as the API shows it, by id. */
json_t *user_get(struct ctx *c, const char *id, struct err *e);

/* Checks the password with throttling; on success fills tok (the cookie
 * value), csrf and *user. E_LOCKED sets e->retry_after. */
int auth_login(struct ctx *c, const char *username, const char *password,
	       char tok[TOKEN_LEN], char csrf[65], json_t **user, struct err *e);
void auth_logout(struct ctx *c, const char *token);
/* Resolves a session or API token into an actor; E_UNAUTH if unknown,
 * revoked, expired or the person is disabled. */
int auth_resolve(struct store *db, const char *token, struct actor *a,
		 struct err *e);
/* A new API token for username (never expires until revoked). */
int token_create(struct ctx *c, const char *username, char tok[TOKEN_LEN],
		 struct err *e);
/* Revokes every API token of username; returns how many. */
int token_revoke_all(struct ctx *c, const char *username, struct err *e);

#endif
