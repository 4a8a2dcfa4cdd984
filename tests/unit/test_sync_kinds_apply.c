/*
 * test_sync_kinds_apply.c - two instances, the district (child) and the
 * province (parent), each its own database, exchanging what the kinds
 * queue (src/sync/kinds.c) through the federation's core: an escalation is mirrored in the province's
 * queue, its answers and directions show on the district's incident, each
 * envelope applied twice changes nothing the second time, and nothing is
 * routed back where it came from.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "testlib.h"
#include "base/crypto.h"
#include "domain/directory/audit.h"
#include "sync/sync.h"
#include "sync/kinds.h"
#include "domain/incident/incident.h"
#include "domain/ioc/indicator.h"
#include "domain/ioc/hunt.h"
#include "domain/vuln/warning.h"
#include "base/msg.h"
#include "base/timeutil.h"
#include <sodium.h>

static void show_err(const char *what, const struct err *e)
{
	char text[256];
	print_message("%s: code %d, %s (field %s)\n", what, e->code,
		      err_text(e, LANG_EN, text, sizeof(text)),
		      e->nfields ? e->fields[0].pointer : "-");
}

/*
 * Three instances as `ungcuu init` makes them (a database and its key
 * file): D the district (its parent P hosts tinh and vncert; its child X
 * hosts xa-b), P the province (its child D hosts pq; its parent N hosts
 * vncert). X and N exist as keys only: what is queued for them is read
 * from the outbox. Each has the same organisation tree, as a province's
 * directory knows its districts.
 */
struct inst {
	struct tdb t;
	struct actor sys;
	struct ctx c;
	char pk[65], sk[129];
};

struct pair {
	struct inst d, p;
	char pk_x[65], pk_n[65];
	char d_p[UUID_LEN], d_x[UUID_LEN], d_n[UUID_LEN];   /* D's rows for P, X, N */
	char p_d[UUID_LEN], p_n[UUID_LEN];   /* P's rows for D and N */
	struct actor cr, rep_a, pcoord;
};

static void inst_new(struct inst *in, int province)
{
	struct err e = { 0 };
	char path[256];
	memset(in, 0, sizeof(*in));
	snprintf(in->t.dir, sizeof(in->t.dir), "/tmp/ungcuu-unit-XXXXXX");
	assert_non_null(mkdtemp(in->t.dir));
	snprintf(in->t.path, sizeof(in->t.path), "%s/test.db", in->t.dir);
	assert_int_equal(ed25519_keypair_hex(in->pk, in->sk), 0);
	snprintf(path, sizeof(path), "%s.key", in->t.path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, in->sk, 128), 128);
	close(fd);
	in->t.db = store_open(in->t.path, &e);
	assert_non_null(in->t.db);
	assert_true(store_exec(in->t.db, "PRAGMA synchronous=OFF", &e) == 0);
	assert_true(store_migrate(in->t.db, &e) >= 0);
	actor_system(&in->sys);
	in->c = t_ctx(in->t.db, &in->sys);
	t_org(&in->c, "vncert", "national", NULL, 1);
	t_org(&in->c, "tinh", "province", "vncert", 1);
	t_org(&in->c, "pq", "district", "tinh", 0);
	t_org(&in->c, "xa-a", "commune", "pq", 0);
	t_org(&in->c, "xa-b", "commune", "pq", 0);
	/* The instance's home organisation is its first administrator's. */
	t_user(&in->c, province ? "p-admin" : "d-admin", province ? "tinh" : "pq", ROLE_ADMIN);
	if (province) {
		t_user(&in->c, "p-coord", "tinh", ROLE_COORDINATOR);
	} else {
		t_user(&in->c, "cr", "pq", ROLE_COORDINATOR | ROLE_RESPONDER);
		t_user(&in->c, "rep-a", "xa-a", ROLE_REPORTER | ROLE_FOCAL);
	}
}

static void peer_add(struct inst *at, const char *name, const char *pk, int relation,
		     const char *const *orgs, char id[UUID_LEN])
{
	struct err e = { 0 };
	json_t *b = json_pack("{s:s, s:s, s:s, s:[]}", "name", name, "public_key", pk,
			      "relation", relation == SYNC_PARENT ? "parent" : "child", "orgs");
	for (size_t i = 0; orgs[i]; i++)
		json_array_append_new(json_object_get(b, "orgs"), json_string(orgs[i]));
	int rc = sync_peer_add(&at->c, b, id, &e);
	json_decref(b);
	if (rc != 0)
		show_err("peer_add", &e);
	assert_int_equal(rc, 0);
}

static int group_setup(void **state)
{
	(void)state;
	assert_int_equal(crypto_init(), 0);
	audit_setup(NULL);   /* each database its own key file, as in production */
	sync_kinds_install();
	return 0;
}

static int setup(void **state)
{
	struct pair *w = calloc(1, sizeof(*w));
	char sk[129];
	static const char *const d_parent[] = { "tinh", NULL }, *const d_nat[] = { "vncert", NULL },
		*const d_child[] = {
		"xa-b", NULL }, *const p_child[] = { "pq", NULL }, *const p_parent[] = { "vncert",
		NULL };
	inst_new(&w->d, 0);
	inst_new(&w->p, 1);
	assert_int_equal(ed25519_keypair_hex(w->pk_x, sk), 0);
	assert_int_equal(ed25519_keypair_hex(w->pk_n, sk), 0);
	peer_add(&w->d, "tinh", w->p.pk, SYNC_PARENT, d_parent, w->d_p);
	peer_add(&w->d, "xa-b", w->pk_x, SYNC_CHILD, d_child, w->d_x);
	/* The national instance, directly above the district too (a parent
	 * that was not asked: it may not answer what the province was asked). */
	peer_add(&w->d, "vncert", w->pk_n, SYNC_PARENT, d_nat, w->d_n);
	peer_add(&w->p, "phu-quy", w->d.pk, SYNC_CHILD, p_child, w->p_d);
	peer_add(&w->p, "vncert", w->pk_n, SYNC_PARENT, p_parent, w->p_n);
	t_actor(w->d.t.db, "cr", &w->cr);
	t_actor(w->d.t.db, "rep-a", &w->rep_a);
	t_actor(w->p.t.db, "p-coord", &w->pcoord);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct pair *w = *state;
	tdb_free(&w->d.t);
	tdb_free(&w->p.t);
	free(w);
	return 0;
}

/* The peer row `id` of instance in, as the inbox hands it to apply(). */
static struct sync_peer peer(struct inst *in, const char *id)
{
	struct sync_peer p;
	struct err e = { 0 };
	assert_int_equal(sync_peer_get(&in->c, id, &p, &e), 0);
	return p;
}

/* Applies one envelope's payload with its kind's apply() on in as the
 * inbox would (relation checked, one transaction): the error code. */
static int apply(struct inst *in, const char *from_id, const json_t *env)
{
	const char *kind = json_string_value(json_object_get(env, "kind"));
	const struct sync_kind *k = sync_kind_find(kind);
	struct sync_peer from = peer(in, from_id);
	assert_non_null(k);
	if (!(k->from & from.relation))
		return E_FORBIDDEN;
	struct err e = { 0 };
	assert_int_equal(store_begin(in->t.db, &e), 0);
	json_t *payload = json_deep_copy(json_object_get(env, "payload"));
	int rc = k->apply(&in->c, &from, payload, &e);
	json_decref(payload);
	if (rc != 0) {
		if (getenv("SYNC_TEST_VERBOSE"))
			show_err(kind, &e);
		store_rollback(in->t.db);
		return e.code ? e.code : E_INTERNAL;
	}
	assert_int_equal(store_commit(in->t.db, &e), 0);
	return E_OK;
}

/* What a second application could change, as one string. */
static void snapshot(struct inst *in, char *out, size_t n)
{
	struct store *db = in->t.db;
	snprintf(out, n, "%lld/%lld/%lld/%lld/%lld/%lld/%lld/%lld/%lld/%lld/%lld/%lld/%lld",
		 tdb_count(db, "incidents"), tdb_int(db, "SELECT SUM(version + rev) FROM incidents"),
		 tdb_count(db, "events"), tdb_count(db, "comments"),
		 tdb_count(db, "support_requests"),
		 tdb_int(db, "SELECT COUNT(*) FROM support_requests WHERE status <> 'sent'"),
		 tdb_count(db, "observables"), tdb_count(db, "deadlines"),
		 tdb_count(db, "sync_received"), tdb_count(db, "warning_targets"),
		 tdb_count(db, "indicators"), tdb_int(db, "SELECT SUM(version) FROM indicators"),
		 tdb_count(db, "sync_outbox"));
}

/* Applies the envelope twice: the second time changes nothing. */
static void apply_twice(struct inst *in, const char *from_id, const json_t *env)
{
	char a[256], b[256];
	assert_int_equal(apply(in, from_id, env), E_OK);
	snapshot(in, a, sizeof(a));
	assert_int_equal(apply(in, from_id, env), E_OK);
	snapshot(in, b, sizeof(b));
	assert_string_equal(a, b);
}

struct marks {
	int64_t dp, dx, dn, pd, pn;
};
#define MARK() do { m.dp = mark(&w->d, w->d_p); m.dx = mark(&w->d, w->d_x); \
		m.dn = mark(&w->d, w->d_n); m.pd = mark(&w->p, w->p_d); \
		m.pn = mark(&w->p, w->p_n); } while (0)
#define COUNT(k) (count_sent(&w->d, w->d_p, m.dp, k) + count_sent(&w->d, w->d_x, m.dx, k) + \
		  count_sent(&w->d, w->d_n, m.dn, k) + count_sent(&w->p, w->p_d, m.pd, k) + \
		  count_sent(&w->p, w->p_n, m.pn, k))

