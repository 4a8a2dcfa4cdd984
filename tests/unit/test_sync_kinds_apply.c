/*
 * test_sync_kinds_apply.c - two instances, the district (child) and the
 * province (parent), each its own database, exchanging what the kinds
 * queue (src/sync/kinds.c) through a stand-in core (sync_core_stub.c,
 * until h/sync-core lands): an escalation is mirrored in the province's
 * queue, its answers and directions show on the district's incident, each
 * envelope applied twice changes nothing the second time, and nothing is
 * routed back where it came from.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testlib.h"
#include "sync_core_stub.h"
#include "sync/kinds.h"
#include "domain/incident/incident.h"
#include "domain/ioc/indicator.h"
#include "base/msg.h"

static const char *const dist_parent_hosts[] = { "tinh", "vncert", NULL };
static const char *const dist_child_hosts[] = { "xa-b", NULL };
static const char *const prov_child_hosts[] = { "pq", NULL };
static const char *const prov_parent_hosts[] = { "vncert", NULL };

/* The district's view of its peers and the province's of its own. */
static struct stub_instance D = {
	.name = "district", .npeers = 2,
	.peers = { { .id = "peer-prov", .name = "Tỉnh", .relation = SYNC_PARENT },
		   { .id = "peer-xa", .name = "Xã B", .relation = SYNC_CHILD } },
	.hosts = { dist_parent_hosts, dist_child_hosts },
};
static struct stub_instance P = {
	.name = "province", .npeers = 2,
	.peers = { { .id = "peer-dist", .name = "Phú Quý", .relation = SYNC_CHILD },
		   { .id = "peer-nat", .name = "VNCERT", .relation = SYNC_PARENT } },
	.hosts = { prov_child_hosts, prov_parent_hosts },
};

static void show_err(const char *what, const struct err *e)
{
	char text[256];
	print_message("%s: code %d, %s (field %s)\n", what, e->code,
		      err_text(e, LANG_EN, text, sizeof(text)),
		      e->nfields ? e->fields[0].pointer : "-");
}

struct pair {
	struct tdb d, p;
	struct actor pcoord;
};

static int setup(void **state)
{
	struct pair *w = calloc(1, sizeof(*w));
	tdb_clone(&w->d, W.tmpl.path);
	tdb_clone(&w->p, W.tmpl.path);
	struct ctx sys = t_ctx(w->p.db, &W.sys);
	t_user(&sys, "p-coord", "tinh", ROLE_COORDINATOR);
	t_actor(w->p.db, "p-coord", &w->pcoord);
	stub_reset();
	D.db = w->d.db;
	P.db = w->p.db;
	stub_instance_add(&D);
	stub_instance_add(&P);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct pair *w = *state;
	tdb_free(&w->d);
	tdb_free(&w->p);
	free(w);
	return 0;
}

/* The peer as the receiving instance registered the sender. */
static const struct sync_peer *peer(const struct stub_instance *in, const char *id)
{
	for (size_t i = 0; i < in->npeers; i++)
		if (strcmp(in->peers[i].id, id) == 0)
			return &in->peers[i];
	fail_msg("no peer %s", id);
	return NULL;
}

/* Applies one sent envelope on db as its inbox would (relation checked,
 * one transaction); returns the error code. */
static int apply(struct store *db, const struct sync_peer *from, const json_t *env)
{
	const char *kind = json_string_value(json_object_get(env, "kind"));
	const struct sync_kind *k = sync_kind_find(kind);
	assert_non_null(k);
	if (!(k->from & from->relation))
		return E_FORBIDDEN;
	struct ctx c = t_ctx(db, &W.sys);
	struct err e = { 0 };
	assert_int_equal(store_begin(db, &e), 0);
	json_t *payload = json_deep_copy(json_object_get(env, "payload"));
	int rc = k->apply(&c, from, payload, &e);
	json_decref(payload);
	if (rc != 0) {
		if (getenv("SYNC_TEST_VERBOSE"))
			show_err(kind, &e);
		store_rollback(db);
		return e.code ? e.code : E_INTERNAL;
	}
	assert_int_equal(store_commit(db, &e), 0);
	return E_OK;
}

