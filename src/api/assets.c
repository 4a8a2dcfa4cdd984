/*
 * assets.c - the registry (systems, hosts), agents, findings, feeds and
 * scanner imports, authority warnings and the compliance view.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api.h"
#include "../base/crypto.h"
#include "../base/msg.h"
#include "../domain/asset/asset.h"
#include "../domain/vuln/vuln.h"
#include "../domain/vuln/warning.h"


typedef json_t *(*create_fn)(struct ctx *, json_t *, struct err *);
typedef json_t *(*update_fn)(struct ctx *, const char *, long long, json_t *, struct err *);

static int create(struct req *r, create_fn fn)
{
	json_t *body = req_json(r);
	return body ? req_reply_versioned(r, 201, fn(&r->ctx, body, &r->err)) : -1;
}

static int update(struct req *r, update_fn fn)
{
	long long v = req_if_match_checked(r);
	json_t *body = v == -2 ? NULL : req_json(r);
	return body ? req_reply_versioned(r, 200, fn(&r->ctx, r->params[0], v, body, &r->err)) : -1;
}

int api_page_ask(struct req *r, struct page_ask *pa)
{
	*pa = (struct page_ask){ .sort = req_query(r, "sort"), .order = req_query(r, "order"),
				 .cursor = req_query(r, "cursor") };
	return req_query_int(r, "limit", 1, LIMIT_LIST_MAX, &pa->limit);
}

/* The query of a registry list: filters, sort, order, cursor, limit. */
static int asset_query(struct req *r, struct asset_filter *f)
{
	*f = (struct asset_filter){
		.org_code = req_query(r, "org"), .system_id = req_query(r, "system"),
		.q = req_query(r, "q"), .retired = req_query(r, "retired"),
		.sort = req_query(r, "sort"), .order = req_query(r, "order"),
		.cursor = req_query(r, "cursor"),
	};
	return req_query_int(r, "limit", 1, LIMIT_LIST_MAX, &f->limit) != 0 ||
	       req_query_int(r, "level", 1, 5, &f->level) != 0 ? -1 : 0;
}

int api_system_list(struct req *r)
{
	struct asset_filter f;
	json_t *j = asset_query(r, &f) == 0 ? system_list(&r->ctx, &f, &r->err) : NULL;
	return j ? req_reply(r, 200, j) : -1;
}

int api_system_create(struct req *r) { return create(r, system_create); }
int api_system_update(struct req *r) { return update(r, system_update); }
int api_host_create(struct req *r) { return create(r, host_create); }
int api_host_update(struct req *r) { return update(r, host_update); }
int api_finding_update(struct req *r) { return update(r, finding_update); }

int api_system_get(struct req *r)
{
	return req_reply_versioned(r, 200, system_get(&r->ctx, r->params[0], &r->err));
}

int api_host_list(struct req *r)
{
	struct asset_filter f;
	json_t *j = asset_query(r, &f) == 0 ? host_list(&r->ctx, &f, &r->err) : NULL;
	return j ? req_reply(r, 200, j) : -1;
}

int api_host_get(struct req *r)
{
	return req_reply_versioned(r, 200, host_get(&r->ctx, r->params[0], &r->err));
}

int api_agent_enroll(struct req *r)
{
	json_t *body = req_json(r);
	json_t *j = body ? agent_enroll(&r->ctx, body, &r->err) : NULL;
	return j ? req_reply(r, 201, j) : -1;
}

