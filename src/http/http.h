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
struct gate;
struct lane;

typedef int (*handler_fn)(struct req *r);

enum route_auth {
	AUTH_NONE,
	AUTH_USER,    /* a session cookie or an API token */
	AUTH_AGENT,   /* an enrolled agent's key; the handler checks the signature */
	AUTH_PEER,    /* a registered peer instance (X-Sync-Instance); the handler
		       * checks the signature (api/sync.c) */
};
enum route_body { BODY_NONE, BODY_JSON, BODY_RAW, BODY_IMPORT, BODY_INVENTORY };

struct route {
	const char *method;
	const char *pattern;   /* "/api/v1/incidents/{}" : {} matches one segment */
	handler_fn fn;
	int auth;
	int body;
};

/* A handler whose action's roles are checked from the headers, before any
 * byte of the body is read (the handler still asks policy_check with the
 * target: scope, related organisations). */
struct route_role {
	handler_fn fn;
	int action;   /* enum action of domain/directory/policy.h */
};

extern const struct route api_routes[];
extern const size_t api_routes_count;
extern const struct route_role api_route_roles[];
extern const size_t api_route_roles_count;
/* Handlers of heavy work (rendering a document: tens of ms, one at a time):
 * they run on the lane's threads (lane.c), never on those that answer
 * everyone else's reads. */
extern const handler_fn api_slow_handlers[];
extern const size_t api_slow_handlers_count;

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
	/* Connections (libmicrohttpd): all, from one address, idle seconds. */
	unsigned max_conns, max_conns_per_ip, conn_timeout;
	/* TLS: PEM files read at start and on SIGHUP (server_reload). */
	const char *tls_cert, *tls_key;
	char *pem_cert, *pem_key;   /* the running daemon's, kept while it runs */
	int tls;                /* serving HTTPS: Secure cookies, HSTS */
	int cookie_secure;      /* Secure cookies without TLS (behind a proxy) */
	const char *trusted_proxy;  /* X-Forwarded-For believed from here only */
	int listen_fd;
	/* AUTH_PEER routes: the caller named by X-Sync-Instance must be a
	 * registered peer instance; 0, or -1 with r->err (401). Set by serve
	 * (api_sync_authenticate, api/sync.c: the layer above); without one
	 * every such request is refused. */
	int (*peer_authenticate)(struct req *r);
	/* Logins (gate.c): per address and per username per minute, the burst
	 * allowed, and at most this many password checks at once. */
	unsigned login_per_min, login_user_per_min, login_burst, login_parallel;
	struct gate *gate;
	struct lane *lane;      /* login_parallel threads for the logins */
	/* Daemons replaced by a reload that still had connections when the
	 * grace ran out: stopped once they have none, or at the end. */
	struct retired { struct MHD_Daemon *daemon; char *cert, *key; } retired[8];
	int nretired;
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
	char peer_id[UUID_LEN];      /* AUTH_PEER: the calling peer's row */
	int gate_held;           /* holds a password-check slot (gate.c) */
	int role_refused;        /* lacks the route's roles (server.c) ... */
	struct err role_err;     /* ... and the 403 that says so */
};

/* Request helpers (req.c). */
const char *req_header(struct req *r, const char *name);
const char *req_query(struct req *r, const char *name);
/* Whether s[0..n) is UTF-8 text without NUL or other control characters
 * (tab allowed): what every header and query value must be. */
int req_text_ok(const char *s, size_t n);
/* Every header and query value of the request checked with req_text_ok and
 * bounded, before anything runs: 0, or -1 with r->err naming the first bad
 * one (400). */
int req_check_input(struct req *r);
/* The media type of a Content-Type value (RFC 9110 §8.3.1), lower-cased
 * "type/subtype" in out, parameters dropped: 0, or -1 when it is not
 * "token/token *(OWS ; OWS token=(token|quoted-string))". *utf8 (if not
 * NULL) is 0 when a charset other than UTF-8 (or US-ASCII) is named. */
int req_media_type(const char *ct, char *out, size_t n, int *utf8);
/* Whether Content-Type ct is exactly the media type want (case-insensitive,
 * parameters ignored) in UTF-8: the one check of every text body. */
int req_media_type_is(const char *ct, const char *want);
/* The client's address as text ("127.0.0.1"), X-Forwarded-For's last hop
 * when the peer is the trusted proxy. */
const char *req_client_addr(struct req *r);
/* The parsed JSON body (owned by the request) or NULL with r->err filled. */
json_t *req_json(struct req *r);
/* If-Match as a version number, -1 when absent, -2 when not a number. */
long long req_if_match(struct req *r);
/* The same on the header's value (NULL: absent): "N", W/"N" or N with N
 * 1 to 18 digits; -2 for anything else. */
/* Whether a query flag is on: "true" or "1" (anything else, or absent: off). */
int req_query_flag(struct req *r, const char *name);
/* A whole-number query parameter between lo and hi into *out (left as it
 * is when the parameter is absent): 0, or -1 with a field error naming it
 * ("/limit": "1..200") for anything else (junk, a sign, out of range). */
int req_query_int(struct req *r, const char *name, long long lo, long long hi, int *out);
/* A header that holds a plain decimal number (X-Agent-Time, Content-Length):
 * its value; -1 when absent; -2 when it is anything but 1 to 18 digits (no
 * sign, blank, junk after the digits). */
long long req_decimal_value(const char *v);
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
/* SIGHUP: a new daemon with the cert and key read again takes the same
 * socket; the old one stops accepting and ends after its requests. On
 * failure the old one keeps serving and e says why. */
int server_reload(struct server *srv, struct err *e);
void server_stop(struct server *srv);

/* lane.c: anonymous requests with a body (logins) run on threads of their
 * own, the connection suspended meanwhile; run(r) answers and resumes it. */
struct lane *lane_new(unsigned threads, void (*run)(struct req *r));
/* 0: queued (the connection is suspended); -1: run it where you are. */
int lane_submit(struct lane *l, struct req *r);
int lane_idle(struct lane *l);
/* Runs what is queued, ends the threads; lane_submit refuses after. */
void lane_stop(struct lane *l);
void lane_free(struct lane *l);

/* gate.c: logins refused before any password work when an address or a
 * username asks too often, or too many checks already run. */
struct gate *gate_new(const struct server *srv);
void gate_free(struct gate *g);
/* Called first by the login handler, before the body is even parsed: the
 * address and the body's "username" (if any) each take a token; 0 to go
 * on, or -1 with r->err set (429, retry_after). The password-check slot it
 * takes is given back by req_login_gate_done once the handler returns. */
int req_login_gate(struct req *r);
void req_login_gate_done(struct req *r);

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
