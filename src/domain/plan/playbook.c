/* playbook.c - an approved plan's scenario as tasks on an incident (playbook.h). */
#include <stdio.h>
#include <string.h>

#include "playbook.h"
#include "../incident/incident.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

void playbook_install(void)
{
	incident_on_classify(playbook_on_classify);
}

static const json_t *scenario_of(const json_t *scenarios, const char *type)
{
	size_t i;
	const json_t *s;
	json_array_foreach(scenarios, i, s) {
		const char *t = jv_str(s, "threat");
		if (t && strcmp(t, type) == 0)
			return s;
	}
	return NULL;
}

json_t *playbook_task_titles(const json_t *scenarios, const char *type)
{
	json_t *out = json_array();
	if (out == NULL || type == NULL)
		return out;
	const json_t *s = scenario_of(scenarios, type);
	size_t i;
	const json_t *st;
	char title[LIMIT_SHORT_TEXT + 1];
	json_array_foreach(json_object_get(s, "steps"), i, st) {
		if (i >= LIMIT_PLAN_STEPS)
			break;
		const char *text = jv_str(st, "text");
		if (text == NULL || *text == '\0')
			continue;
		/* The text is at most LIMIT_PLAN_STEP_TEXT bytes (checked when the
		 * plan was edited): the number fits before it. */
		snprintf(title, sizeof(title), "%zu. %s", i + 1, text);
		json_array_append_new(out, json_string(title));
	}
	return out;
}

/* The approved plan of the system (its own) or else of the organisation:
 * its scenarios and id, or plan_id "" when there is none. */
static json_t *approved_plan(struct ctx *c, const char *org_id, const char *system_id,
			     char plan_id[UUID_LEN], struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT id, scenarios FROM plans WHERE org_id = $1 "
		"AND (system_id IS NULL OR system_id = $2) AND status = 'approved' "
		"ORDER BY CASE WHEN system_id IS NULL THEN 1 ELSE 0 END, number DESC LIMIT 1", "tt",
		org_id, system_id);
	if (st == NULL)
		return NULL;
	json_t *sc = NULL;
	int rc = stmt_step(st, e);
	plan_id[0] = '\0';
	if (rc == 1) {
		snprintf(plan_id, UUID_LEN, "%s", stmt_text(st, 0));
		sc = json_loads(stmt_text(st, 1), 0, NULL);
	}
	stmt_done(st);
	if (rc < 0)
		return NULL;
	return sc ? sc : json_array();
}

static int already_applied(struct ctx *c, const char *incident_id, const char *type,
			   struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT 1 FROM playbook_runs WHERE incident_id = $1 "
				      "AND threat = $2", "tt", incident_id, type);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	stmt_done(st);
	return rc;
}

int playbook_on_classify(struct ctx *c, const char *incident_id, const char *org_id,
			 const char *system_id, const char *type, struct err *e)
{
	char plan_id[UUID_LEN];
	if (type == NULL)
		return 0;
	int seen = already_applied(c, incident_id, type, e);
	if (seen != 0)
		return seen < 0 ? -1 : 0;
	json_t *scenarios = approved_plan(c, org_id, system_id, plan_id, e);
	if (scenarios == NULL)
		return -1;
	if (plan_id[0] == '\0') {   /* no approved plan yet: nothing to apply, nothing kept */
		json_decref(scenarios);
		return 0;
	}
	json_t *titles = playbook_task_titles(scenarios, type);
	const json_t *sc = scenario_of(scenarios, type);
	int rc = titles ? 0 : err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	size_t i, k = 0;
	const json_t *st;
	json_array_foreach(json_object_get(sc, "steps"), i, st) {
		if (rc != 0 || k >= json_array_size(titles))
			break;
		const char *text = jv_str(st, "text");
		if (text == NULL || *text == '\0')
			continue;
		char tid[UUID_LEN];
		const char *title = json_string_value(json_array_get(titles, k++));
		if (incident_task_insert(c, incident_id, title, tid, e) != 0 ||
		    store_run(c->db, e, "INSERT INTO playbook_tasks (task_id, incident_id, plan_id, "
			      "threat, step, phase) VALUES ($1,$2,$3,$4,$5,$6)", "ttttit", tid,
			      incident_id, plan_id, type, (int64_t)(i + 1), jv_str(st, "phase")) != 1)
			rc = -1;
	}
	if (rc == 0 && store_run(c->db, e, "INSERT INTO playbook_runs (incident_id, threat, plan_id, "
				 "tasks, created_at) VALUES ($1,$2,$3,$4,$5)", "tttii", incident_id,
				 type, plan_id, (int64_t)k, time_now_ms()) != 1)
		rc = -1;
	json_decref(titles);
	json_decref(scenarios);
	return rc;
}

static json_t *step_row(struct stmt *st)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:b, s:{s:s, s:I}}",
		"threat", stmt_text(st, 0), "step", (json_int_t)stmt_int(st, 1),
		"phase", stmt_text(st, 2), "task_id", stmt_text(st, 3), "title", stmt_text(st, 4),
		"done", (int)stmt_int(st, 5), "plan", "id", stmt_text(st, 6),
		"number", (json_int_t)stmt_int(st, 7));
}

json_t *playbook_for_incident(struct ctx *c, const char *incident_id, struct err *e)
{
	/* The incident's own read rule (scope, support) decides. */
	json_t *inc = incident_get(c, incident_id, 0, e);
	if (inc == NULL)
		return NULL;
	json_decref(inc);
	struct stmt *st = store_query(c->db, e, "SELECT pt.threat, pt.step, pt.phase, t.id, t.title, "
		"t.done, p.id, p.number FROM playbook_tasks pt JOIN tasks t ON t.id = pt.task_id "
		"JOIN plans p ON p.id = pt.plan_id WHERE pt.incident_id = $1 "
		"ORDER BY pt.threat, pt.step", "t", incident_id);
	return st ? rows_items(st, step_row, e) : NULL;
}
