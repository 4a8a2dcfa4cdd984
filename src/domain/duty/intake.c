/*
 * intake.c - a message to the intake address becomes a record, in one
 * transaction (issue 17 item 5):
 *   - refused by the reader (mail_parse.c)  -> mail_quarantine, with why;
 *   - a reply (In-Reply-To / References naming a message of an incident's
 *     thread, or the incident's number in the subject) from a sender who
 *     may see that incident (a user: and may comment) -> a comment on it;
 *   - from a known sender (a user's or a contact's email, one
 *     organisation)                         -> a received incident;
 *   - anything else, a stranger's reply to a real thread included
 *                                           -> mail_triage, for a person.
 * The acknowledgement to a known sender is queued in mail_outbox in the
 * same transaction (the CLI sends it; nothing is sent to strangers, so the
 * intake cannot be used to mail third parties). Every message is recorded
 * in mail_messages, and one seen before is not filed again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "../incident/incident.h"
#include "../directory/audit.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "../../base/jsonv.h"
#include "../../base/crypto.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

struct sender {
	int known;
	unsigned roles;             /* a user's roles (0 for a contact) */
	char user_id[UUID_LEN];     /* "" for a contact */
	char org_id[UUID_LEN];
	char org_path[LIMIT_ORG_PATH];
};

/* The sender's organisation: an active user's email, else a contact's; an
 * address known in two organisations is nobody's (a person decides). */
