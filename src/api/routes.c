/*
 * routes.c - every route of the API in one table (kcgi's disps[]). The
 * OpenAPI test checks that each of these is described in openapi.json.
 */
#include "api.h"
#include "../domain/directory/policy.h"

const struct route api_routes[] = {
	{ "GET", "/api/v1/health", api_health, AUTH_NONE, BODY_NONE },
	{ "GET", "/api/v1/openapi.json", api_openapi, AUTH_NONE, BODY_NONE },
	{ "GET", "/api/v1/meta", api_meta, AUTH_NONE, BODY_NONE },
	{ "POST", "/api/v1/session", api_session_create, AUTH_NONE, BODY_JSON },
	{ "GET", "/api/v1/session", api_session_get, AUTH_USER, BODY_NONE },
	{ "DELETE", "/api/v1/session", api_session_delete, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/session/second-factor", api_session_second_factor, AUTH_NONE, BODY_JSON },
	{ "POST", "/api/v1/account/password", api_account_password, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/account/totp", api_account_totp_begin, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/account/totp/confirm", api_account_totp_confirm, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/account/totp/disable", api_account_totp_disable, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/account/recovery-codes", api_account_recovery_codes, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/orgs", api_org_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/orgs", api_org_create, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/users", api_user_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/users", api_user_create, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/users/{}/disable", api_user_disable, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/contacts", api_contact_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/contacts", api_contact_create, AUTH_USER, BODY_JSON },
	{ "PATCH", "/api/v1/contacts/{}", api_contact_update, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/incidents", api_incident_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/incidents", api_incident_create, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/incidents.csv", api_incident_export, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/incidents/bulk", api_incident_bulk, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/inbox", api_inbox, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/saved-filters", api_saved_filter_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/saved-filters", api_saved_filter_create, AUTH_USER, BODY_JSON },
	{ "DELETE", "/api/v1/saved-filters/{}", api_saved_filter_delete, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/incidents/{}", api_incident_get, AUTH_USER, BODY_NONE },
	{ "PATCH", "/api/v1/incidents/{}", api_incident_update, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/incidents/{}/transitions", api_incident_transition, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/incidents/{}/support-requests", api_support_create, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/incidents/{}/support-requests/{}/transitions", api_support_transition,
	  AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/incidents/{}/reports", api_report_create, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/incidents/{}/tasks", api_task_create, AUTH_USER, BODY_JSON },
	{ "PATCH", "/api/v1/incidents/{}/tasks/{}", api_task_update, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/incidents/{}/observables", api_observable_create, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/incidents/{}/comments", api_comment_create, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/incidents/{}/assignees", api_assignee_create, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/incidents/{}/attachments", api_attachment_create, AUTH_USER, BODY_RAW },
	{ "GET", "/api/v1/incidents/{}/attachments/{}", api_attachment_get, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/deadlines", api_deadlines, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/stats", api_stats, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/systems", api_system_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/systems", api_system_create, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/systems/{}", api_system_get, AUTH_USER, BODY_NONE },
	{ "PATCH", "/api/v1/systems/{}", api_system_update, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/hosts", api_host_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/hosts", api_host_create, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/hosts/{}", api_host_get, AUTH_USER, BODY_NONE },
	{ "PATCH", "/api/v1/hosts/{}", api_host_update, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/agents/enroll", api_agent_enroll, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/agents/inventory", api_agent_inventory, AUTH_AGENT, BODY_INVENTORY },
	{ "GET", "/api/v1/findings", api_finding_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/findings/match", api_findings_match, AUTH_USER, BODY_NONE },
	{ "PATCH", "/api/v1/findings/{}", api_finding_update, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/vulns/{}", api_vuln_get, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/imports/{}", api_import, AUTH_USER, BODY_IMPORT },
	{ "GET", "/api/v1/warnings", api_warning_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/warnings", api_warning_create, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/warnings/{}", api_warning_get, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/warnings/{}/acknowledge", api_warning_ack, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/warnings/{}/fixed", api_warning_fixed, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/compliance", api_compliance, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/indicators", api_indicator_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/indicators", api_indicator_create, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/indicators/{}", api_indicator_get, AUTH_USER, BODY_NONE },
	{ "PATCH", "/api/v1/indicators/{}", api_indicator_update, AUTH_USER, BODY_JSON },
	{ "DELETE", "/api/v1/indicators/{}", api_indicator_delete, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/indicators/import/{}", api_indicator_import, AUTH_USER, BODY_IMPORT },
	{ "GET", "/api/v1/indicators/export/{}", api_indicator_export, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/sightings", api_sighting_list, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/hunts", api_hunt_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/hunts", api_hunt_create, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/hunts/{}", api_hunt_get, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/hunts/{}/close", api_hunt_close, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/hunts/{}/rules", api_hunt_rules, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/hunts/{}/results", api_hunt_results, AUTH_USER, BODY_INVENTORY },
	/* -- queue paging, close confirmation (issue 12, h/queue) -- */
	/* -- STIX fidelity (issue 13, h/stix) -- */
	/* -- MISP fidelity (issue 13, h/misp) -- */
	/* -- packaging (issue 14, h/deb) -- */
	/* -- documents (issue 15, h/doc) -- */
	{ "GET", "/api/v1/incidents/{}/documents/{}", api_incident_document, AUTH_USER, BODY_NONE },
	/* -- risk register, resources, budget (issue 15, h/risk) -- */
	{ "GET", "/api/v1/risks", api_risk_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/risks", api_risk_create, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/risks/heatmap", api_risk_heatmap, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/risks/{}", api_risk_get, AUTH_USER, BODY_NONE },
	{ "PATCH", "/api/v1/risks/{}", api_risk_update, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/systems/{}/risk-hints", api_risk_hints, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/resources", api_resource_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/resources", api_resource_create, AUTH_USER, BODY_JSON },
	{ "PATCH", "/api/v1/resources/{}", api_resource_update, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/budget-lines", api_budget_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/budget-lines", api_budget_create, AUTH_USER, BODY_JSON },
	{ "PATCH", "/api/v1/budget-lines/{}", api_budget_update, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/budget-lines/{}/submit", api_budget_submit, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/budget/rollup", api_budget_rollup, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/budget/rollup.csv", api_budget_rollup_csv, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/budget/rollup.xlsx", api_budget_rollup_xlsx, AUTH_USER, BODY_NONE },
	/* -- response plans, playbooks (issue 15, h/plans) -- */
	{ "GET", "/api/v1/plan-outline", api_plan_outline_get, AUTH_USER, BODY_NONE },
	{ "PUT", "/api/v1/plan-outline", api_plan_outline_put, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/plans", api_plan_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/plans", api_plan_create, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/plans/compliance", api_plan_compliance, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/plans/{}", api_plan_get, AUTH_USER, BODY_NONE },
	{ "PATCH", "/api/v1/plans/{}", api_plan_update, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/plans/{}/transitions", api_plan_transition, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/plans/{}/versions", api_plan_new_version, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/plans/{}/diff", api_plan_diff, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/plans/{}/document", api_plan_document, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/incidents/{}/playbook", api_incident_playbook, AUTH_USER, BODY_NONE },
	/* -- drills, periodic reports (issue 15, h/reports) -- */
	{ "GET", "/api/v1/plan/drills", api_drill_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/plan/drills", api_drill_create, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/plan/drills/{}", api_drill_get, AUTH_USER, BODY_NONE },
	{ "PATCH", "/api/v1/plan/drills/{}", api_drill_update, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/plan/drills/{}/actions", api_drill_action_create, AUTH_USER, BODY_JSON },
	{ "PATCH", "/api/v1/plan/drills/{}/actions/{}", api_drill_action_update, AUTH_USER,
	  BODY_JSON },
	{ "GET", "/api/v1/plan/drills/{}/document", api_drill_document, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/plan/drill-compliance", api_drill_compliance, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/plan/mau05", api_mau05_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/plan/mau05", api_mau05_create, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/plan/mau05/{}", api_mau05_get, AUTH_USER, BODY_NONE },
	{ "PATCH", "/api/v1/plan/mau05/{}", api_mau05_update, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/plan/mau05/{}/send", api_mau05_send, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/plan/mau05/{}/document", api_mau05_document, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/plan/orgs/{}/mau01", api_mau01_get, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/plan/orgs/{}/mau01/document", api_mau01_document, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/plan/annual", api_annual_get, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/plan/annual/document", api_annual_document, AUTH_USER, BODY_NONE },
	/* -- federation core (issue 16, h/sync-core) -- */
	{ "GET", "/api/v1/sync/self", api_sync_self, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/sync/peers", api_sync_peer_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/sync/peers", api_sync_peer_create, AUTH_USER, BODY_JSON },
	{ "DELETE", "/api/v1/sync/peers/{}", api_sync_peer_delete, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/sync/status", api_sync_status, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/sync/refusals", api_sync_refusals, AUTH_USER, BODY_NONE },
	/* -- standing duty, notifications (issue 17, h/notify) -- */
	{ "GET", "/api/v1/duty/now", api_duty_now, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/duty/shifts", api_duty_shift_list, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/duty/shifts", api_duty_shift_create, AUTH_USER, BODY_JSON },
	{ "DELETE", "/api/v1/duty/shifts/{}", api_duty_shift_delete, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/notifications", api_notification_list, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/notifications/count", api_notification_count, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/notifications/{}/read", api_notification_read, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/account/notifications", api_notify_prefs_get, AUTH_USER, BODY_NONE },
	{ "PUT", "/api/v1/account/notifications", api_notify_prefs_put, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/deliveries", api_delivery_list, AUTH_USER, BODY_NONE },
	/* -- email intake (issue 17 item 5, h/mail) -- */
	{ "GET", "/api/v1/mail/triage", api_mail_triage_list, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/mail/triage/{}", api_mail_triage_get, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/mail/triage/{}/accept", api_mail_triage_accept, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/mail/triage/{}/reject", api_mail_triage_reject, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/mail/quarantine", api_mail_quarantine_list, AUTH_USER, BODY_NONE },
	/* -- syslog intake, alerts (issue 17, h/syslog) -- */
	{ "GET", "/api/v1/alerts", api_alert_list, AUTH_USER, BODY_NONE },
	{ "GET", "/api/v1/alerts/{}", api_alert_get, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/alerts/{}/promote", api_alert_promote, AUTH_USER, BODY_JSON },
	{ "POST", "/api/v1/alerts/{}/dismiss", api_alert_dismiss, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/syslog/status", api_syslog_status, AUTH_USER, BODY_NONE },
	/* -- federation transport (issue 16, h/sync-net) -- */
	{ "POST", "/api/v1/sync/push", api_sync_push, AUTH_PEER, BODY_JSON },
	{ "POST", "/api/v1/sync/pull", api_sync_pull, AUTH_PEER, BODY_JSON },
	{ "POST", "/api/v1/sync/ack", api_sync_ack, AUTH_PEER, BODY_JSON },
	/* -- federation kinds: attachments, hunt summaries, withdrawal (issue 16, h/fed-kinds) -- */
	{ "POST", "/api/v1/warnings/{}/withdraw", api_warning_withdraw, AUTH_USER, BODY_JSON },
	{ "GET", "/api/v1/hunts/{}/peers", api_hunt_peers, AUTH_USER, BODY_NONE },
	/* -- federation: what came from the peers (issue 16, h/fed-ui) -- */
	{ "GET", "/api/v1/sync/received", api_sync_received_list, AUTH_USER, BODY_NONE },
	/* -- standing duty: approval, roster, webhooks (issue 17, h/duty) -- */
	{ "POST", "/api/v1/plan/mau05/{}/submit", api_mau05_submit, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/plan/mau05/{}/approve", api_mau05_approve, AUTH_USER, BODY_NONE },
	{ "POST", "/api/v1/plan/mau05/{}/return", api_mau05_return, AUTH_USER, BODY_JSON },
	/* -- several nodes, leadership (issue 18, h/pg-nodes) -- */
	{ "GET", "/api/v1/agents/hunts", api_agent_hunts, AUTH_AGENT, BODY_NONE },
	{ "POST", "/api/v1/agents/hunts/{}/results", api_agent_hunt_results, AUTH_AGENT,
	  BODY_INVENTORY },
};
const size_t api_routes_count = sizeof(api_routes) / sizeof(api_routes[0]);

/* Routes with a body whose action is known from the route alone: a caller
 * without its roles is refused from the headers (403) before the body is
 * read. Imports take the wider of the feed and scan roles. */
const struct route_role api_route_roles[] = {
	{ api_org_create, ACT_ORG_WRITE },
	{ api_user_create, ACT_USER_WRITE },
	{ api_contact_create, ACT_CONTACT_WRITE },
	{ api_contact_update, ACT_CONTACT_WRITE },
	{ api_incident_create, ACT_INCIDENT_CREATE },
	{ api_incident_update, ACT_INCIDENT_UPDATE },
	{ api_report_create, ACT_INCIDENT_REPORT },
	{ api_observable_create, ACT_INCIDENT_NOTE },
	{ api_comment_create, ACT_INCIDENT_NOTE },
	{ api_assignee_create, ACT_INCIDENT_ASSIGN },
	{ api_attachment_create, ACT_INCIDENT_NOTE },
	{ api_system_create, ACT_ASSET_WRITE },
	{ api_system_update, ACT_ASSET_WRITE },
	{ api_host_create, ACT_ASSET_WRITE },
	{ api_host_update, ACT_ASSET_WRITE },
	{ api_agent_enroll, ACT_AGENT_ENROLL },
	{ api_import, ACT_SCAN_IMPORT },
	{ api_warning_create, ACT_WARNING_ISSUE },
	{ api_indicator_create, ACT_INDICATOR_WRITE },
	{ api_indicator_update, ACT_INDICATOR_WRITE },
	{ api_indicator_import, ACT_INDICATOR_WRITE },
	{ api_hunt_create, ACT_HUNT_OPEN },
	{ api_hunt_results, ACT_HUNT_REPORT },
	/* -- risk register, resources, budget (issue 15, h/risk) -- */
	{ api_risk_create, ACT_RISK_WRITE },
	{ api_risk_update, ACT_RISK_WRITE },
	{ api_resource_create, ACT_RESOURCE_WRITE },
	{ api_resource_update, ACT_RESOURCE_WRITE },
	{ api_budget_create, ACT_BUDGET_WRITE },
	{ api_budget_update, ACT_BUDGET_WRITE },
	/* -- response plans, playbooks (issue 15, h/plans) -- */
	{ api_plan_outline_put, ACT_PLAN_OUTLINE },
	{ api_plan_create, ACT_PLAN_WRITE },
	{ api_plan_update, ACT_PLAN_WRITE },
	/* -- drills, periodic reports (issue 15, h/reports) -- */
	{ api_drill_create, ACT_DRILL_WRITE },
	{ api_drill_update, ACT_DRILL_WRITE },
	{ api_drill_action_create, ACT_DRILL_WRITE },
	{ api_mau05_create, ACT_REPORT_WRITE },
	{ api_mau05_update, ACT_REPORT_WRITE },
	/* -- federation core (issue 16, h/sync-core) -- */
	{ api_sync_peer_create, ACT_SYNC_ADMIN },
	/* -- standing duty, notifications (issue 17, h/notify) -- */
	{ api_duty_shift_create, ACT_DUTY_WRITE },
	{ api_notify_prefs_put, ACT_NOTIFY_OWN },
	/* -- email intake (issue 17 item 5, h/mail) -- */
	{ api_mail_triage_accept, ACT_MAIL_TRIAGE },
	{ api_mail_triage_reject, ACT_MAIL_TRIAGE },
	/* -- syslog intake, alerts (issue 17, h/syslog) -- */
	{ api_alert_promote, ACT_ALERT_DECIDE },
	{ api_alert_dismiss, ACT_ALERT_DECIDE },
	/* -- federation kinds: attachments, hunt summaries, withdrawal (issue 16, h/fed-kinds) -- */
	{ api_warning_withdraw, ACT_WARNING_WITHDRAW },
	/* -- federation: what came from the peers (issue 16, h/fed-ui) -- */
	/* -- standing duty: approval, roster, webhooks (issue 17, h/duty) -- */
	{ api_mau05_return, ACT_REPORT_APPROVE },
	/* -- several nodes, leadership (issue 18, h/pg-nodes) -- */
};
const size_t api_route_roles_count = sizeof(api_route_roles) / sizeof(api_route_roles[0]);

/* Routes that render a document (src/doc/: tens of ms, one at a time under
 * the font lock) run on the lane's threads, not on those that answer the
 * reads. Every document route belongs here. */
const handler_fn api_slow_handlers[] = {
	api_incident_document,
};
const size_t api_slow_handlers_count = sizeof(api_slow_handlers) / sizeof(api_slow_handlers[0]);
