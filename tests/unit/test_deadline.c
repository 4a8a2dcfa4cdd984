/*
 * test_deadline.c - the legal clocks of regulation.md §2 and §13 as the
 * domain computes them (on create, verify, classify with escalation, support
 * requests, review), met by the reports that satisfy them, the overdue flags,
 * and time in Asia/Ho_Chi_Minh (UTC+7): formatting, the local year around
 * New Year, five days from a local evening across a month end, and incident
 * numbers by the local year. Time is fixed with time_set_fake_now().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "domain/incident/incident.h"

#define MIN (60LL * 1000)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

static int64_t at(const char *rfc3339)
{
	int64_t ms = 0;
	if (time_parse(rfc3339, &ms) != 0)
		fail_msg("bad time in test: %s", rfc3339);
	return ms;
}

/* The deadline of kind on the incident: 1 and due/met (met -1 when open),
 * or 0 when there is none. */
static int deadline(struct store *db, const char *id, const char *kind, int64_t *due,
		    int64_t *met)
{
	struct err e = { 0 };
	struct stmt *st = store_query(db, &e, "SELECT due_at, met_at FROM deadlines WHERE "
				      "incident_id = $1 AND kind = $2", "tt", id, kind);
	assert_non_null(st);
	int rc = stmt_step(st, &e);
	assert_true(rc >= 0);
	if (rc == 1) {
		*due = stmt_int(st, 0);
		*met = stmt_isnull(st, 1) ? -1 : stmt_int(st, 1);
	}
	stmt_done(st);
	return rc;
}

/* The deadline entry of kind in the incident as the API renders it. */
static json_t *rendered(struct ctx *c, const char *id, const char *kind, int *overdue)
{
	struct err e = { 0 };
	json_t *inc = incident_get(c, id, 0, &e);
	assert_non_null(inc);
	json_t *found = NULL;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(inc, "deadlines"), i, d)
		if (strcmp(json_string_value(json_object_get(d, "kind")), kind) == 0)
			found = json_incref(d);
	*overdue = json_is_true(json_object_get(inc, "overdue"));
	json_decref(inc);
	return found;
}

/* How many of the actor's open deadlines deadline_list shows for incident id. */
static int listed(struct ctx *c, const char *id, int overdue_only)
{
	struct err e = { 0 };
	json_t *l = deadline_list(c, overdue_only, 0, 1000, &e);
	assert_non_null(l);
	int n = 0;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(l, "items"), i, d) {
		const char *iid = json_string_value(json_object_get(json_object_get(d, "incident"),
								     "id"));
		if (strcmp(iid, id) == 0) {
			n++;
			assert_int_equal(json_is_true(json_object_get(d, "overdue")),
					 overdue_only ? 1 : json_is_true(json_object_get(d, "overdue")));
		}
	}
	json_decref(l);
	return n;
}

static int in_overdue_list(struct ctx *c, const char *id)
{
	struct err e = { 0 };
	struct incident_filter f = { .overdue = 1 };
	json_t *l = incident_list(c, &f, &e);
	assert_non_null(l);
	int n = 0;
	size_t i;
	json_t *inc;
	json_array_foreach(json_object_get(l, "items"), i, inc)
		n += strcmp(json_string_value(json_object_get(inc, "id")), id) == 0;
	json_decref(l);
	return n;
}

/* Files an incident detected at `when` (RFC 3339). */
static long long create_detected(struct ctx *c, const char *when, char id[UUID_LEN])
{
	json_t *x = json_pack("{s:s}", "detected_at", when);
	long long v = t_create(c, x, id);
	json_decref(x);
	return v;
}