static int find_sender(struct ctx *c, const char *addr, struct sender *s, struct err *e)
{
	memset(s, 0, sizeof(*s));
	struct stmt *st = store_query(c->db, e, "SELECT u.id, u.org_id, o.path, u.roles FROM users u "
		"JOIN orgs o ON o.id = u.org_id WHERE lower(u.email) = $1 AND u.disabled = 0 "
		"AND u.email <> '' ORDER BY u.created_at LIMIT 2", "t", addr);
	if (st == NULL)
		return -1;
	int rows = 0, rc;
	while ((rc = stmt_step(st, e)) == 1) {
		if (rows++ == 0) {
			snprintf(s->user_id, sizeof(s->user_id), "%s", stmt_text(st, 0));
			snprintf(s->org_id, sizeof(s->org_id), "%s", stmt_text(st, 1));
			snprintf(s->org_path, sizeof(s->org_path), "%s", stmt_text(st, 2));
			int r = roles_parse(stmt_text(st, 3));
			s->roles = r > 0 ? (unsigned)r : 0;
		}
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (rows == 1) {
		s->known = 1;
		return 0;
	}
	if (rows > 1) {
		memset(s, 0, sizeof(*s));
		return 0;
	}
	st = store_query(c->db, e, "SELECT DISTINCT c.org_id, o.path FROM contacts c JOIN orgs o "
		"ON o.id = c.org_id WHERE lower(c.email) = $1 AND c.email <> '' LIMIT 2", "t", addr);
	if (st == NULL)
		return -1;
	rows = 0;
	while ((rc = stmt_step(st, e)) == 1) {
		if (rows++ == 0) {
			snprintf(s->org_id, sizeof(s->org_id), "%s", stmt_text(st, 0));
			snprintf(s->org_path, sizeof(s->org_path), "%s", stmt_text(st, 1));
		}
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	s->known = rows == 1;
	if (!s->known)
		memset(s, 0, sizeof(*s));
	return 0;
}

/* The person records by email are attributed to when the sender is a
 * contact, not a user: a disabled account of the top organisation that
 * cannot log in ("mail-intake"), made the first time it is needed. */
static int intake_user(struct ctx *c, char id[UUID_LEN], struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT id FROM users WHERE username = "
				      "'mail-intake'", "");
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		snprintf(id, UUID_LEN, "%s", stmt_text(st, 0));
	stmt_done(st);
	if (rc != 0)
		return rc == 1 ? 0 : -1;
	uuid7(id);
	return store_run(c->db, e, "INSERT INTO users (id, username, org_id, roles, full_name, "
		"email, pw_hash, disabled, created_at) SELECT $1, 'mail-intake', id, 'reporter', "
		"'Thư điện tử đến / email intake', '', '!', 1, $2 FROM orgs WHERE parent_id IS NULL "
		"ORDER BY created_at LIMIT 1", "ti", id, time_now_ms()) == 1 ? 0 : -1;
}

/* The incident a reply belongs to: a message of its thread named in
 * In-Reply-To or References, else its number in the subject. */
static int find_thread(struct ctx *c, const struct mail_msg *m, char id[UUID_LEN],
		       char path[LIMIT_ORG_PATH], struct err *e)
{
	const char *ids[MAIL_MAX_REFS + 1];
	int n = 0;
	if (m->in_reply_to[0])
		ids[n++] = m->in_reply_to;
	for (int i = m->nrefs - 1; i >= 0; i--)
		ids[n++] = m->refs[i];
	for (int i = 0; i < n; i++) {
		struct stmt *st = store_query(c->db, e, "SELECT i.id, o.path FROM mail_messages mm "
			"JOIN incidents i ON i.id = mm.incident_id JOIN orgs o ON o.id = i.org_id "
			"WHERE mm.message_id = $1 ORDER BY mm.created_at LIMIT 1", "t", ids[i]);
		if (st == NULL)
			return -1;
		int rc = stmt_step(st, e);
		if (rc == 1) {
			snprintf(id, UUID_LEN, "%s", stmt_text(st, 0));
			snprintf(path, LIMIT_ORG_PATH, "%s", stmt_text(st, 1));
		}
		stmt_done(st);
		if (rc != 0)
			return rc == 1 ? 1 : -1;
	}
	char number[64];
	if (mail_subject_number(m->subject, c->rules->number_prefix, number, sizeof(number)) == 0) {
		struct stmt *st = store_query(c->db, e, "SELECT i.id, o.path FROM incidents i JOIN "
			"orgs o ON o.id = i.org_id WHERE i.number = $1", "t", number);
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
	return 0;
}

/* The same bytes, or the same Message-ID from the same sender (a stranger
 * who sends a message with someone else's Message-ID first cannot make
 * theirs look already read). */
static int seen_before(struct ctx *c, const char *mid, const char *sender, const char *sha,
		       struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT 1 FROM mail_messages WHERE direction = "
		"'in' AND (sha256 = $1 OR ($2 <> '' AND message_id = $2 AND sender = $3)) LIMIT 1",
		"ttt", sha, mid, sender);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	stmt_done(st);
	return rc;
}

static int record_message(struct ctx *c, const char *mid, const char *dir, const char *sender,
			  const char *subject, const char *sha, const char *outcome,
			  const char *incident_id, const char *triage_id, struct err *e)
{
	char id[UUID_LEN];
	uuid7(id);
	return store_run(c->db, e, "INSERT INTO mail_messages (id, message_id, direction, sender, "
		"subject, sha256, outcome, incident_id, triage_id, created_at) VALUES ($1,$2,$3,$4,"
		"$5,$6,$7,$8,$9,$10)", "ttttttttti", id, mid, dir, sender, subject ? subject : "",
		sha, outcome, incident_id, triage_id, time_now_ms()) < 0 ? -1 : 0;
}

/* A string cut to at most n bytes on a character boundary (in place). */
static void cut_utf8(char *s, size_t n)
{
	if (strlen(s) <= n)
		return;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	s[n] = '\0';
}

/* The subject without "Re:", "Fwd:", "[TBSC]" prefixes. */
static const char *bare_subject(const char *s)
{
	for (;;) {
		while (*s == ' ')
			s++;
		if (strncasecmp(s, "re:", 3) == 0 || strncasecmp(s, "aw:", 3) == 0)
			s += 3;
		else if (strncasecmp(s, "fwd:", 4) == 0)
			s += 4;
		else if (strncasecmp(s, "fw:", 3) == 0)
			s += 3;
		else if (strncasecmp(s, "[tbsc]", 6) == 0)
			s += 6;
		else
			return s;
	}
}

int mail_subject_tbsc(const char *subject)
{
	return subject && strcasestr(subject, "[TBSC]") != NULL;
}

int mail_subject_number(const char *subject, const char *prefix, char *out, size_t n)
{
	size_t pl = strlen(prefix);
	if (subject == NULL || pl == 0)
		return -1;
	for (const char *p = subject; (p = strcasestr(p, prefix)) != NULL; p++) {
		const char *q = p + pl;
		/* PREFIX-YYYY-NNNN */
		if (q[0] != '-' || strspn(q + 1, "0123456789") != 4 || q[5] != '-')
			continue;
		size_t digits = strspn(q + 6, "0123456789");
		if (digits < 4 || digits > 9 || pl + 6 + digits >= n)
			continue;
		snprintf(out, n, "%s%.*s", prefix, (int)(6 + digits), q);
		return 0;
	}
	return -1;
}

/* The acknowledgement queued for the sender, and its Message-ID recorded
 * in the incident's thread. */
static int queue_reply(struct ctx *c, const struct mail_msg *m, const char *incident_id,
		       const char *number, const char *intake_address, char rid[UUID_LEN],
		       struct err *e)
{
	char subject[400], body[2048], mid[300], tail[200];
	char s_vi[300], b_vi[1200], b_en[600];
	msg_format(MSG_MAIL_ACK_SUBJECT, LANG_VI, number, s_vi, sizeof(s_vi));
	snprintf(subject, sizeof(subject), "[TBSC] %s", s_vi);
	msg_format(MSG_MAIL_ACK_BODY, LANG_VI, number, b_vi, sizeof(b_vi));
	msg_format(MSG_MAIL_ACK_BODY, LANG_EN, number, b_en, sizeof(b_en));
	snprintf(body, sizeof(body), "%s\n\n-- \n%s\n", b_vi, b_en);
	uuid7(rid);
	const char *at = intake_address ? strchr(intake_address, '@') : NULL;
	snprintf(tail, sizeof(tail), "%s", at ? at + 1 : "ungcuu.invalid");
	snprintf(mid, sizeof(mid), "%s@%s", rid, tail);
	if (store_run(c->db, e, "INSERT INTO mail_outbox (id, recipient, subject, body, "
		      "message_id, in_reply_to, incident_id, status, created_at) VALUES ($1,$2,$3,"
		      "$4,$5,$6,$7,'queued',$8)", "ttttttti", rid, m->from, subject, body, mid,
		      m->message_id, incident_id, time_now_ms()) < 0)
		return -1;
	char sha[SHA256_HEX_LEN];
	sha256_hex(body, strlen(body), sha);
	return record_message(c, mid, "out", m->from, subject, sha, "reply", incident_id, NULL, e);
}

static json_t *quarantine(struct ctx *c, const void *raw, size_t n, const char *sha,
			  int refusal, const struct err *why, const struct mail_msg *m,
			  struct err *e)
{
	char id[UUID_LEN], detail[400];
	err_text(why, LANG_VI, detail, sizeof(detail));
	const char *code = mail_refusal_code(refusal);
	uuid7(id);
	size_t keep = n > LIMIT_MAIL_QUARANTINE ? LIMIT_MAIL_QUARANTINE : n;
	if (store_begin(c->db, e) != 0)
		return NULL;
	if (store_run(c->db, e, "INSERT INTO mail_quarantine (id, reason, detail, sender, subject, "
		      "size, sha256, raw, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
		      "tttttitbi", id, code, detail, m->from, m->subject ? m->subject : "",
		      (int64_t)n, sha, raw, keep, time_now_ms()) < 0 ||
	    record_message(c, "", "in", m->from, m->subject, sha, "quarantine", NULL, NULL, e) != 0 ||
	    audit_append(c, "mail.quarantine", "mail_quarantine", id, NULL, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		return NULL;
	}
	return json_pack("{s:s, s:s, s:s, s:s}", "outcome", "quarantine", "quarantine_id", id,
			 "reason", code, "detail", detail);
}

/* The report as POST /incidents would have it. */
static json_t *report_body(struct ctx *c, const struct mail_msg *m)
{
	json_t *b = mau03_read(m->body);
	char *title = strdup(bare_subject(m->subject));
	if (title)
		cut_utf8(title, LIMIT_SHORT_TEXT);
	if (json_string_length(json_object_get(b, "title")) == 0)
		json_object_set_new(b, "title", json_string(title && *title ? title :
				    "Báo cáo sự cố qua thư điện tử"));
	free(title);
	/* the body as the description; bounded (the whole text is attached) */
	char *desc = strdup(*m->body ? m->body : "(không có nội dung / no text)");
	if (desc)
		cut_utf8(desc, LIMIT_LONG_TEXT);
	json_object_set_new(b, "description", json_string(desc ? desc : ""));
	free(desc);
	if (json_object_get(b, "type") == NULL)
		json_object_set_new(b, "type", json_string("other"));
	/* a detection time the form gives must be one, and not ahead of now
	 * (a typo must not refuse the report): else the time it arrived */
	int64_t at;
	const char *det = json_string_value(json_object_get(b, "detected_at"));
	if (det == NULL || time_parse(det, &at) != 0 || at > time_now_ms()) {
		char now[TIME_RFC3339_LEN];
		json_object_set_new(b, "detected_at", json_string(time_format_utc(time_now_ms(), now)));
	}
	json_t *rep = json_object_get(b, "reporter");
	if (!json_is_object(rep)) {
		rep = json_object();
		json_object_set_new(b, "reporter", rep);
	}
	if (json_object_get(rep, "email") == NULL)
		json_object_set_new(rep, "email", json_string(m->from));
	if (json_object_get(rep, "name") == NULL && m->from_name[0])
		json_object_set_new(rep, "name", json_string(m->from_name));
	(void)c;
	return b;
}

static int attach_all(struct ctx *c, const struct mail_msg *m, const char *incident_id,
		      const char *by, struct err *e)
{
	char aid[UUID_LEN];
	for (size_t i = 0; i < m->natt; i++)
		if (incident_attachment_locked(c, incident_id, m->att[i].name, m->att[i].content_type,
					       m->att[i].data, m->att[i].n, by, aid, e) != 0)
			return -1;
	/* a text longer than a description keeps all of itself */
	if (strlen(m->body) > LIMIT_LONG_TEXT &&
	    incident_attachment_locked(c, incident_id, "noi-dung-thu.txt", "text/plain; charset=utf-8",
				       m->body, strlen(m->body), by, aid, e) != 0)
		return -1;
	return 0;
}

static json_t *atts_json(const struct mail_msg *m)
{
	json_t *a = json_array();
	char sha[SHA256_HEX_LEN];
	for (size_t i = 0; i < m->natt; i++) {
		sha256_hex(m->att[i].data, m->att[i].n, sha);
		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:s}", "name", m->att[i].name,
			"content_type", m->att[i].content_type, "size", (json_int_t)m->att[i].n,
			"sha256", sha));
	}
	return a;
}

