/* session.c - log in (session cookie + CSRF token), who am I, log out. */
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

int api_session_create(struct req *r)
{
	char tok[TOKEN_LEN], csrf[65];
	if (req_login_gate(r) != 0)
		return -1; /* 429 before any password work */
	json_t *user = NULL, *body = req_json(r);
	if (body == NULL || jv_validate(body, login_fields, "", &r->err) != 0)
		return -1;
	if (auth_login(&r->ctx, jv_str(body, "username"), jv_str(body, "password"), tok,
		       csrf, &user, &r->err) != 0)
		return -1;
	r->set_cookie = arena_printf(r->arena, "ungcuu_session=%s; Path=/; HttpOnly; "
				     "SameSite=Strict; Max-Age=%d", tok, LIMIT_SESSION_SECONDS);
	return req_reply(r, 200, json_pack("{s:o, s:s}", "user", user, "csrf", csrf));
}

int api_session_get(struct req *r)
{
	json_t *user = user_get(&r->ctx, r->actor.id, &r->err);
	if (user == NULL)
		return -1;
	return req_reply(r, 200, json_pack("{s:o, s:s}", "user", user, "csrf", r->actor.csrf));
}

int api_session_delete(struct req *r)
{
	const char *tok = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "ungcuu_session");
	if (tok)
		auth_logout(&r->ctx, tok);
	r->set_cookie = "ungcuu_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
	return req_reply_empty(r, 204);
}