/* The highest seq queued in in's outbox for the peer row (a mark). */
static int64_t mark(struct inst *in, const char *peer_id)
{
	char sql[160];
	snprintf(sql, sizeof(sql), "SELECT COALESCE(MAX(seq), 0) FROM sync_outbox WHERE "
		 "peer_id = '%s'", peer_id);
	return tdb_int(in->t.db, sql);
}

/* The signed envelopes queued for the peer after seq `after` (new ref). */
static json_t *queued(struct inst *in, const char *peer_id, int64_t after)
{
	struct err e = { 0 };
	json_t *a = sync_outbox_read(&in->c, peer_id, after, SYNC_BATCH_MAX, &e);
	assert_non_null(a);
	return a;
}

static size_t count_sent(struct inst *in, const char *peer_id, int64_t after, const char *kind)
{
	json_t *a = queued(in, peer_id, after), *x;
	size_t n = 0, i;
	json_array_foreach(a, i, x)
		n += strcmp(json_string_value(json_object_get(x, "kind")), kind) == 0;
	json_decref(a);
	return n;
}

/* The one envelope of kind queued for the peer after `after` (borrowed
 * from a list kept until the test's end). */
static json_t *kept;
static json_t *sent(struct inst *in, const char *peer_id, int64_t after, const char *kind)
{
	json_t *a = queued(in, peer_id, after), *x, *found = NULL;
	size_t i;
	json_array_foreach(a, i, x)
		if (strcmp(json_string_value(json_object_get(x, "kind")), kind) == 0) {
			assert_null(found);
			found = x;
		}
	if (found == NULL)
		fail_msg("nothing of kind %s queued", kind);
	json_array_append(kept, found);
	json_decref(a);
	return found;
}

/* Re-applies env directly after carry() applied it: nothing changes. */
static void again(struct inst *in, const char *from_id, const json_t *env)
{
	char a[256], b[256];
	snapshot(in, a, sizeof(a));
	assert_int_equal(apply(in, from_id, env), E_OK);
	snapshot(in, b, sizeof(b));
	assert_string_equal(a, b);
}

/* Carries everything queued at `from` for its peer row from_row to `to`,
 * through the real inbox (signatures, seq, relation); to_row is to's row
 * for from. Nothing may be refused but replays (carried again). */
static void carry(struct inst *from, const char *from_row, struct inst *to, const char *to_row)
{
	struct err e = { 0 };
	json_t *envs = queued(from, from_row, 0), *refused = NULL;
	int64_t acked = 0;
	assert_int_equal(sync_inbox_apply(&to->c, to_row, envs, &acked, &refused, &e), 0);
	size_t i;
	json_t *r;
	json_array_foreach(refused, i, r)
		if (strcmp(json_string_value(json_object_get(r, "reason")), "replay") != 0) {
			char *t = json_dumps(refused, 0);
			fail_msg("refused: %s", t);
		}
	json_decref(refused);
	json_decref(envs);
}

/* Files an incident in the district (tlp given), acknowledged, and asks
 * the province team for help: the envelope it queued. */
