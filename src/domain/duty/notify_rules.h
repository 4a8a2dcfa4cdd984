/*
 * notify_rules.h - who is told what, through which channel, with how much
 * text (issue 17 items 2 and 3). Every notification a record causes (an
 * incident filed or assigned, a support request received or answered, a
 * warning issued, a hunt opened, a known-exploited finding, a plan or a
 * periodic report awaiting approval) is queued inside the transaction that
 * writes the record, through the domain's hooks (incident_on_event,
 * incident_on_record, domain_on_record); only what time causes (a clock
 * near its end or overdue, a warning's deadline near, the escalation of
 * silence) is found by a scan. src/notify/ sends what was queued. A
 * notification is unique per event and person.
 */
#ifndef UNGCUU_NOTIFY_RULES_H
#define UNGCUU_NOTIFY_RULES_H

#include "../domain.h"
#include "../../base/netguard.h"

/* Channels, as bits. The browser (web) list always holds every notification;
 * the bit says whether the bell counts it. */
enum { CH_WEB = 1, CH_EMAIL = 2, CH_WEBHOOK = 4 };

/* The events a person can choose channels for. */
extern const char *const notify_events[];  /* NULL-terminated */

struct duty_conf {
	int64_t clock_lead_ms;     /* "near its end": this long before (default 30 min) */
	int64_t steps_ms[3];       /* escalation after the ack clock ran out: to the
				      primary, the backup, the leader (0, 30 min, 1 h) */
	char base_url[256];        /* links in mail: http://127.0.0.1:8080 */
	struct net_allow webhook_allow; /* networks a webhook may reach although
					   private ([notify] webhook_allow) */
};
void duty_conf_default(struct duty_conf *d);
/* Set once by `ungcuu serve` (and main) before any thread starts. */
void notify_rules_configure(const struct duty_conf *d);
const struct duty_conf *notify_rules_conf(void);

/* The channels a person gets for an event without a choice of their own. */
unsigned notify_default_channels(const char *event);
/* "web,email" -> bits; -1 with *bad at the unknown name. */
int notify_channels_parse(const json_t *list, const char **bad);

/* How much of a record's text a channel may carry: the browser shows it to
 * a person who may read the record (scope was checked when choosing them);
 * mail and webhooks leave ungcuu, so only TLP:CLEAR and TLP:GREEN records
 * that are not confidential go out with their title; any other only with
 * its number and a link. 1: the title may go, 0: number only. */
int notify_text_allowed(const char *tlp, int confidential, unsigned channel);

/* How many escalation steps are due for an incident whose acknowledgement
 * clock ran out at `due` (0..3): step k is due at due + steps_ms[k]. */
int escalation_level(int64_t due, const int64_t steps_ms[3], int64_t now);

/* The hook the incident workflow calls inside its transaction ("created",
 * "assigned" with user_id). Registered from main (notify_rules_install). */
int notify_incident_event(struct ctx *c, const char *kind, const char *incident_id,
			  const char *user_id, struct err *e);
/* The subscribers to incident_on_record (support requests) and
 * domain_on_record (warning, hunt, finding.kev, plan.submitted,
 * periodic.submitted). */
int notify_on_incident_record(struct ctx *c, const char *incident_id, const char *kind,
			      const char *record_id, const json_t *rec, struct err *e);
int notify_on_domain_record(struct ctx *c, const char *entity, const char *id, const json_t *rec,
			    struct err *e);
/* Registers the three subscribers; from main() before any thread. */
void notify_rules_install(void);
/* Queues event (one of notify_events that a record causes) for the record
 * id, inside the caller's transaction; for the hooks and for what another
 * instance sends (sync/ applies a warning or a support request without the
 * hooks). 0 or -1; an unknown event or a record not in the state: 0. */
int notify_record(struct ctx *c, const char *event, const char *id, struct err *e);

/* The time-driven events up to now, each queued once (the unique key):
 * clocks near their end and overdue, a warning's deadline near, escalation
 * of silence. One write transaction. Returns the number queued or -1. */
int notify_scan(struct store *db, int64_t now, struct err *e);

/* API, the actor's own: GET /notifications?unread=1 ({items, unread}),
 * GET /notifications/count, POST /notifications/{id}/read (id "all": every
 * one), GET/PUT /account/notifications (channels per event, webhook). */
json_t *notify_list(struct ctx *c, int unread_only, int limit, struct err *e);
json_t *notify_count(struct ctx *c, struct err *e);
int notify_mark_read(struct ctx *c, const char *id, struct err *e);
json_t *notify_prefs_get(struct ctx *c, struct err *e);
json_t *notify_prefs_put(struct ctx *c, json_t *body, struct err *e);
/* GET /deliveries?status=: the outgoing log, for administrators. */
json_t *notify_deliveries(struct ctx *c, const char *status, int limit, struct err *e);

#endif
