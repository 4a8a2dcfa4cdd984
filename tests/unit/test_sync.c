/* test_sync.c - the federation core: canonical bytes, signatures, seq and
 * acknowledgement, every refusal of the inbox, routing, bundles. Three
 * instances (A district, B province, C another), each a database with its
 * own key file, as `ungcuu init` makes them. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "base/crypto.h"
#include "base/jsonv.h"
#include "base/limits.h"
#include "base/msg.h"
#include "domain/directory/audit.h"
#include "domain/directory/org.h"
#include "sync/sync.h"

struct inst {
	struct tdb t;
	struct actor sys;
	struct ctx c;
	char pk[65], id[SYNC_ID_LEN];
};

static void inst_new(struct inst *in, const char *org)
{
	struct err e = { 0 };
	char sk[129], path[256];
	memset(in, 0, sizeof(*in));
	assert_int_equal(crypto_init(), 0);
	audit_setup(NULL);
	snprintf(in->t.dir, sizeof(in->t.dir), "/tmp/ungcuu-unit-XXXXXX");
	assert_non_null(mkdtemp(in->t.dir));
	snprintf(in->t.path, sizeof(in->t.path), "%s/test.db", in->t.dir);
	assert_int_equal(ed25519_keypair_hex(in->pk, sk), 0);
	snprintf(path, sizeof(path), "%s.key", in->t.path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, sk, 128), 128);
	close(fd);
	in->t.db = store_open(in->t.path, &e);
	assert_non_null(in->t.db);
	assert_true(store_exec(in->t.db, "PRAGMA synchronous=OFF", &e) == 0);
	assert_true(store_migrate(in->t.db, &e) >= 0);
	actor_system(&in->sys);
	in->c = t_ctx(in->t.db, &in->sys);
	t_org(&in->c, org, "district", NULL, 1);
	assert_int_equal(sync_instance_id(&in->c, in->id, &e), 0);
}

static void peer_add(struct inst *at, const char *name, const struct inst *other, int relation,
		     const char *org, char id[UUID_LEN])
{
	struct err e = { 0 };
	json_t *b = json_pack("{s:s, s:s, s:s, s:[]}", "name", name, "public_key", other->pk,
			      "relation", relation == SYNC_PARENT ? "parent" : "child", "orgs");
	if (org)
		json_array_append_new(json_object_get(b, "orgs"), json_string(org));
	int rc = sync_peer_add(&at->c, b, id, &e);
	json_decref(b);
	assert_int_equal(rc, 0);
}

/* A (district) has B as parent; B has A as child; C knows nobody. */
struct fed {
	struct inst a, b, c;
	char a_b[UUID_LEN], b_a[UUID_LEN];   /* A's row for B, B's row for A */
};

static int kinds_registered;
static int down_apply(struct ctx *c, const struct sync_peer *from, json_t *p, struct err *e)
{
	(void)c, (void)from, (void)p, (void)e;
	return 0;
}
/* writes, then fails: nothing of it may stay */
static int failing_apply(struct ctx *c, const struct sync_peer *from, json_t *p, struct err *e)
{
	(void)p;
	store_run(c->db, e, "UPDATE sync_peers SET pings = pings + 100 WHERE id = $1", "t", from->id);
	return err_set(e, E_INVALID, MSG_BAD_VALUE, "fails");
}
static const struct sync_kind test_kinds[] = {
	{ "test.down", SYNC_PARENT, down_apply },
	{ "test.fail", SYNC_CHILD, failing_apply },
};

static int fed_setup(void **state)
{
	struct fed *f = calloc(1, sizeof(*f));
	if (!kinds_registered) {
		sync_register_kinds(test_kinds, 2);
		kinds_registered = 1;
	}
	inst_new(&f->a, "huyen");
	inst_new(&f->b, "tinh");
	inst_new(&f->c, "khac");
	peer_add(&f->a, "tinh", &f->b, SYNC_PARENT, "tinh", f->a_b);
	peer_add(&f->b, "huyen", &f->a, SYNC_CHILD, "huyen", f->b_a);
	*state = f;
	return 0;
}

static int fed_teardown(void **state)
{
	struct fed *f = *state;
	tdb_free(&f->a.t);
	tdb_free(&f->b.t);
	tdb_free(&f->c.t);
	free(f);
	return 0;
}

static void ping(struct inst *in, const char *peer_id, int count)
{
	struct err e = { 0 };
	struct sync_peer p;
	assert_int_equal(sync_peer_get(&in->c, peer_id, &p, &e), 0);
	assert_int_equal(store_begin(in->t.db, &e), 0);
	for (int i = 0; i < count; i++) {
		json_t *pl = json_pack("{s:i}", "n", i);
		assert_int_equal(sync_emit(&in->c, &p, SYNC_KIND_PING, pl, NULL, &e), 0);
		json_decref(pl);
	}
	assert_int_equal(store_commit(in->t.db, &e), 0);
}

static long long peer_int(struct inst *in, const char *col, const char *peer_id)
{
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT %s FROM sync_peers WHERE id = '%s'", col, peer_id);
	return tdb_int(in->t.db, sql);
}

/* Applies envs at B from A; returns the number refused, reason of the first. */
static size_t apply_b(struct fed *f, json_t *envs, int64_t *acked, char reason[32])
{
	struct err e = { 0 };
	json_t *refused = NULL;
	assert_int_equal(sync_inbox_apply(&f->b.c, f->b_a, envs, acked, &refused, &e), 0);
	size_t n = json_array_size(refused);
	if (reason)
		snprintf(reason, 32, "%s", n ? jv_str(json_array_get(refused, 0), "reason") : "");
	json_decref(refused);
	return n;
}

/* ---- canonical bytes ---- */

