/*
 * plan_prefill.h - what ungcuu writes into a new response plan from what it
 * knows: the registry (systems and levels, hosts, contractors), the
 * directory (contacts on duty, focal points, the response team above), the
 * mandatory priority rules, and a scenario per threat with a default
 * response option (identify, contain, evidence, eradicate, recover,
 * coordinate) that the organisation then edits.
 */
#ifndef UNGCUU_PLAN_PREFILL_H
#define UNGCUU_PLAN_PREFILL_H

#include "../domain.h"

struct org;

/* The sections of a new plan of o (for its system system_id when not
 * NULL), one per outline section ([{code, kind, title_vi, title_en,
 * guidance}]): [{code, kind, title_vi, title_en, text}]. */
json_t *plan_prefill_sections(struct ctx *c, const struct org *o, const char *system_id,
			      const json_t *outline, struct err *e);
/* [{threat, steps: [{phase, text}], coordinator, support}], one per
 * threat (plan_threat_at). */
json_t *plan_prefill_scenarios(struct ctx *c, const struct org *o, struct err *e);

#endif
