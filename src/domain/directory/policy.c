/* policy.c - the authorisation table and check. */
#include <string.h>

#include <stdio.h>

#include "policy.h"
#include "org.h"
#include "../../base/limits.h"
#include "../../base/uuid.h"
#include "../../base/msg.h"
#include "../../base/banned.h"

static const unsigned action_roles[ACT__COUNT] = {
	[ACT_INCIDENT_CREATE] = ROLE_ANY_WRITER,
	[ACT_INCIDENT_READ] = ROLE_ALL,
	[ACT_INCIDENT_UPDATE] = ROLE_FOCAL | ROLE_COORDINATOR | ROLE_RESPONDER,
	[ACT_INCIDENT_TRANSITION] = 0, /* from the transition table */
	[ACT_INCIDENT_NOTE] = ROLE_ANY_WRITER,
	[ACT_INCIDENT_TASK] = ROLE_FOCAL | ROLE_COORDINATOR | ROLE_RESPONDER,
	[ACT_INCIDENT_REPORT] = ROLE_FOCAL | ROLE_COORDINATOR | ROLE_RESPONDER,
	[ACT_INCIDENT_ASSIGN] = ROLE_COORDINATOR,
	[ACT_SUPPORT_OPEN] = ROLE_COORDINATOR | ROLE_RESPONDER,
	[ACT_SUPPORT_ANSWER] = ROLE_COORDINATOR | ROLE_RESPONDER,
	[ACT_ORG_READ] = ROLE_ALL,
	[ACT_ORG_WRITE] = ROLE_ADMIN,
	[ACT_USER_READ] = ROLE_ALL,
	[ACT_USER_WRITE] = ROLE_ADMIN,
	[ACT_CONTACT_READ] = ROLE_ALL,
	[ACT_CONTACT_WRITE] = ROLE_ADMIN | ROLE_COORDINATOR,
	[ACT_STATS_READ] = ROLE_ALL,
	[ACT_TOKEN_CREATE] = ROLE_ADMIN,
	[ACT_ASSET_READ] = ROLE_ALL,
	[ACT_ASSET_WRITE] = ROLE_FOCAL | ROLE_COORDINATOR | ROLE_ADMIN,
	[ACT_AGENT_ENROLL] = ROLE_FOCAL | ROLE_COORDINATOR | ROLE_ADMIN,
	[ACT_FINDING_ACCEPT] = ROLE_FOCAL | ROLE_COORDINATOR,
	[ACT_FEED_IMPORT] = ROLE_ADMIN | ROLE_COORDINATOR,
	[ACT_SCAN_IMPORT] = ROLE_FOCAL | ROLE_COORDINATOR | ROLE_ADMIN,
	[ACT_WARNING_ISSUE] = ROLE_COORDINATOR,
	[ACT_WARNING_ANSWER] = ROLE_FOCAL | ROLE_COORDINATOR,
	[ACT_INDICATOR_READ] = ROLE_ALL,
	[ACT_INDICATOR_WRITE] = ROLE_FOCAL | ROLE_COORDINATOR | ROLE_RESPONDER | ROLE_ADMIN,
	[ACT_INDICATOR_EXPORT] = ROLE_FOCAL | ROLE_COORDINATOR | ROLE_RESPONDER | ROLE_ADMIN,
	[ACT_HUNT_OPEN] = ROLE_COORDINATOR,
	[ACT_HUNT_REPORT] = ROLE_FOCAL | ROLE_COORDINATOR | ROLE_RESPONDER,
	[ACT_ACCOUNT_OWN] = ROLE_ALL,
	[ACT_INCIDENT_COMMENT] = ROLE_ANY_WRITER,
	[ACT_FINDING_MATCH] = ROLE_FOCAL | ROLE_COORDINATOR | ROLE_ADMIN,
	[ACT_SUPPORT_DECIDE] = ROLE_COORDINATOR | ROLE_RESPONDER,
	/* -- queue paging, close confirmation (issue 12, h/queue) -- */
	/* -- STIX fidelity (issue 13, h/stix) -- */
	/* -- MISP fidelity (issue 13, h/misp) -- */
	/* -- packaging (issue 14, h/deb) -- */
	/* -- documents (issue 15, h/doc) -- */
	[ACT_INCIDENT_DOCUMENT] = ROLE_ALL, /* whoever reads the incident prints its forms */
	/* -- risk register, resources, budget (issue 15, h/risk) -- */
	[ACT_RISK_READ] = ROLE_ALL,
	[ACT_RISK_WRITE] = ROLE_FOCAL | ROLE_COORDINATOR | ROLE_ADMIN,
	[ACT_RESOURCE_READ] = ROLE_ALL,
	[ACT_RESOURCE_WRITE] = ROLE_FOCAL | ROLE_COORDINATOR | ROLE_ADMIN,
	[ACT_BUDGET_READ] = ROLE_ALL,
	[ACT_BUDGET_WRITE] = ROLE_FOCAL | ROLE_COORDINATOR | ROLE_ADMIN,
	[ACT_BUDGET_SUBMIT] = ROLE_FOCAL | ROLE_COORDINATOR | ROLE_ADMIN,
	[ACT_BUDGET_ROLLUP] = ROLE_ALL,
	/* -- response plans, playbooks (issue 15, h/plans) -- */
	[ACT_PLAN_READ] = ROLE_ALL,
	[ACT_PLAN_WRITE] = ROLE_FOCAL | ROLE_COORDINATOR,
	[ACT_PLAN_APPROVE] = ROLE_LEADER,
	[ACT_PLAN_OUTLINE] = ROLE_ADMIN,
	/* -- drills, periodic reports (issue 15, h/reports) -- */
	[ACT_DRILL_READ] = ROLE_ALL,
	[ACT_DRILL_WRITE] = ROLE_FOCAL | ROLE_COORDINATOR,
	[ACT_DRILL_ACTION_DONE] = ROLE_FOCAL | ROLE_COORDINATOR, /* and the owner: t->roles */
	[ACT_REPORT_READ] = ROLE_ALL,
	[ACT_REPORT_WRITE] = ROLE_FOCAL | ROLE_COORDINATOR,
	[ACT_REPORT_SEND] = ROLE_LEADER,
	/* -- federation core (issue 16, h/sync-core) -- */
	[ACT_SYNC_ADMIN] = ROLE_ADMIN,
	/* -- standing duty, notifications (issue 17, h/notify) -- */
	[ACT_DUTY_READ] = ROLE_ALL,
	[ACT_DUTY_WRITE] = ROLE_ADMIN | ROLE_COORDINATOR | ROLE_FOCAL,
	[ACT_NOTIFY_OWN] = ROLE_ALL,
	[ACT_DELIVERY_READ] = ROLE_ADMIN,
	/* -- email intake (issue 17 item 5, h/mail) -- */
	[ACT_MAIL_TRIAGE] = ROLE_COORDINATOR,
	/* -- syslog intake, alerts (issue 17, h/syslog) -- */
	[ACT_ALERT_READ] = ROLE_FOCAL | ROLE_COORDINATOR | ROLE_RESPONDER | ROLE_LEADER | ROLE_ADMIN,
	[ACT_ALERT_DECIDE] = ROLE_COORDINATOR,
	/* -- federation transport (issue 16, h/sync-net) -- */
	[ACT_SYNC_EXCHANGE] = ROLE_REPORTER, /* the peer actor of api_sync_authenticate */
	/* -- federation kinds: attachments, hunt summaries, withdrawal (issue 16, h/fed-kinds) -- */
	[ACT_WARNING_WITHDRAW] = ROLE_COORDINATOR,
	[ACT_HUNT_PEERS] = ROLE_ALL,  /* as reading the hunt itself */
	/* -- federation: what came from the peers (issue 16, h/fed-ui) -- */
	[ACT_SYNC_RECEIVED_READ] = ROLE_ALL, /* scoped by organisation in the list's SQL */
	/* -- standing duty: approval, roster, webhooks (issue 17, h/duty) -- */
	[ACT_REPORT_SUBMIT] = ROLE_FOCAL | ROLE_COORDINATOR,   /* who drafts it */
	[ACT_REPORT_APPROVE] = ROLE_LEADER,   /* regulation §6: the leader signs Mẫu 05 */
	/* -- several nodes, leadership (issue 18, h/pg-nodes) -- */
};