static void test_canonical(void **state)
{
	(void)state;
	size_t n;
	json_t *v = json_pack("{s:i, s:s, s:[i, b, n], s:{s:s, s:s}}", "b", 2, "a",
			      "x\"\\/\n\t\x01\x1f\x7f é ư", "c", -3, 1, "d", "z", "1", "y", "2");
	char *s = sync_canonical(v, &n);
	assert_non_null(s);
	assert_string_equal(s, "{\"a\":\"x\\\"\\\\/\\n\\t\\u0001\\u001f\x7f é ư\",\"b\":2,"
			       "\"c\":[-3,true,null],\"d\":{\"y\":\"2\",\"z\":\"1\"}}");
	assert_int_equal(n, strlen(s));
	free(s);
	json_decref(v);
	/* keys sort by bytes: "B" < "a" < "é" (0xc3) */
	v = json_pack("{s:i, s:i, s:i}", "é", 1, "a", 2, "B", 3);
	s = sync_canonical(v, &n);
	assert_string_equal(s, "{\"B\":3,\"a\":2,\"é\":1}");
	free(s);
	json_decref(v);
	/* reals and integers beyond 2^53 have no canonical form */
	v = json_pack("{s:f}", "x", 1.5);
	assert_null(sync_canonical(v, &n));
	json_decref(v);
	v = json_pack("{s:I}", "x", (json_int_t)1 << 54);
	assert_null(sync_canonical(v, &n));
	json_decref(v);
	/* U+0000 is refused (other implementations' strings end there) */
	v = json_object();
	json_object_set_new(v, "x", json_stringn("a\0b", 3));
	assert_null(sync_canonical(v, &n));
	json_decref(v);
	/* not UTF-8 */
	v = json_object();
	json_object_set_new(v, "x", json_stringn_nocheck("\xc3\x28", 2));
	assert_null(sync_canonical(v, &n));
	json_decref(v);
	/* parse -> canonical -> parse -> canonical is stable */
	v = json_loads("{ \"z\" : [1, {\"b\":\"\\u00e9\", \"a\": \"\\u0002x\"}], \"a\": {} }", 0, NULL);
	assert_non_null(v);
	s = sync_canonical(v, &n);
	assert_string_equal(s, "{\"a\":{},\"z\":[1,{\"a\":\"\\u0002x\",\"b\":\"é\"}]}");
	json_t *w = json_loadb(s, n, 0, NULL);
	size_t n2;
	char *s2 = sync_canonical(w, &n2);
	assert_int_equal(n, n2);
	assert_memory_equal(s, s2, n);
	free(s);
	free(s2);
	json_decref(v);
	json_decref(w);
}

static void test_fingerprint(void **state)
{
	(void)state;
	char fp[SYNC_FINGERPRINT_LEN], id[SYNC_ID_LEN];
	assert_int_equal(sync_instance_of_key("00", id), -1);
	assert_int_equal(sync_instance_of_key(
		"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", id), 0);
	assert_int_equal(strlen(id), 64);
	sync_fingerprint(id, fp);
	assert_int_equal(strlen(fp), 39);
	assert_int_equal(fp[4], ' ');
	assert_memory_equal(fp, id, 4);
	assert_memory_equal(fp + 35, id + 28, 4);
}

/* ---- signatures, seq, ack ---- */

static void test_sign_seq_ack(void **state)
{
	struct fed *f = *state;
	struct err e = { 0 };
	ping(&f->a, f->a_b, 3);
	json_t *envs = sync_outbox_read(&f->a.c, f->a_b, 0, 10, &e);
	assert_int_equal(json_array_size(envs), 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *env = json_array_get(envs, i);
		assert_int_equal(sync_envelope_check(env, &e), 0);
		assert_int_equal(json_integer_value(json_object_get(env, "seq")), (int)i + 1);
		assert_string_equal(jv_str(env, "origin"), f->a.id);
		assert_string_equal(jv_str(env, "dest"), f->b.id);
		assert_true(sync_envelope_verify(env, f->a.pk));
		assert_false(sync_envelope_verify(env, f->b.pk));
	}
	/* a changed payload no longer verifies */
	json_t *env = json_deep_copy(json_array_get(envs, 0));
	json_object_set_new(json_object_get(env, "payload"), "n", json_integer(99));
	assert_false(sync_envelope_verify(env, f->a.pk));
	json_decref(env);
	json_decref(envs);
	envs = sync_outbox_read(&f->a.c, f->a_b, 2, 10, &e);
	assert_int_equal(json_array_size(envs), 1);
	json_decref(envs);
	/* acknowledgement moves forward only, never beyond what was sent */
	assert_int_equal(sync_outbox_ack(&f->a.c, f->a_b, 2, &e), 0);
	assert_int_equal(peer_int(&f->a, "out_acked", f->a_b), 2);
	assert_int_equal(sync_outbox_ack(&f->a.c, f->a_b, 1, &e), 0);
	assert_int_equal(peer_int(&f->a, "out_acked", f->a_b), 2);
	assert_int_equal(sync_outbox_ack(&f->a.c, f->a_b, 4, &e), -1);
	assert_int_equal(peer_int(&f->a, "out_acked", f->a_b), 2);
	/* seq is taken in the caller's transaction: rolled back, not used */
	struct sync_peer p;
	assert_int_equal(sync_peer_get(&f->a.c, f->a_b, &p, &e), 0);
	assert_int_equal(store_begin(f->a.t.db, &e), 0);
	json_t *pl = json_object();
	assert_int_equal(sync_emit(&f->a.c, &p, SYNC_KIND_PING, pl, NULL, &e), 0);
	store_rollback(f->a.t.db);
	ping(&f->a, f->a_b, 1);
	assert_int_equal(tdb_int(f->a.t.db, "SELECT MAX(seq) FROM sync_outbox"), 4);
	/* never back to where it came from */
	assert_int_equal(store_begin(f->a.t.db, &e), 0);
	assert_int_equal(sync_emit(&f->a.c, &p, SYNC_KIND_PING, pl, f->a_b, &e), 0);
	assert_int_equal(sync_emit_all(&f->a.c, SYNC_PARENT, SYNC_KIND_PING, pl, f->a_b, &e), 0);
	assert_int_equal(store_commit(f->a.t.db, &e), 0);
	assert_int_equal(tdb_count(f->a.t.db, "sync_outbox"), 4);
	/* a kind the parent does not accept from us is not even queued */
	assert_int_equal(store_begin(f->a.t.db, &e), 0);
	assert_int_equal(sync_emit(&f->a.c, &p, "test.down", pl, NULL, &e), -1);
	assert_int_equal(sync_emit(&f->a.c, &p, "no.such.kind", pl, NULL, &e), -1);
	store_rollback(f->a.t.db);
	json_decref(pl);
}

