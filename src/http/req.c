/* req.c - what handlers use to read a request and set the answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "http.h"
#include "../base/utf8.h"
#include "../base/jsonv.h"
#include "../base/limits.h"
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

int req_text_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		if ((u[i] < 0x20 && u[i] != '\t') || u[i] == 0x7F)
			return 0;
		size_t k = utf8_seq(u + i, n - i);
		if (k == 0)
			return 0;
		i += k;
	}
	return 1;
}

struct input_check {
	struct req *r;
	int bad;
};

static enum MHD_Result check_value(void *cls, enum MHD_ValueKind kind, const char *key,
				   size_t key_size, const char *value, size_t value_size)
{
	struct input_check *ic = cls;
	size_t max = kind == MHD_GET_ARGUMENT_KIND ? LIMIT_QUERY_VALUE : LIMIT_HEADER_VALUE;
	char ptr[80], num[16];
	if (key == NULL)
		return MHD_YES;
	snprintf(ptr, sizeof(ptr), "/%.*s", (int)(key_size < 70 ? key_size : 70), key);
	/* The name itself, printed in the answer, must be text too. */
	if (!req_text_ok(key, key_size) || key_size > 70 || strlen(key) != key_size) {
		err_set(&ic->r->err, E_MALFORMED, MSG_BAD_PARAM, "?");
		ic->bad = 1;
		return MHD_NO;
	}
	if (value == NULL)
		return MHD_YES;
	if (value_size > max) {
		snprintf(num, sizeof(num), "%zu", max);
		err_field(&ic->r->err, ptr, MSG_TOO_LONG, num);
	} else if (strlen(value) != value_size || !req_text_ok(value, value_size)) {
		err_field(&ic->r->err, ptr, MSG_BAD_PARAM, ptr + 1);
	} else {
		return MHD_YES;
	}
	ic->r->err.code = E_MALFORMED;
	ic->bad = 1;
	return MHD_NO;
}

int req_check_input(struct req *r)
{
	struct input_check ic = { r, 0 };
	MHD_get_connection_values_n(r->conn, MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND,
				    check_value, &ic);
	return ic.bad ? -1 : 0;
}

/* RFC 9110 token characters. */
static int tchar(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A token at p copied lower-cased into out (NUL-terminated, bounded):
 * the end of the token, or NULL when there is none or it does not fit. */
static const char *token(const char *p, char *out, size_t n)
{
	size_t k = 0;
	while (tchar((unsigned char)*p)) {
		if (k + 1 >= n)
			return NULL;
		char c = *p++;
		out[k++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	out[k] = '\0';
	return k ? p : NULL;
}

int req_media_type(const char *ct, char *out, size_t n, int *utf8)
{
	char type[128], sub[128], name[64], val[64];
	const char *p = skip_ows(ct ? ct : "");
	if (utf8)
		*utf8 = 1;
	if ((p = token(p, type, sizeof(type))) == NULL || *p++ != '/' ||
	    (p = token(p, sub, sizeof(sub))) == NULL)
		return -1;
	p = skip_ows(p);
	while (*p == ';') {
		p = skip_ows(p + 1);
		if (*p == '\0')
			break; /* a trailing ';' is tolerated */
		if ((p = token(p, name, sizeof(name))) == NULL || *p++ != '=')
			return -1;
		size_t k = 0;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				if (k + 1 < sizeof(val))
					val[k++] = *p;
			}
			if (*p++ != '"')
				return -1;
			val[k] = '\0';
		} else if ((p = token(p, val, sizeof(val))) == NULL) {
			return -1;
		}
		if (utf8 && strcmp(name, "charset") == 0 && strcasecmp(val, "utf-8") != 0 &&
		    strcasecmp(val, "utf8") != 0 && strcasecmp(val, "us-ascii") != 0)
			*utf8 = 0;
		p = skip_ows(p);
	}
	if (*p != '\0')
		return -1;
	if (snprintf(out, n, "%s/%s", type, sub) >= (int)n)
		return -1;
	return 0;
}

int req_media_type_is(const char *ct, const char *want)
{
	char mt[260];
	int utf8 = 1;
	return req_media_type(ct, mt, sizeof(mt), &utf8) == 0 && utf8 &&
	       strcasecmp(mt, want) == 0;
}

const char *req_client_addr(struct req *r)
{
	char buf[INET6_ADDRSTRLEN] = "";
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, sizeof(buf));
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
			  sizeof(buf));
	const char *xff = req_header(r, "X-Forwarded-For");
	if (xff && r->srv->trusted_proxy && strcmp(buf, r->srv->trusted_proxy) == 0) {
		/* The proxy appends the address it saw: the last entry. */
		const char *last = strrchr(xff, ',');
		last = skip_ows(last ? last + 1 : xff);
		if (*last)
			return arena_strndup(r->arena, last, strnlen(last, 64));
	}
	return arena_strdup(r->arena, buf);
}

static void decref(void *p)
{
	json_decref(p);
}

json_t *req_json(struct req *r)
{
	const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ct && !req_media_type_is(ct, "application/json") &&
	    !req_media_type_is(ct, "application/problem+json")) {
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

/* Digits at v (at most 18 of them, so no overflow): their value, with *end
 * past them; -2 when there is none or too many. */
static long long digits(const char *v, const char **end)
{
	long long n = 0;
	size_t len = 0;
	for (; v[len] >= '0' && v[len] <= '9'; len++) {
		if (len == 18)
			return -2;
		n = n * 10 + (v[len] - '0');
	}
	*end = v + len;
	return len ? n : -2;
}

long long req_decimal_value(const char *v)
{
	const char *end;
	if (v == NULL)
		return -1;
	long long n = digits(v, &end);
	return n >= 0 && *end == '\0' ? n : -2;
}

int req_query_flag(struct req *r, const char *name)
{
	const char *v = req_query(r, name);
	return v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

int req_query_int(struct req *r, const char *name, long long lo, long long hi, int *out)
{
	const char *v = req_query(r, name);
	if (v == NULL)
		return 0;
	long long n = req_decimal_value(v);
	if (n < lo || n > hi) {
		char ptr[64], range[48];
		snprintf(ptr, sizeof(ptr), "/%s", name);
		snprintf(range, sizeof(range), "%lld..%lld", lo, hi);
		return err_field(&r->err, ptr, MSG_BAD_VALUE, range);
	}
	*out = (int)n;
	return 0;
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
	const char *end;
	long long n = digits(v, &end);
	if (n < 0 || strcmp(end, quoted ? "\"" : "") != 0)
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
