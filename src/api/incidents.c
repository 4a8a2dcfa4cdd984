/* incidents.c - incidents and the records on them. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "api.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../http/cache.h"
#include "../domain/incident/incident.h"

/* The view of the queue in the query string (docs/API.md). */
static int read_filter(struct req *r, struct incident_filter *f)
{
	*f = (struct incident_filter){
		.status = req_query(r, "status"), .org_code = req_query(r, "org"),
		.type = req_query(r, "type"), .severity = req_query(r, "severity"),
		.q = req_query(r, "q"), .cursor = req_query(r, "cursor"),
		.sort = req_query(r, "sort"), .order = req_query(r, "order"),
		.overdue = req_query_flag(r, "overdue"),
		.due_soon = req_query_flag(r, "due_soon"),
	};
	if (req_query_int(r, "limit", 1, 200, &f->limit) != 0)
		return -1;
	if (f->q && strlen(f->q) > 200)
		return err_field(&r->err, "/q", MSG_TOO_LONG, "200");
	if (f->status && strlen(f->status) > 200)
		return err_field(&r->err, "/status", MSG_TOO_LONG, "200");
	if (f->org_code && strlen(f->org_code) > 64)
		return err_field(&r->err, "/org", MSG_TOO_LONG, "64");
	return 0;
}

