/* incident_int.h - what incident.c and incident_records.c share (private). */
#ifndef UNGCUU_INCIDENT_INT_H
#define UNGCUU_INCIDENT_INT_H

#include "incident.h"

/* The part of an incident the rules look at before acting. */
struct inc_head {
	char id[UUID_LEN];
	char number[32];
	int status;
	long long version;
	char org_id[UUID_LEN];
	char org_path[LIMIT_ORG_PATH];
	int support;            /* the actor's organisation was asked for support, open */
	int64_t detected_at;
};

/* Loads an incident visible to the actor and checks `action` on it.
 * E_NOTFOUND when missing or out of scope. */
int inc_load(struct ctx *c, const char *id, int action, struct inc_head *h,
	     struct err *e);
/* Inside a transaction: a timeline event (data stolen) and rev + 1. */
int inc_event(struct ctx *c, const char *incident_id, const char *kind,
	      json_t *data, struct err *e);
int deadline_start(struct ctx *c, const char *incident_id, const char *kind,
		   int64_t due, int replace, struct err *e);
int deadline_meet(struct ctx *c, const char *incident_id, const char *kind,
		  int64_t at, struct err *e);
struct org;
/* Inside a write transaction: a new incident of o in state received (title,
 * description, type from body), its number and acknowledgement clock. */
int inc_insert(struct ctx *c, const struct org *o, json_t *body, const char *tlp,
	       int confidential, const char *form_text, int64_t detected, const char *created_by,
	       char id[UUID_LEN], char number[32], struct err *e);
/* The API form of an incident (the caller's allowed transitions included). */
json_t *inc_render(struct ctx *c, const char *id, int full, struct err *e);
/* Starts a record on an incident: loads, authorises, begins a transaction. */
int inc_record_begin(struct ctx *c, const char *id, int action, struct inc_head *h,
		     struct err *e);
/* Finishes it: event (data stolen), audit of `rec`, commit. On failure rolls
 * back. Returns 0 or -1. */
int inc_record_end(struct ctx *c, const struct inc_head *h, const char *kind,
		   json_t *data, const char *entity, const char *entity_id,
		   const json_t *rec, struct err *e);
/* The SQL condition that the incident i (joined with orgs o) is visible to
 * the actor in $1 (org path; $2, the user id, is bound but unused): in the
 * actor's subtree, or sent for support to the actor's own organisation
 * while that request is open (not to an organisation above it: a commune
 * under the province must not see what the district asked the province
 * about; and not once it is declined or done). Being assigned adds nothing:
 * assignees are of the incident's organisation or above it. */
#define SUPPORT_OPEN "('sent', 'accepted')"
#define INC_VISIBLE "(substr(o.path, 1, length($1)) = $1 OR EXISTS (" \
	"SELECT 1 FROM support_requests s JOIN orgs so ON so.id = s.to_org_id " \
	"WHERE s.incident_id = i.id AND so.path = $1 AND s.status IN " SUPPORT_OPEN "))"
/* The SQL condition that deadline d of incident i still runs: not met, and
 * the incident open -- or closed with its closing report not yet sent
 * (writing Mẫu 04 and sending it are two facts, regulation.md §13). */
#define DL_RUNNING "(d.met_at IS NULL AND (i.status NOT IN ('closed', 'rejected') OR " \
	"(i.status = 'closed' AND d.kind = 'closing_report')))"
/* The state of one clock: "met", "running", "overdue", or "missed" (never
 * met and no longer running: the incident ended without it). */
const char *deadline_state(int status, const char *kind, int met, int64_t due, int64_t now);
/* "SELECT <the columns inc_render_row reads> FROM incidents i JOIN orgs o
 * ... " without a WHERE, and the row's API form. */
/* The If-Match a change carries against the incident's version: 428 when
 * absent (negative), 412 when stale. */
int inc_check_if_match(const struct inc_head *h, long long if_match, struct err *e);
/* Inside a write transaction that read h: assigns uid (checked by
 * inc_may_work_on), records the event and commits; the record {user_id},
 * or NULL with the transaction rolled back. */
json_t *inc_assign_locked(struct ctx *c, const struct inc_head *h, const char *uid,
			  struct err *e);
/* Whether user uid may be assigned to incident h (or, for_task, to one of
 * its tasks): 1 yes, 0 no or no such user (the same answer), -1 error. */
int inc_may_work_on(struct ctx *c, const struct inc_head *h, const char *uid, int for_task,
		    struct err *e);
/* Runs the event hook (incident_on_event) when one is registered. */
int inc_event_hook(struct ctx *c, const char *kind, const char *incident_id,
		   const char *user_id, struct err *e);
extern const char inc_select_sql[];
json_t *inc_render_row(struct ctx *c, struct stmt *st, struct err *e);
/* {duplicate_of, duplicates}: what id repeats and the reports filed as
 * duplicates of it, with their reporters (incident_queue.c). */
json_t *inc_duplicates(struct ctx *c, const char *id, struct err *e);
/* Before closing: 0 when incident id has no open task and no open support
 * request; else a 409 (MSG_OPEN_WORK) whose field errors list them, the
 * tasks by title and the requests by the organisation asked
 * (incident_queue.c). */
int inc_open_work_check(struct ctx *c, const char *id, struct err *e);
const char *inc_scope_path(const struct ctx *c);
/* The indicator store through incident_on_indicators (incident.c). An
 * observable's matches for the reader: {"indicators":[...], "incidents":[...]}
 * (other incidents the reader sees with the same observable). */
int inc_observable_normalise(const char *kind, const char *value, char *out, size_t n);
int inc_observable_sighted(struct ctx *c, const char *incident_id, const char *org_id,
			   const char *observable_id, const char *kind, const char *value,
			   struct err *e);
json_t *inc_observable_matches(struct ctx *c, const char *incident_id, const char *kind,
			       const char *value, struct err *e);
const char *inc_scope_user(const struct ctx *c);

#endif
