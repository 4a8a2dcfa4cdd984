/*
 * store_copy.c - a SQLite instance into PostgreSQL (see store_copy.h).
 *
 * The source is read with sqlite3 directly (read-only, one read transaction:
 * one snapshot), the target written with libpq's COPY in text format: the
 * fastest way in, and every value is escaped here, never put into SQL.
 * Identifiers (table and column names) come from the two catalogues and
 * are quoted with PQescapeIdentifier; every value in a statement is a $n.
 *
 * What is not copied: schema_migrations (the target's own migrations made
 * the same schema), and what the target's triggers derive from the copied
 * rows as they arrive (incident_fts, the search documents; incident_counts,
 * the dashboard counts). A column the target generates (incident_fts.doc)
 * or has alone (incidents.rowid, PostgreSQL's stand-in for SQLite's) takes
 * its default. A foreign key from a table to itself (orgs.parent_id,
 * incidents.duplicate_of) is copied as NULL and set once every row of the
 * table is there, so no order of rows can break it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "store_copy.h"
#include "store_int.h"
#include "../base/crypto.h"
#include "../base/msg.h"
#include "../base/banned.h"

#define STATE_TABLE "ungcuu_migrate_copy"
#define MAX_TABLES 256
#define MAX_COLS 96
#define DEFAULT_BATCH 5000
#define BATCH_BYTES (8 << 20)

enum { T_TEXT, T_INT, T_FLOAT, T_BYTEA, T_BOOL };

struct col {
	char *name;
	int type;
	int selfref;        /* a foreign key to its own table: set after the rows */
};

struct table {
	char *name;
	struct col cols[MAX_COLS];
	int ncols;
	int pk[8], npk;     /* indexes into cols of the target's primary key */
	int has_selfref;
	int rowid;          /* the source table has a rowid */
	char *src_order;    /* WITHOUT ROWID: ORDER BY of its primary key */
	int nrefs;
	int refs[MAX_TABLES];   /* tables this one references */
	int placed;
};

struct copy {
	const struct store_copy_opts *o;
	sqlite3 *src;
	PGconn *pg;
	struct table t[MAX_TABLES];
	int nt;
	int order[MAX_TABLES];
	long batch;
	struct err *e;
};

/* Tables made from the copied ones by the target's triggers, and the
 * schema's own bookkeeping. */
static int skipped(const char *name)
{
	static const char *const skip[] = { "schema_migrations", "incident_fts", "incident_counts",
					    STATE_TABLE };
	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(name, skip[i]) == 0)
			return 1;
	return 0;
}

static int fail(struct copy *c, int msg, const char *what)
{
	return err_set(c->e, E_DB, msg, what);
}

/* A PostgreSQL error, with what it was about, into e. */
static int pg_fail(struct copy *c, const char *what, PGresult *r)
{
	char arg[160];
	const char *m = r ? PQresultErrorMessage(r) : PQerrorMessage(c->pg);
	if (m == NULL || *m == '\0')
		m = PQerrorMessage(c->pg);
	snprintf(arg, sizeof(arg), "%s: %.*s", what, (int)strcspn(m, "\n"), m);
	if (r)
		PQclear(r);
	return err_set(c->e, E_DB, MSG_DB, arg);
}

