/*
 * kinds.c - the kinds of envelope (kinds.h): the table the core checks
 * relations against, the incident hook that queues what a local change
 * means to the peers (in the change's own transaction), and apply() for
 * each kind, which writes records of our own and never edits a record
 * another instance owns.
 *
 * Idempotence: every apply looks its record up by the origin's id
 * (sync_map_get) first and, when it is there and unchanged, does nothing.
 * Routing: whatever an apply forwards carries `via` = the peer it came
 * from, so the core never sends it back there.
 *
 * The records the other side writes here are made by a person of its own
 * in our directory: one disabled account per peer ("sync-<peer row id>",
 * full name "Từ cấp dưới: <peer>" / "Từ cấp trên: <peer>") in our home
 * organisation, so every record keeps a real created_by and shows where it
 * came from; nobody can log in as it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "kinds.h"
#include "../domain/directory/org.h"
#include "../domain/duty/notify_rules.h"
#include "../domain/incident/incident.h"
#include "../domain/ioc/hunt.h"
#include "../domain/ioc/indicator.h"
#include "../domain/directory/policy.h"
#include "../domain/ioc/ioc.h"
#include "../base/arena.h"
#include "../base/crypto.h"
#include "../base/log.h"
#include "../base/jsonv.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/banned.h"

/* ---- small helpers ---- */

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A string member no longer than max bytes, or NULL (missing or bad). */
static const char *bstr(const json_t *o, const char *k, size_t max)
{
	const char *s = str(o, k);
	return s && strlen(s) <= max ? s : NULL;
}

static int bad(struct err *e, const char *what)
{
	return err_set(e, E_INVALID, MSG_SYNC_BAD_PAYLOAD, what);
}

/* An RFC 3339 member as ms; dflt when missing or null; -1 when bad. */
static int ms_of(const json_t *o, const char *k, int64_t dflt, int64_t *out)
{
	const char *s = str(o, k);
	*out = dflt;
	return s ? time_parse(s, out) : 0;
}

static json_t *ms_or_null(int64_t ms)
{
	char buf[TIME_RFC3339_LEN];
	return ms ? json_string(time_format_utc(ms, buf)) : json_null();
}

/* A JSON member kept as text (its compact dump) or dflt. */
static char *dump_or(const json_t *o, const char *k, const char *dflt)
{
	json_t *v = json_object_get(o, k);
	return v && !json_is_null(v) ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
				     : strdup(dflt);
}

/* The disabled account that stands for peer p here (made once). */
static int peer_user(struct ctx *c, const struct sync_peer *p, char uid[UUID_LEN], struct err *e)
{
	char username[64], full[160];
	snprintf(username, sizeof(username), "sync-%s", p->id);
	struct stmt *st = store_query(c->db, e, "SELECT id FROM users WHERE username = $1", "t",
				      username);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		snprintf(uid, UUID_LEN, "%s", stmt_text(st, 0));
	stmt_done(st);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	struct org home;
	if (org_home(c, &home, e) != 0)
		return -1;
	msg_format(p->relation == SYNC_CHILD ? MSG_SYNC_FROM_BELOW : MSG_SYNC_FROM_ABOVE, LANG_VI,
		   p->name, full, sizeof(full));
	return store_run(c->db, e, "INSERT INTO users (id, username, org_id, roles, full_name, "
			 "pw_hash, disabled, created_at) VALUES ($1,$2,$3,'',$4,'!',1,$5)",
			 "tttti", uuid7(uid), username, home.id, full, time_now_ms()) < 0 ? -1 : 0;
}

/* A timeline event on a local incident and its rev + 1 (caches). */
static int touch(struct ctx *c, const char *incident_id, const char *actor, const char *kind,
		 json_t *data, struct err *e)
{
	char id[UUID_LEN];
	char *text = json_dumps(data, JSON_COMPACT);
	json_decref(data);
	int64_t now = time_now_ms();
	int rc = text == NULL ? err_set(e, E_NOMEM, MSG_INTERNAL, NULL) :
		store_run(c->db, e, "INSERT INTO events (id, incident_id, at, actor_id, kind, data) "
			  "VALUES ($1,$2,$3,$4,$5,$6)", "tti" "ttt", uuid7(id), incident_id, now,
			  actor, kind, text) < 0 ||
		store_run(c->db, e, "UPDATE incidents SET rev = rev + 1, updated_at = $1 WHERE id = $2",
			  "it", now, incident_id) < 0 ? -1 : 0;
	free(text);
	return rc;
}

/* Which incident of another instance a local one mirrors: 0 with peer_id
 * and remote_id, 1 not a mirror, -1. */
static int mirror_of(struct ctx *c, const char *incident_id, char peer_id[UUID_LEN],
		     char remote_id[UUID_LEN], struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT peer_id, remote_id FROM sync_mirrors "
				      "WHERE incident_id = $1", "t", incident_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(peer_id, UUID_LEN, "%s", stmt_text(st, 0));
		snprintf(remote_id, UUID_LEN, "%s", stmt_text(st, 1));
	}
	stmt_done(st);
	return rc < 0 ? -1 : rc == 1 ? 0 : 1;
}

static int emit_hunt_summaries(struct ctx *c, const char *hunt_id, struct err *e);
static int apply_indicator(struct ctx *c, const struct sync_peer *from, json_t *payload,
			   struct err *e);

/* ---- up: what a local incident's change queues ---- */

/* The peers an incident is escalated to: those hosting an organisation it
 * asked for support (any state), with the organisation asked; as a JSON
 * array of {peer_id, org_id} without repeats of a peer. */
static json_t *escalated_to(struct ctx *c, const char *incident_id, struct err *e)
{
	json_t *out = json_array();
	struct stmt *st = store_query(c->db, e, "SELECT DISTINCT to_org_id FROM support_requests "
				      "WHERE incident_id = $1 ORDER BY to_org_id", "t", incident_id);
	if (st == NULL)
		return json_decref(out), NULL;
	json_t *orgs = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(orgs, json_string(stmt_text(st, 0)));
	stmt_done(st);
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		if (rc < 0)
			break;
		struct sync_peer p;
		int r = sync_peer_for_org(c, json_string_value(o), &p, e);
		if (r < 0) {
			rc = -1;
			break;
		}
		if (r == 1)
			continue;
		int seen = 0;
		json_t *x;
		size_t k;
		json_array_foreach(out, k, x)
			seen |= strcmp(str(x, "peer_id"), p.id) == 0;
		if (!seen)
			json_array_append_new(out, json_pack("{s:s, s:O}", "peer_id", p.id, "org_id", o));
	}
	json_decref(orgs);
	if (rc < 0)
		return json_decref(out), NULL;
	return out;
}

/* Emits kind to every peer the incident is escalated to; payload made per
 * peer by make(inc, to_org_id, arg) (NULL: nothing for that one). */
static int to_escalated(struct ctx *c, const char *incident_id, const char *kind,
			json_t *(*make)(struct ctx *, const json_t *, const char *, const void *),
			const void *arg, const char *via, struct err *e)
{
	json_t *peers = escalated_to(c, incident_id, e);
	if (peers == NULL)
		return -1;
	if (json_array_size(peers) == 0)
		return json_decref(peers), 0;
	json_t *inc = incident_get(c, incident_id, 1, e);
	int rc = inc ? 0 : -1;
	size_t i;
	json_t *x;
	json_array_foreach(peers, i, x) {
		struct sync_peer p;
		if (rc != 0 || sync_peer_get(c, str(x, "peer_id"), &p, e) != 0) {
			rc = -1;
			break;
		}
		json_t *payload = make(c, inc, str(x, "org_id"), arg);
		if (payload) {
			rc = sync_emit(c, &p, kind, payload, via, e);
			json_decref(payload);
		}
	}
	json_decref(inc);
	json_decref(peers);
	return rc;
}

static json_t *make_update(struct ctx *c, const json_t *inc, const char *to_org, const void *arg)
{
	(void)c;
	(void)arg;
	return json_pack("{s:o}", "incident", sync_share_incident(inc, to_org));
}

static json_t *make_status(struct ctx *c, const json_t *inc, const char *to_org, const void *arg)
{
	(void)c;
	(void)to_org;
	const json_t *moved = arg;
	return json_pack("{s:s?, s:s?, s:s?, s:s?, s:o}", "incident_id", str(inc, "id"),
			 "number", str(inc, "number"), "from", str(moved, "from"),
			 "to", str(moved, "to"), "at", ms_or_null(time_now_ms()));
}

static json_t *make_report(struct ctx *c, const json_t *inc, const char *to_org, const void *arg)
{
	(void)c;
	json_t *rep = sync_share_report(arg, str(inc, "id"));
	return rep ? json_pack("{s:o, s:o}", "report", rep, "incident",
			       sync_share_incident(inc, to_org)) : NULL;
}

/* The legal reports that go to the level above (regulation.md §2 T1-T6). */
static int legal_report(const char *kind)
{
	static const char *const kinds[] = { "notification", "initial", "progress", "closing",
					     "direction_request", NULL };
	for (size_t i = 0; kind && kinds[i]; i++)
		if (strcmp(kinds[i], kind) == 0)
			return 1;
	return 0;
}

static int emit_support_request(struct ctx *c, const char *incident_id, const json_t *rec,
				const char *via, struct err *e)
{
	json_t *to = json_object_get(rec, "to_org");
	struct sync_peer p;
	int r = sync_peer_for_org(c, str(to, "id"), &p, e);
	if (r != 0)
		return r < 0 ? -1 : 0;   /* the organisation asked lives here */
	json_t *inc = incident_get(c, incident_id, 1, e);
	if (inc == NULL)
		return -1;
	/* The request as its record stands (due_at from the list). */
	json_t *due = json_null(), *s;
	size_t i;
	json_array_foreach(json_object_get(inc, "support_requests"), i, s)
		if (str(s, "id") && str(rec, "id") && strcmp(str(s, "id"), str(rec, "id")) == 0 &&
		    json_object_get(s, "due_at"))
			due = json_object_get(s, "due_at");
	json_t *payload = json_pack("{s:{s:s?, s:s?, s:s?, s:s?, s:O, s:s?}, s:o}",
		"request", "id", str(rec, "id"), "summary", str(rec, "summary"),
		"help_needed", str(rec, "help_needed"), "urgency", str(rec, "urgency"),
		"due_at", due, "to_org_code", str(to, "code"),
		"incident", sync_share_incident(inc, str(to, "id")));
	int rc = payload ? sync_emit(c, &p, SK_SUPPORT_REQUEST, payload, via, e) : bad(e, "request");
	json_decref(payload);
	json_decref(inc);
	return rc;
}

/* The parent's own records on a mirror that answer the origin. */
static int emit_answer(struct ctx *c, const char *incident_id, const char *peer_id,
		       const char *remote_id, const char *kind, const char *record_id,
		       const json_t *rec, const char *via, struct err *e)
{
	struct sync_peer p;
	json_t *payload = NULL;
	const char *what = NULL;
	(void)incident_id;
	if (strcmp(kind, "comment") == 0) {
		const char *ck = str(rec, "kind");
		what = ck && strcmp(ck, "direction") == 0 ? SK_DIRECTION : SK_COMMENT;
		const struct actor *a = c->actor;
		payload = json_pack("{s:s, s:s, s:s?, s:o, s:{s:s, s:s}}", "id", record_id,
				    "incident_id", remote_id, "body", str(rec, "body"),
				    "at", ms_or_null(time_now_ms()), "by", "name",
				    a && a->full_name[0] ? a->full_name : a ? a->username : "",
				    "username", a ? a->username : "");
	} else if (strcmp(kind, "support_request_update") == 0) {
		char peer[UUID_LEN], rid[UUID_LEN];
		int r = sync_map_origin(c, "support_request", record_id, peer, rid, e);
		if (r != 0)
			return r < 0 ? -1 : 0;   /* a request of our own on the mirror */
		what = SK_SUPPORT_ANSWER;
		payload = json_pack("{s:s, s:s, s:s?, s:s?, s:o}", "request_id", rid,
				    "incident_id", remote_id, "status", str(rec, "status"),
				    "note", str(rec, "note"), "at", ms_or_null(time_now_ms()));
	} else {
		return 0;   /* tasks, assignments, observables of ours: they stay */
	}
	if (payload == NULL)
		return bad(e, kind);
	int rc = sync_peer_get(c, peer_id, &p, e) != 0 ? -1 :
		sync_emit(c, &p, what, payload, via, e);
	json_decref(payload);
	return rc;
}

static int on_record(struct ctx *c, const char *incident_id, const char *kind,
		     const char *record_id, const json_t *rec, const char *via, struct err *e)
{
	char peer[UUID_LEN], remote[UUID_LEN];
	int m = mirror_of(c, incident_id, peer, remote, e);
	if (m < 0)
		return -1;
	if (m == 0) {
		/* On a mirror: our answers go to its origin; a support request
		 * we make on it goes further up (never back down). */
		if (strcmp(kind, "support_request") == 0)
			return emit_support_request(c, incident_id, rec, via ? via : peer, e);
		return emit_answer(c, incident_id, peer, remote, kind, record_id, rec, via, e);
	}
	if (strcmp(kind, "support_request") == 0)
		return emit_support_request(c, incident_id, rec, via, e);
	if (strcmp(kind, "transition") == 0)
		return to_escalated(c, incident_id, SK_INCIDENT_STATUS, make_status, rec, via, e);
	if (strcmp(kind, "updated") == 0 || strcmp(kind, "observable") == 0 ||
	    strcmp(kind, "attachment") == 0)
		return to_escalated(c, incident_id, SK_INCIDENT_UPDATE, make_update, NULL, via, e);
	if (strcmp(kind, "report") == 0 && legal_report(str(rec, "kind")))
		return to_escalated(c, incident_id, SK_REPORT, make_report, rec, via, e);
	if (strcmp(kind, "support_request_update") == 0 && str(rec, "status") &&
	    strcmp(str(rec, "status"), "done") == 0) {
		/* The asker closes what the other side accepted: it learns. */
		struct sync_peer p;
		int r = sync_peer_for_org(c, str(json_object_get(rec, "to_org"), "id"), &p, e);
		if (r != 0)
			return r < 0 ? -1 : 0;
		json_t *payload = json_pack("{s:s, s:s, s:s?, s:o}", "request_id", record_id,
					    "incident_id", incident_id, "note", str(rec, "note"),
					    "at", ms_or_null(time_now_ms()));
		int rc = payload ? sync_emit(c, &p, SK_SUPPORT_DONE, payload, via, e) : bad(e, kind);
		json_decref(payload);
		return rc;
	}
	return 0;
}

