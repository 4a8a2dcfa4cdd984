/* hunt.c - threat hunts, their runs, and what a run's hits turn into. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hunt.h"
#include "../page.h"
#include "../directory/audit.h"
#include "../incident/incident_int.h"
#include "indicator.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "../../base/buf.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

#define DAY_MS (86400LL * 1000)
/* Hits kept from one run (a sweep lists at most 1,000 a file). */
#define HUNT_MAX_HITS 100000
/* Observables put on an incident a run files. */
#define HUNT_MAX_OBSERVABLES 100

static const char *const ioc_kinds[] = {
	"ipv4", "ipv6", "cidr", "domain", "url", "sha256", "sha1", "md5", "email", "filename",
	"yara", NULL
};

static const struct jv_field hunt_fields[] = {
	{ "title", JV_STRING, 1, 0, LIMIT_SHORT_TEXT, NULL, NULL },
	{ "description", JV_STRING, 0, 0, LIMIT_LONG_TEXT, NULL, NULL },
	{ "deadline", JV_TIME, 1, 0, 0, NULL, NULL },
	{ "target_org_codes", JV_STRINGS, 1, 0, 200, NULL, NULL },
	{ "indicator_ids", JV_STRINGS, 0, 0, 10000, NULL, NULL },
	{ "tags", JV_STRINGS, 0, 0, LIMIT_ARRAY_ITEMS, NULL, NULL },
	{ "kinds", JV_ENUMS, 0, 0, 11, ioc_kinds, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* Whether the indicator row (tags as JSON text) is chosen by sel. */
static int chosen(json_t *sel, const char *id, const char *kind, const char *tags_text)
{
	json_t *ids = json_object_get(sel, "indicator_ids"), *tags = json_object_get(sel, "tags"),
	       *kinds = json_object_get(sel, "kinds");
	if (json_array_size(ids))
		return json_has_string(ids, id);
	if (json_array_size(kinds) && !json_has_string(kinds, kind))
		return 0;
	if (json_array_size(tags)) {
		json_t *t = json_loads(tags_text, 0, NULL), *v;
		size_t k;
		int hit = 0;
		json_array_foreach(tags, k, v)
			hit |= json_has_string(t, json_string_value(v));
		json_decref(t);
		return hit;
	}
	return 1;
}

json_t *hunt_create(struct ctx *c, json_t *body, struct err *e)
{
	char id[UUID_LEN], code[65];
	const char *path;
	int64_t deadline, now = time_now_ms();
	if (jv_validate(body, hunt_fields, "", e) != 0 ||
	    policy_check(c->actor, ACT_HUNT_OPEN, NULL, e) != 0)
		return NULL;
	if (c->actor->system)   /* a hunt needs a person to answer for it */
		return err_set(e, E_FORBIDDEN, MSG_FORBIDDEN, NULL), NULL;
	json_t *targets = json_object_get(body, "target_org_codes"), *v;
	size_t k, nt = json_array_size(targets);
	if (nt == 0)
		return err_field(e, "/target_org_codes", MSG_EMPTY, NULL), NULL;
	struct org issuer, *orgs = calloc(nt, sizeof(*orgs));
	if (orgs == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL), NULL;
	json_array_foreach(targets, k, v) {
		char ptr[48];
		struct err probe = { 0 };
		snprintf(ptr, sizeof(ptr), "/target_org_codes/%zu", k);
		if (org_by_code(c, json_string_value(v), &orgs[k], &probe) != 0 ||
		    !policy_in_scope(c->actor, orgs[k].path))
			err_field(e, ptr, MSG_ORG_OUT_OF_SCOPE, json_string_value(v));
	}
	json_t *out = NULL, *chosen_ids = json_array();
	long withheld = 0;
	if (e->code || org_by_id(c, c->actor->org_id, &issuer, e) != 0)
		goto out;
	time_parse(jv_str(body, "deadline"), &deadline);
	if (deadline <= now) {
		err_field(e, "/deadline", MSG_BAD_VALUE, jv_str(body, "deadline"));
		goto out;
	}
	/* The set: the active indicators the actor reads, chosen by the body,
	 * that the TLP rule lets go to every target. */
	indicator_actor_scope(c, &path, code);
	struct stmt *st = store_query(c->db, e, "SELECT i.id, i.kind, i.tags, i.tlp, o.code, "
		"i.share_with FROM indicators i JOIN orgs o ON o.id = i.org_id WHERE "
		INDICATOR_VISIBLE " AND i.to_ids = 1 AND i.kind <> 'pattern' AND (i.valid_from IS "
		"NULL OR i.valid_from <= $3) AND (i.valid_until IS NULL OR i.valid_until > $3) "
		"ORDER BY i.id", "tti", path, code, now);
	int rc = st ? 0 : -1;
	while (st && (rc = stmt_step(st, e)) == 1) {
		if (!chosen(body, stmt_text(st, 0), stmt_text(st, 1), stmt_text(st, 2)))
			continue;
		json_t *sw = json_loads(stmt_text(st, 5), 0, NULL);
		const char *named[LIMIT_ARRAY_ITEMS + 1] = { NULL };
		size_t nn = 0;
		json_array_foreach(sw, k, v)
			if (nn < LIMIT_ARRAY_ITEMS)
				named[nn++] = json_string_value(v);
		int ok = 1;
		for (size_t t = 0; t < nt && ok; t++)
			ok = tlp_may_share(stmt_text(st, 3), stmt_text(st, 4), orgs[t].code, named);
		json_decref(sw);
		if (ok)
			json_array_append_new(chosen_ids, json_string(stmt_text(st, 0)));
		else
			withheld++;
	}
	stmt_done(st);
	if (rc < 0)
		goto out;
	if (json_array_size(chosen_ids) == 0) {
		err_field(e, json_object_get(body, "indicator_ids") ? "/indicator_ids" : "/tags",
			  MSG_HUNT_EMPTY, NULL);
		goto out;
	}
	json_t *sel = json_pack("{s:O*, s:O*, s:O*}", "indicator_ids",
				json_object_get(body, "indicator_ids"), "tags",
				json_object_get(body, "tags"), "kinds", json_object_get(body, "kinds"));
	char *sel_text = json_dumps(sel, JSON_COMPACT);
	json_decref(sel);
	const char *desc = jv_str(body, "description");
	rc = store_begin(c->db, e);
	if (rc == 0)
		rc = store_run(c->db, e, "INSERT INTO hunts (id, org_id, title, description, deadline, "
			       "status, selection, version, created_by, created_at, updated_at) VALUES "
			       "($1,$2,$3,$4,$5,'open',$6,1,$7,$8,$8)", "ttttitti", uuid7(id),
			       issuer.id, jv_str(body, "title"), desc ? desc : "", deadline,
			       sel_text ? sel_text : "{}", c->actor->id, now) < 0 ? -1 : 0;
	free(sel_text);
	for (k = 0; rc == 0 && k < nt; k++)
		rc = store_run(c->db, e, "INSERT INTO hunt_targets (hunt_id, org_id) VALUES ($1, $2) "
			       "ON CONFLICT (hunt_id, org_id) DO NOTHING", "tt", id, orgs[k].id) < 0
		     ? -1 : 0;
	json_array_foreach(chosen_ids, k, v)
		if (rc == 0)
			rc = store_run(c->db, e, "INSERT INTO hunt_indicators (hunt_id, indicator_id) "
				       "VALUES ($1, $2)", "tt", id, json_string_value(v)) < 0 ? -1 : 0;
	if (rc == 0)
		out = hunt_get(c, id, e);
	if (out)
		json_object_set_new(out, "withheld", json_integer(withheld));
	if (out == NULL || domain_record_hook(c, "hunt", id, out, e) != 0 ||
	    audit_append_json(c, "hunt.create", "hunt", id, NULL, body, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(out);
		out = NULL;
	}
out:
	json_decref(chosen_ids);
	free(orgs);
	return out;
}

/* Visible: issued from the actor's subtree, or aimed at an organisation in
 * it or above it (a commune sees the hunts aimed at its district). */
#define HUNT_VISIBLE "(substr(io.path, 1, length($1)) = $1 OR EXISTS (SELECT 1 FROM " \
	"hunt_targets t JOIN orgs o ON o.id = t.org_id WHERE t.hunt_id = h.id AND " \
	"(substr(o.path, 1, length($1)) = $1 OR substr($1, 1, length(o.path)) = o.path)))"

static const char *scope_path(struct ctx *c)
{
	return c->actor->system ? "/" : c->actor->org_path;
}

/* A hunt's row, with its targets counted: all, those that ran it, and
 * those late (the deadline passed, not run, the hunt still open). */
static json_t *hunt_row(struct stmt *st)
{
	int64_t total = stmt_int(st, 8), ran = stmt_int(st, 9);
	int late = strcmp(stmt_text(st, 4), "open") == 0 && stmt_int(st, 3) < time_now_ms();
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:{s:s, s:s}, s:I, s:I, s:I, s:I, s:I, s:I, "
			 "s:o}",
		"id", stmt_text(st, 0), "title", stmt_text(st, 1), "description", stmt_text(st, 2),
		"deadline", ms_json(stmt_int(st, 3)), "status", stmt_text(st, 4),
		"issuer", "code", stmt_text(st, 5), "name", stmt_text(st, 6),
		"indicators", (json_int_t)stmt_int(st, 7), "targets_total", (json_int_t)total,
		"targets_ran", (json_int_t)ran, "targets_late", (json_int_t)(late ? total - ran : 0),
		"hits", (json_int_t)stmt_int(st, 10),
		"version", (json_int_t)stmt_int(st, 11), "created_at", ms_json(stmt_int(st, 12)));
}

#define HUNT_COLS HUNT_COLS_ONLY HUNT_FROM
#define HUNT_COLS_ONLY "h.id, h.title, h.description, h.deadline, h.status, io.code, io.name, " \
	"(SELECT COUNT(*) FROM hunt_indicators x WHERE x.hunt_id = h.id), " \
	"(SELECT COUNT(*) FROM hunt_targets t WHERE t.hunt_id = h.id), " \
	"(SELECT COUNT(*) FROM hunt_targets t WHERE t.hunt_id = h.id AND EXISTS (SELECT 1 FROM " \
	"hunt_runs r WHERE r.hunt_id = h.id AND r.org_id = t.org_id)), " \
	"(SELECT COALESCE(SUM(r.hits), 0) FROM hunt_runs r WHERE r.hunt_id = h.id), " \
	"h.version, h.created_at, h.selection, io.path, h.created_by, h.org_id "
#define HUNT_FROM "FROM hunts h JOIN orgs io ON io.id = h.org_id "
#define HUNT_NCOLS 17

static const struct page_key hunt_keys[] = {
	{ "created", "h.created_at", 'i', 1 },
	{ "deadline", "COALESCE(h.deadline, 253402300799999)", 'i', 0 },
	{ NULL, NULL, 0, 0 },
};

json_t *hunt_list(struct ctx *c, const char *status, const char *q, const struct page_ask *pa,
		  struct err *e)
{
	static const char *const statuses[] = { "open", "closed", NULL };
	struct page p;
	if (policy_check(c->actor, ACT_INDICATOR_READ, NULL, e) != 0 ||
	    page_begin(hunt_keys, pa->sort, pa->order, pa->cursor, pa->limit, &p, e) != 0)
		return NULL;
	if (status && jv_enum_index(statuses, status) < 0)
		return err_field(e, "/status", MSG_BAD_VALUE, "open, closed"), NULL;
	if (q && strlen(q) > LIMIT_SHORT_TEXT)
		return err_field(e, "/q", MSG_TOO_LONG, "300"), NULL;
	struct buf sql;
	buf_init(&sql, 16384);
	buf_adds(&sql, "SELECT " HUNT_COLS_ONLY);
	page_column(&p, &sql);
	buf_adds(&sql, HUNT_FROM "WHERE " HUNT_VISIBLE " AND ($2 IS NULL OR h.status = $2) "
		 "AND ($3 IS NULL OR instr(lower(h.title), lower($3)) > 0)");
	page_sql(&p, "h.id", 4, &sql);
	struct stmt *st = sql.p ? store_query(c->db, e, sql.p, "ttttt", scope_path(c), status, q,
					      page_bind_key(&p), page_bind_id(&p)) : NULL;
	if (sql.p == NULL)
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	json_t *out = st ? page_items(&p, st, HUNT_NCOLS, 0, hunt_row, e) : NULL;
	buf_release(&sql);
	return out;
}

/* The hunt's head for a caller: NULL with not found when invisible. */
struct hunt_head {
	char id[UUID_LEN], status[16], issuer_path[LIMIT_ORG_PATH], created_by[UUID_LEN];
	char title[LIMIT_SHORT_TEXT + 1], issuer_code[65];
	long long version;
	int64_t deadline;
};

static json_t *hunt_load(struct ctx *c, const char *id, struct hunt_head *hh, struct err *e)
{
	if (!uuid_valid(id))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	struct stmt *st = store_query(c->db, e, "SELECT " HUNT_COLS "WHERE h.id = $2 AND "
				      HUNT_VISIBLE, "tt", scope_path(c), id);
	if (st == NULL)
		return NULL;
	int rc = stmt_step(st, e);
	json_t *j = NULL;
	if (rc == 1) {
		j = hunt_row(st);
		json_object_set_new(j, "selection", json_loads(stmt_text(st, 13), 0, NULL));
		if (hh) {
			snprintf(hh->id, sizeof(hh->id), "%s", stmt_text(st, 0));
			snprintf(hh->title, sizeof(hh->title), "%s", stmt_text(st, 1));
			snprintf(hh->status, sizeof(hh->status), "%s", stmt_text(st, 4));
			snprintf(hh->issuer_path, sizeof(hh->issuer_path), "%s", stmt_text(st, 14));
			snprintf(hh->issuer_code, sizeof(hh->issuer_code), "%s", stmt_text(st, 5));
			snprintf(hh->created_by, sizeof(hh->created_by), "%s", stmt_text(st, 15));
			hh->version = stmt_int(st, 11);
			hh->deadline = stmt_int(st, 3);
		}
	}
	stmt_done(st);
	if (rc == 0)
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	return j;
}

static json_t *target_row(struct stmt *st)
{
	int ran = stmt_int(st, 3) > 0;
	return json_pack("{s:{s:s, s:s}, s:b, s:o, s:I, s:I, s:I, s:b}",
		"org", "code", stmt_text(st, 0), "name", stmt_text(st, 1), "ran", ran,
		"last_run_at", ms_json(stmt_int(st, 2)), "hosts", (json_int_t)stmt_int(st, 3),
		"files", (json_int_t)stmt_int(st, 4), "hits", (json_int_t)stmt_int(st, 5),
		"late", !ran && stmt_int(st, 6) < time_now_ms());
}

static json_t *run_row(struct stmt *st)
{
	return json_pack("{s:s, s:{s:s, s:s}, s:o, s:s, s:s, s:I, s:I, s:o, s:o, s:o}",
		"id", stmt_text(st, 0), "org", "code", stmt_text(st, 1), "name", stmt_text(st, 2),
		"host", stmt_isnull(st, 3) ? json_null() : json_pack("{s:s, s:s}", "id",
			stmt_text(st, 3), "hostname", stmt_text(st, 4)),
		"hostname", stmt_text(st, 5), "via", stmt_text(st, 6),
		"files", (json_int_t)stmt_int(st, 7), "hits", (json_int_t)stmt_int(st, 8),
		"ran_at", ms_json(stmt_int(st, 9)),
		"submitted_by", stmt_isnull(st, 10) ? json_null() : json_string(stmt_text(st, 10)),
		"incident", stmt_isnull(st, 11) ? json_null() : json_pack("{s:s, s:s}", "id",
			stmt_text(st, 11), "number", stmt_text(st, 12)));
}

json_t *hunt_get(struct ctx *c, const char *id, struct err *e)
{
	if (policy_check(c->actor, ACT_INDICATOR_READ, NULL, e) != 0)
		return NULL;
	json_t *j = hunt_load(c, id, NULL, e);
	if (j == NULL)
		return NULL;
	/* Targets and runs: the issuer's side sees all, a target its own. */
	const char *p = scope_path(c);
	struct stmt *st = store_query(c->db, e, "SELECT o.code, o.name, (SELECT MAX(r.ran_at) "
		"FROM hunt_runs r WHERE r.hunt_id = t.hunt_id AND r.org_id = t.org_id), (SELECT "
		"COUNT(DISTINCT COALESCE(r.host_id, r.hostname)) FROM hunt_runs r WHERE r.hunt_id = "
		"t.hunt_id AND r.org_id = t.org_id), (SELECT COALESCE(SUM(r.files), 0) FROM hunt_runs r WHERE r.hunt_id = t.hunt_id AND "
		"r.org_id = t.org_id), (SELECT COALESCE(SUM(r.hits), 0) FROM hunt_runs r WHERE "
		"r.hunt_id = t.hunt_id AND r.org_id = t.org_id), h.deadline FROM hunt_targets t "
		"JOIN orgs o ON o.id = t.org_id JOIN hunts h ON h.id = t.hunt_id JOIN orgs io ON "
		"io.id = h.org_id WHERE t.hunt_id = $2 AND (substr(io.path, 1, length($1)) = $1 OR "
		"substr(o.path, 1, length($1)) = $1 OR substr($1, 1, length(o.path)) = o.path) "
		"ORDER BY o.code", "tt", p, id);
	json_t *targets = st ? rows_array(st, target_row, e) : NULL;
	st = targets ? store_query(c->db, e, "SELECT r.id, o.code, o.name, r.host_id, hs.hostname, "
		"r.hostname, r.via, r.files, r.hits, r.ran_at, u.username, n.id, n.number FROM "
		"hunt_runs r JOIN orgs o ON o.id = r.org_id JOIN hunts h ON h.id = r.hunt_id JOIN orgs "
		"io ON io.id = h.org_id LEFT JOIN hosts hs ON hs.id = r.host_id LEFT JOIN users u ON "
		"u.id = r.submitted_by LEFT JOIN incidents n ON n.id = r.incident_id WHERE "
		"r.hunt_id = $2 AND (substr(io.path, 1, length($1)) = $1 OR substr(o.path, 1, "
		"length($1)) = $1) ORDER BY r.ran_at DESC LIMIT 1000", "tt", p, id) : NULL;
	json_t *runs = st ? rows_array(st, run_row, e) : NULL;
	json_t *sl = runs ? sighting_list(c, NULL, id, NULL, 1000, e) : NULL;
	if (sl == NULL) {
		json_decref(targets);
		json_decref(runs);
		json_decref(j);
		return NULL;
	}
	json_object_set_new(j, "targets", targets);
	json_object_set_new(j, "runs", runs);
	json_object_set_new(j, "sightings", json_incref(json_object_get(sl, "items")));
	json_decref(sl);
	return j;
}

json_t *hunt_close(struct ctx *c, const char *id, long long if_match, struct err *e)
{
	struct hunt_head hh;
	json_t *cur = hunt_load(c, id, &hh, e);
	if (cur == NULL)
		return NULL;
	json_decref(cur);
	/* A target sees the hunt: refused, not hidden, when it may not close it */
	struct policy_target t = { .org_path = hh.issuer_path };
	if (policy_check(c->actor, ACT_HUNT_OPEN, &t, e) != 0) {
		if (e->code != E_NOTFOUND)
			return NULL;
		err_clear(e);
		return err_set(e, E_FORBIDDEN, MSG_HUNT_ISSUER_ONLY, hh.issuer_code), NULL;
	}
	if (if_match < 0)
		return err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL), NULL;
	if (if_match != hh.version)
		return err_set(e, E_PRECOND, MSG_STALE_RECORD, NULL), NULL;
	if (strcmp(hh.status, "open") != 0)
		return err_set(e, E_CONFLICT, MSG_TRANSITION_DENIED, "closed"), NULL;
	json_t *out = NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	/* Checked again under the write lock: two closes with one If-Match. */
	if (version_claim(c, "hunts", id, if_match, e) != 0 ||
	    store_run(c->db, e, "UPDATE hunts SET status = 'closed', version = version + 1, "
		      "updated_at = $2 WHERE id = $1", "ti", id, time_now_ms()) < 0 ||
	    (out = hunt_get(c, id, e)) == NULL ||
	    domain_record_hook(c, "hunt.close", id, out, e) != 0 ||
	    audit_append(c, "hunt.close", "hunt", id, NULL, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(out);
		return NULL;
	}
	return out;
}

/* The organisation code the rules go to: the actor's, or (the issuer's
 * side, the instance) the issuer's. */
char *hunt_rules(struct ctx *c, const char *id, size_t *len, struct err *e)
{
	struct hunt_head hh;
	char code[65];
	const char *path;
	json_t *j = hunt_load(c, id, &hh, e);
	if (j == NULL)
		return NULL;
	json_decref(j);
	indicator_actor_scope(c, &path, code);
	struct indicator_export x = { .to_code = code[0] ? code : NULL, .hunt_id = hh.id };
	return indicator_export(c, IND_STIX, &x, len, e);
}

/* ---- runs ---- */

/* The hunt's indicators that went to the organisation `to` in its rules
 * (hunt_rules, hunt_for_agent: the export applies the TLP rule to that
 * recipient), for mapping hits: [[id, kind, value]]. A hit naming any other
 * indicator is unknown: a target must not learn from the answer, or file an
 * incident with, an indicator it may not read. */
static json_t *hunt_set(struct ctx *c, const char *hunt_id, const char *to, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT i.id, i.kind, i.value, i.tlp, o.code, "
				      "i.share_with FROM hunt_indicators x JOIN indicators i ON "
				      "i.id = x.indicator_id JOIN orgs o ON o.id = i.org_id WHERE "
				      "x.hunt_id = $1", "t", hunt_id);
	if (st == NULL)
		return NULL;
	json_t *set = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		json_t *sw = json_loads(stmt_text(st, 5), 0, NULL), *v;
		const char *named[LIMIT_ARRAY_ITEMS + 1] = { NULL };
		size_t k, nn = 0;
		json_array_foreach(sw, k, v)
			if (nn < LIMIT_ARRAY_ITEMS && json_is_string(v))
				named[nn++] = json_string_value(v);
		if (tlp_may_share(stmt_text(st, 3), stmt_text(st, 4), to, named))
			json_array_append_new(set, json_pack("[s, s, s]", stmt_text(st, 0),
							     stmt_text(st, 1), stmt_text(st, 2)));
		json_decref(sw);
	}
	stmt_done(st);
	if (rc < 0) {
		json_decref(set);
		return NULL;
	}
	return set;
}

