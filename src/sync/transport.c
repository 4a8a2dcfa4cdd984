/*
 * transport.c - HTTPS between instances (issue 16 item 4): the child's side
 * of the exchange. One round pushes our outbox to the peer and pulls its
 * outbox for us, batch by batch, each step acknowledged by seq; a failure
 * stops the round and the next one resumes from the cursors, which live in
 * the database (the core's), never in this process.
 *
 * Requests are POSTs of JSON signed with this instance's key (the one
 * `init` wrote beside the database): see sync_request_message and
 * docs/SYNC.md, "Transport".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "sync.h"
#include "../base/buf.h"
#include "../base/crypto.h"
#include "../base/limits.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../store/store.h"
#include "../base/banned.h"

int sync_request_message(char *out, size_t n, const char *method, const char *path,
			 long long time_ms, const char *from, const char *to,
			 const void *body, size_t body_len)
{
	char digest[SHA256_HEX_LEN];
	sha256_hex(body ? body : "", body ? body_len : 0, digest);
	int k = snprintf(out, n, "ungcuu-sync-1\n%s\n%s\n%lld\n%s\n%s\n%s", method, path, time_ms,
			 from, to, digest);
	return k < 0 || (size_t)k >= n ? -1 : 0;
}

/* Our outbox's cursor for the peer: the highest seq it acknowledged (the
 * core's column; the outbox keeps what was acknowledged, so a push starts
 * after it). */
static int64_t acked_of(struct ctx *c, const char *peer_id, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT out_acked FROM sync_peers WHERE id = $1", "t",
				      peer_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	int64_t v = rc == 1 ? stmt_int(st, 0) : -1;
	stmt_done(st);
	if (rc == 0)
		err_set(e, E_NOTFOUND, MSG_SYNC_PEER_UNKNOWN, peer_id);
	return v;
}

int sync_peer_error(struct ctx *c, const char *peer_id, const char *detail, struct err *e)
{
	return store_run(c->db, e, "UPDATE sync_peers SET last_error = $2, last_error_at = $3 "
			 "WHERE id = $1", "tti", peer_id, detail, detail ? time_now_ms() : 0) < 0
		       ? -1 : 0;
}

/* One round's connection state: the handle is reused (keep-alive, one TLS
 * handshake per round). */
struct conn {
	const struct sync_net *net;
	const struct sync_peer *peer;
	CURL *curl;
	char self[SYNC_ID_LEN];
	char sk[129];
};

static size_t on_data(char *p, size_t size, size_t n, void *user)
{
	return buf_add(user, p, size * n) == 0 ? size * n : 0;
}

/* The problem a peer answered, as "STATUS detail" in e. */
static int peer_problem(long status, json_t *j, struct err *e)
{
	char what[160];
	const char *d = j ? json_string_value(json_object_get(j, "detail")) : NULL;
	if (d == NULL && j)
		d = json_string_value(json_object_get(j, "title"));
	snprintf(what, sizeof(what), "%ld %s", status, d ? d : "");
	return err_set(e, E_IO, MSG_SERVER_SAID, what);
}

/* POSTs body (JSON, stolen) to the peer's path, signed; *out gets the JSON
 * answer of a 200. Returns the HTTP status (200 with *out set), or -1 with
 * e (E_IO: no connection, a bad answer, or the peer's problem). */