int api_agent_inventory(struct req *r)
{
	const char *sig = req_header(r, "X-Agent-Signature");
	if (!ed25519_verify_hex(r->agent_key, sig, r->body.p ? r->body.p : "", r->body.len))
		return err_set(&r->err, E_UNAUTH, MSG_BAD_VALUE, "X-Agent-Signature");
	json_t *inv = req_json(r);
	if (inv == NULL)
		return -1;
	json_t *j = agent_inventory(&r->ctx, r->agent_host, r->agent_key, inv, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_finding_list(struct req *r)
{
	const char *kev = req_query(r, "kev"), *overdue = req_query(r, "overdue");
	struct finding_filter f = {
		.org_code = req_query(r, "org"), .host_id = req_query(r, "host"),
		.status = req_query(r, "status"), .severity = req_query(r, "severity"),
		.vuln_id = req_query(r, "vuln"),
		.kev = kev && strcmp(kev, "true") == 0,
		.overdue = overdue && strcmp(overdue, "true") == 0,
		.sort = req_query(r, "sort"), .order = req_query(r, "order"),
		.cursor = req_query(r, "cursor"),
	};
	if (req_query_int(r, "limit", 1, LIMIT_LIST_MAX, &f.limit) != 0)
		return -1;
	json_t *j = finding_list(&r->ctx, &f, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_findings_match(struct req *r)
{
	struct vuln_stats st = { 0 };
	if (vuln_match(&r->ctx, NULL, &st, &r->err) != 0)
		return -1;
	return req_reply(r, 200, json_pack("{s:I, s:I, s:I, s:I}", "hosts", (json_int_t)st.hosts,
					   "opened", (json_int_t)st.opened, "closed",
					   (json_int_t)st.closed, "open_kept", (json_int_t)st.kept));
}

int api_vuln_get(struct req *r)
{
	json_t *j = vuln_get(&r->ctx, r->params[0], &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

/* POST /imports/{kind}?org=CODE&name=FILE with the file as the body. */
int api_import(struct req *r)
{
	const char *kind = r->params[0], *name = req_query(r, "name");
	const char *org = req_query(r, "org");
	struct vuln_stats st = { 0 };
	json_t *out = NULL;
	if (name == NULL)
		name = kind;
	if (strlen(name) > 200)
		return err_field(&r->err, "/name", MSG_TOO_LONG, "200");
	if (strcmp(kind, "osv") == 0 || strcmp(kind, "nvd") == 0 || strcmp(kind, "kev") == 0) {
		if (vuln_import(&r->ctx, kind, name, r->body.p, r->body.len, &st, &r->err) != 0 ||
		    vuln_match(&r->ctx, NULL, &st, &r->err) != 0)
			return -1;
		out = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "kind", kind,
				"records", (json_int_t)st.records, "created", (json_int_t)st.created,
				"updated", (json_int_t)st.updated, "opened", (json_int_t)st.opened,
				"closed", (json_int_t)st.closed);
	} else if (strcmp(kind, "nmap") == 0 || strcmp(kind, "openvas") == 0) {
		if (scan_import(&r->ctx, kind, name, r->body.p, r->body.len, org, &st, &out,
				&r->err) != 0)
			return -1;
	} else if (strcmp(kind, "windows-inventory") == 0) {
		out = windows_import(&r->ctx, name, r->body.p, r->body.len, org, &r->err);
		if (out == NULL)
			return -1;
	} else {
		return err_set(&r->err, E_NOTFOUND, MSG_ROUTE_NOT_FOUND, kind);
	}
	return req_reply(r, 200, out);
}

int api_warning_list(struct req *r)
{
	struct page_ask pa;
	json_t *j = api_page_ask(r, &pa) == 0 ? warning_list(&r->ctx, req_query(r, "q"),
		req_query(r, "severity"), &pa, &r->err) : NULL;
	return j ? req_reply(r, 200, j) : -1;
}

int api_warning_create(struct req *r) { return create(r, warning_create); }

int api_warning_get(struct req *r)
{
	json_t *j = warning_get(&r->ctx, r->params[0], &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

static int answer(struct req *r, const char *what)
{
	json_t *body = r->body.len ? req_json(r) : json_object();
	if (body == NULL)
		return -1;
	json_t *j = warning_answer(&r->ctx, r->params[0], what, body, &r->err);
	if (r->body.len == 0)
		json_decref(body);
	return j ? req_reply(r, 200, j) : -1;
}

int api_warning_ack(struct req *r) { return answer(r, "acknowledged"); }
int api_warning_fixed(struct req *r) { return answer(r, "fixed"); }

int api_compliance(struct req *r)
{
	const char *format = req_query(r, "format");
	if (format && strcmp(format, "csv") == 0) {
		char *csv = compliance_csv(&r->ctx, &r->err);
		if (csv == NULL)
			return -1;
		r->status = 200;
		r->ctype = "text/csv; charset=utf-8";
		r->out = csv;
		r->out_len = strlen(csv);
		r->extra_header[0][0] = MHD_HTTP_HEADER_CONTENT_DISPOSITION;
		r->extra_header[0][1] = "attachment; filename=\"ungcuu-compliance.csv\"";
		return 0;
	}
	json_t *j = compliance_list(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}
