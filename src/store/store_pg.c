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
 * Caches across nodes: every write transaction sends NOTIFY; each process
 * LISTENs on a control connection of its own and counts what it hears into
 * the stamp (store_stamp) its per-worker caches compare; see "the change
 * stamp across nodes" below.
 *
 * Change capture (store_watch, for the audit log): triggers on each watched
 * table (ungcuu_capture() row by row for updates and deletes,
 * ungcuu_capture_new() once per INSERT statement from its transition
 * table; the compatibility prelude has both) write the table, key and
 * changed-column mask of every written row into the session's temporary
 * table ungcuu_changes; store_changes_take reads and empties it. Column positions are those of pragma_table_info (a
 * compatibility function here), so audit masks mean the same on both.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "store_int.h"
#include "../base/msg.h"
#include "../base/banned.h"

#define CACHE_SLOTS 1024   /* distinct (SQL, parameter kinds) prepared per connection */
#define MAX_PARAMS 100
#define WATCH_MAX 128  /* as SQLite's: the audit log watches 65 tables since 021 */
/* The key of the writers' advisory lock ("ungcuu" in ASCII). */
#define WRITE_LOCK "117110103099117117"

/* The session's table the capture triggers fill (as pg_watch makes it). */
#define CHANGES_TABLE "CREATE TEMPORARY TABLE IF NOT EXISTS ungcuu_changes (seq BIGSERIAL, " \
	"tbl TEXT NOT NULL, k0 TEXT, k1 TEXT, changed BIGINT NOT NULL)"

#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25

struct prepared {
	char *key;          /* kinds + '\n' + original SQL */
	unsigned hash;
	char name[16];
};

struct control;

