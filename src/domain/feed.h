/*
 * feed.h - vulnerability feeds and scanner reports, parsed into plain
 * records handed one at a time to a sink (so a 100,000-entry feed is never
 * all in memory). Parsers do no I/O beyond reading the bytes given; errors
 * name the file (the `name` argument) and the position (byte offset or
 * line) and nothing is handed to the sink after an error in a record's
 * syntax. Records and their strings are lent to the sink for the call only.
 */
#ifndef UNGCUU_FEED_H
#define UNGCUU_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

/* One affected-version range of a package (OSV "ranges" with events, or an
 * NVD CPE match with versionStart/End...). NULL means "not given". */
struct feed_range {
	const char *introduced;       /* OSV introduced ("0" = from the start) */
	const char *fixed;            /* first version not affected */
	const char *last_affected;    /* last version affected (inclusive) */
	const char *start_including, *start_excluding;   /* NVD */
	const char *end_including, *end_excluding;       /* NVD */
};

struct feed_affected {
	const char *ecosystem;        /* OSV ecosystem ("Debian:12", "npm"), or "cpe" for NVD */
	const char *package;          /* package name, or for NVD the CPE 2.3 criteria string */
	const struct feed_range *ranges;
	size_t nranges;
	const char *const *versions;  /* exact affected versions (OSV "versions", NVD exact CPE) */
	size_t nversions;
};

struct feed_vuln {
	const char *id;               /* CVE-2021-44228, GHSA-..., DSA-..., DEBIAN-CVE-... */
	const char *const *aliases;
	size_t naliases;
	const char *summary;
	double cvss;                  /* base score 0..10, -1 unknown (highest v3.x, else v2) */
	const char *severity;         /* low|medium|high|critical, or NULL */
	int64_t published, modified;  /* UTC ms, 0 unknown */
	int withdrawn;                /* OSV withdrawn / NVD Rejected */
	int kev;                      /* in CISA's Known Exploited Vulnerabilities */
	int64_t kev_due;              /* KEV dueDate, UTC ms, 0 unknown */
	const char *kev_action;       /* KEV requiredAction */
	const struct feed_affected *affected;
	size_t naffected;
};

/* Return 0 to go on, -1 (with e filled) to stop. */
typedef int (*feed_sink)(void *arg, const struct feed_vuln *v, struct err *e);

/* OSV: one object, an array of objects, or JSON lines; NVD CVE API 2.0: the
 * response envelope ({vulnerabilities:[{cve}]}) or one bare cve object; KEV:
 * the catalogue JSON (each entry gives kev=1, kev_due, id = cveID, no
 * affected). Returns the number of records handed over, or -1. */
long feed_parse_osv(const char *name, const char *data, size_t n, feed_sink sink,
		    void *arg, struct err *e);
long feed_parse_nvd(const char *name, const char *data, size_t n, feed_sink sink,
		    void *arg, struct err *e);
long feed_parse_kev(const char *name, const char *data, size_t n, feed_sink sink,
		    void *arg, struct err *e);

/* ---- scanner reports ---- */

struct scan_service {
	const char *proto;            /* tcp | udp */
	int port;
	const char *state;            /* open | filtered | closed ... */
	const char *name, *product, *version;
	const char *cpe;              /* CPE 2.3 (converted from nmap's 2.2 URI), or NULL */
	int probed;                   /* nmap method="probed" (a real version check) */
};

struct scan_result {              /* an OpenVAS/Greenbone result */
	const char *port;             /* "443/tcp", "general/tcp" */
	const char *nvt_oid, *name;
	double severity;              /* CVSS */
	const char *threat;           /* High | Medium | Low | Log */
	const char *const *cves;
	size_t ncves;
	const char *solution;
};

struct scan_host {
	const char *address;          /* IPv4 or IPv6 */
	const char *hostname;         /* or NULL */
	const char *mac;
	const char *os_cpe;           /* best OS CPE 2.3 if the report has one */
	const struct scan_service *services;
	size_t nservices;
	const struct scan_result *results;
	size_t nresults;
};

typedef int (*scan_sink)(void *arg, const struct scan_host *h, struct err *e);

/* nmap -oX; OpenVAS GMP report XML. scanned_at gets the scan's time (ms). */
long scan_parse_nmap(const char *name, const char *data, size_t n, scan_sink sink,
		     void *arg, int64_t *scanned_at, struct err *e);
long scan_parse_openvas(const char *name, const char *data, size_t n, scan_sink sink,
			void *arg, int64_t *scanned_at, struct err *e);
/* "cpe:/a:openbsd:openssh:7.6p1" -> "cpe:2.3:a:openbsd:openssh:7.6p1:*:*:*:*:*:*:*" */
char *cpe_uri_to_23(const char *uri, char *out, size_t n);
/* Whether the CPE 2.3 name matches the criteria (wildcards '*', '-'). */
int cpe_match(const char *criteria, const char *name);

#endif