static json_t *escalate(struct pair *w, const char *tlp, char id[UUID_LEN], char sid[UUID_LEN])
{
	struct ctx rep = t_ctx(w->d.t.db, &w->rep_a), cr = t_ctx(w->d.t.db, &w->cr);
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
	struct marks m;
	MARK();
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
	json_t *env = sent(&w->d, w->d_p, m.dp, SK_SUPPORT_REQUEST);
	assert_int_equal(COUNT(SK_SUPPORT_REQUEST), 1);   /* to the province only */
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

	/* Through the real inbox, twice (the second time a replay), then the
	 * kind's apply once more by hand: one mirror, unchanged. */
	carry(&w->d, w->d_p, &w->p, w->p_d);
	carry(&w->d, w->d_p, &w->p, w->p_d);
	again(&w->p, w->p_d, env);
	mirror_id(w->p.t.db, mid);
	/* In the province's queue, of the district's organisation, from the
	 * district, with its clocks and what it asked. */
	assert_string_equal(tdb_text(w->p.t.db, "SELECT o.code FROM incidents i JOIN orgs o ON "
				     "o.id = i.org_id JOIN sync_mirrors m ON m.incident_id = i.id",
				     buf, sizeof(buf)), "xa-a");
	assert_string_equal(tdb_text(w->p.t.db, "SELECT instance FROM sync_mirrors", buf,
				     sizeof(buf)), "phu-quy");
	assert_string_equal(tdb_text(w->p.t.db, "SELECT u.full_name FROM incidents i JOIN users u "
				     "ON u.id = i.created_by JOIN sync_mirrors m ON "
				     "m.incident_id = i.id", buf, sizeof(buf)), "Từ cấp dưới: phu-quy");
	assert_int_equal(tdb_int(w->p.t.db, "SELECT COUNT(*) FROM deadlines d JOIN sync_mirrors m ON "
				 "m.incident_id = d.incident_id"),
			 tdb_int(w->d.t.db, "SELECT COUNT(*) FROM deadlines"));
	assert_int_equal(tdb_int(w->p.t.db, "SELECT COUNT(*) FROM observables o JOIN sync_mirrors m "
				 "ON m.incident_id = o.incident_id"), 1);
	tdb_text(w->p.t.db, "SELECT s.id FROM support_requests s JOIN sync_mirrors m ON "
		 "m.incident_id = s.incident_id", msid, sizeof(msid));
	assert_string_equal(tdb_text(w->p.t.db, "SELECT status || '/' || urgency FROM "
				     "support_requests", buf, sizeof(buf)), "sent/high");

	/* The mirror is the district's record: the province neither moves it
	 * nor edits its report, and is offered neither. */
	{
		struct ctx pc0 = t_ctx(w->p.t.db, &w->pcoord);
		struct err e0 = { 0 };
		long long mv;
		char mst[32];
		t_status(w->p.t.db, mid, mst, &mv);
		assert_int_equal(t_move(&pc0, mid, &mv, "verified", NULL), E_CONFLICT);
		json_t *patch = json_pack("{s:s}", "title", "Sửa ở tỉnh");
		assert_null(incident_update(&pc0, mid, mv, patch, &e0));
		assert_int_equal(e0.code, E_CONFLICT);
		json_decref(patch);
		err_clear(&e0);
		json_t *view = incident_get(&pc0, mid, 0, &e0);
		assert_non_null(view);
		assert_int_equal(json_array_size(json_object_get(view, "allowed_transitions")), 0);
		assert_false(json_is_true(json_object_get(json_object_get(view, "may"), "edit")));
		assert_string_equal(json_string_value(json_object_get(json_object_get(view, "mirror"),
								      "instance")), "phu-quy");
		json_decref(view);
	}

	/* The province accepts and directs: records of its own, sent down. */
	struct ctx pc = t_ctx(w->p.t.db, &w->pcoord);
	struct err e = { 0 };
	struct marks m;
	MARK();
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
	json_t *answer = sent(&w->p, w->p_d, m.pd, SK_SUPPORT_ANSWER);
	json_t *direction = sent(&w->p, w->p_d, m.pd, SK_DIRECTION);
	/* The district's own ids: it can find its records. */
	assert_string_equal(json_string_value(json_object_get(json_object_get(answer, "payload"),
							      "request_id")), sid);
	assert_string_equal(json_string_value(json_object_get(json_object_get(direction, "payload"),
							      "incident_id")), id);

	/* On the district's incident. */
	carry(&w->p, w->p_d, &w->d, w->d_p);
	again(&w->d, w->d_p, answer);
	again(&w->d, w->d_p, direction);
	assert_string_equal(tdb_text(w->d.t.db, "SELECT status || '/' || note FROM support_requests",
				     buf, sizeof(buf)), "accepted/Cử 2 cán bộ");
	assert_string_equal(tdb_text(w->d.t.db, "SELECT kind FROM comments", buf, sizeof(buf)),
			    "direction");
	struct ctx cr = t_ctx(w->d.t.db, &w->cr);
	json_t *full = incident_get(&cr, id, 1, &e);
	assert_non_null(full);
	json_t *c0 = json_array_get(json_object_get(full, "comments"), 0);
	assert_non_null(strstr(json_string_value(json_object_get(c0, "body")),
			       "Cô lập máy chủ web ngay"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(c0, "created_by"),
							      "full_name")), "Từ cấp trên: tinh");
	json_decref(full);

	/* The district closes the accepted request: the province learns. */
	struct marks m0;
	m0.dp = mark(&w->d, w->d_p);
	body = json_pack("{s:s, s:s}", "to", "done", "note", "Đã khôi phục");
	r = incident_support_transition(&cr, id, sid, body, &e);
	json_decref(body);
	assert_non_null(r);
	json_decref(r);
	json_t *closed = sent(&w->d, w->d_p, m0.dp, SK_SUPPORT_DONE);
	carry(&w->d, w->d_p, &w->p, w->p_d);
	again(&w->p, w->p_d, closed);
	assert_string_equal(tdb_text(w->p.t.db, "SELECT status || '/' || note FROM support_requests",
				     buf, sizeof(buf)), "done/Đã khôi phục");

	/* The district moves its incident: the mirror follows. */
	long long v;
	char st[32];
	t_status(w->d.t.db, id, st, &v);
	MARK();
	assert_int_equal(t_move(&cr, id, &v, "verified", NULL), E_OK);
	json_t *moved = sent(&w->d, w->d_p, m.dp, SK_INCIDENT_STATUS);
	apply_twice(&w->p, w->p_d, moved);
	t_status(w->p.t.db, mid, st, &v);
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
	apply_twice(&w->p, w->p_d, env);
	mirror_id(w->p.t.db, mid);
	tdb_text(w->p.t.db, "SELECT i.title FROM incidents i JOIN sync_mirrors m ON "
		 "m.incident_id = i.id", buf, sizeof(buf));
	assert_non_null(strstr(buf, "nội dung giữ lại theo TLP"));
	assert_string_equal(tdb_text(w->p.t.db, "SELECT i.description FROM incidents i JOIN "
				     "sync_mirrors m ON m.incident_id = i.id", buf, sizeof(buf)), "");
	assert_int_equal(tdb_count(w->p.t.db, "observables"), 0);
	/* The request itself goes: it was written for the one asked. */
	assert_string_equal(tdb_text(w->p.t.db, "SELECT summary FROM support_requests", buf,
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
	assert_int_equal(apply(&w->d, w->d_x, forged), E_FORBIDDEN);
	/* Nor may a parent that was not asked (the national instance). */
	assert_int_equal(apply(&w->d, w->d_n, forged), E_FORBIDDEN);
	/* A parent that was not asked cannot comment on an incident either. */
	char other[UUID_LEN];
	struct ctx rep = t_ctx(w->d.t.db, &w->rep_a);
	t_create(&rep, NULL, other);
	json_t *c = json_pack("{s:s, s:{s:s, s:s, s:s}}", "kind", SK_COMMENT, "payload", "id",
			      "0190aaaa-0000-7000-8000-0000000000c1", "incident_id", other, "body",
			      "x");
	assert_int_equal(apply(&w->d, w->d_p, c), E_FORBIDDEN);
	assert_string_equal(tdb_text(w->d.t.db, "SELECT status FROM support_requests",
				     (char[16]){ 0 }, 16), "sent");
	assert_int_equal(tdb_count(w->d.t.db, "comments"), 0);
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
	assert_int_equal(apply(&w->p, w->p_d, ind), E_FORBIDDEN);

	/* From the parent: kept, passed on down, never back up. */
	struct marks m;
	MARK();
	apply_twice(&w->d, w->d_p, ind);
	char buf[128];
	assert_string_equal(tdb_text(w->d.t.db, "SELECT value || '/' || source FROM indicators",
				     buf, sizeof(buf)), "c2.example.com/tinh");
	sent(&w->d, w->d_x, m.dx, SK_INDICATOR);
	assert_int_equal(COUNT(SK_INDICATOR), 1);   /* nothing back up */

	/* Revocation propagates the same way, once. */
	json_t *rev = json_pack("{s:s, s:{s:s}}", "kind", SK_INDICATOR_REVOKE, "payload", "id",
				"0190aaaa-0000-7000-8000-0000000000d1");
	MARK();
	apply_twice(&w->d, w->d_p, rev);
	assert_int_equal(tdb_int(w->d.t.db, "SELECT to_ids FROM indicators"), 0);
	assert_int_equal(COUNT(SK_INDICATOR_REVOKE), 1);
	sent(&w->d, w->d_x, m.dx, SK_INDICATOR_REVOKE);

	/* AMBER+STRICT or RED sent anyway: refused. */
	json_t *red = json_pack("{s:s, s:{s:s, s:s, s:s, s:s}}", "kind", SK_INDICATOR, "payload",
				"id", "0190aaaa-0000-7000-8000-0000000000d2", "kind", "domain",
				"value", "red.example", "tlp", "RED");
	assert_int_equal(apply(&w->d, w->d_p, red), E_INVALID);
	json_decref(ind);
	json_decref(rev);
	json_decref(red);
}

static void test_escalation_not_routed_back(void **state)
{
	struct pair *w = *state;
	char id[UUID_LEN], sid[UUID_LEN], mid[UUID_LEN];
	json_t *env = escalate(w, "GREEN", id, sid);
	assert_int_equal(apply(&w->p, w->p_d, env), E_OK);
	mirror_id(w->p.t.db, mid);
	struct ctx pc = t_ctx(w->p.t.db, &w->pcoord);
	struct err e = { 0 };
	/* The province asks VNCERT about the mirror: it goes up, to the
	 * national instance, never back down to the district. */
	struct marks m;
	MARK();
	json_t *body = json_pack("{s:s, s:s}", "summary", "Đề nghị VNCERT hỗ trợ", "to_org_code",
				 "vncert");
	json_t *r = incident_add_support(&pc, mid, body, &e);
	json_decref(body);
	if (r == NULL)
		fail_msg("support: %d", e.code);
	json_decref(r);
	sent(&w->p, w->p_n, m.pn, SK_SUPPORT_REQUEST);
	assert_int_equal(COUNT(SK_SUPPORT_REQUEST), 1);
	/* The district's next move reaches the mirror and goes on up to
	 * VNCERT, not back to the district. */
	struct ctx cr = t_ctx(w->d.t.db, &w->cr);
	long long v;
	char st[32];
	t_status(w->d.t.db, id, st, &v);
	MARK();
	assert_int_equal(t_move(&cr, id, &v, "verified", NULL), E_OK);
	json_t *moved = sent(&w->d, w->d_p, m.dp, SK_INCIDENT_STATUS);
	MARK();
	assert_int_equal(apply(&w->p, w->p_d, moved), E_OK);
	sent(&w->p, w->p_n, m.pn, SK_INCIDENT_STATUS);
	assert_int_equal(COUNT(SK_INCIDENT_STATUS), 1);
}

static void test_warning_and_withdrawal(void **state)
{
	struct pair *w = *state;
	json_t *wr = json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:[s, s, s], s:[s]}}", "kind",
			       SK_WARNING, "payload", "id", "0190aaaa-0000-7000-8000-0000000000e1",
			       "title", "Lỗ hổng nghiêm trọng", "severity", "critical", "deadline",
			       "2026-12-31T00:00:00.000Z", "targets", "pq", "xa-b", "other-prov",
			       "cves", "CVE-2026-0001");
	struct marks m;
	MARK();
	apply_twice(&w->d, w->d_p, wr);
	assert_int_equal(tdb_count(w->d.t.db, "warnings"), 1);
	assert_int_equal(tdb_count(w->d.t.db, "warning_targets"), 2);
	/* xa-b is hosted by the child: it goes on down, once, naming only
	 * what that child hosts. */
	json_t *down = sent(&w->d, w->d_x, m.dx, SK_WARNING);
	assert_int_equal(COUNT(SK_WARNING), 1);
	json_t *t = json_object_get(json_object_get(down, "payload"), "targets");
	assert_int_equal(json_array_size(t), 1);
	assert_string_equal(json_string_value(json_array_get(t, 0)), "xa-b");
	MARK();
	json_t *wd = json_pack("{s:s, s:{s:s}}", "kind", SK_WARNING_WITHDRAW, "payload", "id",
			       "0190aaaa-0000-7000-8000-0000000000e1");
	apply_twice(&w->d, w->d_p, wd);
	/* Shown withdrawn, clock stopped; the targets (and any answer) stay. */
	assert_int_equal(tdb_count(w->d.t.db, "warning_targets"), 2);
	assert_int_equal(tdb_count(w->d.t.db, "warning_withdrawals WHERE source = 'tinh'"), 1);
	sent(&w->d, w->d_x, m.dx, SK_WARNING_WITHDRAW);
	assert_int_equal(COUNT(SK_WARNING_WITHDRAW), 1);
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
	snapshot(&w->p, before, sizeof(before));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *env = json_loads(bad[i], 0, NULL);
		assert_non_null(env);
		int rc = apply(&w->p, w->p_d, env);
		if (rc == E_OK)
			fail_msg("accepted: %s", bad[i]);
		json_decref(env);
	}
	snapshot(&w->p, after, sizeof(after));
	assert_string_equal(before, after);
	/* Too long a summary is refused, not cut. */
	char *longs = malloc(LIMIT_LONG_TEXT + 2);
	memset(longs, 'a', LIMIT_LONG_TEXT + 1);
	longs[LIMIT_LONG_TEXT + 1] = '\0';
	json_t *env = json_pack("{s:s, s:{s:{s:s, s:s, s:s}, s:{}}}", "kind", SK_SUPPORT_REQUEST,
				"payload", "request", "id", "x", "summary", longs, "to_org_code",
				"tinh", "incident");
	assert_int_equal(apply(&w->p, w->p_d, env), E_INVALID);
	json_decref(env);
	free(longs);
}