static int pg_ok(struct copy *c, PGresult *r, const char *what)
{
	ExecStatusType st = PQresultStatus(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return pg_fail(c, what, r);
	PQclear(r);
	return 0;
}

static int pg_cmd(struct copy *c, const char *sql)
{
	return pg_ok(c, PQexec(c->pg, sql), sql);
}

/* A write of the copy's state table with n text parameters. */
static int pg_state(struct copy *c, const char *sql, int n, const char *const *v)
{
	return pg_ok(c, PQexecParams(c->pg, sql, n, NULL, v, NULL, NULL, 0), "state");
}

static PGresult *pg_rows(struct copy *c, const char *sql, int n, const char *const *v)
{
	PGresult *r = PQexecParams(c->pg, sql, n, NULL, v, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		pg_fail(c, sql, r);
		return NULL;
	}
	return r;
}

static char *quote_ident(struct copy *c, const char *name)
{
	char *q = PQescapeIdentifier(c->pg, name, strlen(name));
	if (q == NULL)
		err_set(c->e, E_NOMEM, MSG_INTERNAL, NULL);
	return q;
}

static long long src_count(struct copy *c, const char *table)
{
	char sql[300];
	long long n = -1;
	sqlite3_stmt *st;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM \"%s\"", table);
	if (sqlite3_prepare_v2(c->src, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static long long pg_count(struct copy *c, const char *table)
{
	char *q = quote_ident(c, table), sql[300];
	if (q == NULL)
		return -1;
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", q);
	PQfreemem(q);
	PGresult *r = pg_rows(c, sql, 0, NULL);
	if (r == NULL)
		return -1;
	long long n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return n;
}

/* ---- the source ---- */

static int src_open(struct copy *c)
{
	struct stat sb;
	if (stat(c->o->from, &sb) != 0 || !S_ISREG(sb.st_mode))
		return err_set(c->e, E_IO, MSG_IO, c->o->from);
	if (sqlite3_open_v2(c->o->from, &c->src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return err_set(c->e, E_IO, MSG_IO, c->o->from);
	sqlite3_busy_timeout(c->src, 5000);
	sqlite3_stmt *st;
	int v = -1;
	if (sqlite3_exec(c->src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c->src, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", -1,
			       &st, NULL) != SQLITE_OK)
		return err_set(c->e, E_INVALID, MSG_MIGRATE_NOT_INSTANCE, c->o->from);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (v != store_migrations_latest())
		return err_set(c->e, E_CONFLICT, MSG_MIGRATE_SOURCE_VERSION, c->o->from);
	return 0;
}

/* Every table's name and row count, and the audit head: a source that
 * changed in any way that adds, removes or audits rows. */
static int src_fingerprint(struct copy *c, char out[SHA256_HEX_LEN])
{
	struct sha256_ctx *h = sha256_begin();
	sqlite3_stmt *st;
	if (h == NULL)
		return err_set(c->e, E_NOMEM, MSG_INTERNAL, NULL);
	if (sqlite3_prepare_v2(c->src, "SELECT name FROM sqlite_master WHERE type = 'table' "
			       "ORDER BY name", -1, &st, NULL) != SQLITE_OK) {
		sha256_end(h, out);
		return fail(c, MSG_DB, sqlite3_errmsg(c->src));
	}
	char line[400];
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		int n = snprintf(line, sizeof(line), "%s=%lld\n", name, src_count(c, name));
		sha256_update(h, line, (size_t)n);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(c->src, "SELECT value FROM meta WHERE key = 'audit_head'", -1, &st,
			       NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			sha256_update(h, sqlite3_column_text(st, 0),
				      (size_t)sqlite3_column_bytes(st, 0));
		sqlite3_finalize(st);
	}
	sha256_end(h, out);
	return 0;
}

static int src_has_table(struct copy *c, const char *name)
{
	sqlite3_stmt *st;
	int has = 0;
	if (sqlite3_prepare_v2(c->src, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
			       "name = $1", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	has = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return has;
}

/* ---- the target's schema: tables, columns, order ---- */

static int type_of(const char *t)
{
	if (strcmp(t, "bigint") == 0 || strcmp(t, "integer") == 0 || strcmp(t, "smallint") == 0)
		return T_INT;
	if (strcmp(t, "double precision") == 0 || strcmp(t, "real") == 0 ||
	    strncmp(t, "numeric", 7) == 0)
		return T_FLOAT;
	if (strcmp(t, "bytea") == 0)
		return T_BYTEA;
	if (strcmp(t, "boolean") == 0)
		return T_BOOL;
	return T_TEXT;
}

static int find_table(struct copy *c, const char *name)
{
	for (int i = 0; i < c->nt; i++)
		if (strcmp(c->t[i].name, name) == 0)
			return i;
	return -1;
}

/* The columns of the source table (PRAGMA table_info): whether name is one. */
static int src_has_col(struct copy *c, const char *table, const char *col)
{
	sqlite3_stmt *st;
	int has = 0;
	if (sqlite3_prepare_v2(c->src, "SELECT 1 FROM pragma_table_info($1) WHERE name = $2", -1,
			       &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
	has = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return has;
}

static int load_schema(struct copy *c)
{
	PGresult *r = pg_rows(c, "SELECT tablename::text FROM pg_tables WHERE schemaname = "
			      "current_schema() ORDER BY 1", 0, NULL);
	if (r == NULL)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *name = PQgetvalue(r, i, 0);
		if (skipped(name))
			continue;
		/* names go between double quotes in the source's SQL */
		if (strchr(name, '"') || !src_has_table(c, name) || c->nt == MAX_TABLES) {
			PQclear(r);
			return fail(c, MSG_MIGRATE_SCHEMA, name);
		}
		if ((c->t[c->nt++].name = strdup(name)) == NULL) {
			PQclear(r);
			return err_set(c->e, E_NOMEM, MSG_INTERNAL, NULL);
		}
	}
	PQclear(r);
	/* Columns the target stores (not generated), in its order, that the
	 * source has too; and which are the primary key. */
	for (int i = 0; i < c->nt; i++) {
		struct table *t = &c->t[i];
		const char *v[1] = { t->name };
		r = pg_rows(c, "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), "
			    "COALESCE(a.attnum = ANY(i.indkey::int2[]), false)::int, "
			    "COALESCE(array_position(i.indkey::int2[], a.attnum), 0) "
			    "FROM pg_attribute a JOIN pg_class k ON k.oid = a.attrelid "
			    "LEFT JOIN pg_index i ON i.indrelid = k.oid AND i.indisprimary "
			    "WHERE k.relname = $1 AND k.relnamespace = current_schema()::regnamespace "
			    "AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' "
			    "ORDER BY a.attnum", 1, v);
		if (r == NULL)
			return -1;
		int pkpos[8] = { 0 };
		for (int k = 0; k < PQntuples(r); k++) {
			const char *col = PQgetvalue(r, k, 0);
			if (!src_has_col(c, t->name, col))
				continue;
			if (t->ncols == MAX_COLS) {
				PQclear(r);
				return fail(c, MSG_MIGRATE_SCHEMA, t->name);
			}
			struct col *cl = &t->cols[t->ncols];
			if (strchr(col, '"') || (cl->name = strdup(col)) == NULL) {
				PQclear(r);
				return fail(c, MSG_MIGRATE_SCHEMA, t->name);
			}
			cl->type = type_of(PQgetvalue(r, k, 1));
			if (atoi(PQgetvalue(r, k, 2)) && t->npk < 8) {
				pkpos[t->npk] = atoi(PQgetvalue(r, k, 3));
				t->pk[t->npk++] = t->ncols;
			}
			t->ncols++;
		}
		PQclear(r);
		/* primary key columns in the key's order */
		for (int a = 0; a < t->npk; a++)
			for (int b = a + 1; b < t->npk; b++)
				if (pkpos[b] < pkpos[a]) {
					int x = pkpos[a], y = t->pk[a];
					pkpos[a] = pkpos[b], t->pk[a] = t->pk[b];
					pkpos[b] = x, t->pk[b] = y;
				}
		if (t->ncols == 0)
			return fail(c, MSG_MIGRATE_SCHEMA, t->name);
		/* rowid, or the primary key's order */
		char sql[300];
		sqlite3_stmt *st;
		snprintf(sql, sizeof(sql), "SELECT rowid FROM \"%s\" LIMIT 0", t->name);
		t->rowid = sqlite3_prepare_v2(c->src, sql, -1, &st, NULL) == SQLITE_OK;
		sqlite3_finalize(st);
		if (!t->rowid) {
			if (t->npk == 0)
				return fail(c, MSG_MIGRATE_SCHEMA, t->name);
			size_t cap = 64;
			for (int k = 0; k < t->npk; k++)
				cap += strlen(t->cols[t->pk[k]].name) + 4;
			t->src_order = calloc(1, cap);
			if (t->src_order == NULL)
				return err_set(c->e, E_NOMEM, MSG_INTERNAL, NULL);
			size_t at = 0;
			for (int k = 0; k < t->npk; k++)
				at += (size_t)snprintf(t->src_order + at, cap - at, "%s\"%s\"",
						       k ? ", " : "", t->cols[t->pk[k]].name);
		}
	}
	/* Foreign keys: the order of tables, and the columns that point into
	 * their own table. */
	r = pg_rows(c, "SELECT a.relname::text, b.relname::text, "
		    "(SELECT string_agg(x.attname::text, ',') FROM pg_attribute x "
		    " WHERE x.attrelid = k.conrelid AND x.attnum = ANY(k.conkey)) "
		    "FROM pg_constraint k JOIN pg_class a ON a.oid = k.conrelid "
		    "JOIN pg_class b ON b.oid = k.confrelid WHERE k.contype = 'f' "
		    "AND k.connamespace = current_schema()::regnamespace", 0, NULL);
	if (r == NULL)
		return -1;
	for (int k = 0; k < PQntuples(r); k++) {
		int from = find_table(c, PQgetvalue(r, k, 0)), to = find_table(c, PQgetvalue(r, k, 1));
		if (from < 0 || to < 0)
			continue;
		struct table *t = &c->t[from];
		if (from == to) {
			const char *cols = PQgetvalue(r, k, 2);
			if (t->npk != 1) {   /* set again by the key: one column */
				PQclear(r);
				return fail(c, MSG_MIGRATE_SCHEMA, t->name);
			}
			for (int j = 0; j < t->ncols; j++)
				if (strcmp(t->cols[j].name, cols) == 0 && j != t->pk[0]) {
					t->cols[j].selfref = 1;
					t->has_selfref = 1;
				}
			continue;
		}
		int seen = 0;
		for (int j = 0; j < t->nrefs; j++)
			seen |= t->refs[j] == to;
		if (!seen)
			t->refs[t->nrefs++] = to;
	}
	PQclear(r);
	/* Dependency order: a table after every table it references (names
	 * in order among those ready). */
	for (int n = 0; n < c->nt; n++) {
		int pick = -1;
		for (int i = 0; i < c->nt && pick < 0; i++) {
			if (c->t[i].placed)
				continue;
			int ready = 1;
			for (int j = 0; j < c->t[i].nrefs; j++)
				ready &= c->t[c->t[i].refs[j]].placed;
			if (ready)
				pick = i;
		}
		if (pick < 0) {
			for (int i = 0; i < c->nt; i++)
				if (!c->t[i].placed)
					return fail(c, MSG_MIGRATE_SCHEMA, c->t[i].name);
		}
		c->t[pick].placed = 1;
		c->order[n] = pick;
	}
	return 0;
}

/* ---- the target's state ---- */

/* 0 a fresh target (made ours), 1 a partial copy of this source, -1 refused. */
static int claim_target(struct copy *c, const char *fp)
{
	PGresult *r = pg_rows(c, "SELECT to_regclass('" STATE_TABLE "') IS NOT NULL, "
			      "(SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() "
			      "AND tablename <> '" STATE_TABLE "')", 0, NULL);
	if (r == NULL)
		return -1;
	int has_state = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	long long others = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	PQclear(r);
	if (has_state) {
		const char *v[1] = { fp };
		r = pg_rows(c, "SELECT 1 FROM " STATE_TABLE " WHERE tbl = '' AND state = $1", 1, v);
		if (r == NULL)
			return -1;
		int same = PQntuples(r) == 1;
		PQclear(r);
		if (!same)
			return err_set(c->e, E_CONFLICT, MSG_MIGRATE_OTHER_SOURCE, c->o->to);
		return 1;
	}
	if (others > 0)
		return err_set(c->e, E_CONFLICT, MSG_MIGRATE_TARGET_NOT_EMPTY, c->o->to);
	return 0;
}

static int create_state(struct copy *c, const char *fp)
{
	const char *v[1] = { fp };
	if (pg_cmd(c, "BEGIN") != 0)
		return -1;
	if (pg_cmd(c, "CREATE TABLE " STATE_TABLE " (tbl TEXT PRIMARY KEY, state TEXT NOT NULL, "
		   "copied BIGINT NOT NULL DEFAULT 0, last_key BIGINT NOT NULL DEFAULT -9223372036854775808)") != 0 ||
	    pg_state(c, "INSERT INTO " STATE_TABLE " (tbl, state) VALUES ('', $1)", 1, v) != 0 ||
	    pg_cmd(c, "COMMIT") != 0) {
		PQclear(PQexec(c->pg, "ROLLBACK"));
		return -1;
	}
	return 0;
}

/* The audit key (and with it the instance's identity) goes with the data:
 * the target's key file is the source's. One that is there and differs is
 * another instance's: refused. */
static int copy_key(struct copy *c)
{
	char from[4200], to[4200], a[256] = "", b[256] = "";
	if (store_side_path(c->o->from, ".key", from, sizeof(from)) != 0 ||
	    store_side_path(c->o->to, ".key", to, sizeof(to)) != 0)
		return err_set(c->e, E_IO, MSG_IO, c->o->to);
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return err_set(c->e, E_IO, MSG_AUDIT_NO_KEY, from);
	ssize_t n = read(in, a, sizeof(a) - 1);
	close(in);
	if (n <= 0)
		return err_set(c->e, E_IO, MSG_AUDIT_NO_KEY, from);
	int have = open(to, O_RDONLY | O_CLOEXEC);
	if (have >= 0) {
		ssize_t m = read(have, b, sizeof(b) - 1);
		close(have);
		if (m != n || memcmp(a, b, (size_t)n) != 0)
			return err_set(c->e, E_CONFLICT, MSG_MIGRATE_KEY_DIFFERS, to);
		return 0;
	}
	char dir[4200];
	snprintf(dir, sizeof(dir), "%s", to);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		mkdir(dir, 0700);
	}
	int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0 || write(out, a, (size_t)n) != n || fsync(out) != 0) {
		if (out >= 0)
			close(out);
		unlink(to);
		return err_set(c->e, E_IO, MSG_IO, to);
	}
	close(out);
	return 0;
}

/* The rows the target's own migrations seeded (plan outline, ...): gone
 * once, before the first batch, so the source's are the only ones. */
static int clear_seeded(struct copy *c)
{
	PGresult *r = pg_rows(c, "SELECT 1 FROM " STATE_TABLE " WHERE tbl = '#cleared'", 0, NULL);
	if (r == NULL)
		return -1;
	int done = PQntuples(r) > 0;
	PQclear(r);
	if (done)
		return 0;
	if (pg_cmd(c, "BEGIN") != 0)
		return -1;
	/* the derived tables first: incident_counts references orgs */
	static const char *const derived[] = { "incident_counts", "incident_fts" };
	for (int n = -2; n < c->nt; n++) {
		const char *name = n < 0 ? derived[n + 2] : c->t[c->order[c->nt - 1 - n]].name;
		char *q = quote_ident(c, name), sql[300];
		if (q == NULL)
			goto fail;
		snprintf(sql, sizeof(sql), "DELETE FROM %s", q);
		PQfreemem(q);
		if (pg_cmd(c, sql) != 0)
			goto fail;
	}
	for (int n = 0; n < c->nt; n++) {
		const char *v[1] = { c->t[n].name };
		if (pg_state(c, "INSERT INTO " STATE_TABLE " (tbl, state) VALUES ($1, 'rows')",
			     1, v) != 0)
			goto fail;
	}
	if (pg_cmd(c, "INSERT INTO " STATE_TABLE " (tbl, state) VALUES ('#cleared', '')") != 0 ||
	    pg_cmd(c, "COMMIT") != 0)
		goto fail;
	return 0;
fail:
	PQclear(PQexec(c->pg, "ROLLBACK"));
	return -1;
}

/* ---- rows ---- */

struct buf {
	char *p;
	size_t n, cap;
};

static int buf_put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap < b->n + n)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (q == NULL)
			return -1;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

/* COPY's text format: backslash, tab, newline and carriage return escaped. */
static int put_text(struct buf *b, const unsigned char *s, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		const char *esc = NULL;
		switch (s[i]) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\0': return -2;   /* text may not hold NUL on PostgreSQL */
		default: continue;
		}
		if (buf_put(b, s + from, i - from) != 0 || buf_put(b, esc, 2) != 0)
			return -1;
		from = i + 1;
	}
	return buf_put(b, s + from, n - from);
}

static int put_value(struct buf *b, sqlite3_stmt *st, int i, const struct col *cl)
{
	static const char hex[] = "0123456789abcdef";
	char num[64];
	int kind = sqlite3_column_type(st, i);
	if (kind == SQLITE_NULL || cl->selfref)
		return buf_put(b, "\\N", 2);
	switch (cl->type) {
	case T_BYTEA: {
		const unsigned char *p = kind == SQLITE_BLOB ? sqlite3_column_blob(st, i)
							     : sqlite3_column_text(st, i);
		size_t n = (size_t)sqlite3_column_bytes(st, i);
		if (buf_put(b, "\\\\x", 3) != 0)
			return -1;
		for (size_t k = 0; k < n; k++) {
			char two[2] = { hex[p[k] >> 4], hex[p[k] & 15] };
			if (buf_put(b, two, 2) != 0)
				return -1;
		}
		return 0;
	}
	case T_BOOL:
		if (kind == SQLITE_INTEGER)
			return buf_put(b, sqlite3_column_int64(st, i) ? "t" : "f", 1);
		break;
	case T_FLOAT:
		if (kind == SQLITE_FLOAT) {
			int n = snprintf(num, sizeof(num), "%.17g", sqlite3_column_double(st, i));
			return buf_put(b, num, (size_t)n);
		}
		break;
	case T_INT:
		if (kind == SQLITE_INTEGER) {
			int n = snprintf(num, sizeof(num), "%lld",
					 (long long)sqlite3_column_int64(st, i));
			return buf_put(b, num, (size_t)n);
		}
		break;
	default:
		break;
	}
	/* Text, or a value the target's type will read from its text. */
	return put_text(b, sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i));
}

static int state_of(struct copy *c, const char *table, char *state, size_t n, long long *copied,
		    long long *last)
{
	const char *v[1] = { table };
	PGresult *r = pg_rows(c, "SELECT state, copied, last_key FROM " STATE_TABLE
			      " WHERE tbl = $1", 1, v);
	if (r == NULL)
		return -1;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return fail(c, MSG_MIGRATE_SCHEMA, table);
	}
	snprintf(state, n, "%s", PQgetvalue(r, 0, 0));
	*copied = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
	*last = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
	PQclear(r);
	return 0;
}

/* One batch: COPY the rows in b, then the progress, in one transaction. */
static int commit_batch(struct copy *c, const struct table *t, const char *copy_sql,
			struct buf *b, long long copied, long long last)
{
	char n1[32], n2[32];
	snprintf(n1, sizeof(n1), "%lld", copied);
	snprintf(n2, sizeof(n2), "%lld", last);
	const char *v[3] = { n1, n2, t->name };
	if (pg_cmd(c, "BEGIN") != 0)
		return -1;
	PGresult *r = PQexec(c->pg, copy_sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		pg_fail(c, t->name, r);
		goto fail;
	}
	PQclear(r);
	if (PQputCopyData(c->pg, b->p, (int)b->n) != 1 || PQputCopyEnd(c->pg, NULL) != 1) {
		pg_fail(c, t->name, NULL);
		goto fail;
	}
	r = PQgetResult(c->pg);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		pg_fail(c, t->name, r);
		while ((r = PQgetResult(c->pg)) != NULL)
			PQclear(r);
		goto fail;
	}
	PQclear(r);
	while ((r = PQgetResult(c->pg)) != NULL)
		PQclear(r);
	if (pg_state(c, "UPDATE " STATE_TABLE " SET copied = $1::bigint, last_key = $2::bigint "
		     "WHERE tbl = $3", 3, v) != 0 ||
	    pg_cmd(c, "COMMIT") != 0)
		goto fail;
	b->n = 0;
	return 0;
fail:
	PQclear(PQexec(c->pg, "ROLLBACK"));
	return -1;
}