/* T5: acknowledge within 2 hours of filing; overdue strictly after. */
static void test_ack_on_create(void **state)
{
	struct tdb *t = *state;
	struct ctx rep = t_ctx(t->db, &W.rep_a), coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	char id[UUID_LEN], ts[TIME_RFC3339_LEN];
	int64_t t0 = at("2026-03-10T02:00:00Z"), due, met;
	int overdue;

	time_set_fake_now(t0);
	long long v = t_create(&rep, NULL, id);
	assert_int_equal(deadline(t->db, id, "ack", &due, &met), 1);
	assert_int_equal(due, t0 + 2 * HOUR);
	assert_int_equal(met, -1);
	assert_int_equal(tdb_count(t->db, "deadlines"), 1);
	json_t *d = rendered(&coord, id, "ack", &overdue);
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(d, "due_at")),
			    "2026-03-10T04:00:00.000Z");
	assert_true(json_is_null(json_object_get(d, "met_at")));
	assert_false(json_is_true(json_object_get(d, "overdue")));
	assert_false(overdue);
	json_decref(d);
	assert_int_equal(listed(&coord, id, 0), 1);
	assert_int_equal(listed(&coord, id, 1), 0);

	/* At the deadline it is not yet late; a millisecond after, it is. */
	time_set_fake_now(t0 + 2 * HOUR);
	d = rendered(&coord, id, "ack", &overdue);
	assert_false(json_is_true(json_object_get(d, "overdue")));
	json_decref(d);
	assert_int_equal(in_overdue_list(&coord, id), 0);
	time_set_fake_now(t0 + 2 * HOUR + 1);
	d = rendered(&coord, id, "ack", &overdue);
	assert_true(json_is_true(json_object_get(d, "overdue")));
	assert_true(overdue);
	json_decref(d);
	assert_int_equal(listed(&coord, id, 1), 1);
	assert_int_equal(in_overdue_list(&coord, id), 1);
	/* The other commune does not see it among its deadlines. */
	struct ctx coord_b = t_ctx(t->db, &W.coord_b);
	assert_int_equal(listed(&coord_b, id, 0), 0);

	/* Acknowledged late: met when it happened, no longer overdue. */
	time_set_fake_now(t0 + 3 * HOUR);
	assert_int_equal(t_move(&coord, id, &v, "acknowledged", NULL), E_OK);
	assert_int_equal(deadline(t->db, id, "ack", &due, &met), 1);
	assert_int_equal(met, t0 + 3 * HOUR);
	d = rendered(&coord, id, "ack", &overdue);
	assert_string_equal(json_string_value(json_object_get(d, "met_at")),
			    time_format_utc(t0 + 3 * HOUR, ts));
	assert_false(json_is_true(json_object_get(d, "overdue")));
	assert_false(overdue);
	json_decref(d);
	/* What runs now is the notification clock (T1, from detection). */
	assert_int_equal(listed(&coord, id, 0), 1);
	assert_int_equal(deadline(t->db, id, "notification", &due, &met), 1);
	assert_int_equal(in_overdue_list(&coord, id), 0);
}

/* Every clock is configuration (regulation.md §0). */
static void test_rules_are_configuration(void **state)
{
	struct tdb *t = *state;
	struct rules r;
	rules_default(&r);
	assert_int_equal(r.ack_ms, 2 * HOUR);
	assert_int_equal(r.notification_ms, 5 * DAY);
	assert_int_equal(r.initial_ms, 24 * HOUR);
	assert_int_equal(r.closing_ms, 5 * DAY);
	assert_string_equal(r.number_prefix, "PQ");
	r.ack_ms = 30 * MIN;
	r.notification_ms = 3 * DAY;
	snprintf(r.number_prefix, sizeof(r.number_prefix), "HN");
	struct ctx rep = t_ctx(t->db, &W.rep_a), coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	rep.rules = &r;
	coord.rules = &r;
	char id[UUID_LEN];
	int64_t t0 = at("2026-03-10T02:00:00Z"), due, met;
	time_set_fake_now(t0);
	long long v = create_detected(&rep, "2026-03-10T01:00:00Z", id);
	assert_int_equal(deadline(t->db, id, "ack", &due, &met), 1);
	assert_int_equal(due, t0 + 30 * MIN);
	assert_int_equal(t_move(&coord, id, &v, "acknowledged", NULL), E_OK);
	assert_int_equal(t_move(&coord, id, &v, "verified", NULL), E_OK);
	assert_int_equal(deadline(t->db, id, "notification", &due, &met), 1);
	assert_int_equal(due, at("2026-03-13T01:00:00Z"));
	struct err e = { 0 };
	json_t *inc = incident_get(&coord, id, 0, &e);
	assert_string_equal(json_string_value(json_object_get(inc, "number")), "HN-2026-0001");
	json_decref(inc);
}