/* An indicator the province files as p-coord; its id into id. */
static void p_indicator(struct pair *w, const char *value, const char *tlp, const char *share,
			char id[UUID_LEN])
{
	struct ctx pc = t_ctx(w->p.t.db, &w->pcoord);
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
	struct marks m;
	MARK();
	p_indicator(w, "green.example", "GREEN", NULL, g);
	json_t *env = sent(&w->p, w->p_d, m.pd, SK_INDICATOR);
	assert_null(json_object_get(json_object_get(env, "payload"), "share_with"));
	/* AMBER naming an organisation the district's instance hosts: to it. */
	MARK();
	p_indicator(w, "amber.example", "AMBER", "xa-a", a);
	sent(&w->p, w->p_d, m.pd, SK_INDICATOR);
	/* AMBER naming only the province's own: nowhere. */
	MARK();
	p_indicator(w, "amber2.example", "AMBER", "tinh", a2);
	p_indicator(w, "strict.example", "AMBER+STRICT", NULL, s);
	p_indicator(w, "red.example", "RED", NULL, r);
	assert_int_equal(COUNT(SK_INDICATOR), 0);
	/* Never up: the national instance gets none of them. */
	assert_int_equal(count_sent(&w->p, w->p_n, 0, SK_INDICATOR), 0);

	/* Shared GREEN, then made RED above: taken back below. */
	{
		struct ctx pc1 = t_ctx(w->p.t.db, &w->pcoord);
		struct err e1 = { 0 };
		char t2[UUID_LEN];
		MARK();
		p_indicator(w, "tightened.example", "GREEN", NULL, t2);
		apply_twice(&w->d, w->d_p, sent(&w->p, w->p_d, m.pd, SK_INDICATOR));
		assert_int_equal(tdb_count(w->d.t.db, "indicators WHERE value = 'tightened.example'"),
				 1);
		MARK();
		json_t *red = json_pack("{s:s}", "tlp", "RED");
		json_t *u = indicator_update(&pc1, t2, 1, red, &e1);
		json_decref(red);
		if (u == NULL)
			show_err("indicator_update", &e1);
		assert_non_null(u);
		json_decref(u);
		/* A retraction: the copy below is deleted, not just stopped. */
		json_t *back = sent(&w->p, w->p_d, m.pd, SK_INDICATOR_RETRACT);
		assert_string_equal(json_string_value(json_object_get(json_object_get(back, "payload"),
								      "id")), t2);
		assert_int_equal(COUNT(SK_INDICATOR), 0);
		assert_int_equal(COUNT(SK_INDICATOR_REVOKE), 0);
		apply_twice(&w->d, w->d_p, back);
		assert_int_equal(tdb_count(w->d.t.db, "indicators WHERE value = 'tightened.example'"),
				 0);
	}

	/* Applied below, then deleted above: revoked below. */
	apply_twice(&w->d, w->d_p, env);
	struct ctx pc = t_ctx(w->p.t.db, &w->pcoord);
	struct err e = { 0 };
	MARK();
	assert_int_equal(indicator_delete(&pc, g, 1, &e), 0);
	json_t *rev = sent(&w->p, w->p_d, m.pd, SK_INDICATOR_REVOKE);
	apply_twice(&w->d, w->d_p, rev);
	assert_int_equal(tdb_int(w->d.t.db, "SELECT to_ids FROM indicators WHERE value = "
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
	assert_int_equal(apply(&w->d, w->d_p, ind), E_OK);
	json_decref(ind);
	struct ctx rep = t_ctx(w->d.t.db, &w->rep_a), cr = t_ctx(w->d.t.db, &w->cr);
	t_create(&rep, NULL, id);
	struct marks m;
	MARK();
	struct err e = { 0 };
	json_t *obs = json_pack("{s:s, s:s}", "kind", "ip", "value", "198.51.100.23");
	json_t *r = incident_add_observable(&cr, id, obs, &e);
	json_decref(obs);
	assert_non_null(r);
	json_decref(r);
	json_t *sg = sent(&w->d, w->d_p, m.dp, SK_SIGHTING);
	json_t *p = json_object_get(sg, "payload");
	assert_string_equal(json_string_value(json_object_get(p, "indicator_id")),
			    "0190aaaa-0000-7000-8000-0000000000f1");
	assert_string_equal(json_string_value(json_object_get(p, "org_code")), "xa-a");
	apply_twice(&w->p, w->p_d, sg);
	assert_int_equal(tdb_count(w->p.t.db, "sync_received WHERE kind = 'sighting'"), 1);
}


/* ---- h/fed-kinds: edits, withdrawal, hunts, attachments ---- */

static void test_indicator_edits_travel(void **state)
{
	struct pair *w = *state;
	struct ctx pc = t_ctx(w->p.t.db, &w->pcoord), cr = t_ctx(w->d.t.db, &w->cr);
	struct err e = { 0 };
	char g[UUID_LEN], lid[UUID_LEN];
	struct marks m;
	MARK();
	p_indicator(w, "edited.example", "GREEN", NULL, g);
	apply_twice(&w->d, w->d_p, sent(&w->p, w->p_d, m.pd, SK_INDICATOR));
	tdb_text(w->d.t.db, "SELECT id FROM indicators WHERE value = 'edited.example'", lid,
		 sizeof(lid));
	/* Every field the originator edits travels, once. */
	MARK();
	json_t *body = json_pack("{s:s, s:i, s:[s, s], s:s, s:b}", "name", "Máy chủ C2 đã sửa",
				 "confidence", 85, "tags", "apt", "c2", "valid_until",
				 "2027-06-30T00:00:00.000Z", "to_ids", 0);
	json_t *u = indicator_update(&pc, g, 1, body, &e);
	json_decref(body);
	if (u == NULL)
		show_err("update", &e);
	assert_non_null(u);
	json_decref(u);
	json_t *ed = sent(&w->p, w->p_d, m.pd, SK_INDICATOR);
	apply_twice(&w->d, w->d_p, ed);
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT name || '|' || confidence || '|' || tags || '|' || to_ids "
		 "|| '|' || valid_until FROM indicators WHERE id = '%s'", lid);
	char got[256];
	tdb_text(w->d.t.db, sql, got, sizeof(got));
	int64_t until;
	assert_int_equal(time_parse("2027-06-30T00:00:00.000Z", &until), 0);
	char want[256];
	snprintf(want, sizeof(want), "Máy chủ C2 đã sửa|85|[\"apt\",\"c2\"]|0|%lld",
		 (long long)until);
	assert_string_equal(got, want);
	/* The receiver may not edit or delete the originator's record. */
	json_t *mine = json_pack("{s:s}", "name", "sửa ở huyện");
	err_clear(&e);
	assert_null(indicator_update(&cr, lid, 2, mine, &e));
	assert_int_equal(e.code, E_CONFLICT);
	json_decref(mine);
	err_clear(&e);
	assert_int_not_equal(indicator_delete(&cr, lid, 2, &e), 0);
	assert_int_equal(e.code, E_CONFLICT);
	/* AMBER naming nobody below: taken back; GREEN again: back again. */
	MARK();
	body = json_pack("{s:s}", "tlp", "AMBER");
	err_clear(&e);
	u = indicator_update(&pc, g, 2, body, &e);
	json_decref(body);
	assert_non_null(u);
	json_decref(u);
	apply_twice(&w->d, w->d_p, sent(&w->p, w->p_d, m.pd, SK_INDICATOR_RETRACT));
	assert_int_equal(tdb_count(w->d.t.db, "indicators WHERE value = 'edited.example'"), 0);
	MARK();
	body = json_pack("{s:s}", "tlp", "GREEN");
	u = indicator_update(&pc, g, 3, body, &e);
	json_decref(body);
	assert_non_null(u);
	json_decref(u);
	apply_twice(&w->d, w->d_p, sent(&w->p, w->p_d, m.pd, SK_INDICATOR));
	assert_int_equal(tdb_count(w->d.t.db, "indicators WHERE value = 'edited.example' AND "
				   "source = 'tinh'"), 1);
	/* A RED edit never leaves, even as an edit. */
	MARK();
	body = json_pack("{s:s}", "tlp", "RED");
	u = indicator_update(&pc, g, 4, body, &e);
	json_decref(body);
	assert_non_null(u);
	json_decref(u);
	assert_int_equal(COUNT(SK_INDICATOR), 0);
	json_t *x = sent(&w->p, w->p_d, m.pd, SK_INDICATOR_RETRACT);
	char *dump = json_dumps(x, 0);
	assert_null(strstr(dump, "edited.example"));
	free(dump);
}

static void test_warning_withdrawn_above_shows_below(void **state)
{
	struct pair *w = *state;
	struct ctx pc = t_ctx(w->p.t.db, &w->pcoord), cr = t_ctx(w->d.t.db, &w->cr);
	struct err e = { 0 };
	struct marks m;
	MARK();
	json_t *body = json_pack("{s:s, s:s, s:s, s:[s]}", "title", "Vá lỗ hổng VPN", "severity",
				 "high", "deadline", "2026-01-01T00:00:00.000Z",
				 "target_org_codes", "pq");
	json_t *wr = warning_create(&pc, body, &e);
	json_decref(body);
	if (wr == NULL)
		show_err("warning", &e);
	assert_non_null(wr);
	char pid[UUID_LEN], did[UUID_LEN];
	snprintf(pid, sizeof(pid), "%s", json_string_value(json_object_get(wr, "id")));
	json_decref(wr);
	apply_twice(&w->d, w->d_p, sent(&w->p, w->p_d, m.pd, SK_WARNING));
	tdb_text(w->d.t.db, "SELECT id FROM warnings", did, sizeof(did));
	/* Past its deadline below: late, until withdrawn. */
	json_t *g = warning_get(&cr, did, &e);
	assert_non_null(g);
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(g, "targets"), 0),
						 "late")));
	json_decref(g);
	/* Below, nobody withdraws the province's warning. */
	json_t *why = json_pack("{s:s}", "reason", "Không áp dụng");
	assert_null(warning_withdraw(&cr, did, why, &e));
	assert_int_equal(e.code, E_CONFLICT);
	err_clear(&e);
	/* A reason is required. */
	json_t *empty = json_object();
	assert_null(warning_withdraw(&pc, pid, empty, &e));
	assert_int_equal(e.code, E_INVALID);
	err_clear(&e);
	json_decref(empty);
	MARK();
	json_t *out = warning_withdraw(&pc, pid, why, &e);
	if (out == NULL)
		show_err("withdraw", &e);
	assert_non_null(out);
	assert_string_equal(json_string_value(json_object_get(json_object_get(out, "withdrawn"),
							      "reason")), "Không áp dụng");
	json_decref(out);
	/* Twice: refused. */
	assert_null(warning_withdraw(&pc, pid, why, &e));
	assert_int_equal(e.code, E_CONFLICT);
	err_clear(&e);
	json_decref(why);
	json_t *wd = sent(&w->p, w->p_d, m.pd, SK_WARNING_WITHDRAW);
	assert_int_equal(COUNT(SK_WARNING_WITHDRAW), 1);
	/* A child may not send a withdrawal up (the relation refuses it). */
	assert_int_equal(apply(&w->p, w->p_d, wd), E_FORBIDDEN);
	/* Another parent cannot withdraw the province's warning. */
	char before[256], after[256];
	snapshot(&w->d, before, sizeof(before));
	assert_int_equal(apply(&w->d, w->d_n, wd), E_OK);
	snapshot(&w->d, after, sizeof(after));
	assert_string_equal(before, after);
	assert_int_equal(tdb_count(w->d.t.db, "warning_withdrawals"), 0);
	apply_twice(&w->d, w->d_p, wd);
	g = warning_get(&cr, did, &e);
	assert_non_null(g);
	json_t *wn = json_object_get(g, "withdrawn");
	assert_string_equal(json_string_value(json_object_get(wn, "reason")), "Không áp dụng");
	assert_string_equal(json_string_value(json_object_get(wn, "source")), "tinh");
	assert_false(json_is_true(json_object_get(json_array_get(json_object_get(g, "targets"), 0),
						  "late")));
	json_decref(g);
}

