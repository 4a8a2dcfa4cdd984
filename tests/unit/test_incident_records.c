/*
 * test_incident_records.c - the records on an incident (domain/
 * incident_records.c): support requests and their answers, legal reports
 * (and the clocks they meet), tasks, observables, comments and their
 * timeline excerpts, assignees, attachments, and the dashboard figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "domain/ioc/indicator.h"
#include "base/msg.h"
#include "base/crypto.h"
#include "domain/incident/incident.h"

/* The data of the newest timeline event of kind. */
static json_t *last_event(struct ctx *c, const char *id, const char *kind)
{
	struct err e = { 0 };
	json_t *inc = incident_get(c, id, 1, &e);
	assert_non_null(inc);
	json_t *found = NULL;
	size_t i;
	json_t *ev;
	json_array_foreach(json_object_get(inc, "timeline"), i, ev)
		if (strcmp(json_string_value(json_object_get(ev, "kind")), kind) == 0) {
			json_decref(found);
			found = json_incref(json_object_get(ev, "data"));
		}
	json_decref(inc);
	assert_non_null(found);
	return found;
}

static json_t *comment(struct ctx *c, const char *id, const char *body, struct err *e)
{
	json_t *b = json_pack("{s:s}", "body", body);
	err_clear(e);
	json_t *r = incident_add_comment(c, id, b, e);
	json_decref(b);
	return r;
}

/* The timeline shows the start of a comment, cut on a character boundary. */
static void test_comment_excerpt(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct err e;
	char id[UUID_LEN];
	t_walk_to(t->db, ST_ACKNOWLEDGED, id);

	json_t *r = comment(&coord, id, "Đã cô lập máy chủ web.", &e);
	assert_non_null(r);
	json_decref(r);
	json_t *d = last_event(&coord, id, "comment");
	assert_string_equal(json_string_value(json_object_get(d, "excerpt")),
			    "Đã cô lập máy chủ web.");
	json_decref(d);

	/* A short comment ending in a Vietnamese letter is shown whole. */
	static const char *const endings[] = { "Đã cô lập máy chủ", "Đã báo cáo sự cố",
					       "Hoàn thành", "Xong ✓", NULL };
	for (int i = 0; endings[i]; i++) {
		r = comment(&coord, id, endings[i], &e);
		assert_non_null(r);
		json_decref(r);
		d = last_event(&coord, id, "comment");
		const char *ex = json_string_value(json_object_get(d, "excerpt"));
		if (ex == NULL || strcmp(ex, endings[i]) != 0)
			fail_msg("comment \"%s\": timeline excerpt %s%s%s", endings[i],
				 ex ? "\"" : "", ex ? ex : "missing (event data {})", ex ? "\"" : "");
		json_decref(d);
	}
}

static void test_comment_long_excerpt(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct err e;
	char id[UUID_LEN], body[1000];
	t_walk_to(t->db, ST_ACKNOWLEDGED, id);
	/* 200 ASCII bytes fit; past 200 bytes it is cut, never inside a letter. */
	for (int shift = 0; shift < 3; shift++) {
		size_t len = 0;
		for (int i = 0; i < shift; i++)
			body[len++] = 'a';
		while (len < 600) {
			memcpy(body + len, "ủ", 3);
			len += 3;
		}
		body[len] = '\0';
		json_t *r = comment(&coord, id, body, &e);
		assert_non_null(r);
		assert_string_equal(json_string_value(json_object_get(r, "body")), body);
		json_decref(r);
		json_t *d = last_event(&coord, id, "comment");
		const char *ex = json_string_value(json_object_get(d, "excerpt"));
		assert_non_null(ex);
		assert_true(strlen(ex) <= 200 && strlen(ex) >= 196);
		assert_int_equal(strncmp(ex, body, strlen(ex)), 0);
		assert_int_equal((strlen(ex) - (size_t)shift) % 3, 0);
		json_decref(d);
	}
	char ascii[300];
	memset(ascii, 'x', 250);
	ascii[250] = '\0';
	json_t *r = comment(&coord, id, ascii, &e);
	json_decref(r);
	json_t *d = last_event(&coord, id, "comment");
	assert_int_equal(strlen(json_string_value(json_object_get(d, "excerpt"))), 200);
	json_decref(d);
	/* Refusals. */
	assert_null(comment(&coord, id, "", &e));
	assert_int_equal(e.code, E_INVALID);
	struct ctx leader = t_ctx(t->db, &W.role[R_LEADER]);
	assert_null(comment(&leader, id, "Tôi đọc thôi", &e));
	assert_int_equal(e.code, E_FORBIDDEN);
	/* The refusal names the roles as a person reads them (issue 12). */
	char text[400];
	assert_string_equal(err_text(&e, LANG_VI, text, sizeof(text)),
			    "Tài khoản của bạn không làm được việc này; việc này dành cho người "
			    "báo cáo sự cố hoặc cán bộ đầu mối hoặc điều phối viên hoặc cán bộ "
			    "ứng cứu");
	assert_string_equal(err_text(&e, LANG_EN, text, sizeof(text)),
			    "Your account cannot do this; it is done by the incident reporter or "
			    "focal point officer or coordinator or responder");
	char small[24];
	assert_non_null(msg_roles("coordinator,bogus", LANG_EN, small, sizeof(small)));
	assert_string_equal(small, "coordinator or bogus");
	struct ctx rep = t_ctx(t->db, &W.role[R_REPORTER]);
	r = comment(&rep, id, "Người báo cáo bổ sung thông tin", &e);
	assert_non_null(r);
	json_decref(r);
}