/* ---- the inbox ---- */

static void test_inbox_rules(void **state)
{
	struct fed *f = *state;
	struct err e = { 0 };
	int64_t acked;
	char reason[32];
	ping(&f->a, f->a_b, 3);
	json_t *envs = sync_outbox_read(&f->a.c, f->a_b, 0, 10, &e);
	json_t *one = json_array(), *two = json_array(), *three = json_array();
	json_array_append(one, json_array_get(envs, 0));
	json_array_append(two, json_array_get(envs, 1));
	json_array_append(three, json_array_get(envs, 2));

	/* gap: 3 before 2 waits, nothing applied */
	assert_int_equal(apply_b(f, three, &acked, reason), 1);
	assert_string_equal(reason, "gap");
	assert_int_equal(acked, 0);
	assert_int_equal(peer_int(&f->b, "in_seq", f->b_a), 0);
	assert_int_equal(peer_int(&f->b, "in_seen", f->b_a), 3);

	/* tampered payload */
	json_t *bad = json_array();
	json_t *t = json_deep_copy(json_array_get(envs, 0));
	json_object_set_new(json_object_get(t, "payload"), "n", json_integer(7));
	json_array_append_new(bad, t);
	assert_int_equal(apply_b(f, bad, &acked, reason), 1);
	assert_string_equal(reason, "bad_signature");
	json_decref(bad);

	/* wrong destination: A's envelope for C (A knows C as a child) */
	char a_c[UUID_LEN];
	peer_add(&f->a, "khac", &f->c, SYNC_CHILD, NULL, a_c);
	ping(&f->a, a_c, 1);
	json_t *forc = sync_outbox_read(&f->a.c, a_c, 0, 10, &e);
	assert_int_equal(apply_b(f, forc, &acked, reason), 1);
	assert_string_equal(reason, "wrong_dest");
	json_decref(forc);

	/* a foreign key: C signs an envelope claiming to be A's */
	json_t *forged = json_deep_copy(json_array_get(envs, 0));
	assert_int_equal(sync_sign(&f->c.c, forged, &e), 0);
	bad = json_array();
	json_array_append_new(bad, forged);
	assert_int_equal(apply_b(f, bad, &acked, reason), 1);
	assert_string_equal(reason, "bad_signature");
	/* ... or as itself, through A's connection */
	json_object_set_new(forged, "origin", json_string(f->c.id));
	assert_int_equal(sync_sign(&f->c.c, forged, &e), 0);
	assert_int_equal(apply_b(f, bad, &acked, reason), 1);
	assert_string_equal(reason, "unknown_peer");
	json_decref(bad);

	/* malformed: missing field, extra field, not an object */
	bad = json_pack("[{s:s}, i]", "id", "x", 5);
	t = json_deep_copy(json_array_get(envs, 0));
	json_object_set_new(t, "extra", json_true());
	json_array_append_new(bad, t);
	assert_int_equal(apply_b(f, bad, &acked, reason), 3);
	assert_string_equal(reason, "malformed");
	json_decref(bad);

	/* none of that changed anything */
	assert_int_equal(peer_int(&f->b, "in_seq", f->b_a), 0);
	assert_int_equal(peer_int(&f->b, "pings", f->b_a), 0);
	assert_int_equal(tdb_count(f->b.t.db, "sync_inbox"), 0);

	/* in order: 1, then 2 and 3 (3 given first in the batch) */
	assert_int_equal(apply_b(f, one, &acked, reason), 0);
	assert_int_equal(acked, 1);
	json_t *later = json_pack("[O, O]", json_array_get(envs, 2), json_array_get(envs, 1));
	assert_int_equal(apply_b(f, later, &acked, reason), 0);
	assert_int_equal(acked, 3);
	assert_int_equal(peer_int(&f->b, "pings", f->b_a), 3);
	/* replay: acknowledged again, applied never */
	assert_int_equal(apply_b(f, envs, &acked, reason), 3);
	assert_string_equal(reason, "replay");
	assert_int_equal(acked, 3);
	assert_int_equal(peer_int(&f->b, "pings", f->b_a), 3);
	assert_int_equal(tdb_count(f->b.t.db, "sync_inbox"), 3);
	/* the replays of one batch are one row of the log, standing for 3 */
	assert_int_equal(tdb_count(f->b.t.db, "sync_refused WHERE reason = 'replay'"), 1);
	assert_int_equal(tdb_int(f->b.t.db, "SELECT n FROM sync_refused WHERE reason = 'replay'"), 3);
	/* refusals are counted for status */
	assert_true(peer_int(&f->b, "refused", f->b_a) >= 9);
	json_t *st = sync_status(&f->b.c, &e);
	assert_non_null(st);
	json_t *ps = json_array_get(json_object_get(st, "peers"), 0);
	assert_int_equal(jv_int(json_object_get(ps, "refused_by_reason"), "replay", 0), 3);
	assert_int_equal(jv_int(json_object_get(ps, "refused_by_reason"), "gap", 0), 1);
	assert_int_equal(jv_int(ps, "in_applied", 0), 3);
	json_decref(st);
	json_decref(later);
	json_decref(one);
	json_decref(two);
	json_decref(three);
	json_decref(envs);
}

