/*
 * received.c - what came from the other instances, as one paged list
 * (issue 16, h/fed-ui; see received.h). One UNION over the places the
 * kinds keep what they applied, the reader's scope applied in SQL so that
 * a page is a page of what the reader may see; the few details a row of
 * sync_received holds in its payload (the indicator a sighting names, the
 * hunt a summary counts) are looked up for the rows of the page only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "received.h"
#include "sync.h"
#include "kinds.h"
#include "../base/buf.h"
#include "../base/jsonv.h"
#include "../base/limits.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../domain/directory/policy.h"
#include "../domain/directory/org.h"
#include "../base/banned.h"

/*
 * The rows, one shape for all sections:
 *   id, section, peer_id, at, state, title, org_id, incident_id,
 *   detail (JSON payload or NULL), t1, t2, n1, search
 * $2 the home organisation's id (what a payload names no organisation of
 * ours falls to), $3 now.
 */
#define RECEIVED_UNION \
	"SELECT r.id AS id, CASE r.kind WHEN 'hunt.summary' THEN 'hunt_summary' ELSE r.kind END " \
	"AS section, r.peer_id AS peer_id, r.received_at AS at, CASE WHEN r.withdrawn_at IS NULL " \
	"THEN 'received' ELSE 'withdrawn' END AS state, '' AS title, COALESCE((SELECT g.id FROM " \
	"orgs g WHERE instr(r.payload, '\"org_code\":\"' || g.code || '\"') > 0 OR " \
	"instr(r.payload, '\"org\":{\"code\":\"' || g.code || '\"') > 0 ORDER BY g.path LIMIT 1), " \
	"$2) AS org_id, r.incident_id AS incident_id, r.payload AS detail, '' AS t1, '' AS t2, " \
	"'' AS n1, r.payload AS search FROM sync_received r WHERE r.kind IN ('sighting', " \
	"'periodic', 'hunt.summary') " \
	"UNION ALL SELECT i.id, 'incident', m.peer_id, m.updated_at, i.status, i.title, i.org_id, " \
	"i.id, NULL, m.org_code, m.org_name, i.number, i.title FROM sync_mirrors m JOIN incidents i " \
	"ON i.id = m.incident_id " \
	"UNION ALL SELECT w.id, 'warning', m.peer_id, m.created_at, CASE WHEN EXISTS (SELECT 1 " \
	"FROM sync_received x WHERE x.peer_id = m.peer_id AND x.kind = 'warning.withdraw' AND " \
	"x.remote_id = m.remote_id) THEN 'withdrawn' ELSE 'active' END, w.title, w.org_id, NULL, " \
	"NULL, w.severity, w.reference, CAST(COALESCE(w.deadline, 0) AS TEXT), w.title FROM sync_map m JOIN " \
	"warnings w ON w.id = m.local_id WHERE m.type = 'warning' " \
	"UNION ALL SELECT i.id, 'indicator', m.peer_id, m.created_at, CASE WHEN i.to_ids = 0 OR " \
	"(i.valid_until IS NOT NULL AND i.valid_until <= $3) THEN 'revoked' ELSE 'active' END, " \
	"i.value, i.org_id, NULL, NULL, i.kind, i.tlp, '', i.value FROM sync_map m JOIN indicators i " \
	"ON i.id = m.local_id WHERE m.type = 'indicator'"

/* The reader's scope ($1 its path): see received.h. */
#define RECEIVED_SCOPE \
	"(substr(o.path, 1, length($1)) = $1 OR (x.section = 'warning' AND EXISTS (SELECT 1 " \
	"FROM warning_targets t JOIN orgs tg ON tg.id = t.org_id WHERE t.warning_id = x.id AND " \
	"substr(tg.path, 1, length($1)) = $1)) OR (x.section = 'indicator' AND x.t2 IN " \
	"('CLEAR', 'GREEN')))"

/* The filters ($4 section, $5 peer name, $6 text, $7 open|ended). */
#define RECEIVED_FILTER \
	" AND ($4 IS NULL OR x.section = $4) AND ($5 IS NULL OR p.name = $5) AND ($6 IS NULL OR " \
	"instr(lower(x.search), lower($6)) > 0) AND ($7 IS NULL OR ($7 = 'open') = (x.state NOT " \
	"IN ('withdrawn', 'revoked', 'closed', 'rejected')))"

