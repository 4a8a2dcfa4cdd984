/*
 * notify.h - delivery of the notifications the domain queued (issue 17 item
 * 4): a background thread of `ungcuu serve` sends due email (SMTP through
 * libcurl, one connection reused) and webhooks (JSON POST signed with
 * HMAC-SHA256) on two threads, each send with a time limit, and records every attempt: sent,
 * retried with exponential backoff, failed with its reason. It also runs
 * the duty scan (clocks, escalation, approvals) at an interval.
 */
#ifndef UNGCUU_NOTIFY_H
#define UNGCUU_NOTIFY_H

#include <stdint.h>

#include "../store/store.h"
#include "../base/netguard.h"

struct notify_conf {
	char smtp_url[256];        /* smtp://127.0.0.1:25, smtps://...; "" = no mail */
	char smtp_user[128], smtp_password[128];
	char mail_from[256];       /* ungcuu@localhost */
	char reply_from[256];      /* replies to reports by email: [mail] address
				      (the intake address; "" = mail_from) */
	long timeout_ms;           /* per send: 10 s */
	int max_attempts;          /* then failed: 40 */
	int64_t retry_base_ms;     /* first retry after: 30 s, doubling */
	int64_t retry_max_ms;      /* the longest wait between tries: 10 min */
	int64_t scan_every_ms;     /* the duty scan: 30 s */
	int64_t poll_ms;           /* how often due deliveries are looked for: 200 ms */
	int batch;                 /* deliveries per round: 500 */
	struct net_allow webhook_allow; /* private networks a webhook may reach */
};

void notify_conf_default(struct notify_conf *c);

/* The delay before attempt `attempts` + 1 after a failure. */
int64_t notify_backoff(const struct notify_conf *c, int attempts);

/* One round of one channel ("email" or "webhook"): sends the due
 * deliveries (at most c->batch) and records them. Returns how many were
 * handled, -1 on a database error. */
int notify_deliver_due(struct store *db, const struct notify_conf *c, const char *channel,
		       int64_t now);

/* One round of the replies to reports by email (mail_outbox, queued by
 * the intake in its transaction): sent through the same SMTP server, in
 * the sender's thread (In-Reply-To), retried with backoff, failed after
 * max_attempts or a permanent refusal, each attempt on the row. Returns
 * how many were handled, -1 on a database error. */
int notify_deliver_replies(struct store *db, const struct notify_conf *c, int64_t now);

/* The background threads (mail and the duty scan; webhooks), each on its
 * own connection to db_path. */
int notify_start(const char *db_path, const struct notify_conf *c);
void notify_stop(void);

/* HMAC-SHA256 of body with key, as lowercase hex (65 bytes). */
void notify_hmac_hex(const char *key, const void *body, size_t n, char out[65]);

#endif
