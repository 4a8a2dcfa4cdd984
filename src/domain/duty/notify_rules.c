/* notify_rules.c - events to notifications, channels, escalation (issue 17). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "notify_rules.h"
#include "roster.h"
#include "../directory/audit.h"
#include "../directory/policy.h"
#include "../directory/secrets.h"
#include "../incident/incident.h"
#include "../../base/buf.h"
#include "../../base/crypto.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

const char *const notify_events[] = {
	"incident.new", "incident.assigned", "clock.near", "clock.overdue", "escalation",
	"plan.approval", "support.received", "support.answered", "warning.issued",
	"warning.deadline", "hunt.opened", "finding.kev", "report.approval", NULL
};

static const char *const channel_names[] = { "web", "email", "webhook", NULL };

static struct duty_conf conf = {
	.clock_lead_ms = 30LL * 60 * 1000,
	.steps_ms = { 0, 30LL * 60 * 1000, 60LL * 60 * 1000 },
	.base_url = "http://127.0.0.1:8080",
};

void duty_conf_default(struct duty_conf *d)
{
	memset(d, 0, sizeof(*d));
	d->clock_lead_ms = 30LL * 60 * 1000;
	d->steps_ms[0] = 0;
	d->steps_ms[1] = 30LL * 60 * 1000;
	d->steps_ms[2] = 60LL * 60 * 1000;
	snprintf(d->base_url, sizeof(d->base_url), "%s", "http://127.0.0.1:8080");
}

void notify_rules_configure(const struct duty_conf *d)
{
	conf = *d;
}

const struct duty_conf *notify_rules_conf(void)
{
	return &conf;
}

unsigned notify_default_channels(const char *event)
{
	/* what cannot wait goes by mail too; the rest stays in the browser */
	static const char *const by_mail[] = {
		"incident.new", "incident.assigned", "clock.overdue", "escalation",
		"support.received", "warning.issued", "warning.deadline", "hunt.opened",
		"finding.kev", NULL
	};
	return jv_enum_index(by_mail, event) >= 0 ? CH_WEB | CH_EMAIL : CH_WEB;
}

int notify_channels_parse(const json_t *list, const char **bad)
{
	unsigned bits = 0;
	size_t i;
	json_t *v;
	if (!json_is_array(list))
		return -1;
	json_array_foreach(list, i, v) {
		int k = jv_enum_index(channel_names, json_string_value(v));
		if (k < 0) {
			*bad = json_string_value(v);
			return -1;
		}
		bits |= 1u << k;
	}
	return (int)bits;
}

int notify_text_allowed(const char *tlp, int confidential, unsigned channel)
{
	if (channel == CH_WEB)
		return 1;
	if (confidential || tlp == NULL)
		return 0;
	return strcmp(tlp, "CLEAR") == 0 || strcmp(tlp, "GREEN") == 0 ||
	       strcmp(tlp, "WHITE") == 0;
}

int escalation_level(int64_t due, const int64_t steps_ms[3], int64_t now)
{
	int n = 0;
	for (int k = 0; k < 3; k++)
		if (now >= due + steps_ms[k])
			n = k + 1;
	return n;
}

/* ---- queueing ---- */

/* What happened, as the domain knows it; the texts are built per channel. */
struct notice {
	const char *event, *key;
	const char *record_kind, *record_id;
	const char *number;        /* PQ-2026-0007, a plan's title: always shown */
	const char *title;         /* the record's own text: filtered by TLP */
	const char *tlp;
	int confidential;
	int msg;                   /* MSG_NOTIFY_... with the number */
	const char *link_path;     /* "/#/incidents/<id>" */
};

static void texts(const struct notice *n, int allowed, int lang, char *out, size_t len)
{
	char head[600];
	msg_format(n->msg, lang, n->number, head, sizeof(head));
	if (allowed && n->title && *n->title)
		snprintf(out, len, "%s: %s", head, n->title);
	else if (!allowed)
		snprintf(out, len, "%s %s", head,
			 msg_format(MSG_NOTIFY_HIDDEN_TITLE, lang, n->tlp ? n->tlp : "AMBER",
				    (char[200]){ 0 }, 200));
	else
		snprintf(out, len, "%s", head);
}

static int queue_delivery(struct store *db, const char *nid, const char *channel,
			  const char *target, const char *subject, const char *body,
			  int64_t now, struct err *e)
{
	char id[UUID_LEN];
	uuid7(id);
	return store_run(db, e, "INSERT INTO deliveries (id, notification_id, channel, target, "
			 "subject, body, status, attempts, next_at, created_at) VALUES "
			 "($1,$2,$3,$4,$5,$6,'queued',0,$7,$7) "
			 "ON CONFLICT (notification_id, channel) DO NOTHING", "tttttti", id,
			 nid, channel, target, subject, body, now) < 0 ? -1 : 0;
}

/* One notification for user uid, and its deliveries; nothing when this
 * person has it already (the unique key). Inside the caller's transaction. */