int sync_kinds_on_record(struct ctx *c, const char *incident_id, const char *kind,
			 const char *record_id, const json_t *rec, struct err *e)
{
	return on_record(c, incident_id, kind, record_id, rec, NULL, e);
}

/* ---- what other domains' changes queue ---- */

/* The children hosting each code of list (strings or {org: {code}}): an
 * object peer id -> [codes]. */
static json_t *children_for_codes(struct ctx *c, const json_t *list, struct err *e)
{
	json_t *per = json_object(), *v;
	size_t i;
	json_array_foreach(list, i, v) {
		const char *code = json_is_string(v) ? json_string_value(v) :
			str(json_object_get(v, "org") ? json_object_get(v, "org") : v, "code");
		struct org o;
		struct sync_peer p;
		if (code == NULL || org_by_code(c, code, &o, e) != 0) {
			err_clear(e);
			continue;
		}
		int r = sync_peer_for_org(c, o.id, &p, e);
		if (r < 0)
			return json_decref(per), NULL;
		if (r == 1 || p.relation != SYNC_CHILD)
			continue;
		json_t *codes = json_object_get(per, p.id);
		if (codes == NULL)
			json_object_set_new(per, p.id, codes = json_array());
		if (!json_has_string(codes, code))
			json_array_append_new(codes, json_string(code));
	}
	return per;
}

/* A list of codes (JSON array of strings) as a NULL-terminated array
 * pointing into it (at most n - 1). */
static void codes_of(const json_t *codes, const char **out, size_t n)
{
	size_t k = 0, i;
	json_t *v;
	json_array_foreach(codes, i, v)
		if (k + 1 < n && json_is_string(v))
			out[k++] = json_string_value(v);
	out[k] = NULL;
}

/* indicator.retract of our indicator id to every child but those in
 * except (an object peer id -> ..., may be NULL) and via. */
static int retract_children(struct ctx *c, const char *id, const json_t *except,
			    const char *via, struct err *e)
{
	struct sync_peer *kids = NULL;
	size_t n = 0;
	if (sync_peers(c, SYNC_CHILD, &kids, &n, e) != 0)
		return -1;
	json_t *rev = json_pack("{s:s}", "id", id);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (except == NULL || json_object_get(except, kids[i].id) == NULL)
			rc = sync_emit(c, &kids[i], SK_INDICATOR_RETRACT, rev, via, e);
	json_decref(rev);
	free(kids);
	return rc;
}

static int emit_indicator(struct ctx *c, const char *id, const json_t *rec, struct err *e)
{
	char from[UUID_LEN];
	int r = sync_map_origin(c, "indicator", id, from, NULL, e);
	if (r < 0)
		return -1;
	const char *via = r == 0 ? from : NULL;
	const char *tlp = str(rec, "tlp");
	if (tlp && tlp_parse(tlp) == TLP_AMBER) {
		/* To the children hosting the organisations it names. */
		json_t *per = children_for_codes(c, json_object_get(rec, "share_with"), e);
		if (per == NULL)
			return -1;
		const char *pid;
		json_t *codes;
		int rc = 0;
		json_object_foreach(per, pid, codes) {
			const char *list[LIMIT_ARRAY_ITEMS + 1];
			struct sync_peer p;
			codes_of(codes, list, LIMIT_ARRAY_ITEMS + 1);
			json_t *payload = sync_share_indicator(rec, list);
			if (payload && (sync_peer_get(c, pid, &p, e) != 0 ||
					sync_emit(c, &p, SK_INDICATOR, payload, via, e) != 0))
				rc = -1;
			json_decref(payload);
			if (rc)
				break;
		}
		/* An edit to AMBER: the children it does not name may hold it
		 * from before (GREEN): theirs is taken back. */
		if (rc == 0 && json_integer_value(json_object_get(rec, "version")) > 1)
			rc = retract_children(c, id, per, via, e);
		json_decref(per);
		return rc;
	}
	json_t *payload = sync_share_indicator(rec, NULL);
	if (payload == NULL) {
		/* It stays. An edit that tightened its label (GREEN -> RED...)
		 * takes back what may have gone: the children's copies are
		 * deleted (a child that never had it ignores the retraction). */
		if (json_integer_value(json_object_get(rec, "version")) <= 1)
			return 0;
		return retract_children(c, id, NULL, via, e);
	}
	int rc = sync_emit_all(c, SYNC_CHILD, SK_INDICATOR, payload, via, e);
	json_decref(payload);
	return rc;
}

static int emit_targeted(struct ctx *c, const char *kind, const json_t *rec, json_t *payload,
			 struct err *e)
{
	json_t *per = children_for_codes(c, json_object_get(rec, "targets"), e);
	if (per == NULL)
		return -1;
	const char *pid;
	json_t *codes;
	int rc = 0;
	json_object_foreach(per, pid, codes) {
		struct sync_peer p;
		json_t *copy = json_copy(payload);
		json_object_set(copy, "targets", codes);
		rc = sync_peer_get(c, pid, &p, e) != 0 ? -1 : sync_emit(c, &p, kind, copy, NULL, e);
		json_decref(copy);
		if (rc)
			break;
	}
	json_decref(per);
	return rc;
}

/* A hunt's payload: what it asks and the indicators it sweeps for that
 * may travel (each as the indicator kind shares it). */
static json_t *hunt_payload(struct ctx *c, const char *id, const json_t *rec, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT i.id, i.kind, i.value, i.tlp, i.name, "
				      "i.pattern_type FROM hunt_indicators h JOIN indicators i ON "
				      "i.id = h.indicator_id WHERE h.hunt_id = $1 ORDER BY i.id LIMIT 500",
				      "t", id);
	if (st == NULL)
		return NULL;
	json_t *inds = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		json_t *ind = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", stmt_text(st, 0),
					"kind", stmt_text(st, 1), "value", stmt_text(st, 2),
					"tlp", stmt_text(st, 3), "name", stmt_text(st, 4),
					"pattern_type", stmt_text(st, 5));
		json_t *s = sync_share_indicator(ind, NULL);
		json_decref(ind);
		if (s)
			json_array_append_new(inds, s);
	}
	stmt_done(st);
	if (rc < 0)
		return json_decref(inds), NULL;
	return json_pack("{s:s, s:s?, s:s?, s:O?, s:o}", "id", id, "title", str(rec, "title"),
			 "description", str(rec, "description"), "deadline",
			 json_object_get(rec, "deadline"), "indicators", inds);
}

int sync_kinds_on_domain(struct ctx *c, const char *entity, const char *id, const json_t *rec,
			 struct err *e)
{
	if (strcmp(entity, "indicator") == 0)
		return emit_indicator(c, id, rec, e);
	if (strcmp(entity, "indicator.delete") == 0) {
		json_t *payload = json_pack("{s:s}", "id", id);
		int rc = sync_emit_all(c, SYNC_CHILD, SK_INDICATOR_REVOKE, payload, NULL, e);
		json_decref(payload);
		return rc;
	}
	if (strcmp(entity, "warning") == 0) {
		static const char *const keys[] = { "id", "source", "reference", "title", "body",
						    "cves", "products", "severity", "deadline",
						    "created_at", NULL };
		json_t *payload = json_object();
		for (size_t i = 0; keys[i]; i++) {
			json_t *v = json_object_get(rec, keys[i]);
			if (v)
				json_object_set(payload, keys[i], v);
		}
		int rc = emit_targeted(c, SK_WARNING, rec, payload, e);
		json_decref(payload);
		return rc;
	}
	if (strcmp(entity, "warning.withdraw") == 0) {
		/* Down to the children's instances hosting its targets: their
		 * copies show it withdrawn and stop their clocks. */
		json_t *wd = json_object_get(rec, "withdrawn");
		json_t *payload = json_pack("{s:s, s:s?, s:O?}", "id", id, "reason",
					    str(wd, "reason"), "at", json_object_get(wd, "at"));
		int rc = payload ? emit_targeted(c, SK_WARNING_WITHDRAW, rec, payload, e) :
			bad(e, SK_WARNING_WITHDRAW);
		json_decref(payload);
		return rc;
	}
	if (strcmp(entity, "hunt.close") == 0) {
		/* A copy from above, closed here: the last summary goes up. */
		int r = sync_map_origin(c, "hunt", id, NULL, NULL, e);
		if (r <= 0)
			return r < 0 ? -1 : emit_hunt_summaries(c, id, e);
		/* Ours: the copies the children made close too. */
		json_t *payload = json_pack("{s:s, s:O?}", "id", id, "at",
					    json_object_get(rec, "updated_at"));
		int rc = payload ? emit_targeted(c, SK_HUNT_CLOSE, rec, payload, e)
				 : bad(e, SK_HUNT_CLOSE);
		json_decref(payload);
		return rc;
	}
	if (strcmp(entity, "hunt.run") == 0)
		return emit_hunt_summaries(c, id, e);
	if (strcmp(entity, "hunt") == 0) {
		json_t *payload = hunt_payload(c, id, rec, e);
		if (payload == NULL)
			return -1;
		int rc = emit_targeted(c, SK_HUNT, rec, payload, e);
		json_decref(payload);
		return rc;
	}
	if (strcmp(entity, "sighting") == 0) {
		/* Only of an indicator a parent shared: it learns where it was seen. */
		char peer[UUID_LEN], remote[UUID_LEN];
		int r = sync_map_origin(c, "indicator", str(rec, "indicator_id"), peer, remote, e);
		if (r != 0)
			return r < 0 ? -1 : 0;
		struct org o;
		struct sync_peer p;
		if (org_by_id(c, str(rec, "org_id"), &o, e) != 0 || sync_peer_get(c, peer, &p, e) != 0)
			return -1;
		json_t *payload = sync_share_sighting(rec, remote, o.code);
		int rc = payload ? sync_emit(c, &p, SK_SIGHTING, payload, NULL, e) : 0;
		json_decref(payload);
		return rc;
	}
	if (strcmp(entity, "periodic") == 0) {
		json_t *payload = sync_share_periodic(rec);
		int rc = payload ? sync_emit_all(c, SYNC_PARENT, SK_PERIODIC, payload, NULL, e) : 0;
		json_decref(payload);
		return rc;
	}
	return 0;
}

/* ---- apply: up kinds, on the parent ---- */

static const char *const shared_form_keys[] = {
	"reporter", "contact", "system", "handling_status", "detection_method", "notified",
	"details", "support_needed", NULL
};

/* Replaces the mirror's clocks by the origin's. */
static int mirror_clocks(struct ctx *c, const char *incident_id, const json_t *inc,
			 struct err *e)
{
	if (store_run(c->db, e, "DELETE FROM deadlines WHERE incident_id = $1", "t",
		      incident_id) < 0)
		return -1;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(inc, "deadlines"), i, d) {
		int64_t due, met;
		const char *kind = bstr(d, "kind", 32);
		if (kind == NULL || ms_of(d, "due_at", -1, &due) != 0 || due < 0 ||
		    ms_of(d, "met_at", 0, &met) != 0)
			return bad(e, "deadlines");
		if (store_run(c->db, e, "INSERT INTO deadlines (incident_id, kind, due_at, met_at) "
			      "VALUES ($1,$2,$3,$4)", "tti" "i", incident_id, kind, due, met) < 0 ||
		    (met == 0 && store_run(c->db, e, "UPDATE deadlines SET met_at = NULL WHERE "
					   "incident_id = $1 AND kind = $2", "tt", incident_id,
					   kind) < 0))
			return -1;
	}
	return 0;
}

/* The origin's shareable observables on the mirror, each once. */
static int mirror_observables(struct ctx *c, const struct sync_peer *from, const char *incident_id,
			      const char *actor, const json_t *inc, struct err *e)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(inc, "observables"), i, o) {
		const char *rid = bstr(o, "id", UUID_LEN - 1), *kind = bstr(o, "kind", 32),
			   *value = bstr(o, "value", LIMIT_LONG_TEXT), *tlp = bstr(o, "tlp", 16);
		char lid[UUID_LEN];
		if (rid == NULL || kind == NULL || value == NULL || tlp == NULL)
			return bad(e, "observables");
		int r = sync_map_get(c, from->id, "observable", rid, lid, e);
		if (r <= 0) {
			if (r < 0)
				return -1;
			continue;
		}
		const char *note = bstr(o, "note", LIMIT_LONG_TEXT);
		if (store_run(c->db, e, "INSERT INTO observables (id, incident_id, kind, value, tlp, "
			      "note, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
			      "ttttttt" "i", uuid7(lid), incident_id, kind, value, tlp,
			      note ? note : "", actor, time_now_ms()) < 0 ||
		    sync_map_put(c, from->id, "observable", rid, lid, e) != 0)
			return -1;
	}
	return 0;
}