/* The province shares the GREEN indicator value with the district, then
 * issues a hunt of it for pq and xa-b (its coordinator): the indicator's id
 * into ind, the hunt's into hid; *m marked after the indicator went down
 * (the hunt's envelopes are after it). The hunt's version. */
static long long p_hunt(struct pair *w, struct marks *mk, const char *title, const char *value,
			char ind[UUID_LEN], char hid[UUID_LEN])
{
	struct ctx pc = t_ctx(w->p.t.db, &w->pcoord);
	struct err e = { 0 };
	struct marks m;
	MARK();
	p_indicator(w, value, "GREEN", NULL, ind);
	apply(&w->d, w->d_p, sent(&w->p, w->p_d, m.pd, SK_INDICATOR));
	MARK();
	json_t *body = json_pack("{s:s, s:s, s:[s, s], s:[s]}", "title", title, "deadline",
				 "2099-01-01T00:00:00.000Z", "target_org_codes", "pq", "xa-b",
				 "indicator_ids", ind);
	json_t *h = hunt_create(&pc, body, &e);
	json_decref(body);
	if (h == NULL)
		show_err("hunt", &e);
	assert_non_null(h);
	snprintf(hid, UUID_LEN, "%s", json_string_value(json_object_get(h, "id")));
	long long version = json_integer_value(json_object_get(h, "version"));
	json_decref(h);
	*mk = m;
	return version;
}

static void test_hunt_summary_goes_up(void **state)
{
	struct pair *w = *state;
	struct ctx pc = t_ctx(w->p.t.db, &w->pcoord), cr = t_ctx(w->d.t.db, &w->cr);
	struct err e = { 0 };
	char ind[UUID_LEN], hid[UUID_LEN], lhid[UUID_LEN];
	struct marks m;
	p_hunt(w, &m, "Săn C2 quý IV", "c2-hunt.example", ind, hid);
	struct marks m0 = m;
	MARK();
	apply_twice(&w->d, w->d_p, sent(&w->p, w->p_d, m0.pd, SK_HUNT));
	/* A hunt of the district's own, for its organisation, with the set;
	 * the commune its child's instance hosts gets it from there. */
	tdb_text(w->d.t.db, "SELECT id FROM hunts", lhid, sizeof(lhid));
	assert_int_equal(tdb_count(w->d.t.db, "hunt_indicators"), 1);
	assert_int_equal(tdb_count(w->d.t.db, "hunt_targets"), 1);
	/* its people are told once, as of a hunt opened here (applied twice) */
	long long told = tdb_count(w->d.t.db, "notifications WHERE event = 'hunt.opened'");
	assert_true(told >= 1);
	assert_int_equal(tdb_count(w->d.t.db, "notifications WHERE event = 'hunt.opened' AND "
				   "record_id = (SELECT id FROM hunts)"), told);
	json_t *below = sent(&w->d, w->d_x, m.dx, SK_HUNT);
	assert_int_equal(json_array_size(json_object_get(json_object_get(below, "payload"),
							 "targets")), 1);
	/* The district runs it: one hit on one host. */
	MARK();
	json_t *hits = json_pack("[{s:s, s:s, s:s, s:i}]", "path", "/var/log/secret-host.log",
				 "kind", "domain", "indicator", "c2-hunt.example", "line", 7);
	struct hunt_result r = { .org_code = "pq", .hostname = "may-chu-bi-mat", .via = "upload",
				 .files = 120, .bytes = 5000, .errors = 1, .ran_at = time_now_ms(),
				 .hits = hits };
	json_t *run = hunt_submit(&cr, lhid, &r, &e);
	json_decref(hits);
	if (run == NULL)
		show_err("run", &e);
	assert_non_null(run);
	json_decref(run);
	json_t *sum = sent(&w->d, w->d_p, m.dp, SK_HUNT_SUMMARY);
	char *dump = json_dumps(sum, 0);
	assert_null(strstr(dump, "may-chu-bi-mat"));   /* no host */
	assert_null(strstr(dump, "secret-host"));      /* no path */
	free(dump);
	json_t *pl = json_object_get(sum, "payload");
	assert_string_equal(json_string_value(json_object_get(pl, "hunt_id")), hid);
	assert_int_equal(json_integer_value(json_object_get(pl, "hits")), 1);
	assert_int_equal(json_integer_value(json_object_get(pl, "hosts")), 1);
	apply_twice(&w->p, w->p_d, sum);
	json_t *peers = sync_kinds_hunt_peers(&pc, hid, &e);
	assert_non_null(peers);
	json_t *it = json_array_get(json_object_get(peers, "items"), 0);
	assert_non_null(it);
	assert_string_equal(json_string_value(json_object_get(it, "peer")), "phu-quy");
	assert_string_equal(json_string_value(json_object_get(it, "org_code")), "pq");
	assert_int_equal(json_integer_value(json_object_get(it, "files")), 120);
	json_t *bi = json_array_get(json_object_get(it, "by_indicator"), 0);
	assert_string_equal(json_string_value(json_object_get(bi, "value")), "c2-hunt.example");
	assert_int_equal(json_integer_value(json_object_get(bi, "hits")), 1);
	json_decref(peers);
	/* Closing it below sends the last word: closed. */
	MARK();
	long long v = tdb_int(w->d.t.db, "SELECT version FROM hunts");
	json_t *cl = hunt_close(&cr, lhid, v, &e);
	if (cl == NULL)
		show_err("close", &e);
	assert_non_null(cl);
	json_decref(cl);
	sum = sent(&w->d, w->d_p, m.dp, SK_HUNT_SUMMARY);
	assert_string_equal(json_string_value(json_object_get(json_object_get(sum, "payload"),
							      "status")), "closed");
	apply_twice(&w->p, w->p_d, sum);
	assert_int_equal(tdb_count(w->p.t.db, "sync_received WHERE kind = 'hunt.summary'"), 1);
	/* A summary about someone else's hunt, or an organisation the peer
	 * does not host, is refused. */
	json_t *bad1 = json_pack("{s:s, s:{s:s, s:s}}", "kind", SK_HUNT_SUMMARY, "payload",
				 "hunt_id", "0190aaaa-0000-7000-8000-00000000dead", "org_code", "pq");
	assert_int_not_equal(apply(&w->p, w->p_d, bad1), E_OK);
	json_t *bad2 = json_pack("{s:s, s:{s:s, s:s}}", "kind", SK_HUNT_SUMMARY, "payload",
				 "hunt_id", hid, "org_code", "tinh");
	assert_int_not_equal(apply(&w->p, w->p_d, bad2), E_OK);
	json_t *bad3 = json_pack("{s:s, s:{s:s, s:s, s:i}}", "kind", SK_HUNT_SUMMARY, "payload",
				 "hunt_id", hid, "org_code", "pq", "hits", -3);
	assert_int_equal(apply(&w->p, w->p_d, bad3), E_INVALID);
	json_decref(bad1);
	json_decref(bad2);
	json_decref(bad3);
	/* Two levels down: the commune's instance answers in the province's
	 * ids; the district keeps it under its own hunt and passes it up. */
	MARK();
	json_t *far = json_pack("{s:s, s:{s:s, s:s, s:s, s:i, s:i, s:i, s:[{s:s, s:i}]}}", "kind",
				SK_HUNT_SUMMARY, "payload", "hunt_id", hid, "org_code", "xa-b",
				"status", "open", "runs", 1, "hosts", 3, "hits", 2, "by_indicator",
				"indicator_id", ind, "hits", 2);
	apply_twice(&w->d, w->d_x, far);
	json_t *dv = sync_kinds_hunt_peers(&cr, lhid, &e);
	assert_non_null(dv);
	json_t *di = json_array_get(json_object_get(dv, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(di, "org_code")), "xa-b");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(di,
		"by_indicator"), 0), "value")), "c2-hunt.example");
	json_decref(dv);
	json_t *upw = sent(&w->d, w->d_p, m.dp, SK_HUNT_SUMMARY);
	apply_twice(&w->p, w->p_d, upw);
	assert_int_equal(tdb_count(w->p.t.db, "sync_received WHERE kind = 'hunt.summary'"), 2);
	/* The commune's instance may not speak for the district's own. */
	json_t *lie = json_pack("{s:s, s:{s:s, s:s}}", "kind", SK_HUNT_SUMMARY, "payload",
				"hunt_id", hid, "org_code", "pq");
	assert_int_equal(apply(&w->d, w->d_x, lie), E_FORBIDDEN);
	json_decref(lie);
	json_decref(far);
}

/* An attachment.data envelope with these bytes claiming sha. */
static json_t *data_env(const char *sha, const void *bytes, size_t n)
{
	size_t bl = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(bl);
	sodium_bin2base64(b64, bl, bytes, n, sodium_base64_VARIANT_ORIGINAL);
	json_t *env = json_pack("{s:s, s:{s:s, s:s}}", "kind", SK_ATTACHMENT_DATA, "payload",
				"sha256", sha, "data", b64);
	free(b64);
	return env;
}