struct store {
	struct store_base base;
	PGconn *conn;
	char *location;
	struct control *control;   /* the process's listener for this database */
	int write_tx;       /* in a write transaction (its COMMIT notifies) */
	int triggers_pending;   /* tables watched since the capture triggers were checked */
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
	/* The server went away (a restart, a failover, a cut link): class 08
	 * connection exceptions, 57P01-57P03 shutting down / cannot connect
	 * now, 25006 read-only (a standby promoted away from us). The API
	 * answers 503 and the next statement opens the connection again. */
	if (PQstatus(s->conn) != CONNECTION_OK ||
	    (state && (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
		       strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0 ||
		       strcmp(state, "25006") == 0)))
		return err_set(e, E_UNAVAILABLE, MSG_DB_UNAVAILABLE, one);
	return err_set(e, E_DB, MSG_DB, one);
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int run_simple(struct store *s, const char *sql, struct err *e);

/* A lost connection (a restarted server) is opened again at the next
 * statement outside a transaction; inside one the error stands. */
static int ensure_conn(struct store *s, struct err *e)
{
	if (PQstatus(s->conn) == CONNECTION_OK)
		return 0;
	if (s->base.in_tx)
		return err_set(e, E_UNAVAILABLE, MSG_DB_UNAVAILABLE, "connection lost");
	PQreset(s->conn);
	/* a new session: none of the statements is prepared there */
	for (int i = 0; i < CACHE_SLOTS; i++) {
		free(s->cache[i].key);
		s->cache[i].key = NULL;
	}
	s->nprepared = 0;
	if (PQstatus(s->conn) != CONNECTION_OK)
		return err_set(e, E_UNAVAILABLE, MSG_DB_UNAVAILABLE, "connection lost");
	PQsetNoticeProcessor(s->conn, quiet, NULL);
	struct err ignore = { 0 };
	if (run_simple(s, "SET TIME ZONE 'UTC'; SET client_min_messages = warning", &ignore) != 0)
		return err_set(e, E_UNAVAILABLE, MSG_DB_UNAVAILABLE, "connection lost");
	/* The capture table is the session's: a new session needs it again,
	 * or the triggers would skip every change and the audit log miss
	 * them. */
	if (s->nwatch > 0 && run_simple(s, CHANGES_TABLE, &ignore) != 0)
		return err_set(e, E_UNAVAILABLE, MSG_DB_UNAVAILABLE, "connection lost");
	s->may_capture = 0;
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

/* ---- the change stamp across nodes (LISTEN/NOTIFY) ----
 *
 * Each process keeps, per database, one control connection that LISTENs
 * on STAMP_CHANNEL and a counter (the stamp its caches compare). Every
 * write transaction sends NOTIFY inside itself, so the notification is
 * delivered once its data is visible, to every node, this one included;
 * the listener adds one to the counter for each batch it reads. A commit
 * also adds one here at once, so a node reads its own writes without the
 * round trip. While the control connection is down the stamp is -1 (no
 * caching at all), and losing or regaining it adds one: whatever was
 * cached before, when a notification may have been missed, is dropped.
 *
 * "At once" across nodes: a notification travels on its own, so a read on
 * node B just after node A's commit could come before it (measured: 4 of
 * 200 writes through A then reads through B on a loaded 2-core machine).
 * So a reader asks the control thread for a round trip on the control
 * connection first (control_sync): the server sends a listener the
 * notifications already committed before it answers the listener's next
 * query, so the stamp read after it counts every commit that finished
 * before the read began. Readers waiting at the same time share one round
 * trip.
 */
#define STAMP_CHANNEL "ungcuu_stamp"
#define CONTROL_MAX 8           /* databases one process listens to */
#define CONTROL_PING_MS 5000    /* a quiet control connection is checked this often */
#define CONTROL_RETRY_MS 500    /* between attempts to connect again */
#define CONTROL_SYNC_MS 2000    /* a reader waits this long for a round trip, then reads uncached */

struct control {
	char *location;
	_Atomic int64_t stamp;
	_Atomic int live;       /* LISTEN in effect */
	pthread_mutex_t lock;
	pthread_cond_t synced;
	uint64_t want, done;    /* round trips asked for / answered (under lock) */
	int wake[2];            /* a pipe: a reader asks for a round trip */
};

static pthread_mutex_t controls_lock = PTHREAD_MUTEX_INITIALIZER;
static struct control *controls[CONTROL_MAX];

static void control_bump(struct control *c)
{
	if (c)
		atomic_fetch_add(&c->stamp, 1);
}

/* Counts the notifications libpq has read; 0, or -1 when the connection
 * is gone. */
static int control_drain(struct control *c, PGconn *conn)
{
	int got = 0;
	PGnotify *note;
	while ((note = PQnotifies(conn)) != NULL) {
		PQfreemem(note);
		got = 1;
	}
	if (got)
		control_bump(c);
	return PQstatus(conn) == CONNECTION_OK ? 0 : -1;
}

/* One round trip; the notifications that come before its answer are
 * counted. Answers every reader that asked before it started. */
static int control_round_trip(struct control *c, PGconn *conn)
{
	pthread_mutex_lock(&c->lock);
	uint64_t upto = c->want;
	pthread_mutex_unlock(&c->lock);
	PGresult *r = PQexec(conn, "SELECT 1");
	int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	if (!ok || control_drain(c, conn) != 0)
		return -1;
	pthread_mutex_lock(&c->lock);
	if (upto > c->done)
		c->done = upto;
	pthread_cond_broadcast(&c->synced);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

/* Reads notifications and answers round trips until the connection fails. */
static void control_listen(struct control *c, PGconn *conn)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = PQsocket(conn), .events = POLLIN },
				       { .fd = c->wake[0], .events = POLLIN } };
		int n = poll(p, 2, CONTROL_PING_MS);
		if (n < 0 && errno != EINTR)
			return;
		if (n > 0 && (p[0].revents & (POLLIN | POLLERR | POLLHUP)) &&
		    (!PQconsumeInput(conn) || control_drain(c, conn) != 0))
			return;
		if (n > 0 && (p[1].revents & POLLIN)) {
			char buf[64];
			while (read(c->wake[0], buf, sizeof(buf)) > 0)
				;
		}
		int asked;
		pthread_mutex_lock(&c->lock);
		asked = c->want > c->done;
		pthread_mutex_unlock(&c->lock);
		/* a reader waits, or quiet for a while: is the server still there? */
		if ((asked || n == 0) && control_round_trip(c, conn) != 0)
			return;
	}
}

static void control_down(struct control *c)
{
	atomic_store(&c->live, 0);
	control_bump(c);
	pthread_mutex_lock(&c->lock);
	pthread_cond_broadcast(&c->synced);   /* waiting readers read uncached */
	pthread_mutex_unlock(&c->lock);
}

