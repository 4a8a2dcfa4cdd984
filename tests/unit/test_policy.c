/*
 * test_policy.c - the one authorisation function (domain/policy.c) and the
 * roles (domain/domain.c): for every action and every single role, whether
 * it is allowed, written out here on its own; scope (out of the subtree is
 * "not found", in scope without the role is "forbidden"), the support
 * exception, actions of exactly one organisation, the transition override, the system actor; roles as text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/msg.h"
#include "domain/directory/policy.h"

#define REP ROLE_REPORTER
#define FOC ROLE_FOCAL
#define COO ROLE_COORDINATOR
#define RES ROLE_RESPONDER
#define LEA ROLE_LEADER
#define ADM ROLE_ADMIN

/* Who may do what (DESIGN.md "Who uses it"): leaders and auditors read,
 * anyone who may report files, the working roles handle, the
 * administrator manages people and organisations. */
static const struct {
	int action;
	const char *name;
	unsigned roles;
} expected[] = {
	{ ACT_INCIDENT_CREATE, "incident.create", REP | FOC | COO | RES },
	{ ACT_INCIDENT_READ, "incident.read", REP | FOC | COO | RES | LEA | ADM },
	{ ACT_INCIDENT_UPDATE, "incident.update", FOC | COO | RES },
	{ ACT_INCIDENT_TRANSITION, "incident.transition", 0 },
	{ ACT_INCIDENT_NOTE, "incident.note", REP | FOC | COO | RES },
	{ ACT_INCIDENT_TASK, "incident.task", FOC | COO | RES },
	{ ACT_INCIDENT_REPORT, "incident.report", FOC | COO | RES },
	{ ACT_INCIDENT_ASSIGN, "incident.assign", COO },
	{ ACT_SUPPORT_OPEN, "support.open", COO | RES },
	{ ACT_SUPPORT_ANSWER, "support.answer", COO | RES },
	{ ACT_ORG_READ, "org.read", REP | FOC | COO | RES | LEA | ADM },
	{ ACT_ORG_WRITE, "org.write", ADM },
	{ ACT_USER_READ, "user.read", REP | FOC | COO | RES | LEA | ADM },
	{ ACT_USER_WRITE, "user.write", ADM },
	{ ACT_CONTACT_READ, "contact.read", REP | FOC | COO | RES | LEA | ADM },
	{ ACT_CONTACT_WRITE, "contact.write", ADM | COO },
	{ ACT_STATS_READ, "stats.read", REP | FOC | COO | RES | LEA | ADM },
	{ ACT_TOKEN_CREATE, "token.create", ADM },
	/* The registry: the focal point keeps the agency's systems (DESIGN.md),
	 * coordinators issue warnings, everyone reads. */
	{ ACT_ASSET_READ, "asset.read", REP | FOC | COO | RES | LEA | ADM },
	{ ACT_ASSET_WRITE, "asset.write", FOC | COO | ADM },
	{ ACT_AGENT_ENROLL, "agent.enroll", FOC | COO | ADM },
	{ ACT_FINDING_ACCEPT, "finding.accept", FOC | COO },
	{ ACT_FEED_IMPORT, "feed.import", COO | ADM },
	{ ACT_SCAN_IMPORT, "scan.import", FOC | COO | ADM },
	{ ACT_WARNING_ISSUE, "warning.issue", COO },
	{ ACT_WARNING_ANSWER, "warning.answer", FOC | COO },
	/* Everyone reads the indicators their organisation may see; those who
	 * handle incidents add them and share them; a coordinator opens hunts;
	 * the organisation's handlers send a manual hunt's result. */
	{ ACT_INDICATOR_READ, "indicator.read", REP | FOC | COO | RES | LEA | ADM },
	{ ACT_INDICATOR_WRITE, "indicator.write", FOC | COO | RES | ADM },
	{ ACT_INDICATOR_EXPORT, "indicator.export", FOC | COO | RES | ADM },
	{ ACT_HUNT_OPEN, "hunt.open", COO },
	{ ACT_HUNT_REPORT, "hunt.report", FOC | COO | RES },
	/* Issue 11: a comment apart from other notes (what a supporting
	 * organisation may add); matching again writes findings. */
	{ ACT_INCIDENT_COMMENT, "incident.comment", REP | FOC | COO | RES },
	{ ACT_FINDING_MATCH, "finding.match", FOC | COO | ADM },
	{ ACT_SUPPORT_DECIDE, "support.decide", COO | RES },
	{ ACT_ACCOUNT_OWN, "account.own", REP | FOC | COO | RES | LEA | ADM },
	/* Issue 15 (h/doc): whoever reads an incident prints its forms. */
	{ ACT_INCIDENT_DOCUMENT, "incident.document", REP | FOC | COO | RES | LEA | ADM },
	/* -- risk register, resources, budget (issue 15, h/risk): those who keep
	 * the registry keep the register, resources and budget; everyone reads;
	 * anyone of a finance office reads the roll-up. */
	{ ACT_RISK_READ, "risk.read", REP | FOC | COO | RES | LEA | ADM },
	{ ACT_RISK_WRITE, "risk.write", FOC | COO | ADM },
	{ ACT_RESOURCE_READ, "resource.read", REP | FOC | COO | RES | LEA | ADM },
	{ ACT_RESOURCE_WRITE, "resource.write", FOC | COO | ADM },
	{ ACT_BUDGET_READ, "budget.read", REP | FOC | COO | RES | LEA | ADM },
	{ ACT_BUDGET_WRITE, "budget.write", FOC | COO | ADM },
	{ ACT_BUDGET_SUBMIT, "budget.submit", FOC | COO | ADM },
	{ ACT_BUDGET_ROLLUP, "budget.rollup", REP | FOC | COO | RES | LEA | ADM },
	/* Response plans (issue 15, h/plans): everyone reads; the focal point
	 * or a coordinator drafts and submits; a leader approves; the outline
	 * is the instance's administrator's. */
	{ ACT_PLAN_READ, "plan.read", REP | FOC | COO | RES | LEA | ADM },
	{ ACT_PLAN_WRITE, "plan.write", FOC | COO },
	{ ACT_PLAN_APPROVE, "plan.approve", LEA },
	{ ACT_PLAN_OUTLINE, "plan.outline", ADM },
	/* Drills and periodic reports (issue 15, h/reports): everyone reads;
	 * the focal point or a coordinator records drills and prepares Mẫu 05;
	 * the owner of a corrective action ticks it (the roles here, the owner
	 * through the target); sending Mẫu 05 is a leader's act. */
	{ ACT_DRILL_READ, "drill.read", REP | FOC | COO | RES | LEA | ADM },
	{ ACT_DRILL_WRITE, "drill.write", FOC | COO },
	{ ACT_DRILL_ACTION_DONE, "drill.action_done", FOC | COO },
	{ ACT_REPORT_READ, "report.read", REP | FOC | COO | RES | LEA | ADM },
	{ ACT_REPORT_WRITE, "report.write", FOC | COO },
	{ ACT_REPORT_SEND, "report.send", LEA },
	/* -- federation core (issue 16, h/sync-core) -- */
	{ ACT_SYNC_ADMIN, "sync.admin", ADM },
	/* The standing duty (issue 17, h/notify): everyone sees who is on duty
	 * and keeps their own notifications; those who run the organisation's
	 * response keep its roster; the delivery log is the administrator's. */
	{ ACT_DUTY_READ, "duty.read", REP | FOC | COO | RES | LEA | ADM },
	{ ACT_DUTY_WRITE, "duty.write", FOC | COO | ADM },
	{ ACT_NOTIFY_OWN, "notify.own", REP | FOC | COO | RES | LEA | ADM },
	{ ACT_DELIVERY_READ, "delivery.read", ADM },
	/* Email intake (issue 17 item 5, h/mail): the home organisation's
	 * coordinators triage mail from unknown senders. */
	{ ACT_MAIL_TRIAGE, "mail.triage", COO },
	/* Syslog intake (issue 17 item 6, h/syslog): those who look after
	 * systems and leaders read their subtree's alerts (a reporter alone
	 * does not); a coordinator promotes or dismisses them. */
	{ ACT_ALERT_READ, "alert.read", FOC | COO | RES | LEA | ADM },
	{ ACT_ALERT_DECIDE, "alert.decide", COO },
	/* -- federation transport (issue 16, h/sync-net): the peer actor of a
	 * signed sync request (api/sync.c) has the reporter's role only. */
	{ ACT_SYNC_EXCHANGE, "sync.exchange", REP },
	/* -- federation kinds (issue 16, h/fed-kinds): the issuer's side
	 * withdraws its warning */
	{ ACT_WARNING_WITHDRAW, "warning.withdraw", COO },
	/* ... and every role reads what the children sent back of a hunt, as
	 * the hunt itself */
	{ ACT_HUNT_PEERS, "hunt.peers", ROLE_ALL },
	/* -- federation: what came from the peers (issue 16, h/fed-ui): every
	 * reader; the list keeps each to its subtree. */
	{ ACT_SYNC_RECEIVED_READ, "sync.received_read", REP | FOC | COO | RES | LEA | ADM },
	/* -- standing duty: approval (issue 17, h/duty): those who draft a
	 * Mẫu 05 submit it; the leader approves or returns it */
	{ ACT_REPORT_SUBMIT, "report.submit", FOC | COO },
	{ ACT_REPORT_APPROVE, "report.approve", LEA },
};

