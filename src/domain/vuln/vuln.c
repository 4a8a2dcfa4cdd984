/*
 * vuln.c - feeds into the database, the matcher, findings and scanner
 * imports.
 *
 * The matcher loads the affected-version table once into memory, indexed by
 * package name, then walks every host's packages: a lookup per package
 * (by dpkg source name too, which is what Debian's advisories name), a
 * version comparison by the ecosystem's own rules (vercmp.h) per candidate.
 * Findings are then reconciled per host: new ones open, seen ones updated,
 * missing ones closed as fixed. Hosts go in batches (MATCH_BATCH), each
 * read with a query per table and written in a transaction of its own; on
 * PostgreSQL a second connection reads the next batches while the first
 * writes (match_ahead).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vuln.h"
#include "../page.h"
#include "../../base/buf.h"
#include "../asset/asset.h"
#include "../directory/audit.h"
#include "feed_int.h"
#include "../directory/org.h"
#include "../directory/policy.h"
#include "vercmp.h"
#include "../asset/inventory.h"
#include "../../base/arena.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

#define DAY_MS (86400LL * 1000)
/* Memory for the matcher's in-memory feed index: 100,000 advisories with
 * several affected ranges each fit in well under this. */
#define MATCH_ARENA (768LL * 1024 * 1024)

const char *severity_of(double cvss)
{
	if (cvss < 0)
		return NULL;
	if (cvss >= 9.0)
		return "critical";
	if (cvss >= 7.0)
		return "high";
	if (cvss >= 4.0)
		return "medium";
	return "low";
}

/* regulation.md §2 T14 has no national deadline: the policy default is
 * 7 days for known-exploited and critical, 30 high, 90 medium, 180 low. */
int64_t finding_due(int64_t first_seen, const char *severity, int kev)
{
	int days = 90;
	if (kev || (severity && strcmp(severity, "critical") == 0))
		days = 7;
	else if (severity && strcmp(severity, "high") == 0)
		days = 30;
	else if (severity && strcmp(severity, "low") == 0)
		days = 180;
	return first_seen + days * DAY_MS;
}

/* ---- import ---- */

struct import_ctx {
	struct ctx *c;
	const char *source;
	struct vuln_stats *st;
};