/* 64 lowercase hex digits. */
static int is_sha256(const char *s)
{
	if (s == NULL || strlen(s) != 64)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

/* An attachment with these bytes on a local incident (1), the bytes
 * lent through *st (column 0 of it; the caller ends it), 0 none, -1. */
static int held_bytes(struct ctx *c, const char *sha, const char *incident_id,
		      struct stmt **out, struct err *e)
{
	*out = NULL;
	struct stmt *st = store_query(c->db, e, "SELECT d.data FROM attachments a JOIN "
				      "attachment_data d ON d.id = a.id WHERE a.sha256 = $1 AND "
				      "($2 IS NULL OR a.incident_id = $2) LIMIT 1", "tt", sha,
				      incident_id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		*out = st;
	else
		stmt_done(st);
	return rc;
}

/* The attachment named {name, content_type} with these bytes on the
 * mirror, by the account standing for the peer; once: 0 when the mirror
 * has them already. */
static int attach_once(struct ctx *c, const struct sync_peer *from, const char *incident_id,
		       const json_t *a, const void *data, size_t n, struct err *e)
{
	struct stmt *st;
	const char *sha = str(a, "sha256");
	int r = held_bytes(c, sha, incident_id, &st, e);
	stmt_done(st);
	if (r != 0)
		return r < 0 ? -1 : 0;
	char actor[UUID_LEN], aid[UUID_LEN];
	const char *ctype = bstr(a, "content_type", 100);
	return peer_user(c, from, actor, e) != 0 ||
		incident_attachment_locked(c, incident_id, str(a, "name"),
					   ctype && *ctype ? ctype : "application/octet-stream",
					   data, n, actor, aid, e) != 0 ? -1 : 0;
}

/* The largest attachment this instance takes ([server] max_attachment):
 * one a peer names beyond it is not asked for, parts announcing more are
 * refused. */
static int64_t own_attachment_limit(const struct ctx *c)
{
	return c->rules && c->rules->max_attachment ? (int64_t)c->rules->max_attachment
						    : LIMIT_ATTACHMENT_DEFAULT;
}

/*
 * Attachments the origin named (by SHA-256, docs/SYNC.md): bytes we hold
 * already (any incident) are attached to the mirror at once; the others
 * are asked for once (attachment.want to the origin, answered by
 * attachment.data, or by attachment.part envelopes for one larger than
 * LIMIT_SYNC_ATTACHMENT) and kept as wanted (sync_received, kind
 * attachment) until they come. One larger than our own attachment limit
 * stays home: the mirror's shared part still names it.
 */
static int mirror_attachments(struct ctx *c, const struct sync_peer *from,
			      const char *incident_id, const json_t *inc, struct err *e)
{
	size_t i, wants = 0;
	json_t *a;
	json_array_foreach(json_object_get(inc, "attachments"), i, a) {
		const char *sha = bstr(a, "sha256", 64), *name = bstr(a, "name", 255);
		json_t *size = json_object_get(a, "size");
		if (!is_sha256(sha) || name == NULL || *name == '\0' || strchr(name, '/') ||
		    strchr(name, '\\') || !json_is_integer(size) || json_integer_value(size) < 0 ||
		    (json_object_get(a, "content_type") && bstr(a, "content_type", 100) == NULL))
			return bad(e, "attachments");
		if (json_integer_value(size) > own_attachment_limit(c))
			continue;   /* more than we take: it stays home */
		struct stmt *st;
		int r = held_bytes(c, sha, incident_id, &st, e);
		stmt_done(st);
		if (r != 0) {
			if (r < 0)
				return -1;
			continue;   /* the mirror has it already */
		}
		r = held_bytes(c, sha, NULL, &st, e);
		if (r < 0)
			return -1;
		if (r == 1) {
			/* Stored once: we have these bytes, nothing to fetch. */
			size_t n;
			const void *data = stmt_blob(st, 0, &n);
			void *copy = malloc(n ? n : 1);
			if (copy)
				memcpy(copy, data, n);
			stmt_done(st);
			if (copy == NULL)
				return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			r = attach_once(c, from, incident_id, a, copy, n, e);
			free(copy);
			if (r != 0)
				return -1;
			continue;
		}
		char *text = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
		char id[UUID_LEN];
		int n = text == NULL ? -1 :
			store_run(c->db, e, "INSERT INTO sync_received (id, peer_id, kind, remote_id, "
				  "incident_id, payload, received_at) VALUES ($1,$2,'attachment',$3,"
				  "$4,$5,$6) ON CONFLICT (peer_id, kind, remote_id) DO NOTHING",
				  "ttttt" "i", uuid7(id), from->id, sha, incident_id, text,
				  time_now_ms());
		free(text);
		if (n < 0)
			return -1;
		if (n == 0 || wants >= LIMIT_SYNC_WANTS)
			continue;   /* asked before */
		/* Asked of the origin (not routed through `via`: it is the
		 * answer's destination). */
		json_t *want = json_pack("{s:s}", "sha256", sha);
		int rc = sync_emit(c, from, SK_ATTACHMENT_WANT, want, NULL, e);
		json_decref(want);
		if (rc != 0)
			return -1;
		wants++;
	}
	return 0;
}

/*
 * The local mirror of the origin's incident inc (the shareable part),
 * made on first sight in the organisation of the same code if we have
 * one, else in fallback_org_code's (the organisation asked); updated when
 * what was shared changed, untouched when it did not. Its id into lid.
 */
static int mirror_put(struct ctx *c, const struct sync_peer *from, const json_t *inc,
		      const char *fallback_org_code, char lid[UUID_LEN], struct err *e)
{
	const char *rid = bstr(inc, "id", UUID_LEN - 1), *number = bstr(inc, "number", 31),
		   *status = bstr(inc, "status", 16), *tlp = bstr(inc, "tlp", 16);
	json_t *org = json_object_get(inc, "org");
	const char *org_code = bstr(org, "code", 64), *org_name = bstr(org, "name", 300);
	if (rid == NULL || number == NULL || status == NULL || incident_state_from(status) < 0 ||
	    tlp == NULL || org_code == NULL || org_name == NULL)
		return bad(e, "incident");
	const char *title = bstr(inc, "title", LIMIT_SHORT_TEXT),
		   *desc = bstr(inc, "description", LIMIT_LONG_TEXT),
		   *type = bstr(inc, "type", 32), *sev = bstr(inc, "severity", 16);
	char withheld[LIMIT_SHORT_TEXT];
	if (title == NULL) {
		msg_format(MSG_SYNC_WITHHELD_TITLE, LANG_VI, number, withheld, sizeof(withheld));
		title = withheld;
	}
	int64_t detected, created;
	if (ms_of(inc, "detected_at", time_now_ms(), &detected) != 0 ||
	    ms_of(inc, "created_at", time_now_ms(), &created) != 0)
		return bad(e, "incident");
	json_t *form = json_object();
	for (size_t i = 0; shared_form_keys[i]; i++) {
		json_t *v = json_object_get(inc, shared_form_keys[i]);
		if (v && !json_is_null(v))
			json_object_set(form, shared_form_keys[i], v);
	}
	char *form_text = json_dumps(form, JSON_COMPACT | JSON_SORT_KEYS);
	char *shared = json_dumps(inc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(form);
	char actor[UUID_LEN];
	int rc = -1;
	if (form_text == NULL || shared == NULL || peer_user(c, from, actor, e) != 0)
		goto out;
	int r = sync_map_get(c, from->id, "incident", rid, lid, e);
	if (r < 0)
		goto out;
	int64_t now = time_now_ms();
	if (r == 0) {
		struct stmt *st = store_query(c->db, e, "SELECT shared FROM sync_mirrors WHERE "
					      "incident_id = $1", "t", lid);
		if (st == NULL)
			goto out;
		int same = stmt_step(st, e) == 1 && strcmp(stmt_text(st, 0), shared) == 0;
		stmt_done(st);
		if (same) {
			rc = 0;   /* applied before: nothing changes */
			goto out;
		}
		if (store_run(c->db, e, "UPDATE incidents SET title = $1, description = $2, "
			      "type = $3, severity = $4, status = $5, tlp = $6, confidential = $7, "
			      "form = $8, version = version + 1 WHERE id = $9", "tttttti" "tt",
			      title, desc ? desc : "", type ? type : "other", sev, status, tlp,
			      (int64_t)json_is_true(json_object_get(inc, "confidential")), form_text,
			      lid) != 1 ||
		    store_run(c->db, e, "UPDATE sync_mirrors SET shared = $1, org_name = $2, "
			      "updated_at = $3 WHERE incident_id = $4", "tti" "t", shared, org_name,
			      now, lid) < 0 ||
		    touch(c, lid, actor, "updated", json_pack("{s:s, s:b}", "from", from->name,
							     "remote", 1), e) != 0)
			goto out;
	} else {
		struct org o;
		if (org_by_code(c, org_code, &o, e) != 0) {
			err_clear(e);
			if (fallback_org_code == NULL || org_by_code(c, fallback_org_code, &o, e) != 0) {
				err_clear(e);
				err_set(e, E_INVALID, MSG_SYNC_UNKNOWN_ORG,
					fallback_org_code ? fallback_org_code : org_code);
				goto out;
			}
		}
		/* The origin's number, unless one of ours has it. */
		char num[sizeof(from->name) + 40];
		struct stmt *st = store_query(c->db, e, "SELECT 1 FROM incidents WHERE number = $1",
					      "t", number);
		if (st == NULL)
			goto out;
		int taken = stmt_step(st, e);
		stmt_done(st);
		if (taken < 0)
			goto out;
		if (taken)
			snprintf(num, sizeof(num), "%s-%s", from->name, number);
		else
			snprintf(num, sizeof(num), "%s", number);
		if (store_run(c->db, e, "INSERT INTO incidents (id, number, org_id, title, "
			      "description, type, severity, escalate, status, version, rev, tlp, "
			      "confidential, form, detected_at, created_at, updated_at, created_by) "
			      "VALUES ($1,$2,$3,$4,$5,$6,$7,1,$8,1,1,$9,$10,$11,$12,$13,$14,$15)",
			      "ttttttttt" "itii" "it", uuid7(lid), num, o.id, title, desc ? desc : "",
			      type ? type : "other", sev, status, tlp,
			      (int64_t)json_is_true(json_object_get(inc, "confidential")), form_text,
			      detected, created, now, actor) < 0 ||
		    store_run(c->db, e, "INSERT INTO sync_mirrors (incident_id, peer_id, remote_id, "
			      "instance, org_code, org_name, shared, updated_at) VALUES ($1,$2,$3,$4,"
			      "$5,$6,$7,$8)", "ttttttt" "i", lid, from->id, rid, from->name, org_code,
			      org_name, shared, now) < 0 ||
		    sync_map_put(c, from->id, "incident", rid, lid, e) != 0 ||
		    touch(c, lid, actor, "created", json_pack("{s:s, s:s, s:s}", "number", num,
							     "from", from->name, "org", org_name),
			  e) != 0)
			goto out;
	}
	rc = mirror_clocks(c, lid, inc, e) != 0 ||
		mirror_observables(c, from, lid, actor, inc, e) != 0 ||
		mirror_attachments(c, from, lid, inc, e) != 0 ? -1 : 0;
out:
	free(form_text);
	free(shared);
	return rc;
}

/* Forwards an up kind about a mirror to the peers it is escalated to
 * further up (never back to from). */
static int forward_up(struct ctx *c, const struct sync_peer *from, const char *lid,
		      const char *kind, json_t *payload, struct err *e)
{
	json_t *peers = escalated_to(c, lid, e);
	if (peers == NULL)
		return -1;
	int rc = 0;
	size_t i;
	json_t *x;
	json_array_foreach(peers, i, x) {
		struct sync_peer p;
		if (sync_peer_get(c, str(x, "peer_id"), &p, e) != 0 ||
		    sync_emit(c, &p, kind, payload, from->id, e) != 0) {
			rc = -1;
			break;
		}
	}
	json_decref(peers);
	return rc;
}

static int apply_support_request(struct ctx *c, const struct sync_peer *from, json_t *payload,
				 struct err *e)
{
	json_t *req = json_object_get(payload, "request"), *inc = json_object_get(payload, "incident");
	const char *rid = bstr(req, "id", UUID_LEN - 1), *code = bstr(req, "to_org_code", 64),
		   *summary = bstr(req, "summary", LIMIT_LONG_TEXT),
		   *help = bstr(req, "help_needed", LIMIT_LONG_TEXT), *urg = bstr(req, "urgency", 8);
	int64_t due;
	if (rid == NULL || code == NULL || summary == NULL || !json_is_object(inc) ||
	    ms_of(req, "due_at", 0, &due) != 0)
		return bad(e, "request");
	if (urg == NULL || (strcmp(urg, "low") && strcmp(urg, "normal") && strcmp(urg, "high")))
		urg = "normal";
	struct org to;
	if (org_by_code(c, code, &to, e) != 0) {
		err_clear(e);
		return err_set(e, E_INVALID, MSG_SYNC_UNKNOWN_ORG, code);
	}
	char lid[UUID_LEN], sid[UUID_LEN], actor[UUID_LEN];
	if (mirror_put(c, from, inc, code, lid, e) != 0)
		return -1;
	int r = sync_map_get(c, from->id, "support_request", rid, sid, e);
	if (r <= 0)
		return r;   /* applied before (0) or error */
	int64_t now = time_now_ms();
	if (peer_user(c, from, actor, e) != 0 ||
	    store_run(c->db, e, "INSERT INTO support_requests (id, incident_id, to_org_id, summary, "
		      "help_needed, urgency, due_at, status, created_by, created_at, updated_at) "
		      "VALUES ($1,$2,$3,$4,$5,$6,$7,'sent',$8,$9,$9)", "tttttt" "iti", uuid7(sid),
		      lid, to.id, summary, help ? help : "", urg, due, actor, now) < 0 ||
	    (due == 0 && store_run(c->db, e, "UPDATE support_requests SET due_at = NULL WHERE "
				   "id = $1", "t", sid) < 0) ||
	    sync_map_put(c, from->id, "support_request", rid, sid, e) != 0 ||
	    touch(c, lid, actor, "support_request", json_pack("{s:s, s:s, s:s, s:s}", "id", sid,
			"to_org", to.code, "to_org_name", to.name, "summary", summary), e) != 0 ||
	    notify_record(c, "support.received", sid, e) != 0)   /* told with it (issue 17) */
		return -1;
	/* Asked of an organisation another instance hosts: it goes on up. */
	return sync_emit_org(c, to.id, SK_SUPPORT_REQUEST, payload, from->id, e);
}

static int apply_incident_update(struct ctx *c, const struct sync_peer *from, json_t *payload,
				 struct err *e)
{
	char lid[UUID_LEN];
	json_t *inc = json_object_get(payload, "incident");
	if (!json_is_object(inc))
		return bad(e, "incident");
	int r = sync_map_get(c, from->id, "incident", bstr(inc, "id", UUID_LEN - 1), lid, e);
	if (r != 0)
		return r < 0 ? -1 : 0;   /* never escalated to us: nothing to update */
	return mirror_put(c, from, inc, NULL, lid, e) != 0 ? -1 :
		forward_up(c, from, lid, SK_INCIDENT_UPDATE, payload, e);
}

static int apply_incident_status(struct ctx *c, const struct sync_peer *from, json_t *payload,
				 struct err *e)
{
	const char *rid = bstr(payload, "incident_id", UUID_LEN - 1), *to = bstr(payload, "to", 16),
		   *fromst = bstr(payload, "from", 16);
	char lid[UUID_LEN], actor[UUID_LEN];
	if (rid == NULL || to == NULL || incident_state_from(to) < 0)
		return bad(e, "status");
	int r = sync_map_get(c, from->id, "incident", rid, lid, e);
	if (r != 0)
		return r < 0 ? -1 : 0;
	/* The mirror already stands there: applied before. */
	struct stmt *st = store_query(c->db, e, "SELECT status FROM incidents WHERE id = $1", "t",
				      lid);
	if (st == NULL)
		return -1;
	int same = stmt_step(st, e) == 1 && strcmp(stmt_text(st, 0), to) == 0;
	stmt_done(st);
	if (same)
		return 0;
	if (peer_user(c, from, actor, e) != 0 ||
	    store_run(c->db, e, "UPDATE incidents SET status = $1, version = version + 1 WHERE "
		      "id = $2", "tt", to, lid) != 1 ||
	    touch(c, lid, actor, "transition", json_pack("{s:s?, s:s, s:s}", "from", fromst,
							 "to", to, "remote", from->name), e) != 0)
		return -1;
	return forward_up(c, from, lid, SK_INCIDENT_STATUS, payload, e);
}

static int apply_report(struct ctx *c, const struct sync_peer *from, json_t *payload,
			struct err *e)
{
	json_t *rep = json_object_get(payload, "report"), *inc = json_object_get(payload, "incident");
	const char *rid = bstr(rep, "id", UUID_LEN - 1), *kind = bstr(rep, "kind", 32);
	int64_t sent;
	if (rid == NULL || !legal_report(kind) || !json_is_object(inc) ||
	    ms_of(rep, "sent_at", time_now_ms(), &sent) != 0)
		return bad(e, "report");
	struct org home;
	char lid[UUID_LEN], lrep[UUID_LEN], actor[UUID_LEN];
	if (org_home(c, &home, e) != 0 || mirror_put(c, from, inc, home.code, lid, e) != 0)
		return -1;
	int r = sync_map_get(c, from->id, "report", rid, lrep, e);
	if (r <= 0)
		return r;
	const char *recipient = bstr(rep, "recipient", 300), *ref = bstr(rep, "reference", 200),
		   *body = bstr(rep, "body", LIMIT_LONG_TEXT);
	if (peer_user(c, from, actor, e) != 0 ||
	    store_run(c->db, e, "INSERT INTO reports (id, incident_id, kind, recipient, channel, "
		      "reference, body, sent_at, created_by, created_at) VALUES ($1,$2,$3,$4,"
		      "'system',$5,$6,$7,$8,$9)", "tttttt" "iti", uuid7(lrep), lid, kind,
		      recipient ? recipient : "", ref ? ref : "", body ? body : "", sent, actor,
		      time_now_ms()) < 0 ||
	    sync_map_put(c, from->id, "report", rid, lrep, e) != 0 ||
	    touch(c, lid, actor, "report", json_pack("{s:s, s:s, s:s}", "id", lrep, "kind", kind,
						     "from", from->name), e) != 0)
		return -1;
	return forward_up(c, from, lid, SK_REPORT, payload, e);
}

static int apply_support_done(struct ctx *c, const struct sync_peer *from, json_t *payload,
			      struct err *e)
{
	const char *rid = bstr(payload, "request_id", UUID_LEN - 1),
		   *iid = bstr(payload, "incident_id", UUID_LEN - 1), *note = bstr(payload, "note", 2000);
	char sid[UUID_LEN], lid[UUID_LEN], actor[UUID_LEN], status[16] = "";
	if (rid == NULL || iid == NULL)
		return bad(e, SK_SUPPORT_DONE);
	int r = sync_map_get(c, from->id, "support_request", rid, sid, e);
	if (r != 0)
		return r < 0 ? -1 : err_set(e, E_FORBIDDEN, MSG_SYNC_NOT_YOURS, rid);
	if (sync_map_get(c, from->id, "incident", iid, lid, e) != 0)
		return e->code ? -1 : err_set(e, E_FORBIDDEN, MSG_SYNC_NOT_YOURS, iid);
	struct stmt *st = store_query(c->db, e, "SELECT status FROM support_requests WHERE id = $1 "
				      "AND incident_id = $2", "tt", sid, lid);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		snprintf(status, sizeof(status), "%s", stmt_text(st, 0));
	stmt_done(st);
	if (rc <= 0)
		return rc < 0 ? -1 : err_set(e, E_FORBIDDEN, MSG_SYNC_NOT_YOURS, rid);
	if (strcmp(status, "done") == 0)
		return 0;   /* applied before */
	if (strcmp(status, "accepted") != 0)
		return err_set(e, E_CONFLICT, MSG_TRANSITION_DENIED, "done");
	return peer_user(c, from, actor, e) != 0 ||
		store_run(c->db, e, "UPDATE support_requests SET status = 'done', note = $1, "
			  "updated_at = $2 WHERE id = $3", "tit", note ? note : "", time_now_ms(),
			  sid) < 0 ||
		touch(c, lid, actor, "support_request_update", json_pack("{s:s, s:s, s:s, s:s, s:s}",
			"id", sid, "from", status, "to", "done", "note", note ? note : "", "remote",
			from->name), e) != 0 || notify_record(c, "support.answered", sid, e) != 0 ? -1 : 0;
}

/* Kept as received, once by the origin's id (summaries with no table of
 * their own here). */
static int keep_received_n(struct ctx *c, const struct sync_peer *from, const char *kind,
			   const char *remote_id, const char *incident_id, json_t *payload,
			   struct err *e);

/* 0 or -1. */
static int keep_received(struct ctx *c, const struct sync_peer *from, const char *kind,
			 const char *remote_id, const char *incident_id, json_t *payload,
			 struct err *e)
{
	return keep_received_n(c, from, kind, remote_id, incident_id, payload, e) < 0 ? -1 : 0;
}

/* 1 when kept or replaced, 0 when the same was kept before, -1. */
static int keep_received_n(struct ctx *c, const struct sync_peer *from, const char *kind,
			   const char *remote_id, const char *incident_id, json_t *payload,
			   struct err *e)
{
	if (remote_id == NULL)
		return bad(e, kind);
	char *text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
	char id[UUID_LEN];
	if (text == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	/* A later summary of the same thing replaces the earlier one. */
	int rc = store_run(c->db, e, "INSERT INTO sync_received (id, peer_id, kind, remote_id, "
			   "incident_id, payload, received_at) VALUES ($1,$2,$3,$4,$5,$6,$7) "
			   "ON CONFLICT (peer_id, kind, remote_id) DO UPDATE SET payload = "
			   "excluded.payload, received_at = excluded.received_at WHERE "
			   "sync_received.payload <> excluded.payload",
			   "tttttt" "i", uuid7(id), from->id, kind, remote_id, incident_id, text,
			   time_now_ms());
	free(text);
	return rc < 0 ? -1 : rc > 0;
}

static int apply_sighting(struct ctx *c, const struct sync_peer *from, json_t *payload,
			  struct err *e)
{
	return keep_received(c, from, SK_SIGHTING, bstr(payload, "id", UUID_LEN - 1), NULL,
			     payload, e);
}

/* A non-negative integer member (0 when missing), -1 when bad. */
static int64_t count_of(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (v == NULL)
		return 0;
	return json_is_integer(v) && json_integer_value(v) >= 0 &&
		json_integer_value(v) <= SYNC_SEQ_MAX ? (int64_t)json_integer_value(v) : -1;
}

/* The issuer: what a child's instance sent back about a hunt we issued
 * (the counts of its runs for one of the organisations it hosts, never a
 * host): the latest kept per (hunt, organisation), shown on the hunt
 * (sync_kinds_hunt_peers); passed on up when our hunt mirrors one from
 * above, in the ids of the level above. */
static int apply_hunt_summary(struct ctx *c, const struct sync_peer *from, json_t *payload,
			      struct err *e)
{
	static const char *const counts[] = { "runs", "hosts", "files", "errors", "hits", NULL };
	char key[UUID_LEN + 70];
	const char *h = bstr(payload, "hunt_id", UUID_LEN - 1), *code = bstr(payload, "org_code", 64),
		   *status = bstr(payload, "status", 16);
	json_t *by = json_object_get(payload, "by_indicator"), *x;
	int64_t last;
	if (h == NULL || code == NULL || (by && !json_is_array(by)) ||
	    json_array_size(by) > LIMIT_LIST_MAX || ms_of(payload, "last_ran_at", 0, &last) != 0 ||
	    (status && strcmp(status, "open") && strcmp(status, "closed")))
		return bad(e, SK_HUNT_SUMMARY);
	for (size_t i = 0; counts[i]; i++)
		if (count_of(payload, counts[i]) < 0)
			return bad(e, counts[i]);
	size_t i;
	json_array_foreach(by, i, x)
		if (bstr(x, "indicator_id", UUID_LEN - 1) == NULL || count_of(x, "hits") < 0)
			return bad(e, "by_indicator");
	/* Only about a hunt of ours, or one from above we passed down (its
	 * ids are then those of the level above: the summary goes on up as
	 * it is); for an organisation that peer hosts. */
	struct stmt *st = store_query(c->db, e, "SELECT 1 FROM hunts WHERE id = $1", "t", h);
	if (st == NULL)
		return -1;
	int r = stmt_step(st, e);
	stmt_done(st);
	char up[UUID_LEN] = "", local[UUID_LEN];
	snprintf(local, sizeof(local), "%s", h);
	if (r == 0) {
		st = store_query(c->db, e, "SELECT peer_id FROM sync_received WHERE kind = 'hunt' "
				 "AND remote_id = $1 ORDER BY received_at LIMIT 1", "t", h);
		if (st == NULL)
			return -1;
		r = stmt_step(st, e);
		if (r == 1)
			snprintf(up, sizeof(up), "%s", stmt_text(st, 0));
		stmt_done(st);
		if (r == 1 && sync_map_get(c, up, "hunt", h, local, e) < 0)
			return -1;
	}
	if (r != 1)
		return r < 0 ? -1 : err_set(e, E_FORBIDDEN, MSG_SYNC_NOT_YOURS, h);
	struct org o;
	struct sync_peer host;
	if (org_by_code(c, code, &o, e) != 0) {
		err_clear(e);
		return err_set(e, E_INVALID, MSG_SYNC_UNKNOWN_ORG, code);
	}
	r = sync_peer_for_org(c, o.id, &host, e);
	if (r < 0)
		return -1;
	if (r == 1 || strcmp(host.id, from->id) != 0)
		return err_set(e, E_FORBIDDEN, MSG_SYNC_NOT_YOURS, code);
	/* Kept under our own hunt (shown on it) when there is one. */
	snprintf(key, sizeof(key), "%s/%s", local, code);
	int kept = keep_received_n(c, from, SK_HUNT_SUMMARY, key, NULL, payload, e);
	if (kept < 0)
		return -1;
	if (!up[0] || kept == 0)
		return 0;   /* our own hunt: it ends here; or the same again */
	struct sync_peer parent;
	return sync_peer_get(c, up, &parent, e) != 0 ? -1 :
		sync_emit(c, &parent, SK_HUNT_SUMMARY, payload, from->id, e);
}

static int apply_periodic(struct ctx *c, const struct sync_peer *from, json_t *payload,
			  struct err *e)
{
	return keep_received(c, from, SK_PERIODIC, bstr(payload, "id", UUID_LEN - 1), NULL,
			     payload, e);
}

/* ---- apply: down kinds, on the child ---- */

/* The local incident id a down payload names, checked to be escalated to
 * the sender (a peer answers only what was asked of it). */
static int escalated_incident(struct ctx *c, const struct sync_peer *from, const char *id,
			      struct err *e)
{
	if (id == NULL)
		return bad(e, "incident_id");
	json_t *peers = escalated_to(c, id, e);
	if (peers == NULL)
		return -1;
	int ok = 0;
	size_t i;
	json_t *x;
	json_array_foreach(peers, i, x)
		ok |= strcmp(str(x, "peer_id"), from->id) == 0;
	json_decref(peers);
	return ok ? 0 : err_set(e, E_FORBIDDEN, MSG_SYNC_NOT_YOURS, id);
}

static int apply_support_answer(struct ctx *c, const struct sync_peer *from, json_t *payload,
				struct err *e)
{
	const char *sid = bstr(payload, "request_id", UUID_LEN - 1),
		   *iid = bstr(payload, "incident_id", UUID_LEN - 1),
		   *to = bstr(payload, "status", 16), *note = bstr(payload, "note", 2000);
	if (sid == NULL || to == NULL)
		return bad(e, "support.answer");
	char status[16] = "", to_org[UUID_LEN] = "", oldnote[2001] = "", actor[UUID_LEN];
	struct stmt *st = store_query(c->db, e, "SELECT status, to_org_id, note FROM "
				      "support_requests WHERE id = $1 AND incident_id = $2", "tt",
				      sid, iid);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(status, sizeof(status), "%s", stmt_text(st, 0));
		snprintf(to_org, sizeof(to_org), "%s", stmt_text(st, 1));
		snprintf(oldnote, sizeof(oldnote), "%s", stmt_text(st, 2));
	}
	stmt_done(st);
	if (rc <= 0)
		return rc < 0 ? -1 : err_set(e, E_FORBIDDEN, MSG_SYNC_NOT_YOURS, sid);
	struct sync_peer host;
	int r = sync_peer_for_org(c, to_org, &host, e);
	if (r < 0)
		return -1;
	if (r == 1 || strcmp(host.id, from->id) != 0)
		return err_set(e, E_FORBIDDEN, MSG_SYNC_NOT_YOURS, sid);
	if (note == NULL)
		note = "";
	if (strcmp(status, to) == 0 && strcmp(oldnote, note) == 0)
		return 0;   /* applied before */
	int answer = strcmp(to, "accepted") == 0 || strcmp(to, "declined") == 0;
	if (!((answer && strcmp(status, "sent") == 0) ||
	      (strcmp(to, "done") == 0 && strcmp(status, "accepted") == 0)))
		return err_set(e, E_CONFLICT, MSG_TRANSITION_DENIED, to);
	return peer_user(c, from, actor, e) != 0 ||
		store_run(c->db, e, "UPDATE support_requests SET status = $1, note = $2, "
			  "updated_at = $3 WHERE id = $4", "tti" "t", to, note, time_now_ms(),
			  sid) < 0 ||
		touch(c, iid, actor, "support_request_update", json_pack("{s:s, s:s, s:s, s:s, s:s}",
			"id", sid, "from", status, "to", to, "note", note, "remote", from->name),
		      e) != 0 || notify_record(c, "support.answered", sid, e) != 0 ? -1 : 0;
}

static int apply_comment_kind(struct ctx *c, const struct sync_peer *from, json_t *payload,
			      const char *kind, struct err *e)
{
	const char *rid = bstr(payload, "id", UUID_LEN - 1),
		   *iid = bstr(payload, "incident_id", UUID_LEN - 1),
		   *body = bstr(payload, "body", LIMIT_LONG_TEXT);
	json_t *by = json_object_get(payload, "by");
	const char *name = bstr(by, "name", 128);
	char lid[UUID_LEN], actor[UUID_LEN];
	if (rid == NULL || body == NULL)
		return bad(e, kind);
	if (escalated_incident(c, from, iid, e) != 0)
		return -1;
	int r = sync_map_get(c, from->id, "comment", rid, lid, e);
	if (r <= 0)
		return r;
	/* Who wrote it over there, under the text (the author is the peer). */
	size_t n = strlen(body) + (name ? strlen(name) : 0) + 8;
	char *text = malloc(n);
	if (text == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (name && *name)
		snprintf(text, n, "%s\n— %s", body, name);
	else
		snprintf(text, n, "%s", body);
	const char *ck = strcmp(kind, SK_DIRECTION) == 0 ? "direction" : "comment";
	int rc = peer_user(c, from, actor, e) != 0 ||
		store_run(c->db, e, "INSERT INTO comments (id, incident_id, body, created_by, "
			  "created_at, kind) VALUES ($1,$2,$3,$4,$5,$6)", "tttt" "it", uuid7(lid),
			  iid, text, actor, time_now_ms(), ck) < 0 ||
		sync_map_put(c, from->id, "comment", rid, lid, e) != 0 ||
		touch(c, iid, actor, "comment", json_pack("{s:s, s:s, s:s}", "id", lid, "kind", ck,
							   "remote", from->name), e) != 0 ? -1 : 0;
	free(text);
	if (rc != 0)
		return -1;
	/* The incident here may itself mirror one further down: pass it on. */
	json_t *rec = json_pack("{s:s, s:s, s:s}", "id", lid, "body", body, "kind", ck);
	rc = on_record(c, iid, "comment", lid, rec, from->id, e);
	json_decref(rec);
	return rc;
}

static int apply_comment(struct ctx *c, const struct sync_peer *from, json_t *payload,
			 struct err *e)
{
	return apply_comment_kind(c, from, payload, SK_COMMENT, e);
}

static int apply_direction(struct ctx *c, const struct sync_peer *from, json_t *payload,
			   struct err *e)
{
	return apply_comment_kind(c, from, payload, SK_DIRECTION, e);
}

/* The children hosting any of the organisations of these codes get
 * payload (via from), its targets cut to the codes each hosts: a
 * warning's or a hunt's targets further down. */
static int forward_to_hosts(struct ctx *c, const struct sync_peer *from, const char *kind,
			    json_t *codes, json_t *payload, struct err *e)
{
	json_t *per = json_object();   /* peer id -> [codes] */
	size_t i;
	json_t *v;
	int rc = 0;
	json_array_foreach(codes, i, v) {
		struct org o;
		struct sync_peer p;
		if (!json_is_string(v) || org_by_code(c, json_string_value(v), &o, e) != 0) {
			err_clear(e);
			continue;
		}
		int r = sync_peer_for_org(c, o.id, &p, e);
		if (r < 0) {
			rc = -1;
			break;
		}
		if (r == 1 || p.relation != SYNC_CHILD)
			continue;
		json_t *list = json_object_get(per, p.id);
		if (list == NULL)
			json_object_set_new(per, p.id, list = json_array());
		json_array_append(list, v);
	}
	const char *pid;
	json_t *list;
	json_object_foreach(per, pid, list) {
		struct sync_peer p;
		if (rc != 0 || sync_peer_get(c, pid, &p, e) != 0) {
			rc = -1;
			break;
		}
		json_t *copy = json_copy(payload);
		json_object_set(copy, "targets", list);
		rc = sync_emit(c, &p, kind, copy, from->id, e);
		json_decref(copy);
	}
	json_decref(per);
	return rc;
}

static int apply_warning(struct ctx *c, const struct sync_peer *from, json_t *payload,
			 struct err *e)
{
	const char *rid = bstr(payload, "id", UUID_LEN - 1),
		   *title = bstr(payload, "title", LIMIT_SHORT_TEXT),
		   *body = bstr(payload, "body", LIMIT_LONG_TEXT), *sev = bstr(payload, "severity", 16),
		   *src = bstr(payload, "source", 200), *ref = bstr(payload, "reference", 200);
	json_t *targets = json_object_get(payload, "targets");
	int64_t deadline;
	if (rid == NULL || title == NULL || sev == NULL || !json_is_array(targets) ||
	    json_array_size(targets) > LIMIT_LIST_MAX ||
	    ms_of(payload, "deadline", -1, &deadline) != 0 || deadline < 0)
		return bad(e, SK_WARNING);
	char lid[UUID_LEN];
	int r = sync_map_get(c, from->id, "warning", rid, lid, e);
	if (r <= 0)
		return r;   /* the origin's record: kept as first received */
	struct org home;
	char *cves = dump_or(payload, "cves", "[]"), *products = dump_or(payload, "products", "[]");
	int rc = cves == NULL || products == NULL || org_home(c, &home, e) != 0 ||
		store_run(c->db, e, "INSERT INTO warnings (id, org_id, source, reference, title, "
			  "body, cves, products, severity, deadline, version, created_at) VALUES "
			  "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,1,$11)", "ttttttttt" "ii", uuid7(lid),
			  home.id, src ? src : from->name, ref ? ref : "", title, body ? body : "",
			  cves, products, sev, deadline, time_now_ms()) < 0 ||
		sync_map_put(c, from->id, "warning", rid, lid, e) != 0 ? -1 : 0;
	free(cves);
	free(products);
	if (rc != 0)
		return -1;
	size_t i;
	json_t *v;
	json_array_foreach(targets, i, v) {
		struct org o;
		if (!json_is_string(v) || org_by_code(c, json_string_value(v), &o, e) != 0) {
			err_clear(e);
			continue;   /* an organisation of another branch: not ours */
		}
		if (store_run(c->db, e, "INSERT INTO warning_targets (warning_id, org_id) VALUES "
			      "($1,$2) ON CONFLICT DO NOTHING", "tt", lid, o.id) < 0)
			return -1;
	}
	/* its targets here are told with it (issue 17), not by a scan */
	if (notify_record(c, "warning.issued", lid, e) != 0)
		return -1;
	return forward_to_hosts(c, from, SK_WARNING, targets, payload, e);
}

static int apply_warning_withdraw(struct ctx *c, const struct sync_peer *from, json_t *payload,
				  struct err *e)
{
	const char *rid = bstr(payload, "id", UUID_LEN - 1);
	json_t *why = json_object_get(payload, "reason");
	const char *reason = bstr(payload, "reason", LIMIT_WITHDRAW_REASON);
	char lid[UUID_LEN], actor[UUID_LEN];
	int64_t at;
	if (rid == NULL || (why && !json_is_null(why) && reason == NULL) ||
	    ms_of(payload, "at", time_now_ms(), &at) != 0)
		return bad(e, SK_WARNING_WITHDRAW);
	/* Only the peer that issued it withdraws it (its map, not another's). */
	int r = sync_map_get(c, from->id, "warning", rid, lid, e);
	if (r != 0)
		return r < 0 ? -1 : 0;
	struct stmt *st = store_query(c->db, e, "SELECT 1 FROM warning_withdrawals WHERE "
				      "warning_id = $1", "t", lid);
	if (st == NULL)
		return -1;
	r = stmt_step(st, e);
	stmt_done(st);
	if (r != 0)
		return r < 0 ? -1 : 0;   /* applied before */
	/* Nobody is asked to act on it any more: it shows withdrawn, its
	 * clock stops; answers already given stay (the record of what was
	 * done). */
	if (peer_user(c, from, actor, e) != 0 ||
	    store_run(c->db, e, "INSERT INTO warning_withdrawals (warning_id, reason, source, "
		      "withdrawn_by, withdrawn_at) VALUES ($1,$2,$3,$4,$5)", "tttti", lid,
		      reason ? reason : "", from->name, actor, at) < 0 ||
	    store_run(c->db, e, "UPDATE warnings SET version = version + 1 WHERE id = $1", "t",
		      lid) < 0)
		return -1;
	return sync_emit_all(c, SYNC_CHILD, SK_WARNING_WITHDRAW, payload, from->id, e);
}

/* Deletes the copy of the peer's indicator rid (only the copy it made:
 * one we held before stays) and forgets the mapping, so that the
 * originator may share it again later. 1 when a copy went, 0 none, -1. */
static int retract_copy(struct ctx *c, const struct sync_peer *from, const char *rid,
			struct err *e)
{
	char lid[UUID_LEN];
	int r = sync_map_get(c, from->id, "indicator", rid, lid, e);
	if (r != 0)
		return r < 0 ? -1 : 0;
	struct stmt *st = store_query(c->db, e, "SELECT 1 FROM indicators WHERE id = $1 AND "
				      "origin_id = $2 AND source = $3", "ttt", lid, rid, from->name);
	if (st == NULL)
		return -1;
	int copy = stmt_step(st, e);
	stmt_done(st);
	if (copy < 0 ||
	    store_run(c->db, e, "DELETE FROM sync_map WHERE peer_id = $1 AND type = 'indicator' "
		      "AND remote_id = $2", "tt", from->id, rid) < 0 ||
	    (copy == 1 && indicator_purge_locked(c, lid, e) != 0))
		return -1;
	return copy;
}

/* The originator edited an indicator we hold a copy of (lid): the copy
 * follows (value fields, TLP, confidence, validity, tags, revocation by
 * to_ids or valid_until). Idempotent: nothing changes when the copy
 * already says the same. A label tightened past GREEN is taken back from
 * our children (they may have had it as GREEN). */
static int edit_copy(struct ctx *c, const struct sync_peer *from, const char *rid,
		     const char *lid, json_t *payload, int kind, const char *norm, int t,
		     int64_t vf, int64_t vu, const char *tags, const char *related, struct err *e)
{
	const char *name = bstr(payload, "name", LIMIT_SHORT_TEXT),
		   *desc = bstr(payload, "description", LIMIT_LONG_TEXT),
		   *ptype = bstr(payload, "pattern_type", 32);
	json_t *conf = json_object_get(payload, "confidence");
	int64_t cv = json_is_integer(conf) && json_integer_value(conf) >= 0 &&
		json_integer_value(conf) <= 100 ? (int64_t)json_integer_value(conf) : -1;
	int64_t to_ids = jv_bool(payload, "to_ids", 1);
	struct stmt *st = store_query(c->db, e, "SELECT kind, value, pattern_type, name, "
		"description, tlp, confidence, to_ids, valid_from, valid_until, tags, related FROM "
		"indicators WHERE id = $1 AND origin_id = $2 AND source = $3", "ttt", lid, rid,
		from->name);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc <= 0) {
		stmt_done(st);
		return rc;   /* ours from before (or gone): the originator's edits are its own */
	}
	int old_t = tlp_parse(stmt_text(st, 5));
	int same = strcmp(stmt_text(st, 0), ioc_kind_name(kind)) == 0 &&
		strcmp(stmt_text(st, 1), norm) == 0 &&
		strcmp(stmt_text(st, 2), ptype ? ptype : "") == 0 &&
		strcmp(stmt_text(st, 3), name ? name : "") == 0 &&
		strcmp(stmt_text(st, 4), desc ? desc : "") == 0 && old_t == t &&
		(stmt_isnull(st, 6) ? -1 : stmt_int(st, 6)) == cv && stmt_int(st, 7) == to_ids &&
		(stmt_isnull(st, 8) ? 0 : stmt_int(st, 8)) == vf &&
		(stmt_isnull(st, 9) ? 0 : stmt_int(st, 9)) == vu &&
		strcmp(stmt_text(st, 10), tags) == 0 && strcmp(stmt_text(st, 11), related) == 0;
	stmt_done(st);
	if (same)
		return 0;   /* applied before */
	/* A new value we already hold otherwise: ours stands, the copy goes. */
	st = store_query(c->db, e, "SELECT id FROM indicators WHERE org_id = (SELECT org_id FROM "
			 "indicators WHERE id = $1) AND kind = $2 AND value = $3 AND id <> $1", "ttt",
			 lid, ioc_kind_name(kind), norm);
	if (st == NULL)
		return -1;
	char other[UUID_LEN] = "";
	rc = stmt_step(st, e);
	if (rc == 1)
		snprintf(other, sizeof(other), "%s", stmt_text(st, 0));
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return indicator_purge_locked(c, lid, e) != 0 ||
			sync_map_put(c, from->id, "indicator", rid, other, e) != 0 ? -1 : 0;
	if (store_run(c->db, e, "UPDATE indicators SET kind = $2, value = $3, pattern_type = $4, "
		      "name = $5, description = $6, tlp = $7, confidence = CASE WHEN $8 < 0 THEN "
		      "NULL ELSE $8 END, to_ids = $9, valid_from = CASE WHEN $10 = 0 THEN NULL ELSE "
		      "$10 END, valid_until = CASE WHEN $11 = 0 THEN NULL ELSE $11 END, tags = $12, "
		      "related = $13, version = version + 1, updated_at = $14 WHERE id = $1",
		      "ttttttt" "iiii" "tt" "i", lid, ioc_kind_name(kind), norm, ptype ? ptype : "",
		      name ? name : "", desc ? desc : "", tlp_name(t), cv, to_ids, vf, vu, tags,
		      related, time_now_ms()) != 1)
		return e->code ? -1 : bad(e, SK_INDICATOR);
	/* On down as the label now permits (never back up: via). */
	if (t <= TLP_GREEN)
		return sync_emit_all(c, SYNC_CHILD, SK_INDICATOR, payload, from->id, e);
	if (old_t <= TLP_GREEN) {
		json_t *rev = json_pack("{s:s}", "id", rid);
		rc = sync_emit_all(c, SYNC_CHILD, SK_INDICATOR_RETRACT, rev, from->id, e);
		json_decref(rev);
		return rc;
	}
	return 0;
}

static int apply_indicator(struct ctx *c, const struct sync_peer *from, json_t *payload,
			   struct err *e)
{
	const char *rid = bstr(payload, "id", UUID_LEN - 1), *kname = bstr(payload, "kind", 32),
		   *value = bstr(payload, "value", LIMIT_LONG_TEXT), *tlp = bstr(payload, "tlp", 16);
	int kind = kname ? ioc_kind_parse(kname) : -1;
	int t = tlp ? tlp_parse(tlp) : -1;
	/* What may not travel is refused even if a peer sent it. */
	if (rid == NULL || kind < 0 || value == NULL || t < TLP_CLEAR || t > TLP_AMBER)
		return bad(e, SK_INDICATOR);
	char lid[UUID_LEN];
	struct org home;
	int64_t vf = 0, vu = 0;
	char *tags = NULL, *related = NULL;
	int rc = -1;
	struct arena *a = arena_new(64 * 1024);
	if (a == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	const char *why = NULL;
	const char *norm = value;
	if (kind == IOC_YARA) {
		if (yara_check("value", value, strlen(value), e) != 0)
			goto out;
	} else if (kind != IOC_PATTERN) {
		norm = ioc_normalise(a, &kind, value, &why);
	}
	if (norm == NULL || ms_of(payload, "valid_from", 0, &vf) != 0 ||
	    ms_of(payload, "valid_until", 0, &vu) != 0) {
		bad(e, why ? why : SK_INDICATOR);
		goto out;
	}
	tags = dump_or(payload, "tags", "[]");
	related = dump_or(payload, "related", "[]");
	if (tags == NULL || related == NULL || org_home(c, &home, e) != 0)
		goto out;
	int r = sync_map_get(c, from->id, "indicator", rid, lid, e);
	if (r <= 0) {
		/* Known: the originator's edit reaches our copy. */
		rc = r < 0 ? -1 : edit_copy(c, from, rid, lid, payload, kind, norm, t, vf, vu, tags,
					    related, e);
		goto out;
	}
	/* We already hold it (our own, or from another source): the mapping
	 * points at ours and ours is not touched. */
	struct stmt *st = store_query(c->db, e, "SELECT id FROM indicators WHERE org_id = $1 AND "
				      "kind = $2 AND value = $3", "ttt", home.id,
				      ioc_kind_name(kind), norm);
	if (st == NULL)
		goto out;
	int have = stmt_step(st, e);
	if (have == 1)
		snprintf(lid, UUID_LEN, "%s", stmt_text(st, 0));
	stmt_done(st);
	if (have < 0)
		goto out;
	int64_t now = time_now_ms();
	const char *name = bstr(payload, "name", LIMIT_SHORT_TEXT),
		   *desc = bstr(payload, "description", LIMIT_LONG_TEXT),
		   *ptype = bstr(payload, "pattern_type", 32);
	json_t *conf = json_object_get(payload, "confidence");
	if (!have && (store_run(c->db, e, "INSERT INTO indicators (id, org_id, kind, value, "
		      "pattern_type, name, description, source, tlp, to_ids, valid_from, "
		      "valid_until, tags, related, origin_id, version, created_at, updated_at) "
		      "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,1,$16,$16)",
		      "ttttttttt" "iii" "ttt" "i", uuid7(lid), home.id, ioc_kind_name(kind), norm,
		      ptype ? ptype : "", name ? name : "", desc ? desc : "", from->name,
		      tlp_name(t), (int64_t)jv_bool(payload, "to_ids", 1), vf, vu, tags, related,
		      rid, now) < 0 ||
		      (vf == 0 && store_run(c->db, e, "UPDATE indicators SET valid_from = NULL "
					    "WHERE id = $1", "t", lid) < 0) ||
		      (vu == 0 && store_run(c->db, e, "UPDATE indicators SET valid_until = NULL "
					    "WHERE id = $1", "t", lid) < 0) ||
		      (json_is_integer(conf) && json_integer_value(conf) >= 0 &&
		       json_integer_value(conf) <= 100 &&
		       store_run(c->db, e, "UPDATE indicators SET confidence = $1 WHERE id = $2",
				 "it", (int64_t)json_integer_value(conf), lid) < 0)))
		goto out;
	if (sync_map_put(c, from->id, "indicator", rid, lid, e) != 0)
		goto out;
	/* On down the tree as TLP permits (never back up: via). */
	if (have)
		rc = 0;
	else
		rc = t <= TLP_GREEN ? sync_emit_all(c, SYNC_CHILD, SK_INDICATOR, payload, from->id, e)
				    : 0;
out:
	free(tags);
	free(related);
	arena_free(a);
	return rc;
}

/* The originator tightened an indicator's label so that it may no longer
 * be held here (RED, AMBER+STRICT, AMBER not naming us): our copy is
 * deleted, and so are our children's. */
static int apply_indicator_retract(struct ctx *c, const struct sync_peer *from, json_t *payload,
				   struct err *e)
{
	const char *rid = bstr(payload, "id", UUID_LEN - 1);
	if (rid == NULL)
		return bad(e, SK_INDICATOR_RETRACT);
	int r = retract_copy(c, from, rid, e);
	if (r <= 0)
		return r;   /* never had it, or retracted before */
	return sync_emit_all(c, SYNC_CHILD, SK_INDICATOR_RETRACT, payload, from->id, e);
}

static int apply_indicator_revoke(struct ctx *c, const struct sync_peer *from, json_t *payload,
				  struct err *e)
{
	const char *rid = bstr(payload, "id", UUID_LEN - 1);
	char lid[UUID_LEN];
	if (rid == NULL)
		return bad(e, SK_INDICATOR_REVOKE);
	int r = sync_map_get(c, from->id, "indicator", rid, lid, e);
	if (r != 0)
		return r < 0 ? -1 : 0;
	/* Only the copy this peer made: one we held before stays as it was. */
	int64_t now = time_now_ms();
	int n = store_run(c->db, e, "UPDATE indicators SET to_ids = 0, valid_until = $1, "
			  "version = version + 1, updated_at = $1 WHERE id = $2 AND origin_id = $3 "
			  "AND source = $4 AND to_ids = 1", "it" "tt", now, lid, rid, from->name);
	if (n < 0)
		return -1;
	if (n == 0)
		return 0;   /* revoked before, or not the peer's copy */
	return sync_emit_all(c, SYNC_CHILD, SK_INDICATOR_REVOKE, payload, from->id, e);
}

/*
 * A hunt from above: kept as received, and made a hunt of ours (once,
 * sync_map "hunt") for the targets that live here, so that their agents
 * and people run it as any other; its indicators are applied as the
 * indicator kind applies them. Passed on to the children hosting the
 * other targets. What the runs find goes back up as hunt.summary
 * (emit_hunt_summaries).
 */
static int apply_hunt(struct ctx *c, const struct sync_peer *from, json_t *payload,
		      struct err *e)
{
	const char *rid = bstr(payload, "id", UUID_LEN - 1),
		   *title = bstr(payload, "title", LIMIT_SHORT_TEXT),
		   *desc = bstr(payload, "description", LIMIT_LONG_TEXT);
	json_t *targets = json_object_get(payload, "targets"),
	       *inds = json_object_get(payload, "indicators");
	int64_t deadline;
	if (rid == NULL || title == NULL || !json_is_array(targets) ||
	    json_array_size(targets) > LIMIT_LIST_MAX || (inds && !json_is_array(inds)) ||
	    json_array_size(inds) > LIMIT_LIST_MAX ||
	    ms_of(payload, "deadline", 0, &deadline) != 0 || deadline <= 0)
		return bad(e, SK_HUNT);
	/* Applied before, as it is: nothing again (not even passed on). */
	char *text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
	struct stmt *st = text ? store_query(c->db, e, "SELECT 1 FROM sync_received WHERE "
					     "peer_id = $1 AND kind = $2 AND remote_id = $3 AND "
					     "payload = $4", "tttt", from->id, SK_HUNT, rid, text) : NULL;
	free(text);
	if (st == NULL)
		return e->code ? -1 : err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	int seen = stmt_step(st, e);
	stmt_done(st);
	if (seen != 0)
		return seen < 0 ? -1 : 0;
	if (keep_received(c, from, SK_HUNT, rid, NULL, payload, e) != 0)
		return -1;
	char lid[UUID_LEN];
	int r = sync_map_get(c, from->id, "hunt", rid, lid, e);
	if (r < 0)
		return -1;
	json_t *here = json_array(), *v;
	size_t i;
	json_array_foreach(targets, i, v) {
		struct org o;
		struct sync_peer p;
		if (!json_is_string(v) || org_by_code(c, json_string_value(v), &o, e) != 0) {
			err_clear(e);
			continue;
		}
		int h = sync_peer_for_org(c, o.id, &p, e);
		if (h < 0) {
			json_decref(here);
			return -1;
		}
		if (h == 1)
			json_array_append_new(here, json_string(o.id));
	}
	int rc = 0;
	if (r == 1 && json_array_size(here) > 0) {
		struct org home;
		char actor[UUID_LEN];
		int64_t now = time_now_ms();
		rc = org_home(c, &home, e) != 0 || peer_user(c, from, actor, e) != 0 ||
			store_run(c->db, e, "INSERT INTO hunts (id, org_id, title, description, "
				  "deadline, status, selection, version, created_by, created_at, "
				  "updated_at) VALUES ($1,$2,$3,$4,$5,'open','{}',1,$6,$7,$7)",
				  "tttti" "ti", uuid7(lid), home.id, title, desc ? desc : "", deadline,
				  actor, now) < 0 ||
			sync_map_put(c, from->id, "hunt", rid, lid, e) != 0 ? -1 : 0;
		json_array_foreach(here, i, v)
			if (rc == 0)
				rc = store_run(c->db, e, "INSERT INTO hunt_targets (hunt_id, org_id) "
					       "VALUES ($1,$2) ON CONFLICT (hunt_id, org_id) DO "
					       "NOTHING", "tt", lid, json_string_value(v)) < 0 ? -1 : 0;
		json_array_foreach(inds, i, v) {
			char ilid[UUID_LEN];
			const char *iid = bstr(v, "id", UUID_LEN - 1);
			if (rc != 0)
				break;
			if (iid == NULL) {
				rc = bad(e, "indicators");
				break;
			}
			/* One the indicator kind brought before stands as it is (the
			 * hunt's list carries fewer of its fields). */
			int known = sync_map_get(c, from->id, "indicator", iid, ilid, e);
			json_t *copy = json_deep_copy(v);
			rc = known < 0 ? -1 : known == 1 ? apply_indicator(c, from, copy, e) : 0;
			json_decref(copy);
			if (rc == 0 && sync_map_get(c, from->id, "indicator", iid, ilid, e) == 0)
				rc = store_run(c->db, e, "INSERT INTO hunt_indicators (hunt_id, "
					       "indicator_id) VALUES ($1,$2) ON CONFLICT (hunt_id, "
					       "indicator_id) DO NOTHING", "tt", lid, ilid) < 0 ? -1 : 0;
			else if (rc == 0 && e->code)
				rc = -1;
		}
		/* the targets here are told, as of a hunt opened here (issue 17) */
		if (rc == 0)
			rc = notify_record(c, "hunt.opened", lid, e);
	}
	json_decref(here);
	if (rc != 0)
		return -1;
	return forward_to_hosts(c, from, SK_HUNT, targets, payload, e);
}

/*
 * The issuer closed a hunt it sent us (only the peer that sent it: its
 * sync_received and map). Our copy closes as if closed here: no new run
 * is taken (hunt_submit refuses a closed hunt), its last summary goes up
 * with status closed, and what was found and sent up before stays on
 * both sides. Passed on down to the children that got the hunt from us.
 * Applied once (kept as received).
 */
static int apply_hunt_close(struct ctx *c, const struct sync_peer *from, json_t *payload,
			    struct err *e)
{
	const char *rid = bstr(payload, "id", UUID_LEN - 1);
	int64_t at;
	json_t *t = json_object_get(payload, "targets");
	if (rid == NULL || ms_of(payload, "at", time_now_ms(), &at) != 0 || at <= 0 ||
	    (t && (!json_is_array(t) || json_array_size(t) > LIMIT_LIST_MAX)))
		return bad(e, SK_HUNT_CLOSE);
	struct stmt *st = store_query(c->db, e, "SELECT payload FROM sync_received WHERE "
				      "peer_id = $1 AND kind = $2 AND remote_id = $3", "ttt",
				      from->id, SK_HUNT, rid);
	if (st == NULL)
		return -1;
	int r = stmt_step(st, e);
	json_t *sent = r == 1 ? json_loads(stmt_text(st, 0), 0, NULL) : NULL;
	stmt_done(st);
	if (r != 1) {
		if (r == 0)
			log_msg(LOG_WARN, "sync: %s closed hunt %s, which it never sent here",
				from->name, rid);
		return r < 0 ? -1 : 0;
	}
	r = keep_received_n(c, from, SK_HUNT_CLOSE, rid, NULL, payload, e);
	if (r <= 0) {
		json_decref(sent);
		return r < 0 ? -1 : 0;   /* applied before */
	}
	char lid[UUID_LEN];
	r = sync_map_get(c, from->id, "hunt", rid, lid, e);
	int rc = r < 0 ? -1 : 0;
	if (r == 0) {
		int n = store_run(c->db, e, "UPDATE hunts SET status = 'closed', version = version "
				  "+ 1, updated_at = $2 WHERE id = $1 AND status = 'open'", "ti", lid,
				  time_now_ms());
		rc = n < 0 ? -1 : n > 0 ? emit_hunt_summaries(c, lid, e) : 0;
	}
	if (rc == 0)
		rc = forward_to_hosts(c, from, SK_HUNT_CLOSE, json_object_get(sent, "targets"),
				      payload, e);
	json_decref(sent);
	return rc;
}

/*
 * A target's runs of a hunt that came from above, summed per target
 * organisation of ours and sent to the issuer's instance: runs, hosts
 * checked, files, errors, hits, hits per indicator (in the issuer's ids),
 * the last run, the hunt's state. Host names, paths and lines stay here
 * (the issuer asked for the sweep; where it hit is the target's).
 */
static int emit_hunt_summaries(struct ctx *c, const char *hunt_id, struct err *e)
{
	char peer[UUID_LEN], remote[UUID_LEN], status[16] = "open";
	int r = sync_map_origin(c, "hunt", hunt_id, peer, remote, e);
	if (r != 0)
		return r < 0 ? -1 : 0;
	struct sync_peer p;
	if (sync_peer_get(c, peer, &p, e) != 0)
		return -1;
	struct stmt *st = store_query(c->db, e, "SELECT status FROM hunts WHERE id = $1", "t",
				      hunt_id);
	if (st == NULL)
		return -1;
	if (stmt_step(st, e) == 1)
		snprintf(status, sizeof(status), "%s", stmt_text(st, 0));
	stmt_done(st);
	st = store_query(c->db, e, "SELECT o.code, o.path FROM hunt_targets t JOIN orgs o ON "
			 "o.id = t.org_id WHERE t.hunt_id = $1 ORDER BY o.path", "t", hunt_id);
	if (st == NULL)
		return -1;
	json_t *orgs = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(orgs, json_pack("[s, s]", stmt_text(st, 0), stmt_text(st, 1)));
	stmt_done(st);
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		if (rc < 0)
			break;
		const char *code = json_string_value(json_array_get(o, 0)),
			   *path = json_string_value(json_array_get(o, 1));
		st = store_query(c->db, e, "SELECT COUNT(*), COUNT(DISTINCT COALESCE(r.host_id, "
				 "r.hostname)), COALESCE(SUM(r.files), 0), COALESCE(SUM(r.errors), 0), "
				 "COALESCE(SUM(r.hits), 0), COALESCE(MAX(r.ran_at), 0) FROM hunt_runs r "
				 "JOIN orgs o ON o.id = r.org_id WHERE r.hunt_id = $1 AND "
				 "substr(o.path, 1, length($2)) = $2", "tt", hunt_id, path);
		if (st == NULL || stmt_step(st, e) != 1) {
			stmt_done(st);
			rc = -1;
			break;
		}
		json_t *payload = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}",
			"hunt_id", remote, "org_code", code, "status", status,
			"runs", (json_int_t)stmt_int(st, 0), "hosts", (json_int_t)stmt_int(st, 1),
			"files", (json_int_t)stmt_int(st, 2), "errors", (json_int_t)stmt_int(st, 3),
			"hits", (json_int_t)stmt_int(st, 4), "last_ran_at", ms_or_null(stmt_int(st, 5)));
		stmt_done(st);
		json_t *by = json_array();
		st = store_query(c->db, e, "SELECT s.indicator_id, COUNT(*) FROM sightings s JOIN "
				 "orgs o ON o.id = s.org_id WHERE s.hunt_id = $1 AND substr(o.path, 1, "
				 "length($2)) = $2 GROUP BY s.indicator_id ORDER BY s.indicator_id "
				 "LIMIT 500", "tt", hunt_id, path);
		json_t *local = json_array();
		while (st && (rc = stmt_step(st, e)) == 1)
			json_array_append_new(local, json_pack("[s, I]", stmt_text(st, 0),
							       (json_int_t)stmt_int(st, 1)));
		stmt_done(st);
		if (st == NULL)
			rc = -1;
		size_t k;
		json_t *x;
		json_array_foreach(local, k, x) {
			char ip[UUID_LEN], irem[UUID_LEN];
			if (rc < 0)
				break;
			r = sync_map_origin(c, "indicator", json_string_value(json_array_get(x, 0)), ip,
					    irem, e);
			if (r < 0)
				rc = -1;
			else if (r == 0 && strcmp(ip, peer) == 0)
				json_array_append_new(by, json_pack("{s:s, s:O}", "indicator_id", irem,
								    "hits", json_array_get(x, 1)));
		}
		json_decref(local);
		json_object_set_new(payload, "by_indicator", by);
		if (rc >= 0)
			rc = sync_emit(c, &p, SK_HUNT_SUMMARY, payload, NULL, e) != 0 ? -1 : 0;
		json_decref(payload);
	}
	json_decref(orgs);
	return rc < 0 ? -1 : 0;
}

json_t *sync_kinds_hunt_peers(struct ctx *c, const char *hunt_id, struct err *e)
{
	/* Whoever reads the hunt reads what came back about it. */
	json_t *h = hunt_get(c, hunt_id, e);
	if (h == NULL)
		return NULL;
	json_decref(h);
	if (policy_check(c->actor, ACT_HUNT_PEERS, NULL, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT p.name, r.payload, r.received_at FROM "
				      "sync_received r JOIN sync_peers p ON p.id = r.peer_id WHERE "
				      "r.kind = 'hunt.summary' AND substr(r.remote_id, 1, 36) = $1 "
				      "ORDER BY r.remote_id LIMIT 1000", "t", hunt_id);
	if (st == NULL)
		return NULL;
	json_t *items = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		json_t *pl = json_loads(stmt_text(st, 1), 0, NULL);
		if (pl == NULL)
			continue;
		json_object_set_new(pl, "peer", json_string(stmt_text(st, 0)));
		json_object_set_new(pl, "received_at", ms_or_null(stmt_int(st, 2)));
		json_array_append_new(items, pl);
	}
	stmt_done(st);
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		struct org o;
		if (rc >= 0 && org_by_code(c, str(it, "org_code"), &o, e) == 0)
			json_object_set_new(it, "org_name", json_string(o.name));
		err_clear(e);
		/* Each indicator by its value here (the hunt's own). */
		size_t k;
		json_t *x;
		json_array_foreach(json_object_get(it, "by_indicator"), k, x) {
			/* ours, or (a summary from two levels down) the one above's */
			struct stmt *q = store_query(c->db, e, "SELECT kind, value FROM indicators "
						     "WHERE id = $1 OR id IN (SELECT local_id FROM "
						     "sync_map WHERE type = 'indicator' AND remote_id = "
						     "$1) LIMIT 1", "t", str(x, "indicator_id"));
			if (q && stmt_step(q, e) == 1) {
				json_object_set_new(x, "kind", json_string(stmt_text(q, 0)));
				json_object_set_new(x, "value", json_string(stmt_text(q, 1)));
			}
			stmt_done(q);
		}
	}
	if (rc < 0)
		return json_decref(items), NULL;
	return json_pack("{s:o}", "items", items);
}