/* What a second application could change, as one string. */
static void snapshot(struct store *db, char *out, size_t n)
{
	snprintf(out, n, "%lld/%lld/%lld/%lld/%lld/%lld/%lld/%lld/%lld/%lld/%lld/%lld/%zu",
		 tdb_count(db, "incidents"), tdb_int(db, "SELECT SUM(version + rev) FROM incidents"),
		 tdb_count(db, "events"), tdb_count(db, "comments"),
		 tdb_count(db, "support_requests"),
		 tdb_int(db, "SELECT COUNT(*) FROM support_requests WHERE status <> 'sent'"),
		 tdb_count(db, "observables"), tdb_count(db, "deadlines"),
		 tdb_count(db, "sync_received"), tdb_count(db, "warning_targets"),
		 tdb_count(db, "indicators"), tdb_int(db, "SELECT SUM(version) FROM indicators"),
		 json_array_size(stub_sent));
}

/* Applies the envelope twice: the second time changes nothing. */
static void apply_twice(struct store *db, const struct sync_peer *from, const json_t *env)
{
	char a[256], b[256];
	assert_int_equal(apply(db, from, env), E_OK);
	snapshot(db, a, sizeof(a));
	assert_int_equal(apply(db, from, env), E_OK);
	snapshot(db, b, sizeof(b));
	assert_string_equal(a, b);
}

/* The one envelope sent since mark, of that kind, to that peer. */
static json_t *sent(size_t mark, const char *kind, const char *to)
{
	json_t *found = NULL;
	for (size_t i = mark; i < json_array_size(stub_sent); i++) {
		json_t *x = json_array_get(stub_sent, i);
		if (strcmp(json_string_value(json_object_get(x, "kind")), kind) == 0 &&
		    strcmp(json_string_value(json_object_get(x, "to")), to) == 0) {
			assert_null(found);
			found = x;
		}
	}
	if (found == NULL)
		fail_msg("nothing of kind %s sent to %s", kind, to);
	return found;
}

static size_t count_sent(size_t mark, const char *kind)
{
	size_t n = 0;
	for (size_t i = mark; i < json_array_size(stub_sent); i++)
		n += strcmp(json_string_value(json_object_get(json_array_get(stub_sent, i), "kind")),
			    kind) == 0;
	return n;
}

/* Files an incident in the district (tlp given), acknowledged, and asks
 * the province team for help: the envelope it queued. */
static json_t *escalate(struct pair *w, const char *tlp, char id[UUID_LEN], char sid[UUID_LEN])
{
	struct ctx rep = t_ctx(w->d.db, &W.rep_a), cr = t_ctx(w->d.db, &W.cr);
	json_t *extra = json_pack("{s:s}", "tlp", tlp);
	long long v = t_create(&rep, extra, id);
	json_decref(extra);
	assert_int_equal(t_move(&cr, id, &v, "acknowledged", NULL), E_OK);
	struct err e = { 0 };
	json_t *obs = json_pack("{s:s, s:s, s:s}", "kind", "ip", "value", "203.0.113.9", "tlp",
				"GREEN");
	json_t *r = incident_add_observable(&cr, id, obs, &e);
	json_decref(obs);
	if (r == NULL)
		show_err("observable", &e);
	assert_non_null(r);
	json_decref(r);
	size_t mark = json_array_size(stub_sent);
	json_t *body = json_pack("{s:s, s:s, s:s}", "summary", "Cần hỗ trợ phân tích mã độc",
				 "to_org_code", "tinh", "urgency", "high");
	r = incident_add_support(&cr, id, body, &e);
	json_decref(body);
	if (r == NULL) {
		show_err("support", &e);
		fail();
	}
	snprintf(sid, UUID_LEN, "%s", json_string_value(json_object_get(r, "id")));
	json_decref(r);
	json_t *env = sent(mark, SK_SUPPORT_REQUEST, "peer-prov");
	assert_null(json_string_value(json_object_get(env, "via")));
	return env;
}

static void mirror_id(struct store *db, char out[UUID_LEN])
{
	tdb_text(db, "SELECT incident_id FROM sync_mirrors", out, UUID_LEN);
	assert_int_equal(strlen(out), 36);
}

