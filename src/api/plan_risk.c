/* plan_risk.c - the risk register: list, create, read, update, hints, heat map. */
#include "api.h"
#include "../domain/plan/risk.h"

int api_risk_list(struct req *r)
{
	json_t *j = risk_list(&r->ctx, req_query(r, "org"), req_query(r, "system"), &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_risk_create(struct req *r)
{
	json_t *body = req_json(r);
	return body ? req_reply_versioned(r, 201, risk_create(&r->ctx, body, &r->err)) : -1;
}

int api_risk_get(struct req *r)
{
	return req_reply_versioned(r, 200, risk_get(&r->ctx, r->params[0], &r->err));
}

int api_risk_update(struct req *r)
{
	long long v = req_if_match_checked(r);
	json_t *body = v == -2 ? NULL : req_json(r);
	return body ? req_reply_versioned(r, 200, risk_update(&r->ctx, r->params[0], v, body,
							      &r->err)) : -1;
}

int api_risk_heatmap(struct req *r)
{
	json_t *j = risk_heatmap(&r->ctx, req_query(r, "org"), &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_risk_hints(struct req *r)
{
	json_t *j = risk_hints(&r->ctx, r->params[0], &r->err);
	return j ? req_reply(r, 200, j) : -1;
}
