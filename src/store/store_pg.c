/*
 * store_pg.c - the PostgreSQL backend (libpq), behind the same interface as
 * SQLite (store.h).
 *
 * Statements: the SQL text is translated once (store_pg_translate: the
 * SQLite-only words of the portable dialect) and prepared per connection
 * under a generated name, keyed by the text and the kinds of its
 * parameters. Parameters are sent as text with no declared type (PostgreSQL
 * infers it from the context, as SQLite's loose typing does), blobs as
 * binary bytea; when the server cannot infer a type the statement is
 * prepared again with declared types. Results come as text; bytea columns
 * are decoded, so blobs are binary-safe.
 *
 * Transactions: a write transaction takes one transaction-level advisory
 * lock (WRITE_LOCK) right after BEGIN, so writers queue one at a time across
 * every connection and every node, exactly as SQLite's single writer: a
 * counter, a version check or the audit chain's head read inside a write
 * transaction cannot change before it commits. Reads run in REPEATABLE READ
 * (one snapshot for store_read_begin).
 *
 * Change capture (store_watch, for the audit log): a trigger on each watched
 * table (ungcuu_capture(), installed by the compatibility prelude) writes
 * the table, key and changed-column mask of every written row into the
 * session's temporary table ungcuu_changes; store_changes_take reads and
 * empties it. Column positions are those of pragma_table_info (a
 * compatibility function here), so audit masks mean the same on both.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "store_int.h"
#include "../base/msg.h"
#include "../base/banned.h"

#define CACHE_SLOTS 1024   /* distinct (SQL, parameter kinds) prepared per connection */
#define MAX_PARAMS 100
#define WATCH_MAX 128   /* audit.c watches 65 tables already */
/* The key of the writers' advisory lock ("ungcuu" in ASCII). */
#define WRITE_LOCK "117110103099117117"

#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25

struct prepared {
	char *key;          /* kinds + '\n' + original SQL */
	unsigned hash;
	char name[16];
};

struct store {
	struct store_base base;
	PGconn *conn;
	char *location;
	struct prepared cache[CACHE_SLOTS];
	int nprepared;
	int changes;        /* rows the last statement changed */
	const char *last_sql;   /* for UNGCUU_PG_DEBUG */
	int may_capture;    /* a write ran since the changes were last read */
	int nwatch;
	struct { char *name; int nkey; } watch[WATCH_MAX];
};

struct stmt {
	struct store *s;
	char *sql;
	char kinds[MAX_PARAMS + 1];
	int nparams;        /* $n the SQL uses (the highest n) */
	char *val[MAX_PARAMS];
	int len[MAX_PARAMS];
	int fmt[MAX_PARAMS];
	PGresult *res;
	int row, nrows, ran;
	/* decoded bytea of the current row, per column (lazily) */
	unsigned char **dec;
	size_t *declen;
	int ncols;
};

static int set_pg_err(struct store *s, const PGresult *r, struct err *e)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r && PQresultErrorMessage(r)[0] ? PQresultErrorMessage(r)
							   : PQerrorMessage(s->conn);
	char one[200];
	snprintf(one, sizeof(one), "%s", msg ? msg : "postgresql");
	one[strcspn(one, "\n")] = '\0';
	if (getenv("UNGCUU_PG_DEBUG"))
		fprintf(stderr, "store_pg: %s [%s]\n", one, s->last_sql ? s->last_sql : "");
	if (state && strcmp(state, "23505") == 0)
		return err_set(e, E_CONFLICT, MSG_EXISTS, one);
	return err_set(e, E_DB, MSG_DB, one);
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* A lost connection (a restarted server) is opened again at the next
 * statement outside a transaction; inside one the error stands. */
static int ensure_conn(struct store *s, struct err *e)
{
	if (PQstatus(s->conn) == CONNECTION_OK)
		return 0;
	if (s->base.in_tx)
		return err_set(e, E_DB, MSG_DB, "connection lost");
	PQreset(s->conn);
	if (PQstatus(s->conn) != CONNECTION_OK)
		return err_set(e, E_DB, MSG_DB, "connection lost");
	for (int i = 0; i < CACHE_SLOTS; i++) {
		free(s->cache[i].key);
		s->cache[i].key = NULL;
	}
	s->nprepared = 0;
	return 0;
}

