/*
 * gate.c - the login gate: a token bucket per client address and per
 * username, and a cap on password checks running at once, all decided
 * before any Argon2id work so that a flood costs the server a table lookup
 * and the attacker a round trip per refusal (429 with Retry-After).
 *
 * The buckets live in two fixed tables (LIMIT_LOGIN_GATE_SLOTS each),
 * indexed by a keyed hash (SipHash with a random key made at start), so
 * memory is bounded and nobody can aim collisions at a victim's bucket. A
 * slot holding another key is taken over only once that key's bucket has
 * refilled; until then the two share it, which can only refuse more.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "http.h"
#include "../base/limits.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/banned.h"

struct bucket {
	uint64_t key;      /* keyed hash of what it counts; 0: free */
	double tokens;
	int64_t at_ms;     /* when tokens was last brought up to date */
};

struct limiter {
	struct bucket slots[LIMIT_LOGIN_GATE_SLOTS];
	double per_ms, burst;
};

struct gate {
	pthread_mutex_t lock;
	unsigned char hash_key[crypto_shorthash_KEYBYTES];
	struct limiter addr, user;
	atomic_uint running;
	unsigned parallel;
};

static void limiter_init(struct limiter *l, unsigned per_min, unsigned burst)
{
	l->per_ms = (per_min ? per_min : 1) / 60000.0;
	l->burst = burst ? burst : 1;
}

struct gate *gate_new(const struct server *srv)
{
	struct gate *g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	pthread_mutex_init(&g->lock, NULL);
	randombytes_buf(g->hash_key, sizeof(g->hash_key));
	limiter_init(&g->addr, srv->login_per_min, srv->login_burst);
	limiter_init(&g->user, srv->login_user_per_min, srv->login_burst);
	g->parallel = srv->login_parallel ? srv->login_parallel : 1;
	atomic_init(&g->running, 0);
	return g;
}

void gate_free(struct gate *g)
{
	if (g == NULL)
		return;
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static uint64_t gate_hash(const struct gate *g, const char *s)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;
	crypto_shorthash(h, (const unsigned char *)s, strlen(s), g->hash_key);
	memcpy(&v, h, sizeof(v));
	return v ? v : 1;
}

/* Takes one token for key: 0, or the seconds until one is there. Called
 * with g->lock held. */
static int limiter_take(struct limiter *l, uint64_t key, int64_t now)
{
	struct bucket *b = &l->slots[key % LIMIT_LOGIN_GATE_SLOTS];
	double tokens = b->tokens;
	if (b->key != 0) {
		tokens += (double)(now - b->at_ms) * l->per_ms;
		if (tokens > l->burst)
			tokens = l->burst;
	}
	if (b->key == 0 || (b->key != key && tokens >= l->burst)) {
		b->key = key;
		tokens = l->burst;
	}
	b->at_ms = now;
	if (tokens >= 1.0) {
		b->tokens = tokens - 1.0;
		return 0;
	}
	b->tokens = tokens;
	int wait = (int)((1.0 - tokens) / l->per_ms / 1000.0) + 1;
	return wait > 0 ? wait : 1;
}

void req_login_gate_done(struct req *r)
{
	if (r->gate_held && r->srv->gate)
		atomic_fetch_sub(&r->srv->gate->running, 1);
	r->gate_held = 0;
}

/* The "username" of a login body, bounded, or NULL. */
static char *body_username(struct req *r)
{
	json_t *j = r->body.len ? json_loadb(r->body.p, r->body.len, 0, NULL) : NULL;
	const char *u = json_string_value(json_object_get(j, "username"));
	char *out = u ? arena_printf(r->arena, "u:%.64s", u) : NULL;
	json_decref(j);
	return out;
}

static int refuse(struct req *r, int seconds)
{
	char num[16];
	snprintf(num, sizeof(num), "%d", seconds);
	err_set(&r->err, E_LOCKED, MSG_LOGIN_RATE, num);
	r->err.retry_after = seconds;
	return -1;
}

int req_login_gate(struct req *r)
{
	struct gate *g = r->srv->gate;
	if (g == NULL)
		return 0;
	const char *addr = arena_printf(r->arena, "a:%s", req_client_addr(r));
	char *user = body_username(r);
	uint64_t ka = gate_hash(g, addr ? addr : "a:"), ku = user ? gate_hash(g, user) : 0;
	int64_t now = time_now_ms();
	/* At most `parallel` Argon2id checks at once, so the other threads
	 * keep answering everyone else; asked first, so that a try refused
	 * for that spends no token of the address or the username. */
	if (atomic_fetch_add(&g->running, 1) >= g->parallel) {
		atomic_fetch_sub(&g->running, 1);
		return refuse(r, 1);
	}
	pthread_mutex_lock(&g->lock);
	int wait = limiter_take(&g->addr, ka, now);
	if (wait == 0 && ku)
		wait = limiter_take(&g->user, ku, now);
	pthread_mutex_unlock(&g->lock);
	if (wait) {
		atomic_fetch_sub(&g->running, 1);
		return refuse(r, wait);
	}
	r->gate_held = 1;
	return 0;
}
