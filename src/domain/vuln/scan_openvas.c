/*
 * scan_openvas.c - Greenbone/OpenVAS GMP report XML (an exported report,
 * <report><report>..., or a get_reports response) into scan_host records:
 * the results (port, NVT OID and name, severity, threat, CVEs, solution)
 * grouped per host address in order of first appearance, with the host
 * name and the details the report lists for the host (best_os_cpe, MAC).
 * The scan time is scan_start. Every host is checked before the first one
 * goes to the sink.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "feed.h"
#include "feed_int.h"
#include "../../base/arena.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

/* A result or a report/host element, keyed by its host address. */
struct ov_item {
	const char *host;
	const xmlNode *node;
	size_t seq;
	int is_result;
};

struct ov_group {
	size_t first, count, seq;
};

static int by_host(const void *a, const void *b)
{
	const struct ov_item *x = a, *y = b;
	int c = strcmp(x->host, y->host);
	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_seq(const void *a, const void *b)
{
	const struct ov_group *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* A severity ("10.0", "-99.0" for errors) or -1 when absent or odd. */
static double severity(const char *s)
{
	if (s == NULL || *s == '\0')
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < 0 || v > 10)
		return -1;
	return v;
}

/* "solution=..." from an NVT's tags ("key=value|key=value"), in scratch. */
static int tag_value(struct fx *x, const char *tags, const char *key, const char **out)
{
	size_t kl = strlen(key);
	*out = NULL;
	for (const char *p = tags; p && *p; ) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *v = p + kl + 1;
			size_t vl = len - kl - 1;
			while (vl && isspace((unsigned char)*v)) {
				v++;
				vl--;
			}
			while (vl && isspace((unsigned char)v[vl - 1]))
				vl--;
			if (vl == 0)
				return 0;
			*out = arena_strndup(x->a, v, vl);
			return *out ? 0 : feed_nomem(x->e, x->name);
		}
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}

/* White space runs (line breaks and indentation of pretty-printed
 * reports) in a name become one space. */
static int one_line(struct fx *x, const char *s, const char **out)
{
	*out = s;
	if (s == NULL || strpbrk(s, "\n\r\t") == NULL)
		return 0;
	char *d = arena_alloc(x->a, strlen(s) + 1);
	if (d == NULL)
		return feed_nomem(x->e, x->name);
	size_t n = 0;
	for (const char *p = s; *p; p++) {
		if (isspace((unsigned char)*p)) {
			if (n && d[n - 1] != ' ')
				d[n++] = ' ';
			continue;
		}
		d[n++] = *p;
	}
	while (n && d[n - 1] == ' ')
		n--;
	d[n] = '\0';
	*out = d;
	return 0;
}

/* The CVEs of an NVT: refs/ref[@type=cve]@id (GMP 8+), else the older
 * comma-separated <cve> text ("NOCVE" when none). */
static int ov_cves(struct fx *x, const xmlNode *nvt, struct scan_result *r)
{
	const xmlNode *refs = fx_child(nvt, "refs");
	size_t n = 0;
	for (const xmlNode *ref = fx_child(refs, "ref"); ref; ref = fx_next(ref, "ref"))
		n++;
	const char *old = NULL;
	if (n == 0 && fx_text(x, fx_child(nvt, "cve"), 1, &old) != 0)
		return -1;
	if (old)
		n = strlen(old) / 2 + 1;      /* more than the pieces it can hold */
	if (n > FEED_MAX_ITEMS)
		return fx_fail(x, nvt, E_TOOLARGE, MSG_FEED_LIMIT, "%zu references (at most %d)", n,
			       FEED_MAX_ITEMS);
	const char **cves = arena_alloc(x->a, (n ? n : 1) * sizeof(*cves));
	if (cves == NULL)
		return feed_nomem(x->e, x->name);
	r->cves = cves;
	for (const xmlNode *ref = fx_child(refs, "ref"); ref; ref = fx_next(ref, "ref")) {
		const char *type, *id;
		if (fx_attr(x, ref, "type", &type) != 0 || fx_attr(x, ref, "id", &id) != 0)
			return -1;
		if (type && strcmp(type, "cve") == 0 && id && id[0])
			cves[r->ncves++] = id;
	}
	if (old == NULL)
		return 0;
	char *copy = arena_strdup(x->a, old), *save = NULL;
	if (copy == NULL)
		return feed_nomem(x->e, x->name);
	for (char *t = strtok_r(copy, ", \t\n", &save); t; t = strtok_r(NULL, ", \t\n", &save))
		if (strcmp(t, "NOCVE") != 0)
			cves[r->ncves++] = t;
	return 0;
}

