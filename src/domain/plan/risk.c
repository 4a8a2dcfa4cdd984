/* risk.c - the risk register of each information system (see risk.h). */
#include <stdio.h>
#include <string.h>

#include "risk.h"
#include "plan_scope.h"
#include "../directory/audit.h"
#include "../directory/policy.h"
#include "../incident/incident.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

const char *const risk_threats[] = {
	"dos", "phishing", "malware", "intrusion", "defacement", "encryption",
	"destruction", "espionage", "combined", "other",
	"fault", "operator_error", "disaster", NULL
};

const char *risk_threat_label(const char *code, int lang)
{
	for (const struct label *l = incident_type_labels; l->code; l++)
		if (strcmp(l->code, code) == 0)
			return lang == LANG_EN ? l->en : l->vi;
	if (strcmp(code, "fault") == 0)
		return msg_get(MSG_THREAT_FAULT, lang);
	if (strcmp(code, "operator_error") == 0)
		return msg_get(MSG_THREAT_OPERATOR_ERROR, lang);
	if (strcmp(code, "disaster") == 0)
		return msg_get(MSG_THREAT_DISASTER, lang);
	return code;
}

int risk_score(int likelihood, int impact)
{
	if (likelihood < 1 || likelihood > 5 || impact < 1 || impact > 5)
		return 0;
	return likelihood * impact;
}

int risk_band(int score)
{
	if (score < 1 || score > 25)
		return RISK_BAND_NONE;
	if (score <= 4)
		return RISK_LOW;
	if (score <= 9)
		return RISK_MEDIUM;
	if (score <= 16)
		return RISK_HIGH;
	return RISK_CRITICAL;
}

const char *risk_band_code(int band)
{
	static const char *const codes[] = { "low", "medium", "high", "critical" };
	return band >= RISK_LOW && band <= RISK_CRITICAL ? codes[band] : NULL;
}

/* from + n calendar months, the day clamped to the target month's end. */
static int64_t add_months(int64_t from, int n)
{
	const int64_t day = 86400000;
	int64_t days = from >= 0 ? from / day : -((-from + day - 1) / day);
	int64_t in_day = from - days * day;
	int y;
	unsigned m, d;
	time_civil_from_days(days, &y, &m, &d);
	int total = (int)m - 1 + n;
	y += total / 12;
	m = (unsigned)(total % 12) + 1;
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned last = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		last = 29;
	if (d > last)
		d = last;
	return time_days_from_civil(y, m, d) * day + in_day;
}

int64_t risk_review_due(int level, int64_t from)
{
	if (level >= 5)
		return add_months(from, 6);
	if (level >= 3)
		return add_months(from, 12);
	return add_months(from, 24);
}

/* Threats that ride on a software flaw: open findings make them likelier. */
static int flaw_driven(const char *threat)
{
	static const char *const t[] = { "intrusion", "malware", "encryption", "defacement",
					 "combined", NULL };
	return jv_enum_index(t, threat) >= 0;
}

int risk_suggest(const char *threat, long incidents, long critical_high, long kev)
{
	int l = 1;
	if (incidents >= 1)
		l++;
	if (incidents >= 3)
		l++;
	if (flaw_driven(threat)) {
		if (critical_high > 0)
			l++;
		if (kev > 0)
			l++;
	}
	return l > 5 ? 5 : l;
}

#define RISK_SELECT "SELECT r.id, r.threat, r.likelihood, r.impact, r.controls, r.treatment, " \
	"r.owner, r.review_at, r.version, r.created_at, r.updated_at, s.id, s.name, s.level, " \
	"o.id, o.code, o.name, o.path " \
	"FROM risks r JOIN systems s ON s.id = r.system_id JOIN orgs o ON o.id = r.org_id "
#define RISK_PATH_COL 17

static json_t *risk_row(struct stmt *st)
{
	int l = (int)stmt_int(st, 2), i = (int)stmt_int(st, 3);
	int score = risk_score(l, i);
	const char *band = risk_band_code(risk_band(score));
	return json_pack("{s:s, s:s, s:i, s:i, s:i, s:s?, s:s, s:s, s:s, s:o, s:b, s:I, s:o, s:o, "
		"s:{s:s, s:s, s:o}, s:{s:s, s:s, s:s}}",
		"id", stmt_text(st, 0), "threat", stmt_text(st, 1), "likelihood", l, "impact", i,
		"score", score, "band", band, "controls", stmt_text(st, 4),
		"treatment", stmt_text(st, 5), "owner", stmt_text(st, 6),
		"review_at", plan_time_json(st, 7), "review_overdue", stmt_int(st, 7) < time_now_ms(),
		"version", (json_int_t)stmt_int(st, 8), "created_at", plan_time_json(st, 9),
		"updated_at", plan_time_json(st, 10),
		"system", "id", stmt_text(st, 11), "name", stmt_text(st, 12),
		"level", plan_int_json(st, 13),
		"org", "id", stmt_text(st, 14), "code", stmt_text(st, 15), "name", stmt_text(st, 16));
}