static const char *const role_name[] = {
	"reporter", "focal", "coordinator", "responder", "leader", "admin"
};

static struct actor person(unsigned roles, const char *path)
{
	struct actor a;
	memset(&a, 0, sizeof(a));
	snprintf(a.username, sizeof(a.username), "p");
	snprintf(a.org_path, sizeof(a.org_path), "%s", path);
	a.roles = roles;
	return a;
}

#define N_EXPECTED (sizeof(expected) / sizeof(expected[0]))

static void test_every_action_every_role(void **state)
{
	(void)state;
	/* Every action has its line here: a new action without one fails. */
	assert_int_equal(N_EXPECTED, ACT__COUNT);
	for (size_t i = 0; i < N_EXPECTED; i++) {
		assert_int_equal(expected[i].action, (int)i);
		assert_int_equal(policy_roles(expected[i].action), expected[i].roles);
		/* On a record of the actor's own organisation (actions of exactly
		 * one organisation are refused without a target). */
		struct policy_target own = { .org_path = "/a/" };
		for (int r = 0; r < 6; r++) {
			struct actor a = person(1u << r, "/a/");
			struct err e = { 0 };
			int rc = policy_check(&a, expected[i].action, &own, &e);
			int should = (expected[i].roles & (1u << r)) != 0;
			if ((rc == 0) != should)
				fail_msg("%s by %s: got %d, expected %s", expected[i].name,
					 role_name[r], rc, should ? "allowed" : "forbidden");
			assert_int_equal(e.code, should ? E_OK : E_FORBIDDEN);
			if (!should)
				assert_int_equal(e.msg, MSG_FORBIDDEN_ROLE);
		}
		/* Someone with every role may do all but the table-driven moves. */
		struct actor all = person(ROLE_ALL, "/a/");
		struct err e = { 0 };
		assert_int_equal(policy_check(&all, expected[i].action, &own, &e) == 0,
				 expected[i].roles != 0);
		/* Nobody without roles. */
		struct actor none = person(0, "/a/");
		err_clear(&e);
		assert_int_equal(policy_check(&none, expected[i].action, &own, &e), -1);
	}
	/* Actions added after this table was written: someone must be allowed
	 * each of them (only transitions take their roles from elsewhere). */
	for (int act = (int)N_EXPECTED; act < ACT__COUNT; act++) {
		if (policy_roles(act) == 0)
			fail_msg("action %d allows no role", act);
		print_message("# action %d is not in this test's table yet (roles 0x%x)\n", act,
			      policy_roles(act));
	}
	assert_int_equal(policy_roles(-1), 0);
	assert_int_equal(policy_roles(ACT__COUNT), 0);
}