static const struct page_key received_keys[] = {
	{ "at", "x.at", 'i', 1 },
	{ "section", "x.section", 't', 0 },
	{ NULL, NULL, 0, 0 },
};

static const char *const sections[] = { "sighting", "periodic", "hunt_summary", "incident",
					"warning", "indicator", NULL };

/* Columns of the page's SELECT: x.* (0..12 but search), p.name, p.relation,
 * o.code, o.name, then the sort key (16). */
static json_t *received_row(struct stmt *st)
{
	const char *section = stmt_text(st, 1);
	json_t *detail = NULL;
	if (!stmt_isnull(st, 8))
		detail = json_loads(stmt_text(st, 8), 0, NULL);
	json_t *j = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:o, s:s, s:s, s:{s:s, s:s}}",
		"id", stmt_text(st, 0), "section", section,
		"peer", "id", stmt_text(st, 2), "name", stmt_text(st, 12),
		"relation", stmt_int(st, 13) == SYNC_PARENT ? "parent" : "child",
		"at", ms_json(stmt_int(st, 3)), "state", stmt_text(st, 4), "title", stmt_text(st, 5),
		"org", "code", stmt_text(st, 14), "name", stmt_text(st, 15));
	if (j == NULL) {
		json_decref(detail);
		return NULL;
	}
	if (strcmp(section, "incident") == 0) {
		json_object_set_new(j, "incident", json_pack("{s:s, s:s}", "id", stmt_text(st, 7),
							    "number", stmt_text(st, 11)));
		json_object_set_new(j, "origin_org", json_pack("{s:s, s:s}", "code",
			stmt_text(st, 9), "name", stmt_text(st, 10)));
	} else if (strcmp(section, "warning") == 0) {
		json_object_set_new(j, "severity", json_string(stmt_text(st, 9)));
		json_object_set_new(j, "reference", json_string(stmt_text(st, 10)));
		json_object_set_new(j, "deadline", ms_json(strtoll(stmt_text(st, 11), NULL, 10)));
	} else if (strcmp(section, "indicator") == 0) {
		json_object_set_new(j, "kind", json_string(stmt_text(st, 9)));
		json_object_set_new(j, "tlp", json_string(stmt_text(st, 10)));
	}
	/* The payload's fields worth a line; the rest (Mẫu 05's cells) stays
	 * in the records it was made into. */
	static const char *const keep[] = { "indicator_id", "org_code", "source", "seen_at",
					    "form", "period", "year", "period_from", "period_to",
					    "sent_at", "member_code", "hunt_id", "runs", "files",
					    "errors", "hits", "last_ran_at", NULL };
	if (json_is_object(detail)) {
		json_t *d = json_object();
		for (size_t k = 0; keep[k]; k++) {
			json_t *v = json_object_get(detail, keep[k]);
			if (v && !json_is_object(v) && !json_is_array(v))
				json_object_set(d, keep[k], v);
		}
		json_t *org = json_object_get(detail, "org");
		if (json_is_object(org))
			json_object_set(d, "org", org);
		json_object_set_new(j, "detail", d);
	}
	json_decref(detail);
	return j;
}

/* The titles the payload only names by id: a sighting's indicator (ours:
 * the child names it by our id), a summary's hunt (ours too). */
