/*
 * scan_nmap.c - nmap XML output (-oX, nmap.dtd) into scan_host records: per
 * host that is up, its addresses (IPv4/IPv6, MAC), the best host name, its
 * ports with state and service (name, product, version, whether probed,
 * the CPE converted to 2.3) and the best OS CPE. The scan time is
 * nmaprun@start. Every host is checked before the first one goes to the
 * sink.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "feed.h"
#include "feed_int.h"
#include "../../base/arena.h"
#include "../../base/msg.h"
#include "../../base/banned.h"

/* The longest CPE 2.3 string we build from a 2.2 URI of FEED_MAX_STRING
 * bytes cannot be longer than twice it plus the eleven attributes. */
#define CPE23_MAX(uri_len) (2 * (uri_len) + 32)

/* A whole non-negative decimal number up to max, or -1. */
static long long number(const char *s, long long max)
{
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	return v;
}

/* The 2.3 form of a cpe element's URI, in scratch; NULL when it is not a
 * CPE URI (left out rather than failing a whole scan). */
static int nmap_cpe(struct fx *x, const xmlNode *cpe, const char **out)
{
	const char *uri;
	*out = NULL;
	if (fx_text(x, cpe, 1, &uri) != 0)
		return -1;
	if (uri == NULL)
		return 0;
	size_t n = CPE23_MAX(strlen(uri));
	char *buf = arena_alloc(x->a, n);
	if (buf == NULL)
		return feed_nomem(x->e, x->name);
	*out = cpe_uri_to_23(uri, buf, n);
	return 0;
}

static int nmap_service(struct fx *x, const xmlNode *port, struct scan_service *s)
{
	const char *portid, *method;
	const xmlNode *st = fx_child(port, "state"), *svc = fx_child(port, "service");
	memset(s, 0, sizeof(*s));
	if (fx_attr(x, port, "protocol", &s->proto) != 0 || fx_attr(x, port, "portid", &portid) != 0)
		return -1;
	long long p = number(portid, 65535);
	if (p < 0)
		return fx_fail(x, port, E_INVALID, MSG_FEED_SCHEMA, "portid \"%.20s\" is not a port",
			       portid ? portid : "");
	s->port = (int)p;
	if (s->proto == NULL)
		return fx_fail(x, port, E_INVALID, MSG_FEED_SCHEMA, "no protocol");
	if (fx_attr(x, st, "state", &s->state) != 0 || fx_attr(x, svc, "name", &s->name) != 0 ||
	    fx_attr(x, svc, "product", &s->product) != 0 ||
	    fx_attr(x, svc, "version", &s->version) != 0 || fx_attr(x, svc, "method", &method) != 0)
		return -1;
	s->probed = method && strcmp(method, "probed") == 0;
	/* The application's CPE (cpe:/a:) first: the OS ones say where it runs. */
	for (const xmlNode *c = fx_child(svc, "cpe"); c; c = fx_next(c, "cpe")) {
		const char *cpe;
		if (nmap_cpe(x, c, &cpe) != 0)
			return -1;
		if (cpe && (s->cpe == NULL || (strncmp(cpe, "cpe:2.3:a:", 10) == 0 &&
					       strncmp(s->cpe, "cpe:2.3:a:", 10) != 0)))
			s->cpe = cpe;
	}
	return 0;
}

/* The first CPE of the most accurate osmatch (ties: the first listed). */
static int nmap_os(struct fx *x, const xmlNode *host, struct scan_host *h)
{
	const xmlNode *os = fx_child(host, "os");
	long long best = -1;
	for (const xmlNode *m = fx_child(os, "osmatch"); m; m = fx_next(m, "osmatch")) {
		const char *acc;
		if (fx_attr(x, m, "accuracy", &acc) != 0)
			return -1;
		long long a = number(acc, 100);
		if (a < 0)
			a = 0;
		if (h->os_cpe && a <= best)
			continue;
		for (const xmlNode *c = fx_child(m, "osclass"); c; c = fx_next(c, "osclass")) {
			const char *cpe = NULL;
			if (nmap_cpe(x, fx_child(c, "cpe"), &cpe) != 0)
				return -1;
			if (cpe) {
				h->os_cpe = cpe;
				best = a;
				break;
			}
		}
	}
	/* Without OS detection a service may still say the OS (ostype). */
	for (size_t i = 0; h->os_cpe == NULL && i < h->nservices; i++)
		if (h->services[i].cpe && strncmp(h->services[i].cpe, "cpe:2.3:o:", 10) == 0)
			h->os_cpe = h->services[i].cpe;
	return 0;
}

