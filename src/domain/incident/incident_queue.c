/*
 * incident_queue.c - the incident list at a province's scale: full-text
 * search (FTS5, migration 008), filters and sorts applied in SQL with keyset
 * paging, the CSV export of a view, saved views per person, the inbox of a
 * person's work, bulk actions and duplicates.
 *
 * Every query here is limited to what the reader may see by the one scope
 * condition INC_VISIBLE ($1 the reader's organisation path, $2 the reader).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_int.h"
#include "../directory/audit.h"
#include "../directory/policy.h"
#include "../../base/buf.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

/* next_due when no clock runs (migration 008). */
#define NO_CLOCK 253402300799999LL

/* ---- search ---- */

/* Copies s folding đ/Đ (which unicode61 keeps as letters of their own) to
 * d/D, as the triggers of migration 008 do for what they index. */
static void fold_dd(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0xC4 && i + 1 < n && ((unsigned char)s[i + 1] == 0x91 ||
					       (unsigned char)s[i + 1] == 0x90)) {
			buf_add(b, (unsigned char)s[i + 1] == 0x91 ? "d" : "D", 1);
			i++;
		} else if (c == '"') {
			buf_add(b, "\"\"", 2);   /* FTS5 string: a quote is doubled */
		} else {
			buf_add(b, &s[i], 1);
		}
	}
}

int incident_fts_query(const char *q, char *out, size_t outsz, struct err *e)
{
	struct buf b;
	int terms = 0;
	buf_init(&b, outsz);
	for (const char *p = q; *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		const char *start = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		if (++terms > LIMIT_SEARCH_TERMS) {
			buf_release(&b);
			return err_field(e, "/q", MSG_BAD_VALUE, "16");
		}
		/* Each word a quoted string: no FTS5 operator reaches the engine.
		 * The last one also matches as a prefix (search as you type). */
		if (b.len)
			buf_add(&b, " ", 1);
		buf_add(&b, "\"", 1);
		fold_dd(&b, start, (size_t)(p - start));
		buf_adds(&b, *p ? "\"" : "\"*");
	}
	if (b.p == NULL && terms > 0)
		return err_field(e, "/q", MSG_TOO_LONG, "200");
	snprintf(out, outsz, "%s", b.p ? b.p : "");
	buf_release(&b);
	return terms;
}

/* ---- sorting ---- */

struct sort_key {
	const char *name;
	const char *expr;      /* on alias %1$s; with i.id it is unique */
	int desc;              /* the default direction */
};

/* The whitelist: an index each (migration 008), so a page is a range. */
static const struct sort_key sort_keys[] = {
	{ "created", "%1$s.id", 1 },
	{ "due", "%1$s.next_due", 0 },
	{ "number", "%1$s.number", 0 },
	{ "detected", "%1$s.detected_at", 1 },
	{ "updated", "%1$s.updated_at", 1 },
	{ NULL, NULL, 0 },
};

static void add_expr(struct buf *b, const char *expr, const char *alias)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	buf_printf(b, expr, alias);
#pragma GCC diagnostic pop
}

/* ---- the list ---- */

struct q {
	struct buf sql;
	const char *vals[12];
	int nv;
	char nums[4][24];
	int nn;
};

/* Appends cond with its placeholder as $%1$d (maybe twice). */
static void add_filter(struct q *q, const char *cond, const char *val)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	buf_printf(&q->sql, cond, q->nv + 3);
#pragma GCC diagnostic pop
	q->vals[q->nv++] = val;
}

static const char *num(struct q *q, long long v)
{
	char *s = q->nums[q->nn++];
	snprintf(s, 24, "%lld", v);
	return s;
}

static int check_status(const char *list, struct err *e)
{
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char one[32];
		snprintf(one, sizeof(one), "%.*s", (int)(len < 31 ? len : 31), p);
		/* "open" stands alone; in a list every item is a state */
		if (strcmp(list, "open") != 0 && incident_state_from(one) < 0)
			return err_field(e, "/status", MSG_BAD_VALUE, one);
		p += len + (end ? 1 : 0);
	}
	return 0;
}

static const char *const type_codes[] = {
	"dos", "phishing", "malware", "intrusion", "defacement", "encryption",
	"destruction", "espionage", "combined", "other", NULL
};
static const char *const severity_codes[] = { "low", "medium", "high", "critical", NULL };

/* Whether more than CLOCK_DENSE incidents have their next clock in
 * [lo, hi): one count over the index incidents_next_due, stopped early. */
#define CLOCK_DENSE 2000
static int clock_range_dense(struct ctx *c, int64_t lo, int64_t hi)
{
	struct err e = { 0 };
	/* PostgreSQL plans these pages well by itself, and was measured with
	 * this plan (DESIGN, the queue at 1,000,000 incidents) */
	if (strcmp(store_backend(c->db), "postgresql") == 0)
		return 0;
	struct stmt *st = store_query(c->db, &e, "SELECT COUNT(*) FROM (SELECT 1 FROM incidents "
				      "WHERE next_due >= $1 AND next_due < $2 LIMIT $3) AS m", "iii",
				      lo, hi, (int64_t)CLOCK_DENSE + 1);
	if (st == NULL)
		return 0;   /* only a choice of plan: the range is right either way */
	int dense = stmt_step(st, &e) == 1 && stmt_int(st, 0) > CLOCK_DENSE;
	stmt_done(st);
	return dense;
}

