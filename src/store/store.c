/* store.c - dispatch to the backend, transactions and migrations. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/banned.h"

/* Each backend's stmt starts with a pointer back to its store. */
struct stmt_head {
	struct store *s;
};

static const struct store_ops *ops(struct store *s)
{
	return ((struct store_base *)s)->ops;
}

/* Set once at startup (the audit log attaches itself to every connection). */
static int (*open_hook)(struct store *s, const char *location, struct err *e);

void store_set_open_hook(int (*fn)(struct store *s, const char *location, struct err *e))
{
	open_hook = fn;
}

int store_is_pg(const char *location)
{
	return strncmp(location, "postgres://", 11) == 0 ||
	       strncmp(location, "postgresql://", 13) == 0;
}

int store_side_path(const char *location, const char *suffix, char *out, size_t n)
{
	if (!store_is_pg(location))
		return snprintf(out, n, "%s%s", location, suffix) < (int)n ? 0 : -1;
	/* postgres://[user[:password]@]host[:port]/dbname[?...] -> host_port_dbname:
	 * the same file for every node and user of one database. */
	const char *p = strstr(location, "://") + 3, *at = strchr(p, '@'), *q = strchr(p, '?');
	if (at && (q == NULL || at < q))
		p = at + 1;
	const char *dir = getenv("UNGCUU_STATE_DIR");
	int k = snprintf(out, n, "%s/pg-", dir && *dir ? dir : "var");
	if (k < 0 || (size_t)k >= n)
		return -1;
	size_t i = (size_t)k;
	for (; *p && *p != '?' && i + 1 < n; p++)
		out[i++] = (isalnum((unsigned char)*p) || *p == '.' || *p == '-') ? *p : '_';
	out[i] = '\0';
	return snprintf(out + i, n - i, "%s", suffix) < (int)(n - i) ? 0 : -1;
}

struct store *store_open(const char *location, struct err *e)
{
	struct store *s = store_is_pg(location) ? store_pg_ops.open(location, e)
						: store_sqlite_ops.open(location, e);
	if (s && (((struct store_base *)s)->location = strdup(location)) == NULL) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		store_close(s);
		return NULL;
	}
	if (s && open_hook && open_hook(s, location, e) != 0) {
		store_close(s);
		return NULL;
	}
	return s;
}

static void changes_clear(struct store_base *b)
{
	store_changes_free(b->changes, b->nchanges);
	b->changes = NULL;
	b->nchanges = b->capchanges = 0;
	b->change_oom = 0;
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	struct store_base *b = (struct store_base *)s;
	if (b->hooks.release)
		b->hooks.release(b->hooks.arg);
	changes_clear(b);
	free(b->location);
	ops(s)->close(s);
}

const char *store_location(struct store *s)
{
	return ((struct store_base *)s)->location;
}

int store_change_add(struct store_base *b, int table, char *k0, char *k1, uint64_t changed)
{
	if (b->nchanges == b->capchanges) {
		size_t cap = b->capchanges ? b->capchanges * 2 : 16;
		struct store_change *n = realloc(b->changes, cap * sizeof(*n));
		if (n == NULL) {
			free(k0);
			free(k1);
			b->change_oom = 1;
			return -1;
		}
		b->changes = n;
		b->capchanges = cap;
	}
	b->changes[b->nchanges++] = (struct store_change){ table, { k0, k1 }, changed };
	return 0;
}

int store_watch(struct store *s, const char *table, int nkey, struct err *e)
{
	if (ops(s)->watch == NULL)
		return err_set(e, E_INTERNAL, MSG_DB, "change capture not supported");
	return ops(s)->watch(s, table, nkey, e);
}

size_t store_changes_take(struct store *s, struct store_change **out)
{
	struct store_base *b = (struct store_base *)s;
	if (ops(s)->collect)
		ops(s)->collect(s);
	size_t n = b->nchanges;
	*out = b->changes;
	b->changes = NULL;
	b->nchanges = b->capchanges = 0;
	return n;
}

void store_changes_free(struct store_change *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].key[0]);
		free(c[i].key[1]);
	}
	free(c);
}

void store_set_hooks(struct store *s, const struct store_hooks *h)
{
	struct store_base *b = (struct store_base *)s;
	if (b->hooks.release)
		b->hooks.release(b->hooks.arg);
	b->hooks = *h;
}

void *store_hooks_arg(struct store *s)
{
	return ((struct store_base *)s)->hooks.arg;
}

int store_backup(struct store *s, const char *dest, struct err *e)
{
	if (ops(s)->backup == NULL)
		return err_set(e, E_INTERNAL, MSG_DB, "backup not supported here (PostgreSQL: pg_dump or pg_basebackup)");
	return ops(s)->backup(s, dest, e);
}

