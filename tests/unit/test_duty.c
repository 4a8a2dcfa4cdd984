/*
 * test_duty.c - the standing duty (issue 17): who is on duty at a time
 * (shift boundaries, overnight shifts, exceptions, the local day in
 * Asia/Ho_Chi_Minh, not UTC's), the notification filter (scope: who is
 * told; TLP: what leaves by mail), one notification per event and person,
 * and the escalation of silence step by step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "base/msg.h"
#include "domain/duty/notify_rules.h"
#include "domain/duty/roster.h"
#include "domain/incident/incident.h"
#include "domain/vuln/warning.h"
#include "domain/plan/mau05.h"

#define MIN (60LL * 1000)
#define HOUR (60 * MIN)

static int64_t at(const char *rfc3339)
{
	int64_t ms = 0;
	if (time_parse(rfc3339, &ms) != 0)
		fail_msg("bad time in test: %s", rfc3339);
	return ms;
}

enum { MON = 1, TUE = 2, WED = 4, THU = 8, FRI = 16, SAT = 32, SUN = 64 };

static void test_day_shift_boundaries(void **state)
{
	(void)state;
	/* Monday to Friday, 07:30 to 17:00 local. 2026-12-07 is a Monday. */
	struct shift s[] = { { .kind = SHIFT_WEEKLY, .days = MON | TUE | WED | THU | FRI,
			       .start_min = 7 * 60 + 30, .end_min = 17 * 60 } };
	assert_int_equal(roster_pick(s, 1, at("2026-12-07T07:29:59+07:00")), -1);
	assert_int_equal(roster_pick(s, 1, at("2026-12-07T07:30:00+07:00")), 0);
	assert_int_equal(roster_pick(s, 1, at("2026-12-07T16:59:59+07:00")), 0);
	assert_int_equal(roster_pick(s, 1, at("2026-12-07T17:00:00+07:00")), -1);
	/* Saturday: no */
	assert_int_equal(roster_pick(s, 1, at("2026-12-12T10:00:00+07:00")), -1);
	/* Friday 16:00 local */
	assert_int_equal(roster_pick(s, 1, at("2026-12-11T16:00:00+07:00")), 0);
}

static void test_overnight_shift(void **state)
{
	(void)state;
	/* 17:00 to 07:30 the next morning, starting Monday to Friday */
	struct shift s[] = { { .kind = SHIFT_WEEKLY, .days = MON | TUE | WED | THU | FRI,
			       .start_min = 17 * 60, .end_min = 7 * 60 + 30 } };
	assert_int_equal(roster_pick(s, 1, at("2026-12-11T23:00:00+07:00")), 0); /* Fri night */
	assert_int_equal(roster_pick(s, 1, at("2026-12-12T07:29:00+07:00")), 0); /* Sat morning */
	assert_int_equal(roster_pick(s, 1, at("2026-12-12T07:30:00+07:00")), -1);
	assert_int_equal(roster_pick(s, 1, at("2026-12-12T17:00:00+07:00")), -1); /* Sat evening */
	/* Monday 03:00 continues Sunday night's shift: there is none */
	assert_int_equal(roster_pick(s, 1, at("2026-12-14T03:00:00+07:00")), -1);
	/* Tuesday 03:00 continues Monday night's */
	assert_int_equal(roster_pick(s, 1, at("2026-12-15T03:00:00+07:00")), 0);
}