/* T1: five days from detection (not from verification), in local time. */
static void check_notification(struct tdb *t, const char *detected_local,
			       const char *due_local, const char *due_utc)
{
	struct ctx rep = t_ctx(t->db, &W.rep_a), coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	char id[UUID_LEN], ts[TIME_RFC3339_LEN];
	int64_t det = at(detected_local), due, met;
	int overdue;

	time_set_fake_now(det + 1 * HOUR);
	long long v = create_detected(&rep, detected_local, id);
	assert_int_equal(deadline(t->db, id, "notification", &due, &met), 0);
	/* Acknowledged: T1 already runs (an acknowledged incident shows it). */
	assert_int_equal(t_move(&coord, id, &v, "acknowledged", NULL), E_OK);
	assert_int_equal(deadline(t->db, id, "notification", &due, &met), 1);
	assert_int_equal(due, det + 5 * DAY);
	/* Verified two days later: the clock still runs from detection. */
	time_set_fake_now(det + 2 * DAY);
	assert_int_equal(t_move(&coord, id, &v, "verified", NULL), E_OK);
	assert_int_equal(deadline(t->db, id, "notification", &due, &met), 1);
	assert_int_equal(due, det + 5 * DAY);
	assert_int_equal(met, -1);
	assert_string_equal(time_format_local(due, ts), due_local);
	assert_string_equal(time_format_utc(due, ts), due_utc);
	json_t *d = rendered(&coord, id, "notification", &overdue);
	assert_string_equal(json_string_value(json_object_get(d, "due_at")), due_utc);
	json_decref(d);
}

static void test_notification_five_days_local(void **state)
{
	struct tdb *t = *state;
	/* A local evening at the end of February 2026 (28 days). */
	check_notification(t, "2026-02-26T21:00:00+07:00", "2026-03-03T21:00:00+07:00",
			   "2026-03-03T14:00:00.000Z");
	/* Late evening: the local date is a day ahead of UTC's... */
	check_notification(t, "2026-04-30T23:30:00+07:00", "2026-05-05T23:30:00+07:00",
			   "2026-05-05T16:30:00.000Z");
	/* ...and just after local midnight, a day behind in UTC. */
	check_notification(t, "2026-05-01T00:30:00+07:00", "2026-05-06T00:30:00+07:00",
			   "2026-05-05T17:30:00.000Z");
	/* Across New Year, and in a leap February. */
	check_notification(t, "2026-12-29T20:00:00+07:00", "2027-01-03T20:00:00+07:00",
			   "2027-01-03T13:00:00.000Z");
	check_notification(t, "2028-02-26T19:15:00+07:00", "2028-03-02T19:15:00+07:00",
			   "2028-03-02T12:15:00.000Z");
}

/* The T1 clock runs from detection: correcting detected_at (PATCH) after
 * verification moves it (regulation.md §13: 5 days from detected_at). */
static void test_corrected_detection_moves_notification(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct err e = { 0 };
	char id[UUID_LEN];
	int64_t t0 = at("2026-06-10T03:00:00Z"), due, met;

	time_set_fake_now(t0);
	long long v = t_walk_to(t->db, ST_VERIFIED, id);
	assert_int_equal(deadline(t->db, id, "notification", &due, &met), 1);
	assert_int_equal(due, t0 - HOUR + 5 * DAY);
	/* It was in fact found two days earlier. */
	json_t *b = json_pack("{s:s}", "detected_at", "2026-06-08T02:00:00Z");
	json_t *inc = incident_update(&coord, id, v, b, &e);
	json_decref(b);
	assert_non_null(inc);
	assert_string_equal(json_string_value(json_object_get(inc, "detected_at")),
			    "2026-06-08T02:00:00.000Z");
	json_decref(inc);
	assert_int_equal(deadline(t->db, id, "notification", &due, &met), 1);
	if (due != at("2026-06-13T02:00:00Z")) {
		char ts[TIME_RFC3339_LEN];
		fail_msg("detected_at corrected to 2026-06-08T02:00:00Z, notification still due %s "
			 "(expected 2026-06-13T02:00:00.000Z)", time_format_utc(due, ts));
	}
}