/*
 * A write outside a transaction (autocommit) to a watched table has
 * committed already: hand its changes to the commit hook in a transaction
 * of their own, at once, so they are never left for another writer.
 */
static void seal_autocommit(struct store *s)
{
	struct store_base *b = (struct store_base *)s;
	struct err e = { 0 };
	if (b->in_tx || b->hooks.before_commit == NULL)
		return;
	if (ops(s)->collect)
		ops(s)->collect(s);
	if (b->nchanges == 0)
		return;
	if (store_begin(s, &e) == 0)
		store_commit(s, &e);
}

int store_exec(struct store *s, const char *sql, struct err *e)
{
	int rc = ops(s)->exec(s, sql, e);
	seal_autocommit(s);
	return rc;
}

static struct stmt *vquery(struct store *s, struct err *e, const char *sql,
			   const char *fmt, va_list ap)
{
	struct stmt *st = ops(s)->prepare(s, sql, e);
	if (st == NULL)
		return NULL;
	if (fmt && *fmt && ops(s)->bind(st, fmt, ap, e) != 0) {
		ops(s)->done(st);
		return NULL;
	}
	return st;
}

struct stmt *store_query(struct store *s, struct err *e, const char *sql,
			 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct stmt *st = vquery(s, e, sql, fmt, ap);
	va_end(ap);
	return st;
}

int store_run(struct store *s, struct err *e, const char *sql, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct stmt *st = vquery(s, e, sql, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	stmt_done(st);
	if (rc < 0) {
		seal_autocommit(s);
		return -1;
	}
	int n = ops(s)->changes(s);
	seal_autocommit(s);
	return n;
}

int stmt_step(struct stmt *st, struct err *e)
{
	return ops(((struct stmt_head *)st)->s)->step(st, e);
}

const char *stmt_text(struct stmt *st, int col)
{
	return ops(((struct stmt_head *)st)->s)->text(st, col);
}

int64_t stmt_int(struct stmt *st, int col)
{
	return ops(((struct stmt_head *)st)->s)->integer(st, col);
}

const void *stmt_blob(struct stmt *st, int col, size_t *len)
{
	return ops(((struct stmt_head *)st)->s)->blob(st, col, len);
}

int stmt_isnull(struct stmt *st, int col)
{
	return ops(((struct stmt_head *)st)->s)->isnull(st, col);
}

void stmt_done(struct stmt *st)
{
	if (st)
		ops(((struct stmt_head *)st)->s)->done(st);
}

/* The in-process writers' queue (serial_writes backends). */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

enum { TX_NONE, TX_WRITE, TX_READ };

int store_begin(struct store *s, struct err *e)
{
	struct store_base *b = (struct store_base *)s;
	if (b->in_tx)
		return err_set(e, E_INTERNAL, MSG_DB, "nested transaction");
	if (ops(s)->serial_writes)
		pthread_mutex_lock(&write_lock);
	if (ops(s)->exec(s, "BEGIN IMMEDIATE", e) != 0) {
		if (ops(s)->serial_writes)
			pthread_mutex_unlock(&write_lock);
		return -1;
	}
	b->in_tx = TX_WRITE;
	if (b->fence > 0) {
		int64_t now = -1;
		struct stmt *st = store_query(s, e, "SELECT epoch FROM leadership WHERE id = 1", "");
		if (st == NULL) {
			store_rollback(s);
			return -1;
		}
		int rc = stmt_step(st, e);
		if (rc == 1)
			now = stmt_int(st, 0);
		stmt_done(st);
		if (rc < 0) {
			store_rollback(s);
			return -1;
		}
		if (now != b->fence) {
			char both[64];
			snprintf(both, sizeof(both), "%lld/%lld", (long long)b->fence, (long long)now);
			store_rollback(s);
			return err_set(e, E_CONFLICT, MSG_LEADER_DEPOSED, both);
		}
	}
	return 0;
}

void store_fence(struct store *s, int64_t epoch)
{
	((struct store_base *)s)->fence = epoch;
}

static void tx_end(struct store *s)
{
	struct store_base *b = (struct store_base *)s;
	if (b->in_tx == TX_WRITE && ops(s)->serial_writes)
		pthread_mutex_unlock(&write_lock);
	b->in_tx = TX_NONE;
}

int store_commit(struct store *s, struct err *e)
{
	struct store_base *b = (struct store_base *)s;
	if (b->in_tx == TX_WRITE && ops(s)->collect)
		ops(s)->collect(s);
	if (b->in_tx == TX_WRITE && b->change_oom) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		store_rollback(s);
		return -1;
	}
	if (b->in_tx == TX_WRITE && b->hooks.before_commit &&
	    b->hooks.before_commit(s, b->hooks.arg, e) != 0) {
		store_rollback(s);
		return -1;
	}
	if (ops(s)->exec(s, "COMMIT", e) != 0) {
		store_rollback(s);
		return -1;
	}
	if (b->in_tx == TX_WRITE && b->hooks.after_commit)
		b->hooks.after_commit(s, b->hooks.arg);
	tx_end(s);
	b->commits++;
	return 0;
}

