/* user.c - accounts, tokens, sessions and login throttling. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "user.h"
#include "audit.h"
#include "org.h"
#include "password.h"
#include "second_factor.h"
#include "../../base/log.h"
#include "policy.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

#define USER_SELECT "SELECT u.id, u.username, u.full_name, u.email, u.phone, " \
	"u.roles, u.disabled, o.id, o.code, o.name, o.kind, o.path FROM users u " \
	"JOIN orgs o ON o.id = u.org_id "

static json_t *user_row(struct stmt *st)
{
	int roles = roles_parse(stmt_text(st, 5));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:{s:s, s:s, s:s, s:s}}",
		"id", stmt_text(st, 0), "username", stmt_text(st, 1),
		"full_name", stmt_text(st, 2), "email", stmt_text(st, 3),
		"phone", stmt_text(st, 4), "roles", roles_json(roles < 0 ? 0 : (unsigned)roles),
		"disabled", (int)stmt_int(st, 6),
		"org", "id", stmt_text(st, 7), "code", stmt_text(st, 8),
		"name", stmt_text(st, 9), "kind", stmt_text(st, 10));
}

json_t *user_get(struct ctx *c, const char *id, struct err *e)
{
	struct stmt *st = store_query(c->db, e, USER_SELECT "WHERE u.id = $1", "t", id);
	if (st == NULL)
		return NULL;
	json_t *j = NULL;
	int rc = stmt_step(st, e);
	if (rc == 1)
		j = user_row(st);
	else if (rc == 0)
		err_set(e, E_NOTFOUND, MSG_UNKNOWN_USER, id);
	stmt_done(st);
	return j;
}

static int username_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 2 || n > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

int user_add(struct ctx *c, const struct user_new *n, json_t **out, struct err *e)
{
	struct org o;
	char id[UUID_LEN], hash[PWHASH_LEN], roles[128];

	if (!username_ok(n->username))
		err_field(e, "/username", MSG_BAD_VALUE, "a-z 0-9 . - _ (2-64)");
	password_policy_check(n->username, n->password, "/password", e);
	if (n->roles == 0 || (n->roles & ~(unsigned)ROLE_ALL))
		err_field(e, "/roles", MSG_BAD_VALUE,
			  "reporter, focal, coordinator, responder, leader, admin");
	if ((n->full_name && strlen(n->full_name) > 200) ||
	    (n->email && strlen(n->email) > 200) || (n->phone && strlen(n->phone) > 50))
		err_field(e, "/full_name", MSG_TOO_LONG, "200");
	if (e->code)
		return -1;
	if (org_by_code(c, n->org_code, &o, e) != 0) {
		err_clear(e);
		return err_field(e, "/org_code", MSG_UNKNOWN_ORG, n->org_code);
	}
	struct policy_target t = { .org_path = o.path };
	if (policy_check(c->actor, ACT_USER_WRITE, &t, e) != 0)
		return -1;
	struct stmt *st = store_query(c->db, e, "SELECT 1 FROM users WHERE username = $1",
				      "t", n->username);
	if (st == NULL)
		return -1;
	int exists = stmt_step(st, e);
	stmt_done(st);
	if (exists != 0)
		return exists < 0 ? -1 : err_set(e, E_CONFLICT, MSG_EXISTS, n->username);
	if (password_hash(n->password, hash) != 0)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	uuid7(id);
	roles_format(n->roles, roles, sizeof(roles));
	if (store_begin(c->db, e) != 0)
		return -1;
	json_t *j = NULL;
	if (store_run(c->db, e, "INSERT INTO users (id, username, org_id, roles, full_name, "
		      "email, phone, pw_hash, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
		      "tttttttti", id, n->username, o.id, roles,
		      n->full_name ? n->full_name : "", n->email ? n->email : "",
		      n->phone ? n->phone : "", hash, time_now_ms()) < 0)
		goto fail;
	j = user_get(c, id, e);
	if (j == NULL || audit_append_json(c, "user.create", "user", id, NULL, j, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	if (out)
		*out = j;
	else
		json_decref(j);
	return 0;
fail:
	store_rollback(c->db);
	json_decref(j);
	return -1;
}

json_t *user_list(struct ctx *c, struct err *e)
{
	if (policy_check(c->actor, ACT_USER_READ, NULL, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, USER_SELECT
		"WHERE substr(o.path, 1, length($1)) = $1 ORDER BY o.path, u.username", "t",
		c->actor->system ? "/" : c->actor->org_path);
	if (st == NULL)
		return NULL;
	return rows_items(st, user_row, e);
}

/* Finds a person by id or username for an act of action on them: fills
 * id, path (their organisation) and name. Unknown and out of scope answer
 * alike (404, "not found") so ids and names elsewhere stay unknown; the
 * command line (system) is told the name it gave. */