json_t *mail_intake(struct ctx *c, const void *raw, size_t n, const char *intake_address,
		    struct err *e)
{
	char sha[SHA256_HEX_LEN], inc_id[UUID_LEN] = "", path[LIMIT_ORG_PATH] = "";
	char number[32] = "", rid[UUID_LEN] = "", tid[UUID_LEN] = "", by[UUID_LEN] = "";
	struct mail_msg m;
	struct err why = { 0 };
	json_t *out = NULL;

	sha256_hex(raw, n > LIMIT_MAIL_RAW ? LIMIT_MAIL_RAW : n, sha);
	int refusal = mail_parse(raw, n, c->rules->max_attachment, &m, &why);
	if (refusal != MAIL_OK) {
		int seen = seen_before(c, "", "", sha, e);
		out = seen < 0 ? NULL : seen ? json_pack("{s:s}", "outcome", "duplicate")
		      : quarantine(c, raw, n, sha, refusal, &why, &m, e);
		mail_msg_release(&m);
		return out;
	}
	int seen = seen_before(c, m.message_id, m.from, sha, e);
	if (seen != 0) {
		mail_msg_release(&m);
		return seen < 0 ? NULL : json_pack("{s:s}", "outcome", "duplicate");
	}
	struct sender s;
	if (find_sender(c, m.from, &s, e) != 0 || store_begin(c->db, e) != 0) {
		mail_msg_release(&m);
		return NULL;
	}
	int thread = find_thread(c, &m, inc_id, path, e);
	if (thread < 0)
		goto fail;
	/* a reply may add to the incident only when its sender may see it:
	 * the incident's organisation is the sender's or one below it */
	int may_comment = thread == 1 && s.known &&
			  strncmp(path, s.org_path, strlen(s.org_path)) == 0 &&
			  (s.user_id[0] == '\0' || (s.roles & policy_roles(ACT_INCIDENT_COMMENT)));
	if (s.known && s.user_id[0])
		snprintf(by, sizeof(by), "%s", s.user_id);
	else if (s.known && intake_user(c, by, e) != 0)
		goto fail;