/* A notification sent before the coordinator verified still satisfies T1
 * (regulation.md §2: 5 days from detection, whoever is quicker). */
static void test_report_before_clock_counts(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct ctx focal = t_ctx(t->db, &W.role[R_FOCAL]);
	struct err e = { 0 };
	char id[UUID_LEN];
	int64_t t0 = 1790000000000LL;

	time_set_fake_now(t0);
	long long v = t_walk_to(t->db, ST_ACKNOWLEDGED, id);
	json_t *b = json_pack("{s:s, s:s, s:s}", "kind", "notification", "recipient", "VNCERT/CC",
			      "channel", "email");
	json_t *r = incident_add_report(&focal, id, b, &e);
	json_decref(b);
	assert_non_null(r);
	json_decref(r);
	time_set_fake_now(t0 + 3600 * 1000);
	assert_int_equal(t_move(&coord, id, &v, "verified", NULL), E_OK);
	/* Six days later the incident must not show the notification overdue. */
	time_set_fake_now(t0 + 6LL * 86400 * 1000);
	err_clear(&e);
	json_t *inc = incident_get(&coord, id, 0, &e);
	assert_non_null(inc);
	int overdue = json_is_true(json_object_get(inc, "overdue"));
	json_t *met = NULL;
	size_t i;
	json_t *dl;
	json_array_foreach(json_object_get(inc, "deadlines"), i, dl)
		if (strcmp(json_string_value(json_object_get(dl, "kind")), "notification") == 0)
			met = json_object_get(dl, "met_at");
	int unmet = met == NULL || json_is_null(met);
	json_decref(inc);
	if (overdue || unmet)
		fail_msg("notification sent while acknowledged, then verified: the clock shows "
			 "%s%s", unmet ? "unmet" : "met", overdue ? " and overdue" : "");
}