static char *json_list(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	char *s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static int import_one(void *arg, const struct feed_vuln *v, struct err *e)
{
	struct import_ctx *x = arg;
	struct ctx *c = x->c;
	int64_t now = time_now_ms();
	char *aliases = json_list(v->aliases, v->naliases);
	const char *sev = v->severity ? v->severity : severity_of(v->cvss);
	int exists = 0;
	struct stmt *q = store_query(c->db, e, "SELECT 1 FROM vulns WHERE id = $1", "t", v->id);
	if (q == NULL)
		goto fail;
	exists = stmt_step(q, e);
	stmt_done(q);
	if (exists < 0)
		goto fail;
	x->st->records++;
	if (exists)
		x->st->updated++;
	else
		x->st->created++;
	if (v->withdrawn)
		x->st->withdrawn++;
	if (strcmp(x->source, "kev") == 0) {
		/* KEV adds the flag to what the other feeds describe. */
		if (store_run(c->db, e, "INSERT INTO vulns (id, summary, kev, kev_due, kev_action, "
			      "sources, updated_at) VALUES ($1, $2, 1, NULLIF($3, 0), $4, 'kev', $5) "
			      "ON CONFLICT (id) DO UPDATE SET kev = 1, kev_due = excluded.kev_due, "
			      "kev_action = excluded.kev_action, updated_at = excluded.updated_at",
			      "ttiti", v->id, v->summary ? v->summary : "", v->kev_due,
			      v->kev_action ? v->kev_action : "", now) < 0)
			goto fail;
		free(aliases);
		return 0;
	}
	/* cvss stored as REAL through its text form: the store binds text/ints. */
	char cvss[16];
	snprintf(cvss, sizeof(cvss), "%.1f", v->cvss);
	if (store_run(c->db, e, "INSERT INTO vulns (id, aliases, summary, cvss, severity, published, "
		      "modified, withdrawn, kev, kev_due, sources, updated_at) VALUES ($1, $2, $3, "
		      "CASE WHEN CAST($4 AS REAL) < 0 THEN NULL ELSE CAST($4 AS REAL) END, $5, "
		      "NULLIF($6, 0), NULLIF($7, 0), $8, $9, NULLIF($10, 0), $11, $12) "
		      "ON CONFLICT (id) DO UPDATE SET aliases = excluded.aliases, summary = "
		      "excluded.summary, cvss = COALESCE(excluded.cvss, vulns.cvss), severity = "
		      "COALESCE(excluded.severity, vulns.severity), published = excluded.published, "
		      "modified = excluded.modified, withdrawn = excluded.withdrawn, kev = "
		      "MAX(vulns.kev, excluded.kev), kev_due = COALESCE(vulns.kev_due, excluded.kev_due), "
		      "sources = CASE WHEN instr(vulns.sources, excluded.sources) > 0 THEN vulns.sources "
		      "ELSE vulns.sources || ',' || excluded.sources END, updated_at = excluded.updated_at",
		      "tttttiiiiit" "i", v->id, aliases ? aliases : "[]", v->summary ? v->summary : "",
		      cvss, sev, v->published, v->modified, (int64_t)v->withdrawn, (int64_t)v->kev,
		      v->kev_due, x->source, now) < 0 ||
	    store_run(c->db, e, "DELETE FROM vuln_affected WHERE vuln_id = $1 AND source = $2",
		      "tt", v->id, x->source) < 0)
		goto fail;
	for (size_t i = 0; i < v->naffected; i++) {
		const struct feed_affected *a = &v->affected[i];
		char *versions = json_list(a->versions, a->nversions);
		int rc = 0;
		static const struct feed_range none = { 0 };
		size_t nr = a->nranges ? a->nranges : 1;
		for (size_t k = 0; k < nr && rc >= 0; k++) {
			const struct feed_range *r = a->nranges ? &a->ranges[k] : &none;
			/* A package listed with neither ranges nor versions is affected
			 * in every version: keep it as introduced "0". */
			const char *intro = r->introduced;
			if (!a->nranges && !a->nversions)
				intro = "0";
			rc = store_run(c->db, e, "INSERT INTO vuln_affected (vuln_id, source, ecosystem, "
				       "package, introduced, fixed, last_affected, start_incl, start_excl, "
				       "end_incl, end_excl, versions) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,"
				       "$10,$11,$12)", "tttttttttt" "tt", v->id, x->source,
				       a->ecosystem ? a->ecosystem : "", a->package ? a->package : "",
				       intro, r->fixed, r->last_affected, r->start_including,
				       r->start_excluding, r->end_including, r->end_excluding,
				       k == 0 && versions ? versions : "[]");
		}
		free(versions);
		if (rc < 0)
			goto fail;
	}
	free(aliases);
	return 0;
fail:
	free(aliases);
	return -1;
}

int vuln_import(struct ctx *c, const char *kind, const char *name, const char *data,
		size_t n, struct vuln_stats *st, struct err *e)
{
	long (*parse)(const char *, const char *, size_t, feed_sink, void *, struct err *);
	if (strcmp(kind, "osv") == 0)
		parse = feed_parse_osv;
	else if (strcmp(kind, "nvd") == 0)
		parse = feed_parse_nvd;
	else if (strcmp(kind, "kev") == 0)
		parse = feed_parse_kev;
	else
		return err_set(e, E_INVALID, MSG_BAD_VALUE, kind);
	/* Every organisation's findings are matched against the feeds: they
	 * are the instance's, changed only from its home organisation. */
	struct org home;
	if (org_home(c, &home, e) != 0)
		return -1;
	struct policy_target t = { .org_path = home.path };
	if (policy_check(c->actor, ACT_FEED_IMPORT, &t, e) != 0 || store_begin(c->db, e) != 0)
		return -1;
	struct import_ctx x = { c, kind, st };
	char what[300];
	snprintf(what, sizeof(what), "%s %s", kind, name);
	if (parse(name, data, n, import_one, &x, e) < 0 ||
	    audit_append(c, "feed.import", "feed", what, NULL, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		return -1;
	}
	return 0;
}

/* ---- the matcher ---- */

struct aff {
	const char *vuln, *package;
	int eco;                 /* ECO_*, or -1 for a CPE criteria */
	int release;             /* Debian release of "Debian:12", 0 any */
	const char *introduced, *fixed, *last_affected, *si, *se, *ei, *ee;
	const char **versions;
	size_t nversions;
	struct aff *next;        /* CPE criteria list */
};

/* A package name's entries, contiguous in index.affs (sorted by name):
 * one probe per installed package, then a sequential walk. */
struct pkgslot {
	const char *name;
	unsigned hash;
	unsigned start, count;
};

struct vmeta {
	const char *id;
	double cvss;
	const char *severity;
	const char *aliases;     /* JSON text, NULL when none */
	int kev, withdrawn;
	struct vmeta *next;
};

#define BUCKETS (1u << 18)

struct index {
	struct arena *a;
	struct aff *affs;        /* package entries, sorted by package name */
	size_t naffs, cap;
	struct pkgslot *slots;   /* open addressing over the distinct names */
	size_t nslots;           /* a power of two */
	struct aff *cpes;        /* CPE criteria, matched against services */
	struct vmeta **by_id;
	const char **strs;       /* the range bounds, each text once (intern) */
	size_t nstrs, nstr_slots;
};

static unsigned hash_full(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static unsigned hash(const char *s)
{
	return hash_full(s) & (BUCKETS - 1);
}

static int aff_cmp(const void *a, const void *b)
{
	return strcmp(((const struct aff *)a)->package, ((const struct aff *)b)->package);
}

/* Sorts the entries and builds the name table; -1 when out of memory. */
static int index_slots(struct index *x)
{
	if (x->naffs > 1) /* affs is NULL when no feed is loaded yet */
		qsort(x->affs, x->naffs, sizeof(*x->affs), aff_cmp);
	x->nslots = 1024;
	while (x->nslots < 2 * x->naffs)
		x->nslots *= 2;
	x->slots = calloc(x->nslots, sizeof(*x->slots));
	if (x->slots == NULL)
		return -1;
	for (size_t i = 0; i < x->naffs;) {
		size_t j = i + 1;
		while (j < x->naffs && strcmp(x->affs[j].package, x->affs[i].package) == 0)
			j++;
		unsigned h = hash_full(x->affs[i].package);
		size_t k = h & (x->nslots - 1);
		while (x->slots[k].name)
			k = (k + 1) & (x->nslots - 1);
		x->slots[k] = (struct pkgslot){ x->affs[i].package, h, (unsigned)i, (unsigned)(j - i) };
		i = j;
	}
	return 0;
}

static const struct pkgslot *index_find(const struct index *x, const char *name)
{
	if (x->nslots == 0)
		return NULL;
	unsigned h = hash_full(name);
	for (size_t k = h & (x->nslots - 1); x->slots[k].name; k = (k + 1) & (x->nslots - 1))
		if (x->slots[k].hash == h && strcmp(x->slots[k].name, name) == 0)
			return &x->slots[k];
	return NULL;
}

static const char *dup(struct arena *a, struct stmt *st, int col)
{
	const char *s = stmt_text(st, col);
	return s ? arena_strdup(a, s) : NULL;
}

static int release_of(const char *eco)
{
	const char *colon = strchr(eco, ':');
	if (colon == NULL || strncmp(eco, "Debian", 6) != 0)
		return 0;
	return atoi(colon + 1);
}

static void index_free(struct index *x)
{
	arena_free(x->a);
	free(x->affs);
	free(x->slots);
	free(x->by_id);
	free(x->strs);
}

/* Column col's text, the same pointer for the same text (NULL for NULL):
 * equal ranges are then told by their pointers (match_host). NULL with
 * *oom set when out of memory. */
static const char *intern(struct index *x, struct stmt *st, int col, int *oom)
{
	const char *s = stmt_text(st, col);
	if (s == NULL)
		return NULL;
	if (2 * (x->nstrs + 1) > x->nstr_slots) {
		size_t n = x->nstr_slots ? x->nstr_slots * 2 : 4096;
		const char **t = calloc(n, sizeof(*t));
		if (t == NULL) {
			*oom = 1;
			return NULL;
		}
		for (size_t i = 0; i < x->nstr_slots; i++)
			if (x->strs[i]) {
				size_t k = hash_full(x->strs[i]) & (n - 1);
				while (t[k])
					k = (k + 1) & (n - 1);
				t[k] = x->strs[i];
			}
		free(x->strs);
		x->strs = t;
		x->nstr_slots = n;
	}
	size_t k = hash_full(s) & (x->nstr_slots - 1);
	for (; x->strs[k]; k = (k + 1) & (x->nstr_slots - 1))
		if (strcmp(x->strs[k], s) == 0)
			return x->strs[k];
	char *d = arena_strdup(x->a, s);
	if (d == NULL) {
		*oom = 1;
		return NULL;
	}
	x->nstrs++;
	return x->strs[k] = d;
}

static const struct vmeta *meta_of(const struct index *x, const char *id)
{
	for (struct vmeta *m = x->by_id[hash(id)]; m; m = m->next)
		if (strcmp(m->id, id) == 0)
			return m;
	return NULL;
}

static int index_load(struct ctx *c, struct index *x, struct err *e)
{
	memset(x, 0, sizeof(*x));
	x->a = arena_new(MATCH_ARENA);
	x->by_id = calloc(BUCKETS, sizeof(*x->by_id));
	if (x->a == NULL || x->by_id == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	struct stmt *st = store_query(c->db, e, "SELECT id, cvss, severity, kev, withdrawn, aliases "
				      "FROM vulns", "");
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = stmt_step(st, e)) == 1) {
		struct vmeta *m = arena_alloc(x->a, sizeof(*m));
		if (m == NULL) {
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			break;
		}
		m->id = dup(x->a, st, 0);
		m->cvss = stmt_isnull(st, 1) ? -1 : atof(stmt_text(st, 1));
		m->severity = dup(x->a, st, 2);
		m->kev = (int)stmt_int(st, 3);
		m->withdrawn = (int)stmt_int(st, 4);
		const char *al = stmt_text(st, 5);
		m->aliases = al && strcmp(al, "[]") != 0 ? arena_strdup(x->a, al) : NULL;
		unsigned h = hash(m->id);
		m->next = x->by_id[h];
		x->by_id[h] = m;
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	/* An advisory known by its CVE alias in KEV is known-exploited too:
	 * one pass over the advisories that have aliases, a hash lookup each. */
	for (unsigned b = 0; b < BUCKETS; b++) {
		for (struct vmeta *m = x->by_id[b]; m; m = m->next) {
			if (m->kev || m->aliases == NULL)
				continue;
			json_t *arr = json_loads(m->aliases, 0, NULL);
			size_t i;
			json_t *v;
			json_array_foreach(arr, i, v) {
				const struct vmeta *k = json_is_string(v) ? meta_of(x, json_string_value(v)) : NULL;
				if (k && k->kev)
					m->kev = 1;
			}
			json_decref(arr);
		}
	}
	/* Withdrawn advisories are skipped here, from the metadata in memory. */
	st = store_query(c->db, e, "SELECT vuln_id, ecosystem, package, introduced, fixed, "
			 "last_affected, start_incl, start_excl, end_incl, end_excl, versions "
			 "FROM vuln_affected", "");
	if (st == NULL)
		return -1;
	while ((rc = stmt_step(st, e)) == 1) {
		const char *eco = stmt_text(st, 1);
		const struct vmeta *vm = meta_of(x, stmt_text(st, 0));
		if (vm == NULL || vm->withdrawn)
			continue;
		struct aff *f;
		if (strcmp(eco, "cpe") == 0) {
			f = arena_alloc(x->a, sizeof(*f));
		} else {
			if (x->naffs == x->cap) {
				size_t cap = x->cap ? x->cap * 2 : 4096;
				struct aff *p = realloc(x->affs, cap * sizeof(*p));
				if (p == NULL) {
					rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
					break;
				}
				x->affs = p;
				x->cap = cap;
			}
			f = &x->affs[x->naffs++];
		}
		if (f == NULL) {
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			break;
		}
		memset(f, 0, sizeof(*f));
		f->vuln = dup(x->a, st, 0);
		f->package = dup(x->a, st, 2);
		f->eco = strcmp(eco, "cpe") == 0 ? -1 : ecosystem_from(eco);
		f->release = release_of(eco);
		int oom = 0;
		f->introduced = intern(x, st, 3, &oom);
		f->fixed = intern(x, st, 4, &oom);
		f->last_affected = intern(x, st, 5, &oom);
		f->si = intern(x, st, 6, &oom);
		f->se = intern(x, st, 7, &oom);
		f->ei = intern(x, st, 8, &oom);
		f->ee = intern(x, st, 9, &oom);
		if (oom) {
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			break;
		}
		const char *vs = stmt_text(st, 10);
		if (vs && strcmp(vs, "[]") != 0) {
			json_t *arr = json_loads(vs, 0, NULL);
			f->nversions = json_array_size(arr);
			f->versions = arena_alloc(x->a, (f->nversions + 1) * sizeof(char *));
			for (size_t i = 0; f->versions && i < f->nversions; i++)
				f->versions[i] = arena_strdup(x->a, json_string_value(json_array_get(arr, i)));
			json_decref(arr);
		}
		if (f->eco < 0) {
			f->next = x->cpes;
			x->cpes = f;
		}
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	return index_slots(x) == 0 ? 0 : err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
}


/* Whether version v (of ecosystem eco) lies in f's range. */
static int affected(const struct aff *f, int eco, const char *v)
{
	for (size_t i = 0; i < f->nversions; i++)
		if (f->versions[i] && strcmp(f->versions[i], v) == 0)
			return 1;
	int any = f->introduced || f->fixed || f->last_affected || f->si || f->se || f->ei || f->ee;
	if (!any)
		return 0;
	if (f->introduced && strcmp(f->introduced, "0") != 0 && vercmp(eco, v, f->introduced) < 0)
		return 0;
	if (f->fixed && vercmp(eco, v, f->fixed) >= 0)
		return 0;
	if (f->last_affected && vercmp(eco, v, f->last_affected) > 0)
		return 0;
	if (f->si && vercmp(eco, v, f->si) < 0)
		return 0;
	if (f->se && vercmp(eco, v, f->se) <= 0)
		return 0;
	if (f->ei && vercmp(eco, v, f->ei) > 0)
		return 0;
	if (f->ee && vercmp(eco, v, f->ee) >= 0)
		return 0;
	return 1;
}

struct hit {
	const char *vuln, *package, *installed, *fixed;
	const char *severity;    /* when no feed describes vuln (scanner results) */
	double cvss;
};

struct hits {
	struct hit *v;
	size_t n, cap;
};

/* Appends; duplicates are removed once at the end (hits_unique). */
static int hit_add(struct hits *h, const char *vuln, const char *pkg, const char *inst,
		   const char *fixed)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		struct hit *p = realloc(h->v, cap * sizeof(*p));
		if (p == NULL)
			return -1;
		h->v = p;
		h->cap = cap;
	}
	h->v[h->n++] = (struct hit){ vuln, pkg, inst, fixed, NULL, -1 };
	return 0;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	int c = strcmp(x->vuln, y->vuln);
	return c ? c : strcmp(x->package, y->package);
}

/* Sorts and drops repeated (vuln, package) pairs: one finding each. */
static void hits_unique(struct hits *h)
{
	size_t k = 0;
	if (h->n < 2)
		return;
	if (h->n > 1) /* qsort(NULL, 0) is undefined */
		qsort(h->v, h->n, sizeof(*h->v), hit_cmp);
	for (size_t i = 1; i < h->n; i++)
		if (hit_cmp(&h->v[k], &h->v[i]) != 0)
			h->v[++k] = h->v[i];
	h->n = k + 1;
}

struct host_pkg {
	const char *eco, *name, *version, *source;
};

/* One of a host's findings as stored, for the merge below. */
struct existing {
	const char *id, *vuln, *package, *installed, *fixed, *status;
	int kev;
	int64_t accepted_until;
};

/* Everything the matcher needs about one host of a batch, copied out of
 * the database (the strings in the batch's arena). */
struct host_inv {
	const char *id;
	char os_id[32], os_version[32];
	struct host_pkg *pkgs;
	size_t n, cap;
	const char **cpes, **cpe_versions;
	size_t ncpes, capc;
	struct existing *ex;
	size_t nex, capx;
};

static void inv_release(struct host_inv *h)
{
	free(h->pkgs);
	free(h->cpes);
	free(h->cpe_versions);
	free(h->ex);
	memset(h, 0, sizeof(*h));
}

/* Grows *v (elements of size sz) to hold one more; -1 when out of memory. */
static int grow(void *v, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 16;
	void *p = realloc(*(void **)v, c * sz);
	if (p == NULL)
		return -1;
	*(void **)v = p;
	*cap = c;
	return 0;
}

static const char *adup(struct arena *a, const char *s)
{
	return arena_strdup(a, s ? s : "");
}

static int existing_cmp(const void *a, const void *b)
{
	const struct existing *x = a, *y = b;
	int c = strcmp(x->vuln, y->vuln);
	return c ? c : strcmp(x->package, y->package);
}

/* Appends the finding the row of st is on (columns id, vuln_id, package,
 * installed_version, fixed_version, status, kev, accepted_until from col). */
static int existing_add(struct arena *a, struct stmt *st, int col, struct existing **v,
			size_t *n, size_t *cap)
{
	if (grow(v, cap, *n, sizeof(**v)) != 0)
		return -1;
	struct existing *x = &(*v)[*n];
	x->id = adup(a, stmt_text(st, col));
	x->vuln = adup(a, stmt_text(st, col + 1));
	x->package = adup(a, stmt_text(st, col + 2));
	x->installed = adup(a, stmt_text(st, col + 3));
	x->fixed = adup(a, stmt_text(st, col + 4));
	x->status = adup(a, stmt_text(st, col + 5));
	x->kev = (int)stmt_int(st, col + 6);
	x->accepted_until = stmt_int(st, col + 7);
	if (!x->id || !x->vuln || !x->package || !x->installed || !x->fixed || !x->status)
		return -1;
	(*n)++;
	return 0;
}

/* A host's findings of one origin, ordered like the hits (strcmp order:
 * sorted here, a database's collation may order text otherwise). */
static int existing_load(struct ctx *c, struct arena *a, const char *host_id, const char *origin,
			 struct existing **v, size_t *n, struct err *e)
{
	size_t cap = 0;
	*v = NULL;
	*n = 0;
	struct stmt *st = store_query(c->db, e, "SELECT id, vuln_id, package, installed_version, "
		"fixed_version, status, kev, COALESCE(accepted_until, 0) FROM findings WHERE "
		"host_id = $1 AND origin = $2", "tt", host_id, origin);
	if (st == NULL)
		return -1;
	int rc;
	while ((rc = stmt_step(st, e)) == 1)
		if (existing_add(a, st, 0, v, n, &cap) != 0) {
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			break;
		}
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (*n > 1)
		qsort(*v, *n, sizeof(**v), existing_cmp);
	return 0;
}

#define RANGE_MEMO 8

/* The same range (bounds interned: compared by pointer), no version list. */
static int same_range(const struct aff *a, const struct aff *b)
{
	return a->introduced == b->introduced && a->fixed == b->fixed &&
	       a->last_affected == b->last_affected && a->si == b->si && a->se == b->se &&
	       a->ei == b->ei && a->ee == b->ee && a->nversions == 0 && b->nversions == 0;
}

static void match_host(const struct index *x, const struct host_inv *h, struct hits *out)
{
	int debian_release = strcmp(h->os_id, "debian") == 0 ? atoi(h->os_version) : 0;
	const char *last_eco = NULL;
	int eco = ECO_UNKNOWN;
	for (size_t i = 0; i < h->n; i++) {
		const struct host_pkg *p = &h->pkgs[i];
		if (last_eco == NULL || (p->eco != last_eco && strcmp(p->eco, last_eco) != 0)) {
			eco = ecosystem_from(p->eco);
			last_eco = p->eco;
		}
		if (eco == ECO_UNKNOWN)
			continue;
		const char *keys[2] = { p->name, p->source[0] && strcmp(p->source, p->name) ? p->source : NULL };
		for (int k = 0; k < 2 && keys[k]; k++) {
			const struct pkgslot *slot = index_find(x, keys[k]);
			/* A package's advisories often share a range (one fix for many
			 * CVEs): the answers for the last few ranges are kept. */
			struct { const struct aff *f; int yes; } memo[RANGE_MEMO];
			int nmemo = 0, next = 0;
			for (unsigned j = 0; slot && j < slot->count; j++) {
				const struct aff *f = &x->affs[slot->start + j];
				if (f->eco != eco)
					continue;
				if (f->release && debian_release && f->release != debian_release)
					continue;
				int yes = -1;
				for (int m = 0; f->nversions == 0 && m < nmemo && yes < 0; m++)
					if (same_range(memo[m].f, f))
						yes = memo[m].yes;
				if (yes < 0) {
					yes = affected(f, eco, p->version);
					if (f->nversions == 0) {
						memo[next].f = f;
						memo[next].yes = yes;
						next = (next + 1) % RANGE_MEMO;
						if (nmemo < RANGE_MEMO)
							nmemo++;
					}
				}
				if (yes)
					hit_add(out, f->vuln, p->name, p->version,
						f->fixed ? f->fixed : "");
			}
		}
	}
	for (size_t i = 0; i < h->ncpes; i++) {
		const char *v = h->cpe_versions[i];
		for (const struct aff *f = x->cpes; f; f = f->next) {
			if (!cpe_match(f->package, h->cpes[i]))
				continue;
			/* An exact-version criteria matched as it stands; a range needs the
			 * service's version inside it. */
			int ranged = f->si || f->se || f->ei || f->ee;
			if (!ranged || (v[0] && affected(f, ECO_GENERIC, v)))
				hit_add(out, f->vuln, h->cpes[i], v, f->ee ? f->ee : "");
		}
	}
}

/*
 * The writes of a batch's reconciliation, gathered to be sent together
 * (PostgreSQL: a statement per kind for the whole batch, JSON arrays as
 * the parameters, instead of a round trip per finding). NULL in reconcile:
 * each write at once (SQLite, in-process, where that is cheapest).
 */
struct writes {
	json_t *close;      /* ids */
	json_t *change;     /* [{id, installed, fixed, kev, severity, reopen}] */
	json_t *add;        /* [{id, host_id, vuln_id, package, ...}] */
	json_t *kev;        /* ids of findings newly known-exploited */
	json_t *hosts;      /* ids whose open findings were seen now */
	char *text[4];      /* close, change, add, hosts as JSON text (writes_dump) */
};

static void writes_free(struct writes *w)
{
	json_decref(w->close);
	json_decref(w->change);
	json_decref(w->add);
	json_decref(w->kev);
	json_decref(w->hosts);
	for (int i = 0; i < 4; i++)
		free(w->text[i]);
	memset(w, 0, sizeof(*w));
}

/* The arrays as the texts the statements take, made where the batch was
 * reconciled (the reading side) rather than under the writers' lock. */
static int writes_dump(struct writes *w)
{
	json_t *v[4] = { w->close, w->change, w->add, w->hosts };
	for (int i = 0; i < 4; i++)
		if (json_array_size(v[i]) > 0 && w->text[i] == NULL &&
		    (w->text[i] = json_dumps(v[i], JSON_COMPACT)) == NULL)
			return -1;
	return 0;
}

static int writes_init(struct writes *w)
{
	w->close = json_array();
	w->change = json_array();
	w->add = json_array();
	w->kev = json_array();
	w->hosts = json_array();
	return w->close && w->change && w->add && w->kev && w->hosts ? 0 : -1;
}

/* Runs sql with text (an array's JSON, NULL: empty, nothing to run) as
 * $1, and now as $2 when has_now. */
static int run_json(struct ctx *c, const char *sql, const char *text, int has_now, int64_t now,
		    struct err *e)
{
	if (text == NULL)
		return 0;
	int rc = has_now ? store_run(c->db, e, sql, "ti", text, now)
			 : store_run(c->db, e, sql, "t", text);
	return rc < 0 ? -1 : 0;
}

/* The batch's writes, in the order reconcile would have made them per
 * finding (closes, changes and inserts touch different rows; the hooks and
 * the last_seen update come after them). */
static int writes_flush(struct ctx *c, struct writes *w, int64_t now, struct err *e)
{
	if (writes_dump(w) != 0)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (run_json(c, "UPDATE findings SET status = 'fixed', fixed_at = $2, version = version + 1 "
		     "WHERE id IN (SELECT json_array_elements_text(CAST($1 AS json)))",
		     w->text[0], 1, now, e) != 0 ||
	    run_json(c, "UPDATE findings AS f SET installed_version = x.installed, fixed_version = "
		     "x.fixed, kev = x.kev, severity = x.severity, status = CASE WHEN x.reopen = 1 "
		     "THEN 'open' ELSE f.status END, fixed_at = NULL, version = f.version + 1 FROM "
		     "json_to_recordset(CAST($1 AS json)) AS x(id text, installed text, fixed text, "
		     "kev bigint, severity text, reopen bigint) WHERE f.id = x.id",
		     w->text[1], 0, 0, e) != 0 ||
	    run_json(c, "INSERT INTO findings (id, host_id, vuln_id, package, installed_version, "
		     "fixed_version, cvss, severity, kev, origin, status, due_at, first_seen, "
		     "last_seen) SELECT x.id, x.host_id, x.vuln_id, x.package, x.installed, x.fixed, "
		     "CAST(x.cvss AS double precision), x.severity, x.kev, x.origin, 'open', x.due_at, "
		     "$2, $2 FROM json_to_recordset(CAST($1 AS json)) AS x(id text, host_id text, "
		     "vuln_id text, package text, installed text, fixed text, cvss text, severity "
		     "text, kev bigint, origin text, due_at bigint)", w->text[2], 1, now, e) != 0)
		return -1;
	size_t i;
	json_t *id;
	json_array_foreach(w->kev, i, id)
		if (domain_record_hook(c, "finding.kev", json_string_value(id), NULL, e) != 0)
			return -1;
	return run_json(c, "UPDATE findings SET last_seen = $2 WHERE host_id IN (SELECT "
			"json_array_elements_text(CAST($1 AS json))) AND origin = 'match' AND status "
			"<> 'fixed' AND (last_seen IS NULL OR last_seen <> $2)", w->text[3], 1, now, e);
}

/*
 * Reconciles a host's findings of one origin (ex, sorted like the hits)
 * with the hits (sorted, unique): a merge of two sorted lists. New hits
 * open findings; findings no longer hit close as fixed; a fixed one hit
 * again reopens; unchanged ones cost nothing but the one last_seen update
 * at the end. Inside a transaction; the writes at once, or into w.
 */
static int reconcile(struct ctx *c, const struct index *x, const char *host_id,
		     const char *origin, const struct hits *hits, const struct existing *ex,
		     size_t ne, int64_t now, struct writes *w, struct vuln_stats *st,
		     struct err *e)
{
	char fid[UUID_LEN];
	size_t i = 0, k = 0;
	int rc = 0;
	while (rc == 0 && (i < hits->n || k < ne)) {
		const struct hit *h = i < hits->n ? &hits->v[i] : NULL;
		const struct existing *f = k < ne ? &ex[k] : NULL;
		int cmp = !h ? 1 : !f ? -1 : strcmp(h->vuln, f->vuln);
		if (h && f && cmp == 0)
			cmp = strcmp(h->package, f->package);
		if (cmp > 0) {
			/* Stored but no longer seen: fixed. */
			if (strcmp(f->status, "fixed") != 0) {
				if (w)
					rc = json_array_append_new(w->close, json_string(f->id));
				else
					rc = store_run(c->db, e, "UPDATE findings SET status = 'fixed', "
						       "fixed_at = $1, version = version + 1 WHERE id = $2",
						       "it", now, f->id) < 0 ? -1 : 0;
				st->closed++;
			}
			k++;
			continue;
		}
		const struct vmeta *m = x ? meta_of(x, h->vuln) : NULL;
		double score = m ? m->cvss : h->cvss;
		const char *sev = m && m->severity ? m->severity : severity_of(score);
		if (sev == NULL)
			sev = h->severity;
		int kev = m ? m->kev : 0;
		if (cmp == 0) {
			/* Fixed and seen again, or an accepted risk past its expiry:
			 * open again. */
			int reopen = strcmp(f->status, "fixed") == 0 ||
				     (strcmp(f->status, "accepted") == 0 && f->accepted_until &&
				      f->accepted_until < now);
			if (!(reopen || f->kev != kev || strcmp(f->installed, h->installed) != 0 ||
			      strcmp(f->fixed, h->fixed) != 0))
				;
			else if (w)
				rc = json_array_append_new(w->change, json_pack("{s:s, s:s, s:s, s:I, "
					"s:s?, s:I}", "id", f->id, "installed", h->installed, "fixed",
					h->fixed, "kev", (json_int_t)kev, "severity", sev, "reopen",
					(json_int_t)reopen));
			else
				rc = store_run(c->db, e, "UPDATE findings SET installed_version = $1, "
					       "fixed_version = $2, kev = $3, severity = $4, status = CASE WHEN "
					       "$5 = 1 THEN 'open' ELSE status END, fixed_at = NULL, "
					       "version = version + 1 WHERE id = $6", "ttitit", h->installed,
					       h->fixed, (int64_t)kev, sev, (int64_t)reopen, f->id) < 0 ? -1 : 0;
			/* newly known-exploited: told in this transaction (once per
			 * finding, the notification's key) */
			if (rc == 0 && kev && !f->kev)
				rc = w ? json_array_append_new(w->kev, json_string(f->id))
				       : domain_record_hook(c, "finding.kev", f->id, NULL, e);
			st->kept++;
			i++;
			k++;
			continue;
		}
		char cvss[16];
		snprintf(cvss, sizeof(cvss), "%.1f", score);
		uuid7(fid);
		if (w)
			rc = json_array_append_new(w->add, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, "
				"s:o, s:s?, s:I, s:s, s:I}", "id", fid, "host_id", host_id, "vuln_id",
				h->vuln, "package", h->package, "installed", h->installed, "fixed",
				h->fixed, "cvss", score < 0 ? json_null() : json_string(cvss),
				"severity", sev, "kev", (json_int_t)kev, "origin", origin, "due_at",
				(json_int_t)finding_due(now, sev, kev)));
		else
			rc = store_run(c->db, e, "INSERT INTO findings (id, host_id, vuln_id, package, "
				       "installed_version, fixed_version, cvss, severity, kev, origin, "
				       "status, due_at, first_seen, last_seen) VALUES ($1,$2,$3,$4,$5,$6, "
				       "CASE WHEN CAST($7 AS REAL) < 0 THEN NULL ELSE CAST($7 AS REAL) "
				       "END,$8,$9,$10,'open',$11,$12,$12)", "tttttttti" "tii", fid, host_id,
				       h->vuln, h->package, h->installed, h->fixed, cvss, sev, (int64_t)kev,
				       origin, finding_due(now, sev, kev), now) < 0 ? -1 : 0;
		if (rc == 0 && kev)
			rc = w ? json_array_append_new(w->kev, json_string(fid))
			       : domain_record_hook(c, "finding.kev", fid, NULL, e);
		st->opened++;
		i++;
	}
	if (rc != 0)
		return e->code ? -1 : err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (ne == 0)
		return 0;   /* every finding of this origin was opened just now */
	if (w)
		return json_array_append_new(w->hosts, json_string(host_id)) == 0 ? 0
			: err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	return store_run(c->db, e, "UPDATE findings SET last_seen = $1 WHERE host_id = $2 AND "
			 "origin = $3 AND status <> 'fixed' AND (last_seen IS NULL OR last_seen <> $1)",
			 "itt", now, host_id, origin) < 0 ? -1 : 0;
}

/* A host's findings of one origin against hits (scanner imports). */
static int reconcile_host(struct ctx *c, const char *host_id, const char *origin,
			  const struct hits *hits, struct vuln_stats *st, struct err *e)
{
	struct arena *a = arena_new(MATCH_ARENA);
	struct existing *ex = NULL;
	size_t ne = 0;
	int rc = a ? existing_load(c, a, host_id, origin, &ex, &ne, e)
		   : err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (rc == 0)
		rc = reconcile(c, NULL, host_id, origin, hits, ex, ne, time_now_ms(), NULL, st, e);
	free(ex);
	arena_free(a);
	return rc;
}

/* Hosts per transaction of a rematch: the audit entry that seals a batch's
 * findings (about 100 a host) stays a few megabytes, and the inventories
 * read at once a few hundred thousand rows. */
#define MATCH_BATCH 100
/* Batches read and matched ahead of the one being written (PostgreSQL). */
#define MATCH_AHEAD 2

static int inv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct host_inv *)a)->id, ((const struct host_inv *)b)->id);
}