	if (may_comment) {
		/* a contact's comment says who wrote it; the quoted history is
		 * cut from what the thread already has */
		char *body = NULL;
		const char *text = m.body;
		const char *q = strstr(text, "\n>");
		size_t keep = q ? (size_t)(q - text) : strlen(text);
		if (keep > LIMIT_LONG_TEXT - 300)
			keep = LIMIT_LONG_TEXT - 300;
		while (keep > 0 && ((unsigned char)text[keep] & 0xC0) == 0x80)
			keep--;
		if (asprintf(&body, "Thư của / email from %s:\n%.*s", m.from, (int)keep, text) < 0)
			goto fail;
		int rc = incident_comment_locked(c, inc_id, body, by, e);
		free(body);
		if (rc != 0 || attach_all(c, &m, inc_id, by, e) != 0 ||
		    record_message(c, m.message_id, "in", m.from, m.subject, sha, "comment", inc_id,
				   NULL, e) != 0)
			goto fail;
		out = json_pack("{s:s, s:s}", "outcome", "comment", "incident_id", inc_id);
	} else if (s.known && thread == 0) {
		json_t *body = report_body(c, &m);
		int rc = incident_file_locked(c, s.org_id, body, by, inc_id, number, e);
		json_decref(body);
		if (rc != 0 || attach_all(c, &m, inc_id, by, e) != 0 ||
		    record_message(c, m.message_id, "in", m.from, m.subject, sha, "incident", inc_id,
				   NULL, e) != 0 ||
		    queue_reply(c, &m, inc_id, number, intake_address, rid, e) != 0)
			goto fail;
		out = json_pack("{s:s, s:s, s:s, s:s, s:b}", "outcome", "incident", "incident_id",
				inc_id, "number", number, "reply_id", rid, "tbsc",
				mail_subject_tbsc(m.subject));
	} else {
		/* a stranger, an ambiguous address, or a reply from someone who
		 * may not see the incident: a person decides; nothing of the
		 * incident is touched or told */
		json_t *form = mau03_read(m.body), *atts = atts_json(&m);
		char *form_text = json_dumps(form, JSON_COMPACT), *atts_text = json_dumps(atts, JSON_COMPACT);
		json_decref(form);
		json_decref(atts);
		char *body = strdup(m.body);
		if (body)
			cut_utf8(body, LIMIT_LONG_TEXT);
		uuid7(tid);
		int rc = store_run(c->db, e, "INSERT INTO mail_triage (id, sender, subject, body, form, "
			"attachments, raw, status, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,'open',$8)",
			"ttttttbi", tid, m.from, m.subject, body ? body : "", form_text ? form_text : "{}",
			atts_text ? atts_text : "[]", raw, n, time_now_ms());
		free(body);
		free(form_text);
		free(atts_text);
		if (rc < 0 || record_message(c, m.message_id, "in", m.from, m.subject, sha, "triage",
					     NULL, tid, e) != 0 ||
		    audit_append(c, "mail.triage", "mail_triage", tid, NULL, NULL, e) != 0)
			goto fail;
		out = json_pack("{s:s, s:s}", "outcome", "triage", "triage_id", tid);
	}
	if (store_commit(c->db, e) != 0)
		goto fail;
	mail_msg_release(&m);
	return out;
fail:
	store_rollback(c->db);
	json_decref(out);
	out = NULL;
	/* the report itself is wrong (not the storage): quarantined with why,
	 * so the MTA does not retry it forever */
	if (e->code == E_INVALID || e->code == E_MALFORMED || e->code == E_TOOLARGE ||
	    e->code == E_NOTFOUND) {
		why = *e;
		err_clear(e);
		out = quarantine(c, raw, n, sha, MAIL_R_INVALID, &why, &m, e);
	}
	mail_msg_release(&m);
	return out;
}