/* T1 met by a notification report: when it was sent, once. */
static void test_notification_met_by_report(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct ctx focal = t_ctx(t->db, &W.role[R_FOCAL]);
	struct err e = { 0 };
	char id[UUID_LEN], ts[TIME_RFC3339_LEN];
	int64_t t0 = at("2026-06-01T03:00:00Z"), due, met;
	int overdue;

	time_set_fake_now(t0);
	t_walk_to(t->db, ST_VERIFIED, id);
	assert_int_equal(deadline(t->db, id, "notification", &due, &met), 1);
	assert_int_equal(due, t0 - HOUR + 5 * DAY);
	/* Six days on, it is overdue. */
	time_set_fake_now(t0 + 6 * DAY);
	json_t *d = rendered(&coord, id, "notification", &overdue);
	assert_true(json_is_true(json_object_get(d, "overdue")));
	assert_true(overdue);
	json_decref(d);
	assert_int_equal(listed(&coord, id, 1), 1);

	/* A progress report meets no clock. */
	json_t *b = json_pack("{s:s, s:s}", "kind", "progress", "recipient", "VNCERT/CC");
	json_t *r = incident_add_report(&focal, id, b, &e);
	json_decref(b);
	assert_non_null(r);
	json_decref(r);
	assert_int_equal(deadline(t->db, id, "notification", &due, &met), 1);
	assert_int_equal(met, -1);

	/* The notification, sent (by email) four days after detection. */
	int64_t sent = t0 + 4 * DAY;
	b = json_pack("{s:s, s:s, s:s, s:s}", "kind", "notification", "recipient",
		      "Sở TT&TT; VNCERT/CC", "channel", "email", "sent_at",
		      time_format_utc(sent, ts));
	r = incident_add_report(&focal, id, b, &e);
	json_decref(b);
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "sent_at")), ts);
	json_decref(r);
	assert_int_equal(deadline(t->db, id, "notification", &due, &met), 1);
	assert_int_equal(met, sent);
	d = rendered(&coord, id, "notification", &overdue);
	assert_false(json_is_true(json_object_get(d, "overdue")));
	assert_false(overdue);
	json_decref(d);
	assert_int_equal(listed(&coord, id, 0), 0);

	/* A second notification does not move the time it was met. */
	b = json_pack("{s:s, s:s, s:s}", "kind", "notification", "recipient", "VNCERT/CC",
		      "channel", "email");
	r = incident_add_report(&focal, id, b, &e);
	json_decref(b);
	assert_non_null(r);
	json_decref(r);
	assert_int_equal(deadline(t->db, id, "notification", &due, &met), 1);
	assert_int_equal(met, sent);

	/* Without sent_at the report was sent now. */
	t_walk_to(t->db, ST_VERIFIED, id);
	b = json_pack("{s:s, s:s, s:s}", "kind", "notification", "recipient", "VNCERT/CC",
		      "channel", "phone");
	r = incident_add_report(&focal, id, b, &e);
	json_decref(b);
	assert_non_null(r);
	json_decref(r);
	assert_int_equal(deadline(t->db, id, "notification", &due, &met), 1);
	assert_int_equal(met, t0 + 6 * DAY);

	/* A report with a bad kind or time is refused and meets nothing. */
	t_walk_to(t->db, ST_VERIFIED, id);
	b = json_pack("{s:s, s:s}", "kind", "notification", "sent_at", "hôm qua");
	err_clear(&e);
	assert_null(incident_add_report(&focal, id, b, &e));
	assert_int_equal(e.code, E_INVALID);
	json_decref(b);
	b = json_pack("{s:s}", "kind", "telegram");
	err_clear(&e);
	assert_null(incident_add_report(&focal, id, b, &e));
	assert_int_equal(e.code, E_INVALID);
	json_decref(b);
	/* A report that meets a clock names its recipient and channel, and
	 * was not sent in the future. */
	b = json_pack("{s:s}", "kind", "notification");
	err_clear(&e);
	assert_null(incident_add_report(&focal, id, b, &e));
	assert_int_equal(e.code, E_INVALID);
	assert_int_equal(e.nfields, 2);
	assert_string_equal(e.fields[0].pointer, "/recipient");
	assert_string_equal(e.fields[1].pointer, "/channel");
	json_decref(b);
	b = json_pack("{s:s, s:s, s:s, s:s}", "kind", "notification", "recipient", "VNCERT/CC",
		      "channel", "email", "sent_at", time_format_utc(t0 + 7 * DAY, ts));
	err_clear(&e);
	assert_null(incident_add_report(&focal, id, b, &e));
	assert_string_equal(e.fields[0].pointer, "/sent_at");
	json_decref(b);
	assert_int_equal(deadline(t->db, id, "notification", &due, &met), 1);
	assert_int_equal(met, -1);
	/* A reporter alone does not send legal reports. */
	struct ctx reporter = t_ctx(t->db, &W.role[R_REPORTER]);
	b = json_pack("{s:s}", "kind", "notification");
	err_clear(&e);
	assert_null(incident_add_report(&reporter, id, b, &e));
	assert_int_equal(e.code, E_FORBIDDEN);
	json_decref(b);
}