/* Whether search fts matches so many incidents that a page is best found
 * by walking the sort's index and keeping the rows in the match list (it
 * meets one every total/matches rows), rather than reading every match,
 * joining and sorting them all to keep limit. Reading a match costs about
 * what walking a row does, so the walk wins when matches * matches >
 * total * limit: at 100,000 incidents and a page of 50, above ~2,200 matches
 * (a word in a quarter of them: 25,000 rows joined and sorted before, some
 * 200 walked now). The count stops at the threshold. */
static int fts_dense(struct ctx *c, const char *fts, int limit)
{
	struct err e = { 0 };
	int64_t total = 0, need;
	/* Not on PostgreSQL: GIN cannot stop a count early, so the count
	 * alone costs 200+ ms for a broad word (DESIGN), more than the walk
	 * saves; its own plan there meets the target. */
	if (strcmp(store_backend(c->db), "postgresql") == 0)
		return 0;
	struct stmt *st = store_query(c->db, &e, "SELECT MAX(rowid) FROM incidents", "");
	if (st == NULL)
		return 0;   /* only a choice of plan: the page is right either way */
	if (stmt_step(st, &e) == 1)
		total = stmt_int(st, 0);
	stmt_done(st);
	/* need = the integer square root of total * (limit + 1), at least 16 */
	int64_t x = total * (int64_t)(limit + 1), r = x > 0 ? x : 1;
	while (r > 0 && r > x / r)
		r = (r + x / r) / 2;
	need = r + 1 > 16 ? r + 1 : 16;
	st = store_query(c->db, &e, "SELECT COUNT(*) FROM (SELECT 1 FROM incident_fts WHERE "
			 "incident_fts MATCH $1 LIMIT $2) AS m", "ti", fts, need);
	if (st == NULL)
		return 0;
	int dense = stmt_step(st, &e) == 1 && stmt_int(st, 0) >= need;
	stmt_done(st);
	return dense;
}

/* Builds the query of a view into q; limit rows (+1 to know if more). */
static int build_list(struct ctx *c, const struct incident_filter *f, int limit,
		      struct q *q, char fts[], size_t ftssz, struct err *e)
{
	const struct sort_key *k = &sort_keys[0];
	if (f->sort) {
		for (k = sort_keys; k->name && strcmp(k->name, f->sort) != 0; k++)
			;
		if (k->name == NULL)
			return err_field(e, "/sort", MSG_BAD_VALUE, f->sort);
	}
	int desc = k->desc;
	if (f->order && strcmp(f->order, "asc") == 0)
		desc = 0;
	else if (f->order && strcmp(f->order, "desc") == 0)
		desc = 1;
	else if (f->order)
		return err_field(e, "/order", MSG_BAD_VALUE, f->order);
	if (check_status(f->status, e) != 0)
		return -1;
	if (f->type && jv_enum_index(type_codes, f->type) < 0)
		return err_field(e, "/type", MSG_BAD_VALUE, f->type);
	if (f->severity && jv_enum_index(severity_codes, f->severity) < 0)
		return err_field(e, "/severity", MSG_BAD_VALUE, f->severity);
	if (f->cursor) {
		/* The cursor's row must be one the reader sees: its sort key is
		 * read below, and must tell nothing of an incident out of scope. */
		struct inc_head h;
		if (inc_load(c, f->cursor, ACT_INCIDENT_READ, &h, e) != 0) {
			err_clear(e);
			return err_field(e, "/cursor", MSG_BAD_VALUE, "cursor");
		}
	}
	int terms = 0;
	if (f->q) {
		terms = incident_fts_query(f->q, fts, ftssz, e);
		if (terms < 0)
			return -1;
	}

