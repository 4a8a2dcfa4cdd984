/*
 * core_stub.c - TEMPORARY, h/sync-net only: a small stand-in for the core
 * of sync.h (peers, outbox, inbox, the "ping" kind) so that the transport,
 * the loop, the demo and the tests can run before h/sync-core is merged.
 * DELETED at the merge of h/sync-core (with `ungcuu peer` and the stub_*
 * tables it makes on first use; no migration). Not reviewed as product code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "sync.h"
#include "../base/crypto.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/uuid.h"
#include "../cli/cli.h"
#include "../store/store.h"
#include "../domain/directory/audit.h"
#include "../base/banned.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS stub_peers (id TEXT PRIMARY KEY, name TEXT UNIQUE, "
	"instance TEXT UNIQUE, public_key TEXT, url TEXT, relation INTEGER);"
	"CREATE TABLE IF NOT EXISTS stub_outbox (peer_id TEXT, seq INTEGER, id TEXT, kind TEXT, "
	"created TEXT, payload TEXT, PRIMARY KEY (peer_id, seq));"
	"CREATE TABLE IF NOT EXISTS stub_out_next (peer_id TEXT PRIMARY KEY, seq INTEGER);"
	"CREATE TABLE IF NOT EXISTS stub_out_acked (peer_id TEXT PRIMARY KEY, seq INTEGER);"
	"CREATE TABLE IF NOT EXISTS stub_inbox (peer_id TEXT PRIMARY KEY, applied INTEGER);"
	"CREATE TABLE IF NOT EXISTS stub_pings (origin TEXT, n INTEGER);";

static int ready(struct ctx *c, struct err *e)
{
	return store_exec(c->db, schema, e);
}

int sync_instance_id(struct ctx *c, char out[SYNC_ID_LEN], struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT value FROM meta WHERE key = 'instance_public_key'", "");
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		sha256_hex(stmt_text(st, 0), strlen(stmt_text(st, 0)), out);
	stmt_done(st);
	return rc == 1 ? 0 : err_set(e, E_DB, MSG_INTERNAL, "instance key");
}

static void row_peer(struct stmt *st, struct sync_peer *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", stmt_text(st, 0));
	snprintf(p->name, sizeof(p->name), "%s", stmt_text(st, 1));
	snprintf(p->instance, sizeof(p->instance), "%s", stmt_text(st, 2));
	snprintf(p->public_key, sizeof(p->public_key), "%s", stmt_text(st, 3));
	snprintf(p->url, sizeof(p->url), "%s", stmt_text(st, 4) ? stmt_text(st, 4) : "");
	p->relation = (int)stmt_int(st, 5);
}

int sync_peer_for_org(struct ctx *c, const char *org_id, struct sync_peer *p, struct err *e)
{
	(void)c, (void)org_id, (void)p, (void)e;
	return 1;
}

int sync_peer_get(struct ctx *c, const char *peer_id, struct sync_peer *p, struct err *e)
{
	if (ready(c, e))
		return -1;
	struct stmt *st = store_query(c->db, e, "SELECT id, name, instance, public_key, url, relation "
				      "FROM stub_peers WHERE id = $1", "t", peer_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		row_peer(st, p);
	stmt_done(st);
	return rc == 1 ? 0 : rc == 0 ? err_set(e, E_NOTFOUND, MSG_NOT_FOUND, peer_id) : -1;
}

int sync_peers(struct ctx *c, int relation, struct sync_peer **out, size_t *n, struct err *e)
{
	*out = NULL;
	*n = 0;
	if (ready(c, e))
		return -1;
	struct stmt *st = store_query(c->db, e, "SELECT id, name, instance, public_key, url, relation "
				      "FROM stub_peers WHERE relation = $1 ORDER BY name", "i",
				      (int64_t)relation);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		struct sync_peer *m = realloc(*out, (*n + 1) * sizeof(**out));
		if (m == NULL)
			break;
		*out = m;
		row_peer(st, &m[(*n)++]);
	}
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

int sync_emit(struct ctx *c, const struct sync_peer *to, const char *kind, json_t *payload,
	      const char *via, struct err *e)
{
	if (via && strcmp(via, to->id) == 0)
		return 0;
	char id[UUID_LEN], now[TIME_RFC3339_LEN];
	if (store_run(c->db, e, "INSERT INTO stub_out_next (peer_id, seq) VALUES ($1, 1) "
		      "ON CONFLICT (peer_id) DO UPDATE SET seq = seq + 1", "t", to->id) < 0)
		return -1;
	char *p = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
	int rc = store_run(c->db, e, "INSERT INTO stub_outbox (peer_id, seq, id, kind, created, payload) "
			   "SELECT $1, seq, $2, $3, $4, $5 FROM stub_out_next WHERE peer_id = $1",
			   "ttttt", to->id, uuid7(id), kind, time_format_utc(time_now_ms(), now), p);
	free(p);
	return rc < 0 ? -1 : 0;
}

int sync_emit_org(struct ctx *c, const char *org_id, const char *kind, json_t *payload,
		  const char *via, struct err *e)
{
	(void)c, (void)org_id, (void)kind, (void)payload, (void)via, (void)e;
	return 0;
}

int sync_emit_all(struct ctx *c, int relation, const char *kind, json_t *payload,
		  const char *via, struct err *e)
{
	struct sync_peer *all;
	size_t n;
	if (sync_peers(c, relation, &all, &n, e))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (sync_emit(c, &all[i], kind, payload, via, e)) {
			free(all);
			return -1;
		}
	free(all);
	return 0;
}

/* The key of this database, found through SQLite's own file name. */
static int own_key(struct ctx *c, char sk[129], struct err *e)
{
	struct stmt *st = store_query(c->db, e, "PRAGMA database_list", "");
	char path[4096] = "", kp[4096];
	if (st == NULL)
		return -1;
	if (stmt_step(st, e) == 1)
		snprintf(path, sizeof(path), "%s", stmt_text(st, 2));
	stmt_done(st);
	audit_key_path(path, kp, sizeof(kp));
	int fd = open(kp, O_RDONLY);
	if (fd < 0 || read(fd, sk, 128) != 128) {
		if (fd >= 0)
			close(fd);
		return err_set(e, E_IO, MSG_IO, kp);
	}
	close(fd);
	sk[128] = 0;
	return 0;
}

