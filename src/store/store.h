/*
 * store.h - the storage interface the domain layer uses. One connection per
 * thread (struct store), prepared statements cached per connection. SQL uses
 * $1..$n placeholders, which SQLite and PostgreSQL both accept; ids are text
 * UUIDv7, times BIGINT milliseconds UTC, JSON as TEXT.
 *
 * Backends implement struct store_ops (store_int.h); store_open picks one by
 * the location: "postgres://..." or a file path for SQLite.
 */
#ifndef UNGCUU_STORE_H
#define UNGCUU_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

struct store;
struct stmt;

struct store *store_open(const char *location, struct err *e);
/* 1 when location names a PostgreSQL database (postgres://, postgresql://). */
int store_is_pg(const char *location);
/* A file that belongs with the database (the audit key, its checkpoint):
 * SQLite: location + suffix beside the file; PostgreSQL: in
 * $UNGCUU_STATE_DIR (default var) named after host, port and database. */
int store_side_path(const char *location, const char *suffix, char *out, size_t n);
void store_close(struct store *s);
/* The location s was opened with (another connection to the same database:
 * store_open(store_location(s))). */
const char *store_location(struct store *s);
/* Runs SQL text with no parameters (migrations, pragmas). */
int store_exec(struct store *s, const char *sql, struct err *e);

/*
 * Prepares (or takes from the cache) sql and binds its parameters from fmt:
 *   't' const char * (NULL binds NULL)   'i' int64_t
 *   'b' const void *, size_t (blob)      'n' NULL
 * The statement is lent until stmt_done(). NULL and e filled on failure.
 */
struct stmt *store_query(struct store *s, struct err *e, const char *sql,
			 const char *fmt, ...);
/* 1 = a row is ready, 0 = done, -1 = error (e filled). */
int stmt_step(struct stmt *st, struct err *e);
const char *stmt_text(struct stmt *st, int col);   /* NULL for NULL */
int64_t stmt_int(struct stmt *st, int col);
const void *stmt_blob(struct stmt *st, int col, size_t *len);
int stmt_isnull(struct stmt *st, int col);
/* Resets the statement for reuse; always call it, even after an error. */
void stmt_done(struct stmt *st);
/* Runs a statement that returns no rows; returns rows changed or -1. */
int store_run(struct store *s, struct err *e, const char *sql, const char *fmt, ...);

/* Write transactions (BEGIN IMMEDIATE on SQLite: one writer, no deadlock
 * upgrades). Nested begin is an error. On SQLite the writers of one process
 * also queue on a mutex: fair hand-over instead of the busy handler's
 * growing sleeps (which gave creations a 1 s tail under load). */
int store_begin(struct store *s, struct err *e);
/* A read transaction around several reads: one snapshot, one lock. */
int store_read_begin(struct store *s, struct err *e);
void store_read_end(struct store *s);
int store_commit(struct store *s, struct err *e);
void store_rollback(struct store *s);
/*
 * Fencing for the leader's background work (leader.h, issue 18): with
 * epoch > 0 every write transaction of this connection checks, right after
 * it took the writers' lock, that the leadership epoch (table leadership,
 * migration 025) is still epoch, and store_begin fails with E_CONFLICT
 * (MSG_LEADER_DEPOSED) when another node has taken over since. Writers are
 * serialised, so the epoch cannot move before such a transaction commits.
 * 0 turns it off (SQLite, request connections). Writes outside a
 * transaction are not fenced: leader-only writers use store_begin.
 */
void store_fence(struct store *s, int64_t epoch);

/*
 * A stamp that changes whenever anything was committed to the database, by
 * this connection or any other (another thread, another process such as
 * `ungcuu admin`). Caches keep what they computed with the stamp and trust it
 * only while the stamp is unchanged. -1: the backend cannot tell (no caching).
 */
int64_t store_stamp(struct store *s);

/* Applies every pending migration in one transaction (all or none); returns
 * the number applied or -1 with the database unchanged and e naming the
 * migration that failed. */
int store_migrate(struct store *s, struct err *e);
/* The version the newest embedded migration brings a database to. */
int store_migrations_latest(void);
/* The schema version the database is at (0 for an empty one). */
int store_schema_version(struct store *s);
const char *store_backend(struct store *s);
/* One round trip to the database (the health check): 0, or -1 with e
 * filled (E_UNAVAILABLE when the server cannot be reached). */
int store_ping(struct store *s, struct err *e);

/*
 * Change capture and commit hooks, for the audit log (domain/directory/
 * audit.c). A watched table's written rows are remembered by primary key
 * (its first nkey columns) with a mask of the columns an update changed,
 * until store_changes_take() hands them over. SQLite: the pre-update hook,
 * so every statement, upsert and cascade is seen; WITHOUT ROWID tables are
 * not reported by SQLite and must not be watched.
 */
struct store_change {
	int table;          /* index in the order of store_watch() calls */
	char *key[2];       /* key column values as text (key[1] NULL for one column) */
	uint64_t changed;   /* update: bit i = column i changed (63: any beyond); else all ones */
};
int store_watch(struct store *s, const char *table, int nkey, struct err *e);
/* Hands over the changes since the last call; free with store_changes_free. */
size_t store_changes_take(struct store *s, struct store_change **out);
void store_changes_free(struct store_change *c, size_t n);

struct store_hooks {
	void *arg;
	/* Inside the write transaction just before COMMIT; may write. Non-zero:
	 * the transaction is rolled back and store_commit fails. */
	int (*before_commit)(struct store *s, void *arg, struct err *e);
	/* After a successful COMMIT, the in-process writers' queue still held. */
	void (*after_commit)(struct store *s, void *arg);
	void (*release)(void *arg);   /* at store_close */
};
void store_set_hooks(struct store *s, const struct store_hooks *h);
void *store_hooks_arg(struct store *s);
/* Process-wide, set once at startup: runs in every store_open once the
 * connection is ready; non-zero fails the open. */
void store_set_open_hook(int (*fn)(struct store *s, const char *location, struct err *e));

/* A consistent copy of the whole database into a new file (SQLite's online
 * backup: one read snapshot, writers go on). */
int store_backup(struct store *s, const char *dest, struct err *e);
/* 1 when another process has the SQLite database at path open. */
int store_in_use(const char *path);

#endif
