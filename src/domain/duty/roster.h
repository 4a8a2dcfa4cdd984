/*
 * roster.h - the standing duty of an organisation that receives reports
 * (regulation.md §2 T5, T7; issue 17 item 1): weekly shifts with a primary
 * and a backup person, exceptions that replace them for a span, and the
 * answer to "who is on duty now". Times of a weekly shift are local
 * (Asia/Ho_Chi_Minh, UTC+7 all year); exceptions are absolute UTC spans.
 */
#ifndef UNGCUU_ROSTER_H
#define UNGCUU_ROSTER_H

#include "../domain.h"

enum { SHIFT_WEEKLY = 0, SHIFT_EXCEPTION = 1 };

struct shift {
	int kind;             /* SHIFT_WEEKLY or SHIFT_EXCEPTION */
	unsigned days;        /* weekly: bit 0 Monday .. bit 6 Sunday (the day it starts) */
	int start_min;        /* weekly: minutes from local midnight, 0..1439 */
	int end_min;          /* weekly: 1..1440; <= start_min: ends the next day */
	int64_t starts_at;    /* exception: [starts_at, ends_at) UTC ms */
	int64_t ends_at;
};

/* The shift on duty at `now` (UTC ms) among s[0..n): an exception covering
 * now wins over weekly shifts (the last one listed among exceptions); else
 * the first weekly shift whose local window covers now (a window includes
 * its start and excludes its end). The index, or -1 when nobody is. */
int roster_pick(const struct shift *s, size_t n, int64_t now);
/* "HH:MM" -> minutes from midnight, 0..1440 (24:00 ends a day); -1 when
 * malformed. */
int roster_parse_hhmm(const char *s);

/* Who is on duty at now for organisation org_id: {"org_id", "shift_id",
 * "primary": {id, username, full_name}, "backup": ... or null}, or JSON
 * null when nobody is (no checks: for the notification rules). */
json_t *roster_on_duty(struct store *db, const char *org_id, int64_t now, struct err *e);

/* API: GET /duty/now: for each organisation in the actor's scope that has
 * a roster, who is on duty now, and its focal-point contacts (Mẫu 01). */
json_t *roster_now(struct ctx *c, struct err *e);
/* GET /duty/shifts?org_code=: the shifts of the organisations in scope. */
json_t *roster_list(struct ctx *c, const char *org_code, struct err *e);
/* POST /duty/shifts: {org_code, kind, days, start, end | starts_at,
 * ends_at, primary_id, backup_id, note}. */
json_t *roster_add(struct ctx *c, json_t *body, struct err *e);
/* DELETE /duty/shifts/{id} */
int roster_remove(struct ctx *c, const char *id, struct err *e);

/* For `ungcuu roster` (src/cli/roster.c), the same rules as the API:
 * one shift in the actor's scope (else not found); */
json_t *roster_get(struct ctx *c, const char *id, struct err *e);
/* who is on duty at now for the organisation code: {org, roster_of (the
 * organisation whose roster answers: its own or the nearest above, or
 * null), at (local time), primary, backup (or null), shift_id}; */
json_t *roster_who(struct ctx *c, const char *org_code, int64_t now, struct err *e);
/* a person's id from a username (or an id): 0, or -1 with e. */
int roster_person(struct ctx *c, const char *name, char id[UUID_LEN], struct err *e);

#endif
