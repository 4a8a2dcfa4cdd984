/*
 * indicators.c - the indicator store, sightings, exchange files and hunts,
 * and the agent's side of hunts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api.h"
#include "../base/arena.h"
#include "../base/crypto.h"
#include "../base/jsonv.h"
#include "../base/limits.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../domain/asset/asset.h"
#include "../domain/ioc/hunt.h"
#include "../domain/ioc/indicator.h"
#include "../base/banned.h"

int api_indicator_list(struct req *r)
{
	const char *active = req_query(r, "active");
	struct indicator_filter f = {
		.q = req_query(r, "q"), .kind = req_query(r, "kind"), .tlp = req_query(r, "tlp"),
		.tag = req_query(r, "tag"), .org_code = req_query(r, "org"),
		.cursor = req_query(r, "cursor"),
		.active = active && strcmp(active, "true") == 0,
	};
	if (req_query_int(r, "limit", 1, LIMIT_PAGE_MAX, &f.limit) != 0)
		return -1;
	json_t *j = indicator_list(&r->ctx, &f, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_indicator_create(struct req *r)
{
	int created = 0;
	json_t *body = req_json(r);
	json_t *j = body ? indicator_create(&r->ctx, body, &created, &r->err) : NULL;
	return req_reply_versioned(r, created ? 201 : 200, j);
}

int api_indicator_get(struct req *r)
{
	return req_reply_versioned(r, 200, indicator_get(&r->ctx, r->params[0], &r->err));
}

int api_indicator_update(struct req *r)
{
	long long v = req_if_match_checked(r);
	json_t *body = v == -2 ? NULL : req_json(r);
	return body ? req_reply_versioned(r, 200, indicator_update(&r->ctx, r->params[0], v, body,
								   &r->err)) : -1;
}

int api_indicator_delete(struct req *r)
{
	long long v = req_if_match_checked(r);
	if (v == -2 || indicator_delete(&r->ctx, r->params[0], v, &r->err) != 0)
		return -1;
	return req_reply_empty(r, 204);
}

/* A file name from ?name=, bounded. */
static const char *file_name(struct req *r, const char *dflt)
{
	const char *name = req_query(r, "name");
	if (name == NULL || *name == '\0')
		return dflt;
	if (strlen(name) > 200) {
		err_field(&r->err, "/name", MSG_TOO_LONG, "200");
		return NULL;
	}
	return name;
}

