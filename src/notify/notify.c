/* notify.c - the delivery worker: SMTP and webhooks through libcurl. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "notify.h"
#include "../base/err.h"
#include "../base/log.h"
#include "../base/msg.h"
#include "../base/timeutil.h"
#include "../base/uuid.h"
#include "../domain/duty/notify_rules.h"
#include "../domain/directory/secrets.h"
#include "../store/leader.h"
#include "../base/banned.h"

void notify_conf_default(struct notify_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->mail_from, sizeof(c->mail_from), "%s", "ungcuu@localhost");
	c->timeout_ms = 10000;
	c->max_attempts = 40;
	c->retry_base_ms = 30000;
	c->retry_max_ms = 600000;
	c->scan_every_ms = 30000;
	c->poll_ms = 200;
	c->batch = 500;
}

int64_t notify_backoff(const struct notify_conf *c, int attempts)
{
	int64_t d = c->retry_base_ms;
	for (int i = 1; i < attempts && d < c->retry_max_ms; i++)
		d *= 2;
	return d < c->retry_max_ms ? d : c->retry_max_ms;
}

void notify_hmac_hex(const char *key, const void *body, size_t n, char out[65])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, body, n);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
}

/* ---- one delivery ---- */

struct job {
	char id[UUID_LEN], channel[16], target[1024], secret[80];
	/* a reply to a report by email: its Message-ID and the sender's */
	char mid[300], irt[1000];
	char *subject, *body;
	int attempts;
	/* the outcome */
	int ok, permanent;
	char error[300];
};

struct reader {
	const char *p;
	size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct reader *r = arg;
	size_t n = size * nitems;
	if (n > r->left)
		n = r->left;
	memcpy(buf, r->p, n);
	r->p += n;
	r->left -= n;
	return n;
}

static size_t discard_cb(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* An address we put in an SMTP envelope and a header: no controls, no
 * spaces, no angle brackets, one @. */
static int address_ok(const char *a)
{
	const char *at = strchr(a, '@');
	if (at == NULL || strchr(at + 1, '@') || at == a || at[1] == '\0' || strlen(a) > 254)
		return 0;
	for (const char *p = a; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == 0x7f || *p == ',' ||
		    *p == '"' || *p == '\\')
			return 0;
	return 1;
}

/* Base64 of s (for an RFC 2047 subject and the body). */
static char *b64(const char *s, size_t n)
{
	size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
	char *out = malloc(len);
	if (out)
		sodium_bin2base64(out, len, (const unsigned char *)s, n,
				  sodium_base64_VARIANT_ORIGINAL);
	return out;
}

/* A Message-ID we put in a header: printable, no spaces or brackets (no
 * header can be injected through a reporter's Message-ID). */
static int header_id_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == '<' || *s == '>' || *s == 0x7f)
			return 0;
	return 1;
}

/* The sender of a mail: a reply to a report comes from the intake
 * address (the reporter answers into the intake), the rest from mail_from. */
static const char *mail_sender(const struct notify_conf *c, const struct job *j)
{
	return j->mid[0] && c->reply_from[0] ? c->reply_from : c->mail_from;
}