	/* Placeholders: $1 path, $2 user, then one per filter present, so the
	 * text (and the cached statement) depends only on which are present. */
	int64_t now = time_now_ms();
	buf_adds(&q->sql, inc_select_sql);
	buf_adds(&q->sql, "WHERE " INC_VISIBLE);
	if (f->status && strcmp(f->status, "open") == 0)
		buf_adds(&q->sql, " AND i.status NOT IN ('closed', 'rejected')");
	else if (f->status)
		add_filter(q, " AND (',' || $%1$d || ',') LIKE ('%%,' || i.status || ',%%')",
			   f->status);
	if (f->org_code)
		add_filter(q, " AND substr(o.path, 1, length((SELECT path FROM orgs WHERE "
			   "code = $%1$d))) = (SELECT path FROM orgs WHERE code = $%1$d)",
			   f->org_code);
	if (f->type)
		add_filter(q, " AND i.type = $%1$d", f->type);
	if (f->severity)
		add_filter(q, " AND i.severity = $%1$d", f->severity);
	if (terms > 0) {
		/* Few matches: read them by rowid, then sort. Many: the match
		 * list is made once (FTS5 gives it in a few ms) and the sort's
		 * index is walked, each row looked up in it ("+" keeps SQLite
		 * from reading the list as the outer loop), until the page is
		 * full. Every sort and the keyset cursor work alike either way. */
		buf_adds(&q->sql, fts_dense(c, fts, limit) ? " AND +i.rowid" : " AND i.rowid");
		add_filter(q, " IN (SELECT rowid FROM incident_fts WHERE "
			   "incident_fts MATCH $%1$d)", fts);
	}
	if (f->overdue || f->due_soon) {
		int64_t lo = f->due_soon ? now : 0, hi = f->due_soon ? now + DEADLINE_SOON_MS : now;
		/* A range over next_due, or the sort's index with next_due
		 * checked per row ("+" keeps SQLite off its index) when the
		 * range is dense: then a page is found at once in sort order,
		 * where the range would be read whole and sorted. */
		const char *col = k != &sort_keys[1] && clock_range_dense(c, lo, hi) ? "+i.next_due"
			: "i.next_due";
		buf_printf(&q->sql, " AND %s", col);
		add_filter(q, " >= CAST($%1$d AS BIGINT)", num(q, lo));
		buf_printf(&q->sql, " AND %s", col);
		add_filter(q, " < CAST($%1$d AS BIGINT)", num(q, hi));
	}
	if (f->cursor) {
		/* Keyset: after the row of the cursor in the order of the view. */
		buf_printf(&q->sql, " AND (");
		add_expr(&q->sql, k->expr, "i");
		buf_printf(&q->sql, ", i.id) %s ((SELECT ", desc ? "<" : ">");
		add_expr(&q->sql, k->expr, "cur");
		add_filter(q, " FROM incidents cur WHERE cur.id = $%1$d), ", f->cursor);
		add_filter(q, "$%1$d)", f->cursor);
	}
	buf_adds(&q->sql, " ORDER BY ");
	add_expr(&q->sql, k->expr, "i");
	buf_printf(&q->sql, " %s, i.id %s LIMIT %d", desc ? "DESC" : "ASC",
		   desc ? "DESC" : "ASC", limit + 1);
	if (q->sql.p == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	return 0;
}

static struct stmt *run_list(struct ctx *c, struct q *q, struct err *e)
{
	char fmt[16] = "tt";
	for (int i = 0; i < q->nv; i++)
		fmt[2 + i] = 't';
	return store_query(c->db, e, q->sql.p, fmt, inc_scope_path(c), inc_scope_user(c),
			   q->vals[0], q->vals[1], q->vals[2], q->vals[3], q->vals[4],
			   q->vals[5], q->vals[6], q->vals[7], q->vals[8], q->vals[9]);
}

json_t *incident_list(struct ctx *c, const struct incident_filter *f, struct err *e)
{
	struct q q = { .nv = 0 };
	char fts[1024];
	json_t *items = NULL, *out = NULL;
	struct stmt *st = NULL;

	if (policy_check(c->actor, ACT_INCIDENT_READ, NULL, e) != 0)
		return NULL;
	int limit = f->limit > 0 ? f->limit : LIMIT_PAGE_DEFAULT;
	if (limit > LIMIT_PAGE_MAX)
		limit = LIMIT_PAGE_MAX;
	buf_init(&q.sql, 8192);
	if (build_list(c, f, limit, &q, fts, sizeof(fts), e) != 0)
		goto out;
	st = run_list(c, &q, e);
	if (st == NULL)
		goto out;
	items = json_array();
	int rc, count = 0;
	char next[UUID_LEN] = "";
	while ((rc = stmt_step(st, e)) == 1) {
		if (count == limit) {
			json_t *last = json_array_get(items, (size_t)count - 1);
			snprintf(next, sizeof(next), "%s", jv_str(last, "id"));
			break;
		}
		json_t *row = inc_render_row(c, st, e);
		if (row == NULL) {
			rc = -1;
			break;
		}
		json_array_append_new(items, row);
		count++;
	}
	stmt_done(st);
	if (rc < 0)
		goto out;
	out = json_pack("{s:O, s:o}", "items", items,
			"next_cursor", next[0] ? json_string(next) : json_null());
out:
	json_decref(items);
	buf_release(&q.sql);
	return out;
}

/* ---- CSV export of a view ---- */

char *incident_export_csv(struct ctx *c, const struct incident_filter *f, size_t *len,
			  struct err *e)
{
	struct q q = { .nv = 0 };
	struct buf b;
	char fts[1024];
	struct stmt *st = NULL;
	char *out = NULL;
	int full = 0;