static void test_support_requests(void **state)
{
	struct tdb *t = *state;
	struct ctx sys = t_ctx(t->db, &W.sys);
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct err e = { 0 };
	char id[UUID_LEN], sid[UUID_LEN], sid2[UUID_LEN];

	t_user(&sys, "tinh-coord", "tinh", ROLE_COORDINATOR | ROLE_RESPONDER);
	struct actor prov;
	t_actor(t->db, "tinh-coord", &prov);
	struct ctx tinh = t_ctx(t->db, &prov);
	t_walk_to(t->db, ST_CONTAINING, id);

	json_t *b = json_pack("{s:s, s:s, s:s, s:s}", "summary", "Cần phân tích mã độc",
			      "help_needed", "Mẫu mã độc đính kèm", "urgency", "high",
			      "due_at", "2030-01-01T00:00:00Z");
	json_t *r = incident_add_support(&coord, id, b, &e);
	json_decref(b);
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "status")), "sent");
	assert_string_equal(json_string_value(json_object_get(r, "urgency")), "high");
	snprintf(sid, sizeof(sid), "%s", json_string_value(json_object_get(r, "id")));
	json_decref(r);
	/* Explicitly to VNCERT/CC; to an unknown organisation refused. */
	b = json_pack("{s:s, s:s}", "summary", "Báo VNCERT", "to_org_code", "vncert");
	r = incident_add_support(&coord, id, b, &e);
	json_decref(b);
	assert_non_null(r);
	snprintf(sid2, sizeof(sid2), "%s", json_string_value(json_object_get(r, "id")));
	json_decref(r);
	b = json_pack("{s:s, s:s}", "summary", "x", "to_org_code", "atlantis");
	err_clear(&e);
	assert_null(incident_add_support(&coord, id, b, &e));
	assert_int_equal(e.code, E_INVALID);
	json_decref(b);
	b = json_pack("{s:s, s:s}", "summary", "x", "urgency", "panic");
	err_clear(&e);
	assert_null(incident_add_support(&coord, id, b, &e));
	assert_int_equal(e.code, E_INVALID);
	json_decref(b);
	struct ctx focal = t_ctx(t->db, &W.role[R_FOCAL]);
	b = json_pack("{s:s}", "summary", "x");
	err_clear(&e);
	assert_null(incident_add_support(&focal, id, b, &e));
	assert_int_equal(e.code, E_FORBIDDEN);
	json_decref(b);
	assert_int_equal(tdb_count(t->db, "support_requests"), 2);

	/* The province (above the district) sees the requests on the incident. */
	err_clear(&e);
	json_t *inc = incident_get(&tinh, id, 1, &e);
	assert_non_null(inc);
	assert_int_equal(json_array_size(json_object_get(inc, "support_requests")), 2);
	json_decref(inc);

	/* Only the asked side answers; done only after accepted. */
	json_t *accept = json_pack("{s:s, s:s}", "to", "accepted", "note", "Cử 2 người");
	json_t *done = json_pack("{s:s}", "to", "done");
	err_clear(&e);
	assert_null(incident_support_transition(&coord, id, sid, accept, &e));
	assert_int_equal(e.code, E_FORBIDDEN);
	err_clear(&e);
	assert_null(incident_support_transition(&tinh, id, sid, done, &e));
	assert_int_equal(e.code, E_CONFLICT);
	err_clear(&e);
	r = incident_support_transition(&tinh, id, sid, accept, &e);
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "status")), "accepted");
	json_decref(r);
	err_clear(&e);
	assert_null(incident_support_transition(&tinh, id, sid, accept, &e));
	assert_int_equal(e.code, E_CONFLICT);
	err_clear(&e);
	r = incident_support_transition(&coord, id, sid, done, &e);
	assert_non_null(r);
	json_decref(r);
	/* The province cannot answer what was asked of VNCERT/CC. */
	err_clear(&e);
	assert_null(incident_support_transition(&tinh, id, sid2, accept, &e));
	assert_int_equal(e.code, E_FORBIDDEN);
	err_clear(&e);
	assert_null(incident_support_transition(&coord, id, "019a0000-0000-7000-8000-000000000000",
						accept, &e));
	assert_int_equal(e.code, E_NOTFOUND);
	json_t *bad = json_pack("{s:s}", "to", "maybe");
	err_clear(&e);
	assert_null(incident_support_transition(&tinh, id, sid2, bad, &e));
	assert_int_equal(e.code, E_INVALID);
	json_decref(bad);
	json_decref(accept);
	json_decref(done);
	char status[16];
	char sql[160];
	snprintf(sql, sizeof(sql), "SELECT status FROM support_requests WHERE id = '%s'", sid);
	assert_string_equal(tdb_text(t->db, sql, status, sizeof(status)), "done");
	snprintf(sql, sizeof(sql), "SELECT status FROM support_requests WHERE id = '%s'", sid2);
	assert_string_equal(tdb_text(t->db, sql, status, sizeof(status)), "sent");
}

