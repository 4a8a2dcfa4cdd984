/*
 * plan_scope.h - what the risk register, resources and budget share: which
 * organisation a request is about, and the finance office's reach.
 */
#ifndef UNGCUU_PLAN_SCOPE_H
#define UNGCUU_PLAN_SCOPE_H

#include "../domain.h"
#include "../directory/org.h"

/* The organisation a list or a map is about: code if given and in scope
 * (else 404: another agency's register is not found), else the actor's own
 * (the root for the command line). */
int plan_org_scope(struct ctx *c, const char *code, struct org *o, struct err *e);
/* Whether the actor's organisation is a finance office (finance_offices):
 * 1 with the path of the subtree it serves (its parent's) in path, 0 when
 * it is not one, -1 on error. */
int plan_finance_scope(struct ctx *c, char path[LIMIT_ORG_PATH], struct err *e);
/* The parent's path of an organisation path "/a/b/c/" -> "/a/b/"; "" for
 * the root. */
void plan_parent_path(const char *path, char out[LIMIT_ORG_PATH]);

/* Row helpers: a time column as RFC 3339 or null; an int column or null. */
json_t *plan_time_json(struct stmt *st, int col);
json_t *plan_int_json(struct stmt *st, int col);

#endif
