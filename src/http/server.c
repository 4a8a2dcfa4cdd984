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
#include <sys/socket.h>

#include <microhttpd.h>
#include <sodium.h>

#include "cache.h"
#include "http.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../domain/asset/asset.h"
#include "../domain/directory/policy.h"
#include "../domain/directory/user.h"
#include "../store/store.h"
#include "../base/banned.h"

#define SESSION_COOKIE "ungcuu_session"
/* How long a token's owner is trusted without asking the database again
 * (any commit anywhere ends it sooner: cache.h). */
#define TOKEN_CACHE_MS 10000
/* Bytes of a refused body read and dropped (never kept) so the client can
 * read its answer; past this the connection is closed on it, and a body
 * declared larger is answered before any of it is read. */
#define DISCARD_MAX (64 * 1024 * 1024)
/* Seconds an old daemon may finish its requests after a reload. */
#define RELOAD_GRACE_S 5
/* Strict-Transport-Security when serving TLS: a year. */
#define HSTS "max-age=31536000"

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
		/* With --no-cache nothing compares it: on PostgreSQL reading it
		 * costs a round trip on the control connection. */
		struct store *db = r->srv->no_cache ? NULL : server_db(r->srv, &r->err);
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
	if (r->route->auth == AUTH_PEER)
		return LIMIT_SYNC_BODY;
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

/* The roles of the route's action (api_route_roles), from the headers.
 * The policy answers 404 out of scope before 403, and the scope needs the
 * object or the organisation the body names: a caller without the roles
 * goes on to the handler only with a body that fits LIMIT_ANON_BODY (the
 * handler answers 404 or 403 as always), and a larger one gets the 403
 * here, the same whatever it names, so nothing leaks and nothing large is
 * kept. */
static void role_before_body(struct req *r)
{
	for (size_t i = 0; i < api_route_roles_count; i++) {
		if (api_route_roles[i].fn != r->route->fn)
			continue;
		struct err e = { 0 };
		if (policy_check(&r->actor, api_route_roles[i].action, NULL, &e) != 0) {
			r->role_refused = 1;
			r->role_err = e;
		}
		return;
	}
}

/* The first callback: route, check every header and query value,
 * authenticate, check the role the route needs, set the body limit. All
 * from the headers: a refusal here is decided before any body is read. */
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
	if (req_check_input(r) != 0)
		return;
	if (r->route->auth == AUTH_USER && authenticate(r) != 0)
		return;
	if (r->route->auth == AUTH_AGENT && authenticate_agent(r) != 0)
		return;
	if (r->route->auth == AUTH_PEER && (r->srv->peer_authenticate == NULL ||
					     r->srv->peer_authenticate(r) != 0)) {
		if (r->srv->peer_authenticate == NULL)
			err_set(&r->err, E_UNAUTH, MSG_UNAUTH, NULL);
		return;
	}
	role_before_body(r);
	r->ctx.actor = &r->actor;
	size_t limit = r->role_refused ? LIMIT_ANON_BODY : body_limit(r);
	buf_init(&r->body, limit);
	const char *cl = req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	long long len = req_decimal_value(cl);
	if (len == -2 || (len > 0 && (unsigned long long)len > limit))
		r->body_overflow = 1;
	if (r->body_overflow && r->role_refused)
		r->err = r->role_err; /* a role-less caller's large body: 403 now */
}

/* Whether a refused request is answered on the first call, before any of
 * its body is read: when the client waits for "100 Continue" (it then never
 * sends the body), or declares more than we would drop. Otherwise the body
 * is read and dropped, never kept (on_request), so that the client can read
 * its answer: libmicrohttpd 0.9.75 closes a connection whose body it has not
 * read, and the client, still sending, gets a reset instead of the answer. */
