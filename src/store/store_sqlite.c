/*
 * store_sqlite.c - the SQLite backend: WAL, synchronous=FULL (an answered
 * report survives a power cut), a busy timeout for the single writer, and a
 * per-connection cache of prepared statements keyed by SQL text.
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Debian's libsqlite3 is built with the pre-update hook; its declarations
 * are behind this switch. */
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
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

#define WATCH_MAX 128  /* tables whose changes are captured (store_watch) */

struct store {
	struct store_base base;
	sqlite3 *db;
	struct stmt *cache[CACHE_SLOTS];
	_Atomic uint64_t *stamp;   /* shared change counter in <db>-stamp */
	int nwatch;
	struct { char *name; int nkey; } watch[WATCH_MAX];
};

/* WAL frames before a checkpoint: SQLite's own default. */
#define AUTOCHECKPOINT_FRAMES 1000

/*
 * Every ungcuu process that commits to the database adds one to a counter
 * in the file <db>-stamp, mapped shared; readers compare it with what their
 * caches were built with. The WAL hook runs after a commit is complete and
 * its lock released, so a reader never sees the new count with old data.
 * Taking the WAL hook replaces SQLite's auto-checkpoint, so do it here too.
 */
static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store *s = arg;
	if (s->stamp)
		atomic_fetch_add(s->stamp, 1);
	if (frames >= AUTOCHECKPOINT_FRAMES)
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

static void stamp_map(struct store *s, const char *path)
{
	char name[4096];
	struct stat sb;
	if (strcmp(path, ":memory:") == 0 ||
	    snprintf(name, sizeof(name), "%s-stamp", path) >= (int)sizeof(name))
		return;
	int fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (fstat(fd, &sb) == 0 && sb.st_size < (off_t)sizeof(uint64_t) &&
	    ftruncate(fd, sizeof(uint64_t)) != 0) {
		close(fd);
		return;
	}
	void *p = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p != MAP_FAILED)
		s->stamp = p;
}

static int db_err(struct store *s, struct err *e)
{
	int code = sqlite3_extended_errcode(s->db);
	if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
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
	stamp_map(s, path);
	sqlite3_wal_hook(s->db, on_wal_commit, s);
	sqlite3_extended_result_codes(s->db, 1);
	/* Reads through a shared memory map (no copy per page; the kernel's
	 * page cache is the cache), up to 1 GiB of database. */
	if (store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
		       "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
		       "PRAGMA mmap_size=1073741824;", e) != 0) {
		store_close(s);
		return NULL;
	}
	return s;
}

static char *value_dup(sqlite3_value *v)
{
	const unsigned char *t = v ? sqlite3_value_text(v) : NULL;
	return strdup(t ? (const char *)t : "");
}

static int value_same(sqlite3_value *a, sqlite3_value *b)
{
	int ta = sqlite3_value_type(a), tb = sqlite3_value_type(b);
	if (ta != tb)
		return 0;
	if (ta == SQLITE_NULL)
		return 1;
	if (ta == SQLITE_INTEGER)
		return sqlite3_value_int64(a) == sqlite3_value_int64(b);
	if (ta == SQLITE_FLOAT)
		return sqlite3_value_double(a) == sqlite3_value_double(b);
	const void *pa = ta == SQLITE_TEXT ? (const void *)sqlite3_value_text(a) : sqlite3_value_blob(a);
	const void *pb = tb == SQLITE_TEXT ? (const void *)sqlite3_value_text(b) : sqlite3_value_blob(b);
	int na = sqlite3_value_bytes(a), nb = sqlite3_value_bytes(b);
	return na == nb && (na == 0 || memcmp(pa, pb, (size_t)na) == 0);
}

/* Keeps the key of a row of a watched table: nothing may run on the
 * connection here, so only values are copied (store_change_add). */
static void capture(struct store *s, int t, sqlite3 *db, int old, uint64_t changed)
{
	char *k[2] = { NULL, NULL };
	for (int i = 0; i < s->watch[t].nkey; i++) {
		sqlite3_value *v = NULL;
		int rc = old ? sqlite3_preupdate_old(db, i, &v) : sqlite3_preupdate_new(db, i, &v);
		k[i] = rc == SQLITE_OK ? value_dup(v) : strdup("");
		if (k[i] == NULL) {
			free(k[0]);
			s->base.change_oom = 1;
			return;
		}
	}
	store_change_add(&s->base, t, k[0], k[1], changed);
}

