/*
 * api.h - the handlers behind /api/v1, one file per resource. Each parses
 * the request, calls one domain function and renders its answer.
 */
#ifndef UNGCUU_API_H
#define UNGCUU_API_H

#include "../http/http.h"
#include "../domain/page.h"

/* misc.c */
/* ?sort, ?order, ?cursor and ?limit (1..LIMIT_LIST_MAX, else 422 /limit)
 * of a list request (domain/page.h); -1 on a bad limit. */
int api_page_ask(struct req *r, struct page_ask *pa);
int api_health(struct req *r);
int api_openapi(struct req *r);
int api_meta(struct req *r);
int api_stats(struct req *r);
int api_deadlines(struct req *r);
/* session.c */
int api_session_create(struct req *r);
int api_session_get(struct req *r);
int api_session_delete(struct req *r);
int api_session_second_factor(struct req *r);
int api_account_password(struct req *r);
int api_account_totp_begin(struct req *r);
int api_account_totp_confirm(struct req *r);
int api_account_totp_disable(struct req *r);
int api_account_recovery_codes(struct req *r);
/* directory.c */
int api_org_list(struct req *r);
int api_org_create(struct req *r);
int api_user_list(struct req *r);
int api_user_create(struct req *r);
int api_user_disable(struct req *r);
int api_contact_list(struct req *r);
int api_contact_create(struct req *r);
int api_contact_update(struct req *r);
/* incidents.c */
int api_incident_list(struct req *r);
int api_incident_export(struct req *r);
int api_incident_bulk(struct req *r);
int api_inbox(struct req *r);
int api_saved_filter_list(struct req *r);
int api_saved_filter_create(struct req *r);
int api_saved_filter_delete(struct req *r);
int api_incident_create(struct req *r);
int api_incident_get(struct req *r);
int api_incident_update(struct req *r);
int api_incident_transition(struct req *r);
int api_support_create(struct req *r);
int api_support_transition(struct req *r);
int api_report_create(struct req *r);
int api_task_create(struct req *r);
int api_task_update(struct req *r);
int api_observable_create(struct req *r);
int api_comment_create(struct req *r);
int api_assignee_create(struct req *r);
int api_attachment_create(struct req *r);
/* X-Filename: percent-encoded UTF-8 (what encodeURIComponent makes) decoded
 * into a; NULL when it decodes to a control character (NUL included) or to
 * bytes that are not UTF-8. */
char *api_decode_filename(struct arena *a, const char *s);
int api_attachment_get(struct req *r);

/* sync.c (issue 16, h/sync-net): the routes peer instances call (AUTH_PEER:
 * api_sync_authenticate, which serve sets as the server's
 * peer_authenticate, names the peer from the headers; 0, or -1 with r->err,
 * 401). */
int api_sync_authenticate(struct req *r);
int api_sync_push(struct req *r);
int api_sync_pull(struct req *r);
int api_sync_ack(struct req *r);

/* fed_kinds.c (issue 16, h/fed-kinds): a warning withdrawn; the children's
 * instances' summaries of a hunt. */
int api_warning_withdraw(struct req *r);
int api_hunt_peers(struct req *r);

/* documents.c - every official document the API serves goes out here.
 * Renders d in the format the query asks (format=pdf, the default, or
 * format=docx) and sets the answer: the bytes, their media type and a
 * download named base.pdf / base.docx (base: ASCII letters, digits, '-',
 * '_' and '.'). Frees d in every case. 0, or -1 with r->err set. */
struct doc;
int api_send_document(struct req *r, struct doc *d, const char *base);
/* GET /incidents/{id}/documents/{mau03|mau04}?format=pdf|docx */
int api_incident_document(struct req *r);

/* assets.c */
int api_system_list(struct req *r);
int api_system_create(struct req *r);
int api_system_get(struct req *r);
int api_system_update(struct req *r);
int api_host_list(struct req *r);
int api_host_create(struct req *r);
int api_host_get(struct req *r);
int api_host_update(struct req *r);
int api_agent_enroll(struct req *r);
int api_agent_inventory(struct req *r);
int api_finding_list(struct req *r);
int api_finding_update(struct req *r);
int api_findings_match(struct req *r);
int api_vuln_get(struct req *r);
int api_import(struct req *r);
int api_warning_list(struct req *r);
int api_warning_create(struct req *r);
int api_warning_get(struct req *r);
int api_warning_ack(struct req *r);
int api_warning_fixed(struct req *r);
int api_compliance(struct req *r);

