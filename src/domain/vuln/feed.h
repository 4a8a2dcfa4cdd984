/*
 * feed.h - vulnerability feeds and scanner reports, parsed into plain
 * records handed one at a time to a sink (so the importer never builds a
 * second copy of a 100,000-entry feed). Parsers do no I/O beyond reading
 * the bytes given.
 *
 * Errors name the file (the `name` argument) and a position in e->arg:
 *   "cves.json: line 1, column 1234 (byte 1233): ']' expected near end of file"
 *   "kev.json: /vulnerabilities/0: no \"cve\" object (a CISA KEV catalogue? import it as kev)"
 *   "osv.jsonl: line 3, record GHSA-xxxx: /affected/0/package/name: expected a string"
 * with e->code E_MALFORMED (syntax, truncation), E_INVALID (wrong structure
 * or value), E_TOOLARGE (a FEED_MAX_* limit) or E_NOMEM, and e->msg one of
 * MSG_FEED_SYNTAX, MSG_FEED_SCHEMA, MSG_FEED_LIMIT.
 *
 * All or nothing: a parser checks the whole file before it hands the first
 * record over, so when it fails the sink has not been called at all. Only
 * an error the sink itself returns stops an import halfway (the importer
 * runs it in one transaction for that).
 *
 * Records and their strings are lent to the sink for the call only.
 */
#ifndef UNGCUU_FEED_H
#define UNGCUU_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "../../base/err.h"

/* Limits on untrusted feed and scan files (each past-the-limit value gives
 * E_TOOLARGE naming the field, never a crash or a silent cut):
 * - one string field (an id, a summary, a CPE, a version...): the longest
 *   real values are NVD descriptions of a few KiB; 64 KiB leaves room;
 * - items in one list of one record (affected entries, ranges, versions,
 *   aliases; services or results of one scanned host): the largest NVD
 *   records have a few thousand CPE matches, and a host 2 x 65,536 ports;
 * - XML nesting: nmap and Greenbone reports are under 10 levels deep. */
#define FEED_MAX_STRING (64 * 1024)
#define FEED_MAX_ITEMS 100000
#define SCAN_MAX_XML_DEPTH 256

/*
 * One affected-version range of a package (OSV "ranges" events, or an NVD
 * CPE match with versionStart/End...). NULL means "not given"; a range
 * whose fields are all NULL covers every version.
 * OSV events are paired in the order listed: "introduced" opens a range,
 * "fixed" or "last_affected" closes it (one feed_range per pair); a second
 * "introduced" while a range is open is ignored (with sorted events the
 * first one is the lower bound); a range still open at the end has no
 * upper bound; "limit" events and GIT ranges are ignored.
 */
struct feed_range {
	const char *introduced;       /* OSV introduced ("0" = from the start) */
	const char *fixed;            /* first version not affected */
	const char *last_affected;    /* last version affected (inclusive) */
	const char *start_including, *start_excluding;   /* NVD */
	const char *end_including, *end_excluding;       /* NVD */
};