int api_indicator_import(struct req *r)
{
	int format = indicator_format(r->params[0]);
	if (format < 0)
		return err_set(&r->err, E_NOTFOUND, MSG_ROUTE_NOT_FOUND, r->params[0]);
	const char *name = file_name(r, r->params[0]);
	if (name == NULL)
		return -1;
	json_t *j = indicator_import(&r->ctx, format, name, r->body.p ? r->body.p : "",
				     r->body.len, req_query(r, "org"), req_query(r, "tlp"), &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

static const char *const export_types[] = {
	[IND_STIX] = "application/stix+json;version=2.1",
	[IND_MISP] = "application/json",
	[IND_CSV] = "text/csv; charset=utf-8",
};

/* A file answer with its name and the counts of the TLP rule. */
static int reply_file(struct req *r, int format, char *text, size_t len, const char *base,
		      const struct indicator_export *x)
{
	static const char *const ext[] = { [IND_STIX] = "json", [IND_MISP] = "json",
					   [IND_CSV] = "csv" };
	r->status = 200;
	r->ctype = export_types[format];
	r->out = text;
	r->out_len = len;
	r->extra_header[0][0] = MHD_HTTP_HEADER_CONTENT_DISPOSITION;
	r->extra_header[0][1] = arena_printf(r->arena, "attachment; filename=\"%s-%s.%s\"", base,
					     indicator_format_names[format], ext[format]);
	r->extra_header[1][0] = "X-Exported";
	r->extra_header[1][1] = arena_printf(r->arena, "%zu", x->exported);
	r->extra_header[2][0] = "X-Withheld";
	r->extra_header[2][1] = arena_printf(r->arena, "%zu", x->withheld);
	r->extra_header[3][0] = "X-Withheld-Context";     /* 0 but for STIX */
	r->extra_header[3][1] = arena_printf(r->arena, "%zu", x->context);
	return 0;
}

int api_indicator_export(struct req *r)
{
	int format = indicator_format(r->params[0]);
	if (format != IND_STIX && format != IND_MISP && format != IND_CSV)
		return err_set(&r->err, E_NOTFOUND, MSG_ROUTE_NOT_FOUND, r->params[0]);
	const char *active = req_query(r, "active");
	struct indicator_export x = { .to_code = req_query(r, "to"), .kind = req_query(r, "kind"),
				      .tag = req_query(r, "tag"),
				      .active = active && strcmp(active, "true") == 0 };
	size_t len = 0;
	char *text = indicator_export(&r->ctx, format, &x, &len, &r->err);
	return text ? reply_file(r, format, text, len, "ungcuu-indicators", &x) : -1;
}

int api_sighting_list(struct req *r)
{
	int limit = 0;
	if (req_query_int(r, "limit", 1, 1000, &limit) != 0)
		return -1;
	json_t *j = sighting_list(&r->ctx, req_query(r, "indicator"), req_query(r, "hunt"),
				  req_query(r, "org"), limit, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_hunt_list(struct req *r)
{
	struct page_ask pa;
	json_t *j = api_page_ask(r, &pa) == 0 ? hunt_list(&r->ctx, req_query(r, "status"),
		req_query(r, "q"), &pa, &r->err) : NULL;
	return j ? req_reply(r, 200, j) : -1;
}

int api_hunt_create(struct req *r)
{
	json_t *body = req_json(r);
	return body ? req_reply_versioned(r, 201, hunt_create(&r->ctx, body, &r->err)) : -1;
}

int api_hunt_get(struct req *r)
{
	return req_reply_versioned(r, 200, hunt_get(&r->ctx, r->params[0], &r->err));
}

int api_hunt_close(struct req *r)
{
	long long v = req_if_match_checked(r);
	return v == -2 ? -1 : req_reply_versioned(r, 200, hunt_close(&r->ctx, r->params[0], v,
								     &r->err));
}

int api_hunt_rules(struct req *r)
{
	size_t len = 0;
	char *text = hunt_rules(&r->ctx, r->params[0], &len, &r->err);
	struct indicator_export x = { 0 };
	return text ? reply_file(r, IND_STIX, text, len, "ungcuu-hunt", &x) : -1;
}

int api_hunt_results(struct req *r)
{
	const char *name = file_name(r, "sweep.jsonl"), *host = req_query(r, "hostname");
	if (name == NULL)
		return -1;
	if (host == NULL || *host == '\0' || strlen(host) > 253)
		return err_field(&r->err, "/hostname", host ? MSG_TOO_LONG : MSG_REQUIRED, "253");
	json_t *hits = hunt_parse_jsonl(name, r->body.p ? r->body.p : "", r->body.len, &r->err);
	if (hits == NULL)
		return -1;
	struct hunt_result res = { .org_code = req_query(r, "org"), .hostname = host,
				   .via = "upload", .ran_at = time_now_ms(), .hits = hits };
	json_t *j = hunt_submit(&r->ctx, r->params[0], &res, &r->err);
	json_decref(hits);
	return j ? req_reply(r, 201, j) : -1;
}

/* The signature over the body (POST) or, for a GET, over the method, path
 * and X-Agent-Time: "GET /api/v1/agents/hunts 1764000000000", that time
 * within the instance's clock window (a POST body carries its own time and
 * sequence: agent_stamp_read). */
static int agent_signed(struct req *r)
{
	const char *sig = req_header(r, "X-Agent-Signature");
	if (strcmp(r->method, "GET") == 0) {
		long long at = req_decimal_value(req_header(r, "X-Agent-Time"));
		if (at < 0)
			return err_field(&r->err, "/X-Agent-Time", MSG_BAD_VALUE, "ms since 1970");
		char msg[300];
		int n = snprintf(msg, sizeof(msg), "GET %s %lld", r->path, at);
		if (n < 0 || (size_t)n >= sizeof(msg) ||
		    !ed25519_verify_hex(r->agent_key, sig, msg, (size_t)n))
			return err_set(&r->err, E_UNAUTH, MSG_BAD_VALUE, "X-Agent-Signature");
		return agent_clock_check(&r->ctx, at, NULL, &r->err);
	}
	if (!ed25519_verify_hex(r->agent_key, sig, r->body.p ? r->body.p : "", r->body.len))
		return err_set(&r->err, E_UNAUTH, MSG_BAD_VALUE, "X-Agent-Signature");
	return 0;
}

int api_agent_hunts(struct req *r)
{
	if (agent_signed(r) != 0)
		return -1;
	json_t *j = hunt_for_agent(&r->ctx, r->agent_host, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

static const struct jv_field agent_result_fields[] = {
	{ "hunt_id", JV_UUID, 1, 0, 0, NULL, NULL },
	{ "hostname", JV_STRING, 1, 1, 253, NULL, NULL },
	{ "collected_at", JV_TIME, 1, 0, 0, NULL, NULL },
	{ "sequence", JV_INT, 1, 1, LIMIT_AGENT_SEQ, NULL, NULL },
	{ "files", JV_INT, 0, 0, 1LL << 50, NULL, NULL },
	{ "bytes", JV_INT, 0, 0, 1LL << 60, NULL, NULL },
	{ "errors", JV_INT, 0, 0, 1LL << 50, NULL, NULL },
	{ "seconds", JV_INT, 0, 0, 1LL << 40, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

int api_agent_hunt_results(struct req *r)
{
	if (agent_signed(r) != 0)
		return -1;
	json_t *body = req_json(r);
	if (body == NULL)
		return -1;
	json_t *hits = json_object_get(body, "hits");
	json_incref(hits);
	json_object_del(body, "hits");
	struct agent_stamp stamp = { .host_id = r->agent_host, .key = r->agent_key };
	int bad = jv_validate(body, agent_result_fields, "", &r->err) != 0;
	if (!bad && strcmp(jv_str(body, "hunt_id"), r->params[0]) != 0)
		bad = err_field(&r->err, "/hunt_id", MSG_BAD_VALUE, jv_str(body, "hunt_id")) != 0;
	if (!bad)
		bad = agent_stamp_read(&r->ctx, body, &stamp, &r->err) != 0;
	json_t *parsed = bad ? NULL : hunt_check_hits(hits, &r->err);
	json_decref(hits);
	if (parsed == NULL)
		return -1;
	struct hunt_result res = { .host_id = r->agent_host, .hostname = jv_str(body, "hostname"),
				   .via = "agent", .files = jv_int(body, "files", 0),
				   .bytes = jv_int(body, "bytes", 0),
				   .errors = jv_int(body, "errors", 0), .ran_at = stamp.at,
				   .hits = parsed, .stamp = &stamp };
	json_t *j = hunt_submit(&r->ctx, r->params[0], &res, &r->err);
	json_decref(parsed);
	return j ? req_reply(r, 201, j) : -1;
}