static void test_scope(void **state)
{
	(void)state;
	struct actor a = person(ROLE_COORDINATOR, "/root/district/");
	struct err e = { 0 };
	struct policy_target in = { .org_path = "/root/district/commune/" };
	struct policy_target same = { .org_path = "/root/district/" };
	struct policy_target above = { .org_path = "/root/" };
	struct policy_target sibling = { .org_path = "/root/district2/" };
	struct policy_target prefix = { .org_path = "/root/districtX/" };

	assert_int_equal(policy_check(&a, ACT_INCIDENT_READ, &in, &e), 0);
	assert_int_equal(policy_check(&a, ACT_INCIDENT_READ, &same, &e), 0);
	assert_int_equal(policy_check(&a, ACT_INCIDENT_READ, &above, &e), -1);
	assert_int_equal(e.code, E_NOTFOUND);
	err_clear(&e);
	assert_int_equal(policy_check(&a, ACT_INCIDENT_READ, &sibling, &e), -1);
	assert_int_equal(e.code, E_NOTFOUND);
	err_clear(&e);
	assert_int_equal(policy_check(&a, ACT_INCIDENT_READ, &prefix, &e), -1);
	assert_int_equal(e.code, E_NOTFOUND);
	/* Out of scope wins over a missing role: never reveal what exists. */
	err_clear(&e);
	assert_int_equal(policy_check(&a, ACT_USER_WRITE, &sibling, &e), -1);
	assert_int_equal(e.code, E_NOTFOUND);
	err_clear(&e);
	assert_int_equal(policy_check(&a, ACT_USER_WRITE, &in, &e), -1);
	assert_int_equal(e.code, E_FORBIDDEN);
	/* Asked for support (open) reaches outside the subtree, for reading. */
	struct policy_target asked = { .org_path = "/root/district2/", .support = 1 };
	err_clear(&e);
	assert_int_equal(policy_check(&a, ACT_INCIDENT_READ, &asked, &e), 0);
	/* A target without an organisation is only about roles. */
	struct policy_target none = { 0 };
	assert_int_equal(policy_check(&a, ACT_INCIDENT_READ, &none, &e), 0);

	assert_true(policy_in_scope(&a, "/root/district/"));
	assert_true(policy_in_scope(&a, "/root/district/x/y/"));
	assert_false(policy_in_scope(&a, "/root/"));
	assert_false(policy_in_scope(&a, "/root/districtX/"));
	assert_false(policy_in_scope(&a, ""));
	/* No organisation: nothing is in scope. */
	struct actor lost = person(ROLE_ALL, "");
	assert_false(policy_in_scope(&lost, "/root/"));
	err_clear(&e);
	assert_int_equal(policy_check(&lost, ACT_INCIDENT_READ, &above, &e), -1);
	assert_int_equal(e.code, E_NOTFOUND);
}

