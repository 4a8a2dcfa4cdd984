/* misc.c - health, the API description, vocabularies, deadlines, stats. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "../base/msg.h"
#include "../domain/incident/incident.h"

int api_health(struct req *r)
{
	return req_reply(r, 200, json_pack("{s:s, s:s}", "status", "ok",
					   "version", r->srv->version));
}

int api_openapi(struct req *r)
{
	r->status = 200;
	r->ctype = "application/json";
	r->out_static = api_openapi_doc;
	r->out_len = strlen(api_openapi_doc);
	return 0;
}

int api_meta(struct req *r)
{
	return req_reply(r, 200, incident_meta());
}

int api_deadlines(struct req *r)
{
	int limit = 1000;
	if (req_query_int(r, "limit", 1, 1000, &limit) != 0)
		return -1;
	json_t *j = deadline_list(&r->ctx, req_query_flag(r, "overdue"), req_query_flag(r, "due_soon"),
				 limit, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_stats(struct req *r)
{
	json_t *j = incident_stats(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}
