/*
 * budget.h - budget lines per organisation and year by the plan's budget
 * categories (regulation.md §8 outline, 7: budget), in whole VND. A line is
 * a draft of its organisation until it is submitted to the district's
 * finance office (finance_offices, migration 014), which reads every
 * submitted line of its district, rolls them up and exports the roll-up as
 * XLSX and CSV for the province. A submitted number is corrected only with
 * a reason, kept in the audit log (budget.correct).
 */
#ifndef UNGCUU_PLAN_BUDGET_H
#define UNGCUU_PLAN_BUDGET_H

#include "../domain.h"

/* equipment, software, services, training, drills, monitoring, response,
 * other (NULL-terminated). */
extern const char *const budget_categories[];
const char *budget_category_label(const char *code, int lang);

json_t *budget_create(struct ctx *c, json_t *body, struct err *e);
/* The lines of org_code's subtree (NULL: the actor's organisation; out of
 * scope: 404), of one year (0: every year); a finance office also sees the
 * submitted lines of its district (all of it without org_code, or the
 * subtree of an organisation of the district it names). */
json_t *budget_list(struct ctx *c, const char *org_code, int year, struct err *e);
json_t *budget_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		      struct err *e);
/* draft -> submitted (E_CONFLICT when it was submitted already). */
json_t *budget_submit(struct ctx *c, const char *id, long long if_match, struct err *e);

/* The submitted lines of year in org_code's subtree (NULL: the finance
 * office's district, or the actor's organisation), with totals per
 * organisation, per category and in all. */
json_t *budget_rollup(struct ctx *c, const char *org_code, int year, struct err *e);
/* The same as a file: CSV (UTF-8, RFC 4180, codes in the header) or an
 * XLSX workbook (sheet "Chi tiết": every line and the total; sheet "Theo
 * đơn vị": totals per organisation). Malloc'ed bytes, *len their length. */
char *budget_rollup_csv(struct ctx *c, const char *org_code, int year, size_t *len,
			struct err *e);
char *budget_rollup_xlsx(struct ctx *c, const char *org_code, int year, size_t *len,
			 struct err *e);

/* Marks org_code as a finance office (on) or no longer (off): it then
 * reads the submitted lines of its parent's subtree. Administrators only;
 * audited. {"org": {...}, "finance_office": bool}. */
json_t *budget_finance_office_set(struct ctx *c, const char *org_code, int on, struct err *e);

/* For the annual report: the submitted lines of one organisation (its own,
 * not its subtree) for a year, summed: planned and spent VND. No policy
 * check: the caller has checked the organisation. 0 or -1 with e. */
int budget_totals(struct ctx *c, const char *org_id, int year, int64_t *planned,
		  int64_t *spent, struct err *e);

#endif
