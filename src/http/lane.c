/*
 * lane.c - the slow lane: anonymous requests with a body (the login, whose
 * Argon2id check takes ~30 ms of a core) run on their own threads, not on
 * libmicrohttpd's. Their connection is suspended, the request queued; a
 * lane thread runs the handler and resumes the connection, and the answer
 * goes out from libmicrohttpd's thread on the next call (server.c). So a
 * login flood, even one the gate lets through, never holds the threads that
 * answer everyone else's reads.
 *
 * The queue is bounded (LANE_QUEUE): past it the request runs where it is,
 * and the gate (gate.c), called first by the handler, refuses it cheaply.
 */
#include <pthread.h>
#include <stdlib.h>

#include <microhttpd.h>

#include "http.h"
#include "../base/banned.h"

/* Requests waiting for a lane thread; each is a suspended connection. */
#define LANE_QUEUE 256
#define LANE_THREADS_MAX 8

struct lane {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct req *queue[LANE_QUEUE];
	unsigned head, len, busy;
	int stop;
	unsigned nthreads;
	pthread_t threads[LANE_THREADS_MAX];
	void (*run)(struct req *r);
};

static void *lane_main(void *p)
{
	struct lane *l = p;
	pthread_mutex_lock(&l->lock);
	for (;;) {
		while (l->len == 0 && !l->stop)
			pthread_cond_wait(&l->cond, &l->lock);
		if (l->len == 0)
			break; /* stopping, and nothing left: every one was resumed */
		struct req *r = l->queue[l->head];
		l->head = (l->head + 1) % LANE_QUEUE;
		l->len--;
		l->busy++;
		pthread_mutex_unlock(&l->lock);
		l->run(r);
		pthread_mutex_lock(&l->lock);
		l->busy--;
		pthread_cond_broadcast(&l->cond);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

struct lane *lane_new(unsigned threads, void (*run)(struct req *r))
{
	struct lane *l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	l->run = run;
	if (threads < 1)
		threads = 1;
	if (threads > LANE_THREADS_MAX)
		threads = LANE_THREADS_MAX;
	for (unsigned i = 0; i < threads; i++) {
		if (pthread_create(&l->threads[i], NULL, lane_main, l) != 0)
			break;
		l->nthreads++;
	}
	if (l->nthreads == 0) {
		lane_free(l);
		return NULL;
	}
	return l;
}

int lane_submit(struct lane *l, struct req *r)
{
	int rc = -1;
	if (l == NULL)
		return -1;
	pthread_mutex_lock(&l->lock);
	if (!l->stop && l->len < LANE_QUEUE) {
		/* Suspended before it is queued: a lane thread may resume it at
		 * once. The lock is held, so no lane thread sees it before. */
		MHD_suspend_connection(r->conn);
		l->queue[(l->head + l->len) % LANE_QUEUE] = r;
		l->len++;
		pthread_cond_signal(&l->cond);
		rc = 0;
	}
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int lane_idle(struct lane *l)
{
	if (l == NULL)
		return 1;
	pthread_mutex_lock(&l->lock);
	int idle = l->len == 0 && l->busy == 0;
	pthread_mutex_unlock(&l->lock);
	return idle;
}

void lane_stop(struct lane *l)
{
	if (l == NULL)
		return;
	/* The threads run what is queued (each connection is resumed), then
	 * end; lane_submit refuses from now on. */
	pthread_mutex_lock(&l->lock);
	int was = l->stop;
	l->stop = 1;
	pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->lock);
	if (was)
		return;
	for (unsigned i = 0; i < l->nthreads; i++)
		pthread_join(l->threads[i], NULL);
}

void lane_free(struct lane *l)
{
	if (l == NULL)
		return;
	lane_stop(l);
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
	free(l);
}