static int ov_result(struct fx *x, const xmlNode *res, struct scan_result *r)
{
	const xmlNode *nvt = fx_child(res, "nvt");
	const char *name, *sev, *cvss, *tags;
	memset(r, 0, sizeof(*r));
	if (fx_text(x, fx_child(res, "port"), 1, &r->port) != 0 ||
	    fx_attr(x, nvt, "oid", &r->nvt_oid) != 0 ||
	    fx_text(x, fx_child(nvt, "name"), 1, &name) != 0 ||
	    fx_text(x, fx_child(res, "severity"), 1, &sev) != 0 ||
	    fx_text(x, fx_child(nvt, "cvss_base"), 1, &cvss) != 0 ||
	    fx_text(x, fx_child(res, "threat"), 1, &r->threat) != 0 ||
	    fx_text(x, fx_child(nvt, "solution"), 1, &r->solution) != 0 ||
	    fx_text(x, fx_child(nvt, "tags"), 0, &tags) != 0)
		return -1;
	if (name == NULL && fx_text(x, fx_child(res, "name"), 1, &name) != 0)
		return -1;
	if (one_line(x, name, &r->name) != 0)
		return -1;
	r->severity = severity(sev);
	if (r->severity < 0)
		r->severity = severity(cvss);
	if (r->threat && r->threat[0] == '\0')
		r->threat = NULL;
	if ((r->solution == NULL || r->solution[0] == '\0') &&
	    tag_value(x, tags, "solution", &r->solution) != 0)
		return -1;
	return ov_cves(x, nvt, r);
}

/* The details of a report/host element: best_os_cpe, hostname, MAC. */
static int ov_details(struct fx *x, const xmlNode *host, struct scan_host *h)
{
	for (const xmlNode *d = fx_child(host, "detail"); d; d = fx_next(d, "detail")) {
		const char *name, *value;
		if (fx_text(x, fx_child(d, "name"), 1, &name) != 0 ||
		    fx_text(x, fx_child(d, "value"), 1, &value) != 0)
			return -1;
		if (name == NULL || value == NULL || value[0] == '\0')
			continue;
		if (strcmp(name, "best_os_cpe") == 0 && h->os_cpe == NULL) {
			size_t n = 2 * strlen(value) + 32;
			char *buf = arena_alloc(x->a, n);
			if (buf == NULL)
				return feed_nomem(x->e, x->name);
			h->os_cpe = strncmp(value, "cpe:/", 5) == 0 ? cpe_uri_to_23(value, buf, n)
								   : value;
		} else if (strcmp(name, "hostname") == 0 && h->hostname == NULL) {
			h->hostname = value;
		} else if (strcmp(name, "MAC") == 0 && h->mac == NULL) {
			h->mac = value;
		}
	}
	return 0;
}

static int ov_host(struct fx *x, const struct ov_item *it, size_t n, struct scan_host *h)
{
	size_t nres = 0;
	memset(h, 0, sizeof(*h));
	h->address = it[0].host;
	for (size_t i = 0; i < n; i++)
		nres += it[i].is_result;
	if (nres > FEED_MAX_ITEMS)
		return fx_fail(x, it[0].node, E_TOOLARGE, MSG_FEED_LIMIT,
			       "%zu results for host %.60s (at most %d)", nres, h->address,
			       FEED_MAX_ITEMS);
	struct scan_result *res = arena_alloc(x->a, (nres ? nres : 1) * sizeof(*res));
	if (res == NULL)
		return feed_nomem(x->e, x->name);
	h->results = res;
	for (size_t i = 0; i < n; i++) {
		if (!it[i].is_result) {
			if (ov_details(x, it[i].node, h) != 0)
				return -1;
			continue;
		}
		const char *hostname;
		if (fx_text(x, fx_child(fx_child(it[i].node, "host"), "hostname"), 1, &hostname) != 0)
			return -1;
		if (hostname && hostname[0] && h->hostname == NULL)
			h->hostname = hostname;
		if (ov_result(x, it[i].node, &res[h->nresults++]) != 0)
			return -1;
	}
	return 0;
}

/* The report element that holds results: <report><report>, or
 * get_reports_response/report/report, or a bare inner report. */
static const xmlNode *ov_inner(const xmlNode *root)
{
	const xmlNode *r = root;
	if (fx_is(r, "get_reports_response"))
		r = fx_child(r, "report");
	if (!fx_is(r, "report"))
		return NULL;
	const xmlNode *inner = fx_child(r, "report");
	return inner ? inner : r;
}

