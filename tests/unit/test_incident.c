/*
 * test_incident.c - the incident process (domain/incident.c): the transition
 * table against regulation.md §13, written out again here on its own, for
 * every (from, to) pair and every role; then the real domain functions on a
 * temporary database: filing, the walk to closed and the reopenings, the
 * refusals (409, 403, 412, 428, 422) that must change nothing, scope
 * (another commune sees "not found"), editing and listing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/limits.h"
#include "domain/incident/incident.h"
#include "domain/directory/policy.h"

/* ---- regulation.md §13, independently of src/domain/incident.c ---- */

#define COORD ROLE_COORDINATOR
#define RESP ROLE_RESPONDER

struct expected_move {
	const char *from, *to;
	unsigned roles;
	unsigned needs;
};

static const struct expected_move allowed[] = {
	{ "received", "acknowledged", COORD, 0 },
	{ "acknowledged", "verified", COORD, 0 },
	{ "acknowledged", "rejected", COORD, NEED_REASON },
	{ "verified", "classified", COORD, NEED_SEVERITY },
	{ "classified", "containing", COORD | RESP, 0 },
	{ "containing", "eradicating", RESP, 0 },
	{ "eradicating", "recovering", RESP, 0 },
	{ "recovering", "containing", RESP, 0 },
	{ "recovering", "reviewing", COORD, 0 },
	{ "reviewing", "closed", COORD, NEED_CLOSING },
	{ "rejected", "received", COORD, NEED_REASON },
	{ "closed", "containing", COORD, NEED_REASON },
};
#define N_ALLOWED (sizeof(allowed) / sizeof(allowed[0]))

static const char *const states[] = {
	"received", "acknowledged", "verified", "rejected", "classified",
	"containing", "eradicating", "recovering", "reviewing", "closed",
};
#define N_STATES 10

static const char *const role_name[R__COUNT] = {
	"reporter", "focal", "coordinator", "responder", "leader", "admin"
};

static int state_index(const char *code)
{
	for (int i = 0; i < N_STATES; i++)
		if (strcmp(states[i], code) == 0)
			return i;
	fail_msg("unknown state %s", code);
	return -1;
}

static const struct expected_move *expected(int from, int to)
{
	for (size_t i = 0; i < N_ALLOWED; i++)
		if (state_index(allowed[i].from) == from && state_index(allowed[i].to) == to)
			return &allowed[i];
	return NULL;
}

static void test_state_codes(void **state)
{
	(void)state;
	assert_int_equal(ST__COUNT, N_STATES);
	for (int i = 0; i < N_STATES; i++) {
		assert_int_equal(incident_state_from(states[i]), i);
		assert_string_equal(incident_state_labels[i].code, states[i]);
		assert_string_equal(t_state_code(i), states[i]);
	}
	assert_null(incident_state_labels[N_STATES].code);
	assert_int_equal(incident_state_from("open"), -1);
	assert_int_equal(incident_state_from("Received"), -1);
	assert_int_equal(incident_state_from(""), -1);
	assert_int_equal(incident_state_from(NULL), -1);
}

/* Every one of the 100 pairs: the row exists exactly when §13 allows it,
 * and then each of the 6 roles may make it exactly when §13 says. */
static void test_table_every_pair_every_role(void **state)
{
	(void)state;
	int rows = 0;
	for (int from = 0; from < N_STATES; from++) {
		for (int to = 0; to < N_STATES; to++) {
			const struct transition *t = incident_transition_find(from, to);
			const struct expected_move *x = expected(from, to);
			if (x == NULL) {
				if (t != NULL)
					fail_msg("%s -> %s is in the table but §13 refuses it",
						 states[from], states[to]);
				continue;
			}
			if (t == NULL)
				fail_msg("%s -> %s is allowed by §13 but missing",
					 states[from], states[to]);
			rows++;
			assert_int_equal(t->from, from);
			assert_int_equal(t->to, to);
			assert_int_equal(t->needs, x->needs);
			for (int r = 0; r < R__COUNT; r++) {
				int may = (t->roles & (1u << r)) != 0;
				int should = (x->roles & (1u << r)) != 0;
				if (may != should)
					fail_msg("%s -> %s by %s: table says %d, §13 says %d",
						 states[from], states[to], role_name[r], may, should);
			}
			assert_int_equal(t->roles, x->roles);
		}
	}
	assert_int_equal(rows, N_ALLOWED);
	assert_int_equal(incident_transitions_count, N_ALLOWED);
	assert_null(incident_transition_find(-1, ST_RECEIVED));
	assert_null(incident_transition_find(ST_RECEIVED, -1));
	assert_null(incident_transition_find(N_STATES, ST_RECEIVED));
	assert_null(incident_transition_find(ST_RECEIVED, N_STATES));
}