static void test_attachment_travels_by_hash(void **state)
{
	struct pair *w = *state;
	struct ctx cr = t_ctx(w->d.t.db, &w->cr), pc = t_ctx(w->p.t.db, &w->pcoord);
	struct err e = { 0 };
	struct rules rules;
	rules_default(&rules);   /* the attachment limit */
	cr.rules = &rules;
	char id[UUID_LEN], sid[UUID_LEN], sha[SHA256_HEX_LEN], mid[UUID_LEN];
	static const char bytes[] = "MZ\x90\0 mẫu mã độc giả lập";
	sha256_hex(bytes, sizeof(bytes), sha);
	struct ctx rep = t_ctx(w->d.t.db, &w->rep_a);
	json_t *extra = json_pack("{s:s}", "tlp", "AMBER");
	long long v = t_create(&rep, extra, id);
	json_decref(extra);
	assert_int_equal(t_move(&cr, id, &v, "acknowledged", NULL), E_OK);
	json_t *a = incident_add_attachment(&cr, id, "mau.bin", "application/octet-stream", bytes,
					    sizeof(bytes), &e);
	assert_non_null(a);
	json_decref(a);
	struct marks m;
	MARK();
	json_t *body = json_pack("{s:s, s:s}", "summary", "Phân tích mẫu", "to_org_code", "tinh");
	json_t *r = incident_add_support(&cr, id, body, &e);
	json_decref(body);
	assert_non_null(r);
	snprintf(sid, sizeof(sid), "%s", json_string_value(json_object_get(r, "id")));
	json_decref(r);
	json_t *req = sent(&w->d, w->d_p, m.dp, SK_SUPPORT_REQUEST);
	/* Announced by hash only: the bytes never ride in the request. */
	char *dump = json_dumps(req, 0);
	assert_non_null(strstr(dump, sha));
	assert_null(strstr(dump, "TVqQ"));   /* base64 of the bytes' start */
	free(dump);
	MARK();
	apply_twice(&w->p, w->p_d, req);
	mirror_id(w->p.t.db, mid);
	assert_int_equal(tdb_count(w->p.t.db, "attachments"), 0);
	json_t *want = sent(&w->p, w->p_d, m.pd, SK_ATTACHMENT_WANT);
	assert_int_equal(COUNT(SK_ATTACHMENT_WANT), 1);   /* asked once */
	struct err e2 = { 0 };
	json_t *wanted = sync_kinds_attachments_wanted(&w->p.c, &e2);
	assert_int_equal(json_array_size(wanted), 1);
	json_decref(wanted);
	/* A parent the incident was not escalated to asks: nothing. */
	MARK();
	assert_int_equal(apply(&w->d, w->d_n, want), E_OK);
	assert_int_equal(COUNT(SK_ATTACHMENT_DATA), 0);
	/* A wrong hash: refused, counted, nothing stored, still wanted. */
	json_t *forged = data_env(sha, "other bytes", 11);
	assert_int_equal(apply(&w->p, w->p_d, forged), E_OK);
	json_decref(forged);
	assert_int_equal(tdb_count(w->p.t.db, "attachments"), 0);
	assert_int_equal(tdb_count(w->p.t.db, "sync_refused WHERE reason = 'attachment_hash'"), 1);
	/* Too large: refused before it is decoded. */
	size_t big = LIMIT_SYNC_ATTACHMENT + 10;
	char *huge = calloc(1, big);
	json_t *over = data_env(sha, huge, big);
	free(huge);
	assert_int_equal(apply(&w->p, w->p_d, over), E_OK);
	json_decref(over);
	assert_int_equal(tdb_count(w->p.t.db, "sync_refused WHERE reason = 'attachment_size'"), 1);
	assert_int_equal(tdb_count(w->p.t.db, "attachments"), 0);
	/* The district answers the province's want with the bytes. */
	MARK();
	apply_twice(&w->d, w->d_p, want);
	json_t *data = sent(&w->d, w->d_p, m.dp, SK_ATTACHMENT_DATA);
	assert_int_equal(COUNT(SK_ATTACHMENT_DATA), 1);
	apply_twice(&w->p, w->p_d, data);
	assert_int_equal(tdb_count(w->p.t.db, "attachments"), 1);
	char q[200];
	snprintf(q, sizeof(q), "attachments WHERE incident_id = '%s' AND sha256 = '%s' AND "
		 "name = 'mau.bin'", mid, sha);
	assert_int_equal(tdb_count(w->p.t.db, q), 1);
	/* The province downloads it from its mirror: the same bytes. */
	tdb_text(w->p.t.db, "SELECT id FROM attachments", q, sizeof(q));
	struct stmt *st = NULL;
	const void *got;
	size_t n;
	json_t *meta = incident_get_attachment(&pc, mid, q, &st, &got, &n, &e);
	if (meta == NULL)
		show_err("download", &e);
	assert_non_null(meta);
	assert_int_equal(n, sizeof(bytes));
	assert_memory_equal(got, bytes, n);
	stmt_done(st);
	json_decref(meta);
	json_t *none = sync_kinds_attachments_wanted(&w->p.c, &e2);
	assert_int_equal(json_array_size(none), 0);
	json_decref(none);
	/* The district's next update names it again: not asked again. */
	MARK();
	json_t *obs = json_pack("{s:s, s:s, s:s}", "kind", "ip", "value", "203.0.113.50", "tlp",
				"GREEN");
	r = incident_add_observable(&cr, id, obs, &e);
	json_decref(obs);
	assert_non_null(r);
	json_decref(r);
	apply_twice(&w->p, w->p_d, sent(&w->d, w->d_p, m.dp, SK_INCIDENT_UPDATE));
	assert_int_equal(count_sent(&w->p, w->p_d, m.pd, SK_ATTACHMENT_WANT), 0);
	assert_int_equal(tdb_count(w->p.t.db, "attachments"), 1);
	(void)sid;
}

static void test_confidential_attachment_never_sent(void **state)
{
	struct pair *w = *state;
	struct ctx cr = t_ctx(w->d.t.db, &w->cr);
	struct err e = { 0 };
	struct rules rules;
	rules_default(&rules);   /* the attachment limit */
	cr.rules = &rules;
	char id[UUID_LEN], sha[SHA256_HEX_LEN];
	static const char bytes[] = "danh sách cán bộ";
	sha256_hex(bytes, sizeof(bytes), sha);
	struct ctx rep = t_ctx(w->d.t.db, &w->rep_a);
	json_t *extra = json_pack("{s:s}", "tlp", "RED");
	long long v = t_create(&rep, extra, id);
	json_decref(extra);
	assert_int_equal(t_move(&cr, id, &v, "acknowledged", NULL), E_OK);
	json_t *a = incident_add_attachment(&cr, id, "ds.txt", "text/plain", bytes, sizeof(bytes),
					    &e);
	assert_non_null(a);
	json_decref(a);
	struct marks m;
	MARK();
	json_t *body = json_pack("{s:s, s:s}", "summary", "Hỗ trợ", "to_org_code", "tinh");
	json_t *r = incident_add_support(&cr, id, body, &e);
	json_decref(body);
	assert_non_null(r);
	json_decref(r);
	json_t *req = sent(&w->d, w->d_p, m.dp, SK_SUPPORT_REQUEST);
	char *dump = json_dumps(req, 0);
	assert_null(strstr(dump, sha));   /* TLP:RED: not even named */
	free(dump);
	/* Asked for anyway (a forged want): nothing goes. */
	json_t *want = json_pack("{s:s, s:{s:s}}", "kind", SK_ATTACHMENT_WANT, "payload", "sha256",
				 sha);
	MARK();
	assert_int_equal(apply(&w->d, w->d_p, want), E_OK);
	assert_int_equal(COUNT(SK_ATTACHMENT_DATA), 0);
	json_decref(want);
	json_t *badw = json_pack("{s:s, s:{s:s}}", "kind", SK_ATTACHMENT_WANT, "payload", "sha256",
				 "../../etc/passwd");
	assert_int_equal(apply(&w->d, w->d_p, badw), E_INVALID);
	json_decref(badw);
}


/* The reasons the real inbox gave for refusing envs at `to` (new ref). */
static json_t *refusals(struct inst *to, const char *to_row, json_t *envs)
{
	struct err e = { 0 };
	json_t *refused = NULL;
	int64_t acked = 0;
	assert_int_equal(sync_inbox_apply(&to->c, to_row, envs, &acked, &refused, &e), 0);
	json_t *reasons = json_array(), *r;
	size_t i;
	json_array_foreach(refused, i, r)
		json_array_append(reasons, json_object_get(r, "reason"));
	json_decref(refused);
	return reasons;
}

/* An attachment.part envelope: bytes [off, off + n) of a whole of total. */
static json_t *part_env(const char *sha, int64_t total, int64_t off, const void *bytes, size_t n)
{
	size_t bl = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(bl);
	sodium_bin2base64(b64, bl, bytes, n, sodium_base64_VARIANT_ORIGINAL);
	json_t *env = json_pack("{s:s, s:{s:s, s:I, s:I, s:s}}", "kind", SK_ATTACHMENT_PART,
				"payload", "sha256", sha, "size", (json_int_t)total, "offset",
				(json_int_t)off, "data", b64);
	free(b64);
	return env;
}

static long long refused_for(struct inst *in, const char *reason)
{
	char q[120];
	snprintf(q, sizeof(q), "sync_refused WHERE reason = '%s'", reason);
	return tdb_count(in->t.db, q);
}

/* h/fed-rest: an attachment above LIMIT_SYNC_ATTACHMENT (5 MiB of random
 * bytes) travels in parts; the receiver keeps them until every byte is
 * there and the whole matches its hash; a gap, an overlap, a whole above
 * its limit and a tampered part are refused and counted, nothing stored,
 * the envelopes behind not held up; a part again changes nothing; a part
 * changed in transit fails its signature in the real inbox. */
