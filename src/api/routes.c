/*
 * routes.c - every route of the API in one table (kcgi's disps[]). The
 * OpenAPI test checks that each of these is described in openapi.json.
 */
#include "api.h"

const struct route api_routes[] = {
	{ "GET", "/api/v1/health", api_health, AUTH_NONE, BODY_NONE },
	{ "GET", "/api/v1/openapi.json", api_openapi, AUTH_NONE, BODY_NONE },
	{ "GET", "/api/v1/meta", api_meta, AUTH_NONE, BODY_NONE },
	{ "POST", "/api/v1/session", api_session_create, AUTH_NONE, BODY_JSON },
	{ "GET", "/api/v1/session", api_session_get, AUTH_USER, BODY_NONE },
	{ "DELETE", "/api/v1/session", api_session_delete, AUTH_USER, BODY_NONE },
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
};
const size_t api_routes_count = sizeof(api_routes) / sizeof(api_routes[0]);