static char *col_list(struct copy *c, const struct table *t, int quoted_for_pg)
{
	size_t cap = 16;
	for (int i = 0; i < t->ncols; i++)
		cap += strlen(t->cols[i].name) * 2 + 8;
	char *s = calloc(1, cap);
	if (s == NULL)
		return NULL;
	size_t at = 0;
	for (int i = 0; i < t->ncols; i++) {
		char *q = quoted_for_pg ? quote_ident(c, t->cols[i].name) : NULL;
		at += (size_t)snprintf(s + at, cap - at, quoted_for_pg ? "%s%s" : "%s\"%s\"",
				       i ? ", " : "", q ? q : t->cols[i].name);
		if (q)
			PQfreemem(q);
	}
	return s;
}

/* The column pointing into its own table, set now that every row is in. */
static int fix_selfrefs(struct copy *c, const struct table *t)
{
	if (pg_cmd(c, "BEGIN") != 0)
		return -1;
	char *tq = quote_ident(c, t->name);
	if (tq == NULL)
		goto fail;
	for (int j = 0; j < t->ncols; j++) {
		if (!t->cols[j].selfref)
			continue;
		const struct col *k = &t->cols[t->pk[0]];
		char sql[600], *cq = quote_ident(c, t->cols[j].name), *kq = quote_ident(c, k->name);
		sqlite3_stmt *st = NULL;
		int rc = -1;
		if (cq && kq) {
			snprintf(sql, sizeof(sql), "SELECT \"%s\", \"%s\" FROM \"%s\" WHERE \"%s\" IS "
				 "NOT NULL", k->name, t->cols[j].name, t->name, t->cols[j].name);
			rc = sqlite3_prepare_v2(c->src, sql, -1, &st, NULL) == SQLITE_OK ? 0 : -1;
			if (rc != 0)
				fail(c, MSG_DB, sqlite3_errmsg(c->src));
			snprintf(sql, sizeof(sql), "UPDATE %s SET %s = $1 WHERE %s = $2", tq, cq, kq);
		}
		while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
			const char *v[2] = { (const char *)sqlite3_column_text(st, 1),
					     (const char *)sqlite3_column_text(st, 0) };
			rc = pg_ok(c, PQexecParams(c->pg, sql, 2, NULL, v, NULL, NULL, 0), t->name);
		}
		sqlite3_finalize(st);
		if (cq)
			PQfreemem(cq);
		if (kq)
			PQfreemem(kq);
		if (rc != 0) {
			PQfreemem(tq);
			goto fail;
		}
	}
	PQfreemem(tq);
	const char *v[1] = { t->name };
	if (pg_state(c, "UPDATE " STATE_TABLE " SET state = 'done' WHERE tbl = $1", 1, v) != 0 ||
	    pg_cmd(c, "COMMIT") != 0)
		goto fail;
	return 0;