static void test_escalation_mirrored_and_answered(void **state)
{
	struct pair *w = *state;
	char id[UUID_LEN], sid[UUID_LEN], mid[UUID_LEN], msid[UUID_LEN], buf[512];
	json_t *env = escalate(w, "AMBER", id, sid);
	/* AMBER: the organisation asked is named, the incident goes. */
	json_t *inc = json_object_get(json_object_get(env, "payload"), "incident");
	assert_string_equal(json_string_value(json_object_get(inc, "title")),
			    "Trang web bị thay đổi giao diện");

	apply_twice(w->p.db, peer(&P, "peer-dist"), env);
	mirror_id(w->p.db, mid);
	/* In the province's queue, of the district's organisation, from the
	 * district, with its clocks and what it asked. */
	assert_string_equal(tdb_text(w->p.db, "SELECT o.code FROM incidents i JOIN orgs o ON "
				     "o.id = i.org_id JOIN sync_mirrors m ON m.incident_id = i.id",
				     buf, sizeof(buf)), "xa-a");
	assert_string_equal(tdb_text(w->p.db, "SELECT instance FROM sync_mirrors", buf,
				     sizeof(buf)), "Phú Quý");
	assert_string_equal(tdb_text(w->p.db, "SELECT u.full_name FROM incidents i JOIN users u "
				     "ON u.id = i.created_by JOIN sync_mirrors m ON "
				     "m.incident_id = i.id", buf, sizeof(buf)), "Từ cấp dưới: Phú Quý");
	assert_int_equal(tdb_int(w->p.db, "SELECT COUNT(*) FROM deadlines d JOIN sync_mirrors m ON "
				 "m.incident_id = d.incident_id"),
			 tdb_int(w->d.db, "SELECT COUNT(*) FROM deadlines"));
	assert_int_equal(tdb_int(w->p.db, "SELECT COUNT(*) FROM observables o JOIN sync_mirrors m "
				 "ON m.incident_id = o.incident_id"), 1);
	tdb_text(w->p.db, "SELECT s.id FROM support_requests s JOIN sync_mirrors m ON "
		 "m.incident_id = s.incident_id", msid, sizeof(msid));
	assert_string_equal(tdb_text(w->p.db, "SELECT status || '/' || urgency FROM "
				     "support_requests", buf, sizeof(buf)), "sent/high");

	/* The province accepts and directs: records of its own, sent down. */
	struct ctx pc = t_ctx(w->p.db, &w->pcoord);
	struct err e = { 0 };
	size_t mark = json_array_size(stub_sent);
	json_t *body = json_pack("{s:s, s:s}", "to", "accepted", "note", "Cử 2 cán bộ");
	json_t *r = incident_support_transition(&pc, mid, msid, body, &e);
	json_decref(body);
	if (r == NULL)
		fail_msg("accept: %d", e.code);
	json_decref(r);
	body = json_pack("{s:s, s:s}", "body", "Cô lập máy chủ web ngay", "kind", "direction");
	r = incident_add_comment(&pc, mid, body, &e);
	json_decref(body);
	assert_non_null(r);
	json_decref(r);
	json_t *answer = sent(mark, SK_SUPPORT_ANSWER, "peer-dist");
	json_t *direction = sent(mark, SK_DIRECTION, "peer-dist");
	/* The district's own ids: it can find its records. */
	assert_string_equal(json_string_value(json_object_get(json_object_get(answer, "payload"),
							      "request_id")), sid);
	assert_string_equal(json_string_value(json_object_get(json_object_get(direction, "payload"),
							      "incident_id")), id);

	/* On the district's incident. */
	apply_twice(w->d.db, peer(&D, "peer-prov"), answer);
	apply_twice(w->d.db, peer(&D, "peer-prov"), direction);
	assert_string_equal(tdb_text(w->d.db, "SELECT status || '/' || note FROM support_requests",
				     buf, sizeof(buf)), "accepted/Cử 2 cán bộ");
	assert_string_equal(tdb_text(w->d.db, "SELECT kind FROM comments", buf, sizeof(buf)),
			    "direction");
	struct ctx cr = t_ctx(w->d.db, &W.cr);
	json_t *full = incident_get(&cr, id, 1, &e);
	assert_non_null(full);
	json_t *c0 = json_array_get(json_object_get(full, "comments"), 0);
	assert_non_null(strstr(json_string_value(json_object_get(c0, "body")),
			       "Cô lập máy chủ web ngay"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(c0, "created_by"),
							      "full_name")), "Từ cấp trên: Tỉnh");
	json_decref(full);

	/* The district moves its incident: the mirror follows. */
	long long v;
	char st[32];
	t_status(w->d.db, id, st, &v);
	mark = json_array_size(stub_sent);
	assert_int_equal(t_move(&cr, id, &v, "verified", NULL), E_OK);
	json_t *moved = sent(mark, SK_INCIDENT_STATUS, "peer-prov");
	apply_twice(w->p.db, peer(&P, "peer-dist"), moved);
	t_status(w->p.db, mid, st, &v);
	assert_string_equal(st, "verified");
}