static char *canonical(json_t *env)
{
	json_t *copy = json_deep_copy(env);
	json_object_del(copy, "sig");
	char *t = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	return t;
}

json_t *sync_outbox_read(struct ctx *c, const char *peer_id, int64_t after, size_t max,
			 struct err *e)
{
	struct sync_peer p;
	char self[SYNC_ID_LEN], sk[129];
	if (sync_peer_get(c, peer_id, &p, e) || sync_instance_id(c, self, e) || own_key(c, sk, e))
		return NULL;
	struct stmt *st = store_query(c->db, e,
		"SELECT seq, id, kind, created, payload FROM stub_outbox WHERE peer_id = $1 AND seq > $2 "
		"AND seq > COALESCE((SELECT seq FROM stub_out_acked WHERE peer_id = $1), 0) "
		"ORDER BY seq LIMIT $3", "tii", peer_id, after, (int64_t)max);
	if (st == NULL)
		return NULL;
	json_t *arr = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		json_t *env = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:o}", "id", stmt_text(st, 1), "origin",
					self, "dest", p.instance, "seq", (json_int_t)stmt_int(st, 0),
					"kind", stmt_text(st, 2), "created", stmt_text(st, 3),
					"payload", json_loads(stmt_text(st, 4), 0, NULL));
		char *t = canonical(env), sig[129];
		ed25519_sign_hex(sk, t, strlen(t), sig);
		free(t);
		json_object_set_new(env, "sig", json_string(sig));
		json_array_append_new(arr, env);
	}
	stmt_done(st);
	if (rc < 0) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

int sync_outbox_ack(struct ctx *c, const char *peer_id, int64_t seq, struct err *e)
{
	if (ready(c, e))
		return -1;
	return store_run(c->db, e, "INSERT INTO stub_out_acked (peer_id, seq) VALUES ($1, $2) "
			 "ON CONFLICT (peer_id) DO UPDATE SET seq = MAX(seq, $2)", "ti", peer_id, seq) < 0
		       ? -1 : 0;
}

static int64_t applied(struct ctx *c, const char *peer_id)
{
	struct err e = { 0 };
	struct stmt *st = store_query(c->db, &e, "SELECT applied FROM stub_inbox WHERE peer_id = $1", "t", peer_id);
	int64_t v = 0;
	if (st && stmt_step(st, &e) == 1)
		v = stmt_int(st, 0);
	if (st)
		stmt_done(st);
	return v;
}

static void refuse(json_t *refused, json_t *env, const char *why)
{
	json_array_append_new(refused, json_pack("{s:O?,s:O?,s:s}", "id", json_object_get(env, "id"),
						 "seq", json_object_get(env, "seq"), "reason", why));
}

