/*
 * store_sqlite.c - the SQLite backend: WAL, synchronous=FULL (an answered
 * report survives a power cut), a busy timeout for the single writer, and a
 * per-connection cache of prepared statements keyed by SQL text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"
#include "../base/msg.h"
#include "../base/banned.h"

#define CACHE_SLOTS 256   /* distinct SQL texts kept prepared; more are not cached */
#define BUSY_TIMEOUT_MS 10000

struct stmt {
	struct store *s;
	sqlite3_stmt *st;
	char *sql;
	unsigned hash;
	int cached, busy;
};

struct store {
	struct store_base base;
	sqlite3 *db;
	struct stmt *cache[CACHE_SLOTS];
};

static int db_err(struct store *s, struct err *e)
{
	int code = sqlite3_extended_errcode(s->db);
	if ((code & 0xff) == SQLITE_CONSTRAINT)
		return err_set(e, E_CONFLICT, MSG_EXISTS, sqlite3_errmsg(s->db));
	return err_set(e, E_DB, MSG_DB, sqlite3_errmsg(s->db));
}

static struct store *sq_open(const char *path, struct err *e)
{
	struct store *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		return NULL;
	}
	s->base.ops = &store_sqlite_ops;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		err_set(e, E_DB, MSG_DB, s->db ? sqlite3_errmsg(s->db) : path);
		sqlite3_close(s->db);
		free(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(s->db, 1);
	if (store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
		       "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;", e) != 0) {
		store_close(s);
		return NULL;
	}
	return s;
}

static void stmt_free(struct stmt *st)
{
	sqlite3_finalize(st->st);
	free(st->sql);
	free(st);
}

static void sq_close(struct store *s)
{
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (s->cache[i])
			stmt_free(s->cache[i]);
	sqlite3_close(s->db);
	free(s);
}

static int sq_exec(struct store *s, const char *sql, struct err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, E_DB, MSG_DB, msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static unsigned fnv(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct stmt *sq_prepare(struct store *s, const char *sql, struct err *e)
{
	unsigned h = fnv(sql);
	int free_slot = -1;
	for (int i = 0; i < CACHE_SLOTS; i++) {
		int slot = (int)((h + (unsigned)i) % CACHE_SLOTS);
		struct stmt *c = s->cache[slot];
		if (c == NULL) {
			free_slot = slot;
			break;
		}
		if (c->hash == h && !c->busy && strcmp(c->sql, sql) == 0) {
			c->busy = 1;
			return c;
		}
	}
	struct stmt *st = calloc(1, sizeof(*st));
	if (st == NULL) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		return NULL;
	}
	st->s = s;
	st->hash = h;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->st,
			       NULL) != SQLITE_OK) {
		db_err(s, e);
		free(st);
		return NULL;
	}
	st->sql = strdup(sql);
	st->busy = 1;
	if (free_slot >= 0 && st->sql) {
		st->cached = 1;
		s->cache[free_slot] = st;
	}
	return st;
}

static int sq_bind(struct stmt *st, const char *fmt, va_list ap, struct err *e)
{
	char name[16];
	for (int i = 0; fmt[i]; i++) {
		snprintf(name, sizeof(name), "$%d", i + 1);
		int idx = sqlite3_bind_parameter_index(st->st, name);
		int rc = SQLITE_OK;
		switch (fmt[i]) {
		case 't': {
			const char *v = va_arg(ap, const char *);
			if (idx == 0)
				break;
			rc = v ? sqlite3_bind_text(st->st, idx, v, -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st->st, idx);
			break;
		}
		case 'i': {
			int64_t v = va_arg(ap, int64_t);
			if (idx)
				rc = sqlite3_bind_int64(st->st, idx, v);
			break;
		}
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);
			if (idx)
				rc = sqlite3_bind_blob64(st->st, idx, p, n, SQLITE_TRANSIENT);
			break;
		}
		case 'n':
			if (idx)
				rc = sqlite3_bind_null(st->st, idx);
			break;
		default:
			return err_set(e, E_INTERNAL, MSG_DB, "bad bind format");
		}
		if (rc != SQLITE_OK)
			return db_err(st->s, e);
	}
	return 0;
}

static int sq_step(struct stmt *st, struct err *e)
{
	int rc = sqlite3_step(st->st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_err(st->s, e);
}

static const char *sq_text(struct stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st->st, col);
}

static int64_t sq_int(struct stmt *st, int col)
{
	return sqlite3_column_int64(st->st, col);
}

static const void *sq_blob(struct stmt *st, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(st->st, col);
	*len = (size_t)sqlite3_column_bytes(st->st, col);
	return p;
}

static int sq_isnull(struct stmt *st, int col)
{
	return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

static void sq_done(struct stmt *st)
{
	if (!st->cached) {
		stmt_free(st);
		return;
	}
	sqlite3_reset(st->st);
	sqlite3_clear_bindings(st->st);
	st->busy = 0;
}

static int sq_changes(struct store *s)
{
	return sqlite3_changes(s->db);
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.bind = sq_bind,
	.step = sq_step,
	.text = sq_text,
	.integer = sq_int,
	.blob = sq_blob,
	.isnull = sq_isnull,
	.done = sq_done,
	.changes = sq_changes,
};
