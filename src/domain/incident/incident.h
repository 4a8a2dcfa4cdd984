/*
 * incident.h - the incident process of regulation.md §13: one state per
 * incident, the transition table (state x state -> roles), the legal clocks,
 * and the records on an incident (support requests, legal reports, tasks,
 * observables, comments, attachments). The CLI, API, UI and tests all read
 * the table from here.
 */
#ifndef UNGCUU_INCIDENT_H
#define UNGCUU_INCIDENT_H

#include "../domain.h"

enum incident_state {
	ST_RECEIVED,
	ST_ACKNOWLEDGED,
	ST_VERIFIED,
	ST_REJECTED,
	ST_CLASSIFIED,
	ST_CONTAINING,
	ST_ERADICATING,
	ST_RECOVERING,
	ST_REVIEWING,
	ST_CLOSED,
	ST__COUNT
};

/* What a transition requires in its body. */
enum {
	NEED_REASON = 1 << 0,    /* reason (rejecting, reopening) */
	NEED_SEVERITY = 1 << 1,  /* severity (classifying) */
	NEED_CLOSING = 1 << 2,   /* closing_report.summary (Mẫu 04) */
};

struct transition {
	int from, to;
	unsigned roles;   /* any of these roles may make it */
	unsigned needs;
};

extern const struct transition incident_transitions[];
extern const size_t incident_transitions_count;

/* Vocabularies: code + Vietnamese + English labels, NULL-terminated codes. */
struct label {
	const char *code, *vi, *en;
};
extern const struct label incident_state_labels[];   /* ST__COUNT entries */
extern const struct label incident_type_labels[];    /* regulation.md §7 */
extern const struct label severity_labels[];
extern const struct label deadline_labels[];
extern const struct label report_kind_labels[];
extern const struct label observable_kind_labels[];
extern const char *const tlp_labels[];

/* -1 when the code is unknown. */
int incident_state_from(const char *code);
/* The table entry for from -> to, or NULL: the one lookup every caller uses. */
const struct transition *incident_transition_find(int from, int to);

/* The TLP order CLEAR < GREEN < AMBER < AMBER+STRICT < RED; -1 if unknown. */
int tlp_rank(const char *label);

/* POST /incidents: validates the initial report and files it. */
json_t *incident_create(struct ctx *c, json_t *body, struct err *e);
/* GET one incident, with timeline and records when full is set. */
json_t *incident_get(struct ctx *c, const char *id, int full, struct err *e);

/* A view of the queue (incident_queue.c). status: a state, a comma list
 * of them, or "open"; q: words searched in number, title, description,
 * observables and comments (case and diacritics ignored); sort: created
 * (default, newest first), due, number, detected, updated; order: asc or
 * desc; cursor: the id of the last row of the previous page. */
struct incident_filter {
	const char *status, *org_code, *type, *severity, *q, *cursor, *sort, *order;
	int overdue;
	int due_soon;     /* a running clock falls due within DEADLINE_SOON_MS */
	int limit;
};
json_t *incident_list(struct ctx *c, const struct incident_filter *f, struct err *e);
/* The same view as CSV (every row, at most 10,000; more is refused). */
char *incident_export_csv(struct ctx *c, const struct incident_filter *f, size_t *len,
			  struct err *e);
/* q as an FTS5 query: each word quoted, đ/Đ folded, the last a prefix
 * (unless a space follows it: then it is a whole word).
 * Returns the number of words (0: nothing to search) or -1. */
int incident_fts_query(const char *q, char *out, size_t outsz, struct err *e);
/* Files id as a duplicate of keep_id: rejected with the reason and the
 * link, under If-Match; the kept one lists it with its reporter. */
json_t *incident_mark_duplicate(struct ctx *c, const char *id, long long if_match,
				const char *keep_id, struct err *e);
/* {action, items: [{id, version}], user_id | duplicate_of}: each incident
 * on its own (policy, version, transaction); per-id results. */
json_t *incident_bulk(struct ctx *c, json_t *body, struct err *e);
/* The reader's work: assigned incidents, open tasks, support asked of the
 * organisation, warnings to answer, and the count of what waits. */