static void *control_run(void *arg)
{
	struct control *c = arg;
	/* TCP keepalives and a send timeout: a server that vanished without
	 * closing the connection is noticed in seconds, not hours. */
	const char *const keys[] = { "dbname", "application_name", "keepalives_idle",
				     "keepalives_interval", "keepalives_count",
				     "tcp_user_timeout", "connect_timeout", NULL };
	const char *const vals[] = { c->location, "ungcuu-control", "5", "2", "3", "10000", "5", NULL };
	for (;;) {
		PGconn *conn = PQconnectdbParams(keys, vals, 1);
		PGresult *r = NULL;
		if (PQstatus(conn) == CONNECTION_OK) {
			PQsetNoticeProcessor(conn, quiet, NULL);
			r = PQexec(conn, "LISTEN " STAMP_CHANNEL);
		}
		if (PQresultStatus(r) == PGRES_COMMAND_OK) {
			control_bump(c);
			atomic_store(&c->live, 1);
			control_listen(c, conn);
			control_down(c);
		}
		PQclear(r);
		PQfinish(conn);
		struct timespec pause = { 0, CONTROL_RETRY_MS * 1000000L };
		nanosleep(&pause, NULL);
	}
	return NULL;
}

/* The process's control for location, started at its first use when
 * start is set. NULL when there is none (the stamp is then -1: no caching;
 * a command that never reads the stamp, such as `ungcuu admin`, has none). */
static struct control *control_get(const char *location, int start)
{
	struct control *c = NULL;
	pthread_mutex_lock(&controls_lock);
	int i = 0;
	for (; i < CONTROL_MAX && controls[i]; i++)
		if (strcmp(controls[i]->location, location) == 0) {
			c = controls[i];
			break;
		}
	if (c == NULL && start && i < CONTROL_MAX && (c = calloc(1, sizeof(*c))) != NULL) {
		pthread_t t;
		pthread_attr_t at;
		c->location = strdup(location);
		atomic_init(&c->stamp, 1);
		atomic_init(&c->live, 0);
		c->wake[0] = c->wake[1] = -1;
		int ok = c->location && pipe2(c->wake, O_CLOEXEC | O_NONBLOCK) == 0 &&
			 pthread_mutex_init(&c->lock, NULL) == 0 &&
			 pthread_cond_init(&c->synced, NULL) == 0 && pthread_attr_init(&at) == 0;
		if (ok) {
			pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
			ok = pthread_create(&t, &at, control_run, c) == 0;
			pthread_attr_destroy(&at);
		}
		if (ok) {
			controls[i] = c;   /* lives as long as the process */
		} else {
			if (c->wake[0] >= 0) {
				close(c->wake[0]);
				close(c->wake[1]);
			}
			free(c->location);
			free(c);
			c = NULL;
		}
	}
	pthread_mutex_unlock(&controls_lock);
	return c;
}

/* This connection's control without starting one (for a commit's bump). */
static struct control *own_control(struct store *s)
{
	if (s->control == NULL)
		s->control = control_get(s->location, 0);
	return s->control;
}

/* Waits for a round trip on the control connection that began after this
 * call; 0, or -1 when the connection is down or slow. */
static int control_sync(struct control *c)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += CONTROL_SYNC_MS / 1000;
	until.tv_nsec += (CONTROL_SYNC_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->lock);
	/* A round trip already under way may have been sent before this
	 * reader's request began: wait for the one after it. */
	uint64_t mine = ++c->want;
	if (write(c->wake[1], "", 1) < 0) {
		/* the pipe is full: the control thread is awake already */
	}
	int rc = 0;
	while (c->done < mine && rc == 0 && atomic_load(&c->live))
		rc = pthread_cond_timedwait(&c->synced, &c->lock, &until);
	int ok = c->done >= mine;
	pthread_mutex_unlock(&c->lock);
	return ok ? 0 : -1;
}

static int64_t pg_stamp(struct store *s)
{
	if (s->control == NULL)
		s->control = control_get(s->location, 1);
	if (s->control == NULL || !atomic_load(&s->control->live) || control_sync(s->control) != 0)
		return -1;
	return atomic_load(&s->control->live) ? atomic_load(&s->control->stamp) : -1;
}

/* A write outside a transaction has committed already: tell the other
 * nodes after the fact (the same order as a transaction's NOTIFY). */
static void notify_after_autocommit(struct store *s)
{
	PGresult *r = PQexec(s->conn, "NOTIFY " STAMP_CHANNEL);
	PQclear(r);
	control_bump(own_control(s));
}