	if (policy_check(c->actor, ACT_INCIDENT_READ, NULL, e) != 0)
		return NULL;
	buf_init(&q.sql, 8192);
	buf_init(&b, LIMIT_RESPONSE);
	if (build_list(c, f, LIMIT_EXPORT_ROWS, &q, fts, sizeof(fts), e) != 0)
		goto out;
	st = run_list(c, &q, e);
	if (st == NULL)
		goto out;
	static const char *const head[] = { "number", "title", "org_code", "org", "status",
					    "severity", "type", "tlp", "detected_at", "created_at",
					    "updated_at" };
	for (size_t k = 0; k < sizeof(head) / sizeof(head[0]); k++)
		full |= buf_add_csv(&b, head[k], k == 0);
	full |= buf_add(&b, "\r\n", 2);
	int rc, n = 0;
	while ((rc = stmt_step(st, e)) == 1) {
		if (n++ == LIMIT_EXPORT_ROWS) {
			/* Refused, not cut: a partial export would read as whole. */
			stmt_done(st);
			err_set(e, E_TOOLARGE, MSG_EXPORT_TOO_LARGE, "10000");
			goto out;
		}
		/* Columns of inc_select_sql: see incident.c INC_SELECT. */
		char det[TIME_RFC3339_LEN], cre[TIME_RFC3339_LEN], upd[TIME_RFC3339_LEN];
		const char *cells[] = {
			stmt_text(st, 1), stmt_text(st, 2), stmt_text(st, 19), stmt_text(st, 20),
			stmt_text(st, 8), stmt_text(st, 5), stmt_text(st, 4), stmt_text(st, 10),
			time_format_utc(stmt_int(st, 15), det), time_format_utc(stmt_int(st, 16), cre),
			time_format_utc(stmt_int(st, 17), upd),
		};
		for (size_t k = 0; k < sizeof(cells) / sizeof(cells[0]); k++)
			full |= buf_add_csv(&b, cells[k], k == 0);
		full |= buf_add(&b, "\r\n", 2);
	}
	stmt_done(st);
	if (rc < 0)
		goto out;
	if (full || b.p == NULL) {
		err_set(e, E_TOOLARGE, MSG_INTERNAL, NULL);
		goto out;
	}
	out = buf_detach(&b, len);
out:
	buf_release(&b);
	buf_release(&q.sql);
	return out;
}

/* ---- closing with open work ---- */

/* s cut to fit n bytes (with its NUL) at a character boundary, "…" marking
 * the cut: a field's argument holds 96 bytes, and a cut character would
 * make the answer's JSON invalid. */
static void fit(char *out, size_t n, const char *s)
{
	size_t l = strlen(s);
	if (l < n) {
		memcpy(out, s, l + 1);
		return;
	}
	l = n - 1 - 3;   /* room for U+2026 */
	while (l > 0 && ((unsigned char)s[l] & 0xC0) == 0x80)
		l--;
	memcpy(out, s, l);
	memcpy(out + l, "\xE2\x80\xA6", 4);
}

int inc_open_work_check(struct ctx *c, const char *id, struct err *e)
{
	/* Tasks not done (by title), then support requests sent or accepted
	 * (by the organisation asked); an open item each field error, the
	 * last one counting the rest when they do not all fit. */
	struct stmt *st = store_query(c->db, e,
		"SELECT 't', title, id FROM tasks WHERE incident_id = $1 AND done = 0 "
		"UNION ALL SELECT 's', o.name, s.id FROM support_requests s JOIN orgs o ON "
		"o.id = s.to_org_id WHERE s.incident_id = $1 AND s.status IN " SUPPORT_OPEN
		" ORDER BY 1 DESC, 3", "t", id);
	if (st == NULL)
		return -1;
	int rc, n = 0, tasks = 0, support = 0;
	struct err found = { 0 };
	err_set(&found, E_CONFLICT, MSG_OPEN_WORK, NULL);
	while ((rc = stmt_step(st, e)) == 1) {
		n++;
		if (n >= ERR_MAX_FIELDS)
			continue;   /* counted below */
		int task = stmt_text(st, 0)[0] == 't';
		char ptr[64], arg[sizeof(found.fields[0].arg)];
		snprintf(ptr, sizeof(ptr), "/open_work/%s/%d", task ? "tasks" : "support",
			 task ? tasks++ : support++);
		fit(arg, sizeof(arg), stmt_text(st, 1));
		err_field(&found, ptr, task ? MSG_OPEN_TASK : MSG_OPEN_SUPPORT, arg);
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (n == 0)
		return 0;
	if (n >= ERR_MAX_FIELDS) {
		char more[24];
		snprintf(more, sizeof(more), "%d", n - (ERR_MAX_FIELDS - 1));
		err_field(&found, "/open_work/more", MSG_OPEN_MORE, more);
	}
	*e = found;
	return -1;
}

/* ---- duplicates ---- */

static json_t *dup_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:{s:s, s:s}}", "id", stmt_text(st, 0),
			 "number", stmt_text(st, 1), "title", stmt_text(st, 2),
			 "reporter", stmt_isnull(st, 3) ? json_null() :
			 json_pack("{s:s, s:s}", "username", stmt_text(st, 3),
				   "full_name", stmt_text(st, 4)),
			 "org", "code", stmt_text(st, 5), "name", stmt_text(st, 6));
}

static json_t *kv_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s}", "id", stmt_text(st, 0), "kind", stmt_text(st, 1),
			 "value", stmt_text(st, 2));
}

static json_t *att_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s}", "id", stmt_text(st, 0), "name", stmt_text(st, 1),
			 "sha256", stmt_text(st, 2));
}

