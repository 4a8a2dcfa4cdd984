/*
 * vuln.h - vulnerability feeds in the database, the matcher that turns
 * inventories and feeds into findings (host x vulnerability), the findings'
 * life (open, fixed by itself when a newer inventory shows the fixed
 * version, accepted risk with a reason and an expiry), scanner imports and
 * the due dates of the patch policy (regulation.md §2 T14).
 */
#ifndef UNGCUU_VULN_H
#define UNGCUU_VULN_H

#include "../domain.h"

struct vuln_stats {
	long records;      /* feed records read, or hosts in a scan */
	long created, updated, withdrawn;
	long hosts;        /* hosts matched */
	long opened, closed, kept;   /* findings */
};

/* Imports one feed file (kind: osv | nvd | kev) in one transaction: a
 * malformed file changes nothing. Re-importing updates in place. */
int vuln_import(struct ctx *c, const char *kind, const char *name, const char *data,
		size_t n, struct vuln_stats *st, struct err *e);

/* Recomputes the findings of one host (host_id) or of every host in the
 * actor's scope (NULL), from inventories and feeds: a transaction (and an
 * audit entry "findings.match") per batch of 100 hosts, so a failure
 * leaves the batches before it committed; a later run goes on from there. */
int vuln_match(struct ctx *c, const char *host_id, struct vuln_stats *st, struct err *e);

/* Imports a scanner report (kind: nmap | openvas) for the organisation
 * org_code (default the actor's): hosts found or created, services and
 * findings updated, the scan recorded. One transaction. */
int scan_import(struct ctx *c, const char *kind, const char *name, const char *data,
		size_t n, const char *org_code, struct vuln_stats *st, json_t **scan,
		struct err *e);

/* Imports the JSON a Windows PC's collect.ps1 wrote, as that host's inventory. */
json_t *windows_import(struct ctx *c, const char *name, const char *data, size_t n,
		       const char *org_code, struct err *e);
/* Stores an agent's inventory for its host (the signature by key already
 * checked) and rematches it. Its collected_at and sequence must be fresh
 * (agent_stamp_read, asset.h): else 422 or 409 and nothing changes. */
json_t *agent_inventory(struct ctx *c, const char *host_id, const char *key, json_t *inv,
			struct err *e);

/* A page of findings (domain/page.h): sorts priority (KEV, CVSS, due date;
 * the default), due, first_seen, host. */
struct finding_filter {
	const char *org_code, *host_id, *status, *severity, *vuln_id;
	int kev, overdue, limit;
	const char *sort, *order, *cursor;
};
json_t *finding_list(struct ctx *c, const struct finding_filter *f, struct err *e);
/* {status: accepted|open, reason, accepted_until} under If-Match. */
json_t *finding_update(struct ctx *c, const char *id, long long if_match, json_t *body,
		       struct err *e);
json_t *vuln_get(struct ctx *c, const char *id, struct err *e);
/* The severity word of a CVSS score. */
const char *severity_of(double cvss);
/* Days to fix by policy: known-exploited and critical sooner. */
int64_t finding_due(int64_t first_seen, const char *severity, int kev);

#endif