/* plan_plans.c - response plans and playbooks (issue 15, h/plans) */
int api_plan_outline_get(struct req *r);
int api_plan_outline_put(struct req *r);
int api_plan_list(struct req *r);
int api_plan_create(struct req *r);
int api_plan_compliance(struct req *r);
int api_plan_get(struct req *r);
int api_plan_update(struct req *r);
int api_plan_transition(struct req *r);
int api_plan_new_version(struct req *r);
int api_plan_diff(struct req *r);
int api_plan_document(struct req *r);
int api_incident_playbook(struct req *r);
/* plan_reports.c - drills, periodic reports (issue 15, h/reports) */
int api_drill_list(struct req *r);
int api_drill_create(struct req *r);
int api_drill_get(struct req *r);
int api_drill_update(struct req *r);
int api_drill_action_create(struct req *r);
int api_drill_action_update(struct req *r);
int api_drill_document(struct req *r);
int api_drill_compliance(struct req *r);
int api_mau05_list(struct req *r);
int api_mau05_create(struct req *r);
int api_mau05_get(struct req *r);
int api_mau05_update(struct req *r);
int api_mau05_send(struct req *r);
/* the approval between draft and sent (issue 17, h/duty) */
int api_mau05_submit(struct req *r);
int api_mau05_approve(struct req *r);
int api_mau05_return(struct req *r);
int api_mau05_document(struct req *r);
int api_mau01_get(struct req *r);
int api_mau01_document(struct req *r);
int api_annual_get(struct req *r);
int api_annual_document(struct req *r);

/* duty.c - the standing duty (issue 17, h/notify) */
int api_duty_now(struct req *r);
int api_duty_shift_list(struct req *r);
int api_duty_shift_create(struct req *r);
int api_duty_shift_delete(struct req *r);
int api_notification_list(struct req *r);
int api_notification_count(struct req *r);
int api_notification_read(struct req *r);
int api_notify_prefs_get(struct req *r);
int api_notify_prefs_put(struct req *r);
int api_delivery_list(struct req *r);
/* mail.c - email intake: triage of unknown senders, quarantine (issue 17, h/mail) */
int api_mail_triage_list(struct req *r);
int api_mail_triage_get(struct req *r);
int api_mail_triage_accept(struct req *r);
int api_mail_triage_reject(struct req *r);
int api_mail_quarantine_list(struct req *r);
/* alerts.c - syslog alerts, the intake's counters (issue 17, h/syslog) */
int api_alert_list(struct req *r);
int api_alert_get(struct req *r);
int api_alert_promote(struct req *r);
int api_alert_dismiss(struct req *r);
int api_syslog_status(struct req *r);

/* The embedded OpenAPI document (openapi.json, built into openapi_doc.c). */
extern const char api_openapi_doc[];

/* plan_risk.c, plan_budget.c: the risk register, resources, budget (issue 15, h/risk) */
int api_risk_list(struct req *r);
int api_risk_create(struct req *r);
int api_risk_get(struct req *r);
int api_risk_update(struct req *r);
int api_risk_heatmap(struct req *r);
int api_risk_hints(struct req *r);
int api_resource_list(struct req *r);
int api_resource_create(struct req *r);
int api_resource_update(struct req *r);
int api_budget_list(struct req *r);
int api_budget_create(struct req *r);
int api_budget_update(struct req *r);
int api_budget_submit(struct req *r);
int api_budget_rollup(struct req *r);
int api_budget_rollup_csv(struct req *r);
int api_budget_rollup_xlsx(struct req *r);

/* indicators.c */
int api_indicator_list(struct req *r);
int api_indicator_create(struct req *r);
int api_indicator_get(struct req *r);
int api_indicator_update(struct req *r);
int api_indicator_delete(struct req *r);
int api_indicator_import(struct req *r);
int api_indicator_export(struct req *r);
int api_sighting_list(struct req *r);
int api_hunt_list(struct req *r);
int api_hunt_create(struct req *r);
int api_hunt_get(struct req *r);
int api_hunt_close(struct req *r);
int api_hunt_rules(struct req *r);
int api_hunt_results(struct req *r);
int api_agent_hunts(struct req *r);
int api_agent_hunt_results(struct req *r);

/* sync_admin.c - federation administration (issue 16, h/sync-core) */
int api_sync_self(struct req *r);
int api_sync_peer_list(struct req *r);
int api_sync_peer_create(struct req *r);
int api_sync_peer_delete(struct req *r);
int api_sync_status(struct req *r);
int api_sync_refusals(struct req *r);
/* -- federation: what came from the peers (issue 16, h/fed-ui) -- */
int api_sync_received_list(struct req *r);

#endif