static char *mail_text(const struct notify_conf *c, const struct job *j)
{
	char *subj = b64(j->subject, strlen(j->subject));
	char *body = b64(j->body, strlen(j->body));
	char *out = NULL;
	if (subj && body) {
		char date[64];
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
		/* the body's base64 in lines of 76 */
		size_t bl = strlen(body), cap = strlen(subj) + bl + bl / 76 * 2 + 5120;
		out = malloc(cap);
		if (out) {
			char mid[400], thread[2100] = "";
			if (j->mid[0] && header_id_ok(j->mid))
				snprintf(mid, sizeof(mid), "<%s>", j->mid);
			else
				snprintf(mid, sizeof(mid), "<%s@ungcuu>", j->id);
			if (j->irt[0] && header_id_ok(j->irt))
				snprintf(thread, sizeof(thread), "In-Reply-To: <%s>\r\n"
					 "References: <%s>\r\n", j->irt, j->irt);
			int k = snprintf(out, cap, "From: ungcuu <%s>\r\nTo: <%s>\r\nSubject: "
					 "=?UTF-8?B?%s?=\r\nDate: %s\r\nMessage-ID: %s\r\n%s"
					 "MIME-Version: 1.0\r\nContent-Type: text/plain; "
					 "charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n"
					 "Auto-Submitted: %s\r\n\r\n", mail_sender(c, j),
					 j->target, subj, date, mid, thread,
					 j->mid[0] ? "auto-replied" : "auto-generated");
			size_t pos = (size_t)k;
			for (size_t i = 0; i < bl; i += 76) {
				size_t n = bl - i < 76 ? bl - i : 76;
				memcpy(out + pos, body + i, n);
				pos += n;
				out[pos++] = '\r';
				out[pos++] = '\n';
			}
			out[pos] = '\0';
		}
	}
	free(subj);
	free(body);
	return out;
}

static void send_mail(CURL *h, const struct notify_conf *c, struct job *j)
{
	if (c->smtp_url[0] == '\0') {
		snprintf(j->error, sizeof(j->error), "no SMTP server configured ([notify] smtp_url)");
		return;
	}
	if (!address_ok(j->target) || !address_ok(mail_sender(c, j))) {
		snprintf(j->error, sizeof(j->error), "invalid address");
		j->permanent = 1;
		return;
	}
	char *msg = mail_text(c, j);
	if (msg == NULL) {
		snprintf(j->error, sizeof(j->error), "out of memory");
		return;
	}
	struct reader r = { msg, strlen(msg) };
	char rcpt[1040], from[300];
	snprintf(rcpt, sizeof(rcpt), "<%s>", j->target);
	snprintf(from, sizeof(from), "<%s>", mail_sender(c, j));
	struct curl_slist *to = curl_slist_append(NULL, rcpt);
	curl_easy_setopt(h, CURLOPT_URL, c->smtp_url);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, to);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &r);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r.left);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (c->smtp_user[0]) {
		curl_easy_setopt(h, CURLOPT_USERNAME, c->smtp_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->smtp_password);
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	}
	CURLcode rc = curl_easy_perform(h);
	if (rc == CURLE_OK) {
		j->ok = 1;
	} else {
		long code = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		snprintf(j->error, sizeof(j->error), "%s (SMTP %ld)", curl_easy_strerror(rc), code);
		j->permanent = code >= 550 && code < 560 && rc == CURLE_SEND_ERROR; /* no mailbox */
	}
	curl_slist_free_all(to);
	free(msg);
}

static void send_hook(CURL *h, const struct notify_conf *c, struct job *j)
{
	if (j->secret[0] == '\0') {
		snprintf(j->error, sizeof(j->error), "the webhook was removed, or its key does not open");
		j->permanent = 1;
		return;
	}
	/* Where it leads now: a name that resolves into a refused network
	 * since it was saved fails for good; the address checked is the one
	 * connected to (CURLOPT_RESOLVE), so a second lookup cannot switch it,
	 * no redirect is followed, no proxy from the environment is used. */
	char pin[400], why[200];
	int v = net_check_url(j->target, &c->webhook_allow, pin, sizeof(pin), why, sizeof(why));
	if (v != NET_OK) {
		snprintf(j->error, sizeof(j->error), "refused: %s", why);
		j->permanent = v != NET_NO_ADDRESS;
		return;
	}
	char mac[65], sig[120], did[80], ev[160];
	notify_hmac_hex(j->secret, j->body, strlen(j->body), mac);
	snprintf(sig, sizeof(sig), "X-Ungcuu-Signature: sha256=%s", mac);
	snprintf(did, sizeof(did), "X-Ungcuu-Delivery: %s", j->id);
	snprintf(ev, sizeof(ev), "X-Ungcuu-Event: %s", j->subject);
	struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
	hd = curl_slist_append(hd, sig);
	hd = curl_slist_append(hd, did);
	hd = curl_slist_append(hd, ev);
	struct curl_slist *resolve = pin[0] ? curl_slist_append(NULL, pin) : NULL;
	curl_easy_setopt(h, CURLOPT_URL, j->target);
	curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, j->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(j->body));
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_cb);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "ungcuu-notify");
	CURLcode rc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_OK && code >= 200 && code < 300)
		j->ok = 1;
	else if (rc == CURLE_OK)
		snprintf(j->error, sizeof(j->error), "HTTP %ld", code);
	else
		snprintf(j->error, sizeof(j->error), "%s", curl_easy_strerror(rc));
	/* the handle is reused: the next send resolves its own */
	curl_easy_setopt(h, CURLOPT_RESOLVE, NULL);
	curl_slist_free_all(resolve);
	curl_slist_free_all(hd);
}