static long post(struct conn *k, const char *path, json_t *body, json_t **out, struct err *e)
{
	*out = NULL;
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (text == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), -1;
	size_t len = strlen(text);
	long long now = (long long)time_now_ms();
	char msg[512], sig[129], url[700], h_inst[96], h_time[64], h_sig[160];
	if (sync_request_message(msg, sizeof(msg), "POST", path, now, k->self, k->peer->instance,
				 text, len) != 0 ||
	    ed25519_sign_hex(k->sk, msg, strlen(msg), sig) != 0) {
		free(text);
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL), -1;
	}
	size_t ul = strlen(k->peer->url);
	while (ul > 0 && k->peer->url[ul - 1] == '/')
		ul--;
	snprintf(url, sizeof(url), "%.*s%s", (int)ul, k->peer->url, path);
	snprintf(h_inst, sizeof(h_inst), "X-Sync-Instance: %s", k->self);
	snprintf(h_time, sizeof(h_time), "X-Sync-Time: %lld", now);
	snprintf(h_sig, sizeof(h_sig), "X-Sync-Signature: %s", sig);
	struct curl_slist *h = NULL;
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Accept: application/json");
	h = curl_slist_append(h, "Expect:");
	h = curl_slist_append(h, h_inst);
	h = curl_slist_append(h, h_time);
	h = curl_slist_append(h, h_sig);
	struct buf resp;
	buf_init(&resp, LIMIT_SYNC_BODY + 64 * 1024);
	CURL *c = k->curl;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
	CURLcode rc = curl_easy_perform(c);
	long status = -1;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	free(text);
	if (rc != CURLE_OK) {
		buf_release(&resp);
		char what[160];
		snprintf(what, sizeof(what), "%s: %s", k->peer->name, curl_easy_strerror(rc));
		return err_set(e, E_IO, MSG_IO, what), -1;
	}
	json_error_t je;
	json_t *j = resp.p ? json_loadb(resp.p, resp.len, 0, &je) : NULL;
	buf_release(&resp);
	if (status != 200 || !json_is_object(j)) {
		if (status == 200)
			status = 502;
		peer_problem(status, j, e);
		json_decref(j);
		return status == 413 ? 413 : -1;
	}
	*out = j;
	return 200;
}

/* An envelope's seq (0 when it has none). */
static int64_t env_seq(const json_t *env)
{
	json_t *s = json_object_get(env, "seq");
	return json_is_integer(s) ? (int64_t)json_integer_value(s) : 0;
}

/* A cursor the peer answered: a whole number >= 0, else -1. */
static int64_t answer_seq(const json_t *j, const char *key)
{
	json_t *s = json_object_get(j, key);
	if (!json_is_integer(s) || json_integer_value(s) < 0)
		return -1;
	return (int64_t)json_integer_value(s);
}

/* Up: our outbox for the peer, batch by batch. The peer answers the
 * highest seq it has applied from us (replays included), which is what we
 * acknowledge; when it stops short of the batch (a refusal, a gap) the
 * round goes on to pull and the rest waits for the next round. */
static int push(struct ctx *c, struct conn *k, unsigned batch, struct sync_round_result *r,
		struct err *e)
{
	int64_t after = acked_of(c, k->peer->id, e);
	if (after < 0)
		return -1;
	r->sent_acked = after;
	for (int b = 0; b < LIMIT_SYNC_ROUND_BATCHES; b++) {
		json_t *envs = sync_outbox_read(c, k->peer->id, after, batch, e);
		if (envs == NULL)
			return -1;
		size_t n = json_array_size(envs);
		if (n == 0) {
			json_decref(envs);
			return 0;
		}
		int64_t last = env_seq(json_array_get(envs, n - 1));
		json_t *ans = NULL;
		json_t *body = json_pack("{s:o}", "envelopes", json_incref(envs));
		long st = post(k, "/api/v1/sync/push", body, &ans, e);
		if (st == 413 && batch > 1) {
			/* too large for the peer's bound: the same again in halves */
			json_decref(envs);
			batch /= 2;
			b--;
			memset(e, 0, sizeof(*e));
			continue;
		}
		if (st != 200) {
			json_decref(envs);
			return -1;
		}
		int64_t acked = answer_seq(ans, "acked");
		json_t *refused = json_object_get(ans, "refused");
		r->refused += (int64_t)json_array_size(refused);
		if (acked < 0) {
			json_decref(envs);
			json_decref(ans);
			return err_set(e, E_IO, MSG_SERVER_SAID, "acked");
		}
		for (size_t i = 0; i < n; i++) {
			int64_t s = env_seq(json_array_get(envs, i));
			if (s > after && s <= acked)
				r->pushed++;
		}
		json_decref(envs);
		json_decref(ans);
		if (acked > 0 && sync_outbox_ack(c, k->peer->id, acked, e) != 0)
			return -1;
		if (acked > r->sent_acked)
			r->sent_acked = acked;
		if (acked < last || n < batch)
			return 0; /* the peer waits for something, or that was all */
		after = acked;
	}
	return 0;
}

/* Down: the peer's outbox for us after our cursor, applied here through
 * the inbox, then acknowledged. Our cursor is the inbox's: an empty batch
 * applied tells it. */
