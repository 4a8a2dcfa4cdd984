/*
 * playbook.h - each scenario's response option of an approved plan is a
 * checklist (a playbook, like TheHive's case templates). When an incident
 * is classified with a type, the steps of its organisation's approved plan
 * for that type become tasks on the incident: once per (incident, type),
 * never again when it is classified with the same type again.
 *
 * The hook: incident/ exposes incident_on_classify (a callback called in
 * the classifying transaction) and playbook_install registers
 * playbook_on_classify with it at start-up, so incident/ never includes
 * plan/ (DESIGN.md's one arrow up).
 */
#ifndef UNGCUU_PLAYBOOK_H
#define UNGCUU_PLAYBOOK_H

#include "../domain.h"

/* Registers the hook; call once at start-up, before any request. */
void playbook_install(void);

/* The rule (the hook itself): inside the caller's write transaction. The
 * plan is the approved one of the system the incident names, when that
 * system has its own (level 4-5), else the organisation's. No type, no
 * approved plan, or already applied for this type:
 * nothing. Else one task per step of the scenario, recorded in
 * playbook_runs and playbook_tasks. 0 or -1. */
int playbook_on_classify(struct ctx *c, const char *incident_id, const char *org_id,
			 const char *system_id, const char *type, struct err *e);

/* Pure: the task titles for the scenario of `type` in scenarios ("1. text",
 * "2. text", ...), at most LIMIT_PLAN_STEPS; an empty array when the plan
 * has no such scenario or it has no steps. NULL when out of memory. */
json_t *playbook_task_titles(const json_t *scenarios, const char *type);

/* GET /incidents/{id}/playbook: the checklist(s) applied to the incident,
 * each step with its task and whether it is done:
 * {items: [{threat, step, phase, task_id, title, done, plan: {id, number}}]}. */
json_t *playbook_for_incident(struct ctx *c, const char *incident_id, struct err *e);

#endif
