/*
 * asset.h - the registry of information systems (NĐ85/2016: level, approval,
 * information type, function, next security check) and of the hosts that
 * make them up, with their inventories (packages, services, hotfixes).
 * Same rules as incidents: organisation scope, audit, If-Match versions.
 */
#ifndef UNGCUU_ASSET_H
#define UNGCUU_ASSET_H

#include "../domain.h"

json_t *system_create(struct ctx *c, json_t *body, struct err *e);
json_t *system_list(struct ctx *c, const char *org_code, struct err *e);
json_t *system_get(struct ctx *c, const char *id, struct err *e);
/* 0 when system_id is NULL or names a system of the organisation at
 * org_path; else a 422 field error at ptr (the system is not found). */
int system_check(struct ctx *c, const char *system_id, const char *org_path, const char *ptr,
		 struct err *e);
json_t *system_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		      struct err *e);

json_t *host_create(struct ctx *c, json_t *body, struct err *e);
json_t *host_list(struct ctx *c, const char *org_code, const char *system_id, struct err *e);
/* A host with its packages, services, hotfixes and findings. */
json_t *host_get(struct ctx *c, const char *id, struct err *e);
json_t *host_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		    struct err *e);

/* Registers a host for an agent: its public key (64 hex chars) becomes the
 * host's identity. The host belongs to org_code (default: the actor's). */
json_t *agent_enroll(struct ctx *c, json_t *body, struct err *e);
/* The host an agent key belongs to; its id into host_id. */
int host_by_agent_key(struct ctx *c, const char *key, char host_id[UUID_LEN],
		      char org_path[LIMIT_ORG_PATH], struct err *e);
/* Replaces a host's inventory with a validated inventory document (agent
 * upload or Windows collector file), inside the caller's transaction. */
int host_store_inventory(struct ctx *c, const char *host_id, json_t *inv,
			 const char *origin, struct err *e);
/* Finds a host of the organisation by hostname or address, or creates it;
 * inside the caller's transaction. */
int host_find_or_create(struct ctx *c, const char *org_id, const char *hostname,
			const char *address, char host_id[UUID_LEN], int *created,
			struct err *e);

/* Values a system's fields may take (regulation.md §9). */
extern const char *const system_info_types[];
extern const char *const system_functions[];

#endif