fail:
	PQclear(PQexec(c->pg, "ROLLBACK"));
	return -1;
}

static int copy_table(struct copy *c, const struct table *t)
{
	char state[16];
	long long copied = 0, last = 0;
	if (state_of(c, t->name, state, sizeof(state), &copied, &last) != 0)
		return -1;
	long long total = src_count(c, t->name);
	if (c->o->progress)
		c->o->progress(c->o->arg, COPY_PHASE_TABLE, t->name, copied, total);
	if (strcmp(state, "done") == 0)
		return 0;
	char *src_cols = col_list(c, t, 0), *pg_cols = col_list(c, t, 1), *tq = quote_ident(c, t->name);
	size_t cap = (src_cols ? strlen(src_cols) : 0) + (pg_cols ? strlen(pg_cols) : 0) +
		     (t->src_order ? strlen(t->src_order) : 0) + 512;
	char *sel = malloc(cap), *copy_sql = malloc(cap);
	struct buf b = { 0 };
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (!src_cols || !pg_cols || !tq || !sel || !copy_sql) {
		err_set(c->e, E_NOMEM, MSG_INTERNAL, NULL);
		goto out;
	}
	snprintf(copy_sql, cap, "COPY %s (%s) FROM STDIN", tq, pg_cols);
	if (t->rowid)
		snprintf(sel, cap, "SELECT rowid, %s FROM \"%s\" WHERE rowid > $1 ORDER BY rowid",
			 src_cols, t->name);
	else
		snprintf(sel, cap, "SELECT 0, %s FROM \"%s\" ORDER BY %s LIMIT -1 OFFSET $1",
			 src_cols, t->name, t->src_order);
	if (sqlite3_prepare_v2(c->src, sel, -1, &st, NULL) != SQLITE_OK) {
		fail(c, MSG_DB, sqlite3_errmsg(c->src));
		goto out;
	}
	sqlite3_bind_int64(st, 1, t->rowid ? last : copied);
	long long in_batch = 0;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < t->ncols; i++) {
			int w = put_value(&b, st, i + 1, &t->cols[i]);
			if (w == 0)
				w = buf_put(&b, i + 1 < t->ncols ? "\t" : "\n", 1);
			if (w != 0) {
				char what[160];
				snprintf(what, sizeof(what), "%s.%s", t->name, t->cols[i].name);
				err_set(c->e, w == -2 ? E_INVALID : E_NOMEM,
					w == -2 ? MSG_MIGRATE_BAD_VALUE : MSG_INTERNAL, what);
				goto out;
			}
		}
		last = sqlite3_column_int64(st, 0);
		copied++;
		in_batch++;
		if (in_batch >= c->batch || b.n >= BATCH_BYTES) {
			if (commit_batch(c, t, copy_sql, &b, copied, last) != 0)
				goto out;
			in_batch = 0;
			if (c->o->progress)
				c->o->progress(c->o->arg, COPY_PHASE_BATCH, t->name, copied, total);
		}
	}
	if (step != SQLITE_DONE) {
		fail(c, MSG_DB, sqlite3_errmsg(c->src));
		goto out;
	}
	if (in_batch > 0) {
		if (commit_batch(c, t, copy_sql, &b, copied, last) != 0)
			goto out;
		if (c->o->progress)
			c->o->progress(c->o->arg, COPY_PHASE_BATCH, t->name, copied, total);
	}
	rc = fix_selfrefs(c, t);
