/* testlib.c - temporary databases, the test world and incident helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "testlib.h"
#include "base/crypto.h"
#include "base/msg.h"
#include "domain/incident/incident.h"
#include "domain/directory/org.h"
#include "domain/directory/user.h"

struct world W;

static void fail_err(const char *what, const struct err *e)
{
	char text[256];
	print_error("%s failed: code %d, %s (field %s)\n", what, e->code,
		    err_text(e, LANG_EN, text, sizeof(text)),
		    e->nfields ? e->fields[0].pointer : "-");
	fail();
}

static void tdb_mkdir(struct tdb *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/ungcuu-unit-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/test.db", t->dir);
}

/* Tests need no power-cut safety: without fsync a test runs many times faster. */
static void tdb_fast(struct tdb *t)
{
	struct err e = { 0 };
	if (store_exec(t->db, "PRAGMA synchronous=OFF", &e) != 0)
		fail_err("PRAGMA synchronous", &e);
}

void tdb_new(struct tdb *t)
{
	struct err e = { 0 };
	assert_int_equal(crypto_init(), 0);
	tdb_mkdir(t);
	t->db = store_open(t->path, &e);
	if (t->db == NULL)
		fail_err("store_open", &e);
	tdb_fast(t);
	if (store_migrate(t->db, &e) < 0)
		fail_err("store_migrate", &e);
}

void tdb_clone(struct tdb *t, const char *src)
{
	struct err e = { 0 };
	char buf[65536];
	tdb_mkdir(t);
	int in = open(src, O_RDONLY), out = open(t->path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(in >= 0 && out >= 0);
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	close(out);
	t->db = store_open(t->path, &e);
	if (t->db == NULL)
		fail_err("store_open", &e);
	tdb_fast(t);
}

struct store *tpg_create(const char *name, char *url, size_t n)
{
	const char *base = getenv("UNGCUU_TEST_PG");
	struct err e = { 0 };
	char admin[512], sql[200];
	assert_non_null(base);
	snprintf(admin, sizeof(admin), "%spostgres", base);
	snprintf(url, n, "%s%s_%ld", base, name, (long)getpid());
	struct store *a = store_open(admin, &e);
	if (a == NULL)
		fail_msg("UNGCUU_TEST_PG is set but unreachable: %s", e.arg);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s_%ld WITH (FORCE)", name,
		 (long)getpid());
	assert_int_equal(store_exec(a, sql, &e), 0);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s_%ld", name, (long)getpid());
	assert_int_equal(store_exec(a, sql, &e), 0);
	return a;
}

void tpg_drop(struct store *admin, const char *url)
{
	struct err e = { 0 };
	char sql[200];
	const char *name = strrchr(url, '/');
	assert_non_null(name);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name + 1);
	assert_int_equal(store_exec(admin, sql, &e), 0);
	store_close(admin);
}

void tdb_free(struct tdb *t)
{
	if (t->db) {
		store_close(t->db);
		t->db = NULL;
	}
	if (t->dir[0] == '\0')
		return;
	DIR *d = opendir(t->dir);
	if (d) {
		struct dirent *de;
		char p[512];
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", t->dir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(t->dir);
	t->dir[0] = '\0';
}

long long tdb_int(struct store *db, const char *sql)
{
	struct err e = { 0 };
	struct stmt *st = store_query(db, &e, sql, "");
	if (st == NULL)
		fail_err(sql, &e);
	int rc = stmt_step(st, &e);
	long long v = rc == 1 ? (long long)stmt_int(st, 0) : -1;
	stmt_done(st);
	if (rc < 0)
		fail_err(sql, &e);
	return v;
}

long long tdb_count(struct store *db, const char *from_where)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", from_where);
	return tdb_int(db, sql);
}

char *tdb_text(struct store *db, const char *sql, char *out, size_t n)
{
	struct err e = { 0 };
	struct stmt *st = store_query(db, &e, sql, "");
	if (st == NULL)
		fail_err(sql, &e);
	int rc = stmt_step(st, &e);
	const char *v = rc == 1 ? stmt_text(st, 0) : NULL;
	snprintf(out, n, "%s", v ? v : "");
	stmt_done(st);
	if (rc < 0)
		fail_err(sql, &e);
	return out;
}

