/*
 * kinds_share.c - the part of each record that may leave the instance
 * (kinds.h has the rule). Pure functions over the JSON the domain renders:
 * no database, no envelope; every result is a new object the caller owns.
 */
#include <string.h>

#include "kinds.h"
#include "../domain/ioc/ioc.h"
#include "../base/banned.h"

static int in_list(const char *s, const char *const *list)
{
	if (s == NULL || list == NULL)
		return 0;
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

int sync_tlp_may_travel(const char *tlp, const char *const *named,
			const char *const *recipients)
{
	switch (tlp ? tlp_parse(tlp) : -1) {
	case TLP_CLEAR:
	case TLP_GREEN:
		return 1;
	case TLP_AMBER:
		for (size_t i = 0; recipients && recipients[i]; i++)
			if (in_list(recipients[i], named))
				return 1;
		return 0;
	default: /* RED, AMBER+STRICT, none, unknown: it stays */
		return 0;
	}
}

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Copies the keys (NULL-terminated) present in from into to. */
static void copy_keys(json_t *to, const json_t *from, const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++) {
		json_t *v = json_object_get(from, keys[i]);
		if (v)
			json_object_set_new(to, keys[i], json_deep_copy(v));
	}
}

/* An incident's TLP travels to the organisation asked as if AMBER named
 * it: asking for help names the one asked. */
static int incident_may_travel(const json_t *inc, const char *to_org_id)
{
	const char *named[] = { to_org_id, NULL };
	return sync_tlp_may_travel(str(inc, "tlp"), named, named);
}

json_t *sync_share_observable(const json_t *obs, const char *to_org_id)
{
	const char *named[] = { to_org_id, NULL };
	if (!json_is_object(obs) || !sync_tlp_may_travel(str(obs, "tlp"), named, named))
		return NULL;
	static const char *const keys[] = { "id", "kind", "value", "tlp", "note", "created_at",
					    NULL };
	json_t *o = json_object();
	copy_keys(o, obs, keys);
	return o;
}

/* The personal and system fields a confidential incident keeps home. */
static const char *const confidential_fields[] = { "reporter", "contact", "system", "details",
						   NULL };

json_t *sync_share_incident(const json_t *inc, const char *to_org_id)
{
	static const char *const frame[] = { "id", "number", "type", "severity", "serious",
					     "status", "tlp", "confidential", "detected_at",
					     "created_at", "updated_at", NULL };
	static const char *const body[] = { "title", "description", "handling_status",
					    "detection_method", "notified", "support_needed",
					    "closing_report", "reporter", "contact", "system",
					    "details", NULL };
	json_t *out = json_object(), *withheld = json_object();
	copy_keys(out, inc, frame);
	json_t *org = json_object_get(inc, "org");
	json_object_set_new(out, "org", json_pack("{s:s?, s:s?, s:s?}", "code", str(org, "code"),
						  "name", str(org, "name"), "kind", str(org, "kind")));
	/* The legal clocks: kind, due and met only. */
	json_t *dl = json_array(), *d;
	size_t i;
	json_array_foreach(json_object_get(inc, "deadlines"), i, d) {
		json_t *x = json_object();
		static const char *const dkeys[] = { "kind", "due_at", "met_at", NULL };
		copy_keys(x, d, dkeys);
		json_array_append_new(dl, x);
	}
	json_object_set_new(out, "deadlines", dl);

	if (!incident_may_travel(inc, to_org_id)) {
		json_object_set_new(withheld, "incident", json_true());
		json_object_set_new(out, "withheld", withheld);
		return out;
	}
	int conf = json_is_true(json_object_get(inc, "confidential"));
	json_t *fields = json_array();
	for (i = 0; body[i]; i++) {
		json_t *v = json_object_get(inc, body[i]);
		if (v == NULL || json_is_null(v))
			continue;
		if (conf && in_list(body[i], confidential_fields)) {
			json_array_append_new(fields, json_string(body[i]));
			continue;
		}
		json_object_set_new(out, body[i], json_deep_copy(v));
	}
	if (json_array_size(fields))
		json_object_set_new(withheld, "fields", fields);
	else
		json_decref(fields);

	json_t *obs = json_array(), *o;
	size_t kept = 0;
	json_array_foreach(json_object_get(inc, "observables"), i, o) {
		json_t *s = sync_share_observable(o, to_org_id);
		if (s)
			json_array_append_new(obs, s);
		else
			kept++;
	}
	json_object_set_new(out, "observables", obs);
	if (kept)
		json_object_set_new(withheld, "observables", json_integer((json_int_t)kept));

	json_t *att = json_array(), *a;
	size_t natt = json_array_size(json_object_get(inc, "attachments"));
	if (!conf) {
		json_array_foreach(json_object_get(inc, "attachments"), i, a) {
			static const char *const akeys[] = { "id", "name", "content_type", "size",
							     "sha256", NULL };
			json_t *x = json_object();
			copy_keys(x, a, akeys);
			json_array_append_new(att, x);
		}
	} else if (natt) {
		json_object_set_new(withheld, "attachments", json_integer((json_int_t)natt));
	}
	json_object_set_new(out, "attachments", att);
	json_object_set_new(out, "withheld", withheld);
	return out;
}

