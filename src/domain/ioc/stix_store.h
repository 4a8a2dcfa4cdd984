/*
 * stix_store.h - what the indicator store keeps of STIX 2.1 besides its
 * rows (migration 011): every imported object as it came, linked to the
 * rows it stands for, and the ids and times of the objects ungcuu makes on
 * export. Used by indicator.c only.
 */
#ifndef UNGCUU_STIX_STORE_H
#define UNGCUU_STIX_STORE_H

#include "../domain.h"
#include "ioc.h"

/* ---- import (inside indicator_import's transaction) ---- */

struct stix_keep;
struct stix_keep *stix_keep_new(void);
void stix_keep_free(struct stix_keep *k);
/* The row a record of STIX object origin_id went to, with the record's TLP. */
int stix_keep_link(struct stix_keep *k, const char *origin_id, const char *indicator_id,
		   int tlp, struct err *e);
/* Stores every object of the file for org_id (objects without a TLP
 * marking get default_tlp) and links those that records came from. */
int stix_keep_store(struct ctx *c, struct stix_keep *k, const char *org_id, int default_tlp,
		    const char *name, const char *data, size_t n, struct err *e);

/* The objects a row stands for, for its detail: [{"id", "type", "created",
 * "modified", "created_by_ref", "producer"}] ordered by id. */
json_t *stix_objects_of(struct ctx *c, const char *indicator_id, struct err *e);

/* Removes an indicator row's links (before the row is deleted). */
int stix_unlink_indicator(struct ctx *c, const char *indicator_id, struct err *e);

/* ---- export ---- */

struct stix_out;
/* For the rows v[0..n) (ids[k] the row id of v[k], mod[k] its updated_at)
 * going to recipient to_code: fills ex's stix_objects, stix_kept and stamp.
 * Call inside a write transaction (the stamp stores ids of objects made). */
struct stix_out *stix_out_prepare(struct ctx *c, const struct ioc *v, const char *const *ids,
				  size_t n, const char *to_code, struct ioc_export *ex,
				  struct err *e);
/* Audits the ids stored by the stamp, if any (before the commit). */
int stix_out_finish(struct ctx *c, struct stix_out *o, struct err *e);
void stix_out_free(struct stix_out *o);

#endif