json_t *inc_duplicates(struct ctx *c, const char *id, struct err *e)
{
	json_t *out = json_object(), *list = NULL;
	/* What this one repeats (a link), then what repeats it: each with its
	 * reporter, observables and attachments, so the kept incident lists
	 * every reporter of the same event. Only the ones the reader sees. */
	struct stmt *st = store_query(c->db, e, "SELECT d.id, d.number, d.title FROM incidents i "
		"JOIN incidents d ON d.id = i.duplicate_of WHERE i.id = $1", "t", id);
	if (st == NULL)
		goto fail;
	int rc = stmt_step(st, e);
	json_object_set_new(out, "duplicate_of", rc == 1 ? json_pack("{s:s, s:s, s:s}",
		"id", stmt_text(st, 0), "number", stmt_text(st, 1), "title", stmt_text(st, 2))
		: json_null());
	stmt_done(st);
	if (rc < 0)
		goto fail;
	st = store_query(c->db, e, "SELECT i.id, i.number, i.title, u.username, u.full_name, "
		"o.code, o.name FROM incidents i JOIN orgs o ON o.id = i.org_id "
		"LEFT JOIN users u ON u.id = i.created_by WHERE i.duplicate_of = $3 AND "
		INC_VISIBLE " ORDER BY i.id LIMIT 100", "ttt", inc_scope_path(c), inc_scope_user(c), id);
	if (st == NULL)
		goto fail;
	list = rows_array(st, dup_row, e);
	if (list == NULL)
		goto fail;
	size_t k;
	json_t *d;
	json_array_foreach(list, k, d) {
		const char *did = jv_str(d, "id");
		if (rows_attach(c->db, d, "observables", "SELECT id, kind, value FROM observables "
				"WHERE incident_id = $1 ORDER BY id", did, kv_row, e) != 0 ||
		    rows_attach(c->db, d, "attachments", "SELECT id, name, sha256 FROM "
				"attachments WHERE incident_id = $1 ORDER BY id", did, att_row, e) != 0)
			goto fail;
	}
	json_object_set_new(out, "duplicates", list);
	return out;
fail:
	json_decref(list);
	json_decref(out);
	return NULL;
}