/* GET /meta hands clients the same table. */
static void test_meta_lists_the_table(void **state)
{
	(void)state;
	json_t *m = incident_meta();
	assert_non_null(m);
	json_t *tr = json_object_get(m, "transitions");
	assert_int_equal(json_array_size(tr), N_ALLOWED);
	for (size_t i = 0; i < N_ALLOWED; i++) {
		json_t *row = json_array_get(tr, i);
		const char *from = json_string_value(json_object_get(row, "from"));
		const char *to = json_string_value(json_object_get(row, "to"));
		const struct expected_move *x = expected(state_index(from), state_index(to));
		assert_non_null(x);
		json_t *roles = json_object_get(row, "roles");
		unsigned bits = 0;
		size_t k;
		json_t *v;
		json_array_foreach(roles, k, v) {
			int found = 0;
			for (int r = 0; r < R__COUNT; r++)
				if (strcmp(role_name[r], json_string_value(v)) == 0) {
					bits |= 1u << r;
					found = 1;
				}
			assert_true(found);
		}
		assert_int_equal(bits, x->roles);
		assert_int_equal(json_array_size(json_object_get(row, "needs")),
				 (x->needs & NEED_REASON ? 1 : 0) + (x->needs & NEED_SEVERITY ? 1 : 0) +
				 (x->needs & NEED_CLOSING ? 1 : 0));
	}
	assert_int_equal(json_array_size(json_object_get(m, "states")), N_STATES);
	json_decref(m);
}

/* ---- on a database ---- */

struct snap {
	char status[32];
	long long version, events, audit, reports, deadlines;
};

static void snap(struct store *db, const char *id, struct snap *s)
{
	char where[128];
	t_status(db, id, s->status, &s->version);
	snprintf(where, sizeof(where), "events WHERE incident_id = '%s'", id);
	s->events = tdb_count(db, where);
	snprintf(where, sizeof(where), "reports WHERE incident_id = '%s'", id);
	s->reports = tdb_count(db, where);
	snprintf(where, sizeof(where), "deadlines WHERE incident_id = '%s'", id);
	s->deadlines = tdb_count(db, where);
	s->audit = tdb_count(db, "audit_log");
}

static void assert_unchanged(struct store *db, const char *id, const struct snap *before)
{
	struct snap now;
	snap(db, id, &now);
	assert_string_equal(now.status, before->status);
	assert_int_equal(now.version, before->version);
	assert_int_equal(now.events, before->events);
	assert_int_equal(now.audit, before->audit);
	assert_int_equal(now.reports, before->reports);
	assert_int_equal(now.deadlines, before->deadlines);
}

/* A move whose outcome must be `code` (not E_OK) and change nothing. */
static void refused(struct ctx *c, const char *id, long long v, const char *to,
		    json_t *extra, int code)
{
	struct snap s;
	snap(c->db, id, &s);
	long long v2 = v;
	int rc = t_move(c, id, &v2, to, extra);
	if (rc != code)
		fail_msg("%s -> %s by %s: got %d, expected %d", s.status, to,
			 c->actor->username, rc, code);
	assert_int_equal(v2, v);
	assert_unchanged(c->db, id, &s);
}