/* ---- triage: a coordinator of the home organisation decides ---- */

static int triage_allowed(struct ctx *c, int action, struct err *e)
{
	struct org home;
	if (org_home(c, &home, e) != 0)
		return -1;
	struct policy_target t = { .org_path = home.path };
	return policy_check(c->actor, action, &t, e);
}

static json_t *triage_row(struct stmt *st)
{
	json_t *form = json_loads(stmt_text(st, 4), 0, NULL);
	json_t *atts = json_loads(stmt_text(st, 5), 0, NULL);
	const char *inc = stmt_text(st, 7);
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:s, s:o, s:o, s:o}",
		"id", stmt_text(st, 0), "sender", stmt_text(st, 1), "subject", stmt_text(st, 2),
		"body", stmt_text(st, 3), "form", form ? form : json_object(),
		"attachments", atts ? atts : json_array(), "status", stmt_text(st, 6),
		"incident_id", inc ? json_string(inc) : json_null(), "reason", stmt_text(st, 8),
		"decided_at", ms_json(stmt_int(st, 9)), "created_at", ms_json(stmt_int(st, 10)),
		"number", stmt_text(st, 11) ? json_string(stmt_text(st, 11)) : json_null());
}

#define TRIAGE_SELECT "SELECT t.id, t.sender, t.subject, t.body, t.form, t.attachments, " \
	"t.status, t.incident_id, t.reason, t.decided_at, t.created_at, i.number FROM " \
	"mail_triage t LEFT JOIN incidents i ON i.id = t.incident_id "

