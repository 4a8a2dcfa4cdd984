/*
 * feed_osv.c - OSV records (ossf/osv-schema 1.x: GHSA, Debian DSA/DLA/ELA,
 * Go, PyPI, crates.io ...) into feed_vuln. The input is one record, an
 * array of records, the osv.dev API answer {"vulns": [...]}, or several of
 * these one after the other (JSON lines). Every record is checked before
 * the first one is handed to the sink (feed.h: all or nothing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feed.h"
#include "feed_int.h"
#include "../../base/arena.h"
#include "../../base/msg.h"
#include "../../base/banned.h"

struct osv_run {
	const char *name;
	feed_sink sink;               /* NULL in the checking pass */
	void *arg;
	struct err *e;
	struct arena *a;
	long count;
	int lines;                    /* more than one top-level value */
	size_t line;                  /* line of the current value */
};

/* ---- one record ---- */

/* The score of OSV severity[] entries: a number as the score, or the base
 * score of a CVSS v3 vector; the highest one; -1 when none. */
static int osv_scores(struct fj *j, const json_t *arr, double *best, const char **word)
{
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *s = json_array_get(arr, i);
		const char *type, *score;
		fj_push_idx(j, i);
		if (!json_is_object(s)) {
			fj_pop(j);
			return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, NULL,
				       "severity entry %zu is not an object", i);
		}
		if (fj_str(j, s, "type", &type) != 0 || fj_str(j, s, "score", &score) != 0)
			return -1;
		fj_pop(j);
		if (score == NULL)
			continue;
		char *end;
		double v = strtod(score, &end);
		if (end == score || *end != '\0' || v < 0 || v > 10)
			v = cvss3_base(score);
		if (v > *best)
			*best = v;
		/* Ubuntu's records give their priority as the score. */
		if (type && strcasecmp(type, "Ubuntu") == 0 && *word == NULL)
			*word = feed_severity_word(score);
	}
	return 0;
}

/* The severity word in an object's "severity" field (database_specific,
 * ecosystem_specific), if it is a string we know. */
static const char *severity_in(const json_t *o)
{
	json_t *s = json_is_object(o) ? json_object_get(o, "severity") : NULL;
	return json_is_string(s) ? feed_severity_word(json_string_value(s)) : NULL;
}

/* Ranges of ECOSYSTEM/SEMVER type (or none given) become feed_ranges, one
 * per introduced..fixed/last_affected pair (feed.h). ranges may also be a
 * single object: some real feeds (Debian ELTS) write it so. */
static int osv_ranges(struct fj *j, const json_t *ranges, struct feed_range *out,
		      size_t *nout)
{
	size_t n = json_is_array(ranges) ? json_array_size(ranges) : 1;
	for (size_t r = 0; r < n; r++) {
		json_t *range = json_is_array(ranges) ? json_array_get(ranges, r) : (json_t *)ranges;
		json_t *events;
		const char *type;
		fj_push_idx(j, r);
		if (!json_is_object(range)) {
			fj_pop(j);
			return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, NULL, "range %zu is not an object",
				       r);
		}
		if (fj_str(j, range, "type", &type) != 0 || fj_arr(j, range, "events", &events) != 0)
			return -1;
		if (type && strcmp(type, "ECOSYSTEM") != 0 && strcmp(type, "SEMVER") != 0) {
			fj_pop(j);
			continue;             /* GIT: commits, not versions */
		}
		if (events == NULL) {
			fj_pop(j);
			return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, NULL, "range %zu has no events", r);
		}
		fj_push_key(j, "events");
		struct feed_range *open = NULL;
		for (size_t k = 0; k < json_array_size(events); k++) {
			json_t *ev = json_array_get(events, k);
			const char *intro, *fixed, *last, *limit;
			fj_push_idx(j, k);
			if (!json_is_object(ev))
				return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, NULL, "not an object");
			if (fj_str(j, ev, "introduced", &intro) != 0 ||
			    fj_str(j, ev, "fixed", &fixed) != 0 ||
			    fj_str(j, ev, "last_affected", &last) != 0 ||
			    fj_str(j, ev, "limit", &limit) != 0)
				return -1;
			fj_pop(j);
			if (intro && open == NULL) {
				open = &out[(*nout)++];
				memset(open, 0, sizeof(*open));
				open->introduced = intro;
			}
			if (fixed || last) {
				if (open == NULL) {
					open = &out[(*nout)++];
					memset(open, 0, sizeof(*open));
				}
				open->fixed = fixed;
				open->last_affected = fixed ? NULL : last;
				open = NULL;
			}
		}
		fj_pop(j);
		fj_pop(j);
	}
	return 0;
}

