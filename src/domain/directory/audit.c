/* audit.c - hash-chained audit log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "../../base/crypto.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

static void put_field(struct sha256_ctx *h, const char *v)
{
	char len[32];
	if (v == NULL) {
		sha256_update(h, "-;", 2);
		return;
	}
	size_t n = strlen(v);
	int w = snprintf(len, sizeof(len), "%zu:", n);
	sha256_update(h, len, (size_t)w);
	sha256_update(h, v, n);
	sha256_update(h, ";", 1);
}

static void entry_hash(long long seq, long long at, const char *actor,
		       const char *action, const char *entity, const char *entity_id,
		       const char *before, const char *after, const char *prev,
		       char out[SHA256_HEX_LEN])
{
	char num[64];
	struct sha256_ctx *h = sha256_begin();
	snprintf(num, sizeof(num), "%lld|%lld|", seq, at);
	sha256_update(h, num, strlen(num));
	put_field(h, actor);
	put_field(h, action);
	put_field(h, entity);
	put_field(h, entity_id);
	put_field(h, before);
	put_field(h, after);
	put_field(h, prev);
	sha256_end(h, out);
}

int audit_append(struct ctx *c, const char *action, const char *entity,
		 const char *entity_id, const char *before, const char *after,
		 struct err *e)
{
	long long seq = 1;
	char prev[SHA256_HEX_LEN] = GENESIS, hash[SHA256_HEX_LEN];
	struct stmt *st = store_query(c->db, e,
		"SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", "");
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		seq = stmt_int(st, 0) + 1;
		snprintf(prev, sizeof(prev), "%s", stmt_text(st, 1));
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	const char *who = c->actor ? c->actor->username : "system";
	long long at = time_now_ms();
	entry_hash(seq, at, who, action, entity, entity_id, before, after, prev, hash);
	if (store_run(c->db, e, "INSERT INTO audit_log (seq, at, actor, action, entity, "
		      "entity_id, before, after, prev_hash, hash) VALUES "
		      "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", "iittttttt" "t",
		      (int64_t)seq, (int64_t)at, who, action, entity, entity_id, before,
		      after, prev, hash) < 0)
		return -1;
	if (store_run(c->db, e, "INSERT INTO meta (key, value) VALUES ('audit_head', $1) "
		      "ON CONFLICT (key) DO UPDATE SET value = excluded.value", "t",
		      hash) < 0)
		return -1;
	return 0;
}

int audit_append_json(struct ctx *c, const char *action, const char *entity,
		      const char *entity_id, const json_t *before,
		      const json_t *after, struct err *e)
{
	size_t flags = JSON_COMPACT | JSON_SORT_KEYS;
	char *b = before ? json_dumps(before, flags) : NULL;
	char *a = after ? json_dumps(after, flags) : NULL;
	int rc = audit_append(c, action, entity, entity_id, b, a, e);
	free(b);
	free(a);
	return rc;
}

int audit_verify(struct store *db, struct audit_result *r, struct err *e)
{
	char prev[SHA256_HEX_LEN] = GENESIS, hash[SHA256_HEX_LEN];
	long long expect = 1;
	memset(r, 0, sizeof(*r));
	struct stmt *st = store_query(db, e, "SELECT seq, at, actor, action, entity, "
		"entity_id, before, after, prev_hash, hash FROM audit_log ORDER BY seq", "");
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		long long seq = stmt_int(st, 0);
		r->entries++;
		if (r->first_bad)
			continue;
		if (seq != expect) {
			r->first_bad = expect;
			snprintf(r->why, sizeof(r->why), "entry %lld missing", expect);
			continue;
		}
		const char *stored_prev = stmt_text(st, 8), *stored = stmt_text(st, 9);
		entry_hash(seq, stmt_int(st, 1), stmt_text(st, 2), stmt_text(st, 3),
			   stmt_text(st, 4), stmt_text(st, 5), stmt_text(st, 6),
			   stmt_text(st, 7), stored_prev, hash);
		if (stored_prev == NULL || strcmp(stored_prev, prev) != 0) {
			r->first_bad = seq;
			snprintf(r->why, sizeof(r->why), "previous hash does not match");
		} else if (stored == NULL || strcmp(stored, hash) != 0) {
			r->first_bad = seq;
			snprintf(r->why, sizeof(r->why), "content altered");
		}
		snprintf(prev, sizeof(prev), "%s", stored ? stored : "");
		expect = seq + 1;
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (r->first_bad)
		return 0;
	/* The head anchors the chain's end: a removed newest entry shows here. */
	st = store_query(db, e, "SELECT value FROM meta WHERE key = 'audit_head'", "");
	if (st == NULL)
		return -1;
	rc = stmt_step(st, e);
	const char *head = rc == 1 ? stmt_text(st, 0) : NULL;
	if (r->entries > 0 && (head == NULL || strcmp(head, prev) != 0)) {
		r->first_bad = expect;
		snprintf(r->why, sizeof(r->why), "entry %lld (the newest) missing", expect);
	} else if (r->entries == 0 && head != NULL) {
		r->first_bad = 1;
		snprintf(r->why, sizeof(r->why), "all entries removed");
	}
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}