static int pull(struct ctx *c, struct conn *k, unsigned batch, struct sync_round_result *r,
		struct err *e)
{
	int64_t cursor = 0;
	json_t *none = json_array(), *refused = NULL;
	int rc = sync_inbox_apply(c, k->peer->id, none, &cursor, &refused, e);
	json_decref(none);
	json_decref(refused);
	if (rc != 0)
		return -1;
	r->recv_acked = cursor;
	for (int b = 0; b < LIMIT_SYNC_ROUND_BATCHES; b++) {
		json_t *ans = NULL;
		json_t *body = json_pack("{s:I,s:I}", "after", (json_int_t)cursor, "limit",
					 (json_int_t)batch);
		long st = post(k, "/api/v1/sync/pull", body, &ans, e);
		if (st == 413 && batch > 1) {
			batch /= 2;
			b--;
			memset(e, 0, sizeof(*e));
			continue;
		}
		if (st != 200)
			return -1;
		json_t *envs = json_object_get(ans, "envelopes");
		int more = json_is_true(json_object_get(ans, "more"));
		if (!json_is_array(envs)) {
			json_decref(ans);
			return err_set(e, E_IO, MSG_SERVER_SAID, "envelopes");
		}
		if (json_array_size(envs) == 0) {
			json_decref(ans);
			return 0;
		}
		int64_t acked = cursor;
		refused = NULL;
		rc = sync_inbox_apply(c, k->peer->id, envs, &acked, &refused, e);
		r->refused += (int64_t)json_array_size(refused);
		json_decref(refused);
		json_decref(ans);
		if (rc != 0)
			return -1;
		if (acked > cursor)
			r->pulled += acked - cursor;
		/* acknowledged even when nothing new was applied: replays of what
		 * the peer still keeps are done with */
		ans = NULL;
		if (post(k, "/api/v1/sync/ack", json_pack("{s:I}", "seq", (json_int_t)acked), &ans,
			 e) != 200)
			return -1;
		json_decref(ans);
		r->recv_acked = acked;
		if (acked <= cursor || !more)
			return 0; /* a gap or a refusal waits for the next round */
		cursor = acked;
	}
	return 0;
}

int sync_round(struct ctx *c, const struct sync_net *net, const struct sync_peer *p,
	       struct sync_round_result *out, struct err *e)
{
	struct sync_round_result r = { 0 };
	if (out)
		*out = r;
	if (p->url[0] == '\0')
		return err_set(e, E_INVALID, MSG_BAD_VALUE, "url");
	if (strncmp(p->url, "https://", 8) != 0 && strncmp(p->url, "http://", 7) != 0)
		return err_set(e, E_INVALID, MSG_BAD_VALUE, p->url);
	struct conn k = { .net = net, .peer = p };
	if (sync_instance_id(c, k.self, e) != 0 || sync_secret_key(c, k.sk, e) != 0)
		return -1;
	k.curl = curl_easy_init();
	if (k.curl == NULL) {
		sodium_memzero(k.sk, sizeof(k.sk));
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	}
	long timeout = net->timeout_s > 0 ? net->timeout_s : 60;
	curl_easy_setopt(k.curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(k.curl, CURLOPT_CONNECTTIMEOUT, timeout < 15 ? timeout : 15L);
	curl_easy_setopt(k.curl, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(k.curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(k.curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(k.curl, CURLOPT_USERAGENT, "ungcuu-sync/1");
	if (net->ca_file)
		curl_easy_setopt(k.curl, CURLOPT_CAINFO, net->ca_file);
	unsigned batch = net->batch;
	if (batch == 0 || batch > LIMIT_SYNC_BATCH)
		batch = LIMIT_SYNC_BATCH_DEFAULT;
	int rc = push(c, &k, batch, &r, e);
	if (rc == 0)
		rc = pull(c, &k, batch, &r, e);
	curl_easy_cleanup(k.curl);
	sodium_memzero(k.sk, sizeof(k.sk));
	if (out)
		*out = r;
	/* for sync status: the contact, or what went wrong (the round's own
	 * error stays in e) */
	struct err ee = { 0 };
	if (rc == 0) {
		sync_touch(c, p->id, &ee);
	} else {
		char why[300];
		sync_peer_error(c, p->id, err_text(e, LANG_EN, why, sizeof(why)), &ee);
	}
	return rc;
}