static void test_local_day_not_utc(void **state)
{
	(void)state;
	/* Tuesday 06:00-08:00 local. 2026-12-07T23:30Z is Monday in UTC but
	 * Tuesday 06:30 in Hồ Chí Minh City. */
	struct shift s[] = { { .kind = SHIFT_WEEKLY, .days = TUE, .start_min = 6 * 60,
			       .end_min = 8 * 60 } };
	assert_int_equal(roster_pick(s, 1, at("2026-12-07T23:30:00Z")), 0);
	assert_int_equal(roster_pick(s, 1, at("2026-12-08T23:30:00Z")), -1);
	/* the whole day: 00:00 to 24:00 Sunday */
	struct shift d[] = { { .kind = SHIFT_WEEKLY, .days = SUN, .start_min = 0,
			       .end_min = 1440 } };
	assert_int_equal(roster_pick(d, 1, at("2026-12-12T17:00:00Z")), 0);  /* Sun 00:00 */
	assert_int_equal(roster_pick(d, 1, at("2026-12-12T16:59:59Z")), -1); /* Sat 23:59 */
	assert_int_equal(roster_pick(d, 1, at("2026-12-13T16:59:59Z")), 0);  /* Sun 23:59 */
	assert_int_equal(roster_pick(d, 1, at("2026-12-13T17:00:00Z")), -1); /* Mon 00:00 */
	assert_int_equal(roster_parse_hhmm("24:00"), 1440);
	assert_int_equal(roster_parse_hhmm("24:01"), -1);
	assert_int_equal(roster_parse_hhmm("7:30"), -1);
	assert_int_equal(roster_parse_hhmm("07:60"), -1);
	assert_int_equal(roster_parse_hhmm("0a:00"), -1);
}

static void test_exception_wins(void **state)
{
	(void)state;
	struct shift s[] = {
		{ .kind = SHIFT_WEEKLY, .days = 0x7f, .start_min = 0, .end_min = 1440 },
		{ .kind = SHIFT_EXCEPTION, .starts_at = at("2026-12-24T18:00:00+07:00"),
		  .ends_at = at("2026-12-25T08:00:00+07:00") },
		{ .kind = SHIFT_EXCEPTION, .starts_at = at("2026-12-25T00:00:00+07:00"),
		  .ends_at = at("2026-12-25T02:00:00+07:00") },
	};
	assert_int_equal(roster_pick(s, 3, at("2026-12-24T17:59:59+07:00")), 0);
	assert_int_equal(roster_pick(s, 3, at("2026-12-24T18:00:00+07:00")), 1);
	/* two exceptions: the later listed */
	assert_int_equal(roster_pick(s, 3, at("2026-12-25T01:00:00+07:00")), 2);
	assert_int_equal(roster_pick(s, 3, at("2026-12-25T07:59:59+07:00")), 1);
	assert_int_equal(roster_pick(s, 3, at("2026-12-25T08:00:00+07:00")), 0);
}

static void test_text_filter_tlp(void **state)
{
	(void)state;
	assert_true(notify_text_allowed("CLEAR", 0, CH_EMAIL));
	assert_true(notify_text_allowed("GREEN", 0, CH_WEBHOOK));
	assert_false(notify_text_allowed("GREEN", 1, CH_EMAIL));   /* confidential */
	assert_false(notify_text_allowed("AMBER", 0, CH_EMAIL));
	assert_false(notify_text_allowed("AMBER+STRICT", 0, CH_WEBHOOK));
	assert_false(notify_text_allowed("RED", 0, CH_EMAIL));
	assert_false(notify_text_allowed(NULL, 0, CH_EMAIL));
	assert_true(notify_text_allowed("RED", 1, CH_WEB));  /* read in ungcuu, in scope */
}

static void test_escalation_levels(void **state)
{
	(void)state;
	int64_t steps[3] = { 0, 30 * MIN, 60 * MIN };
	int64_t due = at("2026-12-07T10:00:00Z");
	assert_int_equal(escalation_level(due, steps, due - 1), 0);
	assert_int_equal(escalation_level(due, steps, due), 1);
	assert_int_equal(escalation_level(due, steps, due + 30 * MIN - 1), 1);
	assert_int_equal(escalation_level(due, steps, due + 30 * MIN), 2);
	assert_int_equal(escalation_level(due, steps, due + 60 * MIN), 3);
	assert_int_equal(escalation_level(due, steps, due + 600 * MIN), 3);
}

/* ---- with the database ---- */

