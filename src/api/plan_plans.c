/*
 * plan_plans.c - response plans, their outline, the district's view and the
 * playbook on an incident (issue 15, h/plans). Each handler parses, calls
 * one domain function (src/domain/plan/) and renders.
 */
#include "api.h"
#include "../domain/plan/plan.h"
#include "../domain/plan/plan_doc.h"
#include "../domain/plan/plan_outline.h"
#include "../domain/plan/playbook.h"
#include "../doc/doc.h"

int api_plan_outline_get(struct req *r)
{
	return req_reply_versioned(r, 200, plan_outline_get(&r->ctx, &r->err));
}

int api_plan_outline_put(struct req *r)
{
	long long v = req_if_match_checked(r);
	json_t *body = v == -2 ? NULL : req_json(r);
	return body ? req_reply_versioned(r, 200, plan_outline_put(&r->ctx, v, body, &r->err)) : -1;
}

int api_plan_list(struct req *r)
{
	int limit = LIMIT_PAGE_DEFAULT;
	if (req_query_int(r, "limit", 1, LIMIT_PAGE_MAX, &limit) != 0)
		return -1;
	json_t *j = plan_list(&r->ctx, req_query(r, "org"), req_query(r, "status"),
			      req_query(r, "cursor"), limit, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_plan_create(struct req *r)
{
	json_t *body = req_json(r);
	return body ? req_reply_versioned(r, 201, plan_create(&r->ctx, body, &r->err)) : -1;
}

int api_plan_compliance(struct req *r)
{
	json_t *j = plan_compliance(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_plan_get(struct req *r)
{
	return req_reply_versioned(r, 200, plan_get(&r->ctx, r->params[0], &r->err));
}

int api_plan_update(struct req *r)
{
	long long v = req_if_match_checked(r);
	json_t *body = v == -2 ? NULL : req_json(r);
	return body ? req_reply_versioned(r, 200, plan_update(&r->ctx, r->params[0], v, body,
							      &r->err)) : -1;
}

int api_plan_transition(struct req *r)
{
	long long v = req_if_match_checked(r);
	json_t *body = v == -2 ? NULL : req_json(r);
	return body ? req_reply_versioned(r, 200, plan_transition(&r->ctx, r->params[0], v, body,
								  &r->err)) : -1;
}

int api_plan_new_version(struct req *r)
{
	return req_reply_versioned(r, 201, plan_new_version(&r->ctx, r->params[0], &r->err));
}

int api_plan_diff(struct req *r)
{
	json_t *j = plan_diff(&r->ctx, r->params[0], req_query(r, "from"), &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_plan_document(struct req *r)
{
	struct doc *d = plan_doc(&r->ctx, r->params[0], &r->err);
	if (d == NULL)
		return -1;
	return api_send_document(r, d, "ke-hoach-ung-pho");
}

int api_incident_playbook(struct req *r)
{
	json_t *j = playbook_for_incident(&r->ctx, r->params[0], &r->err);
	return j ? req_reply(r, 200, j) : -1;
}
