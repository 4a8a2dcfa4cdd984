/*
 * server.c - libmicrohttpd glue: a thread pool with epoll, one request
 * object (and arena) per request, authentication and body limits decided on
 * the first callback, the handler run once the body is in, and everything
 * freed in the completed callback however the request ended.
 *
 * libmicrohttpd 0.9.75 closes keep-alive connections when a handler queues
 * its answer on the first call for a request, so the first call only sets
 * up; the answer goes out on a later call (DESIGN.md, Performance).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "cache.h"
#include "http.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../domain/asset/asset.h"
#include "../domain/directory/user.h"
#include "../store/store.h"
#include "../base/banned.h"

#define SESSION_COOKIE "ungcuu_session"
/* How long a token's owner is trusted without asking the database again
 * (any commit anywhere ends it sooner: cache.h). */
#define TOKEN_CACHE_MS 10000
/* Bytes of an oversized body read and dropped before closing on it. */
#define DISCARD_MAX (64 * 1024 * 1024)

/* What each worker thread keeps: its connection and its cache. */
struct worker {
	struct store *db;
	struct cache *cache;
};

static void worker_free(void *p)
{
	struct worker *w = p;
	store_close(w->db);
	cache_free(w->cache);
	free(w);
}

static struct worker *worker_get(struct server *srv, struct err *e)
{
	struct worker *w = pthread_getspecific(srv->db_key);
	if (w)
		return w;
	w = calloc(1, sizeof(*w));
	if (w == NULL) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		return NULL;
	}
	w->db = store_open(srv->db_path, e);
	if (w->db == NULL) {
		free(w);
		return NULL;
	}
	if (!srv->no_cache)
		w->cache = cache_new();
	pthread_setspecific(srv->db_key, w);
	return w;
}

struct store *server_db(struct server *srv, struct err *e)
{
	struct worker *w = worker_get(srv, e);
	return w ? w->db : NULL;
}

struct cache *server_cache(struct server *srv)
{
	struct err e = { 0 };
	struct worker *w = worker_get(srv, &e);
	return w ? w->cache : NULL;
}

int64_t req_stamp(struct req *r)
{
	if (r->stamp == 0) {
		struct store *db = server_db(r->srv, &r->err);
		r->stamp = db ? store_stamp(db) : -1;
	}
	return r->stamp;
}

static const char *cookie_token(struct MHD_Connection *c)
{
	return MHD_lookup_connection_value(c, MHD_COOKIE_KIND, SESSION_COOKIE);
}

static int is_write(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	       strcmp(method, "OPTIONS") != 0;
}

/* Who is asking: a Bearer token, else the session cookie (which needs the
 * CSRF header on writes). 0, or -1 with r->err set. */
static int authenticate(struct req *r)
{
	const char *auth = req_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
	const char *token = NULL;
	int via_cookie = 0;
	if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		token = auth + 7;
	} else if (auth) {
		return err_set(&r->err, E_UNAUTH, MSG_UNAUTH, NULL);
	} else {
		token = cookie_token(r->conn);
		via_cookie = 1;
	}
	if (token == NULL)
		return err_set(&r->err, E_UNAUTH, MSG_UNAUTH, NULL);
	struct store *db = server_db(r->srv, &r->err);
	if (db == NULL)
		return -1;
	/* The stamp is read before the database, so a change made meanwhile
	 * leaves the entry stale rather than wrong. */
	char key[CACHE_KEY];
	int64_t now = time_now_ms(), stamp = req_stamp(r);
	struct cache *cache = server_cache(r->srv);
	snprintf(key, sizeof(key), "t:%.100s", token);
	struct cache_entry *hit = cache_get(cache, key, stamp, now);
	if (hit) {
		r->actor = hit->actor;
	} else {
		if (auth_resolve(db, token, &r->actor, &r->err) != 0)
			return -1;
		int64_t until = now + TOKEN_CACHE_MS;
		if (r->actor.token_expires && r->actor.token_expires < until)
			until = r->actor.token_expires;
		struct cache_entry *put = cache_put(cache, key, stamp, until);
		if (put)
			put->actor = r->actor;
	}
	/* A session token presented as Bearer still counts as a cookie login
	 * for CSRF purposes only when it came in a cookie. */
	if (via_cookie && is_write(r->method)) {
		const char *csrf = req_header(r, "X-CSRF-Token");
		if (csrf == NULL || r->actor.csrf[0] == '\0' ||
		    strlen(csrf) != strlen(r->actor.csrf) ||
		    strcmp(csrf, r->actor.csrf) != 0)
			return err_set(&r->err, E_FORBIDDEN, MSG_CSRF, NULL);
	}
	r->actor.via_session = via_cookie;
	return 0;
}

