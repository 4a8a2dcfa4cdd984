/*
 * audit.h - the append-only audit log (table audit_log), a SHA-256 hash chain:
 * each entry's hash covers all its fields and the previous entry's hash, and
 * meta.audit_head holds the newest hash so a removed last entry shows too.
 */
#ifndef UNGCUU_AUDIT_H
#define UNGCUU_AUDIT_H

#include "../domain.h"

/* Appends one entry; must run inside the caller's write transaction.
 * before/after are JSON texts or NULL. */
int audit_append(struct ctx *c, const char *action, const char *entity,
		 const char *entity_id, const char *before, const char *after,
		 struct err *e);
/* Same with JSON documents (not stolen). */
int audit_append_json(struct ctx *c, const char *action, const char *entity,
		      const char *entity_id, const json_t *before,
		      const json_t *after, struct err *e);

struct audit_result {
	long long entries;
	long long first_bad;   /* seq of the first broken entry, 0 if intact */
	char why[128];
};
int audit_verify(struct store *db, struct audit_result *r, struct err *e);

#endif