int sync_inbox_apply(struct ctx *c, const char *peer_id, json_t *envelopes, int64_t *acked,
		     json_t **refused, struct err *e)
{
	struct sync_peer p;
	char self[SYNC_ID_LEN];
	*refused = json_array();
	if (!json_is_array(envelopes))
		return err_set(e, E_INVALID, MSG_BAD_VALUE, "envelopes");
	if (sync_peer_get(c, peer_id, &p, e) || sync_instance_id(c, self, e))
		return -1;
	size_t i;
	json_t *env;
	json_array_foreach(envelopes, i, env) {
		const char *sig = json_string_value(json_object_get(env, "sig"));
		const char *kind = json_string_value(json_object_get(env, "kind"));
		int64_t seq = json_integer_value(json_object_get(env, "seq"));
		char *t = canonical(env);
		int ok = t && sig && ed25519_verify_hex(p.public_key, sig, t, strlen(t));
		free(t);
		if (!ok) { refuse(*refused, env, "signature"); continue; }
		if (strcmp(json_string_value(json_object_get(env, "dest")) ?: "", self) != 0 ||
		    strcmp(json_string_value(json_object_get(env, "origin")) ?: "", p.instance) != 0) {
			refuse(*refused, env, "destination"); continue;
		}
		const struct sync_kind *k = kind ? sync_kind_find(kind) : NULL;
		if (k == NULL || (k->from & p.relation) == 0) { refuse(*refused, env, "kind"); continue; }
		if (store_begin(c->db, e))
			return -1;
		int64_t cur = applied(c, peer_id);
		if (seq <= cur) { store_rollback(c->db); continue; }  /* replay */
		if (seq != cur + 1) { store_rollback(c->db); refuse(*refused, env, "gap"); break; }
		if (k->apply(c, &p, json_object_get(env, "payload"), e) ||
		    store_run(c->db, e, "INSERT INTO stub_inbox (peer_id, applied) VALUES ($1, $2) "
			      "ON CONFLICT (peer_id) DO UPDATE SET applied = $2", "ti", peer_id, seq) < 0 ||
		    store_commit(c->db, e)) {
			store_rollback(c->db);
			return -1;
		}
	}
	*acked = applied(c, peer_id);
	return 0;
}

static const struct sync_kind *kinds;
static size_t nkinds;

void sync_register_kinds(const struct sync_kind *k, size_t n)
{
	kinds = k;
	nkinds = n;
}

static int ping_apply(struct ctx *c, const struct sync_peer *from, json_t *payload, struct err *e)
{
	return store_run(c->db, e, "INSERT INTO stub_pings (origin, n) VALUES ($1, $2)", "ti",
			 from->instance, (int64_t)json_integer_value(json_object_get(payload, "n"))) < 0 ? -1 : 0;
}

static const struct sync_kind stub_kinds[] = { { "ping", SYNC_PARENT | SYNC_CHILD, ping_apply } };

const struct sync_kind *sync_kind_find(const char *name)
{
	if (kinds == NULL) {
		kinds = stub_kinds;
		nkinds = 1;
	}
	for (size_t i = 0; i < nkinds; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

int sync_map_put(struct ctx *c, const char *peer_id, const char *type, const char *remote_id,
		 const char *local_id, struct err *e)
{
	(void)c, (void)peer_id, (void)type, (void)remote_id, (void)local_id;
	return err_set(e, E_INTERNAL, MSG_INTERNAL, "stub");
}

int sync_map_get(struct ctx *c, const char *peer_id, const char *type, const char *remote_id,
		 char local_id[UUID_LEN], struct err *e)
{
	(void)c, (void)peer_id, (void)type, (void)remote_id, (void)local_id;
	return err_set(e, E_INTERNAL, MSG_INTERNAL, "stub");
}

int sync_map_origin(struct ctx *c, const char *type, const char *local_id,
		    char peer_id[UUID_LEN], char remote_id[UUID_LEN], struct err *e)
{
	(void)c, (void)type, (void)local_id, (void)peer_id, (void)remote_id, (void)e;
	return 1;
}

/* `ungcuu peer add|show` of the stub: DB, NAME, URL|-, KEY, parent|child. */
int cmd_peer(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "stub: ungcuu peer show DB | add DB NAME URL|- KEY parent|child\n");
		return 2;
	}
	audit_setup(NULL);
	struct store *db = cli_open_db(argv[2], 1);
	if (db == NULL)
		return 1;
	struct ctx c = { .db = db };
	struct err e = { 0 };
	char self[SYNC_ID_LEN], id[UUID_LEN];
	int rc = 0;
	if (strcmp(argv[1], "show") == 0) {
		struct stmt *st = store_query(db, &e, "SELECT value FROM meta WHERE key = 'instance_public_key'", "");
		if (st && stmt_step(st, &e) == 1)
			printf("%s\n", stmt_text(st, 0));
		if (st)
			stmt_done(st);
	} else if (strcmp(argv[1], "add") == 0 && argc == 7) {
		char inst[SHA256_HEX_LEN];
		sha256_hex(argv[5], strlen(argv[5]), inst);
		rc = ready(&c, &e) || sync_instance_id(&c, self, &e) ||
		     store_run(db, &e, "INSERT INTO stub_peers VALUES ($1, $2, $3, $4, $5, $6)", "ttttti",
			       uuid7(id), argv[3], inst, argv[5], strcmp(argv[4], "-") ? argv[4] : NULL,
			       (int64_t)(strcmp(argv[6], "parent") == 0 ? SYNC_PARENT : SYNC_CHILD)) < 0;
	} else {
		rc = 2;
	}
	if (rc == 1)
		cli_error(&e);
	store_close(db);
	return rc;
}
