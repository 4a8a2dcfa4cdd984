/*
 * plan_reports.c - drills, the periodic reports (Mẫu 05, Mẫu 01) and the
 * annual implementation report (issue 15, items 4 and 6). Each handler
 * parses, calls one domain function, renders.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "../base/msg.h"
#include "../doc/doc.h"
#include "../domain/plan/annual.h"
#include "../domain/plan/drill.h"
#include "../domain/plan/mau05.h"

/* ?year=YYYY between 2017 and 2200; *year stays as given when absent. */
static int query_year(struct req *r, int *year)
{
	return req_query_int(r, "year", 2017, 2200, year);
}

int api_drill_list(struct req *r)
{
	int year = 0;
	if (query_year(r, &year) != 0)
		return -1;
	json_t *j = drill_list(&r->ctx, req_query(r, "org"), year, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_drill_create(struct req *r)
{
	json_t *body = req_json(r);
	return body ? req_reply_versioned(r, 201, drill_create(&r->ctx, body, &r->err)) : -1;
}

int api_drill_get(struct req *r)
{
	return req_reply_versioned(r, 200, drill_get(&r->ctx, r->params[0], &r->err));
}

int api_drill_update(struct req *r)
{
	long long v = req_if_match_checked(r);
	json_t *body = v == -2 ? NULL : req_json(r);
	return body ? req_reply_versioned(r, 200, drill_update(&r->ctx, r->params[0], v, body,
							      &r->err)) : -1;
}

int api_drill_action_create(struct req *r)
{
	json_t *body = req_json(r);
	json_t *j = body ? drill_action_add(&r->ctx, r->params[0], body, &r->err) : NULL;
	return j ? req_reply(r, 201, j) : -1;
}

int api_drill_action_update(struct req *r)
{
	json_t *body = req_json(r);
	json_t *j = body ? drill_action_update(&r->ctx, r->params[0], r->params[1], body,
					       &r->err) : NULL;
	return j ? req_reply(r, 200, j) : -1;
}

int api_drill_document(struct req *r)
{
	struct doc *d = drill_doc(&r->ctx, r->params[0], &r->err);
	return d ? api_send_document(r, d, "bao-cao-dien-tap") : -1;
}

int api_drill_compliance(struct req *r)
{
	json_t *j = drill_compliance(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_mau05_list(struct req *r)
{
	json_t *j = mau05_list(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_mau05_create(struct req *r)
{
	json_t *body = req_json(r);
	return body ? req_reply_versioned(r, 201, mau05_create(&r->ctx, body, &r->err)) : -1;
}

int api_mau05_get(struct req *r)
{
	return req_reply_versioned(r, 200, mau05_get(&r->ctx, r->params[0], &r->err));
}

int api_mau05_update(struct req *r)
{
	long long v = req_if_match_checked(r);
	json_t *body = v == -2 ? NULL : req_json(r);
	return body ? req_reply_versioned(r, 200, mau05_update(&r->ctx, r->params[0], v, body,
							      &r->err)) : -1;
}

int api_mau05_send(struct req *r)
{
	long long v = req_if_match_checked(r);
	if (v == -2)
		return -1;
	return req_reply_versioned(r, 200, mau05_send(&r->ctx, r->params[0], v, &r->err));
}

/* The approval between draft and sent (issue 17, h/duty): submit,
 * approve (no body), return (body {reason}); If-Match required. */
static int mau05_decide_reply(struct req *r, const char *action, int with_body)
{
	long long v = req_if_match_checked(r);
	if (v == -2)
		return -1;
	json_t *body = with_body ? req_json(r) : NULL;
	if (with_body && body == NULL)
		return -1;
	return req_reply_versioned(r, 200, mau05_decide(&r->ctx, r->params[0], v, action, body,
							&r->err));
}

int api_mau05_submit(struct req *r)
{
	return mau05_decide_reply(r, "submit", 0);
}

int api_mau05_approve(struct req *r)
{
	return mau05_decide_reply(r, "approve", 0);
}

int api_mau05_return(struct req *r)
{
	return mau05_decide_reply(r, "return", 1);
}

int api_mau05_document(struct req *r)
{
	struct doc *d = mau05_doc(&r->ctx, r->params[0], &r->err);
	return d ? api_send_document(r, d, "mau-05") : -1;
}

int api_mau01_get(struct req *r)
{
	json_t *j = mau01_get(&r->ctx, r->params[0], &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_mau01_document(struct req *r)
{
	struct doc *d = mau01_doc(&r->ctx, r->params[0], &r->err);
	return d ? api_send_document(r, d, "mau-01") : -1;
}

int api_annual_get(struct req *r)
{
	int year = 0;
	if (query_year(r, &year) != 0)
		return -1;
	if (year == 0)
		return err_field(&r->err, "/year", MSG_REQUIRED, NULL);
	json_t *j = annual_get(&r->ctx, req_query(r, "org"), year, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_annual_document(struct req *r)
{
	int year = 0;
	char id[96];
	if (query_year(r, &year) != 0)
		return -1;
	if (year == 0)
		return err_field(&r->err, "/year", MSG_REQUIRED, NULL);
	const char *org = req_query(r, "org");
	if (org && strlen(org) > 64)
		return err_set(&r->err, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	if (org)
		snprintf(id, sizeof(id), "%s:%d", org, year);
	else
		snprintf(id, sizeof(id), "%d", year);
	struct doc *d = annual_doc(&r->ctx, id, &r->err);
	return d ? api_send_document(r, d, "bao-cao-nam") : -1;
}
