/*
 * plan_outline.h - the outline response plans are built in (regulation.md
 * §8, Thông tư 20/2017 Phụ lục III) as data: seeded by migration 015, and
 * changed by an administrator of the instance's home organisation through
 * the API without a rebuild. A section's kind says what ungcuu pre-fills it
 * with; a plan copies the outline when it is drafted, so changing the
 * outline never changes a plan already written.
 */
#ifndef UNGCUU_PLAN_OUTLINE_H
#define UNGCUU_PLAN_OUTLINE_H

#include "../domain.h"

/* state, risks, consequences, resources, priorities, scenarios,
 * organisation, training, equipment, budget, implementation, text. */
extern const char *const plan_section_kinds[];

/* {version, sections: [{code, position, kind, title_vi, title_en,
 * guidance}], kinds}. Anyone signed in reads it. */
json_t *plan_outline_get(struct ctx *c, struct err *e);
/* Replaces it: {sections: [{code, kind, title_vi, title_en, guidance?}]}
 * in order, under If-Match with the outline's version. */
json_t *plan_outline_put(struct ctx *c, long long if_match, json_t *body, struct err *e);
/* The sections array alone, in order (for drafting a plan). */
json_t *plan_outline_sections(struct ctx *c, struct err *e);

#endif