/* Issue 11 item 2: the organisation asked for support reads, answers,
 * comments, prints the forms (issue 15) and works its own tasks while the
 * request is open; any other
 * action is forbidden (it sees the incident); without an open request the
 * incident is not found, whatever the action. */
static void test_support(void **state)
{
	(void)state;
	struct actor a = person(ROLE_ALL, "/root/province/");
	struct policy_target open = { .org_path = "/root/province/district/commune/" };
	open.org_path = "/root/district2/";
	open.support = 1;
	/* (accepting or declining is checked on the asked organisation itself,
	 * ACT_SUPPORT_DECIDE, which is in the actor's scope) */
	static const int allowed[] = { ACT_INCIDENT_READ, ACT_SUPPORT_ANSWER, ACT_INCIDENT_COMMENT,
					 ACT_INCIDENT_DOCUMENT };
	for (int act = 0; act < ACT__COUNT; act++) {
		struct err e = { 0 };
		int may = 0;
		for (size_t k = 0; k < sizeof(allowed) / sizeof(allowed[0]); k++)
			may |= allowed[k] == act;
		struct policy_target t = open;
		if (act == ACT_INCIDENT_TRANSITION)
			t.roles = ROLE_ALL;
		int rc = policy_check(&a, act, &t, &e);
		if ((rc == 0) != may)
			fail_msg("action %d with an open support request: got %d", act, rc);
		if (!may)
			assert_int_equal(e.code, E_FORBIDDEN);
		/* closed (or never asked): not found */
		struct policy_target closed = t;
		closed.support = 0;
		err_clear(&e);
		assert_int_equal(policy_check(&a, act, &closed, &e), -1);
		assert_int_equal(e.code, act == ACT_FEED_IMPORT || act == ACT_WARNING_ANSWER ||
				 act == ACT_SUPPORT_DECIDE || act == ACT_PLAN_OUTLINE ||
				 act == ACT_SYNC_ADMIN || act == ACT_MAIL_TRIAGE
				 ? E_FORBIDDEN : E_NOTFOUND);
	}
	/* Tasks: only its own (assigned to its people). */
	struct err e = { 0 };
	struct policy_target task = open;
	assert_int_equal(policy_check(&a, ACT_INCIDENT_TASK, &task, &e), -1);
	assert_int_equal(e.code, E_FORBIDDEN);
	assert_int_equal(e.msg, MSG_FORBIDDEN_SUPPORT);
	task.own = 1;
	err_clear(&e);
	assert_int_equal(policy_check(&a, ACT_INCIDENT_TASK, &task, &e), 0);
	/* Still the roles: a leader asked for support comments not. */
	struct actor lead = person(ROLE_LEADER, "/root/province/");
	err_clear(&e);
	assert_int_equal(policy_check(&lead, ACT_INCIDENT_COMMENT, &open, &e), -1);
	assert_int_equal(e.code, E_FORBIDDEN);
	err_clear(&e);
	assert_int_equal(policy_check(&lead, ACT_INCIDENT_READ, &open, &e), 0);
	/* In scope, the support flag changes nothing. */
	struct policy_target in = { .org_path = "/root/province/x/", .support = 1 };
	err_clear(&e);
	assert_int_equal(policy_check(&a, ACT_INCIDENT_UPDATE, &in, &e), 0);
}