static void test_tasks_and_assignees(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct ctx reporter = t_ctx(t->db, &W.role[R_REPORTER]);
	struct ctx resp = t_ctx(t->db, &W.role[R_RESPONDER]);
	struct err e = { 0 };
	char id[UUID_LEN], tid[UUID_LEN];
	t_walk_to(t->db, ST_CONTAINING, id);

	json_t *b = json_pack("{s:s, s:s, s:s}", "title", "Thu thập nhật ký máy chủ",
			      "assignee_id", W.role[R_RESPONDER].id, "due_at", "2030-01-01T00:00:00Z");
	json_t *r = incident_add_task(&coord, id, b, &e);
	json_decref(b);
	assert_non_null(r);
	snprintf(tid, sizeof(tid), "%s", json_string_value(json_object_get(r, "id")));
	json_decref(r);
	b = json_pack("{s:s, s:s}", "title", "x", "assignee_id",
		      "019a0000-0000-7000-8000-000000000000");
	err_clear(&e);
	assert_null(incident_add_task(&coord, id, b, &e));
	assert_int_equal(e.code, E_INVALID);
	assert_string_equal(e.fields[0].pointer, "/assignee_id");
	json_decref(b);
	b = json_pack("{s:s}", "title", "x");
	err_clear(&e);
	assert_null(incident_add_task(&reporter, id, b, &e));
	assert_int_equal(e.code, E_FORBIDDEN);
	json_decref(b);

	b = json_pack("{s:b}", "done", 1);
	err_clear(&e);
	r = incident_update_task(&resp, id, tid, b, &e);
	assert_non_null(r);
	json_decref(r);
	char sql[128];
	snprintf(sql, sizeof(sql), "SELECT done FROM tasks WHERE id = '%s'", tid);
	assert_int_equal(tdb_int(t->db, sql), 1);
	err_clear(&e);
	assert_null(incident_update_task(&resp, id, "019a0000-0000-7000-8000-000000000000", b,
					 &e));
	assert_int_equal(e.code, E_NOTFOUND);
	json_decref(b);
	/* The title stays when only done changes, and vice versa. */
	b = json_pack("{s:s}", "title", "Thu thập nhật ký (xong)");
	r = incident_update_task(&resp, id, tid, b, &e);
	json_decref(b);
	json_decref(r);
	assert_int_equal(tdb_int(t->db, sql), 1);

	/* Assigning: coordinators only, people of the incident's organisation
	 * or above it only, twice is once. */
	b = json_pack("{s:s}", "user_id", W.rep_a.id);
	err_clear(&e);
	assert_null(incident_assign(&resp, id, b, &e));
	assert_int_equal(e.code, E_FORBIDDEN);
	err_clear(&e);
	r = incident_assign(&coord, id, b, &e);
	assert_non_null(r);
	json_decref(r);
	r = incident_assign(&coord, id, b, &e);
	assert_non_null(r);
	json_decref(r);
	json_decref(b);
	assert_int_equal(tdb_count(t->db, "assignees"), 1);
	b = json_pack("{s:s}", "user_id", "019a0000-0000-7000-8000-000000000000");
	err_clear(&e);
	assert_null(incident_assign(&coord, id, b, &e));
	assert_int_equal(e.code, E_INVALID);
	json_decref(b);
	/* Someone of another commune is not assignable (as unknown), to the
	 * incident or a task, and still does not see it. */
	b = json_pack("{s:s}", "user_id", W.rep_b.id);
	err_clear(&e);
	assert_null(incident_assign(&coord, id, b, &e));
	assert_int_equal(e.code, E_INVALID);
	json_decref(b);
	b = json_pack("{s:s, s:s}", "title", "x", "assignee_id", W.rep_b.id);
	err_clear(&e);
	assert_null(incident_add_task(&coord, id, b, &e));
	assert_int_equal(e.code, E_INVALID);
	json_decref(b);
	struct ctx rep_b = t_ctx(t->db, &W.rep_b);
	err_clear(&e);
	assert_null(incident_get(&rep_b, id, 1, &e));
	assert_int_equal(e.code, E_NOTFOUND);
	struct ctx rep_a = t_ctx(t->db, &W.rep_a);
	err_clear(&e);
	json_t *inc = incident_get(&rep_a, id, 1, &e);
	assert_non_null(inc);
	assert_int_equal(json_array_size(json_object_get(inc, "assignees")), 1);
	assert_int_equal(json_array_size(json_object_get(inc, "tasks")), 1);
	json_decref(inc);
}