static long long notes_of(struct store *db, const char *username, const char *event)
{
	char sql[400];
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM notifications n JOIN users u ON "
		 "u.id = n.user_id WHERE u.username = '%s' AND n.event = '%s'", username, event);
	return tdb_int(db, sql);
}

static void test_new_incident_scope(void **state)
{
	struct tdb *t = *state;
	struct ctx rep = t_ctx(t->db, &W.rep_a);
	char id[UUID_LEN];
	struct err e = { 0 };
	assert_int_equal(store_run(t->db, &e, "UPDATE users SET email = username || "
				   "'@pq.example.vn'", ""), (int)tdb_count(t->db, "users"));
	t_create(&rep, NULL, id);
	/* the district's people who work incidents are told; the filer is not */
	assert_int_equal(notes_of(t->db, "d-coordinator", "incident.new"), 1);
	assert_int_equal(notes_of(t->db, "d-leader", "incident.new"), 1);
	assert_int_equal(notes_of(t->db, "rep-a", "incident.new"), 0);
	/* another commune's coordinator never sees xa-a's incident */
	assert_int_equal(notes_of(t->db, "coord-b", "incident.new"), 0);
	assert_int_equal(notes_of(t->db, "d-reporter", "incident.new"), 0);
	/* GREEN by default? whatever it is, mail carries the title only when
	 * the TLP allows; a RED one: number and link only */
	json_t *red = json_pack("{s:s, s:s}", "tlp", "RED", "title", "Bí mật: máy chủ thư bị chiếm");
	t_create(&rep, red, id);
	json_decref(red);
	char sql[300], subj[600];
	snprintf(sql, sizeof(sql), "SELECT d.subject FROM deliveries d JOIN notifications n ON "
		 "n.id = d.notification_id WHERE n.record_id = '%s' AND d.channel = 'email' "
		 "LIMIT 1", id);
	tdb_text(t->db, sql, subj, sizeof(subj));
	assert_non_null(strstr(subj, "TLP RED"));
	assert_null(strstr(subj, "Bí mật"));
	/* the browser list, in scope, has the title */
	snprintf(sql, sizeof(sql), "SELECT title FROM notifications WHERE record_id = '%s' "
		 "LIMIT 1", id);
	tdb_text(t->db, sql, subj, sizeof(subj));
	assert_non_null(strstr(subj, "Bí mật"));
	/* the same event again: nobody is told twice, no second mail */
	long long before = tdb_count(t->db, "deliveries");
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(notify_incident_event(&rep, "created", id, NULL, &e), 0);
	assert_int_equal(store_commit(t->db, &e), 0);
	assert_int_equal(tdb_count(t->db, "deliveries"), before);
}

static void test_assigned(void **state)
{
	struct tdb *t = *state;
	struct ctx rep = t_ctx(t->db, &W.rep_a), co = t_ctx(t->db, &W.role[R_COORDINATOR]);
	char id[UUID_LEN];
	struct err e = { 0 };
	t_create(&rep, NULL, id);
	json_t *b = json_pack("{s:s}", "user_id", W.role[R_RESPONDER].id);
	json_t *r = incident_assign(&co, id, b, &e);
	json_decref(b);
	assert_non_null(r);
	json_decref(r);
	assert_int_equal(notes_of(t->db, "d-responder", "incident.assigned"), 1);
}