static void test_red_incident_stays(void **state)
{
	struct pair *w = *state;
	char id[UUID_LEN], sid[UUID_LEN], mid[UUID_LEN], buf[512];
	json_t *env = escalate(w, "RED", id, sid);
	char *text = json_dumps(json_object_get(env, "payload"), 0);
	assert_null(strstr(text, "Trang web"));
	assert_null(strstr(text, "203.0.113.9"));
	free(text);
	apply_twice(w->p.db, peer(&P, "peer-dist"), env);
	mirror_id(w->p.db, mid);
	tdb_text(w->p.db, "SELECT i.title FROM incidents i JOIN sync_mirrors m ON "
		 "m.incident_id = i.id", buf, sizeof(buf));
	assert_non_null(strstr(buf, "nội dung giữ lại theo TLP"));
	assert_string_equal(tdb_text(w->p.db, "SELECT i.description FROM incidents i JOIN "
				     "sync_mirrors m ON m.incident_id = i.id", buf, sizeof(buf)), "");
	assert_int_equal(tdb_count(w->p.db, "observables"), 0);
	/* The request itself goes: it was written for the one asked. */
	assert_string_equal(tdb_text(w->p.db, "SELECT summary FROM support_requests", buf,
				     sizeof(buf)), "Cần hỗ trợ phân tích mã độc");
}

static void test_only_the_asked_answers(void **state)
{
	struct pair *w = *state;
	char id[UUID_LEN], sid[UUID_LEN];
	escalate(w, "GREEN", id, sid);
	/* A child of the district (it hosts xa-b) may not answer what the
	 * district asked the province, even naming the right ids. */
	json_t *forged = json_pack("{s:s, s:{s:s, s:s, s:s}}", "kind", SK_SUPPORT_ANSWER, "payload",
				   "request_id", sid, "incident_id", id, "status", "accepted");
	assert_int_equal(apply(w->d.db, peer(&D, "peer-xa"), forged), E_FORBIDDEN);
	/* A parent that was not asked cannot comment on an incident either. */
	char other[UUID_LEN];
	struct ctx rep = t_ctx(w->d.db, &W.rep_a);
	t_create(&rep, NULL, other);
	json_t *c = json_pack("{s:s, s:{s:s, s:s, s:s}}", "kind", SK_COMMENT, "payload", "id",
			      "0190aaaa-0000-7000-8000-0000000000c1", "incident_id", other, "body",
			      "x");
	assert_int_equal(apply(w->d.db, peer(&D, "peer-prov"), c), E_FORBIDDEN);
	assert_string_equal(tdb_text(w->d.db, "SELECT status FROM support_requests",
				     (char[16]){ 0 }, 16), "sent");
	assert_int_equal(tdb_count(w->d.db, "comments"), 0);
	json_decref(forged);
	json_decref(c);
}

