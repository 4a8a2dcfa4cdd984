/*
 * plan.h - response plans (kế hoạch ứng phó sự cố, regulation.md §8):
 * one per organisation, and one per system of level 4-5 where the law asks
 * a separate one, built in the order of the outline (plan_outline.h) and
 * pre-filled from what ungcuu knows (plan_prefill.h).
 *
 * Versions of one plan (same organisation and system) are numbered 1, 2...
 * Each is draft -> submitted -> approved (by a leader, with the approval
 * decision's number and date) -> superseded (when a newer version is
 * approved). Only a draft is edited; a leader may return a submitted one to
 * draft with a reason; a new version is made from an approved (or
 * superseded) one. Every change carries If-Match with the record's version.
 */
#ifndef UNGCUU_PLAN_H
#define UNGCUU_PLAN_H

#include "../domain.h"
#include "../incident/incident.h"   /* struct label */

enum plan_status { PLAN_DRAFT, PLAN_SUBMITTED, PLAN_APPROVED, PLAN_SUPERSEDED, PLAN__COUNT };
extern const struct label plan_status_labels[];   /* PLAN__COUNT entries + NULL */

/* The threats a plan has a scenario for: the incident types of
 * regulation.md §7 (incident_type_labels: a classified incident finds its
 * playbook by its type) then the causes that are no attack (fault,
 * operator_error, disaster). The i-th, or NULL past the end. */
const struct label *plan_threat_at(int i);
/* The label of a threat code, or NULL when unknown. */
const struct label *plan_threat_find(const char *code);
/* The phases of a response option (a scenario's steps each have one). */
extern const struct label plan_phase_labels[];

/* POST /plans {org_code?, system_id?, title?}: a new draft, pre-filled.
 * 409 when a version of the same plan is open (draft or submitted). */
json_t *plan_create(struct ctx *c, json_t *body, struct err *e);
/* Plans visible to the actor, newest first, a page of limit at a time
 * ({items, next_cursor}; cursor: the id of the last of the page before);
 * org: an organisation code (its subtree); status: one status or NULL. */
json_t *plan_list(struct ctx *c, const char *org_code, const char *status, const char *cursor,
		  int limit, struct err *e);
json_t *plan_get(struct ctx *c, const char *id, struct err *e);
/* PATCH a draft: {title?, sections?: [{code, text}], scenarios?: [{threat,
 * steps?: [{phase, text}], coordinator?, support?}]}. */
json_t *plan_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		    struct err *e);
/* {to: submitted | approved | draft, decision_number, decision_date,
 * reason}: submit (writer), approve or return (leader). */
json_t *plan_transition(struct ctx *c, const char *id, long long if_match, json_t *body,
			struct err *e);
/* A new draft copied from an approved or superseded version. */
json_t *plan_new_version(struct ctx *c, const char *id, struct err *e);
/* What changed from version from_id (NULL: the one this was made from, else
 * the number before) to id: {from, to, sections: plan_diff_sections}. */
json_t *plan_diff(struct ctx *c, const char *id, const char *from_id, struct err *e);
/* The district's view: every organisation in scope with its current
 * approved plan (or none), the open version, and its systems of level 4-5
 * with or without their own approved plan. */
json_t *plan_compliance(struct ctx *c, struct err *e);

/* The scenarios as text lines, one scenario a block (the diff and the
 * document read them so); caller frees. */
char *plan_scenarios_text(const json_t *scenarios, int lang);

#endif
