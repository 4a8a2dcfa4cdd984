/*
 * resource.h - what an organisation can call on when it responds
 * (regulation.md §8 outline: resources incl. contractors; equipment):
 * equipment, tools, services and contractors (contract period, scope,
 * contact) and people with their skills.
 */
#ifndef UNGCUU_PLAN_RESOURCE_H
#define UNGCUU_PLAN_RESOURCE_H

#include "../domain.h"

/* equipment, tool, service, contractor, person (NULL-terminated). */
extern const char *const resource_kinds[];

json_t *resource_create(struct ctx *c, json_t *body, struct err *e);
/* org_code's subtree (NULL: the actor's organisation; out of scope: 404),
 * optionally one kind; retired ones last. */
json_t *resource_list(struct ctx *c, const char *org_code, const char *kind, struct err *e);
json_t *resource_update(struct ctx *c, const char *id, long long if_match, json_t *body,
			struct err *e);

#endif