static size_t body_limit(struct req *r)
{
	if (r->route == NULL || r->route->body == BODY_NONE)
		return LIMIT_ANON_BODY;
	if (r->route->auth == AUTH_NONE)
		return LIMIT_ANON_BODY;
	switch (r->route->body) {
	case BODY_RAW:
		return r->srv->rules.max_attachment;
	case BODY_IMPORT:
		return LIMIT_IMPORT;
	case BODY_INVENTORY:
		return LIMIT_INVENTORY;
	default:
		return LIMIT_JSON_BODY;
	}
}

/* An agent names its key; the key must belong to an enrolled host before
 * any body is read. The signature over the body is the handler's check. */
static int authenticate_agent(struct req *r)
{
	char path[LIMIT_ORG_PATH];
	struct ctx c = { 0 };
	r->agent_key = req_header(r, "X-Agent-Key");
	c.db = server_db(r->srv, &r->err);
	if (c.db == NULL)
		return -1;
	if (host_by_agent_key(&c, r->agent_key, r->agent_host, path, &r->err) != 0)
		return -1;
	memset(&r->actor, 0, sizeof(r->actor));
	snprintf(r->actor.username, sizeof(r->actor.username), "agent:%.40s", r->agent_key);
	snprintf(r->actor.org_path, sizeof(r->actor.org_path), "%s", path);
	r->actor.roles = ROLE_REPORTER;
	return 0;
}

static void too_large(struct req *r)
{
	char num[32];
	snprintf(num, sizeof(num), "%zu", body_limit(r));
	err_set(&r->err, E_TOOLARGE, MSG_TOO_LARGE, num);
	req_problem(r);
}

/* The first callback: route, authenticate, set the body limit. */
static void req_setup(struct req *r, const char *url)
{
	int known = 0;
	r->lang = msg_lang_from(req_header(r, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
	if (strncmp(url, "/api/", 5) != 0)
		return; /* static files: answered at the end */
	r->route = router_match(r->method, url, r->params, &r->nparams, &known);
	if (r->route == NULL) {
		if (known) {
			err_set(&r->err, E_CONFLICT, MSG_METHOD_NOT_ALLOWED, NULL);
			r->status = 405;
			r->allow = router_allowed(url, r->arena);
		}
		else
			err_set(&r->err, E_NOTFOUND, MSG_ROUTE_NOT_FOUND, url);
		return;
	}
	for (int i = 0; i < r->nparams; i++) {
		const char *end = strchr(r->params[i], '/');
		size_t n = end ? (size_t)(end - r->params[i]) : strlen(r->params[i]);
		r->params[i] = arena_strndup(r->arena, r->params[i], n);
	}
	if (r->route->auth == AUTH_USER && authenticate(r) != 0)
		return;
	if (r->route->auth == AUTH_AGENT && authenticate_agent(r) != 0)
		return;
	r->ctx.actor = &r->actor;
	buf_init(&r->body, body_limit(r));
	const char *cl = req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > body_limit(r))
		r->body_overflow = 1;
}

static void dispatch(struct req *r)
{
	if (r->err.code != E_OK) {
		req_problem(r);
		return;
	}
	if (r->route == NULL) {
		if ((strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) &&
		    static_serve(r, r->srv->web) == 0)
			return;
		err_set(&r->err, E_NOTFOUND, MSG_ROUTE_NOT_FOUND, r->path);
		req_problem(r);
		return;
	}
	if (r->body_overflow) {
		too_large(r);
		return;
	}
	r->ctx.db = server_db(r->srv, &r->err);
	r->ctx.rules = &r->srv->rules;
	r->ctx.lang = r->lang;
	/* A read runs in one snapshot: one lock instead of one per statement. */
	int reading = r->ctx.db && strcmp(r->method, "GET") == 0 &&
		      store_read_begin(r->ctx.db, &r->err) == 0;
	int rc = r->ctx.db ? r->route->fn(r) : -1;
	if (reading)
		store_read_end(r->ctx.db);
	if (rc != 0) {
		if (r->err.code == E_OK)
			err_set(&r->err, E_INTERNAL, MSG_INTERNAL, NULL);
		req_problem(r);
	}
}

static enum MHD_Result add_security_headers(struct MHD_Response *resp, const char *ctype)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (ctype && strncmp(ctype, "text/html", 9) == 0) {
		MHD_add_response_header(resp, "X-Frame-Options", "DENY");
		MHD_add_response_header(resp, "Content-Security-Policy",
			"default-src 'self'; img-src 'self' data: blob:; style-src 'self' "
			"'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; "
			"base-uri 'none'; form-action 'self'");
	}
	return MHD_YES;
}

