/*
 * asset.h - the registry of information systems (NĐ85/2016: level, approval,
 * information type, function, next security check) and of the hosts that
 * make them up, with their inventories (packages, services, hotfixes).
 * Same rules as incidents: organisation scope, audit, If-Match versions.
 */
#ifndef UNGCUU_ASSET_H
#define UNGCUU_ASSET_H

#include "../domain.h"

/* A page of the systems or hosts the actor sees (domain/page.h): filters
 * org (its subtree), q (in the name, operator, hostname or addresses),
 * level (systems, 1..5; 0 any), system (hosts), retired ("true"|"false");
 * sort, order, cursor, limit. */
struct asset_filter {
	const char *org_code, *system_id, *q, *retired, *sort, *order, *cursor;
	int level, limit;
};

json_t *system_create(struct ctx *c, json_t *body, struct err *e);
json_t *system_list(struct ctx *c, const struct asset_filter *f, struct err *e);
json_t *system_get(struct ctx *c, const char *id, struct err *e);
/* 0 when system_id is NULL or names a system of the organisation at
 * org_path; else a 422 field error at ptr (the system is not found). */
int system_check(struct ctx *c, const char *system_id, const char *org_path, const char *ptr,
		 struct err *e);
json_t *system_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		      struct err *e);

json_t *host_create(struct ctx *c, json_t *body, struct err *e);
json_t *host_list(struct ctx *c, const struct asset_filter *f, struct err *e);
/* A host with its packages, services, hotfixes and findings. */
json_t *host_get(struct ctx *c, const char *id, struct err *e);
json_t *host_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		    struct err *e);

/* Registers a host for an agent: its public key (64 hex chars) becomes the
 * host's identity. The host belongs to org_code (default: the actor's). A
 * key belongs to one host for good: a key another host holds or held is
 * refused (E_CONFLICT). A host that already has an agent is re-enrolled
 * (new key, or the same again) only when the body says "reenroll": true;
 * the old key is retired and the act audited (agent.reenroll). */
json_t *agent_enroll(struct ctx *c, json_t *body, struct err *e);

/* What makes an agent upload fresh, inside its signed body: collected_at
 * within the instance's clock window (rules->agent_skew_ms) of the
 * server's time, both sides, and a sequence number above every one the key
 * signed before. */
struct agent_stamp {
	const char *host_id;   /* the host and key that signed (lent) */
	const char *key;
	int64_t at;            /* collected_at, ms */
	int64_t seq;           /* 1 .. LIMIT_AGENT_SEQ */
};
/* Reads collected_at and sequence from a signed body (field errors at
 * /collected_at, /sequence: 422). Changes nothing. */
int agent_stamp_read(const struct ctx *c, json_t *body, struct agent_stamp *s,
		     struct err *e);
/* Checks an agent's time (ms) against the clock window; -1 with
 * MSG_AGENT_CLOCK (naming the server's time) as a field error at ptr, or
 * as E_UNAUTH when ptr is NULL (a signed GET's X-Agent-Time). */
int agent_clock_check(const struct ctx *c, int64_t at, const char *ptr, struct err *e);
/* Inside the upload's transaction: records s->seq as the key's last one.
 * -1 with E_CONFLICT when it is not above the last (a replay, a stale
 * state), E_UNAUTH when the key is no longer the host's. */
int agent_stamp_take(struct ctx *c, const struct agent_stamp *s, struct err *e);
/* The host an agent key belongs to; its id into host_id. */
int host_by_agent_key(struct ctx *c, const char *key, char host_id[UUID_LEN],
		      char org_path[LIMIT_ORG_PATH], struct err *e);
/* Replaces a host's inventory with a validated inventory document (agent
 * upload or Windows collector file), inside the caller's transaction. A
 * file collected before the stored inventory replaces nothing (E_CONFLICT,
 * naming when the stored one was collected); agent uploads are ordered by
 * their sequence instead. */
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