static int nmap_names(struct fx *x, const xmlNode *host, struct scan_host *h)
{
	int best = 0;
	for (const xmlNode *a = fx_child(host, "address"); a; a = fx_next(a, "address")) {
		const char *addr, *type;
		if (fx_attr(x, a, "addr", &addr) != 0 || fx_attr(x, a, "addrtype", &type) != 0)
			return -1;
		if (addr == NULL || addr[0] == '\0')
			return fx_fail(x, a, E_INVALID, MSG_FEED_SCHEMA, "no addr");
		if (type && strcmp(type, "mac") == 0) {
			if (h->mac == NULL)
				h->mac = addr;
		} else if (h->address == NULL) {
			h->address = addr;
		}
	}
	if (h->address == NULL)
		return fx_fail(x, host, E_INVALID, MSG_FEED_SCHEMA, "no IPv4 or IPv6 address");
	/* A name the user gave beats the reverse lookup; both beat the rest. */
	const xmlNode *names = fx_child(host, "hostnames");
	for (const xmlNode *n = fx_child(names, "hostname"); n; n = fx_next(n, "hostname")) {
		const char *name, *type;
		if (fx_attr(x, n, "name", &name) != 0 || fx_attr(x, n, "type", &type) != 0)
			return -1;
		int rank = !type ? 1 : strcmp(type, "user") == 0 ? 3 : strcmp(type, "PTR") == 0 ? 2 : 1;
		if (name && name[0] && rank > best) {
			h->hostname = name;
			best = rank;
		}
	}
	return 0;
}

static int nmap_host(struct fx *x, const xmlNode *host, struct scan_host *h)
{
	memset(h, 0, sizeof(*h));
	if (nmap_names(x, host, h) != 0)
		return -1;
	const xmlNode *ports = fx_child(host, "ports");
	size_t n = 0;
	for (const xmlNode *p = fx_child(ports, "port"); p; p = fx_next(p, "port"))
		n++;
	if (n > FEED_MAX_ITEMS)
		return fx_fail(x, ports, E_TOOLARGE, MSG_FEED_LIMIT, "%zu ports (at most %d)", n,
			       FEED_MAX_ITEMS);
	struct scan_service *svc = arena_alloc(x->a, (n ? n : 1) * sizeof(*svc));
	if (svc == NULL)
		return feed_nomem(x->e, x->name);
	for (const xmlNode *p = fx_child(ports, "port"); p; p = fx_next(p, "port"))
		if (nmap_service(x, p, &svc[h->nservices++]) != 0)
			return -1;
	h->services = svc;
	return nmap_os(x, host, h);
}

static int host_is_up(struct fx *x, const xmlNode *host, int *up)
{
	const char *state;
	if (fx_attr(x, fx_child(host, "status"), "state", &state) != 0)
		return -1;
	*up = state == NULL || strcmp(state, "up") == 0;
	return 0;
}

static int nmap_walk(struct fx *x, const xmlNode *root, scan_sink sink, void *arg, long *count)
{
	*count = 0;
	for (const xmlNode *host = fx_child(root, "host"); host; host = fx_next(host, "host")) {
		struct scan_host h;
		int up, rc;
		if (host_is_up(x, host, &up) != 0)
			return -1;
		if (!up)
			continue;
		rc = nmap_host(x, host, &h);
		if (rc == 0 && sink)
			rc = sink(arg, &h, x->e);
		arena_reset(x->a);
		if (rc != 0)
			return -1;
		(*count)++;
	}
	return 0;
}

/* nmaprun@start, else the earliest host starttime, in ms; 0 unknown. */
static int nmap_time(struct fx *x, const xmlNode *root, int64_t *at)
{
	const char *start;
	long long t;
	*at = 0;
	if (fx_attr(x, root, "start", &start) != 0)
		return -1;
	t = number(start, 253402300799LL);     /* 9999-12-31 */
	for (const xmlNode *h = fx_child(root, "host"); t < 0 && h; h = fx_next(h, "host")) {
		if (fx_attr(x, h, "starttime", &start) != 0)
			return -1;
		t = number(start, 253402300799LL);
	}
	*at = t > 0 ? (int64_t)t * 1000 : 0;
	return 0;
}

long scan_parse_nmap(const char *name, const char *data, size_t n, scan_sink sink, void *arg,
		     int64_t *scanned_at, struct err *e)
{
	struct fx x = { .name = name, .e = e };
	long count = -1, rc = -1;
	int64_t at = 0;

	xmlDocPtr doc = fx_read(name, data ? data : "", data ? n : 0, e);
	if (doc == NULL)
		return -1;
	xmlNode *root = xmlDocGetRootElement(doc);
	if (!fx_is(root, "nmaprun")) {
		const char *hint = fx_is(root, "report") || fx_is(root, "get_reports_response")
			? " (a Greenbone/OpenVAS report? import it as openvas)" : "";
		fx_fail(&x, root, E_INVALID, MSG_FEED_SCHEMA, "not an nmap XML report (no <nmaprun>)%s",
			hint);
		goto out;
	}
	x.a = arena_new(FEED_SCRATCH_MAX);
	if (x.a == NULL) {
		feed_nomem(e, name);
		goto out;
	}
	/* Pass 1 checks every host; pass 2 hands them over. */
	if (nmap_time(&x, root, &at) != 0 || nmap_walk(&x, root, NULL, NULL, &count) != 0)
		goto out;
	if (sink && nmap_walk(&x, root, sink, arg, &count) != 0)
		goto out;
	if (scanned_at)
		*scanned_at = at;
	rc = count;
out:
	arena_free(x.a);
	xmlFreeDoc(doc);
	return rc;
}
