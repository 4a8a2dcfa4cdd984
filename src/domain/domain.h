/*
 * domain.h - what every domain module shares: the acting person (actor), the
 * roles, the instance configuration the rules read, and the call context.
 * Domain functions take a struct ctx and return JSON documents (jansson) in
 * the shape of docs/API.md; they never print and never speak HTTP.
 */
#ifndef UNGCUU_DOMAIN_H
#define UNGCUU_DOMAIN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../base/err.h"
#include "../base/limits.h"
#include "../base/uuid.h"
#include "../store/store.h"

enum role {
	ROLE_REPORTER = 1 << 0,
	ROLE_FOCAL = 1 << 1,
	ROLE_COORDINATOR = 1 << 2,
	ROLE_RESPONDER = 1 << 3,
	ROLE_LEADER = 1 << 4,
	ROLE_ADMIN = 1 << 5,
};
#define ROLE_ANY_WRITER (ROLE_REPORTER | ROLE_FOCAL | ROLE_COORDINATOR | ROLE_RESPONDER)
#define ROLE_ALL (ROLE_ANY_WRITER | ROLE_LEADER | ROLE_ADMIN)

extern const char *const role_names[];   /* NULL-terminated, bit order */

/* "coordinator,responder" -> bits; -1 on an unknown name. */
int roles_parse(const char *csv);
/* bits -> "coordinator,responder" */
char *roles_format(unsigned roles, char *out, size_t n);
json_t *roles_json(unsigned roles);

struct actor {
	char id[UUID_LEN];
	char username[65];
	char full_name[129];
	char org_id[UUID_LEN];
	char org_path[LIMIT_ORG_PATH];
	unsigned roles;
	int via_session;        /* authenticated by cookie: CSRF applies */
	char csrf[65];
	int system;             /* the command line acting as the instance */
	int64_t token_expires;  /* when the presented token expires (0 never) */
};

/* Instance configuration the rules read (defaults from regulation.md §13). */
struct rules {
	int64_t ack_ms;            /* T5 acknowledge: 2 h */
	int64_t notification_ms;   /* T1 notification: 5 days from detection */
	int64_t initial_ms;        /* T3 initial report: 24 h from classification */
	int64_t closing_ms;        /* T6 closing report: 5 days from review */
	char number_prefix[16];    /* incident numbers: PQ-2026-0007 */
	size_t max_attachment;
	unsigned second_factor_roles; /* roles that must log in with a second factor */
	int64_t agent_skew_ms;     /* an agent's clock vs ours, either way: 5 min */
};

void rules_default(struct rules *r);

struct ctx {
	struct store *db;
	const struct rules *rules;
	const struct actor *actor;
	int lang;
};

/* Steps st to its end, each row turned into JSON by row(), and finishes
 * st: the array of them (rows_array) or {"items": [...]} (rows_items), or
 * NULL with e filled when a step failed. */
json_t *rows_array(struct stmt *st, json_t *(*row)(struct stmt *), struct err *e);
json_t *rows_items(struct stmt *st, json_t *(*row)(struct stmt *), struct err *e);
/* j[key] = the rows of sql with $1 = id (a record's list of children). */
int rows_attach(struct store *db, json_t *j, const char *key, const char *sql,
		const char *id, json_t *(*row)(struct stmt *), struct err *e);

/* Inside a write transaction, before any change: holds the row id of table
 * at version `version`, or fails with 412 (MSG_STALE_RECORD) when someone
 * else changed it since it was read. The check and the row lock are one
 * statement (a no-op UPDATE), so two writers with the same If-Match cannot
 * both pass, on SQLite (BEGIN IMMEDIATE) as on a server database. table is
 * a constant of the caller, never input. */
int version_claim(struct ctx *c, const char *table, const char *id, long long version,
		  struct err *e);

/* Whether the JSON array list holds the string s. */
int json_has_string(const json_t *list, const char *s);
/* A time as RFC 3339 UTC, or JSON null for 0 (not set). */
json_t *ms_json(int64_t ms);

/* The system actor used by `ungcuu admin ...` on the server's own machine. */
void actor_system(struct actor *a);

/*
 * The domain's hooks (incident_on_event, incident_on_record,
 * domain_on_record) are lists of subscribers: each registration adds one
 * (the same function twice: once), they run in the order registered, and
 * the first that fails stops the others and rolls the change back. Filled
 * from main() before any thread; HOOKS_MAX is a programming limit (more
 * aborts at start-up, never at run time).
 */
#define HOOKS_MAX 4
#define HOOK_ADD(list, n, fn)                                       \
	do {                                                        \
		for (size_t k_ = 0; k_ < (n); k_++)                 \
			if ((list)[k_] == (fn))                     \
				return;                             \
		if ((n) >= HOOKS_MAX)                               \
			abort();                                    \
		(list)[(n)++] = (fn);                               \
	} while (0)

/*
 * The hook of federation for records outside an incident (issue 16,
 * h/sync-kinds; incident records have incident_on_record): called inside
 * the transaction of the change, before commit, with what changed:
 *   "indicator"         created or edited (rec: the indicator as read)
 *   "indicator.delete"  about to be deleted (rec: as it was)
 *   "warning"           issued (rec: warning_get's answer)
 *   "warning.withdraw"  taken back by its issuer (rec: warning_get's answer,
 *                       with "withdrawn": {at, reason, ...})
 *   "hunt"              issued (rec: hunt_get's answer)
 *   "hunt.run"          a target's run recorded (rec: {hunt_id, org_id, run_id})
 *   "hunt.close"        closed (rec: hunt_get's answer)
 *   "sighting"          recorded (rec: {id, indicator_id, org_id, source, seen_at})
 *   "periodic"          a periodic report sent (rec: mau05_get's answer)
 *   "finding.kev"       a finding on a known-exploited vulnerability opened
 *                       (rec NULL: read it by id)
 *   "plan.submitted"    a plan sent for approval (rec NULL)
 *   "periodic.submitted" a periodic report (Mẫu 05) sent for approval (rec NULL)
 * Non-zero (e filled) rolls the change back. sync/ and the standing duty
 * (notify_rules) subscribe from main(); domain code never includes sync/.
 */
typedef int (*domain_record_fn)(struct ctx *c, const char *entity, const char *id,
				const json_t *rec, struct err *e);
void domain_on_record(domain_record_fn fn);
/* Calls them in order; the first failure stops (0 when none). */
int domain_record_hook(struct ctx *c, const char *entity, const char *id, const json_t *rec,
		       struct err *e);

#endif
