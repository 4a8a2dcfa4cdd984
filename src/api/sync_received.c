/*
 * sync_received.c - GET /api/v1/sync/received: what came from the other
 * instances (issue 16, h/fed-ui). Every reader; each sees the items of its
 * subtree (sync_received_list applies the scope).
 */
#include "api.h"
#include "../sync/received.h"
#include "../base/banned.h"

int api_sync_received_list(struct req *r)
{
	struct page_ask pa;
	struct sync_received_ask q = {
		.section = req_query(r, "section"), .peer = req_query(r, "peer"),
		.q = req_query(r, "q"), .state = req_query(r, "state"),
	};
	json_t *j = api_page_ask(r, &pa) == 0 ? sync_received_list(&r->ctx, &q, &pa, &r->err)
					      : NULL;
	return j ? req_reply(r, 200, j) : -1;
}