static int run_simple(struct store *s, const char *sql, struct err *e)
{
	PGresult *r = PQexec(s->conn, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = set_pg_err(s, r, e);
	PQclear(r);
	return rc;
}

static struct store *pg_open(const char *location, struct err *e)
{
	struct store *s = calloc(1, sizeof(*s));
	if (s == NULL || (s->location = strdup(location)) == NULL) {
		free(s);
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		return NULL;
	}
	s->base.ops = &store_pg_ops;
	s->conn = PQconnectdb(location);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		char one[200];
		snprintf(one, sizeof(one), "%s", PQerrorMessage(s->conn));
		one[strcspn(one, "\n")] = '\0';
		err_set(e, E_DB, MSG_DB, one);
		PQfinish(s->conn);
		free(s->location);
		free(s);
		return NULL;
	}
	PQsetNoticeProcessor(s->conn, quiet, NULL);
	if (run_simple(s, "SET TIME ZONE 'UTC'; SET client_min_messages = warning", e) != 0) {
		PQfinish(s->conn);
		free(s->location);
		free(s);
		return NULL;
	}
	return s;
}

static void stmt_clear_row(struct stmt *st)
{
	if (st->dec == NULL)
		return;
	for (int i = 0; i < st->ncols; i++) {
		PQfreemem(st->dec[i]);
		st->dec[i] = NULL;
	}
}

static void pg_done(struct stmt *st)
{
	stmt_clear_row(st);
	free(st->dec);
	free(st->declen);
	PQclear(st->res);
	for (int i = 0; i < MAX_PARAMS; i++)
		free(st->val[i]);
	free(st->sql);
	free(st);
}

static void pg_close(struct store *s)
{
	for (int i = 0; i < CACHE_SLOTS; i++)
		free(s->cache[i].key);
	for (int i = 0; i < s->nwatch; i++)
		free(s->watch[i].name);
	PQfinish(s->conn);
	free(s->location);
	free(s);
}

/* ---- translation of the portable dialect ---- */

static int word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* At p a whole word w (case-insensitive)? */
static int word_at(const char *sql, const char *p, const char *w)
{
	size_t n = strlen(w);
	return (p == sql || !word_char(p[-1])) && strncasecmp(p, w, n) == 0 && !word_char(p[n]);
}