static int user_find(struct ctx *c, const char *who, int action, char id[UUID_LEN],
		     char path[LIMIT_ORG_PATH], char name[65], struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT u.id, o.path, u.username FROM users u "
		"JOIN orgs o ON o.id = u.org_id WHERE u.id = $1 OR u.username = $1", "t",
		who ? who : "");
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(id, UUID_LEN, "%s", stmt_text(st, 0));
		snprintf(path, LIMIT_ORG_PATH, "%s", stmt_text(st, 1));
		snprintf(name, 65, "%s", stmt_text(st, 2));
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return c->actor && c->actor->system
		       ? err_set(e, E_NOTFOUND, MSG_UNKNOWN_USER, who)
		       : err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	struct policy_target t = { .org_path = path };
	return policy_check(c->actor, action, &t, e);
}

/* Ends every browser session of a person (inside the caller's transaction);
 * with api also their API tokens. The number ended, or -1. */
static int sessions_end(struct ctx *c, const char *id, int api, struct err *e)
{
	return store_run(c->db, e, api
		? "UPDATE tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL"
		: "UPDATE tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL "
		  "AND kind = 'session'", "it", time_now_ms(), id);
}

json_t *user_disable(struct ctx *c, const char *who, struct err *e)
{
	json_t *before = NULL, *after = NULL;
	char id[UUID_LEN] = "", path[LIMIT_ORG_PATH] = "", name[65] = "";
	if (user_find(c, who, ACT_USER_WRITE, id, path, name, e) != 0 ||
	    (before = user_get(c, id, e)) == NULL || store_begin(c->db, e) != 0)
		goto out;
	/* Disabling ends the person's sessions and API tokens, and a login
	 * challenge in flight. */
	if (store_run(c->db, e, "UPDATE users SET disabled = 1 WHERE id = $1", "t", id) < 0 ||
	    sessions_end(c, id, 1, e) < 0 ||
	    store_run(c->db, e, "DELETE FROM login_challenges WHERE user_id = $1", "t", id) < 0 ||
	    (after = user_get(c, id, e)) == NULL ||
	    audit_append_json(c, "user.disable", "user", id, before, after, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(after);
		after = NULL;
	}
out:
	json_decref(before);
	return after;
}

static int token_insert(struct ctx *c, const char *user_id, const char *kind,
			const char *hash, const char *csrf, int64_t expires,
			struct err *e)
{
	char id[UUID_LEN];
	return store_run(c->db, e, "INSERT INTO tokens (id, user_id, kind, hash, csrf, "
			 "created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7)", "tttttii",
			 uuid7(id), user_id, kind, hash, csrf, time_now_ms(), expires) < 0 ? -1 : 0;
}

/* A real hash to verify against for unknown names, so that a wrong name and
 * a wrong password take the same time. Made once per process. */
static char dummy_pw[PWHASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
	char pw[33];
	random_hex(pw, 16);
	password_hash(pw, dummy_pw);
}

static const char *dummy_hash(void)
{
	pthread_once(&dummy_once, dummy_init);
	return dummy_pw;
}

void login_result_release(struct login_result *r)
{
	json_decref(r->user);
	json_decref(r->recovery_codes);
	sodium_memzero(r, sizeof(*r));
}

/* The person a login step is about, as the audit's actor. */
struct login_who {
	char id[UUID_LEN], username[65], hash[PWHASH_LEN];
	int64_t locked_until;
	int disabled, roles;
};

static void audit_as(struct ctx *c, const struct login_who *w, struct actor *a, struct ctx *out)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", w->id);
	snprintf(a->username, sizeof(a->username), "%s", w->username);
	*out = *c;
	out->actor = a;
}

/* Counts a failed step (wrong password or code) against w inside the
 * caller's transaction: slowed from the 3rd failure (1 s, then 2 s), locked
 * from the 5th; audited with the reason. Counted in the database,
 * atomically: parallel failures on several connections each count. */
