/*
 * policy.h - the one authorisation function. Every endpoint and command asks
 * policy_check before it reads or changes anything. Out of scope answers
 * "not found" (never reveal what exists elsewhere); in scope without the
 * role answers "forbidden".
 */
#ifndef UNGCUU_POLICY_H
#define UNGCUU_POLICY_H

#include "../domain.h"

enum action {
	ACT_INCIDENT_CREATE,
	ACT_INCIDENT_READ,
	ACT_INCIDENT_UPDATE,
	ACT_INCIDENT_TRANSITION,   /* roles from the transition table */
	ACT_INCIDENT_NOTE,         /* comment, observable, attachment */
	ACT_INCIDENT_TASK,
	ACT_INCIDENT_REPORT,       /* legal reports sent */
	ACT_INCIDENT_ASSIGN,
	ACT_SUPPORT_OPEN,
	ACT_SUPPORT_ANSWER,
	ACT_ORG_READ,
	ACT_ORG_WRITE,
	ACT_USER_READ,
	ACT_USER_WRITE,
	ACT_CONTACT_READ,
	ACT_CONTACT_WRITE,
	ACT_STATS_READ,
	ACT_TOKEN_CREATE,
	ACT_ASSET_READ,            /* systems, hosts, findings, warnings, compliance */
	ACT_ASSET_WRITE,           /* the registry of systems and hosts */
	ACT_AGENT_ENROLL,
	ACT_FINDING_ACCEPT,        /* accept a risk with a reason and an expiry */
	ACT_FEED_IMPORT,           /* vulnerability feeds: instance-wide data */
	ACT_SCAN_IMPORT,           /* scanner reports, Windows inventories */
	ACT_WARNING_ISSUE,
	ACT_WARNING_ANSWER,        /* a target acknowledges, reports the fix */
	ACT_INDICATOR_READ,        /* the indicator store, sightings */
	ACT_INDICATOR_WRITE,       /* add, edit, import indicators */
	ACT_INDICATOR_EXPORT,      /* export under the TLP rule */
	ACT_HUNT_OPEN,             /* open or close a hunt */
	ACT_HUNT_REPORT,           /* a target uploads a manual sweep's result */
	ACT_INCIDENT_COMMENT,      /* a comment (what an organisation asked for support may add) */
	ACT_FINDING_MATCH,         /* match every host of a scope again: writes findings */
	ACT_SUPPORT_DECIDE,        /* accept or decline a support request: the asked org's */
	ACT_ACCOUNT_OWN,           /* one's own password and second factor */
	/* -- queue paging, close confirmation (issue 12, h/queue) -- */
	/* -- STIX fidelity (issue 13, h/stix) -- */
	/* -- MISP fidelity (issue 13, h/misp) -- */
	/* -- packaging (issue 14, h/deb) -- */
	/* -- documents (issue 15, h/doc) -- */
	ACT_INCIDENT_DOCUMENT,     /* Mẫu 03 / Mẫu 04 of an incident as PDF or DOCX */
	/* -- risk register, resources, budget (issue 15, h/risk) -- */
	ACT_RISK_READ,             /* the risk register, its hints and heat map */
	ACT_RISK_WRITE,
	ACT_RESOURCE_READ,         /* equipment, tools, services, contractors, people */
	ACT_RESOURCE_WRITE,
	ACT_BUDGET_READ,           /* budget lines (the finance office: submitted ones) */
	ACT_BUDGET_WRITE,          /* add, correct (a submitted amount: with a reason) */
	ACT_BUDGET_SUBMIT,         /* send a line to the finance office */
	ACT_BUDGET_ROLLUP,         /* the district's roll-up and its XLSX/CSV export */
	/* -- response plans, playbooks (issue 15, h/plans) -- */
	ACT_PLAN_READ,             /* plans, their diff, document, the district's view */
	ACT_PLAN_WRITE,            /* draft, edit a draft, submit, make a new version */
	ACT_PLAN_APPROVE,          /* approve with a decision, or return: a leader's act */
	ACT_PLAN_OUTLINE,          /* the outline plans are built in: instance-wide */
	/* -- drills, periodic reports (issue 15, h/reports) -- */
	ACT_DRILL_READ,            /* drills, their actions, the live-drill compliance */
	ACT_DRILL_WRITE,           /* plan and record a drill, its corrective actions */
	ACT_DRILL_ACTION_DONE,     /* the owner of a corrective action reports it done */
	ACT_REPORT_READ,           /* Mẫu 05, Mẫu 01, the annual report */
	ACT_REPORT_WRITE,          /* compute and correct a Mẫu 05 before it is sent */
	ACT_REPORT_SEND,           /* approve and record a Mẫu 05 as sent: a leader's act */
	/* -- federation core (issue 16, h/sync-core) -- */
	ACT_SYNC_ADMIN,            /* peers, bundles, sync status: the instance's administrators */
	/* -- standing duty, notifications (issue 17, h/notify) -- */
	ACT_DUTY_READ,             /* the roster, who is on duty now */
	ACT_DUTY_WRITE,            /* add or remove shifts of an organisation */
	ACT_NOTIFY_OWN,            /* one's own notifications, channels, webhook */
	ACT_DELIVERY_READ,         /* the log of outgoing deliveries: administrators */
	/* -- email intake (issue 17 item 5, h/mail) -- */
	ACT_MAIL_TRIAGE,           /* mail from unknown senders: accept into an incident,
				    * reject; the quarantine (the home organisation's) */
	/* -- syslog intake, alerts (issue 17, h/syslog) -- */
	ACT_ALERT_READ,            /* alerts from syslog, the intake's counters */
	ACT_ALERT_DECIDE,          /* promote an alert to an incident, or dismiss it */
	/* -- federation transport (issue 16, h/sync-net) -- */
	ACT_SYNC_EXCHANGE,         /* a registered peer instance pushes, pulls, acknowledges */
	/* -- federation kinds: attachments, hunt summaries, withdrawal (issue 16, h/fed-kinds) -- */
	ACT_WARNING_WITHDRAW,      /* the issuer's side takes a warning back (with a reason) */
	ACT_HUNT_PEERS,            /* what the children's instances sent back about a hunt */
	/* -- federation: what came from the peers (issue 16, h/fed-ui) -- */
	ACT_SYNC_RECEIVED_READ,    /* sightings, Mẫu 05, mirrors, warnings, indicators from peers */
	/* -- standing duty: approval, roster, webhooks (issue 17, h/duty) -- */
	ACT_REPORT_SUBMIT,         /* send a Mẫu 05 draft for the leader's approval */
	ACT_REPORT_APPROVE,        /* approve (send) or return a Mẫu 05 awaiting approval */
	/* -- several nodes, leadership (issue 18, h/pg-nodes) -- */
	ACT__COUNT
};