out:
	sqlite3_finalize(st);
	free(b.p);
	free(sel);
	free(copy_sql);
	free(src_cols);
	free(pg_cols);
	if (tq)
		PQfreemem(tq);
	return rc;
}

/* Every copied table has the source's number of rows; every incident its
 * search document. */
static int check_counts(struct copy *c, struct store_copy_result *res)
{
	res->rows = 0;
	for (int n = 0; n < c->nt; n++) {
		const char *name = c->t[c->order[n]].name;
		long long a = src_count(c, name), b = pg_count(c, name);
		if (b < 0)
			return -1;
		if (a != b) {
			char what[160];
			snprintf(what, sizeof(what), "%s: %lld ≠ %lld", name, a, b);
			return err_set(c->e, E_DB, MSG_MIGRATE_COUNTS, what);
		}
		res->rows += b;
	}
	long long inc = pg_count(c, "incidents"), fts = pg_count(c, "incident_fts");
	if (inc != fts) {
		char what[160];
		snprintf(what, sizeof(what), "incident_fts: %lld ≠ %lld", inc, fts);
		return err_set(c->e, E_DB, MSG_MIGRATE_COUNTS, what);
	}
	if (c->o->progress)
		c->o->progress(c->o->arg, COPY_PHASE_CHECK, "", res->rows, res->rows);
	return 0;
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static PGconn *pg_connect(const char *to, struct err *e)
{
	PGconn *pg = PQconnectdb(to);
	if (PQstatus(pg) != CONNECTION_OK) {
		char arg[160];
		const char *m = PQerrorMessage(pg);
		snprintf(arg, sizeof(arg), "%.*s", (int)strcspn(m, "\n"), m);
		err_set(e, E_IO, MSG_DB, arg);
		PQfinish(pg);
		return NULL;
	}
	PQsetNoticeProcessor(pg, quiet, NULL);
	PQclear(PQexec(pg, "SET client_min_messages = warning"));
	return pg;
}

int store_copy_sqlite_to_pg(const struct store_copy_opts *o, struct store_copy_result *res,
			    struct err *e)
{
	struct copy c = { .o = o, .e = e, .batch = o->batch > 0 ? o->batch : DEFAULT_BATCH };
	char fp[SHA256_HEX_LEN];
	int rc = -1;
	memset(res, 0, sizeof(*res));
	if (!store_is_pg(o->to))
		return err_set(e, E_INVALID, MSG_MIGRATE_NOT_PG, o->to);
	if (store_in_use(o->from))
		return err_set(e, E_CONFLICT, MSG_MIGRATE_SOURCE_IN_USE, o->from);
	if (src_open(&c) != 0 || src_fingerprint(&c, fp) != 0)
		goto out;
	if ((c.pg = pg_connect(o->to, e)) == NULL)
		goto out;
	int claimed = claim_target(&c, fp);
	if (claimed < 0 || copy_key(&c) != 0)
		goto out;
	res->resumed = claimed == 1;
	if (claimed == 0 && create_state(&c, fp) != 0)
		goto out;
	/* The schema, through the same migrations as `ungcuu init` (no audit
	 * hook in this process: nothing is logged by the copy itself). */
	struct store *s = store_open(o->to, e);
	if (s == NULL || store_migrate(s, e) < 0) {
		store_close(s);
		goto out;
	}
	store_close(s);
	if (load_schema(&c) != 0 || clear_seeded(&c) != 0)
		goto out;
	for (int n = 0; n < c.nt; n++)
		if (copy_table(&c, &c.t[c.order[n]]) != 0)
			goto out;
	if (pg_cmd(&c, "ANALYZE") != 0 || check_counts(&c, res) != 0)
		goto out;
	res->tables = c.nt;
	rc = 0;
out:
	for (int i = 0; i < c.nt; i++) {
		free(c.t[i].name);
		free(c.t[i].src_order);
		for (int k = 0; k < c.t[i].ncols; k++)
			free(c.t[i].cols[k].name);
	}
	if (c.pg)
		PQfinish(c.pg);
	if (c.src) {
		sqlite3_exec(c.src, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(c.src);
	}
	return rc;
}

int store_copy_finish(const char *to, struct err *e)
{
	PGconn *pg = pg_connect(to, e);
	if (pg == NULL)
		return -1;
	PGresult *r = PQexec(pg, "DROP TABLE IF EXISTS " STATE_TABLE);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	PQfinish(pg);
	return ok ? 0 : err_set(e, E_DB, MSG_DB, STATE_TABLE);
}