static int is_select(const PGresult *r)
{
	const char *tag = PQcmdStatus((PGresult *)r);
	return tag && strncmp(tag, "SELECT", 6) == 0;
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
	/* Bounded waits by default, so a node never hangs on a server that
	 * is gone (a powered-off primary, a cut link): 5 s to connect, TCP
	 * keepalives that notice a dead peer in about 25 s. The URL's own
	 * settings come after these and win. */
	static const char *const keys[] = { "connect_timeout", "keepalives", "keepalives_idle",
					     "keepalives_interval", "keepalives_count",
					     "dbname", NULL };
	const char *const vals[] = { "5", "1", "10", "5", "3", location, NULL };
	s->conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		/* libpq says "connection to server at HOST, port N failed: WHY":
		 * only WHY, the answer may reach a client that logged in to
		 * nothing (the health check) */
		char one[200];
		const char *m = PQerrorMessage(s->conn), *why = strstr(m, "failed: ");
		snprintf(one, sizeof(one), "%s", why ? why + 8 : m);
		one[strcspn(one, "\n")] = '\0';
		err_set(e, E_UNAVAILABLE, MSG_DB_UNAVAILABLE, one);
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

static void triggers_check(struct store *s);

static int pg_exec(struct store *s, const char *sql, struct err *e)
{
	if (ensure_conn(s, e) != 0)
		return -1;
	triggers_check(s);
	if (strncasecmp(sql, "PRAGMA", 6) == 0)
		return 0;   /* SQLite's settings: nothing to do here */
	if (strcmp(sql, "BEGIN IMMEDIATE") == 0) {
		if (run_simple(s, "BEGIN ISOLATION LEVEL READ COMMITTED", e) != 0)
			return -1;
		/* The NOTIFY is delivered at COMMIT only, and not at all on
		 * ROLLBACK: every node's caches drop what they built before
		 * this transaction's data was visible (control_run). */
		if (run_simple(s, "SELECT pg_advisory_xact_lock(" WRITE_LOCK "); "
			       "NOTIFY " STAMP_CHANNEL, e) != 0) {
			struct err ignore = { 0 };
			run_simple(s, "ROLLBACK", &ignore);
			return -1;
		}
		s->write_tx = 1;
		return 0;
	}
	if (strcmp(sql, "BEGIN") == 0) {
		s->write_tx = 0;   /* a read transaction's COMMIT tells no one */
		return run_simple(s, "BEGIN ISOLATION LEVEL REPEATABLE READ", e);
	}
	int commit = strcmp(sql, "COMMIT") == 0, end = commit || strcmp(sql, "ROLLBACK") == 0;
	char *t = store_pg_translate(sql, NULL);
	if (t == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	s->last_sql = sql;
	int rc = run_simple(s, t, e);
	s->last_sql = NULL;
	free(t);
	s->may_capture = 1;
	if (end) {
		/* This node's own readers see its commit at once, without
		 * waiting for the notification to come back. */
		if (commit && rc == 0 && s->write_tx)
			control_bump(own_control(s));
		s->write_tx = 0;
	}
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
		triggers_check(s);
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
		if (!s->base.in_tx && s->changes > 0 && !is_select(st->res))
			notify_after_autocommit(s);
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

/* The watched tables that exist and have no capture trigger yet (their
 * indexes in s->watch, -1 ended), or -1 with e filled. 0 rows also when
 * the prelude is not installed yet (an empty database: the triggers come
 * after the migrations). */
static int missing_triggers(struct store *s, int *out, struct err *e)
{
	char list[WATCH_MAX * 64 + 4];
	size_t n = 0;
	list[n++] = '{';
	for (int t = 0; t < s->nwatch; t++) {
		size_t l = strlen(s->watch[t].name);
		if (n + l + 3 > sizeof(list))
			return err_set(e, E_INTERNAL, MSG_DB, "store_watch");
		if (t)
			list[n++] = ',';
		memcpy(list + n, s->watch[t].name, l);
		n += l;
	}
	list[n++] = '}';
	list[n] = '\0';
	const char *param[] = { list };
	PGresult *r = PQexecParams(s->conn,
		"SELECT t FROM unnest($1::text[]) WITH ORDINALITY AS w(t, i) "
		"WHERE to_regproc('ungcuu_capture_new') IS NOT NULL AND to_regclass(t) IS NOT NULL "
		"AND NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'ungcuu_capture_new' "
		"AND tgrelid = to_regclass(t)) ORDER BY i", 1, NULL, param, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = set_pg_err(s, r, e);
		PQclear(r);
		return rc;
	}
	int k = 0;
	for (int row = 0; row < PQntuples(r); row++)
		for (int t = 0; t < s->nwatch; t++)
			if (strcmp(s->watch[t].name, PQgetvalue(r, row, 0)) == 0) {
				out[k++] = t;
				break;
			}
	out[k] = -1;
	PQclear(r);
	return 0;
}

/* The triggers of the watched tables that exist, created once per database
 * (a migration may have just made the tables). Inside the caller's
 * transaction when there is one. One query when every trigger is there
 * (each new connection); else under the writers' lock, checked again. */
static int install_triggers(struct store *s, struct err *e)
{
	int miss[WATCH_MAX + 1];
	s->triggers_pending = 0;
	if (s->nwatch == 0)
		return 0;
	for (int t = 0; t < s->nwatch; t++)
		for (const char *p = s->watch[t].name; *p; p++)
			if (!word_char(*p))
				return err_set(e, E_INTERNAL, MSG_DB, "store_watch");
	if (missing_triggers(s, miss, e) != 0)
		return -1;
	if (miss[0] < 0)
		return 0;
	int own = !s->base.in_tx;
	if (own && run_simple(s, "BEGIN; SELECT pg_advisory_xact_lock(" WRITE_LOCK ")", e) != 0)
		return -1;
	int rc = own ? missing_triggers(s, miss, e) : 0;
	/* Updates and deletes row by row; inserts once per statement, from
	 * its transition table (prelude.sql). A table with the row trigger
	 * of before migration 027 (inserts too) gets the pair instead. */
	for (int k = 0; rc == 0 && miss[k] >= 0; k++) {
		char sql[1024];
		const char *t = s->watch[miss[k]].name;
		int nkey = s->watch[miss[k]].nkey;
		snprintf(sql, sizeof(sql), "DROP TRIGGER IF EXISTS ungcuu_capture ON %s; "
			 "CREATE TRIGGER ungcuu_capture AFTER UPDATE OR DELETE ON %s FOR EACH ROW "
			 "EXECUTE FUNCTION ungcuu_capture(%d); CREATE TRIGGER ungcuu_capture_new "
			 "AFTER INSERT ON %s REFERENCING NEW TABLE AS ungcuu_new FOR EACH STATEMENT "
			 "EXECUTE FUNCTION ungcuu_capture_new(%d)", t, t, nkey, t, nkey);
		rc = run_simple(s, sql, e);
	}
	if (own) {
		struct err ignore = { 0 };
		if (rc != 0)
			run_simple(s, "ROLLBACK", &ignore);
		else if (run_simple(s, "COMMIT", e) != 0)
			rc = -1;
	}
	return rc;
}

static int pg_watch(struct store *s, const char *table, int nkey, struct err *e)
{
	if (s->nwatch == WATCH_MAX || nkey < 1 || nkey > 2 || strlen(table) > 60)
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
	/* The triggers are checked once, before the next statement outside a
	 * transaction (a caller watches its tables one by one); before the
	 * first migration there is nothing to install yet: store_migrate
	 * installs them after it. */
	s->triggers_pending = 1;
	return s->nwatch - 1;
}

/* Before a statement outside a transaction: the triggers of tables watched
 * since the last check. A failure here leaves them to the next check. */
static void triggers_check(struct store *s)
{
	if (s->triggers_pending && !s->base.in_tx) {
		struct err later = { 0 };
		install_triggers(s, &later);
	}
}

/* Moves the rows the triggers wrote into the base's change list. */
static void pg_collect(struct store *s)
{
	if (s->nwatch == 0 || !s->may_capture || PQstatus(s->conn) != CONNECTION_OK)
		return;
	s->may_capture = 0;
	/* In the order written, sorted by the server (a statement may write
	 * a million rows: no sort of our own here). */
	PGresult *r = PQexec(s->conn, "WITH d AS (DELETE FROM pg_temp.ungcuu_changes "
			     "RETURNING seq, tbl, k0, k1, changed) SELECT seq, tbl, k0, k1, changed "
			     "FROM d ORDER BY seq");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		PQclear(r);
		return;
	}
	int n = PQntuples(r), t = 0;
	for (int row = 0; row < n; row++) {
		const char *tbl = PQgetvalue(r, row, 1);
		if (t == s->nwatch || strcmp(s->watch[t].name, tbl) != 0)   /* runs of one table */
			for (t = 0; t < s->nwatch && strcmp(s->watch[t].name, tbl) != 0;)
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
	.stamp = pg_stamp,
	.serial_writes = 0,
	.watch = pg_watch,
	.backup = NULL,
	.collect = pg_collect,
	.after_migrate = install_triggers,
	.prelude = store_pg_prelude,
	.migrations = store_migrations_pg,
	.nmigrations = &store_migrations_pg_count,
};