static int failure_count(struct ctx *c, const struct login_who *w, const char *reason,
			 struct err *e)
{
	struct actor a;
	struct ctx ac;
	int64_t now = time_now_ms(), failed, lock = 0;
	struct stmt *st = store_query(c->db, e, "UPDATE users SET failed_logins = failed_logins + 1 "
				      "WHERE id = $1 RETURNING failed_logins", "t", w->id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	failed = rc == 1 ? stmt_int(st, 0) : 0;
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (failed >= LIMIT_LOGIN_LOCK_AFTER)
		lock = now + LIMIT_LOGIN_LOCK_SECONDS * 1000LL;
	else if (failed >= LIMIT_LOGIN_SLOW_AFTER)
		lock = now + 1000LL * (1 << (failed - LIMIT_LOGIN_SLOW_AFTER));
	if (lock && store_run(c->db, e, "UPDATE users SET locked_until = MAX(locked_until, $1) "
			      "WHERE id = $2", "it", lock, w->id) < 0)
		return -1;
	json_t *why = json_pack("{s:s, s:I, s:b}", "reason", reason, "failed_logins",
				(json_int_t)failed, "locked", lock != 0);
	audit_as(c, w, &a, &ac);
	rc = audit_append_json(&ac, "session.login_failed", "user", w->id, NULL, why, e);
	json_decref(why);
	return rc;
}

/* The one answer to every failed login, whatever the reason (which goes
 * to the log): an unknown name, a wrong password, a disabled or a locked
 * account look the same to the caller. */
static int login_failed(const char *username, const char *reason, struct err *e)
{
	log_info("login refused for '%.64s': %s", username ? username : "", reason);
	err_clear(e);
	return err_set(e, E_UNAUTH, MSG_LOGIN_FAILED, NULL);
}

/* Opens a session for w inside the caller's transaction. */
static int session_open(struct ctx *c, const struct login_who *w, struct login_result *out,
			struct err *e)
{
	char hs[SHA256_HEX_LEN];
	token_new(out->token, hs);
	random_hex(out->csrf, 32);
	if (store_run(c->db, e, "UPDATE users SET failed_logins = 0, locked_until = 0 "
		      "WHERE id = $1", "t", w->id) < 0 ||
	    token_insert(c, w->id, "session", hs, out->csrf,
			 time_now_ms() + LIMIT_SESSION_SECONDS * 1000LL, e) != 0)
		return -1;
	return 0;
}

/* A challenge for the code step, inside the caller's transaction. */
static int challenge_open(struct ctx *c, const struct login_who *w, const char *kind,
			  struct login_result *out, struct err *e)
{
	char hs[SHA256_HEX_LEN];
	int64_t now = time_now_ms();
	token_new(out->challenge, hs);
	out->challenge_expires = now + LIMIT_OTP_CHALLENGE_SECONDS * 1000LL;
	out->second_factor = kind;
	if (store_run(c->db, e, "DELETE FROM login_challenges WHERE user_id = $1 OR "
		      "expires_at < $2", "ti", w->id, now) < 0 ||
	    store_run(c->db, e, "INSERT INTO login_challenges (hash, user_id, kind, expires_at, "
		      "created_at) VALUES ($1, $2, $3, $4, $5)", "tttii", hs, w->id, kind,
		      out->challenge_expires, now) < 0)
		return -1;
	return 0;
}

int auth_login(struct ctx *c, const char *username, const char *password,
	       struct login_result *out, struct err *e)
{
	const char *dummy = dummy_hash();
	struct login_who w = { 0 };
	int64_t now = time_now_ms();
	int on = 0, left = 0;

