/*
 * drill.h - drills (diễn tập): planned and held exercises, tabletop or live
 * (regulation.md §2 T12: a live drill every year for systems of level 3
 * and above), with the scenario used (free text), the systems exercised,
 * the participants, a timeline of injects, what went wrong, and corrective
 * actions with an owner and a due date that appear in the owner's inbox
 * until done. The after-action report is a document (drill_doc).
 *
 * Scope: a drill is its organisation's; its subtree reads it, writers of
 * the subtree (focal point, coordinator) change it. The owner of one of its
 * corrective actions reads the drill and reports the action done, even from
 * an organisation below the drill's.
 */
#ifndef UNGCUU_PLAN_DRILL_H
#define UNGCUU_PLAN_DRILL_H

#include "../domain.h"

struct doc;

/* org_code: the organisation and its subtree (NULL: the actor's scope);
 * year: drills planned or held that year (0: all). */
json_t *drill_list(struct ctx *c, const char *org_code, int year, struct err *e);
json_t *drill_create(struct ctx *c, json_t *body, struct err *e);
json_t *drill_get(struct ctx *c, const char *id, struct err *e);
json_t *drill_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		     struct err *e);
json_t *drill_action_add(struct ctx *c, const char *id, json_t *body, struct err *e);
json_t *drill_action_update(struct ctx *c, const char *id, const char *aid, json_t *body,
			    struct err *e);
/* Every system of level 3 and above in the actor's scope against the
 * yearly live-drill rule: the last live drill held with it, when the next
 * is due, and whether it is overdue. */
json_t *drill_compliance(struct ctx *c, struct err *e);

/* The after-action report (báo cáo kết quả diễn tập). */
struct doc *drill_doc(struct ctx *c, const char *id, struct err *e);

/* The live-drill period of T12. */
#define DRILL_PERIOD_DAYS 365

#endif
