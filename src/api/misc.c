/* misc.c - health, the API description, vocabularies, deadlines, stats. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "../base/msg.h"
#include "../store/leader.h"
#include "../domain/incident/incident.h"

/* For the load balancer (packaging/haproxy.cfg): 200 when this node reaches
 * its database, 503 problem+json when it does not; whether the node leads
 * the background work (always on SQLite) and in which epoch. */
int api_health(struct req *r)
{
	if (store_ping(r->ctx.db, &r->err) != 0) {
		if (r->err.code != E_UNAVAILABLE)
			err_set(&r->err, E_UNAVAILABLE, MSG_DB_UNAVAILABLE, r->err.arg);
		return -1;
	}
	return req_reply(r, 200, json_pack("{s:s, s:s, s:{s:s, s:b}, s:b, s:I}", "status", "ok",
					   "version", r->srv->version, "database", "backend",
					   store_backend(r->ctx.db), "ok", 1, "leader", leader_is(),
					   "epoch", (json_int_t)leader_epoch()));
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