/* Every result and report/host with its address, sorted by address. */
static int ov_items(struct fx *x, const xmlNode *inner, struct ov_item **out, size_t *n)
{
	const xmlNode *results = fx_child(inner, "results");
	size_t cap = 0, k = 0;
	for (const xmlNode *r = fx_child(results, "result"); r; r = fx_next(r, "result"))
		cap++;
	for (const xmlNode *h = fx_child(inner, "host"); h; h = fx_next(h, "host"))
		cap++;
	struct ov_item *it = arena_alloc(x->a, (cap ? cap : 1) * sizeof(*it));
	if (it == NULL)
		return feed_nomem(x->e, x->name);
	/* Results first: GMP writes <results> before the <host> elements. */
	for (const xmlNode *r = fx_child(results, "result"); r; r = fx_next(r, "result")) {
		const char *host;
		if (fx_text(x, fx_child(r, "host"), 1, &host) != 0)
			return -1;
		if (host == NULL || host[0] == '\0')
			return fx_fail(x, r, E_INVALID, MSG_FEED_SCHEMA, "a result with no host");
		it[k] = (struct ov_item){ host, r, k, 1 };
		k++;
	}
	for (const xmlNode *h = fx_child(inner, "host"); h; h = fx_next(h, "host")) {
		const char *ip;
		if (fx_text(x, fx_child(h, "ip"), 1, &ip) != 0)
			return -1;
		if (ip == NULL || ip[0] == '\0')
			continue;                 /* a host entry with no address adds nothing */
		it[k] = (struct ov_item){ ip, h, k, 0 };
		k++;
	}
	if (k > 1) /* qsort(NULL, 0) is undefined */
		qsort(it, k, sizeof(*it), by_host);
	*out = it;
	*n = k;
	return 0;
}

static int ov_walk(struct fx *x, const xmlNode *inner, scan_sink sink, void *arg, long *count)
{
	struct ov_item *it = NULL;
	size_t n = 0, ng = 0;
	*count = 0;
	if (ov_items(x, inner, &it, &n) != 0)
		return -1;
	struct ov_group *g = arena_alloc(x->a, (n ? n : 1) * sizeof(*g));
	if (g == NULL)
		return feed_nomem(x->e, x->name);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(it[i].host, it[i - 1].host) == 0) {
			g[ng - 1].count++;
			if (it[i].seq < g[ng - 1].seq)
				g[ng - 1].seq = it[i].seq;
			continue;
		}
		g[ng++] = (struct ov_group){ i, 1, it[i].seq };
	}
	if (ng > 1) /* qsort(NULL, 0) is undefined */
		qsort(g, ng, sizeof(*g), by_seq);
	/* The index lives in x->a; each host in its own arena, reset after. */
	struct arena *host_arena = arena_new(FEED_SCRATCH_MAX);
	if (host_arena == NULL)
		return feed_nomem(x->e, x->name);
	struct fx hx = { .name = x->name, .e = x->e, .a = host_arena };
	int rc = 0;
	for (size_t k = 0; k < ng && rc == 0; k++) {
		struct scan_host h;
		rc = ov_host(&hx, it + g[k].first, g[k].count, &h);
		if (rc == 0 && sink)
			rc = sink(arg, &h, x->e);
		arena_reset(host_arena);
		if (rc == 0)
			(*count)++;
	}
	arena_free(host_arena);
	return rc == 0 ? 0 : -1;
}

static int ov_time(struct fx *x, const xmlNode *inner, int64_t *at)
{
	static const char *const keys[] = { "scan_start", "timestamp", "creation_time" };
	*at = 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *s;
		if (fx_text(x, fx_child(inner, keys[i]), 1, &s) != 0)
			return -1;
		if (s && s[0] && time_parse(s, at) == 0)
			return 0;
	}
	*at = 0;
	return 0;
}

long scan_parse_openvas(const char *name, const char *data, size_t n, scan_sink sink,
			void *arg, int64_t *scanned_at, struct err *e)
{
	struct fx x = { .name = name, .e = e };
	long count = -1, rc = -1;
	int64_t at = 0;

	xmlDocPtr doc = fx_read(name, data ? data : "", data ? n : 0, e);
	if (doc == NULL)
		return -1;
	const xmlNode *root = xmlDocGetRootElement(doc);
	const xmlNode *inner = ov_inner(root);
	if (inner == NULL) {
		const char *hint = fx_is(root, "nmaprun") ? " (an nmap report? import it as nmap)" : "";
		fx_fail(&x, root, E_INVALID, MSG_FEED_SCHEMA,
			"not a Greenbone/OpenVAS report (no <report>)%s", hint);
		goto out;
	}
	x.a = arena_new(FEED_SCRATCH_MAX);
	if (x.a == NULL) {
		feed_nomem(e, name);
		goto out;
	}
	/* Pass 1 checks every host; pass 2 hands them over. */
	if (ov_time(&x, inner, &at) != 0 || ov_walk(&x, inner, NULL, NULL, &count) != 0)
		goto out;
	arena_reset(x.a);
	if (sink && ov_walk(&x, inner, sink, arg, &count) != 0)
		goto out;
	if (scanned_at)
		*scanned_at = at;
	rc = count;
out:
	arena_free(x.a);
	xmlFreeDoc(doc);
	return rc;
}