json_t *incident_mark_duplicate(struct ctx *c, const char *id, long long if_match,
				const char *keep_id, struct err *e)
{
	struct inc_head h, keep;
	json_t *before = NULL, *after = NULL;
	char reason[200];

	if (if_match < 0)
		return err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL), NULL;
	if (keep_id == NULL || !uuid_valid(keep_id))
		return err_field(e, "/duplicate_of", MSG_REQUIRED, NULL), NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	if (inc_load(c, id, ACT_INCIDENT_TRANSITION, &h, e) != 0)
		goto fail;
	/* Deciding that a report repeats another is the coordinator's step of
	 * verification (regulation.md §13: verified / rejected), on both. */
	struct policy_target pt = { .org_path = h.org_path, .support = h.support,
				    .roles = ROLE_COORDINATOR };
	if (policy_check(c->actor, ACT_INCIDENT_TRANSITION, &pt, e) != 0)
		goto fail;
	if (inc_check_if_match(&h, if_match, e) != 0)
		goto fail;
	if (h.status != ST_RECEIVED && h.status != ST_ACKNOWLEDGED && h.status != ST_VERIFIED) {
		err_set(e, E_CONFLICT, MSG_DUPLICATE_STATE,
			incident_state_labels[h.status].code);
		goto fail;
	}
	if (inc_load(c, keep_id, ACT_INCIDENT_READ, &keep, e) != 0) {
		err_clear(e);
		err_field(e, "/duplicate_of", MSG_NOT_FOUND, NULL);
		goto fail;
	}
	struct policy_target kt = { .org_path = keep.org_path, .support = keep.support,
				    .roles = ROLE_COORDINATOR };
	if (policy_check(c->actor, ACT_INCIDENT_TRANSITION, &kt, e) != 0)
		goto fail;
	int is_dup = 0;
	struct stmt *st = store_query(c->db, e, "SELECT duplicate_of IS NOT NULL FROM incidents "
				      "WHERE id = $1", "t", keep.id);
	if (st == NULL)
		goto fail;
	if (stmt_step(st, e) == 1)
		is_dup = (int)stmt_int(st, 0);
	stmt_done(st);
	if (strcmp(keep.id, h.id) == 0 || is_dup || keep.status == ST_CLOSED ||
	    keep.status == ST_REJECTED) {
		err_set(e, E_CONFLICT, MSG_DUPLICATE_TARGET, keep.number);
		goto fail;
	}
	before = inc_render(c, h.id, 0, e);
	if (before == NULL)
		goto fail;
	msg_format(MSG_DUPLICATE_REASON, 0, keep.number, reason, sizeof(reason));
	/* Closed as "rejected" with the reason and the link; its clocks stop
	 * (a rejected incident runs none) and the acknowledgement is met. */
	if (store_run(c->db, e, "UPDATE incidents SET status = 'rejected', reject_reason = $1, "
		      "duplicate_of = $2, version = version + 1 WHERE id = $3 AND version = $4",
		      "ttti", reason, keep.id, h.id, (int64_t)h.version) != 1 ||
	    deadline_meet(c, h.id, "ack", time_now_ms(), e) != 0 ||
	    inc_event(c, h.id, "transition", json_pack("{s:s, s:s, s:s, s:s}", "from",
		      incident_state_labels[h.status].code, "to", "rejected", "reason", reason,
		      "duplicate_of", keep.number), e) != 0 ||
	    inc_event(c, keep.id, "duplicate_added", json_pack("{s:s, s:s}", "id", h.id,
		      "number", h.number), e) != 0)
		goto fail;
	after = inc_render(c, h.id, 0, e);
	if (after == NULL)
		goto fail;
	json_object_set_new(after, "duplicate_of", json_string(keep.id));
	if (audit_append_json(c, "incident.duplicate", "incident", h.id, before, after, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	json_decref(before);
	json_decref(after);
	return inc_render(c, h.id, 1, e);
fail:
	if (e->code == E_OK)
		err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	store_rollback(c->db);
	json_decref(before);
	json_decref(after);
	return NULL;
}

/* ---- bulk actions ---- */

static const char *const bulk_actions[] = { "assign", "acknowledge", "duplicate", NULL };

static const struct jv_field bulk_item_fields[] = {
	{ "id", JV_UUID, 1, 0, 0, NULL, NULL },
	{ "version", JV_INT, 1, 1, 1LL << 53, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const struct jv_field bulk_fields[] = {
	{ "action", JV_ENUM, 1, 0, 0, bulk_actions, NULL },
	{ "items", JV_STRINGS, 0, 0, 0, NULL, NULL },   /* checked below */
	{ "user_id", JV_UUID, 0, 0, 0, NULL, NULL },
	{ "duplicate_of", JV_UUID, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static const char *err_name(int code)
{
	switch (code) {
	case E_INVALID: return "invalid";
	case E_NOTFOUND: return "not_found";
	case E_CONFLICT: return "conflict";
	case E_FORBIDDEN: return "forbidden";
	case E_PRECOND: return "stale";
	case E_PRECOND_REQ: return "version_required";
	default: return "error";
	}
}

/* 1 when the person exists, 0 when not, -1 on a failure (e filled). */
static int user_known(struct ctx *c, const char *id, struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT 1 FROM users WHERE id = $1", "t", id);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	stmt_done(st);
	return rc;
}

/* One incident of a bulk action: its own transaction, its own checks. */
static json_t *bulk_one(struct ctx *c, const char *action, const char *id, long long version,
			json_t *body, struct err *e)
{
	if (strcmp(action, "acknowledge") == 0) {
		json_t *t = json_pack("{s:s}", "to", "acknowledged");
		json_t *r = incident_transition(c, id, version, t, e);
		json_decref(t);
		return r;
	}
	if (strcmp(action, "duplicate") == 0)
		return incident_mark_duplicate(c, id, version, jv_str(body, "duplicate_of"), e);
	/* assign, as incident_assign does, with the version the caller saw
	 * checked under the write lock, in the same transaction. */
	struct inc_head h;
	if (store_begin(c->db, e) != 0)
		return NULL;
	if (inc_load(c, id, ACT_INCIDENT_ASSIGN, &h, e) != 0 ||
	    inc_check_if_match(&h, version, e) != 0) {
		store_rollback(c->db);
		return NULL;
	}
	json_t *rec = inc_assign_locked(c, &h, jv_str(body, "user_id"), e);
	if (rec == NULL)
		return NULL;
	json_decref(rec);
	return inc_render(c, h.id, 0, e);
}

json_t *incident_bulk(struct ctx *c, json_t *body, struct err *e)
{
	json_t *items = json_object_get(body, "items");
	json_t *copy = json_deep_copy(body);
	/* items are objects: validated here, the rest by the table */
	json_object_del(copy, "items");
	int bad = jv_validate(copy, bulk_fields, "", e);
	json_decref(copy);
	if (bad != 0)
		return NULL;
	if (!json_is_array(items) || json_array_size(items) == 0)
		return err_field(e, "/items", MSG_REQUIRED, NULL), NULL;
	if (json_array_size(items) > LIMIT_ARRAY_ITEMS)
		return err_field(e, "/items", MSG_TOO_MANY, "100"), NULL;
	size_t k;
	json_t *it;
	json_array_foreach(items, k, it) {
		char ptr[32];
		snprintf(ptr, sizeof(ptr), "/items/%zu", k);
		if (!json_is_object(it))
			err_field(e, ptr, MSG_BAD_VALUE, "object");
		else
			jv_validate(it, bulk_item_fields, ptr, e);
	}
	const char *action = jv_str(body, "action");
	if (strcmp(action, "assign") == 0 && jv_str(body, "user_id") == NULL)
		err_field(e, "/user_id", MSG_REQUIRED, NULL);
	if (strcmp(action, "assign") == 0 && jv_str(body, "user_id") &&
	    user_known(c, jv_str(body, "user_id"), e) == 0)
		err_field(e, "/user_id", MSG_UNKNOWN_USER, jv_str(body, "user_id"));
	if (strcmp(action, "duplicate") == 0 && jv_str(body, "duplicate_of") == NULL)
		err_field(e, "/duplicate_of", MSG_REQUIRED, NULL);
	if (e->code != E_OK)
		return NULL;

	json_t *results = json_array();
	long long ok = 0;
	json_array_foreach(items, k, it) {
		struct err one = { 0 };
		const char *id = jv_str(it, "id");
		json_t *r = bulk_one(c, action, id, jv_int(it, "version", -1), body, &one);
		if (r) {
			ok++;
			json_array_append_new(results, json_pack("{s:s, s:b, s:I, s:O}", "id", id,
				"ok", 1, "version", (json_int_t)jv_int(r, "version", 0),
				"status", json_object_get(r, "status")));
			json_decref(r);
		} else {
			char text[256];
			json_array_append_new(results, json_pack("{s:s, s:b, s:{s:s, s:s}}", "id", id,
				"ok", 0, "error", "code", err_name(one.code),
				"detail", err_text(&one, c->lang, text, sizeof(text))));
		}
	}
	return json_pack("{s:o, s:I, s:I}", "results", results, "ok", (json_int_t)ok,
			 "failed", (json_int_t)json_array_size(results) - ok);
}

/* ---- the inbox ---- */

static json_t *inbox_incident(struct stmt *st)
{
	char ts[TIME_RFC3339_LEN];
	int64_t due = stmt_int(st, 4);
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", stmt_text(st, 0),
			 "number", stmt_text(st, 1), "title", stmt_text(st, 2),
			 "status", stmt_text(st, 3), "next_due_at",
			 due >= NO_CLOCK ? json_null() : json_string(time_format_utc(due, ts)));
}

static json_t *inbox_task(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:o, s:{s:s, s:s, s:s, s:s}}", "id", stmt_text(st, 0),
			 "title", stmt_text(st, 1), "due_at", ms_json(stmt_int(st, 2)),
			 "incident", "id", stmt_text(st, 3), "number", stmt_text(st, 4),
			 "title", stmt_text(st, 5), "status", stmt_text(st, 6));
}

static json_t *inbox_support(struct stmt *st)
{
	const char *istatus = stmt_text(st, 7);
	int closed = strcmp(istatus, "closed") == 0 || strcmp(istatus, "rejected") == 0;
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:b, s:{s:s, s:s, s:s, s:s}}",
			 "id", stmt_text(st, 0), "summary", stmt_text(st, 1),
			 "urgency", stmt_text(st, 2), "status", stmt_text(st, 3),
			 "due_at", ms_json(stmt_int(st, 8)), "read_only", closed,
			 "incident", "id", stmt_text(st, 4), "number", stmt_text(st, 5),
			 "title", stmt_text(st, 6), "status", istatus);
}