static void test_escalation_steps(void **state)
{
	struct tdb *t = *state;
	struct ctx sys = t_ctx(t->db, &W.sys), rep = t_ctx(t->db, &W.rep_a);
	struct err e = { 0 };
	/* pq keeps a round-the-clock roster: d-responder primary, cr backup */
	json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "org_code", "pq", "kind", "weekly",
			      "start", "00:00", "end", "24:00", "primary_id",
			      W.role[R_RESPONDER].id, "backup_id", W.cr.id);
	json_t *sh = roster_add(&sys, b, &e);
	json_decref(b);
	if (sh == NULL)
		fail_msg("roster_add: code %d", e.code);
	json_decref(sh);
	char id[UUID_LEN];
	t_create(&rep, NULL, id);
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT due_at FROM deadlines WHERE incident_id = '%s' AND "
		 "kind = 'ack'", id);
	int64_t due = tdb_int(t->db, sql);
	assert_true(notify_scan(t->db, due - 1, &e) >= 0);
	assert_int_equal(notes_of(t->db, "d-responder", "escalation"), 0);
	assert_true(notify_scan(t->db, due, &e) >= 0);
	assert_int_equal(notes_of(t->db, "d-responder", "escalation"), 1);
	assert_int_equal(notes_of(t->db, "cr", "escalation"), 0);
	assert_true(notify_scan(t->db, due + 30 * MIN, &e) >= 0);
	assert_int_equal(notes_of(t->db, "cr", "escalation"), 1);
	assert_int_equal(notes_of(t->db, "d-leader", "escalation"), 0);
	assert_true(notify_scan(t->db, due + 60 * MIN, &e) >= 0);
	assert_int_equal(notes_of(t->db, "d-leader", "escalation"), 1);
	/* scanning again tells nobody twice */
	assert_true(notify_scan(t->db, due + 90 * MIN, &e) >= 0);
	assert_int_equal(notes_of(t->db, "d-responder", "escalation"), 1);
	assert_int_equal(notes_of(t->db, "d-leader", "escalation"), 1);
	/* the overdue clock went to the coordinators (nobody assigned) */
	assert_int_equal(notes_of(t->db, "d-coordinator", "clock.overdue"), 1);
	assert_int_equal(notes_of(t->db, "coord-b", "clock.overdue"), 0);
}

