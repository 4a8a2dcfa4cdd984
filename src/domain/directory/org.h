/*
 * org.h - the organisation tree (national coordinator > province > district
 * > agencies, communes, telecom operators, providers) and the response
 * forces' contacts. Names of authorities are data, never code.
 */
#ifndef UNGCUU_ORG_H
#define UNGCUU_ORG_H

#include "../domain.h"

extern const char *const org_kinds[];   /* NULL-terminated */

struct org {
	char id[UUID_LEN];
	char code[65];
	char name[301];
	char kind[16];
	char path[LIMIT_ORG_PATH];
	int response_team;
};

struct org_new {
	const char *code, *name, *kind, *parent_code, *address;
	int response_team;
};

/* Adds an organisation; *out (may be NULL) gets its JSON. */
int org_add(struct ctx *c, const struct org_new *n, json_t **out, struct err *e);
int org_by_code(struct ctx *c, const char *code, struct org *o, struct err *e);
int org_by_id(struct ctx *c, const char *id, struct org *o, struct err *e);
/* The root of the tree (the first organisation without a parent). */
int org_root(struct ctx *c, struct org *o, struct err *e);
/* The instance's home organisation, whose administrators and coordinators
 * act for the whole instance (instance-wide data such as vulnerability
 * feeds): the organisation of the first administrator (`ungcuu init`
 * creates it with the root organisation; the demo puts it at the district
 * under the peers' nodes), else the root. */
int org_home(struct ctx *c, struct org *o, struct err *e);
/* The nearest organisation above org_path that runs a response team. */
int org_response_team_above(struct ctx *c, const char *org_path, struct org *o,
			    struct err *e);
/* The organisations the actor sees: its subtree and its ancestors. */
json_t *org_list(struct ctx *c, struct err *e);
json_t *org_json(const struct org *o);

/* Response forces' contacts (regulation.md §1: đầu mối, reachable 24/7). */
json_t *contact_add(struct ctx *c, json_t *body, struct err *e);
json_t *contact_update(struct ctx *c, const char *id, json_t *body, struct err *e);
json_t *contact_list(struct ctx *c, struct err *e);

#endif
