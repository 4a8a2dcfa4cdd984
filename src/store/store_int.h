/* store_int.h - what a storage backend implements (private to src/store). */
#ifndef UNGCUU_STORE_INT_H
#define UNGCUU_STORE_INT_H

#include <stdarg.h>

#include "store.h"

struct store_ops {
	const char *name;
	struct store *(*open)(const char *location, struct err *e);
	void (*close)(struct store *s);
	int (*exec)(struct store *s, const char *sql, struct err *e);
	struct stmt *(*prepare)(struct store *s, const char *sql, struct err *e);
	int (*bind)(struct stmt *st, const char *fmt, va_list ap, struct err *e);
	int (*step)(struct stmt *st, struct err *e);
	const char *(*text)(struct stmt *st, int col);
	int64_t (*integer)(struct stmt *st, int col);
	const void *(*blob)(struct stmt *st, int col, size_t *len);
	int (*isnull)(struct stmt *st, int col);
	void (*done)(struct stmt *st);
	int (*changes)(struct store *s);
	int64_t (*stamp)(struct store *s);
	int serial_writes;   /* one writer per database: queue writers in-process */
	int (*watch)(struct store *s, const char *table, int nkey, struct err *e);
	int (*backup)(struct store *s, const char *dest, struct err *e);
	/* Backends whose change capture is not in-process (PostgreSQL's
	 * triggers): gather what was captured into the base's list. */
	void (*collect)(struct store *s);
	/* Inside the migrations' transaction, after the last one. */
	int (*after_migrate)(struct store *s, struct err *e);
	/* SQL run before pending migrations (the dialect's compatibility
	 * functions), and the backend's variants of migrations by version. */
	const char *prelude;
	const struct migration *migrations;
	const size_t *nmigrations;
};

/* An embedded migration file (tools/embed.c). */
struct migration {
	int version;
	const char *name;
	const char *sql;
};
extern const struct migration store_migrations[], store_migrations_pg[];
extern const size_t store_migrations_count, store_migrations_pg_count;

/* Every backend's struct store starts with this. */
struct store_base {
	const struct store_ops *ops;
	int in_tx;
	int64_t commits;   /* this connection's own commits (for store_stamp) */
	struct store_hooks hooks;
	/* Captured changes (store_watch), filled by the backend. */
	struct store_change *changes;
	size_t nchanges, capchanges;
	int change_oom;    /* a change could not be kept: the commit must fail */
	int64_t fence;     /* > 0: write transactions need this leadership epoch (store_fence) */
	char *location;    /* as given to store_open (store_location) */
};

/* Backends add a captured change (takes the key strings). */
int store_change_add(struct store_base *b, int table, char *k0, char *k1, uint64_t changed);

extern const struct store_ops store_sqlite_ops, store_pg_ops;

/* The PostgreSQL dialect rule (store_pg.c); a new string, the highest $n
 * in *nparams. */
char *store_pg_translate(const char *sql, int *nparams);

#endif
