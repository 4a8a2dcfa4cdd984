/* duty.c - the standing duty: roster, notifications, deliveries (issue 17,
 * h/notify). Each handler parses, calls one domain function, renders. */
#include "api.h"
#include "../domain/duty/notify_rules.h"
#include "../domain/duty/roster.h"
#include "../base/banned.h"

int api_duty_now(struct req *r)
{
	json_t *j = roster_now(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_duty_shift_list(struct req *r)
{
	json_t *j = roster_list(&r->ctx, req_query(r, "org_code"), &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_duty_shift_create(struct req *r)
{
	json_t *body = req_json(r);
	json_t *j = body ? roster_add(&r->ctx, body, &r->err) : NULL;
	return j ? req_reply(r, 201, j) : -1;
}

int api_duty_shift_delete(struct req *r)
{
	return roster_remove(&r->ctx, r->params[0], &r->err) == 0 ? req_reply_empty(r, 204) : -1;
}

int api_notification_list(struct req *r)
{
	int limit = 50;
	if (req_query_int(r, "limit", 1, 200, &limit) != 0)
		return -1;
	json_t *j = notify_list(&r->ctx, req_query_flag(r, "unread"), limit, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_notification_count(struct req *r)
{
	json_t *j = notify_count(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_notification_read(struct req *r)
{
	return notify_mark_read(&r->ctx, r->params[0], &r->err) == 0 ? req_reply_empty(r, 204)
								      : -1;
}

int api_notify_prefs_get(struct req *r)
{
	json_t *j = notify_prefs_get(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_notify_prefs_put(struct req *r)
{
	json_t *body = req_json(r);
	json_t *j = body ? notify_prefs_put(&r->ctx, body, &r->err) : NULL;
	return j ? req_reply(r, 200, j) : -1;
}

int api_delivery_list(struct req *r)
{
	int limit = 100;
	if (req_query_int(r, "limit", 1, 1000, &limit) != 0)
		return -1;
	json_t *j = notify_deliveries(&r->ctx, req_query(r, "status"), limit, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}