static void test_warning_and_kev(void **state)
{
	struct tdb *t = *state;
	struct err e = { 0 };
	int64_t now = time_now_ms();
	assert_true(store_exec(t->db, "UPDATE users SET email = username || '@pq.example.vn'", &e) == 0);
	/* a warning from the district to the commune xa-a */
	char sql[900];
	snprintf(sql, sizeof(sql), "INSERT INTO warnings (id, org_id, title, severity, deadline, "
		 "version, created_at) SELECT '01900000-0000-7000-8000-0000000000a1', id, "
		 "'Cập nhật bash ngay', 'high', %lld, 1, %lld FROM orgs WHERE code = 'pq'",
		 (long long)(now + 3600 * 1000), (long long)now);
	assert_int_equal(store_exec(t->db, sql, &e), 0);
	assert_int_equal(store_exec(t->db, "INSERT INTO warning_targets (warning_id, org_id) SELECT "
		"'01900000-0000-7000-8000-0000000000a1', id FROM orgs WHERE code = 'xa-a'", &e), 0);
	/* written behind the domain's back: the scan does not announce the
	 * issue (a record's event is queued with the record), only its near
	 * deadline, which is time's */
	assert_true(notify_scan(t->db, now, &e) >= 0);
	assert_int_equal(notes_of(t->db, "rep-a", "warning.issued"), 0);
	assert_int_equal(notes_of(t->db, "rep-a", "warning.deadline"), 1);
	struct ctx sys = t_ctx(t->db, &W.sys);
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(domain_record_hook(&sys, "warning", "01900000-0000-7000-8000-0000000000a1",
					    NULL, &e), 0);
	assert_int_equal(store_commit(t->db, &e), 0);
	/* the target's focal point is told */
	assert_int_equal(notes_of(t->db, "rep-a", "warning.issued"), 1);
	/* not another commune, not the district's own people */
	assert_int_equal(notes_of(t->db, "coord-b", "warning.issued"), 0);
	assert_int_equal(notes_of(t->db, "d-coordinator", "warning.issued"), 0);
	/* a known-exploited finding on a host of xa-a: the host's organisation */
	snprintf(sql, sizeof(sql), "INSERT INTO hosts (id, org_id, hostname, version, created_at, "
		 "updated_at) SELECT '01900000-0000-7000-8000-0000000000b1', id, 'pc-ketoan', 1, %lld, "
		 "%lld FROM orgs WHERE code = 'xa-a'", (long long)now, (long long)now);
	assert_int_equal(store_exec(t->db, sql, &e), 0);
	snprintf(sql, sizeof(sql), "INSERT INTO vulns (id, summary, updated_at) VALUES "
		 "('CVE-2099-0001', 'x', %lld)", (long long)now);
	if (store_exec(t->db, sql, &e) != 0)
		fail_msg("vulns: %d", e.code);
	snprintf(sql, sizeof(sql), "INSERT INTO findings (id, host_id, vuln_id, package, kev, origin, "
		 "status, first_seen, last_seen) VALUES ('01900000-0000-7000-8000-0000000000c1', "
		 "'01900000-0000-7000-8000-0000000000b1', 'CVE-2099-0001', 'bash', 1, 'inventory', "
		 "'open', %lld, %lld)", (long long)now, (long long)now);
	assert_int_equal(store_exec(t->db, sql, &e), 0);
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(domain_record_hook(&sys, "finding.kev",
					    "01900000-0000-7000-8000-0000000000c1", NULL, &e), 0);
	assert_int_equal(store_commit(t->db, &e), 0);
	assert_int_equal(notes_of(t->db, "rep-a", "finding.kev"), 1);
	assert_int_equal(notes_of(t->db, "coord-b", "finding.kev"), 0);
	/* the host's name stays out of mail (AMBER); the CVE is public */
	char subj[600];
	tdb_text(t->db, "SELECT d.subject FROM deliveries d JOIN notifications n ON n.id = "
		 "d.notification_id WHERE n.event = 'finding.kev' LIMIT 1", subj, sizeof(subj));
	assert_non_null(strstr(subj, "CVE-2099-0001"));
	assert_null(strstr(subj, "pc-ketoan"));
	/* scanning again, or the same record's hook again, tells nobody twice */
	assert_true(notify_scan(t->db, now + 2000, &e) >= 0);
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(domain_record_hook(&sys, "finding.kev",
					    "01900000-0000-7000-8000-0000000000c1", NULL, &e), 0);
	assert_int_equal(store_commit(t->db, &e), 0);
	assert_int_equal(notes_of(t->db, "rep-a", "warning.issued"), 1);
	assert_int_equal(notes_of(t->db, "rep-a", "warning.deadline"), 1);
	assert_int_equal(notes_of(t->db, "rep-a", "finding.kev"), 1);
}

/* A subscriber registered after the notifications' that fails on demand:
 * the change it fails is rolled back, and the notifications queued before
 * it in the same transaction with it. */
static int fail_hooks;
/* The notifications the failing subscriber saw in the transaction when it
 * ran: the ones queued by the subscriber registered before it. */
static long long seen_when_failing;
static int failing_event(struct ctx *c, const char *kind, const char *id, const char *uid,
			 struct err *e)
{
	(void)kind, (void)id, (void)uid;
	if (fail_hooks)
		seen_when_failing = tdb_count(c->db, "notifications");
	return fail_hooks ? err_set(e, E_CONFLICT, MSG_INTERNAL, NULL) : 0;
}
static int failing_record(struct ctx *c, const char *iid, const char *kind, const char *rid,
			  const json_t *rec, struct err *e)
{
	(void)c, (void)iid, (void)kind, (void)rid, (void)rec;
	return fail_hooks ? err_set(e, E_CONFLICT, MSG_INTERNAL, NULL) : 0;
}
static int failing_domain(struct ctx *c, const char *entity, const char *id, const json_t *rec,
			  struct err *e)
{
	(void)entity, (void)id, (void)rec;
	if (fail_hooks)
		seen_when_failing = tdb_count(c->db, "notifications");
	return fail_hooks ? err_set(e, E_CONFLICT, MSG_INTERNAL, NULL) : 0;
}

