/*
 * sync_admin.c - the federation's administration (issue 16, h/sync-core):
 * this instance's key, the peers, the state of the exchange. Administrators
 * of the instance's home organisation only (ACT_SYNC_ADMIN, checked by
 * the sync functions through policy_check).
 */
#include "api.h"
#include "../sync/sync.h"
#include "../base/banned.h"

int api_sync_self(struct req *r)
{
	json_t *j = sync_self(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_sync_peer_list(struct req *r)
{
	json_t *j = sync_peer_list(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_sync_peer_create(struct req *r)
{
	json_t *body = req_json(r);
	char id[UUID_LEN];
	struct sync_peer p;
	if (body == NULL || sync_peer_add(&r->ctx, body, id, &r->err) != 0 ||
	    sync_peer_get(&r->ctx, id, &p, &r->err) != 0)
		return -1;
	char fp[SYNC_FINGERPRINT_LEN];
	sync_fingerprint(p.instance, fp);
	return req_reply(r, 201, json_pack("{s:s, s:s, s:s, s:s}", "id", p.id, "name", p.name,
					   "instance", p.instance, "fingerprint", fp));
}

int api_sync_peer_delete(struct req *r)
{
	if (sync_peer_remove(&r->ctx, r->params[0], &r->err) != 0)
		return -1;
	return req_reply(r, 200, json_pack("{s:b}", "deleted", 1));
}

int api_sync_status(struct req *r)
{
	json_t *j = sync_status(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_sync_refusals(struct req *r)
{
	int limit = LIMIT_PAGE_DEFAULT;
	if (req_query_int(r, "limit", 1, LIMIT_PAGE_MAX, &limit) != 0)
		return -1;
	json_t *j = sync_refusals(&r->ctx, req_query(r, "peer"), limit, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}
