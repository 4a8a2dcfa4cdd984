/*
 * misp.h - MISP events kept as MISP sent them (issue 13 item 3).
 *
 * The MISP importer (ioc_misp.c, ioc_parse_misp) turns attributes into
 * indicator records; on its own it forgets the rest. misp_store.c keeps the
 * rest beside the indicators (migration 012): each event's metadata, its
 * objects, every attribute (also deleted ones and the types ungcuu cannot
 * match: link, comment, text, regkey, port...: context, never matched), the
 * attributes' tags exactly as received (galaxy tags are never rewritten),
 * and sightings; each attribute is linked to the indicators it gave.
 *
 * An export writes one MISP event per source event (its uuid, info, Orgc,
 * objects and attribute uuids kept), the attributes whose indicators the
 * TLP rule lets go to the recipient, and one event of ungcuu's own (a
 * stable uuid: the producer's) holding the indicators that came from no
 * MISP event. At most one tlp: tag per event and attribute: when several
 * come in (the TLP taxonomy is exclusive), the most restrictive is kept and
 * the import answer counts the others (tlp_collapsed). The fields MISP's
 * core format requires and the source left out are filled in (distribution
 * from the label, publish_timestamp "0", Orgc from Org or the importing
 * organisation, attribute distribution "5" and deleted false).
 */
#ifndef UNGCUU_MISP_H
#define UNGCUU_MISP_H

#include <jansson.h>

#include "../domain.h"
#include "ioc.h"

/* ---- pure helpers (ioc_misp.c) ---- */

/* Calls fn with each event object of doc, in the forms ioc_parse_misp
 * reads ({"Event"}, a list, {"response": [...]}, a bare event); stops at
 * the first non-zero answer and returns it. */
int ioc_misp_each_event(const json_t *doc, int (*fn)(void *arg, const json_t *event), void *arg);
/* Whether the values of a MISP attribute type become indicators. */
int ioc_misp_is_indicator_type(const char *type);
/* The category ungcuu writes for a MISP type it exports; NULL unknown. */
const char *ioc_misp_category(const char *type);
/* The file name that names the hashes of a file object's attributes. */
const char *ioc_misp_object_file_name(const json_t *attrs);
/* Leaves at most one tlp: tag (of a known label) in the Tag array tags:
 * the most restrictive, where it was. *tlp gets its label (TLP_NONE:
 * none). Returns how many were removed. */
int ioc_misp_one_tlp(json_t *tags, int *tlp);
/* The uuid of ungcuu's own event for a producer (its id, else its name). */
char *ioc_misp_own_uuid(const char *producer, char out[IOC_UUID_LEN]);
/* MISP distribution of an event whose most restrictive label is tlp. */
const char *ioc_misp_distribution(int tlp);

/* ---- the store (misp_store.c) ---- */

struct misp_import {
	long events, objects, attributes;
	long context;                 /* attributes that gave no indicator */
	long sightings;
	long tlp_collapsed;           /* tlp: tags dropped for a stricter one */
};

/* Inside the import's write transaction, after ioc_parse_misp handed the
 * records of data to the store for org_id: keeps the events of data (an
 * event of the same uuid and organisation is replaced) and links their
 * attributes to the indicators. default_tlp labels an event without one. */
int misp_store_import(struct ctx *c, const char *org_id, int default_tlp, const char *name,
		      const char *data, size_t n, struct misp_import *out, struct err *e);

/* Inside a write transaction: an indicator goes, and the MISP attributes
 * it came from with it (they are not sent on as context). */
int misp_store_forget(struct ctx *c, const char *indicator_id, struct err *e);

struct misp_export_scope {
	const char *path, *code;      /* the actor's (INDICATOR_VISIBLE) */
	int filtered;                 /* a kind, tag, hunt or active filter: context
				       * attributes (not indicators) are left out */
};

/* The MISP document of the records v (ids[k] the indicator id of v[k]):
 * {"Event": ...} when one event, else {"response": [{"Event": ...}...]}
 * as MISP's REST answers. ex in and out as for ioc_export_misp; ex->exported
 * counts attributes written, ex->withheld those the TLP rule kept back. */
json_t *misp_store_export(struct ctx *c, const struct ioc *v, const char *const *ids, size_t n,
			  const struct misp_export_scope *sc, struct ioc_export *ex, struct err *e);

#endif