static int queue_one(struct store *db, const struct notice *n, const char *uid, struct err *e)
{
	struct stmt *st = store_query(db, e, "SELECT u.email, p.channels, w.url "
		"FROM users u LEFT JOIN notify_prefs p ON p.user_id = u.id AND p.event = $2 "
		"LEFT JOIN notify_webhooks w ON w.user_id = u.id WHERE u.id = $1 AND u.disabled = 0",
		"tt", uid, n->event);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc != 1) {
		stmt_done(st);
		return rc;
	}
	char email[256], url[1024] = "";
	snprintf(email, sizeof(email), "%s", stmt_text(st, 0) ? stmt_text(st, 0) : "");
	unsigned ch = notify_default_channels(n->event);
	if (stmt_text(st, 1)) {
		json_t *l = json_loads(stmt_text(st, 1), 0, NULL);
		const char *bad = NULL;
		int b = l ? notify_channels_parse(l, &bad) : -1;
		json_decref(l);
		if (b >= 0)
			ch = (unsigned)b;
	}
	if (stmt_text(st, 2)) {
		snprintf(url, sizeof(url), "%s", stmt_text(st, 2));
	}
	stmt_done(st);

	char nid[UUID_LEN], title[1200], body[1200], link[700];
	uuid7(nid);
	int64_t now = time_now_ms();
	snprintf(link, sizeof(link), "%s%s", conf.base_url, n->link_path);
	texts(n, 1, LANG_VI, title, sizeof(title));
	texts(n, 1, LANG_EN, body, sizeof(body));
	int added = store_run(db, e, "INSERT INTO notifications (id, user_id, event, event_key, "
		"record_kind, record_id, title, body, link, created_at, read_at) VALUES "
		"($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (event_key, user_id) DO NOTHING",
		"tttttttttin", nid, uid, n->event, n->key, n->record_kind, n->record_id, title,
		body, n->link_path, now);
	if (added <= 0)
		return added;   /* -1 error, 0 already notified */
	/* The bell counts only what the person asked for in the browser; the
	 * list keeps everything. */
	if (!(ch & CH_WEB) &&
	    store_run(db, e, "UPDATE notifications SET read_at = $1 WHERE id = $2", "it", now,
		      nid) < 0)
		return -1;
	int allowed = notify_text_allowed(n->tlp, n->confidential, CH_EMAIL);
	if ((ch & CH_EMAIL) && email[0]) {
		char subj[1300], vi[1200], en[1200], foot_vi[400], foot_en[400];
		struct buf b;
		buf_init(&b, 16384);
		texts(n, allowed, LANG_VI, vi, sizeof(vi));
		texts(n, allowed, LANG_EN, en, sizeof(en));
		snprintf(subj, sizeof(subj), "[ungcuu] %s", vi);
		msg_format(MSG_NOTIFY_FOOTER, LANG_VI, "ungcuu", foot_vi, sizeof(foot_vi));
		msg_format(MSG_NOTIFY_FOOTER, LANG_EN, "ungcuu", foot_en, sizeof(foot_en));
		char lvi[800], len_[800];
		msg_format(MSG_NOTIFY_OPEN_LINK, LANG_VI, link, lvi, sizeof(lvi));
		msg_format(MSG_NOTIFY_OPEN_LINK, LANG_EN, link, len_, sizeof(len_));
		buf_printf(&b, "%s\r\n%s\r\n\r\n%s\r\n%s\r\n\r\n-- \r\n%s\r\n%s\r\n", vi, lvi, en,
			   len_, foot_vi, foot_en);
		rc = b.p ? queue_delivery(db, nid, "email", email, subj, b.p, now, e)
			 : err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		buf_release(&b);
		if (rc != 0)
			return -1;
	}
	if ((ch & CH_WEBHOOK) && url[0]) {
		char t[1200];
		texts(n, notify_text_allowed(n->tlp, n->confidential, CH_WEBHOOK), LANG_VI, t,
		      sizeof(t));
		char ts[TIME_RFC3339_LEN];
		json_t *j = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:s, s:s}",
			"id", nid, "event", n->event, "event_key", n->key,
			"record", "kind", n->record_kind, "id", n->record_id, "number", n->number,
			"text", t, "link", link, "at", time_format_utc(now, ts));
		char *payload = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		rc = payload ? queue_delivery(db, nid, "webhook", url, n->event, payload, now, e) : -1;
		free(payload);
		if (rc != 0)
			return -1;
	}
	return 1;
}

/* ---- incidents ---- */

struct inc_info {
	char id[UUID_LEN], number[32], org_path[LIMIT_ORG_PATH], org_id[UUID_LEN];
	char title[LIMIT_SHORT_TEXT * 2 + 1], tlp[16];
	int confidential;
};

static int inc_info(struct store *db, const char *id, struct inc_info *i, struct err *e)
{
	struct stmt *st = store_query(db, e, "SELECT i.id, i.number, o.path, i.title, i.tlp, "
		"i.confidential, o.id FROM incidents i JOIN orgs o ON o.id = i.org_id "
		"WHERE i.id = $1", "t", id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(i->id, sizeof(i->id), "%s", stmt_text(st, 0));
		snprintf(i->number, sizeof(i->number), "%s", stmt_text(st, 1));
		snprintf(i->org_path, sizeof(i->org_path), "%s", stmt_text(st, 2));
		snprintf(i->title, sizeof(i->title), "%s", stmt_text(st, 3));
		snprintf(i->tlp, sizeof(i->tlp), "%s", stmt_text(st, 4));
		i->confidential = (int)stmt_int(st, 5);
		snprintf(i->org_id, sizeof(i->org_id), "%s", stmt_text(st, 6));
	}
	stmt_done(st);
	return rc == 1 ? 0 : -1;
}

/* Queues n for each user id the query yields (column 0). */
static int queue_each(struct store *db, const struct notice *n, struct stmt *st,
		      const char *skip, struct err *e)
{
	if (st == NULL)
		return -1;
	char (*ids)[UUID_LEN] = NULL;
	size_t cnt = 0, cap = 0;
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		if (skip && strcmp(skip, stmt_text(st, 0)) == 0)
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			void *p = realloc(ids, cap * UUID_LEN);
			if (p == NULL) {
				rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
				break;
			}
			ids = p;
		}
		snprintf(ids[cnt++], UUID_LEN, "%s", stmt_text(st, 0));
	}
	stmt_done(st);
	int queued = 0;
	for (size_t k = 0; rc == 0 && k < cnt; k++) {
		int r = queue_one(db, n, ids[k], e);
		if (r < 0)
			rc = -1;
		else
			queued += r;
	}
	free(ids);
	return rc < 0 ? -1 : queued;
}

/* Active users who read incidents of org_path (it lies in their subtree)
 * with one of the role names (SQL LIKE on the comma list). */
#define IN_SCOPE_USERS "SELECT u.id FROM users u JOIN orgs uo ON uo.id = u.org_id " \
	"WHERE u.disabled = 0 AND substr($1, 1, length(uo.path)) = uo.path AND ("