/* Issue 11 items 3 and 4d: feeds are the instance's (its home organisation
 * only), a warning's answer is the target's own (not a parent's on its
 * behalf); without a target, refused. */
static void test_exact_org(void **state)
{
	(void)state;
	static const int acts[] = { ACT_FEED_IMPORT, ACT_WARNING_ANSWER, ACT_SUPPORT_DECIDE,
				    ACT_PLAN_OUTLINE, ACT_SYNC_ADMIN, ACT_MAIL_TRIAGE };
	struct actor district = person(ROLE_ALL, "/root/district/");
	struct actor commune = person(ROLE_ALL, "/root/district/commune/");
	struct actor province = person(ROLE_ALL, "/root/");
	struct policy_target home = { .org_path = "/root/district/" };
	for (size_t k = 0; k < sizeof(acts) / sizeof(acts[0]); k++) {
		struct err e = { 0 };
		assert_int_equal(policy_check(&district, acts[k], &home, &e), 0);
		assert_int_equal(policy_check(&commune, acts[k], &home, &e), -1);
		assert_int_equal(e.code, E_FORBIDDEN);
		assert_int_equal(e.msg, MSG_FORBIDDEN_OWN_ORG);
		err_clear(&e);
		assert_int_equal(policy_check(&province, acts[k], &home, &e), -1);
		assert_int_equal(e.code, E_FORBIDDEN);
		err_clear(&e);
		assert_int_equal(policy_check(&district, acts[k], NULL, &e), -1);
		assert_int_equal(e.code, E_FORBIDDEN);
		err_clear(&e);
		struct policy_target none = { 0 };
		assert_int_equal(policy_check(&district, acts[k], &none, &e), -1);
		/* a role is still needed */
		struct actor leader = person(ROLE_LEADER, "/root/district/");
		err_clear(&e);
		assert_int_equal(policy_check(&leader, acts[k], &home, &e), -1);
		assert_int_equal(e.msg, MSG_FORBIDDEN_ROLE);
	}
}

static void test_role_override_and_system(void **state)
{
	(void)state;
	struct err e = { 0 };
	struct actor resp = person(ROLE_RESPONDER, "/r/");
	struct policy_target t = { .org_path = "/r/a/", .roles = ROLE_COORDINATOR };
	assert_int_equal(policy_check(&resp, ACT_INCIDENT_TRANSITION, &t, &e), -1);
	assert_int_equal(e.code, E_FORBIDDEN);
	assert_string_equal(e.arg, "coordinator");
	t.roles = ROLE_COORDINATOR | ROLE_RESPONDER;
	err_clear(&e);
	assert_int_equal(policy_check(&resp, ACT_INCIDENT_TRANSITION, &t, &e), 0);
	/* Without the table's roles a transition is allowed to no one. */
	struct actor all = person(ROLE_ALL, "/r/");
	err_clear(&e);
	assert_int_equal(policy_check(&all, ACT_INCIDENT_TRANSITION, NULL, &e), -1);

	struct actor sys;
	actor_system(&sys);
	assert_true(sys.system);
	assert_int_equal(sys.roles, ROLE_ALL);
	assert_string_equal(sys.username, "system");
	assert_true(policy_in_scope(&sys, "/anything/"));
	assert_true(policy_in_scope(&sys, ""));
	struct policy_target far = { .org_path = "/x/y/" };
	for (int act = 0; act < ACT__COUNT; act++) {
		err_clear(&e);
		if (act == ACT_INCIDENT_TRANSITION)
			continue;
		assert_int_equal(policy_check(&sys, act, &far, &e), 0);
	}
	/* No actor, or an unknown action: not authenticated. */
	err_clear(&e);
	assert_int_equal(policy_check(NULL, ACT_INCIDENT_READ, NULL, &e), -1);
	assert_int_equal(e.code, E_UNAUTH);
	err_clear(&e);
	assert_int_equal(policy_check(&sys, ACT__COUNT, NULL, &e), -1);
	assert_int_equal(e.code, E_UNAUTH);
	err_clear(&e);
	assert_int_equal(policy_check(&sys, -1, NULL, &e), -1);
	assert_int_equal(e.code, E_UNAUTH);
}