static void test_large_attachment_travels_in_parts(void **state)
{
	struct pair *w = *state;
	struct ctx cr = t_ctx(w->d.t.db, &w->cr), pc = t_ctx(w->p.t.db, &w->pcoord);
	struct err e = { 0 };
	struct rules rules;
	rules_default(&rules);   /* the attachment limit: 20 MiB */
	cr.rules = &rules;
	enum { TOTAL = 5 * 1024 * 1024 };
	unsigned char *bytes = malloc(TOTAL), *bad = malloc(LIMIT_SYNC_PART);
	randombytes_buf(bytes, TOTAL);
	char id[UUID_LEN], sha[SHA256_HEX_LEN], mid[UUID_LEN];
	sha256_hex(bytes, TOTAL, sha);
	struct ctx rep = t_ctx(w->d.t.db, &w->rep_a);
	json_t *extra = json_pack("{s:s}", "tlp", "GREEN");
	long long v = t_create(&rep, extra, id);
	json_decref(extra);
	assert_int_equal(t_move(&cr, id, &v, "acknowledged", NULL), E_OK);
	json_t *a = incident_add_attachment(&cr, id, "pcap.bin", "application/octet-stream", bytes,
					    TOTAL, &e);
	assert_non_null(a);
	json_decref(a);
	struct marks m;
	MARK();
	json_t *body = json_pack("{s:s, s:s}", "summary", "Phân tích gói tin", "to_org_code", "tinh");
	json_t *r = incident_add_support(&cr, id, body, &e);
	json_decref(body);
	assert_non_null(r);
	json_decref(r);
	json_t *req = sent(&w->d, w->d_p, m.dp, SK_SUPPORT_REQUEST);
	MARK();
	apply_twice(&w->p, w->p_d, req);
	mirror_id(w->p.t.db, mid);
	/* Above 2 MiB it is asked for all the same. */
	json_t *want = sent(&w->p, w->p_d, m.pd, SK_ATTACHMENT_WANT);
	MARK();
	apply_twice(&w->d, w->d_p, want);
	assert_int_equal(COUNT(SK_ATTACHMENT_DATA), 0);
	assert_int_equal(COUNT(SK_ATTACHMENT_PART), 5);   /* 1 MiB each, in order */
	json_t *all = queued(&w->d, w->d_p, m.dp), *parts = json_array(), *x;
	size_t i;
	json_array_foreach(all, i, x)
		if (strcmp(json_string_value(json_object_get(x, "kind")), SK_ATTACHMENT_PART) == 0)
			json_array_append(parts, x);
	json_decref(all);
	for (i = 0; i < 5; i++) {
		json_t *pl = json_object_get(json_array_get(parts, i), "payload");
		assert_int_equal(json_integer_value(json_object_get(pl, "offset")),
				 (json_int_t)i * LIMIT_SYNC_PART);
		assert_int_equal(json_integer_value(json_object_get(pl, "size")), TOTAL);
	}
	/* A gap: the second part first. Refused, counted, nothing kept. */
	assert_int_equal(apply(&w->p, w->p_d, json_array_get(parts, 1)), E_OK);
	assert_int_equal(refused_for(&w->p, "attachment_part"), 1);
	assert_int_equal(tdb_count(w->p.t.db, "sync_attachment_parts"), 0);
	/* A whole above the receiver's limit. */
	json_t *huge = part_env(sha, 21LL * 1024 * 1024, 0, bytes, LIMIT_SYNC_PART);
	assert_int_equal(apply(&w->p, w->p_d, huge), E_OK);
	json_decref(huge);
	assert_int_equal(refused_for(&w->p, "attachment_size"), 1);
	/* A part that does not fit the whole it announces. */
	json_t *past = part_env(sha, TOTAL, TOTAL - 10, bytes, 100);
	assert_int_equal(apply(&w->p, w->p_d, past), E_OK);
	json_decref(past);
	assert_int_equal(refused_for(&w->p, "attachment_size"), 2);
	/* A tampered first part (signed as any: the holder's bytes differ):
	 * every part taken, the whole fails its hash, nothing stored. */
	memcpy(bad, bytes, LIMIT_SYNC_PART);
	bad[4096] ^= 0x5a;
	json_t *t0 = part_env(sha, TOTAL, 0, bad, LIMIT_SYNC_PART);
	assert_int_equal(apply(&w->p, w->p_d, t0), E_OK);
	for (i = 1; i < 5; i++)
		assert_int_equal(apply(&w->p, w->p_d, json_array_get(parts, i)), E_OK);
	assert_int_equal(refused_for(&w->p, "attachment_hash"), 1);
	assert_int_equal(tdb_count(w->p.t.db, "attachments"), 0);
	assert_int_equal(tdb_count(w->p.t.db, "sync_attachment_parts"), 0);
	/* An overlap: the first part, then other bytes at the same place. */
	assert_int_equal(apply(&w->p, w->p_d, json_array_get(parts, 0)), E_OK);
	assert_int_equal(tdb_count(w->p.t.db, "sync_attachment_parts"), 1);
	assert_int_equal(apply(&w->p, w->p_d, t0), E_OK);
	json_decref(t0);
	assert_int_equal(refused_for(&w->p, "attachment_part"), 2);
	assert_int_equal(tdb_count(w->p.t.db, "sync_attachment_parts"), 0);
	/* Changed in transit: the real inbox refuses its signature. */
	json_t *forged = json_deep_copy(json_array_get(parts, 0));
	json_t *fpl = json_object_get(forged, "payload");
	char *fd = strdup(json_string_value(json_object_get(fpl, "data")));
	fd[10] = fd[10] == 'A' ? 'B' : 'A';
	json_object_set_new(fpl, "data", json_string(fd));
	free(fd);
	json_t *one = json_pack("[o]", forged);
	json_t *why = refusals(&w->p, w->p_d, one);
	assert_string_equal(json_string_value(json_array_get(why, 0)), "bad_signature");
	json_decref(why);
	json_decref(one);
	assert_int_equal(tdb_count(w->p.t.db, "sync_attachment_parts"), 0);
	/* The good ones, in order, each twice: stored once, whole. */
	for (i = 0; i < 5; i++) {
		apply_twice(&w->p, w->p_d, json_array_get(parts, i));
		assert_int_equal(tdb_count(w->p.t.db, "attachments"), i == 4 ? 1 : 0);
	}
	assert_int_equal(tdb_count(w->p.t.db, "sync_attachment_parts"), 0);
	char aid[UUID_LEN];
	tdb_text(w->p.t.db, "SELECT id FROM attachments", aid, sizeof(aid));
	struct stmt *st = NULL;
	const void *got;
	size_t n;
	json_t *meta = incident_get_attachment(&pc, mid, aid, &st, &got, &n, &e);
	assert_non_null(meta);
	assert_int_equal(n, TOTAL);
	assert_memory_equal(got, bytes, n);
	assert_string_equal(json_string_value(json_object_get(meta, "sha256")), sha);
	stmt_done(st);
	json_decref(meta);
	/* A part after the whole is stored changes nothing. */
	assert_int_equal(apply(&w->p, w->p_d, json_array_get(parts, 0)), E_OK);
	assert_int_equal(tdb_count(w->p.t.db, "sync_attachment_parts"), 0);
	assert_int_equal(tdb_count(w->p.t.db, "attachments"), 1);
	json_t *none = sync_kinds_attachments_wanted(&w->p.c, &e);
	assert_int_equal(json_array_size(none), 0);
	json_decref(none);
	/* Asked again (a want repeated): the holder answers once a peer. */
	MARK();
	assert_int_equal(apply(&w->d, w->d_p, want), E_OK);
	assert_int_equal(COUNT(SK_ATTACHMENT_PART), 0);
	json_decref(parts);
	free(bytes);
	free(bad);
}

/* h/fed-rest: on the receiving instance an import carrying the value of a
 * copy from above skips it (counted, named with the peer and why) and the
 * copy keeps the originator's fields; a new record of that value is
 * refused (409); the record says whose copy it is. */
static void test_import_below_cannot_change_a_copy(void **state)
{
	struct pair *w = *state;
	struct ctx cr = t_ctx(w->d.t.db, &w->cr);
	struct err e = { 0 };
	char g[UUID_LEN], lid[UUID_LEN];
	struct marks m;
	MARK();
	p_indicator(w, "copy-kept.example", "GREEN", NULL, g);
	apply(&w->d, w->d_p, sent(&w->p, w->p_d, m.pd, SK_INDICATOR));
	tdb_text(w->d.t.db, "SELECT id FROM indicators WHERE value = 'copy-kept.example'", lid,
		 sizeof(lid));
	char before[300], after[300];
	snprintf(before, sizeof(before), "%lld/%lld", tdb_int(w->d.t.db, "SELECT version FROM "
		 "indicators WHERE value = 'copy-kept.example'"), tdb_count(w->d.t.db, "indicators"));
	static const char list[] = "copy-kept.example\nown-new.example\n";
	json_t *r = indicator_import(&cr, IND_LIST, "ds.txt", list, sizeof(list) - 1, "pq", "AMBER",
				     &e);
	if (r == NULL)
		show_err("import", &e);
	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(r, "mirrored")), 1);
	assert_int_equal(json_integer_value(json_object_get(r, "created")), 1);
	assert_int_equal(json_integer_value(json_object_get(r, "updated")), 0);
	json_t *it = json_array_get(json_object_get(r, "mirrored_items"), 0);
	assert_string_equal(json_string_value(json_object_get(it, "from")), "tinh");
	assert_string_equal(json_string_value(json_object_get(it, "value")), "copy-kept.example");
	json_decref(r);
	snprintf(after, sizeof(after), "%lld/%lld", tdb_int(w->d.t.db, "SELECT version FROM "
		 "indicators WHERE value = 'copy-kept.example'"), tdb_count(w->d.t.db, "indicators") - 1);
	assert_string_equal(before, after);   /* the copy untouched; one record of our own */
	assert_int_equal(tdb_count(w->d.t.db, "indicators WHERE value = 'copy-kept.example' AND "
				   "tlp = 'GREEN' AND source = 'tinh'"), 1);
	/* A new record of that value would rewrite it: refused. */
	json_t *body = json_pack("{s:s, s:s, s:s}", "kind", "domain", "value", "copy-kept.example",
				 "tlp", "RED");
	int created = 0;
	json_t *c2 = indicator_create(&cr, body, &created, &e);
	json_decref(body);
	assert_null(c2);
	assert_int_equal(e.code, E_CONFLICT);
	err_clear(&e);
	/* Whose copy it is, and not editable here. */
	json_t *one = indicator_get(&cr, lid, &e);
	assert_non_null(one);
	assert_string_equal(json_string_value(json_object_get(one, "mirrored_from")), "tinh");
	assert_false(json_is_true(json_object_get(one, "editable")));
	json_decref(one);
}