/*
 * A package (OSV) or a CPE match criteria (NVD) and which of its versions
 * are affected: a version is affected when it is in versions[] or inside
 * one of ranges[]. Every entry handed over has at least one of the two
 * (OSV entries with only GIT ranges, or no ranges and no versions, are
 * left out).
 * NVD: one entry per distinct criteria string among the vulnerable:true
 * cpeMatch entries of the record, in order of first appearance; each of its
 * cpeMatch entries adds a range (versionStart/End...), or, without such
 * keys, the criteria's own version to versions[] (unescaped) or, when that
 * is '*' or '-', a range with every field NULL. Negated nodes are skipped.
 * NVD "AND" configurations (a vulnerable application running on a
 * vulnerable:false platform) are not enforced: only the vulnerable matches
 * become entries, so a match means "this product, whatever it runs on".
 */
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
	const char *const *aliases;   /* OSV aliases then upstream; none for NVD/KEV */
	size_t naliases;
	const char *summary;          /* OSV summary (else details), NVD English
				       * description, KEV vulnerabilityName */
	/* Base score 0..10, -1 unknown. NVD: the highest cvssMetricV31/V30
	 * score, the Primary (NVD's own) ones if any, else cvssMetricV2, else
	 * cvssMetricV40. OSV: a number in severity[].score, or the CVSS v3.x
	 * base score computed from the vector (top-level severity[], else the
	 * highest of affected[].severity[]). */
	double cvss;
	/* low|medium|high|critical or NULL: NVD baseSeverity of that metric;
	 * OSV database_specific.severity (GHSA: MODERATE = medium), else
	 * affected[].ecosystem_specific/database_specific severity; else, for
	 * both, the CVSS v3 band of the score. */
	const char *severity;
	int64_t published, modified;  /* UTC ms, 0 unknown */
	int withdrawn;                /* OSV withdrawn / NVD Rejected */
	int kev;                      /* in CISA's Known Exploited Vulnerabilities */
	int64_t kev_due;              /* KEV dueDate / NVD cisaActionDue, UTC ms, 0 unknown */
	const char *kev_action;       /* KEV requiredAction / NVD cisaRequiredAction */
	int64_t kev_added;            /* KEV dateAdded / NVD cisaExploitAdd, UTC ms, 0 unknown */
	int kev_ransomware;           /* KEV knownRansomwareCampaignUse "Known" */
	const char *vendor, *product; /* KEV vendorProject, product (for display) */
	const struct feed_affected *affected;
	size_t naffected;
};

/* Return 0 to go on, -1 (with e filled) to stop. */
typedef int (*feed_sink)(void *arg, const struct feed_vuln *v, struct err *e);

/* OSV: one object, an array of objects, {"vulns": [...]} (the osv.dev API),
 * or JSON lines / concatenated objects; NVD CVE API 2.0: the response
 * envelope ({vulnerabilities:[{cve}]}) or one bare cve object; KEV: the
 * catalogue JSON (each entry gives kev=1, kev_due, id = cveID, no
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
	const char *cpe;              /* CPE 2.3 (converted from nmap's 2.2 URI), or NULL;
				       * the first cpe:/a: of the service, else its first */
	int probed;                   /* nmap method="probed" (a real version check) */
};

struct scan_result {              /* an OpenVAS/Greenbone result */
	const char *port;             /* "443/tcp", "general/tcp" */
	const char *nvt_oid, *name;
	double severity;              /* CVSS, -1 unknown */
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

/* nmap -oX: one host per <host> whose status is "up" (down hosts are
 * skipped), its ports in file order; os_cpe from the most accurate osmatch,
 * else a service's cpe:/o:. OpenVAS/Greenbone GMP report XML: one host per
 * distinct address of the results and report/host entries, in order of
 * first appearance, with its results. scanned_at (may be NULL) gets the
 * scan's start (ms; 0 unknown). DTD entity declarations are refused; no
 * external entity or DTD is ever loaded. */
long scan_parse_nmap(const char *name, const char *data, size_t n, scan_sink sink,
		     void *arg, int64_t *scanned_at, struct err *e);
long scan_parse_openvas(const char *name, const char *data, size_t n, scan_sink sink,
			void *arg, int64_t *scanned_at, struct err *e);

/* "cpe:/a:openbsd:openssh:7.6p1" -> "cpe:2.3:a:openbsd:openssh:7.6p1:*:*:*:*:*:*:*"
 * (NISTIR 7695: empty = '*', '-' kept, %xx decoded, %01/%02 become the
 * wildcards '?'/'*', other punctuation quoted with '\', the packed
 * "~edition~sw_edition~target_sw~target_hw~other" edition unpacked,
 * lowercased). Returns out, or NULL when uri is not a CPE 2.2 URI or out
 * (n bytes) is too small. */
char *cpe_uri_to_23(const char *uri, char *out, size_t n);
/* Whether the CPE 2.3 name matches the criteria, attribute by attribute
 * (all 11), case-insensitively, '\'-escapes honoured: '*' alone (ANY) in
 * the criteria matches anything; '-' (NA) matches only '-'; unquoted '*'
 * and '?' inside a criteria value are wildcards (any run, one character).
 * An ANY in the name (a scanner that did not know the value) matches
 * whatever the criteria says; the caller compares versions itself when
 * the name's version is '*'. Either argument may also be a 2.2 URI.
 * 0 for no match or a malformed argument. */
int cpe_match(const char *criteria, const char *name);

#endif