static enum MHD_Result send_response(struct req *r)
{
	struct MHD_Response *resp;
	if (r->out_static)
		resp = MHD_create_response_from_buffer(r->out_len, (void *)r->out_static,
						       MHD_RESPMEM_PERSISTENT);
	else if (r->out) {
		resp = MHD_create_response_from_buffer(r->out_len, r->out, MHD_RESPMEM_MUST_FREE);
		r->out = NULL;
	} else
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	if (r->ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->ctype);
	if (r->route || strncmp(r->path, "/api/", 5) == 0)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (r->etag_version >= 0) {
		char etag[32];
		snprintf(etag, sizeof(etag), "\"%lld\"", r->etag_version);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	}
	if (r->set_cookie)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
	for (int i = 0; i < 4; i++)
		if (r->extra_header[i][0])
			MHD_add_response_header(resp, r->extra_header[i][0], r->extra_header[i][1]);
	if (r->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	add_security_headers(resp, r->ctype);
	enum MHD_Result rc = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **req_cls)
{
	struct server *srv = cls;
	struct req *r = *req_cls;
	(void)version;

	if (r == NULL) {
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return MHD_NO;
		*req_cls = r;
		r->srv = srv;
		r->conn = conn;
		r->arena = arena_new(LIMIT_REQ_ARENA);
		if (r->arena == NULL)
			return MHD_NO;
		r->method = arena_strdup(r->arena, method);
		r->path = arena_strdup(r->arena, url);
		r->etag_version = -1;
		buf_init(&r->body, LIMIT_ANON_BODY);
		req_setup(r, url);
		return MHD_YES;
	}
	if (*upload_size) {
		/* Past the limit the rest is read and dropped, so the client gets
		 * to read its 413 instead of a reset; beyond DISCARD_MAX it is
		 * answered at once and the connection closed. */
		if (r->body_overflow) {
			r->discarded += *upload_size;
			if (r->discarded > DISCARD_MAX && r->answered != 2) {
				too_large(r);
				r->answered = 2;
				*upload_size = 0;
				return send_response(r);
			}
		} else if (r->answered != 2 && buf_add(&r->body, upload, *upload_size) != 0) {
			r->body_overflow = 1;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->answered == 2)
		return MHD_YES;
	dispatch(r);
	r->answered = 2;
	return send_response(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req *r = *req_cls;
	(void)cls;
	(void)conn;
	(void)toe;
	if (r == NULL)
		return;
	stmt_done(r->lent);
	free(r->out);
	buf_release(&r->body);
	arena_free(r->arena);
	free(r);
	*req_cls = NULL;
}

static void on_panic(void *cls, const char *file, unsigned int line, const char *reason)
{
	(void)cls;
	log_error("libmicrohttpd panic at %s:%u: %s", file, line, reason ? reason : "");
	abort();
}

int server_start(struct server *srv, const char *listen, struct err *e)
{
	char host[64];
	struct sockaddr_in addr = { 0 };
	const char *colon = strrchr(listen, ':');
	if (colon == NULL || colon - listen >= (long)sizeof(host))
		return err_set(e, E_INVALID, MSG_BAD_VALUE, listen);
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	addr.sin_family = AF_INET;
	long port = strtol(colon + 1, NULL, 10);
	if (port <= 0 || port > 65535 || inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		return err_set(e, E_INVALID, MSG_BAD_VALUE, listen);
	addr.sin_port = htons((uint16_t)port);
	if (pthread_key_create(&srv->db_key, worker_free) != 0)
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	MHD_set_panic_func(on_panic, NULL);
	srv->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
		0, NULL, NULL, on_request, srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_THREAD_POOL_SIZE, srv->threads,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024), /* zeroed per request */
		MHD_OPTION_END);
	if (srv->daemon == NULL) {
		pthread_key_delete(srv->db_key);
		return err_set(e, E_IO, MSG_IO, listen);
	}
	return 0;
}

void server_stop(struct server *srv)
{
	if (srv->daemon) {
		/* Stops accepting, lets the workers finish what they run, and the
		 * key's destructor closes each worker's database connection. */
		MHD_stop_daemon(srv->daemon);
		srv->daemon = NULL;
		pthread_key_delete(srv->db_key);
	}
}
