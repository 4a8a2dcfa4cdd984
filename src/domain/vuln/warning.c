/* warning.c - authority warnings and the compliance view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warning.h"
#include "../page.h"
#include "../ioc/hunt.h"
#include "../directory/audit.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "../../base/buf.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

#define DAY_MS (86400LL * 1000)

static const char *const severities[] = { "low", "medium", "high", "critical", NULL };

static const struct jv_field warning_fields[] = {
	{ "title", JV_STRING, 1, 0, LIMIT_SHORT_TEXT, NULL, NULL },
	{ "body", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL },
	{ "source", JV_STRING, 0, 0, 300, NULL, NULL },
	{ "reference", JV_STRING, 0, 0, 200, NULL, NULL },
	{ "cves", JV_STRINGS, 0, 0, 100, NULL, NULL },
	{ "products", JV_STRINGS, 0, 0, 100, NULL, NULL },
	{ "severity", JV_ENUM, 1, 0, 0, severities, NULL },
	{ "deadline", JV_TIME, 1, 0, 0, NULL, NULL },
	{ "target_org_codes", JV_STRINGS, 1, 0, 200, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

json_t *warning_create(struct ctx *c, json_t *body, struct err *e)
{
	char id[UUID_LEN];
	int64_t deadline, now = time_now_ms();
	if (jv_validate(body, warning_fields, "", e) != 0)
		return NULL;
	if (policy_check(c->actor, ACT_WARNING_ISSUE, NULL, e) != 0)
		return NULL;
	json_t *targets = json_object_get(body, "target_org_codes");
	if (json_array_size(targets) == 0)
		return err_field(e, "/target_org_codes", MSG_EMPTY, NULL), NULL;
	struct org issuer, *orgs = calloc(json_array_size(targets), sizeof(*orgs));
	if (orgs == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	size_t i;
	json_t *v, *out = NULL;
	json_array_foreach(targets, i, v) {
		char ptr[48];
		snprintf(ptr, sizeof(ptr), "/target_org_codes/%zu", i);
		struct err probe = { 0 };
		if (org_by_code(c, json_string_value(v), &orgs[i], &probe) != 0 ||
		    !policy_in_scope(c->actor, orgs[i].path))
			err_field(e, ptr, MSG_ORG_OUT_OF_SCOPE, json_string_value(v));
	}
	if (e->code)
		goto out;
	time_parse(jv_str(body, "deadline"), &deadline);
	if (c->actor->system) {
		/* The instance itself has no organisation: the warning is filed
		 * under its first target. */
		if (org_by_code(c, json_string_value(json_array_get(targets, 0)), &issuer, e) != 0)
			goto out;
	} else if (org_by_id(c, c->actor->org_id, &issuer, e) != 0) {
		goto out;
	}
	json_t *cves = json_object_get(body, "cves"), *products = json_object_get(body, "products");
	/* absent lists are stored as "[]" (a json_array() made here would leak) */
	char *cv = cves ? json_dumps(cves, JSON_COMPACT) : NULL;
	char *pr = products ? json_dumps(products, JSON_COMPACT) : NULL;
	const char *src = jv_str(body, "source"), *ref = jv_str(body, "reference"),
		   *text = jv_str(body, "body");
	int rc = store_begin(c->db, e);
	if (rc == 0)
		rc = store_run(c->db, e, "INSERT INTO warnings (id, org_id, source, reference, title, "
			       "body, cves, products, severity, deadline, version, created_by, "
			       "created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,1,$11,$12)",
			       "ttttttttti" "ti", uuid7(id), issuer.id, src ? src : "",
			       ref ? ref : "", jv_str(body, "title"), text ? text : "",
			       cv ? cv : "[]", pr ? pr : "[]", jv_str(body, "severity"), deadline,
			       c->actor->system ? NULL : c->actor->id, now) < 0 ? -1 : 0;
	for (i = 0; rc == 0 && i < json_array_size(targets); i++)
		rc = store_run(c->db, e, "INSERT INTO warning_targets (warning_id, org_id) VALUES "
			       "($1, $2) ON CONFLICT (warning_id, org_id) DO NOTHING", "tt", id,
			       orgs[i].id) < 0 ? -1 : 0;
	free(cv);
	free(pr);
	if (rc == 0)
		out = warning_get(c, id, e);
	if (out == NULL || domain_record_hook(c, "warning", id, out, e) != 0 ||
	    audit_append_json(c, "warning.create", "warning", id, NULL, body, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(out);
		out = NULL;
	}
out:
	free(orgs);
	return out;
}