/* ---- a round ---- */

/* each worker thread's: one SMTP connection reused from mail to mail */
static _Thread_local CURL *mail_h, *hook_h;

static void jobs_free(struct job *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].subject);
		free(v[i].body);
	}
	free(v);
}

/* The outcomes of n sends on their rows, in one transaction: sent; failed
 * for good (refused, or the last try); or tried again after the backoff.
 * The notifications' deliveries and the intake's replies keep the same
 * columns; a delivery's claim (several nodes) ends with its outcome. */
enum { OUT_DELIVERIES, OUT_MAIL_OUTBOX };
static const char *const out_sql[2][3] = {
	{ "UPDATE deliveries SET status = 'sent', attempts = $1, sent_at = $2, "
	  "last_error = NULL, claim_epoch = NULL WHERE id = $3",
	  "UPDATE deliveries SET status = 'failed', attempts = $1, last_error = $2, "
	  "claim_epoch = NULL WHERE id = $3",
	  "UPDATE deliveries SET attempts = $1, next_at = $2, last_error = $3, "
	  "claim_epoch = NULL WHERE id = $4" },
	{ "UPDATE mail_outbox SET status = 'sent', attempts = $1, sent_at = $2, "
	  "last_error = '' WHERE id = $3",
	  "UPDATE mail_outbox SET status = 'failed', attempts = $1, last_error = $2 WHERE id = $3",
	  "UPDATE mail_outbox SET attempts = $1, next_at = $2, last_error = $3 WHERE id = $4" },
};

static int record_outcomes(struct store *db, const struct notify_conf *c, int table,
			   const struct job *v, size_t n, struct err *e)
{
	const char *const *sql = out_sql[table];
	int64_t at = time_now_ms();
	if (store_begin(db, e) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct job *j = &v[i];
		int64_t tries = j->attempts + 1;
		int r;
		if (j->ok)
			r = store_run(db, e, sql[0], "iit", tries, at, j->id);
		else if (j->permanent || tries >= c->max_attempts)
			r = store_run(db, e, sql[1], "itt", tries, j->error, j->id);
		else
			r = store_run(db, e, sql[2], "iitt", tries,
				      (int64_t)(at + notify_backoff(c, (int)tries)), j->error, j->id);
		if (r < 0) {
			store_rollback(db);
			return -1;
		}
	}
	return store_commit(db, e);
}

/* The claim: the due deliveries of one channel. With several nodes (a
 * leadership epoch) in one fenced write transaction, the rows locked FOR
 * UPDATE SKIP LOCKED (a second worker, say a deposed leader's round still
 * running, takes other rows or none) and leased to the epoch; what an
 * older epoch claimed and never recorded is due at once. One process
 * (SQLite): a plain read, as before. */
static const char CLAIM_SQL[] = "SELECT d.id, d.channel, d.target, d.subject, "
	"d.body, d.attempts, w.secret FROM deliveries d JOIN notifications n ON "
	"n.id = d.notification_id LEFT JOIN notify_webhooks w ON w.user_id = n.user_id "
	"WHERE d.status = 'queued' AND d.channel = $3 AND (d.next_at <= $1 OR "
	"(d.claim_epoch IS NOT NULL AND d.claim_epoch < $4)) "
	"ORDER BY d.next_at, d.id LIMIT $2";