/* ---- attachments by SHA-256 ---- */

/* The bytes of an attachment larger than one envelope, to the peer that
 * asked: attachment.part envelopes of LIMIT_SYNC_PART bytes each (the
 * last shorter), {sha256, size: the whole, offset, data: base64}, in
 * order, each signed as any envelope. */
static int emit_parts(struct ctx *c, const struct sync_peer *to, const char *sha,
		      const unsigned char *data, size_t n, struct err *e)
{
	size_t b64n = sodium_base64_ENCODED_LEN(LIMIT_SYNC_PART, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64n);
	if (b64 == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	int rc = 0;
	for (size_t off = 0; off < n && rc == 0; off += LIMIT_SYNC_PART) {
		size_t len = n - off < LIMIT_SYNC_PART ? n - off : LIMIT_SYNC_PART;
		sodium_bin2base64(b64, b64n, data + off, len, sodium_base64_VARIANT_ORIGINAL);
		json_t *part = json_pack("{s:s, s:I, s:I, s:s}", "sha256", sha, "size",
					 (json_int_t)n, "offset", (json_int_t)off, "data", b64);
		rc = part ? sync_emit(c, to, SK_ATTACHMENT_PART, part, NULL, e) : bad(e, "part");
		json_decref(part);
	}
	free(b64);
	return rc;
}

/* The holder: a peer asks for the bytes of sha256. Answered only when
 * an attachment with those bytes was shared with that peer (it is on an
 * incident escalated to it and sync_share_incident lets it go: TLP, not
 * confidential): in one attachment.data within LIMIT_SYNC_ATTACHMENT,
 * else in attachment.part envelopes (emit_parts); otherwise nothing is
 * sent (logged). */
static int apply_attachment_want(struct ctx *c, const struct sync_peer *from, json_t *payload,
				 struct err *e)
{
	const char *sha = bstr(payload, "sha256", 64);
	if (!is_sha256(sha))
		return bad(e, SK_ATTACHMENT_WANT);
	struct stmt *st = store_query(c->db, e, "SELECT id, incident_id, size FROM attachments "
				      "WHERE sha256 = $1 ORDER BY created_at LIMIT 50", "t", sha);
	if (st == NULL)
		return -1;
	json_t *cands = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(cands, json_pack("{s:s, s:s, s:I}", "id", stmt_text(st, 0),
			"incident_id", stmt_text(st, 1), "size", (json_int_t)stmt_int(st, 2)));
	stmt_done(st);
	char aid[UUID_LEN] = "";
	size_t i;
	json_t *x;
	json_array_foreach(cands, i, x) {
		if (rc < 0 || aid[0])
			break;
		json_t *peers = escalated_to(c, str(x, "incident_id"), e);
		if (peers == NULL) {
			rc = -1;
			break;
		}
		size_t k;
		json_t *p;
		json_array_foreach(peers, k, p) {
			if (strcmp(str(p, "peer_id"), from->id) != 0)
				continue;
			json_t *inc = incident_get(c, str(x, "incident_id"), 1, e);
			if (inc == NULL) {
				rc = -1;
				break;
			}
			json_t *shared = sync_share_incident(inc, str(p, "org_id")), *sa;
			size_t j;
			json_array_foreach(json_object_get(shared, "attachments"), j, sa)
				if (str(sa, "sha256") && strcmp(str(sa, "sha256"), sha) == 0)
					snprintf(aid, sizeof(aid), "%s", str(x, "id"));
			json_decref(shared);
			json_decref(inc);
		}
		json_decref(peers);
	}
	json_decref(cands);
	if (rc < 0)
		return -1;
	if (!aid[0]) {
		log_msg(LOG_WARN, "sync: %s asked for attachment %s, which was not shared with it",
			from->name, sha);
		return 0;
	}
	/* Answered once a peer (a want repeated changes nothing). */
	char sid[UUID_LEN];
	int n1 = store_run(c->db, e, "INSERT INTO sync_received (id, peer_id, kind, remote_id, "
			   "payload, received_at) VALUES ($1,$2,'attachment.sent',$3,$4,$5) ON "
			   "CONFLICT (peer_id, kind, remote_id) DO NOTHING", "tttt" "i", uuid7(sid),
			   from->id, sha, aid, time_now_ms());
	if (n1 <= 0)
		return n1 < 0 ? -1 : 0;
	st = store_query(c->db, e, "SELECT data FROM attachment_data WHERE id = $1", "t", aid);
	if (st == NULL)
		return -1;
	rc = stmt_step(st, e);
	if (rc != 1) {
		stmt_done(st);
		return rc < 0 ? -1 : 0;
	}
	size_t n, b64n = sodium_base64_ENCODED_LEN(LIMIT_SYNC_ATTACHMENT,
						   sodium_base64_VARIANT_ORIGINAL);
	const void *data = stmt_blob(st, 0, &n);
	if (n > LIMIT_SYNC_ATTACHMENT) {
		/* Too large for one envelope: in parts, in order, all queued
		 * now (the outbox keeps them across any failure). */
		rc = emit_parts(c, from, sha, data, n, e);
		stmt_done(st);
		return rc;
	}
	char *b64 = malloc(b64n);
	if (b64)
		sodium_bin2base64(b64, b64n, data, n, sodium_base64_VARIANT_ORIGINAL);
	stmt_done(st);
	if (b64 == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	json_t *out = json_pack("{s:s, s:I, s:s}", "sha256", sha, "size", (json_int_t)n, "data",
				b64);
	free(b64);
	/* The answer goes to the one who asked, whoever sent us the record. */
	rc = out ? sync_emit(c, from, SK_ATTACHMENT_DATA, out, NULL, e) : bad(e, "data");
	json_decref(out);
	return rc;
}

/* 1 when we asked that peer for the bytes of sha (an attachment.want we
 * queued and that is still wanted), 0 when not, -1 on error. */
static int asked_of(struct ctx *c, const struct sync_peer *from, const char *sha,
		    struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT 1 FROM sync_received WHERE peer_id = $1 "
				      "AND kind = 'attachment' AND remote_id = $2", "tt", from->id,
				      sha);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	stmt_done(st);
	return rc;
}

/* The asker: the bytes of an attachment it wanted. Checked (asked for,
 * size, SHA-256) before anything is stored; a bad one is refused and
 * counted for the peer (sync status, reason attachment_hash or
 * attachment_size) without holding up the envelopes behind it, and the
 * attachment stays wanted. Good bytes are attached once to every mirror
 * of that peer naming them. */
static int store_wanted(struct ctx *c, const struct sync_peer *from, const char *sha,
			const void *bytes, size_t n, struct err *e);
static int apply_attachment_data(struct ctx *c, const struct sync_peer *from, json_t *payload,
				 struct err *e)
{
	const char *sha = bstr(payload, "sha256", 64);
	const char *b64 = str(payload, "data");
	if (!is_sha256(sha) || b64 == NULL)
		return bad(e, SK_ATTACHMENT_DATA);
	size_t len = strlen(b64);
	if (len > sodium_base64_ENCODED_LEN(LIMIT_SYNC_ATTACHMENT, sodium_base64_VARIANT_ORIGINAL))
		return sync_refuse_locked(c, from->id, "attachment_size", sha, e);
	int rc = asked_of(c, from, sha, e);
	if (rc != 1)
		return rc < 0 ? -1 : sync_refuse_locked(c, from->id, "attachment_unasked", sha, e);
	unsigned char *bytes = malloc(len / 4 * 3 + 3);
	size_t n = 0;
	if (bytes == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	char got[SHA256_HEX_LEN] = "";
	if (sodium_base642bin(bytes, len / 4 * 3 + 3, b64, len, NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(bytes);
		return sync_refuse_locked(c, from->id, "attachment_hash", sha, e);
	}
	if (n > LIMIT_SYNC_ATTACHMENT) {
		free(bytes);
		return sync_refuse_locked(c, from->id, "attachment_size", sha, e);
	}
	sha256_hex(bytes, n, got);
	if (strcmp(got, sha) != 0) {
		free(bytes);
		return sync_refuse_locked(c, from->id, "attachment_hash", sha, e);
	}
	rc = store_wanted(c, from, sha, bytes, n, e);
	free(bytes);
	return rc;
}

/* Checked bytes of sha from that peer: attached once to every mirror of
 * that peer naming them, by the account standing for the peer. */
static int store_wanted(struct ctx *c, const struct sync_peer *from, const char *sha,
			const void *bytes, size_t n, struct err *e)
{
	int rc = 0;
	struct stmt *st = store_query(c->db, e, "SELECT incident_id, shared FROM sync_mirrors "
				      "WHERE peer_id = $1 AND instr(shared, $2) > 0", "tt", from->id,
				      sha);
	json_t *mirrors = json_array();
	while (st && (rc = stmt_step(st, e)) == 1)
		json_array_append_new(mirrors, json_pack("{s:s, s:o}", "incident_id",
			stmt_text(st, 0), "shared", json_loads(stmt_text(st, 1), 0, NULL)));
	stmt_done(st);
	if (st == NULL)
		rc = -1;
	size_t i;
	json_t *m;
	json_array_foreach(mirrors, i, m) {
		size_t k;
		json_t *a;
		json_array_foreach(json_object_get(json_object_get(m, "shared"), "attachments"), k, a)
			if (rc >= 0 && str(a, "sha256") && strcmp(str(a, "sha256"), sha) == 0 &&
			    bstr(a, "name", 255))
				rc = attach_once(c, from, str(m, "incident_id"), a, bytes, n, e) != 0 ? -1
										      : rc;
	}
	json_decref(mirrors);
	return rc < 0 ? -1 : 0;
}

/* Drops what was kept of sha from that peer and counts why (a part that
 * does not fit, or a whole that is not its hash): the attachment stays
 * wanted, the envelopes behind are not held up. */
static int parts_refuse(struct ctx *c, const struct sync_peer *from, const char *sha,
			const char *reason, struct err *e)
{
	if (store_run(c->db, e, "DELETE FROM sync_attachment_parts WHERE peer_id = $1 AND "
		      "sha256 = $2", "tt", from->id, sha) < 0)
		return -1;
	return sync_refuse_locked(c, from->id, reason, sha, e);
}

/*
 * The asker: one part of an attachment larger than one envelope
 * ({sha256, size, offset, data}). Kept (sync_attachment_parts) in order:
 * the part must start where the kept ones end (a gap or an overlap is
 * refused, and what was kept dropped; the very same part again changes
 * nothing), fit the whole (offset + length <= size), be at most
 * LIMIT_SYNC_PART, and the whole at most our own attachment limit. With
 * the last byte the whole is put together and checked against its
 * SHA-256 before anything is stored; then it goes to the mirrors as
 * attachment.data's bytes do and the parts are deleted. Each part is
 * applied in the inbox's transaction with the cursor, so a kill -9 keeps
 * or loses it with its seq, and a resend is a replay.
 */
static int apply_attachment_part(struct ctx *c, const struct sync_peer *from, json_t *payload,
				 struct err *e)
{
	const char *sha = bstr(payload, "sha256", 64), *b64 = str(payload, "data");
	json_t *jt = json_object_get(payload, "size"), *jo = json_object_get(payload, "offset");
	if (!is_sha256(sha) || b64 == NULL || !json_is_integer(jt) || !json_is_integer(jo) ||
	    json_integer_value(jt) <= 0 || json_integer_value(jo) < 0)
		return bad(e, SK_ATTACHMENT_PART);
	int64_t total = json_integer_value(jt), off = json_integer_value(jo);
	size_t len = strlen(b64);
	if (total > own_attachment_limit(c) ||
	    len > sodium_base64_ENCODED_LEN(LIMIT_SYNC_PART, sodium_base64_VARIANT_ORIGINAL))
		return parts_refuse(c, from, sha, "attachment_size", e);
	int rc = asked_of(c, from, sha, e);
	if (rc != 1)
		return rc < 0 ? -1 : sync_refuse_locked(c, from->id, "attachment_unasked", sha, e);
	/* Held already (it came another way): attached from what we hold,
	 * nothing to keep. */
	struct stmt *st;
	rc = held_bytes(c, sha, NULL, &st, e);
	if (rc != 0) {
		void *copy = NULL;
		size_t hn = 0;
		if (rc == 1) {
			const void *hd = stmt_blob(st, 0, &hn);
			if ((copy = malloc(hn ? hn : 1)) != NULL)
				memcpy(copy, hd, hn);
		}
		stmt_done(st);
		if (rc < 0)
			return -1;
		if (copy == NULL)
			return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		rc = store_wanted(c, from, sha, copy, hn, e) != 0 ||
			store_run(c->db, e, "DELETE FROM sync_attachment_parts WHERE peer_id = $1 "
				  "AND sha256 = $2", "tt", from->id, sha) < 0 ? -1 : 0;
		free(copy);
		return rc;
	}
	unsigned char *bytes = malloc(len / 4 * 3 + 3);
	size_t n = 0;
	if (bytes == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (sodium_base642bin(bytes, len / 4 * 3 + 3, b64, len, NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 || n == 0) {
		free(bytes);
		return parts_refuse(c, from, sha, "attachment_part", e);
	}
	if (n > LIMIT_SYNC_PART || off > total || (int64_t)n > total - off) {
		free(bytes);
		return parts_refuse(c, from, sha, "attachment_size", e);
	}
	/* What is kept so far: its length and the whole it announced. */
	st = store_query(c->db, e, "SELECT COALESCE(SUM(size), 0), COALESCE(MIN(total), 0), "
			 "COALESCE(MAX(total), 0), COUNT(*) FROM sync_attachment_parts WHERE "
			 "peer_id = $1 AND sha256 = $2", "tt", from->id, sha);
	if (st == NULL || stmt_step(st, e) != 1) {
		stmt_done(st);
		free(bytes);
		return -1;
	}
	int64_t have = stmt_int(st, 0), tmin = stmt_int(st, 1), tmax = stmt_int(st, 2),
		nparts = stmt_int(st, 3);
	stmt_done(st);
	if (nparts > 0 && (tmin != total || tmax != total)) {
		free(bytes);
		return parts_refuse(c, from, sha, "attachment_part", e);
	}
	if (off < have) {
		/* The very same part again changes nothing; anything else
		 * overlaps what is kept. */
		st = store_query(c->db, e, "SELECT data FROM sync_attachment_parts WHERE peer_id = "
				 "$1 AND sha256 = $2 AND offset_at = $3", "tti", from->id, sha, off);
		int same = 0;
		if (st && stmt_step(st, e) == 1) {
			size_t kn;
			const void *kd = stmt_blob(st, 0, &kn);
			same = kn == n && memcmp(kd, bytes, n) == 0;
		}
		stmt_done(st);
		free(bytes);
		if (st == NULL)
			return -1;
		return same ? 0 : parts_refuse(c, from, sha, "attachment_part", e);
	}
	if (off > have) {
		free(bytes);
		return parts_refuse(c, from, sha, "attachment_part", e);   /* a gap */
	}
	if (store_run(c->db, e, "INSERT INTO sync_attachment_parts (peer_id, sha256, total, "
		      "offset_at, size, data, received_at) VALUES ($1,$2,$3,$4,$5,$6,$7)",
		      "ttiiibi", from->id, sha, total, off, (int64_t)n, bytes, n,
		      time_now_ms()) < 0) {
		free(bytes);
		return -1;
	}
	free(bytes);
	if (off + (int64_t)n < total)
		return 0;   /* more to come */
	/* Every byte is there: the whole, checked, then stored. */
	unsigned char *whole = malloc((size_t)total);
	if (whole == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	st = store_query(c->db, e, "SELECT offset_at, data FROM sync_attachment_parts WHERE "
			 "peer_id = $1 AND sha256 = $2 ORDER BY offset_at", "tt", from->id, sha);
	int64_t at = 0;
	while (st && (rc = stmt_step(st, e)) == 1) {
		size_t kn;
		const void *kd = stmt_blob(st, 1, &kn);
		if (stmt_int(st, 0) != at || at + (int64_t)kn > total) {
			rc = -2;
			break;
		}
		memcpy(whole + at, kd, kn);
		at += (int64_t)kn;
	}
	stmt_done(st);
	if (st == NULL || rc == -1) {
		free(whole);
		return -1;
	}
	char got[SHA256_HEX_LEN] = "";
	if (rc == 0 && at == total)
		sha256_hex(whole, (size_t)total, got);
	if (strcmp(got, sha) != 0) {
		free(whole);
		return parts_refuse(c, from, sha, "attachment_hash", e);
	}
	rc = store_wanted(c, from, sha, whole, (size_t)total, e) != 0 ||
		store_run(c->db, e, "DELETE FROM sync_attachment_parts WHERE peer_id = $1 AND "
			  "sha256 = $2", "tt", from->id, sha) < 0 ? -1 : 0;
	free(whole);
	return rc;
}

json_t *sync_kinds_attachments_wanted(struct ctx *c, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT r.peer_id, r.remote_id FROM sync_received r "
				      "WHERE r.kind = 'attachment' AND NOT EXISTS (SELECT 1 FROM "
				      "attachments a JOIN attachment_data d ON d.id = a.id WHERE "
				      "a.sha256 = r.remote_id) ORDER BY r.received_at LIMIT 500", "");
	if (st == NULL)
		return NULL;
	json_t *out = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(out, json_pack("{s:s, s:s}", "peer_id", stmt_text(st, 0),
						     "sha256", stmt_text(st, 1)));
	stmt_done(st);
	if (rc < 0)
		return json_decref(out), NULL;
	return out;
}

json_t *sync_kinds_incident_view(struct ctx *c, const char *incident_id, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT peer_id, instance, org_code, org_name, "
				      "updated_at FROM sync_mirrors WHERE incident_id = $1", "t",
				      incident_id);
	if (st == NULL)
		return NULL;
	json_t *out = json_object(), *mirror = json_null();
	int rc = stmt_step(st, e);
	if (rc == 1)
		mirror = json_pack("{s:s, s:s, s:s, s:s, s:o}", "peer_id", stmt_text(st, 0),
				   "instance", stmt_text(st, 1), "org_code", stmt_text(st, 2),
				   "org_name", stmt_text(st, 3), "updated_at",
				   ms_or_null(stmt_int(st, 4)));
	stmt_done(st);
	json_object_set_new(out, "mirror", mirror);
	if (rc < 0)
		return json_decref(out), NULL;
	st = store_query(c->db, e, "SELECT kind, remote_id, payload, received_at FROM "
			 "sync_received WHERE incident_id = $1 ORDER BY received_at, id LIMIT 500",
			 "t", incident_id);
	if (st == NULL)
		return json_decref(out), NULL;
	json_t *list = json_array();
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:o}", "kind",
			stmt_text(st, 0), "remote_id", stmt_text(st, 1), "payload",
			json_loads(stmt_text(st, 2), 0, NULL), "received_at",
			ms_or_null(stmt_int(st, 3))));
	stmt_done(st);
	json_object_set_new(out, "received", list);
	if (rc < 0)
		return json_decref(out), NULL;
	return out;
}

/* ---- the table ---- */

const struct sync_kind sync_kinds_table[] = {
	/* up: a child sends them */
	{ SK_SUPPORT_REQUEST, SYNC_CHILD, apply_support_request },
	{ SK_INCIDENT_UPDATE, SYNC_CHILD, apply_incident_update },
	{ SK_INCIDENT_STATUS, SYNC_CHILD, apply_incident_status },
	{ SK_SUPPORT_DONE, SYNC_CHILD, apply_support_done },
	{ SK_REPORT, SYNC_CHILD, apply_report },
	{ SK_SIGHTING, SYNC_CHILD, apply_sighting },
	{ SK_HUNT_SUMMARY, SYNC_CHILD, apply_hunt_summary },
	{ SK_PERIODIC, SYNC_CHILD, apply_periodic },
	/* down: a parent sends them */
	{ SK_SUPPORT_ANSWER, SYNC_PARENT, apply_support_answer },
	{ SK_COMMENT, SYNC_PARENT, apply_comment },
	{ SK_DIRECTION, SYNC_PARENT, apply_direction },
	{ SK_WARNING, SYNC_PARENT, apply_warning },
	{ SK_WARNING_WITHDRAW, SYNC_PARENT, apply_warning_withdraw },
	{ SK_INDICATOR, SYNC_PARENT, apply_indicator },
	{ SK_INDICATOR_REVOKE, SYNC_PARENT, apply_indicator_revoke },
	{ SK_INDICATOR_RETRACT, SYNC_PARENT, apply_indicator_retract },
	{ SK_HUNT, SYNC_PARENT, apply_hunt },
	{ SK_HUNT_CLOSE, SYNC_PARENT, apply_hunt_close },
	/* both ways */
	{ SK_ATTACHMENT_WANT, SYNC_PARENT | SYNC_CHILD, apply_attachment_want },
	{ SK_ATTACHMENT_DATA, SYNC_PARENT | SYNC_CHILD, apply_attachment_data },
	{ SK_ATTACHMENT_PART, SYNC_PARENT | SYNC_CHILD, apply_attachment_part },
};
const size_t sync_kinds_count = sizeof(sync_kinds_table) / sizeof(sync_kinds_table[0]);

void sync_kinds_install(void)
{
	sync_register_kinds(sync_kinds_table, sync_kinds_count);
	incident_on_record(sync_kinds_on_record);
	domain_on_record(sync_kinds_on_domain);
}