int store_read_begin(struct store *s, struct err *e)
{
	struct store_base *b = (struct store_base *)s;
	if (b->in_tx)
		return err_set(e, E_INTERNAL, MSG_DB, "nested transaction");
	if (ops(s)->exec(s, "BEGIN", e) != 0)
		return -1;
	b->in_tx = TX_READ;
	return 0;
}

void store_read_end(struct store *s)
{
	struct store_base *b = (struct store_base *)s;
	struct err ignore = { 0 };
	if (b->in_tx == TX_READ) {
		ops(s)->exec(s, "COMMIT", &ignore);
		b->in_tx = TX_NONE;
	}
}

int64_t store_stamp(struct store *s)
{
	return ops(s)->stamp ? ops(s)->stamp(s) : -1;
}

void store_rollback(struct store *s)
{
	struct store_base *b = (struct store_base *)s;
	struct err ignore = { 0 };
	if (b->in_tx)
		ops(s)->exec(s, "ROLLBACK", &ignore);
	changes_clear(b);
	tx_end(s);
}

int store_ping(struct store *s, struct err *e)
{
	struct stmt *st = store_query(s, e, "SELECT 1", "");
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	stmt_done(st);
	return rc == 1 ? 0 : -1;
}

const char *store_backend(struct store *s)
{
	return ops(s)->name;
}

int store_schema_version(struct store *s)
{
	struct err e = { 0 };
	int v = 0;
	struct stmt *st = store_query(s, &e,
		"SELECT COALESCE(MAX(version), 0) FROM schema_migrations", "");
	if (st == NULL)
		return 0; /* no table yet: empty database */
	if (stmt_step(st, &e) == 1)
		v = (int)stmt_int(st, 0);
	stmt_done(st);
	return v;
}

int store_migrations_latest(void)
{
	return store_migrations_count ? store_migrations[store_migrations_count - 1].version : 0;
}

/*
 * Every pending migration in ONE transaction: a failure at any of them
 * leaves the database exactly as it was (the schema version too), so an
 * upgrade that fails keeps the old version's data usable. The error names
 * the migration that failed.
 */
int store_migrate(struct store *s, struct err *e)
{
	if (store_exec(s, "CREATE TABLE IF NOT EXISTS schema_migrations ("
		       "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
		       "applied_at BIGINT NOT NULL)", e) != 0)
		return -1;
	int have = store_schema_version(s), applied = 0;
	if (have >= store_migrations_latest())
		return 0;
	if (store_begin(s, e) != 0)
		return -1;
	/* Another process may have migrated while this one waited. */
	have = store_schema_version(s);
	if (ops(s)->prelude && have < store_migrations_latest() &&
	    ops(s)->exec(s, ops(s)->prelude, e) != 0) {
		store_rollback(s);
		return -1;
	}
	for (size_t i = 0; i < store_migrations_count; i++) {
		const struct migration *m = &store_migrations[i];
		if (m->version <= have)
			continue;
		/* The backend's own variant of this migration, when it has one. */
		const char *sql = m->sql;
		for (size_t j = 0; ops(s)->migrations && j < *ops(s)->nmigrations; j++)
			if (ops(s)->migrations[j].version == m->version)
				sql = ops(s)->migrations[j].sql;
		if (store_exec(s, sql, e) != 0 ||
		    store_run(s, e, "INSERT INTO schema_migrations (version, name, applied_at) "
			      "VALUES ($1, $2, $3)", "iti", (int64_t)m->version, m->name,
			      time_now_ms()) < 0) {
			char detail[sizeof(e->arg)];
			memcpy(detail, e->arg, sizeof(detail));
			int k = snprintf(e->arg, sizeof(e->arg), "%.60s: ", m->name);
			size_t dl = strnlen(detail, sizeof(e->arg) - (size_t)k - 1);
			memcpy(e->arg + k, detail, dl);
			e->arg[(size_t)k + dl] = '\0';
			store_rollback(s);
			return -1;
		}
		applied++;
	}
	if (ops(s)->after_migrate && ops(s)->after_migrate(s, e) != 0) {
		store_rollback(s);
		return -1;
	}
	if (store_commit(s, e) != 0)
		return -1;
	return applied;
}
