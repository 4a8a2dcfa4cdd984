/*
 * password.h - what a new password must be: long enough (counted in
 * characters, so a Vietnamese phrase counts as typed), valid UTF-8, not one
 * of the commonest passwords (common_passwords.txt, built in) nor such a
 * word dressed up with digits, symbols or leet letters, not a run of one
 * key or a keyboard walk, and not containing the username.
 */
#ifndef UNGCUU_PASSWORD_H
#define UNGCUU_PASSWORD_H

#include "../../base/err.h"

/* 0 when pw may be the password of username (NULL: not known yet);
 * else -1 with an error on the JSON pointer field ("/password"). */
int password_policy_check(const char *username, const char *pw, const char *field,
			  struct err *e);

#endif