static void test_routing(void **state)
{
	struct pair *w = *state;
	/* Indicators and warnings only come down: a child may not send them. */
	assert_int_equal(sync_kind_find(SK_INDICATOR)->from, SYNC_PARENT);
	assert_int_equal(sync_kind_find(SK_WARNING)->from, SYNC_PARENT);
	assert_int_equal(sync_kind_find(SK_SUPPORT_REQUEST)->from, SYNC_CHILD);
	json_t *ind = json_pack("{s:s, s:{s:s, s:s, s:s, s:s}}", "kind", SK_INDICATOR, "payload",
				"id", "0190aaaa-0000-7000-8000-0000000000d1", "kind", "domain",
				"value", "C2.Example.COM", "tlp", "GREEN");
	assert_int_equal(apply(w->p.db, peer(&P, "peer-dist"), ind), E_FORBIDDEN);

	/* From the parent: kept, passed on down, never back up. */
	size_t mark = json_array_size(stub_sent);
	apply_twice(w->d.db, peer(&D, "peer-prov"), ind);
	char buf[128];
	assert_string_equal(tdb_text(w->d.db, "SELECT value || '/' || source FROM indicators",
				     buf, sizeof(buf)), "c2.example.com/Tỉnh");
	json_t *fwd = sent(mark, SK_INDICATOR, "peer-xa");
	assert_string_equal(json_string_value(json_object_get(fwd, "via")), "peer-prov");
	assert_int_equal(count_sent(mark, SK_INDICATOR), 1);

	/* Revocation propagates the same way, once. */
	json_t *rev = json_pack("{s:s, s:{s:s}}", "kind", SK_INDICATOR_REVOKE, "payload", "id",
				"0190aaaa-0000-7000-8000-0000000000d1");
	mark = json_array_size(stub_sent);
	apply_twice(w->d.db, peer(&D, "peer-prov"), rev);
	assert_int_equal(tdb_int(w->d.db, "SELECT to_ids FROM indicators"), 0);
	assert_int_equal(count_sent(mark, SK_INDICATOR_REVOKE), 1);
	sent(mark, SK_INDICATOR_REVOKE, "peer-xa");

	/* AMBER+STRICT or RED sent anyway: refused. */
	json_t *red = json_pack("{s:s, s:{s:s, s:s, s:s, s:s}}", "kind", SK_INDICATOR, "payload",
				"id", "0190aaaa-0000-7000-8000-0000000000d2", "kind", "domain",
				"value", "red.example", "tlp", "RED");
	assert_int_equal(apply(w->d.db, peer(&D, "peer-prov"), red), E_INVALID);
	json_decref(ind);
	json_decref(rev);
	json_decref(red);
}

static void test_escalation_not_routed_back(void **state)
{
	struct pair *w = *state;
	char id[UUID_LEN], sid[UUID_LEN], mid[UUID_LEN];
	json_t *env = escalate(w, "GREEN", id, sid);
	assert_int_equal(apply(w->p.db, peer(&P, "peer-dist"), env), E_OK);
	mirror_id(w->p.db, mid);
	struct ctx pc = t_ctx(w->p.db, &w->pcoord);
	struct err e = { 0 };
	/* The province asks VNCERT about the mirror: it goes up, to the
	 * national instance, never back down to the district. */
	size_t mark = json_array_size(stub_sent);
	json_t *body = json_pack("{s:s, s:s}", "summary", "Đề nghị VNCERT hỗ trợ", "to_org_code",
				 "vncert");
	json_t *r = incident_add_support(&pc, mid, body, &e);
	json_decref(body);
	if (r == NULL)
		fail_msg("support: %d", e.code);
	json_decref(r);
	json_t *up = sent(mark, SK_SUPPORT_REQUEST, "peer-nat");
	assert_string_equal(json_string_value(json_object_get(up, "via")), "peer-dist");
	assert_int_equal(count_sent(mark, SK_SUPPORT_REQUEST), 1);
	/* The district's next move reaches the mirror and goes on up to
	 * VNCERT, not back to the district. */
	struct ctx cr = t_ctx(w->d.db, &W.cr);
	long long v;
	char st[32];
	t_status(w->d.db, id, st, &v);
	mark = json_array_size(stub_sent);
	assert_int_equal(t_move(&cr, id, &v, "verified", NULL), E_OK);
	json_t *moved = sent(mark, SK_INCIDENT_STATUS, "peer-prov");
	mark = json_array_size(stub_sent);
	assert_int_equal(apply(w->p.db, peer(&P, "peer-dist"), moved), E_OK);
	sent(mark, SK_INCIDENT_STATUS, "peer-nat");
	assert_int_equal(count_sent(mark, SK_INCIDENT_STATUS), 1);
}