#define HAS_ROLE(r) "(',' || u.roles || ',') LIKE '%," r ",%'"

int notify_incident_event(struct ctx *c, const char *kind, const char *incident_id,
			  const char *user_id, struct err *e)
{
	struct inc_info i;
	if (inc_info(c->db, incident_id, &i, e) != 0)
		return e->code == E_OK ? 0 : -1;
	char key[128], link[80];
	snprintf(link, sizeof(link), "/#/incidents/%s", i.id);
	struct notice n = { .record_kind = "incident", .record_id = i.id, .number = i.number,
			    .title = i.title, .tlp = i.tlp, .confidential = i.confidential,
			    .key = key, .link_path = link };
	const char *self = c->actor && !c->actor->system ? c->actor->id : NULL;
	if (strcmp(kind, "created") == 0) {
		n.event = "incident.new";
		n.msg = MSG_NOTIFY_INCIDENT_NEW;
		snprintf(key, sizeof(key), "incident.new:%s", i.id);
		struct stmt *st = store_query(c->db, e, IN_SCOPE_USERS HAS_ROLE("coordinator")
			" OR " HAS_ROLE("focal") " OR " HAS_ROLE("responder") " OR "
			HAS_ROLE("leader") ") ORDER BY u.id LIMIT 500", "t", i.org_path);
		return queue_each(c->db, &n, st, self, e) < 0 ? -1 : 0;
	}
	if (strcmp(kind, "assigned") == 0 && user_id) {
		n.event = "incident.assigned";
		n.msg = MSG_NOTIFY_INCIDENT_ASSIGNED;
		snprintf(key, sizeof(key), "incident.assigned:%s", i.id);
		if (self && strcmp(self, user_id) == 0)
			return 0;   /* one who takes it knows */
		return queue_one(c->db, &n, user_id, e) < 0 ? -1 : 0;
	}
	return 0;
}

/* ---- event-driven notifications read by the record's id ---- */

/* Every event that a record causes, as one query with $1 = the record's id
 * yielding (user, key, record id, number, title, tlp, confidential, link)
 * for the people concerned. Queued inside the transaction that wrote the
 * record (the hooks below), never by a scan. */
#define WHO(org, roles) "JOIN users u ON u.org_id = " org " AND u.disabled = 0 AND (" roles ") "
#define R_HANDLERS HAS_ROLE("coordinator") " OR " HAS_ROLE("responder")
#define R_KEEPERS HAS_ROLE("focal") " OR " HAS_ROLE("coordinator")
struct record_event {
	const char *event, *kind;
	int msg;
	const char *sql;
};
static const struct record_event record_events[] = {
	{ "support.received", "incident", MSG_NOTIFY_SUPPORT_RECEIVED,
	  "SELECT u.id, 'support.received:' || s.id, i.id, i.number, s.summary, i.tlp, "
	  "i.confidential, '/#/incidents/' || i.id FROM support_requests s JOIN incidents i ON "
	  "i.id = s.incident_id " WHO("s.to_org_id", R_HANDLERS)
	  "WHERE s.id = $1 AND s.status = 'sent' ORDER BY u.id" },
	{ "support.answered", "incident", MSG_NOTIFY_SUPPORT_ANSWERED,
	  "SELECT u.id, 'support.answered:' || s.id || ':' || s.status, i.id, i.number, "
	  "s.summary, i.tlp, i.confidential, '/#/incidents/' || i.id FROM support_requests s "
	  "JOIN incidents i ON i.id = s.incident_id JOIN users u ON u.id = s.created_by AND "
	  "u.disabled = 0 WHERE s.id = $1 AND s.status IN ('accepted', 'declined', 'done')" },
	{ "warning.issued", "warning", MSG_NOTIFY_WARNING_ISSUED,
	  "SELECT u.id, 'warning.issued:' || w.id, w.id, w.title, w.reference, 'GREEN', 0, "
	  "'/#/warnings/' || w.id FROM warning_targets t JOIN warnings w ON w.id = t.warning_id "
	  WHO("t.org_id", R_KEEPERS) "WHERE w.id = $1 ORDER BY u.id" },
	{ "hunt.opened", "hunt", MSG_NOTIFY_HUNT_OPENED,
	  "SELECT u.id, 'hunt.opened:' || h.id, h.id, '', h.title, 'AMBER', 0, "
	  "'/#/hunts/' || h.id FROM hunt_targets t JOIN hunts h ON h.id = t.hunt_id "
	  WHO("t.org_id", R_KEEPERS " OR " HAS_ROLE("responder"))
	  "WHERE h.id = $1 AND h.status = 'open' ORDER BY u.id" },
	{ "finding.kev", "finding", MSG_NOTIFY_FINDING_KEV,
	  "SELECT u.id, 'finding.kev:' || f.id, f.id, f.vuln_id, hs.hostname, 'AMBER', 0, "
	  "'/#/hosts/' || hs.id FROM findings f JOIN hosts hs ON hs.id = f.host_id "
	  WHO("hs.org_id", R_KEEPERS) "WHERE f.id = $1 AND f.kev = 1 AND f.status = 'open' "
	  "ORDER BY u.id" },
	/* a plan is internal: its title never leaves by mail (AMBER); the
	 * leaders of its organisation and above approve (regulation §8) */
	{ "plan.approval", "plan", MSG_NOTIFY_PLAN_APPROVAL,
	  "SELECT u.id, 'plan.approval:' || p.id || ':' || CAST(p.submitted_at AS TEXT), p.id, "
	  "p.title, '', 'AMBER', 0, '/#/plans/' || p.id FROM plans p JOIN orgs o ON "
	  "o.id = p.org_id JOIN orgs uo ON substr(o.path, 1, length(uo.path)) = uo.path "
	  "JOIN users u ON u.org_id = uo.id AND u.disabled = 0 AND " HAS_ROLE("leader")
	  " WHERE p.id = $1 AND p.status = 'submitted' ORDER BY u.id LIMIT 100" },
	/* a periodic report (Mẫu 05) submitted: the leaders of the nearest
	 * organisation at or above it that has one sign it (regulation §6);
	 * the key names the submission, so one returned and submitted again
	 * is announced again. Its figures are the organisation's: AMBER. */
	{ "report.approval", "periodic_report", MSG_NOTIFY_REPORT_APPROVAL,
	  "SELECT u.id, 'report.approval:' || r.id || ':' || CAST((SELECT MAX(a.at) FROM "
	  "report_approvals a WHERE a.report_id = r.id AND a.action = 'submit') AS TEXT), r.id, "
	  "o.code || ' ' || r.period || ' ' || CAST(r.year AS TEXT), '', 'AMBER', 0, "
	  "'/#/plan/mau05/' || r.id FROM periodic_reports r JOIN orgs o ON o.id = r.org_id "
	  "JOIN users u ON u.disabled = 0 AND " HAS_ROLE("leader") " AND u.org_id = (SELECT "
	  "lo.id FROM orgs lo JOIN users l ON l.org_id = lo.id WHERE substr(o.path, 1, "
	  "length(lo.path)) = lo.path AND l.disabled = 0 AND (',' || l.roles || ',') LIKE "
	  "'%,leader,%' ORDER BY length(lo.path) DESC LIMIT 1) WHERE r.id = $1 AND "
	  "r.status = 'submitted' ORDER BY u.id LIMIT 100" },
};