static void test_kind_rules(void **state)
{
	struct fed *f = *state;
	struct err e = { 0 };
	int64_t acked;
	char reason[32];
	struct sync_peer p;
	/* A child sends "test.down", which only a parent may send: A forges
	 * it by emitting to B as if B were its child */
	assert_int_equal(sync_peer_get(&f->a.c, f->a_b, &p, &e), 0);
	p.relation = SYNC_CHILD;
	json_t *pl = json_object();
	assert_int_equal(store_begin(f->a.t.db, &e), 0);
	assert_int_equal(sync_emit(&f->a.c, &p, "test.down", pl, NULL, &e), 0);
	assert_int_equal(store_commit(f->a.t.db, &e), 0);
	json_t *envs = sync_outbox_read(&f->a.c, f->a_b, 0, 10, &e);
	assert_int_equal(apply_b(f, envs, &acked, reason), 1);
	assert_string_equal(reason, "kind_not_allowed");
	json_decref(envs);
	/* an unknown kind */
	json_t *env = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:{}}", "id",
				"01900000-0000-7000-8000-000000000001", "origin", f->a.id, "dest",
				f->b.id, "seq", 1, "kind", "no.such", "created",
				"2026-01-01T00:00:00.000Z", "payload");
	assert_int_equal(sync_sign(&f->a.c, env, &e), 0);
	envs = json_pack("[o]", env);
	/* (h/fed-compat) kept, not applied, and acknowledged: said back as
	 * kind_unknown, the cursor past it (test_versions below) */
	assert_int_equal(apply_b(f, envs, &acked, reason), 1);
	assert_string_equal(reason, "kind_unknown");
	assert_int_equal(acked, 1);
	assert_int_equal(tdb_count(f->b.t.db, "sync_kept WHERE applied_at IS NULL"), 1);
	json_decref(envs);
	/* an apply that fails leaves nothing: not its writes, not the cursor */
	p.relation = SYNC_PARENT;
	(void)p;
	env = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:{}}", "id",
			"01900000-0000-7000-8000-000000000002", "origin", f->a.id, "dest", f->b.id,
			"seq", 2, "kind", "test.fail", "created", "2026-01-01T00:00:00.000Z",
			"payload");
	assert_int_equal(sync_sign(&f->a.c, env, &e), 0);
	envs = json_pack("[o]", env);
	assert_int_equal(apply_b(f, envs, &acked, reason), 1);
	assert_string_equal(reason, "apply_failed");
	assert_int_equal(acked, 1);
	assert_int_equal(peer_int(&f->b, "pings", f->b_a), 0);
	assert_int_equal(peer_int(&f->b, "in_seq", f->b_a), 1);
	json_decref(envs);
	json_decref(pl);
}

/* ---- versions (h/fed-compat): a kind this version does not know ---- */

/* An envelope from A to B signed by A, of any kind, payload {n}; or with
 * a payload string of `fill` bytes. */
static json_t *env_of(struct fed *f, int64_t seq, const char *kind, size_t fill)
{
	struct err e = { 0 };
	char id[UUID_LEN];
	json_t *pl = json_pack("{s:I}", "n", (json_int_t)seq);
	if (fill) {
		char *big = malloc(fill + 1);
		memset(big, 'x', fill);
		big[fill] = '\0';
		json_object_set_new(pl, "fill", json_string(big));
		free(big);
	}
	json_t *env = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:o}", "id", uuid7(id), "origin",
				f->a.id, "dest", f->b.id, "seq", (json_int_t)seq, "kind", kind,
				"created", "2026-12-07T00:00:00.000Z", "payload", pl);
	assert_int_equal(sync_sign(&f->a.c, env, &e), 0);
	return env;
}

/* What the kinds "registered after the upgrade" saw, in order. */
static json_int_t v2_seen[16];
static size_t v2_nseen;
static int v2_apply(struct ctx *c, const struct sync_peer *from, json_t *p, struct err *e)
{
	if (v2_nseen < 16)
		v2_seen[v2_nseen++] = json_integer_value(json_object_get(p, "n"));
	return store_run(c->db, e, "UPDATE sync_peers SET pings = pings + 1 WHERE id = $1", "t",
			 from->id) < 0 ? -1 : 0;
}
static const struct sync_kind v2_kinds[] = {
	{ "test.v2.up", SYNC_CHILD, v2_apply },        /* A (a child of B) may send it */
	{ "test.v2.down", SYNC_PARENT, v2_apply },     /* a rule: not from a child */
	{ "test.v2.fail", SYNC_CHILD, failing_apply }, /* writes, then fails */
};

static long long reason_n(struct fed *f, const char *reason)
{
	char sql[200];
	snprintf(sql, sizeof(sql), "SELECT COALESCE(SUM(n), 0) FROM sync_refused WHERE reason = '%s'",
		 reason);
	return tdb_int(f->b.t.db, sql);
}