static void test_warning_and_withdrawal(void **state)
{
	struct pair *w = *state;
	json_t *wr = json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:[s, s, s], s:[s]}}", "kind",
			       SK_WARNING, "payload", "id", "0190aaaa-0000-7000-8000-0000000000e1",
			       "title", "Lỗ hổng nghiêm trọng", "severity", "critical", "deadline",
			       "2026-12-31T00:00:00.000Z", "targets", "pq", "xa-b", "other-prov",
			       "cves", "CVE-2026-0001");
	size_t mark = json_array_size(stub_sent);
	apply_twice(w->d.db, peer(&D, "peer-prov"), wr);
	assert_int_equal(tdb_count(w->d.db, "warnings"), 1);
	assert_int_equal(tdb_count(w->d.db, "warning_targets"), 2);
	/* xa-b is hosted by the child: it goes on down, once, naming only
	 * what that child hosts. */
	json_t *down = sent(mark, SK_WARNING, "peer-xa");
	assert_int_equal(count_sent(mark, SK_WARNING), 1);
	json_t *t = json_object_get(json_object_get(down, "payload"), "targets");
	assert_int_equal(json_array_size(t), 1);
	assert_string_equal(json_string_value(json_array_get(t, 0)), "xa-b");
	mark = json_array_size(stub_sent);
	json_t *wd = json_pack("{s:s, s:{s:s}}", "kind", SK_WARNING_WITHDRAW, "payload", "id",
			       "0190aaaa-0000-7000-8000-0000000000e1");
	apply_twice(w->d.db, peer(&D, "peer-prov"), wd);
	assert_int_equal(tdb_count(w->d.db, "warning_targets"), 0);
	sent(mark, SK_WARNING_WITHDRAW, "peer-xa");
	assert_int_equal(count_sent(mark, SK_WARNING_WITHDRAW), 1);
	json_decref(wr);
	json_decref(wd);
}

static void test_bad_payloads(void **state)
{
	struct pair *w = *state;
	static const char *const bad[] = {
		"{\"kind\":\"support.request\",\"payload\":{}}",
		"{\"kind\":\"support.request\",\"payload\":{\"request\":{\"id\":\"x\",\"summary\":\"s\","
		"\"to_org_code\":\"nowhere\"},\"incident\":{}}}",
		"{\"kind\":\"support.request\",\"payload\":{\"request\":{\"id\":\"x\",\"summary\":\"s\","
		"\"to_org_code\":\"tinh\"},\"incident\":{\"id\":\"r\",\"number\":\"N\","
		"\"status\":\"nonsense\",\"tlp\":\"GREEN\",\"org\":{\"code\":\"pq\",\"name\":\"n\"}}}}",
		"{\"kind\":\"incident.status\",\"payload\":{\"incident_id\":5}}",
		"{\"kind\":\"report\",\"payload\":{\"report\":{\"id\":\"r\",\"kind\":\"gossip\"}}}",
		"{\"kind\":\"hunt.summary\",\"payload\":{\"hunt_id\":\"h\"}}",
	};
	char before[256], after[256];
	snapshot(w->p.db, before, sizeof(before));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *env = json_loads(bad[i], 0, NULL);
		assert_non_null(env);
		int rc = apply(w->p.db, peer(&P, "peer-dist"), env);
		if (rc == E_OK)
			fail_msg("accepted: %s", bad[i]);
		json_decref(env);
	}
	snapshot(w->p.db, after, sizeof(after));
	assert_string_equal(before, after);
	/* Too long a summary is refused, not cut. */
	char *longs = malloc(LIMIT_LONG_TEXT + 2);
	memset(longs, 'a', LIMIT_LONG_TEXT + 1);
	longs[LIMIT_LONG_TEXT + 1] = '\0';
	json_t *env = json_pack("{s:s, s:{s:{s:s, s:s, s:s}, s:{}}}", "kind", SK_SUPPORT_REQUEST,
				"payload", "request", "id", "x", "summary", longs, "to_org_code",
				"tinh", "incident");
	assert_int_equal(apply(w->p.db, peer(&P, "peer-dist"), env), E_INVALID);
	json_decref(env);
	free(longs);
}

/* An indicator the province files as p-coord; its id into id. */
static void p_indicator(struct pair *w, const char *value, const char *tlp, const char *share,
			char id[UUID_LEN])
{
	struct ctx pc = t_ctx(w->p.db, &w->pcoord);
	struct err e = { 0 };
	json_t *body = json_pack("{s:s, s:s, s:s}", "kind", "domain", "value", value, "tlp", tlp);
	if (share)
		json_object_set_new(body, "share_with_codes", json_pack("[s]", share));
	int created = 0;
	json_t *r = indicator_create(&pc, body, &created, &e);
	json_decref(body);
	if (r == NULL) {
		show_err("indicator", &e);
		fail();
	}
	snprintf(id, UUID_LEN, "%s", json_string_value(json_object_get(r, "id")));
	json_decref(r);
}

