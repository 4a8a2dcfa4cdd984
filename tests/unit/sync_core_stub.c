/*
 * sync_core_stub.c - a stand-in for the federation's core (src/sync/sync.h)
 * so the kinds can be tested before h/sync-core lands. DELETE THIS FILE
 * (and its line in tests/unit/meson.build) when merging h/sync-core: the
 * test then runs against the real core.
 *
 * Per database (struct store *) the test declares its peers and which
 * organisation codes each hosts; sync_emit records {to, kind, payload,
 * via} in stub_sent instead of queuing, refusing to route back to `via`
 * as the core does; the map is a table of its own in that database.
 */
#include <string.h>

#include "sync_core_stub.h"
#include "base/msg.h"

json_t *stub_sent;

static struct stub_instance *instances[4];
static const struct sync_kind *kinds;
static size_t nkinds;

void stub_instance_add(struct stub_instance *in)
{
	for (size_t i = 0; i < 4; i++)
		if (instances[i] == NULL || instances[i] == in) {
			instances[i] = in;
			return;
		}
}

void stub_reset(void)
{
	memset(instances, 0, sizeof(instances));
	json_decref(stub_sent);
	stub_sent = json_array();
}

static struct stub_instance *of(struct ctx *c)
{
	for (size_t i = 0; i < 4; i++)
		if (instances[i] && instances[i]->db == c->db)
			return instances[i];
	return NULL;
}

int sync_instance_id(struct ctx *c, char out[SYNC_ID_LEN], struct err *e)
{
	(void)e;
	struct stub_instance *in = of(c);
	snprintf(out, SYNC_ID_LEN, "%s", in ? in->name : "?");
	return 0;
}

int sync_peer_for_org(struct ctx *c, const char *org_id, struct sync_peer *p, struct err *e)
{
	struct stub_instance *in = of(c);
	if (in == NULL)
		return 1;
	/* The organisation or its nearest ancestor named by a peer. */
	struct stmt *st = store_query(c->db, e, "SELECT a.code FROM orgs o JOIN orgs a ON "
				      "substr(o.path, 1, length(a.path)) = a.path WHERE o.id = $1 "
				      "ORDER BY length(a.path) DESC", "t", org_id);
	if (st == NULL)
		return -1;
	int rc, found = 0;
	while (!found && (rc = stmt_step(st, e)) == 1) {
		const char *code = stmt_text(st, 0);
		for (size_t i = 0; i < in->npeers && !found; i++)
			for (size_t k = 0; in->hosts[i][k] && !found; k++)
				if (strcmp(in->hosts[i][k], code) == 0) {
					*p = in->peers[i];
					found = 1;
				}
	}
	stmt_done(st);
	return found ? 0 : 1;
}

int sync_peer_get(struct ctx *c, const char *peer_id, struct sync_peer *p, struct err *e)
{
	struct stub_instance *in = of(c);
	for (size_t i = 0; in && i < in->npeers; i++)
		if (strcmp(in->peers[i].id, peer_id) == 0) {
			*p = in->peers[i];
			return 0;
		}
	return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
}

int sync_peers(struct ctx *c, int relation, struct sync_peer **out, size_t *n, struct err *e)
{
	(void)e;
	struct stub_instance *in = of(c);
	*out = calloc(4, sizeof(**out));
	*n = 0;
	for (size_t i = 0; in && i < in->npeers; i++)
		if (in->peers[i].relation == relation)
			(*out)[(*n)++] = in->peers[i];
	return 0;
}

int sync_emit(struct ctx *c, const struct sync_peer *to, const char *kind, json_t *payload,
	      const char *via, struct err *e)
{
	(void)e;
	if (via && strcmp(via, to->id) == 0)
		return 0;   /* never back where it came from */
	struct stub_instance *in = of(c);
	json_array_append_new(stub_sent, json_pack("{s:s, s:s, s:s, s:O, s:s?}", "from",
						   in ? in->name : "?", "to", to->id, "kind", kind,
						   "payload", payload, "via", via));
	return 0;
}

int sync_emit_org(struct ctx *c, const char *org_id, const char *kind, json_t *payload,
		  const char *via, struct err *e)
{
	struct sync_peer p;
	int r = sync_peer_for_org(c, org_id, &p, e);
	return r != 0 ? (r < 0 ? -1 : 0) : sync_emit(c, &p, kind, payload, via, e);
}

int sync_emit_all(struct ctx *c, int relation, const char *kind, json_t *payload,
		  const char *via, struct err *e)
{
	struct stub_instance *in = of(c);
	for (size_t i = 0; in && i < in->npeers; i++)
		if (in->peers[i].relation == relation &&
		    sync_emit(c, &in->peers[i], kind, payload, via, e) != 0)
			return -1;
	return 0;
}

void sync_register_kinds(const struct sync_kind *k, size_t n)
{
	kinds = k;
	nkinds = n;
}

const struct sync_kind *sync_kind_find(const char *name)
{
	for (size_t i = 0; i < nkinds; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

static int map_table(struct ctx *c, struct err *e)
{
	return store_run(c->db, e, "CREATE TABLE IF NOT EXISTS stub_sync_map (peer_id TEXT, "
			 "type TEXT, remote_id TEXT, local_id TEXT, PRIMARY KEY (peer_id, type, "
			 "remote_id))", "") < 0 ? -1 : 0;
}

int sync_map_put(struct ctx *c, const char *peer_id, const char *type, const char *remote_id,
		 const char *local_id, struct err *e)
{
	if (map_table(c, e) != 0)
		return -1;
	return store_run(c->db, e, "INSERT INTO stub_sync_map VALUES ($1,$2,$3,$4)", "tttt",
			 peer_id, type, remote_id, local_id) < 0 ? -1 : 0;
}

int sync_map_get(struct ctx *c, const char *peer_id, const char *type, const char *remote_id,
		 char local_id[UUID_LEN], struct err *e)
{
	if (map_table(c, e) != 0)
		return -1;
	struct stmt *st = store_query(c->db, e, "SELECT local_id FROM stub_sync_map WHERE "
				      "peer_id = $1 AND type = $2 AND remote_id = $3", "ttt",
				      peer_id, type, remote_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		snprintf(local_id, UUID_LEN, "%s", stmt_text(st, 0));
	stmt_done(st);
	return rc < 0 ? -1 : rc == 1 ? 0 : 1;
}

int sync_map_origin(struct ctx *c, const char *type, const char *local_id,
		    char peer_id[UUID_LEN], char remote_id[UUID_LEN], struct err *e)
{
	if (map_table(c, e) != 0)
		return -1;
	struct stmt *st = store_query(c->db, e, "SELECT peer_id, remote_id FROM stub_sync_map "
				      "WHERE type = $1 AND local_id = $2", "tt", type, local_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		if (peer_id)
			snprintf(peer_id, UUID_LEN, "%s", stmt_text(st, 0));
		if (remote_id)
			snprintf(remote_id, UUID_LEN, "%s", stmt_text(st, 1));
	}
	stmt_done(st);
	return rc < 0 ? -1 : rc == 1 ? 0 : 1;
}
