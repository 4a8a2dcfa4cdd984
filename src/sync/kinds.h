/*
 * kinds.h - what travels between instances (issue 16 item 3): the kinds
 * of envelope, the shareable part of each record (TLP decides), and the
 * apply functions that turn a received payload into records of our own.
 *
 * Two halves:
 *   kinds_share.c  pure: a domain record (the JSON the domain renders) ->
 *                  the payload that may leave, or NULL when nothing may.
 *                  No database, no core: unit-tested on its own.
 *   kinds.c        the kind table (sync_kinds_install registers it with
 *                  the core and the domain hooks), the hooks that queue
 *                  envelopes inside the domain's transaction, and apply().
 *
 * The sharing rule for an envelope (regulation.md §11, TLP 2.0): leaving
 * the instance is leaving the organisation, so
 *   RED, AMBER+STRICT, no label  never travel;
 *   AMBER                        only to the organisations named (for a
 *                                support request: the one asked);
 *   GREEN, CLEAR                 to the federation (any peer).
 * An incident marked confidential (Mẫu 03 item 9) keeps its personal and
 * system fields home: reporter, contact, system, details; its attachments
 * stay too (they are files about those). Everything withheld is counted
 * in the payload's "withheld" so the other side knows something stayed.
 */
#ifndef UNGCUU_SYNC_KINDS_H
#define UNGCUU_SYNC_KINDS_H

#include <jansson.h>

#include "sync.h"

/* Up (child -> parent). */
#define SK_SUPPORT_REQUEST "support.request"   /* request + shareable incident */
#define SK_INCIDENT_UPDATE "incident.update"   /* the shareable incident again */
#define SK_INCIDENT_STATUS "incident.status"   /* a move of the origin's incident */
#define SK_SUPPORT_DONE "support.done"         /* the asker closes an accepted request */
#define SK_REPORT "report"                     /* legal report sent to that level */
#define SK_SIGHTING "sighting"                 /* of an indicator the parent shared */
#define SK_HUNT_SUMMARY "hunt.summary"         /* counts of a hunt's runs */
#define SK_PERIODIC "periodic"                 /* Mẫu 05 once sent */
/* Down (parent -> child). */
#define SK_SUPPORT_ANSWER "support.answer"     /* accepted | declined | done + note */
#define SK_COMMENT "comment"                   /* the parent's comment on the mirror */
#define SK_DIRECTION "direction"               /* a coordination direction (comment kind) */
#define SK_WARNING "warning"
#define SK_WARNING_WITHDRAW "warning.withdraw"
#define SK_INDICATOR "indicator"
#define SK_INDICATOR_REVOKE "indicator.revoke"
#define SK_INDICATOR_RETRACT "indicator.retract"   /* its label tightened: copies deleted */
#define SK_HUNT "hunt"
#define SK_HUNT_CLOSE "hunt.close"             /* its issuer closed it: the copies close */
/* Attachments (both ways): the bytes travel apart, by SHA-256. The payload
 * of a support.request / incident.update names them ({sha256, name,
 * content_type, size}); the receiver attaches what it already holds and
 * asks the sender for the rest with an attachment.want envelope queued
 * with the mirror (sync_kinds_attachments_wanted lists what is still
 * missing); the holder answers once with attachment.data ({sha256, size,
 * data: base64}) if the attachment was shared with that peer and is at
 * most LIMIT_SYNC_ATTACHMENT (larger: attachment.part below); the receiver checks size and hash before
 * storing (a bad one: sync_refuse_locked, the envelope still applied). */
#define SK_ATTACHMENT_WANT "attachment.want"
#define SK_ATTACHMENT_DATA "attachment.data"
/* One larger than LIMIT_SYNC_ATTACHMENT (up to both sides' attachment
 * limit) is answered in parts instead: {sha256, size (the whole), offset,
 * data: base64 of at most LIMIT_SYNC_PART bytes}, in order; the receiver
 * keeps them (sync_attachment_parts) and stores the attachment when every
 * byte is there and the whole matches its SHA-256 (h/fed-rest). */
#define SK_ATTACHMENT_PART "attachment.part"

/* ---- kinds_share.c: pure ---- */

