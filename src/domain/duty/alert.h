/*
 * alert.h - alerts from syslog intake (issue 17 item 6): lines from an
 * organisation's devices that hit an indicator or a configured rule,
 * grouped (one alert per source organisation and indicator or rule within
 * a window, with a count and first/last seen), which a coordinator promotes
 * to an incident (its observable attached) or dismisses.
 *
 * The listener (src/syslogd/) matches lines and hands groups over in
 * batches; each batch is one transaction, so a line is in an alert whole
 * or not at all.
 */
#ifndef UNGCUU_DUTY_ALERT_H
#define UNGCUU_DUTY_ALERT_H

#include <stdatomic.h>

#include "../domain.h"

#define ALERT_SAMPLE_MAX 1000
#define ALERT_KEY_MAX 512
#define ALERT_WINDOW_DEFAULT (3600LL * 1000)   /* one hour */

/* What the listener saw of one match, grouped in memory before a flush. */
struct alert_group {
	char org_id[UUID_LEN];
	char source[64];             /* sender address */
	char host[256];              /* HOSTNAME of the last line */
	char kind[8];                /* ip domain url email hash rule */
	char key[ALERT_KEY_MAX];     /* the indicator, or the rule's name */
	char observed[ALERT_KEY_MAX];
	char severity[12];
	char sample[ALERT_SAMPLE_MAX + 1];
	long long count;
	int64_t first, last;
};

/* Records a batch in one transaction: each group joins the open alert of
 * its organisation, kind and key whose last line is within window_ms of
 * the group's first, else opens a new one. */
int alert_record(struct ctx *c, const struct alert_group *g, size_t n, int64_t window_ms,
		 struct err *e);

/* What the listener reads of the store, so that it runs no SQL itself:
 * the indicators' count and newest change (to notice a change); each
 * indicator it may match (to_ids, not expired) as (kind, value); each
 * address of the hosts registry with its host's organisation, oldest host
 * first; the instance's home organisation (senders nobody names). */
int alert_indicators_mark(struct ctx *c, long long *count, long long *updated, struct err *e);
typedef void (*alert_pair_fn)(void *arg, const char *a, const char *b);
int alert_indicators_each(struct ctx *c, alert_pair_fn fn, void *arg, struct err *e);
int alert_host_addresses(struct ctx *c, alert_pair_fn fn, void *arg, struct err *e);
int alert_home_org(struct ctx *c, char org_id[UUID_LEN], struct err *e);
/* The id of the organisation with this code, for the configured list. */
int alert_org_id(struct ctx *c, const char *code, char org_id[UUID_LEN], struct err *e);

/* A page of the actor's subtree's alerts (status NULL: open ones; "all"),
 * sorted by last_seen (default, newest first), first_seen or count. */
struct page_ask;
json_t *alert_list(struct ctx *c, const char *status, const char *org_code,
		   const struct page_ask *pa, struct err *e);
json_t *alert_get(struct ctx *c, const char *id, struct err *e);
/* Files an incident of the alert's organisation (body: optional type,
 * title, severity), attaches the observable, marks the alert promoted. */
json_t *alert_promote(struct ctx *c, const char *id, long long if_match, json_t *body,
		      struct err *e);
/* body: {"reason": "..."} (required). */
json_t *alert_dismiss(struct ctx *c, const char *id, long long if_match, json_t *body,
		      struct err *e);

/* Intake counters since start (the listener writes, the API reads). */
enum syslog_counter {
	SLC_RECEIVED, SLC_MATCHED, SLC_REFUSED_EMPTY, SLC_REFUSED_TOO_LONG, SLC_REFUSED_BAD_PRI,
	SLC_REFUSED_BAD_HEADER, SLC_REFUSED_BAD_UTF8, SLC_RATE_LIMITED, SLC_QUEUE_FULL,
	SLC_STORE_FAILED, SLC_TCP_CLOSED_BAD, SLC_PROCESSED, SLC_TCP_REFUSED, SLC__COUNT
};
extern _Atomic long long syslog_counters[SLC__COUNT];
extern _Atomic int syslog_running;      /* the listener is up */
extern _Atomic long long syslog_indicators;   /* indicators in the matcher's set */
json_t *syslog_status(struct ctx *c, struct err *e);

#endif
