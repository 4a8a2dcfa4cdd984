/*
 * feed_nvd.c - NVD CVE API 2.0 JSON (a /rest/json/cves/2.0 response or one
 * bare cve object, as the fkie-cad mirror stores them) into feed_vuln:
 * the English description, the CVSS score and severity, the CISA KEV
 * overlay, Rejected = withdrawn, and the vulnerable CPE matches grouped by
 * criteria (feed.h says how AND configurations are treated). The whole file
 * is checked before the first record goes to the sink.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "feed_int.h"
#include "../../base/arena.h"
#include "../../base/msg.h"
#include "../../base/banned.h"

/* One vulnerable:true cpeMatch. */
struct nvd_match {
	const char *criteria;
	const char *si, *se, *ei, *ee;   /* versionStart/End Including/Excluding */
	const char *version;             /* the criteria's version, unquoted */
	size_t seq;                      /* order in the record */
};

/* A run of matches with the same criteria, in the sorted array. */
struct nvd_group {
	size_t first, count;             /* in the sorted matches */
	size_t seq;                      /* first appearance */
};

/* ---- metrics ---- */

struct nvd_pick {
	double primary, any;
	const char *primary_sev, *any_sev;
};

/* Looks at every metric of metrics[key]: its baseScore and baseSeverity
 * (in cvssData, or beside it for V2). */
static int nvd_metric(struct fj *j, const json_t *metrics, const char *key, int v2,
		      struct nvd_pick *p)
{
	json_t *arr;
	if (fj_arr(j, metrics, key, &arr) != 0)
		return -1;
	fj_push_key(j, key);
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *m = json_array_get(arr, i), *data;
		const char *type, *sev;
		double score = -1;
		fj_push_idx(j, i);
		if (!json_is_object(m))
			return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, NULL, "expected an object");
		if (fj_str(j, m, "type", &type) != 0 || fj_obj(j, m, "cvssData", &data) != 0)
			return -1;
		if (data == NULL)
			return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, "cvssData", "missing");
		fj_push_key(j, "cvssData");
		if (fj_num(j, data, "baseScore", &score) != 0)
			return -1;
		if (score < 0 || score > 10)
			return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, "baseScore",
				       "%g is not a score from 0 to 10", score);
		fj_pop(j);
		if (fj_str(j, v2 ? m : data, "baseSeverity", &sev) != 0)
			return -1;
		fj_pop(j);
		if (type && strcmp(type, "Primary") == 0 && score > p->primary) {
			p->primary = score;
			p->primary_sev = feed_severity_word(sev);
		}
		if (score > p->any) {
			p->any = score;
			p->any_sev = feed_severity_word(sev);
		}
	}
	fj_pop(j);
	return 0;
}

/* cvss and severity (feed.h): v3.x, else v2, else v4.0; Primary first. */
static int nvd_metrics(struct fj *j, const json_t *cve, struct feed_vuln *v)
{
	static const struct { const char *keys[2]; int v2; } order[] = {
		{ { "cvssMetricV31", "cvssMetricV30" }, 0 },
		{ { "cvssMetricV2", NULL }, 1 },
		{ { "cvssMetricV40", NULL }, 0 },
	};
	json_t *metrics;
	if (fj_obj(j, cve, "metrics", &metrics) != 0)
		return -1;
	if (metrics == NULL)
		return 0;
	fj_push_key(j, "metrics");
	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
		struct nvd_pick p = { -1, -1, NULL, NULL };
		for (int k = 0; k < 2 && order[o].keys[k]; k++)
			if (nvd_metric(j, metrics, order[o].keys[k], order[o].v2, &p) != 0)
				return -1;
		if (p.any < 0)
			continue;
		v->cvss = p.primary >= 0 ? p.primary : p.any;
		v->severity = p.primary >= 0 ? p.primary_sev : p.any_sev;
		break;
	}
	fj_pop(j);
	if (v->severity == NULL && v->cvss >= 0)
		v->severity = feed_severity_of(v->cvss);
	return 0;
}

/* ---- configurations ---- */

static size_t count_matches(const json_t *configs)
{
	size_t total = 0;
	for (size_t c = 0; c < json_array_size(configs); c++) {
		json_t *nodes = json_object_get(json_array_get(configs, c), "nodes");
		for (size_t n = 0; n < json_array_size(nodes); n++)
			total += json_array_size(json_object_get(json_array_get(nodes, n), "cpeMatch"));
	}
	return total;
}