static void on_preupdate(void *arg, sqlite3 *db, int op, const char *zdb, const char *table,
			 sqlite3_int64 key1, sqlite3_int64 key2)
{
	struct store *s = arg;
	(void)key1;
	(void)key2;
	if (strcmp(zdb, "main") != 0)
		return;
	int t = 0;
	while (t < s->nwatch && strcmp(s->watch[t].name, table) != 0)
		t++;
	if (t == s->nwatch)
		return;
	if (op != SQLITE_UPDATE) {
		capture(s, t, db, op == SQLITE_DELETE, UINT64_MAX);
		return;
	}
	uint64_t changed = 0;
	int keymoved = 0, n = sqlite3_preupdate_count(db);
	for (int i = 0; i < n; i++) {
		sqlite3_value *a = NULL, *b = NULL;
		if (sqlite3_preupdate_old(db, i, &a) != SQLITE_OK ||
		    sqlite3_preupdate_new(db, i, &b) != SQLITE_OK || !value_same(a, b)) {
			changed |= 1ULL << (i < 63 ? i : 63);
			if (i < s->watch[t].nkey)
				keymoved = 1;
		}
	}
	if (changed == 0)
		return;
	if (keymoved)
		capture(s, t, db, 1, UINT64_MAX);   /* the old key is gone */
	capture(s, t, db, 0, keymoved ? UINT64_MAX : changed);
}

static int sq_watch(struct store *s, const char *table, int nkey, struct err *e)
{
	if (s->nwatch == WATCH_MAX || nkey < 1 || nkey > 2)
		return err_set(e, E_INTERNAL, MSG_DB, "store_watch");
	char *name = strdup(table);
	if (name == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	s->watch[s->nwatch].name = name;
	s->watch[s->nwatch].nkey = nkey;
	if (s->nwatch++ == 0)
		sqlite3_preupdate_hook(s->db, on_preupdate, s);
	return s->nwatch - 1;
}

/* One step of -1: the whole database in one read snapshot, so the copy is
 * consistent while other connections go on writing (WAL). */
static int sq_backup(struct store *s, const char *dest, struct err *e)
{
	sqlite3 *out = NULL;
	int rc = -1;
	if (sqlite3_open_v2(dest, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		err_set(e, E_IO, MSG_IO, dest);
		goto out;
	}
	sqlite3_backup *b = sqlite3_backup_init(out, "main", s->db, "main");
	if (b == NULL) {
		err_set(e, E_DB, MSG_DB, sqlite3_errmsg(out));
		goto out;
	}
	int step;
	do {
		step = sqlite3_backup_step(b, -1);
		if (step == SQLITE_BUSY || step == SQLITE_LOCKED)
			sqlite3_sleep(50);
	} while (step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED);
	if (sqlite3_backup_finish(b) != SQLITE_OK || step != SQLITE_DONE) {
		err_set(e, E_DB, MSG_DB, sqlite3_errmsg(out));
		goto out;
	}
	rc = 0;
out:
	sqlite3_close(out);
	return rc;
}

/*
 * Whether a process holds the database open: every SQLite connection in WAL
 * mode keeps a shared lock on the "DMS" byte of <db>-shm (offset 128 in
 * SQLite's unix VFS) for as long as it is open. F_GETLK sees other
 * processes' locks; a stale -shm left by a crash holds none.
 */
int store_in_use(const char *path)
{
	char shm[4096];
	if (snprintf(shm, sizeof(shm), "%s-shm", path) >= (int)sizeof(shm))
		return 1;
	int fd = open(shm, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 128, .l_len = 1 };
	int busy = fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type != F_UNLCK;
	close(fd);
	return busy;
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
	for (int i = 0; i < s->nwatch; i++)
		free(s->watch[i].name);
	if (s->stamp)
		munmap((void *)s->stamp, sizeof(uint64_t));
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

/* The shared counter when there is one (a load from shared memory); else
 * PRAGMA data_version, which changes when another connection commits, with
 * this connection's own commits and changes added. */
static int64_t sq_stamp(struct store *s)
{
	if (s->stamp)
		return (int64_t)(atomic_load(s->stamp) & 0x3fffffffffffffffULL) + 1;
	struct err e = { 0 };
	int64_t v = -1;
	struct stmt *st = sq_prepare(s, "PRAGMA data_version", &e);
	if (st == NULL)
		return -1;
	if (sq_step(st, &e) == 1)
		v = sqlite3_column_int64(st->st, 0);
	sq_done(st);
	if (v < 0)
		return -1;
	/* Each part only grows, so the sum never repeats. */
	return (v << 40) + (s->base.commits << 20) + (int64_t)sqlite3_total_changes(s->db);
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
	.stamp = sq_stamp,
	.serial_writes = 1,
	.watch = sq_watch,
	.backup = sq_backup,
};