/* T3: the initial report (Mẫu 03) is due 24 h after classification only
 * when the incident is beyond own capacity (escalate, or serious). */
static void test_initial_report_on_escalation(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct ctx focal = t_ctx(t->db, &W.role[R_FOCAL]);
	struct err e = { 0 };
	char id[UUID_LEN];
	int64_t t0 = at("2026-07-01T01:00:00Z"), due, met;

	time_set_fake_now(t0);
	long long v = t_walk_to(t->db, ST_VERIFIED, id);
	time_set_fake_now(t0 + HOUR);
	assert_int_equal(t_move(&coord, id, &v, "classified",
				json_pack("{s:s}", "severity", "low")), E_OK);
	assert_int_equal(deadline(t->db, id, "initial_report", &due, &met), 0);

	v = t_walk_to(t->db, ST_VERIFIED, id);
	assert_int_equal(t_move(&coord, id, &v, "classified",
				json_pack("{s:s, s:b}", "severity", "high", "escalate", 1)), E_OK);
	assert_int_equal(deadline(t->db, id, "initial_report", &due, &met), 1);
	assert_int_equal(due, t0 + HOUR + 24 * HOUR);
	assert_int_equal(met, -1);
	json_t *inc = incident_get(&coord, id, 0, &e);
	assert_true(json_is_true(json_object_get(inc, "escalate")));
	assert_false(json_is_true(json_object_get(inc, "serious")));
	json_decref(inc);
	/* Mẫu 03 sent: met. */
	time_set_fake_now(t0 + 5 * HOUR);
	json_t *b = json_pack("{s:s, s:s, s:s}", "kind", "initial", "recipient",
			      "Sở TT&TT; VNCERT/CC", "channel", "email");
	json_t *r = incident_add_report(&focal, id, b, &e);
	json_decref(b);
	assert_non_null(r);
	json_decref(r);
	assert_int_equal(deadline(t->db, id, "initial_report", &due, &met), 1);
	assert_int_equal(met, t0 + 5 * HOUR);

	/* A serious incident is escalated whatever the body says. */
	time_set_fake_now(t0 + HOUR);
	v = t_walk_to(t->db, ST_VERIFIED, id);
	assert_int_equal(t_move(&coord, id, &v, "classified",
				json_pack("{s:s, s:b, s:b}", "severity", "critical", "serious", 1,
					  "escalate", 0)), E_OK);
	assert_int_equal(deadline(t->db, id, "initial_report", &due, &met), 1);
	assert_int_equal(due, t0 + 25 * HOUR);
	inc = incident_get(&coord, id, 0, &e);
	assert_true(json_is_true(json_object_get(inc, "escalate")));
	assert_true(json_is_true(json_object_get(inc, "serious")));
	json_decref(inc);
}

/* Asking for support means beyond own capacity: T3 starts, and support can
 * only be asked from acknowledged to recovering. */