static int answer_now(struct req *r)
{
	const char *expect = req_header(r, MHD_HTTP_HEADER_EXPECT);
	const char *cl = req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (expect && strcasecmp(expect, "100-continue") == 0)
		return 1;
	long long len = req_decimal_value(cl);
	return len == -2 || (len > 0 && (unsigned long long)len > DISCARD_MAX);
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
		if (r->role_refused) {
			r->err = r->role_err;
			req_problem(r);
		} else {
			too_large(r);
		}
		return;
	}
	r->ctx.db = server_db(r->srv, &r->err);
	r->ctx.rules = &r->srv->rules;
	r->ctx.lang = r->lang;
	/* A read runs in one snapshot: one lock instead of one per statement. */
	int reading = r->ctx.db && strcmp(r->method, "GET") == 0 &&
		      store_read_begin(r->ctx.db, &r->err) == 0;
	int rc = r->ctx.db ? r->route->fn(r) : -1;
	req_login_gate_done(r);
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
	if (ctype && req_media_type_is(ctype, "text/html")) {
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
	if (r->set_cookie) {
		/* Over TLS (or behind a TLS proxy) the cookie never goes out
		 * in clear: the handlers need not know how we are served. */
		const char *c = r->set_cookie;
		if ((r->srv->tls || r->srv->cookie_secure) && strstr(c, "; Secure") == NULL)
			c = arena_printf(r->arena, "%s; Secure", c);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, c ? c : r->set_cookie);
	}
	if (r->srv->tls)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_STRICT_TRANSPORT_SECURITY, HSTS);
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

static int on_lane(const struct req *r);

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
		/* Refused from the headers: from here on the body, if any,
		 * is never kept (r->body_overflow), and the answer goes out
		 * now when answer_now says so. */
		if (r->err.code != E_OK)
			r->body_overflow = 1;
		if (r->body_overflow && answer_now(r)) {
			dispatch(r);
			r->answered = 2;
			return send_response(r);
		}
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
	if (r->answered == 2 || r->answered == 1)
		return MHD_YES; /* 1: on the lane, suspended */
	if (r->answered == 3) {
		r->answered = 2; /* the lane ran it and resumed us */
		return send_response(r);
	}
	if (on_lane(r)) {
		r->answered = 1;
		if (lane_submit(srv->lane, r) == 0)
			return MHD_YES; /* r belongs to the lane until it resumes */
		r->answered = 0;
	}
	dispatch(r);
	r->answered = 2;
	return send_response(r);
}

/* Anonymous requests with a body: what an outsider can make cost a
 * password check; and the slow handlers (api_slow_handlers: documents), so
 * that they never hold the threads that answer everyone else's reads
 * either. Refusals decided from the headers stay here. */
static int on_lane(const struct req *r)
{
	if (r->route == NULL || r->err.code != E_OK || r->body_overflow)
		return 0;
	if (r->route->auth == AUTH_NONE && r->route->body != BODY_NONE)
		return 1;
	for (size_t i = 0; i < api_slow_handlers_count; i++)
		if (api_slow_handlers[i] == r->route->fn)
			return 1;
	return 0;
}

static void lane_run(struct req *r)
{
	dispatch(r);
	r->answered = 3;
	MHD_resume_connection(r->conn);
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
	req_login_gate_done(r);
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

/* The PEM files named by --tls-cert/--tls-key, read whole. */
struct tls_pem {
	char *cert, *key;
};

static void pem_free(struct tls_pem *p)
{
	free(p->cert);
	if (p->key) {
		sodium_memzero(p->key, strlen(p->key));
		free(p->key);
	}
	p->cert = p->key = NULL;
}

static char *read_pem(const char *path, const char *marker, struct err *e)
{
	char *text = NULL;
	FILE *f = fopen(path, "rb");
	size_t n = 0, cap = 64 * 1024;
	if (f == NULL) {
		err_set(e, E_IO, MSG_TLS_FILE, path);
		return NULL;
	}
	text = malloc(cap + 1);
	if (text)
		n = fread(text, 1, cap, f);
	if (text == NULL || ferror(f) || n == cap) {
		err_set(e, E_IO, MSG_TLS_FILE, path);
		free(text);
		text = NULL;
	} else {
		text[n] = '\0';
		if (strlen(text) != n || strstr(text, marker) == NULL) {
			err_set(e, E_INVALID, MSG_TLS_FILE, path);
			sodium_memzero(text, n);
			free(text);
			text = NULL;
		}
	}
	fclose(f);
	return text;
}

static int pem_load(const struct server *srv, struct tls_pem *p, struct err *e)
{
	p->cert = read_pem(srv->tls_cert, "-----BEGIN CERTIFICATE-----", e);
	if (p->cert == NULL)
		return -1;
	p->key = read_pem(srv->tls_key, "PRIVATE KEY-----", e);
	if (p->key == NULL) {
		pem_free(p);
		return -1;
	}
	return 0;
}

/* A daemon on a copy of the listening socket (it owns the copy). */
static struct MHD_Daemon *daemon_start(struct server *srv, const struct tls_pem *p)
{
	int fd = dup(srv->listen_fd);
	if (fd < 0)
		return NULL;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
			 MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | (srv->tls ? MHD_USE_TLS : 0);
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_THREAD_POOL_SIZE, srv->threads,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_CONNECTION_TIMEOUT, srv->conn_timeout,
		MHD_OPTION_CONNECTION_LIMIT, srv->max_conns,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, srv->max_conns_per_ip,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024), /* zeroed per request */
		/* Without TLS the list ends here. */
		srv->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, p->cert,
		MHD_OPTION_HTTPS_MEM_KEY, p->key,
		MHD_OPTION_END);
	if (d == NULL)
		close(fd);
	return d;
}