json_t *inbox_get(struct ctx *c, struct err *e);
/* A person's saved views of the queue. */
json_t *saved_filter_list(struct ctx *c, struct err *e);
json_t *saved_filter_create(struct ctx *c, json_t *body, struct err *e);
int saved_filter_delete(struct ctx *c, const char *id, struct err *e);

/* Moves an incident; if_match is the version the caller saw (-1: none). */
json_t *incident_transition(struct ctx *c, const char *id, long long if_match,
			    json_t *body, struct err *e);
/* PATCH: edits the report's fields under If-Match. */
json_t *incident_update(struct ctx *c, const char *id, long long if_match,
			json_t *body, struct err *e);

/* Records on an incident: each returns the created record. */
json_t *incident_add_support(struct ctx *c, const char *id, json_t *body, struct err *e);
json_t *incident_support_transition(struct ctx *c, const char *id, const char *sid,
				    json_t *body, struct err *e);
json_t *incident_add_report(struct ctx *c, const char *id, json_t *body, struct err *e);
json_t *incident_add_task(struct ctx *c, const char *id, json_t *body, struct err *e);
json_t *incident_update_task(struct ctx *c, const char *id, const char *tid,
			     json_t *body, struct err *e);
json_t *incident_add_observable(struct ctx *c, const char *id, json_t *body, struct err *e);
json_t *incident_add_comment(struct ctx *c, const char *id, json_t *body, struct err *e);
json_t *incident_assign(struct ctx *c, const char *id, json_t *body, struct err *e);
json_t *incident_add_attachment(struct ctx *c, const char *id, const char *name,
				const char *content_type, const void *data, size_t n,
				struct err *e);
/* Lends the bytes through *data until *st is done (stmt_done). */
json_t *incident_get_attachment(struct ctx *c, const char *id, const char *aid,
				struct stmt **st, const void **data, size_t *n,
				struct err *e);

/* A running clock is "due soon" when it falls due within this time (and is
 * not overdue yet): a working day, so the morning's list shows the day's. */
#define DEADLINE_SOON_MS (24LL * 3600 * 1000)
#define DEADLINE_SOON_SQL "86400000"   /* the same, for SQL text */

/* Running deadlines across the actor's scope, the earliest first (at most
 * limit): all, only overdue ones, or only those due soon. */
json_t *deadline_list(struct ctx *c, int overdue_only, int due_soon, int limit, struct err *e);
/* Dashboard figures. */
json_t *incident_stats(struct ctx *c, struct err *e);
/* The initial report (form 3, Mẫu 03) or the closing report (form 4, Mẫu
 * 04) of an incident as a document (src/doc/doc.h), filled as the print
 * view fills it (incident_forms.c). NULL with e set: not found (also when
 * the reader may not see the incident, or form is neither 3 nor 4), or a
 * storage error. The caller renders and frees it. */
struct doc;
struct doc *incident_form_doc(struct ctx *c, const char *incident_id, int form,
			      struct err *e);
/* The same, and the incident's number (PQ-2026-0007) into number (n bytes)
 * for the file's name. */
struct doc *incident_form_doc_numbered(struct ctx *c, const char *incident_id, int form,
				       char *number, size_t n, struct err *e);
/* The same, in the shape of the document kinds' builders (src/cli/doc.c);
 * id may also be the incident's number (PQ-2026-0007). */
struct doc *incident_mau03_doc(struct ctx *c, const char *id, struct err *e);
struct doc *incident_mau04_doc(struct ctx *c, const char *id, struct err *e);

/* Vocabularies and the transition table for clients (GET /meta). */
json_t *incident_meta(void);

/*
 * The one hook out of the workflow (issue 15): a function called inside
 * the transaction of every move into `classified`, after the type is set,
 * with the incident's id, organisation, the registry system its report
 * names (system.system_id, NULL when none) and type (NULL when none).
 * Non-zero (e filled) fails the move. plan/ registers its playbooks here at
 * start-up (playbook_install), so incident/ never includes plan/; set once,
 * before any request, never changed after. NULL: none.
 */
typedef int (*incident_classify_fn)(struct ctx *c, const char *incident_id,
				    const char *org_id, const char *system_id, const char *type,
				    struct err *e);
void incident_on_classify(incident_classify_fn fn);