/*
 * What an action is done to. Outside the actor's subtree a record is "not
 * found", with one exception: the organisation asked for support on an
 * incident, while the request is open (sent or accepted), reads it, answers
 * the request, comments and works its own tasks (assigned to its people);
 * anything else is "forbidden" (it sees the incident), and once the request
 * is declined or done the incident is "not found" again. Likewise a finance
 * office (finance_offices, migration 014) reads the submitted budget lines
 * of its district out of its own subtree; anything else on those lines
 * is "forbidden", and everything else of the district "not found".
 *
 * Some actions belong to one organisation only, not to those above it
 * (ACT_WARNING_ANSWER: a target answers for itself; ACT_SUPPORT_DECIDE: the
 * organisation asked for support accepts or declines), or to the instance
 * (ACT_FEED_IMPORT: org_path is the instance's home organisation): the
 * actor must be of exactly org_path, else "forbidden". Without a target they
 * are refused (fail closed).
 */
struct policy_target {
	const char *org_path;      /* the resource's organisation, NULL: none */
	int support;               /* the actor's organisation was asked for support, open */
	int own;                   /* the record is the actor's organisation's (a task) */
	unsigned roles;            /* overrides the action's roles when non-zero */
	int finance;               /* the actor's organisation is the finance office of the
				    * record's district and the record is submitted (h/risk):
				    * out of scope, it may read budget lines and roll-ups */
};

int policy_check(const struct actor *a, int action,
		 const struct policy_target *t, struct err *e);
/* Whether org_path lies in the actor's subtree. */
int policy_in_scope(const struct actor *a, const char *org_path);
/* Roles an action needs (for listing what a person may do). */
unsigned policy_roles(int action);

/* One record by id, as row() renders it, if the actor may `action` on it:
 * sql is its SELECT with $1 the id, path_col the column of its
 * organisation's path, copied into path (LIMIT_ORG_PATH). A malformed id,
 * a missing row and a row out of scope all answer 404 (as policy_check
 * does for a scope leak), so nobody learns that another's record exists. */
json_t *policy_load_one(struct ctx *c, const char *sql, const char *id,
			json_t *(*row)(struct stmt *), int path_col, int action, char *path,
			struct err *e);

struct org;
/* The organisation a new record goes to: the one named by code if it is
 * in the actor's scope, else the actor's own (a system actor must name
 * one). ptr is the field's JSON pointer for the error ("/org_code"). */
int policy_org_target(struct ctx *c, const char *code, const char *ptr, struct org *o,
		      struct err *e);

#endif