static void test_support_request_starts_initial_report(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct err e = { 0 };
	char id[UUID_LEN];
	int64_t t0 = at("2026-07-01T01:00:00Z"), due, met;
	static const int refused_in[] = { ST_RECEIVED, ST_REJECTED, ST_REVIEWING, ST_CLOSED };
	static const int allowed_in[] = { ST_ACKNOWLEDGED, ST_VERIFIED, ST_CLASSIFIED,
					  ST_CONTAINING, ST_ERADICATING, ST_RECOVERING };

	time_set_fake_now(t0);
	for (size_t i = 0; i < sizeof(refused_in) / sizeof(refused_in[0]); i++) {
		t_walk_to(t->db, refused_in[i], id);
		long long n = tdb_count(t->db, "support_requests");
		json_t *b = json_pack("{s:s}", "summary", "Cần hỗ trợ phân tích mã độc");
		err_clear(&e);
		assert_null(incident_add_support(&coord, id, b, &e));
		json_decref(b);
		assert_int_equal(e.code, E_CONFLICT);
		assert_int_equal(tdb_count(t->db, "support_requests"), n);
	}
	for (size_t i = 0; i < sizeof(allowed_in) / sizeof(allowed_in[0]); i++) {
		t_walk_to(t->db, allowed_in[i], id);
		int had = deadline(t->db, id, "initial_report", &due, &met);
		time_set_fake_now(t0 + 2 * HOUR);
		json_t *b = json_pack("{s:s}", "summary", "Cần hỗ trợ phân tích mã độc");
		err_clear(&e);
		json_t *r = incident_add_support(&coord, id, b, &e);
		json_decref(b);
		assert_non_null(r);
		/* To the nearest response team above the district: the province. */
		assert_string_equal(json_string_value(json_object_get(json_object_get(r, "to_org"),
								       "code")), "tinh");
		json_decref(r);
		assert_int_equal(deadline(t->db, id, "initial_report", &due, &met), 1);
		if (!had)
			assert_int_equal(due, t0 + 2 * HOUR + 24 * HOUR);
		json_t *inc = incident_get(&coord, id, 0, &e);
		assert_true(json_is_true(json_object_get(inc, "escalate")));
		json_decref(inc);
		time_set_fake_now(t0);
	}
}

/* Records the closing report (Mẫu 04) as sent to VNCERT/CC at `when`. */
static int send_closing(struct ctx *c, const char *id, int64_t when)
{
	char ts[TIME_RFC3339_LEN];
	struct err e = { 0 };
	json_t *b = json_pack("{s:s, s:s, s:s, s:s}", "kind", "closing", "recipient",
			      "VNCERT/CC", "channel", "email", "sent_at", time_format_utc(when, ts));
	json_t *r = incident_add_report(c, id, b, &e);
	json_decref(b);
	json_decref(r);
	return r ? E_OK : e.code;
}

/* T6: closing report 5 days from review. Closing writes the report; the
 * clock is met only when it is recorded as sent (issue 12: closing used to
 * meet it and record a "sent" report though nothing was sent). Reopening
 * drops it and the next review starts a new one. */