/* What the organisation asked for support may do on the incident while the
 * request is open (issue 11): read, answer, comment; tasks only its own. */
enum { SUPPORT_NO, SUPPORT_YES, SUPPORT_OWN };
static const unsigned char support_may[ACT__COUNT] = {
	[ACT_INCIDENT_READ] = SUPPORT_YES,
	[ACT_INCIDENT_DOCUMENT] = SUPPORT_YES, /* as the print view it can open (h/doc) */
	[ACT_SUPPORT_ANSWER] = SUPPORT_YES,
	[ACT_INCIDENT_COMMENT] = SUPPORT_YES,
	[ACT_INCIDENT_TASK] = SUPPORT_OWN,
};

/* What a finance office may do out of its subtree, on the submitted budget
 * lines of its district (h/risk). */
static const unsigned char finance_may[ACT__COUNT] = {
	[ACT_BUDGET_READ] = 1,
	[ACT_BUDGET_ROLLUP] = 1,
};

/* Actions of exactly one organisation (see policy.h). */
static const unsigned char exact_org[ACT__COUNT] = {
	[ACT_FEED_IMPORT] = 1,
	[ACT_WARNING_ANSWER] = 1,
	[ACT_MAIL_TRIAGE] = 1,     /* the intake address is the home organisation's */
	[ACT_SUPPORT_DECIDE] = 1,
	[ACT_PLAN_OUTLINE] = 1,    /* h/plans: the instance's outline, from its home */
	[ACT_SYNC_ADMIN] = 1,      /* h/sync-core: the instance's peers, from its home */
};