static void test_versions(void **state)
{
	struct fed *f = *state;
	struct err e = { 0 };
	int64_t acked;
	/* a newer A sends kinds B does not know between pings, in one batch
	 * (one transaction: apply_run) */
	static const char *const kinds[] = { "ping", "test.v2.up", "ping", "test.v2.up",
					     "test.v2.down", "test.v2.fail", "ping" };
	json_t *envs = json_array();
	for (int i = 0; i < 7; i++)
		json_array_append_new(envs, env_of(f, i + 1, kinds[i], 0));
	json_t *refused = NULL;
	assert_int_equal(sync_inbox_apply(&f->b.c, f->b_a, envs, &acked, &refused, &e), 0);
	/* all acknowledged: the sender stops resending; the pings behind the
	 * unknown ones applied */
	assert_int_equal(acked, 7);
	assert_int_equal(peer_int(&f->b, "in_seq", f->b_a), 7);
	assert_int_equal(peer_int(&f->b, "pings", f->b_a), 3);
	/* the four kept, each said back as kind_unknown, with its seq */
	assert_int_equal(json_array_size(refused), 4);
	assert_string_equal(jv_str(json_array_get(refused, 0), "reason"), "kind_unknown");
	assert_int_equal(jv_int(json_array_get(refused, 0), "seq", 0), 2);
	assert_int_equal(jv_int(json_array_get(refused, 3), "seq", 0), 6);
	json_decref(refused);
	assert_int_equal(tdb_count(f->b.t.db, "sync_kept WHERE applied_at IS NULL"), 4);
	assert_int_equal(tdb_count(f->b.t.db, "sync_inbox"), 7);
	/* the whole envelope kept, as received: it still verifies */
	assert_int_equal(tdb_int(f->b.t.db, "SELECT seq FROM sync_kept ORDER BY seq LIMIT 1"), 2);
	{
		struct stmt *st = store_query(f->b.t.db, &e, "SELECT envelope FROM sync_kept WHERE "
					      "seq = 4", "");
		assert_non_null(st);
		assert_int_equal(stmt_step(st, &e), 1);
		json_t *kept = json_loads(stmt_text(st, 0), 0, NULL);
		stmt_done(st);
		assert_non_null(kept);
		assert_true(sync_envelope_verify(kept, f->a.pk));
		assert_true(json_equal(kept, json_array_get(envs, 3)));
		json_decref(kept);
	}
	/* counted, without holding anything up */
	assert_int_equal(reason_n(f, "kind_unknown"), 4);
	json_t *st = sync_status(&f->b.c, &e);
	json_t *ps = json_array_get(json_object_get(st, "peers"), 0);
	assert_int_equal(jv_int(json_object_get(ps, "refused_by_reason"), "kind_unknown", 0), 4);
	assert_int_equal(jv_int(ps, "kept_waiting", 0), 4);
	assert_int_equal(jv_int(ps, "kept_applied", 1), 0);
	assert_int_equal(jv_int(ps, "in_waiting", 1), 0);
	assert_int_equal(json_array_size(json_object_get(ps, "kept")), 4);
	assert_string_equal(jv_str(json_array_get(json_object_get(ps, "kept"), 0), "kind"),
			    "test.v2.up");
	json_decref(st);
	/* the same batch again (a lost acknowledgement): replays, nothing kept twice */
	assert_int_equal(sync_inbox_apply(&f->b.c, f->b_a, envs, &acked, &refused, &e), 0);
	assert_int_equal(acked, 7);
	assert_string_equal(jv_str(json_array_get(refused, 0), "reason"), "replay");
	json_decref(refused);
	assert_int_equal(tdb_count(f->b.t.db, "sync_kept"), 4);
	/* and one at a time (the other path of the inbox): 8 unknown, 9 ping */
	json_t *more = json_pack("[o]", env_of(f, 8, "test.v2.up", 0));
	assert_int_equal(apply_b(f, more, &acked, NULL), 1);
	assert_int_equal(acked, 8);
	json_decref(more);
	more = json_pack("[o]", env_of(f, 9, "ping", 0));
	assert_int_equal(apply_b(f, more, &acked, NULL), 0);
	assert_int_equal(acked, 9);
	json_decref(more);
	assert_int_equal(peer_int(&f->b, "pings", f->b_a), 4);

	/* not upgraded yet: nothing to apply, all stay */
	struct sync_kept_result kr;
	assert_int_equal(sync_kept_apply(&f->b.c, NULL, &kr, &e), 0);
	assert_int_equal(kr.applied, 0);
	assert_int_equal(kr.waiting, 5);
	assert_int_equal(peer_int(&f->b, "pings", f->b_a), 4);

	/* the upgrade: the binary now knows the kinds (the test hook) */
	sync_register_kinds(v2_kinds, 3);
	v2_nseen = 0;
	assert_int_equal(sync_kept_apply(&f->b.c, NULL, &kr, &e), 0);
	/* the allowed ones applied once, in their original order */
	assert_int_equal(kr.applied, 3);
	assert_int_equal(kr.failed, 2);
	assert_int_equal(kr.waiting, 0);
	assert_int_equal(v2_nseen, 3);
	assert_int_equal(v2_seen[0], 2);
	assert_int_equal(v2_seen[1], 4);
	assert_int_equal(v2_seen[2], 8);
	/* the failing apply left nothing of its writes (pings + 100) */
	assert_int_equal(peer_int(&f->b, "pings", f->b_a), 7);
	/* down from a child is still refused (a rule, not a version), the
	 * failing one kept with its error; each counted once */
	assert_int_equal(reason_n(f, "kind_not_allowed"), 1);
	assert_int_equal(reason_n(f, "apply_failed"), 1);
	assert_int_equal(tdb_count(f->b.t.db, "sync_kept WHERE applied_at IS NULL AND error IS NOT "
				   "NULL"), 2);
	assert_int_equal(tdb_count(f->b.t.db, "sync_kept WHERE applied_at IS NOT NULL AND envelope "
				   "IS NULL"), 3);
	/* again (the next start, sync run): the applied ones never twice; the
	 * failing ones tried again, not counted again */
	assert_int_equal(sync_kept_apply(&f->b.c, f->b_a, &kr, &e), 0);
	assert_int_equal(kr.applied, 0);
	assert_int_equal(kr.failed, 2);
	assert_int_equal(v2_nseen, 3);
	assert_int_equal(peer_int(&f->b, "pings", f->b_a), 7);
	assert_int_equal(reason_n(f, "apply_failed"), 1);
	st = sync_status(&f->b.c, &e);
	ps = json_array_get(json_object_get(st, "peers"), 0);
	assert_int_equal(jv_int(ps, "kept_waiting", 0), 2);
	assert_int_equal(jv_int(ps, "kept_failed", 0), 2);
	assert_int_equal(jv_int(ps, "kept_applied", 0), 3);
	json_t *k0 = json_array_get(json_object_get(ps, "kept"), 0);
	assert_int_equal(jv_int(k0, "seq", 0), 5);
	assert_non_null(strstr(jv_str(k0, "error"), "test.v2.down"));
	assert_non_null(strstr(jv_str(json_array_get(json_object_get(ps, "kept"), 1), "error"),
			       "fails"));
	json_decref(st);
	/* from now on the kind is known: applied as it comes */
	more = json_pack("[o]", env_of(f, 10, "test.v2.up", 0));
	assert_int_equal(apply_b(f, more, &acked, NULL), 0);
	assert_int_equal(acked, 10);
	assert_int_equal(v2_seen[3], 10);
	json_decref(more);
	assert_int_equal(tdb_count(f->b.t.db, "sync_kept"), 5);
	/* removing the peer removes what was kept from it; the log holds */
	assert_int_equal(sync_peer_remove(&f->b.c, "huyen", &e), 0);
	assert_int_equal(tdb_count(f->b.t.db, "sync_kept"), 0);
	struct audit_result ar;
	assert_int_equal(audit_verify(f->b.t.db, &ar, &e), 0);
	assert_int_equal(ar.problems, 0);
	audit_result_release(&ar);
	json_decref(envs);
}