static int nvd_match(struct fj *j, const json_t *m, struct nvd_match *out, size_t *n)
{
	int vulnerable = -1;
	struct nvd_match x = { 0 };
	if (!json_is_object(m))
		return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, NULL, "expected an object");
	if (fj_bool(j, m, "vulnerable", &vulnerable) != 0 ||
	    fj_str(j, m, "criteria", &x.criteria) != 0 ||
	    fj_str(j, m, "versionStartIncluding", &x.si) != 0 ||
	    fj_str(j, m, "versionStartExcluding", &x.se) != 0 ||
	    fj_str(j, m, "versionEndIncluding", &x.ei) != 0 ||
	    fj_str(j, m, "versionEndExcluding", &x.ee) != 0)
		return -1;
	if (vulnerable < 0)
		return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, "vulnerable", "missing");
	if (x.criteria == NULL)
		return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, "criteria", "missing");
	size_t len = strlen(x.criteria) + 1;
	char *version = arena_alloc(j->a, len);
	if (version == NULL)
		return feed_nomem(j->e, j->name);
	if (cpe23_attr(x.criteria, 3, version, len) != 0)
		return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, "criteria",
			       "not a CPE 2.3 name: \"%.60s\"", x.criteria);
	if (!vulnerable)
		return 0;                     /* a platform: context only */
	x.version = version;
	x.seq = *n;
	out[(*n)++] = x;
	return 0;
}

static int nvd_configs(struct fj *j, const json_t *configs, struct nvd_match *out, size_t *n)
{
	fj_push_key(j, "configurations");
	for (size_t c = 0; c < json_array_size(configs); c++) {
		json_t *cfg = json_array_get(configs, c), *nodes;
		fj_push_idx(j, c);
		if (!json_is_object(cfg))
			return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, NULL, "expected an object");
		if (fj_arr(j, cfg, "nodes", &nodes) != 0)
			return -1;
		fj_push_key(j, "nodes");
		for (size_t k = 0; k < json_array_size(nodes); k++) {
			json_t *node = json_array_get(nodes, k), *matches;
			int negate = 0;
			fj_push_idx(j, k);
			if (!json_is_object(node))
				return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, NULL, "expected an object");
			if (fj_bool(j, node, "negate", &negate) != 0 ||
			    fj_arr(j, node, "cpeMatch", &matches) != 0)
				return -1;
			fj_push_key(j, "cpeMatch");
			for (size_t i = 0; i < json_array_size(matches); i++) {
				size_t before = *n;
				fj_push_idx(j, i);
				if (nvd_match(j, json_array_get(matches, i), out, n) != 0)
					return -1;
				fj_pop(j);
				if (negate)
					*n = before;  /* "not this": nothing to match */
			}
			fj_pop(j);
			fj_pop(j);
		}
		fj_pop(j);
		fj_pop(j);
	}
	fj_pop(j);
	return 0;
}

static int by_criteria(const void *a, const void *b)
{
	const struct nvd_match *x = a, *y = b;
	int c = strcmp(x->criteria, y->criteria);
	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_seq(const void *a, const void *b)
{
	const struct nvd_group *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* One feed_affected per distinct criteria (feed.h). */
static int nvd_affected(struct fj *j, struct nvd_match *m, size_t n, struct feed_vuln *v)
{
	if (n > 1) /* qsort(NULL, 0) is undefined */
		qsort(m, n, sizeof(*m), by_criteria);
	struct nvd_group *g = fj_alloc(j, n, sizeof(*g));
	struct feed_affected *aff = g ? fj_alloc(j, n, sizeof(*aff)) : NULL;
	struct feed_range *ranges = aff ? fj_alloc(j, n, sizeof(*ranges)) : NULL;
	const char **versions = ranges ? fj_alloc(j, n, sizeof(*versions)) : NULL;
	if (versions == NULL)
		return -1;
	size_t ng = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(m[i].criteria, m[i - 1].criteria) == 0) {
			g[ng - 1].count++;
			continue;
		}
		g[ng].first = i;
		g[ng].count = 1;
		g[ng].seq = m[i].seq;        /* the smallest: sorted by seq within */
		ng++;
	}
	if (ng > 1) /* qsort(NULL, 0) is undefined */
		qsort(g, ng, sizeof(*g), by_seq);
	size_t nr = 0, nv = 0;
	for (size_t k = 0; k < ng; k++) {
		struct feed_affected *a = &aff[k];
		memset(a, 0, sizeof(*a));
		a->ecosystem = "cpe";
		a->package = m[g[k].first].criteria;
		a->ranges = ranges + nr;
		a->versions = versions + nv;
		for (size_t i = g[k].first; i < g[k].first + g[k].count; i++) {
			const struct nvd_match *x = &m[i];
			int exact = strcmp(x->version, "*") != 0 && strcmp(x->version, "-") != 0;
			if (!x->si && !x->se && !x->ei && !x->ee && exact) {
				versions[nv++] = x->version;
				a->nversions++;
				continue;
			}
			struct feed_range *r = &ranges[nr++];
			memset(r, 0, sizeof(*r));
			r->start_including = x->si;
			r->start_excluding = x->se;
			r->end_including = x->ei;
			r->end_excluding = x->ee;
			a->nranges++;
		}
	}
	v->affected = aff;
	v->naffected = ng;
	return 0;
}