int api_incident_list(struct req *r)
{
	struct incident_filter f;
	if (read_filter(r, &f) != 0)
		return -1;
	json_t *j = incident_list(&r->ctx, &f, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_incident_export(struct req *r)
{
	struct incident_filter f;
	size_t len = 0;
	if (read_filter(r, &f) != 0)
		return -1;
	char *csv = incident_export_csv(&r->ctx, &f, &len, &r->err);
	if (csv == NULL)
		return -1;
	r->status = 200;
	r->ctype = "text/csv; charset=utf-8";
	r->out = csv;
	r->out_len = len;
	r->extra_header[0][0] = MHD_HTTP_HEADER_CONTENT_DISPOSITION;
	r->extra_header[0][1] = "attachment; filename=\"ungcuu-incidents.csv\"";
	return 0;
}

int api_incident_bulk(struct req *r)
{
	json_t *body = req_json(r);
	json_t *j = body ? incident_bulk(&r->ctx, body, &r->err) : NULL;
	return j ? req_reply(r, 200, j) : -1;
}

int api_inbox(struct req *r)
{
	json_t *j = inbox_get(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_saved_filter_list(struct req *r)
{
	json_t *j = saved_filter_list(&r->ctx, &r->err);
	return j ? req_reply(r, 200, j) : -1;
}

int api_saved_filter_create(struct req *r)
{
	json_t *body = req_json(r);
	json_t *j = body ? saved_filter_create(&r->ctx, body, &r->err) : NULL;
	return j ? req_reply(r, 201, j) : -1;
}

int api_saved_filter_delete(struct req *r)
{
	if (saved_filter_delete(&r->ctx, r->params[0], &r->err) != 0)
		return -1;
	return req_reply(r, 200, json_pack("{s:b}", "deleted", 1));
}

int api_incident_create(struct req *r)
{
	json_t *body = req_json(r);
	if (body == NULL)
		return -1;
	json_t *j = incident_create(&r->ctx, body, &r->err);
	if (j == NULL)
		return -1;
	r->extra_header[0][0] = MHD_HTTP_HEADER_LOCATION;
	r->extra_header[0][1] = arena_printf(r->arena, "/api/v1/incidents/%s",
					     json_string_value(json_object_get(j, "id")));
	return req_reply_versioned(r, 201, j);
}

/* Hot read: coordinators poll incidents during an attack. The rendered
 * answer is kept per person and language (allowed_transitions depend on the
 * roles) for a second at most, and only while nothing was committed. */
#define INCIDENT_CACHE_MS 1000

int api_incident_get(struct req *r)
{
	char key[CACHE_KEY];
	int64_t now = time_now_ms(), stamp = req_stamp(r);
	struct cache *cache = server_cache(r->srv);
	snprintf(key, sizeof(key), "i:%.40s:%.40s:%d", r->params[0], r->actor.id, r->lang);
	struct cache_entry *hit = cache_get(cache, key, stamp, now);
	if (hit) {
		r->out = malloc(hit->len + 1);
		if (r->out == NULL)
			return err_set(&r->err, E_NOMEM, MSG_INTERNAL, NULL);
		memcpy(r->out, hit->body, hit->len + 1);
		r->out_len = hit->len;
		r->status = 200;
		r->ctype = "application/json";
		r->etag_version = hit->etag;
		return 0;
	}
	if (req_reply_versioned(r, 200, incident_get(&r->ctx, r->params[0], 1, &r->err)) != 0)
		return -1;
	struct cache_entry *put = cache_put(cache, key, stamp, now + INCIDENT_CACHE_MS);
	if (put) {
		put->body = malloc(r->out_len + 1);
		if (put->body) {
			memcpy(put->body, r->out, r->out_len + 1);
			put->len = r->out_len;
			put->etag = r->etag_version;
		} else {
			put->key[0] = '\0';
		}
	}
	return 0;
}

int api_incident_update(struct req *r)
{
	long long v = req_if_match_checked(r);
	json_t *body = v == -2 ? NULL : req_json(r);
	if (body == NULL)
		return -1;
	return req_reply_versioned(r, 200, incident_update(&r->ctx, r->params[0], v, body, &r->err));
}

int api_incident_transition(struct req *r)
{
	long long v = req_if_match_checked(r);
	json_t *body = v == -2 ? NULL : req_json(r);
	if (body == NULL)
		return -1;
	return req_reply_versioned(r, 200,
			      incident_transition(&r->ctx, r->params[0], v, body, &r->err));
}

/* The records: a JSON body in, the created record out with 201. */
typedef json_t *(*record_fn)(struct ctx *, const char *, json_t *, struct err *);

static int record(struct req *r, record_fn fn)
{
	json_t *body = req_json(r);
	json_t *j = body ? fn(&r->ctx, r->params[0], body, &r->err) : NULL;
	return j ? req_reply(r, 201, j) : -1;
}

int api_support_create(struct req *r) { return record(r, incident_add_support); }
int api_report_create(struct req *r) { return record(r, incident_add_report); }
int api_task_create(struct req *r) { return record(r, incident_add_task); }
int api_observable_create(struct req *r) { return record(r, incident_add_observable); }
int api_comment_create(struct req *r) { return record(r, incident_add_comment); }
int api_assignee_create(struct req *r) { return record(r, incident_assign); }

int api_support_transition(struct req *r)
{
	json_t *body = req_json(r);
	json_t *j = body ? incident_support_transition(&r->ctx, r->params[0], r->params[1],
						       body, &r->err) : NULL;
	return j ? req_reply(r, 200, j) : -1;
}

int api_task_update(struct req *r)
{
	json_t *body = req_json(r);
	json_t *j = body ? incident_update_task(&r->ctx, r->params[0], r->params[1], body,
						&r->err) : NULL;
	return j ? req_reply(r, 200, j) : -1;
}

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

char *api_decode_filename(struct arena *a, const char *s)
{
	size_t n = strlen(s), o = 0;
	char *out = arena_alloc(a, n + 1);
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n + 0 && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			out[o++] = (char)(hexval((unsigned char)s[i + 1]) * 16 +
					  hexval((unsigned char)s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i];
		}
		/* No control characters in a file name; "%00" among them,
		 * which would otherwise cut the name short. */
		if ((unsigned char)out[o - 1] < 0x20 || out[o - 1] == 0x7f)
			return NULL;
	}
	out[o] = '\0';
	/* Decoded, the name must still be text: valid UTF-8 (it is stored and
	 * rendered as a JSON string), no tab either. */
	if (!req_text_ok(out, o) || strchr(out, '\t'))
		return NULL;
	return out;
}

int api_attachment_create(struct req *r)
{
	const char *raw = req_header(r, "X-Filename");
	const char *name = raw ? api_decode_filename(r->arena, raw) : NULL;
	if (raw && name == NULL)
		return err_field(&r->err, "/X-Filename", MSG_BAD_VALUE, "name");
	/* Kept as its media type alone, lower-cased: "type/subtype". */
	const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	char media[128];
	if (ct && req_media_type(ct, media, sizeof(media), NULL) != 0) {
		err_field(&r->err, "/Content-Type", MSG_BAD_VALUE, "type/subtype");
		r->err.code = E_MALFORMED;
		return -1;
	}
	json_t *j = incident_add_attachment(&r->ctx, r->params[0], name, ct ? media : NULL,
					    r->body.p, r->body.len, &r->err);
	return j ? req_reply(r, 201, j) : -1;
}

int api_attachment_get(struct req *r)
{
	const void *data = NULL;
	size_t n = 0;
	json_t *meta = incident_get_attachment(&r->ctx, r->params[0], r->params[1], &r->lent,
					       &data, &n, &r->err);
	if (meta == NULL)
		return -1;
	r->status = 200;
	/* Served as a download, never rendered: the bytes came from a reporter. */
	r->ctype = "application/octet-stream";
	r->out_static = data ? data : "";
	r->out_len = n;
	/* RFC 6266: an ASCII fallback and the UTF-8 name percent-encoded. */
	const char *name = json_string_value(json_object_get(meta, "name"));
	size_t nl = strlen(name);
	char *ascii = arena_alloc(r->arena, nl + 1), *enc = arena_alloc(r->arena, 3 * nl + 1);
	if (ascii == NULL || enc == NULL) {
		json_decref(meta);
		return err_set(&r->err, E_NOMEM, MSG_INTERNAL, NULL);
	}
	char *a = ascii, *q = enc;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		int plain = isalnum(*p) || strchr("!#$&+-.^_`|~", *p);
		*a++ = (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\') ? (char)*p : '_';
		if (plain) {
			*q++ = (char)*p;
		} else {
			snprintf(q, 4, "%%%02X", *p);
			q += 3;
		}
	}
	*a = *q = '\0';
	r->extra_header[0][0] = MHD_HTTP_HEADER_CONTENT_DISPOSITION;
	r->extra_header[0][1] = arena_printf(r->arena, "attachment; filename=\"%s\"; "
					     "filename*=UTF-8''%s", ascii, enc);
	r->extra_header[1][0] = "Digest";
	r->extra_header[1][1] = arena_printf(r->arena, "sha-256=%s",
		json_string_value(json_object_get(meta, "sha256")));
	json_decref(meta);
	return 0;
}