/* Hits are matched to the hunt's set through an index: a JSON object from
 * "kind\x1fvalue" to the indicator's id, where kind is the sweep's name for
 * it ("hash" for the three digests, "ip" for addresses and ranges, "yara"
 * with the name of each rule a YARA indicator declares) and value is folded
 * to lower case where the sweep compares without case. One upload may hold
 * HUNT_MAX_HITS hits against a set of tens of thousands: a lookup each. */

static int kind_folds(const char *kind)
{
	return !strcmp(kind, "hash") || !strcmp(kind, "ip") || !strcmp(kind, "filename") ||
	       !strcmp(kind, "domain") || !strcmp(kind, "email");
}

static const char *sweep_kind(const char *ik)
{
	if (!strcmp(ik, "sha256") || !strcmp(ik, "sha1") || !strcmp(ik, "md5"))
		return "hash";
	if (!strcmp(ik, "ipv4") || !strcmp(ik, "ipv6") || !strcmp(ik, "cidr"))
		return "ip";
	return ik;
}

/* The index key of (kind, the n bytes of value) into b. */
static int hit_key(struct buf *b, const char *kind, const char *value, size_t n)
{
	buf_reset(b);
	if (buf_add(b, kind, strlen(kind)) != 0 || buf_add(b, "\x1f", 1) != 0)
		return -1;
	size_t at = b->len;
	if (buf_add(b, value, n) != 0)
		return -1;
	if (kind_folds(kind))
		for (size_t i = at; i < b->len; i++)
			b->p[i] = (char)tolower((unsigned char)b->p[i]);
	return 0;
}