static json_t *observable(struct ctx *c, const char *id, const char *kind, const char *value,
			  struct err *e)
{
	json_t *b = json_pack("{s:s, s:s}", "kind", kind, "value", value);
	err_clear(e);
	json_t *r = incident_add_observable(c, id, b, e);
	json_decref(b);
	return r;
}

static void test_observables(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct err e;
	char id[UUID_LEN];
	t_walk_to(t->db, ST_CLASSIFIED, id);
	static const struct { const char *kind, *value, *stored; } good[] = {
		{ "ip", "203.0.113.7", "203.0.113.7" },
		{ "ip", "203.0.113.0/24", "203.0.113.0/24" },
		{ "ip", "2001:db8::1", "2001:db8::1" },
		{ "ip", "2001:db8::/32", "2001:db8::/32" },
		{ "domain", "Evil-Phish.EXAMPLE.vn", "evil-phish.example.vn" },
		{ "domain", "xn--phq-0na.vn", "xn--phq-0na.vn" },
		{ "url", "https://evil.example/login?x=1", "https://evil.example/login?x=1" },
		{ "hash", "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e" },
		{ "hash", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "email", "Ke.Gia.Mao@Example.VN", "ke.gia.mao@example.vn" },
		{ "filename", "hoa-don.pdf.exe", "hoa-don.pdf.exe" },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		json_t *r = observable(&coord, id, good[i].kind, good[i].value, &e);
		if (r == NULL)
			fail_msg("%s %s refused", good[i].kind, good[i].value);
		assert_string_equal(json_string_value(json_object_get(r, "value")), good[i].stored);
		assert_string_equal(json_string_value(json_object_get(r, "tlp")), "AMBER");
		json_decref(r);
	}
	static const struct { const char *kind, *value; } bad[] = {
		{ "ip", "999.1.1.1" }, { "ip", "10.0.0.1/33" }, { "ip", "10.0.0.1/" },
		{ "ip", "2001:db8::/129" }, { "ip", "evil.example" }, { "ip", "/24" },
		{ "domain", "-evil.example" }, { "domain", ".evil" }, { "domain", "localhost" },
		{ "domain", "evil example.vn" }, { "url", "javascript:alert(1)" },
		{ "url", "evil.example/x" }, { "hash", "abc" }, { "hash", "zz1d8cd98f00b204e9800998ecf8427e" },
		{ "email", "@example.vn" }, { "email", "a b@example.vn" }, { "email", "ab" },
		{ "filename", "../etc/passwd" }, { "filename", "a\\b" }, { "filename", "" },
		{ "mutex", "x" },
	};
	long long n = tdb_count(t->db, "observables");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *r = observable(&coord, id, bad[i].kind, bad[i].value, &e);
		if (r != NULL) {
			json_decref(r);
			fail_msg("%s \"%s\" accepted", bad[i].kind, bad[i].value);
		}
		assert_int_equal(e.code, E_INVALID);
	}
	assert_int_equal(tdb_count(t->db, "observables"), n);
	/* The value at its limit (2048 bytes) and one more. */
	char url[2100];
	memcpy(url, "https://", 8);
	memset(url + 8, 'a', 2040);
	url[2048] = '\0';
	json_t *r = observable(&coord, id, "url", url, &e);
	assert_non_null(r);
	json_decref(r);
	url[2048] = 'a';
	url[2049] = '\0';
	assert_null(observable(&coord, id, "url", url, &e));
	assert_int_equal(e.code, E_INVALID);
}