/* A warning taken back stops its clock (issue 16, h/fed-kinds). */
#define NOT_WITHDRAWN "NOT EXISTS (SELECT 1 FROM warning_withdrawals ww WHERE " \
	"ww.warning_id = w.id)"

/* Visible: issued from the actor's subtree, or aimed at it. */
#define WARNING_VISIBLE "(substr(io.path, 1, length($1)) = $1 OR EXISTS (SELECT 1 FROM " \
	"warning_targets t JOIN orgs o ON o.id = t.org_id WHERE t.warning_id = w.id AND " \
	"substr(o.path, 1, length($1)) = $1))"

/* The targets of w the actor may count: all of them on the issuer's side,
 * else only those in or above the actor's organisation. */
#define MINE "JOIN orgs tg ON tg.id = t.org_id WHERE t.warning_id = w.id AND " \
	"(substr(io.path, 1, length($1)) = $1 OR substr(tg.path, 1, length($1)) = $1 OR " \
	"substr($1, 1, length(tg.path)) = tg.path)"

static json_t *warning_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:{s:s, s:s}, "
		"s:{s:I, s:I, s:I, s:I}, s:o}", "id", stmt_text(st, 0),
		"title", stmt_text(st, 1), "source", stmt_text(st, 2),
		"reference", stmt_text(st, 3), "severity", stmt_text(st, 4),
		"deadline", ms_json(stmt_int(st, 5)), "created_at", ms_json(stmt_int(st, 6)),
		"issuer", "code", stmt_text(st, 7), "name", stmt_text(st, 8),
		"targets", "total", (json_int_t)stmt_int(st, 9),
		"acknowledged", (json_int_t)stmt_int(st, 10),
		"fixed", (json_int_t)stmt_int(st, 11), "late", (json_int_t)stmt_int(st, 12),
		"withdrawn_at", ms_json(stmt_isnull(st, 13) ? 0 : stmt_int(st, 13)));
}

static const struct page_key warning_keys[] = {
	{ "created", "w.created_at", 'i', 1 },
	{ "deadline", "COALESCE(w.deadline, 253402300799999)", 'i', 0 },
	{ NULL, NULL, 0, 0 },
};

json_t *warning_list(struct ctx *c, const char *q, const char *severity,
		     const struct page_ask *pa, struct err *e)
{
	static const char *const sevs[] = { "low", "medium", "high", "critical", NULL };
	int64_t now = time_now_ms();
	struct page p;
	if (policy_check(c->actor, ACT_ASSET_READ, NULL, e) != 0 ||
	    page_begin(warning_keys, pa->sort, pa->order, pa->cursor, pa->limit, &p, e) != 0)
		return NULL;
	if (q && strlen(q) > LIMIT_SHORT_TEXT)
		return err_field(e, "/q", MSG_TOO_LONG, "300"), NULL;
	if (severity && jv_enum_index(sevs, severity) < 0)
		return err_field(e, "/severity", MSG_BAD_VALUE, "low, medium, high, critical"), NULL;
	struct buf sql;
	buf_init(&sql, 16384);
	buf_adds(&sql, "SELECT w.id, w.title, w.source, w.reference, "
		"w.severity, w.deadline, w.created_at, io.code, io.name, "
		"(SELECT COUNT(*) FROM warning_targets t " MINE "), "
		"(SELECT COUNT(*) FROM warning_targets t " MINE " AND t.acknowledged_at IS NOT NULL), "
		"(SELECT COUNT(*) FROM warning_targets t " MINE " AND t.fixed_at IS NOT NULL), "
		"(SELECT COUNT(*) FROM warning_targets t " MINE " AND t.fixed_at IS NULL AND "
		"w.deadline < $2 AND " NOT_WITHDRAWN "), "
		"(SELECT ww.withdrawn_at FROM warning_withdrawals ww WHERE ww.warning_id = w.id)");
	page_column(&p, &sql);
	buf_adds(&sql, "FROM warnings w JOIN orgs io ON io.id = w.org_id WHERE " WARNING_VISIBLE
		" AND ($3 IS NULL OR instr(lower(w.title), lower($3)) > 0 OR "
		"instr(lower(w.reference), lower($3)) > 0 OR instr(w.cves, upper($3)) > 0) "
		"AND ($4 IS NULL OR w.severity = $4)");
	page_sql(&p, "w.id", 5, &sql);
	struct stmt *st = sql.p ? store_query(c->db, e, sql.p, "titttt",
		c->actor->system ? "/" : c->actor->org_path, now, q, severity,
		page_bind_key(&p), page_bind_id(&p)) : NULL;
	if (sql.p == NULL)
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	json_t *out = st ? page_items(&p, st, 14, 0, warning_row, e) : NULL;
	buf_release(&sql);
	return out;
}