static void index_put(json_t *idx, struct buf *b, const char *kind, const char *value, size_t n,
		      const char *id)
{
	if (hit_key(b, kind, value, n) == 0 && json_object_getn(idx, b->p, b->len) == NULL)
		json_object_setn_new_nocheck(idx, b->p, b->len, json_string(id));
}

/* The names a YARA rule text declares ("rule NAME", any modifiers before). */
static void index_yara(json_t *idx, struct buf *b, const char *text, const char *id)
{
	for (const char *p = text; (p = strstr(p, "rule")) != NULL; p += 4) {
		if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		const char *q = p + 4;
		if (*q != ' ' && *q != '\t')
			continue;
		while (*q == ' ' || *q == '\t')
			q++;
		const char *name = q;
		while (isalnum((unsigned char)*q) || *q == '_')
			q++;
		if (q > name)
			index_put(idx, b, "yara", name, (size_t)(q - name), id);
	}
}

/* The index of a hunt's set ([id, kind, value] rows); NULL: no memory. */
static json_t *hit_index(const json_t *set)
{
	json_t *idx = json_object(), *v;
	struct buf b;
	buf_init(&b, IOC_MAX_VALUE + 64);
	size_t k;
	json_array_foreach(set, k, v) {
		const char *id = json_string_value(json_array_get(v, 0)),
			   *ik = json_string_value(json_array_get(v, 1)),
			   *iv = json_string_value(json_array_get(v, 2));
		if (idx == NULL || id == NULL || ik == NULL || iv == NULL)
			continue;
		if (strcmp(ik, "yara") == 0)
			index_yara(idx, &b, iv, id);
		else
			index_put(idx, &b, sweep_kind(ik), iv, strlen(iv), id);
	}
	buf_release(&b);
	return idx;
}