	memset(out, 0, sizeof(*out));
	if (username == NULL || password == NULL || strlen(password) > LIMIT_PASSWORD_MAX) {
		password_verify(dummy, "x");
		return login_failed(username, "malformed", e);
	}
	struct stmt *st = store_query(c->db, e, "SELECT id, username, pw_hash, locked_until, "
		"disabled, roles FROM users WHERE username = $1", "t", username);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(w.id, sizeof(w.id), "%s", stmt_text(st, 0));
		snprintf(w.username, sizeof(w.username), "%s", stmt_text(st, 1));
		snprintf(w.hash, sizeof(w.hash), "%s", stmt_text(st, 2));
		w.locked_until = stmt_int(st, 3);
		w.disabled = (int)stmt_int(st, 4);
		w.roles = roles_parse(stmt_text(st, 5));
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	/* One Argon2id check whatever happens next: the time says nothing. */
	int right = password_verify(rc == 1 ? w.hash : dummy, password);
	if (rc == 0)
		return login_failed(username, "unknown user", e);
	if (w.disabled)
		return login_failed(username, "account disabled", e);
	if (w.locked_until > now)
		return login_failed(username, right ? "locked (right password)" : "locked", e);
	if (!right) {
		if (store_begin(c->db, e) != 0)
			return -1;
		if (failure_count(c, &w, "wrong password", e) != 0 || store_commit(c->db, e) != 0) {
			store_rollback(c->db);
			return -1;
		}
		return login_failed(username, "wrong password", e);
	}
	if (second_factor_state(c->db, w.id, &on, &left, e) != 0)
		return -1;
	unsigned need = c->rules ? c->rules->second_factor_roles : 0;
	int must_enrol = !on && w.roles > 0 && ((unsigned)w.roles & need) != 0;
	if (store_begin(c->db, e) != 0)
		return -1;
	if (on)
		rc = challenge_open(c, &w, "totp", out, e);
	else if (must_enrol)
		rc = totp_begin(c, w.id, w.username, out->secret, out->uri, e) != 0 ? -1
		     : challenge_open(c, &w, "enrol", out, e);
	else
		rc = session_open(c, &w, out, e);
	if (rc != 0 || store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		login_result_release(out);
		return -1;
	}
	if (out->second_factor)
		return 0;
	out->user = user_get(c, w.id, e);
	return out->user ? 0 : -1;
}

static int challenge_dead(struct err *e)
{
	err_set(e, E_UNAUTH, MSG_OTP_CHALLENGE, NULL);
	return err_field(e, "/challenge", MSG_OTP_CHALLENGE, NULL);
}

int auth_second_factor(struct ctx *c, const char *challenge, const char *code,
		       struct login_result *out, struct err *e)
{
	char hs[SHA256_HEX_LEN], kind[16] = "";
	struct login_who w = { 0 };
	struct actor a;
	struct ctx ac;
	int64_t now = time_now_ms();
	int ok = 0, recovery = 0;