/* How many feed_ranges a record's affected[] may need: at most one per
 * event. */
static size_t count_events(const json_t *affected)
{
	size_t total = 0;
	for (size_t i = 0; i < json_array_size(affected); i++) {
		json_t *ranges = json_object_get(json_array_get(affected, i), "ranges");
		size_t n = json_is_array(ranges) ? json_array_size(ranges) : 1;
		for (size_t r = 0; r < n; r++) {
			json_t *range = json_is_array(ranges) ? json_array_get(ranges, r) : ranges;
			json_t *ev = json_object_get(range, "events");
			total += json_is_array(ev) ? json_array_size(ev) : 0;
		}
	}
	return total;
}

static int osv_strings(struct fj *j, const json_t *arr, const char **out, size_t *n)
{
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (fj_str_at(j, arr, i, &out[(*n)++]) != 0)
			return -1;
	return 0;
}

/* One affected[] entry into f; its ranges go to ranges[*nr...]. */
static int osv_entry(struct fj *j, const json_t *a, struct feed_affected *f,
		     struct feed_range *ranges, size_t *nr, double *cvss, const char **word)
{
	json_t *pkg, *rs, *vs, *sev, *eco, *db;
	if (!json_is_object(a))
		return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, NULL, "not an object");
	if (fj_obj(j, a, "package", &pkg) != 0 || fj_arr(j, a, "versions", &vs) != 0 ||
	    fj_arr(j, a, "severity", &sev) != 0 || fj_obj(j, a, "ecosystem_specific", &eco) != 0 ||
	    fj_obj(j, a, "database_specific", &db) != 0)
		return -1;
	rs = json_object_get(a, "ranges");
	if (json_is_null(rs))
		rs = NULL;
	if (rs && !json_is_array(rs) && !json_is_object(rs))
		return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, "ranges", "expected an array");
	if (json_is_array(rs) && json_array_size(rs) > FEED_MAX_ITEMS)
		return fj_fail(j, E_TOOLARGE, MSG_FEED_LIMIT, "ranges", "%zu items (at most %d)",
			       json_array_size(rs), FEED_MAX_ITEMS);
	memset(f, 0, sizeof(*f));
	if (pkg) {
		fj_push_key(j, "package");
		if (fj_str(j, pkg, "ecosystem", &f->ecosystem) != 0 ||
		    fj_str(j, pkg, "name", &f->package) != 0)
			return -1;
		fj_pop(j);
	}
	f->ranges = ranges + *nr;
	if (rs) {
		size_t before = *nr;
		fj_push_key(j, "ranges");
		if (osv_ranges(j, rs, ranges, nr) != 0)
			return -1;
		fj_pop(j);
		f->nranges = *nr - before;
	}
	if (vs) {
		const char **list = fj_alloc(j, json_array_size(vs), sizeof(*list));
		if (list == NULL)
			return -1;
		fj_push_key(j, "versions");
		if (osv_strings(j, vs, list, &f->nversions) != 0)
			return -1;
		fj_pop(j);
		f->versions = list;
	}
	if (sev) {
		fj_push_key(j, "severity");
		if (osv_scores(j, sev, cvss, word) != 0)
			return -1;
		fj_pop(j);
	}
	if (*word == NULL)
		*word = severity_in(eco) ? severity_in(eco) : severity_in(db);
	return 0;
}