/* The string ids of a JSON array (share_with) as a NULL-terminated list
 * pointing into it; at most n - 1. */
static void id_list(const json_t *arr, const char **out, size_t n)
{
	size_t k = 0, i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (k + 1 >= n)
			break;
		/* ids or codes as strings, or {code} as the store renders them */
		const char *s = json_is_string(v) ? json_string_value(v) : str(v, "code");
		if (s)
			out[k++] = s;
	}
	out[k] = NULL;
}

json_t *sync_share_indicator(const json_t *ind, const char *const *recipients)
{
	const char *named[LIMIT_ARRAY_ITEMS + 1];
	if (!json_is_object(ind))
		return NULL;
	id_list(json_object_get(ind, "share_with"), named, LIMIT_ARRAY_ITEMS + 1);
	if (!sync_tlp_may_travel(str(ind, "tlp"), named, recipients))
		return NULL;
	/* share_with names organisations of this tree: the receiver's own
	 * copy is shared as it decides, so the list does not travel. */
	static const char *const keys[] = { "id", "kind", "value", "pattern_type", "name",
					    "description", "tlp", "confidence", "to_ids",
					    "valid_from", "valid_until", "tags", "related",
					    "created_at", "updated_at", NULL };
	json_t *o = json_object();
	copy_keys(o, ind, keys);
	return o;
}

json_t *sync_share_warning(const json_t *w, const char *const *recipient_codes)
{
	if (!json_is_object(w))
		return NULL;
	json_t *targets = json_array(), *t;
	size_t i;
	json_array_foreach(json_object_get(w, "targets"), i, t) {
		/* {org: {code}} as the domain renders targets, {code}, or a code */
		json_t *org = json_object_get(t, "org");
		const char *code = json_is_string(t) ? json_string_value(t) : str(org ? org : t, "code");
		if (in_list(code, recipient_codes))
			json_array_append_new(targets, json_string(code));
	}
	if (json_array_size(targets) == 0) {
		json_decref(targets);
		return NULL;
	}
	static const char *const keys[] = { "id", "source", "reference", "title", "body", "cves",
					    "products", "severity", "deadline", "created_at",
					    NULL };
	json_t *o = json_object();
	copy_keys(o, w, keys);
	json_object_set_new(o, "targets", targets);
	return o;
}

json_t *sync_share_report(const json_t *rep, const char *incident_id)
{
	if (!json_is_object(rep) || incident_id == NULL)
		return NULL;
	static const char *const keys[] = { "id", "kind", "recipient", "channel", "reference",
					    "body", "sent_at", NULL };
	json_t *o = json_object();
	copy_keys(o, rep, keys);
	json_object_set_new(o, "incident_id", json_string(incident_id));
	return o;
}

json_t *sync_share_periodic(const json_t *p)
{
	if (!json_is_object(p) || str(p, "status") == NULL || strcmp(str(p, "status"), "sent") != 0)
		return NULL;
	static const char *const keys[] = { "id", "form", "period", "year", "period_from",
					    "period_to", "member_code", "cells", "helpers",
					    "recommendations", "sent_at", NULL };
	json_t *o = json_object();
	copy_keys(o, p, keys);
	json_t *org = json_object_get(p, "org");
	if (org)
		json_object_set_new(o, "org", json_pack("{s:s?, s:s?}", "code", str(org, "code"),
							"name", str(org, "name")));
	return o;
}

static json_int_t num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

json_t *sync_share_hunt_summary(const char *hunt_remote_id, const char *org_code,
				const json_t *runs)
{
	if (hunt_remote_id == NULL || org_code == NULL)
		return NULL;
	json_int_t files = 0, errors = 0, hits = 0;
	const char *last = NULL;
	json_t *r;
	size_t i;
	json_array_foreach(runs, i, r) {
		files += num(r, "files");
		errors += num(r, "errors");
		hits += num(r, "hits");
		const char *at = str(r, "ran_at");
		/* RFC 3339 UTC times of one form order as strings. */
		if (at && (last == NULL || strcmp(at, last) > 0))
			last = at;
	}
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:s?}", "hunt_id", hunt_remote_id,
			 "org_code", org_code, "runs", (json_int_t)json_array_size(runs),
			 "files", files, "errors", errors, "hits", hits, "last_ran_at", last);
}

json_t *sync_share_sighting(const json_t *s, const char *indicator_remote_id,
			    const char *org_code)
{
	if (!json_is_object(s) || indicator_remote_id == NULL || org_code == NULL)
		return NULL;
	return json_pack("{s:s?, s:s, s:s, s:s?, s:O?}", "id", str(s, "id"),
			 "indicator_id", indicator_remote_id, "org_code", org_code,
			 "source", str(s, "source"), "seen_at", json_object_get(s, "seen_at"));
}
