/* domain.c - roles, rule defaults and the system actor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/banned.h"

const char *const role_names[] = {
	"reporter", "focal", "coordinator", "responder", "leader", "admin", NULL
};

int roles_parse(const char *csv)
{
	unsigned bits = 0;
	const char *p = csv;
	if (csv == NULL || *csv == '\0')
		return -1;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		int found = 0;
		for (int i = 0; role_names[i]; i++) {
			if (strlen(role_names[i]) == n && strncmp(role_names[i], p, n) == 0) {
				bits |= 1u << i;
				found = 1;
			}
		}
		if (!found)
			return -1;
		p += n;
		if (*p == ',')
			p++;
	}
	return (int)bits;
}

char *roles_format(unsigned roles, char *out, size_t n)
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; role_names[i]; i++) {
		if (!(roles & (1u << i)))
			continue;
		int w = snprintf(out + len, n - len, "%s%s", len ? "," : "", role_names[i]);
		if (w < 0 || (size_t)w >= n - len)
			break;
		len += (size_t)w;
	}
	return out;
}

json_t *roles_json(unsigned roles)
{
	json_t *a = json_array();
	for (int i = 0; role_names[i]; i++)
		if (roles & (1u << i))
			json_array_append_new(a, json_string(role_names[i]));
	return a;
}

void rules_default(struct rules *r)
{
	memset(r, 0, sizeof(*r));
	r->ack_ms = 2LL * 3600 * 1000;
	r->notification_ms = 5LL * 86400 * 1000;
	r->initial_ms = 24LL * 3600 * 1000;
	r->closing_ms = 5LL * 86400 * 1000;
	snprintf(r->number_prefix, sizeof(r->number_prefix), "PQ");
	r->max_attachment = LIMIT_ATTACHMENT_DEFAULT;
	r->agent_skew_ms = LIMIT_AGENT_SKEW_DEFAULT;
}

/* Subscribers, in the order registered (domain_on_record). */
static domain_record_fn record_hooks[HOOKS_MAX];
static size_t record_hooks_n;

void domain_on_record(domain_record_fn fn)
{
	HOOK_ADD(record_hooks, record_hooks_n, fn);
}

int domain_record_hook(struct ctx *c, const char *entity, const char *id, const json_t *rec,
		       struct err *e)
{
	for (size_t k = 0; k < record_hooks_n; k++)
		if (record_hooks[k](c, entity, id, rec, e) != 0)
			return -1;
	return 0;
}

void actor_system(struct actor *a)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->username, sizeof(a->username), "system");
	snprintf(a->org_path, sizeof(a->org_path), "/");
	a->roles = ROLE_ALL;
	a->system = 1;
}

json_t *rows_array(struct stmt *st, json_t *(*row)(struct stmt *), struct err *e)
{
	json_t *list = json_array();
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		json_array_append_new(list, row(st));
	stmt_done(st);
	if (rc < 0) {
		json_decref(list);
		return NULL;
	}
	return list;
}

json_t *rows_items(struct stmt *st, json_t *(*row)(struct stmt *), struct err *e)
{
	json_t *list = rows_array(st, row, e);
	return list ? json_pack("{s:o}", "items", list) : NULL;
}

int rows_attach(struct store *db, json_t *j, const char *key, const char *sql,
		const char *id, json_t *(*row)(struct stmt *), struct err *e)
{
	struct stmt *st = store_query(db, e, sql, "t", id);
	json_t *list = st ? rows_array(st, row, e) : NULL;
	if (list == NULL)
		return -1;
	json_object_set_new(j, key, list);
	return 0;
}

json_t *ms_json(int64_t ms)
{
	char ts[TIME_RFC3339_LEN];
	return ms ? json_string(time_format_utc(ms, ts)) : json_null();
}

int json_has_string(const json_t *list, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

int version_claim(struct ctx *c, const char *table, const char *id, long long version,
		  struct err *e)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "UPDATE %s SET version = version WHERE id = $1 AND version = $2",
		 table);
	int n = store_run(c->db, e, sql, "ti", id, (int64_t)version);
	if (n < 0)
		return -1;
	return n == 1 ? 0 : err_set(e, E_PRECOND, MSG_STALE_RECORD, NULL);
}