/* Bounds: at most LIMIT_SYNC_KEPT envelopes and LIMIT_SYNC_KEPT_BYTES
 * bytes kept from a peer; past either the envelope is refused (kept_full)
 * and NOT acknowledged: it waits at the sender, and those behind it. */
static void test_versions_bounds(void **state)
{
	struct fed *f = *state;
	struct err e = { 0 };
	int64_t acked;
	char reason[32];
	json_t *envs = json_array();
	for (int i = 1; i <= LIMIT_SYNC_KEPT; i++)
		json_array_append_new(envs, env_of(f, i, "test.bound.a", 0));
	json_array_append_new(envs, env_of(f, LIMIT_SYNC_KEPT + 1, "test.bound.a", 0));
	json_array_append_new(envs, env_of(f, LIMIT_SYNC_KEPT + 2, "ping", 0));
	json_t *refused = NULL;
	assert_int_equal(sync_inbox_apply(&f->b.c, f->b_a, envs, &acked, &refused, &e), 0);
	assert_int_equal(acked, LIMIT_SYNC_KEPT);
	assert_int_equal(peer_int(&f->b, "in_seq", f->b_a), LIMIT_SYNC_KEPT);
	assert_int_equal(peer_int(&f->b, "pings", f->b_a), 0);
	json_t *last = json_array_get(refused, json_array_size(refused) - 1);
	assert_string_equal(jv_str(last, "reason"), "kept_full");
	assert_int_equal(jv_int(last, "seq", 0), LIMIT_SYNC_KEPT + 1);
	json_decref(refused);
	assert_int_equal(tdb_count(f->b.t.db, "sync_kept"), LIMIT_SYNC_KEPT);
	assert_int_equal(reason_n(f, "kept_full"), 1);
	/* resent: still full, still waiting */
	json_t *tail = json_pack("[O, O]", json_array_get(envs, LIMIT_SYNC_KEPT),
				 json_array_get(envs, LIMIT_SYNC_KEPT + 1));
	assert_int_equal(apply_b(f, tail, &acked, reason), 1);
	assert_string_equal(reason, "kept_full");
	assert_int_equal(acked, LIMIT_SYNC_KEPT);
	/* the upgrade: the thousand applied, and the two that waited go */
	static const struct sync_kind bound_kinds[] = {
		{ "test.bound.a", SYNC_CHILD, v2_apply },
	};
	sync_register_kinds(bound_kinds, 1);
	struct sync_kept_result kr;
	assert_int_equal(sync_kept_apply(&f->b.c, NULL, &kr, &e), 0);
	assert_int_equal(kr.applied, LIMIT_SYNC_KEPT);
	assert_int_equal(apply_b(f, tail, &acked, NULL), 0);
	assert_int_equal(acked, LIMIT_SYNC_KEPT + 2);
	assert_int_equal(peer_int(&f->b, "pings", f->b_a), LIMIT_SYNC_KEPT + 2);
	json_decref(tail);
	json_decref(envs);

	/* the size bound: envelopes of 2 MiB each, 64 MiB at most */
	int64_t base = LIMIT_SYNC_KEPT + 2, big = 2 * 1024 * 1024, fits = LIMIT_SYNC_KEPT_BYTES / big;
	envs = json_array();
	for (int64_t i = 1; i <= fits; i++)
		json_array_append_new(envs, env_of(f, base + i, "test.bound.big", (size_t)big - 1000));
	json_array_append_new(envs, env_of(f, base + fits + 1, "test.bound.big", (size_t)big));
	assert_int_equal(sync_inbox_apply(&f->b.c, f->b_a, envs, &acked, &refused, &e), 0);
	assert_int_equal(acked, base + fits);
	last = json_array_get(refused, json_array_size(refused) - 1);
	assert_string_equal(jv_str(last, "reason"), "kept_full");
	json_decref(refused);
	assert_true(tdb_int(f->b.t.db, "SELECT SUM(size) FROM sync_kept WHERE applied_at IS NULL") <=
		    LIMIT_SYNC_KEPT_BYTES);
	json_decref(envs);
}

/* A garbage peer does not block another: B has a second child D whose
 * envelopes are all refused; A's still apply. */