static void test_closing_report(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct ctx resp = t_ctx(t->db, &W.role[R_RESPONDER]);
	char id[UUID_LEN];
	int64_t t0 = at("2026-08-01T09:00:00Z"), due, met;
	int overdue;

	time_set_fake_now(t0);
	long long v = t_walk_to(t->db, ST_RECOVERING, id);
	assert_int_equal(deadline(t->db, id, "closing_report", &due, &met), 0);
	time_set_fake_now(t0 + HOUR);
	assert_int_equal(t_move(&coord, id, &v, "reviewing", NULL), E_OK);
	assert_int_equal(deadline(t->db, id, "closing_report", &due, &met), 1);
	assert_int_equal(due, t0 + HOUR + 5 * DAY);
	assert_int_equal(met, -1);
	/* Not written yet: nothing to record as sent. */
	assert_int_equal(send_closing(&coord, id, t0 + HOUR), E_CONFLICT);
	time_set_fake_now(t0 + HOUR + 5 * DAY + 1);
	json_t *d = rendered(&coord, id, "closing_report", &overdue);
	assert_true(json_is_true(json_object_get(d, "overdue")));
	json_decref(d);

	/* Closed (written) in time: the clock still runs, no report recorded. */
	time_set_fake_now(t0 + 2 * DAY);
	long long reports = tdb_count(t->db, "reports");
	assert_int_equal(t_move(&coord, id, &v, "closed", t_needs("closed")), E_OK);
	assert_int_equal(tdb_count(t->db, "reports"), reports);
	assert_int_equal(deadline(t->db, id, "closing_report", &due, &met), 1);
	assert_int_equal(met, -1);
	d = rendered(&coord, id, "closing_report", &overdue);
	assert_string_equal(json_string_value(json_object_get(d, "state")), "running");
	assert_true(json_is_true(json_object_get(d, "due_soon")) == 0);
	json_decref(d);
	assert_int_equal(listed(&coord, id, 0), 1);
	/* Past its due time unsent: a closed incident is overdue for it. */
	time_set_fake_now(t0 + 6 * DAY);
	d = rendered(&coord, id, "closing_report", &overdue);
	assert_string_equal(json_string_value(json_object_get(d, "state")), "overdue");
	assert_true(overdue);
	json_decref(d);
	assert_int_equal(in_overdue_list(&coord, id), 1);
	/* Sent (late), by email to VNCERT/CC: met when it was sent. */
	assert_int_equal(send_closing(&coord, id, t0 + 6 * DAY - HOUR), E_OK);
	assert_int_equal(deadline(t->db, id, "closing_report", &due, &met), 1);
	assert_int_equal(met, t0 + 6 * DAY - HOUR);
	d = rendered(&coord, id, "closing_report", &overdue);
	assert_string_equal(json_string_value(json_object_get(d, "state")), "met");
	assert_false(overdue);
	json_decref(d);
	assert_int_equal(listed(&coord, id, 0), 0);
	assert_int_equal(in_overdue_list(&coord, id), 0);

	/* Reopened: the old closing report no longer counts. */
	time_set_fake_now(t0 + 10 * DAY);
	assert_int_equal(t_move(&coord, id, &v, "containing", t_needs("containing")), E_OK);
	assert_int_equal(deadline(t->db, id, "closing_report", &due, &met), 0);
	assert_int_equal(t_move(&resp, id, &v, "eradicating", NULL), E_OK);
	assert_int_equal(t_move(&resp, id, &v, "recovering", NULL), E_OK);
	time_set_fake_now(t0 + 11 * DAY);
	assert_int_equal(t_move(&coord, id, &v, "reviewing", NULL), E_OK);
	assert_int_equal(deadline(t->db, id, "closing_report", &due, &met), 1);
	assert_int_equal(due, t0 + 16 * DAY);
	assert_int_equal(met, -1);
}

/* A closed incident's unmet clocks are missed, not counting (its closing
 * report excepted, see above); a rejected one owes nothing. */
static void test_closed_and_rejected_never_overdue(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	char id[UUID_LEN];
	int64_t t0 = at("2026-09-01T00:00:00Z"), due, met;
	int overdue;

	time_set_fake_now(t0);
	/* Closed without ever sending the notification: its clock stays open. */
	t_walk_to(t->db, ST_CLOSED, id);
	assert_int_equal(send_closing(&coord, id, t0), E_OK);
	assert_int_equal(deadline(t->db, id, "notification", &due, &met), 1);
	assert_int_equal(met, -1);
	time_set_fake_now(t0 + 30 * DAY);
	json_t *d = rendered(&coord, id, "notification", &overdue);
	assert_false(json_is_true(json_object_get(d, "overdue")));
	assert_string_equal(json_string_value(json_object_get(d, "state")), "missed");
	assert_false(overdue);
	json_decref(d);
	assert_int_equal(listed(&coord, id, 0), 0);
	assert_int_equal(in_overdue_list(&coord, id), 0);

	/* Rejected: nothing is owed; then reopened: acknowledging is due again
	 * from the reopening. */
	time_set_fake_now(t0);
	long long v = t_walk_to(t->db, ST_REJECTED, id);
	assert_int_equal(deadline(t->db, id, "notification", &due, &met), 0);
	time_set_fake_now(t0 + 30 * DAY);
	assert_int_equal(in_overdue_list(&coord, id), 0);
	assert_int_equal(t_move(&coord, id, &v, "received", t_needs("received")), E_OK);
	assert_int_equal(deadline(t->db, id, "ack", &due, &met), 1);
	assert_int_equal(due, t0 + 30 * DAY + 2 * HOUR);
	assert_int_equal(met, -1);
	time_set_fake_now(t0 + 30 * DAY + 3 * HOUR);
	assert_int_equal(in_overdue_list(&coord, id), 1);
}

/* ---- Asia/Ho_Chi_Minh ---- */