static int osv_affected(struct fj *j, const json_t *affected, struct feed_vuln *v,
			double *cvss, const char **word)
{
	size_t na = json_array_size(affected);
	struct feed_affected *aff = fj_alloc(j, na, sizeof(*aff));
	struct feed_range *ranges = aff ? fj_alloc(j, count_events(affected), sizeof(*ranges)) : NULL;
	size_t nr = 0;
	if (ranges == NULL)
		return -1;
	v->affected = aff;
	v->naffected = 0;
	fj_push_key(j, "affected");
	for (size_t i = 0; i < na; i++) {
		struct feed_affected *f = &aff[v->naffected];
		fj_push_idx(j, i);
		if (osv_entry(j, json_array_get(affected, i), f, ranges, &nr, cvss, word) != 0)
			return -1;
		fj_pop(j);
		if (f->package == NULL || f->ecosystem == NULL)
			continue;             /* a GIT-only entry names a repository */
		if (f->nranges == 0 && f->nversions == 0)
			continue;             /* nothing to compare a version with */
		v->naffected++;
	}
	fj_pop(j);
	return 0;
}

/* Fills v from the OSV object rec (lent, as are its strings). */
static int osv_record(struct fj *j, json_t *rec, struct feed_vuln *v)
{
	json_t *aliases, *upstream, *sev, *affected, *db;
	const char *withdrawn, *details;
	double score = -1, aff_score = -1;
	const char *word = NULL, *aff_word = NULL;

	memset(v, 0, sizeof(*v));
	v->cvss = -1;
	if (!json_is_object(rec))
		return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, NULL,
			       "expected an OSV record (an object)");
	if (fj_str(j, rec, "id", &v->id) != 0)
		return -1;
	if (v->id == NULL || v->id[0] == '\0') {
		if (json_object_get(rec, "vulnerabilities") || json_object_get(rec, "resultsPerPage"))
			return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, "id",
				       "missing: this is NVD or CISA KEV JSON, not OSV (import it as nvd or kev)");
		return fj_fail(j, E_INVALID, MSG_FEED_SCHEMA, "id", "missing: not an OSV record");
	}
	j->rec = v->id;
	if (fj_arr(j, rec, "aliases", &aliases) != 0 || fj_arr(j, rec, "upstream", &upstream) != 0 ||
	    fj_str(j, rec, "summary", &v->summary) != 0 || fj_str(j, rec, "withdrawn", &withdrawn) != 0 ||
	    fj_time(j, rec, "published", &v->published) != 0 ||
	    fj_time(j, rec, "modified", &v->modified) != 0 || fj_arr(j, rec, "severity", &sev) != 0 ||
	    fj_arr(j, rec, "affected", &affected) != 0 || fj_obj(j, rec, "database_specific", &db) != 0)
		return -1;
	if (v->summary == NULL || v->summary[0] == '\0') {
		if (fj_str(j, rec, "details", &details) != 0)
			return -1;
		v->summary = details;
	}
	v->withdrawn = withdrawn != NULL;

	size_t nal = json_array_size(aliases) + json_array_size(upstream);
	const char **al = fj_alloc(j, nal, sizeof(*al));
	if (al == NULL)
		return -1;
	fj_push_key(j, "aliases");
	if (osv_strings(j, aliases, al, &v->naliases) != 0)
		return -1;
	fj_pop(j);
	fj_push_key(j, "upstream");
	if (osv_strings(j, upstream, al, &v->naliases) != 0)
		return -1;
	fj_pop(j);
	v->aliases = al;

	if (sev) {
		fj_push_key(j, "severity");
		if (osv_scores(j, sev, &score, &word) != 0)
			return -1;
		fj_pop(j);
	}
	if (affected && osv_affected(j, affected, v, &aff_score, &aff_word) != 0)
		return -1;
	v->cvss = score >= 0 ? score : aff_score;
	v->severity = severity_in(db);
	if (v->severity == NULL)
		v->severity = word ? word : aff_word;
	if (v->severity == NULL)
		v->severity = feed_severity_of(v->cvss);
	return 0;
}

/* ---- the file ---- */