unsigned policy_roles(int action)
{
	return action >= 0 && action < ACT__COUNT ? action_roles[action] : 0;
}

int policy_in_scope(const struct actor *a, const char *org_path)
{
	size_t n = strlen(a->org_path);
	return a->system || (n > 0 && strncmp(org_path, a->org_path, n) == 0);
}

int policy_check(const struct actor *a, int action,
		 const struct policy_target *t, struct err *e)
{
	if (a == NULL || action < 0 || action >= ACT__COUNT)
		return err_set(e, E_UNAUTH, MSG_UNAUTH, NULL);
	/* Before scope: the organisation concerned is known to the caller (the
	 * instance's, or a warning's target it named), so "forbidden". */
	if (exact_org[action] && !a->system &&
	    (t == NULL || t->org_path == NULL || strcmp(t->org_path, a->org_path) != 0))
		return err_set(e, E_FORBIDDEN, MSG_FORBIDDEN_OWN_ORG, NULL);
	if (t && t->org_path && !policy_in_scope(a, t->org_path) &&
	    !(t->finance && finance_may[action])) {
		/* the finance office sees the line: anything else is forbidden */
		if (t->finance)
			return err_set(e, E_FORBIDDEN, MSG_FORBIDDEN, NULL);
		if (!t->support)
			return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
		if (support_may[action] == SUPPORT_NO ||
		    (support_may[action] == SUPPORT_OWN && !t->own))
			return err_set(e, E_FORBIDDEN, MSG_FORBIDDEN_SUPPORT, NULL);
	}
	unsigned need = (t && t->roles) ? t->roles : action_roles[action];
	if ((a->roles & need) == 0) {
		char names[96];
		return err_set(e, E_FORBIDDEN, MSG_FORBIDDEN_ROLE,
			       roles_format(need, names, sizeof(names)));
	}
	return 0;
}

json_t *policy_load_one(struct ctx *c, const char *sql, const char *id,
			json_t *(*row)(struct stmt *), int path_col, int action, char *path,
			struct err *e)
{
	if (!uuid_valid(id))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	struct stmt *st = store_query(c->db, e, sql, "t", id);
	if (st == NULL)
		return NULL;
	json_t *j = NULL;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(path, LIMIT_ORG_PATH, "%s", stmt_text(st, path_col));
		j = row(st);
	} else if (rc == 0) {
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	}
	stmt_done(st);
	if (j == NULL)
		return NULL;
	struct policy_target t = { .org_path = path };
	if (policy_check(c->actor, action, &t, e) != 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

int policy_org_target(struct ctx *c, const char *code, const char *ptr, struct org *o,
		      struct err *e)
{
	if (code == NULL) {
		if (c->actor->system)
			return err_field(e, ptr, MSG_REQUIRED, NULL);
		return org_by_id(c, c->actor->org_id, o, e);
	}
	if (org_by_code(c, code, o, e) != 0 || !policy_in_scope(c->actor, o->path)) {
		if (e->code != E_OK && e->code != E_NOTFOUND)
			return -1;   /* the database failed (503), not the field */
		err_clear(e);
		return err_field(e, ptr, MSG_ORG_OUT_OF_SCOPE, code);
	}
	return 0;
}
