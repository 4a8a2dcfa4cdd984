/* session.c - log in (password, then a second factor where due: session
 * cookie + CSRF token), who am I, log out; one's own account (password,
 * second factor). */
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "api.h"
#include "../base/jsonv.h"
#include "../base/limits.h"
#include "../domain/directory/user.h"

static const struct jv_field login_fields[] = {
	{ "username", JV_STRING, 1, 0, 64, NULL, NULL },
	{ "password", JV_STRING, 1, 0, LIMIT_PASSWORD_MAX, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field second_factor_fields[] = {
	{ "challenge", JV_STRING, 1, 0, 64, NULL, NULL },
	{ "code", JV_STRING, 1, 0, 64, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static void set_session_cookie(struct req *r, const char *tok)
{
	r->set_cookie = arena_printf(r->arena, "ungcuu_session=%s; Path=/; HttpOnly; "
				     "SameSite=Strict; Max-Age=%d", tok, LIMIT_SESSION_SECONDS);
}

/* A session (200, the cookie) or the challenge of the next step (202). */
static int login_reply(struct req *r, struct login_result *lr)
{
	json_t *j;
	int status = 200;
	if (lr->second_factor) {
		status = 202;
		j = json_pack("{s:s, s:s, s:o}", "second_factor", lr->second_factor,
			      "challenge", lr->challenge, "expires_at", ms_json(lr->challenge_expires));
		if (j && strcmp(lr->second_factor, "enrol") == 0)
			json_object_set_new(j, "totp", json_pack("{s:s, s:s}", "secret", lr->secret,
								 "uri", lr->uri));
	} else {
		set_session_cookie(r, lr->token);
		j = json_pack("{s:O, s:s}", "user", lr->user, "csrf", lr->csrf);
		if (j && lr->recovery_codes)
			json_object_set(j, "recovery_codes", lr->recovery_codes);
	}
	login_result_release(lr);
	return req_reply(r, status, j);
}

int api_session_create(struct req *r)
{
	struct login_result lr;
	if (req_login_gate(r) != 0)
		return -1; /* 429 before any password work */
	json_t *body = req_json(r);
	if (body == NULL || jv_validate(body, login_fields, "", &r->err) != 0)
		return -1;
	if (auth_login(&r->ctx, jv_str(body, "username"), jv_str(body, "password"), &lr,
		       &r->err) != 0)
		return -1;
	return login_reply(r, &lr);
}

int api_session_second_factor(struct req *r)
{
	struct login_result lr;
	if (req_login_gate(r) != 0)
		return -1; /* codes are guesses too: the same gate */
	json_t *body = req_json(r);
	if (body == NULL || jv_validate(body, second_factor_fields, "", &r->err) != 0)
		return -1;
	if (auth_second_factor(&r->ctx, jv_str(body, "challenge"), jv_str(body, "code"), &lr,
			       &r->err) != 0)
		return -1;
	return login_reply(r, &lr);
}

int api_session_get(struct req *r)
{
	json_t *user = user_get(&r->ctx, r->actor.id, &r->err);
	json_t *sf = user ? account_second_factor(&r->ctx, &r->err) : NULL;
	if (sf == NULL) {
		json_decref(user);
		return -1;
	}
	return req_reply(r, 200, json_pack("{s:o, s:s, s:o}", "user", user, "csrf", r->actor.csrf,
					   "second_factor", sf));
}

int api_session_delete(struct req *r)
{
	const char *tok = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "ungcuu_session");
	if (tok)
		auth_logout(&r->ctx, tok);
	r->set_cookie = "ungcuu_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
	return req_reply_empty(r, 204);
}

static const struct jv_field password_fields[] = {
	{ "current_password", JV_STRING, 1, 0, LIMIT_PASSWORD_MAX, NULL, NULL },
	{ "new_password", JV_STRING, 1, 0, LIMIT_PASSWORD_MAX, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field totp_begin_fields[] = {
	{ "password", JV_STRING, 1, 0, LIMIT_PASSWORD_MAX, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field code_fields[] = {
	{ "code", JV_STRING, 1, 0, 64, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* A new password ends every session, this one too: 204 and the cookie
 * cleared; the person logs in again with it. */
int api_account_password(struct req *r)
{
	json_t *body = req_json(r);
	if (body == NULL || jv_validate(body, password_fields, "", &r->err) != 0 ||
	    account_password(&r->ctx, jv_str(body, "current_password"),
			     jv_str(body, "new_password"), &r->err) != 0)
		return -1;
	if (r->actor.via_session)
		r->set_cookie = "ungcuu_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
	return req_reply_empty(r, 204);
}

int api_account_totp_begin(struct req *r)
{
	char secret[TOTP_SECRET_LEN], uri[TOTP_URI_LEN];
	json_t *body = req_json(r);
	if (body == NULL || jv_validate(body, totp_begin_fields, "", &r->err) != 0 ||
	    account_totp_begin(&r->ctx, jv_str(body, "password"), secret, uri, &r->err) != 0)
		return -1;
	json_t *j = json_pack("{s:s, s:s}", "secret", secret, "uri", uri);
	memset(secret, 0, sizeof(secret));
	return req_reply(r, 201, j);
}

int api_account_totp_confirm(struct req *r)
{
	json_t *j, *body = req_json(r);
	if (body == NULL || jv_validate(body, code_fields, "", &r->err) != 0)
		return -1;
	j = account_totp_confirm(&r->ctx, jv_str(body, "code"), &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_account_totp_disable(struct req *r)
{
	json_t *body = req_json(r);
	if (body == NULL || jv_validate(body, code_fields, "", &r->err) != 0 ||
	    account_totp_off(&r->ctx, jv_str(body, "code"), &r->err) != 0)
		return -1;
	return req_reply_empty(r, 204);
}

int api_account_recovery_codes(struct req *r)
{
	json_t *j, *body = req_json(r);
	if (body == NULL || jv_validate(body, code_fields, "", &r->err) != 0)
		return -1;
	j = account_recovery_codes(&r->ctx, jv_str(body, "code"), &r->err);
	return j ? req_reply(r, 200, j) : -1;
}