static int listen_on(const char *where, struct err *e)
{
	char host[64];
	struct sockaddr_in addr = { 0 };
	const char *colon = strrchr(where, ':');
	int one = 1;
	if (colon == NULL || colon - where >= (long)sizeof(host))
		return err_set(e, E_INVALID, MSG_BAD_VALUE, where);
	memcpy(host, where, (size_t)(colon - where));
	host[colon - where] = '\0';
	addr.sin_family = AF_INET;
	long port = strtol(colon + 1, NULL, 10);
	if (port <= 0 || port > 65535 || inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		return err_set(e, E_INVALID, MSG_BAD_VALUE, where);
	addr.sin_port = htons((uint16_t)port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return err_set(e, E_IO, MSG_IO, where);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 511) != 0) {
		close(fd);
		return err_set(e, E_IO, MSG_IO, where);
	}
	return fd;
}

static void limits_default(struct server *srv)
{
	if (srv->max_conns == 0)
		srv->max_conns = LIMIT_CONNECTIONS;
	if (srv->max_conns_per_ip == 0)
		srv->max_conns_per_ip = LIMIT_CONNECTIONS_PER_IP;
	if (srv->conn_timeout == 0)
		srv->conn_timeout = LIMIT_CONNECTION_TIMEOUT;
	if (srv->login_per_min == 0)
		srv->login_per_min = LIMIT_LOGIN_PER_MIN;
	if (srv->login_user_per_min == 0)
		srv->login_user_per_min = LIMIT_LOGIN_USER_PER_MIN;
	if (srv->login_burst == 0)
		srv->login_burst = LIMIT_LOGIN_BURST;
	if (srv->login_parallel == 0)
		srv->login_parallel = srv->threads > 2 ? srv->threads / 2 : 1;
}

int server_start(struct server *srv, const char *listen, struct err *e)
{
	struct tls_pem p = { 0 };
	limits_default(srv);
	srv->tls = srv->tls_cert != NULL || srv->tls_key != NULL;
	if (srv->tls && (srv->tls_cert == NULL || srv->tls_key == NULL))
		return err_set(e, E_INVALID, MSG_TLS_FILE,
			       srv->tls_cert ? "--tls-key" : "--tls-cert");
	if (srv->tls && pem_load(srv, &p, e) != 0)
		return -1;
	srv->listen_fd = listen_on(listen, e);
	if (srv->listen_fd < 0) {
		pem_free(&p);
		return -1;
	}
	srv->gate = gate_new(srv);
	if (srv->gate == NULL || pthread_key_create(&srv->db_key, worker_free) != 0) {
		gate_free(srv->gate);
		srv->gate = NULL;
		close(srv->listen_fd);
		pem_free(&p);
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	}
	srv->lane = lane_new(srv->login_parallel, lane_run);
	if (srv->lane == NULL) {
		pthread_key_delete(srv->db_key);
		gate_free(srv->gate);
		srv->gate = NULL;
		close(srv->listen_fd);
		pem_free(&p);
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	}
	MHD_set_panic_func(on_panic, NULL);
	srv->daemon = daemon_start(srv, &p);
	if (srv->daemon == NULL) {
		lane_free(srv->lane);
		srv->lane = NULL;
		pthread_key_delete(srv->db_key);
		gate_free(srv->gate);
		srv->gate = NULL;
		close(srv->listen_fd);
		pem_free(&p);
		if (srv->tls)
			return err_set(e, E_INVALID, MSG_TLS_BAD, srv->tls_cert);
		return err_set(e, E_IO, MSG_IO, listen);
	}
	srv->pem_cert = p.cert;
	srv->pem_key = p.key;
	return 0;
}

