/*
 * fuzz_search.c - the queue's search text (GET /incidents?q=, at most 200
 * bytes) -> incident_fts_query -> MATCH against an FTS5 table made like
 * migration 008's. Whatever a person types must be plain words to FTS5:
 * an FTS5 syntax error (an operator, a column filter, an unbalanced quote
 * reaching the engine) aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "domain/incident/incident.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static sqlite3 *db;
static sqlite3_stmt *match;

static void setup(void)
{
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE VIRTUAL TABLE f USING fts5(number, title, description, "
			 "observables, comments, tokenize = 'unicode61 remove_diacritics 2');"
			 "INSERT INTO f VALUES ('PQ-2026-0001', 'Thay doi giao diện', 'NEAR OR AND', "
			 "'198.51.100.7', 'col:title \"x\"');", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT rowid FROM f WHERE f MATCH ?1", -1, &match, NULL) != SQLITE_OK)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	char q[201], out[1024];
	struct err e = { 0 };
	if (db == NULL)
		setup();
	if (n > 200)
		n = 200;   /* the API refuses more (422) */
	memcpy(q, d, n);
	q[n] = '\0';
	int terms = incident_fts_query(q, out, sizeof(out), &e);
	if (terms < 0)
		return 0;   /* refused with a field error: too many words */
	if (terms > 16 || (terms == 0) != (out[0] == '\0'))
		abort();
	if (terms == 0)
		return 0;
	sqlite3_bind_text(match, 1, out, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(match)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "query %s -> %s\n", out, sqlite3_errmsg(db));
		abort();
	}
	sqlite3_reset(match);
	return 0;
}
