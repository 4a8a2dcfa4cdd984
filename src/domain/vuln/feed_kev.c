/*
 * feed_kev.c - CISA's Known Exploited Vulnerabilities catalogue (the JSON of
 * cisagov/kev-data) into feed_vuln: id = cveID, kev = 1, the due date and
 * required action, when it was added, ransomware use, vendor and product.
 * No affected entries: KEV says which CVEs are exploited, NVD and OSV say
 * what they affect. The whole file is checked before the first record goes
 * to the sink.
 */
#include <stdio.h>
#include <string.h>

#include "feed.h"
#include "feed_int.h"
#include "../../base/arena.h"
#include "../../base/msg.h"
#include "../../base/banned.h"

static int kev_record(struct fj *j, const json_t *x, struct feed_vuln *v)
{
	const char *ransom;

	memset(v, 0, sizeof(*v));
	v->cvss = -1;
	v->kev = 1;
	if (!json_is_object(x))
		return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, NULL, "expected an object");
	if (fj_str(j, x, "cveID", &v->id) != 0)
		return -1;
	if (v->id == NULL || v->id[0] == '\0') {
		if (json_object_get(x, "cve"))
			return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, "cveID",
				       "missing: this is NVD CVE API JSON (import it as nvd)");
		return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, "cveID", "missing");
	}
	j->rec = v->id;
	if (fj_str(j, x, "vendorProject", &v->vendor) != 0 ||
	    fj_str(j, x, "product", &v->product) != 0 ||
	    fj_str(j, x, "vulnerabilityName", &v->summary) != 0 ||
	    fj_str(j, x, "requiredAction", &v->kev_action) != 0 ||
	    fj_time(j, x, "dueDate", &v->kev_due) != 0 ||
	    fj_time(j, x, "dateAdded", &v->kev_added) != 0 ||
	    fj_str(j, x, "knownRansomwareCampaignUse", &ransom) != 0)
		return -1;
	v->kev_ransomware = ransom && strcmp(ransom, "Known") == 0;
	return 0;
}

struct kev_run {
	const char *name;
	feed_sink sink;
	void *arg;
	struct err *e;
	struct arena *a;
	long count;
};

static int kev_walk(struct kev_run *r, const json_t *vulns)
{
	for (size_t i = 0; i < json_array_size(vulns); i++) {
		struct fj j = { .name = r->name, .e = r->e, .a = r->a };
		struct feed_vuln v;
		fj_push_key(&j, "vulnerabilities");
		fj_push_idx(&j, i);
		int rc = kev_record(&j, json_array_get(vulns, i), &v);
		if (rc == 0 && r->sink)
			rc = r->sink(r->arg, &v, r->e);
		arena_reset(r->a);
		if (rc != 0)
			return -1;
		r->count++;
	}
	return 0;
}

/* The catalogue's vulnerabilities array, or NULL with e filled. */
static json_t *kev_list(const char *name, const json_t *doc, struct err *e)
{
	json_t *vulns = json_object_get(doc, "vulnerabilities");
	if (!json_is_array(vulns)) {
		const char *hint = json_object_get(doc, "affected") || json_is_array(doc)
			? " (an OSV record? import it as osv)"
			: json_object_get(doc, "cve") || json_object_get(doc, "vulnStatus")
			? " (an NVD cve object? import it as nvd)" : "";
		feed_fail(e, E_INVALID, MSG_FEED_SCHEMA, name,
			  "/vulnerabilities: missing, not a CISA KEV catalogue%s", hint);
		return NULL;
	}
	json_t *first = json_array_get(vulns, 0);
	if (json_object_get(first, "cve") && !json_object_get(first, "cveID")) {
		feed_fail(e, E_INVALID, MSG_FEED_SCHEMA, name,
			  "/vulnerabilities/0: a \"cve\" object, no \"cveID\": this is NVD CVE API JSON (import it as nvd)");
		return NULL;
	}
	if (json_array_size(vulns) > FEED_MAX_ITEMS * 10) {
		/* 1,400 entries in 2025: ten times the record limit is no catalogue. */
		feed_fail(e, E_TOOLARGE, MSG_FEED_LIMIT, name, "/vulnerabilities: %zu entries",
			  json_array_size(vulns));
		return NULL;
	}
	return vulns;
}

long feed_parse_kev(const char *name, const char *data, size_t n, feed_sink sink, void *arg,
		    struct err *e)
{
	struct kev_run r = { .name = name, .e = e };
	json_error_t je;
	long rc = -1;

	if (data == NULL)
		return feed_fail(e, E_MALFORMED, MSG_FEED_SYNTAX, name, "line 1: empty, no JSON value");
	size_t bom = n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	if (n - bom >= 6 && memcmp(data + bom, "cveID,", 6) == 0)
		return feed_fail(e, E_INVALID, MSG_FEED_SCHEMA, name,
				 "line 1: the CSV form of the catalogue; import the JSON one");
	json_t *doc = json_loadb(data + bom, n - bom, 0, &je);
	if (doc == NULL)
		return fj_syntax(name, data, bom, &je, e);
	json_t *vulns = kev_list(name, doc, e);
	if (vulns == NULL)
		goto out;
	r.a = arena_new(FEED_SCRATCH_MAX);
	if (r.a == NULL) {
		feed_nomem(e, name);
		goto out;
	}
	/* Pass 1 checks every record; pass 2 hands them over. */
	if (kev_walk(&r, vulns) != 0)
		goto out;
	if (sink) {
		r.count = 0;
		r.sink = sink;
		r.arg = arg;
		if (kev_walk(&r, vulns) != 0)
			goto out;
	}
	rc = r.count;
out:
	if (r.a)
		arena_free(r.a);
	json_decref(doc);
	return rc;
}
