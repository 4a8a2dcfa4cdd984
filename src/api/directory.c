/* directory.c - organisations, people and the response forces' contacts. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "../base/jsonv.h"
#include "../base/msg.h"
#include "../domain/directory/org.h"
#include "../domain/directory/user.h"

static const struct jv_field org_fields[] = {
	{ "code", JV_STRING, 1, 0, 64, NULL, NULL },
	{ "name", JV_STRING, 1, 0, 300, NULL, NULL },
	{ "kind", JV_ENUM, 1, 0, 0, org_kinds, NULL },
	{ "parent_code", JV_STRING, 1, 0, 64, NULL, NULL },
	{ "address", JV_STRING, 0, 0, 300, NULL, NULL },
	{ "response_team", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field user_fields[] = {
	{ "username", JV_STRING, 1, 0, 64, NULL, NULL },
	{ "password", JV_STRING, 1, 0, 256, NULL, NULL },
	{ "org_code", JV_STRING, 1, 0, 64, NULL, NULL },
	{ "roles", JV_ENUMS, 1, 0, 6, role_names, NULL },
	{ "full_name", JV_STRING, 0, 0, 200, NULL, NULL },
	{ "email", JV_STRING, 0, 0, 200, NULL, NULL },
	{ "phone", JV_STRING, 0, 0, 50, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

int api_org_list(struct req *r)
{
	json_t *j = org_list(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_org_create(struct req *r)
{
	json_t *out = NULL, *body = req_json(r);
	if (body == NULL || jv_validate(body, org_fields, "", &r->err) != 0)
		return -1;
	struct org_new n = {
		.code = jv_str(body, "code"), .name = jv_str(body, "name"),
		.kind = jv_str(body, "kind"), .parent_code = jv_str(body, "parent_code"),
		.address = jv_str(body, "address"),
		.response_team = jv_bool(body, "response_team", 0),
	};
	if (org_add(&r->ctx, &n, &out, &r->err) != 0)
		return -1;
	return req_reply(r, 201, out);
}

int api_user_list(struct req *r)
{
	json_t *j = user_list(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_user_create(struct req *r)
{
	json_t *out = NULL, *body = req_json(r);
	if (body == NULL || jv_validate(body, user_fields, "", &r->err) != 0)
		return -1;
	unsigned roles = 0;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(body, "roles"), i, v)
		roles |= 1u << jv_enum_index(role_names, json_string_value(v));
	struct user_new n = {
		.username = jv_str(body, "username"), .password = jv_str(body, "password"),
		.org_code = jv_str(body, "org_code"), .full_name = jv_str(body, "full_name"),
		.email = jv_str(body, "email"), .phone = jv_str(body, "phone"), .roles = roles,
	};
	if (user_add(&r->ctx, &n, &out, &r->err) != 0)
		return -1;
	return req_reply(r, 201, out);
}

int api_user_disable(struct req *r)
{
	if (!uuid_valid(r->params[0]))
		return err_set(&r->err, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	json_t *j = user_disable(&r->ctx, r->params[0], &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_contact_list(struct req *r)
{
	json_t *j = contact_list(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_contact_create(struct req *r)
{
	json_t *body = req_json(r);
	json_t *j = body ? contact_add(&r->ctx, body, &r->err) : NULL;
	return j ? req_reply(r, 201, j) : -1;
}

int api_contact_update(struct req *r)
{
	json_t *body = req_json(r);
	json_t *j = body ? contact_update(&r->ctx, r->params[0], body, &r->err) : NULL;
	return j ? req_reply(r, 200, j) : -1;
}