/* Adds what makes host `id` affected to hosts[id].items. */
static void affect(json_t *hosts, const char *id, const char *hostname, const char *what)
{
	json_t *h = json_object_get(hosts, id);
	if (h == NULL) {
		h = json_pack("{s:s, s:s, s:[]}", "id", id, "hostname", hostname, "items");
		json_object_set_new(hosts, id, h);
	}
	json_t *items = json_object_get(h, "items");
	if (!json_has_string(items, what))
		json_array_append_new(items, json_string(what));
}

/* The hosts under org_path affected by the warning's CVEs (open findings,
 * by id or alias) or products (installed packages). */
static json_t *affected_hosts(struct ctx *c, const char *org_path, json_t *cves,
			      json_t *products, struct err *e)
{
	json_t *hosts = json_object();
	struct stmt *st = store_query(c->db, e, "SELECT h.id, h.hostname, f.vuln_id, v.aliases "
		"FROM findings f JOIN hosts h ON h.id = f.host_id JOIN orgs o ON o.id = h.org_id "
		"JOIN vulns v ON v.id = f.vuln_id WHERE f.status = 'open' AND "
		"substr(o.path, 1, length($1)) = $1", "t", org_path);
	int rc = st ? 0 : -1;
	while (st && (rc = stmt_step(st, e)) == 1) {
		const char *vid = stmt_text(st, 2);
		json_t *aliases = json_loads(stmt_text(st, 3), 0, NULL);
		size_t i;
		json_t *cve;
		json_array_foreach(cves, i, cve) {
			const char *want = json_string_value(cve);
			if (strcmp(want, vid) == 0 || json_has_string(aliases, want))
				affect(hosts, stmt_text(st, 0), stmt_text(st, 1), want);
		}
		json_decref(aliases);
	}
	stmt_done(st);
	if (rc >= 0 && json_array_size(products)) {
		st = store_query(c->db, e, "SELECT h.id, h.hostname, p.name, p.version FROM "
			"host_packages p JOIN hosts h ON h.id = p.host_id JOIN orgs o ON o.id = "
			"h.org_id WHERE substr(o.path, 1, length($1)) = $1", "t", org_path);
		rc = st ? 0 : -1;
		while (st && (rc = stmt_step(st, e)) == 1) {
			if (json_has_string(products, stmt_text(st, 2))) {
				char what[300];
				snprintf(what, sizeof(what), "%s %s", stmt_text(st, 2), stmt_text(st, 3));
				affect(hosts, stmt_text(st, 0), stmt_text(st, 1), what);
			}
		}
		stmt_done(st);
	}
	json_t *list = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(hosts, k, v)
		json_array_append(list, v);
	json_decref(hosts);
	if (rc < 0) {
		json_decref(list);
		return NULL;
	}
	return list;
}