static void test_local_time_format(void **state)
{
	(void)state;
	char out[TIME_RFC3339_LEN];
	assert_string_equal(time_format_local(at("2026-11-24T03:15:00Z"), out),
			    "2026-11-24T10:15:00+07:00");
	assert_string_equal(time_format_human(at("2026-11-24T03:15:00Z"), out),
			    "24/11/2026 10:15");
	/* 2026-12-31T17:30:00Z is already 2027 in Vietnam. */
	int64_t ny = at("2026-12-31T17:30:00Z");
	assert_string_equal(time_format_local(ny, out), "2027-01-01T00:30:00+07:00");
	assert_string_equal(time_format_human(ny, out), "01/01/2027 00:30");
	assert_string_equal(time_format_utc(ny, out), "2026-12-31T17:30:00.000Z");
	assert_int_equal(time_local_year(ny), 2027);
	/* The boundary itself: local midnight is 17:00 UTC. */
	assert_int_equal(time_local_year(at("2026-12-31T16:59:59.999Z")), 2026);
	assert_int_equal(time_local_year(at("2026-12-31T17:00:00.000Z")), 2027);
	assert_int_equal(time_local_year(at("2027-01-01T00:00:00+07:00")), 2027);
	assert_int_equal(time_local_year(at("2026-12-31T23:59:59+07:00")), 2026);
	/* UTC's New Year's Eve afternoon is local New Year. */
	assert_int_equal(time_local_year(at("2027-01-01T00:00:00Z")), 2027);
	assert_int_equal(time_local_year(at("2026-01-01T00:00:00Z")), 2026);
	assert_int_equal(time_local_year(at("2025-12-31T16:59:59Z")), 2025);
	/* An offset in the input is honoured. */
	assert_string_equal(time_format_local(at("2026-06-30T20:00:00-05:00"), out),
			    "2026-07-01T08:00:00+07:00");
	/* Parsing our own local output gives the same instant. */
	int64_t back;
	assert_int_equal(time_parse(time_format_local(ny, out), &back), 0);
	assert_int_equal(back, ny);
	/* No daylight time in Vietnam: July and January are both +7. */
	assert_string_equal(time_format_local(at("2026-07-15T12:00:00Z"), out),
			    "2026-07-15T19:00:00+07:00");
	assert_string_equal(time_format_local(at("2026-01-15T12:00:00Z"), out),
			    "2026-01-15T19:00:00+07:00");
}

/* Incident numbers count by the local year: PQ-2027-0001 from local New Year. */
static void test_numbers_by_local_year(void **state)
{
	struct tdb *t = *state;
	struct ctx rep = t_ctx(t->db, &W.rep_a);
	struct err e = { 0 };
	char id[UUID_LEN];
	static const struct { const char *now, *number; } cases[] = {
		{ "2026-12-31T16:30:00Z", "PQ-2026-0001" },   /* 23:30 local */
		{ "2026-12-31T16:59:59Z", "PQ-2026-0002" },
		{ "2026-12-31T17:30:00Z", "PQ-2027-0001" },   /* 00:30 local, UTC still 2026 */
		{ "2026-12-31T23:00:00Z", "PQ-2027-0002" },
		{ "2027-01-01T10:00:00Z", "PQ-2027-0003" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		time_set_fake_now(at(cases[i].now));
		t_create(&rep, NULL, id);
		json_t *inc = incident_get(&rep, id, 0, &e);
		assert_non_null(inc);
		assert_string_equal(json_string_value(json_object_get(inc, "number")),
				    cases[i].number);
		json_decref(inc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ack_on_create, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_rules_are_configuration, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_notification_five_days_local, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_corrected_detection_moves_notification,
						world_open, world_close),
		cmocka_unit_test_setup_teardown(test_notification_met_by_report, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_initial_report_on_escalation, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_support_request_starts_initial_report,
						world_open, world_close),
		cmocka_unit_test_setup_teardown(test_closing_report, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_closed_and_rejected_never_overdue, world_open,
						world_close),
		cmocka_unit_test(test_local_time_format),
		cmocka_unit_test_setup_teardown(test_numbers_by_local_year, world_open, world_close),
	};
	return cmocka_run_group_tests_name("deadline", tests, world_build, world_destroy);
}