/* Queues n's event for each row (user, key, record id, number, title, tlp,
 * confidential, link) the statement yields: the one pattern of every
 * notification read from a table, event-driven or time-driven. The rows are
 * read first (no statement stays open while writing). Number queued or -1. */
static int queue_rows(struct store *db, const char *event, const char *kind, int msg,
		      struct stmt *st, struct err *e)
{
	struct row {
		char user[UUID_LEN], key[160], record[UUID_LEN], number[200], title[600], tlp[16];
		char link[120];
		int confidential;
	} *v = NULL;
	size_t n = 0, cap = 0;
	int rc;
	if (st == NULL)
		return -1;
	while ((rc = stmt_step(st, e)) == 1 && n < 20000) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			void *p = realloc(v, cap * sizeof(*v));
			if (p == NULL) {
				rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
				break;
			}
			v = p;
		}
		struct row *r = &v[n++];
		const char *t;
		snprintf(r->user, sizeof(r->user), "%s", stmt_text(st, 0));
		snprintf(r->key, sizeof(r->key), "%s", stmt_text(st, 1));
		snprintf(r->record, sizeof(r->record), "%s", stmt_text(st, 2));
		snprintf(r->number, sizeof(r->number), "%s", (t = stmt_text(st, 3)) ? t : "");
		snprintf(r->title, sizeof(r->title), "%s", (t = stmt_text(st, 4)) ? t : "");
		snprintf(r->tlp, sizeof(r->tlp), "%s", (t = stmt_text(st, 5)) ? t : "AMBER");
		r->confidential = (int)stmt_int(st, 6);
		snprintf(r->link, sizeof(r->link), "%s", stmt_text(st, 7));
	}
	stmt_done(st);
	int queued = 0;
	for (size_t k = 0; rc == 0 && k < n; k++) {
		struct notice nt = { .event = event, .key = v[k].key, .record_kind = kind,
				     .record_id = v[k].record, .number = v[k].number,
				     .title = v[k].title, .tlp = v[k].tlp,
				     .confidential = v[k].confidential, .msg = msg,
				     .link_path = v[k].link };
		int q = queue_one(db, &nt, v[k].user, e);
		if (q < 0)
			rc = -1;
		else
			queued += q;
	}
	free(v);
	return rc < 0 ? -1 : queued;
}

int notify_record(struct ctx *c, const char *event, const char *id, struct err *e)
{
	for (size_t k = 0; k < sizeof(record_events) / sizeof(record_events[0]); k++) {
		const struct record_event *r = &record_events[k];
		if (strcmp(r->event, event) != 0)
			continue;
		struct stmt *st = store_query(c->db, e, r->sql, "t", id);
		return queue_rows(c->db, r->event, r->kind, r->msg, st, e) < 0 ? -1 : 0;
	}
	return 0;
}

int notify_on_incident_record(struct ctx *c, const char *incident_id, const char *kind,
			      const char *record_id, const json_t *rec, struct err *e)
{
	(void)incident_id;
	(void)rec;
	if (record_id == NULL)
		return 0;
	if (strcmp(kind, "support_request") == 0)
		return notify_record(c, "support.received", record_id, e);
	if (strcmp(kind, "support_request_update") == 0)
		return notify_record(c, "support.answered", record_id, e);
	return 0;
}

int notify_on_domain_record(struct ctx *c, const char *entity, const char *id, const json_t *rec,
			    struct err *e)
{
	(void)rec;
	static const char *const map[][2] = {
		{ "warning", "warning.issued" }, { "hunt", "hunt.opened" },
		{ "finding.kev", "finding.kev" }, { "plan.submitted", "plan.approval" },
		{ "periodic.submitted", "report.approval" },
	};
	if (id == NULL)
		return 0;
	for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++)
		if (strcmp(entity, map[k][0]) == 0)
			return notify_record(c, map[k][1], id, e);
	return 0;
}

void notify_rules_install(void)
{
	incident_on_event(notify_incident_event);
	incident_on_record(notify_on_incident_record);
	domain_on_record(notify_on_domain_record);
}

/* ---- the scan: time-driven events ---- */

struct due_row {
	char incident[UUID_LEN], kind[32];
	int64_t due;
};