static int osv_one(struct osv_run *r, json_t *rec, size_t index, int in_array)
{
	struct fj j = { .name = r->name, .e = r->e, .a = r->a };
	struct feed_vuln v;
	if (r->lines)
		snprintf(j.where, sizeof(j.where), "line %zu", r->line);
	if (in_array)
		fj_push_idx(&j, index);
	int rc = osv_record(&j, rec, &v);
	if (rc == 0 && r->sink)
		rc = r->sink(r->arg, &v, r->e);
	if (rc == 0)
		r->count++;
	arena_reset(r->a);
	return rc;
}

/* One top-level value: a record, an array of records, or {"vulns": [...]}. */
static int osv_value(struct osv_run *r, json_t *val)
{
	json_t *list = val;
	if (json_is_object(val) && json_object_get(val, "id") == NULL &&
	    json_is_array(json_object_get(val, "vulns")))
		list = json_object_get(val, "vulns");
	if (!json_is_array(list))
		return osv_one(r, val, 0, 0);
	for (size_t i = 0; i < json_array_size(list); i++)
		if (osv_one(r, json_array_get(list, i), i, 1) != 0)
			return -1;
	return 0;
}

static size_t skip_space(const char *d, size_t n, size_t i, size_t *line)
{
	while (i < n && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n')) {
		if (d[i] == '\n')
			(*line)++;
		i++;
	}
	return i;
}

/* Decodes the values of data one after the other and runs them; *single
 * keeps the value when it is the only one (for the second pass). */
static int osv_pass(struct osv_run *r, const char *data, size_t n, json_t **single)
{
	size_t line = 1, values = 0;
	/* A UTF-8 byte order mark, as Windows tools write, is not JSON. */
	size_t off = n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	off = skip_space(data, n, off, &line);
	if (off == n)
		return feed_fail(r->e, E_MALFORMED, MSG_FEED_SYNTAX, r->name,
				 "line %zu: empty, no JSON value", line);
	while (off < n) {
		json_error_t je;
		json_t *val = json_loadb(data + off, n - off, JSON_DISABLE_EOF_CHECK, &je);
		if (val == NULL)
			return fj_syntax(r->name, data, off, &je, r->e);
		size_t used = (size_t)je.position;
		if (used == 0 || used > n - off) {
			json_decref(val);
			return feed_fail(r->e, E_INTERNAL, MSG_FEED_SYNTAX, r->name,
					 "byte %zu: decoder position lost", off);
		}
		size_t next_line = line;
		for (size_t i = off; i < off + used; i++)
			if (data[i] == '\n')
				next_line++;
		size_t next = skip_space(data, n, off + used, &next_line);
		values++;
		r->lines = values > 1 || next < n;
		r->line = line;
		int rc = osv_value(r, val);
		if (rc == 0 && single && values == 1 && next == n) {
			*single = val;
			return 0;
		}
		json_decref(val);
		if (rc != 0)
			return -1;
		off = next;
		line = next_line;
	}
	return 0;
}

long feed_parse_osv(const char *name, const char *data, size_t n, feed_sink sink, void *arg,
		    struct err *e)
{
	struct osv_run r = { .name = name, .e = e };
	json_t *single = NULL;
	long rc = -1;

	if (data == NULL && n > 0)
		return feed_fail(e, E_INVALID, MSG_FEED_SYNTAX, name, "no data");
	r.a = arena_new(FEED_SCRATCH_MAX);
	if (r.a == NULL)
		return feed_nomem(e, name);
	/* Pass 1 checks every record; pass 2 hands them over. */
	if (osv_pass(&r, data ? data : "", n, &single) != 0)
		goto out;
	if (sink)
		r.count = 0;
	r.sink = sink;
	r.arg = arg;
	if (sink && single) {
		if (osv_value(&r, single) != 0)
			goto out;
	} else if (sink && osv_pass(&r, data, n, NULL) != 0) {
		goto out;
	}
	rc = r.count;
out:
	json_decref(single);
	arena_free(r.a);
	return rc;
}