	memset(out, 0, sizeof(*out));
	/* 401 either way; the field says whether to try another code (/code)
	 * or to start again with the password (/challenge). */
	if (challenge == NULL || strlen(challenge) != TOKEN_LEN - 1)
		return challenge_dead(e);
	sha256_hex(challenge, strlen(challenge), hs);
	/* Claim one attempt in the same statement that checks the challenge
	 * is alive, inside the write transaction: parallel codes on one
	 * challenge are serialised and each counts. */
	if (store_begin(c->db, e) != 0)
		return -1;
	int claimed = store_run(c->db, e, "UPDATE login_challenges SET attempts = attempts + 1 "
				"WHERE hash = $1 AND attempts < $2 AND expires_at > $3", "tii", hs,
				(int64_t)LIMIT_OTP_ATTEMPTS, now);
	if (claimed < 0)
		goto fail;
	struct stmt *st = claimed == 0 ? NULL : store_query(c->db, e, "SELECT u.id, u.username, "
		"u.locked_until, u.disabled, c.kind FROM login_challenges c "
		"JOIN users u ON u.id = c.user_id WHERE c.hash = $1", "t", hs);
	if (claimed > 0 && st == NULL)
		goto fail;
	int rc = st ? stmt_step(st, e) : 0;
	if (rc == 1) {
		snprintf(w.id, sizeof(w.id), "%s", stmt_text(st, 0));
		snprintf(w.username, sizeof(w.username), "%s", stmt_text(st, 1));
		w.locked_until = stmt_int(st, 2);
		w.disabled = (int)stmt_int(st, 3);
		snprintf(kind, sizeof(kind), "%s", stmt_text(st, 4));
	}
	stmt_done(st);
	if (rc < 0)
		goto fail;
	if (rc == 0 || w.disabled || w.locked_until > now) {
		store_rollback(c->db);
		log_info("second factor refused for '%s': challenge %s", w.username,
			 rc == 0 ? "unknown, expired or used up" : w.disabled
			 ? "of a disabled account" : "of a locked account");
		return challenge_dead(e);
	}
	if (strcmp(kind, "enrol") == 0) {
		if (totp_confirm(c, w.id, code, &out->recovery_codes, e) == 0) {
			ok = 1;
		} else if (e->code == E_INVALID) {
			err_clear(e);
		} else {
			goto fail;
		}
	} else {
		ok = second_factor_accept(c, w.id, code, &recovery, e);
		if (ok < 0)
			goto fail;
	}
	audit_as(c, &w, &a, &ac);
	if (!ok) {
		if (failure_count(c, &w, "wrong code", e) != 0 || store_commit(c->db, e) != 0)
			goto fail;
		log_info("second factor refused for '%s': wrong code", w.username);
		err_set(e, E_UNAUTH, MSG_OTP_WRONG, NULL);
		return err_field(e, "/code", MSG_OTP_WRONG, NULL);
	}
	if (store_run(c->db, e, "DELETE FROM login_challenges WHERE hash = $1", "t", hs) < 0 ||
	    session_open(c, &w, out, e) != 0 ||
	    (out->recovery_codes && audit_append(&ac, "user.second_factor_on", "user", w.id,
						 NULL, NULL, e) != 0) ||
	    (recovery && audit_append(&ac, "user.recovery_code_used", "user", w.id, NULL,
				      NULL, e) != 0) ||
	    store_commit(c->db, e) != 0)
		goto fail;
	out->user = user_get(c, w.id, e);
	return out->user ? 0 : -1;
fail:
	store_rollback(c->db);
	login_result_release(out);
	return -1;
}

void auth_logout(struct ctx *c, const char *token)
{
	char hs[SHA256_HEX_LEN];
	struct err e = { 0 };
	sha256_hex(token, strlen(token), hs);
	store_run(c->db, &e, "UPDATE tokens SET revoked_at = $1 WHERE hash = $2 AND "
		  "revoked_at IS NULL", "it", time_now_ms(), hs);
}

int auth_resolve(struct store *db, const char *token, struct actor *a, struct err *e)
{
	char hs[SHA256_HEX_LEN];
	if (token == NULL || strlen(token) != TOKEN_LEN - 1)
		return err_set(e, E_UNAUTH, MSG_UNAUTH, NULL);
	sha256_hex(token, strlen(token), hs);
	struct stmt *st = store_query(db, e, "SELECT u.id, u.username, u.full_name, "
		"u.roles, u.org_id, o.path, t.kind, t.csrf, t.expires_at, t.revoked_at, "
		"u.disabled FROM tokens t JOIN users u ON u.id = t.user_id "
		"JOIN orgs o ON o.id = u.org_id WHERE t.hash = $1", "t", hs);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e), ok = 0;
	if (rc == 1) {
		int64_t exp = stmt_int(st, 8);
		int roles = roles_parse(stmt_text(st, 3));
		ok = stmt_isnull(st, 9) && !stmt_int(st, 10) && roles > 0 &&
		     (exp == 0 || exp > time_now_ms());
		if (ok) {
			memset(a, 0, sizeof(*a));
			snprintf(a->id, sizeof(a->id), "%s", stmt_text(st, 0));
			snprintf(a->username, sizeof(a->username), "%s", stmt_text(st, 1));
			snprintf(a->full_name, sizeof(a->full_name), "%s", stmt_text(st, 2));
			a->roles = (unsigned)roles;
			snprintf(a->org_id, sizeof(a->org_id), "%s", stmt_text(st, 4));
			snprintf(a->org_path, sizeof(a->org_path), "%s", stmt_text(st, 5));
			a->via_session = strcmp(stmt_text(st, 6), "session") == 0;
			const char *csrf = stmt_text(st, 7);
			snprintf(a->csrf, sizeof(a->csrf), "%s", csrf ? csrf : "");
			a->token_expires = exp;
		}
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (!ok)
		return err_set(e, E_UNAUTH, rc == 1 ? MSG_SESSION_EXPIRED : MSG_UNAUTH, NULL);
	return 0;
}

int token_create(struct ctx *c, const char *username, char tok[TOKEN_LEN], struct err *e)
{
	char hs[SHA256_HEX_LEN], id[UUID_LEN] = "", path[LIMIT_ORG_PATH] = "";
	struct stmt *st = store_query(c->db, e, "SELECT u.id, o.path, u.disabled FROM users u "
		"JOIN orgs o ON o.id = u.org_id WHERE u.username = $1", "t", username);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e), disabled = 0;
	if (rc == 1) {
		snprintf(id, sizeof(id), "%s", stmt_text(st, 0));
		snprintf(path, sizeof(path), "%s", stmt_text(st, 1));
		disabled = (int)stmt_int(st, 2);
	}
	stmt_done(st);
	if (rc <= 0)
		return rc < 0 ? -1 : err_set(e, E_NOTFOUND, MSG_UNKNOWN_USER, username);
	if (disabled)
		return err_set(e, E_CONFLICT, MSG_USER_DISABLED, NULL);
	struct policy_target t = { .org_path = path };
	if (policy_check(c->actor, ACT_TOKEN_CREATE, &t, e) != 0)
		return -1;
	token_new(tok, hs);
	if (store_begin(c->db, e) != 0)
		return -1;
	if (token_insert(c, id, "api", hs, NULL, 0, e) != 0 ||
	    audit_append(c, "token.create", "user", id, NULL, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		return -1;
	}
	return 0;
}

int token_revoke_all(struct ctx *c, const char *username, struct err *e)
{
	char id[UUID_LEN], path[LIMIT_ORG_PATH], name[65];
	/* In the person's organisation's scope, like creating one. */
	if (user_find(c, username, ACT_TOKEN_CREATE, id, path, name, e) != 0 ||
	    store_begin(c->db, e) != 0)
		return -1;
	/* Revoking credentials ends the browser sessions too: a stolen
	 * session is as much a credential as a token. */
	int n = sessions_end(c, id, 1, e);
	if (n < 0 || audit_append(c, "token.revoke", "user", id, NULL, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		return -1;
	}
	return n;
}

/* The person acting, for changes to their own account: their id, name and
 * password hash. */
static int account_self(struct ctx *c, struct login_who *w, struct err *e)
{
	if (c->actor == NULL || c->actor->id[0] == '\0')
		return err_set(e, E_UNAUTH, MSG_UNAUTH, NULL);
	struct policy_target t = { .org_path = c->actor->org_path };
	if (policy_check(c->actor, ACT_ACCOUNT_OWN, &t, e) != 0)
		return -1;
	struct stmt *st = store_query(c->db, e, "SELECT id, username, pw_hash, roles FROM users "
				      "WHERE id = $1", "t", c->actor->id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(w->id, sizeof(w->id), "%s", stmt_text(st, 0));
		snprintf(w->username, sizeof(w->username), "%s", stmt_text(st, 1));
		snprintf(w->hash, sizeof(w->hash), "%s", stmt_text(st, 2));
		w->roles = roles_parse(stmt_text(st, 3));
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : err_set(e, E_UNAUTH, MSG_UNAUTH, NULL);
}

json_t *account_second_factor(struct ctx *c, struct err *e)
{
	struct login_who w = { 0 };
	int on = 0, left = 0;
	if (account_self(c, &w, e) != 0 || second_factor_state(c->db, w.id, &on, &left, e) != 0)
		return NULL;
	unsigned need = c->rules ? c->rules->second_factor_roles : 0;
	return json_pack("{s:b, s:b, s:i}", "enabled", on, "required",
			 w.roles > 0 && ((unsigned)w.roles & need) != 0,
			 "recovery_codes_left", left);
}

int account_totp_begin(struct ctx *c, const char *password, char secret[TOTP_SECRET_LEN],
		       char uri[TOTP_URI_LEN], struct err *e)
{
	struct login_who w = { 0 };
	if (account_self(c, &w, e) != 0)
		return -1;
	if (password == NULL || !password_verify(w.hash, password))
		return err_field(e, "/password", MSG_PASSWORD_WRONG, NULL);
	if (store_begin(c->db, e) != 0)
		return -1;
	if (totp_begin(c, w.id, w.username, secret, uri, e) != 0 || store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		return -1;
	}
	return 0;
}

json_t *account_totp_confirm(struct ctx *c, const char *code, struct err *e)
{
	struct login_who w = { 0 };
	json_t *codes = NULL;
	if (account_self(c, &w, e) != 0 || store_begin(c->db, e) != 0)
		return NULL;
	if (totp_confirm(c, w.id, code, &codes, e) != 0 ||
	    audit_append(c, "user.second_factor_on", "user", w.id, NULL, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(codes);
		return NULL;
	}
	return json_pack("{s:o}", "recovery_codes", codes);
}

/* Checks a code of the actor's for a change that needs one (inside the
 * transaction): 0, or -1 with a field error on /code. */
static int account_code(struct ctx *c, const struct login_who *w, const char *code,
			struct err *e)
{
	int recovery = 0, on = 0, left = 0;
	if (second_factor_state(c->db, w->id, &on, &left, e) != 0)
		return -1;
	if (!on)
		return err_set(e, E_CONFLICT, MSG_OTP_NOT_ENABLED, NULL);
	int ok = second_factor_accept(c, w->id, code, &recovery, e);
	if (ok < 0)
		return -1;
	return ok ? 0 : err_field(e, "/code", MSG_OTP_WRONG, NULL);
}

int account_totp_off(struct ctx *c, const char *code, struct err *e)
{
	struct login_who w = { 0 };
	char names[96];
	if (account_self(c, &w, e) != 0)
		return -1;
	unsigned need = c->rules ? c->rules->second_factor_roles : 0;
	if (w.roles > 0 && ((unsigned)w.roles & need) != 0)
		return err_set(e, E_CONFLICT, MSG_OTP_REQUIRED,
			       roles_format((unsigned)w.roles & need, names, sizeof(names)));
	if (store_begin(c->db, e) != 0)
		return -1;
	if (account_code(c, &w, code, e) != 0 || second_factor_remove(c, w.id, e) != 0 ||
	    audit_append(c, "user.second_factor_off", "user", w.id, NULL, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		return -1;
	}
	return 0;
}

json_t *account_recovery_codes(struct ctx *c, const char *code, struct err *e)
{
	struct login_who w = { 0 };
	json_t *codes = NULL;
	if (account_self(c, &w, e) != 0 || store_begin(c->db, e) != 0)
		return NULL;
	if (account_code(c, &w, code, e) != 0 || recovery_codes_new(c, w.id, &codes, e) != 0 ||
	    audit_append(c, "user.recovery_codes_new", "user", w.id, NULL, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(codes);
		return NULL;
	}
	return json_pack("{s:o}", "recovery_codes", codes);
}

/* Sets a new password (already checked against the policy) and ends every
 * browser session of the person, inside a transaction, audited. */
static int password_set(struct ctx *c, const char *id, const char *pw, const char *action,
			struct err *e)
{
	char hash[PWHASH_LEN];
	if (password_hash(pw, hash) != 0)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (store_begin(c->db, e) != 0)
		return -1;
	if (store_run(c->db, e, "UPDATE users SET pw_hash = $1, failed_logins = 0, "
		      "locked_until = 0 WHERE id = $2", "tt", hash, id) < 0 ||
	    sessions_end(c, id, 0, e) < 0 ||
	    store_run(c->db, e, "DELETE FROM login_challenges WHERE user_id = $1", "t", id) < 0 ||
	    audit_append(c, action, "user", id, NULL, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		sodium_memzero(hash, sizeof(hash));
		return -1;
	}
	sodium_memzero(hash, sizeof(hash));
	return 0;
}

int account_password(struct ctx *c, const char *current, const char *pw, struct err *e)
{
	struct login_who w = { 0 };
	if (account_self(c, &w, e) != 0)
		return -1;
	if (current == NULL || strlen(current) > LIMIT_PASSWORD_MAX ||
	    !password_verify(w.hash, current))
		return err_field(e, "/current_password", MSG_PASSWORD_WRONG, NULL);
	if (password_policy_check(w.username, pw, "/new_password", e) != 0)
		return -1;
	return password_set(c, w.id, pw, "user.password_change", e);
}

int user_set_password(struct ctx *c, const char *who, const char *pw, struct err *e)
{
	char id[UUID_LEN], path[LIMIT_ORG_PATH], name[65];
	if (user_find(c, who, ACT_USER_WRITE, id, path, name, e) != 0 ||
	    password_policy_check(name, pw, "/password", e) != 0)
		return -1;
	return password_set(c, id, pw, "user.password_reset", e);
}

int user_reset_second_factor(struct ctx *c, const char *who, struct err *e)
{
	char id[UUID_LEN], path[LIMIT_ORG_PATH], name[65];
	if (user_find(c, who, ACT_USER_WRITE, id, path, name, e) != 0 ||
	    store_begin(c->db, e) != 0)
		return -1;
	/* The person logs in again, and enrols again where it is required. */
	if (second_factor_remove(c, id, e) != 0 || sessions_end(c, id, 0, e) < 0 ||
	    store_run(c->db, e, "DELETE FROM login_challenges WHERE user_id = $1", "t", id) < 0 ||
	    audit_append(c, "user.second_factor_reset", "user", id, NULL, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		return -1;
	}
	return 0;
}
