/*
 * indicator.h - the indicator store (IOC): indicators with their TLP 2.0
 * label, validity and the incidents they came from; sightings (where and
 * when one was seen); import and export in STIX 2.1, MISP, CSV, plain lists
 * and YARA under the TLP rule; and the matching of incident observables
 * against the store, both ways (a new observable against the indicators, a
 * new indicator against the observables of open incidents).
 *
 * An indicator belongs to the organisation that added it (scope as for
 * incidents: its subtree reads and writes it). Others read it when the
 * TLP rule lets it go to them (ioc.h tlp_may_share: GREEN and CLEAR to the
 * whole tree, AMBER to the organisations named). Org codes are what the
 * rule compares (share_with holds codes).
 */
#ifndef UNGCUU_INDICATOR_H
#define UNGCUU_INDICATOR_H

#include "../domain.h"
#include "ioc.h"

/* Import formats, in the order of indicator_format_names. */
enum { IND_STIX, IND_MISP, IND_LIST, IND_CSV, IND_YARA, IND__FORMATS };
extern const char *const indicator_format_names[];   /* NULL-terminated */
/* "stix" -> IND_STIX ...; -1 unknown. */
int indicator_format(const char *name);

struct indicator_filter {
	const char *q;          /* substring of value or name */
	const char *kind, *tlp, *tag, *org_code;
	int active;             /* only those that match now */
	const char *cursor;     /* the last id of the previous page */
	int limit;              /* 1..200, 0: 50 */
};

json_t *indicator_list(struct ctx *c, const struct indicator_filter *f, struct err *e);
/* Adds one, or updates the one of the same kind and value of the same
 * organisation (*created says which). */
json_t *indicator_create(struct ctx *c, json_t *body, int *created, struct err *e);
json_t *indicator_get(struct ctx *c, const char *id, struct err *e);
json_t *indicator_update(struct ctx *c, const char *id, long long if_match, json_t *body,
			 struct err *e);
int indicator_delete(struct ctx *c, const char *id, long long if_match, struct err *e);
/* Deletes an indicator and what hangs on it (sightings, links, hunts'
 * lists) inside the caller's transaction, no policy: indicator_delete's
 * work, and a copy another instance retracted (issue 16). */
int indicator_purge_locked(struct ctx *c, const char *id, struct err *e);

/* One file, all or nothing, owned by org_code (NULL: the actor's
 * organisation; the instance: the root), records without a label get
 * default_tlp (NULL: AMBER). The answer counts what happened. */
json_t *indicator_import(struct ctx *c, int format, const char *name, const char *data,
			 size_t n, const char *org_code, const char *default_tlp, struct err *e);

struct indicator_export {
	const char *to_code;    /* recipient organisation; NULL: outside the tree */
	const char *kind, *tag; /* optional filters */
	const char *hunt_id;    /* only the hunt's set */
	int active;             /* only those that match now (for a sweep) */
	size_t exported, withheld;   /* out */
	size_t context;         /* out, STIX: of withheld, the records for context only
				 * (to_ids false), which STIX has no indicator for */
};
/* The visible indicators the TLP rule lets go to x->to_code, as a file of
 * format (IND_STIX, IND_MISP, IND_CSV): malloc'd bytes, *len their size. */
char *indicator_export(struct ctx *c, int format, struct indicator_export *x, size_t *len,
		       struct err *e);

json_t *sighting_list(struct ctx *c, const char *indicator_id, const char *hunt_id,
		      const char *org_code, int limit, struct err *e);

/* A sighting to record, inside the caller's write transaction. */
struct sighting {
	const char *indicator_id, *org_id, *source;   /* observable | hunt | manual */
	const char *host_id, *incident_id, *observable_id, *hunt_id, *run_id;
	const char *path;
	long long line;
	int64_t seen_at;
	const char *created_by;
};
int sighting_add(struct ctx *c, const struct sighting *s, struct err *e);

/* Inside a write transaction: the indicators matching an observable just
 * added to an incident become sightings. Returns how many, -1 on error. */
int indicator_match_observable(struct ctx *c, const char *incident_id, const char *org_id,
			       const char *observable_id, const char *kind, const char *value,
			       struct err *e);
/* Gives incident/ the indicator store (incident_on_indicators): observables
 * normalised, their sightings recorded, their matches shown. From main (and
 * the tests that add observables), before any request. */
void indicator_observables_install(void);
/* The normal form of an observable value of kind (ip, domain, url, hash,
 * email, filename) into out; -1 when it is not one. */
int observable_normalise(const char *kind, const char *value, char *out, size_t n);

/* Whether a YARA rule text compiles (libyara); e names the line of the first
 * error: "rules.yar: line 7: syntax error, unexpected ..." (MSG_SWEEP_YARA). */
int yara_check(const char *name, const char *text, size_t n, struct err *e);

/* The SQL condition "the actor may read indicator i (joined with its owner
 * o)", with $1 the actor's org path and $2 its org code. */
#define INDICATOR_VISIBLE "(substr(o.path, 1, length($1)) = $1 OR i.tlp IN ('CLEAR', 'GREEN') " \
	"OR (i.tlp = 'AMBER' AND instr(i.share_with, '\"' || $2 || '\"') > 0))"

/* The actor's path and code for INDICATOR_VISIBLE. */
void indicator_actor_scope(struct ctx *c, const char **path, char code[65]);

#endif
