/* req.c - what handlers use to read a request and set the answer. */
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "http.h"
#include "../base/jsonv.h"
#include "../base/msg.h"
#include "../base/banned.h"

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_query(struct req *r, const char *name)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
	return v && *v ? v : NULL;
}

static void decref(void *p)
{
	json_decref(p);
}

json_t *req_json(struct req *r)
{
	const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ct && strncmp(ct, "application/json", 16) != 0 &&
	    strncmp(ct, "application/problem+json", 24) != 0) {
		err_set(&r->err, E_MALFORMED, MSG_UNSUPPORTED_TYPE, ct);
		r->status = 415;
		return NULL;
	}
	json_t *j = jv_parse(r->body.p, r->body.len, &r->err);
	if (j && arena_defer(r->arena, decref, j) != 0) {
		json_decref(j);
		err_set(&r->err, E_NOMEM, MSG_INTERNAL, NULL);
		return NULL;
	}
	return j;
}

long long req_if_match_value(const char *v)
{
	if (v == NULL)
		return -1;
	if (strncmp(v, "W/", 2) == 0)
		v += 2;
	int quoted = *v == '"';
	v += quoted;
	/* Digits only: no sign, blank or overflow (a "-1" is no absent
	 * header, a "-5" no version). */
	long long n = 0;
	size_t len = 0;
	for (; v[len] >= '0' && v[len] <= '9'; len++) {
		if (len == 18)
			return -2;
		n = n * 10 + (v[len] - '0');
	}
	if (len == 0 || strcmp(v + len, quoted ? "\"" : "") != 0)
		return -2;
	return n;
}

long long req_if_match(struct req *r)
{
	return req_if_match_value(req_header(r, MHD_HTTP_HEADER_IF_MATCH));
}

int req_reply(struct req *r, int status, json_t *j)
{
	r->status = status;
	r->ctype = "application/json";
	r->out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (r->out == NULL) {
		err_set(&r->err, E_NOMEM, MSG_INTERNAL, NULL);
		return -1;
	}
	r->out_len = strlen(r->out);
	return 0;
}

int req_reply_empty(struct req *r, int status)
{
	r->status = status;
	r->ctype = NULL;
	return 0;
}

long long req_if_match_checked(struct req *r)
{
	long long v = req_if_match(r);
	if (v == -2) {
		err_field(&r->err, "/If-Match", MSG_BAD_VALUE, "\"VERSION\"");
		r->err.code = E_PRECOND;
	}
	return v;
}

int req_reply_versioned(struct req *r, int status, json_t *j)
{
	if (j == NULL)
		return -1;
	r->etag_version = (long long)json_integer_value(json_object_get(j, "version"));
	return req_reply(r, status, j);
}