/*
 * The indicator store, as incidents see it. ioc/ sits above incident/ (its
 * hunts file incidents), so incident/ never calls into it: ioc/ installs
 * these at start-up (indicator_observables_install, from main), as plan/
 * does the classify hook. Without them an observable is kept as typed
 * (lower case where case does not count) and matches no indicator.
 */
#define OBSERVABLE_NORM_ROOM 8192 /* normalise's out is strlen(value) + this */
struct incident_indicators {
	/* value of kind into its one normal form in out (n bytes); -1 when
	 * the indicator parser does not take it */
	int (*normalise)(const char *kind, const char *value, char *out, size_t n);
	/* inside the observable's transaction: the matching indicators'
	 * sightings; how many, or -1 (e) */
	int (*sighted)(struct ctx *c, const char *incident_id, const char *org_id,
		       const char *observable_id, const char *kind, const char *value,
		       struct err *e);
	/* the indicators the reader sees that match, a JSON array; NULL (e) */
	json_t *(*matching)(struct ctx *c, const char *kind, const char *value, struct err *e);
};
void incident_on_indicators(const struct incident_indicators *ops);

/* Called inside the transaction of an incident's creation ("created") and
 * of an assignment ("assigned", user_id the person assigned): the standing
 * duty queues its notifications there (h/notify, registered from main). A
 * list: each call adds a subscriber (domain.h, HOOKS_MAX). A failure rolls
 * the change back. */
typedef int (*incident_event_fn)(struct ctx *c, const char *kind, const char *incident_id,
				 const char *user_id, struct err *e);
void incident_on_event(incident_event_fn fn);
/*
 * The hook of federation (issue 16, h/sync-kinds): a function called inside
 * the transaction of every record written on an incident, before commit,
 * with the record's kind (the timeline event's: "support_request",
 * "support_request_update", "report", "comment", "observable",
 * "attachment", "task", "task_update", "assigned", ...; "transition" for a
 * move, with rec {from, to}; "updated" for an edit of the report) and the
 * record as the API renders it. Non-zero (e filled) rolls the change back,
 * so what must be sent is queued with it or not at all. A list of
 * subscribers (domain.h, HOOKS_MAX): sync/ and the standing duty's
 * notifications each add theirs at start-up; incident/ includes neither.
 */
typedef int (*incident_record_fn)(struct ctx *c, const char *incident_id, const char *kind,
				  const char *record_id, const json_t *rec, struct err *e);
void incident_on_record(incident_record_fn fn);
/* Calls them in order (inside the caller's transaction); 0 when none. */
int incident_record_hook(struct ctx *c, const char *incident_id, const char *kind,
			 const char *record_id, const json_t *rec, struct err *e);

/* Inside the caller's write transaction: a task on an incident, not
 * assigned, no due time, with its timeline event; the new id in tid. For
 * the classify hook (a playbook's steps). 0 or -1. */
int incident_task_insert(struct ctx *c, const char *incident_id, const char *title,
			 char tid[UUID_LEN], struct err *e);

/*
 * Filing from another intake (h/mail: reports by email, src/domain/duty/),
 * each inside the CALLER's write transaction so that a message becomes a
 * whole incident or nothing. No policy check: the caller decided who the
 * report is for. incident_file_locked: body in the shape of POST
 * /incidents (title, description, type, detected_at, the Mẫu 03 groups);
 * an optional group that fails validation is dropped, not the report.
 * created_by: the filing person's id or NULL. 0 or -1.
 */
int incident_file_locked(struct ctx *c, const char *org_id, json_t *body,
			 const char *created_by, char id[UUID_LEN], char number[32],
			 struct err *e);
/* An attachment (name and type already checked) and its timeline event;
 * created_by must be a person (attachments.created_by is required). */
int incident_attachment_locked(struct ctx *c, const char *incident_id, const char *name,
			       const char *content_type, const void *data, size_t n,
			       const char *created_by, char aid[UUID_LEN], struct err *e);
/* A comment (body: UTF-8, bounded by the caller) and its timeline event. */
int incident_comment_locked(struct ctx *c, const char *incident_id, const char *body,
			    const char *created_by, struct err *e);

#endif