static void test_create(void **state)
{
	struct tdb *t = *state;
	struct ctx rep = t_ctx(t->db, &W.rep_a);
	struct err e = { 0 };
	char id[UUID_LEN];

	time_set_fake_now(1780000000000LL); /* 2026-05-28 */
	long long v = t_create(&rep, NULL, id);
	assert_int_equal(v, 1);
	json_t *inc = incident_get(&rep, id, 1, &e);
	assert_non_null(inc);
	assert_string_equal(json_string_value(json_object_get(inc, "status")), "received");
	assert_string_equal(json_string_value(json_object_get(inc, "number")), "PQ-2026-0001");
	assert_string_equal(json_string_value(json_object_get(inc, "tlp")), "AMBER");
	assert_string_equal(json_string_value(json_object_get(json_object_get(inc, "org"),
							       "code")), "xa-a");
	assert_string_equal(json_string_value(json_object_get(json_object_get(inc,
			    "created_by"), "username")), "rep-a");
	assert_int_equal(json_array_size(json_object_get(inc, "timeline")), 1);
	/* A reporter may not move it. */
	assert_int_equal(json_array_size(json_object_get(inc, "allowed_transitions")), 0);
	json_decref(inc);

	/* The next number of the year; TLP: asked-for, but confidential forces AMBER. */
	json_t *x = json_pack("{s:s, s:b}", "tlp", "GREEN", "confidential", 1);
	t_create(&rep, x, id);
	json_decref(x);
	inc = incident_get(&rep, id, 0, &e);
	assert_string_equal(json_string_value(json_object_get(inc, "number")), "PQ-2026-0002");
	assert_string_equal(json_string_value(json_object_get(inc, "tlp")), "AMBER");
	assert_true(json_is_true(json_object_get(inc, "confidential")));
	json_decref(inc);
	x = json_pack("{s:s, s:b}", "tlp", "RED", "confidential", 1);
	t_create(&rep, x, id);
	json_decref(x);
	inc = incident_get(&rep, id, 0, &e);
	assert_string_equal(json_string_value(json_object_get(inc, "tlp")), "RED");
	json_decref(inc);
	x = json_pack("{s:s}", "tlp", "CLEAR");
	t_create(&rep, x, id);
	json_decref(x);
	inc = incident_get(&rep, id, 0, &e);
	assert_string_equal(json_string_value(json_object_get(inc, "tlp")), "CLEAR");
	json_decref(inc);

	/* The district files for a commune below it. */
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	x = json_pack("{s:s}", "org_code", "xa-b");
	t_create(&coord, x, id);
	json_decref(x);
	inc = incident_get(&coord, id, 0, &e);
	assert_string_equal(json_string_value(json_object_get(json_object_get(inc, "org"),
							       "code")), "xa-b");
	json_decref(inc);
	assert_int_equal(tdb_count(t->db, "incidents"), 5);
	/* Each filing is one audit entry. */
	assert_int_equal(tdb_count(t->db, "audit_log WHERE action = 'incident.create'"), 5);
}

/* One bad initial report; nothing may be stored. */
static void create_refused(struct ctx *c, json_t *body, int code, const char *pointer)
{
	struct err e = { 0 };
	long long n = tdb_count(c->db, "incidents"), a = tdb_count(c->db, "audit_log");
	json_t *inc = incident_create(c, body, &e);
	json_decref(body);
	if (inc != NULL) {
		json_decref(inc);
		fail_msg("filed although it should be refused (%s)", pointer ? pointer : "-");
	}
	assert_int_equal(e.code, code);
	if (pointer) {
		int found = 0;
		for (int i = 0; i < e.nfields; i++)
			found |= strcmp(e.fields[i].pointer, pointer) == 0;
		if (!found)
			fail_msg("no field error at %s (first: %s)", pointer,
				 e.nfields ? e.fields[0].pointer : "none");
	}
	assert_int_equal(tdb_count(c->db, "incidents"), n);
	assert_int_equal(tdb_count(c->db, "audit_log"), a);
}

static json_t *body_with(const char *key, json_t *v)
{
	json_t *b = t_report_body();
	if (v)
		json_object_set_new(b, key, v);
	else
		json_object_del(b, key);
	return b;
}

static json_t *str_of(size_t n, char ch)
{
	char *s = malloc(n + 1);
	assert_non_null(s);
	memset(s, ch, n);
	s[n] = '\0';
	json_t *j = json_string(s);
	free(s);
	return j;
}

