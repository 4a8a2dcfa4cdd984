/*
 * http.h - the request as handlers see it, the route table's shape and the
 * server state (the one struct server, built by main and passed as
 * libmicrohttpd's cls). Handlers parse, call one domain function, render;
 * they return 0 with a response set, or -1 with r->err filled, which
 * respond.c turns into problem+json.
 */
#ifndef UNGCUU_HTTP_H
#define UNGCUU_HTTP_H

#include <pthread.h>
#include <stddef.h>

#include <jansson.h>

#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/err.h"
#include "../domain/domain.h"

struct req;
struct MHD_Connection;
struct MHD_Daemon;
struct static_files;

typedef int (*handler_fn)(struct req *r);

enum route_auth {
	AUTH_NONE,
	AUTH_USER,    /* a session cookie or an API token */
	AUTH_AGENT,   /* an enrolled agent's key; the handler checks the signature */
};
enum route_body { BODY_NONE, BODY_JSON, BODY_RAW, BODY_IMPORT, BODY_INVENTORY };

struct route {
	const char *method;
	const char *pattern;   /* "/api/v1/incidents/{}" : {} matches one segment */
	handler_fn fn;
	int auth;
	int body;
};

extern const struct route api_routes[];
extern const size_t api_routes_count;

#define REQ_MAX_PARAMS 4

struct server {
	const char *db_path;
	struct rules rules;
	struct MHD_Daemon *daemon;
	struct static_files *web;
	pthread_key_t db_key;
	unsigned threads;
	const char *version;
	int no_cache;           /* --no-cache: every read goes to the database */
};

struct req {
	struct server *srv;
	struct MHD_Connection *conn;
	const char *method, *path;
	const struct route *route;
	const char *params[REQ_MAX_PARAMS];
	int nparams;
	struct buf body;
	int body_overflow;
	size_t discarded;        /* bytes dropped past the body limit */
	struct arena *arena;
	struct actor actor;
	struct ctx ctx;
	int lang;
	struct err err;
	int answered;            /* a response is ready in the fields below */
	/* the response */
	int status;
	char *out;               /* malloc'ed body, freed after sending */
	size_t out_len;
	const void *out_static;  /* or a body that outlives the request */
	const char *ctype;
	long long etag_version;  /* ETag: "N" when >= 0 */
	char *set_cookie;
	const char *extra_header[4][2];
	struct stmt *lent;       /* a statement whose blob is the body */
	int64_t stamp;           /* 0: not read yet */
	const char *allow;       /* Allow header of a 405 */
	char agent_host[UUID_LEN];   /* AUTH_AGENT: the host of the key */
	const char *agent_key;
};

/* Request helpers (req.c). */
const char *req_header(struct req *r, const char *name);
const char *req_query(struct req *r, const char *name);
/* The parsed JSON body (owned by the request) or NULL with r->err filled. */
json_t *req_json(struct req *r);
/* If-Match as a version number, -1 when absent, -2 when not a number. */
long long req_if_match(struct req *r);
/* The same on the header's value (NULL: absent): "N", W/"N" or N with N
 * 1 to 18 digits; -2 for anything else. */
long long req_if_match_value(const char *v);
/* If-Match as req_if_match, and a malformed one recorded in r->err. */
long long req_if_match_checked(struct req *r);
/* A versioned record (j stolen, NULL: r->err is set) with ETag "version". */
int req_reply_versioned(struct req *r, int status, json_t *j);
/* Sets a JSON response (j stolen). Returns 0. */
int req_reply(struct req *r, int status, json_t *j);
int req_reply_empty(struct req *r, int status);
/* Sets r->err's problem+json response (respond.c). */
void req_problem(struct req *r);
/* The per-thread database connection (opened on first use). */
struct store *server_db(struct server *srv, struct err *e);
/* The per-thread cache (cache.h), or NULL when caching is off. */
struct cache *server_cache(struct server *srv);
/* The database stamp for this request, read once (store_stamp). */
int64_t req_stamp(struct req *r);

/* server.c */
int server_start(struct server *srv, const char *listen, struct err *e);
void server_stop(struct server *srv);

/* static.c: the built web UI, loaded into memory at start. */
struct static_files *static_load(const char *dir);
void static_free(struct static_files *s);
/* 0 and a response set if path names a file, -1 otherwise. */
int static_serve(struct req *r, struct static_files *s);

/* router.c: the route for method and path (params filled), or NULL;
 * *path_known tells whether another method would match (405). */
const struct route *router_match(const char *method, const char *path,
				 const char **params, int *nparams, int *path_known);
/* "GET, POST": the methods routes have for path (for a 405's Allow). */
const char *router_allowed(const char *path, struct arena *a);

#endif