static long long all_notes(struct store *db)
{
	return tdb_count(db, "notifications");
}

static void test_same_transaction(void **state)
{
	struct tdb *t = *state;
	struct ctx rep = t_ctx(t->db, &W.rep_a), co = t_ctx(t->db, &W.role[R_COORDINATOR]),
		   cr = t_ctx(t->db, &W.cr), sys = t_ctx(t->db, &W.sys);
	struct err e = { 0 };
	json_t *r, *b;
	/* a new incident: rolled back, nobody told */
	fail_hooks = 1;
	b = t_report_body();
	assert_null(incident_create(&rep, b, &e));
	/* the subscribers ran in the order registered: the notifications were
	 * queued in the transaction before the later one failed it */
	assert_true(seen_when_failing > 0);
	assert_int_equal(all_notes(t->db), 0);
	assert_int_equal(tdb_count(t->db, "incidents"), 0);
	fail_hooks = 0;
	err_clear(&e);
	r = incident_create(&rep, b, &e);
	json_decref(b);
	assert_non_null(r);
	json_decref(r);
	assert_int_equal(notes_of(t->db, "d-coordinator", "incident.new"), 1);

	/* an assignment */
	char id[UUID_LEN];
	t_walk_to(t->db, ST_ACKNOWLEDGED, id);
	long long before = all_notes(t->db);
	fail_hooks = 1;
	b = json_pack("{s:s}", "user_id", W.role[R_RESPONDER].id);
	assert_null(incident_assign(&co, id, b, &e));
	assert_int_equal(all_notes(t->db), before);
	fail_hooks = 0;
	err_clear(&e);
	r = incident_assign(&co, id, b, &e);
	json_decref(b);
	assert_non_null(r);
	json_decref(r);
	assert_int_equal(notes_of(t->db, "d-responder", "incident.assigned"), 1);

	/* a support request to the district: its handlers are told */
	before = all_notes(t->db);
	fail_hooks = 1;
	b = json_pack("{s:s, s:s}", "summary", "Cần hỗ trợ phân tích mã độc", "to_org_code", "pq");
	assert_null(incident_add_support(&cr, id, b, &e));
	assert_int_equal(all_notes(t->db), before);
	assert_int_equal(tdb_count(t->db, "support_requests"), 0);
	fail_hooks = 0;
	err_clear(&e);
	r = incident_add_support(&cr, id, b, &e);
	json_decref(b);
	assert_non_null(r);
	char sid[UUID_LEN];
	snprintf(sid, sizeof(sid), "%s", json_string_value(json_object_get(r, "id")));
	json_decref(r);
	assert_int_equal(notes_of(t->db, "d-coordinator", "support.received"), 1);
	assert_int_equal(notes_of(t->db, "coord-b", "support.received"), 0);
	/* ... and answered: the one who asked is told */
	before = all_notes(t->db);
	fail_hooks = 1;
	b = json_pack("{s:s}", "to", "accepted");
	assert_null(incident_support_transition(&co, id, sid, b, &e));
	assert_int_equal(all_notes(t->db), before);
	fail_hooks = 0;
	err_clear(&e);
	r = incident_support_transition(&co, id, sid, b, &e);
	json_decref(b);
	assert_non_null(r);
	json_decref(r);
	assert_int_equal(notes_of(t->db, "cr", "support.answered"), 1);

	/* a warning to xa-a */
	before = all_notes(t->db);
	char deadline[TIME_RFC3339_LEN];
	time_format_utc(time_now_ms() + 7LL * 86400000, deadline);
	b = json_pack("{s:s, s:s, s:s, s:[s]}", "title", "Vá lỗ hổng Exchange", "severity", "high",
		      "deadline", deadline, "target_org_codes", "xa-a");
	fail_hooks = 1;
	seen_when_failing = 0;
	assert_null(warning_create(&sys, b, &e));
	assert_true(seen_when_failing > before);
	assert_int_equal(all_notes(t->db), before);
	assert_int_equal(tdb_count(t->db, "warnings"), 0);
	fail_hooks = 0;
	err_clear(&e);
	r = warning_create(&sys, b, &e);
	json_decref(b);
	if (r == NULL)
		fail_msg("warning_create: code %d", e.code);
	json_decref(r);
	assert_int_equal(notes_of(t->db, "rep-a", "warning.issued"), 1);

	/* any record's hook rolled back with its transaction leaves nothing
	 * (hunt, finding, plan: read by id inside the transaction) */
	int64_t now = time_now_ms();
	char sql[600];
	snprintf(sql, sizeof(sql), "INSERT INTO hunts (id, org_id, title, description, deadline, "
		 "status, selection, version, created_by, created_at, updated_at) SELECT "
		 "'01900000-0000-7000-8000-0000000000d1', id, 'Săn tìm Emotet', '', %lld, 'open', "
		 "'{}', 1, '%s', %lld, %lld FROM orgs WHERE code = 'pq'", (long long)(now + 86400000),
		 W.role[R_COORDINATOR].id, (long long)now, (long long)now);
	assert_int_equal(store_exec(t->db, sql, &e), 0);
	assert_int_equal(store_exec(t->db, "INSERT INTO hunt_targets (hunt_id, org_id) SELECT "
		"'01900000-0000-7000-8000-0000000000d1', id FROM orgs WHERE code = 'xa-a'", &e), 0);
	before = all_notes(t->db);
	assert_int_equal(store_begin(t->db, &e), 0);
	assert_int_equal(domain_record_hook(&sys, "hunt", "01900000-0000-7000-8000-0000000000d1",
					    NULL, &e), 0);
	assert_int_equal(notes_of(t->db, "rep-a", "hunt.opened"), 1);
	store_rollback(t->db);
	assert_int_equal(all_notes(t->db), before);
	assert_int_equal(notes_of(t->db, "rep-a", "hunt.opened"), 0);
	/* the scan never announces it afterwards: only time's events */
	assert_true(notify_scan(t->db, now, &e) >= 0);
	assert_int_equal(notes_of(t->db, "rep-a", "hunt.opened"), 0);
}