static void test_create_refusals(void **state)
{
	struct tdb *t = *state;
	struct ctx rep = t_ctx(t->db, &W.rep_a);
	char at[TIME_RFC3339_LEN], id[UUID_LEN];

	create_refused(&rep, body_with("title", NULL), E_INVALID, "/title");
	create_refused(&rep, body_with("description", NULL), E_INVALID, "/description");
	create_refused(&rep, body_with("detected_at", NULL), E_INVALID, "/detected_at");
	create_refused(&rep, body_with("type", NULL), E_INVALID, "/type");
	create_refused(&rep, body_with("title", json_string("")), E_INVALID, "/title");
	create_refused(&rep, body_with("title", json_null()), E_INVALID, "/title");
	create_refused(&rep, body_with("title", json_integer(3)), E_INVALID, "/title");
	create_refused(&rep, body_with("type", json_string("virus")), E_INVALID, "/type");
	create_refused(&rep, body_with("detected_at", json_string("yesterday")), E_INVALID,
		       "/detected_at");
	create_refused(&rep, body_with("tlp", json_string("WHITE")), E_INVALID, "/tlp");
	create_refused(&rep, body_with("colour", json_string("red")), E_INVALID, "/colour");
	create_refused(&rep, body_with("system", json_pack("{s:i}", "level", 6)), E_INVALID,
		       "/system/level");
	create_refused(&rep, body_with("org_code", json_string("xa-b")), E_INVALID, "/org_code");
	create_refused(&rep, body_with("org_code", json_string("nowhere")), E_INVALID,
		       "/org_code");

	/* Limits at max and max + 1. */
	create_refused(&rep, body_with("title", str_of(LIMIT_SHORT_TEXT + 1, 'a')), E_INVALID,
		       "/title");
	create_refused(&rep, body_with("description", str_of(LIMIT_LONG_TEXT + 1, 'a')),
		       E_INVALID, "/description");
	json_t *x = json_pack("{s:o, s:o}", "title", str_of(LIMIT_SHORT_TEXT, 'a'),
			      "description", str_of(LIMIT_LONG_TEXT, 'a'));
	t_create(&rep, x, id);
	json_decref(x);

	/* Detection in the future: 10 minutes of clock skew are tolerated. */
	time_set_fake_now(1780000000000LL);
	int64_t now = time_now_ms();
	create_refused(&rep, body_with("detected_at",
		json_string(time_format_utc(now + 600000 + 1, at))), E_INVALID, "/detected_at");
	x = json_pack("{s:s}", "detected_at", time_format_utc(now + 600000, at));
	t_create(&rep, x, id);
	json_decref(x);

	/* Roles: a leader reads, never files. */
	struct ctx leader = t_ctx(t->db, &W.role[R_LEADER]);
	create_refused(&leader, t_report_body(), E_FORBIDDEN, NULL);
	struct ctx admin = t_ctx(t->db, &W.role[R_ADMIN]);
	create_refused(&admin, t_report_body(), E_FORBIDDEN, NULL);
	for (int r = R_REPORTER; r <= R_RESPONDER; r++) {
		struct ctx c = t_ctx(t->db, &W.role[r]);
		t_create(&c, NULL, id);
	}
}