static json_t *risk_load(struct ctx *c, const char *id, char path[LIMIT_ORG_PATH],
			 struct err *e)
{
	return policy_load_one(c, RISK_SELECT "WHERE r.id = $1", id, risk_row, RISK_PATH_COL,
			       ACT_RISK_READ, path, e);
}

json_t *risk_get(struct ctx *c, const char *id, struct err *e)
{
	char path[LIMIT_ORG_PATH];
	return risk_load(c, id, path, e);
}

#define RISK_TEXT_FIELDS \
	{ "controls", JV_STRING, 0, 0, 4000, NULL, NULL }, \
	{ "treatment", JV_STRING, 0, 0, 4000, NULL, NULL }, \
	{ "owner", JV_STRING, 0, 0, 300, NULL, NULL }, \
	{ "review_at", JV_TIME, 0, 0, 0, NULL, NULL }

static const struct jv_field risk_create_fields[] = {
	{ "system_id", JV_UUID, 1, 0, 0, NULL, NULL },
	{ "threat", JV_ENUM, 1, 0, 0, risk_threats, NULL },
	{ "likelihood", JV_INT, 1, 1, 5, NULL, NULL },
	{ "impact", JV_INT, 1, 1, 5, NULL, NULL },
	RISK_TEXT_FIELDS,
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field risk_update_fields[] = {
	{ "threat", JV_ENUM, 0, 0, 0, risk_threats, NULL },
	{ "likelihood", JV_INT, 0, 1, 5, NULL, NULL },
	{ "impact", JV_INT, 0, 1, 5, NULL, NULL },
	RISK_TEXT_FIELDS,
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

/* The system a risk is about: its organisation and level. Unknown or out
 * of the actor's scope alike: a 422 at /system_id (nothing is revealed). */
struct sys_info {
	char org_id[UUID_LEN];
	char path[LIMIT_ORG_PATH];
	int level;
};

static int system_info(struct ctx *c, const char *id, struct sys_info *s, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT s.org_id, o.path, COALESCE(s.level, 0) "
				      "FROM systems s JOIN orgs o ON o.id = s.org_id WHERE s.id = $1",
				      "t", id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(s->org_id, sizeof(s->org_id), "%s", stmt_text(st, 0));
		snprintf(s->path, sizeof(s->path), "%s", stmt_text(st, 1));
		s->level = (int)stmt_int(st, 2);
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (rc == 0 || !policy_in_scope(c->actor, s->path))
		return err_field(e, "/system_id", MSG_NOT_FOUND, NULL);
	return 0;
}

/* 409 when the system has a risk for the threat already (other than id). */
static int threat_free(struct ctx *c, const char *system_id, const char *threat,
		       const char *id, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT 1 FROM risks WHERE system_id = $1 AND "
				      "threat = $2 AND id <> $3", "ttt", system_id, threat, id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	stmt_done(st);
	if (rc < 0)
		return -1;
	return rc == 1 ? err_set(e, E_CONFLICT, MSG_RISK_EXISTS,
				 risk_threat_label(threat, c->lang)) : 0;
}

json_t *risk_create(struct ctx *c, json_t *body, struct err *e)
{
	struct sys_info s;
	char id[UUID_LEN], path[LIMIT_ORG_PATH];
	if (jv_validate(body, risk_create_fields, "", e) != 0)
		return NULL;
	const char *system_id = jv_str(body, "system_id"), *threat = jv_str(body, "threat");
	if (system_info(c, system_id, &s, e) != 0)
		return NULL;
	struct policy_target t = { .org_path = s.path };
	if (policy_check(c->actor, ACT_RISK_WRITE, &t, e) != 0)
		return NULL;
	int64_t now = time_now_ms(), review = 0;
	const char *r = jv_str(body, "review_at");
	if (r == NULL || time_parse(r, &review) != 0)
		review = risk_review_due(s.level, now);
	const char *controls = jv_str(body, "controls"), *treatment = jv_str(body, "treatment");
	const char *owner = jv_str(body, "owner");
	json_t *j = NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	uuid7(id);
	if (threat_free(c, system_id, threat, id, e) != 0 ||
	    store_run(c->db, e, "INSERT INTO risks (id, org_id, system_id, threat, likelihood, "
		      "impact, controls, treatment, owner, review_at, version, created_by, "
		      "created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,1,$11,$12,$12)",
		      "tttt" "ii" "ttt" "i" "t" "i", id, s.org_id, system_id, threat,
		      (int64_t)jv_int(body, "likelihood", 1), (int64_t)jv_int(body, "impact", 1),
		      controls ? controls : "", treatment ? treatment : "", owner ? owner : "",
		      review, c->actor->system ? NULL : c->actor->id, now) < 0 ||
	    (j = risk_load(c, id, path, e)) == NULL ||
	    audit_append_json(c, "risk.create", "risk", id, NULL, j, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		json_decref(j);
		return NULL;
	}
	return j;
}

static int risk_apply(struct ctx *c, const char *id, const char *system_id, json_t *body,
		      struct err *e)
{
	static const char *const texts[] = { "controls", "treatment", "owner", "threat", NULL };
	static const char *const ints[] = { "likelihood", "impact", NULL };
	char sql[96];
	const char *threat = jv_str(body, "threat");
	if (threat && threat_free(c, system_id, threat, id, e) != 0)
		return -1;
	for (int i = 0; texts[i]; i++) {
		const char *v = jv_str(body, texts[i]);
		if (v == NULL)
			continue;
		snprintf(sql, sizeof(sql), "UPDATE risks SET %s = $1 WHERE id = $2", texts[i]);
		if (store_run(c->db, e, sql, "tt", v, id) < 0)
			return -1;
	}
	for (int i = 0; ints[i]; i++) {
		if (json_object_get(body, ints[i]) == NULL || json_is_null(json_object_get(body, ints[i])))
			continue;
		snprintf(sql, sizeof(sql), "UPDATE risks SET %s = $1 WHERE id = $2", ints[i]);
		if (store_run(c->db, e, sql, "it", (int64_t)jv_int(body, ints[i], 1), id) < 0)
			return -1;
	}
	int64_t review;
	const char *r = jv_str(body, "review_at");
	if (r && time_parse(r, &review) == 0 &&
	    store_run(c->db, e, "UPDATE risks SET review_at = $1 WHERE id = $2", "it", review, id) < 0)
		return -1;
	return 0;
}

json_t *risk_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		    struct err *e)
{
	char path[LIMIT_ORG_PATH];
	json_t *before = NULL, *after = NULL;
	if (jv_validate(body, risk_update_fields, "", e) != 0 || store_begin(c->db, e) != 0)
		return NULL;
	if ((before = risk_load(c, id, path, e)) == NULL)
		goto fail;
	struct policy_target t = { .org_path = path };
	if (policy_check(c->actor, ACT_RISK_WRITE, &t, e) != 0)
		goto fail;
	if (if_match < 0) {
		err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL);
		goto fail;
	}
	const char *system_id = json_string_value(json_object_get(json_object_get(before, "system"), "id"));
	if (version_claim(c, "risks", id, if_match, e) != 0 ||
	    risk_apply(c, id, system_id, body, e) != 0 ||
	    store_run(c->db, e, "UPDATE risks SET version = version + 1, updated_at = $1 "
		      "WHERE id = $2", "it", time_now_ms(), id) != 1 ||
	    (after = risk_load(c, id, path, e)) == NULL ||
	    audit_append_json(c, "risk.update", "risk", id, before, after, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	json_decref(before);
	return after;
fail:
	store_rollback(c->db);
	json_decref(before);
	json_decref(after);
	return NULL;
}

json_t *risk_list(struct ctx *c, const char *org_code, const char *system_id, struct err *e)
{
	struct org o;
	if (policy_check(c->actor, ACT_RISK_READ, NULL, e) != 0 ||
	    plan_org_scope(c, org_code, &o, e) != 0)
		return NULL;
	if (system_id && !uuid_valid(system_id))
		return err_field(e, "/system", MSG_BAD_VALUE, system_id), NULL;
	struct stmt *st = store_query(c->db, e, RISK_SELECT "WHERE substr(o.path, 1, length($1)) = $1 "
				      "AND ($2 IS NULL OR r.system_id = $2) "
				      "ORDER BY o.path, s.name, r.likelihood * r.impact DESC, r.threat",
				      "tt", o.path, system_id);
	if (st == NULL)
		return NULL;
	json_t *j = rows_items(st, risk_row, e);
	if (j)
		json_object_set_new(j, "org", org_json(&o));
	return j;
}

/* Runs a two-column (key, count) query with $1 = arg into obj[key] = count. */
static int count_by(struct ctx *c, const char *sql, const char *arg, json_t *obj,
		    struct err *e)
{
	struct stmt *st = store_query(c->db, e, sql, "t", arg);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_object_set_new(obj, stmt_text(st, 0) ? stmt_text(st, 0) : "none",
				    json_integer(stmt_int(st, 1)));
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

static long obj_int(json_t *o, const char *k)
{
	return (long)json_integer_value(json_object_get(o, k));
}

json_t *risk_hints(struct ctx *c, const char *system_id, struct err *e)
{
	struct sys_info s;
	if (!uuid_valid(system_id))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	if (system_info(c, system_id, &s, e) != 0) {
		err_clear(e);
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	}
	struct policy_target t = { .org_path = s.path };
	if (policy_check(c->actor, ACT_RISK_READ, &t, e) != 0)
		return NULL;
	json_t *inc = json_object(), *sev = json_object(), *kev = json_object(), *warn = json_object();
	json_t *j = NULL;
	if (count_by(c, "SELECT type, COUNT(*) FROM incidents WHERE org_id = $1 AND "
		     "status <> 'rejected' GROUP BY type", s.org_id, inc, e) != 0 ||
	    count_by(c, "SELECT f.severity, COUNT(*) FROM findings f JOIN hosts h ON h.id = f.host_id "
		     "WHERE h.system_id = $1 AND h.retired_at IS NULL AND f.status = 'open' "
		     "GROUP BY f.severity", system_id, sev, e) != 0 ||
	    count_by(c, "SELECT 'open', COUNT(*) FROM findings f JOIN hosts h ON h.id = f.host_id "
		     "WHERE h.system_id = $1 AND h.retired_at IS NULL AND f.status = 'open' "
		     "AND f.kev = 1", system_id, kev, e) != 0 ||
	    count_by(c, "SELECT 'open', COUNT(*) FROM warning_targets WHERE org_id = $1 AND "
		     "fixed_at IS NULL AND NOT EXISTS (SELECT 1 FROM warning_withdrawals ww WHERE "
		     "ww.warning_id = warning_targets.warning_id)", s.org_id, warn, e) != 0)
		goto out;
	long crit_high = obj_int(sev, "critical") + obj_int(sev, "high"), k = obj_int(kev, "open");
	json_t *suggest = json_object();
	for (int i = 0; risk_threats[i]; i++)
		json_object_set_new(suggest, risk_threats[i],
				    json_integer(risk_suggest(risk_threats[i],
							      obj_int(inc, risk_threats[i]),
							      crit_high, k)));
	char due[TIME_RFC3339_LEN];
	j = json_pack("{s:s, s:i, s:O, s:O, s:I, s:I, s:o, s:s}", "system_id", system_id,
		      "level", s.level, "incidents_by_type", inc, "open_findings_by_severity", sev,
		      "known_exploited", (json_int_t)k, "warnings_open", (json_int_t)obj_int(warn, "open"),
		      "suggested_likelihood", suggest,
		      "review_due", time_format_utc(risk_review_due(s.level, time_now_ms()), due));
out:
	json_decref(inc);
	json_decref(sev);
	json_decref(kev);
	json_decref(warn);
	return j;
}

json_t *risk_heatmap(struct ctx *c, const char *org_code, struct err *e)
{
	struct org o;
	if (policy_check(c->actor, ACT_RISK_READ, NULL, e) != 0 ||
	    plan_org_scope(c, org_code, &o, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT r.likelihood, r.impact, COUNT(*) FROM risks r "
				      "JOIN orgs o ON o.id = r.org_id WHERE substr(o.path, 1, "
				      "length($1)) = $1 GROUP BY r.likelihood, r.impact", "t", o.path);
	if (st == NULL)
		return NULL;
	long grid[5][5] = { { 0 } }, bands[4] = { 0 }, total = 0;
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		int l = (int)stmt_int(st, 0), i = (int)stmt_int(st, 1);
		long n = (long)stmt_int(st, 2);
		int b = risk_band(risk_score(l, i));
		if (b == RISK_BAND_NONE)
			continue;
		grid[l - 1][i - 1] += n;
		bands[b] += n;
		total += n;
	}
	stmt_done(st);
	if (rc < 0)
		return NULL;
	json_t *g = json_array(), *cells = json_array();
	for (int l = 0; l < 5; l++) {
		json_t *row = json_array();
		for (int i = 0; i < 5; i++) {
			json_array_append_new(row, json_integer(grid[l][i]));
			json_array_append_new(cells, json_pack("{s:i, s:i, s:i, s:s, s:I}",
				"likelihood", l + 1, "impact", i + 1, "score", risk_score(l + 1, i + 1),
				"band", risk_band_code(risk_band(risk_score(l + 1, i + 1))),
				"count", (json_int_t)grid[l][i]));
		}
		json_array_append_new(g, row);
	}
	json_t *b = json_object();
	for (int i = RISK_LOW; i <= RISK_CRITICAL; i++)
		json_object_set_new(b, risk_band_code(i), json_integer(bands[i]));
	return json_pack("{s:o, s:o, s:o, s:o, s:I}", "org", org_json(&o), "grid", g,
			 "cells", cells, "bands", b, "total", (json_int_t)total);
}