static void test_roster_bad_input(void **state)
{
	struct tdb *t = *state;
	struct ctx co_b = t_ctx(t->db, &W.coord_b), sys = t_ctx(t->db, &W.sys);
	struct err e = { 0 };
	/* another commune's coordinator cannot put pq's roster */
	json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s}", "org_code", "pq", "kind", "weekly",
			      "start", "08:00", "end", "17:00", "primary_id", W.coord_b.id);
	assert_null(roster_add(&co_b, b, &e));
	assert_int_equal(e.code, E_INVALID);
	json_decref(b);
	err_clear(&e);
	/* a bad day, a bad time, the same person twice, someone of a commune
	 * below standing duty for the district */
	b = json_pack("{s:s, s:s, s:[s], s:s, s:s, s:s, s:s}", "org_code", "pq", "kind", "weekly",
		      "days", "someday", "start", "25:00", "end", "17:00", "primary_id",
		      W.cr.id, "backup_id", W.cr.id);
	assert_null(roster_add(&sys, b, &e));
	assert_int_equal(e.code, E_INVALID);
	assert_int_equal(e.nfields, 3);
	json_decref(b);
	err_clear(&e);
	b = json_pack("{s:s, s:s, s:s, s:s, s:s}", "org_code", "pq", "kind", "weekly",
		      "start", "08:00", "end", "17:00", "primary_id", W.rep_a.id);
	assert_null(roster_add(&sys, b, &e));
	assert_int_equal(e.code, E_INVALID);
	json_decref(b);
	assert_int_equal(tdb_count(t->db, "duty_shifts"), 0);
}

