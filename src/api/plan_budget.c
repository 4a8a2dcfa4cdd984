/* plan_budget.c - resources, budget lines, the district roll-up and its exports. */
#include <microhttpd.h>

#include "api.h"
#include "../base/msg.h"
#include "../domain/plan/budget.h"
#include "../domain/plan/resource.h"

typedef json_t *(*create_fn)(struct ctx *, json_t *, struct err *);
typedef json_t *(*update_fn)(struct ctx *, const char *, long long, json_t *, struct err *);

static int create(struct req *r, create_fn fn)
{
	json_t *body = req_json(r);
	return body ? req_reply_versioned(r, 201, fn(&r->ctx, body, &r->err)) : -1;
}

static int update(struct req *r, update_fn fn)
{
	long long v = req_if_match_checked(r);
	json_t *body = v == -2 ? NULL : req_json(r);
	return body ? req_reply_versioned(r, 200, fn(&r->ctx, r->params[0], v, body, &r->err)) : -1;
}

int api_resource_list(struct req *r)
{
	json_t *j = resource_list(&r->ctx, req_query(r, "org"), req_query(r, "kind"), &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_resource_create(struct req *r) { return create(r, resource_create); }
int api_resource_update(struct req *r) { return update(r, resource_update); }
int api_budget_create(struct req *r) { return create(r, budget_create); }
int api_budget_update(struct req *r) { return update(r, budget_update); }

int api_budget_list(struct req *r)
{
	int year = 0;
	if (req_query_int(r, "year", 2000, 2100, &year) != 0)
		return -1;
	json_t *j = budget_list(&r->ctx, req_query(r, "org"), year, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_budget_submit(struct req *r)
{
	long long v = req_if_match_checked(r);
	if (v == -2)
		return -1;
	return req_reply_versioned(r, 200, budget_submit(&r->ctx, r->params[0], v, &r->err));
}

/* ?year= (required, 2000..2100) */
static int rollup_year(struct req *r, int *year)
{
	*year = 0;
	if (req_query_int(r, "year", 2000, 2100, year) != 0)
		return -1;
	if (*year == 0)
		return err_field(&r->err, "/year", MSG_REQUIRED, NULL);
	return 0;
}

int api_budget_rollup(struct req *r)
{
	int year;
	if (rollup_year(r, &year) != 0)
		return -1;
	json_t *j = budget_rollup(&r->ctx, req_query(r, "org"), year, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

static int send_file(struct req *r, char *bytes, size_t len, const char *ctype,
		     const char *disposition)
{
	if (bytes == NULL)
		return -1;
	r->status = 200;
	r->ctype = ctype;
	r->out = bytes;
	r->out_len = len;
	r->extra_header[0][0] = MHD_HTTP_HEADER_CONTENT_DISPOSITION;
	r->extra_header[0][1] = disposition;
	return 0;
}

int api_budget_rollup_csv(struct req *r)
{
	int year;
	size_t len = 0;
	if (rollup_year(r, &year) != 0)
		return -1;
	char *csv = budget_rollup_csv(&r->ctx, req_query(r, "org"), year, &len, &r->err);
	return send_file(r, csv, len, "text/csv; charset=utf-8",
			 "attachment; filename=\"ungcuu-ngan-sach.csv\"");
}

int api_budget_rollup_xlsx(struct req *r)
{
	int year;
	size_t len = 0;
	if (rollup_year(r, &year) != 0)
		return -1;
	char *xlsx = budget_rollup_xlsx(&r->ctx, req_query(r, "org"), year, &len, &r->err);
	return send_file(r, xlsx, len, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			 "attachment; filename=\"ungcuu-ngan-sach.xlsx\"");
}