static const char CLAIM_SQL_PG[] = "SELECT d.id, d.channel, d.target, d.subject, "
	"d.body, d.attempts, w.secret FROM deliveries d JOIN notifications n ON "
	"n.id = d.notification_id LEFT JOIN notify_webhooks w ON w.user_id = n.user_id "
	"WHERE d.status = 'queued' AND d.channel = $3 AND (d.next_at <= $1 OR "
	"(d.claim_epoch IS NOT NULL AND d.claim_epoch < $4)) "
	"ORDER BY d.next_at, d.id LIMIT $2 FOR UPDATE OF d SKIP LOCKED";

static size_t claim(struct store *db, const struct notify_conf *c, const char *channel,
		    int64_t now, struct job *v, struct err *e)
{
	int64_t epoch = leader_epoch();
	int pg = strcmp(store_backend(db), "postgresql") == 0;
	/* One process (SQLite, or no leadership): a plain read, as nobody
	 * else delivers; several nodes: a fenced write transaction. */
	int tx = epoch > 0;
	if (tx && store_begin(db, e) != 0)
		return (size_t)-1;
	struct stmt *st = store_query(db, e, pg ? CLAIM_SQL_PG : CLAIM_SQL, "iiti", now,
				      (int64_t)c->batch, channel, epoch);
	if (st == NULL) {
		if (tx)
			store_rollback(db);
		return (size_t)-1;
	}
	size_t n = 0;
	int rc;
	while ((rc = stmt_step(st, e)) == 1 && n < (size_t)c->batch) {
		struct job *j = &v[n++];
		snprintf(j->id, sizeof(j->id), "%s", stmt_text(st, 0));
		snprintf(j->channel, sizeof(j->channel), "%s", stmt_text(st, 1));
		snprintf(j->target, sizeof(j->target), "%s", stmt_text(st, 2));
		j->subject = strdup(stmt_text(st, 3));
		j->body = strdup(stmt_text(st, 4));
		j->attempts = (int)stmt_int(st, 5);
		/* the webhook's key, sealed at rest; one that does not open
		 * (altered) fails the send below, as no key does */
		struct err se = { 0 };
		if (stmt_text(st, 6) == NULL ||
		    secret_open(db, stmt_text(st, 6), j->secret, sizeof(j->secret), &se) != 0)
			j->secret[0] = '\0';
	}
	stmt_done(st);
	/* The lease (several nodes only: one process needs no claim): the
	 * i-th is sent after at most i time limits. */
	for (size_t i = 0; rc >= 0 && tx && i < n; i++)
		if (store_run(db, e, "UPDATE deliveries SET next_at = $1, claim_epoch = $2 "
			      "WHERE id = $3", "iit",
			      now + (int64_t)(i + 1) * c->timeout_ms + 5000, epoch, v[i].id) < 0)
			rc = -1;
	if (rc < 0 || (tx && store_commit(db, e) != 0)) {
		if (rc < 0 && tx)
			store_rollback(db);
		for (size_t i = 0; i < n; i++) {
			free(v[i].subject);
			free(v[i].body);
			v[i].subject = v[i].body = NULL;
		}
		return (size_t)-1;
	}
	return n;
}

static void send_one(const struct notify_conf *c, struct job *j)
{
	if (mail_h == NULL)
		mail_h = curl_easy_init();
	if (hook_h == NULL)
		hook_h = curl_easy_init();
	if (j->subject == NULL || j->body == NULL)
		snprintf(j->error, sizeof(j->error), "out of memory");
	else if (strcmp(j->channel, "email") == 0)
		send_mail(mail_h, c, j);
	else
		send_hook(hook_h, c, j);
}