/* ---- one record ---- */

static int nvd_record(struct fj *j, const json_t *cve, struct feed_vuln *v)
{
	json_t *descs, *configs;
	const char *status, *added;

	memset(v, 0, sizeof(*v));
	v->cvss = -1;
	if (!json_is_object(cve))
		return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, NULL, "expected a cve object");
	if (fj_str(j, cve, "id", &v->id) != 0)
		return -1;
	if (v->id == NULL || v->id[0] == '\0')
		return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, "id", "missing");
	j->rec = v->id;
	if (fj_time(j, cve, "published", &v->published) != 0 ||
	    fj_time(j, cve, "lastModified", &v->modified) != 0 ||
	    fj_str(j, cve, "vulnStatus", &status) != 0 ||
	    fj_str(j, cve, "cisaExploitAdd", &added) != 0 ||
	    fj_time(j, cve, "cisaExploitAdd", &v->kev_added) != 0 ||
	    fj_time(j, cve, "cisaActionDue", &v->kev_due) != 0 ||
	    fj_str(j, cve, "cisaRequiredAction", &v->kev_action) != 0 ||
	    fj_arr(j, cve, "descriptions", &descs) != 0 ||
	    fj_arr(j, cve, "configurations", &configs) != 0)
		return -1;
	v->withdrawn = status && strcmp(status, "Rejected") == 0;
	v->kev = added != NULL;

	fj_push_key(j, "descriptions");
	for (size_t i = 0; i < json_array_size(descs); i++) {
		json_t *d = json_array_get(descs, i);
		const char *lang, *value;
		fj_push_idx(j, i);
		if (!json_is_object(d))
			return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, NULL, "expected an object");
		if (fj_str(j, d, "lang", &lang) != 0 || fj_str(j, d, "value", &value) != 0)
			return -1;
		fj_pop(j);
		if (v->summary == NULL || (lang && strcmp(lang, "en") == 0 && value))
			v->summary = value;
		if (lang && strcmp(lang, "en") == 0 && value)
			break;
	}
	fj_pop(j);
	if (nvd_metrics(j, cve, v) != 0)
		return -1;

	size_t total = count_matches(configs);
	if (total > FEED_MAX_ITEMS)
		return fj_fail(j, E_TOOLARGE, MSG_FEED_LIMIT, "configurations",
			       "%zu CPE matches (at most %d)", total, FEED_MAX_ITEMS);
	struct nvd_match *m = fj_alloc(j, total, sizeof(*m));
	size_t n = 0;
	if (m == NULL || nvd_configs(j, configs, m, &n) != 0)
		return -1;
	return nvd_affected(j, m, n, v);
}

/* ---- the file ---- */

struct nvd_run {
	const char *name;
	feed_sink sink;
	void *arg;
	struct err *e;
	struct arena *a;
	long count;
};

