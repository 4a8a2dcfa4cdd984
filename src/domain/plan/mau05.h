/*
 * mau05.h - the 6-monthly and annual summary to VNCERT/CC (Mẫu 05,
 * TT20/2017 Đ6.1c; regulation.md §2 T8, §6), computed from the incidents
 * and kept as a record: one per organisation, period and year, editable
 * until it is recorded as sent (a leader's act), never after. A figure
 * that differs from what the incidents give needs a reason, which the
 * audit log keeps with the old and new values.
 *
 * The counting rule (mau05_count, unit-tested):
 *  - the period: the reporting regime's cut-off (NĐ09/2019 Đ12): a half
 *    year runs from 15/12 of the year before to 14/6, a year from 15/12 of
 *    the year before to 14/12, in Vietnam time; due before 20/6 and 15/12;
 *  - an incident counts in the period its detection time falls in, once:
 *    one that starts before the cut-off and is handled after it belongs to
 *    the earlier period only;
 *  - rejected reports (false alarms, duplicates) never count; reports not
 *    yet verified are not counted either but reported as "pending" so the
 *    clerk sees them before sending;
 *  - a row per incident type of regulation.md §7: count; handled alone (no
 *    support request accepted or done); with the help of other domestic
 *    organisations (a request accepted or done by an organisation that is
 *    not the national coordinator); with foreign help (not known to ungcuu:
 *    0, filled by hand); VNCERT/CC asked (a request sent to a national
 *    organisation, whatever its answer); estimated damage in VND (the
 *    closing reports' damage when it is written as an amount);
 *  - the total row is the sum of the rows.
 */
#ifndef UNGCUU_PLAN_MAU05_H
#define UNGCUU_PLAN_MAU05_H

#include "../domain.h"

struct doc;

#define MAU05_TYPES 10     /* regulation.md §7 */
enum { MAU05_HELP_ORG = 1, MAU05_HELP_FOREIGN = 2, MAU05_HELP_VNCERT = 4 };

struct mau05_incident {
	int type;            /* 0..9 in the order of incident_type_labels; else "other" */
	int64_t detected_at;
	int rejected;        /* never counted */
	int verified;        /* passed verification (else: pending) */
	unsigned help;       /* MAU05_HELP_* */
	int64_t damage;      /* VND, 0: none stated */
};

/* The columns of a row, in the form's order. */
enum { M5_COUNT, M5_SELF, M5_OTHER_ORGS, M5_FOREIGN, M5_VNCERT, M5_DAMAGE, M5__COLS };
extern const char *const mau05_columns[];   /* JSON names, NULL-terminated */

struct mau05_table {
	int64_t cell[MAU05_TYPES][M5__COLS];
	int64_t total[M5__COLS];
	int64_t pending;     /* detected in the period, not verified yet */
};

/* period "half" or "year": [*from, *to) and *due in UTC ms. 0, or -1 for an
 * unknown period or a year outside 2000..2200. */
int mau05_period(const char *period, int year, int64_t *from, int64_t *to, int64_t *due);
/* Counts v[0..n) into t (zeroed first) for [from, to). */
void mau05_count(const struct mau05_incident *v, size_t n, int64_t from, int64_t to,
		 struct mau05_table *t);
/* An amount in VND as people write it ("15000000", "15.000.000 đồng",
 * "15,000,000 VND", "2 triệu"); 0 when the text is not an amount. */
int64_t mau05_damage_parse(const char *s);

/* The reports the actor sees and, for the actor's organisation, the next
 * deadlines with the state of their reports (the dashboard's card). */
json_t *mau05_list(struct ctx *c, struct err *e);
/* {org_code?, period, year}: counts and files a draft (409 if one exists). */
json_t *mau05_create(struct ctx *c, json_t *body, struct err *e);
json_t *mau05_get(struct ctx *c, const char *id, struct err *e);
/* {cells: {type: {column: n}}, reason, member_code, helpers,
 * recommendations, recount}: a draft only; a changed figure needs reason. */
json_t *mau05_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		     struct err *e);
/* Approves and records the draft as sent (a leader's act). */
json_t *mau05_send(struct ctx *c, const char *id, long long if_match, struct err *e);
/* The approval between draft and sent (issue 17, h/duty; regulation §6:
 * the organisation's leader signs Mẫu 05): "submit" (a writer: draft ->
 * submitted, the leaders told in the transaction), "approve" (the leader:
 * submitted -> sent, as mau05_send), "return" (the leader: submitted ->
 * draft, body {reason}). Each step is kept in report_approvals and shown
 * in the report's "approvals". If-Match required. */
json_t *mau05_decide(struct ctx *c, const char *id, long long if_match, const char *action,
		     json_t *body, struct err *e);
struct doc *mau05_doc(struct ctx *c, const char *id, struct err *e);

#endif