int notify_deliver_due(struct store *db, const struct notify_conf *c, const char *channel,
		       int64_t now)
{
	struct err e = { 0 };
	char why[300];
	/* without an SMTP server mail stays queued, its tries untouched */
	if (strcmp(channel, "email") == 0 && c->smtp_url[0] == '\0')
		return 0;
	struct job *v = calloc((size_t)c->batch, sizeof(*v));
	if (v == NULL)
		return -1;
	size_t n = claim(db, c, channel, now, v, &e);
	if (n == (size_t)-1) {
		free(v);
		/* a deposed leader's claim is refused: not an error of the database */
		if (e.code == E_CONFLICT)
			return 0;
		log_error("notify: %s", err_text(&e, LANG_EN, why, sizeof(why)));
		return -1;
	}
	if (n == 0) {
		free(v);
		return 0;
	}
	/* Several nodes (a leadership epoch): each outcome is recorded as soon
	 * as it is known, so a leader killed mid-batch leaves at most the one
	 * delivery in flight to be sent again; sending stops as soon as this
	 * node no longer leads (the rest keep their claim for the next
	 * leader). One node: the batch's outcomes in one transaction. */
	int each = leader_epoch() > 0;
	size_t done = 0;
	for (size_t i = 0; i < n; i++) {
		if (each && !leader_is())
			break;
		send_one(c, &v[i]);
		done = i + 1;
		if (!each)
			continue;
		if (record_outcomes(db, c, OUT_DELIVERIES, &v[i], 1, &e) != 0)
			goto fail;
	}
	if (!each && record_outcomes(db, c, OUT_DELIVERIES, v, done, &e) != 0)
		goto fail;
	for (size_t i = 0; i < done; i++)
		if (!v[i].ok)
			log_warn("notify: %s to %s, attempt %d: %s", v[i].channel, v[i].target,
				 v[i].attempts + 1, v[i].error);
	jobs_free(v, n);
	return (int)done;
fail:
	log_error("notify: %s", err_text(&e, LANG_EN, why, sizeof(why)));
	jobs_free(v, n);
	return -1;
}

/* ---- replies to reports by email ---- */

