/*
 * warning.h - authority warnings (cảnh báo): the district or the province
 * warns its organisations about CVEs or products with a deadline; each
 * target sees which of its hosts are affected (from the inventories and
 * findings), acknowledges, and reports the fix; the issuer sees who is late.
 * And the compliance view: per organisation, hosts seen by an agent in the
 * last 30 days, last vulnerability scan against the period, open findings by
 * severity, overdue warnings.
 */
#ifndef UNGCUU_WARNING_H
#define UNGCUU_WARNING_H

#include "../domain.h"
#include "../page.h"

json_t *warning_create(struct ctx *c, json_t *body, struct err *e);
/* A page of the warnings the actor sees (domain/page.h): q in the title,
 * reference or CVEs, severity; sorts created (newest first), deadline. */
json_t *warning_list(struct ctx *c, const char *q, const char *severity,
		     const struct page_ask *pa, struct err *e);
/* A warning with its targets, each with affected hosts and its state. */
json_t *warning_get(struct ctx *c, const char *id, struct err *e);
/* The actor's organisation answers: what is "acknowledged" or "fixed". */
json_t *warning_answer(struct ctx *c, const char *id, const char *what, json_t *body,
		       struct err *e);

/* The issuer's side takes a warning back (issue 16, h/fed-kinds): body
 * {reason} (Vietnamese, required, at most LIMIT_WITHDRAW_REASON bytes).
 * The targets' clocks stop (nobody is late on it any more), their answers
 * stay; it goes down to the children's instances that received it
 * (domain hook "warning.withdraw"). A warning received from another
 * instance is withdrawn only by its issuer (E_CONFLICT here); one already
 * withdrawn is E_CONFLICT. The warning as warning_get renders it. */
json_t *warning_withdraw(struct ctx *c, const char *id, json_t *body, struct err *e);

/* The scan period of T11 (default six months). */
#define SCAN_PERIOD_DAYS 183
json_t *compliance_list(struct ctx *c, struct err *e);
/* The same as CSV (caller frees). */
char *compliance_csv(struct ctx *c, struct err *e);

#endif