json_t *mail_triage_list(struct ctx *c, const char *status, struct err *e)
{
	if (triage_allowed(c, ACT_MAIL_TRIAGE, e) != 0)
		return NULL;
	static const char *const states[] = { "open", "accepted", "rejected", NULL };
	if (status && jv_enum_index(states, status) < 0)
		return err_field(e, "/status", MSG_BAD_VALUE, "status"), NULL;
	struct stmt *st = store_query(c->db, e, TRIAGE_SELECT "WHERE t.status = $1 ORDER BY "
		"t.created_at DESC LIMIT " LIMIT_MAIL_LIST_SQL, "t", status ? status : "open");
	return st ? rows_items(st, triage_row, e) : NULL;
}

json_t *mail_triage_get(struct ctx *c, const char *id, struct err *e)
{
	if (triage_allowed(c, ACT_MAIL_TRIAGE, e) != 0)
		return NULL;
	if (!uuid_valid(id))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	struct stmt *st = store_query(c->db, e, TRIAGE_SELECT "WHERE t.id = $1", "t", id);
	if (st == NULL)
		return NULL;
	int rc = stmt_step(st, e);
	json_t *j = rc == 1 ? triage_row(st) : NULL;
	stmt_done(st);
	if (rc == 0)
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	return j;
}

/* Claims an open item inside the transaction: 0, or 409 once decided. */
static int triage_claim(struct ctx *c, const char *id, const char *status,
			const char *incident_id, const char *reason, struct err *e)
{
	int n = store_run(c->db, e, "UPDATE mail_triage SET status = $2, incident_id = $3, "
		"reason = $4, decided_by = $5, decided_at = $6 WHERE id = $1 AND status = 'open'",
		"ttttti", id, status, incident_id, reason ? reason : "", c->actor->system ? NULL :
		c->actor->id, time_now_ms());
	if (n < 0)
		return -1;
	if (n == 0)
		return err_set(e, E_CONFLICT, MSG_MAIL_TRIAGE_DECIDED, id);
	return 0;
}