struct out {
	char *p;
	size_t len, cap;
	int oom;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2;
		char *q = realloc(o->p, cap);
		if (q == NULL) {
			o->oom = 1;
			return;
		}
		o->p = q;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/*
 * The mechanical rule (docs/DESIGN.md, "PostgreSQL"): outside quotes,
 *   INTEGER -> BIGINT (times are milliseconds), REAL -> DOUBLE PRECISION,
 *   BLOB -> BYTEA, "WITHOUT ROWID" dropped,
 *   "<table> MATCH <expr>" -> "<table>.doc @@ ungcuu_tsquery(<expr>)",
 *   "INSERT OR IGNORE" -> "INSERT" ... "ON CONFLICT DO NOTHING".
 * Functions SQLite has and PostgreSQL lacks (instr, group_concat, strftime,
 * pragma_table_info, two-argument min/max) are created by the prelude.
 * Returns a new string (NULL: out of memory) and the highest $n in *nparams.
 */
char *store_pg_translate(const char *sql, int *nparams)
{
	struct out o = { 0 };
	int maxp = 0, or_ignore = 0;
	const char *p = sql;
	put(&o, "", 0);
	while (*p) {
		if (*p == '\'' || *p == '"') {
			char q = *p;
			const char *start = p++;
			while (*p && !(*p == q && p[1] != q)) {
				if (*p == q)
					p++;
				p++;
			}
			if (*p)
				p++;
			put(&o, start, (size_t)(p - start));
			continue;
		}
		if (p[0] == '-' && p[1] == '-') {
			const char *start = p;
			while (*p && *p != '\n')
				p++;
			put(&o, start, (size_t)(p - start));
			continue;
		}
		if (*p == '$' && isdigit((unsigned char)p[1]) && (p == sql || !word_char(p[-1]))) {
			int n = atoi(p + 1);
			if (n > maxp)
				maxp = n;
			const char *start = p++;
			while (isdigit((unsigned char)*p))
				p++;
			put(&o, start, (size_t)(p - start));
			continue;
		}
		if (*p == '$' && (p[1] == '$' || isalpha((unsigned char)p[1]) || p[1] == '_')) {
			/* a dollar-quoted body ($$ or $tag$): copied as it is */
			const char *end = p + 1;
			while (word_char(*end))
				end++;
			if (*end == '$') {
				size_t tl = (size_t)(end - p) + 1;
				const char *close = strstr(end + 1, "$");
				while (close && strncmp(close, p, tl) != 0)
					close = strstr(close + 1, "$");
				const char *stop = close ? close + tl : p + strlen(p);
				put(&o, p, (size_t)(stop - p));
				p = stop;
				continue;
			}
		}
		if (word_at(sql, p, "INTEGER")) {
			puts_(&o, "BIGINT");
			p += 7;
		} else if (word_at(sql, p, "REAL")) {
			puts_(&o, "DOUBLE PRECISION");
			p += 4;
		} else if (word_at(sql, p, "BLOB")) {
			puts_(&o, "BYTEA");
			p += 4;
		} else if (word_at(sql, p, "WITHOUT") && strncasecmp(p + 7, " ROWID", 6) == 0) {
			p += 13;
		} else if (word_at(sql, p, "INSERT") && strncasecmp(p + 6, " OR IGNORE", 10) == 0) {
			puts_(&o, "INSERT");
			p += 16;
			or_ignore = 1;
		} else if (word_at(sql, p, "MATCH")) {
			/* the table name just written: "<t> MATCH x" -> "<t>.doc @@ ..." */
			size_t end = o.len;
			while (end > 0 && o.p[end - 1] == ' ')
				end--;
			o.len = end;
			o.p[o.len] = '\0';
			puts_(&o, ".doc @@ ungcuu_tsquery(");
			p += 5;
			while (*p == ' ')
				p++;
			const char *start = p;
			if (*p == '$') {
				p++;
				int n = atoi(p);
				if (n > maxp)
					maxp = n;
			}
			while (word_char(*p))
				p++;
			put(&o, start, (size_t)(p - start));
			puts_(&o, ")");
		} else {
			put(&o, p, 1);
			p++;
		}
	}
	if (or_ignore) {
		size_t end = o.len;
		while (end > 0 && (o.p[end - 1] == ';' || isspace((unsigned char)o.p[end - 1])))
			end--;
		o.len = end;
		if (!o.oom)
			o.p[o.len] = '\0';
		puts_(&o, " ON CONFLICT DO NOTHING");
	}
	if (o.oom) {
		free(o.p);
		return NULL;
	}
	if (nparams)
		*nparams = maxp;
	return o.p;
}

/* ---- statements ---- */

static int pg_exec(struct store *s, const char *sql, struct err *e)
{
	if (ensure_conn(s, e) != 0)
		return -1;
	if (strncasecmp(sql, "PRAGMA", 6) == 0)
		return 0;   /* SQLite's settings: nothing to do here */
	if (strcmp(sql, "BEGIN IMMEDIATE") == 0) {
		if (run_simple(s, "BEGIN ISOLATION LEVEL READ COMMITTED", e) != 0)
			return -1;
		if (run_simple(s, "SELECT pg_advisory_xact_lock(" WRITE_LOCK ")", e) != 0) {
			struct err ignore = { 0 };
			run_simple(s, "ROLLBACK", &ignore);
			return -1;
		}
		return 0;
	}
	if (strcmp(sql, "BEGIN") == 0)
		return run_simple(s, "BEGIN ISOLATION LEVEL REPEATABLE READ", e);
	char *t = store_pg_translate(sql, NULL);
	if (t == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	s->last_sql = sql;
	int rc = run_simple(s, t, e);
	s->last_sql = NULL;
	free(t);
	s->may_capture = 1;
	return rc;
}

static struct stmt *pg_prepare(struct store *s, const char *sql, struct err *e)
{
	struct stmt *st = calloc(1, sizeof(*st));
	if (st == NULL || (st->sql = strdup(sql)) == NULL) {
		free(st);
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		return NULL;
	}
	st->s = s;
	return st;
}

static int set_param(struct stmt *st, int i, const void *p, size_t n, int binary, struct err *e)
{
	if (i >= MAX_PARAMS)
		return err_set(e, E_INTERNAL, MSG_DB, "too many parameters");
	free(st->val[i]);
	st->val[i] = NULL;
	if (p) {
		st->val[i] = malloc(n + 1);
		if (st->val[i] == NULL)
			return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		if (n)
			memcpy(st->val[i], p, n);
		st->val[i][n] = '\0';
	}
	st->len[i] = (int)n;
	st->fmt[i] = binary;
	return 0;
}

static int pg_bind(struct stmt *st, const char *fmt, va_list ap, struct err *e)
{
	for (int i = 0; fmt[i]; i++) {
		int rc = 0;
		if (i >= MAX_PARAMS)
			return err_set(e, E_INTERNAL, MSG_DB, "too many parameters");
		st->kinds[i] = fmt[i];
		switch (fmt[i]) {
		case 't': {
			const char *v = va_arg(ap, const char *);
			rc = set_param(st, i, v, v ? strlen(v) : 0, 0, e);
			break;
		}
		case 'i': {
			char num[24];
			int64_t v = va_arg(ap, int64_t);
			snprintf(num, sizeof(num), "%lld", (long long)v);
			rc = set_param(st, i, num, strlen(num), 0, e);
			break;
		}
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);
			if (n > 0x7fffffff)
				return err_set(e, E_TOOLARGE, MSG_TOO_LONG, NULL);
			rc = set_param(st, i, p ? p : "", n, 1, e);
			break;
		}
		case 'n':
			rc = set_param(st, i, NULL, 0, 0, e);
			break;
		default:
			return err_set(e, E_INTERNAL, MSG_DB, "bad bind format");
		}
		if (rc != 0)
			return -1;
		st->nparams = i + 1;
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

/* Finds or prepares the statement for st's SQL and kinds. */
static const char *prepared_name(struct stmt *st, int n, struct err *e)
{
	struct store *s = st->s;
	char kinds[MAX_PARAMS + 1];
	for (int i = 0; i < n; i++)
		kinds[i] = st->kinds[i] ? (st->kinds[i] == 'n' ? 't' : st->kinds[i]) : 't';
	kinds[n] = '\0';
	size_t kl = strlen(kinds), sl = strlen(st->sql);
	char *key = malloc(kl + sl + 2);
	if (key == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	memcpy(key, kinds, kl);
	key[kl] = '\n';
	memcpy(key + kl + 1, st->sql, sl + 1);
	unsigned h = fnv(key);
	int slot = -1;
	for (int i = 0; i < CACHE_SLOTS; i++) {
		int j = (int)((h + (unsigned)i) % CACHE_SLOTS);
		if (s->cache[j].key == NULL) {
			slot = j;
			break;
		}
		if (s->cache[j].hash == h && strcmp(s->cache[j].key, key) == 0) {
			free(key);
			return s->cache[j].name;
		}
	}
	int np = 0;
	s->last_sql = st->sql;
	char *sql = store_pg_translate(st->sql, &np);
	if (sql == NULL) {
		free(key);
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	}
	static char unnamed[] = "";
	char name[16];
	if (slot >= 0)
		snprintf(name, sizeof(name), "u%d", s->nprepared);
	else
		name[0] = '\0';   /* the cache is full: the unnamed statement */
	Oid types[MAX_PARAMS];
	PGresult *r = NULL;
	/* A failed prepare aborts the transaction it is in: inside one, each
	 * try is under a savepoint (only the first use of a text pays). */
	struct err ignore = { 0 };
	int sp = s->base.in_tx && run_simple(s, "SAVEPOINT ungcuu_prepare", &ignore) == 0;
	/* Integers int8, blobs bytea, texts inferred from the context (a
	 * text may meet any column, as in SQLite). A parameter whose type the
	 * server cannot infer ("$3 IS NULL OR ...") is declared and the
	 * statement prepared again; an integer used where a boolean or text
	 * is wanted makes every integer inferred too. */
	for (int i = 0; i < n; i++)
		types[i] = kinds[i] == 'b' ? OID_BYTEA : kinds[i] == 'i' ? OID_INT8 : 0;
	int ints_inferred = 0;
	for (int tries = 0; tries < n + 3; tries++) {
		PQclear(r);
		r = PQprepare(s->conn, name, sql, n, types);
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			break;
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
		static const char undetermined[] = "could not determine data type of parameter $";
		const char *dollar = msg && strncmp(msg, undetermined, sizeof(undetermined) - 2) == 0
			? strchr(msg, '$') : NULL;
		int retry = 0;
		if (dollar) {   /* 42P18 or 42P08, as the parser found it */
			int k = atoi(dollar + 1) - 1;
			if (k >= 0 && k < n && types[k] == 0) {
				types[k] = kinds[k] == 'i' ? OID_INT8 : OID_TEXT;
				retry = 1;
			}
		} else if (state && !ints_inferred &&
			   (strcmp(state, "42883") == 0 || strcmp(state, "42804") == 0 ||
			    strcmp(state, "42725") == 0)) {
			for (int i = 0; i < n; i++)
				if (kinds[i] == 'i')
					types[i] = 0;
			ints_inferred = retry = 1;
		}
		if (!retry)
			break;
		if (sp)
			run_simple(s, "ROLLBACK TO SAVEPOINT ungcuu_prepare", &ignore);
	}
	if (sp) {
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			run_simple(s, "RELEASE SAVEPOINT ungcuu_prepare", &ignore);
		else
			run_simple(s, "ROLLBACK TO SAVEPOINT ungcuu_prepare", &ignore);
	}
	free(sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		set_pg_err(s, r, e);
		PQclear(r);
		free(key);
		return NULL;
	}
	PQclear(r);
	if (slot < 0) {
		free(key);
		return unnamed;
	}
	s->cache[slot].key = key;
	s->cache[slot].hash = h;
	memcpy(s->cache[slot].name, name, sizeof(name));
	s->nprepared++;
	return s->cache[slot].name;
}

static int pg_step(struct stmt *st, struct err *e)
{
	struct store *s = st->s;
	if (!st->ran) {
		if (ensure_conn(s, e) != 0)
			return -1;
		int n = 0;
		char *t = store_pg_translate(st->sql, &n);
		if (t == NULL)
			return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		free(t);
		if (n > MAX_PARAMS)
			return err_set(e, E_INTERNAL, MSG_DB, "too many parameters");
		s->last_sql = st->sql;
		const char *name = prepared_name(st, n, e);
		if (name == NULL)
			return -1;
		st->res = PQexecPrepared(s->conn, name, n, (const char *const *)st->val, st->len,
					 st->fmt, 0);
		st->ran = 1;
		ExecStatusType rs = PQresultStatus(st->res);
		if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK)
			return set_pg_err(s, st->res, e);
		const char *ct = PQcmdTuples(st->res);
		s->changes = ct && *ct ? atoi(ct) : 0;
		if (s->changes > 0 && s->nwatch > 0)
			s->may_capture = 1;
		st->nrows = PQntuples(st->res);
		st->ncols = PQnfields(st->res);
		st->row = -1;
		if (st->ncols > 0) {
			st->dec = calloc((size_t)st->ncols, sizeof(*st->dec));
			st->declen = calloc((size_t)st->ncols, sizeof(*st->declen));
			if (st->dec == NULL || st->declen == NULL)
				return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		}
	}
	stmt_clear_row(st);
	if (st->row + 1 >= st->nrows)
		return 0;
	st->row++;
	return 1;
}

static int col_ok(struct stmt *st, int col)
{
	return st->res && st->row >= 0 && st->row < st->nrows && col >= 0 && col < st->ncols;
}

static const unsigned char *decoded(struct stmt *st, int col, size_t *len)
{
	if (st->dec[col] == NULL) {
		size_t n = 0;
		unsigned char *raw = PQunescapeBytea(
			(const unsigned char *)PQgetvalue(st->res, st->row, col), &n);
		if (raw == NULL)
			return NULL;
		st->dec[col] = raw;
		st->declen[col] = n;
	}
	*len = st->declen[col];
	return st->dec[col];
}

static const char *pg_text(struct stmt *st, int col)
{
	if (!col_ok(st, col) || PQgetisnull(st->res, st->row, col))
		return NULL;
	Oid t = PQftype(st->res, col);
	const char *v = PQgetvalue(st->res, st->row, col);
	if (t == OID_BOOL)
		return v[0] == 't' ? "1" : "0";
	if (t == OID_BYTEA) {
		/* Blobs read as text: SQLite gives the bytes; text columns hold
		 * text, and a bytea's hex form decodes to the same length or less,
		 * so the raw value buffer has room for the bytes and a NUL. */
		size_t n = 0;
		const unsigned char *b = decoded(st, col, &n);
		if (b == NULL)
			return NULL;
		char *w = (char *)v;   /* libpq's own copy of the row, ours until PQclear */
		memcpy(w, b, n);
		w[n] = '\0';
		return w;
	}
	return v;
}

static int64_t pg_int(struct stmt *st, int col)
{
	if (!col_ok(st, col) || PQgetisnull(st->res, st->row, col))
		return 0;
	const char *v = PQgetvalue(st->res, st->row, col);
	if (PQftype(st->res, col) == OID_BOOL)
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

static const void *pg_blob(struct stmt *st, int col, size_t *len)
{
	*len = 0;
	if (!col_ok(st, col) || PQgetisnull(st->res, st->row, col))
		return NULL;
	if (PQftype(st->res, col) == OID_BYTEA)
		return decoded(st, col, len);
	*len = (size_t)PQgetlength(st->res, st->row, col);
	return PQgetvalue(st->res, st->row, col);
}

static int pg_isnull(struct stmt *st, int col)
{
	return !col_ok(st, col) || PQgetisnull(st->res, st->row, col);
}

static int pg_changes(struct store *s)
{
	return s->changes;
}

/* ---- change capture ---- */

static int install_trigger(struct store *s, int t, struct err *e)
{
	char sql[512];
	const char *name = s->watch[t].name;
	for (const char *p = name; *p; p++)
		if (!word_char(*p))
			return err_set(e, E_INTERNAL, MSG_DB, "store_watch");
	PGresult *r = PQexecParams(s->conn, "SELECT to_regclass($1) IS NOT NULL, EXISTS (SELECT 1 "
				   "FROM pg_trigger WHERE tgname = 'ungcuu_capture' AND "
				   "tgrelid = to_regclass($1))", 1, NULL, (const char *[]){ name },
				   NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = set_pg_err(s, r, e);
		PQclear(r);
		return rc;
	}
	int exists = PQgetvalue(r, 0, 0)[0] == 't', has = PQgetvalue(r, 0, 1)[0] == 't';
	PQclear(r);
	if (!exists || has)
		return 0;
	snprintf(sql, sizeof(sql), "CREATE TRIGGER ungcuu_capture AFTER INSERT OR UPDATE OR DELETE "
		 "ON %s FOR EACH ROW EXECUTE FUNCTION ungcuu_capture(%d)", name, s->watch[t].nkey);
	return run_simple(s, sql, e);
}

/* The triggers of the watched tables that exist, created once per database
 * (a migration may have just made the tables). Inside the caller's
 * transaction when there is one. */
static int install_triggers(struct store *s, struct err *e)
{
	if (s->nwatch == 0)
		return 0;
	PGresult *r = PQexec(s->conn, "SELECT to_regproc('ungcuu_capture') IS NOT NULL");
	int ready = PQresultStatus(r) == PGRES_TUPLES_OK && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (!ready)
		return 0;   /* an empty database: the prelude comes with the migrations */
	int own = !s->base.in_tx;
	if (own && run_simple(s, "BEGIN; SELECT pg_advisory_xact_lock(" WRITE_LOCK ")", e) != 0)
		return -1;
	for (int t = 0; t < s->nwatch; t++)
		if (install_trigger(s, t, e) != 0) {
			if (own) {
				struct err ignore = { 0 };
				run_simple(s, "ROLLBACK", &ignore);
			}
			return -1;
		}
	if (own && run_simple(s, "COMMIT", e) != 0)
		return -1;
	return 0;
}

static int pg_watch(struct store *s, const char *table, int nkey, struct err *e)
{
	if (s->nwatch == WATCH_MAX || nkey < 1 || nkey > 2)
		return err_set(e, E_INTERNAL, MSG_DB, "store_watch");
	char *name = strdup(table);
	if (name == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (s->nwatch == 0 &&
	    run_simple(s, "CREATE TEMPORARY TABLE IF NOT EXISTS ungcuu_changes (seq BIGSERIAL, "
		       "tbl TEXT NOT NULL, k0 TEXT, k1 TEXT, changed BIGINT NOT NULL)", e) != 0) {
		free(name);
		return -1;
	}
	s->watch[s->nwatch].name = name;
	s->watch[s->nwatch].nkey = nkey;
	s->nwatch++;
	/* Before the first migration there is nothing to install yet:
	 * store_migrate installs the triggers after it. */
	if (!s->base.in_tx) {
		struct err later = { 0 };
		install_triggers(s, &later);
	}
	return s->nwatch - 1;
}

/* Moves the rows the triggers wrote into the base's change list. */
static void pg_collect(struct store *s)
{
	if (s->nwatch == 0 || !s->may_capture || PQstatus(s->conn) != CONNECTION_OK)
		return;
	s->may_capture = 0;
	PGresult *r = PQexec(s->conn, "DELETE FROM pg_temp.ungcuu_changes "
			     "RETURNING seq, tbl, k0, k1, changed");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return;
	}
	int n = PQntuples(r);
	/* in the order written */
	int *order = malloc(sizeof(int) * (size_t)(n ? n : 1));
	if (order == NULL) {
		s->base.change_oom = 1;
		PQclear(r);
		return;
	}
	for (int i = 0; i < n; i++)
		order[i] = i;
	for (int i = 1; i < n; i++) {   /* insertion sort by seq: RETURNING order is not promised */
		int k = order[i];
		long long sk = atoll(PQgetvalue(r, k, 0));
		int j = i - 1;
		while (j >= 0 && atoll(PQgetvalue(r, order[j], 0)) > sk) {
			order[j + 1] = order[j];
			j--;
		}
		order[j + 1] = k;
	}
	for (int i = 0; i < n; i++) {
		int row = order[i];
		const char *tbl = PQgetvalue(r, row, 1);
		int t = 0;
		while (t < s->nwatch && strcmp(s->watch[t].name, tbl) != 0)
			t++;
		if (t == s->nwatch)
			continue;
		char *k0 = strdup(PQgetisnull(r, row, 2) ? "" : PQgetvalue(r, row, 2));
		char *k1 = s->watch[t].nkey > 1
			? strdup(PQgetisnull(r, row, 3) ? "" : PQgetvalue(r, row, 3)) : NULL;
		if (k0 == NULL || (s->watch[t].nkey > 1 && k1 == NULL)) {
			free(k0);
			free(k1);
			s->base.change_oom = 1;
			continue;
		}
		store_change_add(&s->base, t, k0, k1, (uint64_t)strtoull(PQgetvalue(r, row, 4), NULL, 10));
	}
	free(order);
	PQclear(r);
}

extern const char store_pg_prelude[];

const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.bind = pg_bind,
	.step = pg_step,
	.text = pg_text,
	.integer = pg_int,
	.blob = pg_blob,
	.isnull = pg_isnull,
	.done = pg_done,
	.changes = pg_changes,
	.stamp = NULL,
	.serial_writes = 0,
	.watch = pg_watch,
	.backup = NULL,
	.collect = pg_collect,
	.after_migrate = install_triggers,
	.prelude = store_pg_prelude,
	.migrations = store_migrations_pg,
	.nmigrations = &store_migrations_pg_count,
};
