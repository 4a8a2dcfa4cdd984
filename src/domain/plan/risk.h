/*
 * risk.h - the risk register: per information system, one row per threat
 * (the incident types of regulation.md §7 plus fault, operator error and
 * disaster) with likelihood and impact on a 1-5 scale, existing controls,
 * treatment, owner and the next review (the security check of §2 T10 by
 * the system's level). Hints from what ungcuu knows (incidents, findings,
 * warnings) and a 5x5 heat map per organisation. Same rules as the
 * registry: organisation scope, audit, If-Match versions.
 */
#ifndef UNGCUU_PLAN_RISK_H
#define UNGCUU_PLAN_RISK_H

#include "../domain.h"

/* Threat codes, NULL-terminated: §7's ten incident types, then "fault",
 * "operator_error", "disaster". */
extern const char *const risk_threats[];
/* Vietnamese and English names of each threat, in the order above. */
const char *risk_threat_label(const char *code, int lang);

/* The score: likelihood x impact, 1..25; 0 when either is outside 1..5. */
int risk_score(int likelihood, int impact);

/* Bands of a score: low 1-4, medium 5-9, high 10-16, critical 17-25 (on
 * the 5x5 grid: 20 and 25). RISK_BAND_NONE for a score outside 1..25. */
enum risk_band { RISK_BAND_NONE = -1, RISK_LOW, RISK_MEDIUM, RISK_HIGH, RISK_CRITICAL };
int risk_band(int score);
/* "low", "medium", "high", "critical" (NULL for RISK_BAND_NONE). */
const char *risk_band_code(int band);

/* When the next review falls due, from `from` (ms UTC), by the system's
 * security level (§2 T10, NĐ85 Đ20.2c): level 5 every 6 months, levels 3
 * and 4 every year, levels 1-2 and a system without a level (the
 * organisation's own check) every 2 years. Calendar months: a day past the
 * end of the target month becomes its last day (31 Aug + 6 months = 28/29
 * Feb), at the same time of day. */
int64_t risk_review_due(int level, int64_t from);

/* The likelihood a hint suggests for a threat (1..5): 1, plus 1 for an
 * incident of that type in the organisation and 1 more for three or more;
 * for the threats that ride on a software flaw (intrusion, malware,
 * encryption, defacement, combined) plus 1 when the system has open
 * critical or high findings and 1 when one of them is known exploited. */
int risk_suggest(const char *threat, long incidents, long critical_high, long kev);

json_t *risk_create(struct ctx *c, json_t *body, struct err *e);
/* The register of org_code's subtree (NULL: the actor's organisation),
 * optionally one system; an organisation out of scope is 404. */
json_t *risk_list(struct ctx *c, const char *org_code, const char *system_id, struct err *e);
json_t *risk_get(struct ctx *c, const char *id, struct err *e);
json_t *risk_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		    struct err *e);
/* What ungcuu knows about a system: incidents of each type in its
 * organisation (rejected ones left out), open findings of its hosts by
 * severity, known-exploited ones, warnings to its organisation not yet
 * fixed, and per threat a suggested likelihood (risk_suggest). */
json_t *risk_hints(struct ctx *c, const char *system_id, struct err *e);
/* The heat map of org_code's subtree (NULL: the actor's organisation):
 * grid[likelihood-1][impact-1] = number of risks, counts per band. */
json_t *risk_heatmap(struct ctx *c, const char *org_code, struct err *e);

#endif