/* The whole walk with single-role people, each move by the role §13 names. */
static void test_walk_to_closed_and_reopen(void **state)
{
	struct tdb *t = *state;
	struct ctx rep = t_ctx(t->db, &W.rep_a);
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct ctx resp = t_ctx(t->db, &W.role[R_RESPONDER]);
	struct err e = { 0 };
	char id[UUID_LEN], status[32];
	long long v = t_create(&rep, NULL, id), stored;
	static const struct { const char *to; int by_responder; } walk[] = {
		{ "acknowledged", 0 }, { "verified", 0 }, { "classified", 0 },
		{ "containing", 1 }, { "eradicating", 1 }, { "recovering", 1 },
		{ "containing", 1 }, { "eradicating", 1 }, { "recovering", 1 },
		{ "reviewing", 0 }, { "closed", 0 },
		{ "containing", 0 }, { "eradicating", 1 }, { "recovering", 1 },
		{ "reviewing", 0 }, { "closed", 0 },
	};
	for (size_t i = 0; i < sizeof(walk) / sizeof(walk[0]); i++) {
		struct ctx *c = walk[i].by_responder ? &resp : &coord;
		long long before = v;
		long long events = tdb_count(t->db, "events"), audit = tdb_count(t->db, "audit_log");
		assert_int_equal(t_move(c, id, &v, walk[i].to, t_needs(walk[i].to)), E_OK);
		assert_int_equal(v, before + 1);
		t_status(t->db, id, status, &stored);
		assert_string_equal(status, walk[i].to);
		assert_int_equal(stored, v);
		assert_int_equal(tdb_count(t->db, "events"), events + 1);
		assert_int_equal(tdb_count(t->db, "audit_log"), audit + 1);
	}
	json_t *inc = incident_get(&coord, id, 1, &e);
	assert_non_null(inc);
	assert_string_equal(json_string_value(json_object_get(inc, "severity")), "medium");
	assert_string_equal(json_string_value(json_object_get(json_object_get(inc,
			    "closing_report"), "summary")), "Đã khắc phục");
	/* Closing writes Mẫu 04 but sends nothing: no report is recorded as
	 * sent until someone records sending it (issue 12). */
	assert_int_equal(json_array_size(json_object_get(inc, "reports")), 0);
	/* From closed the coordinator may only reopen. */
	json_t *allowed_now = json_object_get(inc, "allowed_transitions");
	assert_int_equal(json_array_size(allowed_now), 1);
	assert_string_equal(json_string_value(json_array_get(allowed_now, 0)), "containing");
	json_decref(inc);
	inc = incident_get(&resp, id, 0, &e);
	assert_int_equal(json_array_size(json_object_get(inc, "allowed_transitions")), 0);
	json_decref(inc);

	/* Rejected and reopened: the reason is kept, then cleared. */
	v = t_create(&rep, NULL, id);
	assert_int_equal(t_move(&coord, id, &v, "acknowledged", NULL), E_OK);
	assert_int_equal(t_move(&coord, id, &v, "rejected", t_needs("rejected")), E_OK);
	inc = incident_get(&coord, id, 0, &e);
	assert_string_equal(json_string_value(json_object_get(inc, "reject_reason")),
			    "Không phải sự cố");
	json_decref(inc);
	assert_int_equal(t_move(&coord, id, &v, "received", t_needs("received")), E_OK);
	inc = incident_get(&coord, id, 0, &e);
	assert_true(json_is_null(json_object_get(inc, "reject_reason")));
	assert_string_equal(json_string_value(json_object_get(inc, "status")), "received");
	json_decref(inc);
	assert_int_equal(t_move(&coord, id, &v, "acknowledged", NULL), E_OK);
}

/* All 88 refused pairs (including staying put) answer 409 from every state,
 * even for someone holding both working roles, and change nothing. */
static void test_every_refused_pair_is_409(void **state)
{
	struct tdb *t = *state;
	struct ctx cr = t_ctx(t->db, &W.cr);
	int refusals = 0;
	for (int from = 0; from < N_STATES; from++) {
		char id[UUID_LEN];
		long long v = t_walk_to(t->db, from, id);
		for (int to = 0; to < N_STATES; to++) {
			if (expected(from, to))
				continue;
			refused(&cr, id, v, states[to], t_needs(states[to]), E_CONFLICT);
			refusals++;
		}
	}
	assert_int_equal(refusals, N_STATES * N_STATES - (int)N_ALLOWED);
}

/* Every allowed pair tried by each of the 6 roles: the roles §13 names move
 * the incident, the others get 403 and change nothing. */
static void test_every_allowed_pair_every_role(void **state)
{
	struct tdb *t = *state;
	for (size_t i = 0; i < N_ALLOWED; i++) {
		int from = state_index(allowed[i].from);
		char id[UUID_LEN], status[32];
		long long v = t_walk_to(t->db, from, id), stored;
		for (int r = 0; r < R__COUNT; r++) {
			if (allowed[i].roles & (1u << r))
				continue;
			struct ctx c = t_ctx(t->db, &W.role[r]);
			refused(&c, id, v, allowed[i].to, t_needs(allowed[i].to), E_FORBIDDEN);
		}
		for (int r = 0; r < R__COUNT; r++) {
			if (!(allowed[i].roles & (1u << r)))
				continue;
			struct ctx c = t_ctx(t->db, &W.role[r]);
			long long v2 = v;
			int rc = t_move(&c, id, &v2, allowed[i].to, t_needs(allowed[i].to));
			if (rc != E_OK)
				fail_msg("%s -> %s by %s refused with %d", allowed[i].from,
					 allowed[i].to, role_name[r], rc);
			assert_int_equal(v2, v + 1);
			t_status(t->db, id, status, &stored);
			assert_string_equal(status, allowed[i].to);
			/* A second allowed role needs the incident back where it was. */
			v = t_walk_to(t->db, from, id);
		}
	}
}