static int due_rows(struct store *db, const char *sql, int64_t a, int64_t b,
		    struct due_row **out, size_t *n, struct err *e)
{
	struct stmt *st = store_query(db, e, sql, "ii", a, b);
	if (st == NULL)
		return -1;
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	while ((rc = stmt_step(st, e)) == 1 && *n < 10000) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			void *p = realloc(*out, cap * sizeof(**out));
			if (p == NULL) {
				rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
				break;
			}
			*out = p;
		}
		struct due_row *r = &(*out)[(*n)++];
		snprintf(r->incident, sizeof(r->incident), "%s", stmt_text(st, 0));
		snprintf(r->kind, sizeof(r->kind), "%s", stmt_text(st, 1));
		r->due = stmt_int(st, 2);
	}
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

#define SCAN_ROWS "500"
#define SCAN_BACK_MS (7LL * 86400000)
#define OPEN_CLOCKS "SELECT d.incident_id, d.kind, d.due_at FROM deadlines d " \
	"JOIN incidents i ON i.id = d.incident_id WHERE d.met_at IS NULL " \
	"AND i.status NOT IN ('closed', 'rejected') "

/* Whom a clock concerns: the assignees, else the coordinators in scope. */
static int clock_notice(struct store *db, const struct due_row *r, int overdue, struct err *e)
{
	struct inc_info i;
	if (inc_info(db, r->incident, &i, e) != 0)
		return e->code == E_OK ? 0 : -1;
	char key[160], link[80], what[120];
	snprintf(key, sizeof(key), "%s:%s:%s:%lld", overdue ? "clock.overdue" : "clock.near",
		 i.id, r->kind, (long long)r->due);
	snprintf(link, sizeof(link), "/#/incidents/%s", i.id);
	snprintf(what, sizeof(what), "%s (%s)", i.number, r->kind);
	struct notice n = { .event = overdue ? "clock.overdue" : "clock.near", .key = key,
			    .record_kind = "incident", .record_id = i.id, .number = what,
			    .title = i.title, .tlp = i.tlp, .confidential = i.confidential,
			    .msg = overdue ? MSG_NOTIFY_CLOCK_OVERDUE : MSG_NOTIFY_CLOCK_NEAR,
			    .link_path = link };
	struct stmt *st = store_query(db, e, "SELECT a.user_id FROM assignees a JOIN users u ON "
		"u.id = a.user_id WHERE a.incident_id = $1 AND u.disabled = 0 ORDER BY a.user_id",
		"t", i.id);
	int q = queue_each(db, &n, st, NULL, e);
	if (q != 0)
		return q;
	/* nobody assigned: the coordinators who see it */
	st = store_query(db, e, IN_SCOPE_USERS HAS_ROLE("coordinator") ") ORDER BY u.id LIMIT 100",
			 "t", i.org_path);
	return queue_each(db, &n, st, NULL, e);
}

/* The organisation whose roster answers for an incident of org_path: the
 * nearest at or above it with shifts. 1 found, 0 none, -1 error. */
static int roster_org(struct store *db, const char *org_path, char id[UUID_LEN],
		      char path[LIMIT_ORG_PATH], struct err *e)
{
	struct stmt *st = store_query(db, e, "SELECT o.id, o.path FROM orgs o WHERE "
		"substr($1, 1, length(o.path)) = o.path AND EXISTS (SELECT 1 FROM duty_shifts s "
		"WHERE s.org_id = o.id) ORDER BY length(o.path) DESC LIMIT 1", "t", org_path);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		snprintf(id, UUID_LEN, "%s", stmt_text(st, 0));
		snprintf(path, LIMIT_ORG_PATH, "%s", stmt_text(st, 1));
	}
	stmt_done(st);
	return rc;
}

static int escalate(struct store *db, const struct due_row *r, int64_t now, struct err *e)
{
	int level = escalation_level(r->due, conf.steps_ms, now);
	if (level == 0)
		return 0;
	struct inc_info i;
	if (inc_info(db, r->incident, &i, e) != 0)
		return e->code == E_OK ? 0 : -1;
	char oid[UUID_LEN], opath[LIMIT_ORG_PATH];
	int has = roster_org(db, i.org_path, oid, opath, e);
	if (has < 0)
		return -1;
	json_t *duty = has ? roster_on_duty(db, oid, now, e) : json_null();
	if (duty == NULL)
		return -1;
	char link[80];
	snprintf(link, sizeof(link), "/#/incidents/%s", i.id);
	int queued = 0;
	for (int k = 0; k < level; k++) {
		char key[128];
		snprintf(key, sizeof(key), "escalation:%s:%d", i.id, k);
		struct notice n = { .event = "escalation", .key = key, .record_kind = "incident",
				    .record_id = i.id, .number = i.number, .title = i.title,
				    .tlp = i.tlp, .confidential = i.confidential,
				    .msg = MSG_NOTIFY_ESCALATION, .link_path = link };
		int q = 0;
		if (k < 2) {
			json_t *p = json_object_get(duty, k == 0 ? "primary" : "backup");
			const char *uid = json_string_value(json_object_get(p, "id"));
			if (uid)
				q = queue_one(db, &n, uid, e);
		} else {
			/* the leaders of the organisation that answers for it */
			struct stmt *st = store_query(db, e, "SELECT u.id FROM users u WHERE "
				"u.disabled = 0 AND u.org_id = (SELECT o.id FROM orgs o JOIN users l "
				"ON l.org_id = o.id WHERE substr($1, 1, length(o.path)) = o.path AND "
				"l.disabled = 0 AND (',' || l.roles || ',') LIKE '%,leader,%' "
				"ORDER BY length(o.path) DESC LIMIT 1) AND " HAS_ROLE("leader")
				" ORDER BY u.id", "t", has ? opath : i.org_path);
			q = queue_each(db, &n, st, NULL, e);
		}
		if (q < 0) {
			json_decref(duty);
			return -1;
		}
		queued += q;
	}
	json_decref(duty);
	return queued;
}

/* A warning's deadline near (within a day): the only time-driven event
 * read from another capability's table; warnings of the last year ($3, a
 * parameter: 365 days in ms overflows PostgreSQL's integer arithmetic). */