static struct host_inv *inv_find(struct host_inv *hs, size_t n, const char *id)
{
	struct host_inv key = { .id = id };
	return id ? bsearch(&key, hs, n, sizeof(*hs), inv_cmp) : NULL;
}

/*
 * Reads what the matcher needs of the hosts hs (ids from lo to hi in the
 * database's order, every host between them in the actor's scope or not:
 * rows of others are skipped) and the findings it made for them before,
 * with one query per table for the batch.
 */
static int batch_load(struct ctx *c, struct arena *a, struct host_inv *hs, size_t n,
		      const char *lo, const char *hi, struct err *e)
{
	struct stmt *st;
	struct host_inv *h = NULL;
	int rc = 0;
	st = store_query(c->db, e, "SELECT id, os_id, os_version FROM hosts WHERE id >= $1 AND "
			 "id <= $2", "tt", lo, hi);
	if (st == NULL)
		return -1;
	while ((rc = stmt_step(st, e)) == 1) {
		h = inv_find(hs, n, stmt_text(st, 0));
		if (h == NULL)
			continue;
		snprintf(h->os_id, sizeof(h->os_id), "%s", stmt_text(st, 1) ? stmt_text(st, 1) : "");
		snprintf(h->os_version, sizeof(h->os_version), "%s",
			 stmt_text(st, 2) ? stmt_text(st, 2) : "");
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	st = store_query(c->db, e, "SELECT host_id, ecosystem, name, version, source FROM "
			 "host_packages WHERE host_id >= $1 AND host_id <= $2", "tt", lo, hi);
	if (st == NULL)
		return -1;
	h = NULL;
	const char *eco = NULL, *none = "";
	while ((rc = stmt_step(st, e)) == 1) {
		const char *id = stmt_text(st, 0);
		if (h == NULL || strcmp(h->id, id) != 0)   /* rows come a host at a time */
			h = inv_find(hs, n, id);
		if (h == NULL)
			continue;
		if (grow(&h->pkgs, &h->cap, h->n, sizeof(*h->pkgs)) != 0) {
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			break;
		}
		struct host_pkg *p = &h->pkgs[h->n];
		const char *pe = stmt_text(st, 1), *src = stmt_text(st, 4);
		/* the ecosystem and an empty source are the same in most rows */
		if (eco == NULL || strcmp(eco, pe ? pe : "") != 0)
			eco = adup(a, pe);
		p->eco = eco;
		p->name = adup(a, stmt_text(st, 2));
		p->version = adup(a, stmt_text(st, 3));
		p->source = src == NULL || src[0] == '\0' ? none : adup(a, src);
		if (!p->eco || !p->name || !p->version || !p->source) {
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			break;
		}
		h->n++;
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	st = store_query(c->db, e, "SELECT host_id, cpe, version FROM host_services WHERE "
			 "host_id >= $1 AND host_id <= $2 AND cpe <> ''", "tt", lo, hi);
	if (st == NULL)
		return -1;
	while ((rc = stmt_step(st, e)) == 1) {
		h = inv_find(hs, n, stmt_text(st, 0));
		if (h == NULL)
			continue;
		size_t capv = h->capc;
		if (grow(&h->cpes, &h->capc, h->ncpes, sizeof(char *)) != 0 ||
		    grow(&h->cpe_versions, &capv, h->ncpes, sizeof(char *)) != 0) {
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			break;
		}
		/* A service nmap gave no version of its own has the one of its
		 * CPE, unquoted ("1.5\\+1" is 1.5+1). */
		const char *cpe = stmt_text(st, 1), *ver = stmt_text(st, 2);
		char from_cpe[128];
		if (ver == NULL || ver[0] == '\0')
			ver = cpe23_attr(cpe, 3, from_cpe, sizeof(from_cpe)) == 0 ? from_cpe : "";
		h->cpes[h->ncpes] = adup(a, cpe);
		h->cpe_versions[h->ncpes] = adup(a, ver);
		if (!h->cpes[h->ncpes] || !h->cpe_versions[h->ncpes]) {
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			break;
		}
		h->ncpes++;
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	st = store_query(c->db, e, "SELECT host_id, id, vuln_id, package, installed_version, "
		"fixed_version, status, kev, COALESCE(accepted_until, 0) FROM findings WHERE "
		"host_id >= $1 AND host_id <= $2 AND origin = 'match'", "tt", lo, hi);
	if (st == NULL)
		return -1;
	h = NULL;
	while ((rc = stmt_step(st, e)) == 1) {
		const char *id = stmt_text(st, 0);
		if (h == NULL || strcmp(h->id, id) != 0)
			h = inv_find(hs, n, id);
		if (h && existing_add(a, st, 1, &h->ex, &h->nex, &h->capx) != 0) {
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			break;
		}
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (hs[i].nex > 1)
			qsort(hs[i].ex, hs[i].nex, sizeof(*hs[i].ex), existing_cmp);
	return 0;
}

/* A batch of hosts (ids in the database's order) on its way: read and
 * matched, reconciled, then written in one transaction. */
struct batch {
	struct arena *a;
	struct host_inv *hs;     /* sorted by id (strcmp) */
	struct hits *hits;       /* each host's, sorted and unique */
	size_t n;
	const char *lo, *hi;     /* the first and last id in the database's order */
	int64_t now;             /* of the reconciliation */
	struct writes w;         /* PostgreSQL: the writes it decided */
	struct vuln_stats st;    /* what they do */
	char seen[2][33];        /* PostgreSQL, read ahead: the rows as read (fingerprint) */
	int rc;
	struct err e;            /* when rc != 0 */
	struct batch *next;
};

static void batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; b->hs && i < b->n; i++)
		inv_release(&b->hs[i]);
	for (size_t i = 0; b->hits && i < b->n; i++)
		free(b->hits[i].v);
	free(b->hs);
	free(b->hits);
	writes_free(&b->w);
	arena_free(b->a);
	free(b);
}

/* Reads the batch's inventories and findings (on c's connection, inside a
 * transaction), matches them and reconciles: the writes at once (SQLite)
 * or into b->w (PostgreSQL). */
static int batch_match(struct ctx *c, const struct index *x, struct batch *b, int pg,
		       struct err *e)
{
	for (size_t i = 0; i < b->n; i++) {
		struct host_inv *h = &b->hs[i];
		h->n = h->ncpes = h->nex = 0;
		h->os_id[0] = h->os_version[0] = '\0';
	}
	memset(&b->st, 0, sizeof(b->st));
	writes_free(&b->w);
	if (pg && writes_init(&b->w) != 0)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (batch_load(c, b->a, b->hs, b->n, b->lo, b->hi, e) != 0)
		return -1;
	b->now = time_now_ms();
	for (size_t i = 0; i < b->n; i++) {
		struct hits *hits = &b->hits[i];
		hits->n = 0;
		match_host(x, &b->hs[i], hits);
		hits_unique(hits);
		if (reconcile(c, x, b->hs[i].id, "match", hits, b->hs[i].ex, b->hs[i].nex, b->now,
			      pg ? &b->w : NULL, &b->st, e) != 0)
			return -1;
		b->st.hosts++;
	}
	return pg && writes_dump(&b->w) != 0 ? err_set(e, E_NOMEM, MSG_INTERNAL, NULL) : 0;
}

static struct batch *batch_new(json_t *ids, size_t from, size_t n)
{
	struct batch *b = calloc(1, sizeof(*b));
	if (b == NULL)
		return NULL;
	b->n = n;
	b->a = arena_new(MATCH_ARENA);
	b->hs = calloc(n, sizeof(*b->hs));
	b->hits = calloc(n, sizeof(*b->hits));
	if (b->a == NULL || b->hs == NULL || b->hits == NULL) {
		batch_free(b);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		b->hs[i].id = json_string_value(json_array_get(ids, from + i));
	b->lo = b->hs[0].id;
	b->hi = b->hs[n - 1].id;
	qsort(b->hs, n, sizeof(*b->hs), inv_cmp);
	return b;
}

/* PostgreSQL: a digest of the batch's hosts rows and findings as they are
 * (each row's id and version, xmin): equal digests, nothing the batch was
 * matched from has changed (an inventory rewrites its hosts row; a finding
 * accepted or made by another match shows in the findings). */
static int batch_seen(struct ctx *c, const struct batch *b, char out[2][33], struct err *e)
{
	struct stmt *st = store_query(c->db, e, "SELECT (SELECT md5(COALESCE(string_agg(id || ':' "
		"|| CAST(xmin AS text), ',' ORDER BY id), '')) FROM hosts WHERE id >= $1 AND id <= $2), "
		"(SELECT md5(COALESCE(string_agg(id || ':' || CAST(xmin AS text), ',' ORDER BY id), '')) "
		"FROM findings WHERE host_id >= $1 AND host_id <= $2 AND origin = 'match')", "tt",
		b->lo, b->hi);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1)
		for (int i = 0; i < 2; i++)
			snprintf(out[i], 33, "%s", stmt_text(st, i) ? stmt_text(st, i) : "");
	stmt_done(st);
	return rc == 1 ? 0 : rc < 0 ? -1 : err_set(e, E_DB, MSG_DB, "batch_seen");
}

/* Inside the write transaction: the batch's writes, sealed by one audit
 * entry, committed (rolled back on failure); its figures added to st. */
static int batch_commit(struct ctx *c, struct batch *b, const char *entity_id, int pg,
			struct vuln_stats *st, struct err *e)
{
	int rc = pg ? writes_flush(c, &b->w, b->now, e) : 0;
	if (rc == 0 && (audit_append(c, "findings.match", "host", entity_id, NULL, NULL, e) != 0 ||
			store_commit(c->db, e) != 0))
		rc = -1;
	if (rc != 0) {
		store_rollback(c->db);
		return -1;
	}
	st->hosts += b->st.hosts;
	st->opened += b->st.opened;
	st->closed += b->st.closed;
	st->kept += b->st.kept;
	return 0;
}

/*
 * PostgreSQL, more than one batch: a second connection reads, matches and
 * reconciles the next batches (MATCH_AHEAD at most, each in one read
 * snapshot) while this one writes, so the server's reading, the matching
 * and the server's writing overlap on the cores. Under the writers' lock
 * the batch's rows are checked unchanged since (batch_seen); if anything
 * changed, the batch is read and matched again there.
 */
struct ahead {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch *head, *tail;
	size_t queued;
	int stop, done;
	struct ctx rc;           /* the reader's: its own connection */
	const struct index *x;
	json_t *ids;
	size_t total;
};

static struct batch *ahead_one(struct ahead *q, size_t from, size_t n)
{
	struct batch *b = batch_new(q->ids, from, n);
	if (b == NULL)
		return NULL;
	if (store_read_begin(q->rc.db, &b->e) != 0) {
		b->rc = -1;
		return b;
	}
	b->rc = batch_seen(&q->rc, b, b->seen, &b->e) != 0 ||
		batch_match(&q->rc, q->x, b, 1, &b->e) != 0 ? -1 : 0;
	store_read_end(q->rc.db);
	return b;
}

static void *ahead_main(void *arg)
{
	struct ahead *q = arg;
	for (size_t from = 0; from < q->total; from += MATCH_BATCH) {
		pthread_mutex_lock(&q->mu);
		while (q->queued >= MATCH_AHEAD && !q->stop)
			pthread_cond_wait(&q->cv, &q->mu);
		int stop = q->stop;
		pthread_mutex_unlock(&q->mu);
		if (stop)
			break;
		size_t n = q->total - from < MATCH_BATCH ? q->total - from : MATCH_BATCH;
		struct batch *b = ahead_one(q, from, n);
		pthread_mutex_lock(&q->mu);
		if (b) {
			if (q->tail)
				q->tail->next = b;
			else
				q->head = b;
			q->tail = b;
			q->queued++;
		}
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
		if (b == NULL || b->rc != 0)
			break;
	}
	pthread_mutex_lock(&q->mu);
	q->done = 1;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* Under the writers' lock: a batch read ahead written, or read, matched
 * and reconciled again when its rows changed meanwhile. */
static int ahead_write(struct ctx *c, const struct index *x, struct batch *b,
		       const char *entity_id, struct vuln_stats *st, struct err *e)
{
	char now_seen[2][33];
	if (store_begin(c->db, e) != 0)
		return -1;
	if (batch_seen(c, b, now_seen, e) != 0 ||
	    ((strcmp(now_seen[0], b->seen[0]) != 0 || strcmp(now_seen[1], b->seen[1]) != 0) &&
	     batch_match(c, x, b, 1, e) != 0)) {
		store_rollback(c->db);
		return -1;
	}
	return batch_commit(c, b, entity_id, 1, st, e);
}

static int match_ahead(struct ctx *c, struct store *rdb, const struct index *x, json_t *ids,
		       const char *entity_id, struct vuln_stats *st, struct err *e)
{
	struct ahead q = { .rc = *c, .x = x, .ids = ids, .total = json_array_size(ids) };
	q.rc.db = rdb;
	pthread_t t;
	if (pthread_mutex_init(&q.mu, NULL) != 0)
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	if (pthread_cond_init(&q.cv, NULL) != 0) {
		pthread_mutex_destroy(&q.mu);
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	}
	if (pthread_create(&t, NULL, ahead_main, &q) != 0) {
		pthread_cond_destroy(&q.cv);
		pthread_mutex_destroy(&q.mu);
		return err_set(e, E_INTERNAL, MSG_INTERNAL, NULL);
	}
	size_t written = 0;
	int rc = 0;
	for (;;) {
		pthread_mutex_lock(&q.mu);
		while (q.head == NULL && !q.done)
			pthread_cond_wait(&q.cv, &q.mu);
		struct batch *b = q.head;
		if (b) {
			q.head = b->next;
			if (q.head == NULL)
				q.tail = NULL;
			q.queued--;
			pthread_cond_broadcast(&q.cv);
		}
		pthread_mutex_unlock(&q.mu);
		if (b == NULL)
			break;
		if (b->rc != 0) {
			*e = b->e;
			rc = -1;
		} else {
			rc = ahead_write(c, x, b, entity_id, st, e);
		}
		written += b->n;
		batch_free(b);
		if (rc != 0)
			break;
	}
	pthread_mutex_lock(&q.mu);
	q.stop = 1;
	pthread_cond_broadcast(&q.cv);
	pthread_mutex_unlock(&q.mu);
	pthread_join(t, NULL);
	while (q.head) {
		struct batch *b = q.head;
		q.head = b->next;
		batch_free(b);
	}
	pthread_cond_destroy(&q.cv);
	pthread_mutex_destroy(&q.mu);
	/* the reader stopped early without saying why: out of memory */
	if (rc == 0 && written < q.total)
		rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	return rc;
}

int vuln_match(struct ctx *c, const char *host_id, struct vuln_stats *st, struct err *e)
{
	struct index x;
	int rc = -1;
	json_t *ids = NULL;
	const char *entity_id = host_id ? host_id : "*";
	int pg = strcmp(store_backend(c->db), "postgresql") == 0;
	/* One host: its upload or import was authorised by the caller. Every
	 * host of the scope: opens and closes findings, a writing role. */
	if (policy_check(c->actor, host_id ? ACT_ASSET_READ : ACT_FINDING_MATCH, NULL, e) != 0)
		return -1;
	if (index_load(c, &x, e) != 0)
		goto out;
	/* Host ids first, in the database's order (a batch reads the range
	 * between its first and last): the matching must not hold a
	 * statement open while it writes. */
	ids = json_array();
	struct stmt *q = store_query(c->db, e, "SELECT h.id FROM hosts h JOIN orgs o ON o.id = "
		"h.org_id WHERE substr(o.path, 1, length($1)) = $1 AND ($2 IS NULL OR h.id = $2) "
		"AND EXISTS (SELECT 1 FROM host_packages p WHERE p.host_id = h.id UNION ALL SELECT 1 "
		"FROM host_services s WHERE s.host_id = h.id AND s.cpe <> '') ORDER BY h.id", "tt",
		c->actor->system ? "/" : c->actor->org_path, host_id);
	if (q == NULL)
		goto out;
	while ((rc = stmt_step(q, e)) == 1)
		json_array_append_new(ids, json_string(stmt_text(q, 0)));
	stmt_done(q);
	if (rc < 0)
		goto out;
	size_t total = json_array_size(ids);
	/* A transaction per batch: what is committed stays when a later
	 * batch fails, and the next rematch goes on from there. */
	struct store *rdb = NULL;
	if (pg && total > MATCH_BATCH) {
		struct err ignore = { 0 };
		rdb = store_open(store_location(c->db), &ignore);   /* else one connection */
	}
	if (rdb) {
		rc = match_ahead(c, rdb, &x, ids, entity_id, st, e);
		store_close(rdb);
		goto out;
	}
	rc = 0;
	for (size_t from = 0; rc == 0 && from < total; from += MATCH_BATCH) {
		size_t n = total - from < MATCH_BATCH ? total - from : MATCH_BATCH;
		struct batch *b = batch_new(ids, from, n);
		if (b == NULL)
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		else if (store_begin(c->db, e) != 0)
			rc = -1;
		else if (batch_match(c, &x, b, pg, e) != 0) {
			store_rollback(c->db);
			rc = -1;
		} else {
			rc = batch_commit(c, b, entity_id, pg, st, e);
		}
		batch_free(b);
	}
	if (rc == 0 && total == 0) {
		/* nothing to match: the run is still on record, as before */
		if (store_begin(c->db, e) != 0)
			rc = -1;
		else if (audit_append(c, "findings.match", "host", entity_id, NULL, NULL, e) != 0 ||
			 store_commit(c->db, e) != 0) {
			store_rollback(c->db);
			rc = -1;
		}
	}
out:
	json_decref(ids);
	index_free(&x);
	return rc;
}

/* ---- inventories ---- */

json_t *agent_inventory(struct ctx *c, const char *host_id, const char *key, json_t *inv,
			struct err *e)
{
	struct vuln_stats st = { 0 };
	struct agent_stamp s = { .host_id = host_id, .key = key };
	if (inventory_validate(inv, e) != 0 || agent_stamp_read(c, inv, &s, e) != 0 ||
	    store_begin(c->db, e) != 0)
		return NULL;
	if (agent_stamp_take(c, &s, e) != 0 ||
	    host_store_inventory(c, host_id, inv, "agent", e) != 0 ||
	    audit_append(c, "host.inventory", "host", host_id, NULL, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		return NULL;
	}
	if (vuln_match(c, host_id, &st, e) != 0)
		return NULL;
	return json_pack("{s:s, s:I, s:I, s:I}", "host_id", host_id, "opened", (json_int_t)st.opened,
			 "closed", (json_int_t)st.closed, "open_kept", (json_int_t)st.kept);
}

json_t *windows_import(struct ctx *c, const char *name, const char *data, size_t n,
		       const char *org_code, struct err *e)
{
	struct org o;
	char host_id[UUID_LEN];
	int created = 0;
	if (org_code ? org_by_code(c, org_code, &o, e) : org_by_id(c, c->actor->org_id, &o, e))
		return NULL;
	struct policy_target t = { .org_path = o.path };
	if (policy_check(c->actor, ACT_SCAN_IMPORT, &t, e) != 0)
		return NULL;
	json_t *inv = inventory_from_windows(name, data, n, e);
	if (inv == NULL)
		return NULL;
	json_t *out = NULL;
	if (inventory_validate(inv, e) != 0 || store_begin(c->db, e) != 0)
		goto done;
	const char *hostname = jv_str(inv, "hostname");
	if (host_find_or_create(c, o.id, hostname, NULL, host_id, &created, e) != 0 ||
	    host_store_inventory(c, host_id, inv, "windows", e) != 0 ||
	    audit_append(c, "host.inventory", "host", host_id, NULL, NULL, e) != 0 ||
	    store_commit(c->db, e) != 0) {
		store_rollback(c->db);
		goto done;
	}
	struct vuln_stats st = { 0 };
	if (vuln_match(c, host_id, &st, e) == 0)
		out = json_pack("{s:s, s:s, s:b, s:I, s:I}", "host_id", host_id,
				"hostname", hostname ? hostname : "", "created", created,
				"packages", (json_int_t)json_array_size(json_object_get(inv, "packages")),
				"opened", (json_int_t)st.opened);
done:
	json_decref(inv);
	return out;
}

/* ---- scanner reports ---- */

struct scan_ctx {
	struct ctx *c;
	const char *kind, *org_id;
	int64_t at;
	struct vuln_stats *st;
	json_t *hosts;            /* ids touched, for rematching */
	long findings;
};

static int scan_host_one(void *arg, const struct scan_host *h, struct err *e)
{
	struct scan_ctx *x = arg;
	struct ctx *c = x->c;
	char host_id[UUID_LEN];
	int created = 0;
	if (h->address == NULL && h->hostname == NULL)
		return 0;
	if (host_find_or_create(c, x->org_id, h->hostname, h->address, host_id, &created, e) != 0 ||
	    store_run(c->db, e, "UPDATE hosts SET last_scan_at = $1, updated_at = $1 WHERE id = $2",
		      "it", x->at, host_id) < 0)
		return -1;
	x->st->records++;
	json_array_append_new(x->hosts, json_string(host_id));
	for (size_t i = 0; i < h->nservices; i++) {
		const struct scan_service *s = &h->services[i];
		if (s->state && strcmp(s->state, "open") != 0)
			continue;
		if (store_run(c->db, e, "INSERT INTO host_services (host_id, proto, port, address, name, "
			      "product, version, cpe, origin, seen_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,"
			      "$10) ON CONFLICT (host_id, proto, port, address) DO UPDATE SET name = "
			      "excluded.name, product = excluded.product, version = excluded.version, cpe = "
			      "excluded.cpe, origin = excluded.origin, seen_at = excluded.seen_at",
			      "ttittttt" "ti", host_id, s->proto ? s->proto : "tcp", (int64_t)s->port,
			      h->address ? h->address : "", s->name ? s->name : "",
			      s->product ? s->product : "", s->version ? s->version : "",
			      s->probed && s->cpe ? s->cpe : "", x->kind, x->at) < 0)
			return -1;
	}
	/* An OpenVAS result names CVEs: each is a finding of this scan. */
	struct hits hits = { 0 };
	int64_t now = time_now_ms();
	for (size_t i = 0; i < h->nresults; i++) {
		const struct scan_result *r = &h->results[i];
		char cvss[16];
		snprintf(cvss, sizeof(cvss), "%.1f", r->severity);
		for (size_t k = 0; k < r->ncves; k++) {
			if (store_run(c->db, e, "INSERT INTO vulns (id, summary, cvss, severity, sources, "
				      "updated_at) VALUES ($1, $2, CAST($3 AS REAL), $4, 'openvas', $5) "
				      "ON CONFLICT (id) DO NOTHING", "tttti", r->cves[k],
				      r->name ? r->name : "", cvss, severity_of(r->severity), now) < 0 ||
			    hit_add(&hits, r->cves[k], r->name ? r->name : (r->port ? r->port : ""),
				    r->port ? r->port : "", r->solution ? r->solution : "") != 0) {
				free(hits.v);
				return e->code ? -1 : err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			}
			hits.v[hits.n - 1].cvss = r->severity;
			hits.v[hits.n - 1].severity = severity_of(r->severity);
		}
	}
	int rc = 0;
	if (strcmp(x->kind, "openvas") == 0) {
		hits_unique(&hits);
		rc = reconcile_host(c, host_id, "openvas", &hits, x->st, e);
		x->findings += (long)hits.n;
	}
	free(hits.v);
	return rc;
}

int scan_import(struct ctx *c, const char *kind, const char *name, const char *data,
		size_t n, const char *org_code, struct vuln_stats *st, json_t **scan,
		struct err *e)
{
	struct org o;
	char id[UUID_LEN];
	long (*parse)(const char *, const char *, size_t, scan_sink, void *, int64_t *,
		      struct err *);
	if (strcmp(kind, "nmap") == 0)
		parse = scan_parse_nmap;
	else if (strcmp(kind, "openvas") == 0)
		parse = scan_parse_openvas;
	else
		return err_set(e, E_INVALID, MSG_BAD_VALUE, kind);
	if (org_code ? org_by_code(c, org_code, &o, e) : org_by_id(c, c->actor->org_id, &o, e))
		return -1;
	struct policy_target t = { .org_path = o.path };
	if (policy_check(c->actor, ACT_SCAN_IMPORT, &t, e) != 0 || store_begin(c->db, e) != 0)
		return -1;
	struct scan_ctx x = { c, kind, o.id, time_now_ms(), st, json_array(), 0 };
	int64_t scanned = 0;
	int64_t now = time_now_ms();
	if (parse(name, data, n, scan_host_one, &x, &scanned, e) < 0)
		goto fail;
	if (scanned == 0)
		scanned = now;
	if (store_run(c->db, e, "UPDATE hosts SET last_scan_at = $1 WHERE last_scan_at = $2 AND "
		      "org_id = $3", "iit", scanned, x.at, o.id) < 0 ||
	    store_run(c->db, e, "INSERT INTO scans (id, org_id, kind, name, scanned_at, hosts, "
		      "findings, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
		      "ttttiii" "ti", uuid7(id), o.id, kind, name, scanned, (int64_t)st->records,
		      (int64_t)x.findings, c->actor->system ? NULL : c->actor->id, now) < 0 ||
	    audit_append(c, "scan.import", "scan", id, NULL, name, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	/* Services with CPEs now exist: match them against the NVD feed. */
	size_t i;
	json_t *hid;
	json_array_foreach(x.hosts, i, hid)
		if (vuln_match(c, json_string_value(hid), st, e) != 0)
			break;
	if (scan)
		*scan = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "id", id, "kind", kind,
				  "name", name, "org_code", o.code, "hosts", (json_int_t)st->records,
				  "findings", (json_int_t)x.findings, "opened", (json_int_t)st->opened,
				  "closed", (json_int_t)st->closed);
	json_decref(x.hosts);
	return e->code ? -1 : 0;
fail:
	store_rollback(c->db);
	json_decref(x.hosts);
	return -1;
}

/* ---- findings ---- */

#define FINDING_SELECT FINDING_COLS FINDING_FROM
#define FINDING_COLS "SELECT f.id, f.vuln_id, f.package, f.installed_version, f.fixed_version, " \
	"CAST(f.cvss AS TEXT), f.severity, f.kev, f.origin, f.status, f.reason, f.accepted_until, " \
	"f.due_at, f.first_seen, f.last_seen, f.fixed_at, f.version, h.id, h.hostname, o.code, " \
	"o.name, o.path, v.summary "
#define FINDING_FROM "FROM findings f JOIN hosts h ON h.id = f.host_id JOIN orgs o ON " \
	"o.id = h.org_id JOIN vulns v ON v.id = f.vuln_id "
#define FINDING_NCOLS 23

static json_t *ts_or_null(struct stmt *st, int col)
{
	char ts[TIME_RFC3339_LEN];
	return stmt_isnull(st, col) ? json_null() : json_string(time_format_utc(stmt_int(st, col), ts));
}

static json_t *finding_row(struct stmt *st)
{
	int64_t due = stmt_isnull(st, 12) ? 0 : stmt_int(st, 12);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:s, s:s, s:s, s:o, s:o, s:o, "
		"s:o, s:o, s:I, s:b, s:{s:s, s:s}, s:{s:s, s:s}, s:s}",
		"id", stmt_text(st, 0), "vuln_id", stmt_text(st, 1), "package", stmt_text(st, 2),
		"installed_version", stmt_text(st, 3), "fixed_version", stmt_text(st, 4),
		"cvss", stmt_isnull(st, 5) ? json_null() : json_real(atof(stmt_text(st, 5))),
		"severity", stmt_isnull(st, 6) ? json_null() : json_string(stmt_text(st, 6)),
		"kev", (int)stmt_int(st, 7), "origin", stmt_text(st, 8), "status", stmt_text(st, 9),
		"reason", stmt_text(st, 10), "accepted_until", ts_or_null(st, 11),
		"due_at", ts_or_null(st, 12), "first_seen", ts_or_null(st, 13),
		"last_seen", ts_or_null(st, 14), "fixed_at", ts_or_null(st, 15),
		"version", (json_int_t)stmt_int(st, 16),
		"overdue", strcmp(stmt_text(st, 9), "open") == 0 && due && due < time_now_ms(),
		"host", "id", stmt_text(st, 17), "hostname", stmt_text(st, 18),
		"org", "code", stmt_text(st, 19), "name", stmt_text(st, 20),
		"summary", stmt_text(st, 22));
}

/* "priority" (the default): known exploited first, then by CVSS (highest
 * first), then by due date; one integer, so a page is a range: 10^17 for
 * not in KEV, 10^14 per tenth of CVSS below 10.0, the due date in seconds
 * (below 10^14 until the year 9999). */
static const struct page_key finding_keys[] = {
	{ "priority", "(1 - f.kev) * 100000000000000000 + (100 - COALESCE(CAST(f.cvss * 10 AS "
		      "INTEGER), 0)) * 100000000000000 + COALESCE(f.due_at, 253402300799999) / 1000",
	  'i', 0 },
	{ "due", "COALESCE(f.due_at, 253402300799999)", 'i', 0 },
	{ "first_seen", "COALESCE(f.first_seen, 0)", 'i', 1 },
	{ "host", "h.hostname", 't', 0 },
	{ NULL, NULL, 0, 0 },
};

json_t *finding_list(struct ctx *c, const struct finding_filter *f, struct err *e)
{
	static const char *const statuses[] = { "open", "fixed", "accepted", NULL };
	static const char *const sevs[] = { "low", "medium", "high", "critical", NULL };
	struct page p;
	if (policy_check(c->actor, ACT_ASSET_READ, NULL, e) != 0 ||
	    page_begin(finding_keys, f->sort, f->order, f->cursor, f->limit, &p, e) != 0)
		return NULL;
	if (f->status && jv_enum_index(statuses, f->status) < 0)
		return err_field(e, "/status", MSG_BAD_VALUE, "open, fixed, accepted"), NULL;
	if (f->severity && jv_enum_index(sevs, f->severity) < 0)
		return err_field(e, "/severity", MSG_BAD_VALUE, "low, medium, high, critical"), NULL;
	if (f->host_id && !uuid_valid(f->host_id))
		return err_field(e, "/host", MSG_BAD_VALUE, "uuid"), NULL;
	if (f->vuln_id && strlen(f->vuln_id) > LIMIT_SHORT_TEXT)
		return err_field(e, "/vuln", MSG_TOO_LONG, "300"), NULL;
	struct buf sql;
	buf_init(&sql, 16384);
	buf_adds(&sql, FINDING_COLS);
	page_column(&p, &sql);
	buf_adds(&sql, FINDING_FROM "WHERE substr(o.path, 1, length($1)) "
		"= $1 AND ($2 IS NULL OR substr(o.path, 1, length((SELECT path FROM orgs WHERE code = "
		"$2))) = (SELECT path FROM orgs WHERE code = $2)) AND ($3 IS NULL OR h.id = $3) AND "
		"($4 IS NULL OR f.status = $4) AND ($5 IS NULL OR f.severity = $5) AND ($6 IS NULL OR "
		"f.vuln_id = $6) AND ($7 = 0 OR f.kev = 1) AND ($8 = 0 OR (f.status = 'open' AND "
		"f.due_at < $9))");
	page_sql(&p, "f.id", 10, &sql);
	struct stmt *st = sql.p ? store_query(c->db, e, sql.p, "tttttt" "iii" "tt",
		c->actor->system ? "/" : c->actor->org_path, f->org_code, f->host_id, f->status,
		f->severity, f->vuln_id, (int64_t)f->kev, (int64_t)f->overdue, time_now_ms(),
		page_bind_key(&p), page_bind_id(&p)) : NULL;
	if (sql.p == NULL)
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	json_t *out = st ? page_items(&p, st, FINDING_NCOLS, 0, finding_row, e) : NULL;
	buf_release(&sql);
	return out;
}

static const struct jv_field finding_update_fields[] = {
	{ "status", JV_ENUM, 1, 0, 0, (const char *const[]){ "open", "accepted", NULL }, NULL },
	{ "reason", JV_STRING, 0, 0, 2000, NULL, NULL },
	{ "accepted_until", JV_TIME, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL },
};

static json_t *finding_one(struct ctx *c, const char *id, char *path, struct err *e)
{
	if (!uuid_valid(id))
		return err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL), NULL;
	struct stmt *st = store_query(c->db, e, FINDING_SELECT "WHERE f.id = $1", "t", id);
	if (st == NULL)
		return NULL;
	json_t *j = NULL;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		j = finding_row(st);
		snprintf(path, LIMIT_ORG_PATH, "%s", stmt_text(st, 21));
	} else if (rc == 0) {
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	}
	stmt_done(st);
	if (j && !policy_in_scope(c->actor, path)) {
		json_decref(j);
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
		return NULL;
	}
	return j;
}

json_t *finding_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		       struct err *e)
{
	char path[LIMIT_ORG_PATH];
	int64_t until = 0;
	if (jv_validate(body, finding_update_fields, "", e) != 0)
		return NULL;
	int accept = strcmp(jv_str(body, "status"), "accepted") == 0;
	const char *reason = jv_str(body, "reason");
	if (accept && (reason == NULL || *reason == '\0'))
		err_field(e, "/reason", MSG_REQUIRED, NULL);
	if (accept && jv_str(body, "accepted_until") == NULL)
		err_field(e, "/accepted_until", MSG_REQUIRED, NULL);
	if (e->code)
		return NULL;
	if (accept)
		time_parse(jv_str(body, "accepted_until"), &until);
	if (store_begin(c->db, e) != 0)
		return NULL;
	json_t *before = finding_one(c, id, path, e), *after = NULL;
	struct policy_target t = { .org_path = path };
	if (before == NULL || policy_check(c->actor, ACT_FINDING_ACCEPT, &t, e) != 0)
		goto fail;
	if (if_match < 0) {
		err_set(e, E_PRECOND_REQ, MSG_IF_MATCH_REQUIRED, NULL);
		goto fail;
	}
	if (if_match != json_integer_value(json_object_get(before, "version"))) {
		err_set(e, E_PRECOND, MSG_STALE_RECORD, NULL);
		goto fail;
	}
	if (strcmp(json_string_value(json_object_get(before, "status")), "fixed") == 0) {
		err_set(e, E_CONFLICT, MSG_TRANSITION_DENIED, jv_str(body, "status"));
		goto fail;
	}
	if (store_run(c->db, e, "UPDATE findings SET status = $1, reason = $2, accepted_until = "
		      "NULLIF($3, 0), version = version + 1 WHERE id = $4", "ttit",
		      jv_str(body, "status"), reason ? reason : "", until, id) != 1 ||
	    (after = finding_one(c, id, path, e)) == NULL ||
	    audit_append_json(c, "finding.update", "finding", id, before, after, e) != 0 ||
	    store_commit(c->db, e) != 0)
		goto fail;
	json_decref(before);
	return after;
fail:
	store_rollback(c->db);
	json_decref(before);
	json_decref(after);
	return NULL;
}

json_t *vuln_get(struct ctx *c, const char *id, struct err *e)
{
	if (policy_check(c->actor, ACT_ASSET_READ, NULL, e) != 0)
		return NULL;
	struct stmt *st = store_query(c->db, e, "SELECT id, aliases, summary, CAST(cvss AS TEXT), "
		"severity, published, modified, withdrawn, kev, kev_due, kev_action, sources FROM "
		"vulns WHERE id = $1", "t", id);
	if (st == NULL)
		return NULL;
	json_t *j = NULL;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		json_t *aliases = json_loads(stmt_text(st, 1), 0, NULL);
		j = json_pack("{s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:b, s:b, s:o, s:s, s:s}",
			"id", stmt_text(st, 0), "aliases", aliases ? aliases : json_array(),
			"summary", stmt_text(st, 2),
			"cvss", stmt_isnull(st, 3) ? json_null() : json_real(atof(stmt_text(st, 3))),
			"severity", stmt_isnull(st, 4) ? json_null() : json_string(stmt_text(st, 4)),
			"published", ts_or_null(st, 5), "modified", ts_or_null(st, 6),
			"withdrawn", (int)stmt_int(st, 7), "kev", (int)stmt_int(st, 8),
			"kev_due", ts_or_null(st, 9), "kev_action", stmt_text(st, 10),
			"sources", stmt_text(st, 11));
	} else if (rc == 0) {
		err_set(e, E_NOTFOUND, MSG_NOT_FOUND, NULL);
	}
	stmt_done(st);
	return j;
}
