/* alert.c - syslog alerts: grouping, listing, promotion, dismissal (see alert.h). */
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "../directory/audit.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "../incident/incident.h"
#include "../page.h"
#include "../../base/buf.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

_Atomic long long syslog_counters[SLC__COUNT];
_Atomic int syslog_running;
_Atomic long long syslog_indicators;

static const char *const alert_statuses[] = { "open", "promoting", "promoted", "dismissed", NULL };

#define ALERT_SELECT_COLS "SELECT a.id, a.source, a.host, a.kind, a.match_key, a.observed, " \
	"a.severity, a.sample, a.count, a.first_seen, a.last_seen, a.status, a.incident_id, " \
	"a.reason, a.decided_by, a.decided_at, a.version, a.created_at, a.updated_at, o.id, " \
	"o.code, o.name, o.path, i.number, o.kind"
#define ALERT_FROM " FROM alerts a JOIN orgs o ON o.id = a.org_id " \
	"LEFT JOIN incidents i ON i.id = a.incident_id "
#define ALERT_SELECT ALERT_SELECT_COLS ALERT_FROM
#define ALERT_PATH_COL 22

static json_t *opt_text(struct stmt *st, int col)
{
	return stmt_isnull(st, col) ? json_null() : json_string(stmt_text(st, col));
}

static json_t *alert_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:s, s:o, s:o, "
		"s:s, s:o, s:o, s:I, s:o, s:o, s:{s:s, s:s, s:s, s:s}}",
		"id", stmt_text(st, 0), "source", stmt_text(st, 1), "host", stmt_text(st, 2),
		"kind", stmt_text(st, 3), "match", stmt_text(st, 4), "observed", stmt_text(st, 5),
		"severity", stmt_text(st, 6), "sample", stmt_text(st, 7),
		"count", (json_int_t)stmt_int(st, 8), "first_seen", ms_json(stmt_int(st, 9)),
		"last_seen", ms_json(stmt_int(st, 10)), "status", stmt_text(st, 11),
		"incident_id", opt_text(st, 12), "incident_number", opt_text(st, 23),
		"reason", stmt_text(st, 13), "decided_by", opt_text(st, 14),
		"decided_at", stmt_isnull(st, 15) ? json_null() : ms_json(stmt_int(st, 15)),
		"version", (json_int_t)stmt_int(st, 16), "created_at", ms_json(stmt_int(st, 17)),
		"updated_at", ms_json(stmt_int(st, 18)),
		"org", "id", stmt_text(st, 19), "code", stmt_text(st, 20), "name", stmt_text(st, 21),
		"kind", stmt_text(st, 24));
}

/* Loads an alert the actor may act on (action), its organisation's path in path. */
static json_t *alert_load(struct ctx *c, const char *id, int action, char path[LIMIT_ORG_PATH],
			  struct err *e)
{
	return policy_load_one(c, ALERT_SELECT "WHERE a.id = $1", id, alert_row, ALERT_PATH_COL,
			       action, path, e);
}

/* ---- intake ---- */

static int record_one(struct ctx *c, const struct alert_group *g, int64_t window_ms,
		      struct err *e)
{
	char id[UUID_LEN];
	int64_t now = time_now_ms();
	struct stmt *st = store_query(c->db, e, "SELECT id FROM alerts WHERE org_id = $1 AND "
		"kind = $2 AND match_key = $3 AND status = 'open' AND last_seen >= $4 "
		"ORDER BY last_seen DESC LIMIT 1", "ttti", g->org_id, g->kind, g->key,
		g->first - window_ms);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		snprintf(id, sizeof(id), "%s", stmt_text(st, 0));
	stmt_done(st);
	if (rc < 0)
		return -1;
	const char *action;
	if (rc == 1) {
		action = "alert.seen";
		if (store_run(c->db, e, "UPDATE alerts SET count = count + $1, last_seen = "
			      "CASE WHEN last_seen > $2 THEN last_seen ELSE $2 END, first_seen = "
			      "CASE WHEN first_seen < $3 THEN first_seen ELSE $3 END, source = $4, "
			      "host = $5, observed = $6, sample = $7, severity = $8, version = "
			      "version + 1, updated_at = $9 WHERE id = $10", "iiitttttit",
			      (int64_t)g->count, g->last, g->first, g->source, g->host, g->observed,
			      g->sample, g->severity, now, id) != 1)
			return -1;
	} else {
		action = "alert.create";
		if (store_run(c->db, e, "INSERT INTO alerts (id, org_id, source, host, kind, match_key, "
			      "observed, severity, sample, count, first_seen, last_seen, status, "
			      "version, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,"
			      "$10,$11,$12,'open',1,$13,$13)", "ttttttttt" "iiii", uuid7(id),
			      g->org_id, g->source, g->host, g->kind, g->key, g->observed,
			      g->severity, g->sample, (int64_t)g->count, g->first, g->last, now) != 1)
			return -1;
	}
	json_t *after = json_pack("{s:s, s:s, s:s, s:I}", "kind", g->kind, "match", g->key,
				  "source", g->source, "count", (json_int_t)g->count);
	rc = audit_append_json(c, action, "alert", id, NULL, after, e);
	json_decref(after);
	return rc;
}