/* A Mẫu 05 submitted for approval: its leaders are told in the submit's
 * transaction (rolled back: nobody, and still a draft); returned and
 * submitted again: told again; the steps kept. */
static void test_report_approval(void **state)
{
	struct tdb *t = *state;
	struct ctx co = t_ctx(t->db, &W.role[R_COORDINATOR]), lead = t_ctx(t->db, &W.role[R_LEADER]);
	struct err e = { 0 };
	json_t *b = json_pack("{s:s, s:s, s:i}", "org_code", "pq", "period", "year", "year", 2026);
	json_t *m = mau05_create(&co, b, &e);
	json_decref(b);
	if (m == NULL)
		fail_msg("mau05_create: %d", e.code);
	char id[UUID_LEN];
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(m, "id")));
	long long v = json_integer_value(json_object_get(m, "version"));
	json_decref(m);
	fail_hooks = 1;
	assert_null(mau05_decide(&co, id, v, "submit", NULL, &e));
	fail_hooks = 0;
	err_clear(&e);
	assert_int_equal(notes_of(t->db, "d-leader", "report.approval"), 0);
	assert_int_equal(tdb_count(t->db, "report_approvals"), 0);
	/* only the leader approves; a writer submits */
	assert_null(mau05_decide(&lead, id, v, "submit", NULL, &e));
	assert_int_equal(e.code, E_FORBIDDEN);
	err_clear(&e);
	m = mau05_decide(&co, id, v, "submit", NULL, &e);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "status")), "submitted");
	v = json_integer_value(json_object_get(m, "version"));
	json_decref(m);
	assert_int_equal(notes_of(t->db, "d-leader", "report.approval"), 1);
	assert_int_equal(notes_of(t->db, "d-coordinator", "report.approval"), 0);
	assert_null(mau05_decide(&co, id, v, "approve", NULL, &e));
	assert_int_equal(e.code, E_FORBIDDEN);
	err_clear(&e);
	/* returned without a reason: refused; with one: a draft again */
	json_t *none = json_object();
	assert_null(mau05_decide(&lead, id, v, "return", none, &e));
	assert_int_equal(e.code, E_INVALID);
	json_decref(none);
	err_clear(&e);
	json_t *why = json_pack("{s:s}", "reason", "Thiếu số liệu quý II");
	m = mau05_decide(&lead, id, v, "return", why, &e);
	json_decref(why);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "status")), "draft");
	v = json_integer_value(json_object_get(m, "version"));
	json_decref(m);
	/* submitted again: a new notice (the key names the submission) */
	m = mau05_decide(&co, id, v, "submit", NULL, &e);
	assert_non_null(m);
	v = json_integer_value(json_object_get(m, "version"));
	json_decref(m);
	assert_int_equal(notes_of(t->db, "d-leader", "report.approval"), 2);
	m = mau05_decide(&lead, id, v, "approve", NULL, &e);
	assert_non_null(m);
	assert_string_equal(json_string_value(json_object_get(m, "status")), "sent");
	assert_int_equal(json_array_size(json_object_get(m, "approvals")), 4);
	json_decref(m);
}

int main(void)
{
	notify_rules_install();
	/* after the notifications': the order of registration is the order
	 * of calls; registering twice adds nothing */
	incident_on_event(failing_event);
	incident_on_record(failing_record);
	domain_on_record(failing_domain);
	notify_rules_install();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day_shift_boundaries),
		cmocka_unit_test(test_overnight_shift),
		cmocka_unit_test(test_local_day_not_utc),
		cmocka_unit_test(test_exception_wins),
		cmocka_unit_test(test_text_filter_tlp),
		cmocka_unit_test(test_escalation_levels),
		cmocka_unit_test_setup_teardown(test_new_incident_scope, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_assigned, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_escalation_steps, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_warning_and_kev, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_roster_bad_input, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_same_transaction, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_report_approval, world_open, world_close),
	};
	return cmocka_run_group_tests(tests, world_build, world_destroy);
}