#define WARNING_DEADLINE_SQL \
	"SELECT u.id, 'warning.deadline:' || w.id, w.id, w.title, w.reference, 'GREEN', 0, " \
	"'/#/warnings/' || w.id FROM warning_targets t JOIN warnings w ON w.id = t.warning_id " \
	WHO("t.org_id", R_KEEPERS) "WHERE t.fixed_at IS NULL AND w.deadline > $1 AND " \
	"w.deadline <= $2 AND w.created_at >= $3 AND NOT EXISTS (SELECT 1 " \
	"FROM notifications x WHERE x.event_key = 'warning.deadline:' || w.id AND " \
	"x.user_id = u.id) AND NOT EXISTS (SELECT 1 FROM warning_withdrawals ww " \
	"WHERE ww.warning_id = w.id) ORDER BY w.deadline, u.id LIMIT 5000"

/* One step of the scan: the open clocks the query finds (a, b its two
 * times), each handed to fn. The number queued or -1. */
static int scan_clocks(struct store *db, const char *sql, int64_t a, int64_t b, int64_t now,
		       int (*fn)(struct store *, const struct due_row *, int64_t, struct err *),
		       struct err *e)
{
	struct due_row *rows = NULL;
	size_t n = 0;
	int total = 0;
	if (due_rows(db, sql, a, b, &rows, &n, e) != 0) {
		free(rows);
		return -1;
	}
	for (size_t k = 0; k < n && total >= 0; k++) {
		int q = fn(db, &rows[k], now, e);
		total = q < 0 ? -1 : total + q;
	}
	free(rows);
	return total;
}

static int clock_near(struct store *db, const struct due_row *r, int64_t now, struct err *e)
{
	(void)now;
	return clock_notice(db, r, 0, e);
}

static int clock_overdue(struct store *db, const struct due_row *r, int64_t now, struct err *e)
{
	(void)now;
	return clock_notice(db, r, 1, e);
}

int notify_scan(struct store *db, int64_t now, struct err *e)
{
	if (store_begin(db, e) != 0)
		return -1;
	/* Only what time causes. Each query leaves out what was told already
	 * (its key exists) and looks a week back at most, so a scan stays
	 * short however many old clocks ran out (an upgrade does not announce
	 * the past), and holds at most SCAN_ROWS of each kind (the rest: the
	 * next scan). What a record causes was queued with the record. */
	int q[4];
	/* near: due within the lead time, not yet due */
	q[0] = scan_clocks(db, OPEN_CLOCKS "AND d.due_at > $1 AND d.due_at <= $2 AND NOT EXISTS "
		"(SELECT 1 FROM notifications x WHERE x.event_key = 'clock.near:' || d.incident_id "
		"|| ':' || d.kind || ':' || CAST(d.due_at AS TEXT)) ORDER BY d.due_at LIMIT "
		SCAN_ROWS, now, now + conf.clock_lead_ms, now, clock_near, e);
	/* overdue, newest first */
	q[1] = q[0] < 0 ? -1 : scan_clocks(db, OPEN_CLOCKS "AND d.due_at <= $1 AND d.due_at > $2 "
		"AND NOT EXISTS (SELECT 1 FROM notifications x WHERE x.event_key = 'clock.overdue:' "
		"|| d.incident_id || ':' || d.kind || ':' || CAST(d.due_at AS TEXT)) ORDER BY "
		"d.due_at DESC LIMIT " SCAN_ROWS, now, now - SCAN_BACK_MS, now, clock_overdue, e);
	/* escalation of silence: unacknowledged, its last step not yet taken */
	q[2] = q[1] < 0 ? -1 : scan_clocks(db, OPEN_CLOCKS "AND d.kind = 'ack' AND d.due_at <= $1 "
		"AND d.due_at > $2 AND NOT EXISTS (SELECT 1 FROM notifications x WHERE x.event_key = "
		"'escalation:' || d.incident_id || ':2') ORDER BY d.due_at DESC LIMIT " SCAN_ROWS,
		now, now - SCAN_BACK_MS, now, escalate, e);
	q[3] = q[2] < 0 ? -1 : queue_rows(db, "warning.deadline", "warning",
		MSG_NOTIFY_WARNING_DEADLINE, store_query(db, e, WARNING_DEADLINE_SQL, "iii", now,
							 (int64_t)(now + 86400000LL),
							 (int64_t)(now - 365LL * 86400000)), e);
	if (q[3] < 0 || store_commit(db, e) != 0) {
		store_rollback(db);
		return -1;
	}
	return q[0] + q[1] + q[2] + q[3];
}

/* ---- the person's own ---- */

static json_t *note_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:s, s:o, s:o}",
		"id", stmt_text(st, 0), "event", stmt_text(st, 1), "event_key", stmt_text(st, 2),
		"record", "kind", stmt_text(st, 3), "id", stmt_text(st, 4),
		"title", stmt_text(st, 5), "body", stmt_text(st, 6), "link", stmt_text(st, 7),
		"created_at", ms_json(stmt_int(st, 8)),
		"read_at", stmt_isnull(st, 9) ? json_null() : ms_json(stmt_int(st, 9)));
}

static int own_check(struct ctx *c, struct err *e)
{
	if (policy_check(c->actor, ACT_NOTIFY_OWN, NULL, e) != 0)
		return -1;
	if (c->actor->system)   /* the instance has no inbox */
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	return 0;
}

