/*
 * fuzz_incident.c - a request body as POST /api/v1/incidents gets it: the
 * bytes go through jv_parse (limits, duplicates, UTF-8, depth) and, when they
 * parse, through incident_create (table validation, the detection time,
 * scope of org_code, filing, rendering, the audit entry) on an in-memory
 * SQLite database set up once. A filed incident is then edited with the same
 * body (incident_update, under If-Match) and the database emptied again so
 * that memory does not grow with the run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/crypto.h"
#include "base/jsonv.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/msg.h"
#include "base/timeutil.h"
#include "domain/incident/incident.h"
#include "domain/ioc/indicator.h"
#include "domain/directory/org.h"
#include "domain/directory/user.h"
#include "store/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static struct store *db;
static struct rules rules;
static struct actor reporter;

static void die(const char *what, const struct err *e)
{
	fprintf(stderr, "fuzz_incident setup: %s failed (code %d, %s)\n", what, e->code,
		e->arg);
	exit(1);
}

static void load_actor(const char *username, struct actor *a)
{
	struct err e = { 0 };
	struct stmt *st = store_query(db, &e, "SELECT u.id, u.roles, u.org_id, o.path FROM users u "
				      "JOIN orgs o ON o.id = u.org_id WHERE u.username = $1", "t",
				      username);
	if (st == NULL || stmt_step(st, &e) != 1)
		die("load actor", &e);
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", stmt_text(st, 0));
	snprintf(a->username, sizeof(a->username), "%s", username);
	a->roles = (unsigned)roles_parse(stmt_text(st, 1));
	snprintf(a->org_id, sizeof(a->org_id), "%s", stmt_text(st, 2));
	snprintf(a->org_path, sizeof(a->org_path), "%s", stmt_text(st, 3));
	stmt_done(st);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	indicator_observables_install(); /* as main() does */
	(void)argc;
	(void)argv;
	struct err e = { 0 };
	struct actor sys;
	log_set_level(LOG_ERROR);
	if (crypto_init() != 0)
		die("crypto_init", &e);
	/* A fixed clock: the same input always takes the same path. */
	time_set_fake_now(1795490100000LL); /* 2026-11-24T03:15:00Z */
	rules_default(&rules);
	actor_system(&sys);
	db = store_open(":memory:", &e);
	if (db == NULL || store_migrate(db, &e) < 0)
		die("database", &e);
	struct ctx c = { .db = db, .rules = &rules, .actor = &sys };
	static const struct org_new orgs[] = {
		{ "pq", "UBND huyện Phú Quý", "district", NULL, "", 0 },
		{ "pq-tamthanh", "UBND xã Tam Thanh", "commune", "pq", "", 0 },
		{ "pq-longhai", "UBND xã Long Hải", "commune", "pq", "", 0 },
	};
	for (size_t i = 0; i < sizeof(orgs) / sizeof(orgs[0]); i++)
		if (org_add(&c, &orgs[i], NULL, &e) != 0)
			die("org_add", &e);
	/* A focal point of the district: may file for any commune and edit. */
	struct user_new u = { .username = "tamthanh", .password = "mat-khau-fuzz-1",
			      .org_code = "pq", .roles = ROLE_REPORTER | ROLE_FOCAL };
	if (user_add(&c, &u, NULL, &e) != 0)
		die("user_add", &e);
	load_actor("tamthanh", &reporter);
	return 0;
}

/* Empties what filing and editing wrote, so every input starts alike. */
static void forget(void)
{
	struct err e = { 0 };
	if (store_exec(db, "DELETE FROM events; DELETE FROM deadlines; DELETE FROM incidents; "
		       "DELETE FROM counters; DELETE FROM audit_log WHERE action LIKE 'incident.%'; "
		       "UPDATE meta SET value = (SELECT hash FROM audit_log ORDER BY seq DESC "
		       "LIMIT 1) WHERE key = 'audit_head'", &e) != 0)
		die("forget", &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct err e = { 0 };
	/* The body as the server holds it: a copy in the request arena. */
	struct arena *a = arena_new(LIMIT_REQ_ARENA + LIMIT_JSON_BODY);
	if (a == NULL || n > LIMIT_JSON_BODY) {
		arena_free(a);
		return 0;
	}
	char *body = arena_alloc(a, n ? n : 1);
	if (body == NULL) {
		arena_free(a);
		return 0;
	}
	memcpy(body, d, n);
	json_t *j = jv_parse(body, n, &e);
	if (j == NULL) {
		if (e.code != E_MALFORMED)
			abort();
		arena_free(a);
		return 0;
	}
	struct ctx c = { .db = db, .rules = &rules, .actor = &reporter, .lang = LANG_EN };
	json_t *inc = incident_create(&c, j, &e);
	if (inc == NULL) {
		/* Refused input is a field error (or out of scope), never a 500. */
		if (e.code != E_INVALID && e.code != E_NOTFOUND && e.code != E_FORBIDDEN)
			abort();
	} else {
		const char *id = json_string_value(json_object_get(inc, "id"));
		json_int_t v = json_integer_value(json_object_get(inc, "version"));
		if (id == NULL || v != 1)
			abort();
		/* The same report edited (PATCH takes no type or organisation). */
		json_t *patch = json_deep_copy(j);
		json_object_del(patch, "type");
		json_object_del(patch, "org_code");
		struct err e2 = { 0 };
		json_t *upd = incident_update(&c, id, v, patch, &e2);
		if (upd == NULL && e2.code != E_INVALID)
			abort();
		if (upd && json_integer_value(json_object_get(upd, "version")) != v + 1)
			abort();
		json_decref(upd);
		json_decref(patch);
		json_decref(inc);
		forget();
	}
	json_decref(j);
	arena_free(a);
	return 0;
}
