/*
 * test_vuln_match.c - the matcher (domain/vuln/vuln.c, vuln_match) over
 * more hosts than one batch (MATCH_BATCH, 100): every host's findings are
 * exactly those its inventory and the feed imply (worked out here the long
 * way, not by the matcher), after a first rematch and after new
 * inventories close some and open others, and the audit log verifies with
 * no problem (each batch its own transaction and entry). On SQLite always;
 * on PostgreSQL too with UNGCUU_TEST_PG=postgres://user@host:port/ (as
 * `make check-pg` starts one), where the batches are read on a second
 * connection while the first writes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "base/crypto.h"
#include "domain/asset/asset.h"
#include "domain/directory/audit.h"
#include "domain/directory/org.h"
#include "domain/vuln/vuln.h"

#define HOSTS 250      /* three batches, the last one short */
#define NPKG 12        /* package names pkg0 .. pkg11 */
#define NADV 36        /* advisories ADV-0 .. ADV-35, three a package */

/* Host h has package p (when p % 4 != h % 4, so hosts differ) at version
 * 1.<(h + round) % 5>.0-1; advisory k names package k % NPKG, fixed in
 * 1.<k % 5>.0-1 (every version before is affected), except every ninth,
 * which is fixed in 1.0~rc1-1 and so affects no one. Packages 0 .. 5 name
 * themselves; 6 .. 11 are binaries whose dpkg source is "src<p % 3>":
 * advisory k with k % 7 == 0 names that source instead. */
static int has_pkg(int h, int p)
{
	return p % 4 != h % 4;
}

static const char *source_of(int p, char *buf, size_t n)
{
	if (p < 6)
		return "";
	snprintf(buf, n, "src%d", p % 3);
	return buf;
}

static void adv_target(int k, char *pkg, size_t n)
{
	int p = k % NPKG;
	if (p >= 6 && k % 7 == 0)
		snprintf(pkg, n, "src%d", p % 3);
	else
		snprintf(pkg, n, "pkg%d", p);
}

/* The open findings host h must have in round r, as "ADV-k pkgP 1.v.0-1
 * 1.f.0-1" lines, sorted: the oracle. */
static json_t *expected(int h, int round)
{
	json_t *out = json_array();
	int v = (h + round) % 5;
	for (int k = 0; k < NADV; k++) {
		if (k % 9 == 0)
			continue;
		char target[32], src[16], line[160];
		adv_target(k, target, sizeof(target));
		for (int p = 0; p < NPKG; p++) {
			char name[16];
			snprintf(name, sizeof(name), "pkg%d", p);
			const char *s = source_of(p, src, sizeof(src));
			if (!has_pkg(h, p) || (strcmp(target, name) != 0 && strcmp(target, s) != 0))
				continue;
			if (v < k % 5) {
				snprintf(line, sizeof(line), "ADV-%d %s 1.%d.0-1 1.%d.0-1", k, name, v, k % 5);
				json_array_append_new(out, json_string(line));
			}
		}
	}
	return out;
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The open findings of host h as stored, in the same form. */
static json_t *stored(struct store *db, const char *host_id)
{
	struct err e = { 0 };
	json_t *out = json_array();
	struct stmt *st = store_query(db, &e, "SELECT vuln_id, package, installed_version, "
				      "fixed_version FROM findings WHERE host_id = $1 AND status = "
				      "'open'", "t", host_id);
	assert_non_null(st);
	int rc;
	while ((rc = stmt_step(st, &e)) == 1) {
		char line[200];
		snprintf(line, sizeof(line), "%s %s %s %s", stmt_text(st, 0), stmt_text(st, 1),
			 stmt_text(st, 2), stmt_text(st, 3));
		json_array_append_new(out, json_string(line));
	}
	stmt_done(st);
	assert_int_equal(rc, 0);
	return out;
}

static void assert_same(json_t *want, json_t *got, int h)
{
	size_t n = json_array_size(want);
	const char **a = calloc(n + 1, sizeof(char *)), **b = calloc(json_array_size(got) + 1,
								      sizeof(char *));
	for (size_t i = 0; i < n; i++)
		a[i] = json_string_value(json_array_get(want, i));
	for (size_t i = 0; i < json_array_size(got); i++)
		b[i] = json_string_value(json_array_get(got, i));
	qsort(a, n, sizeof(char *), line_cmp);
	qsort(b, json_array_size(got), sizeof(char *), line_cmp);
	if (n != json_array_size(got))
		fail_msg("host %d: %zu findings, want %zu (first: %s / %s)", h, json_array_size(got),
			 n, b[0] ? b[0] : "-", a[0] ? a[0] : "-");
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i], b[i]) != 0)
			fail_msg("host %d: %s, want %s", h, b[i], a[i]);
	free(a);
	free(b);
}