struct ctx t_ctx(struct store *db, const struct actor *a)
{
	struct ctx c = { .db = db, .rules = &W.rules, .actor = a, .lang = LANG_EN };
	return c;
}

void t_actor(struct store *db, const char *username, struct actor *a)
{
	struct err e = { 0 };
	struct stmt *st = store_query(db, &e, "SELECT u.id, u.roles, u.org_id, o.path, "
		"u.full_name FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.username = $1",
		"t", username);
	if (st == NULL)
		fail_err("load actor", &e);
	int rc = stmt_step(st, &e);
	assert_int_equal(rc, 1);
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", stmt_text(st, 0));
	snprintf(a->username, sizeof(a->username), "%s", username);
	a->roles = (unsigned)roles_parse(stmt_text(st, 1));
	snprintf(a->org_id, sizeof(a->org_id), "%s", stmt_text(st, 2));
	snprintf(a->org_path, sizeof(a->org_path), "%s", stmt_text(st, 3));
	snprintf(a->full_name, sizeof(a->full_name), "%s", stmt_text(st, 4));
	stmt_done(st);
}

void t_org(struct ctx *sys, const char *code, const char *kind, const char *parent,
	   int response_team)
{
	struct err e = { 0 };
	struct org_new n = { .code = code, .name = code, .kind = kind,
			     .parent_code = parent, .response_team = response_team };
	if (org_add(sys, &n, NULL, &e) != 0)
		fail_err("org_add", &e);
}

void t_user(struct ctx *sys, const char *username, const char *org, unsigned roles)
{
	struct err e = { 0 };
	struct user_new n = { .username = username, .password = WORLD_PASSWORD,
			      .org_code = org, .full_name = username, .roles = roles };
	if (user_add(sys, &n, NULL, &e) != 0)
		fail_err("user_add", &e);
}

static const char *const role_users[R__COUNT] = {
	"d-reporter", "d-focal", "d-coordinator", "d-responder", "d-leader", "d-admin"
};

int world_build(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	rules_default(&W.rules);
	actor_system(&W.sys);
	tdb_new(&W.tmpl);
	struct ctx sys = t_ctx(W.tmpl.db, &W.sys);
	t_org(&sys, "vncert", "national", NULL, 1);
	t_org(&sys, "tinh", "province", "vncert", 1);
	t_org(&sys, "pq", "district", "tinh", 0);
	t_org(&sys, "xa-a", "commune", "pq", 0);
	t_org(&sys, "xa-b", "commune", "pq", 0);
	for (int i = 0; i < R__COUNT; i++) {
		t_user(&sys, role_users[i], "pq", 1u << i);
		t_actor(W.tmpl.db, role_users[i], &W.role[i]);
	}
	t_user(&sys, "cr", "pq", ROLE_COORDINATOR | ROLE_RESPONDER);
	t_user(&sys, "rep-a", "xa-a", ROLE_REPORTER | ROLE_FOCAL);
	t_user(&sys, "coord-b", "xa-b", ROLE_COORDINATOR);
	t_user(&sys, "rep-b", "xa-b", ROLE_REPORTER);
	t_actor(W.tmpl.db, "cr", &W.cr);
	t_actor(W.tmpl.db, "rep-a", &W.rep_a);
	t_actor(W.tmpl.db, "coord-b", &W.coord_b);
	t_actor(W.tmpl.db, "rep-b", &W.rep_b);
	/* Closing checkpoints the WAL into the file the tests copy. */
	store_close(W.tmpl.db);
	W.tmpl.db = NULL;
	return 0;
}

int world_destroy(void **state)
{
	(void)state;
	tdb_free(&W.tmpl);
	time_set_fake_now(0);
	return 0;
}

int world_open(void **state)
{
	struct tdb *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	tdb_clone(t, W.tmpl.path);
	*state = t;
	return 0;
}

int world_close(void **state)
{
	struct tdb *t = *state;
	tdb_free(t);
	free(t);
	*state = NULL;
	time_set_fake_now(0);
	return 0;
}

/* ---- incidents ---- */

static const char *const state_names[] = {
	"received", "acknowledged", "verified", "rejected", "classified",
	"containing", "eradicating", "recovering", "reviewing", "closed",
};

const char *t_state_code(int state)
{
	assert_in_range(state, 0, 9);
	return state_names[state];
}