static void test_if_match_428_412(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	char id[UUID_LEN];
	long long v = t_walk_to(t->db, ST_RECEIVED, id);
	refused(&coord, id, -1, "acknowledged", NULL, E_PRECOND_REQ);
	refused(&coord, id, v - 1, "acknowledged", NULL, E_PRECOND);
	refused(&coord, id, v + 1, "acknowledged", NULL, E_PRECOND);
	refused(&coord, id, 0, "acknowledged", NULL, E_PRECOND);
	/* Two coordinators saw version v; the second one is told it is stale. */
	long long first = v, second = v;
	assert_int_equal(t_move(&coord, id, &first, "acknowledged", NULL), E_OK);
	refused(&coord, id, second, "verified", NULL, E_PRECOND);
	assert_int_equal(t_move(&coord, id, &first, "verified", NULL), E_OK);
	/* If-Match is checked before the body: a missing one wins over a bad body. */
	refused(&coord, id, -1, "classified", NULL, E_PRECOND_REQ);
}

static void test_invalid_bodies_422(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	char id[UUID_LEN];
	struct err e = { 0 };

	long long v = t_walk_to(t->db, ST_ACKNOWLEDGED, id);
	/* No "to", an unknown state, an unknown field, wrong types. */
	struct snap s;
	snap(t->db, id, &s);
	json_t *b = json_object();
	assert_null(incident_transition(&coord, id, v, b, &e));
	assert_int_equal(e.code, E_INVALID);
	assert_string_equal(e.fields[0].pointer, "/to");
	json_decref(b);
	assert_unchanged(t->db, id, &s);
	refused(&coord, id, v, "open", NULL, E_INVALID);
	refused(&coord, id, v, "verified", json_pack("{s:s}", "colour", "red"), E_INVALID);
	refused(&coord, id, v, "verified", json_pack("{s:i}", "note", 5), E_INVALID);
	/* Reject needs a reason, and a non-empty one; the reason is at most 2000 bytes. */
	refused(&coord, id, v, "rejected", NULL, E_INVALID);
	refused(&coord, id, v, "rejected", json_pack("{s:s}", "reason", ""), E_INVALID);
	refused(&coord, id, v, "rejected", json_pack("{s:n}", "reason"), E_INVALID);
	refused(&coord, id, v, "rejected", json_pack("{s:o}", "reason", str_of(2001, 'r')),
		E_INVALID);
	long long v2 = v;
	assert_int_equal(t_move(&coord, id, &v2, "rejected",
				json_pack("{s:o}", "reason", str_of(2000, 'r'))), E_OK);

	v = t_walk_to(t->db, ST_VERIFIED, id);
	refused(&coord, id, v, "classified", NULL, E_INVALID);
	refused(&coord, id, v, "classified", json_pack("{s:s}", "severity", "huge"), E_INVALID);
	refused(&coord, id, v, "classified", json_pack("{s:s, s:s}", "severity", "low",
						       "type", "virus"), E_INVALID);
	refused(&coord, id, v, "classified", json_pack("{s:s, s:s}", "severity", "low",
						       "serious", "yes"), E_INVALID);
	v2 = v;
	assert_int_equal(t_move(&coord, id, &v2, "classified",
				json_pack("{s:s, s:s}", "severity", "low", "type", "malware")), E_OK);
	json_t *inc = incident_get(&coord, id, 0, &e);
	assert_string_equal(json_string_value(json_object_get(inc, "type")), "malware");
	json_decref(inc);

	v = t_walk_to(t->db, ST_REVIEWING, id);
	refused(&coord, id, v, "closed", NULL, E_INVALID);
	refused(&coord, id, v, "closed", json_pack("{s:{}}", "closing_report"), E_INVALID);
	refused(&coord, id, v, "closed", json_pack("{s:{s:s}}", "closing_report", "summary", ""),
		E_INVALID);
	refused(&coord, id, v, "closed", json_pack("{s:{s:s, s:s}}", "closing_report",
						   "summary", "x", "verdict", "y"), E_INVALID);
	refused(&coord, id, v, "closed", json_pack("{s:s}", "closing_report", "done"), E_INVALID);
	refused(&coord, id, v, "closed", json_pack("{s:{s:o}}", "closing_report", "summary",
						   str_of(LIMIT_LONG_TEXT + 1, 's')), E_INVALID);

	v = t_walk_to(t->db, ST_CLOSED, id);
	refused(&coord, id, v, "containing", NULL, E_INVALID);
	refused(&coord, id, v, "containing", json_pack("{s:s}", "reason", ""), E_INVALID);
	v = t_walk_to(t->db, ST_REJECTED, id);
	refused(&coord, id, v, "received", NULL, E_INVALID);
}

