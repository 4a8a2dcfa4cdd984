/* test_sync_net.c - the federation transport (h/sync-net): the bytes a
 * request's signature covers, and a round that cannot reach its peer
 * (no URL, another scheme, nobody listening) failing with E_IO, nothing
 * acknowledged and the error kept for sync status. The exchange itself
 * runs between real servers in tests/api/sync.test.mjs and
 * tests/sync/federation.sh. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "base/crypto.h"
#include "base/msg.h"
#include "domain/directory/audit.h"
#include "sync/sync.h"

static void test_request_message(void **state)
{
	(void)state;
	char out[512], digest[SHA256_HEX_LEN], want[512];
	const char *body = "{\"after\":0}";
	sha256_hex(body, strlen(body), digest);
	assert_int_equal(sync_request_message(out, sizeof(out), "POST", "/api/v1/sync/pull",
					      1765080000000LL, "aa", "bb", body, strlen(body)), 0);
	snprintf(want, sizeof(want), "ungcuu-sync-1\nPOST\n/api/v1/sync/pull\n1765080000000\naa\nbb\n%s",
		 digest);
	assert_string_equal(out, want);
	/* an empty body is the SHA-256 of nothing */
	assert_int_equal(sync_request_message(out, sizeof(out), "POST", "/p", 1, "a", "b", NULL, 0), 0);
	assert_non_null(strstr(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	/* every field changes the bytes: the route, the time, either instance, the body */
	char base[512], other[512];
	sync_request_message(base, sizeof(base), "POST", "/api/v1/sync/ack", 5, "a", "b", "{}", 2);
	sync_request_message(other, sizeof(other), "POST", "/api/v1/sync/push", 5, "a", "b", "{}", 2);
	assert_string_not_equal(base, other);
	sync_request_message(other, sizeof(other), "POST", "/api/v1/sync/ack", 6, "a", "b", "{}", 2);
	assert_string_not_equal(base, other);
	sync_request_message(other, sizeof(other), "POST", "/api/v1/sync/ack", 5, "b", "a", "{}", 2);
	assert_string_not_equal(base, other);
	sync_request_message(other, sizeof(other), "POST", "/api/v1/sync/ack", 5, "a", "b", "[]", 2);
	assert_string_not_equal(base, other);
	/* too small a buffer: refused, never cut */
	assert_int_equal(sync_request_message(out, 40, "POST", "/api/v1/sync/pull", 1, "a", "b",
					      "{}", 2), -1);
}

struct inst {
	struct tdb t;
	struct actor sys;
	struct ctx c;
};

static void inst_new(struct inst *in)
{
	struct err e = { 0 };
	char pk[65], sk[129], path[256];
	memset(in, 0, sizeof(*in));
	assert_int_equal(crypto_init(), 0);
	audit_setup(NULL);
	snprintf(in->t.dir, sizeof(in->t.dir), "/tmp/ungcuu-unit-XXXXXX");
	assert_non_null(mkdtemp(in->t.dir));
	snprintf(in->t.path, sizeof(in->t.path), "%s/test.db", in->t.dir);
	assert_int_equal(ed25519_keypair_hex(pk, sk), 0);
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
	t_org(&in->c, "pq", "district", NULL, 1);
}

/* A parent peer (a fresh key) at url; its row id in id. */
static void parent_at(struct inst *in, const char *url, char id[UUID_LEN])
{
	struct err e = { 0 };
	char pk[65], sk[129];
	assert_int_equal(ed25519_keypair_hex(pk, sk), 0);
	json_t *b = json_pack("{s:s, s:s, s:s, s:[]}", "name", "tinh", "public_key", pk, "relation",
			      "parent", "orgs");
	if (url)
		json_object_set_new(b, "url", json_string(url));
	assert_int_equal(sync_peer_add(&in->c, b, id, &e), 0);
	json_decref(b);
}

static void test_round_unreachable(void **state)
{
	(void)state;
	struct inst in;
	struct err e = { 0 };
	char id[UUID_LEN];
	inst_new(&in);
	/* nobody listens on port 9 of loopback (discard: closed here) */
	parent_at(&in, "http://127.0.0.1:9", id);
	struct sync_peer p;
	assert_int_equal(sync_peer_get(&in.c, id, &p, &e), 0);
	json_t *ping = json_pack("{s:i}", "n", 1);
	assert_int_equal(store_begin(in.t.db, &e), 0);
	assert_int_equal(sync_emit(&in.c, &p, "ping", ping, NULL, &e), 0);
	assert_int_equal(store_commit(in.t.db, &e), 0);
	json_decref(ping);
	struct sync_net net = { .timeout_s = 5, .batch = 10 };
	struct sync_round_result r;
	assert_int_equal(sync_round(&in.c, &net, &p, &r, &e), -1);
	assert_int_equal(e.code, E_IO);
	assert_int_equal(r.pushed, 0);
	/* nothing acknowledged, the envelope waits, the error is kept */
	assert_int_equal(tdb_int(in.t.db, "SELECT out_acked FROM sync_peers"), 0);
	assert_int_equal(tdb_int(in.t.db, "SELECT out_seq FROM sync_peers"), 1);
	char err[256];
	tdb_text(in.t.db, "SELECT last_error FROM sync_peers", err, sizeof(err));
	assert_non_null(strstr(err, "tinh"));
	assert_true(tdb_int(in.t.db, "SELECT last_error_at FROM sync_peers") > 0);
	tdb_free(&in.t);
}

static void test_round_needs_a_url(void **state)
{
	(void)state;
	struct inst in;
	struct err e = { 0 };
	char id[UUID_LEN];
	inst_new(&in);
	parent_at(&in, NULL, id);
	struct sync_peer p;
	assert_int_equal(sync_peer_get(&in.c, id, &p, &e), 0);
	struct sync_net net = { .timeout_s = 5 };
	assert_int_equal(sync_round(&in.c, &net, &p, NULL, &e), -1);
	assert_int_equal(e.code, E_INVALID);
	/* a URL of another scheme is refused before any connection */
	snprintf(p.url, sizeof(p.url), "file:///etc/passwd");
	err_clear(&e);
	assert_int_equal(sync_round(&in.c, &net, &p, NULL, &e), -1);
	assert_int_equal(e.code, E_INVALID);
	tdb_free(&in.t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_message),
		cmocka_unit_test(test_round_unreachable),
		cmocka_unit_test(test_round_needs_a_url),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