int notify_deliver_replies(struct store *db, const struct notify_conf *c, int64_t now)
{
	struct err e = { 0 };
	char why[300];
	if (c->smtp_url[0] == '\0')
		return 0;   /* they wait, their tries untouched */
	struct stmt *st = store_query(db, &e, "SELECT id, recipient, subject, body, message_id, "
		"in_reply_to, attempts FROM mail_outbox WHERE status = 'queued' AND next_at <= $1 "
		"ORDER BY next_at, created_at, id LIMIT $2", "ii", now, (int64_t)c->batch);
	if (st == NULL) {
		log_error("notify: %s", err_text(&e, LANG_EN, why, sizeof(why)));
		return -1;
	}
	struct job *v = calloc((size_t)c->batch, sizeof(*v));
	size_t n = 0;
	while (v && stmt_step(st, &e) == 1 && n < (size_t)c->batch) {
		struct job *j = &v[n++];
		snprintf(j->id, sizeof(j->id), "%s", stmt_text(st, 0));
		snprintf(j->channel, sizeof(j->channel), "email");
		snprintf(j->target, sizeof(j->target), "%s", stmt_text(st, 1));
		j->subject = strdup(stmt_text(st, 2));
		j->body = strdup(stmt_text(st, 3));
		snprintf(j->mid, sizeof(j->mid), "%s", stmt_text(st, 4));
		snprintf(j->irt, sizeof(j->irt), "%s", stmt_text(st, 5) ? stmt_text(st, 5) : "");
		j->attempts = (int)stmt_int(st, 6);
		if (j->mid[0] == '\0')   /* never empty: the row's own id */
			snprintf(j->mid, sizeof(j->mid), "%s@ungcuu", j->id);
	}
	stmt_done(st);
	if (v == NULL)
		return -1;
	if (e.code != E_OK || n == 0) {
		if (e.code != E_OK)
			log_error("notify: %s", err_text(&e, LANG_EN, why, sizeof(why)));
		jobs_free(v, n);
		return e.code != E_OK ? -1 : 0;
	}
	if (mail_h == NULL)
		mail_h = curl_easy_init();
	for (size_t i = 0; i < n; i++) {
		if (v[i].subject == NULL || v[i].body == NULL)
			snprintf(v[i].error, sizeof(v[i].error), "out of memory");
		else
			send_mail(mail_h, c, &v[i]);
	}
	if (record_outcomes(db, c, OUT_MAIL_OUTBOX, v, n, &e) != 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (!v[i].ok)
			log_warn("notify: reply to %s, attempt %d: %s", v[i].target,
				 v[i].attempts + 1, v[i].error);
	jobs_free(v, n);
	return (int)n;
fail:
	log_error("notify: %s", err_text(&e, LANG_EN, why, sizeof(why)));
	jobs_free(v, n);
	return -1;
}

/* ---- the threads ---- */

/* Two workers, each on its own connection: mail (which also runs the duty
 * scan) and webhooks, so a webhook that hangs until its time limit never
 * holds mail back, and neither is on a request's path. */
static pthread_t workers[2];
static const char *const worker_channel[2] = { "email", "webhook" };
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stopping, running;
static struct notify_conf wconf;
static char wpath[1024];

static void *work(void *arg)
{
	int which = (int)(intptr_t)arg;
	struct err e = { 0 };
	char why[300];
	struct store *db = store_open(wpath, &e);
	if (db == NULL) {
		log_error("notify: %s", err_text(&e, LANG_EN, why, sizeof(why)));
		return NULL;
	}
	int64_t next_scan = 0;
	for (;;) {
		pthread_mutex_lock(&mu);
		int stop = stopping;
		pthread_mutex_unlock(&mu);
		if (stop)
			break;
		int64_t now = time_now_ms();
		/* Several nodes: only the leader scans and delivers, its writes
		 * fenced at its epoch (store/leader.h). */
		if (!leader_guard(db))
			goto wait;
		if (which == 0 && now >= next_scan) {
			err_clear(&e);
			if (notify_scan(db, now, &e) < 0)
				log_error("notify scan: %s", err_text(&e, LANG_EN, why, sizeof(why)));
			next_scan = now + wconf.scan_every_ms;
		}
		int n = notify_deliver_due(db, &wconf, worker_channel[which], now);
		/* the mail thread also answers reports by email */
		int r = which == 0 ? notify_deliver_replies(db, &wconf, now) : 0;
		if (n >= wconf.batch || r >= wconf.batch)
			continue;   /* more are waiting */
	wait:;
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)(wconf.poll_ms % 1000) * 1000000L;
		ts.tv_sec += (time_t)(wconf.poll_ms / 1000) + ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		pthread_mutex_lock(&mu);
		if (!stopping)
			pthread_cond_timedwait(&cv, &mu, &ts);
		pthread_mutex_unlock(&mu);
	}
	if (mail_h)
		curl_easy_cleanup(mail_h);
	if (hook_h)
		curl_easy_cleanup(hook_h);
	mail_h = hook_h = NULL;
	store_close(db);
	return NULL;
}

int notify_start(const char *db_path, const struct notify_conf *c)
{
	wconf = *c;
	snprintf(wpath, sizeof(wpath), "%s", db_path);
	stopping = 0;
	for (int i = 0; i < 2; i++) {
		if (pthread_create(&workers[i], NULL, work, (void *)(intptr_t)i) != 0) {
			for (int k = 0; k < i; k++) {
				pthread_mutex_lock(&mu);
				stopping = 1;
				pthread_cond_broadcast(&cv);
				pthread_mutex_unlock(&mu);
				pthread_join(workers[k], NULL);
			}
			return -1;
		}
	}
	running = 1;
	return 0;
}

void notify_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < 2; i++)
		pthread_join(workers[i], NULL);
	running = 0;
}