int alert_record(struct ctx *c, const struct alert_group *g, size_t n, int64_t window_ms,
		 struct err *e)
{
	if (n == 0)
		return 0;
	if (window_ms <= 0)
		window_ms = ALERT_WINDOW_DEFAULT;
	if (store_begin(c->db, e) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (record_one(c, &g[i], window_ms, e) != 0) {
			store_rollback(c->db);
			return -1;
		}
	}
	if (store_commit(c->db, e) != 0)
		return -1;
	return 0;
}

int alert_indicators_mark(struct ctx *c, long long *count, long long *updated, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT count(*), COALESCE(max(updated_at), 0) "
				      "FROM indicators", "");
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		*count = stmt_int(st, 0);
		*updated = stmt_int(st, 1);
	}
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

int alert_indicators_each(struct ctx *c, alert_pair_fn fn, void *arg, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT kind, value FROM indicators WHERE to_ids = 1 "
				      "AND (valid_until IS NULL OR valid_until > $1)", "i",
				      time_now_ms());
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		fn(arg, stmt_text(st, 0), stmt_text(st, 1));
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

int alert_host_addresses(struct ctx *c, alert_pair_fn fn, void *arg, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT org_id, addresses FROM hosts "
				      "ORDER BY created_at, id", "");
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		json_t *list = json_loads(stmt_text(st, 1), 0, NULL);
		size_t i;
		json_t *v;
		json_array_foreach(list, i, v)
			if (json_is_string(v))
				fn(arg, json_string_value(v), stmt_text(st, 0));
		json_decref(list);
	}
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

int alert_home_org(struct ctx *c, char org_id[UUID_LEN], struct err *e)
{
	struct org o;
	if (org_home(c, &o, e) != 0)
		return -1;
	snprintf(org_id, UUID_LEN, "%s", o.id);
	return 0;
}

int alert_org_id(struct ctx *c, const char *code, char org_id[UUID_LEN], struct err *e)
{
	struct org o;
	if (org_by_code(c, code, &o, e) != 0)
		return -1;
	snprintf(org_id, UUID_LEN, "%s", o.id);
	return 0;
}

/* ---- reading ---- */

static const struct page_key alert_keys[] = {
	{ "last_seen", "a.last_seen", 'i', 1 },
	{ "first_seen", "a.first_seen", 'i', 1 },
	{ "count", "a.count", 'i', 1 },
	{ NULL, NULL, 0, 0 },
};

json_t *alert_list(struct ctx *c, const char *status, const char *org_code,
		   const struct page_ask *pa, struct err *e)
{
	struct page p;
	if (policy_check(c->actor, ACT_ALERT_READ, NULL, e) != 0 ||
	    page_begin(alert_keys, pa->sort, pa->order, pa->cursor, pa->limit, &p, e) != 0)
		return NULL;
	if (status == NULL)
		status = "open";
	if (strcmp(status, "all") != 0 && jv_enum_index(alert_statuses, status) < 0)
		return err_field(e, "/status", MSG_BAD_VALUE, status), NULL;
	const char *path = c->actor->system ? "" : c->actor->org_path;
	struct org o;
	if (org_code) {
		if (org_by_code(c, org_code, &o, e) != 0 || !policy_in_scope(c->actor, o.path)) {
			err_clear(e);
			return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
		}
		path = o.path;
	}
	struct buf sql;
	buf_init(&sql, 4096);
	buf_adds(&sql, ALERT_SELECT_COLS);
	page_column(&p, &sql);
	buf_adds(&sql, ALERT_FROM "WHERE substr(o.path, 1, length($1)) = $1 AND ($2 = 'all' OR "
		 "a.status = $2)");
	page_sql(&p, "a.id", 3, &sql);
	struct stmt *st = sql.p ? store_query(c->db, e, sql.p, "tttt", path, status,
					      page_bind_key(&p), page_bind_id(&p)) : NULL;
	if (sql.p == NULL)
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	json_t *out = st ? page_items(&p, st, 25, 0, alert_row, e) : NULL;
	buf_release(&sql);
	return out;
}