static json_t *inbox_warning(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:b}", "id", stmt_text(st, 0),
			 "title", stmt_text(st, 1), "severity", stmt_text(st, 2),
			 "deadline", ms_json(stmt_int(st, 3)), "acknowledged", !stmt_isnull(st, 4));
}

/* A drill's corrective action owned by the reader (h/reports). */
static json_t *inbox_drill_action(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:o, s:b, s:{s:s, s:s}}", "id", stmt_text(st, 0),
			 "title", stmt_text(st, 1), "due_at", ms_json(stmt_int(st, 2)),
			 "overdue", stmt_int(st, 2) < time_now_ms(),
			 "drill", "id", stmt_text(st, 3), "title", stmt_text(st, 4));
}

static int inbox_part(struct ctx *c, json_t *out, const char *key, const char *sql,
		      json_t *(*row)(struct stmt *), struct err *e)
{
	struct stmt *st = store_query(c->db, e, sql, "tt", inc_scope_path(c), inc_scope_user(c));
	json_t *list = st ? rows_array(st, row, e) : NULL;
	if (list == NULL)
		return -1;
	json_object_set_new(out, key, list);
	return 0;
}

json_t *inbox_get(struct ctx *c, struct err *e)
{
	if (policy_check(c->actor, ACT_INCIDENT_READ, NULL, e) != 0)
		return NULL;
	/* One snapshot: the server runs every GET in a read transaction. */
	json_t *out = json_object();
	/* Each part bounded; $1 the reader's organisation path, $2 the reader. */
	int rc = inbox_part(c, out, "assigned", "SELECT i.id, i.number, i.title, i.status, "
		"i.next_due FROM assignees a JOIN incidents i ON i.id = a.incident_id JOIN orgs o "
		"ON o.id = i.org_id WHERE a.user_id = $2 AND i.status NOT IN ('closed', 'rejected') "
		"AND " INC_VISIBLE " ORDER BY i.next_due, i.id LIMIT 200", inbox_incident, e);
	if (rc == 0)
		rc = inbox_part(c, out, "tasks", "SELECT t.id, t.title, COALESCE(t.due_at, 0), "
			"i.id, i.number, i.title, i.status FROM tasks t JOIN incidents i ON i.id = "
			"t.incident_id JOIN orgs o ON o.id = i.org_id WHERE t.assignee_id = $2 AND "
			"t.done = 0 AND " INC_VISIBLE " ORDER BY t.due_at IS NULL, t.due_at, t.id "
			"LIMIT 200", inbox_task, e);
	/* Support asked of my organisation: open requests, and those on an
	 * incident since closed, kept as a read-only entry for the record. */
	if (rc == 0)
		rc = inbox_part(c, out, "support_requests", "SELECT s.id, s.summary, s.urgency, "
			"s.status, i.id, i.number, i.title, i.status, COALESCE(s.due_at, 0) FROM "
			"support_requests s JOIN orgs so ON so.id = s.to_org_id JOIN incidents i ON "
			"i.id = s.incident_id WHERE so.path = $1 AND $2 = $2 AND (s.status IN ('sent', "
			"'accepted') OR i.status IN ('closed', 'rejected')) ORDER BY s.created_at DESC "
			"LIMIT 200", inbox_support, e);
	if (rc == 0) {
		struct err pe = { 0 };
		/* An action of exactly one organisation: the reader's own (with
		 * no target policy_check refuses it, and the part was always
		 * empty). */
		struct policy_target own = { .org_path = c->actor->org_path };
		if (policy_check(c->actor, ACT_WARNING_ANSWER, &own, &pe) == 0)
			rc = inbox_part(c, out, "warnings", "SELECT w.id, w.title, w.severity, "
				"w.deadline, t.acknowledged_at FROM warning_targets t JOIN warnings w "
				"ON w.id = t.warning_id JOIN orgs o ON o.id = t.org_id WHERE o.path = $1 "
				"AND $2 = $2 AND t.fixed_at IS NULL AND NOT EXISTS (SELECT 1 FROM "
				"warning_withdrawals ww WHERE ww.warning_id = w.id) "
				"ORDER BY w.deadline, w.id LIMIT 200",
				inbox_warning, e);
		else
			json_object_set_new(out, "warnings", json_array());
	}
	/* Corrective actions of drills owned by the reader, until done. */
	if (rc == 0)
		rc = inbox_part(c, out, "drill_actions", "SELECT a.id, a.title, a.due_at, d.id, "
			"d.title FROM drill_actions a JOIN drills d ON d.id = a.drill_id WHERE "
			"a.owner_id = $2 AND a.done = 0 AND $1 = $1 ORDER BY a.due_at, a.id LIMIT 200",
			inbox_drill_action, e);
	if (rc != 0) {
		json_decref(out);
		return NULL;
	}
	size_t n = json_array_size(json_object_get(out, "drill_actions")) +
		   json_array_size(json_object_get(out, "assigned")) +
		   json_array_size(json_object_get(out, "tasks")) +
		   json_array_size(json_object_get(out, "warnings"));
	/* The count is what waits for an answer: read-only entries do not. */
	size_t k;
	json_t *s;
	json_array_foreach(json_object_get(out, "support_requests"), k, s)
		n += !json_is_true(json_object_get(s, "read_only"));
	json_object_set_new(out, "count", json_integer((json_int_t)n));
	return out;
}