static void test_scope_other_commune_not_found(void **state)
{
	struct tdb *t = *state;
	struct ctx coord_b = t_ctx(t->db, &W.coord_b), rep_b = t_ctx(t->db, &W.rep_b);
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct err e = { 0 };
	char id[UUID_LEN], fake[UUID_LEN];
	long long v = t_walk_to(t->db, ST_RECEIVED, id);

	struct ctx *outsiders[] = { &coord_b, &rep_b };
	for (int i = 0; i < 2; i++) {
		struct ctx *c = outsiders[i];
		err_clear(&e);
		assert_null(incident_get(c, id, 1, &e));
		assert_int_equal(e.code, E_NOTFOUND);
		/* Not found comes before every other check: no If-Match, no body. */
		refused(c, id, v, "acknowledged", NULL, E_NOTFOUND);
		refused(c, id, -1, "acknowledged", NULL, E_NOTFOUND);
		refused(c, id, v, "nonsense", NULL, E_NOTFOUND);
		json_t *b = json_pack("{s:s}", "title", "x");
		err_clear(&e);
		assert_null(incident_update(c, id, v, b, &e));
		assert_int_equal(e.code, E_NOTFOUND);
		json_decref(b);
		b = json_pack("{s:s}", "body", "xin chào");
		err_clear(&e);
		assert_null(incident_add_comment(c, id, b, &e));
		assert_int_equal(e.code, E_NOTFOUND);
		json_decref(b);
		b = json_pack("{s:s}", "kind", "notification");
		err_clear(&e);
		assert_null(incident_add_report(c, id, b, &e));
		assert_int_equal(e.code, E_NOTFOUND);
		json_decref(b);
		struct incident_filter f = { 0 };
		err_clear(&e);
		json_t *list = incident_list(c, &f, &e);
		assert_non_null(list);
		assert_int_equal(json_array_size(json_object_get(list, "items")), 0);
		json_decref(list);
	}
	/* Ids that do not exist, or are not ids, are not found either. */
	uuid7(fake);
	err_clear(&e);
	assert_null(incident_get(&coord, fake, 0, &e));
	assert_int_equal(e.code, E_NOTFOUND);
	err_clear(&e);
	assert_null(incident_get(&coord, "../../etc/passwd", 0, &e));
	assert_int_equal(e.code, E_NOTFOUND);

	/* The other commune's coordinator cannot be assigned to it (issue 11:
	 * only people of the incident's organisation or above it), so
	 * assignment opens nothing to another commune. */
	json_t *b = json_pack("{s:s}", "user_id", W.coord_b.id);
	err_clear(&e);
	assert_null(incident_assign(&coord, id, b, &e));
	json_decref(b);
	assert_int_equal(e.code, E_INVALID);
	assert_string_equal(e.fields[0].pointer, "/user_id");
	err_clear(&e);
	assert_null(incident_get(&coord_b, id, 0, &e));
	assert_int_equal(e.code, E_NOTFOUND);
	err_clear(&e);
	assert_null(incident_get(&rep_b, id, 0, &e));
	assert_int_equal(e.code, E_NOTFOUND);
}