static void test_roles_text(void **state)
{
	(void)state;
	char out[128];
	for (int r = 0; r < 6; r++) {
		assert_string_equal(role_names[r], role_name[r]);
		assert_int_equal(roles_parse(role_name[r]), 1 << r);
		assert_string_equal(roles_format(1u << r, out, sizeof(out)), role_name[r]);
	}
	assert_null(role_names[6]);
	assert_int_equal(roles_parse("coordinator,responder"), ROLE_COORDINATOR | ROLE_RESPONDER);
	assert_int_equal(roles_parse("responder,coordinator"), ROLE_COORDINATOR | ROLE_RESPONDER);
	assert_int_equal(roles_parse("reporter,reporter"), ROLE_REPORTER);
	assert_int_equal(roles_parse("reporter,focal,coordinator,responder,leader,admin"),
			 ROLE_ALL);
	assert_int_equal(roles_parse(""), -1);
	assert_int_equal(roles_parse(NULL), -1);
	assert_int_equal(roles_parse("root"), -1);
	assert_int_equal(roles_parse("Admin"), -1);
	assert_int_equal(roles_parse("admin,"), ROLE_ADMIN);
	assert_int_equal(roles_parse(",admin"), -1);
	assert_int_equal(roles_parse("admin,,leader"), -1);
	assert_int_equal(roles_parse("admin leader"), -1);
	assert_int_equal(roles_parse("adminx"), -1);
	assert_int_equal(roles_parse("admi"), -1);
	assert_string_equal(roles_format(ROLE_ALL, out, sizeof(out)),
			    "reporter,focal,coordinator,responder,leader,admin");
	assert_string_equal(roles_format(0, out, sizeof(out)), "");
	assert_string_equal(roles_format(ROLE_COORDINATOR | ROLE_RESPONDER, out, sizeof(out)),
			    "coordinator,responder");
	/* Too small an output: cut, always terminated, never overrun. */
	char small[21];
	memset(small, 'x', sizeof(small));
	roles_format(ROLE_ALL, small, 20);
	assert_true(strlen(small) < 20);
	assert_int_equal(strncmp(small, "reporter,focal", 14), 0);
	assert_int_equal(small[20], 'x');
	assert_string_equal(roles_format(ROLE_ALL, out, 1), "");
	/* Round trip of every combination. */
	for (unsigned bits = 1; bits <= ROLE_ALL; bits++) {
		roles_format(bits, out, sizeof(out));
		assert_int_equal(roles_parse(out), (int)bits);
		json_t *j = roles_json(bits);
		assert_int_equal(json_array_size(j), (size_t)__builtin_popcount(bits));
		json_decref(j);
	}
}

/* h/risk: a finance office reads the submitted budget lines of its
 * district out of its subtree; anything else on them is forbidden, and
 * without the flag they are not found. */
static void test_finance(void **state)
{
	(void)state;
	struct actor a = person(ROLE_REPORTER, "/root/district/finance/");
	struct policy_target t = { .org_path = "/root/district/commune/", .finance = 1 };
	for (int act = 0; act < ACT__COUNT; act++) {
		struct err e = { 0 };
		struct policy_target x = t;
		if (act == ACT_INCIDENT_TRANSITION)
			x.roles = ROLE_ALL;
		int may = act == ACT_BUDGET_READ || act == ACT_BUDGET_ROLLUP;
		int rc = policy_check(&a, act, &x, &e);
		if ((rc == 0) != may)
			fail_msg("action %d on a finance office's line: got %d", act, rc);
		if (!may)
			assert_int_equal(e.code, E_FORBIDDEN);
		x.finance = 0;
		err_clear(&e);
		assert_int_equal(policy_check(&a, act, &x, &e), -1);
	}
	/* the roles still apply: a finance office's person with no reading role */
	struct actor none = person(0, "/root/district/finance/");
	struct err e = { 0 };
	assert_int_equal(policy_check(&none, ACT_BUDGET_ROLLUP, &t, &e), -1);
	assert_int_equal(e.code, E_FORBIDDEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_action_every_role),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_support),
		cmocka_unit_test(test_exact_org),
		cmocka_unit_test(test_role_override_and_system),
		cmocka_unit_test(test_roles_text),
		cmocka_unit_test(test_finance),
	};
	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
