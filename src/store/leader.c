/*
 * leader.c - one leader among the serve nodes of a PostgreSQL database
 * (leader.h). The thread's connection holds the advisory lock; nothing else
 * runs on it, so no request or round can lose the lock by accident.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "leader.h"
#include "../base/log.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/banned.h"

/* The session advisory lock of the leadership ("ungcul" in ASCII; the
 * writers' transaction lock in store_pg.c is "ungcuu"). */
#define LEADER_LOCK "117110103099117108"
/* Seconds between two checks (and two tries by a follower). */
#define LEADER_TICK_MS 1000

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int running, stop, pg;
	char location[1024], node[200];
} L = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static atomic_int leading;
static _Atomic int64_t epoch_now, terms;

int leader_is(void)
{
	return !L.pg || atomic_load(&leading);
}

int64_t leader_epoch(void)
{
	return L.pg && atomic_load(&leading) ? atomic_load(&epoch_now) : 0;
}

int64_t leader_terms(void)
{
	return atomic_load(&terms);
}

int leader_guard(struct store *db)
{
	if (!L.pg) {
		store_fence(db, 0);
		return 1;
	}
	int64_t ep = leader_epoch();
	store_fence(db, ep);
	return ep > 0;
}

/* One row of one integer column from sql, which has no parameters; -1 on
 * any error. */
static int64_t one_int(struct store *db, const char *sql, struct err *e)
{
	struct stmt *st = store_query(db, e, sql, "");
	if (st == NULL)
		return -1;
	int64_t v = -1;
	if (stmt_step(st, e) == 1)
		v = stmt_int(st, 0);
	stmt_done(st);
	return v;
}

static void step_down(const char *why)
{
	if (atomic_exchange(&leading, 0))
		log_warn("leader: this node no longer leads (epoch %lld): %s",
			 (long long)atomic_load(&epoch_now), why);
}

/* Takes the lock if it is free and opens a new epoch; 1 = now leading. */
static int try_take(struct store *db, struct err *e)
{
	int64_t got = one_int(db, "SELECT CASE WHEN pg_try_advisory_lock(" LEADER_LOCK
			      ") THEN 1 ELSE 0 END", e);
	if (got != 1)
		return got < 0 ? -1 : 0;
	int64_t ep = -1;
	if (store_begin(db, e) == 0) {
		if (store_run(db, e, "UPDATE leadership SET epoch = epoch + 1, node = $1, since = $2 "
			      "WHERE id = 1", "ti", L.node, time_now_ms()) == 1)
			ep = one_int(db, "SELECT epoch FROM leadership WHERE id = 1", e);
		if (ep > 0 && store_commit(db, e) != 0)
			ep = -1;
		else if (ep <= 0)
			store_rollback(db);
	}
	if (ep <= 0) {
		struct err ignore = { 0 };
		one_int(db, "SELECT CASE WHEN pg_advisory_unlock(" LEADER_LOCK ") THEN 1 ELSE 0 END",
			&ignore);
		return -1;
	}
	atomic_store(&epoch_now, ep);
	atomic_store(&leading, 1);
	atomic_fetch_add(&terms, 1);
	log_info("leader: this node (%s) leads the background work, epoch %lld", L.node,
		 (long long)ep);
	return 1;
}

/* Still holding the lock on this session, and the epoch still ours? */
static int still_held(struct store *db, struct err *e)
{
	int64_t held = one_int(db, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
			       "AND pid = pg_backend_pid() AND granted AND objsubid = 1 AND "
			       "((classid::bigint << 32) | objid::bigint) = " LEADER_LOCK, e);
	if (held != 1)
		return held < 0 ? -1 : 0;
	int64_t ep = one_int(db, "SELECT epoch FROM leadership WHERE id = 1", e);
	if (ep < 0)
		return -1;
	return ep == atomic_load(&epoch_now);
}

static void *run(void *arg)
{
	(void)arg;
	struct store *db = NULL;
	int said_down = 0;
	for (;;) {
		struct err e = { 0 };
		char why[300];
		if (db == NULL) {
			db = store_open(L.location, &e);
			if (db == NULL && !said_down) {
				log_warn("leader: no connection to the database: %s",
					 err_text(&e, LANG_EN, why, sizeof(why)));
				said_down = 1;
			}
			if (db)
				said_down = 0;
		}
		if (db && !atomic_load(&leading)) {
			if (try_take(db, &e) < 0) {
				store_close(db);   /* a fresh session next time */
				db = NULL;
			}
		} else if (db) {
			int rc = still_held(db, &e);
			if (rc != 1) {
				step_down(rc == 0 ? "the lock or the epoch moved"
					  : err_text(&e, LANG_EN, why, sizeof(why)));
				/* end the session: whatever it still held is released */
				store_close(db);
				db = NULL;
			}
		} else {
			step_down("no connection to the database");
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)LEADER_TICK_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_mutex_lock(&L.mu);
		if (!L.stop)
			pthread_cond_timedwait(&L.cv, &L.mu, &ts);
		int stop = L.stop;
		pthread_mutex_unlock(&L.mu);
		if (stop)
			break;
	}
	atomic_store(&leading, 0);
	if (db)
		store_close(db);   /* releases the lock at once: a follower takes over */
	return NULL;
}

int leader_start(const char *location, const char *node, struct err *e)
{
	if (!store_is_pg(location))
		return 0;
	if (strlen(location) >= sizeof(L.location))
		return err_set(e, E_INVALID, MSG_TOO_LONG, NULL);
	snprintf(L.location, sizeof(L.location), "%s", location);
	snprintf(L.node, sizeof(L.node), "%s", node);
	L.stop = 0;
	L.pg = 1;
	atomic_store(&leading, 0);
	if (pthread_create(&L.thread, NULL, run, NULL) != 0) {
		L.pg = 0;
		return err_set(e, E_INTERNAL, MSG_INTERNAL, "leader");
	}
	L.running = 1;
	return 0;
}

void leader_stop(void)
{
	if (!L.running)
		return;
	pthread_mutex_lock(&L.mu);
	L.stop = 1;
	pthread_cond_broadcast(&L.cv);
	pthread_mutex_unlock(&L.mu);
	pthread_join(L.thread, NULL);
	L.running = 0;
	if (atomic_load(&terms) > 0)
		log_info("leader: stepped down (stopping)");
}