static void test_update(void **state)
{
	struct tdb *t = *state;
	struct ctx rep = t_ctx(t->db, &W.rep_a), coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct ctx reporter = t_ctx(t->db, &W.role[R_REPORTER]);
	struct err e = { 0 };
	char id[UUID_LEN];
	long long v = t_walk_to(t->db, ST_RECEIVED, id);

	json_t *b = json_pack("{s:s, s:{s:s}}", "title", "Tiêu đề mới", "system", "name",
			      "Cổng thông tin");
	json_t *inc = incident_update(&rep, id, v, b, &e);
	assert_non_null(inc);
	assert_int_equal(json_integer_value(json_object_get(inc, "version")), v + 1);
	assert_string_equal(json_string_value(json_object_get(inc, "title")), "Tiêu đề mới");
	assert_string_equal(json_string_value(json_object_get(json_object_get(inc, "system"),
							       "name")), "Cổng thông tin");
	json_decref(inc);
	v++;
	struct snap s;
	snap(t->db, id, &s);
	err_clear(&e);
	assert_null(incident_update(&rep, id, -1, b, &e));
	assert_int_equal(e.code, E_PRECOND_REQ);
	err_clear(&e);
	assert_null(incident_update(&rep, id, v - 1, b, &e));
	assert_int_equal(e.code, E_PRECOND);
	err_clear(&e);
	assert_null(incident_update(&reporter, id, v, b, &e));
	assert_int_equal(e.code, E_FORBIDDEN);
	json_decref(b);
	b = json_pack("{s:n}", "title");
	err_clear(&e);
	assert_null(incident_update(&rep, id, v, b, &e));
	assert_int_equal(e.code, E_INVALID);
	json_decref(b);
	b = json_pack("{s:s}", "status", "closed");
	err_clear(&e);
	assert_null(incident_update(&rep, id, v, b, &e));
	assert_int_equal(e.code, E_INVALID);
	json_decref(b);
	assert_unchanged(t->db, id, &s);

	/* A closed incident is not edited. */
	v = t_walk_to(t->db, ST_CLOSED, id);
	snap(t->db, id, &s);
	b = json_pack("{s:s}", "title", "muộn");
	err_clear(&e);
	assert_null(incident_update(&coord, id, v, b, &e));
	assert_int_equal(e.code, E_CONFLICT);
	json_decref(b);
	assert_unchanged(t->db, id, &s);
}

/* LIMIT_PAGE_MAX items at most per page, and the cursor walks on. */
static void test_list_pages(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct err e = { 0 };
	char id[UUID_LEN], first[UUID_LEN] = "";
	for (int i = 0; i < LIMIT_PAGE_MAX + 1; i++) {
		t_create(&coord, NULL, id);
		if (i == 0)
			snprintf(first, sizeof(first), "%s", id);
	}
	struct incident_filter f = { .limit = LIMIT_PAGE_MAX + 1 };
	json_t *page = incident_list(&coord, &f, &e);
	assert_non_null(page);
	assert_int_equal(json_array_size(json_object_get(page, "items")), LIMIT_PAGE_MAX);
	const char *cursor = json_string_value(json_object_get(page, "next_cursor"));
	assert_non_null(cursor);
	char next[UUID_LEN];
	snprintf(next, sizeof(next), "%s", cursor);
	json_decref(page);
	f.cursor = next;
	page = incident_list(&coord, &f, &e);
	assert_non_null(page);
	assert_int_equal(json_array_size(json_object_get(page, "items")), 1);
	assert_true(json_is_null(json_object_get(page, "next_cursor")));
	/* Newest first: the last page holds the first one filed. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(page, "items"), 0), "id")), first);
	json_decref(page);

	/* Filters: a status list. */
	struct incident_filter g = { .status = "received", .limit = LIMIT_PAGE_MAX };
	page = incident_list(&coord, &g, &e);
	assert_int_equal(json_array_size(json_object_get(page, "items")), LIMIT_PAGE_MAX);
	assert_true(json_is_string(json_object_get(page, "next_cursor")));
	json_decref(page);
	struct incident_filter h = { .status = "closed,rejected" };
	page = incident_list(&coord, &h, &e);
	assert_int_equal(json_array_size(json_object_get(page, "items")), 0);
	json_decref(page);
	struct incident_filter bad = { .status = "received,bogus" };
	err_clear(&e);
	assert_null(incident_list(&coord, &bad, &e));
	assert_int_equal(e.code, E_INVALID);
	struct incident_filter badc = { .cursor = "not-a-cursor" };
	err_clear(&e);
	assert_null(incident_list(&coord, &badc, &e));
	assert_int_equal(e.code, E_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_codes),
		cmocka_unit_test(test_table_every_pair_every_role),
		cmocka_unit_test(test_meta_lists_the_table),
		cmocka_unit_test_setup_teardown(test_create, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_create_refusals, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_walk_to_closed_and_reopen, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_every_refused_pair_is_409, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_every_allowed_pair_every_role, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_if_match_428_412, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_invalid_bodies_422, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_scope_other_commune_not_found, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_update, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_list_pages, world_open, world_close),
	};
	return cmocka_run_group_tests_name("incident", tests, world_build, world_destroy);
}
