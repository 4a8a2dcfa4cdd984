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
};

/* Every backend's struct store starts with this. */
struct store_base {
	const struct store_ops *ops;
	int in_tx;
	int64_t commits;   /* this connection's own commits (for store_stamp) */
};

extern const struct store_ops store_sqlite_ops;

#endif
