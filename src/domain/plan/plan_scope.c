/* plan_scope.c - organisation scope shared by the register, resources and budget. */
#include <stdio.h>
#include <string.h>

#include "plan_scope.h"
#include "../directory/policy.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

int plan_org_scope(struct ctx *c, const char *code, struct org *o, struct err *e)
{
	if (code == NULL)
		return c->actor->system ? org_root(c, o, e) : org_by_id(c, c->actor->org_id, o, e);
	if (org_by_code(c, code, o, e) != 0 || !policy_in_scope(c->actor, o->path)) {
		err_clear(e);
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	}
	return 0;
}

void plan_parent_path(const char *path, char out[LIMIT_ORG_PATH])
{
	size_t n = strlen(path);
	out[0] = '\0';
	if (n < 2)
		return;
	/* "/a/b/c/": drop "c/" */
	size_t i = n - 1;
	while (i > 0 && path[i - 1] != '/')
		i--;
	if (i <= 1)
		return;   /* the root has no parent */
	snprintf(out, LIMIT_ORG_PATH, "%.*s", (int)i, path);
}

int plan_finance_scope(struct ctx *c, char path[LIMIT_ORG_PATH], struct err *e)
{
	path[0] = '\0';
	if (c->actor->system)
		return 0;
	struct stmt *st = store_query(c->db, e, "SELECT o.path FROM finance_offices f JOIN orgs o "
				      "ON o.id = f.org_id WHERE f.org_id = $1", "t", c->actor->org_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		plan_parent_path(stmt_text(st, 0), path);
	stmt_done(st);
	if (rc < 0)
		return -1;
	return rc == 1 && path[0] ? 1 : 0;
}

json_t *plan_time_json(struct stmt *st, int col)
{
	char ts[TIME_RFC3339_LEN];
	return stmt_isnull(st, col) ? json_null()
				    : json_string(time_format_utc(stmt_int(st, col), ts));
}

json_t *plan_int_json(struct stmt *st, int col)
{
	return stmt_isnull(st, col) ? json_null() : json_integer(stmt_int(st, col));
}