static void test_attachments(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct err e = { 0 };
	char id[UUID_LEN], aid[UUID_LEN], hash[SHA256_HEX_LEN];
	struct rules small = W.rules;
	small.max_attachment = 1000;
	coord.rules = &small;
	t_walk_to(t->db, ST_CONTAINING, id);

	unsigned char data[1001];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7);
	json_t *r = incident_add_attachment(&coord, id, "nhật ký.log", "text/plain", data, 1000,
					    &e);
	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(r, "size")), 1000);
	assert_string_equal(json_string_value(json_object_get(r, "sha256")),
			    sha256_hex(data, 1000, hash));
	snprintf(aid, sizeof(aid), "%s", json_string_value(json_object_get(r, "id")));
	json_decref(r);
	err_clear(&e);
	assert_null(incident_add_attachment(&coord, id, "big.bin", NULL, data, 1001, &e));
	assert_int_equal(e.code, E_TOOLARGE);
	err_clear(&e);
	assert_null(incident_add_attachment(&coord, id, "../x", NULL, data, 1, &e));
	assert_int_equal(e.code, E_INVALID);
	err_clear(&e);
	assert_null(incident_add_attachment(&coord, id, "a\\b", NULL, data, 1, &e));
	assert_int_equal(e.code, E_INVALID);
	err_clear(&e);
	assert_null(incident_add_attachment(&coord, id, "", NULL, data, 1, &e));
	assert_int_equal(e.code, E_INVALID);
	err_clear(&e);
	r = incident_add_attachment(&coord, id, "empty", "", NULL, 0, &e);
	assert_non_null(r);
	assert_string_equal(json_string_value(json_object_get(r, "content_type")),
			    "application/octet-stream");
	json_decref(r);

	/* Read back: the same bytes, lent until stmt_done. */
	struct stmt *st = NULL;
	const void *p = NULL;
	size_t n = 0;
	err_clear(&e);
	json_t *meta = incident_get_attachment(&coord, id, aid, &st, &p, &n, &e);
	assert_non_null(meta);
	assert_int_equal(n, 1000);
	assert_memory_equal(p, data, 1000);
	assert_string_equal(json_string_value(json_object_get(meta, "name")), "nhật ký.log");
	stmt_done(st);
	json_decref(meta);
	/* Not from another commune; not a random id. */
	struct ctx coord_b = t_ctx(t->db, &W.coord_b);
	err_clear(&e);
	assert_null(incident_get_attachment(&coord_b, id, aid, &st, &p, &n, &e));
	assert_int_equal(e.code, E_NOTFOUND);
	err_clear(&e);
	assert_null(incident_get_attachment(&coord, id, "019a0000-0000-7000-8000-000000000000",
					    &st, &p, &n, &e));
	assert_int_equal(e.code, E_NOTFOUND);
}

static void test_stats(void **state)
{
	struct tdb *t = *state;
	struct ctx coord = t_ctx(t->db, &W.role[R_COORDINATOR]);
	struct ctx coord_b = t_ctx(t->db, &W.coord_b);
	struct err e = { 0 };
	char id[UUID_LEN];
	time_set_fake_now(1790000000000LL);
	t_walk_to(t->db, ST_RECEIVED, id);
	t_walk_to(t->db, ST_CLOSED, id);
	t_walk_to(t->db, ST_REJECTED, id);
	t_walk_to(t->db, ST_CLASSIFIED, id);
	json_t *s = incident_stats(&coord, &e);
	assert_non_null(s);
	assert_int_equal(json_integer_value(json_object_get(s, "total")), 4);
	assert_int_equal(json_integer_value(json_object_get(s, "open")), 2);
	assert_int_equal(json_integer_value(json_object_get(s, "overdue")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "by_status"),
							     "closed")), 1);
	assert_int_equal(json_array_size(json_object_get(s, "by_org")), 1);
	json_decref(s);
	/* Three hours on, the unacknowledged one is overdue. */
	time_set_fake_now(1790000000000LL + 3 * 3600 * 1000);
	s = incident_stats(&coord, &e);
	assert_int_equal(json_integer_value(json_object_get(s, "overdue")), 1);
	json_decref(s);
	/* Another commune counts nothing of these. */
	s = incident_stats(&coord_b, &e);
	assert_int_equal(json_integer_value(json_object_get(s, "total")), 0);
	json_decref(s);
}

int main(void)
{
	indicator_observables_install(); /* as main() does */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_comment_excerpt, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_comment_long_excerpt, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_report_before_clock_counts, world_open,
						world_close),
		cmocka_unit_test_setup_teardown(test_support_requests, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_tasks_and_assignees, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_observables, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_attachments, world_open, world_close),
		cmocka_unit_test_setup_teardown(test_stats, world_open, world_close),
	};
	return cmocka_run_group_tests_name("incident_records", tests, world_build, world_destroy);
}