json_t *notify_count(struct ctx *c, struct err *e)
{
	if (own_check(c, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT COUNT(*), MAX(id) FROM notifications "
		"WHERE user_id = $1 AND read_at IS NULL", "t", c->actor->id);
	if (st == NULL)
		return NULL;
	json_t *j = NULL;
	if (stmt_step(st, e) == 1)
		j = json_pack("{s:I, s:s?}", "unread", (json_int_t)stmt_int(st, 0), "latest",
			      stmt_text(st, 1));
	stmt_done(st);
	return j;
}

json_t *notify_list(struct ctx *c, int unread_only, int limit, struct err *e)
{
	if (own_check(c, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT id, event, event_key, record_kind, "
		"record_id, title, body, link, created_at, read_at FROM notifications "
		"WHERE user_id = $1 AND ($2 = 0 OR read_at IS NULL) ORDER BY id DESC LIMIT $3",
		"tii", c->actor->id, (int64_t)unread_only, (int64_t)limit);
	json_t *items = st ? rows_array(st, note_row, e) : NULL;
	if (items == NULL)
		return NULL;
	json_t *cnt = notify_count(c, e);
	if (cnt == NULL) {
		json_decref(items);
		return NULL;
	}
	json_object_set_new(cnt, "items", items);
	return cnt;
}

int notify_mark_read(struct ctx *c, const char *id, struct err *e)
{
	if (own_check(c, e) != 0)
		return -1;
	int all = strcmp(id, "all") == 0;
	if (!all && !uuid_valid(id))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	int n = store_run(c->db, e, "UPDATE notifications SET read_at = $1 WHERE user_id = $2 "
		"AND read_at IS NULL AND ($3 = 'all' OR id = $3)", "itt", time_now_ms(),
		c->actor->id, id);
	if (n < 0)
		return -1;
	if (n == 0 && !all) {
		/* read already, or not this person's: another's is "not found" */
		struct stmt *st = store_query(c->db, e, "SELECT 1 FROM notifications WHERE id = $1 "
					      "AND user_id = $2", "tt", id, c->actor->id);
		if (st == NULL)
			return -1;
		int rc = stmt_step(st, e);
		stmt_done(st);
		if (rc != 1)
			return rc < 0 ? -1 : err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	}
	return 0;
}

json_t *notify_prefs_get(struct ctx *c, struct err *e)
{
	if (own_check(c, e) != 0)
		return NULL;
	json_t *ev = json_object();
	for (int k = 0; notify_events[k]; k++) {
		unsigned ch = notify_default_channels(notify_events[k]);
		json_t *l = json_array();
		for (int b = 0; channel_names[b]; b++)
			if (ch >> b & 1)
				json_array_append_new(l, json_string(channel_names[b]));
		json_object_set_new(ev, notify_events[k], l);
	}
	struct stmt *st = store_query(c->db, e, "SELECT event, channels FROM notify_prefs "
				      "WHERE user_id = $1", "t", c->actor->id);
	if (st == NULL)
		goto fail;
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		json_t *l = json_loads(stmt_text(st, 1), 0, NULL);
		if (l && jv_enum_index(notify_events, stmt_text(st, 0)) >= 0)
			json_object_set_new(ev, stmt_text(st, 0), l);
		else
			json_decref(l);
	}
	stmt_done(st);
	if (rc < 0)
		goto fail;
	st = store_query(c->db, e, "SELECT url FROM notify_webhooks WHERE user_id = $1", "t",
			 c->actor->id);
	if (st == NULL)
		goto fail;
	json_t *hook = json_null();
	if ((rc = stmt_step(st, e)) == 1)
		hook = json_pack("{s:s}", "url", stmt_text(st, 0));
	stmt_done(st);
	if (rc < 0)
		goto fail;
	return json_pack("{s:o, s:o}", "channels", ev, "webhook", hook);
fail:
	json_decref(ev);
	return NULL;
}

static const struct jv_field hook_fields[] = {
	{ "url", JV_STRING, 0, 0, 1000, NULL, NULL },
	{ "new_secret", JV_BOOL, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};
/* one line per event of notify_events */
#define CH_FIELD(ev) { ev, JV_ENUMS, 0, 0, 3, channel_names, NULL }
static const struct jv_field channel_fields[] = {
	CH_FIELD("incident.new"), CH_FIELD("incident.assigned"), CH_FIELD("clock.near"),
	CH_FIELD("clock.overdue"), CH_FIELD("escalation"), CH_FIELD("plan.approval"),
	CH_FIELD("support.received"), CH_FIELD("support.answered"), CH_FIELD("warning.issued"),
	CH_FIELD("warning.deadline"), CH_FIELD("hunt.opened"), CH_FIELD("finding.kev"),
	CH_FIELD("report.approval"),
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};
static const struct jv_field prefs_fields[] = {
	{ "channels", JV_OBJECT, 0, 0, 0, NULL, channel_fields },
	{ "webhook", JV_OBJECT, 0, 0, 0, NULL, hook_fields },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

json_t *notify_prefs_put(struct ctx *c, json_t *body, struct err *e)
{
	if (own_check(c, e) != 0 || jv_validate(body, prefs_fields, "", e) != 0)
		return NULL;
	json_t *chs = json_object_get(body, "channels");
	const char *ev;
	json_t *v;
	char ptr[128];
	json_object_foreach(chs, ev, v) {
		const char *bad = NULL;
		snprintf(ptr, sizeof(ptr), "/channels/%s", ev);
		if (jv_enum_index(notify_events, ev) < 0)
			err_field(e, ptr, MSG_UNKNOWN_FIELD, NULL);
		else if (!json_is_array(v) || json_array_size(v) > 3 ||
			 notify_channels_parse(v, &bad) < 0)
			err_field(e, ptr, MSG_NOTIFY_BAD_CHANNEL, bad ? bad : "");
	}
	json_t *hook = json_object_get(body, "webhook");
	const char *url = jv_str(hook, "url");
	if (url && *url && strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
		err_field(e, "/webhook/url", MSG_NOTIFY_BAD_URL, NULL);
	for (const char *p = url; p && *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			err_field(e, "/webhook/url", MSG_NOTIFY_BAD_URL, NULL);
			break;
		}
	if (e->nfields == 0 && url && *url) {
		/* where it leads, after resolution: not into the server's own
		 * networks (checked again at each send, the address pinned) */
		char pin[400], why[300], shown[300];
		int nv = net_check_url(url, &conf.webhook_allow, pin, sizeof(pin), why, sizeof(why));
		net_why_neutral(why, shown, sizeof(shown));   /* the message says the class */
		if (nv == NET_BAD_URL)
			err_field(e, "/webhook/url", MSG_NOTIFY_BAD_URL, NULL);
		else if (nv == NET_NO_ADDRESS)
			err_field(e, "/webhook/url", MSG_DUTY_WEBHOOK_UNRESOLVED, shown);
		else if (nv == NET_FORBIDDEN)
			err_field(e, "/webhook/url", MSG_DUTY_WEBHOOK_REFUSED, shown);
	}
	if (e->nfields > 0)
		return NULL;
	char secret[65] = "";
	if (store_begin(c->db, e) != 0)
		return NULL;
	json_object_foreach(chs, ev, v) {
		char *t = json_dumps(v, JSON_COMPACT);
		int rc = store_run(c->db, e, "INSERT INTO notify_prefs (user_id, event, channels) "
			"VALUES ($1, $2, $3) ON CONFLICT (user_id, event) DO UPDATE SET channels = $3",
			"ttt", c->actor->id, ev, t);
		free(t);
		if (rc < 0)
			goto fail;
	}
	if (hook && url && *url == '\0') {
		if (store_run(c->db, e, "DELETE FROM notify_webhooks WHERE user_id = $1", "t",
			      c->actor->id) < 0)
			goto fail;
	} else if (hook && url) {
		/* a new key when the hook is new or when asked; else the old one */
		random_hex(secret, 32);
		int fresh = jv_bool(hook, "new_secret", 0);
		char sealed[SECRET_SEALED_MAX];
		if (secret_seal(c->db, secret, sealed, sizeof(sealed), e) != 0)
			goto fail;
		int n = store_run(c->db, e, fresh
			? "INSERT INTO notify_webhooks (user_id, url, secret, updated_at) VALUES "
			  "($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET url = $2, "
			  "secret = $3, updated_at = $4"
			: "INSERT INTO notify_webhooks (user_id, url, secret, updated_at) VALUES "
			  "($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET url = $2, "
			  "updated_at = $4", "ttti", c->actor->id, url, sealed, time_now_ms());
		sodium_memzero(sealed, sizeof(sealed));
		if (n < 0)
			goto fail;
		struct stmt *st = store_query(c->db, e, "SELECT secret FROM notify_webhooks WHERE "
					      "user_id = $1", "t", c->actor->id);
		if (st == NULL)
			goto fail;
		int rc = stmt_step(st, e);
		char now_kept[SECRET_PLAIN_MAX] = "";
		int same = rc == 1 && secret_open(c->db, stmt_text(st, 0), now_kept,
						  sizeof(now_kept), e) == 0 &&
			   strcmp(now_kept, secret) == 0;
		sodium_memzero(now_kept, sizeof(now_kept));
		stmt_done(st);
		if (rc < 0)
			goto fail;
		if (!same)
			secret[0] = '\0';   /* the old key stays; it is never shown again */
	}
	if (audit_append_json(c, "notify.prefs", "user", c->actor->id, NULL, chs ? chs : body,
			      e) != 0 || store_commit(c->db, e) != 0)
		goto fail;
	json_t *out = notify_prefs_get(c, e);
	if (out && secret[0] && json_is_object(json_object_get(out, "webhook")))
		json_object_set_new(json_object_get(out, "webhook"), "secret", json_string(secret));
	return out;
fail:
	store_rollback(c->db);
	return NULL;
}

static json_t *delivery_row(struct stmt *st)
{
	return json_pack("{s:s, s:s?, s:s, s:s, s:s, s:I, s:o, s:s?, s:o, s:o, s:s, s:s}",
		"id", stmt_text(st, 0), "notification_id", stmt_text(st, 1),
		"channel", stmt_text(st, 2), "target", stmt_text(st, 3), "status", stmt_text(st, 4),
		"attempts", (json_int_t)stmt_int(st, 5), "next_at", ms_json(stmt_int(st, 6)),
		"last_error", stmt_text(st, 7),
		"sent_at", stmt_isnull(st, 8) ? json_null() : ms_json(stmt_int(st, 8)),
		"created_at", ms_json(stmt_int(st, 9)), "event", stmt_text(st, 10),
		"subject", stmt_text(st, 11));
}

json_t *notify_deliveries(struct ctx *c, const char *status, int limit, struct err *e)
{
	/* instance-wide: the administrators of the home organisation and above */
	if (policy_check(c->actor, ACT_DELIVERY_READ, NULL, e) != 0)
		return NULL;
	static const char *const st_names[] = { "queued", "sent", "failed", NULL };
	if (status && jv_enum_index(st_names, status) < 0) {
		err_field(e, "/status", MSG_BAD_VALUE, status);
		return NULL;
	}
	/* the notifications' deliveries and the replies to reports by email
	 * (event "intake.reply", no notification), one log */
	struct stmt *st = store_query(c->db, e, "SELECT * FROM (SELECT d.id, d.notification_id, "
		"d.channel, d.target, d.status, d.attempts, d.next_at, d.last_error, d.sent_at, "
		"d.created_at, n.event, d.subject FROM deliveries d JOIN notifications n ON n.id = "
		"d.notification_id JOIN users u ON u.id = n.user_id JOIN orgs o ON o.id = u.org_id "
		"WHERE substr(o.path, 1, length($1)) = $1 AND ($2 IS NULL OR d.status = $2) "
		"UNION ALL SELECT m.id, NULL, 'email', m.recipient, m.status, m.attempts, m.next_at, "
		"NULLIF(m.last_error, ''), m.sent_at, m.created_at, 'intake.reply', m.subject "
		"FROM mail_outbox m JOIN incidents i ON i.id = m.incident_id JOIN orgs o ON "
		"o.id = i.org_id WHERE substr(o.path, 1, length($1)) = $1 AND ($2 IS NULL OR "
		"m.status = $2)) x ORDER BY 1 DESC LIMIT $3", "tti",
		c->actor->system ? "/" : c->actor->org_path, status, (int64_t)limit);
	return st ? rows_items(st, delivery_row, e) : NULL;
}
