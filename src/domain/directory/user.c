/* user.c - accounts, tokens, sessions and login throttling. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user.h"
#include "audit.h"
#include "org.h"
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
	char id[UUID_LEN], hash[PWHASH_LEN], roles[128], num[16];

	if (!username_ok(n->username))
		err_field(e, "/username", MSG_BAD_VALUE, "a-z 0-9 . - _ (2-64)");
	size_t pl = n->password ? strlen(n->password) : 0;
	if (pl < LIMIT_PASSWORD_MIN) {
		snprintf(num, sizeof(num), "%d", LIMIT_PASSWORD_MIN);
		err_field(e, "/password", MSG_PASSWORD_SHORT, num);
	} else if (pl > LIMIT_PASSWORD_MAX) {
		snprintf(num, sizeof(num), "%d", LIMIT_PASSWORD_MAX);
		err_field(e, "/password", MSG_TOO_LONG, num);
	}
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

json_t *user_disable(struct ctx *c, const char *who, struct err *e)
{
	struct stmt *st = store_query(c->db, e, USER_SELECT
		"WHERE u.id = $1 OR u.username = $1", "t", who);
	if (st == NULL)
		return NULL;
	json_t *before = NULL, *after = NULL;
	char id[UUID_LEN] = "", path[LIMIT_ORG_PATH] = "";
	int rc = stmt_step(st, e);
	if (rc == 1) {
		before = user_row(st);
		snprintf(id, sizeof(id), "%s", stmt_text(st, 0));
		snprintf(path, sizeof(path), "%s", stmt_text(st, 11));
	}
	stmt_done(st);
	if (rc <= 0) {
		if (rc == 0)
			err_set(e, E_NOTFOUND, MSG_UNKNOWN_USER, who);
		return NULL;
	}
	struct policy_target t = { .org_path = path };
	if (policy_check(c->actor, ACT_USER_WRITE, &t, e) != 0 ||
	    store_begin(c->db, e) != 0)
		goto out;
	int64_t now = time_now_ms();
	if (store_run(c->db, e, "UPDATE users SET disabled = 1 WHERE id = $1", "t", id) < 0 ||
	    store_run(c->db, e, "UPDATE tokens SET revoked_at = $1 WHERE user_id = $2 "
		      "AND revoked_at IS NULL", "it", now, id) < 0 ||
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

int auth_login(struct ctx *c, const char *username, const char *password,
	       char tok[TOKEN_LEN], char csrf[65], json_t **user, struct err *e)
{
	const char *dummy = dummy_hash();
	char id[UUID_LEN] = "", hash[PWHASH_LEN] = "", hs[SHA256_HEX_LEN];
	int64_t locked_until = 0, failed = 0, disabled = 0, now = time_now_ms();

	if (username == NULL || password == NULL || strlen(password) > LIMIT_PASSWORD_MAX) {
		password_verify(dummy, "x");
		return err_set(e, E_UNAUTH, MSG_BAD_LOGIN, NULL);
	}
	struct stmt *st = store_query(c->db, e, "SELECT id, pw_hash, locked_until, "
		"failed_logins, disabled FROM users WHERE username = $1", "t", username);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(id, sizeof(id), "%s", stmt_text(st, 0));
		snprintf(hash, sizeof(hash), "%s", stmt_text(st, 1));
		locked_until = stmt_int(st, 2);
		failed = stmt_int(st, 3);
		disabled = stmt_int(st, 4);
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		password_verify(dummy, password);
		return err_set(e, E_UNAUTH, MSG_BAD_LOGIN, NULL);
	}
	if (locked_until > now) {
		char secs[24];
		e->retry_after = (int)((locked_until - now + 999) / 1000);
		snprintf(secs, sizeof(secs), "%d", e->retry_after);
		return err_set(e, E_LOCKED, MSG_LOCKED, secs);
	}
	if (!password_verify(hash, password)) {
		/* Slowed from the 3rd failure (1 s, then 2 s), locked from the 5th.
		 * Counted in the database, atomically: parallel wrong passwords
		 * on several connections each count. */
		st = store_query(c->db, e, "UPDATE users SET failed_logins = failed_logins + 1 "
				 "WHERE id = $1 RETURNING failed_logins", "t", id);
		if (st == NULL)
			return -1;
		rc = stmt_step(st, e);
		failed = rc == 1 ? stmt_int(st, 0) : failed + 1;
		stmt_done(st);
		if (rc < 0)
			return -1;
		int64_t lock = 0;
		if (failed >= LIMIT_LOGIN_LOCK_AFTER)
			lock = now + LIMIT_LOGIN_LOCK_SECONDS * 1000LL;
		else if (failed >= LIMIT_LOGIN_SLOW_AFTER)
			lock = now + 1000LL * (1 << (failed - LIMIT_LOGIN_SLOW_AFTER));
		if (lock && store_run(c->db, e, "UPDATE users SET locked_until = MAX(locked_until, $1) "
				      "WHERE id = $2", "it", lock, id) < 0)
			return -1;
		if (failed >= LIMIT_LOGIN_LOCK_AFTER) {
			char secs[24];
			e->retry_after = LIMIT_LOGIN_LOCK_SECONDS;
			snprintf(secs, sizeof(secs), "%d", e->retry_after);
			return err_set(e, E_LOCKED, MSG_LOCKED, secs);
		}
		return err_set(e, E_UNAUTH, MSG_BAD_LOGIN, NULL);
	}
	if (disabled)
		return err_set(e, E_UNAUTH, MSG_USER_DISABLED, NULL);
	token_new(tok, hs);
	random_hex(csrf, 32);
	if (store_begin(c->db, e) != 0)
		return -1;
	if (store_run(c->db, e, "UPDATE users SET failed_logins = 0, locked_until = 0 "
		      "WHERE id = $1", "t", id) < 0 ||
	    token_insert(c, id, "session", hs, csrf,
			 now + LIMIT_SESSION_SECONDS * 1000LL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		return -1;
	}
	*user = user_get(c, id, e);
	return *user ? 0 : -1;
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
	if (policy_check(c->actor, ACT_TOKEN_CREATE, NULL, e) != 0 ||
	    store_begin(c->db, e) != 0)
		return -1;
	int n = store_run(c->db, e, "UPDATE tokens SET revoked_at = $1 WHERE kind = 'api' "
		"AND revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE username = $2)",
		"it", time_now_ms(), username);
	if (n < 0 || audit_append(c, "token.revoke", "user", username, NULL, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		return -1;
	}
	return n;
}