static void test_garbage_peer(void **state)
{
	struct fed *f = *state;
	struct err e = { 0 };
	char b_c[UUID_LEN];
	int64_t acked;
	peer_add(&f->b, "rac", &f->c, SYNC_CHILD, NULL, b_c);
	json_t *junk = json_array();
	for (int i = 0; i < 50; i++)
		json_array_append_new(junk, json_pack("{s:i}", "seq", i));
	json_t *refused = NULL;
	assert_int_equal(sync_inbox_apply(&f->b.c, b_c, junk, &acked, &refused, &e), 0);
	assert_int_equal(json_array_size(refused), 50);
	json_decref(refused);
	json_decref(junk);
	/* not an array: the batch itself is refused */
	junk = json_object();
	assert_int_equal(sync_inbox_apply(&f->b.c, b_c, junk, &acked, &refused, &e), -1);
	json_decref(junk);
	/* an unknown peer id */
	junk = json_array();
	assert_int_equal(sync_inbox_apply(&f->b.c, "01900000-0000-7000-8000-000000000009", junk,
					  &acked, &refused, &e), -1);
	json_decref(junk);
	/* C's own, correctly signed envelope, handed over by A: not A's */
	json_t *cenv = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:{}}", "id",
				 "01900000-0000-7000-8000-000000000003", "origin", f->c.id, "dest",
				 f->b.id, "seq", 1, "kind", "ping", "created",
				 "2026-01-01T00:00:00.000Z", "payload");
	assert_int_equal(sync_sign(&f->c.c, cenv, &e), 0);
	json_t *via_a = json_pack("[o]", cenv);
	char reason[32];
	assert_int_equal(apply_b(f, via_a, &acked, reason), 1);
	assert_string_equal(reason, "wrong_origin");
	json_decref(via_a);
	ping(&f->a, f->a_b, 2);
	json_t *envs = sync_outbox_read(&f->a.c, f->a_b, 0, 10, &e);
	assert_int_equal(apply_b(f, envs, &acked, NULL), 0);
	assert_int_equal(acked, 2);
	json_decref(envs);
	assert_int_equal(peer_int(&f->b, "refused", b_c), 50);
	assert_int_equal(peer_int(&f->b, "refused", f->b_a), 1);
	assert_int_equal(peer_int(&f->b, "pings", b_c), 0);
}

/* ---- bundles ---- */

static void test_bundles(void **state)
{
	struct fed *f = *state;
	struct err e = { 0 };
	char *data = NULL, *ack = NULL, from[UUID_LEN];
	size_t n, an, count;
	json_t *res = NULL;
	ping(&f->a, f->a_b, 2);
	assert_int_equal(sync_bundle_export(&f->a.c, f->a_b, &data, &n, &count, &e), 0);
	assert_int_equal(count, 2);
	/* sealed for B: C cannot open it */
	assert_int_equal(sync_bundle_import(&f->c.c, data, n, &res, from, &e), -1);
	assert_int_equal(e.msg, MSG_SYNC_BUNDLE_OTHER_DEST);
	/* C's header rewritten to C: the seal still is B's */
	char *moved = malloc(n + 1);
	memcpy(moved, data, n + 1);
	memcpy(moved + strlen("UNGCUU-SYNC-BUNDLE 1\ndest "), f->c.id, 64);
	err_clear(&e);
	assert_int_equal(sync_bundle_import(&f->c.c, moved, n, &res, from, &e), -1);
	assert_int_equal(e.msg, MSG_SYNC_BUNDLE_CANNOT_OPEN);
	free(moved);
	/* truncated, one byte changed, not a bundle */
	err_clear(&e);
	assert_int_equal(sync_bundle_import(&f->b.c, data, n - 20, &res, from, &e), -1);
	assert_int_equal(e.msg, MSG_SYNC_BUNDLE_CANNOT_OPEN);
	char *tampered = malloc(n + 1);
	memcpy(tampered, data, n + 1);
	tampered[n - 30] = tampered[n - 30] == 'A' ? 'B' : 'A';
	err_clear(&e);
	assert_int_equal(sync_bundle_import(&f->b.c, tampered, n, &res, from, &e), -1);
	assert_int_equal(e.msg, MSG_SYNC_BUNDLE_CANNOT_OPEN);
	free(tampered);
	err_clear(&e);
	assert_int_equal(sync_bundle_import(&f->b.c, "hello\n", 6, &res, from, &e), -1);
	assert_int_equal(e.msg, MSG_SYNC_NOT_BUNDLE);
	assert_int_equal(peer_int(&f->b, "in_seq", f->b_a), 0);
	assert_int_equal(peer_int(&f->b, "pings", f->b_a), 0);
	/* the real thing, then the acknowledgement back */
	assert_int_equal(sync_bundle_import(&f->b.c, data, n, &res, from, &e), 0);
	assert_string_equal(from, f->b_a);
	assert_int_equal(jv_int(res, "applied", -1), 2);
	json_decref(res);
	assert_int_equal(peer_int(&f->b, "pings", f->b_a), 2);
	assert_int_equal(sync_bundle_ack(&f->b.c, f->b_a, &ack, &an, &e), 0);
	assert_int_equal(sync_bundle_import(&f->a.c, ack, an, &res, from, &e), 0);
	assert_int_equal(jv_int(res, "acknowledged", -1), 2);
	json_decref(res);
	assert_int_equal(peer_int(&f->a, "out_acked", f->a_b), 2);
	/* the same bundle again: nothing applied twice */
	assert_int_equal(sync_bundle_import(&f->b.c, data, n, &res, from, &e), 0);
	assert_int_equal(jv_int(res, "applied", -1), 0);
	json_decref(res);
	assert_int_equal(peer_int(&f->b, "pings", f->b_a), 2);
	free(ack);
	free(data);
	/* nothing waits now: an empty bundle */
	assert_int_equal(sync_bundle_export(&f->a.c, f->a_b, &data, &n, &count, &e), 0);
	assert_int_equal(count, 0);
	free(data);
	/* a bundle from an instance B does not know */
	char c_b[UUID_LEN];
	peer_add(&f->c, "tinh", &f->b, SYNC_PARENT, NULL, c_b);
	assert_int_equal(sync_bundle_export(&f->c.c, c_b, &data, &n, &count, &e), 0);
	err_clear(&e);
	assert_int_equal(sync_bundle_import(&f->b.c, data, n, &res, from, &e), -1);
	assert_int_equal(e.msg, MSG_SYNC_R_UNKNOWN_PEER);
	free(data);
}