json_t *alert_get(struct ctx *c, const char *id, struct err *e)
{
	char path[LIMIT_ORG_PATH];
	return alert_load(c, id, ACT_ALERT_READ, path, e);
}

/* ---- deciding ---- */

static const struct jv_field promote_fields[] = {
	{ "type", JV_STRING, 0, 0, 32, NULL, NULL },
	{ "title", JV_STRING, 0, 0, LIMIT_SHORT_TEXT, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field dismiss_fields[] = {
	{ "reason", JV_STRING, 1, 0, 2000, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* A promotion that started over a minute ago and never ended (the server
 * stopped between the claim and the incident): it may be claimed again. */
static int stale_claim(struct ctx *c, const char *id)
{
	struct err e = { 0 };
	struct stmt *st = store_query(c->db, &e, "SELECT updated_at FROM alerts WHERE id = $1",
				      "t", id);
	if (st == NULL)
		return 0;
	int stale = stmt_step(st, &e) == 1 && stmt_int(st, 0) < time_now_ms() - 60000;
	stmt_done(st);
	return stale;
}

/* Moves an open alert (at version if_match) to status, in a transaction of
 * its own; 0 or -1 with e (409 when it is no longer open). */
static int alert_move(struct ctx *c, const char *id, long long if_match, const char *from,
		      const char *to, const char *incident_id, const char *reason, json_t **out,
		      struct err *e)
{
	char path[LIMIT_ORG_PATH];
	json_t *before = NULL, *after = NULL;
	if (store_begin(c->db, e) != 0)
		return -1;
	if ((before = alert_load(c, id, ACT_ALERT_DECIDE, path, e)) == NULL)
		goto fail;
	if (if_match >= 0 && version_claim(c, "alerts", id, if_match, e) != 0)
		goto fail;
	const char *now_status = json_string_value(json_object_get(before, "status"));
	if (strcmp(now_status, from) != 0 &&
	    !(strcmp(to, "promoting") == 0 && strcmp(now_status, "promoting") == 0 &&
	      stale_claim(c, id))) {
		err_set(e, E_CONFLICT, MSG_ALERT_NOT_OPEN,
			json_string_value(json_object_get(before, "status")));
		goto fail;
	}
	if (store_run(c->db, e, "UPDATE alerts SET status = $1, incident_id = COALESCE($2, "
		      "incident_id), reason = $3, "
		      "decided_by = $4, decided_at = $5, version = version + 1, updated_at = $5 "
		      "WHERE id = $6", "ttttit", to, incident_id, reason ? reason : "",
		      c->actor->system ? NULL : c->actor->id, time_now_ms(), id) != 1 ||
	    (after = alert_load(c, id, ACT_ALERT_READ, path, e)) == NULL ||
	    audit_append_json(c, strcmp(to, "dismissed") == 0 ? "alert.dismiss" : "alert.promote",
			      "alert", id, before, after, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	json_decref(before);
	if (out)
		*out = after;
	else
		json_decref(after);
	return 0;
fail:
	store_rollback(c->db);
	json_decref(before);
	json_decref(after);
	return -1;
}

json_t *alert_dismiss(struct ctx *c, const char *id, long long if_match, json_t *body,
		      struct err *e)
{
	json_t *out = NULL;
	if (jv_validate(body, dismiss_fields, "", e) != 0)
		return NULL;
	const char *reason = jv_str(body, "reason");
	if (*reason == '\0')
		return err_field(e, "/reason", MSG_EMPTY, NULL), NULL;
	if (if_match < 0)
		return err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL), NULL;
	return alert_move(c, id, if_match, "open", "dismissed", NULL, reason, &out, e) == 0 ? out
											   : NULL;
}

/* The observable kind of an alert's match; NULL for rules. */
static const char *observable_kind(const char *kind)
{
	static const char *const kinds[] = { "ip", "domain", "url", "email", "hash", NULL };
	return jv_enum_index(kinds, kind) >= 0 ? kind : NULL;
}

json_t *alert_promote(struct ctx *c, const char *id, long long if_match, json_t *body,
		      struct err *e)
{
	if (jv_validate(body, promote_fields, "", e) != 0)
		return NULL;
	if (if_match < 0)
		return err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL), NULL;
	/* The claim: open -> promoting, so that a second click cannot file a
	 * second incident; a failure below puts it back. */
	json_t *a = NULL;
	if (alert_move(c, id, if_match, "open", "promoting", NULL, NULL, &a, e) != 0)
		return NULL;
	const char *kind = json_string_value(json_object_get(a, "kind"));
	const char *match = json_string_value(json_object_get(a, "match"));
	const char *observed = json_string_value(json_object_get(a, "observed"));
	const char *source = json_string_value(json_object_get(a, "source"));
	long long count = json_integer_value(json_object_get(a, "count"));
	const char *first = json_string_value(json_object_get(a, "first_seen"));
	const char *last = json_string_value(json_object_get(a, "last_seen"));
	char title[LIMIT_SHORT_TEXT + 1], desc[4096];
	if (jv_str(body, "title") && *jv_str(body, "title"))
		snprintf(title, sizeof(title), "%s", jv_str(body, "title"));
	else
		snprintf(title, sizeof(title), "Syslog: %.200s (%lld)", match, count);
	snprintf(desc, sizeof(desc),
		 "Cảnh báo từ syslog / Alert from syslog\n"
		 "Nguồn / Source: %s %s\nKhớp / Match: %s %s\nSố lần / Count: %lld\n"
		 "Lần đầu / First seen: %s\nLần cuối / Last seen: %s\n\n%s",
		 source, json_string_value(json_object_get(a, "host")), kind, match, count, first,
		 last, json_string_value(json_object_get(a, "sample")));
	const char *type = jv_str(body, "type");
	char detail[128];
	snprintf(detail, sizeof(detail), "syslog %s", source);
	json_t *ib = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "title", title,
			       "description", desc, "detected_at", first,
			       "type", type ? type : "other",
			       "org_code", json_string_value(json_object_get(json_object_get(a, "org"),
									 "code")),
			       "detection_method", "kind", "log_review", "detail", detail);
	long long v = json_integer_value(json_object_get(a, "version"));
	const char *filed = json_string_value(json_object_get(a, "incident_id"));
	char iid[UUID_LEN];
	json_t *inc = NULL;
	if (filed) {
		/* a claim taken again whose incident was filed: finish it, file no other */
		snprintf(iid, sizeof(iid), "%s", filed);
		json_decref(ib);
		goto finish;
	}
	inc = ib ? incident_create(c, ib, e) : NULL;
	json_decref(ib);
	if (inc == NULL) {
		struct err ignore = { 0 };
		alert_move(c, id, v, "promoting", "open", NULL, NULL, NULL, &ignore);
		json_decref(a);
		return NULL;
	}
	snprintf(iid, sizeof(iid), "%s", json_string_value(json_object_get(inc, "id")));
	/* the incident is linked at once: whatever happens next, a retry finishes
	 * this promotion instead of filing a second incident */
	if (alert_move(c, id, v, "promoting", "promoting", iid, NULL, NULL, e) != 0) {
		json_decref(inc);
		json_decref(a);
		return NULL;
	}
	v++;
	const char *okind = observable_kind(kind);
	if (okind) {
		char note[128];
		snprintf(note, sizeof(note), "syslog %s", source);
		json_t *ob = json_pack("{s:s, s:s, s:s}", "kind", okind, "value", observed,
				       "note", note);
		json_t *r = ob ? incident_add_observable(c, iid, ob, e) : NULL;
		if (r == NULL && strcmp(observed, match) != 0) {
			/* a CIDR block's address, a URL's form: attach the indicator */
			err_clear(e);
			json_object_set_new(ob, "value", json_string(match));
			r = incident_add_observable(c, iid, ob, e);
		}
		json_decref(ob);
		json_decref(r);
		err_clear(e); /* the incident stands; a refused observable is not fatal */
	}
finish:;
	json_t *out = NULL;
	json_decref(a);
	if (alert_move(c, id, v, "promoting", "promoted", iid, NULL, &out, e) != 0) {
		json_decref(inc);
		return NULL;
	}
	/* the incident as its page shows it, observables included */
	struct err ignore = { 0 };
	json_t *full = incident_get(c, iid, 1, &ignore);
	if (full) {
		json_decref(inc);
		inc = full;
	}
	json_object_set_new(out, "incident", inc);
	return out;
}

json_t *syslog_status(struct ctx *c, struct err *e)
{
	if (policy_check(c->actor, ACT_ALERT_READ, NULL, e) != 0)
		return NULL;
	static const char *const names[SLC__COUNT] = {
		"received", "matched", "empty", "too_long", "bad_pri", "bad_header", "bad_utf8",
		"rate_limited", "queue_full", "store_failed", "tcp_closed_bad", "processed",
		"tcp_refused",
	};
	json_t *j = json_object();
	json_t *cnt = json_object();
	for (int i = 0; i < SLC__COUNT; i++)
		json_object_set_new(cnt, names[i], json_integer(syslog_counters[i]));
	json_object_set_new(j, "running", json_boolean(syslog_running));
	json_object_set_new(j, "indicators", json_integer(syslog_indicators));
	json_object_set_new(j, "counters", cnt);
	return j;
}