json_t *warning_get(struct ctx *c, const char *id, struct err *e)
{
	int64_t now = time_now_ms();
	if (!uuid_valid(id))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	struct stmt *st = store_query(c->db, e, "SELECT w.id, w.title, w.body, w.source, "
		"w.reference, w.cves, w.products, w.severity, w.deadline, w.created_at, io.code, "
		"io.name, w.version, io.path FROM warnings w JOIN orgs io ON io.id = w.org_id WHERE w.id = $2 "
		"AND " WARNING_VISIBLE, "tt", c->actor->system ? "/" : c->actor->org_path, id);
	if (st == NULL)
		return NULL;
	json_t *w = NULL;
	int64_t deadline = 0;
	int issuer_side = 0;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		issuer_side = policy_in_scope(c->actor, stmt_text(st, 13));
		json_t *cves = json_loads(stmt_text(st, 5), 0, NULL);
		json_t *products = json_loads(stmt_text(st, 6), 0, NULL);
		deadline = stmt_int(st, 8);
		w = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o, s:{s:s, s:s}, s:I}",
			"id", stmt_text(st, 0), "title", stmt_text(st, 1), "body", stmt_text(st, 2),
			"source", stmt_text(st, 3), "reference", stmt_text(st, 4),
			"cves", cves ? cves : json_array(), "products", products ? products : json_array(),
			"severity", stmt_text(st, 7), "deadline", ms_json(deadline),
			"created_at", ms_json(stmt_int(st, 9)), "issuer", "code", stmt_text(st, 10),
			"name", stmt_text(st, 11), "version", (json_int_t)stmt_int(st, 12));
	} else if (rc == 0) {
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	}
	stmt_done(st);
	if (w == NULL)
		return NULL;
	/* Taken back: when, why, by whom (here, or the instance above). */
	int withdrawn = 0;
	st = store_query(c->db, e, "SELECT ww.withdrawn_at, ww.reason, ww.source, u.full_name "
		"FROM warning_withdrawals ww LEFT JOIN users u ON u.id = ww.withdrawn_by WHERE "
		"ww.warning_id = $1", "t", id);
	rc = st ? stmt_step(st, e) : -1;
	if (rc == 1) {
		withdrawn = 1;
		json_object_set_new(w, "withdrawn", json_pack("{s:o, s:s, s:s, s:s?}", "at",
			ms_json(stmt_int(st, 0)), "reason", stmt_text(st, 1), "source",
			stmt_text(st, 2), "by", stmt_isnull(st, 3) ? NULL : stmt_text(st, 3)));
	} else {
		json_object_set_new(w, "withdrawn", json_null());
	}
	stmt_done(st);
	if (rc < 0) {
		json_decref(w);
		return NULL;
	}
	json_object_set_new(w, "from_peer", json_null());
	st = store_query(c->db, e, "SELECT p.name FROM sync_map m JOIN sync_peers p ON "
		"p.id = m.peer_id WHERE m.type = 'warning' AND m.local_id = $1", "t", id);
	rc = st ? stmt_step(st, e) : -1;
	if (rc == 1)
		json_object_set_new(w, "from_peer", json_string(stmt_text(st, 0)));
	stmt_done(st);
	if (rc < 0) {
		json_decref(w);
		return NULL;
	}
	/* Targets: the issuer's side sees them all; a target sees its own. */
	st = store_query(c->db, e, "SELECT o.id, o.code, o.name, o.kind, o.path, t.acknowledged_at, "
		"t.fixed_at, t.note FROM warning_targets t JOIN orgs o ON o.id = t.org_id WHERE "
		"t.warning_id = $1 ORDER BY o.path", "t", id);
	json_t *targets = json_array();
	while (st && (rc = stmt_step(st, e)) == 1) {
		const char *path = stmt_text(st, 4);
		if (!issuer_side && !policy_in_scope(c->actor, path) &&
		    strncmp(c->actor->org_path, path, strlen(path)) != 0)
			continue;
		int64_t fixed = stmt_isnull(st, 6) ? 0 : stmt_int(st, 6);
		json_array_append_new(targets, json_pack("{s:{s:s, s:s, s:s, s:s, s:s}, s:o, s:o, s:s, "
			"s:b}", "org", "id", stmt_text(st, 0), "code", stmt_text(st, 1),
			"name", stmt_text(st, 2), "kind", stmt_text(st, 3), "path", path,
			"acknowledged_at", ms_json(stmt_isnull(st, 5) ? 0 : stmt_int(st, 5)),
			"fixed_at", ms_json(fixed), "note", stmt_text(st, 7),
			"late", fixed == 0 && deadline < now && !withdrawn));
	}
	stmt_done(st);
	size_t i;
	json_t *t;
	json_array_foreach(targets, i, t) {
		/* The affected hosts the reader may see: of a target in its scope,
		 * all of them; of a target above it (a commune reading a warning
		 * to its district), only its own, never its siblings'. */
		json_t *org = json_object_get(t, "org");
		const char *path = json_string_value(json_object_get(org, "path"));
		const char *under = policy_in_scope(c->actor, path) ? path
				    : strncmp(c->actor->org_path, path, strlen(path)) == 0
				    ? c->actor->org_path : NULL;
		json_t *hosts = under ? affected_hosts(c, under, json_object_get(w, "cves"),
						       json_object_get(w, "products"), e)
				      : json_array();
		json_object_set_new(t, "affected_hosts", hosts ? hosts : json_array());
		json_object_del(org, "path");
	}
	json_object_set_new(w, "targets", targets);
	return w;
}

