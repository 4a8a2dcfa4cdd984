/*
 * fed_kinds.c - what issue 16 still lacked (h/fed-kinds): withdrawing a
 * warning (it travels down to the children's instances), and what the
 * children's instances sent back about a hunt. Each handler parses, calls
 * one function, renders.
 */
#include "api.h"
#include "../domain/vuln/warning.h"
#include "../sync/kinds.h"
#include "../base/banned.h"

/* POST /warnings/{id}/withdraw {reason} */
int api_warning_withdraw(struct req *r)
{
	json_t *body = req_json(r);
	json_t *j = body ? warning_withdraw(&r->ctx, r->params[0], body, &r->err) : NULL;
	return j ? req_reply(r, 200, j) : -1;
}

/* GET /hunts/{id}/peers: per child organisation, the summary it sent. */
int api_hunt_peers(struct req *r)
{
	json_t *j = sync_kinds_hunt_peers(&r->ctx, r->params[0], &r->err);
	return j ? req_reply(r, 200, j) : -1;
}
