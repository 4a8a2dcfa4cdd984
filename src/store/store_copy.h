/*
 * store_copy.h - a SQLite instance copied into an empty PostgreSQL database
 * (`ungcuu admin migrate`, issue 18 item 4). Storage only: the audit check
 * and the checkpoint are the caller's (src/cli/admin.c).
 *
 * Every table in dependency order (the target's foreign keys), in batches
 * sent with COPY, each batch committed together with the copy's progress
 * in the target's table ungcuu_migrate_copy. A run that was interrupted at
 * any point is taken up again where its last batch committed (rowid tables:
 * after the last rowid copied; WITHOUT ROWID tables: after the rows copied
 * in primary-key order). The progress table names the source by a
 * fingerprint (every table's row count and the audit head): a target
 * that is neither empty nor a partial copy of the same, unchanged source
 * is refused with nothing changed.
 */
#ifndef UNGCUU_STORE_COPY_H
#define UNGCUU_STORE_COPY_H

#include "../base/err.h"

enum { COPY_PHASE_TABLE = 0, COPY_PHASE_BATCH = 1, COPY_PHASE_CHECK = 2 };

struct store_copy_opts {
	const char *from;   /* SQLite file */
	const char *to;     /* postgres://... */
	long batch;         /* rows per committed batch (0: the default) */
	/* Progress: a table begins (done = rows already there), a batch
	 * committed, the counts checked. */
	void (*progress)(void *arg, int phase, const char *table, long long done,
			 long long total);
	void *arg;
};

struct store_copy_result {
	int resumed;        /* a partial copy of this source was taken up again */
	int tables;
	long long rows;     /* rows in the target's copied tables at the end */
};

/* Copies (or finishes copying) and checks every table's row count. The
 * target's audit key file is made from the source's before anything is
 * written. 0, or -1 with e filled (the target as the last batch left it). */
int store_copy_sqlite_to_pg(const struct store_copy_opts *o, struct store_copy_result *r,
			    struct err *e);
/* The copy is complete and checked: its progress table goes. */
int store_copy_finish(const char *to, struct err *e);

#endif