/* Frees the certificate and key the running daemon was started with. */
static void pem_release(struct server *srv)
{
	struct tls_pem old = { srv->pem_cert, srv->pem_key };
	pem_free(&old);
	srv->pem_cert = srv->pem_key = NULL;
}

static int daemon_conns(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	return info ? (int)info->num_connections : 0;
}

static void retired_stop(struct retired *t)
{
	struct tls_pem p = { t->cert, t->key };
	MHD_stop_daemon(t->daemon);
	pem_free(&p);
	memset(t, 0, sizeof(*t));
}

/* A replaced daemon stops now if it has no connection left (none of them
 * can then be suspended on the lane); else it waits among the retired,
 * checked again at each reload and stopped at the end. Daemons retired
 * earlier that have emptied stop too. */
static void retire(struct server *srv, struct MHD_Daemon *old, char *cert, char *key)
{
	int n = 0;
	for (int i = 0; i < srv->nretired; i++) {
		if (daemon_conns(srv->retired[i].daemon) == 0)
			retired_stop(&srv->retired[i]);
		else
			srv->retired[n++] = srv->retired[i];
	}
	srv->nretired = n;
	struct retired t = { old, cert, key };
	if (daemon_conns(old) == 0) {
		retired_stop(&t);
		return;
	}
	if (srv->nretired == (int)(sizeof(srv->retired) / sizeof(srv->retired[0]))) {
		/* Full: the oldest goes, once nothing is on the lane. */
		for (int i = 0; i < 100 && !lane_idle(srv->lane); i++)
			usleep(50 * 1000);
		retired_stop(&srv->retired[0]);
		memmove(srv->retired, srv->retired + 1, sizeof(srv->retired[0]) * (size_t)(n - 1));
		srv->nretired--;
	}
	srv->retired[srv->nretired++] = t;
}

int server_reload(struct server *srv, struct err *e)
{
	struct tls_pem p = { 0 };
	if (srv->daemon == NULL)
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	if (srv->tls && pem_load(srv, &p, e) != 0)
		return -1;
	struct MHD_Daemon *d = daemon_start(srv, &p), *old = srv->daemon;
	if (d == NULL) {
		pem_free(&p);
		return err_set(e, E_INVALID, MSG_TLS_BAD, srv->tls_cert ? srv->tls_cert : "");
	}
	/* Both accept for a moment; then only the new one. The old one's
	 * requests in flight finish (bounded by the grace), then it stops. */
	srv->daemon = d;
	MHD_socket ofd = MHD_quiesce_daemon(old);
	for (int i = 0; i < RELOAD_GRACE_S * 10 && daemon_conns(old) > 0; i++)
		usleep(100 * 1000);
	if (ofd != MHD_INVALID_SOCKET)
		close(ofd); /* quiesced: the old daemon no longer owns it */
	retire(srv, old, srv->pem_cert, srv->pem_key);
	srv->pem_cert = p.cert;
	srv->pem_key = p.key;
	return 0;
}

void server_stop(struct server *srv)
{
	if (srv->daemon) {
		/* The lane first: it resumes every connection it holds, and
		 * takes no more. Then each daemon stops accepting, lets the
		 * workers finish what they run, and the key's destructor closes
		 * each worker's database connection. */
		lane_stop(srv->lane);
		for (int i = 0; i < srv->nretired; i++)
			retired_stop(&srv->retired[i]);
		srv->nretired = 0;
		MHD_stop_daemon(srv->daemon);
		srv->daemon = NULL;
		pthread_key_delete(srv->db_key);
		close(srv->listen_fd);
		gate_free(srv->gate);
		srv->gate = NULL;
		lane_free(srv->lane);
		srv->lane = NULL;
		pem_release(srv);
	}
}