json_t *mail_triage_accept(struct ctx *c, const char *id, json_t *body, struct err *e)
{
	static const struct jv_field fields[] = {
		{ "org_code", JV_STRING, 1, 1, 64, NULL, NULL },
		{ NULL, 0, 0, 0, 0, NULL, NULL },
	};
	struct org o;
	char inc_id[UUID_LEN], number[32], rid[UUID_LEN];
	json_t *item = mail_triage_get(c, id, e);
	if (item == NULL)
		return NULL;
	json_decref(item);
	if (jv_validate(body, fields, "", e) != 0)
		return NULL;
	const char *code = jv_str(body, "org_code");
	if (org_by_code(c, code, &o, e) != 0 || !policy_in_scope(c->actor, o.path)) {
		err_clear(e);
		return err_field(e, "/org_code", MSG_ORG_OUT_OF_SCOPE, code), NULL;
	}
	/* the message as it came, read again: what is filed is what was sent */
	struct stmt *st = store_query(c->db, e, "SELECT raw FROM mail_triage WHERE id = $1", "t", id);
	if (st == NULL)
		return NULL;
	if (stmt_step(st, e) != 1) {
		stmt_done(st);
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	}
	size_t n = 0;
	const void *raw = stmt_blob(st, 0, &n);
	struct mail_msg m;
	struct err why = { 0 };
	int r = mail_parse(raw, n, c->rules->max_attachment, &m, &why);
	stmt_done(st);
	if (r != MAIL_OK) {
		mail_msg_release(&m);
		*e = why;
		return NULL;
	}
	const char *by = c->actor->system ? NULL : c->actor->id;
	json_t *rb = report_body(c, &m), *out = NULL;
	if (store_begin(c->db, e) != 0)
		goto done;
	if (incident_file_locked(c, o.id, rb, by, inc_id, number, e) != 0 ||
	    triage_claim(c, id, "accepted", inc_id, NULL, e) != 0 ||
	    attach_all(c, &m, inc_id, by, e) != 0 ||
	    /* later replies in the thread find the incident */
	    store_run(c->db, e, "UPDATE mail_messages SET incident_id = $2 WHERE triage_id = $1",
		      "tt", id, inc_id) < 0 ||
	    queue_reply(c, &m, inc_id, number, "", rid, e) != 0 ||
	    audit_append(c, "mail.triage_accept", "mail_triage", id, NULL, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		goto done;
	}
	out = mail_triage_get(c, id, e);
done:
	json_decref(rb);
	mail_msg_release(&m);
	return out;
}

json_t *mail_triage_reject(struct ctx *c, const char *id, json_t *body, struct err *e)
{
	static const struct jv_field fields[] = {
		{ "reason", JV_STRING, 1, 1, 2000, NULL, NULL },
		{ NULL, 0, 0, 0, 0, NULL, NULL },
	};
	json_t *item = mail_triage_get(c, id, e);
	if (item == NULL)
		return NULL;
	json_decref(item);
	if (jv_validate(body, fields, "", e) != 0 || store_begin(c->db, e) != 0)
		return NULL;
	if (triage_claim(c, id, "rejected", NULL, jv_str(body, "reason"), e) != 0 ||
	    audit_append(c, "mail.triage_reject", "mail_triage", id, NULL, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		return NULL;
	}
	return mail_triage_get(c, id, e);
}

static json_t *quarantine_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:o}", "id", stmt_text(st, 0),
		"reason", stmt_text(st, 1), "detail", stmt_text(st, 2), "sender", stmt_text(st, 3),
		"subject", stmt_text(st, 4), "size", (json_int_t)stmt_int(st, 5),
		"sha256", stmt_text(st, 6), "created_at", ms_json(stmt_int(st, 7)));
}

json_t *mail_quarantine_list(struct ctx *c, struct err *e)
{
	if (triage_allowed(c, ACT_MAIL_TRIAGE, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT id, reason, detail, sender, subject, size, "
		"sha256, created_at FROM mail_quarantine ORDER BY created_at DESC LIMIT "
		LIMIT_MAIL_LIST_SQL, "");
	return st ? rows_items(st, quarantine_row, e) : NULL;
}