/* ---- saved filters ---- */

static const struct jv_field saved_fields[] = {
	{ "name", JV_STRING, 1, 1, 100, NULL, NULL },
	{ "query", JV_STRING, 1, 0, 1000, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static json_t *saved_row(struct stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "id", stmt_text(st, 0), "name", stmt_text(st, 1),
			 "query", stmt_text(st, 2), "created_at", ms_json(stmt_int(st, 3)));
}

static int saved_actor(struct ctx *c, struct err *e)
{
	if (policy_check(c->actor, ACT_INCIDENT_READ, NULL, e) != 0)
		return -1;
	if (c->actor->system)   /* the shell has no person to keep them for */
		return err_set(e, E_FORBIDDEN, MSG_FORBIDDEN, NULL);
	return 0;
}

json_t *saved_filter_list(struct ctx *c, struct err *e)
{
	if (saved_actor(c, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT id, name, query, created_at FROM "
		"saved_filters WHERE user_id = $1 ORDER BY name LIMIT 100", "t", c->actor->id);
	return st ? rows_items(st, saved_row, e) : NULL;
}

json_t *saved_filter_create(struct ctx *c, json_t *body, struct err *e)
{
	char id[UUID_LEN];
	int64_t now = time_now_ms();
	if (saved_actor(c, e) != 0 || jv_validate(body, saved_fields, "", e) != 0)
		return NULL;
	const char *query = jv_str(body, "query");
	/* A query string of the queue's URL: printable, no fragment. */
	for (const unsigned char *p = (const unsigned char *)query; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '#')
			return err_field(e, "/query", MSG_BAD_VALUE, "query"), NULL;
	if (store_begin(c->db, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT COUNT(*) FROM saved_filters WHERE "
				      "user_id = $1", "t", c->actor->id);
	long long n = -1;
	if (st && stmt_step(st, e) == 1)
		n = stmt_int(st, 0);
	if (st)
		stmt_done(st);
	if (n < 0)
		goto fail;
	if (n >= LIMIT_SAVED_FILTERS) {
		err_set(e, E_CONFLICT, MSG_SAVED_FILTER_LIMIT, "50");
		goto fail;
	}
	int rc = store_run(c->db, e, "INSERT INTO saved_filters (id, user_id, name, query, "
			   "created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, name) DO "
			   "UPDATE SET query = excluded.query", "tttti", uuid7(id), c->actor->id,
			   jv_str(body, "name"), query, now);
	if (rc < 0 || store_commit(c->db, e) != 0)
		goto fail;
	st = store_query(c->db, e, "SELECT id, name, query, created_at FROM saved_filters "
			 "WHERE user_id = $1 AND name = $2", "tt", c->actor->id, jv_str(body, "name"));
	json_t *list = st ? rows_array(st, saved_row, e) : NULL;
	json_t *one = list ? json_incref(json_array_get(list, 0)) : NULL;
	json_decref(list);
	return one;
fail:
	store_rollback(c->db);
	return NULL;
}

int saved_filter_delete(struct ctx *c, const char *id, struct err *e)
{
	if (saved_actor(c, e) != 0)
		return -1;
	/* Someone else's saved filter is "not found", as one out of scope. */
	int n = store_run(c->db, e, "DELETE FROM saved_filters WHERE id = $1 AND user_id = $2",
			  "tt", id, c->actor->id);
	if (n < 0)
		return -1;
	return n == 0 ? err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL) : 0;
}