json_t *t_report_body(void)
{
	char at[TIME_RFC3339_LEN];
	time_format_utc(time_now_ms() - 3600 * 1000, at);
	return json_pack("{s:s, s:s, s:s, s:s}", "title", "Trang web bị thay đổi giao diện",
			 "description", "Trang chủ hiện nội dung lạ từ 8 giờ sáng.",
			 "detected_at", at, "type", "defacement");
}

long long t_create(struct ctx *c, json_t *extra, char id[UUID_LEN])
{
	struct err e = { 0 };
	json_t *body = t_report_body();
	if (extra)
		json_object_update(body, extra);
	json_t *inc = incident_create(c, body, &e);
	json_decref(body);
	if (inc == NULL)
		fail_err("incident_create", &e);
	snprintf(id, UUID_LEN, "%s", json_string_value(json_object_get(inc, "id")));
	long long v = json_integer_value(json_object_get(inc, "version"));
	json_decref(inc);
	return v;
}

json_t *t_needs(const char *to)
{
	if (strcmp(to, "rejected") == 0 || strcmp(to, "received") == 0)
		return json_pack("{s:s}", "reason", "Không phải sự cố");
	if (strcmp(to, "classified") == 0)
		return json_pack("{s:s}", "severity", "medium");
	if (strcmp(to, "closed") == 0)
		return json_pack("{s:{s:s}}", "closing_report", "summary", "Đã khắc phục");
	if (strcmp(to, "containing") == 0)
		return json_pack("{s:s}", "reason", "Tái diễn");
	return NULL;
}

int t_move(struct ctx *c, const char *id, long long *version, const char *to,
	   json_t *extra)
{
	struct err e = { 0 };
	json_t *body = json_pack("{s:s}", "to", to);
	if (extra) {
		json_object_update(body, extra);
		json_decref(extra);
	}
	json_t *r = incident_transition(c, id, *version, body, &e);
	json_decref(body);
	if (r == NULL) {
		assert_int_not_equal(e.code, E_OK);
		return e.code;
	}
	assert_int_equal(e.code, E_OK);
	*version = json_integer_value(json_object_get(r, "version"));
	json_decref(r);
	return E_OK;
}

long long t_walk_to(struct store *db, int state, char id[UUID_LEN])
{
	static const int straight[] = { ST_ACKNOWLEDGED, ST_VERIFIED, ST_CLASSIFIED,
		ST_CONTAINING, ST_ERADICATING, ST_RECOVERING, ST_REVIEWING, ST_CLOSED, -1 };
	struct ctx rep = t_ctx(db, &W.rep_a), cr = t_ctx(db, &W.cr);
	long long v = t_create(&rep, NULL, id);
	if (state == ST_RECEIVED)
		return v;
	if (state == ST_REJECTED) {
		assert_int_equal(t_move(&cr, id, &v, "acknowledged", NULL), E_OK);
		assert_int_equal(t_move(&cr, id, &v, "rejected", t_needs("rejected")), E_OK);
		return v;
	}
	for (int i = 0; straight[i] >= 0; i++) {
		const char *to = t_state_code(straight[i]);
		int rc = t_move(&cr, id, &v, to, t_needs(to));
		if (rc != E_OK)
			print_error("walk to %s failed with %d\n", to, rc);
		assert_int_equal(rc, E_OK);
		if (straight[i] == state)
			return v;
	}
	fail_msg("state %d not reachable", state);
	return -1;
}

void t_status(struct store *db, const char *id, char status[32], long long *version)
{
	struct err e = { 0 };
	struct stmt *st = store_query(db, &e, "SELECT status, version FROM incidents "
				      "WHERE id = $1", "t", id);
	if (st == NULL)
		fail_err("t_status", &e);
	assert_int_equal(stmt_step(st, &e), 1);
	snprintf(status, 32, "%s", stmt_text(st, 0));
	*version = stmt_int(st, 1);
	stmt_done(st);
}

char *t_slurp(const char *dir, const char *rel, size_t *n)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *d = malloc((size_t)len + 1);
	assert_non_null(d);
	assert_int_equal(fread(d, 1, (size_t)len, f), (size_t)len);
	d[len] = '\0';
	fclose(f);
	*n = (size_t)len;
	return d;
}