static int nvd_one(struct nvd_run *r, const json_t *cve, size_t idx, int envelope)
{
	struct fj j = { .name = r->name, .e = r->e, .a = r->a };
	struct feed_vuln v;
	if (envelope) {
		fj_push_key(&j, "vulnerabilities");
		fj_push_idx(&j, idx);
		fj_push_key(&j, "cve");
	}
	int rc = nvd_record(&j, cve, &v);
	if (rc == 0 && r->sink)
		rc = r->sink(r->arg, &v, r->e);
	if (rc == 0)
		r->count++;
	arena_reset(r->a);
	return rc;
}

/* Which kind of JSON this is, when it is not what we read: for a message
 * that says what to do. */
static const char *nvd_other_kind(const json_t *doc)
{
	json_t *vulns = json_object_get(doc, "vulnerabilities");
	json_t *first = json_array_get(vulns, 0);
	if (json_object_get(doc, "CVE_Items"))
		return "an NVD 1.1 data feed (CVE_Items), retired in 2023: use the CVE API 2.0";
	if (json_object_get(doc, "matchStrings"))
		return "an NVD CPE match response, not CVEs";
	if (json_object_get(first, "cveID") || json_object_get(doc, "catalogVersion"))
		return "a CISA KEV catalogue (import it as kev)";
	if (json_object_get(doc, "affected") || json_object_get(doc, "schema_version") ||
	    json_object_get(json_array_get(doc, 0), "affected"))
		return "an OSV record (import it as osv)";
	return NULL;
}

/* The records of doc: the envelope's vulnerabilities[].cve, or doc itself. */
static int nvd_walk(struct nvd_run *r, const json_t *doc)
{
	json_t *vulns = json_object_get(doc, "vulnerabilities");
	const char *other = nvd_other_kind(doc);
	if (other)
		return feed_fail(r->e, E_INVALID, MSG_FEED_SCHEMA, r->name, "/: %s", other);
	if (json_is_array(vulns)) {
		json_t *format = json_object_get(doc, "format");
		if (json_is_string(format) && strcmp(json_string_value(format), "NVD_CVE") != 0)
			return feed_fail(r->e, E_INVALID, MSG_FEED_SCHEMA, r->name,
					 "/format: \"%.40s\", expected NVD_CVE",
					 json_string_value(format));
		for (size_t i = 0; i < json_array_size(vulns); i++) {
			json_t *item = json_array_get(vulns, i);
			json_t *cve = json_object_get(item, "cve");
			if (!json_is_object(cve))
				return feed_fail(r->e, E_INVALID, MSG_FEED_SCHEMA, r->name,
						 "/vulnerabilities/%zu: no \"cve\" object", i);
			if (nvd_one(r, cve, i, 1) != 0)
				return -1;
		}
		return 0;
	}
	if (json_is_object(json_object_get(doc, "cve")))
		return nvd_one(r, json_object_get(doc, "cve"), 0, 0);
	if (json_is_string(json_object_get(doc, "id")) &&
	    (json_object_get(doc, "vulnStatus") || json_object_get(doc, "descriptions") ||
	     json_object_get(doc, "sourceIdentifier")))
		return nvd_one(r, doc, 0, 0);
	return feed_fail(r->e, E_INVALID, MSG_FEED_SCHEMA, r->name,
			 "/: not NVD CVE API 2.0 JSON (expected {\"vulnerabilities\": [{\"cve\": ...}]} or a cve object)");
}

long feed_parse_nvd(const char *name, const char *data, size_t n, feed_sink sink, void *arg,
		    struct err *e)
{
	struct nvd_run r = { .name = name, .e = e };
	json_error_t je;
	long rc = -1;

	if (data == NULL)
		return feed_fail(e, E_MALFORMED, MSG_FEED_SYNTAX, name, "line 1: empty, no JSON value");
	size_t bom = n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	json_t *doc = json_loadb(data + bom, n - bom, 0, &je);
	if (doc == NULL)
		return fj_syntax(name, data, bom, &je, e);
	r.a = arena_new(FEED_SCRATCH_MAX);
	if (r.a == NULL) {
		feed_nomem(e, name);
		goto out;
	}
	/* Pass 1 checks every record; pass 2 hands them over. */
	if (nvd_walk(&r, doc) != 0)
		goto out;
	if (sink) {
		r.count = 0;
		r.sink = sink;
		r.arg = arg;
		if (nvd_walk(&r, doc) != 0)
			goto out;
	}
	rc = r.count;
out:
	arena_free(r.a);
	json_decref(doc);
	return rc;
}
