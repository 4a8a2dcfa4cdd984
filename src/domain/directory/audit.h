/*
 * audit.h - the append-only audit log (table audit_log), which proves the
 * state of the database and not only itself:
 *  - every write to an audited table (audit.c lists them) is captured on the
 *    connection (store_watch) and sealed into the log in the same
 *    transaction: each entry carries the after-image of the rows its
 *    transaction wrote (column "rows"), so replaying the log gives what every
 *    audited row must be now;
 *  - the chain is keyed: each entry's hash is an HMAC-SHA-256 over all its
 *    fields and the previous hash, with a key derived from the instance's
 *    Ed25519 secret key in <db>.key (0600, never in the database);
 *  - the head is anchored outside the database: after each commit that
 *    added entries, <db>.checkpoint holds the count and the head hash signed
 *    with the instance key, so cutting the newest entries and moving
 *    meta.audit_head back shows. It never moves back, and once removed it
 *    is not made again by a writer (audit_checkpoint_write is the explicit
 *    way, `admin audit-verify --anchor`). (Sending checkpoints up to the parent
 *    instance is for federation, which does not exist yet.)
 * Entries written before migration 005 (v = 1) are plain SHA-256; the first
 * keyed entry links to them, and a database that had rows then gets one
 * "audit.baseline" entry with every audited row as it stood.
 */
#ifndef UNGCUU_AUDIT_H
#define UNGCUU_AUDIT_H

#include "../domain.h"

/*
 * From now on every connection this process opens (store_open) is attached
 * to the audit log with the key of <location>.key; an open fails when the
 * key is missing. test_sk_hex: a fixed key (128 hex chars) for tests, used
 * for every database. Call once at startup; later calls change nothing.
 */
void audit_setup(const char *test_sk_hex);
/* The instance's Ed25519 secret key (hex, seed || public key) this
 * connection was attached with, for federation's signatures (sync/); the
 * caller wipes it (sodium_memzero). -1 when the connection has no key. */
int audit_instance_key(struct store *s, char sk_hex[129]);
/* The key file and checkpoint file of a database (buffers of 4096). */
int audit_key_path(const char *db, char *out, size_t n);
int audit_checkpoint_path(const char *db, char *out, size_t n);

/* Appends one entry; must run inside the caller's write transaction.
 * before/after are JSON texts or NULL. The entry also seals the rows the
 * transaction wrote so far; rows written after it are sealed at commit. */
int audit_append(struct ctx *c, const char *action, const char *entity,
		 const char *entity_id, const char *before, const char *after,
		 struct err *e);
/* Same with JSON documents (not stolen). */
int audit_append_json(struct ctx *c, const char *action, const char *entity,
		      const char *entity_id, const json_t *before,
		      const json_t *after, struct err *e);

struct audit_result {
	long long entries;
	long long first_bad;   /* seq of the first broken entry, 0 if the chain is intact */
	char why[160];         /* the first problem, in English */
	long long rows;        /* rows of audited tables compared with the log */
	long long problems;    /* every problem found: chain, checkpoint, rows */
	json_t *report;        /* [{kind, table, id, field, seq, detail}], at most
				  AUDIT_REPORT_MAX; free with audit_result_release */
	long long checkpoint;  /* the entry count the signed checkpoint vouches for */
};
#define AUDIT_REPORT_MAX 1000

/*
 * Checks the chain (keys, order, links), the signed checkpoint and that
 * every row of every audited table is what the log says it became; names
 * each table, id and field that differ, rows present without an entry and
 * rows deleted outside the log. 0 when it could check (r tells what it
 * found), -1 when it could not (no key on this connection, storage error).
 * audit_verify_against checks the log against another checkpoint file (a
 * backup against the live database's, read before the copy began).
 */
int audit_verify(struct store *db, struct audit_result *r, struct err *e);
int audit_verify_against(struct store *db, const char *checkpoint_file,
			 struct audit_result *r, struct err *e);
void audit_result_release(struct audit_result *r);

/* Writes the signed checkpoint of db's log as it is now to path. */
int audit_checkpoint_write(struct store *db, const char *path, struct err *e);

#endif
