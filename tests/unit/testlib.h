/*
 * testlib.h - what the unit tests share: temporary SQLite databases under
 * /tmp (removed at the end), a small organisation tree with one person per
 * role, actors loaded the way the server loads them, and short ways to file
 * and move incidents through the real domain functions.
 *
 * Building the people costs one Argon2id hash each (about 30 ms), so a test
 * file builds the world once (world_build, in its group setup) and every test
 * works on a byte copy of that database (world_open).
 */
#ifndef UNGCUU_TESTLIB_H
#define UNGCUU_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>

#include "base/err.h"
#include "base/timeutil.h"
#include "domain/domain.h"
#include "store/store.h"

/* A database in its own temporary directory. */
struct tdb {
	char dir[64];
	char path[128];
	struct store *db;
};

/* An empty, migrated database. Fails the test on error. */
void tdb_new(struct tdb *t);
/* A new database holding a copy of the (closed) database file src. */
void tdb_clone(struct tdb *t, const char *src);
/* Closes (if open) and removes the directory with everything in it. */
void tdb_free(struct tdb *t);
/* A fresh PostgreSQL database for one test on the server of
 * $UNGCUU_TEST_PG (which must be set): NAME_PID dropped if left over and
 * created, its URL into url (n bytes). Returns the connection to the
 * server's postgres database, for tpg_drop; fails the test on error. */
struct store *tpg_create(const char *name, char *url, size_t n);
/* Drops what tpg_create made and closes admin. */
void tpg_drop(struct store *admin, const char *url);
/* Counts rows: "SELECT COUNT(*) FROM ..." with sql being what follows FROM. */
long long tdb_count(struct store *db, const char *from_where);
/* One integer / text column of the first row of sql (no parameters). */
long long tdb_int(struct store *db, const char *sql);
/* Into out (n bytes); "" when there is no row or the value is NULL. */
char *tdb_text(struct store *db, const char *sql, char *out, size_t n);

/* The password every world user has. */
#define WORLD_PASSWORD "mat-khau-du-dai-1"

/* Indexes of the single-role people of the district (bit order of enum role). */
enum { R_REPORTER, R_FOCAL, R_COORDINATOR, R_RESPONDER, R_LEADER, R_ADMIN, R__COUNT };

/*
 * The world: vncert (national, response team) > tinh (province, response
 * team) > pq (district) > xa-a, xa-b (communes).
 *   role[i]   "d-<role>" at pq with exactly that one role;
 *   cr        "cr" at pq, coordinator and responder (walks incidents);
 *   rep_a     "rep-a" at xa-a, reporter and focal (files incidents);
 *   coord_b   "coord-b" at xa-b, coordinator of another commune;
 *   rep_b     "rep-b" at xa-b, reporter.
 */
struct world {
	struct tdb tmpl;          /* the template database (closed) */
	struct rules rules;
	struct actor sys;
	struct actor role[R__COUNT];
	struct actor cr, rep_a, coord_b, rep_b;
};

extern struct world W;

/* Group setup/teardown: builds and removes the template. */
int world_build(void **state);
int world_destroy(void **state);
/* Per test: a copy of the template, opened, in *state (a struct tdb). */
int world_open(void **state);
int world_close(void **state);

/* Loads an actor from the database the way auth_resolve fills one. */
void t_actor(struct store *db, const char *username, struct actor *a);
/* Adds an organisation / a user as the system actor; fails the test on error. */
void t_org(struct ctx *sys, const char *code, const char *kind, const char *parent,
	   int response_team);
void t_user(struct ctx *sys, const char *username, const char *org, unsigned roles);

struct ctx t_ctx(struct store *db, const struct actor *a);

/* A minimal valid initial report, detected an hour before time_now_ms(). */
json_t *t_report_body(void);
/* Files t_report_body() (plus the fields of extra, may be NULL) as c; the id
 * goes to id; returns the version. Fails the test on error. */
long long t_create(struct ctx *c, json_t *extra, char id[UUID_LEN]);
/* Moves an incident; the body is {"to": to} plus the fields of extra (stolen,
 * may be NULL). Returns the error code (E_OK on success) and on success sets
 * *version to the new one. */
int t_move(struct ctx *c, const char *id, long long *version, const char *to,
	   json_t *extra);
/* What a body must carry for the move into `to` (reason, severity, closing). */
json_t *t_needs(const char *to);
/* Walks a fresh incident (filed by rep_a, moved by cr) to state `to`. */
long long t_walk_to(struct store *db, int state, char id[UUID_LEN]);
/* The status and version as stored. */
void t_status(struct store *db, const char *id, char status[32], long long *version);

/* The whole of dir/rel, NUL-terminated (caller frees); fails the test if
 * the file cannot be read. */
char *t_slurp(const char *dir, const char *rel, size_t *n);

/* The code of a state (the table in incident.c is private). */
const char *t_state_code(int state);

#endif