static const struct jv_field answer_fields[] = {
	{ "note", JV_STRING, 0, 0, 2000, NULL, NULL },
	{ "org_code", JV_STRING, 0, 0, 64, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

json_t *warning_answer(struct ctx *c, const char *id, const char *what, json_t *body,
		       struct err *e)
{
	struct org o;
	int64_t now = time_now_ms();
	if (jv_validate(body, answer_fields, "", e) != 0)
		return NULL;
	json_t *w = warning_get(c, id, e);
	if (w == NULL)
		return NULL;
	json_decref(w);
	const char *code = jv_str(body, "org_code");
	if (code ? org_by_code(c, code, &o, e) : org_by_id(c, c->actor->org_id, &o, e)) {
		err_clear(e);
		return err_field(e, "/org_code", MSG_UNKNOWN_ORG, code), NULL;
	}
	struct policy_target pt = { .org_path = o.path };
	if (policy_check(c->actor, ACT_WARNING_ANSWER, &pt, e) != 0 || store_begin(c->db, e) != 0)
		return NULL;
	const char *note = jv_str(body, "note");
	int fixed = strcmp(what, "fixed") == 0;
	int n = store_run(c->db, e, "UPDATE warning_targets SET acknowledged_at = COALESCE("
		"acknowledged_at, $1), acknowledged_by = COALESCE(acknowledged_by, $2), fixed_at = "
		"CASE WHEN $3 = 1 THEN $1 ELSE fixed_at END, fixed_by = CASE WHEN $3 = 1 THEN $2 "
		"ELSE fixed_by END, note = CASE WHEN $4 = '' THEN note ELSE $4 END WHERE "
		"warning_id = $5 AND org_id = $6", "itit" "tt", now,
		c->actor->system ? NULL : c->actor->id, (int64_t)fixed, note ? note : "", id, o.id);
	if (n <= 0) {
		store_rollback(c->db);
		if (n == 0)
			err_set(e, E_CONFLICT, MSG_BAD_VALUE, o.code);
		return NULL;
	}
	char action[48];
	snprintf(action, sizeof(action), "warning.%s", what);
	if (audit_append(c, action, "warning", id, NULL, o.code, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		return NULL;
	}
	return warning_get(c, id, e);
}

static const struct jv_field withdraw_fields[] = {
	{ "reason", JV_STRING, 1, 1, LIMIT_WITHDRAW_REASON, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

json_t *warning_withdraw(struct ctx *c, const char *id, json_t *body, struct err *e)
{
	if (jv_validate(body, withdraw_fields, "", e) != 0)
		return NULL;
	json_t *w = warning_get(c, id, e);
	if (w == NULL)
		return NULL;
	/* The issuer's side only: the issuing organisation in the actor's scope. */
	const char *code = json_string_value(json_object_get(json_object_get(w, "issuer"), "code"));
	struct org issuer;
	if (org_by_code(c, code, &issuer, e) != 0) {
		json_decref(w);
		return NULL;
	}
	struct policy_target pt = { .org_path = issuer.path };
	int rc = policy_check(c->actor, ACT_WARNING_WITHDRAW, &pt, e);
	if (rc != 0 && e->code == E_NOTFOUND) {
		/* A target reads it: refused, not hidden. */
		err_clear(e);
		rc = err_set(e, E_FORBIDDEN, MSG_FORBIDDEN, NULL);
	}
	if (rc == 0 && json_is_string(json_object_get(w, "from_peer")))
		rc = err_set(e, E_CONFLICT, MSG_WARNING_FROM_PEER,
			     json_string_value(json_object_get(w, "from_peer")));
	if (rc == 0 && !json_is_null(json_object_get(w, "withdrawn")))
		rc = err_set(e, E_CONFLICT, MSG_WARNING_WITHDRAWN, json_string_value(
			json_object_get(json_object_get(w, "withdrawn"), "reason")));
	json_decref(w);
	if (rc != 0 || store_begin(c->db, e) != 0)
		return NULL;
	int64_t now = time_now_ms();
	const char *reason = jv_str(body, "reason");
	json_t *out = NULL;
	/* The primary key makes a second withdrawal racing this one fail. */
	if (store_run(c->db, e, "INSERT INTO warning_withdrawals (warning_id, reason, source, "
		      "withdrawn_by, withdrawn_at) VALUES ($1,$2,'',$3,$4)", "ttti", id, reason,
		      c->actor->system ? NULL : c->actor->id, now) < 0 ||
	    store_run(c->db, e, "UPDATE warnings SET version = version + 1 WHERE id = $1", "t",
		      id) != 1 ||
	    (out = warning_get(c, id, e)) == NULL ||
	    domain_record_hook(c, "warning.withdraw", id, out, e) != 0 ||
	    audit_append_json(c, "warning.withdraw", "warning", id, NULL, body, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(out);
		return NULL;
	}
	return out;
}

/* ---- compliance ---- */

json_t *compliance_list(struct ctx *c, struct err *e)
{
	int64_t now = time_now_ms(), month = now - 30 * DAY_MS;
	if (policy_check(c->actor, ACT_ASSET_READ, NULL, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT o.id, o.code, o.name, o.kind, "
		"(SELECT COUNT(*) FROM hosts h WHERE h.org_id = o.id), "
		"(SELECT COUNT(*) FROM hosts h WHERE h.org_id = o.id AND h.agent_key IS NOT NULL "
		"AND h.last_seen_at >= $2), "
		"(SELECT MAX(s.scanned_at) FROM scans s WHERE s.org_id = o.id), "
		"(SELECT COUNT(*) FROM findings f JOIN hosts h ON h.id = f.host_id WHERE "
		"h.org_id = o.id AND f.status = 'open' AND f.severity = 'critical'), "
		"(SELECT COUNT(*) FROM findings f JOIN hosts h ON h.id = f.host_id WHERE "
		"h.org_id = o.id AND f.status = 'open' AND f.severity = 'high'), "
		"(SELECT COUNT(*) FROM findings f JOIN hosts h ON h.id = f.host_id WHERE "
		"h.org_id = o.id AND f.status = 'open' AND f.severity = 'medium'), "
		"(SELECT COUNT(*) FROM findings f JOIN hosts h ON h.id = f.host_id WHERE "
		"h.org_id = o.id AND f.status = 'open' AND (f.severity = 'low' OR f.severity IS NULL)), "
		"(SELECT COUNT(*) FROM findings f JOIN hosts h ON h.id = f.host_id WHERE "
		"h.org_id = o.id AND f.status = 'open' AND f.due_at < $3), "
		"(SELECT COUNT(*) FROM warning_targets t JOIN warnings w ON w.id = t.warning_id "
		"WHERE t.org_id = o.id AND t.fixed_at IS NULL AND w.deadline < $3 AND "
		NOT_WITHDRAWN "), "
		"(SELECT MAX(r.ran_at) FROM hunt_runs r WHERE r.org_id = o.id) "
		"FROM orgs o WHERE substr(o.path, 1, length($1)) = $1 ORDER BY o.path", "tii",
		c->actor->system ? "/" : c->actor->org_path, month, now);
	if (st == NULL)
		return NULL;
	json_t *items = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		int64_t last_scan = stmt_isnull(st, 6) ? 0 : stmt_int(st, 6);
		int64_t due = last_scan ? last_scan + SCAN_PERIOD_DAYS * DAY_MS : 0;
		int64_t last_hunt = stmt_isnull(st, 13) ? 0 : stmt_int(st, 13);
		int64_t hunt_due = last_hunt ? last_hunt + HUNT_PERIOD_DAYS * DAY_MS : 0;
		json_array_append_new(items, json_pack("{s:{s:s, s:s, s:s, s:s}, s:I, s:I, s:o, s:o, "
			"s:b, s:{s:I, s:I, s:I, s:I}, s:I, s:I, s:o, s:o, s:b}", "org", "id", stmt_text(st, 0),
			"code", stmt_text(st, 1), "name", stmt_text(st, 2), "kind", stmt_text(st, 3),
			"hosts", (json_int_t)stmt_int(st, 4), "hosts_reporting", (json_int_t)stmt_int(st, 5),
			"last_scan_at", ms_json(last_scan), "scan_due_at", ms_json(due),
			"scan_overdue", stmt_int(st, 4) > 0 && (last_scan == 0 || due < now),
			"open_findings", "critical", (json_int_t)stmt_int(st, 7),
			"high", (json_int_t)stmt_int(st, 8), "medium", (json_int_t)stmt_int(st, 9),
			"low", (json_int_t)stmt_int(st, 10), "overdue_findings", (json_int_t)stmt_int(st, 11),
			"overdue_warnings", (json_int_t)stmt_int(st, 12),
			"last_hunt_at", ms_json(last_hunt), "hunt_due_at", ms_json(hunt_due),
			"hunt_overdue", stmt_int(st, 4) > 0 && (last_hunt == 0 || hunt_due < now)));
	}
	stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	return json_pack("{s:o, s:i, s:i}", "items", items, "scan_period_days", SCAN_PERIOD_DAYS,
			 "hunt_period_days", HUNT_PERIOD_DAYS);
}


char *compliance_csv(struct ctx *c, struct err *e)
{
	json_t *j = compliance_list(c, e);
	if (j == NULL)
		return NULL;
	struct buf b;
	int full = 0;
	buf_init(&b, 16 * 1024 * 1024);
	buf_adds(&b, "org_code,org_name,hosts,hosts_reporting_30d,last_scan_at,scan_overdue,"
		 "critical,high,medium,low,overdue_findings,overdue_warnings,last_hunt_at,hunt_overdue\r\n");
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(j, "items"), i, row) {
		json_t *org = json_object_get(row, "org"), *f = json_object_get(row, "open_findings");
		char num[10][24];
		const char *keys[] = { "critical", "high", "medium", "low" };
		snprintf(num[0], 24, "%lld", (long long)json_integer_value(json_object_get(row, "hosts")));
		snprintf(num[1], 24, "%lld", (long long)json_integer_value(json_object_get(row, "hosts_reporting")));
		for (int k = 0; k < 4; k++)
			snprintf(num[2 + k], 24, "%lld", (long long)json_integer_value(json_object_get(f, keys[k])));
		snprintf(num[6], 24, "%lld", (long long)json_integer_value(json_object_get(row, "overdue_findings")));
		snprintf(num[7], 24, "%lld", (long long)json_integer_value(json_object_get(row, "overdue_warnings")));
		const char *scan = json_string_value(json_object_get(row, "last_scan_at"));
		const char *hunt = json_string_value(json_object_get(row, "last_hunt_at"));
		const char *cells[] = {
			json_string_value(json_object_get(org, "code")),
			json_string_value(json_object_get(org, "name")), num[0], num[1], scan,
			json_is_true(json_object_get(row, "scan_overdue")) ? "yes" : "no",
			num[2], num[3], num[4], num[5], num[6], num[7], hunt,
			json_is_true(json_object_get(row, "hunt_overdue")) ? "yes" : "no",
		};
		for (size_t k = 0; k < sizeof(cells) / sizeof(cells[0]); k++)
			full |= buf_add_csv(&b, cells[k], k == 0);
		full |= buf_add(&b, "\r\n", 2);
	}
	json_decref(j);
	if (full || b.p == NULL) {
		buf_release(&b);
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	}
	return b.p;
}