/* Whether a record labelled tlp, owned by owner_org, may travel to a peer
 * on behalf of the organisations recipients (NULL-terminated ids; the
 * organisation asked, or those the peer hosts). named: the AMBER list
 * (NULL-terminated, may be NULL). 1 or 0. */
int sync_tlp_may_travel(const char *tlp, const char *const *named,
			const char *const *recipients);

/* The shareable part of an incident (as incident_get(full) renders it)
 * for a peer acting for the organisation to_org_id. Always a new object:
 * when the incident itself may not travel only its frame goes (id,
 * number, organisation, type, severity, status, clocks) with
 * "withheld": {"incident": true}. */
json_t *sync_share_incident(const json_t *inc, const char *to_org_id);
/* One observable ({kind, value, tlp, note}), or NULL when it stays. */
json_t *sync_share_observable(const json_t *obs, const char *to_org_id);
/* An indicator (the indicator store's JSON: id, kind, value, tlp,
 * share_with, ...) for a peer hosting the organisations recipients (in
 * the form share_with names them: codes, as the store renders {code});
 * NULL when it stays. */
json_t *sync_share_indicator(const json_t *ind, const char *const *recipients);
/* A warning ({id, title, body, severity, deadline, cves, products,
 * targets: [{org:{code}}...]}) for a peer hosting recipients (org ids)
 * whose codes are recipient_codes: only the targets it hosts go; NULL when
 * none of them is targeted. */
json_t *sync_share_warning(const json_t *w, const char *const *recipient_codes);
/* A legal report sent ({id, kind, recipient, channel, reference, body,
 * sent_at}) of incident incident_id: it goes as written (it was written
 * for that level). */
json_t *sync_share_report(const json_t *rep, const char *incident_id);
/* A Mẫu 05 periodic report: only once sent ("status" = "sent"). */
json_t *sync_share_periodic(const json_t *p);
/* A hunt's runs summarised: {hunt_id, org_code, runs, files, errors,
 * hits, last_ran_at}; hostnames and paths stay. */
json_t *sync_share_hunt_summary(const char *hunt_remote_id, const char *org_code,
				const json_t *runs);
/* A sighting of an indicator that came from the parent: {indicator_id
 * (the parent's id), org_code, source, seen_at}; host, path and line stay. */
json_t *sync_share_sighting(const json_t *s, const char *indicator_remote_id,
			    const char *org_code);

/* ---- kinds.c: the table, hooks, apply ---- */

extern const struct sync_kind sync_kinds_table[];
extern const size_t sync_kinds_count;

/* Registers the table with the core and the kinds' hooks with the domain
 * (incident_on_record). Once, from main(), before any thread. */
void sync_kinds_install(void);

/* The hook the incident domain calls inside the transaction of each
 * record it writes (incident_on_record): queues what the record means to
 * the peers. */
int sync_kinds_on_record(struct ctx *c, const char *incident_id, const char *kind,
			 const char *record_id, const json_t *rec, struct err *e);

/* The hook the other domains call inside the transaction of a change to
 * a record that may travel (domain_on_record: indicator, indicator.delete,
 * warning, hunt, sighting, periodic). */
int sync_kinds_on_domain(struct ctx *c, const char *entity, const char *id, const json_t *rec,
			 struct err *e);

/* Attachments named by a peer's payloads whose bytes we lack: an array of
 * {peer_id, sha256} (new reference). */
json_t *sync_kinds_attachments_wanted(struct ctx *c, struct err *e);

/* What the children's instances sent back about hunt hunt_id (ours), for
 * whoever reads the hunt: {items: [{peer, org_code, org_name, status,
 * runs, hosts, files, errors, hits, by_indicator: [{indicator_id, kind,
 * value, hits}], last_ran_at, received_at}]}. */
json_t *sync_kinds_hunt_peers(struct ctx *c, const char *hunt_id, struct err *e);

/* What peers sent about a local incident (answers, comments, directions)
 * and, when it mirrors another instance's incident, where from:
 * {mirror: {peer, instance, org_code, org_name} | null, received: [...]}. */
json_t *sync_kinds_incident_view(struct ctx *c, const char *incident_id, struct err *e);

#endif
