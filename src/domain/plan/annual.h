/*
 * annual.h - the annual implementation report of the district plan (báo
 * cáo kết quả thực hiện kế hoạch, compiled by the Culture & Information
 * office, regulation.md §2 T13) and the member profile Mẫu 01 (§6, T9).
 *
 * The annual report, per organisation of the chosen subtree for a calendar
 * year (Vietnam time): incidents detected (rejected ones not counted) and
 * closed; vulnerability scans and threat hunts done against the six-month
 * rule (T11: each half year that has ended had at least one, "met";
 * one without, "missed"; none ended yet, "pending"); drills held (live
 * ones apart); warnings whose deadline fell in the year and how many were
 * answered (fixed) by their deadline; the best state of the organisation's
 * own response plan; its submitted budget lines' planned and spent VND.
 */
#ifndef UNGCUU_PLAN_ANNUAL_H
#define UNGCUU_PLAN_ANNUAL_H

#include "../domain.h"

struct doc;

/* org_code NULL: the actor's organisation. */
json_t *annual_get(struct ctx *c, const char *org_code, int year, struct err *e);
/* id: "YEAR" (the actor's organisation) or "ORG_CODE:YEAR". */
struct doc *annual_doc(struct ctx *c, const char *id, struct err *e);

/* Mẫu 01 of organisation id (its code): the directory's data, main and
 * backup focal points (the contacts on duty first, then by age), its
 * systems by level. */
json_t *mau01_get(struct ctx *c, const char *id, struct err *e);
struct doc *mau01_doc(struct ctx *c, const char *id, struct err *e);

#endif