static json_t *inventory(int h, int round)
{
	char name[16], ver[32], src[16], when[TIME_RFC3339_LEN];
	json_t *pkgs = json_array();
	snprintf(ver, sizeof(ver), "1.%d.0-1", (h + round) % 5);
	for (int p = 0; p < NPKG; p++) {
		if (!has_pkg(h, p))
			continue;
		snprintf(name, sizeof(name), "pkg%d", p);
		json_t *pk = json_pack("{s:s, s:s, s:s, s:s}", "ecosystem", "dpkg", "name", name,
				       "version", ver, "arch", "amd64");
		const char *s = source_of(p, src, sizeof(src));
		if (s[0])
			json_object_set_new(pk, "source", json_string(s));
		json_array_append_new(pkgs, pk);
	}
	snprintf(name, sizeof(name), "h%03d", h);
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:o}", "schema", "ungcuu-inventory/1",
			 "hostname", name, "collected_at",
			 time_format_utc(time_now_ms() - 60000 + round, when), "os", "family",
			 "linux", "id", "debian", "version_id", "12", "packages", pkgs);
}

/* The fleet and the feed, through the domain functions (audited). */
static void fleet(struct store *db, char ids[HOSTS][UUID_LEN], int round)
{
	struct err e = { 0 };
	struct actor sys;
	actor_system(&sys);
	struct rules rules;
	rules_default(&rules);
	struct ctx c = { .db = db, .rules = &rules, .actor = &sys };
	struct org o;
	if (round == 0) {
		t_org(&c, "vncert", "national", NULL, 1);
		t_org(&c, "pq", "district", "vncert", 0);
		for (int k = 0; k < NADV; k++) {
			char id[16], pkg[32], fixed[16];
			snprintf(id, sizeof(id), "ADV-%d", k);
			adv_target(k, pkg, sizeof(pkg));
			snprintf(fixed, sizeof(fixed), k % 9 == 0 ? "1.0~rc1-1" : "1.%d.0-1", k % 5);
			assert_int_equal(store_run(db, &e, "INSERT INTO vulns (id, summary, cvss, sources, "
						   "updated_at) VALUES ($1, 'test', 7.5, 'osv', 0)", "t",
						   id), 1);
			assert_int_equal(store_run(db, &e, "INSERT INTO vuln_affected (vuln_id, source, "
						   "ecosystem, package, introduced, fixed) VALUES ($1, "
						   "'osv', 'Debian:12', $2, '0', $3)", "ttt", id, pkg,
						   fixed), 1);
		}
	}
	assert_int_equal(org_by_code(&c, "pq", &o, &e), 0);
	for (int h = 0; h < HOSTS; h++) {
		int created = 0;
		char name[16];
		snprintf(name, sizeof(name), "h%03d", h);
		json_t *inv = inventory(h, round);
		assert_int_equal(store_begin(db, &e), 0);
		if (host_find_or_create(&c, o.id, name, NULL, ids[h], &created, &e) != 0 ||
		    host_store_inventory(&c, ids[h], inv, "agent", &e) != 0 ||
		    audit_append(&c, "host.inventory", "host", ids[h], NULL, NULL, &e) != 0 ||
		    store_commit(db, &e) != 0)
			fail_msg("host %d: %d %s", h, (int)e.code, e.arg);
		json_decref(inv);
	}
}

static void check_all(struct store *db, char ids[HOSTS][UUID_LEN], int round)
{
	for (int h = 0; h < HOSTS; h++) {
		json_t *want = expected(h, round), *got = stored(db, ids[h]);
		assert_same(want, got, h);
		json_decref(want);
		json_decref(got);
	}
}