/* h/fed-rest: the province closes a hunt it issued; the district's copy
 * closes (no new run), its last summary goes up closed, the commune's
 * instance below is told, and what came up before stays above. Only the
 * peer that sent the hunt closes it. */
static void test_hunt_close_travels_down(void **state)
{
	struct pair *w = *state;
	struct ctx pc = t_ctx(w->p.t.db, &w->pcoord), cr = t_ctx(w->d.t.db, &w->cr);
	struct err e = { 0 };
	char ind[UUID_LEN], hid[UUID_LEN], lhid[UUID_LEN];
	struct marks m;
	long long hv = p_hunt(w, &m, "Săn C2 đóng", "c2-close.example", ind, hid);
	json_t *hunt = sent(&w->p, w->p_d, m.pd, SK_HUNT);
	MARK();
	apply(&w->d, w->d_p, hunt);
	tdb_text(w->d.t.db, "SELECT id FROM hunts", lhid, sizeof(lhid));
	/* One run below, summed up above. */
	json_t *hits = json_pack("[{s:s, s:s, s:s, s:i}]", "path", "/var/log/a.log", "kind",
				 "domain", "indicator", "c2-close.example", "line", 1);
	struct hunt_result r = { .org_code = "pq", .hostname = "may-1", .via = "upload",
				 .files = 10, .ran_at = time_now_ms(), .hits = hits };
	json_t *run = hunt_submit(&cr, lhid, &r, &e);
	json_decref(hits);
	assert_non_null(run);
	json_decref(run);
	apply(&w->p, w->p_d, sent(&w->d, w->d_p, m.dp, SK_HUNT_SUMMARY));
	/* Someone else's parent closing it: nothing. */
	json_t *alien = json_pack("{s:s, s:{s:s}}", "kind", SK_HUNT_CLOSE, "payload", "id", hid);
	assert_int_equal(apply(&w->d, w->d_n, alien), E_OK);
	json_decref(alien);
	assert_int_equal(tdb_count(w->d.t.db, "hunts WHERE status = 'open'"), 1);
	/* The issuer closes it. */
	MARK();
	json_t *cl = hunt_close(&pc, hid, hv, &e);
	if (cl == NULL)
		show_err("close", &e);
	assert_non_null(cl);
	json_decref(cl);
	json_t *close = sent(&w->p, w->p_d, m.pd, SK_HUNT_CLOSE);
	assert_int_equal(COUNT(SK_HUNT_CLOSE), 1);
	MARK();
	apply_twice(&w->d, w->d_p, close);
	assert_int_equal(tdb_count(w->d.t.db, "hunts WHERE status = 'closed'"), 1);
	/* no new run below */
	hits = json_pack("[]");
	struct hunt_result r2 = { .org_code = "pq", .hostname = "may-2", .via = "upload",
				  .files = 1, .ran_at = time_now_ms(), .hits = hits };
	run = hunt_submit(&cr, lhid, &r2, &e);
	assert_null(run);
	assert_int_equal(e.code, E_CONFLICT);
	err_clear(&e);
	json_decref(hits);
	/* told below (the commune's instance), the last word up */
	json_t *below = sent(&w->d, w->d_x, m.dx, SK_HUNT_CLOSE);
	assert_int_equal(json_array_size(json_object_get(json_object_get(below, "payload"),
							 "targets")), 1);
	json_t *sum = sent(&w->d, w->d_p, m.dp, SK_HUNT_SUMMARY);
	assert_string_equal(json_string_value(json_object_get(json_object_get(sum, "payload"),
							      "status")), "closed");
	apply(&w->p, w->p_d, sum);
	/* What came up stays above. */
	json_t *peers = sync_kinds_hunt_peers(&pc, hid, &e);
	assert_non_null(peers);
	json_t *it = json_array_get(json_object_get(peers, "items"), 0);
	assert_int_equal(json_integer_value(json_object_get(it, "hits")), 1);
	assert_string_equal(json_string_value(json_object_get(it, "status")), "closed");
	json_decref(peers);
	/* a closing again changes nothing */
	MARK();
	assert_int_equal(apply(&w->d, w->d_p, close), E_OK);
	assert_int_equal(COUNT(SK_HUNT_CLOSE) + COUNT(SK_HUNT_SUMMARY), 0);
}

static void test_new_kinds_tampered_replayed_misdirected(void **state)
{
	struct pair *w = *state;
	struct ctx cr = t_ctx(w->d.t.db, &w->cr);
	struct err e = { 0 };
	struct rules rules;
	rules_default(&rules);
	cr.rules = &rules;
	char id[UUID_LEN], sid[UUID_LEN];
	escalate(w, "GREEN", id, sid);
	json_t *a = incident_add_attachment(&cr, id, "pcap.bin", NULL, "\x01\x02\x03", 3, &e);
	assert_non_null(a);
	json_decref(a);
	carry(&w->d, w->d_p, &w->p, w->p_d);     /* request + update: the province wants it */
	carry(&w->p, w->p_d, &w->d, w->d_p);     /* the want: the district queues the bytes */
	json_t *all = queued(&w->d, w->d_p, 0), *x, *data = NULL;
	size_t i;
	json_array_foreach(all, i, x)
		if (strcmp(json_string_value(json_object_get(x, "kind")), SK_ATTACHMENT_DATA) == 0)
			data = x;
	assert_non_null(data);
	/* Tampered (other bytes, the same hash, the old signature): refused
	 * by the inbox, nothing stored. */
	json_t *bad = json_deep_copy(data);
	json_object_set_new(json_object_get(bad, "payload"), "data", json_string("AAAA"));
	json_t *batch = json_pack("[O]", bad);
	json_t *why = refusals(&w->p, w->p_d, batch);
	assert_string_equal(json_string_value(json_array_get(why, 0)), "bad_signature");
	json_decref(why);
	json_decref(batch);
	json_decref(bad);
	assert_int_equal(tdb_count(w->p.t.db, "attachments"), 0);
	/* The genuine one, then the same again: applied once. */
	carry(&w->d, w->d_p, &w->p, w->p_d);
	assert_int_equal(tdb_count(w->p.t.db, "attachments"), 1);
	batch = json_pack("[O]", data);
	why = refusals(&w->p, w->p_d, batch);
	assert_string_equal(json_string_value(json_array_get(why, 0)), "replay");
	json_decref(why);
	json_decref(batch);
	assert_int_equal(tdb_count(w->p.t.db, "attachments"), 1);
	json_decref(all);
	/* A child's withdrawal, retraction or hunt: the relation refuses
	 * them, nothing applied. */
	static const char *const down_only[] = { SK_WARNING_WITHDRAW, SK_INDICATOR_RETRACT, SK_HUNT };
	char d_inst[SYNC_ID_LEN], p_inst[SYNC_ID_LEN], eid[UUID_LEN], now[TIME_RFC3339_LEN];
	assert_int_equal(sync_instance_id(&w->d.c, d_inst, &e), 0);
	assert_int_equal(sync_instance_id(&w->p.c, p_inst, &e), 0);
	for (i = 0; i < 3; i++) {
		struct sync_peer to = peer(&w->d, w->d_p);
		json_t *pl = json_pack("{s:s}", "id", "0190aaaa-0000-7000-8000-0000000000e1");
		/* The district's own outbox does not even queue it... */
		assert_int_equal(store_begin(w->d.t.db, &e), 0);
		assert_int_not_equal(sync_emit(&w->d.c, &to, down_only[i], pl, NULL, &e), 0);
		store_rollback(w->d.t.db);
		err_clear(&e);
		/* ...and one signed by hand is refused by the province. */
		json_t *one = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:O}", "id", uuid7(eid),
					"origin", d_inst, "dest", p_inst, "seq",
					(json_int_t)(mark(&w->d, w->d_p) + 1), "kind", down_only[i],
					"created", time_format_utc(time_now_ms(), now), "payload", pl);
		json_decref(pl);
		assert_int_equal(sync_sign(&w->d.c, one, &e), 0);
		json_t *env = json_pack("[o]", one);
		why = refusals(&w->p, w->p_d, env);
		assert_string_equal(json_string_value(json_array_get(why, 0)), "kind_not_allowed");
		json_decref(why);
		json_decref(env);
	}
}

int main(void)
{
	indicator_observables_install(); /* as main() does */
	kept = json_array();
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
		cmocka_unit_test_setup_teardown(test_indicator_edits_travel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_warning_withdrawn_above_shows_below, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hunt_summary_goes_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attachment_travels_by_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_confidential_attachment_never_sent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_large_attachment_travels_in_parts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hunt_close_travels_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_below_cannot_change_a_copy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_new_kinds_tampered_replayed_misdirected, setup,
						teardown),
	};
	int rc = cmocka_run_group_tests(tests, group_setup, NULL);
	json_decref(kept);
	return rc;
}