static int fill_titles(struct ctx *c, json_t *items, struct err *e)
{
	size_t k;
	json_t *it;
	json_array_foreach(items, k, it) {
		const char *section = json_string_value(json_object_get(it, "section"));
		json_t *d = json_object_get(it, "detail");
		const char *sql = NULL, *id = NULL, *key = NULL;
		if (strcmp(section, "sighting") == 0) {
			sql = "SELECT value, kind FROM indicators WHERE id = $1";
			id = json_string_value(json_object_get(d, "indicator_id"));
			key = "indicator";
		} else if (strcmp(section, "hunt_summary") == 0) {
			sql = "SELECT title, status FROM hunts WHERE id = $1";
			id = json_string_value(json_object_get(d, "hunt_id"));
			key = "hunt";
		}
		if (sql == NULL || id == NULL || strlen(id) >= UUID_LEN)
			continue;
		struct stmt *st = store_query(c->db, e, sql, "t", id);
		if (st == NULL)
			return -1;
		int r = stmt_step(st, e);
		if (r == 1) {
			json_object_set_new(it, "title", json_string(stmt_text(st, 0)));
			json_object_set_new(it, key, json_pack("{s:s, s:s}", "id", id,
				strcmp(key, "hunt") == 0 ? "status" : "kind", stmt_text(st, 1)));
		}
		stmt_done(st);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int counts(struct ctx *c, const char *path, const char *home, int64_t now,
		  const struct sync_received_ask *q, json_t *out, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT x.section, COUNT(*) FROM (" RECEIVED_UNION
		") x JOIN sync_peers p ON p.id = x.peer_id JOIN orgs o ON o.id = x.org_id WHERE "
		RECEIVED_SCOPE RECEIVED_FILTER " GROUP BY x.section", "tti" "tttt", path, home, now,
		NULL, q->peer, q->q, q->state);
	if (st == NULL)
		return -1;
	for (size_t k = 0; sections[k]; k++)
		json_object_set_new(out, sections[k], json_integer(0));
	int r;
	while ((r = stmt_step(st, e)) == 1)
		json_object_set_new(out, stmt_text(st, 0), json_integer(stmt_int(st, 1)));
	stmt_done(st);
	return r < 0 ? -1 : 0;
}

/* The peers, for the page's filter: their names show on every item anyway. */
static json_t *peer_names(struct ctx *c, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT name, relation FROM sync_peers ORDER BY "
				      "name", "");
	if (st == NULL)
		return NULL;
	json_t *out = json_array();
	int r;
	while ((r = stmt_step(st, e)) == 1)
		json_array_append_new(out, json_pack("{s:s, s:s}", "name", stmt_text(st, 0),
			"relation", stmt_int(st, 1) == SYNC_PARENT ? "parent" : "child"));
	stmt_done(st);
	if (r < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *sync_received_list(struct ctx *c, const struct sync_received_ask *q,
			   const struct page_ask *pa, struct err *e)
{
	struct page p;
	struct org home;
	if (policy_check(c->actor, ACT_SYNC_RECEIVED_READ, NULL, e) != 0 ||
	    page_begin(received_keys, pa->sort, pa->order, pa->cursor, pa->limit, &p, e) != 0)
		return NULL;
	if (q->section && jv_enum_index(sections, q->section) < 0)
		return err_field(e, "/section", MSG_BAD_VALUE,
				 "sighting, periodic, hunt_summary, incident, warning, indicator"), NULL;
	if (q->peer && strlen(q->peer) > 64)
		return err_field(e, "/peer", MSG_TOO_LONG, "64"), NULL;
	if (q->q && strlen(q->q) > LIMIT_SHORT_TEXT)
		return err_field(e, "/q", MSG_TOO_LONG, "300"), NULL;
	if (q->state && strcmp(q->state, "open") != 0 && strcmp(q->state, "ended") != 0)
		return err_field(e, "/state", MSG_BAD_VALUE, "open, ended"), NULL;
	if (org_home(c, &home, e) != 0)
		return NULL;
	const char *path = c->actor->system ? "/" : c->actor->org_path;
	int64_t now = time_now_ms();
	struct buf sql;
	buf_init(&sql, 16384);
	buf_adds(&sql, "SELECT x.id, x.section, x.peer_id, x.at, x.state, x.title, x.org_id, "
		 "x.incident_id, x.detail, x.t1, x.t2, x.n1, p.name, p.relation, o.code, o.name");
	page_column(&p, &sql);
	buf_adds(&sql, "FROM (" RECEIVED_UNION ") x JOIN sync_peers p ON p.id = x.peer_id "
		 "JOIN orgs o ON o.id = x.org_id WHERE " RECEIVED_SCOPE RECEIVED_FILTER);
	page_sql(&p, "x.id", 8, &sql);
	if (sql.p == NULL) {
		buf_release(&sql);
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	}
	struct stmt *st = store_query(c->db, e, sql.p, "tti" "tttt" "tt", path, home.id, now,
				      q->section, q->peer, q->q, q->state, page_bind_key(&p),
				      page_bind_id(&p));
	json_t *out = st ? page_items(&p, st, 16, 0, received_row, e) : NULL;
	buf_release(&sql);
	json_t *cnt = json_object(), *peers = NULL;
	if (out == NULL || fill_titles(c, json_object_get(out, "items"), e) != 0 ||
	    counts(c, path, home.id, now, q, cnt, e) != 0 || (peers = peer_names(c, e)) == NULL) {
		json_decref(out);
		json_decref(cnt);
		return NULL;
	}
	json_object_set_new(out, "counts", cnt);
	json_object_set_new(out, "peers", peers);
	return out;
}
