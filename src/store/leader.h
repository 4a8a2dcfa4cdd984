/*
 * leader.h - which of several `ungcuu serve` nodes on one PostgreSQL
 * database runs the background work (issue 18 item 2).
 *
 * PostgreSQL: a thread holds a session advisory lock (LEADER_LOCK) on a
 * connection of its own; the node that takes it bumps the epoch in table
 * leadership (migration 025) and leads until that connection or the lock is
 * lost (the server releases the lock when the session ends: a killed node
 * frees it at once, a cut link after the TCP keepalives). Every second the
 * thread checks that it still holds the lock and that the epoch is still
 * its own; on any doubt it steps down first and tries again.
 *
 * Background workers call leader_guard(db) before each round: 0 = this node
 * does not lead now (skip the round); 1 = it leads, and db's write
 * transactions are fenced at the epoch it was granted (store_fence), so a
 * round that outlives the leadership has its writes refused.
 *
 * SQLite (one process on the file): always the leader, no thread, no fence.
 */
#ifndef UNGCUU_LEADER_H
#define UNGCUU_LEADER_H

#include <stdint.h>

#include "store.h"

/* Starts the election for the database at location; node names this
 * process in the table and the log. 0, or -1 with e filled. */
int leader_start(const char *location, const char *node, struct err *e);
void leader_stop(void);
/* 1 when this process leads now (always 1 on SQLite and before/without
 * leader_start, so single-process commands are unaffected). */
int leader_is(void);
/* The epoch this process leads in (0 on SQLite or when not leading). */
int64_t leader_epoch(void);
/* For a background worker's connection before each round (see above). */
int leader_guard(struct store *db);
/* Times this process became leader (for the log and the tests). */
int64_t leader_terms(void);

#endif