static void test_indicators_go_down_as_tlp_permits(void **state)
{
	struct pair *w = *state;
	char g[UUID_LEN], a[UUID_LEN], a2[UUID_LEN], s[UUID_LEN], r[UUID_LEN];
	size_t mark = json_array_size(stub_sent);
	p_indicator(w, "green.example", "GREEN", NULL, g);
	json_t *env = sent(mark, SK_INDICATOR, "peer-dist");
	assert_null(json_object_get(json_object_get(env, "payload"), "share_with"));
	/* AMBER naming an organisation the district's instance hosts: to it. */
	mark = json_array_size(stub_sent);
	p_indicator(w, "amber.example", "AMBER", "xa-a", a);
	sent(mark, SK_INDICATOR, "peer-dist");
	/* AMBER naming only the province's own: nowhere. */
	mark = json_array_size(stub_sent);
	p_indicator(w, "amber2.example", "AMBER", "tinh", a2);
	p_indicator(w, "strict.example", "AMBER+STRICT", NULL, s);
	p_indicator(w, "red.example", "RED", NULL, r);
	assert_int_equal(count_sent(mark, SK_INDICATOR), 0);
	/* Never up: the national instance gets none of them. */
	for (size_t i = 0; i < json_array_size(stub_sent); i++)
		assert_string_not_equal(json_string_value(json_object_get(json_array_get(stub_sent, i),
									   "to")), "peer-nat");

	/* Applied below, then deleted above: revoked below. */
	apply_twice(w->d.db, peer(&D, "peer-prov"), env);
	struct ctx pc = t_ctx(w->p.db, &w->pcoord);
	struct err e = { 0 };
	mark = json_array_size(stub_sent);
	assert_int_equal(indicator_delete(&pc, g, 1, &e), 0);
	json_t *rev = sent(mark, SK_INDICATOR_REVOKE, "peer-dist");
	apply_twice(w->d.db, peer(&D, "peer-prov"), rev);
	assert_int_equal(tdb_int(w->d.db, "SELECT to_ids FROM indicators WHERE value = "
				 "'green.example'"), 0);
}

static void test_sighting_goes_up(void **state)
{
	struct pair *w = *state;
	char id[UUID_LEN];
	/* The province shares an indicator; the district sees it on an
	 * incident: the province learns where, not the details. */
	json_t *ind = json_pack("{s:s, s:{s:s, s:s, s:s, s:s}}", "kind", SK_INDICATOR, "payload",
				"id", "0190aaaa-0000-7000-8000-0000000000f1", "kind", "ipv4",
				"value", "198.51.100.23", "tlp", "GREEN");
	assert_int_equal(apply(w->d.db, peer(&D, "peer-prov"), ind), E_OK);
	json_decref(ind);
	struct ctx rep = t_ctx(w->d.db, &W.rep_a), cr = t_ctx(w->d.db, &W.cr);
	t_create(&rep, NULL, id);
	size_t mark = json_array_size(stub_sent);
	struct err e = { 0 };
	json_t *obs = json_pack("{s:s, s:s}", "kind", "ip", "value", "198.51.100.23");
	json_t *r = incident_add_observable(&cr, id, obs, &e);
	json_decref(obs);
	assert_non_null(r);
	json_decref(r);
	json_t *sg = sent(mark, SK_SIGHTING, "peer-prov");
	json_t *p = json_object_get(sg, "payload");
	assert_string_equal(json_string_value(json_object_get(p, "indicator_id")),
			    "0190aaaa-0000-7000-8000-0000000000f1");
	assert_string_equal(json_string_value(json_object_get(p, "org_code")), "xa-a");
	apply_twice(w->p.db, peer(&P, "peer-dist"), sg);
	assert_int_equal(tdb_count(w->p.db, "sync_received WHERE kind = 'sighting'"), 1);
}

int main(void)
{
	sync_kinds_install();
	stub_reset();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_escalation_mirrored_and_answered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_red_incident_stays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_the_asked_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escalation_not_routed_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_warning_and_withdrawal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_payloads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indicators_go_down_as_tlp_permits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sighting_goes_up, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, world_build, world_destroy);
	json_decref(stub_sent);
	return rc;
}