static long long open_count(int round)
{
	long long n = 0;
	for (int h = 0; h < HOSTS; h++) {
		json_t *w = expected(h, round);
		n += (long long)json_array_size(w);
		json_decref(w);
	}
	return n;
}

static void audit_clean(struct store *db)
{
	struct err e = { 0 };
	struct audit_result r = { 0 };
	assert_int_equal(audit_verify(db, &r, &e), 0);
	if (r.problems != 0 || r.first_bad != 0)
		fail_msg("audit: %lld problems, first bad %lld: %s", r.problems, r.first_bad, r.why);
	assert_true(r.rows > HOSTS);
	audit_result_release(&r);
}

static void rematch_twice(struct store *db)
{
	static char ids[HOSTS][UUID_LEN];
	struct err e = { 0 };
	struct actor sys;
	actor_system(&sys);
	struct rules rules;
	rules_default(&rules);
	struct ctx c = { .db = db, .rules = &rules, .actor = &sys };
	long long entries = tdb_count(db, "audit_log WHERE action = 'findings.match'");

	fleet(db, ids, 0);
	struct vuln_stats st = { 0 };
	if (vuln_match(&c, NULL, &st, &e) != 0)
		fail_msg("vuln_match: %d %s", (int)e.code, e.arg);
	assert_int_equal(st.hosts, HOSTS);
	assert_int_equal(st.opened, open_count(0));
	assert_int_equal(st.closed, 0);
	check_all(db, ids, 0);
	/* a transaction and an entry per batch of 100 hosts */
	assert_int_equal(tdb_count(db, "audit_log WHERE action = 'findings.match'"), entries + 3);
	audit_clean(db);

	/* New inventories: every host one version on; matched again, the
	 * findings fixed since close, the new ones open, the rest stay. */
	fleet(db, ids, 1);
	struct vuln_stats st2 = { 0 };
	if (vuln_match(&c, NULL, &st2, &e) != 0)
		fail_msg("vuln_match: %d %s", (int)e.code, e.arg);
	assert_int_equal(st2.hosts, HOSTS);
	check_all(db, ids, 1);
	assert_int_equal(tdb_count(db, "findings WHERE status = 'open'"), open_count(1));
	assert_true(st2.closed > 0);
	assert_true(st2.opened > 0);
	assert_int_equal(st2.opened + st2.kept, open_count(1));
	assert_int_equal(tdb_count(db, "findings WHERE status = 'fixed'"), st2.closed);
	audit_clean(db);

	/* Nothing changed: a third run changes no finding. */
	struct vuln_stats st3 = { 0 };
	assert_int_equal(vuln_match(&c, NULL, &st3, &e), 0);
	assert_int_equal(st3.opened + st3.closed, 0);
	assert_int_equal(st3.kept, open_count(1));
	check_all(db, ids, 1);
	audit_clean(db);
}

static void test_sqlite(void **state)
{
	(void)state;
	struct tdb t;
	tdb_new(&t);
	rematch_twice(t.db);
	tdb_free(&t);
}

static void test_postgresql(void **state)
{
	(void)state;
	const char *base = getenv("UNGCUU_TEST_PG");
	if (base == NULL || *base == '\0') {
		print_message("vuln_match: UNGCUU_TEST_PG not set, PostgreSQL left out\n");
		return;
	}
	struct err e = { 0 };
	char url[600];
	struct store *a = tpg_create("ut_match", url, sizeof(url));
	struct store *db = store_open(url, &e);
	assert_non_null(db);
	assert_true(store_migrate(db, &e) > 0);
	rematch_twice(db);
	store_close(db);
	tpg_drop(a, url);
}

int main(void)
{
	char pk[65], sk[129], state[64];
	if (crypto_init() != 0 || ed25519_keypair_hex(pk, sk) != 0)
		return 1;
	audit_setup(sk);
	/* PostgreSQL's checkpoint files go to $UNGCUU_STATE_DIR */
	snprintf(state, sizeof(state), "/tmp/ungcuu-unit-XXXXXX");
	if (mkdtemp(state) == NULL)
		return 1;
	setenv("UNGCUU_STATE_DIR", state, 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite),
		cmocka_unit_test(test_postgresql),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", state);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