/* ---- peers ---- */

static void test_peers(void **state)
{
	struct fed *f = *state;
	struct err e = { 0 };
	char id[UUID_LEN];
	/* bad input, each refused */
	const char *bodies[] = {
		"{\"name\":\"X Y\",\"public_key\":\"%s\",\"relation\":\"parent\"}",
		"{\"name\":\"ok\",\"public_key\":\"zz\",\"relation\":\"parent\"}",
		"{\"name\":\"ok\",\"public_key\":\"%s\",\"relation\":\"sibling\"}",
		"{\"name\":\"ok\",\"public_key\":\"%s\",\"relation\":\"parent\",\"url\":\"ftp://x\"}",
		"{\"name\":\"ok\",\"public_key\":\"%s\",\"relation\":\"parent\",\"orgs\":[\"a b\"]}",
		"{\"name\":\"ok\",\"public_key\":\"%s\",\"relation\":\"parent\",\"extra\":1}",
	};
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		char text[400];
		snprintf(text, sizeof(text), bodies[i], f->c.pk);
		json_t *b = json_loads(text, 0, NULL);
		assert_non_null(b);
		err_clear(&e);
		assert_int_equal(sync_peer_add(&f->a.c, b, id, &e), -1);
		json_decref(b);
	}
	/* its own key, an existing name, an existing key */
	json_t *b = json_pack("{s:s, s:s, s:s}", "name", "self", "public_key", f->a.pk, "relation",
			      "child");
	assert_int_equal(sync_peer_add(&f->a.c, b, id, &e), -1);
	json_decref(b);
	b = json_pack("{s:s, s:s, s:s}", "name", "tinh", "public_key", f->c.pk, "relation", "child");
	assert_int_equal(sync_peer_add(&f->a.c, b, id, &e), -1);
	assert_int_equal(e.code, E_CONFLICT);
	json_decref(b);
	b = json_pack("{s:s, s:s, s:s}", "name", "other", "public_key", f->b.pk, "relation", "child");
	assert_int_equal(sync_peer_add(&f->a.c, b, id, &e), -1);
	assert_int_equal(e.code, E_CONFLICT);
	json_decref(b);
	assert_int_equal(tdb_count(f->a.t.db, "sync_peers"), 1);
	/* a person who is no administrator */
	struct actor nobody = f->a.sys;
	nobody.system = 0;
	nobody.roles = ROLE_COORDINATOR;
	struct ctx c2 = f->a.c;
	c2.actor = &nobody;
	assert_null(sync_peer_list(&c2, &e));
	assert_int_equal(e.code, E_FORBIDDEN);
	/* list, the org lookup, remove */
	json_t *l = sync_peer_list(&f->a.c, &e);
	assert_int_equal(json_array_size(json_object_get(l, "items")), 1);
	json_decref(l);
	/* the organisation lookup: a commune below us running its own instance */
	char a_c[UUID_LEN];
	peer_add(&f->a, "xa", &f->c, SYNC_CHILD, "xa", a_c);
	t_org(&f->a.c, "xa", "commune", "huyen", 0);
	struct org o;
	struct sync_peer p;
	assert_int_equal(org_by_code(&f->a.c, "xa", &o, &e), 0);
	assert_int_equal(sync_peer_for_org(&f->a.c, o.id, &p, &e), 0);
	assert_string_equal(p.id, a_c);
	assert_int_equal(org_by_code(&f->a.c, "huyen", &o, &e), 0);
	assert_int_equal(sync_peer_for_org(&f->a.c, o.id, &p, &e), 1);
	assert_int_equal(sync_peer_remove(&f->a.c, "xa", &e), 0);
	/* the map */
	char local[UUID_LEN], peer[UUID_LEN], remote[UUID_LEN];
	assert_int_equal(store_begin(f->a.t.db, &e), 0);
	assert_int_equal(sync_map_put(&f->a.c, f->a_b, "incident", "r-1", "l-1", &e), 0);
	assert_int_equal(store_commit(f->a.t.db, &e), 0);
	assert_int_equal(sync_map_get(&f->a.c, f->a_b, "incident", "r-1", local, &e), 0);
	assert_string_equal(local, "l-1");
	assert_int_equal(sync_map_get(&f->a.c, f->a_b, "incident", "r-2", local, &e), 1);
	assert_int_equal(sync_map_origin(&f->a.c, "incident", "l-1", peer, remote, &e), 0);
	assert_string_equal(remote, "r-1");
	assert_int_equal(sync_map_origin(&f->a.c, "incident", "l-2", NULL, NULL, &e), 1);
	assert_int_equal(sync_peer_remove(&f->a.c, "tinh", &e), 0);
	assert_int_equal(tdb_count(f->a.t.db, "sync_peers"), 0);
	assert_int_equal(tdb_count(f->a.t.db, "sync_map"), 0);
	/* the audit log still holds */
	struct audit_result r;
	assert_int_equal(audit_verify(f->a.t.db, &r, &e), 0);
	assert_int_equal(r.problems, 0);
	audit_result_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test_setup_teardown(test_sign_seq_ack, fed_setup, fed_teardown),
		cmocka_unit_test_setup_teardown(test_inbox_rules, fed_setup, fed_teardown),
		cmocka_unit_test_setup_teardown(test_kind_rules, fed_setup, fed_teardown),
		cmocka_unit_test_setup_teardown(test_garbage_peer, fed_setup, fed_teardown),
		cmocka_unit_test_setup_teardown(test_bundles, fed_setup, fed_teardown),
		cmocka_unit_test_setup_teardown(test_peers, fed_setup, fed_teardown),
		cmocka_unit_test_setup_teardown(test_versions, fed_setup, fed_teardown),
		cmocka_unit_test_setup_teardown(test_versions_bounds, fed_setup, fed_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
