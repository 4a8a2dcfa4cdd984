/*
 * loop.c - the sync loop of `ungcuu serve`: one thread, its own database
 * connection, sync_round (transport.c) for every peer with a URL each
 * interval; a peer whose round failed is tried again sooner, 1 s, 2 s,
 * 4 s ... capped, so a link that comes back is used within seconds and a
 * link that stays down costs one attempt every few minutes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sync.h"
#include "../base/limits.h"
#include "../base/log.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../store/leader.h"
#include "../store/store.h"
#include "../base/banned.h"

#define LOOP_MAX_PEERS 64

struct backoff {
	char peer_id[UUID_LEN];
	int fails;
	int64_t next;           /* CLOCK_MONOTONIC ms of its next round */
};

struct sync_loop {
	struct sync_net net;
	const struct rules *rules;
	int64_t interval;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	struct backoff peers[LOOP_MAX_PEERS];
	size_t npeers;
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct backoff *backoff_of(struct sync_loop *l, const char *peer_id)
{
	for (size_t i = 0; i < l->npeers; i++)
		if (strcmp(l->peers[i].peer_id, peer_id) == 0)
			return &l->peers[i];
	if (l->npeers == LOOP_MAX_PEERS)
		return NULL;
	struct backoff *b = &l->peers[l->npeers++];
	memset(b, 0, sizeof(*b));
	memcpy(b->peer_id, peer_id, strlen(peer_id) + 1);
	return b;
}

/* The wait after `fails` failures in a row: 1 s doubling, at most the
 * interval and LIMIT_SYNC_BACKOFF_MAX. */
static int64_t backoff_ms(const struct sync_loop *l, int fails)
{
	int64_t d = 1000;
	for (int i = 1; i < fails && d < LIMIT_SYNC_BACKOFF_MAX; i++)
		d *= 2;
	if (d > l->interval)
		d = l->interval;
	return d > LIMIT_SYNC_BACKOFF_MAX ? LIMIT_SYNC_BACKOFF_MAX : d;
}

/* One pass over the peers that are due; returns when the next is due. */
static int64_t pass(struct sync_loop *l, struct store *db)
{
	struct actor sys;
	actor_system(&sys);
	struct ctx c = { .db = db, .rules = l->rules, .actor = &sys, .lang = LANG_EN };
	int64_t now = mono_ms(), next = now + l->interval;
	/* Several nodes: the rounds are the leader's, fenced at its epoch. */
	if (!leader_guard(db))
		return now + 1000;
	static const int rel[] = { SYNC_PARENT, SYNC_CHILD };
	for (size_t r = 0; r < 2; r++) {
		struct sync_peer *all = NULL;
		size_t n = 0;
		struct err e = { 0 };
		if (sync_peers(&c, rel[r], &all, &n, &e) != 0) {
			char why[300];
			log_error("sync: peers: %s", err_text(&e, LANG_EN, why, sizeof(why)));
			return now + 1000 * 5;
		}
		for (size_t i = 0; i < n; i++) {
			if (all[i].url[0] == '\0')
				continue;
			struct backoff *b = backoff_of(l, all[i].id);
			if (b == NULL || b->next > mono_ms())
				goto later;
			struct sync_round_result res;
			memset(&e, 0, sizeof(e));
			if (sync_round(&c, &l->net, &all[i], &res, &e) == 0) {
				if (b->fails)
					log_info("sync: %s reachable again", all[i].name);
				b->fails = 0;
				b->next = mono_ms() + l->interval;
				if (res.pushed || res.pulled || res.refused)
					log_info("sync: %s: %lld up, %lld down, %lld refused",
						 all[i].name, (long long)res.pushed,
						 (long long)res.pulled, (long long)res.refused);
			} else {
				char why[300];
				b->fails++;
				b->next = mono_ms() + backoff_ms(l, b->fails);
				log_warn("sync: %s: round failed (%d in a row, next in %lld ms): %s",
					 all[i].name, b->fails, (long long)(b->next - mono_ms()),
					 err_text(&e, LANG_EN, why, sizeof(why)));
			}
		later:
			if (b && b->next < next)
				next = b->next;
			pthread_mutex_lock(&l->mu);
			int stop = l->stop;
			pthread_mutex_unlock(&l->mu);
			if (stop)
				break;
		}
		free(all);
	}
	return next;
}

static void *run(void *arg)
{
	struct sync_loop *l = arg;
	struct err e = { 0 };
	struct store *db = NULL;
	for (;;) {
		int64_t next = mono_ms() + 5000;
		if (db == NULL && (db = store_open(l->net.db_path, &e)) == NULL) {
			char why[300];
			log_error("sync: %s", err_text(&e, LANG_EN, why, sizeof(why)));
			memset(&e, 0, sizeof(e));
		} else if (db) {
			next = pass(l, db);
		}
		pthread_mutex_lock(&l->mu);
		while (!l->stop) {
			int64_t wait = next - mono_ms();
			if (wait <= 0)
				break;
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += wait / 1000;
			ts.tv_nsec += (long)(wait % 1000) * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&l->cv, &l->mu, &ts);
		}
		int stop = l->stop;
		pthread_mutex_unlock(&l->mu);
		if (stop)
			break;
	}
	if (db)
		store_close(db);
	return NULL;
}

struct sync_loop *sync_loop_start(const struct sync_net *net, const struct rules *rules,
				  int64_t interval_ms, struct err *e)
{
	struct sync_loop *l = calloc(1, sizeof(*l));
	if (l == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	l->net = *net;
	l->rules = rules;
	l->interval = interval_ms > 0 ? interval_ms : LIMIT_SYNC_INTERVAL_DEFAULT;
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	if (pthread_create(&l->thread, NULL, run, l) != 0) {
		pthread_cond_destroy(&l->cv);
		pthread_mutex_destroy(&l->mu);
		free(l);
		return err_set(e, E_INTERNAL, MSG_INTERNAL, "sync loop"), NULL;
	}
	return l;
}

void sync_loop_stop(struct sync_loop *l)
{
	if (l == NULL)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = 1;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
	free(l);
}
