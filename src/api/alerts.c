/* alerts.c - syslog alerts and the intake's counters (issue 17 item 6, h/syslog). */
#include "api.h"
#include "../domain/duty/alert.h"
#include "../domain/page.h"

int api_alert_list(struct req *r)
{
	struct page_ask pa;
	json_t *j = api_page_ask(r, &pa) == 0 ? alert_list(&r->ctx, req_query(r, "status"),
							    req_query(r, "org"), &pa, &r->err)
					       : NULL;
	return j ? req_reply(r, 200, j) : -1;
}

int api_alert_get(struct req *r)
{
	return req_reply_versioned(r, 200, alert_get(&r->ctx, r->params[0], &r->err));
}

int api_alert_promote(struct req *r)
{
	long long v = req_if_match_checked(r);
	json_t *body = v == -2 ? NULL : req_json(r);
	return body ? req_reply_versioned(r, 201, alert_promote(&r->ctx, r->params[0], v, body,
								&r->err)) : -1;
}

int api_alert_dismiss(struct req *r)
{
	long long v = req_if_match_checked(r);
	json_t *body = v == -2 ? NULL : req_json(r);
	return body ? req_reply_versioned(r, 200, alert_dismiss(&r->ctx, r->params[0], v, body,
								&r->err)) : -1;
}

int api_syslog_status(struct req *r)
{
	json_t *j = syslog_status(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}