/* The id of the set's indicator a sweep hit names, or NULL. */
static const char *hit_indicator(const json_t *idx, struct buf *b, const char *kind,
				 const char *value)
{
	if (hit_key(b, kind, value, strlen(value)) != 0)
		return NULL;
	return json_string_value(json_object_getn(idx, b->p, b->len));
}

static const struct jv_field hit_fields[] = {
	{ "path", JV_STRING, 1, 0, 4096, NULL, NULL },
	{ "kind", JV_STRING, 1, 0, 16, NULL, NULL },
	{ "indicator", JV_STRING, 1, 0, IOC_MAX_VALUE, NULL, NULL },
	{ "line", JV_INT, 0, 0, 1LL << 50, NULL, NULL },
	{ "match", JV_STRING, 0, 0, IOC_MAX_VALUE, NULL, NULL },
	{ "sha256", JV_STRING, 0, 0, 64, NULL, NULL },
	/* the sweep wrote a file name that is not UTF-8 escaped (\xNN) */
	{ "path_escaped", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* One hit object, at ptr (for field errors), appended to hits; where names
 * it for the limit's message. */
static int add_hit(json_t *hits, json_t *o, const char *ptr, const char *where, struct err *e)
{
	if (jv_validate(o, hit_fields, ptr, e) != 0)
		return -1;
	if (json_array_size(hits) >= HUNT_MAX_HITS)
		return err_set(e, E_TOOLARGE, MSG_IOC_LIMIT, where);
	return json_array_append(hits, o) == 0 ? 0 : err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
}

json_t *hunt_parse_jsonl(const char *name, const char *data, size_t n, struct err *e)
{
	json_t *hits = json_array();
	size_t line = 0;
	for (const char *p = data, *end = data + n; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t blank = 0;
		line++;
		/* Within the line: data is n bytes, not a string. */
		while (blank < len && (p[blank] == ' ' || p[blank] == '\t' || p[blank] == '\r'))
			blank++;
		if (blank < len) {
			json_error_t je;
			json_t *o = json_loadb(p, len, JSON_REJECT_DUPLICATES, &je);
			char where[300], ptr[48];
			snprintf(where, sizeof(where), "%.200s: line %zu", name, line);
			snprintf(ptr, sizeof(ptr), "/%zu", line);
			int rc = o == NULL || !json_is_object(o)
				 ? err_set(e, E_MALFORMED, MSG_IOC_SYNTAX, where)
				 : json_object_get(o, "path") ? add_hit(hits, o, ptr, where, e) : 0;
			json_decref(o);
			if (rc != 0) {
				json_decref(hits);
				return NULL;
			}
		}
		p += len + 1;
	}
	return hits;
}

json_t *hunt_check_hits(const json_t *list, struct err *e)
{
	json_t *hits = json_array(), *o;
	size_t k;
	if (!json_is_array(list)) {
		json_decref(hits);
		return err_field(e, "/hits", MSG_WRONG_TYPE, "array"), NULL;
	}
	json_array_foreach(list, k, o) {
		char ptr[48];
		snprintf(ptr, sizeof(ptr), "/hits/%zu", k);
		if (!json_is_object(o) ? err_field(e, ptr, MSG_WRONG_TYPE, "object")
				       : add_hit(hits, o, ptr, "hits", e)) {
			json_decref(hits);
			return NULL;
		}
	}
	return hits;
}

static const char *observable_kind_of(const char *hit_kind, const char *value)
{
	if (strcmp(hit_kind, "hash") == 0 || strcmp(hit_kind, "ip") == 0 ||
	    strcmp(hit_kind, "domain") == 0 || strcmp(hit_kind, "url") == 0 ||
	    strcmp(hit_kind, "email") == 0 || strcmp(hit_kind, "filename") == 0)
		return strcmp(hit_kind, "ip") == 0 && strchr(value, '/') ? NULL : hit_kind;
	return NULL;
}

/* Files an incident for the run's hits (inside the transaction): received,
 * for the host's organisation, the hits as observables. */
static int file_incident(struct ctx *c, const struct hunt_head *hh, const struct org *o,
			 const char *hostname, json_t *hits, int64_t ran_at, char id[UUID_LEN],
			 char number[32], struct err *e)
{
	struct buf d;
	size_t k;
	json_t *v;
	int file_kind = 0;
	buf_init(&d, LIMIT_LONG_TEXT - 100);
	buf_printf(&d, "Cuộc săn tìm \"%s\" phát hiện %zu dấu hiệu trên máy %s / The hunt found "
		   "%zu hit(s) on host %s:\n", hh->title, json_array_size(hits), hostname,
		   json_array_size(hits), hostname);
	json_array_foreach(hits, k, v) {
		const char *kind = jv_str(v, "kind");
		file_kind |= !strcmp(kind, "yara") || !strcmp(kind, "hash") || !strcmp(kind, "filename");
		if (k < 50 && json_object_get(v, "line"))
			buf_printf(&d, "- %s %s: %s:%lld\n", kind, jv_str(v, "indicator"),
				   jv_str(v, "path"), jv_int(v, "line", 0));
		else if (k < 50)   /* a file hit has no line */
			buf_printf(&d, "- %s %s: %s\n", kind, jv_str(v, "indicator"), jv_str(v, "path"));
	}
	char title[LIMIT_SHORT_TEXT + 1];
	snprintf(title, sizeof(title), "Phát hiện IOC khi săn tìm: %.200s (%.60s)", hh->title,
		 hostname);
	json_t *body = json_pack("{s:s, s:s, s:s}", "title", title, "description",
				 d.p ? d.p : "", "type", file_kind ? "malware" : "intrusion");
	buf_release(&d);
	int rc = inc_insert(c, o, body, "AMBER", 0, "{}", ran_at, hh->created_by, id, number, e);
	json_decref(body);
	return rc;
}

/* Adds the hits' values as observables of the incident (each once). */
static int add_observables(struct ctx *c, const char *incident_id, const char *created_by,
			   json_t *hits, struct err *e)
{
	size_t k, added = 0;
	json_t *v;
	int64_t now = time_now_ms();
	json_array_foreach(hits, k, v) {
		const char *val = jv_str(v, "indicator");
		const char *kind = observable_kind_of(jv_str(v, "kind"), val);
		char norm[IOC_MAX_VALUE], oid[UUID_LEN];
		if (kind == NULL || added >= HUNT_MAX_OBSERVABLES ||
		    observable_normalise(kind, val, norm, sizeof(norm)) != 0)
			continue;
		struct stmt *st = store_query(c->db, e, "SELECT 1 FROM observables WHERE "
					      "incident_id = $1 AND kind = $2 AND value = $3", "ttt",
					      incident_id, kind, norm);
		int have = st ? stmt_step(st, e) : -1;
		stmt_done(st);
		if (have < 0)
			return -1;
		if (have)
			continue;
		char note[300];
		snprintf(note, sizeof(note), "%.280s", jv_str(v, "path"));
		if (store_run(c->db, e, "INSERT INTO observables (id, incident_id, kind, value, tlp, "
			      "note, created_by, created_at) VALUES ($1,$2,$3,$4,'AMBER',$5,$6,$7)",
			      "tttttti", uuid7(oid), incident_id, kind, norm, note, created_by,
			      now) < 0)
			return -1;
		added++;
	}
	return 0;
}

json_t *hunt_submit(struct ctx *c, const char *id, const struct hunt_result *r, struct err *e)
{
	struct hunt_head hh;
	struct org o;
	char run_id[UUID_LEN], inc_id[UUID_LEN] = "", number[32] = "", host_id[UUID_LEN] = "";
	json_t *j = hunt_load(c, id, &hh, e);
	if (j == NULL)
		return NULL;
	json_decref(j);
	if (strcmp(hh.status, "open") != 0)
		return err_set(e, E_CONFLICT, MSG_HUNT_CLOSED, NULL), NULL;
	if (r->host_id) {   /* an agent: its host's organisation */
		struct stmt *st = store_query(c->db, e, "SELECT o.code FROM hosts h JOIN orgs o ON "
					      "o.id = h.org_id WHERE h.id = $1", "t", r->host_id);
		char code[65] = "";
		if (st && stmt_step(st, e) == 1)
			snprintf(code, sizeof(code), "%s", stmt_text(st, 0));
		stmt_done(st);
		if (code[0] == '\0' || org_by_code(c, code, &o, e) != 0)
			return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
		snprintf(host_id, sizeof(host_id), "%s", r->host_id);
	} else {
		if (policy_check(c->actor, ACT_HUNT_REPORT, NULL, e) != 0)
			return NULL;
		if (r->org_code ? org_by_code(c, r->org_code, &o, e) != 0
				: org_by_id(c, c->actor->org_id, &o, e) != 0) {
			err_clear(e);
			return err_field(e, "/org", MSG_ORG_OUT_OF_SCOPE, r->org_code), NULL;
		}
		struct policy_target t = { .org_path = o.path };
		if (policy_check(c->actor, ACT_HUNT_REPORT, &t, e) != 0) {
			err_clear(e);
			return err_field(e, "/org", MSG_ORG_OUT_OF_SCOPE, r->org_code), NULL;
		}
		struct stmt *st = store_query(c->db, e, "SELECT id FROM hosts WHERE org_id = $1 AND "
					      "hostname = $2", "tt", o.id, r->hostname);
		if (st && stmt_step(st, e) == 1)
			snprintf(host_id, sizeof(host_id), "%s", stmt_text(st, 0));
		stmt_done(st);
	}
	/* The organisation must be a target (or lie below one). */
	struct stmt *st = store_query(c->db, e, "SELECT 1 FROM hunt_targets t JOIN orgs o ON "
				      "o.id = t.org_id WHERE t.hunt_id = $1 AND substr($2, 1, "
				      "length(o.path)) = o.path", "tt", hh.id, o.path);
	int target = st ? stmt_step(st, e) : -1;
	stmt_done(st);
	if (target <= 0)
		return target < 0 ? NULL : (err_set(e, E_CONFLICT, MSG_HUNT_NOT_TARGET, o.code), NULL);

	/* The hits naming an indicator of the set, and that indicator's id
	 * (ids[k] for known[k]). */
	json_t *set = hunt_set(c, hh.id, o.code, e), *known = json_array(), *ids = json_array(), *v;
	json_t *idx = set ? hit_index(set) : NULL;
	if (idx == NULL) {
		if (set)
			err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		json_decref(set);
		json_decref(known);
		json_decref(ids);
		return NULL;
	}
	struct buf key;
	buf_init(&key, IOC_MAX_VALUE + 64);
	size_t k;
	json_array_foreach(r->hits, k, v) {
		const char *ind = hit_indicator(idx, &key, jv_str(v, "kind"), jv_str(v, "indicator"));
		if (ind) {
			json_array_append(known, v);
			json_array_append_new(ids, json_string(ind));
		}
	}
	buf_release(&key);
	json_decref(idx);
	long unknown = (long)(json_array_size(r->hits) - json_array_size(known));
	json_t *out = NULL;
	if (store_begin(c->db, e) != 0)
		goto out;
	if (r->stamp && agent_stamp_take(c, r->stamp, e) != 0)
		goto fail;
	/* An open incident this host's earlier runs filed takes the new hits. */
	if (json_array_size(known)) {
		st = store_query(c->db, e, "SELECT n.id, n.number FROM hunt_runs r JOIN incidents n "
				 "ON n.id = r.incident_id WHERE r.org_id = $1 AND (r.host_id = $2 OR "
				 "r.hostname = $3) AND n.status NOT IN ('closed', 'rejected') "
				 "ORDER BY r.ran_at DESC LIMIT 1", "ttt", o.id, host_id[0] ? host_id : "",
				 r->hostname ? r->hostname : "");
		if (st && stmt_step(st, e) == 1) {
			snprintf(inc_id, sizeof(inc_id), "%s", stmt_text(st, 0));
			snprintf(number, sizeof(number), "%s", stmt_text(st, 1));
		}
		stmt_done(st);
		if (e->code)
			goto fail;
		if (inc_id[0] == '\0' && file_incident(c, &hh, &o, r->hostname ? r->hostname : "?",
							known, r->ran_at, inc_id, number, e) != 0)
			goto fail;
		if (add_observables(c, inc_id, hh.created_by, known, e) != 0 ||
		    inc_event(c, inc_id, "hunt_hits", json_pack("{s:s, s:s, s:I}", "hunt", hh.id,
				"hostname", r->hostname ? r->hostname : "", "hits",
				(json_int_t)json_array_size(known)), e) != 0)
			goto fail;
	}
	if (store_run(c->db, e, "INSERT INTO hunt_runs (id, hunt_id, org_id, host_id, hostname, via, "
		      "files, bytes, errors, hits, incident_id, submitted_by, ran_at, created_at) "
		      "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)", "tttttt" "iiii" "tt" "ii",
		      uuid7(run_id), hh.id, o.id, host_id[0] ? host_id : NULL,
		      r->hostname ? r->hostname : "", r->via, (int64_t)r->files, (int64_t)r->bytes,
		      (int64_t)r->errors, (int64_t)json_array_size(known), inc_id[0] ? inc_id : NULL,
		      r->host_id || c->actor->system ? NULL : c->actor->id, r->ran_at,
		      time_now_ms()) < 0)
		goto fail;
	json_array_foreach(known, k, v) {
		struct sighting s = { .indicator_id = json_string_value(json_array_get(ids, k)),
			.org_id = o.id, .source = "hunt", .host_id = host_id[0] ? host_id : NULL,
			.incident_id = inc_id[0] ? inc_id : NULL, .hunt_id = hh.id, .run_id = run_id,
			.path = jv_str(v, "path"), .line = jv_int(v, "line", 0), .seen_at = r->ran_at,
			.created_by = r->host_id || c->actor->system ? NULL : c->actor->id };
		if (sighting_add(c, &s, e) != 0)
			goto fail;
	}
	out = json_pack("{s:s, s:s, s:I, s:I, s:I, s:o}", "id", run_id, "org_code", o.code,
			"hits", (json_int_t)json_array_size(known),
			"sightings", (json_int_t)json_array_size(known), "unknown", (json_int_t)unknown,
			"incident", inc_id[0] ? json_pack("{s:s, s:s}", "id", inc_id, "number", number)
					      : json_null());
	/* The hunt's issuer may be another instance: it learns the counts. */
	json_t *hook = json_pack("{s:s, s:s, s:s}", "hunt_id", hh.id, "org_id", o.id, "run_id",
				 run_id);
	int hrc = hook ? domain_record_hook(c, "hunt.run", hh.id, hook, e) :
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	json_decref(hook);
	if (hrc != 0 || audit_append_json(c, "hunt.run", "hunt_run", run_id, NULL, out, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	goto out;
fail:
	store_rollback(c->db);
	json_decref(out);
	out = NULL;
out:
	json_decref(set);
	json_decref(known);
	json_decref(ids);
	return out;
}

json_t *hunt_for_agent(struct ctx *c, const char *host_id, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT h.id, h.title, h.deadline, o.code FROM hosts "
		"hs JOIN orgs o ON o.id = hs.org_id JOIN hunt_targets t ON substr(o.path, 1, "
		"length((SELECT path FROM orgs WHERE id = t.org_id))) = (SELECT path FROM orgs WHERE "
		"id = t.org_id) JOIN hunts h ON h.id = t.hunt_id WHERE hs.id = $1 AND h.status = "
		"'open' AND NOT EXISTS (SELECT 1 FROM hunt_runs r WHERE r.hunt_id = h.id AND "
		"r.host_id = hs.id) ORDER BY h.id LIMIT 20", "t", host_id);
	if (st == NULL)
		return NULL;
	json_t *items = json_array(), *v;
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(items, json_pack("{s:s, s:s, s:o, s:s}", "id",
			stmt_text(st, 0), "title", stmt_text(st, 1), "deadline",
			ms_json(stmt_int(st, 2)), "_org", stmt_text(st, 3)));
	stmt_done(st);
	size_t k;
	json_array_foreach(items, k, v) {
		if (rc < 0)
			break;
		struct indicator_export x = { .to_code = jv_str(v, "_org"), .hunt_id = jv_str(v, "id") };
		size_t len;
		char *text = indicator_export(c, IND_STIX, &x, &len, e);
		json_t *rules = text ? json_loadb(text, len, 0, NULL) : NULL;
		free(text);
		if (rules == NULL) {
			rc = -1;
			if (!e->code)
				err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
			break;
		}
		json_object_set_new(v, "rules", rules);
		json_object_del(v, "_org");
	}
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	return json_pack("{s:o}", "items", items);
}
